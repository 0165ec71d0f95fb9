//! API tokens (`Authorization: Bearer mdg_…`) and browser sessions.

use crate::common::*;
use jiff::{SignedDuration, Timestamp};
use madoguchi_core::Role;
use madoguchi_core::event::EventKind;
use madoguchi_core::values::Name;
use madoguchi_store::testing::{Backend, TestDb};
use madoguchi_store::{Store, StoreError, TOKEN_CACHE_TTL, UserChanges, store_test};

// --- API tokens ---

store_test!(
    a_new_token_starts_with_mdg_and_finds_its_user,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let issued = store.create_token(None, &user.id).await.unwrap();
        assert!(issued.token.starts_with("mdg_"), "token {}", issued.token);
        assert!(
            issued.token.len() >= "mdg_".len() + 43,
            "256 bits of secret"
        );
        assert_eq!(store.user_by_token(&issued.token).await.unwrap(), user);

        let second = store.create_token(None, &user.id).await.unwrap();
        assert_ne!(second.token, issued.token);
        assert_ne!(second.id, issued.id);
        // Both work at once.
        assert_eq!(store.user_by_token(&issued.token).await.unwrap(), user);
        assert_eq!(store.user_by_token(&second.token).await.unwrap(), user);
    }
);

store_test!(
    a_token_follows_changes_to_its_user_at_once,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let issued = store.create_token(None, &user.id).await.unwrap();
        // Read once, so that the token is believed from memory from now on.
        assert_eq!(store.user_by_token(&issued.token).await.unwrap(), user);

        let changes = UserChanges {
            name: Some(Name::parse("山田 太郎（改名）").unwrap()),
            role: Some(Role::CustomerAdmin),
            ..Default::default()
        };
        store.update_user(None, &user.id, &changes).await.unwrap();
        let seen = store.user_by_token(&issued.token).await.unwrap();
        assert_eq!(seen.name, "山田 太郎（改名）");
        assert_eq!(seen.role, Role::CustomerAdmin);

        store.delete_user(None, &user.id).await.unwrap();
        assert!(matches!(
            store.user_by_token(&issued.token).await,
            Err(StoreError::NotFound)
        ));
    }
);

