//! The filer's rating on a closed ticket (SPEC §5): the filer is asked once, with five named
//! choices and a comment; then thanked with their rating. Agents read the rating beside the
//! ticket. A failed form comes back on a page of its own with everything typed.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::ServiceError;
use madoguchi_app::satisfaction::{self, RatingInput};
use madoguchi_app::tickets;
use madoguchi_core::Status;
use madoguchi_core::model::User;
use madoguchi_core::ticket::Ticket;
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::callbacks::PanelPage;
use crate::ui::{Nav, format_time, render};

/// The form as typed (kept when it fails).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub rating: String,
    #[serde(default)]
    pub comment: String,
}

/// What the ticket page's satisfaction partial (`ticket_satisfaction.html`) shows.
pub(crate) struct SatisfactionPanel {
    /// The filer of a closed, unrated ticket: the question and its form.
    pub ask: bool,
    /// The reader is the filer (thanked), not support (who read "the customer's rating").
    pub is_filer: bool,
    /// The rating given: (number, its words, as stars), the comment, when.
    pub rating: Option<(u8, String, String)>,
    pub comment: String,
    pub rated_at: String,
    /// (number, words) for the five choices.
    pub choices: Vec<(String, String)>,
    pub form: RatingForm,
    /// Problems by field (`rating`, `comment`; `form` for the ticket's state).
    pub errors: BTreeMap<String, String>,
}

impl SatisfactionPanel {
    pub fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }

    /// The problems in the form's order, for the summary: (anchor id, text).
    pub fn error_list(&self) -> Vec<(String, String)> {
        [
            ("rating", "rating-1"),
            ("comment", "rating-comment"),
            ("form", "rating-form"),
        ]
        .iter()
        .filter_map(|(f, anchor)| {
            self.errors
                .get(*f)
                .map(|e| ((*anchor).to_owned(), e.clone()))
        })
        .collect()
    }
}

/// The satisfaction panel of `ticket` for `user`: the filer of a closed ticket (asked, or
/// thanked), support on a closed ticket (the rating, or that there is none yet); `None` for
/// anyone else and for open tickets.
pub(crate) fn panel(
    user: &User,
    ticket: &Ticket,
    form: RatingForm,
    errors: BTreeMap<String, String>,
) -> Option<SatisfactionPanel> {
    if ticket.status != Status::Closed || !satisfaction::shows(user, ticket) {
        return None;
    }
    let w = Words(user.locale);
    let words = |n: u8| w.t(&format!("satisfaction.rating.{n}")).to_owned();
    let given = ticket.satisfaction.as_ref();
    Some(SatisfactionPanel {
        ask: satisfaction::asks(user, ticket),
        is_filer: ticket.created_by == user.id,
        rating: given.map(|s| {
            let stars = "★".repeat(usize::from(s.rating)) + &"☆".repeat(5 - usize::from(s.rating));
            (s.rating, words(s.rating), stars)
        }),
        comment: given.and_then(|s| s.comment.clone()).unwrap_or_default(),
        rated_at: given
            .map(|s| format_time(user, s.rated_at))
            .unwrap_or_default(),
        choices: (1..=5).map(|n| (n.to_string(), words(n))).collect(),
        form,
        errors,
    })
}

/// `POST /tickets/{key}/satisfaction`: the filer's rating, back to the ticket thanked.
pub async fn rate(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(key): Path<String>,
    PageForm(form): PageForm<RatingForm>,
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
    let input = RatingInput {
        // Anything but a whole number reads as no choice: the radios send 1–5 or nothing.
        rating: form.rating.trim().parse().ok(),
        comment: Some(form.comment.clone()),
    };
    let (status, errors) = match satisfaction::rate(&state.store, user, parsed, &input).await {
        Ok(_) => {
            return Redirect::to(&format!("/tickets/{key}?done=rated#satisfaction-panel"))
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
        callback: None,
        satisfaction: panel(user, &d.ticket, form, errors),
    };
    (status, render(locale, page)).into_response()
}
