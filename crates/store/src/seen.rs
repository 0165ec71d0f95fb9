//! When each user last looked at each ticket, and what happened on the tickets of a list since:
//! the facts `core::seen` turns into the marks lists show.

use std::collections::HashMap;

use jiff::Timestamp;
use madoguchi_core::seen::Activity;
use madoguchi_core::ticket::Ticket;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::{Dialect, now, time};
use crate::tickets::json_list;
use crate::{Result, Store};

/// Records that `user_id` has seen `ticket_id` as of `at` (never moving the time back).
pub(crate) async fn mark_seen(
    conn: &mut AnyConnection,
    user_id: &str,
    ticket_id: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_views (user_id, ticket_id, seen_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, ticket_id) DO UPDATE SET seen_at = excluded.seen_at
         WHERE ticket_views.seen_at < excluded.seen_at",
    )
    .bind(user_id)
    .bind(ticket_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The columns of a ticket `t`'s activity as the user `$2` knows it: their last look (without
/// one, when marks began: migration 0016), the latest public reply and internal note, and the
/// latest change of status, each unless the user made it (the ticket keeps them: migration
/// 0022; the one who made the latest has seen every earlier one). Shared by
/// [`Store::activity`] and the queue's page, which reads them in its own statement.
macro_rules! activity_columns {
    () => {
        "COALESCE((SELECT v.seen_at FROM ticket_views v WHERE v.ticket_id = t.id AND v.user_id = $2),
           (SELECT CAST(s.value AS BIGINT) FROM settings s WHERE s.key = 'marks_since')) AS seen_at,
         CASE WHEN t.last_reply_by <> $2 THEN t.last_reply_at END AS reply_at,
         CASE WHEN t.last_note_by <> $2 THEN t.last_note_at END AS note_at,
         CASE WHEN t.last_status_by IS NULL OR t.last_status_by <> $2 THEN t.last_status_at END
           AS status_at"
    };
}

pub(crate) use activity_columns;

/// A ticket's activity read from a row with [`activity_columns`].
pub(crate) fn activity_from(row: &AnyRow, ticket: &Ticket) -> Result<Activity> {
    let optional = |column: &str| -> Result<Option<Timestamp>> {
        row.try_get::<Option<i64>, _>(column)?.map(time).transpose()
    };
    Ok(Activity {
        seen_at: optional("seen_at")?,
        filed_at: ticket.created_at,
        reply_at: optional("reply_at")?,
        note_at: optional("note_at")?,
        status_at: optional("status_at")?,
    })
}

/// The activity of the tickets whose ids `$1` holds (a JSON array), as the user `$2` knows it.
macro_rules! activity_sql {
    ($ids:literal) => {
        concat!(
            "SELECT t.id, ",
            activity_columns!(),
            " FROM tickets t WHERE t.id IN (",
            $ids,
            ")"
        )
    };
}

impl Store {
    /// What happened on each of `tickets` as `user_id` knows it, by ticket id. The caller has
    /// already checked that the user may see them.
    pub async fn activity(
        &self,
        user_id: &str,
        tickets: &[&Ticket],
    ) -> Result<HashMap<String, Activity>> {
        if tickets.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<String> = tickets.iter().map(|t| t.id.clone()).collect();
        let sql = match self.dialect() {
            Dialect::Sqlite => activity_sql!("SELECT value FROM json_each($1)"),
            Dialect::Postgres => activity_sql!("SELECT jsonb_array_elements_text($1::jsonb)"),
        };
        let rows = sqlx::query(sql)
            .bind(json_list(&ids)?)
            .bind(user_id)
            .fetch_all(&self.read)
            .await?;
        let by_id: HashMap<&str, &Ticket> = tickets.iter().map(|t| (t.id.as_str(), *t)).collect();
        let mut activity = HashMap::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            if let Some(ticket) = by_id.get(id.as_str()) {
                let a = activity_from(row, ticket)?;
                activity.insert(id, a);
            }
        }
        Ok(activity)
    }

    /// Marks count from each ticket's filing, not from when the installation began them: for
    /// the demo, whose tickets are made to look days old.
    pub async fn mark_from_filing(&self) -> Result<()> {
        sqlx::query("DELETE FROM settings WHERE key = 'marks_since'")
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Records that `user_id` has just looked at `ticket_id`.
    pub async fn mark_seen(&self, user_id: &str, ticket_id: &str) -> Result<()> {
        let mut conn = self.write.acquire().await?;
        mark_seen(&mut conn, user_id, ticket_id, now()).await
    }
}
