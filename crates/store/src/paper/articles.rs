//! Articles and their workflow, from draft to an edition.

use super::{article_from, edition_in, internal, Article, ARTICLE_COLUMNS};
use crate::audit::{self, Value};
use crate::refused;
use crate::{now, Result, Store, StoreError};
use core_rules::paper::ArticleState;
use core_rules::text;
use sqlx::Row;

impl Store {
    pub async fn create_article(
        &self,
        actor: Option<i64>,
        publication: i64,
        edition: Option<i64>,
        title: &str,
        body_md: &str,
    ) -> Result<i64> {
        if title.trim().is_empty() {
            return Err(refused("an article needs a title"));
        }
        text::ARTICLE_TITLE.check(title.trim())?;
        text::ARTICLE_BODY.check(body_md)?;
        let mut tx = self.write().await?;
        if let Some(e) = edition {
            let ed = edition_in(&mut tx, e).await?;
            if ed.publication_id != publication {
                return Err(refused("that edition belongs to another publication"));
            }
        }
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM articles WHERE publication_id = $1",
        )
        .bind(publication)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO articles (publication_id, edition_id, title, body_md, body_html, state, position, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7) RETURNING id",
        )
        .bind(publication)
        .bind(edition)
        .bind(title.trim())
        .bind(body_md)
        .bind(markup::render(body_md))
        .bind(position)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.article",
            Some(("article", id)),
            &[("state", Value::Word("draft"))],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn article(&self, id: i64) -> Result<Option<Article>> {
        let row = sqlx::query(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(article_from).transpose()
    }

    /// All articles of a publication (for the editors), newest first.
    pub async fn articles(&self, publication: i64) -> Result<Vec<Article>> {
        let rows = sqlx::query(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE publication_id = $1 ORDER BY id DESC"
        ))
        .bind(publication)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(article_from).collect()
    }

    /// The published articles of an edition, in order.
    pub async fn edition_articles(&self, edition: i64) -> Result<Vec<Article>> {
        let rows = sqlx::query(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE edition_id = $1 AND state = 'published' \
             ORDER BY position, id"
        ))
        .bind(edition)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(article_from).collect()
    }

    /// Changes an article's text and edition. A published article cannot be changed.
    pub async fn edit_article(
        &self,
        actor: Option<i64>,
        id: i64,
        title: &str,
        body_md: &str,
        edition: Option<i64>,
    ) -> Result<()> {
        if title.trim().is_empty() {
            return Err(refused("an article needs a title"));
        }
        text::ARTICLE_TITLE.check(title.trim())?;
        text::ARTICLE_BODY.check(body_md)?;
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT state, publication_id FROM articles WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("article {id}")))?;
        let state: String = row.try_get("state")?;
        let publication: i64 = row.try_get("publication_id")?;
        if state == "published" {
            return Err(refused(
                "a published article cannot be changed; publish a correction",
            ));
        }
        if let Some(e) = edition {
            if edition_in(&mut tx, e).await?.publication_id != publication {
                return Err(refused("that edition belongs to another publication"));
            }
        }
        sqlx::query(
            "UPDATE articles SET title = $2, body_md = $3, body_html = $4, edition_id = $5, updated_at = $6 WHERE id = $1",
        )
        .bind(id)
        .bind(title.trim())
        .bind(body_md)
        .bind(markup::render(body_md))
        .bind(edition)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.article.edit",
            Some(("article", id)),
            &[],
        )
        .await?;
        tx.commit().await?;
        self.paper_public_changed();
        Ok(())
    }

    /// Moves an article along the workflow (checked by `ArticleState::move_to`). Publishing an
    /// article needs an edition; it appears when its edition is published.
    pub async fn move_article(&self, actor: Option<i64>, id: i64, to: ArticleState) -> Result<()> {
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT state, edition_id FROM articles WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("article {id}")))?;
        let from = ArticleState::parse(&row.try_get::<String, _>("state")?).map_err(internal)?;
        let edition: Option<i64> = row.try_get("edition_id")?;
        from.move_to(to, edition.is_some()).map_err(crate::rule)?;
        sqlx::query("UPDATE articles SET state = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(to.code())
            .bind(now())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.article.state",
            Some(("article", id)),
            &[("state", Value::Word(to.code()))],
        )
        .await?;
        tx.commit().await?;
        // An article moved to `published` into an edition out already appears in it.
        self.paper_public_changed();
        Ok(())
    }
}
