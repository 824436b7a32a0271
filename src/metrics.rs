//! What the service did and what it set aside, as Prometheus metrics (the
//! `metrics` facade, rendered by `metrics-exporter-prometheus`): articles by
//! source and outcome, claims, alerts, deliveries, outbox depth, feed polls,
//! extraction time and arrival-to-alert latency. Names are part of the public
//! contract (`docs/contract.md`, "Metrics").
//!
//! Each [`Metrics`] owns its own recorder, never installed as the global one:
//! a process may run several services (the test suite does), and each must
//! count alone. Code records through the typed methods below, which hand the
//! facade's macros this recorder for the length of one synchronous call
//! (`metrics::with_local_recorder`), so no recorder has to follow a task
//! across threads. [`Metrics::render`] gives the text `GET /metrics` serves.

mod exposition;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

pub use exposition::{Sample, parse as parse_exposition};

use crate::model::{Attribute, ChangeKind};

/// `drawdown_articles_total{source, outcome}`: articles by where they came
/// from and what became of them.
pub const ARTICLES: &str = "drawdown_articles_total";
/// `drawdown_articles_quarantined_total{source, reason}`: articles set aside
/// unread (the drop folder's `failed/`, a refused POST), by reason code.
pub const QUARANTINED: &str = "drawdown_articles_quarantined_total";
/// `drawdown_articles_transcoded_total{source, encoding, how}`: articles read
/// in an encoding other than UTF-8, by the encoding assumed and how it was
/// decided (`bom`, `declared`, `detected`).
pub const TRANSCODED: &str = "drawdown_articles_transcoded_total";
/// `drawdown_claims_total{attribute}`: claims extracted from stored articles.
pub const CLAIMS: &str = "drawdown_claims_total";
/// `drawdown_alerts_total{kind}`: alerts raised (stored in the outbox).
pub const ALERTS: &str = "drawdown_alerts_total";
/// `drawdown_deliveries_total{sink, outcome}`: delivery attempts by sink.
pub const DELIVERIES: &str = "drawdown_deliveries_total";
/// `drawdown_outbox_depth{sink}` (gauge): deliveries still pending per sink.
pub const OUTBOX_DEPTH: &str = "drawdown_outbox_depth";
/// `drawdown_feed_polls_total{status}`: feed polls by HTTP status class.
pub const FEED_POLLS: &str = "drawdown_feed_polls_total";
/// `drawdown_feed_events_total{event}`: what a poll ran into.
pub const FEED_EVENTS: &str = "drawdown_feed_events_total";
/// `drawdown_feed_items_total{outcome}`: feed items handed to the pipeline or skipped.
pub const FEED_ITEMS: &str = "drawdown_feed_items_total";
/// `drawdown_feed_pages_total{outcome}`: linked pages of summary-only items.
pub const FEED_PAGES: &str = "drawdown_feed_pages_total";
/// `drawdown_feeds{state}` (gauge): configured feeds by state.
pub const FEEDS: &str = "drawdown_feeds";
/// `drawdown_inbox_files_total{outcome}`: drop-folder files read, filed to
/// `done/`, or set aside in `failed/`.
pub const INBOX_FILES: &str = "drawdown_inbox_files_total";
/// `drawdown_store_errors_total`: store operations that failed.
pub const STORE_ERRORS: &str = "drawdown_store_errors_total";
/// `drawdown_extract_failures_total`: articles the extractor failed on (a
/// bug); each is stored without claims and the service goes on.
pub const EXTRACT_FAILURES: &str = "drawdown_extract_failures_total";
/// `drawdown_reloads_total{result}`: configuration reloads applied or refused.
pub const RELOADS: &str = "drawdown_reloads_total";
/// `drawdown_extract_seconds` (histogram): extraction time per article.
pub const EXTRACT_SECONDS: &str = "drawdown_extract_seconds";
/// `drawdown_article_to_alert_seconds{source}` (histogram): from an article's
/// arrival (file read, POST received, feed item fetched) to its alerts being
/// committed to the outbox.
pub const ARTICLE_TO_ALERT_SECONDS: &str = "drawdown_article_to_alert_seconds";

