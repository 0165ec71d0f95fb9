//! The admin's SLA settings (SPEC §6, §8): the targets per plan and ticket kind, the business
//! calendar their business hours run on, and the operator's settings (auto-close days,
//! full-text emails). Admins only; every input problem is named by its JSON path.

use jiff::SignedDuration;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use madoguchi_core::calendar::{BusinessCalendar, WorkingHours};
use madoguchi_core::model::User;
use madoguchi_core::sla::{Clock, SlaTarget};
use madoguchi_core::{Invalid, Problem, Role, SupportPlan, TicketKind};
use madoguchi_store::{Settings, SettingsChanges, SlaPolicy, Store};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{ServiceError, ServiceResult, required};

/// The longest target an admin may set: a year, in minutes.
pub const MAX_TARGET_MINUTES: i64 = 366 * 24 * 60;
/// The auto-close delay admins may choose, in days.
pub const AUTO_CLOSE_DAYS: std::ops::RangeInclusive<i64> = 1..=365;
const MAX_HOLIDAY_NAME: usize = 100;

fn admin_only(actor: &User) -> ServiceResult<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only admins may do this".into()))
    }
}

// ---- targets ----

/// One plan's and kind's targets, as `PUT /api/v1/admin/sla-policies` takes them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SlaPolicyInput {
    /// `basic`, `advanced` or `premium`.
    #[schema(required = true)]
    pub plan: Option<String>,
    /// `inquiry` or `incident`.
    #[schema(required = true)]
    pub kind: Option<String>,
    /// Minutes to the first public answer, 1 to 527040 (a year).
    #[schema(required = true)]
    pub first_response_minutes: Option<i64>,
    /// Minutes between public answers while the ticket is open, 1 to 527040.
    #[schema(required = true)]
    pub update_minutes: Option<i64>,
    /// `around_the_clock` or `business_hours`.
    #[schema(required = true)]
    pub clock: Option<String>,
}

/// One policy, or several at once (a list).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum SlaPoliciesInput {
    All(Vec<SlaPolicyInput>),
    One(SlaPolicyInput),
}

fn minutes(field: String, value: Option<i64>, errors: &mut Invalid) -> Option<SignedDuration> {
    match value {
        None => {
            errors.push(field, Problem::Required);
            None
        }
        Some(m) if (1..=MAX_TARGET_MINUTES).contains(&m) => Some(SignedDuration::from_mins(m)),
        Some(_) => {
            errors.push(
                field,
                Problem::Conflicts {
                    reason: "problem.sla_minutes_range",
                },
            );
            None
        }
    }
}

fn code_of<T>(
    field: String,
    value: &Option<String>,
    parse: impl Fn(&str) -> Result<T, madoguchi_core::UnknownCode>,
    errors: &mut Invalid,
) -> Option<T> {
    let text = required(&field, value, errors)?;
    errors.check(&field, parse(text).map_err(Problem::from))
}

fn parse_policy(prefix: &str, input: &SlaPolicyInput, errors: &mut Invalid) -> Option<SlaPolicy> {
    let at = |name: &str| format!("{prefix}{name}");
    let plan = code_of(at("plan"), &input.plan, SupportPlan::parse, errors);
    let kind = code_of(at("kind"), &input.kind, TicketKind::parse, errors);
    let first = minutes(
        at("first_response_minutes"),
        input.first_response_minutes,
        errors,
    );
    let update = minutes(at("update_minutes"), input.update_minutes, errors);
    let clock = code_of(at("clock"), &input.clock, Clock::parse, errors);
    Some(SlaPolicy {
        plan: plan?,
        kind: kind?,
        target: SlaTarget {
            first_response: first?,
            update: update?,
            clock: clock?,
        },
    })
}

/// Every target, by plan and kind.
pub async fn policies(store: &Store, actor: &User) -> ServiceResult<Vec<SlaPolicy>> {
    admin_only(actor)?;
    Ok(store.sla_policies().await?)
}

/// Sets one target or several; the others stay. Answers all of them.
pub async fn set_policies(
    store: &Store,
    actor: &User,
    input: &SlaPoliciesInput,
) -> ServiceResult<Vec<SlaPolicy>> {
    admin_only(actor)?;
    let mut errors = Invalid::new();
    let parsed: Vec<Option<SlaPolicy>> = match input {
        SlaPoliciesInput::One(one) => vec![parse_policy("", one, &mut errors)],
        SlaPoliciesInput::All(all) => {
            if all.is_empty() {
                errors.push("policies", Problem::Required);
            }
            all.iter()
                .enumerate()
                .map(|(i, p)| parse_policy(&format!("[{i}]."), p, &mut errors))
                .collect()
        }
    };
    let mut policies: Vec<SlaPolicy> = Vec::new();
    for (i, p) in parsed.iter().enumerate() {
        if let Some(p) = p {
            if policies
                .iter()
                .any(|o| o.plan == p.plan && o.kind == p.kind)
            {
                errors.push(
                    format!("[{i}].kind"),
                    Problem::Conflicts {
                        reason: "problem.sla_policy_twice",
                    },
                );
            }
            policies.push(*p);
        }
    }
    errors.into_result()?;
    Ok(store.set_sla_policies(Some(&actor.id), &policies).await?)
}

