//! The agent's changes to a ticket: one event per kind of change, none for a change that
//! changes nothing, and the history that reads them back (customers get the public part).

use crate::common::*;
use madoguchi_core::event::EventKind;
use madoguchi_core::status::{TicketEvent, next_status};
use madoguchi_core::ticket::{NewTicket, Ticket};
use madoguchi_core::{Desk, Priority, Role, Status, SupportPlan, Via};
use madoguchi_store::{Filing, NewMessage, Store, TicketChanges, store_test};
use serde_json::json;

struct Desk1 {
    ticket: Ticket,
    customer: String,
    agent: String,
}

async fn filed(store: &Store) -> Desk1 {
    let org = organization(store, "株式会社チケット").await;
    let contract = store
        .create_contract(
            None,
            &direct_contract(&org.id, "ECL-0001", SupportPlan::Basic),
        )
        .await
        .unwrap();
    tenant(store, &org.id, "tenant-0001").await;
    let customer = customer(store, &org.id, "taro@ticket.example").await;
    let agent = staff(store, "agent@support.example", Role::Agent).await;
    store
        .add_desk_member(None, Desk::General, &agent.id)
        .await
        .unwrap();
    let ticket_type = store
        .ticket_types()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.code == "general_inquiry")
        .unwrap();
    let new = NewTicket {
        ticket_type,
        summary: "スナップショットの取り方".into(),
        service_menu: "other".into(),
        tenant_id: "tenant-0001".into(),
        details: "手順を教えてください。".into(),
        menu_fields: Default::default(),
        incident: None,
        callback: None,
    };
    let filing = Filing {
        organization_id: &org.id,
        contract_id: &contract.id,
        created_by: &customer.id,
        participant_ids: &[],
        attachment_ids: &[],
        follow_up_of: None,
    };
    Desk1 {
        ticket: store.file_ticket(&filing, &new).await.unwrap(),
        customer: customer.id,
        agent: agent.id,
    }
}

fn message<'a>(author: &'a str, role: Role, body: &'a str, internal: bool) -> NewMessage<'a> {
    NewMessage {
        author_id: author,
        author_role: role,
        body,
        internal,
        attachment_ids: &[],
        via: Via::Api,
    }
}

store_test!(
    each_kind_of_change_is_its_own_event_and_no_change_writes_nothing,
    |store: Store| async move {
        let d = filed(&store).await;
        let start = last_event_id(&store).await;
        let changes = TicketChanges {
            status: Some(Status::InProgress),
            assignee_id: Some(Some(d.agent.clone())),
            priority: Some(Priority::P1),
            desk: Some(Desk::Premium),
            reason: None,
        };
        let decide = |c: TicketChanges| move |_| Ok(c);
        let after = store
            .update_ticket(&d.ticket.id, Some(&d.agent), decide(changes.clone()))
            .await
            .unwrap();
        assert_eq!(after.status, Status::InProgress);
        assert_eq!(after.priority, Priority::P1);
        assert_eq!(after.desk, Desk::Premium);
        assert_eq!(after.assignee_id.as_deref(), Some(d.agent.as_str()));

        let events = events_since(&store, start).await;
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "ticket.status_changed",
                "ticket.assigned",
                "ticket.priority_changed",
                "ticket.desk_changed"
            ]
        );
        let key = d.ticket.key.to_string();
        assert_eq!(
            events[0].data,
            json!({ "key": key, "public": true,
                    "changes": { "status": { "from": "new", "to": "in_progress" } } })
        );
        assert_eq!(
            events[1].data["changes"],
            json!({ "assignee": { "from": null, "to": d.agent } })
        );
        assert_eq!(
            events[2].data["changes"],
            json!({ "priority": { "from": "p3", "to": "p1" } })
        );
        assert_eq!(
            events[3].data["changes"],
            json!({ "desk": { "from": "general", "to": "premium" } })
        );
        for e in &events[1..] {
            assert_eq!(
                e.data["public"], false,
                "{} is support's own business",
                e.kind
            );
            assert_eq!(e.actor_id.as_deref(), Some(d.agent.as_str()));
        }

        // The same values again change nothing and write nothing.
        let start = last_event_id(&store).await;
        let again = store
            .update_ticket(&d.ticket.id, Some(&d.agent), decide(changes))
            .await
            .unwrap();
        assert_eq!(again.updated_at, after.updated_at);
        assert_no_event_since(&store, start).await;

        // Unassigning is a change of its own.
        let unassign = TicketChanges {
            assignee_id: Some(None),
            ..Default::default()
        };
        store
            .update_ticket(&d.ticket.id, Some(&d.agent), decide(unassign))
            .await
            .unwrap();
        let e = assert_one_event(
            &store,
            start,
            Expected {
                kind: EventKind::TicketAssigned,
                actor: Some(&d.agent),
                subject: &d.ticket.id,
                organization: Some(&d.ticket.organization_id),
            },
        )
        .await;
        assert_eq!(
            e.data["changes"]["assignee"],
            json!({ "from": d.agent, "to": null })
        );
    }
);

