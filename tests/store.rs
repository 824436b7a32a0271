//! `SqliteStore` against real SQLite files in a temp dir: opening and
//! migrating, `record` (duplicates, atomicity), the timeline round trip, and
//! the alert outbox (one delivery per sink, due times, order, final states).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use drawdown::model::{
    Alert, AlertSide, Article, Attribute, ChangeKind, Claim, Event, Granularity, Milestone,
    Modality, Observation, Span, Status, TimeValue, Value,
};
use drawdown::store::{
    ArticleRecord, DeliveryState, RecordOutcome, SqliteStore, Store, StoreConfig, StoreError,
};
use drawdown::timeline::Entry;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

const SINKS: [&str; 2] = ["jsonl", "webhook"];
const TABLES: [&str; 5] = ["articles", "claims", "timeline", "alerts", "deliveries"];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
}

fn article(n: u32, source: &str, published: NaiveDate) -> Article {
    Article {
        title: format!("Coalition withdrawal report {n}"),
        source: Some(source.to_string()),
        url: Some(format!("https://example.org/news/{n}")),
        path: Some(PathBuf::from(format!("inbox/{n:02}.txt"))),
        published,
        text: format!(
            "Report {n}. The coalition will leave Iraq by the end of 2026, officials said."
        ),
    }
}

fn final_event() -> Event {
    Event::new(
        "IQ",
        "US-led coalition",
        Milestone::Final,
        None,
        Some("Erbil".to_string()),
    )
}

fn deadline(earliest: NaiveDate, latest: NaiveDate, granularity: Granularity) -> Value {
    Value::Date(TimeValue {
        earliest,
        latest: Some(latest),
        granularity,
        fuzzy: false,
    })
}

fn claim(event: Event, attribute: Attribute, value: Value, text: &str) -> Claim {
    Claim {
        event,
        attribute,
        value,
        text: text.to_string(),
        quote: format!("The coalition will leave Iraq {text}, officials said."),
        span: Span { start: 10, end: 80 },
        attributed_to: Some("Iraqi Defence Minister Thabet al-Abbasi".to_string()),
        modality: Modality::Planned,
        change_wording: None,
        rule: "deadline.by".to_string(),
        scope_defaulted: false,
    }
}

fn observe(article: &Article, claim: Claim) -> Observation {
    Observation {
        claim,
        article: article.reference(),
        article_hash: article.content_hash(),
    }
}

fn end_of_2026(article: &Article) -> Observation {
    observe(
        article,
        claim(
            final_event(),
            Attribute::Deadline,
            deadline(day(2026, 10, 1), day(2026, 12, 31), Granularity::Month),
            "by the end of 2026",
        ),
    )
}

fn september_2026(article: &Article) -> Observation {
    observe(
        article,
        claim(
            final_event(),
            Attribute::Deadline,
            deadline(day(2026, 9, 1), day(2026, 9, 30), Granularity::Month),
            "by September 2026",
        ),
    )
}

fn alert(id: &str, kind: ChangeKind, current: &Observation, previous: &Observation) -> Alert {
    Alert {
        id: id.to_string(),
        kind,
        event: current.claim.event.clone(),
        attribute: current.claim.attribute,
        current: AlertSide::from(current),
        previous: Some(AlertSide::from(previous)),
        message: format!("{id}: {} vs {}", current.claim.text, previous.claim.text),
    }
}

/// Everything one article writes, owned, so tests can build `ArticleRecord`s.
struct Batch {
    article: Article,
    hash: String,
    claims: Vec<(Claim, Option<ChangeKind>)>,
    entries: Vec<Entry>,
    alerts: Vec<Alert>,
    sinks: Vec<String>,
}

impl Batch {
    /// An article with one deadline claim, the entry it creates, and `alert_ids`
    /// contradictions queued for both sinks.
    fn new(n: u32, alert_ids: &[&str]) -> Batch {
        let article = article(n, "Reuters", day(2024, 9, 6));
        let current = end_of_2026(&article);
        let other = september_2026(&article);
        Batch {
            hash: article.content_hash(),
            claims: vec![(current.claim.clone(), Some(ChangeKind::New))],
            entries: vec![Entry {
                event: final_event(),
                attribute: Attribute::Deadline,
                current: current.clone(),
                contested: Vec::new(),
                confirmations: Vec::new(),
                confirmation_count: 0,
                history: Vec::new(),
                history_dropped: 0,
            }],
            alerts: alert_ids
                .iter()
                .map(|id| alert(id, ChangeKind::Contradiction, &other, &current))
                .collect(),
            sinks: SINKS.iter().map(|s| s.to_string()).collect(),
            article,
        }
    }

