//! Service-level targets (SPEC §6): how long support may take to answer first and between
//! updates, counted around the clock or in business hours, paused while the ticket waits
//! for the customer.
//!
//! Everything here is a pure function of instants, targets and a [`BusinessCalendar`], so
//! the queue, the ticket page, the API and the breach reports all apply the same rule.
//! Deadlines are computed when something happens ([`TicketSla::apply`]) and stored, so a
//! database can find due-soon and breached tickets with plain comparisons.

use std::fmt;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::calendar::{BusinessCalendar, add_weeks};
use crate::codes::{Status, SupportPlan, TicketKind, UnknownCode};

/// Gives an enum declared here the surface `code_enum!` gives the enums of codes.rs
/// (`ALL`, `code`, `parse`, `Display`, `FromStr`); that macro is private to its module.
macro_rules! codes {
    ($name:ident ($what:literal) { $($variant:ident = $code:literal),+ $(,)? }) => {
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code the API and the database use.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a code; the error lists the codes that are allowed.
            pub fn parse(code: &str) -> Result<Self, UnknownCode> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode {
                        what: $what,
                        given: code.to_owned(),
                        allowed: vec![$($code),+],
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

/// How a target's time is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Every hour counts: an incident is urgent at night and on holidays too.
    AroundTheClock,
    /// Only working hours on working days of the business calendar count, as for
    /// inquiries.
    BusinessHours,
}

codes! {
    Clock("SLA clock") { AroundTheClock = "around_the_clock", BusinessHours = "business_hours" }
}

/// The two things an SLA measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaMeasure {
    /// Support's first public answer.
    FirstResponse,
    /// Each further public answer while the ticket is open.
    Update,
}

codes! { SlaMeasure("SLA measure") { FirstResponse = "first_response", Update = "update" } }

/// Where a ticket stands against its SLA, as queues count and filter it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// More than a quarter of the active target is left.
    OnTrack,
    /// A quarter of the active target or less is left.
    DueSoon,
    /// A target was missed. A breach is a fact: it wins over paused and closed.
    Breached,
    /// The clock is stopped while the ticket waits for the customer.
    Paused,
    /// Closed without any target missed.
    Met,
}

codes! {
    SlaState("SLA state") {
        OnTrack = "on_track",
        DueSoon = "due_soon",
        Breached = "breached",
        Paused = "paused",
        Met = "met",
    }
}

/// The far bound a deadline gets when a business-hours clock can never run out (a
/// calendar without any working hours): the ticket is never due rather than the
/// computation never ending.
pub const NEVER: Timestamp = Timestamp::MAX;

/// The targets of one plan and ticket kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTarget {
    /// From filing to support's first public answer.
    pub first_response: SignedDuration,
    /// From one public answer to the next while the ticket is open.
    pub update: SignedDuration,
    /// How both are counted.
    pub clock: Clock,
}

/// The targets of SPEC §6, which the store seeds and admins then edit: incidents around
/// the clock, inquiries in business hours.
pub fn seeded_targets() -> Vec<(SupportPlan, TicketKind, SlaTarget)> {
    let hours = SignedDuration::from_hours;
    let target = |first_response, update, clock| SlaTarget {
        first_response,
        update,
        clock,
    };
    use Clock::*;
    use SupportPlan::*;
    use TicketKind::*;
    vec![
        (Basic, Incident, target(hours(4), hours(8), AroundTheClock)),
        (
            Advanced,
            Incident,
            target(hours(2), hours(4), AroundTheClock),
        ),
        (
            Premium,
            Incident,
            target(SignedDuration::from_mins(30), hours(1), AroundTheClock),
        ),
        (Basic, Inquiry, target(hours(16), hours(16), BusinessHours)),
        (Advanced, Inquiry, target(hours(8), hours(8), BusinessHours)),
        (Premium, Inquiry, target(hours(4), hours(4), BusinessHours)),
    ]
}

/// The instant at which `duration` of counted time has passed since `start`: the
/// earliest instant, so a target that runs out exactly at the end of a working day is
/// due then, not at the next opening. Zero or negative durations are no time at all.
///
/// Business hours step over days off and over whole weeks without holidays at once, so
/// the cost grows with the holidays crossed, not with the length of the target. With no
/// working hours in the calendar the answer is [`NEVER`].
pub fn add_working_time(
    start: Timestamp,
    duration: SignedDuration,
    clock: Clock,
    calendar: &BusinessCalendar,
) -> Timestamp {
    if !duration.is_positive() {
        return start;
    }
    match clock {
        Clock::AroundTheClock => start.checked_add(duration).unwrap_or(NEVER),
        Clock::BusinessHours => add_business_time(start, duration, calendar),
    }
}

fn add_business_time(
    start: Timestamp,
    duration: SignedDuration,
    calendar: &BusinessCalendar,
) -> Timestamp {
    if !calendar.has_working_time() {
        return NEVER;
    }
    let week = calendar.week_length();
    let mut remaining = duration;
    let mut date = calendar.time_zone().to_datetime(start).date();
    loop {
        if let Some((open, close)) = calendar.working_window(date) {
            let from = open.max(start);
            if from < close {
                let available = close.duration_since(from);
                if remaining <= available {
                    // At most `close`, so it cannot overflow.
                    return from.checked_add(remaining).unwrap_or(NEVER);
                }
                remaining -= available;
            }
        }
        let Ok(next) = date.tomorrow() else {
            return NEVER;
        };
        date = next;
        // Every day from here on lies wholly after `start`. Step over the whole weeks
        // that hold exactly `week` each, leaving the last stretch (at most a week) to the
        // day loop so that it finds the exact instant.
        let wanted = (remaining.as_nanos() - 1) / week.as_nanos();
        if wanted > 0 {
            let weeks = i64::try_from(wanted)
                .unwrap_or(i64::MAX)
                .min(calendar.uniform_weeks(date, Date::MAX));
            if weeks > 0 {
                let Some(later) = add_weeks(date, weeks) else {
                    return NEVER;
                };
                remaining -= weeks_of(week, weeks);
                date = later;
            }
        }
    }
}

/// `weeks` times a week's working time; callers only ask for spans between instants, which
/// fit a `SignedDuration`.
fn weeks_of(week: SignedDuration, weeks: i64) -> SignedDuration {
    SignedDuration::try_from_nanos_i128(week.as_nanos() * i128::from(weeks))
        .unwrap_or(SignedDuration::MAX)
}

