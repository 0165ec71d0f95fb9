//! Input limits and the error contract (issue 16): lists capped before they are checked, `q`
//! bounded, JSON bodies that must be objects of the right types, problem+json for every API
//! failure, keys refused before anything is written, `/metrics` behind its token, and drafts
//! forgotten at sign-out.

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{METRICS_TOKEN, TestApp, error_fields, read};

/// An organization with a basic contract, a tenant, and a customer with edit on it; answers
/// (contract number, the customer's token).
async fn filer(app: &TestApp) -> (String, String) {
    let (org, contract) = app.customer_org("Org", "ECL-1", "basic").await;
    let body = json!({ "organization_id": org, "tenant_id": "tenant-001" });
    let (status, t) = app
        .admin(Method::POST, "/api/v1/admin/tenants", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let (id, token) = app.user("filer@org.example", "customer", Some(&org)).await;
    let body = json!({ "user_id": id, "contract_number": contract, "level": "edit" });
    let (status, p) = app
        .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    (contract, token)
}

fn inquiry(contract: &str) -> Value {
    json!({
        "contract_number": contract, "ticket_type": "general_inquiry", "summary": "スナップショットの取り方",
        "service_menu": "virtual_server", "tenant_id": "tenant-001", "details": "手順を教えてください。",
        "menu_fields": { "server_name": "web-01", "region": "JP1" },
    })
}

fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn ticket_count(app: &TestApp, token: &str) -> usize {
    let (status, list) = app
        .as_user(token, Method::GET, "/api/v1/tickets", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"].as_array().unwrap().len()
}

api_test!(
    a_huge_list_of_participants_is_one_problem_in_a_small_answer,
    async |app: &TestApp| {
        let (contract, token) = filer(app).await;
        let mut body = inquiry(&contract);
        // 150 000 participants in about 750 KB, as the review sent them.
        body["participants"] = json!(vec!["x"; 150_000]);
        let response = app
            .call(Method::POST, "/api/v1/tickets", Some(&token), Some(body))
            .await;
        assert_eq!(content_type(&response), "application/problem+json");
        let text = response.text().await.unwrap();
        assert!(text.len() < 2_000, "a small answer: {} bytes", text.len());
        let problem: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(problem["status"], 422);
        assert_eq!(problem["type"], "/problems/invalid-fields");
        assert_eq!(error_fields(&problem), ["participants"]);
        assert_eq!(problem["errors"][0]["message"], "Use at most 50.");
        assert_eq!(ticket_count(app, &token).await, 0, "nothing filed");
    }
);

api_test!(
    menu_fields_and_attachments_past_their_caps_are_refused_before_they_are_checked,
    async |app: &TestApp| {
        let (contract, token) = filer(app).await;
        let mut body = inquiry(&contract);
        let fields: serde_json::Map<String, Value> = (0..101)
            .map(|i| (format!("item_{i}"), json!("x")))
            .collect();
        body["menu_fields"] = Value::Object(fields);
        body["attachments"] = json!(vec!["no-such-upload"; 11]);
        body["participants"] = json!(vec!["nobody@org.example"; 51]);
        let (status, problem) = app
            .as_user(&token, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(
            error_fields(&problem),
            ["menu_fields", "participants", "attachments"],
            "one problem per list, none per entry: {problem}"
        );
        assert_eq!(problem["errors"][0]["message"], "Use at most 100.");
        assert_eq!(problem["errors"][1]["message"], "Use at most 50.");
        assert_eq!(problem["errors"][2]["message"], "Use at most 10.");
        // Exactly at the caps, the entries themselves are checked (and named one by one); with
        // the summary left out that is 51 problems, of which the answer lists the first 50.
        let mut body = inquiry(&contract);
        body["participants"] = json!(vec!["nobody@org.example"; 50]);
        body["summary"] = json!("");
        let (status, problem) = app
            .as_user(&token, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let fields = error_fields(&problem);
        assert_eq!(fields.len(), 50, "{problem}");
        assert_eq!(fields[0], "summary");
        assert_eq!(fields[1], "participants[0]");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("51 problems; the first 50 are listed. summary:"),
            "{detail}"
        );
        assert_eq!(ticket_count(app, &token).await, 0, "nothing filed");
    }
);

api_test!(
    the_filing_page_shows_the_participants_cap_and_keeps_what_was_typed,
    async |app: &TestApp| {
        let (contract, _) = filer(app).await;
        let (browser, csrf) = app.log_in("filer@org.example").await;
        let mut form = Form::new()
            .text("csrf", csrf)
            .text("summary", "ログインできない")
            .text("service_menu", "virtual_server")
            .text("menu.virtual_server.server_name", "web-01")
            .text("menu.virtual_server.region", "JP1")
            .text("tenant_id", "tenant-001")
            .text("details", "手順を教えてください。")
            .text("action", "submit");
        for i in 0..60 {
            form = form.text("participants", format!("p{i}@org.example"));
        }
        let url = app.url(&format!("/tickets/new/{contract}/general_inquiry"));
        let response = browser.post(&url).multipart(form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("data-field=\"participants\""),
            "the error is shown beside the participants"
        );
        assert!(page.contains("50"), "the error says the limit");
        assert!(page.contains("value=\"ログインできない\""), "summary kept");
        assert!(page.contains("手順を教えてください。"), "details kept");
    }
);

api_test!(
    search_words_past_the_limit_are_refused_with_the_limit,
    async |app: &TestApp| {
        let (_, token) = filer(app).await;
        let body = json!({ "email": "agent@support.example", "name": "Agent", "role": "agent", "desks": ["general"] });
        let (status, user) = app
            .admin(Method::POST, "/api/v1/admin/users", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let id = user["id"].as_str().unwrap();
        let (_, agent) = app
            .admin(
                Method::POST,
                &format!("/api/v1/admin/users/{id}/tokens"),
                None,
            )
            .await;
        let agent = agent["token"].as_str().unwrap().to_owned();
        // 25 000 words, as the review sent them.
        let words = vec!["a"; 25_000].join("+");
        for (who, path) in [
            (&token, "/api/v1/tickets"),
            (&token, "/api/v1/kb/articles"),
            (&agent, "/api/v1/tickets"),
            (&agent, "/api/v1/queues/general"),
        ] {
            let response = app
                .call(Method::GET, &format!("{path}?q={words}"), Some(who), None)
                .await;
            assert_eq!(
                content_type(&response),
                "application/problem+json",
                "{path}"
            );
            let (status, problem) = read(response).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}: {problem}"
            );
            assert_eq!(error_fields(&problem), ["q"], "{path}");
            assert_eq!(
                problem["errors"][0]["message"], "Use at most 200 characters.",
                "{path}"
            );
        }
        // At the limit, the search runs.
        let words = "a".repeat(200);
        let (status, list) = app
            .as_user(
                &token,
                Method::GET,
                &format!("/api/v1/tickets?q={words}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        // The list page says so and keeps the words in the box.
        let (browser, _) = app.log_in("filer@org.example").await;
        let long = "b".repeat(201);
        let page = browser
            .get(app.url(&format!("/tickets?q={long}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("200"), "the page says the limit");
        assert!(
            page.contains(&format!("value=\"{long}\"")),
            "the words kept"
        );
        let response = browser
            .get(app.url(&format!("/kb?q={long}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("id=\"q-error\""),
            "the knowledge center says so"
        );
        assert!(
            page.contains(&format!("value=\"{long}\"")),
            "the words kept"
        );
    }
);

api_test!(
    a_json_array_is_refused_where_an_object_is_expected,
    async |app: &TestApp| {
        let (_, token) = filer(app).await;
        let (_, before) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        let response = app
            .call(
                Method::PATCH,
                "/api/v1/me",
                Some(&token),
                Some(json!(["en", "Europe/Paris"])),
            )
            .await;
        assert_eq!(content_type(&response), "application/problem+json");
        let (status, problem) = read(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(problem["type"], "/problems/malformed");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("JSON object"), "{detail}");
        let (_, after) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(after["locale"], before["locale"], "the locale is untouched");
        assert_eq!(after["time_zone"], before["time_zone"]);
        // Every body, not only the profile: a ticket as an array files nothing.
        let (status, problem) = app
            .as_user(
                &token,
                Method::POST,
                "/api/v1/tickets",
                Some(json!(["ECL-1", "general_inquiry", "summary"])),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(ticket_count(app, &token).await, 0);
    }
);

api_test!(
    a_value_of_the_wrong_type_is_named_by_its_field,
    async |app: &TestApp| {
        let (contract, token) = filer(app).await;
        let (status, problem) = app
            .as_user(
                &token,
                Method::PATCH,
                "/api/v1/me",
                Some(json!({ "locale": 5 })),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(error_fields(&problem), ["locale"]);
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("expected a string"), "{message}");
        assert!(
            !message.contains("line 1"),
            "no parser positions: {message}"
        );
        let mut body = inquiry(&contract);
        body["menu_fields"]["server_name"] = json!(5);
        let (status, problem) = app
            .as_user(&token, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(error_fields(&problem), ["menu_fields.server_name"]);
        // Not JSON at all: said with where it broke.
        let response = app
            .client
            .patch(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body("{\"locale\": ")
            .send()
            .await
            .unwrap();
        let (status, problem) = read(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .starts_with("The body is not valid JSON"),
            "{problem}"
        );
    }
);

api_test!(
    a_body_of_the_wrong_media_type_is_415,
    async |app: &TestApp| {
        let (_, token) = filer(app).await;
        let response = app
            .client
            .patch(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .header("content-type", "text/plain")
            .body("{\"locale\": \"en\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(content_type(&response), "application/problem+json");
        let (status, problem) = read(response).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{problem}");
        assert_eq!(problem["type"], "/problems/unsupported-media-type");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("application/json")
        );
        // An upload that is not multipart.
        let response = app
            .client
            .post(app.url("/api/v1/attachments"))
            .bearer_auth(&token)
            .header("content-type", "text/plain")
            .body("garbage")
            .send()
            .await
            .unwrap();
        assert_eq!(content_type(&response), "application/problem+json");
        let (status, problem) = read(response).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("multipart/form-data")
        );
        // Multipart without its boundary, or broken: 400, still problem+json.
        for content_type_sent in ["multipart/form-data", "multipart/form-data; boundary=x"] {
            let response = app
                .client
                .post(app.url("/api/v1/attachments"))
                .bearer_auth(&token)
                .header("content-type", content_type_sent)
                .body("garbage")
                .send()
                .await
                .unwrap();
            assert_eq!(
                content_type(&response),
                "application/problem+json",
                "{content_type_sent}"
            );
            let (status, problem) = read(response).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
            assert_eq!(problem["type"], "/problems/malformed");
        }
    }
);

api_test!(
    routes_methods_and_path_segments_answer_problem_json,
    async |app: &TestApp| {
        let (_, token) = filer(app).await;
        let response = app
            .call(
                Method::GET,
                "/api/v1/attachments/%FF%FE",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(content_type(&response), "application/problem+json");
        let (status, problem) = read(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(problem["type"], "/problems/malformed");
        assert!(
            problem["detail"].as_str().unwrap().contains("UTF-8"),
            "{problem}"
        );
        for method in [Method::GET, Method::POST] {
            let response = app
                .call(method.clone(), "/api/v1/no-such-thing", Some(&token), None)
                .await;
            assert_eq!(content_type(&response), "application/problem+json");
            let (status, problem) = read(response).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method}");
            assert_eq!(problem["type"], "/problems/not-found");
        }
        let response = app
            .call(Method::DELETE, "/api/v1/me", Some(&token), None)
            .await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(response.headers().contains_key("allow"));
        assert_eq!(content_type(&response), "application/problem+json");
        // Pages keep their HTML error pages.
        let response = app.call(Method::GET, "/no-such-page", None, None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(content_type(&response).starts_with("text/html"));
    }
);

api_test!(
    a_key_with_a_line_break_is_refused_before_anything_is_written,
    async |app: &TestApp| {
        let (contract, token) = filer(app).await;
        let (status, ticket) = app
            .as_user(
                &token,
                Method::POST,
                "/api/v1/tickets",
                Some(inquiry(&contract)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{ticket}");
        let key = ticket["key"].as_str().unwrap().to_owned();
        let response = app
            .call(
                Method::POST,
                &format!("/api/v1/tickets/{key}%0A/messages"),
                Some(&token),
                Some(json!({ "body": "追記です" })),
            )
            .await;
        assert_eq!(content_type(&response), "application/problem+json");
        let (status, _) = read(response).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The page's reply form with a file: refused before the file is stored.
        let (browser, csrf) = app.log_in("filer@org.example").await;
        let form = Form::new()
            .text("csrf", csrf)
            .text("body", "追記です")
            .part(
                "files",
                Part::bytes(b"a log".to_vec())
                    .file_name("app.log")
                    .mime_str("text/plain")
                    .unwrap(),
            );
        let response = browser
            .post(app.url(&format!("/tickets/{key}%0A/messages")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let stored = walk(&app.data_dir().join("attachments"));
        assert!(stored.is_empty(), "no file kept: {stored:?}");
        let (_, detail) = app
            .as_user(&token, Method::GET, &format!("/api/v1/tickets/{key}"), None)
            .await;
        assert_eq!(detail["messages"], json!([]), "no reply written");
    }
);

/// Every file under `dir` (none when it does not exist).
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
    }
    files
}

api_test!(
    metrics_are_served_only_to_the_configured_token,
    async |app: &TestApp| {
        let response = app.call(Method::GET, "/metrics", None, None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let response = app
            .call(Method::GET, "/metrics", Some("wrong-token"), None)
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let text = response.text().await.unwrap();
        assert!(!text.contains("madoguchi_http_requests_total"), "{text}");
        let response = app
            .call(Method::GET, "/metrics", Some(METRICS_TOKEN), None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        assert!(text.contains("madoguchi_http_requests_total"), "{text}");
    }
);

async fn metrics_off(backend: madoguchi_store::testing::Backend) {
    let Some(app) = crate::helpers::spawn_app_with(backend, |c| c.metrics_token = None).await
    else {
        return;
    };
    let response = app
        .call(Method::GET, "/metrics", Some(METRICS_TOKEN), None)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let text = response.text().await.unwrap();
    assert!(text.contains("MADOGUCHI_METRICS_TOKEN"), "{text}");
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_without_a_token_configured_are_off_sqlite() {
    metrics_off(madoguchi_store::testing::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_without_a_token_configured_are_off_postgres() {
    metrics_off(madoguchi_store::testing::Backend::Postgres).await;
}

api_test!(
    signing_out_clears_the_drafts_kept_in_the_browser,
    async |app: &TestApp| {
        filer(app).await;
        let (browser, csrf) = app.log_in("filer@org.example").await;
        let home = browser
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("action=\"/logout\" class=\"inline\" data-clear-drafts"),
            "the sign-out form is marked for app.js"
        );
        let script = browser
            .get(app.url("/static/app.js"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(script.contains("form[data-clear-drafts]"));
        assert!(script.contains("localStorage.removeItem(k)"));
        let response = browser
            .post(app.url("/logout"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["clear-site-data"], "\"storage\"");
    }
);
