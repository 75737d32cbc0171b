//! Iskra's web interface: server-rendered pages that work without JavaScript.
//!
//! Every route asks `access` before it reads or writes anything; nothing else decides who may
//! see what. Pages are built with maud, styled by one same-origin stylesheet, and load nothing
//! from third parties.

pub mod access;
pub mod chart;
pub mod error;
pub mod exposure;
pub mod form;
pub mod layout;
pub mod pages;
pub mod session;
pub mod throttle;
pub mod words;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use store::Store;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Whether the session cookie is `__Host-` prefixed and Secure. Off only for the plain-http
    /// demo on a loopback address.
    pub secure_cookies: bool,
    pub org_name: Arc<str>,
    /// Backoff after failed logins, in memory only.
    pub throttle: Arc<throttle::Throttle>,
    /// The reports each client may send, in memory only.
    pub report_throttle: Arc<throttle::Reports>,
    /// The public pages of the papers, kept rendered (see `pages::paper::PublicCache`).
    pub paper_cache: Arc<pages::paper::PublicCache>,
}

impl AppState {
    pub async fn new(store: Store, secure_cookies: bool) -> anyhow::Result<AppState> {
        let org_name = store
            .organisation()
            .await?
            .unwrap_or_else(|| "Iskra".to_string());
        Ok(AppState {
            store,
            secure_cookies,
            org_name: org_name.into(),
            throttle: Arc::new(throttle::Throttle::default()),
            report_throttle: Arc::new(throttle::Reports::default()),
            paper_cache: Default::default(),
        })
    }
}

/// Every route, in one table: the authorisation tests walk this list.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/units"),
    ("GET", "/units/{id}"),
    ("GET", "/units/{id}/search"),
    ("POST", "/units/{id}/meetings"),
    ("POST", "/units/{id}/payments"),
    ("POST", "/units/{id}/payments/{payment}/reverse"),
    ("POST", "/units/{id}/applications"),
    ("POST", "/units/{id}/export"),
    ("GET", "/units/{id}/delegates"),
    ("POST", "/units/{id}/delegates"),
    ("POST", "/applications/{id}/decide"),
    ("GET", "/people/{id}"),
    ("POST", "/people/{id}/status"),
    ("POST", "/people/{id}/transfer"),
    ("POST", "/transfers/{id}/decide"),
    ("POST", "/people/{id}/tasks"),
    ("POST", "/people/{id}/invitation"),
    ("GET", "/invite/{token}"),
    ("POST", "/invite/{token}"),
    ("GET", "/statutes"),
    ("GET", "/account"),
    ("POST", "/account/password"),
    ("POST", "/account/sessions/end"),
    ("GET", "/admin/roles"),
    ("POST", "/admin/roles"),
    ("POST", "/admin/roles/{id}/end"),
    ("POST", "/admin/accounts/{id}/suspend"),
    ("GET", "/exposure"),
    ("GET", "/exposure/people/{id}"),
    ("GET", "/exposure/simulate"),
    ("GET", "/exposure/meeting"),
    ("GET", "/import"),
    ("POST", "/import"),
    ("GET", "/congresses"),
    ("POST", "/congresses"),
    ("GET", "/congresses/{id}"),
    ("POST", "/congresses/{id}/participants"),
    ("GET", "/congresses/{id}/credentials"),
    ("POST", "/congresses/{id}/credentials"),
    ("GET", "/congresses/{id}/presidium"),
    ("POST", "/congresses/{id}/presidium"),
    ("GET", "/congresses/{id}/delegate"),
    ("POST", "/congresses/{id}/delegate"),
    ("GET", "/congresses/{id}/motions/{motion}"),
    ("GET", "/congresses/{id}/projector"),
    ("GET", "/congresses/{id}/live"),
    ("GET", "/congresses/{id}/minutes"),
    ("GET", "/congresses/{id}/minutes/pdf"),
    ("GET", "/static/iskra.css"),
    ("GET", "/static/congress.js"),
    ("GET", "/healthz"),
    ("GET", "/paper"),
    ("GET", "/paper/{code}"),
    ("GET", "/paper/{code}/feed.atom"),
    ("GET", "/paper/{code}/{number}"),
    ("GET", "/paper/{code}/{number}/pdf"),
    ("GET", "/paper/{code}/{number}/circulation"),
    ("GET", "/report"),
    ("POST", "/report"),
    ("GET", "/editor"),
    ("GET", "/editor/picture"),
    ("POST", "/editor/editions"),
    ("POST", "/editor/editions/{id}/publish"),
    ("POST", "/editor/editions/{id}/plan"),
    ("POST", "/editor/articles"),
    ("GET", "/editor/articles/{id}"),
    ("POST", "/editor/articles/{id}"),
    ("POST", "/editor/articles/{id}/state"),
    ("POST", "/editor/reports/{id}"),
    ("POST", "/editor/reports/{id}/sender"),
    ("GET", "/units/{id}/paper"),
    ("POST", "/units/{id}/paper"),
    ("POST", "/units/{id}/paper/order"),
    ("POST", "/units/{id}/paper/subscribers"),
    ("GET", "/editor/orders"),
    ("POST", "/editor/orders"),
];

