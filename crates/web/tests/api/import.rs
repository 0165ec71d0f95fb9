//! Onboarding in bulk (issue 13): a CSV file of organizations, tenants, contracts, users and
//! ticket permissions loads in one transaction through `POST /api/v1/admin/import` and the
//! console's upload; a file with bad rows names every one of them and writes nothing; a dry run
//! only reports.

use std::time::Instant;

use madoguchi_core::values::Email;
use madoguchi_store::EventFilter;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::api_test;
use crate::helpers::{TestApp, read};

/// A file of `orgs` organizations, each with a tenant, a premium contract and `users` users
/// (the first a customer admin), every user holding a permission on the contract.
pub(crate) fn generated(orgs: usize, users: usize) -> String {
    let mut csv = String::from(
        "record,organization,tenant_id,contract_number,email,name,product_line,contracting_corporation,plan,channel,partner_name,role,locale,level\n",
    );
    for i in 0..orgs {
        let org = format!("株式会社一括{i:04}");
        csv += &format!("organization,{org},,,,,,,,,,,,\n");
        csv += &format!("tenant,{org},tenant-bulk{i:04},,,本番環境,,,,,,,,\n");
        csv += &format!(
            "contract,{org},,BULK-{i:05},,,Enterprise Cloud 2.0,Example Communications Corp.,premium,direct,,,,\n"
        );
        for j in 0..users {
            let email = format!("user{j}@bulk{i:04}.example");
            let role = if j == 0 { "customer_admin" } else { "customer" };
            let level = if j % 2 == 0 { "edit" } else { "view" };
            csv += &format!("user,{org},,,{email},利用者 {i}-{j},,,,,,{role},ja,\n");
            csv += &format!("permission,,,BULK-{i:05},{email},,,,,,,,,{level}\n");
        }
    }
    csv
}

async fn post_csv(app: &TestApp, query: &str, csv: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/admin/import{query}")))
        .bearer_auth(&app.admin_token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    read(response).await
}

async fn organizations(app: &TestApp) -> usize {
    let (status, list) = app
        .admin(Method::GET, "/api/v1/admin/organizations?limit=200", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"].as_array().unwrap().len()
}

api_test!(
    five_hundred_organizations_and_two_thousand_users_load_in_one_go,
    async |app: &TestApp| {
        let csv = generated(500, 4);
        let database = app.db.url.split(':').next().unwrap().to_owned();

        let started = Instant::now();
        let (status, checked) = post_csv(app, "?dry_run=true", &csv).await;
        let checking = started.elapsed();
        assert_eq!(status, StatusCode::OK, "{checked}");
        assert_eq!(checked["imported"], false);
        assert_eq!(checked["counts"]["users"], 2000);
        assert_eq!(organizations(app).await, 0, "a dry run writes nothing");

        let started = Instant::now();
        let (status, report) = post_csv(app, "", &csv).await;
        let importing = started.elapsed();
        assert_eq!(status, StatusCode::CREATED, "{report}");
        eprintln!(
            "IMPORT TIMING {database}: {} bytes, 500 organizations, 500 tenants, 500 contracts, 2000 users, 2000 permissions: dry run {:.2} s, import {:.2} s",
            csv.len(),
            checking.as_secs_f64(),
            importing.as_secs_f64()
        );
        assert_eq!(report["imported"], true);
        assert_eq!(report["errors"], serde_json::json!([]));
        let counts = &report["counts"];
        assert_eq!(
            (
                counts["organizations"].as_u64(),
                counts["tenants"].as_u64(),
                counts["contracts"].as_u64(),
                counts["users"].as_u64(),
                counts["permissions"].as_u64()
            ),
            (Some(500), Some(500), Some(500), Some(2000), Some(2000))
        );

        // What the customer admin of the last organization now holds, with its audit trail.
        let store = &app.db.store;
        let admin = store
            .user_by_email(&Email::parse("user0@bulk0499.example").unwrap())
            .await
            .unwrap();
        assert_eq!(admin.name, "利用者 499-0");
        assert_eq!(admin.role.code(), "customer_admin");
        let held = store.permissions_of(&admin.id).await.unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].contract_number, "BULK-00499");
        assert_eq!(held[0].level.code(), "edit");
        let events = store
            .events(EventFilter {
                subject_id: Some(&admin.id),
                ..Default::default()
            })
            .await
            .unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["user.created", "permission.granted"]);

        // The same file again: every row is now taken, and nothing more is written.
        let (status, again) = post_csv(app, "", &csv).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            again["errors"].as_array().unwrap().len(),
            3500,
            "orgs, tenants, contracts, users"
        );
    }
);

/// Three bad rows among good ones (lines 4, 6 and 8), with a BOM and Japanese text.
const THREE_BAD_ROWS: &str = "\u{feff}record,organization,tenant_id,contract_number,email,name,plan,channel,product_line,contracting_corporation,role,level
organization,株式会社検証,,,,,,,,,,
contract,株式会社検証,,ECL-V1,,,premium,direct,Enterprise Cloud 2.0,Example Communications Corp.,,
user,株式会社検証,,,hanako-at-example,山田 花子,,,,,customer_admin,
user,株式会社検証,,,taro@kensho.example,鈴木 太郎,,,,,customer,
contract,株式会社検証,,ECL-V2,,,gold,direct,Enterprise Cloud 2.0,Example Communications Corp.,,
permission,,,ECL-V1,taro@kensho.example,,,,,,,edit
permission,,,ECL-NONE,taro@kensho.example,,,,,,,view
";

