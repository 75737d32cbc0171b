//! Reports from below and the editors' desk: arrival, triage, the sender known to one editor,
//! and the link to the sender cleared in time.

use super::{day, report_from, NewReport, Report, Sender};
use crate::audit::{self, Value};
use crate::refused;
use crate::{Result, Store, StoreError};
use core_rules::paper::{self, Triage};
use core_rules::Day;
use sqlx::Row;

impl Store {
    /// Stores a report. An anonymous one keeps nothing about its sender.
    pub async fn submit_report(&self, sender: Sender, r: &NewReport) -> Result<i64> {
        self.submit_report_with_place(sender, r, "").await
    }

    /// Stores a report with the place in the sender's own words (empty for none; at most
    /// `MAX_PLACE` characters), for the editors to place it.
    pub async fn submit_report_with_place(
        &self,
        sender: Sender,
        r: &NewReport,
        place_text: &str,
    ) -> Result<i64> {
        let today = self.today();
        let body = paper::reports::check(&r.body, r.happened_on, today).map_err(crate::rule)?;
        let place_text = paper::reports::check_place(place_text).map_err(crate::rule)?;
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
            "INSERT INTO reports (id, category, unit_id, happened_on, month, received_on, body, sender_person_id, place_text) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(r.category.code())
        .bind(r.unit_id)
        .bind(r.happened_on.to_string())
        .bind(r.happened_on.month().to_string())
        .bind(today.to_string())
        .bind(&body)
        .bind(person)
        .bind(place_text)
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
         r.sender_person_id, r.status, r.merged_into, r.article_id, r.assigned_to, r.decided_on, \
         r.place_text FROM reports r";

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
        .bind(self.today().to_string())
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
        let today = self.today();
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

    /// Files a report under another unit: an editor placing it, from what the sender said of
    /// the place. The caller checks that the editor may know of both units.
    pub async fn place_report(&self, actor: Option<i64>, id: i64, unit: i64) -> Result<()> {
        let mut tx = self.write().await?;
        if self.unit_in(&mut tx, unit).await?.is_none() {
            return Err(StoreError::NotFound(format!("unit {unit}")));
        }
        let done = sqlx::query("UPDATE reports SET unit_id = $2 WHERE id = $1")
            .bind(id)
            .bind(unit)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("report {id}")));
        }
        audit::append(
            &mut tx,
            actor,
            "report.place",
            Some(("report", id)),
            &[("unit", Value::Int(unit))],
        )
        .await?;
        tx.commit().await?;
        Ok(())
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
}
