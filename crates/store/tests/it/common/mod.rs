//! The harness of the store's story suite: every story runs once per backend, each run on a
//! database of its own.
//!
//! SQLite always runs, on a file in a fresh temporary directory. PostgreSQL runs whenever
//! `ISKRA_TEST_POSTGRES_URL` names a server (a maintenance URL such as
//! `postgres://postgres@127.0.0.1:5432/postgres`): each run creates a database
//! `iskra_test_<pid>_<n>_<random>` through that URL (with an ICU en-US collation where the
//! server has one, so that nothing depends on a C-locale server), opens the store on it, and
//! drops it when the run ends, whether the story passed or panicked.
//!
//! Under CI (`CI` set and not `false`/`0`) the PostgreSQL half must not pass by default: an unset
//! `ISKRA_TEST_POSTGRES_URL` or an unreachable server fails every PostgreSQL test, with a message
//! saying which. Outside CI an unset URL skips the PostgreSQL half (and says so once); a URL that
//! is set but unreachable fails, since whoever set it asked for PostgreSQL.

#![allow(dead_code)] // Each test binary uses its own part of the harness.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::Duration;

use core_rules::people::{Identity, Status};
use core_rules::units::NewUnit;
use core_rules::Day;
use store::people::NewPerson;
use store::sqlx::postgres::PgConnection;
use store::sqlx::{self, Connection, Executor};
use store::{Backend, Create, DatabaseUrl, Store};

pub const POSTGRES_ENV: &str = "ISKRA_TEST_POSTGRES_URL";

/// The key every story's store is opened with (a fixed one: tests are not secrets).
pub const TEST_KEY: [u8; 32] = [0x5a; 32];

/// The source of `TEST_KEY`, for `Store::unlock`.
pub fn test_key() -> store::vault::KeySource {
    store::vault::KeySource::Key(store::vault::MasterKey::from_bytes(TEST_KEY))
}

/// Opens a store and unlocks it with the test key.
pub async fn open_unlocked(url: &DatabaseUrl, create: Create) -> store::Result<Store> {
    Store::open(url, create).await?.unlock(&test_key()).await
}

/// The administrator every story's organisation starts with.
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

fn under_ci() -> bool {
    std::env::var("CI")
        .map(|v| !v.is_empty() && v != "false" && v != "0")
        .unwrap_or(false)
}

/// The maintenance URL, or `None` when the PostgreSQL half is to be skipped.
fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(u) if !u.trim().is_empty() => Some(u.trim().to_string()),
        _ if under_ci() => panic!(
            "CI is set but {POSTGRES_ENV} is not: the PostgreSQL half of the store's story suite \
             would silently not run. Set {POSTGRES_ENV} to a server the tests can reach, e.g. \
             postgres://postgres@127.0.0.1:5432/postgres"
        ),
        _ => {
            static SAID: Once = Once::new();
            SAID.call_once(|| {
                eprintln!("note: {POSTGRES_ENV} is not set; the store's stories run on SQLite only")
            });
            None
        }
    }
}

/// The same server URL with another database in its path (query string kept).
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

async fn maintenance(url: &str) -> PgConnection {
    let shown = DatabaseUrl::Postgres(url.to_string()).display();
    match tokio::time::timeout(Duration::from_secs(15), PgConnection::connect(url)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            panic!("{POSTGRES_ENV}={shown} is set but the PostgreSQL server cannot be reached: {e}")
        }
        Err(_) => panic!(
            "{POSTGRES_ENV}={shown} is set but the PostgreSQL server did not answer within 15 s"
        ),
    }
}

/// A database created for one test run and dropped when the run ends.
struct PgDatabase {
    maintenance_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // Drop runs outside any async context we could await in (and also while unwinding from
        // a failed story), so the DROP DATABASE gets a thread and a small runtime of its own.
        // FORCE ends the store's pooled connections, which are still open at this point.
        let url = self.maintenance_url.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let mut c = PgConnection::connect(&url)
                    .await
                    .map_err(|e| e.to_string())?;
                c.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                    .await
                    .map_err(|e| e.to_string())?;
                c.close().await.map_err(|e| e.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!("warning: dropping test database {} panicked", self.name),
        }
    }
}

