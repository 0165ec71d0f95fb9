//! チケット作成権限の付与: customer admins manage their own organization only.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_test;
use crate::helpers::{TestApp, error_fields};

api_test!(
    customer_admins_grant_within_their_organization,
    async |app: &TestApp| {
        let (org, contract) = app.customer_org("Org", "ECL-1", "basic").await;
        let (_, admin_token) = app
            .user("admin@org.example", "customer_admin", Some(&org))
            .await;
        let (colleague, colleague_token) = app.user("u@org.example", "customer", Some(&org)).await;

        let body = json!({ "user_id": colleague, "contract_number": contract, "level": "view" });
        let (status, granted) = app
            .as_user(
                &admin_token,
                Method::PUT,
                "/api/v1/admin/permissions",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{granted}");
        let (_, me) = app
            .as_user(&colleague_token, Method::GET, "/api/v1/me", None)
            .await;
        assert_eq!(me["permissions"][0]["level"], "view");

        let (status, listed) = app
            .as_user(&admin_token, Method::GET, "/api/v1/admin/permissions", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);

        let body = json!({ "user_id": colleague, "contract_number": contract });
        let (status, _) = app
            .as_user(
                &admin_token,
                Method::DELETE,
                "/api/v1/admin/permissions",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
);

api_test!(
    customer_admins_see_nothing_of_other_organizations,
    async |app: &TestApp| {
        let (org_a, _) = app.customer_org("Org A", "ECL-A", "basic").await;
        let (org_b, contract_b) = app.customer_org("Org B", "ECL-B", "basic").await;
        let (_, admin_a) = app
            .user("admin@a.example", "customer_admin", Some(&org_a))
            .await;
        let (user_b, token_b) = app.user("u@b.example", "customer", Some(&org_b)).await;

        // Another organization's user and contract look like nothing at all.
        let body = json!({ "user_id": user_b, "contract_number": contract_b, "level": "edit" });
        let (status, problem) = app
            .as_user(
                &admin_a,
                Method::PUT,
                "/api/v1/admin/permissions",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let mut fields = error_fields(&problem);
        fields.sort();
        assert_eq!(fields, ["contract_number", "user_id"]);
        for problem in problem["errors"].as_array().unwrap() {
            assert!(!problem["message"].as_str().unwrap().contains("Org B"));
        }
        let (_, me) = app.as_user(&token_b, Method::GET, "/api/v1/me", None).await;
        assert_eq!(me["permissions"], json!([]));

        let (status, _) = app
            .as_user(
                &admin_a,
                Method::GET,
                &format!("/api/v1/admin/users/{user_b}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "404, never 403");
        let (_, users) = app
            .as_user(
                &admin_a,
                Method::GET,
                &format!("/api/v1/admin/users?organization_id={org_b}"),
                None,
            )
            .await;
        assert!(
            users["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|u| u["organization_id"] == org_a.as_str())
        );
        let (_, contracts) = app
            .as_user(&admin_a, Method::GET, "/api/v1/admin/contracts", None)
            .await;
        assert_eq!(contracts["items"].as_array().unwrap().len(), 1);
        assert_eq!(contracts["items"][0]["contract_number"], "ECL-A");
    }
);

api_test!(
    customers_cannot_grant_themselves_anything,
    async |app: &TestApp| {
        let (org, contract) = app.customer_org("Org", "ECL-1", "basic").await;
        let (me, token) = app.user("u@org.example", "customer", Some(&org)).await;
        let body = json!({ "user_id": me, "contract_number": contract, "level": "edit" });
        let (status, _) = app
            .as_user(&token, Method::PUT, "/api/v1/admin/permissions", Some(body))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);
