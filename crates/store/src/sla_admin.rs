//! The SLA targets, the business calendar and the operator's settings: seeded from `core`
//! into a new database by `migrate()`, then data that admins edit. Every change is one
//! transaction with its event, and replaces the configuration version so that new due times
//! use it at once (dues already computed stay as they are).

use jiff::Timestamp;
use jiff::civil::Date;
use madoguchi_core::calendar::{BusinessCalendar, japanese_holidays};
use madoguchi_core::event::EventKind;
use madoguchi_core::sla::seeded_targets;
use madoguchi_core::uploads::{DEFAULT_UPLOAD_QUOTA, UploadQuota};
use serde_json::{Value, json};
use sqlx::AnyConnection;

use crate::db::new_id;
use crate::error::ConstraintExt;
use crate::events::append;
use crate::sla::{SlaPolicy, TIME_ZONE_KEY, VERSION_KEY, config, forget_kept};
use crate::{Result, Store, StoreError};

/// The operator's settings that the admin API edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Pending-closure tickets without a customer reply for this many days close themselves.
    pub auto_close_days: i64,
    /// Whether notification emails carry the reply's text (SPEC §5: off by default).
    pub full_text_emails: bool,
    /// What one user may upload per day (issue 16).
    pub upload_quota: UploadQuota,
}

/// What an admin changes in the settings; `None` keeps the value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettingsChanges {
    pub auto_close_days: Option<i64>,
    pub full_text_emails: Option<bool>,
    pub upload_bytes_per_day: Option<i64>,
    pub upload_files_per_day: Option<i64>,
}

const AUTO_CLOSE_DAYS: &str = "auto_close_days";
const FULL_TEXT_EMAILS: &str = "full_text_emails";
const UPLOAD_BYTES_PER_DAY: &str = "upload_bytes_per_day";
const UPLOAD_FILES_PER_DAY: &str = "upload_files_per_day";
/// SPEC §5: pending-closure tickets close after 7 days by default.
const DEFAULT_AUTO_CLOSE_DAYS: i64 = 7;

/// The years whose holidays a new database gets: last year to five years ahead.
fn seeded_years(now: Timestamp) -> std::ops::RangeInclusive<i16> {
    let year = now
        .to_zoned(BusinessCalendar::japanese([]).time_zone().clone())
        .year();
    year.saturating_sub(1)..=year.saturating_add(5)
}

