//! Where settings come from: flags, then the environment (`MADOGUCHI_*`), then an optional TOML
//! file, then the defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use madoguchi_web::config::{Config, default_database_url};
use serde::Deserialize;

#[derive(Args, Debug)]
pub struct Settings {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true, env = "MADOGUCHI_ADDR")]
    addr: Option<SocketAddr>,
    /// Directory for the database, attachments and indexes [default: ./data].
    #[arg(long, global = true, env = "MADOGUCHI_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// `sqlite://PATH` or `postgres://…` [default: sqlite://DATA_DIR/madoguchi.db].
    #[arg(long, global = true, env = "MADOGUCHI_DATABASE_URL")]
    database_url: Option<String>,
    /// Mark cookies Secure (when users reach the service over HTTPS).
    #[arg(
        long,
        global = true,
        env = "MADOGUCHI_SECURE_COOKIES",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    secure_cookies: bool,
    /// The largest attachment accepted, in MiB [default: 20].
    #[arg(long, global = true, env = "MADOGUCHI_ATTACHMENT_MAX_MIB")]
    attachment_max_mib: Option<u64>,
    /// The most files one ticket or reply carries [default: 10].
    #[arg(long, global = true, env = "MADOGUCHI_ATTACHMENT_MAX_COUNT")]
    attachment_max_count: Option<usize>,
    /// Where links in emails point, e.g. https://support.example.com [default: http://ADDR].
    #[arg(long, global = true, env = "MADOGUCHI_BASE_URL")]
    base_url: Option<String>,
    /// The sender address of notification emails [default: madoguchi@localhost].
    #[arg(long, global = true, env = "MADOGUCHI_MAIL_FROM")]
    mail_from: Option<String>,
    /// The domain of reply addresses (reply+TOKEN@DOMAIN) [default: MAIL_FROM's domain].
    #[arg(long, global = true, env = "MADOGUCHI_INBOUND_DOMAIN")]
    inbound_domain: Option<String>,
    /// SMTP server: smtp://host:25 (plain), smtp://user:pass@host:587?tls=required (STARTTLS),
    /// smtps://user:pass@host:465 (TLS) [default: none, .eml files under DATA_DIR/outbox/].
    #[arg(
        long,
        global = true,
        env = "MADOGUCHI_SMTP_URL",
        hide_env_values = true
    )]
    smtp_url: Option<String>,
    /// The Bearer token a mail service sends to POST /api/v1/inbound-mail [default: none, off].
    #[arg(
        long,
        global = true,
        env = "MADOGUCHI_INBOUND_SECRET",
        hide_env_values = true
    )]
    inbound_secret: Option<String>,
    /// The Bearer token Prometheus sends to GET /metrics [default: none, /metrics off].
    #[arg(
        long,
        global = true,
        env = "MADOGUCHI_METRICS_TOKEN",
        hide_env_values = true
    )]
    metrics_token: Option<String>,
    /// A TOML file with any of: addr, data_dir, database_url, secure_cookies,
    /// attachment_max_mib, attachment_max_count, base_url, mail_from, inbound_domain, smtp_url,
    /// inbound_secret, metrics_token.
    #[arg(long, global = true, env = "MADOGUCHI_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    addr: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    secure_cookies: Option<bool>,
    attachment_max_mib: Option<u64>,
    attachment_max_count: Option<usize>,
    base_url: Option<String>,
    mail_from: Option<String>,
    inbound_domain: Option<String>,
    smtp_url: Option<String>,
    inbound_secret: Option<String>,
    metrics_token: Option<String>,
}

impl Settings {
    pub fn resolve(self) -> Result<Config> {
        let file: FileSettings = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading the config file {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("reading the config file {}", path.display()))?
            }
            None => FileSettings::default(),
        };
        let data_dir = self
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));
        let mut config = Config::new(data_dir.clone());
        if let Some(addr) = self.addr.or(file.addr) {
            config.addr = addr;
        }
        config.database_url = self
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| default_database_url(&data_dir));
        config.secure_cookies = self.secure_cookies || file.secure_cookies.unwrap_or(false);
        if let Some(mib) = self.attachment_max_mib.or(file.attachment_max_mib) {
            config.attachment_max_bytes = mib.saturating_mul(1024 * 1024);
        }
        if let Some(count) = self.attachment_max_count.or(file.attachment_max_count) {
            config.attachment_max_count = count;
        }
        config.base_url = self.base_url.or(file.base_url);
        if let Some(from) = self.mail_from.or(file.mail_from) {
            config.mail_from = from;
        }
        config.inbound_domain = self.inbound_domain.or(file.inbound_domain);
        config.smtp_url = self.smtp_url.or(file.smtp_url);
        config.inbound_secret = self
            .inbound_secret
            .or(file.inbound_secret)
            .filter(|s| !s.trim().is_empty());
        config.metrics_token = self
            .metrics_token
            .or(file.metrics_token)
            .filter(|s| !s.trim().is_empty());
        Ok(config)
    }
}
