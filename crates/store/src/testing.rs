//! A fresh database for each test, on SQLite or PostgreSQL (feature `testing`).
//!
//! PostgreSQL tests use `MADOGUCHI_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets its own schema, so tests run in
//! parallel without seeing each other. Without PostgreSQL at the default address they are
//! skipped, loudly (see [`skip_or_fail`]); a URL set by hand that cannot be reached fails them
//! unless `MADOGUCHI_SKIP_POSTGRES=1`. Under `CI=true` they never skip.

use std::path::PathBuf;

use sqlx::Connection;

use crate::Store;

/// The databases every store test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A migrated store of its own, removed when the test finishes.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { server_url: String, schema: String },
}

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Set to `1` to skip the PostgreSQL tests even when `MADOGUCHI_TEST_DATABASE_URL` was set by
/// hand and cannot be reached (outside CI only).
pub const SKIP_POSTGRES: &str = "MADOGUCHI_SKIP_POSTGRES";

/// What a test does when something it needs is missing (PostgreSQL, ChromeDriver, axe-core):
/// `what` names the test's kind, `why` the missing thing and the error. Under `CI=true` it
/// fails: CI runs everything. Otherwise it also fails when the person named the thing
/// themselves (`configured`, e.g. `MADOGUCHI_TEST_DATABASE_URL` set: a wrong database name never
/// passes as a green test), unless `skip_var` is `1`. A machine that simply lacks it skips the
/// test loudly: the notice goes to the terminal (`/dev/tty`), which the test harness does not
/// capture, and to stderr. Returns only when the test is to be skipped.
pub fn skip_or_fail(what: &str, skip_var: &str, configured: bool, why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} cannot run under CI=true, where nothing is skipped: {why}");
    }
    let asked_to_skip = std::env::var(skip_var).is_ok_and(|v| v == "1");
    if configured && !asked_to_skip {
        panic!("{what} cannot run: {why}. Fix that, or set {skip_var}=1 to skip such tests");
    }
    let notice = format!("\n*** SKIPPED: {what}, {why} ***\n");
    eprintln!("{notice}");
    if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        use std::io::Write;
        tty.write_all(notice.as_bytes()).ok();
    }
}

impl TestDb {
    /// A new database on `backend`; `None` when PostgreSQL is unreachable outside CI.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

    async fn sqlite() -> TestDb {
        let dir =
            std::env::temp_dir().join(format!("madoguchi-test-{}", uuid::Uuid::now_v7().simple()));
        let url = format!("sqlite://{}/madoguchi.db", dir.display());
        let store = Store::connect(&url).await.expect("open SQLite");
        store.migrate().await.expect("migrate SQLite");
        TestDb {
            store,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    async fn postgres() -> Option<TestDb> {
        let server_url = std::env::var("MADOGUCHI_TEST_DATABASE_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES.into());
        let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
        let mut admin = match sqlx::PgConnection::connect(&server_url).await {
            Ok(conn) => conn,
            Err(e) => {
                skip_or_fail(
                    "PostgreSQL test",
                    SKIP_POSTGRES,
                    std::env::var("MADOGUCHI_TEST_DATABASE_URL").is_ok(),
                    &format!("no database at {server_url}: {e}"),
                );
                return None;
            }
        };
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut admin)
            .await
            .expect("create test schema");
        admin.close().await.ok();
        let sep = if server_url.contains('?') { '&' } else { '?' };
        let url = format!("{server_url}{sep}options=-c%20search_path%3D{schema}");
        let store = Store::connect(&url).await.expect("open PostgreSQL");
        store.migrate().await.expect("migrate PostgreSQL");
        Some(TestDb {
            store,
            url,
            cleanup: Cleanup::Postgres { server_url, schema },
        })
    }

    /// Runs one statement as written and answers how many rows it changed: for tests that set
    /// up facts no API writes on their branch yet (a rating, a due time in the past).
    pub async fn execute_sql(&self, statement: &str) -> u64 {
        sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
            .execute(&self.store.write)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"))
            .rows_affected()
    }

    /// Closes the store and removes its database.
    pub async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::Sqlite(dir) => {
                std::fs::remove_dir_all(dir).ok();
            }
            Cleanup::Postgres { server_url, schema } => {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&server_url).await {
                    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                        .execute(&mut admin)
                        .await
                        .ok();
                }
            }
        }
    }
}

/// Writes a test once and runs it on both databases:
/// `store_test!(name, |store| async move { ... })` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! store_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run(backend: $crate::testing::Backend) {
                let Some(db) = $crate::testing::TestDb::new(backend).await else {
                    return;
                };
                let body = $body;
                body(db.store.clone()).await;
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::testing::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::testing::Backend::Postgres).await;
            }
        }
    };
}

/// Moves a ticket and its messages back in time by `by`, as if it had been filed that much
/// earlier: every time it holds (filing, status, SLA dues and facts) shifts on the wall
/// clock. Lets a test see a due pass without waiting.
pub async fn move_ticket_back(store: &Store, ticket_id: &str, by: jiff::SignedDuration) {
    store
        .move_ticket_back(ticket_id, by)
        .await
        .expect("move the ticket back");
}
