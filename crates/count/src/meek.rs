//! Meek STV, as published by Hill, Wichmann & Woodall, "Algorithm 123: Single
//! Transferable Vote by Meek's method", The Computer Journal 30(3), 1987 (the rule New
//! Zealand adopted for its local elections).
//!
//! Every candidate has a keep value: 1 while hopeful, 0 once excluded, and for an
//! elected candidate the fraction of each vote reaching them that they keep. Each
//! ballot is worth 1; a candidate it reaches keeps `weight × keep value` (rounded
//! *up* to 9 decimals, as the algorithm prescribes) and passes the rest on. What no
//! candidate keeps is the excess.
//!
//! - quota = (votes for candidates) / (seats + 1), truncated to 9 decimals, plus 0.000000001;
//! - a hopeful candidate whose votes reach the quota is elected;
//! - elected keep values are updated `k ← k × quota / votes`, rounded up to 9 decimals,
//!   and the count iterated, until the total surplus is below 0.00001 or stops falling
//!   (the published convergence rule);
//! - then, if no one was elected, the lowest hopeful candidate is excluded (keep value 0;
//!   ties by the most recent stage at which they differed, then by lot) and iteration resumes;
//! - when the hopeful candidates are no more than the seats left, all are elected.
//!
//! Arithmetic: integers counting units of 10^-9.

use crate::error::CountError;
use crate::fixed::{self, mul_div_ceil};
use crate::lot::{Lot, Purpose, When};
use crate::profile::Profile;
use crate::report::{Note, Report, Stage, Status};

pub const PLACES: u32 = 9;
const ONE: i64 = fixed::scale(PLACES);
/// Convergence: total surplus below 0.00001.
const OMEGA: i64 = ONE / 100_000;
/// A bound on iterations per stage; Meek converges geometrically, far below this.
const MAX_ITERATIONS: usize = 100_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Hopeful,
    Elected,
    Excluded,
    Withdrawn,
}

