//! The console's SLA screens (admins; issue 13, SPEC §6): `/admin/sla` edits the targets per
//! plan and ticket kind in one table, `/admin/calendar` the working hours per weekday and a
//! year's holidays (added and removed by name), `/admin/settings` the operator's settings.
//! They call the same operations as `/api/v1/admin/sla-policies`, `…/calendar` and
//! `…/settings`; a refused form comes back as typed, with the reasons beside its fields.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::ServiceError;
use madoguchi_app::sla::{
    self, CalendarInput, HolidayInput, HoursInput, SettingsInput, SlaPoliciesInput, SlaPolicyInput,
    hhmm,
};
use madoguchi_core::sla::Clock;
use madoguchi_core::{Locale, SupportPlan, TicketKind};
use madoguchi_store::Session;
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::Words;
use crate::state::AppState;
use crate::ui::catalog::{Fields, banner, number};
use crate::ui::{Nav, csrf_failed, render, unless_admin};

fn fail(locale: Locale, e: ServiceError) -> Response {
    PageError::from_service(locale, e).into_response()
}

fn status_of(form: &Fields) -> StatusCode {
    if form.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A form posted as name → value (csrf included).
type Posted = BTreeMap<String, String>;

fn posted<'a>(form: &'a Posted, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

// ---- the targets ----

/// One row of the targets table: a plan and a ticket kind.
struct TargetRow {
    /// `basic.incident`: the prefix of its fields' names.
    id: String,
    plan: String,
    kind: String,
}

#[derive(Template)]
#[template(path = "console_sla.html")]
struct TargetsPage {
    w: Words,
    nav: Nav,
    csrf: String,
    banner: Option<String>,
    rows: Vec<TargetRow>,
    clocks: Vec<(String, String)>,
    form: Fields,
}

fn rows(w: &Words) -> Vec<TargetRow> {
    SupportPlan::ALL
        .iter()
        .flat_map(|plan| {
            TicketKind::ALL.iter().map(move |kind| TargetRow {
                id: format!("{}.{}", plan.code(), kind.code()),
                plan: w.t(&format!("plan.{}", plan.code())).to_owned(),
                kind: w.t(&format!("catalog.kind_{}", kind.code())).to_owned(),
            })
        })
        .collect()
}

fn targets_page(session: &Session, banner: Option<String>, form: Fields) -> Response {
    let locale = session.user.locale;
    let w = Words(locale);
    let page = TargetsPage {
        rows: rows(&w),
        clocks: Clock::ALL
            .iter()
            .map(|c| {
                (
                    c.code().to_owned(),
                    w.t(&format!("sla_console.clock_{}", c.code())).to_owned(),
                )
            })
            .collect(),
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        banner,
        w,
        form,
    };
    (status_of(&page.form), render(locale, page)).into_response()
}

/// `GET /admin/sla`.
pub async fn targets(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<crate::ui::console::DoneQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    let policies = match sla::policies(&state.store, &session.user).await {
        Ok(p) => p,
        Err(e) => return fail(locale, e),
    };
    let mut form = Fields::default();
    for p in policies {
        let id = format!("{}.{}", p.plan.code(), p.kind.code());
        let values = [
            (
                "first_response_minutes",
                p.target.first_response.as_mins().to_string(),
            ),
            ("update_minutes", p.target.update.as_mins().to_string()),
            ("clock", p.target.clock.code().to_owned()),
        ];
        for (name, value) in values {
            form.values.insert(format!("{id}.{name}"), value);
        }
    }
    targets_page(&session, banner(locale, &q.done), form)
}

/// `POST /admin/sla`: every row at once.
pub async fn save_targets(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<Posted>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, posted(&form, "csrf")) {
        return csrf_failed(locale);
    }
    let mut ids = Vec::new();
    let mut input = Vec::new();
    for plan in SupportPlan::ALL {
        for kind in TicketKind::ALL {
            let id = format!("{}.{}", plan.code(), kind.code());
            let text = |name: &str| posted(&form, &format!("{id}.{name}")).to_owned();
            input.push(SlaPolicyInput {
                plan: Some(plan.code().to_owned()),
                kind: Some(kind.code().to_owned()),
                first_response_minutes: number(&text("first_response_minutes")),
                update_minutes: number(&text("update_minutes")),
                clock: Some(text("clock")),
            });
            ids.push(id);
        }
    }
    let result =
        sla::set_policies(&state.store, &session.user, &SlaPoliciesInput::All(input)).await;
    match result {
        Ok(_) => Redirect::to("/admin/sla?done=sla_saved").into_response(),
        Err(e) => {
            let typed = Fields {
                values: form,
                errors: BTreeMap::new(),
            };
            // `[3].update_minutes` is shown at the fourth row's field.
            match typed.refused_as(locale, &e, |field| row_field(field, &ids)) {
                Some(refused) => targets_page(&session, None, refused),
                None => fail(locale, e),
            }
        }
    }
}

