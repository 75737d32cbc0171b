//! Seeding the demo organisation into a fresh database.

mod congress;
mod paper;

pub use congress::DEMO_DRAFT_STATUTES;

use crate::accounts::{hash_password, insert_account};
use crate::dues::{insert_payment, NewPayment};
use crate::people::{insert_person, record_history, NewPerson};
use crate::units::{insert_kind, insert_unit};
use crate::{now, Result, Store, StoreError};
use core_rules::demo::DemoPlan;
use core_rules::people::Status;
use core_rules::statutes::{Statutes, StatutesVersion};
use core_rules::Day;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

impl Store {
    /// Writes the demo plan into an empty database, in one transaction. Returns false, writing
    /// nothing, if the database already holds an organisation.
    pub async fn seed_demo(&self, plan: &DemoPlan, today: Day) -> Result<bool> {
        if self.organisation().await?.is_some() {
            return Ok(false);
        }
        // Hash the demo passwords before taking the write lock: Argon2 is slow on purpose.
        let mut hashes = Vec::new();
        for l in &plan.logins {
            let pw = l.password.clone();
            hashes.push(crate::accounts::hashing(move || hash_password(&pw)).await??);
        }
        let v = self.vault()?;
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO organisation (id, name, created_at) VALUES (1, $1, $2)")
            .bind(&plan.organisation)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        let kinds = core_rules::units::default_kinds();
        for k in &kinds {
            insert_kind(&mut tx, k).await?;
        }
        let founded = today.add_days(-15 * 365);
        let rules = Statutes::founding();
        crate::statutes::insert_version(
            &mut tx,
            &kinds,
            &rules,
            founded,
            founded,
            "Founding congress",
        )
        .await?;
        let versions = vec![StatutesVersion {
            version: 1,
            effective_from: founded,
            adopted_on: founded,
            adopted_by: "Founding congress".into(),
            rules,
        }];

        let mut unit_ids: HashMap<&str, i64> = HashMap::new();
        for u in &plan.units {
            let id = insert_unit(&mut tx, u).await?;
            unit_ids.insert(u.code.as_str(), id);
        }

        let person_ids = insert_people(&mut tx, v, plan, &unit_ids, today).await?;
        let person = |i: usize| person_of(&person_ids, i);

        insert_activity(&mut tx, plan, &unit_ids, &person_ids).await?;
        for p in &plan.payments {
            insert_payment(
                &mut tx,
                &NewPayment {
                    person: person(p.person)?,
                    period: p.period,
                    paid_on: p.paid_on,
                    amount_cents: p.amount_cents,
                    source: "treasurer",
                    reference: None,
                },
                None,
                &versions,
                self.today(),
            )
            .await?;
        }
        for a in &plan.applications {
            let pid = person(a.person)?;
            let unit_id: i64 = sqlx::query_scalar("SELECT unit_id FROM persons WHERE id = $1")
                .bind(pid)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO applications (person_id, unit_id, applied_on, statement) VALUES ($1, $2, $3, $4)",
            )
            .bind(pid)
            .bind(unit_id)
            .bind(a.applied_on.to_string())
            .bind(&a.statement)
            .execute(&mut *tx)
            .await?;
        }
        insert_logins(&mut tx, plan, &hashes, &unit_ids, &person_ids).await?;
        // One entry for the whole seeding, with its counts.
        crate::audit::append(
            &mut tx,
            None,
            "demo.seed",
            None,
            &[
                ("units", plan.units.len().into()),
                ("people", plan.people.len().into()),
                ("meetings", plan.meetings.len().into()),
                ("tasks", plan.tasks.len().into()),
                ("payments", plan.payments.len().into()),
                ("applications", plan.applications.len().into()),
                ("accounts", plan.logins.len().into()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.seed_demo_moves(plan, &person_ids).await?;
        // The central paper, its editions, reports and circulation (see `paper`).
        self.seed_paper_demo(today).await?;
        let logins: Vec<(String, i64)> = plan
            .logins
            .iter()
            .filter_map(|l| Some((l.login.clone(), person_ids[l.person?])))
            .collect();
        self.seed_demo_congress(today, &logins).await?;
        Ok(true)
    }
}

impl Store {
    /// The demo plan's moves, as the secretary records them (each its own change with its
    /// history and audit), and a move asked of a circle, waiting for its answer.
    async fn seed_demo_moves(&self, plan: &DemoPlan, person_ids: &[i64]) -> Result<()> {
        // Moves, as the secretary records them: each its own change with its history and audit.
        for t in &plan.transfers {
            let to = self
                .unit_by_code(&t.to)
                .await?
                .ok_or_else(|| StoreError::Internal(format!("demo plan names no unit {}", t.to)))?;
            let id = *person_ids.get(t.person).ok_or_else(|| {
                StoreError::Internal(format!("demo plan names no person {}", t.person))
            })?;
            self.transfer(id, to.id, t.on, "moved to another town", None)
                .await?;
        }
        // A move asked of the secretary's circle, waiting for its answer.
        for t in &plan.transfer_requests {
            let to = self
                .unit_by_code(&t.to)
                .await?
                .ok_or_else(|| StoreError::Internal(format!("demo plan names no unit {}", t.to)))?;
            let id = *person_ids.get(t.person).ok_or_else(|| {
                StoreError::Internal(format!("demo plan names no person {}", t.person))
            })?;
            self.request_transfer(id, to.id, t.on, "works at the yard now", None)
                .await?;
        }
        Ok(())
    }
}

/// A unit of the demo plan, by its code.
fn unit_of(unit_ids: &HashMap<&str, i64>, code: &str) -> Result<i64> {
    unit_ids
        .get(code)
        .copied()
        .ok_or_else(|| StoreError::Internal(format!("demo plan names no unit {code:?}")))
}

/// A person of the demo plan, by their place in it.
fn person_of(person_ids: &[i64], i: usize) -> Result<i64> {
    person_ids
        .get(i)
        .copied()
        .ok_or_else(|| StoreError::Internal(format!("demo plan names no person {i}")))
}

/// The demo plan's people, with a history a newcomer can read; their ids, in the plan's order.
async fn insert_people(
    tx: &mut Transaction<'_, Any>,
    v: &crate::vault::Vault,
    plan: &DemoPlan,
    unit_ids: &HashMap<&str, i64>,
    today: Day,
) -> Result<Vec<i64>> {
    let unit = |code: &str| unit_of(unit_ids, code);
    let mut person_ids = Vec::with_capacity(plan.people.len());
    for p in &plan.people {
        let id = insert_person(
            tx,
            v,
            &NewPerson {
                card: None,
                pseudonym: p.pseudonym.clone(),
                unit_id: unit(&p.unit)?,
                status: p.status,
                since: p.since,
                admitted_on: p.admitted_on,
                programme_accepted: p.programme_accepted,
                monthly_income_cents: p.monthly_income_cents,
                reduced_rate: p.reduced_rate,
                identity: p.identity.clone(),
            },
            None,
            None,
        )
        .await?;
        // A history a newcomer can read: when they were admitted, and when they left.
        if let Some(admitted) = p.admitted_on {
            record_history(
                tx,
                id,
                admitted,
                "status",
                Some("applicant"),
                Some("member"),
                "admitted by the unit",
                None,
            )
            .await?;
            let (reason, gone) = match p.status {
                Status::Lapsed => ("stopped paying dues and coming to meetings", true),
                Status::Left => ("resigned", true),
                Status::Expelled => ("expelled by decision of the unit, upheld on appeal", true),
                _ => ("", false),
            };
            if gone {
                let span = today.days_since(admitted).max(2);
                let on = admitted.add_days(span / 2);
                record_history(
                    tx,
                    id,
                    on,
                    "status",
                    Some("member"),
                    Some(p.status.as_str()),
                    reason,
                    None,
                )
                .await?;
            }
        }
        person_ids.push(id);
    }
    Ok(person_ids)
}

/// The demo plan's meetings with who attended, its tasks, and each person's latest
/// participation.
async fn insert_activity(
    tx: &mut Transaction<'_, Any>,
    plan: &DemoPlan,
    unit_ids: &HashMap<&str, i64>,
    person_ids: &[i64],
) -> Result<()> {
    let unit = |code: &str| unit_of(unit_ids, code);
    let person = |i: usize| person_of(person_ids, i);
    for m in &plan.meetings {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO meetings (unit_id, held_on, title, recorded_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(unit(&m.unit)?)
        .bind(m.held_on.to_string())
        .bind(&m.title)
        .bind(now())
        .fetch_one(&mut **tx)
        .await?;
        // One statement per meeting ($1 is the meeting; then one person each): a year of
        // meetings is thousands of rows, and on PostgreSQL each statement is a round trip.
        let attendees: Vec<i64> = m
            .attendees
            .iter()
            .map(|&a| person(a))
            .collect::<Result<_>>()?;
        for chunk in attendees.chunks(500) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, ${})", i + 2))
                .collect();
            let sql = format!(
                "INSERT INTO attendance (meeting_id, person_id) VALUES {}",
                values.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(id);
            for &pid in chunk {
                q = q.bind(pid);
            }
            q.execute(&mut **tx).await?;
        }
    }
    for t in &plan.tasks {
        let pid = person(t.person)?;
        sqlx::query(
            "INSERT INTO tasks (person_id, unit_id, done_on, description, recorded_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(pid)
        .bind(unit(&t.unit)?)
        .bind(t.done_on.to_string())
        .bind(&t.description)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    }
    // Each person's latest participation, kept for today's evaluation, in one statement
    // rather than one per attendance and task.
    sqlx::query(
        "UPDATE persons SET last_participation = (SELECT MAX(d) FROM ( \
           SELECT m.held_on AS d FROM attendance a JOIN meetings m ON m.id = a.meeting_id \
             WHERE a.person_id = persons.id \
           UNION ALL SELECT t.done_on AS d FROM tasks t WHERE t.person_id = persons.id) x)",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The demo plan's accounts, with the passwords hashed beforehand, and each officer's office.
async fn insert_logins(
    tx: &mut Transaction<'_, Any>,
    plan: &DemoPlan,
    hashes: &[String],
    unit_ids: &HashMap<&str, i64>,
    person_ids: &[i64],
) -> Result<()> {
    let unit = |code: &str| unit_of(unit_ids, code);
    let person = |i: usize| person_of(person_ids, i);
    for (l, hash) in plan.logins.iter().zip(hashes) {
        let pid = l.person.map(person).transpose()?;
        let account = insert_account(tx, &l.login, pid, hash, l.role == "administrator").await?;
        // Each officer's office, in the unit the plan names; members hold none.
        let role = core_rules::roles::Role::parse(&l.role)
            .ok_or_else(|| StoreError::Internal(format!("demo plan names no role {:?}", l.role)))?;
        if let (Some(code), true) = (&l.unit, role != core_rules::roles::Role::Member) {
            sqlx::query(
                "INSERT INTO roles (account_id, unit_id, role, granted_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(account)
            .bind(unit(code)?)
            .bind(role.code())
            .bind(now())
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}
