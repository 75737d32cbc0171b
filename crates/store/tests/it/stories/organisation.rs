//! Setting up an organisation.

use super::*;

on_every_backend!(an_organisation_is_set_up_once);
async fn an_organisation_is_set_up_once(db: &TestDb) {
    assert_eq!(
        db.organisation().await.unwrap(),
        None,
        "a new database should hold no organisation"
    );
    // Refusals on an empty database leave it empty.
    let before = db.counts().await;
    let e = store::init_organisation(db, "  ", "CC", "admin", ADMIN_PASSWORD, today())
        .await
        .expect_err("an organisation without a name should be refused");
    assert!(e.to_string().contains("needs a name"), "{e}");
    let e = store::init_organisation(db, "Party", "CC", "admin", "short", today())
        .await
        .expect_err("a short administrator password should be refused");
    assert!(e.to_string().contains("10 characters"), "{e}");
    assert_eq!(db.counts().await, before, "a refused init wrote something");

    let o = org(db).await;
    assert_eq!(
        db.organisation().await.unwrap().as_deref(),
        Some("Test Party")
    );
    let versions = db.statutes_versions().await.unwrap();
    assert_eq!(versions.len(), 1, "init should adopt the founding statutes");
    assert_eq!(versions[0].rules, Statutes::founding());
    assert_eq!(versions[0].effective_from, days_ago(400));
    let kinds: Vec<String> = db
        .unit_kinds()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.code)
        .collect();
    let mut default: Vec<String> = core_rules::units::default_kinds()
        .into_iter()
        .map(|k| k.code)
        .collect();
    let mut got = kinds.clone();
    got.sort();
    default.sort();
    assert_eq!(got, default, "init should create the default unit kinds");
    let cc = db.unit(o.cc).await.unwrap().expect("the central committee");
    assert_eq!(
        (cc.name.as_str(), cc.kind.as_str(), cc.parent_id),
        ("Central Committee", "central", None)
    );
    let admin = db
        .check_login(ADMIN, ADMIN_PASSWORD)
        .await
        .unwrap()
        .expect("the first administrator should be able to log in");
    assert!(admin.is_admin);

    let before = db.counts().await;
    let e = store::init_organisation(
        db,
        "Another Party",
        "Other CC",
        "admin2",
        "another long password",
        today(),
    )
    .await
    .expect_err("a second init should be refused");
    assert!(
        e.to_string().contains("already holds an organisation"),
        "{e}"
    );
    assert_eq!(
        db.counts().await,
        before,
        "a refused second init wrote something"
    );
    assert_eq!(
        db.organisation().await.unwrap().as_deref(),
        Some("Test Party"),
        "a refused second init renamed the organisation"
    );

    // Opening the same database again (a restart) finds it as it was; the migrations that
    // already ran are not run again.
    let again = open_unlocked(db.url(), store::Create::Never)
        .await
        .expect("reopening an existing database");
    assert_eq!(
        again.organisation().await.unwrap().as_deref(),
        Some("Test Party")
    );
    assert_eq!(again.units().await.unwrap().len(), 8);
    again.close().await;
}

#[tokio::test]
async fn opening_a_missing_sqlite_file_without_create_fails_and_creates_nothing() {
    let dir = TempDir::new();
    let path = dir.path().join("nested").join("iskra.db");
    let e = store::Store::open(
        &store::DatabaseUrl::Sqlite(path.clone()),
        store::Create::Never,
    )
    .await
    .expect_err("opening a missing database with Create::Never should fail");
    assert!(
        e.to_string().contains(&path.display().to_string()),
        "the message should name the path: {e}"
    );
    assert!(!path.exists(), "Create::Never created the database file");
    assert!(
        !dir.path().join("nested").exists(),
        "Create::Never created the database's directory"
    );
}

#[tokio::test]
async fn unknown_database_urls_are_refused() {
    for url in [
        "mysql://root@localhost/iskra",
        "iskra.db",
        "sqlite::memory:",
        "sqlite://",
    ] {
        let e = store::DatabaseUrl::parse(url).expect_err(url);
        assert!(matches!(e, StoreError::Url(_)), "{url}: {e}");
    }
    let e = store::DatabaseUrl::parse("mysql://root@localhost/iskra").unwrap_err();
    assert!(e.to_string().contains("\"mysql\""), "{e}");
}

#[tokio::test]
async fn opening_a_missing_postgres_database_fails_naming_it() {
    // Runs under the same rules as the PostgreSQL stories: skipped only outside CI.
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let store::DatabaseUrl::Postgres(url) = db.url().clone() else {
        unreachable!()
    };
    let missing = with_database(&url, "iskra_test_no_such_database");
    let e = store::Store::open(
        &store::DatabaseUrl::Postgres(missing.clone()),
        store::Create::Never,
    )
    .await
    .expect_err("opening a database that does not exist should fail");
    assert!(
        e.to_string().contains("iskra_test_no_such_database"),
        "the message should name the database: {e}"
    );
}
