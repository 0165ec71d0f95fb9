//! The SLA as agents see it on pages: a badge with the state in words and the due time in
//! the viewer's zone (`templates/sla_badge.html`), and the facts of the agent's ticket page
//! (`templates/sla_panel.html`). Customers never get either: [`SlaBadge::of`] and
//! [`SlaPanel::of`] answer `None` for them.

use jiff::Timestamp;
use madoguchi_core::model::User;
use madoguchi_core::sla::{SlaState, breaches, state};
use madoguchi_core::ticket::Ticket;

use crate::i18n::Words;
use crate::ui::format_time;

/// What `sla_badge.html` shows: include it where a variable `badge: SlaBadge` is in scope.
pub(crate) struct SlaBadge {
    /// The state's code, for the badge's class and for scripts and tests.
    pub state: &'static str,
    /// The state in words (期限内, 期限間近, 期限超過, 一時停止, 達成).
    pub label: String,
    /// "期限" / "Due", before the due time.
    pub due_label: String,
    /// The due time that counts now, in the viewer's zone; `None` while nothing runs.
    pub due: Option<String>,
    /// The same instant in RFC 3339, for `<time datetime>`.
    pub due_iso: String,
}

fn staff(user: &User) -> bool {
    !user.role.is_customer()
}

impl SlaBadge {
    /// `ticket`'s badge at `now` for `viewer`; `None` for customers.
    pub fn of(viewer: &User, ticket: &Ticket, now: Timestamp) -> Option<SlaBadge> {
        if !staff(viewer) {
            return None;
        }
        let w = Words(viewer.locale);
        let current = state(&ticket.sla, now, ticket.status);
        let due = ticket
            .sla
            .active()
            .filter(|_| !matches!(current, SlaState::Paused | SlaState::Met))
            .map(|d| d.due_at);
        Some(SlaBadge {
            state: current.code(),
            label: w.t(&format!("sla.state.{}", current.code())).to_owned(),
            due_label: w.t("sla.due").to_owned(),
            due: due.map(|t| format_time(viewer, t)),
            due_iso: due.map(|t| t.to_string()).unwrap_or_default(),
        })
    }
}

/// The SLA facts of the agent's ticket page.
pub(crate) struct SlaPanel {
    pub badge: SlaBadge,
    /// Label and value, in the viewer's words and zone.
    pub rows: Vec<(String, String)>,
}

impl SlaPanel {
    /// `None` for customers.
    pub fn of(viewer: &User, ticket: &Ticket, now: Timestamp) -> Option<SlaPanel> {
        let badge = SlaBadge::of(viewer, ticket, now)?;
        let w = Words(viewer.locale);
        let sla = &ticket.sla;
        let at = |t: Option<Timestamp>| t.map(|t| format_time(viewer, t));
        let mut rows = Vec::new();
        if let Some(due) = at(sla.first_response_due_at) {
            rows.push((w.t("sla.first_response_due").to_owned(), due));
        }
        rows.push((
            w.t("sla.first_responded").to_owned(),
            at(sla.first_responded_at).unwrap_or_else(|| w.t("sla.not_yet").to_owned()),
        ));
        if let Some(due) = at(sla.next_update_due_at) {
            rows.push((w.t("sla.next_update_due").to_owned(), due));
        }
        if let Some(paused) = at(sla.paused_at) {
            rows.push((w.t("sla.paused_since").to_owned(), paused));
        }
        let missed = breaches(sla, now);
        if !missed.is_empty() {
            rows.push((
                w.t("sla.breached").to_owned(),
                missed
                    .iter()
                    .map(|m| w.t(&format!("sla.measure.{}", m.code())).to_owned())
                    .collect::<Vec<_>>()
                    .join("、"),
            ));
        }
        Some(SlaPanel { badge, rows })
    }
}
