//! The support desk in a real browser (Debian's Chromium through ChromeDriver): an agent takes a
//! ticket from the queue, inserts a canned reply, writes an internal note and a public reply
//! that proposes closing; the customer sees the reply and the proposal but never the note,
//! closes after a confirmation and rates; the agent sees the rating and the whole history.
//! The queue and the agent's ticket page are checked at 360, 768 and 1280 px and with axe-core.

use std::time::Duration;

use crate::support::{
    browser, check_screen, chromedriver, click, log_in, log_out, text_of, wait_for_text,
};
use fantoccini::Locator;
use madoguchi_app::demo;
use madoguchi_app::tickets::{self, TicketInput};
use madoguchi_core::values::Email;
use madoguchi_store::testing::{Backend, TestDb};
use madoguchi_web::Server;
use madoguchi_web::config::Config;

const NOTE: &str = "社内メモ: 同じ事象の既知の報告はありません。";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_works_a_ticket_from_the_queue_and_the_customer_closes_and_rates_it() {
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
        summary: Some("ブラウザテスト: 請求書の宛先を変更したい".into()),
        service_menu: Some("other".into()),
        tenant_id: Some("tenant-5a1e0001".into()),
        details: Some("請求書の宛先部署を変更する方法を教えてください。".into()),
        menu_fields: [("service_name".to_owned(), "請求".to_owned())].into(),
        ..Default::default()
    };
    let ticket = tickets::file(&db.store, &taro, &input, 0).await.unwrap();
    let key = ticket.key.to_string();

    let data_dir = std::env::temp_dir().join(format!("madoguchi-desk-{}", std::process::id()));
    let mut config = Config::new(data_dir.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.dictionary_dir = std::env::temp_dir().join("madoguchi-test-ipadic");
    let server = Server::start(config, db.store.clone()).await.unwrap();
    let base = format!("http://{}", server.addr);
    let (_driver, client) = browser(&driver_path).await;

    // The agent's home is their queues; the new ticket waits there, unassigned.
    log_in(&client, &base, "agent.general@madoguchi.example").await;
    let row = format!("#row-{key}");
    let row_text = text_of(&client, &row).await;
    assert!(row_text.contains("請求書の宛先"), "{row_text}");
    assert!(row_text.contains("株式会社サンプル商事"), "{row_text}");
    check_screen(&client, "queue").await;

    // Take it in one click.
    click(&client, &format!("{row} button[name=take]")).await;
    text_of(&client, "#banner").await;
    let row_text = text_of(&client, &row).await;
    assert!(
        row_text.contains("窓口 一般"),
        "the row names the new assignee: {row_text}"
    );
    assert!(
        client
            .find(Locator::Css(&format!("{row} button[name=take]")))
            .await
            .is_err(),
        "a taken ticket offers no Take"
    );

    // The agent's ticket page.
    client.goto(&format!("{base}/tickets/{key}")).await.unwrap();
    let assignee = text_of(&client, "#ticket-assignee").await;
    assert_eq!(assignee, "窓口 一般");
    check_screen(&client, "agent-ticket").await;

    // A canned reply goes into the reply box with its placeholders filled, still editable.
    let choice = client.find(Locator::Css("#canned-choice")).await.unwrap();
    choice
        .select_by_label("受付のご連絡")
        .await
        .expect("the demo's canned reply is offered");
    click(&client, "#canned-picker button[type=submit]").await;
    let mut inserted = String::new();
    for _ in 0..50 {
        inserted = client
            .find(Locator::Css("#reply-body"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        if !inserted.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(inserted.contains("佐藤 太郎 様"), "{inserted}");
    assert!(inserted.contains(&key), "{inserted}");
    assert!(inserted.contains("窓口 一般"), "{inserted}");

    // An internal note, with its own button.
    client
        .find(Locator::Css("#note-body"))
        .await
        .unwrap()
        .send_keys(NOTE)
        .await
        .unwrap();
    click(&client, "#note-submit").await;
    wait_for_text(&client, NOTE).await;
    let note_entry = text_of(&client, ".log li.note").await;
    assert!(note_entry.contains(NOTE), "{note_entry}");

    // The public reply: the canned text (typed again after the note's reload) proposes closing.
    let reply_box = client.find(Locator::Css("#reply-body")).await.unwrap();
    reply_box.clear().await.unwrap();
    reply_box
        .send_keys("佐藤 太郎 様\n\n請求先の変更はポータルの「契約情報」から行えます。")
        .await
        .unwrap();
    client
        .find(Locator::Css("#reply-status"))
        .await
        .unwrap()
        .select_by_value("pending_closure")
        .await
        .unwrap();
    click(&client, "#reply-submit").await;
    // The page comes back with the new status (the reply box's status menu names it too, so
    // wait for the badge, not for the words anywhere).
    let mut status = String::new();
    for _ in 0..50 {
        status = text_of(&client, "#ticket-status").await;
        if status == "クローズ待ち" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "クローズ待ち");
    let log = text_of(&client, ".log").await;
    assert!(log.contains("契約情報"), "{log}");
    log_out(&client).await;

    // The customer sees the reply and the proposal to close, never the note.
    log_in(&client, &base, "taro@sample.example").await;
    client.goto(&format!("{base}/tickets/{key}")).await.unwrap();
    let page = wait_for_text(&client, "契約情報").await;
    assert!(page.contains("サポートがクローズを提案しました"), "{page}");
    assert!(!page.contains(NOTE), "the customer must never see the note");
    let source = client.source().await.unwrap();
    assert!(!source.contains(NOTE), "nor find it in the page's source");
    text_of(&client, "#status-banner").await;

    // Close asks first.
    click(&client, "#close-ticket").await;
    click(&client, "#close-confirm").await;
    for _ in 0..50 {
        if text_of(&client, "#ticket-status").await == "クローズ" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(text_of(&client, "#ticket-status").await, "クローズ");
    // The filer rates once.
    click(&client, "label[for=rating-5]").await;
    client
        .find(Locator::Css("#rating-comment"))
        .await
        .unwrap()
        .send_keys("分かりやすいご案内でした。")
        .await
        .unwrap();
    click(&client, "#rating-submit").await;
    let mut asked_again = true;
    for _ in 0..50 {
        asked_again = client.find(Locator::Css("#rating-form")).await.is_ok();
        if !asked_again {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!asked_again, "a rated ticket asks no more");
    let thanks = text_of(&client, "#satisfaction-panel").await;
    assert!(thanks.contains("分かりやすいご案内でした。"), "{thanks}");
    log_out(&client).await;

    // The agent sees the rating and the whole history.
    log_in(&client, &base, "agent.general@madoguchi.example").await;
    client.goto(&format!("{base}/tickets/{key}")).await.unwrap();
    let rating = text_of(&client, "#satisfaction-panel").await;
    assert!(rating.contains('5'), "{rating}");
    assert!(rating.contains("分かりやすいご案内でした。"), "{rating}");
    let history = text_of(&client, "#history").await;
    for expected in ["窓口 一般", "佐藤 太郎", "クローズ待ち", "クローズ"] {
        assert!(
            history.contains(expected),
            "history lacks {expected}: {history}"
        );
    }

    // In English, with both desks' demo tickets in one queue: the longest rows still fit.
    log_out(&client).await;
    log_in(&client, &base, "lead@madoguchi.example").await;
    text_of(&client, "#queue").await;
    check_screen(&client, "queue-en").await;
    client.goto(&format!("{base}/tickets/{key}")).await.unwrap();
    let panel = text_of(&client, "#history").await;
    assert!(
        panel.contains("History"),
        "the page speaks English: {panel}"
    );
    check_screen(&client, "agent-ticket-en").await;

    client.close().await.ok();
    server.task.abort();
    db.finish().await;
    std::fs::remove_dir_all(&data_dir).ok();
}
