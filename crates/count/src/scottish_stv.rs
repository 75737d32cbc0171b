//! Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42),
//! Schedule 1, rules 45–52, to the letter.
//!
//! - Rule 45: first preferences, one vote per paper.
//! - Rule 46: quota = floor(valid papers / (seats + 1)) + 1.
//! - Rule 47: a candidate whose votes equal or exceed the quota is elected.
//! - Rule 48: a surplus is transferred by the weighted inclusive Gregory method: *every*
//!   paper the candidate holds moves on, each at transfer value
//!   `surplus × (value of the paper when received) / (candidate's total)`, calculated
//!   to five decimal places, any remainder ignored. Papers with no further continuing
//!   preference are non-transferable at that value.
//! - Rule 49: the largest surplus goes first; equal surpluses are separated by the most
//!   recent preceding stage at which the candidates' votes were unequal, then by lot.
//! - Rule 50: otherwise the lowest candidate is excluded; their papers move at the value
//!   at which each was received.
//! - Rule 51: equal lowest candidates are separated like rule 49 (lowest excluded), then by lot.
//! - Rule 52: when the continuing candidates number the vacancies left, all are elected
//!   and no further transfer is made.
//!
//! All arithmetic is in integers counting units of 0.00001 (five decimals, as rule 48(3)
//! prescribes). A paper's value "when received" is kept on the paper itself: it only
//! changes when the paper is transferred as part of a surplus, so it is always the
//! value at which the current holder received it.

use crate::error::CountError;
use crate::fixed;
use crate::lot::{Lot, Purpose, When};
use crate::profile::Profile;
use crate::report::{Note, Report, Stage, Status, Transfer};
use std::collections::HashMap;

/// Five decimal places (rule 48(3)).
pub const PLACES: u32 = 5;
const ONE: i64 = fixed::scale(PLACES);

/// A parcel of identical ballot papers sitting with one candidate. It carries all a
/// transfer needs (where its preferences are, how many papers, their value), so moving
/// it touches the shared preference array once: with a million ballots the count is
/// bound by memory access, not arithmetic.
#[derive(Clone, Copy)]
struct Paper {
    /// Index in the flat preference array of the candidate now holding it.
    at: u32,
    /// End of this ballot's preferences in the flat array.
    end: u32,
    /// Number of identical papers.
    weight: i64,
    /// Value of each paper in units of 0.00001, as received by its holder.
    value: i64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Hopeful,
    /// Elected; `true` while the surplus is still to be transferred.
    Elected(bool),
    Excluded,
    Withdrawn,
}

/// Raw outcome of a count, for callers that want numbers rather than a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Candidate indices in order of election.
    pub elected: Vec<usize>,
    /// Quota in units of 0.00001.
    pub quota: i64,
    /// Votes of every candidate at the end of each stage, in units of 0.00001.
    pub stage_votes: Vec<Vec<i64>>,
    /// Cumulative non-transferable votes at the end of each stage.
    pub stage_non_transferable: Vec<i64>,
}

/// Count `profile` for `seats` vacancies. `seed` seeds any lot drawn (rules 49(3), 51(2)(b)).
pub fn count(profile: &Profile, seats: usize, seed: u64) -> Result<Report, CountError> {
    count_full(profile, seats, seed).map(|(r, _)| r)
}

/// Count and return both the report and the raw outcome.
pub fn count_full(
    profile: &Profile,
    seats: usize,
    seed: u64,
) -> Result<(Report, Outcome), CountError> {
    if seats == 0 {
        return Err(CountError::NoSeats);
    }
    let n = profile.candidates.len();
    if n == 0 {
        return Err(CountError::NoCandidates);
    }
    profile.validate()?;
    for (i, b) in profile.ballots.iter().enumerate() {
        if !b.is_strict() {
            return Err(CountError::EqualRankings("Scottish STV", i + 1));
        }
    }
    let names = profile.display_names();
    let mut c = Counter::new(profile, &names, seats, seed);
    c.run();
    Ok(c.finish())
}

struct Counter<'a> {
    /// All ballots' preferences end to end; ballot `b` is `prefs[start[b]..start[b + 1]]`.
    /// One flat array keeps transfers cache-friendly with a million ballots.
    prefs: Vec<u16>,
    /// Ballot `b`'s preferences run from `start[b]` to `start[b + 1]`.
    start: Vec<u32>,
    weight: Vec<i64>,
    names: &'a [String],
    seats: usize,
    state: Vec<State>,
    votes: Vec<i64>,
    piles: Vec<Vec<Paper>>,
    quota: i64,
    non_transferable: i64,
    history: Vec<Vec<i64>>,
    elected: Vec<usize>,
    lot: Lot,
    report: Report,
    stage_nt: Vec<i64>,
}

