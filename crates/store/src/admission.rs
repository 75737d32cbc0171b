//! Applications to join, and the unit's decision.

use crate::people::{find_duplicate, insert_person, person_in, record_history, NewPerson};
use crate::{Result, Store, StoreError};
use core_rules::people::{Identity, Status};
use core_rules::Day;
use core_rules::{text, Refusal};
use sqlx::{Any, Row, Transaction};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub person_id: i64,
    pub pseudonym: String,
    pub unit_id: i64,
    pub applied_on: String,
    pub statement: String,
    pub decision: Option<String>,
}

const APPLICATION_SELECT: &str = "SELECT a.id, a.person_id, p.pseudonym, a.unit_id, a.applied_on, \
     a.statement, a.decision FROM applications a JOIN persons p ON p.id = a.person_id";

fn application_from(r: &sqlx::any::AnyRow) -> Result<Application> {
    Ok(Application {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        pseudonym: r.try_get("pseudonym")?,
        unit_id: r.try_get("unit_id")?,
        applied_on: r.try_get("applied_on")?,
        statement: r.try_get("statement")?,
        decision: r.try_get("decision")?,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Admit,
    Refuse,
}

impl Store {
    /// Someone asks a unit to admit them. They are recorded as an applicant of that unit. An
    /// existing supporter (matched by email or phone) applies as themselves, not as a new person.
    pub async fn apply(
        &self,
        unit: i64,
        pseudonym: &str,
        identity: &Identity,
        statement: &str,
        on: Day,
        by: Option<i64>,
    ) -> Result<i64> {
        if on > self.today() {
            return Err(Refusal::on("applied_on", "{} is in the future")
                .arg(on)
                .into());
        }
        // Before anything is read: a megabyte typed into any field is refused, not stored.
        text::PARTY_NAME.check(pseudonym.trim())?;
        identity.check_bounds()?;
        text::STATEMENT.check(statement.trim())?;
        let v = self.vault()?;
        let mut tx = self.write().await?;
        let unit_ok: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE id = $1")
            .bind(unit)
            .fetch_optional(&mut *tx)
            .await?;
        if unit_ok.is_none() {
            return Err(StoreError::NotFound(format!("unit {unit}")));
        }
        let person = match find_duplicate(&mut tx, v, identity).await? {
            Some(existing) => {
                reapply(&mut tx, existing, unit, on, by).await?;
                existing
            }
            None => {
                insert_person(
                    &mut tx,
                    v,
                    &NewPerson {
                        card: None,
                        pseudonym: pseudonym.to_string(),
                        unit_id: unit,
                        status: Status::Applicant,
                        since: on,
                        admitted_on: None,
                        programme_accepted: false,
                        monthly_income_cents: None,
                        reduced_rate: false,
                        identity: identity.clone(),
                    },
                    by,
                    None,
                )
                .await?
            }
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO applications (person_id, unit_id, applied_on, statement) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(person)
        .bind(unit)
        .bind(on.to_string())
        .bind(statement.trim())
        .fetch_one(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "application.apply",
            Some(("application", id)),
            &[("person", person.into()), ("unit", unit.into())],
        )
        .await?;
        tx.commit().await?;
        // Someone already recorded who applies again may have left a unit (and its offices).
        self.person_access_narrowed(person).await;
        Ok(id)
    }

    pub async fn applications_of_unit(&self, unit: i64) -> Result<Vec<Application>> {
        let rows = sqlx::query(&format!(
            "{APPLICATION_SELECT} WHERE a.unit_id = $1 ORDER BY a.decision IS NOT NULL, a.applied_on, a.id"
        ))
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(application_from).collect()
    }

    pub async fn application(&self, id: i64) -> Result<Option<Application>> {
        let row = sqlx::query(&format!("{APPLICATION_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(application_from).transpose()
    }

    /// The unit admits the applicant (who becomes a member, having accepted the programme by
    /// applying) or refuses them (who remains a supporter). Decided once.
    pub async fn decide(
        &self,
        application: i64,
        decision: Decision,
        on: Day,
        reason: &str,
        by: Option<i64>,
    ) -> Result<()> {
        if on > self.today() {
            return Err(Refusal::on("on", "{} is in the future").arg(on).into());
        }
        text::REASON.check(reason.trim())?;
        let mut tx = self.write().await?;
        let row =
            sqlx::query("SELECT person_id, decision, applied_on FROM applications WHERE id = $1")
                .bind(application)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("application {application}")))?;
        if row.try_get::<Option<String>, _>("decision")?.is_some() {
            return Err(Refusal::new("this application was already decided").into());
        }
        let applied: String = row.try_get("applied_on")?;
        if on.to_string() < applied {
            return Err(Refusal::on(
                "on",
                "the decision ({}) cannot come before the application ({})",
            )
            .arg(on)
            .arg(Day::parse(&applied).map_err(|e| StoreError::Internal(e.to_string()))?)
            .into());
        }
        let person: i64 = row.try_get("person_id")?;
        let (word, status) = match decision {
            Decision::Admit => ("admitted", Status::Member),
            Decision::Refuse => ("refused", Status::Supporter),
        };
        sqlx::query("UPDATE applications SET decision = $1, decided_on = $2, reason = $3, decided_by = $4 WHERE id = $5")
            .bind(word)
            .bind(on.to_string())
            .bind(reason.trim())
            .bind(by)
            .bind(application)
            .execute(&mut *tx)
            .await?;
        if decision == Decision::Admit {
            sqlx::query("UPDATE persons SET status = 'member', admitted_on = $1, programme_accepted = 1 WHERE id = $2")
                .bind(on.to_string())
                .bind(person)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("UPDATE persons SET status = 'supporter' WHERE id = $1")
                .bind(person)
                .execute(&mut *tx)
                .await?;
        }
        let why = if reason.trim().is_empty() {
            word
        } else {
            reason.trim()
        };
        record_history(
            &mut tx,
            person,
            on,
            "status",
            Some("applicant"),
            Some(status.as_str()),
            why,
            by,
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "application.decide",
            Some(("application", application)),
            &[("person", person.into()), ("decision", word.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Someone already recorded applies again: a supporter, or someone who lapsed or left, becomes an
/// applicant of `unit` (moving there, and leaving the offices of their old unit, if it is
/// another). Anyone else is refused: they are recorded as something that cannot apply.
async fn reapply(
    tx: &mut Transaction<'_, Any>,
    existing: i64,
    unit: i64,
    on: Day,
    by: Option<i64>,
) -> Result<()> {
    let p = person_in(tx, existing).await?;
    if !matches!(p.status, Status::Supporter | Status::Lapsed | Status::Left) {
        return Err(Refusal::new("this person is already recorded as {}")
            .arg(p.status.as_str())
            .into());
    }
    sqlx::query("UPDATE persons SET status = 'applicant', unit_id = $1 WHERE id = $2")
        .bind(unit)
        .bind(existing)
        .execute(&mut **tx)
        .await?;
    if p.unit_id != unit {
        // Applying to another unit moves them there: a transfer, kept in the
        // history like any other.
        let codes = sqlx::query("SELECT id, code FROM units WHERE id = $1 OR id = $2")
            .bind(p.unit_id)
            .bind(unit)
            .fetch_all(&mut **tx)
            .await?;
        let code_of = |id: i64| {
            codes
                .iter()
                .find(|r| r.try_get::<i64, _>("id").ok() == Some(id))
                .and_then(|r| r.try_get::<String, _>("code").ok())
        };
        record_history(
            tx,
            existing,
            on,
            "transfer",
            code_of(p.unit_id).as_deref(),
            code_of(unit).as_deref(),
            "applied to join",
            by,
        )
        .await?;
        // They leave their old unit, and whatever offices they held there.
        crate::transfers::left_unit(tx, existing, p.unit_id, on, by).await?;
    }
    record_history(
        tx,
        existing,
        on,
        "status",
        Some(p.status.as_str()),
        Some("applicant"),
        "applied to join",
        by,
    )
    .await?;
    Ok(())
}
