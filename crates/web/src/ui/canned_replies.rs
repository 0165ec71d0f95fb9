//! The canned replies' pages: `/canned-replies` lists the agent's own and their desks' replies,
//! grouped; a form creates and edits (errors beside their fields, everything typed kept); a
//! confirmation page names the reply before deleting it. Also the ticket page's picker
//! (`templates/canned_picker.html`): [`picker`] gives the page its choices and, for
//! `?canned=<id>` without JavaScript, the reply filled for the ticket.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::ServiceError;
use madoguchi_app::canned_replies::{self, CannedReplyInput};
use madoguchi_core::model::User;
use madoguchi_core::{Desk, Locale, Role};
use madoguchi_store::{CannedReply, Session};
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::{Nav, csrf_failed, format_time, render};

fn fail(locale: Locale, e: ServiceError) -> Response {
    PageError::from_service(locale, e).into_response()
}

fn desk_name(w: Words, desk: Desk) -> String {
    w.t(&format!("desk.{}", desk.code())).to_owned()
}

/// One reply in the list.
struct Row {
    id: String,
    title: String,
    body: String,
    updated: String,
}

/// A group of the list: the agent's own, one desk's, or (for admins) other agents'.
struct Group {
    id: String,
    name: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "canned_list.html")]
struct ListPage {
    w: Words,
    nav: Nav,
    notice: Option<String>,
    groups: Vec<Group>,
    empty: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    /// The reply just saved (`created` or `updated`), for the result banner.
    saved: Option<String>,
    done: Option<String>,
}

/// The groups of the list: own first, then each desk the user sees, then others' own.
fn grouped(user: &User, w: Words, replies: Vec<CannedReply>) -> Vec<Group> {
    let row = |r: &CannedReply| Row {
        id: r.id.clone(),
        title: r.title.clone(),
        body: r.body.clone(),
        updated: format_time(user, r.updated_at),
    };
    let mut groups = vec![Group {
        id: "mine".to_owned(),
        name: w.t("canned.mine").to_owned(),
        rows: replies
            .iter()
            .filter(|r| r.owner_id.as_deref() == Some(user.id.as_str()))
            .map(row)
            .collect(),
    }];
    for desk in Desk::ALL {
        let rows: Vec<Row> = replies
            .iter()
            .filter(|r| r.desk == Some(*desk))
            .map(row)
            .collect();
        if !rows.is_empty() {
            groups.push(Group {
                id: format!("desk-{}", desk.code()),
                name: format!("{} · {}", desk_name(w, *desk), w.t("canned.shared")),
                rows,
            });
        }
    }
    let others: Vec<Row> = replies
        .iter()
        .filter(|r| r.owner_id.as_deref().is_some_and(|o| o != user.id))
        .map(row)
        .collect();
    if !others.is_empty() {
        groups.push(Group {
            id: "others".to_owned(),
            name: w.t("canned.others").to_owned(),
            rows: others,
        });
    }
    groups
}

pub async fn list(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<ListQuery>,
) -> Response {
    let user = &session.user;
    let w = Words(user.locale);
    let replies = match canned_replies::list(&state.store, user).await {
        Ok(r) => r,
        Err(e) => return fail(user.locale, e),
    };
    let notice = match (q.done.as_deref(), q.saved.as_deref()) {
        (Some("deleted"), _) => Some(w.t("canned.deleted").to_owned()),
        (Some(done @ ("created" | "updated")), Some(id)) => {
            replies.iter().find(|r| r.id == id).map(|r| {
                i18n::text_with(
                    user.locale,
                    &format!("canned.{done}"),
                    &[("title", r.title.clone())],
                )
            })
        }
        _ => None,
    };
    let empty = replies.is_empty();
    let page = ListPage {
        w,
        nav: Nav::of(&session),
        notice,
        groups: grouped(user, w, replies),
        empty,
    };
    render(user.locale, page)
}

#[derive(Template)]
#[template(path = "canned_form.html")]
struct FormPage {
    w: Words,
    nav: Nav,
    id: String,
    action: String,
    title: String,
    body: String,
    desk: String,
    /// (code, name) of the desks the reply may be shared with.
    desks: Vec<(String, String)>,
    /// Field → worded problem; `summary` lists them in the page's order.
    errors: BTreeMap<String, String>,
    summary: Vec<(String, String)>,
}

impl FormPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }
}

