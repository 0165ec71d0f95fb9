//! The desks' queues (SPEC §6): per desk the counts an agent triages by, and the desk's tickets
//! filtered, sorted and paged.
//!
//! Counts by status, unassigned and "mine" read `queue_counts`, which triggers keep exact in the
//! transaction of every ticket write (migration 0009), so a desk of 100 000 open tickets costs a
//! handful of rows, not a count of its tickets. Due soon and breached depend on the clock: the
//! SLA job marks tickets as their moments pass and `sla_counts` (migration 0022) counts the
//! marked ones; a queue adds the few that passed since the job's last run.
//!
//! Visibility is part of every query: an agent reads only the desks they are a member of, an
//! admin every desk, a customer none.

use jiff::Timestamp;
use madoguchi_core::model::User;
use madoguchi_core::seen::Activity;
use madoguchi_core::sla::{SlaState, state as sla_state};
use madoguchi_core::ticket::Ticket;
use madoguchi_core::{Desk, Role, Status, SupportPlan};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Dialect, code, like_pattern, now, time};
use crate::seen::{activity_columns, activity_from};
use crate::tickets::{columns, json_list, ticket_from};
use crate::{Cursor, Page, PageRequest, Result, Store, StoreError};

/// What a desk's queue counts: open tickets only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub new: i64,
    pub in_progress: i64,
    pub waiting_for_customer: i64,
    pub pending_closure: i64,
    /// Open tickets nobody is assigned to.
    pub unassigned: i64,
    /// Open tickets assigned to the caller.
    pub mine: i64,
    /// `sla_due_soon_at <= now < sla_due_at`.
    pub due_soon: i64,
    /// `sla_due_at <= now`.
    pub breached: i64,
}

impl QueueCounts {
    /// Open tickets in all.
    pub fn open(&self) -> i64 {
        self.new + self.in_progress + self.waiting_for_customer + self.pending_closure
    }
}

/// One desk's queue as the overview shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskQueue {
    pub desk: Desk,
    pub counts: QueueCounts,
}

/// How a queue is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// Oldest first (by key): first come, first served.
    #[default]
    Oldest,
    /// The nearest SLA due time first; tickets without one last.
    Due,
    /// `p1` first, then oldest.
    Priority,
    /// Most recently updated first.
    Updated,
    /// In the order of the search index's hits ([`QueueFilter::ids`]): the best match first.
    /// Without words to rank by, the same as [`QueueSort::Oldest`].
    Relevance,
}

impl QueueSort {
    pub const ALL: [QueueSort; 5] = [
        QueueSort::Oldest,
        QueueSort::Due,
        QueueSort::Priority,
        QueueSort::Updated,
        QueueSort::Relevance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            QueueSort::Oldest => "oldest",
            QueueSort::Due => "due",
            QueueSort::Priority => "priority",
            QueueSort::Updated => "updated",
            QueueSort::Relevance => "relevance",
        }
    }

    pub fn parse(text: &str) -> Option<QueueSort> {
        QueueSort::ALL.into_iter().find(|s| s.code() == text)
    }
}

/// Whose tickets a queue shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// The caller's.
    Me,
    /// Nobody's yet.
    Nobody,
    /// Anybody's (assigned at all).
    Someone,
    /// This user's.
    User(String),
}

/// Which SLA state a queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaFilter {
    DueSoon,
    Breached,
}

/// The filters of a queue; they combine (all must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// Empty: every open status.
    pub statuses: Vec<Status>,
    pub ticket_type: Option<String>,
    /// The contract's plan.
    pub plan: Option<SupportPlan>,
    pub service_menu: Option<String>,
    pub organization_id: Option<String>,
    pub assignee: Option<AssigneeFilter>,
    pub sla: Option<SlaFilter>,
    /// Words of the summary and details (normalised substring), or a ticket key.
    pub q: Option<String>,
    /// Only these tickets: the search index's hits for the words (which then replace `q`).
    pub ids: Option<Vec<String>>,
}

impl QueueFilter {
    /// True when nothing narrows the queue beyond statuses and "mine"/"unassigned", so that
    /// its total can be read from the counts.
    fn counted(&self) -> bool {
        self.ticket_type.is_none()
            && self.plan.is_none()
            && self.service_menu.is_none()
            && self.organization_id.is_none()
            && self.q.is_none()
            && self.ids.is_none()
            && !self.statuses.contains(&Status::Closed)
    }
}

