//! Filing and following tickets (SPEC §2–5): categories, the filing rules, the lists, the
//! ticket page's data, replies, closing, and the agent's changes.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use madoguchi_core::access::{TicketScope, may_file, may_reply, may_view_ticket};
use madoguchi_core::catalog::{ServiceMenu, TicketType, offered_menus, ticket_types_for};
use madoguchi_core::category::{Categories, Category, NoCategory, categories_for};
use madoguchi_core::model::{Contract, TicketPermission, User};
use madoguchi_core::seen::{self, Change};
use madoguchi_core::status::{TicketEvent, next_status};
use madoguchi_core::ticket::{
    Attachment, FilingContext, Message, RawCallback, RawIncident, RawTicket, Ticket,
    check_new_ticket, check_reply_body,
};
use madoguchi_core::values::{Email, TicketKey};
use madoguchi_core::{Channel, Desk, Invalid, Problem, Status, Via};
use madoguchi_search::{TicketSearch, TicketSort};
use madoguchi_store::{
    Cursor, Filing, HistoryEntry, NewMessage, Page, PageRequest, Person, Store, StoreError,
    TicketFilter, TicketList, Viewer,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::search::Search;
use crate::{ServiceError, ServiceResult};

/// The categories a user may file under, or why there are none, with whom to ask.
#[derive(Debug, Clone)]
pub struct CategoryChoice {
    pub categories: Vec<Category>,
    pub reason: Option<NoCategory>,
    /// For `no_permission`: the organization's customer admins, who can grant it.
    pub admins: Vec<User>,
}

pub async fn categories(store: &Store, user: &User) -> ServiceResult<CategoryChoice> {
    let Some(org) = user.organization_id.as_deref() else {
        return Ok(CategoryChoice {
            categories: Vec::new(),
            reason: Some(NoCategory::NoPermission),
            admins: Vec::new(),
        });
    };
    let contracts = store.contracts_of(org).await?;
    let permissions = store.permissions_of(&user.id).await?;
    let types = store.ticket_types().await?;
    Ok(
        match categories_for(user, &contracts, &permissions, &types) {
            Categories::Some(categories) => CategoryChoice {
                categories,
                reason: None,
                admins: Vec::new(),
            },
            Categories::None(reason) => {
                let admins = match reason {
                    NoCategory::NoPermission => store.customer_admins(org).await?,
                    NoCategory::PartnerContract { .. } => Vec::new(),
                };
                CategoryChoice {
                    categories: Vec::new(),
                    reason: Some(reason),
                    admins,
                }
            }
        },
    )
}

/// `POST /api/v1/tickets`: a ticket as the customer sends it.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct TicketInput {
    /// 契約番号 of the category picked.
    #[schema(required = true)]
    pub contract_number: Option<String>,
    /// A ticket type code the contract's plan offers.
    #[schema(required = true)]
    pub ticket_type: Option<String>,
    /// 内容: one line.
    #[schema(required = true)]
    pub summary: Option<String>,
    /// The key of a service menu.
    #[schema(required = true)]
    pub service_menu: Option<String>,
    /// One of the organization's tenant IDs.
    #[schema(required = true)]
    pub tenant_id: Option<String>,
    /// 詳細.
    #[schema(required = true)]
    pub details: Option<String>,
    /// The service menu's items, by key.
    #[serde(default)]
    pub menu_fields: BTreeMap<String, String>,
    /// Incident types only, and required there.
    pub incident: Option<IncidentInput>,
    /// Callback types only, and required there.
    pub callback: Option<CallbackInput>,
    /// Users (ids or emails) of the same organization who may view the contract.
    #[serde(default)]
    pub participants: Vec<String>,
    /// Ids of the caller's uploads (`POST /api/v1/attachments`).
    #[serde(default)]
    pub attachments: Vec<String>,
    /// The key of a closed ticket this one follows up.
    pub follow_up_of: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct IncidentInput {
    /// 事象発生日時: RFC 3339, or `YYYY-MM-DDTHH:MM` in the user's time zone.
    pub occurred_at: Option<String>,
    /// 動作実績: what worked before, what was done.
    pub operation_history: Option<String>,
    /// 現在の状況.
    pub current_status: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct CallbackInput {
    pub phone: Option<String>,
    pub contact_name: Option<String>,
    /// e.g. `平日 10:00-12:00`.
    pub preferred_window: Option<String>,
}

/// The user's time zone, or Tokyo if the stored name is unknown to this machine.
pub fn time_zone(user: &User) -> TimeZone {
    TimeZone::get(&user.time_zone)
        .or_else(|_| TimeZone::get(madoguchi_core::model::DEFAULT_TIME_ZONE))
        .unwrap_or(TimeZone::UTC)
}

/// What the filing form offers for one category: the contract, its types, the menus, the
/// tenants, and who may be added as a participant.
#[derive(Debug, Clone)]
pub struct FilingOptions {
    pub contract: Contract,
    pub ticket_types: Vec<TicketType>,
    pub menus: Vec<ServiceMenu>,
    pub tenants: Vec<String>,
    /// Colleagues who may view the contract (the participant picker's left side), disabled
    /// ones too so that naming one is refused as disabled; the picker leaves them out.
    pub colleagues: Vec<User>,
}

/// The contract a customer files under, checked: `NotFound` for another organization's,
/// `Forbidden` for a partner contract or a permission short of "edit".
async fn filing_contract(
    store: &Store,
    user: &User,
    number: &str,
) -> ServiceResult<(Contract, Vec<TicketPermission>)> {
    if !user.role.is_customer() {
        return Err(ServiceError::Forbidden(
            "only customers file tickets".into(),
        ));
    }
    let contract = match store.contract_by_number(number.trim()).await {
        Ok(c) if Some(&c.organization_id) == user.organization_id.as_ref() => c,
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(Invalid::one("contract_number", Problem::NotFound).into());
        }
        Err(e) => return Err(e.into()),
    };
    let permissions = store.permissions_of(&user.id).await?;
    if contract.channel == Channel::Partner {
        let partner = contract.partner_name.clone().unwrap_or_default();
        return Err(ServiceError::Forbidden(
            format!(
                "contract {} is resold by {partner}: contact {partner} for support",
                contract.contract_number
            )
            .into(),
        ));
    }
    if !may_file(user, &permissions, &contract) {
        return Err(ServiceError::Forbidden(
            format!(
                "you need \"edit\" ticket permission on contract {} to file; your organization's customer admins can grant it",
                contract.contract_number
            )
            .into(),
        ));
    }
    Ok((contract, permissions))
}

pub async fn filing_options(
    store: &Store,
    user: &User,
    contract_number: &str,
) -> ServiceResult<FilingOptions> {
    let (contract, _) = filing_contract(store, user, contract_number).await?;
    let ticket_types = ticket_types_for(contract.plan, &store.ticket_types().await?);
    // Retired menus and items are not offered; a required item an admin added is asked.
    let menus = offered_menus(&store.service_menus().await?);
    let tenants = store.tenant_ids_of(&contract.organization_id).await?;
    let colleagues = colleagues(store, &contract, &user.id).await?;
    Ok(FilingOptions {
        contract,
        ticket_types,
        menus,
        tenants,
        colleagues,
    })
}

/// The organization's customers who may view `contract`, besides `except`.
async fn colleagues(store: &Store, contract: &Contract, except: &str) -> ServiceResult<Vec<User>> {
    let mut viewers = store.viewers_of_contract(&contract.id).await?;
    viewers.retain(|u| {
        u.id != except && u.organization_id.as_deref() == Some(&contract.organization_id)
    });
    Ok(viewers)
}

/// Files a ticket (SPEC §4): every problem is answered at once, under its field's JSON path.
/// Files a ticket carrying at most `max_attachments` files.
pub async fn file(
    store: &Store,
    user: &User,
    input: &TicketInput,
    max_attachments: usize,
) -> ServiceResult<Ticket> {
    // A list past its cap is one problem, and its entries are not looked at (150 000 bad
    // participants would be 150 000 problems); every other field is still checked.
    let oversized = madoguchi_core::ticket::check_list_sizes(
        input.participants.len(),
        input.menu_fields.len(),
        input.attachments.len(),
        max_attachments,
    )
    .err()
    .unwrap_or_default();
    let too_many = |field: &str| oversized.0.iter().any(|e| e.field == field);
    let no_menu_fields = BTreeMap::new();
    let Some(number) = input
        .contract_number
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    else {
        return Err(Invalid::one("contract_number", Problem::NotChosen).into());
    };
    let options = filing_options(store, user, number).await?;
    let raw = RawTicket {
        ticket_type: input.ticket_type.as_deref(),
        summary: input.summary.as_deref(),
        service_menu: input.service_menu.as_deref(),
        tenant_id: input.tenant_id.as_deref(),
        details: input.details.as_deref(),
        menu_fields: if too_many("menu_fields") {
            &no_menu_fields
        } else {
            &input.menu_fields
        },
        incident: input.incident.as_ref().map(|i| RawIncident {
            occurred_at: i.occurred_at.as_deref(),
            operation_history: i.operation_history.as_deref(),
            current_status: i.current_status.as_deref(),
        }),
        callback: input.callback.as_ref().map(|c| RawCallback {
            phone: c.phone.as_deref(),
            contact_name: c.contact_name.as_deref(),
            preferred_window: c.preferred_window.as_deref(),
        }),
    };
    let ctx = FilingContext {
        offered_types: &options.ticket_types,
        menus: &options.menus,
        tenants: &options.tenants,
        time_zone: time_zone(user),
        now: Timestamp::now(),
    };
    let mut errors = Invalid::new();
    let checked = match check_new_ticket(&raw, &ctx) {
        Ok(t) => Some(t),
        Err(e) => {
            // Items the oversized menu fields were not read for are not missing.
            let unread = |field: &str| too_many("menu_fields") && field.starts_with("menu_fields.");
            errors
                .0
                .extend(e.0.into_iter().filter(|e| !unread(&e.field)));
            None
        }
    };
    let cap = |errors: &mut Invalid, field: &str| {
        errors
            .0
            .extend(oversized.0.iter().filter(|e| e.field == field).cloned());
    };
    cap(&mut errors, "menu_fields");
    cap(&mut errors, "participants");
    let mut participant_ids = Vec::new();
    let participants: &[String] = if too_many("participants") {
        &[]
    } else {
        &input.participants
    };
    for (i, who) in participants.iter().enumerate() {
        let found = options
            .colleagues
            .iter()
            .find(|c| c.id == who.trim() || Email::parse(who).is_ok_and(|e| e.as_str() == c.email));
        match found {
            // A disabled colleague could not read along: they are not added.
            Some(c) if c.disabled_at.is_some() => errors.push(
                format!("participants[{i}]"),
                Problem::Conflicts {
                    reason: "problem.user_disabled",
                },
            ),
            Some(c) if !participant_ids.contains(&c.id) => participant_ids.push(c.id.clone()),
            Some(_) => {}
            None if who.trim() == user.id
                || Email::parse(who).is_ok_and(|e| e.as_str() == user.email) => {}
            None => errors.push(
                format!("participants[{i}]"),
                Problem::Conflicts {
                    reason: "problem.not_a_colleague",
                },
            ),
        }
    }
    cap(&mut errors, "attachments");
    let follow_up_of = match input
        .follow_up_of
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        None => None,
        Some(key) => match TicketKey::parse(key) {
            None => {
                errors.push("follow_up_of", Problem::NotFound);
                None
            }
            Some(key) => match store.ticket(Viewer::of(user), key).await {
                Ok(t) if t.status == Status::Closed => Some(t.id),
                Ok(_) => {
                    errors.push(
                        "follow_up_of",
                        Problem::Conflicts {
                            reason: "problem.follow_up_of_open",
                        },
                    );
                    None
                }
                Err(StoreError::NotFound) => {
                    errors.push("follow_up_of", Problem::NotFound);
                    None
                }
                Err(e) => return Err(e.into()),
            },
        },
    };
    errors.into_result()?;
    let ticket = checked.expect("checked above");
    let filing = Filing {
        organization_id: &options.contract.organization_id,
        contract_id: &options.contract.id,
        created_by: &user.id,
        participant_ids: &participant_ids,
        attachment_ids: &input.attachments,
        follow_up_of: follow_up_of.as_deref(),
    };
    Ok(store.file_ticket(&filing, &ticket).await?)
}

