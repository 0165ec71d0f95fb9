//! Every access rule checked for the people it must keep out (SPEC §1), on content, not only
//! on a status: the list, the ticket, the counts, search, attachments, history and queues, for
//! a same-organization user without permission, a user of another contract of the same
//! organization, a view-only user, another organization's user and an agent of the other desk.
//! Visibility follows the live permission: a revoked participant sees nothing at once.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{TestApp, error_fields, read};

/// The word every ticket here carries, so that search has something to find.
const WORD: &str = "Quokka";

struct World {
    /// The customer admin of Org, who grants and revokes.
    customer_admin: String,
    /// edit on ECL-1
    filer: String,
    /// view on ECL-1
    viewer: String,
    /// view on ECL-1, named as a participant
    participant: String,
    participant_id: String,
    /// Org, no permission at all
    no_permission: String,
    /// Org, edit on ECL-2 only (another contract of the same organization)
    other_contract: String,
    /// Other Org, edit on their own contract ECL-X, with a ticket of their own
    stranger: String,
    /// general desk
    agent: String,
    /// premium desk only
    premium_agent: String,
    /// SD-… on ECL-1, general desk
    key: String,
    /// the stranger's own ticket
    stranger_key: String,
    /// the file attached at filing
    public_file: String,
    /// the file of the agent's internal note
    note_file: String,
}

async fn grant(app: &TestApp, user: &str, contract: &str, level: &str) {
    let body = json!({ "user_id": user, "contract_number": contract, "level": level });
    let (status, p) = app
        .admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
}

async fn agent(app: &TestApp, email: &str, desk: &str) -> String {
    let body = json!({ "email": email, "name": email, "role": "agent", "desks": [desk] });
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

/// Uploads `bytes` as `name`; answers the status and the answer.
pub async fn upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str("text/plain")
        .unwrap();
    let response = app
        .client
        .post(app.url("/api/v1/attachments"))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    read(response).await
}

