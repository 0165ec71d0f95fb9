use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::api::views::{List, MeView, TokenView};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::state::AppState;
use madoguchi_app::identity::{self, PreferencesInput};
use madoguchi_app::tokens::{self, TokenInput};

/// The caller: who they are, their organization, and their ticket permission per contract.
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses((status = 200, body = MeView), (status = 401, body = Problem)))]
pub async fn me(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
) -> Result<Json<MeView>, ApiError> {
    Ok(Json(identity::profile(&state.store, &user).await?.into()))
}

/// Changes the caller's language or time zone.
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", request_body = PreferencesInput,
    responses((status = 200, body = MeView), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn update_me(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    ApiJson(input): ApiJson<PreferencesInput>,
) -> Result<Json<MeView>, ApiError> {
    let user = identity::set_preferences(&state.store, &user, &input).await?;
    Ok(Json(identity::profile(&state.store, &user).await?.into()))
}

/// The caller's API tokens, newest first, without their secrets.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me",
    responses((status = 200, body = List<TokenView>), (status = 401, body = Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
) -> Result<Json<List<TokenView>>, ApiError> {
    let mine = tokens::mine(&state.store, &user).await?;
    Ok(Json(List::all(
        mine.into_iter().map(TokenView::from).collect(),
    )))
}

/// Issues the caller a named token, optionally with an expiry; its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "me", request_body = TokenInput,
    responses((status = 201, body = TokenView), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    ApiJson(input): ApiJson<TokenInput>,
) -> Result<(StatusCode, Json<TokenView>), ApiError> {
    let issued = tokens::create(&state.store, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}

/// Revokes one of the caller's tokens; another user's answers 404.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "me", params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    tokens::revoke(&state.store, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