/// A second server on the same database (scale-out) sees a revocation made by the first within
/// the time a verified token is believed.
async fn another_instance_stops_a_revoked_token_within_the_cache_time(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let first = db.store.clone();
    let second = Store::connect(&db.url).await.unwrap();
    let org = organization(&first, "Org").await;
    let user = customer(&first, &org.id, "taro@sample.example").await;
    let issued = first.create_token(None, &user.id).await.unwrap();
    assert_eq!(second.user_by_token(&issued.token).await.unwrap(), user);

    first
        .revoke_token(None, &user.id, &issued.id)
        .await
        .unwrap();
    assert!(matches!(
        first.user_by_token(&issued.token).await,
        Err(StoreError::NotFound)
    ));
    tokio::time::sleep(TOKEN_CACHE_TTL + std::time::Duration::from_millis(100)).await;
    assert!(matches!(
        second.user_by_token(&issued.token).await,
        Err(StoreError::NotFound)
    ));
    second.close().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_stops_a_revoked_token_sqlite() {
    another_instance_stops_a_revoked_token_within_the_cache_time(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_stops_a_revoked_token_postgres() {
    another_instance_stops_a_revoked_token_within_the_cache_time(Backend::Postgres).await;
}

store_test!(staff_get_tokens_too, |store: Store| async move {
    let agent = staff(&store, "agent@madoguchi.example", Role::Agent).await;
    let issued = store.create_token(None, &agent.id).await.unwrap();
    assert_eq!(store.user_by_token(&issued.token).await.unwrap(), agent);
});

store_test!(
    an_unknown_or_garbage_token_is_not_found,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let issued = store.create_token(None, &user.id).await.unwrap();
        let secret = issued.token.strip_prefix("mdg_").unwrap().to_owned();
        for wrong in [
            String::new(),
            "mdg_".into(),
            "garbage".into(),
            "mdg_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
            // The secret without its prefix, or with a different one.
            secret.clone(),
            format!("xyz_{secret}"),
            format!("{}x", issued.token),
            issued.token.to_uppercase(),
            // The stored digest is not a token either.
            "mdg_' OR 1=1 --".into(),
        ] {
            let result = store.user_by_token(&wrong).await;
            assert!(
                matches!(result, Err(StoreError::NotFound)),
                "{wrong:?}: got {result:?}"
            );
        }
    }
);

store_test!(a_revoked_token_is_not_found, |store: Store| async move {
    let org = organization(&store, "Org").await;
    let user = customer(&store, &org.id, "taro@sample.example").await;
    let revoked = store.create_token(None, &user.id).await.unwrap();
    let kept = store.create_token(None, &user.id).await.unwrap();
    store
        .revoke_token(None, &user.id, &revoked.id)
        .await
        .unwrap();
    assert!(matches!(
        store.user_by_token(&revoked.token).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.user_by_token(&kept.token).await.unwrap(), user);
    let listed: Vec<String> = store
        .tokens_of(&user.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(listed, vec![kept.id]);

    // Revoking it again: nothing to revoke.
    assert!(matches!(
        store.revoke_token(None, &user.id, &revoked.id).await,
        Err(StoreError::NotFound)
    ));
});

store_test!(
    a_token_cannot_be_revoked_through_another_user,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let owner = customer(&store, &org.id, "taro@sample.example").await;
        let other = customer(&store, &org.id, "hanako@sample.example").await;
        let issued = store.create_token(None, &owner.id).await.unwrap();
        let before = last_event_id(&store).await;
        assert!(matches!(
            store.revoke_token(None, &other.id, &issued.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.revoke_token(None, &owner.id, "no-such-token").await,
            Err(StoreError::NotFound)
        ));
        assert_no_event_since(&store, before).await;
        assert_eq!(store.user_by_token(&issued.token).await.unwrap(), owner);
    }
);

store_test!(
    a_token_for_a_missing_user_is_not_found,
    |store: Store| async move {
        let before = last_event_id(&store).await;
        assert!(matches!(
            store.create_token(None, "no-such-user").await,
            Err(StoreError::NotFound)
        ));
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    tokens_of_lists_a_users_tokens_newest_first_with_their_last_use,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let other = customer(&store, &org.id, "hanako@sample.example").await;
        let older = store.create_token(None, &user.id).await.unwrap();
        let newer = store.create_token(None, &user.id).await.unwrap();
        store.create_token(None, &other.id).await.unwrap();

        let listed = store.tokens_of(&user.id).await.unwrap();
        let ids: Vec<&str> = listed.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, [newer.id.as_str(), older.id.as_str()]);
        assert_eq!(listed[0].created_at, newer.created_at);
        assert_eq!(listed[1].created_at, older.created_at);
        assert!(listed.iter().all(|t| t.last_used_at.is_none()));
        // What is listed never carries the secret.
        let shown = format!("{listed:?}");
        assert!(!shown.contains(&older.token) && !shown.contains(&newer.token));
        assert!(!shown.contains("mdg_"), "{shown}");

        let started = Timestamp::now();
        store.user_by_token(&older.token).await.unwrap();
        let listed = store.tokens_of(&user.id).await.unwrap();
        let used = listed.iter().find(|t| t.id == older.id).unwrap();
        let last_used = used.last_used_at.expect("a used token has a last use");
        assert!(
            last_used >= started.checked_sub(SignedDuration::from_secs(1)).unwrap(),
            "{last_used} is before {started}"
        );
        let unused = listed.iter().find(|t| t.id == newer.id).unwrap();
        assert_eq!(unused.last_used_at, None);

        assert!(store.tokens_of("no-such-user").await.unwrap().is_empty());
    }
);

store_test!(
    token_writes_log_one_event_each_without_the_secret,
    |store: Store| async move {
        let admin = admin(&store).await;
        let actor = Some(admin.id.as_str());
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;

        let before = last_event_id(&store).await;
        let issued = store.create_token(actor, &user.id).await.unwrap();
        let created = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::TokenCreated,
                actor,
                subject: &user.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(created.data["token_id"], issued.id.as_str());
        assert!(
            !created.data.to_string().contains(&issued.token),
            "the log never holds a token's secret"
        );

        // Using a token is a read, not a write: it logs nothing.
        let before = last_event_id(&store).await;
        store.user_by_token(&issued.token).await.unwrap();
        assert_no_event_since(&store, before).await;

        let before = last_event_id(&store).await;
        store
            .revoke_token(actor, &user.id, &issued.id)
            .await
            .unwrap();
        let revoked = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::TokenRevoked,
                actor,
                subject: &user.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(revoked.data["token_id"], issued.id.as_str());
    }
);

// --- Sessions ---

store_test!(
    a_session_finds_its_user_until_it_ends,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let started = Timestamp::now();
        let session = store
            .create_session(&user, SignedDuration::from_hours(8))
            .await
            .unwrap();
        assert_eq!(session.user, user);
        assert_ne!(session.token, session.csrf_token);
        assert!(session.expires_at > started + SignedDuration::from_mins(479));
        assert!(session.expires_at <= Timestamp::now() + SignedDuration::from_hours(8));

        let found = store.session(&session.token).await.unwrap();
        assert_eq!(found.token, session.token);
        assert_eq!(found.csrf_token, session.csrf_token);
        assert_eq!(found.user, user);
        assert_eq!(found.expires_at, session.expires_at);

        store.end_session(&session.token).await.unwrap();
        assert!(matches!(
            store.session(&session.token).await,
            Err(StoreError::NotFound)
        ));
        // Ending it again is harmless and logs nothing.
        let before = last_event_id(&store).await;
        store.end_session(&session.token).await.unwrap();
        store.end_session("never-a-session").await.unwrap();
        assert_no_event_since(&store, before).await;
    }
);

store_test!(sessions_are_each_their_own, |store: Store| async move {
    let org = organization(&store, "Org").await;
    let user = customer(&store, &org.id, "taro@sample.example").await;
    let laptop = store
        .create_session(&user, SignedDuration::from_hours(1))
        .await
        .unwrap();
    let phone = store
        .create_session(&user, SignedDuration::from_hours(1))
        .await
        .unwrap();
    assert_ne!(laptop.token, phone.token);
    assert_ne!(laptop.csrf_token, phone.csrf_token);
    store.end_session(&laptop.token).await.unwrap();
    assert!(matches!(
        store.session(&laptop.token).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.session(&phone.token).await.unwrap().user, user);
});

store_test!(an_unknown_session_is_not_found, |store: Store| async move {
    let org = organization(&store, "Org").await;
    let user = customer(&store, &org.id, "taro@sample.example").await;
    let session = store
        .create_session(&user, SignedDuration::from_hours(1))
        .await
        .unwrap();
    for wrong in [
        String::new(),
        "garbage".into(),
        session.csrf_token.clone(),
        format!("{}x", session.token),
    ] {
        let result = store.session(&wrong).await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "{wrong:?}: got {:?}",
            result.map(|s| s.user.id)
        );
    }
});

store_test!(an_expired_session_is_not_found, |store: Store| async move {
    let org = organization(&store, "Org").await;
    let user = customer(&store, &org.id, "taro@sample.example").await;
    for lifetime in [
        SignedDuration::ZERO,
        SignedDuration::from_secs(-1),
        SignedDuration::from_hours(-24),
    ] {
        let session = store.create_session(&user, lifetime).await.unwrap();
        assert!(session.expires_at <= Timestamp::now());
        let result = store.session(&session.token).await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "{lifetime}: got {:?}",
            result.map(|s| s.expires_at)
        );
    }
});

store_test!(
    set_password_ends_the_users_sessions_and_no_one_elses,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let colleague = customer(&store, &org.id, "hanako@sample.example").await;
        let mut theirs = Vec::new();
        for _ in 0..2 {
            theirs.push(
                store
                    .create_session(&user, SignedDuration::from_hours(1))
                    .await
                    .unwrap(),
            );
        }
        let colleagues = store
            .create_session(&colleague, SignedDuration::from_hours(1))
            .await
            .unwrap();

        store
            .set_password(Some(&user.id), &user.id, Some("$argon2id$v=19$new"))
            .await
            .unwrap();

        for session in &theirs {
            assert!(matches!(
                store.session(&session.token).await,
                Err(StoreError::NotFound)
            ));
        }
        assert_eq!(
            store.session(&colleagues.token).await.unwrap().user,
            colleague
        );
        // They can log in again afterwards.
        let fresh = store
            .create_session(&user, SignedDuration::from_hours(1))
            .await
            .unwrap();
        assert_eq!(store.session(&fresh.token).await.unwrap().user, user);
    }
);

