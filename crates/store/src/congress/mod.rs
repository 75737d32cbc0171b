//! The congress, kept: convening and mandates, participants and credentials, presence and the
//! live quorum, agenda and speakers, motions and amendments, roll calls and secret votes,
//! elections by STV, and the event log from which the minutes are written.
//!
//! Every change is one transaction ending with its audit entry and an event in the congress's log;
//! after it commits, [`Live`] tells the live pages what changed.
//!
//! **Secret votes.** Who voted is written to `congress_voters`, the ballots to `congress_ballots`:
//! one row per mandate holding only the vote and the choice, keyed by 128 random bits, with no
//! voter and no time. On SQLite both tables are `WITHOUT ROWID`, so rows are stored in key order:
//! the ballots' stored order is random, not the order cast. (On PostgreSQL the heap keeps rows in
//! the order written; the ballots are always read in key order, but someone reading the raw
//! data files could still see the order of writing.) The audit log records that a delegate voted,
//! never how.
//!
//! The modules follow the order of business: `convening` (the congress and its mandates),
//! `participants` (credentials and presence), `floor` (agenda and speakers), `motions` (and
//! amendments), `votes`, `elections`, and `events` (the record: the event log, the minutes, the
//! blocs). `live` carries changes to the live pages. The types and the row mappings that several
//! of them share are here.

use crate::{Result, StoreError};
use core_rules::congress::blocs::Choice;
use core_rules::congress::text::{self, Amendment};
use core_rules::congress::ApportionRule;
use core_rules::Day;
use count::motion::{Decision, Outcome, Rule};
use rand::RngCore;
use sqlx::{Any, Row, Transaction};

mod convening;
mod elections;
mod events;
mod floor;
mod live;
mod motions;
mod participants;
mod votes;

pub(crate) use events::event;
pub(crate) use live::ACCESS_TOPIC;
pub use live::{Change, Live};

// ---------------------------------------------------------------------------------------------
// Types.

pub use core_rules::congress::record::{Happening, Kind};

/// The workflow states a motion goes through unless the congress configures others.
pub const DEFAULT_MOTION_STATES: &str = "submitted,admitted,referred,adopted,rejected,withdrawn";

#[derive(Clone, Debug)]
pub struct NewCongress {
    pub name: String,
    pub held_on: Day,
    pub membership_on: Day,
    /// The apportionment rule; `None` takes the statutes' rule in force on the membership day.
    pub rule: Option<ApportionRule>,
    /// Quorum: this fraction of the mandates present.
    pub quorum: (u64, u64),
    pub supporters_needed: u64,
    /// Comma-separated workflow states; empty for [`DEFAULT_MOTION_STATES`].
    pub motion_states: String,
}

#[derive(Clone, Debug)]
pub struct Congress {
    pub id: i64,
    pub name: String,
    pub held_on: Day,
    pub membership_on: Day,
    pub rule: ApportionRule,
    pub quorum: (u64, u64),
    pub motion_states: Vec<String>,
    pub supporters_needed: u64,
    pub credentials_approved: bool,
}

#[derive(Clone, Debug)]
pub struct UnitMandates {
    pub unit_id: i64,
    pub unit_name: String,
    pub closed: bool,
    pub voting: u64,
    pub mandates: u64,
    /// Mandates given to delegates so far.
    pub assigned: u64,
}

#[derive(Clone, Debug)]
pub struct Participant {
    pub id: i64,
    pub congress_id: i64,
    pub person_id: i64,
    pub pseudonym: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_closed: bool,
    pub kind: Kind,
    pub mandates: u64,
    /// `pending`, `accepted` or `rejected`.
    pub credential: String,
    pub present: bool,
}

