//! API tokens on the profile page (issue 13): every user lists their tokens, creates one with
//! a name and an optional expiry (its secret shown once, on a page of its own), and revokes
//! their own after a confirmation. Admins see anyone's on the console's user page.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use madoguchi_app::ServiceError;
use madoguchi_app::tokens::{self, TokenInput};
use madoguchi_core::model::User;
use madoguchi_store::{Session, TokenInfo};
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::console::{CsrfForm, field_errors};
use crate::ui::console_users::confirm_page;
use crate::ui::{Nav, csrf_failed, format_time, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/profile/tokens", post(create)).route(
        "/profile/tokens/{id}/revoke",
        get(confirm_revoke).post(revoke),
    )
}

/// A token as a table row shows it.
pub(crate) struct TokenRow {
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub expires: String,
    pub expired: bool,
    pub revoke_url: String,
}

/// The rows of `tokens`, times in `viewer`'s zone; `revoke_url` makes each row's revoke link.
pub(crate) fn token_rows(
    viewer: &User,
    tokens: Vec<TokenInfo>,
    revoke_url: impl Fn(&str) -> String,
) -> Vec<TokenRow> {
    let w = Words(viewer.locale);
    let now = jiff::Timestamp::now();
    tokens
        .into_iter()
        .map(|t| TokenRow {
            name: t
                .name
                .clone()
                .unwrap_or_else(|| w.t("users.token_unnamed").to_owned()),
            created: format_time(viewer, t.created_at),
            last_used: t
                .last_used_at
                .map(|at| format_time(viewer, at))
                .unwrap_or_else(|| w.t("users.token_never_used").to_owned()),
            expires: t
                .expires_at
                .map(|at| format_time(viewer, at))
                .unwrap_or_else(|| w.t("users.token_no_expiry").to_owned()),
            expired: !madoguchi_core::token::is_live(t.expires_at, now),
            revoke_url: revoke_url(&t.id),
        })
        .collect()
}

/// The confirmation's words: which token, made when.
pub(crate) fn revoke_question(session: &Session, token: &TokenInfo) -> String {
    let viewer = &session.user;
    let name = token
        .name
        .clone()
        .unwrap_or_else(|| i18n::text(viewer.locale, "users.token_unnamed").to_owned());
    i18n::text_with(
        viewer.locale,
        "users.revoke_question",
        &[
            ("name", name),
            ("created", format_time(viewer, token.created_at)),
        ],
    )
}

/// The profile page's tokens card: the caller's tokens, and the new-token form as typed.
#[derive(Default)]
pub(crate) struct TokensCard {
    pub rows: Vec<TokenRow>,
    pub name: String,
    pub expires_at: String,
    pub errors: BTreeMap<String, String>,
    pub banner: Option<String>,
}

impl TokensCard {
    /// The caller's tokens, with an empty form.
    pub async fn load(state: &AppState, session: &Session) -> Result<TokensCard, ServiceError> {
        let mine = tokens::mine(&state.store, &session.user).await?;
        Ok(TokensCard {
            rows: token_rows(&session.user, mine, |id| {
                format!("/profile/tokens/{id}/revoke")
            }),
            ..TokensCard::default()
        })
    }

    pub fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "token_created.html")]
struct CreatedPage {
    w: Words,
    nav: Nav,
    name: String,
    token: String,
    expires: String,
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_at: String,
}

/// `POST /profile/tokens`: the new token's secret on a page of its own, shown this once.
async fn create(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<TokenForm>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let input = TokenInput {
        name: Some(form.name.clone()),
        expires_at: Some(form.expires_at.clone()),
    };
    match tokens::create(&state.store, &session.user, &input).await {
        Ok(issued) => {
            let w = Words(locale);
            let page = CreatedPage {
                w,
                nav: Nav::of(&session),
                name: form.name.trim().to_owned(),
                token: issued.token,
                expires: issued
                    .expires_at
                    .map(|at| format_time(&session.user, at))
                    .unwrap_or_else(|| w.t("users.token_no_expiry").to_owned()),
            };
            // The secret must not linger in a cache.
            (
                StatusCode::CREATED,
                [(axum::http::header::CACHE_CONTROL, "no-store")],
                render(locale, page),
            )
                .into_response()
        }
        Err(e) => match field_errors(locale, &e) {
            Some(errors) => {
                let mut card = match TokensCard::load(&state, &session).await {
                    Ok(card) => card,
                    Err(e) => return PageError::from_service(locale, e).into_response(),
                };
                card.name = form.name;
                card.expires_at = form.expires_at;
                card.errors = errors;
                crate::ui::home::profile_page(&state, &session, card).await
            }
            None => PageError::from_service(locale, e).into_response(),
        },
    }
}

/// `GET /profile/tokens/{id}/revoke`: asks first, naming the token.
async fn confirm_revoke(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    let found = match tokens::mine(&state.store, &session.user).await {
        Ok(mine) => mine.into_iter().find(|t| t.id == id),
        Err(e) => return PageError::from_service(session.user.locale, e).into_response(),
    };
    let Some(found) = found else {
        return PageError::from_service(session.user.locale, ServiceError::NotFound)
            .into_response();
    };
    confirm_page(
        &session,
        "users.revoke",
        revoke_question(&session, &found),
        format!("/profile/tokens/{id}/revoke"),
        "/profile#tokens".to_owned(),
    )
}

/// `POST /profile/tokens/{id}/revoke`: only the caller's own; anyone else's is missing.
async fn revoke(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    match tokens::revoke(&state.store, &session.user, &id).await {
        Ok(()) => Redirect::to("/profile?token_revoked=1#tokens").into_response(),
        Err(e) => PageError::from_service(session.user.locale, e).into_response(),
    }
}
