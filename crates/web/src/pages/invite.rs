//! Invitations: an officer invites an admitted member to open an account with a one-time link,
//! and the member chooses their login name and password there.
//!
//! The link is shown once, to the officer who made it, as a path on this server (`/invite/...`):
//! the page never guesses the server's public address from the request. An unknown, used,
//! replaced or expired link is "not found", the same page as for anything else that is not there.

use super::{chain_of, require, who};
use crate::access::{Action, Place};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout;
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use store::invitations::OpenInvitation;
use store::StoreError;

fn day_of(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// A token as links carry it: 64 hex digits. Anything else is not looked up.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// POST /people/{id}/invitation: makes the invitation and shows its link, this once.
pub async fn create(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    check_csrf(&session, &FormData::parse(&body))?;
    let w = who(&state, &session).await?;
    let p = state.store.person(id).await?.ok_or(AppError::NotFound)?;
    let chain = chain_of(&state, p.unit_id).await?;
    require(&w, Action::InvitePerson(&p, Place { chain: &chain }))?;
    let inv = state.store.invite(id, Some(session.account.id)).await?;
    let link = format!("/invite/{}", inv.token);
    let body = html! {
        p.crumbs { a href={ "/people/" (id) } { (p.pseudonym) } }
        h1 { "Invitation for " (p.pseudonym) }
        p { "Send this link to " (p.pseudonym) " by a channel you trust. It is shown only this once, \
             works once, and expires on " (day_of(inv.expires_at)) ". Making a new invitation \
             stops this one." }
        p { "The link is this server's address followed by:" }
        p { code { a #invitation-link href=(link) { (link) } } }
        p { a href={ "/people/" (id) } { "Back to " (p.pseudonym) } }
    };
    Ok(layout::page("Invitation", &state.org_name, &session, body).into_response())
}

fn accept_page(token: &str, inv: &OpenInvitation, message: Option<&str>, login: &str) -> Markup {
    layout::bare(
        "Open your account",
        html! {
            h1 { "Open your account" }
            p { "You are invited to open your account as " b { (inv.pseudonym) } ". \
                 Choose a login name (not your email address) and a password of at least 10 characters." }
            @if let Some(m) = message { p.error { (m) } }
            form method="post" action={ "/invite/" (token) } {
                label { "Login name " input type="text" name="login" value=(login) autocomplete="username" required; }
                label { "Password " input type="password" name="password" autocomplete="new-password" required; }
                label { "Password again " input type="password" name="password_again" autocomplete="new-password" required; }
                button type="submit" { "Open the account" }
            }
            p.muted { "This link works once. This site loads nothing from anywhere else and works without JavaScript." }
        },
    )
}

async fn open(state: &AppState, token: &str) -> AppResult<OpenInvitation> {
    if !well_formed(token) {
        return Err(AppError::NotFound);
    }
    state
        .store
        .invitation(token)
        .await?
        .ok_or(AppError::NotFound)
}

/// GET /invite/{token}: the form to choose a login name and password.
pub async fn form(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let inv = open(&state, &token).await?;
    Ok(accept_page(&token, &inv, None, "").into_response())
}

/// POST /invite/{token}: opens the account and sends the member to sign in.
///
/// There is no session to carry a CSRF token yet (as on the login page); the link's own secret
/// and the same-origin check every POST passes stand in for it.
pub async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let inv = open(&state, &token).await?;
    let f = FormData::parse(&body);
    let login = f.text("login");
    let password = f.get("password").unwrap_or("");
    let again = f.get("password_again").unwrap_or("");
    let again_page = |m: &str| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            accept_page(&token, &inv, Some(m), &login),
        )
            .into_response()
    };
    if password != again {
        return Ok(again_page("The two passwords differ."));
    }
    match state
        .store
        .accept_invitation(&token, &login, password)
        .await
    {
        Ok(_) => Ok(Redirect::to("/login").into_response()),
        Err(StoreError::InvitationUnusable) => Err(AppError::NotFound),
        // The login name or password: said plainly, and the form again.
        Err(StoreError::Refused(r)) => Ok(again_page(&r.to_string())),
        Err(e) => Err(e.into()),
    }
}
