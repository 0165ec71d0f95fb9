//! The audit log page (`/admin/events`): admins read every event, customer admins their
//! organization's customer-side part (`core::audit`); others get the refusal page. Filters
//! are a GET form, so a filtered view is a link; bad filters come back beside their fields.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use madoguchi_app::ServiceError;
use madoguchi_app::audit::{self, AuditQuery};
use madoguchi_core::audit::AuditScope;
use madoguchi_core::event::EventKind;
use madoguchi_store::PageRequest;

use crate::api::admin::events::event_view;
use crate::auth::Browser;
use crate::error::PageError;
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::{Nav, format_time, render};

/// One event, worded for the table.
struct Row {
    at: String,
    kind: String,
    kind_code: String,
    actor: String,
    /// The log filtered to what this actor did.
    actor_url: Option<String>,
    organization: String,
    subject: String,
    data: String,
}

#[derive(Template)]
#[template(path = "admin_events.html")]
struct EventsPage {
    w: Words,
    nav: Nav,
    /// Customer admins read their organization's part and pick no organization.
    everything: bool,
    actor: String,
    organization: String,
    kind: String,
    from: String,
    to: String,
    /// (code, words)
    kinds: Vec<(String, String)>,
    /// (id, name)
    organizations: Vec<(String, String)>,
    errors: BTreeMap<String, String>,
    /// (the anchor of the field, its label and problem) for the error summary.
    summary: Vec<(String, String)>,
    rows: Vec<Row>,
    filtered: bool,
    next_url: Option<String>,
    first_page: bool,
    first_url: String,
    export_url: String,
}

impl EventsPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }
}

/// An event kind in words; the code itself when it has none (an old kind).
fn kind_words(w: Words, code: &str) -> String {
    let key = format!("audit.kind.{code}");
    let words = w.t(&key);
    if words == key {
        code.to_owned()
    } else {
        words.to_owned()
    }
}

/// The query string of the filters as typed (blank ones left out), for the paging and
/// export links.
fn filters_query(q: &AuditQuery) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for (name, v) in [
        ("actor", &q.actor),
        ("organization", &q.organization),
        ("from", &q.from),
        ("to", &q.to),
    ] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            pairs.push((name, v));
        }
    }
    for k in &q.kind {
        pairs.push(("kind", k));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

pub async fn page(
    State(state): State<AppState>,
    Browser(session): Browser,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = &session.user;
    let locale = user.locale;
    let w = Words(locale);
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let q = AuditQuery::from_pairs(pairs);
    let scope = match audit::scope(user) {
        Ok(s) => s,
        Err(e) => return PageError::from_service(locale, e).into_response(),
    };
    let (found, errors) = match audit::events(&state.store, user, &q).await {
        Ok(p) => (Some(p), BTreeMap::new()),
        Err(ServiceError::Invalid(invalid)) => {
            let mut errors = BTreeMap::new();
            for e in &invalid.0 {
                errors
                    .entry(e.field.clone())
                    .or_insert_with(|| i18n::problem(locale, &e.problem));
            }
            (None, errors)
        }
        Err(e) => return PageError::from_service(locale, e).into_response(),
    };
    let everything = scope == AuditScope::Everything;
    let organizations = if everything {
        let first = PageRequest::new(Some(200), None).unwrap_or_default();
        match madoguchi_app::admin::organizations(&state.store, user, None, &first).await {
            Ok(p) => p.items.into_iter().map(|o| (o.id, o.name)).collect(),
            Err(e) => return PageError::from_service(locale, e).into_response(),
        }
    } else {
        Vec::new()
    };
    let filters = filters_query(&q);
    let with = |extra: &str| {
        let joined = [filters.as_str(), extra]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("&");
        if joined.is_empty() {
            String::new()
        } else {
            format!("?{joined}")
        }
    };
    let typed = |v: &Option<String>| v.clone().unwrap_or_default();
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (rows, next_url) = match found {
        Some(p) => (
            p.items
                .iter()
                .map(|e| {
                    let view = event_view(&scope, e);
                    Row {
                        at: format_time(user, e.event.occurred_at),
                        kind: kind_words(w, &e.event.kind),
                        kind_code: e.event.kind.clone(),
                        actor: match &view.actor {
                            None => w.t("audit.system").to_owned(),
                            Some(a) => match (&a.name, &a.email) {
                                (Some(n), Some(m)) => format!("{n} <{m}>"),
                                (Some(n), None) => n.clone(),
                                _ => w.t("audit.deleted_user").to_owned(),
                            },
                        },
                        actor_url: view.actor.as_ref().map(|a| {
                            let q = serde_urlencoded::to_string([("actor", a.id.as_str())])
                                .unwrap_or_default();
                            format!("/admin/events?{q}")
                        }),
                        organization: view
                            .organization
                            .as_ref()
                            .map(|o| o.name.clone().unwrap_or_else(|| o.id.clone()))
                            .unwrap_or_default(),
                        // A ticket's key says more than its id.
                        subject: view
                            .data
                            .get("key")
                            .and_then(|k| k.as_str())
                            .unwrap_or(&view.subject)
                            .to_owned(),
                        data: view.data.to_string(),
                    }
                })
                .collect(),
            p.next_cursor
                .map(|c| format!("/admin/events{}", with(&format!("cursor={}", c.as_str())))),
        ),
        None => (Vec::new(), None),
    };
    // The summary names each field; a page position or size (no field of the form) points
    // at the form itself.
    let summary = errors
        .iter()
        .map(|(field, problem)| match field.as_str() {
            "kind" | "from" | "to" => (
                format!("audit-{field}"),
                format!("{}: {problem}", w.t(&format!("audit.{field}"))),
            ),
            _ => ("audit-form".to_owned(), problem.clone()),
        })
        .collect();
    let page = EventsPage {
        w,
        summary,
        nav: Nav::of(&session),
        everything,
        actor: typed(&q.actor),
        organization: typed(&q.organization),
        kind: q.kind.first().cloned().unwrap_or_default(),
        from: typed(&q.from),
        to: typed(&q.to),
        kinds: EventKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), kind_words(w, k.code())))
            .collect(),
        organizations,
        errors,
        rows,
        filtered: !filters.is_empty(),
        next_url,
        first_page: q.cursor.as_deref().is_none_or(str::is_empty),
        first_url: format!("/admin/events{}", with("")),
        export_url: format!("/api/v1/admin/events/export{}", with("")),
    };
    (status, render(locale, page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_core::Locale;

    #[test]
    fn every_event_kind_is_worded_in_both_languages() {
        for locale in Locale::ALL {
            for kind in EventKind::ALL {
                let words = kind_words(Words(*locale), kind.code());
                assert_ne!(words, kind.code(), "{} has no {locale} words", kind.code());
            }
        }
    }
}
