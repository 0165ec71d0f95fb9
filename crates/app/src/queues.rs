//! The desks' queues (SPEC §6): which queues a caller works, one queue filtered, sorted and
//! paged, and changes to several tickets at once.
//!
//! Who sees queues: agents see the queues of their desks; admins, who may do everything, see
//! every desk's; customers have none (their calls answer 404, as for anything they may not
//! see).

use madoguchi_core::model::User;
use madoguchi_core::seen;
use madoguchi_core::ticket::Ticket;
use madoguchi_core::{Desk, Invalid, Problem, Status, SupportPlan, UnknownCode};
use madoguchi_store::{
    AssigneeFilter, DeskQueue, PageRequest, Person, QueueFilter, QueuePage, QueueSort, SlaFilter,
    Store,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::search::Search;
use crate::tickets::{TicketPatch, parse_key};
use crate::{ServiceError, ServiceResult};
use madoguchi_search::TicketSearch;

/// The most tickets one bulk change takes.
pub const BULK_MAX: usize = 100;

/// `GET /api/v1/queues/{desk}` as typed: every value is text until parsed.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Status codes (repeat the parameter, or separate with commas); default: every open
    /// status.
    #[serde(default)]
    pub status: Vec<String>,
    /// A ticket type code.
    pub ticket_type: Option<String>,
    /// The contract's plan: `basic`, `advanced` or `premium`.
    pub plan: Option<String>,
    /// A service menu key.
    pub service_menu: Option<String>,
    /// An organization id.
    pub organization: Option<String>,
    /// `me`, `none`, `any` (assigned to someone), or a user id.
    pub assignee: Option<String>,
    /// `due_soon` or `breached`.
    pub sla: Option<String>,
    /// Words of the summary or details, or a ticket key.
    pub q: Option<String>,
    /// `oldest` (default without `q`), `due`, `priority`, `updated` or `relevance` (the best
    /// match first; default with `q`).
    pub sort: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (of the same sort).
    pub cursor: Option<String>,
}

/// Blank means "not given": a form's empty select sends `plan=`.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn unknown(what: &'static str, given: &str, allowed: &[&'static str]) -> Problem {
    Problem::UnknownCode(UnknownCode {
        what,
        given: given.to_owned(),
        allowed: allowed.to_vec(),
    })
}

impl QueueQuery {
    /// Reads a query string's pairs; `status` may repeat.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> QueueQuery {
        let mut q = QueueQuery::default();
        for (key, value) in pairs {
            let slot = match key.as_str() {
                "status" => {
                    q.status.extend(
                        value
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned),
                    );
                    continue;
                }
                "ticket_type" => &mut q.ticket_type,
                "plan" => &mut q.plan,
                "service_menu" => &mut q.service_menu,
                "organization" => &mut q.organization,
                "assignee" => &mut q.assignee,
                "sla" => &mut q.sla,
                "q" => &mut q.q,
                "sort" => &mut q.sort,
                "cursor" => &mut q.cursor,
                "limit" => {
                    // A limit that is not a number is out of range, and said so.
                    q.limit = Some(value.trim().parse().unwrap_or(0));
                    continue;
                }
                _ => continue,
            };
            *slot = Some(value);
        }
        q
    }

    /// The filter and the sort, or every problem at once, each naming its field and the codes
    /// it takes. Ticket types and service menus are checked against the catalog.
    pub async fn parse(&self, store: &Store) -> ServiceResult<(QueueFilter, QueueSort)> {
        let mut errors = Invalid::new();
        let mut statuses = Vec::new();
        for s in &self.status {
            if let Some(s) = errors.check("status", Status::parse(s.trim()).map_err(Problem::from))
                && !statuses.contains(&s)
            {
                statuses.push(s);
            }
        }
        let ticket_type = match given(&self.ticket_type) {
            None => None,
            Some(t) => {
                let types = store.ticket_types().await?;
                if types.iter().any(|ty| ty.code == t) {
                    Some(t.to_owned())
                } else {
                    errors.push(
                        "ticket_type",
                        Problem::NotAChoice {
                            allowed: types.iter().map(|ty| ty.code.clone()).collect(),
                        },
                    );
                    None
                }
            }
        };
        let service_menu = match given(&self.service_menu) {
            None => None,
            Some(m) => {
                let menus = store.service_menus().await?;
                if menus.iter().any(|menu| menu.key == m) {
                    Some(m.to_owned())
                } else {
                    errors.push(
                        "service_menu",
                        Problem::NotAChoice {
                            allowed: menus.iter().map(|menu| menu.key.clone()).collect(),
                        },
                    );
                    None
                }
            }
        };
        let plan = given(&self.plan)
            .and_then(|p| errors.check("plan", SupportPlan::parse(p).map_err(Problem::from)));
        let assignee = match given(&self.assignee) {
            None => None,
            Some("me") => Some(AssigneeFilter::Me),
            Some("none") => Some(AssigneeFilter::Nobody),
            Some("any") => Some(AssigneeFilter::Someone),
            Some(id) => Some(AssigneeFilter::User(id.to_owned())),
        };
        let sla = match given(&self.sla) {
            None => None,
            Some("due_soon") => Some(SlaFilter::DueSoon),
            Some("breached") => Some(SlaFilter::Breached),
            Some(other) => {
                errors.push(
                    "sla",
                    unknown("SLA state", other, &["due_soon", "breached"]),
                );
                None
            }
        };
        let sort = match given(&self.sort) {
            // Words searched rank the queue by how well its tickets match them.
            None if given(&self.q).is_some() => QueueSort::Relevance,
            None => QueueSort::Oldest,
            Some(s) => QueueSort::parse(s).unwrap_or_else(|| {
                errors.push(
                    "sort",
                    unknown("sort", s, &QueueSort::ALL.map(QueueSort::code)),
                );
                QueueSort::Oldest
            }),
        };
        if let Some(words) = given(&self.q) {
            errors.check("q", madoguchi_core::values::check_search_words(words));
        }
        errors.into_result()?;
        let filter = QueueFilter {
            statuses,
            ticket_type,
            plan,
            service_menu,
            organization_id: given(&self.organization).map(str::to_owned),
            assignee,
            sla,
            q: given(&self.q).map(str::to_owned),
            ids: None,
        };
        Ok((filter, sort))
    }
}

