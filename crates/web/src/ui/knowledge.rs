//! The knowledge center's pages: browse by kind and service menu, search, read; agents write.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_core::knowledge::{Article, ArticleKind, IssueStatus};
use madoguchi_core::{Locale, Role};
use madoguchi_store::{Cursor, PageRequest, Session};
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::{Nav, render};
use madoguchi_app::ServiceError;
use madoguchi_app::knowledge::{self, ArticleInput, ArticleQuery};

fn may_write(session: &Session) -> bool {
    matches!(session.user.role, Role::Agent | Role::Admin)
}

fn kind_name(w: Words, kind: ArticleKind) -> String {
    w.t(&format!("kb.{}", kind.code())).to_owned()
}

fn issue_name(w: Words, status: IssueStatus) -> String {
    w.t(&format!("kb.issue.{}", status.code())).to_owned()
}

fn issue_statuses(w: Words) -> Vec<(String, String)> {
    IssueStatus::ALL
        .iter()
        .map(|st| (st.code().to_owned(), issue_name(w, *st)))
        .collect()
}

fn kinds(w: Words) -> Vec<(String, String)> {
    ArticleKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), kind_name(w, *k)))
        .collect()
}

/// The languages an article may be written in, each named in its own words (日本語, English).
fn languages(w: Words) -> Vec<(String, String)> {
    Locale::ALL
        .iter()
        .map(|l| (l.code().to_owned(), language_name(w, *l)))
        .collect()
}

fn language_name(w: Words, language: Locale) -> String {
    w.t(&format!("lang.{}", language.code())).to_owned()
}

/// An article's language, named, when it is not the reader's: a tag beside its title, and
/// the `lang` the title is read in.
fn foreign(w: Words, reader: Locale, article: Locale) -> Option<(String, String)> {
    (article != reader).then(|| (article.code().to_owned(), language_name(w, article)))
}

fn menu_name(locale: Locale, m: &madoguchi_core::catalog::ServiceMenu) -> String {
    if locale == Locale::Ja {
        m.name_ja.clone()
    } else {
        m.name_en.clone()
    }
}

fn fail(locale: Locale, e: ServiceError) -> Response {
    PageError::from_service(locale, e).into_response()
}

struct ArticleRow {
    id: String,
    /// The title with the words searched marked: (text, matched) pieces.
    title_parts: Vec<(String, bool)>,
    /// Where the body matched the words searched.
    snippet: Vec<(String, bool)>,
    kind_name: String,
    issue_status: Option<(String, String)>,
    /// (code, name) when not in the reader's language.
    language: Option<(String, String)>,
    published: bool,
    updated: String,
}

#[derive(Template)]
#[template(path = "kb.html")]
struct ListPage {
    w: Words,
    nav: Nav,
    kind: String,
    kind_name: String,
    kinds: Vec<(String, String)>,
    may_write: bool,
    action: String,
    menus: Vec<(String, String)>,
    service_menu: String,
    q: String,
    /// On the known issues' list: the status filter.
    issue_statuses: Vec<(String, String)>,
    issue_status: String,
    articles: Vec<ArticleRow>,
    next_url: Option<String>,
    /// Why the words searched were not searched (too long), shown beside the box that keeps
    /// them.
    q_error: Option<String>,
}

