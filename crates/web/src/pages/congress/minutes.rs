//! The minutes and the blocs.

use super::overview::votes_table;
use super::{ctx, nav};
use crate::error::{AppError, AppResult};
use crate::layout;
use crate::session::Signed;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{html, PreEscaped};

/// The minutes as a printable PDF, typeset by `crates/print`: the record of events, then the
/// votes and their results. Same access as the page.
pub async fn minutes_pdf(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    let lines = crate::words::minutes(&cx.congress, &state.store.minutes(id).await?);
    let title = format!("Minutes of {}", cx.congress.name);
    let sections = vec![print::Section {
        heading: "The record".into(),
        paragraphs: lines,
    }];
    let pdf = tokio::task::spawn_blocking(move || print::document(&title, &sections))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"minutes-{id}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

pub async fn minutes(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    let lines = crate::words::minutes(&cx.congress, &state.store.minutes(id).await?);
    let votes = state.store.votes(id).await?;
    let (analysis, names) = state.store.blocs(id).await?;
    let name = |p: &i64| names.get(p).cloned().unwrap_or_else(|| format!("#{p}"));
    let body = html! {
        h1 { "Minutes of " (cx.congress.name) }
        (nav(&cx.congress, &cx.who, &cx.me))
        p.muted { "Written from the congress's record of events. Delegates appear by party name. " a href={ "/congresses/" (id) "/minutes/pdf" } { "Printable PDF" } }
        ol.minutes { @for l in &lines { li { (l) } } }
        h2 { "Votes and results" }
        (votes_table(&state, &votes).await?)
        h2 { "Blocs in the roll calls" }
        @if analysis.delegates.is_empty() { p.muted { "No roll call has been closed." } }
        @else {
            p.muted { "Agreement: the share of the roll calls both delegates voted in where they voted alike. Blocs join those who agree on average more than half the time; the majority is the bloc that most often voted with the side that carried." }
            @for b in &analysis.blocs {
                p { strong { @if b.majority { "Majority" } @else { "Minority" } } ": "
                    (b.members.iter().map(name).collect::<Vec<_>>().join(", "))
                    " — with the prevailing side " (b.with_prevailing) " of " (b.cast) " votes" }
            }
            table {
                tr { th {} @for d in &analysis.delegates { th { (name(d)) } } }
                @for (i, d) in analysis.delegates.iter().enumerate() {
                    tr { th { (name(d)) }
                        @for j in 0..analysis.delegates.len() {
                            td.num { @match analysis.share(i, j) { Some(s) => { (format!("{:.0}%", s * 100.0)) }, None => "—" } }
                        }
                    }
                }
            }
        }
        (PreEscaped(""))
    };
    Ok(layout::page("Minutes", &state.org_name, &session, body).into_response())
}
