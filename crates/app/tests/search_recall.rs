//! The search query set (`search_queries.tsv`): what customers type, with the demo articles
//! that answer it. Related articles must find an expected article in the first three for
//! 95 % of the queries and first for 85 %.
//!
//! `cargo test -p madoguchi-app --test search_recall -- --nocapture` prints recall@1,
//! recall@3 and MRR per kind of query (the figures of docs/BENCHMARKS.md).

use std::collections::BTreeMap;
use std::path::Path;

use madoguchi_app::demo;
use madoguchi_search::{Analyzer, ArticleDoc, Indexes, Suggest, Synonyms};

fn indexes() -> Indexes {
    let sources = Path::new(madoguchi_search::dictionary::DEBIAN_IPADIC);
    let dir = std::env::temp_dir().join("madoguchi-test-ipadic");
    let analyzer = match madoguchi_search::dictionary::ipadic(sources, &dir) {
        Ok(d) => Analyzer::with_dictionary((*d).clone()),
        Err(e) => {
            eprintln!("no dictionary ({e}): bigrams only");
            Analyzer::bigrams_only()
        }
    };
    let indexes = Indexes::open(None, analyzer).unwrap();
    for a in demo::articles() {
        indexes
            .articles
            .put(&ArticleDoc {
                id: a.slug.to_owned(),
                kind: a.kind.to_owned(),
                title: a.title.to_owned(),
                body: a.body.clone(),
                service_menus: a.service_menus.iter().map(|m| (*m).to_owned()).collect(),
                issue_status: a.issue_status().map(str::to_owned),
                language: a.language().to_owned(),
                published: true,
            })
            .unwrap();
    }
    indexes.commit().unwrap();
    indexes.set_synonyms(Synonyms::new(madoguchi_search::synonyms::seed_groups()));
    indexes
}

struct Query {
    kind: String,
    text: String,
    expected: Vec<String>,
}

fn queries() -> Vec<Query> {
    include_str!("search_queries.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 3, "three columns: {l}");
            Query {
                kind: cols[0].to_owned(),
                text: cols[1].to_owned(),
                expected: cols[2].split(',').map(|s| s.trim().to_owned()).collect(),
            }
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    n: usize,
    at1: usize,
    at3: usize,
    rr: f64,
}

#[test]
fn related_articles_find_the_expected_article_for_the_query_set() {
    let articles = demo::articles();
    assert!(articles.len() >= 150, "{} demo articles", articles.len());
    let slugs: Vec<&str> = articles.iter().map(|a| a.slug).collect();
    let queries = queries();
    assert!(queries.len() >= 150, "{} queries", queries.len());
    let indexes = indexes();
    let synonyms = indexes.synonyms();
    let mut by_kind: BTreeMap<String, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    for q in &queries {
        for e in &q.expected {
            assert!(
                slugs.contains(&e.as_str()),
                "unknown article {e} in {}",
                q.text
            );
        }
        let hits = indexes
            .articles
            .suggest(
                &synonyms,
                &Suggest {
                    text: q.text.clone(),
                    limit: 5,
                    ..Default::default()
                },
            )
            .unwrap();
        let rank = hits.iter().position(|h| q.expected.contains(&h.id));
        for kind in [q.kind.clone(), "all".to_owned()] {
            let t = by_kind.entry(kind).or_default();
            t.n += 1;
            t.at1 += usize::from(rank == Some(0));
            t.at3 += usize::from(rank.is_some_and(|r| r < 3));
            t.rr += rank.map_or(0.0, |r| 1.0 / (r as f64 + 1.0));
        }
        if rank != Some(0) {
            let got: Vec<&str> = hits.iter().take(3).map(|h| h.id.as_str()).collect();
            misses.push(format!("{:?} [{}] {} → {:?}", rank, q.kind, q.text, got));
        }
    }
    println!("| kind | queries | recall@1 | recall@3 | MRR |\n|---|---|---|---|---|");
    for (kind, t) in &by_kind {
        let n = t.n as f64;
        println!(
            "| {kind} | {} | {:.3} | {:.3} | {:.3} |",
            t.n,
            t.at1 as f64 / n,
            t.at3 as f64 / n,
            t.rr / n
        );
    }
    for m in &misses {
        println!("miss: {m}");
    }
    let all = &by_kind["all"];
    let n = all.n as f64;
    assert!(
        all.at3 as f64 / n >= 0.95,
        "recall@3 {:.3}",
        all.at3 as f64 / n
    );
    assert!(
        all.at1 as f64 / n >= 0.85,
        "recall@1 {:.3}",
        all.at1 as f64 / n
    );
}
