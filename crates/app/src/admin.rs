//! Setting up customers: organizations, tenants, contracts, users, ticket permissions and API
//! tokens (the admin API of SPEC §8). Admins may do all of it; a customer admin may read their
//! own organization's users and contracts and grant or revoke its ticket permissions.

use madoguchi_core::access::may_manage_permission;
use madoguchi_core::model::{
    Contract, NewContract, NewTenant, NewUser, Organization, Tenant, TicketPermission, User,
};
use madoguchi_core::token::check_new_token;
use madoguchi_core::values::{ContractNumber, Email, Name, TenantId, check_password};
use madoguchi_core::{Channel, Desk, Invalid, Locale, PermissionLevel, Problem, Role, SupportPlan};
use madoguchi_store::{
    Deletable, Dependents, IssuedToken, Page, PageRequest, Store, StoreError, TokenInfo,
    UserChanges, UserFilter,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::password;
use crate::{ServiceError, ServiceResult, parse_locale, parse_time_zone, required};

/// Only admins pass.
pub(crate) fn admin_only(actor: &User) -> ServiceResult<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only admins may do this".into()))
    }
}

/// The organizations whose records `actor` may read here: all for admins (`None`), their own
/// for customer admins.
fn readable_scope(actor: &User) -> ServiceResult<Option<&str>> {
    match (actor.role, actor.organization_id.as_deref()) {
        (Role::Admin, _) => Ok(None),
        (Role::CustomerAdmin, Some(org)) => Ok(Some(org)),
        _ => Err(ServiceError::Forbidden(
            "only admins and customer admins may do this".into(),
        )),
    }
}

/// The organization a list is filtered by: what the caller asked for, inside what they may
/// read. `Err(())` when a customer admin asks for another organization: the list is empty.
fn list_filter<'a>(
    scope: Option<&'a str>,
    requested: Option<&'a str>,
) -> Result<Option<&'a str>, ()> {
    match (scope, requested) {
        (Some(own), Some(asked)) if own != asked => Err(()),
        (Some(own), _) => Ok(Some(own)),
        (None, asked) => Ok(asked),
    }
}

fn empty<T>() -> Page<T> {
    Page {
        items: Vec::new(),
        next_cursor: None,
    }
}

/// Hides a record of another organization from a customer admin: it answers as missing.
fn visible<T>(scope: Option<&str>, organization_id: Option<&str>, record: T) -> ServiceResult<T> {
    match scope {
        Some(own) if organization_id != Some(own) => Err(ServiceError::NotFound),
        _ => Ok(record),
    }
}

fn parse_optional_name(
    field: &str,
    value: &Option<String>,
    errors: &mut Invalid,
) -> Option<Option<Name>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(v) => errors.check(field, Name::parse(v)).map(Some),
    }
}

// ---- organizations ----

/// `POST /api/v1/admin/organizations`, `PATCH …/{id}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OrganizationInput {
    /// The company's name, unique.
    #[schema(required = true)]
    pub name: Option<String>,
}

pub async fn create_organization(
    store: &Store,
    actor: &User,
    input: &OrganizationInput,
) -> ServiceResult<Organization> {
    admin_only(actor)?;
    let mut errors = Invalid::new();
    let name = required("name", &input.name, &mut errors)
        .and_then(|n| errors.check("name", Name::parse(n)));
    errors.into_result()?;
    Ok(store
        .create_organization(Some(&actor.id), &name.expect("checked above"))
        .await?)
}

/// Every organization, or those whose name holds the words searched.
pub async fn organizations(
    store: &Store,
    actor: &User,
    words: Option<&str>,
    page: &PageRequest,
) -> ServiceResult<Page<Organization>> {
    admin_only(actor)?;
    match words.map(str::trim).filter(|w| !w.is_empty()) {
        Some(words) => Ok(store.organizations_named(words, page).await?),
        None => Ok(store.organizations(page).await?),
    }
}

pub async fn organization(store: &Store, actor: &User, id: &str) -> ServiceResult<Organization> {
    let scope = readable_scope(actor)?;
    let org = store.organization(id).await?;
    visible(scope, Some(&org.id.clone()), org)
}

