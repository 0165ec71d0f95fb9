//! Merging a duplicate into the ticket that survives (SPEC §6), in one transaction: the
//! duplicate closes with `merged_into`, both logs say so, the duplicate's customers follow the
//! survivor, and they hear where their ticket went.

use madoguchi_core::event::EventKind;
use madoguchi_core::merge::{MergeRefusal, check_merge};
use madoguchi_core::status::{TicketEvent, next_status};
use madoguchi_core::ticket::Ticket;
use serde_json::json;
use sqlx::AnyConnection;

use crate::db::{Dialect, now};
use crate::events::append;
use crate::messages::SET_STATUS;
use crate::outbox::announce;
use crate::sla::{SlaChange, track};
use crate::tickets::ticket_by_id;
use crate::{Result, Store, StoreError};
use madoguchi_core::notify::Happening;

/// Locks both tickets' rows (PostgreSQL; SQLite has one writer) in id order, so that two
/// merges crossing the same pair wait for each other instead of deadlocking.
async fn lock_pair(conn: &mut AnyConnection, dialect: Dialect, a: &str, b: &str) -> Result<()> {
    if dialect == Dialect::Postgres {
        let (first, second) = if a <= b { (a, b) } else { (b, a) };
        for id in [first, second] {
            sqlx::query("SELECT id FROM tickets WHERE id = $1 FOR UPDATE")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Merges ticket `duplicate_id` into `survivor_id` on behalf of `actor_id`; answers the
    /// duplicate as it is after, or why the tickets as they stand now refuse the merge
    /// ([`check_merge`], read under the rows' locks). The caller has checked that the actor
    /// may see both tickets.
    pub async fn merge(
        &self,
        duplicate_id: &str,
        survivor_id: &str,
        actor_id: &str,
    ) -> Result<std::result::Result<Ticket, MergeRefusal>> {
        let mut tx = self.begin().await?;
        lock_pair(&mut tx, self.dialect(), duplicate_id, survivor_id).await?;
        let duplicate = ticket_by_id(&mut tx, duplicate_id).await?;
        let survivor = ticket_by_id(&mut tx, survivor_id).await?;
        if let Err(refusal) = check_merge(&duplicate, &survivor) {
            return Ok(Err(refusal));
        }
        let from = duplicate.status;
        let to = next_status(from, TicketEvent::Merged).map_err(StoreError::Transition)?;
        let at = now();
        sqlx::query(SET_STATUS)
            .bind(to.code())
            .bind(at)
            .bind(duplicate_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE tickets SET merged_into = $1 WHERE id = $2")
            .bind(survivor_id)
            .bind(duplicate_id)
            .execute(&mut *tx)
            .await?;
        // The survivor's log gains a public entry: its customers see it as news.
        sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2")
            .bind(at)
            .bind(survivor_id)
            .execute(&mut *tx)
            .await?;
        // The duplicate's filer and participants follow the survivor, as participants, when
        // they may view its contract: participants are picked from the contract's viewers
        // (SPEC §1), so nobody gains sight of a contract through a merge.
        sqlx::query(
            "INSERT INTO ticket_participants (ticket_id, user_id)
             SELECT $1, who.user_id FROM (
                 SELECT created_by AS user_id FROM tickets WHERE id = $2
                 UNION SELECT user_id FROM ticket_participants WHERE ticket_id = $2
             ) who
             WHERE who.user_id <> (SELECT created_by FROM tickets WHERE id = $1)
               AND EXISTS (SELECT 1 FROM ticket_permissions tp
                           WHERE tp.user_id = who.user_id AND tp.contract_id = $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(survivor_id)
        .bind(duplicate_id)
        .bind(&survivor.contract_id)
        .execute(&mut *tx)
        .await?;
        track(
            &mut tx,
            duplicate_id,
            SlaChange::StatusChanged { from, to },
            at,
        )
        .await?;
        let key = duplicate.key.to_string();
        let into = survivor.key.to_string();
        let org = Some(duplicate.organization_id.as_str());
        let event = append(
            &mut tx,
            EventKind::TicketMerged,
            Some(actor_id),
            duplicate_id,
            org,
            json!({
                "key": key,
                "into": into,
                "changes": {
                    "status": { "from": from, "to": to },
                    "merged_into": { "from": null, "to": into },
                },
                "public": true,
            }),
        )
        .await?;
        append(
            &mut tx,
            EventKind::TicketMerged,
            Some(actor_id),
            survivor_id,
            org,
            json!({ "key": into, "from": key, "changes": {}, "public": true }),
        )
        .await?;
        let payload = json!({ "key": key, "summary": duplicate.summary, "into": into });
        announce(&mut tx, event, Happening::Merged, &duplicate, payload).await?;
        let merged = ticket_by_id(&mut tx, duplicate_id).await?;
        tx.commit().await?;
        Ok(Ok(merged))
    }
}
