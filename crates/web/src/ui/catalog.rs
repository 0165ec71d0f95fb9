//! The console's catalog (admins; issue 13): `/admin/catalog` lists the ticket types and the
//! service menus; a type and a menu each have a page where they are edited, retired, and —
//! when no ticket uses them — deleted after a confirmation. A menu's page edits its items one
//! row at a time, reorders them by an order number and adds new ones. Works without
//! JavaScript; a refused form comes back as typed, with the reasons beside its fields.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::ServiceError;
use madoguchi_app::catalog::{self, MenuItemInput, ServiceMenuInput, TicketTypeInput};
use madoguchi_core::catalog::{MenuItem, ServiceMenu, TicketType};
use madoguchi_core::{Desk, Locale, MenuInput, SupportPlan, TicketChannel, TicketKind};
use madoguchi_store::Session;
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::console::{CsrfForm, DeletePage, DoneQuery, field_errors};
use crate::ui::tickets::localized;
use crate::ui::{Nav, csrf_failed, render, unless_admin};

fn fail(locale: Locale, e: ServiceError) -> Response {
    PageError::from_service(locale, e).into_response()
}

/// One form's values as shown and the reasons it was refused, by field.
#[derive(Default)]
pub(crate) struct Fields {
    pub(crate) values: BTreeMap<String, String>,
    pub(crate) errors: BTreeMap<String, String>,
}

impl Fields {
    fn of(values: impl IntoIterator<Item = (&'static str, String)>) -> Self {
        Fields {
            values: values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            errors: BTreeMap::new(),
        }
    }

    /// The form again as typed, with why it was refused. `options[2]` and `plans[0]` are
    /// shown at their one field.
    pub(crate) fn refused(self, locale: Locale, e: &ServiceError) -> Option<Self> {
        self.refused_as(locale, e, |field| {
            field.split('[').next().unwrap_or_default().to_owned()
        })
    }

    /// The same, with each refused field shown at the form field `name_of` names.
    pub(crate) fn refused_as(
        mut self,
        locale: Locale,
        e: &ServiceError,
        name_of: impl Fn(&str) -> String,
    ) -> Option<Self> {
        for (field, why) in field_errors(locale, e)? {
            self.errors.entry(name_of(&field)).or_insert(why);
        }
        Some(self)
    }

    pub fn v(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn on(&self, name: &str) -> bool {
        !self.v(name).is_empty()
    }

    pub fn e(&self, name: &str) -> &str {
        self.errors.get(name).map(String::as_str).unwrap_or("")
    }

    /// `aria-invalid` and `aria-describedby` for a field in error, whose id is
    /// `{form}-{name}`.
    pub fn aria(&self, form: &str, name: &str) -> String {
        if self.e(name).is_empty() {
            String::new()
        } else {
            format!(r#" aria-invalid="true" aria-describedby="{form}-{name}-error""#)
        }
    }
}

fn flag(on: bool) -> String {
    if on { "on".into() } else { String::new() }
}

/// The words of a `done=` banner of this console part, or none for an unknown one.
pub(crate) fn banner(locale: Locale, done: &Option<String>) -> Option<String> {
    let key = format!("catalog.done_{}", done.as_deref()?);
    let text = i18n::text(locale, &key);
    (text != key).then(|| text.to_owned())
}

/// A whole-number field of a form; what is not one is sent on as out of range, so the
/// refusal says which numbers are taken.
pub(crate) fn number(text: &str) -> Option<i64> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.parse().unwrap_or(-1))
}

fn choices<T: Copy>(
    w: &Words,
    all: &[T],
    code: fn(T) -> &'static str,
    prefix: &str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| {
            let c = code(*v);
            (c.to_owned(), w.t(&format!("{prefix}{c}")).to_owned())
        })
        .collect()
}

// ---- the list ----

struct TypeRow {
    code: String,
    name: String,
    desk: String,
    kind: String,
    channel: String,
    plans: String,
    position: i64,
    retired: bool,
}

struct MenuRow {
    key: String,
    name: String,
    items: usize,
    position: i64,
    retired: bool,
}

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    w: Words,
    nav: Nav,
    csrf: String,
    banner: Option<String>,
    types: Vec<TypeRow>,
    menus: Vec<MenuRow>,
    /// The new menu's form.
    menu: Fields,
}

