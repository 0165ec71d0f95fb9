use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::views::{List, PermissionView};
use crate::api::{ApiQuery, ListQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::state::AppState;
use madoguchi_app::admin::{self, PermissionInput};

/// The ticket permissions held: all of them for admins, their organization's for customer
/// admins. Filter by `organization_id` and `user_id`.
#[utoipa::path(get, path = "/api/v1/admin/permissions", tag = "admin", params(ListQuery),
    responses((status = 200, body = List<PermissionView>), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    query: ApiQuery<ListQuery>,
) -> Result<Json<List<PermissionView>>, ApiError> {
    let page = query.page()?;
    let held = admin::permissions(
        &state.store,
        &actor,
        query.organization_id.as_deref(),
        query.user_id.as_deref(),
        &page,
    )
    .await?;
    Ok(Json(List::from_page(held, PermissionView::from)))
}

/// Grants ticket permission on a contract, or changes the level held (チケット作成権限の付与).
#[utoipa::path(put, path = "/api/v1/admin/permissions", tag = "admin", request_body = PermissionInput,
    responses((status = 200, body = PermissionView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn grant(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<PermissionInput>,
) -> Result<Json<PermissionView>, ApiError> {
    Ok(Json(
        admin::grant_permission(&state.store, &actor, &input)
            .await?
            .into(),
    ))
}

/// Revokes a user's ticket permission on a contract.
#[utoipa::path(delete, path = "/api/v1/admin/permissions", tag = "admin", request_body = PermissionInput,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<PermissionInput>,
) -> Result<StatusCode, ApiError> {
    admin::revoke_permission(&state.store, &actor, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
