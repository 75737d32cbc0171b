//! The pages, one module per part of the organisation's life.

pub mod account;
pub mod admin;
pub mod congress;
pub mod delegates;
pub mod exposure;
pub mod import;
pub mod invite;
pub mod login;
pub mod paper;
pub mod people;
pub mod search;
pub mod statutes;
pub mod units;

pub use crate::access::chains;
use crate::access::{Held, Own, Who};
use crate::error::{AppError, AppResult};
use crate::session::Viewer;
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::people::Status;
use core_rules::roles::Role;
use store::accounts::Session;
use store::units::Unit;

/// The access rules' view of a signed-in session, read afresh on every request: an office
/// ended or a membership lapsed a moment ago already counts.
pub async fn who(state: &AppState, session: &Session) -> AppResult<Who> {
    let store = &state.store;
    let own = match session.account.person_id {
        Some(p) => store.person(p).await?.map(|p| Own {
            person_id: p.id,
            unit_id: p.unit_id,
            status: p.status,
        }),
        None => None,
    };
    let granted: Vec<Held> = store
        .roles_of(session.account.id)
        .await?
        .into_iter()
        .map(|g| Held {
            role: g.role,
            unit_id: g.unit_id,
            unit_kind: g.unit_kind,
        })
        .collect();
    let roots = if session.account.is_admin {
        store
            .root_units()
            .await?
            .into_iter()
            .map(|(id, _, _, kind)| (id, kind))
            .collect()
    } else {
        Vec::new()
    };
    let rules = store.access_rules(store.today()).await?;
    Ok(crate::access::assemble(
        session.account.is_admin,
        own,
        granted,
        &roots,
        rules,
    ))
}

/// A unit and the units above it, for the access rules. An unknown unit is "not found".
pub async fn chain_of(state: &AppState, unit: i64) -> AppResult<Vec<Unit>> {
    let chain = state.store.chain(unit).await?;
    if chain.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(chain)
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
    let w = who(&state, &session).await?;
    // Security officers start at the exposure analysis, other officers at the unit of their
    // (first) office, members at their own unit.
    let to = if crate::access::allowed(&w, crate::access::Action::AnalyseExposure) {
        "/exposure".to_string()
    } else if let Some(h) = w.held.iter().find(|h| h.role != Role::Admin) {
        format!("/units/{}", h.unit_id)
    } else if crate::access::allowed(&w, crate::access::Action::ViewTree) {
        "/units".to_string()
    } else {
        match w.own {
            Some(o) if o.status == Status::Member => format!("/units/{}", o.unit_id),
            Some(o) => format!("/people/{}", o.person_id),
            None => "/account".to_string(),
        }
    };
    Ok(Redirect::to(&to).into_response())
}
