//! The words users read, from `locales/<area>.<lang>.toml`: `ja.toml` / `en.toml` for the
//! portal, one pair per further area (the desk's queues, the agent's ticket page, …), so that
//! each area's words sit together. A key lives in exactly one area (a test checks it).

use std::collections::HashMap;
use std::sync::LazyLock;

use madoguchi_core::{Locale, Problem, Role};

type Texts = HashMap<String, String>;

/// Every locale file of one language, compiled in: `(file name, source)`.
macro_rules! locale_files {
    ($lang:literal) => {
        [
            (
                concat!($lang, ".toml"),
                include_str!(concat!("../locales/", $lang, ".toml")),
            ),
            (
                concat!("desk.", $lang, ".toml"),
                include_str!(concat!("../locales/desk.", $lang, ".toml")),
            ),
            (
                concat!("sla.", $lang, ".toml"),
                include_str!(concat!("../locales/sla.", $lang, ".toml")),
            ),
            (
                concat!("workflow.", $lang, ".toml"),
                include_str!(concat!("../locales/workflow.", $lang, ".toml")),
            ),
            (
                concat!("merge.", $lang, ".toml"),
                include_str!(concat!("../locales/merge.", $lang, ".toml")),
            ),
            // Split so that the key check below does not read `canned.` as a key.
            (
                concat!("canned", ".", $lang, ".toml"),
                include_str!(concat!("../locales/canned", ".", $lang, ".toml")),
            ),
            (
                concat!("queues.", $lang, ".toml"),
                include_str!(concat!("../locales/queues.", $lang, ".toml")),
            ),
            (
                concat!("notify.", $lang, ".toml"),
                include_str!(concat!("../locales/notify.", $lang, ".toml")),
            ),
            (
                concat!("search.", $lang, ".toml"),
                include_str!(concat!("../locales/search.", $lang, ".toml")),
            ),
            (
                concat!("console.", $lang, ".toml"),
                include_str!(concat!("../locales/console.", $lang, ".toml")),
            ),
            (
                concat!("audit.", $lang, ".toml"),
                include_str!(concat!("../locales/audit.", $lang, ".toml")),
            ),
            (
                concat!("users.", $lang, ".toml"),
                include_str!(concat!("../locales/users.", $lang, ".toml")),
            ),
            (
                concat!("catalog.", $lang, ".toml"),
                include_str!(concat!("../locales/catalog.", $lang, ".toml")),
            ),
            (
                concat!("import.", $lang, ".toml"),
                include_str!(concat!("../locales/import.", $lang, ".toml")),
            ),
        ]
    };
}

fn load(files: &[(&str, &str)]) -> Texts {
    let mut texts = Texts::new();
    for (name, source) in files {
        // The files are compiled in and checked by the tests below: failing here is a build bug.
        let file: Texts =
            toml::from_str(source).unwrap_or_else(|e| panic!("locales/{name} is not valid: {e}"));
        for (key, value) in file {
            if texts.insert(key.clone(), value).is_some() {
                panic!("locales/{name}: `{key}` is defined in another file too");
            }
        }
    }
    texts
}

static JA: LazyLock<Texts> = LazyLock::new(|| load(&locale_files!("ja")));
static EN: LazyLock<Texts> = LazyLock::new(|| load(&locale_files!("en")));

/// The text of `key` in `locale`; the key itself when missing, so a gap shows but breaks
/// nothing.
pub fn text(locale: Locale, key: &str) -> &str {
    let texts: &'static Texts = match locale {
        Locale::Ja => &JA,
        Locale::En => &EN,
    };
    texts.get(key).map(String::as_str).unwrap_or(key)
}

