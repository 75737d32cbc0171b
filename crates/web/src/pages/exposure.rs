//! The security officer's pages: what a seized account or an infiltrator would expose, for one
//! person and for the organisation; a simulation of infiltration and arrest; the risk of a
//! planned meeting. Each is also JSON with `?format=json`.
//!
//! The figures are counts. A person or unit is named only where the officer's own access
//! allows it (`ViewRoster` for a pseudonym, `ViewFigures` for a unit); elsewhere by number.

use super::{require, who};
use crate::access::exposure::{
    Brief, ClassAnswer, Exposure, Index, Subject, Summary, SummaryFold, TopK, UnitLinks, KINDS,
};
use crate::access::{allowed, Action, Place, Who};
use crate::chart;
use crate::error::{AppError, AppResult};
use crate::layout;
use crate::session::Signed;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use core_rules::exposure::meeting_risk::{Assumptions, NEWCOMER_DAYS};
use core_rules::exposure::simulate::{Placement, Report, Scenario};
use core_rules::exposure::stats::Tally;
use core_rules::{Refusal, Typed};
use maud::{html, Markup};
use serde_json::json;
use std::collections::HashMap;

type Params = Query<HashMap<String, String>>;

/// Runs CPU-bound work (indexing, analysing a whole organisation: seconds at a million people)
/// off the async workers, so that the server keeps answering other requests meanwhile.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

async fn index(state: &AppState) -> AppResult<Index> {
    give_back_freed_memory();
    let snap = state.store.exposure_snapshot().await?;
    give_back_freed_memory();
    let rules = state.store.access_rules(state.store.today()).await?;
    blocking(move || Index::new(snap, rules)).await
}

/// Hands the heap's free pages back to the system before the index is built, through the hook
/// the binary installs (`crate::memory`). glibc keeps small blocks freed in a thread's heap for
/// that thread: what an earlier page (the tree: 30 MB) or the reading of a million rows (about
/// 15 MB) left there is not reused by the index, which is built on another thread, and would
/// count in the peak. Measured with `bench/memory.sh` (issue 8); a few milliseconds.
fn give_back_freed_memory() {
    crate::memory::give_back_freed_memory();
}

fn wants_json(q: &HashMap<String, String>) -> bool {
    q.get("format").is_some_and(|f| f == "json")
}

fn json_response(v: serde_json::Value) -> Response {
    axum::Json(v).into_response()
}

fn place(ix: &Index, unit: usize) -> Place<'_> {
    Place {
        chain: &ix.chains[unit],
    }
}

/// The unit whose officers may see what this subject's account exposes: their person's unit;
/// for an account with no person, the top.
fn reach_unit(ix: &Index, s: &Subject) -> Option<usize> {
    match s.person.and_then(|p| ix.person_ix.get(p)) {
        Some(pi) => Some(ix.person_unit[pi as usize] as usize),
        None => ix.chains.iter().position(|c| c.len() == 1),
    }
}

/// Whether the viewer may see what this subject's account exposes: their person's unit within
/// the officer's reach; an account with no person, only from the top.
fn in_reach(ix: &Index, w: &Who, s: &Subject) -> bool {
    reach_unit(ix, s).is_some_and(|u| allowed(w, Action::ViewExposure(place(ix, u))))
}

fn unit_label(ix: &Index, w: &Who, unit: usize) -> String {
    if allowed(w, Action::ViewFigures(place(ix, unit))) {
        let u = &ix.snap.units[unit];
        format!("{} ({})", u.name, u.code)
    } else {
        "a unit outside your reach".into()
    }
}

/// A person's label for this viewer: the pseudonym where their access shows it, else a number.
fn person_label(ix: &Index, w: &Who, names: &HashMap<i64, String>, person: i64) -> String {
    let Some(pi) = ix.person_ix.get(person) else {
        return format!("person #{person}");
    };
    let unit = ix.person_unit[pi as usize] as usize;
    match names.get(&person) {
        Some(n) if allowed(w, Action::ViewRoster(place(ix, unit))) => n.clone(),
        _ => format!("person #{person}"),
    }
}

