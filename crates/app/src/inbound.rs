//! Replies by email (SPEC §5, issue 11): one incoming message, from `madoguchi mail-gateway`
//! (an MTA's pipe) or `POST /api/v1/inbound-mail` (a mail service), becomes a reply on its
//! ticket exactly as 更新 on the page does — or is refused, logged with its reason, and
//! answered with a bounce. Never dropped in silence, never added to the wrong ticket.
//!
//! A message is matched by its signed reply address, else by the thread headers of our own
//! Message-IDs, never by its subject. It is accepted only from the address of the user the
//! match names, who must still be allowed to reply. Mail written by machines (auto-replies,
//! out-of-office, bounces, lists) is recorded and never acted on, and our own mail says
//! `Auto-Submitted`, so loops cannot start.

use madoguchi_core::notify::sender_matches;
use madoguchi_core::values::TicketKey;
use madoguchi_core::{Status, Via};
use madoguchi_mail::outgoing::{OurId, ThreadIds};
use madoguchi_mail::{Bounce, Incoming, ReplyToken};
use madoguchi_store::{InboundClaim, OutboxEntry, Store, StoreError, Viewer};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::ServiceError;
use crate::attachments::{Admitted, Upload, UploadError};
use crate::notify::{Mailer, OutboxDelivery, failed, sent};
use crate::tickets::{ReplyInput, reply};

/// Why a message was refused (logged as its code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No valid reply address and no thread header of ours: we do not know whom it is for.
    UnknownRecipient,
    /// From someone other than the user the reply address names.
    ForgedSender,
    /// The reply address and the thread headers name different tickets.
    OtherTicket,
    TicketClosed,
    TicketMerged,
    /// The user may no longer reply (permission revoked, or view only).
    NotAllowed,
    /// Nothing left once quotes and signature are cut, and no file.
    Empty,
    /// Attachments beyond the limits of the web.
    TooLarge,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::UnknownRecipient => "unknown_recipient",
            Refusal::ForgedSender => "forged_sender",
            Refusal::OtherTicket => "token_for_another_ticket",
            Refusal::TicketClosed => "ticket_closed",
            Refusal::TicketMerged => "ticket_merged",
            Refusal::NotAllowed => "not_allowed",
            Refusal::Empty => "empty",
            Refusal::TooLarge => "too_large",
        }
    }

    /// What the bounce says; anything that would tell a stranger about a ticket says nothing.
    fn bounce_key(self) -> &'static str {
        match self {
            Refusal::TicketClosed => "bounce.ticket_closed",
            Refusal::TicketMerged => "bounce.merged",
            Refusal::NotAllowed => "bounce.not_allowed",
            Refusal::Empty => "bounce.empty",
            Refusal::TooLarge => "bounce.too_large",
            Refusal::UnknownRecipient | Refusal::ForgedSender | Refusal::OtherTicket => {
                "bounce.generic"
            }
        }
    }
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundOutcome {
    /// Added to the ticket as this message.
    Accepted { key: TicketKey, message_id: String },
    /// Delivered before: nothing added again.
    Duplicate,
    /// An auto-reply or out-of-office: recorded, nothing else.
    Automatic { key: Option<TicketKey> },
    Refused {
        reason: Refusal,
        key: Option<TicketKey>,
    },
}

impl InboundOutcome {
    pub fn code(&self) -> &'static str {
        match self {
            InboundOutcome::Accepted { .. } => "accepted",
            InboundOutcome::Duplicate => "duplicate",
            InboundOutcome::Automatic { .. } => "automatic",
            InboundOutcome::Refused { .. } => "refused",
        }
    }
}

/// A message that could not be handled now.
#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    /// Not an email (sysexits 65).
    #[error("{0}")]
    Malformed(String),
    /// The database or the disk failed: deliver again later (sysexits 75).
    #[error("{0}")]
    TryLater(String),
}

impl From<StoreError> for InboundError {
    fn from(e: StoreError) -> Self {
        InboundError::TryLater(e.to_string())
    }
}

/// The limits of the web's uploads, which replies by email keep too.
#[derive(Debug, Clone)]
pub struct InboundLimits {
    pub data_dir: std::path::PathBuf,
    pub max_bytes: u64,
    pub max_count: usize,
    /// Bounce a message for an unknown recipient ourselves (the HTTP endpoint); an MTA's pipe
    /// bounces it on exit code 67 instead.
    pub bounce_unknown: bool,
}

