//! Signing in and out.

use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout;
use crate::session::{check_csrf, clear_cookie, session_cookie, ClientAddr, Signed, Viewer};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use std::time::Instant;

fn login_page(message: Option<&str>) -> Markup {
    layout::bare(
        "Sign in",
        html! {
            h1 { "Sign in" }
            @if let Some(m) = message { p.error { (m) } }
            form method="post" action="/login" {
                label { "Login name " input type="text" name="login" autocomplete="username" required; }
                label { "Password " input type="password" name="password" autocomplete="current-password" required; }
                button type="submit" { "Sign in" }
            }
            p.muted { "Your login name is not your email address. This site loads nothing from anywhere else and works without JavaScript." }
        },
    )
}

pub async fn form(viewer: Viewer) -> Response {
    if viewer.0.is_some() {
        return Redirect::to("/").into_response();
    }
    login_page(None).into_response()
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    viewer: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    let login = f.text("login");
    let password = f.get("password").unwrap_or("").to_string();
    // Looked at and reserved in one step, before the Argon2 work: a burst sent at once gets
    // no more passwords checked than the same guesses sent one after another.
    let attempt = match state.throttle.reserve(&login, client, Instant::now()) {
        Ok(a) => a,
        Err(wait) => {
            // Said the same way for every account name, known or not.
            let secs = wait.as_secs().max(1);
            return Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, secs.to_string())],
                login_page(Some(&format!(
                    "Too many failed attempts. Wait {secs} seconds, then try again."
                ))),
            )
                .into_response());
        }
    };
    match state.store.check_login(&login, &password).await? {
        Some(account) => {
            attempt.succeeded();
            // A new session id at every login: one planted before it is worthless after it.
            if let Some(old) = viewer.1 {
                state.store.end_session(&old).await?;
            }
            let token = state.store.start_session(account.id).await?;
            Ok((
                [(header::SET_COOKIE, session_cookie(&state, &token))],
                Redirect::to("/"),
            )
                .into_response())
        }
        // One message, whatever was wrong.
        None => {
            attempt.failed(Instant::now());
            Ok((
                StatusCode::UNAUTHORIZED,
                login_page(Some("That login name and password do not match.")),
            )
                .into_response())
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    Signed(session): Signed,
    body: Bytes,
) -> AppResult<Response> {
    check_csrf(&session, &FormData::parse(&body))?;
    let token = viewer.1.ok_or(AppError::Login)?;
    state.store.end_session(&token).await?;
    Ok((
        [(header::SET_COOKIE, clear_cookie(&state))],
        Redirect::to("/login"),
    )
        .into_response())
}
