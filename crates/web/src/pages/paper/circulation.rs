//! Circulation: the agent's page for a bundle's sales, returns and money, the reconciliation and
//! the dashboards.

use super::picture::bars;
use super::public::publication;
use super::unknown_units;
use crate::access::{Action, Place};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::pages::{chain_of, chains, require, who};
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::money as bounds_money;
use core_rules::paper::{money, AgentReturn};
use core_rules::quantity;
use maud::{html, Markup};
use std::collections::HashMap;
use store::units::Unit;

// Long: the page's reads each sit beside the access rule that allows them (recording returns,
// ordering), and the markup follows in page order.
pub async fn unit_paper(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    let chain = chain_of(&state, id).await?;
    let place = Place { chain: &chain };
    require(&w, Action::ViewFigures(place))?;
    let can_record = crate::access::allowed(&w, Action::RecordReturn(place));
    let can_order = crate::access::allowed(&w, Action::OrderPaper(place));
    let mut orders_people = Vec::new();
    let unit = place.unit();
    let bundles = state.store.bundles_of_unit(id).await?;
    let mut rows = Vec::new();
    for (e, copies) in bundles.iter().take(12) {
        rows.push((e, *copies, state.store.bundle_return(e.id, id).await?));
    }
    // The papers this unit takes: those run by the unit or a body above it.
    let mut orders = Vec::new();
    if can_order {
        // Members and supporters, by party name, as the unit's roster shows them to its
        // offices; applicants and those who left are not offered.
        let people: Vec<_> = state
            .store
            .people_of_unit(id)
            .await?
            .into_iter()
            .filter(|p| {
                matches!(
                    p.status,
                    core_rules::people::Status::Member | core_rules::people::Status::Supporter
                )
            })
            .collect();
        // A unit takes a paper only from a body that may know of it (see `publication_for_unit`).
        for p in state.store.publications().await? {
            if crate::access::body_knows(&w.rules, place, p.unit_id) {
                let order = state.store.order_of(p.id, id).await?;
                let subs = state.store.subscriptions_of_unit(p.id, id).await?;
                orders.push((p, order, subs));
            }
        }
        orders_people = people;
    }
    let body = html! {
        h1 { "The paper in " (unit.name) }
        @for (p, order, subs) in &orders {
            section.orders id={ "orders-" (p.id) } {
                h2 { (p.name) ": standing order and subscribers" }
                form method="post" action={ "/units/" (id) "/paper/order" } {
                    (csrf(&session))
                    input type="hidden" name="publication" value=(p.id);
                    label { "Copies of each edition for the unit " input type="number" min="0" name="copies" required value=(order); }
                    button type="submit" { "Set the standing order" }
                }
                @let active: Vec<_> = subs.iter().filter(|s| s.active).collect();
                p { (active.len()) " subscribers, " (active.iter().map(|s| s.copies).sum::<i64>()) " copies, delivered by the unit." }
                @if !active.is_empty() {
                    table {
                        tr { th { "Subscriber" } th { "Copies" } th { "" } }
                        @for s in &active {
                            tr {
                                td { @if let Some(n) = &s.pseudonym { (n) } @else { span.muted { "no name kept" } } }
                                td { (s.copies) }
                                td {
                                    form.inline method="post" action={ "/units/" (id) "/paper/subscribers" } {
                                        (csrf(&session))
                                        input type="hidden" name="publication" value=(p.id);
                                        input type="hidden" name="end" value=(s.id);
                                        button.secondary type="submit" { "End" }
                                    }
                                }
                            }
                        }
                    }
                }
                form method="post" action={ "/units/" (id) "/paper/subscribers" } {
                    (csrf(&session))
                    input type="hidden" name="publication" value=(p.id);
                    label { "Subscriber " select name="person" {
                        option value="" { "nobody named (the agent knows them)" }
                        @for person in &orders_people { option value=(person.id) { (person.pseudonym) } }
                    } }
                    label { "Copies " input type="number" min="1" name="copies" required value="1"; }
                    button type="submit" { "Add a subscriber" }
                }
                p.muted { "Subscribers' names stay in the unit: the editors see only how many copies each unit takes." }
            }
        }
        @if rows.is_empty() { p { "No bundles yet." } }
        @for (e, copies, ret) in &rows {
            section.bundle id={ "e" (e.id) } {
                h2 { "No. " (e.number) ", " (e.issued_on) ": " (copies) " copies at " (money(e.price_cents)) }
                @if let Some(r) = ret {
                    p {
                        "Received " (r.received) ", sold " (r.sold) ", free " (r.free) ", returned " (r.returned)
                        ", remitted " (money(r.remitted_cents)) " of " (money(r.sold as i64 * e.price_cents)) " due."
                    }
                    @let diff = r.remitted_cents - r.sold as i64 * e.price_cents;
                    @if diff < 0 { p.error { "Arrears: " (money(-diff)) } }
                    @let unaccounted = r.received as i64 - (r.sold + r.free + r.returned) as i64;
                    @if unaccounted > 0 { p.error { (unaccounted) " copies not accounted for" } }
                }
                @if can_record {
                    form method="post" action={ "/units/" (id) "/paper" } {
                        (csrf(&session))
                        input type="hidden" name="edition" value=(e.id);
                        @let r = ret.unwrap_or(AgentReturn { received: *copies as u64, ..AgentReturn::default() });
                        label { "Received " input type="number" min="0" name="received" value=(r.received); }
                        label { "Sold " input type="number" min="0" name="sold" value=(r.sold); }
                        label { "Given free " input type="number" min="0" name="free" value=(r.free); }
                        label { "Returned " input type="number" min="0" name="returned" value=(r.returned); }
                        label { "Money remitted " input name="remitted" value=(money(r.remitted_cents)); }
                        button type="submit" { @if ret.is_some() { "Correct the return" } @else { "Record the return" } }
                    }
                }
            }
        }
    };
    Ok(layout::page("The paper", &state.org_name, &session, body).into_response())
}

