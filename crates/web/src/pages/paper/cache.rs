//! The public pages, kept rendered: one copy for every reader, until what the public sees
//! changes.

use crate::error::AppResult;
use crate::AppState;
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

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

pub(super) const HTML: &str = "text/html; charset=utf-8";
pub(super) const ATOM: &str = "application/atom+xml; charset=utf-8";

fn cached_response(content_type: &'static str, body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Serves `key` from the cache while the public papers are unchanged, else renders it. The
/// version is read before rendering and kept with the page: a change committed while the page
/// renders moves the version past it, so that page is not served again.
pub(super) async fn public_cached<F>(
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