// ---- calendar ----

/// One weekday's working hours.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct HoursInput {
    /// ISO weekday: 1 Monday … 7 Sunday. A weekday not listed is a day off.
    #[schema(required = true)]
    pub weekday: Option<i64>,
    /// `HH:MM` in the calendar's zone, e.g. `09:00`.
    #[schema(required = true)]
    pub start: Option<String>,
    /// `HH:MM`, after the start; `24:00` ends the day.
    #[schema(required = true)]
    pub end: Option<String>,
}

/// A day off.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct HolidayInput {
    /// `YYYY-MM-DD`.
    #[schema(required = true)]
    pub date: Option<String>,
    /// e.g. `創立記念日`.
    #[schema(required = true)]
    pub name: Option<String>,
}

/// The whole calendar, as `PUT /api/v1/admin/calendar` replaces it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CalendarInput {
    /// An IANA time zone name, e.g. `Asia/Tokyo`.
    #[schema(required = true)]
    pub time_zone: Option<String>,
    #[schema(required = true)]
    pub hours: Option<Vec<HoursInput>>,
    #[schema(required = true)]
    pub holidays: Option<Vec<HolidayInput>>,
}

/// Minutes from midnight of `HH:MM` (24:00 allowed for an end).
fn parse_minute(text: &str, end: bool) -> Option<i64> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    let minute = h * 60 + m;
    let fits = (0..60).contains(&m) && (0..24).contains(&h) || (end && h == 24 && m == 0);
    fits.then_some(minute)
}

fn parse_hours(
    prefix: &str,
    input: &HoursInput,
    errors: &mut Invalid,
) -> Option<(usize, WorkingHours)> {
    let weekday = match input.weekday {
        None => {
            errors.push(format!("{prefix}weekday"), Problem::Required);
            None
        }
        Some(d) if (1..=7).contains(&d) => Some(d as usize - 1),
        Some(_) => {
            errors.push(
                format!("{prefix}weekday"),
                Problem::Conflicts {
                    reason: "problem.weekday_range",
                },
            );
            None
        }
    };
    let mut time = |name: &str, value: &Option<String>, end: bool| {
        let field = format!("{prefix}{name}");
        let text = required(&field, value, errors)?;
        let parsed = parse_minute(text, end);
        if parsed.is_none() {
            errors.push(
                field,
                Problem::Conflicts {
                    reason: "problem.not_a_time_of_day",
                },
            );
        }
        parsed
    };
    let start = time("start", &input.start, false);
    let end = time("end", &input.end, true);
    let (start, end) = (start?, end?);
    match WorkingHours::from_minutes(start, end) {
        Ok(hours) => Some((weekday?, hours)),
        Err(_) => {
            errors.push(
                format!("{prefix}end"),
                Problem::Conflicts {
                    reason: "problem.end_before_start",
                },
            );
            None
        }
    }
}

fn parse_holiday(
    prefix: &str,
    input: &HolidayInput,
    errors: &mut Invalid,
) -> Option<(Date, String)> {
    let date_field = format!("{prefix}date");
    let date = required(&date_field, &input.date, errors).and_then(|text| {
        let parsed = parse_date(text);
        if parsed.is_none() {
            errors.push(
                date_field.clone(),
                Problem::Conflicts {
                    reason: "problem.not_a_date",
                },
            );
        }
        parsed
    });
    let name_field = format!("{prefix}name");
    let name = required(&name_field, &input.name, errors).and_then(|name| {
        if name.chars().count() > MAX_HOLIDAY_NAME {
            errors.push(
                name_field.clone(),
                Problem::TooLong {
                    max: MAX_HOLIDAY_NAME,
                },
            );
            None
        } else {
            Some(name.to_owned())
        }
    });
    Some((date?, name?))
}

/// `YYYY-MM-DD`, exactly.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if text.len() != 10 {
        return None;
    }
    text.parse::<Date>().ok()
}

/// The calendar in force.
pub async fn calendar(store: &Store, actor: &User) -> ServiceResult<BusinessCalendar> {
    admin_only(actor)?;
    Ok(store.business_calendar().await?)
}

