//! The customer's ticket pages: category → type → form, the list, the ticket page with its
//! response log and reply box.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_core::catalog::{ServiceMenu, TicketType};
use madoguchi_core::model::User;
use madoguchi_core::{Invalid, Locale, Status, TicketChannel, TicketKind};
use madoguchi_store::{Cursor, Session};
use serde::Deserialize;

use crate::auth::Browser;
use crate::error::PageError;
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::multipart_form::{self, FormError, SubmittedForm};
use crate::ui::{Nav, format_time, render};
use madoguchi_app::ServiceError;
use madoguchi_app::tickets::{self, CallbackInput, IncidentInput, TicketInput, TicketQuery};

pub(super) fn page_error(locale: Locale, e: ServiceError) -> Response {
    PageError::from_service(locale, e).into_response()
}

pub(super) fn form_error(locale: Locale, e: FormError) -> Response {
    let (status, key) = match e {
        FormError::Csrf => (StatusCode::FORBIDDEN, "error.csrf"),
        FormError::Malformed => (StatusCode::BAD_REQUEST, "error.title"),
        FormError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "error.internal"),
    };
    PageError {
        status,
        locale,
        message_key: key,
    }
    .into_response()
}

/// Field problems worded for the page, by field path.
pub(super) fn worded(locale: Locale, invalid: &Invalid) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for e in &invalid.0 {
        // `participants[2]` shows beside the participant picker.
        let field = e.field.split('[').next().unwrap_or(&e.field).to_owned();
        let text = i18n::problem(locale, &e.problem);
        out.entry(field)
            .and_modify(|t| {
                t.push(' ');
                t.push_str(&text);
            })
            .or_insert(text);
    }
    out
}

pub(crate) fn localized<'a>(locale: Locale, ja: &'a str, en: &'a str) -> &'a str {
    if locale == Locale::Ja { ja } else { en }
}

pub(super) fn file_size(size: i64) -> String {
    match size {
        s if s >= 1024 * 1024 => format!("{:.1} MiB", s as f64 / (1024.0 * 1024.0)),
        s if s >= 1024 => format!("{:.1} KiB", s as f64 / 1024.0),
        s => format!("{s} B"),
    }
}

// ---- category choice ----

#[derive(Template)]
#[template(path = "tickets_new.html")]
struct CategoryPage {
    w: Words,
    nav: Nav,
    categories: Vec<CategoryRow>,
    /// (name, email) of the organization's admins.
    admins: Vec<(String, String)>,
    partner: Option<String>,
}

struct CategoryRow {
    name: String,
    contract_number: String,
    plan: String,
}

#[derive(Deserialize, Default)]
pub struct FollowUpQuery {
    follow_up_of: Option<String>,
}

pub async fn choose_category(State(state): State<AppState>, Browser(session): Browser) -> Response {
    let user = &session.user;
    if !user.role.is_customer() {
        // Support staff answer tickets; filing is for customers.
        return PageError {
            status: StatusCode::FORBIDDEN,
            locale: user.locale,
            message_key: "new.customers_only",
        }
        .into_response();
    }
    let w = Words(user.locale);
    let choice = match tickets::categories(&state.store, user).await {
        Ok(c) => c,
        Err(e) => return page_error(user.locale, e),
    };
    let partner = match &choice.reason {
        Some(madoguchi_core::category::NoCategory::PartnerContract { partners }) => {
            Some(partners.join(", "))
        }
        _ => None,
    };
    let page = CategoryPage {
        w,
        nav: Nav::of(&session),
        categories: choice
            .categories
            .iter()
            .map(|c| CategoryRow {
                name: c.name.clone(),
                contract_number: c.contract_number.clone(),
                plan: w.t(&format!("plan.{}", c.plan.code())).to_owned(),
            })
            .collect(),
        admins: choice
            .admins
            .iter()
            .map(|a| (a.name.clone(), a.email.clone()))
            .collect(),
        partner,
    };
    render(user.locale, page)
}

// ---- ticket type choice ----

#[derive(Template)]
#[template(path = "ticket_types.html")]
struct TypePage {
    w: Words,
    nav: Nav,
    category: String,
    contract_number: String,

