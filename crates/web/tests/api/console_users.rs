//! The console's users, desks and API tokens (issue 13): an admin disables a user and their
//! session and token stop at once, enables them again, changes role, language and desks, sets a
//! password; every user keeps their own tokens; nobody else reaches any of it.

use madoguchi_core::token::NewToken;
use madoguchi_core::values::Name;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_test;
use crate::helpers::{TestApp, browser, error_fields, hidden};

async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Posts the login form; answers the status and the page.
async fn try_log_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, String) {
    let browser = browser();
    let (_, login) = page(&browser, app, "/login").await;
    let csrf = hidden(&login, "csrf");
    let response = browser
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

api_test!(
    a_disabled_user_is_refused_at_once_and_enabling_restores_them,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("株式会社無効", "ECL-D001", "basic").await;
        let (id, token) = app
            .user("taro@disabled.example", "customer", Some(&org))
            .await;
        let (customer, _) = app.log_in("taro@disabled.example").await;
        let (status, _) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::OK);

        let (status, user) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/users/{id}"),
                Some(json!({ "disabled": true })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(user["disabled"], true, "{user}");
        assert!(user["disabled_at"].is_string(), "{user}");

        // At once: the token that was just believed and the open session are refused.
        let (status, problem) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
        let response = customer.get(app.url("/profile")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(
            response.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login")
        );

        // The right password hears that the account is disabled; a wrong one learns nothing.
        let (status, html) =
            try_log_in(app, "taro@disabled.example", "correct horse battery").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            html.contains("このアカウントは無効にされています。"),
            "{html}"
        );
        let (status, html) = try_log_in(app, "taro@disabled.example", "wrong horse battery").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(!html.contains("無効"), "{html}");

        // Nothing of theirs went: the user and the token are still listed.
        let (_, tokens) = app
            .admin(
                Method::GET,
                &format!("/api/v1/admin/users/{id}/tokens"),
                None,
            )
            .await;
        assert_eq!(tokens["items"].as_array().unwrap().len(), 1, "{tokens}");
        let (_, events) = app
            .admin(Method::GET, "/api/v1/admin/events?kind=user.disabled", None)
            .await;
        assert_eq!(events["items"].as_array().unwrap().len(), 1, "{events}");

        let (status, user) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/users/{id}"),
                Some(json!({ "disabled": false })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(user["disabled"], false, "{user}");
        assert!(user["disabled_at"].is_null(), "{user}");
        let (status, me) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        app.log_in("taro@disabled.example").await;
        let (_, events) = app
            .admin(Method::GET, "/api/v1/admin/events?kind=user.enabled", None)
            .await;
        assert_eq!(events["items"].as_array().unwrap().len(), 1, "{events}");

        // An admin cannot lock themselves out.
        let (_, me) = app.admin(Method::GET, "/api/v1/me", None).await;
        let (status, problem) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/users/{}", me["id"].as_str().unwrap()),
                Some(json!({ "disabled": true })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["disabled"]);
    }
);

api_test!(
    an_admin_changes_role_locale_password_and_desks_through_the_api,
    async |app: &TestApp| {
        let (id, _) = app.user("agent@desk.example", "agent", None).await;
        let (status, user) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/users/{id}"),
                Some(
                    json!({ "name": "窓口 一郎", "locale": "en", "desks": ["premium"],
                              "password": "a new long password" }),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(user["name"], "窓口 一郎");
        assert_eq!(user["locale"], "en");
        let (_, members) = app
            .admin(Method::GET, "/api/v1/admin/desks/premium/members", None)
            .await;
        assert_eq!(members["items"][0]["id"], id, "{members}");
        assert_eq!(members["items"][0]["name"], "窓口 一郎", "{members}");
        // The new password signs in; the old one no longer does.
        let (status, _) = try_log_in(app, "agent@desk.example", "a new long password").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _) = try_log_in(app, "agent@desk.example", "correct horse battery").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, problem) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/users/{id}"),
                Some(json!({ "password": "short" })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["password"]);

        // Desk members one by one: added to general, taken off premium.
        let (status, _) = app
            .admin(
                Method::PUT,
                &format!("/api/v1/admin/desks/general/members/{id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/desks/premium/members/{id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, members) = app
            .admin(Method::GET, "/api/v1/admin/desks/premium/members", None)
            .await;
        assert_eq!(members["items"], json!([]), "{members}");
        let (_, members) = app
            .admin(Method::GET, "/api/v1/admin/desks/general/members", None)
            .await;
        assert_eq!(members["items"][0]["email"], "agent@desk.example");
        let (status, _) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/desks/premium/members/{id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "not a member any more");
        let (status, _) = app
            .admin(Method::GET, "/api/v1/admin/desks/gold/members", None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Only agents work desks.
        let (org, _) = app.customer_org("株式会社窓口", "ECL-D002", "basic").await;
        let (customer, _) = app.user("c@desk.example", "customer", Some(&org)).await;
        let (status, problem) = app
            .admin(
                Method::PUT,
                &format!("/api/v1/admin/desks/general/members/{customer}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["user_id"]);
        // A role on the staff side: agent to admin.
        let (status, user) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/users/{id}"),
                Some(json!({ "role": "admin" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(user["role"], "admin");
    }
);

api_test!(only_admins_reach_users_and_desks, async |app: &TestApp| {
    let (agent, agent_token) = app.user("agent@only.example", "agent", None).await;
    let (org, _) = app.customer_org("株式会社権限", "ECL-D003", "basic").await;
    let (_, boss_token) = app
        .user("boss@only.example", "customer_admin", Some(&org))
        .await;
    let (customer, _) = app.user("c@only.example", "customer", Some(&org)).await;
    for token in [&agent_token, &boss_token] {
        for (method, path, body) in [
            (
                Method::PATCH,
                format!("/api/v1/admin/users/{customer}"),
                Some(json!({ "disabled": true })),
            ),
            (
                Method::PATCH,
                format!("/api/v1/admin/users/{agent}"),
                Some(json!({ "desks": ["general", "premium"] })),
            ),
            (
                Method::GET,
                "/api/v1/admin/desks/general/members".into(),
                None,
            ),
            (
                Method::PUT,
                format!("/api/v1/admin/desks/premium/members/{agent}"),
                None,
            ),
            (
                Method::DELETE,
                format!("/api/v1/admin/desks/general/members/{agent}"),
                None,
            ),
            (
                Method::GET,
                format!("/api/v1/admin/users/{agent}/tokens"),
                None,
            ),
        ] {
            let (status, problem) = app.as_user(token, method.clone(), &path, body).await;
            assert!(
                matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{method} {path}: {status} {problem}"
            );
        }
    }
    let (_, user) = app
        .admin(
            Method::GET,
            &format!("/api/v1/admin/users/{customer}"),
            None,
        )
        .await;
    assert_eq!(user["disabled"], false, "nothing changed: {user}");
    let (_, members) = app
        .admin(Method::GET, "/api/v1/admin/desks/premium/members", None)
        .await;
    assert_eq!(members["items"], json!([]), "{members}");
});

api_test!(every_user_keeps_their_own_tokens, async |app: &TestApp| {
    let (org, _) = app
        .customer_org("株式会社トークン", "ECL-D004", "basic")
        .await;
    let (_, taro) = app
        .user("taro@tokens.example", "customer", Some(&org))
        .await;
    let (_, hanako) = app
        .user("hanako@tokens.example", "customer", Some(&org))
        .await;

    let (status, problem) = app
        .as_user(
            &taro,
            Method::POST,
            "/api/v1/me/tokens",
            Some(json!({ "name": " ", "expires_at": "2001-01-01" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["name", "expires_at"]);

    let (status, created) = app
        .as_user(
            &taro,
            Method::POST,
            "/api/v1/me/tokens",
            Some(json!({ "name": "CI", "expires_at": "2099-12-31" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["name"], "CI");
    assert_eq!(
        created["expires_at"], "2099-12-31T14:59:59Z",
        "through that day in Tokyo"
    );
    let secret = created["token"].as_str().unwrap().to_owned();
    let token_id = created["id"].as_str().unwrap().to_owned();
    let (status, me) = app.as_user(&secret, Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "taro@tokens.example");

    let (_, list) = app
        .as_user(&taro, Method::GET, "/api/v1/me/tokens", None)
        .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    assert_eq!(items[0]["name"], "CI");
    assert!(
        items.iter().all(|t| t.get("token").is_none()),
        "never the secret again"
    );

    // Another user cannot revoke it through their own tokens, nor see it.
    let path = format!("/api/v1/me/tokens/{token_id}");
    let (status, _) = app.as_user(&hanako, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app
        .as_user(&hanako, Method::GET, "/api/v1/me/tokens", None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    let (status, _) = app.as_user(&secret, Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::OK, "still works");

    let (status, _) = app.as_user(&taro, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.as_user(&secret, Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked at once");
});

api_test!(an_expired_token_is_refused, async |app: &TestApp| {
    let (id, _) = app.user("agent@expiry.example", "agent", None).await;
    // Tokens expiring in the past cannot be made through the API: the store makes one that
    // expires in a moment.
    let soon = NewToken {
        name: Name::parse("short-lived").unwrap(),
        expires_at: Some(jiff::Timestamp::now() + jiff::SignedDuration::from_millis(1500)),
    };
    let issued = app
        .db
        .store
        .create_named_token(None, &id, &soon)
        .await
        .unwrap();
    let (status, _) = app
        .as_user(&issued.token, Method::GET, "/api/v1/me", None)
        .await;
    assert_eq!(status, StatusCode::OK, "believed, and cached");
    tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    let (status, problem) = app
        .as_user(&issued.token, Method::GET, "/api/v1/me", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    let (_, list) = app
        .admin(
            Method::GET,
            &format!("/api/v1/admin/users/{id}/tokens"),
            None,
        )
        .await;
    let expired = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == issued.id.as_str())
        .expect("listed, with its expiry");
    assert_eq!(expired["name"], "short-lived");
    assert!(expired["expires_at"].is_string());
});
