//! Canned replies (SPEC §6, §8): agents keep their own and share some with a desk; the desk's
//! agents use and edit the shared ones; nobody else sees them; a reply is filled for a ticket
//! the agent may see.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{TestApp, error_fields, hidden};

/// The people of these stories and a ticket of each desk.
pub(crate) struct Desk {
    pub filer: String,
    /// General desk.
    pub agent: String,
    pub agent_id: String,
    /// General desk too.
    pub colleague: String,
    /// Premium desk only.
    pub premium: String,
    pub general_ticket: String,
    pub premium_ticket: String,
}

/// An agent with a password (`correct horse battery`) and a token; answers (id, token).
pub(crate) async fn agent(
    app: &TestApp,
    email: &str,
    name: &str,
    desks: &[&str],
) -> (String, String) {
    let body = json!({ "email": email, "name": name, "role": "agent", "desks": desks,
        "password": "correct horse battery" });
    let (status, user) = app
        .admin(Method::POST, "/api/v1/admin/users", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    let (_, token) = app
        .admin(
            Method::POST,
            &format!("/api/v1/admin/users/{id}/tokens"),
            None,
        )
        .await;
    (id, token["token"].as_str().unwrap().to_owned())
}

pub(crate) async fn file(app: &TestApp, token: &str, contract: &str, ticket_type: &str) -> String {
    let body = json!({
        "contract_number": contract, "ticket_type": ticket_type, "summary": "スナップショットの取り方",
        "service_menu": "virtual_server", "tenant_id": "tenant-c1", "details": "手順を教えてください。",
        "menu_fields": { "server_name": "web-01", "region": "JP1" },
    });
    let (status, ticket) = app
        .as_user(token, Method::POST, "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    ticket["key"].as_str().unwrap().to_owned()
}

pub(crate) async fn desk(app: &TestApp) -> Desk {
    let (org, _) = app.customer_org("株式会社定型", "ECL-C1", "premium").await;
    let body = json!({ "organization_id": org, "tenant_id": "tenant-c1" });
    app.admin(Method::POST, "/api/v1/admin/tenants", Some(body))
        .await;
    let (filer_id, filer) = app
        .user("filer@teikei.example", "customer", Some(&org))
        .await;
    let body = json!({ "user_id": filer_id, "contract_number": "ECL-C1", "level": "edit" });
    let (status, _) = app
        .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (agent_id, agent_token) =
        agent(app, "ippan@support.example", "窓口 一般", &["general"]).await;
    let (_, colleague) = agent(app, "doryo@support.example", "同僚 次郎", &["general"]).await;
    let (_, premium) = agent(app, "tokubetsu@support.example", "特別 花子", &["premium"]).await;
    Desk {
        general_ticket: file(app, &filer, "ECL-C1", "general_inquiry").await,
        premium_ticket: file(app, &filer, "ECL-C1", "premium_general_inquiry").await,
        filer,
        agent: agent_token,
        agent_id,
        colleague,
        premium,
    }
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, reply) = app
        .as_user(token, Method::POST, "/api/v1/canned-replies", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    reply
}

fn titles(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect()
}

api_test!(
    agents_keep_their_own_replies_and_share_others_with_their_desk,
    async |app: &TestApp| {
        let d = desk(app).await;
        let own = create(
            app,
            &d.agent,
            json!({ "title": "挨拶", "body": "{お客さま名} 様" }),
        )
        .await;
        assert_eq!(own["desk"], Value::Null);
        assert_eq!(own["owner_id"], d.agent_id.as_str());
        let shared = create(
            app,
            &d.agent,
            json!({ "title": "受付のご連絡", "body": "{チケット番号} を承りました。", "desk": "general" }),
        )
        .await;
        assert_eq!(shared["desk"], "general");
        create(
            app,
            &d.premium,
            json!({ "title": "特別窓口", "body": "…", "desk": "premium" }),
        )
        .await;

        let (_, mine) = app
            .as_user(&d.agent, Method::GET, "/api/v1/canned-replies", None)
            .await;
        assert_eq!(titles(&mine), ["挨拶", "受付のご連絡"]);
        // A colleague of the desk sees the shared one, never the agent's own.
        let (_, theirs) = app
            .as_user(&d.colleague, Method::GET, "/api/v1/canned-replies", None)
            .await;
        assert_eq!(titles(&theirs), ["受付のご連絡"]);
        let (_, other_desk) = app
            .as_user(&d.premium, Method::GET, "/api/v1/canned-replies", None)
            .await;
        assert_eq!(titles(&other_desk), ["特別窓口"]);

        let own_url = format!("/api/v1/canned-replies/{}", own["id"].as_str().unwrap());
        let shared_url = format!("/api/v1/canned-replies/{}", shared["id"].as_str().unwrap());
        for (token, url) in [
            (&d.colleague, &own_url),
            (&d.premium, &own_url),
            (&d.premium, &shared_url),
        ] {
            let (status, _) = app.as_user(token, Method::GET, url, None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
            let body = json!({ "title": "書き換え", "body": "x" });
            let (status, _) = app.as_user(token, Method::PUT, url, Some(body)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
            let (status, _) = app.as_user(token, Method::DELETE, url, None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
        }

        // The desk's agents edit and delete the shared reply.
        let body = json!({ "title": "受付のご連絡(改)", "body": "{チケット番号} を承りました。担当:{担当者名}", "desk": "general" });
        let (status, edited) = app
            .as_user(&d.colleague, Method::PUT, &shared_url, Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!(edited["title"], "受付のご連絡(改)");
        let (_, seen) = app.as_user(&d.agent, Method::GET, &shared_url, None).await;
        assert_eq!(seen["title"], "受付のご連絡(改)");

        // An admin manages every reply; an agent's own stays theirs.
        let (_, all) = app.admin(Method::GET, "/api/v1/canned-replies", None).await;
        assert_eq!(titles(&all).len(), 3);
        let body = json!({ "title": "挨拶(管理者が修正)", "body": "{お客さま名} 様" });
        let (status, tidied) = app.admin(Method::PUT, &own_url, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{tidied}");
        assert_eq!(tidied["owner_id"], d.agent_id.as_str());
        let (_, mine) = app
            .as_user(&d.agent, Method::GET, "/api/v1/canned-replies", None)
            .await;
        assert_eq!(titles(&mine), ["挨拶(管理者が修正)", "受付のご連絡(改)"]);

        let (status, _) = app
            .as_user(&d.colleague, Method::DELETE, &shared_url, None)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app.as_user(&d.agent, Method::GET, &shared_url, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.as_user(&d.agent, Method::DELETE, &own_url, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, mine) = app
            .as_user(&d.agent, Method::GET, "/api/v1/canned-replies", None)
            .await;
        assert!(titles(&mine).is_empty());
    }
);

api_test!(
    customers_find_no_canned_replies_anywhere,
    async |app: &TestApp| {
        let d = desk(app).await;
        let shared = create(
            app,
            &d.agent,
            json!({ "title": "共有", "body": "本文", "desk": "general" }),
        )
        .await;
        let url = format!("/api/v1/canned-replies/{}", shared["id"].as_str().unwrap());
        let render = format!("{url}/render?ticket={}", d.general_ticket);
        for (method, path, body) in [
            (Method::GET, "/api/v1/canned-replies", None),
            (
                Method::POST,
                "/api/v1/canned-replies",
                Some(json!({ "title": "t", "body": "b" })),
            ),
            (Method::GET, url.as_str(), None),
            (
                Method::PUT,
                url.as_str(),
                Some(json!({ "title": "t", "body": "b" })),
            ),
            (Method::DELETE, url.as_str(), None),
            (Method::GET, render.as_str(), None),
        ] {
            let (status, problem) = app.as_user(&d.filer, method.clone(), path, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {problem}");
        }
        let (status, still) = app.as_user(&d.agent, Method::GET, &url, None).await;
        assert_eq!(status, StatusCode::OK, "{still}");
    }
);

api_test!(
    invalid_canned_replies_name_each_field,
    async |app: &TestApp| {
        let d = desk(app).await;
        let body = json!({ "title": " ", "body": "x".repeat(10_001), "desk": "premium" });
        let (status, problem) = app
            .as_user(&d.agent, Method::POST, "/api/v1/canned-replies", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["title", "body", "desk"]);
        let messages: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        assert_eq!(messages[1], "Use at most 10000 characters.");
        assert_eq!(messages[2], "Choose a desk you belong to.");

        let body = json!({ "title": "あ".repeat(201), "body": "本文", "desk": "gold" });
        let (status, problem) = app
            .as_user(&d.agent, Method::POST, "/api/v1/canned-replies", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&problem), ["title", "desk"]);

        let (status, problem) = app
            .as_user(
                &d.agent,
                Method::POST,
                "/api/v1/canned-replies",
                Some(json!(["not", "an object"])),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        let (_, mine) = app
            .as_user(&d.agent, Method::GET, "/api/v1/canned-replies", None)
            .await;
        assert!(titles(&mine).is_empty(), "nothing invalid was stored");

        // 200 characters is the limit, not beyond it.
        create(
            app,
            &d.agent,
            json!({ "title": "あ".repeat(200), "body": "本文" }),
        )
        .await;
    }
);

api_test!(
    a_reply_is_filled_for_the_ticket_in_english_and_japanese_forms,
    async |app: &TestApp| {
        let d = desk(app).await;
        let body = "{お客さま名} 様 / {customer_name}\n{チケット番号} / {ticket_key}\n{担当者名} / {agent_name}\n{unknown} {お名前}";
        let reply = create(
            app,
            &d.colleague,
            json!({ "title": "差し込み", "body": body, "desk": "general" }),
        )
        .await;
        let url = format!(
            "/api/v1/canned-replies/{}/render?ticket={}",
            reply["id"].as_str().unwrap(),
            d.general_ticket
        );
        // Filled as the agent who inserts it, not the one who wrote it.
        let (status, filled) = app.as_user(&d.agent, Method::GET, &url, None).await;
        assert_eq!(status, StatusCode::OK, "{filled}");
        let key = &d.general_ticket;
        assert_eq!(
            filled["body"],
            format!(
                "User filer@teikei.example 様 / User filer@teikei.example\n{key} / {key}\n窓口 一般 / 窓口 一般\n{{unknown}} {{お名前}}"
            )
        );
        // The reply as stored keeps its placeholders.
        let (_, stored) = app
            .as_user(
                &d.agent,
                Method::GET,
                &format!("/api/v1/canned-replies/{}", reply["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(stored["body"], body);
    }
);

api_test!(
    a_reply_cannot_be_filled_for_a_ticket_the_agent_may_not_see,
    async |app: &TestApp| {
        let d = desk(app).await;
        let reply = create(
            app,
            &d.premium,
            json!({ "title": "特別", "body": "{ticket_key}" }),
        )
        .await;
        let id = reply["id"].as_str().unwrap();
        let on = |key: &str| format!("/api/v1/canned-replies/{id}/render?ticket={key}");
        let (status, filled) = app
            .as_user(&d.premium, Method::GET, &on(&d.premium_ticket), None)
            .await;
        assert_eq!(
            (status, filled["body"].as_str()),
            (StatusCode::OK, Some(d.premium_ticket.as_str()))
        );
        // The general desk's ticket is another desk's: as missing as an unknown one.
        for key in [d.general_ticket.as_str(), "SD-9999", "not-a-key"] {
            let (status, problem) = app.as_user(&d.premium, Method::GET, &on(key), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{key}: {problem}");
        }
        let (status, problem) = app
            .as_user(
                &d.premium,
                Method::GET,
                &format!("/api/v1/canned-replies/{id}/render"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&problem), ["ticket"]);
        // Another agent's reply is missing even on their own desk's ticket.
        let (status, _) = app
            .as_user(&d.agent, Method::GET, &on(&d.general_ticket), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

api_test!(
    the_ticket_pages_prefill_fills_the_chosen_reply,
    async |app: &TestApp| {
        // The agent's ticket page calls this for `?canned=<id>` (without JavaScript).
        let d = desk(app).await;
        let reply = create(
            app,
            &d.agent,
            json!({ "title": "挨拶", "body": "{お客さま名} 様、{担当者名}です。" }),
        )
        .await;
        let store = &app.db.store;
        let agent = store.user(&d.agent_id).await.unwrap();
        let body = madoguchi_app::canned_replies::render(
            store,
            &agent,
            reply["id"].as_str().unwrap(),
            &d.general_ticket,
        )
        .await
        .unwrap();
        assert_eq!(body, "User filer@teikei.example 様、窓口 一般です。");
        let offered =
            madoguchi_app::canned_replies::for_desk(store, &agent, madoguchi_core::Desk::General)
                .await
                .unwrap();
        assert_eq!(offered.len(), 1);
        let premium =
            madoguchi_app::canned_replies::for_desk(store, &agent, madoguchi_core::Desk::Premium)
                .await
                .unwrap();
        assert_eq!(
            premium.len(),
            1,
            "an agent's own replies are offered on every ticket"
        );
    }
);

api_test!(
    the_management_page_keeps_what_was_typed_and_asks_before_deleting,
    async |app: &TestApp| {
        let d = desk(app).await;
        let (browser, csrf) = app.log_in("ippan@support.example").await;
        let home = browser
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("href=\"/canned-replies\""),
            "the navigation links the page"
        );

        let typed = "{お客さま名} 様\n\nお問い合わせありがとうございます。<確認中>";
        let response = browser
            .post(app.url("/canned-replies"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("title", ""),
                ("body", typed),
                ("desk", "general"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("role=\"alert\""), "an error summary");
        assert!(
            page.contains("data-field=\"title\""),
            "the error beside the title"
        );
        assert!(page.contains("aria-invalid=\"true\""));
        assert!(
            page.contains("{お客さま名} 様\n\nお問い合わせありがとうございます。&#60;確認中&#62;")
                || page.contains(
                    "{お客さま名} 様\n\nお問い合わせありがとうございます。&lt;確認中&gt;"
                ),
            "the text is kept: {page}"
        );
        assert!(
            page.contains("<option value=\"general\" selected>"),
            "the desk is kept"
        );

        let response = browser
            .post(app.url("/canned-replies"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("title", "受付のご連絡"),
                ("body", typed),
                ("desk", "general"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let list = browser
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains("role=\"status\""));
        assert!(
            list.contains("定型文「受付のご連絡」を作成しました。"),
            "{list}"
        );
        assert!(list.contains("一般窓口 · 共有"), "grouped under its desk");

        let (_, replies) = app
            .as_user(&d.agent, Method::GET, "/api/v1/canned-replies", None)
            .await;
        let id = replies["items"][0]["id"].as_str().unwrap().to_owned();
        let confirm = browser
            .get(app.url(&format!("/canned-replies/{id}/delete")))
            .send()
            .await
            .unwrap();
        assert_eq!(confirm.status(), StatusCode::OK);
        let confirm = confirm.text().await.unwrap();
        assert!(
            confirm.contains("定型文「受付のご連絡」を削除します。"),
            "names the reply"
        );
        assert!(
            confirm.contains("一般窓口 で共有されています"),
            "warns the desk loses it"
        );
        let (_, still) = app
            .as_user(&d.agent, Method::GET, "/api/v1/canned-replies", None)
            .await;
        assert_eq!(titles(&still).len(), 1, "asking deletes nothing");

        let response = browser
            .post(app.url(&format!("/canned-replies/{id}/delete")))
            .form(&[("csrf", hidden(&confirm, "csrf").as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let list = browser
            .get(app.url("/canned-replies?done=deleted"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains("定型文を削除しました。"));
        let (_, gone) = app
            .as_user(&d.agent, Method::GET, "/api/v1/canned-replies", None)
            .await;
        assert!(titles(&gone).is_empty());

        // Customers find no such page.
        let (customer, _) = app.log_in("filer@teikei.example").await;
        let page = customer
            .get(app.url("/canned-replies"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        let home = customer
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!home.contains("href=\"/canned-replies\""));
    }
);

api_test!(
    the_demo_brings_canned_replies_in_japanese_and_english,
    async |app: &TestApp| {
        let store = &app.db.store;
        madoguchi_app::demo::load(store).await.unwrap();
        let email = |e: &str| madoguchi_core::values::Email::parse(e).unwrap();
        let lead = store
            .user_by_email(&email("lead@madoguchi.example"))
            .await
            .unwrap();
        let general = store
            .user_by_email(&email("agent.general@madoguchi.example"))
            .await
            .unwrap();
        let of_lead = madoguchi_app::canned_replies::list(store, &lead)
            .await
            .unwrap();
        assert_eq!(
            of_lead.iter().filter(|r| r.desk.is_none()).count(),
            2,
            "the lead's own, in English"
        );
        assert_eq!(of_lead.len(), 6);
        let of_general = madoguchi_app::canned_replies::list(store, &general)
            .await
            .unwrap();
        assert_eq!(of_general.len(), 3, "the general desk's, in Japanese");
        assert!(of_general.iter().all(|r| r.body.contains("{お客さま名}")));
        // Loading again adds nothing.
        madoguchi_app::canned_replies::seed_demo(store, &general, &lead)
            .await
            .unwrap();
        assert_eq!(
            madoguchi_app::canned_replies::list(store, &lead)
                .await
                .unwrap()
                .len(),
            6
        );
    }
);

api_test!(
    the_openapi_document_describes_canned_replies_and_reports,
    async |app: &TestApp| {
        let (status, doc) =
            crate::helpers::read(app.call(Method::GET, "/api/openapi.json", None, None).await)
                .await;
        assert_eq!(status, StatusCode::OK);
        let paths = &doc["paths"];
        for (path, methods) in [
            ("/api/v1/canned-replies", &["get", "post"][..]),
            ("/api/v1/canned-replies/{id}", &["get", "put", "delete"][..]),
            ("/api/v1/canned-replies/{id}/render", &["get"][..]),
            ("/api/v1/reports", &["get"][..]),
        ] {
            for m in methods {
                assert!(paths[path][m].is_object(), "{m} {path} is not described");
            }
        }
    }
);
