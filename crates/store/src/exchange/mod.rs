//! Importing and exporting people as CSV.
//!
//! Import reads the file twice and holds only small keys in memory: the first pass checks every
//! row and decides, for each, whether it is someone already recorded (same card, email or phone,
//! or, for a row with none of these, the same pseudonym in the same unit); the second pass writes
//! everything in one transaction. Any bad row means nothing is written and every bad row is named.
//!
//! The modules: `import` (pass 1, and the import's whole course), `write` (pass 2), `bulk` (a
//! large import into SQLite without the WAL) and `export`. The keys and readers both passes
//! use are here.

use crate::vault::{Blind, Vault, BLIND_LEN};
use crate::Result;
use core_rules::import::{PersonRow, RowError};
use sqlx::{Any, Row};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;

mod bulk;
mod export;
mod import;
mod write;

/// How far an import has got, for a progress bar.
#[derive(Clone, Copy, Debug)]
pub enum Progress {
    Checking(u64),
    Writing(u64),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// At most this many problems are listed; the count of the rest is given.
const MAX_LISTED: usize = 200;
/// From this many new people on, an import into SQLite builds the secondary indexes after the
/// rows rather than along with them.
const REBUILD_INDEXES_FROM: usize = 20_000;
/// Rows pass 2 reads before letting the writer run (see `write_rows`).
const YIELD_EVERY: u64 = 32;
/// Rows per INSERT statement: well under SQLite's and PostgreSQL's limits on parameters.
const BATCH: usize = 400;

/// A 128-bit digest of a key: enough that two different emails never collide in practice,
/// and a tenth of the memory of keeping a million strings.
fn digest(kind: u8, s: &str) -> u128 {
    let mut a = DefaultHasher::new();
    (kind, 'a', s).hash(&mut a);
    let mut b = DefaultHasher::new();
    (kind, 'b', s).hash(&mut b);
    ((a.finish() as u128) << 64) | b.finish() as u128
}

const CARD: u8 = 1;
const EMAIL: u8 = 2;
const PHONE: u8 = 3;
const NAME: u8 = 4;

/// A stored blind index as a key of the map: it is already a keyed hash, 128 bits long.
fn blind_key(stored: &[u8]) -> Option<u128> {
    <[u8; BLIND_LEN]>::try_from(stored)
        .ok()
        .map(u128::from_be_bytes)
}

fn row_keys(v: &Vault, row: &PersonRow) -> Vec<(u8, u128)> {
    let mut keys = Vec::with_capacity(3);
    if let Some(c) = &row.card {
        keys.push((CARD, digest(CARD, c)));
    }
    if let Some(e) = row.email_key() {
        keys.push((EMAIL, u128::from_be_bytes(v.blind(Blind::Email, &e))));
    }
    if let Some(p) = row.phone_key() {
        keys.push((PHONE, u128::from_be_bytes(v.blind(Blind::Phone, &p))));
    }
    if keys.is_empty() {
        keys.push((
            NAME,
            digest(NAME, &format!("{}\u{0}{}", row.unit, row.pseudonym)),
        ));
    }
    keys
}

fn key_name(kind: u8) -> &'static str {
    match kind {
        CARD => "card",
        EMAIL => "email",
        PHONE => "phone",
        _ => "pseudonym",
    }
}

/// Every unit's id by its code, as the file names units.
async fn unit_ids<'e>(db: impl sqlx::Executor<'e, Database = Any>) -> Result<HashMap<String, i64>> {
    sqlx::query("SELECT code, id FROM units")
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("code")?, r.try_get("id")?)))
        .collect()
}

/// Rows read from the file at a time in pass 1.
const CHUNK: usize = 8192;

/// The next rows of the file, each with its line; a malformed row as the problem to report.
fn read_chunk<R: Read>(
    records: &mut csv::StringRecordsIntoIter<R>,
    line: &mut u64,
) -> Vec<(u64, std::result::Result<csv::StringRecord, RowError>)> {
    let mut out = Vec::with_capacity(CHUNK);
    for rec in records.by_ref().take(CHUNK) {
        *line += 1;
        out.push(match rec {
            Ok(r) => (r.position().map(|p| p.line()).unwrap_or(*line), Ok(r)),
            Err(e) => {
                let l = e.position().map(|p| p.line()).unwrap_or(*line);
                let problem = RowError {
                    line: l,
                    column: String::new(),
                    reason: format!("malformed CSV: {e}"),
                };
                (l, Err(problem))
            }
        });
    }
    out
}

fn reader<R: Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(r)
}
