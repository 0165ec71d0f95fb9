//! How failures reach people: `application/problem+json` for the API, a friendly page for the
//! UI. Internal details go to the log, never to the client.

use askama::Template;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use madoguchi_core::{Invalid, Locale};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::{self, Words};
use madoguchi_app::ServiceError;

/// An API failure; each variant is one status code.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request could not be read (not JSON, wrong types, a bad cursor).
    Malformed(String),
    /// 401: no credentials, or bad ones.
    Unauthorized(&'static str),
    /// 403: the caller is known but may not do this.
    Forbidden(std::borrow::Cow<'static, str>),
    /// 404: missing, or not visible to the caller; the two answer alike.
    NotFound,
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 409: clashes with what is stored.
    Conflict(Invalid),
    /// 409: the ticket was merged into another; the problem names it in `merged_into`.
    MergedInto(madoguchi_core::values::TicketKey),
    /// 413: the body is too large; says what the limit is.
    TooLarge(String),
    /// 422: the fields listed are invalid.
    Invalid(Invalid),
    /// 422: rows of an uploaded file are invalid; each problem names its line.
    InvalidRows(Vec<ProblemField>),
    /// 500: our fault; logged.
    Internal,
    /// 503: cannot be done now; try again later.
    Unavailable(String),
}

/// The body of every API error (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong and how to fix it.
    pub detail: String,
    /// For invalid input: one entry per field, by JSON path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
    /// For a ticket merged into another: the surviving ticket's key, where to go on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The JSON path of the input: `summary`, `menu_fields.server_name`; for a file, its column.
    pub field: String,
    pub message: String,
    /// For a file (a CSV import): the line the problem is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// API wording is English: integrations read it; people read the UI in their language.
const API_LOCALE: Locale = Locale::En;

fn field_list(invalid: &Invalid) -> Vec<ProblemField> {
    invalid
        .0
        .iter()
        .map(|e| ProblemField {
            field: e.field.clone(),
            message: i18n::problem(API_LOCALE, &e.problem),
            line: None,
        })
        .collect()
}

fn summary(fields: &[ProblemField]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join(" ")
}

impl ApiError {
    pub(crate) fn problem(&self) -> Problem {
        let (status, slug, title, detail, errors) = match self {
            ApiError::Malformed(why) => (400, "malformed", "Malformed request", why.clone(), None),
            ApiError::Unauthorized(why) => (
                401,
                "unauthorized",
                "Not authenticated",
                (*why).to_owned(),
                None,
            ),
            ApiError::Forbidden(why) => (403, "forbidden", "Not allowed", why.to_string(), None),
            ApiError::NotFound => (
                404,
                "not-found",
                "Not found",
                "No such resource, or you may not see it.".to_owned(),
                None,
            ),
            ApiError::MethodNotAllowed => (
                405,
                "method-not-allowed",
                "Method not allowed",
                "This path does not take this method; see /api/openapi.json for what it takes."
                    .to_owned(),
                None,
            ),
            ApiError::Conflict(invalid) => {
                let fields = field_list(invalid);
                (409, "conflict", "Conflict", summary(&fields), Some(fields))
            }
            ApiError::MergedInto(into) => (
                409,
                "merged",
                "Ticket merged",
                format!(
                    "This ticket was merged into {into} and takes no more replies; continue on {into}: /api/v1/tickets/{into}"
                ),
                None,
            ),
            ApiError::TooLarge(why) => (413, "too-large", "Request too large", why.clone(), None),
            ApiError::Invalid(invalid) => {
                let fields = field_list(invalid);
                (
                    422,
                    "invalid-fields",
                    "Invalid fields",
                    summary(&fields),
                    Some(fields),
                )
            }
            ApiError::InvalidRows(fields) => {
                let lines: Vec<String> = fields
                    .iter()
                    .map(|f| format!("line {} {}: {}", f.line.unwrap_or(0), f.field, f.message))
                    .collect();
                (
                    422,
                    "invalid-rows",
                    "Invalid rows",
                    format!(
                        "{} problems; nothing was written. Fix them and send the file again. {}",
                        fields.len(),
                        lines.join(" ")
                    ),
                    Some(fields.clone()),
                )
            }
            ApiError::Unavailable(why) => {
                (503, "unavailable", "Try again later", why.clone(), None)
            }
            ApiError::Internal => (
                500,
                "internal",
                "Internal error",
                "Something went wrong on our side; it has been logged. Try again.".to_owned(),
                None,
            ),
        };
        Problem {
            kind: format!("/problems/{slug}"),
            title: title.to_owned(),
            status,
            detail,
            errors,
            merged_into: match self {
                ApiError::MergedInto(into) => Some(into.to_string()),
                _ => None,
            },
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(i) => ApiError::Invalid(i),
            ServiceError::NotFound => ApiError::NotFound,
            ServiceError::Forbidden(why) => ApiError::Forbidden(why),
            ServiceError::AccountDisabled => ApiError::Forbidden("the account is disabled".into()),
            ServiceError::Conflict(i) => ApiError::Conflict(i),
            ServiceError::MergedInto(into) => ApiError::MergedInto(into),
            ServiceError::Malformed(why) => ApiError::Malformed(why),
            ServiceError::Store(e) => {
                tracing::error!(error = %e, "store failure");
                ApiError::Internal
            }
            ServiceError::Internal(e) => {
                tracing::error!(error = %e, "internal failure");
                ApiError::Internal
            }
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::Invalid(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge("The request body is larger than 1 MiB; send less.".to_owned())
        } else {
            ApiError::Malformed(format!(
                "{}; send a JSON object with `Content-Type: application/json`.",
                r.body_text()
            ))
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::Malformed(r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::Malformed(r.body_text())
    }
}

/// A JSON body whose failures are problem+json, not axum's plain text.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(value))
    }
}

/// A JSON body that may be left out: no body at all (or only whitespace) is `T::default()`,
/// for endpoints that took no body before they took one. A body that is there must be JSON.
pub struct OptionalApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Default> FromRequest<S>
    for OptionalApiJson<T>
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::Malformed(r.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalApiJson(T::default()));
        }
        let Json(value) = Json::<T>::from_bytes(&bytes)?;
        Ok(OptionalApiJson(value))
    }
}