fn subject_label(ix: &Index, w: &Who, names: &HashMap<i64, String>, s: &Subject) -> String {
    match (s.person, s.account) {
        (Some(p), _) => person_label(ix, w, names, p),
        (None, Some(a)) => format!("account #{a} (no person)"),
        (None, None) => "nobody".into(),
    }
}

fn offices(ix: &Index, w: &Who, s: &Subject) -> String {
    let Some(a) = s.account else {
        return if s.has_account {
            String::new()
        } else {
            "no account yet".into()
        };
    };
    let mut out: Vec<String> = ix
        .snap
        .grants
        .iter()
        .filter(|g| g.account_id == a)
        .map(|g| {
            let u = ix.unit_ix[&g.unit_id];
            format!("{} of {}", g.role.name(), unit_label(ix, w, u))
        })
        .collect();
    if ix.snap.accounts.iter().any(|x| x.id == a && x.is_admin) {
        out.push("the organisation's administrator".into());
    }
    out.join("; ")
}

/// People exposed per account, in buckets, for the chart.
fn buckets(people: &Tally) -> Vec<(String, i64)> {
    let edges: [(u64, &str); 9] = [
        (1, "1"),
        (5, "2–5"),
        (10, "6–10"),
        (20, "11–20"),
        (50, "21–50"),
        (100, "51–100"),
        (200, "101–200"),
        (500, "201–500"),
        (u64::MAX, "over 500"),
    ];
    let mut counts = vec![0i64; edges.len()];
    for (people, times) in people.values() {
        let i = edges.iter().position(|(up, _)| people <= *up).unwrap_or(0);
        counts[i] += times as i64;
    }
    edges
        .iter()
        .zip(counts)
        .map(|((_, l), n)| (l.to_string(), n))
        .collect()
}

/// The organisation's page, loaded and labelled for the viewer: what `render_organisation` draws
/// and the JSON shows.
struct Organisation {
    summary: Summary,
    /// People exposed per account, tallied, for the chart.
    people: Tally,
    /// The accounts that expose the most, and the officers' apart.
    top: Vec<Shown>,
    officers: Vec<Shown>,
    /// The units known most outside themselves, with their labels.
    units: Vec<(String, UnitLinks)>,
}

/// An account as the organisation's page shows it.
struct Shown {
    label: String,
    offices: String,
    exposure: Exposure,
}

/// Analyses every account within the viewer's reach and keeps what the page shows of it.
async fn load_organisation(state: &AppState, w: &Who) -> AppResult<Organisation> {
    let ix = index(state).await?;
    // The units whose accounts the officer may analyse, asked once each before the analysis.
    let reach: Vec<bool> = (0..ix.chains.len())
        .map(|u| allowed(w, Action::ViewExposure(place(&ix, u))))
        .collect();
    // At a million accounts none is kept: each is folded into the figures and the rankings as
    // it is made, and the few shown are asked again in full.
    let (ix, fold, ranked, ranked_officers, links) = blocking(move || {
        let mut fold = SummaryFold::default();
        let mut ranked: TopK<Brief> = TopK::new(15);
        // Officers apart: they sit where units join, and their accounts carry the offices'
        // views.
        let mut officers: TopK<Brief> = TopK::new(10);
        let links = ix.analyse_each(|e| {
            if !reach_unit(&ix, &e.subject).is_some_and(|u| reach[u]) {
                return;
            }
            let b = Brief::of(&e);
            fold.add(&b);
            let key = (b.people, b.units_spanned);
            if b.subject.account.is_some_and(|a| ix.holds_office(a)) {
                officers.add(key, || b.clone());
            }
            ranked.add(key, || b);
        });
        (ix, fold, ranked, officers, links)
    })
    .await?;
    let summary = fold.summary();
    let officers: Vec<Exposure> = ranked_officers
        .into_sorted()
        .iter()
        .map(|e| ix.exposure_of(&e.subject).0)
        .collect();
    let top: Vec<Exposure> = ranked
        .into_sorted()
        .iter()
        .map(|e| ix.exposure_of(&e.subject).0)
        .collect();
    let mut units: Vec<&UnitLinks> = links
        .iter()
        .filter(|u| {
            let i = ix.unit_ix[&u.unit_id];
            allowed(w, Action::ViewExposure(place(&ix, i)))
                && u.people > 0
                && u.outside_by_account + u.outside_met > 0
        })
        .collect();
    units.sort_by(|a, b| b.ratio().total_cmp(&a.ratio()));
    units.truncate(10);
    let ids: Vec<i64> = top
        .iter()
        .chain(&officers)
        .filter_map(|e| e.subject.person)
        .collect();
    let names = state.store.pseudonyms_of(&ids).await?;
    let shown = |exposure: Exposure| Shown {
        label: subject_label(&ix, w, &names, &exposure.subject),
        offices: offices(&ix, w, &exposure.subject),
        exposure,
    };
    Ok(Organisation {
        summary,
        people: fold.people,
        top: top.into_iter().map(shown).collect(),
        officers: officers.into_iter().map(shown).collect(),
        units: units
            .into_iter()
            .map(|u| (unit_label(&ix, w, ix.unit_ix[&u.unit_id]), u.clone()))
            .collect(),
    })
}

