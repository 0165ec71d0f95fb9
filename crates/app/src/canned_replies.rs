//! Canned replies (SPEC §6): agents keep their own and share others with a desk; every agent
//! of that desk may use, edit and delete the shared ones; admins manage all. Customers see
//! nothing of them: every call answers `NotFound` to a customer, as if there were none.
//!
//! A reply is filled for one ticket: `{customer_name}` (the ticket's filer), `{ticket_key}`
//! and `{agent_name}` (the caller), or their Japanese forms `{お客さま名}`, `{チケット番号}`,
//! `{担当者名}`. Filling requires that the caller may see the ticket.

use madoguchi_core::canned::{NewCannedReply, Placeholders, check_canned_reply, render as fill};
use madoguchi_core::model::User;
use madoguchi_core::{Desk, Role};
use madoguchi_store::{CannedReply, Store, Viewer};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{ServiceError, ServiceResult};

/// `POST /api/v1/canned-replies`, `PUT …/{id}`.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct CannedReplyInput {
    /// What the picker shows: one line, at most 200 characters.
    #[schema(required = true)]
    pub title: Option<String>,
    /// The text, with placeholders: `{customer_name}`, `{ticket_key}`, `{agent_name}` (or
    /// `{お客さま名}`, `{チケット番号}`, `{担当者名}`); at most 10 000 characters.
    #[schema(required = true)]
    pub body: Option<String>,
    /// `general` or `premium` to share the reply with that desk (one you belong to); absent or
    /// `null` for your own.
    pub desk: Option<String>,
}

/// The viewer for canned replies: staff only; customers find nothing.
fn staff(user: &User) -> ServiceResult<Viewer<'_>> {
    if user.role.is_customer() {
        return Err(ServiceError::NotFound);
    }
    Ok(Viewer::of(user))
}

/// The desks `user` may share a reply with: an agent's own, every desk for an admin.
async fn shareable(store: &Store, user: &User) -> ServiceResult<Vec<Desk>> {
    Ok(match user.role {
        Role::Admin => Desk::ALL.to_vec(),
        _ => store.desks_of(&user.id).await?,
    })
}

async fn checked(
    store: &Store,
    user: &User,
    input: &CannedReplyInput,
) -> ServiceResult<NewCannedReply> {
    let desks = shareable(store, user).await?;
    Ok(check_canned_reply(
        input.title.as_deref(),
        input.body.as_deref(),
        input.desk.as_deref(),
        &desks,
    )?)
}

/// Every reply the caller sees: their own, their desks' (an admin: all), personal first.
pub async fn list(store: &Store, user: &User) -> ServiceResult<Vec<CannedReply>> {
    Ok(store.canned_replies(staff(user)?).await?)
}

pub async fn get(store: &Store, user: &User, id: &str) -> ServiceResult<CannedReply> {
    Ok(store.canned_reply(staff(user)?, id).await?)
}

pub async fn create(
    store: &Store,
    user: &User,
    input: &CannedReplyInput,
) -> ServiceResult<CannedReply> {
    staff(user)?;
    let new = checked(store, user, input).await?;
    Ok(store.create_canned_reply(&user.id, &user.id, &new).await?)
}

/// Replaces a reply the caller sees. A personal reply stays its owner's (an admin may tidy
/// an agent's replies without taking them); a shared one made personal becomes the caller's.
pub async fn update(
    store: &Store,
    user: &User,
    id: &str,
    input: &CannedReplyInput,
) -> ServiceResult<CannedReply> {
    let viewer = staff(user)?;
    let existing = store.canned_reply(viewer, id).await?;
    let new = checked(store, user, input).await?;
    let owner = existing.owner_id.unwrap_or_else(|| user.id.clone());
    Ok(store
        .update_canned_reply(viewer, &user.id, id, &owner, &new)
        .await?)
}

pub async fn delete(store: &Store, user: &User, id: &str) -> ServiceResult<()> {
    Ok(store
        .delete_canned_reply(staff(user)?, &user.id, id)
        .await?)
}

