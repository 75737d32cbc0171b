//! Exposure analysis reads the structure: people by number, accounts, offices, meetings and who
//! attended them; nothing of anyone's identity; suspended accounts left out.

use super::*;

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
