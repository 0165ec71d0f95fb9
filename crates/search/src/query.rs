//! What a query's words become: tantivy queries over the two analyses of each text field,
//! synonyms included, and the snippets that show where they matched.

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{Analyzer, Term as Analysed, bigrams, is_cjk, normalize};
use crate::synonyms::Synonyms;

/// One text of a document, under its two analyses, weighed by `boost`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextField {
    pub ja: Field,
    pub cjk: Field,
    pub boost: f32,
}

/// How the words of a query must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    /// Every word (a search box: ticket search, the knowledge center's search).
    All,
    /// Any, ranked by how much (a draft ticket weighed against every article).
    Any,
}

/// The terms of a query, kept to highlight them in snippets.
#[derive(Debug, Clone, Default)]
pub struct QueryTerms {
    terms: HashSet<String>,
    /// Single CJK characters queried alone (都): highlighted wherever they stand.
    chars: HashSet<char>,
}

impl QueryTerms {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.chars.is_empty()
    }
}

/// The most distinct terms weighed: a query may be a whole draft ticket.
const MAX_TERMS: usize = 256;

fn term_query(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    let q: Box<dyn Query> = Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ));
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// Any of `fields` has `term` in the analysis `pick` chooses.
fn in_any_field(
    fields: &[TextField],
    term: &str,
    pick: fn(&TextField) -> Field,
    boost: f32,
) -> Box<dyn Query> {
    if fields.len() == 1 {
        return term_query(pick(&fields[0]), term, fields[0].boost * boost);
    }
    Box::new(BooleanQuery::new(
        fields
            .iter()
            .map(|f| (Occur::Should, term_query(pick(f), term, f.boost * boost)))
            .collect(),
    ))
}

fn all_of(clauses: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match clauses.len() {
        0 => None,
        1 => clauses.into_iter().next(),
        _ => Some(Box::new(BooleanQuery::new(
            clauses.into_iter().map(|c| (Occur::Must, c)).collect(),
        ))),
    }
}

fn any_of(clauses: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match clauses.len() {
        0 => None,
        1 => clauses.into_iter().next(),
        _ => Some(Box::new(BooleanQuery::new(
            clauses.into_iter().map(|c| (Occur::Should, c)).collect(),
        ))),
    }
}

