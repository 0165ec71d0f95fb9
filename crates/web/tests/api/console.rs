//! The admin console's customer pages without JavaScript: an admin adds an organization, its
//! tenant, contract and customer admin, changes the plan, is refused with the reason and
//! everything typed kept, deletes after a confirmation; nobody else reaches the console.

use reqwest::{Method, StatusCode};

use crate::api_test;
use crate::helpers::TestApp;

/// The path a redirect points to.
fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The first `…/{id}/{tail}` path in `html` after `prefix`: the id of a row's action.
fn id_in(html: &str, prefix: &str, tail: &str) -> String {
    let start = html
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in page"))
        + prefix.len();
    let rest = &html[start..];
    rest[..rest.find(tail).unwrap()].to_owned()
}

api_test!(
    an_admin_sets_up_a_customer_in_the_console,
    async |app: &TestApp| {
        app.user("ops@support.example", "admin", None).await;
        let (browser, csrf) = app.log_in("ops@support.example").await;
        let (status, home) = page(&browser, app, "/admin").await;
        assert_eq!(status, StatusCode::OK);
        assert!(home.contains("お客さま(組織)"), "{home}");

        // A name is required: the refusal says so above the field.
        let refused = browser
            .post(app.url("/admin/organizations"))
            .form(&[("csrf", csrf.as_str()), ("name", "  ")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text().await.unwrap();
        assert!(html.contains("id=\"organization-name-error\""), "{html}");
        assert!(html.contains("href=\"#organization-name\""), "{html}");

        let created = browser
            .post(app.url("/admin/organizations"))
            .form(&[("csrf", csrf.as_str()), ("name", "株式会社コンソール")])
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let org_page = location(&created);
        let org = org_page
            .trim_start_matches("/admin/organizations/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let (_, html) = page(&browser, app, &org_page).await;
        assert!(html.contains("組織を登録しました。"), "{html}");
        let (_, list) = page(&browser, app, "/admin/organizations?q=コンソール").await;
        assert!(
            list.contains("株式会社コンソール"),
            "search finds it: {list}"
        );
        let (_, list) = page(&browser, app, "/admin/organizations?q=存在しない会社").await;
        assert!(!list.contains("株式会社コンソール"), "{list}");

        let post = |path: String, form: Vec<(&'static str, String)>| {
            let browser = browser.clone();
            let url = app.url(&path);
            let csrf = csrf.clone();
            async move {
                let mut form = form;
                form.push(("csrf", csrf));
                browser.post(url).form(&form).send().await.unwrap()
            }
        };
        let response = post(
            format!("/admin/organizations/{org}/tenants"),
            vec![("tenant_id", "tenant-c001".into())],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);

        // A contract missing its product: refused, everything typed still there.
        let contract = |product: &str| {
            vec![
                ("contract_number", "ECL-C001".to_owned()),
                ("product_line", product.to_owned()),
                (
                    "contracting_corporation",
                    "Example Communications Corp.".to_owned(),
                ),
                ("plan", "premium".to_owned()),
                ("channel", "direct".to_owned()),
            ]
        };
        let response = post(
            format!("/admin/organizations/{org}/contracts"),
            contract(""),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("id=\"contract-product_line-error\""),
            "{html}"
        );
        assert!(html.contains("value=\"ECL-C001\""), "typed number kept");
        assert!(
            html.contains("<option value=\"premium\" selected>"),
            "{html}"
        );
        let response = post(
            format!("/admin/organizations/{org}/contracts"),
            contract("Enterprise Cloud 2.0"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);

        let response = post(
            format!("/admin/organizations/{org}/users"),
            vec![
                ("name", "管理 花子".into()),
                ("email", "admin@console.example".into()),
                ("role", "customer_admin".into()),
                ("locale", "ja".into()),
                ("password", "correct horse battery".into()),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = page(&browser, app, &format!("/admin/organizations/{org}")).await;
        assert!(html.contains("tenant-c001"), "{html}");
        assert!(html.contains("ECL-C001"), "{html}");
        assert!(html.contains("admin@console.example"), "{html}");
        assert!(html.contains("お客さま管理者"), "{html}");

        // The plan changes; the API says so too.
        let contract_id = id_in(&html, "action=\"/admin/contracts/", "/plan");
        let response = post(
            format!("/admin/contracts/{contract_id}/plan"),
            vec![("plan", "advanced".into())],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, contract) = app
            .admin(
                Method::GET,
                &format!("/api/v1/admin/contracts/{contract_id}"),
                None,
            )
            .await;
        assert_eq!(contract["plan"], "advanced", "{contract}");

        // The customer admin signs in and sees their organization's contract to grant.
        let (customer, _) = app.log_in("admin@console.example").await;
        let (_, grid) = page(&customer, app, "/permissions").await;
        assert!(grid.contains("ECL-C001"), "{grid}");
        let (status, _) = page(&customer, app, "/admin/organizations").await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "customers never reach the console"
        );
        let (status, _) = page(&customer, app, &format!("/admin/organizations/{org}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Deleting asks first, naming what goes; what is still used is refused with why.
        let tenant_id = id_in(&html, "href=\"/admin/tenants/", "/delete");
        let (_, confirm) = page(&browser, app, &format!("/admin/tenants/{tenant_id}/delete")).await;
        assert!(
            confirm.contains("テナント tenant-c001 を削除します"),
            "{confirm}"
        );
        let response = post(format!("/admin/tenants/{tenant_id}/delete"), vec![]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = page(&browser, app, &format!("/admin/organizations/{org}")).await;
        assert!(!html.contains("tenant-c001"), "the tenant is gone");
        // A plan that does not exist is refused beside its contract's row.
        let response = post(
            format!("/admin/contracts/{contract_id}/plan"),
            vec![("plan", "gold".into())],
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("href=\"#plan-plan\""), "{html}");
        assert!(
            html.contains("id=\"plan-plan\""),
            "the summary's link has a target"
        );

        // Deleting a contract says whose permissions go with it.
        // The delete button's link (the user's name links to their page before it).
        let user_id = id_in(&html, "danger\" href=\"/admin/users/", "/delete");
        let grant = serde_json::json!({
            "user_id": user_id, "contract_number": "ECL-C001", "level": "view",
        });
        let (status, _) = app
            .admin(Method::PUT, "/api/v1/admin/permissions", Some(grant))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, confirm) = page(
            &browser,
            app,
            &format!("/admin/contracts/{contract_id}/delete"),
        )
        .await;
        assert!(confirm.contains("(1 人分)"), "{confirm}");

        // A user who filed nothing is deleted after a confirmation naming them.
        let (_, confirm) = page(&browser, app, &format!("/admin/users/{user_id}/delete")).await;
        assert!(confirm.contains("admin@console.example"), "{confirm}");
        let response = post(format!("/admin/users/{user_id}/delete"), vec![]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = page(&browser, app, &location(&response)).await;
        assert!(html.contains("ユーザーを削除しました。"), "{html}");
        assert!(!html.contains("admin@console.example"), "{html}");

        let response = post(format!("/admin/organizations/{org}/delete"), vec![]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("削除できませんでした。"), "{html}");
        assert!(html.contains("ECL-C001"), "nothing was deleted: {html}");
    }
);

api_test!(
    agents_and_customers_never_reach_the_console,
    async |app: &TestApp| {
        let (org, _) = app.customer_org("株式会社外部", "ECL-Z", "basic").await;
        app.user("agent@console.example", "agent", None).await;
        let (someone, _) = app
            .user("someone@outside.example", "customer_admin", Some(&org))
            .await;
        for email in ["agent@console.example", "someone@outside.example"] {
            let (browser, csrf) = app.log_in(email).await;
            for path in [
                "/admin".to_owned(),
                "/admin/organizations".to_owned(),
                format!("/admin/organizations/{org}"),
            ] {
                let (status, html) = page(&browser, app, &path).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{email} {path}");
                assert!(!html.contains("株式会社外部"), "{email} {path}");
            }
            let response = browser
                .post(app.url("/admin/organizations"))
                .form(&[("csrf", csrf.as_str()), ("name", "乗っ取り")])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{email}");
            let response = browser
                .post(app.url(&format!("/admin/users/{someone}/delete")))
                .form(&[("csrf", csrf.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{email}");
        }
        let (status, _) = app
            .admin(Method::GET, &format!("/api/v1/admin/users/{someone}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "the user is still there");
        let (_, all) = app
            .admin(Method::GET, "/api/v1/admin/organizations", None)
            .await;
        assert!(
            !all.to_string().contains("乗っ取り"),
            "nothing was created: {all}"
        );
    }
);
