//! The desk's report (`GET /api/v1/reports`, `/reports`): per desk and per agent over a
//! period, on a small data set whose figures are known.

use jiff::{SignedDuration, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::canned_replies::{agent, desk, file};
use crate::helpers::{TestApp, error_fields};

fn number(key: &str) -> i64 {
    key.trim_start_matches("SD-").parse().unwrap()
}

async fn reply(app: &TestApp, token: &str, key: &str, internal: bool) {
    let body = json!({ "body": "ご確認ください。", "internal": internal });
    let (status, m) = app
        .as_user(
            token,
            Method::POST,
            &format!("/api/v1/tickets/{key}/messages"),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
}

/// Filed two days ago; first public reply after `reply_min` minutes by whoever replied; due
/// an hour after filing unless `due_min` says otherwise.
async fn timeline(app: &TestApp, key: &str, filed: i64, reply_min: Option<i64>, due_min: i64) {
    let n = number(key);
    let min = 60_000_000;
    app.db
        .execute_sql(&format!(
            "UPDATE tickets SET created_at = {filed}, sla_first_response_due_at = {} WHERE number = {n}",
            filed + due_min * min
        ))
        .await;
    if let Some(r) = reply_min {
        app.db
            .execute_sql(&format!(
                "UPDATE messages SET created_at = {} WHERE ticket_id = (SELECT id FROM tickets WHERE number = {n})",
                filed + r * min
            ))
            .await;
        // The SLA record keeps when support first answered publicly (a note leaves it unset).
        app.db
            .execute_sql(&format!(
                "UPDATE tickets SET sla_first_responded_at = {} WHERE number = {n} AND sla_first_responded_at IS NOT NULL",
                filed + r * min
            ))
            .await;
    }
}

async fn assign(app: &TestApp, key: &str, user_id: &str) {
    app.db
        .execute_sql(&format!(
            "UPDATE tickets SET assignee_id = '{user_id}' WHERE number = {}",
            number(key)
        ))
        .await;
}

async fn close_and_rate(app: &TestApp, key: &str, at: i64, rating: i64, comment: &str) {
    app.db
        .execute_sql(&format!(
            "UPDATE tickets SET status = 'closed', closed_at = {at}, satisfaction_rating = {rating},
             satisfaction_comment = '{comment}', satisfaction_at = {at} WHERE number = {}",
            number(key)
        ))
        .await;
}

fn figures<'a>(report: &'a Value, list: &str, name_or_desk: &str) -> &'a Value {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["desk"] == name_or_desk || e["agent"]["name"] == name_or_desk)
        .map(|e| &e["figures"])
        .unwrap_or_else(|| panic!("no {name_or_desk} in {report}"))
}