/// One run's store and what must outlive it. Derefs to the `Store`.
pub struct TestDb {
    pub store: Store,
    pub backend: Backend,
    /// The SQLite file's directory (removed after the run).
    dir: Option<TempDir>,
    /// Declared after `store`, so it is dropped after the store's handle is released.
    pg: Option<PgDatabase>,
}

impl std::ops::Deref for TestDb {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A directory of its own under the system's temporary directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "iskra-store-test-{}-{}-{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&p)
            .unwrap_or_else(|e| panic!("creating temporary directory {}: {e}", p.display()));
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TestDb {
    /// A fresh, empty SQLite store in a temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = TempDir::new();
        let url = DatabaseUrl::Sqlite(dir.path().join("iskra.db"));
        let store = open_unlocked(&url, Create::IfMissing)
            .await
            .unwrap_or_else(|e| panic!("opening a new SQLite store: {e}"));
        TestDb {
            store,
            backend: Backend::Sqlite,
            dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh, empty PostgreSQL store on its own database, or `None` if PostgreSQL is not
    /// configured (outside CI).
    pub async fn postgres() -> Option<TestDb> {
        let url = postgres_url()?;
        let name = format!(
            "iskra_test_{}_{}_{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut c = maintenance(&url).await;
        // A linguistic collation, as a server set up in en_US would give every database: the
        // store must behave as on SQLite whatever the server's default (this server's own
        // default here is C). Needs PostgreSQL 15 with ICU; otherwise the server's default.
        let icu = format!(
            "CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' \
             LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
        );
        if let Err(e) = c.execute(icu.as_str()).await {
            static SAID: Once = Once::new();
            SAID.call_once(|| {
                eprintln!("note: test databases use the server's default collation ({e})")
            });
            c.execute(format!("CREATE DATABASE \"{name}\"").as_str())
                .await
                .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        }
        let _ = c.close().await;
        // From here on the database exists, so the guard drops it even if opening fails.
        let pg = PgDatabase {
            maintenance_url: url.clone(),
            name: name.clone(),
        };
        let store = open_unlocked(
            &DatabaseUrl::Postgres(with_database(&url, &name)),
            Create::Never,
        )
        .await
        .unwrap_or_else(|e| panic!("opening the store on test database {name}: {e}"));
        Some(TestDb {
            store,
            backend: Backend::Postgres,
            dir: None,
            pg: Some(pg),
        })
    }

    /// Another fresh, empty store on the same backend (for stories that move data between two).
    pub async fn another(&self) -> TestDb {
        match self.backend {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres => TestDb::postgres()
                .await
                .expect("PostgreSQL was configured a moment ago"),
        }
    }

    /// The temporary directory of an SQLite run.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(|d| d.path())
    }

    /// The number of rows in a table, read directly, to show that nothing was written.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.store.pool())
            .await
            .unwrap_or_else(|e| panic!("counting {table}: {e}"))
    }

    /// Row counts of every table a story's mutations touch, to compare before and after.
    pub async fn counts(&self) -> Vec<(&'static str, i64)> {
        let mut out = Vec::new();
        for t in TABLES {
            out.push((t, self.count(t).await));
        }
        out
    }
}

pub const TABLES: [&str; 18] = [
    "organisation",
    "unit_kinds",
    "units",
    "unit_tree",
    "accounts",
    "sessions",
    "imports",
    "persons",
    "identities",
    "vault",
    "person_history",
    "statutes",
    "dues_payments",
    "dues_shares",
    "dues_reversals",
    "meetings",
    "attendance",
    "tasks",
];

/// Runs stories once per backend: `on_every_backend!(name)` makes `name::sqlite` and
/// `name::postgres` tests calling `async fn name(db: &TestDb)`.
macro_rules! on_every_backend {
    ($($story:ident),+ $(,)?) => {$(
        mod $story {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::common::TestDb::sqlite().await;
                super::$story(&db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::common::TestDb::postgres().await {
                    super::$story(&db).await;
                }
            }
        }
    )+};
}

// ---------------------------------------------------------------------------------------------
// A small organisation most stories start from.

pub fn today() -> Day {
    Day::today()
}

pub fn days_ago(n: i64) -> Day {
    Day::today().add_days(-n)
}

/// The units of the small organisation, by id.
#[derive(Clone, Copy, Debug)]
pub struct Org {
    pub admin: i64,
    pub cc: i64,
    pub north: i64,
    pub docks: i64,
    pub docks1: i64,
    pub docks2: i64,
    pub south: i64,
    pub women: i64,
    pub union: i64,
}

pub fn new_unit(code: &str, name: &str, kind: &str, parent: Option<&str>) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        parent: parent.map(Into::into),
        area: String::new(),
        closed: false,
    }
}

