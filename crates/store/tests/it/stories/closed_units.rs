//! Closed units: their dues go to the nearest body that may know of them, and a person's
//! history says where each entry was written (issue 17).

use super::audit::{last_entry, verify_ok};
use super::dues::shares_of;
use super::*;

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