pub async fn rename_organization(
    store: &Store,
    actor: &User,
    id: &str,
    input: &OrganizationInput,
) -> ServiceResult<Organization> {
    admin_only(actor)?;
    let mut errors = Invalid::new();
    let name = required("name", &input.name, &mut errors)
        .and_then(|n| errors.check("name", Name::parse(n)));
    errors.into_result()?;
    Ok(store
        .rename_organization(Some(&actor.id), id, &name.expect("checked above"))
        .await?)
}

pub async fn delete_organization(store: &Store, actor: &User, id: &str) -> ServiceResult<()> {
    admin_only(actor)?;
    let deleted = store.delete_organization(Some(&actor.id), id).await;
    unless_in_use(store, Deletable::Organization, id, deleted).await
}

// ---- what a delete leaves alone ----

/// What still uses a record (admins only): a confirmation page says it before the delete.
pub async fn dependents(
    store: &Store,
    actor: &User,
    of: Deletable,
    id: &str,
) -> ServiceResult<Dependents> {
    admin_only(actor)?;
    Ok(store.dependents(of, id).await?)
}

/// One problem per kind of record that still uses another, naming the first tickets by key;
/// empty when nothing does.
pub fn in_use(dependents: &Dependents) -> Invalid {
    let mut problems = Invalid::new();
    let kinds = [
        (
            "tickets",
            dependents.tickets,
            "problem.in_use_by_tickets_named",
        ),
        ("users", dependents.users, "problem.in_use_by_users"),
        ("tenants", dependents.tenants, "problem.in_use_by_tenants"),
        (
            "contracts",
            dependents.contracts,
            "problem.in_use_by_contracts",
        ),
    ];
    for (field, count, reason) in kinds {
        if count > 0 {
            let mut examples: Vec<String> = match field {
                "tickets" => dependents
                    .ticket_keys
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                _ => Vec::new(),
            };
            if field == "tickets" && examples.len() < count as usize {
                examples.push("…".to_owned());
            }
            problems.push(
                field,
                Problem::InUse {
                    reason,
                    count: count as u64,
                    examples,
                },
            );
        }
    }
    problems
}

/// A delete the store refused because other records use the record answers what they are.
async fn unless_in_use(
    store: &Store,
    of: Deletable,
    id: &str,
    deleted: Result<(), StoreError>,
) -> ServiceResult<()> {
    match deleted {
        Err(StoreError::InUse { by }) => {
            let problems = in_use(&store.dependents(of, id).await?);
            if problems.is_empty() {
                // Something no refusal names yet (an agent's canned reply…): say it generally.
                return Err(StoreError::InUse { by }.into());
            }
            Err(ServiceError::Conflict(problems))
        }
        other => Ok(other?),
    }
}

// ---- tenants ----

/// `POST /api/v1/admin/tenants`, `PATCH …/{id}` (only `name` changes).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TenantInput {
    pub organization_id: Option<String>,
    /// The cloud tenant ID, e.g. `tenant-1a2b3c`; unique.
    pub tenant_id: Option<String>,
    pub name: Option<String>,
}

/// A new tenant from its input, or every problem with it.
pub(crate) fn parse_tenant(input: &TenantInput) -> Result<NewTenant, Invalid> {
    let mut errors = Invalid::new();
    let organization_id = required("organization_id", &input.organization_id, &mut errors);
    let tenant_id = required("tenant_id", &input.tenant_id, &mut errors)
        .and_then(|t| errors.check("tenant_id", TenantId::parse(t)));
    let name = parse_optional_name("name", &input.name, &mut errors);
    errors.into_result()?;
    Ok(NewTenant {
        organization_id: organization_id.expect("checked above").to_owned(),
        tenant_id: tenant_id.expect("checked above"),
        name: name.expect("checked above"),
    })
}

pub async fn create_tenant(
    store: &Store,
    actor: &User,
    input: &TenantInput,
) -> ServiceResult<Tenant> {
    admin_only(actor)?;
    let new = parse_tenant(input)?;
    Ok(store.create_tenant(Some(&actor.id), &new).await?)
}

