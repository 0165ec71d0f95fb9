use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::api::views::{List, TokenView};
use crate::auth::ApiCaller;
use crate::error::{ApiError, OptionalApiJson, Problem};
use crate::state::AppState;
use madoguchi_app::admin::{self, AdminTokenInput};

/// A user's API tokens, newest first, without their secrets.
#[utoipa::path(get, path = "/api/v1/admin/users/{id}/tokens", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = List<TokenView>), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<List<TokenView>>, ApiError> {
    let tokens = admin::tokens(&state.store, &actor, &id).await?;
    Ok(Json(List::all(
        tokens.into_iter().map(TokenView::from).collect(),
    )))
}

/// Issues a new API token for the user, optionally named and with an expiry (no body: named
/// `admin-issued`, no expiry); its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/tokens", tag = "admin", params(("id" = String, Path)),
    request_body(content = AdminTokenInput, description = "optional"),
    responses((status = 201, body = TokenView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    OptionalApiJson(input): OptionalApiJson<AdminTokenInput>,
) -> Result<(StatusCode, Json<TokenView>), ApiError> {
    let issued = admin::create_token(&state.store, &actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}

/// Revokes one of the user's tokens.
#[utoipa::path(delete, path = "/api/v1/admin/users/{id}/tokens/{token_id}", tag = "admin",
    params(("id" = String, Path), ("token_id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path((id, token_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    admin::revoke_token(&state.store, &actor, &id, &token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
