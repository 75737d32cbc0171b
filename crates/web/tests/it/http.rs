//! The web interface through its real router, on a real SQLite store seeded with the demo.
//!
//! These are the requests a browser makes: forms posted with their CSRF token, cookies sent
//! back, pages read for what a person would see.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use core_rules::Day;
use store::Store;

use crate::common::App;

#[tokio::test]
async fn signing_in_sets_a_strict_cookie_and_one_message_for_every_failure() {
    let app = App::demo().await;
    let wrong = app
        .post("/login", None, &[("login", "admin"), ("password", "nope")])
        .await;
    let unknown = app
        .post("/login", None, &[("login", "nobody"), ("password", "nope")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("do not match"));
    assert_eq!(
        wrong.body, unknown.body,
        "the failure must not say which part was wrong"
    );

    let ok = app
        .post(
            "/login",
            None,
            &[("login", "admin"), ("password", "demo-admin-iskra")],
        )
        .await;
    let cookie = ok.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    assert!(cookie.contains("Path=/"));
}

#[tokio::test]
async fn pages_need_a_session_and_carry_the_security_headers() {
    let app = App::demo().await;
    let r = app.get("/units", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login");

    let cookie = app.sign_in("admin", "demo-admin-iskra").await;
    let r = app.get("/units", &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(r.headers[header::REFERRER_POLICY], "no-referrer");
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"));
    // Nothing is loaded from anywhere else, and no script at all.
    assert!(!r.body.contains("<script"));
    assert!(!r.body.contains("src=\"http") && !r.body.contains("href=\"http"));
    assert!(r.body.contains("Workers&#39;") || r.body.contains("Workers'"));
}

#[tokio::test]
async fn the_unit_page_lists_its_people_and_explains_each_standing() {
    let app = App::demo().await;
    let cookie = app.sign_in("secretary", "demo-secretary-iskra").await;
    let unit = app.unit_id("clyde-govan-yard").await;
    let r = app.get(&format!("/units/{unit}"), &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    let people = app.store.people_of_unit(unit).await.unwrap();
    assert!(!people.is_empty());
    for p in &people {
        let shown = maud::html! { (p.pseudonym) }.into_string();
        assert!(
            r.body.contains(&shown),
            "{} missing from the unit page",
            p.pseudonym
        );
    }
    assert!(r.body.contains("<svg"), "the membership chart is drawn");
    assert!(r.body.contains("Member with a vote"));

    // The person page says why, in words.
    let p = &people[0];
    let page = app.get(&format!("/people/{}", p.id), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let (standing, _) = app.store.standing(p.id, Day::today()).await.unwrap();
    let summary = maud::html! { (web::words::standing::summary(&standing)) }.into_string();
    assert!(page.body.contains(&summary));
    // The secretary was shown the person's identity: the audit log says who and whose.
    let admin = app.store.account_by_login("secretary").await.unwrap();
    let e = app.store.audit_entries(1).await.unwrap().pop().unwrap();
    assert_eq!(
        (
            e.action.as_str(),
            e.object_kind.as_deref(),
            e.object_id,
            e.actor
        ),
        ("identity.view", Some("person"), Some(p.id), admin)
    );
    assert!(app.store.verify_audit(None).await.unwrap().broken.is_none());
}

#[tokio::test]
async fn forms_without_the_token_or_from_another_site_change_nothing() {
    let app = App::demo().await;
    let cookie = app.sign_in("secretary", "demo-secretary-iskra").await;
    let unit = app.unit_id("clyde-govan-yard").await;
    let before = app.store.meetings_of_unit(unit, 1000).await.unwrap().len();
    let path = format!("/units/{unit}/meetings");
    let today = Day::today().to_string();

    let r = app
        .post(
            &path,
            &cookie,
            &[("held_on", &today), ("title", "No token")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let csrf = app.csrf(&cookie).await;
    let req = Request::post(&path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(format!(
            "csrf={csrf}&held_on={today}&title=Cross"
        )))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.meetings_of_unit(unit, 1000).await.unwrap().len(),
        before
    );

    // With the token, from the site's own page, it is recorded.
    let people = app.store.people_of_unit(unit).await.unwrap();
    let a = people[0].id.to_string();
    let r = app
        .post(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("held_on", &today),
                ("title", "Branch meeting"),
                ("attendee", &a),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let m = app.store.meetings_of_unit(unit, 1).await.unwrap();
    assert_eq!(m[0].title, "Branch meeting");
    assert_eq!(m[0].attended, 1);
}

#[tokio::test]
async fn a_bad_payment_is_refused_by_name_and_nothing_is_written() {
    let app = App::demo().await;
    let cookie = app.sign_in("secretary", "demo-secretary-iskra").await;
    let csrf = app.csrf(&cookie).await;
    let unit = app.unit_id("clyde-govan-yard").await;
    let person = app.store.people_of_unit(unit).await.unwrap()[0].id;
    let before = app.store.payments_of(person).await.unwrap().len();
    let path = format!("/units/{unit}/payments");
    let pid = person.to_string();
    let today = Day::today();
    let month = today.month().to_string();
    let future = today.add_days(40).to_string();
    for (amount, paid_on, says) in [
        ("-5.00", today.to_string(), "must be more than 0.00"),
        (
            "92233720368547758.07",
            today.to_string(),
            "at most 1,000,000.00",
        ),
        ("12.345", today.to_string(), "at most 2 decimals"),
        ("5.00", future, "in the future"),
    ] {
        let r = app
            .post(
                &path,
                &cookie,
                &[
                    ("csrf", &csrf),
                    ("person", &pid),
                    ("period", &month),
                    ("paid_on", &paid_on),
                    ("amount", amount),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(says), "{amount}: {}", r.body);
    }
    assert_eq!(app.store.payments_of(person).await.unwrap().len(), before);

    let r = app
        .post(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("person", &pid),
                ("period", &month),
                ("paid_on", &today.to_string()),
                ("amount", "7.50"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.store.payments_of(person).await.unwrap()[0].amount_cents,
        750
    );
}

#[tokio::test]
async fn an_application_is_recorded_and_the_unit_admits_the_applicant() {
    let app = App::demo().await;
    let cookie = app.sign_in("secretary", "demo-secretary-iskra").await;
    let csrf = app.csrf(&cookie).await;
    let unit = app.unit_id("clyde-govan-yard").await;
    let r = app
        .post(
            &format!("/units/{unit}/applications"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("pseudonym", "Newcomer Kite"),
                ("email", "kite@example.org"),
                ("statement", "I work at the yard"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let app_row = app
        .store
        .applications_of_unit(unit)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.pseudonym == "Newcomer Kite")
        .unwrap();
    let r = app
        .post(
            &format!("/applications/{}/decide", app_row.id),
            &cookie,
            &[("csrf", &csrf), ("decision", "admit")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = app.store.person(app_row.person_id).await.unwrap().unwrap();
    assert_eq!(p.status, core_rules::people::Status::Member);
    assert_eq!(p.admitted_on, Some(Day::today()));
    // Deciding again is refused.
    let r = app
        .post(
            &format!("/applications/{}/decide", app_row.id),
            &cookie,
            &[("csrf", &csrf), ("decision", "refuse")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("already decided"));
}

#[tokio::test]
async fn a_member_sees_their_own_unit_and_standing_and_nothing_else() {
    let app = App::demo().await;
    let cookie = app.sign_in("member", "demo-member-iskra").await;
    let own = app.unit_id("clyde-govan-yard").await;
    assert_eq!(
        app.get(&format!("/units/{own}"), &cookie).await.status,
        StatusCode::OK
    );
    let other = app.unit_id("cc").await;
    // Another unit is "not found", exactly as if it did not exist.
    let r = app.get(&format!("/units/{other}"), &cookie).await;
    let missing = app.get("/units/999999", &cookie).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body, missing.body);
    assert_eq!(
        app.get("/units", &cookie).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/import", &cookie).await.status,
        StatusCode::NOT_FOUND
    );
    // No forms to change anything, and no identities, on the unit page.
    let page = app.get(&format!("/units/{own}"), &cookie).await.body;
    assert!(!page.contains("Record a payment"));
    let someone = app.store.people_of_unit(own).await.unwrap()[0].id;
    let identity = app.store.identity(someone).await.unwrap();
    assert!(!page.contains(&identity.email));
    // The units above are named in the crumbs, but every link on the page opens: none leads to
    // a "not found".
    assert!(page.contains("Central Committee"));
    for link in page.split("href=\"/units/").skip(1) {
        let path = format!("/units/{}", &link[..link.find('"').unwrap()]);
        assert_eq!(
            app.get(&path, &cookie).await.status,
            StatusCode::OK,
            "the member's unit page links to {path}"
        );
    }
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    let app = App::demo().await;
    let cookie = app.sign_in("admin", "demo-admin-iskra").await;
    let csrf = app.csrf(&cookie).await;
    let r = app.post("/logout", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Replaying the old cookie gets nothing.
    let r = app.get("/units", &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login");
}

#[tokio::test]
async fn an_upload_with_bad_rows_imports_nothing_and_names_each_row() {
    let app = App::demo().await;
    let cookie = app.sign_in("admin", "demo-admin-iskra").await;
    let csrf = app.csrf(&cookie).await;
    let csv = "pseudonym,unit,status,admitted_on\nGood Row,clyde-govan-yard,supporter,\nBad Unit,nowhere,member,2020-01-01\n,clyde-govan-yard,member,2999-01-01\n";
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let count = |s: &Store| {
        let s = s.clone();
        async move {
            store::sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM persons")
                .fetch_one(s.pool())
                .await
                .unwrap()
        }
    };
    let before = count(&app.store).await;
    let req = Request::post("/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Nothing was imported"));
    assert!(r.body.contains("no unit has the code"));
    assert!(r.body.contains("in the future"));
    assert!(r.body.contains("every person needs a pseudonym"));
    assert_eq!(count(&app.store).await, before, "nothing may be written");
}

/// The path of the invitation link on the page that shows it once.
fn invitation_link(page: &str) -> String {
    let at = page.find("href=\"/invite/").expect("an invitation link") + 6;
    let end = at + page[at..].find('"').unwrap();
    page[at..end].to_string()
}

#[tokio::test]
async fn an_officer_invites_a_member_whose_link_opens_an_account_once() {
    let app = App::demo().await;
    let cookie = app.sign_in("secretary", "demo-secretary-iskra").await;
    let csrf = app.csrf(&cookie).await;
    let unit = app.unit_id("clyde-govan-yard").await;
    let mut member = None;
    for p in app.store.people_of_unit(unit).await.unwrap() {
        if p.status == core_rules::people::Status::Member
            && app.store.account_of_person(p.id).await.unwrap().is_none()
        {
            member = Some(p);
            break;
        }
    }
    let member = member.expect("a member without an account");
    let page = format!("/people/{}", member.id);
    let r = app.get(&page, &cookie).await;
    assert!(r.body.contains("Invite to an account"), "{}", r.body);

    let path = format!("/people/{}/invitation", member.id);
    let r = app.post(&path, &cookie, &[]).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no invitation"
    );
    let r = app.post(&path, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    let link = invitation_link(&r.body);
    assert_eq!(link.len(), "/invite/".len() + 64);

    // An ordinary member may not invite anyone, not even themself: "not found".
    let other = app.sign_in("member", "demo-member-iskra").await;
    let other_csrf = app.csrf(&other).await;
    let r = app.post(&path, &other, &[("csrf", &other_csrf)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = app.get(&link, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let shown = maud::html! { (member.pseudonym) }.into_string();
    assert!(r.body.contains(&shown));
    assert!(!r.body.contains("<script"));

    let form = |login: &'static str, a: &'static str, b: &'static str| {
        vec![("login", login), ("password", a), ("password_again", b)]
    };
    let r = app
        .post(
            &link,
            None,
            &form("kite", "a long password", "a long passwore"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("differ"));
    let r = app
        .post(
            &link,
            None,
            &form("kite@example.org", "a long password", "a long password"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("not an email address"));

    let r = app
        .post(
            &link,
            None,
            &form("kite", "a long password", "a long password"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers[header::LOCATION], "/login");
    let kite = app.sign_in("kite", "a long password").await;
    assert_eq!(app.get(&page, &kite).await.status, StatusCode::OK);

    // The link works once: afterwards it is "not found", like a link that never was.
    let never = app.get(&format!("/invite/{}", "ab".repeat(32)), None).await;
    assert_eq!(never.status, StatusCode::NOT_FOUND);
    let again = app.get(&link, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.body, never.body);
    let r = app
        .post(
            &link,
            None,
            &form("kite2", "a long password", "a long password"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body, never.body);
    assert!(app.store.account_by_login("kite2").await.unwrap().is_none());

    // The officer now sees that the member has an account, and no form to invite them.
    let r = app.get(&page, &cookie).await;
    assert!(r.body.contains("has an account"));
    assert!(!r.body.contains("Invite to an account"));
}

#[tokio::test]
async fn a_form_from_our_own_page_is_accepted_under_no_referrer() {
    // With `Referrer-Policy: no-referrer` Chromium sends `Origin: null` for a form posted from
    // our own page, and says `Sec-Fetch-Site: same-origin`. That is accepted; a null origin
    // that no fetch metadata vouches for, or that comes from another site, is refused.
    let app = App::demo().await;
    let post = |origin: &'static str, site: Option<&'static str>| {
        let mut b = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, origin);
        if let Some(s) = site {
            b = b.header("sec-fetch-site", s);
        }
        b.body(Body::from("login=admin&password=demo-admin-iskra"))
            .unwrap()
    };
    let ok = app.send(post("null", Some("same-origin"))).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    for (origin, site) in [
        ("null", None),
        ("null", Some("cross-site")),
        ("null", Some("same-site")),
        ("http://127.0.0.1:8080", Some("cross-site")),
    ] {
        let r = app.send(post(origin, site)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{origin} {site:?}");
    }
}

#[tokio::test]
async fn a_regional_secretary_searches_the_branch_the_statutes_open_and_never_a_closed_circle() {
    let app = App::demo().await;
    let region = app.unit_id("mersey").await;
    let open = app.unit_id("mersey-toxteth").await;
    let closed_circle = app
        .store
        .children(app.unit_id("mersey-bootle").await)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.closed)
        .expect("the demo's closed circle");
    app.store
        .grant_role(
            "secretary",
            region,
            core_rules::roles::Role::Secretary,
            None,
        )
        .await
        .unwrap();
    let cookie = app.sign_in("secretary", "demo-secretary-iskra").await;
    let below = app.store.people_of_unit(open).await.unwrap();
    let below = below
        .iter()
        .find(|p| p.status == core_rules::people::Status::Member)
        .expect("a member in a local committee's own roll")
        .clone();
    let hidden = app.store.people_of_unit(closed_circle.id).await.unwrap();
    assert!(!hidden.is_empty(), "the closed circle has people");
    let search = |q: String| {
        let path = format!(
            "/units/{region}/search?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("q", &q)
                .finish()
        );
        let cookie = cookie.clone();
        let app = &app;
        async move { app.get(&path, &cookie).await }
    };

    // Under the demo's statutes the regional secretary sees the region's own people only.
    let r = search(below.pseudonym.clone()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains(&format!("/people/{}\"", below.id)));

    // Statutes that let the secretary reach down: the branch opens, the closed circle does not.
    let today = Day::today();
    let mut rules = app.store.statutes_on(today).await.unwrap().rules;
    rules.access.reach_down = vec![core_rules::roles::Role::Secretary];
    app.store
        .adopt_statutes(&rules, today, today, "test", None)
        .await
        .unwrap();
    let r = search(below.pseudonym.clone()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains(&format!("/people/{}\"", below.id)),
        "a person below is found"
    );
    for p in &hidden {
        let r = search(p.pseudonym.clone()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !r.body.contains(&format!("/people/{}\"", p.id)),
            "{} of the closed circle was found",
            p.pseudonym
        );
        assert!(!r.body.contains(&closed_circle.name));
    }
    // The closed circle's own search page does not exist for the regional secretary.
    let r = app
        .get(&format!("/units/{}/search?q=a", closed_circle.id), &cookie)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
