//! Admins' changes to the catalog (issue 13): ticket types, service menus and their items.
//! Each change is one transaction with its `catalog.updated` event, and replaces the catalog
//! version so that every instance reads the new catalog on its next filing. A type, menu or
//! item that tickets use is retired, never deleted: deleting one answers `InUse`.

use madoguchi_core::catalog::{MenuItem, ServiceMenu, TicketType};
use madoguchi_core::event::EventKind;
use serde_json::{Map, Value, json};
use sqlx::AnyConnection;

use crate::catalog::{CATALOG_VERSION_KEY, insert_menu, insert_menu_item, insert_ticket_type};
use crate::db::{new_id, now};
use crate::error::ConstraintExt;
use crate::events::append;
use crate::{Result, Store, StoreError};

/// What `catalog.updated` says of a ticket type: every field an admin edits.
fn type_json(t: &TicketType) -> Value {
    json!({
        "name_ja": t.name_ja, "name_en": t.name, "description_ja": t.description_ja,
        "description_en": t.description_en, "kind": t.kind, "channel": t.channel, "desk": t.desk,
        "plans": t.plans, "position": t.position, "retired": t.retired,
    })
}

fn menu_json(m: &ServiceMenu) -> Value {
    json!({ "name_ja": m.name_ja, "name_en": m.name_en, "position": m.position, "retired": m.retired })
}

fn item_json(i: &MenuItem) -> Value {
    json!({
        "label_ja": i.label_ja, "label_en": i.label_en, "input": i.input, "required": i.required,
        "options": i.options, "position": i.position, "retired": i.retired,
    })
}

/// `{field: {from, to}}` for every field whose value differs (a missing side is `null`).
fn changes(before: Option<Value>, after: Option<Value>) -> Map<String, Value> {
    let object = |v: Option<Value>| match v {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let (before, after) = (object(before), object(after));
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| {
            let side = |m: &Map<String, Value>| m.get(k).cloned().unwrap_or(Value::Null);
            (
                k.clone(),
                json!({ "from": side(&before), "to": side(&after) }),
            )
        })
        .collect()
}

/// Records a change (when something changed) and makes every kept catalog stale.
async fn changed(
    conn: &mut AnyConnection,
    actor: Option<&str>,
    subject: &str,
    what: Map<String, Value>,
) -> Result<()> {
    if what.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(CATALOG_VERSION_KEY)
    .bind(new_id())
    .execute(&mut *conn)
    .await?;
    append(
        conn,
        EventKind::CatalogUpdated,
        actor,
        subject,
        None,
        json!({ "subject": subject, "changes": what }),
    )
    .await?;
    Ok(())
}

/// `retired_at` as an update sets it from `$1` (`retired_code`) and `$2` (now): kept when
/// already retired, now when newly retired, else NULL.
macro_rules! retired_at {
    () => {
        "retired_at = CASE WHEN $1 = 'retired' THEN COALESCE(retired_at, $2) ELSE NULL END"
    };
}

fn retired_code(retired: bool) -> &'static str {
    if retired { "retired" } else { "offered" }
}

/// `%"key":%`, escaped for `LIKE … ESCAPE '\'`: a ticket's `menu_fields` (a JSON object
/// written by serde_json, without spaces) holding a value for the item `key`.
fn item_pattern(key: &str) -> String {
    let quoted = serde_json::to_string(key).unwrap_or_default();
    let escaped = quoted
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}:%")
}

