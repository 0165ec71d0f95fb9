//! The synonym dictionary's page (同義語辞書): agents and admins see every group, add one,
//! change one in place, and delete one after a confirmation that names it. Works without
//! JavaScript.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::ServiceError;
use madoguchi_app::synonyms::{self, SynonymInput};
use madoguchi_core::Locale;
use madoguchi_store::Session;
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::{Nav, csrf_failed, render};

fn fail(locale: Locale, e: ServiceError) -> Response {
    PageError::from_service(locale, e).into_response()
}

struct Row {
    id: String,
    /// The phrases joined with " = ", as the form edits them.
    text: String,
}

#[derive(Template)]
#[template(path = "synonyms.html")]
struct ListPage {
    w: Words,
    nav: Nav,
    count: String,
    rows: Vec<Row>,
    banner: Option<String>,
    /// A failed add or change: the group's id ("" for a new one), the text typed, the error.
    failed: Option<(String, String, String)>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    done: Option<String>,
}

async fn list_page(
    state: &AppState,
    session: &Session,
    banner: Option<String>,
    failed: Option<(String, String, String)>,
) -> Response {
    let user = &session.user;
    let groups = match synonyms::list(&state.store, user).await {
        Ok(g) => g,
        Err(e) => return fail(user.locale, e),
    };
    let page = ListPage {
        w: Words(user.locale),
        nav: Nav::of(session),
        count: i18n::text_with(
            user.locale,
            "search.synonyms_count",
            &[("count", groups.len().to_string())],
        ),
        rows: groups
            .into_iter()
            .map(|g| Row {
                id: g.id,
                text: g.phrases.join(" = "),
            })
            .collect(),
        banner,
        failed,
    };
    render(user.locale, page)
}

pub async fn list(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<ListQuery>,
) -> Response {
    let locale = session.user.locale;
    let banner = match q.done.as_deref() {
        Some("saved") => Some(i18n::text(locale, "search.synonyms_saved").to_owned()),
        Some("deleted") => Some(i18n::text(locale, "search.synonyms_deleted").to_owned()),
        _ => None,
    };
    list_page(&state, &session, banner, None).await
}

#[derive(Deserialize)]
pub struct GroupForm {
    csrf: String,
    #[serde(default)]
    phrases: String,
}

async fn save(state: AppState, session: Session, id: Option<String>, form: GroupForm) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let input = SynonymInput::from_text(&form.phrases);
    match synonyms::save(
        &state.store,
        &state.search,
        &session.user,
        id.as_deref(),
        &input,
    )
    .await
    {
        Ok(_) => Redirect::to("/synonyms?done=saved").into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let mut errors = BTreeMap::new();
            for e in &invalid.0 {
                errors
                    .entry(e.field.clone())
                    .or_insert_with(|| i18n::problem(locale, &e.problem));
            }
            let message = errors
                .into_values()
                .next()
                .unwrap_or_else(|| i18n::text(locale, "search.synonyms_too_few").to_owned());
            let failed = Some((id.unwrap_or_default(), form.phrases, message));
            let mut response = list_page(&state, &session, None, failed).await;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(e) => fail(locale, e),
    }
}

pub async fn create(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<GroupForm>,
) -> Response {
    save(state, session, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<GroupForm>,
) -> Response {
    save(state, session, Some(id), form).await
}

#[derive(Template)]
#[template(path = "synonyms_delete.html")]
struct DeletePage {
    w: Words,
    nav: Nav,
    id: String,
    question: String,
}

/// Asks before deleting, naming the group's phrases.
pub async fn confirm_delete(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    let user = &session.user;
    let groups = match synonyms::list(&state.store, user).await {
        Ok(g) => g,
        Err(e) => return fail(user.locale, e),
    };
    let Some(group) = groups.into_iter().find(|g| g.id == id) else {
        return fail(user.locale, ServiceError::NotFound);
    };
    let page = DeletePage {
        w: Words(user.locale),
        nav: Nav::of(&session),
        question: i18n::text_with(
            user.locale,
            "search.synonyms_confirm",
            &[("phrases", group.phrases.join(" = "))],
        ),
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
    match synonyms::delete(&state.store, &state.search, &session.user, &id).await {
        Ok(()) => Redirect::to("/synonyms?done=deleted").into_response(),
        Err(e) => fail(locale, e),
    }
}