/// What the match names: the ticket and the user the reply address (or thread) was made for.
struct Matched {
    number: u64,
    user_id: String,
}

async fn by_thread(
    store: &Store,
    mailer: &Mailer,
    incoming: &Incoming,
) -> Result<Option<Matched>, InboundError> {
    for id in &incoming.thread_ids {
        if let Some(OurId::Notice(outbox_id)) = ThreadIds::parse_ours(id, &mailer.inbound_domain) {
            let entry = match store.outbox_entry(outbox_id).await {
                Ok(e) => e,
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            };
            let user = entry.recipient.strip_prefix("user:");
            let key = entry
                .payload
                .get("key")
                .and_then(|k| k.as_str())
                .and_then(TicketKey::parse);
            if let (Some(user), Some(key)) = (user, key) {
                return Ok(Some(Matched {
                    number: key.number(),
                    user_id: user.to_owned(),
                }));
            }
        }
    }
    Ok(None)
}

/// Finds whom and which ticket a message is for: `Err` with the refusal when it cannot be.
async fn match_message(
    store: &Store,
    mailer: &Mailer,
    incoming: &Incoming,
) -> Result<Result<Matched, Refusal>, InboundError> {
    let secret = store.mail_secret().await?;
    let tokens: Vec<&str> = incoming
        .recipients
        .iter()
        .filter_map(|r| ReplyToken::from_address(r, &mailer.inbound_domain))
        .collect();
    let by_token = tokens
        .iter()
        .find_map(|t| ReplyToken::verify(secret.as_bytes(), t));
    let by_thread = by_thread(store, mailer, incoming).await?;
    Ok(match (by_token, by_thread) {
        (Some(t), Some(th)) if t.ticket_number != th.number => Err(Refusal::OtherTicket),
        (Some(t), _) => Ok(Matched {
            number: t.ticket_number,
            user_id: t.user_id,
        }),
        // A reply address of ours that does not verify is forged or damaged: the thread
        // headers alone do not rescue it.
        (None, _) if !tokens.is_empty() => Err(Refusal::UnknownRecipient),
        (None, Some(th)) => Ok(th),
        (None, None) => Err(Refusal::UnknownRecipient),
    })
}

/// Handles one raw message.
pub async fn receive(
    store: &Store,
    mailer: &Mailer,
    limits: &InboundLimits,
    raw: &[u8],
) -> Result<InboundOutcome, InboundError> {
    let incoming =
        madoguchi_mail::parse(raw).map_err(|e| InboundError::Malformed(e.to_string()))?;
    let message_id = incoming
        .message_id
        .clone()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("sha256:{}", hex::encode(Sha256::digest(raw))));
    match store
        .claim_inbound(&message_id, &incoming.from, &incoming.subject)
        .await?
    {
        InboundClaim::Duplicate => return Ok(InboundOutcome::Duplicate),
        InboundClaim::New => {}
    }
    match handle(store, mailer, limits, &incoming, &message_id).await {
        Ok(outcome) => Ok(outcome),
        Err(e) => {
            // Not handled: the next delivery of the same message starts afresh.
            store.release_inbound(&message_id).await.ok();
            Err(e)
        }
    }
}

