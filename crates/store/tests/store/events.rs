//! The event log: one entry per committed write, none for a failed one.

use crate::common::*;
use jiff::SignedDuration;
use madoguchi_core::event::EventKind;
use madoguchi_core::model::NewContract;
use madoguchi_core::{Desk, PermissionLevel, Role, SupportPlan};
use madoguchi_store::{EventFilter, Store, UserChanges, store_test};

store_test!(
    a_new_database_logs_only_the_catalog_seed,
    |store: Store| async move {
        let events = all_events(&store).await;
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, [EventKind::CatalogSeeded.code()]);
    }
);

store_test!(
    every_write_appends_exactly_one_event_of_its_kind,
    |store: Store| async move {
        let admin = admin(&store).await;
        let actor = Some(admin.id.as_str());
        let start = last_event_id(&store).await;

        let org = store
            .create_organization(actor, &name("株式会社サンプル"))
            .await
            .unwrap();
        store
            .rename_organization(actor, &org.id, &name("Sample K.K."))
            .await
            .unwrap();
        let t = store
            .create_tenant(actor, &new_tenant(&org.id, "tenant-1a2b"))
            .await
            .unwrap();
        store
            .rename_tenant(actor, &t.id, Some(&name("本番")))
            .await
            .unwrap();
        let c = store
            .create_contract(
                actor,
                &direct_contract(&org.id, "ECL-0001", SupportPlan::Basic),
            )
            .await
            .unwrap();
        store
            .update_contract(
                actor,
                &c.id,
                &direct_contract(&org.id, "ECL-0001", SupportPlan::Premium),
            )
            .await
            .unwrap();
        let user = store
            .create_user(
                actor,
                &new_user("taro@sample.example", Role::Customer, Some(&org.id)),
            )
            .await
            .unwrap();
        store
            .update_user(
                actor,
                &user.id,
                &UserChanges {
                    name: Some(name("山田 太郎")),
                    ..UserChanges::default()
                },
            )
            .await
            .unwrap();
        store
            .set_password(actor, &user.id, Some("$argon2id$v=19$x"))
            .await
            .unwrap();
        store
            .grant_permission(actor, &user.id, &c.id, PermissionLevel::Edit)
            .await
            .unwrap();
        store
            .revoke_permission(actor, &user.id, &c.id)
            .await
            .unwrap();
        let token = store.create_token(actor, &user.id).await.unwrap();
        store
            .revoke_token(actor, &user.id, &token.id)
            .await
            .unwrap();
        let session = store
            .create_session(&user, SignedDuration::from_hours(1))
            .await
            .unwrap();
        store.end_session(&session.token).await.unwrap();
        let agent = store
            .create_user(
                actor,
                &new_user("agent@madoguchi.example", Role::Agent, None),
            )
            .await
            .unwrap();
        store
            .add_desk_member(actor, Desk::General, &agent.id)
            .await
            .unwrap();
        store.delete_user(actor, &user.id).await.unwrap();
        store.delete_contract(actor, &c.id).await.unwrap();
        store.delete_tenant(actor, &t.id).await.unwrap();
        store.delete_organization(actor, &org.id).await.unwrap();

        use EventKind::*;
        let expected = [
            (OrganizationCreated, &org.id),
            (OrganizationUpdated, &org.id),
            (TenantCreated, &t.id),
            (TenantUpdated, &t.id),
            (ContractCreated, &c.id),
            (ContractUpdated, &c.id),
            (UserCreated, &user.id),
            (UserUpdated, &user.id),
            (PasswordChanged, &user.id),
            (PermissionGranted, &user.id),
            (PermissionRevoked, &user.id),
            (TokenCreated, &user.id),
            (TokenRevoked, &user.id),
            (UserLoggedIn, &user.id),
            (UserLoggedOut, &user.id),
            (UserCreated, &agent.id),
            (DeskMemberAdded, &agent.id),
            (UserDeleted, &user.id),
            (ContractDeleted, &c.id),
            (TenantDeleted, &t.id),
            (OrganizationDeleted, &org.id),
        ]
        .map(|(kind, subject)| (kind.code(), subject.as_str()));
        let events = events_since(&store, start).await;
        let logged: Vec<(&str, &str)> = events
            .iter()
            .map(|e| (e.kind.as_str(), e.subject_id.as_str()))
            .collect();
        assert_eq!(logged, expected);

        // Sessions are acted on by their user; everything else by the admin who did it.
        for e in &events {
            let by_user = e.kind.starts_with("session.");
            let expected_actor = if by_user {
                user.id.as_str()
            } else {
                admin.id.as_str()
            };
            assert_eq!(e.actor_id.as_deref(), Some(expected_actor), "{}", e.kind);
        }
        // Ids increase and time does not run backwards.
        for pair in events.windows(2) {
            assert!(pair[0].id < pair[1].id);
            assert!(pair[0].occurred_at <= pair[1].occurred_at);
        }
    }
);

