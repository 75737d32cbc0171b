//! What users rely on the store for, told as stories. Each story is written once and runs on
//! every backend (see `common`): SQLite always, PostgreSQL when `ISKRA_TEST_POSTGRES_URL` is set
//! (required under CI). `cargo test -p iskra-store --test stories postgres` runs only the
//! PostgreSQL half; `... sqlite` only the SQLite half.

use crate::common::*;
use core_rules::dues::Share;
use core_rules::people::Status;
use core_rules::statutes::{evaluate, Formula, Statutes};
use core_rules::Day;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use std::collections::{BTreeMap, BTreeSet};
use store::admission::Decision;
use store::dues::NewPayment;
use store::evaluation::UnitCounts;
use store::people::NewPerson;
use store::sqlx::{self, Column, Row};
use store::{Backend, StoreError};

fn rows_of(e: &StoreError) -> Vec<(u64, String)> {
    match e {
        StoreError::Rows(rows) => rows.iter().map(|r| (r.line, r.column.clone())).collect(),
        other => panic!("expected a refusal listing rows, got: {other}"),
    }
}

fn codes(units: &[store::units::Unit]) -> Vec<String> {
    units.iter().map(|u| u.code.clone()).collect()
}

fn payment(person: i64, paid_on: Day, amount_cents: i64) -> NewPayment {
    NewPayment {
        person,
        period: paid_on.month(),
        paid_on,
        amount_cents,
        source: "treasurer",
        reference: None,
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Setting up an organisation.

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

// ---------------------------------------------------------------------------------------------
// 2. The unit tree.

on_every_backend!(units_form_a_tree);
async fn units_form_a_tree(db: &TestDb) {
    let o = org(db).await;
    assert_eq!(
        codes(&db.chain(o.docks1).await.unwrap()),
        ["docks-1", "docks", "north", "cc"],
        "chain() should list the unit and those above it, nearest first"
    );
    assert_eq!(codes(&db.chain(o.cc).await.unwrap()), ["cc"]);
    assert_eq!(
        codes(&db.children(o.docks).await.unwrap()),
        ["docks-1", "docks-2"]
    );
    // All four are of level 1, so by name.
    assert_eq!(
        codes(&db.children(o.cc).await.unwrap()),
        ["union", "north", "south", "women"]
    );
    assert!(db.children(o.docks1).await.unwrap().is_empty());

    for (unit, ancestor, within) in [
        (o.docks1, o.docks1, true),
        (o.docks1, o.docks, true),
        (o.docks1, o.north, true),
        (o.docks1, o.cc, true),
        (o.north, o.docks1, false),
        (o.docks1, o.docks2, false),
        (o.docks1, o.south, false),
        (o.women, o.north, false),
    ] {
        assert_eq!(
            db.is_within(unit, ancestor).await.unwrap(),
            within,
            "is_within({unit}, {ancestor})"
        );
    }
    let sub = |v: Vec<i64>| v.into_iter().collect::<BTreeSet<_>>();
    assert_eq!(
        sub(db.subtree(o.north).await.unwrap()),
        sub(vec![o.north, o.docks, o.docks1, o.docks2])
    );
    assert_eq!(
        sub(db.subtree(o.docks1).await.unwrap()),
        sub(vec![o.docks1])
    );
    assert_eq!(db.subtree(o.cc).await.unwrap().len(), 8);

    let all = db.units().await.unwrap();
    assert_eq!(all.len(), 8);
    for (i, u) in all.iter().enumerate() {
        if let Some(p) = u.parent_id {
            let at = all.iter().position(|x| x.id == p).expect("parent listed");
            assert!(at < i, "units() listed {} before its parent", u.code);
        }
    }
    let d1 = db.unit(o.docks1).await.unwrap().unwrap();
    assert_eq!(
        (
            d1.kind.as_str(),
            d1.kind_name.as_str(),
            d1.level,
            d1.parent_id
        ),
        ("circle", "Circle", 3, Some(o.docks))
    );
    assert_eq!(db.unit_by_code("docks-1").await.unwrap(), Some(d1));
    assert_eq!(db.unit_by_code("nowhere").await.unwrap(), None);

    // Refusals write nothing: no unit, no closure rows.
    let before = db.counts().await;
    for (bad, words) in [
        (
            new_unit("docks-3", "Docks Circle 3", "circle", Some("nowhere")),
            "no parent unit \"nowhere\"",
        ),
        (
            new_unit("docks-1", "Another circle", "circle", Some("docks")),
            "\"docks-1\" already exists",
        ),
        (
            new_unit("docks-3", "Docks Cell 3", "cell", Some("docks")),
            "no unit kind \"cell\"",
        ),
        (
            new_unit("Docks 3", "Docks Circle 3", "circle", Some("docks")),
            "not a usable unit code",
        ),
        (
            new_unit("docks-3", "  ", "circle", Some("docks")),
            "needs a name",
        ),
    ] {
        let e = db
            .create_unit(&bad, None)
            .await
            .expect_err(&format!("{bad:?} should be refused"));
        assert!(e.to_string().contains(words), "expected {words:?} in: {e}");
    }
    assert_eq!(db.counts().await, before, "a refused unit left rows behind");

    // An organisation's own words for its bodies; the code, which statutes use, stays.
    db.rename_kind("circle", "Cell", "Cells", Some(o.admin))
        .await
        .unwrap();
    let circle = db
        .unit_kinds()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.code == "circle")
        .expect("the kind keeps its code");
    assert_eq!(
        (circle.name.as_str(), circle.plural.as_str()),
        ("Cell", "Cells")
    );
    let d1 = db.unit(o.docks1).await.unwrap().unwrap();
    assert_eq!(
        (d1.kind.as_str(), d1.kind_name.as_str()),
        ("circle", "Cell")
    );
    let e = db.rename_kind("cell", "X", "Xs", None).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");

    // A new unit joins the closure table under its whole chain.
    let d3 = db
        .create_unit(
            &new_unit("docks-3", "Docks Circle 3", "circle", Some("docks")),
            Some(o.admin),
        )
        .await
        .unwrap();
    assert!(db.is_within(d3, o.cc).await.unwrap());
    assert!(db.subtree(o.north).await.unwrap().contains(&d3));
}

// ---------------------------------------------------------------------------------------------
// 3. People.

on_every_backend!(people_keep_their_identity_apart_and_their_history);
async fn people_keep_their_identity_apart_and_their_history(db: &TestDb) {
    let o = org(db).await;
    let who = identity("Vera.Z@example.org", "+44 141 496 0101");
    let vera = db
        .create_person(
            &person("Vera", o.docks1, Status::Supporter, 100, who.clone()),
            Some(o.admin),
        )
        .await
        .unwrap();
    let p = db.person(vera).await.unwrap().expect("the person");
    assert_eq!(
        (
            p.pseudonym.as_str(),
            p.unit_id,
            p.status,
            p.since,
            p.admitted_on
        ),
        ("Vera", o.docks1, Status::Supporter, days_ago(100), None)
    );
    assert_eq!(db.identity(vera).await.unwrap(), who);
    // The persons table, which every list reads, holds no identifying detail.
    let row = sqlx::query("SELECT * FROM persons WHERE id = $1")
        .bind(vera)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let columns: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
    for c in [
        "legal_name",
        "email",
        "phone",
        "address",
        "workplace",
        "notes",
    ] {
        assert!(
            !columns.contains(&c),
            "persons has an identifying column {c}"
        );
    }

    // The same email or phone, however written, is the same person.
    let before = db.counts().await;
    for (email, phone) in [
        (" vera.z@EXAMPLE.org ", ""),
        ("someone.else@example.org", "0044 141 496 0101"),
    ] {
        let e = db
            .create_person(
                &person(
                    "Vera two",
                    o.docks2,
                    Status::Supporter,
                    10,
                    identity(email, phone),
                ),
                None,
            )
            .await
            .expect_err("a duplicate email or phone should be refused");
        assert!(e.to_string().contains("already recorded"), "{e}");
    }
    let e = db
        .create_person(
            &person("Nobody", 987_654, Status::Supporter, 10, identity("", "")),
            None,
        )
        .await
        .expect_err("an unknown unit should be refused");
    assert!(e.to_string().contains("987654"), "{e}");
    let e = db
        .create_person(
            &NewPerson {
                since: today().add_days(1),
                ..person("Early", o.docks1, Status::Supporter, 0, identity("", ""))
            },
            None,
        )
        .await
        .expect_err("a first contact tomorrow should be refused");
    assert!(e.to_string().contains("in the future"), "{e}");
    assert_eq!(
        db.counts().await,
        before,
        "a refused person left rows behind"
    );

    db.set_status(
        vera,
        Status::Member,
        days_ago(30),
        "admitted at the circle's meeting",
        Some(o.admin),
    )
    .await
    .unwrap();
    let p = db.person(vera).await.unwrap().unwrap();
    assert_eq!(
        (p.status, p.admitted_on),
        (Status::Member, Some(days_ago(30)))
    );
    db.transfer(vera, o.docks2, days_ago(10), "moved house", Some(o.admin))
        .await
        .unwrap();
    assert_eq!(db.person(vera).await.unwrap().unwrap().unit_id, o.docks2);

    // Refused changes write nothing.
    let before = db.counts().await;
    let tomorrow = today().add_days(1);
    let refusals: Vec<(Result<(), StoreError>, &str)> = vec![
        (
            db.set_status(vera, Status::Lapsed, tomorrow, "stopped paying", None)
                .await,
            "in the future",
        ),
        (
            db.transfer(vera, o.docks1, tomorrow, "moving", None).await,
            "in the future",
        ),
        (
            db.set_status(vera, Status::Lapsed, today(), "  ", None)
                .await,
            "needs a reason",
        ),
        (
            db.set_status(vera, Status::Member, today(), "again", None)
                .await,
            "already member",
        ),
        (
            db.transfer(vera, o.docks2, today(), "again", None).await,
            "already in that unit",
        ),
        (
            db.transfer(vera, 987_654, today(), "nowhere", None).await,
            "unit 987654 not found",
        ),
    ];
    for (i, (r, words)) in refusals.into_iter().enumerate() {
        let e = r.expect_err(&format!("refusal {i} ({words}) was accepted"));
        assert!(e.to_string().contains(words), "expected {words:?} in: {e}");
    }
    assert_eq!(
        db.counts().await,
        before,
        "a refused change left rows behind"
    );

    // A change recorded late, dated before the transfer, reads in date order: the history is
    // the person's story, not the order in which the secretary caught up with it.
    db.set_status(
        vera,
        Status::Lapsed,
        days_ago(20),
        "stopped paying",
        Some(o.admin),
    )
    .await
    .unwrap();
    db.set_status(
        vera,
        Status::Member,
        days_ago(2),
        "readmitted",
        Some(o.admin),
    )
    .await
    .unwrap();
    let h = db.history(vera).await.unwrap();
    type Line<'a> = (
        String,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        &'a str,
        Option<&'a str>,
    );
    let summary: Vec<Line> = h
        .iter()
        .map(|e| {
            (
                e.on_date.clone(),
                e.change.as_str(),
                e.from_value.as_deref(),
                e.to_value.as_deref(),
                e.reason.as_str(),
                e.by.as_deref(),
            )
        })
        .collect();
    let d = |n| days_ago(n).to_string();
    assert_eq!(
        summary,
        vec![
            (d(100), "recorded", None, None, "first contact", Some(ADMIN)),
            (
                d(30),
                "status",
                Some("supporter"),
                Some("member"),
                "admitted at the circle's meeting",
                Some(ADMIN)
            ),
            (
                d(20),
                "status",
                Some("member"),
                Some("lapsed"),
                "stopped paying",
                Some(ADMIN)
            ),
            (
                d(10),
                "transfer",
                Some("docks-1"),
                Some("docks-2"),
                "moved house",
                Some(ADMIN)
            ),
            (
                d(2),
                "status",
                Some("lapsed"),
                Some("member"),
                "readmitted",
                Some(ADMIN)
            ),
        ],
        "history() should read oldest first, with date, reason and who"
    );
    // Readmission keeps the first admission date.
    assert_eq!(
        db.person(vera).await.unwrap().unwrap().admitted_on,
        Some(days_ago(30))
    );

    // Someone recorded without an account has nobody named as recording them.
    let anon = db
        .create_person(
            &person("Anon", o.docks1, Status::Supporter, 3, identity("", "")),
            None,
        )
        .await
        .unwrap();
    assert_eq!(db.history(anon).await.unwrap()[0].by, None);
}

on_every_backend!(people_are_found_by_pseudonym_within_a_branch);
async fn people_are_found_by_pseudonym_within_a_branch(db: &TestDb) {
    let o = org(db).await;
    let add = |name: &'static str, unit: i64| async move {
        db.create_person(
            &person(name, unit, Status::Supporter, 5, identity("", "")),
            None,
        )
        .await
        .unwrap()
    };
    add("Kettle", o.docks1).await;
    add("Kestrel", o.docks2).await;
    add("Ke", o.docks1).await;
    add("kestrel", o.docks1).await;
    add("Kf", o.docks1).await;
    add("Kélpie", o.docks1).await;
    add("Kelp", o.south).await;
    let names =
        |v: Vec<store::people::Person>| v.into_iter().map(|p| p.pseudonym).collect::<Vec<_>>();
    // Byte order, the same on both backends: case matters, and é is not e.
    assert_eq!(
        names(db.search_branch(o.north, "Ke", 10).await.unwrap()),
        ["Ke", "Kestrel", "Kettle"]
    );
    assert_eq!(
        names(db.search_branch(o.cc, "Ke", 10).await.unwrap()),
        ["Ke", "Kelp", "Kestrel", "Kettle"]
    );
    assert_eq!(
        names(db.search_branch(o.cc, "Ke", 2).await.unwrap()),
        ["Ke", "Kelp"],
        "the limit should be respected"
    );
    assert_eq!(
        names(db.search_branch(o.docks2, "K", 10).await.unwrap()),
        ["Kestrel"]
    );
    assert!(db.search_branch(o.women, "K", 10).await.unwrap().is_empty());
    assert_eq!(
        names(db.people_of_unit(o.docks1).await.unwrap()),
        ["Ke", "Kettle", "Kf", "Kélpie", "kestrel"],
        "people_of_unit should list the unit's own people in byte order"
    );
}

on_every_backend!(concurrent_writers_all_succeed);
async fn concurrent_writers_all_succeed(db: &TestDb) {
    // Secretaries of different circles at work at once: on SQLite the writers queue for the
    // write lock instead of failing with "database is locked"; on PostgreSQL they interleave.
    let o = org(db).await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = db.store.clone();
            let unit = if i % 2 == 0 { o.docks1 } else { o.docks2 };
            tokio::spawn(async move {
                let id = store
                    .create_person(
                        &person(
                            &format!("Writer {i}"),
                            unit,
                            Status::Member,
                            100,
                            identity(&format!("w{i}@example.org"), ""),
                        ),
                        None,
                    )
                    .await?;
                store
                    .record_payment(&payment(id, today(), 300), None)
                    .await?;
                store
                    .record_meeting(unit, today(), &format!("Meeting {i}"), &[id], None)
                    .await?;
                Ok::<_, StoreError>(id)
            })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for t in tasks {
        ids.insert(
            t.await
                .expect("the writer ran")
                .expect("the write succeeded"),
        );
    }
    assert_eq!(ids.len(), 16);
    assert_eq!(db.count("persons").await, 16);
    assert_eq!(db.count("dues_payments").await, 16);
    assert_eq!(db.count("meetings").await, 16);
    let eval = db.evaluate_all(today()).await.unwrap();
    assert_eq!(eval.total().members, 16);
}