/// Replaces the calendar: zone, weekly hours, holidays.
pub async fn set_calendar(
    store: &Store,
    actor: &User,
    input: &CalendarInput,
) -> ServiceResult<BusinessCalendar> {
    admin_only(actor)?;
    let mut errors = Invalid::new();
    let zone = required("time_zone", &input.time_zone, &mut errors).and_then(|name| {
        match TimeZone::get(name) {
            Ok(zone) if zone.iana_name().is_some() => Some(zone),
            _ => {
                errors.push(
                    "time_zone",
                    Problem::Conflicts {
                        reason: "problem.unknown_time_zone",
                    },
                );
                None
            }
        }
    });
    let mut weekly: [Option<WorkingHours>; 7] = [None; 7];
    match &input.hours {
        None => errors.push("hours", Problem::Required),
        Some(hours) => {
            for (i, h) in hours.iter().enumerate() {
                if let Some((day, parsed)) = parse_hours(&format!("hours[{i}]."), h, &mut errors) {
                    if weekly[day].is_some() {
                        errors.push(
                            format!("hours[{i}].weekday"),
                            Problem::Conflicts {
                                reason: "problem.weekday_twice",
                            },
                        );
                    }
                    weekly[day] = Some(parsed);
                }
            }
        }
    }
    let mut holidays: Vec<(Date, String)> = Vec::new();
    match &input.holidays {
        None => errors.push("holidays", Problem::Required),
        Some(list) => {
            for (i, h) in list.iter().enumerate() {
                if let Some((date, name)) =
                    parse_holiday(&format!("holidays[{i}]."), h, &mut errors)
                {
                    if holidays.iter().any(|(d, _)| *d == date) {
                        errors.push(
                            format!("holidays[{i}].date"),
                            Problem::Conflicts {
                                reason: "problem.holiday_twice",
                            },
                        );
                    }
                    holidays.push((date, name));
                }
            }
        }
    }
    errors.into_result()?;
    let zone = zone.ok_or_else(|| ServiceError::Internal("zone checked above".into()))?;
    let calendar = BusinessCalendar::new(zone, weekly, holidays);
    Ok(store
        .set_business_calendar(Some(&actor.id), &calendar)
        .await?)
}

/// Adds a day off; a date already off is a conflict.
pub async fn add_holiday(
    store: &Store,
    actor: &User,
    input: &HolidayInput,
) -> ServiceResult<(Date, String)> {
    admin_only(actor)?;
    let mut errors = Invalid::new();
    let parsed = parse_holiday("", input, &mut errors);
    errors.into_result()?;
    let (date, name) = parsed.ok_or_else(|| ServiceError::Internal("checked above".into()))?;
    store.add_holiday(Some(&actor.id), date, &name).await?;
    Ok((date, name))
}

/// Makes a holiday a working day again; a date that is not a holiday is not found.
pub async fn remove_holiday(store: &Store, actor: &User, date: &str) -> ServiceResult<()> {
    admin_only(actor)?;
    let date = parse_date(date).ok_or(ServiceError::NotFound)?;
    Ok(store.remove_holiday(Some(&actor.id), date).await?)
}

/// The hours of a day as `HH:MM` (`24:00` for midnight at the end).
pub fn hhmm(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

// ---- settings ----

/// `PATCH /api/v1/admin/settings`: the fields given change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SettingsInput {
    /// Pending-closure tickets close by themselves after this many days without a
    /// customer reply, 1–365.
    pub auto_close_days: Option<i64>,
    /// Whether notification emails carry the reply's text.
    pub full_text_emails: Option<bool>,
    /// How many bytes one user may upload per day, 1 MiB–1 TiB (default 200 MiB).
    pub upload_bytes_per_day: Option<i64>,
    /// How many files one user may upload per day, 1–100000 (default 100).
    pub upload_files_per_day: Option<i64>,
}

const UPLOAD_BYTES_PER_DAY: std::ops::RangeInclusive<i64> = (1 << 20)..=(1 << 40);
const UPLOAD_FILES_PER_DAY: std::ops::RangeInclusive<i64> = 1..=100_000;

pub async fn settings(store: &Store, actor: &User) -> ServiceResult<Settings> {
    admin_only(actor)?;
    Ok(store.settings().await?)
}

pub async fn update_settings(
    store: &Store,
    actor: &User,
    input: &SettingsInput,
) -> ServiceResult<Settings> {
    admin_only(actor)?;
    if let Some(days) = input.auto_close_days
        && !AUTO_CLOSE_DAYS.contains(&days)
    {
        return Err(ServiceError::Invalid(Invalid::one(
            "auto_close_days",
            Problem::Conflicts {
                reason: "problem.auto_close_days_range",
            },
        )));
    }
    let mut errors = Invalid::new();
    if let Some(bytes) = input.upload_bytes_per_day
        && !UPLOAD_BYTES_PER_DAY.contains(&bytes)
    {
        errors.push(
            "upload_bytes_per_day",
            Problem::Conflicts {
                reason: "problem.upload_bytes_per_day_range",
            },
        );
    }
    if let Some(files) = input.upload_files_per_day
        && !UPLOAD_FILES_PER_DAY.contains(&files)
    {
        errors.push(
            "upload_files_per_day",
            Problem::Conflicts {
                reason: "problem.upload_files_per_day_range",
            },
        );
    }
    errors.into_result()?;
    let changes = SettingsChanges {
        auto_close_days: input.auto_close_days,
        full_text_emails: input.full_text_emails,
        upload_bytes_per_day: input.upload_bytes_per_day,
        upload_files_per_day: input.upload_files_per_day,
    };
    Ok(store.update_settings(Some(&actor.id), changes).await?)
}
