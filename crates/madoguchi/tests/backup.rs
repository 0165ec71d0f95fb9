//! `madoguchi backup --to FILE`: a consistent copy of the SQLite database while it serves,
//! which opens as a database with everything in it (the restore); PostgreSQL is told what to
//! run instead.

use std::process::Command;

use madoguchi_core::model::NewUser;
use madoguchi_core::values::{Email, Name};
use madoguchi_core::{Locale, Role};
use madoguchi_store::Store;
use madoguchi_store::testing::{Backend, TestDb};

fn backup(url: &str, to: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["backup", "--to"])
        .arg(to)
        .env("MADOGUCHI_DATABASE_URL", url)
        .env("MADOGUCHI_DATA_DIR", std::env::temp_dir())
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_everything() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let new_user = |email: &str| NewUser {
        email: Email::parse(email).unwrap(),
        name: Name::parse("山田 花子").unwrap(),
        role: Role::Admin,
        organization_id: None,
        locale: Locale::Ja,
        password_hash: None,
        time_zone: None,
        desks: Vec::new(),
    };
    db.store
        .create_user(None, &new_user("before@example.com"))
        .await
        .unwrap();
    // Writers go on while the copy is taken.
    let writer = {
        let store = db.store.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                store
                    .create_user(None, &new_user(&format!("during{i}@example.com")))
                    .await
                    .unwrap();
            }
        })
    };
    let dir = std::env::temp_dir().join(format!("madoguchi-backup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("copy.db");
    std::fs::remove_file(&file).ok();
    let out = backup(&db.url, &file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    writer.await.unwrap();

    // The restore: the copy is a database of its own, with what was committed before it.
    let restored = Store::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    restored.migrate().await.unwrap();
    let user = restored
        .user_by_email(&Email::parse("before@example.com").unwrap())
        .await
        .unwrap();
    assert_eq!(user.name, "山田 花子");

    // Never over an existing file.
    let out = backup(&db.url, &file);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("exists"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_is_told_what_to_run_instead() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let file = std::env::temp_dir().join(format!("madoguchi-pg-backup-{}.db", std::process::id()));
    let out = backup(&db.url, &file);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pg_dump"), "{stderr}");
    assert!(!file.exists());
    db.finish().await;
}
