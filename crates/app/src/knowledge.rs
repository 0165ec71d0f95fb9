//! The knowledge center (SPEC §7): every logged-in user reads published articles; agents and
//! admins write, publish and delete them.

use madoguchi_core::knowledge::{Article, ArticleDraft, ArticleKind, IssueStatus, check_article};
use madoguchi_core::model::User;
use madoguchi_core::{Invalid, Locale, Problem, Role};
use madoguchi_store::{ArticleFilter, Page, PageRequest, Store};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::search::Search;
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
    /// The language the article is written in: `ja` or `en`. When not given, a new article
    /// is in the writer's locale and an edited one keeps its language.
    pub language: Option<String>,
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
    /// Articles in this language only: `ja` or `en`. Without it, the caller's language
    /// comes first.
    pub language: Option<String>,
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
        let language = match given(&self.language) {
            Some(code) => {
                Some(Locale::parse(&code).map_err(|e| Invalid::one("language", Problem::from(e)))?)
            }
            None => None,
        };
        let q = given(&self.q);
        if let Some(words) = &q {
            madoguchi_core::values::check_search_words(words).map_err(|p| Invalid::one("q", p))?;
        }
        Ok(ArticleFilter {
            kind,
            service_menu: given(&self.service_menu),
            q,
            with_drafts: writes_articles(user),
            issue_status,
            language,
            language_first: Some(user.locale),
        })
    }
}

/// Articles newest first; with words, those the search index finds for them, best first,
/// with where they matched. Either way the filter's language first (the reader's).
pub async fn list(
    store: &Store,
    index: &Search,
    user: &User,
    filter: &ArticleFilter,
    page: &PageRequest,
) -> ServiceResult<Page<Found>> {
    if filter.q.as_deref().is_none_or(|q| q.trim().is_empty()) {
        return Ok(store.articles(filter, page).await?.map(|article| Found {
            title: vec![madoguchi_search::Fragment {
                text: article.title.clone(),
                hit: false,
            }],
            snippet: None,
            article,
        }));
    }
    let offset = match &page.after {
        None => 0,
        Some(c) => c
            .value()
            .strip_prefix("o:")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| {
                ServiceError::Malformed("the cursor is not one of this list's".into())
            })?,
    };
    let limit = page.limit as usize;
    let (total, items) = search(store, index, user, filter, offset, limit).await?;
    let next = offset + limit;
    Ok(Page {
        items,
        next_cursor: (next < total).then(|| madoguchi_store::Cursor::of(&format!("o:{next}"))),
    })
}

/// One article; a draft is as missing for those who may not write.
pub async fn get(store: &Store, user: &User, id: &str) -> ServiceResult<Article> {
    Ok(store.article(id, writes_articles(user)).await?)
}

/// `language`: what the article is written in when the input does not say.
async fn checked(
    store: &Store,
    user: &User,
    input: &ArticleInput,
    language: Locale,
) -> ServiceResult<madoguchi_core::knowledge::NewArticle> {
    if !writes_articles(user) {
        return Err(ServiceError::Forbidden(
            "only agents and admins write knowledge articles".into(),
        ));
    }
    let menus = store.service_menus().await?;
    let draft = ArticleDraft {
        kind: input.kind.as_deref(),
        title: input.title.as_deref(),
        body: input.body.as_deref(),
        service_menus: &input.service_menus,
        issue_status: input.issue_status.as_deref(),
        language: input.language.as_deref(),
        published: input.published,
    };
    Ok(check_article(draft, language, &menus)?)
}

/// A new article; in the writer's language unless the input says otherwise.
pub async fn create(store: &Store, user: &User, input: &ArticleInput) -> ServiceResult<Article> {
    let new = checked(store, user, input, user.locale).await?;
    Ok(store.create_article(&user.id, &new).await?)
}

pub async fn update(
    store: &Store,
    user: &User,
    id: &str,
    input: &ArticleInput,
) -> ServiceResult<Article> {
    // An edit keeps the article's language unless it says otherwise: a Japanese agent fixing
    // a typo in an English article does not make it Japanese. A missing article (or one the
    // caller may not write) still answers after the input is checked, as before.
    let language = match store.article(id, writes_articles(user)).await {
        Ok(article) => article.language,
        Err(madoguchi_store::StoreError::NotFound) => user.locale,
        Err(e) => return Err(e.into()),
    };
    let new = checked(store, user, input, language).await?;
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

/// The most characters of a draft weighed for suggestions: the start of a description says
/// what it is about.
pub const SUGGEST_TEXT_MAX: usize = 1000;

/// An article found, with where the words matched.
#[derive(Debug, Clone)]
pub struct Found {
    pub article: Article,
    /// The title, the matched words marked.
    pub title: Vec<madoguchi_search::Fragment>,
    /// Where the body matched, if it did.
    pub snippet: Option<Vec<madoguchi_search::Fragment>>,
}

/// Articles for the index's hits, in the hits' order (one deleted meanwhile is left out).
async fn found(
    store: &Store,
    with_drafts: bool,
    hits: Vec<madoguchi_search::ArticleHit>,
) -> ServiceResult<Vec<Found>> {
    let mut out = Vec::with_capacity(hits.len());
    for hit in hits {
        match store.article(&hit.id, with_drafts).await {
            Ok(article) => out.push(Found {
                article,
                title: hit.title,
                snippet: hit.snippet,
            }),
            Err(madoguchi_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// The published articles most related to a draft ticket (SPEC §4): every article weighed,
/// Japanese-aware, synonyms applied; the chosen service menu and open known issues first
/// among equals; those in the reader's language (`locale`) before the others.
pub async fn suggest(
    store: &Store,
    search: &Search,
    text: &str,
    service_menu: Option<&str>,
    locale: Option<&str>,
) -> ServiceResult<Vec<Found>> {
    let text: String = text.chars().take(SUGGEST_TEXT_MAX).collect();
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    search.catch_up(store).await?;
    let synonyms = search.synonyms();
    let query = madoguchi_search::Suggest {
        text,
        service_menu: service_menu.filter(|m| !m.is_empty()).map(str::to_owned),
        locale: locale.map(str::to_owned),
        limit: SUGGESTIONS,
    };
    let hits = search
        .with_indexes(move |ix| ix.articles.suggest(&synonyms, &query))
        .await?;
    found(store, false, hits).await
}

/// The knowledge center's search box: every word must match (synonyms count), filtered by
/// kind, menu and status; drafts for those who write. Answers the page and the total.
pub async fn search(
    store: &Store,
    search: &Search,
    user: &User,
    filter: &ArticleFilter,
    offset: usize,
    limit: usize,
) -> ServiceResult<(usize, Vec<Found>)> {
    let text = filter.q.clone().unwrap_or_default();
    search.catch_up(store).await?;
    let synonyms = search.synonyms();
    let with_drafts = writes_articles(user);
    let query = madoguchi_search::ArticleSearch {
        text,
        kind: filter.kind.map(|k| k.code().to_owned()),
        service_menu: filter.service_menu.clone(),
        issue_status: filter.issue_status.map(|s| s.code().to_owned()),
        language: filter.language.map(|l| l.code().to_owned()),
        language_first: filter.language_first.map(|l| l.code().to_owned()),
        with_drafts,
        offset,
        limit,
    };
    let (total, hits) = search
        .with_indexes(move |ix| ix.articles.search(&synonyms, &query))
        .await?;
    Ok((total, found(store, with_drafts, hits).await?))
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
