//! The synonym dictionary in a real browser (Debian's Chromium through ChromeDriver): an agent
//! adds a group, sees it listed, finds an article and a ticket by the new phrase, deletes the
//! group after the confirmation and no longer finds them by it. The pages are checked at 360,
//! 768 and 1280 px and with axe-core, which finds no violation of any impact.

use crate::support::{browser, check_screen, chromedriver, click, log_in, text_of};
use fantoccini::{Client, Locator};
use madoguchi_app::demo;
use madoguchi_app::tickets::{self, TicketInput};
use madoguchi_core::values::Email;
use madoguchi_store::testing::{Backend, TestDb};
use madoguchi_web::Server;
use madoguchi_web::config::Config;
use serde_json::json;

/// Words nothing in the demo says; the group makes them mean 起動しない.
const PHRASE: &str = "うんともすんとも";

/// The ids of the listed groups' inputs whose phrases include `phrase`.
async fn groups_with(client: &Client, phrase: &str) -> Vec<String> {
    let ids = client
        .execute(
            "return [...document.querySelectorAll('#synonyms input[name=phrases]')] \
               .filter(i => i.value.split(' = ').includes(arguments[0])).map(i => i.id);",
            vec![json!(phrase)],
        )
        .await
        .unwrap();
    serde_json::from_value(ids).unwrap()
}

/// Every axe-core violation of the page shown, whatever its impact (the shared check stops at
/// serious and critical ones); axe-core is loaded by `check_screen` first.
async fn all_violations(client: &Client) -> serde_json::Value {
    client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             if (typeof axe === 'undefined') { done(null); return; } \
             axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations \
               .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3) \
                 .map(n => n.target.join(' ')) }))));",
            vec![],
        )
        .await
        .unwrap()
}

/// The knowledge center's search for `words`: the titles found.
async fn articles_found(client: &Client, base: &str, words: &str) -> Vec<String> {
    let q = serde_urlencoded::to_string([("q", words)]).unwrap();
    client.goto(&format!("{base}/kb?{q}")).await.unwrap();
    text_of(client, "h1").await;
    match client.find(Locator::Css("#articles")).await {
        Ok(list) => {
            let mut titles = Vec::new();
            for link in list.find_all(Locator::Css("li > a")).await.unwrap() {
                titles.push(link.text().await.unwrap());
            }
            titles
        }
        Err(_) => {
            text_of(client, "#no-articles").await;
            Vec::new()
        }
    }
}

/// Whether the general desk's queue searched for `words` lists ticket `key`.
async fn queue_lists(client: &Client, base: &str, words: &str, key: &str) -> bool {
    let q = serde_urlencoded::to_string([("q", words)]).unwrap();
    client
        .goto(&format!("{base}/queues/general?{q}"))
        .await
        .unwrap();
    text_of(client, "h1").await;
    client
        .find(Locator::Css(&format!("#row-{key}")))
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_adds_a_synonym_group_finds_by_it_and_deletes_it() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    demo::load(&db.store).await.unwrap();
    let taro = db
        .store
        .user_by_email(&Email::parse("taro@sample.example").unwrap())
        .await
        .unwrap();
    let input = TicketInput {
        contract_number: Some("ECL-1001".into()),
        ticket_type: Some("general_inquiry".into()),
        summary: Some("ブラウザテスト: 検証用サーバーが起動しない".into()),
        service_menu: Some("other".into()),
        tenant_id: Some("tenant-5a1e0001".into()),
        details: Some("再起動しても起動しない状態です。".into()),
        menu_fields: [("service_name".to_owned(), "仮想サーバー".to_owned())].into(),
        ..Default::default()
    };
    let key = tickets::file(&db.store, &taro, &input, 0)
        .await
        .unwrap()
        .key
        .to_string();

    let data_dir = std::env::temp_dir().join(format!("madoguchi-synonyms-{}", std::process::id()));
    let mut config = Config::new(data_dir.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.dictionary_dir = std::env::temp_dir().join("madoguchi-test-ipadic");
    let server = Server::start(config, db.store.clone()).await.unwrap();
    let base = format!("http://{}", server.addr);
    let (_driver, client) = browser(&driver_path).await;
    log_in(&client, &base, "agent.general@madoguchi.example").await;

    // Nothing is found by the phrase yet.
    assert_eq!(
        articles_found(&client, &base, PHRASE).await,
        Vec::<String>::new()
    );
    assert!(!queue_lists(&client, &base, PHRASE, &key).await);

    // The dictionary's page; a new group through its form.
    client.goto(&format!("{base}/synonyms")).await.unwrap();
    let count = text_of(&client, "#synonym-count").await;
    assert!(groups_with(&client, PHRASE).await.is_empty());
    check_screen(&client, "synonyms").await;
    let violations = all_violations(&client).await;
    assert!(
        violations.is_null() || violations == json!([]),
        "synonyms: {violations}"
    );
    client
        .find(Locator::Css("#new-phrases"))
        .await
        .unwrap()
        .send_keys(&format!("{PHRASE} = 起動しない"))
        .await
        .unwrap();
    click(&client, "#new-synonyms button[type=submit]").await;
    let banner = text_of(&client, ".banner").await;
    assert_eq!(banner, "同義語グループを保存しました。");
    let listed = groups_with(&client, PHRASE).await;
    assert_eq!(listed.len(), 1, "the new group is listed once");
    assert_ne!(text_of(&client, "#synonym-count").await, count);
    check_screen(&client, "synonyms-saved").await;
    let violations = all_violations(&client).await;
    assert!(
        violations.is_null() || violations == json!([]),
        "synonyms-saved: {violations}"
    );

    // The phrase now finds what says 起動しない: the article and the ticket.
    let titles = articles_found(&client, &base, PHRASE).await;
    assert!(
        titles
            .iter()
            .any(|t| t.contains("起動しない場合の確認手順")),
        "{titles:?}"
    );
    assert!(queue_lists(&client, &base, PHRASE, &key).await);

    // Deleting asks first, naming the group.
    client.goto(&format!("{base}/synonyms")).await.unwrap();
    let id = listed[0].trim_start_matches("phrases-").to_owned();
    click(&client, &format!("a[href='/synonyms/{id}/delete']")).await;
    let question = text_of(&client, "#delete-question").await;
    assert!(question.contains(PHRASE), "{question}");
    check_screen(&client, "synonyms-delete").await;
    let violations = all_violations(&client).await;
    assert!(
        violations.is_null() || violations == json!([]),
        "synonyms-delete: {violations}"
    );
    click(&client, "#confirm-delete").await;
    let banner = text_of(&client, ".banner").await;
    assert_eq!(banner, "同義語グループを削除しました。");
    assert!(groups_with(&client, PHRASE).await.is_empty());
    assert_eq!(text_of(&client, "#synonym-count").await, count);

    // And the phrase finds nothing again.
    assert_eq!(
        articles_found(&client, &base, PHRASE).await,
        Vec::<String>::new()
    );
    assert!(!queue_lists(&client, &base, PHRASE, &key).await);

    client.close().await.ok();
    server.task.abort();
    db.finish().await;
    std::fs::remove_dir_all(&data_dir).ok();
}
