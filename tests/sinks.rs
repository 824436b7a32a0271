//! Sinks against real receivers: the jsonl sink on a temp file, the webhook
//! sink against a local `wiremock` server, and the delivery loop draining a real
//! SQLite outbox into a receiver that fails once. Nothing here is mocked at the
//! trait level, and nothing sleeps to wait: conditions are polled under a timeout.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::{PATIENCE, eventually};
use drawdown::alert::delivery::deliver_loop;
use drawdown::alert::message::build_alert;
use drawdown::alert::{JsonlConfig, Sink, SinkConfig, StdoutConfig, StdoutFormat, WebhookConfig};
use drawdown::metrics::{DELIVERIES, Metrics};
use drawdown::model::{
    Alert, Article, ArticleRef, Attribute, Change, ChangeKind, Claim, Event, Granularity,
    Milestone, Modality, Observation, Span, TimeValue, Value,
};
use drawdown::store::{ArticleRecord, DeliveryState, SqliteStore, Store, StoreConfig};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn article(source: Option<&str>, published: NaiveDate, text: &str) -> Article {
    Article {
        title: "Coalition withdrawal".into(),
        source: source.map(str::to_string),
        url: None,
        path: Some(PathBuf::from("inbox/test.txt")),
        published,
        text: text.into(),
    }
}

fn claim(milestone: Milestone, months: (u32, u32), words: &str, quote: &str) -> Claim {
    let event = Event::new("IQ", "US-led coalition", milestone, None, None);
    let (first, last) = months;
    let latest = day(2026, last, 1)
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .expect("valid month end");
    Claim {
        event,
        attribute: Attribute::Deadline,
        value: Value::Date(TimeValue {
            earliest: day(2026, first, 1),
            latest: Some(latest),
            granularity: Granularity::Month,
            fuzzy: false,
        }),
        text: words.into(),
        quote: quote.into(),
        span: Span { start: 0, end: 0 },
        attributed_to: None,
        modality: Modality::Planned,
        change_wording: None,
        rule: "test".into(),
        scope_defaulted: false,
    }
}

fn observation(claim: Claim, article: &Article) -> Observation {
    let article_ref: ArticleRef = article.reference();
    Observation {
        claim,
        article: article_ref,
        article_hash: article.content_hash(),
    }
}

/// The article that raises both alerts, its claims and the two alerts:
/// a contradiction about the final withdrawal and one about the bases.
fn two_alerts() -> (Article, Vec<Claim>, Vec<Alert>) {
    let before = article(Some("Reuters"), day(2024, 9, 6), "By the end of 2026.");
    let now = article(
        None,
        day(2024, 9, 10),
        "In September 2026. Bases by June 2026.",
    );
    let mut claims = Vec::new();
    let mut alerts = Vec::new();
    for (milestone, new_months, new_words) in [
        (Milestone::Final, (9, 9), "by September 2026"),
        (Milestone::Phase, (6, 6), "by June 2026"),
    ] {
        let current = claim(milestone, new_months, new_words, "In September 2026.");
        let previous = claim(
            milestone,
            (10, 12),
            "by the end of 2026",
            "By the end of 2026.",
        );
        claims.push(current.clone());
        let change = Change {
            kind: ChangeKind::Contradiction,
            current: observation(current, &now),
            previous: Some(observation(previous, &before)),
        };
        alerts.push(build_alert(&change, "Iraq"));
    }
    (now, claims, alerts)
}

fn webhook(url: &str) -> SinkConfig {
    SinkConfig::Webhook(WebhookConfig {
        name: Some("hook".into()),
        url: Url::parse(url).expect("test URL"),
        headers: BTreeMap::from([("X-Token".to_string(), "s3cret".to_string())]),
        timeout: Duration::from_secs(5),
        secret: None,
        secret_env: None,
        filter: Default::default(),
        digest: None,
    })
}

