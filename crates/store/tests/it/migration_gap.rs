//! Migration numbers are handed out ahead of merging: a database may be migrated to number N + 2
//! before N + 1 exists. sqlx applies whatever migrations it is given that the database has not
//! seen, in order, so an N + 1 that arrives later is still applied rather than refused or
//! skipped. This checks it, on both backends, with the store's own migrations and two probes
//! numbered past them (so that it does not depend on which numbers exist today).

use crate::common::*;
use store::sqlx;
use store::Backend;

/// The store's migrations for a backend, copied into `dir`; returns the highest number.
fn copy_migrations(backend: Backend, dir: &std::path::Path) -> i64 {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(match backend {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    });
    let mut highest = 0;
    for f in std::fs::read_dir(&source).unwrap() {
        let f = f.unwrap();
        let name = f.file_name().to_string_lossy().into_owned();
        let number: i64 = name.split('_').next().unwrap().parse().unwrap();
        highest = highest.max(number);
        std::fs::copy(f.path(), dir.join(&name)).unwrap();
    }
    assert!(highest > 0, "no migrations in {}", source.display());
    highest
}

/// Runs the migrations in `dir` on the store's database, as the store runs its own.
async fn migrate(db: &TestDb, dir: &std::path::Path) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate::Migrator::new(dir)
        .await?
        .run(db.pool())
        .await
}

async fn applied(db: &TestDb) -> Vec<i64> {
    sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(db.pool())
        .await
        .unwrap()
}

on_every_backend!(a_migration_numbered_below_one_already_applied_is_still_applied);
async fn a_migration_numbered_below_one_already_applied_is_still_applied(db: &TestDb) {
    let dir = TempDir::new();
    let n = copy_migrations(db.backend, dir.path());
    assert_eq!(
        applied(db).await,
        (1..=n).collect::<Vec<_>>(),
        "the store applies its own migrations when it opens"
    );
    // N + 2 merged first, and run.
    std::fs::write(
        dir.path().join(format!("{:04}_late_probe.sql", n + 2)),
        "CREATE TABLE late_probe (x INTEGER);",
    )
    .unwrap();
    migrate(db, dir.path()).await.unwrap();
    assert_eq!(applied(db).await.last(), Some(&(n + 2)));
    assert!(!applied(db).await.contains(&(n + 1)));
    // Then N + 1 arrives: it is applied, after N + 2.
    std::fs::write(
        dir.path().join(format!("{:04}_gap_probe.sql", n + 1)),
        "CREATE TABLE gap_probe (x INTEGER);",
    )
    .unwrap();
    migrate(db, dir.path())
        .await
        .expect("a later N + 1 should apply after N + 2");
    assert_eq!(applied(db).await, (1..=n + 2).collect::<Vec<_>>());
    assert_eq!(db.count("gap_probe").await, 0, "the gap's table exists");
    assert_eq!(db.count("late_probe").await, 0);
}