/// Buckets of [`EXTRACT_SECONDS`]: extraction takes about a millisecond.
const EXTRACT_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];
/// Buckets of [`ARTICLE_TO_ALERT_SECONDS`]: milliseconds on a quiet daemon,
/// seconds behind a backlog.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Where an article came from (the `source` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// The drop folder.
    Inbox,
    /// An RSS, Atom or JSON feed.
    Feed,
    /// `POST /api/articles`.
    Http,
    /// `drawdown ingest` and `replay`.
    Cli,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Inbox => "inbox",
            SourceKind::Feed => "feed",
            SourceKind::Http => "http",
            SourceKind::Cli => "cli",
        }
    }
}

/// What became of an article (the `outcome` label of [`ARTICLES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleOutcome {
    /// Claims extracted, timeline updated, alerts stored.
    Stored,
    /// The same content was stored before.
    Duplicate,
    /// A reprint of a stored article under another outlet: recorded, nothing extracted.
    Syndicated,
    /// Set aside unread (see [`QUARANTINED`] for the reason).
    Quarantined,
    /// The store could not take it; the source keeps its input.
    Failed,
}

impl ArticleOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleOutcome::Stored => "stored",
            ArticleOutcome::Duplicate => "duplicate",
            ArticleOutcome::Syndicated => "syndicated",
            ArticleOutcome::Quarantined => "quarantined",
            ArticleOutcome::Failed => "failed",
        }
    }
}

/// What one delivery attempt did (the `outcome` label of [`DELIVERIES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The receiver has the alert.
    Delivered,
    /// The attempt failed (retried later unless also `given_up`).
    Failed,
    /// Failed with an error not worth retrying: the delivery is `failed`.
    GivenUp,
    /// Still pending after `max_delivery_age`: the delivery is `failed`.
    DeadLettered,
    /// The sink's filter does not want the alert.
    Skipped,
}

impl DeliveryOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::Failed => "failed",
            DeliveryOutcome::GivenUp => "given_up",
            DeliveryOutcome::DeadLettered => "dead_lettered",
            DeliveryOutcome::Skipped => "skipped",
        }
    }
}

/// What a feed poll ran into (the `event` label of [`FEED_EVENTS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedEvent {
    /// Permanently redirected: the new URL is polled from now on.
    Moved,
    /// 410 Gone: the feed is disabled.
    Gone,
    /// The document is not a feed the parser reads.
    ParseError,
    /// The poll failed, for any reason: the feed backs off.
    Failed,
}

impl FeedEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedEvent::Moved => "moved",
            FeedEvent::Gone => "gone",
            FeedEvent::ParseError => "parse_error",
            FeedEvent::Failed => "failed",
        }
    }
}

/// A feed item handed over or skipped (the `outcome` label of [`FEED_ITEMS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedItemOutcome {
    /// Never seen: handed to the pipeline.
    New,
    /// A known item whose text changed: handed over again.
    Edited,
    /// Its link was already seen (another feed, or earlier in the poll): skipped.
    SameLink,
    /// Older than the newest `max_items_per_poll` of its document: left out
    /// of this poll (not marked seen).
    Capped,
}

impl FeedItemOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedItemOutcome::New => "new",
            FeedItemOutcome::Edited => "edited",
            FeedItemOutcome::SameLink => "same_link",
            FeedItemOutcome::Capped => "capped",
        }
    }
}

/// A summary-only item's page (the `outcome` label of [`FEED_PAGES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageOutcome {
    /// The page's main text replaced the summary.
    Fetched,
    /// The page could not be used: the summary stands.
    Fallback,
    /// Not fetched: the poll's `max_page_fetches_per_poll` was used up, so
    /// the summary stands.
    Capped,
}

impl PageOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            PageOutcome::Fetched => "fetched",
            PageOutcome::Fallback => "fallback",
            PageOutcome::Capped => "capped",
        }
    }
}

