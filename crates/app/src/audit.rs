//! The audit log (issue 13): every event, filtered by actor, organization, kind and time,
//! newest first, paged, and exported as JSON lines. Admins read all of it; a customer admin
//! reads their organization's customer-side part (`core::audit`); anyone else is refused, as
//! for the other admin endpoints.
//!
//! A customer admin who names another organization gets an empty page: the log of another
//! organization is never shown, and whether it has any events is not told either.

use jiff::Timestamp;
use jiff::civil::Date;
use madoguchi_core::audit::{AuditScope, audit_scope, customer_admin_sees};
use madoguchi_core::event::EventKind;
use madoguchi_core::model::User;
use madoguchi_core::{Invalid, Problem, UnknownCode};
use madoguchi_store::{AuditEvent, AuditFilter, Cursor, Page, PageRequest, Store, StoreError};
use serde::Deserialize;

use crate::tickets::time_zone;
use crate::{ServiceError, ServiceResult};

/// `GET /api/v1/admin/events` and the `/admin/events` page, as typed: text until parsed.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// A user id: only what they did.
    pub actor: Option<String>,
    /// An organization id: only its events.
    pub organization: Option<String>,
    /// Event codes, e.g. `permission.granted` (repeat the parameter, or separate with commas).
    #[serde(default)]
    pub kind: Vec<String>,
    /// From this time (RFC 3339, e.g. `2026-11-30T09:00:00+09:00`) or day (`YYYY-MM-DD` in the
    /// caller's time zone), inclusive.
    pub from: Option<String>,
    /// Until this time (exclusive) or day (inclusive: the whole day counts).
    pub to: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Blank means "not given": a form's empty field sends `actor=`.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn bad_cursor() -> Invalid {
    Invalid::one(
        "cursor",
        Problem::Conflicts {
            reason: "problem.bad_cursor",
        },
    )
}

impl AuditQuery {
    /// Reads a query string's pairs; `kind` may repeat.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> AuditQuery {
        let mut q = AuditQuery::default();
        for (key, value) in pairs {
            let slot = match key.as_str() {
                "kind" => {
                    q.kind.extend(
                        value
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned),
                    );
                    continue;
                }
                "actor" => &mut q.actor,
                "organization" => &mut q.organization,
                "from" => &mut q.from,
                "to" => &mut q.to,
                "cursor" => &mut q.cursor,
                "limit" => {
                    // A limit that is not a number is out of range, and said so.
                    q.limit = Some(value.trim().parse().unwrap_or(0));
                    continue;
                }
                _ => continue,
            };
            *slot = Some(value);
        }
        q
    }

    /// The filters (inside `scope`) and the page, or every problem at once, each naming its
    /// field. Days are read in `user`'s time zone.
    pub fn parse(
        &self,
        user: &User,
        scope: AuditScope,
    ) -> Result<(AuditFilter, PageRequest), Invalid> {
        let mut errors = Invalid::new();
        let mut kinds = Vec::new();
        for code in &self.kind {
            match EventKind::parse(code) {
                Some(k) if !kinds.contains(&k) => kinds.push(k),
                Some(_) => {}
                None => errors.push(
                    "kind",
                    Problem::UnknownCode(UnknownCode {
                        what: "event kind",
                        given: code.clone(),
                        allowed: EventKind::ALL.iter().map(|k| k.code()).collect(),
                    }),
                ),
            }
        }
        let from = read_time(user, "from", given(&self.from), false, &mut errors);
        let to = read_time(user, "to", given(&self.to), true, &mut errors);
        let after = match given(&self.cursor) {
            None => None,
            Some(text) => match Cursor::parse(text) {
                Some(c) => Some(c),
                None => {
                    errors.0.extend(bad_cursor().0);
                    None
                }
            },
        };
        let page = PageRequest::new(self.limit, after.clone());
        if page.is_none() {
            errors.push(
                "limit",
                Problem::Conflicts {
                    reason: "problem.limit_range",
                },
            );
        }
        errors.into_result()?;
        let filter = AuditFilter {
            scope,
            actor_id: given(&self.actor).map(str::to_owned),
            organization_id: given(&self.organization).map(str::to_owned),
            kinds,
            from: from.flatten(),
            to: to.flatten(),
        };
        // Proven above: `errors` would have held the limit's problem.
        Ok((filter, page.unwrap_or_default()))
    }
}

/// A time as RFC 3339, or a day in the user's zone: its start, or for `to` (`end_of_day`) the
/// start of the next day, so that `to=2026-11-30` includes the 30th.
fn read_time(
    user: &User,
    field: &str,
    text: Option<&str>,
    end_of_day: bool,
    errors: &mut Invalid,
) -> Option<Option<Timestamp>> {
    let text = text?;
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(Some(t));
    }
    let day = text
        .parse::<Date>()
        .ok()
        .filter(|_| text.len() == 10)
        .and_then(|d| {
            if end_of_day {
                d.tomorrow().ok()
            } else {
                Some(d)
            }
        })
        .and_then(|d| d.to_zoned(time_zone(user)).ok());
    match day {
        Some(z) => Some(Some(z.timestamp())),
        None => {
            errors.push(
                field,
                Problem::Conflicts {
                    reason: "problem.audit_bad_time",
                },
            );
            None
        }
    }
}

/// The part of the log `user` may read, or the refusal the other admin endpoints give.
pub fn scope(user: &User) -> ServiceResult<AuditScope> {
    audit_scope(user.role, user.organization_id.as_deref()).ok_or_else(|| {
        ServiceError::Forbidden("only admins and customer admins may read the audit log".into())
    })
}

/// One page of the log as `user` may see it.
pub async fn events(
    store: &Store,
    user: &User,
    query: &AuditQuery,
) -> ServiceResult<Page<AuditEvent>> {
    let scope = scope(user)?;
    let (filter, page) = query.parse(user, scope)?;
    page_of(store, &filter, &page).await
}

/// A page of an already-parsed filter (the export reads page after page).
pub async fn page_of(
    store: &Store,
    filter: &AuditFilter,
    page: &PageRequest,
) -> ServiceResult<Page<AuditEvent>> {
    if let AuditScope::Organization(own) = &filter.scope
        && filter
            .organization_id
            .as_deref()
            .is_some_and(|asked| asked != own)
    {
        return Ok(Page {
            items: Vec::new(),
            next_cursor: None,
        });
    }
    let found = match store.audit_events(filter, page).await {
        Err(StoreError::BadCursor) => return Err(bad_cursor().into()),
        other => other?,
    };
    // The query holds the rule; this holds the query to it, and refuses rather than show
    // a customer admin an event the rule keeps from them.
    if let AuditScope::Organization(own) = &filter.scope {
        let outside = found.items.iter().find(|e| {
            e.event.organization_id.as_deref() != Some(own.as_str())
                || !customer_admin_sees(
                    &e.event.kind,
                    e.event.data.get("public").and_then(|p| p.as_bool()),
                )
        });
        if let Some(e) = outside {
            return Err(ServiceError::Internal(format!(
                "the audit query returned event {} outside the customer admin's part",
                e.event.id
            )));
        }
    }
    Ok(found)
}