    types: Vec<TypeRow>,
    follow_up_query: String,
}

struct TypeRow {
    code: String,
    name: String,
    description: String,
    general_desk_for_premium: bool,
}

fn follow_up_query(follow_up_of: Option<&str>) -> String {
    match follow_up_of.filter(|k| !k.is_empty()) {
        Some(k) => format!(
            "?{}",
            serde_urlencoded::to_string([("follow_up_of", k)]).unwrap_or_default()
        ),
        None => String::new(),
    }
}

fn category_name(contract: &madoguchi_core::model::Contract) -> String {
    format!(
        "{} ({})",
        contract.product_line, contract.contracting_corporation
    )
}

pub async fn choose_type(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(contract_number): Path<String>,
    Query(q): Query<FollowUpQuery>,
) -> Response {
    let user = &session.user;
    let options = match tickets::filing_options(&state.store, user, &contract_number).await {
        Ok(o) => o,
        Err(ServiceError::Invalid(_)) => return page_error(user.locale, ServiceError::NotFound),
        Err(e) => return page_error(user.locale, e),
    };
    let page = TypePage {
        w: Words(user.locale),
        nav: Nav::of(&session),
        category: category_name(&options.contract),
        contract_number: options.contract.contract_number.clone(),
        types: options
            .ticket_types
            .iter()
            .map(|t| TypeRow {
                code: t.code.clone(),
                name: t.name_in(user.locale).to_owned(),
                description: localized(user.locale, &t.description_ja, &t.description_en)
                    .to_owned(),
                general_desk_for_premium: madoguchi_core::catalog::served_below_plan(
                    options.contract.plan,
                    t,
                ),
            })
            .collect(),
        follow_up_query: follow_up_query(q.follow_up_of.as_deref()),
    };
    render(user.locale, page)
}

// ---- the filing form ----

struct ItemField {
    key: String,
    label: String,
    input: String,
    required: bool,
    options: Vec<String>,
    value: String,
    error: String,
}

struct MenuFields {
    key: String,
    name: String,
    items: Vec<ItemField>,
}

#[derive(Template)]
#[template(path = "ticket_form.html")]
struct FormPage {
    w: Words,
    nav: Nav,
    action: String,
    draft_key: String,
    category: String,
    contract_number: String,
    type_name: String,
    warn_general_desk: bool,
    is_incident: bool,
    is_callback: bool,
    menus: Vec<MenuFields>,
    selected_menu: String,
    tenants: Vec<String>,
    summary: String,
    tenant_id: String,
    details: String,
    occurred_at: String,
    operation_history: String,
    current_status: String,
    phone: String,
    contact_name: String,
    preferred_window: String,
    follow_up_of: String,
    /// (id, name, email)
    candidates: Vec<(String, String, String)>,
    chosen: Vec<(String, String, String)>,
    /// (id, filename, size)
    kept_files: Vec<(String, String, String)>,
    errors: BTreeMap<String, String>,
}

impl FormPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }

    /// The id of the control that holds `field`: the error summary links to it, and its
    /// error is `{anchor}-error`.
    fn anchor(&self, field: &str) -> String {
        match field {
            "service_menu" => "service-menu".to_owned(),
            "participants" => "candidates".to_owned(),
            "attachments" => "f-files".to_owned(),
            f => format!("f-{}", f.replace('.', "-")),
        }
    }

    /// How the error summary names `field`: the label the form shows for it.
    fn label(&self, field: &str) -> String {
        if let Some(item) = field.strip_prefix("menu_fields.") {
            return self
                .menus
                .iter()
                .filter(|m| m.key == self.selected_menu)
                .flat_map(|m| &m.items)
                .find(|i| i.key == item)
                .map(|i| i.label.clone())
                .unwrap_or_else(|| item.to_owned());
        }
        let key = match field {
            "summary" => "new.summary",
            "service_menu" => "new.service_menu",
            "tenant_id" => "new.tenant_id",
            "details" => "new.details",
            "incident.occurred_at" => "new.occurred_at",
            "incident.operation_history" => "new.operation_history",
            "incident.current_status" => "new.current_status",
            "callback.phone" => "new.phone",
            "callback.contact_name" => "new.contact_name",
            "callback.preferred_window" => "new.preferred_window",
            "attachments" => "new.attachments",
            "participants" => "new.participants",
            other => return other.to_owned(),
        };
        self.w.t(key).to_owned()
    }

    /// `aria-invalid` and `aria-describedby` for a control whose field has an error.
    fn aria(&self, field: &str) -> String {
        if self.err(field).is_empty() {
            String::new()
        } else {
            format!(
                " aria-invalid=\"true\" aria-describedby=\"{}-error\"",
                self.anchor(field)
            )
        }
    }
}

