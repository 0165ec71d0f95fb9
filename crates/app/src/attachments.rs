//! Uploads: streamed to disk while hashed, never held whole in memory, stored under their
//! SHA-256 so the same file is kept once.

use std::path::{Path, PathBuf};

use madoguchi_core::model::User;
use madoguchi_core::ticket::Attachment;
use madoguchi_core::uploads::{
    QuotaExceeded, check_quota, is_invisible_formatting, may_upload, quota_day,
};
use madoguchi_core::{Invalid, Problem};
use madoguchi_store::{NewAttachment, Store, Viewer};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::{ServiceError, ServiceResult};

/// Where uploads live: `DATA_DIR/attachments/ab/abcdef…`.
pub fn attachments_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("attachments")
}

fn stored_path(data_dir: &Path, sha256: &str) -> PathBuf {
    attachments_dir(data_dir).join(&sha256[..2]).join(sha256)
}

/// Why an upload was refused.
#[derive(Debug)]
pub enum UploadError {
    TooLarge {
        max: u64,
    },
    /// The user's daily quota is used up (or this file would pass it).
    Quota(QuotaExceeded),
    Service(ServiceError),
}

impl From<ServiceError> for UploadError {
    fn from(e: ServiceError) -> Self {
        UploadError::Service(e)
    }
}

fn io(e: std::io::Error) -> UploadError {
    UploadError::Service(ServiceError::Internal(format!("writing an upload: {e}")))
}

/// A file name safe to show and to send back in `Content-Disposition`: no paths, no control
/// characters, at most 200 characters.
fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_formatting(*c) && *c != '"')
        .take(200)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// What an upload admitted by [`admit`] may still take.
#[derive(Debug, Clone, Copy)]
pub struct Admitted {
    quota_left: i64,
    quota: QuotaExceeded,
}

impl Admitted {
    /// No daily quota: for files that arrive by mail, whose own limits were checked.
    pub fn unlimited() -> Admitted {
        Admitted {
            quota_left: i64::MAX,
            quota: QuotaExceeded::Bytes {
                max: i64::MAX,
                resets_at: jiff::Timestamp::UNIX_EPOCH,
            },
        }
    }
}

/// Refuses an upload before anything is stored: a user with nothing to attach a file to
/// (`Forbidden`), or one whose daily quota is used up (`Quota`). Answers how many bytes the
/// file may still take under the quota.
pub async fn admit(store: &Store, user: &User) -> Result<Admitted, UploadError> {
    if user.role.is_customer() {
        let permissions = store
            .permissions_of(&user.id)
            .await
            .map_err(ServiceError::from)?;
        let contracts = match &user.organization_id {
            Some(org) => store.contracts_of(org).await.map_err(ServiceError::from)?,
            None => Vec::new(),
        };
        if !may_upload(user, &permissions, &contracts) {
            return Err(UploadError::Service(ServiceError::Forbidden(
                "you may not upload files: uploads are for users who may file tickets or reply, which needs \"edit\" ticket permission on a contract of your organization".into(),
            )));
        }
    }
    let now = jiff::Timestamp::now();
    let quota = store
        .settings()
        .await
        .map_err(ServiceError::from)?
        .upload_quota;
    let (today, resets_at) = quota_day(now);
    let used = store
        .uploaded_since(&user.id, today)
        .await
        .map_err(ServiceError::from)?;
    let quota_left = check_quota(quota, used, now).map_err(UploadError::Quota)?;
    Ok(Admitted {
        quota_left,
        quota: QuotaExceeded::Bytes {
            max: quota.bytes_per_day,
            resets_at,
        },
    })
}

/// Receives one file chunk by chunk. The caller feeds `chunk`s and then calls `finish`.
pub struct Upload {
    temp: PathBuf,
    /// Set once the file is in place (or removed): an upload dropped before that, by an
    /// aborted request, removes its partial file.
    done: bool,
    file: tokio::fs::File,
    hasher: Sha256,
    size: u64,
    max: u64,
    admitted: Admitted,
}

