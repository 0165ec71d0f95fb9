//! Who hears what (SPEC §5, §8): which happenings on a ticket are emailed, to whom, and which
//! kinds each user may switch off. Pure rules; the store queues what they say in the
//! transaction of the change, and the outbox worker checks preferences and live permission
//! when it sends.

use std::fmt;

use crate::{Desk, Role, Status, UnknownCode};

crate::codes::code_enum! {
    /// A kind of notification email; users switch each kind on or off.
    NoticeKind("notification kind") {
        /// Support answered on a ticket the user filed or takes part in.
        TicketReplied = "ticket_replied",
        /// Support now waits for the customer (waiting for customer, pending closure) or
        /// closed the ticket.
        StatusChanged = "status_changed",
        /// The ticket was closed by support or by auto-close.
        TicketClosed = "ticket_closed",
        /// The ticket was merged into another.
        TicketMerged = "ticket_merged",
        /// The customer replied on a ticket the agent is assigned to.
        CustomerReplied = "customer_replied",
        /// A new ticket arrived in the desk's queue (desk addresses).
        TicketCreated = "ticket_created",
        /// A ticket was moved into the desk's queue (desk addresses).
        DeskChanged = "desk_changed",
    }
}

impl NoticeKind {
    /// The outbox row kind (`ticket.replied`, …): the event-like code deliveries carry.
    pub fn outbox_kind(self) -> &'static str {
        match self {
            NoticeKind::TicketReplied => "ticket.replied",
            NoticeKind::StatusChanged => "ticket.status_changed",
            NoticeKind::TicketClosed => "ticket.closed",
            NoticeKind::TicketMerged => "ticket.merged",
            NoticeKind::CustomerReplied => "ticket.customer_replied",
            NoticeKind::TicketCreated => "ticket.created",
            NoticeKind::DeskChanged => "ticket.desk_changed",
        }
    }

    /// The kind of an outbox row's `kind`.
    pub fn from_outbox_kind(kind: &str) -> Option<NoticeKind> {
        NoticeKind::ALL
            .iter()
            .copied()
            .find(|k| k.outbox_kind() == kind)
    }

    /// The kinds a user of `role` can receive, and so switch on or off.
    pub fn for_role(role: Role) -> &'static [NoticeKind] {
        if role.is_customer() {
            &[
                NoticeKind::TicketReplied,
                NoticeKind::StatusChanged,
                NoticeKind::TicketClosed,
                NoticeKind::TicketMerged,
            ]
        } else {
            &[NoticeKind::CustomerReplied]
        }
    }
}

/// Something that happened on a ticket, as far as notifications care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happening {
    /// A customer filed the ticket.
    Filed,
    /// Support wrote a public reply (whatever status it left).
    AgentReply,
    /// Support wrote an internal note (with or without a status change).
    InternalNote,
    /// A customer replied.
    CustomerReply,
    /// Support changed the status without a message (PATCH, bulk).
    StatusSet { to: Status },
    /// The customer closed the ticket themselves.
    CustomerClosed,
    /// Pending closure ran out of days.
    AutoClosed,
    /// The ticket was merged into another (told to the duplicate's customers).
    Merged,
    /// The ticket moved into another desk's queue.
    MovedTo(Desk),
}

/// Who receives one notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The customer who filed and every participant.
    Customers,
    /// The desk's address (set per desk by an admin).
    Desk(Desk),
    /// The agent assigned to the ticket, if any.
    Assignee,
}

/// Who hears of `happening`, with the kind of email each gets. An internal note reaches
/// nobody, whatever it changes: support's internal work never leaves the system.
pub fn audience(happening: Happening, desk: Desk) -> Vec<(NoticeKind, Audience)> {
    use Audience::*;
    use NoticeKind::*;
    match happening {
        Happening::Filed => vec![(TicketCreated, Desk(desk))],
        Happening::AgentReply => vec![(TicketReplied, Customers)],
        Happening::InternalNote => vec![],
        Happening::CustomerReply => {
            vec![(CustomerReplied, Desk(desk)), (CustomerReplied, Assignee)]
        }
        Happening::StatusSet { to } => match to {
            Status::WaitingForCustomer | Status::PendingClosure => {
                vec![(StatusChanged, Customers)]
            }
            Status::Closed => vec![(TicketClosed, Customers)],
            Status::New | Status::InProgress => vec![],
        },
        Happening::CustomerClosed => vec![],
        Happening::AutoClosed => vec![(TicketClosed, Customers)],
        Happening::Merged => vec![(TicketMerged, Customers)],
        Happening::MovedTo(to) => vec![(DeskChanged, Desk(to))],
    }
}

