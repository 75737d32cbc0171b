//! A congress end to end, through the HTTP interface: convening and apportionment, credentials,
//! a motion with competing amendments, a roll call and a secret vote, an STV election, a walkout
//! that changes the quorum, the live stream, and the minutes.
//!
//! The organisation, its members with a vote and the accounts are set up through the store;
//! everything at the congress is done by posting the forms a person would post.

use axum::http::StatusCode;
use core_rules::roles::Role;
use core_rules::units::NewUnit;
use core_rules::Day;
use http_body_util::BodyExt;
use store::Store;

use crate::common::congress::{voters, PASSWORD};
use crate::common::{empty_store, App};

async fn office(store: &Store, login: &str, role: Role, unit: i64) {
    let a = store
        .create_account(login, PASSWORD, None, false, None)
        .await
        .unwrap();
    store::sqlx::query(
        "INSERT INTO roles (account_id, unit_id, role, granted_at) VALUES ($1, $2, $3, 0)",
    )
    .bind(a)
    .bind(unit)
    .bind(role.code())
    .execute(store.pool())
    .await
    .unwrap();
}

fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|s| s.split('/').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{location:?} does not start with {prefix}"))
}

/// The number in a hidden field `name` that follows `marker` on a page.
fn field_after(page: &str, marker: &str, name: &str) -> String {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not on the page"));
    let key = format!("name=\"{name}\" value=\"");
    let v = page[at..].find(&key).expect("the field") + at + key.len();
    page[v..v + page[v..].find('"').unwrap()].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_congress_end_to_end() {
    let (store, dir) = empty_store().await;
    store::init_organisation(
        &store,
        "Test Party",
        "Central Committee",
        "admin",
        "admin password 1",
        Day::today().add_days(-400),
    )
    .await
    .unwrap();
    let cc = store.unit_by_code("cc").await.unwrap().unwrap().id;
    let mk = |code: &str, closed: bool| NewUnit {
        code: code.into(),
        name: format!("Unit {code}"),
        kind: "circle".into(),
        parent: Some("local".into()),
        area: String::new(),
        closed,
    };
    store
        .create_unit(
            &NewUnit {
                code: "local".into(),
                name: "Local committee".into(),
                kind: "local".into(),
                parent: Some("cc".into()),
                area: String::new(),
                closed: false,
            },
            None,
        )
        .await
        .unwrap();
    let ua = store.create_unit(&mk("yard", false), None).await.unwrap();
    let ub = store.create_unit(&mk("mill", false), None).await.unwrap();
    let uh = store
        .create_unit(&mk("underground", true), None)
        .await
        .unwrap();
    let a = voters(&store, ua, "Yard", 10).await;
    let b = voters(&store, ub, "Mill", 5).await;
    let h = voters(&store, uh, "Mole", 5).await;
    for (login, person) in [
        ("lenin", a[0]),
        ("martov", b[0]),
        ("mole", h[0]),
        ("voice", a[1]),
        ("guest", a[2]),
    ] {
        store
            .create_account(login, PASSWORD, Some(person), false, None)
            .await
            .unwrap();
    }
    office(&store, "central", Role::Central, cc).await;
    office(&store, "presidium", Role::Presidium, cc).await;
    office(&store, "credentials", Role::Credentials, cc).await;
    let app = App::on(store.clone(), Some(dir)).await;
    let central = app.login("central", PASSWORD).await;
    let presidium = app.login("presidium", PASSWORD).await;
    let creds = app.login("credentials", PASSWORD).await;
    let lenin = app.login("lenin", PASSWORD).await;
    let martov = app.login("martov", PASSWORD).await;
    let mole = app.login("mole", PASSWORD).await;
    let guest = app.login("guest", PASSWORD).await;
    let voice = app.login("voice", PASSWORD).await;

    // 1. Convening, and the mandates apportioned: one per 5 members with a vote.
    let today = Day::today().to_string();
    let held = Day::today().add_days(30).to_string();
    app.refused(
        "/congresses",
        &central,
        &[
            ("name", "X"),
            ("held_on", &held),
            ("membership_on", &today),
            ("rule", "per-members"),
            ("number", "0"),
            ("min", "1"),
            ("quorum_num", "1"),
            ("quorum_den", "2"),
            ("supporters", "1"),
        ],
        "per 0 members",
    )
    .await;
    let r = app
        .post(
            "/congresses",
            &lenin,
            &[("name", "X"), ("held_on", &held), ("membership_on", &today)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "a delegate does not convene"
    );
    let at = app
        .ok(
            "/congresses",
            &central,
            &[
                ("name", "Second Congress"),
                ("held_on", &held),
                ("membership_on", &today),
                ("rule", "per-members"),
                ("number", "5"),
                ("min", "1"),
                ("quorum_num", "1"),
                ("quorum_den", "2"),
                ("supporters", "1"),
                ("states", ""),
            ],
        )
        .await;
    let c = id_after(&at, "/congresses/");
    let base = format!("/congresses/{c}");
    let page = app.get(&base, &central).await.body;
    assert!(
        page.contains("Unit yard") && page.contains("Unit underground"),
        "the central committee sees every unit's mandates"
    );
    assert!(
        page.contains("<b>4</b>mandates apportioned"),
        "10/5 + 5/5 + 5/5 = 4 mandates: {page}"
    );
    assert_eq!(
        app.get(&base, &lenin).await.status,
        StatusCode::NOT_FOUND,
        "not yet a participant"
    );

    // 2. Delegates registered, and credentials.
    let reg = format!("{base}/participants");
    for (p, kind, m) in [
        (a[0], "delegate", "2"),
        (b[0], "delegate", "1"),
        (h[0], "delegate", "1"),
        (a[1], "consultative", "0"),
        (a[2], "guest", "0"),
    ] {
        app.ok(
            &reg,
            &central,
            &[("person", &p.to_string()), ("kind", kind), ("mandates", m)],
        )
        .await;
    }
    app.refused(
        &reg,
        &central,
        &[
            ("person", &a[3].to_string()),
            ("kind", "delegate"),
            ("mandates", "1"),
        ],
        "already held",
    )
    .await;
    let ids: Vec<(String, i64)> = store
        .participants(c)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.pseudonym, p.id))
        .collect();
    let pid = |name: &str| ids.iter().find(|(n, _)| n == name).unwrap().1.to_string();
    for d in ["Yard0", "Mill0", "Mole0"] {
        app.ok(
            &format!("{base}/credentials"),
            &creds,
            &[("participant", &pid(d)), ("finding", "accepted")],
        )
        .await;
    }
    let cr = app.get(&format!("{base}/credentials"), &creds).await.body;
    assert!(cr.contains("3 accepted holding 4 mandates"), "{cr}");
    assert_eq!(
        app.get(&format!("{base}/credentials"), &lenin).await.status,
        StatusCode::NOT_FOUND
    );

    // A delegate from a closed unit: by party name only; the closed unit's name stays hidden
    // from other delegates.
    let seen = app.get(&base, &lenin).await.body;
    assert!(
        seen.contains("Mole0")
            && !seen.contains("Unit underground")
            && seen.contains("a closed unit"),
        "{seen}"
    );
    assert!(
        !seen.contains("SECRET-NAME"),
        "no identities at the congress"
    );

    // 3. Check in; the congress approves the credentials report by roll call.
    let del = format!("{base}/delegate");
    for u in [&lenin, &martov, &mole, &voice] {
        app.ok(&del, u, &[("do", "check_in")]).await;
    }
    let pres = format!("{base}/presidium");
    app.ok(
        &pres,
        &presidium,
        &[
            ("do", "open_vote"),
            ("subject", "credentials"),
            ("secret", "0"),
            ("majority", "simple"),
            ("quorum", "1"),
        ],
    )
    .await;
    let vote_id = |page: &str| field_after(page, "value=\"vote\"", "vote");
    let v = vote_id(&app.get(&del, &lenin).await.body);
    for u in [&lenin, &martov, &mole] {
        app.ok(&del, u, &[("do", "vote"), ("vote", &v), ("choice", "yes")])
            .await;
    }
    app.ok(&pres, &presidium, &[("do", "close_vote"), ("vote", &v)])
        .await;
    assert!(app
        .get(&base, &central)
        .await
        .body
        .contains("<b>Approved</b>credentials report"));

    // 4. A motion with competing amendments.
    let at = app
        .ok(
            &del,
            &lenin,
            &[
                ("do", "motion"),
                ("title", "Draft statutes"),
                (
                    "body",
                    "Paragraph 1.\nA member supports the party.\nParagraph 2.",
                ),
            ],
        )
        .await;
    let m = id_after(&at, &format!("{base}/motions/"));
    let ms = m.to_string();
    app.ok(&del, &martov, &[("do", "support"), ("motion", &ms)])
        .await;
    app.ok(
        &pres,
        &presidium,
        &[
            ("do", "motion_state"),
            ("motion", &ms),
            ("state", "admitted"),
        ],
    )
    .await;
    let amend = |text: &'static str| {
        [
            ("do", "amendment"),
            ("motion", ""),
            ("op", "replace"),
            ("from", "2"),
            ("to", "2"),
            ("text", text),
        ]
    };
    let mut f = amend("by personal participation in one of the party organisations");
    f[1].1 = &ms;
    app.ok(&del, &lenin, &f).await;
    let mut f = amend("by regular personal association under their direction");
    f[1].1 = &ms;
    app.ok(&del, &martov, &f).await;
    let mut f = amend("nowhere");
    f[1].1 = &ms;
    f[3].1 = "9";
    f[4].1 = "9";
    app.refused(&del, &martov, &f, "line 9 does not exist")
        .await;
    let ams = store.amendments(m).await.unwrap();
    assert_eq!(ams.len(), 2, "the refused amendment wrote nothing");
    let (al, am) = (ams[0].amendment.id, ams[1].amendment.id);
    let mp = app.get(&format!("{base}/motions/{m}"), &lenin).await.body;
    assert!(
        mp.contains(&format!(
            "Conflicting amendments (adopting one makes the other fall): {al} and {am}"
        )),
        "{mp}"
    );
    assert!(
        mp.contains(&format!("amendment {al}, amendment {am}, then the motion")),
        "equal reach: first moved first"
    );

    // 5. A roll call on Lenin's wording.
    let als = al.to_string();
    app.ok(
        &pres,
        &presidium,
        &[
            ("do", "open_vote"),
            ("subject", "amendment"),
            ("subject_id", &als),
            ("secret", "0"),
            ("majority", "simple"),
            ("quorum", "1"),
        ],
    )
    .await;
    let v = vote_id(&app.get(&del, &lenin).await.body);
    app.ok(
        &del,
        &lenin,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
    )
    .await;
    app.ok(
        &del,
        &martov,
        &[("do", "vote"), ("vote", &v), ("choice", "no")],
    )
    .await;
    app.ok(
        &del,
        &mole,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
    )
    .await;
    app.refused(
        &del,
        &martov,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
        "already voted",
    )
    .await;
    app.refused(
        &del,
        &guest,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
        "no mandate",
    )
    .await;
    app.refused(
        &del,
        &voice,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
        "no mandate",
    )
    .await;
    app.ok(&pres, &presidium, &[("do", "close_vote"), ("vote", &v)])
        .await;
    app.refused(
        &del,
        &martov,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
        "closed",
    )
    .await;
    let ov = app.get(&base, &central).await.body;
    assert!(ov.contains("<strong>Adopted</strong>. Yes 3, no 1"), "{ov}");
    assert!(
        ov.contains("Mill0: no (1)") && ov.contains("Yard0: yes (2)"),
        "the roll lists who voted how, with weights"
    );
    let mp = app.get(&format!("{base}/motions/{m}"), &lenin).await.body;
    assert!(mp.contains("fallen"), "Martov's competing wording falls");
    let consolidated = &mp[mp.find("The text as amended so far").unwrap()..];
    assert!(consolidated.contains("by personal participation in one of the party organisations"));
    assert!(!consolidated.contains("A member supports the party."));

    // 5b. A statutes motion: its page says which rules its clauses change; one that sets a rule
    // twice, differently, is not put to the vote.
    let at = app
        .ok(
            &del,
            &lenin,
            &[
                ("do", "motion"),
                ("title", "The dues rule"),
                (
                    "body",
                    "§4. A member's dues are paid up within eleven months.",
                ),
                ("statutes", "1"),
            ],
        )
        .await;
    let sm = id_after(&at, &format!("{base}/motions/"));
    let sp = app.get(&format!("{base}/motions/{sm}"), &lenin).await.body;
    assert!(
        sp.contains("What adopting it changes in the statutes' rules")
            && sp.contains("<td>dues paid up within (months)</td>")
            && sp.contains("<strong>11</strong>"),
        "{sp}"
    );
    let at = app
        .ok(
            &del,
            &martov,
            &[
                ("do", "motion"),
                ("title", "The dues rule, twice"),
                (
                    "body",
                    "A member's dues are paid up within 6 months.\nA member's dues are paid up within 4 months.",
                ),
                ("statutes", "1"),
            ],
        )
        .await;
    let twice = id_after(&at, &format!("{base}/motions/")).to_string();
    app.refused(
        &pres,
        &presidium,
        &[
            ("do", "open_vote"),
            ("subject", "motion"),
            ("subject_id", &twice),
            ("secret", "0"),
            ("majority", "simple"),
            ("quorum", "1"),
        ],
        "line 1 says 6 and line 2 says 4",
    )
    .await;

    // 6. A secret vote on the motion.
    app.ok(
        &pres,
        &presidium,
        &[
            ("do", "open_vote"),
            ("subject", "motion"),
            ("subject_id", &ms),
            ("secret", "1"),
            ("majority", "simple"),
            ("quorum", "1"),
        ],
    )
    .await;
    let v = vote_id(&app.get(&del, &lenin).await.body);
    app.ok(
        &del,
        &lenin,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
    )
    .await;
    app.ok(
        &del,
        &martov,
        &[("do", "vote"), ("vote", &v), ("choice", "no")],
    )
    .await;
    app.refused(
        &del,
        &martov,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
        "already voted",
    )
    .await;
    let proj = app.get(&format!("{base}/projector"), &mole).await.body;
    assert!(
        proj.contains("<span id=\"cast\">3</span> mandates have voted"),
        "{proj}"
    );
    app.ok(
        &del,
        &mole,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
    )
    .await;
    app.ok(&pres, &presidium, &[("do", "close_vote"), ("vote", &v)])
        .await;
    let ballots: Vec<String> = store::sqlx::query_scalar("SELECT choice FROM congress_ballots")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(ballots.len(), 4, "one ballot per mandate");
    let ov = app.get(&base, &central).await.body;
    assert!(ov.contains("<strong>Adopted</strong>. Yes 3, no 1"), "{ov}");
    assert_eq!(store.motion(m).await.unwrap().unwrap().state, "adopted");

    // 7. A walkout changes the quorum: a question then decides nothing.
    app.ok(
        &pres,
        &presidium,
        &[
            ("do", "check_out"),
            ("participant", &pid("Yard0")),
            ("participant", &pid("Mole0")),
        ],
    )
    .await;
    let ov = app.get(&base, &central).await.body;
    assert!(
        ov.contains("<b>1 / 4</b>mandates present") && ov.contains("No quorum"),
        "{ov}"
    );
    app.ok(
        &pres,
        &presidium,
        &[
            ("do", "open_vote"),
            ("subject", "question"),
            ("title", "Close the debate"),
            ("secret", "0"),
            ("majority", "simple"),
            ("quorum", "1"),
        ],
    )
    .await;
    let v = vote_id(&app.get(&del, &martov).await.body);
    app.refused(
        &del,
        &lenin,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
        "not checked in",
    )
    .await;
    app.ok(
        &del,
        &martov,
        &[("do", "vote"), ("vote", &v), ("choice", "yes")],
    )
    .await;
    app.ok(&pres, &presidium, &[("do", "close_vote"), ("vote", &v)])
        .await;
    assert!(app
        .get(&base, &central)
        .await
        .body
        .contains("No quorum: no decision"));
    app.ok(
        &pres,
        &presidium,
        &[
            ("do", "check_in"),
            ("participant", &pid("Yard0")),
            ("participant", &pid("Mole0")),
        ],
    )
    .await;

    // 8. The live stream tells a delegate's page that a vote opened.
    let mut stream = app.stream(&format!("{base}/live"), &mole).await;

    // 9. An STV election.
    app.ok(
        &pres,
        &presidium,
        &[
            ("do", "election"),
            ("title", "Central Committee"),
            ("seats", "1"),
            ("method", "scottish_stv"),
        ],
    )
    .await;
    let frame = tokio::time::timeout(std::time::Duration::from_secs(5), stream.frame())
        .await
        .expect("an event within 5 s")
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(frame.data_ref().unwrap()).to_string();
    assert!(text.contains("event: election"), "{text}");
    let el = store.elections(c).await.unwrap()[0].id.to_string();
    for p in [a[0], b[0]] {
        app.ok(
            &pres,
            &presidium,
            &[
                ("do", "nominate"),
                ("election", &el),
                ("person", &p.to_string()),
            ],
        )
        .await;
    }
    let cands = store.candidates(el.parse().unwrap()).await.unwrap();
    app.ok(
        &del,
        &lenin,
        &[
            ("do", "accept"),
            ("candidate", &cands[0].id.to_string()),
            ("accept", "1"),
        ],
    )
    .await;
    app.ok(
        &del,
        &martov,
        &[
            ("do", "accept"),
            ("candidate", &cands[1].id.to_string()),
            ("accept", "1"),
        ],
    )
    .await;
    app.ok(
        &pres,
        &presidium,
        &[("do", "open_election"), ("election", &el)],
    )
    .await;
    let (ca, cb) = (cands[0].id.to_string(), cands[1].id.to_string());
    app.ok(
        &del,
        &lenin,
        &[
            ("do", "rank"),
            ("election", &el),
            ("rank", &ca),
            ("rank", &cb),
        ],
    )
    .await;
    app.ok(
        &del,
        &martov,
        &[
            ("do", "rank"),
            ("election", &el),
            ("rank", &cb),
            ("rank", ""),
        ],
    )
    .await;
    app.ok(
        &del,
        &mole,
        &[("do", "rank"), ("election", &el), ("rank", &ca)],
    )
    .await;
    app.refused(
        &del,
        &mole,
        &[("do", "rank"), ("election", &el), ("rank", &cb)],
        "already voted",
    )
    .await;
    app.ok(
        &pres,
        &presidium,
        &[("do", "close_election"), ("election", &el)],
    )
    .await;
    let ov = app.get(&base, &central).await.body;
    assert!(ov.contains("<strong>Elected: Yard0</strong>"), "{ov}");
    assert!(ov.contains("The count&#39;s report") || ov.contains("The count's report"));

    // 10. Speakers, then the minutes.
    app.ok(
        &pres,
        &presidium,
        &[("do", "agenda"), ("title", "The statutes"), ("motion", &ms)],
    )
    .await;
    let item = store.agenda(c).await.unwrap()[0].id.to_string();
    app.ok(&del, &martov, &[("do", "floor"), ("item", &item)])
        .await;
    app.ok(
        &pres,
        &presidium,
        &[("do", "next_speaker"), ("item", &item)],
    )
    .await;
    assert!(app
        .get(&format!("{base}/projector"), &mole)
        .await
        .body
        .contains("Speaking: <strong>Mill0</strong>"));
    let minutes = app.get(&format!("{base}/minutes"), &lenin).await.body;
    for needle in [
        "4 mandates apportioned",
        "Motion “Draft statutes” submitted by Yard0",
        "Yes 3, no 1, abstain 0",
        "2 delegates walked out together; 1 of 4 mandates present",
        "No quorum: no decision",
        "Mill0 spoke on “The statutes”",
        "Elected: Yard0",
        "Majority",
    ] {
        assert!(
            minutes.contains(needle),
            "the minutes lack {needle:?}:\n{minutes}"
        );
    }
    assert!(!minutes.contains("SECRET-NAME") && !minutes.contains("Unit underground"));
}

