//! Persistence: processed articles (by content hash), their claims, the timeline
//! state, and the alert outbox with one delivery row per sink. `Store` is the
//! trait the service talks to; `sqlite.rs` is the default implementation.
//! Everything an article changes is written in one transaction (`record`), and
//! articles that arrive together share one (`record_batch`).

pub mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::PathBuf;

use crate::model::{Alert, Article, ChangeKind, Claim};
use crate::timeline::Entry;

pub use sqlite::SqliteStore;

/// `[store]`: where the SQLite file lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// SQLite file; created with its folder if missing.
    pub path: PathBuf,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            path: PathBuf::from("data/drawdown.db"),
        }
    }
}

/// What went wrong talking to the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot create the folder {path} for the store: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot migrate the store at {path}: {source}")]
    Migrate {
        path: PathBuf,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("store query failed while {action}: {source}")]
    Query {
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "stored {what} is not valid JSON (was the database written by a newer drawdown?): {source}"
    )]
    Decode {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// A value could not be turned into JSON for storing (nothing was written).
    #[error("cannot encode {what} as JSON: {source}")]
    Encode {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// A stored column holds a value this version does not know (a delivery
    /// state, a timestamp out of range, a negative attempt count).
    #[error(
        "stored {what} has an unexpected value {value:?} (was the database written by a newer drawdown?)"
    )]
    Corrupt { what: &'static str, value: String },
    /// `delivery_succeeded` / `delivery_failed` named a delivery that does not exist.
    #[error("no delivery with id {id} in the outbox")]
    UnknownDelivery { id: i64 },
    /// The store's file was removed or replaced while the daemon had it open:
    /// what is written now would be lost at the next start.
    #[error("the store file {path} was removed or replaced since it was opened; restart drawdown")]
    FileReplaced { path: PathBuf },
}

/// Everything one processed article changes, written at once.
#[derive(Debug, Clone, Copy)]
pub struct ArticleRecord<'a> {
    pub article: &'a Article,
    pub content_hash: &'a str,
    /// Each claim with what the timeline made of it (`None`: recorded, not diffed,
    /// e.g. a rejected proposal).
    pub claims: &'a [(Claim, Option<ChangeKind>)],
    /// The timeline entries this article touched, in their new state. In a
    /// batch an entry may be given once, on the last article that touched it;
    /// a later record's entry replaces an earlier one's.
    pub entries: &'a [Entry],
    /// Alerts raised, each queued for every sink in `sinks`.
    pub alerts: &'a [Alert],
    pub sinks: &'a [String],
    /// The article's text fingerprint, for finding later reprints of it.
    pub fingerprint: Option<&'a Fingerprint>,
}

/// What `record` / `record_batch` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOutcome {
    Stored,
    /// An article with the same content hash was already stored (in a batch:
    /// one of them was); nothing written.
    Duplicate,
}

/// The state of one alert's delivery to one sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
    /// The sink's filter does not want this alert: never sent there, not a failure.
    Skipped,
}

/// An alert waiting in the outbox for one sink.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: i64,
    pub sink: String,
    pub attempts: u32,
    pub alert: Alert,
}

/// A stored alert with when it was raised and how its deliveries stand.
#[derive(Debug, Clone, Serialize)]
pub struct StoredAlert {
    /// The outbox's insertion order: grows with every alert stored, so it is
    /// the cursor of `alerts_page` and the `id:` of the SSE stream.
    pub seq: i64,
    pub alert: Alert,
    pub raised_at: DateTime<Utc>,
    /// (sink name, state, last error)
    pub deliveries: Vec<(String, DeliveryState, Option<String>)>,
}

impl StoredAlert {
    /// The public JSON shape of a stored alert (`drawdown alerts --format
    /// json`, `GET /api/alerts`, the SSE stream): the alert's fields, then
    /// `seq`, `raised_at` and `deliveries`.
    pub fn line(&self) -> AlertLine<'_> {
        AlertLine {
            alert: &self.alert,
            seq: self.seq,
            raised_at: self.raised_at.to_rfc3339(),
            deliveries: self
                .deliveries
                .iter()
                .map(|(sink, state, last_error)| DeliveryLine {
                    sink,
                    state: *state,
                    last_error: last_error.as_deref(),
                })
                .collect(),
        }
    }
}