/// What the customer typed, whichever way it arrived.
#[derive(Default)]
struct Typed {
    summary: String,
    service_menu: String,
    tenant_id: String,
    details: String,
    /// menu key → item key → value: every menu's items, so switching menus loses nothing.
    menu_values: BTreeMap<String, BTreeMap<String, String>>,
    occurred_at: String,
    operation_history: String,
    current_status: String,
    phone: String,
    contact_name: String,
    preferred_window: String,
    participants: Vec<String>,
    attachments: Vec<String>,
    follow_up_of: String,
}

impl Typed {
    fn from_form(form: &SubmittedForm) -> Typed {
        let mut menu_values: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (name, values) in &form.fields {
            if let Some(rest) = name.strip_prefix("menu.")
                && let Some((menu, item)) = rest.split_once('.')
            {
                menu_values
                    .entry(menu.to_owned())
                    .or_default()
                    .insert(item.to_owned(), values.concat());
            }
        }
        let remove = form.all("remove");
        let mut participants: Vec<String> = form
            .all("participants")
            .into_iter()
            .filter(|p| !remove.contains(p))
            .collect();
        if form.one("action") == "add_participants" {
            for c in form.all("candidates") {
                if !participants.contains(&c) {
                    participants.push(c);
                }
            }
        }
        let attachments = form.attachments();
        Typed {
            summary: form.one("summary"),
            service_menu: form.one("service_menu"),
            tenant_id: form.one("tenant_id"),
            details: form.one("details"),
            menu_values,
            occurred_at: form.one("incident.occurred_at"),
            operation_history: form.one("incident.operation_history"),
            current_status: form.one("incident.current_status"),
            phone: form.one("callback.phone"),
            contact_name: form.one("callback.contact_name"),
            preferred_window: form.one("callback.preferred_window"),
            participants,
            attachments,
            follow_up_of: form.one("follow_up_of"),
        }
    }

