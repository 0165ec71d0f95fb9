//! The audit log's reads: filters, newest first, keyset pages, and a customer admin's part
//! (their organization, its account events and the public ticket events only).

use crate::common::*;
use madoguchi_core::audit::AuditScope;
use madoguchi_core::event::EventKind;
use madoguchi_core::model::User;
use madoguchi_core::status::{TicketEvent, next_status};
use madoguchi_core::ticket::NewTicket;
use madoguchi_core::{Desk, PermissionLevel, Priority, Role, SupportPlan, Via};
use madoguchi_store::{
    AuditEvent, AuditFilter, Cursor, Filing, NewMessage, PageRequest, Store, StoreError,
    TicketChanges, store_test,
};

struct World {
    org: String,
    other_org: String,
    customer: User,
    agent: User,
    admin: User,
}

/// Two organizations; in the first a customer granted a permission, a ticket filed, a public
/// reply, an internal note and an assignment and priority change by the agent.
async fn world(store: &Store) -> World {
    let admin = admin(store).await;
    let actor = Some(admin.id.as_str());
    let org = organization(store, "株式会社監査").await;
    let other = organization(store, "Other K.K.").await;
    let contract = store
        .create_contract(
            actor,
            &direct_contract(&org.id, "ECL-0001", SupportPlan::Basic),
        )
        .await
        .unwrap();
    tenant(store, &org.id, "tenant-0001").await;
    let customer = customer(store, &org.id, "taro@audit.example").await;
    customer_of_other(store, &other.id).await;
    store
        .grant_permission(actor, &customer.id, &contract.id, PermissionLevel::Edit)
        .await
        .unwrap();
    let agent = staff(store, "agent@support.example", Role::Agent).await;
    store
        .add_desk_member(actor, Desk::General, &agent.id)
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
    let ticket = store.file_ticket(&filing, &new).await.unwrap();
    for (body, internal) in [
        ("社内メモ: 顧客は重要", true),
        ("手順はこちらです。", false),
    ] {
        let message = NewMessage {
            author_id: &agent.id,
            author_role: Role::Agent,
            body,
            internal,
            attachment_ids: &[],
            via: Via::Api,
        };
        store
            .add_message(&ticket.id, &message, |s| {
                // A note leaves the status; the first public reply puts the ticket in progress.
                if internal {
                    Ok(s)
                } else {
                    next_status(s, TicketEvent::AgentReplied { set: None })
                }
            })
            .await
            .unwrap();
    }
    let changes = TicketChanges {
        assignee_id: Some(Some(agent.id.clone())),
        priority: Some(Priority::P1),
        ..TicketChanges::default()
    };
    store
        .update_ticket(&ticket.id, Some(&agent.id), move |_| Ok(changes))
        .await
        .unwrap();
    store
        .record_sign_in_failure(&customer, "password")
        .await
        .unwrap();
    World {
        org: org.id,
        other_org: other.id,
        customer,
        agent,
        admin,
    }
}

async fn customer_of_other(store: &Store, org: &str) -> User {
    customer(store, org, "hanako@other.example").await
}

fn everything() -> AuditFilter {
    AuditFilter {
        scope: AuditScope::Everything,
        actor_id: None,
        organization_id: None,
        kinds: Vec::new(),
        from: None,
        to: None,
    }
}

async fn read(store: &Store, filter: &AuditFilter) -> Vec<AuditEvent> {
    let page = PageRequest::new(Some(200), None).unwrap();
    store.audit_events(filter, &page).await.unwrap().items
}

fn kinds(events: &[AuditEvent]) -> Vec<&str> {
    events.iter().map(|e| e.event.kind.as_str()).collect()
}

store_test!(
    admins_read_every_event_newest_first_with_the_actor_named,
    |store: Store| async move {
        let w = world(&store).await;
        let events = read(&store, &everything()).await;
        let all = all_events(&store).await;
        assert_eq!(events.len(), all.len());
        assert!(events.windows(2).all(|p| p[0].event.id > p[1].event.id));
        assert_eq!(events[0].event.kind, "user.sign_in_failed");
        assert_eq!(events[0].event.subject_id, w.customer.id);
        assert_eq!(
            events[0].event.organization_id.as_deref(),
            Some(w.org.as_str())
        );
        assert_eq!(events[0].event.data["via"], "password");
        assert_eq!(
            events[0].actor, None,
            "nobody signed in: the system records it"
        );
        let grant = events
            .iter()
            .find(|e| e.event.kind == "permission.granted")
            .unwrap();
        let actor = grant.actor.as_ref().unwrap();
        assert_eq!(actor.id, w.admin.id);
        assert_eq!(actor.email.as_deref(), Some("admin@madoguchi.example"));
        assert_eq!(actor.role, Some(Role::Admin));
        assert_eq!(grant.organization_name.as_deref(), Some("株式会社監査"));
    }
);

