//! A delete that other records prevent says what they are (issue 13): a contract, tenant or
//! user that tickets use answers 409 naming the tickets (a few keys and the count), an
//! organization names its users, tenants, contracts and tickets; the console's confirmation
//! page says the same and offers no delete.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::canned_replies::file;
use crate::helpers::TestApp;

/// The messages of a problem's `errors`, by field.
fn reasons(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

api_test!(
    deletes_refused_by_tickets_name_the_tickets,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("株式会社使用中", "ECL-C1", "basic").await;
        let body = json!({ "organization_id": org, "tenant_id": "tenant-c1" });
        let (_, tenant) = app
            .admin(Method::POST, "/api/v1/admin/tenants", Some(body))
            .await;
        let (filer_id, filer) = app
            .user("filer@shiyou.example", "customer", Some(&org))
            .await;
        let body = json!({ "user_id": filer_id, "contract_number": "ECL-C1", "level": "edit" });
        app.admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
            .await;
        let mut keys = Vec::new();
        for _ in 0..6 {
            keys.push(file(app, &filer, "ECL-C1", "general_inquiry").await);
        }
        let (_, contracts) = app
            .admin(
                Method::GET,
                &format!("/api/v1/admin/contracts?organization_id={org}"),
                None,
            )
            .await;
        let contract = contracts["items"][0]["id"].as_str().unwrap().to_owned();

        let (status, problem) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/contracts/{contract}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        let named = format!(
            "Used by 6 tickets ({}, …); tickets are never deleted, so this stays.",
            keys[..5].join(", ")
        );
        assert_eq!(reasons(&problem), [("tickets".to_owned(), named.clone())]);

        let tenant = tenant["id"].as_str().unwrap();
        let (status, problem) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/tenants/{tenant}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(reasons(&problem), [("tickets".to_owned(), named.clone())]);

        let (status, problem) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/users/{filer_id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(reasons(&problem), [("tickets".to_owned(), named)]);

        let (status, problem) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/organizations/{org}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let fields: Vec<String> = reasons(&problem).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["tickets", "users", "tenants", "contracts"]);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("1 users belong to it"),
            "{problem}"
        );

        // The console's confirmation page says it before anyone clicks, and offers no delete.
        app.user("ops@shiyou.example", "admin", None).await;
        let (browser, _) = app.log_in("ops@shiyou.example").await;
        let page = browser
            .get(app.url(&format!("/admin/contracts/{contract}/delete")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("削除できません"), "{page}");
        assert!(
            page.contains(&format!("6 件のチケット（{}", keys[0])),
            "{page}"
        );
        assert!(!page.contains("id=\"confirm-delete\""), "{page}");

        // A contract nothing uses still goes, after its confirmation.
        let body = json!({
            "organization_id": org, "contract_number": "ECL-C2", "product_line": "Data Center",
            "contracting_corporation": "Example Communications Corp.", "plan": "basic", "channel": "direct",
        });
        let (_, spare) = app
            .admin(Method::POST, "/api/v1/admin/contracts", Some(body))
            .await;
        let spare = spare["id"].as_str().unwrap();
        let page = browser
            .get(app.url(&format!("/admin/contracts/{spare}/delete")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("id=\"confirm-delete\""), "{page}");
        let (status, _) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/contracts/{spare}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
);