    fn record(&self) -> ArticleRecord<'_> {
        ArticleRecord {
            article: &self.article,
            content_hash: &self.hash,
            claims: &self.claims,
            entries: &self.entries,
            alerts: &self.alerts,
            sinks: &self.sinks,
            fingerprint: None,
        }
    }
}

async fn open(path: &Path) -> SqliteStore {
    let config = StoreConfig {
        path: path.to_path_buf(),
    };
    match SqliteStore::open(&config).await {
        Ok(store) => store,
        Err(e) => panic!("opening {}: {e}", path.display()),
    }
}

async fn record(store: &SqliteStore, batch: &Batch) -> RecordOutcome {
    match store.record(batch.record()).await {
        Ok(outcome) => outcome,
        Err(e) => panic!("record: {e}"),
    }
}

/// A connection of its own, beside the store's pool.
async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path))
        .await
        .expect("raw connection")
}

async fn count(path: &Path, table: &str) -> i64 {
    let mut conn = raw(path).await;
    let n = sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut conn)
        .await
        .expect("count rows");
    conn.close().await.expect("close raw connection");
    n
}

async fn counts(path: &Path) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for table in TABLES {
        out.push((table, count(path, table).await));
    }
    out
}

fn soon() -> DateTime<Utc> {
    Utc::now() + Duration::seconds(1)
}

fn due_ids(deliveries: &[drawdown::store::Delivery]) -> Vec<&str> {
    deliveries.iter().map(|d| d.alert.id.as_str()).collect()
}

#[tokio::test]
async fn open_creates_folder_and_file_and_reopening_keeps_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("data").join("nested").join("drawdown.db");

    let store = open(&path).await;
    assert!(path.is_file(), "the database file was created");
    let batch = Batch::new(1, &["a1"]);
    assert_eq!(record(&store, &batch).await, RecordOutcome::Stored);
    store.close().await;

    // Reopening runs the migrations again: nothing is re-applied, nothing lost.
    for _ in 0..2 {
        let store = open(&path).await;
        assert!(store.has_article(&batch.hash).await.expect("has_article"));
        assert_eq!(
            store.load_timeline().await.expect("load_timeline"),
            batch.entries
        );
        assert_eq!(store.alerts().await.expect("alerts").len(), 1);
        store.close().await;
    }
    // One row per migration file, each applied once.
    let migrations =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/store/migrations"))
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
                    .count()
            })
            .unwrap_or(0);
    assert_eq!(count(&path, "_sqlx_migrations").await, migrations as i64);
}

#[tokio::test]
async fn record_then_has_article() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drawdown.db");
    let store = open(&path).await;
    let batch = Batch::new(1, &[]);

    assert!(!store.has_article(&batch.hash).await.expect("has_article"));
    assert_eq!(record(&store, &batch).await, RecordOutcome::Stored);
    assert!(store.has_article(&batch.hash).await.expect("has_article"));
    assert!(
        !store
            .has_article("another hash")
            .await
            .expect("has_article")
    );
    assert_eq!(count(&path, "articles").await, 1);
    assert_eq!(count(&path, "claims").await, 1);
    store.close().await;
}

#[tokio::test]
async fn duplicate_content_hash_returns_duplicate_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drawdown.db");
    let store = open(&path).await;
    let first = Batch::new(1, &["a1"]);
    assert_eq!(record(&store, &first).await, RecordOutcome::Stored);
    let before = counts(&path).await;

    // Same content hash, everything else new: claims, an entry, an alert.
    let mut again = Batch::new(2, &["a2"]);
    again.hash = first.hash.clone();
    again.entries[0].attribute = Attribute::Status;
    again.claims.push(again.claims[0].clone());
    assert_eq!(record(&store, &again).await, RecordOutcome::Duplicate);

    assert_eq!(counts(&path).await, before);
    assert_eq!(
        store.load_timeline().await.expect("load_timeline"),
        first.entries
    );
    store.close().await;
}

