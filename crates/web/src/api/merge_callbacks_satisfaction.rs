//! The desk's follow-through on a ticket: merging a duplicate into the ticket that survives,
//! recording callback attempts, and the filer's rating of a closed ticket (SPEC §5–6).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use madoguchi_core::callback::CallbackAttempt;
use madoguchi_core::model::User;
use madoguchi_core::values::TicketKey;
use madoguchi_store::{CallbackLog, Person};

use crate::api::tickets::{detail_view, user_ref};
use crate::api::views::{CallbackAttemptView, CallbackView, TicketView, rfc3339};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::i18n;
use crate::state::AppState;
use madoguchi_app::callbacks::{self, CallbackAttemptInput};
use madoguchi_app::merge::{self, MergeInput};
use madoguchi_app::satisfaction::{self, RatingInput};
use madoguchi_app::{ServiceError, tickets};

/// One attempt as the API shows it; `people` names the agents.
pub(crate) fn attempt_view(
    a: &CallbackAttempt,
    people: &[Person],
    viewer: &User,
) -> CallbackAttemptView {
    CallbackAttemptView {
        id: a.id.clone(),
        outcome: a.outcome.code().to_owned(),
        outcome_name: i18n::text(
            viewer.locale,
            &format!("callback.outcome.{}", a.outcome.code()),
        )
        .to_owned(),
        note: a.note.clone(),
        next_at: a.next_at.map(rfc3339),
        agent: user_ref(
            people.iter().find(|p| p.id == a.agent_id),
            &a.agent_id,
            viewer,
        ),
        created_at: rfc3339(a.created_at),
    }
}

/// Adds the callback panel's record (agents only) to a ticket's `callback`.
pub(crate) fn fill_callback(
    callback: &mut CallbackView,
    log: &CallbackLog,
    people: &[Person],
    viewer: &User,
) {
    callback.due_at = log.due_at.map(rfc3339);
    callback.attempts = Some(
        log.attempts
            .iter()
            .map(|a| attempt_view(a, people, viewer))
            .collect(),
    );
}

async fn ticket_answer(
    state: &AppState,
    user: &User,
    key: TicketKey,
) -> Result<Json<TicketView>, ApiError> {
    let detail = tickets::detail(&state.store, user, key).await?;
    let types = state
        .store
        .ticket_types()
        .await
        .map_err(ServiceError::from)?;
    Ok(Json(detail_view(&detail, &types, user)))
}

/// Agents: merges this ticket, a duplicate, into another ticket of the same organization
/// (`into`). The duplicate closes with `merged_into`; both response logs say so; its customers
/// become participants of the survivor where they may view its contract. Answers the duplicate.
#[utoipa::path(post, path = "/api/v1/tickets/{key}/merge", tag = "tickets",
    params(("key" = String, Path, example = "SD-1042")), request_body = MergeInput,
    responses((status = 200, body = TicketView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "a ticket is closed or already merged (`merged_into` names where it went)", body = Problem),
        (status = 422, description = "`into` is missing, unknown, this ticket, or another organization's", body = Problem)))]
pub async fn merge(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<MergeInput>,
) -> Result<Json<TicketView>, ApiError> {
    let key = tickets::parse_key(&key)?;
    merge::merge(&state.store, &user, key, &input).await?;
    ticket_answer(&state, &user, key).await
}

/// Agents: records a call made for a callback ticket. `next_at` (RFC 3339, in the future) is
/// required for `rescheduled` and refused otherwise. A `reached` call shows in the customer's
/// response log and counts as support's response for the SLA.
#[utoipa::path(post, path = "/api/v1/tickets/{key}/callback-attempts", tag = "tickets",
    params(("key" = String, Path, example = "SD-1042")), request_body = CallbackAttemptInput,
    responses((status = 201, body = CallbackAttemptView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "not a callback ticket, or closed", body = Problem), (status = 422, body = Problem)))]
pub async fn record_callback_attempt(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<CallbackAttemptInput>,
) -> Result<(StatusCode, Json<CallbackAttemptView>), ApiError> {
    let key = tickets::parse_key(&key)?;
    let attempt = callbacks::record(&state.store, &user, key, &input).await?;
    let people = state
        .store
        .people(std::slice::from_ref(&user.id))
        .await
        .map_err(ServiceError::from)?;
    Ok((
        StatusCode::CREATED,
        Json(attempt_view(&attempt, &people, &user)),
    ))
}

/// The customer who filed a closed ticket rates it once: `rating` 1–5 and an optional
/// `comment`. Participants and support may not (403); an open or rated ticket is 409.
/// Answers the ticket with its `satisfaction`.
#[utoipa::path(post, path = "/api/v1/tickets/{key}/satisfaction", tag = "tickets",
    params(("key" = String, Path, example = "SD-1042")), request_body = RatingInput,
    responses((status = 200, body = TicketView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn rate(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<RatingInput>,
) -> Result<Json<TicketView>, ApiError> {
    let key = tickets::parse_key(&key)?;
    satisfaction::rate(&state.store, &user, key, &input).await?;
    ticket_answer(&state, &user, key).await
}
