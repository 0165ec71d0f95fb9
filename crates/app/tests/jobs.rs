//! The desk's background jobs as `serve` runs them, with the clock moved forward instead of
//! waiting: auto-close follows the admin's `auto_close_days`, and the breach job records a
//! breach once however many instances run it.

use jiff::{SignedDuration, Timestamp};
use madoguchi_app::jobs::{run_auto_close, run_breach_job};
use madoguchi_core::catalog::TicketType;
use madoguchi_core::model::{NewContract, NewTenant, NewUser, User};
use madoguchi_core::ticket::{Incident, NewTicket, Ticket};
use madoguchi_core::values::{ContractNumber, Email, Name, TenantId};
use madoguchi_core::{Channel, Locale, Role, Status, SupportPlan};
use madoguchi_store::testing::move_ticket_back;
use madoguchi_store::{
    EventFilter, Filing, NewMessage, SettingsChanges, Store, Viewer, store_test,
};

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

async fn person(store: &Store, email: &str, role: Role, org: Option<&str>) -> User {
    store
        .create_user(
            None,
            &NewUser {
                email: Email::parse(email).unwrap(),
                name: Name::parse(email).unwrap(),
                role,
                organization_id: org.map(str::to_owned),
                locale: Locale::Ja,
                password_hash: None,
                time_zone: None,
                desks: Vec::new(),
            },
        )
        .await
        .unwrap()
}

/// A premium customer, an agent, and a way to file incidents for the customer.
struct Desk {
    store: Store,
    customer: User,
    agent: User,
    organization_id: String,
    contract_id: String,
    incident: TicketType,
}

impl Desk {
    async fn new(store: &Store) -> Desk {
        let org = store
            .create_organization(None, &Name::parse("株式会社サンプル").unwrap())
            .await
            .unwrap();
        let contract = store
            .create_contract(
                None,
                &NewContract {
                    organization_id: org.id.clone(),
                    contract_number: ContractNumber::parse("ECL-0001").unwrap(),
                    product_line: Name::parse("Enterprise Cloud 2.0").unwrap(),
                    contracting_corporation: Name::parse("Example Communications Corp.").unwrap(),
                    plan: SupportPlan::Premium,
                    channel: Channel::Direct,
                    partner_name: None,
                },
            )
            .await
            .unwrap();
        store
            .create_tenant(
                None,
                &NewTenant {
                    organization_id: org.id.clone(),
                    tenant_id: TenantId::parse("tenant-001").unwrap(),
                    name: None,
                },
            )
            .await
            .unwrap();
        let incident = store
            .ticket_types()
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.code == "premium_incident_submission")
            .unwrap();
        Desk {
            store: store.clone(),
            customer: person(store, "taro@example.com", Role::Customer, Some(&org.id)).await,
            agent: person(store, "agent@madoguchi.example", Role::Agent, None).await,
            organization_id: org.id,
            contract_id: contract.id,
            incident,
        }
    }

    async fn file(&self) -> Ticket {
        let new = NewTicket {
            ticket_type: self.incident.clone(),
            summary: "API が 500 を返す".into(),
            service_menu: "baremetal_server".into(),
            tenant_id: "tenant-001".into(),
            details: "詳細".into(),
            menu_fields: Default::default(),
            incident: Some(Incident {
                occurred_at: Timestamp::now(),
                operation_history: "なし".into(),
                current_status: "停止中".into(),
            }),
            callback: None,
        };
        let filing = Filing {
            organization_id: &self.organization_id,
            contract_id: &self.contract_id,
            created_by: &self.customer.id,
            participant_ids: &[],
            attachment_ids: &[],
            follow_up_of: None,
        };
        self.store.file_ticket(&filing, &new).await.unwrap()
    }

    /// Support answers publicly and proposes closing.
    async fn propose_closing(&self, ticket: &Ticket) {
        let message = NewMessage {
            author_id: &self.agent.id,
            author_role: Role::Agent,
            body: "解決しましたのでクローズを提案します。",
            internal: false,
            attachment_ids: &[],
            via: madoguchi_core::Via::Api,
        };
        self.store
            .add_message(&ticket.id, &message, |_| Ok(Status::PendingClosure))
            .await
            .unwrap();
    }

    async fn status(&self, ticket: &Ticket) -> Status {
        self.store
            .ticket(Viewer::Admin, ticket.key)
            .await
            .unwrap()
            .status
    }

    async fn events(&self, ticket: &Ticket, kind: &str) -> Vec<serde_json::Value> {
        self.store
            .events(EventFilter {
                subject_id: Some(&ticket.id),
                ..EventFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.data)
            .collect()
    }
}

