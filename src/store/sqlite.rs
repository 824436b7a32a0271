//! The default store: one SQLite file (WAL) holding processed articles, their
//! claims, the timeline entries, and the alert outbox (`alerts`, plus one
//! `deliveries` row per alert and sink). `record` writes everything an article
//! changes in ONE transaction: all of it is stored or none of it. The schema is
//! in `migrations/`, embedded in the binary and applied on `open`.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::{
    ArticleRecord, Delivery, DeliveryState, RecordOutcome, Store, StoreConfig, StoreError,
    StoredAlert,
};
use crate::model::Alert;
use crate::timeline::Entry;

/// The schema, embedded at build time; applied (idempotently) by `open`. Never
/// edit a released migration (its checksum is stored): add `000N_*.sql`. On
/// stable Rust a NEW file is not noticed by incremental builds until this file
/// is touched (or a build script says `rerun-if-changed=src/store/migrations`).
static MIGRATOR: Migrator = sqlx::migrate!("src/store/migrations");

/// How long a statement waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections to a file store: SQLite serialises writers anyway, WAL lets
/// readers run beside them.
const MAX_CONNECTIONS: u32 = 4;

/// The SQLite store. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it and its folder if missing) the SQLite file at
    /// `config.path`, in WAL mode with `synchronous = NORMAL`, a 5 s busy
    /// timeout and foreign keys on, and brings its schema up to date.
    pub async fn open(config: &StoreConfig) -> Result<SqliteStore, StoreError> {
        let path = &config.path;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|source| StoreError::CreateDir {
                    path: parent.to_path_buf(),
                    source,
                })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        SqliteStore::migrated(pool, path).await
    }

    /// A private, empty in-memory database (for `drawdown replay`). It has one
    /// connection that is never recycled, so every query sees the same
    /// database; it is gone when the store is closed or dropped.
    pub async fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let path = Path::new(":memory:");
        let options = SqliteConnectOptions::new()
            .filename(path)
            .in_memory(true)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        SqliteStore::migrated(pool, path).await
    }

    async fn migrated(pool: SqlitePool, path: &Path) -> Result<SqliteStore, StoreError> {
        if let Err(source) = MIGRATOR.run(&pool).await {
            pool.close().await;
            return Err(StoreError::Migrate {
                path: path.to_path_buf(),
                source,
            });
        }
        Ok(SqliteStore { pool })
    }

    /// Waits for running queries, then closes every connection (flushing the
    /// WAL). Call it on shutdown; queries after it fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Maps a sqlx error to `StoreError::Query` naming what was being done.
fn query_failed(action: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { action, source }
}

fn encode<T: Serialize + ?Sized>(what: &'static str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Encode { what, source })
}

fn decode<T: serde::de::DeserializeOwned>(what: &'static str, json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|source| StoreError::Decode { what, source })
}

/// Timestamps are stored as unix milliseconds (INTEGER), so they compare as numbers.
fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_millis(what: &'static str, ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt {
        what,
        value: ms.to_string(),
    })
}

/// The `deliveries.state` word for a state (the same word as its serde name).
fn state_word(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Pending => "pending",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Failed => "failed",
    }
}

fn parse_state(word: &str) -> Result<DeliveryState, StoreError> {
    match word {
        "pending" => Ok(DeliveryState::Pending),
        "delivered" => Ok(DeliveryState::Delivered),
        "failed" => Ok(DeliveryState::Failed),
        other => Err(StoreError::Corrupt {
            what: "delivery state",
            value: other.to_string(),
        }),
    }
}

/// A stored alert encoded before the transaction starts.
struct AlertRow<'a> {
    alert: &'a Alert,
    json: String,
}

