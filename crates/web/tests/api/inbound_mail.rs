//! Replies by email through `POST /api/v1/inbound-mail` (a mail service's door): every case of
//! `inbound_cases`, and the door's own rules (the inbound secret, an empty body).

use reqwest::StatusCode;

use crate::api_test;
use crate::helpers::{INBOUND_SECRET, TestApp, read};
use crate::inbound_cases::{Delivered, run_all};

async fn post(
    app: &TestApp,
    secret: Option<&str>,
    raw: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    send(&app.client, &app.base, secret, raw).await
}

async fn send(
    client: &reqwest::Client,
    base: &str,
    secret: Option<&str>,
    raw: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut req = client
        .post(format!("{base}/api/v1/inbound-mail"))
        .header("content-type", "message/rfc822")
        .body(raw);
    if let Some(secret) = secret {
        req = req.bearer_auth(secret);
    }
    read(req.send().await.unwrap()).await
}

async fn every_case(app: &TestApp) {
    let (client, base) = (app.client.clone(), app.base.clone());
    run_all(app, move |raw| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let (status, body) = send(&client, &base, Some(INBOUND_SECRET), raw).await;
            match status {
                StatusCode::OK => {
                    Delivered::new(body["outcome"].as_str().unwrap(), body["reason"].as_str())
                }
                StatusCode::BAD_REQUEST => {
                    assert_eq!(body["type"], "/problems/malformed", "{body}");
                    Delivered::new("malformed", None)
                }
                other => panic!("{other}: {body}"),
            }
        }
    })
    .await;
}

async fn on(backend: madoguchi_store::testing::Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    every_case(&app).await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_inbound_case_through_the_http_endpoint_on_sqlite() {
    on(madoguchi_store::testing::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_inbound_case_through_the_http_endpoint_on_postgres() {
    on(madoguchi_store::testing::Backend::Postgres).await;
}

api_test!(
    the_endpoint_wants_the_inbound_secret_and_a_message,
    async |app: &TestApp| {
        let raw = crate::inbound_cases::fixture("utf8_plain.eml");
        let (status, p) = post(app, None, raw.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{p}");
        let (status, _) = post(app, Some("wrong"), raw.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // A user's API token is not the inbound secret.
        let (status, _) = post(app, Some(&app.admin_token), raw).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, p) = post(app, Some(INBOUND_SECRET), Vec::new()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("RFC 5322"), "{p}");
    }
);
