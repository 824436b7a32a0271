//! The delivery workers of the configured sinks, one per sink name, and their
//! replacement on reload: a sink whose configuration (filter, template, URL,
//! ...) changed gets a new worker that starts only once the old one has
//! finished the delivery in hand, so no alert is sent twice to one sink; a
//! removed sink's worker stops; an unchanged one runs on untouched.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, error, warn};

use crate::alert::delivery::{DeliveryOptions, run_worker};
use crate::alert::{Sink, SinkConfig};
use crate::metrics::Metrics;
use crate::store::Store;

/// The running delivery workers.
pub(super) struct SinkWorkers {
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
    metrics: Arc<Metrics>,
    /// Cancelled on shutdown; each worker has a child token.
    stop: CancellationToken,
    running: BTreeMap<String, Running>,
    tasks: JoinSet<()>,
}

/// One sink's worker.
struct Running {
    config: SinkConfig,
    options: DeliveryOptions,
    stop: CancellationToken,
    /// Resolves once the worker has returned (its sender is dropped then).
    ended: oneshot::Receiver<()>,
}

/// Sinks built for a new configuration, not running yet.
pub(super) struct Planned {
    /// Every configured sink, in order.
    sinks: Vec<PlannedSink>,
    options: DeliveryOptions,
}

/// One configured sink of a plan.
struct PlannedSink {
    name: String,
    config: SinkConfig,
    /// Built if it is new or changed; `None`: the running worker stays.
    built: Option<Arc<dyn Sink>>,
}

impl Planned {
    /// The sink names that change: (added, changed, removed) against `running`.
    fn changes(&self, workers: &SinkWorkers) -> (Vec<String>, Vec<String>, Vec<String>) {
        let mut added = Vec::new();
        let mut changed = Vec::new();
        for sink in &self.sinks {
            match (&sink.built, workers.running.contains_key(&sink.name)) {
                (Some(_), false) => added.push(sink.name.clone()),
                (Some(_), true) => changed.push(sink.name.clone()),
                (None, _) => {}
            }
        }
        let removed = workers
            .running
            .keys()
            .filter(|name| !self.sinks.iter().any(|s| s.name == **name))
            .cloned()
            .collect();
        (added, changed, removed)
    }
}

/// What a reload did to the sinks, for the log.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct SinkChanges {
    pub(super) added: Vec<String>,
    pub(super) changed: Vec<String>,
    pub(super) removed: Vec<String>,
}

impl SinkWorkers {
    pub(super) fn new(store: Arc<dyn Store>, wake: Arc<Notify>, metrics: Arc<Metrics>) -> Self {
        SinkWorkers {
            store,
            wake,
            metrics,
            stop: CancellationToken::new(),
            running: BTreeMap::new(),
            tasks: JoinSet::new(),
        }
    }

    /// Builds the sinks of `configs` that are new or changed (with `options`);
    /// or says of every sink that cannot be built why. Nothing runs yet.
    pub(super) fn plan(
        &self,
        configs: &[SinkConfig],
        options: DeliveryOptions,
    ) -> Result<Planned, Vec<String>> {
        let mut sinks = Vec::with_capacity(configs.len());
        let mut errors = Vec::new();
        for (i, config) in configs.iter().enumerate() {
            let name = config.name(i);
            let same = self
                .running
                .get(&name)
                .is_some_and(|r| r.config == *config && r.options == options);
            let built = if same {
                None
            } else {
                match config.build() {
                    Ok(sink) => Some(Arc::from(sink)),
                    Err(e) => {
                        errors.push(format!("cannot set up sink {name}: {e}"));
                        continue;
                    }
                }
            };
            sinks.push(PlannedSink {
                name,
                config: config.clone(),
                built,
            });
        }
        if errors.is_empty() {
            Ok(Planned { sinks, options })
        } else {
            Err(errors)
        }
    }

    /// Runs the planned sinks: new workers for new and changed sinks (a
    /// changed one after its old worker has ended), removed ones stopped.
    pub(super) fn apply(&mut self, planned: Planned) -> SinkChanges {
        self.reap();
        let (added, changed, removed) = planned.changes(self);
        for name in &removed {
            if let Some(old) = self.running.remove(name) {
                old.stop.cancel();
                // Its gauge goes to 0 once its last pass has reported.
                let metrics = self.metrics.clone();
                let name = name.clone();
                self.tasks.spawn(async move {
                    let _ended = old.ended.await;
                    metrics.outbox_depth(&name, 0);
                });
            }
        }
        for PlannedSink {
            name,
            config,
            built,
        } in planned.sinks
        {
            let Some(sink) = built else {
                continue;
            };
            let previous = self.running.remove(&name).map(|old| {
                old.stop.cancel();
                old.ended
            });
            let stop = self.stop.child_token();
            let (ended_tx, ended) = oneshot::channel::<()>();
            let worker = run_worker(
                self.store.clone(),
                sink,
                planned.options,
                self.wake.clone(),
                stop.clone(),
                self.metrics.clone(),
            )
            .instrument(tracing::info_span!("delivery", sink = %name));
            self.tasks.spawn(async move {
                let _ended = ended_tx;
                if let Some(previous) = previous {
                    // Not two workers on one sink: the old one finishes first.
                    let _finished = previous.await;
                }
                worker.await;
            });
            self.running.insert(
                name,
                Running {
                    config,
                    options: planned.options,
                    stop,
                    ended,
                },
            );
        }
        SinkChanges {
            added,
            changed,
            removed,
        }
    }

    /// Forgets the workers that have ended (replaced or removed), reporting panics.
    fn reap(&mut self) {
        while let Some(joined) = self.tasks.try_join_next() {
            if let Err(e) = joined {
                error!(error = %e, "a delivery worker panicked");
            }
        }
    }

    /// Stops every worker (each makes a last pass over what is due) and waits
    /// up to `deadline`; those still running then are aborted, their alerts
    /// left in the outbox for the next start.
    pub(super) async fn stop(&mut self, deadline: Duration) {
        self.wake.notify_waiters();
        self.stop.cancel();
        let flushed = tokio::time::timeout(deadline, async {
            while let Some(joined) = self.tasks.join_next().await {
                if let Err(e) = joined {
                    error!(error = %e, "a delivery worker panicked");
                }
            }
        })
        .await;
        if flushed.is_err() {
            warn!(
                pending_workers = self.tasks.len(),
                "delivery did not finish in time; undelivered alerts stay in the outbox for the next start"
            );
            self.tasks.abort_all();
        }
    }
}
