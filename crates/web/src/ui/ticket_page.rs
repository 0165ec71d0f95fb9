//! The ticket page. A customer sees the fields, the response log (public messages and public
//! changes in words), a banner when support waits for them or proposes to close, the reply box
//! and Close (after a confirmation). An agent sees the agent's workspace: the log with internal
//! notes set apart, a side panel (status, type, desk, plan, contract, tenant, participants,
//! assignee, priority), the customer's context, a public reply and an internal note as two
//! separate forms with their own buttons, a status change on its own, assignment, priority,
//! the move to the other desk, and the history. Every action ends with a banner.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use madoguchi_app::ServiceError;
use madoguchi_app::desk::{self, AgentContext, TicketPatch};
use madoguchi_app::tickets::{self, LogItem, ReplyInput, TicketDetail};
use madoguchi_core::catalog::ServiceMenu;
use madoguchi_core::model::User;
use madoguchi_core::{Locale, Priority, Status, Via};
use madoguchi_store::Session;
use serde::Deserialize;

use crate::auth::Browser;
use crate::error::PageForm;
use crate::history_words;
use crate::i18n::{Words, text_with};
use crate::state::AppState;
use crate::ui::multipart_form;
use crate::ui::tickets::{file_size, form_error, localized, page_error, worded};
use crate::ui::{Nav, format_time, render};

/// The ticket page's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tickets/{key}", get(show))
        .route(
            "/tickets/{key}/messages",
            post(reply).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/tickets/{key}/note",
            post(note).layer(DefaultBodyLimit::disable()),
        )
        .route("/tickets/{key}/close", get(confirm_close).post(close))
        .route("/tickets/{key}/status", post(change_status))
        .route("/tickets/{key}/take", post(take))
        .route("/tickets/{key}/assign", post(assign))
        .route("/tickets/{key}/priority", post(change_priority))
        .route("/tickets/{key}/desk", post(move_desk))
}

/// One entry of the response log as the page shows it.
struct LogEntry {
    /// `reply`, `note` or `event`.
    kind: &'static str,
    author: String,
    support: bool,
    at: String,
    body: String,
    by_email: bool,
    files: Vec<(String, String, String)>,
}

/// One row of the agent's history timeline.
struct HistoryRow {
    at: String,
    who: String,
    what: String,
    changes: Vec<(String, String, String)>,
    public: bool,
}

/// What only agents see: the customer's context, the controls, the history.
struct AgentPanel {
    organization: String,
    assigned_to_me: bool,
    assignee_id: String,
    /// The assignee was disabled since: 「無効」 beside their name.
    assignee_disabled: bool,
    agents: Vec<(String, String)>,
    priority: String,
    priorities: Vec<(String, String)>,
    may_move: bool,
    other_desk: String,
    /// 「特別窓口へ移動」
    move_label: String,
    recent: Vec<RecentRow>,
    history: Vec<HistoryRow>,
}

struct RecentRow {
    key: String,
    summary: String,
    status: String,
    status_name: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    w: Words,
    nav: Nav,
    notice: Option<String>,
    alert: Option<String>,
    key: String,
    summary: String,
    status: String,
    status_name: String,
    type_name: String,
    desk_name: String,
    plan_name: String,
    contract_number: String,
    menu_name: String,
    menu_fields: Vec<(String, String)>,
    tenant_id: String,
    extra_fields: Vec<(String, String)>,
    created_by: String,
    created_at: String,
    participants: String,
    assignee_name: String,
    priority_name: String,
    follow_up_of: Option<String>,
    details: String,
    attachments: Vec<(String, String, String)>,
    messages: Vec<LogEntry>,
    closed: bool,
    may_follow_up: bool,
    may_reply: bool,
    may_close: bool,
    is_staff: bool,
    statuses: Vec<(String, String)>,
    /// The close dialog's question, naming the ticket.
    close_title: String,
    typed: Typed,
    kept_files: Vec<(String, String)>,
    kept_note_files: Vec<(String, String)>,
    agent: Option<AgentPanel>,
    /// The SLA facts, for staff only (`templates/sla_panel.html`).
    sla: Option<super::sla::SlaPanel>,
    /// `canned_picker.html`: the canned replies an agent may insert.
    canned: Vec<crate::ui::canned_replies::CannedGroup>,
    /// `ticket_merge.html`: the merged banner and the merge form.
    merge: crate::ui::merge::MergePanel,
    /// `ticket_callback.html`: support on callback tickets.
    callback: Option<crate::ui::callbacks::CallbackPanel>,
    /// `ticket_satisfaction.html`: the filer and support on closed tickets.
    satisfaction: Option<crate::ui::satisfaction::SatisfactionPanel>,
}

