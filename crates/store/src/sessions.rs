use jiff::{SignedDuration, Timestamp};
use madoguchi_core::event::EventKind;
use madoguchi_core::model::User;
use serde_json::json;
use sqlx::{FromRow, Row};

use crate::db::{now, time};
use crate::events::append;
use crate::secrets::{digest, random_secret};
use crate::users::UserRow;
use crate::{Result, Store, StoreError};

/// A logged-in browser: the cookie's secret, the CSRF token its forms carry, and who it is.
#[derive(Debug, Clone)]
pub struct Session {
    /// The cookie value; only its digest is stored.
    pub token: String,
    pub csrf_token: String,
    pub user: User,
    pub expires_at: Timestamp,
}

impl Store {
    /// Starts a session for a user who just proved who they are.
    pub async fn create_session(&self, user: &User, lifetime: SignedDuration) -> Result<Session> {
        let token = random_secret()?;
        let csrf_token = random_secret()?;
        let created_at = now();
        let expires_at = created_at.saturating_add(lifetime.as_micros() as i64);
        let mut tx = self.begin().await?;
        // Expired sessions are swept by whoever logs in next: no background job needed.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(created_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest(&token))
        .bind(&user.id)
        .bind(&csrf_token)
        .bind(created_at)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            EventKind::UserLoggedIn,
            Some(&user.id),
            &user.id,
            user.organization_id.as_deref(),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(Session {
            token,
            csrf_token,
            user: user.clone(),
            expires_at: time(expires_at)?,
        })
    }

    /// The live session with this cookie value; `NotFound` when unknown, expired, or its user
    /// is disabled.
    pub async fn session(&self, token: &str) -> Result<Session> {
        let row = sqlx::query(concat!(
            "SELECT s.csrf_token, s.expires_at, ",
            "u.id, u.email, u.name, u.role, u.organization_id, u.locale, u.time_zone, u.created_at, u.password_hash, u.disabled_at",
            // A disabled user's sessions are also deleted when disabled; this keeps out one
            // started in the same instant.
            " FROM sessions s JOIN users u ON u.id = s.user_id",
            " WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
        ))
        .bind(digest(token))
        .bind(now())
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(Session {
            token: token.to_owned(),
            csrf_token: row.try_get("csrf_token")?,
            expires_at: time(row.try_get("expires_at")?)?,
            user: UserRow::from_row(&row)?.into_user()?,
        })
    }

    /// Ends a session (logout). Ending one that is already gone is not an error.
    pub async fn end_session(&self, token: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let ended: Option<(String, Option<String>)> = sqlx::query_as(
            "DELETE FROM sessions WHERE id_hash = $1
             RETURNING user_id, (SELECT organization_id FROM users WHERE users.id = sessions.user_id)",
        )
        .bind(digest(token))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((user_id, organization_id)) = ended {
            let org = organization_id.as_deref();
            append(
                &mut tx,
                EventKind::UserLoggedOut,
                Some(&user_id),
                &user_id,
                org,
                json!({}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
