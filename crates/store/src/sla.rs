//! Each ticket's SLA record (SPEC §6), kept in the ticket's `sla_*` columns by the
//! transaction that changes the ticket: filing starts the clocks, a public agent reply meets
//! the first response and restarts the update target, waiting for the customer pauses them,
//! closing stops them. The rules are `madoguchi_core::sla`; this applies them.
//!
//! The targets and the business calendar are data (`sla_policies`, `business_hours`,
//! `holidays`, the `calendar_time_zone` setting), seeded from `core` into a new database and
//! edited by admins (`crate::sla_admin`). They are read on every filing and reply, so they
//! are kept in memory, keyed by a version that every admin write replaces in the same
//! transaction: each change counts at once, on every instance, for one tiny query.

use std::sync::{Arc, LazyLock, Mutex};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use madoguchi_core::calendar::{BusinessCalendar, WorkingHours};
use madoguchi_core::sla::{
    Clock, SlaEvent, SlaMeasure, SlaTarget, TicketSla, breaches, parse_window_start,
};
use madoguchi_core::{Status, SupportPlan, TicketChannel, TicketKind};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::{code, time};
use crate::{Result, StoreError};

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

/// The settings key of the time zone the business calendar is read in.
pub(crate) const TIME_ZONE_KEY: &str = "calendar_time_zone";
/// The settings key whose value changes with every change of the targets or the calendar,
/// so that every instance's kept copy is known stale at once.
pub(crate) const VERSION_KEY: &str = "sla_config_version";

/// One plan's and kind's targets, as admins edit them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaPolicy {
    pub plan: SupportPlan,
    pub kind: TicketKind,
    pub target: SlaTarget,
}

/// The targets and the business calendar, as read at one version.
#[derive(Debug, Clone)]
pub(crate) struct SlaConfig {
    pub(crate) policies: Vec<SlaPolicy>,
    pub(crate) calendar: BusinessCalendar,
}

impl SlaConfig {
    fn target(&self, plan: SupportPlan, kind: TicketKind) -> Option<SlaTarget> {
        self.policies
            .iter()
            .find(|p| p.plan == plan && p.kind == kind)
            .map(|p| p.target)
    }
}

/// The configurations last read, by version, newest last. Process-wide rather than per
/// `Store` because `track` runs on a bare connection inside the caller's transaction; the
/// version (a fresh UUID per write) cannot match across databases.
static KEPT: LazyLock<Mutex<Vec<Kept>>> = LazyLock::new(|| Mutex::new(Vec::new()));
/// One configuration with its version.
type Kept = (String, Arc<SlaConfig>);
const KEPT_VERSIONS: usize = 16;

/// The targets and calendar in force, from the kept copy when the stored version matches.
pub(crate) async fn config(conn: &mut AnyConnection) -> Result<Arc<SlaConfig>> {
    let version: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(VERSION_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    let kept = |v: &str| {
        KEPT.lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|(k, _)| k == v)
            .map(|(_, c)| c.clone())
    };
    if let Some(found) = version.as_deref().and_then(kept) {
        return Ok(found);
    }
    let read = Arc::new(read_config(conn).await?);
    if let Some(version) = version {
        let mut all = KEPT.lock().unwrap_or_else(|p| p.into_inner());
        all.retain(|(k, _)| *k != version);
        all.push((version, read.clone()));
        if all.len() > KEPT_VERSIONS {
            all.remove(0);
        }
    }
    Ok(read)
}

