//! The catalog as admins edit it (issue 13): a menu and a required item added by an admin are
//! demanded at once by the API and the filing form; a retired item is no longer asked while
//! old tickets still show it; a type's plans decide the categories at once; what tickets use
//! is retired, not deleted; the console's pages work without JavaScript; nobody else gets in.

use reqwest::multipart::Form;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{TestApp, error_fields};

/// A customer with edit permission on a contract of `plan` and a tenant; answers (contract,
/// the customer's token).
async fn customer(app: &TestApp, plan: &str) -> (String, String) {
    let (org, contract) = app.customer_org("株式会社カタログ", "ECL-CAT", plan).await;
    let body = json!({ "organization_id": org, "tenant_id": "tenant-cat1" });
    app.admin(Method::POST, "/api/v1/admin/tenants", Some(body))
        .await;
    let (id, token) = app
        .user("filer@catalog.example", "customer", Some(&org))
        .await;
    let body = json!({ "user_id": id, "contract_number": contract, "level": "edit" });
    let (status, _) = app
        .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK);
    (contract, token)
}

fn ticket(contract: &str, menu: &str, fields: Value) -> Value {
    json!({
        "contract_number": contract, "ticket_type": "general_inquiry", "summary": "GPU が遅い",
        "service_menu": menu, "tenant_id": "tenant-cat1", "details": "学習ジョブが遅い。",
        "menu_fields": fields,
    })
}

