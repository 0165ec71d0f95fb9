//! Notifications (SPEC §5, §8; issue 11): users' choices of what they hear of, and the outbox
//! worker that turns outbox rows into emails and webhook deliveries.
//!
//! Who hears of what is decided when the change is written (`core::notify::audience`, queued
//! by the store in the change's transaction). What is checked here, at sending time, is what
//! may have changed since: whether the recipient is disabled, their preferences, and whether
//! they may still see the ticket (visibility follows the live permission, SPEC §1).

use std::path::PathBuf;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use madoguchi_core::model::User;
use madoguchi_core::notify::{MAX_ATTEMPTS, NoticeKind, retry_delay_seconds};
use madoguchi_core::values::TicketKey;
use madoguchi_core::{Desk, Invalid, Problem, Role};
use madoguchi_mail::outgoing::ThreadIds;
use madoguchi_mail::{Notice, ReplyToken, Transport};
use madoguchi_store::{
    Attempt, AttemptOutcome, OutboxEntry, OutboxState, Page, PageRequest, Store, Viewer,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::{ServiceError, ServiceResult};

/// How notifications leave: set once at start from the configuration.
#[derive(Clone, Debug)]
pub struct Mailer {
    /// Our sender address.
    pub from: String,
    /// The domain of reply addresses (`reply+<token>@<inbound_domain>`) and of our Message-IDs.
    pub inbound_domain: String,
    /// Where links in emails point: `https://desk.example.com` (no trailing slash).
    pub base_url: String,
    pub transport: Transport,
    /// Webhook deliveries.
    pub http: reqwest::Client,
}

impl Mailer {
    /// `smtp_url` when given (see `Transport::smtp`), else `.eml` files in `outbox_dir`.
    pub fn new(
        from: String,
        inbound_domain: Option<String>,
        base_url: String,
        smtp_url: Option<&str>,
        outbox_dir: PathBuf,
    ) -> ServiceResult<Mailer> {
        // rustls needs one process-wide crypto provider for HTTPS webhooks; a second install
        // (another Mailer in the same process) is refused harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let transport = match smtp_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => Transport::smtp(url).map_err(|e| ServiceError::Internal(e.to_string()))?,
            None => Transport::Files(outbox_dir),
        };
        let inbound_domain = inbound_domain
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| {
                from.rsplit_once('@')
                    .map(|(_, d)| d.to_owned())
                    .unwrap_or_else(|| "localhost".into())
            });
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ServiceError::Internal(format!("webhook client: {e}")))?;
        Ok(Mailer {
            from,
            inbound_domain,
            base_url: base_url.trim_end_matches('/').to_owned(),
            transport,
            http,
        })
    }

    fn ticket_link(&self, key: &str) -> String {
        format!("{}/tickets/{key}", self.base_url)
    }
}

// ---- preferences ----

/// One kind of email and whether the user gets it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct NotificationChoice {
    /// `ticket_replied`, `status_changed`, `ticket_closed`, `ticket_merged`, `customer_replied`.
    pub kind: String,
    pub enabled: bool,
}

/// `PUT /api/v1/me/notifications`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NotificationsInput {
    /// The kinds to change; kinds not named keep their setting.
    #[serde(default)]
    pub kinds: Vec<NotificationChoice>,
}

/// The kinds of email `user` may receive, each on or off.
pub async fn preferences(store: &Store, user: &User) -> ServiceResult<Vec<(NoticeKind, bool)>> {
    let off = store.notifications_off(&user.id).await?;
    Ok(NoticeKind::for_role(user.role)
        .iter()
        .map(|k| (*k, !off.contains(k)))
        .collect())
}

/// Switches the kinds named on or off; a kind the user cannot receive is an error.
pub async fn set_preferences(
    store: &Store,
    user: &User,
    input: &NotificationsInput,
) -> ServiceResult<Vec<(NoticeKind, bool)>> {
    let mut errors = Invalid::new();
    let allowed = NoticeKind::for_role(user.role);
    let mut changes = Vec::new();
    for (i, choice) in input.kinds.iter().enumerate() {
        match NoticeKind::parse(choice.kind.trim()) {
            Ok(kind) if allowed.contains(&kind) => changes.push((kind, choice.enabled)),
            _ => errors.push(
                format!("kinds[{i}].kind"),
                Problem::NotAChoice {
                    allowed: allowed.iter().map(|k| k.code().to_owned()).collect(),
                },
            ),
        }
    }
    errors.into_result()?;
    if !changes.is_empty() {
        store.set_notifications(&user.id, &changes).await?;
    }
    preferences(store, user).await
}

