//! A person's standing under the statutes, in words: the reasons `core_rules::statutes::evaluate`
//! gives as data, as the person's page, the unit's roster and the command line show them.

use core_rules::statutes::{Formula, Reason, Standing};

fn months(n: i64) -> String {
    if n == 1 {
        "1 month".into()
    } else {
        format!("{n} months")
    }
}

/// One reason, in plain words addressed to anyone reading the person's page.
pub fn reason(r: &Reason) -> String {
    let what = |f: &Formula| match f {
        Formula::Lenin => "personal participation",
        Formula::Martov => "regular association",
    };
    match r {
        Reason::Left => "has left the organisation".into(),
        Reason::Expelled => "was expelled".into(),
        Reason::Lapsed => "membership has lapsed; the unit may readmit".into(),
        Reason::Supporter => "a supporter, not admitted to any organisation".into(),
        Reason::Applicant => "applied, but the unit has not yet admitted them".into(),
        Reason::AffiliatedBody => {
            "belongs to an affiliated body, which is not a party organisation".into()
        }
        Reason::Admitted { on: Some(d) } => format!("admitted to a party organisation on {d}"),
        Reason::Admitted { on: None } => "admitted to a party organisation".into(),
        Reason::NoAdmissionNeeded => "no admission needed under Martov's formula".into(),
        Reason::ProgrammeRecognised => "recognises the programme".into(),
        Reason::ProgrammeNotAccepted => "has not recorded accepting the programme".into(),
        Reason::NoDuesPaid => "no dues paid yet".into(),
        Reason::DuesPaidUp { through } => format!("dues paid up (through {through})"),
        Reason::DuesBehind { through, months: n } => {
            format!("dues paid through {through}, {} behind", months(*n))
        }
        Reason::DuesTooFarBehind {
            through,
            months: n,
            allowed,
        } => format!(
            "dues {} behind (last paid for {through}; the statutes allow {})",
            months(*n),
            months(*allowed as i64)
        ),
        Reason::Participation {
            formula,
            count,
            days,
        } => format!(
            "{}: {count} meeting(s) or task(s) in the last {days} days",
            what(formula)
        ),
        Reason::TooLittleParticipation {
            formula,
            count,
            needed,
            days,
            last,
        } => {
            let last = match last {
                Some(d) => format!("last on {d}"),
                None => "none recorded".into(),
            };
            format!(
                "no {}: {count} of {needed} meeting(s) or task(s) needed in the last {days} days ({last})",
                what(formula)
            )
        }
        Reason::VoteArrears { months: n } => format!("dues {} behind", months(*n)),
        Reason::TooNewToVote { days, after } => {
            format!("member for {days} days; the vote comes after {after}")
        }
        Reason::EntitledToVote => "entitled to vote".into(),
    }
}

/// One line, e.g. "Member, no vote: dues 3 months behind".
pub fn summary(s: &Standing) -> String {
    let why = s.failing().map(reason).collect::<Vec<_>>().join("; ");
    match (s.member, s.vote) {
        (true, true) => "Member with a vote".to_string(),
        (true, false) => format!("Member, no vote: {why}"),
        (false, _) => format!("Not a member: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_rules::people::Status;
    use core_rules::statutes::{evaluate, PersonFacts, Statutes};
    use core_rules::{Day, Month};

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn active_member() -> PersonFacts {
        PersonFacts {
            status: Status::Member,
            in_party_unit: true,
            programme_accepted: true,
            admitted_on: Some(day("2025-01-10")),
            paid_through: Some(Month::parse("2026-11").unwrap()),
            participation: 2,
            last_participation: Some(day("2026-11-02")),
        }
    }

    #[test]
    fn an_active_paid_up_member_votes() {
        let s = evaluate(&Statutes::founding(), &active_member(), day("2026-11-27"));
        assert_eq!(summary(&s), "Member with a vote");
    }

    #[test]
    fn arrears_take_the_vote_before_they_take_membership() {
        let mut f = active_member();
        f.paid_through = Some(Month::parse("2026-08").unwrap());
        let s = evaluate(&Statutes::founding(), &f, day("2026-11-27"));
        assert_eq!(summary(&s), "Member, no vote: dues 3 months behind");

        f.paid_through = Some(Month::parse("2026-07").unwrap());
        let s = evaluate(&Statutes::founding(), &f, day("2026-11-27"));
        assert!(
            summary(&s).contains("dues 4 months behind"),
            "{}",
            summary(&s)
        );
    }

    #[test]
    fn lenin_and_martov_split_on_the_supporter_who_helps_regularly() {
        let helper = PersonFacts {
            status: Status::Supporter,
            admitted_on: None,
            participation: 4,
            ..active_member()
        };
        let lenin = evaluate(&Statutes::founding(), &helper, day("2026-11-27"));
        assert!(
            summary(&lenin).contains("not admitted"),
            "{}",
            summary(&lenin)
        );
    }

    #[test]
    fn new_members_wait_for_the_vote() {
        let f = PersonFacts {
            admitted_on: Some(day("2026-11-20")),
            ..active_member()
        };
        let s = evaluate(&Statutes::founding(), &f, day("2026-11-27"));
        assert!(summary(&s).contains("member for 7 days"));
    }

    #[test]
    fn every_reason_reads_as_before() {
        let through = Month::parse("2026-08").unwrap();
        for (r, words) in [
            (Reason::Admitted { on: Some(day("2025-01-10")) }, "admitted to a party organisation on 2025-01-10"),
            (Reason::DuesPaidUp { through }, "dues paid up (through 2026-08)"),
            (Reason::DuesBehind { through, months: 1 }, "dues paid through 2026-08, 1 month behind"),
            (
                Reason::DuesTooFarBehind { through, months: 4, allowed: 3 },
                "dues 4 months behind (last paid for 2026-08; the statutes allow 3 months)",
            ),
            (
                Reason::Participation { formula: Formula::Lenin, count: 2, days: 90 },
                "personal participation: 2 meeting(s) or task(s) in the last 90 days",
            ),
            (
                Reason::TooLittleParticipation {
                    formula: Formula::Martov,
                    count: 1,
                    needed: 3,
                    days: 90,
                    last: None,
                },
                "no regular association: 1 of 3 meeting(s) or task(s) needed in the last 90 days (none recorded)",
            ),
            (Reason::TooNewToVote { days: 7, after: 30 }, "member for 7 days; the vote comes after 30"),
        ] {
            assert_eq!(reason(&r), words);
        }
    }
}
