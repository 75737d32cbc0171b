//! Meetings and tasks.

use super::*;
use core_rules::statutes::Reason;

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
    // "no personal participation: ..." in words (`web::words::standing`).
    assert!(
        s.failing().any(|r| matches!(
            r,
            Reason::TooLittleParticipation {
                formula: Formula::Lenin,
                ..
            }
        )),
        "{s:?}"
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
