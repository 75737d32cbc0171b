//! The harness of the web suite: a store on a fresh SQLite file, the real router over it, and
//! requests as a browser makes them (forms posted with their CSRF token from our own origin,
//! cookies sent back). Every module of the suite starts its server and signs in through here, so
//! that a change to how the server is started or a session is had is made once.

#![allow(dead_code)] // Each module uses its own part of the harness.

pub mod browser;
pub mod congress;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use core_rules::people::{Identity, Status};
use core_rules::roles::Role;
use core_rules::Day;
use http_body_util::BodyExt;
use store::people::NewPerson;
use store::{Create, DatabaseUrl, Store};
use tempfile::TempDir;
use tower::ServiceExt;

/// The host the requests are addressed to, and the origin our own pages post from.
pub const HOST: &str = "127.0.0.1:8080";
pub const ORIGIN: &str = "http://127.0.0.1:8080";

/// Whether the suite runs under CI (`CI` set and not `false`/`0`): there, a test that cannot
/// run (no browser, no PostgreSQL) fails instead of passing by default.
pub fn under_ci() -> bool {
    std::env::var("CI")
        .map(|v| !v.is_empty() && v != "false" && v != "0")
        .unwrap_or(false)
}

/// A new, empty store on a SQLite file in a fresh directory, unlocked with a new key. The
/// directory goes with the store: keep it as long as the store is used.
pub async fn empty_store() -> (Store, TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(&DatabaseUrl::sqlite_in(dir.path()), Create::IfMissing)
        .await
        .expect("the store opens")
        .unlock(&store::vault::KeySource::Key(
            store::vault::MasterKey::generate(),
        ))
        .await
        .expect("the store unlocks");
    (store, dir)
}

/// A new store seeded with the demo organisation (see `fixtures::demo`), as of today.
pub async fn demo_store() -> (Store, TempDir) {
    let (store, dir) = empty_store().await;
    let today = Day::today();
    assert!(fixtures::Seeder(&store)
        .seed_demo(&fixtures::demo::demo(7, today), today)
        .await
        .unwrap());
    (store, dir)
}

/// The password of a demo login (the demo gives every login one of this shape).
pub fn demo_password(login: &str) -> String {
    format!("demo-{login}-iskra")
}

/// The password of the accounts made by [`App::member`] and [`App::officer`].
pub const OFFICER_PASSWORD: &str = "officer password";

/// The cookie of a session token, as the server names it when not behind HTTPS.
pub fn session_cookie(token: &str) -> String {
    format!("iskra-demo={token}")
}

/// The real router on a store, with what must outlive it.
pub struct App {
    pub router: Router,
    pub store: Store,
    /// The SQLite file's directory, when the store is on one made for the test.
    _dir: Option<TempDir>,
}

/// An answer, read whole (a live stream's opening only: it never ends).
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// Where a redirect leads.
    pub location: Option<String>,
    pub bytes: Vec<u8>,
    /// The bytes as text (lossily: for PDFs, read `bytes`).
    pub body: String,
}

/// A signed-in session: the cookie to send back and the CSRF token its forms carry.
pub struct User {
    pub cookie: String,
    pub csrf: String,
}

/// Who sends a request: nobody (`None`), a session by its bare cookie (`&str`, `&String`; forms
/// are posted as given), or a signed-in [`User`] (whose forms get its CSRF token added).
pub trait Caller {
    fn cookie(&self) -> Option<&str>;
    fn csrf(&self) -> Option<&str> {
        None
    }
}

impl Caller for &str {
    fn cookie(&self) -> Option<&str> {
        Some(self)
    }
}

impl Caller for &String {
    fn cookie(&self) -> Option<&str> {
        Some(self)
    }
}

impl Caller for Option<&str> {
    fn cookie(&self) -> Option<&str> {
        *self
    }
}

impl Caller for &User {
    fn cookie(&self) -> Option<&str> {
        Some(&self.cookie)
    }
    fn csrf(&self) -> Option<&str> {
        Some(&self.csrf)
    }
}

