//! Errors as pages. A refusal never says more than the person may know: what they may not see
//! is "not found", exactly as if it did not exist.

use crate::layout;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// Not there, or not for this viewer: the same answer either way.
    NotFound,
    /// Not signed in.
    Login,
    /// The request itself is bad (a form field, a date): said plainly, nothing written.
    Bad(String),
    /// A cross-site or token-less state change.
    Forbidden,
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Invalid(m) => AppError::Bad(m),
            StoreError::Statutes(s) => AppError::Bad(s.to_string()),
            e @ StoreError::Rows(_) => AppError::Bad(e.to_string()),
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
            AppError::Bad(m) => (StatusCode::UNPROCESSABLE_ENTITY, "Not done", m),
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

pub async fn not_found() -> AppError {
    AppError::NotFound
}