/// `GET /api/v1/tickets` filters, as typed.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// A status code.
    pub status: Option<String>,
    /// A ticket type code.
    pub ticket_type: Option<String>,
    /// A service menu key.
    pub service_menu: Option<String>,
    /// Agents: `general` or `premium`.
    pub desk: Option<String>,
    /// Words in the summary, details or replies, or a ticket key.
    pub q: Option<String>,
    /// With words: `relevance` (the default) or `newest`.
    pub sort: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl TicketQuery {
    /// The filter, or what is wrong with it. Blank values mean "any".
    pub fn filter(&self) -> Result<TicketFilter, Invalid> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let mut errors = Invalid::new();
        let status = given(&self.status)
            .and_then(|s| errors.check("status", Status::parse(&s).map_err(Problem::from)));
        let desk = given(&self.desk)
            .and_then(|d| errors.check("desk", Desk::parse(&d).map_err(Problem::from)));
        let q = given(&self.q).and_then(|q| {
            errors.check(
                "q",
                madoguchi_core::values::check_search_words(&q).map(|()| q),
            )
        });
        errors.into_result()?;
        Ok(TicketFilter {
            status,
            ticket_type: given(&self.ticket_type),
            service_menu: given(&self.service_menu),
            desk,
            q,
        })
    }
}

