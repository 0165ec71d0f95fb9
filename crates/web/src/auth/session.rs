use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use madoguchi_store::Session;

use crate::state::AppState;

/// The cookie that holds the session's secret.
pub const SESSION_COOKIE: &str = "madoguchi_session";
/// The double-submit cookie that protects the login form, which has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "madoguchi_login_csrf";
/// The header the UI's scripts send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A logged-in browser. Pages that take it send everyone else to the login page, and bring
/// them back after.
pub struct Browser(pub Session);

impl FromRequestParts<AppState> for Browser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(cookie) = jar.get(SESSION_COOKIE) {
            match state.store.session(cookie.value()).await {
                Ok(session) => return Ok(Browser(session)),
                Err(madoguchi_store::StoreError::NotFound) => {}
                Err(e) => {
                    tracing::error!(error = %e, "reading a session");
                    return Err(
                        crate::error::PageError::internal(madoguchi_core::Locale::DEFAULT)
                            .into_response(),
                    );
                }
            }
        }
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map(|u| u.0.clone())
            .unwrap_or_else(|| parts.uri.clone());
        // Only a page can be come back to: after login the browser will GET it.
        let next = match parts.method {
            axum::http::Method::GET | axum::http::Method::HEAD => {
                uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
            }
            _ => "/",
        };
        let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
        let target = format!("/login?{query}");
        Err(Redirect::to(&target).into_response())
    }
}

/// Compares a submitted CSRF token with the session's in constant time.
pub fn check_csrf(session: &Session, submitted: &str) -> bool {
    use subtle::ConstantTimeEq;
    session
        .csrf_token
        .as_bytes()
        .ct_eq(submitted.as_bytes())
        .into()
}