impl Upload {
    pub async fn start(
        data_dir: &Path,
        max: u64,
        admitted: Admitted,
    ) -> Result<Upload, UploadError> {
        let dir = attachments_dir(data_dir).join("incoming");
        tokio::fs::create_dir_all(&dir).await.map_err(io)?;
        let temp = dir.join(incoming_name());
        let file = tokio::fs::File::create(&temp).await.map_err(io)?;
        Ok(Upload {
            temp,
            done: false,
            file,
            hasher: Sha256::new(),
            size: 0,
            max,
            admitted,
        })
    }

    pub async fn chunk(&mut self, bytes: &[u8]) -> Result<(), UploadError> {
        self.size += bytes.len() as u64;
        if self.size > self.max {
            self.abandon().await;
            return Err(UploadError::TooLarge { max: self.max });
        }
        if self.size > self.admitted.quota_left.max(0) as u64 {
            self.abandon().await;
            return Err(UploadError::Quota(self.admitted.quota));
        }
        self.hasher.update(bytes);
        self.file.write_all(bytes).await.map_err(io)
    }

    async fn abandon(&mut self) {
        tokio::fs::remove_file(&self.temp).await.ok();
        self.done = true;
    }

    /// Moves the file into place (or drops it if the same content is already stored) and
    /// records it for `uploader`.
    pub async fn finish(
        mut self,
        store: &Store,
        data_dir: &Path,
        uploader: &User,
        filename: &str,
        content_type: &str,
    ) -> Result<Attachment, UploadError> {
        self.file.flush().await.map_err(io)?;
        self.file.sync_all().await.map_err(io)?;
        let sha256 = hex::encode(self.hasher.finalize_reset());
        let target = stored_path(data_dir, &sha256);
        if tokio::fs::try_exists(&target).await.map_err(io)? {
            tokio::fs::remove_file(&self.temp).await.ok();
        } else {
            if let Some(dir) = target.parent() {
                tokio::fs::create_dir_all(dir).await.map_err(io)?;
            }
            tokio::fs::rename(&self.temp, &target).await.map_err(io)?;
            // The rename is durable only once its directory is: without this a power cut
            // could keep the row (committed next) and lose the file.
            if let Some(dir) = target.parent() {
                sync_dir(dir).await.map_err(io)?;
            }
        }
        self.done = true;
        let content_type = if content_type.trim().is_empty() {
            "application/octet-stream"
        } else {
            content_type
        };
        let new = NewAttachment {
            sha256: &sha256,
            size: self.size as i64,
            filename: &clean_filename(filename),
            content_type,
        };
        Ok(store
            .record_attachment(uploader, &new)
            .await
            .map_err(ServiceError::from)?)
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if !self.done {
            // A small, local unlink; blocking here is cheaper than spawning for it.
            std::fs::remove_file(&self.temp).ok();
        }
    }
}

async fn sync_dir(dir: &Path) -> std::io::Result<()> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
        .await
        .map_err(std::io::Error::other)?
}

/// A fresh random name for a file still arriving.
fn incoming_name() -> String {
    madoguchi_store::random_secret().unwrap_or_else(|_| format!("{}", std::process::id()))
}

/// An attachment `user` may download, with the path of its content.
pub async fn download(
    store: &Store,
    data_dir: &Path,
    user: &User,
    id: &str,
) -> ServiceResult<(Attachment, PathBuf)> {
    let attachment = match store.attachment(Viewer::of(user), id).await {
        Ok(a) => a,
        // An admin's view of tickets has no "own" side; their own upload, not yet attached,
        // is theirs all the same.
        Err(madoguchi_store::StoreError::NotFound) if user.role == madoguchi_core::Role::Admin => {
            store
                .pending_uploads(&user.id, &[id.to_owned()])
                .await?
                .pop()
                .ok_or(madoguchi_store::StoreError::NotFound)?
        }
        Err(e) => return Err(e.into()),
    };
    let path = stored_path(data_dir, &attachment.sha256);
    Ok((attachment, path))
}

