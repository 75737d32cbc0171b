//! The audit log: who changed what and when, and who looked at whose identifying details.
//!
//! An entry is an actor (an account id, or none for the command line and the system), an action
//! (`person.status`, `identity.view`, `import.people`, ...), the object's kind and id, a detail
//! of counts and fixed words, and a time in unix seconds. It never holds identifying details:
//! the action and the detail's keys are `&'static str` written in this crate, and the detail's
//! values are numbers, fixed words, or codes checked to be lowercase letters, digits, `-` and `_`.
//! Nothing an officer types (a reason, a name) can reach it, and no IP address is known here.
//!
//! Entries are appended inside the transaction of the change they record, as its last statement:
//! a rolled-back change leaves no entry, and a committed one always has its entry. Appending
//! first bumps the one-row `audit_head` (`UPDATE ... RETURNING`), which on PostgreSQL holds the
//! row lock until commit, so concurrent writers append one after the other; on SQLite every
//! write transaction already holds the database's write lock (`BEGIN IMMEDIATE`).
//!
//! The log is a hash chain: `hash = SHA-256(previous hash || canonical encoding of the entry)`,
//! the first entry chained to 64 zeros. [`Store::verify_audit`] walks it and names the first
//! entry that was deleted, edited or moved, and compares the last with `audit_head`, so cutting
//! entries off the end is caught too. Someone who can write the database can still rewrite the
//! whole chain from some entry on and the head with it: only a head hash noted outside the
//! database (`iskra audit verify --expect-head HASH`) catches that.

use crate::{now, Result, Store, StoreError};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

