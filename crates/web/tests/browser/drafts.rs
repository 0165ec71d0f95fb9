//! Drafts kept in the browser's storage are forgotten at sign-out: the next person to sign in
//! on the same browser must not find what the last one typed (issue 16).

use crate::support::{browser, chromedriver, log_in};
use fantoccini::{Client, Locator};
use madoguchi_app::demo;
use madoguchi_store::testing::{Backend, TestDb};
use madoguchi_web::Server;
use madoguchi_web::config::Config;

/// How many drafts (`madoguchi:` keys of `localStorage`) this browser holds.
async fn drafts(client: &Client) -> u64 {
    client
        .execute(
            "return Object.keys(localStorage).filter(function (k) { return k.indexOf('madoguchi:') === 0; }).length;",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_forgets_the_drafts_of_this_browser() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    demo::load(&db.store).await.unwrap();
    let mut config = Config::new(
        std::env::temp_dir().join(format!("madoguchi-browser-drafts-{}", std::process::id())),
    );
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.dictionary_dir = std::env::temp_dir().join("madoguchi-test-ipadic");
    let server = Server::start(config, db.store.clone()).await.unwrap();
    let base = format!("http://{}", server.addr);
    let (_driver, client) = browser(&driver_path).await;
    log_in(&client, &base, "taro@sample.example").await;

    client
        .goto(&format!("{base}/tickets/new/ECL-1001/general_inquiry"))
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("input[name=summary]"))
        .await
        .unwrap()
        .send_keys("社外秘の下書き")
        .await
        .unwrap();
    assert_eq!(drafts(&client).await, 1, "typing keeps a draft");

    // The sign-out button of the navigation (clicked by script: on a narrow window it sits in
    // the folded menu).
    client
        .execute(
            "document.querySelector('form[action=\"/logout\"] button').click();",
            vec![],
        )
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("form[action='/login']"))
        .await
        .unwrap();
    assert_eq!(drafts(&client).await, 0, "signing out forgets the draft");

    // Signing in again on this browser, the form starts empty: nothing was left behind.
    log_in(&client, &base, "taro@sample.example").await;
    client
        .goto(&format!("{base}/tickets/new/ECL-1001/general_inquiry"))
        .await
        .unwrap();
    let summary = client
        .wait()
        .for_element(Locator::Css("input[name=summary]"))
        .await
        .unwrap();
    assert_eq!(summary.prop("value").await.unwrap().unwrap_or_default(), "");
    assert!(client.find(Locator::Id("ticket-form-draft")).await.is_err());

    client.close().await.ok();
    server.task.abort();
    db.finish().await;
}
