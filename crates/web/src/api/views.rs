//! What the API sends: the shapes of SPEC §8 ("Shapes the API keeps"). Fields may be added,
//! never renamed.

use jiff::Timestamp;
use madoguchi_core::model::{Contract, Organization, Tenant, TicketPermission, User};
use madoguchi_core::{Locale, PermissionLevel, Role};
use madoguchi_store::{IssuedToken, Page, TokenInfo};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n;
use madoguchi_app::identity::Profile;

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
    /// A disabled user cannot sign in; their sessions and tokens are refused.
    pub disabled: bool,
    /// When they were disabled; `null` when they are not.
    pub disabled_at: Option<String>,
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
            disabled: u.disabled_at.is_some(),
            disabled_at: u.disabled_at.map(rfc3339),
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
    /// What its owner called it; `null` for tokens made without a name.
    pub name: Option<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// When it stops working; `null` for never.
    pub expires_at: Option<String>,
}

impl From<IssuedToken> for TokenView {
    fn from(t: IssuedToken) -> Self {
        TokenView {
            id: t.id,
            token: Some(t.token),
            name: t.name,
            created_at: rfc3339(t.created_at),
            last_used_at: None,
            expires_at: t.expires_at.map(rfc3339),
        }
    }
}

impl From<TokenInfo> for TokenView {
    fn from(t: TokenInfo) -> Self {
        TokenView {
            id: t.id,
            token: None,
            name: t.name,
            created_at: rfc3339(t.created_at),
            last_used_at: t.last_used_at.map(rfc3339),
            expires_at: t.expires_at.map(rfc3339),
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
    /// Always `false` here: a disabled user's calls are refused before they reach this.
    pub disabled: bool,
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
            disabled: p.user.disabled_at.is_some(),
        }
    }
}

/// A ticket type as clients see it (SPEC §8).
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketTypeView {
    pub code: String,
    pub name: String,
    pub description: String,
    /// `inquiry` or `incident`.
    pub kind: String,
    /// `web` or `callback`.
    pub channel: String,
    /// `general` or `premium`.
    pub desk: String,
}