pub async fn tenants(
    store: &Store,
    actor: &User,
    organization_id: Option<&str>,
    page: &PageRequest,
) -> ServiceResult<Page<Tenant>> {
    let scope = readable_scope(actor)?;
    match list_filter(scope, organization_id) {
        Ok(org) => Ok(store.tenants(org, page).await?),
        Err(()) => Ok(empty()),
    }
}

pub async fn tenant(store: &Store, actor: &User, id: &str) -> ServiceResult<Tenant> {
    let scope = readable_scope(actor)?;
    let tenant = store.tenant(id).await?;
    let org = tenant.organization_id.clone();
    visible(scope, Some(&org), tenant)
}

pub async fn update_tenant(
    store: &Store,
    actor: &User,
    id: &str,
    input: &TenantInput,
) -> ServiceResult<Tenant> {
    admin_only(actor)?;
    let current = store.tenant(id).await?;
    let mut errors = Invalid::new();
    if input
        .tenant_id
        .as_deref()
        .is_some_and(|t| t.trim() != current.tenant_id)
    {
        errors.push(
            "tenant_id",
            Problem::Conflicts {
                reason: "problem.immutable",
            },
        );
    }
    if input
        .organization_id
        .as_deref()
        .is_some_and(|o| o != current.organization_id)
    {
        errors.push(
            "organization_id",
            Problem::Conflicts {
                reason: "problem.immutable",
            },
        );
    }
    let name = parse_optional_name("name", &input.name, &mut errors);
    errors.into_result()?;
    // No `name` keeps the name; an empty one clears it.
    if input.name.is_none() {
        return Ok(current);
    }
    Ok(store
        .rename_tenant(Some(&actor.id), id, name.expect("checked above").as_ref())
        .await?)
}

pub async fn delete_tenant(store: &Store, actor: &User, id: &str) -> ServiceResult<()> {
    admin_only(actor)?;
    let deleted = store.delete_tenant(Some(&actor.id), id).await;
    unless_in_use(store, Deletable::Tenant, id, deleted).await
}

// ---- contracts ----

/// `POST /api/v1/admin/contracts`; on `PATCH …/{id}` every field is optional.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct ContractInput {
    pub organization_id: Option<String>,
    /// 契約番号, unique across the service.
    pub contract_number: Option<String>,
    /// e.g. `Enterprise Cloud 2.0`, `Data Center`.
    pub product_line: Option<String>,
    /// 契約元法人: the provider's legal entity the contract is with.
    pub contracting_corporation: Option<String>,
    /// `basic`, `advanced` or `premium`.
    pub plan: Option<String>,
    /// `direct` or `partner`.
    pub channel: Option<String>,
    /// Required exactly when `channel` is `partner`.
    pub partner_name: Option<String>,
}

pub(crate) fn parse_contract(input: &ContractInput) -> Result<NewContract, Invalid> {
    let mut errors = Invalid::new();
    let organization_id = required("organization_id", &input.organization_id, &mut errors);
    let contract_number = required("contract_number", &input.contract_number, &mut errors)
        .and_then(|v| errors.check("contract_number", ContractNumber::parse(v)));
    let product_line = required("product_line", &input.product_line, &mut errors)
        .and_then(|v| errors.check("product_line", Name::parse(v)));
    let contracting_corporation = required(
        "contracting_corporation",
        &input.contracting_corporation,
        &mut errors,
    )
    .and_then(|v| errors.check("contracting_corporation", Name::parse(v)));
    let plan = required("plan", &input.plan, &mut errors)
        .and_then(|v| errors.check("plan", SupportPlan::parse(v).map_err(Problem::from)));
    let channel = required("channel", &input.channel, &mut errors)
        .and_then(|v| errors.check("channel", Channel::parse(v).map_err(Problem::from)));
    let partner_name = parse_optional_name("partner_name", &input.partner_name, &mut errors);
    match (channel, &partner_name) {
        (Some(Channel::Partner), Some(None)) => errors.push(
            "partner_name",
            Problem::Conflicts {
                reason: "problem.partner_name_required",
            },
        ),
        (Some(Channel::Direct), Some(Some(_))) => errors.push(
            "partner_name",
            Problem::Conflicts {
                reason: "problem.partner_name_for_partner_only",
            },
        ),
        _ => {}
    }
    errors.into_result()?;
    // Every `None` above recorded an error, so all are present here.
    Ok(NewContract {
        organization_id: organization_id.expect("checked above").to_owned(),
        contract_number: contract_number.expect("checked above"),
        product_line: product_line.expect("checked above"),
        contracting_corporation: contracting_corporation.expect("checked above"),
        plan: plan.expect("checked above"),
        channel: channel.expect("checked above"),
        partner_name: partner_name.expect("checked above"),
    })
}

