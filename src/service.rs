//! The daemon: builds the stages from the configuration, joins them with
//! bounded channels, and stops them in order when the shutdown future resolves:
//! sources first (each finishes the article in hand), then the pipeline drains
//! its channel, then the delivery workers flush what is due, then the store
//! closes. `run` takes the shutdown future so tests can stop it; `run_with`
//! also takes reloads (SIGHUP) and a systemd notifier. The HTTP server stops
//! first of all, answering the posts in hand, while the pipeline still runs.

mod notify;
mod pipeline_task;
mod reload;
mod sinks;
mod sources;

use std::future::{Future, pending};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::alert::delivery::DeliveryOptions;
use crate::config::{Config, ConfigError};
use crate::extract::Lexicon;
use crate::metrics::Metrics;
use crate::pipeline::{MAX_BATCH, Pipeline};
use crate::readiness::Readiness;
use crate::source::drop_folder::DropFolder;
use crate::source::feed::FeedSource;
use crate::source::{ArticleSender, ByteBudget, Incoming, Source};
use crate::store::{SqliteStore, Store, StoreError};
use crate::timeline::curated;

pub use notify::Notifier;
use pipeline_task::{Command, PipelineTask};
use sinks::SinkWorkers;
use sources::{Ended, Slot, Sources};

/// How long delivery workers get to flush after the pipeline has stopped.
const FLUSH_DEADLINE: Duration = Duration::from_secs(3);
/// How often the status line (systemd's STATUS=) is refreshed and recent
/// histogram samples are folded into their buckets.
const STATUS_EVERY: Duration = Duration::from_secs(5);

