//! The catalog a new database is seeded with: desks, ticket types (SPEC §3) and service
//! menus (SPEC §4).

use crate::common::*;
use madoguchi_core::catalog::{seed_service_menus, seed_ticket_types, ticket_types_for};
use madoguchi_core::event::EventKind;
use madoguchi_core::{Desk, MenuInput, SupportPlan, TicketChannel, TicketKind};
use madoguchi_store::{DeskInfo, Store, store_test};

store_test!(
    migrate_seeds_the_six_ticket_types_of_the_spec,
    |store: Store| async move {
        let types = store.ticket_types().await.unwrap();
        assert_eq!(types.len(), 6);
        assert_eq!(types, seed_ticket_types());
        let positions: Vec<i64> = types.iter().map(|t| t.position).collect();
        let mut ordered = positions.clone();
        ordered.sort();
        assert_eq!(positions, ordered, "in pick-list order");
    }
);

store_test!(
    each_plan_offers_the_ticket_types_of_spec_section_3,
    |store: Store| async move {
        let types = store.ticket_types().await.unwrap();
        let names = |plan| -> Vec<String> {
            ticket_types_for(plan, &types)
                .into_iter()
                .map(|t| t.name)
                .collect()
        };
        assert_eq!(
            names(SupportPlan::Basic),
            ["General Inquiry", "Incident Submission"]
        );
        assert_eq!(
            names(SupportPlan::Advanced),
            [
                "General Inquiry",
                "Incident Submission",
                "Callback Request (General Inquiry)",
                "Callback Request (Incident Submission)",
            ]
        );
        assert_eq!(
            names(SupportPlan::Premium),
            [
                "Premium Plan (General Inquiry)",
                "Premium Plan (Incident Submission)",
                "General Inquiry",
                "Incident Submission",
            ]
        );
    }
);

store_test!(
    each_ticket_type_has_its_kind_channel_and_desk,
    |store: Store| async move {
        let types = store.ticket_types().await.unwrap();
        let route = |code: &str| {
            let t = types
                .iter()
                .find(|t| t.code == code)
                .unwrap_or_else(|| panic!("no ticket type {code}"));
            (t.kind, t.channel, t.desk)
        };
        use Desk::{General, Premium};
        use TicketChannel::{Callback, Web};
        use TicketKind::{Incident, Inquiry};
        assert_eq!(route("general_inquiry"), (Inquiry, Web, General));
        assert_eq!(route("incident_submission"), (Incident, Web, General));
        assert_eq!(
            route("callback_general_inquiry"),
            (Inquiry, Callback, General)
        );
        assert_eq!(
            route("callback_incident_submission"),
            (Incident, Callback, General)
        );
        assert_eq!(route("premium_general_inquiry"), (Inquiry, Web, Premium));
        assert_eq!(
            route("premium_incident_submission"),
            (Incident, Web, Premium)
        );
        for t in &types {
            assert!(!t.description_ja.is_empty() && !t.description_en.is_empty());
            let mut plans = t.plans.clone();
            plans.dedup();
            assert_eq!(plans, t.plans, "{}: plans listed once, in order", t.code);
        }
    }
);

store_test!(
    migrate_seeds_at_least_eight_service_menus_of_one_to_three_items,
    |store: Store| async move {
        let menus = store.service_menus().await.unwrap();
        assert!(menus.len() >= 8, "only {} menus", menus.len());
        assert_eq!(menus, seed_service_menus());
        for menu in &menus {
            assert!(
                (1..=3).contains(&menu.items.len()),
                "{} has {} items",
                menu.key,
                menu.items.len()
            );
            assert!(!menu.name_ja.is_empty() && !menu.name_en.is_empty());
            for item in &menu.items {
                assert_eq!(
                    item.input == MenuInput::Select,
                    !item.options.is_empty(),
                    "{}.{}: only select items have options",
                    menu.key,
                    item.key
                );
            }
        }
        let keys: Vec<&str> = menus.iter().map(|m| m.key.as_str()).collect();
        for expected in [
            "baremetal_server",
            "virtual_server",
            "block_storage",
            "network",
            "firewall",
            "load_balancer",
            "database",
            "backup",
            "portal_api",
            "other",
        ] {
            assert!(keys.contains(&expected), "no menu {expected} in {keys:?}");
        }
    }
);

