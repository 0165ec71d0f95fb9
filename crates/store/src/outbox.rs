//! The outbox: messages someone must hear of, written in the transaction of their event.
//! Delivery (email, webhooks) reads it; nothing committed goes unannounced.
//!
//! The worker claims due rows for a lease (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so that
//! several instances never take the same row), delivers them, and marks each sent, failed (to
//! retry later), parked (failed too often) or skipped (nobody to tell). A worker that dies
//! between sending and marking leaves its lease to run out: the row is sent again, with the
//! same Message-ID or webhook id, and never lost.

use jiff::{SignedDuration, Timestamp};
use madoguchi_core::notify::{Audience, Happening, audience, ticket_customers};
use madoguchi_core::ticket::Ticket;
use serde_json::Value;
use sqlx::{AnyConnection, FromRow};

use crate::db::{Dialect, now, time};
use crate::page::{Page, PageRequest};
use crate::{Result, Store, StoreError};

/// One notification waiting to go out, or gone.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub id: i64,
    pub event_id: i64,
    pub kind: String,
    /// `desk:general`, `desk:premium`, `user:<id>`, `email:<address>` or `webhook:<id>`.
    pub recipient: String,
    pub payload: Value,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub parked_at: Option<Timestamp>,
    pub skipped: Option<String>,
    pub last_error: Option<String>,
    /// The HTTP status of the last webhook attempt.
    pub last_status: Option<i64>,
}

impl OutboxEntry {
    /// `sent`, `skipped`, `parked` or `pending`.
    pub fn state(&self) -> &'static str {
        match (&self.sent_at, &self.skipped, &self.parked_at) {
            (Some(_), Some(_), _) => "skipped",
            (Some(_), None, _) => "sent",
            (None, _, Some(_)) => "parked",
            (None, _, None) => "pending",
        }
    }
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
    attempts: i64,
    next_attempt_at: i64,
    parked_at: Option<i64>,
    skipped: Option<String>,
    last_error: Option<String>,
    last_status: Option<i64>,
}

const COLUMNS: &str = "id, event_id, kind, recipient, payload, created_at, sent_at, attempts, next_attempt_at, parked_at, skipped, last_error, last_status";

impl OutboxRow {
    fn into_entry(self) -> Result<OutboxEntry> {
        Ok(OutboxEntry {
            id: self.id,
            event_id: self.event_id,
            kind: self.kind,
            recipient: self.recipient,
            payload: serde_json::from_str(&self.payload).map_err(StoreError::corrupt)?,
            created_at: time(self.created_at)?,
            sent_at: self.sent_at.map(time).transpose()?,
            attempts: self.attempts,
            next_attempt_at: time(self.next_attempt_at)?,
            parked_at: self.parked_at.map(time).transpose()?,
            skipped: self.skipped,
            last_error: self.last_error,
            last_status: self.last_status,
        })
    }
}

/// One delivery attempt, as the worker reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub at: Timestamp,
    pub ok: bool,
    pub status_code: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<String>,
}

/// What became of an attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AttemptOutcome {
    Sent,
    /// Failed; try again at this time.
    RetryAt(Timestamp),
    /// Failed too often: an admin retries it by hand.
    Park,
}

/// Which rows an admin lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    All,
    Pending,
    Parked,
    Sent,
    Skipped,
}

/// Queues a notification in the caller's transaction.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    event_id: i64,
    kind: &str,
    recipient: &str,
    payload: Value,
) -> Result<i64> {
    let at = now();
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (event_id, kind, recipient, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(event_id)
    .bind(kind)
    .bind(recipient)
    .bind(payload.to_string())
    .bind(at)
    .fetch_one(&mut *conn)
    .await?)
}

/// Queues the notifications of `happening` on `ticket` as `core::notify::audience` says:
/// one row per recipient, in the caller's transaction.
pub(crate) async fn announce(
    conn: &mut AnyConnection,
    event_id: i64,
    happening: Happening,
    ticket: &Ticket,
    payload: Value,
) -> Result<()> {
    for (kind, who) in audience(happening, ticket.desk) {
        let recipients: Vec<String> = match who {
            Audience::Customers => ticket_customers(&ticket.created_by, &ticket.participant_ids)
                .into_iter()
                .map(|id| format!("user:{id}"))
                .collect(),
            Audience::Desk(desk) => vec![format!("desk:{}", desk.code())],
            Audience::Assignee => ticket
                .assignee_id
                .iter()
                .map(|id| format!("user:{id}"))
                .collect(),
        };
        for recipient in recipients {
            enqueue(
                conn,
                event_id,
                kind.outbox_kind(),
                &recipient,
                payload.clone(),
            )
            .await?;
        }
    }
    Ok(())
}

