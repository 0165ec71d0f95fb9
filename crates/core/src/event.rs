//! The kinds of event the store appends to its log: the audit history, the search feed and
//! the source of notifications.

/// What happened. The code is stored in `events.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    OrganizationCreated,
    OrganizationUpdated,
    OrganizationDeleted,
    TenantCreated,
    TenantUpdated,
    TenantDeleted,
    ContractCreated,
    ContractUpdated,
    ContractDeleted,
    UserCreated,
    UserUpdated,
    UserDeleted,
    PasswordChanged,
    /// An admin disabled the user: no sign-in, sessions and tokens refused.
    UserDisabled,
    /// An admin enabled a disabled user again.
    UserEnabled,
    PermissionGranted,
    PermissionRevoked,
    TokenCreated,
    TokenRevoked,
    DeskMemberAdded,
    DeskMemberRemoved,
    CatalogSeeded,
    /// An admin added, changed, retired or deleted a ticket type, a service menu or an item.
    CatalogUpdated,
    TicketCreated,
    /// Written by earlier versions for any agent change; kept to read old logs.
    TicketUpdated,
    TicketStatusChanged,
    TicketAssigned,
    TicketPriorityChanged,
    TicketDeskChanged,
    TicketMerged,
    TicketRated,
    CallbackAttempted,
    SlaBreached,
    MessageAdded,
    CannedReplyCreated,
    CannedReplyUpdated,
    CannedReplyDeleted,
    SlaPolicyUpdated,
    CalendarUpdated,
    SettingsUpdated,
    ArticleCreated,
    ArticleUpdated,
    ArticleDeleted,
    ArticleDeflected,
    SynonymGroupSaved,
    SynonymGroupDeleted,
    UserLoggedIn,
    UserLoggedOut,
    /// A wrong password for a known user (never the password itself).
    SignInFailed,
    WebhookCreated,
    WebhookUpdated,
    WebhookDeleted,
    /// An email was added to a ticket (or recorded as an auto-reply).
    MailReceived,
    /// An email was refused; `data.reason` says why.
    MailRefused,
}

/// The event codes admins may subscribe webhooks to. Only events that customers may see are
/// ever delivered (`data.public`), so internal notes never leave the system.
pub const WEBHOOK_EVENT_TYPES: &[&str] = &[
    "ticket.created",
    "ticket.status_changed",
    "ticket.priority_changed",
    "ticket.merged",
    "ticket.rated",
    "message.added",
    "callback.attempted",
];

impl EventKind {
    /// Every kind, in the order they are declared: the kinds the audit log filters by.
    pub const ALL: &[EventKind] = &[
        EventKind::OrganizationCreated,
        EventKind::OrganizationUpdated,
        EventKind::OrganizationDeleted,
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
        EventKind::DeskMemberAdded,
        EventKind::DeskMemberRemoved,
        EventKind::CatalogSeeded,
        EventKind::CatalogUpdated,
        EventKind::TicketCreated,
        EventKind::TicketUpdated,
        EventKind::TicketStatusChanged,
        EventKind::TicketAssigned,
        EventKind::TicketPriorityChanged,
        EventKind::TicketDeskChanged,
        EventKind::TicketMerged,
        EventKind::TicketRated,
        EventKind::CallbackAttempted,
        EventKind::SlaBreached,
        EventKind::MessageAdded,
        EventKind::CannedReplyCreated,
        EventKind::CannedReplyUpdated,
        EventKind::CannedReplyDeleted,
        EventKind::SlaPolicyUpdated,
        EventKind::CalendarUpdated,
        EventKind::SettingsUpdated,
        EventKind::ArticleCreated,
        EventKind::ArticleUpdated,
        EventKind::ArticleDeleted,
        EventKind::ArticleDeflected,
        EventKind::SynonymGroupSaved,
        EventKind::SynonymGroupDeleted,
        EventKind::UserLoggedIn,
        EventKind::UserLoggedOut,
        EventKind::SignInFailed,
        EventKind::WebhookCreated,
        EventKind::WebhookUpdated,
        EventKind::WebhookDeleted,
        EventKind::MailReceived,
        EventKind::MailRefused,
    ];

    /// The kind with this code; `None` for a code the log never holds.
    pub fn parse(code: &str) -> Option<EventKind> {
        EventKind::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// The code stored in `events.kind`.
    pub fn code(self) -> &'static str {
        use EventKind::*;
        match self {
            OrganizationCreated => "organization.created",
            OrganizationUpdated => "organization.updated",
            OrganizationDeleted => "organization.deleted",
            TenantCreated => "tenant.created",
            TenantUpdated => "tenant.updated",
            TenantDeleted => "tenant.deleted",
            ContractCreated => "contract.created",
            ContractUpdated => "contract.updated",
            ContractDeleted => "contract.deleted",
            UserCreated => "user.created",
            UserUpdated => "user.updated",
            UserDeleted => "user.deleted",
            PasswordChanged => "user.password_changed",
            UserDisabled => "user.disabled",
            UserEnabled => "user.enabled",
            PermissionGranted => "permission.granted",
            PermissionRevoked => "permission.revoked",
            TokenCreated => "token.created",
            TokenRevoked => "token.revoked",
            DeskMemberAdded => "desk.member_added",
            DeskMemberRemoved => "desk.member_removed",
            CatalogSeeded => "catalog.seeded",
            CatalogUpdated => "catalog.updated",
            TicketCreated => "ticket.created",
            TicketUpdated => "ticket.updated",
            TicketStatusChanged => "ticket.status_changed",
            TicketAssigned => "ticket.assigned",
            TicketPriorityChanged => "ticket.priority_changed",
            TicketDeskChanged => "ticket.desk_changed",
            TicketMerged => "ticket.merged",
            TicketRated => "ticket.rated",
            CallbackAttempted => "callback.attempted",
            SlaBreached => "sla.breached",
            MessageAdded => "message.added",
            CannedReplyCreated => "canned_reply.created",
            CannedReplyUpdated => "canned_reply.updated",
            CannedReplyDeleted => "canned_reply.deleted",
            SlaPolicyUpdated => "sla_policy.updated",
            CalendarUpdated => "calendar.updated",
            SettingsUpdated => "settings.updated",
            ArticleCreated => "article.created",
            ArticleUpdated => "article.updated",
            ArticleDeleted => "article.deleted",
            ArticleDeflected => "article.deflected",
            SynonymGroupSaved => "synonym_group.saved",
            SynonymGroupDeleted => "synonym_group.deleted",
            UserLoggedIn => "session.created",
            UserLoggedOut => "session.ended",
            SignInFailed => "user.sign_in_failed",
            WebhookCreated => "webhook.created",
            WebhookUpdated => "webhook.updated",
            WebhookDeleted => "webhook.deleted",
            MailReceived => "mail.received",
            MailRefused => "mail.refused",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_code_and_parses_back() {
        for (i, kind) in EventKind::ALL.iter().enumerate() {
            assert_eq!(EventKind::parse(kind.code()), Some(*kind));
            assert!(
                EventKind::ALL[..i].iter().all(|k| k.code() != kind.code()),
                "{} twice",
                kind.code()
            );
        }
        assert_eq!(EventKind::parse("ticket.exploded"), None);
    }
}