async fn catalog_page(
    state: &AppState,
    session: &Session,
    banner: Option<String>,
    menu: Fields,
) -> Response {
    let user = &session.user;
    let w = Words(user.locale);
    let loaded = async {
        let types = catalog::ticket_types(&state.store, user).await?;
        let menus = catalog::service_menus(&state.store, user).await?;
        Ok::<_, ServiceError>((types, menus))
    };
    let (types, menus) = match loaded.await {
        Ok(loaded) => loaded,
        Err(e) => return fail(user.locale, e),
    };
    let status = if menu.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CatalogPage {
        csrf: session.csrf_token.clone(),
        nav: Nav::of(session),
        banner,
        types: types
            .iter()
            .map(|t| TypeRow {
                code: t.code.clone(),
                name: localized(user.locale, &t.name_ja, &t.name).to_owned(),
                desk: w.t(&format!("catalog.desk_{}", t.desk.code())).to_owned(),
                kind: w.t(&format!("catalog.kind_{}", t.kind.code())).to_owned(),
                channel: w
                    .t(&format!("catalog.channel_{}", t.channel.code()))
                    .to_owned(),
                plans: t
                    .plans
                    .iter()
                    .map(|p| w.t(&format!("plan.{}", p.code())).to_owned())
                    .collect::<Vec<_>>()
                    .join(", "),
                position: t.position,
                retired: t.retired,
            })
            .collect(),
        menus: menus
            .iter()
            .map(|m| MenuRow {
                key: m.key.clone(),
                name: localized(user.locale, &m.name_ja, &m.name_en).to_owned(),
                items: m.items.iter().filter(|i| !i.retired).count(),
                position: m.position,
                retired: m.retired,
            })
            .collect(),
        menu,
        w,
    };
    (status, render(user.locale, page)).into_response()
}

/// `GET /admin/catalog`.
pub async fn list(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<DoneQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let banner = banner(session.user.locale, &q.done);
    catalog_page(&state, &session, banner, Fields::default()).await
}

#[derive(Deserialize)]
pub struct NewMenuForm {
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    name_ja: String,
    #[serde(default)]
    name_en: String,
}

/// `POST /admin/catalog/menus`: a new menu, then its page to add its items.
pub async fn create_menu(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<NewMenuForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let input = ServiceMenuInput {
        key: Some(form.key.clone()),
        name_ja: Some(form.name_ja.clone()),
        name_en: Some(form.name_en.clone()),
        ..Default::default()
    };
    match catalog::create_service_menu(&state.store, &session.user, &input).await {
        Ok(m) => Redirect::to(&format!("/admin/catalog/menus/{}?done=menu_created", m.key))
            .into_response(),
        Err(e) => {
            let typed = Fields::of([
                ("key", form.key),
                ("name_ja", form.name_ja),
                ("name_en", form.name_en),
            ]);
            match typed.refused(locale, &e) {
                Some(menu) => catalog_page(&state, &session, None, menu).await,
                None => fail(locale, e),
            }
        }
    }
}

// ---- a ticket type ----

/// A select of the type's form: (field, label key, choices as (code, words)).
type Select = (&'static str, &'static str, Vec<(String, String)>);

#[derive(Template)]
#[template(path = "catalog_type.html")]
struct TypePage {
    w: Words,
    nav: Nav,
    csrf: String,
    banner: Option<String>,
    /// None while adding one.
    code: Option<String>,
    form: Fields,
    /// Kind, channel and desk.
    selects: Vec<Select>,
    /// (code, name, offered).
    plans: Vec<(String, String, bool)>,
}

fn type_fields(t: &TicketType) -> Fields {
    let mut fields = Fields::of([
        ("code", t.code.clone()),
        ("name_ja", t.name_ja.clone()),
        ("name_en", t.name.clone()),
        ("description_ja", t.description_ja.clone()),
        ("description_en", t.description_en.clone()),
        ("kind", t.kind.code().to_owned()),
        ("channel", t.channel.code().to_owned()),
        ("desk", t.desk.code().to_owned()),
        ("position", t.position.to_string()),
        ("retired", flag(t.retired)),
    ]);
    for plan in &t.plans {
        fields
            .values
            .insert(format!("plan_{}", plan.code()), "on".into());
    }
    fields
}

