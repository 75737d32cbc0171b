//! Approval voting: each ballot approves every candidate it marks (in a ranked file,
//! every candidate it ranks, in any order). The `seats` candidates with most
//! approvals win; a tie at the last winning place is decided by lot.

use crate::error::CountError;
use crate::lot::{Lot, Purpose};
use crate::plurality::{score_report, top_k};
use crate::profile::Profile;
use crate::report::{Note, Report};

/// Approvals per candidate.
pub fn approvals(profile: &Profile) -> Vec<u64> {
    let mut score = vec![0u64; profile.candidates.len()];
    for b in &profile.ballots {
        for &c in &b.prefs {
            score[c as usize] += b.weight;
        }
    }
    score
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
    let score = approvals(profile);
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
    let mut report = Report::new("approval", &profile.title, names, seats);
    report.seed = seed;
    Ok(score_report(
        report,
        profile,
        &score,
        &winners,
        &groups,
        lot,
        Note::Approvals,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Ballot;

    #[test]
    fn counts_every_marked_candidate() {
        let p = Profile {
            candidates: vec!["A".into(), "B".into(), "C".into()],
            parties: vec![None; 3],
            ballots: vec![
                Ballot::strict(3, vec![0]),
                Ballot::strict(2, vec![1, 2]),
                Ballot::strict(2, vec![2, 1]),
            ],
            ..Profile::default()
        };
        assert_eq!(approvals(&p), vec![3, 4, 4]);
        let r = count(&p, 2, 0).unwrap();
        let mut e = r.elected.clone();
        e.sort();
        assert_eq!(e, vec!["B", "C"]);
    }
}