api_test!(
    a_file_with_three_bad_rows_loads_nothing_and_names_all_three,
    async |app: &TestApp| {
        let (status, problem) = post_csv(app, "", THREE_BAD_ROWS).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["type"], "/problems/invalid-rows");
        let errors: Vec<(u64, String)> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["line"].as_u64().unwrap(),
                    e["field"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            [
                (4, "email".to_owned()),
                (6, "plan".to_owned()),
                (8, "contract_number".to_owned())
            ]
        );
        let messages = problem["errors"].to_string();
        assert!(messages.contains("email address"), "{messages}");
        assert!(messages.contains("basic, advanced, premium"), "{messages}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("nothing was written"), "{detail}");
        assert!(detail.contains("line 8 contract_number"), "{detail}");
        assert_eq!(
            organizations(app).await,
            0,
            "the good rows were not written either"
        );

        // The dry run of the same file reports the same problems and what the rest would add.
        let (status, report) = post_csv(app, "?dry_run=true", THREE_BAD_ROWS).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(report["errors"].as_array().unwrap().len(), 3);
        assert_eq!(report["counts"]["organizations"], 1);
        assert_eq!(report["counts"]["users"], 1);

        // Fixed, it loads; a repeated email is named with the line it was first on.
        let fixed = THREE_BAD_ROWS
            .replace("hanako-at-example", "hanako@kensho.example")
            .replace("gold", "basic")
            .replace("ECL-NONE", "ECL-V2");
        let (status, report) = post_csv(app, "", &fixed).await;
        assert_eq!(status, StatusCode::CREATED, "{report}");
        assert_eq!(organizations(app).await, 1);
        let twice = "record,organization,email,name,role\norganization,株式会社二重,,,\nuser,株式会社二重,a@nijuu.example,A,customer\nuser,株式会社二重,a@nijuu.example,B,customer\n";
        let (_, problem) = post_csv(app, "", twice).await;
        assert_eq!(problem["errors"][0]["line"], 4);
        assert_eq!(
            problem["errors"][0]["message"],
            "Already given on line 3; give each only once."
        );
    }
);

api_test!(
    the_console_uploads_a_file_and_shows_the_report,
    async |app: &TestApp| {
        app.user("ops@import.example", "admin", None).await;
        let (org, _) = app.customer_org("株式会社既存", "ECL-E1", "basic").await;
        app.user("kanri@kizon.example", "customer_admin", Some(&org))
            .await;
        let (browser, csrf) = app.log_in("ops@import.example").await;
        let form = browser.get(app.url("/admin/import")).send().await.unwrap();
        assert_eq!(form.status(), StatusCode::OK);
        let html = form.text().await.unwrap();
        assert!(html.contains("CSV ファイルで一括登録"), "{html}");
        assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");

        let upload = |csv: &'static str, dry_run: bool| {
            let browser = browser.clone();
            let csrf = csrf.clone();
            let url = app.url("/admin/import");
            async move {
                let file = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                    .file_name("customers.csv")
                    .mime_str("text/csv")
                    .unwrap();
                let mut form = reqwest::multipart::Form::new()
                    .text("csrf", csrf)
                    .part("file", file);
                if dry_run {
                    form = form.text("dry_run", "yes");
                }
                let response = browser.post(url).multipart(form).send().await.unwrap();
                (response.status(), response.text().await.unwrap())
            }
        };
        // A user of an organization already registered, with a permission on its contract.
        let csv = "record,organization,email,name,role,contract_number,level\nuser,株式会社既存,new@kizon.example,新人 一郎,customer,,\npermission,,new@kizon.example,,,ECL-E1,view\n";
        let (status, html) = upload(csv, true).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("まだ何も書き込んでいません"), "{html}");
        assert!(html.contains("ユーザー：1 人"), "{html}");
        assert!(
            html.contains("checked"),
            "the check-only box stays ticked: {html}"
        );
        assert_eq!(
            app.db
                .store
                .user_by_email(&Email::parse("new@kizon.example").unwrap())
                .await
                .ok(),
            None
        );
        let (status, html) = upload(csv, false).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("登録しました。"), "{html}");
        assert!(html.contains("チケット作成権限：1 件"), "{html}");

        // The same rows again, and one for an organization nobody registered.
        let bad = "record,organization,email,name,role\nuser,株式会社既存,new@kizon.example,新人 一郎,customer\nuser,株式会社未登録,x@mitouroku.example,X,customer\n";
        let (status, html) = upload(bad, false).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(
            html.contains("2 件の問題があるため、何も登録していません"),
            "{html}"
        );
        assert!(html.contains("2 行目"), "{html}");
        assert!(html.contains("3 行目"), "{html}");
        assert!(html.contains("この名前の組織は"), "{html}");

        // Without a file the form says what to do.
        let form = reqwest::multipart::Form::new().text("csrf", csrf.clone());
        let response = browser
            .post(app.url("/admin/import"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("CSV ファイルを選んでください。")
        );

        // Nobody else: a customer admin gets the page that does not exist, and the API's 403.
        let (kanri, _) = app.log_in("kanri@kizon.example").await;
        let response = kanri.get(app.url("/admin/import")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let (_, token) = app
            .user("other@kizon.example", "customer_admin", Some(&org))
            .await;
        let response = app
            .client
            .post(app.url("/api/v1/admin/import"))
            .bearer_auth(token)
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
);
