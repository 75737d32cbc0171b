//! Transfers between units: moves made at once, and requests that wait for the receiving unit.
//!
//! Who may do which is decided by the web's access rules: an officer moves someone at once only
//! within the units they manage, and anywhere else asks the receiving unit, whose secretary
//! accepts or refuses. A decision of a body over units it governs (a merge, a split, a
//! dissolution) moves people at once too, through `Store::transfer`. The store keeps both
//! paths whole: a request changes nothing until it is accepted, and whoever leaves a unit, by
//! any path, stops holding the offices they held in it.

use crate::people::{person_in, record_history, Person};
use crate::{now, Result, Store, StoreError};
use core_rules::{Day, Refusal};
use sqlx::{Any, Row, Transaction};

/// The longest reason a transfer request carries, in characters.
pub const REASON_MAX: usize = 500;

/// A request to move a person into another unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferRequest {
    pub id: i64,
    pub person_id: i64,
    /// The person's party name: what the receiving unit's secretary is shown of them.
    pub pseudonym: String,
    pub from_unit: i64,
    pub to_unit: i64,
    pub reason: String,
    pub requested_on: Day,
    /// `None` while it waits; else `accepted`, `refused` or `lapsed` (the person moved or left
    /// by another path first).
    pub decision: Option<String>,
    pub decided_on: Option<Day>,
}

const REQUEST_COLUMNS: &str = "r.id, r.person_id, p.pseudonym, r.from_unit, r.to_unit, r.reason, \
     r.requested_on, r.decision, r.decided_on FROM transfer_requests r JOIN persons p ON p.id = r.person_id";

fn request_from(r: &sqlx::any::AnyRow) -> Result<TransferRequest> {
    let bad = || StoreError::Internal("a stored transfer request's date is unreadable".into());
    let requested: String = r.try_get("requested_on")?;
    let decided: Option<String> = r.try_get("decided_on")?;
    Ok(TransferRequest {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        pseudonym: r.try_get("pseudonym")?,
        from_unit: r.try_get("from_unit")?,
        to_unit: r.try_get("to_unit")?,
        reason: r.try_get("reason")?,
        requested_on: Day::parse(&requested).map_err(|_| bad())?,
        decision: r.try_get("decision")?,
        decided_on: decided
            .map(|d| Day::parse(&d).map_err(|_| bad()))
            .transpose()?,
    })
}

fn check_not_future(on: Day, today: Day) -> Result<()> {
    if on > today {
        return Err(
            Refusal::on("on", "the date of the transfer, {}, is in the future")
                .arg(on)
                .into(),
        );
    }
    Ok(())
}

/// What follows from a person leaving `unit` (moved elsewhere, by any path): the offices the
/// accounts of that person held in it end, those accounts are signed out if any did (as when an
/// office is ended by hand), and their requests still waiting lapse, since they were made from
/// the unit they have left. Returns the number of offices ended.
pub(crate) async fn left_unit(
    tx: &mut Transaction<'_, Any>,
    person: i64,
    unit: i64,
    on: Day,
    by: Option<i64>,
) -> Result<i64> {
    let ended = sqlx::query(
        "UPDATE roles SET ended_at = $1, ended_by = $2 WHERE unit_id = $3 AND ended_at IS NULL \
         AND account_id IN (SELECT id FROM accounts WHERE person_id = $4)",
    )
    .bind(now())
    .bind(by)
    .bind(unit)
    .bind(person)
    .execute(&mut **tx)
    .await?
    .rows_affected() as i64;
    after_leaving(tx, person, ended, on, by).await?;
    Ok(ended)
}

/// What follows from a person leaving the organisation (their status became left or expelled):
/// they leave every body, so every office their accounts hold ends. Returns the number ended.
pub(crate) async fn left_organisation(
    tx: &mut Transaction<'_, Any>,
    person: i64,
    on: Day,
    by: Option<i64>,
) -> Result<i64> {
    let ended = sqlx::query(
        "UPDATE roles SET ended_at = $1, ended_by = $2 WHERE ended_at IS NULL \
         AND account_id IN (SELECT id FROM accounts WHERE person_id = $3)",
    )
    .bind(now())
    .bind(by)
    .bind(person)
    .execute(&mut **tx)
    .await?
    .rows_affected() as i64;
    after_leaving(tx, person, ended, on, by).await?;
    Ok(ended)
}

