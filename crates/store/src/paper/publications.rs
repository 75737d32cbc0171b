//! Publications and their editions: created, numbered, published.

use super::{edition_from, edition_in, Edition, Publication, EDITION_COLUMNS};
use crate::audit::{self, Value};
use crate::{now, Result, Store, StoreError};
use core_rules::paper;
use core_rules::{money, quantity, text, Refusal, Typed};
use sqlx::Row;

impl Store {
    pub async fn create_publication(
        &self,
        actor: Option<i64>,
        code: &str,
        name: &str,
        unit_id: i64,
        reserve_percent: i64,
    ) -> Result<i64> {
        paper::check_publication(name, code).map_err(crate::rule)?;
        text::PUBLICATION_NAME.check(name.trim())?;
        quantity::RESERVE.check(reserve_percent)?;
        let mut tx = self.write().await?;
        if self.unit_in(&mut tx, unit_id).await?.is_none() {
            return Err(StoreError::NotFound(format!("unit {unit_id}")));
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM publications WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(
                Refusal::on("code", "a publication with the code {} exists already")
                    .arg(Typed(code))
                    .into(),
            );
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO publications (code, name, unit_id, reserve_percent, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(code)
        .bind(name.trim())
        .bind(unit_id)
        .bind(reserve_percent)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.publication",
            Some(("publication", id)),
            &[("unit", Value::Int(unit_id))],
        )
        .await?;
        tx.commit().await?;
        self.paper_public_changed();
        Ok(id)
    }
    pub async fn publications(&self) -> Result<Vec<Publication>> {
        let rows = sqlx::query(
            "SELECT id, code, name, unit_id, reserve_percent FROM publications ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Publication {
                    id: r.try_get("id")?,
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    unit_id: r.try_get("unit_id")?,
                    reserve_percent: r.try_get("reserve_percent")?,
                })
            })
            .collect()
    }

    pub async fn publication(&self, id: i64) -> Result<Option<Publication>> {
        Ok(self.publications().await?.into_iter().find(|p| p.id == id))
    }

    pub async fn publication_by_code(&self, code: &str) -> Result<Option<Publication>> {
        Ok(self
            .publications()
            .await?
            .into_iter()
            .find(|p| p.code == code))
    }

    pub async fn create_edition(
        &self,
        actor: Option<i64>,
        publication: i64,
        e: &paper::NewEdition,
    ) -> Result<i64> {
        e.check().map_err(crate::rule)?;
        quantity::EDITION_NUMBER.check(e.number)?;
        money::PRICE.check(e.price_cents)?;
        text::HEADLINE.check(e.headline.trim())?;
        let mut tx = self.write().await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM editions WHERE publication_id = $1 AND number = $2")
                .bind(publication)
                .bind(e.number)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(Refusal::on("number", "edition number {} exists already")
                .arg(e.number)
                .into());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO editions (publication_id, number, issued_on, price_cents, headline) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(publication)
        .bind(e.number)
        .bind(e.date.to_string())
        .bind(e.price_cents)
        .bind(e.headline.trim())
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.edition",
            Some(("edition", id)),
            &[("number", Value::Int(e.number))],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The editions of a publication, newest first; `published_only` for the public.
    pub async fn editions(&self, publication: i64, published_only: bool) -> Result<Vec<Edition>> {
        let rows = sqlx::query(&format!(
            "SELECT {EDITION_COLUMNS} FROM editions WHERE publication_id = $1 \
             AND (published = 1 OR $2 = 0) ORDER BY number DESC"
        ))
        .bind(publication)
        .bind(published_only as i64)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(edition_from).collect()
    }

    pub async fn edition(&self, id: i64) -> Result<Option<Edition>> {
        let row = sqlx::query(&format!(
            "SELECT {EDITION_COLUMNS} FROM editions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(edition_from).transpose()
    }

    pub async fn edition_by_number(
        &self,
        publication: i64,
        number: i64,
    ) -> Result<Option<Edition>> {
        let row = sqlx::query(&format!(
            "SELECT {EDITION_COLUMNS} FROM editions WHERE publication_id = $1 AND number = $2"
        ))
        .bind(publication)
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(edition_from).transpose()
    }

    /// Publishes an edition with every approved article in it. Refused for an edition without
    /// an approved article.
    pub async fn publish_edition(&self, actor: Option<i64>, edition: i64) -> Result<usize> {
        let mut tx = self.write().await?;
        let e = edition_in(&mut tx, edition).await?;
        if e.published {
            return Err(Refusal::new("edition {} is already published")
                .arg(e.number)
                .into());
        }
        let n = sqlx::query(
            "UPDATE articles SET state = 'published', updated_at = $2 \
             WHERE edition_id = $1 AND state = 'approved'",
        )
        .bind(edition)
        .bind(now())
        .execute(&mut *tx)
        .await?
        .rows_affected() as usize;
        let already: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM articles WHERE edition_id = $1 AND state = 'published'",
        )
        .bind(edition)
        .fetch_one(&mut *tx)
        .await?;
        if already == 0 {
            return Err(
                Refusal::new("edition {} has no approved article to publish")
                    .arg(e.number)
                    .into(),
            );
        }
        sqlx::query("UPDATE editions SET published = 1 WHERE id = $1")
            .bind(edition)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.publish",
            Some(("edition", edition)),
            &[("articles", Value::from(n))],
        )
        .await?;
        tx.commit().await?;
        self.paper_public_changed();
        Ok(n)
    }
}
