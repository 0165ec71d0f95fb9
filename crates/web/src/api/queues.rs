//! The desks' queues in the API (SPEC §8 "Queues") and bulk changes to tickets.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use madoguchi_core::model::User;
use madoguchi_store::{QueueCounts, QueueItem};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::tickets::{page, ticket_view};
use crate::api::views::{TicketView, rfc3339};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::i18n;
use crate::state::AppState;
use madoguchi_app::ServiceError;
use madoguchi_app::queues::{self, BulkInput, QueueQuery};

/// Open tickets of a desk by what an agent triages by.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueCountsView {
    pub new: i64,
    pub in_progress: i64,
    pub waiting_for_customer: i64,
    pub pending_closure: i64,
    /// Open tickets nobody is assigned to.
    pub unassigned: i64,
    /// Open tickets assigned to the caller.
    pub mine: i64,
    /// Under 25 % of the SLA target left.
    pub due_soon: i64,
    pub breached: i64,
}

impl From<QueueCounts> for QueueCountsView {
    fn from(c: QueueCounts) -> Self {
        QueueCountsView {
            new: c.new,
            in_progress: c.in_progress,
            waiting_for_customer: c.waiting_for_customer,
            pending_closure: c.pending_closure,
            unassigned: c.unassigned,
            mine: c.mine,
            due_soon: c.due_soon,
            breached: c.breached,
        }
    }
}

/// One desk's queue in the overview.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    /// `general` or `premium`.
    pub desk: String,
    /// The desk's name in the caller's language.
    pub name: String,
    pub counts: QueueCountsView,
}

/// `GET /api/v1/queues`.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuesView {
    pub queues: Vec<QueueView>,
}

/// A ticket's SLA as a queue shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueDueView {
    /// The active deadline (first response or next update); absent while paused or met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// `on_track`, `due_soon`, `breached`, `paused` or `none`.
    pub state: String,
}

/// A ticket of a queue: the ticket (without messages) and its due time.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemView {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub due: QueueDueView,
}

/// `GET /api/v1/queues/{desk}`: a page of tickets, with the desk's counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueListView {
    pub items: Vec<QueueItemView>,
    pub next_cursor: Option<String>,
    /// How many tickets match in all, when the desk's counts tell it (the status, assignee
    /// `me`/`none`/`any` and SLA filters); absent for filters that would need counting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// `general` or `premium`.
    pub desk: String,
    pub counts: QueueCountsView,
}

/// What went wrong with one ticket of a bulk change.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkError {
    pub status: u16,
    pub title: String,
    pub detail: String,
}

/// One ticket's result in a bulk change.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResultView {
    pub key: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<BulkError>,
}

/// `POST /api/v1/tickets/bulk`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkView {
    pub results: Vec<BulkResultView>,
}

pub(crate) fn desk_name(user: &User, desk: madoguchi_core::Desk) -> String {
    i18n::text(user.locale, &format!("desk.{}", desk.code())).to_owned()
}

/// The queues of the caller's desks (agents; admins see every desk), with their counts.
#[utoipa::path(get, path = "/api/v1/queues", tag = "queues",
    responses((status = 200, body = QueuesView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
) -> Result<Json<QueuesView>, ApiError> {
    let queues = queues::queues(&state.store, &user).await?;
    Ok(Json(QueuesView {
        queues: queues
            .into_iter()
            .map(|q| QueueView {
                desk: q.desk.code().to_owned(),
                name: desk_name(&user, q.desk),
                counts: q.counts.into(),
            })
            .collect(),
    }))
}

/// A desk's tickets: open ones oldest first by default; filters combine.
#[utoipa::path(get, path = "/api/v1/queues/{desk}", tag = "queues",
    params(("desk" = String, Path, example = "general"), QueueQuery),
    responses((status = 200, body = QueueListView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn queue(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(desk): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<QueueListView>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::Malformed(format!("the query string cannot be read: {e}")))?;
    let query = QueueQuery::from_pairs(pairs);
    let desk = queues::parse_desk(&desk)?;
    if user.role.is_customer() {
        // Customers have no queues; say so before judging their parameters.
        return Err(ApiError::NotFound);
    }
    let (filter, sort) = query.parse(&state.store).await?;
    let page = page(query.limit, query.cursor.as_deref())?;
    let answer = queues::queue(
        &state.store,
        &state.search,
        &user,
        desk,
        &filter,
        sort,
        &page,
    )
    .await?;
    let types = state
        .store
        .ticket_types()
        .await
        .map_err(ServiceError::from)?;
    let q = answer.queue;
    Ok(Json(QueueListView {
        items: q
            .page
            .items
            .iter()
            .map(|i| {
                let mut view = item_view(i, &types, &answer.people, &user);
                view.ticket.snippets = answer.snippets.get(&i.ticket.id).map(|parts| {
                    parts
                        .iter()
                        .map(|(field, fragments)| {
                            crate::api::views::SnippetView::new(field, fragments)
                        })
                        .collect()
                });
                view.ticket.unseen = Some(crate::api::views::unseen_codes(
                    answer.unseen.get(&i.ticket.id),
                ));
                view
            })
            .collect(),
        next_cursor: q.page.next_cursor.as_ref().map(|c| c.as_str()),
        total: q.total,
        desk: q.desk.code().to_owned(),
        counts: q.counts.into(),
    }))
}

fn item_view(
    item: &QueueItem,
    types: &[madoguchi_core::catalog::TicketType],
    people: &[madoguchi_store::Person],
    user: &User,
) -> QueueItemView {
    QueueItemView {
        ticket: ticket_view(&item.ticket, types, people, user),
        due: QueueDueView {
            at: item.due_at.map(rfc3339),
            state: item.sla_state.code().to_owned(),
        },
    }
}

/// Agents: the same change (assignee, status, priority) to up to 100 tickets; each ticket
/// succeeds or fails on its own, as its own PATCH would.
#[utoipa::path(post, path = "/api/v1/tickets/bulk", tag = "queues", request_body = BulkInput,
    responses((status = 200, body = BulkView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn bulk(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    ApiJson(input): ApiJson<BulkInput>,
) -> Result<Json<BulkView>, ApiError> {
    let outcomes = queues::bulk(&state.store, &user, &input).await?;
    Ok(Json(BulkView {
        results: outcomes
            .into_iter()
            .map(|o| match o.result {
                Ok(_) => BulkResultView {
                    key: o.key,
                    ok: true,
                    error: None,
                },
                Err(e) => {
                    let problem = ApiError::from(e).problem();
                    BulkResultView {
                        key: o.key,
                        ok: false,
                        error: Some(BulkError {
                            status: problem.status,
                            title: problem.title,
                            detail: problem.detail,
                        }),
                    }
                }
            })
            .collect(),
    }))
}
