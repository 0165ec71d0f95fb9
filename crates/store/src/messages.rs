//! The response log and the ticket's status: replies, internal notes, closing, and the agent's
//! changes. The status rule is `core::status::next_status`; the store applies it under a lock.

use madoguchi_core::Status;
use madoguchi_core::event::EventKind;
use madoguchi_core::history::ChangedField;
use madoguchi_core::status::TransitionError;
use madoguchi_core::ticket::{Message, Ticket};
use madoguchi_core::{Role, Via};
use serde_json::json;
use sqlx::{AnyConnection, FromRow};

use crate::attachments::{AttachmentRow, attach};
use crate::db::{Dialect, code, new_id, now, time};
use crate::events::append;
use crate::outbox::announce;
use crate::sla::{SlaChange, track};
use crate::ticket_changes::append_change;
use crate::tickets::ticket_by_id;
use crate::{Result, Store, StoreError};
use madoguchi_core::notify::Happening;

/// A reply or a note, checked.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub author_id: &'a str,
    pub author_role: Role,
    pub body: &'a str,
    pub internal: bool,
    pub attachment_ids: &'a [String],
    /// The surface it was written on.
    pub via: Via,
}

#[derive(FromRow)]
struct MessageRow {
    id: String,
    ticket_id: String,
    author_id: String,
    body: String,
    visibility: String,
    via: String,
    created_at: i64,
}

/// Sets $1 status and $2 updated time of ticket $3, keeping when the status last changed and
/// when the ticket closed.
pub(crate) const SET_STATUS: &str = "UPDATE tickets SET status = $1, updated_at = $2,
    status_changed_at = CASE WHEN status = $1 THEN status_changed_at ELSE $2 END,
    closed_at = CASE WHEN $1 <> 'closed' THEN NULL WHEN status = 'closed' THEN closed_at ELSE $2 END
    WHERE id = $3";

