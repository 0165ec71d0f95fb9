//! Email out (SPEC §5, issue 11): who hears what, in their language, over a real SMTP
//! conversation on loopback; preferences; the outbox's retries, parking and manual retry;
//! nothing lost or sent twice when a worker dies. On both databases.

use jiff::{SignedDuration, Timestamp};
use madoguchi_app::notify::{LEASE, claim_only, run_outbox};
use madoguchi_core::notify::MAX_ATTEMPTS;
use madoguchi_mail::{Incoming, ReplyToken};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{MAIL_DOMAIN, TestApp, error_fields};
use crate::notify_world::{mailer, world};
use crate::smtp::{Received, SmtpServer};
use crate::{api_test, smtp_test};

fn to<'a>(mails: &'a [Received], address: &str) -> Vec<&'a Received> {
    mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t == address))
        .collect()
}

fn parsed(m: &Received) -> Incoming {
    madoguchi_mail::parse(&m.data).unwrap()
}

/// The value of a header in the raw message (first occurrence, unfolded).
fn header(m: &Received, name: &str) -> String {
    let text = m.text();
    let head = text.split("\r\n\r\n").next().unwrap().replace("\r\n ", " ");
    head.lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default()
}

async fn deliver(app: &TestApp, smtp: &SmtpServer) -> madoguchi_app::notify::Round {
    run_outbox(
        &app.db.store,
        &mailer(app, Some(&smtp.url)),
        Timestamp::now(),
    )
    .await
    .unwrap()
}

smtp_test!(
    an_agent_reply_emails_the_filer_and_participants_in_their_language,
    async |app: &TestApp, smtp: &SmtpServer| {
        let w = world(app).await;
        w.agent_says(app, "再起動の手順をご案内します。", false)
            .await;
        deliver(app, smtp).await;
        let mails = smtp.received();
        assert_eq!(mails.len(), 2, "the filer and the participant: {mails:?}");

        let hanako = to(&mails, "hanako@example.co.jp");
        assert_eq!(hanako.len(), 1);
        let m = hanako[0];
        let p = parsed(m);
        // Japanese subject and display names travel as encoded words, and decode back.
        assert!(
            header(m, "Subject").to_lowercase().contains("=?utf-8?b?"),
            "{}",
            m.text()
        );
        assert_eq!(
            p.subject,
            format!(
                "[{}] サポートから回答がありました: 仮想サーバーが起動しない",
                w.key
            )
        );
        assert!(
            header(m, "To").to_lowercase().contains("=?utf-8?"),
            "{}",
            header(m, "To")
        );
        assert_eq!(p.from, format!("support@{MAIL_DOMAIN}"));
        // Both parts, the greeting, the key and the link; no message text by default.
        assert!(m.text().contains("multipart/alternative") && m.text().contains("text/html"));
        assert!(p.text.contains("山田 花子 様"), "{}", p.text);
        assert!(
            p.text.contains(&format!("/tickets/{}", w.key)),
            "{}",
            p.text
        );
        assert!(
            !p.text.contains("再起動の手順"),
            "content-free by default: {}",
            p.text
        );
        // One thread per ticket: each email's own id, the ticket's root in the thread headers.
        let id = header(m, "Message-ID");
        assert!(
            id.starts_with("<n") && id.ends_with(&format!(".{}@{MAIL_DOMAIN}>", w.key)),
            "{id}"
        );
        let root = header(m, "In-Reply-To");
        assert!(
            root.starts_with("<ticket.") && root.ends_with(&format!("@{MAIL_DOMAIN}>")),
            "{root}"
        );
        assert_eq!(header(m, "References"), root);
        assert_eq!(header(m, "Auto-Submitted"), "auto-generated");
        // The signed Reply-To names this ticket and this recipient.
        let reply_to = header(m, "Reply-To");
        let address = reply_to
            .rsplit_once('<')
            .map(|(_, a)| a.trim_end_matches('>').to_owned())
            .unwrap_or(reply_to.clone());
        let token = ReplyToken::from_address(&address, MAIL_DOMAIN).unwrap();
        let secret = app.db.store.mail_secret().await.unwrap();
        let named = ReplyToken::verify(secret.as_bytes(), token).unwrap();
        assert_eq!(named.user_id, w.hanako_id);
        assert_eq!(format!("SD-{}", named.ticket_number), w.key);

        // Taro reads English.
        let taro = to(&mails, "taro@example.co.jp");
        let p = parsed(taro[0]);
        assert_eq!(
            p.subject,
            format!("[{}] Support replied: 仮想サーバーが起動しない", w.key)
        );
        assert!(p.text.contains("Dear Taro Suzuki,"), "{}", p.text);
        assert_ne!(header(taro[0], "Message-ID"), id);
        assert_eq!(header(taro[0], "In-Reply-To"), root);

        // Nothing goes twice.
        deliver(app, smtp).await;
        assert_eq!(smtp.received().len(), 2);
    }
);

