use madoguchi_core::event::EventKind;
use madoguchi_core::model::{Contract, NewContract};
use madoguchi_core::values::Name;
use madoguchi_core::{Channel, SupportPlan};
use serde_json::json;
use sqlx::{AnyConnection, FromRow};

use crate::db::{code, new_id, now, time};
use crate::error::ConstraintExt;
use crate::events::append;
use crate::{Page, PageRequest, Result, Store, StoreError};

macro_rules! columns {
    () => {
        "id, organization_id, contract_number, product_line, contracting_corporation, plan, channel, partner_name, created_at"
    };
}

#[derive(FromRow)]
struct ContractRow {
    id: String,
    organization_id: String,
    contract_number: String,
    product_line: String,
    contracting_corporation: String,
    plan: String,
    channel: String,
    partner_name: Option<String>,
    created_at: i64,
}

impl TryFrom<ContractRow> for Contract {
    type Error = StoreError;
    fn try_from(r: ContractRow) -> Result<Self> {
        Ok(Contract {
            id: r.id,
            organization_id: r.organization_id,
            contract_number: r.contract_number,
            product_line: r.product_line,
            contracting_corporation: r.contracting_corporation,
            plan: code(SupportPlan::parse(&r.plan))?,
            channel: code(Channel::parse(&r.channel))?,
            partner_name: r.partner_name,
            created_at: time(r.created_at)?,
        })
    }
}

fn contracts(rows: Vec<ContractRow>) -> Result<Vec<Contract>> {
    rows.into_iter().map(Contract::try_from).collect()
}

fn describe(c: &NewContract) -> serde_json::Value {
    json!({
        "contract_number": c.contract_number,
        "product_line": c.product_line,
        "contracting_corporation": c.contracting_corporation,
        "plan": c.plan,
        "channel": c.channel,
        "partner_name": c.partner_name,
    })
}

/// The contract with this number, read inside a transaction.
pub(crate) async fn by_number(conn: &mut AnyConnection, number: &str) -> Result<Contract> {
    sqlx::query_as::<_, ContractRow>(concat!(
        "SELECT ",
        columns!(),
        " FROM contracts WHERE contract_number = $1"
    ))
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?
    .try_into()
}

/// Inserts a contract and appends its event, in the caller's transaction.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    actor: Option<&str>,
    new: &NewContract,
) -> Result<Contract> {
    let id = new_id();
    let row: ContractRow = sqlx::query_as(concat!(
        "INSERT INTO contracts (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
        columns!()
    ))
    .bind(&id)
    .bind(&new.organization_id)
    .bind(new.contract_number.as_str())
    .bind(new.product_line.as_str())
    .bind(new.contracting_corporation.as_str())
    .bind(new.plan.code())
    .bind(new.channel.code())
    .bind(new.partner_name.as_ref().map(Name::as_str))
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .taken("contract_number")
    .dangling("organization_id")?;
    append(
        conn,
        EventKind::ContractCreated,
        actor,
        &id,
        Some(&new.organization_id),
        describe(new),
    )
    .await?;
    row.try_into()
}

impl Store {
    pub async fn create_contract(
        &self,
        actor: Option<&str>,
        new: &NewContract,
    ) -> Result<Contract> {
        let mut tx = self.begin().await?;
        let created = insert(&mut tx, actor, new).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn contract(&self, id: &str) -> Result<Contract> {
        sqlx::query_as::<_, ContractRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM contracts WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
    }

    pub async fn contract_by_number(&self, number: &str) -> Result<Contract> {
        by_number(&mut *self.read.acquire().await?, number).await
    }

    /// Every contract of one organization, by contract number.
    pub async fn contracts_of(&self, organization_id: &str) -> Result<Vec<Contract>> {
        let rows = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM contracts WHERE organization_id = $1 ORDER BY contract_number"
        ))
        .bind(organization_id)
        .fetch_all(&self.read)
        .await?;
        contracts(rows)
    }

    /// Contracts, of one organization or of all.
    pub async fn contracts(
        &self,
        organization_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Contract>> {
        let rows = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM contracts WHERE ($1 IS NULL OR organization_id = $1) AND id > $2 ORDER BY id LIMIT $3"
        ))
        .bind(organization_id)
        .bind(page.after_key())
        .bind(page.fetch())
        .fetch_all(&self.read)
        .await?;
        Ok(page.finish(contracts(rows)?, |c| &c.id))
    }

    /// Replaces a contract's terms; the organization stays.
    pub async fn update_contract(
        &self,
        actor: Option<&str>,
        id: &str,
        terms: &NewContract,
    ) -> Result<Contract> {
        let mut tx = self.begin().await?;
        let row: ContractRow = sqlx::query_as(concat!(
            "UPDATE contracts SET contract_number = $1, product_line = $2, contracting_corporation = $3,
             plan = $4, channel = $5, partner_name = $6 WHERE id = $7 RETURNING ",
            columns!()
        ))
        .bind(terms.contract_number.as_str())
        .bind(terms.product_line.as_str())
        .bind(terms.contracting_corporation.as_str())
        .bind(terms.plan.code())
        .bind(terms.channel.code())
        .bind(terms.partner_name.as_ref().map(Name::as_str))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .taken("contract_number")?
        .ok_or(StoreError::NotFound)?;
        append(
            &mut tx,
            EventKind::ContractUpdated,
            actor,
            id,
            Some(&row.organization_id),
            describe(terms),
        )
        .await?;
        tx.commit().await?;
        row.try_into()
    }

    pub async fn delete_contract(&self, actor: Option<&str>, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let organization_id: Option<String> =
            sqlx::query_scalar("DELETE FROM contracts WHERE id = $1 RETURNING organization_id")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .in_use("tickets")?;
        let organization_id = organization_id.ok_or(StoreError::NotFound)?;
        append(
            &mut tx,
            EventKind::ContractDeleted,
            actor,
            id,
            Some(&organization_id),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
