//! The search benchmark (`--search`): articles and tickets loaded into the database by
//! multi-row inserts, the indexes rebuilt from it as `madoguchi reindex` does (indexing
//! throughput, index bytes, memory), then related articles and a customer's ticket search
//! timed where the server does them: the app's use case, with its database reads (visibility,
//! the hits' rows), without HTTP and JSON. One client at a time: latency, not throughput.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use madoguchi_app::search::{Search, SearchConfig};
use madoguchi_core::values::Email;
use madoguchi_store::{PageRequest, Store, TicketFilter};
use serde_json::{Value, json};

/// A small deterministic generator: the same load on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Sentences of the demo knowledge center, to write varied tickets and articles from.
fn sentences() -> (Vec<String>, Vec<String>) {
    let articles = madoguchi_app::demo::articles();
    let titles = articles.iter().map(|a| a.title.to_owned()).collect();
    let mut lines: Vec<String> = articles
        .iter()
        .flat_map(|a| {
            a.body
                .split(['。', '\n'])
                .map(|s| {
                    s.trim_start_matches(['-', '*', ' ', '1', '2', '3', '.'])
                        .trim()
                        .to_owned()
                })
                .collect::<Vec<_>>()
        })
        .filter(|s| s.chars().count() > 8)
        .collect();
    lines.sort();
    lines.dedup();
    (titles, lines)
}

/// The queries customers type (the query set's short kinds).
fn queries() -> Vec<String> {
    include_str!("../../app/tests/search_queries.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let kind = cols.next()?;
            let text = cols.next()?;
            (kind != "draft").then(|| text.to_owned())
        })
        .collect()
}

fn percentiles(mut times: Vec<Duration>) -> Value {
    times.sort();
    let pct = |p: f64| {
        let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
        (times[i].as_secs_f64() * 1000.0 * 100.0).round() / 100.0
    };
    json!({ "requests": times.len(), "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1.0) })
}

fn memory_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kib / 1024.0 * 10.0).round() / 10.0)
}

fn dir_bytes(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                dir_bytes(&path)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

pub struct SearchLoad {
    pub articles: usize,
    pub tickets: usize,
    pub orgs: usize,
    pub requests: usize,
}

pub async fn run(store: &Store, dir: &std::path::Path, load: &SearchLoad) -> Result<Vec<Value>> {
    let (titles, lines) = sentences();
    let mut rng = Lcg(14);
    let menus = [
        "virtual_server",
        "baremetal_server",
        "block_storage",
        "network",
        "firewall",
        "load_balancer",
        "database",
        "backup",
        "portal_api",
        "other",
    ];
    let kinds = ["faq", "faq", "known_issue", "error_message"];

    let started = Instant::now();
    let mut articles = Vec::with_capacity(load.articles);
    for i in 0..load.articles {
        let title = format!("{}(事例 {i})", titles[rng.next(titles.len())]);
        let body = (0..4)
            .map(|_| lines[rng.next(lines.len())].as_str())
            .collect::<Vec<_>>()
            .join("。");
        articles.push((
            kinds[i % kinds.len()].to_owned(),
            title,
            body,
            menus[i % menus.len()].to_owned(),
        ));
    }
    store.add_articles_for_bench(&articles).await?;
    drop(articles);
    store.add_orgs_for_bench(load.orgs).await?;
    let chunk = 100_000;
    let mut added = 0;
    while added < load.tickets {
        let n = chunk.min(load.tickets - added);
        let texts: Vec<(String, String)> = (0..n)
            .map(|i| {
                let summary = titles[rng.next(titles.len())].clone();
                let details = format!(
                    "{}。{}。サーバー名 web-{:05}",
                    lines[rng.next(lines.len())],
                    lines[rng.next(lines.len())],
                    added + i
                );
                (summary, details)
            })
            .collect();
        store.add_tickets_for_bench(load.orgs, &texts).await?;
        added += n;
    }
    let loaded = started.elapsed();
    eprintln!(
        "search: {} articles and {} tickets loaded in {:.1} s",
        load.articles,
        load.tickets,
        loaded.as_secs_f64()
    );

    let config = SearchConfig {
        index_dir: Some(dir.join("bench-index")),
        dictionary_dir: std::env::temp_dir().join("madoguchi-test-ipadic"),
        ipadic_sources: madoguchi_search::dictionary::DEBIAN_IPADIC.into(),
    };
    // The dictionary is built once per machine; the rebuild is what is timed.
    madoguchi_search::dictionary::ipadic(&config.ipadic_sources, &config.dictionary_dir)
        .map_err(|e| anyhow!("{e}"))?;
    let started = Instant::now();
    // A missing index is rebuilt from the store when opened.
    let search = Search::open(store, &config)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let indexing = started.elapsed();
    let rebuilt_tickets = search.indexes().tickets.len() as usize;
    let rebuilt_articles = search.indexes().articles.len() as usize;
    let ticket_bytes = dir_bytes(&dir.join("bench-index").join("tickets"));
    let article_bytes = dir_bytes(&dir.join("bench-index").join("articles"));
    let mut out = vec![json!({
        "scenario": "rebuild",
        "tickets": rebuilt_tickets,
        "articles": rebuilt_articles,
        "seconds": (indexing.as_secs_f64() * 10.0).round() / 10.0,
        "documents_per_s": ((rebuilt_tickets + rebuilt_articles) as f64 / indexing.as_secs_f64()).round(),
        "ticket_index_bytes": ticket_bytes,
        "ticket_index_bytes_per_ticket": (ticket_bytes as f64 / rebuilt_tickets.max(1) as f64).round(),
        "article_index_bytes": article_bytes,
        "rss_mib_after_rebuild": memory_mib("VmRSS:"),
        "peak_rss_mib": memory_mib("VmHWM:"),
        "morphology": search.has_morphology(),
    })];

    let queries = queries();
    // Related articles for drafts: the query set's texts, as a customer types them.
    let mut times = Vec::new();
    for i in 0..load.requests {
        let q = &queries[i % queries.len()];
        let t = Instant::now();
        let found = madoguchi_app::knowledge::suggest(
            store,
            &search,
            q,
            Some(menus[i % menus.len()]),
            Some("ja"),
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
        times.push(t.elapsed());
        std::hint::black_box(found);
    }
    let mut report = percentiles(times);
    report["scenario"] = json!("related_articles");
    report["articles"] = json!(rebuilt_articles);
    out.push(report);

    // A customer's ticket search: their organization's tickets on their contract.
    let customer = store
        .user_by_email(&Email::parse("bench0@bench.example").unwrap())
        .await?;
    let agent = store
        .user_by_email(&Email::parse("agent.general@madoguchi.example").unwrap())
        .await?;
    for (name, user) in [
        ("ticket_search_customer", &customer),
        ("ticket_search_agent", &agent),
    ] {
        let mut times = Vec::new();
        let mut found_total = 0i64;
        for i in 0..load.requests {
            let filter = TicketFilter {
                q: Some(queries[i % queries.len()].clone()),
                ..Default::default()
            };
            let page = PageRequest::new(Some(50), None).expect("50 is a valid page size");
            let t = Instant::now();
            let listed = madoguchi_app::tickets::list(store, &search, user, &filter, None, &page)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            times.push(t.elapsed());
            found_total += listed.list.total;
        }
        let mut report = percentiles(times);
        report["scenario"] = json!(name);
        report["tickets"] = json!(rebuilt_tickets);
        report["mean_hits"] = json!(found_total / load.requests.max(1) as i64);
        out.push(report);
    }
    Ok(out)
}
