//! Exposure analysis: what an adversary learns by taking an account, asked of the access rules
//! themselves ([`crate::allowed`]), never modelled a second time.
//!
//! An account's exposure is, for each kind of object in [`KINDS`], the objects in the units where
//! the rules allow the kind's action, plus the parts that belong to the person alone: their own
//! page, the meetings they attended, and the people they have met there (an arrested member can
//! name them whatever the software shows).
//!
//! **Classes.** The rules look at an account's own unit and membership state, its offices and
//! whether it is the organisation's administrator, never at anything else of the person's. So
//! accounts are grouped by those ([`ClassKey`]) and the rules are asked once per class and unit;
//! the per-person parts (self, meetings attended, people met) are added person by person.
//!
//! **Which units are asked.** One account's exposure ([`Index::exposure_of`]) asks the rules
//! about every unit. The whole organisation ([`Index::everyone`]) asks, for each class, about its
//! own unit and the subtrees of the units where it holds offices: under the rules today nothing
//! else can be allowed, and a test checks that both ways agree for every account of the demo
//! and of the need-to-know fixture, so a rule that reached further would be caught there.
//!
//! **Another kind of object** plugs in as one entry of [`KINDS`], as the paper's bundles and the
//! documents do: the access action that shows one unit's (or one congress's) objects, and how
//! many each unit (or congress) holds.
//!
//! **Documents** are the paper's articles not yet public (asked as the editors' desk asks,
//! `EditPaper` of the unit that runs the publication), the correspondents' reports on the desk
//! (`ReadReport` of the unit a report is about: every editor reads those of every unit they may
//! know of, so for an account that reads reports every unit is asked), the reports used in
//! articles (shown on the article's page), and a congress's motions, amendments and minutes
//! (`ViewCongress`: the class is asked as a non-participant, and each person again for the
//! congresses they take part in), and the transfers asked into a unit (`DecideTransfer`: its
//! secretary answers them on its page). Documents also name people: a report its sender, a
//! congress its participants (on its pages, by party name), a transfer the person asked for. Those people are exposed by party name too,
//! counted once with the people met ([`Exposure::named_in_documents`]). A report's sender is
//! shown only to the editor it is assigned to (`SeeSender`, asked for the account's own reports
//! person by person, like a congress one takes part in), and not once it is cleared.
//!
//! Accounts in this analysis are the live (not suspended) accounts; a person without one is
//! analysed as if they had one with no offices (what inviting them would expose), and marked so.
//!
//! The modules, by purpose: `kinds` (what can be exposed, and the rules' question for each),
//! `index` (the snapshot indexed), `classes` (the rules asked once per class), `subject` (one
//! account's exposure: the class's answer and the parts of the person's own), `analysis` (the
//! whole organisation, and how far each unit is known outside itself), `network` (the
//! organisation for the simulation), `meeting` (a planned meeting's risk), `summary` (figures and
//! rankings folded while the analysis runs). What is analysed is
//! `core_rules::exposure::snapshot::Snapshot`, as the store reads it.

mod analysis;
mod classes;
mod index;
mod kinds;
mod meeting;
mod network;
mod subject;
mod summary;

pub use analysis::{Analysis, UnitLinks};
pub use classes::{ClassAnswer, ClassKey};
pub use index::Index;
pub use kinds::{Kind, Of, KINDS, KIND_COUNT};
pub use subject::{Exposure, Subject};
pub use summary::{summary, Brief, Summary, SummaryFold, TopK};