/// The hash the first entry is chained to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One value of an entry's detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A count or an id.
    Int(i64),
    /// A word fixed in the code, e.g. a status (`member`) or a decision (`admitted`).
    Word(&'static str),
    /// A code from the database that names no one (a unit kind); recorded only if it is made
    /// of lowercase letters, digits, `-` and `_`, else as `?`.
    Code(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<u64> for Value {
    fn from(v: u64) -> Value {
        Value::Int(v as i64)
    }
}

impl From<usize> for Value {
    fn from(v: usize) -> Value {
        Value::Int(v as i64)
    }
}

impl From<&'static str> for Value {
    fn from(v: &'static str) -> Value {
        Value::Word(v)
    }
}

fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// `key=value key=value`, in the order given.
fn encode_detail(detail: &[(&'static str, Value)]) -> Result<String> {
    let mut out = Vec::with_capacity(detail.len());
    for (k, v) in detail {
        let v = match v {
            Value::Int(i) => i.to_string(),
            Value::Word(w) if plain(w) => w.to_string(),
            Value::Code(c) if plain(c) => c.clone(),
            // A code that is not plain could be anything: recorded as unknown, not refused,
            // so that the change itself still goes through.
            Value::Code(_) => "?".to_string(),
            _ => {
                return Err(StoreError::Internal(format!(
                    "audit detail {k}: only numbers and plain codes are recorded"
                )))
            }
        };
        out.push(format!("{k}={v}"));
    }
    Ok(out.join(" "))
}

/// One entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    /// The account that acted; `None` for the command line or the system.
    pub actor: Option<i64>,
    pub action: String,
    pub object_kind: Option<String>,
    pub object_id: Option<i64>,
    pub detail: String,
    pub hash: String,
}

impl Entry {
    /// The hash this entry should carry, chained to `prev`.
    pub fn expected_hash(&self, prev: &str) -> String {
        chain_hash(
            prev,
            self.seq,
            self.at,
            self.actor,
            &self.action,
            self.object_kind.as_deref(),
            self.object_id,
            &self.detail,
        )
    }
}

/// SHA-256 over the previous hash and every field, each field tagged and length-prefixed so that
/// no two different entries encode alike (`None` differs from an empty text).
#[allow(clippy::too_many_arguments)]
fn chain_hash(
    prev: &str,
    seq: i64,
    at: i64,
    actor: Option<i64>,
    action: &str,
    object_kind: Option<&str>,
    object_id: Option<i64>,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"iskra-audit-1");
    let mut field = |v: Option<&[u8]>| match v {
        None => h.update(b"N"),
        Some(b) => {
            h.update(b"S");
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
    };
    field(Some(seq.to_string().as_bytes()));
    field(Some(at.to_string().as_bytes()));
    field(actor.map(|a| a.to_string()).as_deref().map(str::as_bytes));
    field(Some(action.as_bytes()));
    field(object_kind.map(str::as_bytes));
    field(
        object_id
            .map(|o| o.to_string())
            .as_deref()
            .map(str::as_bytes),
    );
    field(Some(detail.as_bytes()));
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an entry inside the caller's transaction. Call it last, just before commit: the head
/// row stays locked until then, and every other writer waits for it.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Any>,
    actor: Option<i64>,
    action: &'static str,
    object: Option<(&'static str, i64)>,
    detail: &[(&'static str, Value)],
) -> Result<i64> {
    let detail = encode_detail(detail)?;
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let at = now();
    let (kind, id) = match object {
        Some((k, i)) => (Some(k), Some(i)),
        None => (None, None),
    };
    let hash = chain_hash(&prev, seq, at, actor, action, kind, id, &detail);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, object_kind, object_id, detail, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(at)
    .bind(actor)
    .bind(action)
    .bind(kind)
    .bind(id)
    .bind(&detail)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

fn entry_from(r: &sqlx::any::AnyRow) -> Result<Entry> {
    Ok(Entry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        object_kind: r.try_get("object_kind")?,
        object_id: r.try_get("object_id")?,
        detail: r.try_get("detail")?,
        hash: r.try_get("hash")?,
    })
}

/// What a walk of the chain found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// Entries read.
    pub entries: u64,
    /// The head as `audit_head` records it.
    pub head_seq: i64,
    pub head_hash: String,
    /// The first break, if any.
    pub broken: Option<Broken>,
    /// With an expected head: the entry that carries it, if any.
    pub expected_at: Option<i64>,
}

/// The first entry at which the chain breaks, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub seq: i64,
    pub what: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "entry {}: {}", self.seq, self.what)
    }
}

impl Store {
    /// Records that an account was shown a person's identifying details. Its own transaction;
    /// call it whenever they are shown (`Store::identity` reads only).
    pub async fn record_identity_view(&self, account: i64, person: i64) -> Result<()> {
        let mut tx = self.write().await?;
        append(
            &mut tx,
            Some(account),
            "identity.view",
            Some(("person", person)),
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that an account was shown the identities of a unit's people (its secretary's
    /// roster): one entry per page view, before the identities are opened.
    pub async fn record_unit_identity_view(
        &self,
        account: i64,
        unit: i64,
        people: i64,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        append(
            &mut tx,
            Some(account),
            "identity.view",
            Some(("unit", unit)),
            &[("people", people.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The most recent entries, newest first.
    pub async fn audit_entries(&self, limit: i64) -> Result<Vec<Entry>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, object_kind, object_id, detail, hash FROM audit_log \
             ORDER BY seq DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry_from).collect()
    }

    /// The head: the last sequence number and its hash.
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound("the audit head row".into()))?;
        Ok((r.try_get("seq")?, r.try_get("hash")?))
    }

    /// Walks the whole chain, oldest first, and names the first broken entry: one missing
    /// (deleted), one whose fields no longer give its hash (edited, or moved), or a head that
    /// does not match the last entry (entries cut off the end). With `expect_head`, a head hash
    /// noted down earlier must still be in the chain.
    pub async fn verify_audit(&self, expect_head: Option<&str>) -> Result<Verification> {
        use futures_util::TryStreamExt;
        let (head_seq, head_hash) = self.audit_head().await?;
        let mut out = Verification {
            entries: 0,
            head_seq,
            head_hash: head_hash.clone(),
            broken: None,
            expected_at: None,
        };
        let expect = expect_head.map(|h| h.trim().to_ascii_lowercase());
        if expect.as_deref() == Some(GENESIS) {
            out.expected_at = Some(0);
        }
        let mut prev = GENESIS.to_string();
        let mut last = 0i64;
        let mut conn = self.pool().acquire().await?;
        {
            let mut rows = sqlx::query(
                "SELECT seq, at, actor, action, object_kind, object_id, detail, hash FROM audit_log \
                 ORDER BY seq",
            )
            .fetch(&mut *conn);
            while let Some(r) = rows.try_next().await? {
                let e = entry_from(&r)?;
                out.entries += 1;
                if out.broken.is_some() {
                    continue; // count the rest, report the first break
                }
                if e.seq != last + 1 {
                    out.broken = Some(Broken {
                        seq: last + 1,
                        what: if e.seq > last + 1 {
                            format!(
                                "missing (deleted): the log goes from entry {last} to entry {}",
                                e.seq
                            )
                        } else {
                            format!("out of order after entry {last}")
                        },
                    });
                    continue;
                }
                if e.expected_hash(&prev) != e.hash {
                    out.broken = Some(Broken {
                        seq: e.seq,
                        what: "its fields do not give its hash (edited, or moved from elsewhere in the log)".into(),
                    });
                    continue;
                }
                if expect.as_deref() == Some(e.hash.as_str()) {
                    out.expected_at = Some(e.seq);
                }
                prev = e.hash;
                last = e.seq;
            }
        }
        if out.broken.is_none() {
            if head_seq > last {
                out.broken = Some(Broken {
                    seq: last + 1,
                    what: format!(
                        "missing (deleted from the end): the head records {head_seq} entries, the log ends at entry {last}"
                    ),
                });
            } else if head_seq < last {
                out.broken = Some(Broken {
                    seq: head_seq + 1,
                    what: format!(
                        "beyond the head: the head records {head_seq} entries, the log goes on to entry {last}"
                    ),
                });
            } else if head_hash != prev {
                out.broken = Some(Broken {
                    seq: last,
                    what: "does not match the head's hash (the head or the entry was changed)"
                        .into(),
                });
            }
        }
        if out.broken.is_none() {
            if let Some(h) = &expect {
                if out.expected_at.is_none() {
                    out.broken = Some(Broken {
                        seq: last,
                        what: format!(
                            "the expected head {h} is not in the chain: entries were removed or the log was rewritten"
                        ),
                    });
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_hold_only_numbers_and_plain_codes() {
        assert_eq!(
            encode_detail(&[("rows", 3i64.into()), ("to", "member".into())]).unwrap(),
            "rows=3 to=member"
        );
        assert!(encode_detail(&[("kind", Value::Code("circle".into()))]).is_ok());
        assert_eq!(
            encode_detail(&[("kind", Value::Code("Ivan Petrov".into()))]).unwrap(),
            "kind=?"
        );
        assert_eq!(
            encode_detail(&[("kind", Value::Code("a@b.org".into()))]).unwrap(),
            "kind=?"
        );
        assert!(encode_detail(&[("to", Value::Word("Not Plain"))]).is_err());
    }

    #[test]
    fn the_encoding_tells_none_from_empty_and_fields_apart() {
        let a = chain_hash(GENESIS, 1, 5, None, "x", None, None, "");
        let b = chain_hash(GENESIS, 1, 5, Some(0), "x", None, None, "");
        let c = chain_hash(GENESIS, 1, 5, None, "x", Some(""), None, "");
        let d = chain_hash(GENESIS, 2, 5, None, "x", None, None, "");
        assert_eq!(a.len(), 64);
        assert!(a != b && a != c && b != c && a != d);
        assert_eq!(a, chain_hash(GENESIS, 1, 5, None, "x", None, None, ""));
    }
}
