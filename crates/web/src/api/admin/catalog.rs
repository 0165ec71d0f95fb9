//! `/api/v1/admin/ticket-types`, `/api/v1/admin/service-menus`: the catalog (SPEC §3, §8;
//! issue 13). Admins only. Answers the SPEC's shapes with what admins also need (both
//! languages, plans, order, `retired`); retired records are listed here and nowhere a
//! customer files.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use madoguchi_app::catalog::{self, MenuItemInput, ServiceMenuInput, TicketTypeInput};
use madoguchi_core::Locale;
use madoguchi_core::catalog::TicketType;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::views::{List, MenuItemView, ServiceMenuView};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::state::AppState;

/// A ticket type as admins edit it: the SPEC's `{code, name, description, kind, channel,
/// desk}` and both languages, the plans, the order and whether it is retired.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminTicketTypeView {
    pub code: String,
    /// In the caller's language.
    pub name: String,
    pub name_ja: String,
    pub name_en: String,
    /// In the caller's language.
    pub description: String,
    pub description_ja: String,
    pub description_en: String,
    /// `inquiry` or `incident`.
    pub kind: String,
    /// `web` or `callback`.
    pub channel: String,
    /// `general` or `premium`.
    pub desk: String,
    /// The plans that offer it.
    pub plans: Vec<String>,
    pub position: i64,
    pub retired: bool,
}

impl AdminTicketTypeView {
    fn new(t: &TicketType, locale: Locale) -> Self {
        let ja = locale == Locale::Ja;
        AdminTicketTypeView {
            code: t.code.clone(),
            name: if ja { &t.name_ja } else { &t.name }.clone(),
            name_ja: t.name_ja.clone(),
            name_en: t.name.clone(),
            description: if ja {
                &t.description_ja
            } else {
                &t.description_en
            }
            .clone(),
            description_ja: t.description_ja.clone(),
            description_en: t.description_en.clone(),
            kind: t.kind.code().to_owned(),
            channel: t.channel.code().to_owned(),
            desk: t.desk.code().to_owned(),
            plans: t.plans.iter().map(|p| p.code().to_owned()).collect(),
            position: t.position,
            retired: t.retired,
        }
    }
}

