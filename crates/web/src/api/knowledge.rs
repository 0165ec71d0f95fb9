//! The knowledge center in the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use madoguchi_core::knowledge::Article;
use madoguchi_store::Cursor;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::ApiQuery;
use crate::api::views::{SnippetView, rfc3339};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::state::AppState;
use madoguchi_app::knowledge::{self, ArticleInput, ArticleQuery};

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: String,
    /// `faq`, `known_issue` or `error_message`.
    pub kind: String,
    pub title: String,
    /// Markdown as written.
    pub body: String,
    /// The body rendered to safe HTML.
    pub body_html: String,
    pub service_menus: Vec<String>,
    /// Known issues: `investigating`, `in_progress` or `resolved`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_status: Option<String>,
    /// The language it is written in: `ja` or `en`.
    pub language: String,
    pub published: bool,
    pub created_at: String,
    pub updated_at: String,
    /// For agents, on one article: how many customers found their answer in it instead of
    /// filing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deflections: Option<i64>,
    /// A list searched with `q`: the title and where the body matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippets: Option<Vec<SnippetView>>,
}

impl From<Article> for ArticleView {
    fn from(a: Article) -> Self {
        ArticleView {
            body_html: knowledge::render_markdown(&a.body),
            id: a.id,
            kind: a.kind.code().to_owned(),
            title: a.title,
            body: a.body,
            service_menus: a.service_menus,
            issue_status: a.issue_status.map(|st| st.code().to_owned()),
            language: a.language.code().to_owned(),
            published: a.published,
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
            deflections: None,
            snippets: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    pub items: Vec<ArticleView>,
    pub next_cursor: Option<String>,
}

/// Knowledge articles, newest first (with `q`, best first): published ones, and drafts for
/// agents. Articles in the caller's language come first unless `language` picks one.
#[utoipa::path(get, path = "/api/v1/kb/articles", tag = "knowledge", params(ArticleQuery),
    responses((status = 200, body = ArticleList), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    query: ApiQuery<ArticleQuery>,
) -> Result<Json<ArticleList>, ApiError> {
    let filter = query.filter(&user)?;
    let page = crate::api::tickets::page(query.limit, query.cursor.as_deref())?;
    let found = knowledge::list(&state.store, &state.search, &user, &filter, &page).await?;
    Ok(Json(ArticleList {
        next_cursor: found.next_cursor.as_ref().map(Cursor::as_str),
        items: found
            .items
            .into_iter()
            .map(|f| {
                let searched = filter.q.is_some();
                let mut snippets = Vec::new();
                if searched {
                    snippets.push(SnippetView::new("title", &f.title));
                    if let Some(body) = &f.snippet {
                        snippets.push(SnippetView::new("body", body));
                    }
                }
                let mut view = ArticleView::from(f.article);
                view.snippets = searched.then_some(snippets);
                view
            })
            .collect(),
    }))
}

/// Writes an article (agents and admins).
#[utoipa::path(post, path = "/api/v1/kb/articles", tag = "knowledge", request_body = ArticleInput,
    responses((status = 201, body = ArticleView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<(StatusCode, Json<ArticleView>), ApiError> {
    let article = knowledge::create(&state.store, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(article.into())))
}

#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 200, body = ArticleView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ArticleView>, ApiError> {
    let mut view = ArticleView::from(knowledge::get(&state.store, &user, &id).await?);
    view.deflections = knowledge::deflections(&state.store, &user, &id).await?;
    Ok(Json(view))
}

/// The customer found the answer in this suggested article and will not file.
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/deflections", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn deflect(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    knowledge::record_deflection(&state.store, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces an article (agents and admins).
#[utoipa::path(put, path = "/api/v1/kb/articles/{id}", tag = "knowledge", params(("id" = String, Path)),
    request_body = ArticleInput,
    responses((status = 200, body = ArticleView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(
        knowledge::update(&state.store, &user, &id, &input)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/kb/articles/{id}", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    knowledge::delete(&state.store, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/kb/suggest` (query) or `POST` (JSON body, which keeps long drafts out of URLs
/// and logs).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// What the customer typed so far (summary and details); the first 1 000 characters count.
    pub q: Option<String>,
    /// The service menu picked, if any.
    pub service_menu: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestion {
    pub id: String,
    /// `faq`, `known_issue` or `error_message`.
    pub kind: String,
    pub title: String,
    /// The language it is written in: `ja` or `en`.
    pub language: String,
    /// The article's page.
    pub url: String,
    /// The title with the draft's words marked.
    pub title_highlighted: SnippetView,
    /// Where the article's body matches the draft.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<SnippetView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestions {
    pub items: Vec<Suggestion>,
}

/// The knowledge articles most related to a draft ticket (at most 5): those in the caller's
/// language first, each language best first.
#[utoipa::path(get, path = "/api/v1/kb/suggest", tag = "knowledge", params(SuggestQuery),
    responses((status = 200, body = Suggestions), (status = 401, body = Problem)))]
pub async fn suggest(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    query: ApiQuery<SuggestQuery>,
) -> Result<Json<Suggestions>, ApiError> {
    suggestions(&state, &user, &query).await
}

/// The same as `GET`, with the draft in the body.
#[utoipa::path(post, path = "/api/v1/kb/suggest", tag = "knowledge", request_body = SuggestQuery,
    responses((status = 200, body = Suggestions), (status = 401, body = Problem)))]
pub async fn suggest_posted(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    ApiJson(query): ApiJson<SuggestQuery>,
) -> Result<Json<Suggestions>, ApiError> {
    suggestions(&state, &user, &query).await
}

async fn suggestions(
    state: &AppState,
    user: &madoguchi_core::model::User,
    query: &SuggestQuery,
) -> Result<Json<Suggestions>, ApiError> {
    let text = query.q.as_deref().unwrap_or_default();
    let found = knowledge::suggest(
        &state.store,
        &state.search,
        text,
        query.service_menu.as_deref(),
        Some(user.locale.code()),
    )
    .await?;
    Ok(Json(Suggestions {
        items: found
            .into_iter()
            .map(|f| Suggestion {
                url: format!("/kb/articles/{}?from=suggestion", f.article.id),
                id: f.article.id,
                kind: f.article.kind.code().to_owned(),
                language: f.article.language.code().to_owned(),
                title: f.article.title,
                title_highlighted: SnippetView::new("title", &f.title),
                snippet: f.snippet.map(|s| SnippetView::new("body", &s)),
            })
            .collect(),
    }))
}