store_test!(
    a_session_reads_the_users_current_details,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let session = store
            .create_session(&user, SignedDuration::from_hours(1))
            .await
            .unwrap();
        let promoted = store
            .update_user(
                None,
                &user.id,
                &madoguchi_store::UserChanges {
                    role: Some(Role::CustomerAdmin),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(store.session(&session.token).await.unwrap().user, promoted);
    }
);

store_test!(
    logging_in_logs_session_created_for_the_users_organization,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let before = last_event_id(&store).await;
        let session = store
            .create_session(&user, SignedDuration::from_hours(1))
            .await
            .unwrap();
        let created = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::UserLoggedIn,
                actor: Some(&user.id),
                subject: &user.id,
                organization: Some(&org.id),
            },
        )
        .await;
        let logged = created.data.to_string();
        assert!(!logged.contains(&session.token) && !logged.contains(&session.csrf_token));
    }
);

store_test!(
    logging_out_logs_session_ended_for_the_users_organization,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        let session = store
            .create_session(&user, SignedDuration::from_hours(1))
            .await
            .unwrap();
        let before = last_event_id(&store).await;
        store.end_session(&session.token).await.unwrap();
        assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::UserLoggedOut,
                actor: Some(&user.id),
                subject: &user.id,
                // Like `session.created`, the logout belongs to the user's organization, so
                // that an organization's audit history shows both.
                organization: Some(&org.id),
            },
        )
        .await;
    }
);

store_test!(
    a_staff_login_belongs_to_no_organization,
    |store: Store| async move {
        let agent = staff(&store, "agent@madoguchi.example", Role::Agent).await;
        let before = last_event_id(&store).await;
        let session = store
            .create_session(&agent, SignedDuration::from_hours(1))
            .await
            .unwrap();
        assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::UserLoggedIn,
                actor: Some(&agent.id),
                subject: &agent.id,
                organization: None,
            },
        )
        .await;
        let before = last_event_id(&store).await;
        store.end_session(&session.token).await.unwrap();
        assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::UserLoggedOut,
                actor: Some(&agent.id),
                subject: &agent.id,
                organization: None,
            },
        )
        .await;
    }
);
