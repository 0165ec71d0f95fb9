//! The ticket's life (SPEC §5): 受付 → 対応中 → お客さま回答待ち / クローズ待ち → クローズ.

use crate::codes::Status;

/// Something that happens to a ticket and may move its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketEvent {
    /// The customer (or a participant) adds to the response log.
    CustomerReplied,
    /// The customer clicks Close.
    CustomerClosed,
    /// An agent replies publicly, optionally choosing the status it leaves the ticket in.
    AgentReplied { set: Option<Status> },
    /// An agent sets the status directly.
    AgentSetStatus(Status),
    /// A pending-closure ticket saw no reply for the configured number of days.
    ClosureTimeout,
    /// An agent merged this ticket, a duplicate, into another: it closes, whatever its status.
    Merged,
}

/// Why an event cannot happen to a ticket in its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// A closed ticket takes nothing more; the customer opens a follow-up instead.
    #[error("the ticket is closed; open a follow-up ticket instead")]
    Closed,
    /// The event does not apply in this status (a timeout on a ticket not pending closure).
    #[error("a ticket in status `{from}` cannot do that")]
    NotApplicable { from: Status },
}

/// The status a ticket in `from` moves to on `event`.
pub fn next_status(from: Status, event: TicketEvent) -> Result<Status, TransitionError> {
    use Status::*;
    if from == Closed {
        return Err(TransitionError::Closed);
    }
    Ok(match event {
        // A customer's answer puts the ball back in support's court; a brand-new ticket
        // stays new until support first picks it up.
        TicketEvent::CustomerReplied => match from {
            New => New,
            _ => InProgress,
        },
        TicketEvent::CustomerClosed | TicketEvent::Merged => Closed,
        TicketEvent::AgentReplied { set: Some(status) } | TicketEvent::AgentSetStatus(status) => {
            status
        }
        // The first public answer is the first response: the ticket is being worked on.
        TicketEvent::AgentReplied { set: None } => match from {
            New => InProgress,
            other => other,
        },
        TicketEvent::ClosureTimeout => match from {
            PendingClosure => Closed,
            other => return Err(TransitionError::NotApplicable { from: other }),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    const OPEN: [Status; 4] = [New, InProgress, WaitingForCustomer, PendingClosure];

    /// SPEC §5, one row per transition: (from, event, to).
    #[test]
    fn transitions_follow_the_guide() {
        let table = [
            // A customer's answer on "waiting" or "pending closure" hands the ticket back.
            (New, TicketEvent::CustomerReplied, New),
            (InProgress, TicketEvent::CustomerReplied, InProgress),
            (WaitingForCustomer, TicketEvent::CustomerReplied, InProgress),
            (PendingClosure, TicketEvent::CustomerReplied, InProgress),
            // The customer's Close, from any open status.
            (New, TicketEvent::CustomerClosed, Closed),
            (InProgress, TicketEvent::CustomerClosed, Closed),
            (WaitingForCustomer, TicketEvent::CustomerClosed, Closed),
            (PendingClosure, TicketEvent::CustomerClosed, Closed),
            // Support's first public answer starts the work; later ones keep the status.
            (New, TicketEvent::AgentReplied { set: None }, InProgress),
            (
                InProgress,
                TicketEvent::AgentReplied { set: None },
                InProgress,
            ),
            (
                WaitingForCustomer,
                TicketEvent::AgentReplied { set: None },
                WaitingForCustomer,
            ),
            (
                PendingClosure,
                TicketEvent::AgentReplied { set: None },
                PendingClosure,
            ),
            // A reply may set the status it leaves.
            (
                InProgress,
                TicketEvent::AgentReplied {
                    set: Some(PendingClosure),
                },
                PendingClosure,
            ),
            (
                New,
                TicketEvent::AgentReplied {
                    set: Some(WaitingForCustomer),
                },
                WaitingForCustomer,
            ),
            // A status change alone.
            (
                InProgress,
                TicketEvent::AgentSetStatus(WaitingForCustomer),
                WaitingForCustomer,
            ),
            (
                WaitingForCustomer,
                TicketEvent::AgentSetStatus(InProgress),
                InProgress,
            ),
            (InProgress, TicketEvent::AgentSetStatus(Closed), Closed),
            (New, TicketEvent::AgentSetStatus(New), New),
            // Auto-close.
            (PendingClosure, TicketEvent::ClosureTimeout, Closed),
            (New, TicketEvent::Merged, Closed),
            (InProgress, TicketEvent::Merged, Closed),
            (WaitingForCustomer, TicketEvent::Merged, Closed),
            (PendingClosure, TicketEvent::Merged, Closed),
        ];
        for (from, event, to) in table {
            assert_eq!(next_status(from, event), Ok(to), "{from} on {event:?}");
        }
    }

    #[test]
    fn a_merged_duplicate_closes_from_any_open_status() {
        for from in OPEN {
            assert_eq!(next_status(from, TicketEvent::Merged), Ok(Closed), "{from}");
        }
    }

    #[test]
    fn closed_tickets_take_nothing() {
        for event in [
            TicketEvent::CustomerReplied,
            TicketEvent::CustomerClosed,
            TicketEvent::AgentReplied { set: None },
            TicketEvent::AgentReplied {
                set: Some(InProgress),
            },
            TicketEvent::AgentSetStatus(InProgress),
            TicketEvent::ClosureTimeout,
            TicketEvent::Merged,
        ] {
            assert_eq!(next_status(Closed, event), Err(TransitionError::Closed));
        }
    }

    #[test]
    fn only_pending_closure_times_out() {
        for from in [New, InProgress, WaitingForCustomer] {
            assert_eq!(
                next_status(from, TicketEvent::ClosureTimeout),
                Err(TransitionError::NotApplicable { from })
            );
        }
    }
}
