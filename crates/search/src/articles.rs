//! The knowledge article index: every article is weighed for related articles (SPEC §4)
//! and the knowledge center's search (§7), however many there are.

use std::path::Path;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{DocAddress, TantivyDocument};

use crate::analysis::{Analyzer, is_cjk, normalize};
use crate::query::{Fragment, Match, TextField, snippet, text_query};
use crate::synonyms::Synonyms;
use crate::{BIGRAMS, Docs, MORPHEMES, Result, exact};

/// An article as the index holds it.
#[derive(Debug, Clone, Default)]
pub struct ArticleDoc {
    pub id: String,
    /// `faq`, `known_issue`, `error_message`.
    pub kind: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub service_menus: Vec<String>,
    /// Known issues: `investigating`, `in_progress`, `resolved`.
    pub issue_status: Option<String>,
    /// The language it is written in: `ja`, `en`.
    pub language: String,
    pub published: bool,
}

/// Related articles for a draft ticket.
#[derive(Debug, Clone, Default)]
pub struct Suggest {
    /// The draft's summary and details.
    pub text: String,
    /// The service menu the customer picked.
    pub service_menu: Option<String>,
    /// The reader's language (`ja`, `en`): articles in it come first, each language by
    /// relevance. Without it, articles in the draft's language are first among equals.
    pub locale: Option<String>,
    pub limit: usize,
}

/// The knowledge center's search box.
#[derive(Debug, Clone, Default)]
pub struct ArticleSearch {
    pub text: String,
    pub kind: Option<String>,
    pub service_menu: Option<String>,
    pub issue_status: Option<String>,
    /// Articles in this language only.
    pub language: Option<String>,
    /// Articles in this language (the reader's) before the others, each part by relevance.
    pub language_first: Option<String>,
    /// Agents see drafts too.
    pub with_drafts: bool,
    pub offset: usize,
    pub limit: usize,
}

/// One article found, with where it matched.
#[derive(Debug, Clone)]
pub struct ArticleHit {
    pub id: String,
    pub score: f32,
    pub title: Vec<Fragment>,
    pub snippet: Option<Vec<Fragment>>,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    menu: Field,
    issue_status: Field,
    published: Field,
    lang: Field,
    title: Field,
    body: Field,
    title_ja: Field,
    title_cjk: Field,
    body_ja: Field,
    body_cjk: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analysed = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING),
        menu: b.add_text_field("menu", STRING),
        issue_status: b.add_text_field("issue_status", STRING),
        published: b.add_text_field("published", STRING),
        // Not "lang" any more: that held a guess from the title. The new name makes an index
        // of the old schema be dropped and rebuilt with the articles' own languages.
        lang: b.add_text_field("language", STRING),
        title: b.add_text_field("title", STORED),
        body: b.add_text_field("body", STORED),
        title_ja: b.add_text_field("title_ja", analysed(MORPHEMES)),
        title_cjk: b.add_text_field("title_cjk", analysed(BIGRAMS)),
        body_ja: b.add_text_field("body_ja", analysed(MORPHEMES)),
        body_cjk: b.add_text_field("body_cjk", analysed(BIGRAMS)),
    };
    (b.build(), fields)
}

/// The language a text is written in: Japanese if it has any kana or kanji (how a draft's
/// language is guessed when the reader's is not known).
pub fn language(text: &str) -> &'static str {
    if text.chars().any(is_cjk) { "ja" } else { "en" }
}

pub struct ArticleIndex {
    pub(crate) docs: Docs,
    fields: Fields,
    analyzer: Analyzer,
}

impl ArticleIndex {
    pub fn open(dir: Option<&Path>, analyzer: &Analyzer) -> Result<ArticleIndex> {
        let (schema, fields) = schema();
        let docs = Docs::open(dir, schema, fields.id, analyzer, 32 * 1024 * 1024)?;
        Ok(ArticleIndex {
            docs,
            fields,
            analyzer: analyzer.clone(),
        })
    }