/// A drop-folder file's step (the `outcome` label of [`INBOX_FILES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxFile {
    /// Read and handed to the pipeline.
    Read,
    /// Stored (or a duplicate) and moved to `done/`.
    Done,
    /// Refused: moved to `failed/` with its reason (a file outside the inbox
    /// stays where it is; only its reason goes to `failed/`).
    Failed,
}

impl InboxFile {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxFile::Read => "read",
            InboxFile::Done => "done",
            InboxFile::Failed => "failed",
        }
    }
}

/// The configured feeds by state (the [`FEEDS`] gauge).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedStates {
    /// Not polled yet.
    pub new: u64,
    /// The last poll succeeded.
    pub ok: u64,
    /// The last poll failed: backing off.
    pub failing: u64,
    /// Not polled any more (410 Gone).
    pub disabled: u64,
}

/// The HTTP status class of a feed poll (the `status` label of [`FEED_POLLS`]):
/// `2xx`, `304`, `3xx`, `4xx`, `5xx`; `timeout` or `network` without an answer.
pub fn status_class(status: Option<u16>, timed_out: bool) -> &'static str {
    match status {
        Some(304) => "304",
        Some(200..=299) => "2xx",
        Some(300..=399) => "3xx",
        Some(400..=499) => "4xx",
        Some(500..=599) => "5xx",
        Some(_) => "other",
        None if timed_out => "timeout",
        None => "network",
    }
}