/// See [`StoredAlert::line`].
#[derive(Debug, Serialize)]
pub struct AlertLine<'a> {
    #[serde(flatten)]
    pub alert: &'a Alert,
    pub seq: i64,
    pub raised_at: String,
    pub deliveries: Vec<DeliveryLine<'a>>,
}

/// One sink's delivery of an alert, in [`AlertLine`].
#[derive(Debug, Serialize)]
pub struct DeliveryLine<'a> {
    pub sink: &'a str,
    pub state: DeliveryState,
    pub last_error: Option<&'a str>,
}

/// Which alerts `alerts_page` returns: those after `after_seq`, raised at or
/// after `since`, of one of `kinds` (any kind if empty), oldest first, at most `limit`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertQuery {
    pub after_seq: Option<i64>,
    pub since: Option<DateTime<Utc>>,
    pub kinds: Vec<ChangeKind>,
    pub limit: u32,
}

/// A day (its UTC midnight) or an RFC 3339 time, as `--since` and `?since=` take them.
pub fn parse_since(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// What the store holds of one processed article: its claims with what the
/// timeline made of them, and the alerts it raised first.
#[derive(Debug, Clone)]
pub struct StoredArticle {
    pub claims: Vec<(Claim, Option<ChangeKind>)>,
    pub alerts: Vec<StoredAlert>,
}

/// The persistence the service needs. Implementations must make `record` atomic.
#[async_trait]
pub trait Store: Send + Sync {
    /// Has an article with this content hash been processed already?
    async fn has_article(&self, content_hash: &str) -> Result<bool, StoreError>;
    /// Which of these content hashes were processed already (one query for a batch).
    async fn stored_articles(&self, content_hashes: &[&str])
    -> Result<HashSet<String>, StoreError>;
    /// Every timeline entry, to start the diff from.
    async fn load_timeline(&self) -> Result<Vec<Entry>, StoreError>;
    /// Stores the article, its claims, the touched entries, its alerts and their
    /// deliveries in one transaction.
    async fn record(&self, record: ArticleRecord<'_>) -> Result<RecordOutcome, StoreError> {
        self.record_batch(std::slice::from_ref(&record)).await
    }
    /// Stores several articles, in order, in one transaction: all of them or,
    /// when any one was stored already (`Duplicate`), none.
    async fn record_batch(
        &self,
        records: &[ArticleRecord<'_>],
    ) -> Result<RecordOutcome, StoreError>;
    /// Alerts, oldest first.
    async fn alerts(&self) -> Result<Vec<StoredAlert>, StoreError>;
    /// Pending deliveries for `sink` whose next attempt is due at `now`, oldest alert first.
    async fn due_deliveries(
        &self,
        sink: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// The receiver accepted it: never send it again.
    async fn delivery_succeeded(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Try again at `next_attempt`, or give up (`state = Failed`).
    async fn delivery_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt: DateTime<Utc>,
        state: DeliveryState,
    ) -> Result<(), StoreError>;

    // Delivery management (issue 6): dead letters, re-queueing, resending.

    /// Marks `sink`'s pending deliveries queued before `queued_before` as
    /// failed (dead letters), appending `reason` to their last error. Returns
    /// how many it marked.
    async fn dead_letter(
        &self,
        sink: &str,
        queued_before: DateTime<Utc>,
        reason: &str,
    ) -> Result<u64, StoreError>;
    /// The sink's filter does not want it: never sent there.
    async fn delivery_skipped(&self, id: i64) -> Result<(), StoreError>;
    /// Several deliveries (one digest message) accepted at once, in one transaction.
    async fn deliveries_succeeded(&self, ids: &[i64], at: DateTime<Utc>) -> Result<(), StoreError>;
    /// How many deliveries `sink` still has pending (its outbox depth).
    async fn pending_deliveries(&self, sink: &str) -> Result<u64, StoreError>;
    /// When `sink`'s oldest pending delivery was queued (a digest window opens then).
    async fn oldest_pending_queued_at(
        &self,
        sink: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Re-queues failed deliveries: of one alert (`Some(id)`, every sink) or all
    /// of them (`None`). Attempts restart at 0 and the age at `now`. Returns how many.
    async fn retry_failed(
        &self,
        alert_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Queues the alerts raised at or after `since` for `sink` again (a new
    /// sink catching up on history). Alerts `sink` already has (delivered or
    /// pending there) are left alone unless `include_delivered` (a receiver
    /// that lost its data). Returns how many it queued.
    async fn resend(
        &self,
        sink: &str,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
        include_delivered: bool,
    ) -> Result<u64, StoreError>;
    /// Marks pending deliveries of sinks not in `configured` as failed with
    /// `reason`: a sink removed from the configuration stops receiving. Returns how many.
    async fn abandon_unconfigured(
        &self,
        configured: &[String],
        reason: &str,
    ) -> Result<u64, StoreError>;
    /// Alerts (oldest first) with at least one delivery in `state`.
    async fn alerts_in_state(&self, state: DeliveryState) -> Result<Vec<StoredAlert>, StoreError> {
        let mut alerts = self.alerts().await?;
        alerts.retain(|a| a.deliveries.iter().any(|(_, s, _)| *s == state));
        Ok(alerts)
    }
    // Reading for the HTTP API (issue 12).

    /// Answers if the store can be used: a query runs, and a file store's
    /// file is still the one opened (not removed or replaced underneath).
    async fn health(&self) -> Result<(), StoreError>;
    /// One page of alerts, oldest first (see [`AlertQuery`]).
    async fn alerts_page(&self, query: &AlertQuery) -> Result<Vec<StoredAlert>, StoreError>;
    /// The alert with this id.
    async fn alert(&self, id: &str) -> Result<Option<StoredAlert>, StoreError>;
    /// The `seq` of the newest alert (0 when there is none).
    async fn last_alert_seq(&self) -> Result<i64, StoreError>;
    /// The claims and alerts stored for the article with this content hash.
    async fn article(&self, content_hash: &str) -> Result<Option<StoredArticle>, StoreError>;

    // Feed polling (issue 5): per-feed state, items seen, text fingerprints.

    /// The stored state of every feed that has been polled, oldest URL first.
    async fn feed_states(&self) -> Result<Vec<FeedState>, StoreError>;
    /// Inserts or replaces one feed's state (keyed by its configured URL).
    async fn save_feed_state(&self, state: &FeedState) -> Result<(), StoreError>;
    /// The text hash recorded for this item of this feed, if it was seen.
    async fn feed_item_hash(
        &self,
        feed_url: &str,
        item_id: &str,
    ) -> Result<Option<String>, StoreError>;
    /// Was a story with this canonical link seen in any feed?
    async fn link_seen(&self, canonical_link: &str) -> Result<bool, StoreError>;
    /// Records a feed item as handled (or updates its text hash after an edit).
    async fn mark_feed_item(
        &self,
        feed_url: &str,
        item_id: &str,
        canonical_link: Option<&str>,
        text_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Text fingerprints of the articles published on or after `since`.
    async fn fingerprints_since(
        &self,
        since: chrono::NaiveDate,
    ) -> Result<Vec<Fingerprint>, StoreError>;
}

/// One feed's polling state (issue 5), kept across restarts and shown by
/// `drawdown feeds`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedState {
    /// The URL as configured: the feed's identity.
    pub url: String,
    /// Where a permanent redirect moved it; polled instead of `url`.
    pub current_url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub next_poll_at: Option<DateTime<Utc>>,
    pub last_polled_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// HTTP status of the last response (none after a network error).
    pub last_status: Option<u16>,
    pub consecutive_errors: u32,
    pub last_error: Option<String>,
    /// Items handed to the pipeline so far.
    pub items_seen: u64,
    /// Polls made so far (seeds the jitter).
    pub polls: u64,
    /// Why the feed is no longer polled (410 Gone), if it is not.
    pub disabled: Option<String>,
}

/// The text fingerprint of a processed article (syndication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub content_hash: String,
    /// MinHash signature bytes (`source::feed::syndication`).
    pub signature: Vec<u8>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: String,
    pub published: chrono::NaiveDate,
}
