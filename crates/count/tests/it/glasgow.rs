//! Glasgow City Council, 3 May 2007, all 21 wards: the winners and every stage's
//! values must equal the reference reports (droop, Scottish rule, fixed point, 5 places),
//! whose winners equal the published council results.

use count::{blt, fixed, scottish_stv};
use std::collections::HashMap;
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/glasgow-2007")
}

/// One stage of a reference report: votes per candidate name, and non-transferable votes.
#[derive(Debug)]
struct RefStage {
    action: String,
    votes: HashMap<String, i64>,
    non_transferable: i64,
}

struct RefReport {
    quota: i64,
    stages: Vec<RefStage>,
    elected: Vec<String>,
}

fn parse_reference(text: &str) -> RefReport {
    let mut quota = 0;
    let mut stages = Vec::new();
    let mut current: Option<RefStage> = None;
    let mut last_action = String::new();
    let mut elected = Vec::new();
    let value = |s: &str| fixed::parse(s, 5).unwrap_or_else(|| panic!("bad value {s}"));
    for line in text.lines() {
        let t = line.trim();
        if let Some(q) = t.strip_prefix("Quota: ") {
            quota = value(q);
        } else if let Some(a) = t.strip_prefix("Action: ") {
            if let Some(s) = current.take() {
                stages.push(s);
            }
            last_action = a.to_string();
            // Stages of the count: the first count and every completed transfer.
            if a == "Begin Count"
                || a.starts_with("Surplus transferred")
                || a.starts_with("Transfer defeated")
            {
                current = Some(RefStage {
                    action: a.to_string(),
                    votes: HashMap::new(),
                    non_transferable: 0,
                });
            }
        } else if let Some(rest) = ["Elected:", "Hopeful:", "Pending:", "Defeated:"]
            .iter()
            .find_map(|p| t.strip_prefix(p))
        {
            let rest = rest.trim();
            let open = rest.rfind(" (").expect("value in parentheses");
            let v = value(&rest[open + 2..rest.len() - 1]);
            let names = &rest[..open];
            if last_action == "Count Complete" && t.starts_with("Elected:") {
                elected.push(names.trim().to_string());
            }
            if let Some(s) = current.as_mut() {
                for n in names.split(", ") {
                    // Names are compared trimmed: one BLT name has a trailing space.
                    s.votes.insert(n.trim().to_string(), v);
                }
            }
        } else if let Some(nt) = t.strip_prefix("Nontransferable votes: ") {
            if let Some(s) = current.as_mut() {
                s.non_transferable = value(nt);
            }
        }
    }
    if let Some(s) = current.take() {
        stages.push(s);
    }
    RefReport {
        quota,
        stages,
        elected,
    }
}

#[test]
fn glasgow_2007_every_ward_every_stage() {
    let dir = data_dir();
    let mut wards = 0;
    let mut stages_checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("glasgow-2007 data directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "blt"))
        .collect();
    entries.sort();
    for path in entries {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let profile = blt::parse(&text).unwrap_or_else(|e| panic!("{stem}: {e}"));
        let reference_path = dir
            .join("reference")
            .join(format!("{stem}-scotland-fixed-p5-d5.txt"));
        let reference = parse_reference(&std::fs::read_to_string(&reference_path).unwrap());
        let seats = profile.seats.unwrap();
        let (report, outcome) = scottish_stv::count_full(&profile, seats, 0).unwrap();

        assert_eq!(outcome.quota, reference.quota, "{stem}: quota");
        let mut ours: Vec<String> = report.elected.clone();
        let mut theirs = reference.elected.clone();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{stem}: winners");
        assert!(report.lots.is_empty(), "{stem}: no lots expected");

        assert_eq!(
            outcome.stage_votes.len(),
            reference.stages.len(),
            "{stem}: number of stages"
        );
        for (k, (votes, rs)) in outcome
            .stage_votes
            .iter()
            .zip(&reference.stages)
            .enumerate()
        {
            for (c, name) in profile.candidates.iter().enumerate() {
                let want = rs.votes.get(name).unwrap_or_else(|| {
                    panic!("{stem} stage {}: {name} missing in reference", k + 1)
                });
                assert_eq!(
                    votes[c],
                    *want,
                    "{stem} stage {} ({}): votes of {name}",
                    k + 1,
                    rs.action
                );
            }
            assert_eq!(
                outcome.stage_non_transferable[k],
                rs.non_transferable,
                "{stem} stage {} ({}): non-transferable",
                k + 1,
                rs.action
            );
            stages_checked += 1;
        }
        wards += 1;
    }
    assert_eq!(wards, 21);
    eprintln!("{wards} wards, {stages_checked} stages equal the reference");
}
