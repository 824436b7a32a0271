//! The daemon: builds the stages from the configuration, joins them with
//! bounded channels, and stops them in order when the shutdown future resolves:
//! sources first (each finishes the article in hand), then the pipeline drains
//! its channel, then the delivery workers flush what is due, then the store
//! closes. `run` takes the shutdown future so tests can stop it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, error, info, warn};

use crate::alert::Sink;
use crate::alert::delivery::run_worker;
use crate::config::Config;
use crate::extract::Lexicon;
use crate::metrics::Metrics;
use crate::model::Article;
use crate::pipeline::{MAX_BATCH, Pipeline};
use crate::source::drop_folder::DropFolder;
use crate::source::{ArticleSender, ByteBudget, Incoming, Processed, Source};
use crate::store::{SqliteStore, Store, StoreError};
use crate::timeline::curated;

/// How long delivery workers get to flush after the pipeline has stopped.
const FLUSH_DEADLINE: Duration = Duration::from_secs(3);

/// Why the service could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lexicon(#[from] crate::extract::lexicon::LexiconError),
    #[error(transparent)]
    Curated(#[from] curated::CuratedError),
    #[error("cannot set up sink {name}: {source}")]
    Sink {
        name: String,
        #[source]
        source: crate::alert::SinkError,
    },
    #[error("the {stage} stopped unexpectedly: {reason}")]
    Stage { stage: String, reason: String },
}

/// The parts every command builds from a configuration.
pub struct Parts {
    pub store: Arc<SqliteStore>,
    pub lexicon: Arc<Lexicon>,
    pub metrics: Arc<Metrics>,
    pub pipeline: Pipeline,
}

/// Opens the store, loads the lexicon and seeds the curated timeline.
pub async fn build_parts(config: &Config, store: SqliteStore) -> Result<Parts, ServiceError> {
    let store = Arc::new(store);
    let lexicon = Arc::new(Lexicon::with_extensions(&config.lexicon.extra)?);
    let metrics = Arc::new(Metrics::new());
    let dyn_store: Arc<dyn Store> = store.clone();
    let mut pipeline = Pipeline::new(
        dyn_store,
        lexicon.clone(),
        config.alerts.kinds.clone(),
        config.sink_names(),
        metrics.clone(),
    )
    .await?;
    if let Some(path) = config.timeline.known_path() {
        if path.exists() {
            let known = curated::load(path, &lexicon)?;
            let added = pipeline.seed(&known).await?;
            if added > 0 {
                info!(file = %path.display(), values = added, "curated timeline loaded");
            }
        } else {
            info!(file = %path.display(), "no curated timeline file; starting from what the store knows");
        }
    }
    Ok(Parts {
        store,
        lexicon,
        metrics,
        pipeline,
    })
}

