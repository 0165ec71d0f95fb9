//! Merging a duplicate into the ticket that survives (SPEC §6). The agent names the survivor
//! by its key; the page shows both tickets for confirmation first ([`preview`]), then merges.

use madoguchi_core::merge::{MergeRefusal, may_merge};
use madoguchi_core::model::User;
use madoguchi_core::ticket::Ticket;
use madoguchi_core::values::TicketKey;
use madoguchi_core::{Invalid, Problem};
use madoguchi_store::{Store, StoreError, Viewer};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{ServiceError, ServiceResult};

/// `POST /api/v1/tickets/{key}/merge`.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct MergeInput {
    /// The key of the ticket that survives, e.g. `SD-1050`.
    #[schema(required = true, example = "SD-1050")]
    pub into: Option<String>,
}

/// A refusal as the caller hears it: who may not (403), what was asked wrongly (422), or how
/// the tickets stand (409; a duplicate merged already names where it went).
fn refused(refusal: MergeRefusal) -> ServiceError {
    let problem = |field: &str| {
        Invalid::one(
            field,
            Problem::Conflicts {
                reason: refusal.reason(),
            },
        )
    };
    match refusal {
        MergeRefusal::NotStaff => ServiceError::Forbidden("only agents merge tickets".into()),
        // The survivor is not on the agent's desks: for them it does not exist.
        MergeRefusal::NotOnYourDesks => Invalid::one("into", Problem::NotFound).into(),
        MergeRefusal::Itself | MergeRefusal::OtherOrganization => problem("into").into(),
        MergeRefusal::AlreadyMerged { into } => ServiceError::MergedInto(into),
        MergeRefusal::DuplicateClosed => ServiceError::Conflict(problem("status")),
        MergeRefusal::SurvivorMerged { .. } | MergeRefusal::SurvivorClosed => {
            ServiceError::Conflict(problem("into"))
        }
    }
}

/// Checks that `user` may merge ticket `key` into the one `input` names, as the tickets stand;
/// answers (duplicate, survivor) for the confirmation page. Writes nothing.
pub async fn preview(
    store: &Store,
    user: &User,
    key: TicketKey,
    input: &MergeInput,
) -> ServiceResult<(Ticket, Ticket)> {
    let duplicate = store.ticket(Viewer::of(user), key).await?;
    if user.role.is_customer() {
        return Err(refused(MergeRefusal::NotStaff));
    }
    let into = match input.into.as_deref().map(str::trim) {
        None | Some("") => return Err(Invalid::one("into", Problem::Required).into()),
        Some(text) => TicketKey::parse(text).ok_or(Invalid::one("into", Problem::NotFound))?,
    };
    let survivor = match store.ticket(Viewer::of(user), into).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => {
            return Err(Invalid::one("into", Problem::NotFound).into());
        }
        Err(e) => return Err(e.into()),
    };
    let desks = store.desks_of(&user.id).await?;
    may_merge(user, &desks, &duplicate, &survivor).map_err(refused)?;
    Ok((duplicate, survivor))
}

/// Merges ticket `key` into the one `input` names; answers the duplicate, closed.
pub async fn merge(
    store: &Store,
    user: &User,
    key: TicketKey,
    input: &MergeInput,
) -> ServiceResult<Ticket> {
    let (duplicate, survivor) = preview(store, user, key, input).await?;
    store
        .merge(&duplicate.id, &survivor.id, &user.id)
        .await?
        .map_err(refused)
}

/// A merged ticket takes no reply: the conversation goes on in the survivor, which the
/// refusal names (SPEC §6). Call before any write that adds to a ticket's log.
pub fn refuse_if_merged(ticket: &Ticket) -> ServiceResult<()> {
    match ticket.merged_into {
        Some(into) => Err(ServiceError::MergedInto(into)),
        None => Ok(()),
    }
}
