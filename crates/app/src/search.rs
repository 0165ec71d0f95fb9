//! Search as the surfaces use it: the indexes under `data/index/`, kept current from the
//! store's event log, and the visibility of the caller put inside every ticket query.
//!
//! The store is the truth: the indexes can be deleted at any time and are rebuilt from it
//! (`madoguchi reindex`, or at start when they are missing). At start they catch up with
//! the events written since their last commit; while serving, a follower applies new events
//! every few hundred milliseconds, and every search catches up first, so a ticket filed,
//! replied to or an article published is found by the very next search. Renaming a user or
//! an organization reindexes the tickets their names find (agents search by requester and
//! organization).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use madoguchi_core::Role;
use madoguchi_core::knowledge::Article;
use madoguchi_core::model::User;
use madoguchi_search::{ArticleDoc, Indexes, Synonyms, TicketDoc, Visibility};
use madoguchi_store::{
    ArticleFilter, Dialect, EventFilter, PageRequest, Store, StoreError, TicketSource,
};

use crate::{ServiceError, ServiceResult};

/// Where the indexes and the dictionary live.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    /// `data/index/`; `None` keeps the indexes in memory (tests that need no files).
    pub index_dir: Option<PathBuf>,
    /// Where the IPADIC dictionary is built once and kept.
    pub dictionary_dir: PathBuf,
    /// The IPADIC sources (Debian's `mecab-ipadic`).
    pub ipadic_sources: PathBuf,
}

impl SearchConfig {
    /// The defaults for a data directory: `DATA/index/`, the dictionary in
    /// `DATA/index/ipadic/`.
    pub fn in_data_dir(data_dir: &Path) -> SearchConfig {
        SearchConfig {
            index_dir: Some(data_dir.join("index")),
            dictionary_dir: data_dir.join("index").join("ipadic"),
            ipadic_sources: PathBuf::from(madoguchi_search::dictionary::DEBIAN_IPADIC),
        }
    }
}

/// How far back a follower re-reads the log: PostgreSQL may commit a lower event id after a
/// higher one was read; SQLite's single writer commits them in order.
const POSTGRES_LOOKBACK: i64 = 64;

/// Events read per round while catching up.
const EVENTS_PER_ROUND: i64 = 2000;

/// Tickets read per batch while rebuilding.
const REBUILD_BATCH: i64 = 1000;

#[derive(Debug, Default)]
struct Follow {
    /// The highest event id applied.
    last: i64,
    /// Ids applied above `last - lookback`: not applied twice.
    seen: BTreeSet<i64>,
}

/// The search indexes of one instance.
pub struct Search {
    indexes: Arc<Indexes>,
    dir: Option<PathBuf>,
    follow: tokio::sync::Mutex<Follow>,
    lookback: i64,
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search").field("dir", &self.dir).finish()
    }
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("search: {e}"))
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy)]
pub struct Rebuilt {
    pub tickets: usize,
    pub articles: usize,
}

fn ticket_doc(t: TicketSource) -> TicketDoc {
    let number = u64::try_from(t.number).unwrap_or_default();
    TicketDoc {
        key: madoguchi_core::values::TicketKey::from_number(number).to_string(),
        id: t.id,
        number,
        organization_id: t.organization_id,
        contract_id: t.contract_id,
        desk: t.desk,
        status: t.status,
        ticket_type: t.ticket_type,
        service_menu: t.service_menu,
        created_at: t.created_at,
        updated_at: t.updated_at,
        summary: t.summary,
        details: t.details,
        replies: t.replies,
        notes: t.notes,
        people: t.people,
    }
}

fn article_doc(a: &Article) -> ArticleDoc {
    ArticleDoc {
        id: a.id.clone(),
        kind: a.kind.code().to_owned(),
        title: a.title.clone(),
        body: a.body.clone(),
        service_menus: a.service_menus.clone(),
        issue_status: a.issue_status.map(|s| s.code().to_owned()),
        language: a.language.code().to_owned(),
        published: a.published,
    }
}