async fn put_setting(conn: &mut AnyConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn setting(conn: &mut AnyConnection, key: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// A new configuration version, in the transaction of the change.
async fn new_version(conn: &mut AnyConnection) -> Result<()> {
    put_setting(conn, VERSION_KEY, &new_id()).await
}

async fn write_hours(conn: &mut AnyConnection, calendar: &BusinessCalendar) -> Result<()> {
    sqlx::query("DELETE FROM business_hours")
        .execute(&mut *conn)
        .await?;
    for (index, hours) in calendar.weekly_hours().iter().enumerate() {
        if let Some(hours) = hours {
            sqlx::query(
                "INSERT INTO business_hours (weekday, start_minute, end_minute) VALUES ($1, $2, $3)",
            )
            .bind(index as i64 + 1)
            .bind(hours.start_minute())
            .bind(hours.end_minute())
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

async fn insert_holiday(conn: &mut AnyConnection, date: Date, name: &str) -> Result<()> {
    sqlx::query("INSERT INTO holidays (day, name) VALUES ($1, $2)")
        .bind(date.to_string())
        .bind(name)
        .execute(&mut *conn)
        .await
        .taken("date")?;
    Ok(())
}

/// The calendar as event data and API answers show it.
fn calendar_json(calendar: &BusinessCalendar) -> Value {
    json!({
        "time_zone": calendar.time_zone().iana_name(),
        "hours": calendar.weekly_hours().iter().enumerate().filter_map(|(i, h)| {
            h.map(|h| json!({ "weekday": i + 1, "start_minute": h.start_minute(), "end_minute": h.end_minute() }))
        }).collect::<Vec<_>>(),
        "holidays": calendar.holidays().len(),
    })
}

fn policy_json(p: &SlaPolicy) -> Value {
    json!({
        "first_response_minutes": p.target.first_response.as_mins(),
        "update_minutes": p.target.update.as_mins(),
        "clock": p.target.clock,
    })
}

impl Store {
    /// Seeds the SLA targets, the business calendar (weekdays 9:00–17:00 Asia/Tokyo, the
    /// Japanese holidays of last year to five years ahead) and the settings into a database
    /// that has none of them, so that an admin's later changes are never overwritten.
    pub(crate) async fn seed_sla(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        let policies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sla_policies")
            .fetch_one(&mut *tx)
            .await?;
        if policies == 0 {
            for (plan, kind, target) in seeded_targets() {
                sqlx::query(
                    "INSERT INTO sla_policies (plan, kind, first_response_minutes, update_minutes, clock)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(plan.code())
                .bind(kind.code())
                .bind(target.first_response.as_mins())
                .bind(target.update.as_mins())
                .bind(target.clock.code())
                .execute(&mut *tx)
                .await?;
            }
        }
        // The time zone setting marks a seeded calendar: an admin may empty the hours or the
        // holidays on purpose, and a later migrate must not bring them back.
        if setting(&mut tx, TIME_ZONE_KEY).await?.is_none() {
            let holidays = seeded_years(Timestamp::now()).flat_map(japanese_holidays);
            let calendar = BusinessCalendar::japanese(holidays);
            write_hours(&mut tx, &calendar).await?;
            for (date, name) in calendar.holidays() {
                sqlx::query(
                    "INSERT INTO holidays (day, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(date.to_string())
                .bind(name)
                .execute(&mut *tx)
                .await?;
            }
            put_setting(
                &mut tx,
                TIME_ZONE_KEY,
                calendar.time_zone().iana_name().unwrap_or("Asia/Tokyo"),
            )
            .await?;
        }
        for (key, value) in [
            (AUTO_CLOSE_DAYS, DEFAULT_AUTO_CLOSE_DAYS.to_string()),
            (FULL_TEXT_EMAILS, "false".to_owned()),
            (VERSION_KEY, new_id()),
        ] {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every SLA target, by plan and kind.
    pub async fn sla_policies(&self) -> Result<Vec<SlaPolicy>> {
        let mut conn = self.read.acquire().await?;
        Ok(config(&mut conn).await?.policies.clone())
    }

    /// Sets the targets given (one or all); the others stay. New due times use them at once.
    pub async fn set_sla_policies(
        &self,
        actor: Option<&str>,
        policies: &[SlaPolicy],
    ) -> Result<Vec<SlaPolicy>> {
        let mut tx = self.begin().await?;
        let before = config(&mut tx).await?;
        let mut changes = serde_json::Map::new();
        for p in policies {
            sqlx::query(
                "INSERT INTO sla_policies (plan, kind, first_response_minutes, update_minutes, clock)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (plan, kind) DO UPDATE SET first_response_minutes = excluded.first_response_minutes,
                   update_minutes = excluded.update_minutes, clock = excluded.clock",
            )
            .bind(p.plan.code())
            .bind(p.kind.code())
            .bind(p.target.first_response.as_mins())
            .bind(p.target.update.as_mins())
            .bind(p.target.clock.code())
            .execute(&mut *tx)
            .await?;
            let old = before
                .policies
                .iter()
                .find(|o| o.plan == p.plan && o.kind == p.kind);
            if old != Some(p) {
                changes.insert(
                    format!("{}.{}", p.plan.code(), p.kind.code()),
                    json!({ "from": old.map(policy_json), "to": policy_json(p) }),
                );
            }
        }
        if !changes.is_empty() {
            new_version(&mut tx).await?;
            append(
                &mut tx,
                EventKind::SlaPolicyUpdated,
                actor,
                "sla_policies",
                None,
                json!({ "changes": changes }),
            )
            .await?;
        }
        let after = crate::sla::config(&mut tx).await?.policies.clone();
        tx.commit().await?;
        forget_kept();
        Ok(after)
    }

    /// The business calendar in force: its zone, weekly hours and holidays.
    pub async fn business_calendar(&self) -> Result<BusinessCalendar> {
        let mut conn = self.read.acquire().await?;
        Ok(config(&mut conn).await?.calendar.clone())
    }

    /// Replaces the whole calendar (zone, hours, holidays).
    pub async fn set_business_calendar(
        &self,
        actor: Option<&str>,
        calendar: &BusinessCalendar,
    ) -> Result<BusinessCalendar> {
        let mut tx = self.begin().await?;
        let before = config(&mut tx).await?.calendar.clone();
        write_hours(&mut tx, calendar).await?;
        sqlx::query("DELETE FROM holidays")
            .execute(&mut *tx)
            .await?;
        for (date, name) in calendar.holidays() {
            insert_holiday(&mut tx, *date, name).await?;
        }
        let zone = calendar
            .time_zone()
            .iana_name()
            .ok_or_else(|| StoreError::corrupt("a calendar's zone needs an IANA name"))?;
        put_setting(&mut tx, TIME_ZONE_KEY, zone).await?;
        new_version(&mut tx).await?;
        append(
            &mut tx,
            EventKind::CalendarUpdated,
            actor,
            "calendar",
            None,
            json!({ "changes": { "calendar": { "from": calendar_json(&before), "to": calendar_json(calendar) } } }),
        )
        .await?;
        let after = config(&mut tx).await?.calendar.clone();
        tx.commit().await?;
        forget_kept();
        Ok(after)
    }

    /// Adds one day off; a date that is already one is `Taken { field: "date" }`.
    pub async fn add_holiday(&self, actor: Option<&str>, date: Date, name: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_holiday(&mut tx, date, name).await?;
        new_version(&mut tx).await?;
        append(
            &mut tx,
            EventKind::CalendarUpdated,
            actor,
            "calendar",
            None,
            json!({ "changes": { "holiday": { "from": null, "to": { "date": date.to_string(), "name": name } } } }),
        )
        .await?;
        tx.commit().await?;
        forget_kept();
        Ok(())
    }

    /// Makes a holiday a working day again; `NotFound` if it was not one.
    pub async fn remove_holiday(&self, actor: Option<&str>, date: Date) -> Result<()> {
        let mut tx = self.begin().await?;
        let name: Option<String> =
            sqlx::query_scalar("DELETE FROM holidays WHERE day = $1 RETURNING name")
                .bind(date.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let name = name.ok_or(StoreError::NotFound)?;
        new_version(&mut tx).await?;
        append(
            &mut tx,
            EventKind::CalendarUpdated,
            actor,
            "calendar",
            None,
            json!({ "changes": { "holiday": { "from": { "date": date.to_string(), "name": name }, "to": null } } }),
        )
        .await?;
        tx.commit().await?;
        forget_kept();
        Ok(())
    }

    /// The operator's settings.
    pub async fn settings(&self) -> Result<Settings> {
        let mut conn = self.read.acquire().await?;
        read_settings(&mut conn).await
    }

    /// Changes the settings given; an event lists what changed.
    pub async fn update_settings(
        &self,
        actor: Option<&str>,
        changes: SettingsChanges,
    ) -> Result<Settings> {
        let mut tx = self.begin().await?;
        let before = read_settings(&mut tx).await?;
        if let Some(days) = changes.auto_close_days {
            put_setting(&mut tx, AUTO_CLOSE_DAYS, &days.to_string()).await?;
        }
        if let Some(full) = changes.full_text_emails {
            put_setting(
                &mut tx,
                FULL_TEXT_EMAILS,
                if full { "true" } else { "false" },
            )
            .await?;
        }
        for (key, value) in [
            (UPLOAD_BYTES_PER_DAY, changes.upload_bytes_per_day),
            (UPLOAD_FILES_PER_DAY, changes.upload_files_per_day),
        ] {
            if let Some(value) = value {
                put_setting(&mut tx, key, &value.to_string()).await?;
            }
        }
        let after = read_settings(&mut tx).await?;
        let mut diff = serde_json::Map::new();
        for (key, from, to) in [
            (
                UPLOAD_BYTES_PER_DAY,
                before.upload_quota.bytes_per_day,
                after.upload_quota.bytes_per_day,
            ),
            (
                UPLOAD_FILES_PER_DAY,
                before.upload_quota.files_per_day,
                after.upload_quota.files_per_day,
            ),
        ] {
            if from != to {
                diff.insert(key.into(), json!({ "from": from, "to": to }));
            }
        }
        if before.auto_close_days != after.auto_close_days {
            diff.insert(
                AUTO_CLOSE_DAYS.into(),
                json!({ "from": before.auto_close_days, "to": after.auto_close_days }),
            );
        }
        if before.full_text_emails != after.full_text_emails {
            diff.insert(
                FULL_TEXT_EMAILS.into(),
                json!({ "from": before.full_text_emails, "to": after.full_text_emails }),
            );
        }
        if !diff.is_empty() {
            append(
                &mut tx,
                EventKind::SettingsUpdated,
                actor,
                "settings",
                None,
                json!({ "changes": diff }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }
}

pub(crate) async fn read_settings(conn: &mut AnyConnection) -> Result<Settings> {
    let days = setting(conn, AUTO_CLOSE_DAYS)
        .await?
        .map(|v| v.parse::<i64>().map_err(StoreError::corrupt))
        .transpose()?
        .unwrap_or(DEFAULT_AUTO_CLOSE_DAYS);
    let full = setting(conn, FULL_TEXT_EMAILS).await?.as_deref() == Some("true");
    let mut upload_quota = DEFAULT_UPLOAD_QUOTA;
    if let Some(v) = setting(conn, UPLOAD_BYTES_PER_DAY).await? {
        upload_quota.bytes_per_day = v.parse().map_err(StoreError::corrupt)?;
    }
    if let Some(v) = setting(conn, UPLOAD_FILES_PER_DAY).await? {
        upload_quota.files_per_day = v.parse().map_err(StoreError::corrupt)?;
    }
    Ok(Settings {
        auto_close_days: days,
        full_text_emails: full,
        upload_quota,
    })
}
