//! One refresh of one feed (miniflux's `RefreshFeed`): conditional GET, parse,
//! the items not seen before handed to the pipeline oldest first (each marked
//! seen once the pipeline acknowledges it), then the feed's new state: its
//! validators, status, error count and reason, and when to poll next. Every
//! outcome is a state, never a stopped feed (410 Gone disables it).

use std::collections::{HashSet, VecDeque};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use url::Url;

use super::fetch::{FetchError, Fetcher, Validators};
use super::items::{FeedItem, ParsedFeed, oldest_first, parse_feed};
use super::schedule::{Hints, next_poll, seed};
use super::{FeedConfig, FeedDefaults, FeedError};
use crate::metrics::{FeedEvent, FeedItemOutcome, Metrics, PageOutcome, SourceKind};
use crate::model::Article;
use crate::pipeline::MAX_BATCH;
use crate::redact::redact_url;
use crate::source::article_file::parse_article_decoded;
use crate::source::{ArticleSender, Incoming, Processed};
use crate::store::{FeedState, Store, StoreError};

/// What one poll did (also written into the feed's state).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    /// HTTP status of the final response, if any.
    pub status: Option<u16>,
    pub not_modified: bool,
    /// Items handed to the pipeline (new or edited).
    pub processed: usize,
    /// Items already known (same feed and id, or same link in another feed).
    pub known: usize,
    /// Why the poll failed, if it did.
    pub error: Option<String>,
    /// Stopped by shutdown before every item was handed over.
    pub interrupted: bool,
}

/// Polls feeds: the HTTP client, the store and the counters they share.
pub struct FeedPoller {
    fetcher: Fetcher,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    defaults: FeedDefaults,
}

/// The linked pages one poll may still fetch (`max_page_fetches_per_poll`),
/// and how many summary-only items found none left.
struct PageBudget {
    left: usize,
    refused: usize,
}

/// What the store knows about an item.
enum Seen {
    New,
    Edited,
    Known,
}

