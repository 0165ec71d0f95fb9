//! Japanese-aware analysis: what a text becomes in the index, and what a query becomes.
//!
//! Two analyses of the same text go to two fields of every index:
//!
//! - **bigrams** (`*_cjk`): runs of CJK characters become overlapping character bigrams, as
//!   Elasticsearch's `cjk` analyzer does, each run's last character standing alone too, so
//!   that a one-character query (都) is a prefix of some term wherever that character is;
//!   Latin and digit runs become words. Recall, and words no dictionary knows.
//! - **morphemes** (`*_ja`): a morphological analyzer (lindera with IPADIC built from
//!   Debian's `mecab-ipadic`) splits Japanese into words and keeps the base form of content
//!   words (起動しません → 起動), dropping particles and auxiliaries; English words are
//!   stemmed (applied → appli, apply → appli). Precision.
//!
//! Both fold the variants a Japanese customer types: NFKC (full-width ＡＢＣ and half-width ｶﾅ),
//! lower case, katakana to hiragana (ログイン = ろぐいん), long vowel marks dropped (サーバー =
//! サーバ), and the iteration mark 々 spelled out (様々 = 様様).

use std::sync::Arc;

use lindera::dictionary::Dictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use unicode_normalization::UnicodeNormalization;

/// Is this character written without spaces between words (Han, Hiragana, Katakana)?
pub fn is_cjk(c: char) -> bool {
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

/// NFKC and lower case: the form both analyses start from. Offsets of tokens refer to it.
pub fn normalize(text: &str) -> String {
    text.nfkc().collect::<String>().to_lowercase()
}

/// Folds one term: katakana to hiragana, long vowel marks dropped, 々 spelled out.
pub fn fold(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    let mut previous: Option<char> = None;
    for c in term.chars() {
        let folded = match c {
            'ー' | '〜' | '～' => continue,
            '々' => match previous {
                Some(p) => p,
                None => c,
            },
            _ => fold_char(c),
        };
        out.push(folded);
        previous = Some(folded);
    }
    out
}

/// Katakana to hiragana (ァ..ヶ sit 0x60 above their hiragana).
fn fold_char(c: char) -> char {
    match c {
        '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

/// One analysed term with its byte span in the normalized text (for snippets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// Splits normalized text into runs: (is_cjk, start, end).
fn runs(normalized: &str) -> Vec<(bool, usize, usize)> {
    let mut runs = Vec::new();
    let mut current: Option<(bool, usize)> = None;
    for (i, c) in normalized.char_indices() {
        let kind = if is_cjk(c) {
            Some(true)
        } else if c.is_alphanumeric() {
            Some(false)
        } else {
            None
        };
        match (current, kind) {
            (Some((k, start)), Some(now)) if k != now => {
                runs.push((k, start, i));
                current = Some((now, i));
            }
            (Some(_), Some(_)) => {}
            (Some((k, start)), None) => {
                runs.push((k, start, i));
                current = None;
            }
            (None, Some(now)) => current = Some((now, i)),
            (None, None) => {}
        }
    }
    if let Some((k, start)) = current {
        runs.push((k, start, normalized.len()));
    }
    runs
}

/// Bigrams of the CJK runs (each run's last character alone too) and the Latin words of
/// normalized text.
pub fn bigrams(normalized: &str) -> Vec<Term> {
    let mut terms = Vec::new();
    for (cjk, start, end) in runs(normalized) {
        let run = &normalized[start..end];
        if !cjk {
            terms.push(Term {
                text: run.to_owned(),
                from: start,
                to: end,
            });
            continue;
        }
        // Fold per character, keeping each folded character's source span; marks that fold
        // to nothing (ー) are skipped.
        let mut chars: Vec<(char, usize, usize)> = Vec::new();
        for (i, c) in run.char_indices() {
            let folded = match c {
                'ー' | '〜' | '～' => continue,
                '々' => chars.last().map_or(c, |p| p.0),
                _ => fold_char(c),
            };
            chars.push((folded, start + i, start + i + c.len_utf8()));
        }
        for (i, (c, from, to)) in chars.iter().enumerate() {
            match chars.get(i + 1) {
                Some((next, _, next_to)) => terms.push(Term {
                    text: format!("{c}{next}"),
                    from: *from,
                    to: *next_to,
                }),
                None => terms.push(Term {
                    text: c.to_string(),
                    from: *from,
                    to: *to,
                }),
            }
        }
    }
    terms
}

/// Verbs and auxiliaries that carry no topic of their own.
const STOP_BASE_FORMS: &[&str] = &[
    "する",
    "ある",
    "いる",
    "なる",
    "できる",
    "れる",
    "られる",
    "せる",
    "させる",
    "いく",
    "くる",
    "おる",
    "くださる",
    "いただく",
    "ござる",
    "やる",
    "もらう",
    "みる",
    "しまう",
    "おく",
    "ない",
    "こと",
    "もの",
    "ため",
    "よう",
    "とき",
    "場合",
    "方法",
];

/// English words too common to tell one document from another.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from",
    "how", "i", "if", "in", "into", "is", "it", "my", "of", "on", "or", "our", "so", "that", "the",
    "this", "to", "was", "we", "what", "when", "where", "which", "why", "will", "with", "you",
    "your",
];

/// The morphological analyzer, when its dictionary could be had.
#[derive(Clone)]
pub struct Analyzer {
    segmenter: Option<Arc<Segmenter>>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("morphology", &self.segmenter.is_some())
            .finish()
    }
}

impl Analyzer {
    /// An analyzer over a loaded IPADIC dictionary.
    pub fn with_dictionary(dictionary: Dictionary) -> Analyzer {
        Analyzer {
            segmenter: Some(Arc::new(Segmenter::new(Mode::Normal, dictionary, None))),
        }
    }

    /// Bigrams and words only: where no dictionary could be built.
    pub fn bigrams_only() -> Analyzer {
        Analyzer { segmenter: None }
    }

    pub fn has_morphology(&self) -> bool {
        self.segmenter.is_some()
    }

    /// Content words of normalized text: base forms of Japanese nouns, verbs and adjectives
    /// (folded), stemmed English words. Without a dictionary, the CJK runs stand whole.
    pub fn morphemes(&self, normalized: &str) -> Vec<Term> {
        let mut terms = Vec::new();
        for (cjk, start, end) in runs(normalized) {
            let run = &normalized[start..end];
            if !cjk {
                if !STOPWORDS.contains(&run) {
                    terms.push(Term {
                        text: stem(run),
                        from: start,
                        to: end,
                    });
                }
                continue;
            }
            let Some(segmenter) = &self.segmenter else {
                terms.push(Term {
                    text: fold(run),
                    from: start,
                    to: end,
                });
                continue;
            };
            let Ok(tokens) = segmenter.segment(std::borrow::Cow::Borrowed(run)) else {
                continue;
            };
            for mut token in tokens {
                let surface = token.surface.to_string();
                let (from, to) = (start + token.byte_start, start + token.byte_end);
                let details = token.details();
                let pos = details.first().copied().unwrap_or("");
                let pos1 = details.get(1).copied().unwrap_or("");
                let base = details.get(6).copied().filter(|b| *b != "*");
                let keep = match pos {
                    "名詞" => !matches!(pos1, "非自立" | "代名詞" | "接尾" | "数"),
                    "動詞" | "形容詞" => pos1 == "自立",
                    "UNK" => true,
                    "副詞" | "接頭詞" => false,
                    _ => false,
                };
                let word = base.unwrap_or(&surface);
                if !keep || STOP_BASE_FORMS.contains(&word) {
                    continue;
                }
                let folded = fold(word);
                if folded.is_empty() {
                    continue;
                }
                terms.push(Term {
                    text: folded,
                    from,
                    to,
                });
            }
        }
        terms
    }
}

/// English stemming, enough for support text: plurals and the common verb endings.
pub fn stem(word: &str) -> String {
    if word.len() <= 3 || !word.chars().all(|c| c.is_ascii_lowercase()) {
        return word.to_owned();
    }
    let cut = |suffix: &str, keep: usize| -> Option<String> {
        let base = word.strip_suffix(suffix)?;
        (base.len() >= keep).then(|| base.to_owned())
    };
    cut("ies", 2)
        .map(|b| b + "y")
        .or_else(|| cut("ing", 3))
        .or_else(|| cut("ied", 2).map(|b| b + "y"))
        .or_else(|| cut("ed", 3))
        .or_else(|| {
            cut("es", 4).filter(|b| {
                b.ends_with('s') || b.ends_with('x') || b.ends_with("ch") || b.ends_with("sh")
            })
        })
        .or_else(|| cut("s", 3).filter(|b| !b.ends_with('s')))
        .map(|b| b.trim_end_matches('e').to_owned())
        .unwrap_or_else(|| word.trim_end_matches('e').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(terms: Vec<Term>) -> Vec<String> {
        terms.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn japanese_becomes_bigrams_with_the_last_character_alone() {
        assert_eq!(
            texts(bigrams(&normalize("ログイン"))),
            ["ろぐ", "ぐい", "いん", "ん"]
        );
        assert_eq!(
            texts(bigrams(&normalize("ＡＷＳのError 404"))),
            ["aws", "の", "error", "404"]
        );
        assert_eq!(texts(bigrams(&normalize("都"))), ["都"]);
    }

    #[test]
    fn variants_fold_to_one_spelling() {
        let same = |a: &str, b: &str| {
            assert_eq!(
                texts(bigrams(&normalize(a))),
                texts(bigrams(&normalize(b))),
                "{a} vs {b}"
            )
        };
        same("サーバー", "サーバ");
        same("ｻｰﾊﾞｰ", "サーバー");
        same("ログイン", "ろぐいん");
        same("様々", "様様");
        same("ＶＭ", "vm");
    }

    #[test]
    fn bigram_offsets_point_into_the_normalized_text() {
        let text = normalize("仮想サーバーの障害");
        for term in bigrams(&text) {
            assert!(text.get(term.from..term.to).is_some(), "{term:?}");
        }
    }

    #[test]
    fn english_is_stemmed() {
        assert_eq!(stem("applied"), stem("apply"));
        assert_eq!(stem("rules"), stem("rule"));
        assert_eq!(stem("connecting"), stem("connect"));
        assert_eq!(stem("snapshots"), stem("snapshot"));
    }
}
