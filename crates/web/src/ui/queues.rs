//! The agent's home: their desks' queues (SPEC §6). Counts as filter links, a GET form of
//! filters that survive paging, the table an agent triages by, Take in one click, and a bulk
//! bar answering with a result per ticket. Everything works without JavaScript: Take and the
//! bulk bar are submit buttons of one form.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use madoguchi_core::model::User;
use madoguchi_core::{Desk, Locale, Status, SupportPlan};
use madoguchi_store::{PageRequest, QueueCounts, QueueSort, Session};

use crate::auth::{Browser, check_csrf};
use crate::error::PageError;
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::{Nav, format_time, render};
use madoguchi_app::ServiceError;
use madoguchi_app::queues::{self, BulkInput, QueueQuery};
use madoguchi_app::tickets::{self, TicketPatch};

fn page_error(locale: Locale, e: ServiceError) -> Response {
    PageError::from_service(locale, e).into_response()
}

struct Tab {
    code: String,
    name: String,
    open: i64,
    current: bool,
}

/// A count that is also a link to the tickets it counts.
struct CountLink {
    id: &'static str,
    label: String,
    n: i64,
    url: String,
    warn: bool,
}

struct Row {
    key: String,
    summary: String,
    requester: String,
    organization: String,
    plan: String,
    type_name: String,
    priority: String,
    status: String,
    status_name: String,
    created: String,
    age: String,
    due: String,
    sla_state: String,
    sla_name: String,
    assignee: Option<String>,
    /// Where the words searched matched, and in which part of the ticket: (part's name,
    /// (text, matched) pieces).
    snippet: Option<(String, Vec<(String, bool)>)>,
    /// What changed since the agent last looked: (code, words).
    unseen: Vec<(&'static str, String)>,
}

/// A choice of a select: (value, label, selected).
type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    w: Words,
    nav: Nav,
    csrf: String,
    desk: String,
    desk_name: String,
    tabs: Vec<Tab>,
    counts: Vec<CountLink>,
    statuses: Vec<Choice>,
    types: Vec<Choice>,
    plans: Vec<Choice>,
    menus: Vec<Choice>,
    organizations: Vec<Choice>,
    assignees: Vec<Choice>,
    slas: Vec<Choice>,
    sorts: Vec<Choice>,
    q: String,
    /// Field problems of the filters, by field.
    errors: BTreeMap<String, String>,
    rows: Vec<Row>,
    total: Option<i64>,
    filtered: bool,
    first_url: Option<String>,
    next_url: Option<String>,
    /// This page's own address, for the forms to come back to.
    back: String,
    /// Agents of the desk for the bulk bar: (id, name).
    agents: Vec<(String, String)>,
    banner: Option<String>,
}

#[derive(Template)]
#[template(path = "queue_bulk.html")]
struct BulkPage {
    w: Words,
    nav: Nav,
    back: String,
    /// (key, ok, what happened)
    results: Vec<(String, bool, String)>,
    error: Option<String>,
}

fn choices(items: impl IntoIterator<Item = (String, String)>, chosen: &str) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(v, l)| {
            let selected = v == chosen;
            (v, l, selected)
        })
        .collect()
}

/// How long ago, in the largest unit that fits.
fn age(locale: Locale, from: Timestamp, now: Timestamp) -> String {
    let minutes = (now.as_second() - from.as_second()).max(0) / 60;
    let (key, n) = match minutes {
        m if m < 60 => ("queue.age_minutes", m),
        m if m < 48 * 60 => ("queue.age_hours", m / 60),
        m => ("queue.age_days", m / (24 * 60)),
    };
    i18n::text_with(locale, key, &[("n", n.to_string())])
}

/// The query string of a queue page: the filters, and the cursor when paging.
fn query_string(q: &QueueQuery, cursor: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = q.status.iter().map(|s| ("status", s.clone())).collect();
    for (k, v) in [
        ("ticket_type", &q.ticket_type),
        ("plan", &q.plan),
        ("service_menu", &q.service_menu),
        ("organization", &q.organization),
        ("assignee", &q.assignee),
        ("sla", &q.sla),
        ("q", &q.q),
        ("sort", &q.sort),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            pairs.push((k, v.to_owned()));
        }
    }
    if let Some(limit) = q.limit {
        pairs.push(("limit", limit.to_string()));
    }
    if let Some(c) = cursor {
        pairs.push(("cursor", c.to_owned()));
    }
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