async fn uploaded(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> String {
    let (status, a) = upload(app, token, name, bytes).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    a["id"].as_str().unwrap().to_owned()
}

fn inquiry(contract: &str, tenant: &str, summary: &str) -> Value {
    json!({
        "contract_number": contract, "ticket_type": "general_inquiry", "summary": summary,
        "service_menu": "virtual_server", "tenant_id": tenant, "details": "手順を教えてください。",
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

async fn world(app: &TestApp) -> World {
    let (org, _) = app.customer_org("Org", "ECL-1", "basic").await;
    let body = json!({
        "organization_id": org, "contract_number": "ECL-2", "product_line": "Data Center",
        "contracting_corporation": "Example Communications Corp.", "plan": "basic", "channel": "direct",
    });
    let (status, c) = app
        .admin(Method::POST, "/api/v1/admin/contracts", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let (status, t) = app
        .admin(
            Method::POST,
            "/api/v1/admin/tenants",
            Some(json!({ "organization_id": org, "tenant_id": "tenant-001" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let (_, customer_admin) = app
        .user("ca@org.example", "customer_admin", Some(&org))
        .await;
    let (filer_id, filer) = app.user("filer@org.example", "customer", Some(&org)).await;
    grant(app, &filer_id, "ECL-1", "edit").await;
    let (viewer_id, viewer) = app.user("viewer@org.example", "customer", Some(&org)).await;
    grant(app, &viewer_id, "ECL-1", "view").await;
    let (participant_id, participant) = app
        .user("participant@org.example", "customer", Some(&org))
        .await;
    grant(app, &participant_id, "ECL-1", "view").await;
    let (_, no_permission) = app.user("none@org.example", "customer", Some(&org)).await;
    let (other_id, other_contract) = app.user("ecl2@org.example", "customer", Some(&org)).await;
    grant(app, &other_id, "ECL-2", "edit").await;

    let (other_org, _) = app.customer_org("Other", "ECL-X", "basic").await;
    let (status, t) = app
        .admin(
            Method::POST,
            "/api/v1/admin/tenants",
            Some(json!({ "organization_id": other_org, "tenant_id": "tenant-x" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let (stranger_id, stranger) = app
        .user("stranger@other.example", "customer", Some(&other_org))
        .await;
    grant(app, &stranger_id, "ECL-X", "edit").await;

    let agent_token = agent(app, "agent@support.example", "general").await;
    let premium_agent = agent(app, "premium@support.example", "premium").await;

    // The ticket: a file at filing, a participant, a public reply, an internal note with a file.
    let public_id = uploaded(app, &filer, "shared.log", b"PUBLIC LOG\n").await;
    let mut body = inquiry("ECL-1", "tenant-001", &format!("{WORD} の見積もり"));
    body["participants"] = json!([participant_id]);
    body["attachments"] = json!([public_id]);
    let ticket = file(app, &filer, body).await;
    let key = ticket["key"].as_str().unwrap().to_owned();
    let public_file = ticket["attachments"][0]["url"].as_str().unwrap().to_owned();
    let (status, r) = app
        .as_user(
            &agent_token,
            Method::POST,
            &format!("/api/v1/tickets/{key}/messages"),
            Some(json!({ "body": "お見積もりを確認します。" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let note_id = uploaded(app, &agent_token, "secret.log", b"INTERNAL ONLY\n").await;
    let (status, note) = app
        .as_user(
            &agent_token,
            Method::POST,
            &format!("/api/v1/tickets/{key}/messages"),
            Some(
                json!({ "body": "社内: Wombat 案件", "internal": true, "attachments": [note_id] }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    let note_file = note["attachments"][0]["url"].as_str().unwrap().to_owned();
    let stranger_ticket = file(
        app,
        &stranger,
        inquiry("ECL-X", "tenant-x", &format!("{WORD} の別件")),
    )
    .await;
    World {
        customer_admin,
        filer,
        viewer,
        participant,
        participant_id,
        no_permission,
        other_contract,
        stranger,
        agent: agent_token,
        premium_agent,
        key,
        stranger_key: stranger_ticket["key"].as_str().unwrap().to_owned(),
        public_file,
        note_file,
    }
}

fn keys(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {list}"))
        .iter()
        .map(|t| t["key"].as_str().unwrap().to_owned())
        .collect()
}

/// The sum of a list's counts per status.
fn counted(list: &Value) -> i64 {
    list["counts"]
        .as_object()
        .map(|c| c.values().map(|n| n.as_i64().unwrap()).sum())
        .unwrap_or(0)
}

/// What `who` sees of `key` on every surface a customer or an agent reads it on: the list (its
/// items, total and counts), the ticket, search, its file and its history. Answers whether
/// they see it, after checking that every surface agrees.
async fn sees(app: &TestApp, who: &str, token: &str, w: &World) -> bool {
    let key = w.key.as_str();
    let (status, list) = app
        .as_user(token, Method::GET, "/api/v1/tickets", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{who}: {list}");
    let listed = keys(&list).contains(&w.key);
    assert_eq!(list["total"], keys(&list).len(), "{who}: total: {list}");
    assert_eq!(
        counted(&list),
        keys(&list).len() as i64,
        "{who}: counts: {list}"
    );

    let (status, ticket) = app
        .as_user(token, Method::GET, &format!("/api/v1/tickets/{key}"), None)
        .await;
    let opened = status == StatusCode::OK;
    if opened {
        assert_eq!(ticket["summary"], format!("{WORD} の見積もり"), "{who}");
    } else {
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{who}: 404, never 403: {ticket}"
        );
        assert!(!ticket.to_string().contains(WORD), "{who}: {ticket}");
    }

    let (status, found) = app
        .as_user(
            token,
            Method::GET,
            &format!("/api/v1/tickets?q={WORD}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{who}: {found}");
    let searched = keys(&found).contains(&w.key);
    assert_eq!(
        found["total"],
        keys(&found).len(),
        "{who}: search total: {found}"
    );
    assert_eq!(
        counted(&found),
        keys(&found).len() as i64,
        "{who}: search counts"
    );

    let response = app
        .call(Method::GET, &w.public_file, Some(token), None)
        .await;
    let downloaded = response.status() == StatusCode::OK;
    let bytes = response.bytes().await.unwrap();
    if downloaded {
        assert_eq!(bytes.as_ref(), b"PUBLIC LOG\n", "{who}");
    } else {
        assert!(!bytes.windows(6).any(|b| b == b"PUBLIC"), "{who}");
    }

    let (status, history) = app
        .as_user(
            token,
            Method::GET,
            &format!("/api/v1/tickets/{key}/history"),
            None,
        )
        .await;
    let historied = status == StatusCode::OK;
    if historied {
        assert!(
            history["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["kind"] == "ticket.created"),
            "{who}: {history}"
        );
    } else {
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}: {history}");
    }

    assert_eq!(
        [listed, opened, searched, downloaded, historied],
        [listed; 5],
        "{who}: list, ticket, search, file and history disagree"
    );
    listed
}

/// The general desk's queue as `token` reads it: its keys, or `None` when it is not theirs.
async fn queue(app: &TestApp, token: &str) -> Option<Vec<String>> {
    let (status, page) = app
        .as_user(token, Method::GET, "/api/v1/queues/general", None)
        .await;
    match status {
        StatusCode::OK => Some(keys(&page)),
        StatusCode::NOT_FOUND => {
            assert!(!page.to_string().contains(WORD), "{page}");
            None
        }
        other => panic!("{other}: {page}"),
    }
}

api_test!(access_matrix, async |app: &TestApp| {
    let w = world(app).await;
    for (who, token, expected) in [
        ("the filer (edit)", &w.filer, true),
        ("a view-only user", &w.viewer, true),
        ("a participant with view", &w.participant, true),
        ("the general desk's agent", &w.agent, true),
        (
            "a same-organization user without permission",
            &w.no_permission,
            false,
        ),
        (
            "a user of another contract of the organization",
            &w.other_contract,
            false,
        ),
        ("another organization's user", &w.stranger, false),
        ("an agent of the other desk", &w.premium_agent, false),
        (
            "the customer admin without permission",
            &w.customer_admin,
            false,
        ),
    ] {
        assert_eq!(sees(app, who, token, &w).await, expected, "{who}");
    }

    // Those kept out see nothing at all, not a count: the stranger only their own ticket.
    for token in [&w.no_permission, &w.other_contract, &w.premium_agent] {
        let (_, list) = app
            .as_user(token, Method::GET, "/api/v1/tickets", None)
            .await;
        assert_eq!(list["total"], 0, "{list}");
        assert_eq!(list["counts"], json!({}), "{list}");
    }
    let (_, list) = app
        .as_user(
            &w.stranger,
            Method::GET,
            &format!("/api/v1/tickets?q={WORD}"),
            None,
        )
        .await;
    assert_eq!(keys(&list), [w.stranger_key.as_str()], "{list}");
    assert_eq!(list["counts"], json!({ "new": 1 }));
    // Those who see it count it.
    let (_, list) = app
        .as_user(&w.viewer, Method::GET, "/api/v1/tickets", None)
        .await;
    assert_eq!(list["counts"], json!({ "in_progress": 1 }), "{list}");

    // The pages say the same as the API: the ticket's page is the not-found page, the list
    // and the search box show nothing of it.
    for email in [
        "none@org.example",
        "ecl2@org.example",
        "stranger@other.example",
    ] {
        let (browser, _) = app.log_in(email).await;
        let page = browser
            .get(app.url(&format!("/tickets/{}", w.key)))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{email}");
        assert!(!page.text().await.unwrap().contains(WORD), "{email}");
        for path in ["/tickets".to_owned(), format!("/tickets?q={WORD}")] {
            let html = browser
                .get(app.url(&path))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(!html.contains(&w.key), "{email} {path}: {html}");
            assert!(!html.contains("の見積もり"), "{email} {path}");
        }
        let download = browser
            .get(app.url(&w.public_file.replace("/api/v1", "")))
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), StatusCode::NOT_FOUND, "{email}");
    }
    let (browser, _) = app.log_in("viewer@org.example").await;
    let html = browser
        .get(app.url(&format!("/tickets/{}", w.key)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("の見積もり") && html.contains("shared.log"),
        "{html}"
    );
    assert!(!html.contains("secret.log") && !html.contains("Wombat"));

    // Queues: the desk's agent finds it there; the other desk's agent and customers have no
    // such queue.
    let desk_queue = queue(app, &w.agent)
        .await
        .expect("the general desk's queue");
    assert!(desk_queue.contains(&w.key), "{desk_queue:?}");
    for token in [
        &w.premium_agent,
        &w.filer,
        &w.viewer,
        &w.no_permission,
        &w.stranger,
    ] {
        assert_eq!(queue(app, token).await, None);
    }
    let (_, queues) = app
        .as_user(&w.premium_agent, Method::GET, "/api/v1/queues", None)
        .await;
    let desks: Vec<_> = queues["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["desk"].as_str().unwrap())
        .collect();
    assert_eq!(desks, ["premium"], "{queues}");

    // A view-only user and a participant read along but may not reply or close.
    for token in [&w.viewer, &w.participant] {
        for (path, body) in [
            (
                format!("/api/v1/tickets/{}/messages", w.key),
                Some(json!({ "body": "x" })),
            ),
            (format!("/api/v1/tickets/{}/close", w.key), None),
        ] {
            let (status, problem) = app.as_user(token, Method::POST, &path, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {problem}");
            assert!(
                problem["detail"].as_str().unwrap().contains("\"edit\""),
                "the refusal names what is missing: {problem}"
            );
        }
    }
    let (_, ticket) = app
        .as_user(
            &w.agent,
            Method::GET,
            &format!("/api/v1/tickets/{}", w.key),
            None,
        )
        .await;
    let bodies: Vec<_> = ticket["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "reply")
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["お見積もりを確認します。"],
        "refused replies wrote nothing"
    );
});

api_test!(
    internal_notes_and_their_files_never_reach_customers,
    async |app: &TestApp| {
        let w = world(app).await;
        for (who, token) in [
            ("filer", &w.filer),
            ("viewer", &w.viewer),
            ("participant", &w.participant),
        ] {
            let response = app.call(Method::GET, &w.note_file, Some(token), None).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{who}");
            let bytes = response.bytes().await.unwrap();
            assert!(!bytes.windows(8).any(|b| b == b"INTERNAL"), "{who}");
            let (_, ticket) = app
                .as_user(
                    token,
                    Method::GET,
                    &format!("/api/v1/tickets/{}", w.key),
                    None,
                )
                .await;
            let text = ticket.to_string();
            assert!(
                !text.contains("Wombat") && !text.contains("secret.log") && !text.contains("社内"),
                "{who}: {text}"
            );
            let kinds: Vec<_> = ticket["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["kind"].as_str().unwrap())
                .collect();
            assert!(!kinds.contains(&"note"), "{who}: {kinds:?}");
            let (_, found) = app
                .as_user(token, Method::GET, "/api/v1/tickets?q=Wombat", None)
                .await;
            assert_eq!(
                found["total"], 0,
                "{who}: a note's words find nothing: {found}"
            );
        }
        // The desk reads the note and downloads its file.
        let response = app
            .call(Method::GET, &w.note_file, Some(&w.agent), None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.bytes().await.unwrap().as_ref(), b"INTERNAL ONLY\n");
        let (_, found) = app
            .as_user(&w.agent, Method::GET, "/api/v1/tickets?q=Wombat", None)
            .await;
        assert_eq!(keys(&found), [w.key.as_str()], "{found}");
    }
);

api_test!(
    an_upload_not_yet_attached_is_its_uploaders_alone,
    async |app: &TestApp| {
        let w = world(app).await;
        let (status, a) = upload(app, &w.filer, "draft.log", b"NOT YET FILED\n").await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        let url = format!("/api/v1/attachments/{}", a["id"].as_str().unwrap());
        for (who, token) in [
            ("a view-only colleague", &w.viewer),
            ("a participant", &w.participant),
            ("the customer admin", &w.customer_admin),
            ("another organization's user", &w.stranger),
            ("an agent", &w.agent),
        ] {
            let response = app.call(Method::GET, &url, Some(token), None).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{who}");
            let bytes = response.bytes().await.unwrap();
            assert!(!bytes.windows(6).any(|b| b == b"NOT YE"), "{who}");
        }
        let response = app.call(Method::GET, &url, Some(&w.filer), None).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.bytes().await.unwrap().as_ref(), b"NOT YET FILED\n");
        // Nor may anyone else attach it.
        let mut body = inquiry("ECL-2", "tenant-001", "他人の添付");
        body["attachments"] = json!([a["id"]]);
        let (status, problem) = app
            .as_user(
                &w.other_contract,
                Method::POST,
                "/api/v1/tickets",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["attachments"]);
    }
);

api_test!(
    a_revoked_participant_stops_seeing_at_once,
    async |app: &TestApp| {
        let w = world(app).await;
        assert!(sees(app, "participant", &w.participant, &w).await);

        // The customer admin revokes the participant's permission: every surface forgets the
        // ticket at once, though they are still named on it.
        let body = json!({ "user_id": w.participant_id, "contract_number": "ECL-1" });
        let (status, p) = app
            .as_user(
                &w.customer_admin,
                Method::DELETE,
                "/api/v1/admin/permissions",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{p}");
        assert!(!sees(app, "revoked participant", &w.participant, &w).await);
        let (_, list) = app
            .as_user(&w.participant, Method::GET, "/api/v1/tickets", None)
            .await;
        assert_eq!(list["counts"], json!({}), "not even a count: {list}");
        let (_, ticket) = app
            .as_user(
                &w.filer,
                Method::GET,
                &format!("/api/v1/tickets/{}", w.key),
                None,
            )
            .await;
        assert_eq!(
            ticket["participants"][0]["email"], "participant@org.example",
            "still named on the ticket: {ticket}"
        );

        // On the pages too.
        let (browser, _) = app.log_in("participant@org.example").await;
        let page = browser
            .get(app.url(&format!("/tickets/{}", w.key)))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        assert!(!page.text().await.unwrap().contains(WORD));
        let list = browser
            .get(app.url("/tickets"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!list.contains(&w.key) && !list.contains(WORD), "{list}");
        let found = browser
            .get(app.url(&format!("/tickets?q={}", w.key)))
            .send()
            .await
            .unwrap();
        assert!(
            !found.status().is_redirection(),
            "a key they may not see opens nothing"
        );
        assert!(!found.text().await.unwrap().contains(WORD));

        // Granted again, seen again: sight follows the permission both ways.
        let body =
            json!({ "user_id": w.participant_id, "contract_number": "ECL-1", "level": "view" });
        let (status, p) = app
            .as_user(
                &w.customer_admin,
                Method::PUT,
                "/api/v1/admin/permissions",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert!(sees(app, "participant granted again", &w.participant, &w).await);

        // The filer too: having filed it gives no sight of it without the permission.
        let (_, me) = app.as_user(&w.filer, Method::GET, "/api/v1/me", None).await;
        let body = json!({ "user_id": me["id"], "contract_number": "ECL-1" });
        let (status, _) = app
            .as_user(
                &w.customer_admin,
                Method::DELETE,
                "/api/v1/admin/permissions",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert!(!sees(app, "revoked filer", &w.filer, &w).await);
    }
);

api_test!(
    participants_are_picked_from_those_who_may_view,
    async |app: &TestApp| {
        let w = world(app).await;
        let (_, none) = app
            .as_user(&w.no_permission, Method::GET, "/api/v1/me", None)
            .await;
        let (_, other) = app
            .as_user(&w.other_contract, Method::GET, "/api/v1/me", None)
            .await;
        let mut body = inquiry("ECL-1", "tenant-001", "参加者の確認");
        body["participants"] = json!([none["id"], other["email"], "stranger@other.example"]);
        let (status, problem) = app
            .as_user(&w.filer, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(
            error_fields(&problem),
            ["participants[0]", "participants[1]", "participants[2]"]
        );
        let (_, list) = app
            .as_user(&w.filer, Method::GET, "/api/v1/tickets", None)
            .await;
        assert_eq!(list["total"], 1, "the refused filing wrote nothing: {list}");
        // Nobody refused gained sight of anything.
        for token in [&w.no_permission, &w.other_contract] {
            let (_, list) = app
                .as_user(token, Method::GET, "/api/v1/tickets", None)
                .await;
            assert_eq!(list["total"], 0, "{list}");
        }
    }
);