pub async fn create_contract(
    store: &Store,
    actor: &User,
    input: &ContractInput,
) -> ServiceResult<Contract> {
    admin_only(actor)?;
    let new = parse_contract(input)?;
    Ok(store.create_contract(Some(&actor.id), &new).await?)
}

pub async fn contracts(
    store: &Store,
    actor: &User,
    organization_id: Option<&str>,
    page: &PageRequest,
) -> ServiceResult<Page<Contract>> {
    let scope = readable_scope(actor)?;
    match list_filter(scope, organization_id) {
        Ok(org) => Ok(store.contracts(org, page).await?),
        Err(()) => Ok(empty()),
    }
}

pub async fn contract(store: &Store, actor: &User, id: &str) -> ServiceResult<Contract> {
    let scope = readable_scope(actor)?;
    let contract = store.contract(id).await?;
    let org = contract.organization_id.clone();
    visible(scope, Some(&org), contract)
}

pub async fn update_contract(
    store: &Store,
    actor: &User,
    id: &str,
    patch: &ContractInput,
) -> ServiceResult<Contract> {
    admin_only(actor)?;
    let current = store.contract(id).await?;
    if patch
        .organization_id
        .as_deref()
        .is_some_and(|o| o != current.organization_id)
    {
        return Err(Invalid::one(
            "organization_id",
            Problem::Conflicts {
                reason: "problem.immutable",
            },
        )
        .into());
    }
    // A contract moving to `direct` loses its partner unless the patch names one.
    let channel = patch
        .channel
        .clone()
        .unwrap_or_else(|| current.channel.code().to_owned());
    let partner_name = match (&patch.partner_name, channel.as_str()) {
        (Some(p), _) => Some(p.clone()),
        (None, "partner") => current.partner_name.clone(),
        (None, _) => None,
    };
    let merged = ContractInput {
        organization_id: Some(current.organization_id),
        contract_number: patch
            .contract_number
            .clone()
            .or(Some(current.contract_number)),
        product_line: patch.product_line.clone().or(Some(current.product_line)),
        contracting_corporation: patch
            .contracting_corporation
            .clone()
            .or(Some(current.contracting_corporation)),
        plan: patch.plan.clone().or(Some(current.plan.code().to_owned())),
        channel: Some(channel),
        partner_name,
    };
    let terms = parse_contract(&merged)?;
    Ok(store.update_contract(Some(&actor.id), id, &terms).await?)
}

pub async fn delete_contract(store: &Store, actor: &User, id: &str) -> ServiceResult<()> {
    admin_only(actor)?;
    let deleted = store.delete_contract(Some(&actor.id), id).await;
    unless_in_use(store, Deletable::Contract, id, deleted).await
}

// ---- users ----

/// `POST /api/v1/admin/users`; on `PATCH …/{id}` every field is optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UserInput {
    pub email: Option<String>,
    pub name: Option<String>,
    /// `customer`, `customer_admin`, `agent` or `admin`.
    pub role: Option<String>,
    /// Required for customers and customer admins; absent for agents and admins.
    pub organization_id: Option<String>,
    /// `ja` (default) or `en`.
    pub locale: Option<String>,
    /// An IANA time zone name; `Asia/Tokyo` by default.
    pub time_zone: Option<String>,
    /// At least 8 characters. Users without a password use API tokens only.
    pub password: Option<String>,
    /// Agents only: the desks whose queues they work (`general`, `premium`).
    pub desks: Option<Vec<String>>,
    /// On `PATCH` only: `true` disables the user (no sign-in; their sessions and tokens are
    /// refused at once, nothing of theirs is deleted), `false` enables them again.
    pub disabled: Option<bool>,
}

