//! Webhook subscriptions and their fan-out: a job follows the event log and queues one outbox
//! row per (public event, matching subscription); the outbox worker delivers it signed.

use jiff::Timestamp;
use madoguchi_core::event::EventKind;
use serde_json::{Value, json};
use sqlx::FromRow;

use crate::db::{Dialect, new_id, now, time};
use crate::events::append;
use crate::outbox::enqueue;
use crate::{Result, Store, StoreError};

/// An admin's subscription of a URL to event types.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub active: bool,
    pub created_at: Timestamp,
    /// `whsec_…`: the signing secret; shown to the admin once, when created.
    pub secret: String,
}

#[derive(FromRow)]
struct WebhookRow {
    id: String,
    url: String,
    event_types: String,
    secret: String,
    active: i64,
    created_at: i64,
}

impl WebhookRow {
    fn into_webhook(self) -> Result<Webhook> {
        Ok(Webhook {
            id: self.id,
            url: self.url,
            event_types: serde_json::from_str(&self.event_types).map_err(StoreError::corrupt)?,
            active: self.active != 0,
            created_at: time(self.created_at)?,
            secret: self.secret,
        })
    }
}

/// What an admin changes on a subscription; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub active: Option<bool>,
}

const COLUMNS: &str = "id, url, event_types, secret, active, created_at";

impl Store {
    pub async fn create_webhook(
        &self,
        actor: Option<&str>,
        url: &str,
        event_types: &[String],
        secret: &str,
    ) -> Result<Webhook> {
        let id = new_id();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO webhooks (id, url, event_types, secret, active, created_at) VALUES ($1, $2, $3, $4, 1, $5)",
        )
        .bind(&id)
        .bind(url)
        .bind(json!(event_types).to_string())
        .bind(secret)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            EventKind::WebhookCreated,
            actor,
            &id,
            None,
            json!({ "url": url, "event_types": event_types }),
        )
        .await?;
        tx.commit().await?;
        self.webhook(&id).await
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        let rows: Vec<WebhookRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM webhooks ORDER BY created_at, id"
        )))
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(WebhookRow::into_webhook).collect()
    }

    pub async fn webhook(&self, id: &str) -> Result<Webhook> {
        let row: Option<WebhookRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM webhooks WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.write)
        .await?;
        row.ok_or(StoreError::NotFound)?.into_webhook()
    }

    pub async fn update_webhook(
        &self,
        actor: Option<&str>,
        id: &str,
        changes: &WebhookChanges,
    ) -> Result<Webhook> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE webhooks SET url = COALESCE($1, url), event_types = COALESCE($2, event_types),
                active = COALESCE($3, active) WHERE id = $4",
        )
        .bind(changes.url.as_deref())
        .bind(changes.event_types.as_ref().map(|t| json!(t).to_string()))
        .bind(changes.active.map(i64::from))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        append(
            &mut tx,
            EventKind::WebhookUpdated,
            actor,
            id,
            None,
            json!({ "url": changes.url, "event_types": changes.event_types, "active": changes.active }),
        )
        .await?;
        tx.commit().await?;
        self.webhook(id).await
    }

    pub async fn delete_webhook(&self, actor: Option<&str>, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        append(
            &mut tx,
            EventKind::WebhookDeleted,
            actor,
            id,
            None,
            json!({}),
        )
        .await?;
        // Deliveries not yet made for it are dropped with it.
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, skipped = 'webhook_deleted' WHERE recipient = $2 AND sent_at IS NULL",
        )
        .bind(now())
        .bind(format!("webhook:{id}"))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads up to `limit` events after the fan-out's position and queues a delivery for each
    /// public one that an active subscription (created before it) wants. One transaction with
    /// the position's move, the position's row locked on PostgreSQL: each event fans out once
    /// however many instances run this. Answers how many deliveries it queued.
    pub async fn fan_out_webhooks(&self, limit: i64) -> Result<usize> {
        let mut tx = self.begin().await?;
        let lock = match self.dialect() {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        };
        let position: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT position FROM job_cursors WHERE name = 'webhooks'{lock}"
        )))
        .fetch_one(&mut *tx)
        .await?;
        let hooks: Vec<WebhookRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM webhooks WHERE active = 1"
        )))
        .fetch_all(&mut *tx)
        .await?;
        let hooks = hooks
            .into_iter()
            .map(WebhookRow::into_webhook)
            .collect::<Result<Vec<_>>>()?;
        let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
            "SELECT id, occurred_at, kind, subject_id, data FROM events WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(position)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut queued = 0;
        let mut last = position;
        for (id, occurred_at, kind, subject_id, data) in rows {
            last = id;
            let Ok(mut data) = serde_json::from_str::<Value>(&data) else {
                continue;
            };
            // Only what customers may see leaves the system: never an internal note.
            if data.get("public") != Some(&Value::Bool(true)) {
                continue;
            }
            if let Some(map) = data.as_object_mut() {
                map.remove("public");
                map.insert("id".into(), json!(subject_id));
            }
            let at = time(occurred_at)?;
            for hook in &hooks {
                if at < hook.created_at || !hook.event_types.contains(&kind) {
                    continue;
                }
                let body = json!({ "type": kind, "timestamp": at.to_string(), "data": data });
                let payload = json!({ "webhook_id": format!("msg_{id}"), "body": body });
                enqueue(
                    &mut tx,
                    id,
                    "webhook",
                    &format!("webhook:{}", hook.id),
                    payload,
                )
                .await?;
                queued += 1;
            }
        }
        sqlx::query("UPDATE job_cursors SET position = $1 WHERE name = 'webhooks'")
            .bind(last)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(queued)
    }
}