async fn handle(
    store: &Store,
    mailer: &Mailer,
    limits: &InboundLimits,
    incoming: &Incoming,
    message_id: &str,
) -> Result<InboundOutcome, InboundError> {
    let matched = match match_message(store, mailer, incoming).await? {
        Ok(m) => m,
        Err(reason) => {
            return refuse(
                store, mailer, limits, incoming, message_id, reason, None, None,
            )
            .await;
        }
    };
    let key = TicketKey::from_number(matched.number);
    let user = match store.user(&matched.user_id).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => {
            return refuse(
                store,
                mailer,
                limits,
                incoming,
                message_id,
                Refusal::UnknownRecipient,
                None,
                None,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    // Only the person the address was made for may write through it.
    if !sender_matches(&incoming.from, &user.email) {
        return refuse(
            store,
            mailer,
            limits,
            incoming,
            message_id,
            Refusal::ForgedSender,
            None,
            None,
        )
        .await;
    }
    let ticket = match store.ticket(Viewer::of(&user), key).await {
        Ok(t) => Some(t),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    // Machines' mail is recorded, never acted on: no reopening, no notification, no bounce.
    if incoming.automatic {
        store
            .finish_inbound(
                message_id,
                ticket.as_ref().map(|t| t.id.as_str()),
                "automatic",
                Some("auto_reply"),
                None,
            )
            .await?;
        return Ok(InboundOutcome::Automatic {
            key: ticket.map(|t| t.key),
        });
    }
    let Some(ticket) = ticket else {
        return refuse(
            store,
            mailer,
            limits,
            incoming,
            message_id,
            Refusal::NotAllowed,
            Some(&user),
            Some(key),
        )
        .await;
    };
    if let Some(into) = ticket.merged_into {
        return refuse_with(
            store,
            mailer,
            incoming,
            message_id,
            Refusal::TicketMerged,
            Some(&user),
            Some(key),
            Some(ticket.id.as_str()),
            Some(into),
        )
        .await;
    }
    if ticket.status == Status::Closed {
        return refuse_with(
            store,
            mailer,
            incoming,
            message_id,
            Refusal::TicketClosed,
            Some(&user),
            Some(key),
            Some(ticket.id.as_str()),
            None,
        )
        .await;
    }
    // Files first, under the web's limits.
    if incoming.attachments.len() > limits.max_count
        || incoming
            .attachments
            .iter()
            .any(|a| a.bytes.len() as u64 > limits.max_bytes)
    {
        return refuse_with(
            store,
            mailer,
            incoming,
            message_id,
            Refusal::TooLarge,
            Some(&user),
            Some(key),
            Some(ticket.id.as_str()),
            None,
        )
        .await;
    }
    let mut ids = Vec::new();
    for file in &incoming.attachments {
        // Mail was checked above (a reply the sender may write, under the count and size
        // limits); the daily quota guards the web and the API.
        let mut upload = Upload::start(&limits.data_dir, limits.max_bytes, Admitted::unlimited())
            .await
            .map_err(upload_error)?;
        upload.chunk(&file.bytes).await.map_err(upload_error)?;
        let saved = upload
            .finish(
                store,
                &limits.data_dir,
                &user,
                &file.filename,
                &file.content_type,
            )
            .await
            .map_err(upload_error)?;
        ids.push(saved.id);
    }
    let mut body = incoming.reply.trim().to_owned();
    if body.is_empty() {
        if ids.is_empty() {
            return refuse_with(
                store,
                mailer,
                incoming,
                message_id,
                Refusal::Empty,
                Some(&user),
                Some(key),
                Some(ticket.id.as_str()),
                None,
            )
            .await;
        }
        // Files alone: the log names them, as a reply needs words.
        body = incoming
            .attachments
            .iter()
            .map(|a| format!("📎 {}", a.filename))
            .collect::<Vec<_>>()
            .join("\n");
    }
    let input = ReplyInput {
        body: Some(body),
        attachments: ids,
        internal: false,
        status: None,
        via: Via::Email,
    };
    match reply(store, &user, key, &input, limits.max_count).await {
        Ok((message, _)) => {
            store
                .finish_inbound(
                    message_id,
                    Some(ticket.id.as_str()),
                    "accepted",
                    None,
                    Some(&message.id),
                )
                .await?;
            Ok(InboundOutcome::Accepted {
                key,
                message_id: message.id,
            })
        }
        Err(ServiceError::NotFound | ServiceError::Forbidden(_)) => {
            refuse_with(
                store,
                mailer,
                incoming,
                message_id,
                Refusal::NotAllowed,
                Some(&user),
                Some(key),
                Some(ticket.id.as_str()),
                None,
            )
            .await
        }
        Err(ServiceError::MergedInto(into)) => {
            refuse_with(
                store,
                mailer,
                incoming,
                message_id,
                Refusal::TicketMerged,
                Some(&user),
                Some(key),
                Some(ticket.id.as_str()),
                Some(into),
            )
            .await
        }
        Err(ServiceError::Conflict(_)) => {
            refuse_with(
                store,
                mailer,
                incoming,
                message_id,
                Refusal::TicketClosed,
                Some(&user),
                Some(key),
                Some(ticket.id.as_str()),
                None,
            )
            .await
        }
        Err(ServiceError::Invalid(_)) => {
            refuse_with(
                store,
                mailer,
                incoming,
                message_id,
                Refusal::TooLarge,
                Some(&user),
                Some(key),
                Some(ticket.id.as_str()),
                None,
            )
            .await
        }
        Err(e) => Err(InboundError::TryLater(e.to_string())),
    }
}

fn upload_error(e: UploadError) -> InboundError {
    match e {
        UploadError::TooLarge { max } => {
            InboundError::TryLater(format!("attachment over {max} bytes"))
        }
        UploadError::Quota(e) => InboundError::TryLater(e.to_string()),
        UploadError::Service(e) => InboundError::TryLater(e.to_string()),
    }
}

#[allow(clippy::too_many_arguments)]
async fn refuse(
    store: &Store,
    mailer: &Mailer,
    limits: &InboundLimits,
    incoming: &Incoming,
    message_id: &str,
    reason: Refusal,
    user: Option<&madoguchi_core::model::User>,
    key: Option<TicketKey>,
) -> Result<InboundOutcome, InboundError> {
    if reason == Refusal::UnknownRecipient && !limits.bounce_unknown {
        // The MTA bounces it (exit code 67); we only log it.
        store
            .finish_inbound(message_id, None, "refused", Some(reason.code()), None)
            .await?;
        return Ok(InboundOutcome::Refused { reason, key: None });
    }
    refuse_with(
        store, mailer, incoming, message_id, reason, user, key, None, None,
    )
    .await
}

/// Logs the refusal and queues its bounce (never to a machine, never to ourselves).
#[allow(clippy::too_many_arguments)]
async fn refuse_with(
    store: &Store,
    mailer: &Mailer,
    incoming: &Incoming,
    message_id: &str,
    reason: Refusal,
    user: Option<&madoguchi_core::model::User>,
    key: Option<TicketKey>,
    ticket_id: Option<&str>,
    into: Option<TicketKey>,
) -> Result<InboundOutcome, InboundError> {
    tracing::info!(message_id, sender = %incoming.from, reason = reason.code(), "refused an incoming email");
    let event = store
        .finish_inbound(message_id, ticket_id, "refused", Some(reason.code()), None)
        .await?;
    let to = incoming
        .return_path
        .clone()
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| incoming.from.clone());
    let ours = to
        .rsplit_once('@')
        .is_some_and(|(_, d)| d.eq_ignore_ascii_case(&mailer.inbound_domain))
        || sender_matches(&to, &mailer.from);
    let machine = incoming.automatic
        || incoming.return_path.as_deref() == Some("")
        || to.starts_with("mailer-daemon@")
        || to.starts_with("postmaster@");
    if !ours && !machine {
        // A stranger learns nothing of tickets: the generic bounce names none.
        let tells = reason.bounce_key() != "bounce.generic";
        let link = (reason == Refusal::TicketClosed)
            .then(|| key.map(|k| format!("{}/tickets/new?follow_up_of={k}", mailer.base_url)))
            .flatten();
        let payload = json!({
            // A stranger's language is unknown: the bounce says it in Japanese and English.
            "lang": user.map(|u| u.locale.code()),
            "reason_key": reason.bounce_key(),
            "key": if tells { key.map(|k| k.to_string()) } else { None },
            "into": if tells { into.map(|k| k.to_string()) } else { None },
            "link": link,
            "original_subject": incoming.subject,
            "original_message_id": incoming.message_id,
        });
        store
            .enqueue(event, "mail.bounce", &format!("email:{to}"), payload)
            .await?;
    }
    Ok(InboundOutcome::Refused { reason, key })
}

/// Sends a queued bounce.
pub(crate) async fn send_bounce(
    _store: &Store,
    mailer: &Mailer,
    row: &OutboxEntry,
    to: &str,
) -> crate::ServiceResult<OutboxDelivery> {
    let p = &row.payload;
    let s = |f: &str| p.get(f).and_then(|v| v.as_str());
    let message_id = format!("<b{}@{}>", row.id, mailer.inbound_domain);
    let bounce = Bounce {
        lang: s("lang"),
        from: &mailer.from,
        to_email: to,
        reason_key: s("reason_key").unwrap_or("bounce.generic"),
        key: s("key"),
        into: s("into"),
        link: s("link"),
        original_subject: s("original_subject"),
        original_message_id: s("original_message_id"),
        message_id: &message_id,
    };
    let message = match madoguchi_mail::compose_bounce(&bounce) {
        Ok(m) => m,
        Err(e) => return Ok(failed(e, None)),
    };
    Ok(match mailer.transport.send(&message, &message_id).await {
        Ok(()) => sent(),
        Err(e) => failed(e, None),
    })
}
