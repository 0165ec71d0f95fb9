//! Search (issue 14), the rest of it: a ticket key typed in a search box opens that ticket when
//! the caller may see it and finds nothing otherwise; a queue searched with words shows where
//! they matched and ranks its tickets by relevance.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::TestApp;
use crate::search::{file, keys, page, search, world};

/// `GET /api/v1/queues/{desk}` with these parameters.
async fn queue(app: &TestApp, token: &str, desk: &str, params: &[(&str, &str)]) -> Value {
    let path = format!(
        "/api/v1/queues/{desk}?{}",
        serde_urlencoded::to_string(params).unwrap()
    );
    let (status, body) = app.as_user(token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

fn encoded(q: &str) -> String {
    serde_urlencoded::to_string([("q", q)]).unwrap()
}

api_test!(
    a_ticket_key_in_the_search_box_opens_a_ticket_the_caller_may_see,
    async |app: &TestApp| {
        let w = world(app).await;
        let mine = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "DNS のレコードが反映されない",
            "昨日追加したレコードが引けません。",
        )
        .await;
        let other_contract = file(
            app,
            &w.filer,
            "ECL-A2",
            "general_inquiry",
            "データセンターの入館申請",
            "入館者の一覧です。",
        )
        .await;
        let other_org = file(
            app,
            &w.other,
            "ECL-B1",
            "general_inquiry",
            "ベータ商事の回線増速",
            "帯域を増やしたい。",
        )
        .await;
        let premium = file(
            app,
            &w.filer,
            "ECL-A1",
            "premium_general_inquiry",
            "特別窓口への相談ごと",
            "移行計画の相談です。",
        )
        .await;

        // The customer's list: the key, in any case and with spaces around, opens the ticket.
        let typed = format!("  {}  ", mine.to_lowercase());
        let path = format!("/tickets?{}", encoded(&typed));
        let (status, _, location) = page(app, "jiro@alpha.example", &path).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            location.as_deref(),
            Some(format!("/tickets/{mine}").as_str())
        );
        // A key of another contract's or organization's ticket is an ordinary search that
        // finds nothing: no redirect, no row, no summary.
        for (key, summary) in [(&other_contract, "入館申請"), (&other_org, "回線増速")] {
            let path = format!("/tickets?{}", encoded(key));
            let (status, html, location) = page(app, "jiro@alpha.example", &path).await;
            assert_eq!(status, StatusCode::OK, "{key}");
            assert_eq!(location, None);
            assert!(!html.contains(&format!("/tickets/{key}")), "{html}");
            assert!(!html.contains(summary), "{html}");
        }
        // The API keeps the list's shape: the ticket first, and nothing for a key not theirs.
        let found = search(app, &w.viewer, &typed).await;
        assert_eq!(keys(&found).first(), Some(&mine), "{found}");
        for key in [&other_contract, &other_org] {
            let found = search(app, &w.viewer, key).await;
            assert_eq!(found["total"], 0, "{found}");
            assert_eq!(keys(&found), Vec::<String>::new());
        }

        // The agent's queue and list open a ticket of their desk the same way.
        for path in [
            format!("/queues/general?{}", encoded(&typed)),
            format!("/tickets?{}", encoded(&mine)),
        ] {
            let (status, _, location) = page(app, "agent@madoguchi.test", &path).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(
                location.as_deref(),
                Some(format!("/tickets/{mine}").as_str())
            );
        }
        // Another desk's ticket: the queue searches and finds nothing.
        let path = format!("/queues/general?{}", encoded(&premium));
        let (status, html, location) = page(app, "agent@madoguchi.test", &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(location, None);
        assert!(!html.contains(&format!("row-{premium}")), "{html}");
        assert!(!html.contains("特別窓口への相談ごと"), "{html}");
        // The queue's API: the ticket as the first hit; another desk's key finds nothing.
        let found = queue(app, &w.agent, "general", &[("q", typed.as_str())]).await;
        assert_eq!(keys(&found).first(), Some(&mine), "{found}");
        let found = queue(app, &w.agent, "general", &[("q", premium.as_str())]).await;
        assert_eq!(keys(&found), Vec::<String>::new(), "{found}");
        let found = search(app, &w.agent, &premium).await;
        assert_eq!(found["total"], 0, "{found}");
    }
);

/// The pieces of a page marked as matched.
fn marked(html: &str) -> Vec<&str> {
    html.split("<mark>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</mark>").map(|(m, _)| m))
        .collect()
}

/// The HTML of the element whose id is `id`, up to the end of its line.
fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[start..];
    &rest[..rest.find('\n').unwrap_or(rest.len())]
}