fn url(desk: &str, query: &str) -> String {
    if query.is_empty() {
        format!("/queues/{desk}")
    } else {
        format!("/queues/{desk}?{query}")
    }
}

fn count_links(w: Words, desk: &str, c: &QueueCounts) -> Vec<CountLink> {
    let link = |id, key: &str, n, query: &str, warn| CountLink {
        id,
        label: w.t(key).to_owned(),
        n,
        url: url(desk, query),
        warn,
    };
    vec![
        link("count-new", "status.new", c.new, "status=new", false),
        link(
            "count-in-progress",
            "status.in_progress",
            c.in_progress,
            "status=in_progress",
            false,
        ),
        link(
            "count-waiting",
            "status.waiting_for_customer",
            c.waiting_for_customer,
            "status=waiting_for_customer",
            false,
        ),
        link(
            "count-pending",
            "status.pending_closure",
            c.pending_closure,
            "status=pending_closure",
            false,
        ),
        link(
            "count-unassigned",
            "queue.unassigned",
            c.unassigned,
            "assignee=none",
            false,
        ),
        link("count-mine", "queue.mine", c.mine, "assignee=me", false),
        link(
            "count-due-soon",
            "queue.due_soon",
            c.due_soon,
            "sla=due_soon",
            c.due_soon > 0,
        ),
        link(
            "count-breached",
            "queue.breached",
            c.breached,
            "sla=breached",
            c.breached > 0,
        ),
    ]
}

fn field_errors(locale: Locale, invalid: &madoguchi_core::Invalid) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in &invalid.0 {
        out.entry(e.field.clone())
            .and_modify(|t: &mut String| {
                t.push(' ');
                t.push_str(&i18n::problem(locale, &e.problem));
            })
            .or_insert_with(|| i18n::problem(locale, &e.problem));
    }
    out
}

/// `/` for agents and `/queues`: the first desk's queue.
pub async fn home(state: &AppState, session: &Session, banner: Option<String>) -> Response {
    let user = &session.user;
    let desks = match state.store.queue_desks(user).await {
        Ok(d) => d,
        Err(e) => return page_error(user.locale, e.into()),
    };
    match desks.first() {
        Some(desk) => queue_page(state, session, *desk, QueueQuery::default(), banner).await,
        None => queue_page_without_desk(state, session).await,
    }
}

/// `GET /queues`.
pub async fn first(State(state): State<AppState>, Browser(session): Browser) -> Response {
    if session.user.role.is_customer() {
        return page_error(session.user.locale, ServiceError::NotFound);
    }
    home(&state, &session, None).await
}

/// An agent on no desk: the page says why it is empty and whom to ask.
async fn queue_page_without_desk(_state: &AppState, session: &Session) -> Response {
    let w = Words(session.user.locale);
    let page = QueuePage {
        w,
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        desk: String::new(),
        desk_name: String::new(),
        tabs: Vec::new(),
        counts: Vec::new(),
        statuses: Vec::new(),
        types: Vec::new(),
        plans: Vec::new(),
        menus: Vec::new(),
        organizations: Vec::new(),
        assignees: Vec::new(),
        slas: Vec::new(),
        sorts: Vec::new(),
        q: String::new(),
        errors: BTreeMap::new(),
        rows: Vec::new(),
        total: None,
        filtered: false,
        first_url: None,
        next_url: None,
        back: "/queues".into(),
        agents: Vec::new(),
        banner: None,
    };
    render(session.user.locale, page)
}

/// `GET /queues/{desk}`.
pub async fn page(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(desk): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let locale = session.user.locale;
    let Ok(desk) = Desk::parse(&desk) else {
        return page_error(locale, ServiceError::NotFound);
    };
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let banner = pairs
        .iter()
        .find(|(k, _)| k == "taken")
        .and_then(|(_, v)| madoguchi_core::values::TicketKey::parse(v.trim()))
        .map(|k| i18n::text_with(locale, "queue.taken", &[("key", k.to_string())]));
    let query = QueueQuery::from_pairs(pairs);
    queue_page(&state, &session, desk, query, banner).await
}

