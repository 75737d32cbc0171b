//! Schulze, as the Debian Constitution (appendix A.6) uses it.
//!
//! 1. Unranked options rank equal to each other and below every ranked option (A.6(3)).
//! 2. Quorum R: an option other than the default that is not ranked above the default
//!    option by at least R voters is dropped (A.6(2)).
//! 3. Majority N:M: an option A other than the default is dropped unless
//!    `V(A,D) · M > N · V(D,A)` (A.6(3); 1:1 is a simple majority over the default).
//! 4. Among the rest, A defeats B when more voters prefer A to B. A defeat (A,X) is
//!    weaker than (B,Y) when V(A,X) < V(B,Y), or they are equal and V(X,A) > V(Y,B)
//!    (winning votes, then losing votes). Winners are the options no beatpath
//!    defeats (the Schulze method; Debian's "drop the weakest defeat in the
//!    Schwartz set" procedure chooses the same options).
//! 5. Several winners form a tie, for the casting vote (A.6(9)); the report says so.
//!
//! The full ranking orders options by the beatpath relation, which is transitive.

use crate::error::CountError;
use crate::profile::Profile;
use crate::report::{Defeat, Dropped, Note, Report, Stage, Status};

/// Debian's requirements; the defaults mean "none".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The default option ("None of the above"), if the vote has one.
    pub default_option: Option<usize>,
    /// Quorum R (A.6(2)); 0 for none.
    pub quorum: u64,
    /// Majority requirement N:M over the default option (A.6(3)).
    pub majority: (u64, u64),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            default_option: None,
            quorum: 0,
            majority: (1, 1),
        }
    }
}

/// The strength of a defeat: winning votes, then (reversed) losing votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Strength(u64, std::cmp::Reverse<u64>);

/// The outcome in numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// `d[i][j]`: voters preferring i to j (weighted).
    pub pairwise: Vec<Vec<u64>>,
    /// Options dropped by quorum or majority, with the reason.
    pub dropped: Vec<(usize, Dropped)>,
    /// The winners (more than one is a tie).
    pub winners: Vec<usize>,
    /// Groups of equally ranked options, best first: first the options not dropped,
    /// then the dropped ones.
    pub ranking: Vec<Vec<usize>>,
    /// How many groups of `ranking` hold options not dropped.
    pub active_groups: usize,
}

/// Pairwise counts: `d[i][j]` = weight of ballots ranking i strictly above j.
pub fn pairwise(profile: &Profile) -> Vec<Vec<u64>> {
    let n = profile.candidates.len();
    // One flat row-major table and a branch-free inner loop: with 10,000 ballots of
    // 20 options this is the whole cost of a Schulze count.
    let mut d = vec![0u64; n * n];
    let mut rank = vec![u32::MAX; n];
    for b in &profile.ballots {
        rank.iter_mut().for_each(|r| *r = u32::MAX);
        if b.is_strict() {
            for (g, &c) in b.prefs.iter().enumerate() {
                rank[c as usize] = g as u32;
            }
        } else {
            for (g, group) in b.groups().iter().enumerate() {
                for &c in *group {
                    rank[c as usize] = g as u32;
                }
            }
        }
        let w = b.weight;
        for i in 0..n {
            let ri = rank[i];
            if ri == u32::MAX {
                continue; // unranked: preferred to nothing
            }
            let row = &mut d[i * n..(i + 1) * n];
            for (cell, &rj) in row.iter_mut().zip(rank.iter()) {
                *cell += w * u64::from(ri < rj);
            }
        }
    }
    d.chunks(n.max(1)).map(|r| r.to_vec()).take(n).collect()
}

