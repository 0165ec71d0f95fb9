//! What every page shares: the friendly 404 with the navigation, problem+json for unknown API
//! paths and methods, the sign-in page of a real server, how people are greeted.

use reqwest::{Method, StatusCode};

use crate::api_test;
use crate::helpers::{TestApp, browser};

api_test!(
    an_unknown_page_is_a_friendly_404_and_an_unknown_api_path_is_a_problem,
    async |app: &TestApp| {
        // Signed out: the page in Japanese, no navigation.
        let page = browser()
            .get(app.url("/no-such-page"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = page.text().await.unwrap();
        assert!(
            html.contains("お探しのページは見つからないか") && !html.contains("href=\"/tickets\""),
            "{html}"
        );

        // Signed in: the navigation is there, in the user's language.
        let (org, _) = app.customer_org("株式会社迷子", "ECL-404", "basic").await;
        app.user("maigo@example.jp", "customer", Some(&org)).await;
        let (signed_in, _) = app.log_in("maigo@example.jp").await;
        let page = signed_in
            .get(app.url("/tickets/SD-1/nothing"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("href=\"/tickets\"") && html.contains("お探しのページは見つからないか"),
            "{html}"
        );

        for (method, path, status) in [
            (Method::GET, "/api/v1/no-such-thing", StatusCode::NOT_FOUND),
            (Method::GET, "/api", StatusCode::NOT_FOUND),
            (
                Method::DELETE,
                "/api/v1/tickets",
                StatusCode::METHOD_NOT_ALLOWED,
            ),
        ] {
            let response = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(&app.admin_token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), status, "{method} {path}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{method} {path}"
            );
            let problem: serde_json::Value = response.json().await.unwrap();
            assert_eq!(problem["status"], status.as_u16(), "{problem}");
            assert!(!problem["detail"].as_str().unwrap().is_empty(), "{problem}");
        }
    }
);

api_test!(
    the_sign_in_page_of_a_real_server_has_no_demo_hint_and_japanese_greets_name_first,
    async |app: &TestApp| {
        let login = browser()
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !login.contains("serve --demo") && !login.contains("demo-hint"),
            "{login}"
        );

        let (org, _) = app.customer_org("株式会社挨拶", "ECL-108", "basic").await;
        app.user("aisatsu@example.jp", "customer", Some(&org)).await;
        let (signed_in, _) = app.log_in("aisatsu@example.jp").await;
        let profile = signed_in
            .get(app.url("/profile"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(profile.contains("さん、ようこそ"), "{profile}");
        assert!(!profile.contains("ようこそ,"), "{profile}");
        assert!(
            profile.contains(">ナレッジセンター<") && !profile.contains(">KnowledgeCenter<"),
            "{profile}"
        );
    }
);

api_test!(
    the_time_zone_is_chosen_from_a_list_and_a_refused_save_keeps_the_language_chosen,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("株式会社時差", "ECL-900", "basic").await;
        app.user("jisa@example.jp", "customer", Some(&org)).await;
        let (signed_in, csrf) = app.log_in("jisa@example.jp").await;
        let profile = signed_in
            .get(app.url("/profile"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            profile.contains("<select name=\"time_zone\"")
                && profile.contains("<option value=\"Asia/Tokyo\" selected>")
                && profile.contains("<option value=\"Europe/Paris\">"),
            "{profile}"
        );

        let refused = signed_in
            .post(app.url("/preferences"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("locale", "en"),
                ("time_zone", "Mars/Olympus"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(
            page.contains("<option value=\"en\" selected>")
                && page.contains("<option value=\"Mars/Olympus\" selected>"),
            "{page}"
        );

        let saved = signed_in
            .post(app.url("/preferences"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("locale", "en"),
                ("time_zone", "Europe/Paris"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let profile = signed_in
            .get(app.url("/profile"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            profile.contains("<option value=\"Europe/Paris\" selected>")
                && profile.contains("Welcome, "),
            "{profile}"
        );
    }
);

api_test!(
    a_partner_contract_offers_no_edit_and_a_customer_admin_is_asked_before_lowering_their_own,
    async |app: &TestApp| {
        let (org, direct) = app.customer_org("株式会社権限", "ECL-501", "basic").await;
        let (status, c) = app
            .admin(
                Method::POST,
                "/api/v1/admin/contracts",
                Some(serde_json::json!({
                    "organization_id": org,
                    "contract_number": "PTN-502",
                    "product_line": "Enterprise Cloud 2.0",
                    "contracting_corporation": "Example Communications Corp.",
                    "plan": "basic",
                    "channel": "partner",
                    "partner_name": "販売店 株式会社",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        let (me, _) = app
            .user("kanri@example.jp", "customer_admin", Some(&org))
            .await;
        for contract in [direct.as_str(), "PTN-502"] {
            let body =
                serde_json::json!({ "user_id": me, "contract_number": contract, "level": "view" });
            let (status, p) = app
                .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
                .await;
            assert_eq!(status, StatusCode::OK, "{p}");
        }
        let body = serde_json::json!({ "user_id": me, "contract_number": direct, "level": "edit" });
        app.admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
            .await;
        let (browser, csrf) = app.log_in("kanri@example.jp").await;

        // The profile says the partner contract is view only, and whom to ask.
        let profile = browser
            .get(app.url("/profile"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            profile.contains(
                "閲覧のみ（パートナー経由の契約です。お問い合わせは 販売店 株式会社 へ）"
            ),
            "{profile}"
        );

        // The grid: the partner column offers no edit; the direct one does.
        let grid = browser
            .get(app.url("/permissions"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let partner_cell = grid
            .split("value=\"PTN-502\"")
            .nth(1)
            .and_then(|rest| rest.split("</select>").next())
            .unwrap();
        assert!(!partner_cell.contains("value=\"edit\""), "{partner_cell}");
        let direct_cell = grid
            .split(&format!("value=\"{direct}\""))
            .nth(1)
            .and_then(|rest| rest.split("</select>").next())
            .unwrap();
        assert!(direct_cell.contains("value=\"edit\""), "{direct_cell}");
        assert!(grid.contains("data-confirm-self="), "{grid}");

        // Lowering one's own permission asks first and changes nothing until confirmed.
        let level = async || {
            let (_, perms) = app
                .admin(
                    Method::GET,
                    &format!("/api/v1/admin/permissions?organization_id={org}"),
                    None,
                )
                .await;
            perms["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["user_id"] == me.as_str() && p["contract_number"] == direct.as_str())
                .map(|p| p["level"].as_str().unwrap().to_owned())
        };
        let asked = browser
            .post(app.url("/permissions"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("user_id", me.as_str()),
                ("contract_number", direct.as_str()),
                ("level", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status(), StatusCode::OK);
        let page = asked.text().await.unwrap();
        assert!(
            page.contains("ご自身のチケット権限を外します") && page.contains("ECL-501"),
            "{page}"
        );
        assert_eq!(
            level().await.as_deref(),
            Some("edit"),
            "nothing changed yet"
        );
        let confirmed = browser
            .post(app.url("/permissions"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("user_id", me.as_str()),
                ("contract_number", direct.as_str()),
                ("level", ""),
                ("confirmed", "yes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
        assert_eq!(level().await, None, "removed once confirmed");
    }
);

api_test!(
    pages_link_their_stylesheet_and_script_by_version,
    async |app: &TestApp| {
        let login = browser()
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for (prefix, content_type, sample) in [
            ("/static/app.css?v=", "text/css", ":root"),
            ("/static/app.js?v=", "text/javascript", "use strict"),
        ] {
            let start = login
                .find(prefix)
                .unwrap_or_else(|| panic!("no {prefix} in {login}"));
            let url: String = login[start..].chars().take_while(|c| *c != '"').collect();
            assert!(url.len() > prefix.len() + 8, "a version in {url}");
            let response = browser().get(app.url(&url)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            assert!(
                response.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with(content_type)
            );
            assert!(response.text().await.unwrap().contains(sample));
        }
    }
);
