//! Two-round runoff (majority run-off), one seat.
//!
//! Round 1: first preferences; a candidate with more than half of the valid votes
//! is elected. Otherwise the two with most votes go to round 2 (ties for a place by
//! lot), and the one preferred by more voters wins (a tie by lot). With ranked
//! ballots, each ballot's round-2 vote is its higher-ranked finalist; ballots that
//! rank neither finalist abstain in round 2, as voters who stay home would.

use crate::error::CountError;
use crate::lot::{Lot, Purpose};
use crate::plurality::{first_preferences, top_k};
use crate::profile::Profile;
use crate::report::{Note, Report, Stage, Status};

pub fn count(profile: &Profile, seed: u64) -> Result<Report, CountError> {
    let n = profile.candidates.len();
    if n == 0 {
        return Err(CountError::NoCandidates);
    }
    profile.validate()?;
    let names = profile.display_names();
    let mut lot = Lot::new(seed);
    let mut report = Report::new("runoff", &profile.title, names.clone(), 1);
    report.seed = seed;
    report.ballots = profile.total_ballots();
    let first = first_preferences(profile)?;
    let valid: u64 = first.iter().sum();
    let eligible: Vec<usize> = (0..n).filter(|c| !profile.withdrawn.contains(c)).collect();
    let status_with = |winner: Option<usize>, out: &[usize]| -> Vec<Status> {
        (0..n)
            .map(|c| {
                if Some(c) == winner {
                    Status::Elected
                } else if out.contains(&c) {
                    Status::Excluded
                } else if profile.withdrawn.contains(&c) {
                    Status::Withdrawn
                } else {
                    Status::Hopeful
                }
            })
            .collect()
    };
    let (top, _) = top_k(
        &first,
        &eligible,
        2,
        &mut lot,
        &names,
        Purpose::PlaceInRoundTwo,
    );
    let majority = top.first().copied().filter(|&c| first[c] * 2 > valid);
    if let Some(w) = majority {
        report.stages.push(Stage {
            number: 1,
            kind: "round".into(),
            candidate: None,
            notes: vec![Note::RoundOneMajority {
                candidate: names[w].clone(),
                votes: first[w],
                valid,
            }],
            votes: first.iter().map(u64::to_string).collect(),
            status: status_with(Some(w), &[]),
            non_transferable: None,
            keep_values: None,
            quota: None,
            transfers: Vec::new(),
            elected: vec![names[w].clone()],
            excluded: Vec::new(),
        });
        report.elected = vec![names[w].clone()];
        report.lots = lot.draws;
        return Ok(report);
    }
    let out: Vec<usize> = eligible
        .iter()
        .copied()
        .filter(|c| !top.contains(c))
        .collect();
    report.stages.push(Stage {
        number: 1,
        kind: "round".into(),
        candidate: None,
        notes: vec![Note::RoundOneNoMajority {
            valid,
            finalists: top.iter().map(|&c| names[c].clone()).collect(),
        }],
        votes: first.iter().map(u64::to_string).collect(),
        status: status_with(None, &out),
        non_transferable: None,
        keep_values: None,
        quota: None,
        transfers: Vec::new(),
        elected: Vec::new(),
        excluded: out.iter().map(|&c| names[c].clone()).collect(),
    });
    let mut second = vec![0u64; n];
    let mut abstain = 0u64;
    for b in &profile.ballots {
        let ranks = b.ranks(n);
        let pick = match top.as_slice() {
            [a, b2] => match (ranks[*a], ranks[*b2]) {
                (Some(x), Some(y)) if x < y => Some(*a),
                (Some(x), Some(y)) if y < x => Some(*b2),
                (Some(_), None) => Some(*a),
                (None, Some(_)) => Some(*b2),
                _ => None,
            },
            [a] => ranks[*a].map(|_| *a),
            _ => None,
        };
        match pick {
            Some(c) => second[c] += b.weight,
            None => abstain += b.weight,
        }
    }
    let (win, _) = top_k(&second, &top, 1, &mut lot, &names, Purpose::RoundTwoTie);
    let w = win[0];
    report.stages.push(Stage {
        number: 2,
        kind: "round".into(),
        candidate: None,
        notes: vec![Note::RoundTwo {
            winner: names[w].clone(),
            no_preference: abstain,
        }],
        votes: second.iter().map(u64::to_string).collect(),
        status: status_with(Some(w), &out),
        non_transferable: Some(abstain.to_string()),
        keep_values: None,
        quota: None,
        transfers: Vec::new(),
        elected: vec![names[w].clone()],
        excluded: Vec::new(),
    });
    report.elected = vec![names[w].clone()];
    report.lots = lot.draws;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Ballot;

    fn p(ballots: Vec<Ballot>) -> Profile {
        Profile {
            candidates: vec!["A".into(), "B".into(), "C".into()],
            parties: vec![None; 3],
            ballots,
            ..Profile::default()
        }
    }

    #[test]
    fn majority_in_round_one() {
        let r = count(
            &p(vec![Ballot::strict(3, vec![0]), Ballot::strict(2, vec![1])]),
            0,
        )
        .unwrap();
        assert_eq!(r.elected, vec!["A"]);
        assert_eq!(r.stages.len(), 1);
    }

    #[test]
    fn second_round_decides() {
        // A 4, B 3, C 2 (C voters prefer B): B wins round 2, 5 to 4.
        let r = count(
            &p(vec![
                Ballot::strict(4, vec![0]),
                Ballot::strict(3, vec![1]),
                Ballot::strict(2, vec![2, 1]),
            ]),
            0,
        )
        .unwrap();
        assert_eq!(r.elected, vec!["B"]);
        assert_eq!(r.stages[1].votes, vec!["4", "5", "0"]);
    }
}
