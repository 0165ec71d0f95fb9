use axum::Json;
use axum::extract::State;

use crate::api::views::MeView;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::state::AppState;
use madoguchi_app::identity::{self, PreferencesInput};

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
