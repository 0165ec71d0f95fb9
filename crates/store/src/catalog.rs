//! The catalog: desks, ticket types and service menus. Seeded once into a new database;
//! after that they are data.

use madoguchi_core::catalog::{
    MenuItem, ServiceMenu, TicketType, seed_service_menus, seed_ticket_types,
};
use madoguchi_core::event::EventKind;
use madoguchi_core::{Desk, MenuInput, SupportPlan, TicketChannel, TicketKind};
use std::sync::Mutex;

use serde_json::json;
use sqlx::{AnyConnection, FromRow};

use crate::db::{code, now};
use crate::error::ConstraintExt;
use crate::events::append;
use crate::{Result, Store, StoreError};

/// The settings key whose value every change of the catalog replaces in its transaction, so
/// that every instance's kept copy is known stale at once (the SLA configuration does the
/// same): a change counts for the next filing everywhere, for one tiny query per read.
pub(crate) const CATALOG_VERSION_KEY: &str = "catalog_version";

/// One part of the catalog, as last read, with the version it was read at.
#[derive(Debug)]
pub(crate) struct Kept<T>(Mutex<Option<(String, T)>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(Mutex::new(None))
    }
}

impl<T: Clone> Kept<T> {
    fn at(&self, version: &str) -> Option<T> {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.as_ref()
            .filter(|(at, _)| at == version)
            .map(|(_, v)| v.clone())
    }

    fn keep(&self, version: String, value: T) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((version, value));
    }
}

/// The catalog as last read.
#[derive(Debug, Default)]
pub(crate) struct CatalogCache {
    ticket_types: Kept<Vec<TicketType>>,
    service_menus: Kept<Vec<ServiceMenu>>,
}

/// A desk with its names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskInfo {
    pub desk: Desk,
    pub name_ja: String,
    pub name_en: String,
}

#[derive(FromRow)]
struct TicketTypeRow {
    code: String,
    name: String,
    name_ja: String,
    description_ja: String,
    description_en: String,
    kind: String,
    channel: String,
    desk: String,
    position: i64,
    retired_at: Option<i64>,
}

#[derive(FromRow)]
struct MenuItemRow {
    menu_key: String,
    key: String,
    label_ja: String,
    label_en: String,
    input: String,
    requirement: String,
    options: String,
    position: i64,
    retired_at: Option<i64>,
}

/// A retired record is stored with the time it was retired.
fn retired_at(retired: bool) -> Option<i64> {
    retired.then(now)
}

pub(crate) async fn insert_ticket_type(conn: &mut AnyConnection, t: &TicketType) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_types (code, name, description_ja, description_en, kind, channel, desk, position, name_ja, retired_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&t.code)
    .bind(&t.name)
    .bind(&t.description_ja)
    .bind(&t.description_en)
    .bind(t.kind.code())
    .bind(t.channel.code())
    .bind(t.desk.code())
    .bind(t.position)
    .bind(&t.name_ja)
    .bind(retired_at(t.retired))
    .execute(&mut *conn)
    .await
    .taken("code")?;
    for plan in &t.plans {
        sqlx::query("INSERT INTO ticket_type_plans (ticket_type, plan) VALUES ($1, $2)")
            .bind(&t.code)
            .bind(plan.code())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn insert_menu(conn: &mut AnyConnection, m: &ServiceMenu) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_menus (key, name_ja, name_en, position, retired_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&m.key)
    .bind(&m.name_ja)
    .bind(&m.name_en)
    .bind(m.position)
    .bind(retired_at(m.retired))
    .execute(&mut *conn)
    .await?;
    for item in &m.items {
        insert_menu_item(conn, &m.key, item).await?;
    }
    Ok(())
}

