//! The catalog as admins edit it (SPEC §1, §3; issue 13): ticket types and service menus with
//! their items. A change counts for the next filing on every instance (the store versions
//! the catalog). What tickets use is retired, never deleted: deleting it is refused with
//! the advice to retire it.

use madoguchi_core::catalog::{MenuItem, ServiceMenu, TicketType};
use madoguchi_core::catalog_edit::{
    check_key, check_menu_item, check_service_menu, check_ticket_type,
};
use madoguchi_core::model::User;
use madoguchi_core::{Desk, Invalid, MenuInput, Problem, SupportPlan, TicketChannel, TicketKind};
use madoguchi_store::{Store, StoreError};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::admin::admin_only;
use crate::{ServiceError, ServiceResult};

/// The order numbers admins may give.
pub const POSITIONS: std::ops::RangeInclusive<i64> = 0..=1_000_000;
/// A new type, menu or item goes this far after the last one.
const POSITION_STEP: i64 = 10;

/// `POST /api/v1/admin/ticket-types` and `PATCH …/{code}`: on a change, the fields given
/// change and the others stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TicketTypeInput {
    /// Lower-case letters, digits and `_`; given once, when the type is added.
    pub code: Option<String>,
    pub name_ja: Option<String>,
    pub name_en: Option<String>,
    pub description_ja: Option<String>,
    pub description_en: Option<String>,
    /// `inquiry` or `incident`.
    pub kind: Option<String>,
    /// `web` or `callback`.
    pub channel: Option<String>,
    /// `general` or `premium`.
    pub desk: Option<String>,
    /// The plans that offer the type: `basic`, `advanced`, `premium`.
    pub plans: Option<Vec<String>>,
    /// Pick-list order, lower first (0–1000000).
    pub position: Option<i64>,
    /// A retired type is no longer offered; tickets filed with it keep it.
    pub retired: Option<bool>,
}

/// `POST /api/v1/admin/service-menus` and `PATCH …/{key}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ServiceMenuInput {
    /// Lower-case letters, digits and `_`; given once, when the menu is added.
    pub key: Option<String>,
    pub name_ja: Option<String>,
    pub name_en: Option<String>,
    pub position: Option<i64>,
    pub retired: Option<bool>,
    /// Only when the menu is added; later, items are added and changed one by one.
    pub items: Option<Vec<MenuItemInput>>,
}

/// `POST /api/v1/admin/service-menus/{key}/items` and `PATCH …/items/{item}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MenuItemInput {
    /// Lower-case letters, digits and `_`; given once, when the item is added.
    pub key: Option<String>,
    pub label_ja: Option<String>,
    pub label_en: Option<String>,
    /// `text`, `textarea`, `select` or `datetime`.
    pub input: Option<String>,
    /// Whether a new ticket must fill it in; an added item is required unless said.
    pub required: Option<bool>,
    /// The choices of a `select` item.
    pub options: Option<Vec<String>>,
    pub position: Option<i64>,
    /// A retired item is no longer asked; old tickets still show its value and label.
    pub retired: Option<bool>,
}

fn text(field: &mut String, value: &Option<String>) {
    if let Some(v) = value {
        *field = v.trim().to_owned();
    }
}

/// A code of `parse`'s kind, required when the record is new.
fn code_of<T: Copy>(
    field: &str,
    current: T,
    value: &Option<String>,
    adding: bool,
    parse: impl Fn(&str) -> Result<T, madoguchi_core::UnknownCode>,
    errors: &mut Invalid,
) -> T {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => errors
            .check(field, parse(v).map_err(Problem::from))
            .unwrap_or(current),
        Some(_) | None if adding || value.is_some() => {
            errors.push(field, Problem::NotChosen);
            current
        }
        _ => current,
    }
}

fn position(field: &str, current: i64, value: Option<i64>, errors: &mut Invalid) -> i64 {
    match value {
        Some(p) if POSITIONS.contains(&p) => p,
        Some(_) => {
            errors.push(
                field,
                Problem::Conflicts {
                    reason: "problem.position_range",
                },
            );
            current
        }
        None => current,
    }
}

/// `base` with what `input` changes, and every problem of the result.
fn apply_type(mut t: TicketType, input: &TicketTypeInput, adding: bool) -> (TicketType, Invalid) {
    let mut errors = Invalid::new();
    text(&mut t.name_ja, &input.name_ja);
    text(&mut t.name, &input.name_en);
    text(&mut t.description_ja, &input.description_ja);
    text(&mut t.description_en, &input.description_en);
    t.kind = code_of(
        "kind",
        t.kind,
        &input.kind,
        adding,
        TicketKind::parse,
        &mut errors,
    );
    t.channel = code_of(
        "channel",
        t.channel,
        &input.channel,
        adding,
        TicketChannel::parse,
        &mut errors,
    );
    t.desk = code_of(
        "desk",
        t.desk,
        &input.desk,
        adding,
        Desk::parse,
        &mut errors,
    );
    if let Some(plans) = &input.plans {
        t.plans = plans
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                errors.check(
                    &format!("plans[{i}]"),
                    SupportPlan::parse(p.trim()).map_err(Problem::from),
                )
            })
            .collect();
        t.plans.sort();
        t.plans.dedup();
    }
    t.position = position("position", t.position, input.position, &mut errors);
    t.retired = input.retired.unwrap_or(t.retired);
    if let Err(e) = check_ticket_type(&t) {
        errors.0.extend(e.0);
    }
    (t, errors)
}

