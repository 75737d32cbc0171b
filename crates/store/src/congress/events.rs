//! The record: the congress's event log, the minutes written from it, and the blocs read from
//! its roll calls.

use super::{Election, Event, Kind, Vote};
use crate::{now, Result, Store};
use core_rules::congress::blocs::{self, RollCall};
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;

pub(crate) async fn event(
    tx: &mut Transaction<'_, Any>,
    congress: i64,
    kind: &str,
    participant: Option<i64>,
    subject: Option<i64>,
    detail: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO congress_events (congress_id, at, kind, participant_id, subject_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(congress)
    .bind(now())
    .bind(kind)
    .bind(participant)
    .bind(subject)
    .bind(detail)
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
                    kind: r.try_get("kind")?,
                    participant: r.try_get("pseudonym")?,
                    subject_id: r.try_get("subject_id")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    /// The minutes, written from the event log: one sentence per event, people by party name.
    ///
    /// Long, and left whole: after the names it reads, it is one `match` with an arm per kind of
    /// event, a table best read in one piece. It leaves the store when events become typed data
    /// and their words are made at the edge (issue 18).
    pub async fn minutes(&self, congress: i64) -> Result<Vec<String>> {
        let c = self.congress_or(congress).await?;
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
        let votes: BTreeMap<i64, Vote> = self
            .votes(congress)
            .await?
            .into_iter()
            .map(|v| (v.id, v))
            .collect();
        let elections: BTreeMap<i64, Election> = self
            .elections(congress)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let mut out = Vec::new();
        for e in self.congress_events(congress).await? {
            let who = e.participant.clone().unwrap_or_else(|| "—".into());
            let subj = e.subject_id.unwrap_or(0);
            let d: Vec<&str> = e.detail.split(' ').collect();
            let line = match e.kind.as_str() {
                "convened" => format!(
                    "{} convened for {}, membership counted on {}: {} mandates apportioned.",
                    c.name, c.held_on, c.membership_on, e.detail
                ),
                "registered" => format!(
                    "{who} registered as {}.",
                    Kind::parse(&e.detail)
                        .map(Kind::words)
                        .unwrap_or("participant")
                ),
                "credential" => format!(
                    "The credentials committee {} the mandate of {who}.",
                    e.detail
                ),
                "check_in" => format!(
                    "{who} checked in; {} of {} mandates present.",
                    d.get(1).unwrap_or(&"?"),
                    d.get(2).unwrap_or(&"?")
                ),
                "check_out" => format!(
                    "{who} left the hall; {} of {} mandates present.",
                    d.get(1).unwrap_or(&"?"),
                    d.get(2).unwrap_or(&"?")
                ),
                "walkout" => format!(
                    "{} delegates walked out together; {} of {} mandates present.",
                    d.first().unwrap_or(&"?"),
                    d.get(1).unwrap_or(&"?"),
                    d.get(2).unwrap_or(&"?")
                ),
                "agenda" => format!(
                    "Agenda item: {}.",
                    agenda.get(&subj).cloned().unwrap_or_default()
                ),
                "floor" => format!(
                    "{who} asked for the floor on “{}”.",
                    agenda.get(&subj).cloned().unwrap_or_default()
                ),
                "point_of_order" => format!(
                    "{who} raised a point of order on “{}”.",
                    agenda.get(&subj).cloned().unwrap_or_default()
                ),
                "spoke" => format!(
                    "{who} spoke on “{}”.",
                    agenda.get(&subj).cloned().unwrap_or_default()
                ),
                "motion" => format!(
                    "Motion “{}” submitted by {who}.",
                    motions.get(&subj).cloned().unwrap_or_default()
                ),
                "motion_state" => format!(
                    "Motion “{}” is now {}.",
                    motions.get(&subj).cloned().unwrap_or_default(),
                    e.detail
                ),
                "amendment" => format!("{who} moved amendment {subj}: {}.", e.detail),
                "vote_opened" => format!(
                    "Vote opened ({}): {}.",
                    if e.detail == "secret" {
                        "secret ballot"
                    } else {
                        "roll call"
                    },
                    votes
                        .get(&subj)
                        .map(|v| v.title.clone())
                        .unwrap_or_default()
                ),
                "vote_closed" => format!(
                    "Vote closed: {}. Yes {}, no {}, abstain {}; {} of {} mandates present. {}.",
                    votes
                        .get(&subj)
                        .map(|v| v.title.clone())
                        .unwrap_or_default(),
                    d.get(1).unwrap_or(&"?"),
                    d.get(2).unwrap_or(&"?"),
                    d.get(3).unwrap_or(&"?"),
                    d.get(4).unwrap_or(&"?"),
                    d.get(5).unwrap_or(&"?"),
                    match d.first().copied() {
                        Some("adopted") => "Adopted",
                        Some("rejected") => "Rejected",
                        _ => "No quorum: no decision",
                    }
                ),
                "statutes" => format!(
                    "The statutes are amended as adopted in motion “{}” (version {}), in force from the congress's day.",
                    motions.get(&subj).cloned().unwrap_or_default(),
                    e.detail
                ),
                "statutes_unread" => format!(
                    "The statutes are not changed by motion “{}”: {}.",
                    motions.get(&subj).cloned().unwrap_or_default(),
                    e.detail
                ),
                "election" => format!(
                    "Election called: {}.",
                    elections
                        .get(&subj)
                        .map(|x| x.title.clone())
                        .unwrap_or_default()
                ),
                "election_opened" => format!(
                    "Ballot opened: {}.",
                    elections
                        .get(&subj)
                        .map(|x| x.title.clone())
                        .unwrap_or_default()
                ),
                "election_closed" => {
                    let el = elections.get(&subj);
                    let elected = el
                        .and_then(|x| x.report.as_deref())
                        .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
                        .and_then(|v| v.get("elected").cloned())
                        .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
                        .unwrap_or_default();
                    format!(
                        "Ballot closed: {}. Elected: {}.",
                        el.map(|x| x.title.clone()).unwrap_or_default(),
                        elected.join(", ")
                    )
                }
                other => format!("{other}."),
            };
            out.push(line);
        }
        Ok(out)
    }
}