/// A ticket as a queue lists it: the ticket, its SLA due time and state (by the rule of
/// `core::sla::state`, at the moment the queue was read) and what changed since the caller
/// last looked.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub ticket: Ticket,
    pub due_at: Option<Timestamp>,
    pub sla_state: SlaState,
    /// What happened on it as the caller knows it (their marks of what changed).
    pub activity: Activity,
}

/// A page of a desk's queue with the desk's counts.
#[derive(Debug, Clone)]
pub struct QueuePage {
    pub desk: Desk,
    pub page: Page<QueueItem>,
    pub counts: QueueCounts,
    /// How many tickets match in all, when the counts tell it without counting tickets.
    pub total: Option<i64>,
    /// The moment the SLA states and counts were read at.
    pub at: Timestamp,
}

/// Open tickets with an active due whose breach the SLA job has not recorded (the partial index
/// `tickets_sla_unrecorded`; the planners use it when the query spells its condition out).
const UNRECORDED: &str = "t.status <> 'closed' AND t.sla_due_at IS NOT NULL
    AND (t.sla_breach_recorded_due IS NULL OR t.sla_breach_recorded_due <> t.sla_due_at)";

/// Open tickets with an active due whose due-soon moment the SLA job has not marked (the
/// partial index `tickets_sla_unmarked`).
pub(crate) const UNMARKED: &str = "t.status <> 'closed' AND t.sla_due_at IS NOT NULL
    AND (t.sla_due_soon_marked_due IS NULL OR t.sla_due_soon_marked_due <> t.sla_due_at)";

/// Counts per status: (all, unassigned, mine).
type StatusCounts = Vec<(Status, i64, i64, i64)>;

/// A value bound to the query being built.
enum Arg {
    Text(String),
    Int(i64),
}

/// SQL with `$n` parameters numbered as they are added.
struct Sql {
    text: String,
    args: Vec<Arg>,
    /// The statement reads a range of all tickets by a due time against the clock (the SLA
    /// filters), whose length only the values tell.
    clock_range: bool,
}

impl Sql {
    fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
            clock_range: false,
        }
    }

    /// Adds a parameter; answers its placeholder.
    fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    fn text(&mut self, value: &str) -> String {
        self.arg(Arg::Text(value.to_owned()))
    }

    fn int(&mut self, value: i64) -> String {
        self.arg(Arg::Int(value))
    }

    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    async fn fetch_all(self, store: &Store) -> Result<Vec<AnyRow>> {
        // The text is built only from this module's literals and `$n` placeholders; every value
        // the caller gave is bound.
        // Prepared statements keep their plans: planning the page's statement cost PostgreSQL
        // more than running it. The exception is a range by a due time against the clock on
        // PostgreSQL: a cached generic plan would guess that `sla_due_at <= $n` matches a third
        // of the desk and scan it all, so such a statement is unnamed, planned with its values.
        // (The counts' clock ranges read partial indexes of the few unmarked tickets, whatever
        // the plan.) SQLite plans the same either way.
        let persistent = store.dialect() == Dialect::Sqlite || !self.clock_range;
        let mut query = sqlx::query(sqlx::AssertSqlSafe(self.text)).persistent(persistent);
        for arg in self.args {
            query = match arg {
                Arg::Text(v) => query.bind(v),
                Arg::Int(v) => query.bind(v),
            };
        }
        Ok(query.fetch_all(&store.read).await?)
    }
}

/// The largest stored time: where tickets without a due time sort.
const NO_DUE: i64 = i64::MAX;

/// The key a cursor of `sort` carries for `item`; `rank` is its place among the search hits.
fn cursor_of(sort: QueueSort, item: &QueueItem, due: i64, updated: i64, rank: i64) -> Cursor {
    let number = item.ticket.key.number();
    Cursor::after(&match sort {
        QueueSort::Oldest => format!("oldest:{number}"),
        QueueSort::Due => format!("due:{due}:{number}"),
        QueueSort::Priority => format!("priority:{}:{number}", item.ticket.priority.code()),
        QueueSort::Updated => format!("updated:{updated}:{number}"),
        QueueSort::Relevance => format!("relevance:{rank}:{number}"),
    })
}

