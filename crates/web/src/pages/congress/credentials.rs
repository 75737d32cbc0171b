//! Credentials: the credentials committee's page and its decisions.

use super::{ctx, nav, unit_label};
use crate::access::Action;
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::pages::{chains, require};
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use store::congress::{Kind, Participant};

pub async fn credentials(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    require(&cx.who, Action::CheckCredentials)?;
    let r = state.store.credentials_report(id).await?;
    let people = state.store.participants(id).await?;
    let ch = chains(&state.store.units().await?);
    let body = html! {
        h1 { "Credentials: " (cx.congress.name) }
        (nav(&cx.congress, &cx.who, &cx.me))
        h2 { "Report" }
        ul {
            li { (r.apportioned) " mandates apportioned." }
            li { (r.delegates) " delegates registered; " (r.accepted) " accepted holding " (r.accepted_mandates) " mandates; " (r.pending) " pending; " (r.rejected) " rejected." }
            @for u in &r.units_short { li { (unit_label(&cx.who, &ch, u.unit_id, &u.unit_name)) ": " (u.assigned) " of " (u.mandates) " mandates held." } }
            li { "The congress " @if r.approved { "approved" } @else { "has not yet approved" } " this report." }
        }
        h2 { "Delegates" }
        table {
            tr { th { "Party name" } th.num { "Mandates" } th { "Finding" } th {} }
            @for p in people.iter().filter(|p| p.kind == Kind::Delegate) {
                tr {
                    td { (p.pseudonym) } td.num { (p.mandates) } td { (p.credential) }
                    td {
                        form.inline method="post" action={ "/congresses/" (id) "/credentials" } {
                            (csrf(&session))
                            input type="hidden" name="participant" value=(p.id);
                            button name="finding" value="accepted" { "Accept" } " "
                            button.secondary name="finding" value="rejected" { "Reject" }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page("Credentials", &state.org_name, &session, body).into_response())
}

pub async fn record_credential(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let cx = ctx(&state, &session, id).await?;
    require(&cx.who, Action::CheckCredentials)?;
    let p = participant_here(&state, id, f.id("participant", "The delegate")?).await?;
    let accepted = match f.get("finding") {
        Some("accepted") => true,
        Some("rejected") => false,
        _ => return Err(AppError::refused("say accepted or rejected")),
    };
    state
        .store
        .set_credential(p.id, accepted, Some(session.account.id))
        .await?;
    Ok(Redirect::to(&format!("/congresses/{id}/credentials")).into_response())
}

pub(super) async fn participant_here(
    state: &AppState,
    congress: i64,
    id: i64,
) -> AppResult<Participant> {
    state
        .store
        .participant(id)
        .await?
        .filter(|p| p.congress_id == congress)
        .ok_or(AppError::NotFound)
}
