//! The record: the congress's event log, the minutes read from it, and the blocs read from its
//! roll calls. The log's text is written and read by `core_rules::congress::record` only; the
//! minutes leave here as typed entries, and the pages put them into words.

use super::{Election, Event, Happening, Minute};
use crate::{now, Result, Store};
use core_rules::congress::blocs::{self, RollCall};
use core_rules::congress::text::Edit;
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;

pub(crate) async fn event(
    tx: &mut Transaction<'_, Any>,
    congress: i64,
    happened: &Happening,
    participant: Option<i64>,
    subject: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO congress_events (congress_id, at, kind, participant_id, subject_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(congress)
    .bind(now())
    .bind(happened.kind())
    .bind(participant)
    .bind(subject)
    .bind(happened.detail())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The blocs of a congress, from its closed roll calls.
    pub async fn blocs(&self, congress: i64) -> Result<(blocs::Analysis, BTreeMap<i64, String>)> {
        let mut calls = Vec::new();
        let mut names = BTreeMap::new();
        for v in self.votes(congress).await? {
            if v.secret || v.open {
                continue;
            }
            let mut rc = RollCall::default();
            for e in self.roll(v.id).await? {
                names.insert(e.participant_id, e.pseudonym.clone());
                rc.votes.insert(e.participant_id, (e.choice, e.weight));
            }
            calls.push(rc);
        }
        Ok((blocs::analyse(&calls), names))
    }

    pub async fn congress_events(&self, congress: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT e.id, e.at, e.kind, p.pseudonym, e.subject_id, e.detail FROM congress_events e \
             LEFT JOIN congress_participants cp ON cp.id = e.participant_id \
             LEFT JOIN persons p ON p.id = cp.person_id WHERE e.congress_id = $1 ORDER BY e.id",
        )
        .bind(congress)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Event {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    happening: Happening::read(
                        &r.try_get::<String, _>("kind")?,
                        &r.try_get::<String, _>("detail")?,
                    ),
                    participant: r.try_get("pseudonym")?,
                    subject_id: r.try_get("subject_id")?,
                })
            })
            .collect()
    }

    /// The minutes: the event log with each entry's subject named (people by party name), for
    /// the pages and the PDF to put into words.
    pub async fn minutes(&self, congress: i64) -> Result<Vec<Minute>> {
        self.congress_or(congress).await?;
        let agenda: BTreeMap<i64, String> = self
            .agenda(congress)
            .await?
            .into_iter()
            .map(|a| (a.id, a.title))
            .collect();
        let motions: BTreeMap<i64, String> = self
            .motions(congress)
            .await?
            .into_iter()
            .map(|m| (m.id, m.title))
            .collect();
        let votes: BTreeMap<i64, String> = self
            .votes(congress)
            .await?
            .into_iter()
            .map(|v| (v.id, v.title))
            .collect();
        let elections: BTreeMap<i64, Election> = self
            .elections(congress)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let mut edits: BTreeMap<i64, Edit> = BTreeMap::new();
        for &m in motions.keys() {
            for a in self.amendments(m).await? {
                edits.insert(a.amendment.id, a.amendment.edit);
            }
        }
        let mut out = Vec::new();
        for e in self.congress_events(congress).await? {
            let title =
                |titles: &BTreeMap<i64, String>| e.subject_id.and_then(|s| titles.get(&s)).cloned();
            let election = e.subject_id.and_then(|s| elections.get(&s));
            let (about, edit, elected) = match &e.happening {
                Happening::AgendaItem | Happening::Floor { .. } | Happening::Spoke => {
                    (title(&agenda), None, Vec::new())
                }
                Happening::Motion
                | Happening::MotionState { .. }
                | Happening::StatutesAmended { .. }
                | Happening::StatutesUnread { .. } => (title(&motions), None, Vec::new()),
                Happening::Amendment => (
                    None,
                    e.subject_id.and_then(|s| edits.get(&s)).cloned(),
                    Vec::new(),
                ),
                Happening::VoteOpened { .. } | Happening::VoteClosed(_) => {
                    (title(&votes), None, Vec::new())
                }
                Happening::ElectionCalled | Happening::BallotOpened => {
                    (election.map(|x| x.title.clone()), None, Vec::new())
                }
                Happening::BallotClosed { .. } => (
                    election.map(|x| x.title.clone()),
                    None,
                    election.map(elected_of).unwrap_or_default(),
                ),
                _ => (None, None, Vec::new()),
            };
            out.push(Minute {
                at: e.at,
                happening: e.happening,
                who: e.participant,
                subject_id: e.subject_id,
                about,
                edit,
                elected,
            });
        }
        Ok(out)
    }
}

/// The elected of a counted election, by party name, from its stored report.
fn elected_of(e: &Election) -> Vec<String> {
    e.report
        .as_deref()
        .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
        .and_then(|v| v.get("elected").cloned())
        .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
        .unwrap_or_default()
}