pub async fn organisation(
    State(state): State<AppState>,
    Signed(session): Signed,
    Query(q): Params,
) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::AnalyseExposure)?;
    let view = load_organisation(&state, &w).await?;
    if wants_json(&q) {
        let shown = |rows: &[Shown]| {
            rows.iter()
                .map(|r| {
                    json!({
                        "label": r.label,
                        "offices": r.offices,
                        "exposure": r.exposure,
                    })
                })
                .collect::<Vec<_>>()
        };
        return Ok(json_response(json!({
            "summary": view.summary,
            "top": shown(&view.top),
            "officers": shown(&view.officers),
            "over_connected": view.units.iter().map(|(label, u)| json!({
                "unit": label,
                "links": u,
                "ratio": u.ratio(),
            })).collect::<Vec<_>>(),
        })));
    }
    let body = render_organisation(&view);
    Ok(layout::page("Exposure", &state.org_name, &session, body).into_response())
}

/// A table of accounts, each linked to its person's page where it has one.
fn accounts_table(rows: &[Shown]) -> Markup {
    html! {
        table {
            tr { th { "person" } th { "offices" } th { "people" } th { "by identity" } th { "met" } th { "units spanned" } }
            @for r in rows {
                @let e = &r.exposure;
                tr {
                    td { @if let Some(p) = e.subject.person { a href={ "/exposure/people/" (p) } { (r.label) } } @else { (r.label) } }
                    td { (r.offices) }
                    td { (e.people) } td { (e.count("people_by_identity")) } td { (e.met) } td { (e.units_spanned) }
                }
            }
        }
    }
}

fn render_organisation(view: &Organisation) -> Markup {
    let summary = &view.summary;
    let d = &summary.people;
    html! {
        h1 { "Exposure" }
        p { "What an adversary would learn by taking an account (a seized phone, a turned member): "
            "for each of the " (summary.subjects) " accounts within your reach, the people it shows by party name or identity, "
            "the people its holder has met at meetings, the meetings and units it shows. "
            (summary.subjects - summary.with_account) " of them have no account yet: for them, what an account with no office would show, and whom they have met." }
        p { a href="/exposure/simulate" { "Simulate infiltration and arrests" } " · " a href="/exposure/meeting" { "Risk of a planned meeting" } }
        h2 { "People exposed per account" }
        table {
            tr { th { "" } th { "least" } th { "median" } th { "90%" } th { "99%" } th { "most" } th { "mean" } }
            @for (label, dist) in [("people, in any way", &summary.people), ("by identity", &summary.identities), ("met in person", &summary.met)] {
                tr { td { (label) } td { (dist.min) } td { (dist.median) } td { (dist.p90) } td { (dist.p99) } td { (dist.max) } td { (format!("{:.1}", dist.mean)) } }
            }
        }
        (chart::bars("Accounts by the number of people they expose", &buckets(&view.people)))
        p.muted { "Half the accounts expose " (d.median) " people or fewer; one in a hundred exposes more than " (d.p99) "." }
        h2 { "The accounts whose loss would expose the most" }
        p.muted { "Officers who sit where units join, and people who have met across units, reach furthest. Units spanned: how many units the exposed people belong to." }
        (accounts_table(&view.top))
        h2 { "Officers" }
        p.muted { "The officers whose accounts expose the most: an office shows its unit's people, and the statutes may extend it downwards." }
        @if view.officers.is_empty() {
            p { "No officer within your reach." }
        } @else {
            (accounts_table(&view.officers))
        }
        h2 { "Over-connected units" }
        p.muted { "Units whose people are known outside them: through the accounts of people elsewhere (offices above, reach given by the statutes), or because people elsewhere have met them (transfers, joint meetings). A closed unit known outside is a breach of its purpose." }
        @if view.units.is_empty() {
            p { "No unit's people are known outside it." }
        } @else {
            table {
                tr { th { "unit" } th { "people" } th { "accounts outside showing them" } th { "people outside who met them" } th { "outsiders per person" } }
                @for (label, u) in &view.units {
                    tr {
                        td { (label) @if u.closed { " " strong { "closed" } } }
                        td { (u.people) } td { (u.outside_by_account) } td { (u.outside_met) } td { (format!("{:.2}", u.ratio())) }
                    }
                }
            }
        }
    }
}

