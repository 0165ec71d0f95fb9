//! The desk's follow-through (SPEC §5–6): an agent merges a duplicate into the ticket that
//! survives, records the calls of a callback ticket, and the filer of a closed ticket rates it
//! once. Through the API and the pages, on both databases.

use madoguchi_core::values::TicketKey;
use madoguchi_store::{EventFilter, Viewer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{TestApp, error_fields, hidden};

/// One organization with an advanced contract (ECL-A, which offers callbacks) and a basic one
/// (ECL-B), another organization, and support.
struct World {
    /// edit on ECL-A and ECL-B
    filer: String,
    filer_id: String,
    /// edit on ECL-A and ECL-B
    filer2: String,
    filer2_id: String,
    /// view on ECL-A and ECL-B
    colleague: String,
    colleague_id: String,
    /// view on ECL-B only
    viewer_b: String,
    viewer_b_id: String,
    /// a customer of another organization (edit on ECL-X)
    stranger: String,
    /// an agent of the general desk (password login too)
    agent: String,
    /// an agent of the premium desk
    premium_agent: String,
}

async fn grant(app: &TestApp, user: &str, contract: &str, level: &str) {
    let body = json!({ "user_id": user, "contract_number": contract, "level": level });
    let (status, p) = app
        .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
}

async fn agent(app: &TestApp, email: &str, desks: &[&str]) -> String {
    let body = json!({ "email": email, "name": format!("Agent {email}"), "role": "agent", "desks": desks,
        "password": "correct horse battery" });
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
    let (org, _) = app.customer_org("Org", "ECL-A", "advanced").await;
    let body = json!({ "organization_id": org, "contract_number": "ECL-B", "product_line": "Enterprise Cloud 2.0",
        "contracting_corporation": "Example Communications Corp.", "plan": "basic", "channel": "direct" });
    let (status, c) = app
        .admin(Method::POST, "/api/v1/admin/contracts", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let body = json!({ "organization_id": org, "tenant_id": "tenant-001" });
    app.admin(Method::POST, "/api/v1/admin/tenants", Some(body))
        .await;
    let (filer_id, filer) = app.user("filer@org.example", "customer", Some(&org)).await;
    let (filer2_id, filer2) = app.user("filer2@org.example", "customer", Some(&org)).await;
    let (colleague_id, colleague) = app
        .user("colleague@org.example", "customer", Some(&org))
        .await;
    let (viewer_b_id, viewer_b) = app.user("viewer@org.example", "customer", Some(&org)).await;
    for c in ["ECL-A", "ECL-B"] {
        grant(app, &filer_id, c, "edit").await;
        grant(app, &filer2_id, c, "edit").await;
        grant(app, &colleague_id, c, "view").await;
    }
    grant(app, &viewer_b_id, "ECL-B", "view").await;

    let (other, _) = app.customer_org("Other", "ECL-X", "basic").await;
    let body = json!({ "organization_id": other, "tenant_id": "tenant-x" });
    app.admin(Method::POST, "/api/v1/admin/tenants", Some(body))
        .await;
    let (stranger_id, stranger) = app
        .user("stranger@other.example", "customer", Some(&other))
        .await;
    grant(app, &stranger_id, "ECL-X", "edit").await;
    World {
        filer,
        filer_id,
        filer2,
        filer2_id,
        colleague,
        colleague_id,
        viewer_b,
        viewer_b_id,
        stranger,
        agent: agent(app, "agent@support.example", &["general"]).await,
        premium_agent: agent(app, "premium@support.example", &["premium"]).await,
    }
}

fn inquiry(contract: &str, summary: &str, tenant: &str) -> Value {
    json!({
        "contract_number": contract, "ticket_type": "general_inquiry", "summary": summary,
        "service_menu": "virtual_server", "tenant_id": tenant, "details": "手順を教えてください。",
        "menu_fields": { "server_name": "web-01", "region": "JP1" },
    })
}

fn callback_request(summary: &str) -> Value {
    let mut body = inquiry("ECL-A", summary, "tenant-001");
    body["ticket_type"] = json!("callback_general_inquiry");
    body["callback"] = json!({ "phone": "03-1234-5678", "contact_name": "佐藤", "preferred_window": "平日 10:00-12:00" });
    body
}

async fn file(app: &TestApp, token: &str, body: Value) -> String {
    let (status, ticket) = app
        .as_user(token, Method::POST, "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    ticket["key"].as_str().unwrap().to_owned()
}

async fn get(app: &TestApp, token: &str, key: &str) -> (StatusCode, Value) {
    app.as_user(token, Method::GET, &format!("/api/v1/tickets/{key}"), None)
        .await
}

async fn merge(app: &TestApp, token: &str, key: &str, into: &str) -> (StatusCode, Value) {
    app.as_user(
        token,
        Method::POST,
        &format!("/api/v1/tickets/{key}/merge"),
        Some(json!({ "into": into })),
    )
    .await
}

async fn close(app: &TestApp, token: &str, key: &str) {
    let (status, t) = app
        .as_user(
            token,
            Method::POST,
            &format!("/api/v1/tickets/{key}/close"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
}

/// The events about ticket `key`, as (kind, data).
async fn events_of(app: &TestApp, key: &str) -> Vec<(String, Value)> {
    let store = &app.db.store;
    let ticket = store
        .ticket(Viewer::Admin, TicketKey::parse(key).unwrap())
        .await
        .unwrap();
    store
        .events(EventFilter {
            subject_id: Some(&ticket.id),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.data))
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

// ---- merge ----

api_test!(
    a_duplicate_closes_into_the_surviving_ticket_and_both_logs_say_so,
    async |app: &TestApp| {
        let w = world(app).await;
        let mut dup_body = inquiry("ECL-B", "ログインできない(重複)", "tenant-001");
        dup_body["participants"] = json!([w.colleague_id, w.viewer_b_id]);
        let dup = file(app, &w.filer2, dup_body).await;
        let survivor = file(
            app,
            &w.filer,
            inquiry("ECL-A", "ログインできない", "tenant-001"),
        )
        .await;
        let (status, _) = app
            .as_user(
                &w.agent,
                Method::POST,
                &format!("/api/v1/tickets/{dup}/messages"),
                Some(json!({ "body": "確認します。" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);

        let (status, merged) = merge(app, &w.agent, &dup, &survivor).await;
        assert_eq!(status, StatusCode::OK, "{merged}");
        assert_eq!(merged["key"], dup.as_str());
        assert_eq!(merged["status"], "closed");
        assert_eq!(merged["merged_into"], survivor.as_str());

        // The duplicate's log stays readable, for its customers too.
        let (status, seen) = get(app, &w.filer2, &dup).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen["merged_into"], survivor.as_str());
        assert_eq!(seen["messages"][0]["body"], "確認します。");
        // A duplicate was never answered on its own: its filer rates the survivor instead.
        let (status, problem) = rate(app, &w.filer2, &dup, json!({ "rating": 5 })).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("merged"),
            "{problem}"
        );

        // Its filer and participants who may view the survivor's contract now follow it;
        // the participant who may view only the duplicate's contract does not, and still
        // cannot see the survivor.
        let (status, kept) = get(app, &w.filer2, &survivor).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the duplicate's customer opens the survivor"
        );
        let participants = ids(&kept["participants"]);
        assert!(participants.contains(&w.filer2_id), "{participants:?}");
        assert!(participants.contains(&w.colleague_id), "{participants:?}");
        assert!(!participants.contains(&w.viewer_b_id), "{participants:?}");
        assert!(
            !participants.contains(&w.filer_id),
            "the survivor's filer is no participant"
        );
        assert_eq!(get(app, &w.colleague, &survivor).await.0, StatusCode::OK);
        assert_eq!(
            get(app, &w.viewer_b, &survivor).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(get(app, &w.viewer_b, &dup).await.0, StatusCode::OK);
        assert_eq!(kept["status"], "new", "the survivor stays as it was");

        // Both logs say it, publicly.
        let dup_events = events_of(app, &dup).await;
        let (_, data) = dup_events
            .iter()
            .find(|(kind, _)| kind == "ticket.merged")
            .expect("the duplicate's log says it was merged");
        assert_eq!(data["key"], dup.as_str());
        assert_eq!(data["into"], survivor.as_str());
        assert_eq!(data["public"], true);
        assert_eq!(data["changes"]["status"]["to"], "closed");
        assert_eq!(
            data["changes"]["merged_into"],
            json!({ "from": null, "to": survivor })
        );
        let survivor_events = events_of(app, &survivor).await;
        let (_, data) = survivor_events
            .iter()
            .find(|(kind, _)| kind == "ticket.merged")
            .expect("the survivor's log says what joined it");
        assert_eq!(data["from"], dup.as_str());
        assert_eq!(data["public"], true);

        // The duplicate's customers are told where it went.
        let store = &app.db.store;
        let dup_id = store
            .ticket(Viewer::Admin, TicketKey::parse(&dup).unwrap())
            .await
            .unwrap()
            .id;
        let event = store
            .events(EventFilter {
                subject_id: Some(&dup_id),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.kind == "ticket.merged")
            .unwrap();
        let outbox = store.outbox_of(event.id).await.unwrap();
        let recipients: Vec<_> = outbox.iter().map(|o| o.recipient.clone()).collect();
        for id in [&w.filer2_id, &w.colleague_id, &w.viewer_b_id] {
            assert!(recipients.contains(&format!("user:{id}")), "{recipients:?}");
        }
        assert!(
            outbox
                .iter()
                .all(|o| o.kind == "ticket.merged" && o.payload["into"] == survivor.as_str())
        );

        // A later reply to the duplicate is refused, naming the survivor.
        for token in [&w.filer2, &w.agent] {
            let (status, problem) = app
                .as_user(
                    token,
                    Method::POST,
                    &format!("/api/v1/tickets/{dup}/messages"),
                    Some(json!({ "body": "まだ直りません。" })),
                )
                .await;
            assert_eq!(status, StatusCode::CONFLICT, "{problem}");
            assert_eq!(problem["merged_into"], survivor.as_str());
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("/api/v1/tickets/{survivor}"))
            );
        }
        // The survivor goes on.
        let (status, _) = app
            .as_user(
                &w.filer2,
                Method::POST,
                &format!("/api/v1/tickets/{survivor}/messages"),
                Some(json!({ "body": "まだ直りません。" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
);

api_test!(
    merging_takes_an_open_ticket_of_the_same_organization_only,
    async |app: &TestApp| {
        let w = world(app).await;
        let dup = file(app, &w.filer, inquiry("ECL-A", "重複", "tenant-001")).await;
        let survivor = file(app, &w.filer, inquiry("ECL-A", "本体", "tenant-001")).await;
        let foreign = file(app, &w.stranger, inquiry("ECL-X", "他社", "tenant-x")).await;
        let closed = file(app, &w.filer, inquiry("ECL-A", "解決済み", "tenant-001")).await;
        close(app, &w.filer, &closed).await;

        let refused = |into: &str, status: StatusCode, field: &str| {
            let (into, field) = (into.to_owned(), field.to_owned());
            let dup = dup.clone();
            let agent = w.agent.clone();
            async move {
                let (got, problem) = merge(app, &agent, &dup, &into).await;
                assert_eq!(got, status, "into {into}: {problem}");
                assert_eq!(error_fields(&problem), [field], "into {into}: {problem}");
            }
        };
        refused(&dup, StatusCode::UNPROCESSABLE_ENTITY, "into").await;
        refused(&foreign, StatusCode::UNPROCESSABLE_ENTITY, "into").await;
        refused("SD-99999", StatusCode::UNPROCESSABLE_ENTITY, "into").await;
        refused("not a key", StatusCode::UNPROCESSABLE_ENTITY, "into").await;
        refused("", StatusCode::UNPROCESSABLE_ENTITY, "into").await;
        refused(&closed, StatusCode::CONFLICT, "into").await;
        let (status, problem) = merge(app, &w.agent, &dup, &foreign).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("same organization"),
            "{status} {problem}"
        );

        // A closed ticket is no duplicate to merge.
        let (status, problem) = merge(app, &w.agent, &closed, &survivor).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(error_fields(&problem), ["status"]);

        // Who may: agents of the desk. A customer who sees the ticket is refused; one of
        // another organization, or an agent of another desk, does not see it at all.
        assert_eq!(
            merge(app, &w.filer, &dup, &survivor).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            merge(app, &w.stranger, &dup, &survivor).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            merge(app, &w.premium_agent, &dup, &survivor).await.0,
            StatusCode::NOT_FOUND
        );
        let (_, still) = get(app, &w.agent, &dup).await;
        assert_eq!(still["status"], "new", "nothing refused wrote anything");
        assert!(still.get("merged_into").is_none());

        // Merged once: again is refused naming where it went, and neither ticket takes it in.
        let (status, _) = merge(app, &w.agent, &dup, &survivor).await;
        assert_eq!(status, StatusCode::OK);
        let (status, problem) = merge(app, &w.agent, &dup, &survivor).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["merged_into"], survivor.as_str());
        let third = file(app, &w.filer, inquiry("ECL-A", "三つ目", "tenant-001")).await;
        let (status, problem) = merge(app, &w.agent, &third, &dup).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(error_fields(&problem), ["into"]);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("merged into another"),
            "{problem}"
        );
    }
);

// ---- callback attempts ----

async fn attempt(app: &TestApp, token: &str, key: &str, body: Value) -> (StatusCode, Value) {
    app.as_user(
        token,
        Method::POST,
        &format!("/api/v1/tickets/{key}/callback-attempts"),
        Some(body),
    )
    .await
}

fn in_a_day() -> String {
    (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24)).to_string()
}

api_test!(
    agents_record_each_call_of_a_callback_ticket,
    async |app: &TestApp| {
        let w = world(app).await;
        let key = file(app, &w.filer, callback_request("折り返しの電話を希望")).await;
        let next = in_a_day();
        let outcomes = [
            json!({ "outcome": "no_answer", "note": "呼び出しのみ" }),
            json!({ "outcome": "voicemail" }),
            json!({ "outcome": "rescheduled", "next_at": next, "note": "明日の午前に" }),
            json!({ "outcome": "reached", "note": "手順を説明した" }),
        ];
        for body in outcomes.iter() {
            let (status, a) = attempt(app, &w.agent, &key, body.clone()).await;
            assert_eq!(status, StatusCode::CREATED, "{a}");
            assert_eq!(a["outcome"], body["outcome"]);
            assert_eq!(a["agent"]["name"], "Agent agent@support.example");
            assert!(a["id"].is_string() && a["created_at"].is_string());
        }
        let (_, ticket) = get(app, &w.agent, &key).await;
        let attempts = ticket["callback"]["attempts"].as_array().unwrap();
        let seen: Vec<_> = attempts
            .iter()
            .map(|a| a["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(seen, ["no_answer", "voicemail", "rescheduled", "reached"]);
        assert_eq!(attempts[0]["note"], "呼び出しのみ");
        assert!(attempts[1].get("note").is_none() && attempts[1].get("next_at").is_none());
        // Times are kept to the microsecond.
        let micros = |t: &str| t.parse::<jiff::Timestamp>().unwrap().as_microsecond();
        assert_eq!(
            micros(attempts[2]["next_at"].as_str().unwrap()),
            micros(&next)
        );
        assert_eq!(
            attempts[3]["outcome_name"], "連絡がついた",
            "in the agent's language"
        );
        assert_eq!(ticket["callback"]["phone"], "03-1234-5678");

        // The customer sees the callback fields, not the desk's record of calls.
        let (_, theirs) = get(app, &w.filer, &key).await;
        assert_eq!(theirs["callback"]["contact_name"], "佐藤");
        assert!(theirs["callback"].get("attempts").is_none(), "{theirs}");
        assert!(theirs["callback"].get("due_at").is_none(), "{theirs}");

        // Only the reached call is a public entry of the log.
        let events: Vec<_> = events_of(app, &key)
            .await
            .into_iter()
            .filter(|(kind, _)| kind == "callback.attempted")
            .map(|(_, data)| {
                (
                    data["outcome"].as_str().unwrap().to_owned(),
                    data["public"].clone(),
                )
            })
            .collect();
        assert_eq!(
            events,
            [
                ("no_answer".to_owned(), json!(false)),
                ("voicemail".to_owned(), json!(false)),
                ("rescheduled".to_owned(), json!(false)),
                ("reached".to_owned(), json!(true)),
            ]
        );
    }
);

api_test!(
    a_call_is_checked_and_only_agents_record_one_on_an_open_callback_ticket,
    async |app: &TestApp| {
        let w = world(app).await;
        let key = file(app, &w.filer, callback_request("電話してください")).await;
        let past = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1)).to_string();
        let cases = [
            (json!({ "outcome": "rescheduled" }), "next_at"),
            (
                json!({ "outcome": "rescheduled", "next_at": past }),
                "next_at",
            ),
            (
                json!({ "outcome": "rescheduled", "next_at": "明日" }),
                "next_at",
            ),
            (
                json!({ "outcome": "no_answer", "next_at": in_a_day() }),
                "next_at",
            ),
            (json!({ "outcome": "busy" }), "outcome"),
            (json!({}), "outcome"),
            (
                json!({ "outcome": "reached", "note": "あ".repeat(2001) }),
                "note",
            ),
        ];
        for (body, field) in cases {
            let (status, problem) = attempt(app, &w.agent, &key, body.clone()).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {problem}"
            );
            assert_eq!(error_fields(&problem), [field], "{body}");
        }
        let call = json!({ "outcome": "no_answer" });
        // Customers may see the ticket but not record calls; others do not see it.
        assert_eq!(
            attempt(app, &w.filer, &key, call.clone()).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            attempt(app, &w.stranger, &key, call.clone()).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            attempt(app, &w.premium_agent, &key, call.clone()).await.0,
            StatusCode::NOT_FOUND
        );
        let (_, ticket) = get(app, &w.agent, &key).await;
        assert_eq!(
            ticket["callback"]["attempts"],
            json!([]),
            "nothing refused was recorded"
        );

        // A web ticket has no calls to record.
        let web = file(app, &w.filer, inquiry("ECL-A", "普通の質問", "tenant-001")).await;
        let (status, problem) = attempt(app, &w.agent, &web, call.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("not a callback request"),
            "{problem}"
        );
        let (_, plain) = get(app, &w.agent, &web).await;
        assert!(plain.get("callback").is_none());

        // Nor has a closed one.
        close(app, &w.filer, &key).await;
        let (status, problem) = attempt(app, &w.agent, &key, call).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(error_fields(&problem), ["status"]);
    }
);

// ---- satisfaction ----

async fn rate(app: &TestApp, token: &str, key: &str, body: Value) -> (StatusCode, Value) {
    app.as_user(
        token,
        Method::POST,
        &format!("/api/v1/tickets/{key}/satisfaction"),
        Some(body),
    )
    .await
}

api_test!(
    the_filer_rates_a_closed_ticket_once,
    async |app: &TestApp| {
        let w = world(app).await;
        let mut body = inquiry("ECL-A", "設定方法", "tenant-001");
        body["participants"] = json!([w.colleague_id]);
        let key = file(app, &w.filer, body).await;
        let four = json!({ "rating": 4, "comment": "丁寧な回答でした。" });

        let (status, problem) = rate(app, &w.filer, &key, four.clone()).await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "an open ticket is rated once closed: {problem}"
        );
        close(app, &w.filer, &key).await;

        // Who may: the filer only. A participant sees the ticket but did not file it;
        // support does not rate itself; another organization sees nothing.
        assert_eq!(
            rate(app, &w.colleague, &key, four.clone()).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            rate(app, &w.agent, &key, four.clone()).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            rate(app, &w.stranger, &key, four.clone()).await.0,
            StatusCode::NOT_FOUND
        );

        for (bad, field) in [
            (json!({ "rating": 6 }), "rating"),
            (json!({ "rating": 0 }), "rating"),
            (json!({ "comment": "評価なし" }), "rating"),
            (
                json!({ "rating": 3, "comment": "あ".repeat(2001) }),
                "comment",
            ),
        ] {
            let (status, problem) = rate(app, &w.filer, &key, bad.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {problem}");
            assert_eq!(error_fields(&problem), [field]);
        }
        let (status, _) = rate(app, &w.filer, &key, json!({ "rating": "four" })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let (status, rated) = rate(app, &w.filer, &key, four.clone()).await;
        assert_eq!(status, StatusCode::OK, "{rated}");
        assert_eq!(rated["satisfaction"]["rating"], 4);
        assert_eq!(rated["satisfaction"]["comment"], "丁寧な回答でした。");
        let (status, problem) = rate(app, &w.filer, &key, json!({ "rating": 1 })).await;
        assert_eq!(status, StatusCode::CONFLICT, "once only: {problem}");

        // Support reads it; the participant does not.
        let (_, seen) = get(app, &w.agent, &key).await;
        assert_eq!(seen["satisfaction"]["rating"], 4);
        let (_, theirs) = get(app, &w.colleague, &key).await;
        assert!(theirs.get("satisfaction").is_none(), "{theirs}");
        let events = events_of(app, &key).await;
        let rated: Vec<_> = events.iter().filter(|(k, _)| k == "ticket.rated").collect();
        assert_eq!(rated.len(), 1);
        assert_eq!(rated[0].1["public"], false);
        assert_eq!(rated[0].1["rating"], 4);
    }
);

// ---- pages ----

async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn post_form(
    browser: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let response = browser.post(app.url(path)).form(form).send().await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

api_test!(
    an_agent_merges_from_the_page_after_a_confirmation_naming_both_tickets,
    async |app: &TestApp| {
        let w = world(app).await;
        let dup = file(
            app,
            &w.filer2,
            inquiry("ECL-A", "重複した問い合わせ", "tenant-001"),
        )
        .await;
        let survivor = file(
            app,
            &w.filer,
            inquiry("ECL-A", "元の問い合わせ", "tenant-001"),
        )
        .await;
        let (browser, csrf) = app.log_in("agent@support.example").await;

        let (_, ticket) = page(&browser, app, &format!("/tickets/{dup}")).await;
        assert!(
            ticket.contains("id=\"merge-panel\""),
            "the agent's page offers the merge"
        );
        assert!(ticket.contains(&format!("action=\"/tickets/{dup}/merge\"")));

        let (status, again) =
            page(&browser, app, &format!("/tickets/{dup}/merge?into={dup}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            again.contains("role=\"alert\"")
                && again.contains("このチケット自身には統合できません")
        );
        assert!(
            again.contains(&format!("value=\"{dup}\"")),
            "what was typed is kept"
        );

        let (status, confirm) = page(
            &browser,
            app,
            &format!("/tickets/{dup}/merge?into={survivor}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        for words in [
            dup.as_str(),
            "重複した問い合わせ",
            survivor.as_str(),
            "元の問い合わせ",
            "統合する",
        ] {
            assert!(confirm.contains(words), "the confirmation names {words}");
        }
        assert_eq!(
            get(app, &w.agent, &dup).await.1["status"],
            "new",
            "asking writes nothing"
        );

        let (status, location, _) = post_form(
            &browser,
            app,
            &format!("/tickets/{dup}/merge"),
            &[("csrf", &csrf), ("into", &survivor)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, format!("/tickets/{dup}?done=merged"));
        let (_, merged) = page(&browser, app, &location).await;
        assert!(merged.contains("チケットを統合しました。"));
        assert!(
            merged.contains("このチケットは <a href=\"/tickets/"),
            "{merged}"
        );
        assert!(merged.contains(&format!(
            "id=\"merged-into-link\">{survivor}</a> に統合されました。"
        )));
        assert!(
            !merged.contains("id=\"merge-panel\""),
            "a merged ticket merges no more"
        );

        // The duplicate's customer sees the banner instead of a reply box; a reply from an
        // old tab is refused with the text kept.
        let (customer, csrf) = app.log_in("filer2@org.example").await;
        let (_, theirs) = page(&customer, app, &format!("/tickets/{dup}")).await;
        assert!(theirs.contains(&format!(
            "href=\"/tickets/{survivor}\" id=\"merged-into-link\""
        )));
        assert!(!theirs.contains("id=\"reply-form\""));
        assert!(!theirs.contains("id=\"merge-panel\""));
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("body", "まだ直りません。");
        let response = customer
            .post(app.url(&format!("/tickets/{dup}/messages")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = response.text().await.unwrap();
        assert!(
            refused.contains(&format!("このチケットは {survivor} に統合されたため")),
            "{refused}"
        );
        assert!(refused.contains("まだ直りません。"), "the text is kept");
        // Customers have no merge page.
        let (status, _) = page(
            &customer,
            app,
            &format!("/tickets/{dup}/merge?into={survivor}"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

api_test!(
    the_callback_panel_lists_calls_and_keeps_a_failed_form,
    async |app: &TestApp| {
        let w = world(app).await;
        let key = file(app, &w.filer, callback_request("折り返し希望")).await;
        let (browser, csrf) = app.log_in("agent@support.example").await;
        let (_, ticket) = page(&browser, app, &format!("/tickets/{key}")).await;
        assert!(ticket.contains("id=\"callback-panel\""));
        for words in [
            "03-1234-5678",
            "佐藤",
            "平日 10:00-12:00",
            "初回連絡の期限",
            "まだ連絡の記録はありません。",
        ] {
            assert!(ticket.contains(words), "the panel shows {words}");
        }
        assert!(ticket.contains("type=\"datetime-local\" name=\"next_at\""));

        // Rescheduled without a time: the form comes back with the error and what was typed.
        let (status, _, failed) = post_form(
            &browser,
            app,
            &format!("/tickets/{key}/callback-attempts"),
            &[
                ("csrf", &csrf),
                ("outcome", "rescheduled"),
                ("note", "夕方希望とのこと"),
                ("next_at", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(failed.contains("id=\"callback-errors\"") && failed.contains("role=\"alert\""));
        assert!(failed.contains("data-field=\"next_at\""));
        assert!(failed.contains("<option value=\"rescheduled\" selected>"));
        assert!(failed.contains("夕方希望とのこと</textarea>"));

        let (status, location, _) = post_form(
            &browser,
            app,
            &format!("/tickets/{key}/callback-attempts"),
            &[
                ("csrf", &csrf),
                ("outcome", "rescheduled"),
                ("note", "夕方希望とのこと"),
                ("next_at", "2099-01-05T17:30"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, after) = page(&browser, app, &location).await;
        assert!(after.contains("連絡を記録しました。"));
        assert!(
            after.contains("再調整")
                && after.contains("2099-01-05 17:30")
                && after.contains("夕方希望とのこと")
        );
        assert!(after.contains("Agent agent@support.example"));

        // The customer's page has no panel.
        let (customer, _) = app.log_in("filer@org.example").await;
        let (_, theirs) = page(&customer, app, &format!("/tickets/{key}")).await;
        assert!(!theirs.contains("id=\"callback-panel\""));
        assert!(
            !theirs.contains("夕方希望とのこと"),
            "the desk's notes stay with the desk"
        );
        let (status, _, _) = post_form(
            &customer,
            app,
            &format!("/tickets/{key}/callback-attempts"),
            &[("csrf", &hidden(&theirs, "csrf")), ("outcome", "reached")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

api_test!(
    the_filer_rates_on_the_page_and_the_agent_reads_it,
    async |app: &TestApp| {
        let w = world(app).await;
        let mut body = inquiry("ECL-A", "評価のテスト", "tenant-001");
        body["participants"] = json!([w.colleague_id]);
        let key = file(app, &w.filer, body).await;
        let (browser, csrf) = app.log_in("filer@org.example").await;
        let (_, open) = page(&browser, app, &format!("/tickets/{key}")).await;
        assert!(
            !open.contains("id=\"satisfaction-panel\""),
            "an open ticket asks nothing"
        );
        close(app, &w.filer, &key).await;

        let (_, closed) = page(&browser, app, &format!("/tickets/{key}")).await;
        assert!(closed.contains("<legend>このお問い合わせへの対応はいかがでしたか?"));
        for (n, words) in [
            ("1", "とても不満"),
            ("3", "どちらともいえない"),
            ("5", "とても満足"),
        ] {
            assert!(closed.contains(&format!(
                "type=\"radio\" name=\"rating\" id=\"rating-{n}\" value=\"{n}\""
            )));
            assert!(closed.contains(words));
        }

        let path = format!("/tickets/{key}/satisfaction");
        let (status, _, failed) = post_form(
            &browser,
            app,
            &path,
            &[("csrf", &csrf), ("comment", "早かったです")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(failed.contains("id=\"rating-errors\"") && failed.contains("選択してください。"));
        assert!(
            failed.contains("早かったです</textarea>"),
            "the comment is kept"
        );

        let (status, location, _) = post_form(
            &browser,
            app,
            &path,
            &[
                ("csrf", &csrf),
                ("rating", "5"),
                ("comment", "早かったです"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, thanked) = page(&browser, app, &location).await;
        assert!(thanked.contains("ご評価いただき、ありがとうございました。"));
        assert!(thanked.contains("5 / 5 とても満足"));
        assert!(!thanked.contains("id=\"rating-form\""), "asked once");
        let (status, _, again) =
            post_form(&browser, app, &path, &[("csrf", &csrf), ("rating", "1")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(again.contains("すでに評価済み"));

        let (agent, _) = app.log_in("agent@support.example").await;
        let (_, theirs) = page(&agent, app, &format!("/tickets/{key}")).await;
        assert!(
            theirs.contains("お客さまの評価")
                && theirs.contains("5 / 5 とても満足")
                && theirs.contains("早かったです")
        );
        assert!(!theirs.contains("id=\"rating-form\""));
        let (colleague, _) = app.log_in("colleague@org.example").await;
        let (_, participant) = page(&colleague, app, &format!("/tickets/{key}")).await;
        assert!(
            !participant.contains("id=\"satisfaction-panel\""),
            "the rating is the filer's word to support"
        );
    }
);
