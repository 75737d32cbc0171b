//! Correspondence: reports sent to the paper from below, and the editors' triage.
//!
//! A report has a category (from a fixed list, or "other"), a place (a unit's area), a date and
//! its text. A sender may stay anonymous; the store then keeps no identifying detail at all.
//!
//! A correspondent is known to one editor: the one who triages the report is assigned it, and
//! only they, on request, see who sent it. The link from the report to its sender is cleared a
//! number of days (the statutes' `correspondence.sender_kept_days`) after the report is decided.

use crate::Day;
use serde::{Deserialize, Serialize};

/// The longest report accepted, in characters.
pub const MAX_TEXT: usize = 20_000;
/// The longest place a sender may describe in their own words, in characters: a street, a
/// workplace, a town.
pub const MAX_PLACE: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportCategory {
    Strike,
    WageTheft,
    Workplace,
    Police,
    Eviction,
    Housing,
    School,
    Health,
    Racism,
    Religion,
    Officials,
    Other,
}

impl ReportCategory {
    pub const ALL: [ReportCategory; 12] = [
        ReportCategory::Strike,
        ReportCategory::WageTheft,
        ReportCategory::Workplace,
        ReportCategory::Police,
        ReportCategory::Eviction,
        ReportCategory::Housing,
        ReportCategory::School,
        ReportCategory::Health,
        ReportCategory::Racism,
        ReportCategory::Religion,
        ReportCategory::Officials,
        ReportCategory::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportCategory::Strike => "strike",
            ReportCategory::WageTheft => "wage-theft",
            ReportCategory::Workplace => "workplace",
            ReportCategory::Police => "police",
            ReportCategory::Eviction => "eviction",
            ReportCategory::Housing => "housing",
            ReportCategory::School => "school",
            ReportCategory::Health => "health",
            ReportCategory::Racism => "racism",
            ReportCategory::Religion => "religion",
            ReportCategory::Officials => "officials",
            ReportCategory::Other => "other",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ReportCategory::Strike => "Strike or walk-out",
            ReportCategory::WageTheft => "Wage theft",
            ReportCategory::Workplace => "Conditions at work",
            ReportCategory::Police => "Police",
            ReportCategory::Eviction => "Eviction",
            ReportCategory::Housing => "Housing",
            ReportCategory::School => "Schools",
            ReportCategory::Health => "Health care",
            ReportCategory::Racism => "Racism",
            ReportCategory::Religion => "Religious oppression",
            ReportCategory::Officials => "Officials and courts",
            ReportCategory::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Option<ReportCategory> {
        ReportCategory::ALL.into_iter().find(|c| c.code() == s)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    #[error("{0:?} is not a report category")]
    UnknownCategory(String),
    #[error("the report has no text")]
    Empty,
    #[error("the report is longer than {MAX_TEXT} characters")]
    TooLong,
    #[error("the place is longer than {MAX_PLACE} characters")]
    PlaceTooLong,
    #[error("the report is dated {0}, after today")]
    InTheFuture(Day),
    #[error("a report cannot be merged with itself")]
    MergeWithItself,
    #[error("report {0} has already been decided ({1})")]
    AlreadyDecided(i64, &'static str),
}

// Its messages carry numbers, codes and the request's own text, never a name read from the
// database.
impl crate::refusal::RuleError for ReportError {}

/// Checks a report's text and date. Returns the trimmed text.
pub fn check(text: &str, happened_on: Day, today: Day) -> Result<String, ReportError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ReportError::Empty);
    }
    if t.chars().count() > MAX_TEXT {
        return Err(ReportError::TooLong);
    }
    if happened_on > today {
        return Err(ReportError::InTheFuture(happened_on));
    }
    Ok(t.to_string())
}

/// Checks the place a sender names in their own words (the public report form offers only the
/// places the organisation names in public; anything else is said here, and the editors place
/// the report). Returns the trimmed text, or `None` for none.
pub fn check_place(text: &str) -> Result<Option<String>, ReportError> {
    let t = text.trim();
    if t.chars().count() > MAX_PLACE {
        return Err(ReportError::PlaceTooLong);
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
}

/// An editor's decision on a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Triage {
    Accept,
    /// The same event as the report given: counted once in the single picture.
    MergeInto(i64),
    /// Used in the article given.
    UseIn(i64),
    Reject,
}

