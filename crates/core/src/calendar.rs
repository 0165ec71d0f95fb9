//! The business calendar that SLA targets counted "in business hours" run on (SPEC §6):
//! working hours per weekday in one time zone, minus holidays.
//!
//! The calendar only holds data. The Japanese public holidays come from
//! [`japanese_holidays`], which the store seeds into an editable table once; after that an
//! admin's edits (a company holiday, a holiday the law adds later) are what counts, so
//! nothing here consults a holiday list on its own.

use std::collections::BTreeMap;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// The hours of one working day in the calendar's zone, ending after they start and at
/// the latest at the midnight that ends the day (24:00).
///
/// A day's hours lie inside that civil day (no night shifts across midnight), which keeps
/// "which day is this instant on" a plain date lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkingHours {
    start: Time,
    /// `None` is 24:00, which a `Time` cannot name.
    end: Option<Time>,
}

/// Working hours that would be empty, run backwards or leave their day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("working hours must end after they start, by midnight (0:00–24:00)")]
pub struct InvalidWorkingHours;

const MINUTES_PER_DAY: i64 = 24 * 60;

impl WorkingHours {
    /// Hours that end before midnight. They must end after they start, so every working
    /// day holds some time and the SLA arithmetic always advances.
    pub fn new(start: Time, end: Time) -> Result<WorkingHours, InvalidWorkingHours> {
        if start < end {
            Ok(WorkingHours {
                start,
                end: Some(end),
            })
        } else {
            Err(InvalidWorkingHours)
        }
    }

    /// Hours that run to the end of the day (`start`–24:00).
    pub fn until_midnight(start: Time) -> WorkingHours {
        WorkingHours { start, end: None }
    }

    /// Hours as the calendar table keeps them: minutes from midnight,
    /// `0 <= start < end <= 1440`.
    pub fn from_minutes(
        start_minute: i64,
        end_minute: i64,
    ) -> Result<WorkingHours, InvalidWorkingHours> {
        if !(0 <= start_minute && start_minute < end_minute && end_minute <= MINUTES_PER_DAY) {
            return Err(InvalidWorkingHours);
        }
        let time = |minute: i64| {
            let (hour, minute) = (minute / 60, minute % 60);
            Time::new(hour as i8, minute as i8, 0, 0).map_err(|_| InvalidWorkingHours)
        };
        let start = time(start_minute)?;
        if end_minute == MINUTES_PER_DAY {
            Ok(WorkingHours::until_midnight(start))
        } else {
            WorkingHours::new(start, time(end_minute)?)
        }
    }

    /// When work starts.
    pub fn start(self) -> Time {
        self.start
    }

    /// When work ends, `None` for 24:00. An instant at exactly this time is still inside
    /// the working day, so a target that runs out at 17:00 is due at 17:00, not at 9:00
    /// the next day.
    pub fn end(self) -> Option<Time> {
        self.end
    }

    /// The start in whole minutes from midnight, as the calendar table keeps it.
    pub fn start_minute(self) -> i64 {
        minute_of(self.start)
    }

    /// The end in whole minutes from midnight (1440 for 24:00), as the calendar table
    /// keeps it.
    pub fn end_minute(self) -> i64 {
        self.end.map_or(MINUTES_PER_DAY, minute_of)
    }

    /// The length of the working day on the wall clock.
    pub fn length(self) -> SignedDuration {
        let end = match self.end {
            Some(end) => Time::midnight().duration_until(end),
            None => SignedDuration::from_hours(24),
        };
        end - Time::midnight().duration_until(self.start)
    }
}

/// Whole minutes from midnight.
fn minute_of(time: Time) -> i64 {
    i64::from(time.hour()) * 60 + i64::from(time.minute())
}

/// Weekday hours, holidays and a time zone: everything "business hours" means for SLA
/// targets.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    time_zone: TimeZone,
    /// Monday first, as `Weekday::to_monday_zero_offset` counts.
    hours: [Option<WorkingHours>; 7],
    holidays: BTreeMap<Date, String>,
}

impl BusinessCalendar {
    /// A calendar from its parts, as the store loads them from the editable calendar
    /// table. `hours` runs Monday to Sunday; `None` is a day off every week.
    pub fn new(
        time_zone: TimeZone,
        hours: [Option<WorkingHours>; 7],
        holidays: impl IntoIterator<Item = (Date, String)>,
    ) -> BusinessCalendar {
        BusinessCalendar {
            time_zone,
            hours,
            holidays: holidays.into_iter().collect(),
        }
    }