fn exposure_table(e: &Exposure) -> Markup {
    html! {
        table {
            @for (k, n) in KINDS.iter().zip(&e.counts) {
                tr { td { (k.label) } td { (n) } }
            }
            tr { td { "people met in person" } td { (e.met) } }
            tr { td { "people named by the documents shown (reports' senders, congresses' participants, people asked into a unit), beyond those above" } td { (e.named_in_documents) } }
            tr { th { "distinct people exposed in any way (the holder included)" } th { (e.people) } }
            tr { td { "units those people belong to" } td { (e.units_spanned) } }
        }
    }
}

pub async fn person(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    Query(q): Params,
) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::AnalyseExposure)?;
    let ix = index(&state).await?;
    let subjects = ix.subjects_of_person(id);
    if subjects.is_empty() || !subjects.iter().all(|s| in_reach(&ix, &w, s)) {
        return Err(AppError::NotFound);
    }
    let names = state.store.pseudonyms_of(&[id]).await?;
    let label = person_label(&ix, &w, &names, id);
    let results: Vec<_> = subjects.iter().map(|s| ix.exposure_of(s)).collect();
    // The units each account shows, named where the officer may see them; the rest counted.
    let rows = |class: &ClassAnswer| {
        let mut named = Vec::new();
        let mut hidden = 0usize;
        for &(u, bits) in &class.units {
            if allowed(&w, Action::ViewFigures(place(&ix, u as usize))) {
                let kinds: Vec<&str> = KINDS
                    .iter()
                    .enumerate()
                    .filter(|(k, kind)| bits & (1 << k) != 0 && kind.per_unit(&ix, u as usize) > 0)
                    .map(|(_, k)| k.label)
                    .collect();
                named.push((u as usize, kinds));
            } else {
                hidden += 1;
            }
        }
        (named, hidden)
    };
    if wants_json(&q) {
        return Ok(json_response(json!({
            "person": id,
            "label": label,
            "accounts": results.iter().map(|(e, class)| {
                let (named, hidden) = rows(class);
                json!({
                    "exposure": e,
                    "offices": offices(&ix, &w, &e.subject),
                    "units": named.iter().map(|(u, kinds)| json!({
                        "unit_id": ix.snap.units[*u].id,
                        "unit": unit_label(&ix, &w, *u),
                        "kinds": kinds,
                    })).collect::<Vec<_>>(),
                    "units_outside_your_reach": hidden,
                })
            }).collect::<Vec<_>>(),
        })));
    }
    let body = html! {
        h1 { "Exposure of " (label) }
        p { a href="/exposure" { "The organisation's exposure" } }
        @for (e, class) in &results {
            @let (named, hidden) = rows(class);
            h2 { @if let Some(a) = e.subject.account { "Account #" (a) } @else { "No account yet: what one would show" } }
            @let o = offices(&ix, &w, &e.subject);
            @if !o.is_empty() { p { "Offices: " (o) } }
            (exposure_table(e))
            h3 { "Where it reaches" }
            @if named.is_empty() && hidden == 0 {
                p { "No unit: only the holder's own page, and the people they have met." }
            } @else {
                table {
                    tr { th { "unit" } th { "what the account shows there" } }
                    @for (u, kinds) in named.iter().take(200) {
                        tr { td { (unit_label(&ix, &w, *u)) } td { (kinds.join(", ")) } }
                    }
                }
                @if named.len() > 200 { p.muted { "… and " (named.len() - 200) " more units." } }
                @if hidden > 0 { p.muted { (hidden) " more units outside your reach." } }
            }
        }
    };
    Ok(layout::page("Exposure", &state.org_name, &session, body).into_response())
}

