//! Contracts: an organization's contracts with the contracting corporations (SPEC §2).

use crate::common::*;
use madoguchi_core::event::EventKind;
use madoguchi_core::model::NewContract;
use madoguchi_core::values::ContractNumber;
use madoguchi_core::{Channel, PermissionLevel, SupportPlan};
use madoguchi_store::{PageRequest, Store, StoreError, store_test};

store_test!(
    a_contract_is_created_read_updated_and_deleted,
    |store: Store| async move {
        let org = organization(&store, "株式会社サンプル").await;
        let new = direct_contract(&org.id, "ECL-2024-0001", SupportPlan::Premium);
        let c = store.create_contract(None, &new).await.unwrap();
        assert_eq!(c.organization_id, org.id);
        assert_eq!(c.contract_number, "ECL-2024-0001");
        assert_eq!(c.product_line, "Enterprise Cloud 2.0");
        assert_eq!(c.contracting_corporation, "Example Communications Corp.");
        assert_eq!(c.plan, SupportPlan::Premium);
        assert_eq!(c.channel, Channel::Direct);
        assert_eq!(c.partner_name, None);
        assert_eq!(store.contract(&c.id).await.unwrap(), c);
        assert_eq!(store.contract_by_number("ECL-2024-0001").await.unwrap(), c);

        let terms = NewContract {
            contract_number: ContractNumber::parse("DC-0007").unwrap(),
            product_line: name("Data Center"),
            plan: SupportPlan::Basic,
            ..partner_contract(&org.id, "unused", "Partner Systems Inc.")
        };
        let updated = store.update_contract(None, &c.id, &terms).await.unwrap();
        assert_eq!(updated.id, c.id);
        assert_eq!(updated.organization_id, org.id);
        assert_eq!(updated.contract_number, "DC-0007");
        assert_eq!(updated.product_line, "Data Center");
        assert_eq!(updated.plan, SupportPlan::Basic);
        assert_eq!(updated.channel, Channel::Partner);
        assert_eq!(
            updated.partner_name.as_deref(),
            Some("Partner Systems Inc.")
        );
        assert_eq!(updated.created_at, c.created_at);
        assert_eq!(store.contract(&c.id).await.unwrap(), updated);
        assert_eq!(store.contract_by_number("DC-0007").await.unwrap(), updated);
        assert!(matches!(
            store.contract_by_number("ECL-2024-0001").await,
            Err(StoreError::NotFound)
        ));

        store.delete_contract(None, &c.id).await.unwrap();
        assert!(matches!(
            store.contract(&c.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.contracts_of(&org.id).await.unwrap().is_empty());
    }
);

store_test!(
    an_update_cannot_move_a_contract_to_another_organization,
    |store: Store| async move {
        let mine = organization(&store, "Mine").await;
        let theirs = organization(&store, "Theirs").await;
        let c = contract(&store, &mine.id, "ECL-0001").await;
        let updated = store
            .update_contract(
                None,
                &c.id,
                &direct_contract(&theirs.id, "ECL-0001", SupportPlan::Premium),
            )
            .await
            .unwrap();
        assert_eq!(updated.organization_id, mine.id);
        assert_eq!(updated.plan, SupportPlan::Premium);
    }
);

store_test!(a_missing_contract_is_not_found, |store: Store| async move {
    let org = organization(&store, "Org").await;
    let before = last_event_id(&store).await;
    assert!(matches!(
        store.contract("no-such-contract").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.contract_by_number("ECL-9999").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .update_contract(
                None,
                "no-such-contract",
                &direct_contract(&org.id, "ECL-9999", SupportPlan::Basic)
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_contract(None, "no-such-contract").await,
        Err(StoreError::NotFound)
    ));
    assert_no_event_since(&store, before).await;
});

store_test!(
    contracts_of_lists_one_organizations_contracts_by_number,
    |store: Store| async move {
        let mine = organization(&store, "Mine").await;
        let theirs = organization(&store, "Theirs").await;
        let c = contract(&store, &mine.id, "C-3").await;
        let a = contract(&store, &mine.id, "A-1").await;
        let b = contract(&store, &mine.id, "B-2").await;
        contract(&store, &theirs.id, "A-0").await;
        assert_eq!(store.contracts_of(&mine.id).await.unwrap(), vec![a, b, c]);
        assert!(store.contracts_of("no-such-org").await.unwrap().is_empty());
    }
);

store_test!(
    contracts_are_paged_for_one_organization_or_all,
    |store: Store| async move {
        let mine = organization(&store, "Mine").await;
        let theirs = organization(&store, "Theirs").await;
        let mut my_contracts = Vec::new();
        for i in 1..=5 {
            my_contracts.push(contract(&store, &mine.id, &format!("ECL-{i:04}")).await.id);
        }
        let their_contract = contract(&store, &theirs.id, "DC-0001").await;

        let pages = all_pages(2, async |page| {
            store.contracts(Some(&mine.id), &page).await.unwrap()
        })
        .await;
        assert_eq!(sizes(&pages), [2, 2, 1]);
        let listed: Vec<String> = pages.into_iter().flatten().map(|c| c.id).collect();
        assert_eq!(listed, sorted(my_contracts.clone()));

        let pages = all_pages(2, async |page| store.contracts(None, &page).await.unwrap()).await;
        assert_eq!(sizes(&pages), [2, 2, 2]);
        let everyone: Vec<String> = pages.into_iter().flatten().map(|c| c.id).collect();
        assert_eq!(
            everyone,
            sorted(my_contracts.into_iter().chain([their_contract.id.clone()]))
        );

        let theirs_only = store
            .contracts(Some(&theirs.id), &PageRequest::default())
            .await
            .unwrap();
        assert_eq!(theirs_only.items, vec![their_contract]);
        assert_eq!(theirs_only.next_cursor, None);
    }
);

store_test!(
    duplicate_contract_number_is_taken,
    |store: Store| async move {
        let first = organization(&store, "First").await;
        let second = organization(&store, "Second").await;
        let existing = contract(&store, &first.id, "ECL-2024-0001").await;
        let before = last_event_id(&store).await;
        // Contract numbers are unique across the service, not only within an organization.
        for org in [&first, &second] {
            let err = store
                .create_contract(
                    None,
                    &direct_contract(&org.id, "ECL-2024-0001", SupportPlan::Basic),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    StoreError::Taken {
                        field: "contract_number"
                    }
                ),
                "got {err:?}"
            );
        }
        assert_no_event_since(&store, before).await;
        let all = store
            .contracts(None, &PageRequest::default())
            .await
            .unwrap();
        assert_eq!(all.items, vec![existing]);
    }
);

store_test!(
    updating_to_a_taken_contract_number_is_taken_and_changes_nothing,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        contract(&store, &org.id, "ECL-0001").await;
        let second = contract(&store, &org.id, "ECL-0002").await;
        let before = last_event_id(&store).await;
        let err = store
            .update_contract(
                None,
                &second.id,
                &direct_contract(&org.id, "ECL-0001", SupportPlan::Premium),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Taken {
                    field: "contract_number"
                }
            ),
            "got {err:?}"
        );
        assert_eq!(store.contract(&second.id).await.unwrap(), second);
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    a_contract_of_a_missing_organization_is_dangling,
    |store: Store| async move {
        let before = last_event_id(&store).await;
        let err = store
            .create_contract(
                None,
                &direct_contract("no-such-org", "ECL-0001", SupportPlan::Basic),
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
            store.contract_by_number("ECL-0001").await,
            Err(StoreError::NotFound)
        ));
    }
);

