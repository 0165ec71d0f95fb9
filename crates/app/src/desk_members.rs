//! Who works which desk (issue 13, the console's desks): admins add agents to a desk and take
//! them off it; an agent sees the queues of the desks they belong to.

use madoguchi_core::model::User;
use madoguchi_core::{Desk, Invalid, Problem, Role};
use madoguchi_store::{Person, Store, StoreError};

use crate::{ServiceError, ServiceResult};

fn admin_only(actor: &User) -> ServiceResult<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only admins may do this".into()))
    }
}

/// The agents of a desk, by name.
pub async fn members(store: &Store, actor: &User, desk: Desk) -> ServiceResult<Vec<Person>> {
    admin_only(actor)?;
    Ok(store.desk_members(desk).await?)
}

/// Adds an agent to a desk; adding one already there changes nothing. Only agents work
/// desks, and not while disabled: anyone else is refused on `user_id`.
pub async fn add(store: &Store, actor: &User, desk: Desk, user_id: &str) -> ServiceResult<()> {
    admin_only(actor)?;
    let user = match store.user(user_id).await {
        Ok(user) => user,
        Err(StoreError::NotFound) => {
            return Err(Invalid::one("user_id", Problem::NotFound).into());
        }
        Err(e) => return Err(e.into()),
    };
    if user.role != Role::Agent {
        return Err(Invalid::one(
            "user_id",
            Problem::Conflicts {
                reason: "problem.desks_for_agents_only",
            },
        )
        .into());
    }
    if user.disabled_at.is_some() {
        return Err(Invalid::one(
            "user_id",
            Problem::Conflicts {
                reason: "problem.user_disabled",
            },
        )
        .into());
    }
    Ok(store
        .add_desk_member(Some(&actor.id), desk, user_id)
        .await?)
}

/// Takes an agent off a desk; `NotFound` when they were not on it.
pub async fn remove(store: &Store, actor: &User, desk: Desk, user_id: &str) -> ServiceResult<()> {
    admin_only(actor)?;
    Ok(store
        .remove_desk_member(Some(&actor.id), desk, user_id)
        .await?)
}
