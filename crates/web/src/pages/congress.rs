//! The congress: convening (central committee), credentials (credentials committee), the
//! presidium's console, a delegate's page, the projector view, motions with their amendments,
//! and the minutes.
//!
//! Every page works as plain HTML forms. Pages with a live part carry
//! `<div id="live" data-live="/congresses/N/live">`; the static script `/static/congress.js`
//! (the only script, same origin) listens to that server-sent event stream and reloads the
//! part when a vote opens or closes, a vote is cast, or the speaker changes.
//!
//! People appear by party name only, never by identity; a closed unit's name is shown only to
//! those the access rules let know of it.

use super::{chains, require, who};
use crate::access::{allowed, Action, Place, Who};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::session::{check_csrf, Signed, Viewer};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::congress::blocs::Choice;
use core_rules::congress::{ApportionRule, Edit};
use core_rules::quantity::{self, Bound};
use core_rules::text as limits;
use core_rules::Day;
use core_rules::{Refusal, Typed};
use count::motion::{Decision, Majority, Quorum, Rule};
use maud::{html, Markup, PreEscaped};
use std::collections::{BTreeMap, BTreeSet};
use store::accounts::Session;
use store::congress::{Congress, Kind, NewCongress, Participant};

const SCRIPT: &str = include_str!("../../static/congress.js");

pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

/// The congress, the viewer's rules, and the viewer's participation in it. An unknown
/// congress, or one the viewer may not see, is "not found".
struct Ctx<'a> {
    who: Who<'a>,
    congress: Congress,
    me: Option<Participant>,
}

async fn ctx<'a>(state: &AppState, session: &'a Session, id: i64) -> AppResult<Ctx<'a>> {
    let w = who(state, session).await?;
    let congress = state.store.congress(id).await?.ok_or(AppError::NotFound)?;
    let me = participation(state, &w, id).await?;
    require(
        &w,
        Action::ViewCongress {
            participant: me.is_some(),
        },
    )?;
    Ok(Ctx {
        who: w,
        congress,
        me,
    })
}

/// The viewer's participation in a congress, if they take part in it.
async fn participation(state: &AppState, w: &Who<'_>, id: i64) -> AppResult<Option<Participant>> {
    Ok(match w.own {
        Some(o) => state.store.participant_for(id, o.person_id).await?,
        None => None,
    })
}

fn nav(c: &Congress, w: &Who, me: &Option<Participant>) -> Markup {
    let id = c.id;
    html! {
        p.crumbs {
            a href="/congresses" { "Congresses" } " · "
            a href={ "/congresses/" (id) } { (c.name) } " · "
            @if me.is_some() { a href={ "/congresses/" (id) "/delegate" } { "My page" } " · " }
            @if allowed(w, Action::CheckCredentials) { a href={ "/congresses/" (id) "/credentials" } { "Credentials" } " · " }
            @if allowed(w, Action::Preside) { a href={ "/congresses/" (id) "/presidium" } { "Presidium console" } " · " }
            a href={ "/congresses/" (id) "/projector" } { "Projector" } " · "
            a href={ "/congresses/" (id) "/minutes" } { "Minutes" }
        }
    }
}

fn live_region(id: i64, tally: bool, inner: Markup) -> Markup {
    html! {
        div #live data-live={ "/congresses/" (id) "/live" @if tally { "?tally=1" } } { (inner) }
        script src="/static/congress.js" {}
    }
}

fn decision_words(d: Decision) -> &'static str {
    match d {
        Decision::Adopted => "Adopted",
        Decision::Rejected => "Rejected",
        Decision::NoQuorum => "No quorum: no decision",
    }
}

type Chains = std::collections::HashMap<i64, Vec<store::units::Unit>>;

/// Whether the viewer may know of a unit (a unit missing from the tree counts as closed).
fn known(w: &Who, chains: &Chains, unit: i64) -> bool {
    chains
        .get(&unit)
        .is_some_and(|chain| allowed(w, Action::KnowUnit(Place { chain })))
}

/// A unit's name, or "a closed unit" for a viewer who may not know of it.
fn unit_label(w: &Who, chains: &Chains, unit: i64, name: &str) -> String {
    if known(w, chains, unit) {
        name.to_string()
    } else {
        "a closed unit".to_string()
    }
}

/// Whether the viewer may see how many members a unit has, beside its mandates: not a closed
/// unit's, except for those who see its figures (a unit missing from the tree counts as closed).
fn membership_shown(w: &Who, chains: &Chains, unit: i64) -> bool {
    chains
        .get(&unit)
        .is_some_and(|chain| allowed(w, Action::ViewCongressMembership(Place { chain })))
}

