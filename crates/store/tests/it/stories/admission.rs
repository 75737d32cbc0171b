//! Admission.

use super::*;

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
