//! Tickets: filing, reading one, and the lists. Visibility is part of every query (SPEC §1):
//! customers see their organization's tickets on contracts they hold a permission on (live:
//! participants too, see `visible_to_customer!`); agents see their desks'; admins see all.

use std::collections::BTreeMap;

use madoguchi_core::event::EventKind;
use madoguchi_core::model::User;
use madoguchi_core::ticket::{Callback, Incident, NewTicket, Satisfaction, Ticket};
use madoguchi_core::values::TicketKey;
use madoguchi_core::{Desk, Priority, Role, Status, SupportPlan};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::{Dialect, code, like_pattern, new_id, now, search_text, time};
use crate::error::ConstraintExt;
use crate::events::append;
use crate::outbox::announce;
use crate::{Cursor, Page, PageRequest, Result, Store, StoreError};
use madoguchi_core::notify::Happening;

/// Who is looking: decides which tickets exist for them.
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    Customer {
        user_id: &'a str,
        organization_id: &'a str,
    },
    Agent {
        user_id: &'a str,
    },
    Admin,
}

impl<'a> Viewer<'a> {
    pub fn of(user: &'a User) -> Viewer<'a> {
        match (user.role, user.organization_id.as_deref()) {
            (Role::Admin, _) => Viewer::Admin,
            (Role::Agent, _) => Viewer::Agent { user_id: &user.id },
            // A customer without an organization cannot exist (a CHECK says so); seeing
            // nothing is the safe reading of one anyway.
            (_, Some(org)) => Viewer::Customer {
                user_id: &user.id,
                organization_id: org,
            },
            (_, None) => Viewer::Customer {
                user_id: &user.id,
                organization_id: "",
            },
        }
    }

    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Viewer::Customer { .. } => "customer",
            Viewer::Agent { .. } => "agent",
            Viewer::Admin => "admin",
        }
    }

    pub(crate) fn user_id(&self) -> &str {
        match self {
            Viewer::Customer { user_id, .. } | Viewer::Agent { user_id } => user_id,
            Viewer::Admin => "",
        }
    }

    pub(crate) fn organization_id(&self) -> &str {
        match self {
            Viewer::Customer {
                organization_id, ..
            } => organization_id,
            _ => "",
        }
    }
}

/// Which tickets a list shows.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<Status>,
    pub ticket_type: Option<String>,
    pub service_menu: Option<String>,
    pub desk: Option<Desk>,
    /// Words that must appear in the summary or the details (any case; Japanese works as a
    /// substring, with no need for word boundaries).
    pub q: Option<String>,
}

/// A page of tickets with how many match in all and per status.
#[derive(Debug, Clone)]
pub struct TicketList {
    pub page: Page<Ticket>,
    pub total: i64,
    /// Matching tickets per status, ignoring the status filter (for the filter's counts).
    pub by_status: Vec<(Status, i64)>,
}

/// A user as others see them: name and email, for participants, authors and assignees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// What filing writes besides the ticket's own fields.
#[derive(Debug, Clone)]
pub struct Filing<'a> {
    pub organization_id: &'a str,
    pub contract_id: &'a str,
    pub created_by: &'a str,
    pub participant_ids: &'a [String],
    pub attachment_ids: &'a [String],
    pub follow_up_of: Option<&'a str>,
}

// Visibility, one condition per kind of viewer, so that each query plan can use its index
// (the organization's tickets for customers, the desk's for agents). Every variant binds
// $1 viewer kind, $2 user id, $3 organization id, so the parameters line up. Every query of
// tickets, their attachments and the requester's other tickets takes its condition from here.
//
// A customer sees a ticket only through their own live permission on its contract
// (`core::access::may_view_ticket`): taking part in a ticket, or having filed it, adds
// nothing, so a revoked permission hides the contract's tickets at once (SPEC §1).
macro_rules! visible_to_customer {
    () => {
        "($1 = 'customer' AND t.organization_id = $3 AND t.contract_id IN (
            SELECT tp.contract_id FROM ticket_permissions tp WHERE tp.user_id = $2))"
    };
}
macro_rules! visible_to_agent {
    () => {
        "($1 = 'agent' AND $3 = $3 AND t.desk IN (SELECT dm.desk FROM desk_members dm WHERE dm.user_id = $2))"
    };
}
macro_rules! visible_to_admin {
    () => {
        "($1 = 'admin' AND $2 = $2 AND $3 = $3)"
    };
}

