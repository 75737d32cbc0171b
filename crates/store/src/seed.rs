//! The door through which the `fixtures` crate writes the demo and the generated organisations.
//!
//! Seeding writes a whole organisation at once: thousands of rows to a transaction, many rows to
//! a statement, with ids it chose itself. The ordinary methods, one change and one audit entry
//! each, would take hours for a million people, so the seeders write rows with SQL through a
//! [`Seeding`] transaction instead. Nothing else uses it. What it keeps in the store:
//!
//! - the transaction itself (`BEGIN IMMEDIATE` on SQLite), and its audit entry, appended last by
//!   [`Seeding::commit`] as every change's is;
//! - the checks and encryption of the rows that have them (units, people, payments, accounts,
//!   the statutes), through the same functions the store's own changes use;
//! - every difference between the backends: placeholders ([`Seeding::values`]) and sequences
//!   ([`Seeding::sequence_after_explicit_ids`]).

use crate::audit::{self, Value};
use crate::dues::NewPayment;
use crate::people::NewPerson;
use crate::{Backend, Result, Store};
use core_rules::statutes::{Statutes, StatutesVersion};
use core_rules::units::{NewUnit, UnitKind};
use core_rules::Day;
use sqlx::{Any, AnyConnection, Transaction};

/// The condition, on a payment `dp`, that it was not reversed (for the seeders' kept columns).
pub const NOT_REVERSED: &str = crate::dues::NOT_REVERSED;

/// Now, in seconds since the epoch, as the store stamps its rows.
pub fn now() -> i64 {
    crate::now()
}

/// Hashes a password with Argon2 off the async workers, queued as logins are.
pub async fn hash_password(password: &str) -> Result<String> {
    let pw = password.to_string();
    crate::accounts::hashing(move || crate::accounts::hash_password(&pw)).await?
}

/// A write transaction for seeding (see the module's comment). Dropped without [`commit`], it
/// rolls back.
///
/// [`commit`]: Seeding::commit
pub struct Seeding<'s> {
    store: &'s Store,
    tx: Transaction<'static, Any>,
}

impl Store {
    /// Begins a seeding transaction (see [`crate::seed`]).
    pub async fn seeding(&self) -> Result<Seeding<'_>> {
        Ok(Seeding {
            store: self,
            tx: self.write().await?,
        })
    }

    /// Fresh statistics for the query planner, after a bulk load.
    pub async fn analyze(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(self.pool()).await?;
        Ok(())
    }
}

impl Seeding<'_> {
    /// The transaction's connection, for the seeders' SQL.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// The placeholders of a multi-row VALUES list of `rows` rows of `cols` columns, bound in
    /// order. On SQLite they are anonymous (`?`): sqlx binds a numbered parameter by asking
    /// SQLite for its name, and SQLite finds a name by walking the statement's list of names, so
    /// a statement of n `$k` parameters costs n² steps (for 400 rows of 13 columns, three
    /// quarters of a million-person import's time).
    pub fn values(&self, rows: usize, cols: usize) -> String {
        let backend = self.store.backend();
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

    /// After rows were written into `table` with ids chosen by the seeder: on PostgreSQL the
    /// table's id sequence moves past the largest, so that the next ordinary insert does not
    /// collide (SQLite needs nothing).
    pub async fn sequence_after_explicit_ids(&mut self, table: &'static str) -> Result<()> {
        if self.store.backend() == Backend::Postgres {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Sets up the organisation in an empty database: its name, the default unit kinds, and
    /// `rules` as the statutes adopted by the founding congress on `founded`.
    pub async fn organisation(
        &mut self,
        name: &str,
        rules: &Statutes,
        founded: Day,
    ) -> Result<Vec<UnitKind>> {
        sqlx::query("INSERT INTO organisation (id, name, created_at) VALUES (1, $1, $2)")
            .bind(name)
            .bind(crate::now())
            .execute(&mut *self.tx)
            .await?;
        let kinds = core_rules::units::default_kinds();
        for k in &kinds {
            crate::units::insert_kind(&mut self.tx, k).await?;
        }
        crate::statutes::insert_version(
            &mut self.tx,
            &kinds,
            rules,
            founded,
            founded,
            "Founding congress",
        )
        .await?;
        Ok(kinds)
    }

    /// A unit under its parent, with its closure rows. Its id.
    pub async fn unit(&mut self, u: &NewUnit) -> Result<i64> {
        crate::units::insert_unit(&mut self.tx, u).await
    }

    /// A person, their identity sealed by the store's vault. Their id.
    pub async fn person(&mut self, p: &NewPerson) -> Result<i64> {
        let v = self.store.vault()?;
        crate::people::insert_person(&mut self.tx, v, p, None, None).await
    }

    /// A line of a person's history.
    pub async fn history(
        &mut self,
        person: i64,
        on: Day,
        change: &str,
        from: Option<&str>,
        to: Option<&str>,
        reason: &str,
    ) -> Result<()> {
        crate::people::record_history(&mut self.tx, person, on, change, from, to, reason, None)
            .await
    }

    /// A dues payment, split up the tree by the statutes `versions` as a treasurer's is.
    pub async fn payment(&mut self, p: &NewPayment, versions: &[StatutesVersion]) -> Result<i64> {
        let today = self.store.today();
        crate::dues::insert_payment(&mut self.tx, p, None, versions, today).await
    }

    /// An account with an Argon2 `hash` made beforehand (see [`hash_password`]). Its id.
    pub async fn account(
        &mut self,
        login: &str,
        person: Option<i64>,
        hash: &str,
        admin: bool,
    ) -> Result<i64> {
        crate::accounts::insert_account(&mut self.tx, login, person, hash, admin).await
    }

    /// Appends the seeding's one audit entry (fixed words and counts) and commits.
    pub async fn commit(
        mut self,
        action: &'static str,
        object: Option<(&'static str, i64)>,
        detail: &[(&'static str, Value)],
    ) -> Result<()> {
        audit::append(&mut self.tx, None, action, object, detail).await?;
        self.tx.commit().await?;
        Ok(())
    }

    /// Ends a seeding transaction that only read.
    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}
