//! Fixtures for tests and the benchmark (feature `testing`): what the SLA tracker and years of
//! filing would have written, without waiting for either. Never compiled into the server.

use jiff::Timestamp;
use madoguchi_core::{Desk, Status};

use crate::db::{code, now, time};
use crate::{QueueCounts, Result, Store};

impl Store {
    /// Sets ticket `key`'s active SLA deadline (microseconds), as the SLA tracker would.
    pub async fn set_ticket_sla_for_test(
        &self,
        key: madoguchi_core::values::TicketKey,
        due_at: Option<i64>,
        due_soon_at: Option<i64>,
        paused_at: Option<i64>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE tickets SET sla_due_at = $1, sla_due_soon_at = $2, sla_paused_at = $3,
               sla_first_response_due_at = COALESCE($1, sla_first_response_due_at),
               sla_first_responded_at = NULL WHERE number = $4",
        )
        .bind(due_at)
        .bind(due_soon_at)
        .bind(paused_at)
        .bind(key.number() as i64)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Adds `count` open tickets copied from ticket `template` (its organization, contract,
    /// type and texts) in one statement, numbered after the newest: statuses, priorities,
    /// assignees (every fifth to `assignee_id`) and SLA deadlines spread as a busy desk has
    /// them (2 % breached, 3 % due soon, waiting and pending closure paused), one a minute
    /// until now, marked as the SLA job would have marked them by now. No events: a load
    /// fixture, not history.
    pub async fn copy_tickets_for_bench(
        &self,
        template: madoguchi_core::values::TicketKey,
        count: i64,
        assignee_id: &str,
    ) -> Result<()> {
        let at = now();
        let minute: i64 = 60_000_000;
        let mut tx = self.begin().await?;
        let postgres = self.dialect() == crate::Dialect::Postgres;
        if postgres {
            // One trigger call per row would take minutes; the counts are recomputed below.
            for trigger in ["queue_counts_filed", "sla_counts_filed"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER TABLE tickets DISABLE TRIGGER {trigger}"
                )))
                .execute(&mut *tx)
                .await?;
            }
        }
        let base: i64 =
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'ticket_number'")
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO tickets (id, number, organization_id, contract_id, ticket_type, desk, status, priority,
               assignee_id, summary, service_menu, tenant_id, details, menu_fields, created_by, created_at,
               updated_at, status_changed_at, search_text, sla_due_at, sla_due_soon_at, sla_paused_at,
               sla_breach_recorded_due, sla_due_soon_marked_due)
             WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < CAST($1 AS BIGINT))
             SELECT 'bench-' || CAST(seq.i AS TEXT), CAST($2 AS BIGINT) + seq.i, t.organization_id, t.contract_id,
               t.ticket_type, t.desk,
               CASE WHEN seq.i % 10 < 5 THEN 'new' WHEN seq.i % 10 < 8 THEN 'in_progress'
                    WHEN seq.i % 10 = 8 THEN 'waiting_for_customer' ELSE 'pending_closure' END,
               'p' || CAST(1 + seq.i % 4 AS TEXT),
               CASE WHEN seq.i % 5 = 0 THEN $3 ELSE NULL END,
               t.summary || ' #' || CAST(seq.i AS TEXT), t.service_menu, t.tenant_id, t.details, t.menu_fields,
               t.created_by, CAST($4 AS BIGINT) - (CAST($1 AS BIGINT) - seq.i) * CAST($5 AS BIGINT),
               CAST($4 AS BIGINT) - (CAST($1 AS BIGINT) - seq.i) * CAST($5 AS BIGINT),
               CAST($4 AS BIGINT) - (CAST($1 AS BIGINT) - seq.i) * CAST($5 AS BIGINT),
               t.search_text || ' #' || CAST(seq.i AS TEXT),
               CASE WHEN seq.i % 10 >= 8 THEN NULL
                    WHEN seq.i % 100 < 2 THEN CAST($4 AS BIGINT) - 60 * CAST($5 AS BIGINT)
                    WHEN seq.i % 100 < 5 THEN CAST($4 AS BIGINT) + 30 * CAST($5 AS BIGINT)
                    ELSE CAST($4 AS BIGINT) + (240 + seq.i % 600) * CAST($5 AS BIGINT) END,
               CASE WHEN seq.i % 10 >= 8 THEN NULL
                    WHEN seq.i % 100 < 2 THEN CAST($4 AS BIGINT) - 120 * CAST($5 AS BIGINT)
                    WHEN seq.i % 100 < 5 THEN CAST($4 AS BIGINT) - 30 * CAST($5 AS BIGINT)
                    ELSE CAST($4 AS BIGINT) + (180 + seq.i % 600) * CAST($5 AS BIGINT) END,
               CASE WHEN seq.i % 10 >= 8 THEN CAST($4 AS BIGINT) ELSE NULL END,
               CASE WHEN seq.i % 10 < 8 AND seq.i % 100 < 2
                    THEN CAST($4 AS BIGINT) - 60 * CAST($5 AS BIGINT) ELSE NULL END,
               CASE WHEN seq.i % 10 >= 8 THEN NULL
                    WHEN seq.i % 100 < 2 THEN CAST($4 AS BIGINT) - 60 * CAST($5 AS BIGINT)
                    WHEN seq.i % 100 < 5 THEN CAST($4 AS BIGINT) + 30 * CAST($5 AS BIGINT)
                    ELSE NULL END
             FROM seq, tickets t WHERE t.number = $6",
        )
        .bind(count)
        .bind(base)
        .bind(assignee_id)
        .bind(at)
        .bind(minute)
        .bind(template.number() as i64)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE counters SET value = value + $1 WHERE name = 'ticket_number'")
            .bind(count)
            .execute(&mut *tx)
            .await?;
        if postgres {
            for trigger in ["queue_counts_filed", "sla_counts_filed"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER TABLE tickets ENABLE TRIGGER {trigger}"
                )))
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("DELETE FROM sla_counts")
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sla_counts (desk, state, n)
                 SELECT desk, state, COUNT(*) FROM (
                   SELECT desk, sla_marked_state(status, sla_due_at, sla_breach_recorded_due,
                     sla_due_soon_marked_due) AS state FROM tickets) s
                 WHERE state IS NOT NULL GROUP BY desk, state",
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM queue_counts")
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO queue_counts (desk, status, assignee_id, n)
                 SELECT desk, status, COALESCE(assignee_id, ''), COUNT(*) FROM tickets
                 WHERE status <> 'closed' GROUP BY desk, status, COALESCE(assignee_id, '')",
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        if postgres {
            // What autovacuum does after a bulk insert: the visibility map lets the count
            // indexes answer without visiting the table.
            sqlx::raw_sql("VACUUM (ANALYZE) tickets")
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    /// A desk's counts recomputed from its tickets, as `queue_counts` and the SLA counts should
    /// say they are (for tests that check the triggers).
    pub async fn recount_queue_for_test(
        &self,
        desk: Desk,
        user_id: &str,
    ) -> Result<(QueueCounts, Timestamp)> {
        let at = now();
        type Row = (String, Option<String>, Option<i64>, Option<i64>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT status, assignee_id, sla_due_at, sla_due_soon_at FROM tickets WHERE desk = $1 AND status <> 'closed'",
        )
        .bind(desk.code())
        .fetch_all(&self.read)
        .await?;
        let mut c = QueueCounts::default();
        for (status, assignee, due, soon) in rows {
            match code(Status::parse(&status))? {
                Status::New => c.new += 1,
                Status::InProgress => c.in_progress += 1,
                Status::WaitingForCustomer => c.waiting_for_customer += 1,
                Status::PendingClosure => c.pending_closure += 1,
                Status::Closed => {}
            }
            match assignee.as_deref() {
                None => c.unassigned += 1,
                Some(a) if a == user_id => c.mine += 1,
                Some(_) => {}
            }
            match (due, soon) {
                (Some(d), _) if d <= at => c.breached += 1,
                (Some(_), Some(s)) if s <= at => c.due_soon += 1,
                _ => {}
            }
        }
        Ok((c, time(at)?))
    }
}
