//! The organisation's tree and each unit's page, with the unit's forms: meetings and
//! attendance, dues payments, applications and admission.

use super::{chain_of, chains, require, who};
use crate::access::{allowed, Action, Place};
use crate::chart;
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf, money};
use crate::session::{check_csrf, Signed};
use crate::words;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::money::PAYMENT;
use core_rules::people::{Identity, Status};
use core_rules::statutes::Standing;
use core_rules::{text, Refusal, Typed};
use core_rules::{Day, Month};
use maud::{html, Markup};
use std::collections::{BTreeMap, HashMap, HashSet};
use store::accounts::Session;
use store::activity::Meeting;
use store::admission::{Application, Decision};
use store::dues::{NewPayment, UnitPayment};
use store::evaluation::UnitCounts;
use store::people::Person;
use store::transfers::TransferRequest;
use store::units::Unit;
use store::Store;

fn figures(c: &UnitCounts) -> Markup {
    html! {
        div.figures {
            div.figure { b { (c.members) } "members" }
            div.figure { b { (c.voting) } "with a vote" }
            div.figure { b { (c.no_vote_arrears) } "no vote: arrears" }
            div.figure { b { (c.applicants) } "applicants" }
            div.figure { b { (c.supporters) } "supporters" }
            div.figure { b { (c.people) } "people in all" }
        }
    }
}

fn unit_badges(u: &Unit) -> Markup {
    html! {
        span.badge { (u.kind_name) }
        @if u.closed { span.badge.closed { "closed" } }
    }
}

/// The organisation as a tree, as far as the viewer may see its figures: from the top of their
/// own reach down, without the closed units they are not told of.
pub async fn tree(State(state): State<AppState>, Signed(session): Signed) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::ViewTree)?;
    let today = state.store.today();
    let units = state.store.units().await?;
    let chains = chains(&units);
    let visible: HashSet<i64> = units
        .iter()
        .filter(|u| {
            allowed(
                &w,
                Action::ViewFigures(Place {
                    chain: &chains[&u.id],
                }),
            )
        })
        .map(|u| u.id)
        .collect();
    let mut children: BTreeMap<Option<i64>, Vec<&Unit>> = BTreeMap::new();
    for u in units.iter().filter(|u| visible.contains(&u.id)) {
        // The top of the viewer's reach hangs from nothing.
        let parent = u.parent_id.filter(|p| visible.contains(p));
        children.entry(parent).or_default().push(u);
    }
    let roots: Vec<i64> = children
        .get(&None)
        .map(|r| r.iter().map(|u| u.id).collect())
        .unwrap_or_default();
    let eval = match roots.as_slice() {
        [one] => state.store.evaluate_branch(today, Some(*one)).await?,
        _ => state.store.evaluate_all(today).await?,
    };
    // Branch totals, children before parents: `units` lists parents first.
    let mut totals: BTreeMap<i64, UnitCounts> = BTreeMap::new();
    for u in units.iter().rev().filter(|u| visible.contains(&u.id)) {
        let mut c = eval.per_unit.get(&u.id).cloned().unwrap_or_default();
        for ch in children.get(&Some(u.id)).into_iter().flatten() {
            if let Some(t) = totals.get(&ch.id) {
                c.add(t);
            }
        }
        totals.insert(u.id, c);
    }
    fn branch(
        u: &Unit,
        children: &BTreeMap<Option<i64>, Vec<&Unit>>,
        totals: &BTreeMap<i64, UnitCounts>,
    ) -> Markup {
        let t = totals.get(&u.id).cloned().unwrap_or_default();
        html! {
            li {
                a href={ "/units/" (u.id) } { (u.name) }
                (unit_badges(u))
                span.muted { " · " (t.members) " members, " (t.voting) " with a vote" }
                @if let Some(kids) = children.get(&Some(u.id)) {
                    ul { @for k in kids { (branch(k, children, totals)) } }
                }
            }
        }
    }
    let mut total = UnitCounts::default();
    for r in &roots {
        if let Some(t) = totals.get(r) {
            total.add(t);
        }
    }
    let body = html! {
        h1 { (state.org_name) }
        p.muted { "As of " (today) ", under the statutes version " (eval.statutes_version) "." }
        (figures(&total))
        ul.tree {
            @for root in children.get(&None).into_iter().flatten() {
                (branch(root, &children, &totals))
            }
        }
    };
    Ok(layout::page("Organisation", &state.org_name, &session, body).into_response())
}