/// How much counted time lies between `a` and `b`; negative when `b` is before `a`.
///
/// Like [`add_working_time`], business hours step over whole weeks without holidays, so
/// even a span to [`NEVER`] is cheap.
pub fn working_time_between(
    a: Timestamp,
    b: Timestamp,
    clock: Clock,
    calendar: &BusinessCalendar,
) -> SignedDuration {
    if b < a {
        return -working_time_between(b, a, clock, calendar);
    }
    match clock {
        Clock::AroundTheClock => b.duration_since(a),
        Clock::BusinessHours => business_time_between(a, b, calendar),
    }
}

fn business_time_between(
    a: Timestamp,
    b: Timestamp,
    calendar: &BusinessCalendar,
) -> SignedDuration {
    if !calendar.has_working_time() {
        return SignedDuration::ZERO;
    }
    let week = calendar.week_length();
    let last = calendar.time_zone().to_datetime(b).date();
    let mut date = calendar.time_zone().to_datetime(a).date();
    let mut total = SignedDuration::ZERO;
    loop {
        if let Some((open, close)) = calendar.working_window(date) {
            let (from, to) = (open.max(a), close.min(b));
            if from < to {
                total += to.duration_since(from);
            }
        }
        if date >= last {
            return total;
        }
        let Ok(next) = date.tomorrow() else {
            return total;
        };
        date = next;
        // Days after `a`'s and before `b`'s lie wholly inside the span.
        let weeks = calendar.uniform_weeks(date, last);
        if weeks > 0 {
            let Some(later) = add_weeks(date, weeks) else {
                return total;
            };
            total += weeks_of(week, weeks);
            date = later;
        }
    }
}

/// The instant at which three quarters of `target` have passed since `start`: from then
/// on the ticket is "due soon" (SPEC §6: under 25 % of the target left).
pub fn due_soon_at(
    start: Timestamp,
    target: SignedDuration,
    clock: Clock,
    calendar: &BusinessCalendar,
) -> Timestamp {
    add_working_time(start, target - target / 4, clock, calendar)
}

/// `due` moved by the counted time that passed between `paused_at` and `resumed_at`: the
/// clock stood still while the ticket waited for the customer.
///
/// A target already missed when the pause began stays missed: its due does not move.
pub fn resume(
    due: Timestamp,
    paused_at: Timestamp,
    resumed_at: Timestamp,
    clock: Clock,
    calendar: &BusinessCalendar,
) -> Timestamp {
    if due <= paused_at || resumed_at <= paused_at {
        return due;
    }
    let paused_for = working_time_between(paused_at, resumed_at, clock, calendar);
    add_working_time(due, paused_for, clock, calendar)
}

/// The deadline a ticket is working towards now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// Which target it is.
    pub measure: SlaMeasure,
    /// When the target is missed; the due instant itself is already late.
    pub due_at: Timestamp,
    /// When the ticket becomes due soon.
    pub due_soon_at: Timestamp,
}

/// Something that happens to a ticket and matters to its SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaEvent {
    /// The ticket was filed: the first-response clock starts.
    Filed { at: Timestamp },
    /// A callback ticket was filed: the first call is due at the start of the preferred
    /// window, or within the first-response target when there is none ahead.
    CallbackFiled {
        at: Timestamp,
        preferred_window_start: Option<Timestamp>,
    },
    /// Support answered publicly: meets the first response if not yet met, and restarts
    /// the update clock.
    PublicAgentReply { at: Timestamp },
    /// The status became waiting for customer or pending closure: the clock stops.
    Paused { at: Timestamp },
    /// The customer replied to a waiting ticket: the clock runs again.
    Resumed { at: Timestamp },
    /// The ticket closed: nothing is due any more.
    Closed { at: Timestamp },
}

/// A ticket's SLA record: the dues and the facts they are judged by, as the store keeps
/// them. The default is a ticket without targets (nothing due, ever).
///
/// The due-soon instant is stored, not derived, so that a database finds due-soon
/// tickets with `due_soon_at <= now < due_at` and breached ones with `due_at <= now` on
/// the [`active`](TicketSla::active) deadline, whose `due_at` is `NULL` while paused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSla {
    /// When the first public answer is due.
    pub first_response_due_at: Option<Timestamp>,
    /// When support first answered publicly.
    pub first_responded_at: Option<Timestamp>,
    /// When the next public answer is due, once the first response is met.
    pub next_update_due_at: Option<Timestamp>,
    /// When the current target (the first response until met, then the next update)
    /// becomes due soon. Kept while paused, because resuming moves it with the due.
    pub due_soon_at: Option<Timestamp>,
    /// When the clock stopped for the customer; `None` while it runs.
    pub paused_at: Option<Timestamp>,
    /// When the ticket closed.
    pub closed_at: Option<Timestamp>,
    /// An update target was missed at some point. Sticky, because each reply restarts the
    /// update due and would otherwise erase the fact.
    pub update_breached: bool,
}

impl TicketSla {
    /// The deadline that counts now: the first response until it is met, then the next
    /// update; none while paused or closed.
    pub fn active(&self) -> Option<Deadline> {
        if self.closed_at.is_some() || self.paused_at.is_some() {
            return None;
        }
        let (measure, due_at) = self.current()?;
        Some(Deadline {
            measure,
            due_at,
            due_soon_at: self.due_soon_at.unwrap_or(due_at),
        })
    }

    /// The target being worked towards, paused or not: the first response until it is
    /// met, then the next update.
    fn current(&self) -> Option<(SlaMeasure, Timestamp)> {
        if self.first_responded_at.is_none() {
            Some((SlaMeasure::FirstResponse, self.first_response_due_at?))
        } else {
            Some((SlaMeasure::Update, self.next_update_due_at?))
        }
    }

