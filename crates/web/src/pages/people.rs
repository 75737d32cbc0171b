//! A person's page: their standing under the statutes explained, their history, and the forms
//! an officer uses to change their status, move them, or record a task.

use super::{chain_of, chains, require, who};
use crate::access::{allowed, Action, Place};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf, money};
use crate::session::{check_csrf, Signed};
use crate::words;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::people::{Identity, Status};
use core_rules::statutes::Standing;
use core_rules::Day;
use maud::{html, Markup};
use std::collections::HashMap;
use store::accounts::Session;
use store::activity::Task;
use store::dues::Payment;
use store::people::{HistoryEntry, Person};
use store::transfers::TransferRequest;
use store::units::Unit;

async fn load(state: &AppState, id: i64) -> AppResult<Person> {
    state.store.person(id).await?.ok_or(AppError::NotFound)
}

pub async fn page(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let view = load_view(&state, &session, id).await?;
    let body = render(&view);
    Ok(layout::page(&view.person.pseudonym, &state.org_name, &session, body).into_response())
}

/// One line of the person's history, as far as the viewer may know of it: `load_view` has put
/// a unit not shown, an officer not named and a reason not shown into these fields.
struct HistoryLine {
    on_date: String,
    change: String,
    from: String,
    to: String,
    reason: String,
    by: String,
}

/// What a person's page shows, read and checked against the access rules by `load_view`:
/// `render` draws it and decides nothing. What the viewer may not see is absent here.
struct PersonView {
    person: Person,
    unit: Unit,
    standing: Standing,
    version: i64,
    today: Day,
    /// The form token, for the page's forms.
    csrf: Markup,
    identity: Option<Identity>,
    history: Vec<HistoryLine>,
    payments: Vec<Payment>,
    /// Each task with whether its words may be shown (it was recorded in a unit the viewer
    /// knows of).
    tasks: Vec<(Task, bool)>,
    /// `Some(has_account)` when the viewer may invite the person to an account.
    invite: Option<bool>,
    manage: bool,
    /// Transfer destinations: units the viewer manages (moved at once), and the others (asked).
    move_to: Vec<Unit>,
    ask_to: Vec<Unit>,
    /// Transfers asked for the person, with the receiving unit in words.
    requests: Vec<(TransferRequest, String)>,
}

