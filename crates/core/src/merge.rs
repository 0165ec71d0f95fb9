//! Merging a duplicate into the ticket that survives (SPEC §6): the duplicate closes with
//! `merged_into`, its customers are told where it went, and both response logs stay readable.

use crate::codes::{Desk, Role, Status};
use crate::model::User;
use crate::ticket::Ticket;
use crate::values::TicketKey;

/// Why a merge may not happen. The first four concern what was asked (the survivor named);
/// the others concern the tickets' state now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MergeRefusal {
    /// Only support merges tickets.
    #[error("only agents merge tickets")]
    NotStaff,
    /// An agent may merge only tickets that are both on their desks.
    #[error("the ticket is not on your desks")]
    NotOnYourDesks,
    /// A ticket cannot be merged into itself.
    #[error("a ticket cannot be merged into itself")]
    Itself,
    /// Tickets of two organizations never mix: the survivor would show one customer's
    /// duplicate to another.
    #[error("the tickets belong to different organizations")]
    OtherOrganization,
    /// The duplicate was merged already, into `into`.
    #[error("the ticket was already merged into {into}")]
    AlreadyMerged { into: TicketKey },
    /// The duplicate is closed: there is nothing left to fold in.
    #[error("the ticket is closed")]
    DuplicateClosed,
    /// The survivor was itself merged into `into`: merge into that one instead.
    #[error("the surviving ticket was merged into {into}")]
    SurvivorMerged { into: TicketKey },
    /// The survivor is closed: the customers could not follow up on it.
    #[error("the surviving ticket is closed")]
    SurvivorClosed,
}

impl MergeRefusal {
    /// True when the refusal is about the tickets' state (HTTP 409), not about what was asked.
    pub fn is_conflict(self) -> bool {
        matches!(
            self,
            MergeRefusal::AlreadyMerged { .. }
                | MergeRefusal::DuplicateClosed
                | MergeRefusal::SurvivorMerged { .. }
                | MergeRefusal::SurvivorClosed
        )
    }

    /// The locale key that words the refusal (`{into}` is the key it names, if any).
    pub fn reason(self) -> &'static str {
        match self {
            MergeRefusal::NotStaff => "problem.merge_not_staff",
            MergeRefusal::NotOnYourDesks => "problem.merge_not_on_desks",
            MergeRefusal::Itself => "problem.merge_itself",
            MergeRefusal::OtherOrganization => "problem.merge_other_organization",
            MergeRefusal::AlreadyMerged { .. } => "problem.merge_already_merged",
            MergeRefusal::DuplicateClosed => "problem.merge_duplicate_closed",
            MergeRefusal::SurvivorMerged { .. } => "problem.merge_survivor_merged",
            MergeRefusal::SurvivorClosed => "problem.merge_survivor_closed",
        }
    }
}

/// May `duplicate` be merged into `survivor`, as the tickets stand? Checked again under the
/// rows' locks by the store, so that two merges at once cannot both pass.
pub fn check_merge(duplicate: &Ticket, survivor: &Ticket) -> Result<(), MergeRefusal> {
    if duplicate.id == survivor.id {
        return Err(MergeRefusal::Itself);
    }
    if duplicate.organization_id != survivor.organization_id {
        return Err(MergeRefusal::OtherOrganization);
    }
    if let Some(into) = duplicate.merged_into {
        return Err(MergeRefusal::AlreadyMerged { into });
    }
    if duplicate.status == Status::Closed {
        return Err(MergeRefusal::DuplicateClosed);
    }
    if let Some(into) = survivor.merged_into {
        return Err(MergeRefusal::SurvivorMerged { into });
    }
    if survivor.status == Status::Closed {
        return Err(MergeRefusal::SurvivorClosed);
    }
    Ok(())
}

