//! Who is calling: API callers by Bearer token (or the browser's session, for the UI's
//! scripts), browsers by session cookie. Authentication is an extractor, so a handler that
//! needs a user says so in its signature.

mod session;

pub use session::{Browser, CSRF_HEADER, LOGIN_CSRF_COOKIE, SESSION_COOKIE, check_csrf};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum_extra::extract::CookieJar;
use madoguchi_core::model::User;
use madoguchi_store::StoreError;

use crate::error::ApiError;
use crate::state::AppState;

/// The user behind an API request.
pub struct ApiCaller(pub User);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .map(str::trim)
                .ok_or(ApiError::Unauthorized(
                    "use `Authorization: Bearer <token>`",
                ))?;
            return match state.store.user_by_token(token).await {
                Ok(user) => Ok(ApiCaller(user)),
                Err(StoreError::NotFound) => {
                    Err(ApiError::Unauthorized("the token is unknown or revoked"))
                }
                Err(e) => Err(ApiError::from(madoguchi_app::ServiceError::from(e))),
            };
        }
        // The UI's own scripts call the API with the session cookie; writes must then carry
        // the session's CSRF token in a header, which another site cannot read or set.
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(cookie) = jar.get(SESSION_COOKIE)
            && let Ok(session) = state.store.session(cookie.value()).await
        {
            let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            let header_token = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if !safe && !header_token.is_some_and(|t| check_csrf(&session, t)) {
                return Err(ApiError::Forbidden(
                    "cookie-authenticated writes need the X-CSRF-Token header".into(),
                ));
            }
            return Ok(ApiCaller(session.user));
        }
        Err(ApiError::Unauthorized(
            "no credentials: send `Authorization: Bearer <token>`",
        ))
    }
}

/// Whether the request carries `Authorization: Bearer <secret>` for an operator's shared
/// secret (metrics, inbound mail), compared in constant time.
pub(crate) fn bearer_is(headers: &axum::http::HeaderMap, secret: &str) -> bool {
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    bool::from(subtle::ConstantTimeEq::ct_eq(
        given.as_bytes(),
        secret.as_bytes(),
    ))
}
