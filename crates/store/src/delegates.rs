//! A unit elects its delegates to a congress (issue 5, section 2). The unit's secretary calls the
//! election once the congress has apportioned the unit's mandates, members nominate and accept,
//! the members with a vote on the congress's membership day cast ranked ballots (secret: who
//! voted is kept apart from the ballots), and the close counts them by STV: the elected become
//! the unit's delegates, sharing its mandates (`core_rules::congress::delegates`), and the others
//! who stood become its substitutes, in the order of further counts (each one the winner of one
//! seat with those ahead of them withdrawn). Everything is one transaction per step.

use crate::congress::{event, random_key, Kind};
use crate::refused;
use crate::{Result, Store, StoreError};
use core_rules::congress::delegates::share_mandates;
use core_rules::congress::delegates::ElectionState;
use core_rules::people::Status;
use core_rules::Day;
use core_rules::{Refusal, Typed};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug)]
pub struct DelegateElection {
    pub id: i64,
    pub congress_id: i64,
    pub unit_id: i64,
    pub method: String,
    pub state: ElectionState,
    /// The count's report (count::Report as JSON), once closed.
    pub report: Option<String>,
    /// The unit's mandates at this congress: the seats filled.
    pub mandates: u64,
    pub membership_on: Day,
    pub congress_name: String,
}

#[derive(Clone, Debug)]
pub struct DelegateCandidate {
    pub id: i64,
    pub person_id: i64,
    pub pseudonym: String,
    pub accepted: bool,
}

/// What the close did: the delegates (person, mandates) in order of election, the substitutes in
/// order, and the count.
#[derive(Clone, Debug)]
pub struct DelegateOutcome {
    pub delegates: Vec<(i64, u64)>,
    pub substitutes: Vec<i64>,
    pub report: count::Report,
}

const ELECTION_SELECT: &str =
    "SELECT e.id, e.congress_id, e.unit_id, e.method, e.state, e.report, m.mandates, \
     c.membership_on, c.name FROM unit_delegate_elections e \
     JOIN congresses c ON c.id = e.congress_id \
     JOIN congress_mandates m ON m.congress_id = e.congress_id AND m.unit_id = e.unit_id";

fn election_row(r: &sqlx::any::AnyRow) -> Result<DelegateElection> {
    let day: String = r.try_get("membership_on")?;
    Ok(DelegateElection {
        id: r.try_get("id")?,
        congress_id: r.try_get("congress_id")?,
        unit_id: r.try_get("unit_id")?,
        method: r.try_get("method")?,
        state: {
            let s: String = r.try_get("state")?;
            ElectionState::parse(&s).ok_or_else(|| {
                StoreError::Internal(format!("unknown delegate election state {s:?}"))
            })?
        },
        report: r.try_get("report")?,
        mandates: r.try_get::<i64, _>("mandates")?.max(0) as u64,
        membership_on: Day::parse(&day).map_err(|e| StoreError::Internal(e.to_string()))?,
        congress_name: r.try_get("name")?,
    })
}

