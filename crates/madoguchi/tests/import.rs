//! `madoguchi import --file F.csv [--dry-run]`: the command line loads a file into the database
//! it is configured for, or names every bad row on standard error and writes nothing.

use std::process::Command;

use madoguchi_core::values::Email;
use madoguchi_store::testing::{Backend, TestDb};

fn import(url: &str, file: &std::path::Path, dry_run: bool) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_madoguchi"));
    command.args(["import", "--file"]).arg(file);
    if dry_run {
        command.arg("--dry-run");
    }
    command
        .env("MADOGUCHI_DATABASE_URL", url)
        .env("MADOGUCHI_DATA_DIR", std::env::temp_dir())
        .output()
        .unwrap()
}

const GOOD: &str = "\u{feff}record,organization,tenant_id,contract_number,email,name,product_line,contracting_corporation,plan,channel,role,level
organization,株式会社コマンド,,,,,,,,,,
tenant,株式会社コマンド,tenant-cli01,,,検証環境,,,,,,
contract,株式会社コマンド,,ECL-CLI1,,,Enterprise Cloud 2.0,Example Communications Corp.,advanced,direct,,
user,株式会社コマンド,,,kanri@command.example,管理 花子,,,,,customer_admin,
permission,,,ECL-CLI1,kanri@command.example,,,,,,,edit
";

async fn loads_a_file_or_names_its_bad_rows(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("madoguchi-import-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let email = Email::parse("kanri@command.example").unwrap();

    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        GOOD.replace("advanced", "gold").replace(",edit", ",owner"),
    )
    .unwrap();
    let out = import(&db.url, &bad, false);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.csv:4: plan:"), "{stderr}");
    assert!(stderr.contains("bad.csv:6: level:"), "{stderr}");
    assert!(stderr.contains("2 problems"), "{stderr}");
    assert!(
        db.store.user_by_email(&email).await.is_err(),
        "nothing written"
    );

    let good = dir.join("good.csv");
    std::fs::write(&good, GOOD).unwrap();
    let out = import(&db.url, &good, true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "would add 1 organizations, 1 tenants, 1 contracts, 1 users, 1 ticket permissions"
        ),
        "{stdout}"
    );
    assert!(
        db.store.user_by_email(&email).await.is_err(),
        "a dry run writes nothing"
    );

    let out = import(&db.url, &good, false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 1 organizations"));
    let admin = db.store.user_by_email(&email).await.unwrap();
    assert_eq!(admin.name, "管理 花子");
    let held = db.store.permissions_of(&admin.id).await.unwrap();
    assert_eq!(held[0].contract_number, "ECL-CLI1");

    std::fs::remove_dir_all(&dir).ok();
    db.finish().await;
}

/// A name of its own for each run's directory.
fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    loads_a_file_or_names_its_bad_rows(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    loads_a_file_or_names_its_bad_rows(Backend::Postgres).await;
}
