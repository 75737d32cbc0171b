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
pub async fn who<'a>(state: &AppState, session: &'a Session) -> AppResult<Who<'a>> {
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
    Ok(assemble(session, own, granted, &roots, rules))
}

/// The access rules' view of an account from what the store holds about it: its own person
/// record, the offices granted to it, and (for the organisation's administrator) the units at
/// the top. Every request and exposure analysis both build `Who` here, so that they see an
/// account the same way.
pub fn assemble<'a>(
    session: &'a Session,
    own: Option<Own>,
    granted: Vec<Held>,
    roots: &[(i64, String)],
    rules: core_rules::roles::AccessRules,
) -> Who<'a> {
    // Officers are members: an office held by someone whose membership lapsed counts for nothing.
    let mut held: Vec<Held> = if own.is_none_or(|o| o.status == Status::Member) {
        granted
    } else {
        Vec::new()
    };
    // The organisation's own administrator (created by `init`) administers from the top.
    if session.account.is_admin {
        for (id, kind) in roots {
            held.push(Held {
                role: Role::Admin,
                unit_id: *id,
                unit_kind: kind.clone(),
            });
        }
    }
    Who {
        session,
        own,
        held,
        rules,
    }
}

/// A unit and the units above it, for the access rules. An unknown unit is "not found".
pub async fn chain_of(state: &AppState, unit: i64) -> AppResult<Vec<Unit>> {
    let chain = state.store.chain(unit).await?;
    if chain.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(chain)
}

/// Every unit's chain (the unit and the units above it, nearest first), from one list of all
/// units: for pages that ask the access rules about many units at once, without a query each.
pub fn chains(units: &[Unit]) -> std::collections::HashMap<i64, Vec<Unit>> {
    let by_id: std::collections::HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    units
        .iter()
        .map(|u| {
            let mut chain = vec![u.clone()];
            let mut at = u.parent_id;
            while let Some(p) = at.and_then(|p| by_id.get(&p)) {
                chain.push((*p).clone());
                at = p.parent_id;
            }
            (u.id, chain)
        })
        .collect()
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
