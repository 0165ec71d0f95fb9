use std::sync::Arc;

use madoguchi_app::inbound::InboundLimits;
use madoguchi_app::notify::Mailer;
use madoguchi_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Config;

/// What every handler can reach: the store, the search indexes, the settings, and how mail
/// leaves.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
    pub mailer: Mailer,
    /// The search indexes, following the store's event log.
    pub search: Arc<madoguchi_app::search::Search>,
}

impl AppState {
    /// Incoming mail keeps the web's attachment limits.
    pub fn inbound_limits(&self, bounce_unknown: bool) -> InboundLimits {
        InboundLimits {
            data_dir: self.config.data_dir.clone(),
            max_bytes: self.config.attachment_max_bytes,
            max_count: self.config.attachment_max_count,
            bounce_unknown,
        }
    }
}