/// Reads a cursor back: the sort key and the number; a cursor of another sort is refused.
fn read_cursor(sort: QueueSort, cursor: &Cursor) -> Result<(String, i64)> {
    let mut parts = cursor.key().split(':');
    let (Some(kind), first, second) = (parts.next(), parts.next(), parts.next()) else {
        return Err(StoreError::BadCursor);
    };
    if kind != sort.code() {
        return Err(StoreError::BadCursor);
    }
    let (key, number) = match (sort, first, second) {
        (QueueSort::Oldest, Some(n), None) => (String::new(), n),
        (_, Some(k), Some(n)) if sort != QueueSort::Oldest => (k.to_owned(), n),
        _ => return Err(StoreError::BadCursor),
    };
    let number = number.parse().map_err(|_| StoreError::BadCursor)?;
    match sort {
        QueueSort::Due | QueueSort::Updated | QueueSort::Relevance
            if key.parse::<i64>().is_err() =>
        {
            Err(StoreError::BadCursor)
        }
        QueueSort::Priority if madoguchi_core::Priority::parse(&key).is_err() => {
            Err(StoreError::BadCursor)
        }
        _ => Ok((key, number)),
    }
}

/// Visibility of `desk` to the caller: admins see every desk, agents their own. Binds the
/// query's first three parameters, so it is called first; `$3` is then the desk.
fn visible(sql: &mut Sql, user: &User, desk: Desk) -> String {
    let kind = sql.text(user.role.code());
    let user_id = sql.text(&user.id);
    let desk = sql.text(desk.code());
    format!(
        "({kind} = 'admin' OR EXISTS (SELECT 1 FROM desk_members dm WHERE dm.desk = {desk} AND dm.user_id = {user_id}))"
    )
}

impl Store {
    /// The desks whose queues `user` works: an agent's own, every desk for an admin, none for
    /// a customer.
    pub async fn queue_desks(&self, user: &User) -> Result<Vec<Desk>> {
        match user.role {
            Role::Admin => Ok(Desk::ALL.to_vec()),
            Role::Agent => self.desks_of(&user.id).await,
            Role::Customer | Role::CustomerAdmin => Ok(Vec::new()),
        }
    }

    /// The queues of every desk `user` works, with their counts.
    pub async fn queues(&self, user: &User) -> Result<Vec<DeskQueue>> {
        let at = now();
        let mut queues = Vec::new();
        for desk in self.queue_desks(user).await? {
            if let Some((counts, _)) = self.queue_counts(user, desk, at).await? {
                queues.push(DeskQueue { desk, counts });
            }
        }
        Ok(queues)
    }

