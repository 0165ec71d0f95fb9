//! The HTML pages. Each handler extracts, calls one service, and renders a template; the core
//! flows work without JavaScript.

mod audit;
mod callbacks;
mod canned_replies;
mod catalog;
mod console;
mod console_users;
pub(crate) mod home;
mod import;
mod knowledge;
pub(crate) mod login;
mod merge;
mod multipart_form;
pub(crate) mod notify;
mod organization;
mod permissions;
pub(crate) mod queues;
mod reports;
mod satisfaction;
pub(crate) mod sla;
mod sla_console;
mod synonyms;
mod ticket_page;
mod tickets;
mod tokens;

use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use madoguchi_core::Locale;

use crate::error::PageError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/profile", get(home::profile))
        .route("/queues", get(queues::first))
        .route("/queues/{desk}", get(queues::page))
        .route("/queues/{desk}/take", post(queues::take))
        .route("/queues/{desk}/bulk", post(queues::bulk))
        .route("/preferences", axum::routing::post(home::save_preferences))
        .route("/profile/notifications", post(notify::save_notifications))
        .route("/admin", get(console::home))
        .merge(console_users::router())
        .merge(tokens::router())
        .route(
            "/admin/organizations",
            get(console::organizations).post(console::create_organization),
        )
        .route(
            "/admin/organizations/{id}",
            get(console::organization).post(console::rename_organization),
        )
        .route(
            "/admin/organizations/{id}/delete",
            get(console::confirm_delete_organization).post(console::delete_organization),
        )
        .route(
            "/admin/organizations/{id}/tenants",
            post(console::add_tenant),
        )
        .route(
            "/admin/organizations/{id}/contracts",
            post(console::add_contract),
        )
        .route("/admin/organizations/{id}/users", post(console::add_user))
        .route("/admin/contracts/{id}/plan", post(console::change_plan))
        .route(
            "/admin/contracts/{id}/delete",
            get(console::confirm_delete_contract).post(console::delete_contract),
        )
        .route(
            "/admin/tenants/{id}/delete",
            get(console::confirm_delete_tenant).post(console::delete_tenant),
        )
        .route(
            "/admin/users/{id}/delete",
            get(console::confirm_delete_user).post(console::delete_user),
        )
        .route("/admin/catalog", get(catalog::list))
        .route("/admin/catalog/types", post(catalog::create_type))
        .route("/admin/catalog/types/new", get(catalog::new_type))
        .route(
            "/admin/catalog/types/{code}",
            get(catalog::edit_type).post(catalog::update_type),
        )
        .route(
            "/admin/catalog/types/{code}/delete",
            get(catalog::confirm_delete_type).post(catalog::delete_type),
        )
        .route("/admin/catalog/menus", post(catalog::create_menu))
        .route(
            "/admin/catalog/menus/{key}",
            get(catalog::edit_menu).post(catalog::update_menu),
        )
        .route(
            "/admin/catalog/menus/{key}/delete",
            get(catalog::confirm_delete_menu).post(catalog::delete_menu),
        )
        .route("/admin/catalog/menus/{key}/items", post(catalog::add_item))
        .route(
            "/admin/catalog/menus/{key}/items/{item}",
            post(catalog::update_item),
        )
        .route(
            "/admin/catalog/menus/{key}/items/{item}/delete",
            get(catalog::confirm_delete_item).post(catalog::delete_item),
        )
        .route(
            "/admin/sla",
            get(sla_console::targets).post(sla_console::save_targets),
        )
        .route("/admin/calendar", get(sla_console::calendar))
        .route("/admin/calendar/hours", post(sla_console::save_hours))
        .route("/admin/calendar/holidays", post(sla_console::add_holiday))
        .route(
            "/admin/calendar/holidays/{date}/remove",
            post(sla_console::remove_holiday),
        )
        .route(
            "/admin/settings",
            get(sla_console::settings).post(sla_console::save_settings),
        )
        .route(
            "/admin/import",
            get(import::form)
                .post(import::upload)
                // The file, and the form's few text fields around it.
                .layer(DefaultBodyLimit::max(
                    madoguchi_app::import::FILE_MAX_BYTES + 64 * 1024,
                )),
        )
        .route("/admin/mail", get(notify::mail))
        .route("/admin/mail/desks", post(notify::save_desk))
        .route("/admin/mail/{id}/retry", post(notify::retry))
        .route(
            "/admin/webhooks",
            get(notify::webhooks_list).post(notify::webhooks_create),
        )
        .route("/admin/webhooks/{id}", get(notify::webhook_show))
        .route(
            "/admin/webhooks/{id}/active",
            post(notify::webhook_set_active),
        )
        .route(
            "/admin/webhooks/{id}/delete",
            get(notify::webhook_delete_page).post(notify::webhook_delete),
        )
        .route(
            "/admin/webhooks/{id}/deliveries/{delivery}/replay",
            post(notify::webhook_replay),
        )
        .route("/login", get(login::page).post(login::submit))
        .route("/logout", axum::routing::post(login::log_out))
        .route("/organization", get(organization::page))
        .route("/organization/users/{id}", get(organization::user))
        .route(
            "/permissions",
            get(permissions::page).post(permissions::save),
        )
        .route("/kb", get(knowledge::home))
        .route("/kb/new", get(knowledge::new_form).post(knowledge::create))
        .route("/kb/articles/{id}", get(knowledge::show))
        .route(
            "/kb/articles/{id}/edit",
            get(knowledge::edit_form).post(knowledge::update),
        )
        .route("/kb/articles/{id}/delete", post(knowledge::delete))
        .route("/kb/articles/{id}/solved", post(knowledge::solved))
        .route("/kb/{kind}", get(knowledge::by_kind))
        .route("/tickets", get(tickets::list))
        .route("/tickets/new", get(tickets::choose_category))
        .route("/tickets/new/{contract}", get(tickets::choose_type))
        .route(
            "/tickets/new/{contract}/{ticket_type}",
            get(tickets::new_ticket)
                .post(tickets::submit_ticket)
                .layer(DefaultBodyLimit::disable()),
        )
        .merge(ticket_page::router())
        .route(
            "/tickets/{key}/merge",
            get(merge::confirm).post(merge::submit),
        )
        .route("/tickets/{key}/callback-attempts", post(callbacks::record))
        .route("/tickets/{key}/satisfaction", post(satisfaction::rate))
        .route("/attachments/{id}", get(tickets::download))
        .route("/synonyms", get(synonyms::list).post(synonyms::create))
        .route("/synonyms/{id}", axum::routing::post(synonyms::update))
        .route(
            "/synonyms/{id}/delete",
            get(synonyms::confirm_delete).post(synonyms::delete),
        )
        .route(
            "/canned-replies",
            get(canned_replies::list).post(canned_replies::create),
        )
        .route("/canned-replies/new", get(canned_replies::new_form))
        .route(
            "/canned-replies/{id}/edit",
            get(canned_replies::edit_form).post(canned_replies::update),
        )
        .route(
            "/canned-replies/{id}/delete",
            get(canned_replies::confirm_delete).post(canned_replies::delete),
        )
        .route("/reports", get(reports::page))
        .route("/admin/events", get(audit::page))
        .route("/static/app.js", get(script))
        .route("/static/app.css", get(stylesheet))
}

