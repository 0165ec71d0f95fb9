//! The console's SLA screens without JavaScript (issue 13): the targets table, the working
//! hours and a year's holidays, the operator's settings; each change is what the admin API
//! answers next, a refusal keeps what was typed, and nobody but admins gets in.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::TestApp;

async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Every row of the targets form: 60/120 minutes around the clock, `premium.incident`'s first
/// response `first`, `basic.inquiry`'s update `update`.
fn targets(csrf: &str, first: &str, update: &str) -> Vec<(String, String)> {
    let mut form = vec![("csrf".to_owned(), csrf.to_owned())];
    for plan in ["basic", "advanced", "premium"] {
        for kind in ["inquiry", "incident"] {
            let id = format!("{plan}.{kind}");
            let first = if id == "premium.incident" {
                first
            } else {
                "60"
            };
            let update = if id == "basic.inquiry" { update } else { "120" };
            form.push((format!("{id}.first_response_minutes"), first.to_owned()));
            form.push((format!("{id}.update_minutes"), update.to_owned()));
            form.push((format!("{id}.clock"), "around_the_clock".to_owned()));
        }
    }
    form
}

fn policy<'a>(policies: &'a Value, plan: &str, kind: &str) -> &'a Value {
    policies["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["plan"] == plan && p["kind"] == kind)
        .unwrap()
}

