//! Every role's main screens in a real browser (Debian's Chromium through ChromeDriver): a
//! customer, a customer admin, an agent and an admin log in and each of their screens is
//! checked at 360, 768 and 1280 px (nothing scrolls sideways; screenshots under
//! `target/screenshots/`) and with axe-core (no serious or critical violation). Then a
//! customer files a ticket from the home page to the ticket page with the keyboard alone,
//! the focus visible at every step.

use std::time::Duration;

use crate::support::{
    browser, check_screen, chromedriver, click, log_in, log_out, serve, text_of, wait_for_text,
};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use madoguchi_app::demo;
use madoguchi_store::testing::{Backend, TestDb};

/// Goes to `path` and checks the screen it shows as `name`.
async fn visit(client: &Client, base: &str, path: &str, name: &str) {
    client.goto(&format!("{base}{path}")).await.unwrap();
    text_of(client, "main h1").await;
    check_screen(client, name).await;
}

/// Follows the first link `css` names and checks the screen it leads to as `name`.
async fn follow(client: &Client, css: &str, name: &str) {
    click(client, css).await;
    text_of(client, "main h1").await;
    check_screen(client, name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_roles_main_screens_fit_a_phone_a_tablet_and_a_laptop_and_pass_axe() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    demo::load(&db.store).await.unwrap();
    let (_server, base) = serve(&db.store, "screens").await;
    let (_driver, client) = browser(&driver_path).await;

    visit(&client, &base, "/login", "login").await;

    // A customer: home, the category and type choice, the filing form with its related
    // articles and with its errors, the list, a ticket, the knowledge center.
    log_in(&client, &base, "taro@sample.example").await;
    visit(&client, &base, "/", "customer-home").await;
    // On a phone the navigation folds behind the menu button, which opens it.
    client.set_window_size(360, 900).await.unwrap();
    let nav_shown =
        "return getComputedStyle(document.querySelector('header.top nav')).display !== 'none';";
    assert_eq!(client.execute(nav_shown, vec![]).await.unwrap(), false);
    click(&client, ".menu-toggle").await;
    assert_eq!(client.execute(nav_shown, vec![]).await.unwrap(), true);
    let expanded = client
        .find(Locator::Css(".menu-toggle"))
        .await
        .unwrap()
        .attr("aria-expanded")
        .await
        .unwrap();
    assert_eq!(expanded.as_deref(), Some("true"));
    check_screen(&client, "customer-home-menu").await;
    visit(&client, &base, "/tickets/new", "categories").await;
    follow(&client, "#categories a", "ticket-types").await;
    click(&client, "a[href$='/general_inquiry']").await;
    client
        .wait()
        .for_element(Locator::Id("ticket-form"))
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=summary]"))
        .await
        .unwrap()
        .send_keys("仮想サーバーが起動しない")
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#related-faq li"))
        .await
        .expect("related articles are suggested while the customer types");
    check_screen(&client, "filing-form").await;
    click(&client, "#submit-ticket").await;
    client
        .wait()
        .for_element(Locator::Id("form-errors"))
        .await
        .unwrap();
    check_screen(&client, "filing-form-errors").await;
    visit(&client, &base, "/tickets", "customer-tickets").await;
    // A ticket support answers and waits on: the log, the banner, the reply form.
    follow(
        &client,
        "#tickets tr:has(.status-waiting_for_customer) a",
        "customer-ticket",
    )
    .await;
    visit(&client, &base, "/kb", "knowledge-center").await;
    follow(&client, "#articles a", "kb-article").await;
    visit(&client, &base, "/no-such-page", "not-found").await;
    log_out(&client).await;

    // A customer admin: home with the contracts, the permission grid.
    log_in(&client, &base, "hanako@sample.example").await;
    visit(&client, &base, "/", "customer-admin-home").await;
    visit(&client, &base, "/permissions", "permissions").await;
    log_out(&client).await;

    // An agent: the queue, the workspace of a ticket, the list, knowledge, canned replies,
    // the report, the profile.
    log_in(&client, &base, "agent.general@madoguchi.example").await;
    visit(&client, &base, "/queues", "queue").await;
    follow(
        &client,
        "#queue tr:has(.status-in_progress) a[href^='/tickets/']",
        "agent-ticket",
    )
    .await;
    visit(&client, &base, "/tickets", "agent-tickets").await;
    visit(&client, &base, "/kb/new", "kb-new").await;
    visit(&client, &base, "/canned-replies", "canned-replies").await;
    visit(&client, &base, "/reports", "reports").await;
    visit(&client, &base, "/profile", "agent-profile").await;
    log_out(&client).await;

    // An admin: home, the console and its customers, outgoing mail, webhooks.
    log_in(&client, &base, "admin@madoguchi.example").await;
    visit(&client, &base, "/", "admin-home").await;
    visit(&client, &base, "/admin", "console").await;
    visit(
        &client,
        &base,
        "/admin/organizations",
        "console-organizations",
    )
    .await;
    follow(&client, "#organizations a", "console-organization").await;
    follow(&client, "#delete-organization", "console-delete").await;
    visit(&client, &base, "/admin/mail", "admin-mail").await;
    visit(&client, &base, "/admin/webhooks", "admin-webhooks").await;
}

