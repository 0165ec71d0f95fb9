//! The knowledge center (SPEC §7): every logged-in user reads published articles; agents and
//! admins write, publish and delete them.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use madoguchi_core::knowledge::{Article, ArticleKind, IssueStatus, check_article};
use madoguchi_core::model::User;
use madoguchi_core::{Invalid, Problem, Role};
use madoguchi_store::{ArticleFilter, Page, PageRequest, Store};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{ServiceError, ServiceResult};

fn writes_articles(user: &User) -> bool {
    matches!(user.role, Role::Agent | Role::Admin)
}

/// `POST /api/v1/kb/articles`, `PUT …/{id}`.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct ArticleInput {
    /// `faq`, `known_issue` or `error_message`.
    pub kind: Option<String>,
    pub title: Option<String>,
    /// Markdown.
    pub body: Option<String>,
    /// Service menu keys the article is about.
    #[serde(default)]
    pub service_menus: Vec<String>,
    /// Known issues only: `investigating` (the default), `in_progress` or `resolved`.
    pub issue_status: Option<String>,
    /// Published articles are shown to customers; drafts only to agents.
    #[serde(default)]
    pub published: bool,
}

/// `GET /api/v1/kb/articles` filters.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// `faq`, `known_issue` or `error_message`.
    pub kind: Option<String>,
    pub service_menu: Option<String>,
    /// Words in the title or body.
    pub q: Option<String>,
    /// Known issues in this state: `investigating`, `in_progress`, `resolved`.
    pub issue_status: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl ArticleQuery {
    pub fn filter(&self, user: &User) -> Result<ArticleFilter, Invalid> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let kind = match given(&self.kind) {
            Some(k) => Some(ArticleKind::parse(&k).map_err(|p| Invalid::one("kind", p))?),
            None => None,
        };
        let issue_status = match given(&self.issue_status) {
            Some(code) => {
                Some(IssueStatus::parse(&code).map_err(|p| Invalid::one("issue_status", p))?)
            }
            None => None,
        };
        Ok(ArticleFilter {
            kind,
            service_menu: given(&self.service_menu),
            q: given(&self.q),
            with_drafts: writes_articles(user),
            issue_status,
        })
    }
}

pub async fn list(
    store: &Store,
    filter: &ArticleFilter,
    page: &PageRequest,
) -> ServiceResult<Page<Article>> {
    Ok(store.articles(filter, page).await?)
}

/// One article; a draft is as missing for those who may not write.
pub async fn get(store: &Store, user: &User, id: &str) -> ServiceResult<Article> {
    Ok(store.article(id, writes_articles(user)).await?)
}

async fn checked(
    store: &Store,
    user: &User,
    input: &ArticleInput,
) -> ServiceResult<madoguchi_core::knowledge::NewArticle> {
    if !writes_articles(user) {
        return Err(ServiceError::Forbidden(
            "only agents and admins write knowledge articles".into(),
        ));
    }
    let menus = store.service_menus().await?;
    Ok(check_article(
        input.kind.as_deref(),
        input.title.as_deref(),
        input.body.as_deref(),
        &input.service_menus,
        input.issue_status.as_deref(),
        input.published,
        &menus,
    )?)
}

pub async fn create(store: &Store, user: &User, input: &ArticleInput) -> ServiceResult<Article> {
    let new = checked(store, user, input).await?;
    Ok(store.create_article(&user.id, &new).await?)
}

pub async fn update(
    store: &Store,
    user: &User,
    id: &str,
    input: &ArticleInput,
) -> ServiceResult<Article> {
    let new = checked(store, user, input).await?;
    Ok(store.update_article(&user.id, id, &new).await?)
}

pub async fn delete(store: &Store, user: &User, id: &str) -> ServiceResult<()> {
    if !writes_articles(user) {
        store.article(id, false).await?;
        return Err(ServiceError::Forbidden(
            "only agents and admins delete knowledge articles".into(),
        ));
    }
    Ok(store.delete_article(&user.id, id).await?)
}

