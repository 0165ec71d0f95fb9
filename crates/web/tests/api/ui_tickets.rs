//! The ticket pages without JavaScript: every button posts the whole form, and the page comes
//! back with everything typed and every file attached.

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_test;
use crate::helpers::TestApp;

async fn setup(app: &TestApp) -> (String, String) {
    let (org, contract) = app
        .customer_org("株式会社フォーム", "ECL-F", "advanced")
        .await;
    let body = json!({ "organization_id": org, "tenant_id": "tenant-f1" });
    app.admin(Method::POST, "/api/v1/admin/tenants", Some(body))
        .await;
    let (filer, _) = app.user("filer@form.example", "customer", Some(&org)).await;
    let (colleague, _) = app
        .user("colleague@form.example", "customer", Some(&org))
        .await;
    for (user, level) in [(&filer, "edit"), (&colleague, "view")] {
        let body = json!({ "user_id": user, "contract_number": contract, "level": level });
        app.admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
            .await;
    }
    (contract, colleague)
}

fn typed(csrf: &str, action: &str, menu: &str) -> Form {
    Form::new()
        .text("csrf", csrf.to_owned())
        .text("summary", "ログインできない")
        .text("service_menu", menu.to_owned())
        .text("menu.virtual_server.server_name", "web-01")
        .text("menu.portal_api.screen_or_endpoint", "/login")
        .text("details", "パスワードを入れても戻される。\n二行目。")
        .text("callback.phone", "03-1234-5678")
        .text("callback.contact_name", "佐藤")
        .text("action", action.to_owned())
}

api_test!(
    changing_the_menu_without_javascript_keeps_every_field,
    async |app: &TestApp| {
        let (contract, _) = setup(app).await;
        let (browser, csrf) = app.log_in("filer@form.example").await;
        let url = app.url(&format!("/tickets/new/{contract}/callback_general_inquiry"));
        let form = typed(&csrf, "refresh", "portal_api").part(
            "files",
            Part::bytes(b"screenshot".to_vec())
                .file_name("screen.png")
                .mime_str("image/png")
                .unwrap(),
        );
        let response = browser.post(&url).multipart(form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.unwrap();
        assert!(page.contains("value=\"ログインできない\""));
        assert!(
            page.contains("パスワードを入れても戻される。\n二行目。"),
            "details kept"
        );
        assert!(
            page.contains("value=\"/login\""),
            "the new menu's item kept"
        );
        assert!(
            page.contains("value=\"web-01\""),
            "the old menu's item kept too"
        );
        assert!(page.contains("<option value=\"portal_api\" selected>"));
        assert!(page.contains("value=\"03-1234-5678\""));
        assert!(page.contains("screen.png"), "the file stays attached");
        assert!(
            !page.contains("field-error"),
            "a refresh is not a failed submit"
        );
    }
);

api_test!(
    a_failed_submit_shows_each_error_beside_its_field_and_keeps_everything,
    async |app: &TestApp| {
        let (contract, _) = setup(app).await;
        let (browser, csrf) = app.log_in("filer@form.example").await;
        let url = app.url(&format!("/tickets/new/{contract}/callback_general_inquiry"));
        let form = typed(&csrf, "submit", "virtual_server").part(
            "files",
            Part::bytes(b"log line".to_vec())
                .file_name("app.log")
                .mime_str("text/plain")
                .unwrap(),
        );
        let response = browser.post(&url).multipart(form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        for field in [
            "tenant_id",
            "menu_fields.region",
            "callback.preferred_window",
        ] {
            assert!(
                page.contains(&format!("data-field=\"{field}\"")),
                "no error beside {field}"
            );
        }
        assert!(!page.contains("data-field=\"summary\""));
        // The tenant and the region are chosen, not typed: the error says so.
        assert!(page.contains("選択してください。"), "{page}");
        // The summary at the top links to each field, which says it is invalid and by what.
        assert!(
            page.contains("<a href=\"#f-tenant_id\">")
                && page.contains("id=\"f-tenant_id\" aria-invalid=\"true\" aria-describedby=\"f-tenant_id-error\"")
                && page.contains("id=\"f-tenant_id-error\"")
                && page.contains("<a href=\"#f-menu_fields-region\">"),
            "{page}"
        );
        assert!(
            !page.contains("<a href=\"#f-summary\">"),
            "no error, no link"
        );
        assert!(page.contains("value=\"ログインできない\"") && page.contains("value=\"web-01\""));
        assert!(page.contains("app.log"));
        let attachment = crate::helpers::hidden(&page, "attachments");

        // Fixing the fields files the ticket, with the file kept from the first try.
        let form = typed(&csrf, "submit", "virtual_server")
            .text("menu.virtual_server.region", "JP2")
            .text("tenant_id", "tenant-f1")
            .text("callback.preferred_window", "平日午前")
            .text("attachments", attachment);
        let response = browser.post(&url).multipart(form).send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{}",
            response.text().await.unwrap()
        );
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/tickets/SD-"));
        let page = browser
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("app.log") && page.contains("JP2") && page.contains("03-1234-5678"));
    }
);

