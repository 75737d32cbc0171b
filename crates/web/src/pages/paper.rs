//! The paper on the web: the public edition (no login) and its Atom feed; the editors' desk
//! (editions, articles and their workflow, report triage, the single picture); the report forms;
//! the agent's page for a bundle's sales, returns and money; the reconciliation and circulation
//! dashboards. Every decision goes through `access`.

use super::{chain_of, chains, require, who};
use crate::access::{Action, Place, Who};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::session::{check_csrf, ClientAddr, Signed, Viewer};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::money as bounds_money;
use core_rules::paper::{money, AgentReturn, ArticleState, NewEdition, ReportCategory, Triage};
use core_rules::quantity;
use core_rules::text as limits;
use core_rules::Day;
use core_rules::{Refusal, Typed};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::collections::HashMap;
use store::accounts::Session;
use store::paper::{Edition, NewReport, Publication, Sender};
use store::units::Unit;

// -------------------------------------------------------------------------------------------
// Public: the edition and its feed

/// A page for everyone, signed in or not.
fn public_page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) }
                link rel="stylesheet" href="/static/iskra.css";
            }
            body {
                header.top { a.brand href="/paper" { "ISKRA" } a href="/paper" { "The papers" } a href="/report" { "Send a report" } }
                main { (body) }
            }
        }
    }
}

// -------------------------------------------------------------------------------------------
// The public pages, kept rendered

/// How long a rendered public page is served without asking whether it is still right, beyond
/// the version check: a bound on how long a lost change signal can leave a page stale.
const PUBLIC_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// Rendered public pages (the papers, a publication, its feed, an edition), kept in memory and
/// served until what the public sees changes. They show only published, public material, the
/// same to everyone, so one copy serves every reader; a change anywhere (on this server or
/// another of the same database) moves `Store::public_paper_version` and every page is
/// rendered again. Keys are canonical (a parsed edition number, a publication code that
/// exists), and only pages that rendered are kept, so the cache holds at most one entry per
/// real page.
#[derive(Default)]
pub struct PublicCache {
    pages: std::sync::RwLock<HashMap<String, Cached>>,
}

struct Cached {
    version: u64,
    at: std::time::Instant,
    content_type: &'static str,
    body: Bytes,
}

/// More pages than any organisation publishes; past it the cache starts again.
const PUBLIC_PAGES: usize = 4096;

const HTML: &str = "text/html; charset=utf-8";
const ATOM: &str = "application/atom+xml; charset=utf-8";

fn cached_response(content_type: &'static str, body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Serves `key` from the cache while the public papers are unchanged, else renders it. The
/// version is read before rendering and kept with the page: a change committed while the page
/// renders moves the version past it, so that page is not served again.
async fn public_cached<F>(
    state: &AppState,
    key: String,
    content_type: &'static str,
    render: F,
) -> AppResult<Response>
where
    F: std::future::Future<Output = AppResult<String>>,
{
    let version = state.store.public_paper_version().await?;
    if let Ok(pages) = state.paper_cache.pages.read() {
        if let Some(c) = pages.get(&key) {
            if c.version == version && c.at.elapsed() < PUBLIC_TTL {
                return Ok(cached_response(c.content_type, c.body.clone()));
            }
        }
    }
    let body = Bytes::from(render.await?);
    if let Ok(mut pages) = state.paper_cache.pages.write() {
        if pages.len() >= PUBLIC_PAGES {
            pages.clear();
        }
        pages.insert(
            key,
            Cached {
                version,
                at: std::time::Instant::now(),
                content_type,
                body: body.clone(),
            },
        );
    }
    Ok(cached_response(content_type, body))
}

async fn publication(state: &AppState, code: &str) -> AppResult<Publication> {
    state
        .store
        .publication_by_code(code)
        .await?
        .ok_or(AppError::NotFound)
}

/// A published edition, or "not found" (an unpublished one does not exist for the public).
async fn public_edition(
    state: &AppState,
    code: &str,
    number: &str,
) -> AppResult<(Publication, Edition)> {
    let p = publication(state, code).await?;
    let n: i64 = number.parse().map_err(|_| AppError::NotFound)?;
    let e = state
        .store
        .edition_by_number(p.id, n)
        .await?
        .ok_or(AppError::NotFound)?;
    if !e.published {
        return Err(AppError::NotFound);
    }
    Ok((p, e))
}

pub async fn index(State(state): State<AppState>) -> AppResult<Response> {
    let render = render_index(&state);
    public_cached(&state, "index".into(), HTML, render).await
}

async fn render_index(state: &AppState) -> AppResult<String> {
    let pubs = state.store.publications().await?;
    let mut rows = Vec::new();
    for p in pubs {
        let latest = state.store.editions(p.id, true).await?.into_iter().next();
        rows.push((p, latest));
    }
    let body = html! {
        h1 { "The papers" }
        @if rows.is_empty() { p { "Nothing is published yet." } }
        @for (p, latest) in &rows {
            h2 { a href={ "/paper/" (p.code) } { (p.name) } }
            @if let Some(e) = latest {
                p { "Latest: " a href={ "/paper/" (p.code) "/" (e.number) } { "No. " (e.number) ", " (e.issued_on) ": " (e.headline) } }
            }
            p { a href={ "/paper/" (p.code) "/feed.atom" } { "Subscribe (Atom feed)" } }
        }
    };
    Ok(public_page("The papers", body).into_string())
}

pub async fn publication_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    // Only a page that rendered is kept, so only a code that exists is ever a key.
    let render = render_publication(&state, &code);
    public_cached(&state, format!("publication {code}"), HTML, render).await
}

