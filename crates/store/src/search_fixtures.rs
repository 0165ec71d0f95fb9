//! Load fixtures for the search benchmark (feature `testing`): many organizations, a million
//! tickets with varied texts, a hundred thousand articles, written in multi-row inserts
//! without events (load, not history). The search indexes are then rebuilt from them, as
//! `madoguchi reindex` would. Never compiled into the server.

use crate::db::now;
use crate::{Dialect, Result, Store};

/// Rows per INSERT statement.
const ROWS: usize = 400;

impl Store {
    /// Adds `orgs` organizations `Bench Org {i}`, each with a direct contract `BENCH-{i}`, a
    /// tenant `tenant-bench-{i}` and a customer `bench{i}@bench.example` who may edit it.
    pub async fn add_orgs_for_bench(&self, orgs: usize) -> Result<()> {
        let at = now();
        let mut tx = self.begin().await?;
        for i in 0..orgs {
            let org = format!("bench-org-{i}");
            let statements: [(&str, Vec<String>); 5] = [
                ("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)",
                 vec![org.clone(), format!("Bench Org {i}")]),
                ("INSERT INTO contracts (id, organization_id, contract_number, product_line, contracting_corporation, plan, channel, created_at)
                  VALUES ($1, $2, $3, 'Enterprise Cloud 2.0', 'Example Communications Corp.', 'basic', 'direct', $4)",
                 vec![format!("bench-contract-{i}"), org.clone(), format!("BENCH-{i}")]),
                ("INSERT INTO tenants (id, organization_id, tenant_id, created_at) VALUES ($1, $2, $3, $4)",
                 vec![format!("bench-tenant-{i}"), org.clone(), format!("tenant-bench-{i}")]),
                ("INSERT INTO users (id, email, name, role, organization_id, locale, time_zone, created_at)
                  VALUES ($1, $2, $3, 'customer', $4, 'ja', 'Asia/Tokyo', $5)",
                 vec![format!("bench-user-{i}"), format!("bench{i}@bench.example"), format!("Bench User {i}"), org.clone()]),
                ("INSERT INTO ticket_permissions (user_id, contract_id, level, granted_at) VALUES ($1, $2, 'edit', $3)",
                 vec![format!("bench-user-{i}"), format!("bench-contract-{i}")]),
            ];
            for (sql, values) in statements {
                let mut q = sqlx::query(sql);
                for v in values {
                    q = q.bind(v);
                }
                q.bind(at).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds one ticket per (summary, details), round robin over the `orgs` bench
    /// organizations, general inquiries of the general desk, one a minute until now.
    pub async fn add_tickets_for_bench(
        &self,
        orgs: usize,
        texts: &[(String, String)],
    ) -> Result<()> {
        let at = now();
        let minute: i64 = 60_000_000;
        let postgres = self.dialect() == Dialect::Postgres;
        let mut tx = self.begin().await?;
        if postgres {
            sqlx::query("ALTER TABLE tickets DISABLE TRIGGER queue_counts_filed")
                .execute(&mut *tx)
                .await?;
        }
        let base: i64 =
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'ticket_number'")
                .fetch_one(&mut *tx)
                .await?;
        let statuses = [
            "new",
            "in_progress",
            "waiting_for_customer",
            "pending_closure",
            "closed",
        ];
        for (chunk_no, chunk) in texts.chunks(ROWS).enumerate() {
            let mut sql = String::from(
                "INSERT INTO tickets (id, number, organization_id, contract_id, ticket_type, desk, status,
                   summary, service_menu, tenant_id, details, menu_fields, created_by, created_at, updated_at,
                   status_changed_at) VALUES ",
            );
            let per_row = 10;
            for r in 0..chunk.len() {
                let p = r * per_row;
                if r > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, 'general_inquiry', 'general', ${}, ${}, 'other', ${}, ${}, '{{}}', ${}, ${}, ${}, ${})",
                    p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8, p + 9, p + 10, p + 10, p + 10
                ));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (r, (summary, details)) in chunk.iter().enumerate() {
                let i = chunk_no * ROWS + r;
                let org = i % orgs.max(1);
                let number = base + 1 + i as i64;
                q = q
                    .bind(format!("bench-ticket-{number}"))
                    .bind(number)
                    .bind(format!("bench-org-{org}"))
                    .bind(format!("bench-contract-{org}"))
                    .bind(statuses[i % statuses.len()])
                    .bind(summary.as_str())
                    .bind(format!("tenant-bench-{org}"))
                    .bind(details.as_str())
                    .bind(format!("bench-user-{org}"))
                    .bind(at - (texts.len() - i) as i64 * minute);
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE counters SET value = value + $1 WHERE name = 'ticket_number'")
            .bind(texts.len() as i64)
            .execute(&mut *tx)
            .await?;
        if postgres {
            sqlx::query("ALTER TABLE tickets ENABLE TRIGGER queue_counts_filed")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.analyze().await?;
        Ok(())
    }

    /// Adds published articles: (kind, title, body, service menu).
    pub async fn add_articles_for_bench(
        &self,
        articles: &[(String, String, String, String)],
    ) -> Result<()> {
        let at = now();
        let mut tx = self.begin().await?;
        for (chunk_no, chunk) in articles.chunks(ROWS).enumerate() {
            let mut sql = String::from(
                "INSERT INTO kb_articles (id, kind, title, body, service_menus, state, created_at, updated_at) VALUES ",
            );
            for r in 0..chunk.len() {
                let p = r * 6;
                if r > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, 'published', ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 6
                ));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (r, (kind, title, body, menu)) in chunk.iter().enumerate() {
                q = q
                    .bind(format!("bench-article-{}", chunk_no * ROWS + r))
                    .bind(kind.as_str())
                    .bind(title.as_str())
                    .bind(body.as_str())
                    .bind(format!("[\"{menu}\"]"))
                    .bind(at);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
