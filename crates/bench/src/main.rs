//! `madoguchi-bench`: starts Madoguchi on a fresh database with the demo data, drives its HTTP
//! API with concurrent clients, and prints one JSON object per scenario: requests, seconds,
//! throughput, and p50/p99 latency in milliseconds.
//!
//! ```sh
//! cargo run --release -p madoguchi-bench -- --database sqlite
//! cargo run --release -p madoguchi-bench -- --database postgres://postgres@127.0.0.1:5432/test
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod search;

use anyhow::{Context, Result, bail};
use clap::Parser;
use madoguchi_store::testing::{Backend, TestDb};
use madoguchi_web::Server;
use madoguchi_web::config::Config;
use serde_json::{Value, json};

// The server's allocator (see the workspace manifest for why).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Drives Madoguchi's API and prints throughput and latency as JSON")]
struct Args {
    /// `sqlite` (a fresh file in a temporary directory) or `postgres` (a fresh schema on the
    /// server at MADOGUCHI_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
    #[arg(long, default_value = "sqlite")]
    database: String,
    /// Requests per scenario.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Tickets filed before the read scenarios, so lists and pages are not trivially small.
    #[arg(long, default_value_t = 5000)]
    preload: usize,
    /// Open tickets loaded into the general desk for the queue scenario.
    #[arg(long, default_value_t = 100_000)]
    queue_tickets: i64,
    /// Runs only the queue scenario (the others take minutes).
    #[arg(long)]
    queue_only: bool,
    /// Runs only the search benchmark: indexing, related articles, ticket search.
    #[arg(long)]
    search: bool,
    /// Articles loaded for the search benchmark.
    #[arg(long, default_value_t = 100_000)]
    search_articles: usize,
    /// Tickets loaded for the search benchmark.
    #[arg(long, default_value_t = 1_000_000)]
    search_tickets: usize,
    /// Organizations the search benchmark's tickets are spread over.
    #[arg(long, default_value_t = 1000)]
    search_orgs: usize,
}

/// One scenario's figures.
/// CPU seconds this process (server and clients) has spent so far, from `/proc/self/stat`
/// (user and system time in clock ticks of 1/100 s); `None` where there is no `/proc`.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces; the fields counted here come after its `)`.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

fn report(
    name: &str,
    clients: usize,
    mut latencies: Vec<Duration>,
    elapsed: Duration,
    cpu_seconds: Option<f64>,
) -> Value {
    latencies.sort();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i].as_secs_f64() * 1000.0
    };
    json!({
        "scenario": name,
        "clients": clients,
        "requests": latencies.len(),
        "seconds": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        "throughput_per_s": (latencies.len() as f64 / elapsed.as_secs_f64()).round(),
        "p50_ms": (pct(0.50) * 100.0).round() / 100.0,
        "p99_ms": (pct(0.99) * 100.0).round() / 100.0,
        // What one request costs this process's CPU, clients included: steadier than
        // throughput on a shared machine. A PostgreSQL server's own CPU is not in it.
        "cpu_ms_per_request": cpu_seconds
            .map(|s| (s * 1000.0 / latencies.len() as f64 * 100.0).round() / 100.0),
    })
}

/// Runs `requests` calls of `call` from `clients` concurrent clients; answers the report.
async fn drive<F, Fut>(name: &str, clients: usize, requests: usize, call: F) -> Result<Value>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<()>> + Send,
{
    let call = Arc::new(call);
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = process_cpu_seconds();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let call = call.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let t = Instant::now();
                call(i).await?;
                latencies.push(t.elapsed());
            }
        }));
    }
    let mut all = Vec::with_capacity(requests);
    for t in tasks {
        all.extend(t.await??);
    }
    let cpu = process_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    Ok(report(name, clients, all, start.elapsed(), cpu))
}

struct Target {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Target {
    /// A GET whose body is read but not parsed: the figures are the server's, not the JSON
    /// parser's of the client.
    async fn get_raw(&self, path: &str) -> Result<usize> {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&body));
        }
        Ok(body.len())
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        let response = req.send().await?;
        let status = response.status();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{path}: {status} {value}");
        }
        Ok(value)
    }
}