/// Reads what the person's page shows, as far as the viewer may see it. A person the viewer may
/// not see is "not found".
async fn load_view(state: &AppState, session: &Session, id: i64) -> AppResult<PersonView> {
    let store = &state.store;
    let w = who(state, session).await?;
    let p = load(state, id).await?;
    let chain = chain_of(state, p.unit_id).await?;
    let place = Place { chain: &chain };
    require(&w, Action::ViewPerson(&p, place))?;
    let identity_allowed = allowed(&w, Action::ViewIdentity(&p, place));
    let manage = allowed(&w, Action::ManagePerson(&p, place));
    let invite = if allowed(&w, Action::InvitePerson(&p, place)) {
        Some(store.account_of_person(id).await?.is_some())
    } else {
        None
    };
    let today = state.store.today();
    let (standing, version) = store.standing(id, today).await?;
    let unit = place.unit().clone();
    let history = store.history(id).await?;
    let payments = store.payments_of(id).await?;
    let tasks = store.tasks_of_person(id).await?;
    let identity = if identity_allowed {
        // Every showing of identifying details is in the audit log, recorded before the read:
        // if it cannot be recorded, nothing is shown.
        store.record_identity_view(session.account.id, id).await?;
        Some(store.identity(id).await?)
    } else {
        None
    };
    // Every unit with its chain, for what the page names: transfer destinations, the units in
    // the history, the units of the requests made for this person.
    let all = store.units().await?;
    let chains = chains(&all);
    let knows = |u: &Unit| {
        allowed(
            &w,
            Action::KnowUnit(Place {
                chain: &chains[&u.id],
            }),
        )
    };
    // Transfer destinations: the units the viewer is told of, closed branches left out; those
    // they manage take the person at once, the others are asked.
    let (mut move_to, mut ask_to) = (Vec::new(), Vec::new());
    if manage {
        for u in all.iter().filter(|u| u.id != p.unit_id) {
            let to = Place {
                chain: &chains[&u.id],
            };
            if allowed(
                &w,
                Action::MovePerson {
                    person: &p,
                    from: place,
                    to,
                },
            ) {
                move_to.push(u.clone());
            } else if allowed(
                &w,
                Action::AskTransfer {
                    person: &p,
                    from: place,
                    to,
                },
            ) {
                ask_to.push(u.clone());
            }
        }
    }
    let by_id: HashMap<i64, &Unit> = all.iter().map(|u| (u.id, u)).collect();
    // A unit named in the history (a transfer from a closed unit, say) shows only to those who
    // may know of it.
    let by_code: HashMap<&str, &Unit> = all.iter().map(|u| (u.code.as_str(), u)).collect();
    let shown = |h: &Option<String>, change: &str| -> String {
        match h {
            Some(code) if change == "transfer" => match by_code.get(code.as_str()) {
                Some(u) if knows(u) => code.clone(),
                _ => "a unit not shown".to_string(),
            },
            other => other.clone().unwrap_or_default(),
        }
    };
    let known_code = |code: &Option<String>| {
        code.as_deref()
            .and_then(|c| by_code.get(c))
            .is_some_and(|u| knows(u))
    };
    // An entry written in a unit the viewer may not know of (a closed circle the person came
    // from) keeps its officers and its words there: who recorded it is "an officer", and its
    // reason is not shown (a transfer's reason excepted: the receiving unit's secretary was
    // shown it on the request). A transfer is written between two units: both must be known.
    let in_known = |h: &HistoryEntry| {
        known_code(&h.recorded_in) && (h.change != "transfer" || known_code(&h.to_value))
    };
    let history = history
        .iter()
        .map(|h| HistoryLine {
            on_date: h.on_date.to_string(),
            change: h.change.clone(),
            from: shown(&h.from_value, &h.change),
            to: shown(&h.to_value, &h.change),
            reason: if in_known(h) || h.change == "transfer" {
                h.reason.clone()
            } else {
                "recorded in a unit not shown".to_string()
            },
            by: match &h.by {
                Some(login) if in_known(h) => login.clone(),
                Some(_) => "an officer".to_string(),
                None => String::new(),
            },
        })
        .collect();
    // Tasks recorded in a unit the viewer may not know of: the day, not the words.
    let tasks = tasks
        .into_iter()
        .map(|t| {
            let known = by_id.get(&t.unit_id).is_some_and(|u| knows(u));
            (t, known)
        })
        .collect();
    let requests = if manage {
        store.transfer_requests_of(id).await?
    } else {
        Vec::new()
    };
    let unit_named = |id: i64| -> String {
        match by_id.get(&id) {
            Some(u) if knows(u) => format!("{} ({})", u.name, u.kind_name),
            _ => "a unit not shown".to_string(),
        }
    };
    let requests = requests
        .into_iter()
        .map(|r| {
            let into = unit_named(r.to_unit);
            (r, into)
        })
        .collect();
    Ok(PersonView {
        person: p,
        unit,
        standing,
        version,
        today,
        csrf: csrf(session),
        identity,
        history,
        payments,
        tasks,
        invite,
        manage,
        move_to,
        ask_to,
        requests,
    })
}