/// A failure shown to a person in the browser.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub locale: Locale,
    pub message_key: &'static str,
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub w: Words,
    pub message: String,
    /// The navigation, for a signed-in person.
    pub nav: Option<crate::ui::Nav>,
}

impl PageError {
    pub fn internal(locale: Locale) -> PageError {
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            locale,
            message_key: "error.internal",
        }
    }

    pub fn from_service(locale: Locale, e: ServiceError) -> PageError {
        let (status, message_key) = match e {
            ServiceError::NotFound => (StatusCode::NOT_FOUND, "error.not_found"),
            ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, "error.forbidden"),
            ServiceError::AccountDisabled => (StatusCode::FORBIDDEN, "login.disabled"),
            ServiceError::Invalid(_) | ServiceError::Conflict(_) | ServiceError::Malformed(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "error.title")
            }
            ServiceError::MergedInto(_) => (StatusCode::CONFLICT, "merge.refused_generic"),
            ServiceError::Store(e) => {
                tracing::error!(error = %e, "store failure");
                (StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
            }
            ServiceError::Internal(e) => {
                tracing::error!(error = %e, "internal failure");
                (StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
            }
        };
        PageError {
            status,
            locale,
            message_key,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let w = Words(self.locale);
        let page = ErrorPage {
            w,
            message: w.t(self.message_key).to_owned(),
            nav: None,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "rendering the error page");
                (self.status, w.t(self.message_key).to_owned()).into_response()
            }
        }
    }
}

/// A form body whose failures show the friendly error page, not axum's plain text.
pub struct PageForm<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(PageForm(value)),
            Err(rejection) => {
                tracing::info!(error = %rejection, "unreadable form");
                Err(PageError {
                    status: StatusCode::BAD_REQUEST,
                    locale: Locale::DEFAULT,
                    message_key: "error.form",
                })
            }
        }
    }
}
