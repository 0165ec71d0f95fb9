//! SLA over HTTP (SPEC §6, §8): the admin's targets, calendar and settings, and the `sla` of
//! a ticket that agents see and customers never do.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{TestApp, error_fields};

/// A basic-plan organization with a filer, and an agent of the general desk (with a
/// password, for the pages); answers (filer token, agent id, agent token).
async fn desk(app: &TestApp) -> (String, String, String) {
    let (org, contract) = app.customer_org("株式会社サンプル", "ECL-B", "basic").await;
    let (_, tenant) = app
        .admin(
            Method::POST,
            "/api/v1/admin/tenants",
            Some(json!({ "organization_id": org, "tenant_id": "tenant-001" })),
        )
        .await;
    assert!(tenant["id"].is_string(), "{tenant}");
    let (filer_id, filer) = app.user("filer@sla.example", "customer", Some(&org)).await;
    let (status, p) = app
        .admin(
            Method::PUT,
            "/api/v1/admin/permissions",
            Some(json!({ "user_id": filer_id, "contract_number": contract, "level": "edit" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let (status, agent) = app
        .admin(
            Method::POST,
            "/api/v1/admin/users",
            Some(json!({
                "email": "agent@sla.example", "name": "Agent", "role": "agent", "desks": ["general"],
                "password": "correct horse battery",
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{agent}");
    let agent_id = agent["id"].as_str().unwrap().to_owned();
    let (_, token) = app
        .admin(
            Method::POST,
            &format!("/api/v1/admin/users/{agent_id}/tokens"),
            None,
        )
        .await;
    (filer, agent_id, token["token"].as_str().unwrap().to_owned())
}

async fn file_inquiry(app: &TestApp, filer: &str) -> String {
    let (status, ticket) = app
        .as_user(
            filer,
            Method::POST,
            "/api/v1/tickets",
            Some(json!({
                "contract_number": "ECL-B", "ticket_type": "general_inquiry", "summary": "スナップショットの取り方",
                "service_menu": "virtual_server", "tenant_id": "tenant-001", "details": "手順を教えてください。",
                "menu_fields": { "server_name": "web-01", "region": "JP1" },
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    ticket["key"].as_str().unwrap().to_owned()
}

async fn ticket(app: &TestApp, token: &str, key: &str) -> Value {
    let (status, t) = app
        .as_user(token, Method::GET, &format!("/api/v1/tickets/{key}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    t
}

fn instant(value: &Value) -> Timestamp {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a time, not {value}"))
        .parse()
        .unwrap()
}

api_test!(
    agents_see_the_sla_of_a_ticket_and_customers_never_do,
    async |app: &TestApp| {
        let (filer, _, agent) = desk(app).await;
        let key = file_inquiry(app, &filer).await;

        let seen = ticket(app, &agent, &key).await;
        let sla = &seen["sla"];
        assert_eq!(sla["state"], "on_track", "{seen}");
        assert_eq!(sla["breached"], json!([]));
        assert!(sla["next_update_due_at"].is_null());
        let due = instant(&sla["first_response_due_at"]);
        // Sixteen business hours: at least two working days away.
        assert!(due > instant(&seen["created_at"]) + jiff::SignedDuration::from_hours(16));

        // The customer's answer, single and in the list, has no trace of it.
        let theirs = ticket(app, &filer, &key).await;
        assert!(theirs.get("sla").is_none(), "{theirs}");
        let (_, list) = app
            .as_user(&filer, Method::GET, "/api/v1/tickets", None)
            .await;
        assert!(list["items"][0].get("sla").is_none(), "{list}");
        let (_, list) = app
            .as_user(&agent, Method::GET, "/api/v1/tickets", None)
            .await;
        assert_eq!(list["items"][0]["sla"]["state"], "on_track");

        // The agent's first public reply meets the first response; the update clock runs.
        let (status, _) = app
            .as_user(
                &agent,
                Method::POST,
                &format!("/api/v1/tickets/{key}/messages"),
                Some(json!({ "body": "手順をご案内します。" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let seen = ticket(app, &agent, &key).await;
        assert_eq!(seen["sla"]["state"], "on_track");
        assert!(seen["sla"]["next_update_due_at"].is_string(), "{seen}");
    }
);

api_test!(
    the_agent_page_shows_the_sla_in_the_agents_zone_and_the_customer_page_does_not,
    async |app: &TestApp| {
        let (filer, agent_id, agent) = desk(app).await;
        let (status, _) = app
            .admin(
                Method::PATCH,
                &format!("/api/v1/admin/users/{agent_id}"),
                Some(json!({ "time_zone": "Europe/Paris" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let key = file_inquiry(app, &filer).await;
        let due = instant(&ticket(app, &agent, &key).await["sla"]["first_response_due_at"]);

        let (browser, _) = app.log_in("agent@sla.example").await;
        let page = browser
            .get(app.url(&format!("/tickets/{key}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("id=\"sla-panel\""), "{page}");
        assert!(page.contains("data-sla-state=\"on_track\""));
        assert!(page.contains("期限内"));
        let in_paris = due
            .to_zoned(TimeZone::get("Europe/Paris").unwrap())
            .strftime("%Y-%m-%d %H:%M")
            .to_string();
        assert!(
            page.contains(&in_paris),
            "the due in Paris time, {in_paris}"
        );

        let (browser, _) = app.log_in("filer@sla.example").await;
        let page = browser
            .get(app.url(&format!("/tickets/{key}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(&key));
        assert!(!page.contains("sla-panel"));
        assert!(!page.contains("期限内"));
    }
);

api_test!(
    admins_edit_the_sla_targets_and_bad_ones_are_named,
    async |app: &TestApp| {
        let (status, list) = app
            .admin(Method::GET, "/api/v1/admin/sla-policies", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 6);
        let premium_incident = |list: &Value| {
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["plan"] == "premium" && p["kind"] == "incident")
                .cloned()
                .unwrap()
        };
        assert_eq!(
            premium_incident(&list),
            json!({ "plan": "premium", "kind": "incident", "first_response_minutes": 30,
                    "update_minutes": 60, "clock": "around_the_clock" })
        );

        let (status, list) = app
            .admin(
                Method::PUT,
                "/api/v1/admin/sla-policies",
                Some(
                    json!({ "plan": "premium", "kind": "incident", "first_response_minutes": 15,
                             "update_minutes": 45, "clock": "around_the_clock" }),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(premium_incident(&list)["first_response_minutes"], 15);
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            6,
            "the others stay"
        );

        let (status, problem) = app
            .admin(
                Method::PUT,
                "/api/v1/admin/sla-policies",
                Some(
                    json!({ "plan": "gold", "kind": "incident", "first_response_minutes": 0,
                             "update_minutes": 600000, "clock": "sometimes" }),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(
            error_fields(&problem),
            ["plan", "first_response_minutes", "update_minutes", "clock"]
        );

        let (status, problem) = app
            .admin(
                Method::PUT,
                "/api/v1/admin/sla-policies",
                Some(json!([
                    { "plan": "basic", "kind": "inquiry", "first_response_minutes": 600, "update_minutes": 600, "clock": "business_hours" },
                    { "plan": "basic", "kind": "inquiry", "first_response_minutes": 60, "update_minutes": 60, "clock": "business_hours" },
                    { "plan": "basic", "first_response_minutes": 60, "update_minutes": 60, "clock": "business_hours" },
                ])),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["[2].kind", "[1].kind"]);
        // Nothing of a refused list was written.
        let (_, list) = app
            .admin(Method::GET, "/api/v1/admin/sla-policies", None)
            .await;
        let basic_inquiry = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["plan"] == "basic" && p["kind"] == "inquiry")
            .cloned()
            .unwrap();
        assert_eq!(basic_inquiry["first_response_minutes"], 960);

        let response = app
            .client
            .put(app.url("/api/v1/admin/sla-policies"))
            .bearer_auth(&app.admin_token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
);

api_test!(
    customers_and_agents_may_not_touch_the_sla_settings,
    async |app: &TestApp| {
        let (filer, _, agent) = desk(app).await;
        for token in [&filer, &agent] {
            for (method, path, body) in [
                (Method::GET, "/api/v1/admin/sla-policies", None),
                (
                    Method::PUT,
                    "/api/v1/admin/sla-policies",
                    Some(
                        json!({ "plan": "basic", "kind": "incident", "first_response_minutes": 1,
                                 "update_minutes": 1, "clock": "around_the_clock" }),
                    ),
                ),
                (Method::GET, "/api/v1/admin/calendar", None),
                (
                    Method::PUT,
                    "/api/v1/admin/calendar",
                    Some(json!({ "time_zone": "UTC", "hours": [], "holidays": [] })),
                ),
                (
                    Method::POST,
                    "/api/v1/admin/calendar/holidays",
                    Some(json!({ "date": "2026-12-01", "name": "x" })),
                ),
                (
                    Method::DELETE,
                    "/api/v1/admin/calendar/holidays/2026-01-01",
                    None,
                ),
                (Method::GET, "/api/v1/admin/settings", None),
                (
                    Method::PATCH,
                    "/api/v1/admin/settings",
                    Some(json!({ "auto_close_days": 1 })),
                ),
            ] {
                let (status, problem) = app.as_user(token, method.clone(), path, body).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {problem}");
            }
        }
        // Nothing changed.
        let (_, settings) = app.admin(Method::GET, "/api/v1/admin/settings", None).await;
        assert_eq!(settings["auto_close_days"], 7);
        let (_, calendar) = app.admin(Method::GET, "/api/v1/admin/calendar", None).await;
        assert_eq!(calendar["time_zone"], "Asia/Tokyo");
    }
);

api_test!(
    admins_change_the_settings_within_bounds,
    async |app: &TestApp| {
        let (status, settings) = app.admin(Method::GET, "/api/v1/admin/settings", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            settings,
            json!({ "auto_close_days": 7, "full_text_emails": false,
                    "upload_bytes_per_day": 209715200, "upload_files_per_day": 100 })
        );
        for days in [0, 366, -1] {
            let (status, problem) = app
                .admin(
                    Method::PATCH,
                    "/api/v1/admin/settings",
                    Some(json!({ "auto_close_days": days })),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{days}: {problem}"
            );
            assert_eq!(error_fields(&problem), ["auto_close_days"]);
        }
        let (status, settings) = app
            .admin(
                Method::PATCH,
                "/api/v1/admin/settings",
                Some(json!({ "auto_close_days": 3, "full_text_emails": true })),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            settings,
            json!({ "auto_close_days": 3, "full_text_emails": true,
                    "upload_bytes_per_day": 209715200, "upload_files_per_day": 100 })
        );
        let (_, again) = app.admin(Method::GET, "/api/v1/admin/settings", None).await;
        assert_eq!(again, settings);
    }
);

api_test!(
    admins_edit_the_calendar_and_a_new_holiday_moves_new_due_times,
    async |app: &TestApp| {
        let (status, calendar) = app.admin(Method::GET, "/api/v1/admin/calendar", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(calendar["time_zone"], "Asia/Tokyo");
        assert_eq!(
            calendar["hours"][0],
            json!({ "weekday": 1, "start": "09:00", "end": "17:00" })
        );
        assert_eq!(calendar["hours"].as_array().unwrap().len(), 5);
        assert!(
            calendar["holidays"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["name"] == "元日")
        );

        // Every bad part is named.
        let (status, problem) = app
            .admin(
                Method::PUT,
                "/api/v1/admin/calendar",
                Some(json!({
                    "time_zone": "Mars/Olympus",
                    "hours": [
                        { "weekday": 8, "start": "09:00", "end": "17:00" },
                        { "weekday": 1, "start": "9am", "end": "17:00" },
                        { "weekday": 2, "start": "17:00", "end": "09:00" },
                    ],
                    "holidays": [
                        { "date": "2026-12-24", "name": "イブ" },
                        { "date": "2026-12-24", "name": "イブ" },
                        { "date": "2026-13-01", "name": "" },
                    ],
                })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(
            error_fields(&problem),
            [
                "time_zone",
                "hours[0].weekday",
                "hours[1].start",
                "hours[2].end",
                "holidays[1].date",
                "holidays[2].date",
                "holidays[2].name",
            ]
        );

        // A customer's new inquiry is due after sixteen business hours.
        let (filer, _, agent) = desk(app).await;
        let first = file_inquiry(app, &filer).await;
        let due = instant(&ticket(app, &agent, &first).await["sla"]["first_response_due_at"]);
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let day = due.to_zoned(tokyo.clone()).date();

        // The due's day becomes a company holiday: an inquiry filed now is due later.
        let (status, created) = app
            .admin(
                Method::POST,
                "/api/v1/admin/calendar/holidays",
                Some(json!({ "date": day.to_string(), "name": "創立記念日" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(
            created,
            json!({ "date": day.to_string(), "name": "創立記念日" })
        );
        let second = file_inquiry(app, &filer).await;
        let moved = instant(&ticket(app, &agent, &second).await["sla"]["first_response_due_at"]);
        assert!(
            moved.to_zoned(tokyo.clone()).date() > day,
            "{due} → {moved}"
        );
        // The first ticket's due stays as computed.
        assert_eq!(
            instant(&ticket(app, &agent, &first).await["sla"]["first_response_due_at"]),
            due
        );

        // The same day twice is a conflict; removing a day that is not a holiday is 404.
        let (status, _) = app
            .admin(
                Method::POST,
                "/api/v1/admin/calendar/holidays",
                Some(json!({ "date": day.to_string(), "name": "again" })),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, problem) = app
            .admin(
                Method::POST,
                "/api/v1/admin/calendar/holidays",
                Some(json!({ "date": "tomorrow", "name": "" })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&problem), ["date", "name"]);
        let (status, _) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/calendar/holidays/{day}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app
            .admin(
                Method::DELETE,
                &format!("/api/v1/admin/calendar/holidays/{day}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Replacing the whole calendar: weekends only, in UTC.
        let (status, replaced) = app
            .admin(
                Method::PUT,
                "/api/v1/admin/calendar",
                Some(json!({
                    "time_zone": "UTC",
                    "hours": [{ "weekday": 6, "start": "00:00", "end": "24:00" }],
                    "holidays": [{ "date": "2026-12-26", "name": "休業日" }],
                })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{replaced}");
        assert_eq!(
            replaced,
            json!({
                "time_zone": "UTC",
                "hours": [{ "weekday": 6, "start": "00:00", "end": "24:00" }],
                "holidays": [{ "date": "2026-12-26", "name": "休業日" }],
            })
        );
    }
);
