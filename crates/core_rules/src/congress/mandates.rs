//! Apportioning a congress's mandates among the units, from their members with a vote on the day
//! membership counts.
//!
//! Two kinds of rule, as the statutes say:
//! - **one delegate per N members**: a unit with `v` members with a vote gets `v / N` mandates
//!   (rounded down), but at least `min` if it has any member with a vote at all; a unit with none
//!   gets none;
//! - **a fixed total** apportioned by D'Hondt, Sainte-Laguë or Hare's largest remainder, with
//!   `min` seats for each unit that has any member with a vote (`count::apportion` does the
//!   arithmetic, ties by lot from the seed).

use count::apportion::{self, Method};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ApportionRule {
    /// One delegate per `per` members with a vote, at least `min` per unit that has any.
    PerMembers { per: u64, min: u64 },
    /// `total` delegates apportioned by `method`, at least `min` per unit that has any.
    Fixed {
        total: u64,
        method: Method,
        #[serde(default)]
        min: u64,
    },
}

impl Default for ApportionRule {
    fn default() -> Self {
        ApportionRule::PerMembers { per: 10, min: 1 }
    }
}

impl ApportionRule {
    /// The rule in plain words.
    pub fn words(&self) -> String {
        match self {
            ApportionRule::PerMembers { per, min } => format!(
                "one delegate per {per} members with a vote (rounded down), at least {min} for each unit that has any"
            ),
            ApportionRule::Fixed { total, method, min } => {
                let m = match method {
                    Method::DHondt => "D'Hondt",
                    Method::SainteLague => "Sainte-Laguë",
                    Method::HareLargestRemainder => "largest remainder (Hare)",
                };
                format!("{total} delegates apportioned by {m}, at least {min} for each unit that has members with a vote")
            }
        }
    }

    /// Reads the form of the convening page: `per-members` with `per`/`min`, or a method name
    /// (`dhondt`, `sainte-lague`, `hare`) with `total`/`min`.
    pub fn parse(kind: &str, number: u64, min: u64) -> Result<ApportionRule, MandateError> {
        if kind == "per-members" {
            if number == 0 {
                return Err(MandateError::ZeroPer);
            }
            return Ok(ApportionRule::PerMembers { per: number, min });
        }
        let method = Method::parse(kind).ok_or_else(|| MandateError::UnknownRule(kind.into()))?;
        if number == 0 {
            return Err(MandateError::ZeroTotal);
        }
        Ok(ApportionRule::Fixed {
            total: number,
            method,
            min,
        })
    }
}

impl ApportionRule {
    /// Refuses a rule that cannot apportion anything, wherever it comes from (a convening, the
    /// statutes, a statutes motion).
    pub fn check(&self) -> Result<(), MandateError> {
        match self {
            ApportionRule::PerMembers { per: 0, .. } => Err(MandateError::ZeroPer),
            ApportionRule::Fixed { total: 0, .. } => Err(MandateError::ZeroTotal),
            _ => Ok(()),
        }
    }

