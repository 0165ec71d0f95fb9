//! API tokens their owners keep (issue 13): every user lists, names, creates (with an optional
//! expiry) and revokes their own; admins see and revoke anyone's through `admin`.

use madoguchi_core::model::User;
use madoguchi_core::token::check_new_token;
use madoguchi_store::{IssuedToken, Store, TokenInfo};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::ServiceResult;
use crate::tickets::time_zone;

/// `POST /api/v1/me/tokens`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenInput {
    /// What the token is for, e.g. `CI`; required.
    #[schema(required = true)]
    pub name: Option<String>,
    /// When it stops working: RFC 3339, or a date (`2026-12-31`: through that day in the
    /// owner's time zone); absent for no expiry.
    pub expires_at: Option<String>,
}

/// The caller's tokens, newest first, without their secrets.
pub async fn mine(store: &Store, user: &User) -> ServiceResult<Vec<TokenInfo>> {
    Ok(store.tokens_of(&user.id).await?)
}

/// Issues a token to the caller; its secret is in the answer only.
pub async fn create(store: &Store, user: &User, input: &TokenInput) -> ServiceResult<IssuedToken> {
    let new = check_new_token(
        input.name.as_deref(),
        input.expires_at.as_deref(),
        &time_zone(user),
        jiff::Timestamp::now(),
    )?;
    Ok(store
        .create_named_token(Some(&user.id), &user.id, &new)
        .await?)
}

/// Revokes one of the caller's own tokens; anyone else's answers as missing.
pub async fn revoke(store: &Store, user: &User, token_id: &str) -> ServiceResult<()> {
    Ok(store
        .revoke_token(Some(&user.id), &user.id, token_id)
        .await?)
}