/// Reads the ticket's status and, on PostgreSQL, locks its row until the transaction ends, so
/// that two replies cannot both move it from the same status. (SQLite has one writer.)
async fn locked_status(
    conn: &mut AnyConnection,
    dialect: Dialect,
    ticket_id: &str,
) -> Result<Status> {
    let status: Option<String> = match dialect {
        Dialect::Postgres => {
            sqlx::query_scalar("SELECT status FROM tickets WHERE id = $1 FOR UPDATE")
                .bind(ticket_id)
                .fetch_optional(&mut *conn)
                .await?
        }
        Dialect::Sqlite => {
            sqlx::query_scalar("SELECT status FROM tickets WHERE id = $1")
                .bind(ticket_id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    code(Status::parse(&status.ok_or(StoreError::NotFound)?))
}

impl Store {
    /// Adds a message to the response log and moves the status as `next` says; answers the
    /// message and the ticket after. A transition `next` refuses writes nothing.
    pub async fn add_message(
        &self,
        ticket_id: &str,
        message: &NewMessage<'_>,
        next: impl FnOnce(Status) -> std::result::Result<Status, TransitionError>,
    ) -> Result<(Message, Ticket)> {
        let mut tx = self.begin().await?;
        let from = locked_status(&mut tx, self.dialect(), ticket_id).await?;
        let to = next(from).map_err(StoreError::Transition)?;
        let id = new_id();
        let at = now();
        sqlx::query(
            "INSERT INTO messages (id, ticket_id, author_id, body, visibility, via, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(ticket_id)
        .bind(message.author_id)
        .bind(message.body)
        .bind(if message.internal { "internal" } else { "public" })
        .bind(message.via.code())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        attach(
            &mut tx,
            message.attachment_ids,
            message.author_id,
            ticket_id,
            Some(&id),
        )
        .await?;
        // An internal note that moves nothing leaves the ticket as customers see it, updated
        // time included: support's internal work does not show.
        if !(message.internal && from == to) {
            sqlx::query(SET_STATUS)
                .bind(to.code())
                .bind(at)
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
        }
        if !message.internal && !message.author_role.is_customer() {
            // Support's latest answer on a ticket it proposes to close starts the days before
            // auto-close again: the customer gets the full time to read it.
            if to == Status::PendingClosure && from == to {
                sqlx::query("UPDATE tickets SET status_changed_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(ticket_id)
                    .execute(&mut *tx)
                    .await?;
            }
            track(&mut tx, ticket_id, SlaChange::PublicAgentReply, at).await?;
        }
        if from != to {
            track(
                &mut tx,
                ticket_id,
                SlaChange::StatusChanged { from, to },
                at,
            )
            .await?;
        }
        crate::seen::mark_seen(&mut tx, message.author_id, ticket_id, at).await?;
        let ticket = ticket_by_id(&mut tx, ticket_id).await?;
        let key = ticket.key.to_string();
        let org = Some(ticket.organization_id.as_str());
        let event = append(
            &mut tx,
            EventKind::MessageAdded,
            Some(message.author_id),
            ticket_id,
            org,
            json!({
                "key": key, "message_id": id, "internal": message.internal, "via": message.via,
                "from": from, "to": to, "public": !message.internal,
            }),
        )
        .await?;
        // A reply that moves the status is also a change of status, logged as one, so that
        // the history and the customer's log show it like any other.
        if from != to {
            append_change(
                &mut tx,
                ChangedField::Status,
                Some(message.author_id),
                &ticket,
                json!(from),
                json!(to),
                None,
            )
            .await?;
        }
        // The payload names the message, never carries its text: the worker reads the text at
        // sending time, and only for public messages when the operator wants full-text emails.
        let payload = json!({ "key": key, "summary": ticket.summary, "message_id": id });
        let happening = if message.internal {
            Happening::InternalNote
        } else if message.author_role.is_customer() {
            Happening::CustomerReply
        } else {
            Happening::AgentReply
        };
        announce(&mut tx, event, happening, &ticket, payload).await?;
        let attachments: Vec<AttachmentRow> = sqlx::query_as(
            "SELECT id, filename, content_type, size, sha256, uploaded_by, created_at, message_id
             FROM attachments WHERE message_id = $1 ORDER BY id",
        )
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let message = Message {
            id,
            ticket_id: ticket_id.to_owned(),
            author_id: message.author_id.to_owned(),
            body: message.body.to_owned(),
            internal: message.internal,
            via: message.via,
            created_at: time(at)?,
            attachments: attachments
                .into_iter()
                .map(AttachmentRow::into_attachment)
                .collect::<Result<_>>()?,
        };
        Ok((message, ticket))
    }

    /// The response log, oldest first, with attachments; internal notes only if asked for.
    pub async fn messages(&self, ticket_id: &str, with_internal: bool) -> Result<Vec<Message>> {
        let rows: Vec<MessageRow> = sqlx::query_as(
            "SELECT id, ticket_id, author_id, body, visibility, via, created_at FROM messages
             WHERE ticket_id = $1 AND ($2 = 1 OR visibility = 'public') ORDER BY id",
        )
        .bind(ticket_id)
        .bind(i64::from(with_internal))
        .fetch_all(&self.read)
        .await?;
        let attachments: Vec<AttachmentRow> = sqlx::query_as(
            "SELECT id, filename, content_type, size, sha256, uploaded_by, created_at, message_id
             FROM attachments WHERE ticket_id = $1 ORDER BY id",
        )
        .bind(ticket_id)
        .fetch_all(&self.read)
        .await?;
        let mut messages = rows
            .into_iter()
            .map(|r| {
                Ok(Message {
                    internal: r.visibility == "internal",
                    via: code(Via::parse(&r.via))?,
                    id: r.id,
                    ticket_id: r.ticket_id,
                    author_id: r.author_id,
                    body: r.body,
                    created_at: time(r.created_at)?,
                    attachments: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        for a in attachments {
            if let Some(m) = a
                .message_id
                .as_ref()
                .and_then(|mid| messages.iter_mut().find(|m| &m.id == mid))
            {
                m.attachments.push(a.into_attachment()?);
            }
        }
        Ok(messages)
    }

    /// The files attached when the ticket was filed (not to any reply).
    pub async fn ticket_attachments(
        &self,
        ticket_id: &str,
    ) -> Result<Vec<madoguchi_core::ticket::Attachment>> {
        let rows: Vec<AttachmentRow> = sqlx::query_as(
            "SELECT id, filename, content_type, size, sha256, uploaded_by, created_at, message_id
             FROM attachments WHERE ticket_id = $1 AND message_id IS NULL ORDER BY id",
        )
        .bind(ticket_id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(AttachmentRow::into_attachment)
            .collect()
    }
}
