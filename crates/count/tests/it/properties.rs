//! Property tests: invariants of the counts on random profiles, and a cross-check of
//! Schulze and apportionment against pref_voting and votelib on random profiles.

use count::apportion::{self, Method as AMethod, Unit};
use count::fixed;
use count::lot::Lot;
use count::profile::{Ballot, Profile};
use count::{meek, schulze, scottish_stv};
use proptest::prelude::*;
use std::io::Write;
use std::process::{Command, Stdio};

fn profile(ncand: usize, ballots: Vec<(u64, Vec<u16>)>) -> Profile {
    Profile {
        title: "random".into(),
        candidates: (0..ncand).map(|i| format!("C{i}")).collect(),
        parties: vec![None; ncand],
        seats: None,
        withdrawn: vec![],
        ballots: ballots
            .into_iter()
            .map(|(w, p)| Ballot::strict(w, p))
            .collect(),
    }
}

/// Random strict (possibly truncated) rankings over `ncand` candidates.
fn arb_profile(max_cand: usize, max_ballots: usize) -> impl Strategy<Value = Profile> {
    (3..=max_cand).prop_flat_map(move |n| {
        let ballot = (
            1u64..5,
            Just((0..n as u16).collect::<Vec<u16>>()).prop_shuffle(),
            1..=n,
        )
            .prop_map(|(w, perm, len)| (w, perm[..len].to_vec()));
        prop::collection::vec(ballot, 1..max_ballots).prop_map(move |b| profile(n, b))
    })
}

fn relabel(p: &Profile, perm: &[usize]) -> Profile {
    // Candidate c becomes perm[c].
    let mut q = p.clone();
    let mut names = vec![String::new(); p.candidates.len()];
    for (c, &to) in perm.iter().enumerate() {
        names[to] = p.candidates[c].clone();
    }
    q.candidates = names;
    for b in &mut q.ballots {
        for c in &mut b.prefs {
            *c = perm[*c as usize] as u16;
        }
    }
    q
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn scottish_elects_exactly_the_seats_and_conserves_votes(p in arb_profile(7, 40), seats in 1usize..4) {
        let seats = seats.min(p.candidates.len());
        let (_, o) = scottish_stv::count_full(&p, seats, 1).unwrap();
        prop_assert_eq!(o.elected.len(), seats);
        let mut sorted = o.elected.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), seats, "no one elected twice");
        // Votes are conserved up to truncation: what is in no pile and not
        // non-transferable was lost to 5-decimal truncation, at most 0.00001 per paper per surplus.
        let total = p.total_ballots() as i64 * fixed::scale(5);
        let papers = p.total_ballots() as i64;
        for (k, votes) in o.stage_votes.iter().enumerate() {
            let held: i64 = votes.iter().sum::<i64>() + o.stage_non_transferable[k];
            prop_assert!(held <= total);
            prop_assert!(total - held <= papers * k as i64, "stage {}: lost {}", k + 1, total - held);
        }
        prop_assert_eq!(o.stage_votes[0].iter().sum::<i64>(), total);
    }

    #[test]
    fn scottish_is_anonymous(p in arb_profile(6, 30), seats in 1usize..3, seed in any::<u64>()) {
        // Reordering ballots, and splitting parcels into single papers, change nothing.
        let seats = seats.min(p.candidates.len());
        let (a, oa) = scottish_stv::count_full(&p, seats, 3).unwrap();
        let mut q = p.clone();
        let mut lot = Lot::new(seed);
        let mut split = Vec::new();
        for b in &q.ballots {
            for _ in 0..b.weight {
                split.push(Ballot::strict(1, b.prefs.clone()));
            }
        }
        for i in (1..split.len()).rev() {
            split.swap(i, lot.below(i + 1));
        }
        q.ballots = split;
        let (b, ob) = scottish_stv::count_full(&q, seats, 3).unwrap();
        prop_assert_eq!(a.elected, b.elected);
        prop_assert_eq!(oa.stage_votes, ob.stage_votes);
    }

    #[test]
    fn scottish_is_neutral(p in arb_profile(6, 30), seats in 1usize..3, seed in any::<u64>()) {
        // Relabelling candidates relabels the winners (when no lot was needed).
        let seats = seats.min(p.candidates.len());
        let n = p.candidates.len();
        let mut perm: Vec<usize> = (0..n).collect();
        let mut lot = Lot::new(seed);
        for i in (1..n).rev() {
            perm.swap(i, lot.below(i + 1));
        }
        let (ra, a) = scottish_stv::count_full(&p, seats, 0).unwrap();
        let (rb, b) = scottish_stv::count_full(&relabel(&p, &perm), seats, 0).unwrap();
        if ra.lots.is_empty() && rb.lots.is_empty() {
            let mapped: Vec<usize> = a.elected.iter().map(|&c| perm[c]).collect();
            prop_assert_eq!(mapped, b.elected);
        }
    }

    #[test]
    fn meek_elects_exactly_the_seats(p in arb_profile(6, 30), seats in 1usize..4) {
        let seats = seats.min(p.candidates.len());
        let r = meek::count(&p, seats, 0).unwrap();
        prop_assert_eq!(r.elected.len(), seats);
        let total = p.total_ballots() as i64 * fixed::scale(9);
        for st in &r.stages {
            let held: i64 = st.votes.iter().map(|v| fixed::parse(v, 9).unwrap()).sum::<i64>()
                + fixed::parse(st.non_transferable.as_ref().unwrap(), 9).unwrap();
            // Rounding up may credit at most one unit more per paper and candidate.
            prop_assert!((held - total).abs() <= p.total_ballots() as i64 * p.candidates.len() as i64);
        }
    }

    #[test]
    fn schulze_elects_a_condorcet_winner(p in arb_profile(6, 30)) {
        let o = schulze::outcome(&p, &schulze::Options::default()).unwrap();
        let n = p.candidates.len();
        let d = &o.pairwise;
        for (c, row) in d.iter().enumerate() {
            if (0..n).all(|x| x == c || row[x] > d[x][c]) {
                prop_assert_eq!(o.winners.clone(), vec![c]);
            }
        }
        // The ranking holds every option exactly once.
        let mut all: Vec<usize> = o.ranking.concat();
        all.sort();
        prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
    }

    #[test]
    fn apportionment_totals_and_minimums(
        votes in prop::collection::vec((1u64..100_000, 0u64..3), 1..8),
        extra in 0u64..30,
    ) {
        let units: Vec<Unit> = votes.iter().enumerate()
            .map(|(i, &(v, m))| Unit { name: format!("U{i}"), votes: v, min: m }).collect();
        let seats = units.iter().map(|u| u.min).sum::<u64>() + extra;
        for m in [AMethod::DHondt, AMethod::SainteLague, AMethod::HareLargestRemainder] {
            let a = apportion::apportion(&units, seats, m, 5).unwrap();
            prop_assert_eq!(a.seats.iter().sum::<u64>(), seats);
            for (u, s) in units.iter().zip(&a.seats) {
                prop_assert!(*s >= u.min);
            }
        }
        // House monotonicity of divisor methods (no minimums): one more seat takes none away.
        let plain: Vec<Unit> = units.iter().map(|u| Unit { min: 0, ..u.clone() }).collect();
        for m in [AMethod::DHondt, AMethod::SainteLague] {
            let a = apportion::apportion(&plain, seats, m, 5).unwrap();
            let b = apportion::apportion(&plain, seats + 1, m, 5).unwrap();
            if a.lots.is_empty() && b.lots.is_empty() {
                for (x, y) in a.seats.iter().zip(&b.seats) {
                    prop_assert!(y >= x);
                }
            }
        }
    }
}

