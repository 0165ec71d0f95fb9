//! Ticket permissions: "view" or "edit" per user and contract (SPEC §1).

use crate::common::*;
use madoguchi_core::PermissionLevel;
use madoguchi_core::event::EventKind;
use madoguchi_core::model::TicketPermission;
use madoguchi_store::{Store, StoreError, store_test};

store_test!(
    granting_a_permission_answers_it_with_the_contract_number,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let c = contract(&store, &org.id, "ECL-0001").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let granted = store
            .grant_permission(None, &user.id, &c.id, PermissionLevel::View)
            .await
            .unwrap();
        let expected = TicketPermission {
            user_id: user.id.clone(),
            contract_id: c.id.clone(),
            contract_number: "ECL-0001".into(),
            level: PermissionLevel::View,
        };
        assert_eq!(granted, expected);
        assert_eq!(
            store.permissions_of(&user.id).await.unwrap(),
            vec![expected]
        );
    }
);

store_test!(
    granting_view_then_edit_leaves_one_edit_permission,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let c = contract(&store, &org.id, "ECL-0001").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        store
            .grant_permission(None, &user.id, &c.id, PermissionLevel::View)
            .await
            .unwrap();
        let upgraded = store
            .grant_permission(None, &user.id, &c.id, PermissionLevel::Edit)
            .await
            .unwrap();
        assert_eq!(upgraded.level, PermissionLevel::Edit);

        let held = store.permissions_of(&user.id).await.unwrap();
        assert_eq!(held.len(), 1, "got {held:?}");
        assert_eq!(held[0].level, PermissionLevel::Edit);
        assert_eq!(store.permissions_in(Some(&org.id)).await.unwrap(), held);

        // And back down again.
        store
            .grant_permission(None, &user.id, &c.id, PermissionLevel::View)
            .await
            .unwrap();
        let held = store.permissions_of(&user.id).await.unwrap();
        assert_eq!(held.len(), 1, "got {held:?}");
        assert_eq!(held[0].level, PermissionLevel::View);
    }
);

store_test!(revoking_removes_the_permission, |store: Store| async move {
    let org = organization(&store, "Org").await;
    let kept = contract(&store, &org.id, "ECL-0001").await;
    let revoked = contract(&store, &org.id, "ECL-0002").await;
    let user = customer(&store, &org.id, "taro@sample.example").await;
    for c in [&kept, &revoked] {
        store
            .grant_permission(None, &user.id, &c.id, PermissionLevel::Edit)
            .await
            .unwrap();
    }
    store
        .revoke_permission(None, &user.id, &revoked.id)
        .await
        .unwrap();
    let held = store.permissions_of(&user.id).await.unwrap();
    assert_eq!(held.len(), 1, "got {held:?}");
    assert_eq!(held[0].contract_id, kept.id);

    // Revoking twice: the second time there is nothing to revoke.
    assert!(matches!(
        store.revoke_permission(None, &user.id, &revoked.id).await,
        Err(StoreError::NotFound)
    ));
});

store_test!(
    revoking_a_permission_never_granted_is_not_found,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let c = contract(&store, &org.id, "ECL-0001").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let before = last_event_id(&store).await;
        for (user_id, contract_id) in [
            (user.id.as_str(), c.id.as_str()),
            (user.id.as_str(), "no-such-contract"),
            ("no-such-user", c.id.as_str()),
        ] {
            let err = store
                .revoke_permission(None, user_id, contract_id)
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::NotFound), "got {err:?}");
        }
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    granting_on_a_missing_contract_or_to_a_missing_user_fails_and_writes_nothing,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let c = contract(&store, &org.id, "ECL-0001").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let before = last_event_id(&store).await;
        // A reference to nothing, not some other failure (a wrong SQL would fail too).
        let result = store
            .grant_permission(None, &user.id, "no-such-contract", PermissionLevel::Edit)
            .await;
        assert!(
            matches!(result, Err(StoreError::Dangling { .. })),
            "got {result:?}"
        );
        let result = store
            .grant_permission(None, "no-such-user", &c.id, PermissionLevel::Edit)
            .await;
        assert!(
            matches!(result, Err(StoreError::Dangling { .. })),
            "got {result:?}"
        );
        assert_no_event_since(&store, before).await;
        assert!(store.permissions_in(None).await.unwrap().is_empty());
    }
);

