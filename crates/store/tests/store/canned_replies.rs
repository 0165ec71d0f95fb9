//! Canned replies in the store: each write is one event, and who sees a reply is part of
//! every query (its owner, its desk's agents, admins; never customers).

use crate::common::*;
use madoguchi_core::canned::NewCannedReply;
use madoguchi_core::event::EventKind;
use madoguchi_core::{Desk, Role};
use madoguchi_store::{Store, StoreError, Viewer, store_test};

fn reply(title: &str, desk: Option<Desk>) -> NewCannedReply {
    NewCannedReply {
        title: title.to_owned(),
        body: format!("{title}: {{customer_name}} 様"),
        desk,
    }
}

store_test!(
    an_agent_sees_their_own_and_their_desks_replies_only,
    |store: Store| async move {
        let general = staff(&store, "general@madoguchi.example", Role::Agent).await;
        let colleague = staff(&store, "colleague@madoguchi.example", Role::Agent).await;
        let premium = staff(&store, "premium@madoguchi.example", Role::Agent).await;
        store
            .add_desk_member(None, Desk::General, &general.id)
            .await
            .unwrap();
        store
            .add_desk_member(None, Desk::General, &colleague.id)
            .await
            .unwrap();
        store
            .add_desk_member(None, Desk::Premium, &premium.id)
            .await
            .unwrap();

        let before = last_event_id(&store).await;
        let own = store
            .create_canned_reply(&general.id, &general.id, &reply("挨拶", None))
            .await
            .unwrap();
        let event = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::CannedReplyCreated,
                actor: Some(&general.id),
                subject: &own.id,
                organization: None,
            },
        )
        .await;
        assert_eq!(event.data["title"], "挨拶");
        assert_eq!(own.owner_id.as_deref(), Some(general.id.as_str()));
        let shared = store
            .create_canned_reply(
                &general.id,
                &general.id,
                &reply("共有", Some(Desk::General)),
            )
            .await
            .unwrap();
        assert_eq!(shared.owner_id, None, "a shared reply belongs to its desk");
        let theirs = store
            .create_canned_reply(
                &premium.id,
                &premium.id,
                &reply("特別", Some(Desk::Premium)),
            )
            .await
            .unwrap();

        fn agent(u: &madoguchi_core::model::User) -> Viewer<'_> {
            Viewer::Agent { user_id: &u.id }
        }
        let titles = |list: Vec<madoguchi_store::CannedReply>| {
            list.into_iter().map(|r| r.title).collect::<Vec<_>>()
        };
        assert_eq!(
            titles(store.canned_replies(agent(&general)).await.unwrap()),
            ["挨拶", "共有"]
        );
        assert_eq!(
            titles(store.canned_replies(agent(&colleague)).await.unwrap()),
            ["共有"]
        );
        assert_eq!(
            titles(store.canned_replies(agent(&premium)).await.unwrap()),
            ["特別"]
        );
        assert_eq!(
            titles(store.canned_replies(Viewer::Admin).await.unwrap()),
            ["挨拶", "共有", "特別"]
        );
        let org = organization(&store, "Org").await;
        let customer = customer(&store, &org.id, "c@org.example").await;
        let as_customer = Viewer::Customer {
            user_id: &customer.id,
            organization_id: &org.id,
        };
        assert!(store.canned_replies(as_customer).await.unwrap().is_empty());
        assert!(matches!(
            store.canned_reply(as_customer, &shared.id).await,
            Err(StoreError::NotFound)
        ));
        // Another agent's own reply, and another desk's, are as missing as unknown ones.
        for (viewer, id) in [(agent(&colleague), &own.id), (agent(&general), &theirs.id)] {
            assert!(matches!(
                store.canned_reply(viewer, id).await,
                Err(StoreError::NotFound)
            ));
            let before = last_event_id(&store).await;
            assert!(matches!(
                store
                    .update_canned_reply(viewer, "x", id, "x", &reply("奪う", None))
                    .await,
                Err(StoreError::NotFound)
            ));
            assert!(matches!(
                store.delete_canned_reply(viewer, "x", id).await,
                Err(StoreError::NotFound)
            ));
            assert_no_event_since(&store, before).await;
        }
    }
);

store_test!(
    updating_and_deleting_write_one_event_each,
    |store: Store| async move {
        let agent = staff(&store, "general@madoguchi.example", Role::Agent).await;
        store
            .add_desk_member(None, Desk::General, &agent.id)
            .await
            .unwrap();
        let viewer = Viewer::Agent { user_id: &agent.id };
        let created = store
            .create_canned_reply(&agent.id, &agent.id, &reply("挨拶", None))
            .await
            .unwrap();

        let before = last_event_id(&store).await;
        let shared = store
            .update_canned_reply(
                viewer,
                &agent.id,
                &created.id,
                &agent.id,
                &reply("挨拶(共有)", Some(Desk::General)),
            )
            .await
            .unwrap();
        assert_eq!(
            (shared.desk, shared.owner_id.as_deref()),
            (Some(Desk::General), None)
        );
        assert!(shared.updated_at >= created.updated_at);
        let event = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::CannedReplyUpdated,
                actor: Some(&agent.id),
                subject: &created.id,
                organization: None,
            },
        )
        .await;
        assert_eq!(event.data["desk"], "general");

        let before = last_event_id(&store).await;
        store
            .delete_canned_reply(viewer, &agent.id, &created.id)
            .await
            .unwrap();
        assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::CannedReplyDeleted,
                actor: Some(&agent.id),
                subject: &created.id,
                organization: None,
            },
        )
        .await;
        assert!(store.canned_replies(viewer).await.unwrap().is_empty());
        assert!(matches!(
            store
                .delete_canned_reply(viewer, &agent.id, &created.id)
                .await,
            Err(StoreError::NotFound)
        ));
    }
);
