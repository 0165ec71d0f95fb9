//! A disabled user is neither offered nor reached (issue 13): not as an assignee (the agent's
//! page, bulk changes, the API), nor as a participant, nor as a desk member, and they get no
//! email while disabled; what is already theirs stays. Admins issue named tokens with an
//! expiry; `/api/v1/me` says the caller is not disabled. On both databases.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_fields};
use crate::notify_world::{person, world};
use crate::smtp::SmtpServer;
use crate::{api_test, smtp_test};

async fn set_disabled(app: &TestApp, id: &str, disabled: bool) {
    let (status, user) = app
        .admin(
            Method::PATCH,
            &format!("/api/v1/admin/users/{id}"),
            Some(json!({ "disabled": disabled })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
}

async fn patch(app: &TestApp, token: &str, key: &str, body: Value) -> (StatusCode, Value) {
    app.as_user(
        token,
        Method::PATCH,
        &format!("/api/v1/tickets/{key}"),
        Some(body),
    )
    .await
}

/// The message the problem gives for `field`.
fn message(problem: &Value, field: &str) -> String {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["field"] == field)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_default()
        .to_owned()
}

api_test!(
    a_disabled_agent_is_neither_offered_nor_assigned_and_keeps_their_tickets,
    async |app: &TestApp| {
        let w = world(app).await;
        let (jiro_id, _) = person(
            app,
            "jiro@support.example",
            "鈴木 次郎",
            "agent",
            None,
            "ja",
            &["general"],
        )
        .await;
        let (status, t) = patch(app, &w.agent, &w.key, json!({ "assignee": jiro_id })).await;
        assert_eq!(status, StatusCode::OK, "{t}");
        set_disabled(app, &jiro_id, true).await;

        // The API refuses them by id and by email, naming the field and why.
        for who in [jiro_id.as_str(), "jiro@support.example"] {
            let (status, problem) = patch(app, &w.agent, &w.key, json!({ "assignee": who })).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
            assert_eq!(error_fields(&problem), ["assignee"], "{problem}");
            assert!(
                message(&problem, "assignee").contains("disabled"),
                "{problem}"
            );
        }
        // So do bulk changes, ticket by ticket.
        let body = json!({ "keys": [w.key], "assignee": jiro_id });
        let (status, answer) = app
            .as_user(&w.agent, Method::POST, "/api/v1/tickets/bulk", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["results"][0]["ok"], false, "{answer}");
        assert_eq!(answer["results"][0]["error"]["status"], 422, "{answer}");

        // What was theirs stays theirs.
        let t = w.ticket(app, &w.agent).await;
        assert_eq!(t["assignee"]["id"], json!(jiro_id), "{t}");

        // The agent's page shows the assignee as disabled and does not offer them; neither
        // does the queue page's bulk change.
        let (agent, _) = app.log_in("agent@support.example").await;
        let html = agent
            .get(app.url(&format!("/tickets/{}", w.key)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(
                r#"id="ticket-assignee">鈴木 次郎 <span class="badge disabled">無効</span>"#
            ),
            "{html}"
        );
        assert!(
            !html.contains(&format!(r#"<option value="{jiro_id}""#)),
            "{html}"
        );
        assert!(
            html.contains(&format!(r#"<option value="{}""#, w.agent_id)),
            "{html}"
        );
        let html = agent
            .get(app.url("/queues/general"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(r#"id="b-assignee""#), "{html}");
        assert!(
            !html.contains(&format!(r#"<option value="{jiro_id}""#)),
            "{html}"
        );

        // Enabled again, they may be assigned and are offered.
        set_disabled(app, &jiro_id, false).await;
        let (status, t) = patch(app, &w.agent, &w.key, json!({ "assignee": "" })).await;
        assert_eq!(status, StatusCode::OK, "{t}");
        let (status, t) = patch(app, &w.agent, &w.key, json!({ "assignee": jiro_id })).await;
        assert_eq!(status, StatusCode::OK, "{t}");
        let html = agent
            .get(app.url(&format!("/tickets/{}", w.key)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!(r#"<option value="{jiro_id}" selected>"#)),
            "{html}"
        );
        assert!(!html.contains("badge disabled"), "{html}");
    }
);

api_test!(
    a_disabled_colleague_cannot_be_added_as_a_participant,
    async |app: &TestApp| {
        let w = world(app).await;
        set_disabled(app, &w.taro_id, true).await;
        let body = json!({
            "contract_number": "ECL-A", "ticket_type": "general_inquiry", "summary": "再起動できない",
            "service_menu": "virtual_server", "tenant_id": "tenant-001", "details": "止まったままです。",
            "menu_fields": { "server_name": "web-01", "region": "JP1" },
            "participants": ["taro@example.co.jp"],
        });
        let (status, problem) = app
            .as_user(
                &w.hanako,
                Method::POST,
                "/api/v1/tickets",
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["participants[0]"], "{problem}");
        assert!(
            message(&problem, "participants[0]").contains("disabled"),
            "{problem}"
        );
        // The existing ticket keeps them as a participant.
        let t = w.ticket(app, &w.hanako).await;
        assert!(t["participants"].to_string().contains(&w.taro_id), "{t}");

        set_disabled(app, &w.taro_id, false).await;
        let (status, t) = app
            .as_user(&w.hanako, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
    }
);

api_test!(
    a_disabled_agent_cannot_join_a_desk_but_stays_listed_on_theirs,
    async |app: &TestApp| {
        let (id, _) = person(
            app,
            "jiro@support.example",
            "鈴木 次郎",
            "agent",
            None,
            "ja",
            &["general"],
        )
        .await;
        set_disabled(app, &id, true).await;
        let (status, problem) = app
            .admin(
                Method::PUT,
                &format!("/api/v1/admin/desks/premium/members/{id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["user_id"], "{problem}");
        assert!(
            message(&problem, "user_id").contains("disabled"),
            "{problem}"
        );
        let (_, premium) = app
            .admin(Method::GET, "/api/v1/admin/desks/premium/members", None)
            .await;
        assert!(!premium.to_string().contains(&id), "{premium}");
        let (_, general) = app
            .admin(Method::GET, "/api/v1/admin/desks/general/members", None)
            .await;
        assert!(general.to_string().contains(&id), "{general}");
        // The console's desks page does not offer them for the other desk either.
        app.user("ops@support.example", "admin", None).await;
        let (admin, _) = app.log_in("ops@support.example").await;
        let premium_section =
            |html: &str| html[html.find("id=\"desk-premium\"").unwrap()..].to_owned();
        let desks = admin
            .get(app.url("/admin/desks"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let option = format!(r#"<option value="{id}">"#);
        assert!(!premium_section(&desks).contains(&option), "{desks}");

        set_disabled(app, &id, false).await;
        let desks = admin
            .get(app.url("/admin/desks"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(premium_section(&desks).contains(&option), "{desks}");
        let (status, p) = app
            .admin(
                Method::PUT,
                &format!("/api/v1/admin/desks/premium/members/{id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{p}");
    }
);

smtp_test!(
    a_disabled_user_gets_no_email_while_disabled,
    async |app: &TestApp, smtp: &SmtpServer| {
        let w = world(app).await;
        set_disabled(app, &w.taro_id, true).await;
        w.agent_says(app, "再起動の手順をご案内します。", false)
            .await;
        let m = crate::notify_world::mailer(app, Some(&smtp.url));
        madoguchi_app::notify::run_outbox(&app.db.store, &m, jiff::Timestamp::now())
            .await
            .unwrap();
        let to: Vec<Vec<String>> = smtp.received().iter().map(|m| m.to.clone()).collect();
        assert_eq!(to, [["hanako@example.co.jp"]], "{to:?}");
        let (_, skipped) = app
            .admin(Method::GET, "/api/v1/admin/outbox?state=skipped", None)
            .await;
        assert!(
            skipped["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["recipient"] == format!("user:{}", w.taro_id)
                    && i["skipped"] == "disabled"),
            "{skipped}"
        );

        // Enabled again, they hear of what comes next.
        set_disabled(app, &w.taro_id, false).await;
        w.agent_says(app, "続報です。", false).await;
        madoguchi_app::notify::run_outbox(&app.db.store, &m, jiff::Timestamp::now())
            .await
            .unwrap();
        let taro = smtp
            .received()
            .iter()
            .filter(|m| m.to.iter().any(|t| t == "taro@example.co.jp"))
            .count();
        assert_eq!(taro, 1);
    }
);

api_test!(
    an_admin_issues_named_tokens_with_an_expiry_and_old_clients_still_get_one,
    async |app: &TestApp| {
        let (id, _) = app.user("ci@support.example", "agent", None).await;
        let path = format!("/api/v1/admin/users/{id}/tokens");

        let (status, t) = app
            .admin(
                Method::POST,
                &path,
                Some(json!({ "name": "CI", "expires_at": "2099-12-31T00:00:00Z" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        assert_eq!(t["name"], "CI", "{t}");
        assert_eq!(t["expires_at"], "2099-12-31T00:00:00Z", "{t}");
        let ci = t["token"].as_str().unwrap().to_owned();
        let (status, me) = app.as_user(&ci, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["disabled"], false, "{me}");

        // No body, as before named tokens: named for where it came from, no expiry.
        let (status, t) = app.admin(Method::POST, &path, None).await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        assert_eq!(t["name"], "admin-issued", "{t}");
        assert!(t["expires_at"].is_null(), "{t}");
        let (status, t) = app
            .admin(
                Method::POST,
                &path,
                Some(json!({ "expires_at": "2099-01-01" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        assert_eq!(t["name"], "admin-issued", "{t}");
        assert!(t["expires_at"].is_string(), "{t}");

        // The rules of the owner's own tokens.
        for (body, field) in [
            (
                json!({ "name": "old", "expires_at": "2001-01-01" }),
                "expires_at",
            ),
            (json!({ "expires_at": "someday" }), "expires_at"),
            (json!({ "name": "  " }), "name"),
        ] {
            let (status, problem) = app.admin(Method::POST, &path, Some(body)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
            assert_eq!(error_fields(&problem), [field], "{problem}");
        }
        let (_, listed) = app.admin(Method::GET, &path, None).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 4, "{listed}");
        let (status, _) = app
            .admin(Method::POST, "/api/v1/admin/users/nobody/tokens", None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);
