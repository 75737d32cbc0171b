//! The presidium's console: the agenda, the speakers, the votes and elections it runs.

use super::credentials::participant_here;
use super::list::num;
use super::{ctx, live_region, nav, Ctx};
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
use core_rules::quantity;
use core_rules::text as limits;
use core_rules::{Refusal, Typed};
use count::motion::{Majority, Quorum, Rule};
use maud::{html, Markup};
use std::collections::BTreeMap;
use store::accounts::Session;
use store::congress::{
    AgendaItem, Candidate, Election, Kind, Motion, Participant, QuorumNow, Speaker,
    StoredAmendment, Vote,
};

crate::form::form_actions! {
    /// What the presidium's console does.
    pub enum Do {
        CheckIn = "check_in",
        CheckOut = "check_out",
        NextSpeaker = "next_speaker",
        SpeakingRules = "speaking_rules",
        TagSpeaker = "tag_speaker",
        Agenda = "agenda",
        OpenVote = "open_vote",
        CloseVote = "close_vote",
        MotionState = "motion_state",
        Election = "election",
        Nominate = "nominate",
        OpenElection = "open_election",
        CloseElection = "close_election",
    }
}

pub async fn presidium(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    require(&cx.who, Action::Preside)?;
    let console = load(&state, cx, &session).await?;
    let body = render(&console);
    Ok(layout::page("Presidium", &state.org_name, &session, body).into_response())
}

/// What the presidium's console shows, read once the viewer is known to preside: `render` draws
/// it and reads nothing.
struct Console {
    cx: Ctx,
    /// The form token, for the console's forms.
    csrf: Markup,
    people: Vec<Participant>,
    quorum: QuorumNow,
    /// Each agenda item with its speaking order.
    items: Vec<(AgendaItem, Vec<Speaker>)>,
    /// Each motion with its amendments and their proposed voting order.
    motions: Vec<(Motion, Vec<StoredAmendment>, Vec<i64>)>,
    votes: Vec<Vote>,
    /// The mandates cast so far in each open vote.
    cast: BTreeMap<i64, u64>,
    elections: Vec<Election>,
    candidates: BTreeMap<i64, Vec<Candidate>>,
}

async fn load(state: &AppState, cx: Ctx, session: &Session) -> AppResult<Console> {
    let store = &state.store;
    let id = cx.congress.id;
    let mut items = Vec::new();
    for a in store.agenda(id).await? {
        let speakers = store.speaking_order(&a).await?;
        items.push((a, speakers));
    }
    let mut motions = Vec::new();
    for m in store.motions(id).await? {
        let ams = store.amendments(m.id).await?;
        let order = store.amendment_order(m.id).await?;
        motions.push((m, ams, order));
    }
    let votes = store.votes(id).await?;
    let mut cast = BTreeMap::new();
    for v in votes.iter().filter(|v| v.open) {
        cast.insert(v.id, store.votes_cast(v.id).await?);
    }
    let elections = store.elections(id).await?;
    let mut candidates = BTreeMap::new();
    for e in &elections {
        candidates.insert(e.id, store.candidates(e.id).await?);
    }
    Ok(Console {
        csrf: csrf(session),
        people: store.participants(id).await?,
        quorum: store.quorum(id).await?,
        items,
        motions,
        votes,
        cast,
        elections,
        candidates,
        cx,
    })
}

