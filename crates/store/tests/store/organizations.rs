//! Organizations: the customer companies (SPEC §2).

use crate::common::*;
use madoguchi_core::event::EventKind;
use madoguchi_store::{PageRequest, Store, StoreError, store_test};

store_test!(
    an_organization_is_created_read_renamed_and_deleted,
    |store: Store| async move {
        let org = store
            .create_organization(None, &name("株式会社サンプル"))
            .await
            .unwrap();
        assert_eq!(org.name, "株式会社サンプル");
        let age = jiff::Timestamp::now().duration_since(org.created_at);
        assert!(
            age >= jiff::SignedDuration::ZERO && age < jiff::SignedDuration::from_secs(60),
            "created {age} ago"
        );
        assert_eq!(store.organization(&org.id).await.unwrap(), org);

        let renamed = store
            .rename_organization(None, &org.id, &name("Sample K.K."))
            .await
            .unwrap();
        assert_eq!(renamed.id, org.id);
        assert_eq!(renamed.name, "Sample K.K.");
        assert_eq!(renamed.created_at, org.created_at);
        assert_eq!(store.organization(&org.id).await.unwrap(), renamed);

        store.delete_organization(None, &org.id).await.unwrap();
        assert!(matches!(
            store.organization(&org.id).await,
            Err(StoreError::NotFound)
        ));
        let page = store.organizations(&PageRequest::default()).await.unwrap();
        assert!(page.items.is_empty());
        assert_eq!(page.next_cursor, None);
    }
);

store_test!(
    a_missing_organization_is_not_found,
    |store: Store| async move {
        let before = last_event_id(&store).await;
        assert!(matches!(
            store.organization("no-such-org").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .rename_organization(None, "no-such-org", &name("X"))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.delete_organization(None, "no-such-org").await,
            Err(StoreError::NotFound)
        ));
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    organizations_are_paged_two_at_a_time_to_the_last_page,
    |store: Store| async move {
        let mut created = Vec::new();
        for i in 1..=5 {
            created.push(organization(&store, &format!("Org {i}")).await.id);
        }
        let pages = all_pages(2, async |page| store.organizations(&page).await.unwrap()).await;
        assert_eq!(sizes(&pages), [2, 2, 1]);
        let listed: Vec<String> = pages.into_iter().flatten().map(|o| o.id).collect();
        // In id order, each exactly once.
        assert_eq!(listed, sorted(created.clone()));
        assert_eq!(listed, created, "UUIDv7 ids list in creation order");
    }
);

store_test!(
    a_list_that_fills_its_last_page_exactly_has_no_empty_page_after_it,
    |store: Store| async move {
        for i in 1..=4 {
            organization(&store, &format!("Org {i}")).await;
        }
        let pages = all_pages(2, async |page| store.organizations(&page).await.unwrap()).await;
        assert_eq!(sizes(&pages), [2, 2]);
    }
);

store_test!(
    the_next_cursor_as_handed_out_reads_the_next_page,
    |store: Store| async move {
        let mut created = Vec::new();
        for i in 1..=3 {
            created.push(organization(&store, &format!("Org {i}")).await.id);
        }
        // A caller that keeps the cursor object instead of its text form.
        let first = store
            .organizations(&PageRequest::new(Some(2), None).unwrap())
            .await
            .unwrap();
        let cursor = first.next_cursor.expect("a second page");
        let second = store
            .organizations(&PageRequest::new(Some(2), Some(cursor)).unwrap())
            .await
            .unwrap();
        let ids: Vec<String> = first
            .items
            .into_iter()
            .chain(second.items)
            .map(|o| o.id)
            .collect();
        assert_eq!(ids, created);
        assert_eq!(second.next_cursor, None);
    }
);

store_test!(
    duplicate_organization_name_is_taken,
    |store: Store| async move {
        let first = organization(&store, "株式会社サンプル").await;
        let before = last_event_id(&store).await;
        let err = store
            .create_organization(None, &name("株式会社サンプル"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Taken { field: "name" }),
            "got {err:?}"
        );
        assert_no_event_since(&store, before).await;
        let page = store.organizations(&PageRequest::default()).await.unwrap();
        assert_eq!(page.items, vec![first]);
    }
);

store_test!(
    racing_creates_of_one_name_leave_one_organization,
    |store: Store| async move {
        let racers: Vec<_> = (0..6)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .create_organization(None, &name("株式会社サンプル"))
                        .await
                })
            })
            .collect();
        let mut won = 0;
        for racer in racers {
            match racer.await.unwrap() {
                Ok(_) => won += 1,
                Err(StoreError::Taken { field: "name" }) => {}
                Err(other) => panic!("a losing racer got {other:?}"),
            }
        }
        assert_eq!(won, 1);
        let page = store.organizations(&PageRequest::default()).await.unwrap();
        assert_eq!(page.items.len(), 1);
        let created = all_events(&store)
            .await
            .into_iter()
            .filter(|e| e.kind == EventKind::OrganizationCreated.code())
            .count();
        assert_eq!(created, 1);
    }
);

