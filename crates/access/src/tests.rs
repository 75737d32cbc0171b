use super::*;
use core_rules::people::Person;
use core_rules::units::Category;
use core_rules::units::Unit;
use core_rules::Day;

/// The account signed in, as far as the rules look at it: whether it is the organisation's
/// administrator (the person behind it is `who`'s `own`).
struct Session {
    is_admin: bool,
}

fn session(admin: bool, _person: Option<i64>) -> Session {
    Session { is_admin: admin }
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

fn who(s: &Session, own: Option<(i64, i64, Status)>, held: &[(Role, i64, &str)]) -> Who {
    Who {
        is_admin: s.is_admin,
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