impl Participant {
    /// Whether this participant may vote now: a delegate with mandates, credentials not
    /// rejected, checked in.
    pub fn can_vote(&self) -> bool {
        self.kind == Kind::Delegate
            && self.mandates > 0
            && self.credential != "rejected"
            && self.present
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuorumNow {
    /// Mandates of delegates whose credentials are not rejected.
    pub entitled: u64,
    pub present: u64,
    /// Mandates that must be present.
    pub needed: u64,
    pub met: bool,
}

#[derive(Clone, Debug)]
pub struct CredentialsReport {
    pub apportioned: u64,
    pub delegates: u64,
    pub accepted: u64,
    pub accepted_mandates: u64,
    pub pending: u64,
    pub rejected: u64,
    /// Units whose apportioned mandates are not all held by delegates. The page names each
    /// only to those who may know of it, and shows its mandates, never its membership.
    pub units_short: Vec<UnitMandates>,
    pub approved: bool,
}

#[derive(Clone, Debug)]
pub struct AgendaItem {
    pub id: i64,
    pub position: i64,
    pub title: String,
    pub motion_id: Option<i64>,
    /// The time limit of a speech on this item, in minutes.
    pub speech_minutes: i64,
    /// The optional quota: the list alternates the tags the presidium gave speakers.
    pub alternate_tags: bool,
}

#[derive(Clone, Debug)]
pub struct Speaker {
    pub id: i64,
    pub item_id: i64,
    pub participant_id: i64,
    pub pseudonym: String,
    pub point_of_order: bool,
    pub minutes: i64,
    pub state: String,
    /// The presidium's tag for the quota (empty: none).
    pub tag: String,
    /// When the speaker took the floor (unix seconds).
    pub started_at: Option<i64>,
    /// The order in which they were called on the item (1, 2, ...).
    pub called: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Motion {
    pub id: i64,
    pub congress_id: i64,
    pub title: String,
    pub lines: Vec<String>,
    pub state: String,
    pub statutes: bool,
    pub supporters: u64,
}

#[derive(Clone, Debug)]
pub struct StoredAmendment {
    pub amendment: Amendment,
    pub state: String,
    pub submitted_by: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Vote {
    pub id: i64,
    pub congress_id: i64,
    pub subject: String,
    pub subject_id: Option<i64>,
    pub title: String,
    pub secret: bool,
    pub rule: Rule,
    pub open: bool,
    pub outcome: Option<Outcome>,
}

#[derive(Clone, Debug)]
pub struct RollEntry {
    pub participant_id: i64,
    pub pseudonym: String,
    pub choice: Choice,
    pub weight: u64,
}

#[derive(Clone, Debug)]
pub struct Election {
    pub id: i64,
    pub congress_id: i64,
    pub title: String,
    pub seats: u64,
    pub method: String,
    pub state: String,
    pub report: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Candidate {
    pub id: i64,
    pub person_id: i64,
    pub pseudonym: String,
    pub accepted: bool,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub id: i64,
    pub at: i64,
    pub happening: Happening,
    pub participant: Option<String>,
    pub subject_id: Option<i64>,
}

/// One entry of the minutes: what happened, who did it (by party name) and what it was about
/// (the title of the agenda item, motion, vote or election), for the edge to put into words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minute {
    pub at: i64,
    pub happening: Happening,
    pub who: Option<String>,
    /// The agenda item, motion, amendment, vote or election it was about (by the kind).
    pub subject_id: Option<i64>,
    /// The subject's title (an agenda item's, a motion's, a vote's or an election's).
    pub about: Option<String>,
    /// For an amendment: the edit it moved.
    pub edit: Option<core_rules::congress::text::Edit>,
    /// For a closed ballot: the elected, by party name, in the order elected.
    pub elected: Vec<String>,
}

/// What a statutes motion's text would put in force if adopted (see `Store::statutes_change`).
pub type StatutesReading = std::result::Result<
    Option<(
        core_rules::statutes::Statutes,
        Day,
        Vec<core_rules::clauses::Change>,
    )>,
    core_rules::clauses::ClauseError,
>;

pub(crate) fn random_key() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

const PARTICIPANT_SELECT: &str =
    "SELECT cp.id, cp.congress_id, cp.person_id, p.pseudonym, cp.unit_id, \
     u.name AS unit_name, u.closed, cp.kind, cp.mandates, cp.credential, cp.present \
     FROM congress_participants cp JOIN persons p ON p.id = cp.person_id \
     JOIN units u ON u.id = cp.unit_id";

fn participant_row(r: &sqlx::any::AnyRow) -> Result<Participant> {
    Ok(Participant {
        id: r.try_get("id")?,
        congress_id: r.try_get("congress_id")?,
        person_id: r.try_get("person_id")?,
        pseudonym: r.try_get("pseudonym")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_closed: r.try_get::<i64, _>("closed")? != 0,
        kind: Kind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(Kind::Guest),
        mandates: r.try_get::<i64, _>("mandates")? as u64,
        credential: r.try_get("credential")?,
        present: r.try_get::<i64, _>("present")? != 0,
    })
}

async fn participant_in(tx: &mut Transaction<'_, Any>, participant: i64) -> Result<Participant> {
    let r = sqlx::query(&format!("{PARTICIPANT_SELECT} WHERE cp.id = $1"))
        .bind(participant)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("participant {participant}")))?;
    participant_row(&r)
}

/// Mandates entitled and present now, read inside a transaction.
async fn quorum_in(
    conn: &mut sqlx::AnyConnection,
    congress: i64,
    (num, den): (u64, u64),
) -> Result<QuorumNow> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(mandates), 0) AS BIGINT) AS entitled, \
         CAST(COALESCE(SUM(CASE WHEN present = 1 THEN mandates ELSE 0 END), 0) AS BIGINT) AS present \
         FROM congress_participants WHERE congress_id = $1 AND kind = 'delegate' \
         AND credential <> 'rejected'",
    )
    .bind(congress)
    .fetch_one(&mut *conn)
    .await?;
    let entitled = r.try_get::<i64, _>("entitled")? as u64;
    let present = r.try_get::<i64, _>("present")? as u64;
    // At least num/den of those entitled: the smallest n with n * den >= num * entitled.
    let needed = (num * entitled).div_ceil(den.max(1));
    Ok(QuorumNow {
        entitled,
        present,
        needed,
        met: entitled > 0 && present >= needed,
    })
}