/// Where a ticket matched the words searched: (part, snippet) pairs.
pub type Snippets = Vec<(&'static str, Vec<madoguchi_search::Fragment>)>;

/// A page of a ticket list, and where its tickets matched the words searched.
#[derive(Debug, Clone)]
pub struct Listed {
    pub list: TicketList,
    /// By ticket id; empty without words.
    pub snippets: HashMap<String, Snippets>,
    /// What changed since the caller last looked, by ticket id (only tickets with changes).
    pub unseen: HashMap<String, Vec<Change>>,
}

/// What changed on each of `tickets` since `user` last looked, by ticket id; tickets without
/// changes are left out.
pub async fn unseen(
    store: &Store,
    user: &User,
    tickets: &[&Ticket],
) -> ServiceResult<HashMap<String, Vec<Change>>> {
    let is_staff = !user.role.is_customer();
    Ok(store
        .activity(&user.id, tickets)
        .await?
        .into_iter()
        .map(|(id, activity)| (id, seen::unseen(&activity, is_staff)))
        .filter(|(_, changes)| !changes.is_empty())
        .collect())
}

/// The most hits of a search the queue's own filters and sorts are applied to.
pub const SEARCH_HITS_MAX: usize = 2000;

/// Reads a search list's cursor: the offset of the page in the ranking.
fn offset(page: &PageRequest) -> ServiceResult<usize> {
    match &page.after {
        None => Ok(0),
        Some(c) => c
            .value()
            .strip_prefix("o:")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| ServiceError::Malformed("the cursor is not one of this list's".into())),
    }
}

