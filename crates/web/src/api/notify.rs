//! Notifications over the API (SPEC §8): the caller's email choices, incoming mail from a mail
//! service, and the admins' outbox, webhooks and desk addresses.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use madoguchi_app::inbound::{InboundError, InboundOutcome, receive};
use madoguchi_app::notify::{self, NotificationsInput};
use madoguchi_app::webhooks::{self, WebhookInput};
use madoguchi_core::Role;
use madoguchi_core::notify::NoticeKind;
use madoguchi_store::{Attempt, OutboxEntry, Webhook};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::views::List;
use crate::api::{ApiQuery, ListQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::i18n;
use crate::state::AppState;

/// The kinds of email the caller gets.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsView {
    pub kinds: Vec<NotificationKindView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationKindView {
    /// `ticket_replied`, `status_changed`, `ticket_closed`, `ticket_merged`, `customer_replied`.
    pub kind: String,
    /// The kind in the caller's language.
    pub name: String,
    pub enabled: bool,
}

pub(crate) fn notifications_view(
    locale: madoguchi_core::Locale,
    kinds: Vec<(NoticeKind, bool)>,
) -> NotificationsView {
    NotificationsView {
        kinds: kinds
            .into_iter()
            .map(|(k, enabled)| NotificationKindView {
                kind: k.code().to_owned(),
                name: i18n::text(locale, &format!("notify.kind.{}", k.code())).to_owned(),
                enabled,
            })
            .collect(),
    }
}

/// Which kinds of email the caller gets.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "me",
    responses((status = 200, body = NotificationsView), (status = 401, body = Problem)))]
pub async fn get_notifications(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
) -> Result<Json<NotificationsView>, ApiError> {
    let kinds = notify::preferences(&state.store, &user).await?;
    Ok(Json(notifications_view(user.locale, kinds)))
}

/// Switches kinds of email on or off: `{kinds: [{kind, enabled}]}`; kinds not named stay.
#[utoipa::path(put, path = "/api/v1/me/notifications", tag = "me", request_body = NotificationsInput,
    responses((status = 200, body = NotificationsView), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn put_notifications(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    ApiJson(input): ApiJson<NotificationsInput>,
) -> Result<Json<NotificationsView>, ApiError> {
    let kinds = notify::set_preferences(&state.store, &user, &input).await?;
    Ok(Json(notifications_view(user.locale, kinds)))
}

/// What became of an incoming email.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboundView {
    /// `accepted`, `duplicate`, `automatic` or `refused`.
    pub outcome: String,
    /// Why it was refused: `unknown_recipient`, `forged_sender`, `token_for_another_ticket`,
    /// `ticket_closed`, `ticket_merged`, `not_allowed`, `empty`, `too_large`.
    pub reason: Option<String>,
    /// The ticket it was added to (accepted only).
    pub ticket: Option<String>,
    /// The message added (accepted only).
    pub message_id: Option<String>,
}

impl From<InboundOutcome> for InboundView {
    fn from(o: InboundOutcome) -> Self {
        let outcome = o.code().to_owned();
        match o {
            InboundOutcome::Accepted { key, message_id } => InboundView {
                outcome,
                reason: None,
                ticket: Some(key.to_string()),
                message_id: Some(message_id),
            },
            InboundOutcome::Refused { reason, .. } => InboundView {
                outcome,
                reason: Some(reason.code().to_owned()),
                ticket: None,
                message_id: None,
            },
            InboundOutcome::Duplicate | InboundOutcome::Automatic { .. } => InboundView {
                outcome,
                reason: None,
                ticket: None,
                message_id: None,
            },
        }
    }
}

/// A raw RFC 5322 message (`message/rfc822`) from a mail service, with the inbound secret as
/// Bearer token; the same as `madoguchi mail-gateway`. A refusal answers 200 with its reason
/// (the sender gets a bounce), so that the service does not deliver it again.
#[utoipa::path(post, path = "/api/v1/inbound-mail", tag = "mail",
    request_body(content = String, content_type = "message/rfc822"),
    responses((status = 200, body = InboundView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 413, body = Problem), (status = 503, body = Problem)))]
