//! Feeds (`[[feeds]]`): a `Source` that polls RSS, Atom and JSON Feed URLs
//! politely and hands new items to the pipeline as articles. The split follows
//! miniflux: this file is the scheduler (which feed is due, global and
//! per-host concurrency, shutdown); `poll.rs` refreshes one feed; `fetch.rs`
//! is the HTTP layer (conditional GET, limits); `schedule.rs` the pure
//! `next_poll`; `items.rs` and `identity.rs` turn documents into tracked items;
//! `syndication.rs` fingerprints texts; `opml.rs` reads and writes OPML.

pub mod fetch;
pub mod identity;
pub mod items;
pub mod opml;
pub mod poll;
pub mod report;
pub mod schedule;
pub mod syndication;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, error, info, warn};
use url::Url;

use super::{ArticleSender, Source, SourceError, Started};
use crate::metrics::{FeedStates, Metrics};
use crate::redact::redact_url;
use crate::store::{FeedState, Store, StoreError};
pub use poll::{FeedPoller, PollReport};

/// How often a feed is polled unless it says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// One `[[feeds]]` entry. Only `url` is required.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    pub url: Url,
    /// Time between polls (humantime: "15m", "2s"); a lower bound is raised
    /// by the server's and the feed's own hints, and by backoff after errors.
    #[serde(default = "default_interval", with = "humantime_serde")]
    pub interval: Duration,
    /// The outlet's name for articles and alerts (default: the feed's title).
    #[serde(default)]
    pub name: Option<String>,
    /// Extra request headers (e.g. an API key).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default = "enabled")]
    pub enabled: bool,
}

/// The URL redacted and the headers by name only: their values are credentials.
impl fmt::Debug for FeedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.keys().map(String::as_str).collect();
        f.debug_struct("FeedConfig")
            .field("url", &redact_url(&self.url))
            .field("interval", &self.interval)
            .field("name", &self.name)
            .field("headers", &headers)
            .field("enabled", &self.enabled)
            .finish()
    }
}

fn default_interval() -> Duration {
    DEFAULT_INTERVAL
}

fn enabled() -> bool {
    true
}

impl FeedConfig {
    /// A feed with defaults for everything but the URL.
    pub fn new(url: Url) -> FeedConfig {
        FeedConfig {
            url,
            interval: DEFAULT_INTERVAL,
            name: None,
            headers: BTreeMap::new(),
            enabled: true,
        }
    }
}

/// `[feeds_defaults]`: limits shared by every feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedDefaults {
    /// Polls running at once, all hosts together.
    pub concurrency: usize,
    /// Polls running at once against one host.
    pub per_host: usize,
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Whole request: connect, redirects and body.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Largest body read (feeds and pages), in bytes; enforced while reading.
    pub max_body: u64,
    pub max_redirects: usize,
    /// An item without full content whose description has fewer words than
    /// this (or ends in "…", "Read more") is a summary: its page is fetched.
    pub summary_words: usize,
    /// Fetch the linked page of summary-only items.
    pub fetch_pages: bool,
    /// Items of one feed document looked at per poll: the newest (oldest
    /// first, the last ones); the older ones are left out, counted in
    /// `drawdown_feed_items_total{outcome="capped"}` and logged. Bounds what one feed costs a poll.
    pub max_items_per_poll: usize,
    /// Linked pages fetched per poll of one feed (each may take `timeout`);
    /// the summary-only items after that keep their summary, counted in
    /// `drawdown_feed_pages_total{outcome="capped"}` and logged.
    pub max_page_fetches_per_poll: usize,
}

impl Default for FeedDefaults {
    fn default() -> FeedDefaults {
        FeedDefaults {
            concurrency: 16,
            per_host: 2,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: 10_000_000,
            max_redirects: 5,
            summary_words: 60,
            fetch_pages: true,
            max_items_per_poll: 200,
            max_page_fetches_per_poll: 20,
        }
    }
}

impl FeedDefaults {
    /// Problems with their key paths (`feeds_defaults.per_host: ...`).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let key = "feeds_defaults";
        if self.concurrency == 0 {
            problems.push(format!("{key}.concurrency: must be at least 1"));
        }
        if self.per_host == 0 {
            problems.push(format!("{key}.per_host: must be at least 1"));
        }
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            problems.push(format!("{key}.timeout: timeouts must be above 0"));
        }
        if self.max_body == 0 {
            problems.push(format!("{key}.max_body: must be above 0 bytes"));
        }
        if self.max_items_per_poll == 0 {
            problems.push(format!("{key}.max_items_per_poll: must be at least 1"));
        }
        if self.max_page_fetches_per_poll == 0 {
            problems.push(format!(
                "{key}.max_page_fetches_per_poll: must be at least 1 (to fetch no pages, set fetch_pages = false)"
            ));
        }
        problems
    }
}

