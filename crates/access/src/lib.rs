//! Every access decision, in one place. Default deny: an action is allowed only where a rule
//! below says so, and routes never decide for themselves.
//!
//! A pure crate: no I/O, no database, no HTML. It judges `core_rules`' types (a unit, a person,
//! the statutes' [`AccessRules`]) and a viewer ([`Who`]) that the caller builds from what it read
//! (the web from a session, the exposure analysis from a snapshot, through [`assemble`]). The
//! exposure analysis ([`exposure`]), which asks these rules for each class of account, lives here
//! too, so that nothing outside this crate decides who may see what.
//!
//! The rules, in words:
//! - A member sees the members of their own unit by pseudonym, and their own page and identity.
//!   Nothing of other units' people.
//! - An office applies in the unit it is held in. Offices that the statutes' `reach_down` names
//!   also reach the units below; the others see only figures there (counts, dues totals).
//! - The secretary sees and keeps the identities of their unit's people; the treasurer records
//!   their dues. Figures of the units below go to every office of a unit above.
//! - A closed unit, and its people, do not exist for anyone outside it, except the bodies of the
//!   unit kinds the statutes name (`closed_seen_by`) that stand above it.
//! - Offices are held by members: an officer whose membership lapses holds nothing. An ended
//!   office or a suspended account stops counting on the next request (and their sessions end).
//! - The administrator keeps accounts and offices, and sees figures, not names.
//! - An officer moves people at once only within the units they manage; a move anywhere else
//!   they may know of is a request, which the receiving unit's secretary accepts or refuses.
//! - A correspondent is known to one editor: a report's sender is shown only to the editor it
//!   is assigned to (the one who triaged it first), on request.
//!
//! - The public (anyone, signed in or not) is told only of the places the organisation names in
//!   public: the units of the kinds the statutes list in `public_places` (by default the
//!   regions), never a closed one or one in a closed branch.
//!
//! A refusal is always "not found", exactly as if the thing did not exist.

pub mod exposure;

use core_rules::people::{Person, Status};
use core_rules::roles::{AccessRules, Role};
use core_rules::units::Unit;
use std::collections::HashMap;

/// An office as the rules see it: the role, the unit it is held in, and that unit's kind.
#[derive(Clone, Debug)]
pub struct Held {
    pub role: Role,
    pub unit_id: i64,
    pub unit_kind: String,
}

/// The viewer's own person record, as far as the rules need it.
#[derive(Clone, Copy, Debug)]
pub struct Own {
    pub person_id: i64,
    pub unit_id: i64,
    pub status: Status,
}

/// The viewer as access rules see them.
pub struct Who {
    /// The account is the whole organisation's administrator (the one `iskra init` creates).
    pub is_admin: bool,
    pub own: Option<Own>,
    /// Offices that count now: empty when the person behind the account is not a member.
    pub held: Vec<Held>,
    pub rules: AccessRules,
}

/// Where something is: a unit and the units above it, nearest first (`chain[0]` is the unit).
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    pub chain: &'a [Unit],
}

impl<'a> Place<'a> {
    pub fn unit(&self) -> &'a Unit {
        &self.chain[0]
    }
}

