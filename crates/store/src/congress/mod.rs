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

use crate::audit::Value;
use crate::refused;
use crate::{now, Result, Store, StoreError};
use core_rules::congress::blocs::{self, Choice, RollCall};
use core_rules::congress::text::{self, Amendment, Edit};
use core_rules::congress::{apportion_mandates, speakers, ApportionRule, UnitVoters};
use core_rules::people::Status;
use core_rules::Day;
use core_rules::{quantity, text as limits};
use core_rules::{Because, Refusal, Typed, Word};
use count::motion::{self, Cast, Decision, Outcome, Rule};
use rand::RngCore;
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, BTreeSet};
use tokio::sync::broadcast;

// ---------------------------------------------------------------------------------------------
// The live feed.

/// Something changed at a congress: the live pages reload what `kind` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub congress: i64,
    /// `vote`, `speaker`, `presence`, `agenda`, `motion`, `election`, `credentials`.
    pub kind: &'static str,
}

/// What a change can be; a signal naming anything else is not the congress's.
const CHANGE_KINDS: [&str; 8] = [
    "vote",
    "speaker",
    "presence",
    "agenda",
    "motion",
    "election",
    "credentials",
    "tally",
];

/// The live signal's topic for an account whose access has narrowed (`access`, `ACCOUNT`):
/// sent by `Store::access_narrowed`.
pub(crate) const ACCESS_TOPIC: &str = "access";

/// The fan-out of congress changes to this server's live pages. Changes travel as
/// `store::live` signals (`congress`, `ID KIND`), so that a change made on any server of the
/// same PostgreSQL database reaches the pages of every server; one task per server turns the
/// signals back into [`Change`]s here.
///
/// The same task passes on the accounts whose access has narrowed (a session ended, an office
/// ended, the account suspended), announced from any server: a stream stays open only while
/// its viewer may see the congress, and checks again when its account is named.
#[derive(Clone, Debug)]
pub struct Live {
    tx: broadcast::Sender<Change>,
    /// Votes being cast (`tally`) go apart, to the few pages that show the count: a thousand
    /// votes must not wake every delegate's stream a thousand times.
    tally: broadcast::Sender<Change>,
    /// Accounts whose access has narrowed. Rare (sign-outs, offices ended), so every stream
    /// hears every one and checks again only for its own account. `None`: signals were missed
    /// here, any account's among them; every stream checks again.
    access: broadcast::Sender<Option<i64>>,
    /// Whether this server's bridge from the signals is running.
    bridged: std::sync::Arc<tokio::sync::OnceCell<()>>,
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

impl Live {
    pub fn new() -> Live {
        let (tx, _) = broadcast::channel(4096);
        let (tally, _) = broadcast::channel(4096);
        let (access, _) = broadcast::channel(4096);
        Live {
            tx,
            tally,
            access,
            bridged: Default::default(),
        }
    }

    pub fn publish(&self, change: Change) {
        // No subscriber is not an error: nobody is watching.
        let _ = if change.kind == "tally" {
            self.tally.send(change)
        } else {
            self.tx.send(change)
        };
    }

    /// Every change but votes being cast.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    /// Votes being cast (`tally`) only.
    pub fn subscribe_tally(&self) -> broadcast::Receiver<Change> {
        self.tally.subscribe()
    }

    /// The accounts whose access has narrowed, on any server of the database (`None`: some
    /// may have been missed, check anyway).
    pub fn subscribe_access(&self) -> broadcast::Receiver<Option<i64>> {
        self.access.subscribe()
    }
}

// ---------------------------------------------------------------------------------------------
// Types.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Delegate,
    Substitute,
    Consultative,
    Guest,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Delegate => "delegate",
            Kind::Substitute => "substitute",
            Kind::Consultative => "consultative",
            Kind::Guest => "guest",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "delegate" => Some(Kind::Delegate),
            "substitute" => Some(Kind::Substitute),
            "consultative" => Some(Kind::Consultative),
            "guest" => Some(Kind::Guest),
            _ => None,
        }
    }
    pub fn words(self) -> &'static str {
        match self {
            Kind::Delegate => "delegate",
            Kind::Substitute => "substitute",
            Kind::Consultative => "consultative voice",
            Kind::Guest => "guest",
        }
    }
}

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
    pub kind: String,
    pub participant: Option<String>,
    pub subject_id: Option<i64>,
    pub detail: String,
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