#[async_trait]
impl Store for SqliteStore {
    async fn has_article(&self, content_hash: &str) -> Result<bool, StoreError> {
        sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM articles WHERE content_hash = ?)",
        )
        .bind(content_hash)
        .fetch_one(&self.pool)
        .await
        .map_err(query_failed("looking up an article by content hash"))
    }

    async fn load_timeline(&self) -> Result<Vec<Entry>, StoreError> {
        const ACTION: &str = "loading the timeline";
        let rows = sqlx::query("SELECT entry FROM timeline ORDER BY event_key, attribute")
            .fetch_all(&self.pool)
            .await
            .map_err(query_failed(ACTION))?;
        rows.iter()
            .map(|row| {
                let json: &str = row.try_get("entry").map_err(query_failed(ACTION))?;
                decode("timeline entry", json)
            })
            .collect()
    }

    async fn record(&self, record: ArticleRecord<'_>) -> Result<RecordOutcome, StoreError> {
        // Encode everything first: a value that cannot be stored fails before
        // the transaction takes the write lock.
        let claims = record
            .claims
            .iter()
            .map(|(claim, kind)| Ok((claim, *kind, encode("claim", claim)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let entries = record
            .entries
            .iter()
            .map(|entry| Ok((entry, encode("timeline entry", entry)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let alerts = record
            .alerts
            .iter()
            .map(|alert| {
                Ok(AlertRow {
                    alert,
                    json: encode("alert", alert)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let article = record.article;
        let path = article.path.as_ref().map(|p| p.display().to_string());
        let now = millis(Utc::now());

        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(query_failed("starting the article transaction"))?;

        let inserted = sqlx::query(
            "INSERT INTO articles (content_hash, title, source, url, path, published, processed_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (content_hash) DO NOTHING",
        )
        .bind(record.content_hash)
        .bind(&article.title)
        .bind(article.source.as_deref())
        .bind(article.url.as_deref())
        .bind(path.as_deref())
        .bind(article.published.format("%Y-%m-%d").to_string())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(query_failed("inserting the article"))?;
        if inserted.rows_affected() == 0 {
            tx.rollback()
                .await
                .map_err(query_failed("rolling back a duplicate article"))?;
            return Ok(RecordOutcome::Duplicate);
        }
        let article_id = inserted.last_insert_rowid();

        for (claim, kind, json) in &claims {
            sqlx::query(
                "INSERT INTO claims (article_id, event_key, attribute, change_kind, claim)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(article_id)
            .bind(&claim.event.key)
            .bind(claim.attribute.as_str())
            .bind(kind.map(|k| k.as_str()))
            .bind(json)
            .execute(&mut *tx)
            .await
            .map_err(query_failed("inserting claims"))?;
        }

        for (entry, json) in &entries {
            sqlx::query(
                "INSERT INTO timeline (event_key, attribute, entry, updated_at)
                 VALUES (?, ?, ?, ?)
                 ON CONFLICT (event_key, attribute)
                 DO UPDATE SET entry = excluded.entry, updated_at = excluded.updated_at",
            )
            .bind(&entry.event.key)
            .bind(entry.attribute.as_str())
            .bind(json)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(query_failed("storing timeline entries"))?;
        }

        for row in &alerts {
            let alert = row.alert;
            let queued = sqlx::query(
                "INSERT INTO alerts (id, article_id, kind, event_key, attribute, raised_at, alert)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&alert.id)
            .bind(article_id)
            .bind(alert.kind.as_str())
            .bind(&alert.event.key)
            .bind(alert.attribute.as_str())
            .bind(now)
            .bind(&row.json)
            .execute(&mut *tx)
            .await
            .map_err(query_failed("inserting alerts"))?;
            if queued.rows_affected() == 0 {
                // Raised before: it is (or was) in the outbox already.
                continue;
            }
            for sink in record.sinks {
                sqlx::query(
                    "INSERT INTO deliveries (alert_id, sink, state, attempts, next_attempt_at)
                     VALUES (?, ?, 'pending', 0, ?)
                     ON CONFLICT (alert_id, sink) DO NOTHING",
                )
                .bind(&alert.id)
                .bind(sink)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(query_failed("queueing deliveries"))?;
            }
        }

        tx.commit()
            .await
            .map_err(query_failed("committing the article"))?;
        Ok(RecordOutcome::Stored)
    }

    async fn alerts(&self) -> Result<Vec<StoredAlert>, StoreError> {
        const ACTION: &str = "listing alerts";
        let rows = sqlx::query(
            "SELECT a.seq, a.alert, a.raised_at, d.sink, d.state, d.last_error
             FROM alerts a LEFT JOIN deliveries d ON d.alert_id = a.id
             ORDER BY a.raised_at, a.seq, d.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(query_failed(ACTION))?;

        let mut out: Vec<StoredAlert> = Vec::new();
        let mut last_seq = None;
        for row in &rows {
            let seq: i64 = row.try_get("seq").map_err(query_failed(ACTION))?;
            if last_seq != Some(seq) {
                let json: &str = row.try_get("alert").map_err(query_failed(ACTION))?;
                let raised_at: i64 = row.try_get("raised_at").map_err(query_failed(ACTION))?;
                out.push(StoredAlert {
                    alert: decode("alert", json)?,
                    raised_at: from_millis("alert raised_at", raised_at)?,
                    deliveries: Vec::new(),
                });
                last_seq = Some(seq);
            }
            let sink: Option<String> = row.try_get("sink").map_err(query_failed(ACTION))?;
            let state: Option<&str> = row.try_get("state").map_err(query_failed(ACTION))?;
            let last_error: Option<String> =
                row.try_get("last_error").map_err(query_failed(ACTION))?;
            if let (Some(sink), Some(state), Some(current)) = (sink, state, out.last_mut()) {
                current
                    .deliveries
                    .push((sink, parse_state(state)?, last_error));
            }
        }
        Ok(out)
    }

    async fn due_deliveries(
        &self,
        sink: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        const ACTION: &str = "listing due deliveries";
        let rows = sqlx::query(
            "SELECT d.id, d.sink, d.attempts, a.alert
             FROM deliveries d JOIN alerts a ON a.id = d.alert_id
             WHERE d.sink = ? AND d.state = 'pending' AND d.next_attempt_at <= ?
             ORDER BY a.seq, d.id
             LIMIT ?",
        )
        .bind(sink)
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(query_failed(ACTION))?;

        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id").map_err(query_failed(ACTION))?;
                let sink: String = row.try_get("sink").map_err(query_failed(ACTION))?;
                let attempts: i64 = row.try_get("attempts").map_err(query_failed(ACTION))?;
                let json: &str = row.try_get("alert").map_err(query_failed(ACTION))?;
                Ok(Delivery {
                    id,
                    sink,
                    attempts: u32::try_from(attempts).map_err(|_| StoreError::Corrupt {
                        what: "delivery attempts",
                        value: attempts.to_string(),
                    })?,
                    alert: decode("alert", json)?,
                })
            })
            .collect()
    }

    /// Marks the delivery delivered at `at`, counts the attempt and clears
    /// the last error.
    async fn delivery_succeeded(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries
             SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL
             WHERE id = ?",
        )
        .bind(millis(at))
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(query_failed("marking a delivery delivered"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownDelivery { id });
        }
        Ok(())
    }

    async fn delivery_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt: DateTime<Utc>,
        state: DeliveryState,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries
             SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, state = ?
             WHERE id = ?",
        )
        .bind(error)
        .bind(millis(next_attempt))
        .bind(state_word(state))
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(query_failed("recording a failed delivery"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownDelivery { id });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_state_words_round_trip() {
        for state in [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ] {
            assert_eq!(parse_state(state_word(state)).ok(), Some(state));
            // The column word is the serde word, so JSON and SQL agree.
            let json = serde_json::to_string(&state).ok();
            assert_eq!(json, Some(format!("\"{}\"", state_word(state))));
        }
        assert!(matches!(
            parse_state("sent"),
            Err(StoreError::Corrupt { .. })
        ));
    }

    #[test]
    fn timestamps_are_whole_milliseconds() {
        let at = DateTime::from_timestamp_millis(1_725_580_800_123);
        assert_eq!(at.map(millis), Some(1_725_580_800_123));
        assert!(from_millis("t", i64::MAX).is_err());
    }

    #[tokio::test]
    async fn in_memory_store_migrates_and_starts_empty() {
        let store = SqliteStore::open_in_memory().await;
        let store = match store {
            Ok(store) => store,
            Err(e) => panic!("open_in_memory: {e}"),
        };
        assert!(matches!(store.load_timeline().await, Ok(v) if v.is_empty()));
        assert!(matches!(store.has_article("nope").await, Ok(false)));
        assert!(matches!(
            store.delivery_succeeded(42, Utc::now()).await,
            Err(StoreError::UnknownDelivery { id: 42 })
        ));
        store.close().await;
    }
}
