//! The callback panel on the agent's ticket page (SPEC §6): whom to call and when, the first
//! call's due time, each call made, and a form to record the next one. Without JavaScript the
//! next-call time is always shown and checked on the server; a failed form comes back on a
//! page of its own with everything typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::ServiceError;
use madoguchi_app::callbacks::{self, CallbackAttemptInput};
use madoguchi_app::tickets::{self, TicketDetail};
use madoguchi_core::model::User;
use madoguchi_core::{CallbackOutcome, Status};
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::satisfaction::SatisfactionPanel;
use crate::ui::{Nav, format_time, render};

/// One call as the panel lists it.
pub(crate) struct AttemptRow {
    pub outcome: String,
    pub outcome_name: String,
    pub note: String,
    pub next_at: Option<String>,
    pub agent: String,
    pub at: String,
}

/// The form as typed (kept when it fails).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AttemptForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub next_at: String,
}

/// What the ticket page's callback partial (`ticket_callback.html`) shows.
pub(crate) struct CallbackPanel {
    pub phone: String,
    pub contact_name: String,
    pub preferred_window: String,
    /// The first call's due time in the viewer's zone, once the SLA clock has set it.
    pub due_at: Option<String>,
    pub attempts: Vec<AttemptRow>,
    /// The ticket is open: calls may be recorded.
    pub may_record: bool,
    /// (code, name) of every outcome, for the select.
    pub outcomes: Vec<(String, String)>,
    pub form: AttemptForm,
    /// Problems by field (`outcome`, `note`, `next_at`; `form` for the ticket's state).
    pub errors: BTreeMap<String, String>,
}

impl CallbackPanel {
    pub fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }

    /// The problems in the form's order, for the summary: (anchor id, text).
    pub fn error_list(&self) -> Vec<(String, String)> {
        ["outcome", "note", "next_at", "form"]
            .iter()
            .filter_map(|f| {
                self.errors
                    .get(*f)
                    .map(|e| (format!("callback-{}", f.replace('_', "-")), e.clone()))
            })
            .collect()
    }
}

/// The callback panel of the ticket in `d` for `user`: `None` unless support reads a callback
/// ticket (the detail then carries its callback log).
pub(crate) fn panel(
    user: &User,
    d: &TicketDetail,
    form: AttemptForm,
    errors: BTreeMap<String, String>,
) -> Option<CallbackPanel> {
    let log = d.callback_log.as_ref()?;
    let w = Words(user.locale);
    let callback = d.ticket.callback.as_ref();
    let outcome_name =
        |o: CallbackOutcome| w.t(&format!("callback.outcome.{}", o.code())).to_owned();
    Some(CallbackPanel {
        phone: callback.map(|c| c.phone.clone()).unwrap_or_default(),
        contact_name: callback.map(|c| c.contact_name.clone()).unwrap_or_default(),
        preferred_window: callback
            .map(|c| c.preferred_window.clone())
            .unwrap_or_default(),
        due_at: log.due_at.map(|t| format_time(user, t)),
        attempts: log
            .attempts
            .iter()
            .map(|a| AttemptRow {
                outcome: a.outcome.code().to_owned(),
                outcome_name: outcome_name(a.outcome),
                note: a.note.clone().unwrap_or_default(),
                next_at: a.next_at.map(|t| format_time(user, t)),
                agent: d
                    .person(&a.agent_id)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                at: format_time(user, a.created_at),
            })
            .collect(),
        may_record: d.ticket.status != Status::Closed,
        outcomes: CallbackOutcome::ALL
            .iter()
            .map(|o| (o.code().to_owned(), outcome_name(*o)))
            .collect(),
        form,
        errors,
    })
}

/// A page of its own for a panel whose form failed: the ticket's key and summary, a link
/// back, and the panel with what was typed and why it failed.
#[derive(Template)]
#[template(path = "ticket_panel_page.html")]
pub(crate) struct PanelPage {
    pub w: Words,
    pub nav: Nav,
    pub key: String,
    pub summary: String,
    pub callback: Option<CallbackPanel>,
    pub satisfaction: Option<SatisfactionPanel>,
}

/// `POST /tickets/{key}/callback-attempts`: records a call, back to the ticket's panel.
pub async fn record(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<AttemptForm>,
) -> Response {
    let user = &session.user;
    let locale = user.locale;
    if !check_csrf(&session, &form.csrf) {
        return PageError {
            status: StatusCode::FORBIDDEN,
            locale,
            message_key: "error.csrf",
        }
        .into_response();
    }
    let parsed = match tickets::parse_key(&key) {
        Ok(k) => k,
        Err(e) => return PageError::from_service(locale, e).into_response(),
    };
    let input = CallbackAttemptInput {
        outcome: Some(form.outcome.clone()),
        note: Some(form.note.clone()),
        next_at: Some(form.next_at.clone()),
    };
    let (status, errors) = match callbacks::record(&state.store, user, parsed, &input).await {
        Ok(_) => {
            return Redirect::to(&format!("/tickets/{key}?done=callback#callback-panel"))
                .into_response();
        }
        Err(ServiceError::Invalid(invalid)) => {
            let mut errors = BTreeMap::new();
            for e in invalid.0 {
                errors.insert(e.field, i18n::problem(locale, &e.problem));
            }
            (StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        Err(ServiceError::Conflict(invalid)) => {
            let text = invalid
                .0
                .iter()
                .map(|e| i18n::problem(locale, &e.problem))
                .collect::<Vec<_>>()
                .join(" ");
            (
                StatusCode::CONFLICT,
                BTreeMap::from([("form".to_owned(), text)]),
            )
        }
        Err(e) => return PageError::from_service(locale, e).into_response(),
    };
    let d = match tickets::detail(&state.store, user, parsed).await {
        Ok(d) => d,
        Err(e) => return PageError::from_service(locale, e).into_response(),
    };
    let page = PanelPage {
        w: Words(locale),
        nav: Nav::of(&session),
        key: d.ticket.key.to_string(),
        summary: d.ticket.summary.clone(),
        callback: panel(user, &d, form, errors),
        satisfaction: None,
    };
    (status, render(locale, page)).into_response()
}