/// A customer found the answer in a suggested article and did not file (SPEC §4, beyond).
pub async fn record_deflection(store: &Store, user: &User, id: &str) -> ServiceResult<()> {
    if !user.role.is_customer() {
        // Only customers deflect; staff reading articles would skew the count.
        store.article(id, true).await?;
        return Ok(());
    }
    Ok(store
        .record_deflection(&user.id, user.organization_id.as_deref(), id)
        .await?)
}

/// How many filings an article spared, for those who write articles.
pub async fn deflections(store: &Store, user: &User, id: &str) -> ServiceResult<Option<i64>> {
    if !writes_articles(user) {
        return Ok(None);
    }
    Ok(Some(store.deflections(id).await?))
}

/// How many related articles the filing form shows.
const SUGGESTIONS: usize = 5;
/// The most articles weighed for a suggestion: the newest first.
const SUGGESTION_POOL: u32 = 200;

/// The most characters of a draft weighed for suggestions: the start of a description says
/// what it is about.
pub const SUGGEST_TEXT_MAX: usize = 1000;

/// Analysed articles by id, with the version they were analysed at: analysing a body costs
/// far more than ranking it, and articles change rarely.
type AnalysedCache = HashMap<String, (jiff::Timestamp, Arc<madoguchi_search::Analysed>)>;

static ANALYSED: LazyLock<Mutex<AnalysedCache>> = LazyLock::new(Default::default);

fn analysed(article: &Article) -> Arc<madoguchi_search::Analysed> {
    let mut cache = ANALYSED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((version, terms)) = cache.get(&article.id)
        && *version == article.updated_at
    {
        return terms.clone();
    }
    let terms = Arc::new(madoguchi_search::Analysed::new(
        &article.title,
        &article.body,
    ));
    cache.insert(article.id.clone(), (article.updated_at, terms.clone()));
    terms
}

/// The published articles most related to a draft ticket (SPEC §4): Japanese-aware ranking of
/// the summary and details against titles and bodies, articles of the chosen service menu
/// first among equals.
pub async fn suggest(
    store: &Store,
    text: &str,
    service_menu: Option<&str>,
) -> ServiceResult<Vec<Article>> {
    let text: String = text.chars().take(SUGGEST_TEXT_MAX).collect();
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let filter = ArticleFilter::default();
    let page = PageRequest::new(Some(SUGGESTION_POOL), None).expect("200 is a valid page size");
    let articles = store.articles(&filter, &page).await?.items;
    let menu = service_menu.filter(|m| !m.is_empty()).map(str::to_owned);
    // Analysis and ranking are CPU work: off the async threads.
    let ranked = tokio::task::spawn_blocking(move || {
        let terms: Vec<Arc<madoguchi_search::Analysed>> = articles.iter().map(analysed).collect();
        let refs: Vec<&madoguchi_search::Analysed> = terms.iter().map(Arc::as_ref).collect();
        let mut ranked = madoguchi_search::rank(&text, &refs, 0.3);
        if let Some(menu) = &menu {
            for (i, score) in &mut ranked {
                if articles[*i].service_menus.iter().any(|m| m == menu) {
                    *score *= 1.5;
                }
            }
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        }
        ranked
            .into_iter()
            .take(SUGGESTIONS)
            .map(|(i, _)| articles[i].clone())
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("ranking suggestions: {e}")))?;
    Ok(ranked)
}

/// Markdown as safe HTML: rendered, then stripped of anything that could run or leak.
pub fn render_markdown(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::clean(&html)
}

/// A kind's code as typed in a path; unknown kinds are missing pages.
pub fn parse_kind(code: &str) -> ServiceResult<ArticleKind> {
    ArticleKind::parse(code).map_err(|_: Problem| ServiceError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::render_markdown;

    #[test]
    fn markdown_is_rendered_without_scripts() {
        let html = render_markdown(
            "## 手順\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **太字**",
        );
        assert!(html.contains("<h2>手順</h2>") && html.contains("<strong>太字</strong>"));
        assert!(
            !html.contains("<script") && !html.contains("javascript:"),
            "{html}"
        );
    }
}
