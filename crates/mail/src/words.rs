//! The words of emails, from `locales/mail.{ja,en}.toml` (compiled in).

use std::collections::HashMap;
use std::sync::LazyLock;

type Texts = HashMap<String, String>;

fn load(source: &str, name: &str) -> Texts {
    // Compiled in and checked by the tests below: failing here is a build bug.
    toml::from_str(source).unwrap_or_else(|e| panic!("locales/{name} is not valid: {e}"))
}

static JA: LazyLock<Texts> =
    LazyLock::new(|| load(include_str!("../locales/mail.ja.toml"), "mail.ja.toml"));
static EN: LazyLock<Texts> =
    LazyLock::new(|| load(include_str!("../locales/mail.en.toml"), "mail.en.toml"));

/// The text of `key` in `lang` (`ja` or `en`, anything else reads as `ja`) with `{name}`
/// placeholders filled in; the key itself when missing, so that a gap shows.
pub fn text(lang: &str, key: &str, args: &[(&str, &str)]) -> String {
    let texts: &Texts = if lang == "en" { &EN } else { &JA };
    let mut out = texts.get(key).cloned().unwrap_or_else(|| key.to_owned());
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let mut ja: Vec<_> = JA.keys().collect();
        let mut en: Vec<_> = EN.keys().collect();
        ja.sort();
        en.sort();
        assert_eq!(ja, en);
    }
}