#[tokio::test]
async fn a_batch_is_stored_whole_or_not_at_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drawdown.db");
    let store = open(&path).await;
    let stored = Batch::new(1, &["a1"]);
    assert_eq!(record(&store, &stored).await, RecordOutcome::Stored);
    let before = counts(&path).await;

    // A batch with one article the store already has: nothing of it is written.
    let fresh = Batch::new(2, &["a2"]);
    let batch = [fresh.record(), stored.record()];
    assert_eq!(
        store.record_batch(&batch).await.expect("record_batch"),
        RecordOutcome::Duplicate
    );
    assert_eq!(counts(&path).await, before);
    assert!(!store.has_article(&fresh.hash).await.expect("has_article"));

    // Two new articles: both stored, each claim and alert under its own article,
    // and the later article's entry is the one kept.
    let mut later = Batch::new(3, &["a3"]);
    later.entries[0].confirmation_count = 7;
    let batch = [fresh.record(), later.record()];
    assert_eq!(
        store.record_batch(&batch).await.expect("record_batch"),
        RecordOutcome::Stored
    );
    let known = store
        .stored_articles(&[&fresh.hash, &later.hash, "never seen"])
        .await
        .expect("stored_articles");
    assert_eq!(known.len(), 2);
    assert!(known.contains(&fresh.hash) && known.contains(&later.hash));
    assert_eq!(
        store.load_timeline().await.expect("load_timeline"),
        later.entries
    );
    let mut conn = raw(&path).await;
    let owners: Vec<(String, String)> = sqlx::query_as(
        "SELECT articles.content_hash, alerts.id FROM alerts
         JOIN articles ON articles.id = alerts.article_id ORDER BY alerts.seq",
    )
    .fetch_all(&mut conn)
    .await
    .expect("alerts with their articles");
    assert_eq!(
        owners,
        vec![
            (stored.hash.clone(), "a1".to_string()),
            (fresh.hash.clone(), "a2".to_string()),
            (later.hash.clone(), "a3".to_string()),
        ]
    );
    let claims_per_article: Vec<i64> = sqlx::query_scalar(
        "SELECT COUNT(claims.id) FROM articles LEFT JOIN claims ON claims.article_id = articles.id
         GROUP BY articles.id ORDER BY articles.id",
    )
    .fetch_all(&mut conn)
    .await
    .expect("claims per article");
    assert_eq!(claims_per_article, vec![1, 1, 1]);
    conn.close().await.expect("close raw connection");
    assert_eq!(count(&path, "deliveries").await, 3 * SINKS.len() as i64);
    store.close().await;
}

#[tokio::test]
async fn timeline_entries_round_trip_exactly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drawdown.db");
    let store = open(&path).await;

    let reuters = article(1, "Reuters", day(2024, 9, 6));
    let mut ap = article(2, "AP", day(2024, 9, 10));
    ap.url = None;
    ap.path = None;
    let mut later = september_2026(&ap);
    later.claim.change_wording = Some("moved up".to_string());
    later.claim.attributed_to = None;
    let deadline_entry = Entry {
        event: final_event(),
        attribute: Attribute::Deadline,
        current: later,
        contested: vec![end_of_2026(&reuters)],
        confirmations: vec![reuters.reference(), ap.reference()],
        confirmation_count: 0,
        history: vec![end_of_2026(&reuters)],
        history_dropped: 0,
    };
    let phase = Event::new("IQ", "US-led coalition", Milestone::Phase, Some(1), None);
    let mut count_claim = claim(
        phase.clone(),
        Attribute::TroopCount,
        Value::Count {
            value: 2500,
            min: 2000,
            max: 3000,
            approx: true,
        },
        "about 2,500 troops",
    );
    count_claim.modality = Modality::Expected;
    let count_entry = Entry {
        event: phase.clone(),
        attribute: Attribute::TroopCount,
        current: observe(&reuters, count_claim),
        contested: Vec::new(),
        confirmations: Vec::new(),
        confirmation_count: 0,
        history: Vec::new(),
        history_dropped: 0,
    };
    let status_entry = Entry {
        event: phase.clone(),
        attribute: Attribute::Status,
        current: observe(
            &ap,
            claim(
                phase,
                Attribute::Status,
                Value::Status {
                    value: Status::InProgress,
                },
                "is under way",
            ),
        ),
        contested: Vec::new(),
        confirmations: Vec::new(),
        confirmation_count: 0,
        history: Vec::new(),
        history_dropped: 0,
    };

    let mut batch = Batch::new(1, &[]);
    batch.entries = vec![
        status_entry.clone(),
        deadline_entry.clone(),
        count_entry.clone(),
    ];
    assert_eq!(record(&store, &batch).await, RecordOutcome::Stored);

    // Ordered by event key, then attribute.
    let expected = vec![
        deadline_entry.clone(),
        status_entry.clone(),
        count_entry.clone(),
    ];
    assert_eq!(store.load_timeline().await.expect("load"), expected);

    // A later article replaces an entry in place.
    let mut replaced = deadline_entry;
    replaced.contested.clear();
    let mut update = Batch::new(2, &[]);
    update.entries = vec![replaced.clone()];
    assert_eq!(record(&store, &update).await, RecordOutcome::Stored);
    let loaded = store.load_timeline().await.expect("load");
    assert_eq!(loaded.len(), 3);
    assert_eq!(loaded, [replaced, status_entry, count_entry]);
    store.close().await;
}