/// Schulze winners and ranking from pairwise counts, over `active` options.
pub fn beatpath(d: &[Vec<u64>], active: &[usize]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let n = d.len();
    let mut p: Vec<Vec<Option<Strength>>> = vec![vec![None; n]; n];
    for &i in active {
        for &j in active {
            if i != j && d[i][j] > d[j][i] {
                p[i][j] = Some(Strength(d[i][j], std::cmp::Reverse(d[j][i])));
            }
        }
    }
    // Widest paths (Floyd–Warshall on the bottleneck semiring).
    for &k in active {
        for &i in active {
            if i == k {
                continue;
            }
            let pik = p[i][k];
            if pik.is_none() {
                continue;
            }
            for &j in active {
                if j == i || j == k {
                    continue;
                }
                let via = pik.min(p[k][j]);
                if via > p[i][j] {
                    p[i][j] = via;
                }
            }
        }
    }
    let beats = |a: usize, b: usize| p[a][b] > p[b][a];
    let mut left: Vec<usize> = active.to_vec();
    let mut ranking = Vec::new();
    while !left.is_empty() {
        let top: Vec<usize> = left
            .iter()
            .copied()
            .filter(|&a| !left.iter().any(|&b| beats(b, a)))
            .collect();
        // The beatpath relation is a strict weak order, so `top` is never empty;
        // guard anyway so a bug cannot loop forever.
        let top = if top.is_empty() { left.clone() } else { top };
        left.retain(|c| !top.contains(c));
        ranking.push(top);
    }
    let winners = ranking.first().cloned().unwrap_or_default();
    (winners, ranking)
}

/// Count in numbers.
pub fn outcome(profile: &Profile, opts: &Options) -> Result<Outcome, CountError> {
    let n = profile.candidates.len();
    if n == 0 {
        return Err(CountError::NoCandidates);
    }
    profile.validate()?;
    if let Some(dflt) = opts.default_option {
        if dflt >= n {
            return Err(CountError::Invalid(format!("no option {}", dflt + 1)));
        }
    }
    let (num, den) = opts.majority;
    if num == 0 || den == 0 {
        return Err(CountError::Invalid(
            "majority ratio must be N:M with N, M > 0".into(),
        ));
    }
    let d = pairwise(profile);
    let mut dropped = Vec::new();
    let withdrawn = |c: usize| profile.withdrawn.contains(&c);
    if let Some(dflt) = opts.default_option {
        for a in (0..n).filter(|&a| a != dflt && !withdrawn(a)) {
            if d[a][dflt] < opts.quorum {
                dropped.push((
                    a,
                    Dropped::Quorum {
                        voters: d[a][dflt],
                        quorum: opts.quorum,
                    },
                ));
            } else if (d[a][dflt] as u128) * (den as u128) <= (num as u128) * (d[dflt][a] as u128) {
                dropped.push((
                    a,
                    Dropped::Majority {
                        num,
                        den,
                        for_option: d[a][dflt],
                        against: d[dflt][a],
                    },
                ));
            }
        }
    }
    let active: Vec<usize> = (0..n)
        .filter(|&c| !withdrawn(c) && !dropped.iter().any(|(x, _)| *x == c))
        .collect();
    let (winners, mut ranking) = beatpath(&d, &active);
    // Dropped options rank below all others (they are beaten by the default option or
    // lack quorum), and among themselves by the same beatpath relation.
    let dropped_ids: Vec<usize> = dropped.iter().map(|(c, _)| *c).collect();
    let (_, below) = beatpath(&d, &dropped_ids);
    let active_groups = ranking.len();
    ranking.extend(below);
    Ok(Outcome {
        active_groups,
        pairwise: d,
        dropped,
        winners,
        ranking,
    })
}