/// May `user` merge `duplicate` into `survivor`? Staff only; an agent only when both tickets
/// are on their desks (admins see every desk); then the tickets' own rule, [`check_merge`].
pub fn may_merge(
    user: &User,
    desks: &[Desk],
    duplicate: &Ticket,
    survivor: &Ticket,
) -> Result<(), MergeRefusal> {
    match user.role {
        Role::Customer | Role::CustomerAdmin => return Err(MergeRefusal::NotStaff),
        Role::Agent if !(desks.contains(&duplicate.desk) && desks.contains(&survivor.desk)) => {
            return Err(MergeRefusal::NotOnYourDesks);
        }
        Role::Agent | Role::Admin => {}
    }
    check_merge(duplicate, survivor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{Locale, Priority, SupportPlan};
    use jiff::Timestamp;

    fn ticket(number: u64, org: &str, desk: Desk, status: Status) -> Ticket {
        Ticket {
            id: format!("t{number}"),
            key: TicketKey::from_number(number),
            organization_id: org.into(),
            organization_name: org.into(),
            contract_id: "c1".into(),
            contract_number: "ECL-1".into(),
            plan: SupportPlan::Basic,
            ticket_type: "general_inquiry".into(),
            desk,
            status,
            priority: Priority::P3,
            assignee_id: None,
            summary: "s".into(),
            service_menu: "other".into(),
            tenant_id: "tenant-1".into(),
            details: "d".into(),
            menu_fields: Default::default(),
            incident: None,
            callback: None,
            participant_ids: Vec::new(),
            created_by: "u1".into(),
            follow_up_of: None,
            merged_into: None,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            status_changed_at: Timestamp::UNIX_EPOCH,
            closed_at: None,
            satisfaction: None,
            sla: Default::default(),
        }
    }

    fn user(role: Role) -> User {
        User {
            id: "x".into(),
            email: "x@example.com".into(),
            name: "x".into(),
            role,
            organization_id: role.is_customer().then(|| "o1".into()),
            locale: Locale::En,
            time_zone: "Asia/Tokyo".into(),
            created_at: Timestamp::UNIX_EPOCH,
            disabled_at: None,
        }
    }

    #[test]
    fn an_open_duplicate_merges_into_an_open_ticket_of_the_same_organization() {
        let dup = ticket(1, "o1", Desk::General, Status::InProgress);
        let into = ticket(2, "o1", Desk::General, Status::New);
        assert_eq!(check_merge(&dup, &into), Ok(()));
        assert_eq!(
            may_merge(&user(Role::Agent), &[Desk::General], &dup, &into),
            Ok(())
        );
        assert_eq!(may_merge(&user(Role::Admin), &[], &dup, &into), Ok(()));
    }

    #[test]
    fn the_rules_refuse_with_their_reason() {
        let open = |n, org| ticket(n, org, Desk::General, Status::InProgress);
        let dup = open(1, "o1");
        assert_eq!(check_merge(&dup, &dup), Err(MergeRefusal::Itself));
        assert_eq!(
            check_merge(&dup, &open(2, "o2")),
            Err(MergeRefusal::OtherOrganization)
        );
        let closed = ticket(3, "o1", Desk::General, Status::Closed);
        assert_eq!(
            check_merge(&closed, &open(2, "o1")),
            Err(MergeRefusal::DuplicateClosed)
        );
        assert_eq!(
            check_merge(&dup, &closed),
            Err(MergeRefusal::SurvivorClosed)
        );
        let mut merged = closed.clone();
        merged.merged_into = Some(TicketKey::from_number(9));
        assert_eq!(
            check_merge(&merged, &open(2, "o1")),
            Err(MergeRefusal::AlreadyMerged {
                into: TicketKey::from_number(9)
            })
        );
        assert_eq!(
            check_merge(&dup, &merged),
            Err(MergeRefusal::SurvivorMerged {
                into: TicketKey::from_number(9)
            })
        );
        assert!(MergeRefusal::SurvivorClosed.is_conflict());
        assert!(!MergeRefusal::OtherOrganization.is_conflict());
    }

    #[test]
    fn only_staff_with_both_desks_merge() {
        let dup = ticket(1, "o1", Desk::General, Status::New);
        let premium = ticket(2, "o1", Desk::Premium, Status::New);
        for role in [Role::Customer, Role::CustomerAdmin] {
            assert_eq!(
                may_merge(&user(role), &[], &dup, &premium),
                Err(MergeRefusal::NotStaff)
            );
        }
        assert_eq!(
            may_merge(&user(Role::Agent), &[Desk::General], &dup, &premium),
            Err(MergeRefusal::NotOnYourDesks)
        );
        assert_eq!(
            may_merge(
                &user(Role::Agent),
                &[Desk::General, Desk::Premium],
                &dup,
                &premium
            ),
            Ok(())
        );
    }
}
