//! The pages, one module per part of the organisation's life.

pub mod import;
pub mod invite;
pub mod login;
pub mod people;
pub mod statutes;
pub mod units;

use crate::access::Who;
use crate::error::{AppError, AppResult};
use crate::session::Viewer;
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use store::accounts::Session;

/// The access rules' view of a signed-in session.
pub async fn who<'a>(state: &AppState, session: &'a Session) -> AppResult<Who<'a>> {
    let own_unit = match session.account.person_id {
        Some(p) => state.store.person(p).await?.map(|p| p.unit_id),
        None => None,
    };
    Ok(Who { session, own_unit })
}

/// Checks an access rule; a refusal is "not found", as if the thing did not exist.
pub fn require(who: &Who, action: crate::access::Action) -> AppResult<()> {
    if crate::access::allowed(who, action) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn home(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let Viewer(session, _) = viewer;
    let Some(session) = session else {
        return Ok(Redirect::to("/login").into_response());
    };
    if session.account.is_admin {
        return Ok(Redirect::to("/units").into_response());
    }
    let w = who(&state, &session).await?;
    Ok(match (session.account.person_id, w.own_unit) {
        (_, Some(u)) => Redirect::to(&format!("/units/{u}")).into_response(),
        (Some(p), None) => Redirect::to(&format!("/people/{p}")).into_response(),
        _ => Redirect::to("/statutes").into_response(),
    })
}