// ---- the worker ----

/// How one delivery went.
pub(crate) enum Delivery {
    Sent {
        status: Option<i64>,
    },
    /// Nothing to send, for good: the reason is kept on the row.
    Skip(&'static str),
    Failed {
        error: String,
        status: Option<i64>,
    },
}

/// What one round of the worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub skipped: usize,
    pub failed: usize,
    pub parked: usize,
}

/// How long a claim lasts: longer than a round of ten slow deliveries (SMTP gives up after
/// 30 s, webhooks after 10 s), so that a live worker never loses its rows to another.
pub const LEASE: SignedDuration = SignedDuration::from_mins(10);
const BATCH: i64 = 10;

/// One round of the worker: fans new events out to webhooks, then claims the due rows and
/// delivers each. Idempotent and claimable: several instances may run it at once.
pub async fn run_outbox(store: &Store, mailer: &Mailer, now: Timestamp) -> ServiceResult<Round> {
    store.fan_out_webhooks(500).await?;
    let mut round = Round::default();
    loop {
        let rows = store.claim_outbox(now, LEASE, BATCH).await?;
        if rows.is_empty() {
            return Ok(round);
        }
        for row in rows {
            deliver_one(store, mailer, &row, now, &mut round).await?;
        }
    }
}

/// Claims due rows (as `run_outbox` does) and stops: what a worker that dies before sending
/// leaves behind. Tests use it to stand for a crash.
pub async fn claim_only(store: &Store, now: Timestamp) -> ServiceResult<usize> {
    Ok(store.claim_outbox(now, LEASE, BATCH).await?.len())
}

async fn deliver_one(
    store: &Store,
    mailer: &Mailer,
    row: &OutboxEntry,
    now: Timestamp,
    round: &mut Round,
) -> ServiceResult<()> {
    let started = Instant::now();
    let delivery = match deliver(store, mailer, row).await {
        Ok(d) => d,
        Err(e) => Delivery::Failed {
            error: e.to_string(),
            status: None,
        },
    };
    let duration_ms = started.elapsed().as_millis() as i64;
    let attempt = |ok, status_code, error| Attempt {
        at: now,
        ok,
        status_code,
        duration_ms,
        error,
    };
    match delivery {
        Delivery::Sent { status } => {
            store
                .finish_attempt(row.id, &attempt(true, status, None), AttemptOutcome::Sent)
                .await?;
            round.sent += 1;
        }
        Delivery::Skip(reason) => {
            store.skip_outbox(row.id, reason).await?;
            round.skipped += 1;
        }
        Delivery::Failed { error, status } => {
            let attempts = row.attempts as u32 + 1;
            let outcome = if attempts >= MAX_ATTEMPTS {
                round.parked += 1;
                tracing::warn!(outbox = row.id, error = %error, "parked after {attempts} attempts");
                AttemptOutcome::Park
            } else {
                round.failed += 1;
                AttemptOutcome::RetryAt(
                    now + SignedDuration::from_secs(retry_delay_seconds(attempts)),
                )
            };
            store
                .finish_attempt(row.id, &attempt(false, status, Some(error)), outcome)
                .await?;
        }
    }
    Ok(())
}

fn text<'a>(payload: &'a Value, field: &str) -> Option<&'a str> {
    payload.get(field).and_then(Value::as_str)
}

async fn deliver(store: &Store, mailer: &Mailer, row: &OutboxEntry) -> ServiceResult<Delivery> {
    let (what, id) = row.recipient.split_once(':').unwrap_or(("", ""));
    match what {
        "user" => notify_user(store, mailer, row, id).await,
        "desk" => notify_desk(store, mailer, row, id).await,
        "email" => crate::inbound::send_bounce(store, mailer, row, id).await,
        "webhook" => crate::webhooks::deliver(store, mailer, row, id).await,
        _ => Ok(Delivery::Skip("unknown_recipient")),
    }
}

