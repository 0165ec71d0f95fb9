use madoguchi_core::event::EventKind;
use madoguchi_core::model::{DEFAULT_TIME_ZONE, NewUser, User};
use madoguchi_core::values::{Email, Name};
use madoguchi_core::{Locale, Role};
use serde_json::json;
use sqlx::{AnyConnection, FromRow};

use crate::db::{code, new_id, now, time};
use crate::error::ConstraintExt;
use crate::events::append;
use crate::{Page, PageRequest, Result, Store, StoreError};

macro_rules! columns {
    () => {
        "id, email, name, role, organization_id, locale, time_zone, created_at, password_hash, disabled_at"
    };
}

#[derive(FromRow)]
pub(crate) struct UserRow {
    id: String,
    email: String,
    name: String,
    role: String,
    organization_id: Option<String>,
    locale: String,
    time_zone: String,
    created_at: i64,
    password_hash: Option<String>,
    disabled_at: Option<i64>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User> {
        Ok(self.with_password()?.user)
    }

    fn with_password(self) -> Result<UserWithPassword> {
        Ok(UserWithPassword {
            user: User {
                id: self.id,
                email: self.email,
                name: self.name,
                role: code(Role::parse(&self.role))?,
                organization_id: self.organization_id,
                locale: code(Locale::parse(&self.locale))?,
                time_zone: self.time_zone,
                created_at: time(self.created_at)?,
                disabled_at: self.disabled_at.map(time).transpose()?,
            },
            password_hash: self.password_hash,
        })
    }
}

/// A user with their password's hash, for logging in; nothing else reads the hash.
#[derive(Debug, Clone)]
pub struct UserWithPassword {
    pub user: User,
    pub password_hash: Option<String>,
}

/// Which users to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter<'a> {
    pub organization_id: Option<&'a str>,
    pub role: Option<Role>,
}

/// What may change about a user; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub email: Option<Email>,
    pub name: Option<Name>,
    pub role: Option<Role>,
    pub locale: Option<Locale>,
    pub time_zone: Option<String>,
    /// A new Argon2id hash; setting it ends the user's sessions.
    pub password_hash: Option<String>,
    /// For agents: exactly these desks.
    pub desks: Option<Vec<madoguchi_core::Desk>>,
    /// `true` disables the user (ending their sessions), `false` enables them again.
    pub disabled: Option<bool>,
}

impl UserChanges {
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.name.is_none()
            && self.role.is_none()
            && self.locale.is_none()
            && self.time_zone.is_none()
            && self.password_hash.is_none()
            && self.desks.is_none()
            && self.disabled.is_none()
    }
}

/// Inserts a user with their desks and appends their event, in the caller's transaction.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    actor: Option<&str>,
    new: &NewUser,
) -> Result<User> {
    let id = new_id();
    let row: UserRow = sqlx::query_as(concat!(
        "INSERT INTO users (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL) RETURNING ",
        columns!()
    ))
    .bind(&id)
    .bind(new.email.as_str())
    .bind(new.name.as_str())
    .bind(new.role.code())
    .bind(new.organization_id.as_deref())
    .bind(new.locale.code())
    .bind(new.time_zone.as_deref().unwrap_or(DEFAULT_TIME_ZONE))
    .bind(now())
    .bind(new.password_hash.as_deref())
    .fetch_one(&mut *conn)
    .await
    .taken("email")
    .dangling("organization_id")?;
    for desk in &new.desks {
        sqlx::query("INSERT INTO desk_members (desk, user_id) VALUES ($1, $2)")
            .bind(desk.code())
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    }
    append(
        conn,
        EventKind::UserCreated,
        actor,
        &id,
        new.organization_id.as_deref(),
        json!({ "email": new.email, "name": new.name, "role": new.role, "desks": new.desks }),
    )
    .await?;
    row.into_user()
}

