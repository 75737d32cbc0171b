//! Reports: the public form, and the members' (anonymous or under their party name).

use super::public_page;
use crate::access::Place;
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::pages::chains;
use crate::session::{check_csrf, ClientAddr, Viewer};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use core_rules::paper::ReportCategory;
use core_rules::{Refusal, Typed};
use maud::html;
use store::accounts::Session;
use store::paper::{NewReport, Sender};
use store::units::Unit;

/// The places a report form offers: the units the organisation names in public (by default
/// the regions; never a closed unit or one in a closed branch), and the sender's own unit when
/// a signed-in member sends it. The rest of the unit tree stays out of sight of the form; a
/// sender says anything more precise in their own words, and the editors place the report.
async fn report_places(state: &AppState, own: Option<i64>) -> AppResult<Vec<Unit>> {
    let units = state.store.units().await?;
    let rules = state.store.access_rules(state.store.today()).await?;
    let ch = chains(&units);
    Ok(units
        .iter()
        .filter(|u| {
            Some(u.id) == own || crate::access::named_in_public(&rules, Place { chain: &ch[&u.id] })
        })
        .cloned()
        .collect())
}

/// Where a report goes when the sender chose none of the places offered: the top of the tree,
/// for the editors to place from what the sender said.
async fn top_unit(state: &AppState) -> AppResult<i64> {
    state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.parent_id.is_none())
        .min_by_key(|u| (u.level, u.id))
        .map(|u| u.id)
        .ok_or_else(|| AppError::Internal("there is no unit to file a report under".into()))
}

async fn own_person(
    state: &AppState,
    session: &Option<Session>,
) -> AppResult<Option<store::people::Person>> {
    Ok(match session.as_ref().and_then(|s| s.account.person_id) {
        Some(p) => state.store.person(p).await?,
        None => None,
    })
}

pub async fn report_form(
    State(state): State<AppState>,
    Viewer(session, _): Viewer,
) -> AppResult<Response> {
    let own = own_person(&state, &session).await?.map(|p| p.unit_id);
    let places = report_places(&state, own).await?;
    let max_place = core_rules::paper::reports::MAX_PLACE;
    let body = html! {
        h1 { "Send a report to the paper" }
        p { "A strike, a raid, an eviction, wages stolen, a school closed, a racist attack: tell the paper what happened." }
        form method="post" action="/report" {
            @if let Some(s) = &session { (csrf(s)) }
            label { "What kind of thing " select name="category" {
                @for c in ReportCategory::ALL { option value=(c.code()) { (c.name()) } }
            } }
            label { "Where " select name="place" {
                option value="" selected[own.is_none()] { "Somewhere else (say where below)" }
                @for u in &places { option value=(u.code) selected[Some(u.id) == own] { (u.name) } }
            } }
            label { "Where exactly, in your own words (optional) " input type="text" name="place_text" maxlength=(max_place); }
            label { "When " input type="date" name="happened_on" required value=(state.store.today()); }
            label { "What happened " textarea name="text" rows="8" required {} }
            @if session.as_ref().is_some_and(|s| s.account.person_id.is_some()) {
                fieldset {
                    legend { "Who sends it" }
                    label { input type="radio" name="sender" value="anonymous" checked; " Anonymously: nothing about me is kept" }
                    label { input type="radio" name="sender" value="me"; " Under my party name, so the editors can ask me more" }
                }
            } @else {
                p.muted { "Sent anonymously: nothing about you is kept, not even the time of day." }
            }
            button type="submit" { "Send" }
        }
    };
    Ok(match &session {
        Some(s) => layout::page("Send a report", &state.org_name, s, body),
        None => public_page("Send a report", body),
    }
    .into_response())
}

pub async fn report_submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Viewer(session, _): Viewer,
    body: Bytes,
) -> AppResult<Response> {
    // Counted before anything else is read: every post takes from the client's allowance.
    if let Err(wait) = state
        .report_throttle
        .take(client, std::time::Instant::now())
    {
        let secs = wait.as_secs().max(1);
        let body = html! {
            h1 { "Too many reports from here" }
            p { "Wait " (secs) " seconds, then send your report again." }
        };
        let page = match &session {
            Some(s) => layout::page("Too many reports", &state.org_name, s, body),
            None => public_page("Too many reports", body),
        };
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, secs.to_string())],
            page,
        )
            .into_response());
    }
    let f = FormData::parse(&body);
    if let Some(s) = &session {
        check_csrf(s, &f)?;
    }
    let category = ReportCategory::parse(f.required("category", "The kind of report")?)
        .ok_or_else(|| AppError::refused("choose a kind of report from the list"))?;
    let own = own_person(&state, &session).await?;
    // A place from the list, or none: then the report waits at the top for the editors to
    // place it. A code not on the list gets the same answer whether or not such a unit exists.
    let code = f.get("place").unwrap_or("").trim();
    let unit_id = if code.is_empty() {
        top_unit(&state).await?
    } else {
        let places = report_places(&state, own.as_ref().map(|p| p.unit_id)).await?;
        places
            .iter()
            .find(|u| u.code == code)
            .ok_or_else(|| Refusal::on("place", "there is no place {}").arg(Typed(code)))?
            .id
    };
    let sender = match (f.get("sender"), &own, &session) {
        (Some("me"), Some(p), Some(s)) => Sender::Person {
            person: p.id,
            account: s.account.id,
        },
        _ => Sender::Anonymous,
    };
    state
        .store
        .submit_report_with_place(
            sender,
            &NewReport {
                category,
                unit_id,
                happened_on: f.day("happened_on", "The date")?,
                body: f.text("text"),
            },
            f.get("place_text").unwrap_or(""),
        )
        .await?;
    let body = html! {
        h1 { "Thank you" }
        p { "Your report has reached the editors." }
        p { a href="/report" { "Send another" } }
    };
    Ok(match &session {
        Some(s) => layout::page("Report sent", &state.org_name, s, body),
        None => public_page("Report sent", body),
    }
    .into_response())
}
