//! The frame of every page.

use axum::http::header;
use axum::response::IntoResponse;
use maud::{html, Markup, DOCTYPE};
use store::accounts::Session;

const CSS: &str = include_str!("../static/iskra.css");

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

fn head(title: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        meta name="referrer" content="no-referrer";
        title { (title) " · Iskra" }
        link rel="stylesheet" href="/static/iskra.css";
    }
}

/// A page for someone signed in.
pub fn page(title: &str, org: &str, session: &Session, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { (head(title)) }
            body {
                header.top {
                    a.brand href="/" { "ISKRA" }
                    span { (org) }
                    a href="/" { "Home" }
                    @if session.account.is_admin {
                        a href="/units" { "Organisation" }
                        a href="/admin/roles" { "Offices" }
                        a href="/import" { "Import" }
                    }
                    @if let Some(p) = session.account.person_id {
                        a href={ "/people/" (p) } { "My standing" }
                    }
                    a href="/congresses" { "Congress" }
                    a href="/paper" { "Paper" }
                    a href="/report" { "Send a report" }
                    a href="/statutes" { "Statutes" }
                    a href="/account" { "Account" }
                    form.inline method="post" action="/logout" {
                        (csrf(session))
                        button.secondary type="submit" { "Sign out " (session.account.login) }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page without the signed-in frame: login, errors.
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { (head(title)) }
            body {
                header.top { a.brand href="/" { "ISKRA" } }
                main { (body) }
            }
        }
    }
}

/// The hidden field every state-changing form carries.
pub fn csrf(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(session.csrf); }
}

/// Money in cents, written for people.
pub fn money(cents: i64) -> String {
    core_rules::import::format_money(cents)
}