pub fn count(profile: &Profile, seats: usize, seed: u64) -> Result<Report, CountError> {
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
            return Err(CountError::EqualRankings("Meek STV", i + 1));
        }
    }
    let names = profile.display_names();
    let mut report = Report::new("meek-stv", &profile.title, names.clone(), seats);
    report.seed = seed;
    let mut lot = Lot::new(seed);
    let mut state = vec![State::Hopeful; n];
    for &w in &profile.withdrawn {
        state[w] = State::Withdrawn;
    }
    let mut keep: Vec<i64> = state
        .iter()
        .map(|s| if *s == State::Hopeful { ONE } else { 0 })
        .collect();
    let ballots: Vec<&crate::profile::Ballot> =
        profile.ballots.iter().filter(|b| b.weight > 0).collect();
    report.ballots = ballots
        .iter()
        .filter(|b| b.prefs.iter().any(|&c| state[c as usize] == State::Hopeful))
        .map(|b| b.weight)
        .sum();
    let mut elected: Vec<usize> = Vec::new();
    let mut history: Vec<Vec<i64>> = Vec::new();
    let mut iterations_total = 0usize;

    // One pass of the ballots at the current keep values.
    let distribute = |keep: &[i64]| -> (Vec<i64>, i64) {
        let mut votes = vec![0i64; n];
        let mut excess = 0i64;
        for b in &ballots {
            let m = b.weight as i64;
            let mut w = ONE;
            for &c in &b.prefs {
                let k = keep[c as usize];
                if k == 0 {
                    continue;
                }
                let kept = if k == ONE { w } else { mul_div_ceil(w, k, ONE) };
                votes[c as usize] += kept * m;
                w -= kept;
                if w == 0 {
                    break;
                }
            }
            excess += w * m;
        }
        (votes, excess)
    };

    loop {
        // Iterate to convergence (or to a new election).
        let mut prev_surplus = i64::MAX;
        let mut iterations = 0;
        let (votes, excess, quota, newly) = loop {
            iterations += 1;
            let (votes, excess) = distribute(&keep);
            let total: i64 = votes.iter().sum();
            let quota = total / (seats as i64 + 1) + 1;
            let mut newly: Vec<usize> = (0..n)
                .filter(|&c| state[c] == State::Hopeful && votes[c] >= quota)
                .collect();
            if !newly.is_empty() {
                newly.sort_by(|&a, &b| votes[b].cmp(&votes[a]).then(a.cmp(&b)));
                break (votes, excess, quota, newly);
            }
            let surplus: i64 = (0..n)
                .filter(|&c| state[c] == State::Elected)
                .map(|c| (votes[c] - quota).max(0))
                .sum();
            if surplus < OMEGA || surplus >= prev_surplus || iterations >= MAX_ITERATIONS {
                break (votes, excess, quota, Vec::new());
            }
            prev_surplus = surplus;
            for c in 0..n {
                if state[c] == State::Elected {
                    keep[c] = mul_div_ceil(keep[c], quota, votes[c]).min(ONE);
                }
            }
        };
        iterations_total += iterations;
        history.push(votes.clone());
        let mut stage_elected = Vec::new();
        let mut stage_excluded = Vec::new();
        let note;
        if !newly.is_empty() {
            // Order equal votes by the earlier stages, then by lot.
            let mut order = Vec::new();
            let mut rest = newly.clone();
            while !rest.is_empty() {
                let top = rest.iter().map(|&c| votes[c]).max().unwrap_or(0);
                let tied: Vec<usize> = rest.iter().copied().filter(|&c| votes[c] == top).collect();
                let c = break_tie(
                    &tied,
                    &history,
                    true,
                    &mut lot,
                    &names,
                    Purpose::OrderOfElection,
                );
                rest.retain(|&x| x != c);
                order.push(c);
            }
            for c in order {
                state[c] = State::Elected;
                elected.push(c);
                stage_elected.push(names[c].clone());
            }
            note = Note::ReachedQuota {
                candidates: stage_elected.clone(),
                iterations,
            };
        } else {
            let left = seats - elected.len();
            let hopeful: Vec<usize> = (0..n).filter(|&c| state[c] == State::Hopeful).collect();
            if hopeful.len() <= left {
                note = Note::HopefulFillRemaining;
            } else {
                let low = hopeful.iter().map(|&c| votes[c]).min().unwrap_or(0);
                let tied: Vec<usize> = hopeful.into_iter().filter(|&c| votes[c] == low).collect();
                let c = break_tie(&tied, &history, false, &mut lot, &names, Purpose::Exclusion);
                state[c] = State::Excluded;
                keep[c] = 0;
                stage_excluded.push(names[c].clone());
                note = Note::ConvergedExcluding {
                    candidate: names[c].clone(),
                    iterations,
                };
            }
        }
        // Last vacancies.
        let left = seats.saturating_sub(elected.len());
        let hopeful: Vec<usize> = (0..n).filter(|&c| state[c] == State::Hopeful).collect();
        let done = left == 0 || hopeful.len() <= left;
        if done && left > 0 {
            let mut rest = hopeful;
            rest.sort_by(|&a, &b| votes[b].cmp(&votes[a]).then(a.cmp(&b)));
            for c in rest {
                state[c] = State::Elected;
                elected.push(c);
                stage_elected.push(names[c].clone());
            }
        }
        let number = report.stages.len() + 1;
        report.stages.push(Stage {
            number,
            kind: "iteration".into(),
            candidate: None,
            notes: vec![note],
            votes: votes.iter().map(|&v| fixed::format(v, PLACES)).collect(),
            status: state
                .iter()
                .map(|s| match s {
                    State::Hopeful => Status::Hopeful,
                    State::Elected => Status::Elected,
                    State::Excluded => Status::Excluded,
                    State::Withdrawn => Status::Withdrawn,
                })
                .collect(),
            non_transferable: Some(fixed::format(excess, PLACES)),
            keep_values: Some(keep.iter().map(|&k| fixed::format(k, PLACES)).collect()),
            quota: Some(fixed::format(quota, PLACES)),
            transfers: Vec::new(),
            elected: stage_elected,
            excluded: stage_excluded,
        });
        if done {
            break;
        }
    }
    report.quota = report.stages.last().and_then(|s| s.quota.clone());
    report.elected = elected.iter().map(|&c| names[c].clone()).collect();
    report.lots = lot.draws;
    report.notes.push(Note::Iterations {
        total: iterations_total,
    });
    Ok(report)
}