impl Store {
    /// The notifications an event queued, oldest first.
    pub async fn outbox_of(&self, event_id: i64) -> Result<Vec<OutboxEntry>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM outbox WHERE event_id = $1 ORDER BY id"
        )))
        .bind(event_id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(OutboxRow::into_entry).collect()
    }

    /// One row.
    pub async fn outbox_entry(&self, id: i64) -> Result<OutboxEntry> {
        let row: Option<OutboxRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM outbox WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.ok_or(StoreError::NotFound)?.into_entry()
    }

    /// Queues a row outside any ticket change (a bounce, a webhook delivery, a replay).
    pub async fn enqueue(
        &self,
        event_id: i64,
        kind: &str,
        recipient: &str,
        payload: Value,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = enqueue(&mut tx, event_id, kind, recipient, payload).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims up to `limit` due rows for `lease`: no other worker takes them until the lease
    /// runs out. On PostgreSQL rows another worker is claiming are skipped, not waited for.
    pub async fn claim_outbox(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>> {
        let at = now.as_microsecond();
        let until = (now + lease).as_microsecond();
        let lock = match self.dialect() {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET claimed_until = $1 WHERE id IN (
                SELECT id FROM outbox
                WHERE sent_at IS NULL AND parked_at IS NULL AND next_attempt_at <= $2
                  AND (claimed_until IS NULL OR claimed_until <= $2)
                ORDER BY id LIMIT $3{lock})
             RETURNING {COLUMNS}"
        );
        let mut tx = self.begin().await?;
        let rows: Vec<OutboxRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(until)
            .bind(at)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut entries = rows
            .into_iter()
            .map(OutboxRow::into_entry)
            .collect::<Result<Vec<_>>>()?;
        entries.sort_by_key(|e| e.id);
        Ok(entries)
    }

    /// Records an attempt and what follows from it.
    pub async fn finish_attempt(
        &self,
        id: i64,
        attempt: &Attempt,
        outcome: AttemptOutcome,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO outbox_attempts (outbox_id, attempted_at, ok, status_code, duration_ms, error)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(attempt.at.as_microsecond())
        .bind(i64::from(attempt.ok))
        .bind(attempt.status_code)
        .bind(attempt.duration_ms)
        .bind(attempt.error.as_deref())
        .execute(&mut *tx)
        .await?;
        let at = attempt.at.as_microsecond();
        let (sent_at, parked_at, next) = match outcome {
            AttemptOutcome::Sent => (Some(at), None, at),
            AttemptOutcome::RetryAt(t) => (None, None, t.as_microsecond()),
            AttemptOutcome::Park => (None, Some(at), at),
        };
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, sent_at = $1, parked_at = $2,
                next_attempt_at = $3, claimed_until = NULL, last_error = $4, last_status = $5
             WHERE id = $6",
        )
        .bind(sent_at)
        .bind(parked_at)
        .bind(next)
        .bind(attempt.error.as_deref())
        .bind(attempt.status_code)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a row done without sending, saying why.
    pub async fn skip_outbox(&self, id: i64, reason: &str) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, skipped = $2, claimed_until = NULL WHERE id = $3",
        )
        .bind(now())
        .bind(reason)
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// An admin's retry of a parked (or failing) row: due now, with a fresh count of attempts.
    /// `NotFound` for a row already sent.
    pub async fn retry_outbox(&self, id: i64) -> Result<OutboxEntry> {
        let done = sqlx::query(
            "UPDATE outbox SET parked_at = NULL, attempts = 0, next_attempt_at = $1, claimed_until = NULL
             WHERE id = $2 AND sent_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .execute(&self.write)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.outbox_entry(id).await
    }

    /// The outbox for admins, newest first; `recipient_prefix` narrows it (`webhook:<id>`).
    pub async fn outbox_page(
        &self,
        state: OutboxState,
        recipient_prefix: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<OutboxEntry>> {
        let condition = match state {
            OutboxState::All => "1 = 1",
            OutboxState::Pending => "sent_at IS NULL AND parked_at IS NULL",
            OutboxState::Parked => "sent_at IS NULL AND parked_at IS NOT NULL",
            OutboxState::Sent => "sent_at IS NOT NULL AND skipped IS NULL",
            OutboxState::Skipped => "skipped IS NOT NULL",
        };
        let before = match page.after.as_ref().map(|c| c.key().parse::<i64>()) {
            Some(Ok(id)) => id,
            Some(Err(_)) => return Err(StoreError::BadCursor),
            None => i64::MAX,
        };
        let prefix = recipient_prefix.map(|p| format!("{p}%"));
        let rows: Vec<OutboxRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM outbox WHERE {condition} AND id < $1
               AND ($2 IS NULL OR recipient LIKE $2)
             ORDER BY id DESC LIMIT $3"
        )))
        .bind(before)
        .bind(prefix)
        .bind(page.fetch())
        .fetch_all(&self.read)
        .await?;
        let entries = rows
            .into_iter()
            .map(OutboxRow::into_entry)
            .collect::<Result<Vec<_>>>()?;
        let keyed: Vec<(String, OutboxEntry)> =
            entries.into_iter().map(|e| (e.id.to_string(), e)).collect();
        let page = page.finish(keyed, |(k, _)| k.as_str());
        Ok(Page {
            items: page.items.into_iter().map(|(_, e)| e).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// The attempts of one row, oldest first.
    pub async fn outbox_attempts(&self, id: i64) -> Result<Vec<Attempt>> {
        let rows: Vec<AttemptRow> = sqlx::query_as(
            "SELECT attempted_at, ok, status_code, duration_ms, error FROM outbox_attempts
             WHERE outbox_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Attempt {
                    at: time(r.attempted_at)?,
                    ok: r.ok != 0,
                    status_code: r.status_code,
                    duration_ms: r.duration_ms,
                    error: r.error,
                })
            })
            .collect()
    }
}

#[derive(FromRow)]
struct AttemptRow {
    attempted_at: i64,
    ok: i64,
    status_code: Option<i64>,
    duration_ms: i64,
    error: Option<String>,
}
