//! Standing orders and subscribers (the unit's agent or secretary), and the editors' totals.

use super::{edited, require_edit};
use crate::access::{Action, Place, Who};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::pages::{chain_of, chains, require, who};
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::quantity;
use maud::html;
use std::collections::HashMap;
use store::paper::Publication;
use store::units::Unit;

/// The publication named in a form, if this unit may take it: run by the unit or by a body above
/// it that may know of it. A closed unit takes no paper from a body that may not know of it
/// (under the default statutes, only the central committee's, or one run inside its own
/// branch): the paper's editors would print for a unit they may not know of, and its bundle
/// would pass through units that may not either. Any other paper is "not found".
async fn publication_for_unit(
    state: &AppState,
    w: &Who,
    chain: &[Unit],
    f: &FormData,
) -> AppResult<Publication> {
    let p = state
        .store
        .publication(f.id("publication", "The paper")?)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::access::body_knows(&w.rules, Place { chain }, p.unit_id) {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

/// A whole number of the form, read and checked against its bound (see
/// `core_rules::quantity`): an order of 9,223,372,036,854,775,807 copies is refused here.
fn whole(f: &FormData, bound: quantity::Bound, label: &'static str) -> AppResult<i64> {
    Ok(bound.parse(f.required(bound.field, label)?)? as i64)
}

pub async fn set_order(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    let chain = chain_of(&state, id).await?;
    require(&w, Action::OrderPaper(Place { chain: &chain }))?;
    let p = publication_for_unit(&state, &w, &chain, &f).await?;
    let copies = whole(&f, quantity::ORDER, "Copies of each edition")?;
    state
        .store
        .set_order(Some(session.account.id), p.id, id, copies)
        .await?;
    Ok(Redirect::to(&format!("/units/{id}/paper#orders-{}", p.id)).into_response())
}

pub async fn subscribers(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    let chain = chain_of(&state, id).await?;
    require(&w, Action::OrderPaper(Place { chain: &chain }))?;
    let p = publication_for_unit(&state, &w, &chain, &f).await?;
    if f.get("end").is_some_and(|v| !v.trim().is_empty()) {
        let sub = f.id("end", "The subscription")?;
        state
            .store
            .end_subscription(Some(session.account.id), id, sub)
            .await?;
    } else {
        let person = match f.get("person").map(str::trim) {
            None | Some("") => None,
            Some(_) => Some(f.id("person", "The subscriber")?),
        };
        let copies = whole(&f, quantity::SUBSCRIPTION, "Copies")?;
        state
            .store
            .subscribe_in_unit(Some(session.account.id), p.id, id, person, copies)
            .await?;
    }
    Ok(Redirect::to(&format!("/units/{id}/paper#orders-{}", p.id)).into_response())
}

/// The editors' view of the orders: for each paper they edit, every unit's standing order and
/// subscribers in figures (names stay in the unit), and the reserve printed on top.
pub async fn orders(State(state): State<AppState>, Signed(session): Signed) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::ReadReports)?;
    let pubs = edited(&state, &w).await?;
    let units = state.store.units().await?;
    let ch = chains(&units);
    // A closed unit's order is a figure of that unit: shown only to those who may see it.
    let sees = |u: i64| {
        ch.get(&u)
            .is_some_and(|c| crate::access::allowed(&w, Action::ViewFigures(Place { chain: c })))
    };
    let name: HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    let mut sections = Vec::new();
    for p in &pubs {
        let o: Vec<(i64, store::paper::UnitOrder)> = state
            .store
            .orders_by_unit(p.id)
            .await?
            .into_iter()
            .filter(|(u, _)| sees(*u))
            .collect();
        sections.push((p, o));
    }
    let body = html! {
        h1 { "Orders" }
        @if sections.is_empty() { p { "You edit no paper." } }
        @for (p, o) in &sections {
            h2 { (p.name) }
            @let ordered = total(o.iter().map(|(_, x)| x.ordered));
            @let subs = total(o.iter().map(|(_, x)| x.subscribers));
            @let sub_copies = total(o.iter().map(|(_, x)| x.subscriber_copies));
            table.figures {
                tr { th { "Unit" } th { "Standing order" } th { "Subscribers" } th { "Their copies" } th { "Copies in all" } }
                @for (u, x) in o {
                    tr { td { (name.get(u).map(|u| u.name.as_str()).unwrap_or("?")) } td { (x.ordered) } td { (x.subscribers) } td { (x.subscriber_copies) } td { (figure(total([x.ordered, x.subscriber_copies]))) } }
                }
                tr.total { th { "In all" } th { (figure(ordered)) } th { (figure(subs)) } th { (figure(sub_copies)) } th { (figure(ordered.zip(sub_copies).and_then(|(a, b)| a.checked_add(b)))) } }
            }
            p { "Reserve: " (p.reserve_percent) "% of the copies ordered, printed on top (at least one copy; closed units' copies get none). It applies to the editions planned from now on." }
            form method="post" action="/editor/orders" {
                (csrf(&session))
                input type="hidden" name="publication" value=(p.id);
                label { "Reserve (%) " input type="number" min="0" max="1000" name="reserve" required value=(p.reserve_percent); }
                button type="submit" { "Set the reserve" }
            }
        }
    };
    Ok(layout::page("Orders", &state.org_name, &session, body).into_response())
}

/// A sum of figures, or `None` past what can be counted. Orders are bounded when written
/// (`quantity::ORDER`); one written before the bounds existed must not break the page.
fn total(xs: impl IntoIterator<Item = i64>) -> Option<i64> {
    xs.into_iter().try_fold(0i64, |a, x| a.checked_add(x))
}

fn figure(n: Option<i64>) -> String {
    n.map_or_else(|| "more than can be counted".to_string(), |n| n.to_string())
}

pub async fn set_reserve(
    State(state): State<AppState>,
    Signed(session): Signed,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    require(&w, Action::ReadReports)?;
    let p = require_edit(&state, &w, f.id("publication", "The paper")?).await?;
    let percent = whole(&f, quantity::RESERVE, "The reserve")?;
    state
        .store
        .set_reserve(Some(session.account.id), p.id, percent)
        .await?;
    Ok(Redirect::to("/editor/orders").into_response())
}
