//! The event log: appended in the transaction of every write.

use jiff::Timestamp;
use madoguchi_core::event::EventKind;
use sqlx::{AnyConnection, Row};

use crate::db::{now, time};
use crate::{Result, Store};

/// One entry of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub occurred_at: Timestamp,
    pub actor_id: Option<String>,
    pub kind: String,
    pub subject_id: String,
    pub organization_id: Option<String>,
    pub data: serde_json::Value,
}

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct EventFilter<'a> {
    /// Only those about this record.
    pub subject_id: Option<&'a str>,
    /// Only those after this id (to follow the log).
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// Appends one event in the caller's transaction and answers its id.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    kind: EventKind,
    actor_id: Option<&str>,
    subject_id: &str,
    organization_id: Option<&str>,
    data: serde_json::Value,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (occurred_at, actor_id, kind, subject_id, organization_id, data)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(now())
    .bind(actor_id)
    .bind(kind.code())
    .bind(subject_id)
    .bind(organization_id)
    .bind(data.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

impl Store {
    /// Events in the order they happened.
    pub async fn events(&self, filter: EventFilter<'_>) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT id, occurred_at, actor_id, kind, subject_id, organization_id, data FROM events
             WHERE ($1 IS NULL OR subject_id = $1) AND id > $2
             ORDER BY id LIMIT $3",
        )
        .bind(filter.subject_id)
        .bind(filter.after_id.unwrap_or(0))
        .bind(if filter.limit > 0 { filter.limit } else { 1000 })
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|row| {
                let data: String = row.try_get("data")?;
                Ok(Event {
                    id: row.try_get("id")?,
                    occurred_at: time(row.try_get("occurred_at")?)?,
                    actor_id: row.try_get("actor_id")?,
                    kind: row.try_get("kind")?,
                    subject_id: row.try_get("subject_id")?,
                    organization_id: row.try_get("organization_id")?,
                    data: serde_json::from_str(&data).map_err(crate::StoreError::corrupt)?,
                })
            })
            .collect()
    }
}