impl FeedPoller {
    pub fn new(
        defaults: FeedDefaults,
        store: Arc<dyn Store>,
        metrics: Arc<Metrics>,
    ) -> Result<FeedPoller, FeedError> {
        Ok(FeedPoller {
            fetcher: Fetcher::new(&defaults).map_err(FeedError::Client)?,
            store,
            metrics,
            defaults,
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Polls `feed` once at `now`, hands new items to `out`, and updates and
    /// saves `state` (including `next_poll_at`). Never fails: errors become
    /// the feed's state and its backoff.
    pub async fn poll(
        &self,
        feed: &FeedConfig,
        state: &mut FeedState,
        now: DateTime<Utc>,
        out: &ArticleSender,
        shutdown: &CancellationToken,
    ) -> PollReport {
        let mut report = PollReport::default();
        let mut hints = Hints::default();
        let url = state
            .current_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
            .unwrap_or_else(|| feed.url.clone());
        let validators = Validators {
            etag: state.etag.as_deref(),
            last_modified: state.last_modified.as_deref(),
        };
        let mut timed_out = false;
        let fetched = self
            .fetcher
            .get_feed(&url, &validators, &feed.headers, now)
            .await;
        match fetched {
            Ok(fetched) => {
                report.status = Some(fetched.status);
                hints.max_age = fetched.max_age;
                hints.retry_after = fetched.retry_after;
                if let Some(moved) = &fetched.moved_to {
                    info!(feed = %redact_url(&feed.url), from = %redact_url(&url), to = %redact_url(moved), "feed moved permanently; polling the new URL from now on");
                    self.metrics.feed_event(FeedEvent::Moved);
                    state.current_url = Some(moved.to_string());
                }
                if fetched.not_modified() {
                    report.not_modified = true;
                    debug!(feed = %redact_url(&feed.url), status = 304, "feed not modified");
                } else {
                    match parse_feed(
                        &fetched.body,
                        &fetched.final_url,
                        self.defaults.summary_words,
                    ) {
                        Ok(parsed) => {
                            hints.ttl = parsed.ttl;
                            hints.update_period = parsed.update_period;
                            if let Err(e) = self
                                .hand_over(feed, state, parsed, now, out, shutdown, &mut report)
                                .await
                            {
                                report.error = Some(e.to_string());
                            }
                            if report.error.is_none() && !report.interrupted {
                                // Only now: a crash before this re-reads the items next time.
                                state.etag = fetched.etag.clone();
                                state.last_modified = fetched.last_modified.clone();
                            }
                            debug!(feed = %redact_url(&feed.url), status = fetched.status, new = report.processed, known = report.known, "feed polled");
                        }
                        Err(e) => {
                            self.metrics.feed_event(FeedEvent::ParseError);
                            report.error = Some(e.to_string());
                        }
                    }
                }
            }
            Err(e) => {
                report.status = e.status();
                if let FetchError::Status { retry_after, .. } = &e {
                    hints.retry_after = *retry_after;
                }
                if e.status() == Some(410) {
                    warn!(feed = %redact_url(&feed.url), status = 410, "feed is gone (410); disabling it");
                    self.metrics.feed_event(FeedEvent::Gone);
                    state.disabled = Some(format!("410 Gone at {}", now.to_rfc3339()));
                }
                timed_out = matches!(e, FetchError::Timeout { .. });
                report.error = Some(e.to_string());
            }
        }
        self.metrics.feed_poll(report.status, timed_out);

        state.polls += 1;
        state.last_polled_at = Some(now);
        state.last_status = report.status;
        match &report.error {
            None => {
                state.last_success_at = Some(now);
                state.consecutive_errors = 0;
                state.last_error = None;
            }
            Some(reason) => {
                self.metrics.feed_event(FeedEvent::Failed);
                state.consecutive_errors = state.consecutive_errors.saturating_add(1);
                state.last_error = Some(reason.clone());
            }
        }
        let at = if report.interrupted {
            now
        } else {
            next_poll(
                now,
                feed.interval,
                state.consecutive_errors,
                &hints,
                seed(feed.url.as_str(), state.polls),
            )
        };
        state.next_poll_at = Some(at);
        if let Some(reason) = &report.error {
            if state.disabled.is_none() {
                warn!(feed = %redact_url(&feed.url), error = %reason, failures = state.consecutive_errors, next_poll = %at.to_rfc3339(), "feed poll failed; backing off");
            }
        }
        if let Err(e) = self.store.save_feed_state(state).await {
            self.metrics.store_error();
            warn!(feed = %redact_url(&feed.url), error = %e, "cannot save the feed's state");
        }
        report
    }

    /// Hands the new and edited items to the pipeline, oldest first, without
    /// waiting for each to be stored before sending the next (the pipeline
    /// stores what is waiting in one transaction); each is marked seen once the
    /// pipeline acknowledges it, in order, so an item not stored is seen again.
    #[allow(clippy::too_many_arguments)]
    async fn hand_over(
        &self,
        feed: &FeedConfig,
        state: &mut FeedState,
        parsed: ParsedFeed,
        now: DateTime<Utc>,
        out: &ArticleSender,
        shutdown: &CancellationToken,
        report: &mut PollReport,
    ) -> Result<(), StoreError> {
        let feed_key = feed.url.as_str();
        let outlet = feed.name.clone().or(parsed.title.clone());
        let mut items = parsed.items;
        oldest_first(&mut items);
        let left_out = items.len().saturating_sub(self.defaults.max_items_per_poll);
        if left_out > 0 {
            items.drain(..left_out);
            self.metrics
                .feed_items(FeedItemOutcome::Capped, left_out as u64);
            warn!(
                feed = %redact_url(&feed.url),
                items = left_out + items.len(),
                left_out,
                max_items_per_poll = self.defaults.max_items_per_poll,
                "the feed lists more items than max_items_per_poll; the oldest are left out"
            );
        }
        let mut pages = PageBudget {
            left: self.defaults.max_page_fetches_per_poll,
            refused: 0,
        };
        let mut in_flight: VecDeque<(FeedItem, Seen, oneshot::Receiver<Processed>)> =
            VecDeque::new();
        // Canonical links handed over in this poll: a second item with the same
        // link is the same story, as if it were already marked seen.
        let mut links: HashSet<String> = HashSet::new();
        let mut stopped = false;
        for item in items {
            if shutdown.is_cancelled() {
                report.interrupted = true;
                break;
            }
            let seen = self.seen(feed_key, &item).await?;
            if let Seen::Known = seen {
                report.known += 1;
                continue;
            }
            if let Some(link) = &item.canonical {
                if !links.insert(link.clone()) {
                    self.store
                        .mark_feed_item(feed_key, &item.id, Some(link), &item.text_hash, now)
                        .await?;
                    self.metrics.feed_item(FeedItemOutcome::SameLink);
                    report.known += 1;
                    continue;
                }
            }
            let article = self
                .article(feed, outlet.as_deref(), &item, now, &mut pages)
                .await;
            let (incoming, answer) =
                Incoming::new(SourceKind::Feed, redact_url(&feed.url).to_string(), article);
            tokio::select! {
                sent = out.send(incoming) => if sent.is_err() {
                    report.interrupted = true;
                    break;
                },
                () = shutdown.cancelled() => {
                    report.interrupted = true;
                    break;
                }
            }
            in_flight.push_back((item, seen, answer));
            // A bounded window: the oldest answer first once a batch is out.
            if in_flight.len() >= MAX_BATCH {
                if let Some((item, seen, answer)) = in_flight.pop_front() {
                    if !self
                        .acknowledged(feed, state, item, seen, answer, now, report)
                        .await?
                    {
                        stopped = true;
                        break;
                    }
                }
            }
        }
        if pages.refused > 0 {
            warn!(
                feed = %redact_url(&feed.url),
                summaries_kept = pages.refused,
                max_page_fetches_per_poll = self.defaults.max_page_fetches_per_poll,
                "more summary-only items than max_page_fetches_per_poll; the rest keep their summary"
            );
        }
        // Sent items are stored by the pipeline even during shutdown: wait for them.
        while let Some((item, seen, answer)) = in_flight.pop_front() {
            if stopped {
                break;
            }
            if !self
                .acknowledged(feed, state, item, seen, answer, now, report)
                .await?
            {
                stopped = true;
            }
        }
        Ok(())
    }

    /// Waits for the pipeline's answer on one item and marks it seen if it was
    /// stored. `false`: stop handing over (the pipeline failed or has gone).
    #[allow(clippy::too_many_arguments)]
    async fn acknowledged(
        &self,
        feed: &FeedConfig,
        state: &mut FeedState,
        item: FeedItem,
        seen: Seen,
        answer: oneshot::Receiver<Processed>,
        now: DateTime<Utc>,
        report: &mut PollReport,
    ) -> Result<bool, StoreError> {
        let feed_key = feed.url.as_str();
        match answer.await {
            Ok(Processed::Stored { .. } | Processed::Duplicate) => {
                self.store
                    .mark_feed_item(
                        feed_key,
                        &item.id,
                        item.canonical.as_deref(),
                        &item.text_hash,
                        now,
                    )
                    .await?;
                state.items_seen += 1;
                report.processed += 1;
                self.metrics.feed_item(match seen {
                    Seen::Edited => FeedItemOutcome::Edited,
                    _ => FeedItemOutcome::New,
                });
                info!(feed = %redact_url(&feed.url), item = %item.id, title = %item.title, edited = matches!(seen, Seen::Edited), "new feed item");
                Ok(true)
            }
            Ok(Processed::Failed(reason)) => {
                report.error = Some(format!("the pipeline could not store an item: {reason}"));
                Ok(false)
            }
            Err(_) => {
                report.interrupted = true;
                Ok(false)
            }
        }
    }

    /// New once per (feed, id) and once per canonical link across feeds; an
    /// edited text under a known id is new again.
    async fn seen(&self, feed_key: &str, item: &FeedItem) -> Result<Seen, StoreError> {
        match self.store.feed_item_hash(feed_key, &item.id).await? {
            Some(hash) if hash == item.text_hash => return Ok(Seen::Known),
            Some(_) => return Ok(Seen::Edited),
            None => {}
        }
        if let Some(link) = &item.canonical {
            if self.store.link_seen(link).await? {
                // Seen under another feed (or id): remember it here too.
                self.store
                    .mark_feed_item(feed_key, &item.id, Some(link), &item.text_hash, Utc::now())
                    .await?;
                self.metrics.feed_item(FeedItemOutcome::SameLink);
                return Ok(Seen::Known);
            }
        }
        Ok(Seen::New)
    }

    /// The article for an item; a summary-only item gets its page's main text
    /// (the drop folder's HTML reader, same size cap) while the poll's page
    /// budget lasts, else its summary.
    async fn article(
        &self,
        feed: &FeedConfig,
        outlet: Option<&str>,
        item: &FeedItem,
        now: DateTime<Utc>,
        pages: &mut PageBudget,
    ) -> Article {
        let published = item.published.unwrap_or(now).date_naive();
        let mut article = Article {
            title: item.title.clone(),
            source: item
                .outlet
                .clone()
                .or_else(|| outlet.map(str::to_string))
                .or_else(|| feed.url.host_str().map(str::to_string)),
            url: item.link.clone(),
            path: None,
            published,
            text: item.text.clone(),
        };
        if !(item.summary_only && self.defaults.fetch_pages) {
            return article;
        }
        let Some(link) = item.link.as_deref().and_then(|l| Url::parse(l).ok()) else {
            return article;
        };
        if pages.left == 0 {
            pages.refused += 1;
            self.metrics.feed_page(PageOutcome::Capped);
            return article;
        }
        pages.left -= 1;
        match self.page_text(&link, published, now).await {
            Ok(text) => {
                self.metrics.feed_page(PageOutcome::Fetched);
                article.text = text;
            }
            Err(reason) => {
                self.metrics.feed_page(PageOutcome::Fallback);
                warn!(feed = %redact_url(&feed.url), link = %link, reason = %reason, "cannot use the linked page; using the feed's summary");
            }
        }
        article
    }

    async fn page_text(
        &self,
        link: &Url,
        published: chrono::NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<String, String> {
        let page = self
            .fetcher
            .get_page(link, now)
            .await
            .map_err(|e| e.to_string())?;
        if robots_forbid(&page.body) {
            return Err("the page asks not to be archived (robots noarchive/noindex)".into());
        }
        let body = page.body;
        let parsed = tokio::task::spawn_blocking(move || {
            parse_article_decoded(Path::new("page.html"), &body, Some(published))
        })
        .await
        .map_err(|e| format!("the HTML reader failed: {e}"))?
        .map_err(|e| e.to_string())?;
        parsed.encoding.log(&redact_url(link));
        parsed.encoding.count(&self.metrics, SourceKind::Feed);
        Ok(parsed.article.text)
    }
}

/// `<meta name="robots" content="...noarchive|noindex...">` in the page.
fn robots_forbid(html: &[u8]) -> bool {
    let head = &html[..html.len().min(64 * 1024)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    head.match_indices("<meta").any(|(at, _)| {
        let tag = head[at..].split('>').next().unwrap_or_default();
        tag.contains("robots") && (tag.contains("noarchive") || tag.contains("noindex"))
    })
}

#[cfg(test)]
mod tests {
    use super::robots_forbid;

    #[test]
    fn robots_meta() {
        assert!(robots_forbid(
            b"<html><head><meta name=\"robots\" content=\"noindex, nofollow\"></head>"
        ));
        assert!(!robots_forbid(b"<html><head><meta name=\"description\" content=\"noindex\"><meta name=robots content=all></head>"));
    }
}
