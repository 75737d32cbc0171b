//! A congress's live stream lasts only as long as its viewer's access (issue 17, finding 11).
//! An open `/congresses/N/live` ends when the office it depended on is ended, the account is
//! suspended, or the session ends (sign-out, ended from the account page, gone idle), and it
//! sends nothing more before it ends. A stream whose viewer keeps their access goes on.
//!
//! On the demo organisation, on SQLite; `two_servers.rs` has the same across two servers of one
//! PostgreSQL database. The waits are bounded and generous (a loaded machine must not make these
//! fail), and shorter than the streams' periodic check, so that what ends a stream here is the
//! signal sent when access narrows, or the check before an event.

use std::ops::Deref;
use std::time::Duration;

use axum::body::Body;

use crate::common::{ends, receives, App, User};

/// How long a stream may take to end, or an event to arrive: far more than either needs.
const WAIT: Duration = Duration::from_secs(20);

/// The demo organisation and its congress, whose live stream the tests watch.
struct Hall {
    app: App,
    congress: i64,
}

impl Deref for Hall {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

async fn app() -> Hall {
    let app = App::demo().await;
    let congress = app.store.congresses().await.unwrap()[0].id;
    Hall { app, congress }
}

impl Hall {
    /// Opens the congress's live stream as `u`.
    async fn live(&self, u: &User) -> Body {
        let path = format!("/congresses/{}/live", self.congress);
        self.stream(&path, u).await
    }

    /// The presidium opens a vote: an event for every stream of the congress.
    async fn open_vote(&self, presidium: &User) {
        self.ok(
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_when_its_viewers_office_is_ended() {
    let app = app().await;
    let central = app.login_demo("central").await;
    let member = app.login_demo("member").await;
    let mut theirs = app.live(&central).await;
    let mut others = app.live(&member).await;

    let admin = app.login_demo("admin").await;
    let grant = app
        .store
        .roles_of(app.account("central").await)
        .await
        .unwrap()[0]
        .id;
    app.ok(&format!("/admin/roles/{grant}/end"), &admin, &[])
        .await;
    assert!(
        app.signed_out(&central).await,
        "pages answer with the login"
    );
    let sent = ends(&mut theirs, "the office ended", WAIT).await;
    assert!(!sent.contains("event:"), "nothing more was sent: {sent:?}");

    // The delegate's stream goes on, and hears the next change.
    let presidium = app.login_demo("presidium").await;
    app.open_vote(&presidium).await;
    receives(&mut others, "vote", WAIT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_when_its_session_signs_out() {
    let app = app().await;
    let central = app.login_demo("central").await;
    let mut stream = app.live(&central).await;
    app.ok("/logout", &central, &[]).await;
    let sent = ends(&mut stream, "signed out", WAIT).await;
    assert!(!sent.contains("event:"), "nothing more was sent: {sent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_when_its_session_is_ended_from_the_account_page() {
    let app = app().await;
    let hall = app.login_demo("member").await;
    let phone = app.login_demo("member").await;
    let mut stream = app.live(&hall).await;
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
    app.ok("/account/sessions/end", &phone, &[("session", &handle)])
        .await;
    ends(&mut stream, "the session ended from another", WAIT).await;
    assert!(!app.signed_out(&phone).await, "the other session stands");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_when_its_account_is_suspended() {
    let app = app().await;
    let member = app.login_demo("member").await;
    let mut stream = app.live(&member).await;
    let admin = app.login_demo("admin").await;
    let account = app.account("member").await;
    app.ok(
        &format!("/admin/accounts/{account}/suspend"),
        &admin,
        &[("suspended", "1")],
    )
    .await;
    ends(&mut stream, "the account suspended", WAIT).await;
}

/// No signal comes when a session runs out of time: the check before the next event finds it
/// gone, and the event is not sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_whose_session_went_idle_ends_without_the_next_event() {
    let app = app().await;
    let member = app.login_demo("member").await;
    let presidium = app.login_demo("presidium").await;
    let mut stream = app.live(&member).await;
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
    let sent = ends(&mut stream, "the session idle", WAIT).await;
    assert!(
        !sent.contains("event: vote"),
        "the vote went to a session that had ended: {sent:?}"
    );
    assert!(app.signed_out(&member).await);
}
