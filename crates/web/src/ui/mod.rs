//! The HTML pages. Each handler extracts, calls one service, and renders a template; the core
//! flows work without JavaScript.

mod home;
mod login;
mod permissions;

use askama::Template;
use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use madoguchi_core::Locale;

use crate::error::PageError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/preferences", axum::routing::post(home::save_preferences))
        .route("/login", get(login::page).post(login::submit))
        .route("/logout", axum::routing::post(login::log_out))
        .route(
            "/permissions",
            get(permissions::page).post(permissions::save),
        )
        .route("/static/app.css", get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

/// Renders a page, or the error page if the template fails.
pub(crate) fn render(locale: Locale, page: impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page");
            PageError::internal(locale).into_response()
        }
    }
}
