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
//!
//! The modules: `publications` (and editions), `articles`, `reports` (and the editors' desk),
//! `picture` (the single picture), `orders` (standing orders and subscriptions), `circulation`
//! (the plan, bundles, returns and reconciliation) and `public` (when what the public sees
//! changes). The types and row mappings they share are here.

use crate::{Result, Store, StoreError};
use core_rules::paper::{self, ArticleState, Plan, Reconciliation, ReportCategory};
use core_rules::Day;
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, HashMap};

mod articles;
mod circulation;
mod orders;
mod picture;
mod public;
mod publications;
mod reports;

pub use orders::{Subscription, UnitOrder};
pub(crate) use public::PublicVersion;

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
    /// Where it happened, in the sender's own words, when the places offered did not say it:
    /// for the editors, who place the report.
    pub place_text: Option<String>,
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
        place_text: r.try_get("place_text")?,
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
    /// Whether a unit exists (`None`: it does not) and whether it is closed.
    async fn unit_in(&self, tx: &mut Transaction<'_, Any>, unit: i64) -> Result<Option<bool>> {
        let closed: Option<i64> = sqlx::query_scalar("SELECT closed FROM units WHERE id = $1")
            .bind(unit)
            .fetch_optional(&mut **tx)
            .await?;
        Ok(closed.map(|c| c != 0))
    }
}