/// `[i].name` (an error of the i-th row sent) as the row's field name `plan.kind.name`.
fn row_field(field: &str, ids: &[String]) -> String {
    let parsed = field
        .strip_prefix('[')
        .and_then(|rest| rest.split_once("]."))
        .and_then(|(i, name)| Some((ids.get(i.parse::<usize>().ok()?)?, name)));
    match parsed {
        Some((id, name)) => format!("{id}.{name}"),
        None => field.to_owned(),
    }
}

// ---- the calendar ----

struct DayRow {
    weekday: usize,
    name: String,
}

#[derive(Template)]
#[template(path = "console_calendar.html")]
struct CalendarPage {
    w: Words,
    nav: Nav,
    csrf: String,
    banner: Option<String>,
    time_zone: String,
    year: i16,
    days: Vec<DayRow>,
    hours: Fields,
    /// The year's holidays: (date, name).
    holidays: Vec<(String, String)>,
    holiday: Fields,
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    year: Option<i16>,
    done: Option<String>,
}

/// The calendar page of `year`; `hours` or `holiday` is a refused form as typed.
async fn calendar_page(
    state: &AppState,
    session: &Session,
    year: Option<i16>,
    banner: Option<String>,
    refused_hours: Option<Fields>,
    holiday: Fields,
) -> Response {
    let user = &session.user;
    let locale = user.locale;
    let calendar = match sla::calendar(&state.store, user).await {
        Ok(c) => c,
        Err(e) => return fail(locale, e),
    };
    let zone = calendar.time_zone().clone();
    let year = year.unwrap_or_else(|| jiff::Timestamp::now().to_zoned(zone).year());
    let hours = refused_hours.unwrap_or_else(|| {
        let mut hours = Fields::default();
        for (i, h) in calendar.weekly_hours().iter().enumerate() {
            let day = i + 1;
            if let Some(h) = h {
                hours.values.insert(format!("d{day}.open"), "on".into());
                hours
                    .values
                    .insert(format!("d{day}.start"), hhmm(h.start_minute()));
                hours
                    .values
                    .insert(format!("d{day}.end"), hhmm(h.end_minute()));
            }
        }
        hours
    });
    let w = Words(locale);
    let status = if hours.errors.is_empty() && holiday.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CalendarPage {
        csrf: session.csrf_token.clone(),
        nav: Nav::of(session),
        banner,
        time_zone: calendar.time_zone().iana_name().unwrap_or("UTC").to_owned(),
        year,
        days: (1..=7)
            .map(|weekday| DayRow {
                weekday,
                name: w.t(&format!("sla_console.weekday_{weekday}")).to_owned(),
            })
            .collect(),
        hours,
        holidays: calendar
            .holidays()
            .iter()
            .filter(|(date, _)| date.year() == year)
            .map(|(date, name)| (date.to_string(), name.clone()))
            .collect(),
        holiday,
        w,
    };
    (status, render(locale, page)).into_response()
}

/// `GET /admin/calendar?year=2027`.
pub async fn calendar(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<CalendarQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let banner = banner(session.user.locale, &q.done);
    calendar_page(&state, &session, q.year, banner, None, Fields::default()).await
}

/// `POST /admin/calendar/hours?year=…`: the working hours of every weekday; the zone and the
/// holidays stay.
pub async fn save_hours(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<CalendarQuery>,
    PageForm(form): PageForm<Posted>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, posted(&form, "csrf")) {
        return csrf_failed(locale);
    }
    let current = match sla::calendar(&state.store, &session.user).await {
        Ok(c) => c,
        Err(e) => return fail(locale, e),
    };
    // Only open days are sent; `days[i]` is the weekday of the i-th.
    let days: Vec<usize> = (1..=7)
        .filter(|d| !posted(&form, &format!("d{d}.open")).is_empty())
        .collect();
    let input = CalendarInput {
        time_zone: current.time_zone().iana_name().map(str::to_owned),
        hours: Some(
            days.iter()
                .map(|d| HoursInput {
                    weekday: Some(*d as i64),
                    start: Some(posted(&form, &format!("d{d}.start")).to_owned()),
                    end: Some(posted(&form, &format!("d{d}.end")).to_owned()),
                })
                .collect(),
        ),
        holidays: Some(
            current
                .holidays()
                .iter()
                .map(|(date, name)| HolidayInput {
                    date: Some(date.to_string()),
                    name: Some(name.clone()),
                })
                .collect(),
        ),
    };
    let year = q.year.map(|y| format!("&year={y}")).unwrap_or_default();
    match sla::set_calendar(&state.store, &session.user, &input).await {
        Ok(_) => Redirect::to(&format!("/admin/calendar?done=hours_saved{year}")).into_response(),
        Err(e) => {
            let typed = Fields {
                values: form,
                errors: BTreeMap::new(),
            };
            // `hours[i].start` is shown at the i-th open day's field.
            let ids: Vec<String> = days.iter().map(|d| format!("d{d}")).collect();
            let name_of =
                |field: &str| row_field(field.strip_prefix("hours").unwrap_or(field), &ids);
            match typed.refused_as(locale, &e, name_of) {
                Some(refused) => {
                    let holiday = Fields::default();
                    calendar_page(&state, &session, q.year, None, Some(refused), holiday).await
                }
                None => fail(locale, e),
            }
        }
    }
}

