//! Attachment records. The files themselves live on disk, named by their SHA-256 (the web
//! layer writes them); a row says who uploaded what and where it is attached.

use madoguchi_core::model::User;
use madoguchi_core::ticket::Attachment;
use sqlx::{AnyConnection, FromRow};

use crate::db::{new_id, now, time};
use crate::tickets::{Viewer, for_viewer, visible_to_admin, visible_to_agent, visible_to_customer};
use crate::{Result, Store, StoreError};

/// A file just stored, to be recorded.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub sha256: &'a str,
    pub size: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
}

#[derive(FromRow)]
pub(crate) struct AttachmentRow {
    id: String,
    filename: String,
    content_type: String,
    size: i64,
    sha256: String,
    uploaded_by: String,
    created_at: i64,
    pub(crate) message_id: Option<String>,
}

impl AttachmentRow {
    pub(crate) fn into_attachment(self) -> Result<Attachment> {
        Ok(Attachment {
            id: self.id,
            filename: self.filename,
            content_type: self.content_type,
            size: self.size,
            sha256: self.sha256,
            uploaded_by: self.uploaded_by,
            created_at: time(self.created_at)?,
        })
    }
}

/// Attaches the uploader's unattached uploads to a ticket (and a message). Any id that is not
/// such an upload is `Dangling { field: "attachments" }` and nothing is attached.
pub(crate) async fn attach(
    conn: &mut AnyConnection,
    ids: &[String],
    uploader: &str,
    ticket_id: &str,
    message_id: Option<&str>,
) -> Result<()> {
    for id in ids {
        let done = sqlx::query(
            "UPDATE attachments SET ticket_id = $1, message_id = $2
             WHERE id = $3 AND uploaded_by = $4 AND ticket_id IS NULL",
        )
        .bind(ticket_id)
        .bind(message_id)
        .bind(id)
        .bind(uploader)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Dangling {
                field: "attachments",
            });
        }
    }
    Ok(())
}

impl Store {
    /// Records an upload; it belongs to `uploader` until attached.
    pub async fn record_attachment(
        &self,
        uploader: &User,
        new: &NewAttachment<'_>,
    ) -> Result<Attachment> {
        let id = new_id();
        let row: AttachmentRow = sqlx::query_as(
            "INSERT INTO attachments (id, sha256, size, filename, content_type, uploaded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             RETURNING id, filename, content_type, size, sha256, uploaded_by, created_at, message_id",
        )
        .bind(&id)
        .bind(new.sha256)
        .bind(new.size)
        .bind(new.filename)
        .bind(new.content_type)
        .bind(&uploader.id)
        .bind(now())
        .fetch_one(&self.write)
        .await?;
        row.into_attachment()
    }

    /// An attachment `viewer` may download: one of their own uploads not yet attached, or one
    /// on a ticket they may see — but never one on an internal note, for customers.
    pub async fn attachment(&self, viewer: Viewer<'_>, id: &str) -> Result<Attachment> {
        macro_rules! attachment_sql {
            ($($visible:tt)*) => {
                concat!(
                    "SELECT a.id, a.filename, a.content_type, a.size, a.sha256, a.uploaded_by, a.created_at, a.message_id
                     FROM attachments a
                     LEFT JOIN tickets t ON t.id = a.ticket_id
                     LEFT JOIN messages m ON m.id = a.message_id
                     WHERE a.id = $4 AND (
                       (a.ticket_id IS NULL AND a.uploaded_by = $2)
                       OR (a.ticket_id IS NOT NULL
                           AND ($1 <> 'customer' OR m.visibility IS NULL OR m.visibility = 'public') AND ",
                    $($visible)*,
                    "))"
                )
            };
        }
        let row: AttachmentRow = sqlx::query_as(for_viewer!(viewer, attachment_sql))
            .bind(viewer.kind())
            .bind(viewer.user_id())
            .bind(viewer.organization_id())
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        row.into_attachment()
    }

    /// Forgets uploads never attached and older than `older_than` (a form abandoned long ago),
    /// and answers the digests no record refers to any more, whose files may go. Safe to run
    /// on several instances at once: a second run finds nothing left.
    pub async fn forget_stale_uploads(&self, older_than: jiff::Timestamp) -> Result<Vec<String>> {
        let mut tx = self.begin().await?;
        let mut digests: Vec<String> = sqlx::query_scalar(
            "DELETE FROM attachments WHERE ticket_id IS NULL AND created_at < $1 RETURNING sha256",
        )
        .bind(older_than.as_microsecond())
        .fetch_all(&mut *tx)
        .await?;
        digests.sort();
        digests.dedup();
        let mut unreferenced = Vec::new();
        for digest in digests {
            let still: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE sha256 = $1")
                    .bind(&digest)
                    .fetch_one(&mut *tx)
                    .await?;
            if still == 0 {
                unreferenced.push(digest);
            }
        }
        tx.commit().await?;
        Ok(unreferenced)
    }

    /// Uploads of `uploader` not yet attached, by id: what a re-shown form still holds.
    pub async fn pending_uploads(&self, uploader: &str, ids: &[String]) -> Result<Vec<Attachment>> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let row: Option<AttachmentRow> = sqlx::query_as(
                "SELECT id, filename, content_type, size, sha256, uploaded_by, created_at, message_id
                 FROM attachments WHERE id = $1 AND uploaded_by = $2 AND ticket_id IS NULL",
            )
            .bind(id)
            .bind(uploader)
            .fetch_optional(&self.read)
            .await?;
            if let Some(row) = row {
                found.push(row.into_attachment()?);
            }
        }
        Ok(found)
    }

    /// What `uploader` uploaded since `since` (the start of the quota's day): files and bytes.
    pub async fn uploaded_since(
        &self,
        uploader: &str,
        since: jiff::Timestamp,
    ) -> Result<madoguchi_core::uploads::UploadedToday> {
        let (files, bytes): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), CAST(SUM(size) AS BIGINT) FROM attachments
             WHERE uploaded_by = $1 AND created_at >= $2",
        )
        .bind(uploader)
        .bind(since.as_microsecond())
        .fetch_one(&self.read)
        .await?;
        Ok(madoguchi_core::uploads::UploadedToday {
            bytes: bytes.unwrap_or(0),
            files,
        })
    }

    /// Forgets uploads of `uploader` not yet attached (the form they came with was refused),
    /// and answers the digests no record refers to any more, whose files may go.
    pub async fn forget_uploads(&self, uploader: &str, ids: &[String]) -> Result<Vec<String>> {
        let mut tx = self.begin().await?;
        let mut unreferenced = Vec::new();
        for id in ids {
            let digest: Option<String> = sqlx::query_scalar(
                "DELETE FROM attachments WHERE id = $1 AND uploaded_by = $2 AND ticket_id IS NULL
                 RETURNING sha256",
            )
            .bind(id)
            .bind(uploader)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(digest) = digest else { continue };
            let still: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE sha256 = $1")
                    .bind(&digest)
                    .fetch_one(&mut *tx)
                    .await?;
            if still == 0 && !unreferenced.contains(&digest) {
                unreferenced.push(digest);
            }
        }
        tx.commit().await?;
        Ok(unreferenced)
    }

    /// Does any record refer to the file stored under `sha256`? A file no record refers to
    /// was left by a crash between the file's rename and its row.
    pub async fn attachment_digest_known(&self, sha256: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE sha256 = $1")
            .bind(sha256)
            .fetch_one(&self.read)
            .await?;
        Ok(n > 0)
    }
}
