//! The records of the customer's world (SPEC §1–2), as the rest of the system sees them.

use jiff::Timestamp;

use crate::codes::{Channel, Locale, PermissionLevel, Role, SupportPlan};
use crate::values::{ContractNumber, Email, Name, TenantId};

/// A customer company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
}

/// A cloud tenant an organization owns; tickets name the tenant they are about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub organization_id: String,
    pub tenant_id: String,
    pub name: Option<String>,
    pub created_at: Timestamp,
}

/// A contract between an organization and one contracting corporation (契約元法人) for one
/// product line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub id: String,
    pub organization_id: String,
    pub contract_number: String,
    pub product_line: String,
    pub contracting_corporation: String,
    pub plan: SupportPlan,
    pub channel: Channel,
    /// Set exactly when `channel` is `partner`.
    pub partner_name: Option<String>,
    pub created_at: Timestamp,
}

/// Anyone who logs in: a customer, a customer admin, an agent or an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Set exactly for customers and customer admins.
    pub organization_id: Option<String>,
    pub locale: Locale,
    /// An IANA time zone name; times are shown in it.
    pub time_zone: String,
    pub created_at: Timestamp,
    /// When an admin disabled the user: they cannot sign in and their sessions and tokens are
    /// refused until enabled again. `None` for a user who may sign in.
    pub disabled_at: Option<Timestamp>,
}

/// A user's ticket permission on one contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPermission {
    pub user_id: String,
    pub contract_id: String,
    pub contract_number: String,
    pub level: PermissionLevel,
}

/// A new contract, checked: a partner contract names its partner, a direct one does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContract {
    pub organization_id: String,
    pub contract_number: ContractNumber,
    pub product_line: Name,
    pub contracting_corporation: Name,
    pub plan: SupportPlan,
    pub channel: Channel,
    pub partner_name: Option<Name>,
}

/// A new tenant, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTenant {
    pub organization_id: String,
    pub tenant_id: TenantId,
    pub name: Option<Name>,
}

/// A new user, checked: customers have an organization, staff do not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: Email,
    pub name: Name,
    pub role: Role,
    pub organization_id: Option<String>,
    pub locale: Locale,
    /// An IANA time zone name; `None` for the default, Asia/Tokyo.
    pub time_zone: Option<String>,
    /// An Argon2id PHC string; `None` for users who only use API tokens.
    pub password_hash: Option<String>,
    /// For agents: the desks whose queues they work.
    pub desks: Vec<crate::codes::Desk>,
}

/// The time zone users start with.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Tokyo";

impl User {
    /// The actor of changes made from the command line or by the service itself: an admin that
    /// no one can log in as, recorded as `system` in the event log.
    pub fn system() -> User {
        User {
            id: "system".to_owned(),
            email: "system@madoguchi.invalid".to_owned(),
            name: "madoguchi".to_owned(),
            role: Role::Admin,
            organization_id: None,
            locale: Locale::En,
            time_zone: DEFAULT_TIME_ZONE.to_owned(),
            created_at: Timestamp::UNIX_EPOCH,
            disabled_at: None,
        }
    }
}
