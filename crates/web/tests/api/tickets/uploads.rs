//! Uploads under issue 16: only users who may file or reply upload, a daily quota per user,
//! a refused reply keeps no file, names lose invisible formatting, risky types download as
//! bytes, an admin downloads their own upload, and crash leftovers are swept.

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{contract, file, grant, inquiry, world};
use crate::api_test;
use crate::helpers::{TestApp, error_fields};

async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let part = Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .unwrap();
    let response = app
        .client
        .post(app.url("/api/v1/attachments"))
        .bearer_auth(token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    crate::helpers::read(response).await
}

/// Rows (files, bytes) `user_id` uploaded ever.
async fn uploaded(app: &TestApp, user_id: &str) -> (i64, i64) {
    let used = app
        .db
        .store
        .uploaded_since(user_id, jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    (used.files, used.bytes)
}

/// Files in the data directory's attachments, `incoming/` included.
fn files_on_disk(app: &TestApp) -> usize {
    let root = app.data_dir().join("attachments");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return 0;
    };
    dirs.flatten()
        .filter(|d| d.path().is_dir())
        .map(|d| std::fs::read_dir(d.path()).unwrap().flatten().count())
        .sum()
}

api_test!(
    uploads_are_refused_to_those_who_may_file_nowhere_before_anything_is_stored,
    async |app: &TestApp| {
        let w = world(app).await;
        let (nobody_id, nobody) = app
            .user("nobody2@org.example", "customer", Some(&w.org))
            .await;
        let (viewer_id, viewer) = app
            .user("viewer2@org.example", "customer", Some(&w.org))
            .await;
        grant(app, &viewer_id, "ECL-B", "view").await;
        let (_, partner_org) = app
            .admin(
                Method::POST,
                "/api/v1/admin/organizations",
                Some(json!({ "name": "Resold 2" })),
            )
            .await;
        let partner_org = partner_org["id"].as_str().unwrap().to_owned();
        contract(
            app,
            &partner_org,
            "ECL-R2",
            "Example Communications Corp.",
            "basic",
            Some("Partner K.K."),
        )
        .await;
        let (resold_id, resold) = app
            .user("resold2@resold.example", "customer", Some(&partner_org))
            .await;
        grant(app, &resold_id, "ECL-R2", "edit").await;

        let before = files_on_disk(app);
        for (id, token) in [
            (&nobody_id, &nobody),
            (&viewer_id, &viewer),
            (&resold_id, &resold),
        ] {
            let (status, problem) = upload(
                app,
                token,
                "big.bin",
                "application/octet-stream",
                vec![7u8; 256 * 1024],
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("\"edit\" ticket permission"),
                "the refusal says what is missing: {problem}"
            );
            assert_eq!(
                uploaded(app, id).await,
                (0, 0),
                "no row for a refused upload"
            );
        }
        assert_eq!(files_on_disk(app), before, "no file for a refused upload");

        // Those who may file or reply upload.
        for token in [&w.filer, &w.agent, &app.admin_token] {
            let (status, a) = upload(app, token, "ok.txt", "text/plain", b"fine".to_vec()).await;
            assert_eq!(status, StatusCode::CREATED, "{a}");
        }
    }
);