/// Count and report.
pub fn count(profile: &Profile, opts: &Options) -> Result<Report, CountError> {
    let o = outcome(profile, opts)?;
    let names = profile.display_names();
    let n = names.len();
    let mut report = Report::new("schulze", &profile.title, names.clone(), 1);
    report.ballots = profile.total_ballots();
    report.elected = o.winners.iter().map(|&c| names[c].clone()).collect();
    report.pairwise = Some(o.pairwise.clone());
    let ranking: Vec<Vec<String>> = o
        .ranking
        .iter()
        .map(|g| g.iter().map(|&c| names[c].clone()).collect())
        .collect();
    if !o.dropped.is_empty() {
        report.notes.push(Note::DroppedRankLast {
            groups: o.active_groups,
        });
    }
    report.ranking = Some(ranking);
    if let Some(dflt) = opts.default_option {
        report.notes.push(Note::DefaultOption {
            option: names[dflt].clone(),
            quorum: opts.quorum,
            majority: opts.majority,
        });
    }
    for (c, why) in &o.dropped {
        report.notes.push(Note::Dropped {
            option: names[*c].clone(),
            reason: why.clone(),
        });
    }
    if o.winners.len() > 1 {
        report.notes.push(Note::CastingVote {
            tied: report.elected.clone(),
        });
    }
    // One stage: the pairwise defeats, and each option's number of wins.
    let status: Vec<Status> = (0..n)
        .map(|c| {
            if o.winners.contains(&c) {
                Status::Elected
            } else if o.dropped.iter().any(|(x, _)| *x == c) || profile.withdrawn.contains(&c) {
                Status::Excluded
            } else {
                Status::Hopeful
            }
        })
        .collect();
    let defeats = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .filter(|&(i, j)| i != j && o.pairwise[i][j] > o.pairwise[j][i])
        .map(|(i, j)| Defeat {
            winner: names[i].clone(),
            loser: names[j].clone(),
            for_winner: o.pairwise[i][j],
            for_loser: o.pairwise[j][i],
        })
        .collect();
    report.stages.push(Stage {
        number: 1,
        kind: "pairwise".into(),
        candidate: None,
        notes: vec![Note::PairwiseDefeats { defeats }],
        votes: (0..n)
            .map(|i| {
                let wins = (0..n)
                    .filter(|&j| o.pairwise[i][j] > o.pairwise[j][i])
                    .count();
                wins.to_string()
            })
            .collect(),
        status,
        non_transferable: None,
        keep_values: None,
        quota: None,
        transfers: Vec::new(),
        elected: report.elected.clone(),
        excluded: o.dropped.iter().map(|(c, _)| names[*c].clone()).collect(),
    });
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Ballot;

    fn profile(n: usize, ballots: &[(u64, &[u16])]) -> Profile {
        Profile {
            candidates: (0..n)
                .map(|i| format!("{}", (b'A' + i as u8) as char))
                .collect(),
            parties: vec![None; n],
            ballots: ballots
                .iter()
                .map(|(w, p)| Ballot::strict(*w, p.to_vec()))
                .collect(),
            ..Profile::default()
        }
    }

    #[test]
    fn wikipedia_example() {
        // The 45-voter example from Schulze's paper: winner E, ranking E > A > C > B > D.
        let p = profile(
            5,
            &[
                (5, &[0, 2, 1, 4, 3]),
                (5, &[0, 3, 4, 2, 1]),
                (8, &[1, 4, 3, 0, 2]),
                (3, &[2, 0, 1, 4, 3]),
                (7, &[2, 0, 4, 1, 3]),
                (2, &[2, 1, 0, 3, 4]),
                (7, &[3, 2, 4, 1, 0]),
                (8, &[4, 1, 0, 3, 2]),
            ],
        );
        let o = outcome(&p, &Options::default()).unwrap();
        assert_eq!(o.winners, vec![4]);
        assert_eq!(o.ranking, vec![vec![4], vec![0], vec![2], vec![1], vec![3]]);
    }

    #[test]
    fn majority_and_quorum_drop_options() {
        // B (1) is preferred to the default D (2) by 2 voters against 3: dropped.
        let p = profile(3, &[(3, &[0, 2, 1]), (2, &[1, 0, 2])]);
        let opts = Options {
            default_option: Some(2),
            quorum: 0,
            majority: (1, 1),
        };
        let o = outcome(&p, &opts).unwrap();
        assert_eq!(o.dropped.len(), 1);
        assert_eq!(o.dropped[0].0, 1);
        assert_eq!(o.winners, vec![0]);
        let opts = Options { quorum: 6, ..opts };
        let o = outcome(&p, &opts).unwrap();
        assert_eq!(
            o.winners,
            vec![2],
            "everything fails quorum: the default wins"
        );
    }

    #[test]
    fn tie_reported() {
        let p = profile(2, &[(1, &[0, 1]), (1, &[1, 0])]);
        let r = count(&p, &Options::default()).unwrap();
        assert_eq!(r.elected.len(), 2);
        // "tie between A, B: the casting vote decides (A.6(9))" (`web::words::count`).
        assert!(r
            .notes
            .iter()
            .any(|n| matches!(n, Note::CastingVote { tied } if tied.len() == 2)));
    }
}
