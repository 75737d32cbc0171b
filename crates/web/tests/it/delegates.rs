//! A unit elects its delegates to a congress, through the HTTP interface (issue 5, section 2):
//! the secretary calls the election once the congress has apportioned the unit's mandates,
//! members nominate and accept, the members with a vote on the membership day cast ranked
//! ballots, and the close counts them by STV: the elected become the unit's delegates with its
//! mandates, the next one a substitute. Refusals: a member who is not the secretary cannot open
//! or close; a member without a vote can neither stand nor vote; a second ballot is refused and
//! the first kept; nothing is counted twice.

use axum::http::StatusCode;
use core_rules::congress::ApportionRule;
use core_rules::people::{Identity, Status};
use core_rules::roles::Role;
use core_rules::units::NewUnit;
use core_rules::Day;
use store::congress::Kind;
use store::people::NewPerson;

use crate::common::congress::{voters, PASSWORD};
use crate::common::{empty_store, App};

/// The value of the hidden field `name` in the first form whose `do` is `what`.
fn field_of(page: &str, what: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"do\" value=\"{what}\""))
        .unwrap_or_else(|| panic!("no {what:?} form on the page"));
    let key = format!("name=\"{name}\" value=\"");
    let v = page[at..].find(&key).expect("the field") + at + key.len();
    page[v..v + page[v..].find('"').unwrap()].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_elects_its_delegates() {
    let (store, dir) = empty_store().await;
    let today = Day::today();
    store::init_organisation(
        &store,
        "Test Party",
        "CC",
        "admin",
        "admin password 1",
        today.add_days(-400),
    )
    .await
    .unwrap();
    let yard = store
        .create_unit(
            &NewUnit {
                code: "yard".into(),
                name: "Yard circle".into(),
                kind: "circle".into(),
                parent: Some("cc".into()),
                area: String::new(),
                closed: false,
            },
            None,
        )
        .await
        .unwrap();
    let y = voters(&store, yard, "Yard", 6).await;
    // A member of the circle with no vote: admitted yesterday, nothing paid.
    let late = store
        .create_person(
            &NewPerson {
                card: None,
                pseudonym: "Latecomer".into(),
                unit_id: yard,
                status: Status::Member,
                since: today.add_days(-1),
                admitted_on: Some(today.add_days(-1)),
                programme_accepted: true,
                monthly_income_cents: None,
                reduced_rate: false,
                identity: Identity::default(),
            },
            None,
        )
        .await
        .unwrap();
    assert!(!store.standing(late, today).await.unwrap().0.vote);
    // People of the circle a member does not see on its page: a supporter, an applicant and a
    // lapsed member. Nobody offers them for nomination either (issue 17, finding 2).
    for (name, status) in [
        ("Onlooker", Status::Supporter),
        ("Hopeful", Status::Applicant),
        ("Faded", Status::Lapsed),
    ] {
        store
            .create_person(
                &NewPerson {
                    card: None,
                    pseudonym: name.into(),
                    unit_id: yard,
                    status,
                    since: today.add_days(-100),
                    admitted_on: (status != Status::Applicant).then_some(today.add_days(-100)),
                    programme_accepted: true,
                    monthly_income_cents: None,
                    reduced_rate: false,
                    identity: Identity::default(),
                },
                None,
            )
            .await
            .unwrap();
    }
    // One delegate per 3 members with a vote: the circle's 6 give it 2 mandates.
    let c = store
        .convene(
            &store::congress::NewCongress {
                name: "Second Congress".into(),
                held_on: today.add_days(30),
                membership_on: today,
                rule: Some(ApportionRule::PerMembers { per: 3, min: 1 }),
                quorum: (1, 2),
                supporters_needed: 0,
                motion_states: String::new(),
            },
            None,
        )
        .await
        .unwrap();
    let logins = ["sec", "m1", "m2", "m3", "m4", "m5"];
    for (login, p) in logins.iter().zip(&y) {
        store
            .create_account(login, PASSWORD, Some(*p), false, None)
            .await
            .unwrap();
    }
    store
        .create_account("late", PASSWORD, Some(late), false, None)
        .await
        .unwrap();
    let sec_account: i64 = store::sqlx::query_scalar("SELECT id FROM accounts WHERE login = 'sec'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    store::sqlx::query(
        "INSERT INTO roles (account_id, unit_id, role, granted_at) VALUES ($1, $2, $3, 0)",
    )
    .bind(sec_account)
    .bind(yard)
    .bind(Role::Secretary.code())
    .execute(store.pool())
    .await
    .unwrap();
    let app = App::on(store.clone(), Some(dir)).await;
    let mut users = Vec::new();
    for l in logins {
        users.push(app.login(l, PASSWORD).await);
    }
    let late_user = app.login("late", PASSWORD).await;
    let sec = &users[0];
    let path = format!("/units/{yard}/delegates");
    let c_s = c.to_string();

    // Only the secretary calls the election; a plain member is told there is no such page.
    let r = app
        .post(
            &path,
            &users[1],
            &[
                ("do", "call"),
                ("congress", &c_s),
                ("method", "scottish_stv"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.ok(
        &path,
        sec,
        &[
            ("do", "call"),
            ("congress", &c_s),
            ("method", "scottish_stv"),
        ],
    )
    .await;
    app.refused(
        &path,
        sec,
        &[
            ("do", "call"),
            ("congress", &c_s),
            ("method", "scottish_stv"),
        ],
        "already called",
    )
    .await;
    let page = app.get(&path, &users[1]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Second Congress: 2 mandates (nominating)"),
        "{}",
        page.body
    );
    let e = field_of(&page.body, "nominate", "election");
    // Only those who may stand are offered: the members with a vote on the membership day.
    for hidden in ["Onlooker", "Hopeful", "Faded", "Latecomer"] {
        assert!(
            !page.body.contains(hidden),
            "{hidden} is offered to a member for nomination: {}",
            &page.body[page.body.find(hidden).unwrap_or(0).saturating_sub(300)..]
        );
    }
    assert!(page
        .body
        .contains(&format!("<option value=\"{}\">Yard1</option>", y[1])));

    // Nominations by members: three of the members with a vote; the latecomer cannot stand.
    for i in [1usize, 2, 3] {
        let who_ = y[i].to_string();
        app.ok(
            &path,
            &users[4],
            &[("do", "nominate"), ("election", &e), ("person", &who_)],
        )
        .await;
    }
    let late_s = late.to_string();
    app.refused(
        &path,
        sec,
        &[("do", "nominate"), ("election", &e), ("person", &late_s)],
        "had no vote",
    )
    .await;
    let cands = store.delegate_candidates(e.parse().unwrap()).await.unwrap();
    assert_eq!(cands.len(), 3);
    // Each nominee accepts on their own page; nobody accepts for another.
    let other = cands[1].id.to_string();
    let r = app
        .post(
            &path,
            &users[1],
            &[("do", "accept"), ("candidate", &other), ("accept", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for (i, cand) in cands.iter().enumerate() {
        let page = app.get(&path, &users[i + 1]).await.body;
        assert_eq!(field_of(&page, "accept", "candidate"), cand.id.to_string());
        let cid = cand.id.to_string();
        app.ok(
            &path,
            &users[i + 1],
            &[("do", "accept"), ("candidate", &cid), ("accept", "1")],
        )
        .await;
    }
    // A member cannot open the ballot; the secretary does.
    let r = app
        .post(&path, &users[2], &[("do", "open"), ("election", &e)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.ok(&path, sec, &[("do", "open"), ("election", &e)])
        .await;
    app.refused(
        &path,
        &users[4],
        &[
            ("do", "nominate"),
            ("election", &e),
            ("person", &y[5].to_string()),
        ],
        "nominations are closed",
    )
    .await;

    // Ballots: three put Yard1 first, two put Yard2 first, one Yard3 only; Yard3 second on all
    // the others. Quota for 2 seats of 6 ballots: 3. Yard1 reaches it; Yard3 is excluded with 1,
    // and Yard2 takes the last seat. Yard3 is the substitute.
    let (c1, c2, c3) = (
        cands[0].id.to_string(),
        cands[1].id.to_string(),
        cands[2].id.to_string(),
    );
    let ballots: [&[&str]; 6] = [
        &[&c1, &c3],
        &[&c1, &c3],
        &[&c1, &c3],
        &[&c2, &c3],
        &[&c2, &c3],
        &[&c3],
    ];
    for (u, b) in users.iter().zip(ballots) {
        let mut form = vec![("do", "ballot"), ("election", e.as_str())];
        form.extend(b.iter().map(|c| ("rank", *c)));
        app.ok(&path, u, &form).await;
    }
    // A second ballot is refused and the first kept; the latecomer has no vote.
    app.refused(
        &path,
        &users[5],
        &[("do", "ballot"), ("election", &e), ("rank", &c1)],
        "already voted",
    )
    .await;
    app.refused(
        &path,
        &late_user,
        &[("do", "ballot"), ("election", &e), ("rank", &c1)],
        "had no vote",
    )
    .await;
    assert!(app
        .get(&path, &users[3])
        .await
        .body
        .contains("You have voted."));

    let r = app
        .post(&path, &users[1], &[("do", "close"), ("election", &e)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.ok(&path, sec, &[("do", "close"), ("election", &e)])
        .await;
    app.refused(&path, sec, &[("do", "close"), ("election", &e)], "not open")
        .await;

    // The elected are the unit's delegates at the congress, one mandate each; Yard3 substitutes.
    let mut parts: Vec<(String, Kind, u64)> = store
        .participants(c)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.pseudonym, p.kind, p.mandates))
        .collect();
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        parts,
        vec![
            ("Yard1".to_string(), Kind::Delegate, 1),
            ("Yard2".to_string(), Kind::Delegate, 1),
            ("Yard3".to_string(), Kind::Substitute, 0),
        ]
    );
    let page = app.get(&path, &users[5]).await.body;
    assert!(page.contains("Yard1 — delegate, 1 mandate"), "{page}");
    assert!(page.contains("Yard3 — substitute"), "{page}");
    assert!(page.contains("The count's report"));
    // The ballots are counted once: 6, as the report says.
    let e = store
        .delegate_election(e.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&e.report.unwrap()).unwrap();
    assert_eq!(report["ballots"], 6);
    assert_eq!(report["elected"], serde_json::json!(["Yard1", "Yard2"]));
}