/// Desk codes for an agent; anyone else may have none.
fn parse_desks(
    input: &Option<Vec<String>>,
    role: Option<Role>,
    errors: &mut Invalid,
) -> Option<Vec<Desk>> {
    let codes = input.as_ref()?;
    if !codes.is_empty() && role.is_some_and(|r| r != Role::Agent) {
        errors.push(
            "desks",
            Problem::Conflicts {
                reason: "problem.desks_for_agents_only",
            },
        );
        return None;
    }
    let mut desks = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        if let Some(d) = errors.check(
            &format!("desks[{i}]"),
            Desk::parse(code.trim()).map_err(Problem::from),
        ) {
            desks.push(d);
        }
    }
    Some(desks)
}

fn parse_password(input: &Option<String>, errors: &mut Invalid) -> Option<Option<String>> {
    match input.as_deref() {
        None => Some(None),
        Some(p) => errors
            .check("password", check_password(p))
            .map(|()| Some(p.to_owned())),
    }
}

/// A new user from their input, without a password hash yet, and the password to hash (if
/// any); or every problem with the input.
pub(crate) fn parse_new_user(input: &UserInput) -> Result<(NewUser, Option<String>), Invalid> {
    let mut errors = Invalid::new();
    let email = required("email", &input.email, &mut errors)
        .and_then(|v| errors.check("email", Email::parse(v)));
    let name = required("name", &input.name, &mut errors)
        .and_then(|v| errors.check("name", Name::parse(v)));
    let role = required("role", &input.role, &mut errors)
        .and_then(|v| errors.check("role", Role::parse(v).map_err(Problem::from)));
    let organization_id = input
        .organization_id
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    match (role, organization_id) {
        (Some(r), None) if r.is_customer() => errors.push(
            "organization_id",
            Problem::Conflicts {
                reason: "problem.organization_required",
            },
        ),
        (Some(r), Some(_)) if !r.is_customer() => errors.push(
            "organization_id",
            Problem::Conflicts {
                reason: "problem.organization_for_customers_only",
            },
        ),
        _ => {}
    }
    let locale = parse_locale(&input.locale, &mut errors);
    let time_zone = parse_time_zone(&input.time_zone, &mut errors);
    let password = parse_password(&input.password, &mut errors);
    let desks = parse_desks(&input.desks, role, &mut errors);
    errors.into_result()?;
    let new = NewUser {
        email: email.expect("checked above"),
        name: name.expect("checked above"),
        role: role.expect("checked above"),
        organization_id: organization_id.map(str::to_owned),
        locale: locale.expect("checked above").unwrap_or(Locale::DEFAULT),
        time_zone: time_zone.expect("checked above"),
        password_hash: None,
        desks: desks.unwrap_or_default(),
    };
    Ok((new, password.expect("checked above")))
}

pub async fn create_user(store: &Store, actor: &User, input: &UserInput) -> ServiceResult<User> {
    admin_only(actor)?;
    let (mut new, password) = parse_new_user(input)?;
    if let Some(p) = password {
        new.password_hash = Some(password::hash(p).await?);
    }
    Ok(store.create_user(Some(&actor.id), &new).await?)
}

pub async fn users(
    store: &Store,
    actor: &User,
    organization_id: Option<&str>,
    role: Option<&str>,
    page: &PageRequest,
) -> ServiceResult<Page<User>> {
    let scope = readable_scope(actor)?;
    let role = match role {
        Some(r) => Some(Role::parse(r).map_err(|e| Invalid::one("role", e.into()))?),
        None => None,
    };
    let Ok(organization_id) = list_filter(scope, organization_id) else {
        return Ok(empty());
    };
    let filter = UserFilter {
        organization_id,
        role,
    };
    Ok(store.users(&filter, page).await?)
}

