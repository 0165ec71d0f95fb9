//! What a ticket's history records (SPEC §6 "History"): each kind of change an agent makes is
//! its own event, and whether customers see it is decided here, once.

use crate::event::EventKind;

/// A field of a ticket whose change is logged as an event of its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangedField {
    Status,
    Assignee,
    Priority,
    Desk,
}

impl ChangedField {
    /// The name under `data.changes` and in `PATCH /api/v1/tickets/{key}`.
    pub fn name(self) -> &'static str {
        match self {
            ChangedField::Status => "status",
            ChangedField::Assignee => "assignee",
            ChangedField::Priority => "priority",
            ChangedField::Desk => "desk",
        }
    }

    /// The event written when this field changes.
    pub fn event_kind(self) -> EventKind {
        match self {
            ChangedField::Status => EventKind::TicketStatusChanged,
            ChangedField::Assignee => EventKind::TicketAssigned,
            ChangedField::Priority => EventKind::TicketPriorityChanged,
            ChangedField::Desk => EventKind::TicketDeskChanged,
        }
    }

    /// Whether the customer sees the change in the response log. The status is what the
    /// customer must act on; who works the ticket, how urgent support judges it and which desk
    /// holds it are support's internal organisation.
    pub fn public(self) -> bool {
        matches!(self, ChangedField::Status)
    }
}

/// Whether an event read from the log is public, for entries written before events said so
/// themselves (`data.public`): filing and public replies were (`internal` is the message's
/// `data.internal`), everything else was not.
pub fn legacy_public(kind: &str, internal: Option<bool>) -> bool {
    if kind == EventKind::TicketCreated.code() {
        true
    } else if kind == EventKind::MessageAdded.code() {
        internal == Some(false)
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_status_changes_are_public() {
        assert!(ChangedField::Status.public());
        for f in [
            ChangedField::Assignee,
            ChangedField::Priority,
            ChangedField::Desk,
        ] {
            assert!(!f.public(), "{f:?}");
        }
        assert_eq!(
            ChangedField::Desk.event_kind(),
            EventKind::TicketDeskChanged
        );
    }

    #[test]
    fn old_internal_notes_stay_internal() {
        assert!(!legacy_public("message.added", Some(true)));
        assert!(!legacy_public("message.added", None));
        assert!(legacy_public("message.added", Some(false)));
        assert!(!legacy_public(EventKind::TicketUpdated.code(), Some(false)));
        assert!(legacy_public(EventKind::TicketCreated.code(), None));
    }
}
