//! Madoguchi over HTTP: the HTML UI, the JSON API with its OpenAPI document, authentication
//! and sessions, and the operations endpoints.

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
mod history_words;
pub mod i18n;
mod ops;
pub mod state;
mod ui;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use madoguchi_app::notify::Mailer;
use madoguchi_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::state::AppState;

/// JSON bodies beyond this are refused with 413; uploads have their own limits.
const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// The whole application: pages, API, OpenAPI document, operations endpoints.
pub fn app(state: AppState) -> Router {
    let (api, mut openapi) = api::router().split_for_parts();
    api::finish_document(&mut openapi);
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(api)
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .merge(ui::router())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(ui::not_found)
        .method_not_allowed_fallback(ui::method_not_allowed)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(axum::middleware::from_fn(error::api_problems))
        .layer(axum::middleware::from_fn(ops::track))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A running server: its real address (port 0 binds a free one) and the task serving it.
pub struct Server {
    pub addr: SocketAddr,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Binds `config.addr` and serves `store` until the task is dropped or the process stops.
    pub async fn start(config: Config, store: Store) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let mailer = Mailer::new(
            config.mail_from.clone(),
            config.inbound_domain.clone(),
            config
                .base_url
                .clone()
                .unwrap_or_else(|| format!("http://{addr}")),
            config.smtp_url.as_deref(),
            config.data_dir.join("outbox"),
        )
        .map_err(|e| std::io::Error::other(e.to_string()))?;
        let search = madoguchi_app::search::Search::open(&store, &config.search())
            .await
            .map_err(std::io::Error::other)?;
        let state = AppState {
            store,
            config: Arc::new(config),
            metrics: ops::recorder(),
            mailer,
            search: search.clone(),
        };
        tokio::spawn(madoguchi_app::search::follow(search, state.store.clone()));
        tokio::spawn(forget_stale_uploads(state.clone()));
        tokio::spawn(desk_jobs(state.store.clone()));
        // Tests that drive the worker by hand (with a clock of their own) turn it off with 0.
        if !state.config.outbox_interval.is_zero() {
            tokio::spawn(outbox_worker(state.clone()));
        }
        let app = app(state);
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown_signal())
                .await
        });
        Ok(Server { addr, task })
    }
}

/// Every hour and at start, forgets uploads never attached (a form abandoned) and removes files
/// a crash left without a row or half-written in `incoming/`. Idempotent: several
/// instances may run it at once.
async fn forget_stale_uploads(state: AppState) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match madoguchi_app::attachments::forget_stale_uploads(&state.store, &state.config.data_dir)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "forgot stale uploads"),
            Err(e) => tracing::warn!(error = %e, "forgetting stale uploads"),
        }
        // The first tick is at once: what a crash left is swept at start too.
        let older_than = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
        match madoguchi_app::attachments::sweep_orphans(
            &state.store,
            &state.config.data_dir,
            older_than,
        )
        .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "removed files a crash left behind"),
            Err(e) => tracing::warn!(error = %e, "sweeping orphan uploads"),
        }
    }
}

/// The desk's jobs: SLA breaches are recorded within half a minute of happening (reports
/// count them as facts), and pending-closure tickets past the admin's auto-close days close
/// every ten minutes. Both are claimable, so every instance may run them.
async fn desk_jobs(store: Store) {
    use std::time::Duration;
    let mut breaches = tokio::time::interval(Duration::from_secs(30));
    let mut auto_close = tokio::time::interval(Duration::from_secs(600));
    breaches.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    auto_close.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = breaches.tick() => {
                match madoguchi_app::jobs::run_breach_job(&store, jiff::Timestamp::now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(breaches = n, "recorded SLA breaches"),
                    Err(e) => tracing::warn!(error = %e, "recording SLA breaches"),
                }
            }
            _ = auto_close.tick() => {
                match madoguchi_app::jobs::run_auto_close(&store, jiff::Timestamp::now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(tickets = n, "auto-closed pending-closure tickets"),
                    Err(e) => tracing::warn!(error = %e, "auto-closing tickets"),
                }
            }
        }
    }
}

/// The outbox worker: every few seconds, fans new events out to webhooks and delivers what is
/// due (emails, webhooks, bounces). Claimable, so every instance may run it.
async fn outbox_worker(state: AppState) {
    let mut tick = tokio::time::interval(state.config.outbox_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match madoguchi_app::notify::run_outbox(&state.store, &state.mailer, jiff::Timestamp::now())
            .await
        {
            Ok(round) if round == Default::default() => {}
            Ok(round) => tracing::info!(?round, "outbox"),
            Err(e) => tracing::warn!(error = %e, "outbox worker"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
