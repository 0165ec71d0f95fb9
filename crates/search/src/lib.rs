//! Full-text search for Madoguchi: two tantivy indexes (knowledge articles; tickets with
//! their replies and notes) derived from the store, with Japanese-aware analysis.
//!
//! This crate is the engine only: it knows documents, analysis, synonyms and queries, and
//! nothing of the store, HTTP or who the caller is beyond the [`Visibility`] it is handed —
//! which every ticket query carries inside it, so that a hit the caller may not see is never
//! found at all rather than dropped afterwards.

pub mod analysis;
pub mod articles;
pub mod dictionary;
mod query;
pub mod synonyms;
pub mod tickets;

use std::path::Path;
use std::sync::{Arc, RwLock};

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

pub use analysis::Analyzer;
pub use articles::{ArticleDoc, ArticleHit, ArticleIndex, ArticleSearch, Suggest};
pub use query::{Fragment, QueryTerms, snippet};
pub use synonyms::Synonyms;
pub use tickets::{
    TicketDoc, TicketHit, TicketHits, TicketIndex, TicketSearch, TicketSort, Visibility,
};

/// What can go wrong with an index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("index directory: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// The tokenizer names the schemas use.
pub(crate) const MORPHEMES: &str = "madoguchi_ja";
pub(crate) const BIGRAMS: &str = "madoguchi_cjk";

/// A tokenizer over one of the two analyses.
#[derive(Clone)]
struct Analysis {
    analyzer: Analyzer,
    morphemes: bool,
}

struct Tokens {
    tokens: Vec<Token>,
    at: usize,
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        self.at += 1;
        self.at <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.at - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.at - 1]
    }
}

impl Tokenizer for Analysis {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let normalized = analysis::normalize(text);
        let terms = if self.morphemes {
            self.analyzer.morphemes(&normalized)
        } else {
            analysis::bigrams(&normalized)
        };
        let tokens = terms
            .into_iter()
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: t.from,
                offset_to: t.to,
                position,
                text: t.text,
                position_length: 1,
            })
            .collect();
        Tokens { tokens, at: 0 }
    }
}

pub(crate) fn register(index: &tantivy::Index, analyzer: &Analyzer) {
    index.tokenizers().register(
        MORPHEMES,
        TextAnalyzer::from(Analysis {
            analyzer: analyzer.clone(),
            morphemes: true,
        }),
    );
    index.tokenizers().register(
        BIGRAMS,
        TextAnalyzer::from(Analysis {
            analyzer: analyzer.clone(),
            morphemes: false,
        }),
    );
}

/// Opens the index in `dir` if its schema is `schema`, or makes a new empty one there (an
/// index of an older schema is derived data: it is dropped and rebuilt from the store).
/// Answers the index and whether it is new.
pub(crate) fn open_or_create(
    dir: Option<&Path>,
    schema: tantivy::schema::Schema,
) -> Result<(tantivy::Index, bool)> {
    let Some(dir) = dir else {
        return Ok((tantivy::Index::create_in_ram(schema), true));
    };
    std::fs::create_dir_all(dir)?;
    if let Ok(index) = tantivy::Index::open_in_dir(dir)
        && index.schema() == schema
    {
        return Ok((index, false));
    }
    std::fs::remove_dir_all(dir)?;
    std::fs::create_dir_all(dir)?;
    Ok((tantivy::Index::create_in_dir(dir, schema)?, true))
}

/// One index as both kinds keep it: a single writer, and a reader reloaded at each commit.
pub(crate) struct Docs {
    reader: tantivy::IndexReader,
    writer: std::sync::Mutex<tantivy::IndexWriter>,
    /// The field that names a document: putting a document replaces the one of its id.
    id: tantivy::schema::Field,
    /// Made new (empty) when opened: it must be filled.
    pub(crate) fresh: bool,
}

impl Docs {
    /// Opens (or makes) the index in `dir` with `schema`; the writer fills `memory` bytes
    /// before it writes a segment.
    pub(crate) fn open(
        dir: Option<&Path>,
        schema: tantivy::schema::Schema,
        id: tantivy::schema::Field,
        analyzer: &Analyzer,
        memory: usize,
    ) -> Result<Docs> {
        let (index, fresh) = open_or_create(dir, schema)?;
        register(&index, analyzer);
        let writer = index.writer_with_num_threads(1, memory)?;
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        Ok(Docs {
            reader,
            writer: std::sync::Mutex::new(writer),
            id,
            fresh,
        })
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, tantivy::IndexWriter> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds `doc`, replacing the document of the same `id`. Searchable after a commit.
    pub(crate) fn put(&self, id: &str, doc: tantivy::TantivyDocument) -> Result<()> {
        let writer = self.writer();
        writer.delete_term(tantivy::Term::from_field_text(self.id, id));
        writer.add_document(doc)?;
        Ok(())
    }

    pub(crate) fn remove(&self, id: &str) {
        self.writer()
            .delete_term(tantivy::Term::from_field_text(self.id, id));
    }

    pub(crate) fn clear(&self) -> Result<()> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    pub(crate) fn commit(&self) -> Result<()> {
        self.writer().commit()?;
        self.reader.reload()?;
        Ok(())
    }

    pub(crate) fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub(crate) fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }
}

/// Documents whose `field` is exactly `value`.
pub(crate) fn exact(field: tantivy::schema::Field, value: &str) -> Box<dyn tantivy::query::Query> {
    Box::new(tantivy::query::TermQuery::new(
        tantivy::Term::from_field_text(field, value),
        tantivy::schema::IndexRecordOption::Basic,
    ))
}

/// Both indexes, the analyzer and the synonyms in force.
pub struct Indexes {
    pub articles: ArticleIndex,
    pub tickets: TicketIndex,
    pub analyzer: Analyzer,
    synonyms: RwLock<Arc<Synonyms>>,
    /// Whether the indexes were made new (empty) when opened: they must be filled.
    pub fresh: bool,
}

impl Indexes {
    /// Opens (or makes) the indexes under `dir` (`articles/`, `tickets/`), or in memory.
    pub fn open(dir: Option<&Path>, analyzer: Analyzer) -> Result<Indexes> {
        let articles = ArticleIndex::open(dir.map(|d| d.join("articles")).as_deref(), &analyzer)?;
        let tickets = TicketIndex::open(dir.map(|d| d.join("tickets")).as_deref(), &analyzer)?;
        let fresh = articles.docs.fresh || tickets.docs.fresh;
        Ok(Indexes {
            articles,
            tickets,
            analyzer,
            synonyms: RwLock::new(Arc::new(Synonyms::default())),
            fresh,
        })
    }

    pub fn synonyms(&self) -> Arc<Synonyms> {
        self.synonyms
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_synonyms(&self, synonyms: Synonyms) {
        *self.synonyms.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(synonyms);
    }

    /// Makes what was written searchable.
    pub fn commit(&self) -> Result<()> {
        self.articles.commit()?;
        self.tickets.commit()
    }
}
