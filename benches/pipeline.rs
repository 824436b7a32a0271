//! Replaying 10,000 articles through extraction, diff and the SQLite store
//! (a file on disk, WAL): the whole per-article path of the daemon, in
//! transactions of `MAX_BATCH` articles as `drawdown replay` and a busy daemon
//! store them, and one article per transaction as a quiet daemon does.
//! `cargo bench --bench pipeline` (`-- batches` or `-- "one at a time"` for
//! one of them). Articles are the repository's bodies with a counter appended
//! (see `common::nth_article`): every one is extracted.

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use drawdown::extract::Lexicon;
use drawdown::metrics::Metrics;
use drawdown::model::ChangeKind;
use drawdown::pipeline::{MAX_BATCH, Pipeline};
use drawdown::store::{SqliteStore, Store, StoreConfig};

mod common;

/// Articles per run (`DRAWDOWN_BENCH_ARTICLES` overrides, for a quick look).
fn articles() -> usize {
    std::env::var("DRAWDOWN_BENCH_ARTICLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn bench_pipeline(c: &mut Criterion) {
    let base = common::corpus();
    let n = articles();
    let articles: Vec<_> = (0..n)
        .filter_map(|i| common::nth_article(&base, i))
        .collect();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => panic!("runtime: {e}"),
    };
    let lexicon = Arc::new(Lexicon::built_in().unwrap_or_else(|e| panic!("lexicon: {e}")));
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    for (name, batch) in [("batches", MAX_BATCH), ("one at a time", 1)] {
        group.bench_function(format!("{n} articles into sqlite, {name}"), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
                    let config = StoreConfig {
                        path: dir.path().join("bench.db"),
                    };
                    let store = Arc::new(
                        SqliteStore::open(&config)
                            .await
                            .unwrap_or_else(|e| panic!("{e}")),
                    );
                    let dyn_store: Arc<dyn Store> = store.clone();
                    let mut pipeline = Pipeline::new(
                        dyn_store,
                        lexicon.clone(),
                        vec![
                            ChangeKind::Update,
                            ChangeKind::Contradiction,
                            ChangeKind::Refinement,
                        ],
                        vec!["jsonl".to_string()],
                        Arc::new(Metrics::new()),
                    )
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                    let mut alerts = 0;
                    for chunk in articles.chunks(batch) {
                        let chunk: Vec<_> = chunk.iter().collect();
                        let outcomes = pipeline
                            .process_batch(&chunk)
                            .await
                            .unwrap_or_else(|e| panic!("{e}"));
                        alerts += outcomes.iter().map(|o| o.alerts.len()).sum::<usize>();
                    }
                    store.close().await;
                    alerts
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_pipeline);
criterion_main!(benches);
