//! Motions and their amendments.

use super::{
    event, motion_row, participant_in, Happening, Kind, Motion, StoredAmendment, MOTION_SELECT,
};
use crate::audit::Value;
use crate::refused;
use crate::{now, Result, Store, StoreError};
use core_rules::congress::text::{self, Amendment, Edit};
use core_rules::text as limits;
use core_rules::{Refusal, Typed, Word};
use sqlx::Row;
use std::collections::BTreeSet;

impl Store {
    /// A motion, submitted by a participant (delegates and consultative voices may propose).
    pub async fn submit_motion(
        &self,
        congress: i64,
        title: &str,
        body: &str,
        statutes: bool,
        participant: Option<i64>,
        by: Option<i64>,
    ) -> Result<i64> {
        if title.trim().is_empty() {
            return Err(refused("a motion needs a title"));
        }
        limits::MOTION_TITLE.check(title.trim())?;
        limits::MOTION_TEXT.check(body)?;
        if text::lines(body).is_empty() {
            return Err(refused("a motion needs a text"));
        }
        self.congress_or(congress).await?;
        let mut tx = self.write().await?;
        if let Some(pid) = participant {
            let p = participant_in(&mut tx, pid).await?;
            if p.congress_id != congress || p.kind == Kind::Guest {
                return Err(refused(
                    "only delegates and consultative voices propose motions",
                ));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_motions (congress_id, title, body, state, statutes, submitted_by, created_at) \
             VALUES ($1, $2, $3, 'submitted', $4, $5, $6) RETURNING id",
        )
        .bind(congress)
        .bind(title.trim())
        .bind(text::lines(body).join("\n"))
        .bind(statutes as i64)
        .bind(participant)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        event(&mut tx, congress, &Happening::Motion, participant, Some(id)).await?;
        crate::audit::append(&mut tx, by, "congress.motion", Some(("motion", id)), &[]).await?;
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Motion);
        Ok(id)
    }