// ---------------------------------------------------------------------------------------------
// The list, and convening.

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
    let rule = state.store.statutes_on(Day::today()).await?.rules.congress;
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
fn num(f: &FormData, bound: Bound) -> AppResult<u64> {
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

// ---------------------------------------------------------------------------------------------
// The overview.

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
                    td { (p.kind.words()) }
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

async fn votes_table(state: &AppState, votes: &[store::congress::Vote]) -> AppResult<Markup> {
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

// ---------------------------------------------------------------------------------------------
// Credentials.

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

async fn participant_here(state: &AppState, congress: i64, id: i64) -> AppResult<Participant> {
    state
        .store
        .participant(id)
        .await?
        .filter(|p| p.congress_id == congress)
        .ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------------------------------------
// The presidium's console.

pub async fn presidium(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    require(&cx.who, Action::Preside)?;
    let store = &state.store;
    let people = store.participants(id).await?;
    let agenda = store.agenda(id).await?;
    let motions = store.motions(id).await?;
    let votes = store.votes(id).await?;
    let elections = store.elections(id).await?;
    let q = store.quorum(id).await?;
    let action = format!("/congresses/{id}/presidium");
    let mut items = Vec::new();
    for a in &agenda {
        items.push((a, store.speaking_order(a).await?));
    }
    let mut motion_blocks = Vec::new();
    for m in &motions {
        let ams = store.amendments(m.id).await?;
        let order = store.amendment_order(m.id).await?;
        motion_blocks.push((m, ams, order));
    }
    let mut cast = BTreeMap::new();
    for v in votes.iter().filter(|v| v.open) {
        cast.insert(v.id, store.votes_cast(v.id).await?);
    }
    let mut cands = BTreeMap::new();
    for e in &elections {
        cands.insert(e.id, store.candidates(e.id).await?);
    }
    let form = |what: &str, inner: Markup| -> Markup {
        html! {
            form.inline method="post" action=(action) {
                (csrf(&session))
                input type="hidden" name="do" value=(what);
                (inner)
            }
        }
    };
    let body = html! {
        h1 { "Presidium: " (cx.congress.name) }
        (nav(&cx.congress, &cx.who, &cx.me))
        (live_region(id, true, html! {
            div.figures {
                div.figure { b { (q.present) " / " (q.entitled) } "mandates present" }
                div.figure { b.{ @if q.met { "ok" } @else { "no" } } { @if q.met { "Quorum" } @else { "No quorum" } } (q.needed) " needed" }
            }
            h2 { "Open votes" }
            @for v in votes.iter().filter(|v| v.open) {
                p { (v.title) " — " (cast.get(&v.id).copied().unwrap_or(0)) " mandates have voted. "
                    (form("close_vote", html! { input type="hidden" name="vote" value=(v.id); button { "Close the vote" } })) }
            }
        }))
        h2 { "Presence" }
        form method="post" action=(action) {
            (csrf(&session))
            table {
                tr { th {} th { "Party name" } th.num { "Mandates" } th { "Present" } }
                @for p in people.iter().filter(|p| p.kind != Kind::Guest) {
                    tr { td { input type="checkbox" name="participant" value=(p.id); } td { (p.pseudonym) } td.num { (p.mandates) } td { @if p.present { "yes" } @else { "no" } } }
                }
            }
            button name="do" value="check_out" { "Check the ticked out (a walkout)" } " "
            button.secondary name="do" value="check_in" { "Check the ticked in" }
        }
        h2 { "Agenda and speakers" }
        @for (a, speakers) in &items {
            h3 { (a.position) ". " (a.title) }
            p.muted { (a.speech_minutes) " min per speech"
                @if a.alternate_tags { "; the list alternates tags" } }
            ol { @for s in speakers { li {
                (s.pseudonym) @if s.point_of_order { " (point of order)" }
                @if !s.tag.is_empty() { " [" (s.tag) "]" }
                " — " (s.state) ", " (s.minutes) " min"
                @if s.state == "speaking" { " · " (speech_clock(s)) }
                @if s.state == "waiting" {
                    " " (form("tag_speaker", html! {
                        input type="hidden" name="speaker" value=(s.id);
                        input type="text" name="tag" size="10" value=(s.tag) placeholder="tag";
                        button.secondary { "Tag" } }))
                }
            } } }
            (form("next_speaker", html! { input type="hidden" name="item" value=(a.id); button { "Next speaker" } }))
            (form("speaking_rules", html! {
                input type="hidden" name="item" value=(a.id);
                label { "Minutes per speech " input type="number" name="minutes" min="1" max="120" value=(a.speech_minutes); }
                label.inline { input type="checkbox" name="alternate" value="1" checked[a.alternate_tags]; " alternate tags (quota)" }
                button.secondary { "Set" } }))
        }
        (form("agenda", html! { label { "New agenda item " input type="text" name="title"; } label { "Motion number (optional) " input type="number" name="motion"; } button { "Add" } }))
        h2 { "Motions and amendments" }
        @for (m, ams, order) in &motion_blocks {
            h3 { a href={ "/congresses/" (id) "/motions/" (m.id) } { (m.title) } " — " (m.state) }
            p.muted { "Proposed voting order: "
                @for a in order { "amendment " (a) ", " } "then the motion." }
            @for a in ams.iter().filter(|a| a.state == "submitted") {
                p { "Amendment " (a.amendment.id) ": " (a.amendment.edit.describe()) " "
                    (form("open_vote", html! {
                        input type="hidden" name="subject" value="amendment";
                        input type="hidden" name="subject_id" value=(a.amendment.id);
                        (vote_options())
                        button { "Put to the vote" } })) }
            }
            (form("open_vote", html! {
                input type="hidden" name="subject" value="motion";
                input type="hidden" name="subject_id" value=(m.id);
                (vote_options())
                button { "Put the motion to the vote" } }))
            (form("motion_state", html! {
                input type="hidden" name="motion" value=(m.id);
                select name="state" { @for s in &cx.congress.motion_states { option { (s) } } }
                button.secondary { "Set state" } }))
        }
        h2 { "Other votes" }
        (form("open_vote", html! {
            input type="hidden" name="subject" value="credentials";
            (vote_options())
            button { "Put the credentials report to the vote" } }))
        (form("open_vote", html! {
            input type="hidden" name="subject" value="question";
            input type="text" name="title" placeholder="A question";
            (vote_options())
            button { "Put to the vote" } }))
        h2 { "Elections" }
        @for e in &elections {
            h3 { (e.title) " (" (e.state) ")" }
            p { "Candidates: " @for c in cands.get(&e.id).into_iter().flatten() { (c.pseudonym) @if c.accepted { " ✓" } " · " } }
            @if e.state == "nominating" {
                // Only the congress's own participants are offered: a number typed here could
                // otherwise name anyone in the organisation, and their party name would appear.
                (form("nominate", html! { input type="hidden" name="election" value=(e.id); label { "Nominate " select name="person" { @for p in people.iter().filter(|p| p.kind != Kind::Guest) { option value=(p.person_id) { (p.pseudonym) } } } } " " button.secondary { "Nominate" } }))
                (form("open_election", html! { input type="hidden" name="election" value=(e.id); button { "Open the ballot" } }))
            }
            @if e.state == "open" {
                (form("close_election", html! { input type="hidden" name="election" value=(e.id); button { "Close and count" } }))
            }
        }
        (form("election", html! {
            label { "Elect " input type="text" name="title" placeholder="Central Committee"; }
            label { "Seats " input type="number" name="seats" min="1" value="1"; }
            select name="method" { option value="scottish_stv" { "STV (Scottish rules)" } option value="meek" { "Meek STV" } }
            button { "Call an election" } }))
    };
    Ok(layout::page("Presidium", &state.org_name, &session, body).into_response())
}

/// A speech's time: its limit, when it ends (UTC) and the time left or the overrun, as of the
/// page (the live stream reloads the page at each change of speaker).
fn speech_clock(s: &store::congress::Speaker) -> Markup {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let Some(start) = s.started_at else {
        return html! { (s.minutes) " min" };
    };
    let left = core_rules::congress::speakers::seconds_left(start, s.minutes, now);
    let end = (start + s.minutes * 60).rem_euclid(86_400);
    html! {
        span.clock {
            (s.minutes) " min, until "
            (format!("{:02}:{:02}:{:02} UTC", end / 3600, end / 60 % 60, end % 60))
            @if left >= 0 { " (" (format!("{}:{:02}", left / 60, left % 60)) " left)" }
            @else { " (over by " (format!("{}:{:02}", -left / 60, -left % 60)) ")" }
        }
    }
}

fn vote_options() -> Markup {
    html! {
        select name="secret" { option value="0" { "roll call" } option value="1" { "secret ballot" } }
        select name="majority" { option value="simple" { "simple majority" } option value="two_thirds" { "two thirds" } option value="absolute" { "absolute majority" } }
        label.inline { input type="checkbox" name="quorum" value="1" checked; " quorum" }
    }
}

pub async fn preside(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let cx = ctx(&state, &session, id).await?;
    require(&cx.who, Action::Preside)?;
    let store = &state.store;
    let by = Some(session.account.id);
    match f.get("do").unwrap_or("") {
        "check_in" | "check_out" => {
            let mut ids = Vec::new();
            for p in f.all("participant") {
                let p = p.parse().map_err(|_| {
                    Refusal::on("participant", "{} is not a participant").arg(Typed(p))
                })?;
                ids.push(participant_here(&state, id, p).await?.id);
            }
            store
                .set_presence(id, &ids, f.get("do") == Some("check_in"), by)
                .await?;
        }
        "next_speaker" => {
            let item = f.id("item", "The agenda item")?;
            if !store.agenda(id).await?.iter().any(|a| a.id == item) {
                return Err(AppError::NotFound);
            }
            store.next_speaker(item, by).await?;
        }
        "speaking_rules" => {
            let item = f.id("item", "The agenda item")?;
            if !store.agenda(id).await?.iter().any(|a| a.id == item) {
                return Err(AppError::NotFound);
            }
            let minutes = num(&f, quantity::SPEECH_MINUTES)? as i64;
            store
                .set_speaking_rules(item, minutes, f.get("alternate") == Some("1"), by)
                .await?;
        }
        "tag_speaker" => {
            let speaker = f.id("speaker", "The speaker")?;
            let mut here = false;
            for a in store.agenda(id).await? {
                here |= store.speakers(a.id).await?.iter().any(|s| s.id == speaker);
            }
            if !here {
                return Err(AppError::NotFound);
            }
            store
                .tag_speaker(speaker, &f.bounded(&limits::TAG)?, by)
                .await?;
        }
        "agenda" => {
            let motion = f.get("motion").and_then(|m| m.parse().ok());
            store
                .add_agenda_item(id, &f.bounded(&limits::AGENDA_TITLE)?, motion, by)
                .await?;
        }
        "open_vote" => {
            let (qn, qd) = cx.congress.quorum;
            let majority = match f.get("majority").unwrap_or("simple") {
                "two_thirds" => (Majority::TWO_THIRDS, count::motion::Base::Cast),
                "absolute" => (Majority::SIMPLE, count::motion::Base::Entitled),
                _ => (Majority::SIMPLE, count::motion::Base::Cast),
            };
            let rule = Rule {
                base: majority.1,
                majority: majority.0,
                quorum: if f.get("quorum") == Some("1") {
                    Quorum::Fraction { num: qn, den: qd }
                } else {
                    Quorum::None
                },
                tie: count::motion::TieRule::Fails,
            };
            let subject_id = f.get("subject_id").and_then(|s| s.parse().ok());
            store
                .open_vote(
                    id,
                    f.get("subject").unwrap_or(""),
                    subject_id,
                    &f.bounded(&limits::VOTE_TITLE)?,
                    f.get("secret") == Some("1"),
                    rule,
                    by,
                )
                .await?;
        }
        "close_vote" => {
            let v = f.id("vote", "The vote")?;
            let vote = store.vote(v).await?.filter(|x| x.congress_id == id);
            if vote.is_none() {
                return Err(AppError::NotFound);
            }
            store.close_vote(v, by).await?;
        }
        "motion_state" => {
            let m = f.id("motion", "The motion")?;
            motion_here(&state, id, m).await?;
            store.set_motion_state(m, &f.text("state"), by).await?;
        }
        "election" => {
            store
                .create_election(
                    id,
                    &f.bounded(&limits::ELECTION_TITLE)?,
                    num(&f, quantity::SEATS)?,
                    f.get("method").unwrap_or("scottish_stv"),
                    by,
                )
                .await?;
        }
        "nominate" | "open_election" | "close_election" => {
            let e = f.id("election", "The election")?;
            if !store.elections(id).await?.iter().any(|x| x.id == e) {
                return Err(AppError::NotFound);
            }
            match f.get("do") {
                Some("nominate") => {
                    // A participant of this congress, or nobody: anyone else is "not found",
                    // exactly as a number that belongs to no one.
                    let person = f.id("person", "The nominee")?;
                    if !store
                        .participants(id)
                        .await?
                        .iter()
                        .any(|p| p.person_id == person && p.kind != Kind::Guest)
                    {
                        return Err(AppError::NotFound);
                    }
                    store.nominate(e, person, by).await?;
                }
                Some("open_election") => store.open_election(e, by).await?,
                _ => {
                    store.close_election(e, by).await?;
                }
            }
        }
        other => return Err(crate::error::unknown_action(other)),
    }
    Ok(Redirect::to(&format!("/congresses/{id}/presidium")).into_response())
}

async fn motion_here(
    state: &AppState,
    congress: i64,
    m: i64,
) -> AppResult<store::congress::Motion> {
    state
        .store
        .motion(m)
        .await?
        .filter(|x| x.congress_id == congress)
        .ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------------------------------------
// A delegate's page.

pub async fn delegate(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    require(
        &cx.who,
        Action::TakePart {
            participant: cx.me.is_some(),
        },
    )?;
    let me = cx.me.clone().expect("a participant");
    let store = &state.store;
    let votes = store.votes(id).await?;
    let mut voted = BTreeSet::new();
    for v in votes.iter().filter(|v| v.open) {
        if store.has_voted(v.id, me.id).await? {
            voted.insert(v.id);
        }
    }
    let elections = store.elections(id).await?;
    let mut cands = BTreeMap::new();
    for e in &elections {
        cands.insert(e.id, store.candidates(e.id).await?);
    }
    let agenda = store.agenda(id).await?;
    let motions = store.motions(id).await?;
    let speaker = store.current_speaker(id).await?;
    let q = store.quorum(id).await?;
    let action = format!("/congresses/{id}/delegate");
    let form = |what: &str, inner: Markup| -> Markup {
        html! {
            form.inline method="post" action=(action) {
                (csrf(&session))
                input type="hidden" name="do" value=(what);
                (inner)
            }
        }
    };
    let person = cx.who.own.map(|o| o.person_id).unwrap_or(0);
    let body = html! {
        h1 { (me.pseudonym) " at " (cx.congress.name) }
        (nav(&cx.congress, &cx.who, &cx.me))
        p { "You take part as " strong { (me.kind.words()) }
            @if me.mandates > 0 { " with " (me.mandates) " mandate" @if me.mandates > 1 { "s" } }
            "; credentials " (me.credential) "; " @if me.present { "checked in." } @else { "not checked in." } }
        @if me.present { (form("check_out", html! { button.secondary { "Check out" } })) }
        @else { (form("check_in", html! { button { "Check in" } })) }
        (live_region(id, false, html! {
            p #speaker { "Speaking now: " strong { @match &speaker { Some(s) => (s.pseudonym), None => "nobody" } } }
            p { (q.present) " of " (q.entitled) " mandates present; " @if q.met { "quorum." } @else { "no quorum." } }
            h2 { "Votes" }
            @for v in votes.iter().filter(|v| v.open) {
                div.vote {
                    p { strong { (v.title) } " (" @if v.secret { "secret ballot" } @else { "roll call" } ")" }
                    @if voted.contains(&v.id) { p.ok { "Your vote is recorded." } }
                    @else if me.can_vote() {
                        (form("vote", html! {
                            input type="hidden" name="vote" value=(v.id);
                            button name="choice" value="yes" { "Yes" } " "
                            button name="choice" value="no" { "No" } " "
                            button.secondary name="choice" value="abstain" { "Abstain" } }))
                    } @else { p.muted { "You have no vote here (a mandate, accepted credentials and presence are needed)." } }
                }
            }
            @if !votes.iter().any(|v| v.open) { p.muted { "No vote is open." } }
            @for v in votes.iter().rev().filter(|v| !v.open).take(1) {
                @if let Some(o) = &v.outcome { p { "Last result — " (v.title) ": " strong { (decision_words(o.decision)) } ", yes " (o.yes) ", no " (o.no) ", abstain " (o.abstain) "." } }
            }
            @for e in elections.iter().filter(|e| e.state == "open") {
                h3 { "Ballot: " (e.title) " (" (e.seats) " seats)" }
                @let standing: Vec<_> = cands.get(&e.id).into_iter().flatten().filter(|c| c.accepted).collect();
                (form("rank", html! {
                    input type="hidden" name="election" value=(e.id);
                    @for i in 1..=standing.len() {
                        label { "Preference " (i) " " select name="rank" { option value="" { "—" } @for c in &standing { option value=(c.id) { (c.pseudonym) } } } }
                    }
                    button { "Cast my ballot" } }))
            }
        }))
        h2 { "Nominations" }
        @for e in elections.iter().filter(|e| e.state == "nominating") {
            @for c in cands.get(&e.id).into_iter().flatten().filter(|c| c.person_id == person) {
                p { "You are nominated for " (e.title) ". "
                    (form("accept", html! { input type="hidden" name="candidate" value=(c.id); button name="accept" value="1" { "Accept" } " " button.secondary name="accept" value="0" { "Decline" } })) }
            }
        }
        h2 { "The floor" }
        @for a in &agenda {
            p { (a.position) ". " (a.title) " "
                (form("floor", html! { input type="hidden" name="item" value=(a.id); button.secondary { "Ask for the floor" } }))
                " " (form("point_of_order", html! { input type="hidden" name="item" value=(a.id); button.secondary { "Point of order" } })) }
        }
        h2 { "Motions" }
        ul { @for m in &motions { li { a href={ "/congresses/" (id) "/motions/" (m.id) } { (m.title) } " — " (m.state) " " (form("support", html! { input type="hidden" name="motion" value=(m.id); button.secondary { "Support" } })) } } }
        form method="post" action=(action) {
            (csrf(&session))
            input type="hidden" name="do" value="motion";
            fieldset { legend { "Propose a motion" }
                label { "Title " input type="text" name="title"; }
                label { "Text (one line per numbered line) " textarea name="body" rows="6" cols="70" {} }
                label { input type="checkbox" name="statutes" value="1"; " It amends the statutes (if adopted, the rules its text sets take effect on the congress's day)" }
                button { "Propose" } }
        }
    };
    Ok(layout::page("Delegate", &state.org_name, &session, body).into_response())
}

pub async fn take_part(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let cx = ctx(&state, &session, id).await?;
    require(
        &cx.who,
        Action::TakePart {
            participant: cx.me.is_some(),
        },
    )?;
    let me = cx.me.expect("a participant");
    let store = &state.store;
    let by = Some(session.account.id);
    let mut back = format!("/congresses/{id}/delegate");
    match f.get("do").unwrap_or("") {
        "check_in" | "check_out" => {
            store
                .set_presence(id, &[me.id], f.get("do") == Some("check_in"), by)
                .await?;
        }
        "vote" => {
            let v = f.id("vote", "The vote")?;
            if store
                .vote(v)
                .await?
                .filter(|x| x.congress_id == id)
                .is_none()
            {
                return Err(AppError::NotFound);
            }
            let choice = Choice::parse(f.get("choice").unwrap_or(""))
                .ok_or_else(|| AppError::refused("choose yes, no or abstain"))?;
            store.cast_vote(v, me.id, choice, by).await?;
        }
        "rank" => {
            let e = f.id("election", "The election")?;
            if !store.elections(id).await?.iter().any(|x| x.id == e) {
                return Err(AppError::NotFound);
            }
            let ranking = f
                .all("rank")
                .filter(|r| !r.is_empty())
                .map(|r| {
                    r.parse()
                        .map_err(|_| Refusal::on("rank", "{} is not a candidate").arg(Typed(r)))
                })
                .collect::<Result<Vec<i64>, Refusal>>()?;
            store.cast_ranking(e, me.id, &ranking, by).await?;
        }
        "floor" | "point_of_order" => {
            let item = f.id("item", "The agenda item")?;
            if !store.agenda(id).await?.iter().any(|a| a.id == item) {
                return Err(AppError::NotFound);
            }
            store
                .request_floor(item, me.id, f.get("do") == Some("point_of_order"), 0, by)
                .await?;
        }
        "motion" => {
            let m = store
                .submit_motion(
                    id,
                    &f.bounded(&limits::MOTION_TITLE)?,
                    &f.bounded(&limits::MOTION_TEXT)?,
                    f.get("statutes") == Some("1"),
                    Some(me.id),
                    by,
                )
                .await?;
            back = format!("/congresses/{id}/motions/{m}");
        }
        "support" => {
            let m = f.id("motion", "The motion")?;
            motion_here(&state, id, m).await?;
            store.support_motion(m, me.id, by).await?;
        }
        "amendment" => {
            let m = f.id("motion", "The motion")?;
            motion_here(&state, id, m).await?;
            let line = |name: &'static str, label: &'static str| -> AppResult<Option<usize>> {
                match f.get(name).filter(|v| !v.is_empty()) {
                    None => Ok(None),
                    Some(v) => v.parse().map(Some).map_err(|_| {
                        Refusal::on(name, "{}: {} is not a line number")
                            .arg(label)
                            .arg(Typed(v))
                            .into()
                    }),
                }
            };
            let from = line("from", "The first line")?
                .ok_or_else(|| AppError::refused("The first line is missing"))?;
            let edit = Edit::parse(
                f.get("op").unwrap_or(""),
                from,
                line("to", "The last line")?,
                &f.bounded(&limits::AMENDMENT_TEXT)?,
            )
            .map_err(Refusal::from)?;
            let parent = f.get("parent").and_then(|p| p.parse().ok());
            store
                .propose_amendment(m, parent, &edit, Some(me.id), by)
                .await?;
            back = format!("/congresses/{id}/motions/{m}");
        }
        "accept" => {
            let cand = f.id("candidate", "The nomination")?;
            store
                .accept_nomination(cand, me.person_id, f.get("accept") == Some("1"), by)
                .await?;
        }
        other => return Err(crate::error::unknown_action(other)),
    }
    Ok(Redirect::to(&back).into_response())
}

// ---------------------------------------------------------------------------------------------
// A motion: its numbered lines, amendments, voting order and consolidated text.

pub async fn motion(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path((id, m)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    let motion = motion_here(&state, id, m).await?;
    let ams = state.store.amendments(m).await?;
    let order = state.store.amendment_order(m).await?;
    let consolidated = state.store.consolidated(m).await?;
    let all: Vec<_> = ams.iter().map(|a| a.amendment.clone()).collect();
    let pending: Vec<_> = ams
        .iter()
        .filter(|a| a.state == "submitted")
        .map(|a| a.amendment.clone())
        .collect();
    let conflicts = core_rules::congress::text::conflicts(&pending);
    let _ = all;
    // A statutes motion: what its text, as amended so far, would change in the rules in force.
    let reading = if motion.statutes {
        Some(
            state
                .store
                .statutes_change_of(&cx.congress, &consolidated)
                .await?,
        )
    } else {
        None
    };
    let body = html! {
        h1 { (motion.title) }
        (nav(&cx.congress, &cx.who, &cx.me))
        p { "State: " strong { (motion.state) } "; " (motion.supporters) " supporters." }
        h2 { "Text" }
        table.lines { @for (i, l) in motion.lines.iter().enumerate() { tr { td.num { (i + 1) } td { (l) } } } }
        h2 { "Amendments" }
        table {
            tr { th { "No." } th { "Amends" } th { "Edit" } th { "New text" } th { "Moved by" } th { "State" } }
            @for a in &ams {
                tr {
                    td { (a.amendment.id) }
                    td { @match a.amendment.parent { Some(p) => { "amendment " (p) }, None => "the motion" } }
                    td { (a.amendment.edit.describe()) }
                    td { @if let Some(t) = a.amendment.edit.text() { @for l in t { (l) br; } } }
                    td { (a.submitted_by.clone().unwrap_or_default()) }
                    td { (a.state) }
                }
            }
        }
        @if !conflicts.is_empty() {
            p.notice { "Conflicting amendments (adopting one makes the other fall): "
                @for (a, b) in &conflicts { (a) " and " (b) "; " } }
        }
        p { "Proposed voting order (amendments to an amendment before it; among conflicting ones the most far-reaching first, i.e. the one changing most lines): "
            @for a in &order { "amendment " (a) ", " } "then the motion." }
        h2 { "The text as amended so far" }
        table.lines { @for (i, l) in consolidated.iter().enumerate() { tr { td.num { (i + 1) } td { (l) } } } }
        @if let Some(reading) = &reading {
            h2 { "What adopting it changes in the statutes' rules" }
            @match reading {
                Ok(None) => p { "Nothing: the text as amended so far sets no rule differently from the statutes in force (Iskra reads only Paragraph 1's two wordings and the sentences below)." },
                Ok(Some((_, from, changes))) => {
                    p { "From " (from) ", when adopted; membership and voting rights are then judged by the new rules." }
                    table {
                        tr { th { "Line" } th { "Rule" } th { "In force" } th { "Would become" } }
                        @for c in changes { tr { td.num { (c.line) } td { (c.rule.name()) } td { (c.before) } td { strong { (c.after) } } } }
                    }
                }
                Err(e) => p.notice { "This motion cannot be put to the vote until it is amended: " (e) "." },
            }
            details {
                summary { "The clauses Iskra reads from a statutes motion" }
                p { "Paragraph 1 in Lenin's or in Martov's wording, and these sentences, with any figure in place of N (in digits, or in words up to twelve). Any other wording is the congress's text and changes no rule." }
                ul { @for c in core_rules::clauses::CLAUSES { li { (c.sentence) } } }
            }
        }
        @if cx.me.is_some() {
            form method="post" action={ "/congresses/" (id) "/delegate" } {
                (csrf(&session))
                input type="hidden" name="do" value="amendment";
                input type="hidden" name="motion" value=(m);
                fieldset { legend { "Move an amendment" }
                    label { select name="op" { option value="replace" { "replace lines" } option value="insert" { "insert after line" } option value="delete" { "delete lines" } } }
                    label { "From line " input type="number" name="from" min="0"; " to line " input type="number" name="to" min="1"; }
                    label { "Of amendment number (empty: of the motion) " input type="number" name="parent"; }
                    label { "New text " textarea name="text" rows="3" cols="70" {} }
                    button { "Move" } }
            }
        }
    };
    Ok(layout::page(&motion.title, &state.org_name, &session, body).into_response())
}

// ---------------------------------------------------------------------------------------------
// The projector and the live stream.

pub async fn projector(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    let store = &state.store;
    let speaker = store.current_speaker(id).await?;
    let votes = store.votes(id).await?;
    let q = store.quorum(id).await?;
    let mut open = Vec::new();
    for v in votes.iter().filter(|v| v.open) {
        open.push((v, store.votes_cast(v.id).await?));
    }
    let last = votes.iter().rev().find(|v| !v.open);
    let body = html! {
        (live_region(id, true, html! {
            div.projector {
                h1 { (cx.congress.name) }
                p.big #speaker { "Speaking: " strong { @match &speaker { Some(s) => (s.pseudonym), None => "—" } }
                    @if let Some(s) = &speaker { " · " (speech_clock(s)) } }
                p #presence { (q.present) " of " (q.entitled) " mandates present · " @if q.met { "quorum" } @else { "no quorum" } }
                @for (v, n) in &open {
                    p.big.vote { "Voting: " strong { (v.title) } " — " span #cast { (n) } " mandates have voted" }
                }
                @if open.is_empty() { p.big.vote { "No vote open" } }
                @if let Some(v) = last { @if let Some(o) = &v.outcome {
                    p #result { "Result — " (v.title) ": " strong { (decision_words(o.decision)) } " · yes " (o.yes) " · no " (o.no) " · abstain " (o.abstain) }
                } }
            }
        }))
    };
    Ok(layout::page("Projector", &state.org_name, &session, body).into_response())
}

/// What a live stream asks for.
#[derive(serde::Deserialize)]
pub struct LiveQuery {
    /// `1`: also tell of votes being cast (the projector and the console show the count).
    tally: Option<u8>,
}

/// The shortest time between two `tally` events on one stream: a thousand votes cast in a few
/// seconds become a few events a second, not a thousand.
const TALLY_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// How often an open stream checks its viewer again when nothing else makes it: the backstop
/// for what sends no signal (a session's idle or maximum time running out, a membership lapsing
/// and with it the offices, a signal lost while a server's listener reconnected).
const RECHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// The first backstop check comes after [`RECHECK_EVERY`] and up to this much more, at random:
/// streams opened together (a hall reconnecting at once) do not all check at the same moment.
const RECHECK_SPREAD_MS: u64 = 10_000;

struct LiveState {
    state: AppState,
    /// The session's token, to check that the session still stands; and its account, to hear
    /// when its access narrows.
    token: String,
    account: i64,
    congress: i64,
    rx: tokio::sync::broadcast::Receiver<store::congress::Change>,
    /// Votes being cast, for the pages that show the count.
    tally: Option<tokio::sync::broadcast::Receiver<store::congress::Change>>,
    last_tally: Option<tokio::time::Instant>,
    /// Accounts whose access has narrowed, on any server (`None`: some may have been missed).
    access: tokio::sync::broadcast::Receiver<Option<i64>>,
    recheck: tokio::time::Interval,
}

impl LiveState {
    /// Whether the viewer may still see this congress: their session still stands (read
    /// without touching its idle timer: a stream is not the person's activity), and the access
    /// rules, asked afresh, still let them see it. A fault answers no: the stream ends, and the
    /// page's script opens a new one, which is asked in full.
    async fn still_allowed(&self) -> bool {
        let check = async {
            let Some(session) = self.state.store.session_unchanged(&self.token).await? else {
                return Ok(false);
            };
            let w = who(&self.state, &session).await?;
            let me = participation(&self.state, &w, self.congress).await?;
            Ok::<_, AppError>(allowed(
                &w,
                Action::ViewCongress {
                    participant: me.is_some(),
                },
            ))
        };
        match check.await {
            Ok(yes) => yes,
            Err(AppError::Internal(e)) => {
                tracing::warn!(error = %e, "live stream: checking the viewer failed; stream ended");
                false
            }
            Err(_) => false,
        }
    }
}

/// The next vote cast, on a stream that asked for them; never, on one that did not.
async fn next_tally(
    t: &mut Option<tokio::sync::broadcast::Receiver<store::congress::Change>>,
) -> Result<store::congress::Change, tokio::sync::broadcast::error::RecvError> {
    match t {
        Some(t) => t.recv().await,
        None => std::future::pending().await,
    }
}

/// Server-sent events: one event per change at this congress (`vote`, `speaker`, `presence`,
/// ...; `tally` only when asked for, and at most one per [`TALLY_EVERY`]). The page's script
/// reloads its live part on each.
///
/// A stream lasts only as long as its viewer's access. Before each event it asks again (the
/// session, then `who` and the access rules, as a page request would); it also asks at once when
/// a signal says the viewer's account lost something (a session or an office ended, the account
/// suspended: `Store::access_narrowed`, heard from every server of a PostgreSQL deployment), and
/// every [`RECHECK_EVERY`] whatever happens. When the answer is no, the stream ends, without the
/// event.
///
/// Why all three: the signal ends a stream within moments of a sign-out or an office ended, on
/// any server; the check before each event makes sure nothing is sent on access that has ended
/// without a signal (a membership lapsed, a session run out of time); the periodic check ends
/// such a stream even when no event comes. The check before each event is the costly one (five
/// reads per stream and event: about 0.35 s more before the last of 1,000 streams hears of a
/// vote's close, BENCHMARKS.md), and was kept: it asks exactly what a page request asks, and in a
/// hall each event already makes every page fetch itself again, which costs more.
pub async fn live(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<LiveQuery>,
) -> AppResult<Response> {
    use tokio::sync::broadcast::error::RecvError;
    let Viewer(Some(session), Some(token)) = viewer else {
        return Err(AppError::Login);
    };
    ctx(&state, &session, id).await?;
    let live = state.store.congress_live().await?;
    let first =
        RECHECK_EVERY + std::time::Duration::from_millis(rand::random::<u64>() % RECHECK_SPREAD_MS);
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + first, RECHECK_EVERY);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let st = LiveState {
        state: state.clone(),
        token,
        account: session.account.id,
        congress: id,
        rx: live.subscribe(),
        tally: (q.tally == Some(1)).then(|| live.subscribe_tally()),
        last_tally: None,
        access: live.subscribe_access(),
        recheck,
    };
    let event = |kind: &'static str| {
        Ok::<_, std::convert::Infallible>(SseEvent::default().event(kind).data(kind))
    };
    let stream = futures_util::stream::unfold(st, move |mut st| async move {
        loop {
            let got = tokio::select! {
                r = st.rx.recv() => r,
                r = next_tally(&mut st.tally) => r,
                r = st.access.recv() => {
                    match r {
                        // Another account's: nothing to do with this stream.
                        Ok(Some(a)) if a != st.account => continue,
                        // This account's, or some were missed (`None`, or this receiver
                        // lagged): ask again.
                        Ok(_) | Err(RecvError::Lagged(_)) => {}
                        // The server's signals are gone: the backstop still asks.
                        Err(RecvError::Closed) => {}
                    }
                    if !st.still_allowed().await {
                        return None;
                    }
                    continue;
                }
                _ = st.recheck.tick() => {
                    if !st.still_allowed().await {
                        return None;
                    }
                    continue;
                }
            };
            let kind = match got {
                Ok(c) if c.congress != st.congress => continue,
                Ok(c) => c.kind,
                // Missed some: tell the page to reload anyway.
                Err(RecvError::Lagged(_)) => "lagged",
                Err(RecvError::Closed) => return None,
            };
            if kind == "tally" {
                if let Some(last) = st.last_tally {
                    tokio::time::sleep_until(last + TALLY_EVERY).await;
                }
                // One event for all the votes cast meanwhile.
                if let Some(t) = st.tally.as_mut() {
                    while !matches!(
                        t.try_recv(),
                        Err(tokio::sync::broadcast::error::TryRecvError::Empty)
                            | Err(tokio::sync::broadcast::error::TryRecvError::Closed)
                    ) {}
                }
                st.last_tally = Some(tokio::time::Instant::now());
            }
            // Nothing goes out to a viewer who may no longer see it.
            if !st.still_allowed().await {
                return None;
            }
            return Some((event(kind), st));
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// The minutes and the blocs.

/// The minutes as a printable PDF, typeset by `crates/print`: the record of events, then the
/// votes and their results. Same access as the page.
pub async fn minutes_pdf(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    let lines = crate::words::minutes(&cx.congress, &state.store.minutes(id).await?);
    let title = format!("Minutes of {}", cx.congress.name);
    let sections = vec![print::Section {
        heading: "The record".into(),
        paragraphs: lines,
    }];
    let pdf = tokio::task::spawn_blocking(move || print::document(&title, &sections))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"minutes-{id}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

pub async fn minutes(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    let lines = crate::words::minutes(&cx.congress, &state.store.minutes(id).await?);
    let votes = state.store.votes(id).await?;
    let (analysis, names) = state.store.blocs(id).await?;
    let name = |p: &i64| names.get(p).cloned().unwrap_or_else(|| format!("#{p}"));
    let body = html! {
        h1 { "Minutes of " (cx.congress.name) }
        (nav(&cx.congress, &cx.who, &cx.me))
        p.muted { "Written from the congress's record of events. Delegates appear by party name. " a href={ "/congresses/" (id) "/minutes/pdf" } { "Printable PDF" } }
        ol.minutes { @for l in &lines { li { (l) } } }
        h2 { "Votes and results" }
        (votes_table(&state, &votes).await?)
        h2 { "Blocs in the roll calls" }
        @if analysis.delegates.is_empty() { p.muted { "No roll call has been closed." } }
        @else {
            p.muted { "Agreement: the share of the roll calls both delegates voted in where they voted alike. Blocs join those who agree on average more than half the time; the majority is the bloc that most often voted with the side that carried." }
            @for b in &analysis.blocs {
                p { strong { @if b.majority { "Majority" } @else { "Minority" } } ": "
                    (b.members.iter().map(name).collect::<Vec<_>>().join(", "))
                    " — with the prevailing side " (b.with_prevailing) " of " (b.cast) " votes" }
            }
            table {
                tr { th {} @for d in &analysis.delegates { th { (name(d)) } } }
                @for (i, d) in analysis.delegates.iter().enumerate() {
                    tr { th { (name(d)) }
                        @for j in 0..analysis.delegates.len() {
                            td.num { @match analysis.share(i, j) { Some(s) => { (format!("{:.0}%", s * 100.0)) }, None => "—" } }
                        }
                    }
                }
            }
        }
        (PreEscaped(""))
    };
    Ok(layout::page("Minutes", &state.org_name, &session, body).into_response())
}