fn python_with(modules: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Schulze and apportionment against pref_voting and votelib on 300 random profiles,
/// made here with a fixed seed and counted by python in one run.
#[test]
fn cross_check_schulze_and_apportionment_with_python() {
    if !python_with("pref_voting, votelib") {
        let msg = "python3 with pref_voting and votelib is not installed \
                   (pip install pref_voting votelib): cannot cross-check";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg}");
        }
        eprintln!("SKIPPED: {msg}");
        return;
    }
    let mut lot = Lot::new(2024);
    let mut schulze_cases = Vec::new();
    let mut profiles = Vec::new();
    for _ in 0..150 {
        let n = 3 + lot.below(5);
        let nb = 1 + lot.below(25);
        let mut ballots = Vec::new();
        for _ in 0..nb {
            let mut perm: Vec<u16> = (0..n as u16).collect();
            for i in (1..n).rev() {
                perm.swap(i, lot.below(i + 1));
            }
            ballots.push((1 + lot.below(4) as u64, perm));
        }
        schulze_cases.push(serde_json::json!({"ncand": n, "ballots": ballots}));
        profiles.push(profile(n, ballots));
    }
    let mut apportion_cases = Vec::new();
    let mut unit_sets = Vec::new();
    let methods = [
        ("dhondt", AMethod::DHondt),
        ("sainte-lague", AMethod::SainteLague),
        ("hare", AMethod::HareLargestRemainder),
    ];
    for k in 0..150 {
        let nu = 2 + lot.below(8);
        let votes: Vec<u64> = (0..nu).map(|_| 1 + lot.below(1_000_000) as u64).collect();
        let seats = 1 + lot.below(60) as u64;
        let (name, m) = methods[k % 3];
        apportion_cases.push(serde_json::json!({"method": name, "seats": seats, "votes": votes}));
        unit_sets.push((votes, seats, m));
    }
    let input = serde_json::json!({"schulze": schulze_cases, "apportion": apportion_cases});
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crosscheck.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "crosscheck.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let res: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    for (i, p) in profiles.iter().enumerate() {
        let ours = schulze::outcome(p, &schulze::Options::default())
            .unwrap()
            .winners;
        let theirs: Vec<usize> = res["schulze"][i]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        let mut ours_sorted = ours.clone();
        ours_sorted.sort();
        assert_eq!(ours_sorted, theirs, "Schulze profile {i}: {:?}", p.ballots);
    }
    let mut compared = 0;
    for (i, (votes, seats, m)) in unit_sets.iter().enumerate() {
        let units: Vec<Unit> = votes
            .iter()
            .enumerate()
            .map(|(j, &v)| Unit {
                name: format!("u{j}"),
                votes: v,
                min: 0,
            })
            .collect();
        let a = apportion::apportion(&units, *seats, *m, 0).unwrap();
        if !a.lots.is_empty() {
            continue; // a tie decided by lot: votelib breaks it its own way
        }
        let theirs: Vec<u64> = res["apportion"][i]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        assert_eq!(
            a.seats, theirs,
            "{m:?} case {i}: votes {votes:?}, {seats} seats"
        );
        compared += 1;
    }
    assert!(compared >= 140, "only {compared} apportionments compared");
}