/// Problems of the `[[feeds]]` list, each with its key path.
pub fn feed_problems(feeds: &[FeedConfig]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: Vec<&Url> = Vec::new();
    for (i, feed) in feeds.iter().enumerate() {
        if !matches!(feed.url.scheme(), "http" | "https") {
            problems.push(format!("feeds[{i}].url: not an http(s) URL"));
        }
        if feed.interval < Duration::from_secs(1) {
            problems.push(format!("feeds[{i}].interval: must be at least 1s"));
        }
        if let Some(first) = seen.iter().position(|u| *u == &feed.url) {
            // Not the URL itself: it may hold credentials.
            problems.push(format!("feeds[{i}].url: the same URL as feeds[{first}]"));
        }
        seen.push(&feed.url);
        for name in feed.headers.keys() {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                problems.push(format!("feeds[{i}].headers: {name:?} is not a header name"));
            }
        }
    }
    problems
}

/// Why the feed source cannot start.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("cannot build the HTTP client for feeds: {0}")]
    Client(#[source] reqwest::Error),
    #[error("cannot load the feeds' state: {0}")]
    Store(#[source] StoreError),
}

/// The feeds as one running source.
pub struct FeedSource {
    feeds: Vec<FeedConfig>,
    defaults: FeedDefaults,
    poller: Arc<FeedPoller>,
    metrics: Arc<Metrics>,
}

impl FeedSource {
    /// A source polling the enabled `feeds`, keeping their state in `store`.
    pub fn new(
        feeds: Vec<FeedConfig>,
        defaults: FeedDefaults,
        store: Arc<dyn Store>,
        metrics: Arc<Metrics>,
    ) -> Result<FeedSource, FeedError> {
        let poller = Arc::new(FeedPoller::new(defaults.clone(), store, metrics.clone())?);
        Ok(FeedSource {
            feeds,
            defaults,
            poller,
            metrics,
        })
    }
}

#[async_trait]
impl Source for FeedSource {
    fn name(&self) -> String {
        format!("feeds ({})", self.feeds.len())
    }

    /// Started once the feeds' state is loaded and every feed is scheduled.
    async fn start(
        self: Box<Self>,
        out: ArticleSender,
        shutdown: CancellationToken,
        mut started: Started,
    ) -> Result<(), SourceError> {
        let FeedSource {
            feeds,
            defaults,
            poller,
            metrics,
        } = *self;
        let stored = poller
            .store()
            .feed_states()
            .await
            .map_err(FeedError::Store)?;
        let mut stored: HashMap<String, FeedState> =
            stored.into_iter().map(|s| (s.url.clone(), s)).collect();
        let mut scheduler = Scheduler {
            slots: Vec::new(),
            queue: BinaryHeap::new(),
            ready: VecDeque::new(),
            busy_hosts: HashMap::new(),
            defaults,
            metrics,
            disabled: 0,
        };
        let now = Utc::now();
        for feed in feeds.into_iter().filter(|f| f.enabled) {
            let state = stored
                .remove(feed.url.as_str())
                .unwrap_or_else(|| FeedState {
                    url: feed.url.to_string(),
                    ..FeedState::default()
                });
            if let Some(reason) = &state.disabled {
                warn!(feed = %redact_url(&feed.url), reason = %reason, "feed disabled; not polled");
                scheduler.disabled += 1;
                continue;
            }
            // Never polled, or due while we were down: now.
            let due = state.next_poll_at.unwrap_or(now).max(now);
            let index = scheduler.slots.len();
            scheduler.queue.push(Reverse((due, index)));
            scheduler.slots.push(Slot {
                feed,
                state,
                running: false,
            });
        }
        info!(feeds = scheduler.slots.len(), "polling feeds");
        scheduler.report_states();
        started.signal();
        scheduler.run(&poller, &out, &shutdown).await;
        Ok(())
    }
}

struct Slot {
    feed: FeedConfig,
    state: FeedState,
    running: bool,
}

impl Slot {
    /// The host the next poll goes to (after a permanent redirect, the new one).
    fn host(&self) -> String {
        let url = self
            .state
            .current_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
            .unwrap_or_else(|| self.feed.url.clone());
        format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(0)
        )
    }
}

/// Which feed runs when: a queue by due time, and the polls in flight.
struct Scheduler {
    slots: Vec<Slot>,
    queue: BinaryHeap<Reverse<(DateTime<Utc>, usize)>>,
    /// Due, waiting for a free slot (global or per host).
    ready: VecDeque<usize>,
    busy_hosts: HashMap<String, usize>,
    defaults: FeedDefaults,
    metrics: Arc<Metrics>,
    /// Feeds disabled before this start (never scheduled).
    disabled: u64,
}

