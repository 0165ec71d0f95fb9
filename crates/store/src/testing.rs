//! A fresh database for each test, on SQLite or PostgreSQL (feature `testing`).
//!
//! PostgreSQL tests use `MADOGUCHI_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets its own schema, so tests run in
//! parallel without seeing each other. Without a reachable PostgreSQL they are skipped, loudly;
//! under `CI=true` they fail instead.

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
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("PostgreSQL at {server_url} is unreachable under CI=true: {e}");
                }
                eprintln!("\n*** SKIPPED: PostgreSQL test, no database at {server_url}: {e} ***\n");
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
