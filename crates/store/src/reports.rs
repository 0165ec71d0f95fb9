//! The facts behind the desk's report (SPEC §5–6): per desk, over a period, the tickets filed
//! (with what is known of their first response), the tickets closed, and the ratings. Counts
//! are summed in SQL; the rows a median needs are read as they are. The caller has checked
//! that the viewer may see the desk.

use jiff::Timestamp;
use madoguchi_core::Desk;
use madoguchi_core::values::TicketKey;
use sqlx::Row;

use crate::db::time;
use crate::{Result, Store, StoreError};

/// One ticket filed in the period, with its first response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledTicket {
    pub key: TicketKey,
    pub assignee_id: Option<String>,
    pub filed_at: Timestamp,
    pub first_response_due_at: Option<Timestamp>,
    /// The SLA record's first response (`sla_first_responded_at`).
    pub first_responded_at: Option<Timestamp>,
    /// The first public reply by support in the response log, and who wrote it.
    pub first_reply: Option<(Timestamp, String)>,
    /// A first-response breach was recorded: in `sla_breached`, or as an `sla.breached` event.
    pub recorded_breach: bool,
}

/// Ratings given in the period, summed per assignee (`None`: nobody assigned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingSums {
    pub assignee_id: Option<String>,
    pub count: i64,
    pub sum: i64,
    /// How many ratings of 1, 2, 3, 4 and 5.
    pub by_rating: [i64; 5],
}

/// A rating with a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingComment {
    pub key: TicketKey,
    pub assignee_id: Option<String>,
    pub rating: u8,
    pub comment: String,
    pub at: Timestamp,
}

/// Everything the report shows of one desk over one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskFacts {
    pub desk: Desk,
    pub filed: Vec<FiledTicket>,
    /// Tickets closed in the period, per assignee.
    pub closed: Vec<(Option<String>, i64)>,
    pub ratings: Vec<RatingSums>,
    /// The period's comments, newest first (at most [`COMMENTS_MAX`]).
    pub comments: Vec<RatingComment>,
    /// The desk's agents, by id.
    pub members: Vec<String>,
}

/// The most comments read per desk and period.
pub const COMMENTS_MAX: i64 = 200;

fn key(number: i64) -> Result<TicketKey> {
    u64::try_from(number)
        .map(TicketKey::from_number)
        .map_err(StoreError::corrupt)
}

fn opt_time(micros: Option<i64>) -> Result<Option<Timestamp>> {
    micros.map(time).transpose()
}

