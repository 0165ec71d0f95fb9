//! `/organization`: a customer admin's page of their own organization — its contracts, its
//! users with their roles, and who holds which ticket permission on which contract, granted
//! and revoked in the permission grid (`permissions::grid`). `/organization/users/{id}` is one
//! user's row of it. Nothing of another organization: its ids answer 404, as for everyone who
//! is not a customer admin.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use madoguchi_app::{ServiceError, admin};
use madoguchi_core::Role;
use madoguchi_store::{PageRequest, Session};
use serde::Deserialize;

use crate::auth::Browser;
use crate::error::PageError;
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::permissions::{self, Grid};
use crate::ui::{Nav, render};

struct ContractRow {
    number: String,
    product_line: String,
    plan: String,
}

#[derive(Template)]
#[template(path = "organization.html")]
struct OrganizationPage {
    w: Words,
    nav: Nav,
    title: String,
    /// On one user's page: the way back to the whole organization.
    one_user: bool,
    notice: Option<String>,
    contracts: Vec<ContractRow>,
    grid: Grid,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The customer admin's organization; everyone else finds no such page.
fn own_organization(session: &Session) -> Result<String, ServiceError> {
    match (session.user.role, &session.user.organization_id) {
        (Role::CustomerAdmin, Some(org)) => Ok(org.clone()),
        _ => Err(ServiceError::NotFound),
    }
}

fn notice(session: &Session, q: &DoneQuery) -> Option<String> {
    let key = match q.done.as_deref()? {
        "revoked" => "permissions.revoked",
        _ => "permissions.granted",
    };
    Some(i18n::text(session.user.locale, key).to_owned())
}

async fn build(
    state: &AppState,
    session: &Session,
    only_user: Option<&str>,
    q: &DoneQuery,
) -> Result<OrganizationPage, ServiceError> {
    let user = &session.user;
    let w = Words(user.locale);
    let org_id = own_organization(session)?;
    let (title, back) = match only_user {
        // Another organization's user answers NotFound here: the scope of `admin::user`.
        Some(id) => {
            let shown = admin::user(&state.store, user, id).await?;
            let title = i18n::text_with(
                user.locale,
                "organization.user_title",
                &[("name", shown.name)],
            );
            (title, format!("/organization/users/{id}"))
        }
        None => {
            let org = admin::organization(&state.store, user, &org_id).await?;
            (org.name, "/organization".to_owned())
        }
    };
    let all = PageRequest::new(Some(200), None).expect("200 is a valid page size");
    let contracts = admin::contracts(&state.store, user, Some(&org_id), &all)
        .await?
        .items
        .into_iter()
        .map(|c| ContractRow {
            number: c.contract_number,
            product_line: format!("{} ({})", c.product_line, c.contracting_corporation),
            plan: w.t(&format!("plan.{}", c.plan.code())).to_owned(),
        })
        .collect();
    Ok(OrganizationPage {
        w,
        nav: Nav::of(session),
        title,
        one_user: only_user.is_some(),
        notice: notice(session, q),
        contracts,
        grid: permissions::grid(state, session, &org_id, only_user, &back).await?,
    })
}

/// `GET /organization`.
pub async fn page(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<DoneQuery>,
) -> Response {
    match build(&state, &session, None, &q).await {
        Ok(page) => render(session.user.locale, page),
        Err(e) => PageError::from_service(session.user.locale, e).into_response(),
    }
}

/// `GET /organization/users/{id}`.
pub async fn user(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Response {
    match build(&state, &session, Some(&id), &q).await {
        Ok(page) => render(session.user.locale, page),
        Err(e) => PageError::from_service(session.user.locale, e).into_response(),
    }
}