fn type_page(
    session: &Session,
    code: Option<String>,
    banner: Option<String>,
    form: Fields,
) -> Response {
    let locale = session.user.locale;
    let w = Words(locale);
    let status = if form.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TypePage {
        selects: vec![
            (
                "kind",
                "catalog.kind",
                choices(&w, TicketKind::ALL, TicketKind::code, "catalog.kind_"),
            ),
            (
                "channel",
                "catalog.channel",
                choices(
                    &w,
                    TicketChannel::ALL,
                    TicketChannel::code,
                    "catalog.channel_",
                ),
            ),
            (
                "desk",
                "catalog.desk",
                choices(&w, Desk::ALL, Desk::code, "catalog.desk_"),
            ),
        ],
        plans: choices(&w, SupportPlan::ALL, SupportPlan::code, "plan.")
            .into_iter()
            .map(|(code, name)| {
                let on = form.on(&format!("plan_{code}"));
                (code, name, on)
            })
            .collect(),
        w,
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        banner,
        code,
        form,
    };
    (status, render(locale, page)).into_response()
}

/// `GET /admin/catalog/types/new`.
pub async fn new_type(Browser(session): Browser) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let form = Fields::of([("kind", String::new())]);
    type_page(&session, None, None, form)
}

/// `GET /admin/catalog/types/{code}`.
pub async fn edit_type(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(code): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    match catalog::ticket_type(&state.store, &session.user, &code).await {
        Ok(t) => type_page(
            &session,
            Some(code),
            banner(locale, &q.done),
            type_fields(&t),
        ),
        Err(e) => fail(locale, e),
    }
}

#[derive(Deserialize)]
pub struct TypeForm {
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_ja: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    description_ja: String,
    #[serde(default)]
    description_en: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    desk: String,
    plan_basic: Option<String>,
    plan_advanced: Option<String>,
    plan_premium: Option<String>,
    #[serde(default)]
    position: String,
    retired: Option<String>,
}

impl TypeForm {
    fn input(&self, adding: bool) -> TicketTypeInput {
        let plans = [
            (&self.plan_basic, SupportPlan::Basic),
            (&self.plan_advanced, SupportPlan::Advanced),
            (&self.plan_premium, SupportPlan::Premium),
        ]
        .into_iter()
        .filter(|(on, _)| on.is_some())
        .map(|(_, plan)| plan.code().to_owned())
        .collect();
        TicketTypeInput {
            code: adding.then(|| self.code.clone()),
            name_ja: Some(self.name_ja.clone()),
            name_en: Some(self.name_en.clone()),
            description_ja: Some(self.description_ja.clone()),
            description_en: Some(self.description_en.clone()),
            kind: Some(self.kind.clone()),
            channel: Some(self.channel.clone()),
            desk: Some(self.desk.clone()),
            plans: Some(plans),
            position: number(&self.position),
            // A new type is offered; the box is on the edit page only.
            retired: (!adding).then_some(self.retired.is_some()),
        }
    }

    fn typed(self) -> Fields {
        Fields::of([
            ("code", self.code),
            ("name_ja", self.name_ja),
            ("name_en", self.name_en),
            ("description_ja", self.description_ja),
            ("description_en", self.description_en),
            ("kind", self.kind),
            ("channel", self.channel),
            ("desk", self.desk),
            ("plan_basic", self.plan_basic.unwrap_or_default()),
            ("plan_advanced", self.plan_advanced.unwrap_or_default()),
            ("plan_premium", self.plan_premium.unwrap_or_default()),
            ("position", self.position),
            ("retired", self.retired.unwrap_or_default()),
        ])
    }
}

/// `POST /admin/catalog/types` adds one; `POST /admin/catalog/types/{code}` saves one.
async fn save_type(
    state: AppState,
    session: Session,
    code: Option<String>,
    form: TypeForm,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let (store, user) = (&state.store, &session.user);
    let result = match &code {
        None => catalog::create_ticket_type(store, user, &form.input(true)).await,
        Some(code) => catalog::update_ticket_type(store, user, code, &form.input(false)).await,
    };
    match result {
        Ok(t) => {
            let done = if code.is_some() {
                "type_saved"
            } else {
                "type_created"
            };
            Redirect::to(&format!("/admin/catalog/types/{}?done={done}", t.code)).into_response()
        }
        Err(e) => match form.typed().refused(locale, &e) {
            Some(fields) => type_page(&session, code, None, fields),
            None => fail(locale, e),
        },
    }
}