fn param<T: std::str::FromStr>(
    q: &HashMap<String, String>,
    key: &'static str,
    default: T,
) -> AppResult<T> {
    match q.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s.parse().map_err(|_| {
            Refusal::on(key, "{}: {} is not a number")
                .arg(key)
                .arg(Typed(s))
                .into()
        }),
    }
}

/// The largest simulation a page runs.
const MAX_RUNS: usize = 5000;
/// The largest organisation a page simulates (its who-met-whom graph is built per request).
const MAX_PAGE_PEOPLE: usize = 100_000;

/// The scenario the page's query asks for (the defaults where it says nothing), and the size of
/// the cells the organisation is also rebuilt as.
fn scenario(q: &HashMap<String, String>) -> AppResult<(Scenario, usize)> {
    let d = Scenario::default();
    let placement = match q.get("placement").map(String::as_str) {
        None | Some("") | Some("random") => Placement::Random,
        Some("targeted") => Placement::Targeted,
        Some(other) => {
            return Err(
                Refusal::on("placement", "placement: {} is neither random nor targeted")
                    .arg(Typed(other))
                    .into(),
            )
        }
    };
    let s = Scenario {
        infiltrators: param(q, "k", d.infiltrators)?,
        placement,
        admit: param(q, "admit", d.admit)?,
        elected: param(q, "elected", d.elected)?,
        talk: param(q, "talk", d.talk)?,
        runs: param(q, "runs", d.runs)?,
        seed: param(q, "seed", d.seed)?,
    };
    let cell: usize = param(q, "cell", 5)?;
    if s.runs > MAX_RUNS {
        return Err(
            Refusal::on("runs", "runs: at most {} here (the command line runs more)")
                .arg(MAX_RUNS)
                .into(),
        );
    }
    if cell == 0 {
        return Err(AppError::refused("cell: a cell needs at least one person"));
    }
    Ok((s, cell))
}

/// A simulation run for the page: the scenario, and its report for each structure.
struct Simulation {
    s: Scenario,
    cell: usize,
    reports: Vec<(String, Report)>,
}

/// Simulates the scenario the query asks for, on the organisation and on its two rebuildings:
/// only for an officer who reaches all of it.
async fn load_simulation(
    state: &AppState,
    w: &Who,
    q: &HashMap<String, String>,
) -> AppResult<Simulation> {
    let ix = index(state).await?;
    // The whole organisation is simulated: only an officer who reaches all of it.
    let roots: Vec<usize> = (0..ix.chains.len())
        .filter(|&u| ix.chains[u].len() == 1)
        .collect();
    if !roots
        .iter()
        .all(|&u| allowed(w, Action::ViewExposure(place(&ix, u))))
    {
        return Err(AppError::NotFound);
    }
    let (s, cell) = scenario(q)?;
    if ix.snap.people.len() > MAX_PAGE_PEOPLE {
        return Err(Refusal::new(
            "the organisation has {} people, more than a page simulates ({}): \
             run `iskra exposure simulate` on the server",
        )
        .arg(ix.snap.people.len())
        .arg(MAX_PAGE_PEOPLE)
        .into());
    }
    let real = ix.network();
    let alternatives = [
        ("this organisation".to_string(), real.clone()),
        ("one loose network".to_string(), real.loose(s.seed)),
        (format!("cells of {cell}"), real.cells(cell)),
    ];
    let mut reports: Vec<(String, Report)> = Vec::new();
    for (name, net) in &alternatives {
        let r = net.simulate(&s).map_err(Refusal::from)?;
        reports.push((name.clone(), r));
    }
    Ok(Simulation { s, cell, reports })
}

