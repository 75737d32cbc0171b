//! Transfers: asked for, and accepted by the receiving unit (issue 17, finding 4).

use super::audit::{last_entry, verify_ok};
use super::*;

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
