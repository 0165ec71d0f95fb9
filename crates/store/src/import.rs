//! A bulk import: new organizations, tenants, contracts, users and their ticket permissions
//! written in one transaction, so that a file loads whole or not at all. Each record is
//! written by the same insert as its single create, with its event.

use std::collections::HashMap;

use madoguchi_core::PermissionLevel;
use madoguchi_core::model::{NewContract, NewTenant, NewUser};
use madoguchi_core::values::{ContractNumber, Email, Name};

use crate::db::new_id;
use crate::{Result, Store, StoreError, contracts, organizations, permissions, tenants, users};

/// A new organization, with the id the caller chose so that the batch's other records can
/// name it before it is written.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub id: String,
    pub name: Name,
}

impl NewOrganization {
    pub fn new(name: Name) -> NewOrganization {
        NewOrganization { id: new_id(), name }
    }
}

/// A ticket permission named by what a file knows: the user's email and the contract's number,
/// each new in the batch or already stored.
#[derive(Debug, Clone)]
pub struct NewPermission {
    pub email: Email,
    pub contract_number: ContractNumber,
    pub level: PermissionLevel,
}

/// Everything one import writes, checked by the caller.
#[derive(Debug, Clone, Default)]
pub struct ImportBatch {
    pub organizations: Vec<NewOrganization>,
    pub tenants: Vec<NewTenant>,
    pub contracts: Vec<NewContract>,
    pub users: Vec<NewUser>,
    pub permissions: Vec<NewPermission>,
}

/// How many records of each kind an import writes (or would write).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub organizations: usize,
    pub tenants: usize,
    pub contracts: usize,
    pub users: usize,
    pub permissions: usize,
}

impl ImportBatch {
    pub fn counts(&self) -> ImportCounts {
        ImportCounts {
            organizations: self.organizations.len(),
            tenants: self.tenants.len(),
            contracts: self.contracts.len(),
            users: self.users.len(),
            permissions: self.permissions.len(),
        }
    }
}

impl Store {
    /// Writes the whole batch in one transaction: any failure writes nothing.
    pub async fn import(&self, actor: Option<&str>, batch: &ImportBatch) -> Result<ImportCounts> {
        let mut tx = self.begin().await?;
        for org in &batch.organizations {
            organizations::insert(&mut tx, actor, &org.id, &org.name).await?;
        }
        for tenant in &batch.tenants {
            tenants::insert(&mut tx, actor, tenant).await?;
        }
        let mut contract_ids = HashMap::new();
        for contract in &batch.contracts {
            let created = contracts::insert(&mut tx, actor, contract).await?;
            contract_ids.insert(created.contract_number, created.id);
        }
        let mut user_ids = HashMap::new();
        for user in &batch.users {
            let created = users::insert(&mut tx, actor, user).await?;
            user_ids.insert(created.email, created.id);
        }
        for permission in &batch.permissions {
            let user_id = match user_ids.get(permission.email.as_str()) {
                Some(id) => id.clone(),
                None => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                    .bind(permission.email.as_str())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::Dangling { field: "email" })?,
            };
            let number = permission.contract_number.as_str();
            let contract_id = match contract_ids.get(number) {
                Some(id) => id.clone(),
                None => match contracts::by_number(&mut tx, number).await {
                    Ok(c) => c.id,
                    Err(StoreError::NotFound) => {
                        return Err(StoreError::Dangling {
                            field: "contract_number",
                        });
                    }
                    Err(e) => return Err(e),
                },
            };
            permissions::grant(&mut tx, actor, &user_id, &contract_id, permission.level).await?;
        }
        tx.commit().await?;
        Ok(batch.counts())
    }
}
