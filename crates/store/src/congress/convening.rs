//! Convening a congress and apportioning its mandates.

use super::{
    congress_row, event, Congress, Happening, NewCongress, UnitMandates, CONGRESS_SELECT,
    DEFAULT_MOTION_STATES,
};
use crate::refused;
use crate::{now, Result, Store, StoreError};
use core_rules::congress::{apportion_mandates, UnitVoters};
use core_rules::{quantity, text as limits};
use core_rules::{Refusal, Word};
use sqlx::Row;

impl Store {
    /// Convenes a congress: computes each unit's mandates from its members with a vote on the
    /// membership day, under the statutes' rule (or the one given).
    pub async fn convene(&self, c: &NewCongress, by: Option<i64>) -> Result<i64> {
        if c.name.trim().is_empty() {
            return Err(refused("the congress needs a name"));
        }
        limits::CONGRESS_NAME.check(c.name.trim())?;
        limits::MOTION_STATES.check(&c.motion_states)?;
        quantity::QUORUM_NUM.check(c.quorum.0)?;
        quantity::QUORUM_DEN.check(c.quorum.1)?;
        quantity::SUPPORTERS.check(c.supporters_needed)?;
        if let Some(r) = &c.rule {
            r.check_bounds()?;
        }
        if c.membership_on > c.held_on {
            return Err(refused(
                "membership must count on a day no later than the congress",
            ));
        }
        let (qn, qd) = c.quorum;
        if qd == 0 || qn > qd {
            return Err(refused(
                "the quorum must be a fraction of the mandates, e.g. 1/2",
            ));
        }
        let states = if c.motion_states.trim().is_empty() {
            DEFAULT_MOTION_STATES.to_string()
        } else {
            c.motion_states
                .split(',')
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(",")
        };
        for needed in ["submitted", "adopted", "rejected"] {
            if !states.split(',').any(|s| s == needed) {
                return Err(
                    Refusal::on("states", "the motion workflow must include the state {}")
                        .arg(Word(needed))
                        .into(),
                );
            }
        }
        let rule = match &c.rule {
            Some(r) => r.clone(),
            None => self.statutes_on(c.membership_on).await?.rules.congress,
        };
        let eval = self.evaluate_all(c.membership_on).await?;
        let units: Vec<UnitVoters> = eval
            .per_unit
            .iter()
            .map(|(id, counts)| UnitVoters {
                unit_id: *id,
                voting: counts.voting.max(0) as u64,
            })
            .collect();
        let mandates = apportion_mandates(&rule, &units, seed_of(&c.membership_on.to_string()))
            .map_err(crate::rule)?;
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congresses (name, held_on, membership_on, rule, quorum_num, quorum_den, \
             motion_states, supporters_needed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(c.name.trim())
        .bind(c.held_on.to_string())
        .bind(c.membership_on.to_string())
        .bind(serde_json::to_string(&rule).map_err(|e| StoreError::Internal(e.to_string()))?)
        .bind(qn as i64)
        .bind(qd as i64)
        .bind(&states)
        .bind(c.supporters_needed as i64)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let mut total = 0u64;
        for ((unit, n), u) in mandates.iter().zip(&units) {
            if u.voting == 0 {
                continue;
            }
            total += n;
            sqlx::query(
                "INSERT INTO congress_mandates (congress_id, unit_id, voting, mandates) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(unit)
            .bind(u.voting as i64)
            .bind(*n as i64)
            .execute(&mut *tx)
            .await?;
        }
        event(
            &mut tx,
            id,
            &Happening::Convened {
                mandates: total as i64,
            },
            None,
            None,
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.convene",
            Some(("congress", id)),
            &[("mandates", total.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(id, core_rules::congress::record::Part::Agenda);
        Ok(id)
    }

    pub async fn congresses(&self) -> Result<Vec<Congress>> {
        // One query for the list (it was one per congress).
        sqlx::query(&format!("{CONGRESS_SELECT} ORDER BY held_on DESC, id DESC"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(congress_row)
            .collect()
    }

    pub async fn congress(&self, id: i64) -> Result<Option<Congress>> {
        sqlx::query(&format!("{CONGRESS_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| congress_row(&r))
            .transpose()
    }

    pub(crate) async fn congress_or(&self, id: i64) -> Result<Congress> {
        self.congress(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("congress {id}")))
    }

    pub async fn mandates(&self, congress: i64) -> Result<Vec<UnitMandates>> {
        let rows = sqlx::query(
            "SELECT m.unit_id, u.name, u.closed, m.voting, m.mandates, \
             (SELECT CAST(COALESCE(SUM(cp.mandates), 0) AS BIGINT) FROM congress_participants cp \
               WHERE cp.congress_id = m.congress_id AND cp.unit_id = m.unit_id \
               AND cp.kind = 'delegate' AND cp.credential <> 'rejected') AS assigned \
             FROM congress_mandates m JOIN units u ON u.id = m.unit_id \
             WHERE m.congress_id = $1 ORDER BY u.name",
        )
        .bind(congress)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UnitMandates {
                    unit_id: r.try_get("unit_id")?,
                    unit_name: r.try_get("name")?,
                    closed: r.try_get::<i64, _>("closed")? != 0,
                    voting: r.try_get::<i64, _>("voting")? as u64,
                    mandates: r.try_get::<i64, _>("mandates")? as u64,
                    assigned: r.try_get::<i64, _>("assigned")? as u64,
                })
            })
            .collect()
    }
}

/// A seed for lots drawn in an apportionment, fixed by the membership day (reproducible).
fn seed_of(s: &str) -> u64 {
    s.bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
}
