//! Agents work their desks' queues (SPEC §6, §8 "Queues"): counts, filters, sorts, paging,
//! Take and bulk changes, through the API and the queue page, on both databases.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{TestApp, error_fields, hidden};

/// Two customer organizations and the desk's people.
struct World {
    acme: String,
    beta: String,
    /// Acme's filer: edit on ECL-B (basic) and ECL-P (premium).
    filer: String,
    /// Beta's filer: edit on ECL-A (advanced).
    beta_filer: String,
    /// General desk agents.
    agent: String,
    agent_id: String,
    colleague: String,
    colleague_id: String,
    /// Premium desk agent.
    premium: String,
}

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, v) = app.admin(Method::POST, path, Some(body)).await;
    assert!(status.is_success(), "{path}: {status} {v}");
    v
}

/// An agent of `desks` with the test password and a token; answers (id, token).
async fn new_agent(app: &TestApp, email: &str, name: &str, desks: &[&str]) -> (String, String) {
    let user = post(
        app,
        "/api/v1/admin/users",
        json!({ "email": email, "name": name, "role": "agent", "desks": desks,
                "password": "correct horse battery" }),
    )
    .await;
    let id = user["id"].as_str().unwrap().to_owned();
    let token = post(app, &format!("/api/v1/admin/users/{id}/tokens"), json!({})).await;
    (id, token["token"].as_str().unwrap().to_owned())
}

async fn customer(app: &TestApp, email: &str, org: &str, contracts: &[&str]) -> String {
    let (id, token) = app.user(email, "customer", Some(org)).await;
    for c in contracts {
        let body = json!({ "user_id": id, "contract_number": c, "level": "edit" });
        let (status, p) = app
            .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{p}");
    }
    token
}

async fn contract(app: &TestApp, org: &str, number: &str, plan: &str) {
    post(
        app,
        "/api/v1/admin/contracts",
        json!({ "organization_id": org, "contract_number": number, "product_line": "Enterprise Cloud 2.0",
                "contracting_corporation": "Example Communications Corp.", "plan": plan, "channel": "direct" }),
    )
    .await;
}

