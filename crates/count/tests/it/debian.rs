//! Debian Project Leader elections 2006, 2007 and 2020, from the original tally sheets:
//! the officially declared winners, and the full Schulze ranking, checked against an
//! independent implementation of the Constitution's own procedure (A.6(8): Schwartz
//! set, drop the weakest defeats) written here from the text.

use count::cli_support::{self, InputFormat, Method, Request};
use count::{debian, schulze};
use std::path::PathBuf;

fn tally(year: u32) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/data/debian/leader{year}_tally.txt"));
    std::fs::read(p).expect("tally sheet")
}

/// A.6(8), literally: repeat { Schwartz set; if no defeats inside it, done; else drop
/// the weakest defeats (fewest winning votes, then most losing votes) }.
fn constitution_winners(d: &[Vec<u64>], options: &[usize]) -> Vec<usize> {
    let n = d.len();
    let mut defeat = vec![vec![false; n]; n];
    for &a in options {
        for &b in options {
            defeat[a][b] = a != b && d[a][b] > d[b][a];
        }
    }
    let mut set: Vec<usize> = options.to_vec();
    loop {
        // Transitive closure of defeats among `set`.
        let mut reach = defeat.clone();
        for &k in &set {
            for &i in &set {
                for &j in &set {
                    if reach[i][k] && reach[k][j] {
                        reach[i][j] = true;
                    }
                }
            }
        }
        // Schwartz set: options in an unbeaten set: those X such that every Y reaching X is reached by X.
        let schwartz: Vec<usize> = set
            .iter()
            .copied()
            .filter(|&x| set.iter().all(|&y| !reach[y][x] || reach[x][y]))
            .collect();
        set = schwartz;
        let inside: Vec<(usize, usize)> = set
            .iter()
            .flat_map(|&a| set.iter().map(move |&b| (a, b)))
            .filter(|&(a, b)| defeat[a][b])
            .collect();
        if inside.is_empty() {
            return set;
        }
        let weakest = inside
            .iter()
            .map(|&(a, b)| (d[a][b], std::cmp::Reverse(d[b][a])))
            .min()
            .unwrap();
        for &(a, b) in &inside {
            if (d[a][b], std::cmp::Reverse(d[b][a])) == weakest {
                defeat[a][b] = false;
            }
        }
    }
}

fn check(year: u32, winner: &str, expected_ranking: &[&[&str]]) {
    let mut req = Request::new(Method::Schulze);
    req.file_name = format!("leader{year}_tally.txt");
    let (profile, fmt) = cli_support::read_profile(&tally(year), &req).unwrap();
    assert_eq!(fmt, InputFormat::Debian);
    let report = cli_support::count_profile(&profile, fmt, &req).unwrap();
    assert_eq!(report.elected, vec![winner.to_string()], "{year}");
    let ranking: Vec<Vec<String>> = report.ranking.clone().unwrap();
    let expected: Vec<Vec<String>> = expected_ranking
        .iter()
        .map(|g| g.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(ranking, expected, "{year}: ranking");

    // The same ranking from the Constitution's procedure, applied again and again to
    // the options not yet ranked (dropped options after the others, as Debian drops them).
    let opts = schulze::Options {
        default_option: Some(profile.candidates.len() - 1),
        ..Default::default()
    };
    let o = schulze::outcome(&profile, &opts).unwrap();
    let dropped: Vec<usize> = o.dropped.iter().map(|(c, _)| *c).collect();
    let mut independent: Vec<Vec<String>> = Vec::new();
    for pool in [
        (0..profile.candidates.len())
            .filter(|c| !dropped.contains(c))
            .collect::<Vec<_>>(),
        dropped.clone(),
    ] {
        let mut left = pool;
        while !left.is_empty() {
            let mut w = constitution_winners(&o.pairwise, &left);
            w.sort();
            left.retain(|c| !w.contains(c));
            independent.push(w.iter().map(|&c| profile.candidates[c].clone()).collect());
        }
    }
    let mut ours = ranking.clone();
    for g in ours.iter_mut() {
        g.sort_by_key(|name| profile.candidates.iter().position(|c| c == name));
    }
    assert_eq!(ours, independent, "{year}: Constitution procedure");
}

#[test]
fn leader_2006() {
    check(
        2006,
        "Anthony Towns",
        &[
            &["Anthony Towns"],
            &["Steve McIntyre"],
            // A genuine pairwise tie: 166 voters each way.
            &["Jeroen van Wolffelaar", "Andreas Schuldei"],
            &["Bill Allombert"],
            &["None of the Above"],
            &["Ari Pollak"],
            &["Jonathan aka Ted Walther"],
        ],
    );
}

#[test]
fn leader_2007_latin1() {
    check(
        2007,
        "Sam Hocevar",
        &[
            &["Sam Hocevar"],
            &["Steve McIntyre"],
            &["Raphaël Hertzog"],
            &["Wouter Verhelst"],
            &["Anthony Towns"],
            &["Gustavo Franco"],
            &["None Of The Above"],
            &["Simon Richter"],
            &["Aigars Mahinovs"],
        ],
    );
}

#[test]
fn leader_2020() {
    check(
        2020,
        "Jonathan Carter",
        &[
            &["Jonathan Carter"],
            &["Sruthi Chandran"],
            &["Brian Gupta"],
            &["None Of The Above"],
        ],
    );
}

#[test]
fn tally_sheet_without_header_takes_given_names() {
    let text = "V: 21-\nV: 1-2\n";
    let names: Vec<String> = ["A", "B", "None of the above"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let p = debian::parse(text, Some(&names)).unwrap();
    assert_eq!(p.candidates[2], "None of the above");
    let p = debian::parse(text, None).unwrap();
    assert_eq!(p.candidates, vec!["Option 1", "Option 2", "Option 3"]);
}