impl Store {
    /// The unit's secretary calls the election of its delegates to a congress at which the unit
    /// holds mandates. One election per unit and congress.
    pub async fn call_delegate_election(
        &self,
        congress: i64,
        unit: i64,
        method: &str,
        by: Option<i64>,
    ) -> Result<i64> {
        self.congress_or(congress).await?;
        if !matches!(method, "scottish_stv" | "meek") {
            return Err(
                Refusal::on("method", "unknown method {}: use scottish_stv or meek")
                    .arg(Typed(method))
                    .into(),
            );
        }
        let mut tx = self.write().await?;
        let mandates: Option<i64> = sqlx::query_scalar(
            "SELECT mandates FROM congress_mandates WHERE congress_id = $1 AND unit_id = $2",
        )
        .bind(congress)
        .bind(unit)
        .fetch_optional(&mut *tx)
        .await?;
        if mandates.unwrap_or(0) <= 0 {
            return Err(refused(
                "this unit holds no mandate at that congress: it has no delegates to elect",
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO unit_delegate_elections (congress_id, unit_id, method, state) \
             VALUES ($1, $2, $3, 'nominating') RETURNING id",
        )
        .bind(congress)
        .bind(unit)
        .bind(method)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.message().to_lowercase().contains("unique") => {
                refused("this unit has already called the election of its delegates")
            }
            e => e.into(),
        })?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.delegate_election",
            Some(("unit", unit)),
            &[("congress", congress.into()), ("election", id.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The congresses at which the unit holds mandates, with their number, newest first: those
    /// whose delegates it may elect.
    pub async fn congresses_with_mandates(&self, unit: i64) -> Result<Vec<(i64, String, u64)>> {
        let rows = sqlx::query(
            "SELECT c.id, c.name, m.mandates FROM congress_mandates m JOIN congresses c ON c.id = m.congress_id \
             WHERE m.unit_id = $1 AND m.mandates > 0 ORDER BY c.held_on DESC, c.id DESC",
        )
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("name")?,
                    r.try_get::<i64, _>("mandates")?.max(0) as u64,
                ))
            })
            .collect()
    }

    pub async fn delegate_election(&self, id: i64) -> Result<Option<DelegateElection>> {
        sqlx::query(&format!("{ELECTION_SELECT} WHERE e.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| election_row(&r))
            .transpose()
    }

    /// The unit's delegate elections, newest congress first (one query).
    pub async fn delegate_elections_of(&self, unit: i64) -> Result<Vec<DelegateElection>> {
        sqlx::query(&format!(
            "{ELECTION_SELECT} WHERE e.unit_id = $1 ORDER BY c.held_on DESC, e.id DESC"
        ))
        .bind(unit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(election_row)
        .collect()
    }

    async fn delegate_election_or(&self, id: i64) -> Result<DelegateElection> {
        self.delegate_election(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("election {id}")))
    }

    pub async fn delegate_candidates(&self, election: i64) -> Result<Vec<DelegateCandidate>> {
        let rows = sqlx::query(
            "SELECT c.id, c.person_id, p.pseudonym, c.accepted FROM unit_delegate_candidates c \
             JOIN persons p ON p.id = c.person_id WHERE c.election_id = $1 ORDER BY c.id",
        )
        .bind(election)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DelegateCandidate {
                    id: r.try_get("id")?,
                    person_id: r.try_get("person_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    accepted: r.try_get::<i64, _>("accepted")? != 0,
                })
            })
            .collect()
    }

    /// Whether a person may stand and vote in the unit's election: a member of the unit now,
    /// with a vote on the congress's membership day (under the statutes in force that day).
    /// Anyone else is "not found", as if they did not exist: the unit's members see its
    /// members, not its supporters or applicants, and nobody of another unit.
    async fn delegate_elector(&self, e: &DelegateElection, person: i64) -> Result<()> {
        let not_found = || StoreError::NotFound(format!("person {person}"));
        let p = self.person(person).await?.ok_or_else(not_found)?;
        if p.unit_id != e.unit_id || p.status != Status::Member {
            return Err(not_found());
        }
        let (standing, _) = self.standing(person, e.membership_on).await?;
        if !standing.vote {
            // Whether a member of one's own unit has a vote is what the list of electors shows;
            // why not (their dues, their attendance) is for them and their secretary.
            return Err(Refusal::new(
                "that member had no vote on {}, the congress's membership day, so cannot take part in this election",
            )
            .arg(e.membership_on)
            .into());
        }
        Ok(())
    }

    /// The unit's members with a vote on the membership day: those who may vote.
    pub async fn delegate_electors(&self, election: i64) -> Result<Vec<i64>> {
        let e = self.delegate_election_or(election).await?;
        let mut out = Vec::new();
        for p in self.people_of_unit(e.unit_id).await? {
            if p.status == Status::Member && self.standing(p.id, e.membership_on).await?.0.vote {
                out.push(p.id);
            }
        }
        Ok(out)
    }

    /// Nominates a member with a vote (by the secretary, or a member nominating themself).
    pub async fn nominate_delegate(
        &self,
        election: i64,
        person: i64,
        by: Option<i64>,
    ) -> Result<i64> {
        let e = self.delegate_election_or(election).await?;
        if e.state != ElectionState::Nominating {
            return Err(refused("nominations are closed"));
        }
        self.delegate_elector(&e, person).await?;
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO unit_delegate_candidates (election_id, person_id, accepted) \
             VALUES ($1, $2, 0) RETURNING id",
        )
        .bind(election)
        .bind(person)
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| match err {
            sqlx::Error::Database(d) if d.message().to_lowercase().contains("unique") => {
                refused("that member is already nominated")
            }
            err => err.into(),
        })?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.delegate_nominate",
            Some(("unit", e.unit_id)),
            &[("election", election.into()), ("candidate", id.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The nominee accepts (or declines): only the person nominated, while nominations are open.
    pub async fn accept_delegate_nomination(
        &self,
        candidate: i64,
        person: i64,
        accept: bool,
        by: Option<i64>,
    ) -> Result<()> {
        let r = sqlx::query(
            "SELECT c.election_id, c.person_id FROM unit_delegate_candidates c WHERE c.id = $1",
        )
        .bind(candidate)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("candidate {candidate}")))?;
        if r.try_get::<i64, _>("person_id")? != person {
            return Err(StoreError::NotFound(format!("candidate {candidate}")));
        }
        let e = self.delegate_election_or(r.try_get("election_id")?).await?;
        if e.state != ElectionState::Nominating {
            return Err(refused("nominations are closed"));
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE unit_delegate_candidates SET accepted = $1 WHERE id = $2")
            .bind(accept as i64)
            .bind(candidate)
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.delegate_accept",
            Some(("unit", e.unit_id)),
            &[("accepted", (accept as i64).into())],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens the ballot: nominations close; only candidates who accepted stand.
    pub async fn open_delegate_election(&self, election: i64, by: Option<i64>) -> Result<()> {
        let e = self.delegate_election_or(election).await?;
        if e.state != ElectionState::Nominating {
            return Err(refused("this election's ballot is already open or closed"));
        }
        let standing = self
            .delegate_candidates(election)
            .await?
            .iter()
            .filter(|c| c.accepted)
            .count();
        if standing == 0 {
            return Err(refused("no candidate has accepted a nomination"));
        }
        let mut tx = self.write().await?;
        // The state is checked again inside the transaction: two openings cannot both pass.
        let n = sqlx::query(
            "UPDATE unit_delegate_elections SET state = 'open' WHERE id = $1 AND state = 'nominating'",
        )
        .bind(election)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(refused("this election's ballot is already open or closed"));
        }
        crate::audit::append(
            &mut tx,
            by,
            "congress.delegate_open",
            Some(("unit", e.unit_id)),
            &[("candidates", standing.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn has_voted_for_delegates(&self, election: i64, person: i64) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM unit_delegate_voters WHERE election_id = $1 AND person_id = $2",
        )
        .bind(election)
        .bind(person)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// A member's ranked ballot (candidate ids, most preferred first), secret. Refused, with the
    /// first kept: a second ballot, a ballot when the ballot is not open, a ballot by someone
    /// without a vote in the unit on the membership day.
    pub async fn cast_delegate_ballot(
        &self,
        election: i64,
        person: i64,
        ranking: &[i64],
        by: Option<i64>,
    ) -> Result<()> {
        let e = self.delegate_election_or(election).await?;
        self.delegate_elector(&e, person).await?;
        let standing: BTreeSet<i64> = self
            .delegate_candidates(election)
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
        let state: String =
            sqlx::query_scalar("SELECT state FROM unit_delegate_elections WHERE id = $1")
                .bind(election)
                .fetch_one(&mut *tx)
                .await?;
        if state != ElectionState::Open.code() {
            return Err(refused("this election's ballot is not open"));
        }
        let voted: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM unit_delegate_voters WHERE election_id = $1 AND person_id = $2",
        )
        .bind(election)
        .bind(person)
        .fetch_one(&mut *tx)
        .await?;
        if voted > 0 {
            return Err(refused("you have already voted; the first ballot stands"));
        }
        sqlx::query("INSERT INTO unit_delegate_voters (election_id, person_id) VALUES ($1, $2)")
            .bind(election)
            .bind(person)
            .execute(&mut *tx)
            .await?;
        let r = ranking
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query(
            "INSERT INTO unit_delegate_ballots (id, election_id, ranking) VALUES ($1, $2, $3)",
        )
        .bind(random_key())
        .bind(election)
        .bind(&r)
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.delegate_ballot",
            Some(("unit", e.unit_id)),
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes the ballot and counts it: the elected are registered at the congress as the unit's
    /// delegates with its mandates, the others who stood as substitutes, in order. Refused when
    /// someone elected already takes part in the congress, or when delegates of the unit were
    /// registered by hand meanwhile (the unit's mandates would be held twice).
    pub async fn close_delegate_election(
        &self,
        election: i64,
        by: Option<i64>,
    ) -> Result<DelegateOutcome> {
        let e = self.delegate_election_or(election).await?;
        if e.state != ElectionState::Open {
            return Err(refused("this election's ballot is not open"));
        }
        let cands: Vec<DelegateCandidate> = self
            .delegate_candidates(election)
            .await?
            .into_iter()
            .filter(|c| c.accepted)
            .collect();
        let mut tx = self.write().await?;
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT ranking FROM unit_delegate_ballots WHERE election_id = $1 ORDER BY id",
        )
        .bind(election)
        .fetch_all(&mut *tx)
        .await?;
        let (report, elected, substitutes) = count_delegates(&e, &cands, rows)?;
        let shares = share_mandates(e.mandates, elected.len());
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM congress_participants WHERE congress_id = $1 AND unit_id = $2 \
             AND kind = 'delegate' AND credential <> 'rejected'",
        )
        .bind(e.congress_id)
        .bind(e.unit_id)
        .fetch_one(&mut *tx)
        .await?;
        if held > 0 {
            return Err(refused(
                "delegates of this unit are already registered at the congress: its mandates cannot be held twice",
            ));
        }
        let mut outcome = DelegateOutcome {
            delegates: Vec::new(),
            substitutes: Vec::new(),
            report: report.clone(),
        };
        let entries = elected
            .iter()
            .zip(shares.iter().copied())
            .map(|(i, m)| (*i, Kind::Delegate, m))
            .chain(substitutes.iter().map(|i| (*i, Kind::Substitute, 0)));
        for (i, kind, mandates) in entries {
            let c = &cands[i];
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO congress_participants (congress_id, person_id, unit_id, kind, mandates, credential, present) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', 0) RETURNING id",
            )
            .bind(e.congress_id)
            .bind(c.person_id)
            .bind(e.unit_id)
            .bind(kind.code())
            .bind(mandates as i64)
            .fetch_one(&mut *tx)
            .await
            .map_err(|err| match err {
                sqlx::Error::Database(d) if d.message().to_lowercase().contains("unique") => {
                    refused("an elected candidate already takes part in this congress")
                }
                err => err.into(),
            })?;
            event(
                &mut tx,
                e.congress_id,
                &crate::congress::Happening::Registered { kind },
                Some(id),
                None,
            )
            .await?;
            match kind {
                Kind::Delegate => outcome.delegates.push((c.person_id, mandates)),
                _ => outcome.substitutes.push(c.person_id),
            }
        }
        sqlx::query(
            "UPDATE unit_delegate_elections SET state = 'closed', report = $1 WHERE id = $2",
        )
        .bind(report.to_json())
        .bind(election)
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.delegate_close",
            Some(("unit", e.unit_id)),
            &[
                ("ballots", report.ballots.into()),
                ("elected", outcome.delegates.len().into()),
                ("substitutes", outcome.substitutes.len().into()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.changed(e.congress_id, core_rules::congress::record::Part::Presence);
        Ok(outcome)
    }
}

/// Counts a unit's delegate election from its ballots (each a ranking of candidate ids): the
/// count's report, the elected (by their place in `cands`, at most one per mandate) and the
/// substitutes in order, each the winner of one more seat with everyone ahead withdrawn.
fn count_delegates(
    e: &DelegateElection,
    cands: &[DelegateCandidate],
    rows: Vec<String>,
) -> Result<(count::Report, Vec<usize>, Vec<usize>)> {
    let election = e.id;
    let index: BTreeMap<i64, u16> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i as u16))
        .collect();
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
    if tally.is_empty() {
        return Err(refused("no ballot has been cast: nothing to count"));
    }
    // Names in the count are party names, made distinct where two candidates share one.
    let mut names: Vec<String> = Vec::new();
    for c in cands {
        let mut n = c.pseudonym.clone();
        if names.contains(&n) {
            n = format!("{} (candidate {})", c.pseudonym, c.id);
        }
        names.push(n);
    }
    let profile = |withdrawn: Vec<usize>, seats: usize| count::Profile {
        title: format!("Delegates to {}", e.congress_name),
        candidates: names.clone(),
        parties: vec![None; cands.len()],
        seats: Some(seats),
        withdrawn,
        ballots: tally
            .iter()
            .map(|(p, w)| count::Ballot::strict(*w, p.clone()))
            .collect(),
    };
    let run = |p: &count::Profile, seats: usize| {
        match e.method.as_str() {
            "meek" => count::meek::count(p, seats, election as u64),
            _ => count::scottish_stv::count(p, seats, election as u64),
        }
        .map_err(|err| StoreError::Internal(format!("the count could not be made: {err}")))
    };
    let seats = (e.mandates as usize).min(cands.len()).max(1);
    let report = run(&profile(Vec::new(), seats), seats)?;
    let position = |name: &String| names.iter().position(|n| n == name);
    let mut elected: Vec<usize> = report.elected.iter().filter_map(position).collect();
    // Substitutes: each the winner of one more seat with everyone ahead withdrawn.
    let mut substitutes: Vec<usize> = Vec::new();
    while elected.len() + substitutes.len() < cands.len() {
        let withdrawn: Vec<usize> = elected.iter().chain(&substitutes).copied().collect();
        let next = run(&profile(withdrawn.clone(), 1), 1)?
            .elected
            .iter()
            .filter_map(position)
            .find(|i| !withdrawn.contains(i));
        match next {
            Some(i) => substitutes.push(i),
            None => break,
        }
    }
    elected.truncate(seats);
    Ok((report, elected, substitutes))
}
