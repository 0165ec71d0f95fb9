//! Every inbound case of issue 11, written once and run through both doors: the HTTP endpoint
//! (here) and `madoguchi mail-gateway` (the command's tests include this file). Each fixture
//! (`crates/mail/tests/fixtures`) is filled with the world's addresses and ids, delivered,
//! and checked by what the ticket's readers see afterwards.

#![allow(dead_code)]

use std::future::Future;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{MAIL_DOMAIN, TestApp};
use crate::notify_world::{World, world};

/// What a door said about a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// `accepted`, `duplicate`, `automatic`, `refused` or `malformed`.
    pub outcome: String,
    pub reason: Option<String>,
}

impl Delivered {
    pub fn new(outcome: &str, reason: Option<&str>) -> Delivered {
        Delivered {
            outcome: outcome.to_owned(),
            reason: reason.map(str::to_owned),
        }
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../mail/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR").replace("/crates/madoguchi", "/crates/web")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn replace(haystack: &[u8], from: &str, to: &str) -> Vec<u8> {
    let (from, to) = (from.as_bytes(), to.as_bytes());
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// A fixture as `from` sends it to `to`, with its own Message-ID and thread headers.
pub fn message(name: &str, from: &str, to: &str, id: &str, refs: &str, key: &str) -> Vec<u8> {
    let mut raw = fixture(name);
    for (placeholder, value) in [
        ("@@FROM@@", from),
        ("@@TO@@", to),
        ("@@MSGID@@", id),
        ("@@REFS@@", refs),
        ("@@KEY@@", key),
    ] {
        raw = replace(&raw, placeholder, value);
    }
    raw
}

/// The accepted fixtures: the text the ticket must show, and how many files.
pub const ACCEPTED: &[(&str, &str, usize)] = &[
    (
        "utf8_plain.eml",
        "ありがとうございます。再起動したら直りました。",
        0,
    ),
    (
        "iso2022jp_declared.eml",
        "ログを添付せずに失礼します。仮想サーバーは正常です。",
        0,
    ),
    (
        "iso2022jp_undeclared.eml",
        "ログを添付せずに失礼します。仮想サーバーは正常です。",
        0,
    ),
    ("shift_jis.eml", "承知しました。本日中に確認します。", 0),
    ("cp932.eml", "①再起動しました。②ログは正常です。", 0),
    (
        "quoted_printable.eml",
        "設定を変更したところ、エラーは出なくなりました。",
        0,
    ),
    ("base64.eml", "バックアップの復元が完了しました。", 0),
    (
        "multipart_attachments.eml",
        "ログとスクリーンショットを添付します。",
        2,
    ),
    (
        "gmail_ja.eml",
        "ご回答ありがとうございます。手順どおりに設定できました。",
        0,
    ),
    ("gmail_en.eml", "Thanks, that fixed it.", 0),
    (
        "outlook_ja.eml",
        "ご連絡ありがとうございます。明日の朝に再度確認します。",
        0,
    ),
    ("outlook_en.eml", "I will check again tomorrow morning.", 0),
    (
        "thunderbird_ja.eml",
        "了解しました。メンテナンス後に再起動します。",
        0,
    ),
    (
        "thunderbird_en.eml",
        "Understood, I will restart after the maintenance.",
        0,
    ),
    (
        "html_only.eml",
        "HTML だけのメールで返信します。問題は解決しました。",
        0,
    ),
    ("signature.eml", "ファイアウォールの設定を見直します。", 0),
];

fn replies(ticket: &Value) -> Vec<Value> {
    ticket["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "reply")
        .cloned()
        .collect()
}

/// The Message-ID of the last notification to `user_id` about `key` (what a mail client puts
/// in In-Reply-To).
async fn notice_id(app: &TestApp, user_id: &str, key: &str) -> String {
    let (_, all) = app
        .admin(
            Method::GET,
            "/api/v1/admin/outbox?state=all&limit=200",
            None,
        )
        .await;
    let row = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["recipient"] == format!("user:{user_id}") && r["ticket"] == key)
        .unwrap_or_else(|| panic!("no notice to {user_id} about {key}: {all}"))
        .clone();
    format!("<n{}.{key}@{MAIL_DOMAIN}>", row["id"].as_str().unwrap())
}

async fn bounces(app: &TestApp) -> Vec<Value> {
    let (_, all) = app
        .admin(
            Method::GET,
            "/api/v1/admin/outbox?state=all&limit=200",
            None,
        )
        .await;
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "mail.bounce")
        .cloned()
        .collect()
}

async fn file_second(app: &TestApp, w: &World) -> String {
    let body = json!({
        "contract_number": "ECL-A", "ticket_type": "general_inquiry", "summary": "別件: ロードバランサーの設定",
        "service_menu": "virtual_server", "tenant_id": "tenant-001", "details": "設定方法を教えてください。",
        "menu_fields": { "server_name": "lb-01", "region": "JP1" },
    });
    let (status, t) = app
        .as_user(&w.hanako, Method::POST, "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    t["key"].as_str().unwrap().to_owned()
}

/// Runs every case through `deliver`. `unknown_is_bounced_by_us`: the HTTP door bounces
/// unknown recipients itself; an MTA does it for the pipe (exit code 67).
pub async fn run_all<F, Fut>(app: &TestApp, deliver: F)
where
    F: Fn(Vec<u8>) -> Fut,
    Fut: Future<Output = Delivered>,
{
    let w = world(app).await;
    w.agent_says(app, "再起動してお試しください。", false).await;
    let hanako_address = w.reply_address(app, &w.hanako_id).await;
    let refs = notice_id(app, &w.hanako_id, &w.key).await;
    let from = "hanako@example.co.jp";

    // Every encoding and every mail client: the reply alone reaches the log, via email.
    for (i, (name, text, files)) in ACCEPTED.iter().enumerate() {
        let raw = message(
            name,
            from,
            &hanako_address,
            &format!("a{i}@mail.example.co.jp"),
            &refs,
            &w.key,
        );
        assert_eq!(
            deliver(raw).await,
            Delivered::new("accepted", None),
            "{name}"
        );
        let ticket = w.ticket(app, &w.hanako).await;
        let last = replies(&ticket).pop().unwrap();
        assert_eq!(last["body"], *text, "{name}");
        assert_eq!(last["via"], "email", "{name}");
        assert_eq!(last["author"]["id"], w.hanako_id, "{name}");
        assert_eq!(
            last["attachments"].as_array().unwrap().len(),
            *files,
            "{name}"
        );
    }
    let ticket = w.ticket(app, &w.hanako).await;
    assert_eq!(ticket["status"], "in_progress");
    let attachments = replies(&ticket)
        .iter()
        .flat_map(|m| m["attachments"].as_array().unwrap().clone())
        .collect::<Vec<_>>();
    let names: Vec<&str> = attachments
        .iter()
        .map(|a| a["filename"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["server.log", "画面.png"]);
    let count = replies(&ticket).len();

    // The same message delivered twice adds one reply.
    let raw = message(
        "utf8_plain.eml",
        from,
        &hanako_address,
        "a0@mail.example.co.jp",
        &refs,
        &w.key,
    );
    assert_eq!(deliver(raw).await, Delivered::new("duplicate", None));
    assert_eq!(replies(&w.ticket(app, &w.hanako).await).len(), count);

    // No reply address, but our thread headers: matched by them.
    let raw = message(
        "utf8_plain.eml",
        from,
        &format!("support@{MAIL_DOMAIN}"),
        "thread@mail.example.co.jp",
        &refs,
        &w.key,
    );
    assert_eq!(deliver(raw).await, Delivered::new("accepted", None));
    let count = count + 1;
    assert_eq!(replies(&w.ticket(app, &w.hanako).await).len(), count);

    // A colleague (known, but not the one the address was made for) and a stranger: refused,
    // and the bounce names no ticket.
    for (n, sender) in ["taro@example.co.jp", "mallory@evil.example"]
        .iter()
        .enumerate()
    {
        let raw = message(
            "utf8_plain.eml",
            sender,
            &hanako_address,
            &format!("forged{n}@evil.example"),
            &refs,
            &w.key,
        );
        assert_eq!(
            deliver(raw).await,
            Delivered::new("refused", Some("forged_sender")),
            "{sender}"
        );
        let bounce = bounces(app)
            .await
            .into_iter()
            .find(|b| b["recipient"] == format!("email:{sender}"))
            .unwrap_or_else(|| panic!("no bounce to {sender}"));
        assert!(bounce["ticket"].is_null(), "{bounce}");
    }
    assert_eq!(replies(&w.ticket(app, &w.hanako).await).len(), count);

    // An address we never made (garbage, or a real token with another ticket's number).
    let number: u64 = w.key.trim_start_matches("SD-").parse().unwrap();
    let tampered = hanako_address.replacen(
        &format!("reply+{number}."),
        &format!("reply+{}.", number + 1),
        1,
    );
    assert_ne!(tampered, hanako_address);
    for (n, to) in [format!("reply+nonsense@{MAIL_DOMAIN}"), tampered]
        .iter()
        .enumerate()
    {
        let raw = message(
            "utf8_plain.eml",
            from,
            to,
            &format!("unknown{n}@mail.example.co.jp"),
            "<elsewhere@example.co.jp>",
            &w.key,
        );
        assert_eq!(
            deliver(raw).await,
            Delivered::new("refused", Some("unknown_recipient")),
            "{to}"
        );
    }

    // A token for one ticket in reply to another's notice: added to neither.
    let second = file_second(app, &w).await;
    let second_address = {
        let secret = app.db.store.mail_secret().await.unwrap();
        let number: u64 = second.trim_start_matches("SD-").parse().unwrap();
        madoguchi_mail::ReplyToken::address(secret.as_bytes(), number, &w.hanako_id, MAIL_DOMAIN)
    };
    let raw = message(
        "utf8_plain.eml",
        from,
        &second_address,
        "cross@mail.example.co.jp",
        &refs,
        &w.key,
    );
    assert_eq!(
        deliver(raw).await,
        Delivered::new("refused", Some("token_for_another_ticket"))
    );
    assert_eq!(replies(&w.ticket(app, &w.hanako).await).len(), count);

    // An out-of-office answer to support's closing proposal: recorded, nothing reopens.
    let (status, m) = app
        .as_user(
            &w.agent,
            Method::POST,
            &format!("/api/v1/tickets/{}/messages", w.key),
            Some(
                json!({ "body": "解決のためクローズを提案します。", "status": "pending_closure" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    let before = bounces(app).await.len();
    let raw = message(
        "auto_reply.eml",
        from,
        &hanako_address,
        "ooo@mail.example.co.jp",
        &refs,
        &w.key,
    );
    assert_eq!(deliver(raw).await, Delivered::new("automatic", None));
    let ticket = w.ticket(app, &w.hanako).await;
    assert_eq!(ticket["status"], "pending_closure");
    assert_eq!(
        replies(&ticket).len(),
        count + 1,
        "only support's proposal was added"
    );
    assert_eq!(bounces(app).await.len(), before, "machines get no answer");

    // A closed ticket takes no reply: the bounce points to a follow-up.
    let (status, c) = app
        .as_user(
            &w.hanako,
            Method::POST,
            &format!("/api/v1/tickets/{second}/close"),
            None,
        )
        .await;
    assert!(status.is_success(), "{c}");
    let raw = message(
        "utf8_plain.eml",
        from,
        &second_address,
        "closed@mail.example.co.jp",
        "<x@example.co.jp>",
        &second,
    );
    assert_eq!(
        deliver(raw).await,
        Delivered::new("refused", Some("ticket_closed"))
    );
    let bounce = bounces(app)
        .await
        .into_iter()
        .find(|b| b["ticket"] == second)
        .expect("a bounce that names the closed ticket");
    assert_eq!(bounce["recipient"], "email:hanako@example.co.jp");

    // A permission revoked since the address was made.
    let taro_address = w.reply_address(app, &w.taro_id).await;
    let body = json!({ "user_id": w.taro_id, "contract_number": "ECL-A" });
    let (status, p) = app
        .admin(Method::DELETE, "/api/v1/admin/permissions", Some(body))
        .await;
    assert!(status.is_success(), "{p}");
    let raw = message(
        "utf8_plain.eml",
        "taro@example.co.jp",
        &taro_address,
        "revoked@mail.example.co.jp",
        "<x@example.co.jp>",
        &w.key,
    );
    assert_eq!(
        deliver(raw).await,
        Delivered::new("refused", Some("not_allowed"))
    );
    assert_eq!(replies(&w.ticket(app, &w.hanako).await).len(), count + 1);

    // Not an email at all.
    assert_eq!(
        deliver(fixture("malformed.eml")).await,
        Delivered::new("malformed", None)
    );
}
