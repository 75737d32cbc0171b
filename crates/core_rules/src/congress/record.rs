//! The congress's record as data: what happened, one [`Happening`] per entry of its event log.
//!
//! The log keeps each entry as a kind and a short detail (`"check_in"`, `"1 17 23"`). That text
//! is written and read here and nowhere else, so the minutes, the pages and the PDF work from
//! typed values and make their own words (in the reader's language). The detail keeps the form
//! the first release wrote, so the logs of past congresses read as before.

use count::motion::Decision;

/// A participant's standing at the congress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Delegate,
    Substitute,
    Consultative,
    Guest,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Delegate,
        Kind::Substitute,
        Kind::Consultative,
        Kind::Guest,
    ];

    /// The code stored and posted in forms.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Delegate => "delegate",
            Kind::Substitute => "substitute",
            Kind::Consultative => "consultative",
            Kind::Guest => "guest",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// The part of a congress's pages a change touches: the live pages reload that part (the
/// code is the name of the server-sent event `congress.js` listens for).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Vote,
    Speaker,
    Presence,
    Agenda,
    Motion,
    Election,
    Credentials,
    /// A ballot was cast: the running count, sent at most once a second.
    Tally,
}

impl Part {
    pub const ALL: [Part; 8] = [
        Part::Vote,
        Part::Speaker,
        Part::Presence,
        Part::Agenda,
        Part::Motion,
        Part::Election,
        Part::Credentials,
        Part::Tally,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Part::Vote => "vote",
            Part::Speaker => "speaker",
            Part::Presence => "presence",
            Part::Agenda => "agenda",
            Part::Motion => "motion",
            Part::Election => "election",
            Part::Credentials => "credentials",
            Part::Tally => "tally",
        }
    }

    pub fn parse(s: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.code() == s)
    }
}

/// Who was in the hall after a change of presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Presence {
    /// Mandates present.
    pub present: i64,
    /// Mandates entitled to vote.
    pub entitled: i64,
}

/// How a closed vote went, as the log keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub decision: Decision,
    pub yes: i64,
    pub no: i64,
    pub abstain: i64,
    pub presence: Presence,
}

/// One entry of a congress's log. The participant and the subject (an agenda item, a motion,
/// an amendment, a vote or an election, by the kind) are kept beside it, not in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Happening {
    /// The congress was convened and its mandates apportioned.
    Convened {
        mandates: i64,
    },
    Registered {
        kind: Kind,
    },
    /// The credentials committee accepted (or rejected) a delegate's mandate.
    Credential {
        accepted: bool,
    },
    /// Checked in: one participant, or several together.
    CheckIn {
        people: i64,
        presence: Presence,
    },
    /// One participant left the hall.
    CheckOut(Presence),
    /// Several delegates left together.
    Walkout {
        delegates: i64,
        presence: Presence,
    },
    AgendaItem,
    /// Asked for the floor; `point_of_order` if out of turn on the procedure.
    Floor {
        point_of_order: bool,
    },
    Spoke,
    Motion,
    /// A motion moved to a state of the congress's workflow (the congress names its states).
    MotionState {
        state: String,
    },
    /// An amendment was moved; its text is in the amendment itself.
    Amendment,
    VoteOpened {
        secret: bool,
    },
    VoteClosed(Tally),
    /// An adopted statutes motion put a new version of the statutes in force.
    StatutesAmended {
        version: i64,
    },
    /// An adopted statutes motion whose text could not be read as statutes: why, in the
    /// statutes reader's words.
    StatutesUnread {
        reason: String,
    },
    ElectionCalled,
    BallotOpened,
    /// The ballot was closed and counted; the elected are in the election's report.
    BallotClosed {
        elected: i64,
    },
    /// A kind this binary does not know (written by a later one): kept, shown by its name.
    Unknown {
        kind: String,
    },
}

fn decision_code(d: Decision) -> &'static str {
    match d {
        Decision::Adopted => "adopted",
        Decision::Rejected => "rejected",
        Decision::NoQuorum => "no_quorum",
    }
}