api_test!(
    the_daily_upload_quota_refuses_before_storing_and_says_the_limit_and_reset,
    async |app: &TestApp| {
        let w = world(app).await;
        let (status, settings) = app.admin(Method::GET, "/api/v1/admin/settings", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(settings["upload_files_per_day"], 100);
        assert_eq!(settings["upload_bytes_per_day"], 200 * 1024 * 1024);
        let (status, problem) = app
            .admin(
                Method::PATCH,
                "/api/v1/admin/settings",
                Some(json!({ "upload_files_per_day": 0, "upload_bytes_per_day": 5 })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(
            error_fields(&problem),
            ["upload_bytes_per_day", "upload_files_per_day"]
        );

        let (status, settings) = app
            .admin(
                Method::PATCH,
                "/api/v1/admin/settings",
                Some(json!({ "upload_files_per_day": 2, "upload_bytes_per_day": 1048576 })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{settings}");
        assert_eq!(settings["upload_files_per_day"], 2);

        let (filer_id, filer) = app
            .user("quota@org.example", "customer", Some(&w.org))
            .await;
        grant(app, &filer_id, "ECL-B", "edit").await;
        // Bytes: a file that would pass the day's bytes is refused while it streams.
        let (status, _) = upload(
            app,
            &filer,
            "a.bin",
            "application/octet-stream",
            vec![1u8; 1048576 - 10],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, problem) = upload(
            app,
            &filer,
            "b.bin",
            "application/octet-stream",
            vec![2u8; 20],
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("1 MiB") && detail.contains("UTC"),
            "{detail}"
        );
        assert_eq!(
            uploaded(app, &filer_id).await,
            (1, 1048576 - 10),
            "the refused file left no row"
        );
        let incoming = app.data_dir().join("attachments/incoming");
        assert_eq!(
            std::fs::read_dir(&incoming).unwrap().count(),
            0,
            "nor a partial file"
        );

        // Files: the second of two fits, the third is refused before it is read.
        let (status, _) = upload(app, &filer, "c.txt", "text/plain", b"small".to_vec()).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, problem) = upload(app, &filer, "d.txt", "text/plain", b"small".to_vec()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        let tomorrow = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(24))
            .unwrap()
            .strftime("%Y-%m-%d 00:00 UTC")
            .to_string();
        assert!(
            detail.contains("2 files") && detail.contains(&tomorrow),
            "{detail}"
        );
        assert_eq!(problem["status"], 429);
        assert_eq!(uploaded(app, &filer_id).await.0, 2);

        // The quota is per user: another uploader is not held back.
        let (status, _) = upload(app, &w.agent, "e.txt", "text/plain", b"small".to_vec()).await;
        assert_eq!(status, StatusCode::CREATED);
    }
);

api_test!(
    names_lose_bidi_and_invisible_characters_and_risky_types_download_as_bytes,
    async |app: &TestApp| {
        let w = world(app).await;
        let (status, a) = upload(
            app,
            &w.filer,
            "invoice\u{202E}txt.exe",
            "text/html",
            b"<script>alert(1)</script>".to_vec(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        assert_eq!(a["filename"], "invoicetxt.exe");
        let (_, png) = upload(
            app,
            &w.filer,
            "shot\u{200B}.png",
            "image/png",
            b"\x89PNG\r\n".to_vec(),
        )
        .await;
        assert_eq!(png["filename"], "shot.png");

        let mut body = inquiry("ECL-B");
        body["attachments"] = json!([a["id"], png["id"]]);
        let ticket = file(app, &w.filer, body).await;
        let find = |name: &str| {
            ticket["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["filename"] == name)
                .unwrap()["url"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let response = app
            .call(Method::GET, &find("invoicetxt.exe"), Some(&w.viewer), None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "application/octet-stream"
        );
        assert_eq!(response.headers()["content-security-policy"], "sandbox");
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert_eq!(
            response.bytes().await.unwrap().as_ref(),
            b"<script>alert(1)</script>"
        );

        let response = app
            .call(Method::GET, &find("shot.png"), Some(&w.viewer), None)
            .await;
        assert_eq!(
            response.headers()["content-type"],
            "image/png",
            "allowed types keep theirs"
        );
    }
);

api_test!(
    an_admin_downloads_their_own_upload,
    async |app: &TestApp| {
        let w = world(app).await;
        let (status, a) = upload(
            app,
            &app.admin_token,
            "notes.txt",
            "text/plain",
            b"admin's notes".to_vec(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        let url = format!("/api/v1/attachments/{}", a["id"].as_str().unwrap());
        let response = app
            .call(Method::GET, &url, Some(&app.admin_token), None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.bytes().await.unwrap().as_ref(), b"admin's notes");
        // Still nobody else's.
        for token in [&w.filer, &w.agent] {
            let response = app.call(Method::GET, &url, Some(token), None).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND);
        }
    }
);

api_test!(
    a_refused_reply_leaves_neither_row_nor_file_and_the_quota_error_keeps_the_text,
    async |app: &TestApp| {
        let w = world(app).await;
        let ticket = file(app, &w.filer, inquiry("ECL-B")).await;
        let key = ticket["key"].as_str().unwrap().to_owned();
        // Edit on ECL-A lets them upload; view only on ECL-B lets them read, not reply.
        let (reader_id, _) = app
            .user("reader@org.example", "customer", Some(&w.org))
            .await;
        grant(app, &reader_id, "ECL-A", "edit").await;
        grant(app, &reader_id, "ECL-B", "view").await;
        let (browser, csrf) = app.log_in("reader@org.example").await;
        let before = files_on_disk(app);
        let form = Form::new()
            .text("csrf", csrf.clone())
            .text("body", "読むだけのはずが")
            .part(
                "attachments",
                Part::bytes(b"unique refused bytes".to_vec()).file_name("x.log"),
            );
        let response = browser
            .post(app.url(&format!("/tickets/{key}/messages")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("読むだけのはずが"), "the text is kept");
        assert_eq!(
            uploaded(app, &reader_id).await,
            (0, 0),
            "the refused reply's file has no row"
        );
        assert_eq!(files_on_disk(app), before, "nor a file");

        // The quota error shows at the upload control and keeps what was typed.
        app.admin(
            Method::PATCH,
            "/api/v1/admin/settings",
            Some(json!({ "upload_files_per_day": 1 })),
        )
        .await;
        let (browser, csrf) = app.log_in("filer@org.example").await;
        let (status, _) = upload(app, &w.filer, "first.txt", "text/plain", b"one".to_vec()).await;
        assert_eq!(status, StatusCode::CREATED);
        let form = Form::new()
            .text("csrf", csrf.clone())
            .text("body", "二つ目のファイルを添付します")
            .part(
                "attachments",
                Part::bytes(b"two".to_vec()).file_name("second.log"),
            );
        let response = browser
            .post(app.url(&format!("/tickets/{key}/messages")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("二つ目のファイルを添付します"),
            "the text is kept"
        );
        assert!(
            page.contains("second.log: You have uploaded 1 files today"),
            "the quota is named"
        );
    }
);

api_test!(
    files_without_a_row_and_incoming_leftovers_are_swept,
    async |app: &TestApp| {
        let w = world(app).await;
        let (_, kept) = upload(app, &w.filer, "kept.txt", "text/plain", b"kept".to_vec()).await;
        let root = app.data_dir().join("attachments");
        let sha = kept["sha256"].as_str().unwrap();
        let kept_path = root.join(&sha[..2]).join(sha);
        let orphan = root.join("ab").join(format!("ab{}", "0".repeat(62)));
        let partial = root.join("incoming").join("left-by-a-crash");
        let young = root.join("incoming").join("still-arriving");
        std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
        std::fs::create_dir_all(partial.parent().unwrap()).unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 3600);
        for path in [&orphan, &partial, &young] {
            std::fs::write(path, b"x").unwrap();
        }
        for path in [&orphan, &partial, &kept_path] {
            std::fs::File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        let hour_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
        let removed =
            madoguchi_app::attachments::sweep_orphans(&app.db.store, app.data_dir(), hour_ago)
                .await
                .unwrap();
        assert_eq!(removed, 2);
        assert!(
            !orphan.exists() && !partial.exists(),
            "the leftovers are gone"
        );
        assert!(kept_path.exists(), "a file with its row stays");
        assert!(young.exists(), "a file still arriving stays");
        let response = app
            .call(
                Method::GET,
                kept["url"].as_str().unwrap(),
                Some(&w.filer),
                None,
            )
            .await;
        assert_eq!(response.bytes().await.unwrap().as_ref(), b"kept");
    }
);

api_test!(
    a_ticket_refused_for_permission_leaves_neither_row_nor_file,
    async |app: &TestApp| {
        let w = world(app).await;
        // Edit on ECL-A lets them upload; view only on ECL-B does not let them file there.
        let (reader_id, _) = app
            .user("reader@org.example", "customer", Some(&w.org))
            .await;
        grant(app, &reader_id, "ECL-A", "edit").await;
        grant(app, &reader_id, "ECL-B", "view").await;
        let (browser, csrf) = app.log_in("reader@org.example").await;
        let before = files_on_disk(app);
        let form = Form::new()
            .text("csrf", csrf.clone())
            .text("action", "submit")
            .text("summary", "ファイル付きの問い合わせ")
            .part(
                "attachments",
                Part::bytes(b"unique refused ticket bytes".to_vec()).file_name("y.log"),
            );
        let response = browser
            .post(app.url("/tickets/new/ECL-B/general_inquiry"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            uploaded(app, &reader_id).await,
            (0, 0),
            "the refused ticket's file has no row"
        );
        assert_eq!(files_on_disk(app), before, "nor a file");
    }
);
