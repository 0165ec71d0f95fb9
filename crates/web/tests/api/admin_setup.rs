use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_test;
use crate::helpers::TestApp;

api_test!(
    admin_api_alone_sets_up_a_customer_that_me_shows,
    async |app: &TestApp| {
        let (status, org) = app
            .admin(
                Method::POST,
                "/api/v1/admin/organizations",
                Some(json!({ "name": "株式会社テスト" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let org_id = org["id"].as_str().unwrap();

        let (status, tenant) = app
        .admin(
            Method::POST,
            "/api/v1/admin/tenants",
            Some(json!({ "organization_id": org_id, "tenant_id": "tenant-1a2b3c", "name": "本番" })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{tenant}");
        assert_eq!(tenant["tenant_id"], "tenant-1a2b3c");

        let (status, contract) = app
        .admin(
            Method::POST,
            "/api/v1/admin/contracts",
            Some(json!({
                "organization_id": org_id, "contract_number": "ECL-0001", "product_line": "Enterprise Cloud 2.0",
                "contracting_corporation": "Example Communications Corp.", "plan": "premium", "channel": "direct",
            })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{contract}");
        assert_eq!(contract["plan"], "premium");

        let (status, user) = app
        .admin(
            Method::POST,
            "/api/v1/admin/users",
            Some(json!({ "email": "Taro@Example.jp", "name": "佐藤 太郎", "role": "customer", "organization_id": org_id })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        assert_eq!(
            user["email"], "taro@example.jp",
            "emails are stored lower-cased"
        );
        assert_eq!(user["locale"], "ja", "Japanese is the default");
        let user_id = user["id"].as_str().unwrap();

        let (status, permission) = app
            .admin(
                Method::PUT,
                "/api/v1/admin/permissions",
                Some(json!({ "user_id": user_id, "contract_number": "ECL-0001", "level": "edit" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{permission}");

        let (status, token) = app
            .admin(
                Method::POST,
                &format!("/api/v1/admin/users/{user_id}/tokens"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let token = token["token"].as_str().unwrap();

        let (status, me) = app.as_user(token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["id"], user_id);
        assert_eq!(me["email"], "taro@example.jp");
        assert_eq!(me["name"], "佐藤 太郎");
        assert_eq!(me["role"], "customer");
        assert_eq!(me["locale"], "ja");
        assert_eq!(me["time_zone"], "Asia/Tokyo");
        assert_eq!(
            me["organization"],
            json!({ "id": org_id, "name": "株式会社テスト" })
        );
        assert_eq!(me["permissions"].as_array().unwrap().len(), 1);
        assert_eq!(me["permissions"][0]["contract_number"], "ECL-0001");
        assert_eq!(me["permissions"][0]["level"], "edit");
        assert_eq!(me["permissions"][0]["plan"], "premium");
    }
);

api_test!(
    changing_a_permission_level_keeps_one_permission,
    async |app: &TestApp| {
        let (org, contract) = app.customer_org("Org", "ECL-1", "basic").await;
        let (user, token) = app.user("u@example.com", "customer", Some(&org)).await;
        for level in ["view", "edit", "view"] {
            let body = json!({ "user_id": user, "contract_number": contract, "level": level });
            let (status, _) = app
                .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
                .await;
            assert_eq!(status, StatusCode::OK);
        }
        let (_, me) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(me["permissions"].as_array().unwrap().len(), 1);
        assert_eq!(me["permissions"][0]["level"], "view");

        let body = json!({ "user_id": user, "contract_number": contract });
        let (status, _) = app
            .admin(
                Method::DELETE,
                "/api/v1/admin/permissions",
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, me) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(me["permissions"], json!([]));
        let (status, problem) = app
            .admin(Method::DELETE, "/api/v1/admin/permissions", Some(body))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    }
);

api_test!(lists_page_with_an_opaque_cursor, async |app: &TestApp| {
    for name in ["A", "B", "C"] {
        app.admin(
            Method::POST,
            "/api/v1/admin/organizations",
            Some(json!({ "name": name })),
        )
        .await;
    }
    let (status, first) = app
        .admin(Method::GET, "/api/v1/admin/organizations?limit=2", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let (_, second) = app
        .admin(
            Method::GET,
            &format!("/api/v1/admin/organizations?limit=2&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(
        second["items"].as_array().unwrap().len(),
        1,
        "{first} {second}"
    );
    assert_eq!(second["items"][0]["name"], "C");
    assert!(second["next_cursor"].is_null());
});

api_test!(
    contracts_and_users_can_be_read_changed_and_deleted,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let (_, list) = app
            .admin(
                Method::GET,
                &format!("/api/v1/admin/contracts?organization_id={org}"),
                None,
            )
            .await;
        let id = list["items"][0]["id"].as_str().unwrap().to_owned();
        let (status, changed) = app
        .admin(
            Method::PATCH,
            &format!("/api/v1/admin/contracts/{id}"),
            Some(json!({ "plan": "advanced", "channel": "partner", "partner_name": "Partner K.K." })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["plan"], "advanced");
        assert_eq!(changed["partner_name"], "Partner K.K.");
        let (status, _) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/contracts/{id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app
            .admin(Method::GET, &format!("/api/v1/admin/contracts/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (user, _) = app.user("u@example.com", "customer", Some(&org)).await;
        let (status, changed) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/users/{user}"),
                Some(json!({ "role": "customer_admin", "locale": "en" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["role"], "customer_admin");
        assert_eq!(changed["locale"], "en");
        let (status, problem) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/users/{user}"),
                Some(json!({ "role": "agent" })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    }
);

api_test!(
    tokens_are_listed_without_secrets_and_can_be_revoked,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let (user, token) = app.user("u@example.com", "customer", Some(&org)).await;
        let (status, tokens) = app
            .admin(
                Method::GET,
                &format!("/api/v1/admin/users/{user}/tokens"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let listed = &tokens["items"][0];
        assert!(
            listed.get("token").is_none(),
            "secrets are shown once: {listed}"
        );
        let token_id = listed["id"].as_str().unwrap();
        let (status, _) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/users/{user}/tokens/{token_id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);

api_test!(
    patching_a_tenant_without_a_name_keeps_its_name,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let body = json!({ "organization_id": org, "tenant_id": "tenant-keep", "name": "Prod" });
        let (_, tenant) = app
            .admin(Method::POST, "/api/v1/admin/tenants", Some(body))
            .await;
        let id = tenant["id"].as_str().unwrap();
        let (status, same) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/tenants/{id}"),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(same["name"], "Prod");
        let (_, renamed) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/tenants/{id}"),
                Some(json!({ "name": "Staging" })),
            )
            .await;
        assert_eq!(renamed["name"], "Staging");
        let (_, cleared) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/tenants/{id}"),
                Some(json!({ "name": "" })),
            )
            .await;
        assert!(cleared["name"].is_null());
    }
);

api_test!(permissions_are_listed_in_pages, async |app: &TestApp| {
    let (org, contract) = app.customer_org("Org", "ECL-1", "basic").await;
    for i in 0..3 {
        let (user, _) = app
            .user(&format!("u{i}@example.com"), "customer", Some(&org))
            .await;
        let body = json!({ "user_id": user, "contract_number": contract, "level": "view" });
        app.admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
            .await;
    }
    let (_, first) = app
        .admin(Method::GET, "/api/v1/admin/permissions?limit=2", None)
        .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app
        .admin(
            Method::GET,
            &format!("/api/v1/admin/permissions?limit=2&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second["next_cursor"].is_null());
    let (status, _) = app
        .admin(Method::GET, "/api/v1/admin/permissions?limit=0", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
});

api_test!(
    a_customer_admin_filtering_by_another_organization_gets_nothing,
    async |app: &TestApp| {
        let (mine, _) = app.customer_org("Mine", "ECL-M", "basic").await;
        let (theirs, _) = app.customer_org("Theirs", "ECL-T", "basic").await;
        let (_, token) = app
            .user("admin@mine.example", "customer_admin", Some(&mine))
            .await;
        app.user("u@theirs.example", "customer", Some(&theirs))
            .await;
        for path in ["users", "contracts", "tenants", "permissions"] {
            let (status, list) = app
                .as_user(
                    &token,
                    Method::GET,
                    &format!("/api/v1/admin/{path}?organization_id={theirs}"),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(list["items"], json!([]), "{path}: {list}");
        }
    }
);
