//! Searching a branch for a person by party name. The search covers exactly what the viewer
//! could reach by walking the unit pages: the access rules decide the depth, the closed branches
//! left out and whether only members are listed; the store then reads only that branch.

use super::{chain_of, require, who};
use crate::access::{allowed, Action, Place};
use crate::error::AppResult;
use crate::form::FormData;
use crate::layout;
use crate::session::Signed;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use core_rules::people::Status;
use maud::html;
use store::people::BranchSearch;

/// At most this many people are listed; a longer prefix narrows the list.
const LIMIT: i64 = 50;

pub async fn page(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let store = &state.store;
    let w = who(&state, &session).await?;
    let chain = chain_of(&state, id).await?;
    let place = Place { chain: &chain };
    require(&w, Action::ViewRoster(place))?;
    let form = FormData::parse(query.unwrap_or_default().as_bytes());
    let q = form.text("q");
    let q = q.trim();
    let unit = place.unit().clone();

    // Names below the top unit are open to the viewer only through an office that the statutes
    // let reach down; that holds for every open unit below alike, so one child answers for all.
    // Closed branches are asked about one by one.
    let children = store.children(id).await?;
    let below = children.iter().any(|k| {
        let mut kchain = vec![k.clone()];
        kchain.extend(chain.iter().cloned());
        !k.closed && allowed(&w, Action::ViewRoster(Place { chain: &kchain }))
    });
    let mut hidden: Vec<i64> = Vec::new();
    if below {
        for (closed, branch) in store.closed_below(id).await? {
            if hidden.contains(&closed) {
                continue;
            }
            let cchain = store.chain(closed).await?;
            if !allowed(&w, Action::ViewRoster(Place { chain: &cchain })) {
                hidden.extend(branch);
            }
        }
    }
    // Those who keep a unit see everyone in it; its other members see its members.
    let members_only = !allowed(&w, Action::ManageUnit(place));

    let mut rows = Vec::new();
    if !q.is_empty() {
        let found = store
            .search_people(&BranchSearch {
                top: id,
                prefix: q,
                below,
                members_only,
                hidden: &hidden,
                limit: LIMIT,
            })
            .await?;
        // Every result is put to the rules once more, as its own unit's page would: the query
        // above narrows, the rules decide.
        let ids: Vec<i64> = found.iter().map(|p| p.unit_id).collect();
        let chains = store.chains_of(&ids).await?;
        for p in found {
            let Some(pchain) = chains.get(&p.unit_id) else {
                continue;
            };
            let pplace = Place { chain: pchain };
            let listed = allowed(&w, Action::ViewRoster(pplace))
                && (p.status == Status::Member || allowed(&w, Action::ManageUnit(pplace)));
            if listed {
                let link = allowed(&w, Action::ViewPerson(&p, pplace));
                let unit_name = pchain[0].name.clone();
                rows.push((p, unit_name, link));
            }
        }
    }

    let body = html! {
        p.crumbs { a href={ "/units/" (id) } { (unit.name) } " › search" }
        h1 { "Find a person in " (unit.name) }
        p.muted {
            @if below { "Searches this unit and the units below it that you may see, by party name." }
            @else { "Searches this unit's people by party name." }
        }
        form method="get" action={ "/units/" (id) "/search" } {
            label { "Party name begins with " input type="search" name="q" value=(q) required autofocus; }
            " " button type="submit" { "Search" }
        }
        @if !q.is_empty() {
            @if rows.is_empty() {
                p { "Nobody found." }
            } @else {
                table {
                    tr { th { "Party name" } th { "Unit" } th { "Status" } }
                    @for (p, unit_name, link) in &rows {
                        tr {
                            td { @if *link { a href={ "/people/" (p.id) } { (p.pseudonym) } } @else { (p.pseudonym) } }
                            td { a href={ "/units/" (p.unit_id) } { (unit_name) } }
                            td { (p.status.as_str()) }
                        }
                    }
                }
                @if rows.len() as i64 >= LIMIT {
                    p.muted { "The first " (LIMIT) " are shown: type more of the name to narrow the list." }
                }
            }
        }
    };
    Ok(layout::page("Find a person", &state.org_name, &session, body).into_response())
}
