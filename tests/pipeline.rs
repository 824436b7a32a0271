//! Storing articles in batches (one transaction for several, as `replay` and a
//! busy daemon do) must change nothing but speed: the same outcomes, alerts,
//! timeline and counters as one article at a time, on the shipped corpus plus
//! a repeat and a reprint inside one batch. Real SQLite files on disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use drawdown::config::Config;
use drawdown::metrics::{ALERTS, CLAIMS, Metrics};
use drawdown::model::Article;
use drawdown::pipeline::{Outcome, Pipeline};
use drawdown::service;
use drawdown::source::article_file::{article_files, parse_article};
use drawdown::store::{SqliteStore, Store, StoreConfig};

/// The corpus stories and the fixture story, in publication order (as `replay` sorts).
fn corpus() -> Vec<Article> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut dirs = vec![root.join("fixtures/story")];
    let mut stories: Vec<PathBuf> = std::fs::read_dir(root.join("corpus"))
        .unwrap_or_else(|e| panic!("tests/corpus: {e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    stories.sort();
    dirs.extend(stories);
    let mut articles: Vec<(PathBuf, Article)> = Vec::new();
    for dir in dirs {
        for file in article_files(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let article = parse_article(&file, &bytes, None)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            articles.push((file, article));
        }
    }
    articles.sort_by(|a, b| a.1.published.cmp(&b.1.published).then(a.0.cmp(&b.0)));
    articles.into_iter().map(|(_, a)| a).collect()
}

/// The pipeline as the daemon builds it, on a store of its own, without a curated file.
async fn pipeline_at(path: &Path) -> (Arc<SqliteStore>, Pipeline, Arc<Metrics>) {
    let store = SqliteStore::open(&StoreConfig {
        path: path.to_path_buf(),
    })
    .await
    .unwrap_or_else(|e| panic!("store: {e}"));
    let mut config = Config::default();
    config.timeline.known = None;
    let parts = service::build_parts(&config, store)
        .await
        .unwrap_or_else(|e| panic!("pipeline: {e}"));
    (parts.store, parts.pipeline, parts.metrics)
}

/// What an outcome says, comparable across runs.
fn summary(outcome: &Outcome) -> (bool, Vec<String>, Vec<String>) {
    let claims = outcome
        .claims
        .iter()
        .map(|(claim, kind)| format!("{} {:?} {kind:?}", claim.event.key, claim.attribute))
        .collect();
    let alerts = outcome.alerts.iter().map(|a| a.id.clone()).collect();
    (outcome.duplicate, claims, alerts)
}

#[tokio::test]
async fn batches_store_exactly_what_one_at_a_time_stores() {
    let mut articles = corpus();
    assert!(
        articles.len() >= 40,
        "corpus has {} articles",
        articles.len()
    );
    // Inside one batch: the same text twice, and a reprint of a long article
    // under another outlet's address (syndication must see it within the batch).
    let original = articles
        .iter()
        .find(|a| a.text.split_whitespace().count() > 200)
        .cloned()
        .unwrap_or_else(|| panic!("no long article in the corpus"));
    let mut reprint = original.clone();
    reprint.url = Some("https://reprints.example/wire/1".to_string());
    reprint.source = Some("Reprint Daily".to_string());
    reprint.text = format!("Wire report. {}", original.text);
    let at = articles
        .iter()
        .position(|a| a.content_hash() == original.content_hash())
        .unwrap_or(0);
    articles.insert(at + 1, original.clone());
    articles.insert(at + 2, reprint);

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (one_store, mut one, one_metrics) = pipeline_at(&dir.path().join("one.db")).await;
    let (batch_store, mut batched, batch_metrics) = pipeline_at(&dir.path().join("batch.db")).await;

    let mut singles = Vec::new();
    for article in &articles {
        let outcome = one
            .process(article)
            .await
            .unwrap_or_else(|e| panic!("process: {e}"));
        singles.push(summary(&outcome));
    }
    let mut batches = Vec::new();
    let mut syndicated = Vec::new();
    // 7 does not divide the corpus: the last batch is short.
    for chunk in articles.chunks(7) {
        let chunk: Vec<&Article> = chunk.iter().collect();
        let outcomes = batched
            .process_batch(&chunk)
            .await
            .unwrap_or_else(|e| panic!("process_batch: {e}"));
        assert_eq!(outcomes.len(), chunk.len(), "one outcome per article");
        batches.extend(outcomes.iter().map(summary));
        syndicated.extend(outcomes.iter().map(|o| o.syndicated));
    }

    assert_eq!(singles, batches, "per-article outcomes differ");
    assert!(
        batches[at + 1].0,
        "the repeat inside a batch is a duplicate"
    );
    assert!(
        batches[at + 2].0 && batches[at + 2].1.is_empty(),
        "the reprint inside a batch is recorded as syndicated, with no claims"
    );
    let raised = batches.iter().map(|b| b.2.len()).sum::<usize>();
    assert!(raised >= 20, "the corpus raises alerts ({raised})");

    let stored = |alerts: Vec<drawdown::store::StoredAlert>| -> Vec<String> {
        alerts
            .into_iter()
            .map(|s| serde_json::to_string(&s.alert).unwrap_or_default())
            .collect()
    };
    let one_alerts = stored(one_store.alerts().await.unwrap_or_else(|e| panic!("{e}")));
    let batch_alerts = stored(batch_store.alerts().await.unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(one_alerts.len(), raised);
    assert_eq!(one_alerts, batch_alerts, "stored alerts differ");

    let one_timeline = one_store
        .load_timeline()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let batch_timeline = batch_store
        .load_timeline()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!one_timeline.is_empty());
    assert_eq!(one_timeline, batch_timeline, "stored timelines differ");
    assert_eq!(one_metrics.snapshot(), batch_metrics.snapshot());
    assert_eq!(batch_metrics.sum(ALERTS), raised as u64);
    let claims: usize = batches.iter().map(|b| b.1.len()).sum();
    assert_eq!(batch_metrics.sum(CLAIMS), claims as u64);
    let reprints: Vec<usize> = (0..syndicated.len()).filter(|i| syndicated[*i]).collect();
    assert_eq!(
        reprints,
        vec![at + 2],
        "the reprint, and only it, is syndicated"
    );

    // The same articles again: all already stored, nothing raised.
    let chunk: Vec<&Article> = articles.iter().take(10).collect();
    let again = batched
        .process_batch(&chunk)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(again.iter().all(|o| o.duplicate && o.alerts.is_empty()));
    one_store.close().await;
    batch_store.close().await;
}
