//! Exposure analysis on real stores: who has met whom counts, the whole organisation agrees with
//! one account at a time on the demo, and the security officer's pages answer (HTML and JSON),
//! the simulation reproducibly.

use std::collections::HashMap;

use access::exposure::Index;
use axum::http::StatusCode;
use core_rules::people::{Identity, Status};
use core_rules::units::NewUnit;
use core_rules::Day;
use store::people::NewPerson;
use store::Store;

use crate::common::{empty_store, App, Res};

async fn index(store: &Store) -> Index {
    let rules = store.access_rules(Day::today()).await.unwrap();
    Index::new(store.exposure_snapshot().await.unwrap(), rules)
}

async fn member(store: &Store, unit: i64, name: &str, admitted: Day) -> i64 {
    store
        .create_person(
            &NewPerson {
                card: None,
                pseudonym: name.into(),
                unit_id: unit,
                status: Status::Member,
                since: admitted,
                admitted_on: Some(admitted),
                programme_accepted: true,
                monthly_income_cents: None,
                reduced_rate: false,
                identity: Identity::default(),
            },
            None,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn people_met_at_meetings_are_exposed_and_link_units() {
    let (store, _dir) = empty_store().await;
    let long_ago = Day::parse("2015-01-01").unwrap();
    store::init_organisation(&store, "P", "CC", "admin", "admin password 1", long_ago)
        .await
        .unwrap();
    for (code, parent) in [("a", "cc"), ("b", "cc")] {
        store
            .create_unit(
                &NewUnit {
                    code: code.into(),
                    name: code.to_uppercase(),
                    kind: "local".into(),
                    parent: Some(parent.into()),
                    area: String::new(),
                    closed: false,
                },
                None,
            )
            .await
            .unwrap();
    }
    let a = store.unit_by_code("a").await.unwrap().unwrap().id;
    let b = store.unit_by_code("b").await.unwrap().unwrap().id;
    let mut in_a = Vec::new();
    for i in 0..4 {
        in_a.push(member(&store, a, &format!("a{i}"), long_ago).await);
    }
    let b0 = member(&store, b, "b0", long_ago).await;
    let b1 = member(&store, b, "b1", long_ago).await;
    let day = Day::today().add_days(-30);
    // a0, a1 and a2 meet; a3 stays home. Then a2 moves to unit B.
    store
        .record_meeting(a, day, "Monthly", &in_a[..3], None)
        .await
        .unwrap();
    store
        .record_meeting(b, day, "Monthly", &[b0], None)
        .await
        .unwrap();
    store
        .transfer(in_a[2], b, Day::today(), "moved", None)
        .await
        .unwrap();

    let ix = index(&store).await;
    let of = |p: i64| ix.exposure_of(&ix.main_subject(p).unwrap()).0;
    // a0 (no account: as if invited) sees unit A's roster (a0, a1, a3), A's one meeting, and has
    // met a1 and a2; a2 is now in B, so known by face beyond the roster.
    let e = of(in_a[0]);
    assert!(!e.subject.has_account);
    assert_eq!(e.met, 2);
    assert_eq!(e.count("people_by_pseudonym"), 3 + 1);
    assert_eq!(e.count("people_by_identity"), 1, "only their own");
    assert_eq!(e.count("meetings"), 1);
    assert_eq!(e.people, 4);
    assert_eq!(e.units_spanned, 2);
    // a3 met nobody: A's roster and meeting only.
    let e = of(in_a[3]);
    assert_eq!((e.met, e.people, e.units_spanned), (0, 3, 1));
    // a2, now in B: B's roster (b0, b1, a2) and meeting, the meeting attended in A, and a0, a1.
    let e = of(in_a[2]);
    assert_eq!(e.met, 2);
    assert_eq!(e.count("meetings"), 2);
    assert_eq!(e.people, 5);
    let _ = b1;
    // Unit B's people are known to two people of A by face (a0 and a1 met a2); A's to nobody
    // outside it but a2, who is now in B.
    let analysis = ix.analyse();
    let links = |u: i64| analysis.units.iter().find(|l| l.unit_id == u).unwrap();
    assert_eq!(links(b).outside_met, 2);
    assert_eq!(links(a).outside_met, 1);
    // Everyone at once equals one by one.
    for (e, s) in analysis.exposures.iter().zip(ix.subjects()) {
        assert_eq!(e, &ix.exposure_of(&s).0);
    }
    // The meeting risk of unit B: three members of long standing and one newcomer invited;
    // a2 has met a0 and a1: known beyond the meeting, and nobody else.
    let r = ix
        .meeting_risk(b, false, 1, Day::today(), &Default::default())
        .unwrap();
    assert_eq!((r.size, r.newcomers, r.known_beyond), (4, 1, 2));
}

#[tokio::test]
async fn the_demo_security_officer_sees_the_organisations_exposure() {
    let d = App::demo().await;
    let ix = index(&d.store).await;
    // The whole organisation at once equals each account asked about every unit.
    let analysis = ix.analyse();
    let subjects = ix.subjects();
    assert!(subjects.len() > 900);
    for (e, s) in analysis.exposures.iter().zip(&subjects) {
        assert_eq!(e, &ix.exposure_of(s).0, "{s:?}");
    }
    // Someone has met someone: the demo has a year of meetings.
    assert!(analysis.exposures.iter().any(|e| e.met > 0));
    // Three members moved from a Toxteth circle to a Salford one: each unit is now known by
    // people outside it.
    let plan = fixtures::demo::demo(7, Day::today());
    assert_eq!(plan.transfers.len(), 3);
    let to = d
        .store
        .unit_by_code(&plan.transfers[0].to)
        .await
        .unwrap()
        .unwrap()
        .id;
    let links = analysis.units.iter().find(|l| l.unit_id == to).unwrap();
    assert!(links.outside_met > 0, "{links:?}");
    let from = analysis.units.iter().filter(|l| l.outside_met == 3).count();
    assert!(from >= 1, "the old circle is known to the three who left");

    let security = d.session_for("security").await.cookie;
    let Res {
        status, body: home, ..
    } = d.get("/exposure", &security).await;
    assert_eq!(status, StatusCode::OK, "{home}");
    assert!(home.contains("People exposed per account") && home.contains("<svg"));
    let json = d.get("/exposure?format=json", &security).await.body;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["summary"]["subjects"].as_u64().unwrap() as usize,
        subjects.len(),
        "the central security officer reaches everyone, closed circle included"
    );
    let officers = v["officers"].as_array().unwrap();
    assert!(
        officers
            .iter()
            .any(|o| o["offices"].as_str().unwrap().contains("secretary of")),
        "{officers:?}"
    );
    let max = v["summary"]["people"]["max"].as_u64().unwrap();
    assert_eq!(
        max,
        analysis.exposures.iter().map(|e| e.people).max().unwrap()
    );

    // One person, as JSON: the demo secretary's identities of their circle.
    let sec = d
        .store
        .account_by_login("secretary")
        .await
        .unwrap()
        .unwrap();
    let person = ix
        .snap
        .accounts
        .iter()
        .find(|a| a.id == sec)
        .unwrap()
        .person_id
        .unwrap();
    let Res {
        status, body: json, ..
    } = d
        .get(&format!("/exposure/people/{person}?format=json"), &security)
        .await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let e = &v["accounts"][0]["exposure"];
    let unit = ix.person_unit[ix.person_ix.get(person).expect("a person") as usize] as usize;
    assert_eq!(
        e["counts"][1][1].as_u64().unwrap(),
        ix.unit_people.row(unit).len() as u64,
        "the secretary's account shows every identity of the circle"
    );
    // Only the kinds the unit holds are listed: the circle is not closed.
    let kinds = v["accounts"][0]["units"][0]["kinds"].as_array().unwrap();
    assert!(kinds
        .iter()
        .any(|k| k == "people by identity (name, address, workplace)"));
    assert!(!kinds.iter().any(|k| k == "closed units' figures"));

    // The simulation: the same seed, the same figures; a bad chance refused by name.
    let path = "/exposure/simulate?runs=40&seed=5&k=2&talk=0.5&format=json";
    let Res {
        status, body: one, ..
    } = d.get(path, &security).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    let two = d.get(path, &security).await.body;
    assert_eq!(one, two);
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 3);
    let Res {
        status, body: page, ..
    } = d.get("/exposure/simulate?talk=2", &security).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("talk must be a chance between 0 and 1"),
        "{page}"
    );
    let Res {
        status, body: page, ..
    } = d.get("/exposure/simulate?runs=30", &security).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("one loose network") && page.contains("<svg"));

    // The meeting risk of the demo circle, with its formula in words.
    let circle = ix.snap.units[unit].id;
    let Res {
        status, body: page, ..
    } = d
        .get(
            &format!("/exposure/meeting?unit={circle}&newcomers=3"),
            &security,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("How the figure is made") && page.contains("Advice"));

    // Nobody else opens these pages.
    let member = d.session_for("member").await.cookie;
    for p in ["/exposure", "/exposure/simulate", "/exposure/meeting"] {
        assert_eq!(d.get(p, &member).await.status, StatusCode::NOT_FOUND, "{p}");
    }
}

