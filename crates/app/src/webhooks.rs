//! Webhooks (SPEC §8): admins subscribe a URL to event types; the outbox delivers each public
//! event signed as the Standard Webhooks specification says, retries with backoff, records
//! every attempt, and replays one on request. Internal notes never leave: only events that
//! customers may see are fanned out (see the store's `fan_out_webhooks`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use madoguchi_core::event::WEBHOOK_EVENT_TYPES;
use madoguchi_core::model::User;
use madoguchi_core::{Invalid, Problem, Role};
use madoguchi_store::{
    OutboxEntry, OutboxState, Page, PageRequest, Store, Webhook, WebhookChanges,
};
use serde::Deserialize;
use sha2::Sha256;
use utoipa::ToSchema;

use crate::notify::{Mailer, OutboxDelivery, failed, skip};
use crate::{ServiceError, ServiceResult};

/// `POST /api/v1/admin/webhooks` and `PATCH …/{id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct WebhookInput {
    /// `http://` or `https://` URL that receives the POSTs.
    pub url: Option<String>,
    /// Event codes, e.g. `ticket.created`, `message.added`, `ticket.status_changed`.
    pub event_types: Option<Vec<String>>,
    /// Off stops deliveries without deleting the subscription.
    pub active: Option<bool>,
}

fn admin_only(user: &User) -> ServiceResult<()> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

fn check_url(url: &str, errors: &mut Invalid) -> Option<String> {
    let url = url.trim();
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && reqwest::Url::parse(url).is_ok_and(|u| u.host().is_some());
    if ok && url.len() <= 2000 {
        Some(url.to_owned())
    } else {
        errors.push(
            "url",
            Problem::Conflicts {
                reason: "problem.webhook_url",
            },
        );
        None
    }
}

fn check_types(types: &[String], errors: &mut Invalid) -> Option<Vec<String>> {
    if types.is_empty() {
        errors.push("event_types", Problem::NotChosen);
        return None;
    }
    let mut out = Vec::new();
    for (i, t) in types.iter().enumerate() {
        let t = t.trim();
        if WEBHOOK_EVENT_TYPES.contains(&t) {
            if !out.iter().any(|o: &String| o == t) {
                out.push(t.to_owned());
            }
        } else {
            errors.push(
                format!("event_types[{i}]"),
                Problem::NotAChoice {
                    allowed: WEBHOOK_EVENT_TYPES.iter().map(|s| s.to_string()).collect(),
                },
            );
        }
    }
    Some(out)
}

/// A new signing secret: `whsec_` and 32 random bytes in base64 (Standard Webhooks).
fn new_secret() -> ServiceResult<String> {
    let random = madoguchi_store::random_secret()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(random)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(format!("whsec_{}", STANDARD.encode(bytes)))
}

pub async fn create(store: &Store, actor: &User, input: &WebhookInput) -> ServiceResult<Webhook> {
    admin_only(actor)?;
    let mut errors = Invalid::new();
    let url = match &input.url {
        Some(u) => check_url(u, &mut errors),
        None => {
            errors.push("url", Problem::Required);
            None
        }
    };
    let types = check_types(
        input.event_types.as_deref().unwrap_or_default(),
        &mut errors,
    );
    errors.into_result()?;
    let (Some(url), Some(types)) = (url, types) else {
        unreachable!("checked above");
    };
    let secret = new_secret()?;
    Ok(store
        .create_webhook(Some(&actor.id), &url, &types, &secret)
        .await?)
}

pub async fn list(store: &Store, actor: &User) -> ServiceResult<Vec<Webhook>> {
    admin_only(actor)?;
    Ok(store.webhooks().await?)
}

pub async fn get(store: &Store, actor: &User, id: &str) -> ServiceResult<Webhook> {
    admin_only(actor)?;
    Ok(store.webhook(id).await?)
}

pub async fn update(
    store: &Store,
    actor: &User,
    id: &str,
    input: &WebhookInput,
) -> ServiceResult<Webhook> {
    admin_only(actor)?;
    let mut errors = Invalid::new();
    let url = input.url.as_deref().and_then(|u| check_url(u, &mut errors));
    let types = input
        .event_types
        .as_deref()
        .and_then(|t| check_types(t, &mut errors));
    errors.into_result()?;
    let changes = WebhookChanges {
        url,
        event_types: types,
        active: input.active,
    };
    Ok(store.update_webhook(Some(&actor.id), id, &changes).await?)
}

pub async fn delete(store: &Store, actor: &User, id: &str) -> ServiceResult<()> {
    admin_only(actor)?;
    Ok(store.delete_webhook(Some(&actor.id), id).await?)
}

/// `GET /api/v1/admin/webhooks/{id}/deliveries`: newest first.
pub async fn deliveries(
    store: &Store,
    actor: &User,
    id: &str,
    page: &PageRequest,
) -> ServiceResult<Page<OutboxEntry>> {
    admin_only(actor)?;
    store.webhook(id).await?;
    Ok(store
        .outbox_page(OutboxState::All, Some(&format!("webhook:{id}")), page)
        .await?)
}

/// `POST /api/v1/admin/webhooks/{id}/deliveries/{delivery}/replay`: sends the same message
/// (same `webhook-id`, so the receiver can tell) again, as a new delivery.
pub async fn replay(
    store: &Store,
    actor: &User,
    id: &str,
    delivery: &str,
) -> ServiceResult<OutboxEntry> {
    admin_only(actor)?;
    let delivery: i64 = delivery.parse().map_err(|_| ServiceError::NotFound)?;
    let original = store.outbox_entry(delivery).await?;
    if original.recipient != format!("webhook:{id}") {
        return Err(ServiceError::NotFound);
    }
    let new = store
        .enqueue(
            original.event_id,
            "webhook",
            &original.recipient,
            original.payload.clone(),
        )
        .await?;
    Ok(store.outbox_entry(new).await?)
}

/// The Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` with the secret's bytes (the base64 after `whsec_`).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

pub(crate) async fn deliver(
    store: &Store,
    mailer: &Mailer,
    row: &OutboxEntry,
    hook_id: &str,
) -> ServiceResult<OutboxDelivery> {
    let hook = match store.webhook(hook_id).await {
        Ok(h) => h,
        Err(madoguchi_store::StoreError::NotFound) => return Ok(skip("webhook_deleted")),
        Err(e) => return Err(e.into()),
    };
    if !hook.active {
        return Ok(skip("webhook_inactive"));
    }
    let id = row
        .payload
        .get("webhook_id")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    let body = row
        .payload
        .get("body")
        .map(|b| b.to_string())
        .unwrap_or_default();
    let timestamp = jiff::Timestamp::now().as_second();
    let Some(signature) = sign(&hook.secret, &id, timestamp, &body) else {
        return Ok(skip("bad_secret"));
    };
    let response = mailer
        .http
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    Ok(match response {
        Ok(r) if r.status().is_success() => OutboxDelivery::Sent {
            status: Some(i64::from(r.status().as_u16())),
        },
        Ok(r) => failed(
            format!("the receiver answered {}", r.status()),
            Some(i64::from(r.status().as_u16())),
        ),
        Err(e) => failed(format!("no answer: {e}"), None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signs_as_the_specification_says() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sig = sign(
            secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
