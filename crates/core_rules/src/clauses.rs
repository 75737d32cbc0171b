//! The clauses of the statutes that Iskra reads from the text of a statutes motion.
//!
//! When a congress adopts a motion amending the statutes, the rules held as data must change with
//! the text. Iskra does not guess at the meaning of prose: it recognises a fixed set of clauses,
//! each a sentence with one number in it (the list is [`CLAUSES`], shown to delegates on the
//! motion's page), and Paragraph 1's two historical wordings. Everything else in the text is the
//! congress's business and leaves the rules alone. A text that says the same thing twice with
//! different figures, or both formulas of Paragraph 1, is ambiguous: it is refused before the vote
//! opens, naming the lines, rather than read one way or the other.

use crate::congress::ApportionRule;
use crate::statutes::{Formula, Statutes, StatutesError};
use crate::units::UnitKind;

/// A rule the text of a statutes motion can set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// Paragraph 1's formula (Lenin's or Martov's wording).
    Formula,
    DuesWithinMonths,
    ParticipationDays,
    ParticipationMin,
    MaxArrearsMonths,
    MinMembershipDays,
    DelegatePer,
    DelegateMin,
}

/// A clause Iskra recognises: the rule it sets, the sentence as the statutes would say it (with
/// `N` for the number), and the phrase that must appear in a line for it to count.
pub struct ClauseForm {
    pub rule: Rule,
    pub sentence: &'static str,
    /// Written in the normal form of [`normal`], with `{n}` where the number goes.
    phrase: &'static str,
}

/// The clauses with a number, in the order the statutes hold them.
pub const CLAUSES: &[ClauseForm] = &[
    ClauseForm {
        rule: Rule::DuesWithinMonths,
        sentence: "A member's dues are paid up within N months.",
        phrase: "dues are paid up within {n} month",
    },
    ClauseForm {
        rule: Rule::ParticipationDays,
        sentence: "Participation counts over the last N days.",
        phrase: "participation counts over the last {n} day",
    },
    ClauseForm {
        rule: Rule::ParticipationMin,
        sentence: "A member takes part in at least N meetings attended or tasks done in that time.",
        phrase: "at least {n} meeting attended or task done",
    },
    ClauseForm {
        rule: Rule::MaxArrearsMonths,
        sentence: "A member more than N months behind with dues has a voice but no vote.",
        phrase: "more than {n} month behind with dues has a voice but no vote",
    },
    ClauseForm {
        rule: Rule::MinMembershipDays,
        sentence: "A new member votes after N days of membership.",
        phrase: "votes after {n} day of membership",
    },
    ClauseForm {
        rule: Rule::DelegatePer,
        sentence: "The congress has one delegate per N members with a vote.",
        phrase: "one delegate per {n} member",
    },
    ClauseForm {
        rule: Rule::DelegateMin,
        sentence: "Every unit with members who vote sends at least N delegates.",
        phrase: "sends at least {n} delegate",
    },
];

impl Rule {
    /// What the rule is, in words.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Formula => "Paragraph 1's formula",
            Rule::DuesWithinMonths => "dues paid up within (months)",
            Rule::ParticipationDays => "participation counted over (days)",
            Rule::ParticipationMin => "meetings or tasks needed in that time",
            Rule::MaxArrearsMonths => "months behind with dues before the vote is lost",
            Rule::MinMembershipDays => "days of membership before a new member votes",
            Rule::DelegatePer => "members with a vote per congress delegate",
            Rule::DelegateMin => "delegates at least, for each unit with members who vote",
        }
    }
}

/// One clause found in the text: its line (counted from 1) and the value it sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub line: usize,
    pub rule: Rule,
    pub value: Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    Formula(Formula),
    Number(u32),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Formula(Formula::Lenin) => f.write_str("Lenin's"),
            Value::Formula(Formula::Martov) => f.write_str("Martov's"),
            Value::Number(n) => write!(f, "{n}"),
        }
    }
}

