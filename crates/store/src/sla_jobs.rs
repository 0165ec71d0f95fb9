//! The desk's background work on the store: recording SLA breaches as they happen, and
//! closing pending-closure tickets the customer left unanswered.
//!
//! Both are claimable and idempotent: each ticket is changed by a conditional `UPDATE`
//! whose condition the first runner makes false, and the event is written only when that
//! update changed a row, in the same transaction. Two instances running at once therefore
//! do each thing once (PostgreSQL re-checks the condition after the row lock; SQLite has
//! one writer).

use jiff::{SignedDuration, Timestamp};
use madoguchi_core::Desk;
use madoguchi_core::event::EventKind;
use madoguchi_core::values::TicketKey;
use serde_json::json;
use sqlx::Row;

use crate::db::time;
use crate::events::append;
use crate::outbox::announce;
use crate::queues::UNMARKED;
use crate::sla::{
    SlaChange, active_measure, breach_data, breached_codes, record_columns, record_from, track,
};
use crate::{Result, Store, StoreError};
use madoguchi_core::notify::Happening;

/// How many tickets one run handles at most; the next run takes the rest.
const BATCH: i64 = 500;

/// Why the auto-close job closed a ticket, in its event (the response log words it).
pub const AUTO_CLOSE_REASON: &str = "auto_close";

fn key_of(number: i64) -> Result<String> {
    u64::try_from(number)
        .map(|n| TicketKey::from_number(n).to_string())
        .map_err(StoreError::corrupt)
}

impl Store {
    /// Records each breach that has happened by `now` and is not yet recorded: the ticket
    /// remembers which due it recorded, and an `sla.breached` event (internal) says which
    /// target was missed and when it was due. Answers how many breaches this run recorded.
    pub async fn record_sla_breaches(&self, now: Timestamp) -> Result<usize> {
        let now_micros = now.as_microsecond();
        let mut recorded = 0;
        // One query per desk, so each uses the `(desk, sla_due_at)` index.
        for desk in Desk::ALL {
            let rows = sqlx::query(concat!(
                "SELECT t.id, t.number, t.organization_id, t.sla_due_at, ",
                record_columns!(),
                " FROM tickets t WHERE t.desk = $1 AND t.sla_due_at <= $2
                  AND t.status <> 'closed' AND t.sla_due_at IS NOT NULL
                  AND (t.sla_breach_recorded_due IS NULL OR t.sla_breach_recorded_due <> t.sla_due_at)
                  ORDER BY t.sla_due_at LIMIT $3"
            ))
            .bind(desk.code())
            .bind(now_micros)
            .bind(BATCH)
            .fetch_all(&self.read)
            .await?;
            for row in rows {
                let id: String = row.try_get("id")?;
                let due: i64 = row.try_get("sla_due_at")?;
                let record = record_from(&row)?;
                let stored: String = row.try_get("sla_breached")?;
                let breached = breached_codes(&stored, &record, now);
                let mut tx = self.begin().await?;
                let claimed = sqlx::query(
                    "UPDATE tickets SET sla_breach_recorded_due = sla_due_at, sla_breached = $1
                     WHERE id = $2 AND sla_due_at = $3 AND sla_due_at <= $4
                       AND (sla_breach_recorded_due IS NULL OR sla_breach_recorded_due <> sla_due_at)",
                )
                .bind(&breached)
                .bind(&id)
                .bind(due)
                .bind(now_micros)
                .execute(&mut *tx)
                .await?;
                if claimed.rows_affected() == 0 {
                    // Another runner recorded it, or the ticket moved on meanwhile.
                    continue;
                }
                append(
                    &mut tx,
                    EventKind::SlaBreached,
                    None,
                    &id,
                    Some(&row.try_get::<String, _>("organization_id")?),
                    breach_data(
                        &key_of(row.try_get("number")?)?,
                        active_measure(&record),
                        time(due)?,
                        &stored,
                        &breached,
                    ),
                )
                .await?;
                tx.commit().await?;
                recorded += 1;
            }
        }
        Ok(recorded)
    }

    /// Marks the open tickets whose due-soon moment has passed by `now` (under 25 % of the
    /// target left, or breached): each remembers the due it was marked for, and `sla_counts`
    /// counts them, so that a queue's due-soon count reads a row instead of the tickets.
    /// No event: a mark is a cache of the clock, not a fact. Answers how many it marked.
    pub async fn mark_sla_due_soon(&self, now: Timestamp) -> Result<u64> {
        let mut marked = 0;
        for desk in Desk::ALL {
            // Setting the mark to the current due is the same write whoever makes it, so two
            // runners at once need no claim.
            marked += sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE tickets SET sla_due_soon_marked_due = sla_due_at
                 WHERE id IN (SELECT t.id FROM tickets t WHERE t.desk = $1 AND {UNMARKED}
                   AND t.sla_due_soon_at <= $2 LIMIT $3)"
            )))
            .bind(desk.code())
            .bind(now.as_microsecond())
            .bind(BATCH * 10)
            .execute(&self.write)
            .await?
            .rows_affected();
        }
        Ok(marked)
    }

    /// Closes the pending-closure tickets whose status has not changed for `after` by `now`:
    /// status closed, a public `ticket.status_changed` event by nobody with the reason
    /// `auto_close`, the SLA record closed, and a `ticket.closed` notification for the
    /// filer and the participants. Answers how many this run closed.
    pub async fn auto_close_pending(&self, now: Timestamp, after: SignedDuration) -> Result<usize> {
        let at = now.as_microsecond();
        let cutoff = now
            .checked_sub(after)
            .map_err(StoreError::corrupt)?
            .as_microsecond();
        let candidates: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM tickets WHERE status = 'pending_closure' AND status_changed_at <= $1
             ORDER BY status_changed_at LIMIT $2",
        )
        .bind(cutoff)
        .bind(BATCH)
        .fetch_all(&self.read)
        .await?;
        let mut closed = 0;
        for id in candidates {
            let mut tx = self.begin().await?;
            let claimed = sqlx::query(
                "UPDATE tickets SET status = 'closed', updated_at = $1, status_changed_at = $1, closed_at = $1
                 WHERE id = $2 AND status = 'pending_closure' AND status_changed_at <= $3",
            )
            .bind(at)
            .bind(&id)
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() == 0 {
                // Another runner closed it, or the customer answered meanwhile.
                continue;
            }
            track(
                &mut tx,
                &id,
                SlaChange::StatusChanged {
                    from: madoguchi_core::Status::PendingClosure,
                    to: madoguchi_core::Status::Closed,
                },
                at,
            )
            .await?;
            let ticket = crate::tickets::ticket_by_id(&mut tx, &id).await?;
            let key = ticket.key.to_string();
            let event = append(
                &mut tx,
                EventKind::TicketStatusChanged,
                None,
                &id,
                Some(&ticket.organization_id),
                json!({
                    "key": key,
                    "changes": { "status": { "from": "pending_closure", "to": "closed" } },
                    "reason": AUTO_CLOSE_REASON,
                    "days": after.as_hours() / 24,
                    "public": true,
                }),
            )
            .await?;
            announce(
                &mut tx,
                event,
                Happening::AutoClosed,
                &ticket,
                json!({ "key": key, "summary": ticket.summary, "reason": AUTO_CLOSE_REASON }),
            )
            .await?;
            tx.commit().await?;
            closed += 1;
        }
        Ok(closed)
    }
}
