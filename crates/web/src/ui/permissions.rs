//! チケット作成権限の付与: customer admins grant and revoke ticket permission for their
//! organization's users, contract by contract.

use askama::Template;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_core::Role;
use madoguchi_core::model::User;
use madoguchi_store::PageRequest;
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::{Nav, render};
use madoguchi_app::{ServiceError, admin};

pub(crate) struct ContractColumn {
    pub(crate) label: String,
}

pub(crate) struct Cell {
    /// The contract's column heading, which labels the cell when the grid becomes cards.
    pub(crate) label: String,
    pub(crate) contract_number: String,
    pub(crate) level: String,
    /// A partner-resold contract: its tickets go to the partner, so edit is not offered.
    pub(crate) partner: bool,
}

pub(crate) struct Row {
    /// The signed-in customer admin's own row: lowering it asks first.
    pub(crate) is_self: bool,
    pub(crate) user_id: String,
    pub(crate) name: String,
    pub(crate) email: String,
    /// The user's role, in words.
    pub(crate) role: String,
    pub(crate) cells: Vec<Cell>,
}

/// The grid of users and contracts, each cell a grant or revoke form
/// (`templates/permissions_grid.html`): this page's, and the customer admin's organization page.
pub(crate) struct Grid {
    pub(crate) csrf: String,
    /// For admins, the organization the forms are about.
    pub(crate) organization_id: Option<String>,
    pub(crate) contracts: Vec<ContractColumn>,
    pub(crate) rows: Vec<Row>,
    /// Where a form goes back to after saving: `/permissions` or `/organization…`.
    pub(crate) back: String,
}

