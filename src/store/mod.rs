//! Persistence: processed articles (by content hash), their claims, the timeline
//! state, and the alert outbox with one delivery row per sink. `Store` is the
//! trait the service talks to; `sqlite.rs` is the default implementation.
//! Everything an article changes is written in one transaction (`record`).

pub mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
}

/// Everything one processed article changes, written at once.
#[derive(Debug, Clone, Copy)]
pub struct ArticleRecord<'a> {
    pub article: &'a Article,
    pub content_hash: &'a str,
    /// Each claim with what the timeline made of it (`None`: recorded, not diffed,
    /// e.g. a rejected proposal).
    pub claims: &'a [(Claim, Option<ChangeKind>)],
    /// The timeline entries this article touched, in their new state.
    pub entries: &'a [Entry],
    /// Alerts raised, each queued for every sink in `sinks`.
    pub alerts: &'a [Alert],
    pub sinks: &'a [String],
}

/// What `record` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOutcome {
    Stored,
    /// An article with the same content hash was already stored; nothing written.
    Duplicate,
}

/// The state of one alert's delivery to one sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
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
    pub alert: Alert,
    pub raised_at: DateTime<Utc>,
    /// (sink name, state, last error)
    pub deliveries: Vec<(String, DeliveryState, Option<String>)>,
}

/// The persistence the service needs. Implementations must make `record` atomic.
#[async_trait]
pub trait Store: Send + Sync {
    /// Has an article with this content hash been processed already?
    async fn has_article(&self, content_hash: &str) -> Result<bool, StoreError>;
    /// Every timeline entry, to start the diff from.
    async fn load_timeline(&self) -> Result<Vec<Entry>, StoreError>;
    /// Stores the article, its claims, the touched entries, its alerts and their
    /// deliveries in one transaction.
    async fn record(&self, record: ArticleRecord<'_>) -> Result<RecordOutcome, StoreError>;
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
}