impl Search {
    /// Opens the indexes (building the dictionary on first start), seeds the synonyms of a
    /// new database, and brings the indexes up to date: rebuilt when missing, caught up
    /// from the event log otherwise.
    pub async fn open(store: &Store, config: &SearchConfig) -> ServiceResult<Arc<Search>> {
        let sources = config.ipadic_sources.clone();
        let dictionary_dir = config.dictionary_dir.clone();
        let index_dir = config.index_dir.clone();
        let indexes = tokio::task::spawn_blocking(move || {
            let analyzer = match madoguchi_search::dictionary::ipadic(&sources, &dictionary_dir) {
                Ok(dictionary) => madoguchi_search::Analyzer::with_dictionary((*dictionary).clone()),
                Err(e) => {
                    tracing::warn!(error = %e, "no morphological dictionary: searching with bigrams only");
                    madoguchi_search::Analyzer::bigrams_only()
                }
            };
            Indexes::open(index_dir.as_deref(), analyzer)
        })
        .await
        .map_err(internal)?
        .map_err(internal)?;
        store
            .seed_synonym_groups(&madoguchi_search::synonyms::seed_groups())
            .await?;
        let search = Arc::new(Search {
            indexes: Arc::new(indexes),
            dir: config.index_dir.clone(),
            follow: Default::default(),
            lookback: match store.dialect() {
                Dialect::Sqlite => 0,
                Dialect::Postgres => POSTGRES_LOOKBACK,
            },
        });
        search.reload_synonyms(store).await?;
        let cursor = search.saved_cursor();
        let newest = store.last_event_id().await?;
        match cursor {
            // An index ahead of the log was built from another database: rebuild it.
            Some(last) if !search.indexes.fresh && last <= newest => {
                search.follow.lock().await.last = last
            }
            _ => {
                search.rebuild(store).await?;
            }
        }
        search.catch_up(store).await?;
        Ok(search)
    }

    pub fn indexes(&self) -> &Indexes {
        &self.indexes
    }

    pub fn has_morphology(&self) -> bool {
        self.indexes.analyzer.has_morphology()
    }

