//! The service's settings: one typed struct, read once at start and passed down.

use std::net::SocketAddr;
use std::path::PathBuf;

use jiff::SignedDuration;

/// Everything `serve` needs to know. Built by the command line from flags, the environment
/// (`MADOGUCHI_*`) and defaults, in that order.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; by default a SQLite file in `data_dir`.
    pub database_url: String,
    /// Mark cookies `Secure`: set when the service is reached over TLS (behind a proxy).
    pub secure_cookies: bool,
    /// How long a login lasts.
    pub session_lifetime: SignedDuration,
    /// The largest attachment accepted, in bytes.
    pub attachment_max_bytes: u64,
    /// The most files one ticket or reply carries.
    pub attachment_max_count: usize,
}

impl Config {
    /// The defaults of SPEC §8: `127.0.0.1:8080`, everything under `./data`.
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: default_database_url(&data_dir),
            data_dir,
            secure_cookies: false,
            session_lifetime: SignedDuration::from_hours(24 * 14),
            attachment_max_bytes: 20 * 1024 * 1024,
            attachment_max_count: 10,
        }
    }
}

/// The embedded default: `DATA_DIR/madoguchi.db`.
pub fn default_database_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}", data_dir.join("madoguchi.db").display())
}
