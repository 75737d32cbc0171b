//! Plurality (first past the post; with several seats, the block vote of first
//! preferences): each ballot counts for its first preference; the `seats`
//! candidates with most votes win. A tie at the last winning place is decided by lot.

use crate::error::CountError;
use crate::lot::{Lot, Purpose};
use crate::profile::Profile;
use crate::report::{Note, Report, Stage, Status};

/// The `k` best of `eligible` by `score`, best first; ties at the cutoff (and the
/// order among equals) decided by lot. Also returns the ranking in groups of equals.
pub(crate) fn top_k(
    score: &[u64],
    eligible: &[usize],
    k: usize,
    lot: &mut Lot,
    names: &[String],
    purpose: Purpose,
) -> (Vec<usize>, Vec<Vec<usize>>) {
    let mut sorted = eligible.to_vec();
    sorted.sort_by(|&a, &b| score[b].cmp(&score[a]).then(a.cmp(&b)));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for c in sorted {
        match groups.last_mut() {
            Some(g) if score[g[0]] == score[c] => g.push(c),
            _ => groups.push(vec![c]),
        }
    }
    let mut winners = Vec::new();
    for g in &groups {
        if winners.len() >= k {
            break;
        }
        let room = k - winners.len();
        if g.len() <= room {
            winners.extend(g.iter().copied());
        } else {
            let mut pool = g.clone();
            for _ in 0..room {
                let c = lot.choose(&pool, names, purpose);
                pool.retain(|&x| x != c);
                winners.push(c);
            }
        }
    }
    (winners, groups)
}

/// A one-stage report for score-based methods.
pub(crate) fn score_report(
    mut report: Report,
    profile: &Profile,
    score: &[u64],
    winners: &[usize],
    groups: &[Vec<usize>],
    lot: Lot,
    note: Note,
) -> Report {
    let names = &report.candidates.clone();
    report.ballots = profile.total_ballots();
    report.elected = winners.iter().map(|&c| names[c].clone()).collect();
    report.ranking = Some(
        groups
            .iter()
            .map(|g| g.iter().map(|&c| names[c].clone()).collect())
            .collect(),
    );
    report.stages.push(Stage {
        number: 1,
        kind: "tally".into(),
        candidate: None,
        notes: vec![note],
        votes: score.iter().map(|v| v.to_string()).collect(),
        status: (0..names.len())
            .map(|c| {
                if winners.contains(&c) {
                    Status::Elected
                } else if profile.withdrawn.contains(&c) {
                    Status::Withdrawn
                } else {
                    Status::Hopeful
                }
            })
            .collect(),
        non_transferable: None,
        keep_values: None,
        quota: None,
        transfers: Vec::new(),
        elected: report.elected.clone(),
        excluded: Vec::new(),
    });
    report.lots = lot.draws;
    report
}

/// First-preference totals; withdrawn candidates are skipped. Ballots whose first
/// rank holds several candidates are invalid for plurality and rejected.
pub fn first_preferences(profile: &Profile) -> Result<Vec<u64>, CountError> {
    let n = profile.candidates.len();
    let mut score = vec![0u64; n];
    for (i, b) in profile.ballots.iter().enumerate() {
        let top = b
            .groups()
            .into_iter()
            .map(|g| {
                g.iter()
                    .copied()
                    .filter(|c| !profile.withdrawn.contains(&(*c as usize)))
                    .collect::<Vec<u16>>()
            })
            .find(|g| !g.is_empty());
        if let Some(g) = top {
            if g.len() > 1 {
                return Err(CountError::EqualRankings("plurality", i + 1));
            }
            score[g[0] as usize] += b.weight;
        }
    }
    Ok(score)
}

pub fn count(profile: &Profile, seats: usize, seed: u64) -> Result<Report, CountError> {
    if seats == 0 {
        return Err(CountError::NoSeats);
    }
    if profile.candidates.is_empty() {
        return Err(CountError::NoCandidates);
    }
    profile.validate()?;
    let names = profile.display_names();
    let score = first_preferences(profile)?;
    let eligible: Vec<usize> = (0..names.len())
        .filter(|c| !profile.withdrawn.contains(c))
        .collect();
    let mut lot = Lot::new(seed);
    let (winners, groups) = top_k(
        &score,
        &eligible,
        seats,
        &mut lot,
        &names,
        Purpose::LastWinningPlace,
    );
    let mut report = Report::new("plurality", &profile.title, names, seats);
    report.seed = seed;
    Ok(score_report(
        report,
        profile,
        &score,
        &winners,
        &groups,
        lot,
        Note::FirstPreferences { rule: None },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Ballot;

    #[test]
    fn most_first_preferences_win() {
        let p = Profile {
            candidates: vec!["A".into(), "B".into(), "C".into()],
            parties: vec![None; 3],
            ballots: vec![
                Ballot::strict(3, vec![1, 0]),
                Ballot::strict(2, vec![0]),
                Ballot::strict(2, vec![2]),
            ],
            ..Profile::default()
        };
        let r = count(&p, 1, 0).unwrap();
        assert_eq!(r.elected, vec!["B"]);
        // A and C tie for the second seat: decided by lot, recorded.
        let r = count(&p, 2, 3).unwrap();
        assert_eq!(r.elected[0], "B");
        assert_eq!(r.lots.len(), 1);
    }
}
