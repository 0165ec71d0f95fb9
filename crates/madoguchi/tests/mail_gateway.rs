//! `madoguchi mail-gateway` as an MTA's pipe runs it: the command reads one message on stdin
//! and answers with a sysexits code. Every case of issue 11 (the same table as the HTTP
//! endpoint's), on SQLite and PostgreSQL; and `madoguchi backup` with a restore.

#[allow(dead_code)]
#[path = "../../web/tests/api/helpers.rs"]
mod helpers;
#[path = "../../web/tests/api/inbound_cases.rs"]
mod inbound_cases;
#[path = "../../web/tests/api/notify_world.rs"]
mod notify_world;
#[path = "../../app/tests/support/smtp.rs"]
mod smtp;

use std::io::Write;
use std::process::{Command, Stdio};

use helpers::{MAIL_DOMAIN, TestApp};
use inbound_cases::{Delivered, run_all};
use madoguchi_store::testing::Backend;

/// Runs the gateway on `raw` against the app's database; answers its exit code and stderr.
fn gateway(database_url: &str, data_dir: &std::path::Path, raw: &[u8]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .arg("mail-gateway")
        .env("MADOGUCHI_DATABASE_URL", database_url)
        .env("MADOGUCHI_DATA_DIR", data_dir)
        .env("MADOGUCHI_MAIL_FROM", format!("support@{MAIL_DOMAIN}"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn every_case(app: &TestApp) {
    let url = app.db.url.clone();
    let dir = app.data_dir().to_path_buf();
    run_all(app, move |raw| {
        let (code, stderr) = gateway(&url, &dir, &raw);
        std::future::ready(match code {
            0 if stderr.contains("accepted: added") => Delivered::new("accepted", None),
            0 if stderr.contains("delivered before") => Delivered::new("duplicate", None),
            0 if stderr.contains("automatic reply") => Delivered::new("automatic", None),
            0 if stderr.starts_with("refused (") => {
                let reason = stderr["refused (".len()..].split(')').next().unwrap();
                Delivered::new("refused", Some(reason))
            }
            67 => Delivered::new("refused", Some("unknown_recipient")),
            65 => Delivered::new("malformed", None),
            other => panic!("exit {other}: {stderr}"),
        })
    })
    .await;
}

async fn on(backend: Backend) {
    let Some(app) = helpers::spawn_app(backend).await else {
        return;
    };
    every_case(&app).await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_inbound_case_through_mail_gateway_on_sqlite() {
    on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_inbound_case_through_mail_gateway_on_postgres() {
    on(Backend::Postgres).await;
}

#[tokio::test]
async fn a_database_that_cannot_be_reached_means_try_again_later() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .arg("mail-gateway")
        .env(
            "MADOGUCHI_DATABASE_URL",
            "postgres://nobody@127.0.0.1:1/none",
        )
        .env("MADOGUCHI_DATA_DIR", std::env::temp_dir())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&inbound_cases::fixture("utf8_plain.eml"))
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