store_test!(
    auto_close_follows_the_admins_days_and_closes_each_ticket_once,
    |store: Store| async move {
        let desk = Desk::new(&store).await;
        let quiet = desk.file().await;
        let answered = desk.file().await;
        desk.propose_closing(&quiet).await;
        desk.propose_closing(&answered).await;
        // The customer answered `answered`, which moved it back to support.
        let reply = NewMessage {
            author_id: &desk.customer.id,
            author_role: Role::Customer,
            body: "まだ解決していません。",
            internal: false,
            attachment_ids: &[],
            via: madoguchi_core::Via::Api,
        };
        store
            .add_message(&answered.id, &reply, |_| Ok(Status::InProgress))
            .await
            .unwrap();
        move_ticket_back(&store, &quiet.id, days(4)).await;
        move_ticket_back(&store, &answered.id, days(30)).await;

        // Seven days by default: four days of silence close nothing.
        let now = Timestamp::now();
        assert_eq!(run_auto_close(&store, now).await.unwrap(), 0);
        assert_eq!(desk.status(&quiet).await, Status::PendingClosure);

        // The admin shortens it to three days: two instances run the job at once.
        store
            .update_settings(
                None,
                SettingsChanges {
                    auto_close_days: Some(3),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let (a, b) = tokio::join!(run_auto_close(&store, now), run_auto_close(&store, now));
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        assert_eq!(desk.status(&quiet).await, Status::Closed);
        assert_eq!(desk.status(&answered).await, Status::InProgress);
        // The proposal to close is a status change too; the close is the one that ends closed.
        let closing = |events: Vec<serde_json::Value>| -> Vec<serde_json::Value> {
            events
                .into_iter()
                .filter(|e| e["changes"]["status"]["to"] == "closed")
                .collect()
        };
        let closes = closing(desk.events(&quiet, "ticket.status_changed").await);
        assert_eq!(closes.len(), 1, "one event for one close");
        assert_eq!(closes[0]["reason"], "auto_close");
        assert_eq!(closes[0]["public"], true);

        // A week later, nothing more happens.
        assert_eq!(run_auto_close(&store, now + days(7)).await.unwrap(), 0);
        assert_eq!(
            closing(desk.events(&quiet, "ticket.status_changed").await).len(),
            1
        );
    }
);

store_test!(
    the_breach_job_records_a_missed_first_response_once,
    |store: Store| async move {
        let desk = Desk::new(&store).await;
        let ticket = desk.file().await;
        let filed = ticket.created_at;
        assert_eq!(
            run_breach_job(&store, filed + SignedDuration::from_mins(29))
                .await
                .unwrap(),
            0
        );
        let late = filed + SignedDuration::from_mins(45);
        let (a, b) = tokio::join!(run_breach_job(&store, late), run_breach_job(&store, late));
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        assert_eq!(run_breach_job(&store, late).await.unwrap(), 0);
        let breaches = desk.events(&ticket, "sla.breached").await;
        assert_eq!(breaches.len(), 1);
        assert_eq!(breaches[0]["measure"], "first_response");
        assert_eq!(breaches[0]["key"], ticket.key.to_string());
        let seen = store.ticket(Viewer::Admin, ticket.key).await.unwrap();
        assert_eq!(
            madoguchi_core::sla::breaches(&seen.sla, late),
            vec![madoguchi_core::sla::SlaMeasure::FirstResponse]
        );
    }
);

store_test!(
    support_answering_again_gives_the_customer_the_full_days_before_auto_close,
    |store: Store| async move {
        let desk = Desk::new(&store).await;
        let ticket = desk.file().await;
        desk.propose_closing(&ticket).await;
        move_ticket_back(&store, &ticket.id, days(6)).await;
        // Six days later support adds to its answer; the ticket stays pending closure.
        desk.propose_closing(&ticket).await;
        let now = Timestamp::now();
        assert_eq!(run_auto_close(&store, now + days(2)).await.unwrap(), 0);
        assert_eq!(desk.status(&ticket).await, Status::PendingClosure);
        // Seven days after the latest answer, it closes.
        assert_eq!(run_auto_close(&store, now + days(7)).await.unwrap(), 1);
        assert_eq!(desk.status(&ticket).await, Status::Closed);
    }
);
