//! A unit elects its delegates to a congress (issue 5, section 2): `/units/N/delegates`.
//!
//! Who may open the page: whoever may see the unit's people by party name (its members, its
//! offices). The unit's secretary calls the election, opens and closes the ballot; members
//! nominate; a nominee accepts or declines; the members with a vote on the congress's
//! membership day cast ranked ballots (the store checks each voter). People appear by party
//! name only.

use super::{chain_of, require, who};
use crate::access::{allowed, Action, Place};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::congress::delegates::ElectionState;
use core_rules::{Refusal, Typed};
use maud::{html, Markup};
use store::accounts::Session;
use store::congress::{Kind, Participant};
use store::delegates::{DelegateCandidate, DelegateElection};
use store::units::Unit;

crate::form::form_actions! {
    /// What the forms of a unit's delegate elections do.
    pub enum Do {
        Call = "call",
        Open = "open",
        Close = "close",
        Nominate = "nominate",
        Accept = "accept",
        Ballot = "ballot",
    }
}

pub async fn page(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let view = load(&state, &session, id).await?;
    let body = render(&view);
    Ok(layout::page("Delegates", &state.org_name, &session, body).into_response())
}

/// One election of the unit's delegates, with what the viewer sees of it.
struct ElectionView {
    election: DelegateElection,
    candidates: Vec<DelegateCandidate>,
    /// Whether the viewer has cast a ballot in it.
    voted: bool,
    /// Once closed: the unit's delegates and substitutes at the congress.
    result: Vec<Participant>,
    /// While nominating: the members who may be nominated, by party name.
    electors: Vec<(i64, String)>,
}

/// What the unit's delegates page shows, read and checked against the access rules by `load`:
/// `render` draws it and decides nothing.
struct DelegatesView {
    unit: Unit,
    manage: bool,
    /// The viewer's own person, if the account is a member's.
    me: Option<i64>,
    /// The form token, for the page's forms.
    csrf: Markup,
    elections: Vec<ElectionView>,
    /// Congresses where the unit holds mandates and no election is called yet: (id, name,
    /// mandates).
    open_to_call: Vec<(i64, String, u64)>,
}

/// Reads the unit's delegate elections, for whoever may see the unit's people by party name.
async fn load(state: &AppState, session: &Session, id: i64) -> AppResult<DelegatesView> {
    let store = &state.store;
    let w = who(state, session).await?;
    let chain = chain_of(state, id).await?;
    let place = Place { chain: &chain };
    require(&w, Action::ViewRoster(place))?;
    let manage = allowed(&w, Action::ManageUnit(place));
    let unit = place.unit().clone();
    let me = session.account.person_id;
    let all = store.delegate_elections_of(id).await?;
    let open_to_call: Vec<(i64, String, u64)> = store
        .congresses_with_mandates(id)
        .await?
        .into_iter()
        .filter(|(c, _, _)| !all.iter().any(|e| e.congress_id == *c))
        .collect();
    let mut elections = Vec::new();
    // Only those who may stand are offered: the unit's members with a vote on the congress's
    // membership day. The unit page shows a member nobody else (supporters, applicants,
    // lapsed members), and neither does this one.
    let members: std::collections::HashMap<i64, String> = store
        .people_of_unit(id)
        .await?
        .into_iter()
        .map(|p| (p.id, p.pseudonym))
        .collect();
    for e in all {
        let candidates = store.delegate_candidates(e.id).await?;
        let electors: Vec<(i64, String)> = if e.state == ElectionState::Nominating {
            store
                .delegate_electors(e.id)
                .await?
                .into_iter()
                .filter_map(|p| members.get(&p).map(|n| (p, n.clone())))
                .collect()
        } else {
            Vec::new()
        };
        let voted = match me {
            Some(p) => store.has_voted_for_delegates(e.id, p).await?,
            None => false,
        };
        let result: Vec<_> = if e.state == ElectionState::Closed {
            store
                .participants(e.congress_id)
                .await?
                .into_iter()
                .filter(|p| p.unit_id == id && matches!(p.kind, Kind::Delegate | Kind::Substitute))
                .collect()
        } else {
            Vec::new()
        };
        elections.push(ElectionView {
            election: e,
            candidates,
            voted,
            result,
            electors,
        });
    }
    Ok(DelegatesView {
        unit,
        manage,
        me,
        csrf: csrf(session),
        elections,
        open_to_call,
    })
}

/// The unit's delegates page, drawn from what `load` read.
fn render(v: &DelegatesView) -> Markup {
    let action = format!("/units/{}/delegates", v.unit.id);
    html! {
        h1 { "Delegates of " (v.unit.name) }
        p.muted { "The unit elects its delegates to a congress among its members with a vote on the congress's membership day, by STV. Those elected share the unit's mandates; the others who stood are its substitutes, in order." }
        @for ev in &v.elections {
            (election(v, ev, &action))
        }
        @if v.manage && !v.open_to_call.is_empty() {
            h2 { "Call an election" }
            form method="post" action=(action) {
                (v.csrf)
                input type="hidden" name="do" value=(Do::Call);
                select name="congress" {
                    @for (c, name, m) in &v.open_to_call { option value=(c) { (name) " (" (m) " mandates)" } }
                }
                " "
                select name="method" { option value="scottish_stv" { "STV (Scottish rules)" } option value="meek" { "Meek STV" } }
                " " button { "Call the election of delegates" }
            }
        }
        @if v.elections.is_empty() && v.open_to_call.is_empty() {
            p { "The unit holds no mandate at any congress." }
        }
    }
}

