//! The desk's report in the API (an extension of SPEC §8): `GET /api/v1/reports?desk=&from=&to=`
//! — per desk and per agent over [from, to), days in the caller's time zone.

use axum::Json;
use axum::extract::State;
use madoguchi_app::reports::{self, Figures, ReportQuery};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::ApiQuery;
use crate::api::views::{UserRef, rfc3339};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodView {
    /// The first day, `YYYY-MM-DD`.
    pub from: String,
    /// The day after the last (the period is [from, to)).
    pub to: String,
    /// The time zone the days are read in (the caller's).
    pub time_zone: String,
    /// The period's start and end as instants.
    pub starts_at: String,
    pub ends_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FirstResponseView {
    pub met: i64,
    pub breached: i64,
    /// Not answered yet and not yet due.
    pub open: i64,
    /// From filing to the first public reply by support, wall-clock, in seconds; `null`
    /// without replies.
    pub median_seconds: Option<i64>,
    /// How many first replies the median is taken over.
    pub responded: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentView {
    pub key: String,
    pub rating: u8,
    pub comment: String,
    pub rated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SatisfactionSummary {
    pub count: i64,
    /// `null` without ratings.
    pub average: Option<f64>,
    /// How many ratings of 1, 2, 3, 4 and 5, in that order.
    pub distribution: [i64; 5],
    /// The newest comments.
    pub recent_comments: Vec<CommentView>,
}

/// The figures of a desk or an agent. For an agent, `filed`, `closed` and satisfaction count
/// the tickets assigned to them; a first response counts for whoever gave it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresView {
    pub filed: i64,
    pub closed: i64,
    pub first_response: FirstResponseView,
    pub satisfaction: SatisfactionSummary,
}

impl From<&Figures> for FiguresView {
    fn from(f: &Figures) -> Self {
        FiguresView {
            filed: f.filed,
            closed: f.closed,
            first_response: FirstResponseView {
                met: f.first_response_met,
                breached: f.first_response_breached,
                open: f.first_response_open,
                median_seconds: f.median_first_response.map(|d| d.as_secs()),
                responded: f.responded,
            },
            satisfaction: SatisfactionSummary {
                count: f.satisfaction.count,
                average: f.satisfaction.average,
                distribution: f.satisfaction.distribution,
                recent_comments: f
                    .satisfaction
                    .comments
                    .iter()
                    .map(|c| CommentView {
                        key: c.key.to_string(),
                        rating: c.rating,
                        comment: c.comment.clone(),
                        rated_at: rfc3339(c.at),
                    })
                    .collect(),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeskReportView {
    /// `general` or `premium`.
    pub desk: String,
    pub figures: FiguresView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentReportView {
    pub agent: UserRef,
    pub figures: FiguresView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub period: PeriodView,
    pub desks: Vec<DeskReportView>,
    pub agents: Vec<AgentReportView>,
}

/// Per desk and per agent over a period: tickets filed and closed, first responses met and
/// breached, the median first-response time, satisfaction. Agents see their desks, admins
/// every desk; another desk (or a customer) gets 404.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ReportQuery),
    responses((status = 200, body = ReportView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    query: ApiQuery<ReportQuery>,
) -> Result<Json<ReportView>, ApiError> {
    let report = reports::report(&state.store, &user, &query, jiff::Timestamp::now()).await?;
    let p = &report.period;
    Ok(Json(ReportView {
        period: PeriodView {
            from: p.from_date.to_string(),
            to: p.to_date.to_string(),
            time_zone: p.time_zone.clone(),
            starts_at: rfc3339(p.from),
            ends_at: rfc3339(p.to),
        },
        desks: report
            .desks
            .iter()
            .map(|(d, f)| DeskReportView {
                desk: d.code().to_owned(),
                figures: f.into(),
            })
            .collect(),
        agents: report
            .agents
            .iter()
            .map(|(p, f)| AgentReportView {
                agent: UserRef {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    email: Some(p.email.clone()),
                },
                figures: f.into(),
            })
            .collect(),
    }))
}
