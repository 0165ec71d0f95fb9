//! The knowledge center: customers read published articles; agents write them.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_test;
use crate::helpers::{TestApp, error_fields};

async fn agent(app: &TestApp) -> String {
    let body = json!({ "email": "kb@support.example", "name": "KB", "role": "agent", "desks": ["general"] });
    let (_, user) = app
        .admin(Method::POST, "/api/v1/admin/users", Some(body))
        .await;
    let id = user["id"].as_str().unwrap();
    let (_, token) = app
        .admin(
            Method::POST,
            &format!("/api/v1/admin/users/{id}/tokens"),
            None,
        )
        .await;
    token["token"].as_str().unwrap().to_owned()
}

api_test!(
    agents_write_and_customers_read_published_articles,
    async |app: &TestApp| {
        let writer = agent(app).await;
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let (_, reader) = app.user("reader@org.example", "customer", Some(&org)).await;

        let article = json!({
            "kind": "faq", "title": "ログインできない場合", "body": "## 確認\n\n<script>alert(1)</script>**パスワード**を確認",
            "service_menus": ["portal_api"], "published": true,
        });
        let (status, created) = app
            .as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(article))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert!(!created["body_html"].as_str().unwrap().contains("<script"));
        let draft = json!({ "kind": "known_issue", "title": "調査中の事象", "body": "下書き", "published": false });
        let (_, draft) = app
            .as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(draft))
            .await;

        let (_, list) = app
            .as_user(&reader, Method::GET, "/api/v1/kb/articles", None)
            .await;
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            1,
            "drafts are for agents: {list}"
        );
        let (_, list) = app
            .as_user(&writer, Method::GET, "/api/v1/kb/articles", None)
            .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        let (status, _) = app
            .as_user(
                &reader,
                Method::GET,
                &format!("/api/v1/kb/articles/{}", draft["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (_, found) = app
            .as_user(
                &reader,
                Method::GET,
                "/api/v1/kb/articles?q=%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3",
                None,
            )
            .await;
        assert_eq!(
            found["items"].as_array().unwrap().len(),
            1,
            "ログイン finds its article"
        );
        let words = |q: &str| {
            format!(
                "/api/v1/kb/articles?{}",
                serde_urlencoded::to_string([("q", q)]).unwrap()
            )
        };
        let (_, found) = app
            .as_user(&reader, Method::GET, &words("パスワード 確認"), None)
            .await;
        assert_eq!(
            found["items"].as_array().unwrap().len(),
            1,
            "words match with anything between them"
        );
        let (_, found) = app
            .as_user(&reader, Method::GET, &words("パスワード 請求書"), None)
            .await;
        assert_eq!(
            found["items"].as_array().unwrap().len(),
            0,
            "every word must be there"
        );
        let (_, by_menu) = app
            .as_user(
                &reader,
                Method::GET,
                "/api/v1/kb/articles?service_menu=network",
                None,
            )
            .await;
        assert_eq!(by_menu["items"], json!([]));
        let (_, by_kind) = app
            .as_user(&reader, Method::GET, "/api/v1/kb/articles?kind=faq", None)
            .await;
        assert_eq!(by_kind["items"].as_array().unwrap().len(), 1);

        let (status, _) = app
            .as_user(
                &reader,
                Method::POST,
                "/api/v1/kb/articles",
                Some(json!({ "kind": "faq", "title": "x", "body": "y" })),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let id = created["id"].as_str().unwrap();
        let (status, _) = app
            .as_user(
                &reader,
                Method::DELETE,
                &format!("/api/v1/kb/articles/{id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .as_user(
                &writer,
                Method::DELETE,
                &format!("/api/v1/kb/articles/{id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
);

api_test!(bad_articles_are_explained, async |app: &TestApp| {
    let writer = agent(app).await;
    let (status, problem) = app
        .as_user(
            &writer,
            Method::POST,
            "/api/v1/kb/articles",
            Some(json!({ "kind": "blog", "service_menus": ["moon"] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem),
        ["kind", "title", "body", "service_menus[0]"]
    );
});

api_test!(
    the_knowledge_center_pages_show_articles_by_kind,
    async |app: &TestApp| {
        let writer = agent(app).await;
        let body = json!({ "kind": "error_message", "title": "Error: quota exceeded", "body": "上限に達しています。", "published": true });
        app.as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(body))
            .await;
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        app.user("reader@org.example", "customer", Some(&org)).await;
        let (browser, _) = app.log_in("reader@org.example").await;
        let home = browser
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for link in ["/kb/faq", "/kb/known_issue", "/kb/error_message"] {
            assert!(
                home.contains(&format!("href=\"{link}\"")),
                "the home page links to {link}"
            );
        }
        let page = browser
            .get(app.url("/kb/error_message"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Error: quota exceeded"));
        let page = browser
            .get(app.url("/kb/faq"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("id=\"no-articles\""));
        let response = browser.get(app.url("/kb/blog")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
);

api_test!(
    agents_write_articles_in_the_browser,
    async |app: &TestApp| {
        app.user("writer@support.example", "agent", None).await;
        let (browser, csrf) = app.log_in("writer@support.example").await;
        let form = browser.get(app.url("/kb/new")).send().await.unwrap();
        assert_eq!(form.status(), StatusCode::OK);
        let bad = browser
            .post(app.url("/kb/new"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("kind", "faq"),
                ("title", ""),
                ("body", "本文だけ"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = bad.text().await.unwrap();
        assert!(
            page.contains("data-field=\"title\"") && page.contains("本文だけ"),
            "the body typed is kept"
        );
        let ok = browser
            .post(app.url("/kb/new"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("kind", "faq"),
                ("title", "スナップショットの取り方"),
                ("body", "1. ポータルを開く"),
                ("service_menus", "virtual_server"),
                ("service_menus", "block_storage"),
                ("published", "true"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        let location = ok.headers()["location"].to_str().unwrap().to_owned();
        let page = browser
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("スナップショットの取り方") && page.contains("<ol>"));
        assert!(page.contains("仮想サーバー") && page.contains("ブロックストレージ"));
    }
);

api_test!(
    related_articles_follow_what_the_customer_types,
    async |app: &TestApp| {
        let writer = agent(app).await;
        for (title, body, menus) in [
            (
                "ポータルにログインできない場合の確認事項",
                "パスワードの有効期限を確認してください。",
                vec!["portal_api"],
            ),
            (
                "仮想サーバーのスナップショットを取得する方法",
                "ポータルの仮想サーバー画面から取得します。",
                vec!["virtual_server"],
            ),
            (
                "請求書の発行について",
                "毎月の請求書はポータルからダウンロードできます。",
                vec!["other"],
            ),
        ] {
            let body = json!({ "kind": "faq", "title": title, "body": body, "service_menus": menus, "published": true });
            app.as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(body))
                .await;
        }
        let draft = json!({ "kind": "faq", "title": "ログインの下書き", "body": "ログイン", "published": false });
        app.as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(draft))
            .await;
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let (_, reader) = app.user("reader@org.example", "customer", Some(&org)).await;

        let ask = |q: &str| {
            format!(
                "/api/v1/kb/suggest?q={}",
                serde_urlencoded::to_string([("", q)])
                    .unwrap()
                    .trim_start_matches('=')
            )
        };
        let (status, found) = app
            .as_user(
                &reader,
                Method::GET,
                &ask("昨日からポータルにログインできません"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let titles: Vec<_> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            titles.first().map(String::as_str),
            Some("ポータルにログインできない場合の確認事項"),
            "{titles:?}"
        );
        assert!(
            !titles.iter().any(|t| t.contains("下書き")),
            "drafts are never suggested"
        );
        let (_, found) = app
            .as_user(
                &reader,
                Method::GET,
                &ask("スナップショットの取り方を教えて"),
                None,
            )
            .await;
        assert_eq!(
            found["items"][0]["title"],
            "仮想サーバーのスナップショットを取得する方法"
        );
        assert!(
            found["items"][0]["url"]
                .as_str()
                .unwrap()
                .starts_with("/kb/articles/")
        );
        let (_, found) = app
            .as_user(&reader, Method::GET, &ask("ロードバランサー"), None)
            .await;
        assert_eq!(found["items"], json!([]));
        let (_, found) = app
            .as_user(&reader, Method::GET, "/api/v1/kb/suggest", None)
            .await;
        assert_eq!(found["items"], json!([]));
    }
);

api_test!(
    an_article_that_answers_is_counted_as_a_filing_spared,
    async |app: &TestApp| {
        let writer = agent(app).await;
        let body = json!({ "kind": "faq", "title": "ログインできない場合", "body": "パスワードを確認", "published": true });
        let (_, article) = app
            .as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(body))
            .await;
        let id = article["id"].as_str().unwrap().to_owned();
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        app.user("reader@org.example", "customer", Some(&org)).await;
        let (browser, csrf) = app.log_in("reader@org.example").await;

        let page = browser
            .get(app.url(&format!("/kb/articles/{id}?from=suggestion")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("id=\"solved-form\""),
            "a suggested article asks whether it helped"
        );
        let page = browser
            .get(app.url(&format!("/kb/articles/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains("id=\"solved-form\""));
        let response = browser
            .post(app.url(&format!("/kb/articles/{id}/solved")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let response = browser
            .post(app.url(&format!("/kb/articles/{id}/solved")))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);

        let (_, seen_by_agent) = app
            .as_user(
                &writer,
                Method::GET,
                &format!("/api/v1/kb/articles/{id}"),
                None,
            )
            .await;
        assert_eq!(seen_by_agent["deflections"], 1);
        let (_, reader_token) = app
            .admin(Method::GET, "/api/v1/admin/users?role=customer", None)
            .await;
        let reader_id = reader_token["items"][0]["id"].as_str().unwrap().to_owned();
        let (_, token) = app
            .admin(
                Method::POST,
                &format!("/api/v1/admin/users/{reader_id}/tokens"),
                None,
            )
            .await;
        let token = token["token"].as_str().unwrap();
        let (status, _) = app
            .as_user(
                token,
                Method::POST,
                &format!("/api/v1/kb/articles/{id}/deflections"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, seen_by_customer) = app
            .as_user(
                token,
                Method::GET,
                &format!("/api/v1/kb/articles/{id}"),
                None,
            )
            .await;
        assert!(
            seen_by_customer.get("deflections").is_none(),
            "counts are for agents"
        );
        let (_, seen_by_agent) = app
            .as_user(
                &writer,
                Method::GET,
                &format!("/api/v1/kb/articles/{id}"),
                None,
            )
            .await;
        assert_eq!(seen_by_agent["deflections"], 1, "one customer counts once");
        let (status, _) = app
            .as_user(
                token,
                Method::POST,
                "/api/v1/kb/articles/no-such/deflections",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

api_test!(known_issues_say_where_they_stand, async |app: &TestApp| {
    let writer = agent(app).await;
    let issue = json!({ "kind": "known_issue", "title": "JP1 で設定変更が遅延", "body": "調査中です。", "published": true });
    let (status, created) = app
        .as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(issue))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["issue_status"], "investigating",
        "a new known issue is under investigation"
    );
    let id = created["id"].as_str().unwrap();
    let fixed = json!({ "kind": "known_issue", "title": "JP1 で設定変更が遅延", "body": "解決しました。", "issue_status": "resolved", "published": true });
    let (_, updated) = app
        .as_user(
            &writer,
            Method::PUT,
            &format!("/api/v1/kb/articles/{id}"),
            Some(fixed),
        )
        .await;
    assert_eq!(updated["issue_status"], "resolved");
    let (_, resolved) = app
        .as_user(
            &writer,
            Method::GET,
            "/api/v1/kb/articles?issue_status=resolved",
            None,
        )
        .await;
    assert_eq!(resolved["items"].as_array().unwrap().len(), 1);
    let (_, open) = app
        .as_user(
            &writer,
            Method::GET,
            "/api/v1/kb/articles?issue_status=investigating",
            None,
        )
        .await;
    assert_eq!(open["items"], json!([]));
    let (status, problem) = app
        .as_user(
            &writer,
            Method::GET,
            "/api/v1/kb/articles?issue_status=fixed",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let faq = json!({ "kind": "faq", "title": "t", "body": "b", "issue_status": "resolved" });
    let (status, problem) = app
        .as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(faq))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), ["issue_status"]);

    let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
    app.user("reader@org.example", "customer", Some(&org)).await;
    let (browser, _) = app.log_in("reader@org.example").await;
    let page = browser
        .get(app.url("/kb/known_issue"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("解決済") && page.contains("name=\"issue_status\""));
});

api_test!(
    suggestions_hold_published_articles_only_however_well_a_draft_matches,
    async |app: &TestApp| {
        let writer = agent(app).await;
        // A draft that matches the customer's words best of all…
        let draft = json!({ "kind": "faq", "title": "ポータル ログイン エラー", "body": "ポータル ログイン エラー ポータル ログイン エラー", "published": false });
        let (status, d) = app
            .as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(draft))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{d}");
        // …and five published ones that match less well: the five slots are theirs.
        let mut published = Vec::new();
        for topic in ["パスワード", "二要素認証", "ブラウザ", "アカウント", "権限"]
        {
            let body = json!({
                "kind": "faq", "title": format!("{topic}とログインについて"),
                "body": format!("{topic}の設定を確認してください。"), "published": true,
            });
            let (status, a) = app
                .as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(body))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{a}");
            published.push(a["id"].as_str().unwrap().to_owned());
        }
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let (_, reader) = app.user("reader@org.example", "customer", Some(&org)).await;
        let q = serde_urlencoded::to_string([("q", "ポータル ログイン エラー")]).unwrap();
        let (status, found) = app
            .as_user(
                &reader,
                Method::GET,
                &format!("/api/v1/kb/suggest?{q}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        let mut ids: Vec<_> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            !ids.contains(&d["id"].as_str().unwrap().to_owned()),
            "{found}"
        );
        ids.sort();
        published.sort();
        assert_eq!(ids, published, "every slot a published article: {found}");
    }
);

api_test!(
    the_menu_picked_comes_first_among_equals,
    async |app: &TestApp| {
        let writer = agent(app).await;
        let mut by_menu = Vec::new();
        // Two articles alike in every word, about different menus.
        for menu in ["virtual_server", "network"] {
            let body = json!({
                "kind": "faq", "title": "接続できないときの確認事項",
                "body": "設定と状態を確認してください。", "service_menus": [menu], "published": true,
            });
            let (status, a) = app
                .as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(body))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{a}");
            by_menu.push((menu, a["id"].as_str().unwrap().to_owned()));
        }
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let (_, reader) = app.user("reader@org.example", "customer", Some(&org)).await;
        for (menu, id) in &by_menu {
            let q = serde_urlencoded::to_string([("q", "接続できない"), ("service_menu", menu)])
                .unwrap();
            let (status, found) = app
                .as_user(
                    &reader,
                    Method::GET,
                    &format!("/api/v1/kb/suggest?{q}"),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{found}");
            assert_eq!(found["items"].as_array().unwrap().len(), 2, "{found}");
            assert_eq!(
                found["items"][0]["id"],
                id.as_str(),
                "with {menu} picked, its article first: {found}"
            );
        }
    }
);