/// One election: its candidates, and the forms its state allows.
fn election(v: &DelegatesView, ev: &ElectionView, action: &str) -> Markup {
    let (e, cands, me, manage) = (&ev.election, &ev.candidates, v.me, v.manage);
    html! {
        section {
            h2 { (e.congress_name) ": " (e.mandates) " mandates (" (e.state.code()) ")" }
            p.muted { "Voting rights as on " (e.membership_on) "." }
            h3 { "Candidates" }
            ul {
                @for c in cands.iter() {
                    li {
                        (c.pseudonym) @if c.accepted { " — stands" } @else { " — has not accepted" }
                        @if e.state == ElectionState::Nominating && Some(c.person_id) == me {
                            " "
                            form.inline method="post" action=(action) {
                                (v.csrf)
                                input type="hidden" name="do" value=(Do::Accept);
                                input type="hidden" name="candidate" value=(c.id);
                                @if c.accepted {
                                    input type="hidden" name="accept" value="0";
                                    button.secondary { "Decline" }
                                } @else {
                                    input type="hidden" name="accept" value="1";
                                    button { "Accept the nomination" }
                                }
                            }
                        }
                    }
                }
            }
            @if e.state == ElectionState::Nominating {
                form method="post" action=(action) {
                    (v.csrf)
                    input type="hidden" name="do" value=(Do::Nominate);
                    input type="hidden" name="election" value=(e.id);
                    label { "Nominate "
                        select name="person" {
                            @for (p, name) in &ev.electors { option value=(p) { (name) } }
                        }
                    }
                    " " button.secondary { "Nominate" }
                }
                @if manage {
                    form method="post" action=(action) {
                        (v.csrf)
                        input type="hidden" name="do" value=(Do::Open);
                        input type="hidden" name="election" value=(e.id);
                        button { "Close nominations and open the ballot" }
                    }
                }
            }
            @if e.state == ElectionState::Open {
                @if ev.voted {
                    p { "You have voted." }
                } @else if me.is_some() {
                    form method="post" action=(action) {
                        (v.csrf)
                        input type="hidden" name="do" value=(Do::Ballot);
                        input type="hidden" name="election" value=(e.id);
                        p { "Rank the candidates (1 = first preference); leave the rest blank." }
                        @let standing: Vec<_> = cands.iter().filter(|c| c.accepted).collect();
                        @for (i, _) in standing.iter().enumerate() {
                            label { (i + 1) ". "
                                select name="rank" {
                                    option value="" { "—" }
                                    @for c in &standing { option value=(c.id) { (c.pseudonym) } }
                                }
                            }
                            " "
                        }
                        button { "Cast the ballot" }
                    }
                }
                @if manage {
                    form method="post" action=(action) {
                        (v.csrf)
                        input type="hidden" name="do" value=(Do::Close);
                        input type="hidden" name="election" value=(e.id);
                        button { "Close the ballot and count" }
                    }
                }
            }
            @if e.state == ElectionState::Closed {
                h3 { "Elected" }
                ul {
                    @for p in ev.result.iter().filter(|p| p.kind == Kind::Delegate) {
                        li { (p.pseudonym) " — delegate, " (p.mandates) " mandate" @if p.mandates != 1 { "s" } }
                    }
                    @for p in ev.result.iter().filter(|p| p.kind == Kind::Substitute) {
                        li { (p.pseudonym) " — substitute" }
                    }
                }
                @if let Some(r) = &e.report {
                    details { summary { "The count's report" } pre { (r) } }
                }
            }
        }
    }
}

pub async fn act(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let store = &state.store;
    let w = who(&state, &session).await?;
    let chain = chain_of(&state, id).await?;
    let place = Place { chain: &chain };
    require(&w, Action::ViewRoster(place))?;
    let by = Some(session.account.id);
    let me = || {
        session
            .account
            .person_id
            .ok_or_else(|| AppError::refused("this account is not a member's"))
    };
    let what = Do::of(&f)?;
    match what {
        Do::Call => {
            require(&w, Action::ManageUnit(place))?;
            store
                .call_delegate_election(
                    f.id("congress", "The congress")?,
                    id,
                    f.get("method").unwrap_or("scottish_stv"),
                    by,
                )
                .await?;
        }
        Do::Open | Do::Close => {
            require(&w, Action::ManageUnit(place))?;
            let e = election_here(store, id, f.id("election", "The election")?).await?;
            if what == Do::Open {
                store.open_delegate_election(e.id, by).await?;
            } else {
                store.close_delegate_election(e.id, by).await?;
            }
        }
        Do::Nominate => {
            let e = election_here(store, id, f.id("election", "The election")?).await?;
            store
                .nominate_delegate(e.id, f.id("person", "The person")?, by)
                .await?;
        }
        Do::Accept => {
            store
                .accept_delegate_nomination(
                    f.id("candidate", "The candidate")?,
                    me()?,
                    f.get("accept") == Some("1"),
                    by,
                )
                .await?;
        }
        Do::Ballot => {
            let e = election_here(store, id, f.id("election", "The election")?).await?;
            let ranking = f
                .all("rank")
                .filter(|r| !r.is_empty())
                .map(|r| {
                    r.parse()
                        .map_err(|_| Refusal::on("rank", "{} is not a candidate").arg(Typed(r)))
                })
                .collect::<Result<Vec<i64>, Refusal>>()?;
            store
                .cast_delegate_ballot(e.id, me()?, &ranking, by)
                .await?;
        }
    }
    Ok(Redirect::to(&format!("/units/{id}/delegates")).into_response())
}

/// An election named in a form must be this unit's, else it does not exist.
async fn election_here(
    store: &store::Store,
    unit: i64,
    e: i64,
) -> AppResult<store::delegates::DelegateElection> {
    store
        .delegate_election(e)
        .await?
        .filter(|x| x.unit_id == unit)
        .ok_or(AppError::NotFound)
}
