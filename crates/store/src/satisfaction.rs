//! The filer's rating of a closed ticket (SPEC §5): written once, under the condition that
//! the ticket is closed and not yet rated, so that two ratings at once cannot both count.

use madoguchi_core::Status;
use madoguchi_core::event::EventKind;
use madoguchi_core::satisfaction::{NewRating, RatingRefusal};
use madoguchi_core::ticket::Ticket;
use serde_json::json;

use crate::db::now;
use crate::events::append;
use crate::tickets::ticket_by_id;
use crate::{Result, Store};

impl Store {
    /// Records `rater_id`'s rating of ticket `ticket_id`; answers the ticket after, or why the
    /// ticket as it stands refuses it (not closed, already rated). The caller has checked that
    /// the rater filed the ticket. The `ticket.rated` event is not public: a rating is no entry
    /// of the response log, agents see it on the ticket.
    pub async fn rate_ticket(
        &self,
        ticket_id: &str,
        rater_id: &str,
        rating: &NewRating,
    ) -> Result<std::result::Result<Ticket, RatingRefusal>> {
        let mut tx = self.begin().await?;
        let at = now();
        let done = sqlx::query(
            "UPDATE tickets SET satisfaction_rating = $1, satisfaction_comment = $2, satisfaction_at = $3
             WHERE id = $4 AND status = 'closed' AND satisfaction_rating IS NULL AND merged_into IS NULL",
        )
        .bind(i64::from(rating.rating))
        .bind(rating.comment.as_deref())
        .bind(at)
        .bind(ticket_id)
        .execute(&mut *tx)
        .await?;
        let ticket = ticket_by_id(&mut tx, ticket_id).await?;
        if done.rows_affected() == 0 {
            return Ok(Err(if ticket.merged_into.is_some() {
                RatingRefusal::Merged
            } else if ticket.status != Status::Closed {
                RatingRefusal::NotClosed
            } else {
                RatingRefusal::AlreadyRated
            }));
        }
        append(
            &mut tx,
            EventKind::TicketRated,
            Some(rater_id),
            ticket_id,
            Some(&ticket.organization_id),
            json!({
                "key": ticket.key.to_string(),
                "rating": rating.rating,
                "changes": { "satisfaction": { "from": null, "to": rating.rating } },
                "public": false,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(ticket))
    }
}
