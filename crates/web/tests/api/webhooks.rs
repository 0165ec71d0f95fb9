//! Webhooks (SPEC §8): admins subscribe a URL; a receiver this test starts checks each POST
//! with the Standard Webhooks algorithm, answers 500 once to see the retry, and never sees an
//! internal note. Deliveries are recorded with their attempts and replayed on request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use madoguchi_app::notify::run_outbox;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, error_fields};
use crate::notify_world::{mailer, world};
use crate::{api_test, smtp_test};

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    calls: Arc<AtomicUsize>,
}

/// Listens on a free port; the first request gets a 500, the others a 204.
async fn receiver() -> (String, Receiver) {
    let r = Receiver::default();
    let state = r.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let state = state.clone();
            async move {
                let n = state.calls.fetch_add(1, Ordering::SeqCst);
                state.got.lock().unwrap().push((headers, body));
                if n == 0 {
                    AxumStatus::INTERNAL_SERVER_ERROR
                } else {
                    AxumStatus::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, r)
}

/// The specification's check: HMAC-SHA256 over `id.timestamp.body` with the secret's bytes.
fn verify(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let id = headers["webhook-id"].to_str().unwrap();
    let ts = headers["webhook-timestamp"].to_str().unwrap();
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.{body}").as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    headers["webhook-signature"]
        .to_str()
        .unwrap()
        .split(' ')
        .any(|s| s == expected)
}

// `serve`'s own worker is off here (as in the SMTP tests): the test moves the clock.
smtp_test!(
    webhooks_are_signed_retried_recorded_and_replayed,
    async |app: &TestApp, _smtp: &crate::smtp::SmtpServer| {
        let (url, rx) = receiver().await;
        // What admins may not do.
        for (body, field) in [
            (
                json!({ "url": "ftp://x", "event_types": ["message.added"] }),
                "url",
            ),
            (
                json!({ "url": url, "event_types": ["ticket.secret"] }),
                "event_types[0]",
            ),
            (json!({ "url": url, "event_types": [] }), "event_types"),
        ] {
            let (status, p) = app
                .admin(Method::POST, "/api/v1/admin/webhooks", Some(body))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
            assert_eq!(error_fields(&p), [field]);
        }
        let body = json!({ "url": url, "event_types": ["ticket.created", "message.added", "ticket.status_changed"] });
        let (status, hook) = app
            .admin(Method::POST, "/api/v1/admin/webhooks", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{hook}");
        let secret = hook["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_"));
        let id = hook["id"].as_str().unwrap().to_owned();
        let (_, again) = app
            .admin(Method::GET, &format!("/api/v1/admin/webhooks/{id}"), None)
            .await;
        assert!(
            again.get("secret").is_none(),
            "the secret is shown once: {again}"
        );

        let w = world(app).await;
        let (status, _) = app
            .as_user(&w.hanako, Method::GET, "/api/v1/admin/webhooks", None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        w.agent_says(app, "社内メモ: 顧客には内緒", true).await;
        w.agent_says(app, "公開の回答です。", false).await;

        let m = mailer(app, None);
        // The worker's clock a little ahead: the deliveries it fans out in its first round are
        // queued at the wall clock's now, and must be due in that round.
        let now = Timestamp::now() + SignedDuration::from_secs(5);
        run_outbox(&app.db.store, &m, now).await.unwrap();
        // One answered 500: it comes again after the backoff.
        run_outbox(&app.db.store, &m, now + SignedDuration::from_secs(31))
            .await
            .unwrap();
        let got = rx.got.lock().unwrap().clone();
        let bodies: Vec<Value> = got
            .iter()
            .map(|(_, b)| serde_json::from_str(b).unwrap())
            .collect();
        for (headers, body) in &got {
            assert!(verify(&secret, headers, body), "bad signature: {headers:?}");
            assert_eq!(headers["content-type"], "application/json");
        }
        let types: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(
            types.iter().filter(|t| **t == "ticket.created").count(),
            2,
            "{types:?}"
        );
        assert_eq!(
            types.iter().filter(|t| **t == "message.added").count(),
            1,
            "{types:?}"
        );
        for b in &bodies {
            assert!(
                b["timestamp"].as_str().is_some() && b["data"]["key"] == w.key,
                "{b}"
            );
            let text = b.to_string();
            assert!(
                !text.contains("社内メモ") && !text.contains("\"internal\":true"),
                "{text}"
            );
        }
        // The retry carried the same webhook-id.
        assert_eq!(
            got[0].0["webhook-id"],
            got.iter()
                .filter(|(_, b)| b.contains("ticket.created"))
                .nth(1)
                .unwrap()
                .0["webhook-id"]
        );

        let (status, deliveries) = app
            .admin(
                Method::GET,
                &format!("/api/v1/admin/webhooks/{id}/deliveries"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{deliveries}");
        let created = deliveries["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["event_type"] == "ticket.created")
            .unwrap()
            .clone();
        assert_eq!(created["status"], "sent");
        assert_eq!(created["attempts"], 2);
        assert_eq!(created["response_code"], 204);
        let codes: Vec<i64> = created["attempt_log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["response_code"].as_i64().unwrap())
            .collect();
        assert_eq!(codes, [500, 204]);
        assert!(created["attempt_log"][0]["duration_ms"].as_i64().is_some());

        let delivery = created["id"].as_str().unwrap();
        let (status, replayed) = app
            .admin(
                Method::POST,
                &format!("/api/v1/admin/webhooks/{id}/deliveries/{delivery}/replay"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{replayed}");
        assert_eq!(replayed["webhook_id"], created["webhook_id"]);
        run_outbox(&app.db.store, &m, Timestamp::now())
            .await
            .unwrap();
        let got = rx.got.lock().unwrap().clone();
        let last = got.last().unwrap();
        assert_eq!(
            last.0["webhook-id"].to_str().unwrap(),
            created["webhook_id"].as_str().unwrap()
        );
        assert!(verify(&secret, &last.0, &last.1));

        // The admins' pages list the subscription and its deliveries.
        crate::notify_world::person(
            app,
            "ops@support.example",
            "運用 担当",
            "admin",
            None,
            "ja",
            &[],
        )
        .await;
        let (browser, _) = app.log_in("ops@support.example").await;
        let page = browser
            .get(app.url("/admin/webhooks"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(&url), "{page}");
        let page = browser
            .get(app.url(&format!("/admin/webhooks/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("ticket.created") && page.contains("204"),
            "{page}"
        );
    }
);

api_test!(
    the_webhooks_page_shows_the_secret_once_and_names_bad_input,
    async |app: &TestApp| {
        crate::notify_world::person(
            app,
            "ops@support.example",
            "運用 担当",
            "admin",
            None,
            "ja",
            &[],
        )
        .await;
        let (browser, csrf) = app.log_in("ops@support.example").await;
        let response = browser
            .post(app.url("/admin/webhooks"))
            .form(&[("csrf", csrf.as_str()), ("url", "not a url")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("role=\"alert\"") && page.contains("送信先 URL"),
            "{page}"
        );
        let response = browser
            .post(app.url("/admin/webhooks"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("url", "https://hooks.example/x"),
                ("type_message.added", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let page = response.text().await.unwrap();
        assert!(page.contains("id=\"webhook-secret\">whsec_"), "{page}");
        let page = browser
            .get(app.url("/admin/webhooks"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains("whsec_"), "{page}");
        assert!(page.contains("https://hooks.example/x"));
    }
);

api_test!(
    an_admin_pauses_resumes_and_deletes_a_webhook_from_its_page,
    async |app: &TestApp| {
        let body =
            json!({ "url": "https://hooks.example/pause", "event_types": ["ticket.created"] });
        let (status, hook) = app
            .admin(Method::POST, "/api/v1/admin/webhooks", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{hook}");
        let id = hook["id"].as_str().unwrap().to_owned();
        let active = async || {
            let (status, h) = app
                .admin(Method::GET, &format!("/api/v1/admin/webhooks/{id}"), None)
                .await;
            assert_eq!(status, StatusCode::OK, "{h}");
            h["active"].as_bool().unwrap()
        };
        crate::notify_world::person(
            app,
            "ops@support.example",
            "運用 担当",
            "admin",
            None,
            "ja",
            &[],
        )
        .await;
        crate::notify_world::person(
            app,
            "agent@support.example",
            "窓口 担当",
            "agent",
            None,
            "ja",
            &[],
        )
        .await;
        let (browser, csrf) = app.log_in("ops@support.example").await;
        let page_of = async |path: &str| {
            browser
                .get(app.url(path))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        };
        let page = page_of(&format!("/admin/webhooks/{id}")).await;
        assert!(
            page.contains("id=\"webhook-state\">配信中") && page.contains("id=\"webhook-pause\""),
            "{page}"
        );

        let pause = browser
            .post(app.url(&format!("/admin/webhooks/{id}/active")))
            .form(&[("csrf", csrf.as_str()), ("active", "false")])
            .send()
            .await
            .unwrap();
        assert_eq!(pause.status(), StatusCode::SEE_OTHER);
        assert!(!active().await, "paused from the page, off in the API");
        let page = page_of(&format!("/admin/webhooks/{id}?done=paused")).await;
        assert!(
            page.contains("配信を停止しました")
                && page.contains("id=\"webhook-state\">停止中")
                && page.contains("id=\"webhook-resume\""),
            "{page}"
        );
        browser
            .post(app.url(&format!("/admin/webhooks/{id}/active")))
            .form(&[("csrf", csrf.as_str()), ("active", "true")])
            .send()
            .await
            .unwrap();
        assert!(active().await, "resumed");

        // Someone who is not an admin can neither pause nor delete it.
        let (agent, agent_csrf) = app.log_in("agent@support.example").await;
        for (path, form) in [
            (
                format!("/admin/webhooks/{id}/active"),
                vec![("csrf", agent_csrf.as_str()), ("active", "false")],
            ),
            (
                format!("/admin/webhooks/{id}/delete"),
                vec![("csrf", agent_csrf.as_str())],
            ),
        ] {
            let r = agent.post(app.url(&path)).form(&form).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        }
        assert!(active().await, "the agent changed nothing");

        // Deleting asks first, naming the URL; then the subscription is gone.
        let question = page_of(&format!("/admin/webhooks/{id}/delete")).await;
        assert!(
            question.contains("削除しますか") && question.contains("https://hooks.example/pause"),
            "{question}"
        );
        let delete = browser
            .post(app.url(&format!("/admin/webhooks/{id}/delete")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(delete.status(), StatusCode::SEE_OTHER);
        let list = page_of("/admin/webhooks?done=deleted").await;
        assert!(
            list.contains("Webhook を削除しました") && !list.contains("hooks.example/pause"),
            "{list}"
        );
        let (status, _) = app
            .admin(Method::GET, &format!("/api/v1/admin/webhooks/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);
