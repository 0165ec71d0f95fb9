//! Merging and rating decide under the rows' locks (SPEC §5–6): two merges of one duplicate at
//! once, or two ratings of one ticket at once, count once.

use crate::common::*;
use madoguchi_core::catalog::seed_ticket_types;
use madoguchi_core::merge::MergeRefusal;
use madoguchi_core::satisfaction::{NewRating, RatingRefusal};
use madoguchi_core::ticket::{NewTicket, Ticket};
use madoguchi_core::{Role, Status};
use madoguchi_store::{Filing, Store, store_test};

struct Desk {
    organization_id: String,
    contract_id: String,
    filer: String,
    agent: String,
}

async fn desk(store: &Store) -> Desk {
    let org = organization(store, "Org").await;
    let contract = contract(store, &org.id, "ECL-1").await;
    tenant(store, &org.id, "tenant-1").await;
    let filer = customer(store, &org.id, "filer@org.example").await;
    let agent = staff(store, "agent@support.example", Role::Agent).await;
    Desk {
        organization_id: org.id,
        contract_id: contract.id,
        filer: filer.id,
        agent: agent.id,
    }
}

async fn file(store: &Store, d: &Desk, summary: &str) -> Ticket {
    let ticket_type = seed_ticket_types()
        .into_iter()
        .find(|t| t.code == "general_inquiry")
        .unwrap();
    let ticket = NewTicket {
        ticket_type,
        summary: summary.into(),
        service_menu: "other".into(),
        tenant_id: "tenant-1".into(),
        details: "詳細".into(),
        menu_fields: Default::default(),
        incident: None,
        callback: None,
    };
    let filing = Filing {
        organization_id: &d.organization_id,
        contract_id: &d.contract_id,
        created_by: &d.filer,
        participant_ids: &[],
        attachment_ids: &[],
        follow_up_of: None,
    };
    store.file_ticket(&filing, &ticket).await.unwrap()
}

store_test!(
    two_merges_of_one_duplicate_at_once_merge_it_once,
    |store: Store| async move {
        let d = desk(&store).await;
        let dup = file(&store, &d, "重複").await;
        let a = file(&store, &d, "本体A").await;
        let b = file(&store, &d, "本体B").await;
        let (first, second) = tokio::join!(
            store.merge(&dup.id, &a.id, &d.agent),
            store.merge(&dup.id, &b.id, &d.agent)
        );
        let results = [first.unwrap(), second.unwrap()];
        let merged: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(merged.len(), 1, "{results:?}");
        let into = merged[0].merged_into.unwrap();
        assert_eq!(merged[0].status, Status::Closed);
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(*refused, MergeRefusal::AlreadyMerged { into });
        let events = all_events(&store).await;
        let merges = events
            .iter()
            .filter(|e| e.kind == "ticket.merged" && e.subject_id == dup.id)
            .count();
        assert_eq!(merges, 1, "one merge, one event on the duplicate");
    }
);

store_test!(
    two_ratings_at_once_count_once_and_only_on_a_closed_ticket,
    |store: Store| async move {
        let d = desk(&store).await;
        let t = file(&store, &d, "評価").await;
        let five = NewRating {
            rating: 5,
            comment: None,
        };
        let open = store.rate_ticket(&t.id, &d.filer, &five).await.unwrap();
        assert_eq!(open, Err(RatingRefusal::NotClosed));
        store
            .change_status(&t.id, Some(&d.filer), |_| Ok(Status::Closed))
            .await
            .unwrap();
        let one = NewRating {
            rating: 1,
            comment: Some("遅い".into()),
        };
        let (first, second) = tokio::join!(
            store.rate_ticket(&t.id, &d.filer, &five),
            store.rate_ticket(&t.id, &d.filer, &one)
        );
        let results = [first.unwrap(), second.unwrap()];
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(results.contains(&Err(RatingRefusal::AlreadyRated)));
        let rated = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
        assert!(rated.satisfaction.is_some());
        let events = all_events(&store).await;
        assert_eq!(
            events.iter().filter(|e| e.kind == "ticket.rated").count(),
            1
        );
    }
);
