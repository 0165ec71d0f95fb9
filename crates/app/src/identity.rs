//! Logging in and out, and who the caller is (`GET /api/v1/me`, the home page).

use madoguchi_core::model::{Contract, Organization, TicketPermission, User};
use madoguchi_core::values::Email;
use madoguchi_core::{Desk, Invalid, Problem};
use madoguchi_store::{Session, Store, StoreError, UserChanges};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::password;
use crate::{ServiceError, ServiceResult, parse_locale, parse_time_zone};

/// Who a user is, with everything that decides what they may do.
#[derive(Debug, Clone)]
pub struct Profile {
    pub user: User,
    pub organization: Option<Organization>,
    /// Each ticket permission with its contract.
    pub permissions: Vec<(TicketPermission, Contract)>,
    /// The desks of an agent.
    pub desks: Vec<Desk>,
}

pub async fn profile(store: &Store, user: &User) -> ServiceResult<Profile> {
    let organization = match &user.organization_id {
        Some(id) => Some(store.organization(id).await?),
        None => None,
    };
    let permissions = store.permissions_of(&user.id).await?;
    let contracts = match &user.organization_id {
        Some(id) => store.contracts_of(id).await?,
        None => Vec::new(),
    };
    let permissions = permissions
        .into_iter()
        .filter_map(|p| {
            let contract = contracts.iter().find(|c| c.id == p.contract_id)?.clone();
            Some((p, contract))
        })
        .collect();
    let desks = store.desks_of(&user.id).await?;
    Ok(Profile {
        user: user.clone(),
        organization,
        permissions,
        desks,
    })
}

/// Checks an email and password and starts a session. Any mismatch is the same answer, so
/// that nobody learns which emails have accounts.
pub async fn log_in(
    store: &Store,
    session_lifetime: jiff::SignedDuration,
    email: &str,
    password: &str,
) -> ServiceResult<Session> {
    let found = match Email::parse(email) {
        Ok(email) => match store.user_for_login(&email).await {
            Ok(found) => Some(found),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    let stored = found.as_ref().and_then(|f| f.password_hash.clone());
    if !password::verify(password.to_owned(), stored).await {
        // A known user's failed sign-in is in the audit log (never what was typed); unknown
        // emails are not, or the log would fill with whatever strangers try.
        if let Some(found) = &found {
            store
                .record_sign_in_failure(&found.user, "password")
                .await?;
        }
        return Err(ServiceError::Invalid(Invalid::one(
            "password",
            Problem::Conflicts {
                reason: "login.failed",
            },
        )));
    }
    let user = found.expect("verify fails without a stored hash").user;
    // Said only to whoever knows the password, so the words reveal nothing to others.
    if user.disabled_at.is_some() {
        return Err(ServiceError::AccountDisabled);
    }
    Ok(store.create_session(&user, session_lifetime).await?)
}

pub async fn log_out(store: &Store, session_token: &str) -> ServiceResult<()> {
    Ok(store.end_session(session_token).await?)
}

/// `PATCH /api/v1/me`: what users change about themselves.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PreferencesInput {
    /// `ja` or `en`.
    pub locale: Option<String>,
    /// An IANA time zone name, e.g. `Asia/Tokyo`.
    pub time_zone: Option<String>,
}

pub async fn set_preferences(
    store: &Store,
    user: &User,
    input: &PreferencesInput,
) -> ServiceResult<User> {
    let mut errors = Invalid::new();
    let locale = parse_locale(&input.locale, &mut errors);
    let time_zone = parse_time_zone(&input.time_zone, &mut errors);
    errors.into_result()?;
    let changes = UserChanges {
        locale: locale.flatten(),
        time_zone: time_zone.flatten(),
        ..Default::default()
    };
    if changes.is_empty() {
        return Ok(user.clone());
    }
    Ok(store
        .update_user(Some(&user.id), &user.id, &changes)
        .await?)
}