/// The text of `key` with `{name}` placeholders filled in.
pub fn text_with(locale: Locale, key: &str, args: &[(&str, String)]) -> String {
    let mut out = text(locale, key).to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// How a field problem reads in `locale`.
pub fn problem(locale: Locale, problem: &Problem) -> String {
    text_with(locale, problem.key(), &problem.args())
}

/// A role's display name.
pub fn role(locale: Locale, role: Role) -> &'static str {
    let texts: &'static Texts = match locale {
        Locale::Ja => &JA,
        Locale::En => &EN,
    };
    texts
        .get(&format!("role.{}", role.code()))
        .map(String::as_str)
        .unwrap_or(role.code())
}

/// What templates hold to word the page in the reader's language.
#[derive(Debug, Clone, Copy)]
pub struct Words(pub Locale);

impl Words {
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        text(self.0, key)
    }

    /// The version of the stylesheet and script, for their URLs. Here because every page
    /// template has its words at hand.
    pub fn assets(&self) -> &'static str {
        crate::ui::assets_version()
    }

    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
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

    #[test]
    fn every_problem_is_worded() {
        use madoguchi_core::UnknownCode;
        let problems = [
            Problem::Required,
            Problem::NotChosen,
            Problem::TooLong { max: 3 },
            Problem::TooMany { max: 3 },
            Problem::BadCharacters { allowed: "a" },
            Problem::NotAnEmail,
            Problem::UnknownCode(UnknownCode {
                what: "plan",
                given: "gold".into(),
                allowed: vec!["basic"],
            }),
            Problem::NotAChoice {
                allowed: vec!["a".into()],
            },
            Problem::Taken,
            Problem::NotFound,
            Problem::Repeated { line: 3 },
            Problem::InUse {
                reason: "problem.in_use_by_tickets_named",
                count: 7,
                examples: vec!["SD-1001".into(), "…".into()],
            },
        ];
        for p in problems {
            for locale in Locale::ALL {
                let words = problem(*locale, &p);
                assert_ne!(words, p.key(), "{} has no {} wording", p.key(), locale);
                assert!(!words.contains('{'), "{words}");
            }
        }
        assert_eq!(
            problem(Locale::En, &Problem::TooLong { max: 200 }),
            "Use at most 200 characters."
        );
        assert_eq!(
            problem(Locale::Ja, &Problem::NotChosen),
            "選択してください。"
        );
    }

    /// Every locale key the code and the templates use, found by reading the sources, is
    /// worded in both languages: a missing one would reach users as a raw key.
    #[test]
    fn every_key_in_the_sources_is_worded() {
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs" || e == "html")
                    // Event codes (and the outbox kinds named after them) look like keys but
                    // are not words anyone reads.
                    && !path.ends_with("event.rs")
                    && !path.ends_with("core/src/notify.rs")
                {
                    out.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for dir in ["src", "templates", "../core/src"] {
            sources(&root.join(dir), &mut texts);
        }
        let mut keys = std::collections::BTreeSet::new();
        for text in &texts {
            for quoted in text.split('"').skip(1).step_by(2) {
                let is_key = [
                    "problem.",
                    "login.",
                    "error.",
                    "new.",
                    "list.",
                    "ticket.",
                    "home.",
                    "permissions.",
                    "nav.",
                    "kb.",
                    "workflow.",
                    "canned.",
                    "report.",
                    "notify.",
                    "audit.",
                    "users.",
                    "import.",
                    "catalog.",
                    "sla_console.",
                ]
                .iter()
                .any(|p| quoted.starts_with(p))
                    && quoted
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                    && !quoted.ends_with(".html")
                    // A prefix (`"workflow."` naming a locale file, `"catalog.channel_"` a
                    // family of keys) is not a key.
                    && !quoted.ends_with('.')
                    && !quoted.ends_with('_');
                if is_key {
                    keys.insert(quoted.to_owned());
                }
            }
        }
        assert!(keys.len() > 50, "found only {} keys", keys.len());
        for key in keys {
            assert!(JA.contains_key(&key), "{key} has no Japanese wording");
            assert!(EN.contains_key(&key), "{key} has no English wording");
        }
    }
}
