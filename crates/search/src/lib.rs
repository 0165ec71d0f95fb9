//! Japanese-aware text analysis and ranking.
//!
//! Japanese has no spaces between words, so a query such as ログインできない must find an
//! article about ログイン, and 障害 must be found inside 仮想サーバーの障害について. The
//! analyzer splits text into runs of one script: runs of CJK characters (kanji, kana) become
//! overlapping character bigrams, as Elasticsearch's `cjk` analyzer does; Latin and digit runs
//! become words. Everything is NFKC-normalised and lower-cased first, so ＡＷＳ, aws and AWS,
//! or ｶﾅ and カナ, are the same.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

/// Is this character written without spaces between words (Han, Hiragana, Katakana)?
fn is_cjk(c: char) -> bool {
    matches!(c,
        '々' | '〆' | 'ヶ' | 'ー'
        | '\u{3040}'..='\u{309F}' // Hiragana
        | '\u{30A0}'..='\u{30FF}' // Katakana
        | '\u{31F0}'..='\u{31FF}' // Katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FA1F}')
}

/// English words too common to tell one article from another.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from",
    "how", "i", "if", "in", "into", "is", "it", "my", "no", "not", "of", "on", "or", "our", "so",
    "that", "the", "this", "to", "was", "we", "what", "when", "where", "which", "why", "will",
    "with", "you", "your",
];

/// Bigrams of Japanese endings and function words: in nearly every sentence, they tell one
/// article from another no better than "the" does (です, ません, ください, している…).
const JA_STOP_BIGRAMS: &[&str] = &[
    "ます", "ませ", "せん", "です", "でし", "した", "して", "しま", "くだ", "ださ", "さい", "てい",
    "いま", "いる", "ある", "ない", "こと", "ため", "など", "から", "まで", "ので", "のは", "には",
    "では", "でき", "きま", "きな", "った", "って", "れる", "られ", "この", "その", "これ", "それ",
    "よう", "つい", "いて", "おり", "なり",
];

/// The terms of a text: CJK bigrams (a lone CJK character stands as itself) and words
/// (without the commonest English words and Japanese endings).
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
        if is_cjk(c) {
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
    terms.retain(|t| !STOPWORDS.contains(&t.as_str()) && !JA_STOP_BIGRAMS.contains(&t.as_str()));
    terms
}

/// How many matched terms that tell documents apart make a document related to a long query.
const ENOUGH_TELLING_TERMS: usize = 6;

/// The most distinct query terms weighed: a query is a draft ticket, not a document.
pub const MAX_QUERY_TERMS: usize = 256;

/// A document's terms, ready for ranking: built once per document version and kept.
#[derive(Debug, Clone, Default)]
pub struct Analysed {
    title: HashSet<String>,
    body: HashSet<String>,
}

impl Analysed {
    /// Analyses a document. Single CJK characters are kept too, so that a one-character query
    /// (都) finds the documents that contain it inside longer words.
    pub fn new(title: &str, body: &str) -> Analysed {
        let with_unigrams = |text: &str| {
            let mut set: HashSet<String> = terms(text).into_iter().collect();
            let normalized: String = text.nfkc().collect::<String>().to_lowercase();
            set.extend(normalized.chars().filter(|c| is_cjk(*c)).map(String::from));
            set
        };
        Analysed {
            title: with_unigrams(title),
            body: with_unigrams(body),
        }
    }

    fn has(&self, term: &str) -> (bool, bool) {
        (self.title.contains(term), self.body.contains(term))
    }
}