store_test!(
    a_virtual_server_ticket_needs_the_server_and_its_region,
    |store: Store| async move {
        let menus = store.service_menus().await.unwrap();
        let vs = menus.iter().find(|m| m.key == "virtual_server").unwrap();
        let items: Vec<(&str, MenuInput, bool)> = vs
            .items
            .iter()
            .map(|i| (i.key.as_str(), i.input, i.required))
            .collect();
        assert_eq!(
            items,
            [
                ("server_name", MenuInput::Text, true),
                ("region", MenuInput::Select, true),
            ]
        );
        let region = &vs.items[1];
        assert!(region.options.iter().any(|o| o == "JP1"));
    }
);

store_test!(
    migrate_seeds_the_general_and_premium_desks,
    |store: Store| async move {
        assert_eq!(
            store.desks().await.unwrap(),
            vec![
                DeskInfo {
                    desk: Desk::General,
                    name_ja: "一般窓口".into(),
                    name_en: "General desk".into(),
                },
                DeskInfo {
                    desk: Desk::Premium,
                    name_ja: "特別窓口".into(),
                    name_en: "Premium special desk".into(),
                },
            ]
        );
    }
);

store_test!(
    migrating_twice_does_not_duplicate_the_catalog,
    |store: Store| async move {
        let types = store.ticket_types().await.unwrap();
        let menus = store.service_menus().await.unwrap();
        let desks = store.desks().await.unwrap();
        let before = last_event_id(&store).await;

        store.migrate().await.unwrap();
        store.migrate().await.unwrap();

        assert_eq!(store.ticket_types().await.unwrap(), types);
        assert_eq!(store.service_menus().await.unwrap(), menus);
        assert_eq!(store.desks().await.unwrap(), desks);
        assert_no_event_since(&store, before).await;
        let seeded = all_events(&store)
            .await
            .into_iter()
            .filter(|e| e.kind == EventKind::CatalogSeeded.code())
            .count();
        assert_eq!(seeded, 1);
    }
);

store_test!(migrating_again_keeps_the_data, |store: Store| async move {
    let org = organization(&store, "株式会社サンプル").await;
    let c = contract(&store, &org.id, "ECL-0001").await;
    store.migrate().await.unwrap();
    assert_eq!(store.organization(&org.id).await.unwrap(), org);
    assert_eq!(store.contract(&c.id).await.unwrap(), c);
});

store_test!(the_catalog_seed_is_logged_once, |store: Store| async move {
    let seeded: Vec<_> = all_events(&store)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::CatalogSeeded.code())
        .collect();
    assert_eq!(seeded.len(), 1);
    let event = &seeded[0];
    assert_eq!(event.actor_id, None);
    assert_eq!(event.subject_id, "catalog");
    assert_eq!(event.organization_id, None);
    assert_eq!(event.data["ticket_types"], 6);
    assert_eq!(
        event.data["service_menus"],
        seed_service_menus().len() as u64
    );
});

/// Two instances on one database: a catalog change by one is read by the other on its next
/// read, though the other kept the catalog in memory (the kept copy is versioned).
async fn another_instance_reads_a_catalog_change_at_once(
    backend: madoguchi_store::testing::Backend,
) {
    let Some(db) = madoguchi_store::testing::TestDb::new(backend).await else {
        return;
    };
    let other = Store::connect(&db.url).await.unwrap();
    let kept_menus = other.service_menus().await.unwrap();
    let kept_types = other.ticket_types().await.unwrap();
    assert!(!kept_menus[0].retired && !kept_types[0].plans.is_empty());

    let mut menu = kept_menus[0].clone();
    menu.retired = true;
    db.store.update_service_menu(None, &menu).await.unwrap();
    let mut item = kept_menus[1].items[0].clone();
    item.label_ja = "サーバー名".into();
    db.store
        .update_menu_item(None, &kept_menus[1].key, &item)
        .await
        .unwrap();
    let mut ticket_type = kept_types[0].clone();
    ticket_type.plans.clear();
    db.store
        .update_ticket_type(None, &ticket_type)
        .await
        .unwrap();

    let menus = other.service_menus().await.unwrap();
    assert!(menus[0].retired);
    assert_eq!(menus[1].items[0].label_ja, "サーバー名");
    assert!(other.ticket_types().await.unwrap()[0].plans.is_empty());
    let kinds: Vec<String> = all_events(&db.store)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == EventKind::CatalogUpdated.code())
            .count(),
        3,
        "{kinds:?}"
    );
    other.close().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_reads_a_catalog_change_at_once_sqlite() {
    another_instance_reads_a_catalog_change_at_once(madoguchi_store::testing::Backend::Sqlite)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_reads_a_catalog_change_at_once_postgres() {
    another_instance_reads_a_catalog_change_at_once(madoguchi_store::testing::Backend::Postgres)
        .await;
}
