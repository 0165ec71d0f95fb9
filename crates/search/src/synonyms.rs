//! Synonyms and paraphrases of a cloud provider's support (起動しない = 立ち上がらない,
//! サインイン = ログイン, VM = 仮想サーバー…): groups of phrases that mean the same, applied to
//! queries, never to the index, so that an agent's edit takes effect at once.

use crate::analysis::{fold, normalize};

/// The seed groups, one per line, phrases separated by ` = `; `#` starts a comment.
pub const SEED: &str = include_str!("../data/synonyms.txt");

/// The seed groups, parsed.
pub fn seed_groups() -> Vec<Vec<String>> {
    SEED.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split('=')
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|g| g.len() >= 2)
        .collect()
}

/// The groups in force.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group's phrases: (normalized, folded).
    groups: Vec<Vec<(String, String)>>,
}

impl Synonyms {
    pub fn new<I, G, S>(groups: I) -> Synonyms
    where
        I: IntoIterator<Item = G>,
        G: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Synonyms {
            groups: groups
                .into_iter()
                .map(|g| {
                    g.into_iter()
                        .map(|p| {
                            let n = normalize(p.as_ref());
                            let f = fold(&n);
                            (n, f)
                        })
                        .filter(|(n, _)| !n.trim().is_empty())
                        .collect::<Vec<_>>()
                })
                .filter(|g| g.len() >= 2)
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Other ways of saying `text` (normalized): each phrase of a group found in it replaced by
    /// each other phrase of that group. The text itself is not among them.
    pub fn alternatives(&self, text: &str) -> Vec<String> {
        let folded = fold(text);
        let mut out: Vec<String> = Vec::new();
        for group in &self.groups {
            for (i, (phrase, folded_phrase)) in group.iter().enumerate() {
                let literal = contains_word(text, phrase);
                if !literal && !contains_word(&folded, folded_phrase) {
                    continue;
                }
                for (j, (other, _)) in group.iter().enumerate() {
                    if i == j {
                        continue;
                    }
                    let alternative = if literal {
                        text.replacen(phrase.as_str(), other, 1)
                    } else {
                        other.clone()
                    };
                    if alternative != text && !out.contains(&alternative) {
                        out.push(alternative);
                    }
                }
                break;
            }
        }
        out.truncate(16);
        out
    }
}

/// Is `phrase` in `text`, not inside a longer Latin word (vm in "vmware" is no match)?
fn contains_word(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let latin = |c: char| c.is_ascii_alphanumeric();
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        let starts_latin = phrase.chars().next().is_some_and(latin);
        let ends_latin = phrase.chars().next_back().is_some_and(latin);
        !(starts_latin && before.is_some_and(latin) || ends_latin && after.is_some_and(latin))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_is_replaced_by_its_synonyms() {
        let s = Synonyms::new([vec!["サインイン", "ログイン"], vec!["vm", "仮想サーバー"]]);
        assert_eq!(
            s.alternatives(&normalize("サインインできない")),
            ["ログインできない"]
        );
        assert_eq!(
            s.alternatives(&normalize("ＶＭ 起動")),
            ["仮想サーバー 起動"]
        );
        assert!(s.alternatives("vmware").is_empty());
        assert_eq!(s.alternatives(&normalize("さいんいん")), ["ログイン"]);
    }

    #[test]
    fn the_seed_has_enough_groups() {
        assert!(seed_groups().len() >= 150, "{}", seed_groups().len());
    }
}