api_test!(
    a_queue_searched_with_words_shows_snippets_and_ranks_the_best_match_first,
    async |app: &TestApp| {
        let w = world(app).await;
        // Filed first, so first by age: the words only in its details.
        let billing = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "請求書について",
            "ロードバランサーの料金の内訳が知りたい。",
        )
        .await;
        let health = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "ロードバランサーのヘルスチェックが失敗する",
            "ロードバランサー配下の web-01 が切り離されます。",
        )
        .await;
        let unrelated = file(
            app,
            &w.filer,
            "ECL-A1",
            "general_inquiry",
            "DNS の設定",
            "レコードを追加したい。",
        )
        .await;
        let note =
            json!({ "body": "社内メモ: ロードバランサーの既知の不具合に該当", "internal": true });
        let (status, _) = app
            .as_user(
                &w.agent,
                Method::POST,
                &format!("/api/v1/tickets/{unrelated}/messages"),
                Some(note),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);

        // The API: relevance is the default with words, and may be asked for.
        let words = "ロードバランサー";
        let by_default = queue(app, &w.agent, "general", &[("q", words)]).await;
        let ranked = queue(
            app,
            &w.agent,
            "general",
            &[("q", words), ("sort", "relevance")],
        )
        .await;
        assert_eq!(keys(&by_default), keys(&ranked));
        assert_eq!(
            keys(&ranked)[0],
            health,
            "in its summary and details: {ranked}"
        );
        assert_eq!(
            keys(&ranked).len(),
            3,
            "the note matches for agents: {ranked}"
        );
        assert!(keys(&ranked).contains(&billing) && keys(&ranked).contains(&unrelated));
        let oldest = queue(
            app,
            &w.agent,
            "general",
            &[("q", words), ("sort", "oldest")],
        )
        .await;
        assert_eq!(
            keys(&oldest),
            [billing.clone(), health.clone(), unrelated.clone()]
        );

        // Paging keeps the ranking.
        let first = queue(
            app,
            &w.agent,
            "general",
            &[("q", words), ("sort", "relevance"), ("limit", "1")],
        )
        .await;
        assert_eq!(keys(&first), vec![health.clone()]);
        let cursor = first["next_cursor"]
            .as_str()
            .expect("a next page")
            .to_owned();
        let rest = queue(
            app,
            &w.agent,
            "general",
            &[
                ("q", words),
                ("sort", "relevance"),
                ("limit", "2"),
                ("cursor", &cursor),
            ],
        )
        .await;
        assert_eq!(keys(&rest), keys(&ranked)[1..].to_vec(), "{rest}");
        // Without words, relevance has nothing to rank by: oldest first.
        let plain = queue(app, &w.agent, "general", &[("sort", "relevance")]).await;
        assert_eq!(
            keys(&plain),
            [billing.clone(), health.clone(), unrelated.clone()]
        );

        // The queue's page: rows in the same order, each with where the words matched.
        let path = format!("/queues/general?{}", encoded(words));
        let (status, html, _) = page(app, "agent@madoguchi.test", &path).await;
        assert_eq!(status, StatusCode::OK);
        let at = |key: &str| html.find(&format!("id=\"row-{key}\"")).unwrap();
        assert!(
            at(&health) < at(&billing) && at(&health) < at(&unrelated),
            "{html}"
        );
        assert!(
            html.contains("<option value=\"relevance\" selected>"),
            "{html}"
        );
        let snippet = element(&html, &format!("snippet-{billing}"));
        assert!(snippet.contains("詳細"), "{snippet}");
        assert!(snippet.contains("料金の内訳"), "{snippet}");
        assert!(
            marked(snippet)
                .iter()
                .any(|m| m.contains("ロードバランサー")),
            "{snippet}"
        );
        let snippet = element(&html, &format!("snippet-{unrelated}"));
        assert!(snippet.contains("社内メモ"), "{snippet}");
        assert!(
            marked(snippet)
                .iter()
                .any(|m| m.contains("ロードバランサー")),
            "{snippet}"
        );
        // Sorted by age on request, from the sort control.
        let path = format!("/queues/general?{}&sort=oldest", encoded(words));
        let (_, html, _) = page(app, "agent@madoguchi.test", &path).await;
        let at = |key: &str| html.find(&format!("id=\"row-{key}\"")).unwrap();
        assert!(at(&billing) < at(&health) && at(&health) < at(&unrelated));
        assert!(html.contains("id=\"snippet-"), "snippets in any order");
        // Without words, no snippets.
        let (_, html, _) = page(app, "agent@madoguchi.test", "/queues/general").await;
        assert!(!html.contains("id=\"snippet-"));
        assert!(marked(&html).is_empty());
    }
);