/// What someone wants to do.
#[derive(Clone, Copy, Debug)]
pub enum Action<'a> {
    /// See the organisation's tree (only the units whose figures one may see are listed).
    ViewTree,
    /// Be told that a unit exists (e.g. as a transfer's destination): any unit not in a closed
    /// branch, and the closed ones one may see.
    KnowUnit(Place<'a>),
    /// See a unit's figures: counts, dues totals, its units below.
    ViewFigures(Place<'a>),
    /// See the people of a unit by pseudonym, and its meetings.
    ViewRoster(Place<'a>),
    /// Record meetings and applications in a unit, and decide applications.
    ManageUnit(Place<'a>),
    /// Record dues payments in a unit.
    RecordPayment(Place<'a>),
    /// Export a unit's people, with identities (the password is asked again).
    ExportUnit(Place<'a>),
    /// See a person's page and standing.
    ViewPerson(&'a Person, Place<'a>),
    /// See the identifying details of a unit's people, in its roster.
    ViewIdentities(Place<'a>),
    /// See the identifying details of a person.
    ViewIdentity(&'a Person, Place<'a>),
    /// Change a person's status, unit or record of tasks.
    ManagePerson(&'a Person, Place<'a>),
    /// Move a person at once from `from` into `to`: an officer who manages the person and the
    /// unit they go to (the secretary's own unit, and the units below where the statutes'
    /// `reach_down` extends the secretary).
    MovePerson {
        person: &'a Person,
        from: Place<'a>,
        to: Place<'a>,
    },
    /// Ask the unit `to` to take in a person from `from`: an officer who manages the person,
    /// into any unit they may know of. Nothing moves until the receiving unit accepts.
    AskTransfer {
        person: &'a Person,
        from: Place<'a>,
        to: Place<'a>,
    },
    /// See the transfers asked into a unit (the people by party name only) and accept or
    /// refuse them: the unit's secretary.
    DecideTransfer(Place<'a>),
    /// Invite an admitted member to an account of their own.
    InvitePerson(&'a Person, Place<'a>),
    /// Open the offices page at all: an administrator of some unit.
    ViewOffices,
    /// Grant and end offices in a unit.
    ManageRoles(Place<'a>),
    /// Suspend and restore accounts, and import people into any unit: the whole organisation's
    /// administrator only.
    ManageAccounts,
    ImportPeople,
    /// One's own account: password and sessions.
    OwnAccount,
    ViewStatutes,
    /// Open the exposure analysis at all: a security officer.
    AnalyseExposure,
    /// See, in counts, what the accounts of a unit's people would expose: the security officer
    /// of the unit or of a body above it (a closed unit only for the bodies the statutes name).
    ViewExposure(Place<'a>),
    /// Convene a congress: a member of the central committee (the `central` office).
    ConveneCongress,
    /// See a congress, its pages and minutes: its participants, and the offices that run it
    /// (central committee, presidium, credentials committee). `participant` says whether the
    /// viewer takes part in this congress.
    ViewCongress {
        participant: bool,
    },
    /// Be told how many members (and members with a vote) a unit has, where a congress lists
    /// its units beside their mandates: the apportionment is open to the congress for units in
    /// the open, but a closed unit (or one below a closed unit) shows its mandates and its
    /// delegates only; its membership is for those who see its figures anyway.
    ViewCongressMembership(Place<'a>),
    /// Check mandates and record findings: the credentials committee.
    CheckCredentials,
    /// Run the sessions (votes, speakers, agenda, elections, presence): the presidium.
    Preside,
    /// Act as a participant (check in, vote, speak, propose): only one who takes part; the
    /// store refuses what their kind may not do (a guest's vote, a vote without a mandate).
    TakePart {
        participant: bool,
    },
    /// Edit a publication run by the unit at `place`: its editions, articles and workflow, and
    /// plan its circulation. An editor of that unit or of one above it.
    EditPaper(Place<'a>),
    /// Read and triage the reports sent to the papers, and see the single picture: an editor.
    ReadReports,
    /// Read and triage one report, about the unit at `place`: an editor, if the unit is one they
    /// may know of (a closed unit's reports stay with the bodies that see it).
    ReadReport(Place<'a>),
    /// See who sent a report about the unit at `place`: only the editor it is assigned to
    /// (`assigned`: the report is assigned to the viewer's account), while they may read it.
    /// The store shows the party name only while the sender is kept, and records each view.
    SeeSender {
        place: Place<'a>,
        assigned: bool,
    },
    /// Record the agent's return for the unit's bundle: its agent or secretary.
    RecordReturn(Place<'a>),
    /// Set the unit's standing order of a paper and keep its subscribers (their names stay in
    /// the unit): its agent or secretary, as for the bundle's return.
    OrderPaper(Place<'a>),
}

/// Whether an office of `role` sees into `place`, `names` saying whether people (not only
/// figures) are asked for.
fn office_reaches(who: &Who, place: Place, names: bool, roles: &[Role]) -> bool {
    who.held.iter().any(|h| {
        if !roles.contains(&h.role) {
            return false;
        }
        let Some(depth) = place.chain.iter().position(|u| u.id == h.unit_id) else {
            return false;
        };
        if depth == 0 {
            return true;
        }
        if names && !who.rules.reach_down.contains(&h.role) {
            return false;
        }
        // The target and every unit between it and the office's unit: a closed one among them
        // hides the rest from all but the bodies the statutes name.
        let hidden = place.chain[..depth].iter().any(|u| u.closed);
        who.rules.body_may_know(&h.unit_kind, hidden)
    })
}

/// Whether the body at unit `body` (the unit of `place` or one above it) may know of the unit
/// at `place`: the rule its offices are judged by (a closed unit between them hides it, except
/// from the bodies the statutes name). Not a question about the viewer but about two units: a
/// unit takes a paper only from a body that may know of it, so that the paper's editors know
/// every unit their print run serves and the bundle goes down only through units that may know
/// of it (`core_rules::paper::circulation`, README "Who sees what").
pub fn body_knows(rules: &AccessRules, place: Place, body: i64) -> bool {
    match place.chain.iter().position(|u| u.id == body) {
        Some(depth) => rules.body_may_know(
            &place.chain[depth].kind,
            place.chain[..depth].iter().any(|u| u.closed),
        ),
        None => false,
    }
}

fn is_member_of(who: &Who, unit: i64) -> bool {
    who.own
        .is_some_and(|o| o.unit_id == unit && o.status == Status::Member)
}

fn is_self(who: &Who, p: &Person) -> bool {
    who.own.is_some_and(|o| o.person_id == p.id)
}

const OFFICES: &[Role] = &Role::OFFICES;

/// The offices that show a unit's people by party name: every office but the administrator's,
/// which keeps accounts and offices and sees figures, never names (an administrator who is a
/// member of the unit sees its members as a member does).
const NAMED_OFFICES: &[Role] = &[
    Role::Secretary,
    Role::Treasurer,
    Role::Agent,
    Role::Editor,
    Role::Credentials,
    Role::Presidium,
    Role::Central,
    Role::Security,
];

/// Whether the viewer holds an office of this role in any unit (offices count only for members).
fn holds(who: &Who, role: Role) -> bool {
    who.held.iter().any(|h| h.role == role)
}

pub fn allowed(who: &Who, action: Action) -> bool {
    match action {
        Action::ViewTree => !who.held.is_empty(),
        Action::KnowUnit(place) => {
            !place.chain.iter().any(|u| u.closed) || allowed(who, Action::ViewFigures(place))
        }
        Action::ViewFigures(place) => {
            allowed(who, Action::ViewRoster(place)) || office_reaches(who, place, false, OFFICES)
        }
        Action::ViewRoster(place) => {
            is_member_of(who, place.unit().id) || office_reaches(who, place, true, NAMED_OFFICES)
        }
        Action::ManageUnit(place) | Action::ExportUnit(place) | Action::ViewIdentities(place) => {
            office_reaches(who, place, true, &[Role::Secretary])
        }
        Action::RecordPayment(place) => {
            office_reaches(who, place, true, &[Role::Secretary, Role::Treasurer])
        }
        Action::ViewPerson(p, place) | Action::ViewIdentity(p, place) => {
            is_self(who, p) || office_reaches(who, place, true, &[Role::Secretary])
        }
        Action::ManagePerson(_, place) | Action::InvitePerson(_, place) => {
            office_reaches(who, place, true, &[Role::Secretary])
        }
        Action::MovePerson { person, from, to } => {
            allowed(who, Action::ManagePerson(person, from))
                && office_reaches(who, to, true, &[Role::Secretary])
        }
        Action::AskTransfer { person, from, to } => {
            allowed(who, Action::ManagePerson(person, from)) && allowed(who, Action::KnowUnit(to))
        }
        Action::DecideTransfer(place) => office_reaches(who, place, true, &[Role::Secretary]),
        Action::ViewOffices => who.held.iter().any(|h| h.role == Role::Admin),
        Action::ManageRoles(place) => office_reaches(who, place, false, &[Role::Admin]),
        Action::ManageAccounts | Action::ImportPeople => who.is_admin,
        Action::OwnAccount | Action::ViewStatutes => true,
        Action::AnalyseExposure => who.held.iter().any(|h| h.role == Role::Security),
        Action::ViewExposure(place) => office_reaches(who, place, false, &[Role::Security]),
        Action::ConveneCongress => holds(who, Role::Central),
        Action::ViewCongress { participant } => {
            participant
                || holds(who, Role::Central)
                || holds(who, Role::Presidium)
                || holds(who, Role::Credentials)
        }
        // The same test as `KnowUnit` today, but another question (a unit's size, not its
        // existence): the statutes could one day let some know of a closed unit without its size.
        Action::ViewCongressMembership(place) => {
            !place.chain.iter().any(|u| u.closed) || allowed(who, Action::ViewFigures(place))
        }
        Action::CheckCredentials => holds(who, Role::Credentials),
        Action::Preside => holds(who, Role::Presidium),
        Action::TakePart { participant } => participant,
        Action::EditPaper(place) => office_reaches(who, place, false, &[Role::Editor]),
        Action::ReadReports => who.held.iter().any(|h| h.role == Role::Editor),
        Action::ReadReport(place) => {
            allowed(who, Action::ReadReports) && allowed(who, Action::KnowUnit(place))
        }
        Action::SeeSender { place, assigned } => {
            assigned && allowed(who, Action::ReadReport(place))
        }
        Action::RecordReturn(place) | Action::OrderPaper(place) => {
            office_reaches(who, place, true, &[Role::Agent, Role::Secretary])
        }
    }
}

/// Whether the unit at `place` is one the organisation names in public: of a kind the statutes
/// list in `public_places`, and neither closed nor inside a closed branch. This is all that
/// anyone who is not signed in may be told of the unit tree (the public report form's places).
pub fn named_in_public(rules: &AccessRules, place: Place) -> bool {
    rules.public_places.contains(&place.unit().kind) && !place.chain.iter().any(|u| u.closed)
}

/// The access rules' view of an account from what is known of it: whether it is the
/// organisation's administrator, its own person record, the offices granted to it, and (for the
/// administrator) the units at the top. Every request and exposure analysis both build `Who`
/// here, so that they see an account the same way.
pub fn assemble(
    is_admin: bool,
    own: Option<Own>,
    granted: Vec<Held>,
    roots: &[(i64, String)],
    rules: AccessRules,
) -> Who {
    // Officers are members: an office held by someone whose membership lapsed counts for nothing.
    let mut held: Vec<Held> = if own.is_none_or(|o| o.status == Status::Member) {
        granted
    } else {
        Vec::new()
    };
    // The organisation's own administrator (created by `init`) administers from the top.
    if is_admin {
        for (id, kind) in roots {
            held.push(Held {
                role: Role::Admin,
                unit_id: *id,
                unit_kind: kind.clone(),
            });
        }
    }
    Who {
        is_admin,
        own,
        held,
        rules,
    }
}

/// Every unit's chain (the unit and the units above it, nearest first), from one list of all
/// units: for pages that ask the access rules about many units at once, without a query each.
pub fn chains(units: &[Unit]) -> HashMap<i64, Vec<Unit>> {
    let by_id: HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    units
        .iter()
        .map(|u| {
            let mut chain = vec![u.clone()];
            let mut at = u.parent_id;
            while let Some(p) = at.and_then(|p| by_id.get(&p)) {
                chain.push((*p).clone());
                at = p.parent_id;
            }
            (u.id, chain)
        })
        .collect()
}

#[cfg(test)]
mod tests;
