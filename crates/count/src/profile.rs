//! Ballots and profiles: what every election count reads.

/// One ballot (or a parcel of identical ballots, `weight` of them).
///
/// `prefs` lists candidate indices from most to least preferred. Equal rankings
/// (allowed by some formats and by Schulze, never by Scottish STV) are marked in
/// `equal_to_prev`: `equal_to_prev[i]` says that `prefs[i]` is ranked equal to
/// `prefs[i - 1]`. An empty `equal_to_prev` means a strict ranking, which keeps the
/// common case compact (a million ballots must fit comfortably in memory).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ballot {
    pub weight: u64,
    pub prefs: Vec<u16>,
    pub equal_to_prev: Vec<bool>,
}

impl Ballot {
    pub fn strict(weight: u64, prefs: Vec<u16>) -> Self {
        Ballot {
            weight,
            prefs,
            equal_to_prev: Vec::new(),
        }
    }

    /// True when no two candidates share a rank.
    pub fn is_strict(&self) -> bool {
        !self.equal_to_prev.iter().any(|&e| e)
    }

    /// The ranks, best first, each a group of candidates ranked equal.
    pub fn groups(&self) -> Vec<&[u16]> {
        if self.is_strict() {
            return self.prefs.chunks(1).collect();
        }
        let mut out = Vec::new();
        let mut start = 0;
        for i in 1..=self.prefs.len() {
            if i == self.prefs.len() || !self.equal_to_prev[i] {
                out.push(&self.prefs[start..i]);
                start = i;
            }
        }
        out
    }

    /// Rank position (0 = best) of each candidate; `None` for unranked ones.
    pub fn ranks(&self, ncand: usize) -> Vec<Option<usize>> {
        let mut r = vec![None; ncand];
        for (g, group) in self.groups().iter().enumerate() {
            for &c in *group {
                r[c as usize] = Some(g);
            }
        }
        r
    }
}

/// A ranked-ballot election as read from a file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    pub title: String,
    /// Candidate names as written (for BLT: without the party label).
    pub candidates: Vec<String>,
    /// Party labels, when the file gives them (`Name (Party)`).
    pub parties: Vec<Option<String>>,
    /// Seats to fill, when the file says (BLT does; tally sheets do not).
    pub seats: Option<usize>,
    /// Withdrawn candidates: skipped on every ballot.
    pub withdrawn: Vec<usize>,
    pub ballots: Vec<Ballot>,
}

impl Profile {
    /// Total number of ballot papers (the sum of weights).
    pub fn total_ballots(&self) -> u64 {
        self.ballots.iter().map(|b| b.weight).sum()
    }

    /// Name with party label, as a report shows it.
    pub fn display_name(&self, c: usize) -> String {
        match self.parties.get(c).and_then(|p| p.as_deref()) {
            Some(p) => format!("{} ({})", self.candidates[c], p),
            None => self.candidates[c].clone(),
        }
    }

    pub fn display_names(&self) -> Vec<String> {
        (0..self.candidates.len())
            .map(|c| self.display_name(c))
            .collect()
    }

    /// Check internal consistency: candidate indices in range, no candidate twice on a ballot.
    pub fn validate(&self) -> Result<(), crate::CountError> {
        let n = self.candidates.len();
        // `seen[c]` holds the number of the last ballot naming c: no clearing per ballot.
        let mut seen = vec![0usize; n];
        for (i, b) in self.ballots.iter().enumerate() {
            for &c in &b.prefs {
                let c = c as usize;
                if c >= n {
                    return Err(crate::CountError::Invalid(format!(
                        "ballot {} names candidate {} of {}",
                        i + 1,
                        c + 1,
                        n
                    )));
                }
                if seen[c] == i + 1 {
                    return Err(crate::CountError::Invalid(format!(
                        "ballot {} ranks candidate {} twice",
                        i + 1,
                        c + 1
                    )));
                }
                seen[c] = i + 1;
            }
            if !b.equal_to_prev.is_empty() && b.equal_to_prev.len() != b.prefs.len() {
                return Err(crate::CountError::Invalid(format!(
                    "ballot {}: malformed equal-rank marks",
                    i + 1
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_ranks() {
        let b = Ballot {
            weight: 1,
            prefs: vec![2, 0, 1],
            equal_to_prev: vec![false, true, false],
        };
        assert_eq!(b.groups(), vec![&[2u16, 0][..], &[1u16][..]]);
        assert_eq!(b.ranks(4), vec![Some(0), Some(1), Some(0), None]);
        let s = Ballot::strict(1, vec![1, 0]);
        assert!(s.is_strict());
        assert_eq!(s.groups().len(), 2);
    }
}
