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
//!
//! One module per page or part: the list and convening (`list`), the overview (`overview`),
//! credentials (`credentials`), the presidium's console (`presidium`), a delegate's page
//! (`delegate`), a motion (`motion`), the projector and the live stream (`live`), the minutes
//! (`minutes`). What they share (the congress as the viewer sees it, its navigation, how a unit
//! is named) is here.

pub mod credentials;
pub mod delegate;
pub mod list;
pub mod live;
pub mod minutes;
pub mod motion;
pub mod overview;
pub mod presidium;

use crate::access::{allowed, Action, Place, Who};
use crate::error::{AppError, AppResult};
use crate::pages::{require, who};
use crate::AppState;
use axum::http::header;
use axum::response::IntoResponse;
use count::motion::Decision;
use maud::{html, Markup};
use store::accounts::Session;
use store::congress::{Congress, Participant};

const SCRIPT: &str = include_str!("../../../static/congress.js");

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
struct Ctx {
    who: Who,
    congress: Congress,
    me: Option<Participant>,
}

async fn ctx(state: &AppState, session: &Session, id: i64) -> AppResult<Ctx> {
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
async fn participation(state: &AppState, w: &Who, id: i64) -> AppResult<Option<Participant>> {
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
