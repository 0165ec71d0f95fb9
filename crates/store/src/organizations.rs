use madoguchi_core::event::EventKind;
use madoguchi_core::model::Organization;
use madoguchi_core::values::Name;
use serde_json::json;
use sqlx::{AnyConnection, FromRow};

use crate::db::{new_id, now, time};
use crate::error::ConstraintExt;
use crate::events::append;
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(FromRow)]
struct OrganizationRow {
    id: String,
    name: String,
    created_at: i64,
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = StoreError;
    fn try_from(r: OrganizationRow) -> Result<Self> {
        Ok(Organization {
            id: r.id,
            name: r.name,
            created_at: time(r.created_at)?,
        })
    }
}

/// Inserts an organization with the id given and appends its event, in the caller's
/// transaction (a bulk import names its new organizations' ids before writing them).
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    actor: Option<&str>,
    id: &str,
    name: &Name,
) -> Result<Organization> {
    let row: OrganizationRow = sqlx::query_as(
        "INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3) RETURNING id, name, created_at",
    )
    .bind(id)
    .bind(name.as_str())
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .taken("name")?;
    append(
        conn,
        EventKind::OrganizationCreated,
        actor,
        id,
        Some(id),
        json!({ "name": name }),
    )
    .await?;
    row.try_into()
}

impl Store {
    pub async fn create_organization(
        &self,
        actor: Option<&str>,
        name: &Name,
    ) -> Result<Organization> {
        let mut tx = self.begin().await?;
        let created = insert(&mut tx, actor, &new_id(), name).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The id of the organization named exactly `name`, if there is one.
    pub async fn organization_id_named(&self, name: &Name) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM organizations WHERE name = $1")
                .bind(name.as_str())
                .fetch_optional(&self.read)
                .await?,
        )
    }

    pub async fn organization(&self, id: &str) -> Result<Organization> {
        sqlx::query_as::<_, OrganizationRow>(
            "SELECT id, name, created_at FROM organizations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
    }

    pub async fn organizations(&self, page: &PageRequest) -> Result<Page<Organization>> {
        let rows: Vec<OrganizationRow> = sqlx::query_as(
            "SELECT id, name, created_at FROM organizations WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(page.after_key())
        .bind(page.fetch())
        .fetch_all(&self.read)
        .await?;
        let rows = rows
            .into_iter()
            .map(Organization::try_from)
            .collect::<Result<Vec<_>>>()?;
        Ok(page.finish(rows, |o| &o.id))
    }

    /// The organizations whose name holds every word of `words` (any case), by id.
    pub async fn organizations_named(
        &self,
        words: &str,
        page: &PageRequest,
    ) -> Result<Page<Organization>> {
        let rows: Vec<OrganizationRow> = sqlx::query_as(
            "SELECT id, name, created_at FROM organizations
             WHERE id > $1 AND lower(name) LIKE $3 ESCAPE '\\' ORDER BY id LIMIT $2",
        )
        .bind(page.after_key())
        .bind(page.fetch())
        .bind(crate::db::like_pattern(words))
        .fetch_all(&self.read)
        .await?;
        let rows = rows
            .into_iter()
            .map(Organization::try_from)
            .collect::<Result<Vec<_>>>()?;
        Ok(page.finish(rows, |o| &o.id))
    }

    pub async fn rename_organization(
        &self,
        actor: Option<&str>,
        id: &str,
        name: &Name,
    ) -> Result<Organization> {
        let mut tx = self.begin().await?;
        let row: OrganizationRow = sqlx::query_as(
            "UPDATE organizations SET name = $1 WHERE id = $2 RETURNING id, name, created_at",
        )
        .bind(name.as_str())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .taken("name")?
        .ok_or(StoreError::NotFound)?;
        append(
            &mut tx,
            EventKind::OrganizationUpdated,
            actor,
            id,
            Some(id),
            json!({ "name": name }),
        )
        .await?;
        tx.commit().await?;
        row.try_into()
    }

    /// Deletes an organization that no longer has users, tenants or contracts.
    pub async fn delete_organization(&self, actor: Option<&str>, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let deleted = sqlx::query("DELETE FROM organizations WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .in_use("its users, tenants or contracts")?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        append(
            &mut tx,
            EventKind::OrganizationDeleted,
            actor,
            id,
            Some(id),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