/// The service's metrics: its own Prometheus recorder and the handle that renders it.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A recorder of its own, with histogram buckets and a description of every metric.
    pub fn new() -> Metrics {
        let recorder = with_buckets().build_recorder();
        let handle = recorder.handle();
        let metrics = Metrics { recorder, handle };
        metrics.record(describe);
        metrics
    }

    /// Runs `f` with this service's recorder behind the facade's macros.
    fn record(&self, f: impl FnOnce()) {
        metrics::with_local_recorder(&self.recorder, f);
    }

    /// Everything, in the Prometheus text format (what `GET /metrics` serves).
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// Folds recent histogram samples into their buckets; call every few
    /// seconds so that memory stays flat when nobody scrapes.
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// Every sample of the rendered text.
    pub fn samples(&self) -> Vec<Sample> {
        parse_exposition(&self.render())
    }

    /// The value of one series (`name` with exactly `labels`); 0 if absent.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        self.samples()
            .iter()
            .find(|s| s.is(name, labels))
            .map_or(0, |s| as_count(s.value))
    }

    /// The sum of every series of `name` (all labels); 0 if absent.
    pub fn sum(&self, name: &str) -> u64 {
        sum_of(&self.samples(), name, &[])
    }

    /// Every counter series as `name{label="value",...}` (labels sorted), with its value.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.samples()
            .into_iter()
            .filter(|s| s.name.ends_with("_total"))
            .map(|s| (s.series(), as_count(s.value)))
            .collect()
    }

    /// The counts a person wants first (the shutdown log line, systemd's STATUS=).
    pub fn totals(&self) -> Totals {
        let samples = self.samples();
        let articles = |outcome: &str| sum_of(&samples, ARTICLES, &[("outcome", outcome)]);
        let feeds = |state: &str| sum_of(&samples, FEEDS, &[("state", state)]);
        Totals {
            articles_stored: articles("stored"),
            articles_duplicate: articles("duplicate") + articles("syndicated"),
            articles_quarantined: articles("quarantined"),
            alerts_raised: sum_of(&samples, ALERTS, &[]),
            delivered: sum_of(&samples, DELIVERIES, &[("outcome", "delivered")]),
            delivery_failures: sum_of(&samples, DELIVERIES, &[("outcome", "failed")]),
            outbox_pending: sum_of(&samples, OUTBOX_DEPTH, &[]),
            feeds_ok: feeds("ok") + feeds("new"),
            feeds_failing: feeds("failing"),
            feeds_disabled: feeds("disabled"),
        }
    }

    /// One article's outcome.
    pub fn article(&self, source: SourceKind, outcome: ArticleOutcome) {
        self.record(|| {
            counter!(ARTICLES, "source" => source.as_str(), "outcome" => outcome.as_str())
                .increment(1);
        });
    }

    /// One article set aside unread, with its reason code (`binary`, `json`, ...).
    pub fn quarantined(&self, source: SourceKind, reason: &'static str) {
        self.article(source, ArticleOutcome::Quarantined);
        self.record(|| {
            counter!(QUARANTINED, "source" => source.as_str(), "reason" => reason).increment(1);
        });
    }

    /// One article read in an encoding other than UTF-8 (`windows-1252`,
    /// `UTF-16LE`, ...), decided by `how` (`bom`, `declared`, `detected`).
    pub fn transcoded(&self, source: SourceKind, encoding: &'static str, how: &'static str) {
        self.record(|| {
            counter!(TRANSCODED, "source" => source.as_str(), "encoding" => encoding, "how" => how)
                .increment(1);
        });
    }

    /// One claim extracted from a stored article.
    pub fn claim(&self, attribute: Attribute) {
        self.record(|| counter!(CLAIMS, "attribute" => attribute.as_str()).increment(1));
    }

    /// One alert raised.
    pub fn alert(&self, kind: ChangeKind) {
        self.record(|| counter!(ALERTS, "kind" => kind.as_str()).increment(1));
    }

    /// `n` deliveries to `sink` with `outcome`.
    pub fn deliveries(&self, sink: &str, outcome: DeliveryOutcome, n: u64) {
        self.record(|| {
            counter!(DELIVERIES, "sink" => sink.to_string(), "outcome" => outcome.as_str())
                .increment(n);
        });
    }

    /// The deliveries `sink` still has pending.
    pub fn outbox_depth(&self, sink: &str, pending: u64) {
        self.record(|| gauge!(OUTBOX_DEPTH, "sink" => sink.to_string()).set(pending as f64));
    }

    /// One feed poll, by the status of its final answer (`None`: no answer).
    pub fn feed_poll(&self, status: Option<u16>, timed_out: bool) {
        let class = status_class(status, timed_out);
        self.record(|| counter!(FEED_POLLS, "status" => class).increment(1));
    }

    /// Something a feed poll ran into.
    pub fn feed_event(&self, event: FeedEvent) {
        self.record(|| counter!(FEED_EVENTS, "event" => event.as_str()).increment(1));
    }

    /// One feed item handed over or skipped.
    pub fn feed_item(&self, outcome: FeedItemOutcome) {
        self.feed_items(outcome, 1);
    }

    /// `n` feed items with the same outcome (the items a cap left out).
    pub fn feed_items(&self, outcome: FeedItemOutcome, n: u64) {
        self.record(|| counter!(FEED_ITEMS, "outcome" => outcome.as_str()).increment(n));
    }

    /// One linked page of a summary-only item.
    pub fn feed_page(&self, outcome: PageOutcome) {
        self.record(|| counter!(FEED_PAGES, "outcome" => outcome.as_str()).increment(1));
    }

    /// The configured feeds by state.
    pub fn feeds(&self, states: FeedStates) {
        self.record(|| {
            for (state, n) in [
                ("new", states.new),
                ("ok", states.ok),
                ("failing", states.failing),
                ("disabled", states.disabled),
            ] {
                gauge!(FEEDS, "state" => state).set(n as f64);
            }
        });
    }

    /// One drop-folder file's step.
    pub fn inbox_file(&self, outcome: InboxFile) {
        self.record(|| counter!(INBOX_FILES, "outcome" => outcome.as_str()).increment(1));
    }

    /// One failed store operation.
    pub fn store_error(&self) {
        self.record(|| counter!(STORE_ERRORS).increment(1));
    }

    /// One article the extractor failed on.
    pub fn extract_failure(&self) {
        self.record(|| counter!(EXTRACT_FAILURES).increment(1));
    }

    /// One configuration reload, applied (`true`) or refused.
    pub fn reload(&self, applied: bool) {
        let result = if applied { "applied" } else { "refused" };
        self.record(|| counter!(RELOADS, "result" => result).increment(1));
    }

    /// The time one article's extraction took.
    pub fn extract_time(&self, took: Duration) {
        self.record(|| histogram!(EXTRACT_SECONDS).record(took.as_secs_f64()));
    }

    /// From an article's arrival to its alerts in the outbox.
    pub fn article_to_alert(&self, source: SourceKind, took: Duration) {
        self.record(|| {
            histogram!(ARTICLE_TO_ALERT_SECONDS, "source" => source.as_str())
                .record(took.as_secs_f64());
        });
    }
}