fn idempotency_key(request: &Request) -> String {
    request
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn jsonl_appends_one_line_per_alert_and_never_an_id_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/data/alerts.jsonl");
    let config = SinkConfig::Jsonl(JsonlConfig {
        name: None,
        path: path.clone(),
        filter: Default::default(),
    });
    assert!(config.validate("sinks[0]").is_empty());
    let (_, _, alerts) = two_alerts();

    let sink = config.build().expect("jsonl sink");
    assert_eq!(sink.name(), "jsonl");
    for alert in &alerts {
        sink.deliver(alert).await.expect("append");
    }
    // Delivering again through the same sink writes nothing either.
    sink.deliver(&alerts[0]).await.expect("append again");
    let expected: Vec<String> = alerts
        .iter()
        .map(|a| serde_json::to_string(a).expect("alert JSON"))
        .collect();
    let lines = |text: String| text.lines().map(str::to_string).collect::<Vec<_>>();
    let written = lines(std::fs::read_to_string(&path).expect("alerts file"));
    assert_eq!(written, expected);

    // A new sink (a restart) reads the ids back: a redelivery writes nothing.
    let rebuilt = config.build().expect("jsonl sink again");
    rebuilt.deliver(&alerts[0]).await.expect("redeliver");
    let written = lines(std::fs::read_to_string(&path).expect("alerts file"));
    assert_eq!(written, expected);
}

/// The sink remembers only a window of recent ids, however many it writes,
/// and still never writes an id of that window twice, before or after a restart.
#[tokio::test]
async fn jsonl_remembers_a_bounded_window_of_ids_and_writes_none_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("alerts.jsonl");
    let config = JsonlConfig {
        name: None,
        path: path.clone(),
        filter: Default::default(),
    };
    const WINDOW: usize = 8;
    let alerts: Vec<Alert> = (0..40)
        .map(|n| common::raised(n, ChangeKind::Contradiction).2)
        .collect();
    let sink = config
        .build_remembering("jsonl".into(), WINDOW)
        .expect("jsonl sink");
    for alert in &alerts {
        sink.deliver(alert).await.expect("append");
        // Redelivered at once (marking it done failed): nothing written.
        sink.deliver(alert).await.expect("append again");
        assert!(sink.remembered().await <= WINDOW);
    }
    assert_eq!(sink.remembered().await, WINDOW);

    // A restart reads the file back keeping only the window; the alerts in
    // flight at a crash (the last ones written) are not written again.
    let rebuilt = config
        .build_remembering("jsonl".into(), WINDOW)
        .expect("jsonl sink again");
    assert_eq!(rebuilt.remembered().await, WINDOW);
    for alert in &alerts[alerts.len() - WINDOW..] {
        rebuilt.deliver(alert).await.expect("redeliver");
    }
    let expected: Vec<String> = alerts
        .iter()
        .map(|a| serde_json::to_string(a).expect("alert JSON"))
        .collect();
    let written: Vec<String> = std::fs::read_to_string(&path)
        .expect("alerts file")
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(written, expected);
}

#[tokio::test]
async fn stdout_lines_are_the_message_or_the_alert_json() {
    let (_, _, alerts) = two_alerts();
    let alert = &alerts[0];
    let text = StdoutConfig {
        name: None,
        format: StdoutFormat::Text,
        filter: Default::default(),
    }
    .build("stdout".into());
    assert_eq!(
        text.line(alert).expect("text line"),
        format!("contradiction: {}", alert.message)
    );
    let json = StdoutConfig {
        name: None,
        format: StdoutFormat::Json,
        filter: Default::default(),
    }
    .build("stdout".into());
    assert_eq!(
        json.line(alert).expect("json line"),
        serde_json::to_string(alert).expect("alert JSON")
    );
    json.deliver(alert).await.expect("stdout");
}

