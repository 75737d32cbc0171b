//! The editors' desk: the reports and editions of the papers the viewer edits, the triage of
//! reports, and who sent one (to the editor it is assigned to only).

use super::editions::article_for_editor;
use super::{edited, editor_form_checks, unknown_units};
use crate::access::{Action, Place};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::pages::{chain_of, chains, require, who};
use crate::session::Signed;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::paper::{money, ArticleState, Triage};
use core_rules::Day;
use core_rules::{Refusal, Typed};
use maud::{html, Markup};
use std::collections::HashMap;
use store::accounts::Session;
use store::units::Unit;

pub async fn desk(State(state): State<AppState>, Signed(session): Signed) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::ReadReports)?;
    let pubs = edited(&state, &w).await?;
    let units = state.store.units().await?;
    let ch = chains(&units);
    let name: HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    let knows = |u: i64| {
        ch.get(&u)
            .is_some_and(|c| crate::access::allowed(&w, Action::ReadReport(Place { chain: c })))
    };
    let reports: Vec<_> = state
        .store
        .reports(Some("new"), 100)
        .await?
        .into_iter()
        .filter(|r| knows(r.unit_id))
        .collect();
    let accepted: Vec<_> = state
        .store
        .reports(Some("accepted"), 100)
        .await?
        .into_iter()
        .filter(|r| knows(r.unit_id))
        .collect();
    let today = state.store.today();
    let keep = state.store.correspondence_on(today).await?.sender_kept_days;
    let desk = Desk {
        session: &session,
        name: &name,
        today,
        keep,
    };
    // Each edition's print run as this editor may know it: the reserve and the bundles of the
    // units they may know of (the paper's own editors know of every unit that takes it; an
    // editor above, who may not know of a closed unit below it, sees its copies nowhere).
    let hidden = unknown_units(&w, &units, &ch);
    let mut desks = Vec::new();
    for p in &pubs {
        let mut editions = state.store.editions(p.id, false).await?;
        if !hidden.is_empty() {
            let theirs = state.store.copies_in_units(p.id, &hidden).await?;
            for e in &mut editions {
                if let (Some(run), Some((sent, _))) = (e.print_run.as_mut(), theirs.get(&e.id)) {
                    *run -= sent;
                }
            }
        }
        desks.push((p, editions, state.store.articles(p.id).await?));
    }
    let body = html! {
        h1 { "The editors' desk" }
        p { a href="/editor/picture" { "The single picture of the reports" } " · " a href="/editor/orders" { "Orders and the reserve" } }
        @for (p, editions, articles) in &desks {
            h2 { (p.name) }
            h3 { "Editions" }
            table {
                tr { th { "No." } th { "Date" } th { "Headline" } th { "Price" } th { "Print run" } th { "" } }
                @for e in editions {
                    tr {
                        td { (e.number) } td { (e.issued_on) } td { (e.headline) } td { (money(e.price_cents)) }
                        td { @if let Some(r) = e.print_run { (r) } @else { "not planned" } }
                        td {
                            @if e.published {
                                a href={ "/paper/" (p.code) "/" (e.number) } { "public page" } " · "
                            } @else {
                                form.inline method="post" action={ "/editor/editions/" (e.id) "/publish" } { (csrf(&session)) button type="submit" { "Publish" } }
                            }
                            form.inline method="post" action={ "/editor/editions/" (e.id) "/plan" } { (csrf(&session)) button.secondary type="submit" { "Plan circulation" } }
                            " " a href={ "/paper/" (p.code) "/" (e.number) "/circulation" } { "circulation" }
                        }
                    }
                }
            }
            form method="post" action="/editor/editions" {
                (csrf(&session))
                input type="hidden" name="publication" value=(p.id);
                label { "No. " input type="number" name="number" min="1" required value=(editions.first().map(|e| e.number + 1).unwrap_or(1)); }
                label { "Date " input type="date" name="date" required value=(state.store.today()); }
                label { "Price " input name="price" required value=(editions.first().map(|e| money(e.price_cents)).unwrap_or_else(|| "1.00".into())); }
                label { "Headline " input name="headline" required; }
                button type="submit" { "New edition" }
            }
            h3 { "Articles" }
            table {
                tr { th { "Title" } th { "Edition" } th { "State" } th { "" } }
                @for a in articles {
                    tr {
                        td { a href={ "/editor/articles/" (a.id) } { (a.title) } }
                        td { @if let Some(e) = a.edition_id { @if let Some(ed) = editions.iter().find(|x| x.id == e) { "No. " (ed.number) } } }
                        td.state { (a.state) }
                        td {
                            @if let Some(next) = a.state.next() {
                                @if next != ArticleState::Published {
                                    form.inline method="post" action={ "/editor/articles/" (a.id) "/state" } {
                                        (csrf(&session)) input type="hidden" name="to" value=(next.code());
                                        button type="submit" { "Mark " (next) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action="/editor/articles" {
                (csrf(&session))
                input type="hidden" name="publication" value=(p.id);
                label { "Title " input name="title" required; }
                label { "Text (Markdown) " textarea name="body" rows="6" {} }
                button type="submit" { "New article" }
            }
        }
        h2 { "New reports" }
        p.muted { "A report sent under a party name is assigned to the editor who first decides on it. Only they can ask who sent it (each time is recorded), until the sender is cleared " (keep) " days after the report is decided." }
        (report_table(&desk, &reports, true))
        h2 { "Accepted reports" }
        (report_table(&desk, &accepted, false))
    };
    Ok(layout::page("Editors", &state.org_name, &session, body).into_response())
}

/// What the desk's report lists need to know of the viewer and the day.
struct Desk<'a> {
    session: &'a Session,
    name: &'a HashMap<i64, &'a Unit>,
    today: Day,
    /// The statutes' days a sender is kept after the decision.
    keep: u32,
}

/// Who sent a report, as the desk says it: never a name. The editor it is assigned to gets a
/// button that asks for the name (`/editor/reports/{id}/sender`); the others are told only
/// that a sender is known, and to whom.
fn sender_line(d: &Desk, r: &store::paper::Report) -> Markup {
    let kept =
        r.has_sender && core_rules::paper::reports::sender_kept(r.decided_on, d.today, d.keep);
    html! {
        @if !kept {
            "no sender known"
        } @else if r.assigned_to == Some(d.session.account.id) {
            form.inline method="post" action={ "/editor/reports/" (r.id) "/sender" } {
                (csrf(d.session))
                button.secondary type="submit" { "Show who sent this" }
            }
        } @else if r.assigned_to.is_some() {
            "sent under a party name, known to the editor who handles it"
        } @else {
            "sent under a party name, to be known to the editor who decides on it"
        }
    }
}

fn report_table(d: &Desk, reports: &[store::paper::Report], new: bool) -> Markup {
    let session = d.session;
    html! {
        @if reports.is_empty() { p.muted { "None." } }
        @for r in reports {
            div.report {
                p.muted {
                    (r.category.name()) " · " (d.name.get(&r.unit_id).map(|u| u.name.as_str()).unwrap_or("?")) " · " (r.happened_on)
                    " · " (sender_line(d, r))
                    " · report " (r.id)
                }
                p { (r.body) }
                @if let Some(t) = &r.place_text { p.muted { "Where, in the sender's words: " (t) } }
                form.inline method="post" action={ "/editor/reports/" (r.id) } {
                    (csrf(session))
                    label { "file under the unit " input name="unit" size="16" placeholder="code"; }
                    button.secondary name="decision" value="place" type="submit" { "Place" }
                }
                form.inline method="post" action={ "/editor/reports/" (r.id) } {
                    (csrf(session))
                    @if new { button name="decision" value="accept" type="submit" { "Accept" } }
                    button.secondary name="decision" value="reject" type="submit" { "Reject" }
                    label { " merge into report " input name="other" size="8"; }
                    button.secondary name="decision" value="merge" type="submit" { "Merge" }
                    label { " use in article " input name="article" size="5"; }
                    button.secondary name="decision" value="use" type="submit" { "Link" }
                }
            }
        }
    }
}

pub async fn triage(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    editor_form_checks(&session, &f)?;
    let w = who(&state, &session).await?;
    require(&w, Action::ReadReports)?;
    let r = state.store.report(id).await?.ok_or(AppError::NotFound)?;
    let chain = chain_of(&state, r.unit_id).await?;
    require(&w, Action::ReadReport(Place { chain: &chain }))?;
    let decision = f.required("decision", "The decision")?;
    if decision == "place" {
        // Filed under a unit the editor may know of: any other is "not found", as if it did
        // not exist.
        let code = f.required("unit", "The unit")?;
        let unit = state
            .store
            .unit_by_code(code)
            .await?
            .ok_or(AppError::NotFound)?;
        let to = chain_of(&state, unit.id).await?;
        require(&w, Action::ReadReport(Place { chain: &to }))?;
        state
            .store
            .place_report(Some(session.account.id), id, unit.id)
            .await?;
        return Ok(Redirect::to("/editor").into_response());
    }
    let t = match decision {
        "accept" => Triage::Accept,
        "reject" => Triage::Reject,
        "merge" => Triage::MergeInto(f.id("other", "The report to merge into")?),
        "use" => {
            let a = f.id("article", "The article")?;
            article_for_editor(&state, &w, a).await?;
            Triage::UseIn(a)
        }
        other => {
            return Err(Refusal::on("decision", "{} is not a decision")
                .arg(Typed(other))
                .into())
        }
    };
    state
        .store
        .triage_report(Some(session.account.id), id, t)
        .await?;
    Ok(Redirect::to("/editor").into_response())
}

/// Who sent a report: shown to the editor it is assigned to, on their request, and recorded in
/// the audit log before the name is sent (`Store::report_sender`). Anyone else, and a report
/// whose sender is cleared, gets "not found".
pub async fn sender(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    editor_form_checks(&session, &f)?;
    let w = who(&state, &session).await?;
    require(&w, Action::ReadReports)?;
    let r = state.store.report(id).await?.ok_or(AppError::NotFound)?;
    let chain = chain_of(&state, r.unit_id).await?;
    require(
        &w,
        Action::SeeSender {
            place: Place { chain: &chain },
            assigned: r.assigned_to == Some(session.account.id),
        },
    )?;
    let sender = state.store.report_sender(session.account.id, id).await?;
    let keep = state
        .store
        .correspondence_on(state.store.today())
        .await?
        .sender_kept_days;
    let body = html! {
        h1 { "Who sent report " (r.id) }
        p.muted { (r.category.name()) " · " (chain[0].name) " · " (r.happened_on) " · " (r.status) }
        p { (r.body) }
        p { "Sent by " strong { (sender) } "." }
        p.muted {
            "This view is recorded. Only you, the editor the report is assigned to, can see this name; "
            @match r.decided_on {
                Some(d) => { "it is cleared on " (d.add_days(keep as i64)) ", " (keep) " days after the report was decided." }
                None => { "it is cleared " (keep) " days after the report is decided." }
            }
        }
        p { a href="/editor" { "Back to the desk" } }
    };
    Ok(layout::page("Who sent this", &state.org_name, &session, body).into_response())
}
