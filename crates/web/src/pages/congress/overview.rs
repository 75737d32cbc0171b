//! A congress's overview: its state, votes and elections, and registering participants.

use super::{ctx, decision_words, known, membership_shown, nav, unit_label};
use crate::access::{allowed, Action};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::pages::{chains, require};
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::quantity;
use maud::{html, Markup};
use std::collections::BTreeMap;
use store::congress::Kind;

pub async fn overview(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    let store = &state.store;
    let c = &cx.congress;
    let units = store.units().await?;
    let ch = chains(&units);
    let mut mandates = store.mandates(id).await?;
    // Units the viewer may name, by name; then the closed ones they may not, so that a row's
    // place in the table says nothing of a hidden name.
    mandates.sort_by_key(|m| !known(&cx.who, &ch, m.unit_id));
    let people = store.participants(id).await?;
    let q = store.quorum(id).await?;
    let agenda = store.agenda(id).await?;
    let motions = store.motions(id).await?;
    let votes = store.votes(id).await?;
    let elections = store.elections(id).await?;
    let body = html! {
        h1 { (c.name) }
        (nav(c, &cx.who, &cx.me))
        p { "Held on " (c.held_on) "; membership counted on " (c.membership_on) ". Mandates: " (c.rule.words()) "." }
        div.figures {
            div.figure { b { (mandates.iter().map(|m| m.mandates).sum::<u64>()) } "mandates apportioned" }
            div.figure { b { (q.present) " / " (q.entitled) } "mandates present" }
            div.figure { b.{ @if q.met { "ok" } @else { "no" } } { @if q.met { "Quorum" } @else { "No quorum" } } (q.needed) " needed" }
            div.figure { b { @if c.credentials_approved { "Approved" } @else { "Not yet" } } "credentials report" }
        }
        h2 { "Mandates by unit" }
        table {
            tr { th { "Unit" } th.num { "Members with a vote" } th.num { "Mandates" } th.num { "Held by delegates" } }
            @for m in &mandates {
                tr {
                    td { (unit_label(&cx.who, &ch, m.unit_id, &m.unit_name)) }
                    td.num { @if membership_shown(&cx.who, &ch, m.unit_id) { (m.voting) } @else { "—" } }
                    td.num { (m.mandates) } td.num { (m.assigned) }
                }
            }
        }
        h2 { "Participants" }
        table {
            tr { th { "Party name" } th { "Unit" } th { "Takes part as" } th.num { "Mandates" } th { "Credentials" } th { "Present" } }
            @for p in &people {
                tr {
                    td { (p.pseudonym) }
                    td { (unit_label(&cx.who, &ch, p.unit_id, &p.unit_name)) }
                    td { (crate::words::kind(p.kind)) }
                    td.num { (p.mandates) }
                    td { (p.credential) }
                    td { @if p.present { "yes" } @else { "no" } }
                }
            }
        }
        @if allowed(&cx.who, Action::ConveneCongress) {
            form method="post" action={ "/congresses/" (id) "/participants" } {
                (csrf(&session))
                fieldset {
                    legend { "Register a participant (as elected by their unit)" }
                    label { "Person number " input type="number" name="person" required; }
                    label { "As " select name="kind" {
                        option value="delegate" { "delegate" } option value="substitute" { "substitute" }
                        option value="consultative" { "consultative voice" } option value="guest" { "guest" } } }
                    label { "Mandates (delegates) " input type="number" name="mandates" min="0" value="1"; }
                    button type="submit" { "Register" }
                }
            }
        }
        h2 { "Agenda" }
        ol { @for a in &agenda { li { (a.title) @if let Some(m) = a.motion_id { " — " a href={ "/congresses/" (id) "/motions/" (m) } { "the motion" } } } } }
        h2 { "Motions" }
        ul { @for m in &motions { li { a href={ "/congresses/" (id) "/motions/" (m.id) } { (m.title) } " — " (m.state) " (" (m.supporters) " supporters)" } } }
        h2 { "Votes" }
        (votes_table(&state, &votes).await?)
        h2 { "Elections" }
        @for e in &elections { (election_block(&state, e).await?) }
    };
    Ok(layout::page(&c.name, &state.org_name, &session, body).into_response())
}

pub(super) async fn votes_table(
    state: &AppState,
    votes: &[store::congress::Vote],
) -> AppResult<Markup> {
    let mut rolls = BTreeMap::new();
    for v in votes {
        if !v.secret && !v.open {
            rolls.insert(v.id, state.store.roll(v.id).await?);
        }
    }
    Ok(html! {
        table {
            tr { th { "Vote" } th { "Kind" } th { "Result" } }
            @for v in votes {
                tr {
                    td { (v.title) }
                    td { @if v.secret { "secret ballot" } @else { "roll call" } }
                    td {
                        @if let Some(o) = &v.outcome {
                            strong { (decision_words(o.decision)) } ". Yes " (o.yes) ", no " (o.no) ", abstain " (o.abstain) "; " (o.present) " of " (o.entitled) " mandates present."
                            @if let Some(roll) = rolls.get(&v.id) {
                                details { summary { "Who voted how" }
                                    ul { @for r in roll { li { (r.pseudonym) ": " (r.choice.code()) " (" (r.weight) ")" } } } }
                            }
                        } @else { "open" }
                    }
                }
            }
        }
    })
}

async fn election_block(state: &AppState, e: &store::congress::Election) -> AppResult<Markup> {
    let cands = state.store.candidates(e.id).await?;
    let report: Option<count::Report> = None;
    let _ = report;
    let text = e.report.as_deref().and_then(|r| {
        serde_json::from_str::<serde_json::Value>(r).ok().map(|v| {
            let elected: Vec<String> = v
                .get("elected")
                .and_then(|x| serde_json::from_value(x.clone()).ok())
                .unwrap_or_default();
            (
                elected,
                serde_json::to_string_pretty(&v).unwrap_or_default(),
            )
        })
    });
    Ok(html! {
        h3 { (e.title) " — " (e.seats) " seats by " (e.method) " (" (e.state) ")" }
        p { "Candidates: " @for (i, c) in cands.iter().enumerate() { @if i > 0 { ", " } (c.pseudonym) @if !c.accepted { " (not accepted)" } } }
        @if let Some((elected, json)) = text {
            p { strong { "Elected: " (elected.join(", ")) } }
            details { summary { "The count's report" } pre { (json) } }
        }
    })
}

pub async fn register(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let cx = ctx(&state, &session, id).await?;
    require(&cx.who, Action::ConveneCongress)?;
    let kind = Kind::parse(f.get("kind").unwrap_or(""))
        .ok_or_else(|| AppError::refused("say how they take part"))?;
    let mandates = match f.get("mandates").filter(|m| !m.is_empty()) {
        Some(m) => quantity::MANDATES.parse(m)?,
        None => 0,
    };
    state
        .store
        .add_participant(
            id,
            f.id("person", "The person number")?,
            kind,
            mandates,
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/congresses/{id}")).into_response())
}
