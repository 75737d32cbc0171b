//! Who is asking: the session cookie, CSRF checks, and the headers every response carries.

use crate::error::AppError;
use crate::form::FormData;
use crate::AppState;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use store::accounts::Session;

pub const SECURE_COOKIE: &str = "__Host-iskra";
/// `__Host-` cookies must be Secure; the plain-http localhost demo uses this name instead.
pub const DEMO_COOKIE: &str = "iskra-demo";

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.secure_cookies {
        SECURE_COOKIE
    } else {
        DEMO_COOKIE
    }
}

/// The Set-Cookie value for a new session.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}",
        cookie_name(state)
    )
}

pub fn clear_cookie(state: &AppState) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        cookie_name(state)
    )
}

pub fn token_from(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The signed-in viewer, if any.
pub struct Viewer(pub Option<Session>, pub Option<String>);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(token) = token_from(&parts.headers, cookie_name(state)) else {
            return Ok(Viewer(None, None));
        };
        let session = state.store.session(&token).await?;
        Ok(Viewer(session, Some(token)))
    }
}

/// The client's address, when the server was started with connection info. Used by the login
/// throttle only; never logged or stored.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// A signed-in viewer; anyone else is sent to the login page.
pub struct Signed(pub Session);

impl FromRequestParts<AppState> for Signed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match Viewer::from_request_parts(parts, state).await? {
            Viewer(Some(s), _) => Ok(Signed(s)),
            _ => Err(AppError::Login),
        }
    }
}

/// Checks the form's CSRF token against the session's.
pub fn check_csrf(session: &Session, form: &FormData) -> Result<(), AppError> {
    use sha2::{Digest, Sha256};
    let sent = form.get("csrf").unwrap_or("");
    // Compare digests, so the comparison takes the same time wherever the strings differ.
    if Sha256::digest(sent.as_bytes()) == Sha256::digest(session.csrf.as_bytes())
        && !sent.is_empty()
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Refuses state changes that come from another site, and sets the headers every page needs:
/// a strict Content-Security-Policy (nothing from elsewhere, no inline script), no referrer,
/// and no caching of pages that may hold names.
pub async fn security_headers(req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let h = req.headers();
        let fetch_site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let cross_fetch = fetch_site.is_some_and(|v| v != "same-origin" && v != "none");
        let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
        let cross_origin = match (h.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
            // Under our `Referrer-Policy: no-referrer` browsers send `Origin: null` even for a
            // form on our own page; where they also say `Sec-Fetch-Site: same-origin`, that
            // says more. Without it, a null origin is refused.
            (Some("null"), _) => fetch_site.is_none(),
            (Some(origin), Some(host)) => {
                let bare = origin
                    .strip_prefix("http://")
                    .or_else(|| origin.strip_prefix("https://"))
                    .unwrap_or(origin);
                bare != host
            }
            (Some(_), None) => true,
            (None, _) => false,
        };
        if cross_fetch || cross_origin {
            return AppError::Forbidden.into_response();
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; \
             connect-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