/// A unit's page: its figures, and as far as the viewer may see them its people, meetings, dues
/// and the forms of its officers.
pub async fn page(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let view = load(&state, &session, id).await?;
    let body = render(&view);
    Ok(layout::page(&view.unit.name, &state.org_name, &session, body).into_response())
}

/// What a unit's page shows, read and checked against the access rules by `load`: `render`
/// draws it and decides nothing. A list the viewer may not see is empty here.
struct UnitView {
    unit: Unit,
    /// The units above and this one, from the top, each with whether the viewer may open its
    /// page.
    crumbs: Vec<(Unit, bool)>,
    see_people: bool,
    manage: bool,
    take_payments: bool,
    today: Day,
    /// The form token, for the page's forms.
    csrf: Markup,
    own: UnitCounts,
    branch: UnitCounts,
    /// The units below that the viewer may see, with their branches' figures.
    kids: Vec<(Unit, UnitCounts)>,
    series: Vec<(Month, i64)>,
    roster: Vec<(Person, Standing)>,
    identities: HashMap<i64, Identity>,
    meetings: Vec<Meeting>,
    applications: Vec<Application>,
    /// Transfers asked into the unit, with the unit they come from if the viewer may know of it.
    transfers: Vec<(TransferRequest, Option<String>)>,
    dues: Vec<(String, i64)>,
    payments: Vec<UnitPayment>,
}

/// Reads what the unit's page shows, as far as the viewer may see it. A unit the viewer may not
/// see the figures of is "not found".
// Long: one read per part of the page, each beside the access rule that decides whether it is
// made at all, so that the two are checked together; splitting it would part them.
async fn load(state: &AppState, session: &Session, id: i64) -> AppResult<UnitView> {
    let store = &state.store;
    let w = who(state, session).await?;
    let chain = chain_of(state, id).await?;
    let place = Place { chain: &chain };
    require(&w, Action::ViewFigures(place))?;
    let unit = place.unit().clone();
    let see_people = allowed(&w, Action::ViewRoster(place));
    let manage = allowed(&w, Action::ManageUnit(place));
    let take_payments = allowed(&w, Action::RecordPayment(place));
    let today = state.store.today();
    // Units below that the viewer is not told of: a unit below whose figures they may not see
    // (a plain member sees only their own unit), and closed units further down.
    let mut hidden: HashSet<i64> = HashSet::new();
    let branches = store.child_branches(id).await?;
    let all_kids = store.children(id).await?;
    let mut kids = Vec::new();
    for k in all_kids {
        let mut kchain = vec![k.clone()];
        kchain.extend(chain.iter().cloned());
        if allowed(&w, Action::ViewFigures(Place { chain: &kchain })) {
            kids.push(k);
        } else {
            hidden.extend(branches.get(&k.id).into_iter().flatten());
        }
    }
    for (closed, branch) in store.closed_below(id).await? {
        if hidden.contains(&closed) {
            continue;
        }
        let cchain = store.chain(closed).await?;
        if !allowed(&w, Action::ViewFigures(Place { chain: &cchain })) {
            hidden.extend(branch);
        }
    }
    // Members see the members of their unit; applicants, supporters and those who left are
    // for the officers who deal with them.
    let roster = if see_people {
        let mut r = store.roster(id, today).await?;
        if !manage {
            let me = w.own.map(|o| o.person_id);
            r.retain(|(p, _)| p.status == Status::Member || Some(p.id) == me);
        }
        r
    } else {
        Vec::new()
    };
    // The secretary's roster carries the identities: the view is recorded before they are opened.
    let identities = if allowed(&w, Action::ViewIdentities(place)) && !roster.is_empty() {
        store
            .record_unit_identity_view(session.account.id, id, roster.len() as i64)
            .await?;
        store.roster_contacts(id).await?
    } else {
        Default::default()
    };
    let mut eval = store.evaluate_branch(today, Some(id)).await?;
    eval.per_unit.retain(|u, _| !hidden.contains(u));
    let own = eval.per_unit.get(&id).cloned().unwrap_or_default();
    let branch = eval.total();
    let meetings = if see_people {
        store.meetings_of_unit(id, 12).await?
    } else {
        Vec::new()
    };
    let applications = if manage {
        store.applications_of_unit(id).await?
    } else {
        Vec::new()
    };
    // Transfers asked into this unit: the people by party name only (their identities are the
    // unit's once they are its people), and the unit they come from only if the viewer may know
    // of it.
    let transfers = if allowed(&w, Action::DecideTransfer(place)) {
        let waiting = store.transfers_waiting_for(id).await?;
        let from: Vec<i64> = waiting.iter().map(|r| r.from_unit).collect();
        let from_chains = store.chains_of(&from).await?;
        waiting
            .into_iter()
            .map(|r| {
                let from = from_chains
                    .get(&r.from_unit)
                    .filter(|c| allowed(&w, Action::KnowUnit(Place { chain: c })))
                    .map(|c| format!("{} ({})", c[0].name, c[0].kind_name));
                (r, from)
            })
            .collect()
    } else {
        Vec::new()
    };
    let series = store
        .membership_series_without(id, 12, today, &hidden)
        .await?;
    let dues = store
        .unit_dues_by_month(id, today.month().add(-11).first_day())
        .await?;
    // The payments recorded here, for the officers who record them (and reverse one recorded
    // in error).
    let payments = if take_payments {
        store.payments_of_unit(id, 50).await?
    } else {
        Vec::new()
    };
    let kids = kids
        .into_iter()
        .map(|k| {
            let sub =
                Store::subtree_counts(&eval, branches.get(&k.id).map_or(&[][..], |b| b.as_slice()));
            (k, sub)
        })
        .collect();
    let crumbs = (0..chain.len())
        .rev()
        .map(|j| {
            (
                chain[j].clone(),
                allowed(&w, Action::ViewFigures(Place { chain: &chain[j..] })),
            )
        })
        .collect();
    Ok(UnitView {
        unit,
        crumbs,
        see_people,
        manage,
        take_payments,
        today,
        csrf: csrf(session),
        own,
        branch,
        kids,
        series,
        roster,
        identities,
        meetings,
        applications,
        transfers,
        dues,
        payments,
    })
}

