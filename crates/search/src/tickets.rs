//! The ticket index: a ticket's words (summary, details, public replies), its internal notes
//! apart, who filed it, and the fields visibility and the list filters need.

use std::path::Path;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, QueryClone, TermSetQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use crate::analysis::Analyzer;
use crate::query::{Fragment, Match, QueryTerms, TextField, snippet, text_query};
use crate::synonyms::Synonyms;
use crate::{BIGRAMS, Docs, MORPHEMES, Result, exact};

/// A ticket as the index holds it.
#[derive(Debug, Clone, Default)]
pub struct TicketDoc {
    pub id: String,
    pub number: u64,
    /// `SD-1042`.
    pub key: String,
    pub organization_id: String,
    pub contract_id: String,
    pub desk: String,
    pub status: String,
    pub ticket_type: String,
    pub service_menu: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub summary: String,
    /// Details and the incident fields.
    pub details: String,
    /// Public replies, oldest first.
    pub replies: Vec<String>,
    /// Internal notes: only agents' and admins' queries look at them.
    pub notes: Vec<String>,
    /// The requester's name and email, the organization's name: found by agents only.
    pub people: String,
}

/// What a caller may see, carried inside every query.
#[derive(Debug, Clone)]
pub enum Visibility {
    /// A customer: their organization's tickets on the contracts they hold a permission on,
    /// read live from the store for each query (`core::access::may_view_ticket`: taking part
    /// in a ticket adds nothing, so the index holds no participants).
    Customer {
        organization_id: String,
        contract_ids: Vec<String>,
    },
    /// An agent: their desks' tickets, notes included.
    Desks(Vec<String>),
    /// An admin: everything.
    All,
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSort {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

/// A ticket search.
#[derive(Debug, Clone, Default)]
pub struct TicketSearch {
    pub text: String,
    pub status: Vec<String>,
    pub ticket_type: Option<String>,
    pub service_menu: Option<String>,
    pub desk: Option<String>,
    pub organization_id: Option<String>,
    pub sort: TicketSort,
    pub offset: usize,
    pub limit: usize,
    /// Whether snippets are wanted (lists show them; id lookups do not).
    pub snippets: bool,
    /// Whether to count the matches per status, ignoring the status filter (the list's
    /// filter shows them).
    pub counts: bool,
    /// Only among these tickets (snippets for a page the store sorted).
    pub ids: Vec<String>,
}

/// One ticket found.
#[derive(Debug, Clone)]
pub struct TicketHit {
    pub id: String,
    pub number: u64,
    pub score: f32,
    /// Where the words matched: (`summary` | `details` | `replies` | `notes` | `people`, snippet).
    pub snippets: Vec<(&'static str, Vec<Fragment>)>,
}

/// A page of tickets found, and how many there are in all.
#[derive(Debug, Clone, Default)]
pub struct TicketHits {
    pub total: usize,
    pub hits: Vec<TicketHit>,
    /// Matches per status code, when counted.
    pub by_status: Vec<(String, u64)>,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    number: Field,
    key: Field,
    organization: Field,
    contract: Field,
    desk: Field,
    status: Field,
    ticket_type: Field,
    service_menu: Field,
    created: Field,
    updated: Field,
    summary: Field,
    details: Field,
    replies: Field,
    notes: Field,
    people: Field,
    summary_ja: Field,
    summary_cjk: Field,
    body_ja: Field,
    body_cjk: Field,
    notes_ja: Field,
    notes_cjk: Field,
    people_cjk: Field,
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
        number: b.add_u64_field("number", INDEXED | STORED | FAST),
        key: b.add_text_field("key", STRING),
        organization: b.add_text_field("organization", STRING),
        contract: b.add_text_field("contract", STRING),
        desk: b.add_text_field("desk", STRING),
        status: b.add_text_field("status", STRING | FAST),
        ticket_type: b.add_text_field("ticket_type", STRING),
        service_menu: b.add_text_field("service_menu", STRING),
        created: b.add_i64_field("created", FAST),
        updated: b.add_i64_field("updated", FAST),
        summary: b.add_text_field("summary", STORED),
        details: b.add_text_field("details", STORED),
        replies: b.add_text_field("replies", STORED),
        notes: b.add_text_field("notes", STORED),
        people: b.add_text_field("people", STORED),
        summary_ja: b.add_text_field("summary_ja", analysed(MORPHEMES)),
        summary_cjk: b.add_text_field("summary_cjk", analysed(BIGRAMS)),
        body_ja: b.add_text_field("body_ja", analysed(MORPHEMES)),
        body_cjk: b.add_text_field("body_cjk", analysed(BIGRAMS)),
        notes_ja: b.add_text_field("notes_ja", analysed(MORPHEMES)),
        notes_cjk: b.add_text_field("notes_cjk", analysed(BIGRAMS)),
        people_cjk: b.add_text_field("people_cjk", analysed(BIGRAMS)),
    };
    (b.build(), fields)
}

/// The ticket index.
pub struct TicketIndex {
    pub(crate) docs: Docs,
    fields: Fields,
    analyzer: Analyzer,
}

/// Memory the writer may fill before it writes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

impl TicketIndex {
    pub fn open(dir: Option<&Path>, analyzer: &Analyzer) -> Result<TicketIndex> {
        let (schema, fields) = schema();
        let docs = Docs::open(dir, schema, fields.id, analyzer, WRITER_MEMORY)?;
        Ok(TicketIndex {
            docs,
            fields,
            analyzer: analyzer.clone(),
        })
    }

    /// Adds or replaces a ticket (by id). Searchable after [`TicketIndex::commit`].
    pub fn put(&self, doc: &TicketDoc) -> Result<()> {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &doc.id);
        d.add_u64(f.number, doc.number);
        d.add_text(f.key, doc.key.to_lowercase());
        d.add_text(f.organization, &doc.organization_id);
        d.add_text(f.contract, &doc.contract_id);
        d.add_text(f.desk, &doc.desk);
        d.add_text(f.status, &doc.status);
        d.add_text(f.ticket_type, &doc.ticket_type);
        d.add_text(f.service_menu, &doc.service_menu);
        d.add_i64(f.created, doc.created_at);
        d.add_i64(f.updated, doc.updated_at);
        d.add_text(f.summary, &doc.summary);
        d.add_text(f.details, &doc.details);
        d.add_text(f.summary_ja, &doc.summary);
        d.add_text(f.summary_cjk, &doc.summary);
        d.add_text(f.body_ja, &doc.details);
        d.add_text(f.body_cjk, &doc.details);
        for reply in &doc.replies {
            d.add_text(f.replies, reply);
            d.add_text(f.body_ja, reply);
            d.add_text(f.body_cjk, reply);
        }
        for note in &doc.notes {
            d.add_text(f.notes, note);
            d.add_text(f.notes_ja, note);
            d.add_text(f.notes_cjk, note);
        }
        d.add_text(f.people, &doc.people);
        d.add_text(f.people_cjk, &doc.people);
        self.docs.put(&doc.id, d)
    }

    /// Removes a ticket (a deleted one).
    pub fn remove(&self, id: &str) {
        self.docs.remove(id);
    }

    /// Removes every ticket (before a rebuild).
    pub fn clear(&self) -> Result<()> {
        self.docs.clear()
    }

    pub fn commit(&self) -> Result<()> {
        self.docs.commit()
    }

    /// How many tickets the index holds.
    pub fn len(&self) -> u64 {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Documents whose `field` holds one of `values`. A few values are term queries, which an
    /// intersection skips through; a term set decodes every posting of its terms into a bitset
    /// first (a desk's term is most of the index), so it is kept for long lists only.
    fn any_value(&self, field: Field, values: &[String]) -> Box<dyn Query> {
        const FEW: usize = 32;
        if values.is_empty() || values.len() > FEW {
            return Box::new(TermSetQuery::new(
                values.iter().map(|v| Term::from_field_text(field, v)),
            ));
        }
        Box::new(BooleanQuery::new(
            values
                .iter()
                .map(|v| (Occur::Should, exact(field, v)))
                .collect(),
        ))
    }

    /// The query of who may see what, as a filter that adds nothing to the score.
    fn visibility(&self, visibility: &Visibility) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        match visibility {
            Visibility::All => None,
            Visibility::Desks(desks) => Some(self.any_value(f.desk, desks)),
            Visibility::Customer {
                organization_id,
                contract_ids,
            } => Some(Box::new(BooleanQuery::new(vec![
                (Occur::Must, exact(f.organization, organization_id)),
                (Occur::Must, self.any_value(f.contract, contract_ids)),
            ]))),
        }
    }

    fn text_fields(&self, visibility: &Visibility) -> Vec<TextField> {
        let f = &self.fields;
        let mut fields = vec![
            TextField {
                ja: f.summary_ja,
                cjk: f.summary_cjk,
                boost: 2.0,
            },
            TextField {
                ja: f.body_ja,
                cjk: f.body_cjk,
                boost: 1.0,
            },
        ];
        if !matches!(visibility, Visibility::Customer { .. }) {
            fields.push(TextField {
                ja: f.notes_ja,
                cjk: f.notes_cjk,
                boost: 0.8,
            });
            // People are found by their bigrams and words only.
            fields.push(TextField {
                ja: f.people_cjk,
                cjk: f.people_cjk,
                boost: 1.5,
            });
        }
        fields
    }

    /// Tickets `visibility` may see that match `search`.
    pub fn search(
        &self,
        synonyms: &Synonyms,
        visibility: &Visibility,
        search: &TicketSearch,
    ) -> Result<TicketHits> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(visible) = self.visibility(visibility) {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(visible, 0.0))));
        }
        let filters = [
            (f.ticket_type, &search.ticket_type),
            (f.service_menu, &search.service_menu),
            (f.desk, &search.desk),
            (f.organization, &search.organization_id),
        ];
        for (field, value) in filters {
            if let Some(value) = value {
                clauses.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(exact(field, value), 0.0)),
                ));
            }
        }
        if !search.ids.is_empty() {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(self.any_value(f.id, &search.ids), 0.0)),
            ));
        }
        let fields = self.text_fields(visibility);
        let (words, terms) =
            text_query(&self.analyzer, synonyms, &search.text, &fields, Match::All);
        match words {
            Some(words) => {
                // A ticket key typed in the box finds that ticket first.
                let key = search.text.trim().to_lowercase();
                let by_key: Box<dyn Query> = Box::new(BoostQuery::new(exact(f.key, &key), 100.0));
                clauses.push((
                    Occur::Must,
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Should, words),
                        (Occur::Should, by_key),
                    ])),
                ));
            }
            None if search.text.trim().is_empty() => {}
            // Words that analyse to nothing (punctuation) find nothing.
            None => return Ok(TicketHits::default()),
        }
        let searcher = self.docs.searcher();
        let by_status = if search.counts {
            let query: Box<dyn Query> = if clauses.is_empty() {
                Box::new(AllQuery)
            } else {
                Box::new(BooleanQuery::new(
                    clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect(),
                ))
            };
            count_by_status(&searcher, query.as_ref())?
        } else {
            Vec::new()
        };
        if !search.status.is_empty() {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    self.any_value(f.status, &search.status),
                    0.0,
                )),
            ));
        }
        let query: Box<dyn Query> = if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        let limit = search.limit.max(1);
        let relevance = search.sort == TicketSort::Relevance && !search.text.trim().is_empty();
        let (total, found): (usize, Vec<(f32, DocAddress)>) = if relevance {
            let top = TopDocs::with_limit(limit)
                .and_offset(search.offset)
                .order_by_score();
            searcher.search(&query, &(Count, top))?
        } else {
            let order = if search.sort == TicketSort::Oldest {
                Order::Asc
            } else {
                Order::Desc
            };
            let top = TopDocs::with_limit(limit)
                .and_offset(search.offset)
                .order_by_fast_field::<i64>("created", order);
            let (total, found) = searcher.search(&query, &(Count, top))?;
            (
                total,
                found.into_iter().map(|(_, addr)| (0.0, addr)).collect(),
            )
        };
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| -> Vec<String> {
                doc.get_all(field)
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            };
            let id = text(f.id).into_iter().next().unwrap_or_default();
            let number = doc
                .get_first(f.number)
                .and_then(|v| v.as_u64())
                .unwrap_or_default();
            let snippets = if search.snippets {
                self.snippets(&terms, visibility, &text)
            } else {
                Vec::new()
            };
            hits.push(TicketHit {
                id,
                number,
                score,
                snippets,
            });
        }
        Ok(TicketHits {
            total,
            hits,
            by_status,
        })
    }

    #[allow(clippy::type_complexity)]
    fn snippets(
        &self,
        terms: &QueryTerms,
        visibility: &Visibility,
        text: &dyn Fn(Field) -> Vec<String>,
    ) -> Vec<(&'static str, Vec<Fragment>)> {
        let f = &self.fields;
        let mut parts: Vec<(&'static str, Field)> = vec![
            ("summary", f.summary),
            ("details", f.details),
            ("replies", f.replies),
        ];
        if !matches!(visibility, Visibility::Customer { .. }) {
            parts.push(("notes", f.notes));
            parts.push(("people", f.people));
        }
        let mut out = Vec::new();
        for (name, field) in parts {
            for value in text(field) {
                if let Some(s) = snippet(&self.analyzer, terms, &value, 80) {
                    out.push((name, s));
                    break;
                }
            }
        }
        out
    }
}

/// How many documents `query` matches per status.
fn count_by_status(searcher: &tantivy::Searcher, query: &dyn Query) -> Result<Vec<(String, u64)>> {
    use tantivy::aggregation::AggregationCollector;
    use tantivy::aggregation::agg_req::Aggregations;
    let request: Aggregations = serde_json::from_value(serde_json::json!({
        "by_status": { "terms": { "field": "status", "size": 16 } }
    }))
    .expect("a valid aggregation request");
    let collector = AggregationCollector::from_aggs(request, Default::default());
    let results = searcher.search(query, &collector)?;
    let value = serde_json::to_value(&results).unwrap_or_default();
    let buckets = value["by_status"]["buckets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(buckets
        .iter()
        .filter_map(|b| Some((b["key"].as_str()?.to_owned(), b["doc_count"].as_u64()?)))
        .collect())
}