/// A desk named in a path: an unknown desk is as missing as another's.
pub fn parse_desk(desk: &str) -> ServiceResult<Desk> {
    Desk::parse(desk).map_err(|_| ServiceError::NotFound)
}

/// The queues of every desk `user` works, with their counts; customers have none to see.
pub async fn queues(store: &Store, user: &User) -> ServiceResult<Vec<DeskQueue>> {
    if user.role.is_customer() {
        return Err(ServiceError::NotFound);
    }
    Ok(store.queues(user).await?)
}

/// One page of a queue, with the people its tickets name.
#[derive(Debug, Clone)]
pub struct QueueAnswer {
    pub queue: QueuePage,
    /// Requesters, assignees and participants of the page's tickets.
    pub people: Vec<Person>,
    /// Where each ticket of the page matched the words searched, by ticket id.
    pub snippets: std::collections::HashMap<String, crate::tickets::Snippets>,
    /// What changed since the caller last looked, by ticket id (only tickets with changes).
    pub unseen: std::collections::HashMap<String, Vec<madoguchi_core::seen::Change>>,
}

/// A page of `desk`'s queue; `NotFound` for customers and for desks the caller does not work.
///
/// Words are looked up in the search index (requester, organization and internal notes
/// included, within the caller's desks); the queue's filters and sort then apply to the most
/// relevant [`SEARCH_HITS_MAX`](crate::tickets::SEARCH_HITS_MAX) hits, which
/// [`QueueSort::Relevance`] keeps in the index's order. A ticket key finds its ticket first.
pub async fn queue(
    store: &Store,
    search: &Search,
    user: &User,
    desk: Desk,
    filter: &QueueFilter,
    sort: QueueSort,
    page: &PageRequest,
) -> ServiceResult<QueueAnswer> {
    if user.role.is_customer() {
        return Err(ServiceError::NotFound);
    }
    let words = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let mut filter = filter.clone();
    let visibility = match words {
        Some(words) => {
            search.catch_up(store).await?;
            let visibility = search.visibility(store, user).await?;
            let query = TicketSearch {
                text: words.to_owned(),
                desk: Some(desk.code().to_owned()),
                limit: crate::tickets::SEARCH_HITS_MAX,
                ..Default::default()
            };
            let synonyms = search.synonyms();
            let v = visibility.clone();
            let found = search
                .with_indexes(move |ix| ix.tickets.search(&synonyms, &v, &query))
                .await?;
            filter.ids = Some(found.hits.into_iter().map(|h| h.id).collect());
            Some(visibility)
        }
        None => None,
    };
    let queue = store.queue(user, desk, &filter, sort, page).await?;
    let mut snippets = std::collections::HashMap::new();
    if let (Some(words), Some(visibility)) = (words, visibility) {
        let query = TicketSearch {
            text: words.to_owned(),
            ids: queue
                .page
                .items
                .iter()
                .map(|i| i.ticket.id.clone())
                .collect(),
            limit: queue.page.items.len().max(1),
            snippets: true,
            ..Default::default()
        };
        let synonyms = search.synonyms();
        let found = search
            .with_indexes(move |ix| ix.tickets.search(&synonyms, &visibility, &query))
            .await?;
        snippets = found.hits.into_iter().map(|h| (h.id, h.snippets)).collect();
    }
    let mut ids: Vec<String> = Vec::new();
    for item in &queue.page.items {
        let t = &item.ticket;
        ids.push(t.created_by.clone());
        ids.extend(t.assignee_id.iter().cloned());
        ids.extend(t.participant_ids.iter().cloned());
    }
    ids.sort();
    ids.dedup();
    let people = store.people(&ids).await?;
    let is_staff = !user.role.is_customer();
    let unseen = queue
        .page
        .items
        .iter()
        .map(|i| (i.ticket.id.clone(), seen::unseen(&i.activity, is_staff)))
        .filter(|(_, changes)| !changes.is_empty())
        .collect();
    Ok(QueueAnswer {
        queue,
        people,
        snippets,
        unseen,
    })
}

