//! The daemon's pipeline task: articles in arrival order, those already
//! waiting stored in one transaction, each source answered, each article
//! counted by source and outcome. Between batches it takes routing changes
//! from a reload, and beats the heartbeat that feeds systemd's watchdog: the
//! beat comes from this loop itself, so a pipeline stuck in a batch stops it.

use std::future::pending;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc, oneshot, watch};
use tokio::time::{Interval, MissedTickBehavior};
use tracing::{Instrument, error, info};

use super::notify::Notifier;
use crate::metrics::{ArticleOutcome, Metrics};
use crate::model::{Article, ChangeKind};
use crate::pipeline::{MAX_BATCH, Outcome, Pipeline};
use crate::source::{Incoming, Processed};
use crate::store::StoreError;

/// What the service asks of the running pipeline.
#[derive(Debug)]
pub(super) enum Command {
    /// From the next batch on: which change kinds raise alerts, and which
    /// sinks each alert is queued for. Answered once applied.
    Route {
        kinds: Vec<ChangeKind>,
        sinks: Vec<String>,
        applied: oneshot::Sender<()>,
    },
}

/// The pipeline with what it reads from and reports to.
pub(super) struct PipelineTask {
    pub(super) pipeline: Pipeline,
    pub(super) articles: mpsc::Receiver<Incoming>,
    pub(super) commands: mpsc::Receiver<Command>,
    pub(super) metrics: Arc<Metrics>,
    /// Woken after each batch: the delivery workers look at the outbox.
    pub(super) wake: Arc<Notify>,
    pub(super) notifier: Notifier,
    /// Bumped after each batch that stored alerts: the live streams read then.
    pub(super) committed: watch::Sender<u64>,
}

impl PipelineTask {
    /// Runs until every sender of articles is gone (or the store fails).
    pub(super) async fn run(mut self) -> Result<(), StoreError> {
        let mut heartbeat = self.notifier.heartbeat_every().map(every);
        let mut batch: Vec<Incoming> = Vec::with_capacity(MAX_BATCH);
        loop {
            tokio::select! {
                biased;
                Some(command) = self.commands.recv() => self.apply(command),
                () = tick(&mut heartbeat) => self.notifier.watchdog(),
                received = self.articles.recv_many(&mut batch, MAX_BATCH) => {
                    if received == 0 {
                        return Ok(());
                    }
                    let raised = self.process(&mut batch).await?;
                    self.wake.notify_waiters();
                    if raised {
                        self.committed.send_modify(|n| *n = n.wrapping_add(1));
                    }
                }
            }
        }
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::Route {
                kinds,
                sinks,
                applied,
            } => {
                self.pipeline.set_routing(kinds, sinks);
                // The reload may have given up waiting; the routing holds anyway.
                let _ignored = applied.send(());
            }
        }
    }

    /// Stores one batch and answers each source; true if it raised alerts. A
    /// store error answers every article of the batch `Failed` and ends the task.
    async fn process(&mut self, batch: &mut Vec<Incoming>) -> Result<bool, StoreError> {
        let articles: Vec<&Article> = batch.iter().map(|i| &i.article).collect();
        let span = tracing::info_span!("batch", articles = articles.len());
        let result = self
            .pipeline
            .process_batch(&articles)
            .instrument(span)
            .await;
        let outcomes = match result {
            Ok(outcomes) => outcomes,
            Err(e) => {
                self.metrics.store_error();
                error!(error = %e, articles = batch.len(), "cannot store articles; stopping");
                for incoming in batch.drain(..) {
                    self.metrics
                        .article(incoming.source, ArticleOutcome::Failed);
                    if let Some(done) = incoming.done {
                        let _ignored = done.send(Processed::Failed(e.to_string()));
                    }
                }
                return Err(e);
            }
        };
        let raised = outcomes.iter().any(|o| !o.alerts.is_empty());
        for (incoming, outcome) in batch.drain(..).zip(outcomes) {
            let _article = tracing::info_span!("article", origin = %incoming.origin).entered();
            self.metrics.article(incoming.source, outcome_of(&outcome));
            if !outcome.alerts.is_empty() {
                self.metrics
                    .article_to_alert(incoming.source, incoming.received.elapsed());
            }
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
        Ok(raised)
    }
}

fn outcome_of(outcome: &Outcome) -> ArticleOutcome {
    match (outcome.duplicate, outcome.syndicated) {
        (_, true) => ArticleOutcome::Syndicated,
        (true, false) => ArticleOutcome::Duplicate,
        (false, false) => ArticleOutcome::Stored,
    }
}

/// A heartbeat every `period`, late ticks not made up for.
fn every(period: Duration) -> Interval {
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    interval
}

/// The next heartbeat; never without a watchdog.
async fn tick(heartbeat: &mut Option<Interval>) {
    match heartbeat {
        Some(interval) => {
            interval.tick().await;
        }
        None => pending().await,
    }
}
