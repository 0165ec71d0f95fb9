//! An operator onboards a new customer in the console, in a real browser (Debian's Chromium
//! through ChromeDriver), as issue 13 asks: the admin adds an organization, its tenant, a
//! premium contract and a customer admin with a colleague, and a service menu with a required
//! item; the customer admin signs in and grants the colleague edit permission on their own
//! organization's page; the colleague files a premium ticket on the new menu, whose form
//! demands the new item. Every console screen on the way is checked at 360, 768 and 1280 px
//! and with axe-core.

use fantoccini::{Client, Locator};
use madoguchi_app::demo;
use madoguchi_store::testing::{Backend, TestDb};

use crate::support::{
    browser, check_screen, chromedriver, click, log_in, log_out, serve, text_of, wait_for_text,
};

/// Types `text` into the field `css` names, after clearing it.
async fn fill(client: &Client, css: &str, text: &str) {
    let field = client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Chooses `value` in the select `css` names.
async fn choose(client: &Client, css: &str, value: &str) {
    client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
}

/// Goes to `path`, waits for its heading and checks the screen as `name`.
async fn visit(client: &Client, base: &str, path: &str, name: &str) {
    client.goto(&format!("{base}{path}")).await.unwrap();
    text_of(client, "main h1").await;
    check_screen(client, name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_onboards_a_customer_who_grants_a_colleague_who_files_on_the_new_menu() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    demo::load(&db.store).await.unwrap();
    let (_server, base) = serve(&db.store, "onboarding").await;
    let (_driver, client) = browser(&driver_path).await;
    client.set_window_size(1280, 900).await.unwrap();

    // The admin adds the organization from the customers page.
    log_in(&client, &base, "admin@madoguchi.example").await;
    visit(
        &client,
        &base,
        "/admin/organizations",
        "onboarding-organizations",
    )
    .await;
    fill(&client, "#organization-name", "株式会社オンボード").await;
    click(&client, "#new-organization button[type=submit]").await;
    wait_for_text(&client, "株式会社オンボード").await;
    text_of(&client, "#new-tenant").await;

    // Its tenant, its premium contract, its customer admin and a colleague.
    fill(&client, "#tenant-tenant_id", "tenant-onb1").await;
    click(&client, "#new-tenant button[type=submit]").await;
    wait_for_text(&client, "tenant-onb1").await;
    fill(&client, "#contract-contract_number", "C-ONB-001").await;
    fill(&client, "#contract-product_line", "Enterprise Cloud 2.0").await;
    fill(
        &client,
        "#contract-contracting_corporation",
        "株式会社オンボード",
    )
    .await;
    choose(&client, "#contract-plan", "premium").await;
    click(&client, "#new-contract button[type=submit]").await;
    wait_for_text(&client, "C-ONB-001").await;
    for (email, name, role) in [
        ("kanri@onboard.example", "管理 花子", "customer_admin"),
        ("douryou@onboard.example", "同僚 次郎", "customer"),
    ] {
        fill(&client, "#user-email", email).await;
        fill(&client, "#user-name", name).await;
        choose(&client, "#user-role", role).await;
        // The password the shared log-in helper types.
        fill(&client, "#user-password", demo::DEMO_PASSWORD).await;
        click(&client, "#new-user button[type=submit]").await;
        wait_for_text(&client, email).await;
    }
    check_screen(&client, "onboarding-organization").await;

    // A service menu with a required item, in the catalog.
    visit(&client, &base, "/admin/catalog", "onboarding-catalog").await;
    fill(&client, "#menu-key", "gpu_server").await;
    fill(&client, "#menu-name_ja", "GPUサーバー").await;
    fill(&client, "#menu-name_en", "GPU Server").await;
    click(&client, "#new-menu button[type=submit]").await;
    text_of(&client, "#new-item").await;
    fill(&client, "#new-item-key", "gpu_model").await;
    fill(&client, "#new-item-label_ja", "GPUモデル").await;
    fill(&client, "#new-item-label_en", "GPU model").await;
    choose(&client, "#new-item-input", "text").await;
    let required = client
        .find(Locator::Css("#new-item-required"))
        .await
        .unwrap();
    if required.prop("checked").await.unwrap().as_deref() != Some("true") {
        required.click().await.unwrap();
    }
    click(&client, "#new-item button[type=submit]").await;
    wait_for_text(&client, "GPUモデル").await;
    check_screen(&client, "onboarding-catalog-menu").await;

    // The other console screens an operator works with.
    visit(&client, &base, "/admin/users?role=agent", "console-staff").await;
    visit(&client, &base, "/admin/desks", "console-desks").await;
    visit(&client, &base, "/admin/sla", "console-sla").await;
    visit(&client, &base, "/admin/calendar", "console-calendar").await;
    visit(&client, &base, "/admin/settings", "console-settings").await;
    visit(&client, &base, "/admin/import", "console-import").await;
    visit(&client, &base, "/profile", "admin-profile-tokens").await;
    log_out(&client).await;

    // The customer admin grants the colleague edit permission on their organization's page.
    log_in(&client, &base, "kanri@onboard.example").await;
    visit(
        &client,
        &base,
        "/organization",
        "customer-admin-organization",
    )
    .await;
    let grid = text_of(&client, "#permission-grid").await;
    assert!(
        grid.contains("同僚 次郎") && !grid.contains("taro@sample.example"),
        "their own organization only: {grid}"
    );
    let cell = "select[aria-label='同僚 次郎 / C-ONB-001']";
    choose(&client, cell, "edit").await;
    let form = client
        .find(Locator::Css(cell))
        .await
        .unwrap()
        .find(Locator::XPath("./ancestor::form"))
        .await
        .unwrap();
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_of(&client, "main [role=status]").await;
    let level = client
        .find(Locator::Css(cell))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(level.as_deref(), Some("edit"));
    log_out(&client).await;

    // The colleague files a premium ticket on the new menu; the form demands its item.
    log_in(&client, &base, "douryou@onboard.example").await;
    client.goto(&format!("{base}/tickets/new")).await.unwrap();
    click(&client, "#categories a").await;
    click(&client, "a[href$='/premium_general_inquiry']").await;
    text_of(&client, "#ticket-form").await;
    fill(&client, "input[name=summary]", "GPU ノードが応答しない").await;
    choose(&client, "select[name=service_menu]", "gpu_server").await;
    choose(&client, "select[name=tenant_id]", "tenant-onb1").await;
    fill(
        &client,
        "textarea[name=details]",
        "学習ジョブの途中でノードが応答しなくなりました。",
    )
    .await;
    click(&client, "#submit-ticket").await;
    let refused = text_of(&client, "[data-field='menu_fields.gpu_model']").await;
    assert!(!refused.is_empty(), "the new required item is demanded");
    let summary = client
        .find(Locator::Css("input[name=summary]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        summary.as_deref(),
        Some("GPU ノードが応答しない"),
        "what was typed is kept"
    );
    fill(&client, "[name='menu.gpu_server.gpu_model']", "H100").await;
    click(&client, "#submit-ticket").await;
    let key = text_of(&client, "#ticket-key").await;
    assert!(key.starts_with("SD-"), "{key}");
    let page = wait_for_text(&client, "GPU ノードが応答しない").await;
    assert!(
        page.contains("GPUモデル") && page.contains("H100"),
        "the ticket shows the new item: {page}"
    );
}
