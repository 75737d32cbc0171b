//! Motions: yes / no / abstain, with weighted and split votes.
//!
//! A delegate holding several mandates casts that many votes and may split them
//! (say 1 yes and 1 abstain). The rule names
//! - the **base** of the majority: votes cast (yes + no; abstentions are not votes
//!   cast), mandates present, or mandates entitled;
//! - the **majority**: a fraction of the base, "more than" (a simple or absolute
//!   majority is more than 1/2) or "at least" (two thirds, three quarters);
//! - the **quorum**: mandates present, as a number or a fraction of those entitled;
//! - the **tie rule**, for a vote exactly on a "more than" threshold: the motion fails
//!   (the common rule), the chair's casting vote decides, or lot.
//!
//! Integers throughout: `yes × den` against `num × base`.

use crate::error::CountError;
use crate::lot::Lot;
use serde::{Deserialize, Serialize};

/// The votes of one delegate (or one voter): `mandates` held, split as they choose.
/// Mandates not used are present but not voting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cast {
    #[serde(default = "one")]
    pub mandates: u64,
    #[serde(default)]
    pub yes: u64,
    #[serde(default)]
    pub no: u64,
    #[serde(default)]
    pub abstain: u64,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Base {
    Cast,
    Present,
    Entitled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Majority {
    pub num: u64,
    pub den: u64,
    /// "More than" (true) or "at least" (false).
    pub strict: bool,
}

impl Majority {
    pub const SIMPLE: Majority = Majority {
        num: 1,
        den: 2,
        strict: true,
    };
    pub const TWO_THIRDS: Majority = Majority {
        num: 2,
        den: 3,
        strict: false,
    };
    pub const THREE_QUARTERS: Majority = Majority {
        num: 3,
        den: 4,
        strict: false,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quorum {
    None,
    /// At least this many mandates present.
    Count(u64),
    /// At least `num/den` of the mandates entitled present.
    Fraction {
        num: u64,
        den: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieRule {
    Fails,
    /// The chair's casting vote: `true` for yes.
    CastingVote(bool),
    Lot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub base: Base,
    pub majority: Majority,
    pub quorum: Quorum,
    pub tie: TieRule,
}

impl Rule {
    /// Simple majority of votes cast, no quorum, a tie fails.
    pub const SIMPLE: Rule = Rule {
        base: Base::Cast,
        majority: Majority::SIMPLE,
        quorum: Quorum::None,
        tie: TieRule::Fails,
    };
    /// Absolute majority: more than half of those entitled.
    pub const ABSOLUTE: Rule = Rule {
        base: Base::Entitled,
        majority: Majority::SIMPLE,
        quorum: Quorum::None,
        tie: TieRule::Fails,
    };
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// Mandates entitled to vote.
    pub entitled: u64,
    /// Mandates present; defaults to the mandates of everyone listed in `votes`.
    #[serde(default)]
    pub present: Option<u64>,
    pub votes: Vec<Cast>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Adopted,
    Rejected,
    /// Not enough present: no decision.
    NoQuorum,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub decision: Decision,
    pub yes: u64,
    pub no: u64,
    pub abstain: u64,
    pub present: u64,
    pub entitled: u64,
    /// The base the majority was measured against.
    pub base: u64,
    /// Yes votes needed to adopt (the smallest number that would).
    pub needed: u64,
    /// True when the vote sat exactly on a "more than" threshold and the tie rule decided.
    pub tie: bool,
    pub seed: u64,
    pub explanation: String,
}

pub fn decide(input: &Input, rule: &Rule, seed: u64) -> Result<Outcome, CountError> {
    let (mut yes, mut no, mut abstain, mut listed) = (0u64, 0u64, 0u64, 0u64);
    for (i, c) in input.votes.iter().enumerate() {
        let used = c.yes + c.no + c.abstain;
        if used > c.mandates {
            return Err(CountError::Invalid(format!(
                "voter {} casts {used} votes holding {} mandates",
                i + 1,
                c.mandates
            )));
        }
        yes += c.yes;
        no += c.no;
        abstain += c.abstain;
        listed += c.mandates;
    }
    let present = input.present.unwrap_or(listed);
    if present < yes + no + abstain {
        return Err(CountError::Invalid(format!(
            "{} votes from {present} mandates present",
            yes + no + abstain
        )));
    }
    if present > input.entitled {
        return Err(CountError::Invalid(format!(
            "{present} present but only {} entitled",
            input.entitled
        )));
    }
    let m = rule.majority;
    if m.den == 0 || m.num == 0 || m.num > m.den {
        return Err(CountError::Invalid(
            "majority must be a fraction in (0, 1]".into(),
        ));
    }
    let quorum_met = match rule.quorum {
        Quorum::None => true,
        Quorum::Count(q) => present >= q,
        Quorum::Fraction { num, den } => {
            if den == 0 {
                return Err(CountError::Invalid(
                    "quorum fraction with denominator 0".into(),
                ));
            }
            present as u128 * den as u128 >= num as u128 * input.entitled as u128
        }
    };
    let base = match rule.base {
        Base::Cast => yes + no,
        Base::Present => present,
        Base::Entitled => input.entitled,
    };
    // Smallest yes with yes·den > num·base (strict) or ≥ (not strict).
    let prod = m.num as u128 * base as u128;
    let needed = if m.strict {
        prod / m.den as u128 + 1
    } else {
        prod.div_ceil(m.den as u128)
    } as u64;
    let lhs = yes as u128 * m.den as u128;
    let mut out = Outcome {
        decision: Decision::Rejected,
        yes,
        no,
        abstain,
        present,
        entitled: input.entitled,
        base,
        needed,
        tie: false,
        seed,
        explanation: String::new(),
    };
    if !quorum_met {
        out.decision = Decision::NoQuorum;
        out.explanation = "the quorum was not present".into();
        return Ok(out);
    }
    if base == 0 {
        out.explanation = "no votes were cast".into();
        return Ok(out);
    }
    let above = if m.strict { lhs > prod } else { lhs >= prod };
    if above {
        out.decision = Decision::Adopted;
        out.explanation = format!("{yes} yes reach the {} needed", needed);
    } else if m.strict && lhs == prod {
        out.tie = true;
        let adopted = match rule.tie {
            TieRule::Fails => false,
            TieRule::CastingVote(v) => v,
            TieRule::Lot => Lot::new(seed).below(2) == 0,
        };
        out.decision = if adopted {
            Decision::Adopted
        } else {
            Decision::Rejected
        };
        out.explanation = format!(
            "a tie exactly on the threshold, decided by the tie rule ({:?})",
            rule.tie
        );
    } else {
        out.explanation = format!("{yes} yes fall short of the {} needed", needed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(entitled: u64, votes: &[(u64, u64, u64, u64)]) -> Input {
        Input {
            entitled,
            present: None,
            votes: votes
                .iter()
                .map(|&(mandates, yes, no, abstain)| Cast {
                    mandates,
                    yes,
                    no,
                    abstain,
                })
                .collect(),
        }
    }

    #[test]
    fn simple_majority_ignores_abstentions() {
        let i = input(10, &[(1, 1, 0, 0), (1, 0, 0, 1), (1, 0, 0, 1)]);
        assert_eq!(
            decide(&i, &Rule::SIMPLE, 0).unwrap().decision,
            Decision::Adopted
        );
    }

    #[test]
    fn absolute_majority_of_entitled() {
        let i = input(10, &[(5, 5, 0, 0)]);
        let o = decide(&i, &Rule::ABSOLUTE, 0).unwrap();
        assert_eq!(o.decision, Decision::Rejected);
        assert_eq!(o.needed, 6);
        assert!(o.tie);
    }

    #[test]
    fn weighted_split_votes_and_two_thirds() {
        // A delegate with two mandates splits 1 yes / 1 no.
        let i = input(9, &[(2, 1, 1, 0), (1, 1, 0, 0), (3, 3, 0, 0)]);
        let rule = Rule {
            majority: Majority::TWO_THIRDS,
            ..Rule::SIMPLE
        };
        let o = decide(&i, &rule, 0).unwrap();
        assert_eq!((o.yes, o.no), (5, 1));
        assert_eq!(o.decision, Decision::Adopted);
        let over = input(9, &[(1, 2, 0, 0)]);
        assert!(decide(&over, &rule, 0).is_err());
    }

    #[test]
    fn quorum_and_ties() {
        let i = input(10, &[(1, 1, 0, 0), (1, 0, 1, 0)]);
        let tie_chair = Rule {
            tie: TieRule::CastingVote(true),
            ..Rule::SIMPLE
        };
        assert_eq!(
            decide(&i, &tie_chair, 0).unwrap().decision,
            Decision::Adopted
        );
        assert_eq!(
            decide(&i, &Rule::SIMPLE, 0).unwrap().decision,
            Decision::Rejected
        );
        let quorum = Rule {
            quorum: Quorum::Fraction { num: 1, den: 2 },
            ..Rule::SIMPLE
        };
        assert_eq!(decide(&i, &quorum, 0).unwrap().decision, Decision::NoQuorum);
    }
}