pub async fn simulate(
    State(state): State<AppState>,
    Signed(session): Signed,
    Query(q): Params,
) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::AnalyseExposure)?;
    let view = load_simulation(&state, &w, &q).await?;
    if wants_json(&q) {
        return Ok(json_response(json!({
            "scenario": view.s,
            "cell": view.cell,
            "results": view.reports.iter().map(|(n, r)| json!({"structure": n, "report": r})).collect::<Vec<_>>(),
        })));
    }
    let body = render_simulation(&view);
    Ok(layout::page("Simulation", &state.org_name, &session, body).into_response())
}

fn render_simulation(view: &Simulation) -> Markup {
    let Simulation { s, cell, reports } = view;
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    let ci = |e: &core_rules::exposure::stats::Estimate| {
        format!(
            "{} ({} – {})",
            pct(e.mean),
            pct(e.low.max(0.0)),
            pct(e.high.min(1.0))
        )
    };
    let bars: Vec<(String, i64)> = reports
        .iter()
        .map(|(n, r)| (n.clone(), (1000.0 * r.exposed.mean).round() as i64 / 10))
        .collect();
    html! {
        h1 { "Infiltration and arrests, simulated" }
        p { "Each run places " (s.infiltrators) " infiltrator(s). "
            @match s.placement {
                Placement::Random => { "Each enters the unit of a person drawn at random; is admitted as a member with chance " (s.admit) ", then elected its secretary with chance " (s.elected) "; admitted, they see what that unit's members (or secretary) see under the access rules and meet whom its people meet." }
                _ => { "The police turn the people who know the most (by what their accounts show and whom they have met)." }
            }
            " Everyone an infiltrator can identify is arrested; each arrested person talks with chance " (s.talk) " and hands over everything they know. "
            "Exposed: known to the police by party name or in person. " (s.runs) " runs, seed " (s.seed) "; the same seed gives the same figures." }
        p { "The same people are also rebuilt as " strong { "one loose network" } " (everyone has met as many people as now, but anyone in the organisation, and no unit keeps its walls) and as " strong { "cells of " (cell) } " (each cell knows only itself; one liaison per cell knows the liaison above)." }
        table {
            tr { th { "structure" } th { "exposed (95% interval)" } th { "arrested" } th { "closed core exposed" } }
            @for (n, r) in reports.iter() {
                tr { td { (n) } td { (ci(&r.exposed)) } td { (ci(&r.arrested)) } td { @if r.core_people > 0 { (ci(&r.core_exposed)) } @else { "no closed core" } } }
            }
        }
        (chart::bars("Share of the organisation exposed, per cent", &bars))
        h2 { "Change the scenario" }
        form method="get" action="/exposure/simulate" {
            label { "Infiltrators " input type="number" name="k" min="0" value=(s.infiltrators); }
            label { "Placement "
                select name="placement" {
                    option value="random" selected[matches!(s.placement, Placement::Random)] { "random, rising" }
                    option value="targeted" selected[matches!(s.placement, Placement::Targeted)] { "targeted: those who know the most" }
                }
            }
            label { "Chance of admission " input type="text" name="admit" value=(s.admit); }
            label { "Chance of election as secretary " input type="text" name="elected" value=(s.elected); }
            label { "Chance that an arrested person talks " input type="text" name="talk" value=(s.talk); }
            label { "Runs " input type="number" name="runs" min="1" max=(MAX_RUNS) value=(s.runs); }
            label { "Seed " input type="number" name="seed" value=(s.seed); }
            label { "Cell size " input type="number" name="cell" min="1" value=(cell); }
            button type="submit" { "Simulate" }
        }
    }
}