pub(crate) async fn insert_menu_item(
    conn: &mut AnyConnection,
    menu_key: &str,
    item: &MenuItem,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_menu_items (menu_key, key, label_ja, label_en, input, requirement, options, position, retired_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(menu_key)
    .bind(&item.key)
    .bind(&item.label_ja)
    .bind(&item.label_en)
    .bind(item.input.code())
    .bind(if item.required { "required" } else { "optional" })
    .bind(serde_json::to_string(&item.options).map_err(StoreError::corrupt)?)
    .bind(item.position)
    .bind(retired_at(item.retired))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Seeds desks, ticket types and service menus into a database that has none, so that an
    /// admin's later changes are never overwritten.
    pub(crate) async fn seed_catalog(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        let desks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM desks")
            .fetch_one(&mut *tx)
            .await?;
        if desks > 0 {
            return Ok(());
        }
        for (desk, ja, en) in [
            (Desk::General, "一般窓口", "General desk"),
            (Desk::Premium, "特別窓口", "Premium special desk"),
        ] {
            sqlx::query("INSERT INTO desks (code, name_ja, name_en) VALUES ($1, $2, $3)")
                .bind(desk.code())
                .bind(ja)
                .bind(en)
                .execute(&mut *tx)
                .await?;
        }
        let types = seed_ticket_types();
        for t in &types {
            insert_ticket_type(&mut tx, t).await?;
        }
        let menus = seed_service_menus();
        for m in &menus {
            insert_menu(&mut tx, m).await?;
        }
        append(
            &mut tx,
            EventKind::CatalogSeeded,
            None,
            "catalog",
            None,
            json!({ "ticket_types": types.len(), "service_menus": menus.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The catalog's version: it changes with every admin's change of the catalog.
    async fn catalog_version(&self) -> Result<String> {
        let version: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(CATALOG_VERSION_KEY)
                .fetch_optional(&self.read)
                .await?;
        Ok(version.unwrap_or_default())
    }

    /// Every ticket type, retired ones too, in pick-list order, with the plans that offer it.
    pub async fn ticket_types(&self) -> Result<Vec<TicketType>> {
        // The version is read before the types: types read after it are at least as new.
        let version = self.catalog_version().await?;
        if let Some(types) = self.catalog.ticket_types.at(&version) {
            return Ok(types);
        }
        let types = self.read_ticket_types().await?;
        self.catalog.ticket_types.keep(version, types.clone());
        Ok(types)
    }

    pub(crate) async fn read_ticket_types(&self) -> Result<Vec<TicketType>> {
        let rows: Vec<TicketTypeRow> = sqlx::query_as(
            "SELECT code, name, name_ja, description_ja, description_en, kind, channel, desk, position, retired_at
             FROM ticket_types ORDER BY position, code",
        )
        .fetch_all(&self.read)
        .await?;
        let plans: Vec<(String, String)> =
            sqlx::query_as("SELECT ticket_type, plan FROM ticket_type_plans")
                .fetch_all(&self.read)
                .await?;
        rows.into_iter()
            .map(|r| {
                let mut offered = plans
                    .iter()
                    .filter(|(t, _)| *t == r.code)
                    .map(|(_, p)| code(SupportPlan::parse(p)))
                    .collect::<Result<Vec<_>>>()?;
                offered.sort();
                Ok(TicketType {
                    kind: code(TicketKind::parse(&r.kind))?,
                    channel: code(TicketChannel::parse(&r.channel))?,
                    desk: code(Desk::parse(&r.desk))?,
                    plans: offered,
                    code: r.code,
                    name: r.name,
                    name_ja: r.name_ja,
                    retired: r.retired_at.is_some(),
                    description_ja: r.description_ja,
                    description_en: r.description_en,
                    position: r.position,
                })
            })
            .collect()
    }

    /// Every service menu with its items, retired ones too, in list order. What a new ticket
    /// may use is `madoguchi_core::catalog::offered_menus` of these.
    pub async fn service_menus(&self) -> Result<Vec<ServiceMenu>> {
        let version = self.catalog_version().await?;
        if let Some(menus) = self.catalog.service_menus.at(&version) {
            return Ok(menus);
        }
        let menus = self.read_service_menus().await?;
        self.catalog.service_menus.keep(version, menus.clone());
        Ok(menus)
    }

    pub(crate) async fn read_service_menus(&self) -> Result<Vec<ServiceMenu>> {
        let menus: Vec<(String, String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT key, name_ja, name_en, position, retired_at FROM service_menus ORDER BY position, key",
        )
        .fetch_all(&self.read)
        .await?;
        let items: Vec<MenuItemRow> = sqlx::query_as(
            "SELECT menu_key, key, label_ja, label_en, input, requirement, options, position, retired_at
             FROM service_menu_items ORDER BY menu_key, position, key",
        )
        .fetch_all(&self.read)
        .await?;
        menus
            .into_iter()
            .map(|(key, name_ja, name_en, position, retired_at)| {
                let items = items
                    .iter()
                    .filter(|i| i.menu_key == key)
                    .map(|i| {
                        Ok(MenuItem {
                            key: i.key.clone(),
                            label_ja: i.label_ja.clone(),
                            label_en: i.label_en.clone(),
                            input: code(MenuInput::parse(&i.input))?,
                            required: i.requirement == "required",
                            options: serde_json::from_str(&i.options)
                                .map_err(StoreError::corrupt)?,
                            position: i.position,
                            retired: i.retired_at.is_some(),
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(ServiceMenu {
                    key,
                    name_ja,
                    name_en,
                    items,
                    position,
                    retired: retired_at.is_some(),
                })
            })
            .collect()
    }

    pub async fn desks(&self) -> Result<Vec<DeskInfo>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT code, name_ja, name_en FROM desks ORDER BY code")
                .fetch_all(&self.read)
                .await?;
        rows.into_iter()
            .map(|(c, name_ja, name_en)| {
                Ok(DeskInfo {
                    desk: code(Desk::parse(&c))?,
                    name_ja,
                    name_en,
                })
            })
            .collect()
    }

    /// The desks an agent belongs to.
    pub async fn desks_of(&self, user_id: &str) -> Result<Vec<Desk>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT desk FROM desk_members WHERE user_id = $1 ORDER BY desk")
                .bind(user_id)
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(|d| code(Desk::parse(d))).collect()
    }

    /// Makes an agent a member of a desk; already being one is fine.
    pub async fn add_desk_member(
        &self,
        actor: Option<&str>,
        desk: Desk,
        user_id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let added = sqlx::query(
            "INSERT INTO desk_members (desk, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(desk.code())
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .dangling("user_id")?;
        // Adding a member twice changes nothing, so it tells the log nothing.
        if added.rows_affected() > 0 {
            let data = json!({ "desk": desk });
            append(
                &mut tx,
                EventKind::DeskMemberAdded,
                actor,
                user_id,
                None,
                data,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Takes an agent off a desk; `NotFound` when they were not on it.
    pub async fn remove_desk_member(
        &self,
        actor: Option<&str>,
        desk: Desk,
        user_id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let removed = sqlx::query("DELETE FROM desk_members WHERE desk = $1 AND user_id = $2")
            .bind(desk.code())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let data = json!({ "desk": desk });
        append(
            &mut tx,
            EventKind::DeskMemberRemoved,
            actor,
            user_id,
            None,
            data,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
