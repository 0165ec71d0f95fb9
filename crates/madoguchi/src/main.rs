//! `madoguchi`: the one binary. Serves the web UI and API, migrates, loads the demo, adds users
//! and tokens, imports customers from CSV (SPEC §8).

mod mail_gateway;
mod settings;

use std::io::Read;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use madoguchi_app::admin::{self, UserInput};
use madoguchi_app::demo::{self, DEMO_PASSWORD, DemoOutcome};
use madoguchi_core::model::User;
use madoguchi_core::values::Email;
use madoguchi_store::{PageRequest, Store};
use madoguchi_web::{Server, config::Config};

use crate::settings::Settings;

// The server's allocator (see the workspace manifest for why).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "madoguchi",
    version,
    about = "Madoguchi (窓口): the support ticket system"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs everything: the web UI, the API, the background work.
    Serve {
        /// Load the demo data into an empty database and print the demo logins.
        #[arg(long)]
        demo: bool,
    },
    /// Brings the database schema up to date.
    Migrate,
    /// Loads the demo data (into a database without organizations).
    Demo,
    /// Manages users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manages API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Reads one email on standard input and adds it to its ticket (for an MTA's pipe).
    /// Exit codes (sysexits): 0 accepted, 65 malformed, 67 unknown recipient, 75 try later.
    MailGateway,
    /// Copies the database consistently while it serves (SQLite); for PostgreSQL, says what
    /// to run instead.
    Backup {
        /// The file to write (must not exist).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Rebuilds the search indexes (`DATA/index/`) from the database.
    Reindex,
    /// Adds organizations, tenants, contracts, users and ticket permissions from a CSV file
    /// (docs/IMPORT.md), all in one transaction: the whole file or nothing.
    Import {
        /// The CSV file (UTF-8).
        #[arg(long)]
        file: std::path::PathBuf,
        /// Only check the file and say what it would add; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Adds a user.
    Add(UserAdd),
}

#[derive(Args)]
struct UserAdd {
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// The organization's name or id (customers and customer admins only).
    #[arg(long)]
    org: Option<String>,
    /// customer, customer-admin, agent or admin.
    #[arg(long)]
    role: String,
    /// ja (default) or en.
    #[arg(long)]
    locale: Option<String>,
    /// For agents: a desk whose queue they work (general, premium); repeat for several.
    #[arg(long = "desk")]
    desks: Vec<String>,
    /// Read the password from standard input (one line).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Prints a new API token for the user, once.
    Create {
        #[arg(long)]
        email: String,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = cli.settings.resolve()?;
    if let Command::MailGateway = cli.command {
        // An MTA reads the exit code, not an error chain.
        std::process::exit(mail_gateway::run(&config).await);
    }
    let store = open(&config).await?;
    match cli.command {
        Command::Serve { demo } => serve(config, store, demo).await,
        Command::Migrate => {
            println!("database is up to date: {}", redact(&config.database_url));
            Ok(())
        }
        Command::Demo => load_demo(&store).await,
        Command::User(UserCommand::Add(args)) => add_user(&store, args).await,
        Command::Token(TokenCommand::Create { email }) => create_token(&store, &email).await,
        Command::MailGateway => unreachable!("handled above"),
        Command::Backup { to } => {
            store
                .backup_to(&to)
                .await
                .map_err(|e| anyhow::anyhow!("backup: {e}"))?;
            println!(
                "backed up {} to {}",
                redact(&config.database_url),
                to.display()
            );
            Ok(())
        }
        Command::Reindex => reindex(&config, &store).await,
        Command::Import { file, dry_run } => import(&store, &file, dry_run).await,
    }
}

/// Deletes the indexes and builds them again from the database. A running server keeps its
/// own open indexes: restart it afterwards (it would otherwise rebuild them itself when it
/// finds them missing at its next start).
async fn reindex(config: &Config, store: &Store) -> Result<()> {
    let started = std::time::Instant::now();
    if config.index_dir.exists() {
        for entry in std::fs::read_dir(&config.index_dir)? {
            let path = entry?.path();
            // The dictionary is not derived from the database: keep it.
            if path != config.dictionary_dir {
                if path.is_dir() {
                    std::fs::remove_dir_all(&path)?;
                } else {
                    std::fs::remove_file(&path)?;
                }
            }
        }
    }
    let search = madoguchi_app::search::Search::open(store, &config.search())
        .await
        .context("rebuilding the search indexes")?;
    let indexes = search.indexes();
    println!(
        "search indexes rebuilt in {:.1} s: {} tickets, {} articles ({})",
        started.elapsed().as_secs_f64(),
        indexes.tickets.len(),
        indexes.articles.len(),
        if search.has_morphology() {
            "Japanese morphology and bigrams"
        } else {
            "bigrams only: install mecab-ipadic for morphology"
        }
    );
    Ok(())
}

/// Imports a CSV file as the system; every problem of the file goes to standard error, one
/// line each, and the command fails without writing anything.
async fn import(store: &Store, file: &std::path::Path, dry_run: bool) -> Result<()> {
    let content = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let started = std::time::Instant::now();
    let report = madoguchi_app::import::import(store, &User::system(), &content, dry_run)
        .await
        .map_err(describe)?;
    let c = report.counts;
    let counts = format!(
        "{} organizations, {} tenants, {} contracts, {} users, {} ticket permissions",
        c.organizations, c.tenants, c.contracts, c.users, c.permissions
    );
    if !report.errors.is_empty() {
        for e in &report.errors {
            let message = madoguchi_web::i18n::problem(madoguchi_core::Locale::En, &e.problem);
            eprintln!("{}:{}: {}: {message}", file.display(), e.line, e.field);
        }
        bail!(
            "{} problems in {}; nothing was imported",
            report.errors.len(),
            file.display()
        );
    }
    if report.imported {
        println!(
            "imported {counts} in {:.2} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("no problems found; importing would add {counts} (nothing was written)");
    }
    Ok(())
}

/// Opens and migrates the database: every command wants the schema current.
async fn open(config: &Config) -> Result<Store> {
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", redact(&config.database_url)))?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..scheme], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn serve(mut config: Config, store: Store, with_demo: bool) -> Result<()> {
    if with_demo {
        load_demo(&store).await?;
        config.demo = true;
    }
    let server = Server::start(config.clone(), store)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    println!(
        "Madoguchi is serving http://{} (data: {})",
        server.addr,
        config.data_dir.display()
    );
    server
        .task
        .await
        .context("the server task")?
        .context("serving")?;
    Ok(())
}

async fn load_demo(store: &Store) -> Result<()> {
    let outcome = demo::load(store)
        .await
        .map_err(|e| describe(e).context("loading the demo"))?;
    let logins = match outcome {
        DemoOutcome::Loaded(logins) => {
            println!("Demo data loaded.");
            logins
        }
        DemoOutcome::NotEmpty => {
            println!(
                "The database holds other organizations: the demo loads into empty databases only."
            );
            return Ok(());
        }
        DemoOutcome::AlreadyPresent(logins) => {
            println!("The demo data is already loaded.");
            logins
        }
    };
    println!("Demo logins (password for all: {DEMO_PASSWORD}):");
    for login in logins {
        println!(
            "  {:<36} {:<15} {}",
            login.email,
            login.role.code(),
            login.shows
        );
    }
    Ok(())
}

async fn add_user(store: &Store, args: UserAdd) -> Result<()> {
    let system = User::system();
    let role = args.role.replace('-', "_");
    let organization_id = match &args.org {
        Some(org) => Some(find_organization(store, org).await?),
        None => None,
    };
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_to_string(&mut line)
            .context("reading the password from stdin")?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let input = UserInput {
        email: Some(args.email),
        name: Some(args.name),
        role: Some(role),
        organization_id,
        locale: args.locale,
        time_zone: None,
        password,
        desks: Some(args.desks),
        disabled: None,
    };
    let user = admin::create_user(store, &system, &input)
        .await
        .map_err(describe)?;
    println!(
        "added {} ({}) with id {}",
        user.email,
        user.role.code(),
        user.id
    );
    Ok(())
}

/// An organization by id or exact name.
async fn find_organization(store: &Store, org: &str) -> Result<String> {
    if let Ok(found) = store.organization(org).await {
        return Ok(found.id);
    }
    let mut page = PageRequest::new(Some(200), None).expect("200 is a valid page size");
    loop {
        let orgs = store.organizations(&page).await?;
        if let Some(found) = orgs.items.iter().find(|o| o.name == org) {
            return Ok(found.id.clone());
        }
        match orgs.next_cursor {
            Some(next) => page.after = Some(next),
            None => bail!("--org: no organization with the id or name `{org}`"),
        }
    }
}

async fn create_token(store: &Store, email: &str) -> Result<()> {
    let email = Email::parse(email)
        .map_err(|_| anyhow::anyhow!("--email: `{email}` is not an email address"))?;
    let user = store
        .user_by_email(&email)
        .await
        .map_err(|_| anyhow::anyhow!("--email: no user with `{email}`"))?;
    let issued = admin::create_token(store, &User::system(), &user.id, &Default::default())
        .await
        .map_err(describe)?;
    println!("{}", issued.token);
    Ok(())
}

/// A service error as the command line reports it: every field problem on its own line, named
/// by the flag that sets it.
fn describe(e: madoguchi_app::ServiceError) -> anyhow::Error {
    use madoguchi_app::ServiceError;
    match e {
        ServiceError::Invalid(invalid) | ServiceError::Conflict(invalid) => {
            let lines: Vec<String> = invalid
                .0
                .iter()
                .map(|f| {
                    let flag = match f.field.as_str() {
                        "organization_id" => "org".to_owned(),
                        other => other.replace('_', "-"),
                    };
                    let message =
                        madoguchi_web::i18n::problem(madoguchi_core::Locale::En, &f.problem)
                            .replace("organization_id", "--org")
                            .replace("customer_admin", "customer-admin");
                    format!("  --{flag}: {message}")
                })
                .collect();
            anyhow::anyhow!("the input is not valid:\n{}", lines.join("\n"))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_kept_out_of_messages() {
        assert_eq!(
            redact("postgres://app:secret@db:5432/m"),
            "postgres://app:***@db:5432/m"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(
            redact("sqlite://data/madoguchi.db"),
            "sqlite://data/madoguchi.db"
        );
    }
}
