//! One's own account: the offices held, the password, and the sessions signed in.

use super::{require, who};
use crate::access::Action;
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::session::{check_csrf, clear_cookie, Signed, Viewer};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

fn when(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                d.year(),
                d.month() as u8,
                d.day(),
                d.hour(),
                d.minute()
            )
        })
        .unwrap_or_default()
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Signed(session): Signed,
) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::OwnAccount)?;
    let token = viewer.1.unwrap_or_default();
    let offices = state.store.roles_of(session.account.id).await?;
    let sessions = state.store.sessions_of(session.account.id, &token).await?;
    let body = html! {
        h1 { "Your account" }
        p { "Login name: " b { (session.account.login) } }
        h2 { "Offices" }
        @if session.account.is_admin { p { "Administrator of the whole organisation: offices and accounts everywhere, imports." } }
        @if offices.is_empty() && !session.account.is_admin { p.muted { "You hold no office." } }
        @else {
            ul { @for g in &offices { li { (g.role.name()) " in " a href={ "/units/" (g.unit_id) } { (g.unit_name) } } } }
        }
        h2 { "Where you are signed in" }
        p.muted { "Sessions end after 30 minutes idle and 12 hours at most. End any you do not recognise, then change your password." }
        table {
            tr { th { "Signed in" } th { "Last active" } th {} }
            @for s in &sessions {
                tr {
                    td { (when(s.created_at)) }
                    td { (when(s.last_seen)) }
                    td {
                        @if s.current { "this browser" }
                        @else {
                            form.inline method="post" action="/account/sessions/end" {
                                (csrf(&session))
                                input type="hidden" name="session" value=(s.handle);
                                button.secondary type="submit" { "End" }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Change your password" }
        form method="post" action="/account/password" {
            (csrf(&session))
            fieldset {
                label { "Current password " input type="password" name="current" autocomplete="current-password" required; }
                label { "New password " input type="password" name="new" autocomplete="new-password" minlength="10" required; }
                label { "New password again " input type="password" name="again" autocomplete="new-password" minlength="10" required; }
                button type="submit" { "Change the password" }
            }
            p.muted { "Changing it signs out every other session." }
        }
    };
    Ok(layout::page("Account", &state.org_name, &session, body).into_response())
}

pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Signed(session): Signed,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let new = f.get("new").unwrap_or("");
    if new != f.get("again").unwrap_or("") {
        return Err(AppError::refused(
            "the two new passwords differ; nothing was changed",
        ));
    }
    let token = viewer.1.ok_or(AppError::Login)?;
    state
        .store
        .change_password(
            session.account.id,
            f.get("current").unwrap_or(""),
            new,
            &token,
        )
        .await?;
    Ok(Redirect::to("/account").into_response())
}

pub async fn end_session(
    State(state): State<AppState>,
    viewer: Viewer,
    Signed(session): Signed,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    state
        .store
        .end_session_by_handle(session.account.id, f.get("session").unwrap_or(""))
        .await?;
    // Ending the current one from here is a sign-out.
    let token = viewer.1.unwrap_or_default();
    if state.store.session(&token).await?.is_none() {
        return Ok((
            [(header::SET_COOKIE, clear_cookie(&state))],
            Redirect::to("/login"),
        )
            .into_response());
    }
    Ok(Redirect::to("/account").into_response())
}
