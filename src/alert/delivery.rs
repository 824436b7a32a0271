//! Delivery workers: one loop per sink drains that sink's deliveries from the
//! store's outbox, in alert order, retrying retriable failures with capped
//! exponential backoff (at least what `Retry-After` asked) and giving up on the
//! others. Deliveries the sink's filter does not want are `skipped`; those
//! still pending after `max_age` are dead-lettered; digest sinks get one batch
//! per window. What all sinks share lives here, once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, debug_span, warn};

use super::{Sink, SinkError};
use crate::metrics::{DeliveryOutcome, Metrics};
use crate::model::Alert;
use crate::store::{Delivery, DeliveryState, Store};

/// How many deliveries one pass takes from the outbox.
const BATCH: u32 = 100;
/// The first retry waits this long; each further failure doubles it.
const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Retries never wait longer than this (before jitter).
const BACKOFF_CAP: Duration = Duration::from_secs(600);
/// The longest `Retry-After` honoured.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(3600);
/// How often the loop looks at the outbox when nothing wakes it.
const POLL: Duration = Duration::from_secs(1);
/// Farther than any retry is ever scheduled: asking for deliveries "due" by
/// then finds the oldest pending one even while it waits for its retry.
const ORDER_HORIZON: TimeDelta = TimeDelta::days(30);

/// How a worker treats its sink's deliveries beyond the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryOptions {
    /// Deliveries still pending this long after they were queued go to
    /// `failed` with their last error (`None`: retried forever).
    pub max_age: Option<Duration>,
}

/// [`run_worker`] with the default options (no dead-lettering).
pub async fn deliver_loop(
    store: Arc<dyn Store>,
    sink: Arc<dyn Sink>,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
    metrics: Arc<Metrics>,
) {
    run_worker(
        store,
        sink,
        DeliveryOptions::default(),
        wake,
        shutdown,
        metrics,
    )
    .await;
}

/// Delivers `sink`'s pending alerts until `shutdown`, then makes one last pass
/// over what is due (so the alerts of the last article go out) and returns.
///
/// Each pass takes up to 100 due deliveries, oldest alert first, and sends them
/// in order. A retriable failure schedules a retry (see [`backoff`]) and ends
/// the pass: a later alert never overtakes an earlier one that waits for its
/// retry. A non-retriable failure marks that delivery failed and moves on.
/// Between passes the loop sleeps until `wake` is notified (new alerts), a
/// second has passed, or `shutdown` is cancelled. Store errors are logged and
/// retried on the next pass.
///
/// Before each pass, deliveries older than `options.max_age` are dead-lettered.
/// A digest sink ([`Sink::digest`]) waits until its oldest pending delivery is
/// a window old, then sends everything due as one message. The final pass on
/// shutdown does not cut a digest window short: it stays in the outbox.
pub async fn run_worker(
    store: Arc<dyn Store>,
    sink: Arc<dyn Sink>,
    options: DeliveryOptions,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
    metrics: Arc<Metrics>,
) {
    let worker = Worker {
        store: store.as_ref(),
        sink: sink.as_ref(),
        metrics: metrics.as_ref(),
        options,
    };
    debug!(sink = worker.sink.name(), "delivery worker started");
    while !shutdown.is_cancelled() {
        // Listen before the pass, so a notification sent during it is not lost.
        let notified = wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if worker.pass().await == Pass::More {
            continue;
        }
        worker.report_depth().await;
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = &mut notified => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
    while worker.pass().await == Pass::More {}
    worker.report_depth().await;
    debug!(sink = worker.sink.name(), "delivery worker stopped");
}

/// What a pass left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// A full batch went out: there may be more due right now.
    More,
    /// Nothing more is due now (or it must wait for a retry or the store).
    Idle,
}

struct Worker<'a> {
    store: &'a dyn Store,
    sink: &'a dyn Sink,
    metrics: &'a Metrics,
    options: DeliveryOptions,
}

