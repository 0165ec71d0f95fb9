//! The callback panel (SPEC §6): for tickets whose type asks to be called back, the agents
//! record each call and its outcome, and see when the first call is due.

use jiff::Timestamp;
use madoguchi_core::callback::{CallbackAttempt, RawCallbackAttempt, check_attempt};
use madoguchi_core::model::User;
use madoguchi_core::status::TransitionError;
use madoguchi_core::ticket::Ticket;
use madoguchi_core::values::TicketKey;
use madoguchi_core::{Invalid, Problem, Status, TicketChannel};
use madoguchi_store::{CallbackLog, Store, StoreError, Viewer};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::tickets::time_zone;
use crate::{ServiceError, ServiceResult};

/// `POST /api/v1/tickets/{key}/callback-attempts`.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct CallbackAttemptInput {
    /// `reached`, `no_answer`, `voicemail` or `rescheduled`.
    #[schema(required = true, example = "no_answer")]
    pub outcome: Option<String>,
    /// What was said or tried (at most 2,000 characters).
    pub note: Option<String>,
    /// For `rescheduled` only, and required there: when to call again, in the future (RFC 3339).
    pub next_at: Option<String>,
}

/// Is `ticket` of a type whose channel is `callback`?
async fn is_callback(store: &Store, ticket: &Ticket) -> ServiceResult<bool> {
    let types = store.ticket_types().await?;
    Ok(types
        .iter()
        .find(|t| t.code == ticket.ticket_type)
        .is_some_and(|t| t.channel == TicketChannel::Callback))
}

fn conflict(field: &str, reason: &'static str) -> ServiceError {
    ServiceError::Conflict(Invalid::one(field, Problem::Conflicts { reason }))
}

/// Records a call on ticket `key` by `user` (support only).
pub async fn record(
    store: &Store,
    user: &User,
    key: TicketKey,
    input: &CallbackAttemptInput,
) -> ServiceResult<CallbackAttempt> {
    let ticket = store.ticket(Viewer::of(user), key).await?;
    if user.role.is_customer() {
        return Err(ServiceError::Forbidden(
            "only agents record callback attempts".into(),
        ));
    }
    if !is_callback(store, &ticket).await? {
        return Err(conflict("ticket_type", "problem.not_a_callback_ticket"));
    }
    if ticket.status == Status::Closed {
        return Err(conflict("status", "problem.ticket_closed"));
    }
    let attempt = check_attempt(
        &RawCallbackAttempt {
            outcome: input.outcome.as_deref(),
            note: input.note.as_deref(),
            next_at: input.next_at.as_deref(),
        },
        &time_zone(user),
        Timestamp::now(),
    )?;
    store
        .add_callback_attempt(&ticket.id, &user.id, &attempt)
        .await
        .map_err(|e| match e {
            StoreError::Transition(TransitionError::Closed) => {
                conflict("status", "problem.ticket_closed")
            }
            other => other.into(),
        })
}

/// The callback panel of `ticket` for `user`: `None` for customers and for tickets that are
/// not callback requests.
pub async fn log_for(
    store: &Store,
    user: &User,
    ticket: &Ticket,
) -> ServiceResult<Option<CallbackLog>> {
    if user.role.is_customer() || !is_callback(store, ticket).await? {
        return Ok(None);
    }
    Ok(Some(store.callback_log(&ticket.id).await?))
}
