//! The use cases every surface shares: the JSON API, the HTML pages, email and the command
//! line call these, never the store directly for a write. Each checks who may do it, parses
//! the input into domain values, and makes one store call. Nothing here knows HTTP.

pub mod admin;
pub mod attachments;
pub mod audit;
pub mod callbacks;
pub mod canned_replies;
pub mod catalog;
pub mod demo;
pub mod desk;
pub mod desk_members;
pub mod identity;
pub mod import;
pub mod inbound;
pub mod jobs;
pub mod knowledge;
pub mod merge;
pub mod notify;
pub mod password;
pub mod queues;
pub mod reports;
pub mod satisfaction;
pub mod search;
pub mod sla;
pub mod synonyms;
pub mod tickets;
pub mod tokens;
pub mod webhooks;

use madoguchi_core::{Invalid, Locale, Problem};
use madoguchi_store::StoreError;

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input has problems; each names its field.
    #[error("{0}")]
    Invalid(Invalid),
    /// The record does not exist, or the caller may not see it (the two look alike).
    #[error("not found")]
    NotFound,
    /// The caller may see this but not do it; the text says what would be needed.
    #[error("{0}")]
    Forbidden(std::borrow::Cow<'static, str>),
    /// The input clashes with what is stored (a taken contract number, a record in use).
    #[error("{0}")]
    Conflict(Invalid),
    /// The request could not be read (a cursor from another list).
    #[error("{0}")]
    Malformed(String),
    /// The right password of a user an admin disabled: they may not sign in.
    #[error("the account is disabled")]
    AccountDisabled,
    /// The ticket was merged into another: the conversation goes on there (SPEC §6).
    #[error("the ticket was merged into {0}")]
    MergedInto(madoguchi_core::values::TicketKey),
    #[error("store: {0}")]
    Store(StoreError),
    #[error("{0}")]
    Internal(String),
}

impl From<Invalid> for ServiceError {
    fn from(e: Invalid) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Taken { field } => {
                ServiceError::Conflict(Invalid::one(field, Problem::Taken))
            }
            StoreError::InUse { by } => ServiceError::Conflict(Invalid::one(
                "id",
                Problem::Conflicts {
                    reason: in_use_reason(by),
                },
            )),
            StoreError::BadCursor => ServiceError::Malformed(
                "`cursor` is not one this list handed out; pass `next_cursor` as it came.".into(),
            ),
            StoreError::Dangling { field } => {
                ServiceError::Invalid(Invalid::one(field, Problem::NotFound))
            }
            other => ServiceError::Store(other),
        }
    }
}

fn in_use_reason(by: &str) -> &'static str {
    match by {
        "tickets" => "problem.in_use_by_tickets",
        _ => "problem.in_use_by_records",
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Reads an optional text input that is required: missing and blank are the same problem.
pub(crate) fn required<'a>(
    field: &str,
    value: &'a Option<String>,
    errors: &mut Invalid,
) -> Option<&'a str> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Some(v),
        _ => {
            errors.push(field, Problem::Required);
            None
        }
    }
}

/// An optional locale code: blank keeps the current one.
pub(crate) fn parse_locale(input: &Option<String>, errors: &mut Invalid) -> Option<Option<Locale>> {
    match input.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(v) => errors
            .check("locale", Locale::parse(v).map_err(Problem::from))
            .map(Some),
    }
}

/// An optional IANA time zone name: blank keeps the current one.
pub(crate) fn parse_time_zone(
    input: &Option<String>,
    errors: &mut Invalid,
) -> Option<Option<String>> {
    match input.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(v) if jiff::tz::TimeZone::get(v).is_ok() => Some(Some(v.to_owned())),
        Some(_) => {
            errors.push(
                "time_zone",
                Problem::Conflicts {
                    reason: "problem.unknown_time_zone",
                },
            );
            None
        }
    }
}