/// The tickets `user` may see, newest first; with words, those the search index finds for
/// them (the caller's visibility inside the index query), by relevance or newest first,
/// with snippets.
pub async fn list(
    store: &Store,
    search: &Search,
    user: &User,
    filter: &TicketFilter,
    sort: Option<&str>,
    page: &PageRequest,
) -> ServiceResult<Listed> {
    let Some(words) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) else {
        let list = store.tickets(Viewer::of(user), filter, page).await?;
        let unseen = unseen(store, user, &list.page.items.iter().collect::<Vec<_>>()).await?;
        return Ok(Listed {
            list,
            snippets: HashMap::new(),
            unseen,
        });
    };
    let sort = match sort.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("relevance") => TicketSort::Relevance,
        Some("newest") => TicketSort::Newest,
        Some(other) => {
            return Err(ServiceError::Invalid(Invalid::one(
                "sort",
                Problem::UnknownCode(madoguchi_core::UnknownCode {
                    what: "sort",
                    given: other.to_owned(),
                    allowed: vec!["relevance", "newest"],
                }),
            )));
        }
    };
    let offset = offset(page)?;
    search.catch_up(store).await?;
    let visibility = search.visibility(store, user).await?;
    let query = TicketSearch {
        text: words.to_owned(),
        status: filter
            .status
            .map(|s| vec![s.code().to_owned()])
            .unwrap_or_default(),
        ticket_type: filter.ticket_type.clone(),
        service_menu: filter.service_menu.clone(),
        desk: filter.desk.map(|d| d.code().to_owned()),
        sort,
        offset,
        limit: page.limit as usize,
        snippets: true,
        counts: true,
        ..Default::default()
    };
    let synonyms = search.synonyms();
    let found = search
        .with_indexes(move |ix| ix.tickets.search(&synonyms, &visibility, &query))
        .await?;
    let ids: Vec<String> = found.hits.iter().map(|h| h.id.clone()).collect();
    let tickets = store.tickets_among(Viewer::of(user), &ids).await?;
    let unseen = unseen(store, user, &tickets.iter().collect::<Vec<_>>()).await?;
    let next = offset + ids.len();
    let by_status = found
        .by_status
        .iter()
        .filter_map(|(code, n)| Some((Status::parse(code).ok()?, *n as i64)))
        .collect();
    Ok(Listed {
        list: TicketList {
            page: Page {
                items: tickets,
                next_cursor: (next < found.total).then(|| Cursor::of(&format!("o:{next}"))),
            },
            total: found.total as i64,
            by_status,
        },
        snippets: found.hits.into_iter().map(|h| (h.id, h.snippets)).collect(),
        unseen,
    })
}

