//! The default store: one SQLite file (WAL) holding processed articles, their
//! claims, the timeline entries, and the alert outbox (`alerts`, plus one
//! `deliveries` row per alert and sink). `record_batch` writes everything a
//! batch of articles changes in ONE transaction: all of it is stored or none
//! of it. The schema is
//! in `migrations/`, embedded in the binary and applied on `open`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{
    AlertQuery, ArticleRecord, Delivery, DeliveryState, RecordOutcome, Store, StoreConfig,
    StoreError, StoredAlert, StoredArticle,
};
use super::{FeedState, Fingerprint};
use crate::model::ChangeKind;
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

/// Rows per multi-row INSERT: well under SQLite's limit on bound values.
const ROWS_PER_INSERT: usize = 100;

/// The SQLite store. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The file as opened (none in memory), for `health`.
    file: Option<FileIdentity>,
}

/// A file's path and identity (device and inode on unix) when it was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileIdentity {
    path: PathBuf,
    id: (u64, u64),
}

impl FileIdentity {
    /// The identity of the file now at `path`, if there is one.
    fn of(path: &Path) -> Option<FileIdentity> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let id = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let id = (meta.len().min(1), 0);
        Some(FileIdentity {
            path: path.to_path_buf(),
            id,
        })
    }
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
        let mut store = SqliteStore::migrated(pool, path).await?;
        store.file = FileIdentity::of(path);
        Ok(store)
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
        Ok(SqliteStore { pool, file: None })
    }

    /// Waits for running queries, then closes every connection (flushing the
    /// WAL). Call it on shutdown; queries after it fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl SqliteStore {
    /// The alerts (with their deliveries, oldest first) among those that
    /// `filter` selects: it adds to `SELECT seq FROM alerts WHERE `.
    async fn alerts_where<'a>(
        &self,
        filter: impl FnOnce(&mut QueryBuilder<'a, Sqlite>),
    ) -> Result<Vec<StoredAlert>, StoreError> {
        const ACTION: &str = "listing alerts";
        let mut select = QueryBuilder::<Sqlite>::new(
            "SELECT a.seq, a.alert, a.raised_at, d.sink, d.state, d.last_error
             FROM alerts a LEFT JOIN deliveries d ON d.alert_id = a.id
             WHERE a.seq IN (SELECT seq FROM alerts WHERE ",
        );
        filter(&mut select);
        select.push(") ORDER BY a.raised_at, a.seq, d.id");
        let rows = select
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(query_failed(ACTION))?;

        let mut out: Vec<StoredAlert> = Vec::new();
        for row in &rows {
            let seq: i64 = row.try_get("seq").map_err(query_failed(ACTION))?;
            if out.last().map(|a| a.seq) != Some(seq) {
                let json: &str = row.try_get("alert").map_err(query_failed(ACTION))?;
                let raised_at: i64 = row.try_get("raised_at").map_err(query_failed(ACTION))?;
                out.push(StoredAlert {
                    seq,
                    alert: decode("alert", json)?,
                    raised_at: from_millis("alert raised_at", raised_at)?,
                    deliveries: Vec::new(),
                });
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
        DeliveryState::Skipped => "skipped",
    }
}

fn parse_state(word: &str) -> Result<DeliveryState, StoreError> {
    match word {
        "pending" => Ok(DeliveryState::Pending),
        "delivered" => Ok(DeliveryState::Delivered),
        "failed" => Ok(DeliveryState::Failed),
        "skipped" => Ok(DeliveryState::Skipped),
        other => Err(StoreError::Corrupt {
            what: "delivery state",
            value: other.to_string(),
        }),
    }
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

    async fn health(&self) -> Result<(), StoreError> {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sqlite_master")
            .fetch_one(&self.pool)
            .await
            .map_err(query_failed("checking that the store answers"))?;
        match &self.file {
            Some(opened) if FileIdentity::of(&opened.path).as_ref() != Some(opened) => {
                Err(StoreError::FileReplaced {
                    path: opened.path.clone(),
                })
            }
            _ => Ok(()),
        }
    }

    async fn alerts_page(&self, query: &AlertQuery) -> Result<Vec<StoredAlert>, StoreError> {
        self.alerts_where(|select| {
            select
                .push("seq > ")
                .push_bind(query.after_seq.unwrap_or(0));
            if let Some(since) = query.since {
                select.push(" AND raised_at >= ").push_bind(millis(since));
            }
            if !query.kinds.is_empty() {
                select.push(" AND kind IN (");
                let mut kinds = select.separated(", ");
                for kind in &query.kinds {
                    kinds.push_bind(kind.as_str());
                }
                select.push(")");
            }
            select
                .push(" ORDER BY seq LIMIT ")
                .push_bind(i64::from(query.limit));
        })
        .await
    }

    async fn alert(&self, id: &str) -> Result<Option<StoredAlert>, StoreError> {
        let id = id.to_string();
        Ok(self
            .alerts_where(|select| {
                select.push("id = ").push_bind(id);
            })
            .await?
            .pop())
    }

    async fn last_alert_seq(&self) -> Result<i64, StoreError> {
        sqlx::query_scalar::<_, i64>("SELECT coalesce(max(seq), 0) FROM alerts")
            .fetch_one(&self.pool)
            .await
            .map_err(query_failed("reading the newest alert"))
    }

    async fn article(&self, content_hash: &str) -> Result<Option<StoredArticle>, StoreError> {
        const ACTION: &str = "reading an article's claims";
        let Some(article_id) =
            sqlx::query_scalar::<_, i64>("SELECT id FROM articles WHERE content_hash = ?")
                .bind(content_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(query_failed(ACTION))?
        else {
            return Ok(None);
        };
        let rows =
            sqlx::query("SELECT claim, change_kind FROM claims WHERE article_id = ? ORDER BY id")
                .bind(article_id)
                .fetch_all(&self.pool)
                .await
                .map_err(query_failed(ACTION))?;
        let mut claims = Vec::with_capacity(rows.len());
        for row in &rows {
            let json: &str = row.try_get("claim").map_err(query_failed(ACTION))?;
            let kind: Option<&str> = row.try_get("change_kind").map_err(query_failed(ACTION))?;
            let kind = kind
                .map(|word| decode::<ChangeKind>("claim change kind", &format!("\"{word}\"")))
                .transpose()?;
            claims.push((decode("claim", json)?, kind));
        }
        let alerts = self
            .alerts_where(|select| {
                select.push("article_id = ").push_bind(article_id);
            })
            .await?;
        Ok(Some(StoredArticle { claims, alerts }))
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

    async fn stored_articles(
        &self,
        content_hashes: &[&str],
    ) -> Result<HashSet<String>, StoreError> {
        let mut stored = HashSet::new();
        for chunk in content_hashes.chunks(ROWS_PER_INSERT) {
            let mut select = QueryBuilder::<Sqlite>::new(
                "SELECT content_hash FROM articles WHERE content_hash IN (",
            );
            let mut list = select.separated(", ");
            for hash in chunk {
                list.push_bind(*hash);
            }
            select.push(")");
            let hashes: Vec<String> = select
                .build_query_scalar()
                .fetch_all(&self.pool)
                .await
                .map_err(query_failed("looking up articles by content hash"))?;
            stored.extend(hashes);
        }
        Ok(stored)
    }

    async fn record_batch(
        &self,
        records: &[ArticleRecord<'_>],
    ) -> Result<RecordOutcome, StoreError> {
        if records.is_empty() {
            return Ok(RecordOutcome::Stored);
        }
        // Encode everything first: a value that cannot be stored fails before
        // the transaction takes the write lock.
        let mut claims = Vec::new();
        let mut entries = Vec::new();
        let mut alerts = Vec::new();
        for (i, record) in records.iter().enumerate() {
            for (claim, kind) in record.claims {
                claims.push((i, claim, *kind, encode("claim", claim)?));
            }
            for entry in record.entries {
                entries.push((entry, encode("timeline entry", entry)?));
            }
            for alert in record.alerts {
                alerts.push((i, alert, encode("alert", alert)?));
            }
        }
        let paths: Vec<Option<String>> = records
            .iter()
            .map(|r| r.article.path.as_ref().map(|p| p.display().to_string()))
            .collect();
        let now = millis(Utc::now());

        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(query_failed("starting the article transaction"))?;

        // Many rows per statement: each statement is a round trip to the
        // connection's thread. RETURNING gives each new article's id (in no
        // particular order, so by hash); an article already stored returns no
        // row, and then nothing of the batch is written.
        let mut article_ids: Vec<Option<i64>> = vec![None; records.len()];
        for (chunk_no, chunk) in records.chunks(ROWS_PER_INSERT).enumerate() {
            let first = chunk_no * ROWS_PER_INSERT;
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO articles (content_hash, title, source, url, path, published, processed_at) ",
            );
            insert.push_values(chunk.iter().enumerate(), |mut row, (i, record)| {
                let article = record.article;
                row.push_bind(record.content_hash)
                    .push_bind(article.title.as_str())
                    .push_bind(article.source.as_deref())
                    .push_bind(article.url.as_deref())
                    .push_bind(paths[first + i].as_deref())
                    .push_bind(article.published.format("%Y-%m-%d").to_string())
                    .push_bind(now);
            });
            insert.push(" ON CONFLICT (content_hash) DO NOTHING RETURNING id, content_hash");
            let rows = insert
                .build()
                .fetch_all(&mut *tx)
                .await
                .map_err(query_failed("inserting the article"))?;
            for row in &rows {
                let id: i64 = row
                    .try_get("id")
                    .map_err(query_failed("inserting the article"))?;
                let hash: &str = row
                    .try_get("content_hash")
                    .map_err(query_failed("inserting the article"))?;
                // Hashes are unique within a chunk once inserted (the index says so).
                if let Some(slot) = chunk
                    .iter()
                    .position(|r| r.content_hash == hash)
                    .and_then(|i| article_ids.get_mut(first + i))
                {
                    *slot = Some(id);
                }
            }
        }
        let Some(article_ids) = article_ids.into_iter().collect::<Option<Vec<i64>>>() else {
            tx.rollback()
                .await
                .map_err(query_failed("rolling back a duplicate article"))?;
            return Ok(RecordOutcome::Duplicate);
        };

        let fingerprints: Vec<&Fingerprint> =
            records.iter().filter_map(|r| r.fingerprint).collect();
        for chunk in fingerprints.chunks(ROWS_PER_INSERT) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO fingerprints (content_hash, signature, url, source, title, published, seen_at) ",
            );
            insert.push_values(chunk, |mut row, fingerprint| {
                row.push_bind(fingerprint.content_hash.as_str())
                    .push_bind(fingerprint.signature.as_slice())
                    .push_bind(fingerprint.url.as_deref())
                    .push_bind(fingerprint.source.as_deref())
                    .push_bind(fingerprint.title.as_str())
                    .push_bind(fingerprint.published.format("%Y-%m-%d").to_string())
                    .push_bind(now);
            });
            insert.push(" ON CONFLICT (content_hash) DO NOTHING");
            insert
                .build()
                .execute(&mut *tx)
                .await
                .map_err(query_failed("storing the text fingerprint"))?;
        }

        for chunk in claims.chunks(ROWS_PER_INSERT) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO claims (article_id, event_key, attribute, change_kind, claim) ",
            );
            insert.push_values(chunk, |mut row, (i, claim, kind, json)| {
                row.push_bind(article_ids[*i])
                    .push_bind(claim.event.key.as_str())
                    .push_bind(claim.attribute.as_str())
                    .push_bind(kind.map(|k| k.as_str()))
                    .push_bind(json.as_str());
            });
            insert
                .build()
                .execute(&mut *tx)
                .await
                .map_err(query_failed("inserting claims"))?;
        }

        // Rows of one statement are upserted in order: a later entry for the
        // same key replaces an earlier one.
        for chunk in entries.chunks(ROWS_PER_INSERT) {
            let mut upsert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO timeline (event_key, attribute, entry, updated_at) ",
            );
            upsert.push_values(chunk, |mut row, (entry, json)| {
                row.push_bind(entry.event.key.as_str())
                    .push_bind(entry.attribute.as_str())
                    .push_bind(json.as_str())
                    .push_bind(now);
            });
            upsert.push(
                " ON CONFLICT (event_key, attribute)
                 DO UPDATE SET entry = excluded.entry, updated_at = excluded.updated_at",
            );
            upsert
                .build()
                .execute(&mut *tx)
                .await
                .map_err(query_failed("storing timeline entries"))?;
        }

        for (i, alert, json) in &alerts {
            let queued = sqlx::query(
                "INSERT INTO alerts (id, article_id, kind, event_key, attribute, raised_at, alert)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&alert.id)
            .bind(article_ids[*i])
            .bind(alert.kind.as_str())
            .bind(&alert.event.key)
            .bind(alert.attribute.as_str())
            .bind(now)
            .bind(json)
            .execute(&mut *tx)
            .await
            .map_err(query_failed("inserting alerts"))?;
            if queued.rows_affected() == 0 {
                // Raised before: it is (or was) in the outbox already.
                continue;
            }
            for sink in records[*i].sinks {
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
        self.alerts_where(|q| {
            q.push("1");
        })
        .await
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

    async fn dead_letter(
        &self,
        sink: &str,
        queued_before: DateTime<Utc>,
        reason: &str,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries
             SET state = 'failed',
                 last_error = CASE WHEN last_error IS NULL THEN ?1
                                   ELSE last_error || '; ' || ?1 END
             WHERE sink = ?2 AND state = 'pending'
               AND COALESCE(queued_at,
                            (SELECT raised_at FROM alerts a WHERE a.id = deliveries.alert_id)) < ?3",
        )
        .bind(reason)
        .bind(sink)
        .bind(millis(queued_before))
        .execute(&self.pool)
        .await
        .map_err(query_failed("dead-lettering old deliveries"))?;
        Ok(done.rows_affected())
    }

    async fn delivery_skipped(&self, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE deliveries SET state = 'skipped' WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(query_failed("marking a delivery skipped"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownDelivery { id });
        }
        Ok(())
    }

    async fn deliveries_succeeded(&self, ids: &[i64], at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(query_failed("starting a digest transaction"))?;
        for id in ids {
            let done = sqlx::query(
                "UPDATE deliveries
                 SET state = 'delivered', delivered_at = ?, attempts = attempts + 1,
                     last_error = NULL
                 WHERE id = ?",
            )
            .bind(millis(at))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(query_failed("marking digest deliveries delivered"))?;
            if done.rows_affected() == 0 {
                return Err(StoreError::UnknownDelivery { id: *id });
            }
        }
        tx.commit()
            .await
            .map_err(query_failed("committing a digest"))
    }

    async fn pending_deliveries(&self, sink: &str) -> Result<u64, StoreError> {
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE sink = ? AND state = 'pending'",
        )
        .bind(sink)
        .fetch_one(&self.pool)
        .await
        .map_err(query_failed("counting pending deliveries"))?;
        Ok(u64::try_from(pending).unwrap_or(0))
    }

    async fn oldest_pending_queued_at(
        &self,
        sink: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let oldest: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(COALESCE(d.queued_at, a.raised_at))
             FROM deliveries d JOIN alerts a ON a.id = d.alert_id
             WHERE d.sink = ? AND d.state = 'pending'",
        )
        .bind(sink)
        .fetch_one(&self.pool)
        .await
        .map_err(query_failed("finding the oldest pending delivery"))?;
        oldest
            .map(|ms| from_millis("delivery queued_at", ms))
            .transpose()
    }

    async fn retry_failed(
        &self,
        alert_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries
             SET state = 'pending', attempts = 0, next_attempt_at = ?1, queued_at = ?1
             WHERE state = 'failed' AND (?2 IS NULL OR alert_id = ?2)",
        )
        .bind(millis(now))
        .bind(alert_id)
        .execute(&self.pool)
        .await
        .map_err(query_failed("re-queueing failed deliveries"))?;
        Ok(done.rows_affected())
    }

    async fn resend(
        &self,
        sink: &str,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
        include_delivered: bool,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "INSERT INTO deliveries (alert_id, sink, state, attempts, next_attempt_at, queued_at)
             SELECT id, ?1, 'pending', 0, ?3, ?3 FROM alerts WHERE raised_at >= ?2
             ORDER BY seq
             ON CONFLICT (alert_id, sink) DO UPDATE
             SET state = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at,
                 queued_at = excluded.queued_at, delivered_at = NULL
             WHERE ?4 OR deliveries.state NOT IN ('delivered', 'pending')",
        )
        .bind(sink)
        .bind(millis(since))
        .bind(millis(now))
        .bind(include_delivered)
        .execute(&self.pool)
        .await
        .map_err(query_failed("queueing alerts again for a sink"))?;
        Ok(done.rows_affected())
    }

    async fn abandon_unconfigured(
        &self,
        configured: &[String],
        reason: &str,
    ) -> Result<u64, StoreError> {
        let names = encode("sink names", configured)?;
        let done = sqlx::query(
            "UPDATE deliveries
             SET state = 'failed',
                 last_error = CASE WHEN last_error IS NULL THEN ?1
                                   ELSE last_error || '; ' || ?1 END
             WHERE state = 'pending' AND sink NOT IN (SELECT value FROM json_each(?2))",
        )
        .bind(reason)
        .bind(names)
        .execute(&self.pool)
        .await
        .map_err(query_failed("abandoning deliveries of removed sinks"))?;
        Ok(done.rows_affected())
    }
    // Feed polling (issue 5).

    async fn feed_states(&self) -> Result<Vec<FeedState>, StoreError> {
        const ACTION: &str = "loading feed states";
        let rows = sqlx::query(
            "SELECT url, current_url, etag, last_modified, next_poll_at, last_polled_at,
                    last_success_at, last_status, consecutive_errors, last_error, items_seen,
                    polls, disabled
             FROM feeds ORDER BY url",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(query_failed(ACTION))?;
        rows.iter().map(feed_state_from_row).collect()
    }

    async fn save_feed_state(&self, state: &FeedState) -> Result<(), StoreError> {
        let opt_millis = |at: Option<DateTime<Utc>>| at.map(millis);
        sqlx::query(
            "INSERT INTO feeds (url, current_url, etag, last_modified, next_poll_at,
                    last_polled_at, last_success_at, last_status, consecutive_errors,
                    last_error, items_seen, polls, disabled)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (url) DO UPDATE SET
                current_url = excluded.current_url, etag = excluded.etag,
                last_modified = excluded.last_modified, next_poll_at = excluded.next_poll_at,
                last_polled_at = excluded.last_polled_at,
                last_success_at = excluded.last_success_at, last_status = excluded.last_status,
                consecutive_errors = excluded.consecutive_errors,
                last_error = excluded.last_error, items_seen = excluded.items_seen,
                polls = excluded.polls, disabled = excluded.disabled",
        )
        .bind(&state.url)
        .bind(state.current_url.as_deref())
        .bind(state.etag.as_deref())
        .bind(state.last_modified.as_deref())
        .bind(opt_millis(state.next_poll_at))
        .bind(opt_millis(state.last_polled_at))
        .bind(opt_millis(state.last_success_at))
        .bind(state.last_status.map(i64::from))
        .bind(i64::from(state.consecutive_errors))
        .bind(state.last_error.as_deref())
        .bind(i64::try_from(state.items_seen).unwrap_or(i64::MAX))
        .bind(i64::try_from(state.polls).unwrap_or(i64::MAX))
        .bind(state.disabled.as_deref())
        .execute(&self.pool)
        .await
        .map_err(query_failed("saving a feed state"))?;
        Ok(())
    }

    async fn feed_item_hash(
        &self,
        feed_url: &str,
        item_id: &str,
    ) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar::<_, String>(
            "SELECT text_hash FROM feed_items WHERE feed_url = ? AND item_id = ?",
        )
        .bind(feed_url)
        .bind(item_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(query_failed("looking up a feed item"))
    }

    async fn link_seen(&self, canonical_link: &str) -> Result<bool, StoreError> {
        sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM feed_items WHERE canonical_link = ?)",
        )
        .bind(canonical_link)
        .fetch_one(&self.pool)
        .await
        .map_err(query_failed("looking up a feed item by link"))
    }

    async fn mark_feed_item(
        &self,
        feed_url: &str,
        item_id: &str,
        canonical_link: Option<&str>,
        text_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO feed_items (feed_url, item_id, canonical_link, text_hash, seen_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (feed_url, item_id) DO UPDATE SET
                canonical_link = excluded.canonical_link, text_hash = excluded.text_hash,
                seen_at = excluded.seen_at",
        )
        .bind(feed_url)
        .bind(item_id)
        .bind(canonical_link)
        .bind(text_hash)
        .bind(millis(at))
        .execute(&self.pool)
        .await
        .map_err(query_failed("recording a feed item"))?;
        Ok(())
    }

    async fn fingerprints_since(
        &self,
        since: chrono::NaiveDate,
    ) -> Result<Vec<Fingerprint>, StoreError> {
        const ACTION: &str = "loading text fingerprints";
        let rows = sqlx::query(
            "SELECT content_hash, signature, url, source, title, published
             FROM fingerprints WHERE published >= ? ORDER BY published, seen_at",
        )
        .bind(since.format("%Y-%m-%d").to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(query_failed(ACTION))?;
        rows.iter()
            .map(|row| {
                let published: String = row.try_get("published").map_err(query_failed(ACTION))?;
                Ok(Fingerprint {
                    content_hash: row.try_get("content_hash").map_err(query_failed(ACTION))?,
                    signature: row.try_get("signature").map_err(query_failed(ACTION))?,
                    url: row.try_get("url").map_err(query_failed(ACTION))?,
                    source: row.try_get("source").map_err(query_failed(ACTION))?,
                    title: row.try_get("title").map_err(query_failed(ACTION))?,
                    published: chrono::NaiveDate::parse_from_str(&published, "%Y-%m-%d").map_err(
                        |_| StoreError::Corrupt {
                            what: "fingerprint publication day",
                            value: published.clone(),
                        },
                    )?,
                })
            })
            .collect()
    }
}