pub fn router(state: AppState) -> Router {
    use pages::*;
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/units", get(units::tree))
        .route("/units/{id}", get(units::page))
        .route("/units/{id}/search", get(search::page))
        .route("/units/{id}/meetings", post(units::record_meeting))
        .route("/units/{id}/payments", post(units::record_payment))
        .route(
            "/units/{id}/payments/{payment}/reverse",
            post(units::reverse_payment),
        )
        .route("/units/{id}/applications", post(units::record_application))
        .route("/units/{id}/export", post(units::export))
        .route(
            "/units/{id}/delegates",
            get(delegates::page).post(delegates::act),
        )
        .route("/applications/{id}/decide", post(units::decide))
        .route("/people/{id}", get(people::page))
        .route("/people/{id}/status", post(people::change_status))
        .route("/people/{id}/transfer", post(people::transfer))
        .route("/transfers/{id}/decide", post(people::decide_transfer))
        .route("/people/{id}/tasks", post(people::record_task))
        .route("/people/{id}/invitation", post(invite::create))
        .route("/invite/{token}", get(invite::form).post(invite::accept))
        .route("/statutes", get(statutes::page))
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route("/account/sessions/end", post(account::end_session))
        .route("/admin/roles", get(admin::roles).post(admin::grant))
        .route("/admin/roles/{id}/end", post(admin::end))
        .route("/admin/accounts/{id}/suspend", post(admin::suspend))
        .route("/exposure", get(exposure::organisation))
        .route("/exposure/people/{id}", get(exposure::person))
        .route("/exposure/simulate", get(exposure::simulate))
        .route("/exposure/meeting", get(exposure::meeting))
        .route(
            "/import",
            get(import::form)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(256 * 1024 * 1024)),
        )
        .route("/congresses", get(congress::list).post(congress::convene))
        .route("/congresses/{id}", get(congress::overview))
        .route("/congresses/{id}/participants", post(congress::register))
        .route(
            "/congresses/{id}/credentials",
            get(congress::credentials).post(congress::record_credential),
        )
        .route(
            "/congresses/{id}/presidium",
            get(congress::presidium).post(congress::preside),
        )
        .route(
            "/congresses/{id}/delegate",
            get(congress::delegate).post(congress::take_part),
        )
        .route("/congresses/{id}/motions/{motion}", get(congress::motion))
        .route("/congresses/{id}/projector", get(congress::projector))
        .route("/congresses/{id}/live", get(congress::live))
        .route("/congresses/{id}/minutes", get(congress::minutes))
        .route("/congresses/{id}/minutes/pdf", get(congress::minutes_pdf))
        .route("/paper", get(paper::index))
        .route("/paper/{code}", get(paper::publication_page))
        .route("/paper/{code}/feed.atom", get(paper::feed))
        .route("/paper/{code}/{number}", get(paper::edition_page))
        .route("/paper/{code}/{number}/pdf", get(paper::edition_pdf))
        .route(
            "/paper/{code}/{number}/circulation",
            get(paper::circulation),
        )
        .route(
            "/report",
            get(paper::report_form).post(paper::report_submit),
        )
        .route("/editor", get(paper::desk))
        .route("/editor/picture", get(paper::picture))
        .route("/editor/editions", post(paper::create_edition))
        .route(
            "/editor/editions/{id}/publish",
            post(paper::publish_edition),
        )
        .route("/editor/editions/{id}/plan", post(paper::plan_edition))
        .route("/editor/articles", post(paper::create_article))
        .route(
            "/editor/articles/{id}",
            get(paper::article_page).post(paper::save_article),
        )
        .route("/editor/articles/{id}/state", post(paper::move_article))
        .route("/editor/reports/{id}", post(paper::triage))
        .route("/editor/reports/{id}/sender", post(paper::sender))
        .route(
            "/units/{id}/paper",
            get(paper::unit_paper).post(paper::record_return),
        )
        .route("/units/{id}/paper/order", post(paper::set_order))
        .route("/units/{id}/paper/subscribers", post(paper::subscribers))
        .route(
            "/editor/orders",
            get(paper::orders).post(paper::set_reserve),
        )
        .route("/static/iskra.css", get(layout::stylesheet))
        .route("/static/congress.js", get(congress::script))
        // For a load balancer's health check, and the benchmarks' empty handler: says nothing.
        .route("/healthz", get(|| async { "ok" }))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(session::security_headers))
        .layer(axum::middleware::from_fn(run_to_completion))
        .with_state(state)
}

/// Runs every request in a task of its own, so that a client who hangs up does not cancel it
/// half-way. A write cancelled inside its transaction can leave its pooled connection unusable
/// in sqlx ("attempted to call begin_with at non-zero transaction depth"), and every page view
/// that records something would then fail on that connection: anyone could break the server by
/// opening and dropping connections. Finishing the request is also simply right: a change the
/// client asked for is made (or refused) whole, whether or not they wait for the answer.
async fn run_to_completion(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::spawn(next.run(req)).await {
        Ok(res) => res,
        Err(e) => {
            error::AppError::Internal(format!("the request's task failed: {e}")).into_response()
        }
    }
}

/// Serves until the process is asked to stop.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    // Correspondents' names past their day are cleared before the first request, then every
    // hour while the server runs (reading a sender checks the day too, so between two runs none
    // is shown late; the clearing removes the link from the database).
    clear_report_senders(&state.store).await;
    let store = state.store.clone();
    let clearing = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        every.tick().await;
        loop {
            every.tick().await;
            clear_report_senders(&store).await;
        }
    });
    let served = serve_only(state, listener).await;
    clearing.abort();
    served
}

/// One run of the clearing of correspondents' names. A failure is logged (the store's error,
/// no names) and tried again at the next run.
async fn clear_report_senders(store: &Store) {
    match store.clear_report_senders(core_rules::Day::today()).await {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!("cleared the senders of {n} reports decided past the statutes' days")
        }
        Err(e) => tracing::error!("clearing the senders of decided reports failed: {e}"),
    }
}

async fn serve_only(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    // The client's address reaches the throttles (logins, reports), and nothing else.
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