/// Presses `key` once, wherever the focus is.
async fn press(client: &Client, key: Key) {
    let key: char = key.into();
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(actions).await.unwrap();
}

/// Types `text` where the focus is, key by key.
async fn type_text(client: &Client, text: &str) {
    let mut actions = KeyActions::new("keyboard".into());
    for c in text.chars() {
        actions = actions
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    client.perform_actions(actions).await.unwrap();
}

/// A description of the focused element, and whether the user can see where the focus is: it
/// matches `:focus-visible` and draws an outline or a shadow.
async fn focus(client: &Client) -> (String, bool) {
    let answer = client
        .execute(
            "const e = document.activeElement; const s = getComputedStyle(e); \
             const drawn = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; \
             return [e.tagName + (e.id ? '#' + e.id : '') + (e.name ? '[' + e.name + ']' : '') + ' ' + (e.textContent || '').trim().slice(0, 40), \
                     e !== document.body && e.matches(':focus-visible') && drawn];",
            vec![],
        )
        .await
        .unwrap();
    (
        answer[0].as_str().unwrap().to_owned(),
        answer[1].as_bool().unwrap(),
    )
}

/// Presses Tab until the focus is on an element matching `css` (unless it is there already),
/// checking at every stop that the focus can be seen.
async fn tab_to(client: &Client, css: &str) {
    let matches = format!("return document.activeElement.matches({css:?});");
    for _ in 0..80 {
        let (what, visible) = focus(client).await;
        let there = client
            .execute(&matches, vec![])
            .await
            .unwrap()
            .as_bool()
            .unwrap();
        if !what.starts_with("BODY") {
            assert!(visible, "the focus on {what} cannot be seen");
        }
        if there {
            return;
        }
        press(client, Key::Tab).await;
    }
    panic!("Tab never reached {css}");
}

/// Presses ArrowDown on the focused select until it shows `value`.
async fn choose(client: &Client, value: &str) {
    for _ in 0..30 {
        let now = client
            .execute("return document.activeElement.value;", vec![])
            .await
            .unwrap();
        if now.as_str() == Some(value) {
            return;
        }
        press(client, Key::Down).await;
    }
    panic!("ArrowDown never chose {value}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_files_a_ticket_with_the_keyboard_alone() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    demo::load(&db.store).await.unwrap();
    let (_server, base) = serve(&db.store, "keyboard").await;
    let (_driver, client) = browser(&driver_path).await;
    client.set_window_size(1280, 900).await.unwrap();

    // Signing in, by keyboard too.
    client.goto(&format!("{base}/login")).await.unwrap();
    tab_to(&client, "input[name=email]").await;
    type_text(&client, "taro@sample.example").await;
    tab_to(&client, "input[name=password]").await;
    type_text(&client, madoguchi_app::demo::DEMO_PASSWORD).await;
    press(&client, Key::Enter).await;
    text_of(&client, "#new-ticket").await;

    // Home → チケットの作成 → the contract's category → the ticket type.
    tab_to(&client, "#new-ticket").await;
    press(&client, Key::Enter).await;
    text_of(&client, "#categories").await;
    tab_to(&client, "#categories a").await;
    press(&client, Key::Enter).await;
    wait_for_text(&client, "General Inquiry").await;
    tab_to(&client, "a[href$='/general_inquiry']").await;
    press(&client, Key::Enter).await;
    text_of(&client, "#ticket-form").await;

    // The form, field by field.
    tab_to(&client, "input[name=summary]").await;
    type_text(&client, "キーボードだけで問い合わせる").await;
    tab_to(&client, "select[name=service_menu]").await;
    choose(&client, "other").await;
    tab_to(&client, "[name='menu.other.service_name']").await;
    type_text(&client, "請求").await;
    tab_to(&client, "select[name=tenant_id]").await;
    choose(&client, "tenant-5a1e0001").await;
    tab_to(&client, "textarea[name=details]").await;
    type_text(&client, "マウスを使わずに起票できるか確かめています。").await;
    tab_to(&client, "#submit-ticket").await;
    press(&client, Key::Space).await;

    let key = text_of(&client, "#ticket-key").await;
    assert!(key.starts_with("SD-"), "{key}");
    let page = wait_for_text(&client, "キーボードだけで問い合わせる").await;
    assert!(
        page.contains("マウスを使わずに起票できるか確かめています。"),
        "{page}"
    );
}
