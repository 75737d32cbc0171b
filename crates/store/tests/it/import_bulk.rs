//! A large import into SQLite from a store opened alone (`iskra import people`) writes its rows
//! once, into the database file, instead of through the WAL (issue 2: the import's speed). These
//! stories check what a user relies on afterwards: the database is whole, back in WAL mode with
//! foreign keys on, its indexes are all there, and an import that fails leaves nothing behind.
//! SQLite only: PostgreSQL has no such mode. `cargo test -p store --test it import_bulk::`.

use crate::common::*;
use fixtures::generate::{scale_units, write_people_csv};
use store::sqlx;
use store::{Create, Store};

/// Enough new people for the bulk path (it starts at 20,000).
const PEOPLE: u64 = 24_000;

/// A generated organisation's units in `db`, and a CSV of its people.
async fn organisation(db: &TestDb) -> Vec<u8> {
    let units = scale_units(1912, PEOPLE);
    fixtures::Seeder(db)
        .seed_units("Bulk", &units, today())
        .await
        .unwrap();
    let mut csv = Vec::new();
    write_people_csv(1912, PEOPLE, &units, today(), &mut csv).unwrap();
    csv
}

async fn open_alone(db: &TestDb) -> Store {
    Store::open_alone(db.url(), Create::Never)
        .await
        .unwrap()
        .unlock(&test_key())
        .await
        .unwrap()
}

fn size(path: std::path::PathBuf) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn beside(db: &TestDb, suffix: &str) -> std::path::PathBuf {
    let mut p = path_of(db).into_os_string();
    p.push(suffix);
    p.into()
}

async fn text(store: &Store, sql: &str) -> String {
    sqlx::query_scalar::<_, String>(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn int(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn indexes(store: &Store) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
         AND tbl_name IN ('persons', 'identities') ORDER BY name",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
}

/// What every connection of a store must be like after an import, whichever way it went.
async fn as_always(store: &Store) {
    assert_eq!(text(store, "PRAGMA journal_mode").await, "wal");
    assert_eq!(int(store, "PRAGMA foreign_keys").await, 1);
    assert_eq!(int(store, "PRAGMA synchronous").await, 1, "NORMAL");
    assert_eq!(text(store, "PRAGMA integrity_check").await, "ok");
    let dangling = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(
        dangling.is_empty(),
        "{} rows point at nothing",
        dangling.len()
    );
}

#[tokio::test]
async fn an_import_alone_writes_into_the_file_and_leaves_it_as_always() {
    let db = TestDb::sqlite().await;
    let csv = organisation(&db).await;
    let before = indexes(&db).await;
    assert!(!before.is_empty());
    db.close().await;

    let alone = open_alone(&db).await;
    let report = alone
        .import_people(|| Ok(csv.as_slice()), "people.csv", None, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.created, PEOPLE);
    // Through the WAL, every page of the import would be in the WAL file (a checkpoint copies
    // them on, but the file keeps its size); written straight into the database, it is empty.
    let wal = size(beside(&db, "-wal"));
    let file = size(path_of(&db));
    assert!(
        file > 8 << 20,
        "the database holds the people: {file} bytes"
    );
    assert!(wal < 1 << 20, "the WAL holds {wal} bytes");
    assert!(
        !beside(&db, "-journal").exists(),
        "the rollback journal is gone"
    );
    // The import's one connection is set back: the same checks read through it.
    as_always(&alone).await;
    assert_eq!(indexes(&alone).await, before);
    assert_eq!(
        int(&alone, "SELECT COUNT(*) FROM identities").await,
        PEOPLE as i64
    );

    // The same file again changes nobody, and finds everybody by their keys.
    let again = alone
        .import_people(|| Ok(csv.as_slice()), "people.csv", None, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((again.created, again.unchanged), (0, PEOPLE));
    alone.close().await;

    let reopened = open_unlocked(db.url(), Create::Never).await.unwrap();
    as_always(&reopened).await;
    assert_eq!(
        int(&reopened, "SELECT COUNT(*) FROM persons").await,
        PEOPLE as i64
    );
    reopened.close().await;
}

#[tokio::test]
async fn with_the_database_open_elsewhere_an_import_goes_through_the_wal() {
    let db = TestDb::sqlite().await;
    let csv = organisation(&db).await;
    // Another user of the database (a running server): it holds a connection open.
    let held = db.pool().acquire().await.unwrap();

    let alone = open_alone(&db).await;
    let report = alone
        .import_people(|| Ok(csv.as_slice()), "people.csv", None, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.created, PEOPLE);
    assert!(
        size(beside(&db, "-wal")) > 4 << 20,
        "the rows went through the WAL"
    );
    as_always(&alone).await;
    drop(held);
    assert_eq!(
        int(&db, "SELECT COUNT(*) FROM persons").await,
        PEOPLE as i64
    );
    alone.close().await;
}

#[tokio::test]
async fn a_file_changed_between_the_passes_writes_nothing_and_leaves_it_as_always() {
    let db = TestDb::sqlite().await;
    let csv = organisation(&db).await;
    let before = indexes(&db).await;
    db.close().await;

    // The second read finds a row the first did not check: its unit is unknown.
    let text_of = String::from_utf8(csv.clone()).unwrap();
    let last = text_of.trim_end().rsplit('\n').next().unwrap().to_string();
    let mut fields: Vec<&str> = last.split(',').collect();
    fields[2] = "no-such-unit";
    let changed = text_of.replace(&last, &fields.join(","));
    assert_ne!(changed, text_of);
    let mut reads = 0;
    let alone = open_alone(&db).await;
    let err = alone
        .import_people(
            || {
                reads += 1;
                Ok(if reads == 1 {
                    csv.as_slice()
                } else {
                    changed.as_bytes()
                })
            },
            "people.csv",
            None,
            &mut |_| {},
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("people.csv changed while importing"),
        "{err}"
    );
    assert_eq!(int(&alone, "SELECT COUNT(*) FROM persons").await, 0);
    assert_eq!(int(&alone, "SELECT COUNT(*) FROM imports").await, 0);
    as_always(&alone).await;
    assert_eq!(indexes(&alone).await, before);
    alone.close().await;
}