async fn after_leaving(
    tx: &mut Transaction<'_, Any>,
    person: i64,
    offices_ended: i64,
    on: Day,
    by: Option<i64>,
) -> Result<()> {
    if offices_ended > 0 {
        sqlx::query(
            "DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE person_id = $1)",
        )
        .bind(person)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "UPDATE transfer_requests SET decision = 'lapsed', decided_by = $1, decided_on = $2, \
         decided_at = $3 WHERE person_id = $4 AND decision IS NULL",
    )
    .bind(by)
    .bind(on.to_string())
    .bind(now())
    .bind(person)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The code of each of two units; `NotFound` if either does not exist.
async fn codes_of(tx: &mut Transaction<'_, Any>, a: i64, b: i64) -> Result<(String, String)> {
    let rows = sqlx::query("SELECT id, code FROM units WHERE id = $1 OR id = $2")
        .bind(a)
        .bind(b)
        .fetch_all(&mut **tx)
        .await?;
    let code_of = |id: i64| {
        rows.iter()
            .find(|r| r.try_get::<i64, _>("id").ok() == Some(id))
            .and_then(|r| r.try_get::<String, _>("code").ok())
    };
    match (code_of(a), code_of(b)) {
        (Some(x), Some(y)) => Ok((x, y)),
        _ => Err(StoreError::NotFound(format!("unit {b}"))),
    }
}

/// Moves a person into `to_unit` now: their unit, a line of history, and what leaving their
/// old unit ends. Returns the number of offices ended.
pub(crate) async fn move_person(
    tx: &mut Transaction<'_, Any>,
    p: &Person,
    to_unit: i64,
    on: Day,
    reason: &str,
    by: Option<i64>,
) -> Result<i64> {
    let (from, to) = codes_of(tx, p.unit_id, to_unit).await?;
    if p.unit_id == to_unit {
        return Err(Refusal::on("unit", "this person is already in that unit").into());
    }
    sqlx::query("UPDATE persons SET unit_id = $1 WHERE id = $2")
        .bind(to_unit)
        .bind(p.id)
        .execute(&mut **tx)
        .await?;
    record_history(tx, p.id, on, "transfer", Some(&from), Some(&to), reason, by).await?;
    left_unit(tx, p.id, p.unit_id, on, by).await
}

async fn request_in(tx: &mut Transaction<'_, Any>, id: i64) -> Result<TransferRequest> {
    let row = sqlx::query(&format!("SELECT {REQUEST_COLUMNS} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("transfer request {id}")))?;
    request_from(&row)
}

impl Store {
    /// Moves a person to another unit at once: for an officer moving someone within the units
    /// they manage, and for a decision of a body over the units it governs. Whatever offices
    /// the person held in the unit they leave end with it.
    pub async fn transfer(
        &self,
        person: i64,
        to_unit: i64,
        on: Day,
        reason: &str,
        by: Option<i64>,
    ) -> Result<()> {
        check_not_future(on, self.today())?;
        core_rules::text::REASON.check(reason)?;
        let mut tx = self.write().await?;
        let p = person_in(&mut tx, person).await?;
        let ended = move_person(&mut tx, &p, to_unit, on, reason, by).await?;
        let mut detail = vec![("from_unit", p.unit_id.into()), ("to_unit", to_unit.into())];
        if ended > 0 {
            detail.push(("offices_ended", ended.into()));
        }
        crate::audit::append(
            &mut tx,
            by,
            "person.transfer",
            Some(("person", person)),
            &detail,
        )
        .await?;
        tx.commit().await?;
        self.person_access_narrowed(person).await;
        Ok(())
    }

    /// Asks the receiving unit to take a person in. Nothing moves until its secretary accepts.
    pub async fn request_transfer(
        &self,
        person: i64,
        to_unit: i64,
        on: Day,
        reason: &str,
        by: Option<i64>,
    ) -> Result<i64> {
        check_not_future(on, self.today())?;
        core_rules::text::REASON.check(reason)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Refusal::on("reason", "a transfer needs a reason").into());
        }
        if reason.chars().count() > REASON_MAX {
            return Err(
                Refusal::on("reason", "the reason is longer than {} characters")
                    .arg(REASON_MAX as i64)
                    .into(),
            );
        }
        let mut tx = self.write().await?;
        let p = person_in(&mut tx, person).await?;
        codes_of(&mut tx, p.unit_id, to_unit).await?;
        if p.unit_id == to_unit {
            return Err(Refusal::on("unit", "this person is already in that unit").into());
        }
        let waiting: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM transfer_requests WHERE person_id = $1 AND to_unit = $2 AND decision IS NULL",
        )
        .bind(person)
        .bind(to_unit)
        .fetch_optional(&mut *tx)
        .await?;
        if waiting.is_some() {
            return Err(Refusal::on(
                "unit",
                "a transfer of this person into that unit is already waiting for its answer",
            )
            .into());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO transfer_requests (person_id, from_unit, to_unit, reason, requested_by, \
             requested_on, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(person)
        .bind(p.unit_id)
        .bind(to_unit)
        .bind(reason)
        .bind(by)
        .bind(on.to_string())
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "transfer.request",
            Some(("transfer", id)),
            &[
                ("person", person.into()),
                ("from_unit", p.unit_id.into()),
                ("to_unit", to_unit.into()),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A transfer request, whatever its state.
    pub async fn transfer_request(&self, id: i64) -> Result<Option<TransferRequest>> {
        let row = sqlx::query(&format!("SELECT {REQUEST_COLUMNS} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(request_from).transpose()
    }

    /// The requests waiting for a unit's answer, oldest first.
    pub async fn transfers_waiting_for(&self, unit: i64) -> Result<Vec<TransferRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} WHERE r.to_unit = $1 AND r.decision IS NULL ORDER BY r.id"
        ))
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(request_from).collect()
    }

    /// Every request made for a person, newest first.
    pub async fn transfer_requests_of(&self, person: i64) -> Result<Vec<TransferRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} WHERE r.person_id = $1 ORDER BY r.id DESC"
        ))
        .bind(person)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(request_from).collect()
    }

    /// The receiving unit takes the person in: they move on `on`, and leave behind the offices
    /// they held in the unit they came from.
    pub async fn accept_transfer(&self, request: i64, on: Day, by: Option<i64>) -> Result<()> {
        check_not_future(on, self.today())?;
        let mut tx = self.write().await?;
        let r = waiting_in(&mut tx, request).await?;
        if on < r.requested_on {
            return Err(Refusal::on(
                "on",
                "a transfer cannot be accepted on {}, before it was asked for",
            )
            .arg(on)
            .into());
        }
        let p = person_in(&mut tx, r.person_id).await?;
        decide(&mut tx, request, "accepted", on, by).await?;
        let ended = move_person(&mut tx, &p, r.to_unit, on, &r.reason, by).await?;
        let mut detail = vec![
            ("person", r.person_id.into()),
            ("from_unit", r.from_unit.into()),
            ("to_unit", r.to_unit.into()),
        ];
        if ended > 0 {
            detail.push(("offices_ended", ended.into()));
        }
        crate::audit::append(
            &mut tx,
            by,
            "transfer.accept",
            Some(("transfer", request)),
            &detail,
        )
        .await?;
        tx.commit().await?;
        self.person_access_narrowed(r.person_id).await;
        Ok(())
    }

    /// The receiving unit declines: nothing moves, and the refusal is kept with the request.
    pub async fn refuse_transfer(&self, request: i64, on: Day, by: Option<i64>) -> Result<()> {
        check_not_future(on, self.today())?;
        let mut tx = self.write().await?;
        let r = waiting_in(&mut tx, request).await?;
        decide(&mut tx, request, "refused", on, by).await?;
        crate::audit::append(
            &mut tx,
            by,
            "transfer.refuse",
            Some(("transfer", request)),
            &[
                ("person", r.person_id.into()),
                ("from_unit", r.from_unit.into()),
                ("to_unit", r.to_unit.into()),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A request still waiting, read in the deciding transaction.
async fn waiting_in(tx: &mut Transaction<'_, Any>, id: i64) -> Result<TransferRequest> {
    let r = request_in(tx, id).await?;
    if r.decision.is_some() {
        return Err(Refusal::new("this transfer is no longer waiting for an answer").into());
    }
    let p = person_in(tx, r.person_id).await?;
    if p.unit_id != r.from_unit {
        // Every other move lapses the person's requests; this is a guard, not a path.
        return Err(StoreError::Internal(format!(
            "transfer request {id} waits although its person has moved"
        )));
    }
    Ok(r)
}

async fn decide(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    decision: &'static str,
    on: Day,
    by: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE transfer_requests SET decision = $1, decided_by = $2, decided_on = $3, \
         decided_at = $4 WHERE id = $5 AND decision IS NULL",
    )
    .bind(decision)
    .bind(by)
    .bind(on.to_string())
    .bind(now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
