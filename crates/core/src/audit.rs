//! Who reads the audit log (`GET /api/v1/admin/events`, `/admin/events`) and which of its
//! events each reader sees.
//!
//! Admins read every event. A customer admin reads their own organization's part, and of it
//! only what concerns the customer's side:
//!
//! - an event whose data carry a `"public"` flag (ticket filings, replies and notes, status,
//!   assignment, priority, desk, merges, ratings, callbacks) is seen when the flag is `true`,
//!   exactly as the customers' response log shows it; so internal notes, assignments,
//!   priority and desk changes, ratings' figures and call attempts stay with the staff;
//! - an event without the flag is seen only when it is one of the organization's account
//!   events ([`ORGANIZATION_ACCOUNT_KINDS`]: users, tenants, contracts, ticket permissions,
//!   tokens, sign-ins), whose data hold no secret (never a password or a token's value);
//! - everything else (SLA breaches, the desk's own records, mail) is staff-internal.
//!
//! The store applies the same rule in its query; this function is the definition, and the
//! app checks each row against it as well.

use crate::Role;
use crate::event::EventKind;

/// How much of the log a reader sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditScope {
    /// Every event (admins).
    Everything,
    /// One organization's customer-side events (its customer admins).
    Organization(String),
}

/// The part of the log a user may read; `None` for everyone but admins and customer admins.
pub fn audit_scope(role: Role, organization_id: Option<&str>) -> Option<AuditScope> {
    match (role, organization_id) {
        (Role::Admin, _) => Some(AuditScope::Everything),
        (Role::CustomerAdmin, Some(org)) => Some(AuditScope::Organization(org.to_owned())),
        _ => None,
    }
}

/// The events of an organization's accounts, which its customer admins see whole. They carry
/// no `"public"` flag.
pub const ORGANIZATION_ACCOUNT_KINDS: &[EventKind] = &[
    EventKind::OrganizationCreated,
    EventKind::OrganizationUpdated,
    EventKind::TenantCreated,
    EventKind::TenantUpdated,
    EventKind::TenantDeleted,
    EventKind::ContractCreated,
    EventKind::ContractUpdated,
    EventKind::ContractDeleted,
    EventKind::UserCreated,
    EventKind::UserUpdated,
    EventKind::UserDeleted,
    EventKind::PasswordChanged,
    EventKind::UserDisabled,
    EventKind::UserEnabled,
    EventKind::PermissionGranted,
    EventKind::PermissionRevoked,
    EventKind::TokenCreated,
    EventKind::TokenRevoked,
    EventKind::UserLoggedIn,
    EventKind::UserLoggedOut,
    EventKind::SignInFailed,
];

/// Whether a customer admin sees an event of their organization: `kind` is its code, `public`
/// the `"public"` flag of its data (`None` when the data have none).
pub fn customer_admin_sees(kind: &str, public: Option<bool>) -> bool {
    match public {
        Some(public) => public,
        None => ORGANIZATION_ACCOUNT_KINDS.iter().any(|k| k.code() == kind),
    }
}

/// Whether the log shows a reader the email of an actor of this role: staff addresses are
/// not shown to customers (SPEC §8, a user as others see it), so a customer admin sees an
/// agent's name only.
pub fn shows_actor_email(scope: &AuditScope, actor_role: Option<Role>) -> bool {
    match scope {
        AuditScope::Everything => true,
        AuditScope::Organization(_) => actor_role.is_some_and(Role::is_customer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_admins_see_public_ticket_events_and_account_events_only() {
        let table: &[(EventKind, Option<bool>, bool)] = &[
            (EventKind::TicketCreated, Some(true), true),
            (EventKind::MessageAdded, Some(true), true),
            // An internal note: its event says `public: false`.
            (EventKind::MessageAdded, Some(false), false),
            (EventKind::TicketStatusChanged, Some(true), true),
            (EventKind::TicketAssigned, Some(false), false),
            (EventKind::TicketPriorityChanged, Some(false), false),
            (EventKind::TicketDeskChanged, Some(false), false),
            (EventKind::TicketRated, Some(false), false),
            (EventKind::CallbackAttempted, Some(false), false),
            (EventKind::TicketMerged, Some(true), true),
            (EventKind::PermissionGranted, None, true),
            (EventKind::PermissionRevoked, None, true),
            (EventKind::UserLoggedIn, None, true),
            (EventKind::SignInFailed, None, true),
            (EventKind::UserCreated, None, true),
            (EventKind::TokenCreated, None, true),
            // Staff-internal records without a flag.
            (EventKind::SlaBreached, None, false),
            (EventKind::TicketUpdated, None, false),
            (EventKind::MailRefused, Some(false), false),
            (EventKind::CannedReplyCreated, None, false),
            (EventKind::SettingsUpdated, None, false),
            (EventKind::DeskMemberAdded, None, false),
        ];
        for (kind, public, seen) in table {
            assert_eq!(
                customer_admin_sees(kind.code(), *public),
                *seen,
                "{} public={public:?}",
                kind.code()
            );
        }
    }

    #[test]
    fn a_flag_decides_even_for_an_account_kind() {
        assert!(!customer_admin_sees(
            EventKind::UserUpdated.code(),
            Some(false)
        ));
    }

    #[test]
    fn customer_admins_see_customers_addresses_not_staffs() {
        let org = AuditScope::Organization("org-1".into());
        assert!(shows_actor_email(&org, Some(Role::Customer)));
        assert!(shows_actor_email(&org, Some(Role::CustomerAdmin)));
        assert!(!shows_actor_email(&org, Some(Role::Agent)));
        assert!(!shows_actor_email(&org, Some(Role::Admin)));
        assert!(!shows_actor_email(&org, None));
        assert!(shows_actor_email(
            &AuditScope::Everything,
            Some(Role::Agent)
        ));
    }

    #[test]
    fn only_admins_and_customer_admins_read_the_log() {
        assert_eq!(audit_scope(Role::Admin, None), Some(AuditScope::Everything));
        assert_eq!(
            audit_scope(Role::CustomerAdmin, Some("org-1")),
            Some(AuditScope::Organization("org-1".into()))
        );
        assert_eq!(audit_scope(Role::CustomerAdmin, None), None);
        assert_eq!(audit_scope(Role::Customer, Some("org-1")), None);
        assert_eq!(audit_scope(Role::Agent, None), None);
    }
}
