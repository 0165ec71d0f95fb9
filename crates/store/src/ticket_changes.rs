//! The agent's changes to a ticket (status, assignee, priority, desk) and the ticket's
//! history. Each kind of change is its own event (`ticket.status_changed`, `ticket.assigned`,
//! `ticket.priority_changed`, `ticket.desk_changed`) whose `data` is
//! `{"key", "changes": {field: {"from", "to"}}, "public"}`, so that the history reads straight
//! from the event log; a change that changes nothing writes nothing.

use jiff::Timestamp;
use madoguchi_core::history::{ChangedField, legacy_public};
use madoguchi_core::status::TransitionError;
use madoguchi_core::ticket::Ticket;
use madoguchi_core::values::TicketKey;
use madoguchi_core::{Desk, Priority, Role, Status};
use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};

use crate::db::{Dialect, code, now, time};
use crate::error::ConstraintExt;
use crate::events::append;
use crate::messages::SET_STATUS;
use crate::outbox::announce;
use crate::sla::{SlaChange, track};
use crate::tickets::{
    Person, Viewer, for_viewer, ticket_by_id, visible_to_admin, visible_to_agent,
    visible_to_customer,
};
use crate::{Result, Store, StoreError};
use madoguchi_core::notify::Happening;

/// What an agent changes on a ticket; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct TicketChanges {
    pub status: Option<Status>,
    /// `Some(None)` unassigns.
    pub assignee_id: Option<Option<String>>,
    pub priority: Option<Priority>,
    /// Moves the ticket to the other desk's queue.
    pub desk: Option<Desk>,
    /// Why the status changes when no person decided it (e.g. `auto_close`), kept in the
    /// event's `data.reason` so that the log can say why.
    pub reason: Option<String>,
}

/// One entry of a ticket's history: an event of the log about the ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The event's id: entries sort by it.
    pub id: i64,
    pub at: Timestamp,
    /// `None` for the system (auto-close, SLA breaches).
    pub actor_id: Option<String>,
    /// The event code, e.g. `ticket.status_changed`.
    pub kind: String,
    /// `{field: {"from", "to"}}`; empty for events that change no field (a message added).
    pub changes: serde_json::Map<String, Value>,
    /// Whether customers see it.
    pub public: bool,
    /// The whole event data, for what the changes do not say (`reason`, `into`, …).
    pub data: Value,
}

/// Another ticket of the same requester, for the agent's view of the customer's context.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentTicket {
    pub key: TicketKey,
    pub summary: String,
    pub status: Status,
    pub updated_at: Timestamp,
}

/// The fields an agent changes, read under the row lock.
struct Current {
    status: Status,
    assignee_id: Option<String>,
    priority: Priority,
    desk: Desk,
}

