use std::sync::Arc;

use madoguchi_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Config;

/// What every handler can reach: the store and the settings.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
}