    /// The form as the API takes it; incident and callback fields only for the types whose
    /// form shows them.
    fn input(&self, contract_number: &str, ticket_type: &TicketType) -> TicketInput {
        let some = |s: &str| Some(s.to_owned());
        TicketInput {
            contract_number: some(contract_number),
            ticket_type: some(&ticket_type.code),
            summary: some(&self.summary),
            service_menu: some(&self.service_menu),
            tenant_id: some(&self.tenant_id),
            details: some(&self.details),
            menu_fields: self
                .menu_values
                .get(&self.service_menu)
                .map(|m| {
                    m.iter()
                        .filter(|(_, v)| !v.trim().is_empty())
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            incident: (ticket_type.kind == TicketKind::Incident).then(|| IncidentInput {
                occurred_at: some(&self.occurred_at),
                operation_history: some(&self.operation_history),
                current_status: some(&self.current_status),
            }),
            callback: (ticket_type.channel == TicketChannel::Callback).then(|| CallbackInput {
                phone: some(&self.phone),
                contact_name: some(&self.contact_name),
                preferred_window: some(&self.preferred_window),
            }),
            participants: self.participants.clone(),
            attachments: self.attachments.clone(),
            follow_up_of: Some(self.follow_up_of.clone()).filter(|f| !f.is_empty()),
        }
    }
}

fn menu_fields(
    locale: Locale,
    menus: &[ServiceMenu],
    typed: &Typed,
    errors: &BTreeMap<String, String>,
) -> Vec<MenuFields> {
    menus
        .iter()
        .map(|m| MenuFields {
            key: m.key.clone(),
            name: localized(locale, &m.name_ja, &m.name_en).to_owned(),
            items: m
                .items
                .iter()
                .map(|i| ItemField {
                    key: i.key.clone(),
                    label: localized(locale, &i.label_ja, &i.label_en).to_owned(),
                    input: i.input.code().to_owned(),
                    required: i.required,
                    options: i.options.clone(),
                    value: typed
                        .menu_values
                        .get(&m.key)
                        .and_then(|v| v.get(&i.key))
                        .cloned()
                        .unwrap_or_default(),
                    error: if m.key == typed.service_menu {
                        errors
                            .get(&format!("menu_fields.{}", i.key))
                            .cloned()
                            .unwrap_or_default()
                    } else {
                        String::new()
                    },
                })
                .collect(),
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    session: &Session,
    contract_number: &str,
    type_code: &str,
    typed: Typed,
    errors: BTreeMap<String, String>,
) -> Result<FormPage, ServiceError> {
    let user = &session.user;
    let options = tickets::filing_options(&state.store, user, contract_number).await?;
    let ticket_type = options
        .ticket_types
        .iter()
        .find(|t| t.code == type_code)
        .ok_or(ServiceError::NotFound)?;
    let person = |u: &User| (u.id.clone(), u.name.clone(), u.email.clone());
    let chosen = typed
        .participants
        .iter()
        .filter_map(|id| options.colleagues.iter().find(|c| &c.id == id).map(person))
        .collect();
    let candidates = options
        .colleagues
        .iter()
        .filter(|c| !typed.participants.contains(&c.id) && c.disabled_at.is_none())
        .map(person)
        .collect();
    let kept = state
        .store
        .pending_uploads(&user.id, &typed.attachments)
        .await?;
    Ok(FormPage {
        w: Words(user.locale),
        nav: Nav::of(session),
        action: format!(
            "/tickets/new/{}/{}",
            options.contract.contract_number, ticket_type.code
        ),
        draft_key: format!(
            "draft-{}-{}-{}",
            user.id, options.contract.contract_number, ticket_type.code
        ),
        category: category_name(&options.contract),
        contract_number: options.contract.contract_number.clone(),
        type_name: ticket_type.name_in(user.locale).to_owned(),
        warn_general_desk: madoguchi_core::catalog::served_below_plan(
            options.contract.plan,
            ticket_type,
        ),
        is_incident: ticket_type.kind == TicketKind::Incident,
        is_callback: ticket_type.channel == TicketChannel::Callback,
        menus: menu_fields(user.locale, &options.menus, &typed, &errors),
        selected_menu: typed.service_menu.clone(),
        tenants: options.tenants.clone(),
        summary: typed.summary,
        tenant_id: typed.tenant_id,
        details: typed.details,
        occurred_at: typed.occurred_at,
        operation_history: typed.operation_history,
        current_status: typed.current_status,
        phone: typed.phone,
        contact_name: typed.contact_name,
        preferred_window: typed.preferred_window,
        follow_up_of: typed.follow_up_of,
        candidates,
        chosen,
        kept_files: kept
            .iter()
            .map(|a| (a.id.clone(), a.filename.clone(), file_size(a.size)))
            .collect(),
        errors,
    })
}

pub async fn new_ticket(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path((contract_number, type_code)): Path<(String, String)>,
    Query(q): Query<FollowUpQuery>,
) -> Response {
    let typed = Typed {
        follow_up_of: q.follow_up_of.unwrap_or_default(),
        ..Default::default()
    };
    match form_page(
        &state,
        &session,
        &contract_number,
        &type_code,
        typed,
        BTreeMap::new(),
    )
    .await
    {
        Ok(page) => render(session.user.locale, page),
        Err(ServiceError::Invalid(_)) => page_error(session.user.locale, ServiceError::NotFound),
        Err(e) => page_error(session.user.locale, e),
    }
}

/// The form's buttons: file it, or show it again after a change (menu, participants), keeping
/// everything typed and every file attached.
pub async fn submit_ticket(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path((contract_number, type_code)): Path<(String, String)>,
    multipart: Multipart,
) -> Response {
    let locale = session.user.locale;
    let form = match multipart_form::read(&state, &session, multipart).await {
        Ok(f) => f,
        Err(e) => return form_error(locale, e),
    };
    let typed = Typed::from_form(&form);
    let mut errors = BTreeMap::new();
    if !form.upload_errors.is_empty() {
        errors.insert("attachments".to_owned(), form.upload_errors.join(" "));
    }
    if form.one("action") == "submit" && errors.is_empty() {
        // The catalog is kept in memory; `file` checks the contract and the plan itself.
        let types = match state.store.ticket_types().await {
            Ok(t) => t,
            Err(e) => return page_error(locale, e.into()),
        };
        let Some(ticket_type) = types.iter().find(|t| t.code == type_code) else {
            return page_error(locale, ServiceError::NotFound);
        };
        match tickets::file(
            &state.store,
            &session.user,
            &typed.input(&contract_number, ticket_type),
            state.config.attachment_max_count,
        )
        .await
        {
            Ok(ticket) => {
                return Redirect::to(&format!("/tickets/{}?done=filed", ticket.key))
                    .into_response();
            }
            Err(ServiceError::Invalid(invalid)) | Err(ServiceError::Conflict(invalid)) => {
                errors = worded(locale, &invalid);
            }
            Err(e) => {
                // Refused for good (no permission on this contract, no such type): the
                // files that came with the form can never be attached.
                if let Err(e) = madoguchi_app::attachments::discard_uploads(
                    &state.store,
                    &state.config.data_dir,
                    &session.user,
                    &form.uploaded,
                )
                .await
                {
                    tracing::warn!(error = %e, "discarding the uploads of a refused ticket");
                }
                return page_error(locale, e);
            }
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    match form_page(
        &state,
        &session,
        &contract_number,
        &type_code,
        typed,
        errors,
    )
    .await
    {
        Ok(page) => (status, render(locale, page)).into_response(),
        Err(e) => page_error(locale, e),
    }
}

// ---- the list ----

#[derive(Template)]
#[template(path = "tickets.html")]
struct ListPage {
    w: Words,
    nav: Nav,
    /// (code, name, count)
    statuses: Vec<(String, String, i64)>,
    all_count: i64,
    types: Vec<(String, String)>,
    menus: Vec<(String, String)>,
    status: String,
    ticket_type: String,
    service_menu: String,
    q: String,
    /// `relevance` (the default with words) or `newest`.
    sort: String,
    total: i64,
    rows: Vec<ListRow>,
    error: Option<String>,
    first_page: bool,
    first_url: String,
    next_url: Option<String>,
}

struct ListRow {
    key: String,
    summary: String,
    status: String,
    status_name: String,
    type_name: String,
    menu_name: String,
    updated: String,
    /// Where the words searched matched: (text, matched) pieces.
    snippet: Vec<(String, bool)>,
    /// What changed since the user last looked: (code, words).
    unseen: Vec<(&'static str, String)>,
}

pub async fn list(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<TicketQuery>,
) -> Response {
    let user = &session.user;
    let w = Words(user.locale);
    let (filter, error) = match q.filter() {
        Ok(f) => (f, None),
        Err(invalid) => (
            Default::default(),
            Some(
                worded(user.locale, &invalid)
                    .into_values()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ),
    };
    let after = q.cursor.as_deref().and_then(Cursor::parse);
    let page = madoguchi_store::PageRequest::new(Some(q.limit.unwrap_or(50).clamp(1, 200)), after)
        .expect("a clamped limit is valid");
    // A ticket key typed in the search box opens that ticket, if the caller may see it.
    if q.cursor.is_none() {
        match tickets::key_to_open(&state.store, user, q.q.as_deref()).await {
            Ok(Some(key)) => return Redirect::to(&format!("/tickets/{key}")).into_response(),
            Ok(None) => {}
            Err(e) => return page_error(user.locale, e),
        }
    }
    let listed = match tickets::list(
        &state.store,
        &state.search,
        user,
        &filter,
        q.sort.as_deref(),
        &page,
    )
    .await
    {
        Ok(f) => f,
        Err(e) => return page_error(user.locale, e),
    };
    let found = &listed.list;
    let (types, menus) = match (
        state.store.ticket_types().await,
        state.store.service_menus().await,
    ) {
        (Ok(t), Ok(m)) => (t, m),
        (Err(e), _) | (_, Err(e)) => return page_error(user.locale, e.into()),
    };
    let menu_name = |key: &str| {
        menus
            .iter()
            .find(|m| m.key == key)
            .map(|m| localized(user.locale, &m.name_ja, &m.name_en).to_owned())
            .unwrap_or_else(|| key.to_owned())
    };
    let query_with = |cursor: Option<String>| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("status", &q.status),
            ("ticket_type", &q.ticket_type),
            ("service_menu", &q.service_menu),
            ("q", &q.q),
            ("sort", &q.sort),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                pairs.push((k, v.to_owned()));
            }
        }
        if let Some(limit) = q.limit {
            pairs.push(("limit", limit.to_string()));
        }
        if let Some(c) = cursor {
            pairs.push(("cursor", c));
        }
        format!(
            "/tickets?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let count = |s: Status| {
        found
            .by_status
            .iter()
            .find(|(st, _)| *st == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let page = ListPage {
        w,
        nav: Nav::of(&session),
        statuses: Status::ALL
            .iter()
            .map(|s| {
                (
                    s.code().to_owned(),
                    w.t(&format!("status.{}", s.code())).to_owned(),
                    count(*s),
                )
            })
            .collect(),
        all_count: found.by_status.iter().map(|(_, n)| n).sum(),
        types: types
            .iter()
            .map(|t| (t.code.clone(), t.name.clone()))
            .collect(),
        menus: menus
            .iter()
            .map(|m| {
                (
                    m.key.clone(),
                    localized(user.locale, &m.name_ja, &m.name_en).to_owned(),
                )
            })
            .collect(),
        status: q.status.clone().unwrap_or_default(),
        ticket_type: q.ticket_type.clone().unwrap_or_default(),
        service_menu: q.service_menu.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        sort: q.sort.clone().unwrap_or_default(),
        total: found.total,
        rows: found
            .page
            .items
            .iter()
            .map(|t| ListRow {
                key: t.key.to_string(),
                summary: t.summary.clone(),
                status: t.status.code().to_owned(),
                status_name: w.t(&format!("status.{}", t.status.code())).to_owned(),
                type_name: types
                    .iter()
                    .find(|ty| ty.code == t.ticket_type)
                    .map(|ty| ty.name_in(user.locale).to_owned())
                    .unwrap_or_default(),
                menu_name: menu_name(&t.service_menu),
                updated: format_time(user, t.updated_at),
                snippet: listed
                    .snippets
                    .get(&t.id)
                    .and_then(|parts| {
                        parts
                            .iter()
                            .find(|(field, _)| *field != "summary")
                            .or(parts.first())
                    })
                    .map(|(_, fragments)| {
                        fragments.iter().map(|f| (f.text.clone(), f.hit)).collect()
                    })
                    .unwrap_or_default(),
                unseen: super::unseen_marks(&w, listed.unseen.get(&t.id)),
            })
            .collect(),
        error,
        first_page: q.cursor.is_none(),
        first_url: query_with(None),
        next_url: found
            .page
            .next_cursor
            .as_ref()
            .map(|c| query_with(Some(c.as_str()))),
    };
    render(user.locale, page)
}

pub async fn download(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    let locale = session.user.locale;
    match madoguchi_app::attachments::download(
        &state.store,
        &state.config.data_dir,
        &session.user,
        &id,
    )
    .await
    {
        Ok((attachment, path)) => {
            match crate::api::tickets::file_response(&attachment, &path).await {
                Ok(r) => r,
                Err(_) => PageError::internal(locale).into_response(),
            }
        }
        Err(e) => page_error(locale, e),
    }
}