#[tokio::test]
async fn webhook_posts_the_alert_json_with_its_id_as_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let (_, _, alerts) = two_alerts();
    let alert = &alerts[0];
    let sink = webhook(&format!("{}/hook", server.uri()))
        .build()
        .expect("webhook sink");
    assert_eq!(sink.name(), "hook");
    sink.deliver(alert).await.expect("delivered");

    let received = server.received_requests().await.expect("recording on");
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(
        String::from_utf8_lossy(&request.body),
        serde_json::to_string(alert).expect("alert JSON")
    );
    assert_eq!(idempotency_key(request), alert.id);
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "application/json");
    assert!(header("user-agent").starts_with("drawdown/"));
    assert_eq!(header("x-token"), "s3cret");
}

#[tokio::test]
async fn webhook_5xx_is_retriable_and_4xx_is_not() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/busy"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/bad"))
        .respond_with(ResponseTemplate::new(400))
        .mount(&server)
        .await;
    let (_, _, alerts) = two_alerts();

    let busy_url = format!("{}/busy", server.uri());
    let busy = webhook(&busy_url).build().expect("webhook sink");
    let err = busy.deliver(&alerts[0]).await.expect_err("503 fails");
    assert!(err.is_retriable(), "{err}");
    // The receiver's host and port, never its path (see src/redact.rs).
    let shown = format!("{}/…", server.uri());
    assert_eq!(err.to_string(), format!("webhook {shown}: status 503"));

    let bad_url = format!("{}/bad", server.uri());
    let bad = webhook(&bad_url).build().expect("webhook sink");
    let err = bad.deliver(&alerts[0]).await.expect_err("400 fails");
    assert!(!err.is_retriable(), "{err}");
    assert_eq!(err.to_string(), format!("webhook {shown}: status 400"));
}

#[tokio::test]
async fn webhook_unreachable_is_retriable_and_names_the_host() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/hook");
    let sink = webhook(&url).build().expect("webhook sink");
    let (_, _, alerts) = two_alerts();
    let err = sink.deliver(&alerts[0]).await.expect_err("nobody listens");
    assert!(err.is_retriable(), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("http://127.0.0.1:{port}/…")),
        "{err}"
    );
}

#[tokio::test]
async fn delivery_loop_retries_in_order_and_delivers_each_alert_once() {
    let server = MockServer::start().await;
    // The first request fails; every later one is accepted.
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&StoreConfig {
            path: dir.path().join("data/drawdown.db"),
        })
        .await
        .expect("store"),
    );
    let sink: Arc<dyn Sink> = Arc::from(
        webhook(&format!("{}/hook", server.uri()))
            .build()
            .expect("webhook sink"),
    );
    let (article, claims, alerts) = two_alerts();
    let claims: Vec<(Claim, Option<ChangeKind>)> = claims
        .into_iter()
        .map(|c| (c, Some(ChangeKind::Contradiction)))
        .collect();
    let sinks = vec![sink.name().to_string()];
    store
        .record(ArticleRecord {
            article: &article,
            content_hash: &article.content_hash(),
            claims: &claims,
            entries: &[],
            alerts: &alerts,
            sinks: &sinks,
            fingerprint: None,
        })
        .await
        .expect("record");

    let wake = Arc::new(Notify::new());
    let shutdown = CancellationToken::new();
    let metrics = Arc::new(Metrics::new());
    let worker = tokio::spawn(deliver_loop(
        store.clone(),
        sink.clone(),
        wake.clone(),
        shutdown.clone(),
        metrics.clone(),
    ));
    wake.notify_one();

    eventually("both alerts delivered", || async {
        store.alerts().await.is_ok_and(|stored| {
            stored.len() == 2
                && stored.iter().all(|a| {
                    a.deliveries
                        .iter()
                        .all(|(_, state, _)| *state == DeliveryState::Delivered)
                })
        })
    })
    .await;
    shutdown.cancel();
    tokio::time::timeout(PATIENCE, worker)
        .await
        .expect("worker stops on shutdown")
        .expect("worker does not panic");

    let received = server.received_requests().await.expect("recording on");
    let keys: Vec<String> = received.iter().map(idempotency_key).collect();
    let (first, second) = (alerts[0].id.clone(), alerts[1].id.clone());
    // The 503'd first alert is retried before the second is ever sent.
    assert_eq!(keys, [first.clone(), first, second]);
    for (request, alert) in received[1..].iter().zip(&alerts) {
        assert_eq!(
            String::from_utf8_lossy(&request.body),
            serde_json::to_string(alert).expect("alert JSON")
        );
    }

    let stored = store.alerts().await.expect("alerts");
    let ids: Vec<&str> = stored.iter().map(|s| s.alert.id.as_str()).collect();
    assert_eq!(ids, [alerts[0].id.as_str(), alerts[1].id.as_str()]);
    for stored in &stored {
        assert_eq!(stored.deliveries.len(), 1);
        let (sink_name, state, _) = &stored.deliveries[0];
        assert_eq!(sink_name, "hook");
        assert_eq!(*state, DeliveryState::Delivered);
    }
    let hook = |outcome| metrics.get(DELIVERIES, &[("sink", "hook"), ("outcome", outcome)]);
    assert_eq!(hook("delivered"), 2);
    assert_eq!(hook("failed"), 1);
}

