//! Sessions and logins as an attacker would try them: a planted session id, a replayed cookie,
//! a guessed password, a timing difference, an officer removed mid-session.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use tower::ServiceExt;

use crate::common::App;

#[tokio::test]
async fn a_session_id_planted_before_login_is_worthless_after_it() {
    let app = App::demo().await;
    // The attacker's own live session, planted in the victim's browser.
    let planted = app.sign_in_demo("member").await;
    let r = app
        .post(
            "/login",
            &planted,
            &[("login", "secretary"), ("password", "demo-secretary-iskra")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let fresh = r.headers[header::SET_COOKIE].to_str().unwrap();
    let fresh = fresh.split(';').next().unwrap();
    assert_ne!(fresh, planted, "a new session id at login");
    assert!(
        app.signed_out(&planted).await,
        "the planted id no longer works"
    );
    assert!(!app.signed_out(fresh).await);
}

#[tokio::test]
async fn the_real_cookie_is_host_prefixed_and_secure() {
    let app = App::demo_with(true).await;
    let r = app
        .post(
            "/login",
            None,
            &[("login", "member"), ("password", "demo-member-iskra")],
        )
        .await;
    let c = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(c.starts_with("__Host-iskra="), "{c}");
    let token = c.split(';').next().unwrap().split('=').nth(1).unwrap();
    assert_eq!(token.len(), 64, "256 random bits, in hex");
    for flag in ["Path=/", "HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(c.contains(flag), "{flag} missing from {c}");
    }
    assert!(!c.contains("Domain"), "a __Host- cookie names no domain");
}

#[tokio::test]
async fn suspending_an_account_signs_it_out_at_once() {
    let app = App::demo().await;
    let member = app.sign_in_demo("member").await;
    let admin = app.sign_in_demo("admin").await;
    let csrf = app.csrf(&admin).await;
    let id = app.account("member").await;
    let r = app
        .post(
            &format!("/admin/accounts/{id}/suspend"),
            &admin,
            &[("csrf", &csrf), ("suspended", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app.signed_out(&member).await);
    // Nor can they sign in again, and the refusal is the usual one.
    let r = app
        .post(
            "/login",
            None,
            &[("login", "member"), ("password", "demo-member-iskra")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("do not match"));
}

#[tokio::test]
async fn an_officer_removed_from_office_loses_access_at_once() {
    let app = App::demo().await;
    let secretary = app.sign_in_demo("secretary").await;
    let unit = app
        .store
        .unit_by_code("clyde-govan-yard")
        .await
        .unwrap()
        .unwrap()
        .id;
    let someone = app.store.people_of_unit(unit).await.unwrap()[0].id;
    assert_eq!(
        app.get(&format!("/people/{someone}"), &secretary)
            .await
            .status,
        StatusCode::OK
    );
    let admin = app.sign_in_demo("admin").await;
    let csrf = app.csrf(&admin).await;
    let grant = app
        .store
        .roles_of(app.account("secretary").await)
        .await
        .unwrap()[0]
        .id;
    let r = app
        .post(
            &format!("/admin/roles/{grant}/end"),
            &admin,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app.signed_out(&secretary).await, "the session ended");
    // Signed in again, they are a member like any other.
    let again = app.sign_in_demo("secretary").await;
    assert_eq!(
        app.get(&format!("/people/{someone}"), &again).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    let app = App::demo().await;
    let here = app.sign_in_demo("member").await;
    let elsewhere = app.sign_in_demo("member").await;
    let csrf = app.csrf(&here).await;
    let r = app
        .post(
            "/account/password",
            &here,
            &[
                ("csrf", &csrf),
                ("current", "demo-member-iskra"),
                ("new", "a much longer secret"),
                ("again", "a much longer secret"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!app.signed_out(&here).await);
    assert!(app.signed_out(&elsewhere).await);
    // A wrong current password changes nothing.
    let r = app
        .post(
            "/account/password",
            &here,
            &[
                ("csrf", &csrf),
                ("current", "demo-member-iskra"),
                ("new", "yet another secret"),
                ("again", "yet another secret"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app
        .store
        .check_login("member", "a much longer secret")
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn one_can_see_and_end_ones_own_sessions_only() {
    let app = App::demo().await;
    let here = app.sign_in_demo("member").await;
    let phone = app.sign_in_demo("member").await;
    let page = app.get("/account", &here).await.body;
    assert!(page.contains("this browser"));
    let csrf = app.csrf(&here).await;
    let account = app.account("member").await;
    let token = phone.split('=').nth(1).unwrap();
    let handle = app
        .store
        .sessions_of(account, token)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.current)
        .unwrap()
        .handle;
    assert!(
        !page.contains(token),
        "the page never shows a session token"
    );
    // Someone else cannot end it, even knowing the handle.
    let other = app.sign_in_demo("treasurer").await;
    let other_csrf = app.csrf(&other).await;
    let r = app
        .post(
            "/account/sessions/end",
            &other,
            &[("csrf", &other_csrf), ("session", &handle)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!app.signed_out(&phone).await);
    let r = app
        .post(
            "/account/sessions/end",
            &here,
            &[("csrf", &csrf), ("session", &handle)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(app.signed_out(&phone).await);
    assert!(!app.signed_out(&here).await);
}

#[tokio::test]
async fn repeated_failures_are_slowed_down_the_same_way_for_every_name() {
    let app = App::demo().await;
    for login in ["member", "nobody-at-all"] {
        let mut statuses = Vec::new();
        for _ in 0..web::throttle::FREE_FAILURES + 1 {
            let r = app
                .post("/login", None, &[("login", login), ("password", "guess")])
                .await;
            statuses.push(r.status);
        }
        let last = app
            .post("/login", None, &[("login", login), ("password", "guess")])
            .await;
        assert_eq!(
            last.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{login}: {statuses:?}"
        );
        assert!(last.headers.contains_key(header::RETRY_AFTER));
        assert!(last.body.contains("Too many failed attempts"));
        if login == "member" {
            // Even the right password waits its turn; nothing is checked while the wait runs.
            // Asked at once: the first wait is a second, and the other name's hashing below
            // can outlast it on a loaded machine.
            let r = app
                .post(
                    "/login",
                    None,
                    &[("login", "member"), ("password", "demo-member-iskra")],
                )
                .await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        }
    }
    // Another account is not affected.
    app.sign_in_demo("treasurer").await;
}

/// A wrong password for `login`, as sent from `client` (the address the server sees).
fn guess(login: &str, client: Option<std::net::SocketAddr>) -> Request<Body> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("login", login), ("password", "a wrong guess")])
        .finish();
    let mut req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    if let Some(addr) = client {
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
    }
    req
}

/// Sends every request at the same moment, each in a task of its own, and returns the answers'
/// statuses: 401 is a password that was checked and did not match, 429 one never looked at.
async fn all_at_once(app: &App, requests: Vec<Request<Body>>) -> (usize, usize) {
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
    let mut tasks = tokio::task::JoinSet::new();
    for req in requests {
        let router = app.router.clone();
        let start = start.clone();
        tasks.spawn(async move {
            start.wait().await;
            router.oneshot(req).await.unwrap().status()
        });
    }
    let (mut checked, mut held) = (0, 0);
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => held += 1,
            other => panic!("a guess answered {other}"),
        }
    }
    (checked, held)
}

/// Issue 17, finding 3: the throttle looked before hashing and wrote the failure down after, so
/// a burst sent at once all passed the look (94 of 100 checked). An attempt is now reserved in
/// the same step as the look: a burst gets no more passwords checked than the free failures,
/// per login name and per client.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_guesses_sent_at_once_gets_no_more_checked_than_the_free_failures() {
    const BURST: usize = 30;
    let free = web::throttle::FREE_FAILURES as usize;
    let app = App::demo().await;
    // One login name, from clients the server cannot tell apart.
    let (checked, held) =
        all_at_once(&app, (0..BURST).map(|_| guess("member", None)).collect()).await;
    assert_eq!(checked + held, BURST);
    assert!(
        (1..=free).contains(&checked),
        "{checked} of {BURST} guesses at one login were checked; at most {free} may be"
    );
    // The right password waits its turn too.
    let r = app
        .post(
            "/login",
            None,
            &[("login", "member"), ("password", "demo-member-iskra")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);

    // One client, a different login name each time.
    let client: std::net::SocketAddr = "192.0.2.44:50000".parse().unwrap();
    let (checked, held) = all_at_once(
        &app,
        (0..BURST)
            .map(|i| guess(&format!("someone-{i}"), Some(client)))
            .collect(),
    )
    .await;
    assert_eq!(checked + held, BURST);
    assert!(
        (1..=free).contains(&checked),
        "{checked} of {BURST} guesses from one client were checked; at most {free} may be"
    );
    // Another client, at another login, is not held back.
    let r = app
        .post(
            "/login",
            None,
            &[("login", "treasurer"), ("password", "demo-treasurer-iskra")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sessions_end_when_idle_and_after_their_maximum_age() {
    let app = App::demo().await;
    let idle = app.sign_in_demo("member").await;
    let old = app.sign_in_demo("treasurer").await;
    let long_ago = |secs: i64| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            - secs
    };
    let member = app.account("member").await;
    store::sqlx::query("UPDATE sessions SET last_seen = $1 WHERE account_id = $2")
        .bind(long_ago(store::accounts::SESSION_IDLE_SECS + 5))
        .bind(member)
        .execute(app.store.pool())
        .await
        .unwrap();
    let treasurer = app.account("treasurer").await;
    store::sqlx::query("UPDATE sessions SET created_at = $1 WHERE account_id = $2")
        .bind(long_ago(store::accounts::SESSION_MAX_SECS + 5))
        .bind(treasurer)
        .execute(app.store.pool())
        .await
        .unwrap();
    assert!(app.signed_out(&idle).await);
    assert!(app.signed_out(&old).await);
}

#[tokio::test]
async fn an_export_asks_for_the_password_again_and_covers_only_the_unit() {
    let app = App::demo().await;
    let secretary = app.sign_in_demo("secretary").await;
    let csrf = app.csrf(&secretary).await;
    let unit = app
        .store
        .unit_by_code("clyde-govan-yard")
        .await
        .unwrap()
        .unwrap();
    let path = format!("/units/{}/export", unit.id);
    let r = app
        .post(&path, &secretary, &[("csrf", &csrf), ("password", "wrong")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &path,
            &secretary,
            &[("csrf", &csrf), ("password", "demo-secretary-iskra")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let mut lines = r.body.lines();
    assert!(lines.next().unwrap().starts_with("card,pseudonym,unit"));
    let people = app.store.people_of_unit(unit.id).await.unwrap();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), people.len());
    assert!(rows.iter().all(|l| l.contains(",clyde-govan-yard,")));
    // Another unit's export is not there at all.
    let other = app.store.unit_by_code("cc").await.unwrap().unwrap();
    let r = app
        .post(
            &format!("/units/{}/export", other.id),
            &secretary,
            &[("csrf", &csrf), ("password", "demo-secretary-iskra")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A client that hangs up mid-request must not leave the server broken. Over real TCP
/// connections, as a load generator does: requests cut off at every moment of their life (some
/// inside a write transaction, since each secretary's page view appends an audit entry), then
/// every request after them must still be served. Against the release server under `wrk`, this
/// used to leave pooled connections failing every write with "non-zero transaction depth" until
/// requests were made to run to completion (`web::run_to_completion`). Said plainly: in a debug
/// build this test did not hit that race even without the fix; it guards the property, and the
/// race itself was reproduced and checked by hand (see bench/accounts-notes.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_hanging_up_mid_request_leave_the_server_working() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = App::demo().await;
    let secretary = app.sign_in_demo("secretary").await;
    let unit = app
        .store
        .unit_by_code("clyde-govan-yard")
        .await
        .unwrap()
        .unwrap()
        .id;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let request =
        format!("GET /units/{unit} HTTP/1.1\r\nHost: {addr}\r\nCookie: {secretary}\r\n\r\n");
    async fn status(addr: std::net::SocketAddr, request: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(request.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 64];
        let n = s.read(&mut buf).await.unwrap();
        String::from_utf8_lossy(&buf[..n])
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    }
    for round in 0..30u64 {
        let mut cut = Vec::new();
        for _ in 0..16 {
            let request = request.clone();
            cut.push(tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                // Pipelined, as a load generator keeps its connections busy.
                s.write_all(request.repeat(20).as_bytes()).await.unwrap();
                // Hang up without reading, a little later each round.
                tokio::time::sleep(std::time::Duration::from_micros(round * 173 % 6000)).await;
                drop(s);
            }));
        }
        for c in cut {
            c.await.unwrap();
        }
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(status(addr, &request).await);
    }
    assert!(
        statuses.iter().all(|s| s.starts_with("HTTP/1.1 200")),
        "after clients hung up: {statuses:?}"
    );
}