on_every_backend!(membership_series_follows_each_members_history);
async fn membership_series_follows_each_members_history(db: &TestDb) {
    // Members at the end of each month, from the records: admitted by then and a member then.
    let o = org(db).await;
    let mk = |name: &'static str, unit: i64, admitted: i64| async move {
        db.create_person(
            &person(name, unit, Status::Member, admitted, identity("", "")),
            None,
        )
        .await
        .unwrap()
    };
    mk("Steady", o.docks1, 200).await;
    let lapsed = mk("Lapsed", o.docks2, 200).await;
    let back = mk("Back", o.docks1, 200).await;
    // Outside the branch: never counted in it.
    mk("Elsewhere", o.south, 200).await;
    db.set_status(
        lapsed,
        Status::Lapsed,
        days_ago(100),
        "stopped paying",
        None,
    )
    .await
    .unwrap();
    db.set_status(back, Status::Lapsed, days_ago(120), "stopped paying", None)
        .await
        .unwrap();
    db.set_status(back, Status::Member, days_ago(20), "readmitted", None)
        .await
        .unwrap();

    let today = today();
    let series = db.membership_series(o.north, 6, today).await.unwrap();
    assert_eq!(series.len(), 6);
    // Each (start, end) is a span of membership; the member counts at a month's end within it.
    let spans: [&[(i64, Option<i64>)]; 3] = [
        &[(200, None)],
        &[(200, Some(100))],
        &[(200, Some(120)), (20, None)],
    ];
    for (month, n) in series {
        let end = if month == today.month() {
            today
        } else {
            month.add(1).first_day().add_days(-1)
        };
        let expected = spans
            .iter()
            .filter(|s| {
                s.iter().any(|&(from, to)| {
                    days_ago(from) <= end && to.is_none_or(|t| days_ago(t) > end)
                })
            })
            .count() as i64;
        assert_eq!(
            n, expected,
            "members of the north region at the end of {month}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Statutes.

fn martov() -> Statutes {
    let mut s = Statutes::founding();
    s.paragraph1.formula = Formula::Martov;
    s.paragraph1.participation_min = 3;
    s
}

on_every_backend!(statutes_take_effect_on_their_date);
async fn statutes_take_effect_on_their_date(db: &TestDb) {
    let o = org(db).await;
    let before = db.counts().await;
    let mut bad = Statutes::founding();
    bad.dues.split.push(Share {
        kind: "cell".into(),
        percent: 0,
    });
    let e = db
        .adopt_statutes(&bad, days_ago(5), days_ago(5), "Congress", None)
        .await
        .expect_err("statutes naming an unknown unit kind should be refused");
    assert!(
        e.to_string().contains("\"cell\""),
        "the kind should be named: {e}"
    );
    let e = db
        .adopt_statutes(&martov(), days_ago(5), days_ago(6), "Congress", None)
        .await
        .expect_err("statutes taking effect before their adoption should be refused");
    assert!(e.to_string().contains("earlier"), "{e}");
    assert_eq!(db.counts().await, before, "refused statutes were recorded");

    // Before the Martov version takes effect: a supporter who helps regularly, has accepted
    // the programme and pays dues; and a member who came to one meeting.
    let helper = db
        .create_person(
            &NewPerson {
                programme_accepted: true,
                ..person("Helper", o.docks1, Status::Supporter, 60, identity("", ""))
            },
            None,
        )
        .await
        .unwrap();
    let once = db
        .create_person(
            &person("Once", o.docks1, Status::Member, 200, identity("", "")),
            None,
        )
        .await
        .unwrap();
    for p in [helper, once] {
        db.record_payment(
            &NewPayment {
                period: today().month(),
                ..payment(p, days_ago(40), 500)
            },
            None,
        )
        .await
        .unwrap();
    }
    for n in [30, 20, 10] {
        db.record_task(
            helper,
            o.docks1,
            days_ago(n),
            "sold papers at the gate",
            None,
        )
        .await
        .unwrap();
    }
    db.record_meeting(o.docks1, days_ago(20), "Circle meeting", &[once], None)
        .await
        .unwrap();

    let v = db
        .adopt_statutes(
            &martov(),
            days_ago(5),
            days_ago(5),
            "Extraordinary congress",
            None,
        )
        .await
        .unwrap();
    assert_eq!(v, 2);
    let on = |n| async move { db.statutes_on(days_ago(n)).await.unwrap() };
    assert_eq!(on(6).await.version, 1);
    assert_eq!(on(6).await.rules, Statutes::founding());
    assert_eq!(
        on(5).await.version,
        2,
        "a version is in force from its date"
    );
    assert_eq!(on(0).await.rules, martov());
    let e = db.statutes_on(days_ago(401)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");

    let (s, v) = db.standing(helper, days_ago(6)).await.unwrap();
    assert_eq!(v, 1);
    assert!(!s.member, "under Lenin a supporter is no member: {s:?}");
    assert!(s.summary().contains("not admitted"), "{}", s.summary());
    for n in [5, 0] {
        let (s, v) = db.standing(helper, days_ago(n)).await.unwrap();
        assert_eq!(v, 2);
        assert!(
            s.member,
            "under Martov, from its date, a supporter who helps regularly is a member: {s:?}"
        );
    }
    let (s, _) = db.standing(once, days_ago(6)).await.unwrap();
    assert!(s.member, "under Lenin one meeting is participation: {s:?}");
    let (s, _) = db.standing(once, days_ago(5)).await.unwrap();
    assert!(!s.member, "under Martov one meeting is not regular: {s:?}");
    assert!(
        s.summary().contains("regular association"),
        "{}",
        s.summary()
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Dues.

async fn shares_of(db: &TestDb, payment: i64) -> BTreeMap<i64, i64> {
    sqlx::query("SELECT unit_id, amount_cents FROM dues_shares WHERE payment_id = $1")
        .bind(payment)
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("unit_id"), r.get("amount_cents")))
        .collect()
}

on_every_backend!(dues_are_split_up_the_tree);
async fn dues_are_split_up_the_tree(db: &TestDb) {
    let o = org(db).await;
    let m = db
        .create_person(
            &person(
                "Vera",
                o.docks1,
                Status::Member,
                100,
                identity("vera@example.org", "+44 141 496 0201"),
            ),
            None,
        )
        .await
        .unwrap();
    let w = db
        .create_person(
            &person(
                "Rosa",
                o.women,
                Status::Member,
                100,
                identity("rosa@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();

    // Founding split: circle 40%, local 25%, regional 15%, central 20%, rounded down; the odd
    // cent stays with the circle, which collected it.
    let p = db
        .record_payment(&payment(m, today(), 1001), Some(o.admin))
        .await
        .unwrap();
    let expected: BTreeMap<i64, i64> =
        [(o.docks1, 401), (o.docks, 250), (o.north, 150), (o.cc, 200)].into();
    assert_eq!(shares_of(db, p).await, expected);
    // A section has no share of its own: it keeps what the central committee does not take.
    let p = db
        .record_payment(&payment(w, today(), 1001), None)
        .await
        .unwrap();
    assert_eq!(shares_of(db, p).await, [(o.women, 801), (o.cc, 200)].into());
    let month = today().month().to_string();
    for (unit, cents) in [(o.docks1, 401), (o.docks, 250), (o.north, 150), (o.cc, 400)] {
        assert_eq!(
            db.unit_dues_by_month(unit, days_ago(1)).await.unwrap(),
            vec![(month.clone(), cents)],
            "unit {unit}'s dues this month"
        );
    }
    assert!(db
        .unit_dues_by_month(o.cc, today().add_days(1))
        .await
        .unwrap()
        .is_empty());

    let before = db.counts().await;
    for (amount, paid_on, words) in [
        (0, today(), "must be more than 0.00"),
        (-500, today(), "must be more than 0.00"),
        (100_000_001, today(), "at most 1,000,000.00"),
        (i64::MAX, today(), "at most 1,000,000.00"),
        (500, today().add_days(1), "in the future"),
    ] {
        let e = db
            .record_payment(&payment(m, paid_on, amount), None)
            .await
            .expect_err("a bad payment should be refused");
        assert!(e.to_string().contains(words), "expected {words:?} in: {e}");
    }
    let e = db
        .record_payment(&payment(987_654, today(), 500), None)
        .await
        .expect_err("a payment by nobody should be refused");
    assert!(e.to_string().contains("987654"), "{e}");
    assert_eq!(
        db.counts().await,
        before,
        "a refused payment left rows behind"
    );
    assert_eq!(db.payments_of(m).await.unwrap().len(), 1);

    // A bank statement: payers by email or by phone, however written.
    let d = days_ago(3);
    let statement = format!(
        "date,amount,reference,payer\n\
         {d},12.00,BANK-001,VERA@example.org\n\
         {d},5.50,BANK-002,0044 141 496 0201\n\
         {d},3.00,BANK-003,rosa@example.org\n"
    );
    let r = db
        .import_bank_csv(statement.as_bytes(), Some(o.admin))
        .await
        .unwrap();
    assert_eq!((r.recorded, r.already), (3, 0));
    let vera_paid: Vec<(String, i64, String)> = db
        .payments_of(m)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.paid_on, p.amount_cents, p.source))
        .collect();
    assert_eq!(vera_paid.len(), 3);
    assert!(vera_paid.contains(&(d.to_string(), 1200, "bank".to_string())));
    assert!(vera_paid.contains(&(d.to_string(), 550, "bank".to_string())));
    // Reading the same statement again records nothing new.
    let before = db.counts().await;
    let r = db
        .import_bank_csv(statement.as_bytes(), Some(o.admin))
        .await
        .unwrap();
    assert_eq!((r.recorded, r.already), (0, 3));
    assert_eq!(
        db.counts().await,
        before,
        "a re-read statement recorded payments"
    );

    // One good line and three bad ones: nothing is written, every bad line is named.
    let tomorrow = today().add_days(1);
    let bad = format!(
        "date,amount,reference,payer\n\
         {d},3.00,BANK-101,vera@example.org\n\
         {d},-3.00,BANK-102,vera@example.org\n\
         {d},3.00,BANK-103,nobody@example.org\n\
         {tomorrow},3.00,BANK-104,vera@example.org\n\
         {d},0,BANK-105,vera@example.org\n"
    );
    let e = db
        .import_bank_csv(bad.as_bytes(), None)
        .await
        .expect_err("a statement with bad lines should be refused");
    assert_eq!(
        rows_of(&e),
        [
            (3, "amount".to_string()),
            (4, "payer".to_string()),
            (5, "date".to_string()),
            (6, "amount".to_string())
        ]
    );
    let text = e.to_string();
    for l in ["line 3", "line 4", "line 5", "line 6"] {
        assert!(text.contains(l), "{l} should be named in: {text}");
    }
    assert_eq!(
        db.counts().await,
        before,
        "a refused statement recorded payments"
    );

    // Whatever was recorded, each payment's shares add up to it.
    let sums = sqlx::query(
        "SELECT p.id, p.amount_cents, CAST(SUM(s.amount_cents) AS BIGINT) AS shared \
         FROM dues_payments p JOIN dues_shares s ON s.payment_id = p.id \
         GROUP BY p.id, p.amount_cents",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(sums.len() as i64, db.count("dues_payments").await);
    for r in sums {
        let (id, amount, shared): (i64, i64, i64) =
            (r.get("id"), r.get("amount_cents"), r.get("shared"));
        assert_eq!(amount, shared, "payment {id}'s shares do not add up");
    }
}

on_every_backend!(a_payment_recorded_in_error_is_reversed_once);
async fn a_payment_recorded_in_error_is_reversed_once(db: &TestDb) {
    let o = org(db).await;
    let m = db
        .create_person(
            &person(
                "Vera",
                o.docks1,
                Status::Member,
                400,
                identity("vera@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    // Paid up long ago; then this month's dues recorded by mistake.
    let old = days_ago(200);
    db.record_payment(&payment(m, old, 300), None)
        .await
        .unwrap();
    let (standing, _) = db.standing(m, today()).await.unwrap();
    assert!(standing.arrears_months > 3, "{standing:?}");
    // Paid two days ago for this month, as recorded.
    let wrong = db
        .record_payment(
            &NewPayment {
                period: today().month(),
                ..payment(m, days_ago(2), 500)
            },
            Some(o.admin),
        )
        .await
        .unwrap();
    let (standing, _) = db.standing(m, today()).await.unwrap();
    assert_eq!(standing.arrears_months, 0);
    let (standing, _) = db.standing(m, days_ago(1)).await.unwrap();
    assert_eq!(standing.arrears_months, 0);
    let month = today().month().to_string();
    assert_eq!(
        db.unit_dues_by_month(o.cc, days_ago(3)).await.unwrap(),
        vec![(month.clone(), 100)],
        "the central committee's share of the payment"
    );
    let arrears_on_roster = || async {
        let roster = db.roster(o.docks1, today()).await.unwrap();
        roster
            .iter()
            .find(|(p, _)| p.id == m)
            .map(|(_, s)| s.arrears_months)
            .unwrap()
    };
    assert_eq!(arrears_on_roster().await, 0);

    // Only an officer of the unit the payment was recorded in reverses it: any other unit is
    // told it does not exist, and a reason is needed.
    let before = db.counts().await;
    let audit_before = db.count("audit_log").await;
    let e = db
        .reverse_payment(o.docks2, wrong, "typed into the wrong row", Some(o.admin))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
    let e = db
        .reverse_payment(o.docks1, 987_654, "no such payment", Some(o.admin))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
    let e = db
        .reverse_payment(o.docks1, wrong, "  ", Some(o.admin))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("say why"), "{e}");
    let e = db
        .reverse_payment(o.docks1, wrong, &"x".repeat(1_001), Some(o.admin))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "The reason is 1,001 characters; at most 1,000"
    );
    assert_eq!(db.counts().await, before, "a refused reversal wrote rows");
    assert_eq!(db.count("audit_log").await, audit_before);

    db.reverse_payment(o.docks1, wrong, "typed into the wrong row", Some(o.admin))
        .await
        .unwrap();
    // The arrears come back, one by one and in bulk; the unit's dues and the shares of the
    // bodies above no longer count it.
    let (standing, _) = db.standing(m, today()).await.unwrap();
    assert!(standing.arrears_months > 3, "{standing:?}");
    assert_eq!(arrears_on_roster().await, standing.arrears_months);
    // The bulk evaluation, from the kept column today and from the records for a past day,
    // agrees with each one's standing.
    bulk_matches_one_by_one(db, today(), "after a reversal").await;
    bulk_matches_one_by_one(db, days_ago(1), "a day before a reversal").await;
    let (s, _) = db.standing(m, days_ago(1)).await.unwrap();
    assert!(
        s.arrears_months > 3,
        "a reversed payment was never paid: {s:?}"
    );
    for unit in [o.docks1, o.docks, o.north, o.cc] {
        assert!(
            db.unit_dues_by_month(unit, days_ago(3))
                .await
                .unwrap()
                .is_empty(),
            "unit {unit} still counts the reversed payment"
        );
    }
    // Nothing was deleted: the payment and its shares are there, marked.
    assert_eq!(db.count("dues_payments").await, 2);
    assert_eq!(shares_of(db, wrong).await.values().sum::<i64>(), 500);
    let listed = db.payments_of(m).await.unwrap();
    let reversed: Vec<_> = listed.iter().filter(|p| p.reversed_on.is_some()).collect();
    assert_eq!(reversed.len(), 1);
    assert_eq!(reversed[0].id, wrong);
    assert_eq!(
        reversed[0].reversed_on.as_deref(),
        Some(&*today().to_string())
    );
    let in_unit = db.payments_of_unit(o.docks1, 10).await.unwrap();
    assert_eq!(in_unit.len(), 2);
    assert_eq!(in_unit[0].id, wrong);
    assert_eq!(in_unit[0].pseudonym.as_deref(), Some("Vera"));
    assert!(in_unit[0].reversed_on.is_some() && in_unit[1].reversed_on.is_none());

    // The audit log has the entry, ids only.
    let (action, kind, object, actor, _) = last_entry(db).await;
    assert_eq!(action, "dues.reverse");
    assert_eq!((kind.as_deref(), object), (Some("payment"), Some(wrong)));
    assert_eq!(actor, Some(o.admin));
    assert_eq!(db.count("audit_log").await, audit_before + 1);
    verify_ok(db).await;

    // Once: a second reversal is refused and writes nothing.
    let before = db.counts().await;
    let e = db
        .reverse_payment(o.docks1, wrong, "again", Some(o.admin))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("reversed already"), "{e}");
    assert_eq!(db.counts().await, before);
    assert_eq!(db.count("audit_log").await, audit_before + 1);

    // The payment was right after all: it is recorded again, and counts again.
    db.record_payment(&payment(m, today(), 500), Some(o.admin))
        .await
        .unwrap();
    let (standing, _) = db.standing(m, today()).await.unwrap();
    assert_eq!(standing.arrears_months, 0);
    assert_eq!(
        db.unit_dues_by_month(o.cc, days_ago(3)).await.unwrap(),
        vec![(month, 100)]
    );
}

on_every_backend!(a_payment_written_before_the_bounds_does_not_break_the_sums);
async fn a_payment_written_before_the_bounds_does_not_break_the_sums(db: &TestDb) {
    let o = org(db).await;
    let m = db
        .create_person(
            &person("Vera", o.docks1, Status::Member, 100, identity("", "")),
            None,
        )
        .await
        .unwrap();
    db.record_payment(&payment(m, today(), 1_000), None)
        .await
        .unwrap();
    // The attack of issue 17, as an older version recorded it: 92,233,720,368,547,758.07 twice,
    // each with a share to the circle that alone fills a BIGINT.
    let huge = i64::MAX;
    let mut attack = Vec::new();
    for _ in 0..2 {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO dues_payments (person_id, unit_id, period, paid_on, amount_cents, source, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, 'treasurer', 0) RETURNING id",
        )
        .bind(m)
        .bind(o.docks1)
        .bind(today().month().to_string())
        .bind(today().to_string())
        .bind(huge)
        .fetch_one(db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO dues_shares (payment_id, unit_id, amount_cents) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(o.docks1)
        .bind(huge)
        .execute(db.pool())
        .await
        .unwrap();
        attack.push(id);
    }
    // The unit's dues still sum (SQLite would raise "integer overflow", PostgreSQL "bigint out
    // of range"): the rows past the bound are left out, and listed for an officer to reverse.
    let month = today().month().to_string();
    assert_eq!(
        db.unit_dues_by_month(o.docks1, days_ago(1)).await.unwrap(),
        vec![(month.clone(), 400)]
    );
    let listed = db.payments_of_unit(o.docks1, 10).await.unwrap();
    assert_eq!(listed.len(), 3);
    for id in &attack {
        db.reverse_payment(o.docks1, *id, "recorded before the bounds", None)
            .await
            .unwrap();
    }
    assert_eq!(
        db.unit_dues_by_month(o.docks1, days_ago(1)).await.unwrap(),
        vec![(month, 400)]
    );
    let (standing, _) = db.standing(m, today()).await.unwrap();
    assert_eq!(standing.arrears_months, 0, "the real payment still counts");
}

on_every_backend!(every_text_and_number_has_a_bound_in_the_store);
async fn every_text_and_number_has_a_bound_in_the_store(db: &TestDb) {
    let o = org(db).await;
    let before = db.counts().await;
    let mega = "x".repeat(1_000_000);
    let refused = |r: store::Result<i64>| r.expect_err("should be refused").to_string();
    assert_eq!(
        refused(
            db.create_person(
                &person(&mega, o.docks1, Status::Supporter, 1, identity("", "")),
                None
            )
            .await
        ),
        "The party name is 1,000,000 characters; at most 80"
    );
    let mut long_identity = identity("", "");
    long_identity.workplace = mega.clone();
    assert_eq!(
        refused(
            db.apply(o.docks1, "Kestrel", &long_identity, "", today(), None)
                .await
        ),
        "The workplace is 1,000,000 characters; at most 200"
    );
    assert_eq!(
        refused(
            db.apply(o.docks1, "Kestrel", &identity("", ""), &mega, today(), None)
                .await
        ),
        "The statement is 1,000,000 characters; at most 4,000"
    );
    assert_eq!(db.counts().await, before, "a refused text left rows behind");
    let m = db
        .create_person(
            &person("Vera", o.docks1, Status::Member, 1, identity("", "")),
            None,
        )
        .await
        .unwrap();
    let before_m = db.counts().await;
    assert_eq!(
        refused(db.record_task(m, o.docks1, today(), &mega, None).await),
        "The task is 1,000,000 characters; at most 1,000"
    );
    assert_eq!(
        refused(
            db.record_meeting(o.docks1, today(), &mega, &[m], None)
                .await
        ),
        "The meeting's title is 1,000,000 characters; at most 200"
    );
    let e = db
        .set_status(m, Status::Lapsed, today(), &mega, None)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "The reason is 1,000,000 characters; at most 1,000"
    );
    assert_eq!(
        db.counts().await,
        before_m,
        "a refused text left rows behind"
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Meetings and tasks.

on_every_backend!(meetings_record_participation);
async fn meetings_record_participation(db: &TestDb) {
    let o = org(db).await;
    let a = db
        .create_person(
            &person("Anna", o.docks1, Status::Member, 200, identity("", "")),
            None,
        )
        .await
        .unwrap();
    let b = db
        .create_person(
            &person("Boris", o.docks2, Status::Member, 200, identity("", "")),
            None,
        )
        .await
        .unwrap();
    for p in [a, b] {
        db.record_payment(&payment(p, days_ago(1), 500), None)
            .await
            .unwrap();
    }
    let (s, _) = db.standing(a, today()).await.unwrap();
    assert!(!s.member, "no participation yet: {s:?}");
    assert!(
        s.summary().contains("no personal participation"),
        "{}",
        s.summary()
    );

    let before = db.counts().await;
    let e = db
        .record_meeting(o.docks1, days_ago(3), "Circle meeting", &[a, b], None)
        .await
        .expect_err("an attendee from another unit should be refused");
    assert!(
        e.to_string().contains(&format!("person {b}")),
        "the outsider should be named: {e}"
    );
    for (unit, on, title, who) in [
        (o.docks1, days_ago(3), "Circle meeting", vec![a, 987_654]),
        (o.docks1, today().add_days(1), "Circle meeting", vec![a]),
        (o.docks1, days_ago(3), " ", vec![a]),
        (987_654, days_ago(3), "Circle meeting", vec![]),
    ] {
        db.record_meeting(unit, on, title, &who, None)
            .await
            .expect_err("a bad meeting should be refused");
    }
    assert_eq!(
        db.counts().await,
        before,
        "a refused meeting left rows behind (a meeting or attendance)"
    );
    assert!(db.meetings_of_unit(o.docks1, 10).await.unwrap().is_empty());

    let m = db
        .record_meeting(
            o.docks1,
            days_ago(3),
            "Circle meeting",
            &[a, a],
            Some(o.admin),
        )
        .await
        .unwrap();
    let listed = db.meetings_of_unit(o.docks1, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id, listed[0].held_on.clone(), listed[0].attended),
        (m, days_ago(3).to_string(), 1),
        "an attendee listed twice is counted once"
    );
    let (s, _) = db.standing(a, today()).await.unwrap();
    assert!(s.member && s.vote, "after the meeting: {s:?}");
    let (s, _) = db.standing(a, days_ago(4)).await.unwrap();
    assert!(!s.member, "the day before the meeting: {s:?}");

    db.record_task(
        b,
        o.docks2,
        days_ago(2),
        "sold 20 papers at the depot gate",
        None,
    )
    .await
    .unwrap();
    let t = db.tasks_of_person(b).await.unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].done_on, days_ago(2).to_string());
    let (s, _) = db.standing(b, today()).await.unwrap();
    assert!(s.member, "a task is participation: {s:?}");

    // The bulk count reads the same records.
    let eval = db.evaluate_all(today()).await.unwrap();
    assert_eq!(eval.per_unit[&o.docks1].members, 1);
    assert_eq!(eval.per_unit[&o.docks2].members, 1);
}

// ---------------------------------------------------------------------------------------------
// 7. Admission.

on_every_backend!(a_unit_admits_an_applicant_once);
async fn a_unit_admits_an_applicant_once(db: &TestDb) {
    let o = org(db).await;
    let app = db
        .apply(
            o.docks1,
            "Swift",
            &identity("swift@example.org", ""),
            "I want to join the dockers' circle",
            days_ago(3),
            None,
        )
        .await
        .unwrap();
    let listed = db.applications_of_unit(o.docks1).await.unwrap();
    assert_eq!(listed.len(), 1);
    let a = &listed[0];
    assert_eq!(
        (a.id, a.pseudonym.as_str(), a.decision.clone()),
        (app, "Swift", None)
    );
    let who = a.person_id;
    assert_eq!(
        db.person(who).await.unwrap().unwrap().status,
        Status::Applicant
    );
    assert!(db.applications_of_unit(o.docks2).await.unwrap().is_empty());

    db.decide(
        app,
        Decision::Admit,
        today(),
        "admitted at the meeting",
        Some(o.admin),
    )
    .await
    .unwrap();
    let p = db.person(who).await.unwrap().unwrap();
    assert_eq!(
        (p.status, p.admitted_on, p.programme_accepted),
        (Status::Member, Some(today()), true)
    );
    let last = db.history(who).await.unwrap().pop().unwrap();
    assert_eq!(
        (
            last.change.as_str(),
            last.from_value.as_deref(),
            last.to_value.as_deref(),
            last.reason.as_str(),
            last.by.as_deref()
        ),
        (
            "status",
            Some("applicant"),
            Some("member"),
            "admitted at the meeting",
            Some(ADMIN)
        )
    );
    assert_eq!(
        db.application(app)
            .await
            .unwrap()
            .unwrap()
            .decision
            .as_deref(),
        Some("admitted")
    );

    let before = db.counts().await;
    for d in [Decision::Admit, Decision::Refuse] {
        let e = db
            .decide(app, d, today(), "again", None)
            .await
            .expect_err("deciding twice should be refused");
        assert!(e.to_string().contains("already decided"), "{e}");
    }
    let e = db
        .apply(
            o.docks2,
            "Swift again",
            &identity("SWIFT@example.org", ""),
            "",
            today(),
            None,
        )
        .await
        .expect_err("a member applying again should be refused");
    assert!(e.to_string().contains("already recorded as member"), "{e}");
    assert_eq!(db.counts().await, before, "a refusal wrote something");

    // A supporter who applies does so as themselves; a refusal leaves them a supporter.
    let s = db
        .create_person(
            &person(
                "Lark",
                o.docks2,
                Status::Supporter,
                50,
                identity("lark@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    let people = db.count("persons").await;
    let app2 = db
        .apply(
            o.docks1,
            "Lark",
            &identity("lark@example.org", ""),
            "",
            days_ago(2),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        db.count("persons").await,
        people,
        "the supporter was recorded twice"
    );
    let p = db.person(s).await.unwrap().unwrap();
    assert_eq!((p.status, p.unit_id), (Status::Applicant, o.docks1));
    // Applying to another unit moved Lark there; the history says so, as for any transfer.
    let h: Vec<(String, Option<String>, Option<String>)> = db
        .history(s)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.change, e.from_value, e.to_value))
        .collect();
    let some = |v: &str| Some(v.to_string());
    assert!(
        h.contains(&("transfer".into(), some("docks-2"), some("docks-1"))),
        "the move to the unit applied to is missing from the history: {h:?}"
    );
    assert!(
        h.contains(&("status".into(), some("supporter"), some("applicant"))),
        "{h:?}"
    );
    let e = db
        .decide(app2, Decision::Refuse, days_ago(3), "", None)
        .await
        .expect_err("a decision before the application should be refused");
    assert!(e.to_string().contains("before the application"), "{e}");
    db.decide(app2, Decision::Refuse, today(), "", None)
        .await
        .unwrap();
    let p = db.person(s).await.unwrap().unwrap();
    assert_eq!((p.status, p.admitted_on), (Status::Supporter, None));
    assert_eq!(
        db.applications_of_unit(o.docks1)
            .await
            .unwrap()
            .iter()
            .map(|a| a.decision.clone())
            .collect::<Vec<_>>(),
        [Some("admitted".to_string()), Some("refused".to_string())]
    );
}

// ---------------------------------------------------------------------------------------------
// 8. The bulk evaluation against person-by-person standing.

type Standings = BTreeMap<i64, core_rules::statutes::Standing>;

/// Counts per unit built from `standing()` and `facts()` person by person: what the bulk
/// evaluation must reproduce. Also returns each person's standing.
async fn one_by_one(db: &TestDb, day: Day) -> (BTreeMap<i64, UnitCounts>, Standings) {
    let version = db.statutes_on(day).await.unwrap();
    let rules = version.rules.clone();
    let people: Vec<(i64, i64, String)> = sqlx::query("SELECT id, unit_id, since FROM persons")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id"), r.get("unit_id"), r.get("since")))
        .collect();
    let day_s = day.to_string();
    let each: Vec<(i64, i64, Status, core_rules::statutes::Standing)> =
        stream::iter(people.into_iter().filter(|(_, _, since)| *since <= day_s))
            .map(|(id, unit, _)| {
                let rules = &rules;
                let version = version.version;
                async move {
                    let (standing, v) = db.standing(id, day).await?;
                    assert_eq!(v, version);
                    let facts = db.facts(id, day, rules).await?;
                    assert_eq!(
                        evaluate(rules, &facts, day),
                        standing,
                        "standing() should be evaluate() of facts()"
                    );
                    Ok::<_, StoreError>((id, unit, facts.status, standing))
                }
            })
            .buffer_unordered(8)
            .try_collect()
            .await
            .unwrap();
    let mut out: BTreeMap<i64, UnitCounts> = BTreeMap::new();
    let mut standings = Standings::new();
    for (id, unit, status, s) in each {
        let c = out.entry(unit).or_default();
        c.people += 1;
        match status {
            Status::Supporter => c.supporters += 1,
            Status::Applicant => c.applicants += 1,
            Status::Member => c.admitted += 1,
            Status::Lapsed => c.lapsed += 1,
            Status::Left | Status::Expelled => {}
        }
        c.members += s.member as i64;
        c.voting += s.vote as i64;
        // A member whose only missing condition for the vote is the dues.
        let failing_vote = s
            .checks
            .iter()
            .filter(|c| c.rule == "vote" && !c.met)
            .count();
        if s.member
            && !s.vote
            && s.arrears_months > rules.voting.max_arrears_months as i64
            && failing_vote == 1
        {
            c.no_vote_arrears += 1;
        }
        standings.insert(id, s);
    }
    (out, standings)
}

async fn bulk_matches_one_by_one(db: &TestDb, day: Day, what: &str) -> (UnitCounts, Standings) {
    let bulk = db.evaluate_all(day).await.unwrap();
    let (slow, standings) = one_by_one(db, day).await;
    let units: BTreeMap<i64, String> = db
        .units()
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    let mut wrong = Vec::new();
    for u in units.keys() {
        let b = bulk.per_unit.get(u).cloned().unwrap_or_default();
        let s = slow.get(u).cloned().unwrap_or_default();
        if b != s {
            wrong.push(format!("{}: bulk {b:?}\n    one by one {s:?}", units[u]));
        }
    }
    assert!(
        wrong.is_empty(),
        "{what} ({day}): evaluate_all disagrees with standing() person by person in:\n  {}",
        wrong.join("\n  ")
    );
    assert!(
        bulk.per_unit.keys().all(|u| units.contains_key(u)),
        "{what}: evaluate_all counted people in units that do not exist"
    );
    (bulk.total(), standings)
}

on_every_backend!(bulk_evaluation_agrees_with_each_persons_standing);
async fn bulk_evaluation_agrees_with_each_persons_standing(db: &TestDb) {
    let today = today();
    let plan = core_rules::demo::demo(7, today);
    assert!(
        db.seed_demo(&plan, today).await.unwrap(),
        "seeding an empty store"
    );
    assert!(
        !db.seed_demo(&plan, today).await.unwrap(),
        "a second seed should write nothing"
    );
    assert_eq!(db.count("persons").await, plan.people.len() as i64);

    let (now, standings) = bulk_matches_one_by_one(db, today, "today, Lenin").await;
    // The comparison means something only if the demo has every kind of person in it.
    assert!(
        now.members > 0
            && now.voting > 0
            && now.voting < now.members
            && now.no_vote_arrears > 0
            && now.supporters > 0
            && now.applicants > 0
            && now.lapsed > 0
            && now.admitted > now.members,
        "the demo should hold members with and without votes, supporters, applicants and \
         lapsed members: {now:?}"
    );
    let past_day = today.add_days(-40);
    let (past, _) = bulk_matches_one_by_one(db, past_day, "40 days ago, Lenin").await;
    assert!(past.members > 0 && past.people <= now.people, "{past:?}");

    // A branch's evaluation is the whole one restricted to the branch.
    let all = db.evaluate_all(today).await.unwrap();
    let regional = db
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.kind == "regional")
        .expect("the demo has regions");
    let branch = db.evaluate_branch(today, Some(regional.id)).await.unwrap();
    let sub = db.subtree(regional.id).await.unwrap();
    let expected: BTreeMap<i64, UnitCounts> = all
        .per_unit
        .iter()
        .filter(|(u, _)| sub.contains(u))
        .map(|(u, c)| (*u, c.clone()))
        .collect();
    assert_eq!(
        branch.per_unit, expected,
        "evaluate_branch({})",
        regional.code
    );

    // The unit page's roster decides each person as standing() does.
    roster_matches_standing(db, today, &standings).await;

    // Every demo payment was split in full.
    let unsplit: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM dues_payments p WHERE p.amount_cents <> \
         (SELECT CAST(COALESCE(SUM(s.amount_cents), 0) AS BIGINT) FROM dues_shares s WHERE s.payment_id = p.id)",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(unsplit, 0, "payments whose shares do not add up");

    // Martov's formula, adopted today: the bulk path must count "regular association".
    db.adopt_statutes(&martov(), today, today, "Extraordinary congress", None)
        .await
        .unwrap();
    assert_eq!(db.evaluate_all(today).await.unwrap().statutes_version, 2);
    let (m, standings) = bulk_matches_one_by_one(db, today, "today, Martov").await;
    assert_ne!(
        (m.members, m.voting),
        (now.members, now.voting),
        "Martov's formula should change who is a member in the demo"
    );
    roster_matches_standing(db, today, &standings).await;
    // The past is still judged by the statutes then in force (checked one by one above).
    let past_again = db.evaluate_all(past_day).await.unwrap();
    assert_eq!(past_again.statutes_version, 1);
    assert_eq!(past_again.total(), past);
}

on_every_backend!(bulk_evaluation_agrees_at_every_threshold);
async fn bulk_evaluation_agrees_at_every_threshold(db: &TestDb) {
    // People placed on each side of every threshold of the statutes, as of today and as of 40
    // days ago: admitted just before, on and after the day the vote comes (30 days); dues paid
    // up to 4 months back, some paid after the past day; participation just inside and just
    // outside the 90-day window, or three times; in a circle, a section and an affiliated body.
    let o = org(db).await;
    let units = [o.docks1, o.women, o.union];
    let this_month = today().month();
    let mut n = 0usize;
    for admitted in [
        None,
        Some(29),
        Some(30),
        Some(31),
        Some(69),
        Some(70),
        Some(200),
    ] {
        for paid in [None, Some(0), Some(-1), Some(-2), Some(-3), Some(-4)] {
            for part in 0..4 {
                n += 1;
                let unit = units[n % units.len()];
                let id = db
                    .create_person(
                        &NewPerson {
                            admitted_on: admitted.map(days_ago),
                            programme_accepted: !n.is_multiple_of(7),
                            ..person(
                                &format!("P{n:03}"),
                                unit,
                                Status::Member,
                                300,
                                identity("", ""),
                            )
                        },
                        None,
                    )
                    .await
                    .unwrap();
                if let Some(k) = paid {
                    db.record_payment(
                        &NewPayment {
                            period: this_month.add(k),
                            ..payment(id, days_ago(if n.is_multiple_of(2) { 50 } else { 10 }), 300)
                        },
                        None,
                    )
                    .await
                    .unwrap();
                }
                // 0: none; 1: on the first day outside today's window; 2: on the last day
                // inside it; 3: three times, inside both windows.
                let days: &[i64] = match part {
                    0 => &[],
                    1 => &[90],
                    2 => &[89],
                    _ => &[45, 60, 100],
                };
                for &d in days {
                    db.record_task(id, unit, days_ago(d), "leafleting", None)
                        .await
                        .unwrap();
                }
            }
        }
    }
    // And every other status, with changes on either side of the past day.
    let add = |name: &'static str, status: Status, programme: bool| {
        let db = &db;
        async move {
            let id = db
                .create_person(
                    &NewPerson {
                        programme_accepted: programme,
                        ..person(name, o.docks2, status, 300, identity("", ""))
                    },
                    None,
                )
                .await
                .unwrap();
            db.record_payment(&payment(id, days_ago(45), 300), None)
                .await
                .unwrap();
            for d in [20, 30, 50] {
                db.record_task(id, o.docks2, days_ago(d), "selling the paper", None)
                    .await
                    .unwrap();
            }
            id
        }
    };
    add("Helper", Status::Supporter, true).await;
    add("Reader", Status::Supporter, false).await;
    add("Asking", Status::Applicant, true).await;
    add("Gone", Status::Left, true).await;
    add("Out", Status::Expelled, true).await;
    add("Tired", Status::Lapsed, true).await;
    let lapsing = add("Lapsing", Status::Member, true).await;
    db.set_status(
        lapsing,
        Status::Lapsed,
        days_ago(10),
        "stopped coming",
        None,
    )
    .await
    .unwrap();
    let joining = add("Joining", Status::Supporter, true).await;
    db.set_status(joining, Status::Member, days_ago(20), "admitted", None)
        .await
        .unwrap();

    let (now, _) = bulk_matches_one_by_one(db, today(), "today, Lenin").await;
    assert!(
        now.voting > 0 && now.members > now.voting && now.no_vote_arrears > 0,
        "{now:?}"
    );
    bulk_matches_one_by_one(db, days_ago(40), "40 days ago, Lenin").await;
    db.adopt_statutes(&martov(), today(), today(), "Congress", None)
        .await
        .unwrap();
    let (m, _) = bulk_matches_one_by_one(db, today(), "today, Martov").await;
    assert!(m.members > 0, "{m:?}");
    // Martov's formula in force for the past day too.
    let mut loose = martov();
    loose.paragraph1.participation_min = 2;
    loose.voting.max_arrears_months = 0;
    loose.voting.min_membership_days = 70;
    db.adopt_statutes(&loose, days_ago(60), days_ago(60), "Earlier congress", None)
        .await
        .unwrap();
    let (p, _) = bulk_matches_one_by_one(db, days_ago(40), "40 days ago, Martov").await;
    assert!(p.members > 0, "{p:?}");
}

async fn roster_matches_standing(db: &TestDb, today: Day, standings: &Standings) {
    for u in db.units().await.unwrap() {
        let roster = db.roster(u.id, today).await.unwrap();
        let people = db.people_of_unit(u.id).await.unwrap();
        assert_eq!(
            roster.iter().map(|(p, _)| p.id).collect::<Vec<_>>(),
            people.iter().map(|p| p.id).collect::<Vec<_>>(),
            "the roster of {} should list its people by pseudonym",
            u.code
        );
        for (p, s) in roster {
            let one = standings
                .get(&p.id)
                .expect("everyone was judged one by one");
            assert_eq!(
                &s, one,
                "roster and standing() disagree on {} ({}) in {}",
                p.pseudonym, p.id, u.code
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 9. Import and export of people.

fn people_csv() -> String {
    let a = days_ago(300);
    let b = days_ago(20);
    format!(
        "{}\n\
         C-001,Kestrel,docks-1,member,{a},yes,1850.50,no,Ann Example,ann@example.org,+44 141 496 0301,\"1 Quay Street, Glasgow\",Harbour Board\n\
         ,Plover,docks-2,supporter,,no,,no,,plover@example.org,,,\n\
         ,Ёлка,women,member,{b},yes,900,yes,\"Smith, Jane\",,0141 496 0302,,\n\
         ,Dunlin,union,supporter,,no,,no,,,,,\n\
         ,\"Tern \"\"the quiet\"\"\",south,applicant,,no,,no,,tern@example.org,,,\n\
         C-002,Curlew,docks-1,lapsed,{a},yes,1200.00,no,,curlew@example.org,,,\n",
        core_rules::import::COLUMNS.join(",")
    )
}

async fn import(
    db: &TestDb,
    data: &[u8],
    name: &str,
) -> store::Result<store::exchange::ImportReport> {
    db.import_people(|| Ok(data), name, None, &mut |_| {}).await
}

async fn export(db: &TestDb) -> String {
    let mut out = Vec::new();
    db.export_people(&mut out, None).await.unwrap();
    String::from_utf8(out).expect("the export is UTF-8")
}

on_every_backend!(people_round_trip_through_csv);
async fn people_round_trip_through_csv(db: &TestDb) {
    let o = org(db).await;
    let csv = people_csv();
    let r = import(db, csv.as_bytes(), "people.csv").await.unwrap();
    assert_eq!((r.rows, r.created, r.updated, r.unchanged), (6, 6, 0, 0));
    let kestrel = db
        .search_branch(o.docks1, "Kestrel", 1)
        .await
        .unwrap()
        .pop()
        .expect("Kestrel was imported");
    assert_eq!(
        (
            kestrel.card.as_deref(),
            kestrel.status,
            kestrel.admitted_on,
            kestrel.monthly_income_cents
        ),
        (
            Some("C-001"),
            Status::Member,
            Some(days_ago(300)),
            Some(185_050)
        )
    );
    assert_eq!(
        db.identity(kestrel.id).await.unwrap().address,
        "1 Quay Street, Glasgow"
    );
    assert_eq!(
        db.history(kestrel.id).await.unwrap()[0].reason,
        "imported from people.csv"
    );
    let exported = export(db).await;
    assert_eq!(exported.lines().count(), 7, "{exported}");
    assert!(
        exported.contains("\"Tern \"\"the quiet\"\"\""),
        "{exported}"
    );

    // The export imports into a fresh organisation and exports identically.
    let other = db.another().await;
    org(&other).await;
    let r = import(&other, exported.as_bytes(), "export.csv")
        .await
        .unwrap();
    assert_eq!(r.created, 6);
    assert_eq!(
        export(&other).await,
        exported,
        "export → import → export changed the text"
    );

    // Re-importing the export into the same organisation changes nothing.
    let before = db.counts().await;
    let r = import(db, exported.as_bytes(), "export.csv").await.unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 6), "{r:?}");
    let after = db.counts().await;
    let without_imports = |c: Vec<(&'static str, i64)>| {
        c.into_iter()
            .filter(|(t, _)| *t != "imports")
            .collect::<Vec<_>>()
    };
    assert_eq!(
        without_imports(after),
        without_imports(before),
        "re-importing the export wrote people or history"
    );
    assert_eq!(export(db).await, exported);

    // People recorded one by one after an import, and imported after that, get ids of their
    // own (on PostgreSQL the import assigns ids itself and must move the identity sequence on).
    let later = db
        .create_person(
            &person(
                "Later",
                o.docks1,
                Status::Supporter,
                1,
                identity("later@example.org", ""),
            ),
            None,
        )
        .await
        .expect("creating a person after an import");
    let more = format!(
        "{}\n,Latest,docks-2,supporter,,no,,no,,,,,\n",
        core_rules::import::COLUMNS.join(",")
    );
    let r = import(db, more.as_bytes(), "more.csv").await.unwrap();
    assert_eq!(r.created, 1);
    let again = db
        .create_person(
            &person(
                "Again",
                o.docks1,
                Status::Supporter,
                1,
                identity("again@example.org", ""),
            ),
            None,
        )
        .await
        .expect("creating a person after a second import");
    assert!(again > later);
    assert_eq!(db.count("persons").await, 9);

    // A row with a known email (written differently) updates that person.
    let update = format!(
        "pseudonym,unit,status,admitted_on,programme,monthly_income,email\n\
         Kestrel,docks-2,member,{},yes,2000.00,ANN@Example.org\n",
        days_ago(300)
    );
    let people = db.count("persons").await;
    let r = import(db, update.as_bytes(), "update.csv").await.unwrap();
    assert_eq!((r.created, r.updated), (0, 1), "{r:?}");
    assert_eq!(db.count("persons").await, people);
    let k = db.person(kestrel.id).await.unwrap().unwrap();
    assert_eq!(
        (k.unit_id, k.monthly_income_cents, k.card.as_deref()),
        (o.docks2, Some(200_000), Some("C-001")),
        "the update should move Kestrel, change the income and keep the card"
    );
    let h = db.history(kestrel.id).await.unwrap();
    assert!(
        h.iter().any(|e| e.change == "transfer"
            && e.from_value.as_deref() == Some("docks-1")
            && e.to_value.as_deref() == Some("docks-2")),
        "the import's transfer should be in the history: {h:?}"
    );
}

on_every_backend!(a_csv_with_bad_rows_writes_nothing);
async fn a_csv_with_bad_rows_writes_nothing(db: &TestDb) {
    org(db).await;
    let tomorrow = today().add_days(1);
    let header = core_rules::import::COLUMNS.join(",");
    let mut data =
        format!("{header}\n,Good,docks-1,supporter,,no,,no,,dup@example.org,,,\n").into_bytes();
    // Line 3 is not UTF-8: a file saved in the wrong encoding.
    data.extend_from_slice(b",Bad\xff\xfe,docks-1,supporter,,no,,no,,,,,\n");
    data.extend_from_slice(
        format!(
            ",Nowhere,atlantis,supporter,,no,,no,,,,,\n\
             ,Early,docks-1,member,{tomorrow},yes,,no,,,,,\n\
             ,Poor,docks-1,supporter,,no,-5.00,no,,,,,\n\
             ,Odd,docks-1,comrade,,no,,no,,,,,\n\
             ,Twin,docks-2,supporter,,no,,no,,DUP@example.org,,,\n"
        )
        .as_bytes(),
    );
    let before = db.counts().await;
    let e = import(db, &data, "bad.csv")
        .await
        .expect_err("a file with bad rows should be refused");
    let s = |c: &str| c.to_string();
    assert_eq!(
        rows_of(&e),
        [
            (3, s("")),
            (4, s("unit")),
            (5, s("admitted_on")),
            (6, s("monthly_income")),
            (7, s("status")),
            (8, s("email"))
        ],
        "every bad row should be named with its line and column: {e}"
    );
    let text = e.to_string();
    assert!(text.contains("nothing was written"), "{text}");
    assert!(text.contains("\"atlantis\""), "{text}");
    assert!(
        text.contains("line 2"),
        "the duplicate should point at its twin: {text}"
    );
    assert_eq!(
        db.counts().await,
        before,
        "a refused import wrote something"
    );
    assert_eq!(db.count("persons").await, 0);
}

// ---------------------------------------------------------------------------------------------
// 10. Backups (SQLite: PostgreSQL has pg_dump).

on_every_backend!(backups_are_whole_encrypted_and_never_overwrite_by_accident);
async fn backups_are_whole_encrypted_and_never_overwrite_by_accident(db: &TestDb) {
    org(db).await;
    import(db, people_csv().as_bytes(), "people.csv")
        .await
        .unwrap();
    let keys = TempDir::new();
    let id_file = keys.path().join("backup-identity.txt");
    let recipient = store::backup::create_backup_identity(&id_file).unwrap();
    let recipients = store::backup::parse_recipients(&[recipient]).unwrap();
    let opener = store::backup::read_backup_identity(&id_file).unwrap();
    if db.backend == Backend::Postgres {
        let e = db
            .backup_to(std::path::Path::new("/nonexistent/backup.db"), &recipients)
            .await
            .expect_err("backup_to on PostgreSQL should point to pg_dump");
        assert!(e.to_string().contains("pg_dump"), "{e}");
        return;
    }
    let dir = db
        .dir()
        .expect("an SQLite store has a directory")
        .to_path_buf();
    let backup = dir.join("backup.age");
    let e = db.backup_to(&backup, &[]).await.expect_err("no recipient");
    assert!(e.to_string().contains("recipient"), "{e}");
    // Taken while the store is open and being written to.
    let writer = async {
        for i in 0..20 {
            db.create_person(
                &person(
                    &format!("During {i}"),
                    db.unit_by_code("south").await.unwrap().unwrap().id,
                    Status::Supporter,
                    1,
                    identity("", ""),
                ),
                None,
            )
            .await
            .unwrap();
        }
    };
    let (r, ()) = tokio::join!(db.backup_to(&backup, &recipients), writer);
    r.unwrap();
    // Encrypted: no SQLite header, no organisation name, no party name; and no plaintext
    // snapshot left beside it.
    let bytes = std::fs::read(&backup).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    for needle in [&b"SQLite format 3"[..], b"Test Party", b"Kestrel", b"south"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the backup shows {:?}",
            String::from_utf8_lossy(needle)
        );
    }
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".iskra-backup"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");

    // Restored into a new place, it is the live data as it stood at one moment.
    let copy_path = dir.join("copy").join("iskra.db");
    let copy_url = store::DatabaseUrl::Sqlite(copy_path.clone());
    store::backup::restore(&backup, &copy_url, false, &opener)
        .await
        .unwrap();
    let copy = open_unlocked(&copy_url, store::Create::Never)
        .await
        .unwrap();
    assert_eq!(
        copy.organisation().await.unwrap().as_deref(),
        Some("Test Party")
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(copy.pool())
        .await
        .unwrap();
    assert!((6..=26).contains(&n), "the backup holds {n} people");
    let mut copied = Vec::new();
    copy.export_people(&mut copied, None).await.unwrap();
    let copied = String::from_utf8(copied).unwrap();
    let live = export(db).await;
    assert!(
        live.starts_with(&copied),
        "the backup should be the live data as it stood at one moment"
    );
    copy.close().await;

    let e = db
        .backup_to(&backup, &recipients)
        .await
        .expect_err("a backup over an existing file should be refused");
    assert!(e.to_string().contains("exists already"), "{e}");

    // Another identity does not open it.
    let other_file = keys.path().join("other-identity.txt");
    store::backup::create_backup_identity(&other_file).unwrap();
    let other = store::backup::read_backup_identity(&other_file).unwrap();
    let nowhere = store::DatabaseUrl::Sqlite(dir.join("nowhere").join("iskra.db"));
    let e = store::backup::restore(&backup, &nowhere, false, &other)
        .await
        .expect_err("another identity should not open the backup");
    assert!(e.to_string().contains("does not open"), "{e}");

    // Restoring over another organisation's database needs --force. The target is not named
    // *.db, and a crash left its write-ahead log behind: restoring must not let SQLite replay
    // that old log over the restored database.
    let target = dir.join("other.sqlite");
    let target_db = open_unlocked(
        &store::DatabaseUrl::Sqlite(target.clone()),
        store::Create::IfMissing,
    )
    .await
    .unwrap();
    store::init_organisation(
        &target_db,
        "Other Party",
        "CC",
        "root",
        ADMIN_PASSWORD,
        today(),
    )
    .await
    .unwrap();
    let wal = dir.join("other.sqlite-wal");
    let stale = dir.join("stale-wal");
    std::fs::copy(&wal, &stale).expect("an open SQLite store in WAL mode has a -wal file");
    target_db.close().await;
    let target_url = store::DatabaseUrl::Sqlite(target.clone());
    // A backup is evidence of a moment: restoring from it must not change it.
    let backup_bytes = std::fs::read(&backup).unwrap();
    let e = store::backup::restore(&backup, &target_url, false, &opener)
        .await
        .expect_err("restoring over a database without force should be refused");
    assert!(e.to_string().contains("--force"), "{e}");
    assert!(
        std::fs::read(&backup).unwrap() == backup_bytes,
        "a refused restore changed the backup file"
    );
    let still = open_unlocked(&target_url, store::Create::Never)
        .await
        .unwrap();
    assert_eq!(
        still.organisation().await.unwrap().as_deref(),
        Some("Other Party")
    );
    still.close().await;
    // As if the server had crashed: the old database's log is still beside it.
    std::fs::copy(&stale, &wal).unwrap();

    store::backup::restore(&backup, &target_url, true, &opener)
        .await
        .unwrap();
    assert!(std::fs::read(&backup).unwrap() == backup_bytes);
    let restored = open_unlocked(&target_url, store::Create::Never)
        .await
        .unwrap();
    assert_eq!(
        restored.organisation().await.unwrap().as_deref(),
        Some("Test Party")
    );
    let mut out = Vec::new();
    restored.export_people(&mut out, None).await.unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), copied);
    restored.close().await;

    // An encrypted database that is not an Iskra organisation is no backup; a file that is
    // not encrypted to us is none either.
    let junk = dir.join("junk").join("junk.db");
    let empty = open_unlocked(
        &store::DatabaseUrl::Sqlite(junk.clone()),
        store::Create::IfMissing,
    )
    .await
    .unwrap();
    let junk_backup = dir.join("junk.age");
    empty.backup_to(&junk_backup, &recipients).await.unwrap();
    empty.close().await;
    let e = store::backup::restore(&junk_backup, &target_url, true, &opener)
        .await
        .expect_err("restoring a database with no organisation should be refused");
    assert!(e.to_string().contains("not an Iskra backup"), "{e}");
    let e = store::backup::restore(&junk, &target_url, true, &opener)
        .await
        .expect_err("a plain SQLite file is not an encrypted backup");
    assert!(e.to_string().contains("does not open"), "{e}");
    // The identity file itself must be private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&id_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

// ---------------------------------------------------------------------------------------------
// 11. Accounts and sessions.

on_every_backend!(accounts_log_in_and_sessions_end);
async fn accounts_log_in_and_sessions_end(db: &TestDb) {
    let o = org(db).await;
    let vera = db
        .create_person(
            &person("Vera", o.docks1, Status::Member, 10, identity("", "")),
            None,
        )
        .await
        .unwrap();
    let id = db
        .create_account(
            "vera",
            "a long enough password",
            Some(vera),
            false,
            Some(o.admin),
        )
        .await
        .unwrap();
    let before = db.counts().await;
    for (login, password, words) in [
        ("vera", "another long password", "taken"),
        ("vera2", "short", "10 characters"),
        (
            "vera@example.org",
            "a long enough password",
            "not an email address",
        ),
        ("  ", "a long enough password", "1 to 64 characters"),
    ] {
        let e = db
            .create_account(login, password, None, false, None)
            .await
            .expect_err("a bad account should be refused");
        assert!(e.to_string().contains(words), "expected {words:?} in: {e}");
    }
    assert_eq!(db.counts().await, before);

    let a = db
        .check_login("vera", "a long enough password")
        .await
        .unwrap()
        .expect("the right password logs in");
    assert_eq!(
        (a.id, a.login.as_str(), a.person_id, a.is_admin),
        (id, "vera", Some(vera), false)
    );
    assert_eq!(
        db.check_login(" vera ", "a long enough password")
            .await
            .unwrap()
            .map(|a| a.id),
        Some(id)
    );
    assert_eq!(
        db.check_login("vera", "a long enough passwore")
            .await
            .unwrap(),
        None
    );
    assert_eq!(db.check_login("vera", "").await.unwrap(), None);
    assert_eq!(
        db.check_login("nobody", "a long enough password")
            .await
            .unwrap(),
        None
    );

    let token = db.start_session(id).await.unwrap();
    assert!(token.len() >= 32, "a session token should be long: {token}");
    let s = db.session(&token).await.unwrap().expect("a live session");
    assert_eq!(s.account.id, id);
    assert!(!s.csrf.is_empty() && s.csrf != token);
    let other = db.start_session(id).await.unwrap();
    assert_ne!(other, token, "every session has a token of its own");
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = $1 OR csrf = $1")
            .bind(&token)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(stored, 0, "the token itself must not be stored");
    db.end_session(&token).await.unwrap();
    assert!(
        db.session(&token).await.unwrap().is_none(),
        "an ended session lives on"
    );
    assert!(
        db.session(&other).await.unwrap().is_some(),
        "ending one session ended another"
    );
    assert!(db.session("not a token").await.unwrap().is_none());

    // The stored hash is Argon2id with at least OWASP's minimum cost.
    let hash = db.password_hash("vera").await.unwrap().expect("a hash");
    let parsed = argon2::PasswordHash::new(&hash).expect("a PHC string");
    assert_eq!(parsed.algorithm.as_str(), "argon2id");
    let params = argon2::Params::try_from(&parsed).expect("Argon2 parameters");
    assert!(params.m_cost() >= 19_456, "memory {} KiB", params.m_cost());
    assert!(params.t_cost() >= 2, "passes {}", params.t_cost());
    assert!(!hash.contains("a long enough password"));
}

// ---------------------------------------------------------------------------------------------
// 11a. Invitations: a one-time link by which a member opens their own account.

on_every_backend!(two_acceptances_of_one_link_open_one_account);
async fn two_acceptances_of_one_link_open_one_account(db: &TestDb) {
    use store::invitations::INVITATION_UNUSABLE;
    let o = org(db).await;
    let vera = db
        .create_person(
            &person("Vera", o.docks1, Status::Member, 10, identity("", "")),
            None,
        )
        .await
        .unwrap();
    let inv = db.invite(vera, Some(o.admin)).await.unwrap();
    let accounts = db.count("accounts").await;
    // The same link opened twice at once (a double click, or the link in two hands), with
    // different login names, so that the only thing to stop the second is the link itself.
    let (a, b) = tokio::join!(
        db.accept_invitation(&inv.token, "vera-one", "a long enough password"),
        db.accept_invitation(&inv.token, "vera-two", "a long enough password"),
    );
    let won = [a.is_ok(), b.is_ok()].iter().filter(|x| **x).count();
    assert_eq!(won, 1, "exactly one acceptance wins: {a:?} {b:?}");
    let lost = if a.is_ok() { b } else { a };
    assert_eq!(lost.unwrap_err().to_string(), INVITATION_UNUSABLE);
    assert_eq!(db.count("accounts").await, accounts + 1);
    assert!(db.account_of_person(vera).await.unwrap().is_some());
}

on_every_backend!(a_member_is_invited_once_to_an_account);
async fn a_member_is_invited_once_to_an_account(db: &TestDb) {
    use store::invitations::INVITATION_UNUSABLE;
    let o = org(db).await;
    let new = |name: &'static str, status| async move {
        db.create_person(&person(name, o.docks1, status, 10, identity("", "")), None)
            .await
            .unwrap()
    };
    let vera = new("Vera", Status::Member).await;
    let ivan = new("Ivan", Status::Applicant).await;
    let olga = new("Olga", Status::Member).await;
    db.create_account("olga", "a long enough password", Some(olga), false, None)
        .await
        .unwrap();

    // Only an admitted member without an account can be invited.
    let e = db.invite(ivan, Some(o.admin)).await.unwrap_err();
    assert!(
        e.to_string().contains("only an admitted member") && e.to_string().contains("applicant"),
        "{e}"
    );
    let e = db.invite(olga, Some(o.admin)).await.unwrap_err();
    // A refusal names nobody: the secretary knows whom they asked about.
    assert!(e.to_string().contains("already has an account"), "{e}");
    assert!(!e.to_string().contains("Olga"), "{e}");
    assert!(matches!(
        db.invite(999_999, Some(o.admin)).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(db.count("invitations").await, 0);

    // A new invitation replaces an unused one.
    let first = db.invite(vera, Some(o.admin)).await.unwrap();
    assert_eq!(first.token.len(), 64);
    let second = db.invite(vera, Some(o.admin)).await.unwrap();
    assert_ne!(first.token, second.token);
    assert_eq!(db.count("invitations").await, 1, "the first was replaced");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE token_hash = $1")
        .bind(&second.token)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0, "the token itself must not be stored");
    assert!(db.invitation(&first.token).await.unwrap().is_none());
    let open = db
        .invitation(&second.token)
        .await
        .unwrap()
        .expect("the newest invitation is open");
    assert_eq!((open.person_id, open.pseudonym.as_str()), (vera, "Vera"));
    let week = store::invitations::INVITATION_DAYS * 24 * 3600;
    assert!((open.expires_at - second.expires_at).abs() < 5);

    // A bad login or password is refused by name and leaves the invitation usable.
    let accounts = db.count("accounts").await;
    for (login, password, words) in [
        (
            "vera@example.org",
            "a long enough password",
            "not an email address",
        ),
        ("vera", "short", "10 characters"),
        ("olga", "a long enough password", "taken"),
    ] {
        let e = db
            .accept_invitation(&second.token, login, password)
            .await
            .unwrap_err();
        assert!(e.to_string().contains(words), "expected {words:?} in: {e}");
    }
    assert_eq!(db.count("accounts").await, accounts);
    assert!(db.invitation(&second.token).await.unwrap().is_some());

    let id = db
        .accept_invitation(&second.token, "vera", "a long enough password")
        .await
        .unwrap();
    let a = db
        .check_login("vera", "a long enough password")
        .await
        .unwrap()
        .expect("the invitee logs in");
    assert_eq!((a.id, a.person_id, a.is_admin), (id, Some(vera), false));
    assert_eq!(db.account_of_person(vera).await.unwrap(), Some(id));
    let e = db.invite(vera, Some(o.admin)).await.unwrap_err();
    assert!(e.to_string().contains("already has an account"), "{e}");

    // Expired, and a member who is no longer one: the link stops working.
    let yuri = new("Yuri", Status::Member).await;
    let expired = db.invite(yuri, Some(o.admin)).await.unwrap();
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE person_id = $2")
        .bind(expired.expires_at - week - 1)
        .bind(yuri)
        .execute(db.pool())
        .await
        .unwrap();
    let zoya = new("Zoya", Status::Member).await;
    let lapsed = db.invite(zoya, Some(o.admin)).await.unwrap();
    db.set_status(zoya, Status::Lapsed, today(), "stopped paying", None)
        .await
        .unwrap();

    // Every way a link cannot be used gets the same words, and writes nothing.
    let accounts = db.count("accounts").await;
    for (token, login) in [
        (second.token.as_str(), "vera2"),
        (first.token.as_str(), "vera3"),
        (expired.token.as_str(), "yuri"),
        (lapsed.token.as_str(), "zoya"),
        ("0123456789abcdef", "nobody"),
    ] {
        let e = db
            .accept_invitation(token, login, "a long enough password")
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), INVITATION_UNUSABLE, "{login}");
        assert!(db.invitation(token).await.unwrap().is_none(), "{login}");
    }
    assert_eq!(db.count("accounts").await, accounts);
}

// ---------------------------------------------------------------------------------------------
// 12. The hot lists use indexes on both backends.

enum Bind {
    Int(i64),
    Text(String),
}

/// The planner's account of a query, line by line, with the store's own SQL and arguments.
/// On PostgreSQL sequential scans are switched off for this one transaction: on a table this
/// small a scan is cheaper, and the question is whether an index *can* serve the query.
async fn explain(db: &TestDb, sql: &str, binds: &[Bind]) -> Vec<String> {
    let mut tx = db.pool().begin().await.unwrap();
    let text = match db.backend {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Backend::Postgres => {
            sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut *tx)
                .await
                .unwrap();
            format!("EXPLAIN {sql}")
        }
    };
    let mut q = sqlx::query(&text);
    for b in binds {
        q = match b {
            Bind::Int(i) => q.bind(*i),
            Bind::Text(t) => q.bind(t.clone()),
        };
    }
    let rows = q.fetch_all(&mut *tx).await.unwrap();
    let lines = rows
        .iter()
        .map(|r| match db.backend {
            Backend::Sqlite => r.get::<String, _>("detail"),
            Backend::Postgres => r.get::<String, _>(0),
        })
        .collect();
    tx.rollback().await.unwrap();
    lines
}