async fn render_publication(state: &AppState, code: &str) -> AppResult<String> {
    let p = publication(state, code).await?;
    let editions = state.store.editions(p.id, true).await?;
    let body = html! {
        h1 { (p.name) }
        p { a href={ "/paper/" (p.code) "/feed.atom" } { "Subscribe (Atom feed)" } }
        ul {
            @for e in &editions {
                li { a href={ "/paper/" (p.code) "/" (e.number) } { "No. " (e.number) } ", " (e.issued_on) ": " (e.headline) }
            }
        }
    };
    Ok(public_page(&p.name, body).into_string())
}

pub async fn edition_page(
    State(state): State<AppState>,
    Path((code, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let n: i64 = number.parse().map_err(|_| AppError::NotFound)?;
    let key = format!("edition {code} {n}");
    let render = render_edition(&state, &code, &number);
    public_cached(&state, key, HTML, render).await
}

async fn render_edition(state: &AppState, code: &str, number: &str) -> AppResult<String> {
    let (p, e) = public_edition(state, code, number).await?;
    let articles = state.store.edition_articles(e.id).await?;
    let body = html! {
        article.edition {
            header {
                p.masthead { (p.name) }
                p.muted { "No. " (e.number) " · " (e.issued_on) " · " (money(e.price_cents)) }
                h1 { (e.headline) }
                p {
                    a href={ "/paper/" (p.code) "/" (e.number) "/pdf" } { "Printable PDF" }
                    " · "
                    a href={ "/paper/" (p.code) "/feed.atom" } { "Atom feed" }
                }
            }
            @for a in &articles {
                section id={ "a" (a.id) } {
                    h2 { (a.title) }
                    // Rendered from Markdown and sanitised when saved (core_rules::paper::markdown).
                    (PreEscaped(&a.body_html))
                }
            }
        }
    };
    Ok(public_page(&format!("{} No. {}", p.name, e.number), body).into_string())
}

fn print_edition(
    p: &Publication,
    e: &Edition,
    articles: &[store::paper::Article],
) -> print::Edition {
    print::Edition {
        paper: p.name.clone(),
        number: e.number,
        date: e.issued_on.to_string(),
        price: money(e.price_cents),
        headline: e.headline.clone(),
        articles: articles
            .iter()
            .map(|a| print::Section {
                heading: a.title.clone(),
                paragraphs: core_rules::paper::markdown::plain_text(&a.body_md)
                    .split("\n\n")
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            })
            .collect(),
        columns: 3,
    }
}

/// Typeset editions, by everything that goes into them: a changed edition is typeset anew.
static PDFS: std::sync::LazyLock<std::sync::Mutex<HashMap<String, std::sync::Arc<Vec<u8>>>>> =
    std::sync::LazyLock::new(Default::default);

pub async fn edition_pdf(
    State(state): State<AppState>,
    Path((code, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let (p, e) = public_edition(&state, &code, &number).await?;
    let articles = state.store.edition_articles(e.id).await?;
    let doc = print_edition(&p, &e, &articles);
    let key = format!("{doc:?}");
    let cached = PDFS.lock().ok().and_then(|c| c.get(&key).cloned());
    let pdf = match cached {
        Some(pdf) => pdf,
        None => {
            // Typesetting takes a while: off the async workers, and kept for the next reader.
            let pdf = tokio::task::spawn_blocking(move || print::edition(&doc))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let pdf = std::sync::Arc::new(pdf);
            if let Ok(mut c) = PDFS.lock() {
                if c.len() >= 16 {
                    c.clear();
                }
                c.insert(key, pdf.clone());
            }
            pdf
        }
    };
    let pdf = pdf.as_ref().clone();
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}-{}.pdf\"", p.code, e.number),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// The Atom feed (RFC 4287) of a publication's published editions.
pub async fn feed(State(state): State<AppState>, Path(code): Path<String>) -> AppResult<Response> {
    let render = render_feed(&state, &code);
    public_cached(&state, format!("feed {code}"), ATOM, render).await
}

async fn render_feed(state: &AppState, code: &str) -> AppResult<String> {
    use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
    let p = publication(state, code).await?;
    let editions = state.store.editions(p.id, true).await?;
    let stamp = |d: Day| -> atom_syndication::FixedDateTime {
        format!("{d}T00:00:00Z")
            .parse()
            .expect("a day is a valid date-time")
    };
    let updated = editions
        .first()
        .map(|e| e.issued_on)
        .unwrap_or_else(|| Day::from_ymd(2000, 1, 1).unwrap());
    let base = format!("/paper/{}", p.code);
    let mut entries = Vec::new();
    for e in editions.iter().take(20) {
        let articles = state.store.edition_articles(e.id).await?;
        let html: String = articles
            .iter()
            .map(|a| {
                format!(
                    "<h2>{}</h2>{}",
                    maud::html! { (a.title) }.into_string(),
                    a.body_html
                )
            })
            .collect();
        let link = format!("{base}/{}", e.number);
        let mut entry = Entry::default();
        entry.set_id(format!("urn:iskra:paper:{}:{}", p.code, e.number));
        entry.set_title(Text::plain(format!("No. {}: {}", e.number, e.headline)));
        entry.set_updated(stamp(e.issued_on));
        entry.set_published(Some(stamp(e.issued_on)));
        entry.set_links(vec![Link {
            href: link,
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Link::default()
        }]);
        entry.set_summary(Some(Text::plain(
            articles
                .iter()
                .map(|a| a.title.as_str())
                .collect::<Vec<_>>()
                .join(" · "),
        )));
        let mut content = Content::default();
        content.set_content_type(Some("html".to_string()));
        content.set_value(Some(html));
        entry.set_content(Some(content));
        entries.push(entry);
    }
    let mut feed = Feed::default();
    feed.set_id(format!("urn:iskra:paper:{}", p.code));
    feed.set_title(Text::plain(p.name.clone()));
    feed.set_updated(stamp(updated));
    feed.set_authors(vec![Person {
        name: format!("The editors of {}", p.name),
        ..Person::default()
    }]);
    feed.set_links(vec![
        Link {
            href: base.clone(),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Link::default()
        },
        Link {
            href: format!("{base}/feed.atom"),
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Link::default()
        },
    ]);
    feed.set_entries(entries);
    Ok(feed.to_string())
}

// -------------------------------------------------------------------------------------------
// Reports: the public form, and the members' (anonymous or under their party name)

/// The places a report form offers: the units the organisation names in public (by default
/// the regions; never a closed unit or one in a closed branch), and the sender's own unit when
/// a signed-in member sends it. The rest of the unit tree stays out of sight of the form; a
/// sender says anything more precise in their own words, and the editors place the report.
async fn report_places(state: &AppState, own: Option<i64>) -> AppResult<Vec<Unit>> {
    let units = state.store.units().await?;
    let rules = state.store.access_rules(Day::today()).await?;
    let ch = chains(&units);
    Ok(units
        .iter()
        .filter(|u| {
            Some(u.id) == own || crate::access::named_in_public(&rules, Place { chain: &ch[&u.id] })
        })
        .cloned()
        .collect())
}

/// Where a report goes when the sender chose none of the places offered: the top of the tree,
/// for the editors to place from what the sender said.
async fn top_unit(state: &AppState) -> AppResult<i64> {
    state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.parent_id.is_none())
        .min_by_key(|u| (u.level, u.id))
        .map(|u| u.id)
        .ok_or_else(|| AppError::Internal("there is no unit to file a report under".into()))
}

async fn own_person(
    state: &AppState,
    session: &Option<Session>,
) -> AppResult<Option<store::people::Person>> {
    Ok(match session.as_ref().and_then(|s| s.account.person_id) {
        Some(p) => state.store.person(p).await?,
        None => None,
    })
}

pub async fn report_form(
    State(state): State<AppState>,
    Viewer(session, _): Viewer,
) -> AppResult<Response> {
    let own = own_person(&state, &session).await?.map(|p| p.unit_id);
    let places = report_places(&state, own).await?;
    let max_place = core_rules::paper::reports::MAX_PLACE;
    let body = html! {
        h1 { "Send a report to the paper" }
        p { "A strike, a raid, an eviction, wages stolen, a school closed, a racist attack: tell the paper what happened." }
        form method="post" action="/report" {
            @if let Some(s) = &session { (csrf(s)) }
            label { "What kind of thing " select name="category" {
                @for c in ReportCategory::ALL { option value=(c.code()) { (c.name()) } }
            } }
            label { "Where " select name="place" {
                option value="" selected[own.is_none()] { "Somewhere else (say where below)" }
                @for u in &places { option value=(u.code) selected[Some(u.id) == own] { (u.name) } }
            } }
            label { "Where exactly, in your own words (optional) " input type="text" name="place_text" maxlength=(max_place); }
            label { "When " input type="date" name="happened_on" required value=(Day::today()); }
            label { "What happened " textarea name="text" rows="8" required {} }
            @if session.as_ref().is_some_and(|s| s.account.person_id.is_some()) {
                fieldset {
                    legend { "Who sends it" }
                    label { input type="radio" name="sender" value="anonymous" checked; " Anonymously: nothing about me is kept" }
                    label { input type="radio" name="sender" value="me"; " Under my party name, so the editors can ask me more" }
                }
            } @else {
                p.muted { "Sent anonymously: nothing about you is kept, not even the time of day." }
            }
            button type="submit" { "Send" }
        }
    };
    Ok(match &session {
        Some(s) => layout::page("Send a report", &state.org_name, s, body),
        None => public_page("Send a report", body),
    }
    .into_response())
}

pub async fn report_submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Viewer(session, _): Viewer,
    body: Bytes,
) -> AppResult<Response> {
    // Counted before anything else is read: every post takes from the client's allowance.
    if let Err(wait) = state
        .report_throttle
        .take(client, std::time::Instant::now())
    {
        let secs = wait.as_secs().max(1);
        let body = html! {
            h1 { "Too many reports from here" }
            p { "Wait " (secs) " seconds, then send your report again." }
        };
        let page = match &session {
            Some(s) => layout::page("Too many reports", &state.org_name, s, body),
            None => public_page("Too many reports", body),
        };
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, secs.to_string())],
            page,
        )
            .into_response());
    }
    let f = FormData::parse(&body);
    if let Some(s) = &session {
        check_csrf(s, &f)?;
    }
    let category = ReportCategory::parse(f.required("category", "The kind of report")?)
        .ok_or_else(|| AppError::refused("choose a kind of report from the list"))?;
    let own = own_person(&state, &session).await?;
    // A place from the list, or none: then the report waits at the top for the editors to
    // place it. A code not on the list gets the same answer whether or not such a unit exists.
    let code = f.get("place").unwrap_or("").trim();
    let unit_id = if code.is_empty() {
        top_unit(&state).await?
    } else {
        let places = report_places(&state, own.as_ref().map(|p| p.unit_id)).await?;
        places
            .iter()
            .find(|u| u.code == code)
            .ok_or_else(|| Refusal::on("place", "there is no place {}").arg(Typed(code)))?
            .id
    };
    let sender = match (f.get("sender"), &own, &session) {
        (Some("me"), Some(p), Some(s)) => Sender::Person {
            person: p.id,
            account: s.account.id,
        },
        _ => Sender::Anonymous,
    };
    state
        .store
        .submit_report_with_place(
            sender,
            &NewReport {
                category,
                unit_id,
                happened_on: f.day("happened_on", "The date")?,
                body: f.text("text"),
            },
            f.get("place_text").unwrap_or(""),
        )
        .await?;
    let body = html! {
        h1 { "Thank you" }
        p { "Your report has reached the editors." }
        p { a href="/report" { "Send another" } }
    };
    Ok(match &session {
        Some(s) => layout::page("Report sent", &state.org_name, s, body),
        None => public_page("Report sent", body),
    }
    .into_response())
}

