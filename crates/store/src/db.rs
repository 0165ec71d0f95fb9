use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, AnyPool, Executor};

use crate::{Result, StoreError};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The repository: one handle, cheap to clone, shared by every request.
#[derive(Clone, Debug)]
pub struct Store {
    /// Reads run here, many at once.
    pub(crate) read: AnyPool,
    /// Writes run here. On SQLite this pool has one connection: SQLite has a single writer,
    /// and queueing for the pool is fairer and cheaper than retrying on `SQLITE_BUSY`.
    pub(crate) write: AnyPool,
    dialect: Dialect,
    /// The catalog (ticket types, service menus), read on nearly every request and changed
    /// almost never: kept for a few seconds so that other instances' changes still show soon.
    pub(crate) catalog: std::sync::Arc<crate::catalog::CatalogCache>,
    /// Verified API tokens, believed for a moment (see [`crate::tokens::TokenCache`]).
    pub(crate) tokens: std::sync::Arc<crate::tokens::TokenCache>,
}

/// Each SQLite connection: write-ahead log so readers never block the writer, `FULL` sync so a
/// commit is on disk before the request is answered, foreign keys enforced.
async fn sqlite_pragmas(conn: &mut AnyConnection) -> std::result::Result<(), sqlx::Error> {
    conn.execute(sqlx::raw_sql(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
    ))
    .await?;
    Ok(())
}

/// Each PostgreSQL connection: no JIT compilation. The planner's cost estimate of a cached
/// generic plan can pass `jit_above_cost` for a statement that reads 51 rows, and compiling
/// then takes 25–50 ms of a request that otherwise takes one.
async fn postgres_settings(conn: &mut AnyConnection) -> std::result::Result<(), sqlx::Error> {
    conn.execute(sqlx::raw_sql("SET jit = off")).await?;
    Ok(())
}

impl Store {
    /// Opens `url` (`sqlite://path` or `postgres://…`), creating a SQLite file and its
    /// directory if missing. Does not migrate; call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        if let Some(path) = sqlite_path(url) {
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::corrupt(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            let url = if url.contains('?') {
                url.to_owned()
            } else {
                format!("{url}?mode=rwc")
            };
            let write = AnyPoolOptions::new()
                .max_connections(1)
                .after_connect(|conn, _| Box::pin(sqlite_pragmas(conn)))
                .connect(&url)
                .await?;
            let read = AnyPoolOptions::new()
                .max_connections(8)
                .after_connect(|conn, _| Box::pin(sqlite_pragmas(conn)))
                .connect(&url)
                .await?;
            Ok(Store {
                read,
                write,
                dialect: Dialect::Sqlite,
                catalog: Default::default(),
                tokens: Default::default(),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(|conn, _| Box::pin(postgres_settings(conn)))
                .connect(url)
                .await?;
            Ok(Store {
                read: pool.clone(),
                write: pool,
                dialect: Dialect::Postgres,
                catalog: Default::default(),
                tokens: Default::default(),
            })
        } else {
            Err(StoreError::Database(sqlx::Error::Configuration(
                format!("unsupported database URL `{url}`: use sqlite://PATH or postgres://…")
                    .into(),
            )))
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so that a transaction that reads before it writes never fails with
    /// `SQLITE_BUSY` when another process (the command line) writes meanwhile.
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.write.begin().await?,
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Brings the schema up to date and seeds the catalog, the SLA targets, the business
    /// calendar and the settings of a new database.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.write).await?;
        self.fill_search_text().await?;
        self.seed_catalog().await?;
        self.seed_sla().await
    }

    /// Fills `search_text` for rows written before the column existed.
    async fn fill_search_text(&self) -> Result<()> {
        let tickets: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, summary, details FROM tickets WHERE search_text = ''")
                .fetch_all(&self.read)
                .await?;
        for (id, summary, details) in tickets {
            sqlx::query("UPDATE tickets SET search_text = $1 WHERE id = $2")
                .bind(search_text(&[&summary, &details]))
                .bind(id)
                .execute(&self.write)
                .await?;
        }
        let articles: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, title, body FROM kb_articles WHERE search_text = ''")
                .fetch_all(&self.read)
                .await?;
        for (id, title, body) in articles {
            sqlx::query("UPDATE kb_articles SET search_text = $1 WHERE id = $2")
                .bind(search_text(&[&title, &body]))
                .bind(id)
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    /// Answers whether the database can be reached (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Refreshes the planner's statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize`
    /// (SQLite) would in time; worth running after a bulk import.
    pub async fn analyze(&self) -> Result<()> {
        let sql = match self.dialect {
            Dialect::Sqlite => "PRAGMA optimize",
            Dialect::Postgres => "ANALYZE",
        };
        sqlx::raw_sql(sql).execute(&self.write).await?;
        Ok(())
    }

    /// Closes every connection, waiting for running queries.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// The file path of a `sqlite:` URL, without its query.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

/// Text as search compares it: NFKC (full-width ＡＢＣ and half-width ｶﾅ become ABC and カナ),
/// then lower case, for every script.
pub(crate) fn normalize(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc().collect::<String>().to_lowercase()
}

/// What a record's `search_text` column holds: its searchable fields, normalised.
pub(crate) fn search_text(parts: &[&str]) -> String {
    normalize(&parts.join("\n"))
}

/// `%words%` for LIKE against `search_text`, normalised, with LIKE's own wildcards escaped
/// (queries say `ESCAPE '\'`). Japanese needs no word boundaries: a substring is a match.
/// Words separated by spaces match in the order typed, with anything between them
/// (`パスワード 期限` finds パスワードの有効期限).
pub(crate) fn like_pattern(q: &str) -> String {
    let words: Vec<String> = normalize(q)
        .split_whitespace()
        .map(|w| {
            w.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        })
        .collect();
    format!("%{}%", words.join("%"))
}

/// Now, as stored: microseconds since the epoch.
pub(crate) fn now() -> i64 {
    Timestamp::now().as_microsecond()
}

/// A stored time back as a timestamp.
pub(crate) fn time(micros: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(micros).map_err(StoreError::corrupt)
}

/// A new id: UUIDv7, so ids sort by creation time and pages can follow them.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Reads a stored code (`plan`, `role`…) back into its enumeration.
pub(crate) fn code<T>(parsed: std::result::Result<T, madoguchi_core::UnknownCode>) -> Result<T> {
    parsed.map_err(StoreError::corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" ログイン "), "%ログイン%");
        assert_eq!(like_pattern("ＡＷＳ"), "%aws%");
        assert_eq!(like_pattern("パスワード　 期限"), "%パスワード%期限%");
        assert_eq!(
            search_text(&["ÉCHEC", "Ошибка СЕТИ", "ｶﾅ"]),
            "échec
ошибка сети
カナ"
        );
        assert_eq!(like_pattern("100%_A"), "%100\\%\\_a%");
        assert_eq!(like_pattern("ＡＷＳ"), "%aws%");
        assert_eq!(like_pattern("パスワード　 期限"), "%パスワード%期限%");
        assert_eq!(
            search_text(&["ÉCHEC", "Ошибка СЕТИ", "ｶﾅ"]),
            "échec\nошибка сети\nカナ"
        );
    }

    #[test]
    fn sqlite_paths_are_found_in_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/madoguchi.db"),
            Some("data/madoguchi.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db?mode=rwc"),
            Some("/tmp/x.db")
        );
        assert_eq!(sqlite_path("postgres://localhost/db"), None);
    }
}