fn apply_item(
    prefix: &str,
    mut item: MenuItem,
    input: &MenuItemInput,
    adding: bool,
) -> (MenuItem, Invalid) {
    let mut errors = Invalid::new();
    let at = |name: &str| format!("{prefix}{name}");
    text(&mut item.label_ja, &input.label_ja);
    text(&mut item.label_en, &input.label_en);
    item.input = code_of(
        &at("input"),
        item.input,
        &input.input,
        adding,
        MenuInput::parse,
        &mut errors,
    );
    match &input.options {
        Some(options) => item.options = options.iter().map(|o| o.trim().to_owned()).collect(),
        // Changing a select into another input drops its choices.
        None if item.input != MenuInput::Select => item.options.clear(),
        None => {}
    }
    item.required = input.required.unwrap_or(item.required);
    item.position = position(&at("position"), item.position, input.position, &mut errors);
    item.retired = input.retired.unwrap_or(item.retired);
    if let Err(e) = check_menu_item(prefix, &item) {
        errors.0.extend(e.0);
    }
    (item, errors)
}

fn new_item(key: &Option<String>, position: i64) -> MenuItem {
    MenuItem {
        key: key.as_deref().unwrap_or("").trim().to_owned(),
        label_ja: String::new(),
        label_en: String::new(),
        input: MenuInput::Text,
        required: true,
        options: Vec::new(),
        position,
        retired: false,
    }
}

/// Deleting what tickets use is refused with the advice to retire it.
fn unless_in_use(field: &'static str, e: StoreError) -> ServiceError {
    match e {
        StoreError::InUse { by } => ServiceError::Conflict(Invalid::one(
            field,
            Problem::Conflicts {
                reason: if by == "articles" {
                    "problem.menu_tags_articles"
                } else {
                    "problem.retire_instead"
                },
            },
        )),
        other => other.into(),
    }
}

fn after_last(positions: impl Iterator<Item = i64>) -> i64 {
    positions.max().map_or(POSITION_STEP, |p| p + POSITION_STEP)
}

// ---- ticket types ----

/// Every ticket type, retired ones too.
pub async fn ticket_types(store: &Store, actor: &User) -> ServiceResult<Vec<TicketType>> {
    admin_only(actor)?;
    Ok(store.ticket_types().await?)
}

pub async fn ticket_type(store: &Store, actor: &User, code: &str) -> ServiceResult<TicketType> {
    ticket_types(store, actor)
        .await?
        .into_iter()
        .find(|t| t.code == code)
        .ok_or(ServiceError::NotFound)
}

pub async fn create_ticket_type(
    store: &Store,
    actor: &User,
    input: &TicketTypeInput,
) -> ServiceResult<TicketType> {
    let all = ticket_types(store, actor).await?;
    let blank = TicketType {
        code: input.code.as_deref().unwrap_or("").trim().to_owned(),
        name: String::new(),
        name_ja: String::new(),
        description_ja: String::new(),
        description_en: String::new(),
        kind: TicketKind::Inquiry,
        channel: TicketChannel::Web,
        desk: Desk::General,
        plans: Vec::new(),
        position: after_last(all.iter().map(|t| t.position)),
        retired: false,
    };
    let (t, errors) = apply_type(blank, input, true);
    errors.into_result()?;
    store.create_ticket_type(Some(&actor.id), &t).await?;
    ticket_type(store, actor, &t.code).await
}

pub async fn update_ticket_type(
    store: &Store,
    actor: &User,
    code: &str,
    input: &TicketTypeInput,
) -> ServiceResult<TicketType> {
    let before = ticket_type(store, actor, code).await?;
    let (t, errors) = apply_type(before, input, false);
    errors.into_result()?;
    store.update_ticket_type(Some(&actor.id), &t).await?;
    ticket_type(store, actor, code).await
}

/// Deletes a type no ticket was filed with.
pub async fn delete_ticket_type(store: &Store, actor: &User, code: &str) -> ServiceResult<()> {
    admin_only(actor)?;
    store
        .delete_ticket_type(Some(&actor.id), code)
        .await
        .map_err(|e| unless_in_use("code", e))
}

// ---- service menus ----

/// Every menu with every item, retired ones too.
pub async fn service_menus(store: &Store, actor: &User) -> ServiceResult<Vec<ServiceMenu>> {
    admin_only(actor)?;
    Ok(store.service_menus().await?)
}