impl Happening {
    /// The kind as the log stores it.
    pub fn kind(&self) -> &str {
        match self {
            Happening::Convened { .. } => "convened",
            Happening::Registered { .. } => "registered",
            Happening::Credential { .. } => "credential",
            Happening::CheckIn { .. } => "check_in",
            Happening::CheckOut(_) => "check_out",
            Happening::Walkout { .. } => "walkout",
            Happening::AgendaItem => "agenda",
            Happening::Floor {
                point_of_order: false,
            } => "floor",
            Happening::Floor {
                point_of_order: true,
            } => "point_of_order",
            Happening::Spoke => "spoke",
            Happening::Motion => "motion",
            Happening::MotionState { .. } => "motion_state",
            Happening::Amendment => "amendment",
            Happening::VoteOpened { .. } => "vote_opened",
            Happening::VoteClosed(_) => "vote_closed",
            Happening::StatutesAmended { .. } => "statutes",
            Happening::StatutesUnread { .. } => "statutes_unread",
            Happening::ElectionCalled => "election",
            Happening::BallotOpened => "election_opened",
            Happening::BallotClosed { .. } => "election_closed",
            Happening::Unknown { kind } => kind,
        }
    }

    /// The detail as the log stores it.
    pub fn detail(&self) -> String {
        let presence = |p: &Presence| format!("{} {}", p.present, p.entitled);
        match self {
            Happening::Convened { mandates } => mandates.to_string(),
            Happening::Registered { kind } => kind.code().to_string(),
            Happening::Credential { accepted } => {
                if *accepted { "accepted" } else { "rejected" }.to_string()
            }
            // The count of those who moved comes first.
            Happening::CheckIn {
                people,
                presence: p,
            } => format!("{people} {}", presence(p)),
            Happening::CheckOut(p) => format!("1 {}", presence(p)),
            Happening::Walkout {
                delegates,
                presence: p,
            } => format!("{delegates} {}", presence(p)),
            Happening::MotionState { state } => state.clone(),
            Happening::VoteOpened { secret } => {
                if *secret { "secret" } else { "roll_call" }.to_string()
            }
            Happening::VoteClosed(t) => format!(
                "{} {} {} {} {}",
                decision_code(t.decision),
                t.yes,
                t.no,
                t.abstain,
                presence(&t.presence)
            ),
            Happening::StatutesAmended { version } => version.to_string(),
            Happening::StatutesUnread { reason } => reason.clone(),
            Happening::BallotClosed { elected } => elected.to_string(),
            Happening::AgendaItem
            | Happening::Floor { .. }
            | Happening::Spoke
            | Happening::Motion
            | Happening::Amendment
            | Happening::ElectionCalled
            | Happening::BallotOpened
            | Happening::Unknown { .. } => String::new(),
        }
    }

