//! A count in words: the report `count` returns as data (stages, notes, lots), as `iskra count`
//! prints it and a person reads it, stage by stage.

use count::apportion::{Apportionment, Unit};
use count::cli_support::Output;
use count::lot::{Purpose, When};
use count::motion::Outcome;
use count::report::{Dropped, Note, Report, Status};
use std::fmt::Write;

/// What `iskra count` prints for a count, in words.
pub fn output(o: &Output) -> String {
    match o {
        Output::Report(r) => report(r),
        Output::Motion(o) => motion(o),
        Output::Apportionment(a, u) => apportionment(a, u),
    }
}

/// The rule a method follows, in words, with its source.
pub fn rule(method: &str) -> &str {
    match method {
        "scottish-stv" => {
            "Scottish STV: Scottish Local Government Elections Order 2007, schedule 1, rules 45-52; \
             weighted inclusive Gregory, values truncated to 5 decimals"
        }
        "meek-stv" => {
            "Meek STV: Hill, Wichmann & Woodall, Algorithm 123 (1987); 9 decimals, keep values rounded up, \
             converged when total surplus < 0.00001"
        }
        "schulze" => {
            "Schulze (winning votes), as in the Debian Constitution appendix A.6: default option, \
             quorum and majority requirement"
        }
        "plurality" => "Plurality: the candidates with most first preferences win; ties by lot",
        "approval" => "Approval: the candidates approved by most voters win; ties by lot",
        "runoff" => {
            "Two-round runoff: a majority of valid votes in round 1, else the top two meet in round 2"
        }
        "yes-no" => {
            "Yes/no/abstain per candidate: qualified when yes exceeds the threshold of yes+no; \
             seats by most yes votes"
        }
        other => other,
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Hopeful => "",
        Status::Elected => "elected",
        Status::Excluded => "excluded",
        Status::Withdrawn => "withdrawn",
    }
}

/// What a lot decided.
pub fn purpose(p: &Purpose) -> String {
    let when = |w: &When| match w {
        When::AfterStage(n) => format!("after stage {n}"),
        When::AtStage(n) => format!("at stage {n}"),
    };
    match p {
        Purpose::OrderOfElection(w) => format!("order of election {}", when(w)),
        Purpose::LargestSurplus(w) => format!("largest surplus {}", when(w)),
        Purpose::Exclusion(w) => format!("exclusion {}", when(w)),
        Purpose::LastWinningPlace => "last winning place".into(),
        Purpose::PlaceInRoundTwo => "place in round 2".into(),
        Purpose::RoundTwoTie => "round 2 tie".into(),
        Purpose::LastSeat => "last seat".into(),
        Purpose::Seat(n) => format!("seat {n}"),
        Purpose::LargestRemainder => "largest remainder".into(),
    }
}

/// Why an option was dropped.
fn dropped(d: &Dropped) -> String {
    match d {
        Dropped::Quorum { voters, quorum } => format!(
            "quorum: ranked above the default option by {voters} voters, fewer than {quorum}"
        ),
        Dropped::Majority {
            num,
            den,
            for_option,
            against,
        } => format!(
            "majority {num}:{den} over the default option not reached ({for_option} to {against})"
        ),
    }
}

/// One note of a stage or of the report, as a sentence (without its full stop).
pub fn note(n: &Note) -> String {
    match n {
        Note::FirstPreferences { rule: Some(r) } => format!("First preferences (rule {r})"),
        Note::FirstPreferences { rule: None } => "First preferences".into(),
        Note::Approvals => "Approvals".into(),
        Note::YesNoAbstain => "Yes / no / abstain for each candidate".into(),
        Note::ReachesQuota { candidate, rule } => {
            format!("{candidate} reaches the quota (rule {rule})")
        }
        Note::FillsLastVacancy { candidate, rule } => {
            format!("{candidate} fills a last vacancy (rule {rule})")
        }
        Note::Surplus {
            candidate,
            surplus,
            rule,
        } => format!("Surplus of {candidate} ({surplus}) transferred (rule {rule})"),
        Note::Excluded {
            candidate,
            votes,
            rule,
        } => format!("{candidate} excluded with {votes} votes (rule {rule})"),
        Note::ReachedQuota {
            candidates,
            iterations,
        } => format!(
            "{} reached the quota after {iterations} iterations",
            candidates.join(", ")
        ),
        Note::HopefulFillRemaining => "the hopeful candidates fill the remaining seats".into(),
        Note::ConvergedExcluding {
            candidate,
            iterations,
        } => format!(
            "converged after {iterations} iterations; {candidate} has fewest votes and is excluded"
        ),
        Note::RoundOneMajority {
            candidate,
            votes,
            valid,
        } => format!("Round 1: {candidate} has {votes} of {valid} valid votes, more than half"),
        Note::RoundOneNoMajority { valid, finalists } => format!(
            "Round 1: no majority of {valid} valid votes; {} go to round 2",
            finalists.join(" and ")
        ),
        Note::RoundTwo {
            winner,
            no_preference,
        } => format!(
            "Round 2: {winner} wins ({no_preference} ballots express no preference between the two)"
        ),
        Note::PairwiseDefeats { defeats } => {
            let mut s = String::from(
                "Pairwise defeats (row beats column: votes for row – votes for column)",
            );
            let mut i = 0;
            while i < defeats.len() {
                let winner = &defeats[i].winner;
                let line: Vec<String> = defeats[i..]
                    .iter()
                    .take_while(|d| &d.winner == winner)
                    .map(|d| format!("{} ({}–{})", d.loser, d.for_winner, d.for_loser))
                    .collect();
                i += line.len();
                let _ = write!(s, "\n    {winner} beats {}", line.join(", "));
            }
            s
        }
        Note::Unfilled { elected, seats } => {
            format!("only {elected} candidates could be elected for {seats} seats")
        }
        Note::Iterations { total } => {
            format!("{total} iterations in all; the quota shown is the final one")
        }
        Note::DroppedRankLast { groups } => format!(
            "ranking places {} first and the dropped options after them",
            if *groups == 1 {
                "the 1 group of options not dropped".to_string()
            } else {
                format!("the {groups} groups of options not dropped")
            }
        ),
        Note::DefaultOption {
            option,
            quorum,
            majority: (num, den),
        } => format!("default option: {option}; quorum {quorum}; majority {num}:{den}"),
        Note::Dropped { option, reason } => format!("{option} dropped: {}", dropped(reason)),
        Note::CastingVote { tied } => format!(
            "tie between {}: the casting vote decides (A.6(9))",
            tied.join(", ")
        ),
    }
}

