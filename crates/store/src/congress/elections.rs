//! Elections by STV: candidates, nominations, rankings and the count.

use super::{
    election_row, event, participant_in, random_key, Candidate, Election, Happening,
    ELECTION_SELECT,
};
use crate::refused;
use crate::{Result, Store, StoreError};
use core_rules::people::Status;
use core_rules::{quantity, text as limits};
use core_rules::{Refusal, Typed};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

impl Store {
    pub async fn create_election(
        &self,
        congress: i64,
        title: &str,
        seats: u64,
        method: &str,
        by: Option<i64>,
    ) -> Result<i64> {
        self.congress_or(congress).await?;
        if title.trim().is_empty() {
            return Err(refused("an election needs a title (the body elected)"));
        }
        limits::ELECTION_TITLE.check(title.trim())?;
        quantity::SEATS.check(seats)?;
        if !matches!(method, "scottish_stv" | "meek") {
            return Err(
                Refusal::on("method", "unknown method {}: use scottish_stv or meek")
                    .arg(Typed(method))
                    .into(),
            );
        }
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_elections (congress_id, title, seats, method, state) VALUES ($1, $2, $3, $4, 'nominating') RETURNING id",
        )
        .bind(congress)
        .bind(title.trim())
        .bind(seats as i64)
        .bind(method)
        .fetch_one(&mut *tx)
        .await?;
        event(
            &mut tx,
            congress,
            &Happening::ElectionCalled,
            None,
            Some(id),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.election",
            Some(("election", id)),
            &[("seats", seats.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Election);
        Ok(id)
    }

    pub async fn election(&self, id: i64) -> Result<Option<Election>> {
        sqlx::query(&format!("{ELECTION_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| election_row(&r))
            .transpose()
    }

    pub async fn elections(&self, congress: i64) -> Result<Vec<Election>> {
        sqlx::query(&format!(
            "{ELECTION_SELECT} WHERE congress_id = $1 ORDER BY id"
        ))
        .bind(congress)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(election_row)
        .collect()
    }

    async fn election_or(&self, id: i64) -> Result<Election> {
        self.election(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("election {id}")))
    }

    /// Nominates a member as a candidate; they stand once they accept.
    pub async fn nominate(&self, election: i64, person: i64, by: Option<i64>) -> Result<i64> {
        let e = self.election_or(election).await?;
        if e.state != "nominating" {
            return Err(refused("nominations are closed"));
        }
        let p = self
            .person(person)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("person {person}")))?;
        if p.status != Status::Member {
            return Err(refused("that person is not a member and cannot stand"));
        }
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO congress_candidates (election_id, person_id, accepted) VALUES ($1, $2, 0) RETURNING id")
            .bind(election)
            .bind(person)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.message().to_lowercase().contains("unique") => {
                    refused("that person is already nominated")
                }
                e => e.into(),
            })?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.nominate",
            Some(("election", election)),
            &[("candidate", id.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(e.congress_id, core_rules::congress::record::Part::Election);
        Ok(id)
    }

    /// A nominee accepts (or declines) their nomination: only the person nominated.
    pub async fn accept_nomination(
        &self,
        candidate: i64,
        person: i64,
        accept: bool,
        by: Option<i64>,
    ) -> Result<()> {
        let r = sqlx::query("SELECT c.election_id, c.person_id, e.state, e.congress_id FROM congress_candidates c JOIN congress_elections e ON e.id = c.election_id WHERE c.id = $1")
            .bind(candidate)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("candidate {candidate}")))?;
        if r.try_get::<i64, _>("person_id")? != person {
            return Err(StoreError::NotFound(format!("candidate {candidate}")));
        }
        if r.try_get::<String, _>("state")? != "nominating" {
            return Err(refused("nominations are closed"));
        }
        let congress: i64 = r.try_get("congress_id")?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE congress_candidates SET accepted = $1 WHERE id = $2")
            .bind(accept as i64)
            .bind(candidate)
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.accept",
            Some(("candidate", candidate)),
            &[("accepted", (accept as i64).into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Election);
        Ok(())
    }

    pub async fn candidates(&self, election: i64) -> Result<Vec<Candidate>> {
        let rows = sqlx::query("SELECT c.id, c.person_id, p.pseudonym, c.accepted FROM congress_candidates c JOIN persons p ON p.id = c.person_id WHERE c.election_id = $1 ORDER BY c.id")
            .bind(election)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Candidate {
                    id: r.try_get("id")?,
                    person_id: r.try_get("person_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    accepted: r.try_get::<i64, _>("accepted")? != 0,
                })
            })
            .collect()
    }

    /// Opens the ballot: nominations close; only candidates who accepted stand.
    pub async fn open_election(&self, election: i64, by: Option<i64>) -> Result<()> {
        let e = self.election_or(election).await?;
        if e.state != "nominating" {
            return Err(refused("this election's ballot is already open or closed"));
        }
        let standing = self
            .candidates(election)
            .await?
            .iter()
            .filter(|c| c.accepted)
            .count();
        if standing == 0 {
            return Err(refused("no candidate has accepted a nomination"));
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE congress_elections SET state = 'open' WHERE id = $1")
            .bind(election)
            .execute(&mut *tx)
            .await?;
        event(
            &mut tx,
            e.congress_id,
            &Happening::BallotOpened,
            None,
            Some(election),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.election_open",
            Some(("election", election)),
            &[("candidates", standing.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(e.congress_id, core_rules::congress::record::Part::Election);
        Ok(())
    }

    /// A delegate's ranked ballot (candidate ids, most preferred first), one per mandate, secret.
    pub async fn cast_ranking(
        &self,
        election: i64,
        participant: i64,
        ranking: &[i64],
        by: Option<i64>,
    ) -> Result<()> {
        let e = self.election_or(election).await?;
        if e.state != "open" {
            return Err(refused("this election's ballot is not open"));
        }
        let standing: BTreeSet<i64> = self
            .candidates(election)
            .await?
            .iter()
            .filter(|c| c.accepted)
            .map(|c| c.id)
            .collect();
        if ranking.is_empty() {
            return Err(refused("rank at least one candidate"));
        }
        let mut seen = BTreeSet::new();
        for c in ranking {
            if !standing.contains(c) {
                return Err(
                    Refusal::on("rank", "candidate {} does not stand in this election")
                        .arg(*c)
                        .into(),
                );
            }
            if !seen.insert(*c) {
                return Err(refused("a candidate is ranked twice"));
            }
        }
        let mut tx = self.write().await?;
        let p = participant_in(&mut tx, participant).await?;
        if p.congress_id != e.congress_id {
            return Err(StoreError::NotFound(format!("participant {participant}")));
        }
        if !p.can_vote() {
            return Err(refused(
                "this participant holds no mandate present here and cannot vote",
            ));
        }
        let voted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM congress_election_voters WHERE election_id = $1 AND participant_id = $2")
            .bind(election)
            .bind(participant)
            .fetch_one(&mut *tx)
            .await?;
        if voted > 0 {
            return Err(refused(
                "this delegate has already voted; the first ballot stands",
            ));
        }
        sqlx::query(
            "INSERT INTO congress_election_voters (election_id, participant_id) VALUES ($1, $2)",
        )
        .bind(election)
        .bind(participant)
        .execute(&mut *tx)
        .await?;
        let r = ranking
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(",");
        for _ in 0..p.mandates {
            sqlx::query("INSERT INTO congress_election_ballots (id, election_id, ranking) VALUES ($1, $2, $3)")
                .bind(random_key())
                .bind(election)
                .bind(&r)
                .execute(&mut *tx)
                .await?;
        }
        crate::audit::append(
            &mut tx,
            by,
            "congress.election_ballot",
            Some(("election", election)),
            &[],
        )
        .await?;
        tx.commit().await?;
        self.changed(e.congress_id, core_rules::congress::record::Part::Tally);
        Ok(())
    }

    /// Closes the ballot and counts it by STV; the report is stored and published.
    pub async fn close_election(&self, election: i64, by: Option<i64>) -> Result<count::Report> {
        let e = self.election_or(election).await?;
        if e.state != "open" {
            return Err(refused("this election's ballot is not open"));
        }
        let cands: Vec<Candidate> = self
            .candidates(election)
            .await?
            .into_iter()
            .filter(|c| c.accepted)
            .collect();
        let index: BTreeMap<i64, u16> = cands
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i as u16))
            .collect();
        let mut tx = self.write().await?;
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT ranking FROM congress_election_ballots WHERE election_id = $1 ORDER BY id",
        )
        .bind(election)
        .fetch_all(&mut *tx)
        .await?;
        let mut tally: BTreeMap<Vec<u16>, u64> = BTreeMap::new();
        for r in rows {
            let prefs: Vec<u16> = r
                .split(',')
                .filter_map(|x| x.parse::<i64>().ok())
                .filter_map(|c| index.get(&c).copied())
                .collect();
            if !prefs.is_empty() {
                *tally.entry(prefs).or_default() += 1;
            }
        }
        let profile = count::Profile {
            title: e.title.clone(),
            candidates: cands.iter().map(|c| c.pseudonym.clone()).collect(),
            parties: vec![None; cands.len()],
            seats: Some(e.seats as usize),
            withdrawn: Vec::new(),
            ballots: tally
                .into_iter()
                .map(|(p, w)| count::Ballot::strict(w, p))
                .collect(),
        };
        let seats = (e.seats as usize).min(cands.len()).max(1);
        let report = match e.method.as_str() {
            "meek" => count::meek::count(&profile, seats, election as u64),
            _ => count::scottish_stv::count(&profile, seats, election as u64),
        }
        .map_err(|err| StoreError::Internal(format!("the count could not be made: {err}")))?;
        sqlx::query("UPDATE congress_elections SET state = 'closed', report = $1 WHERE id = $2")
            .bind(report.to_json())
            .bind(election)
            .execute(&mut *tx)
            .await?;
        event(
            &mut tx,
            e.congress_id,
            &Happening::BallotClosed {
                elected: report.elected.len() as i64,
            },
            None,
            Some(election),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.election_close",
            Some(("election", election)),
            &[
                ("ballots", report.ballots.into()),
                ("elected", report.elected.len().into()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.changed(e.congress_id, core_rules::congress::record::Part::Election);
        Ok(report)
    }
}
