//! The filer rates a closed ticket, once (SPEC §5).

use madoguchi_core::model::User;
use madoguchi_core::satisfaction::{RatingRefusal, check_rating, may_rate};
use madoguchi_core::ticket::Ticket;
use madoguchi_core::values::TicketKey;
use madoguchi_core::{Invalid, Problem};
use madoguchi_store::{Store, Viewer};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{ServiceError, ServiceResult};

/// `POST /api/v1/tickets/{key}/satisfaction`.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct RatingInput {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[schema(required = true, minimum = 1, maximum = 5)]
    pub rating: Option<i64>,
    /// At most 2,000 characters.
    pub comment: Option<String>,
}

fn refused(refusal: RatingRefusal) -> ServiceError {
    if refusal.is_conflict() {
        ServiceError::Conflict(Invalid::one(
            "rating",
            Problem::Conflicts {
                reason: refusal.reason(),
            },
        ))
    } else {
        ServiceError::Forbidden(
            "only the customer who filed the ticket rates it; participants and support read the rating"
                .into(),
        )
    }
}

/// Records `user`'s rating of ticket `key`; answers the ticket after.
pub async fn rate(
    store: &Store,
    user: &User,
    key: TicketKey,
    input: &RatingInput,
) -> ServiceResult<Ticket> {
    let ticket = store.ticket(Viewer::of(user), key).await?;
    may_rate(user, &ticket).map_err(refused)?;
    let rating = check_rating(input.rating, input.comment.as_deref())?;
    store
        .rate_ticket(&ticket.id, &user.id, &rating)
        .await?
        .map_err(refused)
}

/// May `user` be asked to rate `ticket` now (the page's question)?
pub fn asks(user: &User, ticket: &Ticket) -> bool {
    may_rate(user, ticket).is_ok()
}

/// May `user` read `ticket`'s rating? The filer and support; participants may see the
/// ticket, but the rating is the filer's word to support.
pub fn shows(user: &User, ticket: &Ticket) -> bool {
    !user.role.is_customer() || ticket.created_by == user.id
}