/// A `feeds` row as a `FeedState` (issue 5).
fn feed_state_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<FeedState, StoreError> {
    const ACTION: &str = "loading feed states";
    let at = |col: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        let ms: Option<i64> = row.try_get(col).map_err(query_failed(ACTION))?;
        ms.map(|ms| from_millis("feed timestamp", ms)).transpose()
    };
    let count = |col: &str| -> Result<u64, StoreError> {
        let n: i64 = row.try_get(col).map_err(query_failed(ACTION))?;
        u64::try_from(n).map_err(|_| StoreError::Corrupt {
            what: "feed counter",
            value: n.to_string(),
        })
    };
    let status: Option<i64> = row.try_get("last_status").map_err(query_failed(ACTION))?;
    Ok(FeedState {
        url: row.try_get("url").map_err(query_failed(ACTION))?,
        current_url: row.try_get("current_url").map_err(query_failed(ACTION))?,
        etag: row.try_get("etag").map_err(query_failed(ACTION))?,
        last_modified: row.try_get("last_modified").map_err(query_failed(ACTION))?,
        next_poll_at: at("next_poll_at")?,
        last_polled_at: at("last_polled_at")?,
        last_success_at: at("last_success_at")?,
        last_status: status.and_then(|s| u16::try_from(s).ok()),
        consecutive_errors: u32::try_from(count("consecutive_errors")?).unwrap_or(u32::MAX),
        last_error: row.try_get("last_error").map_err(query_failed(ACTION))?,
        items_seen: count("items_seen")?,
        polls: count("polls")?,
        disabled: row.try_get("disabled").map_err(query_failed(ACTION))?,
    })
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
            DeliveryState::Skipped,
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
