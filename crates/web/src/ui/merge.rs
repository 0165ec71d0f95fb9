//! Merging from the agent's page (SPEC §6, UI.md "destructive actions ask for confirmation"):
//! the ticket page's merge panel takes the surviving key, a confirmation page names both
//! tickets, and the merge closes the duplicate. Works without JavaScript.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::ServiceError;
use madoguchi_app::merge::{self, MergeInput};
use madoguchi_app::tickets;
use madoguchi_core::model::User;
use madoguchi_core::ticket::Ticket;
use madoguchi_core::{Locale, Status};
use madoguchi_store::Session;
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::{Nav, render};

/// What the ticket page's merge partial (`ticket_merge.html`) shows.
pub(crate) struct MergePanel {
    /// The surviving ticket's key, once this one was merged: the banner names and links it.
    pub merged_into: Option<String>,
    /// Support on an open ticket: the form asking for the surviving key.
    pub may_merge: bool,
}

/// The merge panel of `ticket` for `user`.
pub(crate) fn panel(user: &User, ticket: &Ticket) -> MergePanel {
    MergePanel {
        merged_into: ticket.merged_into.map(|k| k.to_string()),
        may_merge: !user.role.is_customer()
            && ticket.status != Status::Closed
            && ticket.merged_into.is_none(),
    }
}

/// One ticket as the confirmation page names it.
struct Named {
    key: String,
    summary: String,
    status: String,
    status_name: String,
}

impl Named {
    fn of(w: Words, t: &Ticket) -> Named {
        Named {
            key: t.key.to_string(),
            summary: t.summary.clone(),
            status: t.status.code().to_owned(),
            status_name: w.t(&format!("status.{}", t.status.code())).to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "ticket_merge_confirm.html")]
struct ConfirmPage {
    w: Words,
    nav: Nav,
    key: String,
    summary: String,
    /// What was typed, kept.
    into: String,
    /// Both tickets, when the merge may go ahead.
    pair: Option<(Named, Named)>,
    /// Why not, beside the field and in the summary.
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct MergeQuery {
    into: Option<String>,
}

#[derive(Deserialize)]
pub struct MergeForm {
    csrf: String,
    into: Option<String>,
}

/// A refusal worded for the page; `None` when it is not about the input (not found, …).
fn worded(locale: Locale, e: &ServiceError) -> Option<String> {
    match e {
        ServiceError::Invalid(invalid) | ServiceError::Conflict(invalid) => Some(
            invalid
                .0
                .iter()
                .map(|f| i18n::problem(locale, &f.problem))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ServiceError::MergedInto(into) => Some(i18n::text_with(
            locale,
            "merge.reply_refused",
            &[("into", into.to_string())],
        )),
        _ => None,
    }
}

/// The confirmation page for merging `key` into `into` as typed, or the form again with the
/// problem; `Err` when the duplicate itself cannot be shown (404, 403).
async fn confirm_page(
    state: &AppState,
    session: &Session,
    key: &str,
    into: &str,
) -> Result<(StatusCode, ConfirmPage), ServiceError> {
    let user = &session.user;
    let w = Words(user.locale);
    let parsed = tickets::parse_key(key)?;
    let duplicate = tickets::detail(&state.store, user, parsed).await?.ticket;
    if user.role.is_customer() {
        return Err(ServiceError::Forbidden("only agents merge tickets".into()));
    }
    let input = MergeInput {
        into: Some(into.to_owned()),
    };
    let (status, pair, error) = if into.trim().is_empty() {
        // Arriving without a key (a bookmark, a click on the panel with nothing typed).
        (StatusCode::OK, None, None)
    } else {
        match merge::preview(&state.store, user, parsed, &input).await {
            Ok((d, s)) => (
                StatusCode::OK,
                Some((Named::of(w, &d), Named::of(w, &s))),
                None,
            ),
            Err(e) => match worded(user.locale, &e) {
                Some(text) => (StatusCode::UNPROCESSABLE_ENTITY, None, Some(text)),
                None => return Err(e),
            },
        }
    };
    Ok((
        status,
        ConfirmPage {
            w,
            nav: Nav::of(session),
            key: duplicate.key.to_string(),
            summary: duplicate.summary.clone(),
            into: into.trim().to_owned(),
            pair,
            error,
        },
    ))
}

/// `GET /tickets/{key}/merge?into=SD-1050`: names both tickets and asks to confirm.
pub async fn confirm(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    Query(q): Query<MergeQuery>,
) -> Response {
    let locale = session.user.locale;
    let into = q.into.unwrap_or_default();
    match confirm_page(&state, &session, &key, &into).await {
        Ok((status, page)) => (status, render(locale, page)).into_response(),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

/// `POST /tickets/{key}/merge`: merges, then shows the duplicate with its banner.
pub async fn submit(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<MergeForm>,
) -> Response {
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return PageError {
            status: StatusCode::FORBIDDEN,
            locale,
            message_key: "error.csrf",
        }
        .into_response();
    }
    let into = form.into.unwrap_or_default();
    let input = MergeInput {
        into: Some(into.clone()),
    };
    let result = match tickets::parse_key(&key) {
        Ok(k) => merge::merge(&state.store, &session.user, k, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => Redirect::to(&format!("/tickets/{}?done=merged", t.key)).into_response(),
        // The tickets changed since the confirmation: show why, with the key kept.
        Err(e) if worded(locale, &e).is_some() => {
            match confirm_page(&state, &session, &key, &into).await {
                Ok((_, mut page)) => {
                    if page.error.is_none() {
                        page.error = worded(locale, &e);
                        page.pair = None;
                    }
                    (StatusCode::CONFLICT, render(locale, page)).into_response()
                }
                Err(e) => PageError::from_service(locale, e).into_response(),
            }
        }
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}