api_test!(
    the_report_counts_each_desk_and_agent_over_the_period,
    async |app: &TestApp| {
        let d = desk(app).await;
        let (colleague_id, _) = {
            let (_, me) = app
                .as_user(&d.colleague, Method::GET, "/api/v1/me", None)
                .await;
            (me["id"].as_str().unwrap().to_owned(), ())
        };
        let now = Timestamp::now().as_microsecond();
        let filed = now - SignedDuration::from_hours(48).as_micros() as i64;
        let hour = 3_600_000_000;

        // T1: the agent answers in 30 min (due in 60): met; closed, rated 5.
        let t1 = d.general_ticket.clone();
        reply(app, &d.agent, &t1, false).await;
        timeline(app, &t1, filed, Some(30), 60).await;
        assign(app, &t1, &d.agent_id).await;
        close_and_rate(app, &t1, now - 2 * hour, 5, "丁寧でした").await;
        // T2: the colleague answers in 90 min: breached; closed, rated 2.
        let t2 = file(app, &d.filer, "ECL-C1", "general_inquiry").await;
        reply(app, &d.colleague, &t2, false).await;
        timeline(app, &t2, filed, Some(90), 60).await;
        assign(app, &t2, &colleague_id).await;
        close_and_rate(app, &t2, now - hour, 2, "回答が遅かった").await;
        // T3: only an internal note, due tomorrow: awaiting its first response.
        let t3 = file(app, &d.filer, "ECL-C1", "general_inquiry").await;
        reply(app, &d.agent, &t3, true).await;
        timeline(app, &t3, filed, Some(10), 72 * 60).await;
        // T5: answered in 10 min, but the breach job recorded a breach: the record counts.
        let t5 = file(app, &d.filer, "ECL-C1", "general_inquiry").await;
        reply(app, &d.agent, &t5, false).await;
        timeline(app, &t5, filed, Some(10), 60).await;
        assign(app, &t5, &d.agent_id).await;
        app.db
            .execute_sql(&format!(
                "INSERT INTO events (occurred_at, actor_id, kind, subject_id, organization_id, data)
                 VALUES ({now}, NULL, 'sla.breached', (SELECT id FROM tickets WHERE number = {}), NULL,
                 '{{\"key\": \"{t5}\", \"target\": \"first_response\"}}')",
                number(&t5)
            ))
            .await;
        // The premium desk's ticket, answered by its agent.
        reply(app, &d.premium, &d.premium_ticket, false).await;
        timeline(app, &d.premium_ticket, filed, Some(20), 30).await;

        let (status, report) = app
            .as_user(&d.agent, Method::GET, "/api/v1/reports", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        // The general agent sees their desk only: no premium figures, no premium agent.
        assert_eq!(report["desks"].as_array().unwrap().len(), 1, "{report}");
        let general = figures(&report, "desks", "general");
        assert_eq!(general["filed"], 4);
        assert_eq!(general["closed"], 2);
        let fr = &general["first_response"];
        assert_eq!(
            (
                fr["met"].as_i64(),
                fr["breached"].as_i64(),
                fr["open"].as_i64()
            ),
            (Some(1), Some(2), Some(1))
        );
        // Median of 10, 30 and 90 minutes; the internal note is no response.
        assert_eq!(fr["median_seconds"], 30 * 60);
        assert_eq!(fr["responded"], 3);
        let s = &general["satisfaction"];
        assert_eq!(s["count"], 2);
        assert_eq!(s["average"], 3.5);
        assert_eq!(s["distribution"], json!([0, 1, 0, 0, 1]));
        let comments: Vec<&str> = s["recent_comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["comment"].as_str().unwrap())
            .collect();
        assert_eq!(comments, ["回答が遅かった", "丁寧でした"], "newest first");

        let names: Vec<&str> = report["agents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["agent"]["name"].as_str().unwrap())
            .collect();
        assert!(!names.contains(&"特別 花子"), "{names:?}");
        let mine = figures(&report, "agents", "窓口 一般");
        assert_eq!(
            (mine["filed"].as_i64(), mine["closed"].as_i64()),
            (Some(2), Some(1))
        );
        assert_eq!(mine["first_response"]["met"], 1);
        assert_eq!(mine["first_response"]["breached"], 1);
        assert_eq!(mine["first_response"]["median_seconds"], 20 * 60);
        assert_eq!(mine["satisfaction"]["average"], 5.0);
        let theirs = figures(&report, "agents", "同僚 次郎");
        assert_eq!(theirs["first_response"]["breached"], 1);
        assert_eq!(theirs["first_response"]["median_seconds"], 90 * 60);
        assert_eq!(
            theirs["satisfaction"]["distribution"],
            json!([0, 1, 0, 0, 0])
        );

        // An admin sees both desks; the premium agent among the agents.
        let (_, all) = app.admin(Method::GET, "/api/v1/reports", None).await;
        let premium = figures(&all, "desks", "premium");
        assert_eq!(premium["filed"], 1);
        assert_eq!(premium["first_response"]["met"], 1);
        assert_eq!(
            figures(&all, "agents", "特別 花子")["first_response"]["median_seconds"],
            20 * 60
        );

        // A period before any of it counts nothing.
        let (_, old) = app
            .as_user(
                &d.agent,
                Method::GET,
                "/api/v1/reports?from=2020-01-01&to=2020-02-01",
                None,
            )
            .await;
        assert_eq!(figures(&old, "desks", "general")["filed"], 0);
        assert_eq!(old["period"]["from"], "2020-01-01");
        assert_eq!(
            old["period"]["starts_at"], "2019-12-31T15:00:00Z",
            "days in Asia/Tokyo"
        );

        // The page shows the same figures.
        let (browser, _) = app.log_in("ippan@support.example").await;
        let page = browser
            .get(app.url("/reports?desk=general"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        assert!(
            page.contains("回答が遅かった") && page.contains("30 分"),
            "{page}"
        );
        assert!(
            page.contains("data-label=\"初回応答 超過\">2</td>"),
            "{page}"
        );
    }
);

api_test!(
    the_report_refuses_bad_periods_and_other_desks,
    async |app: &TestApp| {
        let d = desk(app).await;
        for (query, field) in [
            ("from=2026-13-01", "from"),
            ("from=yesterday", "from"),
            ("to=2026/11/01", "to"),
            ("from=2026-11-10&to=2026-11-01", "to"),
            ("from=2026-11-10&to=2026-11-10", "to"),
            ("from=2024-01-01&to=2026-01-01", "to"),
            ("desk=gold", "desk"),
        ] {
            let (status, problem) = app
                .as_user(
                    &d.agent,
                    Method::GET,
                    &format!("/api/v1/reports?{query}"),
                    None,
                )
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{query}: {problem}"
            );
            assert_eq!(error_fields(&problem), [field], "{query}");
        }
        let (status, _) = app
            .as_user(&d.agent, Method::GET, "/api/v1/reports?desk=premium", None)
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "another desk's report is missing"
        );
        let (status, _) = app
            .as_user(&d.filer, Method::GET, "/api/v1/reports", None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "customers have no report");
        let (_, nobody) = agent(app, "nodesk@support.example", "無所属", &[]).await;
        let (status, empty) = app
            .as_user(&nobody, Method::GET, "/api/v1/reports", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(empty["desks"].as_array().unwrap().is_empty());

        // The page keeps the dates typed and says what is wrong beside them.
        let (browser, _) = app.log_in("ippan@support.example").await;
        let page = browser
            .get(app.url("/reports?from=2026-11-10&to=2026-11-01"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = page.text().await.unwrap();
        assert!(
            page.contains("data-field=\"to\"")
                && page.contains("終了日は開始日より後の日付にしてください。")
        );
        assert!(page.contains("value=\"2026-11-10\"") && page.contains("value=\"2026-11-01\""));
        let (customer, _) = app.log_in("filer@teikei.example").await;
        let page = customer.get(app.url("/reports")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
    }
);
