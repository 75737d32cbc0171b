//! The statutes as data: who is a member, who votes, and why, in plain words.
//!
//! A rule set is versioned and takes effect on a date, so that "who could vote on the day
//! membership counted for the congress" has one answer even after the statutes change. The two
//! historical forms of Paragraph 1 (the 1903 split) are both expressible:
//!
//! * Lenin: a member recognises the programme and supports the party by material means (dues) and
//!   by personal participation in one of its organisations: admitted to a party unit, and attended
//!   a meeting or did a recorded task within the window.
//! * Martov: programme, dues, and regular personal association under the direction of one of the
//!   organisations: no admission needed, but repeated recorded participation within the window.

use crate::dates::{Day, Month};
use crate::dues::DuesRules;
use crate::people::Status;
use crate::roles::AccessRules;
use crate::units::UnitKind;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Formula {
    Lenin,
    Martov,
}

impl Formula {
    /// The formula's text, as each side put it to the Second Congress.
    pub fn wording(self) -> &'static str {
        match self {
            Formula::Lenin => "A member of the party is one who recognises the party's programme and supports it by material means and by personal participation in one of the party organisations.",
            Formula::Martov => "A member of the party is one who recognises the party's programme and supports it by material means and by regular personal association under the direction of one of the party organisations.",
        }
    }
}

/// Paragraph 1: the definition of a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph1 {
    pub formula: Formula,
    /// Material support: dues paid for a month no more than this many months before the day.
    pub dues_within_months: u32,
    /// Participation (Lenin) or association (Martov) counts over this many days before the day.
    pub participation_days: u32,
    /// How many meetings attended or tasks done within the window. Lenin's formula asks for
    /// participation (1 is enough); Martov's for *regular* association (several).
    pub participation_min: u32,
}

/// Who among the members may vote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VotingRule {
    /// A member more than this many months behind with dues has a voice but no vote.
    pub max_arrears_months: u32,
    /// A newly admitted member votes after this many days of membership.
    pub min_membership_days: u32,
}

/// One version of the statutes' rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statutes {
    pub paragraph1: Paragraph1,
    pub voting: VotingRule,
    pub dues: DuesRules,
    /// The reach of offices; statutes written before it existed get the defaults.
    #[serde(default)]
    pub access: AccessRules,
    /// How congress mandates are apportioned; statutes written before it existed get the
    /// default (one delegate per 10 members with a vote, at least one per unit that has any).
    #[serde(default)]
    pub congress: crate::congress::ApportionRule,
    /// How long the paper keeps a correspondent's name; statutes written before it existed get
    /// the default (30 days after the report is decided).
    #[serde(default)]
    pub correspondence: Correspondence,
}

/// The statutes' rule for correspondence: a report's sender is known to the one editor who
/// handles the report, and only for a while after the report is decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correspondence {
    /// Days after a report is decided (accepted, used, merged or rejected) after which the link
    /// from the report to its sender is removed for good. 0 clears it on the day of the decision.
    #[serde(default = "Correspondence::default_sender_kept_days")]
    pub sender_kept_days: u32,
}

impl Correspondence {
    /// The longest the statutes may keep a sender: ten years. A bound, like every number.
    pub const MAX_SENDER_KEPT_DAYS: u32 = 3650;

    fn default_sender_kept_days() -> u32 {
        30
    }
}

impl Default for Correspondence {
    fn default() -> Self {
        Correspondence {
            sender_kept_days: Correspondence::default_sender_kept_days(),
        }
    }
}

