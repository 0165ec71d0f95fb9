//! Notification pages: the user's email choices (on the profile page), and the admins' mail
//! page (desk addresses, parked emails with their errors and a retry) and webhooks page
//! (subscriptions, the secret shown once, deliveries with their attempts and a replay).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::ServiceError;
use madoguchi_app::notify::{self, NotificationChoice, NotificationsInput};
use madoguchi_app::webhooks::{self, WebhookInput};
use madoguchi_core::event::WEBHOOK_EVENT_TYPES;
use madoguchi_core::{Desk, Locale};
use madoguchi_store::{OutboxEntry, PageRequest, Session};
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::{Nav, format_time, render, unless_admin};

/// One kind of email on the profile page.
pub(crate) struct NotificationRow {
    pub code: String,
    pub name: String,
    pub hint: String,
    pub enabled: bool,
}

/// The rows of the profile page's email section.
pub(crate) async fn notification_rows(
    state: &AppState,
    session: &Session,
) -> Result<Vec<NotificationRow>, ServiceError> {
    let locale = session.user.locale;
    Ok(notify::preferences(&state.store, &session.user)
        .await?
        .into_iter()
        .map(|(k, enabled)| NotificationRow {
            code: k.code().to_owned(),
            name: i18n::text(locale, &format!("notify.kind.{}", k.code())).to_owned(),
            hint: i18n::text(locale, &format!("notify.hint.{}", k.code())).to_owned(),
            enabled,
        })
        .collect())
}

fn csrf_error(locale: Locale) -> Response {
    PageError {
        status: StatusCode::FORBIDDEN,
        locale,
        message_key: "error.csrf",
    }
    .into_response()
}