/// The replies offered on a ticket of `desk`: the caller's own and that desk's.
pub async fn for_desk(store: &Store, user: &User, desk: Desk) -> ServiceResult<Vec<CannedReply>> {
    let mut replies = list(store, user).await?;
    replies.retain(|r| r.owner_id.as_deref() == Some(user.id.as_str()) || r.desk == Some(desk));
    Ok(replies)
}

/// Reply `id` filled for the ticket `ticket_key`: `NotFound` when the caller may not see the
/// reply or the ticket (a malformed key is as missing as an unknown one).
pub async fn render(
    store: &Store,
    user: &User,
    id: &str,
    ticket_key: &str,
) -> ServiceResult<String> {
    let reply = get(store, user, id).await?;
    let key = crate::tickets::parse_key(ticket_key.trim())?;
    let ticket = store.ticket(Viewer::of(user), key).await?;
    let filer = store
        .people(std::slice::from_ref(&ticket.created_by))
        .await?
        .into_iter()
        .next()
        .map(|p| p.name)
        .unwrap_or_default();
    let key = ticket.key.to_string();
    Ok(fill(
        &reply.body,
        &Placeholders {
            customer_name: &filer,
            ticket_key: &key,
            agent_name: &user.name,
        },
    ))
}

/// The demo's canned replies, written as the agents who share or keep them: Japanese ones
/// shared by each desk (written by `desk_agent`, an agent of the general desk, and `lead`, an
/// agent of both), and English ones of `lead`'s own. Loading twice adds nothing; a
/// shared reply whose author is not on its desk is left out.
pub async fn seed_demo(store: &Store, desk_agent: &User, lead: &User) -> ServiceResult<()> {
    let replies: [(&User, Option<&str>, &str, &str); 6] = [
        (
            desk_agent,
            Some("general"),
            "受付のご連絡",
            "{お客さま名} 様\n\nお問い合わせいただきありがとうございます。サポート窓口の{担当者名}です。\nチケット {チケット番号} にて承りました。内容を確認のうえ、あらためてご連絡いたします。\n\n何卒よろしくお願いいたします。",
        ),
        (
            desk_agent,
            Some("general"),
            "追加情報のお願い",
            "{お客さま名} 様\n\n{チケット番号} の調査のため、以下の情報をお知らせいただけますでしょうか。\n\n・事象が発生した日時\n・対象のサーバー名またはリソース ID\n・表示されたエラーメッセージ(画面のスクリーンショットでも結構です)\n\nお手数をおかけしますが、よろしくお願いいたします。\n{担当者名}",
        ),
        (
            desk_agent,
            Some("general"),
            "クローズのご提案",
            "{お客さま名} 様\n\nご案内した手順で解消したものと存じます。本チケット({チケット番号})はクローズ待ちとさせていただきます。\n引き続きご不明な点がございましたら、このチケットにご返信ください。\n\n{担当者名}",
        ),
        (
            lead,
            Some("premium"),
            "障害調査中のご連絡(特別窓口)",
            "{お客さま名} 様\n\n特別窓口の{担当者名}です。{チケット番号} の事象について、現在エンジニアが調査を進めております。\n次回は 1 時間以内に状況をご報告いたします。",
        ),
        (
            lead,
            None,
            "Acknowledgement (English)",
            "Dear {customer_name},\n\nThank you for contacting support. Your request {ticket_key} has been received, and I am looking into it now.\n\nBest regards,\n{agent_name}",
        ),
        (
            lead,
            None,
            "Resolved — proposing to close",
            "Hello {customer_name},\n\nI believe the steps above resolve {ticket_key}, so I am proposing to close it. If anything is still unclear, just reply to this ticket and it reopens.\n\nKind regards,\n{agent_name}",
        ),
    ];
    for (author, desk, title, body) in replies {
        let existing = list(store, author).await?;
        if existing.iter().any(|r| r.title == title) {
            continue;
        }
        // A staff login made by hand before the demo may lack the desk: the demo still loads.
        let shareable = shareable(store, author).await?;
        if desk.is_some_and(|d| !shareable.iter().any(|s| s.code() == d)) {
            continue;
        }
        let input = CannedReplyInput {
            title: Some(title.to_owned()),
            body: Some(body.to_owned()),
            desk: desk.map(str::to_owned),
        };
        create(store, author, &input).await?;
    }
    Ok(())
}