pub async fn inbound_mail(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<InboundView>, ApiError> {
    let Some(secret) = state.config.inbound_secret.as_deref() else {
        return Err(ApiError::Unauthorized(
            "inbound mail over HTTP is off: the operator sets MADOGUCHI_INBOUND_SECRET to turn it on",
        ));
    };
    if !crate::auth::bearer_is(&headers, secret) {
        return Err(ApiError::Unauthorized(
            "use `Authorization: Bearer <inbound secret>`",
        ));
    }
    if body.is_empty() {
        return Err(ApiError::Malformed(
            "the body must be one raw RFC 5322 message (Content-Type: message/rfc822)".into(),
        ));
    }
    let limits = state.inbound_limits(true);
    match receive(&state.store, &state.mailer, &limits, &body).await {
        Ok(outcome) => Ok(Json(outcome.into())),
        Err(InboundError::Malformed(why)) => Err(ApiError::Malformed(format!(
            "the body is not an email: {why}"
        ))),
        Err(InboundError::TryLater(why)) => {
            tracing::warn!(error = %why, "incoming mail: try later");
            Err(ApiError::Unavailable(
                "the message could not be stored now; deliver it again later".into(),
            ))
        }
    }
}

// ---- admins: the outbox ----

/// One outbox row: an email or a webhook delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxView {
    pub id: String,
    /// `ticket.replied`, `ticket.customer_replied`, …, `mail.bounce` or `webhook`.
    pub kind: String,
    /// `user:<id>`, `desk:<desk>`, `email:<address>` or `webhook:<id>`.
    pub recipient: String,
    /// `pending`, `sent`, `parked` or `skipped`.
    pub state: String,
    /// Why it was skipped (`switched_off`, `no_access`, `no_desk_address`, …).
    pub skipped: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The receiver's HTTP status of the last webhook attempt.
    pub response_code: Option<i64>,
    /// The ticket it is about, when it is about one.
    pub ticket: Option<String>,
    pub created_at: String,
    pub next_attempt_at: String,
    pub sent_at: Option<String>,
    pub parked_at: Option<String>,
}

impl From<OutboxEntry> for OutboxView {
    fn from(e: OutboxEntry) -> Self {
        let ticket = e
            .payload
            .get("key")
            .or_else(|| e.payload.pointer("/body/data/key"))
            .and_then(|k| k.as_str())
            .map(str::to_owned);
        OutboxView {
            id: e.id.to_string(),
            state: e.state().to_owned(),
            kind: e.kind,
            recipient: e.recipient,
            skipped: e.skipped,
            attempts: e.attempts,
            last_error: e.last_error,
            response_code: e.last_status,
            ticket,
            created_at: e.created_at.to_string(),
            next_attempt_at: e.next_attempt_at.to_string(),
            sent_at: e.sent_at.map(|t| t.to_string()),
            parked_at: e.parked_at.map(|t| t.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `parked` (default), `pending`, `sent`, `skipped` or `all`.
    pub state: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The outbox, newest first: by default the parked emails and deliveries, with their errors.
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin", params(OutboxQuery),
    responses((status = 200, body = List<OutboxView>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn outbox(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    query: ApiQuery<OutboxQuery>,
) -> Result<Json<List<OutboxView>>, ApiError> {
    let q = &query.0.0;
    let page = ListQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
        ..Default::default()
    }
    .page()?;
    let rows = notify::outbox(&state.store, &actor, q.state.as_deref(), &page).await?;
    Ok(Json(List::from_page(rows, OutboxView::from)))
}

/// Sends a parked (or failing) row again now, with a fresh count of attempts.
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = OutboxView), (status = 404, body = Problem)))]
pub async fn retry(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<OutboxView>, ApiError> {
    Ok(Json(notify::retry(&state.store, &actor, &id).await?.into()))
}

// ---- admins: webhooks ----

/// A webhook subscription. `secret` (`whsec_…`) is only in the answer that created it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub active: bool,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

fn webhook_view(w: Webhook, with_secret: bool) -> WebhookView {
    WebhookView {
        id: w.id,
        url: w.url,
        event_types: w.event_types,
        active: w.active,
        created_at: w.created_at.to_string(),
        secret: with_secret.then_some(w.secret),
    }
}

#[utoipa::path(get, path = "/api/v1/admin/webhooks", tag = "admin",
    responses((status = 200, body = List<WebhookView>), (status = 404, body = Problem)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<List<WebhookView>>, ApiError> {
    let hooks = webhooks::list(&state.store, &actor).await?;
    Ok(Json(List::all(
        hooks.into_iter().map(|w| webhook_view(w, false)).collect(),
    )))
}

/// Subscribes a URL to event types; the answer shows the signing secret, once.
#[utoipa::path(post, path = "/api/v1/admin/webhooks", tag = "admin", request_body = WebhookInput,
    responses((status = 201, body = WebhookView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<WebhookInput>,
) -> Result<(StatusCode, Json<WebhookView>), ApiError> {
    let hook = webhooks::create(&state.store, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(webhook_view(hook, true))))
}

#[utoipa::path(get, path = "/api/v1/admin/webhooks/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = WebhookView), (status = 404, body = Problem)))]
pub async fn get_webhook(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<WebhookView>, ApiError> {
    Ok(Json(webhook_view(
        webhooks::get(&state.store, &actor, &id).await?,
        false,
    )))
}

#[utoipa::path(patch, path = "/api/v1/admin/webhooks/{id}", tag = "admin", params(("id" = String, Path)),
    request_body = WebhookInput,
    responses((status = 200, body = WebhookView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_webhook(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<WebhookInput>,
) -> Result<Json<WebhookView>, ApiError> {
    Ok(Json(webhook_view(
        webhooks::update(&state.store, &actor, &id, &input).await?,
        false,
    )))
}

#[utoipa::path(delete, path = "/api/v1/admin/webhooks/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    webhooks::delete(&state.store, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One delivery of a webhook, with every attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: String,
    /// The `webhook-id` header: the same for every attempt and every replay of one message.
    pub webhook_id: String,
    /// The event code.
    pub event_type: String,
    /// `pending`, `sent`, `parked` or `skipped`.
    pub status: String,
    /// The receiver's HTTP status of the last attempt.
    pub response_code: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub attempt_log: Vec<AttemptView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    pub at: String,
    pub ok: bool,
    pub response_code: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<String>,
}

impl From<Attempt> for AttemptView {
    fn from(a: Attempt) -> Self {
        AttemptView {
            at: a.at.to_string(),
            ok: a.ok,
            response_code: a.status_code,
            duration_ms: a.duration_ms,
            error: a.error,
        }
    }
}

fn delivery_view(e: OutboxEntry, attempts: Vec<Attempt>) -> DeliveryView {
    DeliveryView {
        id: e.id.to_string(),
        webhook_id: e
            .payload
            .get("webhook_id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned(),
        event_type: e
            .payload
            .pointer("/body/type")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned(),
        status: e.state().to_owned(),
        response_code: e.last_status,
        attempts: e.attempts,
        last_error: e.last_error.clone(),
        created_at: e.created_at.to_string(),
        sent_at: e.sent_at.map(|t| t.to_string()),
        attempt_log: attempts.into_iter().map(AttemptView::from).collect(),
    }
}

/// The deliveries of a subscription, newest first, each with its attempts (status, response
/// code, duration).
#[utoipa::path(get, path = "/api/v1/admin/webhooks/{id}/deliveries", tag = "admin",
    params(("id" = String, Path), ListQuery),
    responses((status = 200, body = List<DeliveryView>), (status = 404, body = Problem)))]
pub async fn deliveries(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    query: ApiQuery<ListQuery>,
) -> Result<Json<List<DeliveryView>>, ApiError> {
    let page = webhooks::deliveries(&state.store, &actor, &id, &query.0.0.page()?).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for e in page.items {
        let attempts = notify::attempts(&state.store, &actor, e.id).await?;
        items.push(delivery_view(e, attempts));
    }
    Ok(Json(List {
        items,
        next_cursor: page.next_cursor.map(|c| c.as_str()),
    }))
}

/// Sends one delivery again, as a new delivery with the same `webhook-id`.
#[utoipa::path(post, path = "/api/v1/admin/webhooks/{id}/deliveries/{delivery}/replay", tag = "admin",
    params(("id" = String, Path), ("delivery" = String, Path)),
    responses((status = 202, body = DeliveryView), (status = 404, body = Problem)))]
pub async fn replay(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<(StatusCode, Json<DeliveryView>), ApiError> {
    let e = webhooks::replay(&state.store, &actor, &id, &delivery).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery_view(e, Vec::new()))))
}

