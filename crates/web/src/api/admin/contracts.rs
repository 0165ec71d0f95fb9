use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::api::views::{ContractView, List};
use crate::api::{ApiQuery, ListQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::state::AppState;
use madoguchi_app::admin::{self, ContractInput};

/// Lists contracts, oldest first.
#[utoipa::path(get, path = "/api/v1/admin/contracts", tag = "admin", params(ListQuery),
    responses((status = 200, body = List<ContractView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    query: ApiQuery<ListQuery>,
) -> Result<Json<List<ContractView>>, ApiError> {
    let page = query.page()?;
    let found = admin::contracts(
        &state.store,
        &actor,
        query.organization_id.as_deref(),
        &page,
    )
    .await?;
    Ok(Json(List::from_page(found, ContractView::from)))
}

/// Creates one.
#[utoipa::path(post, path = "/api/v1/admin/contracts", tag = "admin", request_body = ContractInput,
    responses((status = 201, body = ContractView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<ContractInput>,
) -> Result<(StatusCode, Json<ContractView>), ApiError> {
    let created = admin::create_contract(&state.store, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Reads one.
#[utoipa::path(get, path = "/api/v1/admin/contracts/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = ContractView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ContractView>, ApiError> {
    Ok(Json(
        admin::contract(&state.store, &actor, &id).await?.into(),
    ))
}

/// Changes the fields given.
#[utoipa::path(patch, path = "/api/v1/admin/contracts/{id}", tag = "admin", params(("id" = String, Path)), request_body = ContractInput,
    responses((status = 200, body = ContractView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ContractInput>,
) -> Result<Json<ContractView>, ApiError> {
    Ok(Json(
        admin::update_contract(&state.store, &actor, &id, &input)
            .await?
            .into(),
    ))
}

/// Deletes one.
#[utoipa::path(delete, path = "/api/v1/admin/contracts/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::delete_contract(&state.store, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