    pub async fn motion(&self, id: i64) -> Result<Option<Motion>> {
        sqlx::query(&format!("{MOTION_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| motion_row(&r))
            .transpose()
    }

    pub async fn motions(&self, congress: i64) -> Result<Vec<Motion>> {
        sqlx::query(&format!(
            "{MOTION_SELECT} WHERE m.congress_id = $1 ORDER BY m.id"
        ))
        .bind(congress)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(motion_row)
        .collect()
    }

    pub(super) async fn motion_or(&self, id: i64) -> Result<Motion> {
        self.motion(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("motion {id}")))
    }

    pub async fn support_motion(
        &self,
        motion: i64,
        participant: i64,
        by: Option<i64>,
    ) -> Result<u64> {
        let m = self.motion_or(motion).await?;
        let mut tx = self.write().await?;
        let p = participant_in(&mut tx, participant).await?;
        if p.congress_id != m.congress_id || p.kind != Kind::Delegate {
            return Err(refused("only the congress's delegates support motions"));
        }
        let already: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM congress_supporters WHERE motion_id = $1 AND participant_id = $2",
        )
        .bind(motion)
        .bind(participant)
        .fetch_one(&mut *tx)
        .await?;
        if already > 0 {
            return Err(refused("this delegate already supports this motion"));
        }
        sqlx::query("INSERT INTO congress_supporters (motion_id, participant_id) VALUES ($1, $2)")
            .bind(motion)
            .bind(participant)
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.support",
            Some(("motion", motion)),
            &[],
        )
        .await?;
        tx.commit().await?;
        self.changed(m.congress_id, core_rules::congress::record::Part::Motion);
        Ok(m.supporters + 1)
    }

    /// Moves a motion to another state of the congress's workflow. Admission needs the
    /// supporters the congress asks for.
    pub async fn set_motion_state(&self, motion: i64, state: &str, by: Option<i64>) -> Result<()> {
        let m = self.motion_or(motion).await?;
        let c = self.congress_or(m.congress_id).await?;
        let Some(state) = c.motion_states.iter().find(|s| *s == state) else {
            return Err(
                Refusal::on("state", "{} is not a state of this congress's motions ({})")
                    .arg(Typed(state))
                    .arg(Word(&c.motion_states.join(", ")))
                    .into(),
            );
        };
        if state == "admitted" && m.supporters < c.supporters_needed {
            return Err(
                Refusal::new("the motion has {} supporters and needs {} to be admitted")
                    .arg(m.supporters)
                    .arg(c.supporters_needed)
                    .into(),
            );
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE congress_motions SET state = $1 WHERE id = $2")
            .bind(state)
            .bind(motion)
            .execute(&mut *tx)
            .await?;
        event(
            &mut tx,
            m.congress_id,
            &Happening::MotionState {
                state: state.clone(),
            },
            None,
            Some(motion),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.motion_state",
            Some(("motion", motion)),
            &[("state", Value::Code(state.clone()))],
        )
        .await?;
        tx.commit().await?;
        self.changed(m.congress_id, core_rules::congress::record::Part::Motion);
        Ok(())
    }

    pub async fn amendments(&self, motion: i64) -> Result<Vec<StoredAmendment>> {
        let rows = sqlx::query(
            "SELECT a.id, a.parent_id, a.edit, a.state, p.pseudonym FROM congress_amendments a \
             LEFT JOIN congress_participants cp ON cp.id = a.submitted_by \
             LEFT JOIN persons p ON p.id = cp.person_id WHERE a.motion_id = $1 ORDER BY a.id",
        )
        .bind(motion)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredAmendment {
                    amendment: Amendment {
                        id: r.try_get("id")?,
                        parent: r.try_get("parent_id")?,
                        edit: serde_json::from_str(&r.try_get::<String, _>("edit")?)
                            .map_err(|e| StoreError::Internal(e.to_string()))?,
                    },
                    state: r.try_get("state")?,
                    submitted_by: r.try_get("pseudonym")?,
                })
            })
            .collect()
    }

    /// Proposes an amendment to a motion (or to one of its amendments). A line that does not
    /// exist is refused, naming it.
    pub async fn propose_amendment(
        &self,
        motion: i64,
        parent: Option<i64>,
        edit: &Edit,
        participant: Option<i64>,
        by: Option<i64>,
    ) -> Result<i64> {
        if let Edit::Replace { text, .. } | Edit::InsertAfter { text, .. } = edit {
            limits::AMENDMENT_TEXT.check(&text.join("\n"))?;
        }
        let m = self.motion_or(motion).await?;
        if matches!(m.state.as_str(), "adopted" | "rejected" | "withdrawn") {
            return Err(
                Refusal::new("the motion is {}; it can no longer be amended")
                    .arg(Word(&m.state))
                    .into(),
            );
        }
        let existing: Vec<Amendment> = self
            .amendments(motion)
            .await?
            .into_iter()
            .map(|a| a.amendment)
            .collect();
        text::validate_new(&m.lines, &existing, parent, edit).map_err(crate::rule)?;
        let mut tx = self.write().await?;
        if let Some(pid) = participant {
            let p = participant_in(&mut tx, pid).await?;
            if p.congress_id != m.congress_id || p.kind == Kind::Guest {
                return Err(refused(
                    "only delegates and consultative voices propose amendments",
                ));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_amendments (motion_id, parent_id, edit, state, submitted_by, created_at) \
             VALUES ($1, $2, $3, 'submitted', $4, $5) RETURNING id",
        )
        .bind(motion)
        .bind(parent)
        .bind(serde_json::to_string(edit).map_err(|e| StoreError::Internal(e.to_string()))?)
        .bind(participant)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        event(
            &mut tx,
            m.congress_id,
            &Happening::Amendment,
            participant,
            Some(id),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.amendment",
            Some(("motion", motion)),
            &[("amendment", id.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(m.congress_id, core_rules::congress::record::Part::Motion);
        Ok(id)
    }

    /// The motion's text after the amendments adopted so far.
    pub async fn consolidated(&self, motion: i64) -> Result<Vec<String>> {
        let m = self.motion_or(motion).await?;
        let all = self.amendments(motion).await?;
        let adopted: BTreeSet<i64> = all
            .iter()
            .filter(|a| a.state == "adopted")
            .map(|a| a.amendment.id)
            .collect();
        let ams: Vec<Amendment> = all.into_iter().map(|a| a.amendment).collect();
        text::consolidate(&m.lines, &ams, &adopted).map_err(crate::rule)
    }

    /// The proposed voting order of the amendments still to be decided.
    pub async fn amendment_order(&self, motion: i64) -> Result<Vec<i64>> {
        let pending: Vec<Amendment> = self
            .amendments(motion)
            .await?
            .into_iter()
            .filter(|a| a.state == "submitted")
            .map(|a| a.amendment)
            .collect();
        Ok(text::voting_order(&pending))
    }
}
