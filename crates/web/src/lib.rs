//! Iskra's web interface: server-rendered pages that work without JavaScript.
//!
//! Every route asks `access` before it reads or writes anything; nothing else decides who may
//! see what. Pages are built with maud, styled by one same-origin stylesheet, and load nothing
//! from third parties.

pub mod access;
pub mod chart;
pub mod error;
pub mod form;
pub mod layout;
pub mod memory;
pub mod pages;
pub mod session;
pub mod throttle;
pub mod words;

use axum::extract::DefaultBodyLimit;
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

/// Builds the router and `ROUTES` from one table, so that the two cannot disagree: a route is
/// served only if it is in the table, and every route in the table is in `ROUTES`, which the
/// authorisation tests walk (`tests/need_to_know.rs`).
///
/// Each line names a path, then its methods and handlers (`get h, post h`); a layer for the
/// whole path (as the import's body limit) goes in brackets after the path.
/// Only `get` and `post` are known: a line naming another method does not compile, rather than
/// serve a route that `ROUTES` would list under a wrong name.
macro_rules! route_table {
    ($(
        $path:literal $([$layer:expr])? =>
            $method:ident $handler:expr $(, $more:ident $more_handler:expr)*;
    )*) => {
        /// Every route, as (method, path): the authorisation tests walk this list. It is made
        /// from the same table as `router()`, so nothing is served that is not listed here.
        pub const ROUTES: &[(&str, &str)] = &[
            $(
                (route_table!(@name $method), $path),
                $((route_table!(@name $more), $path),)*
            )*
        ];

        /// Every route of the table, with its handlers, without the state or the layers that
        /// wrap them all.
        fn routes() -> Router<AppState> {
            use pages::*;
            Router::new()
                $(.route(
                    $path,
                    axum::routing::$method($handler)$(.$more($more_handler))*$(.layer($layer))?,
                ))*
        }
    };
    (@name get) => { "GET" };
    (@name post) => { "POST" };
}

route_table! {
    "/" => get home;
    "/login" => get login::form, post login::submit;
    "/logout" => post login::logout;
    "/units" => get units::tree;
    "/units/{id}" => get units::page;
    "/units/{id}/search" => get search::page;
    "/units/{id}/meetings" => post units::record_meeting;
    "/units/{id}/payments" => post units::record_payment;
    "/units/{id}/payments/{payment}/reverse" => post units::reverse_payment;
    "/units/{id}/applications" => post units::record_application;
    "/units/{id}/export" => post units::export;
    "/units/{id}/delegates" => get delegates::page, post delegates::act;
    "/applications/{id}/decide" => post units::decide;
    "/people/{id}" => get people::page;
    "/people/{id}/status" => post people::change_status;
    "/people/{id}/transfer" => post people::transfer;
    "/transfers/{id}/decide" => post people::decide_transfer;
    "/people/{id}/tasks" => post people::record_task;
    "/people/{id}/invitation" => post invite::create;
    "/invite/{token}" => get invite::form, post invite::accept;
    "/statutes" => get statutes::page;
    "/account" => get account::page;
    "/account/password" => post account::change_password;
    "/account/sessions/end" => post account::end_session;
    "/admin/roles" => get admin::roles, post admin::grant;
    "/admin/roles/{id}/end" => post admin::end;
    "/admin/accounts/{id}/suspend" => post admin::suspend;
    "/exposure" => get exposure::organisation;
    "/exposure/people/{id}" => get exposure::person;
    "/exposure/simulate" => get exposure::simulate;
    "/exposure/meeting" => get exposure::meeting;
    "/import" [DefaultBodyLimit::max(256 * 1024 * 1024)] => get import::form, post import::upload;
    "/congresses" => get congress::list::list, post congress::list::convene;
    "/congresses/{id}" => get congress::overview::overview;
    "/congresses/{id}/participants" => post congress::overview::register;
    "/congresses/{id}/credentials" =>
        get congress::credentials::credentials, post congress::credentials::record_credential;
    "/congresses/{id}/presidium" =>
        get congress::presidium::presidium, post congress::presidium::preside;
    "/congresses/{id}/delegate" =>
        get congress::delegate::delegate, post congress::delegate::take_part;
    "/congresses/{id}/motions/{motion}" => get congress::motion::motion;
    "/congresses/{id}/projector" => get congress::live::projector;
    "/congresses/{id}/live" => get congress::live::live;
    "/congresses/{id}/minutes" => get congress::minutes::minutes;
    "/congresses/{id}/minutes/pdf" => get congress::minutes::minutes_pdf;
    "/static/iskra.css" => get layout::stylesheet;
    "/static/congress.js" => get congress::script;
    // For a load balancer's health check, and the benchmarks' empty handler: says nothing.
    "/healthz" => get || async { "ok" };
    "/paper" => get paper::public::index;
    "/paper/{code}" => get paper::public::publication_page;
    "/paper/{code}/feed.atom" => get paper::public::feed;
    "/paper/{code}/{number}" => get paper::public::edition_page;
    "/paper/{code}/{number}/pdf" => get paper::public::edition_pdf;
    "/paper/{code}/{number}/circulation" => get paper::circulation::circulation;
    "/report" => get paper::report::report_form, post paper::report::report_submit;
    "/editor" => get paper::desk::desk;
    "/editor/picture" => get paper::picture::picture;
    "/editor/editions" => post paper::editions::create_edition;
    "/editor/editions/{id}/publish" => post paper::editions::publish_edition;
    "/editor/editions/{id}/plan" => post paper::editions::plan_edition;
    "/editor/articles" => post paper::editions::create_article;
    "/editor/articles/{id}" =>
        get paper::editions::article_page, post paper::editions::save_article;
    "/editor/articles/{id}/state" => post paper::editions::move_article;
    "/editor/reports/{id}" => post paper::desk::triage;
    "/editor/reports/{id}/sender" => post paper::desk::sender;
    "/units/{id}/paper" =>
        get paper::circulation::unit_paper, post paper::circulation::record_return;
    "/units/{id}/paper/order" => post paper::orders::set_order;
    "/units/{id}/paper/subscribers" => post paper::orders::subscribers;
    "/editor/orders" => get paper::orders::orders, post paper::orders::set_reserve;
}

pub fn router(state: AppState) -> Router {
    routes()
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
    match store.clear_report_senders(store.today()).await {
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
