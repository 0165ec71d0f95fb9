//! The status workflow and the agent's changes (SPEC §5–6): every transition, the PATCH of
//! status, assignee, priority and desk, the history, internal notes that never reach a
//! customer, and the agent's ticket page — on both databases.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{TestApp, error_fields};

/// One customer organization and the support staff around it.
struct Desk {
    /// the filer (edit on ECL-B), and their id
    filer: String,
    /// a colleague with view only on ECL-B
    viewer: String,
    /// a customer of another organization
    stranger: String,
    /// general desk agents, with ids
    agent: String,
    agent_id: String,
    other_agent_id: String,
    /// premium desk only
    premium: String,
    premium_id: String,
    /// on both desks
    both: String,
    customer_id: String,
}

async fn staff(app: &TestApp, email: &str, desks: &[&str]) -> (String, String) {
    let body = json!({
        "email": email, "name": format!("担当 {email}"), "role": "agent", "desks": desks,
        "password": "correct horse battery",
    });
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

async fn grant(app: &TestApp, user: &str, contract: &str, level: &str) {
    let body = json!({ "user_id": user, "contract_number": contract, "level": level });
    let (status, p) = app
        .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
}

async fn desk(app: &TestApp) -> Desk {
    let (org, contract) = app.customer_org("株式会社窓口", "ECL-B", "basic").await;
    app.admin(
        Method::POST,
        "/api/v1/admin/tenants",
        Some(json!({ "organization_id": org, "tenant_id": "tenant-001" })),
    )
    .await;
    let (customer_id, filer) = app.user("filer@org.example", "customer", Some(&org)).await;
    grant(app, &customer_id, &contract, "edit").await;
    let (viewer_id, viewer) = app.user("viewer@org.example", "customer", Some(&org)).await;
    grant(app, &viewer_id, &contract, "view").await;
    let (other, other_contract) = app.customer_org("Other K.K.", "ECL-X", "basic").await;
    let (stranger_id, stranger) = app
        .user("stranger@other.example", "customer", Some(&other))
        .await;
    grant(app, &stranger_id, &other_contract, "edit").await;
    let (agent_id, agent) = staff(app, "agent@support.example", &["general"]).await;
    let (other_agent_id, _) = staff(app, "second@support.example", &["general"]).await;
    let (premium_id, premium) = staff(app, "premium@support.example", &["premium"]).await;
    let (_, both) = staff(app, "both@support.example", &["general", "premium"]).await;
    Desk {
        filer,
        viewer,
        stranger,
        agent,
        agent_id,
        other_agent_id,
        premium,
        premium_id,
        both,
        customer_id,
    }
}

async fn file(app: &TestApp, d: &Desk, summary: &str) -> String {
    let body = json!({
        "contract_number": "ECL-B", "ticket_type": "general_inquiry", "summary": summary,
        "service_menu": "other", "tenant_id": "tenant-001", "details": "手順を教えてください。",
        "menu_fields": { "service_name": "DNS" },
    });
    let (status, ticket) = app
        .as_user(&d.filer, Method::POST, "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    ticket["key"].as_str().unwrap().to_owned()
}

async fn patch(app: &TestApp, token: &str, key: &str, body: Value) -> (StatusCode, Value) {
    app.as_user(
        token,
        Method::PATCH,
        &format!("/api/v1/tickets/{key}"),
        Some(body),
    )
    .await
}

async fn post(app: &TestApp, token: &str, key: &str, body: Value) -> (StatusCode, Value) {
    app.as_user(
        token,
        Method::POST,
        &format!("/api/v1/tickets/{key}/messages"),
        Some(body),
    )
    .await
}

async fn get(app: &TestApp, token: &str, key: &str) -> Value {
    let (status, t) = app
        .as_user(token, Method::GET, &format!("/api/v1/tickets/{key}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    t
}

async fn history(app: &TestApp, token: &str, key: &str) -> (StatusCode, Value) {
    app.as_user(
        token,
        Method::GET,
        &format!("/api/v1/tickets/{key}/history"),
        None,
    )
    .await
}

async fn status_of(app: &TestApp, d: &Desk, key: &str) -> String {
    get(app, &d.filer, key).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

api_test!(
    every_transition_of_the_guide_holds_through_the_api,
    async |app: &TestApp| {
        let d = desk(app).await;
        let key = file(app, &d, "スナップショットの取り方").await;
        assert_eq!(status_of(app, &d, &key).await, "new");

        // A customer's addition to a new ticket leaves it new; support's first answer starts it.
        post(app, &d.filer, &key, json!({ "body": "補足です" })).await;
        assert_eq!(status_of(app, &d, &key).await, "new");
        let (s, _) = post(app, &d.agent, &key, json!({ "body": "確認します" })).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(status_of(app, &d, &key).await, "in_progress");

        // Waiting for the customer; their answer hands it back.
        let (s, t) = patch(
            app,
            &d.agent,
            &key,
            json!({ "status": "waiting_for_customer" }),
        )
        .await;
        assert_eq!(
            (s, t["status"].as_str()),
            (StatusCode::OK, Some("waiting_for_customer"))
        );
        post(app, &d.filer, &key, json!({ "body": "ログです" })).await;
        assert_eq!(status_of(app, &d, &key).await, "in_progress");

        // A reply that proposes closing; the customer's comment continues the ticket.
        let (s, m) = post(
            app,
            &d.agent,
            &key,
            json!({ "body": "解決しましたか?", "status": "pending_closure" }),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        assert_eq!(status_of(app, &d, &key).await, "pending_closure");
        post(app, &d.filer, &key, json!({ "body": "まだです" })).await;
        assert_eq!(status_of(app, &d, &key).await, "in_progress");

        // Pending closure again, and the customer closes.
        patch(app, &d.agent, &key, json!({ "status": "pending_closure" })).await;
        let (s, t) = app
            .as_user(
                &d.filer,
                Method::POST,
                &format!("/api/v1/tickets/{key}/close"),
                None,
            )
            .await;
        assert_eq!((s, t["status"].as_str()), (StatusCode::OK, Some("closed")));

        // A closed ticket takes nothing more: no reply, no note, no status.
        let (s, p) = post(app, &d.filer, &key, json!({ "body": "もう一つ" })).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        let (s, p) = post(app, &d.agent, &key, json!({ "body": "追記" })).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        let (s, p) = patch(app, &d.agent, &key, json!({ "status": "in_progress" })).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(error_fields(&p), ["status"]);
        assert!(p["detail"].as_str().unwrap().contains("follow-up"), "{p}");
        assert_eq!(status_of(app, &d, &key).await, "closed");

        // Every change of status is in the history, in order.
        let (_, h) = history(app, &d.agent, &key).await;
        let moves: Vec<(String, String)> = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "ticket.status_changed")
            .map(|i| {
                let c = &i["changes"]["status"];
                (
                    c["from"].as_str().unwrap().to_owned(),
                    c["to"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expected = [
            ("new", "in_progress"),
            ("in_progress", "waiting_for_customer"),
            ("waiting_for_customer", "in_progress"),
            ("in_progress", "pending_closure"),
            ("pending_closure", "in_progress"),
            ("in_progress", "pending_closure"),
            ("pending_closure", "closed"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(moves, expected);
    }
);

api_test!(
    a_status_change_alone_is_an_event_the_customer_reads_in_words,
    async |app: &TestApp| {
        let d = desk(app).await;
        let key = file(app, &d, "ログインできない").await;
        let (s, t) = patch(app, &d.agent, &key, json!({ "status": "pending_closure" })).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["status"], "pending_closure");

        let (s, h) = history(app, &d.agent, &key).await;
        assert_eq!(s, StatusCode::OK);
        let items = h["items"].as_array().unwrap();
        let last = items.last().unwrap();
        assert_eq!(last["kind"], "ticket.status_changed");
        assert_eq!(
            last["changes"],
            json!({ "status": { "from": "new", "to": "pending_closure" } })
        );
        assert_eq!(last["public"], true);
        assert_eq!(last["actor"]["id"], d.agent_id.as_str());
        assert!(
            last["at"]
                .as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .is_ok()
        );

        // The same status again changes nothing and logs nothing.
        patch(app, &d.agent, &key, json!({ "status": "pending_closure" })).await;
        let (_, again) = history(app, &d.agent, &key).await;
        assert_eq!(again["items"].as_array().unwrap().len(), items.len());

        // The customer's log says it in words.
        let t = get(app, &d.filer, &key).await;
        let log = t["messages"].as_array().unwrap();
        assert_eq!(log.len(), 1, "{log:?}");
        assert_eq!(log[0]["kind"], "event");
        assert_eq!(log[0]["body"], "サポートがクローズを提案しました");
        assert_eq!(log[0]["internal"], false);
        assert_eq!(log[0]["event"]["kind"], "ticket.status_changed");
        assert!(log[0].get("via").is_none());
    }
);

api_test!(
    assignment_follows_the_desk_and_bad_input_is_a_problem,
    async |app: &TestApp| {
        let d = desk(app).await;
        let key = file(app, &d, "請求について").await;

        let (s, t) = patch(app, &d.agent, &key, json!({ "assignee": d.agent_id })).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["assignee"]["id"], d.agent_id.as_str());
        let (s, t) = patch(
            app,
            &d.agent,
            &key,
            json!({ "assignee": "second@support.example" }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["assignee"]["id"], d.other_agent_id.as_str(), "by email");
        // Who works the ticket is support's business: customers get the public part only.
        let seen = get(app, &d.filer, &key).await;
        assert!(seen.get("assignee").is_none(), "{seen}");
        let (s, t) = patch(app, &d.agent, &key, json!({ "assignee": null })).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert!(
            t.get("assignee").is_none() || t["assignee"].is_null(),
            "{t}"
        );

        // Not an agent of this desk: a premium agent, a customer, nobody.
        for who in [
            d.premium_id.as_str(),
            d.customer_id.as_str(),
            "nobody@nowhere.example",
        ] {
            let (s, p) = patch(app, &d.agent, &key, json!({ "assignee": who })).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{who}: {p}");
            assert_eq!(error_fields(&p), ["assignee"]);
        }
        // Unknown codes, all named at once; nothing changes.
        let (s, p) = patch(
            app,
            &d.agent,
            &key,
            json!({ "status": "done", "priority": "p9", "desk": "vip" }),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(error_fields(&p), ["status", "priority", "desk"]);
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("in_progress")
        );
        let (s, _) = patch(app, &d.agent, &key, json!({ "assignee": 42 })).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "a number is not a user");

        let (s, t) = patch(app, &d.agent, &key, json!({ "priority": "p1" })).await;
        assert_eq!((s, t["priority"].as_str()), (StatusCode::OK, Some("p1")));
        assert_eq!(t["status"], "new", "priority alone leaves the status");

        let (_, h) = history(app, &d.agent, &key).await;
        let internal: Vec<(&str, &Value)> = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["public"] == false)
            .map(|i| (i["kind"].as_str().unwrap(), &i["changes"]))
            .collect();
        assert_eq!(
            internal,
            [
                (
                    "ticket.assigned",
                    &json!({ "assignee": { "from": null, "to": d.agent_id } })
                ),
                (
                    "ticket.assigned",
                    &json!({ "assignee": { "from": d.agent_id, "to": d.other_agent_id } })
                ),
                (
                    "ticket.assigned",
                    &json!({ "assignee": { "from": d.other_agent_id, "to": null } })
                ),
                (
                    "ticket.priority_changed",
                    &json!({ "priority": { "from": "p3", "to": "p1" } })
                ),
            ]
        );
    }
);

api_test!(
    only_an_agent_of_both_desks_moves_a_ticket,
    async |app: &TestApp| {
        let d = desk(app).await;
        let key = file(app, &d, "移動するチケット").await;
        patch(app, &d.agent, &key, json!({ "assignee": d.agent_id })).await;

        let (s, p) = patch(app, &d.agent, &key, json!({ "desk": "premium" })).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        let (s, _) = patch(app, &d.premium, &key, json!({ "desk": "premium" })).await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "the premium desk does not see it yet"
        );

        let (s, t) = patch(app, &d.both, &key, json!({ "desk": "premium" })).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["desk"], "premium");
        assert!(
            t.get("assignee").is_none() || t["assignee"].is_null(),
            "the general agent stays behind: {t}"
        );
        // Now it is the premium desk's, and nothing of it shows to the general desk.
        get(app, &d.premium, &key).await;
        let (s, _) = app
            .as_user(
                &d.agent,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = history(app, &d.agent, &key).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = patch(app, &d.agent, &key, json!({ "status": "in_progress" })).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = post(
            app,
            &d.agent,
            &key,
            json!({ "body": "x", "internal": true }),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let (_, h) = history(app, &d.premium, &key).await;
        let moved = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == "ticket.desk_changed")
            .unwrap()
            .clone();
        assert_eq!(
            moved["changes"],
            json!({ "desk": { "from": "general", "to": "premium" } })
        );
        assert_eq!(moved["public"], false);
        // The customer sees the ticket as before, without the move.
        let (_, ch) = history(app, &d.filer, &key).await;
        assert!(
            ch["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["public"] == true)
        );
    }
);

api_test!(
    internal_notes_never_reach_a_customer_by_any_path,
    async |app: &TestApp| {
        let d = desk(app).await;
        let key = file(app, &d, "ノートのテスト").await;
        let (s, note) = post(
            app,
            &d.agent,
            &key,
            json!({ "body": "社内だけの秘密メモ", "internal": true }),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{note}");
        assert_eq!(
            (note["kind"].as_str(), note["via"].as_str()),
            (Some("note"), Some("api"))
        );
        post(app, &d.agent, &key, json!({ "body": "公開の返信です" })).await;

        let as_agent = get(app, &d.agent, &key).await;
        let kinds: Vec<&str> = as_agent["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["note", "reply", "event"]);

        for token in [&d.filer, &d.viewer] {
            let t = get(app, token, &key).await;
            assert!(!t.to_string().contains("社内だけの秘密メモ"), "{t}");
            let (_, list) = app
                .as_user(token, Method::GET, "/api/v1/tickets?q=秘密メモ", None)
                .await;
            assert!(!list.to_string().contains("秘密メモ"), "{list}");
            let (s, h) = history(app, token, &key).await;
            assert_eq!(s, StatusCode::OK);
            assert!(
                h["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|i| i["public"] == true),
                "{h}"
            );
            assert_eq!(
                h["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|i| i["kind"] == "message.added")
                    .count(),
                1,
                "only the public reply: {h}"
            );
        }
        let (browser, _) = app.log_in("filer@org.example").await;
        let page = browser
            .get(app.url(&format!("/tickets/{key}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("公開の返信です"));
        assert!(!page.contains("社内だけの秘密メモ"));
        assert!(!page.contains("内部メモ"));
    }
);

api_test!(customers_may_do_no_agent_action, async |app: &TestApp| {
    let d = desk(app).await;
    let key = file(app, &d, "お客さまの権限").await;
    let bodies = [
        json!({ "status": "closed" }),
        json!({ "assignee": d.agent_id }),
        json!({ "assignee": null }),
        json!({ "priority": "p1" }),
        json!({ "desk": "premium" }),
    ];
    for body in &bodies {
        for token in [&d.filer, &d.viewer] {
            let (s, p) = patch(app, token, &key, body.clone()).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{body}: {p}");
        }
        let (s, _) = patch(app, &d.stranger, &key, body.clone()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    }
    for body in [
        json!({ "body": "メモ", "internal": true }),
        json!({ "body": "返信", "status": "closed" }),
    ] {
        let (s, p) = post(app, &d.filer, &key, body.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}: {p}");
        let (s, _) = post(app, &d.stranger, &key, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (s, _) = history(app, &d.stranger, &key).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let t = get(app, &d.agent, &key).await;
    assert_eq!(
        (t["status"].as_str(), t["priority"].as_str()),
        (Some("new"), Some("p3"))
    );
    assert_eq!(t["desk"], "general");
    assert_eq!(t["messages"], json!([]), "nothing was written");

    // Their pages refuse too.
    let (browser, csrf) = app.log_in("filer@org.example").await;
    for (path, field, value) in [
        ("status", "status", "closed"),
        ("take", "assignee", ""),
        ("assign", "assignee", ""),
        ("priority", "priority", "p1"),
        ("desk", "desk", "premium"),
    ] {
        let response = browser
            .post(app.url(&format!("/tickets/{key}/{path}")))
            .form(&[
                ("csrf", csrf.as_str()),
                (field, value),
                ("confirmed", "yes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let t = get(app, &d.agent, &key).await;
    assert_eq!(t["status"], "new");
});

api_test!(
    the_agent_works_the_ticket_on_its_page,
    async |app: &TestApp| {
        let d = desk(app).await;
        let key = file(app, &d, "画面で対応する").await;
        let (browser, csrf) = app.log_in("agent@support.example").await;
        let page_url = app.url(&format!("/tickets/{key}"));
        let page = browser
            .get(&page_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("id=\"reply-submit\"") && page.contains("お客さまに返信"));
        assert!(page.contains("id=\"note-submit\"") && page.contains("内部メモを追加"));
        assert!(page.contains("id=\"reply-body\"") && page.contains("id=\"note-body\""));
        assert!(page.contains("株式会社窓口"), "the customer's organization");
        assert!(!page.contains("id=\"move-desk\""), "one desk: no move");

        // Take it in one click.
        let response = browser
            .post(app.url(&format!("/tickets/{key}/take")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let to = response.headers()["location"].to_str().unwrap().to_owned();
        let page = browser
            .get(app.url(&to))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("このチケットを担当しました。"),
            "a banner says so"
        );

        // An internal note, set apart from replies.
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("body", "社内: 既知の事象かも");
        let response = browser
            .post(app.url(&format!("/tickets/{key}/note")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        // A reply that proposes closing.
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("body", "手順はこちらです。")
            .text("status", "pending_closure");
        let response = browser
            .post(app.url(&format!("/tickets/{key}/messages")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let page = browser
            .get(&page_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let note_at = page.find("社内: 既知の事象かも").unwrap();
        let entry = &page[page[..note_at].rfind("<li").unwrap()..note_at];
        assert!(
            entry.contains("note") && entry.contains("内部メモ"),
            "{entry}"
        );
        assert!(page.contains("id=\"history\""));
        assert!(page.contains("クローズ待ち"));

        // A status change alone; closing asks first.
        let response = browser
            .post(app.url(&format!("/tickets/{key}/status")))
            .form(&[("csrf", csrf.as_str()), ("status", "in_progress")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let to = response.headers()["location"].to_str().unwrap().to_owned();
        let page = browser
            .get(app.url(&to))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("ステータスを「対応中」に変更しました。"),
            "banner"
        );
        let response = browser
            .post(app.url(&format!("/tickets/{key}/status")))
            .form(&[("csrf", csrf.as_str()), ("status", "closed")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let confirm = response.text().await.unwrap();
        assert!(
            confirm.contains(&format!("{key} をクローズしますか"))
                && confirm.contains("name=\"confirmed\" value=\"yes\"")
        );
        assert_eq!(status_of(app, &d, &key).await, "in_progress", "not yet");

        // A bad assignee comes back as a banner, nothing changed.
        let response = browser
            .post(app.url(&format!("/tickets/{key}/assign")))
            .form(&[("csrf", csrf.as_str()), ("assignee", d.premium_id.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("role=\"alert\""));

        // The customer reads the proposal and the reply, never the note.
        let (customer, _) = app.log_in("filer@org.example").await;
        let page = customer
            .get(&page_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("サポートがクローズを提案しました"));
        assert!(page.contains("ステータスが対応中に変わりました"));
        assert!(page.contains("手順はこちらです。"));
        assert!(!page.contains("既知の事象かも"));
        assert!(!page.contains("id=\"history\""));
        assert!(!page.contains("id=\"note-form\""));
    }
);

api_test!(
    the_customer_is_told_plainly_and_closes_after_a_confirmation,
    async |app: &TestApp| {
        let d = desk(app).await;
        let key = file(app, &d, "クローズの確認").await;
        post(
            app,
            &d.agent,
            &key,
            json!({ "body": "解決しましたか?", "status": "pending_closure" }),
        )
        .await;
        let (browser, csrf) = app.log_in("filer@org.example").await;
        let page = browser
            .get(app.url(&format!("/tickets/{key}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let banner = page.find("id=\"status-banner\"").expect("a banner");
        assert!(
            page[..banner].ends_with("role=\"status\" "),
            "a status banner"
        );
        assert!(page.contains("サポートがクローズを提案しました。解決していれば"));
        assert!(
            page.contains("data-dialog=\"close-dialog\""),
            "a dialog with JavaScript"
        );

        // Without JavaScript the Close button leads to a confirmation page naming the ticket.
        let confirm = browser
            .get(app.url(&format!("/tickets/{key}/close")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(confirm.contains(&format!("{key} をクローズしますか")));
        assert!(confirm.contains(&format!("action=\"/tickets/{key}/close\"")));
        assert_eq!(status_of(app, &d, &key).await, "pending_closure");
        let response = browser
            .post(app.url(&format!("/tickets/{key}/close")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(status_of(app, &d, &key).await, "closed");
        let page = browser
            .get(app.url(&format!("/tickets/{key}?done=closed")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("クローズしました。"));
        assert!(page.contains("お客さまがクローズしました"));
    }
);

/// What `token`'s ticket list (`/api/v1/tickets`) marks as changed on `key`.
async fn unseen(app: &TestApp, token: &str, key: &str) -> Vec<String> {
    let (status, list) = app
        .as_user(token, Method::GET, "/api/v1/tickets", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key)
        .unwrap_or_else(|| panic!("{key} not listed: {list}"));
    serde_json::from_value(item["unseen"].clone()).expect("lists carry `unseen`")
}

/// What the general desk's queue (`/api/v1/queues/general`) marks as changed on `key`.
async fn unseen_in_queue(app: &TestApp, token: &str, key: &str) -> Vec<String> {
    let (status, queue) = app
        .as_user(token, Method::GET, "/api/v1/queues/general", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let item = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("{key} not in the queue: {queue}"));
    serde_json::from_value(item["unseen"].clone()).expect("queue items carry `unseen`")
}

api_test!(
    lists_mark_what_changed_since_each_user_last_looked,
    async |app: &TestApp| {
        let d = desk(app).await;
        let key = file(app, &d, "前回から変わったこと").await;
        // Nothing happened since filing: nothing to mark, for the filer nor the desk.
        assert!(unseen(app, &d.filer, &key).await.is_empty());
        assert!(unseen_in_queue(app, &d.agent, &key).await.is_empty());

        // Support answers and proposes to wait; a colleague notes something internally.
        let (status, _) = post(
            app,
            &d.agent,
            &key,
            json!({ "body": "確認します。", "status": "waiting_for_customer" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = post(
            app,
            &d.both,
            &key,
            json!({ "body": "社内: 既知の事象か確認中", "internal": true }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(unseen(app, &d.filer, &key).await, ["reply", "status"]);
        assert_eq!(
            unseen(app, &d.viewer, &key).await,
            ["reply", "status"],
            "a colleague with view permission is told too"
        );
        // The writer has seen what they wrote; only the colleague's note is new to them.
        assert_eq!(unseen_in_queue(app, &d.agent, &key).await, ["note"]);

        // The customer's list page says so in words, before the summary.
        let (browser, _) = app.log_in("filer@org.example").await;
        let page = browser
            .get(app.url("/tickets"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let row = page
            .split("<tr")
            .find(|r| r.contains(&format!("/tickets/{key}\"")))
            .expect("the ticket is listed");
        assert!(row.contains("新しい返信"), "{row}");
        assert!(row.contains("ステータス変更"), "{row}");
        assert!(!row.contains("新しいメモ"), "notes never show: {row}");

        // The close confirmation only asks; it is not looking at the log.
        let asked = browser
            .get(app.url(&format!("/tickets/{key}/close")))
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status(), StatusCode::OK);
        assert_eq!(unseen(app, &d.filer, &key).await, ["reply", "status"]);

        // Opening the ticket is looking at it: the list stops marking it.
        let opened = browser
            .get(app.url(&format!("/tickets/{key}")))
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), StatusCode::OK);
        assert!(unseen(app, &d.filer, &key).await.is_empty());
        assert_eq!(unseen(app, &d.viewer, &key).await, ["reply", "status"]);

        // The customer answers: the agent's queue marks the reply and the status it moved;
        // the customer, who wrote it, sees nothing new.
        let (status, _) = post(app, &d.filer, &key, json!({ "body": "再起動しました。" })).await;
        assert_eq!(status, StatusCode::CREATED);
        assert!(unseen(app, &d.filer, &key).await.is_empty());
        assert_eq!(
            unseen_in_queue(app, &d.agent, &key).await,
            ["reply", "note", "status"]
        );
        get(app, &d.agent, &key).await;
        assert!(unseen_in_queue(app, &d.agent, &key).await.is_empty());

        // An agent's reply on a ticket support proposes to close restarts the auto-close clock
        // but moves no status: the customer hears of the reply, not of a status change.
        let (status, _) = post(
            app,
            &d.agent,
            &key,
            json!({ "body": "解決策です。", "status": "pending_closure" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        get(app, &d.filer, &key).await;
        let (status, _) = post(app, &d.agent, &key, json!({ "body": "補足です。" })).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(unseen(app, &d.filer, &key).await, ["reply"]);

        // Having looked at tickets keeps nobody from being deleted.
        get(app, &d.viewer, &key).await;
        let (_, me) = app
            .as_user(&d.viewer, Method::GET, "/api/v1/me", None)
            .await;
        let viewer_id = me["id"].as_str().unwrap().to_owned();
        let (status, body) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/users/{viewer_id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
);
