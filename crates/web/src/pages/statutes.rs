//! The statutes in force, in plain words, and their versions.

use super::{require, who};
use crate::access::Action;
use crate::error::AppResult;
use crate::layout::{self, money};
use crate::session::Signed;
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use core_rules::dues::Schedule;
use maud::html;

pub async fn page(State(state): State<AppState>, Signed(session): Signed) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::ViewStatutes)?;
    let today = state.store.today();
    let versions = state.store.statutes_versions().await?;
    let current = state.store.statutes_on(today).await?;
    let r = &current.rules;
    let p1 = &r.paragraph1;
    let body = html! {
        h1 { "Statutes" }
        p.muted { "Version " (current.version) ", adopted by " (current.adopted_by) " on " (current.adopted_on) ", in force since " (current.effective_from) "." }
        h2 { "Paragraph 1: who is a member" }
        blockquote { (p1.formula.wording()) }
        ul {
            li { "Material support: dues paid for a month no more than " (p1.dues_within_months) " months back." }
            li {
                @match p1.formula {
                    core_rules::statutes::Formula::Lenin => { "Personal participation in one of the party organisations: admitted by a unit, and at least " (p1.participation_min) " meeting or task in the last " (p1.participation_days) " days." }
                    core_rules::statutes::Formula::Martov => { "Regular personal association under the direction of an organisation: at least " (p1.participation_min) " meetings or tasks in the last " (p1.participation_days) " days; no admission needed." }
                }
            }
        }
        h2 { "Who votes" }
        ul {
            li { "Members more than " (r.voting.max_arrears_months) " months behind with dues have a voice but no vote." }
            li { "New members vote after " (r.voting.min_membership_days) " days of membership." }
        }
        h2 { "Dues" }
        @match &r.dues.schedule {
            Schedule::Fixed { monthly_cents } => p { (money(*monthly_cents)) " a month." },
            Schedule::IncomeBands { bands } => {
                table {
                    tr { th { "Monthly income" } th { "Dues" } }
                    @let mut from = 0i64;
                    @for b in bands {
                        tr {
                            td { @if let Some(up) = b.up_to_cents { (money(from)) " to " (money(up)) } @else { "above " (money(from)) } }
                            td { @if b.per_mille > 0 { (b.per_mille as f64 / 10.0) "% of income" } @else { (money(b.fixed_cents)) " a month" } }
                        }
                        @if let Some(up) = b.up_to_cents { ({ from = up + 1; "" }) }
                    }
                }
            }
        }
        p { "Reduced rate (unwaged, students, pensioners): " (money(r.dues.reduced_monthly_cents)) " a month." }
        p { "Each payment is divided: "
            @for (i, s) in r.dues.split.iter().enumerate() { @if i > 0 { ", " } (s.percent) "% to the " (s.kind) }
            "; the member's own unit keeps any share with no body to receive it." }
        h2 { "Correspondence" }
        p { "A report's sender is known to one editor: the one who handles the report, on request (each request is recorded). The link to the sender is removed " (r.correspondence.sender_kept_days) " days after the report is decided." }
        h2 { "Versions" }
        table {
            tr { th { "Version" } th { "Adopted by" } th { "Adopted on" } th { "In force from" } th { "Paragraph 1" } }
            @for v in versions.iter().rev() {
                tr {
                    td { (v.version) } td { (v.adopted_by) } td { (v.adopted_on) } td { (v.effective_from) }
                    td { (format!("{:?}", v.rules.paragraph1.formula)) }
                }
            }
        }
    };
    Ok(layout::page("Statutes", &state.org_name, &session, body).into_response())
}
