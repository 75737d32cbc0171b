//! A delegate's page: what they may do at the congress, and doing it.

use super::presidium::motion_here;
use super::{ctx, decision_words, live_region, nav};
use crate::access::Action;
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::pages::require;
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::congress::blocs::Choice;
use core_rules::congress::Edit;
use core_rules::text as limits;
use core_rules::{Refusal, Typed};
use maud::{html, Markup};
use std::collections::{BTreeMap, BTreeSet};

crate::form::form_actions! {
    /// What a participant's forms on their own congress page do.
    pub enum Do {
        CheckIn = "check_in",
        CheckOut = "check_out",
        Vote = "vote",
        Rank = "rank",
        Floor = "floor",
        PointOfOrder = "point_of_order",
        Motion = "motion",
        Support = "support",
        Amendment = "amendment",
        Accept = "accept",
    }
}

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
    let form = |what: Do, inner: Markup| -> Markup {
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
        p { "You take part as " strong { (crate::words::kind(me.kind)) }
            @if me.mandates > 0 { " with " (me.mandates) " mandate" @if me.mandates > 1 { "s" } }
            "; credentials " (me.credential) "; " @if me.present { "checked in." } @else { "not checked in." } }
        @if me.present { (form(Do::CheckOut, html! { button.secondary { "Check out" } })) }
        @else { (form(Do::CheckIn, html! { button { "Check in" } })) }
        (live_region(id, false, html! {
            p #speaker { "Speaking now: " strong { @match &speaker { Some(s) => (s.pseudonym), None => "nobody" } } }
            p { (q.present) " of " (q.entitled) " mandates present; " @if q.met { "quorum." } @else { "no quorum." } }
            h2 { "Votes" }
            @for v in votes.iter().filter(|v| v.open) {
                div.vote {
                    p { strong { (v.title) } " (" @if v.secret { "secret ballot" } @else { "roll call" } ")" }
                    @if voted.contains(&v.id) { p.ok { "Your vote is recorded." } }
                    @else if me.can_vote() {
                        (form(Do::Vote, html! {
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
                (form(Do::Rank, html! {
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
                    (form(Do::Accept, html! { input type="hidden" name="candidate" value=(c.id); button name="accept" value="1" { "Accept" } " " button.secondary name="accept" value="0" { "Decline" } })) }
            }
        }
        h2 { "The floor" }
        @for a in &agenda {
            p { (a.position) ". " (a.title) " "
                (form(Do::Floor, html! { input type="hidden" name="item" value=(a.id); button.secondary { "Ask for the floor" } }))
                " " (form(Do::PointOfOrder, html! { input type="hidden" name="item" value=(a.id); button.secondary { "Point of order" } })) }
        }
        h2 { "Motions" }
        ul { @for m in &motions { li { a href={ "/congresses/" (id) "/motions/" (m.id) } { (m.title) } " — " (m.state) " " (form(Do::Support, html! { input type="hidden" name="motion" value=(m.id); button.secondary { "Support" } })) } } }
        form method="post" action=(action) {
            (csrf(&session))
            input type="hidden" name="do" value=(Do::Motion);
            fieldset { legend { "Propose a motion" }
                label { "Title " input type="text" name="title"; }
                label { "Text (one line per numbered line) " textarea name="body" rows="6" cols="70" {} }
                label { input type="checkbox" name="statutes" value="1"; " It amends the statutes (if adopted, the rules its text sets take effect on the congress's day)" }
                button { "Propose" } }
        }
    };
    Ok(layout::page("Delegate", &state.org_name, &session, body).into_response())
}

// Long: one short arm per form of the delegate's page (the `do` it names), after the checks
// that hold for all of them; apart, each arm would repeat those checks.
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
    let what = Do::of(&f)?;
    match what {
        Do::CheckIn | Do::CheckOut => {
            store
                .set_presence(id, &[me.id], what == Do::CheckIn, by)
                .await?;
        }
        Do::Vote => {
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
        Do::Rank => {
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
        Do::Floor | Do::PointOfOrder => {
            let item = f.id("item", "The agenda item")?;
            if !store.agenda(id).await?.iter().any(|a| a.id == item) {
                return Err(AppError::NotFound);
            }
            store
                .request_floor(item, me.id, what == Do::PointOfOrder, 0, by)
                .await?;
        }
        Do::Motion => {
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
        Do::Support => {
            let m = f.id("motion", "The motion")?;
            motion_here(&state, id, m).await?;
            store.support_motion(m, me.id, by).await?;
        }
        Do::Amendment => {
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
        Do::Accept => {
            let cand = f.id("candidate", "The nomination")?;
            store
                .accept_nomination(cand, me.person_id, f.get("accept") == Some("1"), by)
                .await?;
        }
    }
    Ok(Redirect::to(&back).into_response())
}