const SCRIPT: &str = include_str!("../../static/app.js");
const STYLESHEET: &str = include_str!("../../static/app.css");

/// A digest of the stylesheet and the script, put in their URLs (`?v=`) so that a browser
/// holding the old ones from the hour they may be cached fetches the new ones after an upgrade.
pub(crate) fn assets_version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        SCRIPT.hash(&mut hasher);
        STYLESHEET.hash(&mut hasher);
        format!("{:016x}", hasher.finish())
    });
    &VERSION
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

/// What the navigation bar of every logged-in page needs.
pub(crate) struct Nav {
    pub user_id: String,
    pub user_name: String,
    pub csrf: String,
    pub may_manage_permissions: bool,
    pub is_customer: bool,
    pub is_admin: bool,
}

impl Nav {
    pub fn of(session: &madoguchi_store::Session) -> Nav {
        let role = session.user.role;
        Nav {
            user_id: session.user.id.clone(),
            user_name: session.user.name.clone(),
            csrf: session.csrf_token.clone(),
            may_manage_permissions: matches!(
                role,
                madoguchi_core::Role::CustomerAdmin | madoguchi_core::Role::Admin
            ),
            is_customer: role.is_customer(),
            is_admin: role == madoguchi_core::Role::Admin,
        }
    }
}

/// A moment in the user's time zone, as pages show it.
pub(crate) fn format_time(user: &madoguchi_core::model::User, t: jiff::Timestamp) -> String {
    t.to_zoned(madoguchi_app::tickets::time_zone(user))
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// The marks a list shows beside a ticket for what changed since the user last looked:
/// (code, words).
pub(crate) fn unseen_marks(
    w: &crate::i18n::Words,
    changes: Option<&Vec<madoguchi_core::seen::Change>>,
) -> Vec<(&'static str, String)> {
    changes
        .into_iter()
        .flatten()
        .map(|c| (c.code(), w.t(&format!("seen.{}", c.code())).to_owned()))
        .collect()
}

/// The page every non-admin gets (as for a page that does not exist), or `None` for admins.
pub(crate) fn unless_admin(session: &madoguchi_store::Session) -> Option<Response> {
    (session.user.role != madoguchi_core::Role::Admin).then(|| {
        crate::error::PageError {
            status: axum::http::StatusCode::NOT_FOUND,
            locale: session.user.locale,
            message_key: "error.not_found",
        }
        .into_response()
    })
}

/// The page a form whose CSRF token does not match gets.
pub(crate) fn csrf_failed(locale: Locale) -> Response {
    crate::error::PageError {
        status: axum::http::StatusCode::FORBIDDEN,
        locale,
        message_key: "error.csrf",
    }
    .into_response()
}

/// Renders a page, or the error page if the template fails.
pub(crate) fn render(locale: Locale, page: impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page");
            PageError::internal(locale).into_response()
        }
    }
}

/// Every path no route takes: the API answers problem+json, a person gets the friendly page
/// with the navigation (when signed in) in their language.
pub(crate) async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    uri: axum::http::Uri,
    jar: axum_extra::extract::CookieJar,
) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return crate::error::ApiError::NotFound.into_response();
    }
    let session = match jar.get(crate::auth::SESSION_COOKIE) {
        Some(cookie) => state.store.session(cookie.value()).await.ok(),
        None => None,
    };
    let locale = session
        .as_ref()
        .map(|s| s.user.locale)
        .unwrap_or_else(|| login::locale_of(&jar));
    let w = crate::i18n::Words(locale);
    let page = crate::error::ErrorPage {
        w,
        message: w.t("error.not_found").to_owned(),
        nav: session.as_ref().map(Nav::of),
    };
    (axum::http::StatusCode::NOT_FOUND, render(locale, page)).into_response()
}

/// A known path asked with a method it does not take.
pub(crate) async fn method_not_allowed(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError::MethodNotAllowed.into_response();
    }
    crate::error::PageError {
        status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
        locale: Locale::DEFAULT,
        message_key: "error.not_found",
    }
    .into_response()
}
