//! The agent's work on one ticket (SPEC §6): the PATCH of status, assignee, priority and desk,
//! taking a ticket, internal notes, the history, and the customer's context beside the log.
//! Customers may call none of it but the history, of which they get the public part.

use madoguchi_core::access::may_view_ticket;
use madoguchi_core::model::User;
use madoguchi_core::status::{TicketEvent, next_status};
use madoguchi_core::ticket::{Message, Ticket};
use madoguchi_core::values::{Email, TicketKey};
use madoguchi_core::{Desk, Invalid, Priority, Problem, Role, Status};
use madoguchi_store::{
    HistoryEntry, Person, RecentTicket, Store, StoreError, TicketChanges, Viewer,
};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::tickets::{ReplyInput, TicketDetail, scope, transition_error};
use crate::{ServiceError, ServiceResult};

/// `PATCH /api/v1/tickets/{key}` (agents). Each field is optional; a field that changes
/// nothing writes nothing.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct TicketPatch {
    /// A status code.
    pub status: Option<String>,
    /// The user id or email of an agent of the ticket's desk; `null` (or `""`) unassigns.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(nullable)]
    pub assignee: Option<String>,
    /// `p1` (most urgent) to `p4`.
    pub priority: Option<String>,
    /// `general` or `premium`: moves the ticket to that desk's queue (agents on both desks).
    pub desk: Option<String>,
}

/// `"assignee": null` means "unassign", which a plain `Option` cannot tell from a missing
/// field: null reads as `""`, missing stays `None`.
fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Some(Option::<String>::deserialize(d)?.unwrap_or_default()))
}

/// Refuses customers: `Forbidden` if they may see the ticket, `NotFound` if not, so that a
/// customer learns nothing more than the ticket page already tells them.
async fn staff_only(store: &Store, user: &User, key: TicketKey) -> ServiceResult<()> {
    if user.role.is_customer() {
        store.ticket(Viewer::of(user), key).await?;
        return Err(ServiceError::Forbidden(
            "only support staff change a ticket's status, assignee, priority and desk, and write internal notes".into(),
        ));
    }
    Ok(())
}

/// The agent of `desk` that `who` (a user id or an email) names, or why they may not take its
/// tickets: not an agent of the desk, or disabled (they could not work the ticket).
async fn desk_agent(
    store: &Store,
    who: &str,
    desk: Desk,
) -> ServiceResult<Result<User, &'static str>> {
    let found = match Email::parse(who) {
        Ok(email) if who.contains('@') => store.user_by_email(&email).await,
        _ => store.user(who).await,
    };
    match found {
        Ok(a) if a.role == Role::Agent && store.desks_of(&a.id).await?.contains(&desk) => {
            if a.disabled_at.is_some() {
                Ok(Err("problem.assignee_disabled"))
            } else {
                Ok(Ok(a))
            }
        }
        Ok(_) | Err(StoreError::NotFound) => Ok(Err("problem.not_an_agent_of_desk")),
        Err(e) => Err(e.into()),
    }
}

/// Whether `user` may move tickets between desks: an admin, or an agent on both.
pub fn may_move_desk(user: &User, desks: &[Desk]) -> bool {
    user.role == Role::Admin
        || (user.role == Role::Agent && Desk::ALL.iter().all(|d| desks.contains(d)))
}

/// Applies an agent's PATCH. Bad codes and an assignee who is not an agent of the ticket's
/// (new) desk, or is disabled, are 422; a desk move by an agent not on both desks is 403; a change of status
/// on a closed ticket is 409.
pub async fn update(
    store: &Store,
    user: &User,
    key: TicketKey,
    patch: &TicketPatch,
) -> ServiceResult<Ticket> {
    staff_only(store, user, key).await?;
    let ticket = store.ticket(Viewer::of(user), key).await?;
    let given = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_owned);
    let mut errors = Invalid::new();
    let status = given(&patch.status)
        .and_then(|s| errors.check("status", Status::parse(&s).map_err(Problem::from)));
    let priority = given(&patch.priority)
        .and_then(|p| errors.check("priority", Priority::parse(&p).map_err(Problem::from)));
    let desk = given(&patch.desk)
        .and_then(|d| errors.check("desk", Desk::parse(&d).map_err(Problem::from)));
    let moves = desk.filter(|d| *d != ticket.desk);
    if moves.is_some() && !may_move_desk(user, &store.desks_of(&user.id).await?) {
        return Err(ServiceError::Forbidden(
            "only an agent of both desks may move a ticket to the other desk".into(),
        ));
    }
    let target_desk = moves.unwrap_or(ticket.desk);
    let mut assignee = match given(&patch.assignee).as_deref() {
        None => None,
        Some("") => Some(None),
        Some(who) => match desk_agent(store, who, target_desk).await? {
            Ok(a) => Some(Some(a.id)),
            Err(reason) => {
                errors.push("assignee", Problem::Conflicts { reason });
                None
            }
        },
    };
    errors.into_result()?;
    // A ticket that moves leaves its assignee behind unless they work the new desk too.
    if let (Some(to), None) = (moves, &assignee)
        && let Some(current) = &ticket.assignee_id
        && !store.desks_of(current).await?.contains(&to)
    {
        assignee = Some(None);
    }
    store
        .update_ticket(&ticket.id, Some(&user.id), |from| {
            let status = match status {
                Some(s) => Some(next_status(from, TicketEvent::AgentSetStatus(s))?),
                None => None,
            };
            Ok(TicketChanges {
                status,
                assignee_id: assignee,
                priority,
                desk: moves,
                reason: None,
            })
        })
        .await
        .map_err(transition_error)
}

