//! API tokens as their owners keep them (issue 13): a name to recognise each by, and an
//! optional expiry after which the token is refused.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::ticket::parse_moment;
use crate::validation::{Invalid, Problem};
use crate::values::Name;

/// A token about to be issued, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub name: Name,
    /// `None`: the token works until revoked.
    pub expires_at: Option<Timestamp>,
}

/// Checks what a user typed for a new token: a name (required) and an expiry (optional) that
/// must lie in the future. The expiry is RFC 3339, a local date and time, or a date alone,
/// read in `tz`: a date means the token works through that whole day.
pub fn check_new_token(
    name: Option<&str>,
    expires_at: Option<&str>,
    tz: &TimeZone,
    now: Timestamp,
) -> Result<NewToken, Invalid> {
    let mut errors = Invalid::new();
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => errors.check("name", Name::parse(n)),
        None => {
            errors.push("name", Problem::Required);
            None
        }
    };
    let expires_at = match expires_at.map(str::trim).filter(|e| !e.is_empty()) {
        None => Some(None),
        Some(text) => match errors.check("expires_at", parse_expiry(text, tz)) {
            Some(at) if at <= now => {
                errors.push(
                    "expires_at",
                    Problem::Conflicts {
                        reason: "problem.expiry_in_past",
                    },
                );
                None
            }
            Some(at) => Some(Some(at)),
            None => None,
        },
    };
    errors.into_result()?;
    Ok(NewToken {
        name: name.expect("checked above"),
        expires_at: expires_at.expect("checked above"),
    })
}

fn parse_expiry(text: &str, tz: &TimeZone) -> Result<Timestamp, Problem> {
    // jiff reads a date out of a date and time as well: only a date alone is a whole day.
    let date_alone = !text.contains(['T', 't', ' ']);
    if date_alone && let Ok(date) = text.parse::<Date>() {
        // Through that day: the token stops at its last second in the owner's zone, which is
        // also what the pages show (23:59, not the next day's 00:00).
        return date
            .tomorrow()
            .and_then(|d| d.to_zoned(tz.clone()))
            .map(|z| z.timestamp() - jiff::SignedDuration::from_secs(1))
            .map_err(|_| Problem::Conflicts {
                reason: "problem.not_a_datetime",
            });
    }
    parse_moment(text, tz)
}

/// Whether a token with this expiry still works at `now`.
pub fn is_live(expires_at: Option<Timestamp>, now: Timestamp) -> bool {
    expires_at.is_none_or(|at| at > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo() -> TimeZone {
        TimeZone::get("Asia/Tokyo").unwrap()
    }

    fn fields(e: Invalid) -> Vec<(String, &'static str)> {
        e.0.into_iter()
            .map(|f| (f.field, f.problem.key()))
            .collect()
    }

    #[test]
    fn a_date_means_through_that_day_in_the_owners_zone() {
        let now: Timestamp = "2026-11-30T00:00:00Z".parse().unwrap();
        let token = check_new_token(Some(" CI "), Some("2026-12-31"), &tokyo(), now).unwrap();
        assert_eq!(token.name.as_str(), "CI");
        assert_eq!(
            token.expires_at,
            Some("2026-12-31T14:59:59Z".parse().unwrap())
        );
        let forever = check_new_token(Some("CI"), Some(""), &tokyo(), now).unwrap();
        assert_eq!(forever.expires_at, None);
        let exact =
            check_new_token(Some("CI"), Some("2026-12-01T00:00:00+09:00"), &tokyo(), now).unwrap();
        assert_eq!(
            exact.expires_at,
            Some("2026-11-30T15:00:00Z".parse().unwrap())
        );
    }

    #[test]
    fn a_name_is_required_and_the_expiry_lies_ahead() {
        let now: Timestamp = "2026-11-30T00:00:00Z".parse().unwrap();
        let e = check_new_token(Some("  "), Some("2026-01-01"), &tokyo(), now).unwrap_err();
        assert_eq!(
            fields(e),
            [
                ("name".to_owned(), "problem.required"),
                ("expires_at".to_owned(), "problem.expiry_in_past")
            ]
        );
        let e = check_new_token(Some("CI"), Some("next week"), &tokyo(), now).unwrap_err();
        assert_eq!(
            fields(e),
            [("expires_at".to_owned(), "problem.not_a_datetime")]
        );
    }

    #[test]
    fn an_expired_token_is_not_live() {
        let now: Timestamp = "2026-11-30T00:00:00Z".parse().unwrap();
        assert!(is_live(None, now));
        assert!(is_live(Some("2026-11-30T00:00:01Z".parse().unwrap()), now));
        assert!(!is_live(Some(now), now));
    }
}