    /// The calendar of SPEC §6: weekdays 9:00–17:00 Asia/Tokyo, with the given holidays
    /// (usually [`japanese_holidays`] of the years in use).
    ///
    /// Without a time zone database on the host, Asia/Tokyo falls back to a fixed +09:00,
    /// which is the same thing: Japan has not changed its offset since 1951.
    pub fn japanese(holidays: impl IntoIterator<Item = (Date, String)>) -> BusinessCalendar {
        let time_zone =
            TimeZone::get("Asia/Tokyo").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(9)));
        let day = Some(WorkingHours {
            start: Time::constant(9, 0, 0, 0),
            end: Some(Time::constant(17, 0, 0, 0)),
        });
        BusinessCalendar::new(time_zone, [day, day, day, day, day, None, None], holidays)
    }

    /// The zone working hours and holidays are read in.
    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// The working hours of a weekday, `None` when that weekday is off.
    pub fn hours(&self, weekday: Weekday) -> Option<WorkingHours> {
        self.hours[weekday_index(weekday)]
    }

    /// The working hours of every weekday, Monday first, as the store saves them.
    pub fn weekly_hours(&self) -> &[Option<WorkingHours>; 7] {
        &self.hours
    }

    /// Every holiday with its name, in date order.
    pub fn holidays(&self) -> &BTreeMap<Date, String> {
        &self.holidays
    }

    /// The name of the holiday on `date`, if it is one.
    pub fn holiday(&self, date: Date) -> Option<&str> {
        self.holidays.get(&date).map(String::as_str)
    }

    /// Whether any weekday has working hours. A calendar without any never lets a
    /// business-hours clock run, and the SLA functions answer with a far bound instead of
    /// searching forever.
    pub fn has_working_time(&self) -> bool {
        self.hours.iter().any(Option::is_some)
    }

    /// Whether `date` is a working day: its weekday has hours and it is not a holiday.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.hours(date.weekday()).is_some() && !self.holidays.contains_key(&date)
    }

    /// The working hours of `date` as instants, `None` on a day off.
    ///
    /// Wall-clock times that a daylight-saving change skips or repeats resolve the usual
    /// way (later offset for a gap, earlier for a fold); a day whose hours would vanish
    /// that way counts as a day off.
    pub fn working_window(&self, date: Date) -> Option<(Timestamp, Timestamp)> {
        if self.holidays.contains_key(&date) {
            return None;
        }
        let hours = self.hours(date.weekday())?;
        let at = |date: Date, time: Time| self.time_zone.to_timestamp(date.to_datetime(time)).ok();
        let open = at(date, hours.start)?;
        let close = match hours.end {
            Some(end) => at(date, end)?,
            None => at(date.tomorrow().ok()?, Time::midnight())?,
        };
        (open < close).then_some((open, close))
    }

    /// The working time of a week without holidays or offset changes.
    pub(crate) fn week_length(&self) -> SignedDuration {
        self.hours
            .iter()
            .flatten()
            .fold(SignedDuration::ZERO, |sum, hours| sum + hours.length())
    }

    /// How many whole weeks from `from` end on or before `until` without a holiday or a
    /// change of the zone's offset. Each such week holds exactly [`Self::week_length`], so
    /// the SLA arithmetic can step over them at once instead of day by day.
    pub(crate) fn uniform_weeks(&self, from: Date, until: Date) -> i64 {
        let mut limit = until;
        if let Some((&holiday, _)) = self.holidays.range(from..).next() {
            limit = limit.min(holiday);
        }
        if let Ok(midnight) = self
            .time_zone
            .to_timestamp(from.to_datetime(Time::midnight()))
            && let Some(change) = self.time_zone.following(midnight).next()
        {
            limit = limit.min(self.time_zone.to_datetime(change.timestamp()).date());
        }
        if limit <= from {
            return 0;
        }
        from.duration_until(limit).as_hours() / (24 * 7)
    }
}

/// Monday 0 … Sunday 6, the order of [`BusinessCalendar::weekly_hours`].
fn weekday_index(weekday: Weekday) -> usize {
    // Always 0..=6.
    weekday.to_monday_zero_offset().unsigned_abs() as usize
}

/// The name given to the year-end and new-year closure days that are not public holidays.
pub const YEAR_END_CLOSURE: &str = "年末年始";

/// The days off of `year` on the Japanese business calendar of SPEC §6: the public
/// holidays (from the `jpholiday` crate, which follows the Cabinet Office's rules,
/// substitute holidays and 国民の休日 included) plus the year-end and new-year closure
/// 1/1–1/3 and 12/29–12/31, named [`YEAR_END_CLOSURE`] unless already a public holiday
/// (1/1 stays 元日). In date order.
///
/// This is seed data for the editable calendar table: the Cabinet Office can add a
/// holiday by law, and an admin then adds it there.
pub fn japanese_holidays(year: i16) -> Vec<(Date, String)> {
    use jpholiday::chrono::Datelike;

    let mut days: BTreeMap<Date, String> = jpholiday::jpholiday::JPHoliday::new()
        .year_holidays(i32::from(year))
        .into_iter()
        // Every date the crate returns lies in `year`, which fits jiff's range.
        .filter_map(|(day, name)| {
            let date = Date::new(year, day.month() as i8, day.day() as i8).ok()?;
            Some((date, name))
        })
        .collect();
    let closure = [(1, 1), (1, 2), (1, 3), (12, 29), (12, 30), (12, 31)];
    for (month, day) in closure {
        if let Ok(date) = Date::new(year, month, day) {
            days.entry(date)
                .or_insert_with(|| YEAR_END_CLOSURE.to_owned());
        }
    }
    days.into_iter().collect()
}

