//! The readers on small files made for these tests, and the command's whole path.

use count::cli_support::{self, InputFormat, Method, Output, Request};
use count::report::Note;
use count::{blt, preflib, schulze, scottish_stv};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn preflib_toc_with_ties() {
    let p = preflib::parse(&std::fs::read_to_string(fixture("committee.toc")).unwrap()).unwrap();
    assert_eq!(p.candidates, vec!["Rosa", "Clara", "Karl", "August"]);
    assert_eq!(p.total_ballots(), 21);
    let o = schulze::outcome(&p, &schulze::Options::default()).unwrap();
    // Ranked equal or unranked, a pair counts for neither side.
    // Rosa beats Clara 8–7, Clara beats Karl 13–6, Karl beats Rosa 11–8: a cycle.
    assert_eq!((o.pairwise[0][1], o.pairwise[1][0]), (8, 7));
    assert_eq!((o.pairwise[1][2], o.pairwise[2][1]), (13, 6));
    assert_eq!((o.pairwise[2][0], o.pairwise[0][2]), (11, 8));
    // The weakest defeat (Rosa over Clara, 8) gives way: Clara, Karl, Rosa, August.
    assert_eq!(o.ranking, vec![vec![1], vec![2], vec![0], vec![3]]);
}

#[test]
fn preflib_legacy_soi() {
    let p =
        preflib::parse(&std::fs::read_to_string(fixture("committee_legacy.soi")).unwrap()).unwrap();
    assert_eq!(p.candidates, vec!["Rosa", "Clara", "Karl"]);
    assert_eq!(p.total_ballots(), 10);
    let r = scottish_stv::count(&p, 1, 0).unwrap();
    // Quota 6: Karl (2) then Clara (3) are excluded, their papers exhausted; Rosa fills
    // the last vacancy with 5.
    assert_eq!(r.elected, vec!["Rosa"]);
}

#[test]
fn bad_blt_names_line_and_reason() {
    let mut req = Request::new(Method::ScottishStv);
    req.file_name = "bad_candidate.blt".into();
    let err = cli_support::run(&std::fs::read(fixture("bad_candidate.blt")).unwrap(), &req)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("candidate 4 does not exist"), "{err}");
}

#[test]
fn blt_written_and_read_back_counts_the_same() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/scotland-sample/9_cands/glasgow_2007_anderston.blt");
    let p = blt::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let again = blt::parse(&blt::write(&p, 4)).unwrap();
    assert_eq!(again.ballots, p.ballots);
    assert_eq!(again.display_names(), p.display_names());
    let a = scottish_stv::count(&p, 4, 0).unwrap();
    let b = scottish_stv::count(&again, 4, 0).unwrap();
    assert_eq!(a.elected, b.elected);
    assert_eq!(a.stages, b.stages);
}

#[test]
fn command_path_json_holds_elected_stages_quota_and_seed() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/glasgow-2007/Calton-2007.blt");
    let mut req = Request::new(Method::ScottishStv);
    req.file_name = path.to_string_lossy().into();
    req.seed = 99;
    let out = cli_support::run(&std::fs::read(&path).unwrap(), &req).unwrap();
    let json: serde_json::Value = serde_json::from_str(&out.to_json()).unwrap();
    assert_eq!(
        json["elected"].as_array().unwrap().len(),
        3,
        "Calton elects 3"
    );
    assert!(json["stages"].as_array().unwrap().len() > 2);
    assert!(json["quota"].as_str().unwrap().ends_with(".00000"));
    assert_eq!(json["seed"], 99);
    // In words (`web::words::count`, which asserts them): "Stage 2: Surplus of ..." and
    // "... papers at ...".
    match &out {
        Output::Report(r) => {
            assert!(matches!(r.stages[1].notes[0], Note::Surplus { .. }));
            assert!(!r.stages[1].transfers.is_empty());
        }
        o => panic!("{o:?}"),
    }
    // The same input and seed give the same report, byte for byte.
    let again = cli_support::run(&std::fs::read(&path).unwrap(), &req).unwrap();
    assert_eq!(again.to_json(), out.to_json());
    // Every ranked method runs on it.
    for m in [
        Method::MeekStv,
        Method::Schulze,
        Method::Plurality,
        Method::Approval,
        Method::Runoff,
    ] {
        req.method = m;
        match cli_support::run(&std::fs::read(&path).unwrap(), &req).unwrap() {
            Output::Report(r) => assert!(!r.elected.is_empty(), "{m:?}"),
            o => panic!("{o:?}"),
        }
    }
    assert_eq!(cli_support::detect("x.toc", ""), InputFormat::Preflib);
}
