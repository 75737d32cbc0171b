//! Editions and articles at the desk: creating, planning and publishing an edition; writing an
//! article and moving it through its workflow.

use super::{editor_form_checks, require_edit};
use crate::access::{Action, Who};
use crate::error::{AppError, AppResult};
use crate::form::FormData;
use crate::layout::{self, csrf};
use crate::pages::{require, who};
use crate::session::Signed;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::money as bounds_money;
use core_rules::paper::{ArticleState, NewEdition};
use core_rules::quantity;
use core_rules::text as limits;
use core_rules::Refusal;
use maud::{html, PreEscaped};
use store::paper::{Edition, Publication};

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
    w: &Who,
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

pub(super) async fn article_for_editor(
    state: &AppState,
    w: &Who,
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