pub async fn user(store: &Store, actor: &User, id: &str) -> ServiceResult<User> {
    let scope = readable_scope(actor)?;
    let user = store.user(id).await?;
    let org = user.organization_id.clone();
    visible(scope, org.as_deref(), user)
}

pub async fn update_user(
    store: &Store,
    actor: &User,
    id: &str,
    patch: &UserInput,
) -> ServiceResult<User> {
    admin_only(actor)?;
    let current = store.user(id).await?;
    let mut errors = Invalid::new();
    // An admin who disabled themselves could not sign in to undo it.
    if patch.disabled == Some(true) && actor.id == id {
        errors.push(
            "disabled",
            Problem::Conflicts {
                reason: "problem.disable_yourself",
            },
        );
    }
    let email = match patch.email.as_deref() {
        Some(v) => errors.check("email", Email::parse(v)),
        None => None,
    };
    let name = match patch.name.as_deref() {
        Some(v) => errors.check("name", Name::parse(v)),
        None => None,
    };
    let role = match patch.role.as_deref() {
        Some(v) => errors.check("role", Role::parse(v).map_err(Problem::from)),
        None => None,
    };
    if role.is_some_and(|r| r.is_customer() != current.role.is_customer()) {
        errors.push(
            "role",
            Problem::Conflicts {
                reason: "problem.role_change_crosses_sides",
            },
        );
    }
    if patch
        .organization_id
        .as_deref()
        .is_some_and(|o| Some(o) != current.organization_id.as_deref())
    {
        errors.push(
            "organization_id",
            Problem::Conflicts {
                reason: "problem.immutable",
            },
        );
    }
    let locale = parse_locale(&patch.locale, &mut errors);
    let time_zone = parse_time_zone(&patch.time_zone, &mut errors);
    let password = parse_password(&patch.password, &mut errors);
    let desks = parse_desks(
        &patch.desks,
        Some(role.unwrap_or(current.role)),
        &mut errors,
    );
    errors.into_result()?;
    // Hash first, so that the fields, the desks and the password change in one transaction.
    let password_hash = match password.expect("checked above") {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let changes = UserChanges {
        email,
        name,
        role,
        locale: locale.expect("checked above"),
        time_zone: time_zone.expect("checked above"),
        password_hash,
        desks,
        disabled: patch.disabled,
    };
    if changes.is_empty() {
        return Ok(current);
    }
    Ok(store.update_user(Some(&actor.id), id, &changes).await?)
}

pub async fn delete_user(store: &Store, actor: &User, id: &str) -> ServiceResult<()> {
    admin_only(actor)?;
    if actor.id == id {
        return Err(ServiceError::Forbidden(
            "admins may not delete themselves".into(),
        ));
    }
    let deleted = store.delete_user(Some(&actor.id), id).await;
    unless_in_use(store, Deletable::User, id, deleted).await
}

// ---- ticket permissions ----

/// `PUT /api/v1/admin/permissions` grants or changes; `DELETE` revokes (no `level`).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PermissionInput {
    #[schema(required = true)]
    pub user_id: Option<String>,
    #[schema(required = true)]
    pub contract_number: Option<String>,
    /// `view` or `edit`; not used to revoke.
    pub level: Option<String>,
}