impl Worker<'_> {
    /// Sets the sink's outbox-depth gauge.
    async fn report_depth(&self) {
        let sink = self.sink.name();
        match self.store.pending_deliveries(sink).await {
            Ok(pending) => self.metrics.outbox_depth(sink, pending),
            Err(err) => debug!(sink, error = %err, "cannot count pending deliveries"),
        }
    }

    async fn pass(&self) -> Pass {
        let sink = self.sink.name();
        let now = Utc::now();
        self.dead_letter(now).await;
        if let Some(window) = self.sink.digest() {
            return self.digest_pass(now, window).await;
        }
        let due = match self.store.due_deliveries(sink, now, BATCH).await {
            Ok(due) => due,
            Err(err) => {
                warn!(sink, error = %err, "cannot read the outbox");
                return Pass::Idle;
            }
        };
        let Some(first) = due.first() else {
            return Pass::Idle;
        };
        // The oldest pending delivery, due or not: if it is not the first due
        // one, it waits for a retry and everything after it waits too.
        match self
            .store
            .due_deliveries(sink, now + ORDER_HORIZON, 1)
            .await
        {
            Ok(oldest) => {
                if let Some(oldest) = oldest.first().filter(|o| o.id != first.id) {
                    debug!(
                        sink,
                        waiting = %oldest.alert.id,
                        "an earlier alert waits for its retry"
                    );
                    return Pass::Idle;
                }
            }
            Err(err) => {
                warn!(sink, error = %err, "cannot read the outbox");
                return Pass::Idle;
            }
        }
        let full = due.len() >= BATCH as usize;
        for delivery in &due {
            let attempt = delivery.attempts.saturating_add(1);
            let span = debug_span!("delivery", sink, alert = %delivery.alert.id, attempt);
            if !self.deliver(delivery, attempt).instrument(span).await {
                return Pass::Idle;
            }
        }
        if full { Pass::More } else { Pass::Idle }
    }

    /// Dead-letters deliveries pending longer than `max_age`.
    async fn dead_letter(&self, now: DateTime<Utc>) {
        let Some(max_age) = self.options.max_age else {
            return;
        };
        let sink = self.sink.name();
        let cutoff = now - TimeDelta::from_std(max_age).unwrap_or(TimeDelta::MAX);
        let reason = format!(
            "not delivered within max_delivery_age {}",
            humantime::format_duration(max_age)
        );
        match self.store.dead_letter(sink, cutoff, &reason).await {
            Ok(0) => {}
            Ok(n) => {
                self.metrics
                    .deliveries(sink, DeliveryOutcome::DeadLettered, n);
                warn!(
                    sink,
                    deliveries = n,
                    max_age_s = max_age.as_secs(),
                    "deliveries dead-lettered"
                );
            }
            Err(err) => warn!(sink, error = %err, "cannot dead-letter old deliveries"),
        }
    }

    /// One digest: once the oldest pending delivery is `window` old, every due
    /// delivery the sink wants goes out as one message.
    async fn digest_pass(&self, now: DateTime<Utc>, window: Duration) -> Pass {
        let sink = self.sink.name();
        let oldest = match self.store.oldest_pending_queued_at(sink).await {
            Ok(Some(oldest)) => oldest,
            Ok(None) => return Pass::Idle,
            Err(err) => {
                warn!(sink, error = %err, "cannot read the outbox");
                return Pass::Idle;
            }
        };
        if later(oldest, window) > now {
            return Pass::Idle;
        }
        let due = match self.store.due_deliveries(sink, now, BATCH).await {
            Ok(due) => due,
            Err(err) => {
                warn!(sink, error = %err, "cannot read the outbox");
                return Pass::Idle;
            }
        };
        let mut batch = Vec::with_capacity(due.len());
        for delivery in due {
            if self.sink.accepts(&delivery.alert) {
                batch.push(delivery);
            } else if let Err(err) = self.store.delivery_skipped(delivery.id).await {
                warn!(sink, error = %err, "cannot mark a delivery skipped");
                return Pass::Idle;
            } else {
                self.metrics.deliveries(sink, DeliveryOutcome::Skipped, 1);
            }
        }
        if batch.is_empty() {
            return Pass::Idle;
        }
        let alerts: Vec<Alert> = batch.iter().map(|d| d.alert.clone()).collect();
        let attempt = batch
            .iter()
            .map(|d| d.attempts)
            .max()
            .unwrap_or(0)
            .saturating_add(1);
        match self.sink.deliver_digest(&alerts).await {
            Ok(()) => {
                let ids: Vec<i64> = batch.iter().map(|d| d.id).collect();
                self.metrics
                    .deliveries(sink, DeliveryOutcome::Delivered, ids.len() as u64);
                debug!(sink, alerts = ids.len(), attempt, "digest delivered");
                if let Err(err) = self.store.deliveries_succeeded(&ids, Utc::now()).await {
                    warn!(sink, error = %err, "cannot mark a digest done");
                    return Pass::Idle;
                }
                if batch.len() >= BATCH as usize {
                    Pass::More
                } else {
                    Pass::Idle
                }
            }
            Err(err) => {
                for delivery in &batch {
                    if !self.failed(delivery, attempt, &err).await {
                        break;
                    }
                }
                Pass::Idle
            }
        }
    }

    /// Sends one delivery and records the outcome. `false`: stop this pass.
    async fn deliver(&self, delivery: &Delivery, attempt: u32) -> bool {
        let sink = self.sink.name();
        let alert = delivery.alert.id.as_str();
        if !self.sink.accepts(&delivery.alert) {
            debug!(sink, alert, "the sink's filter skips this alert");
            if let Err(err) = self.store.delivery_skipped(delivery.id).await {
                warn!(sink, alert, error = %err, "cannot mark a delivery skipped");
                return false;
            }
            self.metrics.deliveries(sink, DeliveryOutcome::Skipped, 1);
            return true;
        }
        let err = match self.sink.deliver(&delivery.alert).await {
            Ok(()) => {
                self.metrics.deliveries(sink, DeliveryOutcome::Delivered, 1);
                debug!(sink, alert, attempt, "alert delivered");
                if let Err(err) = self.store.delivery_succeeded(delivery.id, Utc::now()).await {
                    // The receiver has it but the outbox does not know: it will
                    // be sent again (receivers drop it by id).
                    warn!(sink, alert, error = %err, "cannot mark a delivery done");
                    return false;
                }
                return true;
            }
            Err(err) => err,
        };
        self.failed(delivery, attempt, &err).await
    }

    /// Records a failed attempt: a retry later (`false`: stop the pass, later
    /// alerts wait) or, for errors not worth retrying, `failed` (`true`).
    async fn failed(&self, delivery: &Delivery, attempt: u32, err: &SinkError) -> bool {
        let sink = self.sink.name();
        let alert = delivery.alert.id.as_str();
        self.metrics.deliveries(sink, DeliveryOutcome::Failed, 1);
        let message = err.to_string();
        let now = Utc::now();
        let (next, state, go_on) = if err.is_retriable() {
            let mut wait = backoff(attempt, seed(delivery.id, attempt));
            if let Some(asked) = err.retry_after() {
                // Honour the receiver, within reason.
                wait = wait.max(asked.min(RETRY_AFTER_CAP));
            }
            warn!(
                sink,
                alert,
                attempt,
                error = %message,
                retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "delivery failed, will retry"
            );
            (later(now, wait), DeliveryState::Pending, false)
        } else {
            self.metrics.deliveries(sink, DeliveryOutcome::GivenUp, 1);
            warn!(sink, alert, attempt, error = %message, "delivery failed, giving up");
            (now, DeliveryState::Failed, true)
        };
        if let Err(err) = self
            .store
            .delivery_failed(delivery.id, &message, next, state)
            .await
        {
            warn!(sink, alert, error = %err, "cannot record a failed delivery");
            return false;
        }
        go_on
    }
}

