//! Importing and exporting people as CSV.
//!
//! Import reads the file twice and holds only small keys in memory: the first pass checks every
//! row and decides, for each, whether it is someone already recorded (same card, email or phone,
//! or, for a row with none of these, the same pseudonym in the same unit); the second pass writes
//! everything in one transaction. Any bad row means nothing is written and every bad row is named.

use crate::people::{identity_in, record_history, upsert_identity};
use crate::vault::{Blind, Vault, BLIND_LEN};
use crate::{now, Backend, Result, Store, StoreError};
use core_rules::import::{format_money, validate_row, Header, PersonRow, RowError, COLUMNS};
use core_rules::people::Status;
use core_rules::Day;
use sqlx::{Any, Row, Transaction};
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;

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

fn reader<R: Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(r)
}

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
        let io = |e: std::io::Error| StoreError::Invalid(format!("reading {file_name}: {e}"));
        let vault = self.vault()?;
        let today = Day::today();
        let units: HashMap<String, i64> = sqlx::query("SELECT code, id FROM units")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("id")?)))
            .collect::<Result<_>>()?;
        let unit_codes: HashSet<String> = units.keys().cloned().collect();

        // Who is already recorded, by key. Rows with none of card/email/phone are matched by
        // pseudonym within their unit.
        let mut known: HashMap<u128, i64> = HashMap::new();
        {
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
        }

        // Pass 1: check every row; decide who each row is.
        let mut errors: Vec<RowError> = Vec::new();
        let mut error_count = 0usize;
        let mut seen_in_file: HashMap<u128, u64> = HashMap::new();
        let mut matches: Vec<Option<i64>> = Vec::new();
        let mut rdr = reader(open().map_err(io)?);
        let mut records = rdr.records();
        let header = match records.next() {
            None => {
                return Err(StoreError::Rows(vec![RowError {
                    line: 1,
                    column: String::new(),
                    reason: "the file is empty; it needs a header row".into(),
                }]))
            }
            Some(Err(e)) => return Err(StoreError::Invalid(format!("line 1: malformed CSV: {e}"))),
            Some(Ok(h)) => Header::parse(&h).map_err(StoreError::Rows)?,
        };
        let mut push = |errors: &mut Vec<RowError>, e: RowError| {
            error_count += 1;
            if errors.len() < MAX_LISTED {
                errors.push(e);
            }
        };
        let mut line = 1u64;
        for rec in records {
            line += 1;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let l = e.position().map(|p| p.line()).unwrap_or(line);
                    push(
                        &mut errors,
                        RowError {
                            line: l,
                            column: String::new(),
                            reason: format!("malformed CSV: {e}"),
                        },
                    );
                    matches.push(None);
                    continue;
                }
            };
            let l = rec.position().map(|p| p.line()).unwrap_or(line);
            match validate_row(&header, &rec, l, &unit_codes, today) {
                Err(es) => {
                    for e in es {
                        push(&mut errors, e);
                    }
                    matches.push(None);
                }
                Ok(row) => {
                    let mut target: Option<(u8, i64)> = None;
                    let mut bad = false;
                    for (kind, k) in row_keys(vault, &row) {
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
                                    push(&mut errors, RowError {
                                        line: l,
                                        column: key_name(kind).into(),
                                        reason: format!(
                                            "this {} belongs to one recorded person and the {} to another",
                                            key_name(kind),
                                            key_name(other_kind)
                                        ),
                                    });
                                    bad = true;
                                }
                                _ => target = Some((kind, id)),
                            }
                        }
                    }
                    matches.push(if bad { None } else { target.map(|t| t.1) });
                }
            }
            if line.is_multiple_of(10_000) {
                progress(Progress::Checking(line - 1));
            }
        }
        progress(Progress::Checking(line - 1));
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
        drop(seen_in_file);
        drop(known);

        // Pass 2: write it all in one transaction.
        let mut tx = self.write().await?;
        // A large import inserts into indexes all over the file; with SQLite's default page cache
        // (2 MB) those pages spill to the WAL and are read back again and again. A larger cache
        // for this transaction only (the keys of pass 1 are freed by now); set back before commit.
        let cache_size: Option<i64> = if self.backend() == Backend::Sqlite {
            let old: i64 = sqlx::query_scalar("PRAGMA cache_size")
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("PRAGMA cache_size = -131072")
                .execute(&mut *tx)
                .await?;
            Some(old)
        } else {
            None
        };
        // A large import into SQLite builds the secondary indexes of persons and identities
        // once, after the rows are in, instead of inserting into them row by row at random
        // places (pseudonyms and blind indexes are scattered all over their B-trees). Dropped and
        // created again inside this transaction: a failed import leaves them as they were.
        let mut rebuild: Vec<String> = Vec::new();
        let creating = matches.iter().filter(|m| m.is_none()).count();
        if self.backend() == Backend::Sqlite && creating >= REBUILD_INDEXES_FROM {
            let rows = sqlx::query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                 AND tbl_name IN ('persons', 'identities') AND sql IS NOT NULL",
            )
            .fetch_all(&mut *tx)
            .await?;
            for r in rows {
                let name: String = r.try_get("name")?;
                sqlx::query(&format!("DROP INDEX \"{name}\""))
                    .execute(&mut *tx)
                    .await?;
                rebuild.push(r.try_get("sql")?);
            }
        }
        if self.backend() == Backend::Postgres {
            // Ids are assigned here in order; nobody else may take one meanwhile.
            sqlx::query("LOCK TABLE persons IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let import_id: i64 = sqlx::query_scalar(
            "INSERT INTO imports (file_name, rows_created, rows_updated, by_account, at) VALUES ($1, 0, 0, $2, $3) RETURNING id",
        )
        .bind(file_name)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let mut next_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM persons")
            .fetch_one(&mut *tx)
            .await?;
        let v_version = vault.version();
        let mut report = ImportReport::default();
        let mut batch: Vec<(i64, PersonRow)> = Vec::with_capacity(BATCH);
        let mut rdr = reader(open().map_err(io)?);
        let mut records = rdr.records();
        records.next();
        let created_at = now();
        // Sealing (encryption and blind indexes) is most of the CPU an import costs. It runs on a
        // thread of its own, a batch ahead, while this task reads the file and SQLite writes the
        // batch before: on two cores the three overlap.
        let (to_seal, mut seal_rx) = tokio::sync::mpsc::channel::<Vec<(i64, PersonRow)>>(2);
        let (sealed_tx, mut sealed) = tokio::sync::mpsc::channel::<Vec<SealedRow>>(2);
        let sealer_vault = self.vault_arc()?;
        let sealer = tokio::task::spawn_blocking(move || {
            while let Some(batch) = seal_rx.blocking_recv() {
                let out: Vec<SealedRow> = batch
                    .into_iter()
                    .map(|(id, row)| {
                        let identity = sealer_vault.seal_identity(id, &row.identity);
                        (id, row, identity)
                    })
                    .collect();
                if sealed_tx.blocking_send(out).is_err() {
                    break;
                }
            }
        });
        let mut in_flight = 0usize;
        let backend = self.backend();
        let written = async {
            for (i, rec) in records.enumerate() {
                let rec = rec.map_err(|e| {
                    StoreError::Invalid(format!("{file_name} changed while importing: {e}"))
                })?;
                let l = rec.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
                let row = validate_row(&header, &rec, l, &unit_codes, today).map_err(|_| {
                    StoreError::Invalid(format!("{file_name} changed while importing (line {l})"))
                })?;
                report.rows += 1;
                match matches.get(i).copied().flatten() {
                    Some(existing) => {
                        if update_person(
                            &mut tx,
                            vault,
                            existing,
                            &row,
                            units[&row.unit],
                            today,
                            by,
                        )
                        .await?
                        {
                            report.updated += 1;
                        } else {
                            report.unchanged += 1;
                        }
                    }
                    None => {
                        batch.push((next_id, row));
                        next_id += 1;
                        report.created += 1;
                        if batch.len() == BATCH {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                            to_seal.send(full).await.map_err(|_| sealer_gone())?;
                            in_flight += 1;
                            // Keep one batch sealing while the one before it is written.
                            while in_flight > 1 {
                                let b = sealed.recv().await.ok_or_else(sealer_gone)?;
                                in_flight -= 1;
                                insert_batch(
                                    &mut tx, v_version, backend, &b, &units, created_at, by,
                                    import_id,
                                )
                                .await?;
                            }
                        }
                    }
                }
                if report.rows.is_multiple_of(10_000) {
                    progress(Progress::Writing(report.rows));
                }
            }
            if !batch.is_empty() {
                to_seal
                    .send(std::mem::take(&mut batch))
                    .await
                    .map_err(|_| sealer_gone())?;
                in_flight += 1;
            }
            drop(to_seal);
            while in_flight > 0 {
                let b = sealed.recv().await.ok_or_else(sealer_gone)?;
                in_flight -= 1;
                insert_batch(
                    &mut tx, v_version, backend, &b, &units, created_at, by, import_id,
                )
                .await?;
            }
            Ok::<(), StoreError>(())
        }
        .await;
        drop(sealed);
        let _ = sealer.await;
        written?;
        progress(Progress::Writing(report.rows));
        for sql in &rebuild {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        if self.backend() == Backend::Postgres && report.created > 0 {
            sqlx::query("SELECT setval(pg_get_serial_sequence('persons', 'id'), (SELECT MAX(id) FROM persons))")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE imports SET rows_created = $1, rows_updated = $2 WHERE id = $3")
            .bind(report.created as i64)
            .bind(report.updated as i64)
            .bind(import_id)
            .execute(&mut *tx)
            .await?;
        // One entry for the whole import, however many rows: never one per row.
        crate::audit::append(
            &mut tx,
            by,
            "import.people",
            Some(("import", import_id)),
            &[
                ("rows", report.rows.into()),
                ("created", report.created.into()),
                ("updated", report.updated.into()),
                ("unchanged", report.unchanged.into()),
            ],
        )
        .await?;
        if let Some(old) = cache_size {
            sqlx::query(&format!("PRAGMA cache_size = {old}"))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Writes everyone as CSV (see `write_people_csv`) and records the export in the audit log:
    /// `export.people` with the number of rows, or `failed=1` if writing failed part-way (what
    /// was written may have left all the same).
    pub async fn export_people<W: std::io::Write>(&self, out: W, by: Option<i64>) -> Result<u64> {
        let written = self.write_people_csv(out, None).await;
        let detail = match &written {
            Ok(n) => [("rows", crate::audit::Value::from(*n))],
            Err(_) => [("failed", crate::audit::Value::Int(1))],
        };
        let mut tx = self.write().await?;
        crate::audit::append(&mut tx, by, "export.people", None, &detail).await?;
        tx.commit().await?;
        written
    }

    /// One unit's people, with their identities, as CSV in the import's columns (a secretary's
    /// export). Recorded in the audit log (`export.unit`, with the count) once written, before
    /// the caller hands the file over.
    pub async fn export_unit<W: std::io::Write>(
        &self,
        unit: i64,
        out: W,
        by: Option<i64>,
    ) -> Result<u64> {
        let n = self.write_people_csv(out, Some(unit)).await?;
        let mut tx = self.write().await?;
        crate::audit::append(
            &mut tx,
            by,
            "export.unit",
            Some(("unit", unit)),
            &[("people", n.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Writes everyone (or one unit's people) as CSV in the import's columns, in the order they
    /// were recorded.
    async fn write_people_csv<W: std::io::Write>(&self, out: W, unit: Option<i64>) -> Result<u64> {
        use futures_util::TryStreamExt;
        let vault = self.vault()?;
        let mut w = csv::Writer::from_writer(out);
        let err = |e: csv::Error| StoreError::Invalid(format!("writing CSV: {e}"));
        w.write_record(COLUMNS).map_err(err)?;
        let mut conn = self.pool().acquire().await?;
        let sql = format!(
            "SELECT p.id, p.card, p.pseudonym, u.code, p.status, p.admitted_on, p.programme_accepted, \
               p.monthly_income_cents, p.reduced_rate, i.key_version, i.legal_name, i.email, i.phone, \
               i.address, i.workplace, i.notes \
             FROM persons p JOIN units u ON u.id = p.unit_id LEFT JOIN identities i ON i.person_id = p.id \
             {} ORDER BY p.id",
            if unit.is_some() { "WHERE p.unit_id = $1" } else { "" }
        );
        let mut q = sqlx::query(&sql);
        if let Some(u) = unit {
            q = q.bind(u);
        }
        let mut rows = q.fetch(&mut *conn);
        let mut n = 0;
        let yn = |b: i64| if b != 0 { "yes" } else { "no" };
        while let Some(r) = rows.try_next().await? {
            let s = |c: &str| -> Result<String> {
                Ok(r.try_get::<Option<String>, _>(c)?.unwrap_or_default())
            };
            let income: Option<i64> = r.try_get("monthly_income_cents")?;
            let id: i64 = r.try_get("id")?;
            let who = match r.try_get::<Option<i64>, _>("key_version")? {
                Some(version) => {
                    let mut fields: [Option<Vec<u8>>; 6] = Default::default();
                    for (slot, f) in fields.iter_mut().zip(crate::vault::Field::ALL) {
                        *slot = r.try_get(f.column())?;
                    }
                    vault.open_identity(id, version, &fields)?
                }
                None => Default::default(),
            };
            w.write_record([
                s("card")?,
                s("pseudonym")?,
                s("code")?,
                s("status")?,
                s("admitted_on")?,
                yn(r.try_get("programme_accepted")?).to_string(),
                income.map(format_money).unwrap_or_default(),
                yn(r.try_get("reduced_rate")?).to_string(),
                who.legal_name,
                who.email,
                who.phone,
                who.address,
                who.workplace,
            ])
            .map_err(err)?;
            n += 1;
        }
        w.flush()
            .map_err(|e| StoreError::Invalid(format!("writing CSV: {e}")))?;
        Ok(n)
    }
}

/// A new person's row with their identity already sealed.
type SealedRow = (i64, PersonRow, crate::vault::SealedIdentity);

fn sealer_gone() -> StoreError {
    StoreError::Invalid("the import's sealing thread stopped".into())
}

#[allow(clippy::too_many_arguments)]
async fn insert_batch(
    tx: &mut Transaction<'static, Any>,
    key_version: i64,
    backend: Backend,
    batch: &[SealedRow],
    units: &HashMap<String, i64>,
    created_at: i64,
    by: Option<i64>,
    import_id: i64,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let placeholders = |cols: usize| crate::scale::values(backend, batch.len(), cols);
    let sql = format!(
        "INSERT INTO persons (id, card, pseudonym, unit_id, status, since, admitted_on, programme_accepted, \
         monthly_income_cents, reduced_rate, created_at, created_by, import_id) VALUES {}",
        placeholders(13)
    );
    let mut q = sqlx::query(&sql);
    for (id, r, _) in batch {
        let since = r.admitted_on.unwrap_or(Day::today());
        q = q
            .bind(*id)
            .bind(r.card.as_deref())
            .bind(r.pseudonym.as_str())
            .bind(units[&r.unit])
            .bind(r.status.as_str())
            .bind(since.to_string())
            .bind(r.admitted_on.map(|d| d.to_string()))
            .bind(r.programme as i64)
            .bind(r.monthly_income_cents)
            .bind(r.reduced_rate as i64)
            .bind(created_at)
            .bind(by)
            .bind(import_id);
    }
    q.execute(&mut **tx).await?;
    let sql = format!(
        "INSERT INTO identities (person_id, key_version, legal_name, email, phone, address, workplace, notes, \
         email_key, phone_key) VALUES {}",
        placeholders(10)
    );
    let mut q = sqlx::query(&sql);
    for (id, _, sealed) in batch {
        let [legal_name, email, phone, address, workplace, notes] = &sealed.fields;
        q = q
            .bind(*id)
            .bind(key_version)
            .bind(legal_name.as_deref())
            .bind(email.as_deref())
            .bind(phone.as_deref())
            .bind(address.as_deref())
            .bind(workplace.as_deref())
            .bind(notes.as_deref())
            .bind(sealed.email_key.as_deref())
            .bind(sealed.phone_key.as_deref());
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Brings a recorded person in line with an imported row. Returns whether anything changed.
async fn update_person(
    tx: &mut Transaction<'static, Any>,
    v: &Vault,
    id: i64,
    row: &PersonRow,
    unit_id: i64,
    today: Day,
    by: Option<i64>,
) -> Result<bool> {
    let p = crate::people::person_in(tx, id).await?;
    let mut changed = false;
    let reason = "import";
    if p.unit_id != unit_id {
        let from: String = sqlx::query_scalar("SELECT code FROM units WHERE id = $1")
            .bind(p.unit_id)
            .fetch_one(&mut **tx)
            .await?;
        record_history(
            tx,
            id,
            today,
            "transfer",
            Some(&from),
            Some(&row.unit),
            reason,
            by,
        )
        .await?;
        changed = true;
    }
    if p.status != row.status {
        record_history(
            tx,
            id,
            today,
            "status",
            Some(p.status.as_str()),
            Some(row.status.as_str()),
            reason,
            by,
        )
        .await?;
        changed = true;
    }
    let fields_differ = p.pseudonym != row.pseudonym
        || p.card != row.card && row.card.is_some()
        || p.admitted_on != row.admitted_on
        || p.programme_accepted != row.programme
        || p.monthly_income_cents != row.monthly_income_cents
        || p.reduced_rate != row.reduced_rate;
    if changed || fields_differ {
        sqlx::query(
            "UPDATE persons SET card = COALESCE($1, card), pseudonym = $2, unit_id = $3, status = $4, admitted_on = $5, \
             programme_accepted = $6, monthly_income_cents = $7, reduced_rate = $8 WHERE id = $9",
        )
        .bind(row.card.clone())
        .bind(&row.pseudonym)
        .bind(unit_id)
        .bind(row.status.as_str())
        .bind(row.admitted_on.map(|d| d.to_string()))
        .bind(row.programme as i64)
        .bind(row.monthly_income_cents)
        .bind(row.reduced_rate as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        changed = true;
    }
    let current = identity_in(tx, v, id).await?;
    let same = match &current {
        Some(c) => {
            c.legal_name == row.identity.legal_name
                && c.email == row.identity.email
                && c.phone == row.identity.phone
                && c.address == row.identity.address
                && c.workplace == row.identity.workplace
        }
        None => false,
    };
    if !same {
        let mut identity = row.identity.clone();
        if let Some(c) = current {
            // The CSV has no notes column: keep what the unit wrote.
            identity.notes = c.notes;
        }
        upsert_identity(tx, v, id, &identity).await?;
        record_history(tx, id, today, "identity", None, None, reason, by).await?;
        changed = true;
    }
    // A row that makes someone a member must say since when; it was validated.
    debug_assert!(row.status != Status::Member || row.admitted_on.is_some());
    Ok(changed)
}
