//! `spawn_app`: a real server on a free port over its own database, and a client for it.

use madoguchi_core::model::NewUser;
use madoguchi_core::values::{Email, Name};
use madoguchi_core::{Locale, Role};
use madoguchi_store::testing::{Backend, TestDb};
use madoguchi_web::Server;
use madoguchi_web::config::Config;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// An admin's API token.
    pub admin_token: String,
    pub db: TestDb,
    server: Server,
    /// Uploads go here; removed with the test.
    data_dir: std::path::PathBuf,
}

/// The Bearer token of `POST /api/v1/inbound-mail` in tests.
pub const INBOUND_SECRET: &str = "inbound-test-secret";
/// The Bearer token of `/metrics` in tests.
pub const METRICS_TOKEN: &str = "metrics-test-token";
/// The domain of reply addresses and Message-IDs in tests.
pub const MAIL_DOMAIN: &str = "madoguchi.test";

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// A server whose configuration `tweak` changes first (an SMTP server, the worker off…).
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let db = TestDb::new(backend).await?;
    let store = db.store.clone();
    let admin = store
        .create_user(
            None,
            &NewUser {
                email: Email::parse("root@madoguchi.test").unwrap(),
                name: Name::parse("Root").unwrap(),
                role: Role::Admin,
                organization_id: None,
                locale: Locale::En,
                password_hash: None,
                time_zone: None,
                desks: Vec::new(),
            },
        )
        .await
        .unwrap();
    let admin_token = store.create_token(None, &admin.id).await.unwrap().token;
    let data_dir = std::env::temp_dir().join(format!(
        "madoguchi-app-{}",
        madoguchi_store::random_secret().unwrap()
    ));
    let mut config = Config::new(data_dir.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.database_url = db.url.clone();
    config.mail_from = format!("support@{MAIL_DOMAIN}");
    config.inbound_secret = Some(INBOUND_SECRET.into());
    config.metrics_token = Some(METRICS_TOKEN.into());
    // One dictionary for every test server: it is built once, in a few seconds.
    config.dictionary_dir = std::env::temp_dir().join("madoguchi-test-ipadic");
    tweak(&mut config);
    let server = Server::start(config, store).await.unwrap();
    Some(TestApp {
        base: format!("http://{}", server.addr),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        admin_token,
        db,
        server,
        data_dir,
    })
}

impl TestApp {
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with a token (or none) and a JSON body (or none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    /// As the admin; answers the status and the JSON body (`null` when empty).
    pub async fn admin(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let token = self.admin_token.clone();
        self.as_user(&token, method, path, body).await
    }

    pub async fn as_user(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let response = self.call(method, path, Some(token), body).await;
        read(response).await
    }

    /// Creates what a customer needs through the admin API: organization, tenant, direct
    /// contract; answers (organization id, contract number).
    pub async fn customer_org(
        &self,
        name: &str,
        contract_number: &str,
        plan: &str,
    ) -> (String, String) {
        let (status, org) = self
            .admin(
                Method::POST,
                "/api/v1/admin/organizations",
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{org}");
        let org_id = org["id"].as_str().unwrap().to_owned();
        let (status, contract) = self
            .admin(
                Method::POST,
                "/api/v1/admin/contracts",
                Some(json!({
                    "organization_id": org_id,
                    "contract_number": contract_number,
                    "product_line": "Enterprise Cloud 2.0",
                    "contracting_corporation": "Example Communications Corp.",
                    "plan": plan,
                    "channel": "direct",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{contract}");
        (org_id, contract_number.to_owned())
    }

    /// A user with a password and an API token; answers (user id, token).
    pub async fn user(&self, email: &str, role: &str, org: Option<&str>) -> (String, String) {
        let (status, user) = self
            .admin(
                Method::POST,
                "/api/v1/admin/users",
                Some(json!({
                    "email": email, "name": format!("User {email}"), "role": role,
                    "organization_id": org, "password": "correct horse battery",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let id = user["id"].as_str().unwrap().to_owned();
        let (status, token) = self
            .admin(
                Method::POST,
                &format!("/api/v1/admin/users/{id}/tokens"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{token}");
        (id, token["token"].as_str().unwrap().to_owned())
    }

    pub async fn finish(self) {
        self.server.task.abort();
        self.db.finish().await;
        std::fs::remove_dir_all(&self.data_dir).ok();
    }
}

pub async fn read(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// The fields a problem+json answer names.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Writes an API test once and runs it on SQLite and PostgreSQL.
#[macro_export]
macro_rules! api_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run(backend: madoguchi_store::testing::Backend) {
                let Some(app) = $crate::helpers::spawn_app(backend).await else {
                    return;
                };
                let body = $body;
                body(&app).await;
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

/// The value of a hidden input named `name` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// A cookie-keeping client that does not follow redirects, like a browser without JavaScript.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// Logs in through the form (password of `TestApp::user`); answers the browser and the
    /// session's CSRF token.
    pub async fn log_in(&self, email: &str) -> (reqwest::Client, String) {
        let browser = browser();
        let login = browser
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&login, "csrf");
        let response = browser
            .post(self.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email),
                ("password", "correct horse battery"),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "login of {email}");
        let home = browser
            .get(self.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&home, "csrf");
        (browser, csrf)
    }
}
