//! The queues' counts stay exact through every kind of ticket write (SPEC §6): after a random
//! mix of filings, replies, notes, status and assignee changes, closings and SLA moves, the
//! counts a queue answers equal the counts recomputed from the tickets, whether or not the SLA
//! job has marked what passed.

use crate::common::*;
use madoguchi_core::status::{TicketEvent, next_status};
use madoguchi_core::ticket::NewTicket;
use madoguchi_core::{Desk, Priority, Role, Status, SupportPlan};
use madoguchi_store::{
    Filing, NewMessage, PageRequest, QueueFilter, QueueSort, Store, StoreError, TicketChanges,
    store_test,
};

/// A small deterministic generator: the same mix on both databases, every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

async fn new_ticket(store: &Store, code: &str, summary: &str) -> NewTicket {
    let types = store.ticket_types().await.unwrap();
    let ticket_type = types.into_iter().find(|t| t.code == code).unwrap();
    NewTicket {
        ticket_type,
        summary: summary.to_owned(),
        service_menu: "other".into(),
        tenant_id: "tenant-q1".into(),
        details: "詳細".into(),
        menu_fields: [("service_name".to_owned(), "billing".to_owned())].into(),
        incident: None,
        callback: None,
    }
}

store_test!(
    counts_stay_exact_through_a_random_mix_of_writes,
    |store: Store| async move {
        let org = organization(&store, "Acme").await;
        tenant(&store, &org.id, "tenant-q1").await;
        let contract = store
            .create_contract(
                None,
                &direct_contract(&org.id, "ECL-Q1", SupportPlan::Premium),
            )
            .await
            .unwrap();
        let filer = customer(&store, &org.id, "filer@acme.example").await;
        let agent = staff(&store, "agent@support.example", Role::Agent).await;
        let colleague = staff(&store, "colleague@support.example", Role::Agent).await;
        let admin = admin(&store).await;
        for a in [&agent, &colleague] {
            store
                .add_desk_member(None, Desk::General, &a.id)
                .await
                .unwrap();
            store
                .add_desk_member(None, Desk::Premium, &a.id)
                .await
                .unwrap();
        }
        let mut rng = Lcg(42);
        let mut tickets: Vec<(String, madoguchi_core::values::TicketKey)> = Vec::new();
        let now = jiff::Timestamp::now().as_microsecond();
        let hour = 3_600_000_000;
        for step in 0..160 {
            let action = if tickets.len() < 6 { 0 } else { rng.next(8) };
            let pick = if tickets.is_empty() {
                0
            } else {
                rng.next(tickets.len() as u64) as usize
            };
            match action {
                0 => {
                    let code = if rng.next(2) == 0 {
                        "general_inquiry"
                    } else {
                        "premium_general_inquiry"
                    };
                    let filing = Filing {
                        organization_id: &org.id,
                        contract_id: &contract.id,
                        created_by: &filer.id,
                        participant_ids: &[],
                        attachment_ids: &[],
                        follow_up_of: None,
                    };
                    let t = store
                        .file_ticket(
                            &filing,
                            &new_ticket(&store, code, &format!("#{step}")).await,
                        )
                        .await
                        .unwrap();
                    tickets.push((t.id, t.key));
                }
                1 | 2 => {
                    let status = Status::ALL[rng.next(5) as usize];
                    let assignee = match rng.next(4) {
                        0 => Some(None),
                        1 => Some(Some(agent.id.clone())),
                        2 => Some(Some(colleague.id.clone())),
                        _ => None,
                    };
                    let priority = Priority::ALL[rng.next(4) as usize];
                    // Now and then the ticket moves to the other desk: both desks' counts follow.
                    let desk = match rng.next(6) {
                        0 => Some(Desk::Premium),
                        1 => Some(Desk::General),
                        _ => None,
                    };
                    let result = store
                        .update_ticket(&tickets[pick].0, Some(&agent.id), |from| {
                            Ok(TicketChanges {
                                status: Some(next_status(
                                    from,
                                    TicketEvent::AgentSetStatus(status),
                                )?),
                                assignee_id: assignee,
                                priority: Some(priority),
                                desk,
                                reason: None,
                            })
                        })
                        .await;
                    assert!(
                        matches!(result, Ok(_) | Err(StoreError::Transition(_))),
                        "{result:?}"
                    );
                }
                3 | 4 => {
                    let (author, role, internal) = match rng.next(3) {
                        0 => (&filer, Role::Customer, false),
                        1 => (&agent, Role::Agent, false),
                        _ => (&agent, Role::Agent, true),
                    };
                    let event = match role {
                        Role::Customer => TicketEvent::CustomerReplied,
                        _ => TicketEvent::AgentReplied { set: None },
                    };
                    let message = NewMessage {
                        author_id: &author.id,
                        author_role: role,
                        body: "返信",
                        internal,
                        attachment_ids: &[],
                        via: madoguchi_core::Via::Api,
                    };
                    let result = store
                        .add_message(&tickets[pick].0, &message, |from| {
                            if internal {
                                Ok(from)
                            } else {
                                next_status(from, event)
                            }
                        })
                        .await;
                    assert!(
                        matches!(result, Ok(_) | Err(StoreError::Transition(_))),
                        "{result:?}"
                    );
                }
                5 => {
                    let result = store
                        .change_status(&tickets[pick].0, Some(&filer.id), |from| {
                            next_status(from, TicketEvent::CustomerClosed)
                        })
                        .await;
                    assert!(
                        matches!(result, Ok(_) | Err(StoreError::Transition(_))),
                        "{result:?}"
                    );
                }
                7 => {
                    // The SLA job marks what has passed; the counts must not change by it.
                    let at = jiff::Timestamp::now();
                    store.record_sla_breaches(at).await.unwrap();
                    store.mark_sla_due_soon(at).await.unwrap();
                }
                _ => {
                    let (due, soon, paused) = match rng.next(4) {
                        0 => (Some(now - hour), Some(now - 2 * hour), None),
                        1 => (Some(now + hour), Some(now - hour), None),
                        2 => (Some(now + 9 * hour), Some(now + 7 * hour), None),
                        _ => (None, None, Some(now)),
                    };
                    store
                        .set_ticket_sla_for_test(tickets[pick].1, due, soon, paused)
                        .await
                        .unwrap();
                }
            }
            if step % 20 == 19 {
                assert_counts(&store, &agent, &admin).await;
            }
        }
        assert_counts(&store, &agent, &admin).await;
        assert_counts(&store, &colleague, &admin).await;
        // Once the job has marked everything, the counts read the marks alone.
        let at = jiff::Timestamp::now();
        store.record_sla_breaches(at).await.unwrap();
        store.mark_sla_due_soon(at).await.unwrap();
        assert_counts(&store, &agent, &admin).await;
    }
);