/// A builder with explicit buckets for the histograms (Prometheus histograms
/// rather than summaries). The bucket lists are constants and never empty; if
/// one were, the histograms would render as summaries.
fn with_buckets() -> PrometheusBuilder {
    let buckets = |builder: PrometheusBuilder| {
        builder
            .set_buckets_for_metric(Matcher::Full(EXTRACT_SECONDS.into()), EXTRACT_BUCKETS)?
            .set_buckets_for_metric(
                Matcher::Full(ARTICLE_TO_ALERT_SECONDS.into()),
                LATENCY_BUCKETS,
            )
    };
    buckets(PrometheusBuilder::new()).unwrap_or_else(|_| PrometheusBuilder::new())
}

/// The `HELP` line of every metric.
fn describe() {
    describe_counter!(ARTICLES, Unit::Count, "Articles by source and outcome.");
    describe_counter!(
        QUARANTINED,
        Unit::Count,
        "Articles set aside unread, by source and reason."
    );
    describe_counter!(
        TRANSCODED,
        Unit::Count,
        "Articles read in an encoding other than UTF-8, by source, encoding and how it was decided."
    );
    describe_counter!(CLAIMS, Unit::Count, "Claims extracted, by attribute.");
    describe_counter!(ALERTS, Unit::Count, "Alerts raised, by kind.");
    describe_counter!(
        DELIVERIES,
        Unit::Count,
        "Delivery attempts by sink and outcome."
    );
    describe_gauge!(OUTBOX_DEPTH, Unit::Count, "Deliveries pending per sink.");
    describe_counter!(FEED_POLLS, Unit::Count, "Feed polls by HTTP status class.");
    describe_counter!(FEED_EVENTS, Unit::Count, "What feed polls ran into.");
    describe_counter!(FEED_ITEMS, Unit::Count, "Feed items by outcome.");
    describe_counter!(
        FEED_PAGES,
        Unit::Count,
        "Linked pages of summary-only feed items."
    );
    describe_gauge!(FEEDS, Unit::Count, "Configured feeds by state.");
    describe_counter!(INBOX_FILES, Unit::Count, "Drop-folder files by step.");
    describe_counter!(STORE_ERRORS, Unit::Count, "Failed store operations.");
    describe_counter!(
        EXTRACT_FAILURES,
        Unit::Count,
        "Articles the extractor failed on (stored without claims)."
    );
    describe_counter!(RELOADS, Unit::Count, "Configuration reloads by result.");
    describe_histogram!(
        EXTRACT_SECONDS,
        Unit::Seconds,
        "Extraction time per article."
    );
    describe_histogram!(
        ARTICLE_TO_ALERT_SECONDS,
        Unit::Seconds,
        "From an article's arrival to its alerts in the outbox."
    );
}

/// A sample's value as a count (counters and count gauges are whole numbers).
fn as_count(value: f64) -> u64 {
    if value.is_finite() && value > 0.0 {
        value.round() as u64
    } else {
        0
    }
}

/// The sum of the series of `name` that have (at least) `labels`.
fn sum_of(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> u64 {
    samples
        .iter()
        .filter(|s| s.name == name && s.has(labels))
        .map(|s| as_count(s.value))
        .sum()
}

/// The counts of [`Metrics::totals`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub articles_stored: u64,
    /// Duplicates and syndicated reprints.
    pub articles_duplicate: u64,
    pub articles_quarantined: u64,
    pub alerts_raised: u64,
    /// Alerts delivered, all sinks together.
    pub delivered: u64,
    /// Failed delivery attempts, all sinks together.
    pub delivery_failures: u64,
    /// Deliveries pending, all sinks together.
    pub outbox_pending: u64,
    /// Feeds polled fine or not polled yet.
    pub feeds_ok: u64,
    pub feeds_failing: u64,
    pub feeds_disabled: u64,
}

