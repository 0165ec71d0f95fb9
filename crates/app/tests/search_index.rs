//! The search indexes are derived data: they follow the event log while serving (a new
//! ticket is searchable within a second without anyone asking), catch up at start with what
//! was written while they were closed, and a deleted index is rebuilt from the store and
//! answers the same queries the same.

use std::time::{Duration, Instant};

use madoguchi_app::search::{Search, SearchConfig};
use madoguchi_app::{demo, tickets};
use madoguchi_core::model::User;
use madoguchi_core::values::{Email, Name};
use madoguchi_search::{TicketSearch, TicketSort};
use madoguchi_store::{Store, UserChanges, store_test};

fn config(dir: &std::path::Path) -> SearchConfig {
    SearchConfig {
        index_dir: Some(dir.to_owned()),
        dictionary_dir: std::env::temp_dir().join("madoguchi-test-ipadic"),
        ipadic_sources: madoguchi_search::dictionary::DEBIAN_IPADIC.into(),
    }
}

async fn user(store: &Store, email: &str) -> User {
    store
        .user_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
}

/// The ids a user's search answers, best first.
async fn answers(search: &Search, store: &Store, user: &User, words: &str) -> Vec<String> {
    search.catch_up(store).await.unwrap();
    let visibility = search.visibility(store, user).await.unwrap();
    let query = TicketSearch {
        text: words.to_owned(),
        limit: 50,
        sort: TicketSort::Relevance,
        ..Default::default()
    };
    let synonyms = search.synonyms();
    search
        .indexes()
        .tickets
        .search(&synonyms, &visibility, &query)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

const QUERIES: &[&str] = &[
    "起動しない",
    "ネットワーク",
    "請求",
    "SD-1",
    "バックアップ",
    "ログイン",
    "障害",
];

store_test!(
    a_deleted_index_is_rebuilt_and_answers_the_same,
    async |store: Store| {
        demo::load(&store).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let customer = user(&store, "taro@sample.example").await;
        let agent = user(&store, "agent.general@madoguchi.example").await;
        let before = {
            let search = Search::open(&store, &config(dir.path())).await.unwrap();
            assert!(!search.indexes().tickets.is_empty());
            assert!(search.indexes().articles.len() >= 150);
            let mut all = Vec::new();
            for q in QUERIES {
                all.push(answers(&search, &store, &customer, q).await);
                all.push(answers(&search, &store, &agent, q).await);
            }
            all
        };
        assert!(
            before.iter().any(|a| !a.is_empty()),
            "the queries find something"
        );
        std::fs::remove_dir_all(dir.path().join("tickets")).unwrap();
        std::fs::remove_dir_all(dir.path().join("articles")).unwrap();
        std::fs::remove_file(dir.path().join("cursor")).unwrap();
        let search = Search::open(&store, &config(dir.path())).await.unwrap();
        let mut after = Vec::new();
        for q in QUERIES {
            after.push(answers(&search, &store, &customer, q).await);
            after.push(answers(&search, &store, &agent, q).await);
        }
        assert_eq!(before, after);
    }
);

store_test!(
    an_index_catches_up_at_start_and_follows_the_log_within_a_second,
    async |store: Store| {
        demo::load(&store).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let customer = user(&store, "taro@sample.example").await;
        let search = Search::open(&store, &config(dir.path())).await.unwrap();
        drop(search);
        // Written while no index is open.
        let first = file(
            &store,
            &customer,
            "オブジェクトストレージの署名エラーについて",
        )
        .await;
        let search = Search::open(&store, &config(dir.path())).await.unwrap();
        let visibility = search.visibility(&store, &customer).await.unwrap();
        let found = |words: &str| {
            let query = TicketSearch {
                text: words.to_owned(),
                limit: 10,
                ..Default::default()
            };
            search
                .indexes()
                .tickets
                .search(&search.synonyms(), &visibility, &query)
                .unwrap()
                .hits
                .into_iter()
                .map(|h| h.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(found("署名エラー"), [first], "caught up at start");

        // While serving, the follower applies new events without any search asking.
        let follower = tokio::spawn(madoguchi_app::search::follow(
            std::sync::Arc::clone(&search),
            store.clone(),
        ));
        let second = file(&store, &customer, "コンテナレジストリのプッシュが遅い").await;
        let filed = Instant::now();
        loop {
            if found("コンテナレジストリ") == [second.clone()] {
                break;
            }
            assert!(
                filed.elapsed() < Duration::from_secs(1),
                "not searchable within a second"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        follower.abort();
    }
);

store_test!(
    renaming_a_requester_or_their_organization_reindexes_their_tickets,
    async |store: Store| {
        demo::load(&store).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let customer = user(&store, "taro@sample.example").await;
        let agent = user(&store, "agent.general@madoguchi.example").await;
        let organization = customer.organization_id.clone().unwrap();
        let search = Search::open(&store, &config(dir.path())).await.unwrap();
        let ticket = file(&store, &customer, "ロードバランサーの証明書を更新したい").await;
        search.catch_up(&store).await.unwrap();
        let visibility = search.visibility(&store, &agent).await.unwrap();
        // Straight from the index: only the follower brings it up to date.
        let finds = |words: &str| {
            let query = TicketSearch {
                text: words.to_owned(),
                limit: 500,
                ..Default::default()
            };
            search
                .indexes()
                .tickets
                .search(&search.synonyms(), &visibility, &query)
                .unwrap()
                .hits
                .iter()
                .any(|h| h.id == ticket)
        };
        let old_name = customer.name.clone();
        assert!(finds(&old_name), "found by the requester's name");
        assert!(finds("taro@sample.example"), "and email");
        assert!(finds("サンプル商事"), "and organization");
        assert!(!finds("鈴木 一郎") && !finds("リネーム工業"));

        let follower = tokio::spawn(madoguchi_app::search::follow(
            std::sync::Arc::clone(&search),
            store.clone(),
        ));
        let changes = UserChanges {
            name: Some(Name::parse("鈴木 一郎").unwrap()),
            email: Some(Email::parse("ichiro@renamed.example").unwrap()),
            ..Default::default()
        };
        store
            .update_user(None, &customer.id, &changes)
            .await
            .unwrap();
        store
            .rename_organization(
                None,
                &organization,
                &Name::parse("株式会社リネーム工業").unwrap(),
            )
            .await
            .unwrap();
        let renamed = Instant::now();
        loop {
            let new = [
                finds("鈴木 一郎"),
                finds("ichiro@renamed.example"),
                finds("リネーム工業"),
            ];
            let old = [
                finds(&old_name),
                finds("taro@sample.example"),
                finds("サンプル商事"),
            ];
            if new == [true; 3] && old == [false; 3] {
                break;
            }
            assert!(
                renamed.elapsed() < Duration::from_secs(1),
                "not reindexed within a second: by the new names {new:?}, by the old {old:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        follower.abort();
    }
);

/// Files a general inquiry for `customer` under their first category; answers its id.
async fn file(store: &Store, customer: &User, summary: &str) -> String {
    let choice = tickets::categories(store, customer).await.unwrap();
    let category = choice
        .categories
        .first()
        .expect("the demo customer may file");
    let input = tickets::TicketInput {
        contract_number: Some(category.contract_number.clone()),
        ticket_type: Some("general_inquiry".into()),
        summary: Some(summary.into()),
        service_menu: Some("other".into()),
        tenant_id: store
            .tenants(
                customer.organization_id.as_deref(),
                &madoguchi_store::PageRequest::new(Some(1), None).unwrap(),
            )
            .await
            .unwrap()
            .items
            .first()
            .map(|t| t.tenant_id.clone()),
        details: Some("詳しく教えてください。".into()),
        menu_fields: [("service_name".to_owned(), "storage".to_owned())].into(),
        ..Default::default()
    };
    tickets::file(store, customer, &input, 0).await.unwrap().id
}

store_test!(
    a_draft_never_reaches_the_suggestions_even_from_a_stale_index,
    async |store: Store| {
        let writer = store
            .create_user(
                None,
                &madoguchi_core::model::NewUser {
                    email: Email::parse("kb@support.example").unwrap(),
                    name: Name::parse("KB").unwrap(),
                    role: madoguchi_core::Role::Agent,
                    organization_id: None,
                    locale: madoguchi_core::Locale::Ja,
                    password_hash: None,
                    time_zone: None,
                    desks: vec![madoguchi_core::Desk::General],
                },
            )
            .await
            .unwrap();
        let input = |title: &str, published: bool| madoguchi_app::knowledge::ArticleInput {
            kind: Some("faq".into()),
            title: Some(title.into()),
            body: Some("ポータルにログインできないときの確認事項です。".into()),
            published,
            ..Default::default()
        };
        let draft =
            madoguchi_app::knowledge::create(&store, &writer, &input("ログインの下書き", false))
                .await
                .unwrap();
        let published =
            madoguchi_app::knowledge::create(&store, &writer, &input("ログインの確認", true))
                .await
                .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let search = Search::open(&store, &config(dir.path())).await.unwrap();
        search.catch_up(&store).await.unwrap();
        // An index behind the store (a publish it has applied, an unpublish it has not yet)
        // holds the draft as published: the store's read of the hits still leaves it out.
        let articles = &search.indexes().articles;
        articles
            .put(&madoguchi_search::ArticleDoc {
                id: draft.id.clone(),
                kind: "faq".into(),
                title: "ログインの下書き".into(),
                body: "ポータルにログインできないときの確認事項です。".into(),
                language: "ja".into(),
                published: true,
                ..Default::default()
            })
            .unwrap();
        articles.commit().unwrap();
        let found = madoguchi_app::knowledge::suggest(
            &store,
            &search,
            "ポータルにログインできない",
            None,
            Some("ja"),
        )
        .await
        .unwrap();
        let ids: Vec<_> = found.iter().map(|f| f.article.id.as_str()).collect();
        assert_eq!(ids, [published.id.as_str()]);
    }
);
