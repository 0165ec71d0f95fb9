//! Tenants: the cloud tenant IDs an organization owns (SPEC §2).

use crate::common::*;
use madoguchi_core::event::EventKind;
use madoguchi_core::model::NewTenant;
use madoguchi_store::{PageRequest, Store, StoreError, store_test};

store_test!(
    a_tenant_is_created_read_renamed_and_deleted,
    |store: Store| async move {
        let org = organization(&store, "株式会社サンプル").await;
        let t = store
            .create_tenant(
                None,
                &NewTenant {
                    name: Some(name("本番環境")),
                    ..new_tenant(&org.id, "tenant-1a2b3c")
                },
            )
            .await
            .unwrap();
        assert_eq!(t.organization_id, org.id);
        assert_eq!(t.tenant_id, "tenant-1a2b3c");
        assert_eq!(t.name.as_deref(), Some("本番環境"));
        assert_eq!(store.tenant(&t.id).await.unwrap(), t);

        let renamed = store
            .rename_tenant(None, &t.id, Some(&name("Production")))
            .await
            .unwrap();
        assert_eq!(renamed.name.as_deref(), Some("Production"));
        assert_eq!(renamed.tenant_id, t.tenant_id);
        assert_eq!(store.tenant(&t.id).await.unwrap(), renamed);

        let unnamed = store.rename_tenant(None, &t.id, None).await.unwrap();
        assert_eq!(unnamed.name, None);
        assert_eq!(store.tenant(&t.id).await.unwrap().name, None);

        store.delete_tenant(None, &t.id).await.unwrap();
        assert!(matches!(
            store.tenant(&t.id).await,
            Err(StoreError::NotFound)
        ));
    }
);

store_test!(a_missing_tenant_is_not_found, |store: Store| async move {
    let before = last_event_id(&store).await;
    assert!(matches!(
        store.tenant("no-such-tenant").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .rename_tenant(None, "no-such-tenant", Some(&name("X")))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_tenant(None, "no-such-tenant").await,
        Err(StoreError::NotFound)
    ));
    assert_no_event_since(&store, before).await;
});

store_test!(
    tenants_are_listed_per_organization_and_paged,
    |store: Store| async move {
        let mine = organization(&store, "Mine").await;
        let theirs = organization(&store, "Theirs").await;
        let mut my_tenants = Vec::new();
        for i in 1..=5 {
            my_tenants.push(
                tenant(&store, &mine.id, &format!("tenant-mine-{i}"))
                    .await
                    .id,
            );
        }
        let their_tenant = tenant(&store, &theirs.id, "tenant-theirs").await;

        let pages = all_pages(2, async |page| {
            store.tenants(Some(&mine.id), &page).await.unwrap()
        })
        .await;
        assert_eq!(sizes(&pages), [2, 2, 1]);
        let listed: Vec<String> = pages.into_iter().flatten().map(|t| t.id).collect();
        assert_eq!(listed, sorted(my_tenants.clone()));

        let theirs_only = store
            .tenants(Some(&theirs.id), &PageRequest::default())
            .await
            .unwrap();
        assert_eq!(theirs_only.items, vec![their_tenant.clone()]);

        let pages = all_pages(2, async |page| store.tenants(None, &page).await.unwrap()).await;
        assert_eq!(sizes(&pages), [2, 2, 2]);
        let everyone: Vec<String> = pages.into_iter().flatten().map(|t| t.id).collect();
        assert_eq!(
            everyone,
            sorted(my_tenants.into_iter().chain([their_tenant.id]))
        );
    }
);

store_test!(
    duplicate_tenant_id_is_taken_even_in_another_organization,
    |store: Store| async move {
        let first = organization(&store, "First").await;
        let second = organization(&store, "Second").await;
        let existing = tenant(&store, &first.id, "tenant-1a2b3c").await;
        let before = last_event_id(&store).await;
        for org in [&first, &second] {
            let err = store
                .create_tenant(None, &new_tenant(&org.id, "tenant-1a2b3c"))
                .await
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Taken { field: "tenant_id" }),
                "got {err:?}"
            );
        }
        assert_no_event_since(&store, before).await;
        let all = store.tenants(None, &PageRequest::default()).await.unwrap();
        assert_eq!(all.items, vec![existing]);
    }
);

store_test!(
    a_tenant_of_a_missing_organization_is_dangling,
    |store: Store| async move {
        let before = last_event_id(&store).await;
        let err = store
            .create_tenant(None, &new_tenant("no-such-org", "tenant-orphan"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Dangling {
                    field: "organization_id"
                }
            ),
            "got {err:?}"
        );
        assert_no_event_since(&store, before).await;
        let all = store.tenants(None, &PageRequest::default()).await.unwrap();
        assert!(all.items.is_empty());
    }
);

store_test!(
    each_tenant_write_logs_one_event_for_its_organization,
    |store: Store| async move {
        let admin = admin(&store).await;
        let actor = Some(admin.id.as_str());
        let org = organization(&store, "株式会社サンプル").await;

        let before = last_event_id(&store).await;
        let t = store
            .create_tenant(actor, &new_tenant(&org.id, "tenant-1a2b3c"))
            .await
            .unwrap();
        let created = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::TenantCreated,
                actor,
                subject: &t.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(created.data["tenant_id"], "tenant-1a2b3c");

        let before = last_event_id(&store).await;
        store
            .rename_tenant(actor, &t.id, Some(&name("Staging")))
            .await
            .unwrap();
        let renamed = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::TenantUpdated,
                actor,
                subject: &t.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(renamed.data["name"], "Staging");

        let before = last_event_id(&store).await;
        store.delete_tenant(actor, &t.id).await.unwrap();
        assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::TenantDeleted,
                actor,
                subject: &t.id,
                organization: Some(&org.id),
            },
        )
        .await;
    }
);