impl TicketPage {
    fn err(&self, field: &str) -> &str {
        self.typed
            .errors
            .get(field)
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// What the page shows again after an action that failed, and the banners.
#[derive(Default)]
struct Typed {
    notice: Option<String>,
    alert: Option<String>,
    reply_body: String,
    reply_status: String,
    note_body: String,
    kept: Vec<String>,
    kept_note: Vec<String>,
    /// By field: `body` (the reply), `note`, `attachments`, `note_attachments`.
    errors: BTreeMap<String, String>,
    /// The canned reply chosen without JavaScript (`?canned=<id>`).
    canned_choice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct TicketPageQuery {
    done: Option<String>,
    /// A canned reply to put in the reply box (the picker without JavaScript).
    canned: Option<String>,
}

fn files(list: &[madoguchi_core::ticket::Attachment]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|a| (a.id.clone(), a.filename.clone(), file_size(a.size)))
        .collect()
}

fn status_words(w: Words, s: Status) -> String {
    w.t(&format!("status.{}", s.code())).to_owned()
}

fn log_entries(d: &TicketDetail, user: &User) -> Vec<LogEntry> {
    let name_of = |id: &str| d.person(id).map(|p| p.name.clone()).unwrap_or_default();
    let is_support = |id: &str| d.person(id).is_some_and(|p| !p.role.is_customer());
    d.log()
        .into_iter()
        .map(|item| match item {
            LogItem::Message(m) => LogEntry {
                kind: if m.internal { "note" } else { "reply" },
                author: name_of(&m.author_id),
                support: is_support(&m.author_id),
                at: format_time(user, m.created_at),
                body: m.body.clone(),
                by_email: m.via == Via::Email,
                files: files(&m.attachments),
            },
            LogItem::Event(e) => LogEntry {
                kind: "event",
                author: history_words::actor_name(user.locale, e, &d.people),
                support: e.actor_id.as_deref().is_some_and(is_support),
                at: format_time(user, e.at),
                body: history_words::log_sentence(user.locale, e, &d.people),
                by_email: false,
                files: Vec::new(),
            },
        })
        .collect()
}

fn agent_panel(d: &TicketDetail, ctx: AgentContext, user: &User) -> AgentPanel {
    let w = Words(user.locale);
    let t = &d.ticket;
    AgentPanel {
        organization: t.organization_name.clone(),
        assigned_to_me: t.assignee_id.as_deref() == Some(user.id.as_str()),
        assignee_id: t.assignee_id.clone().unwrap_or_default(),
        assignee_disabled: ctx.assignee_disabled,
        agents: ctx
            .desk_agents
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect(),
        priority: t.priority.code().to_owned(),
        priorities: Priority::ALL
            .iter()
            .map(|p| {
                (
                    p.code().to_owned(),
                    w.t(&format!("workflow.priority.{}", p.code())).to_owned(),
                )
            })
            .collect(),
        may_move: ctx.may_move_desk,
        other_desk: ctx.other_desk.code().to_owned(),
        move_label: text_with(
            user.locale,
            "workflow.move_to",
            &[(
                "desk",
                w.t(&format!("desk.{}", ctx.other_desk.code())).to_owned(),
            )],
        ),
        recent: ctx
            .recent
            .into_iter()
            .map(|r| RecentRow {
                key: r.key.to_string(),
                summary: r.summary,
                status: r.status.code().to_owned(),
                status_name: status_words(w, r.status),
                updated: format_time(user, r.updated_at),
            })
            .collect(),
        history: d
            .history
            .iter()
            .map(|e| HistoryRow {
                at: format_time(user, e.at),
                who: history_words::actor_name(user.locale, e, &d.people),
                what: history_words::kind_name(user.locale, e),
                changes: history_words::change_rows(user.locale, e, &d.people),
                public: e.public,
            })
            .collect(),
    }
}

async fn ticket_page(
    state: &AppState,
    session: &Session,
    key: &str,
    typed: Typed,
) -> Result<TicketPage, ServiceError> {
    let user = &session.user;
    let w = Words(user.locale);
    let mut typed = typed;
    let d = tickets::open(&state.store, user, tickets::parse_key(key)?).await?;
    let picker = crate::ui::canned_replies::picker(
        state,
        user,
        key,
        d.ticket.desk,
        typed.canned_choice.as_deref(),
    )
    .await?;
    if let Some(body) = picker.body.filter(|_| typed.reply_body.is_empty()) {
        typed.reply_body = body;
    }
    if typed.notice.is_none() {
        typed.notice = picker.notice;
    }
    let types = state.store.ticket_types().await?;
    let menus = state.store.service_menus().await?;
    let agent = if d.is_staff {
        let ctx = desk::agent_context(&state.store, user, &d).await?;
        Some(agent_panel(&d, ctx, user))
    } else {
        None
    };
    let t = &d.ticket;
    let menu = menus.iter().find(|m| m.key == t.service_menu);
    let name_of = |id: &str| d.person(id).map(|p| p.name.clone()).unwrap_or_default();
    let mut extra_fields = Vec::new();
    if let Some(i) = &t.incident {
        extra_fields.push((
            w.t("new.occurred_at").to_owned(),
            format_time(user, i.occurred_at),
        ));
        extra_fields.push((
            w.t("new.operation_history").to_owned(),
            i.operation_history.clone(),
        ));
        extra_fields.push((
            w.t("new.current_status").to_owned(),
            i.current_status.clone(),
        ));
    }
    if let Some(c) = &t.callback {
        extra_fields.push((w.t("new.phone").to_owned(), c.phone.clone()));
        extra_fields.push((w.t("new.contact_name").to_owned(), c.contact_name.clone()));
        extra_fields.push((
            w.t("new.preferred_window").to_owned(),
            c.preferred_window.clone(),
        ));
    }
    let kept = state.store.pending_uploads(&user.id, &typed.kept).await?;
    let kept_note = state
        .store
        .pending_uploads(&user.id, &typed.kept_note)
        .await?;
    let pairs = |list: Vec<madoguchi_core::ticket::Attachment>| {
        list.into_iter()
            .map(|a| (a.id, a.filename))
            .collect::<Vec<_>>()
    };
    Ok(TicketPage {
        w,
        nav: Nav::of(session),
        notice: typed.notice.clone(),
        alert: typed.alert.clone(),
        key: t.key.to_string(),
        summary: t.summary.clone(),
        status: t.status.code().to_owned(),
        status_name: status_words(w, t.status),
        type_name: types
            .iter()
            .find(|ty| ty.code == t.ticket_type)
            .map(|ty| ty.name_in(user.locale).to_owned())
            .unwrap_or_default(),
        desk_name: w.t(&format!("desk.{}", t.desk.code())).to_owned(),
        plan_name: w.t(&format!("plan.{}", t.plan.code())).to_owned(),
        contract_number: t.contract_number.clone(),
        menu_name: menu
            .map(|m| localized(user.locale, &m.name_ja, &m.name_en).to_owned())
            .unwrap_or_default(),
        menu_fields: menu_field_rows(user, menu, &t.menu_fields),
        tenant_id: t.tenant_id.clone(),
        extra_fields,
        created_by: name_of(&t.created_by),
        created_at: format_time(user, t.created_at),
        participants: t
            .participant_ids
            .iter()
            .map(|id| name_of(id))
            .collect::<Vec<_>>()
            .join(", "),
        assignee_name: match &t.assignee_id {
            Some(id) => name_of(id),
            None => w.t("workflow.unassigned").to_owned(),
        },
        priority_name: w
            .t(&format!("workflow.priority.{}", t.priority.code()))
            .to_owned(),
        follow_up_of: t.follow_up_of.map(|k| k.to_string()),
        details: t.details.clone(),
        attachments: files(&d.attachments),
        messages: log_entries(&d, user),
        closed: t.status == Status::Closed,
        // Only a closed ticket offers a follow-up, so only then is the filing right looked up.
        may_follow_up: t.status == Status::Closed
            && user.role.is_customer()
            && tickets::filing_options(&state.store, user, &t.contract_number)
                .await
                .is_ok(),
        may_reply: d.may_reply,
        may_close: d.may_close,
        is_staff: d.is_staff,
        statuses: Status::ALL
            .iter()
            .map(|s| (s.code().to_owned(), status_words(w, *s)))
            .collect(),
        close_title: text_with(
            user.locale,
            "workflow.confirm.close_title",
            &[("key", t.key.to_string())],
        ),
        kept_files: pairs(kept),
        kept_note_files: pairs(kept_note),
        typed,
        agent,
        sla: super::sla::SlaPanel::of(user, t, jiff::Timestamp::now()),
        canned: picker.canned,
        merge: crate::ui::merge::panel(user, t),
        callback: crate::ui::callbacks::panel(user, &d, Default::default(), BTreeMap::new()),
        satisfaction: crate::ui::satisfaction::panel(user, t, Default::default(), BTreeMap::new()),
    })
}

/// A ticket's menu items in the menu's order, labelled in the reader's language; date-time items
/// (stored in UTC) in the reader's time zone.
fn menu_field_rows(
    user: &User,
    menu: Option<&ServiceMenu>,
    values: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let items = menu.map(|m| m.items.as_slice()).unwrap_or_default();
    let known = items.iter().filter_map(|item| {
        let v = values.get(&item.key)?;
        let value = match (item.input, v.parse::<jiff::Timestamp>()) {
            (madoguchi_core::MenuInput::Datetime, Ok(at)) => format_time(user, at),
            _ => v.clone(),
        };
        Some((
            localized(user.locale, &item.label_ja, &item.label_en).to_owned(),
            value,
        ))
    });
    // Items the menu no longer has still show, under their keys.
    let gone = values
        .iter()
        .filter(|(k, _)| !items.iter().any(|i| &i.key == *k))
        .map(|(k, v)| (k.clone(), v.clone()));
    known.chain(gone).collect()
}

/// The banner of `?done=…`, after the redirect that ends every action.
async fn done_notice(state: &AppState, user: &User, key: &str, done: &str) -> Option<String> {
    let w = Words(user.locale);
    let staff = !user.role.is_customer();
    let fixed = match done {
        "filed" => "ticket.filed",
        "replied" if staff => "workflow.done.replied",
        "replied" => "ticket.replied",
        "closed" => "ticket.closed",
        "noted" => "workflow.done.noted",
        "merged" => "merge.done",
        "callback" => "callback.recorded",
        "rated" => "satisfaction.rated_notice",
        "taken" => "workflow.done.taken",
        "assigned" => "workflow.done.assigned",
        "priority" => "workflow.done.priority",
        "status" | "moved" => {
            // These name the value the ticket has now.
            let t = state
                .store
                .ticket(
                    madoguchi_store::Viewer::of(user),
                    tickets::parse_key(key).ok()?,
                )
                .await
                .ok()?;
            return Some(if done == "status" {
                text_with(
                    user.locale,
                    "workflow.done.status",
                    &[("status", status_words(w, t.status))],
                )
            } else {
                text_with(
                    user.locale,
                    "workflow.done.moved",
                    &[("desk", w.t(&format!("desk.{}", t.desk.code())).to_owned())],
                )
            });
        }
        _ => return None,
    };
    Some(w.t(fixed).to_owned())
}

pub async fn show(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    Query(q): Query<TicketPageQuery>,
) -> Response {
    let notice = match q.done.as_deref() {
        Some(done) => done_notice(&state, &session.user, &key, done).await,
        None => None,
    };
    let typed = Typed {
        notice,
        canned_choice: q.canned,
        ..Default::default()
    };
    match ticket_page(&state, &session, &key, typed).await {
        Ok(page) => render(session.user.locale, page),
        Err(e) => page_error(session.user.locale, e),
    }
}

/// Shows the page again after a failed action, with what was typed and why, with the status
/// code the failure deserves.
async fn again(
    state: &AppState,
    session: &Session,
    key: &str,
    typed: Typed,
    status: StatusCode,
) -> Response {
    let locale = session.user.locale;
    match ticket_page(state, session, key, typed).await {
        Ok(page) => (status, render(locale, page)).into_response(),
        Err(e) => page_error(locale, e),
    }
}

/// Words every problem of a failed service call into one sentence for a banner.
fn alert_text(locale: Locale, invalid: &madoguchi_core::Invalid) -> String {
    worded(locale, invalid)
        .into_values()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The public reply (customers and agents). An agent's reply may set the status it leaves.
pub async fn reply(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    multipart: Multipart,
) -> Response {
    write_message(state, session, key, multipart, false).await
}

/// The internal note (agents): its own form, its own button, its own route, so that nothing
/// typed as a note can be sent as a reply.
pub async fn note(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    multipart: Multipart,
) -> Response {
    write_message(state, session, key, multipart, true).await
}

async fn write_message(
    state: AppState,
    session: Session,
    key: String,
    multipart: Multipart,
    internal: bool,
) -> Response {
    let locale = session.user.locale;
    // A key that is no ticket's (`SD-1001%0A`) is refused before the form is read, so that
    // none of its files is stored.
    let parsed = match tickets::parse_key(&key) {
        Ok(k) => k,
        Err(e) => return page_error(locale, e),
    };
    let form = match multipart_form::read(&state, &session, multipart).await {
        Ok(f) => f,
        Err(e) => return form_error(locale, e),
    };
    let attachments = form.attachments();
    let body = form.one("body");
    let status = form.one("status");
    let (body_field, files_field) = if internal {
        ("note", "note_attachments")
    } else {
        ("body", "attachments")
    };
    let mut typed = Typed::default();
    if !form.upload_errors.is_empty() {
        typed
            .errors
            .insert(files_field.to_owned(), form.upload_errors.join(" "));
    } else {
        let input = ReplyInput {
            body: Some(body.clone()),
            attachments: attachments.clone(),
            internal,
            status: Some(status.clone()).filter(|s| !s.is_empty() && !internal),
            via: Via::Web,
        };
        let limit = state.config.attachment_max_count;
        let result = if internal {
            desk::note(&state.store, &session.user, parsed, &input, limit).await
        } else {
            tickets::reply(&state.store, &session.user, parsed, &input, limit).await
        };
        // A reply refused for good (no permission, no such ticket, closed, merged) can never
        // carry the files that came with it: they go now, rows and files. A reply refused for
        // its fields keeps them for the form shown again.
        if let Err(e) = &result
            && !matches!(e, ServiceError::Invalid(_))
            && let Err(e) = madoguchi_app::attachments::discard_uploads(
                &state.store,
                &state.config.data_dir,
                &session.user,
                &form.uploaded,
            )
            .await
        {
            tracing::warn!(error = %e, "discarding the uploads of a refused reply");
        }
        match result {
            Ok(_) => {
                let done = if internal { "noted" } else { "replied" };
                return Redirect::to(&format!("/tickets/{key}?done={done}")).into_response();
            }
            Err(ServiceError::Invalid(invalid)) => {
                for (field, text) in worded(locale, &invalid) {
                    let field = match field.as_str() {
                        "body" => body_field,
                        "attachments" => files_field,
                        _ => "status",
                    };
                    typed.errors.insert(field.to_owned(), text);
                }
            }
            // Merged while this was typed: the banner links the survivor; the text is kept.
            Err(ServiceError::MergedInto(into)) => {
                let text = text_with(locale, "merge.reply_refused", &[("into", into.to_string())]);
                typed.errors.insert(body_field.to_owned(), text);
            }
            // The ticket closed, or the permission went, while this was typed: show the text
            // so that nothing is lost.
            Err(ServiceError::Conflict(invalid)) => {
                typed
                    .errors
                    .insert(body_field.to_owned(), alert_text(locale, &invalid));
            }
            Err(ServiceError::Forbidden(_)) => {
                typed.errors.insert(
                    body_field.to_owned(),
                    Words(locale).t("ticket.view_only").to_owned(),
                );
            }
            Err(e) => return page_error(locale, e),
        }
    }
    if internal {
        typed.note_body = body;
        typed.kept_note = attachments;
    } else {
        typed.reply_body = body;
        typed.reply_status = status;
        typed.kept = attachments;
    }
    again(
        &state,
        &session,
        &key,
        typed,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Every small form of the agent's side panel posts some of these.
#[derive(Deserialize)]
pub struct ActionForm {
    csrf: String,
    status: Option<String>,
    assignee: Option<String>,
    priority: Option<String>,
    desk: Option<String>,
    /// `yes` once the confirmation page (or dialog) was answered.
    confirmed: Option<String>,
}

/// Applies a PATCH from a page form and redirects with `done`, or shows the page again with
/// the problem in a banner.
async fn apply(
    state: &AppState,
    session: &Session,
    key: &str,
    patch: Option<TicketPatch>,
    done: &str,
) -> Response {
    let locale = session.user.locale;
    let result = match tickets::parse_key(key) {
        Ok(k) => match patch {
            Some(p) => desk::update(&state.store, &session.user, k, &p).await,
            None => desk::take(&state.store, &session.user, k).await,
        },
        Err(e) => Err(e),
    };
    let (status, alert) = match result {
        Ok(_) => return Redirect::to(&format!("/tickets/{key}?done={done}")).into_response(),
        Err(ServiceError::Invalid(i)) => (StatusCode::UNPROCESSABLE_ENTITY, alert_text(locale, &i)),
        Err(ServiceError::Conflict(i)) => (StatusCode::CONFLICT, alert_text(locale, &i)),
        Err(ServiceError::Forbidden(_)) => (
            StatusCode::FORBIDDEN,
            Words(locale).t("error.forbidden").to_owned(),
        ),
        Err(e) => return page_error(locale, e),
    };
    let typed = Typed {
        alert: Some(alert),
        ..Default::default()
    };
    again(state, session, key, typed, status).await
}

fn csrf_ok(session: &Session, form: &ActionForm) -> Option<Response> {
    (!crate::auth::check_csrf(session, &form.csrf))
        .then(|| form_error(session.user.locale, multipart_form::FormError::Csrf))
}

/// A status change alone, without text. Closing asks for confirmation first.
pub async fn change_status(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    if let Some(refused) = csrf_ok(&session, &form) {
        return refused;
    }
    let status = form.status.clone().unwrap_or_default();
    if status == Status::Closed.code() && form.confirmed.as_deref() != Some("yes") {
        return confirm_page(&state, &session, &key, "status").await;
    }
    let patch = TicketPatch {
        status: Some(status),
        ..Default::default()
    };
    apply(&state, &session, &key, Some(patch), "status").await
}

/// Takes the ticket in one click.
pub async fn take(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    if let Some(refused) = csrf_ok(&session, &form) {
        return refused;
    }
    apply(&state, &session, &key, None, "taken").await
}

/// Assigns to an agent of the desk, or unassigns (an empty assignee).
pub async fn assign(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    if let Some(refused) = csrf_ok(&session, &form) {
        return refused;
    }
    let patch = TicketPatch {
        assignee: Some(form.assignee.clone().unwrap_or_default()),
        ..Default::default()
    };
    apply(&state, &session, &key, Some(patch), "assigned").await
}

pub async fn change_priority(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    if let Some(refused) = csrf_ok(&session, &form) {
        return refused;
    }
    let patch = TicketPatch {
        priority: Some(form.priority.clone().unwrap_or_default()),
        ..Default::default()
    };
    apply(&state, &session, &key, Some(patch), "priority").await
}

/// Moves the ticket to the other desk's queue (agents on both desks).
pub async fn move_desk(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    if let Some(refused) = csrf_ok(&session, &form) {
        return refused;
    }
    let patch = TicketPatch {
        desk: Some(form.desk.clone().unwrap_or_default()),
        ..Default::default()
    };
    apply(&state, &session, &key, Some(patch), "moved").await
}

#[derive(Template)]
#[template(path = "ticket_confirm.html")]
struct ConfirmPage {
    w: Words,
    nav: Nav,
    key: String,
    title: String,
    action: String,
    /// Hidden fields the confirmed form posts again.
    fields: Vec<(String, String)>,
}

/// The confirmation page of closing (the page without JavaScript; with it, a dialog on the
/// ticket page asks the same). `what` is `close` (the customer) or `status` (an agent).
async fn confirm_page(state: &AppState, session: &Session, key: &str, what: &str) -> Response {
    let locale = session.user.locale;
    // Only a ticket the user may see has a confirmation page.
    let ticket = match tickets::parse_key(key) {
        Ok(k) => tickets::detail(&state.store, &session.user, k).await,
        Err(e) => Err(e),
    };
    let ticket = match ticket {
        Ok(d) => d.ticket,
        Err(e) => return page_error(locale, e),
    };
    let key = ticket.key.to_string();
    let (action, fields) = if what == "status" {
        (
            format!("/tickets/{key}/status"),
            vec![
                ("status".to_owned(), "closed".to_owned()),
                ("confirmed".to_owned(), "yes".to_owned()),
            ],
        )
    } else {
        (format!("/tickets/{key}/close"), Vec::new())
    };
    let page = ConfirmPage {
        w: Words(locale),
        nav: Nav::of(session),
        title: text_with(
            locale,
            "workflow.confirm.close_title",
            &[("key", key.clone())],
        ),
        key,
        action,
        fields,
    };
    render(locale, page)
}

pub async fn confirm_close(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
) -> Response {
    confirm_page(&state, &session, &key, "close").await
}

/// The customer's Close, once confirmed.
pub async fn close(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<crate::ui::login::CsrfForm>,
) -> Response {
    let locale = session.user.locale;
    if !crate::auth::check_csrf(&session, &form.csrf) {
        return form_error(locale, multipart_form::FormError::Csrf);
    }
    let result = match tickets::parse_key(&key) {
        Ok(k) => tickets::close(&state.store, &session.user, k).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/tickets/{key}?done=closed")).into_response(),
        Err(ServiceError::Conflict(_)) => Redirect::to(&format!("/tickets/{key}")).into_response(),
        Err(e) => page_error(locale, e),
    }
}