fn break_tie(
    tied: &[usize],
    history: &[Vec<i64>],
    highest: bool,
    lot: &mut Lot,
    names: &[String],
    purpose: fn(When) -> Purpose,
) -> usize {
    if tied.len() == 1 {
        return tied[0];
    }
    let mut field = tied.to_vec();
    for snap in history.iter().rev() {
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
    lot.choose(&field, names, purpose(When::AtStage(history.len())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Ballot;

    fn profile(n: usize, ballots: &[(u64, &[u16])]) -> Profile {
        Profile {
            candidates: (0..n).map(|i| format!("C{}", i + 1)).collect(),
            parties: vec![None; n],
            ballots: ballots
                .iter()
                .map(|(w, p)| Ballot::strict(*w, p.to_vec()))
                .collect(),
            ..Profile::default()
        }
    }

    #[test]
    fn surplus_flows_to_second_preferences() {
        // C1 has a big surplus that all goes to C2; C3 is left out.
        let p = profile(3, &[(60, &[0, 1]), (25, &[2]), (15, &[1])]);
        let r = count(&p, 2, 0).unwrap();
        assert_eq!(r.elected, vec!["C1", "C2"]);
    }

    #[test]
    fn keep_value_converges_to_quota_over_votes() {
        // 100 ballots, 1 seat... use 2 seats: quota ≈ 33.33; C1 with 60 keeps ≈ 0.5556.
        let p = profile(3, &[(60, &[0, 1]), (20, &[2]), (20, &[1])]);
        let r = count(&p, 2, 0).unwrap();
        assert_eq!(r.elected, vec!["C1", "C2"]);
        let k = fixed::parse(&r.stages[0].keep_values.as_ref().unwrap()[0], 9).unwrap();
        assert_eq!(k, ONE, "keep value is 1 until the first election is known");
    }

    #[test]
    fn keep_value_and_shrinking_quota_reach_their_fixed_point() {
        // 61: A, 60: A>B, 30: C>D, 29: D>C; 2 seats. A's votes are 121k, the excess 61(1-k),
        // and A converges to the quota q = (180 - 61(1-k))/3: k = 119/302 = 0.39404, q = 47.68.
        // B then has 60(1-k) = 36.36, below the quota; D is excluded and C elected.
        let p = profile(
            4,
            &[(61, &[0]), (60, &[0, 1]), (30, &[2, 3]), (29, &[3, 2])],
        );
        let r = count(&p, 2, 0).unwrap();
        assert_eq!(r.elected, vec!["C1", "C3"]);
        let first = &r.stages[1];
        let k = fixed::parse(&first.keep_values.as_ref().unwrap()[0], PLACES).unwrap();
        let q = fixed::parse(first.quota.as_ref().unwrap(), PLACES).unwrap();
        let want_k = ONE as i128 * 119 / 302;
        assert!((k as i128 - want_k).abs() < 100_000, "keep value {k}");
        let want_q = (180 * ONE as i128 - 61 * (ONE as i128 - want_k)) / 3;
        assert!((q as i128 - want_q).abs() < 1_000_000, "quota {q}");
        assert_eq!(first.excluded, vec!["C4"]);
    }

    #[test]
    fn meek_differs_from_exclusion_order_effects() {
        // A classic case: after C4 is excluded its votes reach C1's keep share correctly.
        let p = profile(
            4,
            &[(40, &[0, 1]), (30, &[1]), (20, &[2, 0, 1]), (11, &[3, 2])],
        );
        let r = count(&p, 2, 0).unwrap();
        assert_eq!(r.elected.len(), 2);
        assert!(r.elected.contains(&"C1".to_string()));
    }
}