#[derive(Deserialize)]
pub struct HolidayForm {
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    name: String,
}

/// `POST /admin/calendar/holidays`: a day off, then its year's page.
pub async fn add_holiday(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<CalendarQuery>,
    PageForm(form): PageForm<HolidayForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let input = HolidayInput {
        date: Some(form.date.clone()),
        name: Some(form.name.clone()),
    };
    match sla::add_holiday(&state.store, &session.user, &input).await {
        Ok((date, _)) => Redirect::to(&format!(
            "/admin/calendar?year={}&done=holiday_added",
            date.year()
        ))
        .into_response(),
        Err(e) => {
            let typed = Fields {
                values: BTreeMap::from([("date".into(), form.date), ("name".into(), form.name)]),
                errors: BTreeMap::new(),
            };
            match typed.refused(locale, &e) {
                Some(refused) => calendar_page(&state, &session, q.year, None, None, refused).await,
                None => fail(locale, e),
            }
        }
    }
}

/// `POST /admin/calendar/holidays/{date}/remove`: the day is a working day again (adding it
/// back undoes this, so no confirmation is asked).
pub async fn remove_holiday(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(date): Path<String>,
    PageForm(form): PageForm<crate::ui::console::CsrfForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    match sla::remove_holiday(&state.store, &session.user, &date).await {
        Ok(()) => {
            let year = date.get(..4).unwrap_or_default();
            Redirect::to(&format!("/admin/calendar?year={year}&done=holiday_removed"))
                .into_response()
        }
        Err(e) => fail(locale, e),
    }
}

// ---- the settings ----

#[derive(Template)]
#[template(path = "console_settings.html")]
struct SettingsPage {
    w: Words,
    nav: Nav,
    csrf: String,
    banner: Option<String>,
    form: Fields,
}

fn settings_page(session: &Session, banner: Option<String>, form: Fields) -> Response {
    let locale = session.user.locale;
    let page = SettingsPage {
        w: Words(locale),
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        banner,
        form,
    };
    (status_of(&page.form), render(locale, page)).into_response()
}

/// `GET /admin/settings`.
pub async fn settings(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<crate::ui::console::DoneQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    match sla::settings(&state.store, &session.user).await {
        Ok(s) => {
            let form = Fields {
                values: BTreeMap::from([
                    ("auto_close_days".into(), s.auto_close_days.to_string()),
                    (
                        "full_text_emails".into(),
                        if s.full_text_emails { "on" } else { "" }.into(),
                    ),
                    (
                        "upload_bytes_per_day".into(),
                        s.upload_quota.bytes_per_day.to_string(),
                    ),
                    (
                        "upload_files_per_day".into(),
                        s.upload_quota.files_per_day.to_string(),
                    ),
                ]),
                errors: BTreeMap::new(),
            };
            settings_page(&session, banner(locale, &q.done), form)
        }
        Err(e) => fail(locale, e),
    }
}

#[derive(Deserialize)]
pub struct SettingsForm {
    csrf: String,
    #[serde(default)]
    auto_close_days: String,
    full_text_emails: Option<String>,
    /// Absent (an older form) keeps the quota; sent blank is refused like any bad number.
    upload_bytes_per_day: Option<String>,
    upload_files_per_day: Option<String>,
}

/// `POST /admin/settings`.
pub async fn save_settings(
    State(state): State<AppState>,
    Browser(session): Browser,
    PageForm(form): PageForm<SettingsForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let locale = session.user.locale;
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(locale);
    }
    let input = SettingsInput {
        // Blank is out of range too: the refusal says which numbers are taken.
        auto_close_days: Some(number(&form.auto_close_days).unwrap_or(0)),
        full_text_emails: Some(form.full_text_emails.is_some()),
        upload_bytes_per_day: form
            .upload_bytes_per_day
            .as_deref()
            .map(|v| number(v).unwrap_or(0)),
        upload_files_per_day: form
            .upload_files_per_day
            .as_deref()
            .map(|v| number(v).unwrap_or(0)),
    };
    match sla::update_settings(&state.store, &session.user, &input).await {
        Ok(_) => Redirect::to("/admin/settings?done=settings_saved").into_response(),
        Err(e) => {
            let typed = Fields {
                values: BTreeMap::from([
                    ("auto_close_days".into(), form.auto_close_days),
                    (
                        "full_text_emails".into(),
                        form.full_text_emails.unwrap_or_default(),
                    ),
                    (
                        "upload_bytes_per_day".into(),
                        form.upload_bytes_per_day.unwrap_or_default(),
                    ),
                    (
                        "upload_files_per_day".into(),
                        form.upload_files_per_day.unwrap_or_default(),
                    ),
                ]),
                errors: BTreeMap::new(),
            };
            match typed.refused(locale, &e) {
                Some(refused) => settings_page(&session, None, refused),
                None => fail(locale, e),
            }
        }
    }
}
