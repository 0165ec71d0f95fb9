//! Call attempts on callback tickets (SPEC §6): each call an agent makes, with its outcome.
//! A call that reaches the customer is support's response; the others are for the desk only.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::codes::CallbackOutcome;
use crate::ticket::parse_moment;
use crate::validation::{Invalid, Problem, is_bidi_control};

/// One call made for a callback ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackAttempt {
    pub id: String,
    pub ticket_id: String,
    pub agent_id: String,
    pub outcome: CallbackOutcome,
    pub note: Option<String>,
    /// When to call again: set exactly for `rescheduled`.
    pub next_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// A call attempt whose fields follow the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCallbackAttempt {
    pub outcome: CallbackOutcome,
    pub note: Option<String>,
    pub next_at: Option<Timestamp>,
}

impl NewCallbackAttempt {
    /// A reached customer heard from support: the call shows in their response log and
    /// counts as a response for the SLA. The other outcomes are the desk's own business.
    pub fn is_public(&self) -> bool {
        self.outcome == CallbackOutcome::Reached
    }
}

/// The longest note an attempt carries.
pub const NOTE_MAX: usize = 2_000;

/// A call attempt as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawCallbackAttempt<'a> {
    pub outcome: Option<&'a str>,
    pub note: Option<&'a str>,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` read in the agent's time zone (the page's
    /// `datetime-local`).
    pub next_at: Option<&'a str>,
}

/// Checks an attempt: a known outcome; a note of at most [`NOTE_MAX`] characters; `next_at`
/// required for `rescheduled`, refused otherwise, and in the future. Every problem at once.
pub fn check_attempt(
    raw: &RawCallbackAttempt<'_>,
    time_zone: &TimeZone,
    now: Timestamp,
) -> Result<NewCallbackAttempt, Invalid> {
    let mut errors = Invalid::new();
    let outcome = match raw.outcome.map(str::trim).filter(|o| !o.is_empty()) {
        None => {
            errors.push(
                "outcome",
                Problem::Conflicts {
                    reason: "problem.choose_one",
                },
            );
            None
        }
        Some(o) => errors.check("outcome", CallbackOutcome::parse(o).map_err(Problem::from)),
    };
    let note = match raw.note.map(str::trim).filter(|n| !n.is_empty()) {
        None => None,
        Some(n) if n.chars().count() > NOTE_MAX => {
            errors.push("note", Problem::TooLong { max: NOTE_MAX });
            None
        }
        Some(n)
            if n.chars().any(|c| {
                (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_bidi_control(c)
            }) =>
        {
            errors.push("note", Problem::BadCharacters { allowed: "text" });
            None
        }
        Some(n) => Some(n.to_owned()),
    };
    let typed_next = raw.next_at.map(str::trim).filter(|n| !n.is_empty());
    let next_at = match (outcome, typed_next) {
        (Some(CallbackOutcome::Rescheduled), None) => {
            errors.push("next_at", Problem::Required);
            None
        }
        (Some(CallbackOutcome::Rescheduled), Some(text)) => {
            match errors.check("next_at", parse_moment(text, time_zone)) {
                Some(at) if at <= now => {
                    errors.push(
                        "next_at",
                        Problem::Conflicts {
                            reason: "problem.next_at_in_past",
                        },
                    );
                    None
                }
                other => other,
            }
        }
        (Some(_), Some(_)) => {
            errors.push(
                "next_at",
                Problem::Conflicts {
                    reason: "problem.next_at_for_rescheduled_only",
                },
            );
            None
        }
        (_, _) => None,
    };
    errors.into_result()?;
    Ok(NewCallbackAttempt {
        outcome: outcome.expect("checked above"),
        note,
        next_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo() -> TimeZone {
        TimeZone::get("Asia/Tokyo").unwrap()
    }

    fn now() -> Timestamp {
        "2026-11-30T01:00:00Z".parse().unwrap()
    }

    fn check(outcome: &str, next_at: Option<&str>) -> Result<NewCallbackAttempt, Invalid> {
        check_attempt(
            &RawCallbackAttempt {
                outcome: Some(outcome),
                note: Some("  話し中  "),
                next_at,
            },
            &tokyo(),
            now(),
        )
    }

    fn fields(e: Invalid) -> Vec<(String, &'static str)> {
        e.0.into_iter()
            .map(|f| (f.field, f.problem.key()))
            .collect()
    }

    #[test]
    fn each_outcome_without_a_next_time_except_rescheduled() {
        for outcome in ["reached", "no_answer", "voicemail"] {
            let a = check(outcome, None).unwrap();
            assert_eq!(a.outcome.code(), outcome);
            assert_eq!(a.note.as_deref(), Some("話し中"));
            assert_eq!(a.next_at, None);
            assert_eq!(a.is_public(), outcome == "reached");
        }
        assert_eq!(
            fields(check("voicemail", Some("2026-12-01T10:00")).unwrap_err()),
            [("next_at".to_owned(), "problem.next_at_for_rescheduled_only")]
        );
    }

    #[test]
    fn rescheduled_needs_a_future_time_in_the_agents_zone_or_with_an_offset() {
        let a = check("rescheduled", Some("2026-11-30T14:30")).unwrap();
        assert_eq!(a.next_at, Some("2026-11-30T05:30:00Z".parse().unwrap()));
        let a = check("rescheduled", Some("2026-11-30T02:00:00+00:00")).unwrap();
        assert_eq!(a.next_at, Some("2026-11-30T02:00:00Z".parse().unwrap()));
        assert_eq!(
            fields(check("rescheduled", None).unwrap_err()),
            [("next_at".to_owned(), "problem.required")]
        );
        assert_eq!(
            fields(check("rescheduled", Some("2026-11-30T09:59")).unwrap_err()),
            [("next_at".to_owned(), "problem.next_at_in_past")]
        );
        assert_eq!(
            fields(check("rescheduled", Some("tomorrow")).unwrap_err()),
            [("next_at".to_owned(), "problem.not_a_datetime")]
        );
    }

    #[test]
    fn unknown_outcomes_and_long_notes_are_named() {
        let e = check_attempt(
            &RawCallbackAttempt {
                outcome: Some("busy"),
                note: Some(&"あ".repeat(NOTE_MAX + 1)),
                next_at: None,
            },
            &tokyo(),
            now(),
        )
        .unwrap_err();
        assert_eq!(
            fields(e),
            [
                ("outcome".to_owned(), "problem.unknown_code"),
                ("note".to_owned(), "problem.too_long")
            ]
        );
        let e = check_attempt(&RawCallbackAttempt::default(), &tokyo(), now()).unwrap_err();
        assert_eq!(fields(e), [("outcome".to_owned(), "problem.choose_one")]);
    }
}
