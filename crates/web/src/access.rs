//! Every access decision, in one place. Default deny: an action is allowed only where a rule
//! below says so, and routes never decide for themselves.
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

use core_rules::people::Status;
use core_rules::roles::{AccessRules, Role};
use store::accounts::Session;
use store::people::Person;
use store::units::Unit;

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
pub struct Who<'a> {
    pub session: &'a Session,
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
        Action::ManageAccounts | Action::ImportPeople => who.session.account.is_admin,
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

#[cfg(test)]
mod tests {
    use super::*;
    use core_rules::units::Category;
    use core_rules::Day;
    use store::accounts::Account;

    fn session(admin: bool, person: Option<i64>) -> Session {
        Session {
            account: Account {
                id: 1,
                login: "x".into(),
                person_id: person,
                is_admin: admin,
            },
            csrf: String::new(),
        }
    }

    fn unit(id: i64, parent: Option<i64>, kind: &str, closed: bool) -> Unit {
        Unit {
            id,
            parent_id: parent,
            kind: kind.into(),
            kind_name: kind.into(),
            category: Category::Party,
            level: 0,
            code: format!("u{id}"),
            name: "U".into(),
            area: String::new(),
            closed,
        }
    }

    fn person(id: i64, unit_id: i64) -> Person {
        Person {
            id,
            card: None,
            pseudonym: "P".into(),
            unit_id,
            status: Status::Member,
            since: Day::parse("2020-01-01").unwrap(),
            admitted_on: None,
            programme_accepted: true,
            monthly_income_cents: None,
            reduced_rate: false,
        }
    }

    /// cc(1, central) > region(2) > local(3) > circle(4); local(3) > closed circle(5);
    /// region(2) > other local(6).
    struct Tree {
        cc: Vec<Unit>,
        region: Vec<Unit>,
        local: Vec<Unit>,
        circle: Vec<Unit>,
        closed: Vec<Unit>,
        other: Vec<Unit>,
    }

    fn tree() -> Tree {
        let cc = unit(1, None, "central", false);
        let region = unit(2, Some(1), "regional", false);
        let local = unit(3, Some(2), "local", false);
        let circle = unit(4, Some(3), "circle", false);
        let closed = unit(5, Some(3), "circle", true);
        let other = unit(6, Some(2), "local", false);
        Tree {
            cc: vec![cc.clone()],
            region: vec![region.clone(), cc.clone()],
            local: vec![local.clone(), region.clone(), cc.clone()],
            circle: vec![circle, local.clone(), region.clone(), cc.clone()],
            closed: vec![closed, local.clone(), region.clone(), cc.clone()],
            other: vec![other, region, cc],
        }
    }

