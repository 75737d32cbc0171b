//! Writing a generated organisation of any size, for benchmarks and load tests.
//!
//! The generator streams; so does this: people come in through the ordinary CSV import, and a
//! year of dues and meetings goes in chunk by chunk, many rows to a statement.

use crate::units::{insert_kind, insert_unit};
use crate::{now, Backend, Result, Store, StoreError};
use core_rules::generate::Scale;
use core_rules::statutes::Statutes;
use core_rules::units::NewUnit;
use core_rules::Day;

/// Rows per multi-row INSERT.
const ROWS: usize = 500;
/// People per generated chunk of activity.
const CHUNK: u64 = 20_000;

/// The placeholders of a multi-row VALUES list, bound in order. On SQLite they are anonymous
/// (`?`): sqlx binds a numbered parameter by asking SQLite for its name, and SQLite finds a name
/// by walking the statement's list of names, so a statement of n `$k` parameters costs n² steps
/// (for 400 rows of 13 columns, three quarters of a million-person import's time).
pub(crate) fn values(backend: Backend, rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let ps: Vec<String> = (1..=cols)
                .map(|c| match backend {
                    Backend::Sqlite => "?".to_string(),
                    Backend::Postgres => format!("${}", r * cols + c),
                })
                .collect();
            format!("({})", ps.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Sets up an organisation with the given units (and no people) in an empty database.
    pub async fn seed_units(&self, name: &str, units: &[NewUnit], today: Day) -> Result<()> {
        if self.organisation().await?.is_some() {
            return Err(StoreError::Internal(
                "this database already holds an organisation".into(),
            ));
        }
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO organisation (id, name, created_at) VALUES (1, $1, $2)")
            .bind(name)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        let kinds = core_rules::units::default_kinds();
        for k in &kinds {
            insert_kind(&mut tx, k).await?;
        }
        let founded = today.add_days(-20 * 365);
        // The generated statutes apportion the congress's 500 mandates (issue 8).
        let statutes = Statutes {
            congress: core_rules::generate_paper::congress_rule(),
            ..Statutes::founding()
        };
        crate::statutes::insert_version(
            &mut tx,
            &kinds,
            &statutes,
            founded,
            founded,
            "Founding congress",
        )
        .await?;
        for u in units {
            insert_unit(&mut tx, u).await?;
        }
        crate::audit::append(
            &mut tx,
            None,
            "scale.units",
            None,
            &[("units", units.len().into())],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a year of dues payments, meetings and attendance for people already imported from
    /// the same generator (ids 1..=N in CSV order). Dues are not split into shares here: the
    /// benchmarks read membership, not the bodies' income.
    pub async fn seed_scale_activity(
        &self,
        scale: &Scale,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<u64> {
        let unit_ids: Vec<i64> = {
            let mut ids = Vec::with_capacity(scale.units().len());
            for u in scale.units() {
                let id: i64 = sqlx::query_scalar("SELECT id FROM units WHERE code = $1")
                    .bind(&u.code)
                    .fetch_one(self.pool())
                    .await?;
                ids.push(id);
            }
            ids
        };
        let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
            .fetch_one(self.pool())
            .await?;
        if people as u64 != scale.people() {
            return Err(StoreError::Internal(format!(
                "the database holds {people} people, the generator {}; import its CSV first",
                scale.people()
            )));
        }
        let mut written = 0u64;
        let stamp = now();

        written += self.seed_scale_meetings(scale, &unit_ids, stamp).await?;

        for chunk in 0..scale.chunks(CHUNK) {
            written += self.seed_scale_chunk(scale, chunk, stamp).await?;
            progress(written);
        }

        self.seed_scale_kept_columns().await?;
        Ok(written)
    }

    /// A year of meetings, in one transaction. Returns how many.
    async fn seed_scale_meetings(
        &self,
        scale: &Scale,
        unit_ids: &[i64],
        stamp: i64,
    ) -> Result<u64> {
        let mut written = 0u64;
        let mut tx = self.write().await?;
        let meetings: Vec<_> = scale.meetings().collect();
        for batch in meetings.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO meetings (id, unit_id, held_on, title, recorded_at) VALUES {}",
                values(self.backend(), batch.len(), 5)
            );
            let mut q = sqlx::query(&sql);
            for m in batch {
                q = q
                    .bind(m.number as i64)
                    .bind(unit_ids[m.unit])
                    .bind(m.held_on.to_string())
                    .bind(m.title)
                    .bind(stamp);
            }
            q.execute(&mut *tx).await?;
            written += batch.len() as u64;
        }
        // One entry per transaction of generated rows (a chunk of many thousands), never per row.
        crate::audit::append(
            &mut tx,
            None,
            "scale.meetings",
            None,
            &[("meetings", meetings.len().into())],
        )
        .await?;
        tx.commit().await?;
        Ok(written)
    }

    /// One chunk of people's dues payments and attendance, in one transaction. Returns how many
    /// rows.
    async fn seed_scale_chunk(&self, scale: &Scale, chunk: u64, stamp: i64) -> Result<u64> {
        let mut tx = self.write().await?;
        let payments = scale.payments_chunk(chunk, CHUNK);
        for batch in payments.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO dues_payments (person_id, unit_id, period, paid_on, amount_cents, source, recorded_at) \
                 SELECT v.column1, ps.unit_id, v.column2, v.column3, v.column4, 'import', v.column5 \
                 FROM (VALUES {}) AS v JOIN persons ps ON ps.id = v.column1",
                values(self.backend(), batch.len(), 5)
            );
            let mut q = sqlx::query(&sql);
            for p in batch {
                q = q
                    .bind(p.person as i64)
                    .bind(p.period.to_string())
                    .bind(p.paid_on.to_string())
                    .bind(p.amount_cents)
                    .bind(stamp);
            }
            q.execute(&mut *tx).await?;
        }
        let attendance = scale.attendance_chunk(chunk, CHUNK);
        for batch in attendance.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO attendance (meeting_id, person_id) VALUES {}",
                values(self.backend(), batch.len(), 2)
            );
            let mut q = sqlx::query(&sql);
            for a in batch {
                q = q.bind(a.meeting as i64).bind(a.person as i64);
            }
            q.execute(&mut *tx).await?;
        }
        crate::audit::append(
            &mut tx,
            None,
            "scale.activity",
            None,
            &[
                ("payments", payments.len().into()),
                ("attendance", attendance.len().into()),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok((payments.len() + attendance.len()) as u64)
    }

    /// The kept columns that today's evaluation reads, and fresh statistics.
    async fn seed_scale_kept_columns(&self) -> Result<()> {
        // Statistics first: without them PostgreSQL plans the per-person subqueries below as a
        // hash join over all meetings for each of the million people (hours instead of seconds).
        sqlx::query("ANALYZE").execute(self.pool()).await?;
        // The kept columns that today's evaluation reads.
        let mut tx = self.write().await?;
        sqlx::query(&format!(
            "UPDATE persons SET \
               paid_through = (SELECT MAX(dp.period) FROM dues_payments dp WHERE dp.person_id = persons.id \
                               AND {}), \
               last_participation = (SELECT MAX(m.held_on) FROM attendance a JOIN meetings m ON m.id = a.meeting_id \
                                     WHERE a.person_id = persons.id)",
            crate::dues::NOT_REVERSED
        ))
        .execute(&mut *tx)
        .await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT setval(pg_get_serial_sequence('meetings', 'id'), (SELECT MAX(id) FROM meetings))")
                .execute(&mut *tx)
                .await?;
        }
        crate::audit::append(&mut tx, None, "scale.kept_columns", None, &[]).await?;
        tx.commit().await?;
        match self.backend() {
            Backend::Sqlite => sqlx::query("ANALYZE").execute(self.pool()).await?,
            Backend::Postgres => sqlx::query("ANALYZE").execute(self.pool()).await?,
        };
        Ok(())
    }
}