/// Whether the plan reads `persons` through an index and never scans it whole.
fn persons_by_index(backend: Backend, lines: &[String]) -> bool {
    match backend {
        Backend::Sqlite => {
            // "SEARCH p USING INDEX persons_by_unit_pseudonym (unit_id=? ...)"; older SQLite
            // writes "SEARCH TABLE persons AS p USING ...".
            let on_persons = |l: &String, verb: &str| {
                let mut words = l.split_whitespace().filter(|w| *w != "TABLE");
                words.next() == Some(verb) && matches!(words.next(), Some("p" | "persons"))
            };
            !lines.iter().any(|l| on_persons(l, "SCAN"))
                && lines
                    .iter()
                    .any(|l| on_persons(l, "SEARCH") && l.contains("INDEX"))
        }
        Backend::Postgres => {
            !lines.iter().any(|l| l.contains("Seq Scan on persons"))
                && lines.iter().any(|l| {
                    ((l.contains("Index Scan") || l.contains("Index Only Scan"))
                        && l.contains(" on persons"))
                        || l.contains("Bitmap Index Scan on persons_")
                })
        }
    }
}

on_every_backend!(the_unit_list_and_the_branch_search_use_indexes);
async fn the_unit_list_and_the_branch_search_use_indexes(db: &TestDb) {
    let o = org(db).await;
    // Twenty thousand people spread over the units, through the ordinary import: enough that
    // SQLite's import builds the secondary indexes after the rows, which must leave them all as
    // they were (and used, below).
    let indexes = |db: &'_ TestDb| {
        let pool = db.pool().clone();
        async move {
            let mut v: Vec<(String, Option<String>)> = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                 AND tbl_name IN ('persons', 'identities') ORDER BY name",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            v.sort();
            v
        }
    };
    let before = if db.backend == Backend::Sqlite {
        indexes(db).await
    } else {
        Vec::new()
    };
    let units = [
        "docks-1", "docks-2", "docks", "north", "south", "women", "union",
    ];
    let prefixes = ["Ma", "Ka", "Ve", "Ro", "Bo", "Li", "Sa", "Yu"];
    let mut csv = String::from("pseudonym,unit,status\n");
    for i in 0..20_000 {
        csv += &format!(
            "{}{i:05},{},supporter\n",
            prefixes[i % prefixes.len()],
            units[i % units.len()]
        );
    }
    import(db, csv.as_bytes(), "many.csv").await.unwrap();
    if db.backend == Backend::Sqlite {
        let after = indexes(db).await;
        assert_eq!(
            after, before,
            "the import put back every index it set aside"
        );
        assert!(after.iter().any(|(n, _)| n == "persons_by_unit_pseudonym"));
    }
    // Planner statistics as a running organisation would have them.
    sqlx::query("ANALYZE").execute(db.pool()).await.unwrap();
    let (circle, region) = (o.docks1, o.north);

    let lines = explain(db, store::people::PEOPLE_OF_UNIT_SQL, &[Bind::Int(circle)]).await;
    assert!(
        persons_by_index(db.backend, &lines),
        "a unit's people list should read persons through an index:\n{}",
        lines.join("\n")
    );
    let lines = explain(
        db,
        store::people::SEARCH_BRANCH_SQL,
        &[
            Bind::Int(region),
            Bind::Text("Ma".into()),
            Bind::Text("Ma\u{10ffff}".into()),
            Bind::Int(20),
        ],
    )
    .await;
    assert!(
        persons_by_index(db.backend, &lines),
        "the branch search should read persons through an index:\n{}",
        lines.join("\n")
    );
    // And the constants are what the store runs: the search finds what the plan was for.
    let found = db.search_branch(region, "Ma", 20).await.unwrap();
    assert_eq!(found.len(), 20);
    assert!(found.iter().all(|p| p.pseudonym.starts_with("Ma")));

    // The officer's search with every option on (whole branch, members only, a closed branch
    // left out) reads persons through the index too.
    let sql = store::people::search_people_sql(true, true, 2);
    let lines = explain(
        db,
        &sql,
        &[
            Bind::Int(region),
            Bind::Text("Ma".into()),
            Bind::Text("Ma\u{10ffff}".into()),
            Bind::Int(50),
            Bind::Int(circle),
            Bind::Int(o.docks2),
        ],
    )
    .await;
    assert!(
        persons_by_index(db.backend, &lines),
        "the officer's branch search should read persons through an index:\n{}",
        lines.join("\n")
    );
}

