//! What exposure analysis reads: the whole organisation's structure at one moment, with no
//! names and no identities (people by number, unit and status; accounts and their offices;
//! meetings and who attended them; documents counted where they are kept, with the people they
//! name by number, the transfers waiting for a unit's answer among them). The store reads it
//! (`store::Store::exposure_snapshot`), the access crate's exposure analysis indexes it.

use super::Csr;
use crate::people::Status;
use crate::roles::Role;
use crate::units::Unit;
use crate::Day;

/// A person as exposure analysis sees them: no pseudonym, no identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonRow {
    pub id: i64,
    pub unit_id: i64,
    pub status: Status,
    pub admitted_on: Option<Day>,
}

/// An account that can sign in (suspended accounts are left out: they expose nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub person_id: Option<i64>,
    pub is_admin: bool,
}

/// An office held now, as the access rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRow {
    pub account_id: i64,
    pub role: Role,
    pub unit_id: i64,
    pub unit_kind: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeetingRow {
    pub id: i64,
    pub unit_id: i64,
    pub held_on: Day,
}

/// The organisation's structure, read at one moment.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub units: Vec<Unit>,
    /// Sorted by id.
    pub people: Vec<PersonRow>,
    pub accounts: Vec<AccountRow>,
    /// Offices held now.
    pub grants: Vec<GrantRow>,
    pub meetings: Vec<MeetingRow>,
    /// Who attended each meeting: row `i` for `meetings[i]`, the people by their position in
    /// `people`. Positions, not ids: six million `(meeting id, person id)` pairs were 96 MB,
    /// held with everything else while the analysis indexed them; this is 24 MB, and the
    /// index needs it in this form anyway.
    pub attendance: Csr,
    /// `(unit id, bundles of the paper it has received)`, for units with any.
    pub bundles: Vec<(i64, i64)>,
    /// `(unit id, articles not yet public)`: drafts, edited and approved articles of the
    /// publications the unit runs.
    pub articles: Vec<(i64, i64)>,
    /// `(unit id, reports about it on the editors' desk)`: new and accepted.
    pub desk_reports: Vec<(i64, i64)>,
    /// `(account id, unit id, person id)`: the senders that reports still name, each to the
    /// editor's account it is assigned to, once per account, unit (of the report) and sender.
    /// Whatever the report's status: the editor may ask for the sender of any report assigned
    /// to them until it is cleared. Reports nobody is assigned, and senders cleared or due to
    /// be, are left out: nobody can read those.
    pub report_senders: Vec<(i64, i64, i64)>,
    /// `(unit id, reports used in articles)`, counted at the unit that runs the publication
    /// (an article's page shows the reports it was made from).
    pub reports_in_articles: Vec<(i64, i64)>,
    /// `(unit id, person id)`: the transfers asked into a unit and waiting for its answer, each
    /// with the person asked for (the unit's secretary sees them by party name, and the reason,
    /// on the unit's page).
    pub transfers_waiting: Vec<(i64, i64)>,
    /// Every congress, with its documents counted.
    pub congresses: Vec<CongressRow>,
    /// `(congress id, person id)`: who takes part in which congress.
    pub participants: Vec<(i64, i64)>,
}

/// A congress's documents, counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CongressRow {
    pub id: i64,
    pub motions: i64,
    pub amendments: i64,
}
