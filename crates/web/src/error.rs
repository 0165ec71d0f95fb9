//! How failures reach people: `application/problem+json` for the API, a friendly page for the
//! UI. Internal details go to the log, never to the client.

use askama::Template;
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
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
    /// 429: the caller's daily upload quota is used up; says the limit and when it resets.
    QuotaExceeded(String),
    /// 415: the body is not of the media type the operation takes; says which it takes.
    UnsupportedMediaType(&'static str),
    /// 400: the body is JSON, but some values have the wrong type; each names its field.
    WrongTypes(Vec<ProblemField>),
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

/// The most problems one answer lists (`errors[]`), so that a request with a huge list of bad
/// values gets a small answer; the detail says how many there were in all.
pub const ERRORS_LISTED_MAX: usize = 50;

/// The most refused rows one answer to an uploaded file lists.
pub const ROWS_LISTED_MAX: usize = 5000;

fn field_list(invalid: &Invalid) -> Vec<ProblemField> {
    invalid
        .0
        .iter()
        .take(ERRORS_LISTED_MAX)
        .map(|e| ProblemField {
            field: e.field.clone(),
            message: i18n::problem(API_LOCALE, &e.problem),
            line: None,
        })
        .collect()
}

/// The detail of a field problem: every listed problem in a sentence, and how many were left
/// out of the list when there were more than [`ERRORS_LISTED_MAX`].
fn summary(fields: &[ProblemField], total: usize) -> String {
    let listed = fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join(" ");
    if total > fields.len() {
        format!(
            "{total} problems; the first {} are listed. {listed}",
            fields.len()
        )
    } else {
        listed
    }
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
                let detail = summary(&fields, invalid.0.len());
                (409, "conflict", "Conflict", detail, Some(fields))
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
            ApiError::QuotaExceeded(why) => (
                429,
                "upload-quota",
                "Upload quota used up",
                why.clone(),
                None,
            ),
            ApiError::UnsupportedMediaType(why) => (
                415,
                "unsupported-media-type",
                "Unsupported media type",
                (*why).to_owned(),
                None,
            ),
            ApiError::WrongTypes(fields) => {
                let fields: Vec<ProblemField> =
                    fields.iter().take(ERRORS_LISTED_MAX).cloned().collect();
                (
                    400,
                    "malformed",
                    "Malformed request",
                    summary(&fields, fields.len()),
                    Some(fields),
                )
            }
            ApiError::Invalid(invalid) => {
                let fields = field_list(invalid);
                let detail = summary(&fields, invalid.0.len());
                (
                    422,
                    "invalid-fields",
                    "Invalid fields",
                    detail,
                    Some(fields),
                )
            }
            ApiError::InvalidRows(fields) => {
                let listed: Vec<ProblemField> =
                    fields.iter().take(ROWS_LISTED_MAX).cloned().collect();
                let lines: Vec<String> = listed
                    .iter()
                    .map(|f| format!("line {} {}: {}", f.line.unwrap_or(0), f.field, f.message))
                    .collect();
                let left_out = if fields.len() > listed.len() {
                    format!(" The first {} are listed.", listed.len())
                } else {
                    String::new()
                };
                (
                    422,
                    "invalid-rows",
                    "Invalid rows",
                    format!(
                        "{} problems; nothing was written. Fix them and send the file again.{left_out} {}",
                        fields.len(),
                        lines.join(" ")
                    ),
                    Some(listed),
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

const JSON_BODY: &str = "Send the body as a JSON object with `Content-Type: application/json`.";

/// Whether the request says its body is JSON (`application/json`, or any `+json` type).
fn says_json(req: &Request) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads the body within the router's limit; past it, 413.
async fn body_bytes<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<axum::body::Bytes, ApiError> {
    axum::body::Bytes::from_request(req, state)
        .await
        .map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge("The request body is larger than 1 MiB; send less.".to_owned())
            } else {
                ApiError::Malformed(r.body_text())
            }
        })
}

/// Reads a JSON body into `T`. The body must be an object: serde would also fill a struct
/// from an array of its fields in order (`["en","Europe/Paris"]` as a profile), which no
/// client means. A value of the wrong type is named by its JSON path in `errors[]`.
pub fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(ObjectsOnly(&mut de)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data if path != "." => {
                ApiError::WrongTypes(vec![ProblemField {
                    field: path,
                    message: format!("{}.", without_position(&inner)),
                    line: None,
                }])
            }
            serde_json::error::Category::Data => ApiError::Malformed(format!(
                "The body is not what this operation takes: {}. {JSON_BODY}",
                without_position(&inner)
            )),
            _ => not_json(&inner),
        }
    })?;
    de.end().map_err(|e| not_json(&e))?;
    Ok(value)
}

