//! What the API sends: the shapes of SPEC §8 ("Shapes the API keeps"). Fields may be added,
//! never renamed.

use jiff::Timestamp;
use madoguchi_core::model::{Contract, Organization, Tenant, TicketPermission, User};
use madoguchi_core::{Locale, PermissionLevel, Role};
use madoguchi_store::{IssuedToken, Page, TokenInfo};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n;
use crate::services::identity::Profile;

/// RFC 3339 with offset, as every time in the API.
pub fn rfc3339(t: Timestamp) -> String {
    t.to_string()
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    pub fn from_page<S>(page: Page<S>, f: impl FnMut(S) -> T) -> List<T> {
        let next_cursor = page.next_cursor.as_ref().map(|c| c.as_str());
        List {
            items: page.items.into_iter().map(f).collect(),
            next_cursor,
        }
    }

    pub fn all(items: Vec<T>) -> List<T> {
        List {
            items,
            next_cursor: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationView {
    pub id: String,
    pub name: String,
    pub created_at: String,
}

impl From<Organization> for OrganizationView {
    fn from(o: Organization) -> Self {
        OrganizationView {
            id: o.id,
            name: o.name,
            created_at: rfc3339(o.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    pub id: String,
    pub organization_id: String,
    pub tenant_id: String,
    pub name: Option<String>,
    pub created_at: String,
}

impl From<Tenant> for TenantView {
    fn from(t: Tenant) -> Self {
        TenantView {
            id: t.id,
            organization_id: t.organization_id,
            tenant_id: t.tenant_id,
            name: t.name,
            created_at: rfc3339(t.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractView {
    pub id: String,
    pub organization_id: String,
    pub contract_number: String,
    pub product_line: String,
    pub contracting_corporation: String,
    /// `basic`, `advanced` or `premium`.
    pub plan: String,
    /// `direct` or `partner`.
    pub channel: String,
    pub partner_name: Option<String>,
    pub created_at: String,
}

impl From<Contract> for ContractView {
    fn from(c: Contract) -> Self {
        ContractView {
            id: c.id,
            organization_id: c.organization_id,
            contract_number: c.contract_number,
            product_line: c.product_line,
            contracting_corporation: c.contracting_corporation,
            plan: c.plan.code().to_owned(),
            channel: c.channel.code().to_owned(),
            partner_name: c.partner_name,
            created_at: rfc3339(c.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    /// `customer`, `customer_admin`, `agent` or `admin`.
    pub role: String,
    pub organization_id: Option<String>,
    /// `ja` or `en`.
    pub locale: String,
    pub time_zone: String,
    pub created_at: String,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role.code().to_owned(),
            organization_id: u.organization_id,
            locale: u.locale.code().to_owned(),
            time_zone: u.time_zone,
            created_at: rfc3339(u.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionView {
    pub user_id: String,
    pub contract_id: String,
    pub contract_number: String,
    /// `view` or `edit`.
    pub level: String,
}

impl From<TicketPermission> for PermissionView {
    fn from(p: TicketPermission) -> Self {
        PermissionView {
            user_id: p.user_id,
            contract_id: p.contract_id,
            contract_number: p.contract_number,
            level: p.level.code().to_owned(),
        }
    }
}

/// A token as listed; its secret is shown only once, when created.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    /// The secret: present only in the answer that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

impl From<IssuedToken> for TokenView {
    fn from(t: IssuedToken) -> Self {
        TokenView {
            id: t.id,
            token: Some(t.token),
            created_at: rfc3339(t.created_at),
            last_used_at: None,
        }
    }
}

impl From<TokenInfo> for TokenView {
    fn from(t: TokenInfo) -> Self {
        TokenView {
            id: t.id,
            token: None,
            created_at: rfc3339(t.created_at),
            last_used_at: t.last_used_at.map(rfc3339),
        }
    }
}

/// `GET /api/v1/me`: the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub id: String,
    pub email: String,
    pub name: String,
    /// `customer`, `customer_admin`, `agent` or `admin`.
    pub role: String,
    /// The role's display name in the caller's language.
    pub role_name: String,
    pub organization: Option<OrganizationRef>,
    /// `ja` or `en`.
    pub locale: String,
    pub time_zone: String,
    /// The caller's ticket permission on each contract they hold one on.
    pub permissions: Vec<MePermission>,
    /// For agents: the desks whose queues they work.
    pub desks: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MePermission {
    pub contract_number: String,
    pub contract_id: String,
    /// `view` or `edit`.
    pub level: String,
    pub product_line: String,
    pub contracting_corporation: String,
    /// `basic`, `advanced` or `premium`.
    pub plan: String,
    /// `direct` or `partner`.
    pub channel: String,
}

impl From<Profile> for MeView {
    fn from(p: Profile) -> Self {
        let locale: Locale = p.user.locale;
        let role: Role = p.user.role;
        MeView {
            id: p.user.id,
            email: p.user.email,
            name: p.user.name,
            role: role.code().to_owned(),
            role_name: i18n::role(locale, role).to_owned(),
            organization: p.organization.map(|o| OrganizationRef {
                id: o.id,
                name: o.name,
            }),
            locale: locale.code().to_owned(),
            time_zone: p.user.time_zone,
            permissions: p
                .permissions
                .into_iter()
                .map(|(perm, c)| MePermission {
                    contract_number: c.contract_number,
                    contract_id: c.id,
                    level: PermissionLevel::code(perm.level).to_owned(),
                    product_line: c.product_line,
                    contracting_corporation: c.contracting_corporation,
                    plan: c.plan.code().to_owned(),
                    channel: c.channel.code().to_owned(),
                })
                .collect(),
            desks: p.desks.iter().map(|d| d.code().to_owned()).collect(),
        }
    }
}