/// `POST /api/v1/tickets/bulk`: the same change to several tickets.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct BulkInput {
    /// Ticket keys, at most 100.
    #[schema(required = true)]
    #[serde(default)]
    pub keys: Vec<String>,
    /// A user id of an agent of each ticket's desk, `me`, or `""` to unassign.
    pub assignee: Option<String>,
    pub status: Option<String>,
    /// `p1` (most urgent) to `p4`.
    pub priority: Option<String>,
}

/// What happened to one ticket of a bulk change.
#[derive(Debug)]
pub struct BulkOutcome {
    /// The key as given.
    pub key: String,
    pub result: ServiceResult<Ticket>,
}

/// Applies the change to each ticket on its own, through the single-ticket update (so every
/// rule and event is the same as one PATCH): one ticket failing stops none of the others.
/// Customers are refused as a whole (403), as for the PATCH.
pub async fn bulk(
    store: &Store,
    user: &User,
    input: &BulkInput,
) -> ServiceResult<Vec<BulkOutcome>> {
    if user.role.is_customer() {
        return Err(ServiceError::Forbidden(
            "only agents change tickets in bulk".into(),
        ));
    }
    let mut errors = Invalid::new();
    let mut keys: Vec<String> = Vec::new();
    for key in &input.keys {
        let key = key.trim().to_owned();
        if !key.is_empty() && !keys.contains(&key) {
            keys.push(key);
        }
    }
    if keys.is_empty() {
        errors.push("keys", Problem::Required);
    } else if keys.len() > BULK_MAX {
        errors.push("keys", Problem::TooMany { max: BULK_MAX });
    }
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
    if input.assignee.is_none() && blank(&input.status) && blank(&input.priority) {
        errors.push(
            "status",
            Problem::Conflicts {
                reason: "problem.bulk_nothing_to_change",
            },
        );
    }
    errors.into_result()?;
    // The rest of the PATCH (fields added for the agent's page) is left unchanged.
    #[allow(clippy::needless_update)]
    let patch = TicketPatch {
        status: input.status.clone().filter(|s| !s.trim().is_empty()),
        assignee: match input.assignee.as_deref().map(str::trim) {
            Some("me") => Some(user.id.clone()),
            other => other.map(str::to_owned),
        },
        priority: input.priority.clone().filter(|p| !p.trim().is_empty()),
        ..Default::default()
    };
    let mut outcomes = Vec::with_capacity(keys.len());
    for key in keys {
        let result = match parse_key(&key) {
            Ok(k) => crate::tickets::update(store, user, k, &patch).await,
            Err(e) => Err(e),
        };
        outcomes.push(BulkOutcome { key, result });
    }
    Ok(outcomes)
}