// Each list is one query with the same columns and mapping as the single read.
const CONGRESS_SELECT: &str =
    "SELECT id, name, held_on, membership_on, rule, quorum_num, quorum_den, motion_states, \
     supporters_needed, credentials_approved FROM congresses";

fn congress_row(r: &sqlx::any::AnyRow) -> Result<Congress> {
    let day = |s: String| Day::parse(&s).map_err(|e| StoreError::Internal(e.to_string()));
    Ok(Congress {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        held_on: day(r.try_get("held_on")?)?,
        membership_on: day(r.try_get("membership_on")?)?,
        rule: serde_json::from_str(&r.try_get::<String, _>("rule")?)
            .map_err(|e| StoreError::Internal(e.to_string()))?,
        quorum: (
            r.try_get::<i64, _>("quorum_num")? as u64,
            r.try_get::<i64, _>("quorum_den")? as u64,
        ),
        motion_states: r
            .try_get::<String, _>("motion_states")?
            .split(',')
            .map(str::to_string)
            .collect(),
        supporters_needed: r.try_get::<i64, _>("supporters_needed")? as u64,
        credentials_approved: r.try_get::<i64, _>("credentials_approved")? != 0,
    })
}

const MOTION_SELECT: &str = "SELECT m.id, m.congress_id, m.title, m.body, m.state, m.statutes, \
     (SELECT COUNT(*) FROM congress_supporters s WHERE s.motion_id = m.id) AS supporters \
     FROM congress_motions m";

fn motion_row(r: &sqlx::any::AnyRow) -> Result<Motion> {
    Ok(Motion {
        id: r.try_get("id")?,
        congress_id: r.try_get("congress_id")?,
        title: r.try_get("title")?,
        lines: text::lines(&r.try_get::<String, _>("body")?),
        state: r.try_get("state")?,
        statutes: r.try_get::<i64, _>("statutes")? != 0,
        supporters: r.try_get::<i64, _>("supporters")? as u64,
    })
}

const VOTE_SELECT: &str =
    "SELECT id, congress_id, subject, subject_id, title, secret, rule, state, outcome \
     FROM congress_votes";

fn vote_row(r: &sqlx::any::AnyRow) -> Result<Vote> {
    let outcome: Option<String> = r.try_get("outcome")?;
    Ok(Vote {
        id: r.try_get("id")?,
        congress_id: r.try_get("congress_id")?,
        subject: r.try_get("subject")?,
        subject_id: r.try_get("subject_id")?,
        title: r.try_get("title")?,
        secret: r.try_get::<i64, _>("secret")? != 0,
        rule: serde_json::from_str(&r.try_get::<String, _>("rule")?)
            .map_err(|e| StoreError::Internal(e.to_string()))?,
        open: r.try_get::<String, _>("state")? == "open",
        outcome: outcome
            .map(|o| serde_json::from_str::<StoredOutcome>(&o).map(Into::into))
            .transpose()
            .map_err(|e| StoreError::Internal(e.to_string()))?,
    })
}

const ELECTION_SELECT: &str =
    "SELECT id, congress_id, title, seats, method, state, report FROM congress_elections";

fn election_row(r: &sqlx::any::AnyRow) -> Result<Election> {
    Ok(Election {
        id: r.try_get("id")?,
        congress_id: r.try_get("congress_id")?,
        title: r.try_get("title")?,
        seats: r.try_get::<i64, _>("seats")? as u64,
        method: r.try_get("method")?,
        state: r.try_get("state")?,
        report: r.try_get("report")?,
    })
}

pub fn decision_word(d: Decision) -> &'static str {
    match d {
        Decision::Adopted => "adopted",
        Decision::Rejected => "rejected",
        Decision::NoQuorum => "no_quorum",
    }
}

/// `count::motion::Outcome` as stored (it serialises but does not deserialise).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredOutcome {
    decision: String,
    yes: u64,
    no: u64,
    abstain: u64,
    present: u64,
    entitled: u64,
    base: u64,
    needed: u64,
    tie: bool,
    seed: u64,
    explanation: String,
}

impl From<&Outcome> for StoredOutcome {
    fn from(o: &Outcome) -> Self {
        StoredOutcome {
            decision: decision_word(o.decision).into(),
            yes: o.yes,
            no: o.no,
            abstain: o.abstain,
            present: o.present,
            entitled: o.entitled,
            base: o.base,
            needed: o.needed,
            tie: o.tie,
            seed: o.seed,
            explanation: o.explanation.clone(),
        }
    }
}

impl From<StoredOutcome> for Outcome {
    fn from(s: StoredOutcome) -> Self {
        Outcome {
            decision: match s.decision.as_str() {
                "adopted" => Decision::Adopted,
                "rejected" => Decision::Rejected,
                _ => Decision::NoQuorum,
            },
            yes: s.yes,
            no: s.no,
            abstain: s.abstain,
            present: s.present,
            entitled: s.entitled,
            base: s.base,
            needed: s.needed,
            tie: s.tie,
            seed: s.seed,
            explanation: s.explanation,
        }
    }
}