    fn cursor_file(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("cursor"))
    }

    fn saved_cursor(&self) -> Option<i64> {
        let text = std::fs::read_to_string(self.cursor_file()?).ok()?;
        text.trim().parse().ok()
    }

    /// Remembers the last event applied, after the commit that applied it: a crash between
    /// the two applies some events twice, which changes nothing.
    fn save_cursor(&self, last: i64) -> ServiceResult<()> {
        if let Some(file) = self.cursor_file() {
            let staging = file.with_extension("new");
            std::fs::write(&staging, last.to_string()).map_err(internal)?;
            std::fs::rename(&staging, &file).map_err(internal)?;
        }
        Ok(())
    }

    async fn reload_synonyms(&self, store: &Store) -> ServiceResult<()> {
        let groups = store.synonym_groups().await?;
        self.indexes
            .set_synonyms(Synonyms::new(groups.into_iter().map(|g| g.phrases)));
        Ok(())
    }

    pub fn synonyms(&self) -> Arc<Synonyms> {
        self.indexes.synonyms()
    }

    /// Rebuilds both indexes from the store.
    pub async fn rebuild(&self, store: &Store) -> ServiceResult<Rebuilt> {
        let mut follow = self.follow.lock().await;
        // Events from here on are applied after the rebuild, again if need be.
        let start = store.last_event_id().await?;
        let indexes = self.indexes.clone();
        indexes.tickets.clear().map_err(internal)?;
        indexes.articles.clear().map_err(internal)?;
        let mut tickets = 0;
        let mut after: Option<(String, i64)> = None;
        loop {
            let batch = store
                .ticket_sources_by_organization(
                    after.as_ref().map(|(o, n)| (o.as_str(), *n)),
                    REBUILD_BATCH,
                )
                .await?;
            let Some(last) = batch.last() else { break };
            after = Some((last.organization_id.clone(), last.number));
            tickets += batch.len();
            let indexes = indexes.clone();
            tokio::task::spawn_blocking(move || {
                batch
                    .into_iter()
                    .try_for_each(|t| indexes.tickets.put(&ticket_doc(t)))
            })
            .await
            .map_err(internal)?
            .map_err(internal)?;
        }
        let mut articles = 0;
        let filter = ArticleFilter {
            with_drafts: true,
            ..Default::default()
        };
        let mut cursor = None;
        loop {
            let page = PageRequest::new(Some(200), cursor).expect("200 is a valid page size");
            let found = store.articles(&filter, &page).await?;
            for a in &found.items {
                indexes.articles.put(&article_doc(a)).map_err(internal)?;
            }
            articles += found.items.len();
            match found.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        tokio::task::spawn_blocking(move || indexes.commit())
            .await
            .map_err(internal)?
            .map_err(internal)?;
        follow.last = start;
        follow.seen.clear();
        self.save_cursor(start)?;
        Ok(Rebuilt { tickets, articles })
    }

    /// Applies the events written since the last call; answers how many.
    pub async fn catch_up(&self, store: &Store) -> ServiceResult<usize> {
        let mut follow = self.follow.lock().await;
        let mut applied = 0;
        loop {
            let from = (follow.last - self.lookback).max(0);
            let events = store
                .events(EventFilter {
                    after_id: Some(from),
                    limit: EVENTS_PER_ROUND,
                    ..Default::default()
                })
                .await?;
            let fresh: Vec<_> = events
                .iter()
                .filter(|e| e.id > follow.last || (e.id > from && !follow.seen.contains(&e.id)))
                .collect();
            if fresh.is_empty() {
                break;
            }
            let mut tickets: HashSet<String> = HashSet::new();
            let mut articles: HashSet<String> = HashSet::new();
            let mut synonyms = false;
            // Renamed people: agents find tickets by requester and organization names.
            let mut renamed_users: HashSet<(String, Option<String>)> = HashSet::new();
            let mut renamed_organizations: HashSet<String> = HashSet::new();
            for e in &fresh {
                let kind = e.kind.as_str();
                if kind.starts_with("ticket.")
                    || kind == "message.added"
                    || kind == "callback.attempted"
                {
                    // A merge writes one event for each of its two tickets.
                    tickets.insert(e.subject_id.clone());
                } else if kind.starts_with("article.") && kind != "article.deflected" {
                    articles.insert(e.subject_id.clone());
                } else if kind.starts_with("synonym_group.") {
                    synonyms = true;
                } else if kind == "user.updated" && renames_user(&e.data) {
                    renamed_users.insert((e.subject_id.clone(), e.organization_id.clone()));
                } else if kind == "organization.updated" {
                    renamed_organizations.insert(e.subject_id.clone());
                }
            }
            for (user, organization) in &renamed_users {
                tickets.extend(
                    store
                        .ticket_ids_filed_by(user, organization.as_deref())
                        .await?,
                );
            }
            for organization in &renamed_organizations {
                tickets.extend(store.ticket_ids_of_organization(organization).await?);
            }
            let ids: Vec<String> = tickets.into_iter().collect();
            // An organization's tickets may be many: read in batches.
            let mut sources = Vec::new();
            for batch in ids.chunks(REBUILD_BATCH as usize) {
                sources.extend(store.ticket_sources(batch).await?);
            }
            let mut docs_articles = Vec::new();
            let mut gone_articles = Vec::new();
            for id in articles {
                match store.article(&id, true).await {
                    Ok(a) => docs_articles.push(article_doc(&a)),
                    Err(StoreError::NotFound) => gone_articles.push(id),
                    Err(e) => return Err(e.into()),
                }
            }
            if synonyms {
                self.reload_synonyms(store).await?;
            }
            let indexes = self.indexes.clone();
            tokio::task::spawn_blocking(move || -> madoguchi_search::Result<()> {
                let found: HashSet<String> = sources.iter().map(|t| t.id.clone()).collect();
                for id in ids.iter().filter(|id| !found.contains(*id)) {
                    indexes.tickets.remove(id);
                }
                for t in sources {
                    indexes.tickets.put(&ticket_doc(t))?;
                }
                for a in &docs_articles {
                    indexes.articles.put(a)?;
                }
                for id in &gone_articles {
                    indexes.articles.remove(id);
                }
                indexes.commit()
            })
            .await
            .map_err(internal)?
            .map_err(internal)?;
            applied += fresh.len();
            let top = fresh.iter().map(|e| e.id).max().unwrap_or(follow.last);
            let ids: Vec<i64> = fresh.iter().map(|e| e.id).collect();
            follow.seen.extend(ids);
            follow.last = follow.last.max(top);
            let floor = follow.last - self.lookback;
            follow.seen = follow.seen.split_off(&floor);
            self.save_cursor(follow.last)?;
            if (events.len() as i64) < EVENTS_PER_ROUND {
                break;
            }
        }
        Ok(applied)
    }

    /// What `user` may see, as the ticket index filters by it: read live from the store.
    pub async fn visibility(&self, store: &Store, user: &User) -> ServiceResult<Visibility> {
        Ok(match (user.role, user.organization_id.as_deref()) {
            (Role::Admin, _) => Visibility::All,
            (Role::Agent, _) => Visibility::Desks(
                store
                    .desks_of(&user.id)
                    .await?
                    .into_iter()
                    .map(|d| d.code().to_owned())
                    .collect(),
            ),
            (_, Some(org)) => Visibility::Customer {
                organization_id: org.to_owned(),
                contract_ids: store.permitted_contract_ids(&user.id).await?,
            },
            // A customer without an organization sees nothing.
            (_, None) => Visibility::Customer {
                organization_id: String::new(),
                contract_ids: Vec::new(),
            },
        })
    }

    /// Runs `f` on the indexes off the async threads (analysis and ranking are CPU work).
    pub async fn with_indexes<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Indexes) -> madoguchi_search::Result<T> + Send + 'static,
    ) -> ServiceResult<T> {
        let indexes = self.indexes.clone();
        tokio::task::spawn_blocking(move || f(&indexes))
            .await
            .map_err(internal)?
            .map_err(internal)
    }
}

/// Whether a `user.updated` event changed what finds the user's tickets (name or email),
/// rather than a password, a locale or notification preferences.
fn renames_user(data: &serde_json::Value) -> bool {
    ["name", "email"]
        .iter()
        .any(|field| data.get(field).is_some_and(|v| !v.is_null()))
}

/// Follows the event log while serving: new events are searchable within a second even
/// when nobody searches meanwhile.
pub async fn follow(search: Arc<Search>, store: Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(300));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = search.catch_up(&store).await {
            tracing::warn!(error = %e, "following the event log into the search index");
        }
    }
}
