//! A congress's live stream lasts only as long as its viewer's access (issue 17, finding 11).
//! An open `/congresses/N/live` ends when the office it depended on is ended, the account is
//! suspended, or the session ends (sign-out, ended from the account page, gone idle), and it
//! sends nothing more before it ends. A stream whose viewer keeps their access goes on.
//!
//! On the demo organisation, on SQLite; `two_servers.rs` has the same across two servers of one
//! PostgreSQL database. The waits are bounded and generous (a loaded machine must not make these
//! fail), and shorter than the streams' periodic check, so that what ends a stream here is the
//! signal sent when access narrows, or the check before an event.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use core_rules::Day;
use http_body_util::BodyExt;
use std::time::Duration;
use store::{Create, DatabaseUrl, Store};
use tower::ServiceExt;

/// How long a stream may take to end, or an event to arrive: far more than either needs.
const WAIT: Duration = Duration::from_secs(20);

struct App {
    router: Router,
    store: Store,
    congress: i64,
    _dir: tempfile::TempDir,
}

struct User {
    cookie: String,
    csrf: String,
}

async fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&DatabaseUrl::sqlite_in(dir.path()), Create::IfMissing)
        .await
        .unwrap()
        .unlock(&store::vault::KeySource::Key(
            store::vault::MasterKey::generate(),
        ))
        .await
        .unwrap();
    let today = Day::today();
    assert!(store
        .seed_demo(&core_rules::demo::demo(7, today), today)
        .await
        .unwrap());
    let congress = store.congresses().await.unwrap()[0].id;
    let state = web::AppState::new(store.clone(), false).await.unwrap();
    App {
        router: web::router(state),
        store,
        congress,
        _dir: dir,
    }
}

impl App {
    async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&body).into_owned();
        (status, if location.is_empty() { body } else { location })
    }

    async fn get(&self, path: &str, u: &User) -> (StatusCode, String) {
        self.send(
            Request::get(path)
                .header(header::COOKIE, &u.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Posts a form that must succeed (a redirect).
    async fn post(&self, path: &str, u: &User, form: &[(&str, &str)]) {
        let mut pairs: Vec<(&str, &str)> = form.to_vec();
        pairs.push(("csrf", &u.csrf));
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let (status, body) = self
            .send(
                Request::post(path)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::HOST, "127.0.0.1:8080")
                    .header(header::ORIGIN, "http://127.0.0.1:8080")
                    .header("sec-fetch-site", "same-origin")
                    .header(header::COOKIE, &u.cookie)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "POST {path} {form:?} was refused: {body}"
        );
    }

    async fn login(&self, login: &str) -> User {
        let body = format!("login={login}&password=demo-{login}-iskra");
        let res = self
            .router
            .clone()
            .oneshot(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::HOST, "127.0.0.1:8080")
                    .header(header::ORIGIN, "http://127.0.0.1:8080")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{login} signs in");
        let cookie = res.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let mut u = User {
            cookie,
            csrf: String::new(),
        };
        let (_, page) = self.get("/statutes", &u).await;
        let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        u.csrf = page[at..at + 64].to_string();
        u
    }

    /// Opens the congress's live stream as `u`.
    async fn stream(&self, u: &User) -> Body {
        let path = format!("/congresses/{}/live", self.congress);
        let res = self
            .router
            .clone()
            .oneshot(
                Request::get(&path)
                    .header(header::COOKIE, &u.cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
        res.into_body()
    }

    /// The presidium opens a vote: an event for every stream of the congress.
    async fn open_vote(&self, presidium: &User) {
        self.post(
            &format!("/congresses/{}/presidium", self.congress),
            presidium,
            &[
                ("do", "open_vote"),
                ("subject", "question"),
                ("title", "Shall the paper be weekly"),
                ("secret", "0"),
                ("majority", "simple"),
                ("quorum", "1"),
            ],
        )
        .await;
    }

    async fn account(&self, login: &str) -> i64 {
        self.store.account_by_login(login).await.unwrap().unwrap()
    }

    async fn signed_out(&self, u: &User) -> bool {
        self.get("/account", u).await == (StatusCode::SEE_OTHER, "/login".to_string())
    }
}

/// Reads a stream until it ends, and returns what it sent meanwhile (keep-alives, events).
/// Fails if it has not ended within [`WAIT`].
async fn ends(body: &mut Body, what: &str) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut seen = String::new();
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => panic!("{what}: the stream is still open {WAIT:?} later; it sent {seen:?}"),
            Ok(None) => return seen,
            Ok(Some(Err(e))) => panic!("{what}: the stream failed instead of ending: {e}"),
            Ok(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    seen.push_str(&String::from_utf8_lossy(data));
                }
            }
        }
    }
}