fn not_json(e: &serde_json::Error) -> ApiError {
    ApiError::Malformed(format!(
        "The body is not valid JSON: {} (line {}, column {}). {JSON_BODY}",
        without_position(e),
        e.line(),
        e.column()
    ))
}

/// serde_json's message without its " at line L column C" (said separately, or meaningless
/// for a wrong type, whose field is named instead).
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// A deserializer that reads the top-level struct as a map only, so that a JSON array is
/// refused where an object is expected (serde_json's `deserialize_map` takes only `{`).
struct ObjectsOnly<'a, R>(&'a mut serde_json::Deserializer<R>);

impl<'de, R: serde_json::de::Read<'de>> serde::Deserializer<'de> for ObjectsOnly<'_, R> {
    type Error = serde_json::Error;

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(visitor)
    }

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_any(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map identifier ignored_any
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_option(visitor)
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }
}

/// A JSON body whose failures are problem+json, not axum's plain text: 415 when the request
/// does not say it is JSON, 413 past the limit, 400 for what is not JSON or not an object,
/// and 400 with `errors[]` naming each field of the wrong type.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !says_json(&req) {
            return Err(ApiError::UnsupportedMediaType(JSON_BODY));
        }
        let bytes = body_bytes(req, state).await?;
        Ok(ApiJson(from_json(&bytes)?))
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
        let json = says_json(&req);
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalApiJson(T::default()));
        }
        if !json {
            return Err(ApiError::UnsupportedMediaType(JSON_BODY));
        }
        Ok(OptionalApiJson(from_json(&bytes)?))
    }
}

/// A multipart body (an upload) whose failures are problem+json: 415 when the request is not
/// `multipart/form-data`, 400 when its parts cannot be read.
pub struct ApiMultipart(pub axum::extract::Multipart);

const MULTIPART_BODY: &str =
    "Send the file as `multipart/form-data` (with its boundary) in one part named `file`.";

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if !multipart {
            return Err(ApiError::UnsupportedMediaType(MULTIPART_BODY));
        }
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(ApiMultipart)
            .map_err(|r| ApiError::Malformed(format!("{}. {MULTIPART_BODY}", r.body_text())))
    }
}

/// Under `/api/`, every error answer is problem+json: what axum answers by itself (a path
/// segment it cannot read, a rejection of an extractor, an empty 404 or 405) is rewritten
/// with its status and text, so no client meets `text/plain` or an empty body.
pub async fn api_problems(req: Request, next: axum::middleware::Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let head = req.method() == axum::http::Method::HEAD;
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem || head {
        return response;
    }
    let (parts, body) = response.into_parts();
    // axum's own answers are one short sentence; anything longer is not one of them.
    let text = match axum::body::to_bytes(body, 4096).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let error = match status {
        StatusCode::NOT_FOUND => ApiError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(if text.is_empty() {
            "The request body is too large; send less.".to_owned()
        } else {
            text
        }),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(JSON_BODY),
        s if s.is_server_error() => ApiError::Internal,
        _ => ApiError::Malformed(if text.is_empty() {
            "The request could not be read.".to_owned()
        } else {
            text
        }),
    };
    let mut rewritten = error.into_response();
    // Keep what the original answer said beyond its body (`Allow` of a 405, for one).
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten
                .headers_mut()
                .entry(name.clone())
                .or_insert(value.clone());
        }
    }
    *rewritten.status_mut() = status;
    rewritten
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_lists_at_most_fifty_problems_and_says_how_many() {
        let mut invalid = Invalid::new();
        for i in 0..200 {
            invalid.push(
                format!("participants[{i}]"),
                madoguchi_core::Problem::NotFound,
            );
        }
        let problem = ApiError::Invalid(invalid).problem();
        let errors = problem.errors.expect("fields listed");
        assert_eq!(errors.len(), ERRORS_LISTED_MAX);
        assert_eq!(errors[49].field, "participants[49]");
        assert!(
            problem
                .detail
                .starts_with("200 problems; the first 50 are listed. participants[0]:"),
            "{}",
            problem.detail
        );
    }

    #[test]
    fn an_array_is_no_object_and_a_wrong_type_names_its_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Profile {
            locale: Option<String>,
            time_zone: Option<String>,
        }
        let refused = from_json::<Profile>(br#"["en","Europe/Paris"]"#).unwrap_err();
        assert!(
            matches!(&refused, ApiError::Malformed(why) if why.contains("JSON object")),
            "{refused:?}"
        );
        let refused = from_json::<Profile>(br#"{"locale": 5}"#).unwrap_err();
        let ApiError::WrongTypes(fields) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(fields[0].field, "locale");
        assert!(from_json::<Profile>(br#"{"locale": "en"}"#).is_ok());
        assert!(
            from_json::<Vec<String>>(br#"["a"]"#).is_ok(),
            "a list body stays a list"
        );
    }
}
