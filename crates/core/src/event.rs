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
    PermissionGranted,
    PermissionRevoked,
    TokenCreated,
    TokenRevoked,
    DeskMemberAdded,
    CatalogSeeded,
    TicketCreated,
    TicketUpdated,
    MessageAdded,
    ArticleCreated,
    ArticleUpdated,
    ArticleDeleted,
    ArticleDeflected,
    UserLoggedIn,
    UserLoggedOut,
}

impl EventKind {
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
            PermissionGranted => "permission.granted",
            PermissionRevoked => "permission.revoked",
            TokenCreated => "token.created",
            TokenRevoked => "token.revoked",
            DeskMemberAdded => "desk.member_added",
            CatalogSeeded => "catalog.seeded",
            TicketCreated => "ticket.created",
            TicketUpdated => "ticket.updated",
            MessageAdded => "message.added",
            ArticleCreated => "article.created",
            ArticleUpdated => "article.updated",
            ArticleDeleted => "article.deleted",
            ArticleDeflected => "article.deflected",
            UserLoggedIn => "session.created",
            UserLoggedOut => "session.ended",
        }
    }
}