pub async fn create_type(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<TypeForm>,
) -> Response {
    save_type(state, session, None, form).await
}

pub async fn update_type(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(code): Path<String>,
    PageForm(form): PageForm<TypeForm>,
) -> Response {
    save_type(state, session, Some(code), form).await
}

// ---- a service menu and its items ----

struct ItemRow {
    key: String,
    /// The prefix of its fields' ids: `item-{key}`.
    id: String,
    form: Fields,
}

#[derive(Template)]
#[template(path = "catalog_menu.html")]
struct MenuPage {
    w: Words,
    nav: Nav,
    csrf: String,
    banner: Option<String>,
    alert: Option<String>,
    key: String,
    name: String,
    menu: Fields,
    items: Vec<ItemRow>,
    new_item: Fields,
    inputs: Vec<(String, String)>,
}

fn item_fields(i: &MenuItem) -> Fields {
    Fields::of([
        ("key", i.key.clone()),
        ("label_ja", i.label_ja.clone()),
        ("label_en", i.label_en.clone()),
        ("input", i.input.code().to_owned()),
        ("required", flag(i.required)),
        ("options", i.options.join("\n")),
        ("position", i.position.to_string()),
        ("retired", flag(i.retired)),
    ])
}

/// Which form of a menu's page was refused, as typed.
enum MenuRefusal {
    None,
    Menu(Fields),
    Item(String, Fields),
    NewItem(Fields),
    /// Not a form: a delete that was refused, and why.
    Alert(String),
}

async fn menu_page(
    state: &AppState,
    session: &Session,
    key: &str,
    banner: Option<String>,
    refusal: MenuRefusal,
) -> Response {
    let user = &session.user;
    let locale = user.locale;
    let m: ServiceMenu = match catalog::service_menu(&state.store, user, key).await {
        Ok(m) => m,
        Err(e) => return fail(locale, e),
    };
    let w = Words(locale);
    let mut menu = Fields::of([
        ("name_ja", m.name_ja.clone()),
        ("name_en", m.name_en.clone()),
        ("position", m.position.to_string()),
        ("retired", flag(m.retired)),
    ]);
    let mut items: Vec<ItemRow> = m
        .items
        .iter()
        .map(|i| ItemRow {
            key: i.key.clone(),
            id: format!("item-{}", i.key),
            form: item_fields(i),
        })
        .collect();
    let mut new_item = Fields::of([("required", flag(true)), ("input", "text".to_owned())]);
    let mut alert = None;
    let refused = !matches!(refusal, MenuRefusal::None);
    match refusal {
        MenuRefusal::None => {}
        MenuRefusal::Menu(f) => menu = f,
        MenuRefusal::Item(item, f) => {
            if let Some(row) = items.iter_mut().find(|r| r.key == item) {
                row.form = f;
            }
        }
        MenuRefusal::NewItem(f) => new_item = f,
        MenuRefusal::Alert(why) => alert = Some(why),
    }
    let alert = alert.or_else(|| refused.then(|| w.t("console.refused").to_owned()));
    let page = MenuPage {
        inputs: choices(&w, MenuInput::ALL, MenuInput::code, "catalog.input_"),
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        banner,
        alert,
        key: m.key.clone(),
        name: localized(locale, &m.name_ja, &m.name_en).to_owned(),
        menu,
        items,
        new_item,
        w,
    };
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(locale, page)).into_response()
}

/// `GET /admin/catalog/menus/{key}`.
pub async fn edit_menu(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let banner = banner(session.user.locale, &q.done);
    menu_page(&state, &session, &key, banner, MenuRefusal::None).await
}

#[derive(Deserialize)]
pub struct MenuForm {
    csrf: String,
    #[serde(default)]
    name_ja: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    position: String,
    retired: Option<String>,
}

