//! The outbox: messages someone must hear of, written in the transaction of their event.
//! Delivery (email, webhooks) reads it; nothing committed goes unannounced.

use jiff::Timestamp;
use serde_json::Value;
use sqlx::{AnyConnection, FromRow};

use crate::db::{now, time};
use crate::{Result, Store, StoreError};

/// One notification waiting to go out, or gone.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub id: i64,
    pub event_id: i64,
    pub kind: String,
    /// `desk:general`, `desk:premium`, or `user:<id>`.
    pub recipient: String,
    pub payload: Value,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

#[derive(FromRow)]
struct OutboxRow {
    id: i64,
    event_id: i64,
    kind: String,
    recipient: String,
    payload: String,
    created_at: i64,
    sent_at: Option<i64>,
}

/// Queues a notification in the caller's transaction.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    event_id: i64,
    kind: &str,
    recipient: &str,
    payload: Value,
) -> Result<()> {
    let at = now();
    sqlx::query(
        "INSERT INTO outbox (event_id, kind, recipient, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(event_id)
    .bind(kind)
    .bind(recipient)
    .bind(payload.to_string())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// The notifications an event queued, oldest first.
    pub async fn outbox_of(&self, event_id: i64) -> Result<Vec<OutboxEntry>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT id, event_id, kind, recipient, payload, created_at, sent_at FROM outbox WHERE event_id = $1 ORDER BY id",
        )
        .bind(event_id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(OutboxEntry {
                    id: r.id,
                    event_id: r.event_id,
                    kind: r.kind,
                    recipient: r.recipient,
                    payload: serde_json::from_str(&r.payload).map_err(StoreError::corrupt)?,
                    created_at: time(r.created_at)?,
                    sent_at: r.sent_at.map(time).transpose()?,
                })
            })
            .collect()
    }
}
