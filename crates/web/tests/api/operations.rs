use reqwest::{Method, StatusCode};

use crate::api_test;
use crate::helpers::{TestApp, read};

api_test!(
    health_readiness_and_metrics_answer,
    async |app: &TestApp| {
        let (status, _) = read(app.call(Method::GET, "/healthz", None, None).await).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = read(app.call(Method::GET, "/readyz", None, None).await).await;
        assert_eq!(status, StatusCode::OK);
        let response = app
            .call(
                Method::GET,
                "/metrics",
                Some(crate::helpers::METRICS_TOKEN),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        assert!(text.contains("madoguchi_http_requests_total"), "{text}");
    }
);

api_test!(
    the_openapi_document_describes_the_api,
    async |app: &TestApp| {
        let (status, doc) =
            read(app.call(Method::GET, "/api/openapi.json", None, None).await).await;
        assert_eq!(status, StatusCode::OK);
        assert!(doc["openapi"].as_str().unwrap().starts_with('3'));
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/api/v1/me",
            "/api/v1/admin/organizations",
            "/api/v1/admin/organizations/{id}",
            "/api/v1/admin/tenants",
            "/api/v1/admin/contracts",
            "/api/v1/admin/users",
            "/api/v1/admin/users/{id}/tokens",
            "/api/v1/admin/permissions",
        ] {
            assert!(paths.contains_key(path), "{path} missing");
        }
        assert!(doc["paths"]["/api/v1/admin/permissions"]["put"].is_object());
        assert!(doc["components"]["schemas"]["Problem"].is_object());
        let required = doc["components"]["schemas"]["TicketInput"]["required"]
            .as_array()
            .expect("TicketInput lists required fields");
        for field in [
            "contract_number",
            "ticket_type",
            "summary",
            "service_menu",
            "tenant_id",
            "details",
        ] {
            assert!(required.iter().any(|r| r == field), "{field} is required");
        }
        for path in [
            "/api/v1/tickets",
            "/api/v1/tickets/{key}",
            "/api/v1/tickets/{key}/messages",
            "/api/v1/categories",
            "/api/v1/kb/articles",
        ] {
            assert!(paths.contains_key(path), "{path} missing");
        }
        // What OpenAPI 3.1 requires and clients rely on: a description on every response, a
        // unique operationId per operation; errors are described as the problem+json they are.
        let mut ids = std::collections::HashSet::new();
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap_or_default();
                assert!(
                    ids.insert(id.to_owned()),
                    "{method} {path}: operationId {id} twice"
                );
                for (code, response) in op["responses"].as_object().unwrap() {
                    let description = response["description"].as_str().unwrap_or_default();
                    assert!(
                        !description.is_empty(),
                        "{method} {path} {code}: no description"
                    );
                    if (code.starts_with('4') || code.starts_with('5'))
                        && let Some(content) = response["content"].as_object()
                    {
                        assert!(
                            content.keys().all(|k| k == "application/problem+json"),
                            "{method} {path} {code}: {:?}",
                            content.keys()
                        );
                    }
                }
            }
        }
    }
);