// -------------------------------------------------------------------------------------------
// The editors' desk

/// The publications this viewer edits.
async fn edited(state: &AppState, w: &Who<'_>) -> AppResult<Vec<Publication>> {
    let mut out = Vec::new();
    for p in state.store.publications().await? {
        let chain = state.store.chain(p.unit_id).await?;
        if crate::access::allowed(w, Action::EditPaper(Place { chain: &chain })) {
            out.push(p);
        }
    }
    Ok(out)
}

async fn require_edit(state: &AppState, w: &Who<'_>, publication: i64) -> AppResult<Publication> {
    let p = state
        .store
        .publication(publication)
        .await?
        .ok_or(AppError::NotFound)?;
    let chain = chain_of(state, p.unit_id).await?;
    require(w, Action::EditPaper(Place { chain: &chain }))?;
    Ok(p)
}

/// The units the viewer may not know of (closed units, and the units below them, unless the
/// statutes open them to the viewer's office): left out of every figure of the paper, not only
/// its lists, as they are out of the single picture. A closed unit does not exist outside it "in
/// lists, counts, branch totals, charts" (README): a total that counted it would show it anyway,
/// as the total less the rows shown.
fn unknown_units(w: &Who, units: &[Unit], ch: &HashMap<i64, Vec<Unit>>) -> Vec<i64> {
    units
        .iter()
        .filter(|u| !crate::access::allowed(w, Action::KnowUnit(Place { chain: &ch[&u.id] })))
        .map(|u| u.id)
        .collect()
}

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
    let today = Day::today();
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
                label { "Date " input type="date" name="date" required value=(Day::today()); }
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

