//! `POST /api/v1/admin/import`: onboarding in bulk from a CSV body (`docs/IMPORT.md`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use madoguchi_app::import::{self, ImportReport};
use madoguchi_core::Locale;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiQuery;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem, ProblemField};
use crate::i18n;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Only check the file and report what it would add; write nothing.
    pub dry_run: Option<bool>,
}

/// How many records of each kind the file adds (or would add).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportCountsView {
    pub organizations: usize,
    pub tenants: usize,
    pub contracts: usize,
    pub users: usize,
    pub permissions: usize,
}

/// One problem of the file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportErrorView {
    /// The file's line (1 is the header).
    pub line: u64,
    /// The column.
    pub field: String,
    pub message: String,
}

/// What an import did, or (a dry run) would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    pub dry_run: bool,
    /// True only when the file was written.
    pub imported: bool,
    pub counts: ImportCountsView,
    /// Every problem, by line; when there is one, nothing was written.
    pub errors: Vec<ImportErrorView>,
}

/// API wording is English, as for every problem.
const API_LOCALE: Locale = Locale::En;

impl From<ImportReport> for ImportView {
    fn from(r: ImportReport) -> Self {
        ImportView {
            dry_run: r.dry_run,
            imported: r.imported,
            counts: ImportCountsView {
                organizations: r.counts.organizations,
                tenants: r.counts.tenants,
                contracts: r.counts.contracts,
                users: r.counts.users,
                permissions: r.counts.permissions,
            },
            errors: r
                .errors
                .iter()
                .map(|e| ImportErrorView {
                    line: e.line,
                    field: e.field.clone(),
                    message: i18n::problem(API_LOCALE, &e.problem),
                })
                .collect(),
        }
    }
}

/// Imports organizations, tenants, contracts, users and ticket permissions from a CSV file,
/// all in one transaction. A file with problems answers 422 naming every one of them by line
/// and column (`errors[].line`), and writes nothing; `?dry_run=true` answers 200 with what the
/// file would add and its problems, writing nothing.
#[utoipa::path(post, path = "/api/v1/admin/import", tag = "admin", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportView, description = "Imported"),
        (status = 200, body = ImportView, description = "Dry run: what would be imported, and every problem"),
        (status = 403, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem, description = "Problems in the file, by line; nothing was written")))]
pub async fn import(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    query: ApiQuery<ImportQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|_| {
        ApiError::TooLarge(format!(
            "The file is larger than {} MiB; split it into several imports.",
            import::FILE_MAX_BYTES / (1024 * 1024)
        ))
    })?;
    let dry_run = query.dry_run.unwrap_or(false);
    let report = import::import(&state.store, &actor, &body, dry_run).await?;
    if report.imported {
        return Ok((StatusCode::CREATED, Json(ImportView::from(report))).into_response());
    }
    if dry_run {
        return Ok(Json(ImportView::from(report)).into_response());
    }
    Err(refused(report))
}

/// A file with problems: 422, each problem with its line.
fn refused(report: ImportReport) -> ApiError {
    ApiError::InvalidRows(
        report
            .errors
            .iter()
            .map(|e| ProblemField {
                field: e.field.clone(),
                message: i18n::problem(API_LOCALE, &e.problem),
                line: Some(e.line),
            })
            .collect(),
    )
}
