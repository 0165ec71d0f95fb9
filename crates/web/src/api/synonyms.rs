//! The synonym dictionary in the API: `GET/POST /api/v1/synonyms`,
//! `PUT/DELETE /api/v1/synonyms/{id}`. Agents and admins only; a customer gets 404. An edit
//! applies to the next search, without a rebuild.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use madoguchi_app::synonyms::{self, SynonymInput};
use madoguchi_store::SynonymGroup;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::views::List;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::state::AppState;

/// A group of words search treats as one: `{id, phrases}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SynonymGroupView {
    pub id: String,
    pub phrases: Vec<String>,
}

impl From<SynonymGroup> for SynonymGroupView {
    fn from(g: SynonymGroup) -> Self {
        SynonymGroupView {
            id: g.id,
            phrases: g.phrases,
        }
    }
}

/// Every synonym group.
#[utoipa::path(get, path = "/api/v1/synonyms", tag = "search",
    responses((status = 200, body = List<SynonymGroupView>), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
) -> Result<Json<List<SynonymGroupView>>, ApiError> {
    let groups = synonyms::list(&state.store, &user).await?;
    Ok(Json(List::all(
        groups.into_iter().map(SynonymGroupView::from).collect(),
    )))
}

/// Adds a group of two or more phrases.
#[utoipa::path(post, path = "/api/v1/synonyms", tag = "search", request_body = SynonymInput,
    responses((status = 201, body = SynonymGroupView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    ApiJson(input): ApiJson<SynonymInput>,
) -> Result<(StatusCode, Json<SynonymGroupView>), ApiError> {
    let group = synonyms::save(&state.store, &state.search, &user, None, &input).await?;
    Ok((StatusCode::CREATED, Json(group.into())))
}

/// Replaces a group's phrases.
#[utoipa::path(put, path = "/api/v1/synonyms/{id}", tag = "search", params(("id" = String, Path)),
    request_body = SynonymInput,
    responses((status = 200, body = SynonymGroupView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SynonymInput>,
) -> Result<Json<SynonymGroupView>, ApiError> {
    let group = synonyms::save(&state.store, &state.search, &user, Some(&id), &input).await?;
    Ok(Json(group.into()))
}

#[utoipa::path(delete, path = "/api/v1/synonyms/{id}", tag = "search", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    synonyms::delete(&state.store, &state.search, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