fn editor_form_checks(session: &Session, f: &FormData) -> AppResult<()> {
    check_csrf(session, f)
}

pub async fn create_edition(
    State(state): State<AppState>,
    Signed(session): Signed,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    editor_form_checks(&session, &f)?;
    let w = who(&state, &session).await?;
    require(&w, Action::ReadReports)?;
    let p = require_edit(&state, &w, f.id("publication", "The publication")?).await?;
    let number = quantity::EDITION_NUMBER.parse(f.required("number", "The number")?)? as i64;
    let price = bounds_money::PRICE.parse(f.required("price", "The price")?)?;
    state
        .store
        .create_edition(
            Some(session.account.id),
            p.id,
            &NewEdition {
                number,
                date: f.day("date", "The date")?,
                price_cents: price,
                headline: limits::HEADLINE
                    .check(f.required("headline", "The headline")?)?
                    .to_string(),
            },
        )
        .await?;
    Ok(Redirect::to("/editor").into_response())
}

async fn edition_for_editor(
    state: &AppState,
    w: &Who<'_>,
    id: i64,
) -> AppResult<(Publication, Edition)> {
    let e = state.store.edition(id).await?.ok_or(AppError::NotFound)?;
    let p = require_edit(state, w, e.publication_id).await?;
    Ok((p, e))
}