pub async fn record_return(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    let chain = chain_of(&state, id).await?;
    require(&w, Action::RecordReturn(Place { chain: &chain }))?;
    let n = |bound: quantity::Bound, label: &'static str| -> AppResult<u64> {
        Ok(bound.parse(f.required(bound.field, label)?)?)
    };
    let edition = f.id("edition", "The edition")?;
    let r = AgentReturn {
        unit: id,
        received: n(quantity::RECEIVED, "Copies received")?,
        sold: n(quantity::SOLD, "Copies sold")?,
        free: n(quantity::FREE, "Copies given free")?,
        returned: n(quantity::RETURNED, "Copies returned")?,
        remitted_cents: bounds_money::REMITTED.parse(f.required("remitted", "Money remitted")?)?,
    };
    state
        .store
        .record_return(Some(session.account.id), edition, &r)
        .await?;
    Ok(Redirect::to(&format!("/units/{id}/paper#e{edition}")).into_response())
}

// Long: every figure of the dashboard is cut to what the viewer may know of before it is
// summed (see below), and that cut is easiest to check in one place.
pub async fn circulation(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path((code, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    let p = publication(&state, &code).await?;
    let chain = chain_of(&state, p.unit_id).await?;
    require(&w, Action::ViewFigures(Place { chain: &chain }))?;
    let n: i64 = number.parse().map_err(|_| AppError::NotFound)?;
    let e = state
        .store
        .edition_by_number(p.id, n)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = state.store.circulation(e.id).await?;
    let units = state.store.units().await?;
    let ch = chains(&units);
    let sees = |u: i64| {
        ch.get(&u)
            .is_some_and(|c| crate::access::allowed(&w, Action::ViewFigures(Place { chain: c })))
    };
    let name: HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    let tree = core_rules::paper::circulation::Tree::new(
        &units
            .iter()
            .map(|u| (u.id, u.parent_id))
            .collect::<Vec<_>>(),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    // Every figure here is the viewer's: the units they may not know of (a closed circle, for
    // a plain member of the paper's unit or a body the statutes do not name) are out of the
    // totals, the regions' branches, the print run, the members counted and the series, not
    // only out of the rows, so that no total says more than the rows it sums
    // (`Reconciliation::seen_by`; the copies still balance). The units they may know of but
    // not see the figures of (open units below, for a plain member) count in the totals only,
    // as in every total of the organisation.
    let hidden: std::collections::HashSet<i64> =
        unknown_units(&w, &units, &ch).into_iter().collect();
    let seen = c.reconciliation.seen_by(&tree, |u| !hidden.contains(&u));
    let rec = &seen;
    let mut members = state.store.members_per_unit().await?;
    members.retain(|u, _| !hidden.contains(u));
    let members_up = tree.roll_up(&members);
    let mut series = state.store.circulation_series(p.id).await?;
    if !hidden.is_empty() {
        let hidden: Vec<i64> = hidden.iter().copied().collect();
        let theirs = state.store.copies_in_units(p.id, &hidden).await?;
        let number: HashMap<i64, i64> = state
            .store
            .editions(p.id, false)
            .await?
            .iter()
            .map(|e| (e.number, e.id))
            .collect();
        for (n, sent, sold) in &mut series {
            if let Some((s, d)) = number.get(n).and_then(|id| theirs.get(id)) {
                *sent -= s;
                *sold -= d;
            }
        }
    }
    let accounts = state.store.paper_accounts(p.id).await?;
    // Regions: the units right below the publication's unit, with their branches' totals.
    let regions: Vec<&Unit> = units
        .iter()
        .filter(|u| u.parent_id == Some(p.unit_id) && sees(u.id))
        .collect();
    let t = rec.total;
    let body = html! {
        h1 { (p.name) " No. " (e.number) ": circulation" }
        p { "Print run " (rec.print_run) " = " (t.sent) " in bundles + " (rec.reserve) " reserve. "
            @if rec.copies_balance() { span.ok { "The copies balance." } } @else { span.error { "The copies do not balance." } } }
        table.figures {
            tr { th { "" } th { "Sent" } th { "Lost" } th { "Sold" } th { "Free" } th { "Returned" } th { "Unaccounted" } th { "Due" } th { "Remitted" } th { "Balance" } }
            (line_row("All bundles", &t))
        }
        h2 { "By region" }
        table.figures {
            tr { th { "" } th { "Sent" } th { "Lost" } th { "Sold" } th { "Free" } th { "Returned" } th { "Unaccounted" } th { "Due" } th { "Remitted" } th { "Balance" } }
            @for u in &regions {
                @if let Some(l) = rec.branches.get(&u.id) { (line_row(&u.name, l)) }
            }
        }
        h2 { "By unit" }
        table.figures {
            tr { th { "" } th { "Sent" } th { "Lost" } th { "Sold" } th { "Free" } th { "Returned" } th { "Unaccounted" } th { "Due" } th { "Remitted" } th { "Balance" } }
            @for (u, l) in rec.units.iter().filter(|(u, _)| sees(**u)) {
                (line_row(name.get(u).map(|x| x.name.as_str()).unwrap_or("?"), l))
            }
        }
        h2 { "Arrears over all editions" }
        table.figures {
            tr { th { "Unit" } th { "Due" } th { "Remitted" } th { "Arrears" } }
            @for (u, (due, paid)) in accounts.iter().filter(|(u, (d, p))| sees(**u) && d > p) {
                tr { td { (name.get(u).map(|x| x.name.as_str()).unwrap_or("?")) } td { (money(*due)) } td { (money(*paid)) } td.error { (money(due - paid)) } }
            }
        }
        h2 { "Circulation per edition" }
        (crate::chart::line("Copies sold per edition", &series.iter().map(|(n, _, sold)| (format!("No. {n}"), *sold)).collect::<Vec<_>>()))
        (crate::chart::line("Copies sent per edition", &series.iter().map(|(n, sent, _)| (format!("No. {n}"), *sent)).collect::<Vec<_>>()))
        h2 { "Sales by region" }
        (bars("Copies sold by region", &regions.iter().map(|u| (u.name.clone(), rec.branches.get(&u.id).map(|l| l.sold as i64).unwrap_or(0))).collect::<Vec<_>>()))
        h2 { "Sales per hundred members" }
        (bars("Copies sold per 100 members", &regions.iter().map(|u| {
            let m = members_up.get(&u.id).copied().unwrap_or(0);
            let s = rec.branches.get(&u.id).map(|l| l.sold as i64).unwrap_or(0);
            (u.name.clone(), if m > 0 { s * 100 / m } else { 0 })
        }).collect::<Vec<_>>()))
        h2 { "Reach against membership" }
        table.figures {
            tr { th { "Region" } th { "Members" } th { "Copies sent" } th { "Copies per member" } }
            @for u in &regions {
                @let m = members_up.get(&u.id).copied().unwrap_or(0);
                @let s = rec.branches.get(&u.id).map(|l| l.sent as i64).unwrap_or(0);
                tr { td { (u.name) } td { (m) } td { (s) } td { @if m > 0 { (format!("{:.2}", s as f64 / m as f64)) } } }
            }
        }
    };
    Ok(layout::page("Circulation", &state.org_name, &session, body).into_response())
}

fn line_row(label: &str, l: &core_rules::paper::UnitLine) -> Markup {
    html! {
        tr {
            td { (label) @if l.outstanding > 0 { " " span.muted { "(" (l.outstanding) " awaiting return)" } } }
            td { (l.sent) } td { (l.lost) } td { (l.sold) } td { (l.free) } td { (l.returned) }
            td { (l.unaccounted) } td { (money(l.due_cents)) } td { (money(l.remitted_cents)) }
            td class=(if l.balance_cents() < 0 { "error" } else { "" }) { (money(l.balance_cents())) }
        }
    }
}
