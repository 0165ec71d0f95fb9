//! What the notification worker reads besides the outbox: users' preferences, desk addresses,
//! the server secret that signs reply addresses, and the online backup.

use madoguchi_core::Desk;
use madoguchi_core::event::EventKind;
use madoguchi_core::notify::NoticeKind;
use serde_json::json;

use crate::db::Dialect;
use crate::events::append;
use crate::{Result, Store, StoreError};

const MAIL_SECRET: &str = "mail_secret";

impl Store {
    /// The kinds `user_id` switched off (every other kind is on).
    pub async fn notifications_off(&self, user_id: &str) -> Result<Vec<NoticeKind>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT kind FROM notification_preferences WHERE user_id = $1 AND enabled = 0 ORDER BY kind",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|k| NoticeKind::parse(k).ok())
            .collect())
    }

    /// Switches kinds on or off for `user_id`, with an event.
    pub async fn set_notifications(
        &self,
        user_id: &str,
        kinds: &[(NoticeKind, bool)],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        for (kind, enabled) in kinds {
            sqlx::query(
                "INSERT INTO notification_preferences (user_id, kind, enabled) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, kind) DO UPDATE SET enabled = excluded.enabled",
            )
            .bind(user_id)
            .bind(kind.code())
            .bind(i64::from(*enabled))
            .execute(&mut *tx)
            .await?;
        }
        let changes: serde_json::Map<String, serde_json::Value> = kinds
            .iter()
            .map(|(k, on)| (k.code().to_owned(), json!(on)))
            .collect();
        append(
            &mut tx,
            EventKind::UserUpdated,
            Some(user_id),
            user_id,
            None,
            json!({ "notifications": changes }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The desk's shared address, if an admin set one.
    pub async fn desk_email(&self, desk: Desk) -> Result<Option<String>> {
        let email: Option<Option<String>> =
            sqlx::query_scalar("SELECT email FROM desks WHERE code = $1")
                .bind(desk.code())
                .fetch_optional(&self.read)
                .await?;
        Ok(email.flatten())
    }

    /// Sets (or with `None` clears) the desk's address.
    pub async fn set_desk_email(
        &self,
        actor: Option<&str>,
        desk: Desk,
        email: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE desks SET email = $1 WHERE code = $2")
            .bind(email)
            .bind(desk.code())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        append(
            &mut tx,
            EventKind::SettingsUpdated,
            actor,
            "settings",
            None,
            json!({ "changes": { format!("desk_email.{}", desk.code()): { "to": email } } }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The server secret that signs reply addresses: made once, at random, and kept in the
    /// database so that every instance signs and checks alike.
    pub async fn mail_secret(&self) -> Result<String> {
        let existing: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(MAIL_SECRET)
                .fetch_optional(&self.read)
                .await?;
        if let Some(secret) = existing {
            return Ok(secret);
        }
        let candidate = crate::random_secret()?;
        // Two instances starting at once: the first write wins, both read it back.
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(MAIL_SECRET)
        .bind(&candidate)
        .execute(&self.write)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(MAIL_SECRET)
                .fetch_one(&self.write)
                .await?,
        )
    }

    /// A consistent copy of a SQLite database into `path` while it serves (`VACUUM INTO`
    /// reads one snapshot; writers go on). `Err(Unsupported)` on PostgreSQL, whose own tools
    /// (`pg_dump`) do this.
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        if self.dialect() == Dialect::Postgres {
            return Err(StoreError::Refused(
                "the database is PostgreSQL: back it up with its own tools, e.g. `pg_dump --format=custom --file=FILE DATABASE_URL` (consistent while serving), or pg_basebackup for a whole cluster".into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Refused(format!(
                "{} exists already; choose a new file",
                path.display()
            )));
        }
        let target = path.to_string_lossy().into_owned();
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.read)
            .await?;
        Ok(())
    }
}
