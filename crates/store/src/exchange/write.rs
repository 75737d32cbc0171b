//! Pass 2 of an import: everything checked by pass 1 written in one transaction, the file
//! read again, the identities sealed on a thread of their own, and the rows written in batches.

use super::bulk::BulkWrite;
use super::{reader, unit_ids, ImportReport, Progress, BATCH, REBUILD_INDEXES_FROM, YIELD_EVERY};
use crate::people::{identity_in, record_history, upsert_identity};
use crate::vault::Vault;
use crate::{now, Backend, Result, Store, StoreError};
use core_rules::import::{validate_row, Header, PersonRow};
use core_rules::people::Status;
use core_rules::Day;
use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments, Row, Transaction};
use std::collections::{HashMap, HashSet};
use std::io::Read;

impl Store {
    /// The second pass of an import: everything checked by the first is written, in one
    /// transaction on `conn`: the transaction made ready for many rows, the rows written (see
    /// `pipe_rows`), then the indexes, the import's row and its audit entry.
    pub(super) async fn write_rows<R: Read + Send>(
        &self,
        conn: &mut sqlx::pool::PoolConnection<Any>,
        pass: Pass2<'_>,
        open: &mut (impl FnMut() -> std::io::Result<R> + Send),
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<ImportReport> {
        use sqlx::Connection;
        let backend = self.backend();
        let vault = self.vault()?;
        let mut tx = match backend {
            Backend::Sqlite => (**conn).begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => (**conn).begin().await?,
        };
        // The units as they are now, inside the transaction: the pass before read them outside.
        let units = unit_ids(&mut *tx).await?;
        if pass.bulk == BulkWrite::On {
            // Foreign keys are off for a bulk write (see `BulkWrite`); what they would check is
            // checked here: every unit is looked up in `units` by code, and the account must exist.
            if let Some(by) = pass.by {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE id = $1")
                    .bind(by)
                    .fetch_one(&mut *tx)
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound(format!("account {by}")));
                }
            }
        }
        // A large import inserts into indexes all over the file; with SQLite's default page cache
        // (2 MB) those pages spill to disk and are read back again and again. A larger cache
        // for this transaction only (the keys of pass 1 are freed by now); set back before commit.
        let cache_size: Option<i64> = if backend == Backend::Sqlite {
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
        let rebuild = if backend == Backend::Sqlite && pass.creating >= REBUILD_INDEXES_FROM {
            drop_secondary_indexes(&mut tx).await?
        } else {
            Vec::new()
        };
        if backend == Backend::Postgres {
            // Ids are assigned here in order; nobody else may take one meanwhile.
            sqlx::query("LOCK TABLE persons IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let import_id: i64 = sqlx::query_scalar(
            "INSERT INTO imports (file_name, rows_created, rows_updated, by_account, at) VALUES ($1, 0, 0, $2, $3) RETURNING id",
        )
        .bind(pass.file_name)
        .bind(pass.by)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let first_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM persons")
            .fetch_one(&mut *tx)
            .await?;

        let place = Place {
            units: &units,
            vault,
            import_id,
            first_id,
        };
        let report = self
            .pipe_rows(&mut tx, &pass, place, open, progress)
            .await?;
        let started = std::time::Instant::now();
        progress(Progress::Writing(report.rows));
        rebuild_indexes(&mut tx, &rebuild).await?;
        tracing::debug!(
            indexes = rebuild.len(),
            seconds = started.elapsed().as_secs_f64(),
            "import: indexes built"
        );
        record_import(&mut tx, backend, import_id, pass.by, &report).await?;
        if let Some(old) = cache_size {
            sqlx::query(&format!("PRAGMA cache_size = {old}"))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            "import: committed"
        );
        Ok(report)
    }

    /// The rows of pass 2. Three things overlap: this task reads and checks the file again (a
    /// file changed since the first pass stops the import), a thread of its own seals the
    /// identities (encryption and blind indexes are most of the CPU an import costs) and puts the
    /// rows in statements, and the database writes the statement before. The reading and the
    /// writing stay together in this one function: they run joined, over the same channels.
    async fn pipe_rows<R: Read + Send>(
        &self,
        tx: &mut Transaction<'_, Any>,
        pass: &Pass2<'_>,
        place: Place<'_>,
        open: &mut (impl FnMut() -> std::io::Result<R> + Send),
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<ImportReport> {
        let Pass2 {
            header,
            matches,
            file_name,
            by,
            today,
            ..
        } = pass;
        let (file_name, by, today) = (*file_name, *by, *today);
        let Place {
            units,
            vault,
            import_id,
            first_id,
        } = place;
        let backend = self.backend();
        let io = |e: std::io::Error| StoreError::Internal(format!("reading {file_name}: {e}"));
        let mut rdr = reader(open().map_err(io)?);
        let unit_codes: HashSet<String> = units.keys().cloned().collect();
        let (to_seal, seal_rx) = tokio::sync::mpsc::channel::<Vec<Work>>(4);
        let (sealed_tx, sealed_rx) = tokio::sync::mpsc::channel::<Result<Sealed>>(4);
        let bind = Bind {
            units: units.clone(),
            today,
        };
        let sealer = bind.spawn(self.vault_arc()?, seal_rx, sealed_tx);

        // Reads the file again, checks each row as before, and hands the rows on in batches.
        let read = async {
            let to_seal = to_seal;
            let mut records = rdr.records();
            records.next();
            let mut next_id = first_id;
            let mut rows = 0u64;
            let mut batch: Vec<Work> = Vec::with_capacity(BATCH);
            for (i, rec) in records.enumerate() {
                let rec = rec.map_err(|e| {
                    StoreError::Internal(format!("{file_name} changed while importing: {e}"))
                })?;
                let l = rec.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
                let row = validate_row(header, &rec, l, &unit_codes, today).map_err(|_| {
                    StoreError::Internal(format!("{file_name} changed while importing (line {l})"))
                })?;
                rows += 1;
                batch.push(match matches.get(i).copied().flatten() {
                    Some(existing) => Work::Known(existing, row),
                    None => {
                        next_id += 1;
                        Work::New(next_id - 1, row)
                    }
                });
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    to_seal.send(full).await.map_err(|_| sealer_gone())?;
                }
                // Reading waits on nothing, and shares this task with the writer: it steps
                // aside often, so that the writer hands the database its next statement as soon
                // as the one before is done, rather than a batch's reading later.
                if rows.is_multiple_of(YIELD_EVERY) {
                    tokio::task::yield_now().await;
                }
            }
            if rows as usize != matches.len() {
                return Err(StoreError::Internal(format!(
                    "{file_name} changed while importing: {} rows, {rows} now",
                    matches.len()
                )));
            }
            if !batch.is_empty() {
                to_seal.send(batch).await.map_err(|_| sealer_gone())?;
            }
            Ok::<_, StoreError>((rows, (next_id - first_id) as u64))
        };

        // Writes what the sealer hands over, in order.
        let write = async {
            let mut sealed_rx = sealed_rx;
            let mut sql = InsertSql::new(backend, now(), by, import_id, vault.version());
            let (mut updated, mut unchanged, mut done) = (0u64, 0u64, 0u64);
            while let Some(sealed) = sealed_rx.recv().await {
                let sealed = sealed?;
                let n = sealed.len() as u64;
                if let Some(insert) = sealed.insert {
                    let (persons, identities) = sql.for_rows(insert.rows);
                    sqlx::query_with(persons, insert.persons)
                        .execute(&mut **tx)
                        .await?;
                    sqlx::query_with(identities, insert.identities)
                        .execute(&mut **tx)
                        .await?;
                    done += insert.rows as u64;
                }
                for (id, row) in &sealed.known {
                    let unit_id = units[&row.unit];
                    if update_person(tx, vault, *id, row, unit_id, today, by).await? {
                        updated += 1;
                    } else {
                        unchanged += 1;
                    }
                    done += 1;
                }
                if done / 10_000 != (done - n) / 10_000 {
                    progress(Progress::Writing(done));
                }
            }
            Ok::<_, StoreError>((updated, unchanged))
        };
        let joined = tokio::try_join!(read, write);
        // Either side failing drops the channels, which stops the sealer.
        let _ = sealer.await;
        let ((rows, created), (updated, unchanged)) = joined?;
        Ok(ImportReport {
            rows,
            created,
            updated,
            unchanged,
        })
    }
}

/// Where pass 2 puts the rows: the units by code as the transaction sees them, the key that
/// seals identities, the import's own row, and the id the first new person takes.
struct Place<'a> {
    units: &'a HashMap<String, i64>,
    vault: &'a Vault,
    import_id: i64,
    first_id: i64,
}

