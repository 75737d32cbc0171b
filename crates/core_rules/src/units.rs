//! The organisation's bodies: a tree of party units, with sections and affiliated bodies beside it.

use serde::{Deserialize, Serialize};

/// A unit of the tree, as the store keeps it and the access rules see it (a place is a unit and
/// the units above it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub kind_name: String,
    pub category: Category,
    pub level: i64,
    pub code: String,
    pub name: String,
    pub area: String,
    pub closed: bool,
}

/// What a kind of unit is, whatever the organisation calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// A party organisation proper: central committee, regional and local committees, circles.
    Party,
    /// A section of the party (women, youth): a party organisation with its own members.
    Section,
    /// An affiliated body (union, co-operative, club): associated, but not a party organisation.
    /// Its people are never party members by virtue of belonging to it.
    Affiliate,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Party => "party",
            Category::Section => "section",
            Category::Affiliate => "affiliate",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        match s {
            "party" => Some(Category::Party),
            "section" => Some(Category::Section),
            "affiliate" => Some(Category::Affiliate),
            _ => None,
        }
    }
}

/// A kind of unit, configurable per organisation ("circle" may be called "cell" or "branch").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitKind {
    /// Stable code used in data and statutes, e.g. `circle`.
    pub code: String,
    /// The organisation's own name for it, e.g. "Circle".
    pub name: String,
    pub plural: String,
    pub category: Category,
    /// Depth in the party tree: 0 for the central committee.
    pub level: i64,
}

/// The kinds a new organisation starts with; it may rename them.
pub fn default_kinds() -> Vec<UnitKind> {
    let k = |code: &str, name: &str, plural: &str, category, level| UnitKind {
        code: code.into(),
        name: name.into(),
        plural: plural.into(),
        category,
        level,
    };
    vec![
        k(
            "central",
            "Central Committee",
            "Central Committees",
            Category::Party,
            0,
        ),
        k(
            "regional",
            "Regional Committee",
            "Regional Committees",
            Category::Party,
            1,
        ),
        k(
            "local",
            "Local Committee",
            "Local Committees",
            Category::Party,
            2,
        ),
        k("circle", "Circle", "Circles", Category::Party, 3),
        k("section", "Section", "Sections", Category::Section, 1),
        k(
            "affiliate",
            "Affiliated body",
            "Affiliated bodies",
            Category::Affiliate,
            1,
        ),
    ]
}

/// A unit to be created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUnit {
    /// Unique short code, used by imports and URLs' humans: `north`, `north-docks-3`.
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent: Option<String>,
    /// The area the unit covers, used to place reports and meetings.
    pub area: String,
    /// A closed (conspiratorial) unit is invisible outside itself and the bodies above it.
    pub closed: bool,
}

/// Checks that a unit code is usable in CSV files and URLs.
pub fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}
