//! Uploads: streamed to disk while hashed, never held whole in memory, stored under their
//! SHA-256 so the same file is kept once.

use std::path::{Path, PathBuf};

use madoguchi_core::model::User;
use madoguchi_core::ticket::Attachment;
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
    TooLarge { max: u64 },
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
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
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
}

impl Upload {
    pub async fn start(data_dir: &Path, max: u64) -> Result<Upload, UploadError> {
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
        })
    }

    pub async fn chunk(&mut self, bytes: &[u8]) -> Result<(), UploadError> {
        self.size += bytes.len() as u64;
        if self.size > self.max {
            self.abandon().await;
            return Err(UploadError::TooLarge { max: self.max });
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
    let attachment = store.attachment(Viewer::of(user), id).await?;
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
    }
}
