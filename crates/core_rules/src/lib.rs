//! Iskra's domain rules: the organisation's units, its people, its statutes and its dues.
//!
//! Nothing here knows about SQL, HTTP or HTML. The store persists these types; the web crate shows
//! them. Keeping the rules pure means the statutes' evaluation can be tested exhaustively and run
//! over a million people without a database round trip per person.

pub mod clauses;
pub mod congress;
pub mod dates;
pub mod dues;
pub mod exposure;
pub mod ids;
pub mod import;
pub mod money;
pub mod paper;
pub mod people;
pub mod quantity;
pub mod refusal;
pub mod roles;
pub mod statutes;
pub mod text;
pub mod units;

pub use dates::{Clock, Day, Month};
pub use ids::{AccountId, Actor, CongressId, ParticipantId, PersonId, UnitId};
pub use refusal::{Because, Money, Refusal, Typed, Word};
