//! The congress, as pure rules: how mandates are apportioned, how a motion's text is amended and
//! in which order amendments are put to the vote, and who votes with whom across roll calls.
//!
//! - [`mandates`]: the statutes' apportionment rule (one delegate per N members with a vote, with
//!   a minimum per unit; or a fixed total by D'Hondt, Sainte-Laguë or largest remainder, computed
//!   by `count::apportion`).
//! - [`text`]: line-numbered motions, amendments as structured edits to a range of lines,
//!   validation, conflicts, the proposed voting order and the consolidated text.
//! - [`blocs`]: the agreement matrix of a congress's roll calls, and its blocs.
//! - [`delegates`]: how a unit's mandates are shared among the delegates it elects.
//! - [`record`]: what happened, as the congress's log keeps it ([`record::Happening`]), and the
//!   kinds of participant.
//! - [`speakers`]: the order of a speakers' list (points of order, the optional quota by tags)
//!   and the time limit of a speech.

pub mod blocs;
pub mod delegates;
pub mod mandates;
pub mod record;
pub mod speakers;
pub mod text;

pub use mandates::{apportion_mandates, ApportionRule, UnitVoters};
pub use text::{Amendment, Edit, TextError};
