//! Canned replies in the API (SPEC §8): `GET/POST /api/v1/canned-replies`,
//! `GET/PUT/DELETE /api/v1/canned-replies/{id}`, and `…/{id}/render?ticket=KEY`, which fills
//! the placeholders for one ticket. Agents and admins only; a customer gets 404 everywhere.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use madoguchi_app::canned_replies::{self, CannedReplyInput};
use madoguchi_store::CannedReply;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::ApiQuery;
use crate::api::views::{List, rfc3339};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::state::AppState;

/// A canned reply: `{id, title, body, desk?}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CannedReplyView {
    pub id: String,
    pub title: String,
    /// The text with its placeholders, as written.
    pub body: String,
    /// `general` or `premium` when the desk shares it; `null` for a personal reply.
    pub desk: Option<String>,
    /// The agent whose personal reply it is; `null` for a shared one.
    pub owner_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<CannedReply> for CannedReplyView {
    fn from(r: CannedReply) -> Self {
        CannedReplyView {
            id: r.id,
            title: r.title,
            body: r.body,
            desk: r.desk.map(|d| d.code().to_owned()),
            owner_id: r.owner_id,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

/// The caller's canned replies and their desks' (an admin's: all), personal ones first.
#[utoipa::path(get, path = "/api/v1/canned-replies", tag = "canned replies",
    responses((status = 200, body = List<CannedReplyView>), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
) -> Result<Json<List<CannedReplyView>>, ApiError> {
    let replies = canned_replies::list(&state.store, &user).await?;
    Ok(Json(List::all(
        replies.into_iter().map(CannedReplyView::from).collect(),
    )))
}

/// Writes a canned reply: your own, or shared with one of your desks (`desk`).
#[utoipa::path(post, path = "/api/v1/canned-replies", tag = "canned replies", request_body = CannedReplyInput,
    responses((status = 201, body = CannedReplyView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    ApiJson(input): ApiJson<CannedReplyInput>,
) -> Result<(StatusCode, Json<CannedReplyView>), ApiError> {
    let reply = canned_replies::create(&state.store, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(reply.into())))
}

#[utoipa::path(get, path = "/api/v1/canned-replies/{id}", tag = "canned replies", params(("id" = String, Path)),
    responses((status = 200, body = CannedReplyView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<CannedReplyView>, ApiError> {
    Ok(Json(
        canned_replies::get(&state.store, &user, &id).await?.into(),
    ))
}

/// Replaces a canned reply you see: `desk` absent or `null` makes it personal.
#[utoipa::path(put, path = "/api/v1/canned-replies/{id}", tag = "canned replies", params(("id" = String, Path)),
    request_body = CannedReplyInput,
    responses((status = 200, body = CannedReplyView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CannedReplyInput>,
) -> Result<Json<CannedReplyView>, ApiError> {
    Ok(Json(
        canned_replies::update(&state.store, &user, &id, &input)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/canned-replies/{id}", tag = "canned replies", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    canned_replies::delete(&state.store, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/canned-replies/{id}/render`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RenderQuery {
    /// The key of the ticket the reply is for, e.g. `SD-1042`.
    #[param(required = true, example = "SD-1042")]
    pub ticket: Option<String>,
}

/// A canned reply filled for one ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenderedView {
    /// The text with `{customer_name}`, `{ticket_key}` and `{agent_name}` (and their Japanese
    /// forms) filled in; unknown placeholders stay as written.
    pub body: String,
}

/// Fills a canned reply's placeholders for a ticket you may see (404 otherwise).
#[utoipa::path(get, path = "/api/v1/canned-replies/{id}/render", tag = "canned replies",
    params(("id" = String, Path), RenderQuery),
    responses((status = 200, body = RenderedView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn render(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
    query: ApiQuery<RenderQuery>,
) -> Result<Json<RenderedView>, ApiError> {
    let Some(ticket) = query.ticket.as_deref().filter(|t| !t.trim().is_empty()) else {
        return Err(ApiError::Invalid(madoguchi_core::Invalid::one(
            "ticket",
            madoguchi_core::Problem::Required,
        )));
    };
    let body = canned_replies::render(&state.store, &user, &id, ticket).await?;
    Ok(Json(RenderedView { body }))
}