/// The people of a ticket whom `Customers` names: the filer first, then each participant once.
pub fn ticket_customers(created_by: &str, participants: &[String]) -> Vec<String> {
    let mut out = vec![created_by.to_owned()];
    for p in participants {
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

/// Whether an email's sender is the user a reply address was made for: addresses compare
/// without case (as mail systems treat them in practice).
pub fn sender_matches(from: &str, user_email: &str) -> bool {
    let from = from.trim();
    !from.is_empty() && from.eq_ignore_ascii_case(user_email.trim())
}

/// How long the outbox waits before the `attempt`-th retry (1-based): 30 s doubling, at most
/// an hour.
pub fn retry_delay_seconds(attempt: u32) -> i64 {
    let exp = attempt.saturating_sub(1).min(20);
    (30i64 << exp).min(3600)
}

/// After this many failed attempts a message is parked for an admin to look at.
pub const MAX_ATTEMPTS: u32 = 6;

#[cfg(test)]
mod tests {
    use super::*;
    use Audience::*;
    use NoticeKind::*;

    /// The table of issue 11: who hears what.
    #[test]
    fn who_hears_what() {
        let g = crate::Desk::General;
        let table: &[(Happening, &[(NoticeKind, Audience)])] = &[
            (Happening::Filed, &[(TicketCreated, Desk(g))]),
            (Happening::AgentReply, &[(TicketReplied, Customers)]),
            (Happening::InternalNote, &[]),
            (
                Happening::CustomerReply,
                &[(CustomerReplied, Desk(g)), (CustomerReplied, Assignee)],
            ),
            (
                Happening::StatusSet {
                    to: Status::WaitingForCustomer,
                },
                &[(StatusChanged, Customers)],
            ),
            (
                Happening::StatusSet {
                    to: Status::PendingClosure,
                },
                &[(StatusChanged, Customers)],
            ),
            (
                Happening::StatusSet { to: Status::Closed },
                &[(TicketClosed, Customers)],
            ),
            (
                Happening::StatusSet {
                    to: Status::InProgress,
                },
                &[],
            ),
            (Happening::CustomerClosed, &[]),
            (Happening::AutoClosed, &[(TicketClosed, Customers)]),
            (Happening::Merged, &[(TicketMerged, Customers)]),
            (
                Happening::MovedTo(crate::Desk::Premium),
                &[(DeskChanged, Desk(crate::Desk::Premium))],
            ),
        ];
        for (happening, expected) in table {
            assert_eq!(&audience(*happening, g), expected, "{happening:?}");
        }
    }

    #[test]
    fn customers_may_switch_off_what_they_receive_and_agents_theirs() {
        for kind in NoticeKind::ALL {
            let receivers_roles: Vec<Role> = Role::ALL
                .iter()
                .copied()
                .filter(|r| NoticeKind::for_role(*r).contains(kind))
                .collect();
            let desk_only = matches!(kind, TicketCreated | DeskChanged);
            assert_eq!(receivers_roles.is_empty(), desk_only, "{kind:?}");
        }
    }

    #[test]
    fn outbox_kinds_round_trip() {
        for kind in NoticeKind::ALL {
            assert_eq!(
                NoticeKind::from_outbox_kind(kind.outbox_kind()),
                Some(*kind)
            );
        }
    }

    #[test]
    fn only_the_named_user_may_write_through_a_reply_address() {
        assert!(sender_matches(
            "Hanako@Example.co.jp",
            "hanako@example.co.jp"
        ));
        assert!(!sender_matches(
            "hanako@example.co.jp.evil",
            "hanako@example.co.jp"
        ));
        assert!(!sender_matches("", ""));
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay_seconds(1), 30);
        assert_eq!(retry_delay_seconds(2), 60);
        assert_eq!(retry_delay_seconds(3), 120);
        assert_eq!(retry_delay_seconds(20), 3600);
    }

    #[test]
    fn the_filer_comes_first_and_nobody_twice() {
        assert_eq!(
            ticket_customers("a", &["b".into(), "a".into(), "b".into()]),
            vec!["a", "b"]
        );
    }
}
