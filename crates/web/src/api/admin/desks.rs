//! `/api/v1/admin/desks/{desk}/members…`: who works which desk.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use madoguchi_core::Desk;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::views::List;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use madoguchi_app::desk_members;

/// An agent of a desk.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeskMemberView {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// A desk named in a path: an unknown one is a missing resource.
fn desk(code: &str) -> Result<Desk, ApiError> {
    Desk::parse(code).map_err(|_| ApiError::NotFound)
}

/// The desk's agents, by name.
#[utoipa::path(get, path = "/api/v1/admin/desks/{desk}/members", tag = "admin", params(("desk" = String, Path)),
    responses((status = 200, body = List<DeskMemberView>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(code): Path<String>,
) -> Result<Json<List<DeskMemberView>>, ApiError> {
    let members = desk_members::members(&state.store, &actor, desk(&code)?).await?;
    Ok(Json(List::all(
        members
            .into_iter()
            .map(|p| DeskMemberView {
                id: p.id,
                name: p.name,
                email: p.email,
            })
            .collect(),
    )))
}

/// Adds an agent to the desk (again is fine); anyone but an agent answers 422.
#[utoipa::path(put, path = "/api/v1/admin/desks/{desk}/members/{user_id}", tag = "admin",
    params(("desk" = String, Path), ("user_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path((code, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    desk_members::add(&state.store, &actor, desk(&code)?, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes an agent off the desk.
#[utoipa::path(delete, path = "/api/v1/admin/desks/{desk}/members/{user_id}", tag = "admin",
    params(("desk" = String, Path), ("user_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path((code, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    desk_members::remove(&state.store, &actor, desk(&code)?, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