/// A version of the statutes with the date it takes effect and the body that adopted it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatutesVersion {
    pub version: i64,
    pub effective_from: Day,
    pub adopted_on: Day,
    pub adopted_by: String,
    pub rules: Statutes,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatutesError {
    #[error("the dues split names unit kind {0:?}, which this organisation does not have")]
    UnknownKind(String),
    #[error("the dues split gives {0}% in all; the shares must add up to 100%")]
    SplitNotWhole(i64),
    #[error("the dues split gives a negative share to {0:?}")]
    NegativeShare(String),
    #[error("the dues rate {0} is negative")]
    NegativeRate(i64),
    #[error("the dues income bands must rise: band {0} does not start above the one before it")]
    BandsOutOfOrder(usize),
    #[error("the dues income bands must end with an open band (no upper limit)")]
    NoOpenBand,
    #[error("Paragraph 1 asks for participation over 0 days; nobody could ever qualify")]
    EmptyWindow,
    #[error("Paragraph 1 asks for participation in at least 0 meetings or tasks; both formulas ask for some, so give at least 1")]
    NoParticipation,
    #[error("the congress rule: {0}")]
    Congress(#[from] crate::congress::mandates::MandateError),
    #[error("the statutes let bodies of unit kind {0:?} see closed units, but this organisation has no such kind")]
    UnknownClosedKind(String),
    #[error("the statutes keep a report's sender for {0} days after it is decided; at most {max} are allowed", max = Correspondence::MAX_SENDER_KEPT_DAYS)]
    SenderKeptTooLong(u32),
    #[error("the statutes name unit kind {0:?} in public, but this organisation has no such kind")]
    UnknownPublicKind(String),
    #[error("the statutes could not be read: {0}")]
    Unreadable(String),
}

// Its messages carry numbers, codes and the request's own text, never a name read from the
// database.
impl crate::refusal::RuleError for StatutesError {}

impl Statutes {
    /// The rules a new organisation starts with: Lenin's Paragraph 1, a share of income as dues.
    pub fn founding() -> Statutes {
        Statutes {
            paragraph1: Paragraph1 {
                formula: Formula::Lenin,
                dues_within_months: 3,
                participation_days: 90,
                participation_min: 1,
            },
            voting: VotingRule {
                max_arrears_months: 2,
                min_membership_days: 30,
            },
            dues: DuesRules::founding(),
            access: AccessRules::default(),
            congress: crate::congress::ApportionRule::default(),
            correspondence: Correspondence::default(),
        }
    }

    /// Checks that every rule refers to something that exists and can be satisfied.
    pub fn validate(&self, kinds: &[UnitKind]) -> Result<(), StatutesError> {
        if self.paragraph1.participation_days == 0 {
            return Err(StatutesError::EmptyWindow);
        }
        if self.paragraph1.participation_min == 0 {
            return Err(StatutesError::NoParticipation);
        }
        self.congress.check()?;
        if self.correspondence.sender_kept_days > Correspondence::MAX_SENDER_KEPT_DAYS {
            return Err(StatutesError::SenderKeptTooLong(
                self.correspondence.sender_kept_days,
            ));
        }
        for k in &self.access.closed_seen_by {
            if !kinds.iter().any(|x| &x.code == k) {
                return Err(StatutesError::UnknownClosedKind(k.clone()));
            }
        }
        for k in &self.access.public_places {
            if !kinds.iter().any(|x| &x.code == k) {
                return Err(StatutesError::UnknownPublicKind(k.clone()));
            }
        }
        self.dues.validate(kinds)
    }

    pub fn from_json(s: &str) -> Result<Statutes, StatutesError> {
        serde_json::from_str(s).map_err(|e| StatutesError::Unreadable(e.to_string()))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("statutes serialise")
    }
}

/// The version in force on `day`: the latest that has taken effect by then.
pub fn in_force(versions: &[StatutesVersion], day: Day) -> Option<&StatutesVersion> {
    versions
        .iter()
        .filter(|v| v.effective_from <= day)
        .max_by_key(|v| (v.effective_from, v.version))
}

/// What the records say about one person, as of the day of evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonFacts {
    pub status: Status,
    /// Whether the person's unit is a party organisation (not an affiliated body).
    pub in_party_unit: bool,
    pub programme_accepted: bool,
    /// The day the unit admitted them, if it did.
    pub admitted_on: Option<Day>,
    /// The latest month for which dues were paid (by the day of evaluation).
    pub paid_through: Option<Month>,
    /// Meetings attended plus tasks done within the participation window.
    pub participation: u32,
    /// The latest meeting or task on or before the day.
    pub last_participation: Option<Day>,
}

/// One condition of the statutes and whether this person meets it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Which rule: "programme", "dues", "admission", "participation", "association", "vote".
    pub rule: &'static str,
    pub met: bool,
    /// Why, as data: the pages, the PDFs and the command line put it into words.
    pub reason: Reason,
}

