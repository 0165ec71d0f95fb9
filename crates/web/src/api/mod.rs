//! The JSON API under `/api/v1` (SPEC §8), described by the OpenAPI document at
//! `/api/openapi.json`. One module per resource; each declares its routes here.

pub mod admin;
mod canned_replies;
mod desk;
mod knowledge;
mod me;
pub(crate) mod merge_callbacks_satisfaction;
pub(crate) mod notify;
pub(crate) mod queues;
mod reports;
mod synonyms;
pub(crate) mod tickets;
pub mod views;

use axum_extra::extract::WithRejection;
use madoguchi_store::{Cursor, PageRequest};
use serde::Deserialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::AppState;

/// A query string whose failures are problem+json.
pub type ApiQuery<T> = WithRejection<axum::extract::Query<T>, ApiError>;

/// Paging and filters that lists share.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only records of this organization.
    pub organization_id: Option<String>,
    /// Users only: only this role.
    pub role: Option<String>,
    /// Permissions only: only this user's.
    pub user_id: Option<String>,
}

impl ListQuery {
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(text) => Some(Cursor::parse(text).ok_or_else(|| {
                ApiError::Malformed(
                    "`cursor` is not one this API handed out; pass `next_cursor` as it came."
                        .into(),
                )
            })?),
            None => None,
        };
        PageRequest::new(self.limit, after).ok_or_else(|| {
            ApiError::Invalid(madoguchi_core::Invalid::one(
                "limit",
                madoguchi_core::Problem::Conflicts {
                    reason: "problem.limit_range",
                },
            ))
        })
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Madoguchi API", description = "The support ticket system's JSON API. Errors are application/problem+json."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(crate::error::Problem, crate::error::ProblemField))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The last touches of the gathered OpenAPI document, so that it validates as OpenAPI 3.1 and
/// says what the server does: every response has a description (its status's reason when the
/// annotation gave none), every operation a unique `operationId` (a handler's name, followed by
/// its path's words where two handlers share it: `list_admin_desks_members`), and error answers the media type they are sent
/// with, `application/problem+json`.
pub fn finish_document(openapi: &mut utoipa::openapi::OpenApi) {
    use std::collections::HashMap;
    use utoipa::openapi::RefOr;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in openapi.paths.paths.values() {
        for op in path_operations(item) {
            if let Some(id) = &op.operation_id {
                *seen.entry(id.clone()).or_default() += 1;
            }
        }
    }
    for (path, item) in openapi.paths.paths.iter_mut() {
        for op in path_operations_mut(item) {
            if let Some(id) = op.operation_id.clone()
                && seen.get(&id).copied().unwrap_or(0) > 1
            {
                op.operation_id = Some(format!("{id}_{}", path_words(path)));
            }
            for (code, response) in op.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                let status = code
                    .parse::<u16>()
                    .ok()
                    .and_then(|c| axum::http::StatusCode::from_u16(c).ok());
                if response.description.is_empty() {
                    response.description = status
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("Answer")
                        .to_owned();
                }
                if status.is_some_and(|s| s.is_client_error() || s.is_server_error())
                    && let Some(content) = response.content.shift_remove("application/json")
                {
                    response
                        .content
                        .insert("application/problem+json".to_owned(), content);
                }
            }
        }
    }
}

/// The words of an API path without its parameters: `/api/v1/admin/desks/{desk}/members` →
/// `admin_desks_members`.
fn path_words(path: &str) -> String {
    path.trim_start_matches("/api/v1/")
        .split('/')
        .filter(|w| !w.is_empty() && !w.starts_with('{'))
        .map(|w| w.replace('-', "_"))
        .collect::<Vec<_>>()
        .join("_")
}

fn path_operations(
    item: &utoipa::openapi::path::PathItem,
) -> Vec<&utoipa::openapi::path::Operation> {
    [&item.get, &item.put, &item.post, &item.delete, &item.patch]
        .into_iter()
        .flatten()
        .collect()
}

fn path_operations_mut(
    item: &mut utoipa::openapi::path::PathItem,
) -> Vec<&mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every API route, with the OpenAPI document gathered from their annotations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::me, me::update_me))
        .routes(routes!(me::list_tokens, me::create_token))
        .routes(routes!(me::revoke_token))
        .routes(routes!(knowledge::suggest, knowledge::suggest_posted))
        .routes(routes!(knowledge::deflect))
        .routes(routes!(knowledge::list, knowledge::create))
        .routes(routes!(
            knowledge::get,
            knowledge::update,
            knowledge::delete
        ))
        .routes(routes!(tickets::categories))
        .routes(routes!(tickets::service_menus))
        .routes(routes!(tickets::list, tickets::file))
        // The desks' queues and bulk changes (before `/tickets/{key}`, which `bulk` would
        // otherwise look like).
        .routes(routes!(queues::list))
        .routes(routes!(queues::queue))
        .routes(routes!(queues::bulk))
        .routes(routes!(tickets::get, tickets::update))
        .routes(routes!(tickets::reply))
        .routes(routes!(tickets::close))
        .routes(routes!(desk::history))
        .routes(routes!(tickets::download))
        .routes(routes!(merge_callbacks_satisfaction::merge))
        .routes(routes!(
            merge_callbacks_satisfaction::record_callback_attempt
        ))
        .routes(routes!(merge_callbacks_satisfaction::rate))
        .merge(
            // Uploads stream to disk and stop at the attachment size limit themselves.
            OpenApiRouter::new()
                .routes(routes!(tickets::upload))
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .routes(routes!(synonyms::list, synonyms::create))
        .routes(routes!(synonyms::update, synonyms::delete))
        .routes(routes!(canned_replies::list, canned_replies::create))
        .routes(routes!(
            canned_replies::get,
            canned_replies::update,
            canned_replies::delete
        ))
        .routes(routes!(canned_replies::render))
        .routes(routes!(reports::report))
        .routes(routes!(
            notify::get_notifications,
            notify::put_notifications
        ))
        .routes(routes!(notify::inbound_mail))
        .routes(routes!(notify::outbox))
        .routes(routes!(notify::retry))
        .routes(routes!(notify::list_webhooks, notify::create_webhook))
        .routes(routes!(
            notify::get_webhook,
            notify::update_webhook,
            notify::delete_webhook
        ))
        .routes(routes!(notify::deliveries))
        .routes(routes!(notify::replay))
        .routes(routes!(notify::get_desk_email, notify::put_desk_email))
        .merge(admin::router())
}