#[tokio::test]
async fn each_alert_is_queued_once_per_sink() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drawdown.db");
    let store = open(&path).await;
    let batch = Batch::new(1, &["a1", "a2"]);
    assert_eq!(record(&store, &batch).await, RecordOutcome::Stored);

    assert_eq!(count(&path, "deliveries").await, 4);
    let alerts = store.alerts().await.expect("alerts");
    assert_eq!(alerts.len(), 2);
    for (stored, alert) in alerts.iter().zip(&batch.alerts) {
        assert_eq!(&stored.alert, alert);
        assert_eq!(
            stored.deliveries,
            vec![
                ("jsonl".to_string(), DeliveryState::Pending, None),
                ("webhook".to_string(), DeliveryState::Pending, None),
            ]
        );
    }
    for sink in SINKS {
        let due = store
            .due_deliveries(sink, soon(), 10)
            .await
            .expect("due_deliveries");
        assert_eq!(due_ids(&due), ["a1", "a2"]);
        assert!(due.iter().all(|d| d.sink == sink && d.attempts == 0));
    }
    assert!(
        store
            .due_deliveries("email", soon(), 10)
            .await
            .expect("due_deliveries")
            .is_empty()
    );
    store.close().await;
}

#[tokio::test]
async fn due_deliveries_respect_next_attempt_and_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drawdown.db");
    let store = open(&path).await;
    let before = Utc::now() - Duration::hours(1);
    record(&store, &Batch::new(1, &["a1", "a2"])).await;
    record(&store, &Batch::new(2, &["a3"])).await;

    let due = |now, limit| store.due_deliveries("webhook", now, limit);
    assert!(due(before, 10).await.expect("due").is_empty());
    assert_eq!(
        due_ids(&due(soon(), 10).await.expect("due")),
        ["a1", "a2", "a3"]
    );
    assert_eq!(due_ids(&due(soon(), 2).await.expect("due")), ["a1", "a2"]);

    // a1 fails and is retried in ten minutes: not due before, due (first) after.
    let first = due(soon(), 1).await.expect("due").remove(0);
    let retry_at = Utc::now() + Duration::minutes(10);
    store
        .delivery_failed(first.id, "HTTP 503", retry_at, DeliveryState::Pending)
        .await
        .expect("delivery_failed");
    assert_eq!(due_ids(&due(soon(), 10).await.expect("due")), ["a2", "a3"]);
    let later = due(retry_at, 10).await.expect("due");
    assert_eq!(due_ids(&later), ["a1", "a2", "a3"]);
    assert_eq!(later[0].attempts, 1);
    assert_eq!(later[1].attempts, 0);

    // The other sink is untouched.
    assert_eq!(
        due_ids(
            &store
                .due_deliveries("jsonl", soon(), 10)
                .await
                .expect("due")
        ),
        ["a1", "a2", "a3"]
    );
    store.close().await;
}

