//! The synonym dictionary (同義語) agents and admins edit: groups of words that search treats
//! as one. An edit is an event like any other; the search indexes follow it and apply the new
//! groups to the next query, without a rebuild.

use madoguchi_core::model::User;
use madoguchi_core::{Invalid, Problem, Role};
use madoguchi_store::{Store, SynonymGroup};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::search::Search;
use crate::{ServiceError, ServiceResult};

/// The most phrases one group holds, and the longest phrase.
const PHRASES_MAX: usize = 32;
const PHRASE_CHARS_MAX: usize = 100;

/// `POST /api/v1/synonyms`, `PUT /api/v1/synonyms/{id}`.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct SynonymInput {
    /// Two or more words or phrases that mean the same (起動しない, 立ち上がらない, won't boot).
    #[serde(default)]
    pub phrases: Vec<String>,
}

impl SynonymInput {
    /// From a form's text: phrases separated by `=`, commas or new lines.
    pub fn from_text(text: &str) -> SynonymInput {
        SynonymInput {
            phrases: text
                .split(['=', '\n', ',', '、'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    fn checked(&self) -> Result<Vec<String>, Invalid> {
        let mut phrases: Vec<String> = Vec::new();
        for p in &self.phrases {
            let p = p.split_whitespace().collect::<Vec<_>>().join(" ");
            if !p.is_empty() && !phrases.contains(&p) {
                phrases.push(p);
            }
        }
        if phrases.len() < 2 {
            return Err(Invalid::one("phrases", Problem::Required));
        }
        if phrases.len() > PHRASES_MAX {
            return Err(Invalid::one(
                "phrases",
                Problem::TooMany { max: PHRASES_MAX },
            ));
        }
        if phrases.iter().any(|p| p.chars().count() > PHRASE_CHARS_MAX) {
            return Err(Invalid::one(
                "phrases",
                Problem::TooLong {
                    max: PHRASE_CHARS_MAX,
                },
            ));
        }
        Ok(phrases)
    }
}

fn edits_synonyms(user: &User) -> ServiceResult<()> {
    match user.role {
        Role::Agent | Role::Admin => Ok(()),
        // Customers do not learn that the dictionary exists.
        _ => Err(ServiceError::NotFound),
    }
}

pub async fn list(store: &Store, user: &User) -> ServiceResult<Vec<SynonymGroup>> {
    edits_synonyms(user)?;
    Ok(store.synonym_groups().await?)
}

/// Adds a group (`id` None) or replaces one; the next search uses it.
pub async fn save(
    store: &Store,
    search: &Search,
    user: &User,
    id: Option<&str>,
    input: &SynonymInput,
) -> ServiceResult<SynonymGroup> {
    edits_synonyms(user)?;
    let phrases = input.checked()?;
    let group = store.save_synonym_group(&user.id, id, &phrases).await?;
    search.catch_up(store).await?;
    Ok(group)
}

pub async fn delete(store: &Store, search: &Search, user: &User, id: &str) -> ServiceResult<()> {
    edits_synonyms(user)?;
    store.delete_synonym_group(&user.id, id).await?;
    search.catch_up(store).await?;
    Ok(())
}