/// Why the service could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lexicon(#[from] crate::extract::lexicon::LexiconError),
    #[error(transparent)]
    Curated(#[from] curated::CuratedError),
    #[error("cannot set up the sinks: {}", problems.join("; "))]
    Sinks { problems: Vec<String> },
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
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

/// What drives the daemon from outside besides its shutdown future.
#[derive(Debug, Default)]
pub struct Controls {
    /// Configurations to switch to (SIGHUP), loaded and validated by the
    /// caller; an `Err` (a file that does not load or validate) is refused
    /// with its problems in the log, and the running configuration stays.
    pub reloads: Option<mpsc::Receiver<Result<Config, ConfigError>>>,
    /// systemd's notify socket (READY=1, WATCHDOG=1, STATUS=, STOPPING=1).
    pub notifier: Notifier,
    /// The HTTP server's socket, bound by the caller (a test on
    /// 127.0.0.1:0); without it, `[http] listen` is bound at start.
    pub listener: Option<TcpListener>,
}

/// Runs the daemon until `shutdown` resolves. The configuration must have
/// been validated.
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> Result<(), ServiceError> {
    run_with(config, Controls::default(), shutdown).await
}

/// [`run`] with the HTTP server on `listener` (bound by the caller, e.g. a
/// test on `127.0.0.1:0`), whatever `[http] listen` says.
pub async fn run_on(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServiceError> {
    let controls = Controls {
        listener: Some(listener),
        ..Controls::default()
    };
    run_with(config, controls, shutdown).await
}

/// As [`run`], taking reloads and notifying systemd as `controls` say.
pub async fn run_with(
    config: Config,
    mut controls: Controls,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServiceError> {
    let notifier = controls.notifier.clone();
    // Bound first: an address in use fails the start at once.
    let listener = match controls.listener.take() {
        Some(listener) => Ok(Some(listener)),
        None => crate::http::bind(&config.http).await,
    };
    let started = match listener {
        Ok(listener) => Daemon::start(config, notifier.clone(), listener).await,
        Err(e) => Err(e.into()),
    };
    match started {
        Ok(daemon) => daemon.run(&mut controls.reloads, shutdown).await,
        Err(e) => {
            notifier.stopping();
            Err(e)
        }
    }
}

/// The running daemon: its configuration and stages.
struct Daemon {
    config: Config,
    store: Arc<SqliteStore>,
    metrics: Arc<Metrics>,
    notifier: Notifier,
    sinks: SinkWorkers,
    sources: Sources,
    commands: mpsc::Sender<Command>,
    pipeline: tokio::task::JoinHandle<Result<(), StoreError>>,
    readiness: Readiness,
    http: Option<HttpServer>,
}

/// The running HTTP server.
struct HttpServer {
    stop: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), crate::http::HttpError>>,
}

impl Daemon {
    /// Opens the store, starts the delivery workers, the pipeline and the sources.
    async fn start(
        config: Config,
        notifier: Notifier,
        listener: Option<TcpListener>,
    ) -> Result<Daemon, ServiceError> {
        let store = SqliteStore::open(&config.store).await?;
        let Parts {
            store,
            metrics,
            pipeline,
            lexicon,
        } = build_parts(&config, store).await?;
        info!(
            store = %config.store.path.display(),
            inbox = %config.inbox.dir.display(),
            sinks = ?config.sink_names(),
            "drawdown started"
        );
        let wake = Arc::new(Notify::new());
        let dyn_store: Arc<dyn Store> = store.clone();
        let mut sinks = SinkWorkers::new(dyn_store, wake.clone(), metrics.clone());
        let planned = sinks
            .plan(&config.sinks, delivery_options(&config))
            .map_err(|problems| ServiceError::Sinks { problems })?;
        abandon_removed_sinks(store.as_ref(), &config.sink_names()).await;
        sinks.apply(planned);

        // Bounded in articles and in bytes: a source over budget waits until the
        // pipeline has processed (and dropped) articles that hold it.
        let (tx, rx) = mpsc::channel::<Incoming>(MAX_BATCH);
        let tx = ArticleSender::with_budget(tx, ByteBudget::new(config.pipeline.queue_bytes));
        let (commands, command_rx) = mpsc::channel(4);
        let (committed, alerts_committed) = watch::channel(0u64);
        let pipeline = tokio::spawn(
            PipelineTask {
                pipeline,
                articles: rx,
                commands: command_rx,
                metrics: metrics.clone(),
                wake,
                notifier: notifier.clone(),
                committed,
            }
            .run(),
        );
        let readiness = Readiness::new();
        let http = listener.map(|listener| {
            let stop = CancellationToken::new();
            let addr = listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_default();
            let state = crate::http::AppState {
                store: store.clone(),
                articles: tx.clone(),
                alerts_committed,
                readiness: readiness.clone(),
                feeds: Arc::new(config.feeds.clone()),
                lexicon,
                metrics: metrics.clone(),
                token: config.http.token().map(crate::http::auth::TokenDigest::new),
                max_body_bytes: usize::try_from(config.http.max_body_bytes).unwrap_or(usize::MAX),
                shutdown: stop.clone(),
            };
            info!(addr = %addr, "http server listening");
            let task = tokio::spawn(crate::http::serve(listener, state, stop.clone()));
            HttpServer { stop, task }
        });
        let mut daemon = Daemon {
            store,
            metrics,
            notifier,
            sinks,
            sources: Sources::new(tx),
            commands,
            pipeline,
            readiness,
            http,
            config,
        };
        if daemon.config.inbox.enabled {
            let source = DropFolder::new(daemon.config.inbox.clone(), daemon.metrics.clone());
            daemon.sources.start(Slot::Inbox, Box::new(source));
        }
        if let Some(feeds) = daemon.feed_source(&daemon.config)? {
            daemon.sources.start(Slot::Feeds, feeds);
        }
        Ok(daemon)
    }

    /// The feed source of `config`, if it has an enabled feed.
    fn feed_source(&self, config: &Config) -> Result<Option<Box<dyn Source>>, ServiceError> {
        if !config.feeds.iter().any(|f| f.enabled) {
            return Ok(None);
        }
        let dyn_store: Arc<dyn Store> = self.store.clone();
        let feeds = FeedSource::new(
            config.feeds.clone(),
            config.feeds_defaults.clone(),
            dyn_store,
            self.metrics.clone(),
        )
        .map_err(|e| ServiceError::Stage {
            stage: "feeds".to_string(),
            reason: e.to_string(),
        })?;
        Ok(Some(Box::new(feeds)))
    }

    /// Until `shutdown` resolves or a stage ends on its own, then the ordered stop.
    async fn run(
        mut self,
        reloads: &mut Option<mpsc::Receiver<Result<Config, ConfigError>>>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ServiceError> {
        let mut failure: Option<ServiceError> = None;
        let ready = self.sources.all_started();
        tokio::pin!(ready);
        tokio::pin!(shutdown);
        let mut announced = false;
        let mut status = tokio::time::interval(STATUS_EVERY);
        status.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_status = String::new();
        loop {
            tokio::select! {
                () = &mut shutdown => {
                    info!("shutdown requested; finishing the article in hand");
                    break;
                }
                result = &mut self.pipeline => {
                    failure = Some(stage_failure("pipeline", result));
                    break;
                }
                Some(joined) = self.sources.join_next() => {
                    if let Ended::Stopped(e) = self.sources.ended(joined) {
                        failure = e;
                        break;
                    }
                }
                () = &mut ready, if !announced => {
                    announced = true;
                    self.readiness.all_started();
                    last_status = self.metrics.totals().to_string();
                    self.notifier.ready(&last_status);
                    info!("drawdown ready: store open, every source started");
                }
                reload = next_reload(reloads) => match reload {
                    Some(reload) => {
                        if announced {
                            self.notifier.reloading();
                        }
                        self.reload(reload).await;
                        if announced {
                            last_status = self.metrics.totals().to_string();
                            self.notifier.ready(&last_status);
                        }
                    }
                    None => *reloads = None,
                },
                _ = status.tick() => {
                    self.metrics.upkeep();
                    let now = self.metrics.totals().to_string();
                    if announced && now != last_status {
                        self.notifier.status(&now);
                        last_status = now;
                    }
                }
            }
        }
        self.notifier.stopping();
        self.stop(failure).await
    }

    /// Switches to `new` if it loaded and every sink builds; else logs why
    /// not and keeps the running configuration.
    async fn reload(&mut self, new: Result<Config, ConfigError>) {
        let outcome = match new {
            Ok(new) => self.apply(new).await,
            Err(e) => Err(problems_of(e)),
        };
        if let Err(problems) = outcome {
            self.metrics.reload(false);
            error!(
                problems = %problems.join("; "),
                "configuration reload refused; the running configuration stays"
            );
        }
    }

    /// Applies the reloadable sections of `new`: nothing changes unless all of it can.
    async fn apply(&mut self, new: Config) -> Result<(), Vec<String>> {
        let (next, restart) = reload::effective(&self.config, &new);
        let planned = self.sinks.plan(&next.sinks, delivery_options(&next))?;
        let feeds_changed = reload::feeds_changed(&self.config, &next);
        let feeds = if feeds_changed {
            self.feed_source(&next).map_err(|e| vec![e.to_string()])?
        } else {
            None
        };
        // Alerts raised from here on go to the new sinks, before they run.
        let (applied, routed) = oneshot::channel();
        let route = Command::Route {
            kinds: next.alerts.kinds.clone(),
            sinks: next.sink_names(),
            applied,
        };
        if self.commands.send(route).await.is_err() || routed.await.is_err() {
            return Err(vec!["the pipeline has stopped".to_string()]);
        }
        abandon_removed_sinks(self.store.as_ref(), &next.sink_names()).await;
        let changes = self.sinks.apply(planned);
        if feeds_changed {
            match feeds {
                Some(feeds) => self.sources.start(Slot::Feeds, feeds),
                None => {
                    self.sources.retire(Slot::Feeds);
                    self.metrics.feeds(Default::default());
                }
            }
        }
        self.metrics.reload(true);
        info!(
            sinks = ?next.sink_names(),
            added = ?changes.added,
            changed = ?changes.changed,
            removed = ?changes.removed,
            feeds = next.feeds.iter().filter(|f| f.enabled).count(),
            feeds_restarted = feeds_changed,
            "configuration reloaded"
        );
        if !restart.is_empty() {
            warn!(
                sections = ?restart,
                "these settings changed but apply only at the next start; the running values stay"
            );
        }
        self.config = next;
        Ok(())
    }

    /// Stops in order: sources, then the pipeline drains, then delivery flushes.
    async fn stop(mut self, mut failure: Option<ServiceError>) -> Result<(), ServiceError> {
        // The server holds a sender of the queue: it ends (answering the posts
        // in hand, closing the live streams) before the pipeline can drain.
        if let Some(http) = self.http.take() {
            http.stop.cancel();
            match http.task.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    failure.get_or_insert(e.into());
                }
                Err(e) => error!(error = %e, "the HTTP server panicked"),
            }
        }
        if let Some(e) = self.sources.stop().await {
            failure.get_or_insert(e);
        }
        if !self.pipeline.is_finished() || failure.is_none() {
            let result = (&mut self.pipeline).await;
            if let Err(e) = flatten(result) {
                failure.get_or_insert(e);
            }
        }
        self.sinks.stop(FLUSH_DEADLINE).await;
        self.store.close().await;
        let totals = self.metrics.totals();
        info!(
            articles_stored = totals.articles_stored,
            articles_duplicate = totals.articles_duplicate,
            articles_quarantined = totals.articles_quarantined,
            alerts_raised = totals.alerts_raised,
            alerts_delivered = totals.delivered,
            deliveries_failed = totals.delivery_failures,
            counters = ?self.metrics.snapshot(),
            "drawdown stopped"
        );
        match failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// How the delivery workers of `config` treat their deliveries.
fn delivery_options(config: &Config) -> DeliveryOptions {
    DeliveryOptions {
        max_age: config.alerts.max_delivery_age.filter(|age| !age.is_zero()),
    }
}

/// A sink removed from the configuration stops receiving: its pending
/// deliveries are given up (`alerts retry` re-queues them if it comes back).
async fn abandon_removed_sinks(store: &dyn Store, names: &[String]) {
    match store
        .abandon_unconfigured(names, "sink no longer configured")
        .await
    {
        Ok(0) => {}
        Ok(n) => warn!(
            deliveries = n,
            "pending deliveries of removed sinks given up"
        ),
        Err(e) => warn!(error = %e, "cannot give up the deliveries of removed sinks"),
    }
}

/// The next reload asked for; never without a reload channel.
async fn next_reload(
    reloads: &mut Option<mpsc::Receiver<Result<Config, ConfigError>>>,
) -> Option<Result<Config, ConfigError>> {
    match reloads {
        Some(rx) => rx.recv().await,
        None => pending().await,
    }
}

/// A configuration error as its list of problems.
fn problems_of(e: ConfigError) -> Vec<String> {
    match e {
        ConfigError::Invalid { problems, .. } => problems,
        other => vec![other.to_string()],
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