/// The person's page, drawn from what `load_view` read.
fn render(v: &PersonView) -> Markup {
    let (p, unit, standing) = (&v.person, &v.unit, &v.standing);
    html! {
        p.crumbs { a href={ "/units/" (unit.id) } { (unit.name) } }
        h1 { (p.pseudonym) span.badge { (p.status.as_str()) } }
        h2 { "Standing today" }
        p class=(if standing.vote { "ok" } else { "no" }) { b { (words::standing::summary(standing)) } }
        table {
            @for c in &standing.checks {
                tr {
                    td class=(if c.met { "ok" } else { "no" }) { @if c.met { "✓" } @else { "✗" } }
                    td { (c.rule) }
                    td { (words::standing::reason(&c.reason)) }
                }
            }
        }
        p.muted { "Under the statutes version " (v.version) " in force on " (v.today) ". " a href="/statutes" { "Read the statutes" } }

        @if let Some(i) = &v.identity {
            h2 { "Identity" }
            table {
                tr { th { "Legal name" } td { (i.legal_name) } }
                tr { th { "Email" } td { (i.email) } }
                tr { th { "Phone" } td { (i.phone) } }
                tr { th { "Address" } td { (i.address) } }
                tr { th { "Workplace" } td { (i.workplace) } }
                @if !i.notes.is_empty() { tr { th { "Notes" } td { (i.notes) } } }
            }
        }

        h2 { "History" }
        table {
            tr { th { "Date" } th { "Change" } th { "From" } th { "To" } th { "Reason" } th { "By" } }
            @for h in &v.history {
                tr {
                    td { (h.on_date) } td { (h.change) }
                    td { (h.from) } td { (h.to) }
                    td { (h.reason) } td { (h.by) }
                }
            }
        }

        h2 { "Dues paid" }
        @if v.payments.is_empty() { p.muted { "None recorded." } }
        @else {
            table {
                tr { th { "For" } th { "Paid on" } th.num { "Amount" } th { "Recorded from" } }
                @for pay in v.payments.iter().take(24) {
                    tr {
                        td { (pay.period) } td { (pay.paid_on) } td.num { (money(pay.amount_cents)) }
                        td {
                            (pay.source)
                            @if let Some(on) = &pay.reversed_on { " " span.muted { "(reversed on " (on) ": not counted)" } }
                        }
                    }
                }
            }
        }

        h2 { "Tasks" }
        @if v.tasks.is_empty() { p.muted { "None recorded." } }
        @else {
            table {
                tr { th { "Done on" } th { "Task" } }
                @for (t, known) in v.tasks.iter().take(24) {
                    tr {
                        td { (t.done_on) }
                        td { @if *known { (t.description) } @else { span.muted { "recorded in a unit not shown" } } }
                    }
                }
            }
        }

        @if let Some(has_account) = v.invite {
            (account_part(v, has_account))
        }

        @if v.manage {
            (manage_part(v))
        }
    }
}

/// The invitation to an account, for the officer who may invite.
fn account_part(v: &PersonView, has_account: bool) -> Markup {
    let p = &v.person;
    html! {
        h2 { "Account" }
        @if has_account { p.muted { (p.pseudonym) " has an account." } }
        @else if p.status != Status::Member { p.muted { "Only an admitted member can be invited to an account." } }
        @else {
            form method="post" action={ "/people/" (p.id) "/invitation" } {
                (v.csrf)
                fieldset {
                    legend { "Invite to an account" }
                    p.muted { "Makes a one-time link, valid for " (store::invitations::INVITATION_DAYS) " days, by which "
                              (p.pseudonym) " chooses a login name and password. It is shown once; a new one stops the last." }
                    button type="submit" { "Invite to an account" }
                }
            }
        }
    }
}

