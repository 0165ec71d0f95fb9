use madoguchi_core::PermissionLevel;
use madoguchi_core::event::EventKind;
use madoguchi_core::model::TicketPermission;
use serde_json::json;
use sqlx::{AnyConnection, FromRow};

use crate::db::{code, now};
use crate::error::ConstraintExt;
use crate::events::append;
use crate::{Cursor, Page, PageRequest, Result, Store, StoreError};

#[derive(FromRow)]
struct PermissionRow {
    user_id: String,
    contract_id: String,
    contract_number: String,
    level: String,
}

impl TryFrom<PermissionRow> for TicketPermission {
    type Error = StoreError;
    fn try_from(r: PermissionRow) -> Result<Self> {
        Ok(TicketPermission {
            user_id: r.user_id,
            contract_id: r.contract_id,
            contract_number: r.contract_number,
            level: code(PermissionLevel::parse(&r.level))?,
        })
    }
}

fn permissions(rows: Vec<PermissionRow>) -> Result<Vec<TicketPermission>> {
    rows.into_iter().map(TicketPermission::try_from).collect()
}

/// Grants `level` on a contract (or changes the level held) and appends its event, in the
/// caller's transaction.
pub(crate) async fn grant(
    conn: &mut AnyConnection,
    actor: Option<&str>,
    user_id: &str,
    contract_id: &str,
    level: PermissionLevel,
) -> Result<TicketPermission> {
    sqlx::query(
        "INSERT INTO ticket_permissions (user_id, contract_id, level, granted_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, contract_id) DO UPDATE SET level = excluded.level, granted_at = excluded.granted_at",
    )
    .bind(user_id)
    .bind(contract_id)
    .bind(level.code())
    .bind(now())
    .execute(&mut *conn)
    .await
    .dangling("user_id")?;
    let row: PermissionRow = sqlx::query_as(
        "SELECT p.user_id, p.contract_id, c.contract_number, p.level
         FROM ticket_permissions p JOIN contracts c ON c.id = p.contract_id
         WHERE p.user_id = $1 AND p.contract_id = $2",
    )
    .bind(user_id)
    .bind(contract_id)
    .fetch_one(&mut *conn)
    .await?;
    let organization_id: String =
        sqlx::query_scalar("SELECT organization_id FROM contracts WHERE id = $1")
            .bind(contract_id)
            .fetch_one(&mut *conn)
            .await?;
    append(
        conn,
        EventKind::PermissionGranted,
        actor,
        user_id,
        Some(&organization_id),
        json!({ "contract_number": row.contract_number, "level": level }),
    )
    .await?;
    row.try_into()
}

impl Store {
    /// Grants `level` on a contract, or changes the level already held.
    pub async fn grant_permission(
        &self,
        actor: Option<&str>,
        user_id: &str,
        contract_id: &str,
        level: PermissionLevel,
    ) -> Result<TicketPermission> {
        let mut tx = self.begin().await?;
        let granted = grant(&mut tx, actor, user_id, contract_id, level).await?;
        tx.commit().await?;
        Ok(granted)
    }

    /// Revokes a user's permission on a contract; `NotFound` if they held none.
    pub async fn revoke_permission(
        &self,
        actor: Option<&str>,
        user_id: &str,
        contract_id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let deleted =
            sqlx::query("DELETE FROM ticket_permissions WHERE user_id = $1 AND contract_id = $2")
                .bind(user_id)
                .bind(contract_id)
                .execute(&mut *tx)
                .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let (organization_id, contract_number): (String, String) =
            sqlx::query_as("SELECT organization_id, contract_number FROM contracts WHERE id = $1")
                .bind(contract_id)
                .fetch_one(&mut *tx)
                .await?;
        append(
            &mut tx,
            EventKind::PermissionRevoked,
            actor,
            user_id,
            Some(&organization_id),
            json!({ "contract_number": contract_number }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One user's ticket permissions, by contract number.
    pub async fn permissions_of(&self, user_id: &str) -> Result<Vec<TicketPermission>> {
        let rows = sqlx::query_as(
            "SELECT p.user_id, p.contract_id, c.contract_number, p.level
             FROM ticket_permissions p JOIN contracts c ON c.id = p.contract_id
             WHERE p.user_id = $1 ORDER BY c.contract_number",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?;
        permissions(rows)
    }

    /// The ticket permissions held on the contracts of one organization (or of all).
    pub async fn permissions_in(
        &self,
        organization_id: Option<&str>,
    ) -> Result<Vec<TicketPermission>> {
        let rows = sqlx::query_as(
            "SELECT p.user_id, p.contract_id, c.contract_number, p.level
             FROM ticket_permissions p JOIN contracts c ON c.id = p.contract_id
             WHERE ($1 IS NULL OR c.organization_id = $1) ORDER BY c.contract_number, p.user_id",
        )
        .bind(organization_id)
        .fetch_all(&self.read)
        .await?;
        permissions(rows)
    }

    /// A page of the ticket permissions of one organization (or all), optionally of one user,
    /// by contract number and user.
    pub async fn permissions_page(
        &self,
        organization_id: Option<&str>,
        user_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<TicketPermission>> {
        let rows = sqlx::query_as(
            "SELECT p.user_id, p.contract_id, c.contract_number, p.level
             FROM ticket_permissions p JOIN contracts c ON c.id = p.contract_id
             WHERE ($1 IS NULL OR c.organization_id = $1) AND ($2 IS NULL OR p.user_id = $2)
               AND c.contract_number || '/' || p.user_id > $3
             ORDER BY c.contract_number, p.user_id LIMIT $4",
        )
        .bind(organization_id)
        .bind(user_id)
        .bind(page.after_key())
        .bind(page.fetch())
        .fetch_all(&self.read)
        .await?;
        let held = permissions(rows)?;
        let mut page = page.finish(held, |_| "");
        if page.next_cursor.is_some() {
            page.next_cursor = page
                .items
                .last()
                .map(|p| Cursor::after(&format!("{}/{}", p.contract_number, p.user_id)));
        }
        Ok(page)
    }
}