pub async fn service_menu(store: &Store, actor: &User, key: &str) -> ServiceResult<ServiceMenu> {
    service_menus(store, actor)
        .await?
        .into_iter()
        .find(|m| m.key == key)
        .ok_or(ServiceError::NotFound)
}

pub async fn create_service_menu(
    store: &Store,
    actor: &User,
    input: &ServiceMenuInput,
) -> ServiceResult<ServiceMenu> {
    let all = service_menus(store, actor).await?;
    let mut errors = Invalid::new();
    let mut menu = ServiceMenu {
        key: input.key.as_deref().unwrap_or("").trim().to_owned(),
        name_ja: String::new(),
        name_en: String::new(),
        items: Vec::new(),
        position: after_last(all.iter().map(|m| m.position)),
        retired: false,
    };
    text(&mut menu.name_ja, &input.name_ja);
    text(&mut menu.name_en, &input.name_en);
    menu.position = position("position", menu.position, input.position, &mut errors);
    menu.retired = input.retired.unwrap_or(false);
    for (i, item) in input.items.iter().flatten().enumerate() {
        let base = new_item(&item.key, i as i64 * POSITION_STEP);
        let (item, problems) = apply_item(&format!("items[{i}]."), base, item, true);
        errors.0.extend(problems.0);
        menu.items.push(item);
    }
    if let Err(e) = check_service_menu(&menu) {
        errors.0.extend(e.0);
    }
    errors.into_result()?;
    store.create_service_menu(Some(&actor.id), &menu).await?;
    service_menu(store, actor, &menu.key).await
}

/// Changes a menu's names, order or retirement.
pub async fn update_service_menu(
    store: &Store,
    actor: &User,
    key: &str,
    input: &ServiceMenuInput,
) -> ServiceResult<ServiceMenu> {
    let mut menu = service_menu(store, actor, key).await?;
    let mut errors = Invalid::new();
    if input.items.is_some() {
        errors.push(
            "items",
            Problem::Conflicts {
                reason: "problem.items_one_by_one",
            },
        );
    }
    text(&mut menu.name_ja, &input.name_ja);
    text(&mut menu.name_en, &input.name_en);
    menu.position = position("position", menu.position, input.position, &mut errors);
    menu.retired = input.retired.unwrap_or(menu.retired);
    if let Err(e) = check_service_menu(&menu) {
        errors.0.extend(e.0);
    }
    errors.into_result()?;
    store.update_service_menu(Some(&actor.id), &menu).await?;
    service_menu(store, actor, key).await
}

/// Deletes a menu no ticket is about and no article is tagged with.
pub async fn delete_service_menu(store: &Store, actor: &User, key: &str) -> ServiceResult<()> {
    admin_only(actor)?;
    store
        .delete_service_menu(Some(&actor.id), key)
        .await
        .map_err(|e| unless_in_use("key", e))
}

/// Adds an item to a menu; new tickets about the menu must fill it in when it is required.
pub async fn add_menu_item(
    store: &Store,
    actor: &User,
    menu_key: &str,
    input: &MenuItemInput,
) -> ServiceResult<MenuItem> {
    let menu = service_menu(store, actor, menu_key).await?;
    let base = new_item(
        &input.key,
        after_last(menu.items.iter().map(|i| i.position)),
    );
    let (item, mut errors) = apply_item("", base, input, true);
    if let Ok(key) = check_key(&item.key)
        && menu.items.iter().any(|i| i.key == key)
    {
        errors.push("key", Problem::Taken);
    }
    errors.into_result()?;
    store
        .add_menu_item(Some(&actor.id), menu_key, &item)
        .await?;
    menu_item(store, actor, menu_key, &item.key).await
}

pub async fn menu_item(
    store: &Store,
    actor: &User,
    menu_key: &str,
    item_key: &str,
) -> ServiceResult<MenuItem> {
    service_menu(store, actor, menu_key)
        .await?
        .items
        .into_iter()
        .find(|i| i.key == item_key)
        .ok_or(ServiceError::NotFound)
}

pub async fn update_menu_item(
    store: &Store,
    actor: &User,
    menu_key: &str,
    item_key: &str,
    input: &MenuItemInput,
) -> ServiceResult<MenuItem> {
    let before = menu_item(store, actor, menu_key, item_key).await?;
    let (item, errors) = apply_item("", before, input, false);
    errors.into_result()?;
    store
        .update_menu_item(Some(&actor.id), menu_key, &item)
        .await?;
    menu_item(store, actor, menu_key, item_key).await
}

/// Deletes an item no ticket carries a value for.
pub async fn delete_menu_item(
    store: &Store,
    actor: &User,
    menu_key: &str,
    item_key: &str,
) -> ServiceResult<()> {
    admin_only(actor)?;
    store
        .delete_menu_item(Some(&actor.id), menu_key, item_key)
        .await
        .map_err(|e| unless_in_use("key", e))
}
