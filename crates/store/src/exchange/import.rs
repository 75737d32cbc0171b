//! Pass 1 of an import: every row checked, and each matched to someone already recorded or
//! marked new; then pass 2 is handed what it needs.

use super::bulk::BulkWrite;
use super::write::Pass2;
use super::{
    blind_key, digest, key_name, read_chunk, reader, row_keys, unit_ids, ImportReport, Progress,
    CARD, MAX_LISTED, NAME, REBUILD_INDEXES_FROM,
};
use crate::vault::Vault;
use crate::{Backend, Result, Store, StoreError};
use core_rules::import::{validate_row, Header, RowError};
use core_rules::Day;
use rayon::prelude::*;
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::io::Read;

impl Store {
    /// Imports people from CSV. `open` is called twice, once per pass, and must give the same
    /// bytes each time (a file, or an uploaded buffer).
    pub async fn import_people<R: Read + Send>(
        &self,
        mut open: impl FnMut() -> std::io::Result<R> + Send,
        file_name: &str,
        by: Option<i64>,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<ImportReport> {
        core_rules::text::FILE_NAME.check(file_name)?;
        let io = |e: std::io::Error| StoreError::Internal(format!("reading {file_name}: {e}"));
        let started = std::time::Instant::now();
        let vault = self.vault()?;
        let today = self.today();
        let unit_codes: HashSet<String> = unit_ids(self.pool()).await?.into_keys().collect();
        let known = self.known_keys().await?;
        let (header, matches) = check_rows(
            open().map_err(io)?,
            &known,
            vault,
            &unit_codes,
            today,
            progress,
        )?;
        drop(known);

        // Counts and times only: logs never name a person.
        tracing::debug!(
            rows = matches.len(),
            seconds = started.elapsed().as_secs_f64(),
            "import: checked"
        );
        // Pass 2: write it all in one transaction, on one connection held for the whole of it.
        let creating = matches.iter().filter(|m| m.is_none()).count();
        let mut conn = self.pool().acquire().await?;
        let bulk = if self.backend() == Backend::Sqlite
            && self.alone()
            && creating >= REBUILD_INDEXES_FROM
        {
            BulkWrite::begin(&mut conn).await?
        } else {
            BulkWrite::Off
        };
        let started = std::time::Instant::now();
        let written = self
            .write_rows(
                &mut conn,
                Pass2 {
                    header,
                    matches,
                    creating,
                    file_name,
                    by,
                    today,
                    bulk,
                },
                &mut open,
                progress,
            )
            .await;
        bulk.end(&mut conn).await;
        tracing::debug!(
            ?bulk,
            seconds = started.elapsed().as_secs_f64(),
            "import: written"
        );
        written
    }

    /// Who is already recorded, by key. Rows with none of card/email/phone are matched by
    /// pseudonym within their unit.
    async fn known_keys(&self) -> Result<HashMap<u128, i64>> {
        let mut known: HashMap<u128, i64> = HashMap::new();
        let mut conn = self.pool().acquire().await?;
        let mut rows = sqlx::query(
            "SELECT p.id, p.card, p.pseudonym, u.code, i.email_key, i.phone_key FROM persons p \
             JOIN units u ON u.id = p.unit_id LEFT JOIN identities i ON i.person_id = p.id",
        )
        .fetch(&mut *conn);
        use futures_util::TryStreamExt;
        while let Some(r) = rows.try_next().await? {
            let id: i64 = r.try_get("id")?;
            let card: Option<String> = r.try_get("card")?;
            let email: Option<Vec<u8>> = r.try_get("email_key")?;
            let phone: Option<Vec<u8>> = r.try_get("phone_key")?;
            let none = card.is_none() && email.is_none() && phone.is_none();
            if let Some(c) = card {
                known.insert(digest(CARD, &c), id);
            }
            if let Some(e) = email.as_deref().and_then(blind_key) {
                known.insert(e, id);
            }
            if let Some(p) = phone.as_deref().and_then(blind_key) {
                known.insert(p, id);
            }
            if none {
                let unit: String = r.try_get("code")?;
                let pseudonym: String = r.try_get("pseudonym")?;
                known.insert(digest(NAME, &format!("{unit}\u{0}{pseudonym}")), id);
            }
        }
        Ok(known)
    }
}

/// Pass 1: checks every row and decides who each row is: for each row, the person it is already
/// recorded as, if any. Reading the file and checking its rows (parsing, normalising, blind
/// indexes: most of this pass) share both cores, a chunk at a time: the next chunk is read while
/// this one is checked. Deciding who each row is stays in file order, so the first of two rows
/// with the same email is the one named. Any bad row: every problem named, up to `MAX_LISTED`.
fn check_rows<R: Read + Send>(
    file: R,
    known: &HashMap<u128, i64>,
    vault: &Vault,
    unit_codes: &HashSet<String>,
    today: Day,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<(Header, Vec<Option<i64>>)> {
    let mut errors: Vec<RowError> = Vec::new();
    let mut error_count = 0usize;
    let mut seen_in_file: HashMap<u128, u64> = HashMap::new();
    let mut matches: Vec<Option<i64>> = Vec::new();
    let mut records = reader(file).into_records();
    let header = match records.next() {
        None => {
            return Err(StoreError::Rows(vec![RowError {
                line: 1,
                column: String::new(),
                reason: "the file is empty; it needs a header row".into(),
            }]))
        }
        Some(Err(e)) => return Err(StoreError::Internal(format!("line 1: malformed CSV: {e}"))),
        Some(Ok(h)) => Header::parse(&h).map_err(StoreError::Rows)?,
    };
    let mut push = |errors: &mut Vec<RowError>, e: RowError| {
        error_count += 1;
        if errors.len() < MAX_LISTED {
            errors.push(e);
        }
    };
    let check = |(l, rec): &(u64, std::result::Result<csv::StringRecord, RowError>)| {
        let keys = match rec {
            Err(e) => Err(vec![e.clone()]),
            Ok(r) => {
                validate_row(&header, r, *l, unit_codes, today).map(|row| row_keys(vault, &row))
            }
        };
        (*l, keys)
    };
    let mut line = 1u64;
    let mut chunk = read_chunk(&mut records, &mut line);
    while !chunk.is_empty() {
        let (next, checked) = rayon::join(
            || read_chunk(&mut records, &mut line),
            || chunk.par_iter().map(check).collect::<Vec<_>>(),
        );
        for (l, keys) in checked {
            let keys = match keys {
                Err(es) => {
                    for e in es {
                        push(&mut errors, e);
                    }
                    matches.push(None);
                    continue;
                }
                Ok(keys) => keys,
            };
            let mut target: Option<(u8, i64)> = None;
            let mut bad = false;
            for (kind, k) in keys {
                if let Some(first) = seen_in_file.insert(k, l) {
                    push(
                        &mut errors,
                        RowError {
                            line: l,
                            column: key_name(kind).into(),
                            reason: format!(
                                "the same {} as line {first}; each person once",
                                key_name(kind)
                            ),
                        },
                    );
                    bad = true;
                }
                if let Some(&id) = known.get(&k) {
                    match target {
                        Some((other_kind, other)) if other != id => {
                            push(
                                &mut errors,
                                RowError {
                                    line: l,
                                    column: key_name(kind).into(),
                                    reason: format!(
                                    "this {} belongs to one recorded person and the {} to another",
                                    key_name(kind),
                                    key_name(other_kind)
                                ),
                                },
                            );
                            bad = true;
                        }
                        _ => target = Some((kind, id)),
                    }
                }
            }
            matches.push(if bad { None } else { target.map(|t| t.1) });
        }
        progress(Progress::Checking(matches.len() as u64));
        chunk = next;
    }
    progress(Progress::Checking(matches.len() as u64));
    if error_count > 0 {
        if error_count > errors.len() {
            errors.push(RowError {
                line: 0,
                column: String::new(),
                reason: format!("... and {} more problems", error_count - errors.len()),
            });
        }
        return Err(StoreError::Rows(errors));
    }
    Ok((header, matches))
}
