//! The single picture: the reports of the whole organisation (that the viewer may know of) in
//! charts, drawn on the server.

use super::unknown_units;
use crate::access::{Action, Place};
use crate::error::{AppError, AppResult};
use crate::layout;
use crate::pages::{chains, require, who};
use crate::session::Signed;
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use core_rules::paper::ReportCategory;
use maud::{html, Markup};
use store::units::Unit;

/// A horizontal bar chart, drawn on the server.
pub(super) fn bars(title: &str, rows: &[(String, i64)]) -> Markup {
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
    // (the `access` crate, README), and totals that counted its reports would show them anyway: the
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