/// Everything the ticket page and `GET /api/v1/tickets/{key}` show, as `user` may see it.
#[derive(Debug, Clone)]
pub struct TicketDetail {
    pub ticket: Ticket,
    /// The response log, oldest first; internal notes only for staff.
    pub messages: Vec<Message>,
    /// Files attached when filing.
    pub attachments: Vec<Attachment>,
    /// The ticket's history: every event for staff, the public ones for customers.
    pub history: Vec<HistoryEntry>,
    /// Everyone the page names: creator, participants, assignee, authors, actors.
    pub people: Vec<Person>,
    pub may_reply: bool,
    pub may_close: bool,
    pub is_staff: bool,
    /// For support on callback tickets: the first call's due time and the calls made.
    pub callback_log: Option<madoguchi_store::CallbackLog>,
}

/// One entry of the response log (チケット対応ログ): a message, or a public change shown in
/// words (the status, a merge, a call made).
#[derive(Debug, Clone, Copy)]
pub enum LogItem<'a> {
    Message(&'a Message),
    Event(&'a HistoryEntry),
}

impl LogItem<'_> {
    pub fn at(&self) -> Timestamp {
        match self {
            LogItem::Message(m) => m.created_at,
            LogItem::Event(e) => e.at,
        }
    }
}

/// Events that already show as themselves in the log (the filing, the messages).
const NOT_IN_LOG: [&str; 2] = ["ticket.created", "message.added"];

impl TicketDetail {
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    /// The response log, oldest first: the messages (notes only for staff) and the public
    /// changes. Internal changes (assignee, priority, desk) stay in the history, which staff
    /// read beside it.
    pub fn log(&self) -> Vec<LogItem<'_>> {
        let mut items: Vec<LogItem<'_>> = self.messages.iter().map(LogItem::Message).collect();
        items.extend(
            self.history
                .iter()
                .filter(|e| e.public && !NOT_IN_LOG.contains(&e.kind.as_str()))
                .map(LogItem::Event),
        );
        // Stable: a reply comes before the status change it made.
        items.sort_by_key(LogItem::at);
        items
    }
}

struct Access {
    desks: Vec<Desk>,
    permissions: Vec<TicketPermission>,
}

async fn access(store: &Store, user: &User) -> ServiceResult<Access> {
    Ok(Access {
        desks: store.desks_of(&user.id).await?,
        permissions: store.permissions_of(&user.id).await?,
    })
}