pub async fn meeting(
    State(state): State<AppState>,
    Signed(session): Signed,
    Query(q): Params,
) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::AnalyseExposure)?;
    let ix = index(&state).await?;
    let mine: Vec<usize> = (0..ix.chains.len())
        .filter(|&u| allowed(&w, Action::ViewExposure(place(&ix, u))))
        .collect();
    let unit: Option<i64> = match q.get("unit").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse()
                .map_err(|_| Refusal::on("unit", "unit: {} is not a unit number").arg(Typed(s)))?,
        ),
    };
    let everyone = q.get("everyone").is_some_and(|v| v == "1");
    let newcomers: usize = param(&q, "newcomers", 0)?;
    let a = Assumptions {
        newcomer: param(&q, "newcomer", Assumptions::default().newcomer)?,
        talk: param(&q, "talk", Assumptions::default().talk)?,
        largest: param(&q, "largest", Assumptions::default().largest)?,
    };
    for (name, v) in [("newcomer", a.newcomer), ("talk", a.talk)] {
        if !(0.0..=1.0).contains(&v) {
            return Err(
                Refusal::on(name, "{} must be a chance between 0 and 1, not {}")
                    .arg(name)
                    .arg(Typed(&v.to_string()))
                    .into(),
            );
        }
    }
    if a.largest == 0 {
        return Err(AppError::refused("largest: at least one person"));
    }
    let risk = match unit {
        None => None,
        Some(id) => {
            let u = *ix.unit_ix.get(&id).ok_or(AppError::NotFound)?;
            if !mine.contains(&u) {
                return Err(AppError::NotFound);
            }
            ix.meeting_risk(id, everyone, newcomers, state.store.today(), &a)
        }
    };
    if wants_json(&q) {
        return Ok(json_response(json!({
            "unit": unit,
            "assumptions": a,
            "risk": risk,
        })));
    }
    let body = html! {
        h1 { "Risk of a planned meeting" }
        form method="get" action="/exposure/meeting" {
            label { "Unit "
                select name="unit" {
                    @for &u in mine.iter().take(2000) {
                        option value=(ix.snap.units[u].id) selected[Some(ix.snap.units[u].id) == unit] { (unit_label(&ix, &w, u)) }
                    }
                }
            }
            label { input type="checkbox" name="everyone" value="1" checked[everyone]; " its supporters and applicants come too" }
            label { "Newcomers invited from outside " input type="number" name="newcomers" min="0" value=(newcomers); }
            label { "Chance that a newcomer is an informer " input type="text" name="newcomer" value=(a.newcomer); }
            label { "Chance that an arrested person talks " input type="text" name="talk" value=(a.talk); }
            label { "Largest meeting to let stand " input type="number" name="largest" min="1" value=(a.largest); }
            button type="submit" { "Assess" }
        }
        @if let Some(r) = &risk {
            h2 { "Risk: " (r.level) }
            table {
                tr { td { "people attending" } td { (r.size) } }
                tr { td { "newcomers (not members, or members for under " (NEWCOMER_DAYS) " days)" } td { (r.newcomers) " (" (format!("{:.0}%", 100.0 * r.newcomer_share)) ")" } }
                tr { td { "chance that an informer is present" } td { (format!("{:.1}%", 100.0 * r.informer)) } }
                tr { td { "people those attending know beyond the meeting" } td { (r.known_beyond) } }
                tr { th { "people expected to be exposed (the risk figure)" } th { (format!("{:.2}", r.expected_exposed)) } }
            }
            h3 { "Advice" }
            ul { @for line in &r.advice { li { (line) } } }
        }
        h2 { "How the figure is made" }
        p { "Anyone present could be an informer, newcomers most likely: someone not yet a member, or a member for under "
            (NEWCOMER_DAYS) " days, counts with the newcomer's chance (" (a.newcomer) "); a member of up to a year with a quarter of it; an older member with a twentieth." }
        p { "The chance that at least one informer is present is one minus the chance that nobody is: multiply together, for each person, the chance that they are not one, and take that from one." }
        p { "If one is present, everyone in the room is seen. Anyone arrested afterwards may talk (chance " (a.talk) ") and hand over the people they know beyond the meeting: by their accounts (what the access rules show them) and by whom they have met before. Each such person is counted once, however many attendees know them." }
        p { "The risk figure is the number of people expected to be exposed: the chance of an informer, times (the people in the room plus the chance of talking times the people known beyond it). Under 1 is low, under 5 medium, above that high." }
    };
    Ok(layout::page("Meeting risk", &state.org_name, &session, body).into_response())
}