    /// The counts of one desk's queue at `at`, with the per-status breakdown, in one statement;
    /// `None` when `user` does not work that desk.
    async fn queue_counts(
        &self,
        user: &User,
        desk: Desk,
        at: i64,
    ) -> Result<Option<(QueueCounts, StatusCounts)>> {
        let mut sql = Sql::new("");
        let vis = visible(&mut sql, user, desk);
        let me = sql.text(&user.id);
        let now = sql.int(at);
        // Every stored time is above it. Bound as a value, so that PostgreSQL's cached generic
        // plan estimates the clock ranges below as short (between two values) rather than a
        // third of the table, and keeps it: re-planning this statement for every page cost
        // eight times as much as running it.
        let floor = sql.int(i64::MIN);
        // The two clock-dependent rows are there exactly when the caller may see the desk, so
        // their absence answers "not yours" without another round trip. Each is the count of
        // tickets the SLA job has marked (`sla_counts`), corrected by the few that changed
        // state since its last run: the partial indexes of unmarked tickets hold only those in
        // the ranges read here.
        sql.push(&format!(
            "SELECT qc.status AS kind, CAST(SUM(qc.n) AS BIGINT) AS total,
               CAST(SUM(CASE WHEN qc.assignee_id = '' THEN qc.n ELSE 0 END) AS BIGINT) AS unassigned,
               CAST(SUM(CASE WHEN qc.assignee_id = {me} THEN qc.n ELSE 0 END) AS BIGINT) AS mine
             FROM queue_counts qc WHERE qc.desk = $3 AND {vis} GROUP BY qc.status
             UNION ALL
             SELECT 'breached', CAST(COALESCE((SELECT sc.n FROM sla_counts sc
                 WHERE sc.desk = $3 AND sc.state = 'breached'), 0)
               + (SELECT COUNT(*) FROM tickets t WHERE t.desk = $3 AND {UNRECORDED}
                   AND t.sla_due_at > {floor} AND t.sla_due_at <= {now}) AS BIGINT),
               CAST(0 AS BIGINT), CAST(0 AS BIGINT) WHERE {vis}
             UNION ALL
             SELECT 'due_soon', CAST(COALESCE((SELECT sc.n FROM sla_counts sc
                 WHERE sc.desk = $3 AND sc.state = 'due_soon'), 0)
               - (SELECT COUNT(*) FROM tickets t WHERE t.desk = $3 AND {UNRECORDED}
                   AND t.sla_due_at > {floor} AND t.sla_due_at <= {now}
                   AND t.sla_due_soon_marked_due = t.sla_due_at)
               + (SELECT COUNT(*) FROM tickets t WHERE t.desk = $3 AND {UNMARKED}
                   AND t.sla_due_soon_at > {floor} AND t.sla_due_soon_at <= {now}
                   AND t.sla_due_at > {now}) AS BIGINT),
               CAST(0 AS BIGINT), CAST(0 AS BIGINT) WHERE {vis}"
        ));
        let rows = sql.fetch_all(self).await?;
        let mut visible_desk = false;
        let mut counts = QueueCounts::default();
        let mut by_status = Vec::new();
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let (n, unassigned, mine): (i64, i64, i64) = (
                row.try_get("total")?,
                row.try_get("unassigned")?,
                row.try_get("mine")?,
            );
            let status = match kind.as_str() {
                "breached" => {
                    visible_desk = true;
                    counts.breached = n;
                    continue;
                }
                "due_soon" => {
                    counts.due_soon = n;
                    continue;
                }
                other => code(Status::parse(other))?,
            };
            match status {
                Status::New => counts.new = n,
                Status::InProgress => counts.in_progress = n,
                Status::WaitingForCustomer => counts.waiting_for_customer = n,
                Status::PendingClosure => counts.pending_closure = n,
                Status::Closed => continue,
            }
            counts.unassigned += unassigned;
            counts.mine += mine;
            by_status.push((status, n, unassigned, mine));
        }
        Ok(visible_desk.then_some((counts, by_status)))
    }

    /// One page of `desk`'s queue as `user` may see it, with the desk's counts; `NotFound`
    /// when `user` does not work that desk.
    pub async fn queue(
        &self,
        user: &User,
        desk: Desk,
        filter: &QueueFilter,
        sort: QueueSort,
        page: &PageRequest,
    ) -> Result<QueuePage> {
        let at = now();
        let (counts, by_status) = self
            .queue_counts(user, desk, at)
            .await?
            .ok_or(StoreError::NotFound)?;
        // Relevance needs the hits' order; without words there is none.
        let sort = match (sort, &filter.ids) {
            (QueueSort::Relevance, None) => QueueSort::Oldest,
            _ => sort,
        };
        let after = page
            .after
            .as_ref()
            .map(|c| read_cursor(sort, c))
            .transpose()?;
        let mut sql = Sql::new("");
        let vis = visible(&mut sql, user, desk);
        // Ranked: the hits joined with their place in the index's order (0 = best).
        let (ranked, rank) = match (&filter.ids, sort) {
            (Some(ids), QueueSort::Relevance) => {
                let list = sql.text(&json_list(ids)?);
                match self.dialect() {
                    Dialect::Sqlite => (
                        format!(" JOIN json_each({list}) r ON r.value = t.id"),
                        "r.key",
                    ),
                    Dialect::Postgres => (
                        format!(
                            " JOIN jsonb_array_elements_text({list}::jsonb) WITH ORDINALITY AS r(id, pos) ON r.id = t.id"
                        ),
                        "(r.pos - 1)",
                    ),
                }
            }
            _ => (String::new(), ""),
        };
        // The caller's marks ride along (`$2` is the caller), saving a statement per page.
        sql.push(concat!(
            "SELECT ",
            columns!(),
            ", t.sla_due_at, t.sla_due_soon_at, t.sla_paused_at, ",
            activity_columns!(),
            " FROM tickets t JOIN contracts c ON c.id = t.contract_id"
        ));
        sql.push(&ranked);
        sql.push(" WHERE ");
        sql.push(&format!("t.desk = $3 AND {vis}"));
        let open = filter.statuses.is_empty() || !filter.statuses.contains(&Status::Closed);
        if open {
            // Written out, so that the planner picks the partial indexes of open tickets.
            sql.push(" AND t.status <> 'closed'");
        }
        if !filter.statuses.is_empty() {
            let list: Vec<String> = filter.statuses.iter().map(|s| sql.text(s.code())).collect();
            sql.push(&format!(" AND t.status IN ({})", list.join(", ")));
        }
        if let Some(v) = &filter.ticket_type {
            let p = sql.text(v);
            sql.push(&format!(" AND t.ticket_type = {p}"));
        }
        if let Some(v) = filter.plan {
            let p = sql.text(v.code());
            sql.push(&format!(" AND c.plan = {p}"));
        }
        if let Some(v) = &filter.service_menu {
            let p = sql.text(v);
            sql.push(&format!(" AND t.service_menu = {p}"));
        }
        if let Some(v) = &filter.organization_id {
            let p = sql.text(v);
            sql.push(&format!(" AND t.organization_id = {p}"));
        }
        match &filter.assignee {
            None => {}
            Some(AssigneeFilter::Me) => {
                let p = sql.text(&user.id);
                sql.push(&format!(" AND t.assignee_id = {p}"));
            }
            Some(AssigneeFilter::User(id)) => {
                let p = sql.text(id);
                sql.push(&format!(" AND t.assignee_id = {p}"));
            }
            Some(AssigneeFilter::Nobody) => sql.push(" AND t.assignee_id IS NULL"),
            Some(AssigneeFilter::Someone) => sql.push(" AND t.assignee_id IS NOT NULL"),
        }
        sql.clock_range = filter.sla.is_some();
        match filter.sla {
            None => {}
            Some(SlaFilter::Breached) => {
                let p = sql.int(at);
                sql.push(&format!(" AND t.sla_due_at <= {p}"));
            }
            Some(SlaFilter::DueSoon) => {
                let p = sql.int(at);
                sql.push(&format!(
                    " AND t.sla_due_soon_at <= {p} AND t.sla_due_at > {p}"
                ));
            }
        }
        if let Some(ids) = &filter.ids {
            // Ranked, the join keeps the hits only.
            if ranked.is_empty() {
                let list = sql.text(&json_list(ids)?);
                sql.push(&match self.dialect() {
                    Dialect::Sqlite => {
                        format!(" AND t.id IN (SELECT value FROM json_each({list}))")
                    }
                    Dialect::Postgres => {
                        format!(" AND t.id IN (SELECT jsonb_array_elements_text({list}::jsonb))")
                    }
                });
            }
        } else if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
            let pattern = sql.text(&like_pattern(q));
            match madoguchi_core::values::TicketKey::parse(q.trim()) {
                Some(key) => {
                    let number = sql.int(key.number() as i64);
                    sql.push(&format!(
                        " AND (t.search_text LIKE {pattern} ESCAPE '\\' OR t.number = {number})"
                    ));
                }
                None => sql.push(&format!(" AND t.search_text LIKE {pattern} ESCAPE '\\'")),
            }
        }
        const DUE: &str = "COALESCE(t.sla_due_at, 9223372036854775807)";
        if let Some((key, number)) = &after {
            let n = sql.int(*number);
            let condition = match sort {
                QueueSort::Oldest => format!("t.number > {n}"),
                QueueSort::Due => {
                    // Spelt out rather than as a row value: the planners then start the
                    // range of the expression index at the cursor.
                    let k = sql.int(key.parse().map_err(|_| StoreError::BadCursor)?);
                    format!("{DUE} >= {k} AND ({DUE} > {k} OR t.number > {n})")
                }
                QueueSort::Priority => {
                    let k = sql.text(key);
                    format!("(t.priority, t.number) > ({k}, {n})")
                }
                QueueSort::Updated => {
                    let k = sql.int(key.parse().map_err(|_| StoreError::BadCursor)?);
                    format!("(t.updated_at, t.number) < ({k}, {n})")
                }
                // A ticket is ranked once: its place alone says where the page ends.
                QueueSort::Relevance => {
                    let k = sql.int(key.parse().map_err(|_| StoreError::BadCursor)?);
                    format!("{rank} > {k}")
                }
            };
            sql.push(&format!(" AND {condition}"));
        }
        let by_rank = format!(" ORDER BY {rank}");
        sql.push(match sort {
            QueueSort::Oldest => " ORDER BY t.number",
            QueueSort::Due => " ORDER BY COALESCE(t.sla_due_at, 9223372036854775807), t.number",
            QueueSort::Priority => " ORDER BY t.priority, t.number",
            QueueSort::Updated => " ORDER BY t.updated_at DESC, t.number DESC",
            QueueSort::Relevance => by_rank.as_str(),
        });
        // A literal (an integer the page request bounds), so that PostgreSQL's generic plan
        // knows how few rows are wanted and reads an index in order instead of sorting.
        sql.push(&format!(" LIMIT {}", page.fetch()));
        let rows = sql.fetch_all(self).await?;
        let mut items = Vec::with_capacity(rows.len());
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            let due: Option<i64> = row.try_get("sla_due_at")?;
            let updated: i64 = row.try_get("updated_at")?;
            let ticket = ticket_from(row)?;
            let item = QueueItem {
                due_at: ticket.sla.active().map(|d| d.due_at),
                sla_state: sla_state(&ticket.sla, time(at)?, ticket.status),
                activity: activity_from(row, &ticket)?,
                ticket,
            };
            let place = match (&filter.ids, sort) {
                (Some(ids), QueueSort::Relevance) => {
                    ids.iter().position(|id| *id == item.ticket.id).unwrap_or(0) as i64
                }
                _ => 0,
            };
            keys.push(cursor_of(
                sort,
                &item,
                due.unwrap_or(NO_DUE),
                updated,
                place,
            ));
            items.push(item);
        }
        let mut page = page.finish(items, |_| "");
        page.next_cursor = page
            .next_cursor
            .and_then(|_| keys.get(page.items.len().wrapping_sub(1)).cloned());
        let total = total(filter, &counts, &by_status);
        Ok(QueuePage {
            desk,
            page,
            counts,
            total,
            at: time(at)?,
        })
    }
}

