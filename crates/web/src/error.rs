//! Errors as pages. A refusal never says more than the person may know: what they may not see
//! is "not found", exactly as if it did not exist.

use crate::layout;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use core_rules::{Because, Refusal, Typed};
use maud::html;
use store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// Not there, or not for this viewer: the same answer either way.
    NotFound,
    /// Not signed in.
    Login,
    /// The request itself is refused (a form field, a date, a rule): said plainly, nothing
    /// written. A refusal carries no name read from the database (see `core_rules::refusal`).
    Refused(Refusal),
    /// A cross-site or token-less state change.
    Forbidden,
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A refusal in fixed words.
    pub fn refused(text: &'static str) -> AppError {
        AppError::Refused(Refusal::new(text))
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Refused(r)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Refused(r) => AppError::Refused(r),
            StoreError::InvitationUnusable => {
                AppError::Refused(Refusal::new(store::invitations::INVITATION_UNUSABLE))
            }
            StoreError::Statutes(s) => AppError::Refused(Refusal::rule(&s)),
            // The rows of a file the person sent: what is wrong with it, line by line.
            StoreError::Rows(rows) => AppError::Refused(match rows.as_slice() {
                [] => Refusal::new("the file was refused; nothing was written"),
                [one] => {
                    Refusal::new("the file was refused; nothing was written: {}").arg(Because(one))
                }
                [first, rest @ ..] => Refusal::new(
                    "the file was refused; nothing was written: {} (and {} more problems)",
                )
                .arg(Because(first))
                .arg(rest.len()),
            }),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, text) = match self {
            AppError::Login => return Redirect::to("/login").into_response(),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here.".to_string(),
            ),
            AppError::Refused(r) => (StatusCode::UNPROCESSABLE_ENTITY, "Not done", r.to_string()),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Refused",
                "This form was not sent from this site's own page, or its token has expired. Go back, reload and try again.".to_string(),
            ),
            AppError::Internal(m) => {
                // The detail goes to the operator's log, never to the page.
                tracing::error!(error = %m, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The server could not do this. Nothing was changed.".to_string(),
                )
            }
        };
        let body = layout::bare(
            title,
            html! {
                h1 { (title) }
                p.error { (text) }
                p { a href="/" { "Home" } }
            },
        );
        (status, body).into_response()
    }
}

/// The answer to a form's `do=` naming no action of the page.
pub fn unknown_action(typed: &str) -> AppError {
    Refusal::on("do", "unknown action {}")
        .arg(Typed(typed))
        .into()
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}
