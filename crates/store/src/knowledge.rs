//! Knowledge articles. Customers read published ones; agents write them.

use madoguchi_core::Locale;
use madoguchi_core::event::EventKind;
use madoguchi_core::knowledge::{Article, ArticleKind, IssueStatus, NewArticle};
use serde_json::json;
use sqlx::FromRow;

use crate::db::{code, like_pattern, new_id, now, search_text, time};
use crate::events::append;
use crate::{Page, PageRequest, Result, Store, StoreError};

/// Which articles a list shows.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub kind: Option<ArticleKind>,
    pub service_menu: Option<String>,
    /// Words in the title or body (any case; Japanese as a substring).
    pub q: Option<String>,
    /// Drafts too (for agents).
    pub with_drafts: bool,
    /// Known issues in this state only.
    pub issue_status: Option<IssueStatus>,
    /// Articles in this language only.
    pub language: Option<Locale>,
    /// Articles in this language before the others (the reader's); each part newest first.
    pub language_first: Option<Locale>,
}

#[derive(FromRow)]
struct ArticleRow {
    id: String,
    kind: String,
    title: String,
    body: String,
    service_menus: String,
    state: String,
    author_id: Option<String>,
    created_at: i64,
    updated_at: i64,
    issue_status: Option<String>,
    language: String,
}

impl TryFrom<ArticleRow> for Article {
    type Error = StoreError;
    fn try_from(r: ArticleRow) -> Result<Self> {
        Ok(Article {
            kind: ArticleKind::parse(&r.kind).map_err(|_| StoreError::corrupt(&r.kind))?,
            service_menus: serde_json::from_str(&r.service_menus).map_err(StoreError::corrupt)?,
            published: r.state == "published",
            issue_status: match r.issue_status.as_deref() {
                Some(code) => {
                    Some(IssueStatus::parse(code).map_err(|_| StoreError::corrupt(code))?)
                }
                None => None,
            },
            language: code(Locale::parse(&r.language))?,
            id: r.id,
            title: r.title,
            body: r.body,
            author_id: r.author_id,
            created_at: time(r.created_at)?,
            updated_at: time(r.updated_at)?,
        })
    }
}

macro_rules! columns {
    () => {
        "id, kind, title, body, service_menus, state, author_id, created_at, updated_at, issue_status, language"
    };
}

fn state(published: bool) -> &'static str {
    if published { "published" } else { "draft" }
}

impl Store {
    pub async fn create_article(&self, actor: &str, new: &NewArticle) -> Result<Article> {
        let id = new_id();
        let at = now();
        let mut tx = self.begin().await?;
        let row: ArticleRow = sqlx::query_as(concat!(
            "INSERT INTO kb_articles (",
            columns!(),
            ", search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $10, $11, $9) RETURNING ",
            columns!()
        ))
        .bind(&id)
        .bind(new.kind.code())
        .bind(&new.title)
        .bind(&new.body)
        .bind(serde_json::to_string(&new.service_menus).map_err(StoreError::corrupt)?)
        .bind(state(new.published))
        .bind(actor)
        .bind(at)
        .bind(search_text(&[&new.title, &new.body]))
        .bind(new.issue_status.map(IssueStatus::code))
        .bind(new.language.code())
        .fetch_one(&mut *tx)
        .await?;
        let data = json!({ "kind": new.kind, "title": new.title, "language": new.language, "published": new.published });
        append(
            &mut tx,
            EventKind::ArticleCreated,
            Some(actor),
            &id,
            None,
            data,
        )
        .await?;
        tx.commit().await?;
        row.try_into()
    }

    pub async fn update_article(&self, actor: &str, id: &str, new: &NewArticle) -> Result<Article> {
        let mut tx = self.begin().await?;
        let row: ArticleRow = sqlx::query_as(concat!(
            "UPDATE kb_articles SET kind = $1, title = $2, body = $3, service_menus = $4, state = $5, updated_at = $6,
             search_text = $8, issue_status = $9, language = $10 WHERE id = $7 RETURNING ",
            columns!()
        ))
        .bind(new.kind.code())
        .bind(&new.title)
        .bind(&new.body)
        .bind(serde_json::to_string(&new.service_menus).map_err(StoreError::corrupt)?)
        .bind(state(new.published))
        .bind(now())
        .bind(id)
        .bind(search_text(&[&new.title, &new.body]))
        .bind(new.issue_status.map(IssueStatus::code))
        .bind(new.language.code())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let data = json!({ "kind": new.kind, "title": new.title, "language": new.language, "published": new.published });
        append(
            &mut tx,
            EventKind::ArticleUpdated,
            Some(actor),
            id,
            None,
            data,
        )
        .await?;
        tx.commit().await?;
        row.try_into()
    }