api_test!(
    an_admin_edits_targets_calendar_and_settings_in_the_console,
    async |app: &TestApp| {
        app.user("ops@sla.example", "admin", None).await;
        let (browser, csrf) = app.log_in("ops@sla.example").await;
        let (_, home) = page(&browser, app, "/admin").await;
        for link in ["/admin/sla", "/admin/calendar", "/admin/settings"] {
            assert!(home.contains(&format!("href=\"{link}\"")), "{link}");
        }
        let (status, sla) = page(&browser, app, "/admin/sla").await;
        assert_eq!(status, StatusCode::OK);
        // The seeded premium incident target: 30 minutes.
        assert!(
            sla.contains("name=\"premium.incident.first_response_minutes\" id=\"sla-premium.incident.first_response_minutes\" inputmode=\"numeric\" size=\"7\" value=\"30\""),
            "{sla}"
        );

        // A target that is not a number is refused beside its field, everything kept.
        let response = browser
            .post(app.url("/admin/sla"))
            .form(&targets(&csrf, "20", "abc"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("id=\"sla-basic.inquiry.update_minutes-error\""),
            "{html}"
        );
        assert!(html.contains("value=\"abc\"") && html.contains("value=\"20\""));
        let response = browser
            .post(app.url("/admin/sla"))
            .form(&targets(&csrf, "20", "480"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["location"], "/admin/sla?done=sla_saved");
        let (_, policies) = app
            .admin(Method::GET, "/api/v1/admin/sla-policies", None)
            .await;
        assert_eq!(
            policy(&policies, "premium", "incident")["first_response_minutes"],
            20
        );
        assert_eq!(policy(&policies, "basic", "inquiry")["update_minutes"], 480);
        assert_eq!(
            policy(&policies, "basic", "inquiry")["clock"],
            "around_the_clock"
        );

        // Working hours: Wednesday off, a bad time refused at its day.
        let mut hours = vec![("csrf".to_owned(), csrf.clone())];
        for day in [1, 2, 4, 5] {
            hours.push((format!("d{day}.open"), "on".into()));
            hours.push((format!("d{day}.start"), "09:00".into()));
            hours.push((format!("d{day}.end"), "17:00".into()));
        }
        let mut bad = hours.clone();
        bad[1..4].clone_from_slice(&[
            ("d1.open".into(), "on".into()),
            ("d1.start".into(), "25:00".into()),
            ("d1.end".into(), "17:00".into()),
        ]);
        let response = browser
            .post(app.url("/admin/calendar/hours"))
            .form(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("id=\"hours-d1.start-error\"") && html.contains("value=\"25:00\""),
            "{html}"
        );
        let response = browser
            .post(app.url("/admin/calendar/hours"))
            .form(&hours)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, calendar) = app.admin(Method::GET, "/api/v1/admin/calendar", None).await;
        let weekdays: Vec<i64> = calendar["hours"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["weekday"].as_i64().unwrap())
            .collect();
        assert_eq!(weekdays, [1, 2, 4, 5]);
        assert!(
            calendar["holidays"].as_array().unwrap().len() > 10,
            "the holidays stay"
        );

        // A holiday of a chosen year is added with its name, then removed.
        let (_, year) = page(&browser, app, "/admin/calendar?year=2027").await;
        assert!(year.contains("2027-01-01"), "{year}");
        let response = browser
            .post(app.url("/admin/calendar/holidays?year=2027"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("date", "2027-06-15"),
                ("name", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("id=\"holiday-name-error\"") && html.contains("value=\"2027-06-15\"")
        );
        let response = browser
            .post(app.url("/admin/calendar/holidays?year=2027"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("date", "2027-06-15"),
                ("name", "創立記念日"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["location"],
            "/admin/calendar?year=2027&done=holiday_added"
        );
        let (_, html) = page(
            &browser,
            app,
            "/admin/calendar?year=2027&done=holiday_added",
        )
        .await;
        assert!(html.contains("2027-06-15 創立記念日"), "{html}");
        let holiday = json!({ "date": "2027-06-15", "name": "創立記念日" });
        let (_, calendar) = app.admin(Method::GET, "/api/v1/admin/calendar", None).await;
        assert!(calendar["holidays"].as_array().unwrap().contains(&holiday));
        let response = browser
            .post(app.url("/admin/calendar/holidays/2027-06-15/remove"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, calendar) = app.admin(Method::GET, "/api/v1/admin/calendar", None).await;
        assert!(!calendar["holidays"].as_array().unwrap().contains(&holiday));

        // Settings: out of range refused, then saved.
        let response = browser
            .post(app.url("/admin/settings"))
            .form(&[("csrf", csrf.as_str()), ("auto_close_days", "0")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("id=\"settings-auto_close_days-error\"")
        );
        let response = browser
            .post(app.url("/admin/settings"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("auto_close_days", "14"),
                ("full_text_emails", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, settings) = app.admin(Method::GET, "/api/v1/admin/settings", None).await;
        assert_eq!(
            settings,
            json!({ "auto_close_days": 14, "full_text_emails": true,
                    "upload_bytes_per_day": 200 * 1024 * 1024, "upload_files_per_day": 100 })
        );
        let (_, html) = page(&browser, app, "/admin/settings?done=settings_saved").await;
        assert!(html.contains("運用設定を保存しました。") && html.contains("value=\"14\""));
        assert!(
            html.contains("id=\"settings-upload_files_per_day\"") && html.contains("value=\"100\"")
        );

        // The upload quota: a bad number is named and kept, a good one saved.
        let response = browser
            .post(app.url("/admin/settings"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("auto_close_days", "14"),
                ("upload_bytes_per_day", "5"),
                ("upload_files_per_day", "30"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("id=\"settings-upload_bytes_per_day-error\""));
        assert!(
            html.contains("value=\"5\"") && html.contains("value=\"30\""),
            "what was typed is kept"
        );
        let response = browser
            .post(app.url("/admin/settings"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("auto_close_days", "14"),
                ("upload_bytes_per_day", "10485760"),
                ("upload_files_per_day", "30"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, settings) = app.admin(Method::GET, "/api/v1/admin/settings", None).await;
        assert_eq!(settings["upload_bytes_per_day"], 10485760);
        assert_eq!(settings["upload_files_per_day"], 30);
    }
);

api_test!(
    nobody_but_admins_reaches_the_sla_screens,
    async |app: &TestApp| {
        let (org, _) = app
            .customer_org("株式会社エスエルエー", "ECL-SLA", "basic")
            .await;
        app.user("customer@sla.example", "customer_admin", Some(&org))
            .await;
        app.user("agent@sla.example", "agent", None).await;
        for who in ["customer@sla.example", "agent@sla.example"] {
            let (browser, csrf) = app.log_in(who).await;
            for path in ["/admin/sla", "/admin/calendar", "/admin/settings"] {
                let (status, _) = page(&browser, app, path).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{who} GET {path}");
            }
            for path in [
                "/admin/sla",
                "/admin/calendar/hours",
                "/admin/calendar/holidays",
                "/admin/calendar/holidays/2027-01-01/remove",
                "/admin/settings",
            ] {
                let response = browser
                    .post(app.url(path))
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("auto_close_days", "30"),
                        ("date", "2027-06-15"),
                        ("name", "x"),
                    ])
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
        let (_, settings) = app.admin(Method::GET, "/api/v1/admin/settings", None).await;
        assert_eq!(settings["auto_close_days"], 7, "nothing changed");
        let (_, calendar) = app.admin(Method::GET, "/api/v1/admin/calendar", None).await;
        let days: Vec<&str> = calendar["holidays"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["date"].as_str().unwrap())
            .collect();
        assert!(days.contains(&"2027-01-01") && !days.contains(&"2027-06-15"));
    }
);