pub async fn publish_edition(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    editor_form_checks(&session, &f)?;
    let w = who(&state, &session).await?;
    edition_for_editor(&state, &w, id).await?;
    state
        .store
        .publish_edition(Some(session.account.id), id)
        .await?;
    Ok(Redirect::to("/editor").into_response())
}

pub async fn plan_edition(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    editor_form_checks(&session, &f)?;
    let w = who(&state, &session).await?;
    let (p, e) = edition_for_editor(&state, &w, id).await?;
    state
        .store
        .plan_edition(Some(session.account.id), id)
        .await?;
    Ok(Redirect::to(&format!("/paper/{}/{}/circulation", p.code, e.number)).into_response())
}

pub async fn create_article(
    State(state): State<AppState>,
    Signed(session): Signed,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    editor_form_checks(&session, &f)?;
    let w = who(&state, &session).await?;
    let p = require_edit(&state, &w, f.id("publication", "The publication")?).await?;
    let id = state
        .store
        .create_article(
            Some(session.account.id),
            p.id,
            None,
            limits::ARTICLE_TITLE.check(f.required("title", "The title")?)?,
            &f.bounded(&limits::ARTICLE_BODY)?,
        )
        .await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}")).into_response())
}

async fn article_for_editor(
    state: &AppState,
    w: &Who<'_>,
    id: i64,
) -> AppResult<(Publication, store::paper::Article)> {
    let a = state.store.article(id).await?.ok_or(AppError::NotFound)?;
    let p = require_edit(state, w, a.publication_id).await?;
    Ok((p, a))
}