pub(crate) fn scope(ticket: &Ticket) -> TicketScope<'_> {
    TicketScope {
        organization_id: &ticket.organization_id,
        contract_id: &ticket.contract_id,
        desk: ticket.desk,
    }
}

/// A key as typed in a path: a malformed key is as missing as an unknown one.
pub fn parse_key(key: &str) -> ServiceResult<TicketKey> {
    TicketKey::parse(key).ok_or(ServiceError::NotFound)
}

/// The ticket a search box opens: words that are exactly a ticket key (`SD-1042`, any case,
/// spaces around) of a ticket `user` may see. A key of a ticket they may not see opens nothing
/// and is searched like any words, so that it finds nothing and hints at nothing (SPEC §5).
pub async fn key_to_open(
    store: &Store,
    user: &User,
    words: Option<&str>,
) -> ServiceResult<Option<TicketKey>> {
    let Some(key) = words.map(str::trim).and_then(TicketKey::parse) else {
        return Ok(None);
    };
    let ticket = match store.ticket(Viewer::of(user), key).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let access = access(store, user).await?;
    Ok(may_view_ticket(user, &access.desks, &access.permissions, scope(&ticket)).then_some(key))
}

/// The ticket as its page and `GET /api/v1/tickets/{key}` show it; showing it is looking at
/// it, so lists stop marking what the user now sees. (Forms that only need the ticket, such as
/// the confirmations, read [`detail`] and mark nothing.)
pub async fn open(store: &Store, user: &User, key: TicketKey) -> ServiceResult<TicketDetail> {
    let detail = detail(store, user, key).await?;
    if !unseen(store, user, &[&detail.ticket]).await?.is_empty() {
        store.mark_seen(&user.id, &detail.ticket.id).await?;
    }
    Ok(detail)
}

pub async fn detail(store: &Store, user: &User, key: TicketKey) -> ServiceResult<TicketDetail> {
    let ticket = store.ticket(Viewer::of(user), key).await?;
    let access = access(store, user).await?;
    // The store's query decides visibility; the rule of `core` must agree, or nothing is shown.
    if !may_view_ticket(user, &access.desks, &access.permissions, scope(&ticket)) {
        tracing::error!(key = %key, user = %user.id, "store and core disagree on ticket visibility");
        return Err(ServiceError::NotFound);
    }
    let is_staff = !user.role.is_customer();
    let messages = store.messages(&ticket.id, is_staff).await?;
    let attachments = store.ticket_attachments(&ticket.id).await?;
    let history = store.ticket_history(&ticket.id, !is_staff).await?;
    let mut ids: Vec<String> = vec![ticket.created_by.clone()];
    ids.extend(crate::desk::history_people(&history));
    ids.extend(ticket.participant_ids.iter().cloned());
    ids.extend(ticket.assignee_id.iter().cloned());
    ids.extend(messages.iter().map(|m| m.author_id.clone()));
    let callback_log = crate::callbacks::log_for(store, user, &ticket).await?;
    ids.extend(
        callback_log
            .iter()
            .flat_map(|l| l.attempts.iter().map(|a| a.agent_id.clone())),
    );
    ids.sort();
    ids.dedup();
    let people = store.people(&ids).await?;
    let may_reply = ticket.status != Status::Closed
        && may_reply(user, &access.desks, &access.permissions, scope(&ticket));
    let may_close = may_reply && user.role.is_customer();
    Ok(TicketDetail {
        ticket,
        messages,
        attachments,
        history,
        people,
        may_reply,
        may_close,
        is_staff,
        callback_log,
    })
}

/// `POST /api/v1/tickets/{key}/messages`.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct ReplyInput {
    /// 追加更新情報.
    #[schema(required = true)]
    pub body: Option<String>,
    /// Ids of the caller's uploads.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// Agents only: an internal note, never shown or sent to the customer.
    #[serde(default)]
    pub internal: bool,
    /// Agents only: the status the reply leaves the ticket in.
    pub status: Option<String>,
    /// The surface the reply was written on; set by the surface, never read from the input.
    #[serde(skip)]
    pub via: Via,
}

