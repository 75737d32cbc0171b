//! A person's page: their standing under the statutes explained, their history, and the forms
//! an officer uses to change their status, move them, or record a task.

use super::{chain_of, chains, require, who};
use crate::access::{allowed, Action, Place};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf, money};
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::people::Status;
use core_rules::Day;
use maud::html;
use store::people::Person;

async fn load(state: &AppState, id: i64) -> AppResult<Person> {
    state.store.person(id).await?.ok_or(AppError::NotFound)
}

pub async fn page(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let store = &state.store;
    let w = who(&state, &session).await?;
    let p = load(&state, id).await?;
    let chain = chain_of(&state, p.unit_id).await?;
    let place = Place { chain: &chain };
    require(&w, Action::ViewPerson(&p, place))?;
    let identity_allowed = allowed(&w, Action::ViewIdentity(&p, place));
    let manage = allowed(&w, Action::ManagePerson(&p, place));
    let invite = allowed(&w, Action::InvitePerson(&p, place));
    let has_account = if invite {
        store.account_of_person(id).await?.is_some()
    } else {
        false
    };
    let today = Day::today();
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
    // Transfer destinations: the units the viewer is told of, closed branches left out.
    let units = if manage {
        let all = store.units().await?;
        let chains = chains(&all);
        all.iter()
            .filter(|u| {
                allowed(
                    &w,
                    Action::KnowUnit(Place {
                        chain: &chains[&u.id],
                    }),
                )
            })
            .cloned()
            .collect()
    } else {
        Vec::new()
    };

    let body = html! {
        p.crumbs { a href={ "/units/" (unit.id) } { (unit.name) } }
        h1 { (p.pseudonym) span.badge { (p.status.as_str()) } }
        h2 { "Standing today" }
        p class=(if standing.vote { "ok" } else { "no" }) { b { (standing.summary()) } }
        table {
            @for c in &standing.checks {
                tr {
                    td class=(if c.met { "ok" } else { "no" }) { @if c.met { "✓" } @else { "✗" } }
                    td { (c.rule) }
                    td { (c.words) }
                }
            }
        }
        p.muted { "Under the statutes version " (version) " in force on " (today) ". " a href="/statutes" { "Read the statutes" } }

        @if let Some(i) = &identity {
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
            @for h in &history {
                tr {
                    td { (h.on_date) } td { (h.change) }
                    td { (h.from_value.clone().unwrap_or_default()) } td { (h.to_value.clone().unwrap_or_default()) }
                    td { (h.reason) } td { (h.by.clone().unwrap_or_default()) }
                }
            }
        }

        h2 { "Dues paid" }
        @if payments.is_empty() { p.muted { "None recorded." } }
        @else {
            table {
                tr { th { "For" } th { "Paid on" } th.num { "Amount" } th { "Recorded from" } }
                @for pay in payments.iter().take(24) {
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
        @if tasks.is_empty() { p.muted { "None recorded." } }
        @else {
            table {
                tr { th { "Done on" } th { "Task" } }
                @for t in tasks.iter().take(24) { tr { td { (t.done_on) } td { (t.description) } } }
            }
        }

        @if invite {
            h2 { "Account" }
            @if has_account { p.muted { (p.pseudonym) " has an account." } }
            @else if p.status != Status::Member { p.muted { "Only an admitted member can be invited to an account." } }
            @else {
                form method="post" action={ "/people/" (id) "/invitation" } {
                    (csrf(&session))
                    fieldset {
                        legend { "Invite to an account" }
                        p.muted { "Makes a one-time link, valid for " (store::invitations::INVITATION_DAYS) " days, by which "
                                  (p.pseudonym) " chooses a login name and password. It is shown once; a new one stops the last." }
                        button type="submit" { "Invite to an account" }
                    }
                }
            }
        }

        @if manage {
            h2 { "Record" }
            form method="post" action={ "/people/" (id) "/tasks" } {
                (csrf(&session))
                fieldset {
                    legend { "A task done" }
                    label { "Done on " input type="date" name="done_on" value=(today) required; }
                    label { "What " input type="text" name="description" size="40" placeholder="sold 20 papers at the depot gate" required; }
                    button type="submit" { "Record the task" }
                }
            }
            form method="post" action={ "/people/" (id) "/status" } {
                (csrf(&session))
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
                (csrf(&session))
                fieldset {
                    legend { "A transfer to another unit" }
                    label { "To " select name="unit" {
                        @for u in &units { @if u.id != p.unit_id { option value=(u.id) { (u.name) " (" (u.kind_name) ")" } } }
                    } }
                    label { "On " input type="date" name="on" value=(today) required; }
                    label { "Reason " input type="text" name="reason" size="40" required; }
                    button type="submit" { "Transfer" }
                }
            }
        }
    };
    Ok(layout::page(&p.pseudonym, &state.org_name, &session, body).into_response())
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

pub async fn transfer(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    manage(&state, &session, id, &f).await?;
    let to = f.id("unit", "The unit")?;
    // A unit the officer is not told of gets the same answer as one that does not exist.
    let w = who(&state, &session).await?;
    let chain = state.store.chain(to).await?;
    if chain.is_empty() || !allowed(&w, Action::KnowUnit(Place { chain: &chain })) {
        return Err(AppError::refused("there is no such unit"));
    }
    state
        .store
        .transfer(
            id,
            to,
            f.day("on", "The date")?,
            &f.text("reason"),
            Some(session.account.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
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