async fn read_config(conn: &mut AnyConnection) -> Result<SlaConfig> {
    let rows: Vec<(String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT plan, kind, first_response_minutes, update_minutes, clock FROM sla_policies ORDER BY plan, kind",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut policies = rows
        .into_iter()
        .map(|(plan, kind, first, update, clock)| {
            Ok(SlaPolicy {
                plan: code(SupportPlan::parse(&plan))?,
                kind: code(TicketKind::parse(&kind))?,
                target: SlaTarget {
                    first_response: jiff::SignedDuration::from_mins(first),
                    update: jiff::SignedDuration::from_mins(update),
                    clock: code(Clock::parse(&clock))?,
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;
    policies.sort_by_key(|p| (p.plan, p.kind));
    let hours: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT weekday, start_minute, end_minute FROM business_hours")
            .fetch_all(&mut *conn)
            .await?;
    let mut weekly: [Option<WorkingHours>; 7] = [None; 7];
    for (weekday, start, end) in hours {
        let slot = usize::try_from(weekday - 1)
            .ok()
            .filter(|i| *i < 7)
            .ok_or_else(|| StoreError::corrupt(format!("weekday {weekday}")))?;
        weekly[slot] = Some(WorkingHours::from_minutes(start, end).map_err(StoreError::corrupt)?);
    }
    let holidays: Vec<(String, String)> = sqlx::query_as("SELECT day, name FROM holidays")
        .fetch_all(&mut *conn)
        .await?;
    let holidays = holidays
        .into_iter()
        .map(|(day, name)| Ok((day.parse::<Date>().map_err(StoreError::corrupt)?, name)))
        .collect::<Result<Vec<_>>>()?;
    let zone: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(TIME_ZONE_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    let time_zone = calendar_zone(zone.as_deref());
    Ok(SlaConfig {
        policies,
        calendar: BusinessCalendar::new(time_zone, weekly, holidays),
    })
}

/// The calendar's zone by name; Asia/Tokyo (the seeded one) if unset or unknown here.
fn calendar_zone(name: Option<&str>) -> TimeZone {
    name.and_then(|n| TimeZone::get(n).ok())
        .unwrap_or_else(|| BusinessCalendar::japanese([]).time_zone().clone())
}

/// Forgets every kept configuration, for a write that knows it changed one.
pub(crate) fn forget_kept() {
    KEPT.lock().unwrap_or_else(|p| p.into_inner()).clear();
}

/// The stored SLA columns of a ticket row (selected under their own names) as a record.
/// `closed_at` is the ticket's own column.
pub(crate) fn record_from(row: &AnyRow) -> Result<TicketSla> {
    let at = |column: &str| -> Result<Option<Timestamp>> {
        row.try_get::<Option<i64>, _>(column)?.map(time).transpose()
    };
    let breached: String = row.try_get("sla_breached")?;
    Ok(TicketSla {
        first_response_due_at: at("sla_first_response_due_at")?,
        first_responded_at: at("sla_first_responded_at")?,
        next_update_due_at: at("sla_next_update_due_at")?,
        due_soon_at: at("sla_due_soon_at")?,
        paused_at: at("sla_paused_at")?,
        closed_at: at("closed_at")?,
        update_breached: breached.split(',').any(|m| m == SlaMeasure::Update.code()),
    })
}

/// The `sla_breached` column: the targets ever missed, in a fixed order, comma-separated.
/// What was stored stays (a breach is a fact); what `record` shows missed by `at` is added.
pub(crate) fn breached_codes(stored: &str, record: &TicketSla, at: Timestamp) -> String {
    let now_missed = breaches(record, at);
    SlaMeasure::ALL
        .iter()
        .filter(|m| stored.split(',').any(|s| s == m.code()) || now_missed.contains(m))
        .map(|m| m.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// The SLA columns as a list of codes, for event data.
pub(crate) fn codes_of(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The SQL that selects a ticket's SLA record under the names [`record_from`] reads.
macro_rules! record_columns {
    () => {
        "t.sla_first_response_due_at, t.sla_first_responded_at, t.sla_next_update_due_at,
         t.sla_due_soon_at, t.sla_paused_at, t.closed_at, t.sla_breached"
    };
}
pub(crate) use record_columns;

fn is_paused(status: Status) -> bool {
    matches!(status, Status::WaitingForCustomer | Status::PendingClosure)
}

/// Applies `change`, which happened at `at` (microseconds), to the SLA record of `ticket_id`,
/// inside the caller's transaction. A ticket whose plan and kind have no target keeps no
/// dues.
pub(crate) async fn track(
    conn: &mut AnyConnection,
    ticket_id: &str,
    change: SlaChange,
    at: i64,
) -> Result<()> {
    let row = sqlx::query(concat!(
        "SELECT c.plan, tt.kind, tt.channel, t.callback_preferred_window, t.number, t.organization_id,
           t.sla_breach_recorded_due, ",
        record_columns!(),
        " FROM tickets t JOIN contracts c ON c.id = t.contract_id
          JOIN ticket_types tt ON tt.code = t.ticket_type WHERE t.id = $1"
    ))
    .bind(ticket_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let plan = code(SupportPlan::parse(&row.try_get::<String, _>("plan")?))?;
    let kind = code(TicketKind::parse(&row.try_get::<String, _>("kind")?))?;
    let channel = code(TicketChannel::parse(&row.try_get::<String, _>("channel")?))?;
    let config = config(conn).await?;
    let Some(target) = config.target(plan, kind) else {
        return Ok(());
    };
    let at = time(at)?;
    let mut before = record_from(&row)?;
    let event = match change {
        SlaChange::Filed if channel == TicketChannel::Callback => {
            let window: Option<String> = row.try_get("callback_preferred_window")?;
            SlaEvent::CallbackFiled {
                at,
                preferred_window_start: window
                    .as_deref()
                    .and_then(|w| parse_window_start(w, at, config.calendar.time_zone())),
            }
        }
        SlaChange::Filed => SlaEvent::Filed { at },
        SlaChange::PublicAgentReply => SlaEvent::PublicAgentReply { at },
        SlaChange::StatusChanged {
            to: Status::Closed, ..
        } => {
            // The status update of this transaction has already set the ticket's
            // `closed_at`; the record closes now.
            before.closed_at = None;
            SlaEvent::Closed { at }
        }
        SlaChange::StatusChanged { from, to } if is_paused(to) && !is_paused(from) => {
            SlaEvent::Paused { at }
        }
        SlaChange::StatusChanged { from, to } if is_paused(from) && !is_paused(to) => {
            SlaEvent::Resumed { at }
        }
        SlaChange::StatusChanged { .. } => return Ok(()),
    };
    let after = before.apply(event, &target, &config.calendar);
    let stored: String = row.try_get("sla_breached")?;
    let breached = breached_codes(&stored, &after, at);
    let micros = |t: Option<Timestamp>| t.map(|t| t.as_microsecond());
    // A due that ran out before this change and that the breach job (every 30 s) has not
    // recorded yet is recorded now: the change moves `sla_due_at` on, and the job would
    // never see that breach. Reports then count every breach once.
    let recorded: Option<i64> = row.try_get("sla_breach_recorded_due")?;
    let missed = before
        .active()
        .filter(|d| d.due_at <= at && recorded != Some(d.due_at.as_microsecond()));
    sqlx::query(
        "UPDATE tickets SET sla_first_response_due_at = $1, sla_first_responded_at = $2,
           sla_next_update_due_at = $3, sla_paused_at = $4, sla_due_at = $5, sla_due_soon_at = $6,
           sla_breached = $7, sla_breach_recorded_due = $8
         WHERE id = $9",
    )
    .bind(micros(after.first_response_due_at))
    .bind(micros(after.first_responded_at))
    .bind(micros(after.next_update_due_at))
    .bind(micros(after.paused_at))
    .bind(micros(after.active().map(|d| d.due_at)))
    .bind(micros(after.due_soon_at))
    .bind(&breached)
    .bind(missed.map(|d| d.due_at.as_microsecond()).or(recorded))
    .bind(ticket_id)
    .execute(&mut *conn)
    .await?;
    if let Some(missed) = missed {
        let key = u64::try_from(row.try_get::<i64, _>("number")?)
            .map(|n| madoguchi_core::values::TicketKey::from_number(n).to_string())
            .map_err(StoreError::corrupt)?;
        crate::events::append(
            conn,
            madoguchi_core::event::EventKind::SlaBreached,
            None,
            ticket_id,
            Some(&row.try_get::<String, _>("organization_id")?),
            breach_data(&key, missed.measure, missed.due_at, &stored, &breached),
        )
        .await?;
    }
    Ok(())
}

/// The data of an `sla.breached` event: which target, when it was due, and the ticket's
/// breached targets before and after. Internal: customers never see it.
pub(crate) fn breach_data(
    key: &str,
    measure: SlaMeasure,
    due_at: Timestamp,
    stored: &str,
    breached: &str,
) -> serde_json::Value {
    serde_json::json!({
        "key": key,
        "measure": measure,
        "due_at": due_at.to_string(),
        "changes": { "sla_breached": { "from": codes_of(stored), "to": codes_of(breached) } },
        "public": false,
    })
}

/// The measure whose due `record` is working towards (for the breach event).
pub(crate) fn active_measure(record: &TicketSla) -> SlaMeasure {
    match record.active() {
        Some(d) => d.measure,
        None if record.first_responded_at.is_none() => SlaMeasure::FirstResponse,
        None => SlaMeasure::Update,
    }
}