impl fmt::Display for Totals {
    /// One short line: "articles 4 stored, 1 duplicate, 0 quarantined; alerts
    /// 2 raised, 2 delivered, 0 pending; feeds 3 ok, 1 failing".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "articles {} stored, {} duplicate, {} quarantined; alerts {} raised, {} delivered, {} pending",
            self.articles_stored,
            self.articles_duplicate,
            self.articles_quarantined,
            self.alerts_raised,
            self.delivered,
            self.outbox_pending
        )?;
        let feeds = self.feeds_ok + self.feeds_failing + self.feeds_disabled;
        if feeds > 0 {
            write!(
                f,
                "; feeds {} ok, {} failing",
                self.feeds_ok, self.feeds_failing
            )?;
            if self.feeds_disabled > 0 {
                write!(f, ", {} disabled", self.feeds_disabled)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything recorded at least once.
    fn busy() -> Metrics {
        let m = Metrics::new();
        m.article(SourceKind::Inbox, ArticleOutcome::Stored);
        m.article(SourceKind::Inbox, ArticleOutcome::Stored);
        m.article(SourceKind::Feed, ArticleOutcome::Duplicate);
        m.quarantined(SourceKind::Inbox, "binary");
        m.claim(Attribute::Deadline);
        m.alert(ChangeKind::Contradiction);
        m.deliveries("jsonl", DeliveryOutcome::Delivered, 3);
        m.deliveries("hook \"b\"\\n", DeliveryOutcome::Failed, 1);
        m.outbox_depth("jsonl", 2);
        m.feed_poll(Some(304), false);
        m.feed_poll(None, true);
        m.feed_event(FeedEvent::Moved);
        m.feed_item(FeedItemOutcome::Edited);
        m.feed_page(PageOutcome::Fallback);
        m.feeds(FeedStates {
            new: 0,
            ok: 3,
            failing: 1,
            disabled: 0,
        });
        m.inbox_file(InboxFile::Done);
        m.store_error();
        m.reload(false);
        m.extract_time(Duration::from_micros(700));
        m.article_to_alert(SourceKind::Inbox, Duration::from_millis(12));
        m
    }

    #[test]
    fn the_rendered_text_is_prometheus_text_with_the_right_types() {
        let text = busy().render();
        let lines = text.lines().map(|l| Ok(l.to_string()));
        let scrape = prometheus_parse::Scrape::parse(lines)
            .unwrap_or_else(|e| panic!("not Prometheus text: {e}\n{text}"));
        let kind_of = |name: &str| {
            scrape
                .samples
                .iter()
                .find(|s| s.metric == name)
                .map(|s| s.value.clone())
                .unwrap_or_else(|| panic!("{name} missing from\n{text}"))
        };
        use prometheus_parse::Value as V;
        for name in [
            ARTICLES,
            QUARANTINED,
            CLAIMS,
            ALERTS,
            DELIVERIES,
            FEED_POLLS,
        ] {
            assert!(
                matches!(kind_of(name), V::Counter(_)),
                "{name} is a counter"
            );
        }
        for name in [OUTBOX_DEPTH, FEEDS] {
            assert!(matches!(kind_of(name), V::Gauge(_)), "{name} is a gauge");
        }
        for name in [EXTRACT_SECONDS, ARTICLE_TO_ALERT_SECONDS] {
            match kind_of(name) {
                V::Histogram(buckets) => assert!(buckets.len() > 5, "{name}: {buckets:?}"),
                other => panic!("{name} is not a histogram: {other:?}"),
            }
        }
        assert!(text.contains("# HELP drawdown_articles_total"), "{text}");
        // Both readers agree on every sample.
        let ours = parse_exposition(&text);
        let stored = scrape
            .samples
            .iter()
            .find(|s| {
                s.metric == ARTICLES
                    && s.labels.get("source") == Some("inbox")
                    && s.labels.get("outcome") == Some("stored")
            })
            .map(|s| s.value.clone());
        assert!(
            matches!(stored, Some(V::Counter(v)) if v == 2.0),
            "{stored:?}"
        );
        let escaped = ours
            .iter()
            .find(|s| s.name == DELIVERIES && s.has(&[("outcome", "failed")]))
            .unwrap_or_else(|| panic!("no failed delivery in {ours:?}"));
        assert_eq!(
            escaped.labels.get("sink").map(String::as_str),
            Some("hook \"b\"\\n")
        );
    }

    #[test]
    fn counters_move_and_read_back() {
        let m = Metrics::new();
        let stored = [("source", "inbox"), ("outcome", "stored")];
        assert_eq!(m.get(ARTICLES, &stored), 0);
        m.article(SourceKind::Inbox, ArticleOutcome::Stored);
        assert_eq!(m.get(ARTICLES, &stored), 1);
        // Label order does not matter.
        assert_eq!(
            m.get(ARTICLES, &[("outcome", "stored"), ("source", "inbox")]),
            1
        );
        m.article(SourceKind::Inbox, ArticleOutcome::Stored);
        m.quarantined(SourceKind::Http, "json");
        assert_eq!(m.get(ARTICLES, &stored), 2);
        assert_eq!(
            m.get(QUARANTINED, &[("source", "http"), ("reason", "json")]),
            1
        );
        assert_eq!(m.sum(ARTICLES), 3);
        m.outbox_depth("jsonl", 5);
        m.outbox_depth("jsonl", 1);
        assert_eq!(m.get(OUTBOX_DEPTH, &[("sink", "jsonl")]), 1);
        let snapshot = m.snapshot();
        assert_eq!(
            snapshot.get(r#"drawdown_articles_total{outcome="stored",source="inbox"}"#),
            Some(&2),
            "{snapshot:?}"
        );
        assert!(
            !snapshot.keys().any(|k| k.starts_with(OUTBOX_DEPTH)),
            "counters only"
        );
    }

    #[test]
    fn two_services_in_one_process_count_apart() {
        let a = Metrics::new();
        let b = Metrics::new();
        a.alert(ChangeKind::Update);
        a.alert(ChangeKind::Update);
        b.alert(ChangeKind::Update);
        assert_eq!(a.get(ALERTS, &[("kind", "update")]), 2);
        assert_eq!(b.get(ALERTS, &[("kind", "update")]), 1);
    }

    #[test]
    fn histograms_count_their_samples() {
        let m = Metrics::new();
        for ms in [1, 2, 40] {
            m.article_to_alert(SourceKind::Http, Duration::from_millis(ms));
        }
        m.upkeep();
        let count = format!("{ARTICLE_TO_ALERT_SECONDS}_count");
        assert_eq!(m.get(&count, &[("source", "http")]), 3);
        let under_10ms = m.get(
            &format!("{ARTICLE_TO_ALERT_SECONDS}_bucket"),
            &[("source", "http"), ("le", "0.01")],
        );
        assert_eq!(under_10ms, 2);
    }

    #[test]
    fn totals_read_as_one_line() {
        let totals = busy().totals();
        assert_eq!(totals.articles_stored, 2);
        assert_eq!(totals.articles_duplicate, 1);
        assert_eq!(totals.articles_quarantined, 1);
        assert_eq!(totals.delivered, 3);
        assert_eq!(totals.outbox_pending, 2);
        assert_eq!(
            totals.to_string(),
            "articles 2 stored, 1 duplicate, 1 quarantined; alerts 1 raised, 3 delivered, 2 pending; feeds 3 ok, 1 failing"
        );
    }

    #[test]
    fn status_classes() {
        assert_eq!(status_class(Some(200), false), "2xx");
        assert_eq!(status_class(Some(304), false), "304");
        assert_eq!(status_class(Some(301), false), "3xx");
        assert_eq!(status_class(Some(429), false), "4xx");
        assert_eq!(status_class(Some(503), false), "5xx");
        assert_eq!(status_class(None, true), "timeout");
        assert_eq!(status_class(None, false), "network");
    }
}
