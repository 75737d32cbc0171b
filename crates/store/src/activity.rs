//! Meetings with attendance, and tasks done: the record of participation.

use crate::{now, Result, Store, StoreError};
use core_rules::Day;
use core_rules::{text, Refusal};
use sqlx::{Any, Row, Transaction};

/// Keeps the person's latest participation, read by today's evaluation.
pub(crate) async fn touch_participation(
    tx: &mut Transaction<'_, Any>,
    person: i64,
    on: Day,
) -> Result<()> {
    sqlx::query(
        "UPDATE persons SET last_participation = $1 WHERE id = $2 \
         AND (last_participation IS NULL OR last_participation < $1)",
    )
    .bind(on.to_string())
    .bind(person)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    pub id: i64,
    pub held_on: String,
    pub title: String,
    pub attended: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub id: i64,
    pub person_id: i64,
    /// The unit it was recorded in (the person's unit then).
    pub unit_id: i64,
    pub done_on: String,
    pub description: String,
}

impl Store {
    /// Records a meeting of a unit and who attended. Attendees must belong to the unit.
    pub async fn record_meeting(
        &self,
        unit: i64,
        held_on: Day,
        title: &str,
        attendees: &[i64],
        by: Option<i64>,
    ) -> Result<i64> {
        if held_on > self.today() {
            return Err(Refusal::on(
                "held_on",
                "the meeting date {} is in the future; record a meeting once it is held",
            )
            .arg(held_on)
            .into());
        }
        if title.trim().is_empty() {
            return Err(Refusal::on("title", "a meeting needs a title").into());
        }
        text::MEETING_TITLE.check(title.trim())?;
        let mut tx = self.write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE id = $1")
            .bind(unit)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("unit {unit}")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO meetings (unit_id, held_on, title, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(unit)
        .bind(held_on.to_string())
        .bind(title.trim())
        .bind(by)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let mut seen = std::collections::BTreeSet::new();
        let mut attended = 0i64;
        for &p in attendees {
            if !seen.insert(p) {
                continue;
            }
            let of: Option<i64> = sqlx::query_scalar("SELECT unit_id FROM persons WHERE id = $1")
                .bind(p)
                .fetch_optional(&mut *tx)
                .await?;
            if of != Some(unit) {
                // Someone of another unit is not found, exactly as someone who does not exist.
                return Err(StoreError::NotFound(format!("person {p}")));
            }
            sqlx::query("INSERT INTO attendance (meeting_id, person_id) VALUES ($1, $2)")
                .bind(id)
                .bind(p)
                .execute(&mut *tx)
                .await?;
            touch_participation(&mut tx, p, held_on).await?;
            attended += 1;
        }
        crate::audit::append(
            &mut tx,
            by,
            "meeting.record",
            Some(("unit", unit)),
            &[("meeting", id.into()), ("attendees", attended.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn meetings_of_unit(&self, unit: i64, limit: i64) -> Result<Vec<Meeting>> {
        let rows = sqlx::query(
            "SELECT m.id, m.held_on, m.title, \
             (SELECT COUNT(*) FROM attendance a WHERE a.meeting_id = m.id) AS attended \
             FROM meetings m WHERE m.unit_id = $1 ORDER BY m.held_on DESC, m.id DESC LIMIT $2",
        )
        .bind(unit)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Meeting {
                    id: r.try_get("id")?,
                    held_on: r.try_get("held_on")?,
                    title: r.try_get("title")?,
                    attended: r.try_get("attended")?,
                })
            })
            .collect()
    }

    /// Records a task a person did for a unit ("sold 20 papers at the depot gate").
    pub async fn record_task(
        &self,
        person: i64,
        unit: i64,
        done_on: Day,
        description: &str,
        by: Option<i64>,
    ) -> Result<i64> {
        if done_on > self.today() {
            return Err(Refusal::on("done_on", "the date {} is in the future")
                .arg(done_on)
                .into());
        }
        if description.trim().is_empty() {
            return Err(Refusal::on("description", "say what the task was").into());
        }
        text::TASK.check(description.trim())?;
        let mut tx = self.write().await?;
        let of: Option<i64> = sqlx::query_scalar("SELECT unit_id FROM persons WHERE id = $1")
            .bind(person)
            .fetch_optional(&mut *tx)
            .await?;
        if of.is_none() {
            return Err(StoreError::NotFound(format!("person {person}")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tasks (person_id, unit_id, done_on, description, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(person)
        .bind(unit)
        .bind(done_on.to_string())
        .bind(description.trim())
        .bind(by)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        touch_participation(&mut tx, person, done_on).await?;
        crate::audit::append(
            &mut tx,
            by,
            "task.record",
            Some(("person", person)),
            &[("task", id.into()), ("unit", unit.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn tasks_of_person(&self, person: i64) -> Result<Vec<Task>> {
        let rows = sqlx::query(
            "SELECT id, person_id, unit_id, done_on, description FROM tasks WHERE person_id = $1 ORDER BY done_on DESC, id DESC",
        )
        .bind(person)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Task {
                    id: r.try_get("id")?,
                    person_id: r.try_get("person_id")?,
                    unit_id: r.try_get("unit_id")?,
                    done_on: r.try_get("done_on")?,
                    description: r.try_get("description")?,
                })
            })
            .collect()
    }
}
