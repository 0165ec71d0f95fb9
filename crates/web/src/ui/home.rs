use askama::Template;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::tokens::TokensCard;
use crate::ui::{Nav, render};
use madoguchi_app::ServiceError;
use madoguchi_app::identity::{self, PreferencesInput, Profile};
use madoguchi_store::Session;

pub(crate) struct PermissionRow {
    contract_number: String,
    product_line: String,
    contracting_corporation: String,
    plan: String,
    level: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    w: Words,
    nav: Nav,
    csrf: String,
    /// 「佐藤 太郎 さん、ようこそ」: the name comes first in Japanese.
    welcome: String,
    user_name: String,
    email: String,
    role_name: String,
    organization: Option<String>,
    time_zone: String,
    /// Every zone of the time zone database, the chosen one included.
    time_zones: Vec<String>,
    /// The language the form shows as chosen (what was sent, after a refused save).
    chosen_locale: String,
    is_customer: bool,
    permissions: Vec<PermissionRow>,
    desks: Vec<String>,
    notice: bool,
    preferences_error: Option<String>,
    notifications: Vec<crate::ui::notify::NotificationRow>,
    notifications_saved: bool,
    tokens: crate::ui::tokens::TokensCard,
}

impl HomePage {
    fn tokens_rows(&self) -> &[crate::ui::tokens::TokenRow] {
        &self.tokens.rows
    }
}

fn home_page(
    profile: Profile,
    session: &Session,
    notice: bool,
    preferences_error: Option<String>,
) -> HomePage {
    let w = Words(profile.user.locale);
    let user = &profile.user;
    HomePage {
        w,
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        welcome: i18n::text_with(user.locale, "home.welcome", &[("name", user.name.clone())]),
        user_name: user.name.clone(),
        email: user.email.clone(),
        role_name: i18n::role(user.locale, user.role).to_owned(),
        organization: profile.organization.as_ref().map(|o| o.name.clone()),
        time_zone: user.time_zone.clone(),
        time_zones: time_zones(&user.time_zone),
        chosen_locale: user.locale.code().to_owned(),
        is_customer: user.role.is_customer(),
        permissions: profile
            .permissions
            .iter()
            .map(|(p, c)| PermissionRow {
                contract_number: c.contract_number.clone(),
                product_line: c.product_line.clone(),
                contracting_corporation: c.contracting_corporation.clone(),
                plan: w.t(&format!("plan.{}", c.plan.code())).to_owned(),
                // Tickets of a partner-resold contract go to the partner, whatever the level.
                level: match &c.partner_name {
                    Some(partner) => i18n::text_with(
                        profile.user.locale,
                        "level.partner",
                        &[("partner", partner.clone())],
                    ),
                    None => w.t(&format!("level.{}", p.level.code())).to_owned(),
                },
            })
            .collect(),
        desks: profile
            .desks
            .iter()
            .map(|d| w.t(&format!("desk.{}", d.code())).to_owned())
            .collect(),
        notice,
        preferences_error,
        notifications: Vec::new(),
        notifications_saved: false,
        tokens: Default::default(),
    }
}

/// The zones of the time zone database, sorted, Asia/Tokyo and UTC first; `current` is kept
/// even if the database lacks it.
fn time_zones(current: &str) -> Vec<String> {
    let mut zones: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .filter(|z| z != "Asia/Tokyo" && z != "UTC")
        .collect();
    zones.sort();
    zones.dedup();
    let mut list = vec!["Asia/Tokyo".to_owned(), "UTC".to_owned()];
    if !current.is_empty()
        && !zones.iter().any(|z| z == current)
        && !list.iter().any(|z| z == current)
    {
        list.push(current.to_owned());
    }
    list.extend(zones);
    list
}

#[derive(Deserialize)]
pub struct HomeQuery {
    saved: Option<String>,
    notifications: Option<String>,
    token_revoked: Option<String>,
}

/// `/`: an agent's home is their queues; everyone else's is the service desk page.
pub async fn page(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<HomeQuery>,
) -> Response {
    if session.user.role == madoguchi_core::Role::Agent {
        return crate::ui::queues::home(&state, &session, None).await;
    }
    profile(State(state), Browser(session), Query(q)).await
}

/// サービスデスク: who the user is and what they may do (an agent's account page).
pub async fn profile(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<HomeQuery>,
) -> Response {
    let locale = session.user.locale;
    let mut tokens = match TokensCard::load(&state, &session).await {
        Ok(card) => card,
        Err(e) => return PageError::from_service(locale, e).into_response(),
    };
    if q.token_revoked.is_some() {
        tokens.banner = Some(i18n::text(locale, "users.done_token_revoked").to_owned());
    }
    let notices = Notices {
        saved: q.saved.is_some(),
        notifications_saved: q.notifications.is_some(),
    };
    profile_with(&state, &session, tokens, notices).await
}

/// Which saves the profile page reports.
#[derive(Default)]
struct Notices {
    saved: bool,
    notifications_saved: bool,
}

/// The profile page with this tokens card (a refused new token comes back as typed).
pub(crate) async fn profile_page(
    state: &AppState,
    session: &Session,
    tokens: TokensCard,
) -> Response {
    profile_with(state, session, tokens, Notices::default()).await
}

async fn profile_with(
    state: &AppState,
    session: &Session,
    tokens: TokensCard,
    notices: Notices,
) -> Response {
    let locale = session.user.locale;
    let profile = identity::profile(&state.store, &session.user).await;
    let rows = crate::ui::notify::notification_rows(state, session).await;
    match (profile, rows) {
        (Ok(profile), Ok(rows)) => {
            let status = if tokens.errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut page = home_page(profile, session, notices.saved, None);
            page.notifications = rows;
            page.notifications_saved = notices.notifications_saved;
            page.tokens = tokens;
            (status, render(locale, page)).into_response()
        }
        (Err(e), _) | (_, Err(e)) => PageError::from_service(locale, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct PreferencesForm {
    csrf: String,
    locale: Option<String>,
    time_zone: Option<String>,
}

/// Saves the language and time zone; a bad time zone shows the page again with the error.
pub async fn save_preferences(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<PreferencesForm>,
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
    let input = PreferencesInput {
        locale: form.locale.clone(),
        time_zone: form.time_zone.clone(),
    };
    match identity::set_preferences(&state.store, &session.user, &input).await {
        // Agents' `/` is their queues: they come back to the account page they saved on.
        Ok(_) if session.user.role == madoguchi_core::Role::Agent => {
            Redirect::to("/profile?saved=1").into_response()
        }
        Ok(_) => Redirect::to("/?saved=1").into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let message = invalid
                .0
                .iter()
                .map(|e| i18n::problem(locale, &e.problem))
                .collect::<Vec<_>>()
                .join(" ");
            match identity::profile(&state.store, &session.user).await {
                Ok(mut profile) => {
                    // Show what they typed, so they can correct it.
                    profile.user.time_zone = form.time_zone.unwrap_or_default();
                    let mut page = home_page(profile, &session, false, Some(message));
                    if let Some(chosen) = form.locale.filter(|l| l == "ja" || l == "en") {
                        page.chosen_locale = chosen;
                    }
                    page.notifications = crate::ui::notify::notification_rows(&state, &session)
                        .await
                        .unwrap_or_default();
                    page.tokens = TokensCard::load(&state, &session).await.unwrap_or_default();
                    (StatusCode::UNPROCESSABLE_ENTITY, render(locale, page)).into_response()
                }
                Err(e) => PageError::from_service(locale, e).into_response(),
            }
        }
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}
