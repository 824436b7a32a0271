//! Digests (`digest = "..."`) for the webhook and command sinks, against a
//! real SQLite outbox, a real local HTTP receiver and a real script: one
//! message per window carrying the window's alerts (docs/contract.md), keyed
//! by an id derived from the alert ids; and a window cut by a crash neither
//! loses nor duplicates its alerts. Polls under a timeout; never sleeps to
//! wait for an outcome.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value as Json;
use sha2::Sha256;
use url::Url;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use common::{Worker, eventually, record, store_in};
use drawdown::alert::delivery::DeliveryOptions;
use drawdown::alert::{CommandConfig, Sink, SinkConfig, SinkFilter, WebhookConfig, digest_id};
use drawdown::model::{Alert, ChangeKind};
use drawdown::store::{DeliveryState, SqliteStore, Store};

/// Are all of `alerts` delivered to `sink`?
async fn all_delivered(store: &SqliteStore, alerts: &[Alert], sink: &str) -> bool {
    let Ok(stored) = store.alerts().await else {
        return false;
    };
    alerts.iter().all(|alert| {
        stored.iter().any(|s| {
            s.alert.id == alert.id
                && s.deliveries
                    .iter()
                    .any(|(name, state, _)| name == sink && *state == DeliveryState::Delivered)
        })
    })
}

/// A worker delivering to the sink `config` describes.
fn spawn_worker(store: &Arc<SqliteStore>, config: &SinkConfig) -> Worker {
    assert!(config.validate("sinks[0]").is_empty(), "{config:?}");
    let sink: Box<dyn Sink> = config
        .build()
        .unwrap_or_else(|e| panic!("build {config}: {e}"));
    Worker::spawn(store, sink, DeliveryOptions::default())
}

/// Records every request; the first `hold` answers are delayed by a minute
/// (the receiver has the message, its 2xx does not come back in time).
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<Request>>>,
    hold: Arc<Mutex<usize>>,
}

impl Respond for Receiver {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(request.clone());
        }
        let mut hold = self.hold.lock().unwrap_or_else(|p| p.into_inner());
        if *hold > 0 {
            *hold -= 1;
            return ResponseTemplate::new(200).set_delay(Duration::from_secs(60));
        }
        ResponseTemplate::new(200)
    }
}

impl Receiver {
    fn seen(&self) -> Vec<Request> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// How many times each alert id arrived, over every digest body.
    fn alert_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for request in self.seen() {
            let body: Json = serde_json::from_slice(&request.body).unwrap_or(Json::Null);
            for alert in body["alerts"].as_array().into_iter().flatten() {
                let id = alert["id"].as_str().unwrap_or_default().to_string();
                *counts.entry(id).or_insert(0) += 1;
            }
        }
        counts
    }
}

async fn receiver(hold: usize) -> (MockServer, Receiver) {
    let receiver = Receiver {
        hold: Arc::new(Mutex::new(hold)),
        ..Receiver::default()
    };
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(receiver.clone())
        .mount(&server)
        .await;
    (server, receiver)
}

fn webhook(server: &MockServer, window: Duration, secret: Option<&str>) -> SinkConfig {
    SinkConfig::Webhook(WebhookConfig {
        name: Some("hook".into()),
        url: Url::parse(&format!("{}/hook", server.uri())).unwrap_or_else(|e| panic!("{e}")),
        headers: BTreeMap::new(),
        timeout: Duration::from_secs(30),
        secret: secret.map(str::to_string),
        secret_env: None,
        filter: SinkFilter::default(),
        digest: Some(window),
    })
}

