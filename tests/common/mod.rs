//! Builders shared by the delivery tests: a stored article raising one alert,
//! a store on disk, and polling under a timeout. Each test crate uses a part.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use chrono::NaiveDate;

use drawdown::alert::Sink;
use drawdown::alert::delivery::{DeliveryOptions, run_worker};
use drawdown::alert::message::build_alert;
use drawdown::metrics::Metrics;
use drawdown::model::{
    Alert, Article, Attribute, Change, ChangeKind, Claim, Event, Granularity, Milestone, Modality,
    Observation, Span, TimeValue, Value,
};
use drawdown::store::{ArticleRecord, SqliteStore, Store, StoreConfig};

pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad test date"))
}

pub fn article(n: usize) -> Article {
    Article {
        title: format!("Coalition withdrawal, report {n}"),
        source: Some("Gulf Dispatch".into()),
        url: Some(format!("https://news.example.org/{n}")),
        path: None,
        published: day(2024, 9, 10),
        text: format!("Report {n}: troops leave by September 2026."),
    }
}

pub fn claim(n: usize, month: u32) -> Claim {
    let latest = day(2026, month, 1)
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or_else(|| panic!("month end"));
    Claim {
        event: Event::new("IQ", "US-led coalition", Milestone::Final, None, None),
        attribute: Attribute::Deadline,
        value: Value::Date(TimeValue {
            earliest: day(2026, month, 1),
            latest: Some(latest),
            granularity: Granularity::Month,
            fuzzy: false,
        }),
        text: "by September 2026".into(),
        quote: format!("Report {n}: troops leave by September 2026."),
        span: Span { start: 0, end: 10 },
        attributed_to: Some("Iraqi Defence Minister".into()),
        modality: Modality::Planned,
        change_wording: None,
        rule: "test".into(),
        scope_defaulted: false,
    }
}

/// One article raising one contradiction alert (distinct per `n`).
pub fn raised(n: usize, kind: ChangeKind) -> (Article, Claim, Alert) {
    let now = article(n);
    let before = Article {
        source: Some("Northwire".into()),
        published: day(2024, 9, 6),
        ..article(1000 + n)
    };
    let current = claim(n, 9);
    let change = Change {
        kind,
        current: Observation {
            claim: current.clone(),
            article: now.reference(),
            article_hash: now.content_hash(),
        },
        previous: Some(Observation {
            claim: claim(1000 + n, 12),
            article: before.reference(),
            article_hash: before.content_hash(),
        }),
    };
    (now, current, build_alert(&change, "Iraq"))
}

pub async fn store_in(dir: &tempfile::TempDir) -> Arc<SqliteStore> {
    Arc::new(
        SqliteStore::open(&StoreConfig {
            path: dir.path().join("drawdown.db"),
        })
        .await
        .unwrap_or_else(|e| panic!("store: {e}")),
    )
}

/// Stores article `n` and queues its alert for `sinks`.
pub async fn record(store: &SqliteStore, n: usize, kind: ChangeKind, sinks: &[&str]) -> Alert {
    let (article, claim, alert) = raised(n, kind);
    let sinks: Vec<String> = sinks.iter().map(|s| s.to_string()).collect();
    store
        .record(ArticleRecord {
            article: &article,
            content_hash: &article.content_hash(),
            claims: &[(claim, Some(kind))],
            entries: &[],
            alerts: std::slice::from_ref(&alert),
            sinks: &sinks,
            fingerprint: None,
        })
        .await
        .unwrap_or_else(|e| panic!("record: {e}"));
    alert
}

pub async fn eventually<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let waited = tokio::time::timeout(PATIENCE, async {
        while !condition().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "timed out waiting for {what}");
}

/// One sink's delivery worker on a store, stopped or crashed by the test.
pub struct Worker {
    shutdown: CancellationToken,
    handle: tokio::task::JoinHandle<()>,
}

impl Worker {
    pub fn spawn(
        store: &Arc<SqliteStore>,
        sink: Box<dyn Sink>,
        options: DeliveryOptions,
    ) -> Worker {
        let shutdown = CancellationToken::new();
        let dyn_store: Arc<dyn Store> = store.clone();
        let handle = tokio::spawn(run_worker(
            dyn_store,
            Arc::from(sink),
            options,
            Arc::new(Notify::new()),
            shutdown.clone(),
            Arc::new(Metrics::new()),
        ));
        Worker { shutdown, handle }
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        let stopped = tokio::time::timeout(PATIENCE, self.handle).await;
        assert!(matches!(stopped, Ok(Ok(()))), "worker did not stop cleanly");
    }

    /// A crash: the task is dropped wherever it is.
    pub async fn crash(self) {
        self.handle.abort();
        let _aborted = self.handle.await;
    }
}
