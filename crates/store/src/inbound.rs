//! The log of incoming email: one row per Message-ID, so that the same message delivered twice
//! is acted on once, and every refusal is kept with its reason.

use jiff::{SignedDuration, Timestamp};
use madoguchi_core::event::EventKind;
use serde_json::json;
use sqlx::FromRow;

use crate::db::{new_id, now, time};
use crate::events::append;
use crate::{Result, Store};

/// Whether this delivery is the first of its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundClaim {
    /// Ours to handle.
    New,
    /// Handled already (or being handled right now by another delivery).
    Duplicate,
}

/// One incoming email as the log keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMail {
    pub message_id: String,
    pub received_at: Timestamp,
    pub sender: String,
    pub subject: String,
    pub ticket_id: Option<String>,
    /// `processing`, `accepted`, `automatic` or `refused`.
    pub outcome: String,
    pub reason: Option<String>,
    pub added_message_id: Option<String>,
}

#[derive(FromRow)]
struct InboundRow {
    message_id: String,
    received_at: i64,
    sender: String,
    subject: String,
    ticket_id: Option<String>,
    outcome: String,
    reason: Option<String>,
    added_message_id: Option<String>,
}

/// A delivery that started handling a message and never finished (a crash) gives it up after
/// this: a later delivery handles it.
const STALE_PROCESSING: SignedDuration = SignedDuration::from_mins(10);

impl Store {
    /// Records that `message_id` arrived, unless it did before.
    pub async fn claim_inbound(
        &self,
        message_id: &str,
        sender: &str,
        subject: &str,
    ) -> Result<InboundClaim> {
        let at = now();
        let inserted = sqlx::query(
            "INSERT INTO inbound_mail (id, message_id, received_at, sender, subject, outcome)
             VALUES ($1, $2, $3, $4, $5, 'processing') ON CONFLICT (message_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(message_id)
        .bind(at)
        .bind(sender)
        .bind(subject)
        .execute(&self.write)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(InboundClaim::New);
        }
        let stale = at - STALE_PROCESSING.as_micros() as i64;
        let retaken = sqlx::query(
            "UPDATE inbound_mail SET received_at = $1
             WHERE message_id = $2 AND outcome = 'processing' AND received_at < $3",
        )
        .bind(at)
        .bind(message_id)
        .bind(stale)
        .execute(&self.write)
        .await?;
        Ok(if retaken.rows_affected() == 1 {
            InboundClaim::New
        } else {
            InboundClaim::Duplicate
        })
    }

    /// Gives a claim up (the database failed on the way): the MTA's retry handles it anew.
    pub async fn release_inbound(&self, message_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM inbound_mail WHERE message_id = $1 AND outcome = 'processing'")
            .bind(message_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Records what became of a message, with an event (`mail.received` or `mail.refused`) on
    /// its ticket, or on `mail` when it matched none; answers the event's id.
    pub async fn finish_inbound(
        &self,
        message_id: &str,
        ticket_id: Option<&str>,
        outcome: &str,
        reason: Option<&str>,
        added_message_id: Option<&str>,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE inbound_mail SET ticket_id = $1, outcome = $2, reason = $3, added_message_id = $4
             WHERE message_id = $5",
        )
        .bind(ticket_id)
        .bind(outcome)
        .bind(reason)
        .bind(added_message_id)
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
        let sender: Option<String> =
            sqlx::query_scalar("SELECT sender FROM inbound_mail WHERE message_id = $1")
                .bind(message_id)
                .fetch_optional(&mut *tx)
                .await?;
        let kind = if outcome == "refused" {
            EventKind::MailRefused
        } else {
            EventKind::MailReceived
        };
        let event = append(
            &mut tx,
            kind,
            None,
            ticket_id.unwrap_or("mail"),
            None,
            json!({
                "message_id": message_id, "sender": sender, "outcome": outcome,
                "reason": reason, "public": false,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(event)
    }

    /// The log, newest first (at most `limit`).
    pub async fn inbound_mail(&self, limit: i64) -> Result<Vec<InboundMail>> {
        let rows: Vec<InboundRow> = sqlx::query_as(
            "SELECT message_id, received_at, sender, subject, ticket_id, outcome, reason, added_message_id
             FROM inbound_mail ORDER BY received_at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(InboundMail {
                    received_at: time(r.received_at)?,
                    message_id: r.message_id,
                    sender: r.sender,
                    subject: r.subject,
                    ticket_id: r.ticket_id,
                    outcome: r.outcome,
                    reason: r.reason,
                    added_message_id: r.added_message_id,
                })
            })
            .collect()
    }
}