/// The unit's page, drawn from what `load` read.
// One page of a unit's life, top to bottom as the officers asked for it (figures, people,
// meetings, dues, payments, transfers, applications): long, but only markup, in page order.
fn render(v: &UnitView) -> Markup {
    let (id, today, unit) = (v.unit.id, v.today, &v.unit);
    let active: Vec<_> = v
        .roster
        .iter()
        .filter(|(p, _)| {
            matches!(
                p.status,
                Status::Member | Status::Applicant | Status::Supporter
            )
        })
        .collect();

    html! {
        p.crumbs {
            // A unit above is a link only for those who may open its page; for the others
            // (a plain member, a paper agent) its name is text, not a link to a 404.
            @for (i, (u, may_open)) in v.crumbs.iter().enumerate() {
                @if i > 0 { " › " }
                @if *may_open { a href={ "/units/" (u.id) } { (u.name) } } @else { (u.name) }
            }
        }
        h1 { (unit.name) (unit_badges(unit)) }
        p {
            a href={ "/units/" (unit.id) "/paper" } { "The paper in this unit" }
            // The unit's delegate elections are for those who see its people.
            @if v.see_people { " · " a href={ "/units/" (unit.id) "/delegates" } { "Delegates to congress" } }
        }
        @if !unit.area.is_empty() { p.muted { (unit.area) } }

        h2 { "Figures" }
        @if v.kids.is_empty() {
            (figures(&v.own))
        } @else {
            p.muted { "This unit and the units below it:" }
            (figures(&v.branch))
            table {
                tr { th { "Unit below" } th.num { "Members" } th.num { "With a vote" } th.num { "Applicants" } th.num { "Supporters" } }
                @for (k, sub) in &v.kids {
                    tr {
                        td { a href={ "/units/" (k.id) } { (k.name) } (unit_badges(k)) }
                        td.num { (sub.members) } td.num { (sub.voting) } td.num { (sub.applicants) } td.num { (sub.supporters) }
                    }
                }
            }
        }
        (chart::line("Members at the end of each month", &v.series.iter().map(|(m, n)| (m.to_string(), *n)).collect::<Vec<_>>()))

        @if v.see_people {
            h2 { "People of this unit" }
            form.search method="get" action={ "/units/" (id) "/search" } {
                label { "Find a person " input type="search" name="q" placeholder="party name"; }
                " " button type="submit" { "Search" }
            }
            @if v.roster.is_empty() {
                p.muted { "Nobody belongs directly to this unit." }
            } @else {
                table {
                    tr {
                        th { "Party name" }
                        @if !v.identities.is_empty() { th { "Legal name" } th { "Email" } th { "Phone" } }
                        th { "Status" } th { "Standing today" } th { "Dues" }
                    }
                    @for (p, s) in &v.roster {
                        tr {
                            td { a href={ "/people/" (p.id) } { (p.pseudonym) } }
                            @if !v.identities.is_empty() {
                                @let i = v.identities.get(&p.id);
                                td { (i.map_or("", |i| i.legal_name.as_str())) }
                                td { (i.map_or("", |i| i.email.as_str())) }
                                td { (i.map_or("", |i| i.phone.as_str())) }
                            }
                            td { (p.status.as_str()) }
                            td class=(if s.vote { "ok" } else { "no" }) { (words::standing::summary(s)) }
                            td.num {
                                @if p.status != Status::Member { "" }
                                @else if s.arrears_months == 0 { "paid up" }
                                @else { (s.arrears_months) " mo. behind" }
                            }
                        }
                    }
                }
            }

            h2 { "Meetings" }
            @if v.meetings.is_empty() { p.muted { "No v.meetings recorded." } }
            @else {
                table {
                    tr { th { "Held on" } th { "Meeting" } th.num { "Attended" } }
                    @for m in &v.meetings { tr { td { (m.held_on) } td { (m.title) } td.num { (m.attended) } } }
                }
            }
        }
        @if v.manage {
            form method="post" action={ "/units/" (id) "/meetings" } {
                (v.csrf)
                fieldset {
                    legend { "Record a meeting" }
                    label { "Held on " input type="date" name="held_on" value=(today) required; }
                    label { "Title " input type="text" name="title" size="40" required maxlength=(text::MEETING_TITLE.max); }
                    p { "Attended:" }
                    div.attendees {
                        @for (p, _) in &active {
                            label { input type="checkbox" name="attendee" value=(p.id); " " (p.pseudonym) }
                        }
                    }
                    button type="submit" { "Record the meeting" }
                }
            }
        }

        h2 { "Dues" }
        @if v.dues.is_empty() { p.muted { "No v.dues recorded for this unit in the last year." } }
        @else {
            table {
                tr { th { "Month paid for" } th.num { "This unit's share" } }
                @for (m, c) in &v.dues { tr { td { (m) } td.num { (money(*c)) } } }
            }
        }
        @if v.take_payments && !v.payments.is_empty() {
            h3 { "Payments recorded here" }
            table {
                tr { th { "Paid on" } th { "Member" } th { "Month paid for" } th.num { "Amount" } th { "From" } th { "" } }
                @for pay in &v.payments {
                    tr {
                        td { (pay.paid_on) }
                        td {
                            @match &pay.pseudonym {
                                Some(name) => { a href={ "/people/" (pay.person_id) } { (name) } }
                                None => { span.muted { "moved to another unit" } }
                            }
                        }
                        td { (pay.period) }
                        td.num { (money(pay.amount_cents)) }
                        td { (pay.source) }
                        td {
                            @if let Some(on) = &pay.reversed_on {
                                span.muted { "reversed on " (on) ": not counted" }
                            } @else {
                                @if pay.amount_cents > PAYMENT.max {
                                    span.error { "beyond the bound of one payment: not counted; reverse it " }
                                }
                                form.inline method="post" action={ "/units/" (id) "/payments/" (pay.id) "/reverse" } {
                                    (v.csrf)
                                    input type="text" name="reason" placeholder="why it was wrong" size="16" required maxlength=(text::REASON.max);
                                    " "
                                    button.secondary type="submit" { "Reverse" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if v.take_payments {
            form method="post" action={ "/units/" (id) "/payments" } {
                (v.csrf)
                fieldset {
                    legend { "Record a payment" }
                    label { "Member " select name="person" required {
                        @for (p, _) in &active { option value=(p.id) { (p.pseudonym) } }
                    } }
                    label { "For the month " input type="month" name="period" value=(today.month()) required; }
                    label { "Paid on " input type="date" name="paid_on" value=(today) required; }
                    label { "Amount " input type="text" name="amount" inputmode="decimal" placeholder="12.50" required; }
                    button type="submit" { "Record the payment" }
                }
            }
        }
        @if v.manage {
            form method="post" action={ "/units/" (id) "/export" } {
                (v.csrf)
                fieldset {
                    legend { "Export this unit's people, with their v.identities (CSV)" }
                    label { "Your password " input type="password" name="password" autocomplete="current-password" required; }
                    button.secondary type="submit" { "Export" }
                }
            }

            @if !v.transfers.is_empty() {
                h2 { "Transfers asked into this unit" }
                table {
                    tr { th { "Asked on" } th { "Party name" } th { "From" } th { "Reason" } th { "Answer" } }
                    @for (r, from) in &v.transfers {
                        tr {
                            td { (r.requested_on) }
                            td { (r.pseudonym) }
                            td { (from.as_deref().unwrap_or("a unit not shown")) }
                            td { (r.reason) }
                            td {
                                form.inline method="post" action={ "/transfers/" (r.id) "/decide" } {
                                    (v.csrf)
                                    input type="hidden" name="decision" value="accept";
                                    button type="submit" { "Accept" }
                                }
                                " "
                                form.inline method="post" action={ "/transfers/" (r.id) "/decide" } {
                                    (v.csrf)
                                    input type="hidden" name="decision" value="refuse";
                                    button.secondary type="submit" { "Refuse" }
                                }
                            }
                        }
                    }
                }
            }

            h2 { "Applications" }
            @if v.applications.is_empty() { p.muted { "No v.applications." } }
            @else {
                table {
                    tr { th { "Applied" } th { "Party name" } th { "Statement" } th { "Decision" } }
                    @for a in &v.applications {
                        tr {
                            td { (a.applied_on) }
                            td { a href={ "/people/" (a.person_id) } { (a.pseudonym) } }
                            td { (a.statement) }
                            td {
                                @if let Some(d) = &a.decision { (d) }
                                @else {
                                    form.inline method="post" action={ "/applications/" (a.id) "/decide" } {
                                        (v.csrf)
                                        input type="hidden" name="decision" value="admit";
                                        button type="submit" { "Admit" }
                                    }
                                    " "
                                    form.inline method="post" action={ "/applications/" (a.id) "/decide" } {
                                        (v.csrf)
                                        input type="hidden" name="decision" value="refuse";
                                        input type="text" name="reason" placeholder="reason" size="16";
                                        button.secondary type="submit" { "Refuse" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action={ "/units/" (id) "/applications" } {
                (v.csrf)
                fieldset {
                    legend { "Record an application to join this unit" }
                    label { "Party name " input type="text" name="pseudonym" required; }
                    label { "Legal name " input type="text" name="legal_name"; }
                    label { "Email " input type="text" name="email"; }
                    label { "Phone " input type="text" name="phone"; }
                    label { "Workplace " input type="text" name="workplace"; }
                    label { "Statement " textarea name="statement" rows="2" cols="50" {} }
                    button type="submit" { "Record the application" }
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Need {
    Manage,
    Payment,
    Export,
}

/// The checks every form of a unit page makes, in this order: the token, then the rule. A
/// refusal is "not found" whatever the form held.
async fn unit_form(
    state: &AppState,
    session: &store::accounts::Session,
    id: i64,
    body: &FormData,
    need: Need,
) -> AppResult<Unit> {
    check_csrf(session, body)?;
    let w = who(state, session).await?;
    let chain = chain_of(state, id).await?;
    let place = Place { chain: &chain };
    require(
        &w,
        match need {
            Need::Manage => Action::ManageUnit(place),
            Need::Payment => Action::RecordPayment(place),
            Need::Export => Action::ExportUnit(place),
        },
    )?;
    Ok(place.unit().clone())
}

async fn manage(
    state: &AppState,
    session: &store::accounts::Session,
    id: i64,
    body: &FormData,
) -> AppResult<Unit> {
    unit_form(state, session, id, body, Need::Manage).await
}

pub async fn record_meeting(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    manage(&state, &session, id, &f).await?;
    let attendees = f
        .all("attendee")
        .map(|a| {
            a.parse::<i64>()
                .map_err(|_| Refusal::on("attendee", "{} is not a person").arg(Typed(a)))
        })
        .collect::<Result<Vec<_>, Refusal>>()?;
    state
        .store
        .record_meeting(
            id,
            f.day("held_on", "The meeting's date")?,
            &f.bounded(&text::MEETING_TITLE)?,
            &attendees,
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/units/{id}")).into_response())
}

pub async fn record_payment(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    unit_form(&state, &session, id, &f, Need::Payment).await?;
    let person = f.id("person", "The member")?;
    let p = state
        .store
        .person(person)
        .await?
        .ok_or(AppError::NotFound)?;
    // Someone of another unit is not found, exactly as someone who does not exist.
    if p.unit_id != id {
        return Err(AppError::NotFound);
    }
    let amount = PAYMENT.parse(f.required("amount", "The amount")?)?;
    state
        .store
        .record_payment(
            &NewPayment {
                person,
                period: f.month("period", "The month paid for")?,
                paid_on: f.day("paid_on", "The date paid")?,
                amount_cents: amount,
                source: "treasurer",
                reference: None,
            },
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/units/{id}")).into_response())
}

/// Reverses a payment recorded in error: an officer who may record payments in the unit, for
/// a payment recorded in that unit (any other is "not found"). The payment stays in the
/// record; from now on it counts as not paid.
pub async fn reverse_payment(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path((id, payment)): Path<(i64, i64)>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    unit_form(&state, &session, id, &f, Need::Payment).await?;
    state
        .store
        .reverse_payment(
            id,
            payment,
            &f.bounded(&text::REASON)?,
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/units/{id}")).into_response())
}

pub async fn record_application(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    manage(&state, &session, id, &f).await?;
    let pseudonym = text::PARTY_NAME.check(f.required("pseudonym", "The party name")?)?;
    let identity = Identity {
        legal_name: f.bounded(&text::LEGAL_NAME)?,
        email: f.bounded(&text::EMAIL)?,
        phone: f.bounded(&text::PHONE)?,
        address: f.bounded(&text::ADDRESS)?,
        workplace: f.bounded(&text::WORKPLACE)?,
        notes: String::new(),
    };
    if !identity.email.is_empty() && !core_rules::people::plausible_email(&identity.email) {
        return Err(Refusal::on("email", "{} is not an email address")
            .arg(Typed(&identity.email))
            .into());
    }
    state
        .store
        .apply(
            id,
            pseudonym,
            &identity,
            &f.bounded(&text::STATEMENT)?,
            state.store.today(),
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/units/{id}")).into_response())
}

pub async fn decide(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(app): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    let a = state
        .store
        .application(app)
        .await?
        .ok_or(AppError::NotFound)?;
    manage(&state, &session, a.unit_id, &f).await?;
    let decision = match f.get("decision") {
        Some("admit") => Decision::Admit,
        Some("refuse") => Decision::Refuse,
        _ => return Err(AppError::refused("decide to admit or to refuse")),
    };
    state
        .store
        .decide(
            app,
            decision,
            state.store.today(),
            &f.bounded(&text::REASON)?,
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/units/{}", a.unit_id)).into_response())
}

/// The unit's people with their identities, as CSV in the import's columns. The password is
/// asked again: a session left open on a shared machine must not be enough to carry the list off.
pub async fn export(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    let unit = unit_form(&state, &session, id, &f, Need::Export).await?;
    if !state
        .store
        .confirm_password(session.account.id, f.get("password").unwrap_or(""))
        .await?
    {
        return Err(AppError::refused(
            "that is not your password; nothing was exported",
        ));
    }
    let mut csv = Vec::new();
    state
        .store
        .export_unit(id, &mut csv, Some(session.account.id))
        .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", unit.code),
            ),
        ],
        csv,
    )
        .into_response())
}