/// Ranks analysed documents against `query`. Each query term weighs by its rarity among the
/// documents (IDF), three times over when in a title; terms found in most documents weigh
/// nothing. A document is related when the weight it matches is at least `min_share` of the
/// query's whole weight, or when it matches six telling terms. Answers (index, score), best
/// first.
pub fn rank(query: &str, documents: &[&Analysed], min_share: f64) -> Vec<(usize, f64)> {
    let mut query_terms = terms(query);
    query_terms.sort();
    query_terms.dedup();
    query_terms.truncate(MAX_QUERY_TERMS);
    if query_terms.is_empty() || documents.is_empty() {
        return Vec::new();
    }
    let n = documents.len() as f64;
    let weights: Vec<f64> = query_terms
        .iter()
        .map(|term| {
            let df = documents
                .iter()
                .filter(|d| d.has(term) != (false, false))
                .count() as f64;
            // A term in most documents tells them apart from nothing ("確認", "how", "the").
            if documents.len() >= 4 && df / n > 0.5 {
                0.0
            } else {
                ((n + 1.0) / (df + 0.5)).ln().max(0.05)
            }
        })
        .collect();
    let total: f64 = weights.iter().sum();
    if total == 0.0 {
        return Vec::new();
    }
    let mut scored: Vec<(usize, f64)> = documents
        .iter()
        .enumerate()
        .filter_map(|(i, doc)| {
            let mut matched = 0.0;
            let mut informative = 0usize;
            let mut score = 0.0;
            for (term, weight) in query_terms.iter().zip(&weights) {
                match doc.has(term) {
                    (false, false) => {}
                    (in_title, _) => {
                        matched += weight;
                        informative += usize::from(*weight > 0.0);
                        score += weight * if in_title { 3.0 } else { 1.0 };
                    }
                }
            }
            // A long description shares a small part of its terms with the article that
            // answers it: enough telling terms relate it whatever the share.
            let related = matched > 0.0
                && (matched / total >= min_share || informative >= ENOUGH_TELLING_TERMS);
            related.then_some((i, score))
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
        assert_eq!(terms("起動しません"), ["起動", "動し"]);
        assert_eq!(terms("ＡＷＳのError 404"), ["aws", "の", "error", "404"]);
        assert_eq!(terms("ｶﾅ"), ["カナ"]);
        assert_eq!(terms("都"), ["都"]);
        assert_eq!(terms("様々な"), ["様々", "々な"]);
    }

    fn docs(pairs: &[(&str, &str)]) -> Vec<Analysed> {
        pairs.iter().map(|(t, b)| Analysed::new(t, b)).collect()
    }

    fn best(query: &str, docs: &[Analysed]) -> Option<usize> {
        let refs: Vec<&Analysed> = docs.iter().collect();
        rank(query, &refs, 0.3).first().map(|h| h.0)
    }

    #[test]
    fn a_word_is_found_inside_a_longer_sentence() {
        let docs = docs(&[("仮想サーバーの障害について", ""), ("請求書の発行", "")]);
        assert_eq!(best("障害", &docs), Some(0));
        assert_eq!(best("障", &docs), Some(0), "one character finds it too");
    }

    #[test]
    fn a_longer_query_finds_the_article_about_its_core() {
        let docs = docs(&[
            (
                "請求書の発行方法",
                "毎月の請求書をダウンロードして確認してください",
            ),
            (
                "ポータルにログインできない場合",
                "パスワードの期限を確認してください",
            ),
            (
                "仮想サーバーのスナップショット",
                "取得手順を確認してください",
            ),
            ("Firewall rules are not applied", "Check the rule order"),
            ("How do I reset my password?", "Use the portal"),
        ]);
        assert_eq!(best("昨日からポータルにログインできません", &docs), Some(1));
        assert_eq!(best("snapshot スナップショット の取り方", &docs), Some(2));
        assert_eq!(best("How do I change the firewall?", &docs), Some(3));
        // Words every article has ("確認してください") relate nothing.
        assert_eq!(
            best(
                "データベースのバックアップが失敗します。確認してください。",
                &docs
            ),
            None
        );
    }

    #[test]
    fn shared_endings_relate_nothing() {
        let docs = docs(&[
            (
                "仮想サーバーのスナップショットを取得する方法",
                "ポータルの画面を開きます。取得中もサーバーは停止しません。",
            ),
            (
                "ポータルにログインできない場合の確認事項",
                "パスワードの有効期限を確認してください。",
            ),
        ]);
        let refs: Vec<&Analysed> = docs.iter().collect();
        let hits: Vec<usize> = rank("ポータルにログインできません", &refs, 0.3)
            .into_iter()
            .map(|h| h.0)
            .collect();
        assert_eq!(hits, [1]);
    }

    #[test]
    fn unrelated_text_finds_nothing() {
        let docs = docs(&[("ロードバランサーの設定", "")]);
        assert_eq!(best("請求書", &docs), None);
        assert_eq!(best("", &docs), None);
    }
}