/// `now + wait`, saturating far in the future.
fn later(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(wait)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A jitter seed from a delivery and its attempt: different deliveries that
/// fail together do not retry in lockstep, and the same one is reproducible.
fn seed(delivery_id: i64, attempt: u32) -> u64 {
    (delivery_id as u64).rotate_left(32) ^ u64::from(attempt)
}

/// How long to wait after the `attempts`-th failed attempt (counting from 1):
/// 1 s, doubling each time, capped at 10 min, then spread by ±20 % with a
/// jitter derived from `seed` alone (no randomness: the same seed gives the
/// same wait).
pub fn backoff(attempts: u32, seed: u64) -> Duration {
    let doublings = attempts.saturating_sub(1).min(31);
    let base = BACKOFF_BASE
        .saturating_mul(1u32 << doublings)
        .min(BACKOFF_CAP);
    // splitmix64: a cheap, well-spread hash of the seed.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // A factor in [0.8, 1.2], in thousandths.
    let permille = 800 + (z % 401);
    let millis = u64::try_from(base.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(millis.saturating_mul(permille) / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_cap_with_bounded_jitter() {
        let cases = [
            (0, 1),
            (1, 1),
            (2, 2),
            (3, 4),
            (4, 8),
            (8, 128),
            (10, 512),
            (11, 600),
            (12, 600),
            (40, 600),
            (u32::MAX, 600),
        ];
        for (attempts, base_secs) in cases {
            let base = Duration::from_secs(base_secs);
            for seed in 0..200u64 {
                let wait = backoff(attempts, seed);
                assert!(
                    wait >= base.mul_f64(0.8) && wait <= base.mul_f64(1.2),
                    "attempts {attempts}, seed {seed}: {wait:?} not within 20 % of {base:?}"
                );
                assert_eq!(wait, backoff(attempts, seed), "deterministic");
            }
        }
    }

    #[test]
    fn jitter_spreads_retries() {
        let waits: std::collections::BTreeSet<Duration> =
            (0..50).map(|id| backoff(5, seed(id, 5))).collect();
        assert!(waits.len() > 25, "only {} distinct waits", waits.len());
        assert_ne!(backoff(5, seed(1, 5)), backoff(5, seed(1, 6)));
    }

    #[test]
    fn later_saturates() {
        let now = Utc::now();
        assert_eq!(
            later(now, Duration::from_secs(2)),
            now + TimeDelta::seconds(2)
        );
        assert_eq!(later(now, Duration::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