// ---- admins: desk addresses ----

/// A desk's shared address for new tickets and customer replies.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeskAddress {
    /// `general` or `premium` (ignored in a PUT body: the path names the desk).
    #[serde(default)]
    pub desk: String,
    /// `null` (or empty) for none.
    pub email: Option<String>,
}

/// Sets a desk's address.
#[utoipa::path(put, path = "/api/v1/admin/desks/{desk}/email", tag = "admin", params(("desk" = String, Path)),
    request_body = DeskAddress,
    responses((status = 200, body = DeskAddress), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_desk_email(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(desk): Path<String>,
    ApiJson(input): ApiJson<DeskAddress>,
) -> Result<Json<DeskAddress>, ApiError> {
    if actor.role != Role::Admin {
        return Err(ApiError::NotFound);
    }
    let desk = madoguchi_core::Desk::parse(&desk).map_err(|_| ApiError::NotFound)?;
    let email =
        madoguchi_app::notify::set_desk_email(&state.store, &actor, desk, input.email.as_deref())
            .await?;
    Ok(Json(DeskAddress {
        desk: desk.code().to_owned(),
        email,
    }))
}

/// A desk's address.
#[utoipa::path(get, path = "/api/v1/admin/desks/{desk}/email", tag = "admin", params(("desk" = String, Path)),
    responses((status = 200, body = DeskAddress), (status = 404, body = Problem)))]
pub async fn get_desk_email(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(desk): Path<String>,
) -> Result<Json<DeskAddress>, ApiError> {
    if actor.role != Role::Admin {
        return Err(ApiError::NotFound);
    }
    let desk = madoguchi_core::Desk::parse(&desk).map_err(|_| ApiError::NotFound)?;
    Ok(Json(DeskAddress {
        desk: desk.code().to_owned(),
        email: state
            .store
            .desk_email(desk)
            .await
            .map_err(madoguchi_app::ServiceError::from)?,
    }))
}
