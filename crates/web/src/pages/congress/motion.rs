//! A motion: its numbered lines, amendments, voting order and consolidated text.

use super::presidium::motion_here;
use super::{ctx, nav};
use crate::error::AppResult;
use crate::layout::{self, csrf};
use crate::session::Signed;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;

pub async fn motion(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path((id, m)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    let motion = motion_here(&state, id, m).await?;
    let ams = state.store.amendments(m).await?;
    let order = state.store.amendment_order(m).await?;
    let consolidated = state.store.consolidated(m).await?;
    let all: Vec<_> = ams.iter().map(|a| a.amendment.clone()).collect();
    let pending: Vec<_> = ams
        .iter()
        .filter(|a| a.state == "submitted")
        .map(|a| a.amendment.clone())
        .collect();
    let conflicts = core_rules::congress::text::conflicts(&pending);
    let _ = all;
    // A statutes motion: what its text, as amended so far, would change in the rules in force.
    let reading = if motion.statutes {
        Some(
            state
                .store
                .statutes_change_of(&cx.congress, &consolidated)
                .await?,
        )
    } else {
        None
    };
    let body = html! {
        h1 { (motion.title) }
        (nav(&cx.congress, &cx.who, &cx.me))
        p { "State: " strong { (motion.state) } "; " (motion.supporters) " supporters." }
        h2 { "Text" }
        table.lines { @for (i, l) in motion.lines.iter().enumerate() { tr { td.num { (i + 1) } td { (l) } } } }
        h2 { "Amendments" }
        table {
            tr { th { "No." } th { "Amends" } th { "Edit" } th { "New text" } th { "Moved by" } th { "State" } }
            @for a in &ams {
                tr {
                    td { (a.amendment.id) }
                    td { @match a.amendment.parent { Some(p) => { "amendment " (p) }, None => "the motion" } }
                    td { (crate::words::edit(&a.amendment.edit)) }
                    td { @if let Some(t) = a.amendment.edit.text() { @for l in t { (l) br; } } }
                    td { (a.submitted_by.clone().unwrap_or_default()) }
                    td { (a.state) }
                }
            }
        }
        @if !conflicts.is_empty() {
            p.notice { "Conflicting amendments (adopting one makes the other fall): "
                @for (a, b) in &conflicts { (a) " and " (b) "; " } }
        }
        p { "Proposed voting order (amendments to an amendment before it; among conflicting ones the most far-reaching first, i.e. the one changing most lines): "
            @for a in &order { "amendment " (a) ", " } "then the motion." }
        h2 { "The text as amended so far" }
        table.lines { @for (i, l) in consolidated.iter().enumerate() { tr { td.num { (i + 1) } td { (l) } } } }
        @if let Some(reading) = &reading {
            h2 { "What adopting it changes in the statutes' rules" }
            @match reading {
                Ok(None) => p { "Nothing: the text as amended so far sets no rule differently from the statutes in force (Iskra reads only Paragraph 1's two wordings and the sentences below)." },
                Ok(Some((_, from, changes))) => {
                    p { "From " (from) ", when adopted; membership and voting rights are then judged by the new rules." }
                    table {
                        tr { th { "Line" } th { "Rule" } th { "In force" } th { "Would become" } }
                        @for c in changes { tr { td.num { (c.line) } td { (c.rule.name()) } td { (c.before) } td { strong { (c.after) } } } }
                    }
                }
                Err(e) => p.notice { "This motion cannot be put to the vote until it is amended: " (e) "." },
            }
            details {
                summary { "The clauses Iskra reads from a statutes motion" }
                p { "Paragraph 1 in Lenin's or in Martov's wording, and these sentences, with any figure in place of N (in digits, or in words up to twelve). Any other wording is the congress's text and changes no rule." }
                ul { @for c in core_rules::clauses::CLAUSES { li { (c.sentence) } } }
            }
        }
        @if cx.me.is_some() {
            form method="post" action={ "/congresses/" (id) "/delegate" } {
                (csrf(&session))
                input type="hidden" name="do" value="amendment";
                input type="hidden" name="motion" value=(m);
                fieldset { legend { "Move an amendment" }
                    label { select name="op" { option value="replace" { "replace lines" } option value="insert" { "insert after line" } option value="delete" { "delete lines" } } }
                    label { "From line " input type="number" name="from" min="0"; " to line " input type="number" name="to" min="1"; }
                    label { "Of amendment number (empty: of the motion) " input type="number" name="parent"; }
                    label { "New text " textarea name="text" rows="3" cols="70" {} }
                    button { "Move" } }
            }
        }
    };
    Ok(layout::page(&motion.title, &state.org_name, &session, body).into_response())
}