impl Scheduler {
    /// The feeds by state, for the metrics.
    fn report_states(&self) {
        let mut states = FeedStates {
            disabled: self.disabled,
            ..FeedStates::default()
        };
        for slot in &self.slots {
            let state = &slot.state;
            if state.disabled.is_some() {
                states.disabled += 1;
            } else if state.polls == 0 {
                states.new += 1;
            } else if state.consecutive_errors > 0 {
                states.failing += 1;
            } else {
                states.ok += 1;
            }
        }
        self.metrics.feeds(states);
    }

    async fn run(
        &mut self,
        poller: &Arc<FeedPoller>,
        out: &ArticleSender,
        shutdown: &CancellationToken,
    ) {
        let mut workers: JoinSet<(usize, FeedState)> = JoinSet::new();
        let mut task_slots: HashMap<tokio::task::Id, usize> = HashMap::new();
        loop {
            let now = Utc::now();
            while let Some(Reverse((at, index))) = self.queue.peek().copied() {
                if at > now {
                    break;
                }
                self.queue.pop();
                self.ready.push_back(index);
            }
            let mut waiting = VecDeque::new();
            while let Some(index) = self.ready.pop_front() {
                let Some(slot) = self.slots.get_mut(index) else {
                    continue;
                };
                let host = slot.host();
                let busy = self.busy_hosts.get(&host).copied().unwrap_or(0);
                if workers.len() >= self.defaults.concurrency || busy >= self.defaults.per_host {
                    waiting.push_back(index);
                    continue;
                }
                *self.busy_hosts.entry(host).or_insert(0) += 1;
                slot.running = true;
                let feed = slot.feed.clone();
                let mut state = slot.state.clone();
                let poller = poller.clone();
                let out = out.clone();
                let token = shutdown.clone();
                let span = tracing::debug_span!("feed", feed = %redact_url(&feed.url));
                let handle = workers.spawn(
                    async move {
                        poller
                            .poll(&feed, &mut state, Utc::now(), &out, &token)
                            .await;
                        (index, state)
                    }
                    .instrument(span),
                );
                task_slots.insert(handle.id(), index);
            }
            self.ready = waiting;
            let sleep = self
                .queue
                .peek()
                .map(|Reverse((at, _))| (*at - now).to_std().unwrap_or(Duration::ZERO))
                .unwrap_or(Duration::from_secs(3600));
            tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                Some(joined) = workers.join_next_with_id() => {
                    self.finished(joined, &mut task_slots);
                }
                () = tokio::time::sleep(sleep) => {}
            }
        }
        // Each poll finishes the item in hand and returns.
        while let Some(joined) = workers.join_next_with_id().await {
            self.finished(joined, &mut task_slots);
        }
    }

    fn finished(
        &mut self,
        joined: Result<(tokio::task::Id, (usize, FeedState)), tokio::task::JoinError>,
        task_slots: &mut HashMap<tokio::task::Id, usize>,
    ) {
        let (index, state) = match joined {
            Ok((id, (index, state))) => {
                task_slots.remove(&id);
                (index, Some(state))
            }
            Err(e) => {
                let Some(index) = task_slots.remove(&e.id()) else {
                    return;
                };
                error!(error = %e, "a feed poll panicked; this is a bug; polling it again later");
                (index, None)
            }
        };
        let Some(slot) = self.slots.get_mut(index) else {
            return;
        };
        let host = slot.host();
        if let Some(busy) = self.busy_hosts.get_mut(&host) {
            *busy = busy.saturating_sub(1);
        }
        slot.running = false;
        let next = match state {
            Some(state) => {
                slot.state = state;
                slot.state.next_poll_at
            }
            None => None,
        };
        let disabled = slot.state.disabled.is_some();
        let interval = slot.feed.interval;
        self.report_states();
        if disabled {
            return;
        }
        let fallback = chrono::Duration::from_std(interval)
            .ok()
            .and_then(|d| Utc::now().checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.queue.push(Reverse((next.unwrap_or(fallback), index)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_per_poll_caps_have_defaults_and_must_be_at_least_one() {
        let defaults: FeedDefaults = toml::from_str("").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                defaults.max_items_per_poll,
                defaults.max_page_fetches_per_poll
            ),
            (200, 20)
        );
        assert!(defaults.problems().is_empty());
        let zero: FeedDefaults =
            toml::from_str("max_items_per_poll = 0\nmax_page_fetches_per_poll = 0")
                .unwrap_or_else(|e| panic!("{e}"));
        let problems = zero.problems();
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("feeds_defaults.max_items_per_poll:")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(
                |p| p.starts_with("feeds_defaults.max_page_fetches_per_poll:")
                    && p.contains("fetch_pages = false")
            ),
            "{problems:?}"
        );
    }
}
