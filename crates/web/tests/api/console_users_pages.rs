//! The console's user and desk pages, and the profile page's API tokens, without JavaScript:
//! what an admin and a user see, refusals with everything typed kept, confirmations first.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_test;
use crate::helpers::TestApp;

async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Posts a form with the session's CSRF token; answers the status, where it redirects, and
/// the page.
async fn post(
    browser: &reqwest::Client,
    app: &TestApp,
    csrf: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let mut fields = vec![("csrf", csrf)];
    fields.extend_from_slice(form);
    let response = browser
        .post(app.url(path))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

api_test!(
    an_admin_changes_disables_and_enables_a_user_on_their_page,
    async |app: &TestApp| {
        app.user("ops@support.example", "admin", None).await;
        let (admin, csrf) = app.log_in("ops@support.example").await;
        let (org, _) = app
            .customer_org("株式会社ページ", "ECL-P001", "basic")
            .await;
        let (id, token) = app.user("taro@page.example", "customer", Some(&org)).await;

        // From the organization's user list to the user's page.
        let (_, org_page) = page(&admin, app, &format!("/admin/organizations/{org}")).await;
        assert!(
            org_page.contains(&format!("href=\"/admin/users/{id}\"")),
            "{org_page}"
        );
        let user_page = format!("/admin/users/{id}");
        let (status, html) = page(&admin, app, &user_page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("taro@page.example"), "{html}");
        assert!(html.contains("ユーザーを無効にする"), "{html}");
        assert!(
            !html.contains("id=\"profile-desks\""),
            "customers have no desks"
        );

        // A blank name is refused beside its field; the language chosen stays chosen.
        let (status, _, html) = post(
            &admin,
            app,
            &csrf,
            &user_page,
            &[("name", " "), ("role", "customer"), ("locale", "en")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"profile-name-error\""), "{html}");
        assert!(html.contains("href=\"#profile-name\""), "{html}");
        assert!(html.contains("<option value=\"en\" selected>"), "{html}");

        let (status, location, _) = post(
            &admin,
            app,
            &csrf,
            &user_page,
            &[
                ("name", "山田 太郎"),
                ("role", "customer_admin"),
                ("locale", "en"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, html) = page(&admin, app, &location).await;
        assert!(html.contains("変更を保存しました。"), "{html}");
        assert!(html.contains("山田 太郎"), "{html}");
        let (_, user) = app
            .admin(Method::GET, &format!("/api/v1/admin/users/{id}"), None)
            .await;
        assert_eq!(user["role"], "customer_admin", "{user}");
        assert_eq!(user["locale"], "en", "{user}");

        // A password: the rules of every password, then the new one signs in.
        let password_path = format!("/admin/users/{id}/password");
        let (status, _, html) =
            post(&admin, app, &csrf, &password_path, &[("password", "short")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("パスワードは8文字以上にしてください。"),
            "{html}"
        );
        let (status, location, _) = post(
            &admin,
            app,
            &csrf,
            &password_path,
            &[("password", "correct horse battery")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, html) = page(&admin, app, &location).await;
        assert!(html.contains("パスワードを設定しました。"), "{html}");
        let (customer, _) = app.log_in("taro@page.example").await;

        // Disabling asks first, naming the user; then their session and token stop.
        let (_, confirm) = page(&admin, app, &format!("/admin/users/{id}/disable")).await;
        assert!(
            confirm.contains("山田 太郎(taro@page.example)を無効にします"),
            "{confirm}"
        );
        let (status, location, _) = post(
            &admin,
            app,
            &csrf,
            &format!("/admin/users/{id}/disable"),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, html) = page(&admin, app, &location).await;
        assert!(html.contains("ユーザーを無効にしました。"), "{html}");
        assert!(html.contains("このユーザーは無効です。"), "{html}");
        let (status, _) = page(&customer, app, "/profile").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "the session is refused");
        let (status, _) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (_, org_page) = page(&admin, app, &format!("/admin/organizations/{org}")).await;
        assert!(
            org_page.contains("class=\"badge disabled\">無効"),
            "{org_page}"
        );

        let (status, location, _) = post(
            &admin,
            app,
            &csrf,
            &format!("/admin/users/{id}/enable"),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, html) = page(&admin, app, &location).await;
        assert!(html.contains("ユーザーを有効に戻しました。"), "{html}");
        let (status, _) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::OK);

        // The admin sees the user's token and revokes it after a confirmation.
        let (_, html) = page(&admin, app, &user_page).await;
        let start = html
            .find(&format!("/admin/users/{id}/tokens/"))
            .expect(&html);
        let revoke = html[start..].split('"').next().unwrap().to_owned();
        let (_, confirm) = page(&admin, app, &revoke).await;
        assert!(confirm.contains("を失効させます"), "{confirm}");
        let (status, location, _) = post(&admin, app, &csrf, &revoke, &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, html) = page(&admin, app, &location).await;
        assert!(html.contains("API トークンを失効させました。"), "{html}");
        let (status, _) = app.as_user(&token, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);

api_test!(an_admin_manages_staff_and_desks, async |app: &TestApp| {
    app.user("ops@support.example", "admin", None).await;
    let (admin, csrf) = app.log_in("ops@support.example").await;
    let (agent, _) = app.user("agent@staff.example", "agent", None).await;
    let (_, console) = page(&admin, app, "/admin").await;
    assert!(
        console.contains("href=\"/admin/users?role=agent\""),
        "{console}"
    );
    assert!(console.contains("href=\"/admin/desks\""), "{console}");
    // The lists' tables (the navigation names the admin too).
    let list = |html: String| html[html.find("id=\"user-list\"").unwrap()..].to_owned();
    let staff = list(page(&admin, app, "/admin/users?role=agent").await.1);
    assert!(staff.contains("agent@staff.example"), "{staff}");
    assert!(
        !staff.contains("ops@support.example"),
        "admins are on their own list"
    );
    let admins = list(page(&admin, app, "/admin/users?role=admin").await.1);
    assert!(admins.contains("ops@support.example"), "{admins}");

    // The agent's desks on their page.
    let user_page = format!("/admin/users/{agent}");
    let (_, html) = page(&admin, app, &user_page).await;
    assert!(html.contains("id=\"profile-desks\""), "{html}");
    let (status, _, _) = post(
        &admin,
        app,
        &csrf,
        &user_page,
        &[
            ("name", "User agent@staff.example"),
            ("role", "agent"),
            ("locale", "ja"),
            ("desks_shown", "1"),
            ("desk_premium", "on"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, members) = app
        .admin(Method::GET, "/api/v1/admin/desks/premium/members", None)
        .await;
    assert_eq!(members["items"][0]["id"], agent.as_str(), "{members}");
    let (_, html) = page(&admin, app, &user_page).await;
    assert!(
        html.contains("id=\"desk-premium\" value=\"on\" checked"),
        "{html}"
    );
    // A role change that keeps desks is refused, the boxes kept as ticked.
    let (status, _, html) = post(
        &admin,
        app,
        &csrf,
        &user_page,
        &[
            ("name", "User agent@staff.example"),
            ("role", "admin"),
            ("locale", "ja"),
            ("desks_shown", "1"),
            ("desk_premium", "on"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("窓口はサポート担当(agent)にだけ指定できます。"),
        "{html}"
    );
    assert!(
        html.contains("id=\"desk-premium\" value=\"on\" checked"),
        "{html}"
    );

    // The desks page: members, the address link, add and remove.
    let (_, desks) = page(&admin, app, "/admin/desks").await;
    assert!(desks.contains("特別窓口"), "{desks}");
    assert!(desks.contains("href=\"/admin/mail\""), "{desks}");
    let premium = &desks[desks.find("id=\"desk-premium\"").unwrap()..];
    assert!(premium.contains("User agent@staff.example"), "{premium}");
    let (status, _, html) = post(
        &admin,
        app,
        &csrf,
        "/admin/desks/general/members",
        &[("user_id", "")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"general-user_id-error\""), "{html}");
    assert!(html.contains("選択してください。"), "{html}");
    let (status, location, _) = post(
        &admin,
        app,
        &csrf,
        "/admin/desks/general/members",
        &[("user_id", &agent)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = page(&admin, app, &location).await;
    assert!(
        html.contains("サポート担当を窓口に追加しました。"),
        "{html}"
    );
    let (status, _, _) = post(
        &admin,
        app,
        &csrf,
        &format!("/admin/desks/premium/members/{agent}/remove"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, members) = app
        .admin(Method::GET, "/api/v1/admin/desks/premium/members", None)
        .await;
    assert_eq!(members["items"], json!([]), "{members}");
    let (_, members) = app
        .admin(Method::GET, "/api/v1/admin/desks/general/members", None)
        .await;
    assert_eq!(members["items"][0]["id"], agent.as_str(), "{members}");

    // The admin's own page has no disable button.
    let start = admins.find("ops@support.example").unwrap();
    let before = &admins[..start];
    let link = before.rfind("/admin/users/").unwrap();
    let own = before[link..].split('"').next().unwrap().to_owned();
    let (_, html) = page(&admin, app, &own).await;
    assert!(!html.contains("id=\"disable\""), "{html}");
});

api_test!(
    a_user_creates_and_revokes_tokens_on_their_profile,
    async |app: &TestApp| {
        let (org, _) = app
            .customer_org("株式会社プロフィール", "ECL-P002", "basic")
            .await;
        app.user("taro@profile.example", "customer", Some(&org))
            .await;
        app.user("hanako@profile.example", "customer", Some(&org))
            .await;
        let (taro, csrf) = app.log_in("taro@profile.example").await;
        let (_, profile) = page(&taro, app, "/profile").await;
        assert!(profile.contains("API トークン"), "{profile}");
        assert!(profile.contains("id=\"new-token\""), "{profile}");

        // A missing name is refused; the date typed stays.
        let (status, _, html) = post(
            &taro,
            app,
            &csrf,
            "/profile/tokens",
            &[("name", ""), ("expires_at", "2099-12-31")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"token-name-error\""), "{html}");
        assert!(html.contains("value=\"2099-12-31\""), "{html}");
        let (status, _, html) = post(
            &taro,
            app,
            &csrf,
            "/profile/tokens",
            &[("name", "CI"), ("expires_at", "2001-01-01")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("有効期限には今より後の日付を指定してください。"),
            "{html}"
        );

        let (status, _, html) = post(
            &taro,
            app,
            &csrf,
            "/profile/tokens",
            &[("name", "CI"), ("expires_at", "2099-12-31")],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert!(html.contains("表示されるのは今回だけです"), "{html}");
        let start = html.find("id=\"new-token\"").unwrap();
        let secret = html[start..]
            .split('>')
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned();
        assert!(secret.starts_with("mdg_"), "{secret}");
        let (status, me) = app.as_user(&secret, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["email"], "taro@profile.example");

        let (_, profile) = page(&taro, app, "/profile").await;
        assert!(profile.contains(">CI<"), "{profile}");
        assert!(profile.contains("2099-12-31 23:59"), "{profile}");
        assert!(!profile.contains(&secret), "the secret is shown once");

        // Hanako cannot revoke Taro's token through her own pages.
        let start = profile.find("/profile/tokens/").unwrap();
        let revoke = profile[start..].split('"').next().unwrap().to_owned();
        let (hanako, hanako_csrf) = app.log_in("hanako@profile.example").await;
        let (status, _) = page(&hanako, app, &revoke).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = post(&hanako, app, &hanako_csrf, &revoke, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.as_user(&secret, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::OK, "still works");

        let (_, confirm) = page(&taro, app, &revoke).await;
        assert!(confirm.contains("API トークン「CI」"), "{confirm}");
        let (status, location, _) = post(&taro, app, &csrf, &revoke, &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, profile) = page(&taro, app, &location).await;
        assert!(
            profile.contains("API トークンを失効させました。"),
            "{profile}"
        );
        let (status, _) = app.as_user(&secret, Method::GET, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);

api_test!(
    nobody_but_admins_reaches_the_user_and_desk_pages,
    async |app: &TestApp| {
        let (org, _) = app
            .customer_org("株式会社立入禁止", "ECL-P003", "basic")
            .await;
        let (customer, _) = app.user("c@nope.example", "customer", Some(&org)).await;
        app.user("boss@nope.example", "customer_admin", Some(&org))
            .await;
        app.user("agent@nope.example", "agent", None).await;
        for who in ["boss@nope.example", "agent@nope.example"] {
            let (browser, csrf) = app.log_in(who).await;
            for path in [
                "/admin/users".to_owned(),
                format!("/admin/users/{customer}"),
                format!("/admin/users/{customer}/disable"),
                "/admin/desks".to_owned(),
            ] {
                let (status, _) = page(&browser, app, &path).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{who} GET {path}");
            }
            for (path, form) in [
                (format!("/admin/users/{customer}/disable"), vec![]),
                (
                    format!("/admin/users/{customer}"),
                    vec![("name", "乗っ取り"), ("role", "customer_admin")],
                ),
                (
                    format!("/admin/users/{customer}/password"),
                    vec![("password", "a password of mine")],
                ),
            ] {
                let (status, _, _) = post(&browser, app, &csrf, &path, &form).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{who} POST {path}");
            }
        }
        let (_, user) = app
            .admin(
                Method::GET,
                &format!("/api/v1/admin/users/{customer}"),
                None,
            )
            .await;
        assert_eq!(user["disabled"], false, "{user}");
        assert_eq!(user["name"], "User c@nope.example", "{user}");
        assert_eq!(user["role"], "customer", "{user}");
        app.log_in("c@nope.example").await;
    }
);
