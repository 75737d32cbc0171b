//! Import and export of people.

use super::*;

pub(super) fn people_csv() -> String {
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

pub(super) async fn import(
    db: &TestDb,
    data: &[u8],
    name: &str,
) -> store::Result<store::exchange::ImportReport> {
    db.import_people(|| Ok(data), name, None, &mut |_| {}).await
}

pub(super) async fn export(db: &TestDb) -> String {
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