/// How long an upload waits to be attached before it is forgotten.
const UPLOAD_KEPT_FOR: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// Forgets uploads that were never attached for a day, and removes their files when nothing
/// else refers to the same content. Answers how many files were removed.
pub async fn forget_stale_uploads(store: &Store, data_dir: &Path) -> ServiceResult<usize> {
    let cutoff = jiff::Timestamp::now() - UPLOAD_KEPT_FOR;
    let digests = store.forget_stale_uploads(cutoff).await?;
    for digest in &digests {
        if let Err(e) = tokio::fs::remove_file(stored_path(data_dir, digest)).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, digest, "removing a forgotten upload");
        }
    }
    Ok(digests.len())
}

/// Forgets `ids`, uploads of `user` that came with a form that was refused, so that a refused
/// reply leaves neither a row nor a file.
pub async fn discard_uploads(
    store: &Store,
    data_dir: &Path,
    user: &User,
    ids: &[String],
) -> ServiceResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    for digest in store.forget_uploads(&user.id, ids).await? {
        remove_stored(data_dir, &digest).await;
    }
    Ok(())
}

async fn remove_stored(data_dir: &Path, digest: &str) {
    if let Err(e) = tokio::fs::remove_file(stored_path(data_dir, digest)).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(error = %e, digest, "removing an upload's file");
    }
}

/// Removes what a crash left behind, older than `older_than` (younger ones may belong to an
/// upload still under way, on this instance or another): partial files in `incoming/`, and
/// stored files no record refers to (renamed into place, then killed before the row was
/// written). Answers how many files were removed.
pub async fn sweep_orphans(
    store: &Store,
    data_dir: &Path,
    older_than: jiff::Timestamp,
) -> ServiceResult<usize> {
    let root = attachments_dir(data_dir);
    let cutoff = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_micros(older_than.as_microsecond().max(0) as u64);
    let mut removed = 0;
    let mut dirs = match tokio::fs::read_dir(&root).await {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => {
            return Err(ServiceError::Internal(format!(
                "reading {}: {e}",
                root.display()
            )));
        }
    };
    let internal = |e: std::io::Error| ServiceError::Internal(format!("sweeping uploads: {e}"));
    while let Some(dir) = dirs.next_entry().await.map_err(internal)? {
        let name = dir.file_name().to_string_lossy().into_owned();
        let incoming = name == "incoming";
        let digest_dir = name.len() == 2 && name.chars().all(|c| c.is_ascii_hexdigit());
        if !incoming && !digest_dir {
            continue;
        }
        let mut files = tokio::fs::read_dir(dir.path()).await.map_err(internal)?;
        while let Some(file) = files.next_entry().await.map_err(internal)? {
            let Ok(meta) = file.metadata().await else {
                continue;
            };
            if !meta.is_file() || meta.modified().map(|m| m > cutoff).unwrap_or(true) {
                continue;
            }
            let digest = file.file_name().to_string_lossy().into_owned();
            if !incoming && store.attachment_digest_known(&digest).await? {
                continue;
            }
            match tokio::fs::remove_file(file.path()).await {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::warn!(error = %e, path = %file.path().display(), "removing an orphan upload")
                }
            }
        }
    }
    Ok(removed)
}

/// A multipart request without a file.
pub fn no_file() -> ServiceError {
    ServiceError::Invalid(Invalid::one("file", Problem::Required))
}

#[cfg(test)]
mod tests {
    use super::clean_filename;

    #[test]
    fn file_names_lose_paths_and_quotes() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\logs\\エラー.log"), "エラー.log");
        assert_eq!(clean_filename("a\"b\n.txt"), "ab.txt");
        assert_eq!(clean_filename(""), "file");
        assert_eq!(clean_filename("invoice\u{202E}txt.exe"), "invoicetxt.exe");
        assert_eq!(clean_filename("a\u{200B}b\u{2066}.pdf\u{FEFF}"), "ab.pdf");
    }
}