async fn queue_page(
    state: &AppState,
    session: &Session,
    desk: Desk,
    query: QueueQuery,
    banner: Option<String>,
) -> Response {
    let user = &session.user;
    let locale = user.locale;
    let w = Words(locale);
    if user.role.is_customer() {
        return page_error(locale, ServiceError::NotFound);
    }
    let store = &state.store;
    let desks = match store.queue_desks(user).await {
        Ok(d) => d,
        Err(e) => return page_error(locale, e.into()),
    };
    if !desks.contains(&desk) {
        return page_error(locale, ServiceError::NotFound);
    }
    // A ticket key typed in the search box opens that ticket, if the caller may see it.
    if query.cursor.is_none() {
        match tickets::key_to_open(store, user, query.q.as_deref()).await {
            Ok(Some(key)) => return Redirect::to(&format!("/tickets/{key}")).into_response(),
            Ok(None) => {}
            Err(e) => return page_error(locale, e),
        }
    }
    let mut errors = BTreeMap::new();
    let (filter, sort) = match query.parse(store).await {
        Ok(parsed) => parsed,
        Err(ServiceError::Invalid(invalid)) => {
            errors = field_errors(locale, &invalid);
            Default::default()
        }
        Err(e) => return page_error(locale, e),
    };
    let after = query
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .and_then(madoguchi_store::Cursor::parse);
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let page = PageRequest::new(Some(limit), after).expect("a clamped limit is valid");
    let answer = if errors.is_empty() {
        match queues::queue(store, &state.search, user, desk, &filter, sort, &page).await {
            Ok(a) => Some(a),
            Err(ServiceError::Malformed(_)) => {
                errors.insert("cursor".into(), w.t("queue.bad_cursor").to_owned());
                None
            }
            Err(e) => return page_error(locale, e),
        }
    } else {
        None
    };
    let (types, menus, orgs, agents) = match (
        store.ticket_types().await,
        store.service_menus().await,
        store.organizations(&PageRequest::new(Some(200), None).expect("200 is a valid limit")),
        store.desk_agents(desk).await,
    ) {
        (Ok(t), Ok(m), o, Ok(a)) => (t, m, o.await, a),
        (Err(e), ..) | (_, Err(e), ..) | (.., Err(e)) => return page_error(locale, e.into()),
    };
    let orgs = match orgs {
        Ok(o) => o.items,
        Err(e) => return page_error(locale, e.into()),
    };
    let mut tabs = Vec::new();
    let mut counts = QueueCounts::default();
    let overview = match store.queues(user).await {
        Ok(q) => q,
        Err(e) => return page_error(locale, e.into()),
    };
    for q in &overview {
        if q.desk == desk {
            counts = q.counts;
        }
        tabs.push(Tab {
            code: q.desk.code().to_owned(),
            name: w.t(&format!("desk.{}", q.desk.code())).to_owned(),
            open: q.counts.open(),
            current: q.desk == desk,
        });
    }
    let now = Timestamp::now();
    let mut rows = Vec::new();
    let (mut total, mut next_url) = (None, None);
    if let Some(answer) = &answer {
        counts = answer.queue.counts;
        total = answer.queue.total;
        let person = |id: &str| {
            answer
                .people
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.name.clone())
                .unwrap_or_default()
        };
        for item in &answer.queue.page.items {
            let t = &item.ticket;
            rows.push(Row {
                key: t.key.to_string(),
                summary: t.summary.clone(),
                requester: person(&t.created_by),
                organization: t.organization_name.clone(),
                plan: w.t(&format!("plan.{}", t.plan.code())).to_owned(),
                type_name: types
                    .iter()
                    .find(|ty| ty.code == t.ticket_type)
                    .map(|ty| ty.name_in(w.0).to_owned())
                    .unwrap_or_else(|| t.ticket_type.clone()),
                priority: t.priority.code().to_owned(),
                status: t.status.code().to_owned(),
                status_name: w.t(&format!("status.{}", t.status.code())).to_owned(),
                created: format_time(user, t.created_at),
                age: age(locale, t.created_at, now),
                due: item
                    .due_at
                    .map(|d| format_time(user, d))
                    .unwrap_or_default(),
                sla_state: item.sla_state.code().to_owned(),
                sla_name: w
                    .t(&format!("queue.sla_{}", item.sla_state.code()))
                    .to_owned(),
                assignee: t.assignee_id.as_deref().map(person),
                snippet: answer.snippets.get(&t.id).and_then(|parts| {
                    // The summary shows already: another part says more, if one matched.
                    let (part, fragments) = parts
                        .iter()
                        .find(|(part, _)| *part != "summary")
                        .or(parts.first())?;
                    Some((
                        w.t(&format!("search.part_{part}")).to_owned(),
                        fragments.iter().map(|f| (f.text.clone(), f.hit)).collect(),
                    ))
                }),
                unseen: super::unseen_marks(&w, answer.unseen.get(&t.id)),
            });
        }
        next_url = answer
            .queue
            .page
            .next_cursor
            .as_ref()
            .map(|c| url(desk.code(), &query_string(&query, Some(&c.as_str()))));
    }
    let plain = query_string(&query, None);
    let filtered = !plain.is_empty();
    let chosen = |v: &Option<String>| v.clone().unwrap_or_default();
    let page = QueuePage {
        w,
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        desk: desk.code().to_owned(),
        desk_name: w.t(&format!("desk.{}", desk.code())).to_owned(),
        tabs,
        counts: count_links(w, desk.code(), &counts),
        statuses: Status::ALL
            .iter()
            .map(|s| {
                (
                    s.code().to_owned(),
                    w.t(&format!("status.{}", s.code())).to_owned(),
                    query.status.iter().any(|q| q == s.code()),
                )
            })
            .collect(),
        types: choices(
            types
                .iter()
                .filter(|t| t.desk == desk)
                .map(|t| (t.code.clone(), t.name.clone())),
            &chosen(&query.ticket_type),
        ),
        plans: choices(
            SupportPlan::ALL.iter().map(|p| {
                (
                    p.code().to_owned(),
                    w.t(&format!("plan.{}", p.code())).to_owned(),
                )
            }),
            &chosen(&query.plan),
        ),
        menus: choices(
            menus.iter().map(|m| {
                let name = if locale == Locale::Ja {
                    &m.name_ja
                } else {
                    &m.name_en
                };
                (m.key.clone(), name.clone())
            }),
            &chosen(&query.service_menu),
        ),
        organizations: choices(
            orgs.iter().map(|o| (o.id.clone(), o.name.clone())),
            &chosen(&query.organization),
        ),
        assignees: choices(
            [
                ("me".to_owned(), w.t("queue.assignee_me").to_owned()),
                ("none".to_owned(), w.t("queue.assignee_none").to_owned()),
                ("any".to_owned(), w.t("queue.assignee_any").to_owned()),
            ]
            .into_iter()
            .chain(agents.iter().map(|a| (a.id.clone(), a.name.clone()))),
            &chosen(&query.assignee),
        ),
        slas: choices(
            ["due_soon", "breached"]
                .into_iter()
                .map(|s| (s.to_owned(), w.t(&format!("queue.sla_{s}")).to_owned())),
            &chosen(&query.sla),
        ),
        sorts: choices(
            QueueSort::ALL.iter().map(|s| {
                (
                    s.code().to_owned(),
                    w.t(&format!("queue.sort_{}", s.code())).to_owned(),
                )
            }),
            query
                .sort
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(
                    if query.q.as_deref().is_some_and(|q| !q.trim().is_empty()) {
                        "relevance"
                    } else {
                        "oldest"
                    },
                ),
        ),
        q: chosen(&query.q),
        errors,
        rows,
        total,
        filtered,
        first_url: query.cursor.is_some().then(|| url(desk.code(), &plain)),
        next_url,
        back: url(desk.code(), &query_string(&query, query.cursor.as_deref())),
        agents: agents
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect(),
        banner,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, render(locale, page)).into_response()
}

