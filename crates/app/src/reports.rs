//! The desk's report (SPEC §5 satisfaction, issue 10): per desk and per agent over a chosen
//! period — tickets filed and closed, first responses met and breached, the median
//! first-response time, satisfaction. Agents see their desks; admins every desk; customers
//! nothing (`NotFound`).
//!
//! Per agent: tickets filed and closed, and ratings, count for the ticket's assignee; a first
//! response counts for whoever gave it (the assignee when nobody has answered yet).

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};
use madoguchi_core::model::User;
use madoguchi_core::report::{FirstResponse, Outcome, median};
use madoguchi_core::values::TicketKey;
use madoguchi_core::{Desk, Invalid, Problem, Role};
use madoguchi_store::{DeskFacts, Person, Store};
use serde::Deserialize;

use crate::tickets::time_zone;
use crate::{ServiceError, ServiceResult};

/// How many days the report covers when the caller does not say.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest period, in days: a year and a day, so that a whole year always fits.
pub const MAX_DAYS: i64 = 366;
/// Comments shown per desk, and per agent.
pub const DESK_COMMENTS: usize = 5;
pub const AGENT_COMMENTS: usize = 3;

/// `GET /api/v1/reports` and the `/reports` page, as typed.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `general` or `premium`; every desk the caller may see when absent.
    pub desk: Option<String>,
    /// The first day, `YYYY-MM-DD` in the caller's time zone; 30 days before `to` by default.
    pub from: Option<String>,
    /// The day after the last, `YYYY-MM-DD` (the period is [from, to)); tomorrow by default,
    /// so that the default period ends with today.
    pub to: Option<String>,
}

/// The period as days in the caller's zone and as instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from_date: Date,
    pub to_date: Date,
    pub from: Timestamp,
    pub to: Timestamp,
    pub time_zone: String,
}

/// A rating's comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub key: TicketKey,
    pub rating: u8,
    pub comment: String,
    pub at: Timestamp,
}

/// Satisfaction over the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Satisfaction {
    pub count: i64,
    /// `None` without ratings.
    pub average: Option<f64>,
    /// How many ratings of 1, 2, 3, 4 and 5.
    pub distribution: [i64; 5],
    /// Newest first.
    pub comments: Vec<Comment>,
}

/// The figures of a desk or an agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub filed: i64,
    pub closed: i64,
    pub first_response_met: i64,
    pub first_response_breached: i64,
    /// Not answered yet and not yet due.
    pub first_response_open: i64,
    /// From filing to the first public reply by support, wall-clock.
    pub median_first_response: Option<SignedDuration>,
    /// How many first responses the median is taken over.
    pub responded: i64,
    pub satisfaction: Satisfaction,
}

/// The report of one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub period: Period,
    /// The desks reported, in order.
    pub desks: Vec<(Desk, Figures)>,
    /// The agents of those desks and whoever else the figures name, by name.
    pub agents: Vec<(Person, Figures)>,
    /// Every desk the caller may see (for the page's desk choice).
    pub visible_desks: Vec<Desk>,
}

fn bad_date(field: &str) -> Invalid {
    Invalid::one(
        field,
        Problem::Conflicts {
            reason: "problem.report_bad_date",
        },
    )
}

/// Reads the period of `query` in the caller's time zone, `today` being the caller's today.
pub fn period(user: &User, query: &ReportQuery, now: Timestamp) -> Result<Period, Invalid> {
    let tz = time_zone(user);
    let today = now.to_zoned(tz.clone()).date();
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let mut errors = Invalid::new();
    let parse = |field: &str, v: Option<String>, errors: &mut Invalid| match v {
        None => Some(None),
        Some(text) => match text.parse::<Date>() {
            // Only the plain form: `2026-11-01`, as the date field of a form sends it.
            Ok(d) if text.len() == 10 => Some(Some(d)),
            _ => {
                errors.0.extend(bad_date(field).0);
                None
            }
        },
    };
    let from = parse("from", given(&query.from), &mut errors);
    let to = parse("to", given(&query.to), &mut errors);
    errors.into_result()?;
    let (from, to) = (from.flatten(), to.flatten());
    let to_date = match to {
        Some(d) => d,
        None => today.checked_add(1.day()).map_err(|_| bad_date("to"))?,
    };
    let from_date = match from {
        Some(d) => d,
        None => to_date
            .checked_sub(DEFAULT_DAYS.days())
            .map_err(|_| bad_date("from"))?,
    };
    if from_date >= to_date {
        return Err(Invalid::one(
            "to",
            Problem::Conflicts {
                reason: "problem.report_to_before_from",
            },
        ));
    }
    let days = (to_date - from_date).get_days() as i64;
    if days > MAX_DAYS {
        return Err(Invalid::one(
            "to",
            Problem::Conflicts {
                reason: "problem.report_too_long",
            },
        ));
    }
    let start = |d: Date, field: &str| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|_| bad_date(field))
    };
    Ok(Period {
        from: start(from_date, "from")?,
        to: start(to_date, "to")?,
        from_date,
        to_date,
        time_zone: tz.iana_name().unwrap_or("UTC").to_owned(),
    })
}