pub(crate) fn sent() -> Delivery {
    Delivery::Sent { status: None }
}

pub(crate) fn failed(error: impl std::fmt::Display, status: Option<i64>) -> Delivery {
    Delivery::Failed {
        error: error.to_string(),
        status,
    }
}

pub(crate) fn skip(reason: &'static str) -> Delivery {
    Delivery::Skip(reason)
}

pub(crate) use Delivery as OutboxDelivery;

/// The text of a public message for full-text emails: read from the public response log only,
/// so that an internal note can never be its source.
async fn public_text(
    store: &Store,
    ticket_id: &str,
    message_id: Option<&str>,
) -> ServiceResult<Option<String>> {
    let Some(message_id) = message_id else {
        return Ok(None);
    };
    let messages = store.messages(ticket_id, false).await?;
    Ok(messages
        .into_iter()
        .find(|m| m.id == message_id && !m.internal)
        .map(|m| m.body))
}

async fn notify_user(
    store: &Store,
    mailer: &Mailer,
    row: &OutboxEntry,
    user_id: &str,
) -> ServiceResult<Delivery> {
    let Some(kind) = NoticeKind::from_outbox_kind(&row.kind) else {
        return Ok(skip("unknown_kind"));
    };
    let user = match store.user(user_id).await {
        Ok(u) => u,
        Err(madoguchi_store::StoreError::NotFound) => return Ok(skip("no_such_user")),
        Err(e) => return Err(e.into()),
    };
    // A disabled user hears nothing while they are disabled, whenever the notice was queued.
    if user.disabled_at.is_some() {
        return Ok(skip("disabled"));
    }
    if store.notifications_off(&user.id).await?.contains(&kind) {
        return Ok(skip("switched_off"));
    }
    let Some(key) = text(&row.payload, "key").and_then(TicketKey::parse) else {
        return Ok(skip("no_ticket"));
    };
    // The recipient must still see the ticket: a revoked permission stops the emails at once.
    let ticket = match store.ticket(Viewer::of(&user), key).await {
        Ok(t) => t,
        Err(madoguchi_store::StoreError::NotFound) => return Ok(skip("no_access")),
        Err(e) => return Err(e.into()),
    };
    let full_text = store.settings().await?.full_text_emails;
    let body = if full_text {
        public_text(store, &ticket.id, text(&row.payload, "message_id")).await?
    } else {
        None
    };
    let secret = store.mail_secret().await?;
    let reply_to = ReplyToken::address(
        secret.as_bytes(),
        ticket.key.number(),
        &user.id,
        &mailer.inbound_domain,
    );
    let thread = ThreadIds::new(row.id, &key.to_string(), &ticket.id, &mailer.inbound_domain);
    let link = mailer.ticket_link(&key.to_string());
    let key_text = key.to_string();
    let status = text(&row.payload, "status");
    let notice = Notice {
        lang: user.locale.code(),
        kind: kind.code(),
        from: &mailer.from,
        to_name: &user.name,
        to_email: &user.email,
        desk: None,
        key: &key_text,
        summary: &ticket.summary,
        status,
        into: text(&row.payload, "into"),
        auto_closed: text(&row.payload, "reason").is_some(),
        link: &link,
        message_text: body.as_deref(),
        reply_to: Some(&reply_to),
        thread: &thread,
    };
    send(mailer, &notice, &thread).await
}

