//! The filer's rating of a closed ticket (SPEC §5, beyond the guide): once, 1–5 with an
//! optional comment. Only the person who filed rates: participants read along but did not ask.

use crate::codes::Status;
use crate::model::User;
use crate::ticket::Ticket;
use crate::validation::{Invalid, Problem, is_bidi_control};

/// The longest comment a rating carries.
pub const COMMENT_MAX: usize = 2_000;

/// A rating whose fields follow the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub rating: u8,
    pub comment: Option<String>,
}

/// Why a rating may not be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RatingRefusal {
    /// Support does not rate itself.
    #[error("only the customer who filed the ticket rates it")]
    Staff,
    /// A participant or colleague sees the ticket but did not file it.
    #[error("only the customer who filed the ticket rates it")]
    NotTheFiler,
    /// The ticket is still open: it is rated when it closes.
    #[error("the ticket is not closed yet")]
    NotClosed,
    /// A ticket is rated once.
    #[error("the ticket was already rated")]
    AlreadyRated,
    /// A duplicate merged into another ticket was never answered on its own: the surviving
    /// ticket is the one to rate.
    #[error("the ticket was merged into another; rate that one when it closes")]
    Merged,
}

impl RatingRefusal {
    /// True when the refusal is about the ticket's state (HTTP 409), not about who asks (403).
    pub fn is_conflict(self) -> bool {
        matches!(
            self,
            RatingRefusal::NotClosed | RatingRefusal::AlreadyRated | RatingRefusal::Merged
        )
    }

    /// The locale key that words the refusal.
    pub fn reason(self) -> &'static str {
        match self {
            RatingRefusal::Staff | RatingRefusal::NotTheFiler => "problem.rate_filer_only",
            RatingRefusal::NotClosed => "problem.rate_not_closed",
            RatingRefusal::AlreadyRated => "problem.rate_once",
            RatingRefusal::Merged => "problem.rate_merged",
        }
    }
}

/// May `user` rate `ticket` now? Also checked by the store in its update, so that two ratings
/// at once cannot both count.
pub fn may_rate(user: &User, ticket: &Ticket) -> Result<(), RatingRefusal> {
    if !user.role.is_customer() {
        return Err(RatingRefusal::Staff);
    }
    if ticket.created_by != user.id {
        return Err(RatingRefusal::NotTheFiler);
    }
    if ticket.merged_into.is_some() {
        return Err(RatingRefusal::Merged);
    }
    if ticket.status != Status::Closed {
        return Err(RatingRefusal::NotClosed);
    }
    if ticket.satisfaction.is_some() {
        return Err(RatingRefusal::AlreadyRated);
    }
    Ok(())
}

/// Checks a rating: a whole number 1–5 (required), a comment of at most [`COMMENT_MAX`]
/// characters (blank means none).
pub fn check_rating(rating: Option<i64>, comment: Option<&str>) -> Result<NewRating, Invalid> {
    let mut errors = Invalid::new();
    let rating = match rating {
        None => {
            errors.push(
                "rating",
                Problem::Conflicts {
                    reason: "problem.choose_one",
                },
            );
            None
        }
        Some(r @ 1..=5) => Some(r as u8),
        Some(_) => {
            errors.push(
                "rating",
                Problem::Conflicts {
                    reason: "problem.rating_range",
                },
            );
            None
        }
    };
    let comment = match comment.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) if c.chars().count() > COMMENT_MAX => {
            errors.push("comment", Problem::TooLong { max: COMMENT_MAX });
            None
        }
        Some(c)
            if c.chars().any(|ch| {
                (ch.is_control() && !matches!(ch, '\n' | '\r' | '\t')) || is_bidi_control(ch)
            }) =>
        {
            errors.push("comment", Problem::BadCharacters { allowed: "text" });
            None
        }
        Some(c) => Some(c.to_owned()),
    };
    errors.into_result()?;
    Ok(NewRating {
        rating: rating.expect("checked above"),
        comment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five_with_an_optional_comment() {
        for r in 1..=5 {
            assert_eq!(check_rating(Some(r), None).unwrap().rating, r as u8);
        }
        assert_eq!(
            check_rating(Some(4), Some("  早い対応でした  "))
                .unwrap()
                .comment
                .as_deref(),
            Some("早い対応でした")
        );
        assert_eq!(check_rating(Some(4), Some("   ")).unwrap().comment, None);
        for bad in [0, 6, -1] {
            let e = check_rating(Some(bad), None).unwrap_err();
            assert_eq!(e.0[0].problem.key(), "problem.rating_range");
        }
        let e = check_rating(None, Some(&"a".repeat(COMMENT_MAX + 1))).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["rating", "comment"]);
        assert!(check_rating(Some(3), Some(&"a".repeat(COMMENT_MAX))).is_ok());
    }
}