/// The forms of the officer who manages the person: a task, a status, a transfer, and the
/// transfers asked for.
fn manage_part(v: &PersonView) -> Markup {
    let (p, id, today) = (&v.person, v.person.id, v.today);
    html! {
        h2 { "Record" }
        form method="post" action={ "/people/" (id) "/tasks" } {
            (v.csrf)
            fieldset {
                legend { "A task done" }
                label { "Done on " input type="date" name="done_on" value=(today) required; }
                label { "What " input type="text" name="description" size="40" placeholder="sold 20 papers at the depot gate" required; }
                button type="submit" { "Record the task" }
            }
        }
        form method="post" action={ "/people/" (id) "/status" } {
            (v.csrf)
            fieldset {
                legend { "A change of status" }
                label { "New status " select name="status" {
                    @for s in Status::ALL { @if s != p.status { option value=(s.as_str()) { (s.as_str()) } } }
                } }
                label { "On " input type="date" name="on" value=(today) required; }
                label { "Reason " input type="text" name="reason" size="40" required; }
                button type="submit" { "Change the status" }
            }
        }
        form method="post" action={ "/people/" (id) "/transfer" } {
            (v.csrf)
            fieldset {
                legend { "A transfer to another unit" }
                label { "To " select name="unit" {
                    @if !v.move_to.is_empty() {
                        optgroup label="Units you manage: moved at once" {
                            @for u in &v.move_to { option value=(u.id) { (u.name) " (" (u.kind_name) ")" } }
                        }
                    }
                    @if !v.ask_to.is_empty() {
                        optgroup label="Other units: their secretary is asked" {
                            @for u in &v.ask_to { option value=(u.id) { (u.name) " (" (u.kind_name) ")" } }
                        }
                    }
                } }
                label { "On " input type="date" name="on" value=(today) required; }
                label { "Reason " input type="text" name="reason" size="40" maxlength=(store::transfers::REASON_MAX) required; }
                button type="submit" { "Transfer" }
                p.muted { "Into a unit you do not manage, this asks its secretary, who sees "
                          (p.pseudonym) " by party name and the reason; nothing moves until they accept, "
                          "and the move takes effect on the day they do. Whoever leaves a unit stops holding the offices they held in it." }
            }
        }
        @if !v.requests.is_empty() {
            h3 { "Transfers asked for" }
            table {
                tr { th { "Asked on" } th { "Into" } th { "Answer" } }
                @for (r, into) in &v.requests {
                    tr {
                        td { (r.requested_on) }
                        td { (into) }
                        td {
                            @match (&r.decision, r.decided_on) {
                                (Some(d), Some(on)) => { (d) " on " (on) }
                                (Some(d), None) => { (d) }
                                (None, _) => { "waiting" }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn manage(
    state: &AppState,
    session: &store::accounts::Session,
    id: i64,
    f: &FormData,
) -> AppResult<Person> {
    check_csrf(session, f)?;
    let w = who(state, session).await?;
    let p = load(state, id).await?;
    let chain = chain_of(state, p.unit_id).await?;
    require(&w, Action::ManagePerson(&p, Place { chain: &chain }))?;
    Ok(p)
}

pub async fn change_status(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    manage(&state, &session, id, &f).await?;
    let status = f
        .get("status")
        .and_then(Status::parse)
        .ok_or_else(|| AppError::refused("choose a status"))?;
    state
        .store
        .set_status(
            id,
            status,
            f.day("on", "The date")?,
            &f.bounded(&core_rules::text::REASON)?,
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

/// Moves a person at once into a unit the officer manages, or asks any other unit they may know
/// of to take them in. A unit they may not know of is "not found", exactly as one that does not
/// exist.
pub async fn transfer(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    let p = manage(&state, &session, id, &f).await?;
    let to = f.id("unit", "The unit")?;
    let on = f.day("on", "The date")?;
    let w = who(&state, &session).await?;
    let from = chain_of(&state, p.unit_id).await?;
    let to_chain = chain_of(&state, to).await?;
    let (from, to_place) = (Place { chain: &from }, Place { chain: &to_chain });
    let by = Some(session.account.id);
    if allowed(
        &w,
        Action::MovePerson {
            person: &p,
            from,
            to: to_place,
        },
    ) {
        state
            .store
            .transfer(id, to, on, &f.text("reason"), by)
            .await?;
    } else if allowed(
        &w,
        Action::AskTransfer {
            person: &p,
            from,
            to: to_place,
        },
    ) {
        state
            .store
            .request_transfer(id, to, on, &f.text("reason"), by)
            .await?;
    } else {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

/// The receiving unit's secretary accepts or refuses a transfer asked into their unit.
pub async fn decide_transfer(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(request): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    let r = state
        .store
        .transfer_request(request)
        .await?
        .ok_or(AppError::NotFound)?;
    let chain = chain_of(&state, r.to_unit).await?;
    require(&w, Action::DecideTransfer(Place { chain: &chain }))?;
    let by = Some(session.account.id);
    match f.get("decision") {
        Some("accept") => {
            state
                .store
                .accept_transfer(request, state.store.today(), by)
                .await?
        }
        Some("refuse") => {
            state
                .store
                .refuse_transfer(request, state.store.today(), by)
                .await?
        }
        _ => return Err(AppError::refused("decide to accept or to refuse")),
    }
    Ok(Redirect::to(&format!("/units/{}", r.to_unit)).into_response())
}

pub async fn record_task(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    let p = manage(&state, &session, id, &f).await?;
    state
        .store
        .record_task(
            id,
            p.unit_id,
            f.day("done_on", "The date")?,
            &f.bounded(&core_rules::text::TASK)?,
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}