/// Where a queue form comes back to: only a queue page of this site.
fn safe_back(back: Option<&str>, desk: &str) -> String {
    match back {
        Some(b) if b.starts_with("/queues/") && !b.contains("//") && !b.contains('\\') => {
            b.to_owned()
        }
        _ => format!("/queues/{desk}"),
    }
}

fn with_param(back: &str, key: &str, value: &str) -> String {
    let pair = serde_urlencoded::to_string([(key, value)]).unwrap_or_default();
    // A banner of a previous action is not carried along.
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("taken="))
        .collect();
    if kept.is_empty() {
        format!("{path}?{pair}")
    } else {
        format!("{path}?{}&{pair}", kept.join("&"))
    }
}

/// The queue form as posted: `key` repeats (one per ticket ticked).
fn form_pairs(body: &str) -> Option<Vec<(String, String)>> {
    serde_urlencoded::from_str(body).ok()
}

fn one<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn csrf_refused(locale: Locale) -> Response {
    PageError {
        status: StatusCode::FORBIDDEN,
        locale,
        message_key: "error.csrf",
    }
    .into_response()
}

fn malformed(locale: Locale) -> Response {
    PageError {
        status: StatusCode::BAD_REQUEST,
        locale,
        message_key: "error.form",
    }
    .into_response()
}