api_test!(
    participants_are_added_without_javascript,
    async |app: &TestApp| {
        let (contract, colleague) = setup(app).await;
        let (browser, csrf) = app.log_in("filer@form.example").await;
        let url = app.url(&format!("/tickets/new/{contract}/general_inquiry"));
        let form = typed(&csrf, "add_participants", "").text("candidates", colleague.clone());
        let page = browser
            .post(&url)
            .multipart(form)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(&format!("name=\"participants\" value=\"{colleague}\"")));
        assert!(page.contains("value=\"ログインできない\""));
        let form = typed(&csrf, "remove_participants", "")
            .text("participants", colleague.clone())
            .text("remove", colleague.clone());
        let page = browser
            .post(&url)
            .multipart(form)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains(&format!("name=\"participants\" value=\"{colleague}\"")));
    }
);

api_test!(a_forged_form_stores_nothing, async |app: &TestApp| {
    let (contract, _) = setup(app).await;
    let (browser, _) = app.log_in("filer@form.example").await;
    let url = app.url(&format!("/tickets/new/{contract}/general_inquiry"));
    let form = Form::new().text("csrf", "forged").part(
        "files",
        Part::bytes(b"x".to_vec())
            .file_name("x.txt")
            .mime_str("text/plain")
            .unwrap(),
    );
    let response = browser.post(&url).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
});

api_test!(
    the_customer_replies_and_closes_on_the_ticket_page,
    async |app: &TestApp| {
        let (contract, _) = setup(app).await;
        let (browser, csrf) = app.log_in("filer@form.example").await;
        let url = app.url(&format!("/tickets/new/{contract}/general_inquiry"));
        let form = typed(&csrf, "submit", "portal_api").text("tenant_id", "tenant-f1");
        let response = browser.post(&url).multipart(form).send().await.unwrap();
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let key = location
            .trim_start_matches("/tickets/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();

        let page = browser
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("チケットを作成しました"));
        assert!(page.contains("追加更新情報") && page.contains("更新"));

        let reply = |body: &'static str| Form::new().text("csrf", csrf.clone()).text("body", body);
        let response = browser
            .post(app.url(&format!("/tickets/{key}/messages")))
            .multipart(reply(""))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("data-field=\"body\"")
        );
        let response = browser
            .post(app.url(&format!("/tickets/{key}/messages")))
            .multipart(reply("追記します"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let page = browser
            .get(app.url(&format!("/tickets/{key}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("追記します"));

        let response = browser
            .post(app.url(&format!("/tickets/{key}/close")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let page = browser
            .get(app.url(&format!("/tickets/{key}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("id=\"follow-up\""),
            "a closed ticket offers a follow-up"
        );
        assert!(!page.contains("id=\"reply-form\""), "and takes no replies");

        let list = browser
            .get(app.url("/tickets?status=closed"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains(&key));
        let list = browser
            .get(app.url("/tickets?status=new"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!list.contains(&format!(">{key}<")));
    }
);

api_test!(
    a_reply_to_a_ticket_closed_meanwhile_shows_the_text_again,
    async |app: &TestApp| {
        let (contract, _) = setup(app).await;
        let (browser, csrf) = app.log_in("filer@form.example").await;
        let url = app.url(&format!("/tickets/new/{contract}/general_inquiry"));
        let form = typed(&csrf, "submit", "portal_api").text("tenant_id", "tenant-f1");
        let response = browser.post(&url).multipart(form).send().await.unwrap();
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let key = location
            .trim_start_matches("/tickets/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        browser
            .post(app.url(&format!("/tickets/{key}/close")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();

        let reply = Form::new()
            .text("csrf", csrf.clone())
            .text("body", "長い返信をここまで書いた");
        let response = browser
            .post(app.url(&format!("/tickets/{key}/messages")))
            .multipart(reply)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("id=\"unsent-reply\"") && page.contains("長い返信をここまで書いた"),
            "nothing typed is lost"
        );
        assert!(page.contains("フォローアップ"));
    }
);

api_test!(
    too_many_files_are_named_and_can_be_removed,
    async |app: &TestApp| {
        let (contract, _) = setup(app).await;
        let (browser, csrf) = app.log_in("filer@form.example").await;
        let url = app.url(&format!("/tickets/new/{contract}/general_inquiry"));
        let mut form = typed(&csrf, "refresh", "portal_api");
        for i in 0..11 {
            form = form.part(
                "files",
                Part::bytes(format!("file {i}").into_bytes())
                    .file_name(format!("f{i}.txt"))
                    .mime_str("text/plain")
                    .unwrap(),
            );
        }
        let page = browser
            .post(&url)
            .multipart(form)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            page.matches("name=\"remove_attachment\"").count(),
            10,
            "ten kept, each removable"
        );
        let error = page
            .split("data-field=\"attachments\" id=\"f-files-error\">")
            .nth(1)
            .expect("an error beside the files");
        assert!(
            error.starts_with("f10.txt"),
            "the eleventh is named as left out: {error}"
        );
    }
);

api_test!(
    support_staff_are_told_filing_is_for_customers,
    async |app: &TestApp| {
        app.user("agent@support.example", "agent", None).await;
        let (browser, _) = app.log_in("agent@support.example").await;
        let response = browser.get(app.url("/tickets/new")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(response.text().await.unwrap().contains("お客さま向け"));
    }
);