/// Checks that `user` may see the ticket (else `NotFound`) and reply (else `Forbidden`).
async fn replyable(store: &Store, user: &User, key: TicketKey) -> ServiceResult<Ticket> {
    let ticket = store.ticket(Viewer::of(user), key).await?;
    let access = access(store, user).await?;
    if !may_reply(user, &access.desks, &access.permissions, scope(&ticket)) {
        return Err(ServiceError::Forbidden(
            "you may read this ticket but not reply: that needs \"edit\" ticket permission on its contract".into(),
        ));
    }
    Ok(ticket)
}

pub(crate) fn transition_error(e: StoreError) -> ServiceError {
    match e {
        StoreError::Transition(t) => ServiceError::Conflict(Invalid::one(
            "status",
            Problem::Conflicts {
                reason: match t {
                    madoguchi_core::status::TransitionError::Closed => "problem.ticket_closed",
                    madoguchi_core::status::TransitionError::NotApplicable { .. } => {
                        "problem.not_in_this_status"
                    }
                },
            },
        )),
        StoreError::Dangling {
            field: "attachments",
        } => ServiceError::Invalid(Invalid::one("attachments", Problem::NotFound)),
        other => other.into(),
    }
}

/// Adds a reply or note carrying at most `max_attachments` files.
pub async fn reply(
    store: &Store,
    user: &User,
    key: TicketKey,
    input: &ReplyInput,
    max_attachments: usize,
) -> ServiceResult<(Message, Ticket)> {
    let ticket = replyable(store, user, key).await?;
    crate::merge::refuse_if_merged(&ticket)?;
    let mut errors = Invalid::new();
    let body = errors.check(
        "body",
        check_reply_body(input.body.as_deref()).map_err(|mut e| e.0.remove(0).problem),
    );
    let is_staff = !user.role.is_customer();
    let status = input
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    // Internal notes and status changes are support's actions: a customer asking for either
    // is refused outright, before anything is written.
    if !is_staff && (input.internal || status.is_some()) {
        return Err(ServiceError::Forbidden(
            "only support staff write internal notes or set the status; send the reply without `internal` and `status`".into(),
        ));
    }
    let set = status.and_then(|s| errors.check("status", Status::parse(s).map_err(Problem::from)));
    if input.attachments.len() > max_attachments {
        errors.push(
            "attachments",
            Problem::TooMany {
                max: max_attachments,
            },
        );
    }
    errors.into_result()?;
    let body = body.expect("checked above");
    let event = match (is_staff, input.internal) {
        (false, _) => TicketEvent::CustomerReplied,
        // An internal note changes nothing the customer sees, so no status moves on its own.
        (true, true) => TicketEvent::AgentSetStatus(Status::InProgress),
        (true, false) => TicketEvent::AgentReplied { set },
    };
    let message = NewMessage {
        author_id: &user.id,
        author_role: user.role,
        body: &body,
        internal: input.internal,
        attachment_ids: &input.attachments,
        via: input.via,
    };
    let internal_note = is_staff && input.internal;
    store
        .add_message(&ticket.id, &message, |from| {
            if internal_note {
                // Notes may carry an explicit status; otherwise the status stays.
                return match set {
                    Some(s) => next_status(from, TicketEvent::AgentSetStatus(s)),
                    None if from == Status::Closed => {
                        Err(madoguchi_core::status::TransitionError::Closed)
                    }
                    None => Ok(from),
                };
            }
            next_status(from, event)
        })
        .await
        .map_err(transition_error)
}

/// The customer's Close (SPEC §5).
pub async fn close(store: &Store, user: &User, key: TicketKey) -> ServiceResult<Ticket> {
    let ticket = replyable(store, user, key).await?;
    if !user.role.is_customer() {
        return Err(ServiceError::Forbidden(
            "agents close tickets with PATCH status".into(),
        ));
    }
    store
        .change_status(&ticket.id, Some(&user.id), |from| {
            next_status(from, TicketEvent::CustomerClosed)
        })
        .await
        .map_err(transition_error)
}

pub use crate::desk::{TicketPatch, update};
