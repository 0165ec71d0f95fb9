//! Users: customers, customer admins, agents and admins (SPEC §1).

use crate::common::*;
use jiff::SignedDuration;
use madoguchi_core::event::EventKind;
use madoguchi_core::model::{DEFAULT_TIME_ZONE, NewUser};
use madoguchi_core::{Locale, PermissionLevel, Role};
use madoguchi_store::{PageRequest, Store, StoreError, UserChanges, UserFilter, store_test};

store_test!(
    a_customer_is_created_and_read_by_id_and_by_email,
    |store: Store| async move {
        let org = organization(&store, "株式会社サンプル").await;
        let new = NewUser {
            email: email(" Taro.Yamada@Sample.example "),
            name: name("山田 太郎"),
            role: Role::Customer,
            organization_id: Some(org.id.clone()),
            locale: Locale::En,
            password_hash: Some("$argon2id$v=19$fake".into()),
            time_zone: None,
            desks: Vec::new(),
        };
        let user = store.create_user(None, &new).await.unwrap();
        assert_eq!(user.email, "taro.yamada@sample.example");
        assert_eq!(user.name, "山田 太郎");
        assert_eq!(user.role, Role::Customer);
        assert_eq!(user.organization_id.as_deref(), Some(org.id.as_str()));
        assert_eq!(user.locale, Locale::En);
        assert_eq!(user.time_zone, DEFAULT_TIME_ZONE);

        assert_eq!(store.user(&user.id).await.unwrap(), user);
        assert_eq!(
            store
                .user_by_email(&email("TARO.YAMADA@sample.example"))
                .await
                .unwrap(),
            user
        );
        let login = store
            .user_for_login(&email("taro.yamada@sample.example"))
            .await
            .unwrap();
        assert_eq!(login.user, user);
        assert_eq!(login.password_hash.as_deref(), Some("$argon2id$v=19$fake"));
    }
);

store_test!(
    staff_users_belong_to_no_organization,
    |store: Store| async move {
        let agent = staff(&store, "agent@madoguchi.example", Role::Agent).await;
        let admin = staff(&store, "admin@madoguchi.example", Role::Admin).await;
        assert_eq!(agent.organization_id, None);
        assert_eq!(admin.organization_id, None);
        assert_eq!(store.user(&agent.id).await.unwrap(), agent);
        assert_eq!(store.user(&admin.id).await.unwrap(), admin);
    }
);

