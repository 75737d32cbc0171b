//! Every access decision, in one place. Default deny: an action is allowed only where a rule
//! below says so.
//!
//! This is the foundation's rule set: the administrator may do everything, and a person with an
//! account may see their own page (their standing explained) and their own unit's people by
//! pseudonym. Roles scoped to units (secretary, treasurer, ...) and need-to-know for closed
//! units extend this module; routes never decide for themselves.

use store::accounts::Session;
use store::people::Person;
use store::units::Unit;

/// What someone wants to do.
#[derive(Clone, Copy, Debug)]
pub enum Action<'a> {
    /// See the whole organisation's tree and figures.
    ViewOrganisation,
    /// See a unit's page: its people by pseudonym and its figures.
    ViewUnit(&'a Unit),
    /// Record meetings, payments and applications in a unit, and decide applications.
    ManageUnit(&'a Unit),
    /// See a person's page and standing.
    ViewPerson(&'a Person),
    /// See the identifying details of a person.
    ViewIdentity(&'a Person),
    /// Change a person's status, unit or record of tasks.
    ManagePerson(&'a Person),
    /// Invite a person to open an account, with a one-time link.
    InvitePerson(&'a Person),
    ViewStatutes,
    ImportPeople,
}

/// The viewer as access rules see them: an account, and the person and unit behind it.
pub struct Who<'a> {
    pub session: &'a Session,
    /// The unit of the viewer's own person record, if they have one.
    pub own_unit: Option<i64>,
}

pub fn allowed(who: &Who, action: Action) -> bool {
    let account = &who.session.account;
    if account.is_admin {
        return true;
    }
    match action {
        Action::ViewPerson(p) => account.person_id == Some(p.id),
        Action::ViewUnit(u) => who.own_unit == Some(u.id),
        Action::ViewStatutes => true,
        Action::ViewOrganisation
        | Action::ManageUnit(_)
        | Action::ViewIdentity(_)
        | Action::ManagePerson(_)
        // Only where ManagePerson is allowed (today: the administrator, above).
        | Action::InvitePerson(_)
        | Action::ImportPeople => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_rules::people::Status;
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

    fn unit(id: i64) -> Unit {
        Unit {
            id,
            parent_id: None,
            kind: "circle".into(),
            kind_name: "Circle".into(),
            category: Category::Party,
            level: 3,
            code: format!("u{id}"),
            name: "U".into(),
            area: String::new(),
            closed: false,
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

    #[test]
    fn a_member_sees_themself_and_their_unit_and_nothing_more() {
        let s = session(false, Some(7));
        let who = Who {
            session: &s,
            own_unit: Some(3),
        };
        assert!(allowed(&who, Action::ViewPerson(&person(7, 3))));
        assert!(!allowed(&who, Action::ViewPerson(&person(8, 3))));
        assert!(!allowed(&who, Action::ViewIdentity(&person(7, 3))));
        assert!(allowed(&who, Action::ViewUnit(&unit(3))));
        assert!(!allowed(&who, Action::ViewUnit(&unit(4))));
        assert!(!allowed(&who, Action::ManageUnit(&unit(3))));
        assert!(!allowed(&who, Action::ViewOrganisation));
        assert!(!allowed(&who, Action::ImportPeople));
        assert!(!allowed(&who, Action::InvitePerson(&person(7, 3))));
        assert!(!allowed(&who, Action::InvitePerson(&person(8, 3))));
    }

    #[test]
    fn an_account_without_a_person_sees_nothing_but_the_statutes() {
        let s = session(false, None);
        let who = Who {
            session: &s,
            own_unit: None,
        };
        assert!(!allowed(&who, Action::ViewUnit(&unit(3))));
        assert!(!allowed(&who, Action::ViewPerson(&person(1, 3))));
        assert!(allowed(&who, Action::ViewStatutes));
    }

    #[test]
    fn the_administrator_may_do_everything() {
        let s = session(true, None);
        let who = Who {
            session: &s,
            own_unit: None,
        };
        assert!(allowed(&who, Action::ManageUnit(&unit(3))));
        assert!(allowed(&who, Action::ViewIdentity(&person(1, 3))));
        assert!(allowed(&who, Action::InvitePerson(&person(1, 3))));
    }
}