#[derive(Template)]
#[template(path = "permissions.html")]
struct PermissionsPage {
    w: Words,
    nav: Nav,
    grid: Grid,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PermissionsQuery {
    organization_id: Option<String>,
    done: Option<String>,
}

/// The organization the page is about: the customer admin's own; an admin names one.
fn organization_of(user: &User, requested: Option<&str>) -> Result<String, ServiceError> {
    match user.role {
        Role::CustomerAdmin => user.organization_id.clone().ok_or(ServiceError::NotFound),
        Role::Admin => requested.map(str::to_owned).ok_or(ServiceError::NotFound),
        _ => Err(ServiceError::Forbidden(
            "only customer admins manage ticket permissions".into(),
        )),
    }
}

async fn build(
    state: &AppState,
    session: &madoguchi_store::Session,
    requested_org: Option<&str>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<PermissionsPage, ServiceError> {
    let user = &session.user;
    let org = organization_of(user, requested_org)?;
    Ok(PermissionsPage {
        w: Words(user.locale),
        nav: Nav::of(session),
        grid: grid(state, session, &org, None, "/permissions").await?,
        notice,
        error,
    })
}

/// The grid of `org` as `session`'s user may see it, of every customer or only of `only_user`.
pub(crate) async fn grid(
    state: &AppState,
    session: &madoguchi_store::Session,
    org: &str,
    only_user: Option<&str>,
    back: &str,
) -> Result<Grid, ServiceError> {
    let user = &session.user;
    let org = org.to_owned();
    // A page of 200 covers an organization's contracts and users in practice; the API pages
    // further for larger ones.
    let page = PageRequest::new(Some(200), None).expect("200 is a valid page size");
    let contracts = admin::contracts(&state.store, user, Some(&org), &page)
        .await?
        .items;
    let users = admin::users(&state.store, user, Some(&org), None, &page)
        .await?
        .items;
    // One page of 200 of each covers an organization in practice; larger ones page in the API.
    let held = state.store.permissions_in(Some(&org)).await?;
    let labels: Vec<String> = contracts
        .iter()
        .map(|c| match &c.partner_name {
            Some(partner) => i18n::text_with(
                user.locale,
                "permissions.partner_column",
                &[
                    ("contract", c.contract_number.clone()),
                    ("product", c.product_line.clone()),
                    ("partner", partner.clone()),
                ],
            ),
            None => format!(
                "{} — {} ({})",
                c.contract_number, c.product_line, c.contracting_corporation
            ),
        })
        .collect();
    let rows = users
        .into_iter()
        .filter(|u| u.role.is_customer() && only_user.is_none_or(|only| only == u.id))
        .map(|u| Row {
            role: i18n::role(user.locale, u.role).to_owned(),
            cells: contracts
                .iter()
                .zip(&labels)
                .map(|(c, label)| Cell {
                    label: label.clone(),
                    contract_number: c.contract_number.clone(),
                    level: held
                        .iter()
                        .find(|p| p.user_id == u.id && p.contract_id == c.id)
                        .map(|p| p.level.code().to_owned())
                        .unwrap_or_default(),
                    partner: c.channel == madoguchi_core::Channel::Partner,
                })
                .collect(),
            is_self: u.id == user.id,
            user_id: u.id,
            name: u.name,
            email: u.email,
        })
        .collect();
    Ok(Grid {
        csrf: session.csrf_token.clone(),
        organization_id: (user.role == Role::Admin).then_some(org),
        contracts: labels
            .into_iter()
            .map(|label| ContractColumn { label })
            .collect(),
        rows,
        back: back.to_owned(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<PermissionsQuery>,
) -> Response {
    let locale = session.user.locale;
    let notice = q.done.as_deref().map(|d| {
        Words(locale)
            .t(if d == "revoked" {
                "permissions.revoked"
            } else {
                "permissions.granted"
            })
            .to_owned()
    });
    if session.user.role == Role::Admin && q.organization_id.is_none() {
        return pick_organization(&state, &session).await;
    }
    match build(&state, &session, q.organization_id.as_deref(), notice, None).await {
        Ok(page) => render(locale, page),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "pick_organization.html")]
struct PickOrganizationPage {
    w: Words,
    nav: Nav,
    /// (id, name)
    organizations: Vec<(String, String)>,
}

/// Admins first pick whose permissions to manage.
async fn pick_organization(state: &AppState, session: &madoguchi_store::Session) -> Response {
    let locale = session.user.locale;
    let page = PageRequest::new(Some(200), None).expect("200 is a valid page size");
    match admin::organizations(&state.store, &session.user, None, &page).await {
        Ok(found) => render(
            locale,
            PickOrganizationPage {
                w: Words(locale),
                nav: Nav::of(session),
                organizations: found.items.into_iter().map(|o| (o.id, o.name)).collect(),
            },
        ),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct PermissionForm {
    csrf: String,
    user_id: String,
    contract_number: String,
    /// Empty revokes.
    level: String,
    organization_id: Option<String>,
    /// `yes` once the customer admin has confirmed lowering their own permission.
    confirmed: Option<String>,
    /// The page the form came from, when it is the organization's page.
    back: Option<String>,
}

#[derive(Template)]
#[template(path = "permissions_confirm.html")]
struct ConfirmSelfPage {
    w: Words,
    nav: Nav,
    csrf: String,
    contract_number: String,
    user_id: String,
    level: String,
    organization_id: Option<String>,
    back: Option<String>,
    question: String,
}

pub async fn save(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<PermissionForm>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return PageError {
            status: StatusCode::FORBIDDEN,
            locale,
            message_key: "error.csrf",
        }
        .into_response();
    }
    // Lowering one's own permission hides the contract's tickets from oneself: ask first
    // (the page's script asks in a dialog; this page is the answer without it).
    if form.user_id == session.user.id
        && form.level != "edit"
        && form.confirmed.as_deref() != Some("yes")
    {
        let w = Words(locale);
        let question = i18n::text_with(
            locale,
            if form.level.is_empty() {
                "permissions.confirm_self_revoke"
            } else {
                "permissions.confirm_self_view"
            },
            &[("contract", form.contract_number.clone())],
        );
        return render(
            locale,
            ConfirmSelfPage {
                w,
                nav: Nav::of(&session),
                csrf: session.csrf_token.clone(),
                contract_number: form.contract_number,
                user_id: form.user_id,
                level: form.level,
                organization_id: form.organization_id,
                back: form.back,
                question,
            },
        );
    }
    let input = admin::PermissionInput {
        user_id: Some(form.user_id),
        contract_number: Some(form.contract_number),
        level: Some(form.level.clone()).filter(|l| !l.is_empty()),
    };
    let result = if form.level.is_empty() {
        admin::revoke_permission(&state.store, &session.user, &input)
            .await
            .map(|()| "revoked")
    } else {
        admin::grant_permission(&state.store, &session.user, &input)
            .await
            .map(|_| "granted")
    };
    let org_query = form
        .organization_id
        .as_deref()
        .map(|o| {
            format!(
                "&{}",
                serde_urlencoded::to_string([("organization_id", o)]).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    // Only pages of this site's organization area: never a redirect elsewhere.
    let back = form
        .back
        .as_deref()
        .filter(|b| *b == "/organization" || b.starts_with("/organization/users/"))
        .unwrap_or("/permissions");
    match result {
        Ok(done) => Redirect::to(&format!("{back}?done={done}{org_query}")).into_response(),
        // Revoking what was never granted leaves things as the admin wanted them.
        Err(ServiceError::NotFound) if form.level.is_empty() => {
            Redirect::to(&format!("{back}?done=revoked{org_query}")).into_response()
        }
        Err(ServiceError::Invalid(invalid)) | Err(ServiceError::Conflict(invalid)) => {
            let message = invalid
                .0
                .iter()
                .map(|e| format!("{}: {}", e.field, i18n::problem(locale, &e.problem)))
                .collect::<Vec<_>>()
                .join(" ");
            match build(
                &state,
                &session,
                form.organization_id.as_deref(),
                None,
                Some(message),
            )
            .await
            {
                Ok(page) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, render(locale, page)).into_response()
                }
                Err(e) => PageError::from_service(locale, e).into_response(),
            }
        }
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}
