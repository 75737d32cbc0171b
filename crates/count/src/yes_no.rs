//! Yes/no/abstain per candidate: each voter answers every candidate separately.
//!
//! A candidate qualifies when their yes votes are a majority of the yes and no votes
//! on them (abstentions do not count), or meet a stricter threshold if the statutes
//! say so. Qualified candidates fill the seats in order of yes votes, then of fewer
//! no votes; a tie at the last seat is decided by lot.

use crate::error::CountError;
use crate::lot::{Lot, Purpose};
use crate::report::{Note, Report, Stage, Status};
use serde::{Deserialize, Serialize};

/// One voter's answers (or `weight` identical voters').
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    #[serde(default = "one")]
    pub weight: u64,
    /// One of `Y`, `N`, `A` per candidate, in candidate order.
    pub answers: Vec<Answer>,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    #[serde(alias = "yes", alias = "y")]
    Y,
    #[serde(alias = "no", alias = "n")]
    N,
    #[serde(alias = "abstain", alias = "a")]
    A,
}

/// The share of yes among yes+no a candidate needs: `num/den`, strictly more when `strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub num: u64,
    pub den: u64,
    pub strict: bool,
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold {
            num: 1,
            den: 2,
            strict: true,
        }
    }
}

/// Totals per candidate: (yes, no, abstain).
pub fn totals(ncand: usize, votes: &[Answers]) -> Result<Vec<(u64, u64, u64)>, CountError> {
    let mut t = vec![(0u64, 0u64, 0u64); ncand];
    for (i, v) in votes.iter().enumerate() {
        if v.answers.len() != ncand {
            return Err(CountError::Invalid(format!(
                "ballot {} answers {} candidates, not {}",
                i + 1,
                v.answers.len(),
                ncand
            )));
        }
        for (c, a) in v.answers.iter().enumerate() {
            match a {
                Answer::Y => t[c].0 += v.weight,
                Answer::N => t[c].1 += v.weight,
                Answer::A => t[c].2 += v.weight,
            }
        }
    }
    Ok(t)
}

pub fn count(
    candidates: &[String],
    votes: &[Answers],
    seats: usize,
    threshold: Threshold,
    seed: u64,
) -> Result<Report, CountError> {
    if seats == 0 {
        return Err(CountError::NoSeats);
    }
    if candidates.is_empty() {
        return Err(CountError::NoCandidates);
    }
    if threshold.den == 0 || threshold.num > threshold.den {
        return Err(CountError::Invalid(
            "threshold must be a fraction of at most 1".into(),
        ));
    }
    let t = totals(candidates.len(), votes)?;
    let qualifies = |(y, n, _): (u64, u64, u64)| {
        let lhs = y as u128 * threshold.den as u128;
        let rhs = threshold.num as u128 * (y + n) as u128;
        y + n > 0
            && if threshold.strict {
                lhs > rhs
            } else {
                lhs >= rhs
            }
    };
    let mut order: Vec<usize> = (0..candidates.len()).filter(|&c| qualifies(t[c])).collect();
    order.sort_by(|&a, &b| {
        t[b].0
            .cmp(&t[a].0)
            .then(t[a].1.cmp(&t[b].1))
            .then(a.cmp(&b))
    });
    let mut lot = Lot::new(seed);
    let mut winners: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < order.len() && winners.len() < seats {
        let key = (t[order[i]].0, t[order[i]].1);
        let group: Vec<usize> = order[i..]
            .iter()
            .copied()
            .take_while(|&c| (t[c].0, t[c].1) == key)
            .collect();
        i += group.len();
        let room = seats - winners.len();
        if group.len() <= room {
            winners.extend(group);
        } else {
            let mut pool = group;
            for _ in 0..room {
                let c = lot.choose(&pool, candidates, Purpose::LastSeat);
                pool.retain(|&x| x != c);
                winners.push(c);
            }
        }
    }
    let mut report = Report::new("yes-no", "", candidates.to_vec(), seats);
    report.seed = seed;
    report.ballots = votes.iter().map(|v| v.weight).sum();
    report.elected = winners.iter().map(|&c| candidates[c].clone()).collect();
    report.stages.push(Stage {
        number: 1,
        kind: "tally".into(),
        candidate: None,
        notes: vec![Note::YesNoAbstain],
        votes: t
            .iter()
            .map(|(y, n, a)| format!("{y} / {n} / {a}"))
            .collect(),
        status: (0..candidates.len())
            .map(|c| {
                if winners.contains(&c) {
                    Status::Elected
                } else if qualifies(t[c]) {
                    Status::Hopeful
                } else {
                    Status::Excluded
                }
            })
            .collect(),
        non_transferable: None,
        keep_values: None,
        quota: None,
        transfers: Vec::new(),
        elected: report.elected.clone(),
        excluded: (0..candidates.len())
            .filter(|&c| !qualifies(t[c]))
            .map(|c| candidates[c].clone())
            .collect(),
    });
    report.lots = lot.draws;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(w: u64, s: &str) -> Answers {
        Answers {
            weight: w,
            answers: s
                .chars()
                .map(|c| match c {
                    'Y' => Answer::Y,
                    'N' => Answer::N,
                    _ => Answer::A,
                })
                .collect(),
        }
    }

    #[test]
    fn majority_of_yes_and_no_then_most_yes() {
        let names: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        // A: 5 yes 4 no; B: 6 yes 3 no; C: 4 yes 4 no (not a majority).
        let votes = vec![v(4, "YYN"), v(1, "YYA"), v(3, "NNY"), v(1, "NYY")];
        let t = totals(3, &votes).unwrap();
        assert_eq!(t[0], (5, 4, 0));
        assert_eq!(t[1], (6, 3, 0));
        assert_eq!(t[2], (4, 4, 1));
        let r = count(&names, &votes, 3, Threshold::default(), 0).unwrap();
        assert_eq!(r.elected, vec!["B", "A"]);
        let two_thirds = Threshold {
            num: 2,
            den: 3,
            strict: false,
        };
        let r = count(&names, &votes, 3, two_thirds, 0).unwrap();
        assert_eq!(r.elected, vec!["B"]);
    }
}