/// Issue 17, finding 6: a closed unit at the congress shows its mandates and its delegates,
/// never its membership, except to those who see its figures anyway (the bodies the statutes
/// name: by default the central committee). Its name stays with those who may know of it, on
/// the overview and in the credentials report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_units_membership_is_not_shown_at_the_congress() {
    let (store, dir) = empty_store().await;
    store::init_organisation(
        &store,
        "Test Party",
        "Central Committee",
        "admin",
        "admin password 1",
        Day::today().add_days(-400),
    )
    .await
    .unwrap();
    let cc = store.unit_by_code("cc").await.unwrap().unwrap().id;
    let local = store
        .create_unit(
            &NewUnit {
                code: "local".into(),
                name: "Local committee".into(),
                kind: "local".into(),
                parent: Some("cc".into()),
                area: String::new(),
                closed: false,
            },
            None,
        )
        .await
        .unwrap();
    let mk = |code: &str, closed: bool| NewUnit {
        code: code.into(),
        name: format!("Unit {code}"),
        kind: "circle".into(),
        parent: Some("local".into()),
        area: String::new(),
        closed,
    };
    let yard = store.create_unit(&mk("yard", false), None).await.unwrap();
    let hidden = store
        .create_unit(&mk("underground", true), None)
        .await
        .unwrap();
    // Distinctive sizes: 11 in the open circle, 23 in the closed one.
    let a = voters(&store, yard, "Yard", 11).await;
    let h = voters(&store, hidden, "Mole", 23).await;
    store
        .create_account("lenin", PASSWORD, Some(a[0]), false, None)
        .await
        .unwrap();
    office(&store, "central", Role::Central, cc).await;
    // A credentials committee held in the local committee: above the closed circle, but not a
    // body the statutes let see closed units.
    office(&store, "credentials", Role::Credentials, local).await;
    let app = App::on(store.clone(), Some(dir)).await;
    let central = app.login("central", PASSWORD).await;
    let creds = app.login("credentials", PASSWORD).await;
    let lenin = app.login("lenin", PASSWORD).await;
    let today = Day::today().to_string();
    let held = Day::today().add_days(30).to_string();
    let at = app
        .ok(
            "/congresses",
            &central,
            &[
                ("name", "Closed Congress"),
                ("held_on", &held),
                ("membership_on", &today),
                ("rule", "per-members"),
                ("number", "10"),
                ("min", "1"),
                ("quorum_num", "1"),
                ("quorum_den", "2"),
                ("supporters", "1"),
                ("states", ""),
            ],
        )
        .await;
    let c = id_after(&at, "/congresses/");
    let base = format!("/congresses/{c}");
    // The closed circle holds mandates, and one of its members is a delegate in the hall.
    let mandates = store.mandates(c).await.unwrap();
    let closed = mandates.iter().find(|m| m.unit_id == hidden).unwrap();
    assert_eq!(closed.voting, 23);
    assert!(closed.mandates >= 2, "{closed:?}");
    for (p, m) in [(a[0], "1"), (h[0], "1")] {
        app.ok(
            &format!("{base}/participants"),
            &central,
            &[
                ("person", &p.to_string()),
                ("kind", "delegate"),
                ("mandates", m),
            ],
        )
        .await;
    }
    let figure = |n: u64| format!("<td class=\"num\">{n}</td>");

    // A delegate: the open circle's members with a vote, the closed one's mandates and its
    // delegate, but not how many members it has.
    let seen = app.get(&base, &lenin).await.body;
    assert!(
        seen.contains(&figure(11)),
        "the open circle's figure: {seen}"
    );
    assert!(
        seen.contains(&format!(
            "<td>a closed unit</td><td class=\"num\">—</td><td class=\"num\">{}</td>",
            closed.mandates
        )),
        "the closed circle's mandates, without its membership: {seen}"
    );
    assert!(seen.contains("Mole0"), "its delegate is in the hall");
    assert!(
        !seen.contains(&figure(23)) && !seen.contains(">23<"),
        "a delegate is not told how many the closed circle has: {seen}"
    );
    assert!(!seen.contains("Unit underground"));

    // The credentials committee held below the bodies the statutes name: the same.
    let cr = app.get(&format!("{base}/credentials"), &creds).await.body;
    assert!(
        !cr.contains("Unit underground") && !cr.contains(">23<") && !cr.contains(" 23 "),
        "the credentials report names no closed unit to them: {cr}"
    );
    assert!(
        cr.contains(&format!(
            "a closed unit: 1 of {} mandates held.",
            closed.mandates
        )),
        "{cr}"
    );
    let ov = app.get(&base, &creds).await.body;
    assert!(!ov.contains(&figure(23)) && !ov.contains("Unit underground"));

    // The central committee sees the closed circle's figures anyway.
    let cc_view = app.get(&base, &central).await.body;
    assert!(
        cc_view.contains(&format!(
            "<td>Unit underground</td>{}<td class=\"num\">{}</td>",
            figure(23),
            closed.mandates
        )),
        "{cc_view}"
    );
}
