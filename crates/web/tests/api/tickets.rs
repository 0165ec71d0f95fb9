//! Customers file and follow tickets (SPEC §2–5) through the API, on both databases.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{TestApp, error_fields};

/// One organization with a contract of each plan, a partner contract elsewhere, and people.
struct World {
    org: String,
    /// edit on every direct contract
    filer: String,
    /// view on ECL-B only
    viewer: String,
    /// a colleague with view on ECL-B, for participants
    colleague: String,
    colleague_id: String,
    /// nothing at all
    nobody: String,
    /// the organization's customer admin
    admin_name: String,
    /// an agent of the general desk
    agent: String,
    /// an agent of the premium desk
    premium_agent: String,
    /// a customer of another organization with edit on their own contract
    stranger: String,
    /// a customer of a partner-resold contract
    resold: String,
}

async fn contract(
    app: &TestApp,
    org: &str,
    number: &str,
    corporation: &str,
    plan: &str,
    partner: Option<&str>,
) {
    let body = json!({
        "organization_id": org, "contract_number": number, "product_line": "Enterprise Cloud 2.0",
        "contracting_corporation": corporation, "plan": plan,
        "channel": if partner.is_some() { "partner" } else { "direct" }, "partner_name": partner,
    });
    let (status, c) = app
        .admin(Method::POST, "/api/v1/admin/contracts", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
}

async fn grant(app: &TestApp, user: &str, contract: &str, level: &str) {
    let body = json!({ "user_id": user, "contract_number": contract, "level": level });
    let (status, p) = app
        .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
}

async fn tenant(app: &TestApp, org: &str, id: &str) {
    let body = json!({ "organization_id": org, "tenant_id": id });
    let (status, t) = app
        .admin(Method::POST, "/api/v1/admin/tenants", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
}

async fn agent(app: &TestApp, email: &str, desks: &[&str]) -> String {
    let body = json!({ "email": email, "name": email, "role": "agent", "desks": desks });
    let (status, user) = app
        .admin(Method::POST, "/api/v1/admin/users", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
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

async fn world(app: &TestApp) -> World {
    let (_, org) = app
        .admin(
            Method::POST,
            "/api/v1/admin/organizations",
            Some(json!({ "name": "Org" })),
        )
        .await;
    let org = org["id"].as_str().unwrap().to_owned();
    contract(
        app,
        &org,
        "ECL-B",
        "Example Communications Corp.",
        "basic",
        None,
    )
    .await;
    contract(
        app,
        &org,
        "ECL-A",
        "Example Communications Corp.",
        "advanced",
        None,
    )
    .await;
    contract(
        app,
        &org,
        "ECL-P",
        "Example Communications America Inc.",
        "premium",
        None,
    )
    .await;
    tenant(app, &org, "tenant-001").await;
    tenant(app, &org, "tenant-002").await;
    let (filer_id, filer) = app.user("filer@org.example", "customer", Some(&org)).await;
    for c in ["ECL-B", "ECL-A", "ECL-P"] {
        grant(app, &filer_id, c, "edit").await;
    }
    let (viewer_id, viewer) = app.user("viewer@org.example", "customer", Some(&org)).await;
    grant(app, &viewer_id, "ECL-B", "view").await;
    let (colleague_id, colleague) = app
        .user("colleague@org.example", "customer", Some(&org))
        .await;
    grant(app, &colleague_id, "ECL-B", "view").await;
    let (_, nobody) = app.user("nobody@org.example", "customer", Some(&org)).await;
    let (admin_id, _) = app
        .user("admin@org.example", "customer_admin", Some(&org))
        .await;
    grant(app, &admin_id, "ECL-B", "edit").await;

    let (_, other) = app
        .admin(
            Method::POST,
            "/api/v1/admin/organizations",
            Some(json!({ "name": "Other" })),
        )
        .await;
    let other = other["id"].as_str().unwrap().to_owned();
    contract(
        app,
        &other,
        "ECL-X",
        "Example Communications Corp.",
        "basic",
        None,
    )
    .await;
    tenant(app, &other, "tenant-x").await;
    let (stranger_id, stranger) = app
        .user("stranger@other.example", "customer", Some(&other))
        .await;
    grant(app, &stranger_id, "ECL-X", "edit").await;

    let (_, resold_org) = app
        .admin(
            Method::POST,
            "/api/v1/admin/organizations",
            Some(json!({ "name": "Resold" })),
        )
        .await;
    let resold_org = resold_org["id"].as_str().unwrap().to_owned();
    contract(
        app,
        &resold_org,
        "ECL-R",
        "Example Communications Corp.",
        "basic",
        Some("Partner K.K."),
    )
    .await;
    let (resold_id, resold) = app
        .user("resold@resold.example", "customer", Some(&resold_org))
        .await;
    grant(app, &resold_id, "ECL-R", "edit").await;

    World {
        org,
        filer,
        viewer,
        colleague,
        colleague_id,
        nobody,
        admin_name: "User admin@org.example".into(),
        agent: agent(app, "agent@support.example", &["general"]).await,
        premium_agent: agent(app, "premium@support.example", &["premium"]).await,
        stranger,
        resold,
    }
}

fn inquiry(contract: &str) -> Value {
    json!({
        "contract_number": contract, "ticket_type": "general_inquiry", "summary": "スナップショットの取り方",
        "service_menu": "virtual_server", "tenant_id": "tenant-001", "details": "手順を教えてください。",
        "menu_fields": { "server_name": "web-01", "region": "JP1" },
    })
}

async fn file(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, ticket) = app
        .as_user(token, Method::POST, "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    ticket
}

fn codes(category: &Value) -> Vec<String> {
    category["ticket_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .collect()
}

api_test!(each_plan_offers_its_ticket_types, async |app: &TestApp| {
    let w = world(app).await;
    let (status, body) = app
        .as_user(&w.filer, Method::GET, "/api/v1/categories", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let cats = body["categories"].as_array().unwrap();
    assert_eq!(cats.len(), 3);
    assert!(body.get("reason").is_none());
    let by_number = |n: &str| cats.iter().find(|c| c["contract_number"] == n).unwrap();
    assert_eq!(
        codes(by_number("ECL-B")),
        ["general_inquiry", "incident_submission"]
    );
    assert_eq!(
        codes(by_number("ECL-A")),
        [
            "general_inquiry",
            "incident_submission",
            "callback_general_inquiry",
            "callback_incident_submission"
        ]
    );
    assert_eq!(
        codes(by_number("ECL-P")),
        [
            "premium_general_inquiry",
            "premium_incident_submission",
            "general_inquiry",
            "incident_submission"
        ]
    );
    assert_eq!(
        by_number("ECL-P")["name"],
        "Enterprise Cloud 2.0 (Example Communications America Inc.)"
    );
    assert_eq!(by_number("ECL-P")["plan"], "premium");
    // Two corporations, two categories, each named after its corporation.
    let corporations: std::collections::BTreeSet<_> = cats
        .iter()
        .map(|c| c["contracting_corporation"].as_str().unwrap())
        .collect();
    assert_eq!(corporations.len(), 2);
    let premium_type = &by_number("ECL-P")["ticket_types"][0];
    assert_eq!(premium_type["desk"], "premium");
    assert!(
        premium_type["name"].is_string()
            && premium_type["kind"] == "inquiry"
            && premium_type["channel"] == "web"
    );
});

api_test!(
    no_permission_names_the_admins_and_partner_contracts_name_the_partner,
    async |app: &TestApp| {
        let w = world(app).await;
        for token in [&w.nobody, &w.viewer] {
            let (_, body) = app
                .as_user(token, Method::GET, "/api/v1/categories", None)
                .await;
            assert_eq!(body["categories"], json!([]));
            assert_eq!(body["reason"], "no_permission");
            assert_eq!(body["admins"][0]["name"], w.admin_name.as_str());
            assert_eq!(body["admins"][0]["email"], "admin@org.example");
        }
        let (_, body) = app
            .as_user(&w.resold, Method::GET, "/api/v1/categories", None)
            .await;
        assert_eq!(body["reason"], "partner_contract");
        assert_eq!(body["partner"]["name"], "Partner K.K.");
        assert!(body.get("admins").is_none());
        let (status, problem) = app
            .as_user(
                &w.resold,
                Method::POST,
                "/api/v1/tickets",
                Some(inquiry("ECL-R")),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("Partner K.K."));
    }
);

api_test!(
    a_customer_files_and_follows_a_ticket,
    async |app: &TestApp| {
        let w = world(app).await;
        let ticket = file(app, &w.filer, inquiry("ECL-B")).await;
        let key = ticket["key"].as_str().unwrap().to_owned();
        assert!(
            key.starts_with("SD-") && key[3..].parse::<u32>().is_ok(),
            "{key}"
        );
        assert_eq!(ticket["status"], "new");
        assert_eq!(ticket["desk"], "general");
        assert_eq!(ticket["ticket_type"]["code"], "general_inquiry");
        assert_eq!(
            ticket["menu_fields"],
            json!({ "server_name": "web-01", "region": "JP1" })
        );
        assert_eq!(ticket["contract_number"], "ECL-B");
        assert_eq!(ticket["messages"], json!([]));

        let (status, got) = app
            .as_user(
                &w.filer,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(got["summary"], "スナップショットの取り方");

        // Support answers: the ticket is in progress, the customer sees the reply.
        let (status, reply) = app
            .as_user(
                &w.agent,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(json!({ "body": "手順はこちらです。" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        assert_eq!(reply["from_support"], true);
        let (_, note) = app
            .as_user(
                &w.agent,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(json!({ "body": "社内: 既知の事象かも", "internal": true })),
            )
            .await;
        assert_eq!(note["internal"], true);
        let (_, got) = app
            .as_user(
                &w.filer,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        assert_eq!(got["status"], "in_progress");
        // The log also shows public changes (`kind: event`); here, the status support's
        // answer moved.
        let log: Vec<_> = got["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] != "event")
            .collect();
        assert_eq!(
            log.len(),
            1,
            "internal notes never reach the customer: {log:?}"
        );
        assert_eq!(log[0]["body"], "手順はこちらです。");
        assert!(
            log[0]["author"].get("email").is_none(),
            "staff addresses stay hidden from customers"
        );
        let (_, as_agent) = app
            .as_user(
                &w.agent,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        let kinds: Vec<_> = as_agent["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["reply", "event", "note"]);

        // Support needs more information; the customer's answer moves it back to in progress.
        let (status, _) = app
            .as_user(
                &w.agent,
                Method::PATCH,
                &format!("/api/v1/tickets/{key}"),
                Some(json!({ "status": "waiting_for_customer" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app
            .as_user(
                &w.filer,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(json!({ "body": "ログを添付します。" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, got) = app
            .as_user(
                &w.filer,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        assert_eq!(got["status"], "in_progress");

        // Answered: pending closure; the customer closes it; a closed ticket takes no replies.
        let (status, answered) = app
            .as_user(
                &w.agent,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(json!({ "body": "解決しましたか?", "status": "pending_closure" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answered}");
        assert_eq!(answered["body"], "解決しましたか?");
        let (_, got) = app
            .as_user(
                &w.filer,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        assert_eq!(
            got["status"], "pending_closure",
            "the status the agent's reply names is the ticket's: {got}"
        );
        let (_, pending) = app
            .as_user(
                &w.filer,
                Method::GET,
                "/api/v1/tickets?status=pending_closure",
                None,
            )
            .await;
        assert_eq!(pending["items"][0]["key"], key.as_str(), "{pending}");
        let (status, closed) = app
            .as_user(
                &w.filer,
                Method::POST,
                &format!("/api/v1/tickets/{key}/close"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        assert_eq!(closed["status"], "closed");
        let (status, problem) = app
            .as_user(
                &w.filer,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(json!({ "body": "もう一つ" })),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("follow-up"));

        // A follow-up links to the closed ticket.
        let mut body = inquiry("ECL-B");
        body["follow_up_of"] = json!(key);
        let follow_up = file(app, &w.filer, body).await;
        assert_eq!(follow_up["follow_up_of"], key.as_str());
        let mut body = inquiry("ECL-B");
        body["follow_up_of"] = follow_up["key"].clone();
        let (status, problem) = app
            .as_user(&w.filer, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "only closed tickets are followed up: {problem}"
        );
    }
);

api_test!(
    view_only_users_see_but_cannot_file_or_reply,
    async |app: &TestApp| {
        let w = world(app).await;
        let key = file(app, &w.filer, inquiry("ECL-B")).await["key"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, got) = app
            .as_user(
                &w.viewer,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{got}");
        let (_, list) = app
            .as_user(&w.viewer, Method::GET, "/api/v1/tickets", None)
            .await;
        assert_eq!(list["total"], 1);
        let (status, problem) = app
            .as_user(
                &w.viewer,
                Method::POST,
                "/api/v1/tickets",
                Some(inquiry("ECL-B")),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("edit"));
        assert_eq!(
            got["summary"], "スナップショットの取り方",
            "a view-only user reads the ticket itself"
        );
        assert_eq!(list["items"][0]["key"], key.as_str());
        let (status, problem) = app
            .as_user(
                &w.viewer,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(json!({ "body": "x" })),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("\"edit\""),
            "names the permission needed: {problem}"
        );
        let (status, problem) = app
            .as_user(
                &w.viewer,
                Method::POST,
                &format!("/api/v1/tickets/{key}/close"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("\"edit\""));
        let (_, after) = app
            .as_user(
                &w.filer,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        assert_eq!(after["status"], "new", "the refused close changed nothing");
        assert_eq!(
            after["messages"],
            json!([]),
            "the refused reply wrote nothing"
        );
        // Without any permission, the ticket does not exist: not in the list, not by its key.
        let (status, problem) = app
            .as_user(
                &w.nobody,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            !problem.to_string().contains("スナップショット"),
            "{problem}"
        );
        let (_, list) = app
            .as_user(&w.nobody, Method::GET, "/api/v1/tickets", None)
            .await;
        assert_eq!(list["items"], json!([]), "{list}");
        assert_eq!(list["total"], 0);
    }
);

// A participant sees the ticket through their own permission on its contract (SPEC §1): the
// colleague here holds "view" on ECL-B; once it is revoked, being named on the ticket shows
// nothing.
api_test!(participants_see_the_ticket, async |app: &TestApp| {
    let w = world(app).await;
    let (nobody_me_status, nobody_me) = app
        .as_user(&w.nobody, Method::GET, "/api/v1/me", None)
        .await;
    assert_eq!(nobody_me_status, StatusCode::OK);
    let mut body = inquiry("ECL-B");
    body["participants"] = json!([w.colleague_id, "colleague@org.example"]);
    let ticket = file(app, &w.filer, body).await;
    assert_eq!(
        ticket["participants"].as_array().unwrap().len(),
        1,
        "named twice, added once"
    );
    assert_eq!(ticket["participants"][0]["email"], "colleague@org.example");
    let key = ticket["key"].as_str().unwrap();
    let (status, _) = app
        .as_user(
            &w.colleague,
            Method::GET,
            &format!("/api/v1/tickets/{key}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let body = json!({ "user_id": w.colleague_id, "contract_number": "ECL-B" });
    let (status, p) = app
        .admin(Method::DELETE, "/api/v1/admin/permissions", Some(body))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{p}");
    let (status, problem) = app
        .as_user(
            &w.colleague,
            Method::GET,
            &format!("/api/v1/tickets/{key}"),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a participant whose permission was revoked sees nothing: {problem}"
    );
    let (_, list) = app
        .as_user(&w.colleague, Method::GET, "/api/v1/tickets", None)
        .await;
    assert_eq!(list["total"], 0, "{list}");
    assert_eq!(list["items"], json!([]));

    // Only colleagues who may view the contract can be added.
    let mut body = inquiry("ECL-B");
    body["participants"] = json!([nobody_me["id"], "stranger@other.example", "no-such-user"]);
    let (status, problem) = app
        .as_user(&w.filer, Method::POST, "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem),
        ["participants[0]", "participants[1]", "participants[2]"]
    );
});

api_test!(
    another_organizations_ticket_is_404_never_403,
    async |app: &TestApp| {
        let w = world(app).await;
        let key = file(app, &w.filer, inquiry("ECL-B")).await["key"]
            .as_str()
            .unwrap()
            .to_owned();
        for (method, path, body) in [
            (Method::GET, format!("/api/v1/tickets/{key}"), None),
            (
                Method::POST,
                format!("/api/v1/tickets/{key}/messages"),
                Some(json!({ "body": "x" })),
            ),
            (Method::POST, format!("/api/v1/tickets/{key}/close"), None),
            (
                Method::PATCH,
                format!("/api/v1/tickets/{key}"),
                Some(json!({ "status": "closed" })),
            ),
            (Method::GET, "/api/v1/tickets/SD-99999".to_owned(), None),
            (Method::GET, "/api/v1/tickets/not-a-key".to_owned(), None),
        ] {
            let (status, problem) = app.as_user(&w.stranger, method.clone(), &path, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {problem}");
        }
        let (_, list) = app
            .as_user(
                &w.stranger,
                Method::GET,
                "/api/v1/tickets?q=スナップショット",
                None,
            )
            .await;
        assert_eq!(list["total"], 0, "no count, no search hit: {list}");
        assert_eq!(list["items"], json!([]));
        // Filing under another organization's contract is as if it did not exist.
        let (status, problem) = app
            .as_user(
                &w.stranger,
                Method::POST,
                "/api/v1/tickets",
                Some(inquiry("ECL-B")),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&problem), ["contract_number"]);
        // The premium desk's agent sees nothing of the general desk.
        let (status, _) = app
            .as_user(
                &w.premium_agent,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

api_test!(
    every_required_field_and_menu_item_is_named,
    async |app: &TestApp| {
        let w = world(app).await;
        let (status, problem) = app
            .as_user(
                &w.filer,
                Method::POST,
                "/api/v1/tickets",
                Some(json!({ "contract_number": "ECL-B", "ticket_type": "incident_submission" })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_fields(&problem),
            [
                "summary",
                "details",
                "tenant_id",
                "service_menu",
                "incident.occurred_at",
                "incident.operation_history",
                "incident.current_status",
            ]
        );
        let mut body = inquiry("ECL-B");
        body["menu_fields"] = json!({ "region": "MARS" });
        body["tenant_id"] = json!("tenant-x");
        let (status, problem) = app
            .as_user(&w.filer, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_fields(&problem),
            ["tenant_id", "menu_fields.server_name", "menu_fields.region"],
            "in form order"
        );
        let tenant_message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            tenant_message.contains("tenant-001") && tenant_message.contains("tenant-002"),
            "offers the choices"
        );
        assert!(
            !tenant_message.contains("tenant-x"),
            "never another organization's tenants"
        );

        let mut body = inquiry("ECL-B");
        body["ticket_type"] = json!("premium_general_inquiry");
        let (_, problem) = app
            .as_user(&w.filer, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(error_fields(&problem), ["ticket_type"]);

        let mut body = inquiry("ECL-A");
        body["ticket_type"] = json!("callback_general_inquiry");
        let (_, problem) = app
            .as_user(
                &w.filer,
                Method::POST,
                "/api/v1/tickets",
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            error_fields(&problem),
            [
                "callback.phone",
                "callback.contact_name",
                "callback.preferred_window"
            ]
        );
        body["callback"] = json!({ "phone": "03-1234-5678", "contact_name": "佐藤", "preferred_window": "平日午前" });
        let ticket = file(app, &w.filer, body).await;
        assert_eq!(ticket["callback"]["phone"], "03-1234-5678");

        let (_, list) = app
            .as_user(&w.filer, Method::GET, "/api/v1/tickets", None)
            .await;
        assert_eq!(list["total"], 1, "failed filings wrote nothing");
    }
);

api_test!(
    premium_types_go_to_the_premium_desk,
    async |app: &TestApp| {
        let w = world(app).await;
        let mut body = inquiry("ECL-P");
        body["ticket_type"] = json!("premium_general_inquiry");
        let premium = file(app, &w.filer, body).await;
        assert_eq!(premium["desk"], "premium");
        let plain = file(app, &w.filer, inquiry("ECL-P")).await;
        assert_eq!(plain["desk"], "general");
        let (_, list) = app
            .as_user(&w.premium_agent, Method::GET, "/api/v1/tickets", None)
            .await;
        let keys: Vec<_> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["key"].clone())
            .collect();
        assert_eq!(keys, [premium["key"].clone()]);
        let (_, categories) = app
            .as_user(&w.filer, Method::GET, "/api/v1/categories", None)
            .await;
        let premium_category = categories["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["plan"] == "premium")
            .unwrap();
        assert_eq!(premium_category["plain_types_go_to_general_desk"], true);
    }
);

api_test!(
    the_list_is_newest_first_filtered_paged_and_counted,
    async |app: &TestApp| {
        let w = world(app).await;
        let mut keys = Vec::new();
        for i in 0..5 {
            let mut body = inquiry("ECL-B");
            body["summary"] = json!(format!("質問 {i} ログイン"));
            if i % 2 == 0 {
                body["service_menu"] = json!("other");
                body["menu_fields"] = json!({ "service_name": "DNS" });
            }
            keys.push(
                file(app, &w.filer, body).await["key"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        app.as_user(
            &w.agent,
            Method::PATCH,
            &format!("/api/v1/tickets/{}", keys[0]),
            Some(json!({ "status": "in_progress" })),
        )
        .await;

        let (_, page1) = app
            .as_user(&w.filer, Method::GET, "/api/v1/tickets?limit=2", None)
            .await;
        let got: Vec<_> = page1["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["key"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, [keys[4].clone(), keys[3].clone()], "newest first");
        assert_eq!(page1["total"], 5);
        assert_eq!(page1["counts"], json!({ "new": 4, "in_progress": 1 }));
        assert!(page1["items"][0].get("messages").is_none());
        let cursor = page1["next_cursor"].as_str().unwrap();
        let (_, page2) = app
            .as_user(
                &w.filer,
                Method::GET,
                &format!("/api/v1/tickets?limit=2&cursor={cursor}"),
                None,
            )
            .await;
        assert_eq!(page2["items"][0]["key"], keys[2].as_str());
        let (_, page3) = app
            .as_user(
                &w.filer,
                Method::GET,
                &format!(
                    "/api/v1/tickets?limit=2&cursor={}",
                    page2["next_cursor"].as_str().unwrap()
                ),
                None,
            )
            .await;
        assert_eq!(page3["items"].as_array().unwrap().len(), 1);
        assert!(page3["next_cursor"].is_null());

        let (_, other) = app
            .as_user(
                &w.filer,
                Method::GET,
                "/api/v1/tickets?service_menu=other",
                None,
            )
            .await;
        assert_eq!(other["total"], 3);
        let (_, progress) = app
            .as_user(
                &w.filer,
                Method::GET,
                "/api/v1/tickets?status=in_progress",
                None,
            )
            .await;
        assert_eq!(progress["total"], 1);
        assert_eq!(progress["items"][0]["key"], keys[0].as_str());
        let (_, typed) = app
            .as_user(
                &w.filer,
                Method::GET,
                "/api/v1/tickets?ticket_type=incident_submission",
                None,
            )
            .await;
        assert_eq!(typed["total"], 0);
        let (_, words) = app
            .as_user(
                &w.filer,
                Method::GET,
                "/api/v1/tickets?q=%E8%B3%AA%E5%95%8F%203",
                None,
            )
            .await;
        assert_eq!(
            words["total"], 1,
            "Japanese words match inside text: {words}"
        );
        let (status, problem) = app
            .as_user(&w.filer, Method::GET, "/api/v1/tickets?status=done", None)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&problem), ["status"]);
    }
);

api_test!(
    attachments_upload_attach_and_download_only_for_those_who_may_see,
    async |app: &TestApp| {
        let w = world(app).await;
        let upload = |token: String, name: &'static str, bytes: Vec<u8>| {
            let client = app.client.clone();
            let url = app.url("/api/v1/attachments");
            async move {
                let part = reqwest::multipart::Part::bytes(bytes)
                    .file_name(name)
                    .mime_str("text/plain")
                    .unwrap();
                let form = reqwest::multipart::Form::new().part("file", part);
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                crate::helpers::read(response).await
            }
        };
        let (status, a) =
            upload(w.filer.clone(), "error.log", b"ERROR: disk full\n".to_vec()).await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        assert_eq!(a["size"], 17);
        assert_eq!(a["sha256"].as_str().unwrap().len(), 64);
        let id = a["id"].as_str().unwrap().to_owned();

        let mut body = inquiry("ECL-B");
        body["attachments"] = json!([id]);
        let ticket = file(app, &w.filer, body).await;
        assert_eq!(ticket["attachments"][0]["filename"], "error.log");
        let url = ticket["attachments"][0]["url"].as_str().unwrap().to_owned();

        let response = app.call(Method::GET, &url, Some(&w.viewer), None).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            response.bytes().await.unwrap().as_ref(),
            b"ERROR: disk full\n"
        );
        for token in [&w.stranger, &w.nobody, &w.premium_agent] {
            let response = app.call(Method::GET, &url, Some(token), None).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND);
        }
        // An upload is attached once, and only by its uploader.
        let mut body = inquiry("ECL-B");
        body["attachments"] = json!([id]);
        let (status, problem) = app
            .as_user(&w.filer, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["attachments"]);

        let (status, problem) =
            upload(w.filer.clone(), "huge.bin", vec![0u8; 20 * 1024 * 1024 + 1]).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("20 MiB"));
    }
);

api_test!(
    filing_announces_the_ticket_to_its_desk,
    async |app: &TestApp| {
        let w = world(app).await;
        let ticket = file(app, &w.filer, inquiry("ECL-B")).await;
        let events = app
            .db
            .store
            .events(madoguchi_store::EventFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        let created = events
            .iter()
            .find(|e| e.kind == "ticket.created")
            .expect("a ticket.created event");
        assert_eq!(created.data["key"], ticket["key"]);
        let outbox = app.db.store.outbox_of(created.id).await.unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].recipient, "desk:general");
        assert_eq!(outbox[0].kind, "ticket.created");
        let _ = &w.org;
    }
);

api_test!(
    search_matches_full_width_and_any_case,
    async |app: &TestApp| {
        let w = world(app).await;
        for summary in ["ＡＷＳ連携のエラー", "ÉCHEC de sauvegarde", "Ошибка СЕТИ"]
        {
            let mut body = inquiry("ECL-B");
            body["summary"] = json!(summary);
            file(app, &w.filer, body).await;
        }
        for (q, hits) in [
            ("aws", 1),
            ("%EF%BC%A1%EF%BC%B7%EF%BC%B3", 1),
            ("%C3%A9chec", 1),
            ("%D1%81%D0%B5%D1%82%D0%B8", 1),
            ("%25", 0),
        ] {
            let (_, list) = app
                .as_user(
                    &w.filer,
                    Method::GET,
                    &format!("/api/v1/tickets?q={q}"),
                    None,
                )
                .await;
            assert_eq!(list["total"], hits, "q={q}: {list}");
        }
    }
);

api_test!(list_items_name_their_participants, async |app: &TestApp| {
    let w = world(app).await;
    let mut body = inquiry("ECL-B");
    body["participants"] = json!([w.colleague_id]);
    file(app, &w.filer, body).await;
    let (_, list) = app
        .as_user(&w.filer, Method::GET, "/api/v1/tickets", None)
        .await;
    assert_eq!(
        list["items"][0]["participants"][0]["email"],
        "colleague@org.example"
    );
    let (status, _) = app
        .as_user(
            &w.filer,
            Method::GET,
            "/api/v1/tickets?cursor=aGVsbG8",
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a cursor from elsewhere is malformed"
    );
});

api_test!(
    internal_notes_leave_no_trace_for_customers,
    async |app: &TestApp| {
        let w = world(app).await;
        let key = file(app, &w.filer, inquiry("ECL-B")).await["key"]
            .as_str()
            .unwrap()
            .to_owned();
        let (_, before) = app
            .as_user(
                &w.filer,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        let note = json!({ "body": "社内のみの覚え書き", "internal": true });
        let (status, written) = app
            .as_user(
                &w.agent,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(note),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{written}");
        assert_eq!(written["internal"], true, "{written}");
        let (_, as_agent) = app
            .as_user(
                &w.agent,
                Method::GET,
                &format!("/api/v1/tickets/{key}"),
                None,
            )
            .await;
        assert!(
            as_agent["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["kind"] == "note" && m["body"] == "社内のみの覚え書き"),
            "the desk reads the note: {as_agent}"
        );
        for token in [&w.filer, &w.viewer] {
            let (_, after) = app
                .as_user(token, Method::GET, &format!("/api/v1/tickets/{key}"), None)
                .await;
            assert_eq!(after["messages"], json!([]), "no note, no event: {after}");
            assert!(!after.to_string().contains("覚え書き"), "{after}");
            assert_eq!(before["updated_at"], after["updated_at"]);
            assert_eq!(after["status"], "new");
            let (_, history) = app
                .as_user(
                    token,
                    Method::GET,
                    &format!("/api/v1/tickets/{key}/history"),
                    None,
                )
                .await;
            let kinds: Vec<_> = history["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["kind"].as_str().unwrap())
                .collect();
            assert_eq!(kinds, ["ticket.created"], "{history}");
            let (_, found) = app
                .as_user(
                    token,
                    Method::GET,
                    "/api/v1/tickets?q=%E8%A6%9A%E3%81%88%E6%9B%B8%E3%81%8D",
                    None,
                )
                .await;
            assert_eq!(found["total"], 0, "a note's words find nothing: {found}");
            let (_, list) = app
                .as_user(token, Method::GET, "/api/v1/tickets", None)
                .await;
            assert_ne!(
                list["items"][0]["unseen"], true,
                "a note marks nothing as news for customers: {list}"
            );
        }
    }
);

api_test!(
    too_many_files_and_hidden_direction_marks_are_refused,
    async |app: &TestApp| {
        let w = world(app).await;
        let mut body = inquiry("ECL-B");
        body["attachments"] = json!((0..11).map(|i| format!("a{i}")).collect::<Vec<_>>());
        body["summary"] = json!("請求書\u{202E}fdp.exe");
        let (status, problem) = app
            .as_user(&w.filer, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&problem), ["summary", "attachments"]);
        assert_eq!(problem["errors"][1]["message"], "Use at most 10.");
    }
);

api_test!(
    exactly_the_most_files_allowed_are_filed,
    async |app: &TestApp| {
        let w = world(app).await;
        let mut ids = Vec::new();
        for i in 0..10 {
            let (status, a) = crate::access::upload(
                app,
                &w.filer,
                &format!("part-{i}.log"),
                format!("part {i}\n").as_bytes(),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{a}");
            ids.push(a["id"].clone());
        }
        let mut body = inquiry("ECL-B");
        body["attachments"] = json!(ids);
        let (status, ticket) = app
            .as_user(&w.filer, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "ten files are allowed: {ticket}"
        );
        let names: Vec<_> = ticket["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["filename"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names.len(), 10, "{names:?}");
        assert!(names.contains(&"part-9.log".to_owned()), "{names:?}");
        // A reply takes as many.
        let mut ids = Vec::new();
        for i in 0..10 {
            let (_, a) = crate::access::upload(
                app,
                &w.filer,
                &format!("more-{i}.log"),
                format!("more {i}\n").as_bytes(),
            )
            .await;
            ids.push(a["id"].clone());
        }
        let key = ticket["key"].as_str().unwrap();
        let (status, reply) = app
            .as_user(
                &w.filer,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(json!({ "body": "追加のログです。", "attachments": ids })),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "ten files are allowed: {reply}"
        );
        assert_eq!(
            reply["attachments"].as_array().unwrap().len(),
            10,
            "{reply}"
        );
    }
);

api_test!(
    uploads_never_attached_are_forgotten_but_shared_content_stays,
    async |app: &TestApp| {
        let w = world(app).await;
        let upload = |name: &'static str, bytes: &'static [u8]| {
            let client = app.client.clone();
            let url = app.url("/api/v1/attachments");
            let token = w.filer.clone();
            async move {
                let part = reqwest::multipart::Part::bytes(bytes.to_vec())
                    .file_name(name)
                    .mime_str("text/plain")
                    .unwrap();
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .multipart(reqwest::multipart::Form::new().part("file", part))
                    .send()
                    .await
                    .unwrap();
                crate::helpers::read(response).await.1
            }
        };
        let kept = upload("kept.log", b"same bytes").await;
        let twin = upload("twin.log", b"same bytes").await;
        let lone = upload("lone.log", b"other bytes").await;
        let mut body = inquiry("ECL-B");
        body["attachments"] = json!([kept["id"]]);
        let ticket = file(app, &w.filer, body).await;

        let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
        let gone = app.db.store.forget_stale_uploads(later).await.unwrap();
        assert_eq!(
            gone,
            [lone["sha256"].as_str().unwrap().to_owned()],
            "the twin's content is still attached"
        );
        assert!(
            app.db
                .store
                .forget_stale_uploads(later)
                .await
                .unwrap()
                .is_empty(),
            "a second run finds nothing"
        );
        let url = ticket["attachments"][0]["url"].as_str().unwrap();
        let response = app.call(Method::GET, url, Some(&w.filer), None).await;
        assert_eq!(response.status(), StatusCode::OK);
        let _ = twin;
    }
);

/// Issue 16: who may upload, quotas, refused replies, names, download types, crash leftovers.
mod uploads;