async fn form_page(
    state: &AppState,
    session: &Session,
    id: Option<&str>,
    input: CannedReplyInput,
    errors: BTreeMap<String, String>,
) -> Response {
    let user = &session.user;
    let locale = user.locale;
    let w = Words(locale);
    let desks = match user.role {
        Role::Admin => Desk::ALL.to_vec(),
        _ => match state.store.desks_of(&user.id).await {
            Ok(d) => d,
            Err(e) => return fail(locale, e.into()),
        },
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let summary = ["title", "body", "desk"]
        .iter()
        .filter_map(|f| errors.get(*f).map(|m| ((*f).to_owned(), m.clone())))
        .collect();
    let page = FormPage {
        w,
        nav: Nav::of(session),
        id: id.unwrap_or_default().to_owned(),
        action: match id {
            Some(id) => format!("/canned-replies/{id}/edit"),
            None => "/canned-replies".to_owned(),
        },
        title: input.title.unwrap_or_default(),
        body: input.body.unwrap_or_default(),
        desk: input.desk.unwrap_or_default(),
        desks: desks
            .iter()
            .map(|d| {
                (
                    d.code().to_owned(),
                    i18n::text_with(locale, "canned.share_with", &[("desk", desk_name(w, *d))]),
                )
            })
            .collect(),
        errors,
        summary,
    };
    (status, render(locale, page)).into_response()
}

pub async fn new_form(State(state): State<AppState>, Browser(session): Browser) -> Response {
    if session.user.role.is_customer() {
        return fail(session.user.locale, ServiceError::NotFound);
    }
    form_page(
        &state,
        &session,
        None,
        CannedReplyInput::default(),
        BTreeMap::new(),
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    match canned_replies::get(&state.store, &session.user, &id).await {
        Ok(r) => {
            let input = CannedReplyInput {
                title: Some(r.title),
                body: Some(r.body),
                desk: r.desk.map(|d| d.code().to_owned()),
            };
            form_page(&state, &session, Some(&id), input, BTreeMap::new()).await
        }
        Err(e) => fail(session.user.locale, e),
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    desk: String,
}

async fn save(state: AppState, session: Session, id: Option<String>, form: ReplyForm) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let input = CannedReplyInput {
        title: Some(form.title),
        body: Some(form.body),
        desk: Some(form.desk).filter(|d| !d.is_empty()),
    };
    let result = match &id {
        Some(id) => canned_replies::update(&state.store, &session.user, id, &input).await,
        None => canned_replies::create(&state.store, &session.user, &input).await,
    };
    match result {
        Ok(reply) => {
            let done = if id.is_some() { "updated" } else { "created" };
            Redirect::to(&format!("/canned-replies?done={done}&saved={}", reply.id)).into_response()
        }
        Err(ServiceError::Invalid(invalid)) => {
            let mut errors = BTreeMap::new();
            for e in &invalid.0 {
                errors
                    .entry(e.field.clone())
                    .or_insert_with(|| i18n::problem(locale, &e.problem));
            }
            form_page(&state, &session, id.as_deref(), input, errors).await
        }
        Err(e) => fail(locale, e),
    }
}

pub async fn create(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<ReplyForm>,
) -> Response {
    save(state, session, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<ReplyForm>,
) -> Response {
    save(state, session, Some(id), form).await
}

#[derive(Template)]
#[template(path = "canned_delete.html")]
struct DeletePage {
    w: Words,
    nav: Nav,
    id: String,
    question: String,
    shared_warning: Option<String>,
    body: String,
}

/// Asks before deleting, naming the reply (and the desk that would lose a shared one).
pub async fn confirm_delete(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    let user = &session.user;
    let w = Words(user.locale);
    let reply = match canned_replies::get(&state.store, user, &id).await {
        Ok(r) => r,
        Err(e) => return fail(user.locale, e),
    };
    let page = DeletePage {
        w,
        nav: Nav::of(&session),
        question: i18n::text_with(
            user.locale,
            "canned.delete_confirm",
            &[("title", reply.title.clone())],
        ),
        shared_warning: reply.desk.map(|d| {
            i18n::text_with(
                user.locale,
                "canned.delete_shared",
                &[("desk", desk_name(w, d))],
            )
        }),
        body: reply.body,
        id,
    };
    render(user.locale, page)
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn delete(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfOnly>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    match canned_replies::delete(&state.store, &session.user, &id).await {
        Ok(()) => Redirect::to("/canned-replies?done=deleted").into_response(),
        Err(e) => fail(locale, e),
    }
}

// The picker's items are called by the agent's ticket page, which another branch reworks: until
// the merge wires them in, only the tests use them.

/// A choice of the ticket page's picker.
pub(crate) struct CannedOption {
    pub id: String,
    pub title: String,
    pub selected: bool,
}

/// The picker's choices in groups (an `<optgroup>` each): the agent's own, then the ticket's
/// desk's.
pub(crate) struct CannedGroup {
    pub label: String,
    pub options: Vec<CannedOption>,
}

/// What the ticket page needs for its canned replies.
pub(crate) struct CannedPicker {
    /// The page's `canned` (what `canned_picker.html` reads).
    pub canned: Vec<CannedGroup>,
    /// For `?canned=<id>`: the reply filled for this ticket, to put in the reply box.
    pub body: Option<String>,
    /// A result banner's text when the chosen reply could not be used (deleted meanwhile).
    pub notice: Option<String>,
}

/// The ticket page's canned replies for `user` on the ticket `key` of `desk`, with the reply
/// `chosen` (`?canned=<id>`) filled in. Customers get an empty picker: include the partial for
/// staff only.
pub(crate) async fn picker(
    state: &AppState,
    user: &User,
    key: &str,
    desk: Desk,
    chosen: Option<&str>,
) -> Result<CannedPicker, ServiceError> {
    if user.role.is_customer() {
        return Ok(CannedPicker {
            canned: Vec::new(),
            body: None,
            notice: None,
        });
    }
    let w = Words(user.locale);
    let chosen = chosen.map(str::trim).filter(|c| !c.is_empty());
    let replies = canned_replies::for_desk(&state.store, user, desk).await?;
    let option = |r: &CannedReply| CannedOption {
        id: r.id.clone(),
        title: r.title.clone(),
        selected: chosen == Some(r.id.as_str()),
    };
    let mine: Vec<CannedOption> = replies
        .iter()
        .filter(|r| r.desk.is_none())
        .map(option)
        .collect();
    let shared: Vec<CannedOption> = replies
        .iter()
        .filter(|r| r.desk.is_some())
        .map(option)
        .collect();
    let mut canned = Vec::new();
    if !mine.is_empty() {
        canned.push(CannedGroup {
            label: w.t("canned.mine").to_owned(),
            options: mine,
        });
    }
    if !shared.is_empty() {
        canned.push(CannedGroup {
            label: format!("{} · {}", desk_name(w, desk), w.t("canned.shared")),
            options: shared,
        });
    }
    let (body, notice) = match chosen {
        None => (None, None),
        Some(id) => match canned_replies::render(&state.store, user, id, key).await {
            Ok(body) => (Some(body), Some(w.t("canned.picker_inserted").to_owned())),
            Err(ServiceError::NotFound) => (None, Some(w.t("canned.picker_gone").to_owned())),
            Err(e) => return Err(e),
        },
    };
    Ok(CannedPicker {
        canned,
        body,
        notice,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partial needs only `w`, `key` and `canned` from the page that includes it.
    #[derive(Template)]
    #[template(
        source = "<form id=\"reply-form\"></form>{% include \"canned_picker.html\" %}",
        ext = "html"
    )]
    struct Host {
        w: Words,
        key: String,
        canned: Vec<CannedGroup>,
    }

    #[test]
    fn the_picker_renders_from_the_page_context_alone() {
        let html = Host {
            w: Words(Locale::Ja),
            key: "SD-1042".into(),
            canned: vec![CannedGroup {
                label: "自分の定型文".into(),
                options: vec![CannedOption {
                    id: "r1".into(),
                    title: "受付のご連絡 <挨拶>".into(),
                    selected: true,
                }],
            }],
        }
        .render()
        .unwrap();
        assert!(html.contains("action=\"/tickets/SD-1042#reply\""), "{html}");
        assert!(
            html.contains("<option value=\"r1\" selected>受付のご連絡 &#60;挨拶&#62;</option>"),
            "{html}"
        );
        assert!(html.contains("name=\"canned\""));
        let empty = Host {
            w: Words(Locale::En),
            key: "SD-1".into(),
            canned: Vec::new(),
        }
        .render()
        .unwrap();
        assert!(!empty.contains("name=\"canned\"") && empty.contains("/canned-replies"));
    }
}
