//! The list of congresses, and convening one.

use crate::access::{allowed, Action};
use crate::error::AppResult;
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::pages::{require, who};
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::congress::ApportionRule;
use core_rules::quantity::{self, Bound};
use core_rules::text as limits;
use core_rules::Refusal;
use maud::html;
use store::congress::NewCongress;

pub async fn list(State(state): State<AppState>, Signed(session): Signed) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    let mut visible = Vec::new();
    for c in state.store.congresses().await? {
        let me = match w.own {
            Some(o) => state.store.participant_for(c.id, o.person_id).await?,
            None => None,
        };
        if allowed(
            &w,
            Action::ViewCongress {
                participant: me.is_some(),
            },
        ) {
            visible.push(c);
        }
    }
    let rule = state
        .store
        .statutes_on(state.store.today())
        .await?
        .rules
        .congress;
    let body = html! {
        h1 { "Congresses" }
        @if visible.is_empty() { p.muted { "No congress you take part in or help run." } }
        ul {
            @for c in &visible {
                li { a href={ "/congresses/" (c.id) } { (c.name) } " — " (c.held_on) }
            }
        }
        @if allowed(&w, Action::ConveneCongress) {
            h2 { "Convene a congress" }
            form method="post" action="/congresses" {
                (csrf(&session))
                label { "Name " input type="text" name="name" required; }
                label { "Date of the congress " input type="date" name="held_on" required; }
                label { "Membership counts on " input type="date" name="membership_on" required; }
                fieldset {
                    legend { "Apportionment of mandates" }
                    label { input type="radio" name="rule" value="statutes" checked; " As the statutes say: " (rule.words()) }
                    label { input type="radio" name="rule" value="per-members"; " One delegate per N members with a vote" }
                    label { input type="radio" name="rule" value="dhondt"; " A fixed number of delegates by D'Hondt" }
                    label { input type="radio" name="rule" value="sainte-lague"; " ... by Sainte-Laguë" }
                    label { input type="radio" name="rule" value="hare"; " ... by largest remainder" }
                    label { "N (members per delegate) or the number of delegates " input type="number" name="number" min="1" value="10"; }
                    label { "Minimum per unit " input type="number" name="min" min="0" value="1"; }
                }
                label { "Quorum: " input type="number" name="quorum_num" min="1" value="1"; " / " input type="number" name="quorum_den" min="1" value="2"; " of the mandates" }
                label { "Supporters a motion needs to be admitted " input type="number" name="supporters" min="0" value="1"; }
                label { "Motion workflow (states, comma-separated) " input type="text" name="states" value=(store::congress::DEFAULT_MOTION_STATES) size="60"; }
                button type="submit" { "Convene" }
            }
        }
    };
    Ok(layout::page("Congresses", &state.org_name, &session, body).into_response())
}

/// A whole number of the form, read and checked against its bound.
pub(super) fn num(f: &FormData, bound: Bound) -> AppResult<u64> {
    Ok(bound.parse(f.required(bound.field, bound.name)?)?)
}

pub async fn convene(
    State(state): State<AppState>,
    Signed(session): Signed,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    require(&w, Action::ConveneCongress)?;
    let rule = match f.get("rule").unwrap_or("statutes") {
        "statutes" => None,
        kind => Some(
            ApportionRule::parse(
                kind,
                num(&f, quantity::APPORTION_NUMBER)?,
                num(&f, quantity::APPORTION_MIN)?,
            )
            .map_err(Refusal::from)?,
        ),
    };
    let id = state
        .store
        .convene(
            &NewCongress {
                name: f.bounded(&limits::CONGRESS_NAME)?,
                held_on: f.day("held_on", "The date of the congress")?,
                membership_on: f.day("membership_on", "The day membership counts")?,
                rule,
                quorum: (
                    num(&f, quantity::QUORUM_NUM)?,
                    num(&f, quantity::QUORUM_DEN)?,
                ),
                supporters_needed: num(&f, quantity::SUPPORTERS)?,
                motion_states: f.bounded(&limits::MOTION_STATES)?,
            },
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/congresses/{id}")).into_response())
}
