//! The paper on the web, one module per part of its life: the public edition (no login) and its
//! Atom feed (`public`, kept rendered by `cache`); the report forms (`report`); the editors' desk
//! with its report triage (`desk`), editions and articles and their workflow (`editions`), and the
//! single picture (`picture`); the agent's page for a bundle's sales, returns and money, the
//! reconciliation and circulation dashboards (`circulation`); standing orders and subscribers
//! (`orders`). Every decision goes through `access`.

mod cache;
pub mod circulation;
pub mod desk;
pub mod editions;
pub mod orders;
pub mod picture;
pub mod public;
pub mod report;

pub use cache::PublicCache;

use crate::access::{Action, Place, Who};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::pages::{chain_of, require};
use crate::session::check_csrf;
use crate::AppState;
use maud::{html, Markup, DOCTYPE};
use std::collections::HashMap;
use store::accounts::Session;
use store::paper::Publication;
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
// The editors' desk

/// The publications this viewer edits.
async fn edited(state: &AppState, w: &Who) -> AppResult<Vec<Publication>> {
    let mut out = Vec::new();
    for p in state.store.publications().await? {
        let chain = state.store.chain(p.unit_id).await?;
        if crate::access::allowed(w, Action::EditPaper(Place { chain: &chain })) {
            out.push(p);
        }
    }
    Ok(out)
}

async fn require_edit(state: &AppState, w: &Who, publication: i64) -> AppResult<Publication> {
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

fn editor_form_checks(session: &Session, f: &FormData) -> AppResult<()> {
    check_csrf(session, f)
}