/// Every desk's counts, as the agent and as an admin see them, against a recount.
async fn assert_counts(
    store: &Store,
    agent: &madoguchi_core::model::User,
    admin: &madoguchi_core::model::User,
) {
    let queues = store.queues(agent).await.unwrap();
    assert_eq!(queues.len(), 2);
    for q in queues {
        let (expected, _) = store
            .recount_queue_for_test(q.desk, &agent.id)
            .await
            .unwrap();
        assert_eq!(q.counts, expected, "{:?} as the agent sees it", q.desk);
        // The page of the queue answers the same counts, and its total is the open tickets.
        let page = store
            .queue(
                agent,
                q.desk,
                &QueueFilter::default(),
                QueueSort::Oldest,
                &PageRequest::default(),
            )
            .await
            .unwrap();
        assert_eq!(page.counts, expected);
        assert_eq!(page.total, Some(expected.open()));
    }
    for q in store.queues(admin).await.unwrap() {
        let (expected, _) = store
            .recount_queue_for_test(q.desk, &admin.id)
            .await
            .unwrap();
        assert_eq!(q.counts, expected, "{:?} as an admin sees it", q.desk);
    }
}

store_test!(
    an_agent_sees_no_queue_of_a_desk_they_do_not_work,
    |store: Store| async move {
        let agent = staff(&store, "agent@support.example", Role::Agent).await;
        store
            .add_desk_member(None, Desk::General, &agent.id)
            .await
            .unwrap();
        let queues = store.queues(&agent).await.unwrap();
        assert_eq!(
            queues.iter().map(|q| q.desk).collect::<Vec<_>>(),
            [Desk::General]
        );
        let other = store
            .queue(
                &agent,
                Desk::Premium,
                &QueueFilter::default(),
                QueueSort::Oldest,
                &PageRequest::default(),
            )
            .await;
        assert!(matches!(other, Err(StoreError::NotFound)), "{other:?}");
        let org = organization(&store, "Acme").await;
        let filer = customer(&store, &org.id, "filer@acme.example").await;
        assert!(store.queues(&filer).await.unwrap().is_empty());
    }
);

