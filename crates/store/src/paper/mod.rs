//! The paper persisted: publications, editions, articles and their workflow, reports from below
//! and their triage, the single picture, and circulation (orders, bundles, returns,
//! reconciliation). The rules are in `core_rules::paper`; this module stores what they allow.
//!
//! Anonymous reports keep no identifying detail at all: no person, no account, no address, the
//! day of arrival only, a random id (so the order of ids says nothing about the order of arrival)
//! and an audit entry with neither actor nor object.
//!
//! A report sent under a party name keeps its sender's person, and nothing else of theirs (the
//! audit entry of its arrival names neither the account nor the report). The editor who triages
//! it first is assigned it; only they read the sender's party name, one report at a time through
//! [`Store::report_sender`], which records each view. The statutes' number of days after the
//! report is decided, [`Store::clear_report_senders`] removes the link for good.

use crate::audit::{self, Value};
use crate::refused;
use crate::{now, Result, Store, StoreError};
use core_rules::paper::circulation::{Tree, TreeUnit};
use core_rules::paper::{
    self, AgentReturn, ArticleState, Orders, Plan, Reconciliation, ReportCategory, Triage,
};
use core_rules::Day;
use core_rules::{money, quantity, text, Refusal, Typed};
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publication {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub reserve_percent: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edition {
    pub id: i64,
    pub publication_id: i64,
    pub number: i64,
    pub issued_on: Day,
    pub price_cents: i64,
    pub headline: String,
    pub print_run: Option<i64>,
    pub reserve: Option<i64>,
    pub published: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    pub id: i64,
    pub publication_id: i64,
    pub edition_id: Option<i64>,
    pub title: String,
    pub body_md: String,
    pub body_html: String,
    pub state: ArticleState,
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub category: ReportCategory,
    pub unit_id: i64,
    pub happened_on: Day,
    pub received_on: Day,
    pub body: String,
    /// Whether the report still names its sender (never who: see [`Store::report_sender`]).
    /// False for an anonymous report and for one whose sender has been cleared.
    pub has_sender: bool,
    pub status: String,
    pub merged_into: Option<i64>,
    pub article_id: Option<i64>,
    /// The account of the editor who handles it: the first to triage it.
    pub assigned_to: Option<i64>,
    /// The day of its latest decision; `None` while it is new.
    pub decided_on: Option<Day>,
}

/// Who sends a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// Nothing about the sender is kept, even if they are signed in.
    Anonymous,
    /// A member or supporter, by their person id, and the account that sent it.
    Person { person: i64, account: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReport {
    pub category: ReportCategory,
    pub unit_id: i64,
    pub happened_on: Day,
    pub body: String,
}

/// Counts of reports by category, month and place (each unit's own reports).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Picture {
    pub total: i64,
    pub by_category: BTreeMap<String, i64>,
    pub by_month: BTreeMap<String, i64>,
    pub by_unit: HashMap<i64, i64>,
}

/// The circulation of one edition: the plan as stored and its reconciliation.
#[derive(Clone, Debug)]
pub struct Circulation {
    pub edition: Edition,
    pub plan: Plan,
    pub reconciliation: Reconciliation,
    /// Units with a return recorded.
    pub returned: Vec<i64>,
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// Sums past what can be counted (only from figures recorded before their bounds existed) are
/// refused by name; any other error of a stored plan is a fault.
fn circulation_error(e: paper::CirculationError) -> StoreError {
    match e {
        paper::CirculationError::TooManyCopies | paper::CirculationError::TooMuchMoney => {
            crate::rule(e)
        }
        other => internal(other),
    }
}

fn day(s: &str) -> Result<Day> {
    Day::parse(s).map_err(internal)
}

const EDITION_COLUMNS: &str =
    "id, publication_id, number, issued_on, price_cents, headline, print_run, reserve, published";

fn edition_from(r: &sqlx::any::AnyRow) -> Result<Edition> {
    Ok(Edition {
        id: r.try_get("id")?,
        publication_id: r.try_get("publication_id")?,
        number: r.try_get("number")?,
        issued_on: day(&r.try_get::<String, _>("issued_on")?)?,
        price_cents: r.try_get("price_cents")?,
        headline: r.try_get("headline")?,
        print_run: r.try_get("print_run")?,
        reserve: r.try_get("reserve")?,
        published: r.try_get::<i64, _>("published")? != 0,
    })
}

const ARTICLE_COLUMNS: &str =
    "id, publication_id, edition_id, title, body_md, body_html, state, position";

fn article_from(r: &sqlx::any::AnyRow) -> Result<Article> {
    Ok(Article {
        id: r.try_get("id")?,
        publication_id: r.try_get("publication_id")?,
        edition_id: r.try_get("edition_id")?,
        title: r.try_get("title")?,
        body_md: r.try_get("body_md")?,
        body_html: r.try_get("body_html")?,
        state: ArticleState::parse(&r.try_get::<String, _>("state")?).map_err(internal)?,
        position: r.try_get("position")?,
    })
}

fn report_from(r: &sqlx::any::AnyRow) -> Result<Report> {
    let cat: String = r.try_get("category")?;
    Ok(Report {
        id: r.try_get("id")?,
        category: ReportCategory::parse(&cat).unwrap_or(ReportCategory::Other),
        unit_id: r.try_get("unit_id")?,
        happened_on: day(&r.try_get::<String, _>("happened_on")?)?,
        received_on: day(&r.try_get::<String, _>("received_on")?)?,
        body: r.try_get("body")?,
        has_sender: r.try_get::<Option<i64>, _>("sender_person_id")?.is_some(),
        status: r.try_get("status")?,
        merged_into: r.try_get("merged_into")?,
        article_id: r.try_get("article_id")?,
        assigned_to: r.try_get("assigned_to")?,
        decided_on: r
            .try_get::<Option<String>, _>("decided_on")?
            .as_deref()
            .map(day)
            .transpose()?,
    })
}

async fn edition_in(tx: &mut Transaction<'_, Any>, id: i64) -> Result<Edition> {
    let row = sqlx::query(&format!(
        "SELECT {EDITION_COLUMNS} FROM editions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("edition {id}")))?;
    edition_from(&row)
}

impl Store {
    // ---------------------------------------------------------------------------------------
    // Publications and editions

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

    async fn unit_in(&self, tx: &mut Transaction<'_, Any>, unit: i64) -> Result<Option<bool>> {
        let closed: Option<i64> = sqlx::query_scalar("SELECT closed FROM units WHERE id = $1")
            .bind(unit)
            .fetch_optional(&mut **tx)
            .await?;
        Ok(closed.map(|c| c != 0))
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

    // ---------------------------------------------------------------------------------------
    // Articles

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
        .bind(paper::render(body_md))
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
        .bind(paper::render(body_md))
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

    // ---------------------------------------------------------------------------------------
    // Reports

    /// Stores a report. An anonymous one keeps nothing about its sender.
    pub async fn submit_report(&self, sender: Sender, r: &NewReport) -> Result<i64> {
        let today = Day::today();
        let body = paper::reports::check(&r.body, r.happened_on, today).map_err(crate::rule)?;
        let mut tx = self.write().await?;
        if self.unit_in(&mut tx, r.unit_id).await?.is_none() {
            return Err(StoreError::NotFound(format!("unit {}", r.unit_id)));
        }
        let id: i64 = rand::random::<i64>() & i64::MAX;
        let person = match sender {
            Sender::Anonymous => None,
            Sender::Person { person, .. } => Some(person),
        };
        sqlx::query(
            "INSERT INTO reports (id, category, unit_id, happened_on, month, received_on, body, sender_person_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(r.category.code())
        .bind(r.unit_id)
        .bind(r.happened_on.to_string())
        .bind(r.happened_on.month().to_string())
        .bind(today.to_string())
        .bind(&body)
        .bind(person)
        .execute(&mut *tx)
        .await?;
        // No actor, no object: the log says only that some report came. A named report's
        // entry names neither the account nor the report either: the log cannot be cleared,
        // and an entry linking the two would outlive the sender's clearing.
        let action = match sender {
            Sender::Anonymous => "report.anonymous",
            Sender::Person { .. } => "report.received",
        };
        audit::append(&mut tx, None, action, None, &[]).await?;
        tx.commit().await?;
        Ok(id)
    }

    // The sender's person id is read to know whether there is one; it leaves this module only
    // as `has_sender`, and the party name only through `report_sender`.
    const REPORT_COLUMNS: &'static str =
        "r.id, r.category, r.unit_id, r.happened_on, r.received_on, r.body, \
         r.sender_person_id, r.status, r.merged_into, r.article_id, r.assigned_to, r.decided_on \
         FROM reports r";

    pub async fn report(&self, id: i64) -> Result<Option<Report>> {
        let row = sqlx::query(&format!("SELECT {} WHERE r.id = $1", Self::REPORT_COLUMNS))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(report_from).transpose()
    }

    /// Reports with a status (`new`, `accepted`, ...), or all, newest happening first.
    pub async fn reports(&self, status: Option<&str>, limit: i64) -> Result<Vec<Report>> {
        let rows = sqlx::query(&format!(
            "SELECT {} WHERE (r.status = $1 OR $1 = '') ORDER BY r.happened_on DESC, r.id LIMIT $2",
            Self::REPORT_COLUMNS
        ))
        .bind(status.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(report_from).collect()
    }

    /// An editor's decision on a report. The first editor to decide on it is assigned it (a
    /// later decision by another editor leaves it with the first: the sender is known to one
    /// editor); `None` (the command line, the demo's seeding) assigns nobody. Every decision
    /// sets the day from which the sender's clearing is counted.
    pub async fn triage_report(&self, actor: Option<i64>, id: i64, t: Triage) -> Result<()> {
        let mut tx = self.write().await?;
        let status: String = sqlx::query_scalar("SELECT status FROM reports WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("report {id}")))?;
        t.check(id, &status).map_err(crate::rule)?;
        let (merged, article, counted) = match t {
            Triage::Accept => (None, None, 1),
            Triage::Reject => (None, None, 0),
            Triage::MergeInto(other) => {
                let s: Option<String> =
                    sqlx::query_scalar("SELECT status FROM reports WHERE id = $1")
                        .bind(other)
                        .fetch_optional(&mut *tx)
                        .await?;
                match s.as_deref() {
                    None => return Err(StoreError::NotFound(format!("report {other}"))),
                    Some("merged") | Some("rejected") => {
                        return Err(refused("a report can only be merged into one that is kept"))
                    }
                    _ => {}
                }
                (Some(other), None, 0)
            }
            Triage::UseIn(a) => {
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM articles WHERE id = $1")
                        .bind(a)
                        .fetch_optional(&mut *tx)
                        .await?;
                if exists.is_none() {
                    return Err(StoreError::NotFound(format!("article {a}")));
                }
                (None, Some(a), 1)
            }
        };
        sqlx::query(
            "UPDATE reports SET status = $2, merged_into = $3, article_id = $4, counted = $5, \
             assigned_to = COALESCE(assigned_to, $6), decided_on = $7 WHERE id = $1",
        )
        .bind(id)
        .bind(t.status())
        .bind(merged)
        .bind(article)
        .bind(counted as i64)
        .bind(actor)
        .bind(Day::today().to_string())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor,
            "report.triage",
            Some(("report", id)),
            &[("status", Value::Word(t.status()))],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What the statutes in force on `day` say about correspondence (the defaults before any
    /// statutes took effect).
    pub async fn correspondence_on(
        &self,
        day: Day,
    ) -> Result<core_rules::statutes::Correspondence> {
        let versions = self.statutes_versions().await?;
        Ok(core_rules::statutes::in_force(&versions, day)
            .map(|v| v.rules.correspondence.clone())
            .unwrap_or_default())
    }

    /// The party name of a report's sender, for the editor it is assigned to (`account`), and
    /// the view recorded in the audit log (`report.sender_shown`: the account and the report,
    /// never the person) in the same transaction, before the name is handed over. "Not found"
    /// for a report that is not assigned to this account, is anonymous, or whose sender has
    /// been cleared or is due to be (the clearing may not have run yet today).
    pub async fn report_sender(&self, account: i64, id: i64) -> Result<String> {
        let today = Day::today();
        let keep = self.correspondence_on(today).await?.sender_kept_days;
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT r.assigned_to, r.decided_on, p.pseudonym FROM reports r \
             JOIN persons p ON p.id = r.sender_person_id WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let not_found = || StoreError::NotFound(format!("the sender of report {id}"));
        let row = row.ok_or_else(not_found)?;
        let assigned: Option<i64> = row.try_get("assigned_to")?;
        let decided: Option<String> = row.try_get("decided_on")?;
        let decided = decided.as_deref().map(day).transpose()?;
        if assigned != Some(account) || !paper::reports::sender_kept(decided, today, keep) {
            return Err(not_found());
        }
        let name: String = row.try_get("pseudonym")?;
        audit::append(
            &mut tx,
            Some(account),
            "report.sender_shown",
            Some(("report", id)),
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(name)
    }

    /// Removes for good the sender of every report decided the statutes' number of days ago or
    /// earlier (the report stays, as if sent anonymously). One transaction with one audit entry
    /// (`report.senders_cleared`: how many, and the statutes' number of days), written only when
    /// there was something to clear. Returns how many reports lost their sender.
    ///
    /// The server runs it when it starts and every hour; reading a sender checks the same rule,
    /// so no sender is shown past its day even between two runs.
    pub async fn clear_report_senders(&self, today: Day) -> Result<u64> {
        let keep = self.correspondence_on(today).await?.sender_kept_days;
        let through = paper::reports::cleared_through(today, keep);
        let mut tx = self.write().await?;
        let cleared = sqlx::query(
            "UPDATE reports SET sender_person_id = NULL \
             WHERE sender_person_id IS NOT NULL AND decided_on <= $1",
        )
        .bind(through.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if cleared == 0 {
            return Ok(0);
        }
        audit::append(
            &mut tx,
            None,
            "report.senders_cleared",
            None,
            &[
                ("reports", (cleared as i64).into()),
                ("days", i64::from(keep).into()),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(cleared)
    }

    /// Reports used in an article.
    pub async fn reports_of_article(&self, article: i64) -> Result<Vec<Report>> {
        let rows = sqlx::query(&format!(
            "SELECT {} WHERE r.article_id = $1 ORDER BY r.happened_on",
            Self::REPORT_COLUMNS
        ))
        .bind(article)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(report_from).collect()
    }

    /// The single picture: counts of reports (neither rejected nor merged into another) by
    /// category, by month and by unit. Three grouped scans of covering indexes; the web rolls
    /// the units' counts up the tree.
    pub async fn single_picture(&self) -> Result<Picture> {
        let mut p = Picture::default();
        for r in sqlx::query(
            "SELECT category, COUNT(*) AS n FROM reports WHERE counted = 1 GROUP BY category",
        )
        .fetch_all(self.pool())
        .await?
        {
            let n: i64 = r.try_get("n")?;
            p.total += n;
            p.by_category.insert(r.try_get("category")?, n);
        }
        for r in
            sqlx::query("SELECT month, COUNT(*) AS n FROM reports WHERE counted = 1 GROUP BY month")
                .fetch_all(self.pool())
                .await?
        {
            p.by_month.insert(r.try_get("month")?, r.try_get("n")?);
        }
        for r in sqlx::query(
            "SELECT unit_id, COUNT(*) AS n FROM reports WHERE counted = 1 GROUP BY unit_id",
        )
        .fetch_all(self.pool())
        .await?
        {
            p.by_unit.insert(r.try_get("unit_id")?, r.try_get("n")?);
        }
        Ok(p)
    }

    // ---------------------------------------------------------------------------------------
    // Circulation

    /// Sets a unit's standing order (0 ends it).
    pub async fn set_order(
        &self,
        actor: Option<i64>,
        publication: i64,
        unit: i64,
        copies: i64,
    ) -> Result<()> {
        quantity::ORDER.check(copies)?;
        let rules = self.access_rules(Day::today()).await?;
        let mut tx = self.write().await?;
        if self.unit_in(&mut tx, unit).await?.is_none() {
            return Err(StoreError::NotFound(format!("unit {unit}")));
        }
        serves(&mut tx, &rules, publication, unit).await?;
        sqlx::query("DELETE FROM paper_orders WHERE publication_id = $1 AND unit_id = $2")
            .bind(publication)
            .bind(unit)
            .execute(&mut *tx)
            .await?;
        if copies > 0 {
            sqlx::query(
                "INSERT INTO paper_orders (publication_id, unit_id, copies) VALUES ($1, $2, $3)",
            )
            .bind(publication)
            .bind(unit)
            .bind(copies)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            actor,
            "paper.order",
            Some(("unit", unit)),
            &[("copies", Value::Int(copies))],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A subscriber's standing order, delivered by a unit's agent.
    pub async fn subscribe(
        &self,
        actor: Option<i64>,
        publication: i64,
        unit: i64,
        person: Option<i64>,
        copies: i64,
    ) -> Result<i64> {
        quantity::SUBSCRIPTION.check(copies)?;
        let rules = self.access_rules(Day::today()).await?;
        let mut tx = self.write().await?;
        serves(&mut tx, &rules, publication, unit).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO paper_subscriptions (publication_id, unit_id, person_id, copies) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(publication)
        .bind(unit)
        .bind(person)
        .bind(copies)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.subscription",
            Some(("unit", unit)),
            &[("copies", Value::Int(copies))],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The unit tree as (id, parent) pairs.
    pub async fn unit_parents(&self) -> Result<Vec<(i64, Option<i64>)>> {
        let rows = sqlx::query("SELECT id, parent_id FROM units")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("parent_id")?)))
            .collect()
    }

    /// The unit tree as circulation routes by it: each unit's place, whether it is closed, and
    /// whether its kind may know of the closed units below it under the statutes in force today.
    pub async fn circulation_tree(&self) -> Result<Tree> {
        let rules = self.access_rules(Day::today()).await?;
        let rows = sqlx::query("SELECT id, parent_id, kind, closed FROM units")
            .fetch_all(self.pool())
            .await?;
        let units = rows
            .iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(TreeUnit {
                    id: r.try_get("id")?,
                    parent: r.try_get("parent_id")?,
                    closed: r.try_get::<i64, _>("closed")? != 0,
                    sees_closed: rules.body_may_know(&kind, true),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Tree::with_secrecy(&units).map_err(internal)
    }

    /// Plans an edition's circulation from the standing orders: one bundle per unit, the print
    /// run with the reserve. Planned again (replacing the bundles) only while no return is in.
    ///
    /// Only the orders of units the publication's unit may know of count (a unit takes a paper
    /// only from such a body: `set_order` refuses the others, and one left from before, or from
    /// a unit closed since, is ignored), and the reserve is a share of the copies ordered in the
    /// open ([`paper::circulation::reserve_base`]): so the paper's editors know of every bundle
    /// they print, and nobody learns of a closed unit from the reserve.
    pub async fn plan_edition(&self, actor: Option<i64>, edition: i64) -> Result<Plan> {
        let tree = self.circulation_tree().await?;
        let mut tx = self.write().await?;
        let e = edition_in(&mut tx, edition).await?;
        let returns: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM bundle_returns WHERE edition_id = $1")
                .bind(edition)
                .fetch_one(&mut *tx)
                .await?;
        if returns > 0 {
            return Err(Refusal::new(
                "edition {} has returns recorded already; its bundles can no longer change",
            )
            .arg(e.number)
            .into());
        }
        let (percent, paper_unit): (i64, i64) =
            sqlx::query_as("SELECT reserve_percent, unit_id FROM publications WHERE id = $1")
                .bind(e.publication_id)
                .fetch_one(&mut *tx)
                .await?;
        let mut orders = Orders::default();
        // Orders are bounded when written (`quantity::ORDER`, `quantity::SUBSCRIPTION`); one
        // written before the bounds existed can make the sums too large to count, and is
        // refused by name below rather than wrapping or failing the page.
        for r in sqlx::query("SELECT unit_id, copies FROM paper_orders WHERE publication_id = $1")
            .bind(e.publication_id)
            .fetch_all(&mut *tx)
            .await?
        {
            orders
                .units
                .insert(r.try_get("unit_id")?, r.try_get::<i64, _>("copies")? as u64);
        }
        for r in sqlx::query(
            "SELECT unit_id, CAST(SUM(copies) AS BIGINT) AS n FROM paper_subscriptions WHERE publication_id = $1 AND active = 1 GROUP BY unit_id",
        )
        .bind(e.publication_id)
        .fetch_all(&mut *tx)
        .await?
        {
            orders.subscribers.insert(r.try_get("unit_id")?, r.try_get::<i64, _>("n")? as u64);
        }
        orders.units.retain(|&u, _| tree.may_know(paper_unit, u));
        orders
            .subscribers
            .retain(|&u, _| tree.may_know(paper_unit, u));
        // The whole first, with checked arithmetic: once it fits, every part of it does.
        paper::circulation::ordered(&orders).map_err(crate::rule)?;
        orders.reserve = paper::circulation::reserve_for(
            paper::circulation::reserve_base(&tree, &orders, paper_unit),
            percent as u64,
        )
        .map_err(crate::rule)?;
        let plan = paper::plan(&tree, &orders).map_err(circulation_error)?;
        sqlx::query("DELETE FROM bundles WHERE edition_id = $1")
            .bind(edition)
            .execute(&mut *tx)
            .await?;
        insert_bundles(&mut tx, edition, &plan).await?;
        sqlx::query("UPDATE editions SET print_run = $2, reserve = $3 WHERE id = $1")
            .bind(edition)
            .bind(plan.print_run as i64)
            .bind(plan.reserve as i64)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.plan",
            Some(("edition", edition)),
            &[
                ("bundles", Value::from(plan.bundles.len())),
                ("print_run", Value::from(plan.print_run)),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// The bundle a unit gets of an edition (0 copies if none).
    pub async fn bundle_copies(&self, edition: i64, unit: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT copies FROM bundles WHERE edition_id = $1 AND unit_id = $2")
                .bind(edition)
                .bind(unit)
                .fetch_optional(self.pool())
                .await?
                .unwrap_or(0),
        )
    }

    /// Records (or corrects) an agent's return. A return larger than the bundle, and money for
    /// an edition the unit never received, are refused and write nothing.
    pub async fn record_return(
        &self,
        actor: Option<i64>,
        edition: i64,
        r: &AgentReturn,
    ) -> Result<()> {
        quantity::RECEIVED.check(r.received)?;
        quantity::SOLD.check(r.sold)?;
        quantity::FREE.check(r.free)?;
        quantity::RETURNED.check(r.returned)?;
        money::REMITTED.check(r.remitted_cents)?;
        let mut tx = self.write().await?;
        let e = edition_in(&mut tx, edition).await?;
        let bundle: Option<i64> =
            sqlx::query_scalar("SELECT copies FROM bundles WHERE edition_id = $1 AND unit_id = $2")
                .bind(edition)
                .bind(r.unit)
                .fetch_optional(&mut *tx)
                .await?;
        r.check(bundle.unwrap_or(0) as u64).map_err(crate::rule)?;
        if bundle.is_none() {
            return Err(Refusal::new("unit {} had no bundle of edition {}")
                .arg(r.unit)
                .arg(e.number)
                .into());
        }
        sqlx::query("DELETE FROM bundle_returns WHERE edition_id = $1 AND unit_id = $2")
            .bind(edition)
            .bind(r.unit)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO bundle_returns (edition_id, unit_id, received, sold, free, returned, remitted_cents, recorded_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(edition)
        .bind(r.unit)
        .bind(r.received as i64)
        .bind(r.sold as i64)
        .bind(r.free as i64)
        .bind(r.returned as i64)
        .bind(r.remitted_cents)
        .bind(Day::today().to_string())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.return",
            Some(("edition", edition)),
            &[
                ("unit", Value::Int(r.unit)),
                ("sold", Value::from(r.sold)),
                ("returned", Value::from(r.returned)),
                ("cents", Value::Int(r.remitted_cents)),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The return recorded for a unit's bundle, if any.
    pub async fn bundle_return(&self, edition: i64, unit: i64) -> Result<Option<AgentReturn>> {
        let row = sqlx::query(
            "SELECT unit_id, received, sold, free, returned, remitted_cents FROM bundle_returns WHERE edition_id = $1 AND unit_id = $2",
        )
        .bind(edition)
        .bind(unit)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(return_from).transpose()
    }

    /// An edition's stored plan and its reconciliation with the returns in so far.
    pub async fn circulation(&self, edition: i64) -> Result<Circulation> {
        let e = self
            .edition(edition)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("edition {edition}")))?;
        let tree = self.circulation_tree().await?;
        let mut bundles = Vec::new();
        for r in sqlx::query("SELECT unit_id, ordered, subscribers, copies FROM bundles WHERE edition_id = $1 ORDER BY unit_id")
            .bind(edition)
            .fetch_all(self.pool())
            .await?
        {
            bundles.push(paper::Bundle {
                unit: r.try_get("unit_id")?,
                ordered: r.try_get::<i64, _>("ordered")? as u64,
                subscribers: r.try_get::<i64, _>("subscribers")? as u64,
                copies: r.try_get::<i64, _>("copies")? as u64,
            });
        }
        let reserve = e.reserve.unwrap_or(0) as u64;
        let orders = Orders {
            units: bundles.iter().map(|b| (b.unit, b.copies)).collect(),
            subscribers: BTreeMap::new(),
            reserve,
        };
        // The legs follow from the stored bundles and the tree as it is.
        let mut plan = paper::plan(&tree, &orders).map_err(circulation_error)?;
        plan.bundles = bundles;
        let returns: Vec<AgentReturn> = sqlx::query(
            "SELECT unit_id, received, sold, free, returned, remitted_cents FROM bundle_returns WHERE edition_id = $1",
        )
        .bind(edition)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(return_from)
        .collect::<Result<_>>()?;
        let reconciliation =
            paper::reconcile(&tree, &plan, &returns, e.price_cents).map_err(circulation_error)?;
        Ok(Circulation {
            returned: returns.iter().map(|r| r.unit).collect(),
            edition: e,
            plan,
            reconciliation,
        })
    }

    /// Arrears per unit over all editions of a publication: `(due, remitted)` in cents.
    pub async fn paper_accounts(&self, publication: i64) -> Result<HashMap<i64, (i64, i64)>> {
        let rows = sqlx::query(
            "SELECT r.unit_id, CAST(SUM(r.sold * e.price_cents) AS BIGINT) AS due, CAST(SUM(r.remitted_cents) AS BIGINT) AS paid \
             FROM bundle_returns r JOIN editions e ON e.id = r.edition_id \
             WHERE e.publication_id = $1 GROUP BY r.unit_id",
        )
        .bind(publication)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("unit_id")?,
                    (r.try_get("due")?, r.try_get("paid")?),
                ))
            })
            .collect()
    }

    /// The copies sent to and sold by some units (a viewer's hidden ones), per edition of a
    /// publication: `edition id -> (sent, sold)`, for editions where they had any. A viewer's
    /// series and print runs are the whole less these. Hidden units are few (closed branches), so
    /// this reads a few bundles by the unit index.
    pub async fn copies_in_units(
        &self,
        publication: i64,
        units: &[i64],
    ) -> Result<HashMap<i64, (i64, i64)>> {
        let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
        for chunk in units.chunks(500) {
            let list = (2..=chunk.len() + 1)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT b.edition_id, CAST(SUM(b.copies) AS BIGINT) AS sent, \
                 CAST(SUM(COALESCE(r.sold, 0)) AS BIGINT) AS sold \
                 FROM bundles b JOIN editions e ON e.id = b.edition_id \
                 LEFT JOIN bundle_returns r ON r.edition_id = b.edition_id AND r.unit_id = b.unit_id \
                 WHERE e.publication_id = $1 AND b.unit_id IN ({list}) GROUP BY b.edition_id"
            );
            let mut q = sqlx::query(&sql).bind(publication);
            for u in chunk {
                q = q.bind(*u);
            }
            for r in q.fetch_all(self.pool()).await? {
                let e = out.entry(r.try_get("edition_id")?).or_default();
                e.0 += r.try_get::<i64, _>("sent")?;
                e.1 += r.try_get::<i64, _>("sold")?;
            }
        }
        Ok(out)
    }

    /// Copies sent and sold per edition of a publication, oldest first: `(number, sent, sold)`.
    pub async fn circulation_series(&self, publication: i64) -> Result<Vec<(i64, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT e.number, \
               (SELECT CAST(COALESCE(SUM(b.copies), 0) AS BIGINT) FROM bundles b WHERE b.edition_id = e.id) AS sent, \
               (SELECT CAST(COALESCE(SUM(r.sold), 0) AS BIGINT) FROM bundle_returns r WHERE r.edition_id = e.id) AS sold \
             FROM editions e WHERE e.publication_id = $1 ORDER BY e.number",
        )
        .bind(publication)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("number")?, r.try_get("sent")?, r.try_get("sold")?)))
            .collect()
    }
}

/// A unit takes a paper only from a body that may know of it (`AccessRules::body_may_know`, the
/// rule offices are judged by): the publication's unit must be the unit or one above it with no
/// closed unit between them, or of a kind the statutes let see closed units. Any other unit is
/// "not found", as a unit that does not exist: the paper's editors would print copies for a
/// unit they may not know of, and its bundle would pass through units that may not either.
async fn serves(
    tx: &mut Transaction<'_, Any>,
    rules: &core_rules::roles::AccessRules,
    publication: i64,
    unit: i64,
) -> Result<()> {
    let paper_unit: Option<i64> =
        sqlx::query_scalar("SELECT unit_id FROM publications WHERE id = $1")
            .bind(publication)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(paper_unit) = paper_unit else {
        return Err(StoreError::NotFound(format!("publication {publication}")));
    };
    let chain = crate::dues::chain_of_unit(tx, unit).await?;
    let knows = chain
        .iter()
        .position(|(id, _, _)| *id == paper_unit)
        .is_some_and(|depth| {
            let closed_between = chain[..depth].iter().any(|(_, _, closed)| *closed);
            rules.body_may_know(&chain[depth].1, closed_between)
        });
    if knows {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("unit {unit}")))
    }
}

fn return_from(r: &sqlx::any::AnyRow) -> Result<AgentReturn> {
    Ok(AgentReturn {
        unit: r.try_get("unit_id")?,
        received: r.try_get::<i64, _>("received")? as u64,
        sold: r.try_get::<i64, _>("sold")? as u64,
        free: r.try_get::<i64, _>("free")? as u64,
        returned: r.try_get::<i64, _>("returned")? as u64,
        remitted_cents: r.try_get("remitted_cents")?,
    })
}

async fn insert_bundles(tx: &mut Transaction<'_, Any>, edition: i64, plan: &Plan) -> Result<()> {
    // Many rows per statement: an edition can have thousands of bundles.
    for chunk in plan.bundles.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO bundles (edition_id, unit_id, ordered, subscribers, copies) VALUES ",
        );
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 5;
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5
            ));
        }
        let mut q = sqlx::query(&sql);
        for b in chunk {
            q = q
                .bind(edition)
                .bind(b.unit)
                .bind(b.ordered as i64)
                .bind(b.subscribers as i64)
                .bind(b.copies as i64);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// Members per unit (each unit's own), for the paper's reach against membership.
    pub async fn members_per_unit(&self) -> Result<HashMap<i64, i64>> {
        let rows = sqlx::query(
            "SELECT unit_id, COUNT(*) AS n FROM persons WHERE status = 'member' GROUP BY unit_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("unit_id")?, r.try_get("n")?)))
            .collect()
    }

    /// The units with a bundle of an edition, and each one's copies, for the agent's page.
    pub async fn bundles_of_unit(&self, unit: i64) -> Result<Vec<(Edition, i64)>> {
        let rows = sqlx::query(
            "SELECT e.id, e.publication_id, e.number, e.issued_on, e.price_cents, e.headline, \
             e.print_run, e.reserve, e.published, b.copies FROM bundles b JOIN editions e ON e.id = b.edition_id \
             WHERE b.unit_id = $1 ORDER BY e.issued_on DESC, e.id DESC",
        )
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((edition_from(r)?, r.try_get("copies")?)))
            .collect()
    }
}

impl Store {
    /// The demo's central paper: six editions (five published, one in preparation), articles in
    /// every state, reports from correspondents (some anonymous, some triaged), standing orders
    /// for the local committees and circles, and returns for the editions out, the latest still
    /// coming in. Runs once, when the organisation has no publication yet.
    pub async fn seed_paper_demo(&self, today: Day) -> Result<()> {
        use core_rules::paper::demo::{ARTICLES, HEADLINES, PAPER, REPORTS};
        if !self.publications().await?.is_empty() {
            return Ok(());
        }
        let units = self.units().await?;
        let Some(root) = units.iter().find(|u| u.parent_id.is_none()) else {
            return Ok(());
        };
        let p = self
            .create_publication(None, PAPER.0, PAPER.1, root.id, 5)
            .await?;
        let party: Vec<&crate::units::Unit> = units
            .iter()
            .filter(|u| matches!(u.kind.as_str(), "local" | "circle"))
            .collect();
        for u in &party {
            self.set_order(None, p, u.id, 5 + (u.id * 7 % 31)).await?;
            if u.id % 4 == 0 {
                self.subscribe(None, p, u.id, None, 1 + u.id % 3).await?;
            }
        }
        let price = 150;
        let mut editions = Vec::new();
        for (i, headline) in HEADLINES.iter().enumerate() {
            let date = today.add_days(-7 * (HEADLINES.len() - 1 - i) as i64);
            let e = self
                .create_edition(
                    None,
                    p,
                    &paper::NewEdition {
                        number: i as i64 + 1,
                        date,
                        price_cents: price,
                        headline: headline.to_string(),
                    },
                )
                .await?;
            let last = i + 1 == HEADLINES.len();
            let mut article_ids = Vec::new();
            for (k, (title, body)) in ARTICLES[i * 3..i * 3 + 3].iter().enumerate() {
                let a = self.create_article(None, p, Some(e), title, body).await?;
                // In the edition being prepared: one draft, one edited, one approved.
                let steps = if last { k } else { 2 };
                for to in [ArticleState::Edited, ArticleState::Approved]
                    .into_iter()
                    .take(steps)
                {
                    self.move_article(None, a, to).await?;
                }
                article_ids.push(a);
            }
            if !last {
                self.publish_edition(None, e).await?;
                self.plan_edition(None, e).await?;
            }
            editions.push((e, article_ids, last));
        }
        // Returns: all in for the older editions; for the latest published one, two units in
        // three have reported (never the demo agent's circle, so there is one to record).
        let agent_unit = units
            .iter()
            .find(|u| u.code == "clyde-govan-yard")
            .map(|u| u.id);
        let published: Vec<_> = editions.iter().filter(|e| !e.2).collect();
        for (n, (e, _, _)) in published.iter().enumerate() {
            let latest = n + 1 == published.len();
            let c = self.circulation(*e).await?;
            for b in &c.plan.bundles {
                if latest && (b.unit % 3 == 0 || Some(b.unit) == agent_unit) {
                    continue;
                }
                let h = (b.unit * 31 + n as i64 * 17) as u64;
                let received = if h.is_multiple_of(11) {
                    b.copies.saturating_sub(2)
                } else {
                    b.copies
                };
                let sold = received * (60 + h % 36) / 100;
                let free = if received - sold > 2 { 1 } else { 0 };
                let unaccounted = if h.is_multiple_of(13) && received - sold - free > 0 {
                    1
                } else {
                    0
                };
                let returned = received - sold - free - unaccounted;
                let mut remitted = sold as i64 * price;
                if h.is_multiple_of(7) {
                    remitted -= (remitted).min(150 * (1 + (h % 3) as i64));
                }
                self.record_return(
                    None,
                    *e,
                    &AgentReturn {
                        unit: b.unit,
                        received,
                        sold,
                        free,
                        returned,
                        remitted_cents: remitted,
                    },
                )
                .await?;
            }
        }
        // Reports from below, over the last year.
        let circles: Vec<&&crate::units::Unit> =
            party.iter().filter(|u| u.kind == "circle").collect();
        let mut ids: Vec<i64> = Vec::new();
        for (i, (category, text)) in REPORTS.iter().enumerate() {
            let Some(u) = circles.get(i * 7 % circles.len().max(1)) else {
                break;
            };
            let sender = if i % 2 == 0 {
                Sender::Anonymous
            } else {
                let person: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM persons WHERE unit_id = $1 AND status = 'member' ORDER BY id LIMIT 1",
                )
                .bind(u.id)
                .fetch_optional(self.pool())
                .await?;
                match person {
                    // The report is the member's; no account sent it (the demo seeds it).
                    Some(person) => Sender::Person { person, account: 0 },
                    None => Sender::Anonymous,
                }
            };
            let r = NewReport {
                category: *category,
                unit_id: u.id,
                happened_on: today.add_days(-((i as i64 * 15) % 360)),
                body: text.to_string(),
            };
            let id = match sender {
                Sender::Person { person, .. } => self.submit_report_as(person, &r, today).await?,
                Sender::Anonymous => self.submit_report(Sender::Anonymous, &r).await?,
            };
            ids.push(id);
        }
        let used_in = editions.first().map(|e| e.1[2]);
        // The demo's editor triages them, so the reports decided are assigned to them: their
        // desk offers to show who sent the named ones, and nobody else's does.
        let editor: Option<i64> = sqlx::query_scalar(
            "SELECT account_id FROM roles WHERE role = 'editor' AND ended_at IS NULL \
             ORDER BY id LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        for (i, id) in ids.iter().enumerate() {
            let t = match i % 6 {
                0 => Some(Triage::Accept),
                1 => used_in.map(Triage::UseIn),
                2 => Some(Triage::Reject),
                3 => Some(Triage::MergeInto(ids[i - 2])),
                _ => None,
            };
            if let Some(t) = t {
                self.triage_report(editor, *id, t).await?;
            }
        }
        Ok(())
    }

    /// A report under a member's name, recorded without an account (the demo's seeding).
    async fn submit_report_as(&self, person: i64, r: &NewReport, today: Day) -> Result<i64> {
        let body = paper::reports::check(&r.body, r.happened_on, today).map_err(crate::rule)?;
        let mut tx = self.write().await?;
        let id: i64 = rand::random::<i64>() & i64::MAX;
        sqlx::query(
            "INSERT INTO reports (id, category, unit_id, happened_on, month, received_on, body, sender_person_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(r.category.code())
        .bind(r.unit_id)
        .bind(r.happened_on.to_string())
        .bind(r.happened_on.month().to_string())
        .bind(today.to_string())
        .bind(&body)
        .bind(person)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, None, "report.received", None, &[]).await?;
        tx.commit().await?;
        Ok(id)
    }
}

// -------------------------------------------------------------------------------------------
// What the public sees, and when it changes

/// A number that changes whenever what the public sees of the papers may have changed (a
/// publication created, an edition published, an article moved or edited), on this server or
/// on any other server of the same database. The web keeps the public pages rendered and
/// renders them again when this number moves.
///
/// This server's own changes move it at once, before the mutation returns (so the very next
/// request sees them); another server's arrive as `store::live` signals (`paper`), through
/// PostgreSQL's NOTIFY, a few milliseconds after their commit. A signal lost (the listener
/// reconnecting) is not made good here: the web also renders its pages again after a short
/// while, whatever this number says.
#[derive(Debug, Default)]
pub(crate) struct PublicVersion {
    version: std::sync::atomic::AtomicU64,
    bridged: tokio::sync::OnceCell<()>,
}

impl PublicVersion {
    fn bump(&self) {
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Store {
    /// After a change to what the public may see has committed: moves this server's version at
    /// once and tells the other servers.
    fn paper_public_changed(&self) {
        self.paper_public.bump();
        self.announce_soon("paper", "public".to_string());
    }

    /// The current version of the public papers (see [`PublicVersion`]). The first call starts
    /// this server's bridge from the live signals; a change announced after it returns moves
    /// the version.
    pub async fn public_paper_version(&self) -> Result<u64> {
        let p = &self.paper_public;
        if !p.bridged.initialized() {
            p.bridged
                .get_or_try_init(|| async {
                    let mut rx = self.listen_live().await?;
                    let out = p.clone();
                    tokio::spawn(async move {
                        use tokio::sync::broadcast::error::RecvError;
                        loop {
                            match rx.recv().await {
                                Ok(s) if s.topic == "paper" => out.bump(),
                                Ok(_) => {}
                                // Something may have been missed: render again.
                                Err(RecvError::Lagged(_)) => out.bump(),
                                Err(RecvError::Closed) => break,
                            }
                        }
                    });
                    Ok::<(), StoreError>(())
                })
                .await?;
        }
        Ok(p.version.load(std::sync::atomic::Ordering::SeqCst))
    }
}

// -------------------------------------------------------------------------------------------
// Standing orders and subscriptions, as the unit's agent and the editors see them

/// A subscriber, as the unit's own agent and secretary see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub publication_id: i64,
    pub unit_id: i64,
    /// The subscriber, if they are one of the unit's people; `None` when no name is kept.
    pub person_id: Option<i64>,
    /// Their party name (never their identity).
    pub pseudonym: Option<String>,
    pub copies: i64,
    pub active: bool,
}

/// A unit's order of a publication, in figures only (for the editors).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitOrder {
    /// The unit's standing order, copies per edition.
    pub ordered: i64,
    /// Active subscriptions delivered through the unit, and their copies.
    pub subscribers: i64,
    pub subscriber_copies: i64,
}

impl Store {
    /// A unit's standing order of a publication (0 when none).
    pub async fn order_of(&self, publication: i64, unit: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT copies FROM paper_orders WHERE publication_id = $1 AND unit_id = $2",
        )
        .bind(publication)
        .bind(unit)
        .fetch_optional(self.pool())
        .await?
        .unwrap_or(0))
    }

    /// Every unit's order of a publication, in figures: no subscriber's name.
    pub async fn orders_by_unit(&self, publication: i64) -> Result<BTreeMap<i64, UnitOrder>> {
        let mut out: BTreeMap<i64, UnitOrder> = BTreeMap::new();
        for r in sqlx::query("SELECT unit_id, copies FROM paper_orders WHERE publication_id = $1")
            .bind(publication)
            .fetch_all(self.pool())
            .await?
        {
            out.entry(r.try_get("unit_id")?).or_default().ordered = r.try_get("copies")?;
        }
        for r in sqlx::query(
            "SELECT unit_id, COUNT(*) AS n, CAST(SUM(copies) AS BIGINT) AS copies \
             FROM paper_subscriptions WHERE publication_id = $1 AND active = 1 GROUP BY unit_id",
        )
        .bind(publication)
        .fetch_all(self.pool())
        .await?
        {
            let o = out.entry(r.try_get("unit_id")?).or_default();
            o.subscribers = r.try_get("n")?;
            o.subscriber_copies = r.try_get("copies")?;
        }
        Ok(out)
    }

    /// The subscribers a unit delivers to, active ones first.
    pub async fn subscriptions_of_unit(
        &self,
        publication: i64,
        unit: i64,
    ) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(
            "SELECT s.id, s.publication_id, s.unit_id, s.person_id, p.pseudonym, s.copies, s.active \
             FROM paper_subscriptions s LEFT JOIN persons p ON p.id = s.person_id \
             WHERE s.publication_id = $1 AND s.unit_id = $2 ORDER BY s.active DESC, s.id",
        )
        .bind(publication)
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Subscription {
                    id: r.try_get("id")?,
                    publication_id: r.try_get("publication_id")?,
                    unit_id: r.try_get("unit_id")?,
                    person_id: r.try_get("person_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    copies: r.try_get("copies")?,
                    active: r.try_get::<i64, _>("active")? != 0,
                })
            })
            .collect()
    }

    /// Records a subscriber of a unit: one of the unit's own people, or nobody named. A person
    /// of another unit is refused: a unit's subscribers are its own.
    pub async fn subscribe_in_unit(
        &self,
        actor: Option<i64>,
        publication: i64,
        unit: i64,
        person: Option<i64>,
        copies: i64,
    ) -> Result<i64> {
        if let Some(p) = person {
            let theirs: Option<i64> =
                sqlx::query_scalar("SELECT unit_id FROM persons WHERE id = $1")
                    .bind(p)
                    .fetch_optional(self.pool())
                    .await?;
            if theirs != Some(unit) {
                return Err(StoreError::NotFound(format!("person {p} in this unit")));
            }
        }
        if self.publication(publication).await?.is_none() {
            return Err(StoreError::NotFound(format!("publication {publication}")));
        }
        self.subscribe(actor, publication, unit, person, copies)
            .await
    }

    /// Ends a subscription of a unit (kept, inactive: the past editions' bundles counted it).
    pub async fn end_subscription(&self, actor: Option<i64>, unit: i64, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE paper_subscriptions SET active = 0 WHERE id = $1 AND unit_id = $2 AND active = 1",
        )
        .bind(id)
        .bind(unit)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("subscription {id}")));
        }
        audit::append(
            &mut tx,
            actor,
            "paper.subscription.end",
            Some(("unit", unit)),
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a publication's reserve: the share of the ordered copies printed on top, for the
    /// editions planned from now on.
    pub async fn set_reserve(
        &self,
        actor: Option<i64>,
        publication: i64,
        percent: i64,
    ) -> Result<()> {
        quantity::RESERVE.check(percent)?;
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE publications SET reserve_percent = $2 WHERE id = $1")
            .bind(publication)
            .bind(percent)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("publication {publication}")));
        }
        audit::append(
            &mut tx,
            actor,
            "paper.reserve",
            Some(("publication", publication)),
            &[("percent", Value::Int(percent))],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

// -------------------------------------------------------------------------------------------
// The single picture, without the units a viewer may not know of

impl Store {
    /// The single picture without the reports placed in `hidden` units: the whole picture less
    /// theirs. Hidden units are few (closed circles) and their reports are read by the unit
    /// index, so this costs the whole picture and a little more.
    pub async fn single_picture_without(&self, hidden: &[i64]) -> Result<Picture> {
        let mut p = self.single_picture().await?;
        if hidden.is_empty() {
            return Ok(p);
        }
        for chunk in hidden.chunks(500) {
            let list = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT unit_id, category, month, COUNT(*) AS n FROM reports \
                 WHERE counted = 1 AND unit_id IN ({list}) GROUP BY unit_id, category, month"
            );
            let mut q = sqlx::query(&sql);
            for u in chunk {
                q = q.bind(*u);
            }
            for r in q.fetch_all(self.pool()).await? {
                let n: i64 = r.try_get("n")?;
                let unit: i64 = r.try_get("unit_id")?;
                let category: String = r.try_get("category")?;
                let month: String = r.try_get("month")?;
                p.total -= n;
                for (map, key) in [(&mut p.by_category, category), (&mut p.by_month, month)] {
                    if let Some(v) = map.get_mut(&key) {
                        *v -= n;
                        if *v <= 0 {
                            map.remove(&key);
                        }
                    }
                }
                p.by_unit.remove(&unit);
            }
        }
        Ok(p)
    }
}
