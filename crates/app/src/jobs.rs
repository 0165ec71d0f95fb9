//! The background jobs of the desk, which `serve` runs on a timer and tests run with a clock
//! of their choosing. Each is claimable and idempotent: several instances may run them at
//! once, and each breach is recorded once, each ticket closed once.

use jiff::{SignedDuration, Timestamp};
use madoguchi_store::Store;

use crate::ServiceResult;

/// Records every SLA breach that has happened by `now` as an `sla.breached` event, once, and
/// marks the tickets whose due-soon moment has passed (for the queues' counts). Answers how
/// many breaches it recorded.
pub async fn run_breach_job(store: &Store, now: Timestamp) -> ServiceResult<usize> {
    let recorded = store.record_sla_breaches(now).await?;
    store.mark_sla_due_soon(now).await?;
    Ok(recorded)
}

/// Closes the pending-closure tickets without a customer reply for the admin's
/// `auto_close_days` by `now`. Answers how many it closed.
pub async fn run_auto_close(store: &Store, now: Timestamp) -> ServiceResult<usize> {
    let days = store.settings().await?.auto_close_days;
    Ok(store
        .auto_close_pending(now, SignedDuration::from_hours(24 * days))
        .await?)
}