/// Reads a stream until an event named `event` arrives. Fails if the stream ends first, or
/// nothing comes within [`WAIT`].
async fn receives(body: &mut Body, event: &str) {
    let wanted = format!("event: {event}");
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut seen = String::new();
    loop {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .unwrap_or_else(|_| panic!("no {event:?} event within {WAIT:?}; saw {seen:?}"))
            .unwrap_or_else(|| panic!("the stream ended before {event:?}; saw {seen:?}"))
            .unwrap();
        if let Some(data) = frame.data_ref() {
            seen.push_str(&String::from_utf8_lossy(data));
            if seen.contains(&wanted) {
                return;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_when_its_viewers_office_is_ended() {
    let app = app().await;
    let central = app.login("central").await;
    let member = app.login("member").await;
    let mut theirs = app.stream(&central).await;
    let mut others = app.stream(&member).await;

    let admin = app.login("admin").await;
    let grant = app
        .store
        .roles_of(app.account("central").await)
        .await
        .unwrap()[0]
        .id;
    app.post(&format!("/admin/roles/{grant}/end"), &admin, &[])
        .await;
    assert!(
        app.signed_out(&central).await,
        "pages answer with the login"
    );
    let sent = ends(&mut theirs, "the office ended").await;
    assert!(!sent.contains("event:"), "nothing more was sent: {sent:?}");

    // The delegate's stream goes on, and hears the next change.
    let presidium = app.login("presidium").await;
    app.open_vote(&presidium).await;
    receives(&mut others, "vote").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_when_its_session_signs_out() {
    let app = app().await;
    let central = app.login("central").await;
    let mut stream = app.stream(&central).await;
    app.post("/logout", &central, &[]).await;
    let sent = ends(&mut stream, "signed out").await;
    assert!(!sent.contains("event:"), "nothing more was sent: {sent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_when_its_session_is_ended_from_the_account_page() {
    let app = app().await;
    let hall = app.login("member").await;
    let phone = app.login("member").await;
    let mut stream = app.stream(&hall).await;
    let token = hall.cookie.split('=').nth(1).unwrap();
    let handle = app
        .store
        .sessions_of(app.account("member").await, token)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.current)
        .unwrap()
        .handle;
    app.post("/account/sessions/end", &phone, &[("session", &handle)])
        .await;
    ends(&mut stream, "the session ended from another").await;
    assert!(!app.signed_out(&phone).await, "the other session stands");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_when_its_account_is_suspended() {
    let app = app().await;
    let member = app.login("member").await;
    let mut stream = app.stream(&member).await;
    let admin = app.login("admin").await;
    let account = app.account("member").await;
    app.post(
        &format!("/admin/accounts/{account}/suspend"),
        &admin,
        &[("suspended", "1")],
    )
    .await;
    ends(&mut stream, "the account suspended").await;
}

/// No signal comes when a session runs out of time: the check before the next event finds it
/// gone, and the event is not sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_whose_session_went_idle_ends_without_the_next_event() {
    let app = app().await;
    let member = app.login("member").await;
    let presidium = app.login("presidium").await;
    let mut stream = app.stream(&member).await;
    // The member's session was last used 31 minutes ago (the idle limit is 30).
    let idle = store::accounts::SESSION_IDLE_SECS + 60;
    let n =
        store::sqlx::query("UPDATE sessions SET last_seen = last_seen - $1 WHERE account_id = $2")
            .bind(idle)
            .bind(app.account("member").await)
            .execute(app.store.pool())
            .await
            .unwrap()
            .rows_affected();
    assert_eq!(n, 1);
    app.open_vote(&presidium).await;
    let sent = ends(&mut stream, "the session idle").await;
    assert!(
        !sent.contains("event: vote"),
        "the vote went to a session that had ended: {sent:?}"
    );
    assert!(app.signed_out(&member).await);
}