/// The number of tickets `filter` matches, when the counts tell it.
fn total(filter: &QueueFilter, counts: &QueueCounts, by_status: &StatusCounts) -> Option<i64> {
    if !filter.counted() {
        return None;
    }
    let wanted = |s: &Status| filter.statuses.is_empty() || filter.statuses.contains(s);
    match (&filter.assignee, filter.sla) {
        (None, Some(SlaFilter::Breached)) if filter.statuses.is_empty() => Some(counts.breached),
        (None, Some(SlaFilter::DueSoon)) if filter.statuses.is_empty() => Some(counts.due_soon),
        (_, Some(_)) => None,
        (None, None) => Some(by_status.iter().filter(|r| wanted(&r.0)).map(|r| r.1).sum()),
        (Some(AssigneeFilter::Nobody), None) => {
            Some(by_status.iter().filter(|r| wanted(&r.0)).map(|r| r.2).sum())
        }
        (Some(AssigneeFilter::Me), None) => {
            Some(by_status.iter().filter(|r| wanted(&r.0)).map(|r| r.3).sum())
        }
        (Some(AssigneeFilter::Someone), None) => Some(
            by_status
                .iter()
                .filter(|r| wanted(&r.0))
                .map(|r| r.1 - r.2)
                .sum(),
        ),
        (Some(AssigneeFilter::User(_)), None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_belong_to_their_sort() {
        let c = Cursor::after("due:1700:1042");
        assert_eq!(
            read_cursor(QueueSort::Due, &c).unwrap(),
            ("1700".to_owned(), 1042)
        );
        assert!(read_cursor(QueueSort::Oldest, &c).is_err());
        assert!(read_cursor(QueueSort::Priority, &Cursor::after("priority:p9:1")).is_err());
        assert!(read_cursor(QueueSort::Oldest, &Cursor::after("oldest:x")).is_err());
        assert_eq!(
            read_cursor(QueueSort::Oldest, &Cursor::after("oldest:7")).unwrap(),
            (String::new(), 7)
        );
    }
}