impl TicketTypeView {
    pub fn new(t: &madoguchi_core::catalog::TicketType, locale: Locale) -> Self {
        TicketTypeView {
            code: t.code.clone(),
            name: match locale {
                Locale::Ja => t.name_ja.clone(),
                Locale::En => t.name.clone(),
            },
            description: match locale {
                Locale::Ja => t.description_ja.clone(),
                Locale::En => t.description_en.clone(),
            },
            kind: t.kind.code().to_owned(),
            channel: t.channel.code().to_owned(),
            desk: t.desk.code().to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    /// The contract's id.
    pub id: String,
    pub name: String,
    pub product_line: String,
    pub contracting_corporation: String,
    pub contract_number: String,
    pub plan: String,
    pub ticket_types: Vec<TicketTypeView>,
    /// True for premium contracts: plain types are answered by the general desk, not the
    /// premium special desk.
    pub plain_types_go_to_general_desk: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminContact {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerView {
    pub name: String,
}

/// `GET /api/v1/categories`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoriesView {
    pub categories: Vec<CategoryView>,
    /// `no_permission` or `partner_contract`, only when `categories` is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// With `no_permission`: whom to ask for ticket permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admins: Option<Vec<AdminContact>>,
    /// With `partner_contract`: the partner to contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<PartnerView>,
}

impl CategoriesView {
    pub fn new(choice: madoguchi_app::tickets::CategoryChoice, locale: Locale) -> Self {
        use madoguchi_core::category::NoCategory;
        let categories = choice
            .categories
            .iter()
            .map(|c| CategoryView {
                id: c.id.clone(),
                name: c.name.clone(),
                product_line: c.product_line.clone(),
                contracting_corporation: c.contracting_corporation.clone(),
                contract_number: c.contract_number.clone(),
                plan: c.plan.code().to_owned(),
                ticket_types: c
                    .ticket_types
                    .iter()
                    .map(|t| TicketTypeView::new(t, locale))
                    .collect(),
                plain_types_go_to_general_desk: c.plan == madoguchi_core::SupportPlan::Premium,
            })
            .collect();
        let (reason, admins, partner) = match choice.reason {
            None => (None, None, None),
            Some(NoCategory::NoPermission) => (
                Some("no_permission".to_owned()),
                Some(
                    choice
                        .admins
                        .into_iter()
                        .map(|a| AdminContact {
                            name: a.name,
                            email: a.email,
                        })
                        .collect(),
                ),
                None,
            ),
            Some(NoCategory::PartnerContract { partners }) => (
                Some("partner_contract".to_owned()),
                None,
                Some(PartnerView {
                    name: partners.join(", "),
                }),
            ),
        };
        CategoriesView {
            categories,
            reason,
            admins,
            partner,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MenuItemView {
    pub key: String,
    pub label: String,
    pub label_ja: String,
    pub label_en: String,
    /// `text`, `textarea`, `select` or `datetime`.
    pub input: String,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// Order in the menu, lower first.
    pub position: i64,
    /// No longer asked on new tickets (only admins see retired items).
    pub retired: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceMenuView {
    pub key: String,
    pub name: String,
    pub name_ja: String,
    pub name_en: String,
    pub items: Vec<MenuItemView>,
    pub position: i64,
    /// No longer offered for new tickets (only admins see retired menus).
    pub retired: bool,
}

fn pick(locale: Locale, ja: &str, en: &str) -> String {
    if locale == Locale::Ja { ja } else { en }.to_owned()
}

impl MenuItemView {
    pub fn new(i: &madoguchi_core::catalog::MenuItem, locale: Locale) -> Self {
        MenuItemView {
            key: i.key.clone(),
            label: pick(locale, &i.label_ja, &i.label_en),
            label_ja: i.label_ja.clone(),
            label_en: i.label_en.clone(),
            input: i.input.code().to_owned(),
            required: i.required,
            options: (!i.options.is_empty()).then(|| i.options.clone()),
            position: i.position,
            retired: i.retired,
        }
    }
}

impl ServiceMenuView {
    pub fn new(m: &madoguchi_core::catalog::ServiceMenu, locale: Locale) -> Self {
        ServiceMenuView {
            key: m.key.clone(),
            name: pick(locale, &m.name_ja, &m.name_en),
            name_ja: m.name_ja.clone(),
            name_en: m.name_en.clone(),
            items: m
                .items
                .iter()
                .map(|i| MenuItemView::new(i, locale))
                .collect(),
            position: m.position,
            retired: m.retired,
        }
    }
}

/// A user as others see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserRef {
    pub id: String,
    pub name: String,
    /// Shown to colleagues and support; staff addresses are not shown to customers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Where to download it (for those who may see the ticket).
    pub url: String,
}

impl From<&madoguchi_core::ticket::Attachment> for AttachmentView {
    fn from(a: &madoguchi_core::ticket::Attachment) -> Self {
        AttachmentView {
            id: a.id.clone(),
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            url: format!("/api/v1/attachments/{}", a.id),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: String,
    /// Who wrote it, or who made the change; the system (`id` `system`) for automatic changes.
    pub author: UserRef,
    /// True when the author is support staff.
    pub from_support: bool,
    /// The text; for `kind: event`, the change in words, in the caller's language.
    pub body: String,
    /// True for internal notes (`kind: note`), which customers never receive.
    pub internal: bool,
    /// `reply` (public), `note` (internal) or `event` (a public change: status, merge, call).
    pub kind: String,
    /// Where a reply or note was written: `web`, `api` or `email`; absent for events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// For `kind: event`: the event's code and what it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<LogEventView>,
    pub created_at: String,
    pub attachments: Vec<AttachmentView>,
}

/// The change behind a response-log entry of `kind: event`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEventView {
    /// The event code, e.g. `ticket.status_changed`.
    pub kind: String,
    /// `{field: {from, to}}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentView {
    pub occurred_at: String,
    pub operation_history: String,
    pub current_status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackView {
    pub phone: String,
    pub contact_name: String,
    pub preferred_window: String,
    /// Agents only: when the first call is due (RFC 3339), once the SLA clock has set it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    /// Agents only: the calls made, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<Vec<CallbackAttemptView>>,
}

/// One call made for a callback ticket (agents only).
#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackAttemptView {
    pub id: String,
    /// `reached`, `no_answer`, `voicemail` or `rescheduled`.
    pub outcome: String,
    /// The outcome in the caller's language.
    pub outcome_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For `rescheduled`: when to call again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_at: Option<String>,
    /// The agent who called.
    pub agent: UserRef,
    pub created_at: String,
}

/// A ticket (SPEC §8). Lists leave out `messages` and `attachments`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub key: String,
    /// `new`, `in_progress`, `waiting_for_customer`, `pending_closure` or `closed`.
    pub status: String,
    pub status_name: String,
    pub ticket_type: TicketTypeView,
    pub summary: String,
    pub service_menu: String,
    pub tenant_id: String,
    pub contract_number: String,
    pub details: String,
    pub menu_fields: std::collections::BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<UserRef>>,
    /// `general` or `premium`.
    pub desk: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<UserRef>,
    pub created_by: UserRef,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_of: Option<String>,
    /// The ticket this duplicate was merged into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// The customer's organization.
    pub organization: OrganizationRef,
    /// The contract's support plan: `basic`, `advanced` or `premium`.
    pub plan: String,
    /// The filer's rating, once the ticket is closed and rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<SatisfactionView>,
    /// Where the ticket stands against its SLA: support staff only, never customers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<MessageView>>,
    /// Files attached when filing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<AttachmentView>>,
    /// A list searched with `q`: where each ticket matched, best part first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippets: Option<Vec<SnippetView>>,
    /// In lists: what changed since the caller last opened the ticket: `reply` (someone
    /// else's public reply), `note` (a colleague's internal note; staff only), `status`.
    /// Opening the ticket (page or `GET /api/v1/tickets/{key}`) clears them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unseen: Option<Vec<String>>,
}

/// The codes of what changed since the caller last looked.
pub fn unseen_codes(changes: Option<&Vec<madoguchi_core::seen::Change>>) -> Vec<String> {
    changes
        .map(|c| c.iter().map(|c| c.code().to_owned()).collect())
        .unwrap_or_default()
}

/// A closed ticket's rating by its filer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SatisfactionView {
    /// 1 (poor) to 5 (excellent).
    pub rating: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub rated_at: String,
}

/// Where searched words matched: the part of the record and its text in pieces, the
/// matched pieces marked (`hit`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SnippetView {
    /// `summary`, `details`, `replies`; for agents also `notes` and `people`; `title` and
    /// `body` for articles.
    pub field: String,
    pub fragments: Vec<FragmentView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FragmentView {
    pub text: String,
    pub hit: bool,
}

impl SnippetView {
    pub fn new(field: &str, fragments: &[madoguchi_search::Fragment]) -> SnippetView {
        SnippetView {
            field: field.to_owned(),
            fragments: fragments
                .iter()
                .map(|f| FragmentView {
                    text: f.text.clone(),
                    hit: f.hit,
                })
                .collect(),
        }
    }
}

/// `GET /api/v1/tickets`: a page with counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketListView {
    pub items: Vec<TicketView>,
    pub next_cursor: Option<String>,
    /// How many tickets match the filters in all.
    pub total: i64,
    /// Matching tickets per status code, ignoring the status filter.
    pub counts: std::collections::BTreeMap<String, i64>,
}

/// A ticket's SLA for support staff (SPEC §8 desk fields): the dues and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaView {
    /// When support's first public answer is due; `null` for a ticket without targets.
    pub first_response_due_at: Option<String>,
    /// When the next public answer is due, once the first response is met (while paused,
    /// the due the clock stopped at: the customer's reply moves it).
    pub next_update_due_at: Option<String>,
    /// `on_track`, `due_soon`, `breached`, `paused` or `met`.
    pub state: String,
    /// The targets missed: `first_response`, `update`.
    pub breached: Vec<String>,
}

impl SlaView {
    /// `ticket`'s SLA as it stands at `now`.
    pub fn of(ticket: &madoguchi_core::ticket::Ticket, now: Timestamp) -> SlaView {
        use madoguchi_core::sla::{breaches, state};
        let sla = &ticket.sla;
        SlaView {
            first_response_due_at: sla.first_response_due_at.map(rfc3339),
            next_update_due_at: sla.next_update_due_at.map(rfc3339),
            state: state(sla, now, ticket.status).code().to_owned(),
            breached: breaches(sla, now)
                .iter()
                .map(|m| m.code().to_owned())
                .collect(),
        }
    }
}
