//! Canned replies (SPEC §6): an agent's own, or shared by a desk. Who sees one is part of
//! every query: its owner, the agents of its desk, and admins; customers see none.

use jiff::Timestamp;
use madoguchi_core::Desk;
use madoguchi_core::canned::NewCannedReply;
use madoguchi_core::event::EventKind;
use serde_json::json;
use sqlx::FromRow;

use crate::db::{code, new_id, now, time};
use crate::error::ConstraintExt;
use crate::events::append;
use crate::{Result, Store, StoreError, Viewer};

/// One canned reply: personal (`owner_id`) or shared by a desk (`desk`), never both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    pub id: String,
    pub owner_id: Option<String>,
    pub desk: Option<Desk>,
    pub title: String,
    pub body: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(FromRow)]
struct Row {
    id: String,
    owner_id: Option<String>,
    desk: Option<String>,
    title: String,
    body: String,
    created_by: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for CannedReply {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(CannedReply {
            desk: r
                .desk
                .as_deref()
                .map(|d| code(Desk::parse(d)))
                .transpose()?,
            id: r.id,
            owner_id: r.owner_id,
            title: r.title,
            body: r.body,
            created_by: r.created_by,
            created_at: time(r.created_at)?,
            updated_at: time(r.updated_at)?,
        })
    }
}

macro_rules! columns {
    () => {
        "id, owner_id, desk, title, body, created_by, created_at, updated_at"
    };
}

/// Who sees a reply: binds $1 viewer kind, $2 user id. An admin sees every reply; an agent
/// their own and their desks'; a customer none.
macro_rules! visible {
    () => {
        "($1 = 'admin' OR ($1 = 'agent' AND $2 <> '' AND (owner_id = $2
            OR desk IN (SELECT dm.desk FROM desk_members dm WHERE dm.user_id = $2))))"
    };
}

fn event_data(reply: &CannedReply) -> serde_json::Value {
    json!({ "title": reply.title, "desk": reply.desk, "owner_id": reply.owner_id })
}

impl Store {
    /// Writes a canned reply: a personal one of `owner_id` when `new.desk` is `None` (the
    /// caller passes the owner), else shared by the desk.
    pub async fn create_canned_reply(
        &self,
        actor: &str,
        owner_id: &str,
        new: &NewCannedReply,
    ) -> Result<CannedReply> {
        let id = new_id();
        let at = now();
        let mut tx = self.begin().await?;
        let row: Row = sqlx::query_as(concat!(
            "INSERT INTO canned_replies (id, owner_id, desk, title, body, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ",
            columns!()
        ))
        .bind(&id)
        .bind(new.desk.is_none().then_some(owner_id))
        .bind(new.desk.map(Desk::code))
        .bind(&new.title)
        .bind(&new.body)
        .bind(actor)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .dangling("owner_id")?;
        let reply = CannedReply::try_from(row)?;
        append(
            &mut tx,
            EventKind::CannedReplyCreated,
            Some(actor),
            &id,
            None,
            event_data(&reply),
        )
        .await?;
        tx.commit().await?;
        Ok(reply)
    }

    /// The replies `viewer` sees: personal ones first, then each desk's, each group in the
    /// order written.
    pub async fn canned_replies(&self, viewer: Viewer<'_>) -> Result<Vec<CannedReply>> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM canned_replies WHERE ",
            visible!(),
            " ORDER BY (desk IS NOT NULL), desk, id"
        ))
        .bind(viewer.kind())
        .bind(viewer.user_id())
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(CannedReply::try_from).collect()
    }

    /// One reply, if `viewer` sees it; `NotFound` otherwise, exactly as if it did not exist.
    pub async fn canned_reply(&self, viewer: Viewer<'_>, id: &str) -> Result<CannedReply> {
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            columns!(),
            " FROM canned_replies WHERE id = $3 AND ",
            visible!()
        ))
        .bind(viewer.kind())
        .bind(viewer.user_id())
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
    }

    /// Replaces a reply `viewer` sees: shared by `new.desk`, or personal of `owner_id`.
    pub async fn update_canned_reply(
        &self,
        viewer: Viewer<'_>,
        actor: &str,
        id: &str,
        owner_id: &str,
        new: &NewCannedReply,
    ) -> Result<CannedReply> {
        let mut tx = self.begin().await?;
        let row: Row = sqlx::query_as(concat!(
            "UPDATE canned_replies SET owner_id = $4, desk = $5, title = $6, body = $7, updated_at = $8
             WHERE id = $3 AND ",
            visible!(),
            " RETURNING ",
            columns!()
        ))
        .bind(viewer.kind())
        .bind(viewer.user_id())
        .bind(id)
        .bind(new.desk.is_none().then_some(owner_id))
        .bind(new.desk.map(Desk::code))
        .bind(&new.title)
        .bind(&new.body)
        .bind(now())
        .fetch_optional(&mut *tx)
        .await
        .dangling("owner_id")?
        .ok_or(StoreError::NotFound)?;
        let reply = CannedReply::try_from(row)?;
        append(
            &mut tx,
            EventKind::CannedReplyUpdated,
            Some(actor),
            id,
            None,
            event_data(&reply),
        )
        .await?;
        tx.commit().await?;
        Ok(reply)
    }

    /// Deletes a reply `viewer` sees.
    pub async fn delete_canned_reply(
        &self,
        viewer: Viewer<'_>,
        actor: &str,
        id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let title: Option<String> = sqlx::query_scalar(concat!(
            "DELETE FROM canned_replies WHERE id = $3 AND ",
            visible!(),
            " RETURNING title"
        ))
        .bind(viewer.kind())
        .bind(viewer.user_id())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let title = title.ok_or(StoreError::NotFound)?;
        append(
            &mut tx,
            EventKind::CannedReplyDeleted,
            Some(actor),
            id,
            None,
            json!({ "title": title }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