on_every_backend!(a_branch_search_finds_what_the_viewer_may_see_and_nothing_else);
async fn a_branch_search_finds_what_the_viewer_may_see_and_nothing_else(db: &TestDb) {
    use store::people::BranchSearch;
    let o = org(db).await;
    let by = Some(o.admin);
    let mut ids = std::collections::HashMap::new();
    for (name, unit, status) in [
        ("Marat", o.north, Status::Member),
        ("Martov", o.docks, Status::Member),
        ("Maria", o.docks1, Status::Member),
        ("Makar", o.docks2, Status::Applicant),
        ("mayakovsky", o.docks2, Status::Member),
        ("Mandelstam", o.south, Status::Member),
        ("Lenin", o.docks1, Status::Member),
    ] {
        let id = db
            .create_person(
                &person(
                    name,
                    unit,
                    status,
                    30,
                    core_rules::people::Identity::default(),
                ),
                by,
            )
            .await
            .unwrap();
        ids.insert(name, id);
    }
    let names = |found: Vec<store::people::Person>| -> Vec<String> {
        found.into_iter().map(|p| p.pseudonym).collect()
    };
    let search = |prefix: &'static str, below: bool, members_only: bool, hidden: Vec<i64>| async move {
        db.search_people(&BranchSearch {
            top: o.north,
            prefix,
            below,
            members_only,
            hidden: &hidden,
            limit: 50,
        })
        .await
        .unwrap()
    };
    // The whole branch, either case of the first letter, in order; never another branch.
    assert_eq!(
        names(search("ma", true, false, vec![]).await),
        ["Makar", "Marat", "Maria", "Martov", "mayakovsky"]
    );
    assert_eq!(
        names(search("Ma", true, false, vec![]).await),
        ["Makar", "Marat", "Maria", "Martov", "mayakovsky"]
    );
    // The top unit only.
    assert_eq!(names(search("Ma", false, false, vec![]).await), ["Marat"]);
    // Members only: the applicant is left out.
    assert_eq!(
        names(search("Ma", true, true, vec![]).await),
        ["Marat", "Maria", "Martov", "mayakovsky"]
    );
    // A hidden circle's people are left out.
    assert_eq!(
        names(search("Ma", true, false, vec![o.docks2]).await),
        ["Marat", "Maria", "Martov"]
    );
    // A longer prefix narrows; the limit holds; an empty prefix finds nobody.
    assert_eq!(names(search("Mart", true, false, vec![]).await), ["Martov"]);
    let two = db
        .search_people(&BranchSearch {
            top: o.north,
            prefix: "Ma",
            below: true,
            members_only: false,
            hidden: &[],
            limit: 2,
        })
        .await
        .unwrap();
    assert_eq!(names(two), ["Makar", "Marat"]);
    assert!(search("  ", true, false, vec![]).await.is_empty());
    // Characters that mean something in SQL patterns are only characters here.
    assert!(search("%", true, false, vec![]).await.is_empty());
    assert!(search("_a", true, false, vec![]).await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// 12. The audit log.

/// Every entry, oldest first.
async fn audit_log(db: &TestDb) -> Vec<store::audit::Entry> {
    let mut all = db.audit_entries(1_000_000).await.unwrap();
    all.reverse();
    all
}

/// The last entry's action, object and actor.
async fn last_entry(db: &TestDb) -> (String, Option<String>, Option<i64>, Option<i64>, String) {
    let e = db.audit_entries(1).await.unwrap().pop().expect("an entry");
    (e.action, e.object_kind, e.object_id, e.actor, e.detail)
}

async fn verify_ok(db: &TestDb) -> store::audit::Verification {
    let v = db.verify_audit(None).await.unwrap();
    assert_eq!(v.broken, None, "the chain should verify: {v:?}");
    v
}

on_every_backend!(every_change_writes_one_entry_and_a_refusal_none);
async fn every_change_writes_one_entry_and_a_refusal_none(db: &TestDb) {
    let o = org(db).await;
    // init, then seven units.
    let log = audit_log(db).await;
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions[0], "organisation.init");
    assert_eq!(actions[1..], ["unit.create"; 7]);
    assert_eq!(log[0].actor, None, "init is the command line's act");
    assert_eq!(log[1].actor, Some(o.admin));
    let seqs: Vec<i64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>());

    let by = Some(o.admin);
    let p = db
        .create_person(
            &person(
                "Finch",
                o.docks1,
                Status::Member,
                30,
                identity("finch@example.org", ""),
            ),
            by,
        )
        .await
        .unwrap();
    let entry = |a: &str, k: Option<&str>, id: Option<i64>, d: &str| {
        (a.to_string(), k.map(String::from), id, by, d.to_string())
    };
    assert_eq!(
        last_entry(db).await,
        entry(
            "person.create",
            Some("person"),
            Some(p),
            &format!("unit={} status=member", o.docks1)
        )
    );
    db.set_status(p, Status::Lapsed, days_ago(1), "stopped coming", by)
        .await
        .unwrap();
    assert_eq!(
        last_entry(db).await,
        entry(
            "person.status",
            Some("person"),
            Some(p),
            "from=member to=lapsed"
        )
    );
    db.transfer(p, o.docks2, days_ago(1), "moved", by)
        .await
        .unwrap();
    assert_eq!(
        last_entry(db).await,
        entry(
            "person.transfer",
            Some("person"),
            Some(p),
            &format!("from_unit={} to_unit={}", o.docks1, o.docks2)
        )
    );
    let pay = db
        .record_payment(&payment(p, days_ago(2), 500), by)
        .await
        .unwrap();
    assert_eq!(
        last_entry(db).await,
        entry(
            "payment.record",
            Some("person"),
            Some(p),
            &format!("payment={pay}")
        )
    );
    let m = db
        .record_meeting(o.docks2, days_ago(1), "Branch meeting", &[p, p], by)
        .await
        .unwrap();
    assert_eq!(
        last_entry(db).await,
        entry(
            "meeting.record",
            Some("unit"),
            Some(o.docks2),
            &format!("meeting={m} attendees=1")
        )
    );
    let t = db
        .record_task(p, o.docks2, days_ago(1), "sold papers", by)
        .await
        .unwrap();
    assert_eq!(
        last_entry(db).await,
        entry(
            "task.record",
            Some("person"),
            Some(p),
            &format!("task={t} unit={}", o.docks2)
        )
    );
    db.record_identity_view(o.admin, p).await.unwrap();
    assert_eq!(
        last_entry(db).await,
        entry("identity.view", Some("person"), Some(p), "")
    );
    let app = db
        .apply(
            o.docks1,
            "Wren",
            &identity("wren@example.org", ""),
            "",
            days_ago(2),
            by,
        )
        .await
        .unwrap();
    let wren = db.application(app).await.unwrap().unwrap().person_id;
    assert_eq!(
        last_entry(db).await,
        entry(
            "application.apply",
            Some("application"),
            Some(app),
            &format!("person={wren} unit={}", o.docks1)
        )
    );
    db.decide(app, Decision::Admit, days_ago(1), "", by)
        .await
        .unwrap();
    assert_eq!(
        last_entry(db).await,
        entry(
            "application.decide",
            Some("application"),
            Some(app),
            &format!("person={wren} decision=admitted")
        )
    );
    let v = db
        .adopt_statutes(&Statutes::founding(), today(), today(), "Congress", by)
        .await
        .unwrap();
    assert_eq!(
        last_entry(db).await,
        entry("statutes.adopt", Some("statutes"), Some(v), "")
    );
    db.rename_kind("circle", "Cell", "Cells", by).await.unwrap();
    assert_eq!(
        last_entry(db).await,
        entry("unit_kind.rename", None, None, "kind=circle")
    );
    let acc = db
        .create_account("finch", "a long enough password", Some(p), false, by)
        .await
        .unwrap();
    assert_eq!(
        last_entry(db).await,
        entry(
            "account.create",
            Some("account"),
            Some(acc),
            &format!("admin=0 person={p}")
        )
    );
    let token = db.start_session(acc).await.unwrap();
    assert_eq!(
        last_entry(db).await,
        (
            "account.login".into(),
            Some("account".into()),
            Some(acc),
            Some(acc),
            String::new()
        )
    );
    db.end_session(&token).await.unwrap();
    assert_eq!(
        last_entry(db).await,
        (
            "account.logout".into(),
            Some("account".into()),
            Some(acc),
            Some(acc),
            String::new()
        )
    );
    let n = audit_log(db).await.len();
    db.end_session(&token).await.unwrap();
    assert_eq!(
        audit_log(db).await.len(),
        n,
        "ending a session that is already over changes nothing and records nothing"
    );
    let r = import(db, people_csv().as_bytes(), "people.csv")
        .await
        .unwrap();
    let (action, kind, import_id, actor, detail) = last_entry(db).await;
    assert_eq!(
        (action.as_str(), kind.as_deref(), actor, detail.as_str()),
        (
            "import.people",
            Some("import"),
            None,
            "rows=6 created=6 updated=0 unchanged=0"
        ),
        "{r:?}"
    );
    assert!(import_id.is_some());
    let n = audit_log(db).await.len();
    let statement = format!(
        "date,amount,reference,payer\n{d},3.00,BANK-1,ann@example.org\n{d},3.00,BANK-2,curlew@example.org\n",
        d = days_ago(3)
    );
    db.import_bank_csv(statement.as_bytes(), by).await.unwrap();
    assert_eq!(
        last_entry(db).await,
        entry("import.payments", None, None, "recorded=2 already=0")
    );
    assert_eq!(
        audit_log(db).await.len(),
        n + 1,
        "a statement of many lines is one entry, not one per line"
    );
    let rows = export(db).await.lines().count() as i64 - 1;
    assert_eq!(
        last_entry(db).await,
        (
            "export.people".into(),
            None,
            None,
            None,
            format!("rows={rows}")
        )
    );

    // Refusals, some of them part-way through their transaction, record nothing.
    let before = audit_log(db).await;
    let stranger = db
        .create_person(
            &person("Stranger", o.south, Status::Member, 5, identity("", "")),
            by,
        )
        .await
        .unwrap();
    let before_refusals = audit_log(db).await;
    assert_eq!(before_refusals.len(), before.len() + 1);
    db.set_status(stranger, Status::Member, today(), "again", by)
        .await
        .expect_err("the same status again is refused");
    db.record_meeting(o.docks2, today(), "Meeting", &[p, stranger], by)
        .await
        .expect_err("a stranger at the meeting is refused after the meeting row is written");
    db.decide(app, Decision::Refuse, today(), "", by)
        .await
        .expect_err("decided once");
    db.create_unit(&new_unit("north", "Again", "regional", Some("cc")), by)
        .await
        .expect_err("a unit code is taken once");
    db.adopt_statutes(&Statutes::founding(), today(), days_ago(1), "Congress", by)
        .await
        .expect_err("statutes cannot take effect before their adoption");
    let bad = format!(
        "{}\n,Nobody,nowhere,member,,no,,no,,,,,\n",
        core_rules::import::COLUMNS.join(",")
    );
    import(db, bad.as_bytes(), "bad.csv")
        .await
        .expect_err("a bad row refuses the whole import");
    db.create_account("finch", "a long enough password", None, false, by)
        .await
        .expect_err("a login is taken once");
    assert_eq!(
        audit_log(db).await,
        before_refusals,
        "a refused change wrote an audit entry"
    );
    let v = verify_ok(db).await;
    assert_eq!(v.entries as usize, before_refusals.len());
    assert_eq!(v.head_seq as usize, before_refusals.len());
}