pub(crate) async fn event(
    tx: &mut Transaction<'_, Any>,
    congress: i64,
    kind: &str,
    participant: Option<i64>,
    subject: Option<i64>,
    detail: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO congress_events (congress_id, at, kind, participant_id, subject_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(congress)
    .bind(now())
    .bind(kind)
    .bind(participant)
    .bind(subject)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
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

impl Store {
    /// The congress changes made on every server of this database, for the live pages. The
    /// first call starts this server's bridge from the live signals; changes announced after
    /// it returns are not missed.
    pub async fn congress_live(&self) -> Result<&Live> {
        let live = &self.congress_live;
        live.bridged
            .get_or_try_init(|| async {
                let mut rx = self.listen_live().await?;
                let out = live.clone();
                tokio::spawn(async move {
                    use tokio::sync::broadcast::error::RecvError;
                    loop {
                        match rx.recv().await {
                            Ok(s) if s.topic == "congress" => {
                                let Some((id, kind)) = s.detail.split_once(' ') else {
                                    continue;
                                };
                                let (Ok(congress), Some(kind)) =
                                    (id.parse::<i64>(), CHANGE_KINDS.iter().find(|k| **k == kind))
                                else {
                                    continue;
                                };
                                out.publish(Change { congress, kind });
                            }
                            Ok(s) if s.topic == ACCESS_TOPIC => {
                                if let Ok(account) = s.detail.parse::<i64>() {
                                    // Nobody listening is no error.
                                    let _ = out.access.send(Some(account));
                                }
                            }
                            Ok(_) => {}
                            // Pages re-read the whole state on any change: a skipped change
                            // is made good by the next. A skipped narrowing of access is not:
                            // every stream checks its viewer again.
                            Err(RecvError::Lagged(_)) => {
                                let _ = out.access.send(None);
                            }
                            Err(RecvError::Closed) => break,
                        }
                    }
                });
                Ok::<(), StoreError>(())
            })
            .await?;
        Ok(live)
    }

    /// Announces a change, after its transaction has committed.
    pub(crate) fn changed(&self, congress: i64, kind: &'static str) {
        self.announce_soon("congress", format!("{congress} {kind}"));
    }

    // -----------------------------------------------------------------------------------------
    // Convening and mandates.

    /// Convenes a congress: computes each unit's mandates from its members with a vote on the
    /// membership day, under the statutes' rule (or the one given).
    pub async fn convene(&self, c: &NewCongress, by: Option<i64>) -> Result<i64> {
        if c.name.trim().is_empty() {
            return Err(refused("the congress needs a name"));
        }
        limits::CONGRESS_NAME.check(c.name.trim())?;
        limits::MOTION_STATES.check(&c.motion_states)?;
        quantity::QUORUM_NUM.check(c.quorum.0)?;
        quantity::QUORUM_DEN.check(c.quorum.1)?;
        quantity::SUPPORTERS.check(c.supporters_needed)?;
        if let Some(r) = &c.rule {
            r.check_bounds()?;
        }
        if c.membership_on > c.held_on {
            return Err(refused(
                "membership must count on a day no later than the congress",
            ));
        }
        let (qn, qd) = c.quorum;
        if qd == 0 || qn > qd {
            return Err(refused(
                "the quorum must be a fraction of the mandates, e.g. 1/2",
            ));
        }
        let states = if c.motion_states.trim().is_empty() {
            DEFAULT_MOTION_STATES.to_string()
        } else {
            c.motion_states
                .split(',')
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(",")
        };
        for needed in ["submitted", "adopted", "rejected"] {
            if !states.split(',').any(|s| s == needed) {
                return Err(
                    Refusal::on("states", "the motion workflow must include the state {}")
                        .arg(Word(needed))
                        .into(),
                );
            }
        }
        let rule = match &c.rule {
            Some(r) => r.clone(),
            None => self.statutes_on(c.membership_on).await?.rules.congress,
        };
        let eval = self.evaluate_all(c.membership_on).await?;
        let units: Vec<UnitVoters> = eval
            .per_unit
            .iter()
            .map(|(id, counts)| UnitVoters {
                unit_id: *id,
                voting: counts.voting.max(0) as u64,
            })
            .collect();
        let mandates = apportion_mandates(&rule, &units, seed_of(&c.membership_on.to_string()))
            .map_err(crate::rule)?;
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congresses (name, held_on, membership_on, rule, quorum_num, quorum_den, \
             motion_states, supporters_needed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(c.name.trim())
        .bind(c.held_on.to_string())
        .bind(c.membership_on.to_string())
        .bind(serde_json::to_string(&rule).map_err(|e| StoreError::Internal(e.to_string()))?)
        .bind(qn as i64)
        .bind(qd as i64)
        .bind(&states)
        .bind(c.supporters_needed as i64)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let mut total = 0u64;
        for ((unit, n), u) in mandates.iter().zip(&units) {
            if u.voting == 0 {
                continue;
            }
            total += n;
            sqlx::query(
                "INSERT INTO congress_mandates (congress_id, unit_id, voting, mandates) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(unit)
            .bind(u.voting as i64)
            .bind(*n as i64)
            .execute(&mut *tx)
            .await?;
        }
        event(&mut tx, id, "convened", None, None, &format!("{total}")).await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.convene",
            Some(("congress", id)),
            &[("mandates", total.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(id, "agenda");
        Ok(id)
    }

    pub async fn congresses(&self) -> Result<Vec<Congress>> {
        // One query for the list (it was one per congress).
        sqlx::query(&format!("{CONGRESS_SELECT} ORDER BY held_on DESC, id DESC"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(congress_row)
            .collect()
    }

    pub async fn congress(&self, id: i64) -> Result<Option<Congress>> {
        sqlx::query(&format!("{CONGRESS_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| congress_row(&r))
            .transpose()
    }

    pub(crate) async fn congress_or(&self, id: i64) -> Result<Congress> {
        self.congress(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("congress {id}")))
    }

    pub async fn mandates(&self, congress: i64) -> Result<Vec<UnitMandates>> {
        let rows = sqlx::query(
            "SELECT m.unit_id, u.name, u.closed, m.voting, m.mandates, \
             (SELECT CAST(COALESCE(SUM(cp.mandates), 0) AS BIGINT) FROM congress_participants cp \
               WHERE cp.congress_id = m.congress_id AND cp.unit_id = m.unit_id \
               AND cp.kind = 'delegate' AND cp.credential <> 'rejected') AS assigned \
             FROM congress_mandates m JOIN units u ON u.id = m.unit_id \
             WHERE m.congress_id = $1 ORDER BY u.name",
        )
        .bind(congress)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UnitMandates {
                    unit_id: r.try_get("unit_id")?,
                    unit_name: r.try_get("name")?,
                    closed: r.try_get::<i64, _>("closed")? != 0,
                    voting: r.try_get::<i64, _>("voting")? as u64,
                    mandates: r.try_get::<i64, _>("mandates")? as u64,
                    assigned: r.try_get::<i64, _>("assigned")? as u64,
                })
            })
            .collect()
    }

    // -----------------------------------------------------------------------------------------
    // Participants, credentials, presence.

    /// Registers a participant. A delegate must be a member and carries mandates of their unit,
    /// no more than the unit has left; other kinds carry none.
    pub async fn add_participant(
        &self,
        congress: i64,
        person: i64,
        kind: Kind,
        mandates: u64,
        by: Option<i64>,
    ) -> Result<i64> {
        quantity::MANDATES.check(mandates)?;
        self.congress_or(congress).await?;
        let p = self
            .person(person)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("person {person}")))?;
        let mut tx = self.write().await?;
        let mandates = if kind == Kind::Delegate {
            if p.status != Status::Member {
                return Err(refused(
                    "that person is not a member, and only members can be delegates",
                ));
            }
            if mandates == 0 {
                return Err(refused("a delegate holds at least one mandate"));
            }
            let r = sqlx::query(
                "SELECT m.mandates, (SELECT CAST(COALESCE(SUM(cp.mandates), 0) AS BIGINT) FROM congress_participants cp \
                   WHERE cp.congress_id = m.congress_id AND cp.unit_id = m.unit_id \
                   AND cp.kind = 'delegate' AND cp.credential <> 'rejected') AS assigned \
                 FROM congress_mandates m WHERE m.congress_id = $1 AND m.unit_id = $2",
            )
            .bind(congress)
            .bind(p.unit_id)
            .fetch_optional(&mut *tx)
            .await?;
            let (has, assigned) = match r {
                Some(r) => (
                    r.try_get::<i64, _>("mandates")? as u64,
                    r.try_get::<i64, _>("assigned")? as u64,
                ),
                None => (0, 0),
            };
            if assigned + mandates > has {
                return Err(Refusal::on(
                    "mandates",
                    "the unit has {} mandates and {} are already held: {} more would be too many",
                )
                .arg(has)
                .arg(assigned)
                .arg(mandates)
                .into());
            }
            mandates
        } else {
            0
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_participants (congress_id, person_id, unit_id, kind, mandates, credential, present) \
             VALUES ($1, $2, $3, $4, $5, 'pending', 0) RETURNING id",
        )
        .bind(congress)
        .bind(person)
        .bind(p.unit_id)
        .bind(kind.code())
        .bind(mandates as i64)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.message().to_lowercase().contains("unique") => {
                refused("that person already takes part in this congress")
            }
            e => e.into(),
        })?;
        event(&mut tx, congress, "registered", Some(id), None, kind.code()).await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.participant",
            Some(("congress", congress)),
            &[
                ("participant", id.into()),
                ("kind", Value::Word(kind.code())),
                ("mandates", mandates.into()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, "presence");
        Ok(id)
    }

    pub async fn participants(&self, congress: i64) -> Result<Vec<Participant>> {
        let rows = sqlx::query(&format!(
            "{PARTICIPANT_SELECT} WHERE cp.congress_id = $1 ORDER BY p.pseudonym, cp.id"
        ))
        .bind(congress)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(participant_row).collect()
    }

    pub async fn participant(&self, id: i64) -> Result<Option<Participant>> {
        let r = sqlx::query(&format!("{PARTICIPANT_SELECT} WHERE cp.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        r.as_ref().map(participant_row).transpose()
    }

    /// The participant a person is at a congress, if any.
    pub async fn participant_for(&self, congress: i64, person: i64) -> Result<Option<Participant>> {
        let r = sqlx::query(&format!(
            "{PARTICIPANT_SELECT} WHERE cp.congress_id = $1 AND cp.person_id = $2"
        ))
        .bind(congress)
        .bind(person)
        .fetch_optional(self.pool())
        .await?;
        r.as_ref().map(participant_row).transpose()
    }

    /// The credentials committee's finding on one participant.
    pub async fn set_credential(
        &self,
        participant: i64,
        accepted: bool,
        by: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let p = participant_in(&mut tx, participant).await?;
        let word = if accepted { "accepted" } else { "rejected" };
        sqlx::query("UPDATE congress_participants SET credential = $1 WHERE id = $2")
            .bind(word)
            .bind(participant)
            .execute(&mut *tx)
            .await?;
        event(
            &mut tx,
            p.congress_id,
            "credential",
            Some(participant),
            None,
            word,
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.credential",
            Some(("participant", participant)),
            &[("finding", Value::Word(word))],
        )
        .await?;
        tx.commit().await?;
        self.changed(p.congress_id, "credentials");
        Ok(())
    }

    pub async fn credentials_report(&self, congress: i64) -> Result<CredentialsReport> {
        let c = self.congress_or(congress).await?;
        let m = self.mandates(congress).await?;
        let ps = self.participants(congress).await?;
        let delegates: Vec<&Participant> = ps.iter().filter(|p| p.kind == Kind::Delegate).collect();
        Ok(CredentialsReport {
            apportioned: m.iter().map(|u| u.mandates).sum(),
            delegates: delegates.len() as u64,
            accepted: delegates
                .iter()
                .filter(|p| p.credential == "accepted")
                .count() as u64,
            accepted_mandates: delegates
                .iter()
                .filter(|p| p.credential == "accepted")
                .map(|p| p.mandates)
                .sum(),
            pending: delegates
                .iter()
                .filter(|p| p.credential == "pending")
                .count() as u64,
            rejected: delegates
                .iter()
                .filter(|p| p.credential == "rejected")
                .count() as u64,
            units_short: m
                .iter()
                .filter(|u| u.assigned < u.mandates)
                .cloned()
                .collect(),
            approved: c.credentials_approved,
        })
    }

    /// Checks participants in (present) or out, together: one delegate, or a group walking out.
    pub async fn set_presence(
        &self,
        congress: i64,
        participants: &[i64],
        present: bool,
        by: Option<i64>,
    ) -> Result<QuorumNow> {
        let c = self.congress_or(congress).await?;
        if participants.is_empty() {
            return Err(refused("name at least one participant"));
        }
        let mut tx = self.write().await?;
        for &id in participants {
            let p = participant_in(&mut tx, id).await?;
            if p.congress_id != congress {
                return Err(StoreError::NotFound(format!("participant {id}")));
            }
            sqlx::query("UPDATE congress_participants SET present = $1 WHERE id = $2")
                .bind(present as i64)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let kind = match (present, participants.len()) {
            (true, _) => "check_in",
            (false, 1) => "check_out",
            (false, _) => "walkout",
        };
        let q = quorum_in(&mut tx, congress, c.quorum).await?;
        let who = (participants.len() == 1).then(|| participants[0]);
        event(
            &mut tx,
            congress,
            kind,
            who,
            None,
            &format!("{} {} {}", participants.len(), q.present, q.entitled),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.presence",
            Some(("congress", congress)),
            &[
                ("change", Value::Word(kind)),
                ("participants", participants.len().into()),
                ("present", q.present.into()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, "presence");
        Ok(q)
    }

    pub async fn quorum(&self, congress: i64) -> Result<QuorumNow> {
        let c = self.congress_or(congress).await?;
        let mut conn = self.pool().acquire().await?;
        quorum_in(&mut conn, congress, c.quorum).await
    }

    // -----------------------------------------------------------------------------------------
    // Agenda and speakers.

    pub async fn add_agenda_item(
        &self,
        congress: i64,
        title: &str,
        motion: Option<i64>,
        by: Option<i64>,
    ) -> Result<i64> {
        if title.trim().is_empty() {
            return Err(refused("an agenda item needs a title"));
        }
        limits::AGENDA_TITLE.check(title.trim())?;
        self.congress_or(congress).await?;
        let mut tx = self.write().await?;
        let pos: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM congress_agenda WHERE congress_id = $1",
        )
        .bind(congress)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_agenda (congress_id, position, title, motion_id) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(congress)
        .bind(pos)
        .bind(title.trim())
        .bind(motion)
        .fetch_one(&mut *tx)
        .await?;
        event(&mut tx, congress, "agenda", None, Some(id), "").await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.agenda",
            Some(("congress", congress)),
            &[("item", id.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, "agenda");
        Ok(id)
    }

    pub async fn agenda(&self, congress: i64) -> Result<Vec<AgendaItem>> {
        let rows = sqlx::query(
            "SELECT id, position, title, motion_id, speech_minutes, alternate_tags FROM congress_agenda WHERE congress_id = $1 ORDER BY position",
        )
        .bind(congress)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AgendaItem {
                    id: r.try_get("id")?,
                    position: r.try_get("position")?,
                    title: r.try_get("title")?,
                    motion_id: r.try_get("motion_id")?,
                    speech_minutes: r.try_get("speech_minutes")?,
                    alternate_tags: r.try_get::<i64, _>("alternate_tags")? != 0,
                })
            })
            .collect()
    }

    /// Puts a participant on an item's speakers' list (a point of order goes before the others).
    /// Guests do not speak.
    pub async fn request_floor(
        &self,
        item: i64,
        participant: i64,
        point_of_order: bool,
        minutes: i64,
        by: Option<i64>,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let p = participant_in(&mut tx, participant).await?;
        let r =
            sqlx::query("SELECT congress_id, speech_minutes FROM congress_agenda WHERE id = $1")
                .bind(item)
                .fetch_optional(&mut *tx)
                .await?;
        let (congress, limit) = match r {
            Some(r) => (
                Some(r.try_get::<i64, _>("congress_id")?),
                r.try_get::<i64, _>("speech_minutes")?,
            ),
            None => (None, 5),
        };
        // No time asked for: the item's limit.
        let minutes = if minutes <= 0 { limit } else { minutes };
        if congress != Some(p.congress_id) {
            return Err(StoreError::NotFound(format!("agenda item {item}")));
        }
        if p.kind == Kind::Guest {
            return Err(refused("guests do not take the floor"));
        }
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM congress_speakers WHERE item_id = $1 AND participant_id = $2 AND state = 'waiting' AND point_of_order = $3",
        )
        .bind(item)
        .bind(participant)
        .bind(point_of_order as i64)
        .fetch_one(&mut *tx)
        .await?;
        if waiting > 0 {
            return Err(refused("already on the list of speakers"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_speakers (item_id, participant_id, point_of_order, minutes, state) \
             VALUES ($1, $2, $3, $4, 'waiting') RETURNING id",
        )
        .bind(item)
        .bind(participant)
        .bind(point_of_order as i64)
        .bind(minutes.clamp(1, 120))
        .fetch_one(&mut *tx)
        .await?;
        let kind = if point_of_order {
            "point_of_order"
        } else {
            "floor"
        };
        event(
            &mut tx,
            p.congress_id,
            kind,
            Some(participant),
            Some(item),
            "",
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.floor",
            Some(("congress", p.congress_id)),
            &[("item", item.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(p.congress_id, "speaker");
        Ok(id)
    }

    /// The presidium calls the next speaker on an item: the one speaking is done, and the first
    /// point of order waiting (else the next on the list, alternating tags when the item has a
    /// quota) takes the floor, for the item's time limit.
    pub async fn next_speaker(&self, item: i64, by: Option<i64>) -> Result<Option<Speaker>> {
        let mut tx = self.write().await?;
        let congress: i64 =
            sqlx::query_scalar("SELECT congress_id FROM congress_agenda WHERE id = $1")
                .bind(item)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("agenda item {item}")))?;
        sqlx::query(
            "UPDATE congress_speakers SET state = 'done' WHERE item_id = $1 AND state = 'speaking'",
        )
        .bind(item)
        .execute(&mut *tx)
        .await?;
        // The order: points of order first, then the list, alternating tags when the item's
        // quota says so (core_rules::congress::speakers).
        let rules =
            sqlx::query("SELECT speech_minutes, alternate_tags FROM congress_agenda WHERE id = $1")
                .bind(item)
                .fetch_one(&mut *tx)
                .await?;
        let limit: i64 = rules.try_get("speech_minutes")?;
        let alternate = rules.try_get::<i64, _>("alternate_tags")? != 0;
        let waiting = sqlx::query(
            "SELECT id, participant_id, point_of_order, tag FROM congress_speakers \
             WHERE item_id = $1 AND state = 'waiting' ORDER BY id",
        )
        .bind(item)
        .fetch_all(&mut *tx)
        .await?;
        let mut list = Vec::with_capacity(waiting.len());
        let mut who_of = BTreeMap::new();
        for r in &waiting {
            let id: i64 = r.try_get("id")?;
            who_of.insert(id, r.try_get::<i64, _>("participant_id")?);
            list.push(speakers::Waiting {
                id,
                point_of_order: r.try_get::<i64, _>("point_of_order")? != 0,
                tag: r.try_get("tag")?,
            });
        }
        let last_tag: Option<String> = sqlx::query_scalar(
            "SELECT tag FROM congress_speakers WHERE item_id = $1 AND state = 'done' \
             AND point_of_order = 0 AND called IS NOT NULL ORDER BY called DESC LIMIT 1",
        )
        .bind(item)
        .fetch_optional(&mut *tx)
        .await?;
        let next =
            speakers::next(&list, last_tag.as_deref(), alternate).map(|id| (id, who_of[&id]));
        if let Some((id, who)) = next {
            sqlx::query(
                "UPDATE congress_speakers SET state = 'speaking', started_at = $2, minutes = $3, \
                 called = (SELECT COALESCE(MAX(called), 0) + 1 FROM congress_speakers WHERE item_id = $4) \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(now())
            .bind(speakers::limit_minutes(limit))
            .bind(item)
            .execute(&mut *tx)
            .await?;
            event(&mut tx, congress, "spoke", Some(who), Some(item), "").await?;
        }
        crate::audit::append(
            &mut tx,
            by,
            "congress.next_speaker",
            Some(("congress", congress)),
            &[("item", item.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, "speaker");
        Ok(self
            .speakers(item)
            .await?
            .into_iter()
            .find(|s| s.state == "speaking"))
    }

    pub async fn speakers(&self, item: i64) -> Result<Vec<Speaker>> {
        let rows = sqlx::query(
            "SELECT s.id, s.item_id, s.participant_id, p.pseudonym, s.point_of_order, s.minutes, s.state, s.tag, s.started_at, s.called \
             FROM congress_speakers s JOIN congress_participants cp ON cp.id = s.participant_id \
             JOIN persons p ON p.id = cp.person_id WHERE s.item_id = $1 \
             ORDER BY CASE s.state WHEN 'speaking' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, \
             s.point_of_order DESC, s.id",
        )
        .bind(item)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Speaker {
                    id: r.try_get("id")?,
                    item_id: r.try_get("item_id")?,
                    participant_id: r.try_get("participant_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    point_of_order: r.try_get::<i64, _>("point_of_order")? != 0,
                    minutes: r.try_get("minutes")?,
                    state: r.try_get("state")?,
                    tag: r.try_get("tag")?,
                    started_at: r.try_get("started_at")?,
                    called: r.try_get("called")?,
                })
            })
            .collect()
    }

    /// Who has the floor at a congress now, on any item.
    pub async fn current_speaker(&self, congress: i64) -> Result<Option<Speaker>> {
        let item: Option<i64> = sqlx::query_scalar(
            "SELECT s.item_id FROM congress_speakers s JOIN congress_agenda a ON a.id = s.item_id \
             WHERE a.congress_id = $1 AND s.state = 'speaking' ORDER BY s.id DESC LIMIT 1",
        )
        .bind(congress)
        .fetch_optional(self.pool())
        .await?;
        match item {
            Some(i) => Ok(self
                .speakers(i)
                .await?
                .into_iter()
                .find(|s| s.state == "speaking")),
            None => Ok(None),
        }
    }

    /// The presidium sets an item's time limit per speech and whether its list alternates tags.
    pub async fn set_speaking_rules(
        &self,
        item: i64,
        minutes: i64,
        alternate: bool,
        by: Option<i64>,
    ) -> Result<()> {
        quantity::SPEECH_MINUTES.check(minutes)?;
        let mut tx = self.write().await?;
        let congress: i64 =
            sqlx::query_scalar("SELECT congress_id FROM congress_agenda WHERE id = $1")
                .bind(item)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("agenda item {item}")))?;
        sqlx::query(
            "UPDATE congress_agenda SET speech_minutes = $1, alternate_tags = $2 WHERE id = $3",
        )
        .bind(minutes)
        .bind(alternate as i64)
        .bind(item)
        .execute(&mut *tx)
        .await?;
        // Those still waiting get the new limit; the one speaking keeps theirs.
        sqlx::query(
            "UPDATE congress_speakers SET minutes = $1 WHERE item_id = $2 AND state = 'waiting'",
        )
        .bind(minutes)
        .bind(item)
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.speaking_rules",
            Some(("congress", congress)),
            &[("item", item.into()), ("minutes", minutes.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, "speaker");
        Ok(())
    }

    /// The presidium tags a speaker on a list, for the quota (a short word; empty removes it).
    pub async fn tag_speaker(&self, speaker: i64, tag: &str, by: Option<i64>) -> Result<()> {
        let tag = limits::TAG.check(tag.trim())?.to_lowercase();
        let mut tx = self.write().await?;
        let congress: i64 = sqlx::query_scalar(
            "SELECT a.congress_id FROM congress_speakers s JOIN congress_agenda a ON a.id = s.item_id WHERE s.id = $1",
        )
        .bind(speaker)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("speaker {speaker}")))?;
        sqlx::query("UPDATE congress_speakers SET tag = $1 WHERE id = $2")
            .bind(&tag)
            .bind(speaker)
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.tag_speaker",
            Some(("congress", congress)),
            &[("speaker", speaker.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, "speaker");
        Ok(())
    }

    /// An item's list as it will be called: the one speaking, then those waiting in the order
    /// the rule gives (points of order first, tags alternating under a quota), then those done.
    pub async fn speaking_order(&self, item: &AgendaItem) -> Result<Vec<Speaker>> {
        let all = self.speakers(item.id).await?;
        let last_tag = all
            .iter()
            .filter(|s| !s.point_of_order && s.state != "waiting")
            .max_by_key(|s| s.called)
            .map(|s| s.tag.clone());
        let mut waiting: Vec<&Speaker> = all.iter().filter(|s| s.state == "waiting").collect();
        waiting.sort_by_key(|s| s.id);
        let list: Vec<speakers::Waiting> = waiting
            .iter()
            .map(|s| speakers::Waiting {
                id: s.id,
                point_of_order: s.point_of_order,
                tag: s.tag.clone(),
            })
            .collect();
        let order = speakers::order(&list, last_tag.as_deref(), item.alternate_tags);
        let by_id: BTreeMap<i64, &Speaker> = all.iter().map(|s| (s.id, s)).collect();
        let mut out: Vec<Speaker> = all
            .iter()
            .filter(|s| s.state == "speaking")
            .cloned()
            .collect();
        out.extend(order.iter().map(|id| by_id[id].clone()));
        out.extend(all.iter().filter(|s| s.state == "done").cloned());
        Ok(out)
    }

    // -----------------------------------------------------------------------------------------
    // Motions and amendments.

    /// A motion, submitted by a participant (delegates and consultative voices may propose).
    pub async fn submit_motion(
        &self,
        congress: i64,
        title: &str,
        body: &str,
        statutes: bool,
        participant: Option<i64>,
        by: Option<i64>,
    ) -> Result<i64> {
        if title.trim().is_empty() {
            return Err(refused("a motion needs a title"));
        }
        limits::MOTION_TITLE.check(title.trim())?;
        limits::MOTION_TEXT.check(body)?;
        if text::lines(body).is_empty() {
            return Err(refused("a motion needs a text"));
        }
        self.congress_or(congress).await?;
        let mut tx = self.write().await?;
        if let Some(pid) = participant {
            let p = participant_in(&mut tx, pid).await?;
            if p.congress_id != congress || p.kind == Kind::Guest {
                return Err(refused(
                    "only delegates and consultative voices propose motions",
                ));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_motions (congress_id, title, body, state, statutes, submitted_by, created_at) \
             VALUES ($1, $2, $3, 'submitted', $4, $5, $6) RETURNING id",
        )
        .bind(congress)
        .bind(title.trim())
        .bind(text::lines(body).join("\n"))
        .bind(statutes as i64)
        .bind(participant)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        event(&mut tx, congress, "motion", participant, Some(id), "").await?;
        crate::audit::append(&mut tx, by, "congress.motion", Some(("motion", id)), &[]).await?;
        tx.commit().await?;
        self.changed(congress, "motion");
        Ok(id)
    }

    pub async fn motion(&self, id: i64) -> Result<Option<Motion>> {
        sqlx::query(&format!("{MOTION_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| motion_row(&r))
            .transpose()
    }

    pub async fn motions(&self, congress: i64) -> Result<Vec<Motion>> {
        sqlx::query(&format!(
            "{MOTION_SELECT} WHERE m.congress_id = $1 ORDER BY m.id"
        ))
        .bind(congress)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(motion_row)
        .collect()
    }

    async fn motion_or(&self, id: i64) -> Result<Motion> {
        self.motion(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("motion {id}")))
    }

    pub async fn support_motion(
        &self,
        motion: i64,
        participant: i64,
        by: Option<i64>,
    ) -> Result<u64> {
        let m = self.motion_or(motion).await?;
        let mut tx = self.write().await?;
        let p = participant_in(&mut tx, participant).await?;
        if p.congress_id != m.congress_id || p.kind != Kind::Delegate {
            return Err(refused("only the congress's delegates support motions"));
        }
        let already: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM congress_supporters WHERE motion_id = $1 AND participant_id = $2",
        )
        .bind(motion)
        .bind(participant)
        .fetch_one(&mut *tx)
        .await?;
        if already > 0 {
            return Err(refused("this delegate already supports this motion"));
        }
        sqlx::query("INSERT INTO congress_supporters (motion_id, participant_id) VALUES ($1, $2)")
            .bind(motion)
            .bind(participant)
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.support",
            Some(("motion", motion)),
            &[],
        )
        .await?;
        tx.commit().await?;
        self.changed(m.congress_id, "motion");
        Ok(m.supporters + 1)
    }

    /// Moves a motion to another state of the congress's workflow. Admission needs the
    /// supporters the congress asks for.
    pub async fn set_motion_state(&self, motion: i64, state: &str, by: Option<i64>) -> Result<()> {
        let m = self.motion_or(motion).await?;
        let c = self.congress_or(m.congress_id).await?;
        let Some(state) = c.motion_states.iter().find(|s| *s == state) else {
            return Err(
                Refusal::on("state", "{} is not a state of this congress's motions ({})")
                    .arg(Typed(state))
                    .arg(Word(&c.motion_states.join(", ")))
                    .into(),
            );
        };
        if state == "admitted" && m.supporters < c.supporters_needed {
            return Err(
                Refusal::new("the motion has {} supporters and needs {} to be admitted")
                    .arg(m.supporters)
                    .arg(c.supporters_needed)
                    .into(),
            );
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE congress_motions SET state = $1 WHERE id = $2")
            .bind(state)
            .bind(motion)
            .execute(&mut *tx)
            .await?;
        event(
            &mut tx,
            m.congress_id,
            "motion_state",
            None,
            Some(motion),
            state,
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.motion_state",
            Some(("motion", motion)),
            &[("state", Value::Code(state.clone()))],
        )
        .await?;
        tx.commit().await?;
        self.changed(m.congress_id, "motion");
        Ok(())
    }

    pub async fn amendments(&self, motion: i64) -> Result<Vec<StoredAmendment>> {
        let rows = sqlx::query(
            "SELECT a.id, a.parent_id, a.edit, a.state, p.pseudonym FROM congress_amendments a \
             LEFT JOIN congress_participants cp ON cp.id = a.submitted_by \
             LEFT JOIN persons p ON p.id = cp.person_id WHERE a.motion_id = $1 ORDER BY a.id",
        )
        .bind(motion)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredAmendment {
                    amendment: Amendment {
                        id: r.try_get("id")?,
                        parent: r.try_get("parent_id")?,
                        edit: serde_json::from_str(&r.try_get::<String, _>("edit")?)
                            .map_err(|e| StoreError::Internal(e.to_string()))?,
                    },
                    state: r.try_get("state")?,
                    submitted_by: r.try_get("pseudonym")?,
                })
            })
            .collect()
    }

    /// Proposes an amendment to a motion (or to one of its amendments). A line that does not
    /// exist is refused, naming it.
    pub async fn propose_amendment(
        &self,
        motion: i64,
        parent: Option<i64>,
        edit: &Edit,
        participant: Option<i64>,
        by: Option<i64>,
    ) -> Result<i64> {
        if let Edit::Replace { text, .. } | Edit::InsertAfter { text, .. } = edit {
            limits::AMENDMENT_TEXT.check(&text.join("\n"))?;
        }
        let m = self.motion_or(motion).await?;
        if matches!(m.state.as_str(), "adopted" | "rejected" | "withdrawn") {
            return Err(
                Refusal::new("the motion is {}; it can no longer be amended")
                    .arg(Word(&m.state))
                    .into(),
            );
        }
        let existing: Vec<Amendment> = self
            .amendments(motion)
            .await?
            .into_iter()
            .map(|a| a.amendment)
            .collect();
        text::validate_new(&m.lines, &existing, parent, edit).map_err(crate::rule)?;
        let mut tx = self.write().await?;
        if let Some(pid) = participant {
            let p = participant_in(&mut tx, pid).await?;
            if p.congress_id != m.congress_id || p.kind == Kind::Guest {
                return Err(refused(
                    "only delegates and consultative voices propose amendments",
                ));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_amendments (motion_id, parent_id, edit, state, submitted_by, created_at) \
             VALUES ($1, $2, $3, 'submitted', $4, $5) RETURNING id",
        )
        .bind(motion)
        .bind(parent)
        .bind(serde_json::to_string(edit).map_err(|e| StoreError::Internal(e.to_string()))?)
        .bind(participant)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        event(
            &mut tx,
            m.congress_id,
            "amendment",
            participant,
            Some(id),
            &edit.describe(),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.amendment",
            Some(("motion", motion)),
            &[("amendment", id.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(m.congress_id, "motion");
        Ok(id)
    }

    /// The motion's text after the amendments adopted so far.
    pub async fn consolidated(&self, motion: i64) -> Result<Vec<String>> {
        let m = self.motion_or(motion).await?;
        let all = self.amendments(motion).await?;
        let adopted: BTreeSet<i64> = all
            .iter()
            .filter(|a| a.state == "adopted")
            .map(|a| a.amendment.id)
            .collect();
        let ams: Vec<Amendment> = all.into_iter().map(|a| a.amendment).collect();
        text::consolidate(&m.lines, &ams, &adopted).map_err(crate::rule)
    }

    /// The proposed voting order of the amendments still to be decided.
    pub async fn amendment_order(&self, motion: i64) -> Result<Vec<i64>> {
        let pending: Vec<Amendment> = self
            .amendments(motion)
            .await?
            .into_iter()
            .filter(|a| a.state == "submitted")
            .map(|a| a.amendment)
            .collect();
        Ok(text::voting_order(&pending))
    }

    // -----------------------------------------------------------------------------------------
    // Votes.

    /// Opens a vote: on a motion, an amendment, the credentials report, or a question.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_vote(
        &self,
        congress: i64,
        subject: &str,
        subject_id: Option<i64>,
        title: &str,
        secret: bool,
        rule: Rule,
        by: Option<i64>,
    ) -> Result<i64> {
        limits::VOTE_TITLE.check(title.trim())?;
        let c = self.congress_or(congress).await?;
        let title = match (subject, subject_id) {
            ("motion", Some(id)) => {
                let m = self.motion_or(id).await?;
                if m.congress_id != congress {
                    return Err(StoreError::NotFound(format!("motion {id}")));
                }
                // A statutes motion whose text cannot be read one way is amended first: the
                // congress must know what it adopts.
                let reading = if m.statutes {
                    self.statutes_change_of(&c, &self.consolidated(id).await?)
                        .await?
                } else {
                    Ok(None)
                };
                if let Err(e) = reading {
                    return Err(Refusal::new("the motion cannot be put to the vote: {}")
                        .arg(Because(&e))
                        .into());
                }
                if title.trim().is_empty() {
                    m.title
                } else {
                    title.trim().to_string()
                }
            }
            ("amendment", Some(id)) => {
                let motion: i64 =
                    sqlx::query_scalar("SELECT motion_id FROM congress_amendments WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.pool())
                        .await?
                        .ok_or_else(|| StoreError::NotFound(format!("amendment {id}")))?;
                let m = self.motion_or(motion).await?;
                if m.congress_id != congress {
                    return Err(StoreError::NotFound(format!("amendment {id}")));
                }
                let a = self
                    .amendments(motion)
                    .await?
                    .into_iter()
                    .find(|a| a.amendment.id == id)
                    .expect("listed");
                if a.state != "submitted" {
                    return Err(
                        Refusal::new("amendment {} is {}; it is not put to the vote")
                            .arg(id)
                            .arg(Word(&a.state))
                            .into(),
                    );
                }
                if title.trim().is_empty() {
                    format!("Amendment {id} to {}", m.title)
                } else {
                    title.trim().to_string()
                }
            }
            ("credentials", _) => {
                if c.credentials_approved {
                    return Err(refused("the credentials report is already approved"));
                }
                "The credentials committee's report".to_string()
            }
            ("question", _) if !title.trim().is_empty() => title.trim().to_string(),
            ("question", _) => return Err(refused("a question put to the vote needs a title")),
            _ => {
                return Err(Refusal::on("subject", "cannot vote on {}")
                    .arg(Typed(subject))
                    .into())
            }
        };
        let mut tx = self.write().await?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM congress_votes WHERE congress_id = $1 AND subject = $2 \
             AND COALESCE(subject_id, 0) = $3 AND state = 'open'",
        )
        .bind(congress)
        .bind(subject)
        .bind(subject_id.unwrap_or(0))
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 && subject != "question" {
            return Err(refused("a vote on this is already open"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_votes (congress_id, subject, subject_id, title, secret, rule, state, opened_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
        )
        .bind(congress)
        .bind(subject)
        .bind(subject_id)
        .bind(&title)
        .bind(secret as i64)
        .bind(serde_json::to_string(&rule).map_err(|e| StoreError::Internal(e.to_string()))?)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        event(
            &mut tx,
            congress,
            "vote_opened",
            None,
            Some(id),
            if secret { "secret" } else { "roll_call" },
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.vote_open",
            Some(("vote", id)),
            &[("secret", (secret as i64).into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, "vote");
        Ok(id)
    }

    pub async fn vote(&self, id: i64) -> Result<Option<Vote>> {
        sqlx::query(&format!("{VOTE_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| vote_row(&r))
            .transpose()
    }

    pub async fn votes(&self, congress: i64) -> Result<Vec<Vote>> {
        sqlx::query(&format!("{VOTE_SELECT} WHERE congress_id = $1 ORDER BY id"))
            .bind(congress)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(vote_row)
            .collect()
    }

    /// Casts a participant's vote, all their mandates on one choice. Refused, with the first
    /// vote kept: a second vote, a vote after the close, a vote without a mandate.
    pub async fn cast_vote(
        &self,
        vote: i64,
        participant: i64,
        choice: Choice,
        by: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let r = sqlx::query("SELECT congress_id, secret, state FROM congress_votes WHERE id = $1")
            .bind(vote)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("vote {vote}")))?;
        let congress: i64 = r.try_get("congress_id")?;
        let secret = r.try_get::<i64, _>("secret")? != 0;
        if r.try_get::<String, _>("state")? != "open" {
            return Err(refused("this vote is closed: no more votes are taken"));
        }
        let p = participant_in(&mut tx, participant).await?;
        if p.congress_id != congress {
            return Err(StoreError::NotFound(format!("participant {participant}")));
        }
        if p.kind != Kind::Delegate || p.mandates == 0 {
            return Err(refused("this participant holds no mandate and cannot vote"));
        }
        if p.credential == "rejected" {
            return Err(refused(
                "this delegate's credentials were rejected: no vote",
            ));
        }
        if !p.present {
            return Err(refused("this delegate is not checked in: check in to vote"));
        }
        let table = if secret {
            "congress_voters"
        } else {
            "congress_roll"
        };
        let voted: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE vote_id = $1 AND participant_id = $2"
        ))
        .bind(vote)
        .bind(participant)
        .fetch_one(&mut *tx)
        .await?;
        if voted > 0 {
            return Err(refused(
                "this delegate has already voted; the first vote stands",
            ));
        }
        if secret {
            sqlx::query("INSERT INTO congress_voters (vote_id, participant_id) VALUES ($1, $2)")
                .bind(vote)
                .bind(participant)
                .execute(&mut *tx)
                .await?;
            for _ in 0..p.mandates {
                sqlx::query(
                    "INSERT INTO congress_ballots (id, vote_id, choice) VALUES ($1, $2, $3)",
                )
                .bind(random_key())
                .bind(vote)
                .bind(choice.code())
                .execute(&mut *tx)
                .await?;
            }
            crate::audit::append(&mut tx, by, "congress.ballot", Some(("vote", vote)), &[]).await?;
        } else {
            sqlx::query("INSERT INTO congress_roll (vote_id, participant_id, choice, weight) VALUES ($1, $2, $3, $4)")
                .bind(vote)
                .bind(participant)
                .bind(choice.code())
                .bind(p.mandates as i64)
                .execute(&mut *tx)
                .await?;
            crate::audit::append(
                &mut tx,
                by,
                "congress.roll_vote",
                Some(("vote", vote)),
                &[
                    ("participant", participant.into()),
                    ("choice", Value::Word(choice.code())),
                ],
            )
            .await?;
        }
        tx.commit().await?;
        self.changed(congress, "tally");
        Ok(())
    }

    /// Votes cast so far (mandates), without saying how.
    pub async fn votes_cast(&self, vote: i64) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM congress_ballots WHERE vote_id = $1) + \
             (SELECT CAST(COALESCE(SUM(weight), 0) AS BIGINT) FROM congress_roll WHERE vote_id = $1)",
        )
        .bind(vote)
        .fetch_one(self.pool())
        .await?;
        Ok(n as u64)
    }

    /// Closes a vote and decides it by the count's motion rule, with the mandates entitled and
    /// present at the close. An adopted amendment is adopted and those conflicting with it fall;
    /// a decided motion takes its state; an approved credentials report is approved.
    pub async fn close_vote(&self, vote: i64, by: Option<i64>) -> Result<Outcome> {
        let v = self
            .vote(vote)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("vote {vote}")))?;
        if !v.open {
            return Err(refused("this vote is already closed"));
        }
        let c = self.congress_or(v.congress_id).await?;
        // A motion amending the statutes: the rules its text would put in force. Its vote opened
        // only if the text could be read; should amendments adopted since have made it
        // ambiguous, the vote still closes and the minutes say the rules were left unchanged.
        let statutes_change = match (v.subject.as_str(), v.subject_id) {
            ("motion", Some(m)) => self.statutes_change(&c, m).await?,
            _ => Ok(None),
        };
        let kinds = self.unit_kinds().await?;
        let mut tx = self.write().await?;
        let q = quorum_in(&mut tx, v.congress_id, c.quorum).await?;
        let mut casts: Vec<Cast> = Vec::new();
        if v.secret {
            let rows = sqlx::query("SELECT choice, COUNT(*) AS n FROM congress_ballots WHERE vote_id = $1 GROUP BY choice")
                .bind(vote)
                .fetch_all(&mut *tx)
                .await?;
            for r in rows {
                let n = r.try_get::<i64, _>("n")? as u64;
                let ch =
                    Choice::parse(&r.try_get::<String, _>("choice")?).unwrap_or(Choice::Abstain);
                casts.push(cast_of(ch, n));
            }
        } else {
            let rows = sqlx::query("SELECT choice, weight FROM congress_roll WHERE vote_id = $1")
                .bind(vote)
                .fetch_all(&mut *tx)
                .await?;
            for r in rows {
                let n = r.try_get::<i64, _>("weight")? as u64;
                let ch =
                    Choice::parse(&r.try_get::<String, _>("choice")?).unwrap_or(Choice::Abstain);
                casts.push(cast_of(ch, n));
            }
        }
        let cast: u64 = casts.iter().map(|c| c.mandates).sum();
        // Those who voted and then left still count as present for this vote.
        let present = q.present.max(cast);
        let entitled = q.entitled.max(present);
        let outcome = motion::decide(
            &motion::Input {
                entitled,
                present: Some(present),
                votes: casts,
            },
            &v.rule,
            vote as u64,
        )
        .map_err(|e| StoreError::Internal(format!("the vote could not be counted: {e}")))?;
        sqlx::query("UPDATE congress_votes SET state = 'closed', closed_at = $1, outcome = $2 WHERE id = $3")
            .bind(now())
            .bind(serde_json::to_string(&StoredOutcome::from(&outcome)).map_err(|e| StoreError::Internal(e.to_string()))?)
            .bind(vote)
            .execute(&mut *tx)
            .await?;
        let adopted = outcome.decision == Decision::Adopted;
        match (v.subject.as_str(), v.subject_id) {
            ("amendment", Some(a)) => {
                let motion: i64 =
                    sqlx::query_scalar("SELECT motion_id FROM congress_amendments WHERE id = $1")
                        .bind(a)
                        .fetch_one(&mut *tx)
                        .await?;
                sqlx::query("UPDATE congress_amendments SET state = $1 WHERE id = $2")
                    .bind(if adopted { "adopted" } else { "rejected" })
                    .bind(a)
                    .execute(&mut *tx)
                    .await?;
                if adopted {
                    let all: Vec<Amendment> = self
                        .amendments(motion)
                        .await?
                        .into_iter()
                        .map(|x| x.amendment)
                        .collect();
                    for f in text::fall_with(a, &all) {
                        sqlx::query("UPDATE congress_amendments SET state = 'fallen' WHERE id = $1 AND state = 'submitted'")
                            .bind(f)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
            ("motion", Some(m)) if outcome.decision != Decision::NoQuorum => {
                sqlx::query("UPDATE congress_motions SET state = $1 WHERE id = $2")
                    .bind(if adopted { "adopted" } else { "rejected" })
                    .bind(m)
                    .execute(&mut *tx)
                    .await?;
                match (adopted, &statutes_change) {
                    (true, Ok(Some((rules, effective, _)))) => {
                        let version = crate::statutes::insert_version(
                            &mut tx,
                            &kinds,
                            rules,
                            Day::today(),
                            *effective,
                            &c.name,
                        )
                        .await?;
                        event(
                            &mut tx,
                            v.congress_id,
                            "statutes",
                            None,
                            Some(m),
                            &version.to_string(),
                        )
                        .await?;
                    }
                    (true, Err(e)) => {
                        event(
                            &mut tx,
                            v.congress_id,
                            "statutes_unread",
                            None,
                            Some(m),
                            &e.to_string(),
                        )
                        .await?;
                    }
                    _ => {}
                }
            }
            ("credentials", _) if adopted => {
                sqlx::query("UPDATE congresses SET credentials_approved = 1 WHERE id = $1")
                    .bind(v.congress_id)
                    .execute(&mut *tx)
                    .await?;
            }
            _ => {}
        }
        let word = decision_word(outcome.decision);
        event(
            &mut tx,
            v.congress_id,
            "vote_closed",
            None,
            Some(vote),
            &format!(
                "{word} {} {} {} {} {}",
                outcome.yes, outcome.no, outcome.abstain, outcome.present, outcome.entitled
            ),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.vote_close",
            Some(("vote", vote)),
            &[
                ("decision", Value::Word(word)),
                ("yes", outcome.yes.into()),
                ("no", outcome.no.into()),
                ("abstain", outcome.abstain.into()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.changed(v.congress_id, "vote");
        Ok(outcome)
    }

    /// For a motion that amends the statutes: the rules that adopting it would put in force, from
    /// when (the congress's day, or today if that has passed), and what changes on which line.
    /// Its consolidated text is read by `core_rules::clauses`: Paragraph 1's two wordings and the
    /// clauses with a number that the statutes hold as data. `Ok(None)` when the motion is not a
    /// statutes motion or changes nothing; the inner error when its text is ambiguous or would
    /// give statutes that are not valid.
    pub async fn statutes_change(&self, c: &Congress, motion: i64) -> Result<StatutesReading> {
        let m = self.motion_or(motion).await?;
        if !m.statutes {
            return Ok(Ok(None));
        }
        let text = self.consolidated(motion).await?;
        self.statutes_change_of(c, &text).await
    }

    /// The same for a statutes motion's consolidated text already in hand (the motion's page
    /// has it).
    pub async fn statutes_change_of(
        &self,
        c: &Congress,
        text: &[String],
    ) -> Result<StatutesReading> {
        let effective = c.held_on.max(Day::today());
        let rules = self.statutes_on(effective).await?.rules;
        let kinds = self.unit_kinds().await?;
        Ok(core_rules::clauses::amend(&rules, text, &kinds)
            .map(|r| r.map(|(rules, changes)| (rules, effective, changes))))
    }

    /// A roll call's record: who voted how, with their weight.
    pub async fn roll(&self, vote: i64) -> Result<Vec<RollEntry>> {
        let rows = sqlx::query(
            "SELECT r.participant_id, p.pseudonym, r.choice, r.weight FROM congress_roll r \
             JOIN congress_participants cp ON cp.id = r.participant_id JOIN persons p ON p.id = cp.person_id \
             WHERE r.vote_id = $1 ORDER BY p.pseudonym",
        )
        .bind(vote)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RollEntry {
                    participant_id: r.try_get("participant_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    choice: Choice::parse(&r.try_get::<String, _>("choice")?)
                        .unwrap_or(Choice::Abstain),
                    weight: r.try_get::<i64, _>("weight")? as u64,
                })
            })
            .collect()
    }

    /// Whether a participant has voted in a vote (either kind).
    pub async fn has_voted(&self, vote: i64, participant: i64) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM congress_voters WHERE vote_id = $1 AND participant_id = $2) + \
             (SELECT COUNT(*) FROM congress_roll WHERE vote_id = $1 AND participant_id = $2)",
        )
        .bind(vote)
        .bind(participant)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// The blocs of a congress, from its closed roll calls.
    pub async fn blocs(&self, congress: i64) -> Result<(blocs::Analysis, BTreeMap<i64, String>)> {
        let mut calls = Vec::new();
        let mut names = BTreeMap::new();
        for v in self.votes(congress).await? {
            if v.secret || v.open {
                continue;
            }
            let mut rc = RollCall::default();
            for e in self.roll(v.id).await? {
                names.insert(e.participant_id, e.pseudonym.clone());
                rc.votes.insert(e.participant_id, (e.choice, e.weight));
            }
            calls.push(rc);
        }
        Ok((blocs::analyse(&calls), names))
    }

    // -----------------------------------------------------------------------------------------
    // Elections.

    pub async fn create_election(
        &self,
        congress: i64,
        title: &str,
        seats: u64,
        method: &str,
        by: Option<i64>,
    ) -> Result<i64> {
        self.congress_or(congress).await?;
        if title.trim().is_empty() {
            return Err(refused("an election needs a title (the body elected)"));
        }
        limits::ELECTION_TITLE.check(title.trim())?;
        quantity::SEATS.check(seats)?;
        if !matches!(method, "scottish_stv" | "meek") {
            return Err(
                Refusal::on("method", "unknown method {}: use scottish_stv or meek")
                    .arg(Typed(method))
                    .into(),
            );
        }
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_elections (congress_id, title, seats, method, state) VALUES ($1, $2, $3, $4, 'nominating') RETURNING id",
        )
        .bind(congress)
        .bind(title.trim())
        .bind(seats as i64)
        .bind(method)
        .fetch_one(&mut *tx)
        .await?;
        event(&mut tx, congress, "election", None, Some(id), "").await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.election",
            Some(("election", id)),
            &[("seats", seats.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, "election");
        Ok(id)
    }

    pub async fn election(&self, id: i64) -> Result<Option<Election>> {
        sqlx::query(&format!("{ELECTION_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| election_row(&r))
            .transpose()
    }

    pub async fn elections(&self, congress: i64) -> Result<Vec<Election>> {
        sqlx::query(&format!(
            "{ELECTION_SELECT} WHERE congress_id = $1 ORDER BY id"
        ))
        .bind(congress)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(election_row)
        .collect()
    }

    async fn election_or(&self, id: i64) -> Result<Election> {
        self.election(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("election {id}")))
    }

    /// Nominates a member as a candidate; they stand once they accept.
    pub async fn nominate(&self, election: i64, person: i64, by: Option<i64>) -> Result<i64> {
        let e = self.election_or(election).await?;
        if e.state != "nominating" {
            return Err(refused("nominations are closed"));
        }
        let p = self
            .person(person)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("person {person}")))?;
        if p.status != Status::Member {
            return Err(refused("that person is not a member and cannot stand"));
        }
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO congress_candidates (election_id, person_id, accepted) VALUES ($1, $2, 0) RETURNING id")
            .bind(election)
            .bind(person)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.message().to_lowercase().contains("unique") => {
                    refused("that person is already nominated")
                }
                e => e.into(),
            })?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.nominate",
            Some(("election", election)),
            &[("candidate", id.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(e.congress_id, "election");
        Ok(id)
    }

    /// A nominee accepts (or declines) their nomination: only the person nominated.
    pub async fn accept_nomination(
        &self,
        candidate: i64,
        person: i64,
        accept: bool,
        by: Option<i64>,
    ) -> Result<()> {
        let r = sqlx::query("SELECT c.election_id, c.person_id, e.state, e.congress_id FROM congress_candidates c JOIN congress_elections e ON e.id = c.election_id WHERE c.id = $1")
            .bind(candidate)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("candidate {candidate}")))?;
        if r.try_get::<i64, _>("person_id")? != person {
            return Err(StoreError::NotFound(format!("candidate {candidate}")));
        }
        if r.try_get::<String, _>("state")? != "nominating" {
            return Err(refused("nominations are closed"));
        }
        let congress: i64 = r.try_get("congress_id")?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE congress_candidates SET accepted = $1 WHERE id = $2")
            .bind(accept as i64)
            .bind(candidate)
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.accept",
            Some(("candidate", candidate)),
            &[("accepted", (accept as i64).into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, "election");
        Ok(())
    }

    pub async fn candidates(&self, election: i64) -> Result<Vec<Candidate>> {
        let rows = sqlx::query("SELECT c.id, c.person_id, p.pseudonym, c.accepted FROM congress_candidates c JOIN persons p ON p.id = c.person_id WHERE c.election_id = $1 ORDER BY c.id")
            .bind(election)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Candidate {
                    id: r.try_get("id")?,
                    person_id: r.try_get("person_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    accepted: r.try_get::<i64, _>("accepted")? != 0,
                })
            })
            .collect()
    }

    /// Opens the ballot: nominations close; only candidates who accepted stand.
    pub async fn open_election(&self, election: i64, by: Option<i64>) -> Result<()> {
        let e = self.election_or(election).await?;
        if e.state != "nominating" {
            return Err(refused("this election's ballot is already open or closed"));
        }
        let standing = self
            .candidates(election)
            .await?
            .iter()
            .filter(|c| c.accepted)
            .count();
        if standing == 0 {
            return Err(refused("no candidate has accepted a nomination"));
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE congress_elections SET state = 'open' WHERE id = $1")
            .bind(election)
            .execute(&mut *tx)
            .await?;
        event(
            &mut tx,
            e.congress_id,
            "election_opened",
            None,
            Some(election),
            "",
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.election_open",
            Some(("election", election)),
            &[("candidates", standing.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(e.congress_id, "election");
        Ok(())
    }

    /// A delegate's ranked ballot (candidate ids, most preferred first), one per mandate, secret.
    pub async fn cast_ranking(
        &self,
        election: i64,
        participant: i64,
        ranking: &[i64],
        by: Option<i64>,
    ) -> Result<()> {
        let e = self.election_or(election).await?;
        if e.state != "open" {
            return Err(refused("this election's ballot is not open"));
        }
        let standing: BTreeSet<i64> = self
            .candidates(election)
            .await?
            .iter()
            .filter(|c| c.accepted)
            .map(|c| c.id)
            .collect();
        if ranking.is_empty() {
            return Err(refused("rank at least one candidate"));
        }
        let mut seen = BTreeSet::new();
        for c in ranking {
            if !standing.contains(c) {
                return Err(
                    Refusal::on("rank", "candidate {} does not stand in this election")
                        .arg(*c)
                        .into(),
                );
            }
            if !seen.insert(*c) {
                return Err(refused("a candidate is ranked twice"));
            }
        }
        let mut tx = self.write().await?;
        let p = participant_in(&mut tx, participant).await?;
        if p.congress_id != e.congress_id {
            return Err(StoreError::NotFound(format!("participant {participant}")));
        }
        if !p.can_vote() {
            return Err(refused(
                "this participant holds no mandate present here and cannot vote",
            ));
        }
        let voted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM congress_election_voters WHERE election_id = $1 AND participant_id = $2")
            .bind(election)
            .bind(participant)
            .fetch_one(&mut *tx)
            .await?;
        if voted > 0 {
            return Err(refused(
                "this delegate has already voted; the first ballot stands",
            ));
        }
        sqlx::query(
            "INSERT INTO congress_election_voters (election_id, participant_id) VALUES ($1, $2)",
        )
        .bind(election)
        .bind(participant)
        .execute(&mut *tx)
        .await?;
        let r = ranking
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(",");
        for _ in 0..p.mandates {
            sqlx::query("INSERT INTO congress_election_ballots (id, election_id, ranking) VALUES ($1, $2, $3)")
                .bind(random_key())
                .bind(election)
                .bind(&r)
                .execute(&mut *tx)
                .await?;
        }
        crate::audit::append(
            &mut tx,
            by,
            "congress.election_ballot",
            Some(("election", election)),
            &[],
        )
        .await?;
        tx.commit().await?;
        self.changed(e.congress_id, "tally");
        Ok(())
    }

    /// Closes the ballot and counts it by STV; the report is stored and published.
    pub async fn close_election(&self, election: i64, by: Option<i64>) -> Result<count::Report> {
        let e = self.election_or(election).await?;
        if e.state != "open" {
            return Err(refused("this election's ballot is not open"));
        }
        let cands: Vec<Candidate> = self
            .candidates(election)
            .await?
            .into_iter()
            .filter(|c| c.accepted)
            .collect();
        let index: BTreeMap<i64, u16> = cands
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i as u16))
            .collect();
        let mut tx = self.write().await?;
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT ranking FROM congress_election_ballots WHERE election_id = $1 ORDER BY id",
        )
        .bind(election)
        .fetch_all(&mut *tx)
        .await?;
        let mut tally: BTreeMap<Vec<u16>, u64> = BTreeMap::new();
        for r in rows {
            let prefs: Vec<u16> = r
                .split(',')
                .filter_map(|x| x.parse::<i64>().ok())
                .filter_map(|c| index.get(&c).copied())
                .collect();
            if !prefs.is_empty() {
                *tally.entry(prefs).or_default() += 1;
            }
        }
        let profile = count::Profile {
            title: e.title.clone(),
            candidates: cands.iter().map(|c| c.pseudonym.clone()).collect(),
            parties: vec![None; cands.len()],
            seats: Some(e.seats as usize),
            withdrawn: Vec::new(),
            ballots: tally
                .into_iter()
                .map(|(p, w)| count::Ballot::strict(w, p))
                .collect(),
        };
        let seats = (e.seats as usize).min(cands.len()).max(1);
        let report = match e.method.as_str() {
            "meek" => count::meek::count(&profile, seats, election as u64),
            _ => count::scottish_stv::count(&profile, seats, election as u64),
        }
        .map_err(|err| StoreError::Internal(format!("the count could not be made: {err}")))?;
        sqlx::query("UPDATE congress_elections SET state = 'closed', report = $1 WHERE id = $2")
            .bind(report.to_json())
            .bind(election)
            .execute(&mut *tx)
            .await?;
        event(
            &mut tx,
            e.congress_id,
            "election_closed",
            None,
            Some(election),
            &report.elected.len().to_string(),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.election_close",
            Some(("election", election)),
            &[
                ("ballots", report.ballots.into()),
                ("elected", report.elected.len().into()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.changed(e.congress_id, "election");
        Ok(report)
    }

    // -----------------------------------------------------------------------------------------
    // The record.

    pub async fn congress_events(&self, congress: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT e.id, e.at, e.kind, p.pseudonym, e.subject_id, e.detail FROM congress_events e \
             LEFT JOIN congress_participants cp ON cp.id = e.participant_id \
             LEFT JOIN persons p ON p.id = cp.person_id WHERE e.congress_id = $1 ORDER BY e.id",
        )
        .bind(congress)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Event {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    participant: r.try_get("pseudonym")?,
                    subject_id: r.try_get("subject_id")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    /// The minutes, written from the event log: one sentence per event, people by party name.
    pub async fn minutes(&self, congress: i64) -> Result<Vec<String>> {
        let c = self.congress_or(congress).await?;
        let agenda: BTreeMap<i64, String> = self
            .agenda(congress)
            .await?
            .into_iter()
            .map(|a| (a.id, a.title))
            .collect();
        let motions: BTreeMap<i64, String> = self
            .motions(congress)
            .await?
            .into_iter()
            .map(|m| (m.id, m.title))
            .collect();
        let votes: BTreeMap<i64, Vote> = self
            .votes(congress)
            .await?
            .into_iter()
            .map(|v| (v.id, v))
            .collect();
        let elections: BTreeMap<i64, Election> = self
            .elections(congress)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let mut out = Vec::new();
        for e in self.congress_events(congress).await? {
            let who = e.participant.clone().unwrap_or_else(|| "—".into());
            let subj = e.subject_id.unwrap_or(0);
            let d: Vec<&str> = e.detail.split(' ').collect();
            let line = match e.kind.as_str() {
                "convened" => format!(
                    "{} convened for {}, membership counted on {}: {} mandates apportioned.",
                    c.name, c.held_on, c.membership_on, e.detail
                ),
                "registered" => format!(
                    "{who} registered as {}.",
                    Kind::parse(&e.detail)
                        .map(Kind::words)
                        .unwrap_or("participant")
                ),
                "credential" => format!(
                    "The credentials committee {} the mandate of {who}.",
                    e.detail
                ),
                "check_in" => format!(
                    "{who} checked in; {} of {} mandates present.",
                    d.get(1).unwrap_or(&"?"),
                    d.get(2).unwrap_or(&"?")
                ),
                "check_out" => format!(
                    "{who} left the hall; {} of {} mandates present.",
                    d.get(1).unwrap_or(&"?"),
                    d.get(2).unwrap_or(&"?")
                ),
                "walkout" => format!(
                    "{} delegates walked out together; {} of {} mandates present.",
                    d.first().unwrap_or(&"?"),
                    d.get(1).unwrap_or(&"?"),
                    d.get(2).unwrap_or(&"?")
                ),
                "agenda" => format!(
                    "Agenda item: {}.",
                    agenda.get(&subj).cloned().unwrap_or_default()
                ),
                "floor" => format!(
                    "{who} asked for the floor on “{}”.",
                    agenda.get(&subj).cloned().unwrap_or_default()
                ),
                "point_of_order" => format!(
                    "{who} raised a point of order on “{}”.",
                    agenda.get(&subj).cloned().unwrap_or_default()
                ),
                "spoke" => format!(
                    "{who} spoke on “{}”.",
                    agenda.get(&subj).cloned().unwrap_or_default()
                ),
                "motion" => format!(
                    "Motion “{}” submitted by {who}.",
                    motions.get(&subj).cloned().unwrap_or_default()
                ),
                "motion_state" => format!(
                    "Motion “{}” is now {}.",
                    motions.get(&subj).cloned().unwrap_or_default(),
                    e.detail
                ),
                "amendment" => format!("{who} moved amendment {subj}: {}.", e.detail),
                "vote_opened" => format!(
                    "Vote opened ({}): {}.",
                    if e.detail == "secret" {
                        "secret ballot"
                    } else {
                        "roll call"
                    },
                    votes
                        .get(&subj)
                        .map(|v| v.title.clone())
                        .unwrap_or_default()
                ),
                "vote_closed" => format!(
                    "Vote closed: {}. Yes {}, no {}, abstain {}; {} of {} mandates present. {}.",
                    votes
                        .get(&subj)
                        .map(|v| v.title.clone())
                        .unwrap_or_default(),
                    d.get(1).unwrap_or(&"?"),
                    d.get(2).unwrap_or(&"?"),
                    d.get(3).unwrap_or(&"?"),
                    d.get(4).unwrap_or(&"?"),
                    d.get(5).unwrap_or(&"?"),
                    match d.first().copied() {
                        Some("adopted") => "Adopted",
                        Some("rejected") => "Rejected",
                        _ => "No quorum: no decision",
                    }
                ),
                "statutes" => format!(
                    "The statutes are amended as adopted in motion “{}” (version {}), in force from the congress's day.",
                    motions.get(&subj).cloned().unwrap_or_default(),
                    e.detail
                ),
                "statutes_unread" => format!(
                    "The statutes are not changed by motion “{}”: {}.",
                    motions.get(&subj).cloned().unwrap_or_default(),
                    e.detail
                ),
                "election" => format!(
                    "Election called: {}.",
                    elections
                        .get(&subj)
                        .map(|x| x.title.clone())
                        .unwrap_or_default()
                ),
                "election_opened" => format!(
                    "Ballot opened: {}.",
                    elections
                        .get(&subj)
                        .map(|x| x.title.clone())
                        .unwrap_or_default()
                ),
                "election_closed" => {
                    let el = elections.get(&subj);
                    let elected = el
                        .and_then(|x| x.report.as_deref())
                        .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
                        .and_then(|v| v.get("elected").cloned())
                        .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
                        .unwrap_or_default();
                    format!(
                        "Ballot closed: {}. Elected: {}.",
                        el.map(|x| x.title.clone()).unwrap_or_default(),
                        elected.join(", ")
                    )
                }
                other => format!("{other}."),
            };
            out.push(line);
        }
        Ok(out)
    }
}

/// A seed for lots drawn in an apportionment, fixed by the membership day (reproducible).
fn seed_of(s: &str) -> u64 {
    s.bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
}

fn cast_of(choice: Choice, n: u64) -> Cast {
    let mut c = Cast {
        mandates: n,
        yes: 0,
        no: 0,
        abstain: 0,
    };
    match choice {
        Choice::Yes => c.yes = n,
        Choice::No => c.no = n,
        Choice::Abstain => c.abstain = n,
    }
    c
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

/// The draft statutes the demo congress debates, line by line; line 2 is Paragraph 1, which
/// Lenin's and Martov's amendments word differently.
pub const DEMO_DRAFT_STATUTES: &str = "§1. Membership.
A member of the party is one who recognises the party's programme and supports it by material means.
§2. The congress is the supreme body of the party; it meets at least once a year.
§3. The central committee unites and directs all the party's work between congresses.
§4. The central organ, the paper, gives the party its ideological leadership.
§5. Every party organisation runs its own affairs, admits its members and collects their dues.";

impl Store {
    /// The demo's congress, being prepared: convened under the statutes' rule with membership
    /// counted today, a delegate for each unit that has mandates (the demo logins' people first),
    /// credentials still to check, and on its agenda the draft statutes with Lenin's and Martov's
    /// competing wordings of Paragraph 1.
    pub async fn seed_demo_congress(&self, today: Day, logins: &[(String, i64)]) -> Result<i64> {
        let c = self
            .convene(
                &NewCongress {
                    name: "Second Congress".into(),
                    held_on: today.add_days(30),
                    membership_on: today,
                    rule: None,
                    quorum: (1, 2),
                    supporters_needed: 1,
                    motion_states: String::new(),
                },
                None,
            )
            .await?;
        let mandates = self.mandates(c).await?;
        let mut taken: BTreeSet<i64> = BTreeSet::new();
        let mut by_login: BTreeMap<String, i64> = BTreeMap::new();
        // The logins' people represent their own units first, the ordinary member before the
        // officers of the same circle (so that the demo's `member` is a delegate).
        let mut ordered: Vec<&(String, i64)> = logins.iter().collect();
        ordered.sort_by_key(|(login, _)| login != "member");
        for (login, person) in ordered {
            let Some(p) = self.person(*person).await? else {
                continue;
            };
            let Some(m) = mandates.iter().find(|m| m.unit_id == p.unit_id) else {
                continue;
            };
            if taken.contains(&p.unit_id) || !self.standing(p.id, today).await?.0.vote {
                continue;
            }
            let id = self
                .add_participant(c, p.id, Kind::Delegate, m.mandates, None)
                .await?;
            taken.insert(p.unit_id);
            by_login.insert(login.clone(), id);
        }
        for m in &mandates {
            if taken.contains(&m.unit_id) {
                continue;
            }
            for p in self.people_of_unit(m.unit_id).await? {
                if p.status == Status::Member && self.standing(p.id, today).await?.0.vote {
                    self.add_participant(c, p.id, Kind::Delegate, m.mandates, None)
                        .await?;
                    break;
                }
            }
        }
        // Officers at the congress who are not delegates take part with a consultative voice.
        for (login, person) in logins {
            if by_login.contains_key(login)
                || !matches!(
                    login.as_str(),
                    "member" | "presidium" | "credentials" | "central"
                )
            {
                continue;
            }
            if self.participant_for(c, *person).await?.is_none() {
                let id = self
                    .add_participant(c, *person, Kind::Consultative, 0, None)
                    .await?;
                by_login.insert(login.clone(), id);
            }
        }
        self.add_agenda_item(c, "Report of the credentials committee", None, None)
            .await?;
        let lenin = by_login.get("member").copied();
        let martov = by_login
            .get("presidium")
            .or_else(|| by_login.get("central"))
            .copied();
        let motion = self
            .submit_motion(c, "Draft statutes", DEMO_DRAFT_STATUTES, true, lenin, None)
            .await?;
        self.add_agenda_item(c, "The statutes", Some(motion), None)
            .await?;
        self.add_agenda_item(
            c,
            "Elections to the central committee and the editorial board",
            None,
            None,
        )
        .await?;
        let wording = |f: core_rules::statutes::Formula| Edit::Replace {
            from: 2,
            to: 2,
            text: vec![f.wording().to_string()],
        };
        self.propose_amendment(
            motion,
            None,
            &wording(core_rules::statutes::Formula::Lenin),
            lenin,
            None,
        )
        .await?;
        self.propose_amendment(
            motion,
            None,
            &wording(core_rules::statutes::Formula::Martov),
            martov,
            None,
        )
        .await?;
        Ok(c)
    }
}