store_test!(
    permissions_of_lists_a_users_permissions_by_contract_number,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let c3 = contract(&store, &org.id, "C-3").await;
        let c1 = contract(&store, &org.id, "A-1").await;
        let c2 = contract(&store, &org.id, "B-2").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let other = customer(&store, &org.id, "hanako@sample.example").await;
        for (c, level) in [
            (&c3, PermissionLevel::View),
            (&c1, PermissionLevel::Edit),
            (&c2, PermissionLevel::View),
        ] {
            store
                .grant_permission(None, &user.id, &c.id, level)
                .await
                .unwrap();
        }
        store
            .grant_permission(None, &other.id, &c1.id, PermissionLevel::View)
            .await
            .unwrap();

        let held = store.permissions_of(&user.id).await.unwrap();
        let summary: Vec<(&str, PermissionLevel)> = held
            .iter()
            .map(|p| (p.contract_number.as_str(), p.level))
            .collect();
        assert_eq!(
            summary,
            [
                ("A-1", PermissionLevel::Edit),
                ("B-2", PermissionLevel::View),
                ("C-3", PermissionLevel::View),
            ]
        );
        assert!(held.iter().all(|p| p.user_id == user.id));
        assert!(
            store
                .permissions_of("no-such-user")
                .await
                .unwrap()
                .is_empty()
        );
    }
);

store_test!(
    permissions_in_lists_only_the_permissions_on_that_organizations_contracts,
    |store: Store| async move {
        let mine = organization(&store, "Mine").await;
        let theirs = organization(&store, "Theirs").await;
        let my_b = contract(&store, &mine.id, "B-1").await;
        let my_a = contract(&store, &mine.id, "A-1").await;
        let their_c = contract(&store, &theirs.id, "C-1").await;
        let taro = customer(&store, &mine.id, "taro@mine.example").await;
        let hanako = customer(&store, &mine.id, "hanako@mine.example").await;
        let ito = customer(&store, &theirs.id, "ito@theirs.example").await;
        for (user, c) in [
            (&taro, &my_b),
            (&hanako, &my_a),
            (&taro, &my_a),
            (&ito, &their_c),
        ] {
            store
                .grant_permission(None, &user.id, &c.id, PermissionLevel::Edit)
                .await
                .unwrap();
        }

        let in_mine = store.permissions_in(Some(&mine.id)).await.unwrap();
        // By contract number, then by user id.
        let a_holders = sorted([taro.id.clone(), hanako.id.clone()]);
        let listed: Vec<(&str, &str)> = in_mine
            .iter()
            .map(|p| (p.contract_number.as_str(), p.user_id.as_str()))
            .collect();
        assert_eq!(
            listed,
            [
                ("A-1", a_holders[0].as_str()),
                ("A-1", a_holders[1].as_str()),
                ("B-1", taro.id.as_str()),
            ]
        );

        let in_theirs = store.permissions_in(Some(&theirs.id)).await.unwrap();
        assert_eq!(in_theirs.len(), 1);
        assert_eq!(in_theirs[0].user_id, ito.id);

        assert_eq!(store.permissions_in(None).await.unwrap().len(), 4);
    }
);

store_test!(
    grants_and_revocations_are_logged_for_the_contracts_organization,
    |store: Store| async move {
        let admin = admin(&store).await;
        let org = organization(&store, "Org").await;
        let c = contract(&store, &org.id, "ECL-0001").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let boss = store
            .create_user(
                None,
                &new_user(
                    "boss@sample.example",
                    madoguchi_core::Role::CustomerAdmin,
                    Some(&org.id),
                ),
            )
            .await
            .unwrap();

        for (actor, level) in [
            (admin.id.as_str(), PermissionLevel::View),
            (boss.id.as_str(), PermissionLevel::Edit),
        ] {
            let before = last_event_id(&store).await;
            store
                .grant_permission(Some(actor), &user.id, &c.id, level)
                .await
                .unwrap();
            let granted = assert_one_event(
                &store,
                before,
                Expected {
                    kind: EventKind::PermissionGranted,
                    actor: Some(actor),
                    subject: &user.id,
                    organization: Some(&org.id),
                },
            )
            .await;
            assert_eq!(granted.data["contract_number"], "ECL-0001");
            assert_eq!(granted.data["level"], level.code());
        }

        let before = last_event_id(&store).await;
        store
            .revoke_permission(Some(&boss.id), &user.id, &c.id)
            .await
            .unwrap();
        let revoked = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::PermissionRevoked,
                actor: Some(&boss.id),
                subject: &user.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(revoked.data["contract_number"], "ECL-0001");
    }
);