/// Runs the daemon until `shutdown` resolves. The configuration must have
/// been validated.
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> Result<(), ServiceError> {
    let store = SqliteStore::open(&config.store).await?;
    let Parts {
        store,
        metrics,
        mut pipeline,
        ..
    } = build_parts(&config, store).await?;
    info!(
        store = %config.store.path.display(),
        inbox = %config.inbox.dir.display(),
        sinks = ?config.sink_names(),
        "drawdown started"
    );

    let stop_sources = CancellationToken::new();
    let stop_delivery = CancellationToken::new();
    let wake = Arc::new(Notify::new());
    let mut delivery = JoinSet::new();
    // A sink removed from the configuration stops receiving: its pending
    // deliveries are given up (`alerts retry` re-queues them if it comes back).
    match store
        .abandon_unconfigured(&config.sink_names(), "sink no longer configured")
        .await
    {
        Ok(0) => {}
        Ok(n) => warn!(
            deliveries = n,
            "pending deliveries of removed sinks given up"
        ),
        Err(e) => warn!(error = %e, "cannot give up the deliveries of removed sinks"),
    }
    let delivery_options = crate::alert::delivery::DeliveryOptions {
        max_age: config.alerts.max_delivery_age.filter(|age| !age.is_zero()),
    };
    for (i, sink_config) in config.sinks.iter().enumerate() {
        let name = sink_config.name(i);
        let sink: Arc<dyn Sink> =
            Arc::from(sink_config.build().map_err(|source| ServiceError::Sink {
                name: name.clone(),
                source,
            })?);
        let dyn_store: Arc<dyn Store> = store.clone();
        delivery.spawn(
            run_worker(
                dyn_store,
                sink,
                delivery_options,
                wake.clone(),
                stop_delivery.clone(),
                metrics.clone(),
            )
            .instrument(tracing::info_span!("delivery", sink = %name)),
        );
    }

    // Bounded in articles and in bytes: a source over budget waits until the
    // pipeline has processed (and dropped) articles that hold it.
    let (tx, mut rx) = mpsc::channel::<Incoming>(MAX_BATCH);
    let tx = ArticleSender::with_budget(tx, ByteBudget::new(config.pipeline.queue_bytes));
    let mut sources: JoinSet<(String, Result<(), crate::source::SourceError>)> = JoinSet::new();
    if config.inbox.enabled {
        let source: Box<dyn Source> =
            Box::new(DropFolder::new(config.inbox.clone(), metrics.clone()));
        let name = source.name();
        let token = stop_sources.child_token();
        let tx = tx.clone();
        sources.spawn(async move { (name, source.run(tx, token).await) });
    }
    if config.feeds.iter().any(|f| f.enabled) {
        let dyn_store: Arc<dyn Store> = store.clone();
        let feeds = crate::source::feed::FeedSource::new(
            config.feeds.clone(),
            config.feeds_defaults.clone(),
            dyn_store,
            metrics.clone(),
        )
        .map_err(|e| ServiceError::Stage {
            stage: "feeds".to_string(),
            reason: e.to_string(),
        })?;
        let source: Box<dyn Source> = Box::new(feeds);
        let name = source.name();
        let token = stop_sources.child_token();
        let tx = tx.clone();
        sources.spawn(async move { (name, source.run(tx, token).await) });
    }
    drop(tx);

    // The pipeline: articles in arrival order, so the timeline sees them in
    // order. Those already waiting (a feed poll's items, several feeds at
    // once) are stored in one transaction; a lone article is not held back.
    let pipeline_wake = wake.clone();
    let pipeline_metrics = metrics.clone();
    let mut pipeline_task = tokio::spawn(async move {
        let mut batch: Vec<Incoming> = Vec::with_capacity(MAX_BATCH);
        while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let articles: Vec<&Article> = batch.iter().map(|i| &i.article).collect();
            let span = tracing::info_span!("batch", articles = articles.len());
            let result = pipeline.process_batch(&articles).instrument(span).await;
            let outcomes = match result {
                Ok(outcomes) => outcomes,
                Err(e) => {
                    pipeline_metrics.incr("store_errors");
                    error!(error = %e, articles = batch.len(), "cannot store articles; stopping");
                    for incoming in batch.drain(..) {
                        if let Some(done) = incoming.done {
                            let _ignored = done.send(Processed::Failed(e.to_string()));
                        }
                    }
                    return Err(e);
                }
            };
            for (incoming, outcome) in batch.drain(..).zip(outcomes) {
                let _article = tracing::info_span!("article", origin = %incoming.origin).entered();
                let title = &incoming.article.title;
                let processed = if outcome.duplicate {
                    info!(title = %title, "article already processed; nothing raised");
                    Processed::Duplicate
                } else {
                    info!(
                        title = %title,
                        claims = outcome.claims.len(),
                        alerts = outcome.alerts.len(),
                        "article processed"
                    );
                    for alert in &outcome.alerts {
                        info!(alert = %alert.id, kind = %alert.kind, message = %alert.message, "alert raised");
                    }
                    Processed::Stored {
                        claims: outcome.claims.len(),
                        alerts: outcome.alerts.len(),
                    }
                };
                if let Some(done) = incoming.done {
                    // The source may have gone; the article is stored either way.
                    let _ignored = done.send(processed);
                }
            }
            pipeline_wake.notify_waiters();
        }
        Ok(())
    });

    // Wait for the stop signal, or for a stage that ends on its own.
    let mut failure: Option<ServiceError> = None;
    tokio::pin!(shutdown);
    tokio::select! {
        () = &mut shutdown => info!("shutdown requested; finishing the article in hand"),
        result = &mut pipeline_task => {
            failure = Some(stage_failure("pipeline", result));
        }
        Some(joined) = sources.join_next() => {
            if let Some(e) = source_failure(joined) {
                failure = Some(e);
            }
        }
    }

    // Stop in order: sources, then the pipeline drains, then delivery flushes.
    stop_sources.cancel();
    while let Some(joined) = sources.join_next().await {
        if let Some(e) = source_failure(joined) {
            failure.get_or_insert(e);
        }
    }
    if !pipeline_task.is_finished() || failure.is_none() {
        let result = (&mut pipeline_task).await;
        if let Err(e) = flatten(result) {
            failure.get_or_insert(e);
        }
    }
    wake.notify_waiters();
    stop_delivery.cancel();
    let flushed = tokio::time::timeout(FLUSH_DEADLINE, async {
        while let Some(joined) = delivery.join_next().await {
            if let Err(e) = joined {
                error!(error = %e, "a delivery worker panicked");
            }
        }
    })
    .await;
    if flushed.is_err() {
        warn!(
            pending_workers = delivery.len(),
            "delivery did not finish in time; undelivered alerts stay in the outbox for the next start"
        );
        delivery.abort_all();
    }
    store.close().await;
    info!(counters = ?metrics.snapshot(), "drawdown stopped");
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn flatten(
    result: Result<Result<(), StoreError>, tokio::task::JoinError>,
) -> Result<(), ServiceError> {
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(ServiceError::Store(e)),
        Err(e) => Err(ServiceError::Stage {
            stage: "pipeline".to_string(),
            reason: e.to_string(),
        }),
    }
}

fn stage_failure(
    stage: &str,
    result: Result<Result<(), StoreError>, tokio::task::JoinError>,
) -> ServiceError {
    match flatten(result) {
        Err(e) => e,
        Ok(()) => ServiceError::Stage {
            stage: stage.to_string(),
            reason: "it ended without being asked to".to_string(),
        },
    }
}

fn source_failure(
    joined: Result<(String, Result<(), crate::source::SourceError>), tokio::task::JoinError>,
) -> Option<ServiceError> {
    match joined {
        Ok((_, Ok(()))) => None,
        Ok((name, Err(e))) => Some(ServiceError::Stage {
            stage: name,
            reason: e.to_string(),
        }),
        Err(e) => Some(ServiceError::Stage {
            stage: "source".to_string(),
            reason: e.to_string(),
        }),
    }
}
