//! Reading a multipart form from a page: text fields into memory (capped), files streamed to
//! disk as uploads. The CSRF token must come before any file, so that a forged form stores
//! nothing.

use std::collections::HashMap;

use axum::extract::Multipart;
use madoguchi_store::Session;

use crate::auth::check_csrf;
use crate::state::AppState;
use madoguchi_app::attachments::{self, Upload, UploadError};

/// The largest text field a page form may send (the details field allows 20 000 characters).
const TEXT_MAX: usize = 256 * 1024;
/// All text fields together: bounds the memory one request can take.
const TEXT_TOTAL_MAX: usize = 1024 * 1024;

/// A submitted form: its text fields by name (in order), and the files uploaded with it.
#[derive(Debug, Default)]
pub struct SubmittedForm {
    pub fields: HashMap<String, Vec<String>>,
    pub uploaded: Vec<String>,
    /// Files refused (too large), with why; everything else was kept.
    pub upload_errors: Vec<String>,
    /// With [`Files::InMemory`]: each file's field name and content.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Where the files of a form go.
#[derive(Debug, Clone, Copy)]
pub enum Files {
    /// Streamed to disk as uploads, to be attached (tickets, replies).
    Attachments,
    /// Kept in memory up to `max` bytes each, for a page that reads them at once (an import).
    InMemory { max: usize },
}

impl SubmittedForm {
    pub fn one(&self, name: &str) -> String {
        self.fields
            .get(name)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// The uploads the form carries: kept ones (less those ticked for removal) and new ones.
    pub fn attachments(&self) -> Vec<String> {
        let remove = self.all("remove_attachment");
        let mut ids: Vec<String> = self
            .all("attachments")
            .into_iter()
            .filter(|a| !remove.contains(a))
            .collect();
        ids.extend(self.uploaded.iter().cloned());
        ids.dedup();
        ids
    }
}

/// Why a form could not be read at all.
#[derive(Debug)]
pub enum FormError {
    Csrf,
    Malformed,
    Internal,
}

pub async fn read(
    state: &AppState,
    session: &Session,
    multipart: Multipart,
) -> Result<SubmittedForm, FormError> {
    read_with(state, session, multipart, Files::Attachments).await
}

pub async fn read_with(
    state: &AppState,
    session: &Session,
    mut multipart: Multipart,
    files: Files,
) -> Result<SubmittedForm, FormError> {
    let mut form = SubmittedForm::default();
    let mut csrf_ok = false;
    // Asked once, at the first file: may this user upload, and how much is left today.
    let mut admitted: Option<Result<attachments::Admitted, String>> = None;
    let mut text_total = 0usize;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| FormError::Malformed)?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            if !csrf_ok {
                return Err(FormError::Csrf);
            }
            let filename = field.file_name().unwrap_or_default().to_owned();
            if let Files::InMemory { max } = files {
                let mut content = Vec::new();
                let mut too_large = false;
                while let Some(chunk) = field.chunk().await.map_err(|_| FormError::Malformed)? {
                    too_large |= content.len() + chunk.len() > max;
                    if !too_large {
                        content.extend_from_slice(&chunk);
                    }
                }
                if too_large {
                    form.upload_errors
                        .push(format!("{filename}: > {} MiB", max / (1024 * 1024)));
                } else if !filename.is_empty() {
                    form.files.push((name, content));
                }
                continue;
            }
            if form.uploaded.len() >= state.config.attachment_max_count && !filename.is_empty() {
                // Past the limit nothing more is stored; the page says which files were left out.
                while field
                    .chunk()
                    .await
                    .map_err(|_| FormError::Malformed)?
                    .is_some()
                {}
                form.upload_errors.push(format!(
                    "{filename}: > {}",
                    state.config.attachment_max_count
                ));
                continue;
            }
            if filename.is_empty() {
                // An empty file input still sends a part; there is nothing in it.
                while field
                    .chunk()
                    .await
                    .map_err(|_| FormError::Malformed)?
                    .is_some()
                {}
                continue;
            }
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            if admitted.is_none() {
                admitted = Some(
                    match attachments::admit(&state.store, &session.user).await {
                        Ok(a) => Ok(a),
                        Err(UploadError::Quota(why)) => Err(why.to_string()),
                        Err(UploadError::Service(madoguchi_app::ServiceError::Forbidden(why))) => {
                            Err(why.into_owned())
                        }
                        Err(_) => return Err(FormError::Internal),
                    },
                );
            }
            let this_file = match admitted.clone().expect("set above") {
                Ok(a) => a,
                Err(why) => {
                    // Refused before anything is stored; the rest of the form is kept.
                    while field
                        .chunk()
                        .await
                        .map_err(|_| FormError::Malformed)?
                        .is_some()
                    {}
                    form.upload_errors.push(format!("{filename}: {why}"));
                    continue;
                }
            };
            let mut upload = Upload::start(
                &state.config.data_dir,
                state.config.attachment_max_bytes,
                this_file,
            )
            .await
            .map_err(|_| FormError::Internal)?;
            let mut refused = None;
            while let Some(chunk) = field.chunk().await.map_err(|_| FormError::Malformed)? {
                if refused.is_some() {
                    continue;
                }
                if let Err(e) = upload.chunk(&chunk).await {
                    refused = Some(e);
                }
            }
            match refused {
                Some(UploadError::TooLarge { max }) => {
                    form.upload_errors
                        .push(format!("{filename}: > {} MiB", max / (1024 * 1024)));
                }
                Some(UploadError::Quota(why)) => {
                    form.upload_errors.push(format!("{filename}: {why}"));
                    // Later files of this form would only pass the quota further.
                    admitted = Some(Err(why.to_string()));
                }
                Some(UploadError::Service(_)) => return Err(FormError::Internal),
                None => {
                    let attachment = upload
                        .finish(
                            &state.store,
                            &state.config.data_dir,
                            &session.user,
                            &filename,
                            &content_type,
                        )
                        .await
                        .map_err(|_| FormError::Internal)?;
                    form.uploaded.push(attachment.id);
                }
            }
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| FormError::Malformed)? {
            value.extend_from_slice(&chunk);
            text_total += chunk.len();
            if value.len() > TEXT_MAX || text_total > TEXT_TOTAL_MAX {
                return Err(FormError::Malformed);
            }
        }
        let value = String::from_utf8(value).map_err(|_| FormError::Malformed)?;
        if name == "csrf" {
            csrf_ok = check_csrf(session, &value);
        }
        form.fields.entry(name).or_default().push(value);
    }
    if !csrf_ok {
        return Err(FormError::Csrf);
    }
    Ok(form)
}
