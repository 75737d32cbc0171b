//! The administrator's page: offices granted and ended, accounts suspended and restored.
//!
//! The page lists logins, offices and units; never identities. An administrator of a unit sees
//! and changes the offices of that unit and the units below it, closed units included only
//! where the statutes let their body see them.

use super::{chain_of, chains, require, who};
use crate::access::{allowed, Action, Place};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::roles::Role;
use core_rules::{Refusal, Typed};
use maud::html;

pub async fn roles(State(state): State<AppState>, Signed(session): Signed) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::ViewOffices)?;
    let chains = chains(&state.store.units().await?);
    let grants: Vec<_> = state
        .store
        .grants()
        .await?
        .into_iter()
        .filter(|g| {
            chains
                .get(&g.unit_id)
                .is_some_and(|chain| allowed(&w, Action::ManageRoles(Place { chain })))
        })
        .collect();
    let accounts = if allowed(&w, Action::ManageAccounts) {
        state.store.account_summaries().await?
    } else {
        Vec::new()
    };
    let body = html! {
        h1 { "Offices" }
        p.muted { "Each office is held in one unit. Ending an office, or suspending an account, signs its holder out at once." }
        table {
            tr { th { "Login" } th { "Office" } th { "Unit" } th {} }
            @for g in &grants {
                tr {
                    td { (g.login) }
                    td { (g.role.name()) }
                    td { (g.unit_name) " " span.muted { "(" (g.unit_code) ")" } }
                    td {
                        form.inline method="post" action={ "/admin/roles/" (g.id) "/end" } {
                            (csrf(&session))
                            button.secondary type="submit" { "End" }
                        }
                    }
                }
            }
        }
        form method="post" action="/admin/roles" {
            (csrf(&session))
            fieldset {
                legend { "Grant an office" }
                label { "Login " input type="text" name="login" required; }
                label { "Office " select name="role" {
                    @for r in Role::OFFICES { option value=(r.code()) { (r.name()) } }
                } }
                label { "Unit code " input type="text" name="unit" required; }
                button type="submit" { "Grant" }
            }
        }
        @if !accounts.is_empty() {
            h2 { "Accounts" }
            table {
                tr { th { "Login" } th { "Party name" } th { "State" } th {} }
                @for a in &accounts {
                    tr {
                        td { (a.login) @if a.is_admin { " " span.badge { "administrator" } } }
                        td { (a.pseudonym.as_deref().unwrap_or("")) }
                        td { @if a.suspended { "suspended" } @else { "active" } }
                        td {
                            @if a.id != session.account.id {
                                form.inline method="post" action={ "/admin/accounts/" (a.id) "/suspend" } {
                                    (csrf(&session))
                                    input type="hidden" name="suspended" value=(if a.suspended { "0" } else { "1" });
                                    button.secondary type="submit" { @if a.suspended { "Restore" } @else { "Suspend" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page("Offices", &state.org_name, &session, body).into_response())
}

pub async fn grant(
    State(state): State<AppState>,
    Signed(session): Signed,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    require(&w, Action::ViewOffices)?;
    let role = f
        .get("role")
        .and_then(Role::parse)
        .ok_or_else(|| AppError::refused("choose an office"))?;
    // A unit outside the administrator's reach gets the same answer as one that does not exist.
    let no_unit =
        || AppError::from(Refusal::on("unit", "there is no unit {}").arg(Typed(&f.text("unit"))));
    let unit = state
        .store
        .unit_by_code(&f.text("unit"))
        .await?
        .ok_or_else(no_unit)?;
    let chain = chain_of(&state, unit.id).await?;
    if !allowed(&w, Action::ManageRoles(Place { chain: &chain })) {
        return Err(no_unit());
    }
    state
        .store
        .grant_role(&f.text("login"), unit.id, role, Some(session.account.id))
        .await?;
    Ok(Redirect::to("/admin/roles").into_response())
}

pub async fn end(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    let g = state.store.grant(id).await?.ok_or(AppError::NotFound)?;
    let chain = chain_of(&state, g.unit_id).await?;
    require(&w, Action::ManageRoles(Place { chain: &chain }))?;
    state.store.end_role(id, Some(session.account.id)).await?;
    Ok(Redirect::to("/admin/roles").into_response())
}

pub async fn suspend(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    require(&w, Action::ManageAccounts)?;
    if id == session.account.id {
        return Err(AppError::refused("you cannot suspend your own account"));
    }
    state
        .store
        .set_suspended(
            id,
            f.get("suspended") == Some("1"),
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to("/admin/roles").into_response())
}
