//! The audit log page in a real browser (Chromium through ChromeDriver), over the demo data:
//! an admin's whole log and a customer admin's part of it, each at 360, 768 and 1280 px
//! without sideways scrolling and with no serious or critical axe-core violation; also the
//! form's error summary.

use crate::support::{browser, check_screen, chromedriver, log_in, serve};
use fantoccini::Locator;
use madoguchi_app::demo;
use madoguchi_store::testing::{Backend, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_and_customer_admins_read_the_audit_log_on_every_screen() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    demo::load(&db.store).await.unwrap();
    let (server, base) = serve(&db.store, "audit").await;
    let (_driver, client) = browser(&driver_path).await;

    // The admin reaches the log from the navigation and sees every organization's events.
    log_in(&client, &base, "admin@madoguchi.example").await;
    client
        .find(Locator::Css("nav a[href='/admin/events']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("#audit-events"))
        .await
        .unwrap();
    check_screen(&client, "audit-admin").await;

    // A bad date comes back with the summary linking to its field.
    client
        .goto(&format!(
            "{base}/admin/events?from=someday&kind=permission.granted"
        ))
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("#error-summary a[href='#audit-from']"))
        .await
        .unwrap();
    check_screen(&client, "audit-admin-error").await;

    // A customer admin sees their organization's part, with no organization to pick.
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
    log_in(&client, &base, "hanako@sample.example").await;
    client.goto(&format!("{base}/admin/events")).await.unwrap();
    client
        .wait()
        .for_element(Locator::Css("#audit-events"))
        .await
        .unwrap();
    assert!(
        client
            .find(Locator::Css("#audit-organization"))
            .await
            .is_err()
    );
    let staff_rows = client
        .find_all(Locator::Css(
            "tr[data-kind='ticket.assigned'], tr[data-kind='ticket.priority_changed']",
        ))
        .await
        .unwrap();
    assert!(staff_rows.is_empty(), "staff-internal events stay hidden");
    check_screen(&client, "audit-customer-admin").await;

    client.close().await.ok();
    server.task.abort();
    db.finish().await;
}