async fn list_page(
    state: &AppState,
    session: &Session,
    kind: Option<ArticleKind>,
    mut q: ArticleQuery,
) -> Response {
    let user = &session.user;
    let w = Words(user.locale);
    q.kind = kind.map(|k| k.code().to_owned());
    let (filter, q_error) = match q.filter(user) {
        Ok(f) => (f, None),
        // Words past the limit: the list without them, the box still holding them.
        Err(e) if e.0.iter().all(|f| f.field == "q") => {
            let without_words = ArticleQuery {
                q: None,
                ..q.clone()
            };
            match without_words.filter(user) {
                Ok(f) => (
                    f,
                    Some(
                        crate::ui::tickets::worded(user.locale, &e)
                            .into_values()
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                ),
                Err(e) => return fail(user.locale, e.into()),
            }
        }
        Err(e) => return fail(user.locale, e.into()),
    };
    let page = PageRequest::new(Some(50), q.cursor.as_deref().and_then(Cursor::parse))
        .expect("50 is a valid page size");
    let (found, menus) = match (
        knowledge::list(&state.store, &state.search, user, &filter, &page).await,
        state.store.service_menus().await,
    ) {
        (Ok(f), Ok(m)) => (f, m),
        (Err(e), _) => return fail(user.locale, e),
        (_, Err(e)) => return fail(user.locale, e.into()),
    };
    let action = match kind {
        Some(k) => format!("/kb/{}", k.code()),
        None => "/kb".to_owned(),
    };
    let next_url = found.next_cursor.as_ref().map(|c| {
        let pairs = [
            ("service_menu", q.service_menu.clone().unwrap_or_default()),
            ("q", q.q.clone().unwrap_or_default()),
            ("cursor", c.as_str()),
        ];
        format!(
            "{action}?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    let page = ListPage {
        w,
        nav: Nav::of(session),
        kind: kind.map(|k| k.code().to_owned()).unwrap_or_default(),
        kind_name: kind.map(|k| kind_name(w, k)).unwrap_or_default(),
        kinds: kinds(w),
        may_write: may_write(session),
        action,
        menus: menus
            .iter()
            .map(|m| (m.key.clone(), menu_name(user.locale, m)))
            .collect(),
        service_menu: q.service_menu.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        issue_statuses: if kind == Some(ArticleKind::KnownIssue) {
            issue_statuses(w)
        } else {
            Vec::new()
        },
        issue_status: q.issue_status.clone().unwrap_or_default(),
        articles: found
            .items
            .iter()
            .map(|f| (&f.article, f))
            .map(|(a, f)| ArticleRow {
                id: a.id.clone(),
                title_parts: f.title.iter().map(|p| (p.text.clone(), p.hit)).collect(),
                snippet: f
                    .snippet
                    .iter()
                    .flatten()
                    .map(|p| (p.text.clone(), p.hit))
                    .collect(),
                kind_name: kind_name(w, a.kind),
                issue_status: a
                    .issue_status
                    .map(|st| (st.code().to_owned(), issue_name(w, st))),
                language: foreign(w, user.locale, a.language),
                published: a.published,
                updated: crate::ui::format_time(user, a.updated_at),
            })
            .collect(),
        next_url,
        q_error,
    };
    render(user.locale, page)
}

/// KnowledgeCenter: every kind.
pub async fn home(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<ArticleQuery>,
) -> Response {
    list_page(&state, &session, None, q).await
}

/// One kind: FAQ, known issues, or error messages.
pub async fn by_kind(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(kind): Path<String>,
    Query(q): Query<ArticleQuery>,
) -> Response {
    match knowledge::parse_kind(&kind) {
        Ok(kind) => list_page(&state, &session, Some(kind), q).await,
        Err(e) => fail(session.user.locale, e),
    }
}

#[derive(Template)]
#[template(path = "kb_article.html")]
struct ArticlePage {
    w: Words,
    nav: Nav,
    id: String,
    kind: String,
    kind_name: String,
    title: String,
    updated: String,
    published: bool,
    menus: String,
    body_html: String,
    may_write: bool,
    from_suggestion: bool,
    solved: bool,
    deflections: Option<i64>,
    issue_status: Option<(String, String)>,
    /// (code, name) when not in the reader's language.
    language: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct ArticlePageQuery {
    from: Option<String>,
    solved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    Query(q): Query<ArticlePageQuery>,
) -> Response {
    let user = &session.user;
    let w = Words(user.locale);
    let article = match knowledge::get(&state.store, user, &id).await {
        Ok(a) => a,
        Err(e) => return fail(user.locale, e),
    };
    let menus = state.store.service_menus().await.unwrap_or_default();
    let deflections = match knowledge::deflections(&state.store, user, &id).await {
        Ok(n) => n,
        Err(e) => return fail(user.locale, e),
    };
    let page = ArticlePage {
        from_suggestion: q.from.as_deref() == Some("suggestion"),
        solved: q.solved.is_some(),
        deflections,
        w,
        nav: Nav::of(&session),
        id: article.id.clone(),
        kind: article.kind.code().to_owned(),
        kind_name: kind_name(w, article.kind),
        updated: crate::ui::format_time(user, article.updated_at),
        published: article.published,
        menus: article
            .service_menus
            .iter()
            .map(|k| {
                menus
                    .iter()
                    .find(|m| &m.key == k)
                    .map(|m| menu_name(user.locale, m))
                    .unwrap_or_else(|| k.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
        body_html: knowledge::render_markdown(&article.body),
        issue_status: article
            .issue_status
            .map(|st| (st.code().to_owned(), issue_name(w, st))),
        language: foreign(w, user.locale, article.language),
        title: article.title,
        may_write: may_write(&session),
    };
    render(user.locale, page)
}

#[derive(Template)]
#[template(path = "kb_form.html")]
struct FormPage {
    w: Words,
    nav: Nav,
    id: String,
    action: String,
    kinds: Vec<(String, String)>,
    kind: String,
    title: String,
    body: String,
    /// (key, name, checked)
    menus: Vec<(String, String, bool)>,
    issue_statuses: Vec<(String, String)>,
    issue_status: String,
    languages: Vec<(String, String)>,
    language: String,
    published: bool,
    errors: BTreeMap<String, String>,
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
    input: ArticleInput,
    errors: BTreeMap<String, String>,
) -> Response {
    let locale = session.user.locale;
    let w = Words(locale);
    let menus = match state.store.service_menus().await {
        Ok(m) => m,
        Err(e) => return fail(locale, e.into()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        w,
        nav: Nav::of(session),
        id: id.unwrap_or_default().to_owned(),
        action: match id {
            Some(id) => format!("/kb/articles/{id}/edit"),
            None => "/kb/new".to_owned(),
        },
        kinds: kinds(w),
        kind: input.kind.unwrap_or_else(|| "faq".to_owned()),
        title: input.title.unwrap_or_default(),
        body: input.body.unwrap_or_default(),
        menus: menus
            .iter()
            .map(|m| {
                (
                    m.key.clone(),
                    menu_name(locale, m),
                    input.service_menus.contains(&m.key),
                )
            })
            .collect(),
        issue_statuses: issue_statuses(w),
        issue_status: input.issue_status.unwrap_or_default(),
        languages: languages(w),
        // A new article is in the writer's language until they pick another.
        language: input.language.unwrap_or_else(|| locale.code().to_owned()),
        published: input.published,
        errors,
    };
    (status, render(locale, page)).into_response()
}

fn input_of(a: Article) -> ArticleInput {
    ArticleInput {
        kind: Some(a.kind.code().to_owned()),
        title: Some(a.title),
        body: Some(a.body),
        service_menus: a.service_menus,
        issue_status: a.issue_status.map(|st| st.code().to_owned()),
        language: Some(a.language.code().to_owned()),
        published: a.published,
    }
}

pub async fn new_form(State(state): State<AppState>, Browser(session): Browser) -> Response {
    if !may_write(&session) {
        return fail(
            session.user.locale,
            ServiceError::Forbidden("agents write articles".into()),
        );
    }
    form_page(
        &state,
        &session,
        None,
        ArticleInput::default(),
        BTreeMap::new(),
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    if !may_write(&session) {
        return fail(
            session.user.locale,
            ServiceError::Forbidden("agents write articles".into()),
        );
    }
    match knowledge::get(&state.store, &session.user, &id).await {
        Ok(a) => form_page(&state, &session, Some(&id), input_of(a), BTreeMap::new()).await,
        Err(e) => fail(session.user.locale, e),
    }
}

/// The article form as posted: `service_menus` may repeat, so it is read by hand.
fn read_form(pairs: Vec<(String, String)>) -> (String, ArticleInput) {
    let mut csrf = String::new();
    let mut input = ArticleInput::default();
    for (name, value) in pairs {
        match name.as_str() {
            "csrf" => csrf = value,
            "kind" => input.kind = Some(value),
            "title" => input.title = Some(value),
            "body" => input.body = Some(value),
            "service_menus" => input.service_menus.push(value),
            "published" => input.published = value == "true",
            "issue_status" => input.issue_status = Some(value),
            "language" => input.language = Some(value),
            _ => {}
        }
    }
    (csrf, input)
}

async fn save(
    state: AppState,
    session: Session,
    id: Option<String>,
    pairs: Vec<(String, String)>,
) -> Response {
    let locale = session.user.locale;
    let (csrf, input) = read_form(pairs);
    if !check_csrf(&session, &csrf) {
        return PageError {
            status: StatusCode::FORBIDDEN,
            locale,
            message_key: "error.csrf",
        }
        .into_response();
    }
    let result = match &id {
        Some(id) => knowledge::update(&state.store, &session.user, id, &input).await,
        None => knowledge::create(&state.store, &session.user, &input).await,
    };
    match result {
        Ok(article) => Redirect::to(&format!("/kb/articles/{}", article.id)).into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .iter()
                .map(|e| {
                    (
                        e.field.split('[').next().unwrap_or(&e.field).to_owned(),
                        i18n::problem(locale, &e.problem),
                    )
                })
                .collect();
            form_page(&state, &session, id.as_deref(), input, errors).await
        }
        Err(e) => fail(locale, e),
    }
}

pub async fn create(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    save(state, session, None, pairs).await
}

pub async fn update(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    save(state, session, Some(id), pairs).await
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
        return PageError {
            status: StatusCode::FORBIDDEN,
            locale,
            message_key: "error.csrf",
        }
        .into_response();
    }
    match knowledge::delete(&state.store, &session.user, &id).await {
        Ok(()) => Redirect::to("/kb").into_response(),
        Err(e) => fail(locale, e),
    }
}

/// この記事で解決しました: the customer leaves without filing, and the article gets the credit.
pub async fn solved(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfOnly>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return PageError {
            status: StatusCode::FORBIDDEN,
            locale,
            message_key: "error.csrf",
        }
        .into_response();
    }
    match knowledge::record_deflection(&state.store, &session.user, &id).await {
        Ok(()) => Redirect::to(&format!("/kb/articles/{id}?solved=1")).into_response(),
        Err(e) => fail(locale, e),
    }
}
