//! The report page (`/reports`): per desk and per agent over a chosen period. Agents see
//! their desks, admins every desk, customers a missing page. Bad dates come back beside their
//! fields with what was typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::SignedDuration;
use madoguchi_app::ServiceError;
use madoguchi_app::reports::{self, Figures, ReportQuery};
use madoguchi_core::{Desk, Locale};

use crate::auth::Browser;
use crate::error::PageError;
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::{Nav, format_time, render};

/// One line of a table, worded for the page.
struct Line {
    name: String,
    filed: i64,
    closed: i64,
    met: i64,
    breached: i64,
    open: i64,
    median: String,
    ratings: i64,
    average: String,
    /// "5: 3 · 4: 1 …", highest first.
    distribution: String,
    comments: Vec<CommentLine>,
}

struct CommentLine {
    key: String,
    stars: String,
    comment: String,
    at: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportPage {
    w: Words,
    nav: Nav,
    desk: String,
    from: String,
    to: String,
    /// (code, name)
    desks: Vec<(String, String)>,
    errors: BTreeMap<String, String>,
    period: String,
    shown: bool,
    no_desks: bool,
    desk_lines: Vec<Line>,
    agent_lines: Vec<Line>,
}

impl ReportPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }
}

/// A duration as people read it: minutes, hours and minutes, or days and hours.
fn duration(locale: Locale, d: Option<SignedDuration>) -> String {
    let Some(d) = d else {
        return i18n::text(locale, "report.none").to_owned();
    };
    let minutes = (d.as_secs() + 30) / 60;
    if minutes < 60 {
        i18n::text_with(locale, "report.minutes", &[("m", minutes.to_string())])
    } else if minutes < 24 * 60 {
        i18n::text_with(
            locale,
            "report.hours",
            &[
                ("h", (minutes / 60).to_string()),
                ("m", (minutes % 60).to_string()),
            ],
        )
    } else {
        i18n::text_with(
            locale,
            "report.days",
            &[
                ("d", (minutes / 1440).to_string()),
                ("h", (minutes % 1440 / 60).to_string()),
            ],
        )
    }
}

fn line(user: &madoguchi_core::model::User, name: String, f: &Figures) -> Line {
    let locale = user.locale;
    let s = &f.satisfaction;
    Line {
        name,
        filed: f.filed,
        closed: f.closed,
        met: f.first_response_met,
        breached: f.first_response_breached,
        open: f.first_response_open,
        median: duration(locale, f.median_first_response),
        ratings: s.count,
        average: s
            .average
            .map(|a| format!("{a:.1}"))
            .unwrap_or_else(|| i18n::text(locale, "report.none").to_owned()),
        distribution: (1..=5)
            .rev()
            .map(|n| format!("{n}: {}", s.distribution[n - 1]))
            .collect::<Vec<_>>()
            .join(" · "),
        comments: s
            .comments
            .iter()
            .map(|c| CommentLine {
                key: c.key.to_string(),
                stars: i18n::text_with(locale, "report.stars", &[("n", c.rating.to_string())]),
                comment: c.comment.clone(),
                at: format_time(user, c.at),
            })
            .collect(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<ReportQuery>,
) -> Response {
    let user = &session.user;
    let locale = user.locale;
    let w = Words(locale);
    let desk_name = |d: Desk| w.t(&format!("desk.{}", d.code())).to_owned();
    let result = reports::report(&state.store, user, &q, jiff::Timestamp::now()).await;
    let (report, errors) = match result {
        Ok(r) => (Some(r), BTreeMap::new()),
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
    // The desks offered: the report's, or (after an error) the caller's own.
    let visible = match &report {
        Some(r) => r.visible_desks.clone(),
        None if user.role == madoguchi_core::Role::Admin => Desk::ALL.to_vec(),
        None => state.store.desks_of(&user.id).await.unwrap_or_default(),
    };
    let typed = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut page = ReportPage {
        w,
        nav: Nav::of(&session),
        desk: typed(&q.desk),
        from: typed(&q.from),
        to: typed(&q.to),
        desks: visible
            .iter()
            .map(|d| (d.code().to_owned(), desk_name(*d)))
            .collect(),
        errors,
        period: String::new(),
        shown: report.is_some(),
        no_desks: visible.is_empty(),
        desk_lines: Vec::new(),
        agent_lines: Vec::new(),
    };
    let status = if report.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    if let Some(r) = report {
        let p = &r.period;
        page.from = p.from_date.to_string();
        page.to = p.to_date.to_string();
        page.period = i18n::text_with(
            locale,
            "report.period",
            &[
                ("from", p.from_date.to_string()),
                ("to", p.to_date.to_string()),
                ("tz", p.time_zone.clone()),
            ],
        );
        page.desk_lines = r
            .desks
            .iter()
            .map(|(d, f)| line(user, desk_name(*d), f))
            .collect();
        page.agent_lines = r
            .agents
            .iter()
            .map(|(p, f)| line(user, p.name.clone(), f))
            .collect();
    }
    (status, render(locale, page)).into_response()
}