    /// The record after `event`, under `target` on `calendar`.
    ///
    /// `Filed` and `CallbackFiled` start a fresh record. Nothing changes a closed ticket.
    /// A reply while paused counts the clock as running up to the reply (so a first
    /// response is not judged late for time the clock stood still), then restarts the
    /// update clock frozen at the reply: after the customer answers, support has the full
    /// update target again.
    pub fn apply(
        self,
        event: SlaEvent,
        target: &SlaTarget,
        calendar: &BusinessCalendar,
    ) -> TicketSla {
        let clock = target.clock;
        match event {
            SlaEvent::Filed { at } => TicketSla {
                first_response_due_at: Some(add_working_time(
                    at,
                    target.first_response,
                    clock,
                    calendar,
                )),
                due_soon_at: Some(due_soon_at(at, target.first_response, clock, calendar)),
                ..TicketSla::default()
            },
            SlaEvent::CallbackFiled {
                at,
                preferred_window_start,
            } => {
                let due = callback_first_due(at, preferred_window_start, target, calendar);
                let due_soon = match preferred_window_start {
                    // An appointment: three quarters of the wait, on the wall clock.
                    Some(start) if start > at => {
                        let wait = start.duration_since(at);
                        at.checked_add(wait - wait / 4).unwrap_or(start)
                    }
                    _ => due_soon_at(at, target.first_response, clock, calendar),
                };
                TicketSla {
                    first_response_due_at: Some(due),
                    due_soon_at: Some(due_soon),
                    ..TicketSla::default()
                }
            }
            _ if self.closed_at.is_some() => self,
            SlaEvent::PublicAgentReply { at } => {
                // While paused, the reply is judged as if the clock ran again up to it;
                // then the new update clock stays frozen at the reply.
                let paused = self.paused_at.is_some();
                let mut next = if paused {
                    self.apply(SlaEvent::Resumed { at }, target, calendar)
                } else {
                    self
                };
                next = next.noting_update_breach(at);
                next.first_responded_at.get_or_insert(at);
                next.next_update_due_at =
                    Some(add_working_time(at, target.update, clock, calendar));
                next.due_soon_at = Some(due_soon_at(at, target.update, clock, calendar));
                if paused {
                    next.paused_at = Some(at);
                }
                next
            }
            SlaEvent::Paused { at } => {
                if self.paused_at.is_some() {
                    return self;
                }
                let mut next = self.noting_update_breach(at);
                next.paused_at = Some(at);
                next
            }
            SlaEvent::Resumed { at } => {
                let Some(paused_at) = self.paused_at else {
                    return self;
                };
                let shift = |due: Option<Timestamp>| {
                    due.map(|due| resume(due, paused_at, at, clock, calendar))
                };
                let mut next = self;
                if next.first_responded_at.is_none() {
                    next.first_response_due_at = shift(next.first_response_due_at);
                } else {
                    next.next_update_due_at = shift(next.next_update_due_at);
                }
                next.due_soon_at = shift(next.due_soon_at);
                next.paused_at = None;
                next
            }
            SlaEvent::Closed { at } => {
                let mut next = self.noting_update_breach(at);
                next.closed_at = Some(at);
                next
            }
        }
    }

    /// Records a missed update target when the running update clock ran out by `at`.
    fn noting_update_breach(mut self, at: Timestamp) -> TicketSla {
        if let Some(Deadline {
            measure: SlaMeasure::Update,
            due_at,
            ..
        }) = self.active()
            && at >= due_at
        {
            self.update_breached = true;
        }
        self
    }
}

/// The targets `sla` has missed by `now`. The clock of an unanswered target stops when
/// the ticket pauses or closes; the due instant itself is already late.
pub fn breaches(sla: &TicketSla, now: Timestamp) -> Vec<SlaMeasure> {
    let stopped = sla.paused_at.or(sla.closed_at).unwrap_or(now);
    let mut missed = Vec::new();
    if let Some(due) = sla.first_response_due_at {
        let answered_or_now = sla.first_responded_at.unwrap_or(stopped);
        if answered_or_now >= due {
            missed.push(SlaMeasure::FirstResponse);
        }
    }
    let running_update_missed = matches!(
        sla.active(),
        Some(Deadline { measure: SlaMeasure::Update, due_at, .. }) if now >= due_at
    );
    if sla.update_breached || running_update_missed {
        missed.push(SlaMeasure::Update);
    }
    missed
}

/// Where a ticket in `status` stands against its SLA at `now`.
///
/// A breach wins over everything (it is a fact for reports, even on a paused or closed
/// ticket); a closed ticket without one has met its SLA, including one the customer
/// closed before support answered, while that was not yet late. The status counts as
/// well as the record, so a ticket whose status says it waits for the customer shows
/// paused even if the record has not caught up.
pub fn state(sla: &TicketSla, now: Timestamp, status: Status) -> SlaState {
    if !breaches(sla, now).is_empty() {
        return SlaState::Breached;
    }
    if status == Status::Closed || sla.closed_at.is_some() {
        return SlaState::Met;
    }
    if matches!(status, Status::WaitingForCustomer | Status::PendingClosure)
        || sla.paused_at.is_some()
    {
        return SlaState::Paused;
    }
    match sla.active() {
        Some(deadline) if now >= deadline.due_soon_at => SlaState::DueSoon,
        _ => SlaState::OnTrack,
    }
}

/// When the first call of a callback ticket is due: at the start of the customer's
/// preferred window, or within the first-response target when the window is unknown or
/// already began at filing.
pub fn callback_first_due(
    filed_at: Timestamp,
    preferred_window_start: Option<Timestamp>,
    target: &SlaTarget,
    calendar: &BusinessCalendar,
) -> Timestamp {
    match preferred_window_start {
        Some(start) if start > filed_at => start,
        _ => add_working_time(filed_at, target.first_response, target.clock, calendar),
    }
}

/// The start of a preferred callback window as customers type it, read in `tz`:
/// `2026-12-01 10:00-12:00`, `2026/12/01 10:00〜12:00`, `2026年12月1日(火) 10時`,
/// `12/1 10:00`, `10時から`, or a bare `10:00-12:00`. Full-width letters, digits and
/// signs count as their ASCII forms (as NFKC folds them).
///
/// Without a year, the date is its next occurrence whose window has not ended at filing;
/// without a date, the window is today's if it has not ended at filing (a window already
/// under way then starts in the past, and [`callback_first_due`] falls back to the
/// target), else tomorrow's. Anything else is `None`: the free text stays for the agent
/// to read.
pub fn parse_window_start(text: &str, filed_at: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
    let chars: Vec<char> = fold_width(text).trim().chars().collect();
    let mut input = Reader { chars, at: 0 };
    let day = input.day();
    if day.is_some() {
        input.skip_spaces();
        input.weekday_note();
        if !input.eat('T') {
            input.skip_spaces();
        }
    }
    let start = input.time()?;
    input.skip_spaces();
    let end = if input.is_done() {
        None
    } else {
        input.range_separator()?;
        input.skip_spaces();
        // "10:00〜" and "10時から" leave the window open-ended.
        let end = if input.is_done() {
            None
        } else {
            Some(input.time()?)
        };
        input.skip_spaces();
        end
    };
    if !input.is_done() {
        return None;
    }

    let at = |date: Date, time: Time| tz.to_timestamp(date.to_datetime(time)).ok();
    // Whether the window on `date` has not yet ended at filing; one ending before it
    // starts runs past midnight.
    let ahead = |date: Date| {
        let ends = match end {
            Some(end) if end > start => at(date, end),
            Some(end) => at(date.tomorrow().ok()?, end),
            None => at(date, start),
        }?;
        Some(ends > filed_at)
    };
    let filed = tz.to_datetime(filed_at).date();
    match day {
        Some(Day {
            year: Some(year),
            month,
            day,
        }) => at(Date::new(year, month, day).ok()?, start),
        Some(Day {
            year: None,
            month,
            day,
        }) => [filed.year(), filed.year().checked_add(1)?]
            .into_iter()
            .filter_map(|year| Date::new(year, month, day).ok())
            .find(|&date| ahead(date) == Some(true))
            .and_then(|date| at(date, start)),
        None => {
            let date = if ahead(filed)? {
                filed
            } else {
                filed.tomorrow().ok()?
            };
            at(date, start)
        }
    }
}

