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
    /// Serving the demo (`serve --demo`): the sign-in page says where its logins are.
    pub demo: bool,
    /// Where links in emails point (`https://desk.example.com`); by default `http://ADDR`.
    pub base_url: Option<String>,
    /// The sender of notification emails.
    pub mail_from: String,
    /// The domain of reply addresses (`reply+<token>@<domain>`); by default `mail_from`'s.
    pub inbound_domain: Option<String>,
    /// `smtp://`, `smtp://…?tls=required` (STARTTLS) or `smtps://` (TLS), with `user:pass@`
    /// for authentication; unset writes `.eml` files under `data_dir/outbox/`.
    pub smtp_url: Option<String>,
    /// The Bearer token of `POST /api/v1/inbound-mail`; unset turns the endpoint off.
    pub inbound_secret: Option<String>,
    /// The Bearer token `/metrics` asks for; unset turns `/metrics` off.
    pub metrics_token: Option<String>,
    /// How often the outbox worker looks for due rows.
    pub outbox_interval: std::time::Duration,
    /// The search indexes (`DATA/index/`): derived from the store, rebuilt when missing.
    pub index_dir: PathBuf,
    /// Where the morphological dictionary is built from Debian's `mecab-ipadic` once and kept.
    pub dictionary_dir: PathBuf,
}

impl Config {
    /// The defaults of SPEC §8: `127.0.0.1:8080`, everything under `./data`.
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: default_database_url(&data_dir),
            secure_cookies: false,
            session_lifetime: SignedDuration::from_hours(24 * 14),
            attachment_max_bytes: 20 * 1024 * 1024,
            attachment_max_count: 10,
            demo: false,
            base_url: None,
            mail_from: "madoguchi@localhost".into(),
            inbound_domain: None,
            smtp_url: None,
            inbound_secret: None,
            metrics_token: None,
            outbox_interval: std::time::Duration::from_secs(2),
            index_dir: data_dir.join("index"),
            dictionary_dir: data_dir.join("index").join("ipadic"),
            data_dir,
        }
    }
}

/// The embedded default: `DATA_DIR/madoguchi.db`.
pub fn default_database_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}", data_dir.join("madoguchi.db").display())
}

impl Config {
    /// The address links in emails point to.
    pub fn public_base_url(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
    }

    /// Where search keeps its indexes and dictionary.
    pub fn search(&self) -> madoguchi_app::search::SearchConfig {
        madoguchi_app::search::SearchConfig {
            index_dir: Some(self.index_dir.clone()),
            dictionary_dir: self.dictionary_dir.clone(),
            ipadic_sources: PathBuf::from(madoguchi_search::dictionary::DEBIAN_IPADIC),
        }
    }
}
