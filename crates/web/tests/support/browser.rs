//! What every browser test shares: Debian's Chromium driven through ChromeDriver, the demo
//! log-in, and the checks every main screen passes (no horizontal overflow at 360, 768 and
//! 1280 px, screenshots, and axe-core finding no serious or critical violation).

#![allow(dead_code)] // each test target uses its own part

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use madoguchi_app::demo::DEMO_PASSWORD;
use serde_json::json;

/// ChromeDriver and the browser profile it used; both go when the test ends.
pub struct Driver(Child, std::path::PathBuf);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
        std::fs::remove_dir_all(&self.1).ok();
    }
}

/// Set to `1` to skip the browser tests (and their accessibility checks) on a machine without
/// Chromium, ChromeDriver or axe-core (outside CI only).
pub const SKIP_BROWSER: &str = "MADOGUCHI_SKIP_BROWSER";

/// ChromeDriver's path; `None` (the test skips) only when [`SKIP_BROWSER`] asks for it and the
/// driver is missing (`skip_or_fail`: loudly, outside CI).
pub fn chromedriver() -> Option<String> {
    let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let found = Command::new(&path)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if found {
        return Some(path);
    }
    madoguchi_store::testing::skip_or_fail(
        "browser test",
        SKIP_BROWSER,
        false,
        &format!("no chromedriver at {path} (apt-get install chromium chromium-driver)"),
    );
    None
}

pub async fn browser(driver_path: &str) -> (Driver, Client) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver_path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = std::env::temp_dir().join(format!("madoguchi-chromium-{port}"));
    let driver = Driver(child, profile.clone());
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        &format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "args": args, "binary": chromium_binary() }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return (driver, client),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("chromedriver did not answer at {url}");
}

fn chromium_binary() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

pub async fn log_in(client: &Client, base: &str, email: &str) {
    client.goto(&format!("{base}/login")).await.unwrap();
    client
        .find(Locator::Css("input[name=email]"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(DEMO_PASSWORD)
        .await
        .unwrap();
    client
        .find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .unwrap();
}

/// The widths the UI is checked at: a phone, a tablet, a laptop (UI.md).
pub const WIDTHS: [u32; 3] = [360, 768, 1280];

/// axe-core's script, installed from the npm registry by `.ci/run` (`tools/`). Without it the
/// check fails, unless [`SKIP_BROWSER`] asks to skip (then it says so on the terminal); under
/// `CI=true` it always fails.
fn axe_source() -> Option<String> {
    let path = std::env::var("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../tools/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            madoguchi_store::testing::skip_or_fail(
                "accessibility check",
                SKIP_BROWSER,
                false,
                &format!(
                    "no axe-core at {}: {e} (npm install --prefix tools)",
                    path.display()
                ),
            );
            None
        }
    }
}

/// Checks the page the browser shows, named `name`: at each width nothing scrolls sideways
/// (a screenshot is kept under `target/screenshots/`), and axe-core finds no violation of
/// impact serious or critical.
pub async fn check_screen(client: &Client, name: &str) {
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for width in WIDTHS {
        client.set_window_size(width, 900).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let overflow = client
            .execute(
                "const d = document.documentElement; return [d.scrollWidth, d.clientWidth, \
                 [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > d.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)];",
                vec![],
            )
            .await
            .unwrap();
        let png = client.screenshot().await.unwrap();
        std::fs::write(shots.join(format!("{name}-{width}.png")), png).unwrap();
        let scroll = overflow[0].as_i64().unwrap();
        let inner = overflow[1].as_i64().unwrap();
        assert!(
            scroll <= inner,
            "{name} at {width} px scrolls sideways ({scroll} > {inner}); widest: {}",
            overflow[2]
        );
    }
    client.set_window_size(1280, 900).await.unwrap();
    let Some(axe) = axe_source() else {
        return;
    };
    client.execute(&axe, vec![]).await.unwrap();
    let violations = client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations \
               .filter(v => v.impact === 'serious' || v.impact === 'critical') \
               .map(v => ({ id: v.id, impact: v.impact, help: v.help, \
                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        violations,
        json!([]),
        "{name}: axe-core found serious or critical violations"
    );
}

/// The text of the element `css` names, waiting for it; an element replaced while it was
/// read (the page navigated) is looked up again.
pub async fn text_of(client: &Client, css: &str) -> String {
    for _ in 0..50 {
        let element = client
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match element.text().await {
            Ok(text) => return text,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("{css} never stayed on the page long enough to be read");
}

/// Clicks the element `css` names, waiting for it; an element replaced before the click (the
/// page was still navigating) is looked up again.
pub async fn click(client: &Client, css: &str) {
    for _ in 0..50 {
        let element = client
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match element.click().await {
            Ok(()) => return,
            Err(e) if e.to_string().contains("stale element") => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => panic!("click {css}: {e}"),
        }
    }
    panic!("{css} never stayed on the page long enough to be clicked");
}

pub async fn log_out(client: &Client) {
    click(client, "form[action='/logout'] button").await;
    client
        .wait()
        .for_element(Locator::Css("form[action='/login']"))
        .await
        .unwrap();
}

/// Waits until the page's text contains `needle`, and answers that text.
pub async fn wait_for_text(client: &Client, needle: &str) -> String {
    for _ in 0..50 {
        let body = text_of(client, "body").await;
        if body.contains(needle) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the page never said `{needle}`:\n{}",
        text_of(client, "body").await
    );
}

/// Madoguchi on a free port over `store`, its data under a temporary directory named `name`;
/// answers the server and its base URL.
pub async fn serve(store: &madoguchi_store::Store, name: &str) -> (madoguchi_web::Server, String) {
    let dir = std::env::temp_dir().join(format!("madoguchi-{name}-{}", std::process::id()));
    let mut config = madoguchi_web::config::Config::new(dir);
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.dictionary_dir = std::env::temp_dir().join("madoguchi-test-ipadic");
    let server = madoguchi_web::Server::start(config, store.clone())
        .await
        .unwrap();
    let base = format!("http://{}", server.addr);
    (server, base)
}