    /// Reads an entry of the log back. A detail that does not read (a damaged row) gives zeros
    /// rather than losing the entry: the minutes still say that it happened.
    pub fn read(kind: &str, detail: &str) -> Happening {
        let n: Vec<i64> = detail.split(' ').map(|w| w.parse().unwrap_or(0)).collect();
        let at = |i: usize| n.get(i).copied().unwrap_or(0);
        let presence = |from: usize| Presence {
            present: at(from),
            entitled: at(from + 1),
        };
        match kind {
            "convened" => Happening::Convened { mandates: at(0) },
            "registered" => Happening::Registered {
                kind: Kind::parse(detail).unwrap_or(Kind::Guest),
            },
            "credential" => Happening::Credential {
                accepted: detail == "accepted",
            },
            "check_in" => Happening::CheckIn {
                people: at(0),
                presence: presence(1),
            },
            "check_out" => Happening::CheckOut(presence(1)),
            "walkout" => Happening::Walkout {
                delegates: at(0),
                presence: presence(1),
            },
            "agenda" => Happening::AgendaItem,
            "floor" => Happening::Floor {
                point_of_order: false,
            },
            "point_of_order" => Happening::Floor {
                point_of_order: true,
            },
            "spoke" => Happening::Spoke,
            "motion" => Happening::Motion,
            "motion_state" => Happening::MotionState {
                state: detail.to_string(),
            },
            // The first release kept the edit's description here; the amendment keeps the edit.
            "amendment" => Happening::Amendment,
            "vote_opened" => Happening::VoteOpened {
                secret: detail == "secret",
            },
            "vote_closed" => Happening::VoteClosed(Tally {
                decision: match detail.split(' ').next() {
                    Some("adopted") => Decision::Adopted,
                    Some("rejected") => Decision::Rejected,
                    _ => Decision::NoQuorum,
                },
                yes: at(1),
                no: at(2),
                abstain: at(3),
                presence: presence(4),
            }),
            "statutes" => Happening::StatutesAmended { version: at(0) },
            "statutes_unread" => Happening::StatutesUnread {
                reason: detail.to_string(),
            },
            "election" => Happening::ElectionCalled,
            "election_opened" => Happening::BallotOpened,
            "election_closed" => Happening::BallotClosed { elected: at(0) },
            other => Happening::Unknown {
                kind: other.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn presence() -> impl Strategy<Value = Presence> {
        (0..100_000i64, 0..100_000i64)
            .prop_map(|(present, entitled)| Presence { present, entitled })
    }

    fn happening() -> impl Strategy<Value = Happening> {
        let decision = prop_oneof![
            Just(Decision::Adopted),
            Just(Decision::Rejected),
            Just(Decision::NoQuorum)
        ];
        let word = "[a-z_]{1,12}";
        prop_oneof![
            (0..100_000i64).prop_map(|mandates| Happening::Convened { mandates }),
            (0..4usize).prop_map(|i| Happening::Registered { kind: Kind::ALL[i] }),
            any::<bool>().prop_map(|accepted| Happening::Credential { accepted }),
            (1..1000i64, presence())
                .prop_map(|(people, presence)| Happening::CheckIn { people, presence }),
            presence().prop_map(Happening::CheckOut),
            (0..1000i64, presence()).prop_map(|(delegates, presence)| Happening::Walkout {
                delegates,
                presence
            }),
            Just(Happening::AgendaItem),
            any::<bool>().prop_map(|point_of_order| Happening::Floor { point_of_order }),
            Just(Happening::Spoke),
            Just(Happening::Motion),
            word.prop_map(|state| Happening::MotionState { state }),
            Just(Happening::Amendment),
            any::<bool>().prop_map(|secret| Happening::VoteOpened { secret }),
            (
                decision,
                0..10_000i64,
                0..10_000i64,
                0..10_000i64,
                presence()
            )
                .prop_map(|(decision, yes, no, abstain, presence)| {
                    Happening::VoteClosed(Tally {
                        decision,
                        yes,
                        no,
                        abstain,
                        presence,
                    })
                }),
            (1..1000i64).prop_map(|version| Happening::StatutesAmended { version }),
            ".{0,80}".prop_map(|reason| Happening::StatutesUnread { reason }),
            Just(Happening::ElectionCalled),
            Just(Happening::BallotOpened),
            (0..100i64).prop_map(|elected| Happening::BallotClosed { elected }),
        ]
    }

    proptest! {
        /// What is written reads back as it was: the log is the record.
        #[test]
        fn every_happening_reads_back_as_written(h in happening()) {
            prop_assert_eq!(Happening::read(h.kind(), &h.detail()), h);
        }
    }

    #[test]
    fn the_first_releases_entries_read_as_they_were_meant() {
        // As the first release wrote them (crates/store/src/congress, before issue 18).
        assert_eq!(
            Happening::read("walkout", "2 1 3"),
            Happening::Walkout {
                delegates: 2,
                presence: Presence {
                    present: 1,
                    entitled: 3
                }
            }
        );
        assert_eq!(
            Happening::read("vote_closed", "no_quorum 0 0 0 1 3"),
            Happening::VoteClosed(Tally {
                decision: Decision::NoQuorum,
                yes: 0,
                no: 0,
                abstain: 0,
                presence: Presence {
                    present: 1,
                    entitled: 3
                }
            })
        );
        assert_eq!(
            Happening::read("amendment", "replace lines 3–5"),
            Happening::Amendment
        );
        assert_eq!(
            Happening::read("recess", ""),
            Happening::Unknown {
                kind: "recess".into()
            }
        );
    }
}