fn ticket(i: usize) -> Value {
    json!({
        "contract_number": "ECL-1001",
        "ticket_type": "incident_submission",
        "summary": format!("仮想サーバーが起動しない #{i}"),
        "service_menu": "virtual_server",
        "tenant_id": "tenant-5a1e0001",
        "details": "昨日から仮想サーバーが起動しません。コンソールにはエラーが表示されます。\nError: instance failed to start",
        "menu_fields": { "server_name": format!("web-{i:04}"), "region": "JP1" },
        "incident": { "occurred_at": "2026-11-24T09:00", "operation_history": "昨日までは正常", "current_status": "停止中" },
    })
}

/// The agent's queue: `--queue-tickets` open tickets in the general desk (copied in one
/// statement from a filed one), then the first page with counts, default sort, as the agent's
/// home asks for it, with 1 and 16 clients.
async fn queue_scenario(
    store: &madoguchi_store::Store,
    customer: &Arc<Target>,
    support: &Arc<Target>,
    agent_id: &str,
    args: &Args,
) -> Result<Vec<Value>> {
    let template = customer
        .send(reqwest::Method::POST, "/api/v1/tickets", Some(&ticket(0)))
        .await?;
    let key = madoguchi_core::values::TicketKey::parse(template["key"].as_str().unwrap_or(""))
        .context("the template ticket has no key")?;
    let start = Instant::now();
    store
        .copy_tickets_for_bench(key, args.queue_tickets, agent_id)
        .await?;
    let loaded = start.elapsed();
    store.analyze().await?;
    let first = support
        .send(reqwest::Method::GET, "/api/v1/queues/general", None)
        .await?;
    let open = first["total"].as_i64().unwrap_or(0);
    eprintln!(
        "queue: {} tickets loaded in {:.1} s; the general desk has {open} open, counts {}",
        args.queue_tickets,
        loaded.as_secs_f64(),
        first["counts"]
    );
    if open < args.queue_tickets {
        bail!("the queue shows {open} open tickets, fewer than loaded");
    }
    let mut out = Vec::new();
    for clients in [1, 16] {
        let s = support.clone();
        let mut report = drive("queue_first_page", clients, args.requests, move |_| {
            let s = s.clone();
            async move { s.get_raw("/api/v1/queues/general").await.map(drop) }
        })
        .await?;
        report["open_tickets"] = json!(open);
        out.push(report);
    }
    Ok(out)
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kib / 1024.0 * 10.0).round() / 10.0)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let backend = match args.database.as_str() {
        "sqlite" => Backend::Sqlite,
        "postgres" => Backend::Postgres,
        other => bail!("--database: `{other}` is neither sqlite nor postgres"),
    };
    let db = TestDb::new(backend)
        .await
        .context("no PostgreSQL reachable")?;
    let store = db.store.clone();
    let dir = std::env::temp_dir().join(format!("madoguchi-bench-{}", std::process::id()));
    madoguchi_app::demo::load(&store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let taro = store
        .user_by_email(&madoguchi_core::values::Email::parse("taro@sample.example").unwrap())
        .await?;
    let agent = store
        .user_by_email(
            &madoguchi_core::values::Email::parse("agent.general@madoguchi.example").unwrap(),
        )
        .await?;
    let mut config = Config::new(dir.clone());
    config.addr = "127.0.0.1:0".parse()?;
    config.database_url = db.url.clone();
    let server = Server::start(config, store.clone()).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let base = format!("http://{}", server.addr);
    let customer = Arc::new(Target {
        base: base.clone(),
        token: store.create_token(None, &taro.id).await?.token,
        client: client.clone(),
    });
    let support = Arc::new(Target {
        base,
        token: store.create_token(None, &agent.id).await?.token,
        client,
    });

    let mut results = Vec::new();
    if args.search {
        let load = search::SearchLoad {
            articles: args.search_articles,
            tickets: args.search_tickets,
            orgs: args.search_orgs,
            requests: args.requests,
        };
        for r in search::run(&store, &dir, &load).await? {
            println!("{r}");
        }
        server.task.abort();
        db.finish().await;
        std::fs::remove_dir_all(&dir).ok();
        return Ok(());
    }
    if args.queue_only {
        results.extend(queue_scenario(&store, &customer, &support, &agent.id, &args).await?);
        for r in &results {
            println!("{r}");
        }
        server.task.abort();
        db.finish().await;
        std::fs::remove_dir_all(&dir).ok();
        return Ok(());
    }
    let c = customer.clone();
    results.push(
        drive("file_ticket", 1, args.requests / 4, move |i| {
            let c = c.clone();
            async move {
                c.send(reqwest::Method::POST, "/api/v1/tickets", Some(&ticket(i)))
                    .await
                    .map(drop)
            }
        })
        .await?,
    );
    let c = customer.clone();
    results.push(
        drive("file_ticket", 16, args.requests, move |i| {
            let c = c.clone();
            async move {
                c.send(reqwest::Method::POST, "/api/v1/tickets", Some(&ticket(i)))
                    .await
                    .map(drop)
            }
        })
        .await?,
    );
    let filed = args.requests / 4 + args.requests;
    let c = customer.clone();
    drive(
        "preload",
        16,
        args.preload.saturating_sub(filed),
        move |i| {
            let c = c.clone();
            async move {
                c.send(reqwest::Method::POST, "/api/v1/tickets", Some(&ticket(i)))
                    .await
                    .map(drop)
            }
        },
    )
    .await?;
    // Steady state: the planner knows the tables' sizes, as autovacuum would see to.
    store.analyze().await?;
    let newest = customer
        .send(reqwest::Method::GET, "/api/v1/tickets?limit=1", None)
        .await?;
    let last: u64 = newest["items"][0]["key"].as_str().unwrap_or("SD-1001")[3..].parse()?;
    let total = newest["total"].as_i64().unwrap_or(0) as u64;
    let key = move |i: usize| format!("SD-{}", last - (i as u64 * 7919 % total.max(1)));

    let c = customer.clone();
    results.push(
        drive("list_newest_50", 16, args.requests, move |_| {
            let c = c.clone();
            async move {
                c.send(reqwest::Method::GET, "/api/v1/tickets?limit=50", None)
                    .await
                    .map(drop)
            }
        })
        .await?,
    );
    let c = customer.clone();
    results.push(
        drive("open_ticket", 16, args.requests, move |i| {
            let c = c.clone();
            let key = key(i);
            async move {
                c.send(
                    reqwest::Method::GET,
                    &format!("/api/v1/tickets/{key}"),
                    None,
                )
                .await
                .map(drop)
            }
        })
        .await?,
    );
    let c = customer.clone();
    results.push(
        drive("customer_reply", 16, args.requests, move |i| {
            let c = c.clone();
            let key = key(i);
            async move {
                let body = json!({ "body": format!("追加情報です。ログを確認しました。#{i}") });
                c.send(
                    reqwest::Method::POST,
                    &format!("/api/v1/tickets/{key}/messages"),
                    Some(&body),
                )
                .await
                .map(drop)
            }
        })
        .await?,
    );
    let s = support.clone();
    results.push(
        drive("agent_reply", 16, args.requests / 4, move |i| {
            let s = s.clone();
            let key = key(i);
            async move {
                let body =
                    json!({ "body": format!("ご連絡ありがとうございます。確認します。#{i}") });
                s.send(
                    reqwest::Method::POST,
                    &format!("/api/v1/tickets/{key}/messages"),
                    Some(&body),
                )
                .await
                .map(drop)
            }
        })
        .await?,
    );
    results.extend(queue_scenario(&store, &customer, &support, &agent.id, &args).await?);

    for r in &results {
        println!("{r}");
    }
    let summary = json!({
        "database": args.database,
        "tickets": total,
        "peak_rss_mib_server_and_clients": peak_rss_mib(),
    });
    println!("{summary}");
    server.task.abort();
    db.finish().await;
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