/// Drops the secondary indexes of persons and identities (see `write_rows`), returning the SQL
/// that creates each again.
async fn drop_secondary_indexes(tx: &mut Transaction<'_, Any>) -> Result<Vec<String>> {
    let mut rebuild: Vec<String> = Vec::new();
    let rows = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
             AND tbl_name IN ('persons', 'identities') AND sql IS NOT NULL",
    )
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        let name: String = r.try_get("name")?;
        sqlx::query(&format!("DROP INDEX \"{name}\""))
            .execute(&mut **tx)
            .await?;
        rebuild.push(r.try_get("sql")?);
    }
    Ok(rebuild)
}

/// Creates again the indexes `drop_secondary_indexes` dropped.
async fn rebuild_indexes(tx: &mut Transaction<'_, Any>, rebuild: &[String]) -> Result<()> {
    if rebuild.is_empty() {
        return Ok(());
    }
    // Each index is a sort of a million keys. With a smaller cache SQLite sorts in pieces and,
    // with helper threads allowed, sorts the pieces on the other core (the rows are all written,
    // so it is free): about a fifth faster than one sort in a 128 MB cache.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    sqlx::query(&format!(
        "PRAGMA cache_size = -16384; PRAGMA threads = {}",
        threads - 1
    ))
    .execute(&mut **tx)
    .await?;
    for sql in rebuild {
        sqlx::query(sql).execute(&mut **tx).await?;
    }
    sqlx::query("PRAGMA threads = 0").execute(&mut **tx).await?;
    Ok(())
}

