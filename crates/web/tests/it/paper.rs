//! The paper through the real router, on a SQLite store seeded with the demo: the public
//! edition and its Atom feed, the report forms, the editors' workflow and the agent's
//! return.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use core_rules::Day;

use tower::ServiceExt;

use crate::common::{App, User};

#[tokio::test]
async fn the_public_edition_is_read_without_login_and_unpublished_ones_do_not_exist() {
    let app = App::demo().await;
    let r = app.get("/paper/iskra/5", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("Schools: the cuts have names"),
        "the headline"
    );
    assert!(r.body.contains("The cuts have names"), "an article's title");
    assert!(!r.body.contains("<script"));
    // Edition 6 is being prepared: not there for the public, not even by its number.
    assert_eq!(
        app.get("/paper/iskra/6", None).await.status,
        StatusCode::NOT_FOUND
    );
    let list = app.get("/paper/iskra", None).await.body;
    assert!(list.contains("/paper/iskra/5") && !list.contains("/paper/iskra/6\""));
}

#[tokio::test]
async fn the_atom_feed_is_valid_atom() {
    let app = App::demo().await;
    let r = app.get("/paper/iskra/feed.atom", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    assert!(
        r.body.contains("xmlns=\"http://www.w3.org/2005/Atom\""),
        "the Atom namespace"
    );
    let feed: atom_syndication::Feed = r.body.parse().expect("the feed parses as Atom");
    // RFC 4287 4.1.1: a feed has exactly one id, title and updated, and an author unless
    // every entry has one; it should have a self link.
    assert!(!feed.id().is_empty());
    assert_eq!(feed.title().as_str(), "Iskra");
    assert!(!feed.authors().is_empty());
    assert!(feed
        .links()
        .iter()
        .any(|l| l.rel() == "self" && l.href().ends_with("/paper/iskra/feed.atom")));
    // One entry per published edition, newest first; 4.1.2: each has an id, a title and an
    // updated; an entry with content needs no alternate link, but ours have one anyway.
    assert_eq!(feed.entries().len(), 5);
    let mut ids = std::collections::HashSet::new();
    for e in feed.entries() {
        assert!(ids.insert(e.id().to_string()), "entry ids are unique");
        assert!(!e.title().as_str().is_empty());
        assert!(e.links().iter().any(|l| l.rel() == "alternate"));
        let c = e.content().expect("an entry carries the edition's text");
        assert_eq!(c.content_type(), Some("html"));
    }
    assert!(feed.entries()[0].title().as_str().contains("No. 5"));
    assert_eq!(feed.updated(), feed.entries()[0].updated());
}

#[tokio::test]
async fn an_anonymous_report_from_the_public_reaches_the_editors_without_a_sender() {
    let app = App::demo().await;
    let region = app.store.unit_by_code("clyde").await.unwrap().unwrap();
    let form = app.get("/report", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"clyde\""), "a region is offered");
    let today = Day::today().to_string();
    let r = app
        .post(
            "/report",
            None,
            &[
                ("category", "eviction"),
                ("place", "clyde"),
                ("place_text", "the flats by the quay"),
                ("happened_on", &today),
                ("text", "CANARY eviction on the quay"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let sent = app.store.reports(Some("new"), 1000).await.unwrap();
    let mine = sent
        .iter()
        .find(|r| r.body.contains("CANARY eviction"))
        .expect("the report is stored");
    assert_eq!((mine.has_sender, mine.unit_id), (false, region.id));
    assert_eq!(mine.place_text.as_deref(), Some("the flats by the quay"));
    // A bad report is refused with a reason, and nothing is stored.
    let bad = app
        .post(
            "/report",
            None,
            &[
                ("category", "gossip"),
                ("place", "clyde"),
                ("happened_on", &today),
                ("text", "x"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("kind of report"));
    // The editor sees it on the desk, with the place in the sender's words; the agent does
    // not get the desk at all.
    let User { cookie: editor, .. } = app.login_demo("editor").await;
    let desk = app.get("/editor", &editor).await.body;
    assert!(desk.contains("CANARY eviction"));
    assert!(desk.contains("the flats by the quay"));
    let User { cookie: agent, .. } = app.login_demo("agent").await;
    assert_eq!(
        app.get("/editor", &agent).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Issue 17, finding 8: `/report` listed every unit outside closed branches to anyone on the
/// internet (a circle at the Govan shipyard, say). The public form now offers only the places
/// the organisation names in public (the statutes' `public_places`, by default the regions)
/// and free text; a report that names none of them waits at the top for the editors, who
/// place it.
#[tokio::test]
async fn the_public_form_offers_only_the_places_named_in_public_and_the_editors_place_the_rest() {
    let app = App::demo().await;
    let yard = app
        .store
        .unit_by_code("clyde-govan-yard")
        .await
        .unwrap()
        .unwrap();
    let cc = app.store.unit_by_code("cc").await.unwrap().unwrap();
    let form = app.get("/report", None).await.body;
    for region in ["clyde", "mersey"] {
        assert!(form.contains(&format!("value=\"{region}\"")), "{region}");
    }
    assert!(!form.contains(&yard.name) && !form.contains(&yard.code));
    assert!(
        form.contains("name=\"place_text\""),
        "a place in one's own words"
    );
    // Naming an internal unit gets the answer a unit that does not exist gets.
    let today = Day::today().to_string();
    let send = |place: &'static str| {
        let today = today.clone();
        let app = &app;
        async move {
            app.post(
                "/report",
                None,
                &[
                    ("category", "strike"),
                    ("place", place),
                    ("happened_on", &today),
                    ("text", "CANARY walk-out"),
                ],
            )
            .await
        }
    };
    let internal = send("clyde-govan-yard").await;
    let missing = send("clyde-govan-nowhere").await;
    assert_eq!(internal.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (
            internal.status,
            internal.body.replace("clyde-govan-yard", "CODE")
        ),
        (
            missing.status,
            missing.body.replace("clyde-govan-nowhere", "CODE")
        )
    );
    // No place chosen: filed under the top, with the sender's words for the editors.
    let r = app
        .post(
            "/report",
            None,
            &[
                ("category", "strike"),
                ("place", ""),
                ("place_text", "the shipyard gates in Govan"),
                ("happened_on", &today),
                ("text", "CANARY walk-out at the gates"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let stored = app.store.reports(Some("new"), 1000).await.unwrap();
    let report = stored
        .iter()
        .find(|r| r.body.contains("CANARY walk-out at the gates"))
        .expect("stored");
    assert_eq!(report.unit_id, cc.id);
    assert_eq!(
        report.place_text.as_deref(),
        Some("the shipyard gates in Govan")
    );
    assert_eq!(
        stored
            .iter()
            .filter(|r| r.body.contains("CANARY walk-out"))
            .count(),
        1,
        "the refused ones are not stored"
    );
    // A place in one's own words has a bound.
    let long = "x".repeat(core_rules::paper::reports::MAX_PLACE + 1);
    let r = app
        .post(
            "/report",
            None,
            &[
                ("category", "strike"),
                ("place_text", &long),
                ("happened_on", &today),
                ("text", "CANARY too long a place"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("place is longer than"), "{}", r.body);

    // The editor places it in the circle.
    let User {
        cookie: editor,
        csrf,
    } = app.login_demo("editor").await;
    let r = app
        .post(
            &format!("/editor/reports/{}", report.id),
            &editor,
            &[
                ("csrf", &csrf),
                ("decision", "place"),
                ("unit", "clyde-govan-yard"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let placed = app.store.report(report.id).await.unwrap().unwrap();
    assert_eq!(placed.unit_id, yard.id);
    // A unit that does not exist: "not found", and nothing changed.
    let r = app
        .post(
            &format!("/editor/reports/{}", report.id),
            &editor,
            &[
                ("csrf", &csrf),
                ("decision", "place"),
                ("unit", "nowhere-at-all"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.store.report(report.id).await.unwrap().unwrap().unit_id,
        yard.id
    );

    // A signed-in member may still name their own circle.
    let User {
        cookie: member,
        csrf,
    } = app.login_demo("member").await;
    let form = app.get("/report", &member).await.body;
    assert!(
        form.contains("value=\"clyde-govan-yard\" selected"),
        "{form}"
    );
    assert!(
        !form.contains("value=\"clyde-govan-cross\""),
        "not another circle"
    );
    let r = app
        .post(
            "/report",
            &member,
            &[
                ("csrf", &csrf),
                ("category", "strike"),
                ("place", "clyde-govan-yard"),
                ("happened_on", &today),
                ("text", "CANARY from the yard"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Which places are named in public is the statutes' to say.
    let mut rules = app.store.statutes_on(Day::today()).await.unwrap().rules;
    rules.access.public_places = vec!["regional".into(), "local".into()];
    app.store
        .adopt_statutes(&rules, Day::today(), Day::today(), "Test congress", None)
        .await
        .unwrap();
    let form = app.get("/report", None).await.body;
    assert!(
        form.contains("value=\"clyde-govan\""),
        "a local committee now"
    );
    assert!(
        !form.contains("value=\"clyde-govan-yard\""),
        "still no circle"
    );
}

/// Issue 17, finding 8: no public page (the papers, a publication, its feed, every published
/// edition and its PDF, the report form and its answer, the login page) names a unit the
/// organisation does not name in public: checked for every such unit of the demo (the closed
/// Seaforth Dock circle, the Govan Shipyard circle, local committees, sections...).
#[tokio::test]
async fn no_public_page_names_a_unit_outside_the_places_named_in_public() {
    let app = App::demo().await;
    let units = app.store.units().await.unwrap();
    let rules = app.store.access_rules(Day::today()).await.unwrap();
    let public: Vec<_> = units
        .iter()
        .filter(|u| rules.public_places.contains(&u.kind) && !u.closed)
        .collect();
    let internal: Vec<_> = units
        .iter()
        .filter(|u| !public.iter().any(|p| p.id == u.id))
        .collect();
    assert!(public.len() >= 4, "the demo's regions are named in public");
    for canary in ["Seaforth Dock circle", "Govan Shipyard circle"] {
        assert!(internal.iter().any(|u| u.name == canary), "{canary}");
    }
    let p = app
        .store
        .publication_by_code("iskra")
        .await
        .unwrap()
        .unwrap();
    let editions = app.store.editions(p.id, true).await.unwrap();
    assert!(!editions.is_empty());
    let mut pages = vec![
        ("/paper".to_string(), app.get("/paper", None).await.body),
        (
            "/paper/iskra".into(),
            app.get("/paper/iskra", None).await.body,
        ),
        (
            "/paper/iskra/feed.atom".into(),
            app.get("/paper/iskra/feed.atom", None).await.body,
        ),
        ("/report".into(), app.get("/report", None).await.body),
        ("/login".into(), app.get("/login", None).await.body),
    ];
    let today = Day::today().to_string();
    let answer = app
        .post(
            "/report",
            None,
            &[
                ("category", "strike"),
                ("place", "mersey"),
                ("happened_on", &today),
                ("text", "A walk-out."),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    pages.push(("POST /report".into(), answer.body));
    let dir = tempfile::tempdir().unwrap();
    for e in &editions {
        let path = format!("/paper/iskra/{}", e.number);
        let page = app.get(&path, None).await;
        assert_eq!(page.status, StatusCode::OK);
        pages.push((path.clone(), page.body));
        let pdf = app.get(&format!("{path}/pdf"), None).await;
        assert_eq!(pdf.status, StatusCode::OK);
        let file = dir.path().join(format!("{}.pdf", e.number));
        std::fs::write(&file, &pdf.bytes).unwrap();
        let out = std::process::Command::new("pdftotext")
            .arg(&file)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) is installed");
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
        assert!(text.contains(&e.headline), "the PDF's text is read");
        pages.push((format!("{path}/pdf"), text));
    }
    // Every region is named somewhere public (the report form), so the search below would
    // find a unit's name if a page showed one.
    let form = &pages[3].1;
    for u in &public {
        assert!(form.contains(&u.name), "{} is offered", u.name);
    }
    for (path, body) in &pages {
        for u in &internal {
            assert!(!body.contains(&u.name), "{path} names {:?}", u.name);
            // Codes as a page would carry them: a form's value, a link.
            for carried in [
                format!("\"{}\"", u.code),
                format!("/{}\"", u.code),
                format!("/{}/", u.code),
            ] {
                assert!(!body.contains(&carried), "{path} carries {carried}");
            }
            if u.code.contains('-') {
                assert!(!body.contains(&u.code), "{path} names {}", u.code);
            }
        }
    }
}

/// Issue 17, finding 8: the report form had no throttle (100 anonymous posts in 0.4 s were all
/// accepted). A client may send `REPORT_BURST` at once, then one a minute; others are not
/// held back by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_reports_from_one_client_is_held_back_after_the_allowance() {
    let app = App::demo().await;
    let burst = web::throttle::REPORT_BURST as usize;
    let today = Day::today().to_string();
    let report = |client: &str| {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("category", "strike"),
                ("place", "clyde"),
                ("happened_on", today.as_str()),
                ("text", "CANARY flood"),
            ])
            .finish();
        let mut req = Request::post("/report")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        let addr: std::net::SocketAddr = client.parse().unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
        req
    };
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(burst * 3));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..burst * 3 {
        let (router, start, req) = (app.router.clone(), start.clone(), report("192.0.2.80:4000"));
        tasks.spawn(async move {
            start.wait().await;
            let res = router.oneshot(req).await.unwrap();
            (
                res.status(),
                res.headers().contains_key(header::RETRY_AFTER),
            )
        });
    }
    let (mut accepted, mut held) = (0, 0);
    while let Some(r) = tasks.join_next().await {
        match r.unwrap() {
            (StatusCode::OK, _) => accepted += 1,
            (StatusCode::TOO_MANY_REQUESTS, true) => held += 1,
            other => panic!("a report answered {other:?}"),
        }
    }
    assert_eq!((accepted, held), (burst, burst * 2));
    let stored = app.store.reports(Some("new"), 10_000).await.unwrap();
    assert_eq!(
        stored.iter().filter(|r| r.body == "CANARY flood").count(),
        burst
    );
    // Another client is not held back.
    let r = app.send(report("198.51.100.3:4000")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn an_editor_takes_an_article_through_the_workflow_and_publishes_the_edition() {
    let app = App::demo().await;
    let User { cookie, csrf } = app.login_demo("editor").await;
    let p = app
        .store
        .publication_by_code("iskra")
        .await
        .unwrap()
        .unwrap();
    let six = app.store.edition_by_number(p.id, 6).await.unwrap().unwrap();
    let r = app
        .post(
            "/editor/articles",
            &cookie,
            &[
                ("csrf", &csrf),
                ("publication", &p.id.to_string()),
                ("title", "Late news"),
                ("body", "A *new* story <script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    // Skipping a step is refused with the reason.
    let skip = app
        .post(
            &format!("{at}/state"),
            &cookie,
            &[("csrf", &csrf), ("to", "approved")],
        )
        .await;
    assert_eq!(skip.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        skip.body.contains("cannot go from draft to approved"),
        "{}",
        skip.body
    );
    let six_id = six.id.to_string();
    let save = app
        .post(
            &at,
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", "Late news"),
                ("body", "A *new* story <script>alert(1)</script>"),
                ("edition", &six_id),
            ],
        )
        .await;
    assert_eq!(save.status, StatusCode::SEE_OTHER);
    for to in ["edited", "approved"] {
        let r = app
            .post(
                &format!("{at}/state"),
                &cookie,
                &[("csrf", &csrf), ("to", to)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{to}: {}", r.body);
    }
    let publish = app
        .post(
            &format!("/editor/editions/{}/publish", six.id),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(publish.status, StatusCode::SEE_OTHER, "{}", publish.body);
    let public = app.get("/paper/iskra/6", None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("Late news"));
    assert!(public.body.contains("<em>new</em>"));
    assert!(!public.body.contains("alert(1)"));
    // The demo's approved article in edition 6 is published with it; its edited one is not.
    assert!(public.body.contains("How delegates are chosen"));
    assert!(!public.body.contains("Lenin or Martov?"));
    assert_eq!(
        app.store.article(id).await.unwrap().unwrap().state,
        core_rules::paper::ArticleState::Published
    );
}

#[tokio::test]
async fn an_agent_records_the_bundles_return_and_bad_returns_are_refused() {
    let app = App::demo().await;
    let User { cookie, csrf } = app.login_demo("agent").await;
    let yard = app
        .store
        .unit_by_code("clyde-govan-yard")
        .await
        .unwrap()
        .unwrap();
    let p = app
        .store
        .publication_by_code("iskra")
        .await
        .unwrap()
        .unwrap();
    let five = app.store.edition_by_number(p.id, 5).await.unwrap().unwrap();
    let copies = app.store.bundle_copies(five.id, yard.id).await.unwrap();
    assert!(copies > 3);
    let page = app.get(&format!("/units/{}/paper", yard.id), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Record the return"));
    let path = format!("/units/{}/paper", yard.id);
    let e = five.id.to_string();
    let c = copies.to_string();
    // More copies accounted for than received: refused, nothing written.
    let over = (copies + 1).to_string();
    let r = app
        .post(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("edition", &e),
                ("received", &c),
                ("sold", &over),
                ("free", "0"),
                ("returned", "0"),
                ("remitted", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("more than the"), "{}", r.body);
    // Money for copies never received: refused.
    let r = app
        .post(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("edition", &e),
                ("received", "0"),
                ("sold", "0"),
                ("free", "0"),
                ("returned", "0"),
                ("remitted", "5.00"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("never received"), "{}", r.body);
    assert_eq!(
        app.store.bundle_return(five.id, yard.id).await.unwrap(),
        None
    );
    // A good return: sold 3, one free, the rest back, 3 copies' money less 50 cents.
    let back = (copies - 4).to_string();
    let paid = core_rules::paper::money(3 * five.price_cents - 50);
    let r = app
        .post(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("edition", &e),
                ("received", &c),
                ("sold", "3"),
                ("free", "1"),
                ("returned", &back),
                ("remitted", &paid),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let ret = app
        .store
        .bundle_return(five.id, yard.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ret.sold, ret.free, ret.returned, ret.remitted_cents),
        (3, 1, copies as u64 - 4, 3 * five.price_cents - 50)
    );
    let page = app.get(&path, &cookie).await.body;
    assert!(page.contains("Arrears: 0.50"), "{page}");
    // Another unit's bundle is not the agent's to record.
    let other = app.store.unit_by_code("cc").await.unwrap().unwrap();
    let r = app
        .post(
            &format!("/units/{}/paper", other.id),
            &cookie,
            &[("csrf", &csrf), ("edition", &e)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The central committee sees the edition's reconciliation, with the yard's arrears in it.
    let User {
        cookie: central, ..
    } = app.login_demo("central").await;
    let rec = app.get("/paper/iskra/5/circulation", &central).await;
    assert_eq!(rec.status, StatusCode::OK);
    assert!(rec.body.contains("The copies balance."), "{}", rec.body);
    assert!(rec.body.contains(&yard.name));
    assert!(rec.body.contains("<svg"));
}

#[tokio::test]
async fn the_printable_pdf_of_a_published_edition_carries_its_headline_and_an_unpublished_one_does_not_exist(
) {
    let app = App::demo().await;
    let page = app.get("/paper/iskra/5", None).await.body;
    assert!(
        page.contains("/paper/iskra/5/pdf"),
        "the edition links its PDF"
    );
    let r = app.get("/paper/iskra/5/pdf", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(r.bytes.starts_with(b"%PDF-"));
    // Read back as a reader's tool sees it (poppler-utils, installed by .ci/run).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edition.pdf");
    std::fs::write(&path, &r.bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    assert!(text.contains("Schools: the cuts have names"), "{text}");
    assert!(
        text.contains("No. 5") || text.contains("No.5") || text.contains("5"),
        "{text}"
    );
    assert_eq!(
        app.get("/paper/iskra/6/pdf", None).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The published edition's page is kept rendered; a late article published into that edition
/// shows on the very next request, and the security headers are those of every other page.
#[tokio::test]
async fn a_change_to_a_published_edition_shows_on_the_next_request() {
    let app = App::demo().await;
    let p = app
        .store
        .publication_by_code("iskra")
        .await
        .unwrap()
        .unwrap();
    let five = app.store.edition_by_number(p.id, 5).await.unwrap().unwrap();
    let first = app.get("/paper/iskra/5", None).await;
    let again = app.get("/paper/iskra/5", None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body, again.body, "the kept page is the page");
    assert!(!first.body.contains("Late news from the yard"));
    let feed = app.get("/paper/iskra/feed.atom", None).await;
    assert!(!feed.body.contains("Late news from the yard"));
    // The same headers as a page rendered afresh, and as the empty handler's.
    let health = app.get("/healthz", None).await;
    for h in [
        header::CONTENT_SECURITY_POLICY,
        header::REFERRER_POLICY,
        header::X_CONTENT_TYPE_OPTIONS,
        header::X_FRAME_OPTIONS,
    ] {
        assert!(health.headers.contains_key(&h), "{h} on /healthz");
        assert_eq!(first.headers.get(&h), health.headers.get(&h), "{h}");
        assert_eq!(again.headers.get(&h), health.headers.get(&h), "{h}");
    }
    assert_eq!(
        again.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );

    // An article added to the edition that is out, taken through the workflow and published.
    let a = app
        .store
        .create_article(
            None,
            p.id,
            Some(five.id),
            "Late news from the yard",
            "The night shift *walked out*.",
        )
        .await
        .unwrap();
    // Not yet published: the public page does not change.
    assert!(!app
        .get("/paper/iskra/5", None)
        .await
        .body
        .contains("Late news from the yard"));
    for to in [
        core_rules::paper::ArticleState::Edited,
        core_rules::paper::ArticleState::Approved,
        core_rules::paper::ArticleState::Published,
    ] {
        app.store.move_article(None, a, to).await.unwrap();
    }
    let after = app.get("/paper/iskra/5", None).await;
    assert!(
        after.body.contains("Late news from the yard") && after.body.contains("walked out"),
        "the next request shows the published article"
    );
    assert!(app
        .get("/paper/iskra/feed.atom", None)
        .await
        .body
        .contains("Late news from the yard"));

    // Publishing the edition in preparation shows it in the list and the index at once.
    assert!(!app
        .get("/paper/iskra", None)
        .await
        .body
        .contains("/paper/iskra/6\""));
    let six = app.store.edition_by_number(p.id, 6).await.unwrap().unwrap();
    let User { cookie, csrf } = app.login_demo("editor").await;
    let r = app
        .post(
            &format!("/editor/editions/{}/publish", six.id),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app
        .get("/paper/iskra", None)
        .await
        .body
        .contains("/paper/iskra/6\""));
    assert!(app
        .get("/paper", None)
        .await
        .body
        .contains("/paper/iskra/6\""));
    assert_eq!(app.get("/paper/iskra/6", None).await.status, StatusCode::OK);
    // Pages that do not exist are not kept, and stay not found.
    assert_eq!(
        app.get("/paper/iskra/99", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/paper/nothing/1", None).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The agent of a circle sets its standing order and keeps its subscribers; a negative order
/// is refused and changes nothing; an officer of another unit, or the unit's treasurer, is told
/// the unit's order form does not exist; the editor sees the unit's figures, not the names.
#[tokio::test]
async fn an_agent_sets_the_standing_order_and_subscribers_and_the_editor_sees_figures() {
    let app = App::demo().await;
    let yard = app
        .store
        .unit_by_code("clyde-govan-yard")
        .await
        .unwrap()
        .unwrap();
    let p = app
        .store
        .publication_by_code("iskra")
        .await
        .unwrap()
        .unwrap();
    let pid = p.id.to_string();
    let User { cookie, csrf } = app.login_demo("agent").await;
    let page = app.get(&format!("/units/{}/paper", yard.id), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains(&format!("action=\"/units/{}/paper/order\"", yard.id)));

    let order = format!("/units/{}/paper/order", yard.id);
    let r = app
        .post(
            &order,
            &cookie,
            &[("csrf", &csrf), ("publication", &pid), ("copies", "17")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.store.order_of(p.id, yard.id).await.unwrap(), 17);

    let r = app
        .post(
            &order,
            &cookie,
            &[("csrf", &csrf), ("publication", &pid), ("copies", "-3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("at least 0 copies"), "{}", r.body);
    assert_eq!(app.store.order_of(p.id, yard.id).await.unwrap(), 17);
    // Without the form's token: refused, nothing changes.
    let r = app
        .post(&order, &cookie, &[("publication", &pid), ("copies", "2")])
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.order_of(p.id, yard.id).await.unwrap(), 17);

    // A subscriber from the circle's people, by party name, and one with no name kept.
    let people = app.store.people_of_unit(yard.id).await.unwrap();
    let reader = &people[0];
    let subs = format!("/units/{}/paper/subscribers", yard.id);
    let before = app
        .store
        .subscriptions_of_unit(p.id, yard.id)
        .await
        .unwrap();
    for (person, copies) in [(reader.id.to_string(), "2"), (String::new(), "1")] {
        let r = app
            .post(
                &subs,
                &cookie,
                &[
                    ("csrf", &csrf),
                    ("publication", &pid),
                    ("person", &person),
                    ("copies", copies),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let now = app
        .store
        .subscriptions_of_unit(p.id, yard.id)
        .await
        .unwrap();
    assert_eq!(now.len(), before.len() + 2);
    let page = app
        .get(&format!("/units/{}/paper", yard.id), &cookie)
        .await
        .body;
    assert!(page.contains(&reader.pseudonym));
    // Someone of another unit cannot be made this unit's subscriber.
    let elsewhere = app
        .store
        .unit_by_code("mersey-bootle-strand")
        .await
        .unwrap()
        .unwrap();
    let stranger = &app.store.people_of_unit(elsewhere.id).await.unwrap()[0];
    let r = app
        .post(
            &subs,
            &cookie,
            &[
                ("csrf", &csrf),
                ("publication", &pid),
                ("person", &stranger.id.to_string()),
                ("copies", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Ending one.
    let mine = now.iter().find(|s| s.person_id == Some(reader.id)).unwrap();
    let r = app
        .post(
            &subs,
            &cookie,
            &[
                ("csrf", &csrf),
                ("publication", &pid),
                ("end", &mine.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let now = app
        .store
        .subscriptions_of_unit(p.id, yard.id)
        .await
        .unwrap();
    assert!(!now.iter().find(|s| s.id == mine.id).unwrap().active);

    // The agent of this circle has no say over another unit's order: it does not exist.
    let r = app
        .post(
            &format!("/units/{}/paper/order", elsewhere.id),
            &cookie,
            &[("csrf", &csrf), ("publication", &pid), ("copies", "5")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Nor has the circle's treasurer over its own.
    let User {
        cookie: tc,
        csrf: tcsrf,
    } = app.login_demo("treasurer").await;
    let r = app
        .post(
            &order,
            &tc,
            &[("csrf", &tcsrf), ("publication", &pid), ("copies", "5")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.store.order_of(p.id, yard.id).await.unwrap(), 17);

    // The editor: the circle's order and subscribers in figures, no names; sets the reserve.
    let User {
        cookie: ec,
        csrf: ecsrf,
    } = app.login_demo("editor").await;
    let totals = app.get("/editor/orders", &ec).await;
    assert_eq!(totals.status, StatusCode::OK);
    assert!(totals.body.contains(&yard.name));
    assert!(!totals.body.contains(&reader.pseudonym));
    let r = app
        .post(
            "/editor/orders",
            &ec,
            &[("csrf", &ecsrf), ("publication", &pid), ("reserve", "-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            "/editor/orders",
            &ec,
            &[("csrf", &ecsrf), ("publication", &pid), ("reserve", "12")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.store
            .publication(p.id)
            .await
            .unwrap()
            .unwrap()
            .reserve_percent,
        12
    );
    // The agent cannot set the reserve.
    let r = app
        .post(
            "/editor/orders",
            &cookie,
            &[("csrf", &csrf), ("publication", &pid), ("reserve", "50")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

fn picture_total(body: &str) -> i64 {
    let at = body
        .find(" reports (rejected")
        .expect("the picture's total");
    let start = body[..at].rfind('>').unwrap() + 1;
    body[start..at].trim().parse().unwrap()
}

/// A report from the closed circle counts in the single picture of the central committee's
/// editor (the statutes open closed units to the central committee), and in nothing an editor
/// outside it sees: not by place, not by kind, not by month, not in the total.
#[tokio::test]
async fn the_single_picture_leaves_out_a_closed_units_reports_for_those_outside_it() {
    let app = App::demo().await;
    let yard = app
        .store
        .unit_by_code("clyde-govan-yard")
        .await
        .unwrap()
        .unwrap();
    // The circle's secretary also edits a paper of the circle: an editor who does not know of
    // the closed circle.
    app.store
        .grant_role("secretary", yard.id, core_rules::roles::Role::Editor, None)
        .await
        .unwrap();
    let User {
        cookie: central, ..
    } = app.login_demo("editor").await;
    let User { cookie: local, .. } = app.login_demo("secretary").await;
    let before_central = picture_total(&app.get("/editor/picture", &central).await.body);
    let before_local_page = app.get("/editor/picture", &local).await.body;
    let before_local = picture_total(&before_local_page);
    let closed = app
        .store
        .unit_by_code("mersey-bootle-seaforth")
        .await
        .unwrap()
        .unwrap();
    assert!(closed.closed);
    // A kind of report and a month of its own, so that the bars by kind and the timeline
    // would show it.
    let happened = Day::parse("2001-02-03").unwrap();
    let r = app
        .store
        .submit_report(
            store::paper::Sender::Anonymous,
            &store::paper::NewReport {
                category: core_rules::paper::ReportCategory::Religion,
                unit_id: closed.id,
                happened_on: happened,
                body: "The dock gate searches.".into(),
            },
        )
        .await;
    let r = r.unwrap();
    app.store
        .triage_report(None, r, core_rules::paper::Triage::Accept)
        .await
        .unwrap();
    let central_page = app.get("/editor/picture", &central).await.body;
    let local_page = app.get("/editor/picture", &local).await.body;
    assert_eq!(picture_total(&central_page), before_central + 1);
    assert_eq!(picture_total(&local_page), before_local);
    // Every figure the local editor sees is as it was: by kind, by place, by month.
    assert_eq!(local_page, before_local_page);
    assert!(!local_page.contains(&closed.name));
}

/// The report's id in a desk page, found by its text.
fn report_id_on(page: &str, text: &str) -> i64 {
    let at = page.find(text).expect("the report is on the desk");
    let form = page[at..]
        .find("action=\"/editor/reports/")
        .expect("its triage form")
        + at
        + 24;
    page[form..].split('"').next().unwrap().parse().unwrap()
}

/// A correspondent is known to one editor: the other editors never see the sender's name, on
/// the desk or by asking; the editor who triaged the report sees it on request, recorded first;
/// and after the statutes' days nobody does.
#[tokio::test]
async fn a_correspondent_is_known_to_the_one_editor_who_handles_the_report() {
    let app = App::demo().await;
    let yard = app
        .store
        .unit_by_code("clyde-govan-yard")
        .await
        .unwrap()
        .unwrap();
    let cc = app.store.unit_by_code("cc").await.unwrap().unwrap();
    // A member of the circle with a party name to look for, and an account to send from.
    let correspondent = app
        .store
        .create_person(
            &store::people::NewPerson {
                card: None,
                pseudonym: "CANARY-CORRESPONDENT".into(),
                unit_id: yard.id,
                status: core_rules::people::Status::Member,
                since: Day::parse("2020-01-01").unwrap(),
                admitted_on: Some(Day::parse("2020-01-01").unwrap()),
                programme_accepted: true,
                monthly_income_cents: None,
                reduced_rate: false,
                identity: Default::default(),
            },
            None,
        )
        .await
        .unwrap();
    app.store
        .create_account(
            "correspondent",
            "demo-correspondent-iskra",
            Some(correspondent),
            false,
            None,
        )
        .await
        .unwrap();
    // A second editor on the central committee's paper.
    app.store
        .grant_role("central", cc.id, core_rules::roles::Role::Editor, None)
        .await
        .unwrap();
    let User {
        cookie: sender,
        csrf: sender_csrf,
    } = app.login_demo("correspondent").await;
    let today = Day::today().to_string();
    let sent = app
        .post(
            "/report",
            &sender,
            &[
                ("csrf", &sender_csrf),
                ("category", "workplace"),
                ("place", "clyde-govan-yard"),
                ("happened_on", &today),
                ("text", "CANARY-REPORT the crane is unsafe"),
                ("sender", "me"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let User {
        cookie: editor,
        csrf: editor_csrf,
    } = app.login_demo("editor").await;
    let User {
        cookie: other,
        csrf: other_csrf,
    } = app.login_demo("central").await;
    let desk = app.get("/editor", &editor).await.body;
    let id = report_id_on(&desk, "CANARY-REPORT");
    let reveal = format!("/editor/reports/{id}/sender");
    // Before anyone decides on it, no editor sees who sent it, even by asking.
    for (cookie, csrf) in [(&editor, &editor_csrf), (&other, &other_csrf)] {
        let desk = app.get("/editor", cookie).await.body;
        assert!(desk.contains("CANARY-REPORT"));
        assert!(!desk.contains("CANARY-CORRESPONDENT"));
        assert!(!desk.contains(&reveal), "no one to ask yet");
        let asked = app.post(&reveal, cookie, &[("csrf", csrf)]).await;
        assert_eq!(asked.status, StatusCode::NOT_FOUND);
        assert!(!asked.body.contains("CANARY-CORRESPONDENT"));
    }
    // The demo editor accepts it: it is theirs.
    let r = app
        .post(
            &format!("/editor/reports/{id}"),
            &editor,
            &[("csrf", &editor_csrf), ("decision", "accept")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The other editor: the report without its sender, wherever they look.
    let mut seen = String::new();
    for p in ["/editor", "/editor/picture", "/editor/orders", "/"] {
        seen.push_str(&app.get(p, &other).await.body);
    }
    assert!(seen.contains("CANARY-REPORT"));
    assert!(!seen.contains(&reveal));
    let asked = app.post(&reveal, &other, &[("csrf", &other_csrf)]).await;
    assert_eq!(asked.status, StatusCode::NOT_FOUND);
    seen.push_str(&asked.body);
    assert!(
        !seen.contains("CANARY-CORRESPONDENT"),
        "another editor saw the sender"
    );
    // The editor it is assigned to: the desk offers to ask, without the name...
    let desk = app.get("/editor", &editor).await.body;
    assert!(desk.contains(&reveal));
    assert!(!desk.contains("CANARY-CORRESPONDENT"));
    // ...and asking shows it, the view recorded (account and report; no name, no person).
    let before = app.store.audit_entries(1).await.unwrap()[0].seq;
    let shown = app.post(&reveal, &editor, &[("csrf", &editor_csrf)]).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(shown.body.contains("CANARY-CORRESPONDENT"));
    let editor_account = app.store.account_by_login("editor").await.unwrap().unwrap();
    let entry = &app.store.audit_entries(1).await.unwrap()[0];
    assert_eq!(entry.seq, before + 1);
    assert_eq!(entry.action, "report.sender_shown");
    assert_eq!(
        (entry.actor, entry.object_id),
        (Some(editor_account), Some(id))
    );
    assert_eq!(entry.detail, "");
    // The form needs its token, like every other.
    let forged = app.post(&reveal, &editor, &[]).await;
    assert!(!forged.body.contains("CANARY-CORRESPONDENT"));

    // Decided 30 days ago (the statutes' number): nobody sees it any more, and the clearing
    // removes it for good; the report stays on the desk.
    store::sqlx::query("UPDATE reports SET decided_on = $2 WHERE id = $1")
        .bind(id)
        .bind(Day::today().add_days(-30).to_string())
        .execute(app.store.pool())
        .await
        .unwrap();
    let late = app.post(&reveal, &editor, &[("csrf", &editor_csrf)]).await;
    assert_eq!(late.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.store.clear_report_senders(Day::today()).await.unwrap(),
        1
    );
    let desk = app.get("/editor", &editor).await.body;
    assert!(desk.contains("CANARY-REPORT") && !desk.contains(&reveal));
    assert!(!app.store.report(id).await.unwrap().unwrap().has_sender);
}

/// The server clears the senders past their day as it starts, before the first request.
#[tokio::test]
async fn the_server_clears_senders_past_their_day_when_it_starts() {
    let app = App::demo().await;
    // The demo's named reports that its editor decided: one of them decided 30 days ago.
    let id: i64 = store::sqlx::query_scalar(
        "SELECT id FROM reports WHERE sender_person_id IS NOT NULL AND decided_on IS NOT NULL \
         ORDER BY id LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    store::sqlx::query("UPDATE reports SET decided_on = $2 WHERE id = $1")
        .bind(id)
        .bind(Day::today().add_days(-30).to_string())
        .execute(app.store.pool())
        .await
        .unwrap();
    assert!(app.store.report(id).await.unwrap().unwrap().has_sender);
    let state = web::AppState::new(app.store.clone(), false).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = tokio::spawn(web::serve(state, listener));
    let mut cleared = false;
    for _ in 0..100 {
        if !app.store.report(id).await.unwrap().unwrap().has_sender {
            cleared = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.abort();
    assert!(cleared, "the server started and the sender is still there");
    // Only that one: the others were decided today.
    let kept: i64 = store::sqlx::query_scalar(
        "SELECT COUNT(*) FROM reports WHERE sender_person_id IS NOT NULL AND decided_on IS NOT NULL",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert!(kept > 0);
    let entry = &app.store.audit_entries(1).await.unwrap()[0];
    assert_eq!(
        (entry.action.as_str(), entry.detail.as_str()),
        ("report.senders_cleared", "reports=1 days=30")
    );
}
