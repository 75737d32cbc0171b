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
pub mod pages;
pub mod session;

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
    ("POST", "/units/{id}/meetings"),
    ("POST", "/units/{id}/payments"),
    ("POST", "/units/{id}/applications"),
    ("POST", "/applications/{id}/decide"),
    ("GET", "/people/{id}"),
    ("POST", "/people/{id}/status"),
    ("POST", "/people/{id}/transfer"),
    ("POST", "/people/{id}/tasks"),
    ("POST", "/people/{id}/invitation"),
    ("GET", "/invite/{token}"),
    ("POST", "/invite/{token}"),
    ("GET", "/statutes"),
    ("GET", "/import"),
    ("POST", "/import"),
    ("GET", "/static/iskra.css"),
];

pub fn router(state: AppState) -> Router {
    use pages::*;
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/units", get(units::tree))
        .route("/units/{id}", get(units::page))
        .route("/units/{id}/meetings", post(units::record_meeting))
        .route("/units/{id}/payments", post(units::record_payment))
        .route("/units/{id}/applications", post(units::record_application))
        .route("/applications/{id}/decide", post(units::decide))
        .route("/people/{id}", get(people::page))
        .route("/people/{id}/status", post(people::change_status))
        .route("/people/{id}/transfer", post(people::transfer))
        .route("/people/{id}/tasks", post(people::record_task))
        .route("/people/{id}/invitation", post(invite::create))
        .route("/invite/{token}", get(invite::form).post(invite::accept))
        .route("/statutes", get(statutes::page))
        .route(
            "/import",
            get(import::form)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(256 * 1024 * 1024)),
        )
        .route("/static/iskra.css", get(layout::stylesheet))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(session::security_headers))
        .with_state(state)
}

/// Serves until the process is asked to stop.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