/// Every `"text"` string anywhere in `value`.
fn text_fields(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, field) in map {
                match field {
                    serde_json::Value::String(text) if key == "text" => out.push(text.clone()),
                    other => text_fields(other, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| text_fields(item, out)),
        _ => {}
    }
}

#[tokio::test]
async fn slack_escapes_a_feed_controlled_outlet_in_every_text_field() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/T/B/X"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let evil = "<!channel> & <@U123>";
    let before = article(Some("Reuters"), day(2024, 9, 6), "By the end of 2026.");
    let now = article(Some(evil), day(2024, 9, 10), "In September 2026.");
    let change = Change {
        kind: ChangeKind::Contradiction,
        current: observation(
            claim(
                Milestone::Final,
                (9, 9),
                "by September 2026",
                "In September 2026.",
            ),
            &now,
        ),
        previous: Some(observation(
            claim(
                Milestone::Final,
                (10, 12),
                "by the end of 2026",
                "By the end of 2026.",
            ),
            &before,
        )),
    };
    let alert = build_alert(&change, "Iraq");
    assert!(alert.message.contains(evil), "{}", alert.message);
    let sink = SinkConfig::Slack(drawdown::alert::SlackConfig {
        name: None,
        url: Url::parse(&format!("{}/services/T/B/X", server.uri())).expect("test URL"),
        timeout: Duration::from_secs(5),
        filter: Default::default(),
        template: None,
        digest_template: None,
        digest: None,
    })
    .build()
    .expect("slack sink");
    sink.deliver(&alert).await.expect("alert posted");
    sink.deliver_digest(std::slice::from_ref(&alert))
        .await
        .expect("digest posted");

    let received = server.received_requests().await.expect("recorded requests");
    assert_eq!(received.len(), 2);
    for request in &received {
        let body: serde_json::Value = serde_json::from_slice(&request.body).expect("JSON body");
        let mut texts = Vec::new();
        text_fields(&body, &mut texts);
        assert!(!texts.is_empty());
        assert!(
            texts
                .iter()
                .any(|t| t.contains("&lt;!channel&gt; &amp; &lt;@U123&gt;")),
            "{texts:?}"
        );
        for text in &texts {
            assert!(
                !text.contains("<!") && !text.contains("<@"),
                "unescaped: {text}"
            );
            let bare_amp = text.match_indices('&').any(|(at, _)| {
                !["&amp;", "&lt;", "&gt;"]
                    .iter()
                    .any(|e| text[at..].starts_with(e))
            });
            assert!(!bare_amp, "unescaped &: {text}");
        }
    }
}
