//! `/api/v1/admin/sla-policies`, `/api/v1/admin/calendar`, `/api/v1/admin/settings`: the SLA
//! targets, the business calendar and the operator's settings (SPEC §6, §8). Admins only;
//! customers and agents get 403 like on every admin resource.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use madoguchi_app::sla::{
    self, CalendarInput, HolidayInput, SettingsInput, SlaPoliciesInput, hhmm,
};
use madoguchi_core::calendar::BusinessCalendar;
use madoguchi_store::{Settings, SlaPolicy};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::views::List;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, Problem};
use crate::state::AppState;

/// One plan's and ticket kind's targets.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaPolicyView {
    /// `basic`, `advanced` or `premium`.
    pub plan: String,
    /// `inquiry` or `incident`.
    pub kind: String,
    pub first_response_minutes: i64,
    pub update_minutes: i64,
    /// `around_the_clock` or `business_hours`.
    pub clock: String,
}

impl From<&SlaPolicy> for SlaPolicyView {
    fn from(p: &SlaPolicy) -> Self {
        SlaPolicyView {
            plan: p.plan.code().to_owned(),
            kind: p.kind.code().to_owned(),
            first_response_minutes: p.target.first_response.as_mins(),
            update_minutes: p.target.update.as_mins(),
            clock: p.target.clock.code().to_owned(),
        }
    }
}

/// One weekday's working hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoursView {
    /// 1 Monday … 7 Sunday.
    pub weekday: i64,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`; `24:00` is the end of the day.
    pub end: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayView {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: String,
}

/// The business calendar that business-hours targets run on.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    pub time_zone: String,
    /// The working weekdays; a weekday not listed is a day off.
    pub hours: Vec<HoursView>,
    /// Days off, in date order.
    pub holidays: Vec<HolidayView>,
}

impl From<&BusinessCalendar> for CalendarView {
    fn from(c: &BusinessCalendar) -> Self {
        CalendarView {
            time_zone: c.time_zone().iana_name().unwrap_or("UTC").to_owned(),
            hours: c
                .weekly_hours()
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    h.map(|h| HoursView {
                        weekday: i as i64 + 1,
                        start: hhmm(h.start_minute()),
                        end: hhmm(h.end_minute()),
                    })
                })
                .collect(),
            holidays: c
                .holidays()
                .iter()
                .map(|(date, name)| HolidayView {
                    date: date.to_string(),
                    name: name.clone(),
                })
                .collect(),
        }
    }
}

/// The operator's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    /// Pending-closure tickets close by themselves after this many days without a reply.
    pub auto_close_days: i64,
    /// Whether notification emails carry the reply's text.
    pub full_text_emails: bool,
    /// How many bytes one user may upload per UTC day.
    pub upload_bytes_per_day: i64,
    /// How many files one user may upload per UTC day.
    pub upload_files_per_day: i64,
}

impl From<Settings> for SettingsView {
    fn from(s: Settings) -> Self {
        SettingsView {
            auto_close_days: s.auto_close_days,
            full_text_emails: s.full_text_emails,
            upload_bytes_per_day: s.upload_quota.bytes_per_day,
            upload_files_per_day: s.upload_quota.files_per_day,
        }
    }
}

fn policies_view(policies: &[SlaPolicy]) -> List<SlaPolicyView> {
    List::all(policies.iter().map(SlaPolicyView::from).collect())
}

/// The SLA targets per plan and ticket kind.
#[utoipa::path(get, path = "/api/v1/admin/sla-policies", tag = "admin",
    responses((status = 200, body = List<SlaPolicyView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_policies(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<List<SlaPolicyView>>, ApiError> {
    Ok(Json(policies_view(
        &sla::policies(&state.store, &actor).await?,
    )))
}

/// Sets one target (`{plan, kind, …}`) or several (a list); the others stay. Tickets filed
/// or answered from now on use them; due times already computed stay.
#[utoipa::path(put, path = "/api/v1/admin/sla-policies", tag = "admin", request_body = SlaPoliciesInput,
    responses((status = 200, body = List<SlaPolicyView>), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn put_policies(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<SlaPoliciesInput>,
) -> Result<Json<List<SlaPolicyView>>, ApiError> {
    Ok(Json(policies_view(
        &sla::set_policies(&state.store, &actor, &input).await?,
    )))
}

/// The business calendar: zone, weekly hours, holidays.
#[utoipa::path(get, path = "/api/v1/admin/calendar", tag = "admin",
    responses((status = 200, body = CalendarView), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_calendar(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<CalendarView>, ApiError> {
    Ok(Json((&sla::calendar(&state.store, &actor).await?).into()))
}

/// Replaces the whole calendar.
#[utoipa::path(put, path = "/api/v1/admin/calendar", tag = "admin", request_body = CalendarInput,
    responses((status = 200, body = CalendarView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn put_calendar(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<CalendarInput>,
) -> Result<Json<CalendarView>, ApiError> {
    Ok(Json(
        (&sla::set_calendar(&state.store, &actor, &input).await?).into(),
    ))
}

/// Adds a day off (a company holiday, a holiday the law added).
#[utoipa::path(post, path = "/api/v1/admin/calendar/holidays", tag = "admin", request_body = HolidayInput,
    responses((status = 201, body = HolidayView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_holiday(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<HolidayInput>,
) -> Result<(StatusCode, Json<HolidayView>), ApiError> {
    let (date, name) = sla::add_holiday(&state.store, &actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(HolidayView {
            date: date.to_string(),
            name,
        }),
    ))
}

/// Makes a holiday a working day again.
#[utoipa::path(delete, path = "/api/v1/admin/calendar/holidays/{date}", tag = "admin",
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_holiday(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(date): Path<String>,
) -> Result<StatusCode, ApiError> {
    sla::remove_holiday(&state.store, &actor, &date).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The operator's settings.
#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin",
    responses((status = 200, body = SettingsView), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<SettingsView>, ApiError> {
    Ok(Json(sla::settings(&state.store, &actor).await?.into()))
}

/// Changes the settings given.
#[utoipa::path(patch, path = "/api/v1/admin/settings", tag = "admin", request_body = SettingsInput,
    responses((status = 200, body = SettingsView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn patch_settings(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<SettingsInput>,
) -> Result<Json<SettingsView>, ApiError> {
    Ok(Json(
        sla::update_settings(&state.store, &actor, &input)
            .await?
            .into(),
    ))
}