/// The report as a person reads it: header, then every stage, then the result.
pub fn report(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Count: {}", r.title);
    let _ = writeln!(s, "Method: {} — {}", r.method, rule(&r.method));
    let _ = writeln!(s, "Seats: {}", r.seats);
    let _ = writeln!(s, "Valid ballots: {}", r.ballots);
    if let Some(q) = &r.quota {
        let _ = writeln!(s, "Quota: {q}");
    }
    let _ = writeln!(s, "Seed for lots: {}", r.seed);
    let width = r
        .candidates
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
        .max(16);
    for st in &r.stages {
        let what = st.notes.iter().map(note).collect::<Vec<_>>().join("; ");
        let _ = writeln!(s);
        let _ = writeln!(s, "Stage {}: {}", st.number, what);
        if let Some(q) = &st.quota {
            let _ = writeln!(s, "  quota {q}");
        }
        for t in &st.transfers {
            let to = t.to.as_deref().unwrap_or("non-transferable");
            let _ = writeln!(
                s,
                "  {} papers at {} from {} to {}: {}",
                t.papers, t.value, t.from, to, t.votes
            );
        }
        for (i, name) in r.candidates.iter().enumerate() {
            let kv = st
                .keep_values
                .as_ref()
                .map(|k| format!("  keep {}", k[i]))
                .unwrap_or_default();
            // A Schulze stage's figure is each option's number of pairwise wins.
            let votes = if st.kind == "pairwise" {
                format!("{} wins", st.votes[i])
            } else {
                st.votes[i].clone()
            };
            let _ = writeln!(
                s,
                "  {:<width$} {:>16}  {}{}",
                name,
                votes,
                status(st.status[i]),
                kv,
                width = width
            );
        }
        if let Some(nt) = &st.non_transferable {
            let _ = writeln!(
                s,
                "  {:<width$} {:>16}",
                "non-transferable",
                nt,
                width = width
            );
        }
        if !st.elected.is_empty() {
            let _ = writeln!(s, "  elected: {}", st.elected.join(", "));
        }
        if !st.excluded.is_empty() {
            let _ = writeln!(s, "  excluded: {}", st.excluded.join(", "));
        }
    }
    if let Some(ranking) = &r.ranking {
        let _ = writeln!(s);
        let _ = writeln!(s, "Ranking:");
        for (i, g) in ranking.iter().enumerate() {
            let _ = writeln!(s, "  {}. {}", i + 1, g.join(" = "));
        }
    }
    for d in &r.lots {
        let _ = writeln!(
            s,
            "Lot ({}): among {} -> {}",
            purpose(&d.purpose),
            d.among.join(", "),
            d.chosen
        );
    }
    for n in &r.notes {
        let _ = writeln!(s, "Note: {}", note(n));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Elected: {}", r.elected.join(", "));
    s
}

/// An apportionment: each unit's votes and seats, and any lot drawn.
pub fn apportionment(a: &Apportionment, units: &[Unit]) -> String {
    let mut s = format!("Apportionment by {:?}\n", a.method);
    for (u, n) in units.iter().zip(&a.seats) {
        let _ = writeln!(s, "  {:<24} {:>10} votes  {:>4} seats", u.name, u.votes, n);
    }
    for d in &a.lots {
        let _ = writeln!(
            s,
            "  lot ({}): {} among {}",
            purpose(&d.purpose),
            d.chosen,
            d.among.join(", ")
        );
    }
    s
}

/// A motion's result: the votes, the base, what was needed and the decision.
pub fn motion(o: &Outcome) -> String {
    format!(
        "Yes {}, no {}, abstain {}; present {} of {} entitled.\n\
         Base {}; {} yes needed.\nDecision: {:?}. {}\n",
        o.yes, o.no, o.abstain, o.present, o.entitled, o.base, o.needed, o.decision, o.explanation
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use count::cli_support::{self, Method, Request};
    use count::profile::{Ballot, Profile};
    use std::path::PathBuf;

    fn profile(names: &[&str], ballots: &[(u64, &[u16])]) -> Profile {
        Profile {
            title: "t".into(),
            candidates: names.iter().map(|n| n.to_string()).collect(),
            parties: vec![None; names.len()],
            ballots: ballots
                .iter()
                .map(|(w, p)| Ballot::strict(*w, p.to_vec()))
                .collect(),
            ..Profile::default()
        }
    }

    /// The command's path on the Glasgow 2007 Calton ward (vendored with the count crate).
    #[test]
    fn a_glasgow_count_reads_stage_by_stage() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../count/tests/data/glasgow-2007/Calton-2007.blt");
        let mut req = Request::new(Method::ScottishStv);
        req.file_name = path.to_string_lossy().into();
        req.seed = 99;
        let out = cli_support::run(&std::fs::read(&path).unwrap(), &req).unwrap();
        let text = output(&out);
        assert!(text.contains("Stage 2: Surplus of"), "{text}");
        assert!(text.contains("papers at"));
        assert!(text.contains(
            "Method: scottish-stv — Scottish STV: Scottish Local Government Elections Order 2007, \
             schedule 1, rules 45-52; weighted inclusive Gregory, values truncated to 5 decimals"
        ));
    }

    #[test]
    fn an_apportionment_names_each_units_seats() {
        let a = br#"{"seats": 8, "units": [{"name": "A", "votes": 100000}, {"name": "B", "votes": 80000},
                    {"name": "C", "votes": 30000}, {"name": "D", "votes": 20000}]}"#;
        let out = cli_support::run(a, &Request::new(Method::DHondt)).unwrap();
        assert!(output(&out).contains("4 seats"));
    }

    #[test]
    fn a_schulze_tie_goes_to_the_casting_vote() {
        let p = profile(&["A", "B"], &[(1, &[0, 1]), (1, &[1, 0])]);
        let r = count::schulze::count(&p, &count::schulze::Options::default()).unwrap();
        let text = report(&r);
        assert!(text.contains("casting vote"), "{text}");
        assert!(text.contains("Note: tie between A, B: the casting vote decides (A.6(9))"));
    }

    #[test]
    fn stages_read_as_the_rules_say() {
        // 10 ballots, 2 seats: quota 4; C1 reaches it at once, its surplus goes to C2.
        let p = profile(&["C1", "C2", "C3"], &[(7, &[0, 1]), (2, &[1]), (1, &[2])]);
        let r = count::scottish_stv::count(&p, 2, 0).unwrap();
        let text = report(&r);
        assert!(
            text.contains("Stage 1: First preferences (rule 45); C1 reaches the quota (rule 47)\n"),
            "{text}"
        );
        assert!(
            text.contains("Stage 2: Surplus of C1 (3.00000) transferred (rule 48); C2 reaches the quota (rule 47)\n"),
            "{text}"
        );
        assert!(text.contains("  7 papers at 0.42857 from C1 to C2: 2.99999\n"));

        // A tie for exclusion, decided by lot and said so.
        let p = profile(
            &["C1", "C2", "C3", "C4"],
            &[(5, &[0]), (4, &[1]), (2, &[2]), (2, &[3])],
        );
        let text = report(&count::scottish_stv::count(&p, 1, 7).unwrap());
        assert!(
            text.contains("Lot (exclusion after stage 1): among C3, C4 -> "),
            "{text}"
        );
        let text = report(&count::meek::count(&p, 1, 7).unwrap());
        assert!(
            text.contains("Lot (exclusion at stage 1): among C3, C4 -> "),
            "{text}"
        );
        assert!(text.contains("has fewest votes and is excluded"));
        assert!(
            text.contains("Note: ")
                && text.contains(" iterations in all; the quota shown is the final one")
        );
    }

    #[test]
    fn pairwise_defeats_are_listed_by_winner() {
        let p = profile(&["A", "B", "C"], &[(3, &[0, 1, 2]), (2, &[1, 2, 0])]);
        let r = count::schulze::count(&p, &count::schulze::Options::default()).unwrap();
        let text = report(&r);
        assert!(text.contains(
            "Stage 1: Pairwise defeats (row beats column: votes for row – votes for column)\n    \
             A beats B (3–2), C (3–2)\n    B beats C (5–0)\n"
        ), "{text}");
        assert!(text.contains("2 wins  elected"), "{text}");
    }
}