store_test!(
    renaming_to_a_taken_name_is_taken_and_changes_nothing,
    |store: Store| async move {
        organization(&store, "Alpha").await;
        let beta = organization(&store, "Beta").await;
        let before = last_event_id(&store).await;
        let err = store
            .rename_organization(None, &beta.id, &name("Alpha"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Taken { field: "name" }),
            "got {err:?}"
        );
        assert_eq!(store.organization(&beta.id).await.unwrap(), beta);
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    deleting_an_organization_with_contracts_is_in_use_and_deletes_nothing,
    |store: Store| async move {
        let org = organization(&store, "Contracted").await;
        let c = contract(&store, &org.id, "ECL-0001").await;
        let before = last_event_id(&store).await;
        let err = store.delete_organization(None, &org.id).await.unwrap_err();
        assert!(matches!(err, StoreError::InUse { .. }), "got {err:?}");
        assert_eq!(store.organization(&org.id).await.unwrap(), org);
        assert_eq!(store.contract(&c.id).await.unwrap(), c);
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    deleting_an_organization_with_tenants_is_in_use,
    |store: Store| async move {
        let org = organization(&store, "Tenanted").await;
        let t = tenant(&store, &org.id, "tenant-1a2b").await;
        let before = last_event_id(&store).await;
        let err = store.delete_organization(None, &org.id).await.unwrap_err();
        assert!(matches!(err, StoreError::InUse { .. }), "got {err:?}");
        assert_eq!(store.tenant(&t.id).await.unwrap(), t);
        assert_eq!(store.organization(&org.id).await.unwrap(), org);
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    deleting_an_organization_with_users_is_in_use,
    |store: Store| async move {
        let org = organization(&store, "Staffed").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let before = last_event_id(&store).await;
        let err = store.delete_organization(None, &org.id).await.unwrap_err();
        assert!(matches!(err, StoreError::InUse { .. }), "got {err:?}");
        assert_eq!(store.user(&user.id).await.unwrap(), user);
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    an_organization_can_be_deleted_once_it_is_emptied,
    |store: Store| async move {
        let org = organization(&store, "Leaving").await;
        let c = contract(&store, &org.id, "ECL-0001").await;
        let t = tenant(&store, &org.id, "tenant-leaving").await;
        let u = customer(&store, &org.id, "bye@leaving.example").await;
        store.delete_contract(None, &c.id).await.unwrap();
        store.delete_tenant(None, &t.id).await.unwrap();
        store.delete_user(None, &u.id).await.unwrap();
        store.delete_organization(None, &org.id).await.unwrap();
        assert!(matches!(
            store.organization(&org.id).await,
            Err(StoreError::NotFound)
        ));
    }
);

store_test!(
    each_organization_write_logs_one_event_with_its_actor,
    |store: Store| async move {
        let admin = admin(&store).await;
        let actor = Some(admin.id.as_str());

        let before = last_event_id(&store).await;
        let org = store
            .create_organization(actor, &name("株式会社サンプル"))
            .await
            .unwrap();
        let created = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::OrganizationCreated,
                actor,
                subject: &org.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(created.data["name"], "株式会社サンプル");

        let before = last_event_id(&store).await;
        store
            .rename_organization(actor, &org.id, &name("Sample K.K."))
            .await
            .unwrap();
        let renamed = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::OrganizationUpdated,
                actor,
                subject: &org.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(renamed.data["name"], "Sample K.K.");

        let before = last_event_id(&store).await;
        store.delete_organization(actor, &org.id).await.unwrap();
        assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::OrganizationDeleted,
                actor,
                subject: &org.id,
                organization: Some(&org.id),
            },
        )
        .await;
    }
);