/// The import's own row and its audit entry, once every row is written.
async fn record_import(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    import_id: i64,
    by: Option<i64>,
    report: &ImportReport,
) -> Result<()> {
    if backend == Backend::Postgres && report.created > 0 {
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('persons', 'id'), (SELECT MAX(id) FROM persons))",
        )
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE imports SET rows_created = $1, rows_updated = $2 WHERE id = $3")
        .bind(report.created as i64)
        .bind(report.updated as i64)
        .bind(import_id)
        .execute(&mut **tx)
        .await?;
    // One entry for the whole import, however many rows: never one per row.
    crate::audit::append(
        tx,
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
    Ok(())
}

/// What pass 1 decided, handed to pass 2.
pub(super) struct Pass2<'a> {
    pub(super) header: Header,
    /// For each row, the person it is already recorded as, if any.
    pub(super) matches: Vec<Option<i64>>,
    /// How many rows are new people.
    pub(super) creating: usize,
    pub(super) file_name: &'a str,
    pub(super) by: Option<i64>,
    pub(super) today: Day,
    pub(super) bulk: BulkWrite,
}

/// A row of the file on its way to the database: a new person with the id they will have, or
/// someone already recorded.
enum Work {
    New(i64, PersonRow),
    Known(i64, PersonRow),
}

/// A batch ready to write: the new people in two bound INSERT statements, and the rows of people
/// already recorded, to compare and update one by one.
struct Sealed {
    insert: Option<Insert>,
    known: Vec<(i64, PersonRow)>,
}

impl Sealed {
    fn len(&self) -> usize {
        self.insert.as_ref().map_or(0, |i| i.rows) + self.known.len()
    }
}

struct Insert {
    rows: usize,
    persons: AnyArguments<'static>,
    identities: AnyArguments<'static>,
}

/// What the sealing thread needs to put new people into statements.
struct Bind {
    units: HashMap<String, i64>,
    today: Day,
}

fn sealer_gone() -> StoreError {
    StoreError::Internal("the import's sealing thread stopped".into())
}

fn bound(e: sqlx::error::BoxDynError) -> StoreError {
    StoreError::Internal(format!("binding an imported row: {e}"))
}

impl Bind {
    /// The sealing thread: seals each batch it is handed and passes it on, in order, until
    /// either side hangs up.
    fn spawn(
        self,
        vault: std::sync::Arc<Vault>,
        mut batches: tokio::sync::mpsc::Receiver<Vec<Work>>,
        sealed: tokio::sync::mpsc::Sender<Result<Sealed>>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::task::spawn_blocking(move || {
            while let Some(batch) = batches.blocking_recv() {
                if sealed.blocking_send(self.seal(&vault, batch)).is_err() {
                    break;
                }
            }
        })
    }