/// Picks the query of `$template` (a macro taking the visibility condition) for `$viewer`.
macro_rules! for_viewer {
    ($viewer:expr, $template:ident) => {
        match $viewer {
            Viewer::Customer { .. } => $template!(visible_to_customer!()),
            Viewer::Agent { .. } => $template!(visible_to_agent!()),
            Viewer::Admin => $template!(visible_to_admin!()),
        }
    };
}

pub(crate) use {for_viewer, visible_to_admin, visible_to_agent, visible_to_customer};

/// The filters of a list: $4 status, $5 type, $6 menu, $7 desk, $8 words (a LIKE pattern).
macro_rules! filtered {
    () => {
        " AND ($4 IS NULL OR t.status = $4) AND ($5 IS NULL OR t.ticket_type = $5)
          AND ($6 IS NULL OR t.service_menu = $6) AND ($7 IS NULL OR t.desk = $7)
          AND ($8 IS NULL OR t.search_text LIKE $8 ESCAPE '\\')"
    };
}

macro_rules! columns {
    () => {
        "t.id, t.number, t.organization_id, t.contract_id, c.contract_number, c.plan, t.ticket_type, t.desk, t.status,
         t.priority, t.assignee_id, t.summary, t.service_menu, t.tenant_id, t.details, t.menu_fields,
         t.incident_occurred_at, t.incident_operation_history, t.incident_current_status,
         t.callback_phone, t.callback_contact_name, t.callback_preferred_window,
         (SELECT f.number FROM tickets f WHERE f.id = t.follow_up_of) AS follow_up_number,
         (SELECT m.number FROM tickets m WHERE m.id = t.merged_into) AS merged_into_number,
         (SELECT o.name FROM organizations o WHERE o.id = t.organization_id) AS organization_name,
         t.created_by, t.created_at, t.updated_at, t.status_changed_at, t.closed_at,
         t.satisfaction_rating, t.satisfaction_comment, t.satisfaction_at,
         t.sla_first_response_due_at, t.sla_first_responded_at, t.sla_next_update_due_at,
         t.sla_due_soon_at, t.sla_paused_at, t.sla_breached,
         (SELECT string_agg(p.user_id, ',' ORDER BY p.user_id) FROM ticket_participants p
           WHERE p.ticket_id = t.id) AS participant_list"
    };
}

pub(crate) use columns;

