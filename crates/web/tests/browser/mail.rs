//! The email round trip in a real browser (Debian's Chromium through ChromeDriver): the agent
//! replies on the ticket page; `serve`'s outbox worker sends the customer an email through a
//! real SMTP conversation with a server this test starts; the customer answers that email
//! (from Gmail, quoting it); the answer, without the quote, appears in the response log the
//! customer and the agent read. The profile page's email choices and the admins' mail and
//! webhooks pages pass the screen checks (widths, axe-core).

use std::time::Duration;

use crate::support::{browser, check_screen, chromedriver, log_in, log_out, text_of};
use fantoccini::Locator;
use madoguchi_app::demo;
use madoguchi_app::tickets::{self, TicketInput};
use madoguchi_core::values::Email;
use madoguchi_store::testing::{Backend, TestDb};
use madoguchi_web::Server;
use madoguchi_web::config::Config;

const SECRET: &str = "browser-inbound-secret";

/// The value of header `name` in a raw message (unfolded).
fn header(raw: &str, name: &str) -> String {
    let head = raw.split("\r\n\r\n").next().unwrap().replace("\r\n ", " ");
    head.lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_answers_support_by_email_and_the_answer_shows_in_the_log() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let smtp = crate::smtp::SmtpServer::start();
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
        summary: Some("メールテスト: バックアップの保存期間".into()),
        service_menu: Some("other".into()),
        tenant_id: Some("tenant-5a1e0001".into()),
        details: Some("バックアップは何日保存されますか。".into()),
        menu_fields: [("service_name".to_owned(), "バックアップ".to_owned())].into(),
        ..Default::default()
    };
    let ticket = tickets::file(&db.store, &taro, &input, 0).await.unwrap();
    let key = ticket.key.to_string();

    let data_dir = std::env::temp_dir().join(format!("madoguchi-mail-{}", std::process::id()));
    let mut config = Config::new(data_dir.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.smtp_url = Some(smtp.url.clone());
    config.mail_from = "support@madoguchi.test".into();
    config.inbound_secret = Some(SECRET.into());
    config.outbox_interval = Duration::from_millis(200);
    let server = Server::start(config, db.store.clone()).await.unwrap();
    let base = format!("http://{}", server.addr);
    let (_driver, client) = browser(&driver_path).await;

    // The agent replies on the ticket page.
    log_in(&client, &base, "agent.general@madoguchi.example").await;
    client.goto(&format!("{base}/tickets/{key}")).await.unwrap();
    client
        .wait()
        .for_element(Locator::Css("#reply-body"))
        .await
        .unwrap()
        .send_keys("バックアップは 14 日間保存されます。")
        .await
        .unwrap();
    client
        .find(Locator::Css("#reply-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    log_out(&client).await;

    // The customer's email arrives: in Japanese, without the reply's text, with a reply address.
    let mut mail = None;
    for _ in 0..100 {
        // The demo's own history queued emails too: this ticket's is the one with its key.
        mail = smtp.received().into_iter().find(|m| {
            m.to.iter().any(|t| t == "taro@sample.example")
                && madoguchi_mail::parse(&m.data).is_ok_and(|p| p.subject.contains(&key))
        });
        if mail.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mail = mail.expect("the customer's email reached the SMTP server");
    let raw = mail.text();
    let parsed = madoguchi_mail::parse(&mail.data).unwrap();
    assert!(
        parsed.subject.contains(&key) && parsed.subject.contains("サポートから回答がありました")
    );
    assert!(!parsed.text.contains("14 日間"), "content-free by default");
    let reply_to = header(&raw, "Reply-To");
    let reply_address = reply_to
        .rsplit_once('<')
        .map(|(_, a)| a.trim_end_matches('>').to_owned())
        .unwrap();
    let message_id = header(&raw, "Message-ID");

    // The customer answers from Gmail, quoting the notification.
    let answer = format!(
        "From: =?UTF-8?B?5L2Q6Jek?= <taro@sample.example>\r\nTo: {reply_address}\r\n\
         Subject: Re: {key}\r\nMessage-ID: <answer-1@mail.sample.example>\r\n\
         In-Reply-To: {message_id}\r\nReferences: {message_id}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         ありがとうございます。30 日に延ばせますか。\r\n\r\n\
         2026年11月30日(月) 10:00 Madoguchi サポート窓口 <{reply_address}>:\r\n\r\n> 佐藤 太郎 様\r\n"
    );
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/inbound-mail"))
        .bearer_auth(SECRET)
        .header("content-type", "message/rfc822")
        .body(answer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let outcome: serde_json::Value = response.json().await.unwrap();
    assert_eq!(outcome["outcome"], "accepted", "{outcome}");

    // The customer sees their answer in the response log, without the quote.
    log_in(&client, &base, "taro@sample.example").await;
    client.goto(&format!("{base}/tickets/{key}")).await.unwrap();
    let log = text_of(&client, ".log").await;
    assert!(log.contains("30 日に延ばせますか。"), "{log}");
    assert!(log.contains("14 日間保存されます"), "{log}");
    assert!(
        !log.contains("佐藤 太郎 様\n") && !log.contains("> "),
        "no quote: {log}"
    );
    // The profile page's email choices.
    client.goto(&format!("{base}/profile")).await.unwrap();
    text_of(&client, "#notifications").await;
    check_screen(&client, "profile-notifications").await;
    log_out(&client).await;

    // The agent reads it too.
    log_in(&client, &base, "agent.general@madoguchi.example").await;
    client.goto(&format!("{base}/tickets/{key}")).await.unwrap();
    let log = text_of(&client, ".log").await;
    assert!(log.contains("30 日に延ばせますか。"), "{log}");
    log_out(&client).await;

    // The admins' pages.
    log_in(&client, &base, "admin@madoguchi.example").await;
    client.goto(&format!("{base}/admin/mail")).await.unwrap();
    text_of(&client, "#recent").await;
    check_screen(&client, "admin-mail").await;
    client
        .goto(&format!("{base}/admin/webhooks"))
        .await
        .unwrap();
    text_of(&client, "#webhook-create").await;
    check_screen(&client, "admin-webhooks").await;

    client.close().await.ok();
    server.task.abort();
    db.finish().await;
    std::fs::remove_dir_all(&data_dir).ok();
}