    fn seal(&self, vault: &Vault, batch: Vec<Work>) -> Result<Sealed> {
        let mut persons = AnyArguments::default();
        let mut identities = AnyArguments::default();
        let mut known = Vec::new();
        let mut rows = 0;
        for w in batch {
            let (id, r) = match w {
                Work::Known(id, r) => {
                    known.push((id, r));
                    continue;
                }
                Work::New(id, r) => (id, r),
            };
            rows += 1;
            let since = r.admitted_on.unwrap_or(self.today);
            let unit = *self
                .units
                .get(&r.unit)
                .ok_or_else(|| StoreError::NotFound(format!("unit {:?}", r.unit)))?;
            let sealed = vault.seal_identity(id, &r.identity);
            persons.add(id).map_err(bound)?;
            persons.add(r.card).map_err(bound)?;
            persons.add(r.pseudonym).map_err(bound)?;
            persons.add(unit).map_err(bound)?;
            persons.add(r.status.as_str()).map_err(bound)?;
            persons.add(since.to_string()).map_err(bound)?;
            persons
                .add(r.admitted_on.map(|d| d.to_string()))
                .map_err(bound)?;
            persons.add(r.programme as i64).map_err(bound)?;
            persons.add(r.monthly_income_cents).map_err(bound)?;
            persons.add(r.reduced_rate as i64).map_err(bound)?;
            identities.add(id).map_err(bound)?;
            for field in sealed.fields {
                identities.add(field).map_err(bound)?;
            }
            identities.add(sealed.email_key).map_err(bound)?;
            identities.add(sealed.phone_key).map_err(bound)?;
        }
        Ok(Sealed {
            insert: (rows > 0).then_some(Insert {
                rows,
                persons,
                identities,
            }),
            known,
        })
    }
}

/// The INSERT statements of an import, made once for a full batch (the last one may be
/// shorter); the same text each time lets the connection reuse its prepared statement. What is
/// the same for every row (when, by whom, which import, under which key) is written into the
/// statement as numbers of our own rather than bound again for each row; everything from the
/// file is bound.
struct InsertSql {
    backend: Backend,
    /// The persons' columns after the bound ones: created_at, created_by, import_id.
    person_constants: String,
    /// The identities' column after the bound ones: key_version.
    identity_constants: String,
    full: (String, String),
    last: (String, String),
}

impl InsertSql {
    fn new(
        backend: Backend,
        created_at: i64,
        by: Option<i64>,
        import_id: i64,
        key_version: i64,
    ) -> InsertSql {
        let by = by.map_or_else(|| "NULL".to_string(), |b| b.to_string());
        let mut sql = InsertSql {
            backend,
            person_constants: format!("{created_at}, {by}, {import_id}"),
            identity_constants: key_version.to_string(),
            full: Default::default(),
            last: Default::default(),
        };
        sql.full = sql.make(BATCH);
        sql
    }

    fn make(&self, rows: usize) -> (String, String) {
        let values = |bound: usize, constants: &str| {
            (0..rows)
                .map(|r| {
                    let ps: Vec<String> = (1..=bound)
                        .map(|c| match self.backend {
                            // Anonymous on SQLite: see `scale::values`.
                            Backend::Sqlite => "?".to_string(),
                            Backend::Postgres => format!("${}", r * bound + c),
                        })
                        .collect();
                    format!("({}, {constants})", ps.join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        (
            format!(
                "INSERT INTO persons (id, card, pseudonym, unit_id, status, since, admitted_on, programme_accepted, \
                 monthly_income_cents, reduced_rate, created_at, created_by, import_id) VALUES {}",
                values(10, &self.person_constants)
            ),
            format!(
                "INSERT INTO identities (person_id, legal_name, email, phone, address, workplace, notes, \
                 email_key, phone_key, key_version) VALUES {}",
                values(9, &self.identity_constants)
            ),
        )
    }

    fn for_rows(&mut self, rows: usize) -> (&str, &str) {
        if rows == BATCH {
            return (&self.full.0, &self.full.1);
        }
        self.last = self.make(rows);
        (&self.last.0, &self.last.1)
    }
}

/// Brings a recorded person in line with an imported row. Returns whether anything changed.
async fn update_person(
    tx: &mut Transaction<'_, Any>,
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
        // Leaving a unit, or the organisation, ends the offices held there.
        if p.unit_id != unit_id {
            crate::transfers::left_unit(tx, id, p.unit_id, today, by).await?;
        }
        if row.status.has_left() && !p.status.has_left() {
            crate::transfers::left_organisation(tx, id, today, by).await?;
        }
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
