//! Uploading a CSV of people: the whole file is checked first, and nothing is written unless
//! every row is right.

use super::{require, who};
use crate::access::Action;
use crate::error::{AppError, AppResult};
use crate::layout::{self, csrf};
use crate::session::{check_csrf, Signed};
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use store::StoreError;

fn upload_form(session: &store::accounts::Session) -> Markup {
    html! {
        form method="post" action="/import" enctype="multipart/form-data" {
            (csrf(session))
            fieldset {
                legend { "Import people from a CSV file" }
                input type="file" name="file" accept=".csv,text/csv" required;
                button type="submit" { "Check and import" }
            }
        }
        p.muted { "Columns (any order, by header): " (core_rules::import::COLUMNS.join(", "))
            ". pseudonym, unit and status are required. A row whose card, email or phone is already recorded updates that person; nobody is recorded twice." }
    }
}

pub async fn form(State(state): State<AppState>, Signed(session): Signed) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::ImportPeople)?;
    let body = html! { h1 { "Import" } (upload_form(&session)) };
    Ok(layout::page("Import", &state.org_name, &session, body).into_response())
}

pub async fn upload(
    State(state): State<AppState>,
    Signed(session): Signed,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let w = who(&state, &session).await?;
    require(&w, Action::ImportPeople)?;
    let mut csrf_ok = false;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::refused("the upload could not be read"))?
    {
        match field.name() {
            Some("csrf") => {
                let v = field
                    .text()
                    .await
                    .map_err(|_| AppError::refused("the upload could not be read"))?;
                let f = crate::form::FormData::parse(format!("csrf={}", urlencode(&v)).as_bytes());
                csrf_ok = check_csrf(&session, &f).is_ok();
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::refused("the upload could not be read"))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(AppError::Forbidden);
    }
    let (name, bytes) = file.ok_or_else(|| AppError::refused("choose a file to import"))?;
    let result = state
        .store
        .import_people(
            || Ok(std::io::Cursor::new(bytes.as_slice())),
            &name,
            Some(session.account.id),
            &mut |_| {},
        )
        .await;
    let (status, body) = match result {
        Ok(r) => (
            StatusCode::OK,
            html! {
                h1 { "Imported" }
                p.notice { (r.rows) " rows read from " (name) ": " (r.created) " people recorded, " (r.updated) " updated, " (r.unchanged) " unchanged." }
                (upload_form(&session))
            },
        ),
        Err(StoreError::Rows(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            html! {
                h1 { "Nothing was imported" }
                p.error { (name) " has problems. Correct them and import the whole file again." }
                table {
                    tr { th.num { "Line" } th { "Column" } th { "Problem" } }
                    @for e in &errors { tr { td.num { (e.line) } td { (e.column) } td { (e.reason) } } }
                }
                (upload_form(&session))
            },
        ),
        Err(e) => return Err(e.into()),
    };
    Ok((
        status,
        layout::page("Import", &state.org_name, &session, body),
    )
        .into_response())
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