impl Triage {
    /// The status the report takes.
    pub fn status(self) -> &'static str {
        match self {
            Triage::Accept => "accepted",
            Triage::MergeInto(_) => "merged",
            Triage::UseIn(_) => "used",
            Triage::Reject => "rejected",
        }
    }

    /// Checks a decision on report `id`, whose status is now `current`. A new or accepted report
    /// may be decided; an accepted one may still be used in an article or merged. Merged, used
    /// and rejected reports are final.
    pub fn check(self, id: i64, current: &str) -> Result<(), ReportError> {
        if let Triage::MergeInto(other) = self {
            if other == id {
                return Err(ReportError::MergeWithItself);
            }
        }
        match current {
            "new" => Ok(()),
            "accepted" if self != Triage::Accept => Ok(()),
            "accepted" => Err(ReportError::AlreadyDecided(id, "accepted")),
            "merged" => Err(ReportError::AlreadyDecided(id, "merged")),
            "used" => Err(ReportError::AlreadyDecided(id, "used")),
            _ => Err(ReportError::AlreadyDecided(id, "rejected")),
        }
    }
}

/// Whether a report decided on `decided_on` (`None`: not yet decided) still keeps its sender on
/// `today`, under statutes that keep a sender `keep_days` after the decision. A report decided
/// on day D keeps it until the end of day D + keep_days − 1 and is cleared on day D + keep_days
/// (the same day, with 0).
pub fn sender_kept(decided_on: Option<Day>, today: Day, keep_days: u32) -> bool {
    match decided_on {
        None => true,
        Some(d) => today < d.add_days(keep_days as i64),
    }
}

/// The last day of decision whose sender is cleared on `today`: every report decided on or
/// before it loses its sender.
pub fn cleared_through(today: Day, keep_days: u32) -> Day {
    today.add_days(-(keep_days as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_round_trip_and_end_with_other() {
        for c in ReportCategory::ALL {
            assert_eq!(ReportCategory::parse(c.code()), Some(c));
        }
        assert_eq!(ReportCategory::ALL.last(), Some(&ReportCategory::Other));
        assert_eq!(ReportCategory::parse("gossip"), None);
    }

    #[test]
    fn report_checks() {
        let today = Day::from_ymd(2026, 5, 1).unwrap();
        assert_eq!(check("  ", today, today), Err(ReportError::Empty));
        assert_eq!(
            check("x", today.add_days(1), today),
            Err(ReportError::InTheFuture(today.add_days(1)))
        );
        assert_eq!(check(" A raid. ", today, today).unwrap(), "A raid.");
        assert_eq!(
            check(&"a".repeat(MAX_TEXT + 1), today, today),
            Err(ReportError::TooLong)
        );
        assert_eq!(check_place("  "), Ok(None));
        assert_eq!(
            check_place(" the bus garage ").unwrap().as_deref(),
            Some("the bus garage")
        );
        assert_eq!(
            check_place(&"a".repeat(MAX_PLACE + 1)),
            Err(ReportError::PlaceTooLong)
        );
    }

    #[test]
    fn a_sender_is_kept_until_the_window_after_the_decision_ends() {
        let d = Day::from_ymd(2026, 5, 1).unwrap();
        assert!(sender_kept(None, d.add_days(10_000), 30), "undecided: kept");
        assert!(sender_kept(Some(d), d, 30));
        assert!(sender_kept(Some(d), d.add_days(29), 30));
        assert!(!sender_kept(Some(d), d.add_days(30), 30));
        assert!(!sender_kept(Some(d), d, 0), "0 days: cleared on the day");
        // The clearing takes exactly the reports no longer kept.
        for today in [d, d.add_days(29), d.add_days(30), d.add_days(31)] {
            for keep in [0, 1, 30] {
                assert_eq!(
                    d <= cleared_through(today, keep),
                    !sender_kept(Some(d), today, keep),
                    "{today} {keep}"
                );
            }
        }
    }

    #[test]
    fn triage_rules() {
        assert_eq!(
            Triage::MergeInto(4).check(4, "new"),
            Err(ReportError::MergeWithItself)
        );
        assert!(Triage::Accept.check(1, "new").is_ok());
        assert!(Triage::UseIn(9).check(1, "accepted").is_ok());
        assert!(Triage::Accept.check(1, "accepted").is_err());
        assert!(Triage::Reject.check(1, "rejected").is_err());
        assert!(Triage::Accept.check(1, "merged").is_err());
    }
}
