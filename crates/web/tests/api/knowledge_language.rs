//! Knowledge articles carry a language (issue 12): lists and suggestions put the reader's
//! first, and the pages name the language of an article that is not the reader's.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{TestApp, error_fields};

/// A user of `role` who reads the service in `locale`; answers their token.
async fn reader_in(
    app: &TestApp,
    email: &str,
    role: &str,
    org: Option<&str>,
    locale: &str,
) -> String {
    let (id, token) = app.user(email, role, org).await;
    let (status, user) = app
        .admin(
            Method::PATCH,
            &format!("/api/v1/admin/users/{id}"),
            Some(json!({ "locale": locale })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    token
}

async fn write(app: &TestApp, token: &str, article: Value) -> Value {
    let (status, created) = app
        .as_user(token, Method::POST, "/api/v1/kb/articles", Some(article))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

fn titles(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

api_test!(
    an_article_is_in_the_language_given_or_its_writers,
    async |app: &TestApp| {
        let japanese = reader_in(app, "ja@support.example", "agent", None, "ja").await;
        let english = reader_in(app, "en@support.example", "agent", None, "en").await;

        let plain = json!({ "kind": "faq", "title": "サポート時間", "body": "平日 9 時から", "published": true });
        let created = write(app, &japanese, plain).await;
        assert_eq!(
            created["language"], "ja",
            "the writer's language: {created}"
        );
        let created = write(
            app,
            &english,
            json!({ "kind": "faq", "title": "Support hours", "body": "Weekdays", "published": true }),
        )
        .await;
        assert_eq!(
            created["language"], "en",
            "the writer's language: {created}"
        );
        let said = write(
            app,
            &japanese,
            json!({ "kind": "faq", "title": "Billing", "body": "Monthly", "language": "en", "published": true }),
        )
        .await;
        assert_eq!(said["language"], "en", "the language given wins");

        // An edit that does not say keeps the article's language, whoever edits it.
        let id = said["id"].as_str().unwrap();
        let path = format!("/api/v1/kb/articles/{id}");
        let edit =
            json!({ "kind": "faq", "title": "Billing", "body": "Every month", "published": true });
        let (status, edited) = app.as_user(&japanese, Method::PUT, &path, Some(edit)).await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!(edited["language"], "en");
        let edit = json!({ "kind": "faq", "title": "請求", "body": "毎月", "language": "ja", "published": true });
        let (_, edited) = app.as_user(&japanese, Method::PUT, &path, Some(edit)).await;
        assert_eq!(edited["language"], "ja");
        let (_, shown) = app.as_user(&english, Method::GET, &path, None).await;
        assert_eq!(shown["language"], "ja");
    }
);

api_test!(
    an_unknown_language_is_refused_and_nothing_is_stored,
    async |app: &TestApp| {
        let writer = reader_in(app, "ja@support.example", "agent", None, "ja").await;
        let bad = json!({ "kind": "faq", "title": "Bonjour", "body": "Le support", "language": "fr", "published": true });
        let (status, problem) = app
            .as_user(&writer, Method::POST, "/api/v1/kb/articles", Some(bad))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["language"]);
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("ja") && message.contains("en"),
            "the message says what is allowed: {message}"
        );
        let (_, list) = app
            .as_user(&writer, Method::GET, "/api/v1/kb/articles", None)
            .await;
        assert_eq!(list["items"], json!([]), "nothing was stored");

        let created = write(
            app,
            &writer,
            json!({ "kind": "faq", "title": "サポート時間", "body": "平日", "published": true }),
        )
        .await;
        let path = format!("/api/v1/kb/articles/{}", created["id"].as_str().unwrap());
        let bad = json!({ "kind": "faq", "title": "Support", "body": "Weekdays", "language": "english", "published": true });
        let (status, problem) = app.as_user(&writer, Method::PUT, &path, Some(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["language"]);
        let (_, kept) = app.as_user(&writer, Method::GET, &path, None).await;
        assert_eq!(
            (kept["title"].as_str(), kept["language"].as_str()),
            (Some("サポート時間"), Some("ja")),
            "the article is as it was"
        );

        let (status, problem) = app
            .as_user(
                &writer,
                Method::GET,
                "/api/v1/kb/articles?language=fr",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["language"]);
    }
);

api_test!(
    lists_put_the_readers_language_first,
    async |app: &TestApp| {
        let writer = reader_in(app, "ja@support.example", "agent", None, "ja").await;
        // Written oldest first, the languages interleaved; every article mentions the VPN.
        for (title, language) in [
            ("VPN の接続手順", "ja"),
            ("Connecting with the VPN", "en"),
            ("VPN が切断される", "ja"),
            ("VPN disconnects", "en"),
        ] {
            let body = format!("{title}: VPN");
            write(
                app,
                &writer,
                json!({ "kind": "faq", "title": title, "body": body, "language": language, "published": true }),
            )
            .await;
        }
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let ja = reader_in(app, "ja@org.example", "customer", Some(&org), "ja").await;
        let en = reader_in(app, "en@org.example", "customer", Some(&org), "en").await;

        let (_, list) = app
            .as_user(&ja, Method::GET, "/api/v1/kb/articles", None)
            .await;
        assert_eq!(
            titles(&list),
            [
                "VPN が切断される",
                "VPN の接続手順",
                "VPN disconnects",
                "Connecting with the VPN"
            ],
            "Japanese first, each language newest first"
        );
        let (_, list) = app
            .as_user(&en, Method::GET, "/api/v1/kb/articles", None)
            .await;
        assert_eq!(
            titles(&list),
            [
                "VPN disconnects",
                "Connecting with the VPN",
                "VPN が切断される",
                "VPN の接続手順"
            ],
            "English first, each language newest first"
        );

        // Pages follow the same order across the change of language.
        let mut paged = Vec::new();
        let mut path = "/api/v1/kb/articles?limit=3".to_owned();
        loop {
            let (status, page) = app.as_user(&en, Method::GET, &path, None).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            paged.extend(titles(&page));
            match page["next_cursor"].as_str() {
                Some(next) => path = format!("/api/v1/kb/articles?limit=3&cursor={next}"),
                None => break,
            }
        }
        assert_eq!(paged, titles(&list));

        let (_, only) = app
            .as_user(&en, Method::GET, "/api/v1/kb/articles?language=ja", None)
            .await;
        assert_eq!(titles(&only), ["VPN が切断される", "VPN の接続手順"]);
        assert!(
            only["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["language"] == "ja")
        );

        // Searched, the reader's language first too.
        for (token, first) in [(&ja, "ja"), (&en, "en")] {
            let (_, found) = app
                .as_user(token, Method::GET, "/api/v1/kb/articles?q=VPN", None)
                .await;
            let languages: Vec<_> = found["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["language"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(languages.len(), 4, "{found}");
            assert!(
                languages[..2].iter().all(|l| l == first)
                    && languages[2..].iter().all(|l| l != first),
                "{first} first: {languages:?}"
            );
            let (_, page) = app
                .as_user(
                    token,
                    Method::GET,
                    "/api/v1/kb/articles?q=VPN&limit=1",
                    None,
                )
                .await;
            assert_eq!(page["items"][0]["language"], first);
        }
        let (_, found) = app
            .as_user(
                &ja,
                Method::GET,
                "/api/v1/kb/articles?q=VPN&language=en",
                None,
            )
            .await;
        assert_eq!(found["items"].as_array().unwrap().len(), 2, "{found}");
    }
);

api_test!(
    suggestions_put_the_readers_language_first,
    async |app: &TestApp| {
        let writer = reader_in(app, "ja@support.example", "agent", None, "ja").await;
        for (title, body, language) in [
            (
                "VPN connection fails",
                "If the VPN connection fails, check the VPN gateway and its connection log.",
                "en",
            ),
            ("Office network", "A VPN is one way to reach it.", "en"),
            (
                "VPN に接続できない",
                "VPN connection が失敗する場合は VPN ゲートウェイを確認してください。",
                "ja",
            ),
        ] {
            write(
                app,
                &writer,
                json!({ "kind": "faq", "title": title, "body": body, "language": language, "published": true }),
            )
            .await;
        }
        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        let ja = reader_in(app, "ja@org.example", "customer", Some(&org), "ja").await;
        let en = reader_in(app, "en@org.example", "customer", Some(&org), "en").await;
        let ask = "/api/v1/kb/suggest?q=VPN%20connection%20fails";

        let (status, found) = app.as_user(&en, Method::GET, ask, None).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(
            titles(&found),
            [
                "VPN connection fails",
                "Office network",
                "VPN に接続できない"
            ],
            "English first, the better match first among them"
        );
        assert_eq!(found["items"][0]["language"], "en");
        let (_, found) = app.as_user(&ja, Method::GET, ask, None).await;
        assert_eq!(
            titles(&found),
            [
                "VPN に接続できない",
                "VPN connection fails",
                "Office network"
            ],
            "Japanese first, then English in the order of relevance"
        );
        assert_eq!(found["items"][0]["language"], "ja");
    }
);

api_test!(
    pages_offer_the_language_and_name_it_when_not_the_readers,
    async |app: &TestApp| {
        app.user("writer@support.example", "agent", None).await;
        let (browser, csrf) = app.log_in("writer@support.example").await;
        let form = browser
            .get(app.url("/kb/new"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            form.contains("記事の言語") && form.contains("<select name=\"language\""),
            "a labelled language select"
        );
        assert!(form.contains("<option value=\"ja\" lang=\"ja\" selected>日本語</option>"));
        assert!(form.contains("<option value=\"en\" lang=\"en\">English</option>"));
        let bad = browser
            .post(app.url("/kb/new"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("kind", "faq"),
                ("title", "Support hours"),
                ("body", "Weekdays"),
                ("language", "de"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.text()
                .await
                .unwrap()
                .contains("data-field=\"language\"")
        );
        // The English article is the newer: newest first alone would list it first.
        for (title, language) in [("サポート時間", "ja"), ("Support hours", "en")] {
            let ok = browser
                .post(app.url("/kb/new"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("kind", "faq"),
                    ("title", title),
                    ("body", "9:00-17:00"),
                    ("language", language),
                    ("published", "true"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        }

        let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
        app.user("reader@org.example", "customer", Some(&org)).await;
        let (reader, _) = app.log_in("reader@org.example").await;
        let page = reader
            .get(app.url("/kb"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let japanese = page.find("サポート時間").expect("listed");
        let english = page.find("Support hours").expect("listed");
        assert!(japanese < english, "the reader's language first");
        assert!(
            page.contains(
                " lang=\"en\">Support hours</a> <span class=\"lang-tag\" lang=\"en\">English</span>"
            ),
            "the English article is tagged and read in English: {page}"
        );
        assert_eq!(
            page.matches("class=\"lang-tag\"").count(),
            1,
            "articles in the reader's language carry no tag"
        );
        let id = page[..english]
            .rsplit("/kb/articles/")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let article = reader
            .get(app.url(&format!("/kb/articles/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            article.contains("<h1 id=\"article-title\" lang=\"en\">Support hours <span class=\"lang-tag\" lang=\"en\">English</span></h1>"),
            "{article}"
        );
    }
);
