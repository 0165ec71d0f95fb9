//! The customer admin's organization page (issue 13): their organization's users and who holds
//! which ticket permission on which contract, granted and revoked there; nothing of any other
//! organization, whose ids answer 404.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_test;
use crate::helpers::TestApp;

api_test!(
    a_customer_admin_manages_their_organization_and_sees_no_other,
    async |app: &TestApp| {
        let (org, _) = app
            .customer_org("株式会社自組織", "ECL-A1", "premium")
            .await;
        app.user("kanri@jisoshiki.example", "customer_admin", Some(&org))
            .await;
        let (colleague, _) = app
            .user("doryo@jisoshiki.example", "customer", Some(&org))
            .await;
        let (other_org, _) = app.customer_org("株式会社他社", "ECL-B1", "basic").await;
        let (stranger, _) = app
            .user("tanin@tasha.example", "customer", Some(&other_org))
            .await;
        let body = json!({ "user_id": stranger, "contract_number": "ECL-B1", "level": "edit" });
        app.admin(Method::PUT, "/api/v1/admin/permissions", Some(body))
            .await;

        let (browser, csrf) = app.log_in("kanri@jisoshiki.example").await;
        let get = |path: String| {
            let browser = browser.clone();
            let url = app.url(&path);
            async move {
                let response = browser.get(url).send().await.unwrap();
                (response.status(), response.text().await.unwrap())
            }
        };
        let (status, html) = get("/organization".into()).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(
            html.contains("href=\"/organization\""),
            "linked in the navigation"
        );
        assert!(html.contains("株式会社自組織"), "{html}");
        assert!(html.contains("User doryo@jisoshiki.example"), "{html}");
        assert!(html.contains("ECL-A1"), "{html}");
        assert!(
            !html.contains("tasha.example") && !html.contains("ECL-B1"),
            "{html}"
        );

        // The grid's grant comes back to this page, which shows it held.
        let grant = browser
            .post(app.url("/permissions"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("user_id", colleague.as_str()),
                ("contract_number", "ECL-A1"),
                ("level", "edit"),
                ("back", "/organization"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(grant.status(), StatusCode::SEE_OTHER);
        assert_eq!(grant.headers()["location"], "/organization?done=granted");
        let (_, html) = get(format!("/organization/users/{colleague}")).await;
        assert!(html.contains("User doryo@jisoshiki.example"), "{html}");
        assert!(html.contains("<option value=\"edit\" selected>"), "{html}");

        // Revoked from the user's own page, back to it.
        let back = format!("/organization/users/{colleague}");
        let revoke = browser
            .post(app.url("/permissions"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("user_id", colleague.as_str()),
                ("contract_number", "ECL-A1"),
                ("level", ""),
                ("back", back.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            revoke.headers()["location"],
            format!("{back}?done=revoked").as_str()
        );
        let (_, html) = get(format!("{back}?done=revoked")).await;
        assert!(html.contains("<option value=\"\" selected>"), "{html}");

        // Another organization's user is not there, as if no such page existed; nor is a
        // redirect to somewhere else honoured.
        let (status, html) = get(format!("/organization/users/{stranger}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!html.contains("tanin@tasha.example"), "{html}");
        let away = browser
            .post(app.url("/permissions"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("user_id", colleague.as_str()),
                ("contract_number", "ECL-A1"),
                ("level", "view"),
                ("back", "https://evil.example/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(away.headers()["location"], "/permissions?done=granted");

        // Nobody but a customer admin has this page.
        let (customer, _) = app.log_in("doryo@jisoshiki.example").await;
        let response = customer.get(app.url("/organization")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
);
