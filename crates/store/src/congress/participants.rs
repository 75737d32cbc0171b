//! Participants, their credentials, and their presence (the live quorum).

use super::{
    event, participant_in, participant_row, quorum_in, CredentialsReport, Happening, Kind,
    Participant, QuorumNow, PARTICIPANT_SELECT,
};
use crate::audit::Value;
use crate::refused;
use crate::{Result, Store, StoreError};
use core_rules::congress::record::Presence;
use core_rules::people::Status;
use core_rules::quantity;
use core_rules::Refusal;
use sqlx::Row;

impl Store {
    /// Registers a participant. A delegate must be a member and carries mandates of their unit,
    /// no more than the unit has left; other kinds carry none.
    pub async fn add_participant(
        &self,
        congress: i64,
        person: i64,
        kind: Kind,
        mandates: u64,
        by: Option<i64>,
    ) -> Result<i64> {
        quantity::MANDATES.check(mandates)?;
        self.congress_or(congress).await?;
        let p = self
            .person(person)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("person {person}")))?;
        let mut tx = self.write().await?;
        let mandates = if kind == Kind::Delegate {
            if p.status != Status::Member {
                return Err(refused(
                    "that person is not a member, and only members can be delegates",
                ));
            }
            if mandates == 0 {
                return Err(refused("a delegate holds at least one mandate"));
            }
            let r = sqlx::query(
                "SELECT m.mandates, (SELECT CAST(COALESCE(SUM(cp.mandates), 0) AS BIGINT) FROM congress_participants cp \
                   WHERE cp.congress_id = m.congress_id AND cp.unit_id = m.unit_id \
                   AND cp.kind = 'delegate' AND cp.credential <> 'rejected') AS assigned \
                 FROM congress_mandates m WHERE m.congress_id = $1 AND m.unit_id = $2",
            )
            .bind(congress)
            .bind(p.unit_id)
            .fetch_optional(&mut *tx)
            .await?;
            let (has, assigned) = match r {
                Some(r) => (
                    r.try_get::<i64, _>("mandates")? as u64,
                    r.try_get::<i64, _>("assigned")? as u64,
                ),
                None => (0, 0),
            };
            if assigned + mandates > has {
                return Err(Refusal::on(
                    "mandates",
                    "the unit has {} mandates and {} are already held: {} more would be too many",
                )
                .arg(has)
                .arg(assigned)
                .arg(mandates)
                .into());
            }
            mandates
        } else {
            0
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_participants (congress_id, person_id, unit_id, kind, mandates, credential, present) \
             VALUES ($1, $2, $3, $4, $5, 'pending', 0) RETURNING id",
        )
        .bind(congress)
        .bind(person)
        .bind(p.unit_id)
        .bind(kind.code())
        .bind(mandates as i64)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.message().to_lowercase().contains("unique") => {
                refused("that person already takes part in this congress")
            }
            e => e.into(),
        })?;
        event(
            &mut tx,
            congress,
            &Happening::Registered { kind },
            Some(id),
            None,
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.participant",
            Some(("congress", congress)),
            &[
                ("participant", id.into()),
                ("kind", Value::Word(kind.code())),
                ("mandates", mandates.into()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Presence);
        Ok(id)
    }

    pub async fn participants(&self, congress: i64) -> Result<Vec<Participant>> {
        let rows = sqlx::query(&format!(
            "{PARTICIPANT_SELECT} WHERE cp.congress_id = $1 ORDER BY p.pseudonym, cp.id"
        ))
        .bind(congress)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(participant_row).collect()
    }

    pub async fn participant(&self, id: i64) -> Result<Option<Participant>> {
        let r = sqlx::query(&format!("{PARTICIPANT_SELECT} WHERE cp.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        r.as_ref().map(participant_row).transpose()
    }

    /// The participant a person is at a congress, if any.
    pub async fn participant_for(&self, congress: i64, person: i64) -> Result<Option<Participant>> {
        let r = sqlx::query(&format!(
            "{PARTICIPANT_SELECT} WHERE cp.congress_id = $1 AND cp.person_id = $2"
        ))
        .bind(congress)
        .bind(person)
        .fetch_optional(self.pool())
        .await?;
        r.as_ref().map(participant_row).transpose()
    }

    /// The credentials committee's finding on one participant.
    pub async fn set_credential(
        &self,
        participant: i64,
        accepted: bool,
        by: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let p = participant_in(&mut tx, participant).await?;
        let word = if accepted { "accepted" } else { "rejected" };
        sqlx::query("UPDATE congress_participants SET credential = $1 WHERE id = $2")
            .bind(word)
            .bind(participant)
            .execute(&mut *tx)
            .await?;
        event(
            &mut tx,
            p.congress_id,
            &Happening::Credential { accepted },
            Some(participant),
            None,
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.credential",
            Some(("participant", participant)),
            &[("finding", Value::Word(word))],
        )
        .await?;
        tx.commit().await?;
        self.changed(
            p.congress_id,
            core_rules::congress::record::Part::Credentials,
        );
        Ok(())
    }

    pub async fn credentials_report(&self, congress: i64) -> Result<CredentialsReport> {
        let c = self.congress_or(congress).await?;
        let m = self.mandates(congress).await?;
        let ps = self.participants(congress).await?;
        let delegates: Vec<&Participant> = ps.iter().filter(|p| p.kind == Kind::Delegate).collect();
        Ok(CredentialsReport {
            apportioned: m.iter().map(|u| u.mandates).sum(),
            delegates: delegates.len() as u64,
            accepted: delegates
                .iter()
                .filter(|p| p.credential == "accepted")
                .count() as u64,
            accepted_mandates: delegates
                .iter()
                .filter(|p| p.credential == "accepted")
                .map(|p| p.mandates)
                .sum(),
            pending: delegates
                .iter()
                .filter(|p| p.credential == "pending")
                .count() as u64,
            rejected: delegates
                .iter()
                .filter(|p| p.credential == "rejected")
                .count() as u64,
            units_short: m
                .iter()
                .filter(|u| u.assigned < u.mandates)
                .cloned()
                .collect(),
            approved: c.credentials_approved,
        })
    }

    /// Checks participants in (present) or out, together: one delegate, or a group walking out.
    pub async fn set_presence(
        &self,
        congress: i64,
        participants: &[i64],
        present: bool,
        by: Option<i64>,
    ) -> Result<QuorumNow> {
        let c = self.congress_or(congress).await?;
        if participants.is_empty() {
            return Err(refused("name at least one participant"));
        }
        let mut tx = self.write().await?;
        for &id in participants {
            let p = participant_in(&mut tx, id).await?;
            if p.congress_id != congress {
                return Err(StoreError::NotFound(format!("participant {id}")));
            }
            sqlx::query("UPDATE congress_participants SET present = $1 WHERE id = $2")
                .bind(present as i64)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let q = quorum_in(&mut tx, congress, c.quorum).await?;
        let presence = Presence {
            present: q.present as i64,
            entitled: q.entitled as i64,
        };
        let moved = participants.len() as i64;
        let happened = match (present, moved) {
            (true, people) => Happening::CheckIn { people, presence },
            (false, 1) => Happening::CheckOut(presence),
            (false, delegates) => Happening::Walkout {
                delegates,
                presence,
            },
        };
        let who = (participants.len() == 1).then(|| participants[0]);
        event(&mut tx, congress, &happened, who, None).await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.presence",
            Some(("congress", congress)),
            &[
                ("change", Value::Code(happened.kind().to_string())),
                ("participants", participants.len().into()),
                ("present", q.present.into()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Presence);
        Ok(q)
    }

    pub async fn quorum(&self, congress: i64) -> Result<QuorumNow> {
        let c = self.congress_or(congress).await?;
        let mut conn = self.pool().acquire().await?;
        quorum_in(&mut conn, congress, c.quorum).await
    }
}