impl Store {
    pub async fn create_user(&self, actor: Option<&str>, new: &NewUser) -> Result<User> {
        let mut tx = self.begin().await?;
        let created = insert(&mut tx, actor, new).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn user(&self, id: &str) -> Result<User> {
        sqlx::query_as::<_, UserRow>(concat!("SELECT ", columns!(), " FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?
            .into_user()
    }

    /// The user with this (already normalised) email, with their password hash.
    pub async fn user_for_login(&self, email: &Email) -> Result<UserWithPassword> {
        sqlx::query_as::<_, UserRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM users WHERE email = $1"
        ))
        .bind(email.as_str())
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?
        .with_password()
    }

    pub async fn user_by_email(&self, email: &Email) -> Result<User> {
        Ok(self.user_for_login(email).await?.user)
    }

    pub async fn users(&self, filter: &UserFilter<'_>, page: &PageRequest) -> Result<Page<User>> {
        let rows: Vec<UserRow> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM users WHERE ($1 IS NULL OR organization_id = $1) AND ($2 IS NULL OR role = $2)
              AND id > $3 ORDER BY id LIMIT $4"
        ))
        .bind(filter.organization_id)
        .bind(filter.role.map(Role::code))
        .bind(page.after_key())
        .bind(page.fetch())
        .fetch_all(&self.read)
        .await?;
        let users = rows
            .into_iter()
            .map(UserRow::into_user)
            .collect::<Result<Vec<_>>>()?;
        Ok(page.finish(users, |u| &u.id))
    }

    /// The users who hold a ticket permission (view or edit) on a contract, by name: who may be
    /// added to its tickets as participants.
    pub async fn viewers_of_contract(&self, contract_id: &str) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.role, u.organization_id, u.locale, u.time_zone, u.created_at,
                    u.password_hash, u.disabled_at
             FROM users u JOIN ticket_permissions p ON p.user_id = u.id
             WHERE p.contract_id = $1 ORDER BY u.name, u.id",
        )
        .bind(contract_id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(UserRow::into_user).collect()
    }

    /// An organization's customer admins: the people who can grant ticket permission.
    pub async fn customer_admins(&self, organization_id: &str) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM users WHERE organization_id = $1 AND role = 'customer_admin' ORDER BY name"
        ))
        .bind(organization_id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(UserRow::into_user).collect()
    }

    pub async fn update_user(
        &self,
        actor: Option<&str>,
        id: &str,
        changes: &UserChanges,
    ) -> Result<User> {
        let mut tx = self.begin().await?;
        let row: UserRow = sqlx::query_as(concat!(
            "UPDATE users SET email = COALESCE($1, email), name = COALESCE($2, name), role = COALESCE($3, role),
             locale = COALESCE($4, locale), time_zone = COALESCE($5, time_zone) WHERE id = $6 RETURNING ",
            columns!()
        ))
        .bind(changes.email.as_ref().map(Email::as_str))
        .bind(changes.name.as_ref().map(Name::as_str))
        .bind(changes.role.map(Role::code))
        .bind(changes.locale.map(Locale::code))
        .bind(changes.time_zone.as_deref())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .taken("email")?
        .ok_or(StoreError::NotFound)?;
        if let Some(desks) = &changes.desks {
            sqlx::query("DELETE FROM desk_members WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for desk in desks {
                sqlx::query("INSERT INTO desk_members (desk, user_id) VALUES ($1, $2)")
                    .bind(desk.code())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let disabled = match changes.disabled {
            Some(disable) => set_disabled(&mut tx, actor, &row, disable).await?,
            None => None,
        };
        if let Some(hash) = &changes.password_hash {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        // Disabling and enabling have events of their own (above).
        let updated = UserChanges {
            disabled: None,
            ..changes.clone()
        };
        if !updated.is_empty() {
            append(
                &mut tx,
                EventKind::UserUpdated,
                actor,
                id,
                row.organization_id.as_deref(),
                json!({
                    "email": changes.email,
                    "name": changes.name,
                    "role": changes.role,
                    "locale": changes.locale,
                    "time_zone": changes.time_zone,
                    "password_changed": changes.password_hash.is_some(),
                    "desks": changes.desks,
                }),
            )
            .await?;
        }
        tx.commit().await?;
        // After the commit: a request between a clear and the commit would cache the old row.
        self.tokens.clear();
        let mut user = row.into_user()?;
        if let Some(disabled_at) = disabled {
            user.disabled_at = disabled_at.map(time).transpose()?;
        }
        Ok(user)
    }

    /// Sets (or with `None`, removes) a user's password hash and ends their sessions.
    pub async fn set_password(
        &self,
        actor: Option<&str>,
        id: &str,
        password_hash: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let organization_id: Option<Option<String>> = sqlx::query_scalar(
            "UPDATE users SET password_hash = $1 WHERE id = $2 RETURNING organization_id",
        )
        .bind(password_hash)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let organization_id = organization_id.ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            EventKind::PasswordChanged,
            actor,
            id,
            organization_id.as_deref(),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a user with their permissions, tokens and sessions; the event log keeps their
    /// history.
    pub async fn delete_user(&self, actor: Option<&str>, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let organization_id: Option<Option<String>> =
            sqlx::query_scalar("DELETE FROM users WHERE id = $1 RETURNING organization_id")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .in_use("tickets")?;
        let organization_id = organization_id.ok_or(StoreError::NotFound)?;
        append(
            &mut tx,
            EventKind::UserDeleted,
            actor,
            id,
            organization_id.as_deref(),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        self.tokens.clear();
        Ok(())
    }
}

/// Disables (ending every session at once) or enables a user in `tx`, with its event; answers
/// the new `disabled_at` when it changed, `None` when the user already was so.
async fn set_disabled(
    conn: &mut sqlx::AnyConnection,
    actor: Option<&str>,
    user: &UserRow,
    disable: bool,
) -> Result<Option<Option<i64>>> {
    let disabled_at = disable.then(now);
    // Only a real change is written, so disabling twice keeps the first moment and one event.
    let sql = if disable {
        "UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL"
    } else {
        "UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NOT NULL"
    };
    let changed = sqlx::query(sql)
        .bind(disabled_at)
        .bind(&user.id)
        .execute(&mut *conn)
        .await?;
    if changed.rows_affected() == 0 {
        return Ok(None);
    }
    if disable {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(&user.id)
            .execute(&mut *conn)
            .await?;
    }
    let kind = if disable {
        EventKind::UserDisabled
    } else {
        EventKind::UserEnabled
    };
    append(
        conn,
        kind,
        actor,
        &user.id,
        user.organization_id.as_deref(),
        json!({}),
    )
    .await?;
    Ok(Some(disabled_at))
}
