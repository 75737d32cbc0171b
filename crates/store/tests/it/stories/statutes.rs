//! Statutes.

use super::*;
use core_rules::statutes::Reason;

pub(super) fn martov() -> Statutes {
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
    // "a supporter, not admitted to any organisation" (`web::words::standing`).
    assert!(s.failing().any(|r| *r == Reason::Supporter), "{s:?}");
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
    // "no regular association: ..." (`web::words::standing`).
    assert!(
        s.failing().any(|r| matches!(
            r,
            Reason::TooLittleParticipation {
                formula: Formula::Martov,
                ..
            }
        )),
        "{s:?}"
    );
}