/// Full-width forms (U+FF01–U+FF5E) and the ideographic space as their ASCII forms, the
/// part of NFKC that matters for dates and times typed with a Japanese input method.
fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect()
}

/// A calendar day as typed, with or without its year.
#[derive(Debug, Clone, Copy)]
struct Day {
    year: Option<i16>,
    month: i8,
    day: i8,
}

/// A cursor over the folded text; each reader either consumes what it recognises or
/// leaves the position where it was.
struct Reader {
    chars: Vec<char>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn is_done(&self) -> bool {
        self.at == self.chars.len()
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.at += 1;
        }
        found
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// A number of `min..=max` ASCII digits.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let begin = self.at;
        let mut value = 0u32;
        while self.at - begin < max
            && let Some(digit) = self.peek().and_then(|c| c.to_digit(10))
        {
            value = value * 10 + digit;
            self.at += 1;
        }
        if self.at - begin < min {
            self.at = begin;
            return None;
        }
        Some(value)
    }

    /// Runs `read`, restoring the position when it recognises nothing.
    fn attempt<T>(&mut self, read: impl FnOnce(&mut Reader) -> Option<T>) -> Option<T> {
        let begin = self.at;
        let found = read(self);
        if found.is_none() {
            self.at = begin;
        }
        found
    }

    /// `2026-12-01`, `2026/12/1`, `2026.12.01`, `2026年12月1日`, `12/1` or `12月1日`.
    fn day(&mut self) -> Option<Day> {
        let with_year = self.attempt(|input| {
            let year = input.number(4, 4)?;
            let separator = input
                .peek()
                .filter(|c| matches!(c, '-' | '/' | '.' | '年'))?;
            input.at += 1;
            let month = input.number(1, 2)?;
            let (second, last) = if separator == '年' {
                ('月', Some('日'))
            } else {
                (separator, None)
            };
            input.eat(second).then_some(())?;
            let day = input.number(1, 2)?;
            if let Some(last) = last {
                input.eat(last);
            }
            Some(Day {
                year: Some(i16::try_from(year).ok()?),
                month: i8::try_from(month).ok()?,
                day: i8::try_from(day).ok()?,
            })
        });
        with_year.or_else(|| {
            self.attempt(|input| {
                let month = input.number(1, 2)?;
                let japanese = input.eat('月');
                if !japanese {
                    input.eat('/').then_some(())?;
                }
                let day = input.number(1, 2)?;
                if japanese {
                    input.eat('日');
                }
                Some(Day {
                    year: None,
                    month: i8::try_from(month).ok()?,
                    day: i8::try_from(day).ok()?,
                })
            })
        })
    }

    /// A weekday in brackets after a date, as in `12/1(火)`; its content is not checked.
    fn weekday_note(&mut self) {
        self.attempt(|input| {
            input.eat('(').then_some(())?;
            for _ in 0..4 {
                if input.eat(')') {
                    return Some(());
                }
                input.peek()?;
                input.at += 1;
            }
            None
        });
    }

    /// `10:00`, `9:30`, `10時` or `10時30分`.
    fn time(&mut self) -> Option<Time> {
        self.attempt(|input| {
            let hour = input.number(1, 2)?;
            let minute = if input.eat(':') {
                input.number(2, 2)?
            } else if input.eat('時') {
                let minute = input.attempt(|input| {
                    let minute = input.number(1, 2)?;
                    input.eat('分').then_some(minute)
                });
                minute.unwrap_or(0)
            } else {
                return None;
            };
            Time::new(i8::try_from(hour).ok()?, i8::try_from(minute).ok()?, 0, 0).ok()
        })
    }

    /// Between the two ends of a window: `-`, `~`, `〜`, a dash, or から.
    fn range_separator(&mut self) -> Option<()> {
        if self
            .peek()
            .is_some_and(|c| matches!(c, '-' | '~' | '〜' | '–' | '—' | '−' | 'ー'))
        {
            self.at += 1;
            return Some(());
        }
        self.attempt(|input| (input.eat('か') && input.eat('ら')).then_some(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{WorkingHours, japanese_holidays};
    use jiff::civil::{date, time};

    fn calendar() -> BusinessCalendar {
        BusinessCalendar::japanese(
            [japanese_holidays(2026), japanese_holidays(2027)]
                .into_iter()
                .flatten(),
        )
    }

    fn tokyo(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
        let tz = TimeZone::get("Asia/Tokyo").unwrap();
        tz.to_timestamp(date(y, mo, d).at(h, mi, 0, 0)).unwrap()
    }

    fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    fn mins(m: i64) -> SignedDuration {
        SignedDuration::from_mins(m)
    }

    fn target(plan: SupportPlan, kind: TicketKind) -> SlaTarget {
        seeded_targets()
            .into_iter()
            .find(|(p, k, _)| *p == plan && *k == kind)
            .map(|(_, _, target)| target)
            .unwrap()
    }

    fn business(start: Timestamp, duration: SignedDuration) -> Timestamp {
        add_working_time(start, duration, Clock::BusinessHours, &calendar())
    }

    #[test]
    fn seeded_targets_follow_the_spec_table() {
        use Clock::*;
        use SupportPlan::*;
        use TicketKind::*;
        let table = [
            (Basic, Incident, hours(4), hours(8), AroundTheClock),
            (Advanced, Incident, hours(2), hours(4), AroundTheClock),
            (Premium, Incident, mins(30), hours(1), AroundTheClock),
            (Basic, Inquiry, hours(16), hours(16), BusinessHours),
            (Advanced, Inquiry, hours(8), hours(8), BusinessHours),
            (Premium, Inquiry, hours(4), hours(4), BusinessHours),
        ];
        assert_eq!(seeded_targets().len(), table.len());
        for (plan, kind, first_response, update, clock) in table {
            assert_eq!(
                target(plan, kind),
                SlaTarget {
                    first_response,
                    update,
                    clock
                },
                "{plan} {kind}"
            );
        }
    }

    #[test]
    fn codes_round_trip_and_serde_uses_them() {
        for clock in Clock::ALL {
            assert_eq!(Clock::parse(clock.code()), Ok(*clock));
            let json = serde_json::to_string(clock).unwrap();
            assert_eq!(json, format!("\"{}\"", clock.code()));
        }
        for state in SlaState::ALL {
            assert_eq!(state.code().parse::<SlaState>(), Ok(*state));
            let json = serde_json::to_string(state).unwrap();
            assert_eq!(json, format!("\"{state}\""));
        }
        for measure in SlaMeasure::ALL {
            let json = serde_json::to_string(measure).unwrap();
            assert_eq!(json, format!("\"{}\"", measure.code()));
        }
        assert_eq!(Clock::BusinessHours.code(), "business_hours");
        assert_eq!(SlaState::DueSoon.code(), "due_soon");
        assert_eq!(SlaMeasure::FirstResponse.code(), "first_response");
        assert!(Clock::parse("weekdays").is_err());
    }

    #[test]
    fn an_inquiry_filed_late_on_friday_is_due_on_monday() {
        let due = business(tokyo(2026, 11, 27, 16, 30), hours(8));
        assert_eq!(due, tokyo(2026, 11, 30, 16, 30));
    }

    #[test]
    fn golden_week_is_skipped() {
        // 5/2–5/3 weekend, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日.
        let due = business(tokyo(2026, 5, 1, 16, 30), hours(8));
        assert_eq!(due, tokyo(2026, 5, 7, 16, 30));
    }

    #[test]
    fn the_year_end_closure_is_skipped() {
        let due = business(tokyo(2026, 12, 28, 16, 0), hours(8));
        assert_eq!(due, tokyo(2027, 1, 4, 16, 0));
    }

    #[test]
    fn a_premium_incident_runs_through_the_night_of_a_holiday() {
        // 2026-11-23 is 勤労感謝の日.
        let incident = target(SupportPlan::Premium, TicketKind::Incident);
        let filed = tokyo(2026, 11, 23, 23, 50);
        let due = add_working_time(filed, incident.first_response, incident.clock, &calendar());
        assert_eq!(due, tokyo(2026, 11, 24, 0, 20));

        // A viewer in Paris sees the same instant on their own clock (UTC+1 in November).
        let paris = due.to_zoned(TimeZone::get("Europe/Paris").unwrap());
        assert_eq!(paris.datetime(), date(2026, 11, 23).at(16, 20, 0, 0));
    }

    #[test]
    fn a_viewer_in_paris_sees_the_business_hours_due_in_their_zone() {
        let due = business(tokyo(2026, 11, 27, 16, 30), hours(8));
        let paris = due.to_zoned(TimeZone::get("Europe/Paris").unwrap());
        assert_eq!(paris.datetime(), date(2026, 11, 30).at(8, 30, 0, 0));
    }

    #[test]
    fn a_start_outside_hours_counts_from_the_next_opening() {
        // Saturday, before opening, after closing.
        assert_eq!(
            business(tokyo(2026, 11, 28, 10, 0), hours(4)),
            tokyo(2026, 11, 30, 13, 0)
        );
        assert_eq!(
            business(tokyo(2026, 11, 30, 7, 0), hours(4)),
            tokyo(2026, 11, 30, 13, 0)
        );
        assert_eq!(
            business(tokyo(2026, 11, 30, 20, 0), hours(4)),
            tokyo(2026, 12, 1, 13, 0)
        );
    }

    #[test]
    fn a_start_on_a_holiday_counts_from_the_next_working_day() {
        // Monday 2026-11-23 is 勤労感謝の日.
        assert_eq!(
            business(tokyo(2026, 11, 23, 10, 0), hours(4)),
            tokyo(2026, 11, 24, 13, 0)
        );
    }

    #[test]
    fn exact_boundaries_stay_on_their_day() {
        // A target that runs out at closing time is due at closing time.
        assert_eq!(
            business(tokyo(2026, 11, 30, 13, 0), hours(4)),
            tokyo(2026, 11, 30, 17, 0)
        );
        assert_eq!(
            business(tokyo(2026, 11, 30, 9, 0), hours(8)),
            tokyo(2026, 11, 30, 17, 0)
        );
        // Starting at closing time counts from the next opening.
        assert_eq!(
            business(tokyo(2026, 11, 30, 17, 0), hours(1)),
            tokyo(2026, 12, 1, 10, 0)
        );
        // Nothing to count: the due is the start, even at night.
        assert_eq!(
            business(tokyo(2026, 11, 28, 3, 0), SignedDuration::ZERO),
            tokyo(2026, 11, 28, 3, 0)
        );

        let cal = calendar();
        let between = |a, b| working_time_between(a, b, Clock::BusinessHours, &cal);
        assert_eq!(
            between(tokyo(2026, 11, 30, 17, 0), tokyo(2026, 12, 1, 9, 0)),
            SignedDuration::ZERO
        );
        assert_eq!(
            between(tokyo(2026, 11, 30, 8, 0), tokyo(2026, 11, 30, 18, 0)),
            hours(8)
        );
        assert_eq!(
            between(tokyo(2026, 11, 30, 18, 0), tokyo(2026, 11, 30, 8, 0)),
            -hours(8)
        );
        // Friday 16:30 → Monday 16:30 across a weekend holds eight working hours.
        assert_eq!(
            between(tokyo(2026, 11, 27, 16, 30), tokyo(2026, 11, 30, 16, 30)),
            hours(8)
        );
    }

    #[test]
    fn due_soon_is_three_quarters_of_the_target() {
        assert_eq!(
            due_soon_at(
                tokyo(2026, 11, 27, 16, 30),
                hours(8),
                Clock::BusinessHours,
                &calendar()
            ),
            tokyo(2026, 11, 30, 14, 30)
        );
        let start = tokyo(2026, 11, 23, 23, 50);
        assert_eq!(
            due_soon_at(start, mins(30), Clock::AroundTheClock, &calendar()),
            start + SignedDuration::from_secs(22 * 60 + 30)
        );
    }

    #[test]
    fn waiting_from_friday_afternoon_to_monday_morning_moves_the_due_by_three_hours() {
        // Filed Thursday 16:00 with eight hours: due Friday 16:00.
        let cal = calendar();
        let due = business(tokyo(2026, 11, 26, 16, 0), hours(8));
        assert_eq!(due, tokyo(2026, 11, 27, 16, 0));
        let (paused, resumed) = (tokyo(2026, 11, 27, 15, 0), tokyo(2026, 11, 30, 10, 0));
        assert_eq!(
            working_time_between(paused, resumed, Clock::BusinessHours, &cal),
            hours(3)
        );
        // One hour was left at the pause; it runs from Monday 10:00.
        assert_eq!(
            resume(due, paused, resumed, Clock::BusinessHours, &cal),
            tokyo(2026, 11, 30, 11, 0)
        );
    }

    #[test]
    fn a_pause_outside_working_time_moves_nothing() {
        let cal = calendar();
        let due = tokyo(2026, 11, 30, 16, 30);
        for (paused, resumed) in [
            (tokyo(2026, 11, 28, 10, 0), tokyo(2026, 11, 29, 15, 0)),
            (tokyo(2026, 11, 27, 18, 0), tokyo(2026, 11, 30, 8, 0)),
        ] {
            assert_eq!(
                resume(due, paused, resumed, Clock::BusinessHours, &cal),
                due
            );
        }
        // Around the clock every paused minute counts.
        assert_eq!(
            resume(
                due,
                tokyo(2026, 11, 28, 10, 0),
                tokyo(2026, 11, 28, 12, 0),
                Clock::AroundTheClock,
                &cal
            ),
            due + hours(2)
        );
        // A target already missed when the pause began stays missed.
        assert_eq!(
            resume(
                due,
                tokyo(2026, 12, 1, 10, 0),
                tokyo(2026, 12, 2, 10, 0),
                Clock::BusinessHours,
                &cal
            ),
            due
        );
    }

    #[test]
    fn a_calendar_without_working_hours_is_never_due() {
        let cal = BusinessCalendar::new(TimeZone::get("Asia/Tokyo").unwrap(), [None; 7], []);
        let start = tokyo(2026, 11, 27, 16, 30);
        assert_eq!(
            add_working_time(start, hours(8), Clock::BusinessHours, &cal),
            NEVER
        );
        assert_eq!(
            due_soon_at(start, hours(8), Clock::BusinessHours, &cal),
            NEVER
        );
        assert_eq!(
            working_time_between(start, start + hours(1000), Clock::BusinessHours, &cal),
            SignedDuration::ZERO
        );
        // Around the clock does not need the calendar.
        assert_eq!(
            add_working_time(start, hours(8), Clock::AroundTheClock, &cal),
            start + hours(8)
        );
        // Resuming a never-due ticket keeps it never due.
        assert_eq!(
            resume(NEVER, start, start + hours(5), Clock::BusinessHours, &cal),
            NEVER
        );
    }

    #[test]
    fn long_targets_skip_whole_weeks_and_agree_with_the_day_by_day_count() {
        let cal = calendar();
        // 2000 hours is 50 weeks of 40 hours, less the holidays on the way.
        let start = tokyo(2026, 1, 5, 9, 0);
        let due = business(start, hours(2000));
        assert_eq!(
            working_time_between(start, due, Clock::BusinessHours, &cal),
            hours(2000)
        );
        // Without holidays the weeks line up exactly: 50 weeks later, Friday 17:00.
        let plain = BusinessCalendar::new(cal.time_zone().clone(), *cal.weekly_hours(), []);
        assert_eq!(
            add_working_time(start, hours(2000), Clock::BusinessHours, &plain),
            tokyo(2026, 12, 18, 17, 0)
        );
        // A span to the far bound is cheap too.
        let forever = working_time_between(start, NEVER, Clock::BusinessHours, &plain);
        assert!(forever > hours(40 * 52 * 7000));
    }

    #[test]
    fn adding_then_measuring_gives_the_duration_back() {
        // Paris changes its offset in March and October; its hours include a lunch-less
        // Saturday morning to make the weeks uneven.
        let tokyo_cal = calendar();
        let weekday = WorkingHours::new(time(9, 0, 0, 0), time(17, 0, 0, 0)).ok();
        let saturday = WorkingHours::new(time(9, 30, 0, 0), time(12, 0, 0, 0)).ok();
        let paris_cal = BusinessCalendar::new(
            TimeZone::get("Europe/Paris").unwrap(),
            [weekday, weekday, weekday, weekday, weekday, saturday, None],
            [(date(2026, 7, 14), "Fête nationale".to_owned())],
        );
        let starts = [
            tokyo(2026, 3, 20, 12, 0),
            tokyo(2026, 4, 28, 23, 0),
            tokyo(2026, 10, 20, 16, 59),
            tokyo(2026, 12, 25, 9, 0),
        ];
        let durations = [
            mins(1),
            hours(3),
            hours(8),
            hours(37),
            hours(500),
            hours(3000),
        ];
        for cal in [&tokyo_cal, &paris_cal] {
            for start in starts {
                for duration in durations {
                    let due = add_working_time(start, duration, Clock::BusinessHours, cal);
                    assert_eq!(
                        working_time_between(start, due, Clock::BusinessHours, cal),
                        duration,
                        "{start} + {duration:#}"
                    );
                    // And the due is the earliest such instant: it lies in working time.
                    let just_before = due - SignedDuration::from_nanos(1);
                    assert!(
                        working_time_between(start, just_before, Clock::BusinessHours, cal)
                            < duration
                    );
                }
            }
        }
    }

    #[test]
    fn a_calendar_open_all_day_every_day_counts_like_the_wall_clock() {
        // Even across Paris's change to winter time (a 25-hour day on 2026-10-25).
        let all_day = WorkingHours::from_minutes(0, 1440).ok();
        let cal = BusinessCalendar::new(TimeZone::get("Europe/Paris").unwrap(), [all_day; 7], []);
        let start = tokyo(2026, 10, 20, 16, 59);
        for duration in [mins(1), hours(24), hours(24 * 10), hours(24 * 400)] {
            assert_eq!(
                add_working_time(start, duration, Clock::BusinessHours, &cal),
                start + duration
            );
        }
    }

    #[test]
    fn a_ticket_goes_through_filing_reply_pause_resume_reply_and_close() {
        let cal = calendar();
        let inquiry = target(SupportPlan::Advanced, TicketKind::Inquiry);
        let apply = |sla: TicketSla, event| sla.apply(event, &inquiry, &cal);

        // Filed Thursday 10:00: eight business hours → Friday 10:00; due soon Thursday 16:00.
        let sla = apply(
            TicketSla::default(),
            SlaEvent::Filed {
                at: tokyo(2026, 11, 26, 10, 0),
            },
        );
        let first = sla.active().unwrap();
        assert_eq!(first.measure, SlaMeasure::FirstResponse);
        assert_eq!(first.due_at, tokyo(2026, 11, 27, 10, 0));
        assert_eq!(first.due_soon_at, tokyo(2026, 11, 26, 16, 0));
        assert_eq!(
            state(&sla, tokyo(2026, 11, 26, 12, 0), Status::New),
            SlaState::OnTrack
        );
        assert_eq!(
            state(&sla, tokyo(2026, 11, 26, 16, 0), Status::New),
            SlaState::DueSoon
        );

        // Answered Thursday 16:30: met; the next update is due Friday 16:30.
        let sla = apply(
            sla,
            SlaEvent::PublicAgentReply {
                at: tokyo(2026, 11, 26, 16, 30),
            },
        );
        assert_eq!(sla.first_responded_at, Some(tokyo(2026, 11, 26, 16, 30)));
        let update = sla.active().unwrap();
        assert_eq!(update.measure, SlaMeasure::Update);
        assert_eq!(update.due_at, tokyo(2026, 11, 27, 16, 30));
        assert_eq!(update.due_soon_at, tokyo(2026, 11, 27, 14, 30));

        // Waiting for the customer from Friday 11:00: nothing is due, even on Monday.
        let sla = apply(
            sla,
            SlaEvent::Paused {
                at: tokyo(2026, 11, 27, 11, 0),
            },
        );
        assert_eq!(sla.active(), None);
        let monday = tokyo(2026, 11, 30, 9, 30);
        assert_eq!(
            state(&sla, monday, Status::WaitingForCustomer),
            SlaState::Paused
        );
        assert!(breaches(&sla, monday).is_empty());

        // The customer answers Monday 10:00: seven working hours passed (Friday 11–17,
        // Monday 9–10), so the due moves from Friday 16:30 to Monday 15:30.
        let sla = apply(
            sla,
            SlaEvent::Resumed {
                at: tokyo(2026, 11, 30, 10, 0),
            },
        );
        let update = sla.active().unwrap();
        assert_eq!(update.due_at, tokyo(2026, 11, 30, 15, 30));
        assert_eq!(update.due_soon_at, tokyo(2026, 11, 30, 13, 30));
        assert_eq!(
            state(&sla, tokyo(2026, 11, 30, 14, 0), Status::InProgress),
            SlaState::DueSoon
        );

        // Support answers Monday 15:00, in time: the update clock restarts.
        let sla = apply(
            sla,
            SlaEvent::PublicAgentReply {
                at: tokyo(2026, 11, 30, 15, 0),
            },
        );
        assert_eq!(sla.active().unwrap().due_at, tokyo(2026, 12, 1, 15, 0));
        assert_eq!(
            sla.first_responded_at,
            Some(tokyo(2026, 11, 26, 16, 30)),
            "kept"
        );

        // Closed Tuesday 10:00: nothing is due and nothing was missed.
        let sla = apply(
            sla,
            SlaEvent::Closed {
                at: tokyo(2026, 12, 1, 10, 0),
            },
        );
        assert_eq!(sla.active(), None);
        let much_later = tokyo(2027, 6, 1, 0, 0);
        assert_eq!(state(&sla, much_later, Status::Closed), SlaState::Met);
        assert!(breaches(&sla, much_later).is_empty());
        // A closed ticket takes nothing more.
        assert_eq!(
            apply(sla, SlaEvent::PublicAgentReply { at: much_later }),
            sla
        );
    }

    #[test]
    fn a_missed_update_stays_a_breach_after_the_late_reply_and_the_close() {
        let cal = calendar();
        let incident = target(SupportPlan::Premium, TicketKind::Incident);
        let apply = |sla: TicketSla, event| sla.apply(event, &incident, &cal);
        let filed = tokyo(2026, 11, 23, 23, 50);
        let sla = apply(TicketSla::default(), SlaEvent::Filed { at: filed });
        let sla = apply(
            sla,
            SlaEvent::PublicAgentReply {
                at: filed + mins(10),
            },
        );
        // The update is due an hour after the reply, 01:00; it is breached from then on.
        let due = filed + mins(10) + hours(1);
        assert_eq!(sla.active().unwrap().due_at, due);
        assert_eq!(
            state(&sla, due - mins(1), Status::InProgress),
            SlaState::DueSoon
        );
        assert_eq!(state(&sla, due, Status::InProgress), SlaState::Breached);
        assert_eq!(breaches(&sla, due), vec![SlaMeasure::Update]);

        let sla = apply(sla, SlaEvent::PublicAgentReply { at: due + mins(30) });
        assert!(sla.update_breached);
        let sla = apply(sla, SlaEvent::Closed { at: due + hours(2) });
        assert_eq!(
            state(&sla, due + hours(48), Status::Closed),
            SlaState::Breached
        );
        assert_eq!(breaches(&sla, due + hours(48)), vec![SlaMeasure::Update]);
    }

    #[test]
    fn a_missed_first_response_shows_even_while_paused() {
        let cal = calendar();
        let incident = target(SupportPlan::Basic, TicketKind::Incident);
        let filed = tokyo(2026, 11, 27, 9, 0);
        let sla = TicketSla::default().apply(SlaEvent::Filed { at: filed }, &incident, &cal);
        assert_eq!(
            breaches(&sla, filed + hours(4)),
            vec![SlaMeasure::FirstResponse]
        );
        let sla = sla.apply(
            SlaEvent::Paused {
                at: filed + hours(5),
            },
            &incident,
            &cal,
        );
        assert_eq!(
            state(&sla, filed + hours(6), Status::WaitingForCustomer),
            SlaState::Breached
        );
        // Resuming does not move a due that had already passed.
        let sla = sla.apply(
            SlaEvent::Resumed {
                at: filed + hours(9),
            },
            &incident,
            &cal,
        );
        assert_eq!(sla.first_response_due_at, Some(filed + hours(4)));
    }

    #[test]
    fn a_reply_while_paused_is_judged_on_the_running_clock_and_restarts_the_update() {
        let cal = calendar();
        let inquiry = target(SupportPlan::Premium, TicketKind::Inquiry);
        let apply = |sla: TicketSla, event| sla.apply(event, &inquiry, &cal);
        // Filed Friday 16:00: the first response is due Monday 12:00.
        let sla = apply(
            TicketSla::default(),
            SlaEvent::Filed {
                at: tokyo(2026, 11, 27, 16, 0),
            },
        );
        assert_eq!(sla.first_response_due_at, Some(tokyo(2026, 11, 30, 12, 0)));
        // Put on hold Friday 16:30 (3.5 hours left), answered Monday 14:00 while still on
        // hold: only 5 working hours have run, so the answer is in time…
        let sla = apply(
            sla,
            SlaEvent::Paused {
                at: tokyo(2026, 11, 27, 16, 30),
            },
        );
        let sla = apply(
            sla,
            SlaEvent::PublicAgentReply {
                at: tokyo(2026, 11, 30, 14, 0),
            },
        );
        assert!(breaches(&sla, tokyo(2026, 11, 30, 14, 0)).is_empty());
        // …and the update clock waits for the customer, then runs its full four hours.
        assert_eq!(sla.paused_at, Some(tokyo(2026, 11, 30, 14, 0)));
        let sla = apply(
            sla,
            SlaEvent::Resumed {
                at: tokyo(2026, 12, 1, 9, 0),
            },
        );
        assert_eq!(sla.active().unwrap().due_at, tokyo(2026, 12, 1, 13, 0));
    }

    #[test]
    fn closing_a_ticket_pending_closure_misses_nothing() {
        let cal = calendar();
        let inquiry = target(SupportPlan::Basic, TicketKind::Inquiry);
        let apply = |sla: TicketSla, event| sla.apply(event, &inquiry, &cal);
        let filed = tokyo(2026, 11, 24, 9, 0);
        let sla = apply(TicketSla::default(), SlaEvent::Filed { at: filed });
        let sla = apply(
            sla,
            SlaEvent::PublicAgentReply {
                at: filed + hours(1),
            },
        );
        let sla = apply(
            sla,
            SlaEvent::Paused {
                at: filed + hours(1),
            },
        );
        // Seven days later the ticket closes itself; the update due passed on the wall
        // clock long ago, but the clock was stopped.
        let sla = apply(
            sla,
            SlaEvent::Closed {
                at: filed + hours(7 * 24),
            },
        );
        assert_eq!(
            state(&sla, filed + hours(8 * 24), Status::Closed),
            SlaState::Met
        );
    }

    #[test]
    fn the_status_alone_pauses_and_closes_the_view() {
        let cal = calendar();
        let inquiry = target(SupportPlan::Basic, TicketKind::Inquiry);
        let filed = tokyo(2026, 11, 24, 9, 0);
        let sla = TicketSla::default().apply(SlaEvent::Filed { at: filed }, &inquiry, &cal);
        assert_eq!(state(&sla, filed, Status::PendingClosure), SlaState::Paused);
        assert_eq!(state(&sla, filed, Status::Closed), SlaState::Met);
        assert_eq!(
            state(&TicketSla::default(), filed, Status::New),
            SlaState::OnTrack
        );
    }

    #[test]
    fn a_callback_is_due_at_the_window_or_within_the_target() {
        let cal = calendar();
        let incident = target(SupportPlan::Advanced, TicketKind::Incident);
        let filed = tokyo(2026, 11, 30, 8, 0);
        let window = tokyo(2026, 11, 30, 16, 0);
        assert_eq!(
            callback_first_due(filed, Some(window), &incident, &cal),
            window
        );
        assert_eq!(
            callback_first_due(filed, None, &incident, &cal),
            filed + hours(2)
        );
        let passed = tokyo(2026, 11, 30, 7, 0);
        assert_eq!(
            callback_first_due(filed, Some(passed), &incident, &cal),
            filed + hours(2)
        );

        let sla = TicketSla::default().apply(
            SlaEvent::CallbackFiled {
                at: filed,
                preferred_window_start: Some(window),
            },
            &incident,
            &cal,
        );
        let first = sla.active().unwrap();
        assert_eq!(first.due_at, window);
        assert_eq!(first.due_soon_at, tokyo(2026, 11, 30, 14, 0));
    }

    #[test]
    fn window_starts_are_read_in_the_forms_customers_type() {
        let tz = TimeZone::get("Asia/Tokyo").unwrap();
        let filed = tokyo(2026, 11, 30, 9, 30);
        let parse = |text| parse_window_start(text, filed, &tz);
        let dec_first = Some(tokyo(2026, 12, 1, 10, 0));
        for text in [
            "2026-12-01 10:00-12:00",
            "2026/12/01 10:00〜12:00",
            "2026/12/1 10:00～12:00",
            "２０２６／１２／０１　１０：００－１２：００",
            "2026-12-01T10:00",
            "2026年12月1日(火) 10時から12時",
            "2026年12月1日（火）10時00分〜",
            "12/1 10:00-12:00",
            " 12月1日 10:00 ",
        ] {
            assert_eq!(parse(text), dec_first, "{text}");
        }
        // A bare window is today's while it has not ended, else tomorrow's.
        assert_eq!(parse("10:00-12:00"), Some(tokyo(2026, 11, 30, 10, 0)));
        assert_eq!(
            parse("９：００－１０：００"),
            Some(tokyo(2026, 11, 30, 9, 0))
        );
        assert_eq!(parse("8:00-9:00"), Some(tokyo(2026, 12, 1, 8, 0)));
        assert_eq!(parse("9:00"), Some(tokyo(2026, 12, 1, 9, 0)));
        // A date without a year that has passed this year is next year's.
        assert_eq!(parse("11/29 10:00"), Some(tokyo(2027, 11, 29, 10, 0)));
        for text in [
            "",
            "tomorrow morning",
            "午前中",
            "10:00 please",
            "2026-13-01 10:00",
            "2026-12-01",
            "25:00-26:00",
            "10:0",
            "2026-12-01 10:00-x",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
