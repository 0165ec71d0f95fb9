//! The operator's console (admins): the console's front page, the customers (organizations,
//! searchable and paged) and one page per organization with its tenants, contracts and users,
//! each created, changed and deleted there. Deleting asks first, naming what goes; what other
//! records still use is refused with the reason. Works without JavaScript.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::ServiceError;
use madoguchi_app::admin::{self, ContractInput, OrganizationInput, TenantInput, UserInput};
use madoguchi_core::Locale;
use madoguchi_store::{Cursor, Deletable, PageRequest, Session};
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::{Nav, csrf_failed, format_time, render, unless_admin};

fn fail(locale: Locale, e: ServiceError) -> Response {
    PageError::from_service(locale, e).into_response()
}

/// The first message of each field a refusal names, in the user's words.
pub(crate) fn field_errors(locale: Locale, e: &ServiceError) -> Option<BTreeMap<String, String>> {
    let invalid = match e {
        ServiceError::Invalid(invalid) | ServiceError::Conflict(invalid) => invalid,
        _ => return None,
    };
    let mut errors = BTreeMap::new();
    for e in &invalid.0 {
        errors
            .entry(e.field.clone())
            .or_insert_with(|| i18n::problem(locale, &e.problem));
    }
    Some(errors)
}

// ---- the console's front page ----

#[derive(Template)]
#[template(path = "console.html")]
struct ConsolePage {
    w: Words,
    nav: Nav,
}

/// `GET /admin`.
pub async fn home(Browser(session): Browser) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    render(
        session.user.locale,
        ConsolePage {
            w: Words(session.user.locale),
            nav: Nav::of(&session),
        },
    )
}

// ---- the customers ----

struct OrganizationRow {
    id: String,
    name: String,
    created: String,
}

#[derive(Template)]
#[template(path = "console_organizations.html")]
struct OrganizationsPage {
    w: Words,
    nav: Nav,
    q: String,
    rows: Vec<OrganizationRow>,
    next_url: Option<String>,
    first_page: bool,
    banner: Option<String>,
    /// The new organization's name as typed, and why it was refused.
    name: String,
    errors: BTreeMap<String, String>,
}

impl OrganizationsPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }
}