/// The desks `user` may see reports of: an agent's own, every desk for an admin.
async fn visible_desks(store: &Store, user: &User) -> ServiceResult<Vec<Desk>> {
    match user.role {
        Role::Admin => Ok(Desk::ALL.to_vec()),
        Role::Agent => Ok(store.desks_of(&user.id).await?),
        _ => Err(ServiceError::NotFound),
    }
}

/// The report of `query` as of `now`.
pub async fn report(
    store: &Store,
    user: &User,
    query: &ReportQuery,
    now: Timestamp,
) -> ServiceResult<Report> {
    let visible = visible_desks(store, user).await?;
    let desk = match query
        .desk
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(code) => Some(Desk::parse(code).map_err(|e| Invalid::one("desk", e.into()))?),
    };
    let period = period(user, query, now)?;
    let desks: Vec<Desk> = match desk {
        // Another desk's figures are as missing as an unknown page.
        Some(d) if !visible.contains(&d) => return Err(ServiceError::NotFound),
        Some(d) => vec![d],
        None => visible.clone(),
    };
    let mut facts = Vec::new();
    for d in &desks {
        facts.push(store.desk_facts(*d, period.from, period.to).await?);
    }
    let desk_figures = facts
        .iter()
        .map(|f| (f.desk, figures(std::slice::from_ref(f), None, now)))
        .collect();
    let mut ids: Vec<String> = Vec::new();
    for f in &facts {
        ids.extend(f.members.iter().cloned());
        ids.extend(f.filed.iter().filter_map(|t| t.assignee_id.clone()));
        ids.extend(
            f.filed
                .iter()
                .filter_map(|t| t.first_reply.as_ref().map(|r| r.1.clone())),
        );
        ids.extend(f.closed.iter().filter_map(|c| c.0.clone()));
        ids.extend(f.ratings.iter().filter_map(|r| r.assignee_id.clone()));
    }
    ids.sort();
    ids.dedup();
    let mut people = store.people(&ids).await?;
    people.retain(|p| !p.role.is_customer());
    people.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let agents = people
        .into_iter()
        .map(|p| {
            let f = figures(&facts, Some(&p.id), now);
            (p, f)
        })
        .collect();
    Ok(Report {
        period,
        desks: desk_figures,
        agents,
        visible_desks: visible,
    })
}

/// The figures of `facts`, all of them (`agent: None`) or those that count for one agent.
fn figures(facts: &[DeskFacts], agent: Option<&str>, now: Timestamp) -> Figures {
    let mine = |id: &Option<String>| agent.is_none() || id.as_deref() == agent;
    let mut f = Figures::default();
    let mut times = Vec::new();
    let mut rating_sum = 0;
    for d in facts {
        for t in &d.filed {
            if mine(&t.assignee_id) {
                f.filed += 1;
            }
            let responder = t
                .first_reply
                .as_ref()
                .map(|r| r.1.clone())
                .or_else(|| t.assignee_id.clone());
            if !mine(&responder) {
                continue;
            }
            let first = FirstResponse {
                filed_at: t.filed_at,
                due: t.first_response_due_at,
                responded_at: t.first_responded_at.or(t.first_reply.as_ref().map(|r| r.0)),
                recorded_breach: t.recorded_breach,
            };
            match first.outcome(now) {
                Outcome::Met => f.first_response_met += 1,
                Outcome::Breached => f.first_response_breached += 1,
                Outcome::Open => f.first_response_open += 1,
                Outcome::NoTarget => {}
            }
            // The median reads the response log: filing to the first public reply by support.
            if let Some((at, _)) = &t.first_reply {
                times.push(at.duration_since(t.filed_at));
            }
        }
        f.closed += d
            .closed
            .iter()
            .filter(|c| mine(&c.0))
            .map(|c| c.1)
            .sum::<i64>();
        let mut sum = 0;
        for r in d.ratings.iter().filter(|r| mine(&r.assignee_id)) {
            f.satisfaction.count += r.count;
            sum += r.sum;
            for (total, n) in f.satisfaction.distribution.iter_mut().zip(r.by_rating) {
                *total += n;
            }
        }
        rating_sum += sum;
    }
    if f.satisfaction.count > 0 {
        let avg = rating_sum as f64 / f.satisfaction.count as f64;
        f.satisfaction.average = Some((avg * 100.0).round() / 100.0);
    }
    let mut comments: Vec<Comment> = facts
        .iter()
        .flat_map(|d| d.comments.iter())
        .filter(|c| mine(&c.assignee_id))
        .map(|c| Comment {
            key: c.key,
            rating: c.rating,
            comment: c.comment.clone(),
            at: c.at,
        })
        .collect();
    comments.sort_by(|a, b| b.at.cmp(&a.at).then(b.key.number().cmp(&a.key.number())));
    comments.truncate(if agent.is_some() {
        AGENT_COMMENTS
    } else {
        DESK_COMMENTS
    });
    f.satisfaction.comments = comments;
    f.responded = times.len() as i64;
    f.median_first_response = median(&mut times);
    f
}
