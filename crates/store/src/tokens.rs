use jiff::Timestamp;
use madoguchi_core::event::EventKind;
use madoguchi_core::model::User;
use madoguchi_core::token::{NewToken, is_live};
use serde_json::json;
use sqlx::{FromRow, Row};

use crate::db::{new_id, now, time};
use crate::events::append;
use crate::secrets::{digest, random_secret};
use crate::users::UserRow;
use crate::{Result, Store, StoreError};

/// Every token starts so, to be recognisable in logs and secret scanners.
const PREFIX: &str = "mdg_";

/// A token just created: the only moment its secret is known.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: String,
    pub token: String,
    pub name: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

/// A token as listed: never its secret.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: String,
    /// What its owner called it; tokens made before names existed have none.
    pub name: Option<String>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    /// After this the token is refused; `None` for no expiry.
    pub expires_at: Option<Timestamp>,
}

#[derive(FromRow)]
struct TokenRow {
    id: String,
    name: Option<String>,
    created_at: i64,
    last_used_at: Option<i64>,
    expires_at: Option<i64>,
}

/// How stale `last_used_at` may get: refreshing it on every request would make every read a
/// write.
const LAST_USED_PRECISION_MICROS: i64 = 3_600_000_000;

impl Store {
    /// Issues a new API token for a user, without a name or an expiry (the command line's).
    pub async fn create_token(&self, actor: Option<&str>, user_id: &str) -> Result<IssuedToken> {
        self.issue_token(actor, user_id, None, None).await
    }

    /// Issues a named API token, which `new.expires_at` may limit. Only its digest is stored.
    pub async fn create_named_token(
        &self,
        actor: Option<&str>,
        user_id: &str,
        new: &NewToken,
    ) -> Result<IssuedToken> {
        self.issue_token(actor, user_id, Some(new.name.as_str()), new.expires_at)
            .await
    }

    async fn issue_token(
        &self,
        actor: Option<&str>,
        user_id: &str,
        name: Option<&str>,
        expires_at: Option<Timestamp>,
    ) -> Result<IssuedToken> {
        let id = new_id();
        let token = format!("{PREFIX}{}", random_secret()?);
        let created_at = now();
        let mut tx = self.begin().await?;
        let organization_id: Option<Option<String>> =
            sqlx::query_scalar("SELECT organization_id FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let organization_id = organization_id.ok_or(StoreError::NotFound)?;
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, token_hash, created_at, name, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(digest(&token))
        .bind(created_at)
        .bind(name)
        .bind(expires_at.map(|t| t.as_microsecond()))
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            EventKind::TokenCreated,
            actor,
            user_id,
            organization_id.as_deref(),
            json!({ "token_id": id, "name": name, "expires_at": expires_at }),
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedToken {
            id,
            token,
            name: name.map(str::to_owned),
            created_at: time(created_at)?,
            expires_at,
        })
    }

    /// The user a token belongs to; `NotFound` for an unknown, revoked or expired token, or one
    /// of a disabled user.
    pub async fn user_by_token(&self, token: &str) -> Result<User> {
        if !token.starts_with(PREFIX) {
            return Err(StoreError::NotFound);
        }
        let hash = digest(token);
        if let Some(user) = self.tokens.get(&hash) {
            return Ok(user);
        }
        let row = sqlx::query(concat!(
            "SELECT t.id AS token_id, t.last_used_at, t.expires_at AS token_expires_at, ",
            "u.id, u.email, u.name, u.role, u.organization_id, u.locale, u.time_zone, u.created_at, u.password_hash, u.disabled_at",
            " FROM api_tokens t JOIN users u ON u.id = t.user_id",
            " WHERE t.token_hash = $1 AND u.disabled_at IS NULL",
            " AND (t.expires_at IS NULL OR t.expires_at > $2)"
        ))
        .bind(&hash)
        .bind(now())
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let token_id: String = row.try_get("token_id")?;
        let last_used: Option<i64> = row.try_get("last_used_at")?;
        let expires_at: Option<i64> = row.try_get("token_expires_at")?;
        let expires_at = expires_at.map(time).transpose()?;
        let user = UserRow::from_row(&row)?.into_user()?;
        let now = now();
        if last_used.is_none_or(|t| now - t > LAST_USED_PRECISION_MICROS) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token_id)
                .execute(&self.write)
                .await?;
        }
        self.tokens.put(hash, user.clone(), expires_at);
        Ok(user)
    }

    /// A user's tokens, newest first.
    pub async fn tokens_of(&self, user_id: &str) -> Result<Vec<TokenInfo>> {
        let rows: Vec<TokenRow> = sqlx::query_as(
            "SELECT id, name, created_at, last_used_at, expires_at FROM api_tokens
             WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(TokenInfo {
                    id: r.id,
                    name: r.name,
                    created_at: time(r.created_at)?,
                    last_used_at: r.last_used_at.map(time).transpose()?,
                    expires_at: r.expires_at.map(time).transpose()?,
                })
            })
            .collect()
    }

    pub async fn revoke_token(
        &self,
        actor: Option<&str>,
        user_id: &str,
        token_id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let deleted = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(token_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let organization_id: Option<String> =
            sqlx::query_scalar("SELECT organization_id FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
        append(
            &mut tx,
            EventKind::TokenRevoked,
            actor,
            user_id,
            organization_id.as_deref(),
            json!({ "token_id": token_id }),
        )
        .await?;
        tx.commit().await?;
        // After the commit: a request between a clear and the commit would cache the old row.
        self.tokens.clear();
        Ok(())
    }
}

/// Verified tokens and their users, kept for [`TOKEN_CACHE_TTL`]: every API request starts with
/// a token, and reading it again each time was a quarter of a queue page's round trips.
///
/// Whatever changes what a token means (revoking it, changing or deleting its user) clears the
/// cache of this instance at once; another instance sharing the database sees the change
/// within the time to live.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, CachedToken>>,
}

/// A verified token: its user, when it was verified, and when it expires.
#[derive(Debug)]
struct CachedToken {
    user: User,
    verified: std::time::Instant,
    expires_at: Option<Timestamp>,
}

/// How long a verified token is believed without asking the database again.
pub const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// Beyond this many tokens the cache starts over rather than grow without bound.
const TOKEN_CACHE_MAX: usize = 10_000;

impl TokenCache {
    fn get(&self, hash: &str) -> Option<User> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(hash)
            // An expiry falling inside the time to live counts at once.
            .filter(|t| {
                t.verified.elapsed() < TOKEN_CACHE_TTL && is_live(t.expires_at, Timestamp::now())
            })
            .map(|t| t.user.clone())
    }

    fn put(&self, hash: String, user: User, expires_at: Option<Timestamp>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= TOKEN_CACHE_MAX {
            entries.clear();
        }
        let verified = std::time::Instant::now();
        entries.insert(
            hash,
            CachedToken {
                user,
                verified,
                expires_at,
            },
        );
    }

    /// Forgets every token: called by every write that changes a token or a user.
    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
