//! Japanese-aware text analysis and ranking.
//!
//! Japanese has no spaces between words, so a query such as ログインできない must find an
//! article about ログイン, and 障害 must be found inside 仮想サーバーの障害について. The
//! analyzer splits text into runs of one script: runs of CJK characters (kanji, kana) become
//! overlapping character bigrams, as Elasticsearch's `cjk` analyzer does; Latin and digit runs
//! become words. Everything is NFKC-normalised and lower-cased first, so ＡＷＳ, aws and AWS,
//! or ｶﾅ and カナ, are the same.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// Is this character written without spaces between words (Han, Hiragana, Katakana)?
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{309F}' // Hiragana
        | '\u{30A0}'..='\u{30FF}' // Katakana
        | '\u{31F0}'..='\u{31FF}' // Katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FA1F}')
}

/// The terms of a text: CJK bigrams (a lone CJK character stands as itself) and words.
pub fn terms(text: &str) -> Vec<String> {
    let normalized: String = text.nfkc().collect::<String>().to_lowercase();
    let mut terms = Vec::new();
    let mut cjk: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_cjk = |run: &mut Vec<char>, out: &mut Vec<String>| {
        match run.len() {
            0 => {}
            1 => out.push(run[0].to_string()),
            _ => out.extend(run.windows(2).map(|w| w.iter().collect())),
        }
        run.clear();
    };
    for c in normalized.chars() {
        if is_cjk(c) || c == 'ー' {
            if !word.is_empty() {
                terms.push(std::mem::take(&mut word));
            }
            cjk.push(c);
        } else if c.is_alphanumeric() {
            flush_cjk(&mut cjk, &mut terms);
            word.push(c);
        } else {
            flush_cjk(&mut cjk, &mut terms);
            if !word.is_empty() {
                terms.push(std::mem::take(&mut word));
            }
        }
    }
    flush_cjk(&mut cjk, &mut terms);
    if !word.is_empty() {
        terms.push(word);
    }
    terms
}

/// A document to rank: a title (weighed more) and a body.
pub struct Document<'a> {
    pub title: &'a str,
    pub body: &'a str,
}

/// How many shared terms make a document related whatever the query's length: a long
/// description shares a small part of its terms with the article that answers it.
const ENOUGH_SHARED_TERMS: usize = 5;

/// Ranks `documents` against `query`: each query term that a document contains adds its
/// rarity across the documents (an IDF weight), three times over when it is in the title.
/// Answers the indexes of the related documents, best first: those that share at least
/// `min_share` of the query's distinct terms, or five of them.
pub fn rank(query: &str, documents: &[Document<'_>], min_share: f64) -> Vec<(usize, f64)> {
    let mut query_terms = terms(query);
    query_terms.sort();
    query_terms.dedup();
    if query_terms.is_empty() || documents.is_empty() {
        return Vec::new();
    }
    let analysed: Vec<(Vec<String>, Vec<String>)> = documents
        .iter()
        .map(|d| (terms(d.title), terms(d.body)))
        .collect();
    let mut document_frequency: HashMap<&str, usize> = HashMap::new();
    for term in &query_terms {
        let n = analysed
            .iter()
            .filter(|(t, b)| t.contains(term) || b.contains(term))
            .count();
        document_frequency.insert(term, n);
    }
    let n = documents.len() as f64;
    let mut scored: Vec<(usize, f64)> = analysed
        .iter()
        .enumerate()
        .filter_map(|(i, (title, body))| {
            let mut score = 0.0;
            let mut shared = 0usize;
            for term in &query_terms {
                let in_title = title.contains(term);
                let in_body = body.contains(term);
                if !in_title && !in_body {
                    continue;
                }
                shared += 1;
                let df = document_frequency[term.as_str()] as f64;
                let idf = ((n + 1.0) / (df + 0.5)).ln().max(0.05);
                score += idf * if in_title { 3.0 } else { 1.0 };
            }
            let share = shared as f64 / query_terms.len() as f64;
            let related = shared > 0 && (share >= min_share || shared >= ENOUGH_SHARED_TERMS);
            related.then_some((i, score * share))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_becomes_bigrams_and_latin_words() {
        assert_eq!(terms("ログイン"), ["ログ", "グイ", "イン"]);
        assert_eq!(terms("ＡＷＳのError 404"), ["aws", "の", "error", "404"]);
        assert_eq!(terms("ｶﾅ"), ["カナ"]);
        assert_eq!(terms("都"), ["都"]);
    }

    #[test]
    fn a_word_is_found_inside_a_longer_sentence() {
        let docs = [
            Document {
                title: "仮想サーバーの障害について",
                body: "",
            },
            Document {
                title: "請求書の発行",
                body: "",
            },
        ];
        let hits = rank("障害", &docs, 0.5);
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn a_longer_query_finds_the_article_about_its_core() {
        let docs = [
            Document {
                title: "請求書の発行方法",
                body: "毎月の請求書をダウンロードする",
            },
            Document {
                title: "ポータルにログインできない場合",
                body: "パスワードの期限を確認",
            },
            Document {
                title: "仮想サーバーのスナップショット",
                body: "取得手順",
            },
        ];
        let hits = rank("昨日からポータルにログインできません", &docs, 0.2);
        assert_eq!(hits.first().map(|h| h.0), Some(1));
        let hits = rank("snapshot スナップショット の取り方", &docs, 0.2);
        assert_eq!(hits.first().map(|h| h.0), Some(2));
    }

    #[test]
    fn unrelated_text_finds_nothing() {
        let docs = [Document {
            title: "ロードバランサーの設定",
            body: "",
        }];
        assert!(rank("請求書", &docs, 0.2).is_empty());
        assert!(rank("", &docs, 0.2).is_empty());
    }
}