pub async fn article_page(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    let (p, a) = article_for_editor(&state, &w, id).await?;
    let editions = state.store.editions(p.id, false).await?;
    let sources = state.store.reports_of_article(a.id).await?;
    let body = html! {
        h1 { (a.title) }
        p.muted { (p.name) " · article " (a.id) " · " span.state { (a.state) } }
        @if a.state != ArticleState::Published {
            form method="post" action={ "/editor/articles/" (a.id) } {
                (csrf(&session))
                label { "Title " input name="title" required value=(a.title); }
                label { "Edition " select name="edition" {
                    option value="" { "none yet" }
                    @for e in editions.iter().filter(|e| !e.published) { option value=(e.id) selected[a.edition_id == Some(e.id)] { "No. " (e.number) " (" (e.issued_on) ")" } }
                } }
                label { "Text (Markdown) " textarea name="body" rows="14" { (a.body_md) } }
                button type="submit" { "Save" }
            }
            @for to in ArticleState::ALL {
                @if a.state.move_to(to, true).is_ok() && to != ArticleState::Published {
                    form.inline method="post" action={ "/editor/articles/" (a.id) "/state" } {
                        (csrf(&session)) input type="hidden" name="to" value=(to.code());
                        button.secondary type="submit" { "Mark " (to) }
                    }
                }
            }
            p.muted { "An approved article is published with its edition." }
        }
        h2 { "As readers will see it" }
        div.preview { (PreEscaped(&a.body_html)) }
        @if !sources.is_empty() {
            h2 { "From the reports" }
            ul { @for r in &sources { li { (r.category.name()) ", " (r.happened_on) ": " (r.body) } } }
        }
    };
    Ok(layout::page(&a.title, &state.org_name, &session, body).into_response())
}

pub async fn save_article(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    editor_form_checks(&session, &f)?;
    let w = who(&state, &session).await?;
    article_for_editor(&state, &w, id).await?;
    let edition = match f.get("edition").map(str::trim) {
        None | Some("") => None,
        Some(_) => Some(f.id("edition", "The edition")?),
    };
    state
        .store
        .edit_article(
            Some(session.account.id),
            id,
            limits::ARTICLE_TITLE.check(f.required("title", "The title")?)?,
            &f.bounded(&limits::ARTICLE_BODY)?,
            edition,
        )
        .await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}")).into_response())
}

pub async fn move_article(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    editor_form_checks(&session, &f)?;
    let w = who(&state, &session).await?;
    article_for_editor(&state, &w, id).await?;
    let to = ArticleState::parse(f.required("to", "The new state")?).map_err(Refusal::from)?;
    state
        .store
        .move_article(Some(session.account.id), id, to)
        .await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}")).into_response())
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
        .correspondence_on(Day::today())
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

/// A horizontal bar chart, drawn on the server.
fn bars(title: &str, rows: &[(String, i64)]) -> Markup {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let (w, row_h, left) = (640.0, 20.0, 200.0);
    let h = row_h * rows.len().max(1) as f64 + 8.0;
    html! {
        svg.chart viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for (i, (label, n)) in rows.iter().enumerate() {
                @let y = 4.0 + i as f64 * row_h;
                @let bw = (w - left - 60.0) * (*n as f64) / max;
                text x=(left - 6.0) y=(y + 14.0) text-anchor="end" { (label) }
                rect.bar x=(left) y=(y + 3.0) width=(format!("{bw:.1}")) height=(row_h - 6.0) {}
                text x=(left + bw + 4.0) y=(y + 14.0) { (n) }
            }
        }
    }
}