store_test!(
    a_reply_that_sets_a_status_logs_the_message_and_the_status_change,
    |store: Store| async move {
        let d = filed(&store).await;
        let start = last_event_id(&store).await;
        let (m, t) = store
            .add_message(
                &d.ticket.id,
                &message(&d.agent, Role::Agent, "解決しましたか?", false),
                |from| {
                    next_status(
                        from,
                        TicketEvent::AgentReplied {
                            set: Some(Status::PendingClosure),
                        },
                    )
                },
            )
            .await
            .unwrap();
        assert_eq!(m.via, Via::Api);
        assert_eq!(t.status, Status::PendingClosure);
        let kinds: Vec<String> = events_since(&store, start)
            .await
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, ["message.added", "ticket.status_changed"]);
        let log = store.messages(&d.ticket.id, false).await.unwrap();
        assert_eq!(log[0].via, Via::Api, "the surface is kept");

        // A reply that leaves the status as it is logs only the message.
        let start = last_event_id(&store).await;
        store
            .add_message(
                &d.ticket.id,
                &message(&d.agent, Role::Agent, "補足です。", false),
                |from| next_status(from, TicketEvent::AgentReplied { set: None }),
            )
            .await
            .unwrap();
        let kinds: Vec<String> = events_since(&store, start)
            .await
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, ["message.added"]);
    }
);

store_test!(
    customers_read_only_the_public_part_of_the_history,
    |store: Store| async move {
        let d = filed(&store).await;
        store
            .add_message(
                &d.ticket.id,
                &message(&d.agent, Role::Agent, "社内: 既知の事象", true),
                Ok,
            )
            .await
            .unwrap();
        let assign = TicketChanges {
            assignee_id: Some(Some(d.agent.clone())),
            priority: Some(Priority::P2),
            status: Some(Status::WaitingForCustomer),
            ..Default::default()
        };
        store
            .update_ticket(&d.ticket.id, Some(&d.agent), move |_| Ok(assign))
            .await
            .unwrap();
        store
            .add_message(
                &d.ticket.id,
                &message(&d.customer, Role::Customer, "ログです", false),
                |from| next_status(from, TicketEvent::CustomerReplied),
            )
            .await
            .unwrap();

        let all = store.ticket_history(&d.ticket.id, false).await.unwrap();
        let kinds: Vec<&str> = all.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "ticket.created",
                "message.added",
                "ticket.status_changed",
                "ticket.assigned",
                "ticket.priority_changed",
                "message.added",
                "ticket.status_changed"
            ]
        );
        assert!(!all[1].public, "the note");

        let public = store.ticket_history(&d.ticket.id, true).await.unwrap();
        let kinds: Vec<&str> = public.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "ticket.created",
                "ticket.status_changed",
                "message.added",
                "ticket.status_changed"
            ]
        );
        assert!(public.iter().all(|e| e.public));
        assert_eq!(
            public[3].changes["status"],
            json!({ "from": "waiting_for_customer", "to": "in_progress" }),
            "the customer's answer hands the ticket back"
        );
        assert_eq!(public[3].actor_id.as_deref(), Some(d.customer.as_str()));
    }
);

store_test!(
    a_participant_sees_the_ticket_only_while_their_permission_lasts,
    |store: Store| async move {
        let d = filed(&store).await;
        let colleague = customer(&store, &d.ticket.organization_id, "hanako@ticket.example").await;
        store
            .grant_permission(
                None,
                &colleague.id,
                &d.ticket.contract_id,
                madoguchi_core::PermissionLevel::View,
            )
            .await
            .unwrap();
        // Named on a second ticket of the same contract.
        let ticket_type = store
            .ticket_types()
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.code == "general_inquiry")
            .unwrap();
        let new = NewTicket {
            ticket_type,
            summary: "参加者のいる問い合わせ".into(),
            service_menu: "other".into(),
            tenant_id: "tenant-0001".into(),
            details: "詳細".into(),
            menu_fields: Default::default(),
            incident: None,
            callback: None,
        };
        let participants = [colleague.id.clone()];
        let filing = Filing {
            organization_id: &d.ticket.organization_id,
            contract_id: &d.ticket.contract_id,
            created_by: &d.customer,
            participant_ids: &participants,
            attachment_ids: &[],
            follow_up_of: None,
        };
        let named = store.file_ticket(&filing, &new).await.unwrap();
        assert_eq!(named.participant_ids, participants);
        let viewer = madoguchi_store::Viewer::of(&colleague);
        let keys = |list: &madoguchi_store::TicketList| {
            list.page.items.iter().map(|t| t.key).collect::<Vec<_>>()
        };
        let list = store
            .tickets(viewer, &Default::default(), &Default::default())
            .await
            .unwrap();
        assert_eq!(keys(&list), [named.key, d.ticket.key]);
        assert_eq!(list.total, 2);

        store
            .revoke_permission(None, &colleague.id, &d.ticket.contract_id)
            .await
            .unwrap();
        let list = store
            .tickets(viewer, &Default::default(), &Default::default())
            .await
            .unwrap();
        assert!(keys(&list).is_empty(), "{:?}", keys(&list));
        assert_eq!(list.total, 0);
        assert!(list.by_status.is_empty());
        assert!(matches!(
            store.ticket(viewer, named.key).await,
            Err(madoguchi_store::StoreError::NotFound)
        ));
        let among = store
            .tickets_among(viewer, &[named.id.clone(), d.ticket.id.clone()])
            .await
            .unwrap();
        assert!(among.is_empty());
        // Still named on it.
        let seen = store
            .ticket(madoguchi_store::Viewer::Admin, named.key)
            .await
            .unwrap();
        assert_eq!(seen.participant_ids, participants);
    }
);