pub(crate) fn ticket_from(row: &AnyRow) -> Result<Ticket> {
    let menu_fields: String = row.try_get("menu_fields")?;
    let menu_fields: BTreeMap<String, String> =
        serde_json::from_str(&menu_fields).map_err(StoreError::corrupt)?;
    let incident = match row.try_get::<Option<i64>, _>("incident_occurred_at")? {
        Some(at) => Some(Incident {
            occurred_at: time(at)?,
            operation_history: row
                .try_get::<Option<String>, _>("incident_operation_history")?
                .unwrap_or_default(),
            current_status: row
                .try_get::<Option<String>, _>("incident_current_status")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let callback = match row.try_get::<Option<String>, _>("callback_phone")? {
        Some(phone) => Some(Callback {
            phone,
            contact_name: row
                .try_get::<Option<String>, _>("callback_contact_name")?
                .unwrap_or_default(),
            preferred_window: row
                .try_get::<Option<String>, _>("callback_preferred_window")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let number = |n: i64| {
        u64::try_from(n)
            .map(TicketKey::from_number)
            .map_err(StoreError::corrupt)
    };
    Ok(Ticket {
        id: row.try_get("id")?,
        key: number(row.try_get("number")?)?,
        organization_id: row.try_get("organization_id")?,
        organization_name: row.try_get("organization_name")?,
        contract_id: row.try_get("contract_id")?,
        contract_number: row.try_get("contract_number")?,
        plan: code(SupportPlan::parse(&row.try_get::<String, _>("plan")?))?,
        ticket_type: row.try_get("ticket_type")?,
        desk: code(Desk::parse(&row.try_get::<String, _>("desk")?))?,
        status: code(Status::parse(&row.try_get::<String, _>("status")?))?,
        priority: code(Priority::parse(&row.try_get::<String, _>("priority")?))?,
        assignee_id: row.try_get("assignee_id")?,
        summary: row.try_get("summary")?,
        service_menu: row.try_get("service_menu")?,
        tenant_id: row.try_get("tenant_id")?,
        details: row.try_get("details")?,
        menu_fields,
        incident,
        callback,
        participant_ids: row
            .try_get::<Option<String>, _>("participant_list")?
            .map(|list| list.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        created_by: row.try_get("created_by")?,
        follow_up_of: row
            .try_get::<Option<i64>, _>("follow_up_number")?
            .map(number)
            .transpose()?,
        merged_into: row
            .try_get::<Option<i64>, _>("merged_into_number")?
            .map(number)
            .transpose()?,
        created_at: time(row.try_get("created_at")?)?,
        updated_at: time(row.try_get("updated_at")?)?,
        status_changed_at: time(
            row.try_get::<Option<i64>, _>("status_changed_at")?
                .unwrap_or(row.try_get("updated_at")?),
        )?,
        closed_at: row
            .try_get::<Option<i64>, _>("closed_at")?
            .map(time)
            .transpose()?,
        satisfaction: match row.try_get::<Option<i64>, _>("satisfaction_rating")? {
            Some(rating) => Some(Satisfaction {
                rating: u8::try_from(rating).map_err(StoreError::corrupt)?,
                comment: row.try_get("satisfaction_comment")?,
                rated_at: time(
                    row.try_get::<Option<i64>, _>("satisfaction_at")?
                        .unwrap_or_default(),
                )?,
            }),
            None => None,
        },
        sla: crate::sla::record_from(row)?,
    })
}

impl Store {
    /// Files a ticket: a new key, the ticket, its participants, its attachments, the
    /// `ticket.created` event and a notification for the desk, in one transaction.
    pub async fn file_ticket(&self, filing: &Filing<'_>, ticket: &NewTicket) -> Result<Ticket> {
        let id = new_id();
        let at = now();
        let mut tx = self.begin().await?;
        let number: i64 = sqlx::query_scalar(
            "UPDATE counters SET value = value + 1 WHERE name = 'ticket_number' RETURNING value",
        )
        .fetch_one(&mut *tx)
        .await?;
        let incident = ticket.incident.as_ref();
        let callback = ticket.callback.as_ref();
        sqlx::query(
            "INSERT INTO tickets (id, number, organization_id, contract_id, ticket_type, desk, status, summary,
               service_menu, tenant_id, details, menu_fields, incident_occurred_at, incident_operation_history,
               incident_current_status, callback_phone, callback_contact_name, callback_preferred_window,
               follow_up_of, created_by, created_at, updated_at, search_text, status_changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'new', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $21, $20)",
        )
        .bind(&id)
        .bind(number)
        .bind(filing.organization_id)
        .bind(filing.contract_id)
        .bind(&ticket.ticket_type.code)
        .bind(ticket.ticket_type.desk.code())
        .bind(&ticket.summary)
        .bind(&ticket.service_menu)
        .bind(&ticket.tenant_id)
        .bind(&ticket.details)
        .bind(serde_json::to_string(&ticket.menu_fields).map_err(StoreError::corrupt)?)
        .bind(incident.map(|i| i.occurred_at.as_microsecond()))
        .bind(incident.map(|i| i.operation_history.as_str()))
        .bind(incident.map(|i| i.current_status.as_str()))
        .bind(callback.map(|c| c.phone.as_str()))
        .bind(callback.map(|c| c.contact_name.as_str()))
        .bind(callback.map(|c| c.preferred_window.as_str()))
        .bind(filing.follow_up_of)
        .bind(filing.created_by)
        .bind(at)
        .bind(search_text(&[&ticket.summary, &ticket.details]))
        .execute(&mut *tx)
        .await
        .dangling("tenant_id")?;
        for user_id in filing.participant_ids {
            sqlx::query("INSERT INTO ticket_participants (ticket_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(&id)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .dangling("participants")?;
        }
        crate::attachments::attach(&mut tx, filing.attachment_ids, filing.created_by, &id, None)
            .await?;
        crate::sla::track(&mut tx, &id, crate::sla::SlaChange::Filed, at).await?;
        let key = TicketKey::from_number(number as u64).to_string();
        let event = append(
            &mut tx,
            EventKind::TicketCreated,
            Some(filing.created_by),
            &id,
            Some(filing.organization_id),
            json!({ "key": key, "ticket_type": ticket.ticket_type.code, "desk": ticket.ticket_type.desk, "public": true }),
        )
        .await?;
        let filed = ticket_by_id(&mut tx, &id).await?;
        announce(
            &mut tx,
            event,
            Happening::Filed,
            &filed,
            json!({ "key": key, "summary": ticket.summary }),
        )
        .await?;
        tx.commit().await?;
        Ok(filed)
    }

    /// One ticket, if `viewer` may see it; `NotFound` otherwise, exactly as if it did not exist.
    pub async fn ticket(&self, viewer: Viewer<'_>, key: TicketKey) -> Result<Ticket> {
        macro_rules! one_sql {
            ($($visible:tt)*) => {
                concat!(
                    "SELECT ",
                    columns!(),
                    " FROM tickets t JOIN contracts c ON c.id = t.contract_id WHERE t.number = $4 AND ",
                    $($visible)*
                )
            };
        }
        let row = sqlx::query(for_viewer!(viewer, one_sql))
            .bind(viewer.kind())
            .bind(viewer.user_id())
            .bind(viewer.organization_id())
            .bind(key.number() as i64)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        ticket_from(&row)
    }

    /// The tickets `viewer` may see, newest first, with counts.
    pub async fn tickets(
        &self,
        viewer: Viewer<'_>,
        filter: &TicketFilter,
        page: &PageRequest,
    ) -> Result<TicketList> {
        let before: i64 = match page.after.as_ref() {
            Some(c) => c.key().parse().map_err(|_| StoreError::BadCursor)?,
            None => i64::MAX,
        };
        let pattern = filter
            .q
            .as_deref()
            .filter(|q| !q.trim().is_empty())
            .map(like_pattern);
        macro_rules! list_sql {
            ($($visible:tt)*) => {
                concat!(
                    "SELECT ",
                    columns!(),
                    " FROM tickets t JOIN contracts c ON c.id = t.contract_id WHERE ",
                    $($visible)*,
                    filtered!(),
                    " AND t.number < $9 ORDER BY t.number DESC LIMIT $10"
                )
            };
        }
        let rows = sqlx::query(for_viewer!(viewer, list_sql))
            .bind(viewer.kind())
            .bind(viewer.user_id())
            .bind(viewer.organization_id())
            .bind(filter.status.map(Status::code))
            .bind(filter.ticket_type.as_deref())
            .bind(filter.service_menu.as_deref())
            .bind(filter.desk.map(Desk::code))
            .bind(pattern.as_deref())
            .bind(before)
            .bind(page.fetch())
            .fetch_all(&self.read)
            .await?;
        let tickets = rows.iter().map(ticket_from).collect::<Result<Vec<_>>>()?;
        let mut page = page.finish(tickets, |_| "");
        page.next_cursor = match page.next_cursor {
            Some(_) => page
                .items
                .last()
                .map(|t| Cursor::after(&t.key.number().to_string())),
            None => None,
        };
        macro_rules! counts_sql {
            ($($visible:tt)*) => {
                concat!(
                    "SELECT t.status, COUNT(*) FROM tickets t WHERE ",
                    $($visible)*,
                    filtered!(),
                    " GROUP BY t.status"
                )
            };
        }
        // Without filters the counts read only the covering index `tickets_counts`.
        macro_rules! all_counts_sql {
            ($($visible:tt)*) => {
                concat!("SELECT t.status, COUNT(*) FROM tickets t WHERE ", $($visible)*, " GROUP BY t.status")
            };
        }
        let unfiltered = filter.ticket_type.is_none()
            && filter.service_menu.is_none()
            && filter.desk.is_none()
            && pattern.is_none();
        let query = if unfiltered {
            sqlx::query_as(for_viewer!(viewer, all_counts_sql))
                .bind(viewer.kind())
                .bind(viewer.user_id())
                .bind(viewer.organization_id())
        } else {
            sqlx::query_as(for_viewer!(viewer, counts_sql))
                .bind(viewer.kind())
                .bind(viewer.user_id())
                .bind(viewer.organization_id())
                .bind(Option::<&str>::None)
                .bind(filter.ticket_type.as_deref())
                .bind(filter.service_menu.as_deref())
                .bind(filter.desk.map(Desk::code))
                .bind(pattern.as_deref())
        };
        let counts: Vec<(String, i64)> = query.fetch_all(&self.read).await?;
        let by_status = counts
            .into_iter()
            .map(|(s, n)| Ok((code(Status::parse(&s))?, n)))
            .collect::<Result<Vec<_>>>()?;
        let total = match filter.status {
            Some(s) => by_status
                .iter()
                .filter(|(st, _)| *st == s)
                .map(|(_, n)| n)
                .sum(),
            None => by_status.iter().map(|(_, n)| n).sum(),
        };
        Ok(TicketList {
            page,
            total,
            by_status,
        })
    }

    /// Those of these tickets `viewer` may see, in the order of `ids` (the search index's
    /// ranking). The index already carried the caller's visibility; this reads it again.
    pub async fn tickets_among(&self, viewer: Viewer<'_>, ids: &[String]) -> Result<Vec<Ticket>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        macro_rules! among_sqlite {
            ($($visible:tt)*) => {
                concat!(
                    "SELECT ", columns!(),
                    " FROM tickets t JOIN contracts c ON c.id = t.contract_id",
                    " WHERE t.id IN (SELECT value FROM json_each($4)) AND ", $($visible)*
                )
            };
        }
        macro_rules! among_postgres {
            ($($visible:tt)*) => {
                concat!(
                    "SELECT ", columns!(),
                    " FROM tickets t JOIN contracts c ON c.id = t.contract_id",
                    " WHERE t.id IN (SELECT jsonb_array_elements_text($4::jsonb)) AND ", $($visible)*
                )
            };
        }
        let sql = match self.dialect() {
            Dialect::Sqlite => for_viewer!(viewer, among_sqlite),
            Dialect::Postgres => for_viewer!(viewer, among_postgres),
        };
        let rows = sqlx::query(sql)
            .bind(viewer.kind())
            .bind(viewer.user_id())
            .bind(viewer.organization_id())
            .bind(json_list(ids)?)
            .fetch_all(&self.read)
            .await?;
        let mut tickets = rows.iter().map(ticket_from).collect::<Result<Vec<_>>>()?;
        let rank: std::collections::HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        tickets.sort_by_key(|t| rank.get(t.id.as_str()).copied().unwrap_or(usize::MAX));
        Ok(tickets)
    }

    /// People by id, for showing participants, authors and assignees.
    pub async fn people(&self, ids: &[String]) -> Result<Vec<Person>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT id, name, email, role FROM users WHERE id IN (SELECT value FROM json_each($1))"
            }
            Dialect::Postgres => {
                "SELECT id, name, email, role FROM users WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))"
            }
        };
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(sql)
            .bind(json_list(ids)?)
            .fetch_all(&self.read)
            .await?;
        rows.into_iter()
            .map(|(id, name, email, role)| {
                Ok(Person {
                    id,
                    name,
                    email,
                    role: code(Role::parse(&role))?,
                })
            })
            .collect()
    }
}

/// Ids as one JSON array parameter: both databases expand it into rows in SQL, so a list of
/// any length is one bound value and one round trip.
pub(crate) fn json_list(ids: &[String]) -> Result<String> {
    serde_json::to_string(ids).map_err(StoreError::corrupt)
}

/// A ticket by id inside a transaction, without visibility (the caller has checked it).
pub(crate) async fn ticket_by_id(conn: &mut AnyConnection, id: &str) -> Result<Ticket> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM tickets t JOIN contracts c ON c.id = t.contract_id WHERE t.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    ticket_from(&row)
}
