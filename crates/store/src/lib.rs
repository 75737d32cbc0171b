//! Persistence for Iskra: one behaviour on SQLite (the embedded default) and PostgreSQL (scale).
//!
//! Queries are written once, in portable SQL with `$n` placeholders, and run through sqlx's `Any`
//! driver; only the schema migrations differ per backend (identity columns). Every mutation runs
//! in one transaction, so bad input never leaves anything half-written.

pub mod accounts;
pub mod activity;
pub mod admission;
pub mod audit;
pub mod backup;
pub mod congress;
pub mod delegates;
pub mod dues;
pub mod evaluation;
pub mod exchange;
pub mod exposure;
pub mod files;
pub mod invitations;
pub mod live;
pub mod paper;
pub mod people;
pub mod roles;
pub mod roster;
pub mod seed;
pub mod statutes;
pub mod transfers;
pub mod units;
pub mod vault;

use core_rules::Refusal;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, ConnectOptions, Executor, Row, Transaction};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Raw SQL for tests only (the `test-sql` feature): no code outside the store reads or writes
/// the database but through it.
#[cfg(feature = "test-sql")]
pub use sqlx;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Url(String),
    /// Not there, or outside the reach of whoever asked: the same answer either way. The text
    /// (ids, not names) is for the command line; pages show "not found" and nothing else.
    #[error("{0} not found")]
    NotFound(String),
    /// A refusal the person who asked may read (see `core_rules::refusal`): nothing was written.
    #[error("{0}")]
    Refused(#[from] core_rules::Refusal),
    /// A fault of the system, not of the request (an unreadable stored value, a broken file):
    /// logged for the operator; pages say only that something went wrong.
    #[error("{0}")]
    Internal(String),
    #[error("the import was refused; nothing was written:\n{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<core_rules::import::RowError>),
    #[error(transparent)]
    Statutes(#[from] core_rules::statutes::StatutesError),
    #[error(transparent)]
    Vault(#[from] vault::VaultError),
    /// An invitation that cannot be used, for any reason (unknown, used, expired, withdrawn, the
    /// person no longer eligible): one answer for all, so that a link says nothing of which.
    #[error("{}", invitations::INVITATION_UNUSABLE)]
    InvitationUnusable,
    #[error("identifying details are encrypted, and this store was opened without a key (give --key-file or ISKRA_PASSPHRASE)")]
    Locked,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A refusal in fixed words (see `core_rules::refusal`).
pub(crate) fn refused(text: &'static str) -> StoreError {
    StoreError::Refused(core_rules::Refusal::new(text))
}

/// A refusal from one of the domain's rule errors.
pub(crate) fn rule(e: impl core_rules::refusal::RuleError) -> StoreError {
    StoreError::Refused(core_rules::Refusal::rule(&e))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the database is, read from `--database` or `ISKRA_DATABASE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// Accepts `sqlite://PATH`, `sqlite:PATH` and `postgres://` / `postgresql://` URLs. Anything
    /// else is refused by name rather than guessed at.
    pub fn parse(url: &str) -> Result<DatabaseUrl> {
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or("");
            if path.is_empty() || path == ":memory:" {
                return Err(StoreError::Url(format!(
                    "{url:?} names no file; Iskra keeps its data in a file, e.g. sqlite://iskra-data/iskra.db"
                )));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or(url);
        Err(StoreError::Url(format!(
            "unknown database scheme {scheme:?} in {url:?}; use sqlite://PATH or postgres://USER@HOST/DB"
        )))
    }

    pub fn sqlite_in(dir: &std::path::Path) -> DatabaseUrl {
        DatabaseUrl::Sqlite(dir.join("iskra.db"))
    }

    /// The URL with any password hidden, for messages and logs.
    pub fn display(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let creds = &u[s + 3..at];
                    match creds.split_once(':') {
                        Some((user, _)) => format!("{}{user}:***{}", &u[..s + 3], &u[at..]),
                        None => u.clone(),
                    }
                }
                _ => u.clone(),
            },
        }
    }
}

/// Whether opening may create an empty database. Only `demo` and `init` may: a mistyped path in
/// `serve` must fail loudly, not start an empty organisation beside the real one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Create {
    IfMissing,
    Never,
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Opened with `open_alone`: this store's one connection is all there is of it.
    alone: bool,
    url: DatabaseUrl,
    /// The keys that open identities; `None` until `unlock`.
    vault: Option<Arc<vault::Vault>>,
    /// Live signals to the pages (see `live`), shared by every clone of the store.
    live: Arc<live::Hub>,
    /// The congress pages' share of the live signals (see `congress::Live`).
    congress_live: congress::Live,
    /// The version of what the public sees of the papers (see `paper::PublicVersion`).
    paper_public: Arc<paper::PublicVersion>,
    /// Where today comes from, for the store and the pages (see `core_rules::Clock`).
    clock: core_rules::Clock,
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// How long a SQLite writer waits for another to finish before giving up.
pub(crate) const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens the database, runs the embedded migrations, and returns the store.
    pub async fn open(url: &DatabaseUrl, create: Create) -> Result<Store> {
        Store::open_with(url, create, None).await
    }

    /// Opens the database for one job that works alone (an import from the command line): one
    /// connection, never more. On SQLite a large import may then write its rows once, straight
    /// into the database file, instead of first to the WAL and then again at the checkpoint (see
    /// `exchange::BulkWrite`); it does so only when no other process has the database open.
    pub async fn open_alone(url: &DatabaseUrl, create: Create) -> Result<Store> {
        Store::open_with(url, create, Some(1)).await
    }

    async fn open_with(url: &DatabaseUrl, create: Create, max: Option<u32>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, conn_url, default_max) = match url {
            DatabaseUrl::Sqlite(path) => {
                if !path.exists() {
                    if create == Create::Never {
                        return Err(StoreError::Url(format!(
                            "there is no database at {}; check --database, or create one with `iskra init`",
                            path.display()
                        )));
                    }
                    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                        files::create_private_dir(dir)?;
                    }
                    // Private from the moment it exists; SQLite gives its WAL and
                    // shared-memory files the database file's mode.
                    files::create_private_file(path)?;
                }
                let mode = if create == Create::IfMissing {
                    "rwc"
                } else {
                    "rw"
                };
                (
                    Backend::Sqlite,
                    format!("sqlite://{}?mode={mode}", path.display()),
                    8,
                )
            }
            DatabaseUrl::Postgres(u) => (Backend::Postgres, u.clone(), 16),
        };
        let alone = max == Some(1);
        let max = max.unwrap_or(default_max);
        let opts = AnyConnectOptions::from_str(&conn_url)
            .map_err(|e| StoreError::Url(format!("{}: {e}", url.display())))?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Debug, Duration::from_secs(1));
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while one writer writes; the busy timeout makes
                        // a second writer wait instead of failing; foreign keys keep the tree whole.
                        // synchronous = NORMAL in WAL mode: a commit is written to the WAL before
                        // COMMIT returns (fsync only at checkpoints), so every acknowledged write
                        // survives the death of the process (kill -9, a crash); a power loss or a
                        // kernel crash could lose the last commits. We rely on the former, and
                        // test it: crates/iskra/tests/congress_kill.rs, bench/congress_kill.sh.
                        conn.execute(
                            format!(
                                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
                                 PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                            )
                            .as_str(),
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await
            .map_err(|e| StoreError::Url(format!("cannot open {}: {e}", url.display())))?;
        let store = Store {
            pool,
            backend,
            alone,
            url: url.clone(),
            vault: None,
            live: live::Hub::new(),
            congress_live: congress::Live::new(),
            paper_public: Default::default(),
            clock: core_rules::Clock::system(),
        };
        store.refuse_plaintext_identities().await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Today, by this store's clock: the system's calendar unless a test set another.
    pub fn today(&self) -> core_rules::Day {
        self.clock.today()
    }

    /// The store with another clock (a fixed one, in tests that live through days).
    pub fn with_clock(mut self, clock: core_rules::Clock) -> Store {
        self.clock = clock;
        self
    }

    /// Applies any migrations the binary carries that the database has not seen.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        // What a migration asked of the binary (see the `chores` table).
        self.resplit_closed_dues().await?;
        Ok(())
    }

    /// Identities in plain text, written before they were encrypted (migration 3), cannot be
    /// encrypted by a migration; rather than drop them, refuse to migrate such a database.
    async fn refuse_plaintext_identities(&self) -> Result<()> {
        let applied: Vec<i64> = match sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
            .fetch_all(&self.pool)
            .await
        {
            Ok(v) => v,
            Err(_) => return Ok(()), // a new database
        };
        if applied.is_empty() || applied.contains(&3) {
            return Ok(());
        }
        let plain: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM identities")
            .fetch_one(&self.pool)
            .await?;
        if plain > 0 {
            return Err(StoreError::Internal(format!(
                "{} holds {plain} identities in plain text, from before identities were encrypted. \
                 Export its people with the previous version of iskra, and import them into a new \
                 database (a demo database: move the data directory away and run `iskra demo` again)",
                self.url.display()
            )));
        }
        Ok(())
    }

    /// Opens identities with `key`. The first key to open a database is recorded by its key
    /// check value; any other key is refused ("the key does not open this database's
    /// identities") rather than allowed to read garbage or write under a second key.
    pub async fn unlock(mut self, key: &vault::KeySource) -> Result<Store> {
        let row =
            sqlx::query("SELECT key_version, key_check, passphrase_salt FROM vault WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?;
        let v = match row {
            Some(r) => {
                let version: i64 = r.try_get("key_version")?;
                let check: Vec<u8> = r.try_get("key_check")?;
                let salt: Option<Vec<u8>> = r.try_get("passphrase_salt")?;
                let master = master_key(key, salt.as_deref())?;
                let v = vault::Vault::new(&master, version);
                if v.key_check()[..] != check[..] {
                    return Err(vault::VaultError::WrongKey.into());
                }
                v
            }
            None => {
                let salt = match key {
                    vault::KeySource::Passphrase(_) => Some(vault::new_salt()),
                    _ => None,
                };
                let master = master_key(key, salt.as_deref())?;
                let v = vault::Vault::new(&master, 1);
                let mut tx = self.write().await?;
                let identities: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM identities")
                    .fetch_one(&mut *tx)
                    .await?;
                if identities > 0 {
                    return Err(StoreError::Internal(
                        "this database holds identities but no key check; it was not written by this version of iskra".into(),
                    ));
                }
                sqlx::query(
                    "INSERT INTO vault (id, key_version, key_check, passphrase_salt, changed_at) VALUES (1, 1, $1, $2, $3)",
                )
                .bind(v.key_check().to_vec())
                .bind(salt)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                v
            }
        };
        self.vault = Some(Arc::new(v));
        Ok(self)
    }

    /// The vault, or `Locked` when the store was opened without a key.
    pub fn vault(&self) -> Result<&vault::Vault> {
        self.vault.as_deref().ok_or(StoreError::Locked)
    }

    /// The vault, shared, for work handed to another thread (an import's sealing).
    pub(crate) fn vault_arc(&self) -> Result<Arc<vault::Vault>> {
        self.vault.clone().ok_or(StoreError::Locked)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether this store was opened with `open_alone`.
    pub fn alone(&self) -> bool {
        self.alone
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The connection pool. Outside the store only for tests that need raw SQL (the `test-sql`
    /// feature, enabled in the dev-dependencies of the crates whose tests do).
    #[cfg(feature = "test-sql")]
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The connection pool, for the store's own queries.
    #[cfg(not(feature = "test-sql"))]
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE),
    /// so two writers queue on the busy timeout instead of one failing half-way through.
    pub(crate) async fn write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The organisation's name, if it has been set up.
    pub async fn organisation(&self) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar::<_, String>("SELECT name FROM organisation WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

/// The master key from its source; a passphrase needs the database's salt.
pub(crate) fn master_key(key: &vault::KeySource, salt: Option<&[u8]>) -> Result<vault::MasterKey> {
    Ok(match key {
        vault::KeySource::Key(k) => k.clone(),
        vault::KeySource::File(p) => vault::read_key_file(p)?,
        vault::KeySource::Passphrase(p) => {
            match salt {
                Some(salt) => vault::MasterKey::from_passphrase(p, salt)?,
                None => return Err(StoreError::Internal(
                    "this database was set up with a key file, not a passphrase; give --key-file"
                        .into(),
                )),
            }
        }
    })
}

/// Sets up a new organisation: its name, the default unit kinds, its founding statutes, its
/// central committee and its first administrator. Refuses if one is already set up.
pub async fn init_organisation(
    store: &Store,
    name: &str,
    central_name: &str,
    admin_login: &str,
    admin_password: &str,
    founded: core_rules::Day,
) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Refusal::on("name", "the organisation needs a name").into());
    }
    core_rules::text::ORGANISATION_NAME.check(name.trim())?;
    accounts::check_new_password(admin_password)?;
    let hash = accounts::hash_password(admin_password)?;
    let mut tx = store.write().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organisation WHERE id = 1")
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        return Err(StoreError::Internal(
            "this database already holds an organisation".into(),
        ));
    }
    sqlx::query("INSERT INTO organisation (id, name, created_at) VALUES (1, $1, $2)")
        .bind(name.trim())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    let kinds = core_rules::units::default_kinds();
    for k in &kinds {
        units::insert_kind(&mut tx, k).await?;
    }
    statutes::insert_version(
        &mut tx,
        &kinds,
        &core_rules::statutes::Statutes::founding(),
        founded,
        founded,
        "Founding congress",
    )
    .await?;
    let central = units::insert_unit(
        &mut tx,
        &core_rules::units::NewUnit {
            code: "cc".into(),
            name: central_name.into(),
            kind: "central".into(),
            parent: None,
            area: String::new(),
            closed: false,
        },
    )
    .await?;
    let admin = accounts::insert_account(&mut tx, admin_login, None, &hash, true).await?;
    audit::append(
        &mut tx,
        None,
        "organisation.init",
        None,
        &[("unit", central.into()), ("account", admin.into())],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_strictly() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/iskra.db").unwrap(),
            DatabaseUrl::Sqlite("data/iskra.db".into())
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        let e = DatabaseUrl::parse("mysql://root@localhost/x").unwrap_err();
        assert!(
            e.to_string().contains("unknown database scheme \"mysql\""),
            "{e}"
        );
        assert!(DatabaseUrl::parse("sqlite::memory:").is_err());
        assert!(DatabaseUrl::parse("iskra.db").is_err());
    }

    #[test]
    fn passwords_never_reach_messages() {
        let u = DatabaseUrl::parse("postgres://iskra:s3cret@db.internal/iskra").unwrap();
        assert_eq!(u.display(), "postgres://iskra:***@db.internal/iskra");
    }
}
