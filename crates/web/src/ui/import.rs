//! `/admin/import`: onboarding in bulk from a CSV file on the console (admins). The page
//! explains the format; an upload (or a check only) answers on the same page with the counts,
//! or every problem by line and column.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use madoguchi_app::import::{self, ImportReport};
use madoguchi_store::Session;

use crate::auth::Browser;
use crate::error::PageError;
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::multipart_form::{self, Files, FormError};
use crate::ui::{Nav, csrf_failed, render, unless_admin};

/// One problem as the page lists it.
struct RowProblem {
    line: String,
    field: String,
    message: String,
}

/// What the page says after an upload.
struct Outcome {
    /// The banner: imported, would import, or refused.
    summary: String,
    /// Each kind's count, in words; shown when there are no problems.
    counts: Vec<String>,
    problems: Vec<RowProblem>,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    w: Words,
    nav: Nav,
    csrf: String,
    dry_run: bool,
    /// The form's own error (no file chosen, too large).
    file_error: Option<String>,
    outcome: Option<Outcome>,
    example: &'static str,
}

/// A small file that shows every kind of row: what the page offers to copy.
const EXAMPLE: &str = "record,organization,tenant_id,contract_number,email,name,product_line,contracting_corporation,plan,channel,partner_name,role,locale,level
organization,株式会社サンプル商事,,,,,,,,,,,,
tenant,株式会社サンプル商事,tenant-sample01,,,本番環境,,,,,,,,
contract,株式会社サンプル商事,,ECL-100001,,,Enterprise Cloud 2.0,Example Communications Corp.,premium,direct,,,,
user,株式会社サンプル商事,,,hanako@sample.example,山田 花子,,,,,,customer_admin,ja,
permission,,,ECL-100001,hanako@sample.example,,,,,,,,,edit";

fn page(
    session: &Session,
    dry_run: bool,
    file_error: Option<String>,
    outcome: Option<Outcome>,
) -> ImportPage {
    ImportPage {
        w: Words(session.user.locale),
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        dry_run,
        file_error,
        outcome,
        example: EXAMPLE,
    }
}

/// `GET /admin/import`.
pub async fn form(Browser(session): Browser) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    render(session.user.locale, page(&session, false, None, None))
}

fn outcome(locale: madoguchi_core::Locale, report: &ImportReport) -> Outcome {
    let count = |n: usize| vec![("count", n.to_string())];
    let summary = match (report.imported, report.errors.len()) {
        (true, _) => i18n::text(locale, "import.imported").to_owned(),
        (false, 0) => i18n::text(locale, "import.would_import").to_owned(),
        (false, n) if report.dry_run => {
            i18n::text_with(locale, "import.checked_with_errors", &count(n))
        }
        (false, n) => i18n::text_with(locale, "import.refused", &count(n)),
    };
    let c = &report.counts;
    let counts = [
        ("import.count_organizations", c.organizations),
        ("import.count_tenants", c.tenants),
        ("import.count_contracts", c.contracts),
        ("import.count_users", c.users),
        ("import.count_permissions", c.permissions),
    ]
    .into_iter()
    .map(|(key, n)| i18n::text_with(locale, key, &count(n)))
    .collect();
    let problems = report
        .errors
        .iter()
        .map(|e| RowProblem {
            line: i18n::text_with(locale, "import.line", &[("line", e.line.to_string())]),
            field: e.field.clone(),
            message: i18n::problem(locale, &e.problem),
        })
        .collect();
    Outcome {
        summary,
        counts,
        problems,
    }
}

/// `POST /admin/import` (multipart: `csrf`, `file`, `dry_run`).
pub async fn upload(
    State(state): State<AppState>,
    Browser(session): Browser,
    multipart: Multipart,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    let files = Files::InMemory {
        max: import::FILE_MAX_BYTES,
    };
    let form = match multipart_form::read_with(&state, &session, multipart, files).await {
        Ok(form) => form,
        Err(FormError::Csrf) => return csrf_failed(locale),
        Err(FormError::Malformed) => {
            return PageError {
                status: StatusCode::BAD_REQUEST,
                locale,
                message_key: "error.form",
            }
            .into_response();
        }
        Err(FormError::Internal) => return PageError::internal(locale).into_response(),
    };
    let dry_run = form.one("dry_run") == "yes";
    let refuse = |message: String| {
        let page = page(&session, dry_run, Some(message), None);
        (StatusCode::UNPROCESSABLE_ENTITY, render(locale, page)).into_response()
    };
    if let Some(too_large) = form.upload_errors.first() {
        return refuse(too_large.clone());
    }
    let Some((_, file)) = form.files.iter().find(|(name, _)| name == "file") else {
        return refuse(i18n::text(locale, "import.no_file").to_owned());
    };
    match import::import(&state.store, &session.user, file, dry_run).await {
        Ok(report) => {
            let status = if report.errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = page(&session, dry_run, None, Some(outcome(locale, &report)));
            (status, render(locale, page)).into_response()
        }
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}