fn unique(terms: Vec<Analysed>) -> Vec<String> {
    let mut seen = HashSet::new();
    terms
        .into_iter()
        .map(|t| t.text)
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// A word made of one CJK character: found as the start of any bigram (or alone).
fn single_char(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let c = chars.next()?;
    (chars.next().is_none() && is_cjk(c)).then_some(c)
}

/// Does this word look like an error code (letters and digits: E1234, 0x80070005)?
fn code_like(word: &str) -> bool {
    word.len() >= 4
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The query for `text` over `fields`, with the terms to highlight. `None` when the text holds
/// nothing to search for.
pub(crate) fn text_query(
    analyzer: &Analyzer,
    synonyms: &Synonyms,
    text: &str,
    fields: &[TextField],
    how: Match,
) -> (Option<Box<dyn Query>>, QueryTerms) {
    let normalized = normalize(text);
    let mut highlight = QueryTerms::default();
    if fields.is_empty() {
        return (None, highlight);
    }
    match how {
        Match::All => {
            let mut words = Vec::new();
            for word in normalized.split_whitespace() {
                let mut alternatives = Vec::new();
                for (i, phrase) in std::iter::once(word.to_owned())
                    .chain(synonyms.alternatives(word))
                    .enumerate()
                {
                    let weight = if i == 0 { 1.0 } else { 0.8 };
                    if let Some(c) = single_char(&phrase) {
                        highlight.chars.insert(c);
                        let pattern = format!("{}.?", regex_escape(c));
                        let per_field = fields
                            .iter()
                            .filter_map(|f| RegexQuery::from_pattern(&pattern, f.cjk).ok())
                            .map(|q| Box::new(q) as Box<dyn Query>)
                            .collect();
                        alternatives.extend(any_of(per_field));
                        continue;
                    }
                    let grams = unique(bigrams(&phrase));
                    let words_ja = unique(analyzer.morphemes(&phrase));
                    highlight.terms.extend(grams.iter().cloned());
                    highlight.terms.extend(words_ja.iter().cloned());
                    let by_grams = all_of(
                        grams
                            .iter()
                            .map(|t| in_any_field(fields, t, |f| f.cjk, weight))
                            .collect(),
                    );
                    let by_words = all_of(
                        words_ja
                            .iter()
                            .map(|t| in_any_field(fields, t, |f| f.ja, weight))
                            .collect(),
                    );
                    alternatives.extend(any_of(by_grams.into_iter().chain(by_words).collect()));
                }
                words.extend(any_of(alternatives));
            }
            (all_of(words), highlight)
        }
        Match::Any => {
            let mut clauses: Vec<Box<dyn Query>> = Vec::new();
            // Terms of the text itself (not of its synonyms): how many must match.
            let mut own = 0usize;
            let mut seen = HashSet::new();
            let phrases =
                std::iter::once(normalized.clone()).chain(synonyms.alternatives(&normalized));
            for (i, phrase) in phrases.enumerate() {
                let weight = if i == 0 { 1.0 } else { 0.6 };
                for term in bigrams(&phrase) {
                    if seen.len() >= MAX_TERMS {
                        break;
                    }
                    if !seen.insert(("g", term.text.clone())) {
                        continue;
                    }
                    if let Some(c) = single_char(&term.text) {
                        // A lone character at a run's end: weighs little, found as a prefix.
                        highlight.chars.insert(c);
                        continue;
                    }
                    highlight.terms.insert(term.text.clone());
                    own += usize::from(i == 0);
                    clauses.push(in_any_field(fields, &term.text, |f| f.cjk, weight));
                    if code_like(&term.text) {
                        // Error codes are mistyped: one edit away still counts, a little less.
                        for f in fields {
                            let fuzzy = FuzzyTermQuery::new(
                                Term::from_field_text(f.cjk, &term.text),
                                1,
                                true,
                            );
                            clauses.push(Box::new(BoostQuery::new(
                                Box::new(fuzzy),
                                0.5 * f.boost * weight,
                            )));
                        }
                    }
                }
                for term in analyzer.morphemes(&phrase) {
                    if seen.len() >= MAX_TERMS {
                        break;
                    }
                    if !seen.insert(("m", term.text.clone())) {
                        continue;
                    }
                    highlight.terms.insert(term.text.clone());
                    own += usize::from(i == 0);
                    clauses.push(in_any_field(fields, &term.text, |f| f.ja, 1.5 * weight));
                }
            }
            if clauses.is_empty() {
                // A one-character draft (都): find it as a prefix, as a search box would.
                if single_char(normalized.trim()).is_some() {
                    return text_query(analyzer, synonyms, text, fields, Match::All);
                }
            }
            if clauses.is_empty() {
                return (None, highlight);
            }
            // A document shares a part of the text's terms (30 %), or six of them for a long
            // draft: one bigram in common (ロード in ダウンロード) relates nothing.
            let required = ((own as f64 * 0.3).ceil() as usize).clamp(1, 6);
            let query = BooleanQuery::with_minimum_required_clauses(
                clauses.into_iter().map(|c| (Occur::Should, c)).collect(),
                required,
            );
            (Some(Box::new(query)), highlight)
        }
    }
}

fn regex_escape(c: char) -> String {
    if c.is_alphanumeric() || !c.is_ascii() {
        c.to_string()
    } else {
        format!("\\{c}")
    }
}

/// A piece of a snippet: text, and whether it is where the query matched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fragment {
    pub text: String,
    pub hit: bool,
}

/// Where the query matched in `text`: about `width` characters around the densest matches,
/// the matches marked. `None` when nothing in `text` matched.
pub fn snippet(
    analyzer: &Analyzer,
    terms: &QueryTerms,
    text: &str,
    width: usize,
) -> Option<Vec<Fragment>> {
    if terms.is_empty() || text.is_empty() {
        return None;
    }
    let normalized = normalize(text);
    let mut spans: Vec<(usize, usize)> = bigrams(&normalized)
        .into_iter()
        .chain(analyzer.morphemes(&normalized))
        .filter(|t| terms.terms.contains(&t.text))
        .map(|t| (t.from, t.to))
        .collect();
    if !terms.chars.is_empty() {
        for (i, c) in normalized.char_indices() {
            if terms.chars.contains(&c) {
                spans.push((i, i + c.len_utf8()));
            }
        }
    }
    if spans.is_empty() {
        return None;
    }
    spans.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (from, to) in spans {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    // The window (in characters) starting a little before the match that has the most
    // matches within `width` after it.
    let char_at: Vec<usize> = normalized.char_indices().map(|(i, _)| i).collect();
    let char_index = |byte: usize| char_at.partition_point(|&b| b < byte);
    let best = merged
        .iter()
        .map(|&(from, _)| {
            let start = char_index(from);
            let end = start + width;
            let count = merged
                .iter()
                .filter(|&&(f, _)| (start..end).contains(&char_index(f)))
                .count();
            (count, std::cmp::Reverse(start))
        })
        .max()
        .map(|(_, std::cmp::Reverse(start))| start)
        .unwrap_or(0);
    let start_char = best.saturating_sub(width / 5);
    let end_char = (start_char + width).min(char_at.len());
    let start = char_at.get(start_char).copied().unwrap_or(0);
    let end = char_at.get(end_char).copied().unwrap_or(normalized.len());
    let mut fragments = Vec::new();
    let mut at = start;
    let push = |fragments: &mut Vec<Fragment>, text: &str, hit: bool| {
        if text.is_empty() {
            return;
        }
        let text = text.replace(['\n', '\r', '\t'], " ");
        match fragments.last_mut() {
            Some(Fragment { text: last, hit: h }) if *h == hit => last.push_str(&text),
            _ => fragments.push(Fragment { text, hit }),
        }
    };
    if start > 0 {
        push(&mut fragments, "…", false);
    }
    for (from, to) in merged {
        if to <= start || from >= end {
            continue;
        }
        let (from, to) = (from.max(start), to.min(end));
        push(&mut fragments, &normalized[at..from], false);
        push(&mut fragments, &normalized[from..to], true);
        at = to;
    }
    push(&mut fragments, &normalized[at..end], false);
    if end < normalized.len() {
        push(&mut fragments, "…", false);
    }
    Some(fragments)
}
