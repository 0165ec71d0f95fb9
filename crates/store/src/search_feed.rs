//! What the search indexes are built from: tickets with their messages and people, articles,
//! the synonym groups agents edit, and who may see what (read live for every query).

use madoguchi_core::event::EventKind;
use serde_json::json;
use sqlx::Row;

use crate::db::{Dialect, new_id, now};
use crate::events::append;
use crate::tickets::json_list;
use crate::{Result, Store, StoreError};

/// A ticket's searchable content.
#[derive(Debug, Clone, Default)]
pub struct TicketSource {
    pub id: String,
    pub number: i64,
    pub organization_id: String,
    pub contract_id: String,
    pub desk: String,
    pub status: String,
    pub ticket_type: String,
    pub service_menu: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub summary: String,
    /// Details, then the incident fields and menu fields.
    pub details: String,
    pub replies: Vec<String>,
    pub notes: Vec<String>,
    /// The requester's name and email and the organization's name.
    pub people: String,
}

/// A group of phrases that mean the same.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SynonymGroup {
    pub id: String,
    pub phrases: Vec<String>,
}

const TICKET_SOURCE: &str = "SELECT t.id, t.number, t.organization_id, t.contract_id, t.desk, t.status, t.ticket_type,
        t.service_menu, t.created_at, t.updated_at, t.summary, t.details, t.menu_fields,
        t.incident_operation_history, t.incident_current_status,
        u.name AS requester_name, u.email AS requester_email, o.name AS organization_name
   FROM tickets t JOIN users u ON u.id = t.created_by JOIN organizations o ON o.id = t.organization_id";

