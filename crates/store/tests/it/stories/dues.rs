//! Dues.

use super::audit::{last_entry, verify_ok};
use super::evaluation::bulk_matches_one_by_one;
use super::*;

pub(super) async fn shares_of(db: &TestDb, payment: i64) -> BTreeMap<i64, i64> {
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

on_every_backend!(the_stores_clock_decides_what_is_still_in_the_future);
/// "Today" is the store's clock, not the machine's: a treasurer's payment dated tomorrow is
/// refused, and recorded once the clock has reached its day, with nothing else to change.
async fn the_stores_clock_decides_what_is_still_in_the_future(db: &TestDb) {
    let o = org(db).await;
    let m = db
        .create_person(
            &person(
                "Olga",
                o.docks1,
                Status::Member,
                100,
                identity("olga@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    // A day well away from the machine's, so that only the store's clock can decide.
    let start = today().add_days(40);
    let clock = core_rules::Clock::fixed(start);
    let store = db.store.clone().with_clock(clock.clone());
    assert_eq!(store.today(), start);
    let next = start.add_days(1);
    let e = store
        .record_payment(&payment(m, next, 500), None)
        .await
        .expect_err("tomorrow's payment is refused today");
    assert!(e.to_string().contains("in the future"), "{e}");
    assert!(db.payments_of(m).await.unwrap().is_empty());
    assert!(clock.set(next));
    assert_eq!(store.today(), next);
    store
        .record_payment(&payment(m, next, 500), None)
        .await
        .expect("recorded once its day has come");
    assert_eq!(db.payments_of(m).await.unwrap().len(), 1);
    // The machine's calendar cannot be moved.
    assert!(!core_rules::Clock::system().set(next));
}