smtp_test!(
    full_text_emails_carry_the_reply_only_when_the_operator_says_so,
    async |app: &TestApp, smtp: &SmtpServer| {
        let w = world(app).await;
        let (status, s) = app
            .admin(
                Method::PATCH,
                "/api/v1/admin/settings",
                Some(json!({ "full_text_emails": true })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{s}");
        w.agent_says(app, "ファームウェアを更新してください。", false)
            .await;
        deliver(app, smtp).await;
        let mails = smtp.received();
        let p = parsed(to(&mails, "hanako@example.co.jp")[0]);
        assert!(
            p.text.contains("ファームウェアを更新してください。"),
            "{}",
            p.text
        );
    }
);

smtp_test!(
    internal_notes_are_never_emailed_by_any_path,
    async |app: &TestApp, smtp: &SmtpServer| {
        let w = world(app).await;
        app.admin(
            Method::PATCH,
            "/api/v1/admin/settings",
            Some(json!({ "full_text_emails": true })),
        )
        .await;
        w.agent_says(app, "社内メモ: 契約更新の交渉中", true).await;
        // A note that also asks something of the customer stays a note.
        let (status, m) = app
            .as_user(
                &w.agent,
                Method::POST,
                &format!("/api/v1/tickets/{}/messages", w.key),
                Some(json!({ "body": "社内メモ: 回答待ちにする", "internal": true, "status": "waiting_for_customer" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        let round = deliver(app, smtp).await;
        assert!(smtp.received().is_empty(), "{:?}", smtp.received());
        assert_eq!(round.sent, 0);
        // The next public reply's full text holds that reply alone.
        w.agent_says(app, "公開の回答です。", false).await;
        deliver(app, smtp).await;
        for m in smtp.received() {
            let text = m.text();
            let p = parsed(&m);
            assert!(p.text.contains("公開の回答です。"), "{}", p.text);
            assert!(
                !p.text.contains("社内メモ") && !text.contains("社内メモ"),
                "{text}"
            );
        }
        assert_eq!(smtp.received().len(), 2);
    }
);

smtp_test!(
    preferences_are_shown_changed_and_honoured,
    async |app: &TestApp, smtp: &SmtpServer| {
        let w = world(app).await;
        let (status, prefs) = app
            .as_user(&w.hanako, Method::GET, "/api/v1/me/notifications", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{prefs}");
        let kinds: Vec<&str> = prefs["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "ticket_replied",
                "status_changed",
                "ticket_closed",
                "ticket_merged"
            ]
        );
        assert_eq!(prefs["kinds"][0]["name"], "サポートからの回答");
        assert!(
            prefs["kinds"]
                .as_array()
                .unwrap()
                .iter()
                .all(|k| k["enabled"] == true)
        );

        let body = json!({ "kinds": [{ "kind": "ticket_replied", "enabled": false }] });
        let (status, prefs) = app
            .as_user(
                &w.hanako,
                Method::PUT,
                "/api/v1/me/notifications",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{prefs}");
        assert_eq!(prefs["kinds"][0]["enabled"], false);
        assert_eq!(prefs["kinds"][1]["enabled"], true);

        // A kind that does not exist, or that a customer cannot receive, is named.
        for bad in ["nonsense", "customer_replied"] {
            let body = json!({ "kinds": [{ "kind": bad, "enabled": false }] });
            let (status, p) = app
                .as_user(
                    &w.hanako,
                    Method::PUT,
                    "/api/v1/me/notifications",
                    Some(body),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
            assert_eq!(error_fields(&p), ["kinds[0].kind"]);
        }
        let response = app
            .call(Method::GET, "/api/v1/me/notifications", None, None)
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

        w.agent_says(app, "回答です。", false).await;
        deliver(app, smtp).await;
        let mails = smtp.received();
        assert!(
            to(&mails, "hanako@example.co.jp").is_empty(),
            "switched off"
        );
        assert_eq!(to(&mails, "taro@example.co.jp").len(), 1);
        let (_, skipped) = app
            .admin(Method::GET, "/api/v1/admin/outbox?state=skipped", None)
            .await;
        assert!(
            skipped["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["recipient"] == format!("user:{}", w.hanako_id)
                    && i["skipped"] == "switched_off"),
            "{skipped}"
        );
    }
);

smtp_test!(
    a_revoked_permission_stops_the_emails_at_once,
    async |app: &TestApp, smtp: &SmtpServer| {
        let w = world(app).await;
        // The filer loses her permission; the colleague, a participant who still holds his,
        // still hears.
        let body = json!({ "user_id": w.hanako_id, "contract_number": "ECL-A" });
        let (status, p) = app
            .admin(Method::DELETE, "/api/v1/admin/permissions", Some(body))
            .await;
        assert!(status.is_success(), "{p}");
        w.agent_says(app, "回答です。", false).await;
        deliver(app, smtp).await;
        let mails = smtp.received();
        assert_eq!(mails.len(), 1);
        assert_eq!(to(&mails, "taro@example.co.jp").len(), 1);
        let (_, skipped) = app
            .admin(Method::GET, "/api/v1/admin/outbox?state=skipped", None)
            .await;
        assert!(
            skipped["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["recipient"] == format!("user:{}", w.hanako_id)
                    && i["skipped"] == "no_access"),
            "{skipped}"
        );

        // The participant loses his too: being named on the ticket does not keep him hearing
        // of it (SPEC §1, visibility follows the live permission).
        let body = json!({ "user_id": w.taro_id, "contract_number": "ECL-A" });
        let (status, p) = app
            .admin(Method::DELETE, "/api/v1/admin/permissions", Some(body))
            .await;
        assert!(status.is_success(), "{p}");
        w.agent_says(app, "続報です。", false).await;
        deliver(app, smtp).await;
        assert_eq!(smtp.received().len(), 1, "nobody heard the second reply");
        let (_, skipped) = app
            .admin(Method::GET, "/api/v1/admin/outbox?state=skipped", None)
            .await;
        assert!(
            skipped["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["recipient"] == format!("user:{}", w.taro_id)
                    && i["skipped"] == "no_access"),
            "{skipped}"
        );
    }
);

smtp_test!(
    the_desk_address_and_the_assignee_hear_customer_replies,
    async |app: &TestApp, smtp: &SmtpServer| {
        let w = world(app).await;
        let (status, d) = app
            .admin(
                Method::PUT,
                "/api/v1/admin/desks/general/email",
                Some(json!({ "email": "desk@support.example" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{d}");
        let (status, d) = app
            .admin(
                Method::PUT,
                "/api/v1/admin/desks/general/email",
                Some(json!({ "email": "not an address" })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{d}");
        assert_eq!(error_fields(&d), ["email"]);
        let (status, p) = app
            .as_user(
                &w.agent,
                Method::PATCH,
                &format!("/api/v1/tickets/{}", w.key),
                Some(json!({ "assignee": w.agent_id })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{p}");
        let (status, m) = app
            .as_user(
                &w.hanako,
                Method::POST,
                &format!("/api/v1/tickets/{}/messages", w.key),
                Some(json!({ "body": "まだ起動しません。" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        deliver(app, smtp).await;
        let mails = smtp.received();
        // The desk hears of the new ticket (queued when it was filed) and of the reply.
        let desk = to(&mails, "desk@support.example");
        let subjects: Vec<String> = desk.iter().map(|m| parsed(m).subject).collect();
        assert_eq!(desk.len(), 2, "{subjects:?}");
        assert!(
            subjects
                .iter()
                .any(|s| s.contains("新しいチケットが届きました")),
            "{subjects:?}"
        );
        assert!(
            subjects
                .iter()
                .any(|s| s.contains("お客さまから返信がありました")),
            "{subjects:?}"
        );
        assert!(
            desk.iter().all(|m| header(m, "Reply-To").is_empty()),
            "a desk address names nobody to reply as"
        );
        let agent = to(&mails, "agent@support.example");
        assert_eq!(agent.len(), 1, "{mails:?}");
        assert!(!header(agent[0], "Reply-To").is_empty());
        assert!(
            to(&mails, "hanako@example.co.jp").is_empty(),
            "nobody hears of their own reply"
        );
    }
);

smtp_test!(
    a_worker_that_dies_after_claiming_loses_nothing_and_nothing_goes_twice,
    async |app: &TestApp, smtp: &SmtpServer| {
        let w = world(app).await;
        w.agent_says(app, "回答です。", false).await;
        let store = &app.db.store;
        let now = Timestamp::now();
        // A worker claims the due rows and dies before sending.
        assert!(claim_only(store, now).await.unwrap() >= 2);
        let m = mailer(app, Some(&smtp.url));
        // Until its claim runs out, no other worker sends them…
        let round = run_outbox(store, &m, now).await.unwrap();
        assert_eq!(round.sent, 0);
        assert!(smtp.received().is_empty());
        // …then another does, once, even with two of them at it together.
        let later = now + LEASE + SignedDuration::from_secs(1);
        let (a, b) = tokio::join!(run_outbox(store, &m, later), run_outbox(store, &m, later));
        assert_eq!(a.unwrap().sent + b.unwrap().sent, 2);
        run_outbox(store, &m, later).await.unwrap();
        let mails = smtp.received();
        assert_eq!(mails.len(), 2, "{mails:?}");
        assert_eq!(to(&mails, "hanako@example.co.jp").len(), 1);
    }
);

smtp_test!(
    a_message_the_server_refuses_is_retried_parked_and_sent_on_an_admins_retry,
    async |app: &TestApp, smtp: &SmtpServer| {
        let w = world(app).await;
        let (_, taro_prefs) = app
            .as_user(
                &w.taro,
                Method::PUT,
                "/api/v1/me/notifications",
                Some(json!({ "kinds": [{ "kind": "ticket_replied", "enabled": false }] })),
            )
            .await;
        assert_eq!(taro_prefs["kinds"][0]["enabled"], false);
        smtp.refuse(true);
        w.agent_says(app, "回答です。", false).await;
        let store = &app.db.store;
        let m = mailer(app, Some(&smtp.url));
        let mut now = Timestamp::now();
        for attempt in 1..=MAX_ATTEMPTS {
            let round = run_outbox(store, &m, now).await.unwrap();
            if attempt < MAX_ATTEMPTS {
                assert_eq!(round.failed, 1, "attempt {attempt}");
            } else {
                assert_eq!(round.parked, 1, "attempt {attempt}");
            }
            now += SignedDuration::from_hours(2);
        }
        assert!(smtp.received().is_empty());
        let (status, parked) = app.admin(Method::GET, "/api/v1/admin/outbox", None).await;
        assert_eq!(status, StatusCode::OK, "{parked}");
        let items = parked["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{parked}");
        assert_eq!(items[0]["state"], "parked");
        assert_eq!(items[0]["attempts"], MAX_ATTEMPTS);
        assert_eq!(items[0]["ticket"], w.key);
        assert!(
            items[0]["last_error"].as_str().unwrap().contains("451"),
            "{parked}"
        );
        // Parked stays parked, whatever the time.
        now += SignedDuration::from_hours(48);
        assert_eq!(
            run_outbox(store, &m, now).await.unwrap(),
            Default::default()
        );

        // Customers and agents do not see the outbox; a bad state is named.
        let (status, _) = app
            .as_user(&w.hanako, Method::GET, "/api/v1/admin/outbox", None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, p) = app
            .admin(Method::GET, "/api/v1/admin/outbox?state=lost", None)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&p), ["state"]);

        smtp.refuse(false);
        let id = items[0]["id"].as_str().unwrap();
        let (status, retried) = app
            .admin(
                Method::POST,
                &format!("/api/v1/admin/outbox/{id}/retry"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{retried}");
        assert_eq!(retried["state"], "pending");
        let round = run_outbox(store, &m, Timestamp::now()).await.unwrap();
        assert_eq!(round.sent, 1);
        assert_eq!(to(&smtp.received(), "hanako@example.co.jp").len(), 1);
        // A sent row cannot be retried.
        let (status, _) = app
            .admin(
                Method::POST,
                &format!("/api/v1/admin/outbox/{id}/retry"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

api_test!(
    without_smtp_serve_writes_eml_files,
    async |app: &TestApp| {
        let w = world(app).await;
        w.agent_says(app, "回答です。", false).await;
        let dir = app.data_dir().join("outbox");
        let mut files = Vec::new();
        for _ in 0..100 {
            files = std::fs::read_dir(&dir)
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                        .collect()
                })
                .unwrap_or_default();
            if files.len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(files.len(), 2, "{files:?}");
        let subjects: Vec<String> = files
            .iter()
            .map(|f| {
                madoguchi_mail::parse(&std::fs::read(f).unwrap())
                    .unwrap()
                    .subject
            })
            .collect();
        assert!(
            subjects
                .iter()
                .any(|s| s.contains("サポートから回答がありました")),
            "{subjects:?}"
        );
    }
);

api_test!(
    the_profile_page_switches_kinds_off_and_on,
    async |app: &TestApp| {
        let w = world(app).await;
        let (browser, csrf) = app.log_in("hanako@example.co.jp").await;
        let page = browser
            .get(app.url("/profile"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("メール通知"), "{page}");
        assert!(
            page.contains("id=\"notify-ticket_replied\" value=\"on\" checked"),
            "{page}"
        );
        let response = browser
            .post(app.url("/profile/notifications"))
            .form(&[("csrf", csrf.as_str()), ("kind_status_changed", "on")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let page = browser
            .get(app.url("/profile?notifications=1"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("メール通知の設定を保存しました。"), "{page}");
        assert!(
            !page.contains("id=\"notify-ticket_replied\" value=\"on\" checked"),
            "{page}"
        );
        let (_, prefs) = app
            .as_user(&w.hanako, Method::GET, "/api/v1/me/notifications", None)
            .await;
        let enabled: Vec<bool> = prefs["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["enabled"].as_bool().unwrap())
            .collect();
        assert_eq!(enabled, [false, true, false, false]);
        // Without the form's token nothing changes.
        let response = browser
            .post(app.url("/profile/notifications"))
            .form(&[("csrf", "forged"), ("kind_ticket_replied", "on")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
);

api_test!(
    admins_see_parked_mail_on_a_page_and_set_desk_addresses,
    async |app: &TestApp| {
        let _ = world(app).await;
        crate::notify_world::person(
            app,
            "ops@support.example",
            "運用 担当",
            "admin",
            None,
            "ja",
            &[],
        )
        .await;
        let (browser, csrf) = app.log_in("ops@support.example").await;
        let page = browser
            .get(app.url("/admin/mail"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("送信を保留しているメール")
                && page.contains("保留中のメールはありません。"),
            "{page}"
        );
        let response = browser
            .post(app.url("/admin/mail/desks"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("desk", "general"),
                ("email", "desk@support.example"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, d) = app
            .admin(Method::GET, "/api/v1/admin/desks/general/email", None)
            .await;
        assert_eq!(d["email"], "desk@support.example");
        let response = browser
            .post(app.url("/admin/mail/desks"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("desk", "general"),
                ("email", "not an address"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("role=\"alert\""), "{page}");
        // Customers get the page every stranger gets.
        let (customer, _) = app.log_in("hanako@example.co.jp").await;
        let response = customer.get(app.url("/admin/mail")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
);
