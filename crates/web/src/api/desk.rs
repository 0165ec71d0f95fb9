//! The ticket's history in the API (SPEC §8 "History item"): every change for staff, the
//! public part for customers.

use axum::Json;
use axum::extract::{Path, State};
use madoguchi_app::desk;
use madoguchi_app::tickets::parse_key;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::tickets::user_ref;
use crate::api::views::{UserRef, rfc3339};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// One change of a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItemView {
    pub at: String,
    /// Who made the change; `null` for the system (auto-close, SLA breaches).
    pub actor: Option<UserRef>,
    /// The event code, e.g. `ticket.status_changed`.
    pub kind: String,
    /// `{field: {from, to}}`; assignees are user ids, statuses, priorities and desks codes.
    #[schema(value_type = Object)]
    pub changes: serde_json::Map<String, serde_json::Value>,
    /// Whether customers see it.
    pub public: bool,
}

/// `GET /api/v1/tickets/{key}/history`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryView {
    pub items: Vec<HistoryItemView>,
}

/// The ticket's change timeline, oldest first: who, what, when, the old and new values.
/// Customers get its public part.
#[utoipa::path(get, path = "/api/v1/tickets/{key}/history", tag = "tickets", params(("key" = String, Path, example = "SD-1042")),
    responses((status = 200, body = HistoryView), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(key): Path<String>,
) -> Result<Json<HistoryView>, ApiError> {
    let history = desk::history(&state.store, &user, parse_key(&key)?).await?;
    let items = history
        .entries
        .iter()
        .map(|e| HistoryItemView {
            at: rfc3339(e.at),
            actor: e
                .actor_id
                .as_deref()
                .map(|id| user_ref(history.people.iter().find(|p| p.id == id), id, &user)),
            kind: e.kind.clone(),
            changes: e.changes.clone(),
            public: e.public,
        })
        .collect();
    Ok(Json(HistoryView { items }))
}