/// A bulk result as a person reads it.
fn outcome_text(
    locale: Locale,
    result: &Result<madoguchi_core::ticket::Ticket, ServiceError>,
) -> String {
    match result {
        Ok(_) => i18n::text(locale, "queue.bulk_done").to_owned(),
        Err(ServiceError::NotFound) => i18n::text(locale, "queue.bulk_not_found").to_owned(),
        Err(ServiceError::Invalid(i)) | Err(ServiceError::Conflict(i)) => {
            i.0.iter()
                .map(|e| i18n::problem(locale, &e.problem))
                .collect::<Vec<_>>()
                .join(" ")
        }
        Err(ServiceError::Forbidden(_)) => i18n::text(locale, "error.forbidden").to_owned(),
        Err(_) => i18n::text(locale, "error.internal").to_owned(),
    }
}

/// `POST /queues/{desk}/take`: the Take button; assigns the ticket to the caller and goes
/// back to the queue with a banner.
pub async fn take(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(desk): Path<String>,
    body: String,
) -> Response {
    let locale = session.user.locale;
    let Some(pairs) = form_pairs(&body) else {
        return malformed(locale);
    };
    if !check_csrf(&session, one(&pairs, "csrf").unwrap_or("")) {
        return csrf_refused(locale);
    }
    let back = safe_back(one(&pairs, "back"), &desk);
    let Some(key) = one(&pairs, "take") else {
        return malformed(locale);
    };
    #[allow(clippy::needless_update)]
    let patch = TicketPatch {
        assignee: Some(session.user.id.clone()),
        ..Default::default()
    };
    let result = match tickets::parse_key(key) {
        Ok(k) => tickets::update(&state.store, &session.user, k, &patch).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => Redirect::to(&with_param(&back, "taken", &t.key.to_string())).into_response(),
        Err(e) => {
            let text = outcome_text(locale, &Err(e));
            let page = BulkPage {
                w: Words(locale),
                nav: Nav::of(&session),
                back,
                results: vec![(key.to_owned(), false, text)],
                error: None,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, render(locale, page)).into_response()
        }
    }
}

/// `POST /queues/{desk}/bulk`: the bulk bar; answers a page with each ticket's result.
pub async fn bulk(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(desk): Path<String>,
    body: String,
) -> Response {
    let user: &User = &session.user;
    let locale = user.locale;
    let Some(pairs) = form_pairs(&body) else {
        return malformed(locale);
    };
    if !check_csrf(&session, one(&pairs, "csrf").unwrap_or("")) {
        return csrf_refused(locale);
    }
    let back = safe_back(one(&pairs, "back"), &desk);
    let nonblank = |name: &str| {
        one(&pairs, name)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let input = BulkInput {
        keys: pairs
            .iter()
            .filter(|(k, _)| k == "key")
            .map(|(_, v)| v.clone())
            .collect(),
        assignee: match one(&pairs, "assignee") {
            None | Some("") => None,
            // "Nobody" in the select unassigns.
            Some("none") => Some(String::new()),
            Some(a) => Some(a.to_owned()),
        },
        status: nonblank("status"),
        priority: nonblank("priority"),
    };
    let w = Words(locale);
    let (status, results, error) = match queues::bulk(&state.store, user, &input).await {
        Ok(outcomes) => (
            StatusCode::OK,
            outcomes
                .iter()
                .map(|o| {
                    (
                        o.key.clone(),
                        o.result.is_ok(),
                        outcome_text(locale, &o.result),
                    )
                })
                .collect(),
            None,
        ),
        Err(ServiceError::Invalid(invalid)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Vec::new(),
            Some(
                invalid
                    .0
                    .iter()
                    .map(|e| match e.field.as_str() {
                        "keys" if e.problem == madoguchi_core::Problem::Required => {
                            w.t("queue.bulk_no_keys").to_owned()
                        }
                        _ => i18n::problem(locale, &e.problem),
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ),
        Err(e) => return page_error(locale, e),
    };
    let page = BulkPage {
        w,
        nav: Nav::of(&session),
        back,
        results,
        error,
    };
    (status, render(locale, page)).into_response()
}