/// A change the text makes to the rules in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub line: usize,
    pub rule: Rule,
    pub before: String,
    pub after: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClauseError {
    #[error("the text sets {what} twice, differently: line {first} says {a} and line {second} says {b}; amend it so that it says one thing")]
    Ambiguous {
        what: &'static str,
        first: usize,
        a: String,
        second: usize,
        b: String,
    },
    #[error("the statutes this text would put in force are not valid: {0}")]
    Invalid(#[from] StatutesError),
}

// Its messages carry numbers, codes and the request's own text, never a name read from the
// database.
impl crate::refusal::RuleError for ClauseError {}

/// Lower case, one space between words, typographic apostrophes made plain, and the plural of
/// the clauses' nouns made singular, so that "1 month" and "6 months" read alike.
fn normal(s: &str) -> String {
    let s = s.to_lowercase().replace(['’', '‘'], "'");
    s.split_whitespace()
        .map(|w| {
            let (word, tail) = match w.find(|c: char| !c.is_alphanumeric() && c != '\'') {
                Some(i) => w.split_at(i),
                None => (w, ""),
            };
            let word = match word {
                "months" => "month",
                "days" => "day",
                "meetings" => "meeting",
                "tasks" => "task",
                "members" => "member",
                "delegates" => "delegate",
                other => other,
            };
            format!("{word}{tail}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A number at the start of `s`, in digits or as a word up to twelve; with what follows it.
fn number(s: &str) -> Option<(u32, &str)> {
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 {
        return Some((s[..digits].parse().ok()?, &s[digits..]));
    }
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    for (n, w) in WORDS.iter().enumerate() {
        if let Some(rest) = s.strip_prefix(w) {
            if !rest.starts_with(|c: char| c.is_alphanumeric()) {
                return Some((n as u32, rest));
            }
        }
    }
    None
}

/// Every clause in the text, line by line.
pub fn read(lines: &[String]) -> Vec<Found> {
    let lenin = normal(Formula::Lenin.wording().trim_end_matches('.'));
    let martov = normal(Formula::Martov.wording().trim_end_matches('.'));
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let l = normal(line);
        for (f, w) in [(Formula::Lenin, &lenin), (Formula::Martov, &martov)] {
            if l.contains(w.as_str()) {
                found.push(Found {
                    line: i + 1,
                    rule: Rule::Formula,
                    value: Value::Formula(f),
                });
            }
        }
        for c in CLAUSES {
            let (before, after) = c.phrase.split_once("{n}").expect("a clause has a number");
            let mut from = 0;
            while let Some(at) = l[from..].find(before) {
                let start = from + at + before.len();
                if let Some((n, rest)) = number(&l[start..]) {
                    if rest.starts_with(after) {
                        found.push(Found {
                            line: i + 1,
                            rule: c.rule,
                            value: Value::Number(n),
                        });
                    }
                }
                from = start;
            }
        }
    }
    found
}

fn shown(rules: &Statutes, rule: Rule) -> String {
    let p = &rules.paragraph1;
    match rule {
        Rule::Formula => Value::Formula(p.formula).to_string(),
        Rule::DuesWithinMonths => p.dues_within_months.to_string(),
        Rule::ParticipationDays => p.participation_days.to_string(),
        Rule::ParticipationMin => p.participation_min.to_string(),
        Rule::MaxArrearsMonths => rules.voting.max_arrears_months.to_string(),
        Rule::MinMembershipDays => rules.voting.min_membership_days.to_string(),
        Rule::DelegatePer | Rule::DelegateMin => rules.congress.words(),
    }
}

/// The rules that adopting a statutes motion with this text would put in force, from those in
/// force now, with what changes and on which line; `None` when the text changes nothing the
/// statutes hold as data. Refused when the text is ambiguous or the result would not be valid.
pub fn amend(
    rules: &Statutes,
    lines: &[String],
    kinds: &[UnitKind],
) -> Result<Option<(Statutes, Vec<Change>)>, ClauseError> {
    let found = read(lines);
    // One value per rule: a repetition with the same value is harmless, a different one is not.
    let mut chosen: Vec<&Found> = Vec::new();
    for f in &found {
        match chosen.iter().find(|c| c.rule == f.rule) {
            Some(c) if c.value != f.value => {
                return Err(ClauseError::Ambiguous {
                    what: f.rule.name(),
                    first: c.line,
                    a: c.value.to_string(),
                    second: f.line,
                    b: f.value.to_string(),
                })
            }
            Some(_) => {}
            None => chosen.push(f),
        }
    }
    let mut next = rules.clone();
    for f in &chosen {
        let n = match f.value {
            Value::Number(n) => n,
            Value::Formula(formula) => {
                next.paragraph1.formula = formula;
                continue;
            }
        };
        match f.rule {
            Rule::Formula => {}
            Rule::DuesWithinMonths => next.paragraph1.dues_within_months = n,
            Rule::ParticipationDays => next.paragraph1.participation_days = n,
            Rule::ParticipationMin => next.paragraph1.participation_min = n,
            Rule::MaxArrearsMonths => next.voting.max_arrears_months = n,
            Rule::MinMembershipDays => next.voting.min_membership_days = n,
            Rule::DelegatePer | Rule::DelegateMin => {
                let (per, min) = match next.congress {
                    ApportionRule::PerMembers { per, min } => (per, min),
                    // A fixed total gives way to a rule per members; its minimum stays.
                    ApportionRule::Fixed { min, .. } => (10, min),
                };
                next.congress = if f.rule == Rule::DelegatePer {
                    ApportionRule::PerMembers { per: n as u64, min }
                } else {
                    ApportionRule::PerMembers { per, min: n as u64 }
                };
            }
        }
    }
    next.validate(kinds)?;
    let changes: Vec<Change> = chosen
        .iter()
        .map(|f| Change {
            line: f.line,
            rule: f.rule,
            before: shown(rules, f.rule),
            after: shown(&next, f.rule),
        })
        .filter(|c| c.before != c.after)
        .collect();
    if changes.is_empty() {
        return Ok(None);
    }
    Ok(Some((next, changes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    fn kinds() -> Vec<UnitKind> {
        crate::units::default_kinds()
    }

    #[test]
    fn every_clause_form_is_read_from_its_own_sentence() {
        for (i, c) in CLAUSES.iter().enumerate() {
            let n = 7 + i as u32;
            let text = lines(&format!(
                "§1. Some preamble.\n{}",
                c.sentence.replace('N', &n.to_string())
            ));
            assert_eq!(
                read(&text),
                vec![Found {
                    line: 2,
                    rule: c.rule,
                    value: Value::Number(n)
                }],
                "{}",
                c.sentence
            );
        }
    }

    #[test]
    fn numbers_in_words_singulars_and_case_are_read() {
        let t = lines("Each MEMBER'S dues are paid up within one month, as before.\nparticipation counts over the last  sixty-one days");
        let f = read(&t);
        assert_eq!(f.len(), 1, "sixty-one is not a number Iskra reads: {f:?}");
        assert_eq!(f[0].value, Value::Number(1));
        let t = lines("A member’s dues are paid up within six months.");
        assert_eq!(read(&t)[0].value, Value::Number(6));
    }

    #[test]
    fn the_motion_changes_what_it_says_and_nothing_else() {
        let now = Statutes::founding();
        let text = lines(
            "§1. Membership.\n\
             A member of the party is one who recognises the party's programme and supports it by material means and by regular personal association under the direction of one of the party organisations.\n\
             A member's dues are paid up within 6 months. Participation counts over the last 90 days.\n\
             §2. The congress has one delegate per 50 members with a vote.",
        );
        let (next, changes) = amend(&now, &text, &kinds()).unwrap().unwrap();
        assert_eq!(next.paragraph1.formula, Formula::Martov);
        assert_eq!(next.paragraph1.dues_within_months, 6);
        assert_eq!(next.paragraph1.participation_days, 90, "as before");
        assert_eq!(next.congress, ApportionRule::PerMembers { per: 50, min: 1 });
        assert_eq!(next.voting, now.voting);
        assert_eq!(next.dues, now.dues);
        // 90 days was already the rule: it is read but is no change.
        let rules: Vec<(usize, Rule)> = changes.iter().map(|c| (c.line, c.rule)).collect();
        assert_eq!(
            rules,
            vec![
                (2, Rule::Formula),
                (3, Rule::DuesWithinMonths),
                (4, Rule::DelegatePer)
            ]
        );
        assert_eq!(changes[0].before, "Lenin's");
        assert_eq!(changes[0].after, "Martov's");
        assert_eq!(changes[1].before, "3");
        assert_eq!(changes[1].after, "6");
    }

    #[test]
    fn a_text_that_says_nothing_of_the_rules_changes_nothing() {
        let now = Statutes::founding();
        let text = lines("§2. The congress is the supreme body of the party; it meets at least once a year.\n§3. The central committee unites and directs all the party's work between congresses.");
        assert_eq!(amend(&now, &text, &kinds()), Ok(None));
        let same = lines("A member's dues are paid up within 3 months.");
        assert_eq!(amend(&now, &same, &kinds()), Ok(None));
    }

    #[test]
    fn saying_two_things_is_refused_with_the_lines() {
        let now = Statutes::founding();
        let text = lines("A member's dues are paid up within 3 months.\nSomething else.\nA member's dues are paid up within 6 months.");
        let e = amend(&now, &text, &kinds()).unwrap_err();
        assert_eq!(
            e,
            ClauseError::Ambiguous {
                what: Rule::DuesWithinMonths.name(),
                first: 1,
                a: "3".into(),
                second: 3,
                b: "6".into()
            }
        );
        assert!(e.to_string().contains("line 1 says 3 and line 3 says 6"));
        let both = lines(&format!(
            "{}\n{}",
            Formula::Lenin.wording(),
            Formula::Martov.wording()
        ));
        assert!(matches!(
            amend(&now, &both, &kinds()),
            Err(ClauseError::Ambiguous {
                first: 1,
                second: 2,
                ..
            })
        ));
        // The same thing said twice is no ambiguity.
        let twice = lines("A member's dues are paid up within 6 months.\nA member's dues are paid up within six months.");
        assert!(amend(&now, &twice, &kinds()).unwrap().is_some());
    }

    #[test]
    fn rules_nobody_could_meet_are_refused() {
        let now = Statutes::founding();
        for t in [
            "Participation counts over the last 0 days.",
            "The congress has one delegate per 0 members with a vote.",
            "A member takes part in at least 0 meetings attended or tasks done in that time.",
        ] {
            assert!(
                matches!(
                    amend(&now, &lines(t), &kinds()),
                    Err(ClauseError::Invalid(_))
                ),
                "{t}"
            );
        }
    }

    #[test]
    fn a_minimum_of_delegates_keeps_the_ratio_in_force() {
        let mut now = Statutes::founding();
        now.congress = ApportionRule::PerMembers { per: 25, min: 1 };
        let text = lines("Every unit with members who vote sends at least 2 delegates.");
        let (next, _) = amend(&now, &text, &kinds()).unwrap().unwrap();
        assert_eq!(next.congress, ApportionRule::PerMembers { per: 25, min: 2 });
    }
}