store_test!(
    a_partner_contract_names_its_partner,
    |store: Store| async move {
        let org = organization(&store, "Resold").await;
        let c = store
            .create_contract(
                None,
                &partner_contract(&org.id, "PTN-0001", "Partner Systems Inc."),
            )
            .await
            .unwrap();
        assert_eq!(c.channel, Channel::Partner);
        assert_eq!(c.partner_name.as_deref(), Some("Partner Systems Inc."));
        assert_eq!(store.contract(&c.id).await.unwrap(), c);
    }
);

store_test!(
    a_partner_contract_without_a_partner_name_is_refused,
    |store: Store| async move {
        let org = organization(&store, "Resold").await;
        let before = last_event_id(&store).await;
        let nameless = NewContract {
            partner_name: None,
            ..partner_contract(&org.id, "PTN-0001", "unused")
        };
        let result = store.create_contract(None, &nameless).await;
        assert!(result.is_err(), "got {result:?}");
        assert!(store.contracts_of(&org.id).await.unwrap().is_empty());
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    a_direct_contract_with_a_partner_name_is_refused,
    |store: Store| async move {
        let org = organization(&store, "Direct").await;
        let before = last_event_id(&store).await;
        let confused = NewContract {
            partner_name: Some(name("Partner Systems Inc.")),
            ..direct_contract(&org.id, "ECL-0001", SupportPlan::Basic)
        };
        let result = store.create_contract(None, &confused).await;
        assert!(result.is_err(), "got {result:?}");
        assert!(store.contracts_of(&org.id).await.unwrap().is_empty());
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    switching_a_contract_to_partner_without_a_partner_name_is_refused,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let c = contract(&store, &org.id, "ECL-0001").await;
        let before = last_event_id(&store).await;
        let nameless = NewContract {
            partner_name: None,
            ..partner_contract(&org.id, "ECL-0001", "unused")
        };
        let result = store.update_contract(None, &c.id, &nameless).await;
        assert!(result.is_err(), "got {result:?}");
        assert_eq!(store.contract(&c.id).await.unwrap(), c);
        assert_no_event_since(&store, before).await;
    }
);

store_test!(
    deleting_a_contract_removes_the_permissions_on_it,
    |store: Store| async move {
        let org = organization(&store, "Org").await;
        let kept = contract(&store, &org.id, "ECL-0001").await;
        let gone = contract(&store, &org.id, "ECL-0002").await;
        let user = customer(&store, &org.id, "taro@sample.example").await;
        for c in [&kept, &gone] {
            store
                .grant_permission(None, &user.id, &c.id, PermissionLevel::Edit)
                .await
                .unwrap();
        }
        store.delete_contract(None, &gone.id).await.unwrap();
        let left = store.permissions_of(&user.id).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].contract_id, kept.id);
    }
);