store_test!(
    failed_writes_leave_the_log_as_it_was,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let c = contract(&store, &org.id, "ECL-0001").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        tenant(&store, &org.id, "tenant-1a2b").await;
        let before = last_event_id(&store).await;

        assert!(store.create_organization(None, &name("Org")).await.is_err());
        assert!(
            store
                .create_tenant(None, &new_tenant(&org.id, "tenant-1a2b"))
                .await
                .is_err()
        );
        assert!(
            store
                .create_tenant(None, &new_tenant("no-such-org", "tenant-new"))
                .await
                .is_err()
        );
        assert!(
            store
                .create_contract(
                    None,
                    &direct_contract(&org.id, "ECL-0001", SupportPlan::Basic)
                )
                .await
                .is_err()
        );
        assert!(
            store
                .create_contract(
                    None,
                    &NewContract {
                        partner_name: None,
                        ..partner_contract(&org.id, "PTN-0001", "unused")
                    }
                )
                .await
                .is_err()
        );
        assert!(
            store
                .create_user(
                    None,
                    &new_user("taro@sample.example", Role::Customer, Some(&org.id))
                )
                .await
                .is_err()
        );
        assert!(
            store
                .create_user(None, &new_user("new@sample.example", Role::Customer, None))
                .await
                .is_err()
        );
        assert!(store.delete_organization(None, &org.id).await.is_err());
        assert!(
            store
                .revoke_permission(None, &user.id, &c.id)
                .await
                .is_err()
        );
        assert!(
            store
                .grant_permission(None, &user.id, "no-such-contract", PermissionLevel::View)
                .await
                .is_err()
        );
        assert!(store.create_token(None, "no-such-user").await.is_err());
        assert!(
            store
                .revoke_token(None, &user.id, "no-such-token")
                .await
                .is_err()
        );
        assert!(store.delete_user(None, "no-such-user").await.is_err());

        assert_no_event_since(&store, before).await;
    }
);

store_test!(events_are_read_by_subject, |store: Store| async move {
    let org = organization(&store, "Org").await;
    let first = contract(&store, &org.id, "ECL-0001").await;
    let second = contract(&store, &org.id, "ECL-0002").await;
    store
        .update_contract(
            None,
            &first.id,
            &direct_contract(&org.id, "ECL-0001", SupportPlan::Premium),
        )
        .await
        .unwrap();

    let about_first = store
        .events(EventFilter {
            subject_id: Some(&first.id),
            ..EventFilter::default()
        })
        .await
        .unwrap();
    let kinds: Vec<&str> = about_first.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            EventKind::ContractCreated.code(),
            EventKind::ContractUpdated.code()
        ]
    );
    assert!(about_first.iter().all(|e| e.subject_id == first.id));

    let about_second = store
        .events(EventFilter {
            subject_id: Some(&second.id),
            ..EventFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(about_second.len(), 1);

    let about_nothing = store
        .events(EventFilter {
            subject_id: Some("no-such-subject"),
            ..EventFilter::default()
        })
        .await
        .unwrap();
    assert!(about_nothing.is_empty());
});

store_test!(
    the_log_is_followed_after_an_id_a_few_at_a_time,
    |store: Store| async move {
        for i in 1..=5 {
            organization(&store, &format!("Org {i}")).await;
        }
        let everything = all_events(&store).await;
        assert_eq!(
            everything.len(),
            6,
            "the catalog seed and five organizations"
        );

        let mut followed = Vec::new();
        let mut after_id = None;
        loop {
            let batch = store
                .events(EventFilter {
                    subject_id: None,
                    after_id,
                    limit: 2,
                })
                .await
                .unwrap();
            assert!(batch.len() <= 2);
            let Some(last) = batch.last() else { break };
            after_id = Some(last.id);
            followed.extend(batch);
        }
        assert_eq!(followed, everything);
    }
);