async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn offered_types(categories: &Value) -> Vec<String> {
    categories["categories"][0]["ticket_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .collect()
}

api_test!(
    a_menu_an_admin_adds_is_offered_and_its_required_items_are_demanded,
    async |app: &TestApp| {
        let (contract, token) = customer(app, "premium").await;
        let menu = json!({
            "key": "gpu_server", "name_ja": "GPUサーバー", "name_en": "GPU Server",
            "items": [{ "key": "gpu_model", "label_ja": "GPUモデル", "label_en": "GPU model",
                        "input": "select", "options": ["A100", "H100"] }],
        });
        let (status, created) = app
            .admin(Method::POST, "/api/v1/admin/service-menus", Some(menu))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["items"][0]["required"], true, "{created}");
        assert_eq!(created["items"][0]["options"], json!(["A100", "H100"]));
        assert_eq!(created["retired"], false);

        // A second required item, added later, is demanded too.
        let item = json!({ "key": "node_count", "label_ja": "ノード数", "label_en": "Number of nodes", "input": "text" });
        let (status, added) = app
            .admin(
                Method::POST,
                "/api/v1/admin/service-menus/gpu_server/items",
                Some(item),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(added["label_ja"], "ノード数");
        assert_eq!(added["label"], "Number of nodes", "in the admin's language");

        let (_, menus) = app
            .as_user(&token, Method::GET, "/api/v1/service-menus", None)
            .await;
        let gpu = menus["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["key"] == "gpu_server")
            .expect("the new menu is offered");
        assert_eq!(gpu["items"].as_array().unwrap().len(), 2);

        let body = ticket(&contract, "gpu_server", json!({ "gpu_model": "H100" }));
        let (status, problem) = app
            .as_user(&token, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["menu_fields.node_count"]);

        // The filing form shows the menu and its items, and refuses without the new one.
        let (browser, csrf) = app.log_in("filer@catalog.example").await;
        let url = format!("/tickets/new/{contract}/general_inquiry");
        let (_, form) = page(&browser, app, &url).await;
        assert!(
            form.contains("GPUサーバー") && form.contains("ノード数"),
            "{form}"
        );
        assert!(form.contains("name=\"menu.gpu_server.node_count\""));
        let typed = Form::new()
            .text("csrf", csrf.clone())
            .text("summary", "GPU が遅い")
            .text("service_menu", "gpu_server")
            .text("tenant_id", "tenant-cat1")
            .text("menu.gpu_server.gpu_model", "H100")
            .text("details", "学習ジョブが遅い。")
            .text("action", "submit");
        let response = browser
            .post(app.url(&url))
            .multipart(typed)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = response.text().await.unwrap();
        assert!(
            refused.contains("data-field=\"menu_fields.node_count\"")
                && refused.contains("<a href=\"#f-menu_fields-node_count\">"),
            "{refused}"
        );
        assert!(!refused.contains("data-field=\"menu_fields.gpu_model\""));

        let body = ticket(
            &contract,
            "gpu_server",
            json!({ "gpu_model": "H100", "node_count": "4" }),
        );
        let (status, filed) = app
            .as_user(&token, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{filed}");
        assert_eq!(filed["menu_fields"]["node_count"], "4");
    }
);

api_test!(
    a_retired_item_is_no_longer_asked_and_old_tickets_still_show_it,
    async |app: &TestApp| {
        let (contract, token) = customer(app, "basic").await;
        let fields = json!({ "server_name": "web-01", "region": "JP7" });
        let (status, old) = app
            .as_user(
                &token,
                Method::POST,
                "/api/v1/tickets",
                Some(ticket(&contract, "virtual_server", fields)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{old}");
        let key = old["key"].as_str().unwrap();

        // An item that an old ticket carries is not deleted: the refusal says to retire it.
        let path = "/api/v1/admin/service-menus/virtual_server/items/region";
        let (status, problem) = app.admin(Method::DELETE, path, None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(error_fields(&problem), ["key"]);
        let said = problem.to_string();
        assert!(
            said.contains("廃止") || said.contains("retire"),
            "{problem}"
        );
        let (status, retired) = app
            .admin(Method::PATCH, path, Some(json!({ "retired": true })))
            .await;
        assert_eq!(status, StatusCode::OK, "{retired}");
        assert_eq!(retired["retired"], true);

        // New filings are no longer asked for it: the API, the menu list and the form.
        let (status, filed) = app
            .as_user(
                &token,
                Method::POST,
                "/api/v1/tickets",
                Some(ticket(
                    &contract,
                    "virtual_server",
                    json!({ "server_name": "web-02" }),
                )),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{filed}");
        let (_, menus) = app
            .as_user(&token, Method::GET, "/api/v1/service-menus", None)
            .await;
        let vs = menus["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["key"] == "virtual_server")
            .unwrap();
        assert_eq!(vs["items"].as_array().unwrap().len(), 1, "{vs}");
        let (browser, _) = app.log_in("filer@catalog.example").await;
        let (_, form) = page(
            &browser,
            app,
            &format!("/tickets/new/{contract}/general_inquiry"),
        )
        .await;
        assert!(form.contains("name=\"menu.virtual_server.server_name\""));
        assert!(
            !form.contains("name=\"menu.virtual_server.region\""),
            "{form}"
        );

        // The old ticket still shows the value with the item's label.
        let (_, old_page) = page(&browser, app, &format!("/tickets/{key}")).await;
        assert!(
            old_page.contains("リージョン") && old_page.contains("JP7"),
            "{old_page}"
        );
        let (_, old) = app
            .as_user(&token, Method::GET, &format!("/api/v1/tickets/{key}"), None)
            .await;
        assert_eq!(old["menu_fields"]["region"], "JP7");

        // An admin still sees it, marked retired; an unused item is deleted outright.
        let (_, menu) = app
            .admin(
                Method::GET,
                "/api/v1/admin/service-menus/virtual_server",
                None,
            )
            .await;
        assert_eq!(menu["items"][1]["key"], "region");
        assert_eq!(menu["items"][1]["retired"], true);
        let item = json!({ "key": "zone", "label_ja": "ゾーン", "label_en": "Zone", "input": "text", "required": false });
        let (status, _) = app
            .admin(
                Method::POST,
                "/api/v1/admin/service-menus/virtual_server/items",
                Some(item),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = app
            .admin(
                Method::DELETE,
                "/api/v1/admin/service-menus/virtual_server/items/zone",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        // A menu tickets are about is retired, not deleted.
        let (status, _) = app
            .admin(
                Method::DELETE,
                "/api/v1/admin/service-menus/virtual_server",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
    }
);

api_test!(
    a_type_s_plans_decide_the_categories_at_once,
    async |app: &TestApp| {
        let (contract, token) = customer(app, "basic").await;
        let categories = |token: String| async move {
            app.as_user(&token, Method::GET, "/api/v1/categories", None)
                .await
                .1
        };
        assert_eq!(
            offered_types(&categories(token.clone()).await),
            ["general_inquiry", "incident_submission"]
        );

        let (status, changed) = app
            .admin(
                Method::PATCH,
                "/api/v1/admin/ticket-types/callback_general_inquiry",
                Some(json!({ "plans": ["advanced", "basic"] })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["plans"], json!(["basic", "advanced"]));
        assert!(
            offered_types(&categories(token.clone()).await)
                .contains(&"callback_general_inquiry".to_owned())
        );

        // A new type, with its names in both languages; refused first with every problem.
        let (status, problem) = app
            .admin(
                Method::POST,
                "/api/v1/admin/ticket-types",
                Some(json!({ "code": "Security Review", "kind": "question" })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = error_fields(&problem);
        for f in ["code", "kind", "channel", "desk", "name_ja", "name_en"] {
            assert!(fields.contains(&f.to_owned()), "{f} in {problem}");
        }
        let new_type = json!({
            "code": "security_review", "name_ja": "セキュリティ診断の依頼", "name_en": "Security Review",
            "description_ja": "診断の依頼", "description_en": "Ask for a review", "kind": "inquiry",
            "channel": "web", "desk": "general", "plans": ["basic"],
        });
        let (status, created) = app
            .admin(Method::POST, "/api/v1/admin/ticket-types", Some(new_type))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["name_ja"], "セキュリティ診断の依頼");
        assert_eq!(
            created["name"], "Security Review",
            "in the admin's language"
        );
        let offered = categories(token.clone()).await;
        assert!(offered_types(&offered).contains(&"security_review".to_owned()));
        // A Japanese reader picks it by its Japanese name on the type choice page.
        let (browser, _) = app.log_in("filer@catalog.example").await;
        let (_, types) = page(&browser, app, &format!("/tickets/new/{contract}")).await;
        assert!(
            types.contains("セキュリティ診断の依頼") && !types.contains("Security Review"),
            "{types}"
        );
        let (status, _) = app
            .admin(
                Method::POST,
                "/api/v1/admin/ticket-types",
                Some(json!({ "code": "security_review" })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // Retired: no longer offered, and filing with it is refused.
        app.admin(
            Method::PATCH,
            "/api/v1/admin/ticket-types/security_review",
            Some(json!({ "retired": true })),
        )
        .await;
        assert!(
            !offered_types(&categories(token.clone()).await)
                .contains(&"security_review".to_owned())
        );
        let mut body = ticket(&contract, "other", json!({ "service_name": "x" }));
        body["ticket_type"] = json!("security_review");
        let (status, problem) = app
            .as_user(&token, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&problem), ["ticket_type"]);

        // A type no ticket uses is deleted; one that tickets use is refused (409).
        let body = ticket(&contract, "other", json!({ "service_name": "x" }));
        app.as_user(&token, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        let (status, problem) = app
            .admin(
                Method::DELETE,
                "/api/v1/admin/ticket-types/general_inquiry",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(error_fields(&problem), ["code"]);
        let (status, _) = app
            .admin(
                Method::DELETE,
                "/api/v1/admin/ticket-types/security_review",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app
            .admin(
                Method::GET,
                "/api/v1/admin/ticket-types/security_review",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

api_test!(
    the_console_edits_the_catalog_without_javascript,
    async |app: &TestApp| {
        app.user("ops@catalog.example", "admin", None).await;
        let (browser, csrf) = app.log_in("ops@catalog.example").await;
        let (_, home) = page(&browser, app, "/admin").await;
        assert!(home.contains("href=\"/admin/catalog\""), "{home}");
        let (status, list) = page(&browser, app, "/admin/catalog").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            list.contains("Premium Plan (Incident Submission)") && list.contains("仮想サーバー")
        );

        let post = |path: &str, form: Vec<(&str, &str)>| {
            let mut form: Vec<(String, String)> = form
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            form.push(("csrf".into(), csrf.clone()));
            browser.post(app.url(path)).form(&form).send()
        };

        // A bad key is refused beside its field, with the names kept.
        let response = post(
            "/admin/catalog/menus",
            vec![
                ("key", "GPU Server"),
                ("name_ja", "GPUサーバー"),
                ("name_en", "GPU Server"),
            ],
        )
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("id=\"menu-key-error\"") && html.contains("value=\"GPUサーバー\""),
            "{html}"
        );
        let response = post(
            "/admin/catalog/menus",
            vec![
                ("key", "gpu_server"),
                ("name_ja", "GPUサーバー"),
                ("name_en", "GPU Server"),
            ],
        )
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(
            location,
            "/admin/catalog/menus/gpu_server?done=menu_created"
        );

        // A choice without choices is refused; everything typed stays.
        let item = |options: &'static str| {
            vec![
                ("key", "gpu_model"),
                ("label_ja", "GPUモデル"),
                ("label_en", "GPU model"),
                ("input", "select"),
                ("options", options),
                ("required", "on"),
            ]
        };
        let response = post("/admin/catalog/menus/gpu_server/items", item(""))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("id=\"new-item-options-error\"") && html.contains("value=\"GPUモデル\""),
            "{html}"
        );
        let response = post(
            "/admin/catalog/menus/gpu_server/items",
            item("A100\nH100\n"),
        )
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = page(
            &browser,
            app,
            "/admin/catalog/menus/gpu_server?done=item_added",
        )
        .await;
        assert!(
            html.contains("項目を追加しました。") && html.contains("id=\"item-gpu_model\""),
            "{html}"
        );

        // A row is saved with a new order number and retired.
        let response = post(
            "/admin/catalog/menus/gpu_server/items/gpu_model",
            vec![
                ("label_ja", "GPU の型番"),
                ("label_en", "GPU model"),
                ("input", "select"),
                ("options", "A100\nH100"),
                ("position", "5"),
                ("retired", "on"),
            ],
        )
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, menu) = app
            .admin(Method::GET, "/api/v1/admin/service-menus/gpu_server", None)
            .await;
        let item = &menu["items"][0];
        assert_eq!(
            (
                &item["label_ja"],
                &item["position"],
                &item["retired"],
                &item["required"]
            ),
            (&json!("GPU の型番"), &json!(5), &json!(true), &json!(false)),
            "{menu}"
        );

        // A ticket type's page changes its names and plans.
        let (_, edit) = page(&browser, app, "/admin/catalog/types/general_inquiry").await;
        assert!(
            edit.contains("name=\"plan_basic\" value=\"on\" checked"),
            "{edit}"
        );
        let response = post(
            "/admin/catalog/types/general_inquiry",
            vec![
                ("name_ja", "使い方のお問い合わせ"),
                ("name_en", "General Inquiry"),
                ("description_ja", "使い方に関するお問い合わせ"),
                ("description_en", "Questions on how to use the service"),
                ("kind", "inquiry"),
                ("channel", "web"),
                ("desk", "general"),
                ("plan_premium", "on"),
                ("position", "30"),
            ],
        )
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, t) = app
            .admin(
                Method::GET,
                "/api/v1/admin/ticket-types/general_inquiry",
                None,
            )
            .await;
        assert_eq!(t["name_ja"], "使い方のお問い合わせ");
        assert_eq!(t["plans"], json!(["premium"]));

        // Deleting asks first, naming what goes; an unused menu goes.
        let (status, question) =
            page(&browser, app, "/admin/catalog/menus/gpu_server/delete").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            question.contains("「GPUサーバー」") && question.contains("カタログに戻る"),
            "{question}"
        );
        let response = post("/admin/catalog/menus/gpu_server/delete", vec![])
            .await
            .unwrap();
        assert_eq!(
            response.headers()["location"],
            "/admin/catalog?done=menu_deleted"
        );
    }
);

api_test!(
    nobody_but_admins_reaches_the_catalog,
    async |app: &TestApp| {
        let (_, customer_token) = customer(app, "basic").await;
        let (_, agent_token) = app.user("agent@catalog.example", "agent", None).await;
        let api = [
            (Method::GET, "/api/v1/admin/ticket-types"),
            (Method::POST, "/api/v1/admin/ticket-types"),
            (Method::GET, "/api/v1/admin/ticket-types/general_inquiry"),
            (Method::PATCH, "/api/v1/admin/ticket-types/general_inquiry"),
            (Method::DELETE, "/api/v1/admin/ticket-types/general_inquiry"),
            (Method::GET, "/api/v1/admin/service-menus"),
            (Method::POST, "/api/v1/admin/service-menus"),
            (Method::GET, "/api/v1/admin/service-menus/other"),
            (Method::PATCH, "/api/v1/admin/service-menus/other"),
            (Method::DELETE, "/api/v1/admin/service-menus/other"),
            (Method::POST, "/api/v1/admin/service-menus/other/items"),
            (
                Method::PATCH,
                "/api/v1/admin/service-menus/other/items/service_name",
            ),
            (
                Method::DELETE,
                "/api/v1/admin/service-menus/other/items/service_name",
            ),
        ];
        for token in [&customer_token, &agent_token] {
            for (method, path) in &api {
                let (status, body) = app
                    .as_user(
                        token,
                        method.clone(),
                        path,
                        Some(json!({ "retired": true })),
                    )
                    .await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
            }
        }
        let (_, menus) = app
            .admin(Method::GET, "/api/v1/admin/service-menus/other", None)
            .await;
        assert_eq!(menus["retired"], false, "nothing changed");

        for who in ["filer@catalog.example", "agent@catalog.example"] {
            let (browser, csrf) = app.log_in(who).await;
            for path in [
                "/admin/catalog",
                "/admin/catalog/types/new",
                "/admin/catalog/types/general_inquiry",
                "/admin/catalog/types/general_inquiry/delete",
                "/admin/catalog/menus/other",
                "/admin/catalog/menus/other/delete",
                "/admin/catalog/menus/other/items/service_name/delete",
            ] {
                let (status, _) = page(&browser, app, path).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{who} GET {path}");
            }
            for path in [
                "/admin/catalog/types",
                "/admin/catalog/types/general_inquiry",
                "/admin/catalog/types/general_inquiry/delete",
                "/admin/catalog/menus",
                "/admin/catalog/menus/other",
                "/admin/catalog/menus/other/delete",
                "/admin/catalog/menus/other/items",
                "/admin/catalog/menus/other/items/service_name",
                "/admin/catalog/menus/other/items/service_name/delete",
            ] {
                let response = browser
                    .post(app.url(path))
                    .form(&[("csrf", csrf.as_str()), ("key", "x"), ("retired", "on")])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    response.status(),
                    StatusCode::NOT_FOUND,
                    "{who} POST {path}"
                );
            }
        }
    }
);
