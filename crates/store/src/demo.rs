//! What only the demo and the tests need: a ticket's whole life moved back in time, so that a freshly loaded
//! demo shows tickets filed hours and days ago, with their due times near or past.

use jiff::SignedDuration;

use crate::{Result, Store};

impl Store {
    /// How many tickets the store holds.
    pub async fn ticket_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
            .fetch_one(&self.read)
            .await?)
    }

    /// Moves every time of the ticket `ticket_id` — its own, its messages', its call
    /// attempts', its events' and its readers' last looks — `by` into the past, in one transaction.
    pub async fn move_ticket_back(&self, ticket_id: &str, by: SignedDuration) -> Result<()> {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE tickets SET created_at = created_at - $1, updated_at = updated_at - $1,
               status_changed_at = status_changed_at - $1, closed_at = closed_at - $1,
               satisfaction_at = satisfaction_at - $1,
               sla_first_response_due_at = sla_first_response_due_at - $1,
               sla_first_responded_at = sla_first_responded_at - $1,
               sla_next_update_due_at = sla_next_update_due_at - $1,
               sla_paused_at = sla_paused_at - $1, sla_due_at = sla_due_at - $1,
               sla_due_soon_at = sla_due_soon_at - $1,
               sla_breach_recorded_due = sla_breach_recorded_due - $1,
               sla_due_soon_marked_due = sla_due_soon_marked_due - $1,
               last_reply_at = last_reply_at - $1, last_note_at = last_note_at - $1,
               last_status_at = last_status_at - $1
             WHERE id = $2",
        )
        .bind(micros)
        .bind(ticket_id)
        .execute(&mut *tx)
        .await?;
        for sql in [
            "UPDATE messages SET created_at = created_at - $1 WHERE ticket_id = $2",
            "UPDATE attachments SET created_at = created_at - $1 WHERE ticket_id = $2",
            "UPDATE callback_attempts SET created_at = created_at - $1 WHERE ticket_id = $2",
            "UPDATE events SET occurred_at = occurred_at - $1 WHERE subject_id = $2",
            "UPDATE ticket_views SET seen_at = seen_at - $1 WHERE ticket_id = $2",
        ] {
            sqlx::query(sql)
                .bind(micros)
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