/// `POST /admin/catalog/menus/{key}`: names, order, retired.
pub async fn update_menu(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<MenuForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let input = ServiceMenuInput {
        name_ja: Some(form.name_ja.clone()),
        name_en: Some(form.name_en.clone()),
        position: number(&form.position),
        retired: Some(form.retired.is_some()),
        ..Default::default()
    };
    match catalog::update_service_menu(&state.store, &session.user, &key, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/admin/catalog/menus/{key}?done=menu_saved")).into_response()
        }
        Err(e) => {
            let typed = Fields::of([
                ("name_ja", form.name_ja),
                ("name_en", form.name_en),
                ("position", form.position),
                ("retired", form.retired.unwrap_or_default()),
            ]);
            match typed.refused(locale, &e) {
                Some(f) => menu_page(&state, &session, &key, None, MenuRefusal::Menu(f)).await,
                None => fail(locale, e),
            }
        }
    }
}

#[derive(Deserialize)]
pub struct ItemForm {
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    label_ja: String,
    #[serde(default)]
    label_en: String,
    #[serde(default)]
    input: String,
    required: Option<String>,
    /// One choice a line.
    #[serde(default)]
    options: String,
    #[serde(default)]
    position: String,
    retired: Option<String>,
}

impl ItemForm {
    fn input(&self, adding: bool) -> MenuItemInput {
        MenuItemInput {
            key: adding.then(|| self.key.clone()),
            label_ja: Some(self.label_ja.clone()),
            label_en: Some(self.label_en.clone()),
            input: Some(self.input.clone()),
            required: Some(self.required.is_some()),
            options: Some(
                self.options
                    .lines()
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            position: number(&self.position),
            retired: (!adding).then_some(self.retired.is_some()),
        }
    }

    fn typed(self) -> Fields {
        Fields::of([
            ("key", self.key),
            ("label_ja", self.label_ja),
            ("label_en", self.label_en),
            ("input", self.input),
            ("required", self.required.unwrap_or_default()),
            ("options", self.options),
            ("position", self.position),
            ("retired", self.retired.unwrap_or_default()),
        ])
    }
}

/// `POST /admin/catalog/menus/{key}/items`: a new item, asked on new tickets at once.
pub async fn add_item(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<ItemForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    match catalog::add_menu_item(&state.store, &session.user, &key, &form.input(true)).await {
        Ok(_) => {
            Redirect::to(&format!("/admin/catalog/menus/{key}?done=item_added")).into_response()
        }
        Err(e) => match form.typed().refused(locale, &e) {
            Some(f) => menu_page(&state, &session, &key, None, MenuRefusal::NewItem(f)).await,
            None => fail(locale, e),
        },
    }
}

/// `POST /admin/catalog/menus/{key}/items/{item}`: one item's row.
pub async fn update_item(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path((key, item)): Path<(String, String)>,
    PageForm(form): PageForm<ItemForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let input = form.input(false);
    match catalog::update_menu_item(&state.store, &session.user, &key, &item, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/admin/catalog/menus/{key}?done=item_saved")).into_response()
        }
        Err(e) => {
            let mut typed = form.typed();
            typed.values.insert("key".into(), item.clone());
            match typed.refused(locale, &e) {
                Some(f) => {
                    menu_page(&state, &session, &key, None, MenuRefusal::Item(item, f)).await
                }
                None => fail(locale, e),
            }
        }
    }
}

// ---- deleting, after a confirmation; what tickets use is refused with the advice to retire ----

#[derive(Clone, Copy)]
enum Doomed {
    Type,
    Menu,
    Item,
}

/// The question naming what goes, where the delete posts, and where to go back to.
async fn doomed(
    state: &AppState,
    session: &Session,
    what: Doomed,
    path: &[String],
) -> Result<(String, String, String), ServiceError> {
    let user = &session.user;
    let locale = user.locale;
    let store = &state.store;
    Ok(match (what, path) {
        (Doomed::Type, [code]) => {
            let t = catalog::ticket_type(store, user, code).await?;
            let name = localized(locale, &t.name_ja, &t.name).to_owned();
            let question = i18n::text_with(locale, "catalog.delete_type", &[("name", name)]);
            (
                question,
                format!("/admin/catalog/types/{code}/delete"),
                format!("/admin/catalog/types/{code}"),
            )
        }
        (Doomed::Menu, [key]) => {
            let m = catalog::service_menu(store, user, key).await?;
            let name = localized(locale, &m.name_ja, &m.name_en).to_owned();
            let question = i18n::text_with(locale, "catalog.delete_menu", &[("name", name)]);
            (
                question,
                format!("/admin/catalog/menus/{key}/delete"),
                format!("/admin/catalog/menus/{key}"),
            )
        }
        (Doomed::Item, [key, item]) => {
            let i = catalog::menu_item(store, user, key, item).await?;
            let label = localized(locale, &i.label_ja, &i.label_en).to_owned();
            let question = i18n::text_with(locale, "catalog.delete_item", &[("label", label)]);
            (
                question,
                format!("/admin/catalog/menus/{key}/items/{item}/delete"),
                format!("/admin/catalog/menus/{key}"),
            )
        }
        _ => return Err(ServiceError::NotFound),
    })
}

