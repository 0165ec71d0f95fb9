//! Call attempts on callback tickets (SPEC §6), and what the callback panel shows: when the
//! first call is due and every call made.

use jiff::Timestamp;
use madoguchi_core::callback::{CallbackAttempt, NewCallbackAttempt};
use madoguchi_core::event::EventKind;
use madoguchi_core::status::TransitionError;
use madoguchi_core::{CallbackOutcome, Status};
use serde_json::json;
use sqlx::FromRow;

use crate::db::{Dialect, code, new_id, now, time};
use crate::events::append;
use crate::sla::{SlaChange, track};
use crate::tickets::ticket_by_id;
use crate::{Result, Store, StoreError};

/// The callback panel's record of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackLog {
    /// When the first call is due (the ticket's first-response due time, kept by the SLA
    /// clock); `None` until the clock sets it.
    pub due_at: Option<Timestamp>,
    /// Oldest first.
    pub attempts: Vec<CallbackAttempt>,
}

#[derive(FromRow)]
struct AttemptRow {
    id: String,
    ticket_id: String,
    agent_id: String,
    outcome: String,
    note: Option<String>,
    next_at: Option<i64>,
    created_at: i64,
}

impl AttemptRow {
    fn into_attempt(self) -> Result<CallbackAttempt> {
        Ok(CallbackAttempt {
            id: self.id,
            ticket_id: self.ticket_id,
            agent_id: self.agent_id,
            outcome: code(CallbackOutcome::parse(&self.outcome))?,
            note: self.note,
            next_at: self.next_at.map(time).transpose()?,
            created_at: time(self.created_at)?,
        })
    }
}

impl Store {
    /// Records a call made by `agent_id` on ticket `ticket_id`, with its `callback.attempted`
    /// event (public only when the customer was reached). A reached customer heard from
    /// support: that is a public response for the SLA, and the ticket's news. A closed ticket
    /// takes no more calls (`Transition(Closed)`).
    pub async fn add_callback_attempt(
        &self,
        ticket_id: &str,
        agent_id: &str,
        attempt: &NewCallbackAttempt,
    ) -> Result<CallbackAttempt> {
        let mut tx = self.begin().await?;
        let status: Option<String> = match self.dialect() {
            Dialect::Postgres => {
                sqlx::query_scalar("SELECT status FROM tickets WHERE id = $1 FOR UPDATE")
                    .bind(ticket_id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            Dialect::Sqlite => {
                sqlx::query_scalar("SELECT status FROM tickets WHERE id = $1")
                    .bind(ticket_id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        if code(Status::parse(&status.ok_or(StoreError::NotFound)?))? == Status::Closed {
            return Err(StoreError::Transition(TransitionError::Closed));
        }
        let id = new_id();
        let at = now();
        sqlx::query(
            "INSERT INTO callback_attempts (id, ticket_id, agent_id, outcome, note, next_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(ticket_id)
        .bind(agent_id)
        .bind(attempt.outcome.code())
        .bind(attempt.note.as_deref())
        .bind(attempt.next_at.map(|t| t.as_microsecond()))
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let public = attempt.is_public();
        if public {
            sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2")
                .bind(at)
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
            track(&mut tx, ticket_id, SlaChange::PublicAgentReply, at).await?;
        }
        let ticket = ticket_by_id(&mut tx, ticket_id).await?;
        let mut data = json!({
            "key": ticket.key.to_string(),
            "attempt_id": id,
            "outcome": attempt.outcome,
            "changes": {},
            "public": public,
        });
        if let Some(next) = attempt.next_at {
            data["next_at"] = json!(next.to_string());
        }
        append(
            &mut tx,
            EventKind::CallbackAttempted,
            Some(agent_id),
            ticket_id,
            Some(&ticket.organization_id),
            data,
        )
        .await?;
        tx.commit().await?;
        Ok(CallbackAttempt {
            id,
            ticket_id: ticket_id.to_owned(),
            agent_id: agent_id.to_owned(),
            outcome: attempt.outcome,
            note: attempt.note.clone(),
            next_at: attempt.next_at,
            created_at: time(at)?,
        })
    }

    /// The callback panel of ticket `ticket_id`: the first call's due time and every attempt,
    /// oldest first. The caller has checked that the reader is support.
    pub async fn callback_log(&self, ticket_id: &str) -> Result<CallbackLog> {
        let due_at: Option<Option<i64>> =
            sqlx::query_scalar("SELECT sla_first_response_due_at FROM tickets WHERE id = $1")
                .bind(ticket_id)
                .fetch_optional(&self.read)
                .await?;
        let due_at = due_at.ok_or(StoreError::NotFound)?;
        let rows: Vec<AttemptRow> = sqlx::query_as(
            "SELECT id, ticket_id, agent_id, outcome, note, next_at, created_at
             FROM callback_attempts WHERE ticket_id = $1 ORDER BY id",
        )
        .bind(ticket_id)
        .fetch_all(&self.read)
        .await?;
        Ok(CallbackLog {
            due_at: due_at.map(time).transpose()?,
            attempts: rows
                .into_iter()
                .map(AttemptRow::into_attempt)
                .collect::<Result<_>>()?,
        })
    }
}
