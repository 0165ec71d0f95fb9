//! The audit log (issue 13): `GET /api/v1/admin/events`, its JSON lines export and the
//! `/admin/events` page — filters, pages, a customer admin's part of the log, refusals, and
//! sign-ins recorded.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{TestApp, browser, error_fields, hidden};

/// What the note says; no answer of the log may contain it.
const NOTE: &str = "社内メモ NOTE-SECRET-42";

struct World {
    org: String,
    other_org: String,
    filer_id: String,
    filer: String,
    customer_admin: String,
    agent_id: String,
    agent: String,
    stranger_id: String,
}

async fn world(app: &TestApp) -> World {
    let (org, contract) = app.customer_org("株式会社監査", "ECL-A", "basic").await;
    app.admin(
        Method::POST,
        "/api/v1/admin/tenants",
        Some(json!({ "organization_id": org, "tenant_id": "tenant-001" })),
    )
    .await;
    let (filer_id, filer) = app
        .user("filer@audit.example", "customer", Some(&org))
        .await;
    let (_, customer_admin) = app
        .user("admin@audit.example", "customer_admin", Some(&org))
        .await;
    let (status, p) = app
        .as_user(
            &customer_admin,
            Method::PUT,
            "/api/v1/admin/permissions",
            Some(json!({ "user_id": filer_id, "contract_number": contract, "level": "edit" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let (other_org, _) = app.customer_org("Other K.K.", "ECL-X", "basic").await;
    let (stranger_id, _) = app
        .user("stranger@other.example", "customer", Some(&other_org))
        .await;
    let body = json!({
        "email": "agent@support.example", "name": "担当 一郎", "role": "agent",
        "desks": ["general"], "password": "correct horse battery",
    });
    let (status, agent) = app
        .admin(Method::POST, "/api/v1/admin/users", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{agent}");
    let agent_id = agent["id"].as_str().unwrap().to_owned();
    let (_, token) = app
        .admin(
            Method::POST,
            &format!("/api/v1/admin/users/{agent_id}/tokens"),
            None,
        )
        .await;
    let agent = token["token"].as_str().unwrap().to_owned();

    let body = json!({
        "contract_number": "ECL-A", "ticket_type": "general_inquiry", "summary": "手順を教えて",
        "service_menu": "other", "tenant_id": "tenant-001", "details": "スナップショットの手順",
        "menu_fields": { "service_name": "DNS" },
    });
    let (status, ticket) = app
        .as_user(&filer, Method::POST, "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    let key = ticket["key"].as_str().unwrap();
    for body in [
        json!({ "body": NOTE, "internal": true }),
        json!({ "body": "手順はこちらです。" }),
    ] {
        let (status, m) = app
            .as_user(
                &agent,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
    }
    let (status, t) = app
        .as_user(
            &agent,
            Method::PATCH,
            &format!("/api/v1/tickets/{key}"),
            Some(json!({ "priority": "p1", "assignee": agent_id })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    World {
        org,
        other_org,
        filer_id,
        filer,
        customer_admin,
        agent_id,
        agent,
        stranger_id,
    }
}

async fn events(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    app.as_user(
        token,
        Method::GET,
        &format!("/api/v1/admin/events{query}"),
        None,
    )
    .await
}

fn items(list: &Value) -> &Vec<Value> {
    list["items"].as_array().expect("a list of events")
}

fn kinds(list: &Value) -> Vec<&str> {
    items(list)
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}

/// A sign-in attempt through the page with this password.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> StatusCode {
    let client = browser();
    let login = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&login, "csrf");
    client
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

api_test!(
    admins_filter_the_log_by_organization_actor_kind_and_time,
    async |app: &TestApp| {
        let w = world(app).await;
        let admin = app.admin_token.clone();
        let (status, all) = events(app, &admin, "?limit=200").await;
        assert_eq!(status, StatusCode::OK, "{all}");
        let ids: Vec<i64> = items(&all)
            .iter()
            .map(|e| e["id"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(ids.windows(2).all(|p| p[0] > p[1]), "newest first");
        let grant = items(&all)
            .iter()
            .find(|e| e["kind"] == "permission.granted" && e["subject"] == w.filer_id.as_str())
            .expect("the customer admin's grant is logged");
        assert_eq!(grant["organization"]["id"], w.org.as_str());
        assert_eq!(grant["organization"]["name"], "株式会社監査");
        assert_eq!(grant["actor"]["email"], "admin@audit.example");
        assert_eq!(grant["data"]["level"], "edit");
        assert!(
            grant["occurred_at"]
                .as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .is_ok()
        );

        let (_, of_org) = events(app, &admin, &format!("?organization={}", w.org)).await;
        assert!(!items(&of_org).is_empty());
        assert!(
            items(&of_org)
                .iter()
                .all(|e| e["organization"]["id"] == w.org.as_str())
        );
        assert!(
            !items(&of_org)
                .iter()
                .any(|e| e["subject"] == w.stranger_id.as_str())
        );

        let (_, by_agent) = events(app, &admin, &format!("?actor={}", w.agent_id)).await;
        assert_eq!(
            kinds(&by_agent),
            [
                "ticket.priority_changed",
                "ticket.assigned",
                "ticket.status_changed",
                "message.added",
                "message.added"
            ]
        );

        // Kinds repeat or come comma-separated.
        let (_, two) = events(app, &admin, "?kind=ticket.created&kind=permission.granted").await;
        assert_eq!(kinds(&two), ["ticket.created", "permission.granted"]);
        let (_, same) = events(app, &admin, "?kind=ticket.created,permission.granted").await;
        assert_eq!(kinds(&same), kinds(&two));

        let (_, future) = events(app, &admin, "?from=2999-01-01T00:00:00Z").await;
        assert!(items(&future).is_empty());
        let (_, past) = events(app, &admin, "?to=2000-01-01").await;
        assert!(items(&past).is_empty());
        let today = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::get("Asia/Tokyo").unwrap())
            .date();
        let (status, days) =
            events(app, &admin, &format!("?from={today}&to={today}&limit=200")).await;
        assert_eq!(status, StatusCode::OK, "{days}");
        assert_eq!(items(&days).len(), items(&all).len());
    }
);

api_test!(
    pages_and_the_export_carry_every_event_once,
    async |app: &TestApp| {
        world(app).await;
        let admin = app.admin_token.clone();
        let (_, all) = events(app, &admin, "?limit=200").await;
        let every: Vec<Value> = items(&all).clone();
        assert!(every.len() > 10);

        let mut paged = Vec::new();
        let mut query = "?limit=4".to_owned();
        loop {
            let (status, page) = events(app, &admin, &query).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert!(items(&page).len() <= 4);
            paged.extend(items(&page).iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => query = format!("?limit=4&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(paged, every);

        let response = app
            .call(
                Method::GET,
                "/api/v1/admin/events/export",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "application/x-ndjson"
        );
        let text = response.text().await.unwrap();
        assert!(text.ends_with('\n'));
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is one JSON event"))
            .collect();
        assert_eq!(lines, every);

        // The export keeps the filters.
        let response = app
            .call(
                Method::GET,
                "/api/v1/admin/events/export?kind=message.added",
                Some(&admin),
                None,
            )
            .await;
        let text = response.text().await.unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(
            text.lines()
                .all(|l| l.contains("\"kind\":\"message.added\""))
        );
    }
);

api_test!(
    a_customer_admin_sees_their_organizations_customer_side_only,
    async |app: &TestApp| {
        let w = world(app).await;
        let (status, theirs) = events(app, &w.customer_admin, "?limit=200").await;
        assert_eq!(status, StatusCode::OK, "{theirs}");
        assert!(!items(&theirs).is_empty());
        assert!(
            items(&theirs)
                .iter()
                .all(|e| e["organization"]["id"] == w.org.as_str())
        );
        let seen = kinds(&theirs);
        for staff_only in ["ticket.assigned", "ticket.priority_changed"] {
            assert!(
                !seen.contains(&staff_only),
                "{staff_only} is support's business"
            );
        }
        for customer_side in [
            "permission.granted",
            "ticket.created",
            "message.added",
            "user.created",
        ] {
            assert!(
                seen.contains(&customer_side),
                "{customer_side} missing from {seen:?}"
            );
        }
        let messages: Vec<&Value> = items(&theirs)
            .iter()
            .filter(|e| e["kind"] == "message.added")
            .collect();
        assert_eq!(messages.len(), 1, "the public reply, not the note");
        assert_eq!(messages[0]["data"]["internal"], false);
        // The agent is named, but a staff address is not shown to customers.
        assert_eq!(messages[0]["actor"]["name"], "担当 一郎");
        assert_eq!(messages[0]["actor"]["email"], Value::Null);
        assert!(!theirs.to_string().contains("NOTE-SECRET"));

        // Another organization, named outright, is simply empty.
        let (status, other) = events(
            app,
            &w.customer_admin,
            &format!("?organization={}", w.other_org),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{other}");
        assert!(items(&other).is_empty());
        assert_eq!(other["next_cursor"], Value::Null);
        let (_, stranger) =
            events(app, &w.customer_admin, &format!("?actor={}", w.stranger_id)).await;
        assert!(items(&stranger).is_empty());

        // The export follows the same rule.
        let text = app
            .call(
                Method::GET,
                "/api/v1/admin/events/export",
                Some(&w.customer_admin),
                None,
            )
            .await
            .text()
            .await
            .unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(&lines, items(&theirs));
        let text = app
            .call(
                Method::GET,
                &format!("/api/v1/admin/events/export?organization={}", w.other_org),
                Some(&w.customer_admin),
                None,
            )
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(text, "");
    }
);

api_test!(customers_and_agents_are_refused, async |app: &TestApp| {
    let w = world(app).await;
    for token in [&w.filer, &w.agent] {
        let (status, problem) = events(app, token, "").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        let response = app
            .call(
                Method::GET,
                "/api/v1/admin/events/export",
                Some(token),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    let response = app
        .call(Method::GET, "/api/v1/admin/events", None, None)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
});

api_test!(
    sign_ins_and_wrong_passwords_of_known_users_are_recorded,
    async |app: &TestApp| {
        let w = world(app).await;
        let admin = app.admin_token.clone();
        assert_eq!(
            sign_in(app, "filer@audit.example", "correct horse battery").await,
            StatusCode::SEE_OTHER
        );
        assert_ne!(
            sign_in(app, "filer@audit.example", "wrong password 123").await,
            StatusCode::SEE_OTHER
        );
        assert_ne!(
            sign_in(app, "nobody@audit.example", "wrong password 123").await,
            StatusCode::SEE_OTHER
        );
        let (_, log) = events(app, &admin, "?kind=session.created,user.sign_in_failed").await;
        assert_eq!(kinds(&log), ["user.sign_in_failed", "session.created"]);
        for e in items(&log) {
            assert_eq!(e["subject"], w.filer_id.as_str());
            assert_eq!(e["organization"]["id"], w.org.as_str());
        }
        let failed = &items(&log)[0];
        assert_eq!(failed["actor"], Value::Null);
        assert_eq!(failed["data"], json!({ "via": "password" }));
        assert!(!log.to_string().contains("wrong password"));
        // The customer admin sees their user's sign-ins too.
        let (_, theirs) = events(
            app,
            &w.customer_admin,
            "?kind=session.created,user.sign_in_failed",
        )
        .await;
        assert_eq!(kinds(&theirs), kinds(&log));
    }
);

api_test!(
    bad_filters_answer_problems_naming_their_fields,
    async |app: &TestApp| {
        let admin = app.admin_token.clone();
        for (query, field) in [
            ("?kind=ticket.exploded", "kind"),
            ("?from=yesterday", "from"),
            ("?to=2026-13-01", "to"),
            ("?cursor=!!not-a-cursor!!", "cursor"),
            ("?cursor=bm90LWFuLWlk", "cursor"),
            ("?limit=0", "limit"),
        ] {
            let (status, problem) = events(app, &admin, query).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{query}: {problem}"
            );
            assert_eq!(error_fields(&problem), [field], "{query}");
            let response = app
                .call(
                    Method::GET,
                    &format!("/api/v1/admin/events/export{query}"),
                    Some(&admin),
                    None,
                )
                .await;
            if field != "cursor" && field != "limit" {
                assert_eq!(
                    response.status(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{query}"
                );
            }
        }
    }
);

api_test!(
    the_page_filters_and_pages_and_refuses_customers,
    async |app: &TestApp| {
        let w = world(app).await;
        app.user("ops@madoguchi.test", "admin", None).await;
        let (ops, _) = app.log_in("ops@madoguchi.test").await;
        let page = ops.get(app.url("/admin/events")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("id=\"audit-form\""));
        assert!(
            html.contains("href=\"/admin/events\""),
            "the nav links the log"
        );
        assert!(html.contains("id=\"audit-events\""));
        assert!(html.contains("株式会社監査"));

        let filtered = ops
            .get(app.url(&format!(
                "/admin/events?kind=permission.granted&organization={}",
                w.org
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            filtered.contains(&format!(
                "href=\"/api/v1/admin/events/export?organization={}&#38;kind=permission.granted\"",
                w.org
            )),
            "the export link carries the filters: {}",
            filtered
                .split("audit-links")
                .nth(1)
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect::<String>()
        );
        assert_eq!(filtered.matches("data-kind=").count(), 1);

        let bad = ops
            .get(app.url("/admin/events?from=someday"))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text().await.unwrap();
        assert!(
            html.contains("href=\"#audit-from\""),
            "the summary links the field"
        );
        assert!(html.contains("id=\"audit-from-error\""));
        assert!(html.contains("value=\"someday\""), "what was typed stays");

        let (customer_admin, _) = app.log_in("admin@audit.example").await;
        let html = customer_admin
            .get(app.url("/admin/events"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("id=\"audit-events\""));
        assert!(
            !html.contains("id=\"audit-organization\""),
            "no organization to pick"
        );
        assert!(!html.contains("data-kind=\"ticket.assigned\""));
        assert!(html.contains("data-kind=\"permission.granted\""));
        assert!(!html.contains("NOTE-SECRET"));

        let (filer, _) = app.log_in("filer@audit.example").await;
        let refused = filer.get(app.url("/admin/events")).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let home = filer
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !home.contains("href=\"/admin/events\""),
            "customers get no link"
        );
    }
);
