//! People.

use super::*;

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