store_test!(
    sla_counts_hold_as_the_job_marks_and_the_clock_passes,
    |store: Store| async move {
        let org = organization(&store, "Acme").await;
        tenant(&store, &org.id, "tenant-q1").await;
        let contract = store
            .create_contract(
                None,
                &direct_contract(&org.id, "ECL-Q1", SupportPlan::Premium),
            )
            .await
            .unwrap();
        let filer = customer(&store, &org.id, "filer@acme.example").await;
        let agent = staff(&store, "agent@support.example", Role::Agent).await;
        for desk in Desk::ALL {
            store.add_desk_member(None, *desk, &agent.id).await.unwrap();
        }
        let filing = Filing {
            organization_id: &org.id,
            contract_id: &contract.id,
            created_by: &filer.id,
            participant_ids: &[],
            attachment_ids: &[],
            follow_up_of: None,
        };
        let (mut keys, mut ids) = (Vec::new(), Vec::new());
        for i in 0..3 {
            let t = store
                .file_ticket(
                    &filing,
                    &new_ticket(&store, "general_inquiry", &format!("#{i}")).await,
                )
                .await
                .unwrap();
            keys.push(t.key);
            ids.push(t.id);
        }
        let counts = |store: Store, agent: madoguchi_core::model::User| async move {
            let q = store.queues(&agent).await.unwrap();
            let c = q
                .into_iter()
                .find(|q| q.desk == Desk::General)
                .unwrap()
                .counts;
            (c.due_soon, c.breached)
        };
        let now = jiff::Timestamp::now().as_microsecond();
        let hour = 3_600_000_000;
        // One breached an hour ago, one due soon (due in 2 s), one on track.
        store
            .set_ticket_sla_for_test(keys[0], Some(now - hour), Some(now - 2 * hour), None)
            .await
            .unwrap();
        store
            .set_ticket_sla_for_test(keys[1], Some(now + 2_000_000), Some(now - hour), None)
            .await
            .unwrap();
        store
            .set_ticket_sla_for_test(keys[2], Some(now + 9 * hour), Some(now + 7 * hour), None)
            .await
            .unwrap();
        assert_eq!(
            counts(store.clone(), agent.clone()).await,
            (1, 1),
            "before the job"
        );
        let at = jiff::Timestamp::now();
        assert_eq!(store.record_sla_breaches(at).await.unwrap(), 1);
        assert_eq!(
            store.mark_sla_due_soon(at).await.unwrap(),
            2,
            "both passed due soon"
        );
        assert_eq!(store.mark_sla_due_soon(at).await.unwrap(), 0, "marked once");
        assert_eq!(
            counts(store.clone(), agent.clone()).await,
            (1, 1),
            "after the job"
        );
        // The marked due-soon ticket's due passes before the job records its breach.
        tokio::time::sleep(std::time::Duration::from_millis(2_300)).await;
        assert_eq!(
            counts(store.clone(), agent.clone()).await,
            (0, 2),
            "due passed"
        );
        store
            .record_sla_breaches(jiff::Timestamp::now())
            .await
            .unwrap();
        assert_eq!(
            counts(store.clone(), agent.clone()).await,
            (0, 2),
            "recorded"
        );
        // A new due unmarks; closing takes a marked ticket out of the counts.
        store
            .set_ticket_sla_for_test(keys[0], Some(now + 9 * hour), Some(now + 7 * hour), None)
            .await
            .unwrap();
        assert_eq!(
            counts(store.clone(), agent.clone()).await,
            (0, 1),
            "new due"
        );
        store
            .change_status(&ids[1], Some(&filer.id), |from| {
                next_status(from, TicketEvent::CustomerClosed)
            })
            .await
            .unwrap();
        assert_eq!(counts(store.clone(), agent.clone()).await, (0, 0), "closed");
        assert_counts(&store, &agent, &admin(&store).await).await;
    }
);