/// Loads the user and contract a permission is about, as `actor` may see them.
async fn permission_subjects(
    store: &Store,
    actor: &User,
    input: &PermissionInput,
    errors: &mut Invalid,
) -> ServiceResult<Option<(User, Contract)>> {
    let scope = readable_scope(actor)?;
    let user_id = required("user_id", &input.user_id, errors);
    let contract_number = required("contract_number", &input.contract_number, errors);
    let user = match user_id {
        Some(id) => match store.user(id).await {
            Ok(u) if scope.is_none() || u.organization_id.as_deref() == scope => Some(u),
            Ok(_) | Err(madoguchi_store::StoreError::NotFound) => {
                errors.push("user_id", Problem::NotFound);
                None
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let contract = match contract_number {
        Some(number) => match store.contract_by_number(number.trim()).await {
            Ok(c) if scope.is_none() || Some(c.organization_id.as_str()) == scope => Some(c),
            Ok(_) | Err(madoguchi_store::StoreError::NotFound) => {
                errors.push("contract_number", Problem::NotFound);
                None
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    Ok(user.zip(contract))
}

pub async fn grant_permission(
    store: &Store,
    actor: &User,
    input: &PermissionInput,
) -> ServiceResult<TicketPermission> {
    let mut errors = Invalid::new();
    let subjects = permission_subjects(store, actor, input, &mut errors).await?;
    let level = required("level", &input.level, &mut errors)
        .and_then(|v| errors.check("level", PermissionLevel::parse(v).map_err(Problem::from)));
    if let Some((user, contract)) = &subjects
        && !may_manage_permission(actor, user, &contract.organization_id)
    {
        errors.push(
            "user_id",
            Problem::Conflicts {
                reason: "problem.user_of_other_organization",
            },
        );
    }
    errors.into_result()?;
    let (user, contract) = subjects.expect("checked above");
    Ok(store
        .grant_permission(
            Some(&actor.id),
            &user.id,
            &contract.id,
            level.expect("checked above"),
        )
        .await?)
}

pub async fn revoke_permission(
    store: &Store,
    actor: &User,
    input: &PermissionInput,
) -> ServiceResult<()> {
    let mut errors = Invalid::new();
    let subjects = permission_subjects(store, actor, input, &mut errors).await?;
    errors.into_result()?;
    let (user, contract) = subjects.expect("checked above");
    Ok(store
        .revoke_permission(Some(&actor.id), &user.id, &contract.id)
        .await?)
}

/// A page of the permissions held in `actor`'s scope, optionally of one user.
pub async fn permissions(
    store: &Store,
    actor: &User,
    organization_id: Option<&str>,
    user_id: Option<&str>,
    page: &PageRequest,
) -> ServiceResult<Page<TicketPermission>> {
    let scope = readable_scope(actor)?;
    match list_filter(scope, organization_id) {
        Ok(org) => Ok(store.permissions_page(org, user_id, page).await?),
        Err(()) => Ok(empty()),
    }
}

// ---- API tokens ----

/// The name of a token an admin issued without naming it: what clients older than named
/// tokens (which send no body) get, so that the owner's token list still says where it came
/// from.
pub const ADMIN_TOKEN_NAME: &str = "admin-issued";

/// `POST /api/v1/admin/users/{id}/tokens`: both fields optional; no body at all is the same as
/// `{}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AdminTokenInput {
    /// What the token is for; absent (or `null`) for `admin-issued`. A blank name is refused,
    /// as for `/api/v1/me/tokens`.
    pub name: Option<String>,
    /// When it stops working: RFC 3339, or a date (`2026-12-31`: through that day in the
    /// owner's time zone); absent for no expiry.
    pub expires_at: Option<String>,
}

/// Issues a token to `user_id` under the rules of the owner's own tokens
/// (`core::token::check_new_token`, the expiry read in the owner's time zone); its secret is
/// in the answer only.
pub async fn create_token(
    store: &Store,
    actor: &User,
    user_id: &str,
    input: &AdminTokenInput,
) -> ServiceResult<IssuedToken> {
    admin_only(actor)?;
    let owner = store.user(user_id).await?;
    let new = check_new_token(
        Some(input.name.as_deref().unwrap_or(ADMIN_TOKEN_NAME)),
        input.expires_at.as_deref(),
        &crate::tickets::time_zone(&owner),
        jiff::Timestamp::now(),
    )?;
    Ok(store
        .create_named_token(Some(&actor.id), &owner.id, &new)
        .await?)
}

pub async fn tokens(store: &Store, actor: &User, user_id: &str) -> ServiceResult<Vec<TokenInfo>> {
    admin_only(actor)?;
    store.user(user_id).await?;
    Ok(store.tokens_of(user_id).await?)
}

pub async fn revoke_token(
    store: &Store,
    actor: &User,
    user_id: &str,
    token_id: &str,
) -> ServiceResult<()> {
    admin_only(actor)?;
    Ok(store
        .revoke_token(Some(&actor.id), user_id, token_id)
        .await?)
}
