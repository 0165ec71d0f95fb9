//! The world of the notification tests: a Japanese customer who files, an English-speaking
//! colleague who takes part, a viewer, an agent of the general desk, and a ticket.

#![allow(dead_code)]

use madoguchi_app::notify::Mailer;
use madoguchi_mail::ReplyToken;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{MAIL_DOMAIN, TestApp};

pub struct World {
    pub hanako: String,
    pub hanako_id: String,
    pub taro: String,
    pub taro_id: String,
    pub agent: String,
    pub agent_id: String,
    pub key: String,
}

pub async fn person(
    app: &TestApp,
    email: &str,
    name: &str,
    role: &str,
    org: Option<&str>,
    locale: &str,
    desks: &[&str],
) -> (String, String) {
    let body = json!({ "email": email, "name": name, "role": role, "organization_id": org,
        "locale": locale, "password": "correct horse battery", "desks": desks });
    let (status, user) = app
        .admin(Method::POST, "/api/v1/admin/users", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    let (_, token) = app
        .admin(
            Method::POST,
            &format!("/api/v1/admin/users/{id}/tokens"),
            None,
        )
        .await;
    (id, token["token"].as_str().unwrap().to_owned())
}

pub async fn grant(app: &TestApp, user: &str, contract: &str, level: &str) {
    let body = json!({ "user_id": user, "contract_number": contract, "level": level });
    let (status, p) = app
        .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
}

pub async fn world(app: &TestApp) -> World {
    let (org, _) = app
        .customer_org("株式会社サンプル", "ECL-A", "advanced")
        .await;
    let body = json!({ "organization_id": org, "tenant_id": "tenant-001" });
    app.admin(Method::POST, "/api/v1/admin/tenants", Some(body))
        .await;
    let (hanako_id, hanako) = person(
        app,
        "hanako@example.co.jp",
        "山田 花子",
        "customer",
        Some(&org),
        "ja",
        &[],
    )
    .await;
    let (taro_id, taro) = person(
        app,
        "taro@example.co.jp",
        "Taro Suzuki",
        "customer",
        Some(&org),
        "en",
        &[],
    )
    .await;
    grant(app, &hanako_id, "ECL-A", "edit").await;
    grant(app, &taro_id, "ECL-A", "edit").await;
    let (agent_id, agent) = person(
        app,
        "agent@support.example",
        "佐藤 一郎",
        "agent",
        None,
        "ja",
        &["general"],
    )
    .await;
    let body = json!({
        "contract_number": "ECL-A", "ticket_type": "general_inquiry", "summary": "仮想サーバーが起動しない",
        "service_menu": "virtual_server", "tenant_id": "tenant-001", "details": "起動ボタンを押しても止まったままです。",
        "menu_fields": { "server_name": "web-01", "region": "JP1" }, "participants": [taro_id],
    });
    let (status, ticket) = app
        .as_user(&hanako, Method::POST, "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    World {
        hanako,
        hanako_id,
        taro,
        taro_id,
        agent,
        agent_id,
        key: ticket["key"].as_str().unwrap().to_owned(),
    }
}

impl World {
    /// Support's public reply (or an internal note) on the ticket.
    pub async fn agent_says(&self, app: &TestApp, body: &str, internal: bool) -> Value {
        let (status, m) = app
            .as_user(
                &self.agent,
                Method::POST,
                &format!("/api/v1/tickets/{}/messages", self.key),
                Some(json!({ "body": body, "internal": internal })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        m
    }

    pub async fn ticket(&self, app: &TestApp, token: &str) -> Value {
        let (status, t) = app
            .as_user(
                token,
                Method::GET,
                &format!("/api/v1/tickets/{}", self.key),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{t}");
        t
    }

    /// The reply address made for `user_id` on this ticket.
    pub async fn reply_address(&self, app: &TestApp, user_id: &str) -> String {
        let secret = app.db.store.mail_secret().await.unwrap();
        let number: u64 = self.key.trim_start_matches("SD-").parse().unwrap();
        ReplyToken::address(secret.as_bytes(), number, user_id, MAIL_DOMAIN)
    }
}

/// A mailer like `serve`'s, sending to `smtp_url` (or files when `None`).
pub fn mailer(app: &TestApp, smtp_url: Option<&str>) -> Mailer {
    Mailer::new(
        format!("support@{MAIL_DOMAIN}"),
        None,
        app.base.clone(),
        smtp_url,
        app.data_dir().join("outbox"),
    )
    .unwrap()
}

/// Writes a test once and runs it on SQLite and PostgreSQL against a real SMTP server on
/// loopback, with `serve`'s own outbox worker off: the test runs the worker with its clock.
#[macro_export]
macro_rules! smtp_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run(backend: madoguchi_store::testing::Backend) {
                let smtp = $crate::smtp::SmtpServer::start();
                let url = smtp.url.clone();
                let Some(app) = $crate::helpers::spawn_app_with(backend, move |c| {
                    c.smtp_url = Some(url);
                    c.outbox_interval = std::time::Duration::ZERO;
                })
                .await
                else {
                    return;
                };
                let body = $body;
                body(&app, &smtp).await;
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(madoguchi_store::testing::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(madoguchi_store::testing::Backend::Postgres).await;
            }
        }
    };
}