pub async fn picture(
    State(state): State<AppState>,
    Signed(session): Signed,
) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::ReadReports)?;
    let units = state.store.units().await?;
    let ch = chains(&units);
    // Need-to-know: a report placed in a unit the viewer may not know of (a closed unit, or
    // one in a closed branch, unless the statutes open it to the viewer's office) is left out
    // of every figure here, the totals by kind and by month included, not only the figures by
    // place. A closed unit does not exist outside it "in lists, counts, branch totals, charts"
    // (web::access, README), and totals that counted its reports would show them anyway: the
    // total less the places shown is the closed units' activity. The desk hides the same
    // reports, by the same rule.
    let hidden = unknown_units(&w, &units, &ch);
    let pic = state.store.single_picture_without(&hidden).await?;
    let tree = core_rules::paper::circulation::Tree::new(
        &units
            .iter()
            .map(|u| (u.id, u.parent_id))
            .collect::<Vec<_>>(),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let rolled = tree.roll_up(&pic.by_unit);
    // By place: the top units' branches, then each region's, as far as the viewer may see them.
    let visible =
        |u: &Unit| crate::access::allowed(&w, Action::KnowUnit(Place { chain: &ch[&u.id] }));
    let roots: Vec<&Unit> = units.iter().filter(|u| u.parent_id.is_none()).collect();
    let mut by_place = Vec::new();
    for r in &roots {
        for u in units
            .iter()
            .filter(|u| u.parent_id == Some(r.id) && visible(u))
        {
            by_place.push((u.name.clone(), rolled.get(&u.id).copied().unwrap_or(0)));
        }
    }
    by_place.sort_by_key(|p| std::cmp::Reverse(p.1));
    let by_cat: Vec<(String, i64)> = ReportCategory::ALL
        .iter()
        .map(|c| {
            (
                c.name().to_string(),
                pic.by_category.get(c.code()).copied().unwrap_or(0),
            )
        })
        .collect();
    let timeline: Vec<(String, i64)> = pic.by_month.iter().map(|(m, n)| (m.clone(), *n)).collect();
    let body = html! {
        h1 { "The single picture" }
        p { (pic.total) " reports (rejected ones and duplicates merged into another are not counted)." }
        h2 { "By kind" }
        (bars("Reports by kind", &by_cat))
        h2 { "By place" }
        (bars("Reports by region", &by_place))
        h2 { "Timeline" }
        (crate::chart::line("Reports per month", &timeline))
    };
    Ok(layout::page("The single picture", &state.org_name, &session, body).into_response())
}

// -------------------------------------------------------------------------------------------
// Circulation: the agent's page, the reconciliation and the dashboards

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

// -------------------------------------------------------------------------------------------
// Standing orders and subscribers (the unit's agent or secretary), and the editors' totals