async fn confirm(state: AppState, session: Session, what: Doomed, path: Vec<String>) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    match doomed(&state, &session, what, &path).await {
        Ok((question, action, back)) => render(
            locale,
            DeletePage {
                w: Words(locale),
                nav: Nav::of(&session),
                csrf: session.csrf_token.clone(),
                question,
                action,
                back_label: Words(locale).t("catalog.back").to_owned(),
                back,
                // A type, menu or item in use is refused when deleted, with the advice to retire it.
                blocked: Vec::new(),
            },
        ),
        Err(e) => fail(locale, e),
    }
}

async fn delete(
    state: AppState,
    session: Session,
    what: Doomed,
    path: Vec<String>,
    form: CsrfForm,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let (store, user) = (&state.store, &session.user);
    let result = match (what, path.as_slice()) {
        (Doomed::Type, [code]) => catalog::delete_ticket_type(store, user, code).await,
        (Doomed::Menu, [key]) => catalog::delete_service_menu(store, user, key).await,
        (Doomed::Item, [key, item]) => catalog::delete_menu_item(store, user, key, item).await,
        _ => Err(ServiceError::NotFound),
    };
    match (result, what) {
        (Ok(()), Doomed::Type) => Redirect::to("/admin/catalog?done=type_deleted").into_response(),
        (Ok(()), Doomed::Menu) => Redirect::to("/admin/catalog?done=menu_deleted").into_response(),
        (Ok(()), Doomed::Item) => Redirect::to(&format!(
            "/admin/catalog/menus/{}?done=item_deleted",
            path[0]
        ))
        .into_response(),
        (Err(ServiceError::Conflict(invalid)), _) => {
            let reasons: Vec<String> = invalid
                .0
                .iter()
                .map(|e| i18n::problem(locale, &e.problem))
                .collect();
            let why = i18n::text_with(locale, "console.not_deleted", &[("why", reasons.join(" "))]);
            match what {
                Doomed::Type => {
                    let t = match catalog::ticket_type(store, user, &path[0]).await {
                        Ok(t) => t,
                        Err(e) => return fail(locale, e),
                    };
                    let mut form = type_fields(&t);
                    form.errors.insert("retired".into(), why);
                    type_page(&session, Some(path[0].clone()), None, form)
                }
                _ => menu_page(&state, &session, &path[0], None, MenuRefusal::Alert(why)).await,
            }
        }
        (Err(e), _) => fail(locale, e),
    }
}

/// `GET /admin/catalog/types/{code}/delete`.
pub async fn confirm_delete_type(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(code): Path<String>,
) -> Response {
    confirm(state, session, Doomed::Type, vec![code]).await
}

/// `POST /admin/catalog/types/{code}/delete`.
pub async fn delete_type(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(code): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    delete(state, session, Doomed::Type, vec![code], form).await
}

/// `GET /admin/catalog/menus/{key}/delete`.
pub async fn confirm_delete_menu(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
) -> Response {
    confirm(state, session, Doomed::Menu, vec![key]).await
}

/// `POST /admin/catalog/menus/{key}/delete`.
pub async fn delete_menu(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    delete(state, session, Doomed::Menu, vec![key], form).await
}

/// `GET /admin/catalog/menus/{key}/items/{item}/delete`.
pub async fn confirm_delete_item(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path((key, item)): Path<(String, String)>,
) -> Response {
    confirm(state, session, Doomed::Item, vec![key, item]).await
}

/// `POST /admin/catalog/menus/{key}/items/{item}/delete`.
pub async fn delete_item(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path((key, item)): Path<(String, String)>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    delete(state, session, Doomed::Item, vec![key, item], form).await
}
