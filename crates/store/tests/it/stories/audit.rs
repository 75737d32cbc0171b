//! The audit log.

use super::exchange::{export, import, people_csv};
use super::*;

/// Every entry, oldest first.
async fn audit_log(db: &TestDb) -> Vec<store::audit::Entry> {
    let mut all = db.audit_entries(1_000_000).await.unwrap();
    all.reverse();
    all
}

/// The last entry's action, object and actor.
pub(super) async fn last_entry(
    db: &TestDb,
) -> (String, Option<String>, Option<i64>, Option<i64>, String) {
    let e = db.audit_entries(1).await.unwrap().pop().expect("an entry");
    (e.action, e.object_kind, e.object_id, e.actor, e.detail)
}

pub(super) async fn verify_ok(db: &TestDb) -> store::audit::Verification {
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