impl Store {
    /// Adds a ticket type; a code already used is `Taken { field: "code" }`.
    pub async fn create_ticket_type(&self, actor: Option<&str>, t: &TicketType) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_ticket_type(&mut tx, t).await?;
        let subject = format!("ticket_type:{}", t.code);
        changed(&mut tx, actor, &subject, changes(None, Some(type_json(t)))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a ticket type's fields and plans; `NotFound` for an unknown code. Tickets
    /// filed before keep their type's code, and with it their desk and kind as filed.
    pub async fn update_ticket_type(&self, actor: Option<&str>, t: &TicketType) -> Result<()> {
        let before = self
            .read_ticket_types()
            .await?
            .into_iter()
            .find(|o| o.code == t.code)
            .ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let updated = sqlx::query(concat!(
            "UPDATE ticket_types SET ",
            retired_at!(),
            ", name = $3, name_ja = $4, description_ja = $5, description_en = $6, kind = $7,
               channel = $8, desk = $9, position = $10
             WHERE code = $11"
        ))
        .bind(retired_code(t.retired))
        .bind(now())
        .bind(&t.name)
        .bind(&t.name_ja)
        .bind(&t.description_ja)
        .bind(&t.description_en)
        .bind(t.kind.code())
        .bind(t.channel.code())
        .bind(t.desk.code())
        .bind(t.position)
        .bind(&t.code)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM ticket_type_plans WHERE ticket_type = $1")
            .bind(&t.code)
            .execute(&mut *tx)
            .await?;
        for plan in &t.plans {
            sqlx::query("INSERT INTO ticket_type_plans (ticket_type, plan) VALUES ($1, $2)")
                .bind(&t.code)
                .bind(plan.code())
                .execute(&mut *tx)
                .await?;
        }
        let subject = format!("ticket_type:{}", t.code);
        let what = changes(Some(type_json(&before)), Some(type_json(t)));
        changed(&mut tx, actor, &subject, what).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a ticket type no ticket uses; one that tickets use is `InUse { by: "tickets" }`
    /// (retire it instead).
    pub async fn delete_ticket_type(&self, actor: Option<&str>, code: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE ticket_type = $1")
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
        if used > 0 {
            return Err(StoreError::InUse { by: "tickets" });
        }
        let deleted = sqlx::query("DELETE FROM ticket_types WHERE code = $1")
            .bind(code)
            .execute(&mut *tx)
            .await
            .in_use("tickets")?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let subject = format!("ticket_type:{code}");
        let what = Map::from_iter([("deleted".to_owned(), json!({ "from": code, "to": null }))]);
        changed(&mut tx, actor, &subject, what).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a service menu with its items; a key already used is `Taken { field: "key" }`.
    pub async fn create_service_menu(&self, actor: Option<&str>, m: &ServiceMenu) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_menu(&mut tx, m).await.taken("key")?;
        let subject = format!("service_menu:{}", m.key);
        let mut after = menu_json(m);
        after["items"] = json!(m.items.iter().map(|i| &i.key).collect::<Vec<_>>());
        changed(&mut tx, actor, &subject, changes(None, Some(after))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a menu's names, order and retirement (its items are changed one by one).
    pub async fn update_service_menu(&self, actor: Option<&str>, m: &ServiceMenu) -> Result<()> {
        let before = self.read_service_menu(&m.key).await?;
        let mut tx = self.begin().await?;
        let updated = sqlx::query(concat!(
            "UPDATE service_menus SET ",
            retired_at!(),
            ", name_ja = $3, name_en = $4, position = $5 WHERE key = $6"
        ))
        .bind(retired_code(m.retired))
        .bind(now())
        .bind(&m.name_ja)
        .bind(&m.name_en)
        .bind(m.position)
        .bind(&m.key)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let subject = format!("service_menu:{}", m.key);
        let what = changes(Some(menu_json(&before)), Some(menu_json(m)));
        changed(&mut tx, actor, &subject, what).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a menu that no ticket is about and no article is tagged with; otherwise
    /// `InUse` (retire it instead).
    pub async fn delete_service_menu(&self, actor: Option<&str>, key: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE service_menu = $1")
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
        if used > 0 {
            return Err(StoreError::InUse { by: "tickets" });
        }
        // Articles keep their menus as a JSON array of keys.
        let quoted = serde_json::to_string(key).map_err(StoreError::corrupt)?;
        let tagged: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM kb_articles WHERE service_menus LIKE $1 ESCAPE '\\'",
        )
        .bind(format!("%{}%", quoted.replace('_', "\\_")))
        .fetch_one(&mut *tx)
        .await?;
        if tagged > 0 {
            return Err(StoreError::InUse { by: "articles" });
        }
        let deleted = sqlx::query("DELETE FROM service_menus WHERE key = $1")
            .bind(key)
            .execute(&mut *tx)
            .await
            .in_use("tickets")?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let subject = format!("service_menu:{key}");
        let what = Map::from_iter([("deleted".to_owned(), json!({ "from": key, "to": null }))]);
        changed(&mut tx, actor, &subject, what).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds an item to a menu; `NotFound` for an unknown menu, `Taken { field: "key" }` for
    /// a key the menu already has (retired or not: old tickets keep their values by key).
    pub async fn add_menu_item(
        &self,
        actor: Option<&str>,
        menu_key: &str,
        item: &MenuItem,
    ) -> Result<()> {
        self.read_service_menu(menu_key).await?;
        let mut tx = self.begin().await?;
        insert_menu_item(&mut tx, menu_key, item)
            .await
            .taken("key")?;
        let subject = format!("service_menu:{menu_key}.{}", item.key);
        changed(
            &mut tx,
            actor,
            &subject,
            changes(None, Some(item_json(item))),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes one item; `NotFound` for an unknown menu or item.
    pub async fn update_menu_item(
        &self,
        actor: Option<&str>,
        menu_key: &str,
        item: &MenuItem,
    ) -> Result<()> {
        let menu = self.read_service_menu(menu_key).await?;
        let before = menu
            .items
            .iter()
            .find(|i| i.key == item.key)
            .ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        sqlx::query(concat!(
            "UPDATE service_menu_items SET ",
            retired_at!(),
            ", label_ja = $3, label_en = $4, input = $5, requirement = $6, options = $7,
               position = $8
             WHERE menu_key = $9 AND key = $10"
        ))
        .bind(retired_code(item.retired))
        .bind(now())
        .bind(&item.label_ja)
        .bind(&item.label_en)
        .bind(item.input.code())
        .bind(if item.required {
            "required"
        } else {
            "optional"
        })
        .bind(serde_json::to_string(&item.options).map_err(StoreError::corrupt)?)
        .bind(item.position)
        .bind(menu_key)
        .bind(&item.key)
        .execute(&mut *tx)
        .await?;
        let subject = format!("service_menu:{menu_key}.{}", item.key);
        let what = changes(Some(item_json(before)), Some(item_json(item)));
        changed(&mut tx, actor, &subject, what).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an item no ticket carries a value for; otherwise `InUse { by: "tickets" }`
    /// (retire it instead, so old tickets still show it with its label).
    pub async fn delete_menu_item(
        &self,
        actor: Option<&str>,
        menu_key: &str,
        item_key: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let used: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets WHERE service_menu = $1 AND menu_fields LIKE $2 ESCAPE '\\'",
        )
        .bind(menu_key)
        .bind(item_pattern(item_key))
        .fetch_one(&mut *tx)
        .await?;
        if used > 0 {
            return Err(StoreError::InUse { by: "tickets" });
        }
        let deleted =
            sqlx::query("DELETE FROM service_menu_items WHERE menu_key = $1 AND key = $2")
                .bind(menu_key)
                .bind(item_key)
                .execute(&mut *tx)
                .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let subject = format!("service_menu:{menu_key}.{item_key}");
        let what = Map::from_iter([(
            "deleted".to_owned(),
            json!({ "from": item_key, "to": null }),
        )]);
        changed(&mut tx, actor, &subject, what).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One menu with every item, retired ones too, read from the database (not the kept copy).
    async fn read_service_menu(&self, key: &str) -> Result<ServiceMenu> {
        self.read_service_menus()
            .await?
            .into_iter()
            .find(|m| m.key == key)
            .ok_or(StoreError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_item_pattern_matches_only_that_key() {
        assert_eq!(item_pattern("server_name"), "%\"server\\_name\":%");
    }

    #[test]
    fn changes_name_only_what_differs() {
        let what = changes(
            Some(json!({ "a": 1, "b": 2 })),
            Some(json!({ "a": 1, "b": 3, "c": 4 })),
        );
        assert_eq!(
            Value::Object(what),
            json!({ "b": { "from": 2, "to": 3 }, "c": { "from": null, "to": 4 } })
        );
    }
}