/// The console, drawn from what `load` read.
// Long, but only markup, in the order of the console's page.
fn render(c: &Console) -> Markup {
    let (cx, id, q) = (&c.cx, c.cx.congress.id, &c.quorum);
    let (people, votes, elections) = (&c.people, &c.votes, &c.elections);
    let action = format!("/congresses/{id}/presidium");
    let form = |what: Do, inner: Markup| -> Markup {
        html! {
            form.inline method="post" action=(action) {
                (c.csrf)
                input type="hidden" name="do" value=(what);
                (inner)
            }
        }
    };
    html! {
        h1 { "Presidium: " (cx.congress.name) }
        (nav(&cx.congress, &cx.who, &cx.me))
        (live_region(id, true, html! {
            div.figures {
                div.figure { b { (q.present) " / " (q.entitled) } "mandates present" }
                div.figure { b.{ @if q.met { "ok" } @else { "no" } } { @if q.met { "Quorum" } @else { "No quorum" } } (q.needed) " needed" }
            }
            h2 { "Open votes" }
            @for v in votes.iter().filter(|v| v.open) {
                p { (v.title) " — " (c.cast.get(&v.id).copied().unwrap_or(0)) " mandates have voted. "
                    (form(Do::CloseVote, html! { input type="hidden" name="vote" value=(v.id); button { "Close the vote" } })) }
            }
        }))
        h2 { "Presence" }
        form method="post" action=(action) {
            (c.csrf)
            table {
                tr { th {} th { "Party name" } th.num { "Mandates" } th { "Present" } }
                @for p in people.iter().filter(|p| p.kind != Kind::Guest) {
                    tr { td { input type="checkbox" name="participant" value=(p.id); } td { (p.pseudonym) } td.num { (p.mandates) } td { @if p.present { "yes" } @else { "no" } } }
                }
            }
            button name="do" value=(Do::CheckOut) { "Check the ticked out (a walkout)" } " "
            button.secondary name="do" value=(Do::CheckIn) { "Check the ticked in" }
        }
        h2 { "Agenda and speakers" }
        @for (a, speakers) in &c.items {
            h3 { (a.position) ". " (a.title) }
            p.muted { (a.speech_minutes) " min per speech"
                @if a.alternate_tags { "; the list alternates tags" } }
            ol { @for s in speakers { li {
                (s.pseudonym) @if s.point_of_order { " (point of order)" }
                @if !s.tag.is_empty() { " [" (s.tag) "]" }
                " — " (s.state) ", " (s.minutes) " min"
                @if s.state == "speaking" { " · " (speech_clock(s)) }
                @if s.state == "waiting" {
                    " " (form(Do::TagSpeaker, html! {
                        input type="hidden" name="speaker" value=(s.id);
                        input type="text" name="tag" size="10" value=(s.tag) placeholder="tag";
                        button.secondary { "Tag" } }))
                }
            } } }
            (form(Do::NextSpeaker, html! { input type="hidden" name="item" value=(a.id); button { "Next speaker" } }))
            (form(Do::SpeakingRules, html! {
                input type="hidden" name="item" value=(a.id);
                label { "Minutes per speech " input type="number" name="minutes" min="1" max="120" value=(a.speech_minutes); }
                label.inline { input type="checkbox" name="alternate" value="1" checked[a.alternate_tags]; " alternate tags (quota)" }
                button.secondary { "Set" } }))
        }
        (form(Do::Agenda, html! { label { "New agenda item " input type="text" name="title"; } label { "Motion number (optional) " input type="number" name="motion"; } button { "Add" } }))
        h2 { "Motions and amendments" }
        @for (m, ams, order) in &c.motions {
            h3 { a href={ "/congresses/" (id) "/motions/" (m.id) } { (m.title) } " — " (m.state) }
            p.muted { "Proposed voting order: "
                @for a in order { "amendment " (a) ", " } "then the motion." }
            @for a in ams.iter().filter(|a| a.state == "submitted") {
                p { "Amendment " (a.amendment.id) ": " (crate::words::edit(&a.amendment.edit)) " "
                    (form(Do::OpenVote, html! {
                        input type="hidden" name="subject" value="amendment";
                        input type="hidden" name="subject_id" value=(a.amendment.id);
                        (vote_options())
                        button { "Put to the vote" } })) }
            }
            (form(Do::OpenVote, html! {
                input type="hidden" name="subject" value="motion";
                input type="hidden" name="subject_id" value=(m.id);
                (vote_options())
                button { "Put the motion to the vote" } }))
            (form(Do::MotionState, html! {
                input type="hidden" name="motion" value=(m.id);
                select name="state" { @for s in &cx.congress.motion_states { option { (s) } } }
                button.secondary { "Set state" } }))
        }
        h2 { "Other votes" }
        (form(Do::OpenVote, html! {
            input type="hidden" name="subject" value="credentials";
            (vote_options())
            button { "Put the credentials report to the vote" } }))
        (form(Do::OpenVote, html! {
            input type="hidden" name="subject" value="question";
            input type="text" name="title" placeholder="A question";
            (vote_options())
            button { "Put to the vote" } }))
        h2 { "Elections" }
        @for e in elections {
            h3 { (e.title) " (" (e.state) ")" }
            p { "Candidates: " @for c in c.candidates.get(&e.id).into_iter().flatten() { (c.pseudonym) @if c.accepted { " ✓" } " · " } }
            @if e.state == "nominating" {
                // Only the congress's own participants are offered: a number typed here could
                // otherwise name anyone in the organisation, and their party name would appear.
                (form(Do::Nominate, html! { input type="hidden" name="election" value=(e.id); label { "Nominate " select name="person" { @for p in people.iter().filter(|p| p.kind != Kind::Guest) { option value=(p.person_id) { (p.pseudonym) } } } } " " button.secondary { "Nominate" } }))
                (form(Do::OpenElection, html! { input type="hidden" name="election" value=(e.id); button { "Open the ballot" } }))
            }
            @if e.state == "open" {
                (form(Do::CloseElection, html! { input type="hidden" name="election" value=(e.id); button { "Close and count" } }))
            }
        }
        (form(Do::Election, html! {
            label { "Elect " input type="text" name="title" placeholder="Central Committee"; }
            label { "Seats " input type="number" name="seats" min="1" value="1"; }
            select name="method" { option value="scottish_stv" { "STV (Scottish rules)" } option value="meek" { "Meek STV" } }
            button { "Call an election" } }))
    }
}