impl App {
    /// The demo organisation behind the router, over plain HTTP.
    pub async fn demo() -> App {
        App::demo_with(false).await
    }

    /// The demo organisation; `secure` as the server's flag for running behind HTTPS.
    pub async fn demo_with(secure: bool) -> App {
        let (store, dir) = demo_store().await;
        App::serving(store, Some(dir), secure).await
    }

    /// The router over a store the test has prepared, over plain HTTP.
    pub async fn on(store: Store, dir: Option<TempDir>) -> App {
        App::serving(store, dir, false).await
    }

    /// The router over a store; `secure` as the server's flag for running behind HTTPS (the
    /// `__Host-` cookie).
    pub async fn serving(store: Store, dir: Option<TempDir>, secure: bool) -> App {
        let state = web::AppState::new(store.clone(), secure).await.unwrap();
        App {
            router: web::router(state),
            store,
            _dir: dir,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Res {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        // A live stream never ends: its opening is the answer.
        let stream = headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let bytes = if stream {
            Vec::new()
        } else {
            res.into_body().collect().await.unwrap().to_bytes().to_vec()
        };
        Res {
            status,
            headers,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub async fn get(&self, path: &str, who: impl Caller) -> Res {
        let mut b = Request::get(path);
        if let Some(c) = who.cookie() {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// Posts a form from one of our own pages (a [`User`]'s CSRF token added to it).
    pub async fn post(&self, path: &str, who: impl Caller, form: &[(&str, &str)]) -> Res {
        let mut pairs: Vec<(&str, &str)> = form.to_vec();
        if let Some(csrf) = who.csrf() {
            pairs.push(("csrf", csrf));
        }
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let mut b = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, HOST)
            .header(header::ORIGIN, ORIGIN)
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = who.cookie() {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// A page that must be shown (200): its text.
    pub async fn page(&self, path: &str, who: impl Caller) -> String {
        let r = self.get(path, who).await;
        assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.body);
        r.body
    }

    /// Posts a form that must succeed (a redirect), and returns where it leads.
    pub async fn ok(&self, path: &str, who: impl Caller, form: &[(&str, &str)]) -> String {
        let r = self.post(path, who, form).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "POST {path} {form:?} was refused: {}",
            r.body
        );
        r.location.unwrap_or_default()
    }

    /// Posts a form that must be refused with a message containing `why`.
    pub async fn refused(&self, path: &str, who: impl Caller, form: &[(&str, &str)], why: &str) {
        let r = self.post(path, who, form).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "POST {path} {form:?} should be refused: {}",
            r.body
        );
        assert!(
            r.body.contains(why),
            "the refusal should say {why:?}: {}",
            r.body
        );
    }

    /// Signs in through the login form and returns the cookie to send back.
    pub async fn sign_in(&self, login: &str, password: &str) -> String {
        let r = self
            .post("/login", None, &[("login", login), ("password", password)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{login} could not sign in");
        let set = r.headers[header::SET_COOKIE].to_str().unwrap();
        set.split(';').next().unwrap().to_string()
    }

    /// Signs in a demo login (with its demo password): the cookie.
    pub async fn sign_in_demo(&self, login: &str) -> String {
        self.sign_in(login, &demo_password(login)).await
    }

    /// The CSRF token the signed-in pages carry.
    pub async fn csrf(&self, who: impl Caller) -> String {
        let page = self.get("/statutes", who).await.body;
        let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        page[at..at + 64].to_string()
    }

    /// Signs in through the login form, and reads the session's CSRF token off a page.
    pub async fn login(&self, login: &str, password: &str) -> User {
        let cookie = self.sign_in(login, password).await;
        let csrf = self.csrf(&cookie).await;
        User { cookie, csrf }
    }

    /// [`App::login`] with a demo login's password.
    pub async fn login_demo(&self, login: &str) -> User {
        self.login(login, &demo_password(login)).await
    }

    /// A session started in the store, without the login form (nor its throttle): for tests
    /// about what a session may do, not how it is had.
    pub async fn session(&self, account: i64) -> User {
        let token = self.store.start_session(account).await.unwrap();
        let csrf = self
            .store
            .session(&token)
            .await
            .unwrap()
            .map(|s| s.csrf)
            .unwrap_or_default();
        User {
            cookie: session_cookie(&token),
            csrf,
        }
    }

    /// [`App::session`] of a login's account.
    pub async fn session_for(&self, login: &str) -> User {
        let account = self.account(login).await;
        self.session(account).await
    }

    /// Whether pages answer `who` with the login page (the session is gone).
    pub async fn signed_out(&self, who: impl Caller) -> bool {
        let r = self.get("/account", who).await;
        r.status == StatusCode::SEE_OTHER && r.location.as_deref() == Some("/login")
    }

    /// Opens a live stream (it must open) and returns its body, to read events from.
    pub async fn stream(&self, path: &str, who: impl Caller) -> Body {
        let mut b = Request::get(path);
        if let Some(c) = who.cookie() {
            b = b.header(header::COOKIE, c);
        }
        let res = self
            .router
            .clone()
            .oneshot(b.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
        res.into_body()
    }

    pub async fn account(&self, login: &str) -> i64 {
        self.store.account_by_login(login).await.unwrap().unwrap()
    }

    pub async fn unit_id(&self, code: &str) -> i64 {
        self.store.unit_by_code(code).await.unwrap().unwrap().id
    }

    /// The person a login's account belongs to.
    pub async fn person_of(&self, login: &str) -> i64 {
        let account = self.account(login).await;
        self.store
            .account_summaries()
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.id == account)
            .and_then(|a| a.person_id)
            .unwrap()
    }

    /// The rows in a table (raw SQL: to see that nothing was written).
    pub async fn count(&self, table: &str) -> i64 {
        store::sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }

    /// A new member of `unit` (admitted 400 days ago) with an account `login` (password
    /// [`OFFICER_PASSWORD`]) and no office.
    pub async fn member(&self, unit: i64, login: &str) -> i64 {
        let since = Day::today().add_days(-400);
        let p = self
            .store
            .create_person(
                &NewPerson {
                    card: None,
                    pseudonym: format!("Officer {login}"),
                    unit_id: unit,
                    status: Status::Member,
                    since,
                    admitted_on: Some(since),
                    programme_accepted: true,
                    monthly_income_cents: Some(150_000),
                    reduced_rate: false,
                    identity: Identity::default(),
                },
                None,
            )
            .await
            .unwrap();
        self.store
            .create_account(login, OFFICER_PASSWORD, Some(p), false, None)
            .await
            .unwrap();
        p
    }

    /// A new member of `unit` with an account `login` holding `role` there.
    pub async fn officer(&self, unit: i64, login: &str, role: Role) -> i64 {
        let p = self.member(unit, login).await;
        self.store
            .grant_role(login, unit, role, None)
            .await
            .unwrap();
        p
    }
}

/// Reads a live stream until an event named `event` arrives (keep-alives and other events are
/// skipped). Fails if the stream ends first, or nothing comes `within`.
pub async fn receives(body: &mut Body, event: &str, within: Duration) {
    let wanted = format!("event: {event}");
    let deadline = tokio::time::Instant::now() + within;
    let mut seen = String::new();
    loop {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .unwrap_or_else(|_| panic!("no {event:?} event within {within:?}; saw {seen:?}"))
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

/// Reads a live stream until it ends, and returns what it sent meanwhile (keep-alives,
/// events). Fails if it has not ended `within`; `what` says what should have ended it.
pub async fn ends(body: &mut Body, what: &str, within: Duration) -> String {
    let deadline = tokio::time::Instant::now() + within;
    let mut seen = String::new();
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => {
                panic!("{what}: the stream is still open {within:?} later; it sent {seen:?}")
            }
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
