//! Desk membership: which queues an agent works (SPEC §6).

use crate::common::*;
use madoguchi_core::event::EventKind;
use madoguchi_core::{Desk, Role};
use madoguchi_store::{Store, store_test};

store_test!(
    an_agent_added_to_a_desk_is_listed_as_its_member,
    |store: Store| async move {
        let agent = staff(&store, "agent@madoguchi.example", Role::Agent).await;
        assert!(store.desks_of(&agent.id).await.unwrap().is_empty());
        store
            .add_desk_member(None, Desk::Premium, &agent.id)
            .await
            .unwrap();
        assert_eq!(store.desks_of(&agent.id).await.unwrap(), [Desk::Premium]);
    }
);

store_test!(
    adding_a_desk_member_twice_is_harmless,
    |store: Store| async move {
        let agent = staff(&store, "agent@madoguchi.example", Role::Agent).await;
        store
            .add_desk_member(None, Desk::General, &agent.id)
            .await
            .unwrap();
        store
            .add_desk_member(None, Desk::General, &agent.id)
            .await
            .unwrap();
        assert_eq!(store.desks_of(&agent.id).await.unwrap(), [Desk::General]);
    }
);

store_test!(an_agent_can_work_both_desks, |store: Store| async move {
    let agent = staff(&store, "agent@madoguchi.example", Role::Agent).await;
    let colleague = staff(&store, "colleague@madoguchi.example", Role::Agent).await;
    store
        .add_desk_member(None, Desk::Premium, &agent.id)
        .await
        .unwrap();
    store
        .add_desk_member(None, Desk::General, &agent.id)
        .await
        .unwrap();
    store
        .add_desk_member(None, Desk::General, &colleague.id)
        .await
        .unwrap();
    assert_eq!(
        store.desks_of(&agent.id).await.unwrap(),
        [Desk::General, Desk::Premium]
    );
    assert_eq!(
        store.desks_of(&colleague.id).await.unwrap(),
        [Desk::General]
    );
    assert!(store.desks_of("no-such-user").await.unwrap().is_empty());
});

store_test!(
    a_missing_user_cannot_join_a_desk,
    |store: Store| async move {
        let before = last_event_id(&store).await;
        let result = store
            .add_desk_member(None, Desk::General, "no-such-user")
            .await;
        assert!(result.is_err(), "got {result:?}");
        assert_no_event_since(&store, before).await;
        assert!(store.desks_of("no-such-user").await.unwrap().is_empty());
    }
);

store_test!(
    a_deleted_agent_leaves_their_desks,
    |store: Store| async move {
        let agent = staff(&store, "agent@madoguchi.example", Role::Agent).await;
        store
            .add_desk_member(None, Desk::General, &agent.id)
            .await
            .unwrap();
        store.delete_user(None, &agent.id).await.unwrap();
        assert!(store.desks_of(&agent.id).await.unwrap().is_empty());
    }
);

store_test!(
    adding_a_desk_member_logs_one_event_naming_the_desk,
    |store: Store| async move {
        let admin = admin(&store).await;
        let agent = staff(&store, "agent@madoguchi.example", Role::Agent).await;
        let before = last_event_id(&store).await;
        store
            .add_desk_member(Some(&admin.id), Desk::Premium, &agent.id)
            .await
            .unwrap();
        let added = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::DeskMemberAdded,
                actor: Some(&admin.id),
                subject: &agent.id,
                organization: None,
            },
        )
        .await;
        assert_eq!(added.data["desk"], "premium");
    }
);