/// Why a condition of the statutes is met or not, with the numbers and dates that say so.
/// Words for people are made at the edge (`web::words`), not here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Admission: the person has left the organisation.
    Left,
    /// Admission: the person was expelled.
    Expelled,
    /// Admission: the membership has lapsed (the unit may readmit).
    Lapsed,
    /// Admission (Lenin): a supporter, not admitted to any organisation.
    Supporter,
    /// Admission (Lenin): applied, not yet admitted.
    Applicant,
    /// Admission (Lenin): in an affiliated body, which is not a party organisation.
    AffiliatedBody,
    /// Admission (Lenin): admitted to a party organisation, on this day if recorded.
    Admitted { on: Option<Day> },
    /// Admission (Martov): none needed.
    NoAdmissionNeeded,
    /// The programme is recognised.
    ProgrammeRecognised,
    /// No acceptance of the programme is recorded.
    ProgrammeNotAccepted,
    /// No dues paid yet.
    NoDuesPaid,
    /// Dues paid for this month.
    DuesPaidUp {
        #[serde(serialize_with = "as_text")]
        through: Month,
    },
    /// Dues behind, within what the statutes allow.
    DuesBehind {
        #[serde(serialize_with = "as_text")]
        through: Month,
        months: i64,
    },
    /// Dues further behind than the statutes allow.
    DuesTooFarBehind {
        #[serde(serialize_with = "as_text")]
        through: Month,
        months: i64,
        allowed: u32,
    },
    /// Enough participation (Lenin) or association (Martov) in the window.
    Participation {
        formula: Formula,
        count: u32,
        days: u32,
    },
    /// Not enough participation or association in the window; `last` is the latest recorded.
    TooLittleParticipation {
        formula: Formula,
        count: u32,
        needed: u32,
        days: u32,
        last: Option<Day>,
    },
    /// No vote: dues this many months behind.
    VoteArrears { months: i64 },
    /// No vote yet: a member for `days` days; the vote comes after `after`.
    TooNewToVote { days: i64, after: u32 },
    /// Entitled to vote.
    EntitledToVote,
}

fn as_text<S: serde::Serializer>(m: &Month, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(m)
}

/// The outcome of applying the statutes to a person on a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub member: bool,
    pub vote: bool,
    /// Months behind with dues (0 when paid for the current month).
    pub arrears_months: i64,
    pub checks: Vec<Check>,
}

impl Standing {
    /// The reasons of the conditions not met, in order.
    pub fn failing(&self) -> impl Iterator<Item = &Reason> {
        self.checks.iter().filter(|c| !c.met).map(|c| &c.reason)
    }
}