async fn world(app: &TestApp) -> World {
    let acme = post(
        app,
        "/api/v1/admin/organizations",
        json!({ "name": "Acme 株式会社" }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let beta = post(
        app,
        "/api/v1/admin/organizations",
        json!({ "name": "Beta Inc." }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    contract(app, &acme, "ECL-B", "basic").await;
    contract(app, &acme, "ECL-P", "premium").await;
    contract(app, &beta, "ECL-A", "advanced").await;
    post(
        app,
        "/api/v1/admin/tenants",
        json!({ "organization_id": acme, "tenant_id": "tenant-acme" }),
    )
    .await;
    post(
        app,
        "/api/v1/admin/tenants",
        json!({ "organization_id": beta, "tenant_id": "tenant-beta" }),
    )
    .await;
    let filer = customer(app, "filer@acme.example", &acme, &["ECL-B", "ECL-P"]).await;
    let beta_filer = customer(app, "filer@beta.example", &beta, &["ECL-A"]).await;
    let (agent_id, agent) =
        new_agent(app, "agent@support.example", "Agent Sato", &["general"]).await;
    let (colleague_id, colleague) = new_agent(
        app,
        "colleague@support.example",
        "Agent Suzuki",
        &["general"],
    )
    .await;
    let (_, premium) =
        new_agent(app, "premium@support.example", "Agent Tanaka", &["premium"]).await;
    World {
        acme,
        beta,
        filer,
        beta_filer,
        agent,
        agent_id,
        colleague,
        colleague_id,
        premium,
    }
}

/// A ticket body: `menu` is `virtual_server`, `network` or `other`.
fn ticket(contract: &str, ticket_type: &str, summary: &str, menu: &str) -> Value {
    let tenant = if contract == "ECL-A" {
        "tenant-beta"
    } else {
        "tenant-acme"
    };
    let menu_fields = match menu {
        "virtual_server" => json!({ "server_name": "web-01", "region": "JP1" }),
        "network" => json!({ "network_id": "net-01", "region": "JP1" }),
        _ => json!({ "service_name": "billing" }),
    };
    let mut body = json!({
        "contract_number": contract, "ticket_type": ticket_type, "summary": summary,
        "service_menu": menu, "tenant_id": tenant, "details": "詳しくは添付のとおりです。",
        "menu_fields": menu_fields,
    });
    if ticket_type.contains("incident") {
        body["incident"] = json!({ "occurred_at": "2026-11-24T09:00", "operation_history": "昨日までは正常",
                                   "current_status": "停止中" });
    }
    body
}

async fn file(app: &TestApp, token: &str, body: Value) -> String {
    let (status, t) = app
        .as_user(token, Method::POST, "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    t["key"].as_str().unwrap().to_owned()
}

async fn general(app: &TestApp, w: &World, summary: &str) -> String {
    file(
        app,
        &w.filer,
        ticket("ECL-B", "general_inquiry", summary, "virtual_server"),
    )
    .await
}

async fn patch(app: &TestApp, token: &str, key: &str, body: Value) {
    let (status, t) = app
        .as_user(
            token,
            Method::PATCH,
            &format!("/api/v1/tickets/{key}"),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
}

/// `GET /api/v1/queues/{desk}?{query}` as `token`.
async fn queue(app: &TestApp, token: &str, desk: &str, query: &str) -> (StatusCode, Value) {
    app.as_user(
        token,
        Method::GET,
        &format!("/api/v1/queues/{desk}?{query}"),
        None,
    )
    .await
}

/// The keys of a queue page that must answer 200.
async fn keys(app: &TestApp, token: &str, desk: &str, query: &str) -> Vec<String> {
    let (status, page) = queue(app, token, desk, query).await;
    assert_eq!(status, StatusCode::OK, "{query}: {page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap().to_owned())
        .collect()
}

/// The counts of `desk` in `GET /api/v1/queues`.
async fn counts(app: &TestApp, token: &str, desk: &str) -> Value {
    let (status, all) = app
        .as_user(token, Method::GET, "/api/v1/queues", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    all["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["desk"] == desk)
        .unwrap_or_else(|| panic!("no {desk} queue in {all}"))["counts"]
        .clone()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

api_test!(
    counts_change_with_every_action_on_a_ticket,
    async |app: &TestApp| {
        let w = world(app).await;
        let c = counts(app, &w.agent, "general").await;
        assert_eq!(
            c,
            json!({ "new": 0, "in_progress": 0, "waiting_for_customer": 0, "pending_closure": 0,
                    "unassigned": 0, "mine": 0, "due_soon": 0, "breached": 0 })
        );
        let a = general(app, &w, "ログインできない").await;
        let b = general(app, &w, "請求書の宛名").await;
        let c = counts(app, &w.agent, "general").await;
        assert_eq!(
            (c["new"].as_i64(), c["unassigned"].as_i64()),
            (Some(2), Some(2))
        );

        // Take: assigned to me.
        patch(app, &w.agent, &a, json!({ "assignee": w.agent_id })).await;
        let c = counts(app, &w.agent, "general").await;
        assert_eq!(
            (c["mine"].as_i64(), c["unassigned"].as_i64()),
            (Some(1), Some(1))
        );
        // The colleague sees it as not theirs.
        let theirs = counts(app, &w.colleague, "general").await;
        assert_eq!(theirs["mine"], 0);

        patch(app, &w.agent, &a, json!({ "status": "in_progress" })).await;
        let c = counts(app, &w.agent, "general").await;
        assert_eq!(
            (c["new"].as_i64(), c["in_progress"].as_i64()),
            (Some(1), Some(1))
        );

        patch(
            app,
            &w.agent,
            &a,
            json!({ "status": "waiting_for_customer" }),
        )
        .await;
        let c = counts(app, &w.agent, "general").await;
        assert_eq!(
            (
                c["in_progress"].as_i64(),
                c["waiting_for_customer"].as_i64()
            ),
            (Some(0), Some(1))
        );

        // The customer's reply on "waiting" moves it back to in progress.
        let (status, m) = app
            .as_user(
                &w.filer,
                Method::POST,
                &format!("/api/v1/tickets/{a}/messages"),
                Some(json!({ "body": "ログを添付します。" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        let c = counts(app, &w.agent, "general").await;
        assert_eq!(
            (
                c["in_progress"].as_i64(),
                c["waiting_for_customer"].as_i64()
            ),
            (Some(1), Some(0))
        );

        patch(app, &w.agent, &a, json!({ "status": "pending_closure" })).await;
        let c = counts(app, &w.agent, "general").await;
        assert_eq!(c["pending_closure"], 1);

        // The customer closes it: it leaves the queue and its counts.
        let (status, t) = app
            .as_user(
                &w.filer,
                Method::POST,
                &format!("/api/v1/tickets/{a}/close"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{t}");
        let c = counts(app, &w.agent, "general").await;
        assert_eq!(
            c,
            json!({ "new": 1, "in_progress": 0, "waiting_for_customer": 0, "pending_closure": 0,
                    "unassigned": 1, "mine": 0, "due_soon": 0, "breached": 0 })
        );
        assert_eq!(keys(app, &w.agent, "general", "").await, vec![b.clone()]);

        // Unassigning counts it as unassigned again.
        patch(app, &w.agent, &b, json!({ "assignee": w.colleague_id })).await;
        assert_eq!(counts(app, &w.agent, "general").await["unassigned"], 0);
        patch(app, &w.agent, &b, json!({ "assignee": "" })).await;
        assert_eq!(counts(app, &w.agent, "general").await["unassigned"], 1);
        // The desk's page carries the same counts and the total.
        let (_, page) = queue(app, &w.agent, "general", "").await;
        assert_eq!(page["counts"]["new"], 1);
        assert_eq!(page["total"], 1);
    }
);

api_test!(
    each_desk_sees_only_its_own_tickets,
    async |app: &TestApp| {
        let w = world(app).await;
        // A premium customer's premium type goes to the premium desk; their plain type to the
        // general desk.
        let premium = file(
            app,
            &w.filer,
            ticket(
                "ECL-P",
                "premium_general_inquiry",
                "特別窓口へのご相談",
                "other",
            ),
        )
        .await;
        let plain = file(
            app,
            &w.filer,
            ticket("ECL-P", "general_inquiry", "一般窓口へのご相談", "other"),
        )
        .await;
        assert_eq!(
            keys(app, &w.agent, "general", "").await,
            vec![plain.clone()]
        );
        assert_eq!(
            keys(app, &w.premium, "premium", "").await,
            vec![premium.clone()]
        );

        // The general agent has no premium queue: 404, no counts, no search hits.
        let (status, _) = queue(app, &w.agent, "premium", "").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, all) = app
            .as_user(&w.agent, Method::GET, "/api/v1/queues", None)
            .await;
        let desks: Vec<&str> = all["queues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["desk"].as_str().unwrap())
            .collect();
        assert_eq!(desks, ["general"]);
        assert_eq!(all["queues"][0]["name"], "一般窓口");
        assert!(
            keys(app, &w.agent, "general", "q=特別窓口")
                .await
                .is_empty()
        );
        assert!(
            keys(app, &w.agent, "general", &format!("q={premium}"))
                .await
                .is_empty()
        );
        assert!(
            keys(app, &w.premium, "premium", "q=一般窓口")
                .await
                .is_empty()
        );
        let (status, _) = queue(app, &w.premium, "general", "q=一般窓口").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Admins see every desk; an unknown desk is missing.
        let (_, all) = app.admin(Method::GET, "/api/v1/queues", None).await;
        assert_eq!(all["queues"].as_array().unwrap().len(), 2, "{all}");
        let (status, _) = queue(app, &app.admin_token, "premium", "").await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = queue(app, &w.agent, "nowhere", "").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Customers have no queues at all, whatever they ask.
        for path in [
            "/api/v1/queues",
            "/api/v1/queues/general",
            "/api/v1/queues/premium?sort=nonsense",
        ] {
            let (status, body) = app.as_user(&w.filer, Method::GET, path, None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        }
    }
);

api_test!(
    filters_combine_and_bad_values_name_their_field,
    async |app: &TestApp| {
        let w = world(app).await;
        let login = general(app, &w, "ログインできない").await;
        let bill = file(
            app,
            &w.filer,
            ticket("ECL-P", "general_inquiry", "請求書の宛名", "other"),
        )
        .await;
        let net = file(
            app,
            &w.filer,
            ticket(
                "ECL-B",
                "incident_submission",
                "ネットワークが不通",
                "network",
            ),
        )
        .await;
        let beta = file(
            app,
            &w.beta_filer,
            ticket(
                "ECL-A",
                "general_inquiry",
                "ログイン画面が遅い",
                "virtual_server",
            ),
        )
        .await;
        patch(app, &w.agent, &login, json!({ "assignee": w.agent_id })).await;
        patch(app, &w.agent, &net, json!({ "assignee": w.colleague_id })).await;
        patch(app, &w.agent, &bill, json!({ "status": "in_progress" })).await;

        let q = async |query: &str| sorted(keys(app, &w.agent, "general", query).await);
        let all = sorted(vec![login.clone(), bill.clone(), net.clone(), beta.clone()]);
        assert_eq!(q("").await, all);
        assert_eq!(
            q("status=new").await,
            sorted(vec![login.clone(), net.clone(), beta.clone()])
        );
        assert_eq!(q("status=new&status=in_progress").await, all);
        assert_eq!(q("status=new,in_progress").await, all);
        assert_eq!(q("status=in_progress").await, vec![bill.clone()]);
        assert_eq!(
            q("ticket_type=incident_submission").await,
            vec![net.clone()]
        );
        assert_eq!(q("plan=premium").await, vec![bill.clone()]);
        assert_eq!(q("plan=advanced").await, vec![beta.clone()]);
        assert_eq!(
            q("service_menu=virtual_server").await,
            sorted(vec![login.clone(), beta.clone()])
        );
        assert_eq!(
            q(&format!("organization={}", w.beta)).await,
            vec![beta.clone()]
        );
        assert_eq!(q("assignee=me").await, vec![login.clone()]);
        assert_eq!(
            q("assignee=none").await,
            sorted(vec![bill.clone(), beta.clone()])
        );
        assert_eq!(
            q("assignee=any").await,
            sorted(vec![login.clone(), net.clone()])
        );
        assert_eq!(
            q(&format!("assignee={}", w.colleague_id)).await,
            vec![net.clone()]
        );
        assert_eq!(
            q("q=ログイン").await,
            sorted(vec![login.clone(), beta.clone()])
        );
        assert_eq!(q(&format!("q={net}")).await, vec![net.clone()]);
        // Combined, every filter must hold.
        assert_eq!(
            q(&format!(
                "service_menu=virtual_server&organization={}&assignee=me&status=new",
                w.acme
            ))
            .await,
            vec![login.clone()]
        );
        assert_eq!(q("q=ログイン&plan=advanced").await, vec![beta.clone()]);
        assert!(q("q=ログイン&plan=premium").await.is_empty());
        assert!(q("assignee=me&status=in_progress").await.is_empty());
        // Closed tickets show only when asked for.
        patch(app, &w.agent, &bill, json!({ "status": "closed" })).await;
        assert!(!q("").await.contains(&bill));
        assert_eq!(q("status=closed").await, vec![bill.clone()]);

        // Totals come with the filters the counts answer.
        let (_, page) = queue(app, &w.agent, "general", "assignee=none").await;
        assert_eq!(page["total"], 1, "{page}");
        let (_, page) = queue(app, &w.agent, "general", "q=ログイン").await;
        assert!(page.get("total").is_none(), "{page}");

        // A list item carries what an agent triages by.
        let (_, page) = queue(app, &w.agent, "general", &format!("q={login}")).await;
        let item = &page["items"][0];
        assert_eq!(item["summary"], "ログインできない");
        assert_eq!(item["created_by"]["name"], "User filer@acme.example");
        assert_eq!(item["organization"]["name"], "Acme 株式会社");
        assert_eq!(item["plan"], "basic");
        assert_eq!(item["ticket_type"]["code"], "general_inquiry");
        assert_eq!(item["priority"], "p3");
        assert_eq!(item["status"], "new");
        assert_eq!(item["assignee"]["name"], "Agent Sato");
        assert_eq!(item["due"]["state"], "on_track");
        assert_eq!(item["sla"]["state"], "on_track");
        assert!(item.get("messages").is_none());

        // Bad values: 422 naming each field and what it takes.
        let (status, problem) = queue(
            app,
            &w.agent,
            "general",
            "status=done&plan=gold&sla=late&sort=newest&ticket_type=x&service_menu=y",
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(
            error_fields(&problem),
            [
                "status",
                "ticket_type",
                "service_menu",
                "plan",
                "sla",
                "sort"
            ]
        );
        let detail = problem["detail"].as_str().unwrap();
        for allowed in [
            "in_progress",
            "premium",
            "due_soon, breached",
            "oldest, due, priority, updated",
            "general_inquiry",
            "virtual_server",
        ] {
            assert!(detail.contains(allowed), "{allowed} not in {detail}");
        }
        let (status, problem) = queue(app, &w.agent, "general", "limit=0").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&problem), ["limit"]);
        let (status, _) = queue(app, &w.agent, "general", "cursor=%%%").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // A cursor of one sort does not page another.
        let (_, page) = queue(app, &w.agent, "general", "limit=1").await;
        let cursor = page["next_cursor"].as_str().unwrap().to_owned();
        let (status, _) = queue(
            app,
            &w.agent,
            "general",
            &format!("limit=1&sort=updated&cursor={cursor}"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
);

/// Every page of a sort, two at a time, following `next_cursor`.
async fn walk(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let q = match &cursor {
            Some(c) => format!("{query}&limit=2&cursor={c}"),
            None => format!("{query}&limit=2"),
        };
        let (status, page) = queue(app, token, "general", &q).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        all.extend(items.iter().map(|t| t["key"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return all,
        }
    }
    panic!("paging does not end");
}

api_test!(
    every_sort_pages_without_duplicates_or_gaps,
    async |app: &TestApp| {
        let w = world(app).await;
        let mut filed = Vec::new();
        for i in 0..7 {
            filed.push(general(app, &w, &format!("問い合わせ {i}")).await);
        }
        let number = |k: &str| k[3..].parse::<u64>().unwrap();
        // Priorities: 0→p2, 1→p1, 2→p3, 3→p1, 4→p4, 5→p2, 6→p3 (default).
        for (i, p) in [(0, "p2"), (1, "p1"), (3, "p1"), (4, "p4"), (5, "p2")] {
            patch(app, &w.agent, &filed[i], json!({ "priority": p })).await;
        }
        // SLA due times (as the SLA tracker keeps them): 4 is due first, then 2, then 6;
        // the others have none and come last, oldest first.
        let store = &app.db.store;
        let now = jiff::Timestamp::now().as_microsecond();
        let hour = 3_600_000_000;
        for (i, due) in [(4, now + hour), (2, now + 2 * hour), (6, now + 3 * hour)] {
            let key = madoguchi_core::values::TicketKey::parse(&filed[i]).unwrap();
            store
                .set_ticket_sla_for_test(key, Some(due), Some(due - hour / 2), None)
                .await
                .unwrap();
        }
        // Updated: touch 3, then 0, last of all.
        patch(app, &w.agent, &filed[3], json!({ "status": "in_progress" })).await;
        patch(app, &w.agent, &filed[0], json!({ "status": "in_progress" })).await;

        let oldest = walk(app, &w.agent, "sort=oldest").await;
        assert_eq!(oldest, filed, "oldest first, by key");
        assert_eq!(
            walk(app, &w.agent, "").await,
            filed,
            "oldest is the default"
        );

        let by_priority = walk(app, &w.agent, "sort=priority").await;
        let f = |i: usize| filed[i].clone();
        assert_eq!(by_priority, [f(1), f(3), f(0), f(5), f(2), f(6), f(4)]);

        let due = walk(app, &w.agent, "sort=due").await;
        assert_eq!(due, [f(4), f(2), f(6), f(0), f(1), f(3), f(5)]);

        let updated = walk(app, &w.agent, "sort=updated").await;
        assert_eq!(&updated[..2], [f(0), f(3)], "most recently updated first");
        let rest: Vec<u64> = updated[2..].iter().map(|k| number(k)).collect();
        assert_eq!(rest.len(), 5);
        for sort in ["oldest", "priority", "due", "updated"] {
            let keys = walk(app, &w.agent, &format!("sort={sort}")).await;
            let unique: BTreeSet<&String> = keys.iter().collect();
            assert_eq!(unique.len(), 7, "{sort}: no duplicates, no gaps: {keys:?}");
        }
        // Filters survive paging: the new ones only, by priority.
        let new_only = walk(app, &w.agent, "sort=priority&status=new").await;
        assert_eq!(new_only, [f(1), f(5), f(2), f(6), f(4)]);
    }
);

api_test!(
    due_soon_and_breached_are_counted_filtered_and_shown,
    async |app: &TestApp| {
        let w = world(app).await;
        let late = general(app, &w, "期限切れ").await;
        let soon = general(app, &w, "もうすぐ期限").await;
        let fine = general(app, &w, "余裕あり").await;
        let paused = general(app, &w, "お客さま待ち").await;
        let store = &app.db.store;
        let now = jiff::Timestamp::now().as_microsecond();
        let hour = 3_600_000_000;
        let key = |k: &str| madoguchi_core::values::TicketKey::parse(k).unwrap();
        store
            .set_ticket_sla_for_test(key(&late), Some(now - hour), Some(now - 2 * hour), None)
            .await
            .unwrap();
        store
            .set_ticket_sla_for_test(key(&soon), Some(now + hour), Some(now - hour), None)
            .await
            .unwrap();
        store
            .set_ticket_sla_for_test(key(&fine), Some(now + 8 * hour), Some(now + 6 * hour), None)
            .await
            .unwrap();
        store
            .set_ticket_sla_for_test(key(&paused), None, None, Some(now - hour))
            .await
            .unwrap();
        let c = counts(app, &w.agent, "general").await;
        assert_eq!(
            (c["breached"].as_i64(), c["due_soon"].as_i64()),
            (Some(1), Some(1))
        );
        assert_eq!(
            keys(app, &w.agent, "general", "sla=breached").await,
            vec![late.clone()]
        );
        assert_eq!(
            keys(app, &w.agent, "general", "sla=due_soon").await,
            vec![soon.clone()]
        );
        let (_, page) = queue(app, &w.agent, "general", "sla=breached").await;
        assert_eq!(page["total"], 1);
        let (_, page) = queue(app, &w.agent, "general", "sort=due").await;
        let states: Vec<(&str, &str)> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["key"].as_str().unwrap(),
                    t["due"]["state"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            states,
            [
                (late.as_str(), "breached"),
                (soon.as_str(), "due_soon"),
                (fine.as_str(), "on_track"),
                (paused.as_str(), "paused"),
            ]
        );
        assert!(page["items"][0]["due"]["at"].as_str().is_some());
        // A closed ticket counts no more, breached or not.
        patch(app, &w.agent, &late, json!({ "status": "closed" })).await;
        assert_eq!(counts(app, &w.agent, "general").await["breached"], 0);
    }
);

api_test!(
    bulk_changes_answer_for_each_ticket,
    async |app: &TestApp| {
        let w = world(app).await;
        let a = general(app, &w, "一つ目").await;
        let b = general(app, &w, "二つ目").await;
        let premium = file(
            app,
            &w.filer,
            ticket("ECL-P", "premium_general_inquiry", "特別", "other"),
        )
        .await;
        let body = json!({ "keys": [a, premium, "SD-99999", "nonsense", b],
                           "assignee": "me", "status": "in_progress", "priority": "p1" });
        let (status, answer) = app
            .as_user(&w.agent, Method::POST, "/api/v1/tickets/bulk", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let results = answer["results"].as_array().unwrap();
        let summary: Vec<(&str, bool, Option<i64>)> = results
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap(),
                    r["ok"].as_bool().unwrap(),
                    r["error"]["status"].as_i64(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (a.as_str(), true, None),
                (premium.as_str(), false, Some(404)),
                ("SD-99999", false, Some(404)),
                ("nonsense", false, Some(404)),
                (b.as_str(), true, None),
            ]
        );
        assert!(results[1]["error"]["title"].as_str().is_some());
        assert!(results[1]["error"]["detail"].as_str().is_some());
        // The good ones changed, as one PATCH each would have.
        for key in [&a, &b] {
            let (_, t) = app
                .as_user(
                    &w.agent,
                    Method::GET,
                    &format!("/api/v1/tickets/{key}"),
                    None,
                )
                .await;
            assert_eq!(
                (&t["status"], &t["priority"], &t["assignee"]["id"]),
                (&json!("in_progress"), &json!("p1"), &json!(w.agent_id))
            );
        }
        assert_eq!(counts(app, &w.agent, "general").await["mine"], 2);
        let (_, t) = app
            .as_user(
                &w.premium,
                Method::GET,
                &format!("/api/v1/tickets/{premium}"),
                None,
            )
            .await;
        assert_eq!(t["status"], "new", "the other desk's ticket is untouched");

        // A value one ticket refuses is that ticket's error, not the request's.
        let body = json!({ "keys": [a], "status": "done" });
        let (status, answer) = app
            .as_user(&w.agent, Method::POST, "/api/v1/tickets/bulk", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["results"][0]["error"]["status"], 422, "{answer}");
        // Unassigning in bulk.
        let body = json!({ "keys": [a, b], "assignee": "" });
        let (_, answer) = app
            .as_user(&w.agent, Method::POST, "/api/v1/tickets/bulk", Some(body))
            .await;
        assert!(
            answer["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["ok"] == true)
        );
        assert_eq!(counts(app, &w.agent, "general").await["unassigned"], 2);

        // The request as a whole: keys required, at most 100, something to change.
        for (body, field) in [
            (json!({ "keys": [], "status": "new" }), "keys"),
            (
                json!({ "keys": (0..101).map(|i| format!("SD-{}", 2000 + i)).collect::<Vec<_>>(), "status": "new" }),
                "keys",
            ),
            (json!({ "keys": [a] }), "status"),
        ] {
            let (status, problem) = app
                .as_user(&w.agent, Method::POST, "/api/v1/tickets/bulk", Some(body))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
            assert_eq!(error_fields(&problem), [field]);
        }
        // Customers may not.
        let body = json!({ "keys": [a], "status": "closed" });
        let (status, _) = app
            .as_user(&w.filer, Method::POST, "/api/v1/tickets/bulk", Some(body))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

async fn get(browser: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

api_test!(
    the_agents_home_is_the_queue_and_take_assigns_in_one_click,
    async |app: &TestApp| {
        let w = world(app).await;
        let key = general(app, &w, "ログインできない").await;
        let (browser, csrf) = app.log_in("agent@support.example").await;
        let (status, home) = get(&browser, app, "/").await;
        assert_eq!(status, StatusCode::OK);
        // The columns an agent triages by.
        for text in [
            "キュー",
            &key,
            "ログインできない",
            "User filer@acme.example",
            "Acme 株式会社",
            "ベーシック",
            "General Inquiry",
            "P3",
            "status status-new",
            "担当する",
            "id=\"count-new\"",
        ] {
            assert!(home.contains(text), "{text} not on the queue page");
        }
        assert!(
            !home.contains("href=\"/queues/premium\""),
            "no tab of a desk not worked"
        );
        let back = hidden(&home, "back");
        let response = browser
            .post(app.url("/queues/general/take"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("back", back.as_str()),
                ("take", key.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, format!("/queues/general?taken={key}"));
        let (_, page) = get(&browser, app, &location).await;
        assert!(page.contains(&format!("{key} を担当しました。")), "{page}");
        assert!(page.contains("role=\"status\""));
        assert!(page.contains("Agent Sato"));
        assert!(
            !page.contains("name=\"take\""),
            "taken tickets offer no Take"
        );
        assert_eq!(counts(app, &w.agent, "general").await["mine"], 1);

        // Without the CSRF token nothing happens.
        let response = browser
            .post(app.url("/queues/general/take"))
            .form(&[("csrf", "forged"), ("take", key.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);

        // Customers have no queue page.
        let (customer, _) = app.log_in("filer@acme.example").await;
        let (status, _) = get(&customer, app, "/queues/general").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = get(&browser, app, "/queues/premium").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

api_test!(
    queue_page_filters_survive_paging_and_bulk_answers_per_ticket,
    async |app: &TestApp| {
        let w = world(app).await;
        let a = general(app, &w, "一つ目").await;
        let b = general(app, &w, "二つ目").await;
        let other = file(
            app,
            &w.filer,
            ticket("ECL-P", "general_inquiry", "請求書", "other"),
        )
        .await;
        let (browser, csrf) = app.log_in("agent@support.example").await;
        let (_, page) = get(
            &browser,
            app,
            "/queues/general?service_menu=virtual_server&sort=oldest&limit=1",
        )
        .await;
        assert!(page.contains(&a) && !page.contains(&b) && !page.contains(&other));
        let next = page
            .split("id=\"next-page\"")
            .next()
            .unwrap()
            .rsplit("href=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        assert!(next.contains("service_menu=virtual_server") && next.contains("cursor="));
        let (_, second) = get(&browser, app, &next).await;
        assert!(second.contains(&b) && !second.contains(&other), "{second}");
        assert!(second.contains("value=\"virtual_server\" selected"));
        assert!(!second.contains("id=\"next-page\""));

        // A bad filter is shown beside its field, with the summary.
        let (status, bad) = get(&browser, app, "/queues/general?plan=gold").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.contains("id=\"error-summary\"") && bad.contains("href=\"#f-plan\""));
        // An empty queue says why.
        let (_, empty) = get(&browser, app, "/queues/general?q=存在しない言葉").await;
        assert!(empty.contains("条件に合うチケットはありません"));

        // The bulk bar: two tickets, one status.
        let response = browser
            .post(app.url("/queues/general/bulk"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("back", "/queues/general"),
                ("key", a.as_str()),
                ("key", b.as_str()),
                ("assignee", ""),
                ("status", "in_progress"),
                ("priority", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let result = response.text().await.unwrap();
        assert!(result.contains("id=\"bulk-results\""));
        assert_eq!(result.matches("変更しました").count(), 2, "{result}");
        assert_eq!(counts(app, &w.agent, "general").await["in_progress"], 2);
        // Nothing ticked: said so, nothing changed.
        let response = browser
            .post(app.url("/queues/general/bulk"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("back", "/queues/general"),
                ("status", "pending_closure"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("チケットを1件以上選択してください。")
        );
    }
);