/// Reads the changeable fields and, on PostgreSQL, locks the row until the transaction ends,
/// so that two changes cannot both start from the same values. (SQLite has one writer.)
async fn locked_current(
    conn: &mut AnyConnection,
    dialect: Dialect,
    ticket_id: &str,
) -> Result<Current> {
    let sql = match dialect {
        Dialect::Postgres => {
            "SELECT status, assignee_id, priority, desk FROM tickets WHERE id = $1 FOR UPDATE"
        }
        Dialect::Sqlite => "SELECT status, assignee_id, priority, desk FROM tickets WHERE id = $1",
    };
    let row = sqlx::query(sql)
        .bind(ticket_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(Current {
        status: code(Status::parse(&row.try_get::<String, _>("status")?))?,
        assignee_id: row.try_get("assignee_id")?,
        priority: code(Priority::parse(&row.try_get::<String, _>("priority")?))?,
        desk: code(Desk::parse(&row.try_get::<String, _>("desk")?))?,
    })
}

/// Appends the event of one changed field.
pub(crate) async fn append_change(
    conn: &mut AnyConnection,
    field: ChangedField,
    actor_id: Option<&str>,
    ticket: &Ticket,
    from: Value,
    to: Value,
    extra: Option<(&str, &str)>,
) -> Result<i64> {
    let mut data = json!({
        "key": ticket.key.to_string(),
        "changes": { field.name(): { "from": from, "to": to } },
        "public": field.public(),
    });
    if let Some((name, value)) = extra {
        data[name] = json!(value);
    }
    // Whoever changes a ticket has seen it as it now stands.
    if let Some(actor_id) = actor_id {
        crate::seen::mark_seen(conn, actor_id, &ticket.id, crate::db::now()).await?;
    }
    append(
        conn,
        field.event_kind(),
        actor_id,
        &ticket.id,
        Some(&ticket.organization_id),
        data,
    )
    .await
}

impl Store {
    /// Moves the status without a message (the customer's Close, the closure timeout, a merge).
    pub async fn change_status(
        &self,
        ticket_id: &str,
        actor_id: Option<&str>,
        next: impl FnOnce(Status) -> std::result::Result<Status, TransitionError>,
    ) -> Result<Ticket> {
        let changes = |from| {
            next(from).map(|s| TicketChanges {
                status: Some(s),
                ..Default::default()
            })
        };
        self.update_ticket(ticket_id, actor_id, changes).await
    }

    /// Applies changes; `decide` sees the current status (under the row lock) and answers the
    /// changes. Writes one event per field that really changes, and nothing at all when none
    /// does. A status change bumps the time customers see as "updated"; support's internal
    /// organisation (assignee, priority, desk) does not.
    pub async fn update_ticket(
        &self,
        ticket_id: &str,
        actor_id: Option<&str>,
        decide: impl FnOnce(Status) -> std::result::Result<TicketChanges, TransitionError>,
    ) -> Result<Ticket> {
        let mut tx = self.begin().await?;
        let current = locked_current(&mut tx, self.dialect(), ticket_id).await?;
        let changes = decide(current.status).map_err(StoreError::Transition)?;
        let at = now();
        let status = changes.status.filter(|s| *s != current.status);
        let assignee = changes.assignee_id.filter(|a| *a != current.assignee_id);
        let priority = changes.priority.filter(|p| *p != current.priority);
        let desk = changes.desk.filter(|d| *d != current.desk);
        if status.is_none() && assignee.is_none() && priority.is_none() && desk.is_none() {
            let ticket = ticket_by_id(&mut tx, ticket_id).await?;
            tx.commit().await?;
            return Ok(ticket);
        }
        if let Some(to) = status {
            sqlx::query(SET_STATUS)
                .bind(to.code())
                .bind(at)
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
            let from = current.status;
            track(
                &mut tx,
                ticket_id,
                SlaChange::StatusChanged { from, to },
                at,
            )
            .await?;
        }
        if let Some(assignee) = &assignee {
            sqlx::query("UPDATE tickets SET assignee_id = $1 WHERE id = $2")
                .bind(assignee.as_deref())
                .bind(ticket_id)
                .execute(&mut *tx)
                .await
                .dangling("assignee")?;
        }
        if let Some(priority) = priority {
            sqlx::query("UPDATE tickets SET priority = $1 WHERE id = $2")
                .bind(priority.code())
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(desk) = desk {
            sqlx::query("UPDATE tickets SET desk = $1 WHERE id = $2")
                .bind(desk.code())
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
        }
        let ticket = ticket_by_id(&mut tx, ticket_id).await?;
        if let Some(to) = status {
            let reason = changes.reason.as_deref().map(|r| ("reason", r));
            let event = append_change(
                &mut tx,
                ChangedField::Status,
                actor_id,
                &ticket,
                json!(current.status),
                json!(to),
                reason,
            )
            .await?;
            // Support now waits for the customer, or closed the ticket: they hear of it (never
            // of what support wrote internally). A customer's own Close tells nobody.
            let by_customer = match actor_id {
                Some(actor) => {
                    sqlx::query_scalar::<_, String>("SELECT role FROM users WHERE id = $1")
                        .bind(actor)
                        .fetch_optional(&mut *tx)
                        .await?
                        .and_then(|r| Role::parse(&r).ok())
                        .is_some_and(|r| r.is_customer())
                }
                None => false,
            };
            let happening = if by_customer {
                Happening::CustomerClosed
            } else {
                Happening::StatusSet { to }
            };
            let payload =
                json!({ "key": ticket.key.to_string(), "summary": ticket.summary, "status": to });
            announce(&mut tx, event, happening, &ticket, payload).await?;
        }
        if let Some(to) = &assignee {
            append_change(
                &mut tx,
                ChangedField::Assignee,
                actor_id,
                &ticket,
                json!(current.assignee_id),
                json!(to),
                None,
            )
            .await?;
        }
        if let Some(to) = priority {
            append_change(
                &mut tx,
                ChangedField::Priority,
                actor_id,
                &ticket,
                json!(current.priority),
                json!(to),
                None,
            )
            .await?;
        }
        if let Some(to) = desk {
            let event = append_change(
                &mut tx,
                ChangedField::Desk,
                actor_id,
                &ticket,
                json!(current.desk),
                json!(to),
                None,
            )
            .await?;
            // The other desk hears that the ticket is now in its queue.
            announce(
                &mut tx,
                event,
                Happening::MovedTo(to),
                &ticket,
                json!({ "key": ticket.key.to_string(), "summary": ticket.summary }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ticket)
    }

    /// A ticket's history: its events in the order they happened; only the public ones if
    /// `public_only` (customers). The caller has checked that the ticket is visible.
    pub async fn ticket_history(
        &self,
        ticket_id: &str,
        public_only: bool,
    ) -> Result<Vec<HistoryEntry>> {
        // Events say `"public":true` in their data (serde_json writes it without spaces, and a
        // string value cannot contain it unescaped); older ones are judged by their kind.
        let rows = sqlx::query(
            "SELECT id, occurred_at, actor_id, kind, data FROM events
             WHERE subject_id = $1 AND ($2 = 0 OR data LIKE '%\"public\":true%'
               OR (data NOT LIKE '%\"public\":%' AND (kind = 'ticket.created'
                   OR (kind = 'message.added' AND data LIKE '%\"internal\":false%'))))
             ORDER BY id",
        )
        .bind(ticket_id)
        .bind(i64::from(public_only))
        .fetch_all(&self.read)
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let data: String = row.try_get("data")?;
            let data: Value = serde_json::from_str(&data).map_err(StoreError::corrupt)?;
            let kind: String = row.try_get("kind")?;
            let public = match data.get("public").and_then(Value::as_bool) {
                Some(p) => p,
                None => legacy_public(&kind, data.get("internal").and_then(Value::as_bool)),
            };
            // The query decides; this is the same rule read in Rust, so a mistake in either
            // hides an entry rather than showing an internal one.
            if public_only && !public {
                continue;
            }
            entries.push(HistoryEntry {
                id: row.try_get("id")?,
                at: time(row.try_get("occurred_at")?)?,
                actor_id: row.try_get("actor_id")?,
                changes: data
                    .get("changes")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
                kind,
                public,
                data,
            });
        }
        Ok(entries)
    }

    /// The requester's other recent tickets that `viewer` may see, newest first.
    pub async fn requester_tickets(
        &self,
        viewer: Viewer<'_>,
        requester_id: &str,
        except_ticket_id: &str,
        limit: i64,
    ) -> Result<Vec<RecentTicket>> {
        macro_rules! recent_sql {
            ($($visible:tt)*) => {
                concat!(
                    "SELECT t.number, t.summary, t.status, t.updated_at FROM tickets t WHERE ",
                    $($visible)*,
                    " AND t.created_by = $4 AND t.id <> $5 ORDER BY t.number DESC LIMIT $6"
                )
            };
        }
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(for_viewer!(viewer, recent_sql))
            .bind(viewer.kind())
            .bind(viewer.user_id())
            .bind(viewer.organization_id())
            .bind(requester_id)
            .bind(except_ticket_id)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.into_iter()
            .map(|(number, summary, status, updated_at)| {
                Ok(RecentTicket {
                    key: TicketKey::from_number(
                        u64::try_from(number).map_err(StoreError::corrupt)?,
                    ),
                    summary,
                    status: code(Status::parse(&status))?,
                    updated_at: time(updated_at)?,
                })
            })
            .collect()
    }

    /// The agents of a desk who are not disabled, by name: whom a ticket of that desk may be
    /// assigned to.
    pub async fn desk_agents(&self, desk: Desk) -> Result<Vec<Person>> {
        self.agents_of_desk(desk, false).await
    }

    /// Every agent of a desk, disabled ones too, by name: the desk's members as an admin
    /// manages them.
    pub async fn desk_members(&self, desk: Desk) -> Result<Vec<Person>> {
        self.agents_of_desk(desk, true).await
    }

    async fn agents_of_desk(&self, desk: Desk, with_disabled: bool) -> Result<Vec<Person>> {
        let sql = if with_disabled {
            "SELECT u.id, u.name, u.email FROM users u JOIN desk_members dm ON dm.user_id = u.id
             WHERE dm.desk = $1 AND u.role = 'agent' ORDER BY u.name, u.id"
        } else {
            "SELECT u.id, u.name, u.email FROM users u JOIN desk_members dm ON dm.user_id = u.id
             WHERE dm.desk = $1 AND u.role = 'agent' AND u.disabled_at IS NULL
             ORDER BY u.name, u.id"
        };
        let rows: Vec<(String, String, String)> = sqlx::query_as(sql)
            .bind(desk.code())
            .fetch_all(&self.read)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, email)| Person {
                id,
                name,
                email,
                role: Role::Agent,
            })
            .collect())
    }
}
