//! Counting rules for motions, elections and apportionment.
//!
//! A pure library: no database, no network, no clock and no floating point in any
//! count that decides a seat. Every count returns a [`report::Report`] that a person
//! can read stage by stage and that serialises to JSON; a count is reproduced from
//! its input and its seed (see [`lot`]).
//!
//! Modules are named after the rule they implement:
//! - [`scottish_stv`]: Scottish Local Government Elections Order 2007, rules 45–52;
//! - [`meek`]: Meek STV (Hill, Wichmann & Woodall 1987, Algorithm 123);
//! - [`schulze`]: Schulze with Debian's default option, quorum and majority (Constitution A.6);
//! - [`plurality`], [`approval`], [`runoff`], [`yes_no`]: the simple single- and multi-winner rules;
//! - [`motion`]: yes/no/abstain motions with weighted and split votes;
//! - [`apportion`]: D'Hondt, Sainte-Laguë and Hare largest remainder.
//!
//! Input formats: [`blt`] (read and write), [`debian`] tally sheets, [`preflib`] `.soi`/`.toc`.

pub mod apportion;
pub mod approval;
pub mod blt;
pub mod cli_support;
pub mod debian;
pub mod error;
pub mod fixed;
pub mod lot;
pub mod meek;
pub mod motion;
pub mod plurality;
pub mod preflib;
pub mod profile;
pub mod report;
pub mod runoff;
pub mod schulze;
pub mod scottish_stv;
pub mod yes_no;

pub use error::{CountError, ParseError};
pub use profile::{Ballot, Profile};
pub use report::Report;