async fn notify_desk(
    store: &Store,
    mailer: &Mailer,
    row: &OutboxEntry,
    desk: &str,
) -> ServiceResult<Delivery> {
    let Some(kind) = NoticeKind::from_outbox_kind(&row.kind) else {
        return Ok(skip("unknown_kind"));
    };
    let Ok(desk) = Desk::parse(desk) else {
        return Ok(skip("unknown_desk"));
    };
    let Some(address) = store.desk_email(desk).await? else {
        return Ok(skip("no_desk_address"));
    };
    let Some(key) = text(&row.payload, "key").and_then(TicketKey::parse) else {
        return Ok(skip("no_ticket"));
    };
    let ticket = match store.ticket(Viewer::Admin, key).await {
        Ok(t) => t,
        Err(madoguchi_store::StoreError::NotFound) => return Ok(skip("no_ticket")),
        Err(e) => return Err(e.into()),
    };
    let full_text = store.settings().await?.full_text_emails;
    let body = if full_text {
        public_text(store, &ticket.id, text(&row.payload, "message_id")).await?
    } else {
        None
    };
    let thread = ThreadIds::new(row.id, &key.to_string(), &ticket.id, &mailer.inbound_domain);
    let link = mailer.ticket_link(&key.to_string());
    let key_text = key.to_string();
    let desk_name = madoguchi_mail::word("ja", &format!("desk.{}", desk.code()), &[]);
    let notice = Notice {
        lang: "ja",
        kind: kind.code(),
        from: &mailer.from,
        to_name: &desk_name,
        to_email: &address,
        desk: Some(desk.code()),
        key: &key_text,
        summary: &ticket.summary,
        status: text(&row.payload, "status"),
        into: None,
        auto_closed: false,
        link: &link,
        message_text: body.as_deref(),
        // A desk address names no person: replies go through the desk's pages.
        reply_to: None,
        thread: &thread,
    };
    send(mailer, &notice, &thread).await
}

async fn send(mailer: &Mailer, notice: &Notice<'_>, thread: &ThreadIds) -> ServiceResult<Delivery> {
    let message = match madoguchi_mail::compose(notice) {
        Ok(m) => m,
        // An address the transport would refuse forever: park rather than retry blindly.
        Err(e) => return Ok(failed(e, None)),
    };
    Ok(
        match mailer.transport.send(&message, &thread.message_id).await {
            Ok(()) => sent(),
            Err(e) => failed(e, None),
        },
    )
}

// ---- the admin's view ----

fn admin_only(user: &User) -> ServiceResult<()> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// `GET /api/v1/admin/outbox?state=parked|pending|sent|skipped|all`.
pub async fn outbox(
    store: &Store,
    actor: &User,
    state: Option<&str>,
    page: &PageRequest,
) -> ServiceResult<Page<OutboxEntry>> {
    admin_only(actor)?;
    let state = match state.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("parked") => OutboxState::Parked,
        Some("pending") => OutboxState::Pending,
        Some("sent") => OutboxState::Sent,
        Some("skipped") => OutboxState::Skipped,
        Some("all") => OutboxState::All,
        Some(_) => {
            return Err(ServiceError::Invalid(Invalid::one(
                "state",
                Problem::NotAChoice {
                    allowed: ["parked", "pending", "sent", "skipped", "all"]
                        .map(String::from)
                        .to_vec(),
                },
            )));
        }
    };
    Ok(store.outbox_page(state, None, page).await?)
}

/// `POST /api/v1/admin/outbox/{id}/retry`: a parked row is due again, with fresh attempts.
pub async fn retry(store: &Store, actor: &User, id: &str) -> ServiceResult<OutboxEntry> {
    admin_only(actor)?;
    let id: i64 = id.parse().map_err(|_| ServiceError::NotFound)?;
    Ok(store.retry_outbox(id).await?)
}

/// The attempts of one row (admins).
pub async fn attempts(store: &Store, actor: &User, id: i64) -> ServiceResult<Vec<Attempt>> {
    admin_only(actor)?;
    Ok(store.outbox_attempts(id).await?)
}

/// Sets (or with `None` or blank clears) a desk's address; admins only.
pub async fn set_desk_email(
    store: &Store,
    actor: &User,
    desk: Desk,
    email: Option<&str>,
) -> ServiceResult<Option<String>> {
    admin_only(actor)?;
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(
            madoguchi_core::values::Email::parse(e)
                .map_err(|p| ServiceError::Invalid(Invalid::one("email", p)))?
                .to_string(),
        ),
        None => None,
    };
    store
        .set_desk_email(Some(&actor.id), desk, email.as_deref())
        .await?;
    Ok(email)
}