impl Store {
    /// The searchable content of these tickets (those that exist).
    pub async fn ticket_sources(&self, ids: &[String]) -> Result<Vec<TicketSource>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                format!("{TICKET_SOURCE} WHERE t.id IN (SELECT value FROM json_each($1))")
            }
            Dialect::Postgres => {
                format!(
                    "{TICKET_SOURCE} WHERE t.id IN (SELECT jsonb_array_elements_text($1::jsonb))"
                )
            }
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(json_list(ids)?)
            .fetch_all(&self.read)
            .await?;
        self.sources(rows).await
    }

    /// The tickets a user filed: what their name and email find, so what a rename changes.
    /// `organization_id` is the user's organization, when they have one (its tickets are
    /// read by an index; those of a user without one by a scan, which renaming staff costs).
    pub async fn ticket_ids_filed_by(
        &self,
        user_id: &str,
        organization_id: Option<&str>,
    ) -> Result<Vec<String>> {
        let ids: Vec<String> = match organization_id {
            Some(org) => {
                sqlx::query_scalar(
                    "SELECT id FROM tickets WHERE organization_id = $1 AND created_by = $2",
                )
                .bind(org)
                .bind(user_id)
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query_scalar("SELECT id FROM tickets WHERE created_by = $1")
                    .bind(user_id)
                    .fetch_all(&self.read)
                    .await?
            }
        };
        Ok(ids)
    }

    /// The tickets of an organization: what its name finds, so what a rename changes.
    pub async fn ticket_ids_of_organization(&self, organization_id: &str) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM tickets WHERE organization_id = $1")
                .bind(organization_id)
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// Tickets by organization, then number, after `after` (an organization id and a ticket
    /// number), `limit` of them: a rebuild reads them all this way, so that an organization's
    /// tickets sit side by side in the index and a customer's search reads only their range.
    pub async fn ticket_sources_by_organization(
        &self,
        after: Option<(&str, i64)>,
        limit: i64,
    ) -> Result<Vec<TicketSource>> {
        let (organization, number) = after.unwrap_or(("", 0));
        let sql = format!(
            "{TICKET_SOURCE} WHERE (t.organization_id, t.number) > ($1, $2)
              ORDER BY t.organization_id, t.number LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organization)
            .bind(number)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        self.sources(rows).await
    }

    async fn sources(&self, rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<TicketSource>> {
        let mut tickets = Vec::with_capacity(rows.len());
        for row in &rows {
            let text = |name: &str| -> Result<String> {
                Ok(row.try_get::<Option<String>, _>(name)?.unwrap_or_default())
            };
            let menu_fields: std::collections::BTreeMap<String, String> =
                serde_json::from_str(&text("menu_fields")?).unwrap_or_default();
            let mut details = text("details")?;
            for extra in [
                text("incident_operation_history")?,
                text("incident_current_status")?,
            ]
            .into_iter()
            .chain(menu_fields.into_values())
            {
                if !extra.trim().is_empty() {
                    details.push('\n');
                    details.push_str(&extra);
                }
            }
            tickets.push(TicketSource {
                id: text("id")?,
                number: row.try_get("number")?,
                organization_id: text("organization_id")?,
                contract_id: text("contract_id")?,
                desk: text("desk")?,
                status: text("status")?,
                ticket_type: text("ticket_type")?,
                service_menu: text("service_menu")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                summary: text("summary")?,
                details,
                replies: Vec::new(),
                notes: Vec::new(),
                people: format!(
                    "{} {} {}",
                    text("requester_name")?,
                    text("requester_email")?,
                    text("organization_name")?
                ),
            });
        }
        if tickets.is_empty() {
            return Ok(tickets);
        }
        let ids: Vec<String> = tickets.iter().map(|t| t.id.clone()).collect();
        let list = json_list(&ids)?;
        let messages = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT ticket_id, body, visibility FROM messages
                  WHERE ticket_id IN (SELECT value FROM json_each($1)) ORDER BY created_at, id"
            }
            Dialect::Postgres => {
                "SELECT ticket_id, body, visibility FROM messages
                  WHERE ticket_id IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY created_at, id"
            }
        };
        let index: std::collections::HashMap<String, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect();
        let rows: Vec<(String, String, String)> = sqlx::query_as(messages)
            .bind(&list)
            .fetch_all(&self.read)
            .await?;
        for (ticket_id, body, visibility) in rows {
            if let Some(&i) = index.get(&ticket_id) {
                if visibility == "public" {
                    tickets[i].replies.push(body);
                } else {
                    tickets[i].notes.push(body);
                }
            }
        }
        Ok(tickets)
    }

    /// The contracts a customer holds a ticket permission on, as the index filters by them:
    /// read for every query, so that a revoked permission hides its tickets at once.
    pub async fn permitted_contract_ids(&self, user_id: &str) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT contract_id FROM ticket_permissions WHERE user_id = $1")
                .bind(user_id)
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// The newest event's id: where a rebuilt index starts following the log.
    pub async fn last_event_id(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM events")
                .fetch_one(&self.read)
                .await?
                .unwrap_or(0),
        )
    }

    /// The synonym groups, oldest first.
    pub async fn synonym_groups(&self) -> Result<Vec<SynonymGroup>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, phrases FROM synonym_groups ORDER BY id")
                .fetch_all(&self.read)
                .await?;
        rows.into_iter()
            .map(|(id, phrases)| {
                Ok(SynonymGroup {
                    id,
                    phrases: serde_json::from_str(&phrases).map_err(StoreError::corrupt)?,
                })
            })
            .collect()
    }

    /// Seeds the synonym groups of a database that never had any (an agent who deletes
    /// them all is not overruled at the next start).
    pub async fn seed_synonym_groups(&self, groups: &[Vec<String>]) -> Result<bool> {
        let mut tx = self.begin().await?;
        let ever: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM synonym_groups)
                  + (SELECT COUNT(*) FROM events WHERE kind IN ('synonym_group.saved', 'synonym_group.deleted'))",
        )
        .fetch_one(&mut *tx)
        .await?;
        if ever > 0 {
            return Ok(false);
        }
        for phrases in groups {
            sqlx::query("INSERT INTO synonym_groups (id, phrases, updated_at) VALUES ($1, $2, $3)")
                .bind(new_id())
                .bind(serde_json::to_string(phrases).map_err(StoreError::corrupt)?)
                .bind(now())
                .execute(&mut *tx)
                .await?;
        }
        append(
            &mut tx,
            EventKind::SynonymGroupSaved,
            None,
            "seed",
            None,
            json!({ "seeded": groups.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Adds a group (`id` None) or replaces one's phrases.
    pub async fn save_synonym_group(
        &self,
        actor_id: &str,
        id: Option<&str>,
        phrases: &[String],
    ) -> Result<SynonymGroup> {
        let mut tx = self.begin().await?;
        let encoded = serde_json::to_string(phrases).map_err(StoreError::corrupt)?;
        let id = match id {
            Some(id) => {
                let changed = sqlx::query(
                    "UPDATE synonym_groups SET phrases = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(&encoded)
                .bind(now())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                id.to_owned()
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO synonym_groups (id, phrases, updated_at) VALUES ($1, $2, $3)",
                )
                .bind(&id)
                .bind(&encoded)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        append(
            &mut tx,
            EventKind::SynonymGroupSaved,
            Some(actor_id),
            &id,
            None,
            json!({ "phrases": phrases }),
        )
        .await?;
        tx.commit().await?;
        Ok(SynonymGroup {
            id,
            phrases: phrases.to_vec(),
        })
    }

    pub async fn delete_synonym_group(&self, actor_id: &str, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let gone = sqlx::query("DELETE FROM synonym_groups WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        append(
            &mut tx,
            EventKind::SynonymGroupDeleted,
            Some(actor_id),
            id,
            None,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