/// Runs a raw statement against the store's database.
async fn raw(db: &TestDb, sql: &str) {
    sqlx::query(sql)
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

on_every_backend!(tampering_with_the_audit_log_is_named);
async fn tampering_with_the_audit_log_is_named(db: &TestDb) {
    let o = org(db).await;
    for i in 0..4 {
        db.create_person(
            &person(
                &format!("P{i}"),
                o.docks1,
                Status::Supporter,
                3,
                identity("", ""),
            ),
            Some(o.admin),
        )
        .await
        .unwrap();
    }
    let v = verify_ok(db).await;
    assert_eq!((v.entries, v.head_seq), (12, 12));
    let head = v.head_hash.clone();
    assert_eq!(head.len(), 64);
    let broken = |v: store::audit::Verification| v.broken.expect("the tampering should be found");

    // An edited field: the entry is named.
    raw(
        db,
        "UPDATE audit_log SET object_id = object_id + 1 WHERE seq = 10",
    )
    .await;
    let b = broken(db.verify_audit(None).await.unwrap());
    assert_eq!(b.seq, 10, "{b}");
    assert!(b.what.contains("hash"), "{b}");
    raw(
        db,
        "UPDATE audit_log SET object_id = object_id - 1 WHERE seq = 10",
    )
    .await;
    verify_ok(db).await;
    for sql in [
        "UPDATE audit_log SET actor = NULL WHERE seq = 5",
        "UPDATE audit_log SET at = at - 3600 WHERE seq = 5",
        "UPDATE audit_log SET detail = 'unit=1' WHERE seq = 5",
        "UPDATE audit_log SET action = 'unit.created' WHERE seq = 5",
    ] {
        let saved = audit_log(db).await[4].clone();
        raw(db, sql).await;
        let b = broken(db.verify_audit(None).await.unwrap());
        assert_eq!(b.seq, 5, "{sql}: {b}");
        sqlx::query(
            "UPDATE audit_log SET actor = $1, at = $2, detail = $3, action = $4 WHERE seq = 5",
        )
        .bind(saved.actor)
        .bind(saved.at)
        .bind(&saved.detail)
        .bind(&saved.action)
        .execute(db.pool())
        .await
        .unwrap();
        verify_ok(db).await;
    }

    // A deleted entry in the middle: named as missing.
    raw(db, "DELETE FROM audit_log WHERE seq = 7").await;
    let b = broken(db.verify_audit(None).await.unwrap());
    assert_eq!(b.seq, 7, "{b}");
    assert!(b.what.contains("missing"), "{b}");
    // Closing the gap by renumbering does not hide it.
    raw(db, "UPDATE audit_log SET seq = -seq WHERE seq > 7").await;
    raw(db, "UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0").await;
    let b = broken(db.verify_audit(None).await.unwrap());
    assert_eq!(b.seq, 7, "{b}");

    // Two entries swapped: named at the first.
    let fresh = db.another().await;
    let o2 = org(&fresh).await;
    fresh.record_identity_view(o2.admin, 1).await.unwrap();
    raw(&fresh, "UPDATE audit_log SET seq = -1 WHERE seq = 3").await;
    raw(&fresh, "UPDATE audit_log SET seq = 3 WHERE seq = 4").await;
    raw(&fresh, "UPDATE audit_log SET seq = 4 WHERE seq = -1").await;
    let b = broken(fresh.verify_audit(None).await.unwrap());
    assert_eq!(b.seq, 3, "{b}");

    // The last entry deleted: the head still records it.
    let fresh = db.another().await;
    let o3 = org(&fresh).await;
    fresh.record_identity_view(o3.admin, 1).await.unwrap();
    let v = verify_ok(&fresh).await;
    let noted = v.head_hash.clone();
    raw(&fresh, "DELETE FROM audit_log WHERE seq = 9").await;
    let b = broken(fresh.verify_audit(None).await.unwrap());
    assert_eq!(b.seq, 9, "{b}");
    assert!(b.what.contains("end"), "{b}");
    // Rewinding the head as well hides it from the database alone, but not from a head hash
    // noted down outside it.
    let h8 = audit_log(&fresh).await[7].hash.clone();
    sqlx::query("UPDATE audit_head SET seq = 8, hash = $1 WHERE id = 1")
        .bind(&h8)
        .execute(fresh.pool())
        .await
        .unwrap();
    verify_ok(&fresh).await;
    let b = broken(fresh.verify_audit(Some(&noted)).await.unwrap());
    assert!(b.what.contains("not in the chain"), "{b}");
    // A head noted earlier is still found once more entries are appended.
    let v = fresh.verify_audit(Some(&h8)).await.unwrap();
    assert_eq!((v.broken, v.expected_at), (None, Some(8)));
    fresh.record_identity_view(o3.admin, 1).await.unwrap();
    let v = fresh.verify_audit(Some(&h8)).await.unwrap();
    assert_eq!((v.broken, v.expected_at, v.entries), (None, Some(8), 9));
}

on_every_backend!(no_audit_entry_holds_an_identity);
async fn no_audit_entry_holds_an_identity(db: &TestDb) {
    let o = org(db).await;
    let by = Some(o.admin);
    let canary = core_rules::people::Identity {
        legal_name: "CANARY-Legal-Name".into(),
        email: "canary-mail@canary.example".into(),
        phone: "+44 7700 900 123".into(),
        address: "CANARY-Address, 1 Canary Row".into(),
        workplace: "CANARY-Workplace".into(),
        notes: "CANARY-Notes".into(),
    };
    let p = db
        .create_person(
            &person(
                "CANARY-Pseudonym",
                o.docks1,
                Status::Member,
                40,
                canary.clone(),
            ),
            by,
        )
        .await
        .unwrap();
    db.record_identity_view(o.admin, p).await.unwrap();
    db.set_status(p, Status::Lapsed, days_ago(2), "CANARY-Reason", by)
        .await
        .unwrap();
    db.transfer(p, o.docks2, days_ago(1), "CANARY-Reason", by)
        .await
        .unwrap();
    db.record_task(p, o.docks2, days_ago(1), "CANARY-Task", by)
        .await
        .unwrap();
    db.record_meeting(o.docks2, days_ago(1), "CANARY-Meeting", &[p], by)
        .await
        .unwrap();
    let app = db
        .apply(
            o.docks1,
            "CANARY-Applicant",
            &core_rules::people::Identity {
                legal_name: "CANARY-Applicant-Name".into(),
                email: "canary-applicant@canary.example".into(),
                ..Default::default()
            },
            "CANARY-Statement",
            days_ago(1),
            by,
        )
        .await
        .unwrap();
    db.decide(app, Decision::Admit, today(), "CANARY-Decision", by)
        .await
        .unwrap();
    let csv = format!(
        "{}\n,CANARY-Imported,docks-1,supporter,,no,,no,CANARY-Imported-Name,canary-imported@canary.example,+44 7700 900 456,\"CANARY-Street\",CANARY-Works\n\
         ,CANARY-Pseudonym,docks-2,lapsed,{},no,,no,CANARY-Renamed,canary-mail@canary.example,,,\n",
        core_rules::import::COLUMNS.join(","),
        days_ago(40)
    );
    let r = import(db, csv.as_bytes(), "CANARY-file.csv").await.unwrap();
    assert_eq!((r.created, r.updated), (1, 1), "{r:?}");
    let statement = format!(
        "date,amount,reference,payer\n{},3.00,CANARY-REF,canary-mail@canary.example\n",
        days_ago(1)
    );
    db.import_bank_csv(statement.as_bytes(), by).await.unwrap();
    export(db).await;
    let acc = db
        .create_account("canary-login", "a long enough password", Some(p), false, by)
        .await
        .unwrap();
    let token = db.start_session(acc).await.unwrap();
    db.end_session(&token).await.unwrap();

    let log = audit_log(db).await;
    assert!(log.len() > 20, "the workload should have been recorded");
    // The words of the entries, not their hashes or times: a hex hash holds "7700" now and then.
    let text = log
        .iter()
        .map(|e| format!("{} {:?} {}", e.action, e.object_kind, e.detail))
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
    for needle in ["canary", "7700", "example", "@", "reason", "statement"] {
        assert!(
            !text.contains(needle),
            "an audit entry holds {needle:?}: {text}"
        );
    }
    verify_ok(db).await;
}

on_every_backend!(concurrent_writers_keep_one_chain);
async fn concurrent_writers_keep_one_chain(db: &TestDb) {
    let o = org(db).await;
    let p = db
        .create_person(
            &person("Many", o.docks1, Status::Member, 10, identity("", "")),
            Some(o.admin),
        )
        .await
        .unwrap();
    let before = audit_log(db).await.len();
    let writes = stream::iter(0..24)
        .map(|i| async move {
            if i % 2 == 0 {
                db.record_identity_view(o.admin, p).await.map(|_| ())
            } else {
                db.record_task(p, o.docks1, days_ago(1), "task", Some(o.admin))
                    .await
                    .map(|_| ())
            }
        })
        .buffer_unordered(8)
        .try_collect::<Vec<()>>();
    writes.await.unwrap();
    let v = verify_ok(db).await;
    assert_eq!(v.entries as usize, before + 24);
    assert_eq!(v.head_seq as usize, before + 24);
}

// ---------------------------------------------------------------------------------------------
// Identities encrypted at rest (crates/store/src/vault.rs).

fn full_identity(name: &str, email: &str, phone: &str) -> core_rules::people::Identity {
    core_rules::people::Identity {
        legal_name: name.into(),
        email: email.into(),
        phone: phone.into(),
        address: format!("{name}'s house, 1 Quay Street"),
        workplace: "Harbour Board".into(),
        notes: format!("{name} met us at the gate"),
    }
}

async fn raw_identity(db: &store::Store, person: i64, column: &str) -> Option<Vec<u8>> {
    sqlx::query_scalar(&format!(
        "SELECT {column} FROM identities WHERE person_id = $1"
    ))
    .bind(person)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

async fn set_raw(db: &store::Store, person: i64, column: &str, value: Option<Vec<u8>>) {
    sqlx::query(&format!(
        "UPDATE identities SET {column} = $1 WHERE person_id = $2"
    ))
    .bind(value)
    .bind(person)
    .execute(db.pool())
    .await
    .unwrap();
}

fn other_key() -> store::vault::KeySource {
    store::vault::KeySource::Key(store::vault::MasterKey::from_bytes([0x33; 32]))
}

on_every_backend!(identities_are_sealed_and_open_only_in_their_place);
async fn identities_are_sealed_and_open_only_in_their_place(db: &TestDb) {
    let o = org(db).await;
    let vera_who = full_identity("Vera Zasulich", "Vera.Z@example.org", "+44 141 496 0101");
    let rosa_who = full_identity("Rosa Luxemburg", "rosa@example.org", "");
    let vera = db
        .create_person(
            &person("Vera", o.docks1, Status::Member, 10, vera_who.clone()),
            None,
        )
        .await
        .unwrap();
    let rosa = db
        .create_person(
            &person("Rosa", o.docks2, Status::Member, 10, rosa_who.clone()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(db.identity(vera).await.unwrap(), vera_who);
    assert_eq!(db.identity(rosa).await.unwrap(), rosa_who);

    // Stored sealed: no field in the clear, the blind index is not the email, an empty field
    // is NULL.
    for column in [
        "legal_name",
        "email",
        "phone",
        "address",
        "workplace",
        "notes",
    ] {
        let raw = raw_identity(db, vera, column).await.unwrap();
        for needle in ["Vera", "vera", "496", "Quay", "Harbour", "gate"] {
            assert!(
                !raw.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{column} shows {needle}"
            );
        }
    }
    let key = raw_identity(db, vera, "email_key").await.unwrap();
    assert_eq!(key.len(), store::vault::BLIND_LEN);
    assert_eq!(raw_identity(db, rosa, "phone").await, None);
    assert_eq!(raw_identity(db, rosa, "phone_key").await, None);

    // A ciphertext moved to another person's row, or to another column, does not open.
    let vera_name = raw_identity(db, vera, "legal_name").await;
    let rosa_name = raw_identity(db, rosa, "legal_name").await;
    set_raw(db, vera, "legal_name", rosa_name.clone()).await;
    let e = db
        .identity(vera)
        .await
        .expect_err("a moved ciphertext opened");
    assert!(e.to_string().contains("does not open"), "{e}");
    set_raw(db, vera, "legal_name", vera_name.clone()).await;
    let vera_email = raw_identity(db, vera, "email").await;
    let vera_address = raw_identity(db, vera, "address").await;
    set_raw(db, vera, "address", vera_email).await;
    assert!(db.identity(vera).await.is_err());
    set_raw(db, vera, "address", vera_address).await;
    assert_eq!(db.identity(vera).await.unwrap(), vera_who);

    // The blind index finds the same email or phone, however written.
    let e = db
        .create_person(
            &person(
                "Again",
                o.south,
                Status::Supporter,
                1,
                identity(" VERA.z@EXAMPLE.org", ""),
            ),
            None,
        )
        .await
        .expect_err("the same email twice");
    assert!(e.to_string().contains("already recorded"), "{e}");
    let e = db
        .create_person(
            &person(
                "Again",
                o.south,
                Status::Supporter,
                1,
                identity("", "0044 141 496 0101"),
            ),
            None,
        )
        .await
        .expect_err("the same phone twice");
    assert!(e.to_string().contains("already recorded"), "{e}");

    // Updating an identity re-seals it, and history says only that it changed.
    let mut moved = vera_who.clone();
    moved.address = "2 Dock Road".into();
    db.set_identity(vera, &moved, today(), Some(o.admin))
        .await
        .unwrap();
    assert_eq!(db.identity(vera).await.unwrap(), moved);
    let h = db.history(vera).await.unwrap();
    let last = h.last().unwrap();
    assert_eq!(
        (last.change.as_str(), &last.from_value, &last.to_value),
        ("identity", &None, &None)
    );

    // Without a key nothing identifying is read or written; with another key the database
    // refuses at once.
    let locked = store::Store::open(db.url(), store::Create::Never)
        .await
        .unwrap();
    assert!(matches!(
        locked.identity(vera).await,
        Err(StoreError::Locked)
    ));
    assert!(matches!(
        locked
            .create_person(
                &person("Locked", o.south, Status::Supporter, 1, identity("", "")),
                None
            )
            .await,
        Err(StoreError::Locked)
    ));
    let e = locked
        .clone()
        .unlock(&other_key())
        .await
        .expect_err("another key must be refused");
    assert!(
        e.to_string()
            .contains("the key does not open this database's identities"),
        "{e}"
    );
    locked.close().await;
}

#[cfg(unix)]
#[tokio::test]
async fn a_key_file_others_may_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new();
    let key = dir.path().join("iskra.key");
    store::vault::create_key_file(&key).unwrap();
    let url = store::DatabaseUrl::Sqlite(dir.path().join("data").join("iskra.db"));
    let store = store::Store::open(&url, store::Create::IfMissing)
        .await
        .unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = store
        .clone()
        .unlock(&store::vault::KeySource::File(key.clone()))
        .await
        .expect_err("a 0644 key file must be refused");
    assert!(e.to_string().contains("mode 0644"), "{e}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let store = store
        .unlock(&store::vault::KeySource::File(key))
        .await
        .unwrap();
    store.close().await;
}

#[tokio::test]
async fn a_passphrase_opens_identities_through_the_salt_in_the_database() {
    let dir = TempDir::new();
    let url = store::DatabaseUrl::Sqlite(dir.path().join("iskra.db"));
    let pass = |p: &str| store::vault::KeySource::Passphrase(p.to_string().into());
    let s = store::Store::open(&url, store::Create::IfMissing)
        .await
        .unwrap()
        .unlock(&pass("a long enough passphrase"))
        .await
        .unwrap();
    store::init_organisation(&s, "Test Party", "CC", ADMIN, ADMIN_PASSWORD, today())
        .await
        .unwrap();
    let cc = s.unit_by_code("cc").await.unwrap().unwrap().id;
    let who = full_identity("Nadezhda", "n@example.org", "");
    let id = s
        .create_person(
            &person("Nadya", cc, Status::Supporter, 1, who.clone()),
            None,
        )
        .await
        .unwrap();
    s.close().await;
    let open = |k: store::vault::KeySource| {
        let url = url.clone();
        async move {
            store::Store::open(&url, store::Create::Never)
                .await
                .unwrap()
                .unlock(&k)
                .await
        }
    };
    let again = open(pass("a long enough passphrase")).await.unwrap();
    assert_eq!(again.identity(id).await.unwrap(), who);
    again.close().await;
    let e = open(pass("another long passphrase")).await.unwrap_err();
    assert!(e.to_string().contains("does not open"), "{e}");
    assert!(open(test_key()).await.is_err());
}

on_every_backend!(rotating_the_key_re_encrypts_every_identity);
async fn rotating_the_key_re_encrypts_every_identity(db: &TestDb) {
    let o = org(db).await;
    import(db, people_csv().as_bytes(), "people.csv")
        .await
        .unwrap();
    let who = full_identity("Vera Zasulich", "vera@example.org", "+44 141 496 0101");
    let vera = db
        .create_person(
            &person("Vera", o.docks1, Status::Member, 10, who.clone()),
            None,
        )
        .await
        .unwrap();
    let before = export(db).await;
    let e = db
        .rotate_key(&test_key(), &mut |_, _| {})
        .await
        .expect_err("rotating to the same key");
    assert!(e.to_string().contains("new key"), "{e}");

    let mut seen = Vec::new();
    let n = db
        .rotate_key(&other_key(), &mut |done, total| seen.push((done, total)))
        .await
        .unwrap();
    assert_eq!(n, 7);
    assert_eq!(seen.last(), Some(&(7, 7)));
    // The store still holding the old key no longer opens identities.
    assert!(db.identity(vera).await.is_err());

    let e = store::Store::open(db.url(), store::Create::Never)
        .await
        .unwrap()
        .unlock(&test_key())
        .await
        .expect_err("the old key must be refused after rotation");
    assert!(
        e.to_string()
            .contains("the key does not open this database's identities"),
        "{e}"
    );
    let rotated = store::Store::open(db.url(), store::Create::Never)
        .await
        .unwrap()
        .unlock(&other_key())
        .await
        .unwrap();
    assert_eq!(rotated.identity(vera).await.unwrap(), who);
    let mut after = Vec::new();
    rotated.export_people(&mut after, None).await.unwrap();
    assert_eq!(String::from_utf8(after).unwrap(), before);
    // The blind indexes moved too: the same file finds everyone, and a bank line finds its
    // payer by email and by phone.
    let csv = people_csv();
    let r = rotated
        .import_people(|| Ok(csv.as_bytes()), "again.csv", None, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((r.created, r.unchanged), (0, 6));
    let bank = format!(
        "date,amount,reference,payer\n{d},5.00,R-1,ANN@example.org\n{d},5.00,R-2,0044 141 496 0101\n",
        d = days_ago(1)
    );
    let r = rotated
        .import_bank_csv(bank.as_bytes(), None)
        .await
        .unwrap();
    assert_eq!(r.recorded, 2);
    rotated.close().await;
}

#[tokio::test]
async fn a_database_with_identities_in_plain_text_is_refused_not_migrated() {
    // A database as the foundation left it: migrations 1 and 2, a plaintext identity.
    let dir = TempDir::new();
    let url = store::DatabaseUrl::Sqlite(dir.path().join("iskra.db"));
    let s = open_unlocked(&url, store::Create::IfMissing).await.unwrap();
    for sql in [
        "PRAGMA foreign_keys = OFF",
        "DELETE FROM _sqlx_migrations WHERE version = 3",
        "DROP TABLE vault",
        "DROP TABLE identities",
        "CREATE TABLE identities (person_id BIGINT PRIMARY KEY, legal_name TEXT NOT NULL DEFAULT '', \
         email TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '', \
         workplace TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '', email_key TEXT, phone_key TEXT)",
        "INSERT INTO identities (person_id, legal_name) VALUES (1, 'Vera Zasulich')",
    ] {
        let mut conn = s.pool().acquire().await.unwrap();
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    s.close().await;
    let e = store::Store::open(&url, store::Create::Never)
        .await
        .expect_err("plaintext identities must not be dropped by a migration");
    assert!(e.to_string().contains("in plain text"), "{e}");
    let s = store::Store::open(&url, store::Create::Never).await;
    assert!(s.is_err());
}

on_every_backend!(a_units_identities_open_at_once);
async fn a_units_identities_open_at_once(db: &TestDb) {
    org(db).await;
    let mut csv = core_rules::import::COLUMNS.join(",");
    csv.push('\n');
    for i in 0..500 {
        csv.push_str(&format!(
            ",P{i:03},docks-1,supporter,,no,,no,Name {i},p{i}@example.org,+44 141 496 {i:04},{i} Quay Street,Yard {i}\n"
        ));
    }
    import(db, csv.as_bytes(), "unit.csv").await.unwrap();
    let docks1 = db.unit_by_code("docks-1").await.unwrap().unwrap().id;
    let ids: Vec<i64> = db
        .people_of_unit(docks1)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids.len(), 500);
    let all = db.identities(&ids).await.unwrap();
    assert_eq!(all.len(), 500);
    assert_eq!(all[&ids[7]].email, "p7@example.org");
    assert_eq!(all[&ids[7]].address, "7 Quay Street");
    for id in &ids {
        assert_eq!(all[id], db.identity(*id).await.unwrap());
    }
    // The secretary's roster: name, email and phone of the unit's people, nothing more opened.
    let contacts = db.roster_contacts(docks1).await.unwrap();
    assert_eq!(contacts.len(), 500);
    for id in &ids {
        let (c, full) = (&contacts[id], &all[id]);
        assert_eq!(
            (&c.legal_name, &c.email, &c.phone),
            (&full.legal_name, &full.email, &full.phone)
        );
        assert!(c.address.is_empty() && c.workplace.is_empty() && c.notes.is_empty());
    }
    // How fast is measured in the benchmarks (BENCHMARKS.md), not here.
}

// ---------------------------------------------------------------------------------------------
// Live signals reach every server of the same database.

on_every_backend!(a_signal_announced_on_one_server_reaches_the_subscribers_of_another);
async fn a_signal_announced_on_one_server_reaches_the_subscribers_of_another(db: &TestDb) {
    use std::time::Duration;
    // A second server on the same database: on PostgreSQL its own store and connections; an
    // SQLite database is one server's, and its signals stay in that server.
    let other = match db.backend {
        Backend::Postgres => store::Store::open(db.url(), store::Create::Never)
            .await
            .expect("a second server opens the same database"),
        Backend::Sqlite => db.store.clone(),
    };
    let mut here = db.listen_live().await.unwrap();
    let mut there = other.listen_live().await.unwrap();
    db.announce("congress", "3 vote.open").await.unwrap();
    for rx in [&mut here, &mut there] {
        let s = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the signal arrives within seconds")
            .unwrap();
        assert_eq!(
            (s.topic.as_str(), s.detail.as_str()),
            ("congress", "3 vote.open")
        );
    }
    // The other way round, and in order.
    other.announce("congress", "3 vote.close").await.unwrap();
    other.announce("congress", "3 speaker").await.unwrap();
    for want in ["3 vote.close", "3 speaker"] {
        let s = tokio::time::timeout(Duration::from_secs(10), here.recv())
            .await
            .expect("the signal arrives within seconds")
            .unwrap();
        assert_eq!(s.detail, want);
    }
    // Signals carry ids and fixed words: free text is refused, and nothing is sent.
    for bad in ["Maria Petrova's vote", "line\nbreak", "", &"x".repeat(201)] {
        let e = db.announce("congress", bad).await.unwrap_err();
        assert!(e.to_string().contains("live signal"), "{e}");
    }
    assert!(matches!(
        here.try_recv(),
        Err(tokio::sync::broadcast::error::TryRecvError::Empty)
    ));
}

// ---------------------------------------------------------------------------------------------
// Exposure analysis reads the structure: people by number, accounts, offices, meetings and who
// attended them; nothing of anyone's identity; suspended accounts left out.

on_every_backend!(exposure_reads_the_structure_and_no_identities);
async fn exposure_reads_the_structure_and_no_identities(db: &TestDb) {
    let o = org(db).await;
    let a = db
        .create_person(
            &person(
                "Anna",
                o.docks1,
                Status::Member,
                200,
                identity("anna@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    let b = db
        .create_person(
            &person("Boris", o.docks1, Status::Supporter, 20, identity("", "")),
            None,
        )
        .await
        .unwrap();
    let m = db
        .record_meeting(o.docks1, days_ago(3), "Circle meeting", &[a, b], None)
        .await
        .unwrap();
    let acc = db
        .create_account("anna", "anna's password 1", Some(a), false, None)
        .await
        .unwrap();
    db.grant_role("anna", o.docks1, core_rules::roles::Role::Secretary, None)
        .await
        .unwrap();
    let gone = db
        .create_account("gone", "gone's password 1", Some(b), false, None)
        .await
        .unwrap();
    db.set_suspended(gone, true, None).await.unwrap();

    let s = db.exposure_snapshot().await.unwrap();
    let ids: Vec<i64> = s.people.iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![a, b], "people in order of their numbers");
    assert_eq!(s.people[0].admitted_on, Some(days_ago(200)));
    assert_eq!(s.people[1].status, Status::Supporter);
    assert!(s
        .accounts
        .iter()
        .any(|x| x.id == acc && x.person_id == Some(a)));
    assert!(
        !s.accounts.iter().any(|x| x.id == gone),
        "a suspended account exposes nothing"
    );
    assert!(s
        .accounts
        .iter()
        .any(|x| x.is_admin && x.person_id.is_none()));
    assert!(s
        .grants
        .iter()
        .any(|g| g.account_id == acc && g.unit_id == o.docks1));
    assert_eq!(s.meetings.len(), 1);
    assert_eq!((s.meetings[0].id, s.meetings[0].unit_id), (m, o.docks1));
    // Attendance by position: the one meeting's row, its people as positions in `people`.
    assert_eq!(s.attendance.rows(), 1);
    let mut att: Vec<(i64, i64)> = s
        .attendance
        .row(0)
        .iter()
        .map(|&p| (s.meetings[0].id, s.people[p as usize].id))
        .collect();
    att.sort();
    assert_eq!(att, vec![(m, a), (m, b)]);
    assert!(!format!("{s:?}").contains("anna@example.org"));
    let names = db.pseudonyms_of(&[b, a, 999_999]).await.unwrap();
    assert_eq!(names.len(), 2);
    assert_eq!(names[&a], "Anna");
    // Documents, counted where they are kept, and the people they name by number: a draft and
    // a published-to-be article of the circle's paper, Anna's report on the desk and a rejected
    // one, a congress with a motion, an amendment and Anna taking part.
    let paper = db
        .create_publication(None, "docks", "Docks Paper", o.docks1, 5)
        .await
        .unwrap();
    db.create_article(None, paper, None, "Draft", "Text.")
        .await
        .unwrap();
    let report = |sender| async move {
        db.submit_report(
            sender,
            &store::paper::NewReport {
                category: core_rules::paper::ReportCategory::Strike,
                unit_id: o.docks1,
                happened_on: today(),
                body: "A strike.".into(),
            },
        )
        .await
        .unwrap()
    };
    // Anna's reports: one new (nobody is assigned it yet), one accepted by the administrator's
    // account (assigned to it), and one rejected by it 30 days ago (its sender due to be
    // cleared). Only the second names her, and to that account alone.
    let anna = store::paper::Sender::Person {
        person: a,
        account: acc,
    };
    report(anna).await;
    let accepted = report(anna).await;
    db.triage_report(Some(o.admin), accepted, core_rules::paper::Triage::Accept)
        .await
        .unwrap();
    let old = report(anna).await;
    db.triage_report(Some(o.admin), old, core_rules::paper::Triage::Reject)
        .await
        .unwrap();
    sqlx::query("UPDATE reports SET decided_on = $2 WHERE id = $1")
        .bind(old)
        .bind(days_ago(30).to_string())
        .execute(db.pool())
        .await
        .unwrap();
    let rejected = report(store::paper::Sender::Anonymous).await;
    db.triage_report(None, rejected, core_rules::paper::Triage::Reject)
        .await
        .unwrap();
    let congress: i64 = sqlx::query_scalar(
        "INSERT INTO congresses (name, held_on, membership_on, rule, quorum_num, quorum_den, \
         motion_states, supporters_needed, created_at) VALUES ('Second', '2030-01-01', \
         '2029-12-01', '{\"rule\":\"per_members\",\"per\":10,\"min\":1}', 1, 2, \
         'submitted,adopted,rejected', 0, 0) RETURNING id",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    let motion = db
        .submit_motion(congress, "Statutes", "One.\nTwo.", true, None, None)
        .await
        .unwrap();
    db.propose_amendment(
        motion,
        None,
        &core_rules::congress::Edit::Delete { from: 1, to: 1 },
        None,
        None,
    )
    .await
    .unwrap();
    db.add_participant(congress, a, store::congress::Kind::Guest, 0, None)
        .await
        .unwrap();
    // Boris asked for at Docks Circle 2 (waiting), and once at South (refused): only the
    // waiting one is on a page, its secretary's.
    db.request_transfer(b, o.docks2, today(), "moving", None)
        .await
        .unwrap();
    let refused = db
        .request_transfer(b, o.south, today(), "moving", None)
        .await
        .unwrap();
    db.refuse_transfer(refused, today(), None).await.unwrap();
    let s = db.exposure_snapshot().await.unwrap();
    assert_eq!(s.transfers_waiting, vec![(o.docks2, b)]);
    assert_eq!(s.articles, vec![(o.docks1, 1)]);
    assert_eq!(
        s.desk_reports,
        vec![(o.docks1, 2)],
        "the rejected ones are on no page"
    );
    assert_eq!(s.report_senders, vec![(o.admin, o.docks1, a)]);
    assert!(s.reports_in_articles.is_empty());
    assert_eq!(
        s.congresses,
        vec![store::exposure::CongressRow {
            id: congress,
            motions: 1,
            amendments: 1
        }]
    );
    assert_eq!(s.participants, vec![(congress, a)]);
}

// ---------------------------------------------------------------------------------------------
// The congress.

/// Members with a vote today: admitted 100 days ago, dues paid this month, at a meeting today.
async fn voters(db: &TestDb, unit: i64, prefix: &str, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = db
            .create_person(
                &person(
                    &format!("{prefix} {i}"),
                    unit,
                    Status::Member,
                    100,
                    identity(
                        &format!("{prefix}{i}@example.org")
                            .to_lowercase()
                            .replace(' ', "-"),
                        "",
                    ),
                ),
                None,
            )
            .await
            .unwrap();
        db.record_payment(&payment(id, today(), 300), None)
            .await
            .unwrap();
        ids.push(id);
    }
    db.record_meeting(unit, today(), "Circle meeting", &ids, None)
        .await
        .unwrap();
    ids
}

fn congress_rule(rule: core_rules::congress::ApportionRule) -> store::congress::NewCongress {
    store::congress::NewCongress {
        name: "Second Congress".into(),
        held_on: today().add_days(30),
        membership_on: today(),
        rule: Some(rule),
        quorum: (1, 2),
        supporters_needed: 1,
        motion_states: String::new(),
    }
}

on_every_backend!(a_congress_from_convening_to_its_minutes);
async fn a_congress_from_convening_to_its_minutes(db: &TestDb) {
    use core_rules::congress::blocs::Choice;
    use core_rules::congress::{ApportionRule, Edit};
    use store::congress::Kind;
    let o = org(db).await;
    let by = Some(o.admin);
    let d1 = voters(db, o.docks1, "Iskrist", 12).await;
    let d2 = voters(db, o.docks2, "Rabochee", 5).await;
    // A member without a vote (never paid) counts for nothing.
    let idle = db
        .create_person(
            &person(
                "Idle",
                o.docks2,
                Status::Member,
                100,
                identity("idle@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    let supporter = db
        .create_person(
            &person(
                "Sympathiser",
                o.docks2,
                Status::Supporter,
                100,
                identity("s@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();

    // Convening: one delegate per 5 members with a vote.
    let before = db.count("congresses").await;
    let e = db
        .convene(
            &congress_rule(ApportionRule::PerMembers { per: 0, min: 1 }),
            by,
        )
        .await
        .expect_err("one delegate per 0 members is refused");
    assert!(e.to_string().contains("per 0"), "{e}");
    assert_eq!(
        db.count("congresses").await,
        before,
        "a refused convening wrote a congress"
    );
    let c = db
        .convene(
            &congress_rule(ApportionRule::PerMembers { per: 5, min: 1 }),
            by,
        )
        .await
        .unwrap();
    let m: BTreeMap<i64, u64> = db
        .mandates(c)
        .await
        .unwrap()
        .iter()
        .map(|u| (u.unit_id, u.mandates))
        .collect();
    assert_eq!(
        m,
        BTreeMap::from([(o.docks1, 2), (o.docks2, 1)]),
        "12/5 → 2, 5/5 → 1 (the idle member has no vote)"
    );
    // A fixed total by D'Hondt adds up to the total.
    let fixed = db
        .convene(
            &congress_rule(ApportionRule::Fixed {
                total: 7,
                method: count::apportion::Method::DHondt,
                min: 1,
            }),
            by,
        )
        .await
        .unwrap();
    let fm: Vec<u64> = db
        .mandates(fixed)
        .await
        .unwrap()
        .iter()
        .map(|u| u.mandates)
        .collect();
    assert_eq!(fm.iter().sum::<u64>(), 7);

    // Delegates, and those who may not be.
    let lenin = db
        .add_participant(c, d1[0], Kind::Delegate, 2, by)
        .await
        .unwrap();
    let martov = db
        .add_participant(c, d2[0], Kind::Delegate, 1, by)
        .await
        .unwrap();
    let e = db
        .add_participant(c, d1[1], Kind::Delegate, 1, by)
        .await
        .expect_err("the unit's mandates are all held");
    assert!(e.to_string().contains("already held"), "{e}");
    let e = db
        .add_participant(c, supporter, Kind::Delegate, 1, by)
        .await
        .expect_err("a supporter is no delegate");
    assert!(e.to_string().contains("not a member"), "{e}");
    let e = db
        .add_participant(c, d1[0], Kind::Guest, 0, by)
        .await
        .expect_err("once only");
    assert!(e.to_string().contains("already takes part"), "{e}");
    let voice = db
        .add_participant(c, d1[2], Kind::Consultative, 0, by)
        .await
        .unwrap();
    let guest = db
        .add_participant(c, idle, Kind::Guest, 0, by)
        .await
        .unwrap();
    let sub = db
        .add_participant(c, d1[3], Kind::Substitute, 0, by)
        .await
        .unwrap();
    let _ = sub;

    // Credentials.
    db.set_credential(lenin, true, by).await.unwrap();
    db.set_credential(martov, true, by).await.unwrap();
    let r = db.credentials_report(c).await.unwrap();
    assert_eq!(
        (
            r.apportioned,
            r.delegates,
            r.accepted,
            r.accepted_mandates,
            r.pending
        ),
        (3, 2, 2, 3, 0)
    );
    assert!(r.units_short.is_empty());

    // Presence and quorum.
    let q = db.quorum(c).await.unwrap();
    assert_eq!((q.entitled, q.present, q.needed, q.met), (3, 0, 2, false));
    let q = db
        .set_presence(c, &[lenin, martov, voice], true, by)
        .await
        .unwrap();
    assert_eq!(
        (q.present, q.met),
        (3, true),
        "the consultative voice adds no mandate"
    );

    // The credentials report approved by vote.
    let cv = db
        .open_vote(
            c,
            "credentials",
            None,
            "",
            false,
            count::motion::Rule::SIMPLE,
            by,
        )
        .await
        .unwrap();
    db.cast_vote(cv, lenin, Choice::Yes, by).await.unwrap();
    db.close_vote(cv, by).await.unwrap();
    assert!(db.congress(c).await.unwrap().unwrap().credentials_approved);

    // A motion with competing amendments.
    let motion = db
        .submit_motion(
            c,
            "Draft statutes",
            "Paragraph 1.\nA member supports the party.\nParagraph 2.",
            true,
            Some(lenin),
            by,
        )
        .await
        .unwrap();
    let e = db
        .set_motion_state(motion, "admitted", by)
        .await
        .expect_err("needs a supporter");
    assert!(e.to_string().contains("needs 1"), "{e}");
    db.support_motion(motion, martov, by).await.unwrap();
    db.set_motion_state(motion, "admitted", by).await.unwrap();
    let e = db
        .set_motion_state(motion, "tabled", by)
        .await
        .expect_err("not a state");
    assert!(e.to_string().contains("not a state"), "{e}");
    let a_lenin = db
        .propose_amendment(
            motion,
            None,
            &Edit::parse("replace", 2, None, "by personal participation").unwrap(),
            Some(lenin),
            by,
        )
        .await
        .unwrap();
    let a_martov = db
        .propose_amendment(
            motion,
            None,
            &Edit::parse("replace", 2, None, "by regular personal association").unwrap(),
            Some(martov),
            by,
        )
        .await
        .unwrap();
    let a_sub = db
        .propose_amendment(
            motion,
            Some(a_martov),
            &Edit::parse("replace", 1, None, "by regular association").unwrap(),
            Some(voice),
            by,
        )
        .await
        .unwrap();
    let n = db.count("congress_amendments").await;
    let e = db
        .propose_amendment(
            motion,
            None,
            &Edit::parse("delete", 9, None, "").unwrap(),
            Some(lenin),
            by,
        )
        .await
        .expect_err("line 9 does not exist");
    assert!(e.to_string().contains("line 9 does not exist"), "{e}");
    let e = db
        .propose_amendment(
            motion,
            None,
            &Edit::parse("delete", 1, None, "").unwrap(),
            Some(guest),
            by,
        )
        .await
        .expect_err("a guest proposes nothing");
    assert!(e.to_string().contains("only delegates"), "{e}");
    assert_eq!(
        db.count("congress_amendments").await,
        n,
        "refused amendments wrote nothing"
    );
    assert_eq!(
        db.amendment_order(motion).await.unwrap(),
        vec![a_lenin, a_sub, a_martov]
    );

    // A roll call on Lenin's wording.
    let mut live = db.congress_live().await.unwrap().subscribe();
    let v = db
        .open_vote(
            c,
            "amendment",
            Some(a_lenin),
            "",
            false,
            count::motion::Rule::SIMPLE,
            by,
        )
        .await
        .unwrap();
    assert_eq!(
        tokio::time::timeout(std::time::Duration::from_secs(10), live.recv())
            .await
            .expect("the change is announced")
            .unwrap(),
        store::congress::Change {
            congress: c,
            kind: "vote"
        }
    );
    db.cast_vote(v, lenin, Choice::Yes, by).await.unwrap();
    db.cast_vote(v, martov, Choice::No, by).await.unwrap();
    let e = db
        .cast_vote(v, martov, Choice::Yes, by)
        .await
        .expect_err("a second vote");
    assert!(e.to_string().contains("already voted"), "{e}");
    let e = db
        .cast_vote(v, voice, Choice::Yes, by)
        .await
        .expect_err("no mandate");
    assert!(e.to_string().contains("no mandate"), "{e}");
    let e = db
        .cast_vote(v, guest, Choice::Yes, by)
        .await
        .expect_err("no mandate");
    assert!(e.to_string().contains("no mandate"), "{e}");
    let out = db.close_vote(v, by).await.unwrap();
    assert_eq!(
        (out.yes, out.no, out.decision),
        (2, 1, count::motion::Decision::Adopted),
        "Lenin's 2 mandates carry"
    );
    let e = db
        .cast_vote(v, lenin, Choice::No, by)
        .await
        .expect_err("after the close");
    assert!(e.to_string().contains("closed"), "{e}");
    let roll = db.roll(v).await.unwrap();
    assert_eq!(
        roll.iter()
            .map(|r| (r.pseudonym.as_str(), r.choice, r.weight))
            .collect::<Vec<_>>(),
        vec![("Iskrist 0", Choice::Yes, 2), ("Rabochee 0", Choice::No, 1)],
        "the first vote stands"
    );
    let states: BTreeMap<i64, String> = db
        .amendments(motion)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.amendment.id, a.state))
        .collect();
    assert_eq!(states[&a_lenin], "adopted");
    assert_eq!(states[&a_martov], "fallen");
    assert_eq!(
        states[&a_sub], "fallen",
        "an amendment to a fallen amendment falls with it"
    );
    assert_eq!(
        db.consolidated(motion).await.unwrap(),
        vec!["Paragraph 1.", "by personal participation", "Paragraph 2."]
    );

    // A secret vote on the motion: who voted apart from the ballots.
    let s = db
        .open_vote(
            c,
            "motion",
            Some(motion),
            "",
            true,
            count::motion::Rule::SIMPLE,
            by,
        )
        .await
        .unwrap();
    db.cast_vote(s, lenin, Choice::No, by).await.unwrap();
    db.cast_vote(s, martov, Choice::Yes, by).await.unwrap();
    let e = db
        .cast_vote(s, lenin, Choice::Yes, by)
        .await
        .expect_err("a second secret vote");
    assert!(e.to_string().contains("already voted"), "{e}");
    assert_eq!(db.count("congress_voters").await, 2);
    assert_eq!(
        db.count("congress_ballots").await,
        3,
        "one ballot per mandate"
    );
    let cols: Vec<String> = sqlx::query("SELECT * FROM congress_ballots")
        .fetch_all(db.pool())
        .await
        .unwrap()[0]
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(
        cols,
        vec!["id", "vote_id", "choice"],
        "no voter, no time in a ballot"
    );
    assert!(
        db.roll(s).await.unwrap().is_empty(),
        "a secret vote has no roll"
    );
    let out = db.close_vote(s, by).await.unwrap();
    assert_eq!(
        (out.yes, out.no, out.decision),
        (1, 2, count::motion::Decision::Rejected)
    );
    assert_eq!(db.motion(motion).await.unwrap().unwrap().state, "rejected");

    // A statutes motion adopted with Martov's Paragraph 1: the rule changes on the congress's day.
    let draft = db
        .submit_motion(
            c,
            "Statutes, second reading",
            store::demo::DEMO_DRAFT_STATUTES,
            true,
            Some(martov),
            by,
        )
        .await
        .unwrap();
    let martov_wording = core_rules::statutes::Formula::Martov.wording();
    let am = db
        .propose_amendment(
            draft,
            None,
            &Edit::parse("replace", 2, None, martov_wording).unwrap(),
            Some(martov),
            by,
        )
        .await
        .unwrap();
    for (subject, id) in [("amendment", am), ("motion", draft)] {
        let v = db
            .open_vote(
                c,
                subject,
                Some(id),
                "",
                false,
                count::motion::Rule::SIMPLE,
                by,
            )
            .await
            .unwrap();
        db.cast_vote(v, lenin, Choice::Yes, by).await.unwrap();
        assert_eq!(
            db.close_vote(v, by).await.unwrap().decision,
            count::motion::Decision::Adopted
        );
    }
    let held = db.congress(c).await.unwrap().unwrap().held_on;
    assert_eq!(
        db.statutes_on(held).await.unwrap().rules.paragraph1.formula,
        core_rules::statutes::Formula::Martov
    );
    assert_eq!(
        db.statutes_on(held.add_days(-1))
            .await
            .unwrap()
            .rules
            .paragraph1
            .formula,
        core_rules::statutes::Formula::Lenin,
        "not before its day"
    );
    // Membership and voting rights are recomputed under the rule in force: a supporter who
    // recognises the programme, pays and comes to meetings, never admitted, is no member under
    // Lenin's formula and is one (with a vote) under Martov's, from the amendment's day on.
    let mut np = person(
        "Fellow traveller",
        o.docks2,
        Status::Supporter,
        100,
        identity("ft@example.org", ""),
    );
    np.programme_accepted = true;
    let ft = db.create_person(&np, None).await.unwrap();
    db.record_payment(&payment(ft, today(), 300), None)
        .await
        .unwrap();
    db.record_meeting(o.docks2, today(), "Open meeting", &[ft], None)
        .await
        .unwrap();
    let before = db.standing(ft, held.add_days(-1)).await.unwrap().0;
    let after = db.standing(ft, held).await.unwrap().0;
    assert!(!before.member, "{}", before.summary());
    assert!(after.member && after.vote, "{}", after.summary());
    let counted =
        |day: Day| async move { db.evaluate_all(day).await.unwrap().per_unit[&o.docks2].members };
    assert_eq!(
        counted(held).await,
        counted(held.add_days(-1)).await + 1,
        "the unit's count of members follows the statutes in force"
    );

    // Statutes motions that change rules held as figures are read by their clauses; one that
    // says two things is not put to the vote until it is amended.
    let ambiguous = db
        .submit_motion(
            c,
            "Dues, two ways",
            "A member's dues are paid up within 6 months.\nA member's dues are paid up within 4 months.",
            true,
            Some(martov),
            by,
        )
        .await
        .unwrap();
    let e = db
        .open_vote(
            c,
            "motion",
            Some(ambiguous),
            "",
            false,
            count::motion::Rule::SIMPLE,
            by,
        )
        .await
        .expect_err("an ambiguous statutes motion");
    assert!(
        e.to_string().contains("line 1 says 6 and line 2 says 4"),
        "{e}"
    );
    let figures = db
        .submit_motion(
            c,
            "Dues and the vote",
            "§7. A member's dues are paid up within six months.\nA new member votes after 60 days of membership.",
            true,
            Some(martov),
            by,
        )
        .await
        .unwrap();
    let v = db
        .open_vote(
            c,
            "motion",
            Some(figures),
            "",
            false,
            count::motion::Rule::SIMPLE,
            by,
        )
        .await
        .unwrap();
    db.cast_vote(v, lenin, Choice::Yes, by).await.unwrap();
    assert_eq!(
        db.close_vote(v, by).await.unwrap().decision,
        count::motion::Decision::Adopted
    );
    let rules = db.statutes_on(held).await.unwrap().rules;
    assert_eq!(rules.paragraph1.dues_within_months, 6);
    assert_eq!(rules.voting.min_membership_days, 60);
    assert_eq!(
        rules.paragraph1.formula,
        core_rules::statutes::Formula::Martov,
        "the earlier motion's change stays"
    );
    assert_eq!(
        db.statutes_on(held.add_days(-1))
            .await
            .unwrap()
            .rules
            .paragraph1
            .dues_within_months,
        3,
        "not before its day"
    );

    // A walkout: the quorum follows, and a vote without it decides nothing.
    let q = db
        .set_presence(c, &[lenin, voice], false, by)
        .await
        .unwrap();
    assert_eq!((q.present, q.needed, q.met), (1, 2, false));
    let w = db
        .open_vote(
            c,
            "question",
            None,
            "Adjourn",
            false,
            count::motion::Rule {
                quorum: count::motion::Quorum::Fraction { num: 1, den: 2 },
                ..count::motion::Rule::SIMPLE
            },
            by,
        )
        .await
        .unwrap();
    db.cast_vote(w, martov, Choice::Yes, by).await.unwrap();
    let e = db
        .cast_vote(w, lenin, Choice::Yes, by)
        .await
        .expect_err("walked out");
    assert!(e.to_string().contains("not checked in"), "{e}");
    assert_eq!(
        db.close_vote(w, by).await.unwrap().decision,
        count::motion::Decision::NoQuorum
    );
    db.set_presence(c, &[lenin], true, by).await.unwrap();

    // An election by STV.
    let el = db
        .create_election(c, "Central Committee", 1, "scottish_stv", by)
        .await
        .unwrap();
    let x = db.nominate(el, d1[4], by).await.unwrap();
    let y = db.nominate(el, d2[1], by).await.unwrap();
    let z = db.nominate(el, d2[2], by).await.unwrap();
    let e = db
        .nominate(el, supporter, by)
        .await
        .expect_err("a supporter cannot stand");
    assert!(e.to_string().contains("not a member"), "{e}");
    db.accept_nomination(x, d1[4], true, by).await.unwrap();
    db.accept_nomination(y, d2[1], true, by).await.unwrap();
    assert!(
        db.accept_nomination(z, d1[4], true, by).await.is_err(),
        "only the nominee accepts"
    );
    db.open_election(el, by).await.unwrap();
    let e = db
        .cast_ranking(el, lenin, &[z], by)
        .await
        .expect_err("z did not accept");
    assert!(e.to_string().contains("does not stand"), "{e}");
    db.cast_ranking(el, lenin, &[x, y], by).await.unwrap();
    db.cast_ranking(el, martov, &[y], by).await.unwrap();
    assert!(
        db.cast_ranking(el, martov, &[x], by).await.is_err(),
        "a second ballot"
    );
    let report = db.close_election(el, by).await.unwrap();
    assert_eq!(report.ballots, 3);
    assert_eq!(report.elected, vec!["Iskrist 4".to_string()]);
    assert!(db
        .election(el)
        .await
        .unwrap()
        .unwrap()
        .report
        .unwrap()
        .contains("Iskrist 4"));

    // Speakers and the minutes.
    let item = db
        .add_agenda_item(c, "The statutes", Some(motion), by)
        .await
        .unwrap();
    db.request_floor(item, martov, false, 5, by).await.unwrap();
    db.request_floor(item, lenin, true, 2, by).await.unwrap();
    assert!(
        db.request_floor(item, guest, false, 5, by).await.is_err(),
        "guests do not speak"
    );
    let s1 = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!(s1.pseudonym, "Iskrist 0", "a point of order first");
    let s2 = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!(s2.pseudonym, "Rabochee 0");
    assert_eq!(
        db.current_speaker(c).await.unwrap().unwrap().pseudonym,
        "Rabochee 0"
    );
    let minutes = db.minutes(c).await.unwrap().join("\n");
    for needle in [
        "3 mandates apportioned",
        "Iskrist 0 moved amendment",
        "Yes 2, no 1, abstain 0",
        "walked out together; 1 of 3 mandates present",
        "No quorum",
        "Rabochee 0 spoke on “The statutes”",
        "Elected: Iskrist 4",
        "The statutes are amended as adopted in motion “Statutes, second reading”",
    ] {
        assert!(
            minutes.contains(needle),
            "the minutes lack {needle:?}:\n{minutes}"
        );
    }
    assert!(
        !minutes.contains("Legal name"),
        "no identities in the minutes"
    );
    let (blocs, names) = db.blocs(c).await.unwrap();
    assert_eq!(blocs.delegates.len(), 2);
    assert_eq!(names[&lenin], "Iskrist 0");
}

on_every_backend!(the_demo_prepares_a_congress_on_the_draft_statutes);
async fn the_demo_prepares_a_congress_on_the_draft_statutes(db: &TestDb) {
    use core_rules::statutes::Formula;
    let today = today();
    assert!(db
        .seed_demo(&core_rules::demo::demo(7, today), today)
        .await
        .unwrap());
    let congresses = db.congresses().await.unwrap();
    assert_eq!(congresses.len(), 1);
    let c = &congresses[0];
    let mandates = db.mandates(c.id).await.unwrap();
    let eval = db.evaluate_all(today).await.unwrap();
    // Every unit with members with a vote has its mandates, by the statutes' rule (1 per 10, at
    // least 1), and each has a delegate holding them.
    let with_vote = eval.per_unit.values().filter(|u| u.voting > 0).count();
    assert_eq!(mandates.len(), with_vote);
    for m in &mandates {
        assert_eq!(m.mandates, (m.voting / 10).max(1), "{}", m.unit_name);
        assert_eq!(m.assigned, m.mandates, "{} has its delegate", m.unit_name);
    }
    let member = db.account_by_login("member").await.unwrap().unwrap();
    let person: Option<i64> = sqlx::query_scalar("SELECT person_id FROM accounts WHERE id = $1")
        .bind(member)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let me = db.participant_for(c.id, person.unwrap()).await.unwrap();
    assert_eq!(
        me.map(|p| p.kind),
        Some(store::congress::Kind::Delegate),
        "the demo's member is a delegate"
    );
    let motions = db.motions(c.id).await.unwrap();
    assert_eq!(motions[0].title, "Draft statutes");
    let ams = db.amendments(motions[0].id).await.unwrap();
    assert_eq!(ams.len(), 2);
    assert!(
        ams[0].amendment.competes_with(&ams[1].amendment),
        "Lenin's and Martov's wordings compete"
    );
    let texts: Vec<String> = ams
        .iter()
        .map(|a| a.amendment.edit.text().unwrap()[0].clone())
        .collect();
    assert_eq!(
        texts,
        vec![
            Formula::Lenin.wording().to_string(),
            Formula::Martov.wording().to_string()
        ]
    );
    assert_eq!(db.agenda(c.id).await.unwrap().len(), 3);
}

on_every_backend!(speakers_lists_keep_time_and_alternate_tags);
async fn speakers_lists_keep_time_and_alternate_tags(db: &TestDb) {
    use core_rules::congress::ApportionRule;
    use store::congress::Kind;
    let o = org(db).await;
    let by = Some(o.admin);
    let d = voters(db, o.docks1, "Speaker", 4).await;
    let c = db
        .convene(
            &congress_rule(ApportionRule::PerMembers { per: 1, min: 1 }),
            by,
        )
        .await
        .unwrap();
    let mut parts = Vec::new();
    for p in &d {
        parts.push(
            db.add_participant(c, *p, Kind::Delegate, 1, by)
                .await
                .unwrap(),
        );
    }
    let item = db.add_agenda_item(c, "Discussion", None, by).await.unwrap();
    // The time limit per speech: refused out of bounds, with nothing changed.
    assert!(db.set_speaking_rules(item, 0, true, by).await.is_err());
    let a = &db.agenda(c).await.unwrap()[0];
    assert_eq!((a.speech_minutes, a.alternate_tags), (5, false));
    db.set_speaking_rules(item, 3, true, by).await.unwrap();
    // Requests in order: two men, then two women (tags given by the presidium).
    let mut ids = Vec::new();
    for p in &parts {
        ids.push(db.request_floor(item, *p, false, 0, by).await.unwrap());
    }
    for (s, tag) in ids.iter().zip(["M", "m", "w", "w"]) {
        db.tag_speaker(*s, tag, by).await.unwrap();
    }
    assert!(db.tag_speaker(ids[0], &"x".repeat(41), by).await.is_err());
    let a = db.agenda(c).await.unwrap()[0].clone();
    let names =
        |v: Vec<store::congress::Speaker>| v.into_iter().map(|s| s.pseudonym).collect::<Vec<_>>();
    assert_eq!(
        names(db.speaking_order(&a).await.unwrap()),
        ["Speaker 0", "Speaker 2", "Speaker 1", "Speaker 3"],
        "the projected list alternates the tags"
    );
    let s = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!(
        (s.pseudonym.as_str(), s.minutes, s.tag.as_str()),
        ("Speaker 0", 3, "m")
    );
    assert!(
        s.started_at.is_some(),
        "the clock starts when the floor is given"
    );
    let s = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!(s.pseudonym, "Speaker 2", "a woman after a man");
    // Without the quota, the list is in order of request again.
    db.set_speaking_rules(item, 3, false, by).await.unwrap();
    db.request_floor(item, parts[2], false, 0, by)
        .await
        .unwrap();
    let a = db.agenda(c).await.unwrap()[0].clone();
    assert_eq!(
        names(db.speaking_order(&a).await.unwrap())[..4],
        ["Speaker 2", "Speaker 1", "Speaker 3", "Speaker 2"]
    );
    db.set_speaking_rules(item, 2, true, by).await.unwrap();
    // With it: after a woman, the man waiting, then the women in order.
    let s = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!((s.pseudonym.as_str(), s.minutes), ("Speaker 1", 2));
    let s = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!(s.pseudonym, "Speaker 3");
}

// ---------------------------------------------------------------------------------------------
// Transfers: asked for, and accepted by the receiving unit (issue 17, finding 4).

/// The units of a person, and the offices (role, unit) an account holds now.
async fn unit_of(db: &TestDb, person: i64) -> i64 {
    db.person(person).await.unwrap().unwrap().unit_id
}

async fn offices(db: &TestDb, account: i64) -> Vec<(String, i64)> {
    db.roles_of(account)
        .await
        .unwrap()
        .into_iter()
        .map(|g| (g.role.code().to_string(), g.unit_id))
        .collect()
}

on_every_backend!(a_transfer_waits_for_the_receiving_unit);
async fn a_transfer_waits_for_the_receiving_unit(db: &TestDb) {
    let o = org(db).await;
    let by = Some(o.admin);
    // Vera, secretary of Docks Circle 1, and treasurer of Docks Local above it.
    let vera = db
        .create_person(
            &person(
                "Vera",
                o.docks1,
                Status::Member,
                100,
                identity("vera@example.org", ""),
            ),
            by,
        )
        .await
        .unwrap();
    let account = db
        .create_account("vera", "vera's password", Some(vera), false, by)
        .await
        .unwrap();
    db.grant_role("vera", o.docks1, core_rules::roles::Role::Secretary, by)
        .await
        .unwrap();
    db.grant_role("vera", o.docks, core_rules::roles::Role::Treasurer, by)
        .await
        .unwrap();
    let token = db.start_session(account).await.unwrap();
    let me = Some(account);

    // She asks Docks Circle 2 to take her in: nothing moves, she keeps her offices.
    let before_history = db.history(vera).await.unwrap().len();
    let asked = db
        .request_transfer(vera, o.docks2, today(), "works at the other dock", me)
        .await
        .unwrap();
    assert_eq!(unit_of(db, vera).await, o.docks1, "a request moves nobody");
    assert_eq!(
        offices(db, account).await,
        [
            ("secretary".into(), o.docks1),
            ("treasurer".into(), o.docks)
        ]
    );
    assert_eq!(db.history(vera).await.unwrap().len(), before_history);
    assert_eq!(
        last_entry(db).await,
        (
            "transfer.request".into(),
            Some("transfer".into()),
            Some(asked),
            me,
            format!("person={vera} from_unit={} to_unit={}", o.docks1, o.docks2)
        )
    );
    // The receiving unit sees it waiting, the person by party name.
    let waiting = db.transfers_waiting_for(o.docks2).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        (
            waiting[0].id,
            waiting[0].pseudonym.as_str(),
            waiting[0].from_unit
        ),
        (asked, "Vera", o.docks1)
    );
    assert!(db.transfers_waiting_for(o.docks1).await.unwrap().is_empty());
    // Asking twice, asking for a unit that does not exist or one she is in: refused, nothing
    // written.
    let n = db.count("transfer_requests").await;
    for (to, words) in [
        (o.docks2, "already waiting"),
        (o.docks1, "already in that unit"),
    ] {
        let e = db
            .request_transfer(vera, to, today(), "again", me)
            .await
            .expect_err("refused");
        assert!(e.to_string().contains(words), "{e}");
    }
    assert!(matches!(
        db.request_transfer(vera, 987_654, today(), "nowhere", me)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(db
        .request_transfer(vera, o.south, today(), " ", me)
        .await
        .is_err());
    assert!(db
        .request_transfer(vera, o.south, today(), &"x".repeat(501), me)
        .await
        .is_err());
    assert_eq!(db.count("transfer_requests").await, n);

    // Refused: nothing moves, and the refusal is kept.
    db.refuse_transfer(asked, today(), by).await.unwrap();
    assert_eq!(unit_of(db, vera).await, o.docks1);
    let r = db.transfer_request(asked).await.unwrap().unwrap();
    assert_eq!(
        (r.decision.as_deref(), r.decided_on),
        (Some("refused"), Some(today()))
    );
    assert_eq!(last_entry(db).await.0, "transfer.refuse");
    assert!(db.transfers_waiting_for(o.docks2).await.unwrap().is_empty());
    let e = db
        .accept_transfer(asked, today(), by)
        .await
        .expect_err("a refused request cannot be accepted");
    assert!(e.to_string().contains("no longer waiting"), "{e}");
    assert_eq!(unit_of(db, vera).await, o.docks1);

    // Asked again and accepted: she moves, and leaves behind the office she held in the
    // circle she left (and is signed out); the office in the local committee stays.
    let asked = db
        .request_transfer(vera, o.docks2, days_ago(2), "works at the other dock", me)
        .await
        .unwrap();
    let e = db
        .accept_transfer(asked, days_ago(3), by)
        .await
        .expect_err("accepted before it was asked");
    assert!(e.to_string().contains("before it was asked for"), "{e}");
    assert!(db.session(&token).await.unwrap().is_some());
    db.accept_transfer(asked, today(), by).await.unwrap();
    assert_eq!(unit_of(db, vera).await, o.docks2);
    assert_eq!(offices(db, account).await, [("treasurer".into(), o.docks)]);
    assert!(
        db.session(&token).await.unwrap().is_none(),
        "an office ended signs its holder out"
    );
    let h = db.history(vera).await.unwrap();
    let last = h.last().unwrap();
    assert_eq!(
        (
            last.change.as_str(),
            last.from_value.as_deref(),
            last.to_value.as_deref(),
            last.reason.as_str(),
            last.on_date.clone()
        ),
        (
            "transfer",
            Some("docks-1"),
            Some("docks-2"),
            "works at the other dock",
            today().to_string()
        )
    );
    assert_eq!(
        last_entry(db).await,
        (
            "transfer.accept".into(),
            Some("transfer".into()),
            Some(asked),
            by,
            format!(
                "person={vera} from_unit={} to_unit={} offices_ended=1",
                o.docks1, o.docks2
            )
        )
    );

    // A direct move (an officer within the units they manage, or a decision of a body): the
    // offices held in the unit left end, and requests still waiting lapse.
    db.grant_role("vera", o.docks2, core_rules::roles::Role::Agent, by)
        .await
        .unwrap();
    let waiting = db
        .request_transfer(vera, o.south, today(), "may move south", me)
        .await
        .unwrap();
    db.transfer(vera, o.docks1, today(), "back", by)
        .await
        .unwrap();
    assert_eq!(unit_of(db, vera).await, o.docks1);
    assert_eq!(offices(db, account).await, [("treasurer".into(), o.docks)]);
    assert_eq!(
        last_entry(db).await.4,
        format!(
            "from_unit={} to_unit={} offices_ended=1",
            o.docks2, o.docks1
        )
    );
    let r = db.transfer_request(waiting).await.unwrap().unwrap();
    assert_eq!(r.decision.as_deref(), Some("lapsed"));
    assert!(db.transfers_waiting_for(o.south).await.unwrap().is_empty());
    let e = db
        .accept_transfer(waiting, today(), by)
        .await
        .expect_err("a lapsed request cannot be accepted");
    assert!(e.to_string().contains("no longer waiting"), "{e}");
    assert_eq!(unit_of(db, vera).await, o.docks1);

    // Leaving the organisation leaves every body: every office ends.
    db.set_status(vera, Status::Left, today(), "moved abroad", by)
        .await
        .unwrap();
    assert!(offices(db, account).await.is_empty());
    assert_eq!(
        last_entry(db).await.4,
        "from=member to=left offices_ended=1"
    );
    // Re-admitted, she holds nothing until an office is granted again.
    db.set_status(vera, Status::Member, today(), "came back", by)
        .await
        .unwrap();
    assert!(offices(db, account).await.is_empty());
    verify_ok(db).await;
}

on_every_backend!(a_closed_units_dues_go_to_the_nearest_body_that_may_know_of_it);
async fn a_closed_units_dues_go_to_the_nearest_body_that_may_know_of_it(db: &TestDb) {
    let o = org(db).await;
    let mut cell = new_unit("docks-cell", "Docks cell", "circle", Some("docks"));
    cell.closed = true;
    let cell = db.create_unit(&cell, Some(o.admin)).await.unwrap();
    let m = db
        .create_person(
            &person(
                "Mole",
                cell,
                Status::Member,
                100,
                identity("mole@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    let p = db
        .record_payment(&payment(m, today(), 1001), None)
        .await
        .unwrap();
    // Circle 40%, and the shares of Docks Local (25%) and North Region (15%), which may not
    // know of a closed circle, go to the central committee with its own 20%.
    assert_eq!(shares_of(db, p).await, [(cell, 401), (o.cc, 600)].into());
    assert!(
        db.unit_dues_by_month(o.docks, days_ago(1))
            .await
            .unwrap()
            .is_empty(),
        "the local committee above a closed circle receives nothing of its money"
    );
    assert!(db
        .unit_dues_by_month(o.north, days_ago(1))
        .await
        .unwrap()
        .is_empty());

    // A database split the old way: the chore migration 0012 leaves splits it again, once.
    let unshared = db
        .record_payment(&payment(m, days_ago(1), 500), None)
        .await
        .unwrap();
    sqlx::query("DELETE FROM dues_shares WHERE payment_id = $1")
        .bind(unshared)
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM dues_shares WHERE payment_id = $1")
        .bind(p)
        .execute(db.pool())
        .await
        .unwrap();
    for (unit, cents) in [(cell, 401), (o.docks, 250), (o.north, 150), (o.cc, 200)] {
        sqlx::query(
            "INSERT INTO dues_shares (payment_id, unit_id, amount_cents) VALUES ($1, $2, $3)",
        )
        .bind(p)
        .bind(unit)
        .bind(cents as i64)
        .execute(db.pool())
        .await
        .unwrap();
    }
    sqlx::query("INSERT INTO chores (name) VALUES ('dues.closed_resplit')")
        .execute(db.pool())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    assert_eq!(shares_of(db, p).await, [(cell, 401), (o.cc, 600)].into());
    assert!(
        shares_of(db, unshared).await.is_empty(),
        "a payment recorded without shares is left so"
    );
    let (action, _, _, actor, detail) = last_entry(db).await;
    assert_eq!(
        (action.as_str(), actor, detail.as_str()),
        ("dues.resplit", None, "payments=1")
    );
    assert_eq!(db.count("chores").await, 0);
    let entries = db.audit_entries(1_000).await.unwrap().len();
    db.migrate().await.unwrap();
    assert_eq!(
        db.audit_entries(1_000).await.unwrap().len(),
        entries,
        "the chore is done once"
    );
    verify_ok(db).await;
}

on_every_backend!(a_history_says_where_each_entry_was_written);
/// A person's history says where each entry was written: the unit they belonged to when it was
/// recorded, read back from their transfers in the order they were recorded (a transfer dated
/// back included), so that a page can keep an entry written in a closed unit to those who may
/// know of it. Their tasks say where they were recorded too.
async fn a_history_says_where_each_entry_was_written(db: &TestDb) {
    let o = org(db).await;
    let by = Some(o.admin);
    let cell = db
        .create_unit(
            &core_rules::units::NewUnit {
                closed: true,
                ..new_unit("docks-cell", "Docks Cell", "circle", Some("docks"))
            },
            by,
        )
        .await
        .unwrap();
    let ida = db
        .create_person(
            &person(
                "Ida",
                cell,
                Status::Member,
                100,
                identity("ida@example.org", ""),
            ),
            by,
        )
        .await
        .unwrap();
    db.record_task(ida, cell, days_ago(20), "leaflets at the gate", by)
        .await
        .unwrap();
    db.set_status(ida, Status::Lapsed, days_ago(10), "stopped coming", by)
        .await
        .unwrap();
    db.transfer(ida, o.docks1, days_ago(5), "moved house", by)
        .await
        .unwrap();
    db.set_status(ida, Status::Member, days_ago(4), "back", by)
        .await
        .unwrap();
    // Recorded after the status change above, dated before it: still the move that took her
    // from docks-1 to docks-2, and the change "back" was written in docks-1.
    db.transfer(ida, o.docks2, days_ago(6), "works at the other dock", by)
        .await
        .unwrap();
    db.record_task(ida, o.docks2, days_ago(1), "sold papers", by)
        .await
        .unwrap();
    let h = db.history(ida).await.unwrap();
    let at: Vec<(&str, &str, Option<&str>)> = h
        .iter()
        .map(|e| {
            (
                e.change.as_str(),
                e.reason.as_str(),
                e.recorded_in.as_deref(),
            )
        })
        .collect();
    // In the order of their dates; written where she was when each was recorded.
    assert_eq!(
        at,
        vec![
            ("recorded", "first contact", Some("docks-cell")),
            ("status", "stopped coming", Some("docks-cell")),
            ("transfer", "works at the other dock", Some("docks-1")),
            ("transfer", "moved house", Some("docks-cell")),
            ("status", "back", Some("docks-1")),
        ],
        "{h:#?}"
    );
    let tasks = db.tasks_of_person(ida).await.unwrap();
    let units: Vec<(&str, i64)> = tasks
        .iter()
        .map(|t| (t.description.as_str(), t.unit_id))
        .collect();
    assert_eq!(
        units,
        vec![("sold papers", o.docks2), ("leaflets at the gate", cell)]
    );
}