store_test!(a_missing_user_is_not_found, |store: Store| async move {
    let before = last_event_id(&store).await;
    assert!(matches!(
        store.user("no-such-user").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.user_by_email(&email("nobody@sample.example")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.user_for_login(&email("nobody@sample.example")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .update_user(
                None,
                "no-such-user",
                &UserChanges {
                    name: Some(name("X")),
                    ..UserChanges::default()
                }
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_password(None, "no-such-user", Some("hash")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_user(None, "no-such-user").await,
        Err(StoreError::NotFound)
    ));
    assert_no_event_since(&store, before).await;
});

store_test!(duplicate_email_is_taken, |store: Store| async move {
    let first = organization(&store, "First").await;
    let second = organization(&store, "Second").await;
    let existing = customer(&store, &first.id, "taro@sample.example").await;
    let before = last_event_id(&store).await;
    for new in [
        new_user("taro@sample.example", Role::Customer, Some(&second.id)),
        // Emails are lower-cased when parsed, so case does not make a second account.
        new_user("TARO@Sample.Example", Role::CustomerAdmin, Some(&first.id)),
        new_user("taro@sample.example", Role::Agent, None),
    ] {
        let err = store.create_user(None, &new).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Taken { field: "email" }),
            "got {err:?}"
        );
    }
    assert_no_event_since(&store, before).await;
    let all = store
        .users(&UserFilter::default(), &PageRequest::default())
        .await
        .unwrap();
    assert_eq!(all.items, vec![existing]);
});

store_test!(
    changing_to_a_taken_email_is_taken_and_changes_nothing,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        customer(&store, &org.id, "taro@sample.example").await;
        let hanako = customer(&store, &org.id, "hanako@sample.example").await;
        let before = last_event_id(&store).await;
        let err = store
            .update_user(
                None,
                &hanako.id,
                &UserChanges {
                    email: Some(email("taro@sample.example")),
                    name: Some(name("Someone else")),
                    ..UserChanges::default()
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Taken { field: "email" }),
            "got {err:?}"
        );
        assert_eq!(store.user(&hanako.id).await.unwrap(), hanako);
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    saving_ones_own_email_again_is_not_taken,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let saved = store
            .update_user(
                None,
                &user.id,
                &UserChanges {
                    email: Some(email("Taro@Sample.example")),
                    ..UserChanges::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(saved, user);
    }
);

store_test!(
    a_user_of_a_missing_organization_is_dangling,
    |store: Store| async move {
        let before = last_event_id(&store).await;
        let err = store
            .create_user(
                None,
                &new_user("ghost@sample.example", Role::Customer, Some("no-such-org")),
            )
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
        assert!(matches!(
            store.user_by_email(&email("ghost@sample.example")).await,
            Err(StoreError::NotFound)
        ));
    }
);

store_test!(
    a_customer_without_an_organization_is_refused,
    |store: Store| async move {
        let before = last_event_id(&store).await;
        for role in [Role::Customer, Role::CustomerAdmin] {
            let result = store
                .create_user(None, &new_user("lost@sample.example", role, None))
                .await;
            assert!(result.is_err(), "{role}: got {result:?}");
        }
        assert_no_event_since(&store, before).await;
        assert!(matches!(
            store.user_by_email(&email("lost@sample.example")).await,
            Err(StoreError::NotFound)
        ));
    }
);

store_test!(
    staff_with_an_organization_are_refused,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let before = last_event_id(&store).await;
        for role in [Role::Agent, Role::Admin] {
            let result = store
                .create_user(None, &new_user("staff@sample.example", role, Some(&org.id)))
                .await;
            assert!(result.is_err(), "{role}: got {result:?}");
        }
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    turning_a_customer_into_an_agent_is_refused_while_they_keep_their_organization,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let before = last_event_id(&store).await;
        let result = store
            .update_user(
                None,
                &user.id,
                &UserChanges {
                    role: Some(Role::Agent),
                    ..UserChanges::default()
                },
            )
            .await;
        assert!(result.is_err(), "got {result:?}");
        assert_eq!(store.user(&user.id).await.unwrap(), user);
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    an_update_changes_only_what_it_names,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;

        let renamed = store
            .update_user(
                None,
                &user.id,
                &UserChanges {
                    name: Some(name("山田 太郎")),
                    ..UserChanges::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(renamed.name, "山田 太郎");
        assert_eq!(renamed.email, user.email);
        assert_eq!(renamed.role, user.role);
        assert_eq!(renamed.locale, user.locale);
        assert_eq!(renamed.time_zone, user.time_zone);

        let changed = store
            .update_user(
                None,
                &user.id,
                &UserChanges {
                    email: Some(email("yamada@sample.example")),
                    name: None,
                    role: Some(Role::CustomerAdmin),
                    locale: Some(Locale::En),
                    time_zone: Some("Europe/Berlin".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(changed.id, user.id);
        assert_eq!(changed.name, "山田 太郎");
        assert_eq!(changed.email, "yamada@sample.example");
        assert_eq!(changed.role, Role::CustomerAdmin);
        assert_eq!(changed.locale, Locale::En);
        assert_eq!(changed.time_zone, "Europe/Berlin");
        assert_eq!(changed.organization_id, user.organization_id);
        assert_eq!(changed.created_at, user.created_at);
        assert_eq!(store.user(&user.id).await.unwrap(), changed);

        // The old address no longer finds them; the new one does.
        assert!(matches!(
            store.user_by_email(&email("taro@sample.example")).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store
                .user_by_email(&email("yamada@sample.example"))
                .await
                .unwrap(),
            changed
        );
    }
);

store_test!(
    users_are_filtered_by_organization_and_role_and_paged,
    |store: Store| async move {
        let mine = organization(&store, "Mine").await;
        let theirs = organization(&store, "Theirs").await;
        let mut my_users = Vec::new();
        for i in 1..=5 {
            my_users.push(
                customer(&store, &mine.id, &format!("user{i}@mine.example"))
                    .await
                    .id,
            );
        }
        let boss = store
            .create_user(
                None,
                &new_user("boss@mine.example", Role::CustomerAdmin, Some(&mine.id)),
            )
            .await
            .unwrap();
        let outsider = customer(&store, &theirs.id, "user@theirs.example").await;
        let agent = staff(&store, "agent@madoguchi.example", Role::Agent).await;

        let of_mine = UserFilter {
            organization_id: Some(&mine.id),
            role: None,
        };
        let pages = all_pages(2, async |page| store.users(&of_mine, &page).await.unwrap()).await;
        assert_eq!(sizes(&pages), [2, 2, 2]);
        let listed: Vec<String> = pages.into_iter().flatten().map(|u| u.id).collect();
        assert_eq!(
            listed,
            sorted(my_users.iter().cloned().chain([boss.id.clone()]))
        );

        let my_customers = UserFilter {
            organization_id: Some(&mine.id),
            role: Some(Role::Customer),
        };
        let pages = all_pages(2, async |page| {
            store.users(&my_customers, &page).await.unwrap()
        })
        .await;
        assert_eq!(sizes(&pages), [2, 2, 1]);
        let listed: Vec<String> = pages.into_iter().flatten().map(|u| u.id).collect();
        assert_eq!(listed, sorted(my_users.clone()));

        let agents = store
            .users(
                &UserFilter {
                    organization_id: None,
                    role: Some(Role::Agent),
                },
                &PageRequest::default(),
            )
            .await
            .unwrap();
        assert_eq!(agents.items, vec![agent.clone()]);

        let everyone = store
            .users(&UserFilter::default(), &PageRequest::default())
            .await
            .unwrap();
        assert_eq!(everyone.items.len(), 8);
        assert!(everyone.items.contains(&outsider));
        assert!(everyone.items.contains(&agent));
        assert_eq!(everyone.next_cursor, None);
    }
);

store_test!(
    customer_admins_are_the_admins_of_that_organization_by_name,
    |store: Store| async move {
        let mine = organization(&store, "Mine").await;
        let theirs = organization(&store, "Theirs").await;
        let admin_of = |address: &str, person: &str, org: &str| NewUser {
            name: name(person),
            ..new_user(address, Role::CustomerAdmin, Some(org))
        };
        let suzuki = store
            .create_user(None, &admin_of("suzuki@mine.example", "Suzuki", &mine.id))
            .await
            .unwrap();
        let abe = store
            .create_user(None, &admin_of("abe@mine.example", "Abe", &mine.id))
            .await
            .unwrap();
        store
            .create_user(None, &admin_of("ito@theirs.example", "Ito", &theirs.id))
            .await
            .unwrap();
        customer(&store, &mine.id, "plain@mine.example").await;

        assert_eq!(
            store.customer_admins(&mine.id).await.unwrap(),
            vec![abe, suzuki]
        );
    }
);

store_test!(
    set_password_replaces_and_removes_the_hash,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let address = email("taro@sample.example");
        assert_eq!(
            store.user_for_login(&address).await.unwrap().password_hash,
            None
        );

        store
            .set_password(None, &user.id, Some("$argon2id$v=19$first"))
            .await
            .unwrap();
        assert_eq!(
            store
                .user_for_login(&address)
                .await
                .unwrap()
                .password_hash
                .as_deref(),
            Some("$argon2id$v=19$first")
        );

        store.set_password(None, &user.id, None).await.unwrap();
        assert_eq!(
            store.user_for_login(&address).await.unwrap().password_hash,
            None
        );
    }
);

store_test!(
    deleting_a_user_removes_their_permissions_tokens_and_sessions,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let c = contract(&store, &org.id, "ECL-0001").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let colleague = customer(&store, &org.id, "hanako@sample.example").await;
        store
            .grant_permission(None, &user.id, &c.id, PermissionLevel::Edit)
            .await
            .unwrap();
        store
            .grant_permission(None, &colleague.id, &c.id, PermissionLevel::View)
            .await
            .unwrap();
        let token = store.create_token(None, &user.id).await.unwrap();
        let session = store
            .create_session(&user, SignedDuration::from_hours(1))
            .await
            .unwrap();

        store.delete_user(None, &user.id).await.unwrap();

        assert!(matches!(
            store.user(&user.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.permissions_of(&user.id).await.unwrap().is_empty());
        assert!(store.tokens_of(&user.id).await.unwrap().is_empty());
        assert!(matches!(
            store.user_by_token(&token.token).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.session(&session.token).await,
            Err(StoreError::NotFound)
        ));
        // The colleague keeps theirs.
        let left = store.permissions_in(Some(&org.id)).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].user_id, colleague.id);
        // The history outlives the user.
        let history = store
            .events(madoguchi_store::EventFilter {
                subject_id: Some(&user.id),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            history.first().map(|e| e.kind.as_str()),
            Some(EventKind::UserCreated.code())
        );
        assert_eq!(
            history.last().map(|e| e.kind.as_str()),
            Some(EventKind::UserDeleted.code())
        );
    }
);

store_test!(
    each_user_write_logs_one_event_with_the_users_organization,
    |store: Store| async move {
        let admin = admin(&store).await;
        let actor = Some(admin.id.as_str());
        let org = organization(&store, "株式会社サンプル").await;

        let before = last_event_id(&store).await;
        let user = store
            .create_user(
                actor,
                &new_user("taro@sample.example", Role::Customer, Some(&org.id)),
            )
            .await
            .unwrap();
        let created = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::UserCreated,
                actor,
                subject: &user.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(created.data["email"], "taro@sample.example");
        assert_eq!(created.data["role"], "customer");
        assert!(
            created.data.get("password_hash").is_none(),
            "the log never holds a password hash"
        );

        let before = last_event_id(&store).await;
        store
            .update_user(
                actor,
                &user.id,
                &UserChanges {
                    locale: Some(Locale::En),
                    ..UserChanges::default()
                },
            )
            .await
            .unwrap();
        let updated = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::UserUpdated,
                actor,
                subject: &user.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(updated.data["locale"], "en");

        let before = last_event_id(&store).await;
        store
            .set_password(actor, &user.id, Some("$argon2id$v=19$secret"))
            .await
            .unwrap();
        let changed = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::PasswordChanged,
                actor,
                subject: &user.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert!(
            !changed.data.to_string().contains("secret"),
            "the log never holds a password hash: {}",
            changed.data
        );

        let before = last_event_id(&store).await;
        store.delete_user(actor, &user.id).await.unwrap();
        assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::UserDeleted,
                actor,
                subject: &user.id,
                organization: Some(&org.id),
            },
        )
        .await;

        // A staff user's events belong to no organization.
        let before = last_event_id(&store).await;
        let agent = store
            .create_user(
                actor,
                &new_user("agent@madoguchi.example", Role::Agent, None),
            )
            .await
            .unwrap();
        assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::UserCreated,
                actor,
                subject: &agent.id,
                organization: None,
            },
        )
        .await;
    }
);
