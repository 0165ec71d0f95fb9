//! Search (issue 14): ticket search with the caller's visibility inside the index query,
//! internal notes for agents only, ranked hits with snippets, ticket keys, requester and
//! organization for agents, synonyms that agents edit, related articles with snippets.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::TestApp;

pub(crate) struct World {
    /// Org A's filer: edit on both of A's contracts.
    pub(crate) filer: String,
    /// Org A's user who may view ECL-A1 only.
    pub(crate) viewer: String,
    pub(crate) viewer_id: String,
    /// Org B's user, edit on ECL-B1.
    pub(crate) other: String,
    /// An agent of the general desk only.
    pub(crate) agent: String,
}

async fn grant(app: &TestApp, user: &str, contract: &str, level: &str) {
    let body = json!({ "user_id": user, "contract_number": contract, "level": level });
    let (status, _) = app
        .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK);
}

pub(crate) async fn world(app: &TestApp) -> World {
    let (org_a, _) = app
        .customer_org("株式会社アルファ", "ECL-A1", "premium")
        .await;
    let body = json!({ "organization_id": org_a, "contract_number": "ECL-A2",
        "product_line": "Data Center", "contracting_corporation": "Example Communications Corp.",
        "plan": "premium", "channel": "direct" });
    let (status, c) = app
        .admin(Method::POST, "/api/v1/admin/contracts", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let (org_b, _) = app.customer_org("ベータ商事", "ECL-B1", "basic").await;
    for (org, tenant) in [(&org_a, "tenant-a"), (&org_b, "tenant-b")] {
        let body = json!({ "organization_id": org, "tenant_id": tenant });
        app.admin(Method::POST, "/api/v1/admin/tenants", Some(body))
            .await;
    }
    let (filer_id, filer) = app
        .user("hanako@alpha.example", "customer", Some(&org_a))
        .await;
    grant(app, &filer_id, "ECL-A1", "edit").await;
    grant(app, &filer_id, "ECL-A2", "edit").await;
    let (viewer_id, viewer) = app
        .user("jiro@alpha.example", "customer", Some(&org_a))
        .await;
    grant(app, &viewer_id, "ECL-A1", "view").await;
    let (other_id, other) = app.user("b@beta.example", "customer", Some(&org_b)).await;
    grant(app, &other_id, "ECL-B1", "edit").await;
    let body = json!({ "email": "agent@madoguchi.test", "name": "一般 窓口", "role": "agent",
        "desks": ["general"], "password": "correct horse battery" });
    let (status, a) = app
        .admin(Method::POST, "/api/v1/admin/users", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let (_, token) = app
        .admin(
            Method::POST,
            &format!("/api/v1/admin/users/{}/tokens", a["id"].as_str().unwrap()),
            None,
        )
        .await;
    World {
        filer,
        viewer,
        viewer_id,
        other,
        agent: token["token"].as_str().unwrap().to_owned(),
    }
}

pub(crate) async fn file(
    app: &TestApp,
    token: &str,
    contract: &str,
    ticket_type: &str,
    summary: &str,
    details: &str,
) -> String {
    let tenant = if contract.starts_with("ECL-B") {
        "tenant-b"
    } else {
        "tenant-a"
    };
    let body = json!({
        "contract_number": contract, "ticket_type": ticket_type, "summary": summary,
        "service_menu": "virtual_server", "tenant_id": tenant, "details": details,
        "menu_fields": { "server_name": "web-01", "region": "JP1" },
    });
    let (status, t) = app
        .as_user(token, Method::POST, "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    t["key"].as_str().unwrap().to_owned()
}

pub(crate) async fn search(app: &TestApp, token: &str, q: &str) -> Value {
    let path = format!(
        "/api/v1/tickets?{}",
        serde_urlencoded::to_string([("q", q)]).unwrap()
    );
    let (status, body) = app.as_user(token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn queue(app: &TestApp, token: &str, desk: &str, q: &str) -> (StatusCode, Value) {
    let path = format!(
        "/api/v1/queues/{desk}?{}",
        serde_urlencoded::to_string([("q", q), ("status", "new")]).unwrap()
    );
    app.as_user(token, Method::GET, &path, None).await
}

/// A page as `email`'s browser gets it: the status, the HTML and where it redirects to.
pub(crate) async fn page(
    app: &TestApp,
    email: &str,
    path: &str,
) -> (StatusCode, String, Option<String>) {
    let (browser, _) = app.log_in(email).await;
    let response = browser.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, response.text().await.unwrap(), location)
}

pub(crate) fn keys(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap().to_owned())
        .collect()
}

api_test!(
    a_customer_finds_only_tickets_of_contracts_they_may_view,
    async |app: &TestApp| {
        let w = world(app).await;
        let on_a1 = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "仮想サーバーが起動しない",
            "本番の web-01 が起動しません。",
        )
        .await;
        let on_a2 = file(
            app,
            &w.filer,
            "ECL-A2",
            "general_inquiry",
            "仮想サーバーが起動しない(データセンター)",
            "秘密の案件アルファ。",
        )
        .await;
        let on_b = file(
            app,
            &w.other,
            "ECL-B1",
            "general_inquiry",
            "仮想サーバーが起動しない",
            "ベータの秘密。",
        )
        .await;

        let found = search(app, &w.viewer, "起動しない").await;
        assert_eq!(keys(&found), vec![on_a1.clone()], "{found}");
        assert_eq!(
            found["total"], 1,
            "the count hints at nothing more: {found}"
        );
        let counted: i64 = found["counts"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_i64().unwrap())
            .sum();
        assert_eq!(counted, 1, "{found}");
        assert!(
            !found.to_string().contains("秘密"),
            "no snippet of another contract: {found}"
        );

        // The filer sees both of A's contracts, never B's.
        let found = search(app, &w.filer, "起動しない").await;
        let mut got = keys(&found);
        got.sort();
        let mut want = vec![on_a1.clone(), on_a2.clone()];
        want.sort();
        assert_eq!(got, want, "{found}");
        assert_eq!(
            keys(&search(app, &w.other, "起動しない").await),
            vec![on_b.clone()]
        );
        // Words only another organization's ticket holds find nothing, and say nothing.
        let found = search(app, &w.viewer, "アルファ").await;
        assert_eq!(found["total"], 0, "{found}");
        let found = search(app, &w.viewer, "ベータの秘密").await;
        assert_eq!(found["total"], 0, "{found}");
        // A key of a ticket the caller may not see finds nothing either.
        assert_eq!(search(app, &w.viewer, &on_b).await["total"], 0);
        assert_eq!(search(app, &w.viewer, &on_a2).await["total"], 0);

        // Revoking the permission hides the contract's tickets from the next search.
        let body = json!({ "user_id": w.viewer_id, "contract_number": "ECL-A1" });
        let (status, _) = app
            .admin(Method::DELETE, "/api/v1/admin/permissions", Some(body))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(search(app, &w.viewer, "起動しない").await["total"], 0);
    }
);

api_test!(
    internal_notes_are_found_by_agents_only,
    async |app: &TestApp| {
        let w = world(app).await;
        let key = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "ディスクの容量について",
            "容量を増やしたい。",
        )
        .await;
        // The note shares a word with the ticket's public text, so that a customer's search for
        // that word would show the note's words if notes were ever searched or quoted for them.
        let note = json!({ "body": "社内メモ: 容量の件は冷却装置の不調が原因", "internal": true });
        let (status, m) = app
            .as_user(
                &w.agent,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(note),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");

        let found = search(app, &w.filer, "冷却装置").await;
        assert_eq!(
            found["total"], 0,
            "a note is never searched for a customer: {found}"
        );
        let found = search(app, &w.filer, "容量").await;
        assert_eq!(keys(&found), vec![key.clone()]);
        assert!(
            !found.to_string().contains("冷却") && !found.to_string().contains("notes"),
            "no note in a customer's snippets: {found}"
        );
        // Nor on the customer's HTML list.
        let (status, page, _) = page(app, "hanako@alpha.example", "/tickets?q=容量").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(&key), "{page}");
        assert!(!page.contains("冷却"), "{page}");

        let (status, found) = queue(app, &w.agent, "general", "冷却装置").await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(keys(&found), vec![key.clone()]);
        let snippets = found["items"][0]["snippets"].to_string();
        assert!(
            snippets.contains("notes") && snippets.contains("冷却"),
            "{found}"
        );
    }
);

api_test!(
    agents_find_only_their_desks_tickets,
    async |app: &TestApp| {
        let w = world(app).await;
        let premium = file(
            app,
            &w.filer,
            "ECL-A1",
            "premium_general_inquiry",
            "特別窓口への相談",
            "暗号資産の移行計画",
        )
        .await;
        let general = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "一般窓口への相談",
            "暗号資産の移行計画",
        )
        .await;
        let (status, found) = queue(app, &w.agent, "general", "暗号資産").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(keys(&found), vec![general.clone()], "{found}");
        assert!(!found.to_string().contains("特別窓口"), "{found}");
        let (status, _) = queue(app, &w.agent, "premium", "暗号資産").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The agent's ticket list searches their desks only as well, and its counts say
        // nothing of another desk's tickets.
        let found = search(app, &w.agent, "暗号資産").await;
        assert_eq!(keys(&found), vec![general.clone()], "{found}");
        assert_eq!(found["total"], 1, "{found}");
        let counted: i64 = found["counts"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_i64().unwrap())
            .sum();
        assert_eq!(counted, 1, "{found}");
        assert!(!found.to_string().contains("特別窓口"), "{found}");
        assert!(!found.to_string().contains(&premium), "{found}");
        // Customers have no queue to search.
        let (status, _) = queue(app, &w.filer, "general", "暗号資産").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

api_test!(
    a_ticket_filed_or_replied_to_is_found_at_once_ranked_with_snippets,
    async |app: &TestApp| {
        let w = world(app).await;
        let other = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "請求書について",
            "ロードバランサーの料金が知りたい。",
        )
        .await;
        let key = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "ロードバランサーのヘルスチェックが失敗する",
            "ヘルスチェックの設定を確認したい。",
        )
        .await;
        let found = search(app, &w.viewer, "ロードバランサー").await;
        assert_eq!(
            keys(&found)[0],
            key,
            "the ticket about it in its summary first: {found}"
        );
        assert!(keys(&found).contains(&other));
        let snippet = &found["items"][0]["snippets"][0];
        assert_eq!(snippet["field"], "summary", "{found}");
        assert!(
            snippet["fragments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["hit"] == true
                    && f["text"].as_str().unwrap().contains("ロードバランサー")),
            "{found}"
        );

        // Japanese without spaces, conjugations and one character.
        assert_eq!(
            keys(&search(app, &w.viewer, "失敗しました").await),
            vec![key.clone()]
        );
        assert_eq!(
            keys(&search(app, &w.viewer, "ﾍﾙｽﾁｪｯｸ").await),
            vec![key.clone()]
        );
        assert!(keys(&search(app, &w.viewer, "請").await).contains(&other));

        // A public reply is found at once.
        let reply = json!({ "body": "ポート 8080 の応答を確認してください。" });
        let (status, _) = app
            .as_user(
                &w.agent,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(reply),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let found = search(app, &w.viewer, "8080").await;
        assert_eq!(keys(&found), vec![key.clone()], "{found}");
        assert_eq!(
            found["items"][0]["snippets"][0]["field"], "replies",
            "{found}"
        );

        // Sorted by time on request: newest first.
        let path = "/api/v1/tickets?q=%E3%83%AD%E3%83%BC%E3%83%89%E3%83%90%E3%83%A9%E3%83%B3%E3%82%B5%E3%83%BC&sort=newest";
        let (status, found) = app.as_user(&w.viewer, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(keys(&found), [key.clone(), other.clone()]);

        // A key finds its ticket.
        assert_eq!(keys(&search(app, &w.viewer, &key).await)[0], key);
        assert_eq!(
            keys(&search(app, &w.viewer, &key.to_lowercase()).await)[0],
            key
        );
    }
);

api_test!(
    agents_find_tickets_by_requester_and_organization,
    async |app: &TestApp| {
        let w = world(app).await;
        let key = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "バックアップの相談",
            "世代数について",
        )
        .await;
        for q in ["hanako@alpha.example", "アルファ", "User hanako"] {
            let (status, found) = queue(app, &w.agent, "general", q).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(keys(&found), vec![key.clone()], "{q}: {found}");
        }
        // A customer does not search by people: another user's name finds nothing.
        let found = search(app, &w.viewer, "hanako@alpha.example").await;
        assert_eq!(found["total"], 0, "{found}");
    }
);

api_test!(
    agents_edit_synonyms_that_apply_at_once,
    async |app: &TestApp| {
        let w = world(app).await;
        let key = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "仮想サーバーが起動しない",
            "朝から起動しません。",
        )
        .await;
        assert_eq!(
            keys(&search(app, &w.viewer, "VM が立ち上がらない").await),
            vec![key.clone()],
            "seeded synonyms apply"
        );
        assert_eq!(search(app, &w.viewer, "うんともすんとも").await["total"], 0);

        let (status, list) = app
            .as_user(&w.agent, Method::GET, "/api/v1/synonyms", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(list["items"].as_array().unwrap().len() >= 150, "seeded");
        let body = json!({ "phrases": ["うんともすんとも", "起動しない"] });
        let (status, group) = app
            .as_user(&w.agent, Method::POST, "/api/v1/synonyms", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{group}");
        assert_eq!(
            keys(&search(app, &w.viewer, "うんともすんとも").await),
            vec![key.clone()]
        );

        let id = group["id"].as_str().unwrap();
        let (status, _) = app
            .as_user(
                &w.agent,
                Method::PUT,
                &format!("/api/v1/synonyms/{id}"),
                Some(json!({ "phrases": ["一語だけ"] })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = app
            .as_user(
                &w.agent,
                Method::DELETE,
                &format!("/api/v1/synonyms/{id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(search(app, &w.viewer, "うんともすんとも").await["total"], 0);

        // Customers neither read nor edit the dictionary.
        let (status, _) = app
            .as_user(&w.viewer, Method::GET, "/api/v1/synonyms", None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let body = json!({ "phrases": ["a", "b"] });
        let (status, _) = app
            .as_user(&w.viewer, Method::POST, "/api/v1/synonyms", Some(body))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

api_test!(
    related_articles_and_the_knowledge_center_search_every_article,
    async |app: &TestApp| {
        let w = world(app).await;
        // Older articles count as much as new ones: 210 of them, the answer written first.
        let mut ids = Vec::new();
        let bodies = [(
            "ファイアウォールのルールが反映されない",
            "ルールの順序を確認してください。",
        )];
        for (title, body) in bodies.iter().copied().chain((0..209).map(|_| {
            (
                "請求書の発行について",
                "毎月の請求書をダウンロードできます。",
            )
        })) {
            let input = json!({ "kind": "faq", "title": title, "body": body, "service_menus": ["firewall"], "published": true });
            let (status, a) = app
                .as_user(&w.agent, Method::POST, "/api/v1/kb/articles", Some(input))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{a}");
            ids.push(a["id"].as_str().unwrap().to_owned());
        }
        let body = json!({ "q": "FW のルールが効かないです", "service_menu": "firewall" });
        let (status, found) = app
            .as_user(&w.filer, Method::POST, "/api/v1/kb/suggest", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["items"][0]["id"], ids[0].as_str(), "{found}");
        assert!(
            found["items"][0]["title_highlighted"]["fragments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["hit"] == true)
        );

        let (status, found) = app
            .as_user(
                &w.filer,
                Method::GET,
                "/api/v1/kb/articles?q=%E5%8F%8D%E6%98%A0",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
        assert_eq!(found["items"][0]["id"], ids[0].as_str());
        assert!(found["items"][0]["snippets"].is_array());
    }
);

api_test!(
    a_draft_is_never_suggested_nor_takes_a_suggestions_place,
    async |app: &TestApp| {
        let w = world(app).await;
        let mut published = Vec::new();
        for n in 1..=6 {
            let input = json!({ "kind": "faq", "title": format!("ストレージの暗号化 その{n}"),
                "body": "ストレージの暗号化を有効にする手順です。", "service_menus": ["virtual_server"],
                "published": true });
            let (status, a) = app
                .as_user(&w.agent, Method::POST, "/api/v1/kb/articles", Some(input))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{a}");
            published.push(a["id"].as_str().unwrap().to_owned());
        }
        // The draft matches best of all: its title is the very words typed.
        let input = json!({ "kind": "faq", "title": "ストレージの暗号化が失敗する(下書き)",
            "body": "ストレージの暗号化が失敗する。ストレージの暗号化が失敗する。未公開の回避策。",
            "service_menus": ["virtual_server"], "published": false });
        let (status, draft) = app
            .as_user(&w.agent, Method::POST, "/api/v1/kb/articles", Some(input))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{draft}");
        let draft = draft["id"].as_str().unwrap().to_owned();

        let body = json!({ "q": "ストレージの暗号化が失敗する", "service_menu": "virtual_server" });
        let (status, found) = app
            .as_user(&w.filer, Method::POST, "/api/v1/kb/suggest", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        let ids: Vec<&str> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids.len(),
            5,
            "five published articles, the draft in none of the places: {found}"
        );
        assert!(
            ids.iter().all(|id| published.iter().any(|p| p == id)),
            "{found}"
        );
        assert!(!ids.contains(&draft.as_str()), "{found}");
        assert!(
            !found.to_string().contains("下書き") && !found.to_string().contains("未公開"),
            "{found}"
        );
    }
);
