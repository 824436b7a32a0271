//! The pipeline benchmark's work once, timed, for profilers and quick
//! before/after checks: N articles through extraction, diff and SQLite on disk.
//! `cargo bench --bench pipeline` is the figure to report.
//! `cargo run --release --example pipeline_profile -- [articles] [batch]`
//! (batch: articles per transaction, `MAX_BATCH` by default).

#[path = "../benches/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Instant;

use drawdown::extract::Lexicon;
use drawdown::metrics::Metrics;
use drawdown::model::ChangeKind;
use drawdown::pipeline::{MAX_BATCH, Pipeline};
use drawdown::store::{SqliteStore, Store, StoreConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let batch: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(MAX_BATCH)
        .max(1);
    let base = common::corpus();
    anyhow::ensure!(!base.is_empty(), "no articles found under tests/");
    let lexicon = Arc::new(Lexicon::built_in()?);
    let dir = tempfile::tempdir()?;
    let store = Arc::new(
        SqliteStore::open(&StoreConfig {
            path: dir.path().join("profile.db"),
        })
        .await?,
    );
    let dyn_store: Arc<dyn Store> = store.clone();
    let metrics = Arc::new(Metrics::new());
    let mut pipeline = Pipeline::new(
        dyn_store,
        lexicon,
        vec![
            ChangeKind::Update,
            ChangeKind::Contradiction,
            ChangeKind::Refinement,
        ],
        vec!["jsonl".to_string()],
        metrics.clone(),
    )
    .await?;
    let articles: Vec<_> = (0..n)
        .filter_map(|i| common::nth_article(&base, i))
        .collect();
    let started = Instant::now();
    let mut alerts = 0;
    for chunk in articles.chunks(batch) {
        let chunk: Vec<_> = chunk.iter().collect();
        for outcome in pipeline.process_batch(&chunk).await? {
            alerts += outcome.alerts.len();
        }
    }
    store.close().await;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{n} articles ({batch} per transaction) in {elapsed:.2} s ({:.0} articles/s), {alerts} alerts; {:?}",
        n as f64 / elapsed,
        metrics.snapshot()
    );
    Ok(())
}
