use madoguchi_app::demo::{self, DemoOutcome};
use madoguchi_app::identity;
use madoguchi_core::model::User;
use madoguchi_store::PageRequest;
use reqwest::Method;

use crate::api_test;
use crate::helpers::TestApp;

api_test!(
    the_demo_covers_every_case_and_loads_once,
    async |app: &TestApp| {
        let store = &app.db.store;
        let DemoOutcome::Loaded(logins) = demo::load(store).await.unwrap() else {
            panic!("demo not loaded")
        };
        assert!(matches!(
            demo::load(store).await.unwrap(),
            DemoOutcome::AlreadyPresent(_)
        ));
        for role in ["admin", "agent", "customer_admin", "customer"] {
            assert!(
                logins.iter().any(|l| l.role.code() == role),
                "no {role} login"
            );
        }
        // Every demo login can log in with the printed password.
        let config = madoguchi_web::config::Config::new(std::env::temp_dir());
        for login in &logins {
            let session = identity::log_in(
                store,
                config.session_lifetime,
                login.email,
                demo::DEMO_PASSWORD,
            )
            .await
            .unwrap();
            assert_eq!(session.user.email, login.email);
        }
        let (_, contracts) = app
            .admin(Method::GET, "/api/v1/admin/contracts?limit=200", None)
            .await;
        let contracts = contracts["items"].as_array().unwrap();
        for plan in ["basic", "advanced", "premium"] {
            assert!(
                contracts.iter().any(|c| c["plan"] == plan),
                "no {plan} contract"
            );
        }
        assert!(
            contracts
                .iter()
                .any(|c| c["channel"] == "partner" && c["partner_name"].is_string())
        );
        let corporations: std::collections::BTreeSet<_> = contracts
            .iter()
            .filter(|c| c["contract_number"].as_str().unwrap().starts_with("ECL-2"))
            .map(|c| c["contracting_corporation"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            corporations.len(),
            2,
            "one organization contracts through two corporations"
        );
        let page = PageRequest::new(Some(200), None).unwrap();
        let users: Vec<User> = store.users(&Default::default(), &page).await.unwrap().items;
        let no_permission = users
            .iter()
            .filter(|u| u.role.is_customer())
            .any(|u| u.email == "jiro@sample.example");
        assert!(no_permission);
        assert!(
            store
                .permissions_of(
                    &users
                        .iter()
                        .find(|u| u.email == "jiro@sample.example")
                        .unwrap()
                        .id
                )
                .await
                .unwrap()
                .is_empty()
        );
        let menus = store.service_menus().await.unwrap();
        assert!(menus.len() >= 8);

        // An English-UI demo user finds English articles first, in lists and suggestions.
        let olivia = users
            .iter()
            .find(|u| u.email == "olivia@global.example")
            .unwrap();
        assert_eq!(olivia.locale, madoguchi_core::Locale::En);
        let (_, token) = app
            .admin(
                Method::POST,
                &format!("/api/v1/admin/users/{}/tokens", olivia.id),
                None,
            )
            .await;
        let token = token["token"].as_str().unwrap();
        let (_, list) = app
            .as_user(token, Method::GET, "/api/v1/kb/articles?limit=20", None)
            .await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 20);
        assert!(items.iter().all(|a| a["language"] == "en"), "{list}");
        let (_, found) = app
            .as_user(token, Method::GET, "/api/v1/kb/suggest?q=snapshot", None)
            .await;
        assert_eq!(found["items"][0]["language"], "en", "{found}");
    }
);

api_test!(
    an_interrupted_demo_load_completes_and_other_data_is_left_alone,
    async |app: &TestApp| {
        // A staff login that already exists (added by hand, or by a load that stopped) is reused.
        let body = serde_json::json!({ "email": "lead@madoguchi.example", "name": "Lead", "role": "agent" });
        let (status, _) = app
            .admin(Method::POST, "/api/v1/admin/users", Some(body))
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED);
        assert!(matches!(
            demo::load(&app.db.store).await.unwrap(),
            DemoOutcome::Loaded(_)
        ));
        assert!(matches!(
            demo::load(&app.db.store).await.unwrap(),
            DemoOutcome::AlreadyPresent(_)
        ));
        let (_, orgs) = app
            .admin(Method::GET, "/api/v1/admin/organizations", None)
            .await;
        assert_eq!(orgs["items"].as_array().unwrap().len(), 3);

        let body = serde_json::json!({ "name": "A real customer" });
        app.admin(Method::POST, "/api/v1/admin/organizations", Some(body))
            .await;
        assert!(matches!(
            demo::load(&app.db.store).await.unwrap(),
            DemoOutcome::NotEmpty
        ));
    }
);
