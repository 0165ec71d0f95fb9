//! Logging in with a browser: the form, the session cookie, CSRF, logout.

use reqwest::{Method, StatusCode};

use crate::api_test;
use crate::helpers::{TestApp, browser, hidden};

api_test!(
    a_user_logs_in_sees_who_they_are_and_logs_out,
    async |app: &TestApp| {
        let (org, contract) = app
            .customer_org("株式会社ブラウザ", "ECL-77", "advanced")
            .await;
        let (user, _) = app.user("web@example.jp", "customer", Some(&org)).await;
        let body =
            serde_json::json!({ "user_id": user, "contract_number": contract, "level": "edit" });
        app.admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
            .await;
        let browser = browser();

        let home = browser.get(app.url("/")).send().await.unwrap();
        assert_eq!(home.status(), StatusCode::SEE_OTHER);
        assert_eq!(home.headers()["location"], "/login?next=%2F");

        let login = browser
            .get(app.url("/login?next=%2F"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(login.contains("ログイン"), "Japanese by default");
        let csrf = hidden(&login, "csrf");

        let wrong = browser
            .post(app.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "web@example.jp"),
                ("password", "wrong password"),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let page = wrong.text().await.unwrap();
        assert!(
            page.contains("メールアドレスまたはパスワードが正しくありません"),
            "{page}"
        );
        assert!(
            page.contains("value=\"web@example.jp\""),
            "the email typed is kept"
        );

        let ok = browser
            .post(app.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "WEB@example.jp"),
                ("password", "correct horse battery"),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        let cookie = ok
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>();
        let session = cookie
            .iter()
            .find(|c| c.starts_with("madoguchi_session="))
            .expect("a session cookie");
        assert!(
            session.contains("HttpOnly") && session.contains("SameSite=Lax"),
            "{session}"
        );

        let home = browser.get(app.url("/")).send().await.unwrap();
        assert_eq!(home.status(), StatusCode::OK);
        let html = home.text().await.unwrap();
        assert!(html.contains("User web@example.jp"));
        assert!(html.contains("株式会社ブラウザ"));
        assert!(html.contains("ECL-77"));
        assert!(html.contains("作成・返信"), "edit permission in Japanese");

        // The UI's scripts may read the API with the session, but not write without the token.
        let me = browser.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK);
        let write = browser
            .patch(app.url("/api/v1/me"))
            .json(&serde_json::json!({ "locale": "en" }))
            .send()
            .await
            .unwrap();
        assert_eq!(write.status(), StatusCode::FORBIDDEN);

        let csrf = hidden(&html, "csrf");
        let forged = browser
            .post(app.url("/preferences"))
            .form(&[("csrf", "forged"), ("locale", "en")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let bad_zone = browser
            .post(app.url("/preferences"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("locale", "en"),
                ("time_zone", "Mars/Olympus"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bad_zone.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad_zone.text().await.unwrap().contains("Mars/Olympus"),
            "what was typed is kept"
        );
        let saved = browser
            .post(app.url("/preferences"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("locale", "en"),
                ("time_zone", "Europe/London"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let html = browser
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("File and reply"), "now in English");
        assert!(html.contains("Europe/London"));

        let out = browser
            .post(app.url("/logout"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        let home = browser.get(app.url("/")).send().await.unwrap();
        assert_eq!(home.status(), StatusCode::SEE_OTHER, "logged out");
    }
);

api_test!(
    a_login_without_the_form_token_is_refused,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        app.user("web@example.jp", "customer", Some(&org)).await;
        let response = browser()
            .post(app.url("/login"))
            .form(&[
                ("csrf", "made-up"),
                ("email", "web@example.jp"),
                ("password", "correct horse battery"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(
            response
                .headers()
                .get_all("set-cookie")
                .iter()
                .all(|c| !c.to_str().unwrap().starts_with("madoguchi_session="))
        );
    }
);

api_test!(
    the_next_page_after_login_stays_on_this_site,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        app.user("web@example.jp", "customer", Some(&org)).await;
        let browser = browser();
        let login = browser
            .get(app.url("/login?next=//evil.example/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&login, "csrf");
        let ok = browser
            .post(app.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "web@example.jp"),
                ("password", "correct horse battery"),
                ("next", "//evil.example/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.headers()["location"], "/");
    }
);

api_test!(
    logging_in_again_ends_the_previous_session,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        app.user("web@example.jp", "customer", Some(&org)).await;
        let (browser, _) = app.log_in("web@example.jp").await;
        let old = app
            .db
            .store
            .events(madoguchi_store::EventFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        let logins_before = old.iter().filter(|e| e.kind == "session.created").count();
        let login = browser
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&login, "csrf");
        browser
            .post(app.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "web@example.jp"),
                ("password", "correct horse battery"),
            ])
            .send()
            .await
            .unwrap();
        let events = app
            .db
            .store
            .events(madoguchi_store::EventFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            events
                .iter()
                .filter(|e| e.kind == "session.created")
                .count(),
            logins_before + 1
        );
        assert!(
            events.iter().any(|e| e.kind == "session.ended"),
            "the old session ended"
        );
    }
);

api_test!(an_empty_login_token_is_refused, async |app: &TestApp| {
    let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
    app.user("web@example.jp", "customer", Some(&org)).await;
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/login"))
        .header("cookie", "madoguchi_login_csrf=")
        .form(&[
            ("csrf", ""),
            ("email", "web@example.jp"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
});

api_test!(
    a_post_without_a_session_comes_back_to_the_home_page_after_login,
    async |app: &TestApp| {
        let response = browser()
            .post(app.url("/preferences"))
            .form(&[("csrf", "x"), ("locale", "en")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/login?next=%2F");
        let response = browser()
            .post(app.url("/preferences"))
            .body("garbage")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "the session is checked before the form"
        );
    }
);