#[derive(Deserialize, Default)]
pub struct OrganizationsQuery {
    q: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

async fn organizations_page(
    state: &AppState,
    session: &Session,
    query: &OrganizationsQuery,
    name: String,
    errors: BTreeMap<String, String>,
) -> Response {
    let user = &session.user;
    let after = query.cursor.as_deref().and_then(Cursor::parse);
    let page = PageRequest::new(Some(50), after).expect("50 is a valid limit");
    let q = query.q.clone().unwrap_or_default();
    let found = match admin::organizations(&state.store, user, Some(&q), &page).await {
        Ok(found) => found,
        Err(e) => return fail(user.locale, e),
    };
    let next_url = found.next_cursor.as_ref().map(|c| {
        let pairs = [("q", q.as_str()), ("cursor", &c.as_str())];
        format!(
            "/admin/organizations?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    let banner = (query.done.as_deref() == Some("deleted"))
        .then(|| i18n::text(user.locale, "console.done_deleted").to_owned());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = OrganizationsPage {
        w: Words(user.locale),
        nav: Nav::of(session),
        q,
        rows: found
            .items
            .into_iter()
            .map(|o| OrganizationRow {
                created: format_time(user, o.created_at),
                id: o.id,
                name: o.name,
            })
            .collect(),
        next_url,
        first_page: query.cursor.is_none(),
        banner,
        name,
        errors,
    };
    (status, render(user.locale, page)).into_response()
}

/// `GET /admin/organizations`: the customers, searched by name, 50 to a page.
pub async fn organizations(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(query): Query<OrganizationsQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    organizations_page(&state, &session, &query, String::new(), BTreeMap::new()).await
}

#[derive(Deserialize)]
pub struct NameForm {
    csrf: String,
    #[serde(default)]
    name: String,
}

/// `POST /admin/organizations`: a new customer, then its page.
pub async fn create_organization(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<NameForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let input = OrganizationInput {
        name: Some(form.name.clone()),
    };
    match admin::create_organization(&state.store, &session.user, &input).await {
        Ok(org) => {
            Redirect::to(&format!("/admin/organizations/{}?done=created", org.id)).into_response()
        }
        Err(e) => match field_errors(locale, &e) {
            Some(errors) => {
                let query = OrganizationsQuery::default();
                organizations_page(&state, &session, &query, form.name, errors).await
            }
            None => fail(locale, e),
        },
    }
}

// ---- one organization ----

struct TenantRow {
    id: String,
    tenant_id: String,
    name: String,
}

struct ContractRow {
    id: String,
    number: String,
    product_line: String,
    corporation: String,
    plan: String,
    channel_name: String,
    partner: String,
}

struct UserRow {
    id: String,
    name: String,
    email: String,
    role_name: String,
    disabled: bool,
}

/// A form of a console page that was refused: which one, what was typed, and why.
#[derive(Default)]
pub(crate) struct Refused {
    pub form: &'static str,
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, String>,
}

impl Refused {
    /// What was typed into `field` of `form`, when that form was refused.
    pub fn typed(&self, form: &str, field: &str) -> &str {
        if self.form != form {
            return "";
        }
        self.values.get(field).map(String::as_str).unwrap_or("")
    }

    /// Why `field` of `form` was refused, or "".
    pub fn err(&self, form: &str, field: &str) -> &str {
        if self.form != form {
            return "";
        }
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }

    /// `aria-invalid` and `aria-describedby` for a field in error.
    pub fn aria(&self, form: &str, field: &str) -> String {
        if self.err(form, field).is_empty() {
            String::new()
        } else {
            format!(r#" aria-invalid="true" aria-describedby="{form}-{field}-error""#)
        }
    }
}

#[derive(Template)]
#[template(path = "console_organization.html")]
struct OrganizationPage {
    w: Words,
    nav: Nav,
    csrf: String,
    id: String,
    name: String,
    banner: Option<String>,
    alert: Option<String>,
    tenants: Vec<TenantRow>,
    contracts: Vec<ContractRow>,
    users: Vec<UserRow>,
    plans: Vec<(&'static str, String)>,
    refused: Refused,
}

impl OrganizationPage {
    fn typed(&self, form: &str, field: &str) -> &str {
        self.refused.typed(form, field)
    }

    fn err(&self, form: &str, field: &str) -> &str {
        self.refused.err(form, field)
    }

    fn aria(&self, form: &str, field: &str) -> String {
        self.refused.aria(form, field)
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub(crate) done: Option<String>,
}

async fn organization_page(
    state: &AppState,
    session: &Session,
    id: &str,
    banner: Option<String>,
    alert: Option<String>,
    refused: Refused,
) -> Response {
    let user = &session.user;
    let locale = user.locale;
    let w = Words(locale);
    let all = PageRequest::new(Some(200), None).expect("200 is a valid limit");
    let store = &state.store;
    let loaded = async {
        let org = admin::organization(store, user, id).await?;
        let tenants = admin::tenants(store, user, Some(id), &all).await?;
        let contracts = admin::contracts(store, user, Some(id), &all).await?;
        let users = admin::users(store, user, Some(id), None, &all).await?;
        Ok::<_, ServiceError>((org, tenants, contracts, users))
    };
    let (org, tenants, contracts, users) = match loaded.await {
        Ok(loaded) => loaded,
        Err(e) => return fail(locale, e),
    };
    let status = if refused.errors.is_empty() && alert.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = OrganizationPage {
        w,
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        id: org.id,
        name: org.name,
        banner,
        alert,
        tenants: tenants
            .items
            .into_iter()
            .map(|t| TenantRow {
                id: t.id,
                tenant_id: t.tenant_id,
                name: t.name.unwrap_or_default(),
            })
            .collect(),
        contracts: contracts
            .items
            .into_iter()
            .map(|c| ContractRow {
                id: c.id,
                number: c.contract_number,
                product_line: c.product_line,
                corporation: c.contracting_corporation,
                plan: c.plan.code().to_owned(),
                channel_name: w
                    .t(&format!("console.channel_{}", c.channel.code()))
                    .to_owned(),
                partner: c.partner_name.unwrap_or_default(),
            })
            .collect(),
        users: users
            .items
            .into_iter()
            .map(|u| UserRow {
                id: u.id,
                name: u.name,
                email: u.email,
                role_name: w.t(&format!("role.{}", u.role.code())).to_owned(),
                disabled: u.disabled_at.is_some(),
            })
            .collect(),
        plans: ["basic", "advanced", "premium"]
            .into_iter()
            .map(|p| (p, w.t(&format!("plan.{p}")).to_owned()))
            .collect(),
        refused,
    };
    (status, render(locale, page)).into_response()
}

/// `GET /admin/organizations/{id}`.
pub async fn organization(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let banner = q
        .done
        .as_deref()
        .map(|d| i18n::text(session.user.locale, &format!("console.done_{d}")).to_owned())
        .filter(|text| !text.starts_with("console.done_"));
    organization_page(&state, &session, &id, banner, None, Refused::default()).await
}

/// After a change on the organization's page: back to it with what happened, or the page
/// again with the refused form as typed.
async fn after_change<T>(
    state: &AppState,
    session: &Session,
    id: &str,
    form: &'static str,
    values: BTreeMap<String, String>,
    result: Result<T, ServiceError>,
    done: &str,
) -> Response {
    let locale = session.user.locale;
    match result {
        Ok(_) => Redirect::to(&format!("/admin/organizations/{id}?done={done}")).into_response(),
        Err(e) => match field_errors(locale, &e) {
            Some(errors) => {
                let refused = Refused {
                    form,
                    values,
                    errors,
                };
                let alert = Some(i18n::text(locale, "console.refused").to_owned());
                organization_page(state, session, id, None, alert, refused).await
            }
            None => fail(locale, e),
        },
    }
}

/// `POST /admin/organizations/{id}`: a new name.
pub async fn rename_organization(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<NameForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    let input = OrganizationInput {
        name: Some(form.name.clone()),
    };
    let result = admin::rename_organization(&state.store, &session.user, &id, &input).await;
    let values = BTreeMap::from([("name".to_owned(), form.name)]);
    after_change(&state, &session, &id, "rename", values, result, "renamed").await
}

#[derive(Deserialize)]
pub struct TenantForm {
    csrf: String,
    #[serde(default)]
    tenant_id: String,
    #[serde(default)]
    name: String,
}

/// `POST /admin/organizations/{id}/tenants`.
pub async fn add_tenant(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<TenantForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    let input = TenantInput {
        organization_id: Some(id.clone()),
        tenant_id: Some(form.tenant_id.clone()),
        name: Some(form.name.clone()).filter(|n| !n.trim().is_empty()),
    };
    let result = admin::create_tenant(&state.store, &session.user, &input).await;
    let values = BTreeMap::from([
        ("tenant_id".to_owned(), form.tenant_id),
        ("name".to_owned(), form.name),
    ]);
    after_change(
        &state,
        &session,
        &id,
        "tenant",
        values,
        result,
        "tenant_added",
    )
    .await
}

#[derive(Deserialize)]
pub struct ContractForm {
    csrf: String,
    #[serde(default)]
    contract_number: String,
    #[serde(default)]
    product_line: String,
    #[serde(default)]
    contracting_corporation: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    partner_name: String,
}

pub(crate) fn blank_is_none(value: &str) -> Option<String> {
    Some(value.to_owned()).filter(|v| !v.trim().is_empty())
}

/// `POST /admin/organizations/{id}/contracts`.
pub async fn add_contract(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<ContractForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    let input = ContractInput {
        organization_id: Some(id.clone()),
        contract_number: blank_is_none(&form.contract_number),
        product_line: blank_is_none(&form.product_line),
        contracting_corporation: blank_is_none(&form.contracting_corporation),
        plan: blank_is_none(&form.plan),
        channel: blank_is_none(&form.channel),
        partner_name: blank_is_none(&form.partner_name),
    };
    let result = admin::create_contract(&state.store, &session.user, &input).await;
    let values = BTreeMap::from([
        ("contract_number".to_owned(), form.contract_number),
        ("product_line".to_owned(), form.product_line),
        (
            "contracting_corporation".to_owned(),
            form.contracting_corporation,
        ),
        ("plan".to_owned(), form.plan),
        ("channel".to_owned(), form.channel),
        ("partner_name".to_owned(), form.partner_name),
    ]);
    after_change(
        &state,
        &session,
        &id,
        "contract",
        values,
        result,
        "contract_added",
    )
    .await
}

#[derive(Deserialize)]
pub struct PlanForm {
    csrf: String,
    #[serde(default)]
    plan: String,
}

/// `POST /admin/contracts/{id}/plan`: the ticket types offered follow at once; tickets filed
/// before keep theirs.
pub async fn change_plan(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(contract_id): Path<String>,
    PageForm(form): PageForm<PlanForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    let contract = match admin::contract(&state.store, &session.user, &contract_id).await {
        Ok(c) => c,
        Err(e) => return fail(session.user.locale, e),
    };
    let input = ContractInput {
        plan: blank_is_none(&form.plan),
        ..Default::default()
    };
    let result = admin::update_contract(&state.store, &session.user, &contract_id, &input).await;
    let values = BTreeMap::from([
        ("plan".to_owned(), form.plan),
        ("contract".to_owned(), contract_id.clone()),
    ]);
    let org = contract.organization_id;
    after_change(
        &state,
        &session,
        &org,
        "plan",
        values,
        result,
        "plan_changed",
    )
    .await
}

#[derive(Deserialize)]
pub struct UserForm {
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    password: String,
}

/// `POST /admin/organizations/{id}/users`: a customer or a customer admin of the organization.
pub async fn add_user(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<UserForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    let input = UserInput {
        email: blank_is_none(&form.email),
        name: blank_is_none(&form.name),
        role: blank_is_none(&form.role),
        organization_id: Some(id.clone()),
        locale: blank_is_none(&form.locale),
        password: blank_is_none(&form.password),
        ..Default::default()
    };
    let result = admin::create_user(&state.store, &session.user, &input).await;
    // The password is never sent back into the page.
    let values = BTreeMap::from([
        ("email".to_owned(), form.email),
        ("name".to_owned(), form.name),
        ("role".to_owned(), form.role),
        ("locale".to_owned(), form.locale),
    ]);
    after_change(&state, &session, &id, "user", values, result, "user_added").await
}

// ---- deleting, after a confirmation that names what goes ----

/// What a confirmation page deletes.
#[derive(Clone, Copy)]
enum Doomed {
    Organization,
    Tenant,
    Contract,
    User,
}

/// A confirmation before a delete: the question names what goes.
#[derive(Template)]
#[template(path = "console_delete.html")]
pub(crate) struct DeletePage {
    pub(crate) w: Words,
    pub(crate) nav: Nav,
    pub(crate) csrf: String,
    pub(crate) question: String,
    pub(crate) action: String,
    pub(crate) back: String,
    pub(crate) back_label: String,
    /// What still uses the record, in words: the page offers no delete then.
    pub(crate) blocked: Vec<String>,
}

impl Doomed {
    fn deletable(self) -> Deletable {
        match self {
            Doomed::Organization => Deletable::Organization,
            Doomed::Tenant => Deletable::Tenant,
            Doomed::Contract => Deletable::Contract,
            Doomed::User => Deletable::User,
        }
    }
}

/// The record's organization, the words that name it, and where its delete posts.
async fn doomed(
    state: &AppState,
    session: &Session,
    what: Doomed,
    id: &str,
) -> Result<(String, String, String), ServiceError> {
    let user = &session.user;
    let locale = user.locale;
    Ok(match what {
        Doomed::Organization => {
            let org = admin::organization(&state.store, user, id).await?;
            let words =
                i18n::text_with(locale, "console.delete_organization", &[("name", org.name)]);
            (org.id, words, format!("/admin/organizations/{id}/delete"))
        }
        Doomed::Tenant => {
            let tenant = admin::tenant(&state.store, user, id).await?;
            let words = i18n::text_with(
                locale,
                "console.delete_tenant",
                &[("tenant", tenant.tenant_id)],
            );
            (
                tenant.organization_id,
                words,
                format!("/admin/tenants/{id}/delete"),
            )
        }
        Doomed::Contract => {
            let contract = admin::contract(&state.store, user, id).await?;
            let all = PageRequest::new(Some(200), None).expect("200 is a valid limit");
            let org = Some(contract.organization_id.as_str());
            // Permissions on the contract go with it: the question says how many users lose one.
            let holders = admin::permissions(&state.store, user, org, None, &all)
                .await?
                .items
                .iter()
                .filter(|p| p.contract_id == contract.id)
                .count();
            let words = i18n::text_with(
                locale,
                "console.delete_contract",
                &[
                    ("contract", contract.contract_number),
                    ("holders", holders.to_string()),
                ],
            );
            (
                contract.organization_id,
                words,
                format!("/admin/contracts/{id}/delete"),
            )
        }
        Doomed::User => {
            let doomed = admin::user(&state.store, user, id).await?;
            let words = i18n::text_with(
                locale,
                "console.delete_user",
                &[("name", doomed.name), ("email", doomed.email)],
            );
            // Only customers' users appear on an organization's page.
            let Some(org) = doomed.organization_id else {
                return Err(ServiceError::NotFound);
            };
            (org, words, format!("/admin/users/{id}/delete"))
        }
    })
}

async fn confirm(state: AppState, session: Session, what: Doomed, id: String) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    let found = async {
        let doomed = doomed(&state, &session, what, &id).await?;
        let using = admin::dependents(&state.store, &session.user, what.deletable(), &id).await?;
        Ok::<_, ServiceError>((doomed, using))
    };
    match found.await {
        Ok(((org, question, action), using)) => render(
            locale,
            DeletePage {
                w: Words(locale),
                nav: Nav::of(&session),
                csrf: session.csrf_token.clone(),
                question,
                action,
                back: format!("/admin/organizations/{org}"),
                back_label: Words(locale).t("console.back").to_owned(),
                blocked: admin::in_use(&using)
                    .0
                    .iter()
                    .map(|e| i18n::problem(locale, &e.problem))
                    .collect(),
            },
        ),
        Err(e) => fail(locale, e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub(crate) csrf: String,
}

async fn delete(
    state: AppState,
    session: Session,
    what: Doomed,
    id: String,
    form: CsrfForm,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let (org, _, _) = match doomed(&state, &session, what, &id).await {
        Ok(found) => found,
        Err(e) => return fail(locale, e),
    };
    let user = &session.user;
    let result = match what {
        Doomed::Organization => admin::delete_organization(&state.store, user, &id).await,
        Doomed::Tenant => admin::delete_tenant(&state.store, user, &id).await,
        Doomed::Contract => admin::delete_contract(&state.store, user, &id).await,
        Doomed::User => admin::delete_user(&state.store, user, &id).await,
    };
    match (result, what) {
        (Ok(()), Doomed::Organization) => {
            Redirect::to("/admin/organizations?done=deleted").into_response()
        }
        (Ok(()), Doomed::Tenant) => {
            Redirect::to(&format!("/admin/organizations/{org}?done=tenant_deleted")).into_response()
        }
        (Ok(()), Doomed::Contract) => {
            Redirect::to(&format!("/admin/organizations/{org}?done=contract_deleted"))
                .into_response()
        }
        (Ok(()), Doomed::User) => {
            Redirect::to(&format!("/admin/organizations/{org}?done=user_deleted")).into_response()
        }
        // Still in use: the organization's page says by what.
        (Err(ServiceError::Conflict(invalid)), _) => {
            let reasons: Vec<String> = invalid
                .0
                .iter()
                .map(|e| i18n::problem(locale, &e.problem))
                .collect();
            let alert =
                i18n::text_with(locale, "console.not_deleted", &[("why", reasons.join(" "))]);
            organization_page(
                &state,
                &session,
                &org,
                None,
                Some(alert),
                Refused::default(),
            )
            .await
        }
        (Err(e), _) => fail(locale, e),
    }
}

/// `GET /admin/organizations/{id}/delete`.
pub async fn confirm_delete_organization(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    confirm(state, session, Doomed::Organization, id).await
}

/// `POST /admin/organizations/{id}/delete`.
pub async fn delete_organization(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    delete(state, session, Doomed::Organization, id, form).await
}

/// `GET /admin/tenants/{id}/delete`.
pub async fn confirm_delete_tenant(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    confirm(state, session, Doomed::Tenant, id).await
}

/// `POST /admin/tenants/{id}/delete`.
pub async fn delete_tenant(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    delete(state, session, Doomed::Tenant, id, form).await
}

/// `GET /admin/contracts/{id}/delete`.
pub async fn confirm_delete_contract(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    confirm(state, session, Doomed::Contract, id).await
}

/// `POST /admin/contracts/{id}/delete`.
pub async fn delete_contract(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    delete(state, session, Doomed::Contract, id, form).await
}

/// `GET /admin/users/{id}/delete`.
pub async fn confirm_delete_user(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    confirm(state, session, Doomed::User, id).await
}

/// `POST /admin/users/{id}/delete`.
pub async fn delete_user(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    delete(state, session, Doomed::User, id, form).await
}