store_test!(
    each_contract_write_logs_one_event_for_its_organization,
    |store: Store| async move {
        let admin = admin(&store).await;
        let actor = Some(admin.id.as_str());
        let org = organization(&store, "株式会社サンプル").await;

        let before = last_event_id(&store).await;
        let c = store
            .create_contract(
                actor,
                &direct_contract(&org.id, "ECL-0001", SupportPlan::Advanced),
            )
            .await
            .unwrap();
        let created = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::ContractCreated,
                actor,
                subject: &c.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(created.data["contract_number"], "ECL-0001");
        assert_eq!(created.data["plan"], "advanced");
        assert_eq!(created.data["channel"], "direct");

        let before = last_event_id(&store).await;
        store
            .update_contract(
                actor,
                &c.id,
                &direct_contract(&org.id, "ECL-0001", SupportPlan::Premium),
            )
            .await
            .unwrap();
        let updated = assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::ContractUpdated,
                actor,
                subject: &c.id,
                organization: Some(&org.id),
            },
        )
        .await;
        assert_eq!(updated.data["plan"], "premium");

        let before = last_event_id(&store).await;
        store.delete_contract(actor, &c.id).await.unwrap();
        assert_one_event(
            &store,
            before,
            Expected {
                kind: EventKind::ContractDeleted,
                actor,
                subject: &c.id,
                organization: Some(&org.id),
            },
        )
        .await;
    }
);
