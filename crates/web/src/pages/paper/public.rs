//! Public: the papers, a publication, an edition (its page and its PDF) and a publication's
//! Atom feed. No login; everything here goes through `cache`.

use super::cache::{public_cached, ATOM, HTML};
use super::public_page;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use core_rules::paper::money;
use core_rules::Day;
use maud::{html, PreEscaped};
use std::collections::HashMap;
use store::paper::{Edition, Publication};

pub(super) async fn publication(state: &AppState, code: &str) -> AppResult<Publication> {
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
                    // Rendered from Markdown and sanitised when saved (the `markup` crate).
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
                paragraphs: markup::plain_text(&a.body_md)
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