impl Store {
    /// The facts of `desk` over [`from`, `to`).
    pub async fn desk_facts(
        &self,
        desk: Desk,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<DeskFacts> {
        let (from, to) = (from.as_microsecond(), to.as_microsecond());
        // The first public reply by support, read from the response log by the index on
        // (ticket_id, id): ids are UUIDv7, so the first id is the first reply.
        let filed = sqlx::query(
            "SELECT t.number, t.assignee_id, t.created_at, t.sla_first_response_due_at, t.sla_first_responded_at,
               (t.sla_breached LIKE '%first_response%' OR EXISTS (SELECT 1 FROM events e
                  WHERE e.subject_id = t.id AND e.kind = 'sla.breached' AND e.data LIKE '%first_response%')) AS breached,
               (SELECT m.created_at FROM messages m JOIN users u ON u.id = m.author_id
                  WHERE m.ticket_id = t.id AND m.visibility = 'public' AND u.role IN ('agent', 'admin')
                  ORDER BY m.id LIMIT 1) AS first_reply_at,
               (SELECT m.author_id FROM messages m JOIN users u ON u.id = m.author_id
                  WHERE m.ticket_id = t.id AND m.visibility = 'public' AND u.role IN ('agent', 'admin')
                  ORDER BY m.id LIMIT 1) AS first_reply_by
             FROM tickets t WHERE t.desk = $1 AND t.created_at >= $2 AND t.created_at < $3
             ORDER BY t.number",
        )
        .bind(desk.code())
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            let first_reply = match (
                row.try_get::<Option<i64>, _>("first_reply_at")?,
                row.try_get::<Option<String>, _>("first_reply_by")?,
            ) {
                (Some(at), Some(by)) => Some((time(at)?, by)),
                _ => None,
            };
            Ok(FiledTicket {
                key: key(row.try_get("number")?)?,
                assignee_id: row.try_get("assignee_id")?,
                filed_at: time(row.try_get("created_at")?)?,
                first_response_due_at: opt_time(row.try_get("sla_first_response_due_at")?)?,
                first_responded_at: opt_time(row.try_get("sla_first_responded_at")?)?,
                first_reply,
                // SQLite answers an integer, PostgreSQL a boolean.
                recorded_breach: match row.try_get::<bool, _>("breached") {
                    Ok(b) => b,
                    Err(_) => row.try_get::<i64, _>("breached")? != 0,
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;

        let closed: Vec<(Option<String>, i64)> = sqlx::query_as(
            "SELECT t.assignee_id, COUNT(*) FROM tickets t
             WHERE t.desk = $1 AND t.closed_at >= $2 AND t.closed_at < $3 GROUP BY t.assignee_id",
        )
        .bind(desk.code())
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;

        let ratings = sqlx::query(
            "SELECT t.assignee_id, COUNT(*) AS n, CAST(SUM(t.satisfaction_rating) AS BIGINT) AS total,
               CAST(SUM(CASE WHEN t.satisfaction_rating = 1 THEN 1 ELSE 0 END) AS BIGINT) AS r1,
               CAST(SUM(CASE WHEN t.satisfaction_rating = 2 THEN 1 ELSE 0 END) AS BIGINT) AS r2,
               CAST(SUM(CASE WHEN t.satisfaction_rating = 3 THEN 1 ELSE 0 END) AS BIGINT) AS r3,
               CAST(SUM(CASE WHEN t.satisfaction_rating = 4 THEN 1 ELSE 0 END) AS BIGINT) AS r4,
               CAST(SUM(CASE WHEN t.satisfaction_rating = 5 THEN 1 ELSE 0 END) AS BIGINT) AS r5
             FROM tickets t
             WHERE t.desk = $1 AND t.satisfaction_rating IS NOT NULL AND t.satisfaction_at >= $2 AND t.satisfaction_at < $3
             GROUP BY t.assignee_id",
        )
        .bind(desk.code())
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            // PostgreSQL sums BIGINTs into NUMERIC, which `Any` cannot read: the SQL casts back.
            let sum = |name: &str| -> Result<i64> { Ok(row.try_get::<i64, _>(name)?) };
            Ok(RatingSums {
                assignee_id: row.try_get("assignee_id")?,
                count: row.try_get("n")?,
                sum: sum("total")?,
                by_rating: [sum("r1")?, sum("r2")?, sum("r3")?, sum("r4")?, sum("r5")?],
            })
        })
        .collect::<Result<Vec<_>>>()?;

        let comments = sqlx::query(
            "SELECT t.number, t.assignee_id, t.satisfaction_rating, t.satisfaction_comment, t.satisfaction_at
             FROM tickets t
             WHERE t.desk = $1 AND t.satisfaction_rating IS NOT NULL AND t.satisfaction_at >= $2 AND t.satisfaction_at < $3
               AND t.satisfaction_comment IS NOT NULL AND t.satisfaction_comment <> ''
             ORDER BY t.satisfaction_at DESC, t.number DESC LIMIT $4",
        )
        .bind(desk.code())
        .bind(from)
        .bind(to)
        .bind(COMMENTS_MAX)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            Ok(RatingComment {
                key: key(row.try_get("number")?)?,
                assignee_id: row.try_get("assignee_id")?,
                rating: u8::try_from(row.try_get::<i64, _>("satisfaction_rating")?)
                    .map_err(StoreError::corrupt)?,
                comment: row.try_get("satisfaction_comment")?,
                at: time(row.try_get("satisfaction_at")?)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

        let members: Vec<String> = sqlx::query_scalar(
            "SELECT dm.user_id FROM desk_members dm JOIN users u ON u.id = dm.user_id
             WHERE dm.desk = $1 AND u.role = 'agent' ORDER BY u.name, u.id",
        )
        .bind(desk.code())
        .fetch_all(&self.read)
        .await?;

        Ok(DeskFacts {
            desk,
            filed,
            closed,
            ratings,
            comments,
            members,
        })
    }
}
