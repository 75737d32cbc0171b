//! The offices a person can hold, each in one unit, and what the statutes say about their reach.
//!
//! The rules that turn these into decisions live in one place, the web crate's `access` module;
//! this module only names the roles and the statutes' switches, so that the store can keep them
//! and the statutes can be amended by a congress like any other rule.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A role held in one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every admitted member holds this in their own unit; it is never granted.
    Member,
    Secretary,
    Treasurer,
    /// The paper agent: takes the unit's bundle and accounts for it.
    Agent,
    Editor,
    /// The credentials committee of a congress.
    Credentials,
    Presidium,
    /// A member of the central (or a regional) committee as a body.
    Central,
    Security,
    /// Keeps accounts and roles; sees no names by virtue of the office.
    Admin,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Member,
        Role::Secretary,
        Role::Treasurer,
        Role::Agent,
        Role::Editor,
        Role::Credentials,
        Role::Presidium,
        Role::Central,
        Role::Security,
        Role::Admin,
    ];

    /// The roles that are granted (every one but membership, which follows from status).
    pub const OFFICES: [Role; 9] = [
        Role::Secretary,
        Role::Treasurer,
        Role::Agent,
        Role::Editor,
        Role::Credentials,
        Role::Presidium,
        Role::Central,
        Role::Security,
        Role::Admin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Secretary => "secretary",
            Role::Treasurer => "treasurer",
            Role::Agent => "agent",
            Role::Editor => "editor",
            Role::Credentials => "credentials",
            Role::Presidium => "presidium",
            Role::Central => "central",
            Role::Security => "security",
            Role::Admin => "admin",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Secretary => "secretary",
            Role::Treasurer => "treasurer",
            Role::Agent => "paper agent",
            Role::Editor => "editor",
            Role::Credentials => "credentials committee",
            Role::Presidium => "presidium",
            Role::Central => "committee member",
            Role::Security => "security officer",
            Role::Admin => "administrator",
        }
    }

    /// Reads a code or a display name ("paper agent", "security officer").
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().to_ascii_lowercase();
        Role::ALL.into_iter().find(|r| {
            r.code() == s
                || r.name() == s
                || (s == "central committee" && *r == Role::Central)
                || (s == "administrator" && *r == Role::Admin)
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the statutes say about the reach of offices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRules {
    /// Offices whose rights over people extend to the units below their own. Empty by default:
    /// the bodies above see figures, not names.
    #[serde(default)]
    pub reach_down: Vec<Role>,
    /// The kinds of unit whose bodies see the closed units below them (their figures; names
    /// only where `reach_down` also says so). Everyone else is not told they exist.
    #[serde(default = "AccessRules::default_closed_seen_by")]
    pub closed_seen_by: Vec<String>,
    /// The kinds of unit the organisation names in public: the places the public report form
    /// offers. Every other unit (a circle at a workplace, a local committee) stays out of
    /// sight of the public. By default the regions; statutes written before this existed get
    /// the default.
    #[serde(default = "AccessRules::default_public_places")]
    pub public_places: Vec<String>,
}

impl AccessRules {
    fn default_closed_seen_by() -> Vec<String> {
        vec!["central".to_string()]
    }

    /// Whether a body (a unit of kind `kind`) may know of a unit at or below it, given whether
    /// a closed unit stands between them (the unit itself included, the body not): a closed
    /// unit hides itself and everything below it from every body above it, except the bodies of
    /// the kinds `closed_seen_by` names. The `access` crate judges an office held in a unit by this
    /// rule; the paper routes a bundle, and takes orders, by it too.
    pub fn body_may_know(&self, kind: &str, closed_between: bool) -> bool {
        !closed_between || self.closed_seen_by.iter().any(|k| k == kind)
    }

    fn default_public_places() -> Vec<String> {
        vec!["regional".to_string()]
    }
}

impl Default for AccessRules {
    fn default() -> Self {
        AccessRules {
            reach_down: Vec::new(),
            closed_seen_by: AccessRules::default_closed_seen_by(),
            public_places: AccessRules::default_public_places(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_from_codes_and_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
            assert_eq!(Role::parse(r.name()), Some(r));
        }
        assert_eq!(Role::parse("Paper agent"), Some(Role::Agent));
        assert_eq!(Role::parse("central committee"), Some(Role::Central));
        assert_eq!(Role::parse("chairman"), None);
    }

    #[test]
    fn statutes_without_access_rules_get_the_defaults() {
        let r: AccessRules = serde_json::from_str("{}").unwrap();
        assert_eq!(r, AccessRules::default());
        assert!(r.reach_down.is_empty());
        assert_eq!(r.closed_seen_by, vec!["central"]);
        assert_eq!(r.public_places, vec!["regional"]);
    }
}