    pub async fn delete_article(&self, actor: &str, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let deleted = sqlx::query("DELETE FROM kb_articles WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        append(
            &mut tx,
            EventKind::ArticleDeleted,
            Some(actor),
            id,
            None,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that an article suggested while filing answered the customer, who did not file
    /// (a deflection). `NotFound` for drafts and missing articles.
    pub async fn record_deflection(
        &self,
        actor: &str,
        organization_id: Option<&str>,
        id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let published: Option<String> =
            sqlx::query_scalar("SELECT id FROM kb_articles WHERE id = $1 AND state = 'published'")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        published.ok_or(StoreError::NotFound)?;
        append(
            &mut tx,
            EventKind::ArticleDeflected,
            Some(actor),
            id,
            organization_id,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many customers an article answered instead of a filing, each counted once.
    pub async fn deflections(&self, id: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(DISTINCT actor_id) FROM events WHERE subject_id = $1 AND kind = 'article.deflected'",
        )
        .bind(id)
        .fetch_one(&self.read)
        .await?)
    }

    /// One article; a draft only `with_drafts`.
    pub async fn article(&self, id: &str, with_drafts: bool) -> Result<Article> {
        sqlx::query_as::<_, ArticleRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM kb_articles WHERE id = $1 AND ($2 = 1 OR state = 'published')"
        ))
        .bind(id)
        .bind(i64::from(with_drafts))
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
    }

    /// Articles, newest first; with `language_first`, those in that language before the
    /// others, each part newest first.
    pub async fn articles(
        &self,
        filter: &ArticleFilter,
        page: &PageRequest,
    ) -> Result<Page<Article>> {
        // The cursor is the last row's part (0: the language first, 1: the others) and id;
        // "~" sorts after every id, so a first page starts at the top of part 0.
        let (part, before) = page
            .after
            .as_ref()
            .map(|c| split_cursor(c.key()))
            .unwrap_or((0, "~".to_owned()));
        let menu = filter
            .service_menu
            .as_deref()
            .map(|m| format!("%\"{}\"%", m.replace('"', "")));
        let pattern = filter
            .q
            .as_deref()
            .filter(|q| !q.trim().is_empty())
            .map(like_pattern);
        // Without a language first every article is in part 1: plain newest first.
        let rows: Vec<ArticleRow> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM kb_articles WHERE ($1 = 1 OR state = 'published') AND ($2 IS NULL OR kind = $2)
               AND ($3 IS NULL OR service_menus LIKE $3)
               AND ($4 IS NULL OR search_text LIKE $4 ESCAPE '\\')
               AND ($7 IS NULL OR issue_status = $7)
               AND ($8 IS NULL OR language = $8)
               AND (CASE WHEN language = $9 THEN 0 ELSE 1 END > $10
                    OR (CASE WHEN language = $9 THEN 0 ELSE 1 END = $10 AND id < $5))
               ORDER BY CASE WHEN language = $9 THEN 0 ELSE 1 END, id DESC LIMIT $6"
        ))
        .bind(i64::from(filter.with_drafts))
        .bind(filter.kind.map(ArticleKind::code))
        .bind(menu.as_deref())
        .bind(pattern.as_deref())
        .bind(before)
        .bind(page.fetch())
        .bind(filter.issue_status.map(IssueStatus::code))
        .bind(filter.language.map(Locale::code))
        .bind(filter.language_first.map(Locale::code))
        .bind(part)
        .fetch_all(&self.read)
        .await?;
        let articles = rows
            .into_iter()
            .map(Article::try_from)
            .collect::<Result<Vec<_>>>()?;
        let first = filter.language_first;
        let keys: Vec<String> = articles
            .iter()
            .map(|a| format!("{}:{}", i64::from(Some(a.language) != first), a.id))
            .collect();
        let page = page.finish(articles.into_iter().zip(keys).collect(), |(_, key)| key);
        Ok(page.map(|(article, _)| article))
    }
}

/// A list cursor's part and id; a cursor of before the parts (a bare id) is in part 0.
fn split_cursor(key: &str) -> (i64, String) {
    match key.split_once(':') {
        Some(("0", id)) => (0, id.to_owned()),
        Some(("1", id)) => (1, id.to_owned()),
        _ => (0, key.to_owned()),
    }
}
