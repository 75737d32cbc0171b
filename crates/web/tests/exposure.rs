//! Exposure analysis on real stores: who has met whom counts, the whole organisation agrees with
//! one account at a time on the demo, and the security officer's pages answer (HTML and JSON),
//! the simulation reproducibly.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use core_rules::people::{Identity, Status};
use core_rules::units::NewUnit;
use core_rules::Day;
use http_body_util::BodyExt;
use store::people::NewPerson;
use store::{Create, DatabaseUrl, Store};
use tower::ServiceExt;
use web::exposure::Index;

async fn empty_store(dir: &tempfile::TempDir) -> Store {
    Store::open(&DatabaseUrl::sqlite_in(dir.path()), Create::IfMissing)
        .await
        .unwrap()
        .unlock(&store::vault::KeySource::Key(
            store::vault::MasterKey::generate(),
        ))
        .await
        .unwrap()
}

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
    let dir = tempfile::tempdir().unwrap();
    let store = empty_store(&dir).await;
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

struct Demo {
    router: axum::Router,
    store: Store,
    _dir: tempfile::TempDir,
}

async fn demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let store = empty_store(&dir).await;
    let today = Day::today();
    assert!(store
        .seed_demo(&core_rules::demo::demo(7, today), today)
        .await
        .unwrap());
    let state = web::AppState::new(store.clone(), false).await.unwrap();
    Demo {
        router: web::router(state),
        store,
        _dir: dir,
    }
}

impl Demo {
    async fn cookie(&self, login: &str) -> String {
        let a = self.store.account_by_login(login).await.unwrap().unwrap();
        format!("iskra-demo={}", self.store.start_session(a).await.unwrap())
    }

    async fn get(&self, path: &str, cookie: &str) -> (StatusCode, String) {
        let req = Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

#[tokio::test]
async fn the_demo_security_officer_sees_the_organisations_exposure() {
    let d = demo().await;
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
    let plan = core_rules::demo::demo(7, Day::today());
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

    let security = d.cookie("security").await;
    let (status, home) = d.get("/exposure", &security).await;
    assert_eq!(status, StatusCode::OK, "{home}");
    assert!(home.contains("People exposed per account") && home.contains("<svg"));
    let (_, json) = d.get("/exposure?format=json", &security).await;
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
    let (status, json) = d
        .get(&format!("/exposure/people/{person}?format=json"), &security)
        .await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let e = &v["accounts"][0]["exposure"];
    let unit = ix.person_unit[ix.person_ix[&person] as usize] as usize;
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
    let (status, one) = d.get(path, &security).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    let (_, two) = d.get(path, &security).await;
    assert_eq!(one, two);
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 3);
    let (status, page) = d.get("/exposure/simulate?talk=2", &security).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("talk must be a chance between 0 and 1"),
        "{page}"
    );
    let (status, page) = d.get("/exposure/simulate?runs=30", &security).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("one loose network") && page.contains("<svg"));

    // The meeting risk of the demo circle, with its formula in words.
    let circle = ix.snap.units[unit].id;
    let (status, page) = d
        .get(
            &format!("/exposure/meeting?unit={circle}&newcomers=3"),
            &security,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("How the figure is made") && page.contains("Advice"));

    // Nobody else opens these pages.
    let member = d.cookie("member").await;
    for p in ["/exposure", "/exposure/simulate", "/exposure/meeting"] {
        assert_eq!(d.get(p, &member).await.0, StatusCode::NOT_FOUND, "{p}");
    }
}