/// Sets up "Test Party", founded 400 days ago, with a central committee and this tree:
/// cc > north (regional) > docks (local) > docks-1, docks-2 (circles); cc > south (regional);
/// cc > women (section); cc > union (affiliated body).
pub async fn org(db: &TestDb) -> Org {
    store::init_organisation(
        db,
        "Test Party",
        "Central Committee",
        ADMIN,
        ADMIN_PASSWORD,
        days_ago(400),
    )
    .await
    .expect("init_organisation on an empty store");
    let db_admin = db
        .account_by_login(ADMIN)
        .await
        .unwrap()
        .expect("the administrator's account exists");
    let id = |code: &'static str, name: &'static str, kind, parent| async move {
        db.create_unit(&new_unit(code, name, kind, Some(parent)), Some(db_admin))
            .await
            .unwrap_or_else(|e| panic!("creating unit {code}: {e}"))
    };
    let north = id("north", "North Region", "regional", "cc").await;
    let docks = id("docks", "Docks Local", "local", "north").await;
    let docks1 = id("docks-1", "Docks Circle 1", "circle", "docks").await;
    let docks2 = id("docks-2", "Docks Circle 2", "circle", "docks").await;
    let south = id("south", "South Region", "regional", "cc").await;
    let women = id("women", "Women's Section", "section", "cc").await;
    let union = id("union", "Dockers' Union", "affiliate", "cc").await;
    let cc = db.unit_by_code("cc").await.unwrap().expect("cc exists").id;
    let admin = db
        .account_by_login(ADMIN)
        .await
        .unwrap()
        .expect("the administrator's account exists");
    Org {
        admin,
        cc,
        north,
        docks,
        docks1,
        docks2,
        south,
        women,
        union,
    }
}

pub fn identity(email: &str, phone: &str) -> Identity {
    Identity {
        legal_name: format!("Legal name of {email}{phone}"),
        email: email.into(),
        phone: phone.into(),
        ..Identity::default()
    }
}

/// A person to create in `unit`: recorded `since` days ago, with the given status and
/// identity; members are admitted on their first day and have accepted the programme.
pub fn person(pseudonym: &str, unit: i64, status: Status, since: i64, who: Identity) -> NewPerson {
    let member = status == Status::Member;
    NewPerson {
        card: None,
        pseudonym: pseudonym.into(),
        unit_id: unit,
        status,
        since: days_ago(since),
        admitted_on: member.then(|| days_ago(since)),
        programme_accepted: member,
        monthly_income_cents: Some(150_000),
        reduced_rate: false,
        identity: who,
    }
}

pub fn path_of(db: &TestDb) -> PathBuf {
    match db.url() {
        DatabaseUrl::Sqlite(p) => p.clone(),
        DatabaseUrl::Postgres(_) => panic!("path_of is for SQLite stores"),
    }
}