store_test!(
    filters_narrow_by_organization_actor_kinds_and_time,
    |store: Store| async move {
        let w = world(&store).await;
        let of_other = read(
            &store,
            &AuditFilter {
                organization_id: Some(w.other_org.clone()),
                ..everything()
            },
        )
        .await;
        assert!(!of_other.is_empty());
        assert!(
            of_other
                .iter()
                .all(|e| e.event.organization_id.as_deref() == Some(w.other_org.as_str()))
        );

        let by_agent = read(
            &store,
            &AuditFilter {
                actor_id: Some(w.agent.id.clone()),
                ..everything()
            },
        )
        .await;
        assert_eq!(
            kinds(&by_agent),
            [
                "ticket.priority_changed",
                "ticket.assigned",
                "ticket.status_changed",
                "message.added",
                "message.added"
            ]
        );

        let messages_and_grants = read(
            &store,
            &AuditFilter {
                kinds: vec![EventKind::MessageAdded, EventKind::PermissionGranted],
                ..everything()
            },
        )
        .await;
        assert_eq!(
            kinds(&messages_and_grants),
            ["message.added", "message.added", "permission.granted"]
        );

        let all = read(&store, &everything()).await;
        let middle = &all[all.len() / 2];
        let since = read(
            &store,
            &AuditFilter {
                from: Some(middle.event.occurred_at),
                ..everything()
            },
        )
        .await;
        assert!(
            since
                .iter()
                .all(|e| e.event.occurred_at >= middle.event.occurred_at)
        );
        assert!(since.iter().any(|e| e.event.id == middle.event.id));
        let before = read(
            &store,
            &AuditFilter {
                to: Some(middle.event.occurred_at),
                ..everything()
            },
        )
        .await;
        assert!(
            before
                .iter()
                .all(|e| e.event.occurred_at < middle.event.occurred_at)
        );
        assert_eq!(since.len() + before.len(), all.len());
    }
);

store_test!(
    pages_follow_one_another_without_gaps_or_repeats,
    |store: Store| async move {
        world(&store).await;
        let all: Vec<i64> = read(&store, &everything())
            .await
            .iter()
            .map(|e| e.event.id)
            .collect();
        let filter = everything();
        let pages = all_pages(3, async |page| {
            store.audit_events(&filter, &page).await.unwrap()
        })
        .await;
        let paged: Vec<i64> = pages.iter().flatten().map(|e| e.event.id).collect();
        assert_eq!(paged, all);
        assert!(pages.len() > 2);
        let bad = PageRequest::new(Some(3), Cursor::parse("bm90LWFuLWlk")).unwrap();
        assert!(matches!(
            store.audit_events(&filter, &bad).await,
            Err(StoreError::BadCursor)
        ));
    }
);

store_test!(
    a_customer_admin_reads_their_organizations_customer_side_only,
    |store: Store| async move {
        let w = world(&store).await;
        let theirs = AuditFilter {
            scope: AuditScope::Organization(w.org.clone()),
            ..everything()
        };
        let events = read(&store, &theirs).await;
        assert!(
            events
                .iter()
                .all(|e| e.event.organization_id.as_deref() == Some(w.org.as_str()))
        );
        let seen = kinds(&events);
        assert_eq!(
            seen,
            [
                "user.sign_in_failed",
                "ticket.status_changed",
                "message.added",
                "ticket.created",
                "permission.granted",
                "user.created",
                "tenant.created",
                "contract.created",
                "organization.created",
            ]
        );
        // The one message they see is the public reply, not the internal note.
        let message = events
            .iter()
            .find(|e| e.event.kind == "message.added")
            .unwrap();
        assert_eq!(message.event.data["internal"], false);

        // Naming another organization inside their scope finds nothing.
        let elsewhere = read(
            &store,
            &AuditFilter {
                organization_id: Some(w.other_org.clone()),
                ..theirs.clone()
            },
        )
        .await;
        assert!(elsewhere.is_empty());
        // The staff's own kinds, asked for by name, stay hidden.
        let staff = read(
            &store,
            &AuditFilter {
                kinds: vec![
                    EventKind::TicketAssigned,
                    EventKind::TicketPriorityChanged,
                    EventKind::DeskMemberAdded,
                ],
                ..theirs
            },
        )
        .await;
        assert!(staff.is_empty());
    }
);
