//! When each user last looked at each ticket, and what happened on the tickets of a list since:
//! the facts `core::seen` turns into the marks lists show.

use std::collections::HashMap;

use madoguchi_core::seen::Activity;
use madoguchi_core::ticket::Ticket;
use sqlx::AnyConnection;

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

/// A ticket's id, the user's last look (or when marks began), the latest public reply and
/// internal note of others, and the latest change of status by someone else.
type ActivityRow = (String, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// The user's last look (without one, when marks began: migration 0016), the latest messages
/// and status change of others, per ticket of a list. $1 is the
/// user, $2 the ticket ids as a JSON array.
macro_rules! activity_sql {
    ($ids:literal) => {
        concat!(
            "SELECT t.id,
               COALESCE(v.seen_at,
                 (SELECT CAST(s.value AS BIGINT) FROM settings s WHERE s.key = 'marks_since')) AS seen_at,
               (SELECT MAX(m.created_at) FROM messages m WHERE m.ticket_id = t.id
                 AND m.visibility = 'public' AND m.author_id <> $1) AS reply_at,
               (SELECT MAX(m.created_at) FROM messages m WHERE m.ticket_id = t.id
                 AND m.visibility = 'internal' AND m.author_id <> $1) AS note_at,
               (SELECT MAX(e.occurred_at) FROM events e WHERE e.subject_id = t.id
                 AND e.kind = 'ticket.status_changed'
                 AND (e.actor_id IS NULL OR e.actor_id <> $1)) AS status_at
             FROM tickets t LEFT JOIN ticket_views v ON v.ticket_id = t.id AND v.user_id = $1
             WHERE t.id IN (",
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
            Dialect::Sqlite => activity_sql!("SELECT value FROM json_each($2)"),
            Dialect::Postgres => activity_sql!("SELECT jsonb_array_elements_text($2::jsonb)"),
        };
        let rows: Vec<ActivityRow> = sqlx::query_as(sql)
            .bind(user_id)
            .bind(json_list(&ids)?)
            .fetch_all(&self.read)
            .await?;
        let by_id: HashMap<&str, &Ticket> = tickets.iter().map(|t| (t.id.as_str(), *t)).collect();
        let optional = |at: Option<i64>| at.map(time).transpose();
        rows.into_iter()
            .filter_map(|(id, seen, reply, note, status)| {
                let ticket = by_id.get(id.as_str())?;
                let activity = (|| -> Result<Activity> {
                    Ok(Activity {
                        seen_at: optional(seen)?,
                        filed_at: ticket.created_at,
                        reply_at: optional(reply)?,
                        note_at: optional(note)?,
                        status_at: optional(status)?,
                    })
                })();
                Some(activity.map(|a| (id, a)))
            })
            .collect()
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