impl<'a> Counter<'a> {
    fn new(profile: &'a Profile, names: &'a [String], seats: usize, seed: u64) -> Self {
        let n = profile.candidates.len();
        let mut state = vec![State::Hopeful; n];
        for &w in &profile.withdrawn {
            state[w] = State::Withdrawn;
        }
        let mut report = Report::new("scottish-stv", &profile.title, names.to_vec(), seats);
        report.seed = seed;
        let mut prefs = Vec::new();
        let mut start = Vec::with_capacity(profile.ballots.len() + 1);
        let mut weight = Vec::with_capacity(profile.ballots.len());
        for b in &profile.ballots {
            start.push(prefs.len() as u32);
            prefs.extend_from_slice(&b.prefs);
            weight.push(b.weight as i64);
        }
        start.push(prefs.len() as u32);
        Counter {
            prefs,
            start,
            weight,
            names,
            seats,
            state,
            votes: vec![0; n],
            piles: vec![Vec::new(); n],
            quota: 0,
            non_transferable: 0,
            history: Vec::new(),
            elected: Vec::new(),
            lot: Lot::new(seed),
            report,
            stage_nt: Vec::new(),
        }
    }

    fn hopeful(&self) -> Vec<usize> {
        (0..self.state.len())
            .filter(|&c| self.state[c] == State::Hopeful)
            .collect()
    }

    /// The first continuing candidate in the flat preferences from `from` to `end`,
    /// with where it stands.
    fn next_continuing(&self, from: u32, end: u32) -> Option<(u32, usize)> {
        (from..end)
            .map(|p| (p, self.prefs[p as usize] as usize))
            .find(|&(_, c)| self.state[c] == State::Hopeful)
    }

    fn run(&mut self) {
        // Rule 45: sort the papers by first preference (skipping withdrawn candidates).
        let mut valid: u64 = 0;
        for b in 0..self.weight.len() {
            let w = self.weight[b] as u64;
            if w == 0 {
                continue;
            }
            if let Some((at, c)) = self.next_continuing(self.start[b], self.start[b + 1]) {
                self.piles[c].push(Paper {
                    at,
                    end: self.start[b + 1],
                    weight: w as i64,
                    value: ONE,
                });
                self.votes[c] += w as i64 * ONE;
                valid += w;
            }
        }
        self.report.ballots = valid;
        // Rule 46.
        self.quota = (valid as i64 / (self.seats as i64 + 1) + 1) * ONE;
        self.report.quota = Some(fixed::format(self.quota, PLACES));
        self.push_stage(
            "first",
            None,
            Note::FirstPreferences { rule: Some(45) },
            Vec::new(),
        );

        loop {
            // Rule 47: candidates reaching the quota are elected, the highest first.
            let mut reached: Vec<usize> = self
                .hopeful()
                .into_iter()
                .filter(|&c| self.votes[c] >= self.quota)
                .collect();
            while !reached.is_empty() {
                let top = reached.iter().map(|&c| self.votes[c]).max().unwrap_or(0);
                let tied: Vec<usize> = reached
                    .iter()
                    .copied()
                    .filter(|&c| self.votes[c] == top)
                    .collect();
                let c = self.break_tie(&tied, true, Purpose::OrderOfElection);
                reached.retain(|&x| x != c);
                self.state[c] = State::Elected(self.votes[c] > self.quota);
                let candidate = self.names[c].clone();
                self.elect(
                    c,
                    Note::ReachesQuota {
                        candidate,
                        rule: 47,
                    },
                );
            }
            let left = self.seats.saturating_sub(self.elected.len());
            if left == 0 {
                break;
            }
            let hopeful = self.hopeful();
            if hopeful.len() <= left {
                // Rule 52: the continuing candidates fill the last vacancies.
                let mut rest = hopeful;
                rest.sort_by(|&a, &b| self.votes[b].cmp(&self.votes[a]).then(a.cmp(&b)));
                for c in rest {
                    self.state[c] = State::Elected(false);
                    let candidate = self.names[c].clone();
                    self.elect(
                        c,
                        Note::FillsLastVacancy {
                            candidate,
                            rule: 52,
                        },
                    );
                }
                break;
            }

            // Rules 48-49: transfer the largest surplus first.
            let pending: Vec<usize> = (0..self.state.len())
                .filter(|&c| self.state[c] == State::Elected(true))
                .collect();
            if !pending.is_empty() {
                let top = pending.iter().map(|&c| self.votes[c]).max().unwrap_or(0);
                let tied: Vec<usize> = pending
                    .into_iter()
                    .filter(|&c| self.votes[c] == top)
                    .collect();
                let c = self.break_tie(&tied, true, Purpose::LargestSurplus);
                self.transfer_surplus(c);
                continue;
            }

            // Rules 50-51: exclude the lowest continuing candidate.
            let low = hopeful.iter().map(|&c| self.votes[c]).min().unwrap_or(0);
            let tied: Vec<usize> = hopeful
                .into_iter()
                .filter(|&c| self.votes[c] == low)
                .collect();
            let c = self.break_tie(&tied, false, Purpose::Exclusion);
            self.exclude(c);
        }
    }