/// The publication named in a form, if this unit may take it: run by the unit or by a body above
/// it that may know of it. A closed unit takes no paper from a body that may not know of it
/// (under the default statutes, only the central committee's, or one run inside its own
/// branch): the paper's editors would print for a unit they may not know of, and its bundle
/// would pass through units that may not either. Any other paper is "not found".
async fn publication_for_unit(
    state: &AppState,
    w: &Who<'_>,
    chain: &[Unit],
    f: &FormData,
) -> AppResult<Publication> {
    let p = state
        .store
        .publication(f.id("publication", "The paper")?)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::access::body_knows(&w.rules, Place { chain }, p.unit_id) {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

/// A whole number of the form, read and checked against its bound (see
/// `core_rules::quantity`): an order of 9,223,372,036,854,775,807 copies is refused here.
fn whole(f: &FormData, bound: quantity::Bound, label: &'static str) -> AppResult<i64> {
    Ok(bound.parse(f.required(bound.field, label)?)? as i64)
}

pub async fn set_order(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    let chain = chain_of(&state, id).await?;
    require(&w, Action::OrderPaper(Place { chain: &chain }))?;
    let p = publication_for_unit(&state, &w, &chain, &f).await?;
    let copies = whole(&f, quantity::ORDER, "Copies of each edition")?;
    state
        .store
        .set_order(Some(session.account.id), p.id, id, copies)
        .await?;
    Ok(Redirect::to(&format!("/units/{id}/paper#orders-{}", p.id)).into_response())
}

pub async fn subscribers(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    let chain = chain_of(&state, id).await?;
    require(&w, Action::OrderPaper(Place { chain: &chain }))?;
    let p = publication_for_unit(&state, &w, &chain, &f).await?;
    if f.get("end").is_some_and(|v| !v.trim().is_empty()) {
        let sub = f.id("end", "The subscription")?;
        state
            .store
            .end_subscription(Some(session.account.id), id, sub)
            .await?;
    } else {
        let person = match f.get("person").map(str::trim) {
            None | Some("") => None,
            Some(_) => Some(f.id("person", "The subscriber")?),
        };
        let copies = whole(&f, quantity::SUBSCRIPTION, "Copies")?;
        state
            .store
            .subscribe_in_unit(Some(session.account.id), p.id, id, person, copies)
            .await?;
    }
    Ok(Redirect::to(&format!("/units/{id}/paper#orders-{}", p.id)).into_response())
}

/// The editors' view of the orders: for each paper they edit, every unit's standing order and
/// subscribers in figures (names stay in the unit), and the reserve printed on top.
pub async fn orders(State(state): State<AppState>, Signed(session): Signed) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::ReadReports)?;
    let pubs = edited(&state, &w).await?;
    let units = state.store.units().await?;
    let ch = chains(&units);
    // A closed unit's order is a figure of that unit: shown only to those who may see it.
    let sees = |u: i64| {
        ch.get(&u)
            .is_some_and(|c| crate::access::allowed(&w, Action::ViewFigures(Place { chain: c })))
    };
    let name: HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    let mut sections = Vec::new();
    for p in &pubs {
        let o: Vec<(i64, store::paper::UnitOrder)> = state
            .store
            .orders_by_unit(p.id)
            .await?
            .into_iter()
            .filter(|(u, _)| sees(*u))
            .collect();
        sections.push((p, o));
    }
    let body = html! {
        h1 { "Orders" }
        @if sections.is_empty() { p { "You edit no paper." } }
        @for (p, o) in &sections {
            h2 { (p.name) }
            @let ordered = total(o.iter().map(|(_, x)| x.ordered));
            @let subs = total(o.iter().map(|(_, x)| x.subscribers));
            @let sub_copies = total(o.iter().map(|(_, x)| x.subscriber_copies));
            table.figures {
                tr { th { "Unit" } th { "Standing order" } th { "Subscribers" } th { "Their copies" } th { "Copies in all" } }
                @for (u, x) in o {
                    tr { td { (name.get(u).map(|u| u.name.as_str()).unwrap_or("?")) } td { (x.ordered) } td { (x.subscribers) } td { (x.subscriber_copies) } td { (figure(total([x.ordered, x.subscriber_copies]))) } }
                }
                tr.total { th { "In all" } th { (figure(ordered)) } th { (figure(subs)) } th { (figure(sub_copies)) } th { (figure(ordered.zip(sub_copies).and_then(|(a, b)| a.checked_add(b)))) } }
            }
            p { "Reserve: " (p.reserve_percent) "% of the copies ordered, printed on top (at least one copy; closed units' copies get none). It applies to the editions planned from now on." }
            form method="post" action="/editor/orders" {
                (csrf(&session))
                input type="hidden" name="publication" value=(p.id);
                label { "Reserve (%) " input type="number" min="0" max="1000" name="reserve" required value=(p.reserve_percent); }
                button type="submit" { "Set the reserve" }
            }
        }
    };
    Ok(layout::page("Orders", &state.org_name, &session, body).into_response())
}

/// A sum of figures, or `None` past what can be counted. Orders are bounded when written
/// (`quantity::ORDER`); one written before the bounds existed must not break the page.
fn total(xs: impl IntoIterator<Item = i64>) -> Option<i64> {
    xs.into_iter().try_fold(0i64, |a, x| a.checked_add(x))
}

fn figure(n: Option<i64>) -> String {
    n.map_or_else(|| "more than can be counted".to_string(), |n| n.to_string())
}

pub async fn set_reserve(
    State(state): State<AppState>,
    Signed(session): Signed,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&body);
    check_csrf(&session, &f)?;
    let w = who(&state, &session).await?;
    require(&w, Action::ReadReports)?;
    let p = require_edit(&state, &w, f.id("publication", "The paper")?).await?;
    let percent = whole(&f, quantity::RESERVE, "The reserve")?;
    state
        .store
        .set_reserve(Some(session.account.id), p.id, percent)
        .await?;
    Ok(Redirect::to("/editor/orders").into_response())
}