    /// Its figures within their bounds (`crate::quantity::APPORTION_NUMBER` and `_MIN`).
    pub fn check_bounds(&self) -> Result<(), crate::Refusal> {
        use crate::quantity::{APPORTION_MIN, APPORTION_NUMBER};
        let (number, min) = match self {
            ApportionRule::PerMembers { per, min } => (*per, *min),
            ApportionRule::Fixed { total, min, .. } => (*total, *min),
        };
        APPORTION_NUMBER.check(number)?;
        APPORTION_MIN.check(min)?;
        Ok(())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MandateError {
    #[error("one delegate per 0 members is not a rule; give at least 1")]
    ZeroPer,
    #[error("a congress of 0 delegates is not a congress; give at least 1")]
    ZeroTotal,
    #[error("unknown apportionment rule {0:?}: use per-members, dhondt, sainte-lague or hare")]
    UnknownRule(String),
    #[error("no unit has a member with a vote on that day: there is nobody to send delegates")]
    NoVoters,
    #[error("apportionment: {0}")]
    Count(String),
}

// Its messages carry numbers, codes and the request's own text, never a name read from the
// database.
impl crate::refusal::RuleError for MandateError {}

/// A unit and its members with a vote on the day membership counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitVoters {
    pub unit_id: i64,
    pub voting: u64,
}

/// Each unit's mandates, in the order given; units with no member with a vote get 0.
pub fn apportion_mandates(
    rule: &ApportionRule,
    units: &[UnitVoters],
    seed: u64,
) -> Result<Vec<(i64, u64)>, MandateError> {
    let with: Vec<&UnitVoters> = units.iter().filter(|u| u.voting > 0).collect();
    if with.is_empty() {
        return Err(MandateError::NoVoters);
    }
    rule.check()?;
    let got: Vec<u64> = match rule {
        ApportionRule::PerMembers { per, min } => {
            with.iter().map(|u| (u.voting / per).max(*min)).collect()
        }
        ApportionRule::Fixed { total, method, min } => {
            let input: Vec<apportion::Unit> = with
                .iter()
                .map(|u| apportion::Unit {
                    name: u.unit_id.to_string(),
                    votes: u.voting,
                    min: *min,
                })
                .collect();
            apportion::apportion(&input, *total, *method, seed)
                .map_err(|e| MandateError::Count(e.to_string()))?
                .seats
        }
    };
    let mut out = Vec::with_capacity(units.len());
    let mut it = got.into_iter();
    for u in units {
        let n = if u.voting > 0 {
            it.next().unwrap_or(0)
        } else {
            0
        };
        out.push((u.unit_id, n));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(v: &[u64]) -> Vec<UnitVoters> {
        v.iter()
            .enumerate()
            .map(|(i, &voting)| UnitVoters {
                unit_id: i as i64 + 1,
                voting,
            })
            .collect()
    }

    #[test]
    fn one_per_n_rounds_down_with_a_minimum_for_units_that_have_voters() {
        let r = ApportionRule::PerMembers { per: 10, min: 1 };
        let got = apportion_mandates(&r, &units(&[25, 3, 0, 40]), 0).unwrap();
        assert_eq!(got, vec![(1, 2), (2, 1), (3, 0), (4, 4)]);
    }

    #[test]
    fn a_fixed_total_is_shared_by_dhondt_and_adds_up() {
        let r = ApportionRule::Fixed {
            total: 10,
            method: Method::DHondt,
            min: 1,
        };
        let got = apportion_mandates(&r, &units(&[600, 300, 0, 100]), 7).unwrap();
        let total: u64 = got.iter().map(|x| x.1).sum();
        assert_eq!(total, 10);
        assert_eq!(got[2], (3, 0));
        assert!(got[3].1 >= 1, "the minimum holds: {got:?}");
        assert!(got[0].1 > got[1].1);
    }

    #[test]
    fn nobody_with_a_vote_is_refused() {
        let r = ApportionRule::default();
        assert_eq!(
            apportion_mandates(&r, &units(&[0, 0]), 0),
            Err(MandateError::NoVoters)
        );
    }

    #[test]
    fn statutes_without_a_congress_rule_still_parse() {
        let mut v: serde_json::Value =
            serde_json::from_str(&crate::statutes::Statutes::founding().to_json()).unwrap();
        v.as_object_mut().unwrap().remove("congress");
        let s = crate::statutes::Statutes::from_json(&v.to_string()).unwrap();
        assert_eq!(s.congress, ApportionRule::default());
        let fixed = ApportionRule::parse("sainte-lague", 50, 1).unwrap();
        let j = serde_json::to_string(&fixed).unwrap();
        assert_eq!(serde_json::from_str::<ApportionRule>(&j).unwrap(), fixed);
        assert!(ApportionRule::parse("borda", 5, 0).is_err());
    }
}
