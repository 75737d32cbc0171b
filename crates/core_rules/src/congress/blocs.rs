//! Who votes with whom: the agreement matrix of a congress's roll calls, and its blocs.
//!
//! Two delegates **agree** on a roll call when both voted in it and cast the same choice (yes,
//! no or abstain). Their agreement is the share of the roll calls they both voted in on which they
//! agreed. **Blocs** are found by average-linkage clustering: starting from each delegate alone,
//! the two blocs whose members agree most on average are merged, as long as that average is more
//! than a half. The bloc that voted with the prevailing side (the side that carried each roll
//! call) most often is the **majority**; the others are minorities. Delegates who took part in
//! no roll call are left out.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

impl Choice {
    pub fn parse(s: &str) -> Option<Choice> {
        match s {
            "yes" => Some(Choice::Yes),
            "no" => Some(Choice::No),
            "abstain" => Some(Choice::Abstain),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Choice::Yes => "yes",
            Choice::No => "no",
            Choice::Abstain => "abstain",
        }
    }
}

/// One roll call: each delegate's choice and weight (mandates).
#[derive(Clone, Debug, Default)]
pub struct RollCall {
    pub votes: BTreeMap<i64, (Choice, u64)>,
}

impl RollCall {
    /// The side that carried it: more weight for yes than no is yes, else no.
    pub fn prevailing(&self) -> Choice {
        let (mut yes, mut no) = (0u64, 0u64);
        for (c, w) in self.votes.values() {
            match c {
                Choice::Yes => yes += w,
                Choice::No => no += w,
                Choice::Abstain => {}
            }
        }
        if yes > no {
            Choice::Yes
        } else {
            Choice::No
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Bloc {
    pub members: Vec<i64>,
    /// Votes with the prevailing side, of votes cast by the bloc's members.
    pub with_prevailing: u64,
    pub cast: u64,
    pub majority: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// The delegates who voted in at least one roll call, in id order.
    pub delegates: Vec<i64>,
    /// `agree[i][j]` and `both[i][j]`: roll calls where i and j voted alike, and where both voted.
    pub agree: Vec<Vec<u32>>,
    pub both: Vec<Vec<u32>>,
    /// Largest first.
    pub blocs: Vec<Bloc>,
}

impl Analysis {
    /// Agreement between the i-th and j-th delegate, as a share (None if they never both voted).
    pub fn share(&self, i: usize, j: usize) -> Option<f64> {
        (self.both[i][j] > 0).then(|| self.agree[i][j] as f64 / self.both[i][j] as f64)
    }
}

pub fn analyse(calls: &[RollCall]) -> Analysis {
    let delegates: Vec<i64> = calls
        .iter()
        .flat_map(|c| c.votes.keys().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let n = delegates.len();
    let index: BTreeMap<i64, usize> = delegates.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut agree = vec![vec![0u32; n]; n];
    let mut both = vec![vec![0u32; n]; n];
    let mut with = vec![0u64; n];
    let mut cast = vec![0u64; n];
    for c in calls {
        let prevailing = c.prevailing();
        let v: Vec<(usize, Choice, u64)> = c
            .votes
            .iter()
            .map(|(d, (ch, w))| (index[d], *ch, *w))
            .collect();
        for &(i, ci, w) in &v {
            cast[i] += w;
            if ci == prevailing {
                with[i] += w;
            }
            for &(j, cj, _) in &v {
                both[i][j] += 1;
                if ci == cj {
                    agree[i][j] += 1;
                }
            }
        }
    }
    // Average-linkage clustering.
    let mut blocs: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let link = |a: &[usize], b: &[usize]| -> Option<f64> {
        let (mut sum, mut k) = (0.0, 0u32);
        for &i in a {
            for &j in b {
                if both[i][j] > 0 {
                    sum += agree[i][j] as f64 / both[i][j] as f64;
                    k += 1;
                }
            }
        }
        (k > 0).then(|| sum / k as f64)
    };
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for a in 0..blocs.len() {
            for b in a + 1..blocs.len() {
                if let Some(s) = link(&blocs[a], &blocs[b]) {
                    if s > 0.5 && best.is_none_or(|(bs, _, _)| s > bs) {
                        best = Some((s, a, b));
                    }
                }
            }
        }
        let Some((_, a, b)) = best else { break };
        let merged = blocs.remove(b);
        blocs[a].extend(merged);
    }
    let mut out: Vec<Bloc> = blocs
        .into_iter()
        .map(|m| {
            let mut members: Vec<i64> = m.iter().map(|&i| delegates[i]).collect();
            members.sort();
            Bloc {
                members,
                with_prevailing: m.iter().map(|&i| with[i]).sum(),
                cast: m.iter().map(|&i| cast[i]).sum(),
                majority: false,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members.cmp(&b.members))
    });
    // The majority: the highest share of votes with the prevailing side (cross-multiplied).
    if let Some(m) = (0..out.len()).max_by(|&a, &b| {
        let (x, y) = (&out[a], &out[b]);
        (x.with_prevailing as u128 * y.cast.max(1) as u128)
            .cmp(&(y.with_prevailing as u128 * x.cast.max(1) as u128))
            .then(b.cmp(&a))
    }) {
        out[m].majority = true;
    }
    Analysis {
        delegates,
        agree,
        both,
        blocs: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(v: &[(i64, Choice)]) -> RollCall {
        RollCall {
            votes: v.iter().map(|(d, c)| (*d, (*c, 1))).collect(),
        }
    }

    #[test]
    fn two_camps_that_vote_against_each_other_are_two_blocs() {
        use Choice::*;
        // Delegates 1-3 vote together and mostly carry the votes; 4-5 vote the other way; 6
        // abstains once and otherwise goes with 4-5.
        let calls = [
            call(&[(1, Yes), (2, Yes), (3, Yes), (4, No), (5, No), (6, Abstain)]),
            call(&[(1, No), (2, No), (3, No), (4, Yes), (5, Yes), (6, Yes)]),
            call(&[(1, Yes), (2, Yes), (3, No), (4, No), (5, No), (6, No)]),
        ];
        let a = analyse(&calls);
        assert_eq!(a.delegates, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(a.agree[0][1], 3);
        assert_eq!(a.agree[0][3], 0);
        assert_eq!(a.both[0][5], 3);
        assert_eq!(a.share(0, 2), Some(2.0 / 3.0));
        assert_eq!(a.blocs.len(), 2, "{:?}", a.blocs);
        let majority = a.blocs.iter().find(|b| b.majority).unwrap();
        assert_eq!(majority.members, vec![1, 2, 3]);
        let minority = a.blocs.iter().find(|b| !b.majority).unwrap();
        assert_eq!(minority.members, vec![4, 5, 6]);
    }

    #[test]
    fn unanimity_is_one_bloc_and_nobody_is_nothing() {
        use Choice::*;
        let a = analyse(&[call(&[(1, Yes), (2, Yes)]), call(&[(1, No), (2, No)])]);
        assert_eq!(a.blocs.len(), 1);
        assert!(a.blocs[0].majority);
        let empty = analyse(&[]);
        assert!(empty.blocs.is_empty() && empty.delegates.is_empty());
    }
}
