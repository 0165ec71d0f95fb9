//! The audit log's reading side: the event log filtered by actor, organization, kinds and
//! time, newest first, paged by id (keyset), with each actor's name and email.
//!
//! What a customer admin may see (`core::audit::customer_admin_sees`) is a clause of the query,
//! so their pages are never cut short by filtering afterwards.

use jiff::Timestamp;
use madoguchi_core::Role;
use madoguchi_core::audit::{AuditScope, ORGANIZATION_ACCOUNT_KINDS};
use madoguchi_core::event::EventKind;
use madoguchi_core::model::User;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Dialect, time};
use crate::events::{Event, append};
use crate::page::{Page, PageRequest};
use crate::{Result, Store, StoreError};

/// Which events the audit log shows; every part narrows it.
#[derive(Debug, Clone)]
pub struct AuditFilter {
    /// Whose part of the log: every event, or one organization's customer side.
    pub scope: AuditScope,
    pub actor_id: Option<String>,
    pub organization_id: Option<String>,
    /// Any of these kinds; every kind when empty.
    pub kinds: Vec<EventKind>,
    /// At or after.
    pub from: Option<Timestamp>,
    /// Before.
    pub to: Option<Timestamp>,
}

/// Who did it, as the log names them; `None` fields once the user is deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditActor {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<Role>,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub event: Event,
    /// `None` for the system (jobs, incoming mail).
    pub actor: Option<AuditActor>,
    /// The organization's name, when the event belongs to one that still exists.
    pub organization_name: Option<String>,
}

/// SQL with `$n` parameters numbered as they are added; every value is bound.
struct Sql {
    text: String,
    args: Vec<Arg>,
}

enum Arg {
    Text(String),
    Int(i64),
}

impl Sql {
    fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }
}

impl Store {
    /// A page of the audit log, newest first. The cursor is the last id shown; a cursor that
    /// is not one answers `BadCursor`.
    pub async fn audit_events(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        let before = match &page.after {
            Some(c) => Some(c.key().parse::<i64>().map_err(|_| StoreError::BadCursor)?),
            None => None,
        };
        // `'true'`, `'false'` or NULL: the data's `"public"` flag as text on both databases.
        let public = match self.dialect() {
            Dialect::Sqlite => "json_type(e.data, '$.public')",
            Dialect::Postgres => "(e.data::jsonb ->> 'public')",
        };
        let mut sql = Sql {
            text: String::from(
                "SELECT e.id, e.occurred_at, e.actor_id, e.kind, e.subject_id, e.organization_id, e.data,
                        u.name AS actor_name, u.email AS actor_email, u.role AS actor_role, o.name AS organization_name
                 FROM events e
                 LEFT JOIN users u ON u.id = e.actor_id
                 LEFT JOIN organizations o ON o.id = e.organization_id
                 WHERE 1 = 1",
            ),
            args: Vec::new(),
        };
        if let AuditScope::Organization(org) = &filter.scope {
            let p = sql.arg(Arg::Text(org.clone()));
            let kinds: Vec<String> = ORGANIZATION_ACCOUNT_KINDS
                .iter()
                .map(|k| sql.arg(Arg::Text(k.code().to_owned())))
                .collect();
            // core::audit::customer_admin_sees, in SQL.
            sql.text.push_str(&format!(
                " AND e.organization_id = {p} AND ({public} = 'true' OR ({public} IS NULL AND e.kind IN ({})))",
                kinds.join(", ")
            ));
        }
        if let Some(org) = &filter.organization_id {
            let p = sql.arg(Arg::Text(org.clone()));
            sql.text.push_str(&format!(" AND e.organization_id = {p}"));
        }
        if let Some(actor) = &filter.actor_id {
            let p = sql.arg(Arg::Text(actor.clone()));
            sql.text.push_str(&format!(" AND e.actor_id = {p}"));
        }
        if !filter.kinds.is_empty() {
            let list: Vec<String> = filter
                .kinds
                .iter()
                .map(|k| sql.arg(Arg::Text(k.code().to_owned())))
                .collect();
            sql.text
                .push_str(&format!(" AND e.kind IN ({})", list.join(", ")));
        }
        if let Some(from) = filter.from {
            let p = sql.arg(Arg::Int(from.as_microsecond()));
            sql.text.push_str(&format!(" AND e.occurred_at >= {p}"));
        }
        if let Some(to) = filter.to {
            let p = sql.arg(Arg::Int(to.as_microsecond()));
            sql.text.push_str(&format!(" AND e.occurred_at < {p}"));
        }
        if let Some(before) = before {
            let p = sql.arg(Arg::Int(before));
            sql.text.push_str(&format!(" AND e.id < {p}"));
        }
        let limit = sql.arg(Arg::Int(page.fetch()));
        sql.text
            .push_str(&format!(" ORDER BY e.id DESC LIMIT {limit}"));

        // The text is built only from this module's literals and `$n` placeholders.
        // Unnamed on PostgreSQL so each query is planned with its values (which index to use
        // depends on which filters are given and how selective they are).
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.text))
            .persistent(self.dialect() == Dialect::Sqlite);
        for arg in sql.args {
            query = match arg {
                Arg::Text(v) => query.bind(v),
                Arg::Int(v) => query.bind(v),
            };
        }
        let rows = query.fetch_all(&self.read).await?;
        let items = rows
            .iter()
            .map(audit_event)
            .collect::<Result<Vec<AuditEvent>>>()?;
        let keys: Vec<String> = items.iter().map(|i| i.event.id.to_string()).collect();
        let page = page.finish(items.into_iter().zip(keys).collect(), |(_, k)| k.as_str());
        Ok(page.map(|(item, _)| item))
    }

    /// Records a failed sign-in of a known user: who, and by which way in (never what was
    /// typed). Unknown emails are not recorded: the log would fill with what strangers typed.
    pub async fn record_sign_in_failure(&self, user: &User, via: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        append(
            &mut tx,
            EventKind::SignInFailed,
            None,
            &user.id,
            user.organization_id.as_deref(),
            json!({ "via": via }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn audit_event(row: &AnyRow) -> Result<AuditEvent> {
    let data: String = row.try_get("data")?;
    let actor_id: Option<String> = row.try_get("actor_id")?;
    let event = Event {
        id: row.try_get("id")?,
        occurred_at: time(row.try_get("occurred_at")?)?,
        actor_id: actor_id.clone(),
        kind: row.try_get("kind")?,
        subject_id: row.try_get("subject_id")?,
        organization_id: row.try_get("organization_id")?,
        data: serde_json::from_str(&data).map_err(StoreError::corrupt)?,
    };
    Ok(AuditEvent {
        actor: actor_id
            .map(|id| -> Result<AuditActor> {
                Ok(AuditActor {
                    id,
                    name: row.try_get("actor_name")?,
                    email: row.try_get("actor_email")?,
                    role: row
                        .try_get::<Option<String>, _>("actor_role")?
                        .map(|r| Role::parse(&r).map_err(StoreError::corrupt))
                        .transpose()?,
                })
            })
            .transpose()?,
        organization_name: row.try_get("organization_name")?,
        event,
    })
}
