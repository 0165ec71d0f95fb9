//! Every bad input gets a 4xx problem+json that says what is wrong, and writes nothing.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_test;
use crate::helpers::{TestApp, error_fields, read};

fn contract(org: &str, number: &str, plan: &str) -> serde_json::Value {
    json!({
        "organization_id": org, "contract_number": number, "product_line": "Enterprise Cloud 2.0",
        "contracting_corporation": "Example Communications Corp.", "plan": plan, "channel": "direct",
    })
}

api_test!(
    an_unknown_plan_is_named_with_the_allowed_ones,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let response = app
            .call(
                Method::POST,
                "/api/v1/admin/contracts",
                Some(&app.admin_token),
                Some(contract(&org, "ECL-2", "gold")),
            )
            .await;
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let (status, problem) = read(response).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&problem), ["plan"]);
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("gold") && message.contains("basic, advanced, premium"),
            "{message}"
        );
        let (_, list) = app
            .admin(Method::GET, "/api/v1/admin/contracts", None)
            .await;
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            1,
            "nothing half-written"
        );
    }
);

api_test!(
    a_duplicate_contract_number_is_a_conflict,
    async |app: &TestApp| {
        let (org, number) = app.customer_org("Org", "ECL-1", "basic").await;
        let (status, problem) = app
            .admin(
                Method::POST,
                "/api/v1/admin/contracts",
                Some(contract(&org, &number, "premium")),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(error_fields(&problem), ["contract_number"]);
        let (_, list) = app
            .admin(Method::GET, "/api/v1/admin/contracts", None)
            .await;
        assert_eq!(
            list["items"][0]["plan"], "basic",
            "the first contract is untouched"
        );
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    }
);

api_test!(
    missing_fields_are_all_listed_at_once,
    async |app: &TestApp| {
        let (status, problem) = app
            .admin(
                Method::POST,
                "/api/v1/admin/contracts",
                Some(json!({ "plan": "basic" })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = error_fields(&problem);
        for field in [
            "organization_id",
            "contract_number",
            "product_line",
            "contracting_corporation",
            "channel",
        ] {
            assert!(
                fields.contains(&field.to_owned()),
                "{field} missing from {fields:?}"
            );
        }
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("contract_number")
        );
    }
);

api_test!(
    a_partner_contract_needs_its_partner,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let mut body = contract(&org, "ECL-2", "basic");
        body["channel"] = json!("partner");
        let (status, problem) = app
            .admin(Method::POST, "/api/v1/admin/contracts", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&problem), ["partner_name"]);
    }
);

api_test!(
    a_contract_of_an_unknown_organization_is_refused,
    async |app: &TestApp| {
        let (status, problem) = app
            .admin(
                Method::POST,
                "/api/v1/admin/contracts",
                Some(contract("no-such-org", "ECL-9", "basic")),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["organization_id"]);
    }
);

api_test!(
    a_permission_for_a_user_of_another_organization_is_refused,
    async |app: &TestApp| {
        let (_, contract) = app.customer_org("Org A", "ECL-A", "basic").await;
        let (org_b, _) = app.customer_org("Org B", "ECL-B", "basic").await;
        let (stranger, token) = app.user("b@example.com", "customer", Some(&org_b)).await;
        let body = json!({ "user_id": stranger, "contract_number": contract, "level": "edit" });
        let (status, problem) = app
            .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["user_id"]);
        let (_, me) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(me["permissions"], json!([]), "nothing granted");
    }
);

api_test!(a_malformed_body_is_a_400_problem, async |app: &TestApp| {
    let response = app
        .client
        .post(app.url("/api/v1/admin/organizations"))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let (status, problem) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"].as_str().unwrap().contains("JSON"),
        "{problem}"
    );

    let response = app
        .client
        .post(app.url("/api/v1/admin/organizations"))
        .bearer_auth(&app.admin_token)
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "no JSON content type"
    );
    let (status, problem) = app
        .admin(
            Method::POST,
            "/api/v1/admin/organizations",
            Some(json!({ "name": 42 })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
});

api_test!(missing_or_bad_credentials_are_401, async |app: &TestApp| {
    let response = app.call(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let (status, problem) = read(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["status"], 401);
    for token in ["mdg_not-a-real-token", "garbage", ""] {
        let (status, _) = app.as_user(token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token}");
    }
});

api_test!(
    customers_may_not_use_the_admin_api,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let (_, token) = app.user("u@example.com", "customer", Some(&org)).await;
        let (status, problem) = app
            .as_user(
                &token,
                Method::POST,
                "/api/v1/admin/organizations",
                Some(json!({ "name": "Mine" })),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        let (_, list) = app
            .admin(Method::GET, "/api/v1/admin/organizations", None)
            .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    }
);

api_test!(
    an_organization_in_use_cannot_be_deleted,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let (status, problem) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/organizations/{org}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        let (status, _) = app
            .admin(
                Method::GET,
                &format!("/api/v1/admin/organizations/{org}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
);

api_test!(bad_paging_is_explained, async |app: &TestApp| {
    let (status, problem) = app
        .admin(Method::GET, "/api/v1/admin/organizations?limit=0", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), ["limit"]);
    let (status, _) = app
        .admin(Method::GET, "/api/v1/admin/organizations?limit=abc", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .admin(
            Method::GET,
            "/api/v1/admin/organizations?cursor=%21%21",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
});

api_test!(bad_user_fields_are_named, async |app: &TestApp| {
    let (status, problem) = app
        .admin(
            Method::POST,
            "/api/v1/admin/users",
            Some(json!({ "email": "not-an-email", "name": "", "role": "king", "locale": "fr", "password": "short" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["email", "locale", "name", "password", "role"]);
    let (status, problem) = app
        .admin(
            Method::POST,
            "/api/v1/admin/users",
            Some(json!({ "email": "c@example.com", "name": "C", "role": "customer" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), ["organization_id"]);
    let (_, users) = app.admin(Method::GET, "/api/v1/admin/users", None).await;
    assert_eq!(
        users["items"].as_array().unwrap().len(),
        1,
        "only the admin exists"
    );
});

api_test!(
    a_ticket_key_with_a_line_break_or_spaces_is_refused_before_anything_is_written,
    async |app: &TestApp| {
        let w = crate::notify_world::world(app).await;
        for path_key in [
            format!("{}%0A", w.key),
            format!("%20{}", w.key),
            format!("{}%20", w.key),
        ] {
            let response = app
                .call(
                    Method::POST,
                    &format!("/api/v1/tickets/{path_key}/messages"),
                    Some(&w.hanako),
                    Some(json!({ "body": "改行つきのキーへの返信" })),
                )
                .await;
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{path_key}"
            );
            let (status, problem) = read(response).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path_key}: {problem}");
        }
        let (status, ticket) = app
            .as_user(
                &w.hanako,
                Method::GET,
                &format!("/api/v1/tickets/{}", w.key),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        assert!(
            !ticket.to_string().contains("改行つきのキーへの返信"),
            "nothing was written: {ticket}"
        );
    }
);