/// Applies the statutes to one person on one day, and says why, as data.
pub fn evaluate(rules: &Statutes, facts: &PersonFacts, day: Day) -> Standing {
    let p1 = &rules.paragraph1;
    let mut checks = Vec::with_capacity(5);

    // Status first: some statuses end the question whatever the records say.
    let status_ok = match (p1.formula, facts.status) {
        (_, Status::Left) => Err(Reason::Left),
        (_, Status::Expelled) => Err(Reason::Expelled),
        (_, Status::Lapsed) => Err(Reason::Lapsed),
        (Formula::Lenin, Status::Supporter) => Err(Reason::Supporter),
        (Formula::Lenin, Status::Applicant) => Err(Reason::Applicant),
        (Formula::Lenin, Status::Member) if !facts.in_party_unit => Err(Reason::AffiliatedBody),
        _ => Ok(()),
    };
    let admission = match p1.formula {
        Formula::Lenin => Reason::Admitted {
            on: facts.admitted_on,
        },
        Formula::Martov => Reason::NoAdmissionNeeded,
    };
    checks.push(Check {
        rule: "admission",
        met: status_ok.is_ok(),
        reason: match status_ok {
            Ok(()) => admission,
            Err(why) => why,
        },
    });

    checks.push(Check {
        rule: "programme",
        met: facts.programme_accepted,
        reason: if facts.programme_accepted {
            Reason::ProgrammeRecognised
        } else {
            Reason::ProgrammeNotAccepted
        },
    });

    // Arrears: months from the last month paid to this month. Someone who never paid is counted
    // from the month before they were admitted (or this month, if never admitted).
    let this_month = day.month();
    let arrears = match facts.paid_through {
        Some(m) => this_month.since(m).max(0),
        None => {
            let from = facts.admitted_on.map(|d| d.month()).unwrap_or(this_month);
            this_month.since(from.add(-1)).max(1)
        }
    };
    let dues_ok = arrears <= p1.dues_within_months as i64;
    checks.push(Check {
        rule: "dues",
        met: dues_ok,
        reason: match (facts.paid_through, arrears) {
            (None, _) => Reason::NoDuesPaid,
            (Some(through), 0) => Reason::DuesPaidUp { through },
            (Some(through), months) if dues_ok => Reason::DuesBehind { through, months },
            (Some(through), months) => Reason::DuesTooFarBehind {
                through,
                months,
                allowed: p1.dues_within_months,
            },
        },
    });

    let days = p1.participation_days;
    let rule = match p1.formula {
        Formula::Lenin => "participation",
        Formula::Martov => "association",
    };
    let part_ok = facts.participation >= p1.participation_min;
    checks.push(Check {
        rule,
        met: part_ok,
        reason: if part_ok {
            Reason::Participation {
                formula: p1.formula,
                count: facts.participation,
                days,
            }
        } else {
            Reason::TooLittleParticipation {
                formula: p1.formula,
                count: facts.participation,
                needed: p1.participation_min,
                days,
                last: facts.last_participation,
            }
        },
    });

    let member = checks.iter().all(|c| c.met);

    let mut vote = member;
    if member {
        let v = &rules.voting;
        if arrears > v.max_arrears_months as i64 {
            vote = false;
            checks.push(Check {
                rule: "vote",
                met: false,
                reason: Reason::VoteArrears { months: arrears },
            });
        }
        if let Some(admitted) = facts.admitted_on {
            let days = day.days_since(admitted);
            if days < v.min_membership_days as i64 {
                vote = false;
                checks.push(Check {
                    rule: "vote",
                    met: false,
                    reason: Reason::TooNewToVote {
                        days,
                        after: v.min_membership_days,
                    },
                });
            }
        }
        if vote {
            checks.push(Check {
                rule: "vote",
                met: true,
                reason: Reason::EntitledToVote,
            });
        }
    }

    Standing {
        member,
        vote,
        arrears_months: arrears,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(s.member && s.vote, "{s:?}");
        // Put into words by `web::words::standing`: "Member with a vote".
        assert_eq!(s.failing().count(), 0);
        assert_eq!(s.checks.last().unwrap().reason, Reason::EntitledToVote);
    }

    #[test]
    fn arrears_take_the_vote_before_they_take_membership() {
        let mut f = active_member();
        f.paid_through = Some(Month::parse("2026-08").unwrap());
        let s = evaluate(&Statutes::founding(), &f, day("2026-11-27"));
        assert!(s.member);
        assert!(!s.vote);
        // "Member, no vote: dues 3 months behind" (`web::words::standing`).
        assert_eq!(
            s.failing().collect::<Vec<_>>(),
            vec![&Reason::VoteArrears { months: 3 }]
        );

        f.paid_through = Some(Month::parse("2026-07").unwrap());
        let s = evaluate(&Statutes::founding(), &f, day("2026-11-27"));
        assert!(!s.member);
        // "... dues 4 months behind ..." (`web::words::standing`).
        assert!(
            s.failing()
                .any(|r| matches!(r, Reason::DuesTooFarBehind { months: 4, .. })),
            "{s:?}"
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
        let mut rules = Statutes::founding();
        let lenin = evaluate(&rules, &helper, day("2026-11-27"));
        assert!(!lenin.member);
        // "... a supporter, not admitted to any organisation" (`web::words::standing`).
        assert!(
            lenin.failing().any(|r| *r == Reason::Supporter),
            "{lenin:?}"
        );

        rules.paragraph1.formula = Formula::Martov;
        rules.paragraph1.participation_min = 3;
        let martov = evaluate(&rules, &helper, day("2026-11-27"));
        assert!(martov.member, "{martov:?}");

        // An admitted member who came to one meeting is a member under Lenin but not Martov.
        let once = PersonFacts {
            participation: 1,
            ..active_member()
        };
        assert!(!evaluate(&rules, &once, day("2026-11-27")).member);
        assert!(evaluate(&Statutes::founding(), &once, day("2026-11-27")).member);
    }

    #[test]
    fn new_members_wait_for_the_vote() {
        let f = PersonFacts {
            admitted_on: Some(day("2026-11-20")),
            ..active_member()
        };
        let s = evaluate(&Statutes::founding(), &f, day("2026-11-27"));
        assert!(s.member && !s.vote);
        // "... member for 7 days; ..." (`web::words::standing`).
        assert!(s
            .failing()
            .any(|r| matches!(r, Reason::TooNewToVote { days: 7, .. })));
    }

    #[test]
    fn the_rule_in_force_is_the_latest_that_took_effect() {
        let v = |n, from: &str| StatutesVersion {
            version: n,
            effective_from: day(from),
            adopted_on: day("2026-01-01"),
            adopted_by: "Congress".into(),
            rules: Statutes::founding(),
        };
        let versions = vec![v(1, "2026-01-01"), v(2, "2026-06-01")];
        assert_eq!(in_force(&versions, day("2026-05-31")).unwrap().version, 1);
        assert_eq!(in_force(&versions, day("2026-06-01")).unwrap().version, 2);
        assert!(in_force(&versions, day("2025-12-31")).is_none());
    }

    #[test]
    fn statutes_stored_before_the_correspondence_rule_keep_senders_30_days() {
        // A version as stored before the rule existed: no `correspondence` at all.
        let mut json: serde_json::Value =
            serde_json::from_str(&Statutes::founding().to_json()).unwrap();
        json.as_object_mut().unwrap().remove("correspondence");
        let old = Statutes::from_json(&json.to_string()).unwrap();
        assert_eq!(old.correspondence.sender_kept_days, 30);
        assert_eq!(old, Statutes::founding());
        // An empty rule gets the default figure too.
        json["correspondence"] = serde_json::json!({});
        let empty = Statutes::from_json(&json.to_string()).unwrap();
        assert_eq!(empty.correspondence.sender_kept_days, 30);
        // A figure of its own is read back.
        json["correspondence"] = serde_json::json!({"sender_kept_days": 7});
        let seven = Statutes::from_json(&json.to_string()).unwrap();
        assert_eq!(seven.correspondence.sender_kept_days, 7);
        assert_eq!(Statutes::from_json(&seven.to_json()).unwrap(), seven);
    }

    #[test]
    fn a_sender_is_kept_ten_years_at_most() {
        let kinds = crate::units::default_kinds();
        let mut rules = Statutes::founding();
        rules.correspondence.sender_kept_days = 0;
        assert!(rules.validate(&kinds).is_ok());
        rules.correspondence.sender_kept_days = Correspondence::MAX_SENDER_KEPT_DAYS;
        assert!(rules.validate(&kinds).is_ok());
        rules.correspondence.sender_kept_days = Correspondence::MAX_SENDER_KEPT_DAYS + 1;
        let err = rules.validate(&kinds).unwrap_err();
        assert_eq!(err, StatutesError::SenderKeptTooLong(3651));
        assert!(err.to_string().contains("3651 days"), "{err}");
    }

    #[test]
    fn a_rule_that_refers_to_nothing_is_named() {
        let mut rules = Statutes::founding();
        rules.dues.split.push(crate::dues::Share {
            kind: "cell".into(),
            percent: 0,
        });
        let err = rules.validate(&crate::units::default_kinds()).unwrap_err();
        assert_eq!(err, StatutesError::UnknownKind("cell".into()));
        assert!(err.to_string().contains("\"cell\""));
    }

    #[test]
    fn the_places_named_in_public_are_kinds_that_exist() {
        let mut rules = Statutes::founding();
        assert_eq!(rules.access.public_places, vec!["regional"]);
        // Statutes written before the rule existed name the regions in public.
        let old = rules.to_json().replace("\"public_places\"", "\"ignored\"");
        assert_eq!(
            Statutes::from_json(&old).unwrap().access.public_places,
            vec!["regional"]
        );
        rules.access.public_places = vec!["district".into()];
        assert_eq!(
            rules.validate(&crate::units::default_kinds()).unwrap_err(),
            StatutesError::UnknownPublicKind("district".into())
        );
    }
}