    fn who<'a>(
        s: &'a Session,
        own: Option<(i64, i64, Status)>,
        held: &[(Role, i64, &str)],
    ) -> Who<'a> {
        Who {
            session: s,
            own: own.map(|(person_id, unit_id, status)| Own {
                person_id,
                unit_id,
                status,
            }),
            held: held
                .iter()
                .map(|(role, unit_id, kind)| Held {
                    role: *role,
                    unit_id: *unit_id,
                    unit_kind: kind.to_string(),
                })
                .collect(),
            rules: AccessRules::default(),
        }
    }

    fn at(chain: &[Unit]) -> Place<'_> {
        Place { chain }
    }

    #[test]
    fn the_public_is_told_only_of_the_places_the_statutes_name_in_public() {
        let t = tree();
        let mut rules = AccessRules::default();
        assert!(named_in_public(&rules, at(&t.region)));
        for internal in [&t.cc, &t.local, &t.circle, &t.closed, &t.other] {
            assert!(!named_in_public(&rules, at(internal)));
        }
        rules.public_places = vec!["regional".into(), "circle".into()];
        assert!(named_in_public(&rules, at(&t.circle)));
        assert!(
            !named_in_public(&rules, at(&t.closed)),
            "never a closed unit"
        );
        // Nor a unit inside a closed branch.
        let mut region = t.region.clone();
        region[0].closed = true;
        assert!(!named_in_public(&rules, at(&region)));
        let mut inside = t.circle.clone();
        inside[2].closed = true;
        assert!(!named_in_public(&rules, at(&inside)));
    }

    #[test]
    fn a_member_sees_their_own_unit_by_pseudonym_and_nothing_more() {
        let t = tree();
        let s = session(false, Some(7));
        let w = who(&s, Some((7, 3, Status::Member)), &[]);
        assert!(allowed(&w, Action::ViewRoster(at(&t.local))));
        assert!(allowed(&w, Action::ViewFigures(at(&t.local))));
        assert!(allowed(&w, Action::ViewPerson(&person(7, 3), at(&t.local))));
        assert!(allowed(
            &w,
            Action::ViewIdentity(&person(7, 3), at(&t.local))
        ));
        assert!(!allowed(
            &w,
            Action::ViewPerson(&person(8, 3), at(&t.local))
        ));
        assert!(!allowed(
            &w,
            Action::ManagePerson(&person(7, 3), at(&t.local))
        ));
        assert!(!allowed(&w, Action::ViewRoster(at(&t.circle))));
        assert!(!allowed(&w, Action::ViewFigures(at(&t.circle))));
        assert!(!allowed(&w, Action::ViewRoster(at(&t.other))));
        assert!(!allowed(&w, Action::ManageUnit(at(&t.local))));
        assert!(!allowed(&w, Action::ViewTree));
        assert!(!allowed(&w, Action::ImportPeople));
    }

    #[test]
    fn a_lapsed_member_sees_only_themself() {
        let t = tree();
        let s = session(false, Some(7));
        let w = who(&s, Some((7, 3, Status::Lapsed)), &[]);
        assert!(!allowed(&w, Action::ViewRoster(at(&t.local))));
        assert!(allowed(&w, Action::ViewPerson(&person(7, 3), at(&t.local))));
    }

    #[test]
    fn a_secretary_sees_identities_in_their_unit_and_figures_below() {
        let t = tree();
        let s = session(false, Some(7));
        let w = who(
            &s,
            Some((7, 3, Status::Member)),
            &[(Role::Secretary, 3, "local")],
        );
        assert!(allowed(
            &w,
            Action::ViewIdentity(&person(8, 3), at(&t.local))
        ));
        assert!(allowed(&w, Action::ManageUnit(at(&t.local))));
        assert!(allowed(&w, Action::ViewFigures(at(&t.circle))));
        assert!(!allowed(&w, Action::ViewRoster(at(&t.circle))));
        assert!(!allowed(
            &w,
            Action::ViewIdentity(&person(9, 4), at(&t.circle))
        ));
        // The closed circle below is not there for a local committee the statutes don't name.
        assert!(!allowed(&w, Action::ViewFigures(at(&t.closed))));
        assert!(!allowed(&w, Action::ViewFigures(at(&t.other))));
        assert!(!allowed(&w, Action::ViewFigures(at(&t.region))));
        assert!(allowed(&w, Action::ViewTree));
    }

    #[test]
    fn the_central_committee_sees_closed_units_figures_but_no_names() {
        let t = tree();
        let s = session(false, Some(7));
        let w = who(
            &s,
            Some((7, 1, Status::Member)),
            &[(Role::Central, 1, "central")],
        );
        assert!(allowed(&w, Action::ViewFigures(at(&t.closed))));
        assert!(!allowed(&w, Action::ViewRoster(at(&t.closed))));
        assert!(!allowed(
            &w,
            Action::ViewIdentity(&person(9, 5), at(&t.closed))
        ));
        assert!(allowed(&w, Action::ViewRoster(at(&t.cc))));
    }

    #[test]
    fn statutes_can_extend_an_office_downwards() {
        let t = tree();
        let s = session(false, Some(7));
        let mut w = who(
            &s,
            Some((7, 3, Status::Member)),
            &[(Role::Secretary, 3, "local")],
        );
        w.rules.reach_down = vec![Role::Secretary];
        assert!(allowed(
            &w,
            Action::ViewIdentity(&person(9, 4), at(&t.circle))
        ));
        // Reach does not open closed units to a body the statutes do not name.
        assert!(!allowed(&w, Action::ViewRoster(at(&t.closed))));
        w.rules.closed_seen_by = vec!["local".into()];
        assert!(allowed(&w, Action::ViewRoster(at(&t.closed))));
    }

    #[test]
    fn the_administrator_keeps_offices_and_sees_figures_not_names() {
        let t = tree();
        let s = session(true, None);
        let w = who(&s, None, &[(Role::Admin, 1, "central")]);
        assert!(allowed(&w, Action::ManageRoles(at(&t.local))));
        assert!(allowed(&w, Action::ManageAccounts));
        assert!(allowed(&w, Action::ViewFigures(at(&t.closed))));
        assert!(allowed(&w, Action::ViewFigures(at(&t.cc))));
        // Not even the people of the unit the office is held in.
        assert!(!allowed(&w, Action::ViewRoster(at(&t.cc))));
        assert!(!allowed(&w, Action::ViewRoster(at(&t.local))));
        assert!(!allowed(
            &w,
            Action::ViewIdentity(&person(1, 3), at(&t.local))
        ));
        assert!(!allowed(&w, Action::ManageUnit(at(&t.local))));
    }

    #[test]
    fn the_security_officer_sees_exposure_in_their_branch_closed_units_as_the_statutes_say() {
        let t = tree();
        let s = session(false, Some(7));
        let w = who(
            &s,
            Some((7, 1, Status::Member)),
            &[(Role::Security, 1, "central")],
        );
        assert!(allowed(&w, Action::AnalyseExposure));
        assert!(allowed(&w, Action::ViewExposure(at(&t.closed))));
        assert!(!allowed(&w, Action::ViewRoster(at(&t.circle))));
        let w = who(
            &s,
            Some((7, 3, Status::Member)),
            &[(Role::Security, 3, "local")],
        );
        assert!(allowed(&w, Action::ViewExposure(at(&t.circle))));
        assert!(!allowed(&w, Action::ViewExposure(at(&t.closed))));
        assert!(!allowed(&w, Action::ViewExposure(at(&t.other))));
        let w = who(
            &s,
            Some((7, 3, Status::Member)),
            &[(Role::Secretary, 3, "local")],
        );
        assert!(!allowed(&w, Action::AnalyseExposure));
        assert!(!allowed(&w, Action::ViewExposure(at(&t.local))));
    }

    #[test]
    fn the_congress_is_run_by_its_offices_and_seen_by_its_participants() {
        let s = session(false, Some(7));
        let member = who(&s, Some((7, 3, Status::Member)), &[]);
        assert!(!allowed(
            &member,
            Action::ViewCongress { participant: false }
        ));
        assert!(allowed(&member, Action::ViewCongress { participant: true }));
        assert!(allowed(&member, Action::TakePart { participant: true }));
        assert!(!allowed(&member, Action::TakePart { participant: false }));
        assert!(!allowed(&member, Action::ConveneCongress));
        let cc = who(
            &s,
            Some((7, 1, Status::Member)),
            &[(Role::Central, 1, "central")],
        );
        assert!(allowed(&cc, Action::ConveneCongress));
        assert!(allowed(&cc, Action::ViewCongress { participant: false }));
        assert!(!allowed(&cc, Action::Preside));
        assert!(!allowed(&cc, Action::CheckCredentials));
        assert!(!allowed(&cc, Action::TakePart { participant: false }));
        let pr = who(
            &s,
            Some((7, 1, Status::Member)),
            &[(Role::Presidium, 1, "central")],
        );
        assert!(allowed(&pr, Action::Preside) && !allowed(&pr, Action::ConveneCongress));
        let cr = who(
            &s,
            Some((7, 1, Status::Member)),
            &[(Role::Credentials, 1, "central")],
        );
        assert!(allowed(&cr, Action::CheckCredentials) && !allowed(&cr, Action::Preside));
        let admin = who(&s, None, &[(Role::Admin, 1, "central")]);
        assert!(!allowed(
            &admin,
            Action::ViewCongress { participant: false }
        ));
    }

    #[test]
    fn a_closed_unit_at_the_congress_shows_its_membership_only_to_those_who_see_its_figures() {
        let t = tree();
        let s = session(false, Some(7));
        // A delegate from an open circle: the open units' members with a vote, not the closed
        // circle's (nor, below it, anything).
        let delegate = who(&s, Some((7, 4, Status::Member)), &[]);
        assert!(allowed(
            &delegate,
            Action::ViewCongressMembership(at(&t.circle))
        ));
        assert!(allowed(
            &delegate,
            Action::ViewCongressMembership(at(&t.other))
        ));
        assert!(!allowed(
            &delegate,
            Action::ViewCongressMembership(at(&t.closed))
        ));
        // Nor to the offices above it that the statutes do not name, at the congress or not.
        let credentials = who(
            &s,
            Some((7, 3, Status::Member)),
            &[(Role::Credentials, 3, "local")],
        );
        assert!(!allowed(
            &credentials,
            Action::ViewCongressMembership(at(&t.closed))
        ));
        // The central committee sees its figures anyway.
        let cc = who(
            &s,
            Some((7, 1, Status::Member)),
            &[(Role::Central, 1, "central")],
        );
        assert!(allowed(&cc, Action::ViewCongressMembership(at(&t.closed))));
        // And its own members know how many they are.
        let mole = who(&s, Some((7, 5, Status::Member)), &[]);
        assert!(allowed(
            &mole,
            Action::ViewCongressMembership(at(&t.closed))
        ));
    }

    #[test]
    fn the_paper_is_edited_by_editors_and_bundles_accounted_for_by_agents() {
        let t = tree();
        let s = session(false, Some(7));
        let editor = who(
            &s,
            Some((7, 2, Status::Member)),
            &[(Role::Editor, 2, "regional")],
        );
        assert!(allowed(&editor, Action::EditPaper(at(&t.region))));
        assert!(allowed(&editor, Action::EditPaper(at(&t.local))));
        assert!(!allowed(&editor, Action::EditPaper(at(&t.cc))));
        assert!(allowed(&editor, Action::ReadReports));
        // Reports about any unit the editor may know of; a closed one's only for the bodies the
        // statutes name.
        assert!(allowed(&editor, Action::ReadReport(at(&t.other))));
        assert!(allowed(&editor, Action::ReadReport(at(&t.cc))));
        assert!(!allowed(&editor, Action::ReadReport(at(&t.closed))));
        // A report's sender: only to the editor it is assigned to, and only where they read it.
        let sender = |place, assigned| Action::SeeSender { place, assigned };
        assert!(allowed(&editor, sender(at(&t.other), true)));
        assert!(!allowed(&editor, sender(at(&t.other), false)));
        assert!(!allowed(&editor, sender(at(&t.closed), true)));
        assert!(!allowed(&editor, Action::RecordReturn(at(&t.region))));
        let agent = who(
            &s,
            Some((7, 3, Status::Member)),
            &[(Role::Agent, 3, "local")],
        );
        assert!(allowed(&agent, Action::RecordReturn(at(&t.local))));
        assert!(!allowed(&agent, Action::RecordReturn(at(&t.circle))));
        assert!(!allowed(&agent, Action::RecordReturn(at(&t.other))));
        assert!(!allowed(&agent, Action::EditPaper(at(&t.local))));
        assert!(!allowed(&agent, Action::ReadReports));
        assert!(!allowed(&agent, Action::ReadReport(at(&t.local))));
        // Assigned or not, an agent is no editor.
        assert!(!allowed(&agent, sender(at(&t.local), true)));
        let member = who(&s, Some((7, 3, Status::Member)), &[]);
        assert!(!allowed(&member, Action::RecordReturn(at(&t.local))));
    }

    #[test]
    fn an_officer_moves_people_only_within_their_units_and_asks_elsewhere() {
        let t = tree();
        let s = session(false, Some(7));
        let me = person(7, 3);
        let move_to = |w: &Who, to: &[Unit]| {
            let (from, to) = (at(&t.local), at(to));
            (
                allowed(
                    w,
                    Action::MovePerson {
                        person: &me,
                        from,
                        to,
                    },
                ),
                allowed(
                    w,
                    Action::AskTransfer {
                        person: &me,
                        from,
                        to,
                    },
                ),
            )
        };
        let mut w = who(
            &s,
            Some((7, 3, Status::Member)),
            &[(Role::Secretary, 3, "local")],
        );
        // Another local, a circle below, the region: asked for, never moved at once.
        assert_eq!(move_to(&w, &t.other), (false, true));
        assert_eq!(move_to(&w, &t.circle), (false, true));
        assert_eq!(move_to(&w, &t.region), (false, true));
        // A closed unit they may not know of: neither.
        assert_eq!(move_to(&w, &t.closed), (false, false));
        assert!(!allowed(&w, Action::DecideTransfer(at(&t.other))));
        assert!(allowed(&w, Action::DecideTransfer(at(&t.local))));
        assert!(!allowed(&w, Action::DecideTransfer(at(&t.circle))));
        // Where the statutes extend the secretary downwards, the units below are theirs.
        w.rules.reach_down = vec![Role::Secretary];
        assert_eq!(move_to(&w, &t.circle), (true, true));
        assert!(allowed(&w, Action::DecideTransfer(at(&t.circle))));
        assert_eq!(move_to(&w, &t.other), (false, true));
        assert_eq!(move_to(&w, &t.closed), (false, false));
        // Other offices move nobody.
        let w = who(
            &s,
            Some((7, 3, Status::Member)),
            &[(Role::Treasurer, 3, "local")],
        );
        assert_eq!(move_to(&w, &t.other), (false, false));
        assert!(!allowed(&w, Action::DecideTransfer(at(&t.local))));
    }

    /// The paper routes bundles and takes orders by `core_rules`' rule of which body may know of
    /// which unit: it must be the rule offices are judged by here, for every pair of units and
    /// whichever kinds the statutes name.
    #[test]
    fn the_papers_rule_of_who_may_know_of_whom_is_the_offices_rule() {
        use core_rules::paper::circulation::{Tree as Routes, TreeUnit};
        let t = tree();
        let chains = [&t.cc, &t.region, &t.local, &t.circle, &t.closed, &t.other];
        let s = session(false, Some(7));
        for seen_by in [
            vec![],
            vec!["central"],
            vec!["local"],
            vec!["regional", "local"],
        ] {
            let rules = AccessRules {
                closed_seen_by: seen_by.iter().map(|k| k.to_string()).collect(),
                ..AccessRules::default()
            };
            let routes = Routes::with_secrecy(
                &chains
                    .iter()
                    .map(|c| TreeUnit {
                        id: c[0].id,
                        parent: c[0].parent_id,
                        closed: c[0].closed,
                        sees_closed: rules.closed_seen_by.contains(&c[0].kind),
                    })
                    .collect::<Vec<_>>(),
            )
            .unwrap();
            for body in chains {
                let mut w = who(
                    &s,
                    Some((7, body[0].id, Status::Member)),
                    &[(Role::Agent, body[0].id, &body[0].kind)],
                );
                w.rules = rules.clone();
                for unit in chains {
                    let office = allowed(&w, Action::ViewFigures(at(unit)));
                    assert_eq!(
                        routes.may_know(body[0].id, unit[0].id),
                        office,
                        "{} about {} under {seen_by:?}",
                        body[0].id,
                        unit[0].id
                    );
                    assert_eq!(body_knows(&rules, at(unit), body[0].id), office);
                }
            }
        }
    }

    #[test]
    fn an_account_without_a_person_or_office_sees_nothing_but_the_statutes() {
        let t = tree();
        let s = session(false, None);
        let w = who(&s, None, &[]);
        assert!(!allowed(&w, Action::ViewFigures(at(&t.local))));
        assert!(!allowed(&w, Action::ViewTree));
        assert!(allowed(&w, Action::ViewStatutes));
    }
}
