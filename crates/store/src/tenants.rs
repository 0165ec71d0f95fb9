use madoguchi_core::event::EventKind;
use madoguchi_core::model::{NewTenant, Tenant};
use madoguchi_core::values::{Name, TenantId};
use serde_json::json;
use sqlx::{AnyConnection, FromRow};

use crate::db::{new_id, now, time};
use crate::error::ConstraintExt;
use crate::events::append;
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(FromRow)]
struct TenantRow {
    id: String,
    organization_id: String,
    tenant_id: String,
    name: Option<String>,
    created_at: i64,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(r: TenantRow) -> Result<Self> {
        Ok(Tenant {
            id: r.id,
            organization_id: r.organization_id,
            tenant_id: r.tenant_id,
            name: r.name,
            created_at: time(r.created_at)?,
        })
    }
}

/// Inserts a tenant and appends its event, in the caller's transaction.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    actor: Option<&str>,
    new: &NewTenant,
) -> Result<Tenant> {
    let id = new_id();
    let row: TenantRow = sqlx::query_as(
        "INSERT INTO tenants (id, organization_id, tenant_id, name, created_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, organization_id, tenant_id, name, created_at",
    )
    .bind(&id)
    .bind(&new.organization_id)
    .bind(new.tenant_id.as_str())
    .bind(new.name.as_ref().map(Name::as_str))
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .taken("tenant_id")
    .dangling("organization_id")?;
    append(
        conn,
        EventKind::TenantCreated,
        actor,
        &id,
        Some(&new.organization_id),
        json!({ "tenant_id": new.tenant_id, "name": new.name }),
    )
    .await?;
    row.try_into()
}

impl Store {
    pub async fn create_tenant(&self, actor: Option<&str>, new: &NewTenant) -> Result<Tenant> {
        let mut tx = self.begin().await?;
        let created = insert(&mut tx, actor, new).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Whether a tenant with this cloud tenant ID exists.
    pub async fn tenant_id_exists(&self, tenant_id: &TenantId) -> Result<bool> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT id FROM tenants WHERE tenant_id = $1")
                .bind(tenant_id.as_str())
                .fetch_optional(&self.read)
                .await?;
        Ok(found.is_some())
    }

    pub async fn tenant(&self, id: &str) -> Result<Tenant> {
        sqlx::query_as::<_, TenantRow>(
            "SELECT id, organization_id, tenant_id, name, created_at FROM tenants WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
    }

    /// Tenants, of one organization or of all.
    pub async fn tenants(
        &self,
        organization_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Tenant>> {
        let rows: Vec<TenantRow> = sqlx::query_as(
            "SELECT id, organization_id, tenant_id, name, created_at FROM tenants
             WHERE ($1 IS NULL OR organization_id = $1) AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(organization_id)
        .bind(page.after_key())
        .bind(page.fetch())
        .fetch_all(&self.read)
        .await?;
        let rows = rows
            .into_iter()
            .map(Tenant::try_from)
            .collect::<Result<Vec<_>>>()?;
        Ok(page.finish(rows, |t| &t.id))
    }

    /// Every tenant ID of one organization, sorted: the choices of the filing form.
    pub async fn tenant_ids_of(&self, organization_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT tenant_id FROM tenants WHERE organization_id = $1 ORDER BY tenant_id",
        )
        .bind(organization_id)
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn rename_tenant(
        &self,
        actor: Option<&str>,
        id: &str,
        name: Option<&Name>,
    ) -> Result<Tenant> {
        let mut tx = self.begin().await?;
        let row: TenantRow = sqlx::query_as(
            "UPDATE tenants SET name = $1 WHERE id = $2 RETURNING id, organization_id, tenant_id, name, created_at",
        )
        .bind(name.map(Name::as_str))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        append(
            &mut tx,
            EventKind::TenantUpdated,
            actor,
            id,
            Some(&row.organization_id),
            json!({ "name": name }),
        )
        .await?;
        tx.commit().await?;
        row.try_into()
    }

    pub async fn delete_tenant(&self, actor: Option<&str>, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let organization_id: Option<String> =
            sqlx::query_scalar("DELETE FROM tenants WHERE id = $1 RETURNING organization_id")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .in_use("tickets")?;
        let organization_id = organization_id.ok_or(StoreError::NotFound)?;
        append(
            &mut tx,
            EventKind::TenantDeleted,
            actor,
            id,
            Some(&organization_id),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