/// A speech's time: its limit, when it ends (UTC) and the time left or the overrun, as of the
/// page (the live stream reloads the page at each change of speaker).
pub(super) fn speech_clock(s: &store::congress::Speaker) -> Markup {
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

// Long: one short arm per form of the console (the `do` it names), after the checks that hold
// for all of them; apart, each arm would repeat those checks.
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
    let what = Do::of(&f)?;
    match what {
        Do::CheckIn | Do::CheckOut => {
            let mut ids = Vec::new();
            for p in f.all("participant") {
                let p = p.parse().map_err(|_| {
                    Refusal::on("participant", "{} is not a participant").arg(Typed(p))
                })?;
                ids.push(participant_here(&state, id, p).await?.id);
            }
            store
                .set_presence(id, &ids, what == Do::CheckIn, by)
                .await?;
        }
        Do::NextSpeaker => {
            let item = f.id("item", "The agenda item")?;
            if !store.agenda(id).await?.iter().any(|a| a.id == item) {
                return Err(AppError::NotFound);
            }
            store.next_speaker(item, by).await?;
        }
        Do::SpeakingRules => {
            let item = f.id("item", "The agenda item")?;
            if !store.agenda(id).await?.iter().any(|a| a.id == item) {
                return Err(AppError::NotFound);
            }
            let minutes = num(&f, quantity::SPEECH_MINUTES)? as i64;
            store
                .set_speaking_rules(item, minutes, f.get("alternate") == Some("1"), by)
                .await?;
        }
        Do::TagSpeaker => {
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
        Do::Agenda => {
            let motion = f.get("motion").and_then(|m| m.parse().ok());
            store
                .add_agenda_item(id, &f.bounded(&limits::AGENDA_TITLE)?, motion, by)
                .await?;
        }
        Do::OpenVote => {
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
        Do::CloseVote => {
            let v = f.id("vote", "The vote")?;
            let vote = store.vote(v).await?.filter(|x| x.congress_id == id);
            if vote.is_none() {
                return Err(AppError::NotFound);
            }
            store.close_vote(v, by).await?;
        }
        Do::MotionState => {
            let m = f.id("motion", "The motion")?;
            motion_here(&state, id, m).await?;
            store.set_motion_state(m, &f.text("state"), by).await?;
        }
        Do::Election => {
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
        Do::Nominate | Do::OpenElection | Do::CloseElection => {
            let e = f.id("election", "The election")?;
            if !store.elections(id).await?.iter().any(|x| x.id == e) {
                return Err(AppError::NotFound);
            }
            match what {
                Do::Nominate => {
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
                Do::OpenElection => store.open_election(e, by).await?,
                _ => {
                    store.close_election(e, by).await?;
                }
            }
        }
    }
    Ok(Redirect::to(&format!("/congresses/{id}/presidium")).into_response())
}

pub(super) async fn motion_here(
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