    pub fn put(&self, doc: &ArticleDoc) -> Result<()> {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &doc.id);
        d.add_text(f.kind, &doc.kind);
        for m in &doc.service_menus {
            d.add_text(f.menu, m);
        }
        if let Some(status) = &doc.issue_status {
            d.add_text(f.issue_status, status);
        }
        d.add_text(f.published, if doc.published { "yes" } else { "no" });
        d.add_text(f.lang, &doc.language);
        d.add_text(f.title, &doc.title);
        d.add_text(f.body, &doc.body);
        d.add_text(f.title_ja, &doc.title);
        d.add_text(f.title_cjk, &doc.title);
        d.add_text(f.body_ja, &doc.body);
        d.add_text(f.body_cjk, &doc.body);
        self.docs.put(&doc.id, d)
    }

    pub fn remove(&self, id: &str) {
        self.docs.remove(id);
    }

    pub fn clear(&self) -> Result<()> {
        self.docs.clear()
    }

    pub fn commit(&self) -> Result<()> {
        self.docs.commit()
    }

    pub fn len(&self) -> u64 {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn filter(&self, field: Field, value: &str) -> (Occur, Box<dyn Query>) {
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(exact(field, value), 0.0)),
        )
    }

    fn boost(&self, field: Field, value: &str, by: f32) -> (Occur, Box<dyn Query>) {
        (
            Occur::Should,
            Box::new(ConstScoreQuery::new(exact(field, value), by)),
        )
    }

    fn text_fields(&self) -> [TextField; 2] {
        let f = &self.fields;
        [
            TextField {
                ja: f.title_ja,
                cjk: f.title_cjk,
                boost: 2.5,
            },
            TextField {
                ja: f.body_ja,
                cjk: f.body_cjk,
                boost: 1.0,
            },
        ]
    }

    /// The published articles most related to a draft ticket: every article weighed, by the
    /// words they share (titles most), the menu picked, the article's kind and status.
    pub fn suggest(&self, synonyms: &Synonyms, suggest: &Suggest) -> Result<Vec<ArticleHit>> {
        let f = self.fields;
        let (words, terms) = text_query(
            &self.analyzer,
            synonyms,
            &suggest.text,
            &self.text_fields(),
            Match::Any,
        );
        let Some(words) = words else {
            return Ok(Vec::new());
        };
        let mut clauses = vec![self.filter(f.published, "yes"), (Occur::Must, words)];
        if let Some(menu) = suggest.service_menu.as_deref().filter(|m| !m.is_empty()) {
            clauses.push(self.boost(f.menu, menu, 1.5));
        }
        if suggest.locale.is_none() {
            clauses.push(self.boost(f.lang, language(&suggest.text), 1.0));
        }
        // A known issue still open is news; a resolved one rarely the answer.
        clauses.push(self.boost(f.issue_status, "investigating", 0.5));
        clauses.push(self.boost(f.issue_status, "in_progress", 0.5));
        // An error message quoted from the portal: its article matches it strongly.
        let latin: Vec<String> = normalize(&suggest.text)
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.len() >= 3)
            .map(str::to_owned)
            .collect();
        if latin.len() >= 2 {
            let in_title: Vec<(Occur, Box<dyn Query>)> = latin
                .iter()
                .map(|w| (Occur::Should, exact(f.title_cjk, w)))
                .collect();
            let quoted = BooleanQuery::new(vec![
                (Occur::Must, exact(f.kind, "error_message")),
                (Occur::Must, Box::new(BooleanQuery::new(in_title))),
            ]);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(quoted), 0.5)),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.docs.searcher();
        let (_, top) = self.ranked(
            &searcher,
            &query,
            suggest.locale.as_deref(),
            0,
            suggest.limit.max(1),
        )?;
        let mut hits = Vec::new();
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&doc, score, &terms));
        }
        Ok(hits)
    }

    /// The `limit` best matches of `query` after `offset`, and how many match in all. With
    /// `first`, those in that language come before the others, each part by score: two
    /// searches, the reader's language and the rest, read as one list.
    fn ranked(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        first: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<(f32, DocAddress)>)> {
        let top = |offset: usize, limit: usize| {
            TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_score()
        };
        let Some(first) = first else {
            return Ok(searcher.search(query, &(Count, top(offset, limit)))?);
        };
        let part = |occur: Occur| {
            BooleanQuery::new(vec![
                (Occur::Must, query.box_clone()),
                (
                    occur,
                    Box::new(ConstScoreQuery::new(exact(self.fields.lang, first), 0.0)),
                ),
            ])
        };
        let (mine, mut hits) = searcher.search(&part(Occur::Must), &(Count, top(offset, limit)))?;
        let others = part(Occur::MustNot);
        let rest = limit - hits.len();
        let theirs = if rest == 0 {
            searcher.search(&others, &Count)?
        } else {
            let (n, more) =
                searcher.search(&others, &(Count, top(offset.saturating_sub(mine), rest)))?;
            hits.extend(more);
            n
        };
        Ok((mine + theirs, hits))
    }

    fn hit(&self, doc: &TantivyDocument, score: f32, terms: &crate::QueryTerms) -> ArticleHit {
        let f = &self.fields;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let title = text(f.title);
        let body = text(f.body);
        ArticleHit {
            id: text(f.id),
            score,
            title: snippet(&self.analyzer, terms, &title, title.chars().count().max(1))
                .unwrap_or_else(|| {
                    vec![Fragment {
                        text: title.clone(),
                        hit: false,
                    }]
                }),
            snippet: snippet(&self.analyzer, terms, &body, 90),
        }
    }

    /// The knowledge center's search: every word must match; filters by kind and menu.
    /// Answers the hits of the page asked and how many there are in all.
    pub fn search(
        &self,
        synonyms: &Synonyms,
        search: &ArticleSearch,
    ) -> Result<(usize, Vec<ArticleHit>)> {
        let f = self.fields;
        let (words, terms) = text_query(
            &self.analyzer,
            synonyms,
            &search.text,
            &self.text_fields(),
            Match::All,
        );
        let Some(words) = words else {
            return Ok((0, Vec::new()));
        };
        let mut clauses = vec![(Occur::Must, words)];
        if !search.with_drafts {
            clauses.push(self.filter(f.published, "yes"));
        }
        if let Some(kind) = &search.kind {
            clauses.push(self.filter(f.kind, kind));
        }
        if let Some(menu) = &search.service_menu {
            clauses.push(self.filter(f.menu, menu));
        }
        if let Some(status) = &search.issue_status {
            clauses.push(self.filter(f.issue_status, status));
        }
        if let Some(language) = &search.language {
            clauses.push(self.filter(f.lang, language));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.docs.searcher();
        let (total, top) = self.ranked(
            &searcher,
            &query,
            search.language_first.as_deref(),
            search.offset,
            search.limit.max(1),
        )?;
        let mut hits = Vec::new();
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&doc, score, &terms));
        }
        Ok((total, hits))
    }
}