/// Adds whole weeks to a date, `None` past the end of the calendar.
pub(crate) fn add_weeks(date: Date, weeks: i64) -> Option<Date> {
    let span = jiff::Span::new().try_days(weeks.checked_mul(7)?).ok()?;
    date.checked_add(span).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    /// The public holidays as the Cabinet Office (内閣府「国民の祝日について」) lists them;
    /// substitute holidays and 国民の休日 are listed there simply as 休日.
    const CABINET_OFFICE: &[(i16, i8, i8, &str)] = &[
        (2025, 1, 1, "元日"),
        (2025, 1, 13, "成人の日"),
        (2025, 2, 11, "建国記念の日"),
        (2025, 2, 23, "天皇誕生日"),
        (2025, 2, 24, "休日"),
        (2025, 3, 20, "春分の日"),
        (2025, 4, 29, "昭和の日"),
        (2025, 5, 3, "憲法記念日"),
        (2025, 5, 4, "みどりの日"),
        (2025, 5, 5, "こどもの日"),
        (2025, 5, 6, "休日"),
        (2025, 7, 21, "海の日"),
        (2025, 8, 11, "山の日"),
        (2025, 9, 15, "敬老の日"),
        (2025, 9, 23, "秋分の日"),
        (2025, 10, 13, "スポーツの日"),
        (2025, 11, 3, "文化の日"),
        (2025, 11, 23, "勤労感謝の日"),
        (2025, 11, 24, "休日"),
        (2026, 1, 1, "元日"),
        (2026, 1, 12, "成人の日"),
        (2026, 2, 11, "建国記念の日"),
        (2026, 2, 23, "天皇誕生日"),
        (2026, 3, 20, "春分の日"),
        (2026, 4, 29, "昭和の日"),
        (2026, 5, 3, "憲法記念日"),
        (2026, 5, 4, "みどりの日"),
        (2026, 5, 5, "こどもの日"),
        (2026, 5, 6, "休日"),
        (2026, 7, 20, "海の日"),
        (2026, 8, 11, "山の日"),
        (2026, 9, 21, "敬老の日"),
        (2026, 9, 22, "休日"),
        (2026, 9, 23, "秋分の日"),
        (2026, 10, 12, "スポーツの日"),
        (2026, 11, 3, "文化の日"),
        (2026, 11, 23, "勤労感謝の日"),
        (2027, 1, 1, "元日"),
        (2027, 1, 11, "成人の日"),
        (2027, 2, 11, "建国記念の日"),
        (2027, 2, 23, "天皇誕生日"),
        (2027, 3, 21, "春分の日"),
        (2027, 3, 22, "休日"),
        (2027, 4, 29, "昭和の日"),
        (2027, 5, 3, "憲法記念日"),
        (2027, 5, 4, "みどりの日"),
        (2027, 5, 5, "こどもの日"),
        (2027, 7, 19, "海の日"),
        (2027, 8, 11, "山の日"),
        (2027, 9, 20, "敬老の日"),
        (2027, 9, 23, "秋分の日"),
        (2027, 10, 11, "スポーツの日"),
        (2027, 11, 3, "文化の日"),
        (2027, 11, 23, "勤労感謝の日"),
    ];

    /// The crate names a substitute holiday "<holiday> 振替休日"; the Cabinet Office says 休日.
    fn cabinet_office_name(name: &str) -> &str {
        if name.ends_with("振替休日") || name == "国民の休日" {
            "休日"
        } else {
            name
        }
    }

    #[test]
    fn public_holidays_match_the_cabinet_office_list() {
        for year in [2025, 2026, 2027] {
            let expected: Vec<(Date, &str)> = CABINET_OFFICE
                .iter()
                .filter(|(y, ..)| *y == year)
                .map(|&(y, m, d, name)| (date(y, m, d), name))
                .collect();
            let public: Vec<(Date, String)> = japanese_holidays(year)
                .into_iter()
                .filter(|(_, name)| name != YEAR_END_CLOSURE)
                .collect();
            let actual: Vec<(Date, &str)> = public
                .iter()
                .map(|(day, name)| (*day, cabinet_office_name(name)))
                .collect();
            assert_eq!(actual, expected, "{year}");
        }
    }

    #[test]
    fn the_year_end_closure_is_added_and_new_years_day_keeps_its_name() {
        let days: BTreeMap<Date, String> = japanese_holidays(2026).into_iter().collect();
        assert_eq!(days[&date(2026, 1, 1)], "元日");
        for closure in [
            date(2026, 1, 2),
            date(2026, 1, 3),
            date(2026, 12, 29),
            date(2026, 12, 30),
            date(2026, 12, 31),
        ] {
            assert_eq!(days[&closure], YEAR_END_CLOSURE, "{closure}");
        }
        assert_eq!(days.len(), 18 + 5);
    }

    #[test]
    fn the_japanese_calendar_works_weekdays_nine_to_five_in_tokyo() {
        let cal = BusinessCalendar::japanese(japanese_holidays(2026));
        assert_eq!(cal.time_zone().iana_name(), Some("Asia/Tokyo"));
        let monday = cal.hours(Weekday::Monday).unwrap();
        assert_eq!(
            (monday.start(), monday.end()),
            (time(9, 0, 0, 0), Some(time(17, 0, 0, 0)))
        );
        assert_eq!((monday.start_minute(), monday.end_minute()), (540, 1020));
        assert_eq!(cal.hours(Weekday::Saturday), None);
        assert_eq!(cal.hours(Weekday::Sunday), None);
        assert!(cal.is_working_day(date(2026, 11, 27)));
        assert!(!cal.is_working_day(date(2026, 11, 28)), "Saturday");
        assert!(!cal.is_working_day(date(2026, 11, 23)), "勤労感謝の日");
        assert_eq!(cal.holiday(date(2026, 11, 23)), Some("勤労感謝の日"));
        assert_eq!(cal.week_length(), SignedDuration::from_hours(40));

        let (open, close) = cal.working_window(date(2026, 11, 27)).unwrap();
        assert_eq!(open.to_string(), "2026-11-27T00:00:00Z");
        assert_eq!(close.to_string(), "2026-11-27T08:00:00Z");
        assert_eq!(cal.working_window(date(2026, 11, 23)), None);
    }

    #[test]
    fn working_hours_must_hold_some_time_within_the_day() {
        assert!(WorkingHours::new(time(9, 0, 0, 0), time(9, 0, 0, 0)).is_err());
        assert!(WorkingHours::new(time(17, 0, 0, 0), time(9, 0, 0, 0)).is_err());
        let hours = WorkingHours::new(time(9, 0, 0, 0), time(12, 30, 0, 0)).unwrap();
        assert_eq!(hours.length(), SignedDuration::from_mins(210));

        assert_eq!(
            WorkingHours::from_minutes(540, 1020),
            WorkingHours::new(time(9, 0, 0, 0), time(17, 0, 0, 0))
        );
        for (start, end) in [(600, 600), (600, 540), (-1, 60), (0, 1441)] {
            assert_eq!(
                WorkingHours::from_minutes(start, end),
                Err(InvalidWorkingHours),
                "{start}–{end}"
            );
        }
        let all_day = WorkingHours::from_minutes(0, 1440).unwrap();
        assert_eq!(all_day.end(), None);
        assert_eq!((all_day.start_minute(), all_day.end_minute()), (0, 1440));
        assert_eq!(all_day.length(), SignedDuration::from_hours(24));
    }

    #[test]
    fn hours_until_midnight_close_at_the_start_of_the_next_day() {
        let late = WorkingHours::until_midnight(time(18, 0, 0, 0));
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let cal = BusinessCalendar::new(tokyo, [Some(late); 7], []);
        let (open, close) = cal.working_window(date(2026, 11, 27)).unwrap();
        assert_eq!(open.to_string(), "2026-11-27T09:00:00Z");
        assert_eq!(close.to_string(), "2026-11-27T15:00:00Z");
    }

    #[test]
    fn uniform_weeks_stop_before_holidays_and_offset_changes() {
        let cal = BusinessCalendar::japanese(japanese_holidays(2026));
        // 2026-05-25 … the next holiday is 7/20: eight whole weeks fit before it.
        assert_eq!(cal.uniform_weeks(date(2026, 5, 25), date(2027, 1, 1)), 8);
        assert_eq!(cal.uniform_weeks(date(2026, 5, 25), date(2026, 6, 7)), 1);
        assert_eq!(cal.uniform_weeks(date(2026, 11, 23), date(2027, 1, 1)), 0);

        let paris = BusinessCalendar::new(
            TimeZone::get("Europe/Paris").unwrap(),
            *cal.weekly_hours(),
            [],
        );
        // Summer time ends on 2026-10-25.
        assert_eq!(paris.uniform_weeks(date(2026, 10, 1), date(2027, 1, 1)), 3);
    }
}
