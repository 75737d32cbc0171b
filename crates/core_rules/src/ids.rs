//! The ids of the things the store keeps, one type each, so that a participant's id cannot be
//! passed where a person's is wanted; and [`Actor`], who does a thing.
//!
//! An id is the database's integer key, wrapped. Nothing here knows SQL: the store binds `.0` and
//! wraps what it reads. The web parses a path or a form field straight into the type (serde
//! reads an id as its integer), and an id prints as its integer.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[repr(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id!(
    /// A person: a member, an applicant, a former member.
    PersonId
);
id!(
    /// A unit of the organisation's tree.
    UnitId
);
id!(
    /// A person's place at one congress (delegate, guest, presidium): not the person's id.
    ParticipantId
);
id!(
    /// An account that signs in; not the person it may belong to.
    AccountId
);
id!(
    /// A congress.
    CongressId
);

/// Who does a thing: a signed-in account, or the system itself (the command line, a seeder,
/// a migration's chore). The audit log records the account's id, or none for the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    Account(AccountId),
    System,
}

impl Actor {
    /// The account that acts, if any.
    pub fn account(self) -> Option<AccountId> {
        match self {
            Actor::Account(a) => Some(a),
            Actor::System => None,
        }
    }
}

impl From<AccountId> for Actor {
    fn from(a: AccountId) -> Actor {
        Actor::Account(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_and_prints_as_its_integer() {
        let p: PersonId = serde_json::from_str("42").unwrap();
        assert_eq!(p, PersonId(42));
        assert_eq!(serde_json::to_string(&p).unwrap(), "42");
        assert_eq!(p.to_string(), "42");
        assert_eq!("42".parse::<PersonId>().unwrap(), p);
        assert!("x".parse::<PersonId>().is_err());
        assert_eq!(Actor::from(AccountId(3)).account(), Some(AccountId(3)));
        assert_eq!(Actor::System.account(), None);
    }
}