/// Every ticket type, retired ones too, in pick-list order.
#[utoipa::path(get, path = "/api/v1/admin/ticket-types", tag = "admin",
    responses((status = 200, body = List<AdminTicketTypeView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_types(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<List<AdminTicketTypeView>>, ApiError> {
    let types = catalog::ticket_types(&state.store, &actor).await?;
    Ok(Json(List::all(
        types
            .iter()
            .map(|t| AdminTicketTypeView::new(t, actor.locale))
            .collect(),
    )))
}

/// Adds a ticket type; the plans given offer it at once.
#[utoipa::path(post, path = "/api/v1/admin/ticket-types", tag = "admin", request_body = TicketTypeInput,
    responses((status = 201, body = AdminTicketTypeView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_type(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<TicketTypeInput>,
) -> Result<(StatusCode, Json<AdminTicketTypeView>), ApiError> {
    let t = catalog::create_ticket_type(&state.store, &actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(AdminTicketTypeView::new(&t, actor.locale)),
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/ticket-types/{code}", tag = "admin", params(("code" = String, Path)),
    responses((status = 200, body = AdminTicketTypeView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_type(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(code): Path<String>,
) -> Result<Json<AdminTicketTypeView>, ApiError> {
    let t = catalog::ticket_type(&state.store, &actor, &code).await?;
    Ok(Json(AdminTicketTypeView::new(&t, actor.locale)))
}

/// Changes the fields given; `{"retired": true}` retires it (tickets filed with it keep it).
#[utoipa::path(patch, path = "/api/v1/admin/ticket-types/{code}", tag = "admin", params(("code" = String, Path)),
    request_body = TicketTypeInput,
    responses((status = 200, body = AdminTicketTypeView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_type(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<TicketTypeInput>,
) -> Result<Json<AdminTicketTypeView>, ApiError> {
    let t = catalog::update_ticket_type(&state.store, &actor, &code, &input).await?;
    Ok(Json(AdminTicketTypeView::new(&t, actor.locale)))
}

/// Deletes a type no ticket was filed with; one that tickets use answers 409 (retire it).
#[utoipa::path(delete, path = "/api/v1/admin/ticket-types/{code}", tag = "admin", params(("code" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_type(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    catalog::delete_ticket_type(&state.store, &actor, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every service menu with every item, retired ones too.
#[utoipa::path(get, path = "/api/v1/admin/service-menus", tag = "admin",
    responses((status = 200, body = List<ServiceMenuView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_menus(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<List<ServiceMenuView>>, ApiError> {
    let menus = catalog::service_menus(&state.store, &actor).await?;
    Ok(Json(List::all(
        menus
            .iter()
            .map(|m| ServiceMenuView::new(m, actor.locale))
            .collect(),
    )))
}

/// Adds a service menu, with its items if given.
#[utoipa::path(post, path = "/api/v1/admin/service-menus", tag = "admin", request_body = ServiceMenuInput,
    responses((status = 201, body = ServiceMenuView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_menu(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<ServiceMenuInput>,
) -> Result<(StatusCode, Json<ServiceMenuView>), ApiError> {
    let m = catalog::create_service_menu(&state.store, &actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(ServiceMenuView::new(&m, actor.locale)),
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/service-menus/{key}", tag = "admin", params(("key" = String, Path)),
    responses((status = 200, body = ServiceMenuView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_menu(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(key): Path<String>,
) -> Result<Json<ServiceMenuView>, ApiError> {
    let m = catalog::service_menu(&state.store, &actor, &key).await?;
    Ok(Json(ServiceMenuView::new(&m, actor.locale)))
}

/// Changes a menu's names, order or retirement; its items change one by one.
#[utoipa::path(patch, path = "/api/v1/admin/service-menus/{key}", tag = "admin", params(("key" = String, Path)),
    request_body = ServiceMenuInput,
    responses((status = 200, body = ServiceMenuView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_menu(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<ServiceMenuInput>,
) -> Result<Json<ServiceMenuView>, ApiError> {
    let m = catalog::update_service_menu(&state.store, &actor, &key, &input).await?;
    Ok(Json(ServiceMenuView::new(&m, actor.locale)))
}

/// Deletes a menu no ticket is about and no article is tagged with; otherwise 409.
#[utoipa::path(delete, path = "/api/v1/admin/service-menus/{key}", tag = "admin", params(("key" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_menu(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    catalog::delete_service_menu(&state.store, &actor, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds an item; a required one is demanded of every new ticket about the menu at once.
#[utoipa::path(post, path = "/api/v1/admin/service-menus/{key}/items", tag = "admin", params(("key" = String, Path)),
    request_body = MenuItemInput,
    responses((status = 201, body = MenuItemView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_item(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<MenuItemInput>,
) -> Result<(StatusCode, Json<MenuItemView>), ApiError> {
    let item = catalog::add_menu_item(&state.store, &actor, &key, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(MenuItemView::new(&item, actor.locale)),
    ))
}

/// Changes the fields given; `{"retired": true}` stops asking it (old tickets still show it).
#[utoipa::path(patch, path = "/api/v1/admin/service-menus/{key}/items/{item}", tag = "admin",
    params(("key" = String, Path), ("item" = String, Path)), request_body = MenuItemInput,
    responses((status = 200, body = MenuItemView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_item(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path((key, item)): Path<(String, String)>,
    ApiJson(input): ApiJson<MenuItemInput>,
) -> Result<Json<MenuItemView>, ApiError> {
    let item = catalog::update_menu_item(&state.store, &actor, &key, &item, &input).await?;
    Ok(Json(MenuItemView::new(&item, actor.locale)))
}

/// Deletes an item no ticket carries a value for; otherwise 409 (retire it).
#[utoipa::path(delete, path = "/api/v1/admin/service-menus/{key}/items/{item}", tag = "admin",
    params(("key" = String, Path), ("item" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_item(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path((key, item)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    catalog::delete_menu_item(&state.store, &actor, &key, &item).await?;
    Ok(StatusCode::NO_CONTENT)
}
