use madoguchi_core::values::Name;
use madoguchi_store::{PageRequest, Store, store_test};

store_test!(
    creates_and_reads_an_organization,
    |store: Store| async move {
        let org = store
            .create_organization(None, &Name::parse("株式会社サンプル").unwrap())
            .await
            .unwrap();
        assert_eq!(store.organization(&org.id).await.unwrap(), org);
        let page = store.organizations(&PageRequest::default()).await.unwrap();
        assert_eq!(page.items, vec![org]);
    }
);