/// Documents, on a structure small enough to count by hand: the paper's articles not yet public,
/// the reports on the editors' desk (two naming their senders, each to the editor it is assigned
/// to), reports used in an article, and a congress's motions, amendments and minutes with the
/// people taking part.
#[tokio::test]
async fn documents_are_exposed_as_the_pages_show_them_counted_by_hand() {
    use core_rules::paper::{ArticleState, NewEdition, ReportCategory, Triage};
    use core_rules::roles::Role;
    use store::paper::{NewReport, Sender};
    let (store, _dir) = empty_store().await;
    let long_ago = Day::parse("2015-01-01").unwrap();
    store::init_organisation(&store, "P", "CC", "admin", "admin password 1", long_ago)
        .await
        .unwrap();
    // cc > a > h (closed); cc > b.
    for (code, kind, parent, closed) in [
        ("a", "local", "cc", false),
        ("b", "local", "cc", false),
        ("h", "circle", "a", true),
    ] {
        store
            .create_unit(
                &NewUnit {
                    code: code.into(),
                    name: code.to_uppercase(),
                    kind: kind.into(),
                    parent: Some(parent.into()),
                    area: String::new(),
                    closed,
                },
                None,
            )
            .await
            .unwrap();
    }
    let unit = |code: &'static str| {
        let store = store.clone();
        async move { store.unit_by_code(code).await.unwrap().unwrap().id }
    };
    let (cc, a, b, h) = (
        unit("cc").await,
        unit("a").await,
        unit("b").await,
        unit("h").await,
    );
    let e0 = member(&store, cc, "e0", long_ago).await; // editor of the central paper
    let c0 = member(&store, cc, "c0", long_ago).await; // central committee
    let a0 = member(&store, a, "a0", long_ago).await;
    let a1 = member(&store, a, "a1", long_ago).await; // editor of A's paper
    let b0 = member(&store, b, "b0", long_ago).await;
    let b1 = member(&store, b, "b1", long_ago).await;
    let h0 = member(&store, h, "h0", long_ago).await;
    let mut account = HashMap::new();
    for (login, p) in [("e0", e0), ("c0", c0), ("a1", a1), ("b0", b0), ("h0", h0)] {
        let id = store
            .create_account(login, "a password of theirs", Some(p), false, None)
            .await
            .unwrap();
        account.insert(login, id);
    }
    store
        .grant_role("e0", cc, Role::Editor, None)
        .await
        .unwrap();
    store
        .grant_role("c0", cc, Role::Central, None)
        .await
        .unwrap();
    store.grant_role("a1", a, Role::Editor, None).await.unwrap();

    // The central paper: a draft, an approved article, and a published one; A's paper a draft.
    let spark = store
        .create_publication(None, "spark", "The Spark", cc, 5)
        .await
        .unwrap();
    let local = store
        .create_publication(None, "local", "The Local", a, 5)
        .await
        .unwrap();
    let draft = store
        .create_article(None, spark, None, "Draft", "Text.")
        .await
        .unwrap();
    let approved = store
        .create_article(None, spark, None, "Approved", "Text.")
        .await
        .unwrap();
    for to in [ArticleState::Edited, ArticleState::Approved] {
        store.move_article(None, approved, to).await.unwrap();
    }
    let edition = store
        .create_edition(
            None,
            spark,
            &NewEdition {
                number: 1,
                date: Day::today(),
                price_cents: 100,
                headline: "First".into(),
            },
        )
        .await
        .unwrap();
    let out = store
        .create_article(None, spark, Some(edition), "Out", "Text.")
        .await
        .unwrap();
    for to in [ArticleState::Edited, ArticleState::Approved] {
        store.move_article(None, out, to).await.unwrap();
    }
    store.publish_edition(None, edition).await.unwrap();
    store
        .create_article(None, local, None, "Local draft", "Text.")
        .await
        .unwrap();

    // Reports: about B from b0 (accepted by e0: theirs), about the closed circle from h0
    // (accepted by a1, who cannot read a closed circle's reports), about A anonymous (accepted),
    // about B anonymous (rejected: on no page), about the centre anonymous (used in the central
    // paper's draft).
    let report = |unit: i64, sender: Sender, body: &'static str| {
        let store = store.clone();
        async move {
            store
                .submit_report(
                    sender,
                    &NewReport {
                        category: ReportCategory::Strike,
                        unit_id: unit,
                        happened_on: Day::today(),
                        body: body.into(),
                    },
                )
                .await
                .unwrap()
        }
    };
    let from = |p: i64, login: &str| Sender::Person {
        person: p,
        account: account[login],
    };
    let r1 = report(b, from(b0, "b0"), "REPORT-FROM-B").await;
    let r2 = report(h, from(h0, "h0"), "REPORT-FROM-H").await;
    for (r, by) in [(r1, "e0"), (r2, "a1")] {
        store
            .triage_report(Some(account[by]), r, Triage::Accept)
            .await
            .unwrap();
    }
    let r3 = report(a, Sender::Anonymous, "REPORT-ABOUT-A").await;
    store.triage_report(None, r3, Triage::Accept).await.unwrap();
    let r4 = report(b, Sender::Anonymous, "REPORT-REJECTED").await;
    store.triage_report(None, r4, Triage::Reject).await.unwrap();
    let r5 = report(cc, Sender::Anonymous, "REPORT-USED").await;
    store
        .triage_report(None, r5, Triage::UseIn(draft))
        .await
        .unwrap();

    // A congress with two motions and one amendment; b1 and h0 take part (as guests).
    let congress: i64 = store::sqlx::query_scalar(
        "INSERT INTO congresses (name, held_on, membership_on, rule, quorum_num, quorum_den, \
         motion_states, supporters_needed, created_at) VALUES ('Second', '2030-01-01', \
         '2029-12-01', '{\"rule\":\"per_members\",\"per\":10,\"min\":1}', 1, 2, \
         'submitted,adopted,rejected', 0, 0) RETURNING id",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let m1 = store
        .submit_motion(congress, "Statutes", "One.\nTwo.", true, None, None)
        .await
        .unwrap();
    store
        .submit_motion(congress, "Programme", "One.", false, None, None)
        .await
        .unwrap();
    store
        .propose_amendment(
            m1,
            None,
            &core_rules::congress::Edit::Delete { from: 2, to: 2 },
            None,
            None,
        )
        .await
        .unwrap();
    for p in [b1, h0] {
        store
            .add_participant(congress, p, store::congress::Kind::Guest, 0, None)
            .await
            .unwrap();
    }

    let ix = index(&store).await;
    let of = |p: i64| ix.exposure_of(&ix.main_subject(p).unwrap()).0;
    let docs = |e: &access::exposure::Exposure| {
        [
            "articles",
            "reports",
            "reports_in_articles",
            "motions",
            "amendments",
            "minutes",
        ]
        .map(|k| e.count(k))
    };
    // e0, editor of the central paper: its draft and approved article and A's draft (an editor
    // edits the papers of the units below); the desk's reports from B, the closed circle (the
    // central committee's bodies see closed units) and A; the report used in the draft. No
    // congress. Named: the CC's two by its roster, and b0, sender of the report assigned to e0
    // (h0's is a1's: not e0's to see, though e0 reads the report).
    let e = of(e0);
    assert_eq!(docs(&e), [3, 3, 1, 0, 0, 0], "{e:?}");
    assert_eq!(e.named_in_documents, 1);
    assert_eq!(e.count("people_by_pseudonym"), 2 + 1);
    assert_eq!((e.people, e.units_spanned), (3, 2));
    // a1, editor of A's paper: A's draft only; the desk's reports but the closed circle's
    // (a local committee does not see closed units). No sender: b0's report is e0's, and h0's,
    // though assigned to a1, is about a unit a1 may not know of.
    let e = of(a1);
    assert_eq!(docs(&e), [1, 2, 0, 0, 0, 0], "{e:?}");
    assert_eq!(e.named_in_documents, 0);
    assert_eq!(e.count("people_by_pseudonym"), 2);
    assert_eq!((e.people, e.units_spanned), (2, 1));
    // c0, on the central committee: the congress (two motions, one amendment, the minutes) and
    // its participants b1 and h0 by party name; nothing of the paper.
    let e = of(c0);
    assert_eq!(docs(&e), [0, 0, 0, 2, 1, 1], "{e:?}");
    assert_eq!(e.named_in_documents, 2);
    assert_eq!((e.people, e.units_spanned), (4, 3));
    // b1 (no account: as if invited) takes part: the congress's documents and h0, the other
    // participant, from the closed circle.
    let e = of(b1);
    assert!(!e.subject.has_account);
    assert_eq!(docs(&e), [0, 0, 0, 2, 1, 1], "{e:?}");
    assert_eq!(e.named_in_documents, 1);
    assert_eq!((e.people, e.units_spanned), (3, 2));
    // h0 likewise, naming b1; their own report exposes nothing to them.
    let e = of(h0);
    assert_eq!(docs(&e), [0, 0, 0, 2, 1, 1], "{e:?}");
    assert_eq!((e.people, e.named_in_documents), (2, 1));
    // a0, a plain member: no documents.
    let e = of(a0);
    assert_eq!(docs(&e), [0; 6], "{e:?}");
    assert_eq!((e.people, e.named_in_documents), (2, 0));
    // The whole organisation at once (editors asked about every unit) equals one by one.
    let analysis = ix.analyse();
    for (e, s) in analysis.exposures.iter().zip(ix.subjects()) {
        assert_eq!(e, &ix.exposure_of(&s).0, "{s:?}");
    }

    // The pages show what was counted: A's editor's desk lists the reports from B (without its
    // sender: it is e0's) and about A, not the closed circle's nor the rejected one.
    let app = App::on(store.clone(), None).await;
    let a1 = app.session(account["a1"]).await;
    let res = app.get("/editor", &a1).await;
    assert_eq!(res.status, StatusCode::OK);
    let desk = res.body;
    assert!(
        desk.contains("REPORT-FROM-B") && !desk.contains("from b0"),
        "{desk}"
    );
    assert!(!desk.contains(&format!("/editor/reports/{r1}/sender")));
    // e0's desk offers to ask who sent it.
    let e0 = app.session(account["e0"]).await;
    let e0_desk = app.get("/editor", &e0).await.body;
    assert!(e0_desk.contains(&format!("/editor/reports/{r1}/sender")));
    assert!(!e0_desk.contains(&format!("/editor/reports/{r2}/sender")));
    assert!(desk.contains("REPORT-ABOUT-A"));
    assert!(!desk.contains("REPORT-FROM-H") && !desk.contains("REPORT-REJECTED"));
    assert!(desk.contains("Local draft") && !desk.contains(">Draft<"));
}