fn header(request: &Request, name: &str) -> String {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The signature recipe of docs/contract.md, as a receiver writes it.
fn verify(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Some(Ok(expected)) = signature.strip_prefix("sha256=").map(hex::decode) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The documented digest object, checked against the alerts it should carry.
fn check_digest_object(body: &Json, alerts: &[Alert], window: &str) {
    assert_eq!(body["digest"], Json::Bool(true), "{body}");
    assert_eq!(body["id"].as_str(), Some(digest_id(alerts).as_str()));
    assert_eq!(body["window"].as_str(), Some(window), "{body}");
    assert!(body["window_seconds"].as_f64().is_some(), "{body}");
    assert_eq!(body["count"].as_u64(), Some(alerts.len() as u64));
    let carried: Vec<Alert> = serde_json::from_value(body["alerts"].clone())
        .unwrap_or_else(|e| panic!("alerts of the digest: {e}: {body}"));
    assert_eq!(
        carried, alerts,
        "the window's alerts, oldest first, as alert JSON"
    );
}

#[tokio::test]
async fn webhook_digest_posts_one_signed_object_keyed_by_its_alert_ids() {
    let (server, seen) = receiver(0).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let mut alerts = Vec::new();
    for n in 0..3 {
        alerts.push(record(&store, n, ChangeKind::Contradiction, &["hook"]).await);
    }
    let config = webhook(&server, Duration::from_millis(700), Some("s3cret"));
    let worker = spawn_worker(&store, &config);
    eventually("the three alerts delivered", || {
        all_delivered(&store, &alerts, "hook")
    })
    .await;
    worker.stop().await;

    let requests = seen.seen();
    assert_eq!(requests.len(), 1, "one POST for the window");
    let request = &requests[0];
    let body: Json = serde_json::from_slice(&request.body).unwrap_or_else(|e| panic!("{e}"));
    check_digest_object(&body, &alerts, "700ms");
    assert_eq!(header(request, "idempotency-key"), digest_id(&alerts));
    assert_eq!(header(request, "content-type"), "application/json");
    let timestamp = header(request, "x-drawdown-timestamp");
    let signature = header(request, "x-drawdown-signature");
    assert!(verify("s3cret", &timestamp, &request.body, &signature));
    // The key depends on the alerts and their order only.
    assert_ne!(digest_id(&alerts), digest_id(&alerts[..2]));
    let mut reversed = alerts.clone();
    reversed.reverse();
    assert_ne!(digest_id(&alerts), digest_id(&reversed));
    assert!(digest_id(&alerts).starts_with("digest-"));
}

/// A script appending its environment and its stdin to files under `dir`.
fn digest_script(dir: &Path) -> std::path::PathBuf {
    let script = dir.join("digest.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n\
             printf '%s %s %s\\n' \"$DRAWDOWN_ALERT_ID\" \"$DRAWDOWN_ALERT_KIND\" \
             \"$DRAWDOWN_ALERT_COUNT\" >> '{env}'\n\
             cat >> '{out}'\n",
            env = dir.join("env.txt").display(),
            out = dir.join("stdin.jsonl").display()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    script
}

#[tokio::test]
async fn command_digest_runs_the_program_once_with_the_window_on_stdin() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let mut alerts = Vec::new();
    for n in 10..14 {
        alerts.push(record(&store, n, ChangeKind::Contradiction, &["script"]).await);
    }
    let config = SinkConfig::Command(CommandConfig {
        name: Some("script".into()),
        program: digest_script(dir.path()),
        args: Vec::new(),
        timeout: Duration::from_secs(10),
        filter: SinkFilter::default(),
        digest: Some(Duration::from_millis(500)),
    });
    let worker = spawn_worker(&store, &config);
    eventually("the four alerts delivered", || {
        all_delivered(&store, &alerts, "script")
    })
    .await;
    worker.stop().await;

    let stdin =
        std::fs::read_to_string(dir.path().join("stdin.jsonl")).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<&str> = stdin.lines().collect();
    assert_eq!(lines.len(), 1, "one run for the window: {stdin}");
    let body: Json = serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("{e}"));
    check_digest_object(&body, &alerts, "500ms");
    let env = std::fs::read_to_string(dir.path().join("env.txt")).unwrap_or_default();
    assert_eq!(env, format!("{} digest 4\n", digest_id(&alerts)));
}

#[tokio::test]
async fn a_digest_window_cut_by_a_crash_is_sent_once_after_the_restart() {
    let (server, seen) = receiver(0).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let window = Duration::from_secs(2);
    let config = webhook(&server, window, None);
    let mut alerts = vec![
        record(&store, 20, ChangeKind::Contradiction, &["hook"]).await,
        record(&store, 21, ChangeKind::Contradiction, &["hook"]).await,
    ];
    // The worker dies in the middle of the window (nothing sent yet).
    let worker = spawn_worker(&store, &config);
    tokio::task::yield_now().await;
    worker.crash().await;
    assert!(seen.seen().is_empty(), "the window was still open");
    // More alerts arrive while it is down; it starts again.
    alerts.push(record(&store, 22, ChangeKind::Contradiction, &["hook"]).await);
    let worker = spawn_worker(&store, &config);
    eventually("the window's alerts delivered", || {
        all_delivered(&store, &alerts, "hook")
    })
    .await;
    worker.stop().await;

    let counts = seen.alert_counts();
    let expected: BTreeMap<String, usize> = alerts.iter().map(|a| (a.id.clone(), 1)).collect();
    assert_eq!(counts, expected, "each alert of the window exactly once");
    assert_eq!(seen.seen().len(), 1, "still one message for the window");
}

#[tokio::test]
async fn a_digest_sent_but_not_committed_is_resent_with_the_same_key() {
    // The receiver takes the first digest but its answer never comes back
    // before the crash: the documented window. The digest sent after the
    // restart carries the same alerts and the same Idempotency-Key, so the
    // receiver drops it.
    let (server, seen) = receiver(1).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let config = webhook(&server, Duration::from_millis(300), None);
    let alerts = vec![
        record(&store, 30, ChangeKind::Contradiction, &["hook"]).await,
        record(&store, 31, ChangeKind::Contradiction, &["hook"]).await,
    ];
    let worker = spawn_worker(&store, &config);
    eventually("the first digest at the receiver", || async {
        !seen.seen().is_empty()
    })
    .await;
    worker.crash().await;
    assert!(!all_delivered(&store, &alerts, "hook").await);
    let worker = spawn_worker(&store, &config);
    eventually("the digest delivered after the restart", || {
        all_delivered(&store, &alerts, "hook")
    })
    .await;
    worker.stop().await;

    let requests = seen.seen();
    assert_eq!(requests.len(), 2, "sent again once");
    let keys: Vec<String> = requests
        .iter()
        .map(|r| header(r, "idempotency-key"))
        .collect();
    assert_eq!(keys, [digest_id(&alerts), digest_id(&alerts)]);
    let distinct: std::collections::BTreeSet<&String> = keys.iter().collect();
    assert_eq!(
        distinct.len(),
        1,
        "a receiver dropping repeated keys sees it once"
    );
}
