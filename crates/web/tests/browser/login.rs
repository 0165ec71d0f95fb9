//! In a real browser (Debian's Chromium, driven through ChromeDriver): every demo user logs in
//! and sees who they are. Without ChromeDriver the test fails, unless `MADOGUCHI_SKIP_BROWSER=1`
//! asks to skip it (then it says so on the terminal); under `CI=true` it always fails.

use crate::support::{browser, chromedriver, log_in};
use fantoccini::{Client, Locator};
use madoguchi_app::demo::{self, DemoOutcome};
use madoguchi_store::testing::{Backend, TestDb};
use madoguchi_web::Server;
use madoguchi_web::config::Config;

async fn value(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_files_a_ticket_in_the_browser_and_loses_nothing_on_the_way() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    demo::load(&db.store).await.unwrap();
    let mut config =
        Config::new(std::env::temp_dir().join(format!("madoguchi-browser-{}", std::process::id())));
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.dictionary_dir = std::env::temp_dir().join("madoguchi-test-ipadic");
    let server = Server::start(config, db.store.clone()).await.unwrap();
    let base = format!("http://{}", server.addr);
    let (_driver, client) = browser(&driver_path).await;
    log_in(&client, &base, "taro@sample.example").await;

    // サービスデスク → チケットの作成 → category → type → form
    client
        .find(Locator::Id("new-ticket"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let category = client
        .wait()
        .for_element(Locator::Css("#categories a"))
        .await
        .unwrap();
    assert_eq!(
        category.text().await.unwrap(),
        "Enterprise Cloud 2.0 (Example Communications Corp.)"
    );
    category.click().await.unwrap();
    client
        .wait()
        .for_element(Locator::LinkText("Incident Submission"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Id("ticket-form"))
        .await
        .unwrap();
    assert_eq!(
        client
            .find(Locator::Id("contract-number"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ECL-1001"
    );

    client
        .find(Locator::Css("input[name=summary]"))
        .await
        .unwrap()
        .send_keys("仮想サーバーが起動しない")
        .await
        .unwrap();
    client
        .find(Locator::Css("textarea[name=details]"))
        .await
        .unwrap()
        .send_keys("今朝から起動しません。")
        .await
        .unwrap();
    let menu = client
        .find(Locator::Css("select[name=service_menu]"))
        .await
        .unwrap();
    menu.select_by_value("virtual_server").await.unwrap();
    client
        .find(Locator::Css(
            "input[name='menu.virtual_server.server_name']",
        ))
        .await
        .unwrap()
        .send_keys("web-01")
        .await
        .unwrap();
    client
        .find(Locator::Css("select[name='menu.virtual_server.region']"))
        .await
        .unwrap()
        .select_by_value("JP1")
        .await
        .unwrap();
    // The guide warns that changing the menu wipes the details; here nothing is lost.
    menu.select_by_value("network").await.unwrap();
    assert!(
        client
            .find(Locator::Css("fieldset[data-menu=virtual_server]"))
            .await
            .unwrap()
            .attr("hidden")
            .await
            .unwrap()
            .is_some()
    );
    menu.select_by_value("virtual_server").await.unwrap();
    assert_eq!(
        value(&client, "textarea[name=details]").await,
        "今朝から起動しません。"
    );
    assert_eq!(
        value(&client, "input[name='menu.virtual_server.server_name']").await,
        "web-01"
    );

    // A participant chosen before the reload is chosen again after it.
    let picked = client
        .execute(
            "var o = document.querySelector('#candidates option'); if (!o) { return ''; } \
             o.selected = true; document.getElementById('add-participants').click(); return o.value;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!picked.is_empty(), "the demo customer has someone to add");

    // A reload keeps the draft, says so, and keeps the participants.
    client.refresh().await.unwrap();
    client
        .wait()
        .for_element(Locator::Id("ticket-form-draft"))
        .await
        .unwrap();
    assert!(
        client
            .find(Locator::Id("ticket-form-draft"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("前回の入力内容を復元しました")
    );
    let chosen = client
        .execute(
            "return Array.from(document.querySelectorAll('#chosen input[name=participants]')).map(function (i) { return i.value; }).join(',');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        chosen.as_str(),
        Some(picked.as_str()),
        "participants restored"
    );
    assert_eq!(
        value(&client, "input[name=summary]").await,
        "仮想サーバーが起動しない"
    );
    assert_eq!(
        value(&client, "textarea[name=details]").await,
        "今朝から起動しません。"
    );
    assert_eq!(
        value(&client, "select[name=service_menu]").await,
        "virtual_server"
    );
    assert_eq!(
        value(&client, "input[name='menu.virtual_server.server_name']").await,
        "web-01"
    );

    // A failed submit after switching menus still has the first menu's items.
    client
        .find(Locator::Css("select[name=service_menu]"))
        .await
        .unwrap()
        .select_by_value("network")
        .await
        .unwrap();
    client
        .find(Locator::Id("submit-ticket"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Id("form-errors"))
        .await
        .unwrap();
    client
        .find(Locator::Css("select[name=service_menu]"))
        .await
        .unwrap()
        .select_by_value("virtual_server")
        .await
        .unwrap();
    assert_eq!(
        value(&client, "input[name='menu.virtual_server.server_name']").await,
        "web-01"
    );
    assert_eq!(
        value(&client, "textarea[name=details]").await,
        "今朝から起動しません。"
    );

    // Participants: pick on the left, 追加 moves them to the right.
    let ichiro = Locator::XPath("//select[@id='candidates']/option[contains(., 'ichiro@')]");
    client.find(ichiro).await.unwrap().click().await.unwrap();
    client
        .find(Locator::Id("add-participants"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let chosen = client
        .find(Locator::Id("chosen"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(chosen.contains("ichiro@sample.example"), "{chosen}");

    client
        .find(Locator::Css("select[name=tenant_id]"))
        .await
        .unwrap()
        .select_by_value("tenant-5a1e0001")
        .await
        .unwrap();
    client
        .execute(
            "document.querySelector(\"input[name='incident.occurred_at']\").value = '2026-11-20T09:30';",
            vec![],
        )
        .await
        .unwrap();
    client
        .find(Locator::Css("textarea[name='incident.operation_history']"))
        .await
        .unwrap()
        .send_keys("昨日までは正常")
        .await
        .unwrap();
    client
        .find(Locator::Css("textarea[name='incident.current_status']"))
        .await
        .unwrap()
        .send_keys("停止したまま")
        .await
        .unwrap();
    client
        .find(Locator::Id("submit-ticket"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let key = client
        .wait()
        .for_element(Locator::Id("ticket-key"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(key.starts_with("SD-"), "{key}");
    let page = client.source().await.unwrap();
    assert!(page.contains("web-01") && page.contains("佐藤 太郎") && page.contains("鈴木 一郎"));
    assert_eq!(
        client
            .find(Locator::Id("ticket-status"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "受付"
    );

    // Filed: the draft is gone, so a new form starts empty.
    client
        .goto(&format!("{base}/tickets/new/ECL-1001/incident_submission"))
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Id("ticket-form"))
        .await
        .unwrap();
    assert_eq!(value(&client, "input[name=summary]").await, "");

    // A draft can be discarded: the form starts empty again.
    client
        .find(Locator::Css("input[name=summary]"))
        .await
        .unwrap()
        .send_keys("下書きのテスト")
        .await
        .unwrap();
    client.refresh().await.unwrap();
    let discard = client
        .wait()
        .for_element(Locator::Id("ticket-form-draft-discard"))
        .await
        .unwrap();
    // A mark on this page tells when the browser has loaded the next one.
    client
        .execute("window.beforeDiscard = true;", vec![])
        .await
        .unwrap();
    discard.click().await.unwrap();
    for _ in 0..100 {
        let old = client
            .execute("return window.beforeDiscard === true;", vec![])
            .await
            .map(|v| v.as_bool() == Some(true))
            .unwrap_or(true);
        if !old {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    client
        .wait()
        .for_element(Locator::Id("ticket-form"))
        .await
        .unwrap();
    assert_eq!(value(&client, "input[name=summary]").await, "");
    assert!(client.find(Locator::Id("ticket-form-draft")).await.is_err());

    client.close().await.ok();
    server.task.abort();
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_user_logs_in_and_sees_who_they_are() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    let DemoOutcome::Loaded(logins) = demo::load(&db.store).await.unwrap() else {
        panic!("demo not loaded")
    };
    let mut config = Config::new(
        std::env::temp_dir().join(format!("madoguchi-browser-demo-{}", std::process::id())),
    );
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.dictionary_dir = std::env::temp_dir().join("madoguchi-test-ipadic");
    let server = Server::start(config, db.store.clone()).await.unwrap();
    let base = format!("http://{}", server.addr);
    let (_driver, client) = browser(&driver_path).await;

    for login in &logins {
        client.goto(&format!("{base}/")).await.unwrap();
        // Not logged in: the service desk sends the browser to the login page.
        assert!(
            client
                .current_url()
                .await
                .unwrap()
                .path()
                .starts_with("/login"),
            "{}",
            login.email
        );
        log_in(&client, &base, login.email).await;
        // Everyone's account page (for agents `/` is the queue).
        client.goto(&format!("{base}/profile")).await.unwrap();

        let email = client
            .wait()
            .for_element(Locator::Id("profile-email"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(email, login.email);
        let user = db
            .store
            .user_by_email(&madoguchi_core::values::Email::parse(login.email).unwrap())
            .await
            .unwrap();
        let name = client
            .find(Locator::Id("profile-name"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(name, user.name);
        let role = client
            .find(Locator::Id("profile-role"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(role, madoguchi_web::i18n::role(user.locale, user.role));
        if login.role.is_customer() {
            client
                .find(Locator::Id("profile-organization"))
                .await
                .expect("customers see their organization");
        }

        client
            .find(Locator::Css("form[action='/logout'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .wait()
            .for_element(Locator::Css("form[action='/login']"))
            .await
            .unwrap();
    }

    client.close().await.ok();
    server.task.abort();
    db.finish().await;
}

/// Related articles on the filing form, for a reader of English: English articles first, and
/// one in Japanese named 日本語 and read in Japanese (issue 12).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn related_articles_put_the_readers_language_first_and_name_the_others() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    demo::load(&db.store).await.unwrap();
    let mut config = Config::new(
        std::env::temp_dir().join(format!("madoguchi-browser-lang-{}", std::process::id())),
    );
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.dictionary_dir = std::env::temp_dir().join("madoguchi-test-ipadic");
    let server = Server::start(config, db.store.clone()).await.unwrap();
    let base = format!("http://{}", server.addr);
    let (_driver, client) = browser(&driver_path).await;
    log_in(&client, &base, "olivia@global.example").await;
    client
        .goto(&format!("{base}/tickets/new/ECL-2001/general_inquiry"))
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Id("ticket-form"))
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=summary]"))
        .await
        .unwrap()
        .send_keys("How do I take a snapshot of a virtual server? スナップショット")
        .await
        .unwrap();
    // (the link's lang, the tag's text and lang) of each related article, once shown.
    let mut items = Vec::new();
    for _ in 0..100 {
        let found = client
            .execute(
                "return [...document.querySelectorAll('#related-faq li')].map(li => { \
                   const tag = li.querySelector('.lang-tag'); \
                   return [li.querySelector('a').lang, tag ? tag.textContent : '', tag ? tag.lang : '']; });",
                vec![],
            )
            .await
            .unwrap();
        items = serde_json::from_value::<Vec<(String, String, String)>>(found).unwrap();
        if !items.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!items.is_empty(), "related articles are shown");
    assert_eq!(
        items[0],
        (String::new(), String::new(), String::new()),
        "an English article first, untagged: {items:?}"
    );
    let first_tagged = items
        .iter()
        .position(|i| !i.1.is_empty())
        .expect("the Japanese snapshot article is related too");
    for (i, item) in items.iter().enumerate() {
        if i < first_tagged {
            assert!(item.1.is_empty(), "{items:?}");
        } else {
            assert_eq!(
                item,
                &("ja".to_owned(), "日本語".to_owned(), "ja".to_owned()),
                "the others after, named: {items:?}"
            );
        }
    }

    client.close().await.ok();
    server.task.abort();
    db.finish().await;
}