    fn elect(&mut self, c: usize, why: Note) {
        self.elected.push(c);
        let st = self.report.stages.last_mut().expect("first stage exists");
        st.elected.push(self.names[c].clone());
        st.status[c] = Status::Elected;
        st.notes.push(why);
    }

    /// Rules 49(2)-(3) and 51(2): look back to the most recent stage at which the tied
    /// candidates had unequal votes, narrowing the field at each stage, then draw lots.
    fn break_tie(&mut self, tied: &[usize], highest: bool, purpose: fn(When) -> Purpose) -> usize {
        if tied.len() == 1 {
            return tied[0];
        }
        let mut field = tied.to_vec();
        for snap in self.history.iter().rev() {
            let vals = field.iter().map(|&c| snap[c]);
            let ext = if highest { vals.max() } else { vals.min() }.unwrap_or(0);
            let narrowed: Vec<usize> = field.iter().copied().filter(|&c| snap[c] == ext).collect();
            if narrowed.len() < field.len() {
                field = narrowed;
                if field.len() == 1 {
                    return field[0];
                }
            }
        }
        let stage = self.report.stages.len();
        self.lot
            .choose(&field, self.names, purpose(When::AfterStage(stage)))
    }

    fn transfer_surplus(&mut self, c: usize) {
        let total = self.votes[c];
        let surplus = total - self.quota;
        let pile = std::mem::take(&mut self.piles[c]);
        let mut moves = Moves::new(self.names.len());
        // Papers arrive in parcels of equal value: remember the last value's result.
        let mut last = (-1i64, 0i64);
        for paper in pile {
            let w = paper.weight;
            // Rule 48(3): A = surplus × value when received; B = total; A / B to 5 places.
            let tv = if paper.value == last.0 {
                last.1
            } else {
                let tv = fixed::mul_div_floor(surplus, paper.value, total);
                last = (paper.value, tv);
                tv
            };
            match self.next_continuing(paper.at + 1, paper.end) {
                Some((at, to)) => {
                    self.piles[to].push(Paper {
                        at,
                        value: tv,
                        ..paper
                    });
                    self.votes[to] += w * tv;
                    moves.add(Some(to), tv, w as u64);
                }
                None => {
                    self.non_transferable += w * tv;
                    moves.add(None, tv, w as u64);
                }
            }
        }
        // The elected candidate keeps exactly the quota; what truncation lost is in no pile.
        self.votes[c] = self.quota;
        self.state[c] = State::Elected(false);
        let desc = Note::Surplus {
            candidate: self.names[c].clone(),
            surplus: fixed::format(surplus, PLACES),
            rule: 48,
        };
        let transfers = moves.into_transfers(&self.names[c], self.names);
        self.push_stage("surplus", Some(c), desc, transfers);
    }

    fn exclude(&mut self, c: usize) {
        self.state[c] = State::Excluded;
        let pile = std::mem::take(&mut self.piles[c]);
        let mut moves = Moves::new(self.names.len());
        for paper in pile {
            let w = paper.weight;
            // Rule 50(4): each paper keeps the value at which it was received.
            match self.next_continuing(paper.at + 1, paper.end) {
                Some((at, to)) => {
                    self.piles[to].push(Paper { at, ..paper });
                    self.votes[to] += w * paper.value;
                    moves.add(Some(to), paper.value, w as u64);
                }
                None => {
                    self.non_transferable += w * paper.value;
                    moves.add(None, paper.value, w as u64);
                }
            }
        }
        let had = self.votes[c];
        self.votes[c] = 0;
        let desc = Note::Excluded {
            candidate: self.names[c].clone(),
            votes: fixed::format(had, PLACES),
            rule: 50,
        };
        let transfers = moves.into_transfers(&self.names[c], self.names);
        self.push_stage("exclusion", Some(c), desc, transfers);
        let st = self.report.stages.last_mut().expect("stage just pushed");
        st.excluded.push(self.names[c].clone());
    }

