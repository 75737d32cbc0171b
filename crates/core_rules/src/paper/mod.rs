//! The paper: publications and editions, the articles' workflow, correspondence from below, and
//! circulation by sale or return.
//!
//! Material comes up (reports), copies go down (bundles routed through the unit tree) and money
//! comes back (each agent's return). Everything here is pure: the store persists these types and
//! the web crate shows them. Money is in integer cents throughout.

pub mod circulation;
pub mod reports;
pub mod workflow;

pub use circulation::{
    plan, reconcile, AgentReturn, Bundle, CirculationError, Leg, Orders, Plan, Reconciliation,
    UnitLine,
};
pub use reports::{ReportCategory, ReportError, Triage};
pub use workflow::{ArticleState, WorkflowError};

use crate::Day;

/// Why an edition or a publication was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditionError {
    #[error("the edition number must be 1 or more, not {0}")]
    BadNumber(i64),
    #[error("the price must be 0 cents or more, not {0}")]
    BadPrice(i64),
    #[error("a publication needs a name")]
    NoName,
    #[error("the code {0:?} must be lowercase letters, digits and dashes")]
    BadCode(String),
}

// Its messages carry numbers, codes and the request's own text, never a name read from the
// database.
impl crate::refusal::RuleError for EditionError {}

/// A new edition: one numbered issue of a publication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEdition {
    pub number: i64,
    pub date: Day,
    /// The cover price, in cents.
    pub price_cents: i64,
    pub headline: String,
}

impl NewEdition {
    pub fn check(&self) -> Result<(), EditionError> {
        if self.number < 1 {
            return Err(EditionError::BadNumber(self.number));
        }
        if self.price_cents < 0 {
            return Err(EditionError::BadPrice(self.price_cents));
        }
        Ok(())
    }
}

/// Checks a publication's name and code (used in its public address).
pub fn check_publication(name: &str, code: &str) -> Result<(), EditionError> {
    if name.trim().is_empty() {
        return Err(EditionError::NoName);
    }
    if !crate::units::valid_code(code) {
        return Err(EditionError::BadCode(code.to_string()));
    }
    Ok(())
}

/// Formats cents as `12.34` (negative as `-12.34`).
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_with_two_decimals() {
        assert_eq!(money(1234), "12.34");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(-250), "-2.50");
    }

    #[test]
    fn edition_checks() {
        let d = Day::from_ymd(2026, 1, 1).unwrap();
        let e = NewEdition {
            number: 0,
            date: d,
            price_cents: 100,
            headline: "x".into(),
        };
        assert_eq!(e.check(), Err(EditionError::BadNumber(0)));
        let e = NewEdition {
            number: 3,
            date: d,
            price_cents: -1,
            headline: "x".into(),
        };
        assert_eq!(e.check(), Err(EditionError::BadPrice(-1)));
        assert!(check_publication("Iskra", "iskra").is_ok());
        assert!(check_publication("Iskra", "Iskra!").is_err());
        assert!(check_publication(" ", "iskra").is_err());
    }
}
