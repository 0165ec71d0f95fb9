//! What still refers to a record, so that a refused delete can say what must go first.

use madoguchi_core::values::TicketKey;

use crate::{Result, Store};

/// The kinds of record the console deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletable {
    Organization,
    Tenant,
    Contract,
    User,
}

/// What refers to one record. Tickets are never deleted, so a record tickets use stays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dependents {
    /// How many tickets refer to it, and the first few of their keys, by number.
    pub tickets: i64,
    pub ticket_keys: Vec<TicketKey>,
    /// For an organization: its records, deleted one by one first.
    pub users: i64,
    pub tenants: i64,
    pub contracts: i64,
}

impl Dependents {
    pub fn is_empty(&self) -> bool {
        self.tickets == 0 && self.users == 0 && self.tenants == 0 && self.contracts == 0
    }
}

/// How many ticket keys a refusal names.
pub const KEYS_NAMED: i64 = 5;

impl Store {
    /// What refers to the record `id` of kind `of` (nothing when it does not exist).
    pub async fn dependents(&self, of: Deletable, id: &str) -> Result<Dependents> {
        // The tickets that use the record, as one condition on `tickets t` with `$1` the id.
        let tickets = match of {
            Deletable::Organization => "t.organization_id = $1",
            Deletable::Tenant => "t.tenant_id IN (SELECT tenant_id FROM tenants WHERE id = $1)",
            Deletable::Contract => "t.contract_id = $1",
            Deletable::User => {
                "t.created_by = $1 OR t.assignee_id = $1
                 OR t.id IN (SELECT ticket_id FROM ticket_participants WHERE user_id = $1)
                 OR t.id IN (SELECT ticket_id FROM messages WHERE author_id = $1)"
            }
        };
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM tickets t WHERE {tickets}"
        )))
        .bind(id)
        .fetch_one(&self.read)
        .await?;
        let numbers: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT t.number FROM tickets t WHERE {tickets} ORDER BY t.number LIMIT $2"
        )))
        .bind(id)
        .bind(KEYS_NAMED)
        .fetch_all(&self.read)
        .await?;
        let mut found = Dependents {
            tickets: count,
            ticket_keys: numbers
                .into_iter()
                .map(|n| TicketKey::from_number(n as u64))
                .collect(),
            ..Dependents::default()
        };
        if of == Deletable::Organization {
            let (users, tenants, contracts): (i64, i64, i64) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM users WHERE organization_id = $1),
                        (SELECT COUNT(*) FROM tenants WHERE organization_id = $1),
                        (SELECT COUNT(*) FROM contracts WHERE organization_id = $1)",
            )
            .bind(id)
            .fetch_one(&self.read)
            .await?;
            found.users = users;
            found.tenants = tenants;
            found.contracts = contracts;
        }
        Ok(found)
    }
}