    fn push_stage(
        &mut self,
        kind: &str,
        candidate: Option<usize>,
        note: Note,
        transfers: Vec<Transfer>,
    ) {
        self.history.push(self.votes.clone());
        self.stage_nt.push(self.non_transferable);
        let status = self
            .state
            .iter()
            .map(|s| match s {
                State::Hopeful => Status::Hopeful,
                State::Elected(_) => Status::Elected,
                State::Excluded => Status::Excluded,
                State::Withdrawn => Status::Withdrawn,
            })
            .collect();
        let number = self.report.stages.len() + 1;
        self.report.stages.push(Stage {
            number,
            kind: kind.to_string(),
            candidate: candidate.map(|c| self.names[c].clone()),
            notes: vec![note],
            votes: self
                .votes
                .iter()
                .map(|&v| fixed::format(v, PLACES))
                .collect(),
            status,
            non_transferable: Some(fixed::format(self.non_transferable, PLACES)),
            keep_values: None,
            quota: None,
            transfers,
            elected: Vec::new(),
            excluded: Vec::new(),
        });
    }

    fn finish(mut self) -> (Report, Outcome) {
        if self.elected.len() < self.seats {
            self.report.notes.push(Note::Unfilled {
                elected: self.elected.len(),
                seats: self.seats,
            });
        }
        self.report.elected = self
            .elected
            .iter()
            .map(|&c| self.names[c].clone())
            .collect();
        self.report.lots = std::mem::take(&mut self.lot.draws);
        let outcome = Outcome {
            elected: self.elected,
            quota: self.quota,
            stage_votes: self.history,
            stage_non_transferable: self.stage_nt,
        };
        (self.report, outcome)
    }
}

/// Papers moved in one stage, grouped by destination and value.
struct Moves {
    index: HashMap<(usize, i64), usize>,
    /// Per destination (the last slot for non-transferable), the last value seen and its
    /// row: papers of one parcel usually share a value, so this skips the hash map.
    last: Vec<(i64, usize)>,
    rows: Vec<(usize, i64, u64)>,
}

impl Moves {
    fn new(ncand: usize) -> Self {
        Moves {
            index: HashMap::new(),
            last: vec![(-1, 0); ncand + 1],
            rows: Vec::new(),
        }
    }

    fn add(&mut self, to: Option<usize>, value: i64, papers: u64) {
        let slot_of = to.unwrap_or(self.last.len() - 1);
        let to = to.unwrap_or(usize::MAX);
        let (v, row) = self.last[slot_of];
        if v == value {
            self.rows[row].2 += papers;
            return;
        }
        let slot = *self.index.entry((to, value)).or_insert_with(|| {
            self.rows.push((to, value, 0));
            self.rows.len() - 1
        });
        self.rows[slot].2 += papers;
        self.last[slot_of] = (value, slot);
    }

    fn into_transfers(mut self, from: &str, names: &[String]) -> Vec<Transfer> {
        self.rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        self.rows
            .into_iter()
            .map(|(to, value, papers)| Transfer {
                from: from.to_string(),
                to: if to == usize::MAX {
                    None
                } else {
                    Some(names[to].clone())
                },
                papers,
                value: fixed::format(value, PLACES),
                votes: fixed::format(value * papers as i64, PLACES),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Ballot;

    fn profile(n: usize, ballots: &[(u64, &[u16])]) -> Profile {
        Profile {
            title: "t".into(),
            candidates: (0..n).map(|i| format!("C{}", i + 1)).collect(),
            parties: vec![None; n],
            seats: None,
            withdrawn: vec![],
            ballots: ballots
                .iter()
                .map(|(w, p)| Ballot::strict(*w, p.to_vec()))
                .collect(),
        }
    }

    #[test]
    fn quota_and_surplus_transfer_values() {
        // 10 ballots, 2 seats: quota = floor(10/3)+1 = 4.
        let p = profile(3, &[(7, &[0, 1]), (2, &[1]), (1, &[2])]);
        let (r, o) = count_full(&p, 2, 0).unwrap();
        assert_eq!(o.quota, 4 * ONE);
        // Surplus 3 of 7: each paper worth trunc5(3/7) = 0.42857; 7 papers → 2.99999.
        assert_eq!(r.stages[1].transfers[0].value, "0.42857");
        assert_eq!(o.stage_votes[1][1], 2 * ONE + 7 * 42857);
        assert_eq!(o.elected, vec![0, 1]);
    }

    #[test]
    fn last_vacancies_without_transfer() {
        let p = profile(2, &[(3, &[0]), (1, &[1])]);
        let r = count(&p, 2, 0).unwrap();
        assert_eq!(r.elected, vec!["C1", "C2"]);
    }

    #[test]
    fn tie_for_exclusion_uses_earlier_stage_then_lot() {
        // C3 and C4 tie at stage 1 and after; lots decide, reproducibly with the seed.
        let p = profile(4, &[(5, &[0]), (4, &[1]), (2, &[2]), (2, &[3])]);
        let a = count(&p, 1, 7).unwrap();
        let b = count(&p, 1, 7).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.lots.len(), 1);
        assert_eq!(a.lots[0].among, vec!["C3", "C4"]);
    }
}
