//! `GET /api/v1/admin/events` (the audit log, SPEC §8) and its export as JSON lines.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use madoguchi_app::audit::{self, AuditQuery};
use madoguchi_core::audit::{AuditScope, shows_actor_email};
use madoguchi_store::{AuditEvent, AuditFilter, PageRequest, Store};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;

use crate::api::views::rfc3339;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Who did it; `name` and `email` are `null` once the user is deleted, and a customer admin
/// is not shown staff addresses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOrganizationView {
    pub id: String,
    /// `null` once the organization is deleted.
    pub name: Option<String>,
}

/// One event of the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    /// The event code, e.g. `permission.granted`, `session.created`, `user.sign_in_failed`.
    pub kind: String,
    /// `null` for the system (jobs, incoming mail).
    pub actor: Option<ActorView>,
    pub organization: Option<EventOrganizationView>,
    /// The id of the record the event is about (a ticket, a user, a contract…).
    pub subject: String,
    pub occurred_at: String,
    /// What changed, as the log recorded it (never a password, a token or a note's text).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
    pub next_cursor: Option<String>,
}

pub(crate) fn event_view(scope: &AuditScope, e: &AuditEvent) -> EventView {
    EventView {
        id: e.event.id.to_string(),
        kind: e.event.kind.clone(),
        actor: e.actor.as_ref().map(|a| ActorView {
            id: a.id.clone(),
            name: a.name.clone(),
            email: a.email.clone().filter(|_| shows_actor_email(scope, a.role)),
        }),
        organization: e
            .event
            .organization_id
            .as_ref()
            .map(|id| EventOrganizationView {
                id: id.clone(),
                name: e.organization_name.clone(),
            }),
        subject: e.event.subject_id.clone(),
        occurred_at: rfc3339(e.event.occurred_at),
        data: e.event.data.clone(),
    }
}

/// Rows read per statement while exporting: the largest page.
const EXPORT_PAGE: u32 = 200;

fn query(raw: Option<String>) -> Result<AuditQuery, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::Malformed(format!("the query string cannot be read: {e}")))?;
    Ok(AuditQuery::from_pairs(pairs))
}

/// The audit log, newest first: admins see every event, a customer admin their
/// organization's customer-side events (another organization answers an empty list);
/// customers and agents are refused.
#[utoipa::path(get, path = "/api/v1/admin/events", tag = "admin", params(AuditQuery),
    responses((status = 200, body = EventList), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    RawQuery(raw): RawQuery,
) -> Result<Json<EventList>, ApiError> {
    let query = query(raw)?;
    let scope = audit::scope(&user)?;
    let page = audit::events(&state.store, &user, &query).await?;
    Ok(Json(EventList {
        items: page.items.iter().map(|e| event_view(&scope, e)).collect(),
        next_cursor: page.next_cursor.map(|c| c.as_str()),
    }))
}

/// Every event of the filters as JSON lines (`application/x-ndjson`), newest first, one
/// event per line in the shape of the list's items; `cursor` and `limit` are ignored.
#[utoipa::path(get, path = "/api/v1/admin/events/export", tag = "admin", params(AuditQuery),
    responses((status = 200, content_type = "application/x-ndjson", body = EventView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut query = query(raw)?;
    query.cursor = None;
    query.limit = None;
    let scope = audit::scope(&user)?;
    let (filter, _) = query.parse(&user, scope.clone())?;
    // The first page is read before answering, so that a refusal is still a problem+json.
    let page = PageRequest::new(Some(EXPORT_PAGE), None).unwrap_or_default();
    let first = audit::page_of(&state.store, &filter, &page).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        ndjson(state.store.clone(), scope, filter, first),
    )
        .into_response())
}

/// Streams the pages as they are read, so a long log is never held whole in memory.
fn ndjson(
    store: Store,
    scope: AuditScope,
    filter: AuditFilter,
    first: madoguchi_store::Page<AuditEvent>,
) -> Body {
    let (mut writer, reader) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        let mut page = first;
        loop {
            let mut lines = String::new();
            for e in &page.items {
                match serde_json::to_string(&event_view(&scope, e)) {
                    Ok(line) => {
                        lines.push_str(&line);
                        lines.push('\n');
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "audit export: an event did not serialize")
                    }
                }
            }
            if writer.write_all(lines.as_bytes()).await.is_err() {
                return; // The client went away.
            }
            let Some(next) = page.next_cursor.take() else {
                break;
            };
            let request = PageRequest::new(Some(EXPORT_PAGE), Some(next)).unwrap_or_default();
            page = match audit::page_of(&store, &filter, &request).await {
                Ok(p) => p,
                Err(err) => {
                    // The answer has begun: all that can be done is to end it short and log why.
                    tracing::error!(error = %err, "audit export stopped");
                    return;
                }
            };
        }
        let _ = writer.shutdown().await;
    });
    Body::from_stream(tokio_util::io::ReaderStream::new(reader))
}