/// `POST /profile/notifications`: each kind's checkbox is `kind_<code>`; an unticked box is
/// absent, so every kind the user may receive is set from the form.
pub async fn save_notifications(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(
        &session,
        form.get("csrf").map(String::as_str).unwrap_or_default(),
    ) {
        return csrf_error(locale);
    }
    let kinds = madoguchi_core::notify::NoticeKind::for_role(session.user.role)
        .iter()
        .map(|k| NotificationChoice {
            kind: k.code().to_owned(),
            enabled: form.contains_key(&format!("kind_{}", k.code())),
        })
        .collect();
    match notify::set_preferences(&state.store, &session.user, &NotificationsInput { kinds }).await
    {
        Ok(_) => Redirect::to("/profile?notifications=1").into_response(),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

// ---- the admins' mail page ----

pub(crate) struct OutboxRow {
    id: String,
    kind: String,
    recipient: String,
    ticket: String,
    attempts: i64,
    error: String,
    at: String,
}

fn outbox_row(session: &Session, e: &OutboxEntry) -> OutboxRow {
    let locale = session.user.locale;
    let kind = if e.kind == "webhook" {
        i18n::text(locale, "notify.kind_webhook").to_owned()
    } else if e.kind == "mail.bounce" {
        i18n::text(locale, "notify.kind_bounce").to_owned()
    } else {
        madoguchi_core::notify::NoticeKind::from_outbox_kind(&e.kind)
            .map(|k| i18n::text(locale, &format!("notify.kind.{}", k.code())).to_owned())
            .unwrap_or_else(|| e.kind.clone())
    };
    OutboxRow {
        id: e.id.to_string(),
        kind,
        recipient: e.recipient.clone(),
        ticket: e
            .payload
            .get("key")
            .or_else(|| e.payload.pointer("/body/data/key"))
            .and_then(|k| k.as_str())
            .unwrap_or_default()
            .to_owned(),
        attempts: e.attempts,
        error: e
            .skipped
            .clone()
            .or_else(|| e.last_error.clone())
            .unwrap_or_default(),
        at: format_time(
            &session.user,
            e.parked_at.or(e.sent_at).unwrap_or(e.created_at),
        ),
    }
}

pub(crate) struct DeskRow {
    code: String,
    name: String,
    email: String,
}

#[derive(Template)]
#[template(path = "admin_mail.html")]
struct MailPage {
    w: Words,
    nav: Nav,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    desks: Vec<DeskRow>,
    parked: Vec<OutboxRow>,
    recent: Vec<OutboxRow>,
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
}

async fn mail_page(
    state: &AppState,
    session: &Session,
    notice: Option<String>,
    error: Option<String>,
) -> Result<MailPage, ServiceError> {
    let w = Words(session.user.locale);
    let mut desks = Vec::new();
    for desk in Desk::ALL {
        desks.push(DeskRow {
            code: desk.code().to_owned(),
            name: w.t(&format!("desk.{}", desk.code())).to_owned(),
            email: state.store.desk_email(*desk).await?.unwrap_or_default(),
        });
    }
    let page = PageRequest::new(Some(50), None).unwrap_or_default();
    let parked = notify::outbox(&state.store, &session.user, Some("parked"), &page).await?;
    let recent = notify::outbox(&state.store, &session.user, Some("all"), &page).await?;
    Ok(MailPage {
        w,
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        notice,
        error,
        desks,
        parked: parked
            .items
            .iter()
            .map(|e| outbox_row(session, e))
            .collect(),
        recent: recent
            .items
            .iter()
            .map(|e| outbox_row(session, e))
            .collect(),
    })
}

/// `GET /admin/mail`.
pub async fn mail(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<NoticeQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    let notice = q.done.as_deref().map(|d| match d {
        "retry" => i18n::text(locale, "notify.retried").to_owned(),
        _ => i18n::text(locale, "notify.saved").to_owned(),
    });
    match mail_page(&state, &session, notice, None).await {
        Ok(page) => render(locale, page),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /admin/mail/{id}/retry`.
pub async fn retry(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_error(locale);
    }
    match notify::retry(&state.store, &session.user, &id).await {
        Ok(_) => Redirect::to("/admin/mail?done=retry").into_response(),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct DeskForm {
    csrf: String,
    desk: String,
    email: Option<String>,
}

/// `POST /admin/mail/desks`: a desk's address; a bad one shows the page again with the error.
pub async fn save_desk(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<DeskForm>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_error(locale);
    }
    let Ok(desk) = Desk::parse(&form.desk) else {
        return PageError::from_service(locale, ServiceError::NotFound).into_response();
    };
    match notify::set_desk_email(&state.store, &session.user, desk, form.email.as_deref()).await {
        Ok(_) => Redirect::to("/admin/mail?done=desk").into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let message = invalid
                .0
                .iter()
                .map(|e| i18n::problem(locale, &e.problem))
                .collect::<Vec<_>>()
                .join(" ");
            let error = format!(
                "{}: {message}",
                i18n::text(locale, &format!("desk.{}", desk.code()))
            );
            match mail_page(&state, &session, None, Some(error)).await {
                Ok(page) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, render(locale, page)).into_response()
                }
                Err(e) => PageError::from_service(locale, e).into_response(),
            }
        }
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

// ---- the admins' webhooks page ----

pub(crate) struct WebhookRow {
    id: String,
    url: String,
    event_types: String,
    active: bool,
}

pub(crate) struct TypeChoice {
    code: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "admin_webhooks.html")]
struct WebhooksPage {
    w: Words,
    nav: Nav,
    csrf: String,
    hooks: Vec<WebhookRow>,
    types: Vec<TypeChoice>,
    url: String,
    /// The secret of the subscription just created: shown this once.
    secret: Option<String>,
    errors: Vec<String>,
    /// A subscription was just deleted.
    deleted: bool,
}

async fn webhooks_page(
    state: &AppState,
    session: &Session,
    secret: Option<String>,
    url: String,
    checked: Vec<String>,
    errors: Vec<String>,
) -> Result<WebhooksPage, ServiceError> {
    let hooks = webhooks::list(&state.store, &session.user).await?;
    Ok(WebhooksPage {
        w: Words(session.user.locale),
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        hooks: hooks
            .into_iter()
            .map(|h| WebhookRow {
                id: h.id,
                url: h.url,
                event_types: h.event_types.join(", "),
                active: h.active,
            })
            .collect(),
        types: WEBHOOK_EVENT_TYPES
            .iter()
            .map(|t| TypeChoice {
                code: (*t).to_owned(),
                checked: checked.iter().any(|c| c == t),
            })
            .collect(),
        url,
        secret,
        errors,
        deleted: false,
    })
}

/// `GET /admin/webhooks`.
pub async fn webhooks_list(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<NoticeQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    match webhooks_page(
        &state,
        &session,
        None,
        String::new(),
        Vec::new(),
        Vec::new(),
    )
    .await
    {
        Ok(page) => render(
            locale,
            WebhooksPage {
                deleted: q.done.as_deref() == Some("deleted"),
                ..page
            },
        ),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

/// `POST /admin/webhooks`: `url` and one `type_<code>` checkbox per event type.
pub async fn webhooks_create(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(
        &session,
        form.get("csrf").map(String::as_str).unwrap_or_default(),
    ) {
        return csrf_error(locale);
    }
    let url = form.get("url").cloned().unwrap_or_default();
    let types: Vec<String> = WEBHOOK_EVENT_TYPES
        .iter()
        .filter(|t| form.contains_key(&format!("type_{t}")))
        .map(|t| (*t).to_owned())
        .collect();
    let input = WebhookInput {
        url: Some(url.clone()),
        event_types: Some(types.clone()),
        active: None,
    };
    let (status, page) = match webhooks::create(&state.store, &session.user, &input).await {
        Ok(hook) => (
            StatusCode::CREATED,
            webhooks_page(
                &state,
                &session,
                Some(hook.secret),
                String::new(),
                Vec::new(),
                Vec::new(),
            )
            .await,
        ),
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .iter()
                .map(|e| {
                    let field = if e.field == "url" {
                        "notify.webhook_url"
                    } else {
                        "notify.webhook_types"
                    };
                    format!(
                        "{}: {}",
                        i18n::text(locale, field),
                        i18n::problem(locale, &e.problem)
                    )
                })
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                webhooks_page(&state, &session, None, url, types, errors).await,
            )
        }
        Err(e) => return PageError::from_service(locale, e).into_response(),
    };
    match page {
        Ok(page) => (status, render(locale, page)).into_response(),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

pub(crate) struct DeliveryRow {
    id: String,
    event_type: String,
    state: String,
    response_code: String,
    attempts: i64,
    duration: String,
    error: String,
    at: String,
}

#[derive(Template)]
#[template(path = "admin_webhook.html")]
struct WebhookPage {
    w: Words,
    nav: Nav,
    csrf: String,
    id: String,
    url: String,
    event_types: String,
    active: bool,
    /// What was just done: `replay`, `paused` or `resumed`.
    notice: Option<String>,
    deliveries: Vec<DeliveryRow>,
}

#[derive(Template)]
#[template(path = "admin_webhook_delete.html")]
struct WebhookDeletePage {
    w: Words,
    nav: Nav,
    csrf: String,
    id: String,
    url: String,
}

/// `GET /admin/webhooks/{id}`: its deliveries, newest first.
pub async fn webhook_show(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    let result = async {
        let hook = webhooks::get(&state.store, &session.user, &id).await?;
        let page = PageRequest::new(Some(100), None).unwrap_or_default();
        let deliveries = webhooks::deliveries(&state.store, &session.user, &id, &page).await?;
        let mut rows = Vec::new();
        for d in deliveries.items {
            let attempts = notify::attempts(&state.store, &session.user, d.id).await?;
            let last = attempts.last();
            rows.push(DeliveryRow {
                id: d.id.to_string(),
                event_type: d
                    .payload
                    .pointer("/body/type")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                state: i18n::text(locale, &format!("notify.state.{}", d.state())).to_owned(),
                response_code: d.last_status.map(|s| s.to_string()).unwrap_or_default(),
                attempts: d.attempts,
                duration: last
                    .map(|a| format!("{} ms", a.duration_ms))
                    .unwrap_or_default(),
                error: d
                    .last_error
                    .clone()
                    .or(d.skipped.clone())
                    .unwrap_or_default(),
                at: format_time(&session.user, d.created_at),
            });
        }
        Ok::<_, ServiceError>(WebhookPage {
            w: Words(locale),
            nav: Nav::of(&session),
            csrf: session.csrf_token.clone(),
            id: hook.id,
            url: hook.url,
            event_types: hook.event_types.join(", "),
            active: hook.active,
            notice: q.done,
            deliveries: rows,
        })
    }
    .await;
    match result {
        Ok(page) => render(locale, page),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

/// `POST /admin/webhooks/{id}/deliveries/{delivery}/replay`.
pub async fn webhook_replay(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path((id, delivery)): Path<(String, String)>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_error(locale);
    }
    match webhooks::replay(&state.store, &session.user, &id, &delivery).await {
        Ok(_) => Redirect::to(&format!("/admin/webhooks/{id}?done=replay")).into_response(),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    csrf: String,
    active: bool,
}

/// `POST /admin/webhooks/{id}/active`: pauses (`active=false`) or resumes deliveries.
pub async fn webhook_set_active(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<ActiveForm>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_error(locale);
    }
    let input = WebhookInput {
        url: None,
        event_types: None,
        active: Some(form.active),
    };
    match webhooks::update(&state.store, &session.user, &id, &input).await {
        Ok(_) => {
            let done = if form.active { "resumed" } else { "paused" };
            Redirect::to(&format!("/admin/webhooks/{id}?done={done}")).into_response()
        }
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

/// `GET /admin/webhooks/{id}/delete`: asks, naming the URL, before deleting.
pub async fn webhook_delete_page(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    match webhooks::get(&state.store, &session.user, &id).await {
        Ok(hook) => render(
            locale,
            WebhookDeletePage {
                w: Words(locale),
                nav: Nav::of(&session),
                csrf: session.csrf_token.clone(),
                id: hook.id,
                url: hook.url,
            },
        ),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

/// `POST /admin/webhooks/{id}/delete`: the subscription and its pending deliveries go.
pub async fn webhook_delete(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_error(locale);
    }
    match webhooks::delete(&state.store, &session.user, &id).await {
        Ok(()) => Redirect::to("/admin/webhooks?done=deleted").into_response(),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}
