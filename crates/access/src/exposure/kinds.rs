//! The kinds of object an account can expose, each with the access rules' question for it.

use super::Index;
use crate::{Action, Place};

/// A kind of object that an account can expose, held by units or by congresses.
pub struct Kind {
    pub name: &'static str,
    /// Shown on the page: "people by party name".
    pub label: &'static str,
    pub of: Of,
}

/// Where a kind of object is kept, and the access rules' question for it.
pub enum Of {
    Units {
        /// The question for one unit's objects of this kind.
        ask: for<'a> fn(Place<'a>) -> Action<'a>,
        /// How many of them a unit (by index) holds.
        per_unit: fn(&Index, usize) -> u64,
    },
    Congresses {
        /// The question for one congress's objects, given whether the viewer takes part in it.
        ask: fn(bool) -> Action<'static>,
        /// How many of them a congress (by index) holds.
        per_congress: fn(&Index, usize) -> u64,
    },
}

impl Kind {
    /// How many objects of this kind a unit holds (none, for a congress's kinds).
    pub fn per_unit(&self, ix: &Index, unit: usize) -> u64 {
        match self.of {
            Of::Units { per_unit, .. } => per_unit(ix, unit),
            Of::Congresses { .. } => 0,
        }
    }
}

/// Every kind, in the order pages show them. Some are used by position below (checked by a test).
pub const KINDS: &[Kind] = &[
    Kind {
        name: "people_by_pseudonym",
        label: "people by party name",
        of: Of::Units {
            ask: |p| Action::ViewRoster(p),
            per_unit: |ix, u| ix.unit_people.row(u).len() as u64,
        },
    },
    Kind {
        name: "people_by_identity",
        label: "people by identity (name, address, workplace)",
        of: Of::Units {
            ask: |p| Action::ViewIdentities(p),
            per_unit: |ix, u| ix.unit_people.row(u).len() as u64,
        },
    },
    Kind {
        name: "meetings",
        label: "meetings (date and unit)",
        of: Of::Units {
            ask: |p| Action::ViewRoster(p),
            per_unit: |ix, u| ix.unit_meetings[u],
        },
    },
    Kind {
        name: "bundles",
        label: "the paper's bundles (copies, sales, returns and money of a unit)",
        // The unit's bundle page is shown to whoever sees the unit's figures.
        of: Of::Units {
            ask: |p| Action::ViewFigures(p),
            per_unit: |ix, u| ix.unit_bundles[u],
        },
    },
    Kind {
        name: "articles",
        label: "the paper's articles not yet public (drafts, edited, approved)",
        // The editors' desk and the article's page: the editors of the unit that runs it.
        of: Of::Units {
            ask: |p| Action::EditPaper(p),
            per_unit: |ix, u| ix.unit_articles[u],
        },
    },
    Kind {
        name: "reports",
        label: "correspondents' reports on the editors' desk (new and accepted)",
        of: Of::Units {
            ask: |p| Action::ReadReport(p),
            per_unit: |ix, u| ix.unit_reports[u],
        },
    },
    Kind {
        name: "reports_in_articles",
        label: "reports shown with the articles made from them",
        of: Of::Units {
            ask: |p| Action::EditPaper(p),
            per_unit: |ix, u| ix.unit_reports_in_articles[u],
        },
    },
    Kind {
        name: "transfer_requests",
        label: "transfers asked into a unit (the person by party name, and the reason)",
        // The unit's page, to the secretary who answers them.
        of: Of::Units {
            ask: |p| Action::DecideTransfer(p),
            per_unit: |ix, u| ix.unit_movers.row(u).len() as u64,
        },
    },
    Kind {
        name: "motions",
        label: "a congress's motions",
        of: Of::Congresses {
            ask: |participant| Action::ViewCongress { participant },
            per_congress: |ix, c| ix.snap.congresses[c].motions as u64,
        },
    },
    Kind {
        name: "amendments",
        label: "a congress's amendments",
        of: Of::Congresses {
            ask: |participant| Action::ViewCongress { participant },
            per_congress: |ix, c| ix.snap.congresses[c].amendments as u64,
        },
    },
    Kind {
        name: "minutes",
        label: "a congress's minutes",
        // Written from its record of events, one document per congress.
        of: Of::Congresses {
            ask: |participant| Action::ViewCongress { participant },
            per_congress: |_, _| 1,
        },
    },
    Kind {
        name: "units",
        label: "units' figures",
        of: Of::Units {
            ask: |p| Action::ViewFigures(p),
            per_unit: |_, _| 1,
        },
    },
    Kind {
        name: "closed_units",
        label: "closed units' figures",
        of: Of::Units {
            ask: |p| Action::ViewFigures(p),
            per_unit: |ix, u| ix.closed_branch[u] as u64,
        },
    },
];
pub(super) const PSEUDONYMS: usize = 0;
pub(super) const IDENTITIES: usize = 1;
pub(super) const MEETINGS: usize = 2;
pub(super) const TRANSFERS: usize = 7;

/// How many kinds of object an exposure counts.
pub const KIND_COUNT: usize = KINDS.len();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kinds_used_by_position_are_where_the_code_expects_them() {
        let at = |name: &str| KINDS.iter().position(|k| k.name == name);
        assert_eq!(at("people_by_pseudonym"), Some(PSEUDONYMS));
        assert_eq!(at("people_by_identity"), Some(IDENTITIES));
        assert_eq!(at("meetings"), Some(MEETINGS));
        assert_eq!(at("transfer_requests"), Some(TRANSFERS));
        // A bit per kind in `ClassAnswer::units`.
        assert!(KINDS.len() <= 32);
    }
}
