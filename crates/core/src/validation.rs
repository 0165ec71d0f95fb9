//! Input errors that say which field is wrong and how to fix it.
//!
//! A [`Problem`] is a code with arguments, not a sentence: the web layer words it in the
//! reader's language from the locale files, so the same rule reads right in ja and en.

use crate::codes::UnknownCode;

/// What is wrong with one input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Nothing was given where something is required.
    Required,
    /// Nothing was chosen where a choice is required (a select, a set of options).
    NotChosen,
    /// Longer than allowed.
    TooLong { max: usize },
    /// More items than allowed (files, participants).
    TooMany { max: usize },
    /// Contains characters the field does not take; `allowed` says which it does.
    BadCharacters { allowed: &'static str },
    /// Not an email address.
    NotAnEmail,
    /// Not one of a fixed set of codes.
    UnknownCode(UnknownCode),
    /// Not one of the choices offered (an unknown tenant, a menu item option…).
    NotAChoice { allowed: Vec<String> },
    /// Already used by another record (a contract number, an email address…).
    Taken,
    /// Refers to something that does not exist or is not visible to the caller.
    NotFound,
    /// The value is well-formed but does not fit with the others; `reason` is a locale key.
    Conflicts { reason: &'static str },
    /// Given twice in one input (a file's rows): `line` is where it was given first.
    Repeated { line: u64 },
    /// Other records still use this one, so it stays: `reason` is a locale key worded with
    /// `{count}` (all of them) and `{examples}` (the first few, e.g. ticket keys).
    InUse {
        reason: &'static str,
        count: u64,
        examples: Vec<String>,
    },
}

impl Problem {
    /// The locale key that words this problem.
    pub fn key(&self) -> &'static str {
        match self {
            Problem::Required => "problem.required",
            Problem::NotChosen => "problem.not_chosen",
            Problem::TooLong { .. } => "problem.too_long",
            Problem::TooMany { .. } => "problem.too_many",
            Problem::BadCharacters { .. } => "problem.bad_characters",
            Problem::NotAnEmail => "problem.not_an_email",
            Problem::UnknownCode(_) => "problem.unknown_code",
            Problem::NotAChoice { .. } => "problem.not_a_choice",
            Problem::Taken => "problem.taken",
            Problem::NotFound => "problem.not_found",
            Problem::Conflicts { reason } => reason,
            Problem::Repeated { .. } => "problem.repeated",
            Problem::InUse { reason, .. } => reason,
        }
    }

    /// The values the wording refers to, as `{name}` placeholders.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Problem::TooLong { max } | Problem::TooMany { max } => vec![("max", max.to_string())],
            Problem::BadCharacters { allowed } => vec![("allowed", (*allowed).to_owned())],
            Problem::UnknownCode(e) => vec![
                ("given", e.given.clone()),
                ("allowed", e.allowed.join(", ")),
            ],
            Problem::NotAChoice { allowed } => vec![("allowed", allowed.join(", "))],
            Problem::Repeated { line } => vec![("line", line.to_string())],
            Problem::InUse {
                count, examples, ..
            } => vec![
                ("count", count.to_string()),
                ("examples", examples.join(", ")),
            ],
            _ => Vec::new(),
        }
    }
}

/// Bidirectional embedding, override and isolate controls: invisible, and able to make a line
/// read differently from what it holds (a file name `exe.txt` shown as `txt.exe`).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl From<UnknownCode> for Problem {
    fn from(e: UnknownCode) -> Self {
        Problem::UnknownCode(e)
    }
}

/// One field's problem; `field` is the JSON path of the input (`summary`,
/// `menu_fields.server_name`, `incident.occurred_at`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

/// Every problem found in one input, so that the user can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| format!("{} ({})", e.field, e.problem.key())).collect::<Vec<_>>().join(", "))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn new() -> Self {
        Self::default()
    }

    /// A single problem with a single field.
    pub fn one(field: impl Into<String>, problem: Problem) -> Self {
        Invalid(vec![FieldError {
            field: field.into(),
            problem,
        }])
    }

    pub fn push(&mut self, field: impl Into<String>, problem: Problem) {
        self.0.push(FieldError {
            field: field.into(),
            problem,
        });
    }

    /// Keeps the parsed value, or records the problem under `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Problem>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(p) => {
                self.push(field, p);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was wrong.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}