/// Takes the ticket: assigns it to the caller, who must be an agent of its desk.
pub async fn take(store: &Store, user: &User, key: TicketKey) -> ServiceResult<Ticket> {
    let patch = TicketPatch {
        assignee: Some(user.id.clone()),
        ..Default::default()
    };
    update(store, user, key, &patch).await
}

/// Adds an internal note: never shown, listed, emailed or sent to a customer by any path.
/// Customers get `Forbidden` (or `NotFound`).
pub async fn note(
    store: &Store,
    user: &User,
    key: TicketKey,
    input: &ReplyInput,
    max_attachments: usize,
) -> ServiceResult<(Message, Ticket)> {
    staff_only(store, user, key).await?;
    let input = ReplyInput {
        internal: true,
        status: None,
        ..input.clone()
    };
    crate::tickets::reply(store, user, key, &input, max_attachments).await
}

/// A ticket's history with the people it names.
#[derive(Debug, Clone)]
pub struct History {
    pub ticket: Ticket,
    pub entries: Vec<HistoryEntry>,
    pub people: Vec<Person>,
}

/// The ids of the people a history names: actors, and assignees before and after.
pub(crate) fn history_people(entries: &[HistoryEntry]) -> Vec<String> {
    let mut ids = Vec::new();
    for e in entries {
        ids.extend(e.actor_id.iter().cloned());
        if let Some(change) = e.changes.get("assignee") {
            for side in ["from", "to"] {
                if let Some(id) = change.get(side).and_then(|v| v.as_str()) {
                    ids.push(id.to_owned());
                }
            }
        }
    }
    ids
}

/// `GET /api/v1/tickets/{key}/history`: every change for staff, the public part for customers.
pub async fn history(store: &Store, user: &User, key: TicketKey) -> ServiceResult<History> {
    let ticket = store.ticket(Viewer::of(user), key).await?;
    let desks = store.desks_of(&user.id).await?;
    let permissions = store.permissions_of(&user.id).await?;
    if !may_view_ticket(user, &desks, &permissions, scope(&ticket)) {
        tracing::error!(key = %key, user = %user.id, "store and core disagree on ticket visibility");
        return Err(ServiceError::NotFound);
    }
    let entries = store
        .ticket_history(&ticket.id, user.role.is_customer())
        .await?;
    let mut ids = history_people(&entries);
    ids.sort();
    ids.dedup();
    let people = store.people(&ids).await?;
    Ok(History {
        ticket,
        entries,
        people,
    })
}

/// What the agent's page shows beside the log: whom the ticket may be assigned to, the
/// requester's other recent tickets (only those of the agent's desks), and whether the agent
/// may move it to the other desk.
#[derive(Debug, Clone)]
pub struct AgentContext {
    /// Whom it may be assigned to: the desk's agents who are not disabled.
    pub desk_agents: Vec<Person>,
    /// Whether the agent it is assigned to has been disabled since (the assignment stays).
    pub assignee_disabled: bool,
    pub recent: Vec<RecentTicket>,
    pub may_move_desk: bool,
    /// The desk a move would send it to.
    pub other_desk: Desk,
}

/// How many of the requester's other tickets the context lists.
const RECENT_TICKETS: i64 = 5;

pub async fn agent_context(
    store: &Store,
    user: &User,
    detail: &TicketDetail,
) -> ServiceResult<AgentContext> {
    if user.role.is_customer() {
        return Err(ServiceError::NotFound);
    }
    let t = &detail.ticket;
    let desks = store.desks_of(&user.id).await?;
    let assignee_disabled = match &t.assignee_id {
        Some(id) => match store.user(id).await {
            Ok(a) => a.disabled_at.is_some(),
            Err(StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        },
        None => false,
    };
    Ok(AgentContext {
        desk_agents: store.desk_agents(t.desk).await?,
        assignee_disabled,
        recent: store
            .requester_tickets(Viewer::of(user), &t.created_by, &t.id, RECENT_TICKETS)
            .await?,
        may_move_desk: may_move_desk(user, &desks),
        other_desk: match t.desk {
            Desk::General => Desk::Premium,
            Desk::Premium => Desk::General,
        },
    })
}