#[tokio::test]
async fn delivered_and_failed_deliveries_are_not_due_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drawdown.db");
    let store = open(&path).await;
    record(&store, &Batch::new(1, &["a1", "a2", "a3"])).await;

    let due = store
        .due_deliveries("webhook", soon(), 10)
        .await
        .expect("due");
    store
        .delivery_succeeded(due[0].id, Utc::now())
        .await
        .expect("delivery_succeeded");
    store
        .delivery_failed(
            due[1].id,
            "HTTP 400: rejected",
            Utc::now(),
            DeliveryState::Failed,
        )
        .await
        .expect("delivery_failed");

    let far = Utc::now() + Duration::days(365);
    let again = store.due_deliveries("webhook", far, 10).await.expect("due");
    assert_eq!(due_ids(&again), ["a3"]);

    let alerts = store.alerts().await.expect("alerts");
    let webhook = |i: usize| alerts[i].deliveries[1].clone();
    assert_eq!(
        webhook(0),
        ("webhook".to_string(), DeliveryState::Delivered, None)
    );
    assert_eq!(
        webhook(1),
        (
            "webhook".to_string(),
            DeliveryState::Failed,
            Some("HTTP 400: rejected".to_string())
        )
    );
    assert_eq!(
        webhook(2),
        ("webhook".to_string(), DeliveryState::Pending, None)
    );
    assert!(
        alerts
            .iter()
            .all(|a| a.deliveries[0].1 == DeliveryState::Pending)
    );

    assert!(matches!(
        store.delivery_succeeded(9999, Utc::now()).await,
        Err(StoreError::UnknownDelivery { id: 9999 })
    ));
    store.close().await;
}

#[tokio::test]
async fn an_alert_raised_twice_is_queued_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drawdown.db");
    let store = open(&path).await;

    // Twice in one article, and again from a later article.
    record(&store, &Batch::new(1, &["a1", "a1"])).await;
    let webhook = store
        .due_deliveries("webhook", soon(), 10)
        .await
        .expect("due");
    store
        .delivery_succeeded(webhook[0].id, Utc::now())
        .await
        .expect("delivery_succeeded");
    assert_eq!(
        record(&store, &Batch::new(2, &["a1", "a2"])).await,
        RecordOutcome::Stored
    );

    assert_eq!(count(&path, "alerts").await, 2);
    assert_eq!(count(&path, "deliveries").await, 4);
    let ids: Vec<String> = store
        .alerts()
        .await
        .expect("alerts")
        .into_iter()
        .map(|a| a.alert.id)
        .collect();
    assert_eq!(ids, ["a1", "a2"]);
    // Delivered once to the webhook: not queued there again.
    let due = store
        .due_deliveries("webhook", soon(), 10)
        .await
        .expect("due");
    assert_eq!(due_ids(&due), ["a2"]);
    store.close().await;
}

#[tokio::test]
async fn a_failure_halfway_through_record_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drawdown.db");
    let store = open(&path).await;

    // The last step of `record` (queueing deliveries) fails after the
    // article, its claims, the timeline entry and the alert were inserted.
    let mut conn = raw(&path).await;
    sqlx::query(
        "CREATE TRIGGER deliveries_fail BEFORE INSERT ON deliveries
         BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    )
    .execute(&mut conn)
    .await
    .expect("create trigger");

    let batch = Batch::new(1, &["a1"]);
    match store.record(batch.record()).await {
        Err(StoreError::Query { action, .. }) => assert_eq!(action, "queueing deliveries"),
        other => panic!("expected the delivery insert to fail, got {other:?}"),
    }
    assert!(counts(&path).await.iter().all(|(_, n)| *n == 0));
    assert!(!store.has_article(&batch.hash).await.expect("has_article"));
    assert!(store.load_timeline().await.expect("load").is_empty());

    // Once the cause is gone, the same article is stored in full.
    sqlx::query("DROP TRIGGER deliveries_fail")
        .execute(&mut conn)
        .await
        .expect("drop trigger");
    conn.close().await.expect("close raw connection");
    assert_eq!(record(&store, &batch).await, RecordOutcome::Stored);
    assert_eq!(count(&path, "deliveries").await, 2);
    store.close().await;
}

#[tokio::test]
async fn in_memory_store_records_and_loads() {
    let store = SqliteStore::open_in_memory().await.expect("open_in_memory");
    let first = Batch::new(1, &["a1"]);
    let second = Batch::new(2, &["a2"]);
    assert_eq!(record(&store, &first).await, RecordOutcome::Stored);
    assert_eq!(record(&store, &second).await, RecordOutcome::Stored);
    assert_eq!(record(&store, &first).await, RecordOutcome::Duplicate);

    assert!(store.has_article(&second.hash).await.expect("has_article"));
    assert_eq!(store.load_timeline().await.expect("load"), second.entries);
    let due = store
        .due_deliveries("jsonl", soon(), 10)
        .await
        .expect("due");
    assert_eq!(due_ids(&due), ["a1", "a2"]);
    store.close().await;
}
