use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::api::views::{List, OrganizationView};
use crate::api::{ApiQuery, ListQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::state::AppState;
use madoguchi_app::admin::{self, OrganizationInput};

/// Lists organizations, oldest first.
#[utoipa::path(get, path = "/api/v1/admin/organizations", tag = "admin", params(ListQuery),
    responses((status = 200, body = List<OrganizationView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    query: ApiQuery<ListQuery>,
) -> Result<Json<List<OrganizationView>>, ApiError> {
    let page = query.page()?;
    let found = admin::organizations(&state.store, &actor, None, &page).await?;
    Ok(Json(List::from_page(found, OrganizationView::from)))
}

/// Creates one.
#[utoipa::path(post, path = "/api/v1/admin/organizations", tag = "admin", request_body = OrganizationInput,
    responses((status = 201, body = OrganizationView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> Result<(StatusCode, Json<OrganizationView>), ApiError> {
    let created = admin::create_organization(&state.store, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Reads one.
#[utoipa::path(get, path = "/api/v1/admin/organizations/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = OrganizationView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<OrganizationView>, ApiError> {
    Ok(Json(
        admin::organization(&state.store, &actor, &id).await?.into(),
    ))
}

/// Changes the fields given.
#[utoipa::path(patch, path = "/api/v1/admin/organizations/{id}", tag = "admin", params(("id" = String, Path)), request_body = OrganizationInput,
    responses((status = 200, body = OrganizationView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> Result<Json<OrganizationView>, ApiError> {
    Ok(Json(
        admin::rename_organization(&state.store, &actor, &id, &input)
            .await?
            .into(),
    ))
}

/// Deletes one.
#[utoipa::path(delete, path = "/api/v1/admin/organizations/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::delete_organization(&state.store, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
