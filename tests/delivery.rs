//! Delivery semantics against a real SQLite outbox and real local receivers:
//! a hung sink never delays another, dead letters after `max_age`,
//! `Retry-After` honoured, filters skip, the jsonl sink never writes a line
//! twice across a crash, removed and new sinks, `retry` and `resend`, digests,
//! and the webhook signature checked with the documented recipe. Polls under
//! a timeout; never sleeps to wait for an outcome.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use url::Url;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use common::{Worker, eventually, raised, record, store_in};
use drawdown::alert::delivery::DeliveryOptions;
use drawdown::alert::{JsonlConfig, Sink, SinkConfig, SinkFilter, SlackConfig, WebhookConfig};
use drawdown::model::ChangeKind;
use drawdown::store::{DeliveryState, SqliteStore, Store};

/// The state of `alert`'s delivery to `sink`, with its last error.
async fn state(
    store: &SqliteStore,
    alert: &str,
    sink: &str,
) -> Option<(DeliveryState, Option<String>)> {
    let alerts = store.alerts().await.ok()?;
    let stored = alerts.into_iter().find(|a| a.alert.id == alert)?;
    stored
        .deliveries
        .into_iter()
        .find(|(s, _, _)| s == sink)
        .map(|(_, state, error)| (state, error))
}

fn webhook(name: &str, url: &str, timeout: Duration, secret: Option<&str>) -> SinkConfig {
    SinkConfig::Webhook(WebhookConfig {
        name: Some(name.into()),
        url: Url::parse(url).unwrap_or_else(|e| panic!("{e}")),
        headers: BTreeMap::new(),
        timeout,
        secret: secret.map(str::to_string),
        secret_env: None,
        filter: SinkFilter::default(),
        digest: None,
    })
}

fn jsonl(name: &str, path: PathBuf, filter: SinkFilter) -> SinkConfig {
    SinkConfig::Jsonl(JsonlConfig {
        name: Some(name.into()),
        path,
        filter,
    })
}

fn build(config: &SinkConfig) -> Box<dyn Sink> {
    config
        .build()
        .unwrap_or_else(|e| panic!("build {config}: {e}"))
}

/// Answers with the scripted statuses in turn, then 200; records every request.
#[derive(Clone, Default)]
struct Scripted {
    script: Arc<Mutex<Vec<ResponseTemplate>>>,
    seen: Arc<Mutex<Vec<(Instant, Request)>>>,
}

impl Respond for Scripted {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push((Instant::now(), request.clone()));
        }
        match self.script.lock() {
            Ok(mut script) if !script.is_empty() => script.remove(0),
            _ => ResponseTemplate::new(200),
        }
    }
}

impl Scripted {
    fn seen(&self) -> Vec<(Instant, Request)> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

async fn receiver(script: Vec<ResponseTemplate>) -> (MockServer, Scripted) {
    let scripted = Scripted {
        script: Arc::new(Mutex::new(script)),
        ..Scripted::default()
    };
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(scripted.clone())
        .mount(&server)
        .await;
    (server, scripted)
}

#[tokio::test]
async fn a_hung_sink_never_delays_the_others() {
    // Accepts connections and never answers.
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = hung
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = hung.accept().await {
            open.push(socket);
        }
    });
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let mut alerts = Vec::new();
    for n in 0..5 {
        alerts.push(record(&store, n, ChangeKind::Contradiction, &["slow", "file"]).await);
    }
    let slow = Worker::spawn(
        &store,
        build(&webhook(
            "slow",
            &format!("http://127.0.0.1:{port}/"),
            Duration::from_secs(60),
            None,
        )),
        DeliveryOptions::default(),
    );
    let started = Instant::now();
    let path = dir.path().join("alerts.jsonl");
    let file = Worker::spawn(
        &store,
        build(&jsonl("file", path.clone(), SinkFilter::default())),
        DeliveryOptions::default(),
    );
    eventually("all five in the file", || async {
        let mut all = true;
        for alert in &alerts {
            all &= matches!(
                state(&store, &alert.id, "file").await,
                Some((DeliveryState::Delivered, _))
            );
        }
        all
    })
    .await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "the file sink waited for the hung one: {took:?}"
    );
    assert!(matches!(
        state(&store, &alerts[0].id, "slow").await,
        Some((DeliveryState::Pending, _))
    ));
    eprintln!("five alerts in the file sink in {took:?} while the webhook hangs");
    file.stop().await;
    slow.crash().await;
    held.abort();
}

#[tokio::test]
async fn deliveries_older_than_max_age_are_dead_lettered_with_their_last_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    drop(listener); // nobody listens: connection refused
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let first = record(&store, 1, ChangeKind::Update, &["hook"]).await;
    let second = record(&store, 2, ChangeKind::Update, &["hook"]).await;
    let worker = Worker::spawn(
        &store,
        build(&webhook(
            "hook",
            &format!("http://127.0.0.1:{port}/h"),
            Duration::from_secs(2),
            None,
        )),
        DeliveryOptions {
            max_age: Some(Duration::from_millis(1500)),
        },
    );
    eventually("both dead-lettered", || async {
        matches!(
            state(&store, &first.id, "hook").await,
            Some((DeliveryState::Failed, _))
        ) && matches!(
            state(&store, &second.id, "hook").await,
            Some((DeliveryState::Failed, _))
        )
    })
    .await;
    worker.stop().await;
    let (_, error) = state(&store, &first.id, "hook")
        .await
        .unwrap_or_else(|| panic!("state"));
    let error = error.unwrap_or_default();
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    assert!(
        error.contains("not delivered within max_delivery_age 1s 500ms"),
        "{error}"
    );
    // The second never got an attempt (it waited behind the first): its reason says so.
    let (_, error) = state(&store, &second.id, "hook")
        .await
        .unwrap_or_else(|| panic!("state"));
    assert!(error.unwrap_or_default().contains("max_delivery_age"));

    // `alerts retry --all-failed` puts them back.
    assert_eq!(store.retry_failed(None, Utc::now()).await.ok(), Some(2));
    assert!(matches!(
        state(&store, &first.id, "hook").await,
        Some((DeliveryState::Pending, _))
    ));
}

#[tokio::test]
async fn retry_after_is_honoured_and_order_kept() {
    let (server, seen) = receiver(vec![
        ResponseTemplate::new(429).insert_header("Retry-After", "2"),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let first = record(&store, 1, ChangeKind::Update, &["hook"]).await;
    let second = record(&store, 2, ChangeKind::Update, &["hook"]).await;
    let worker = Worker::spawn(
        &store,
        build(&webhook(
            "hook",
            &format!("{}/h", server.uri()),
            Duration::from_secs(5),
            None,
        )),
        DeliveryOptions::default(),
    );
    eventually("both delivered", || async {
        matches!(
            state(&store, &second.id, "hook").await,
            Some((DeliveryState::Delivered, _))
        )
    })
    .await;
    worker.stop().await;
    let requests = seen.seen();
    let keys: Vec<String> = requests
        .iter()
        .map(|(_, r)| {
            r.headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(
        keys,
        [first.id.clone(), first.id.clone(), second.id.clone()]
    );
    let waited = requests[1].0 - requests[0].0;
    assert!(
        waited >= Duration::from_millis(1900),
        "retried after {waited:?}, asked 2 s"
    );
}

#[tokio::test]
async fn a_filter_skips_what_the_sink_does_not_want() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let update = record(&store, 1, ChangeKind::Update, &["file"]).await;
    let contradiction = record(&store, 2, ChangeKind::Contradiction, &["file"]).await;
    let path = dir.path().join("alerts.jsonl");
    let filter = SinkFilter {
        kinds: vec![ChangeKind::Contradiction],
        countries: vec!["iq".into()],
        ..SinkFilter::default()
    };
    let worker = Worker::spawn(
        &store,
        build(&jsonl("file", path.clone(), filter)),
        DeliveryOptions::default(),
    );
    eventually("both handled", || async {
        matches!(
            state(&store, &update.id, "file").await,
            Some((DeliveryState::Skipped, _))
        ) && matches!(
            state(&store, &contradiction.id, "file").await,
            Some((DeliveryState::Delivered, _))
        )
    })
    .await;
    worker.stop().await;
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains(&contradiction.id));
}

#[tokio::test]
async fn jsonl_writes_no_line_twice_after_a_crash_before_the_commit() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let alert = record(&store, 1, ChangeKind::Update, &["file"]).await;
    let later = record(&store, 2, ChangeKind::Update, &["file"]).await;
    let path = dir.path().join("alerts.jsonl");
    let config = jsonl("file", path.clone(), SinkFilter::default());
    // The line is written; the process dies before the outbox marks it done.
    build(&config)
        .deliver(&alert)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        state(&store, &alert.id, "file").await,
        Some((DeliveryState::Pending, _))
    ));
    // Restart: a fresh sink (reads the file) and worker drain the outbox.
    let worker = Worker::spawn(&store, build(&config), DeliveryOptions::default());
    eventually("both delivered", || async {
        matches!(
            state(&store, &later.id, "file").await,
            Some((DeliveryState::Delivered, _))
        )
    })
    .await;
    worker.stop().await;
    let ids: Vec<String> = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(ids, [alert.id.clone(), later.id.clone()]);
}

#[tokio::test]
async fn removed_sinks_stop_new_sinks_start_now_and_resend_catches_up() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    // Configured: a, old. Then a restart with a, new.
    let early = record(&store, 1, ChangeKind::Update, &["a", "old"]).await;
    let configured = vec!["a".to_string(), "new".to_string()];
    assert_eq!(
        store
            .abandon_unconfigured(&configured, "sink no longer configured")
            .await
            .ok(),
        Some(1)
    );
    let late = record(&store, 2, ChangeKind::Update, &["a", "new"]).await;
    let old = state(&store, &early.id, "old").await;
    assert_eq!(
        old,
        Some((
            DeliveryState::Failed,
            Some("sink no longer configured".into())
        ))
    );
    assert_eq!(
        state(&store, &early.id, "new").await,
        None,
        "history is not queued for a new sink"
    );
    assert!(matches!(
        state(&store, &late.id, "new").await,
        Some((DeliveryState::Pending, _))
    ));

    // `alerts resend --sink new --since ...` queues the history too.
    let since = Utc::now() - TimeDelta::hours(1);
    assert_eq!(
        store.resend("new", since, Utc::now(), true).await.ok(),
        Some(2)
    );
    assert!(matches!(
        state(&store, &early.id, "new").await,
        Some((DeliveryState::Pending, _))
    ));
    let pending = store
        .alerts_in_state(DeliveryState::Pending)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pending.len(), 2);
    let failed = store
        .alerts_in_state(DeliveryState::Failed)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(failed.len(), 1);
    assert_eq!(
        store.retry_failed(Some(&early.id), Utc::now()).await.ok(),
        Some(1)
    );
    assert!(
        store
            .alerts_in_state(DeliveryState::Failed)
            .await
            .is_ok_and(|f| f.is_empty())
    );
}

#[tokio::test]
async fn a_digest_sends_one_message_per_window() {
    let (server, seen) = receiver(vec![]).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let mut alerts = Vec::new();
    for n in 0..3 {
        alerts.push(record(&store, n, ChangeKind::Contradiction, &["slack"]).await);
    }
    let config = SinkConfig::Slack(SlackConfig {
        name: None,
        url: Url::parse(&format!("{}/services/T/B/X", server.uri()))
            .unwrap_or_else(|e| panic!("{e}")),
        timeout: Duration::from_secs(5),
        filter: SinkFilter::default(),
        template: None,
        digest_template: None,
        digest: Some(Duration::from_millis(700)),
    });
    assert!(config.validate("sinks[0]").is_empty());
    let worker = Worker::spawn(&store, build(&config), DeliveryOptions::default());
    eventually("all three delivered", || async {
        let mut all = true;
        for alert in &alerts {
            all &= matches!(
                state(&store, &alert.id, "slack").await,
                Some((DeliveryState::Delivered, _))
            );
        }
        all
    })
    .await;
    worker.stop().await;
    let requests = seen.seen();
    assert_eq!(requests.len(), 1, "one message for the window");
    let body: serde_json::Value =
        serde_json::from_slice(&requests[0].1.body).unwrap_or_else(|e| panic!("{e}"));
    let text = body["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("3 withdrawal alerts:"), "{text}");
    for alert in &alerts {
        assert!(text.contains(&alert.message), "{text}");
    }
}

/// The recipe in docs/contract.md, as a receiver would write it.
fn verify(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Some(hex_mac) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_mac) else {
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

#[tokio::test]
async fn webhook_signature_verifies_with_the_documented_recipe() {
    let (server, seen) = receiver(vec![]).await;
    let (_, _, alert) = raised(1, ChangeKind::Contradiction);
    let sink = build(&webhook(
        "hook",
        &format!("{}/h", server.uri()),
        Duration::from_secs(5),
        Some("s3cret"),
    ));
    sink.deliver(&alert).await.unwrap_or_else(|e| panic!("{e}"));
    let requests = seen.seen();
    let request = &requests[0].1;
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let timestamp = header("x-drawdown-timestamp");
    let signature = header("x-drawdown-signature");
    let age = Utc::now().timestamp() - timestamp.parse::<i64>().unwrap_or(0);
    assert!((0..300).contains(&age), "timestamp {timestamp}");
    assert!(
        verify("s3cret", &timestamp, &request.body, &signature),
        "{signature}"
    );
    assert!(!verify("other", &timestamp, &request.body, &signature));
    let mut tampered = request.body.clone();
    tampered.push(b' ');
    assert!(!verify("s3cret", &timestamp, &tampered, &signature));
    assert_eq!(header("idempotency-key"), alert.id);
}

/// An executable shell script `name` in `dir` with `body`.
fn script(dir: &std::path::Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    path
}

fn command(name: &str, program: PathBuf, timeout: Duration) -> SinkConfig {
    SinkConfig::Command(drawdown::alert::CommandConfig {
        name: Some(name.into()),
        program,
        args: Vec::new(),
        timeout,
        filter: SinkFilter::default(),
        digest: None,
    })
}

fn runs(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path)
        .map(|text| text.lines().count())
        .unwrap_or(0)
}

/// The pid a script wrote to `path`, once it has.
async fn pid_in(path: &std::path::Path) -> nix::unistd::Pid {
    eventually("the background pid", || async {
        std::fs::read_to_string(path).is_ok_and(|t| t.trim().parse::<i32>().is_ok())
    })
    .await;
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    nix::unistd::Pid::from_raw(text.trim().parse().unwrap_or_else(|e| panic!("{e}")))
}

/// Gone: no such process, or a zombie waiting for init to reap it.
fn gone(pid: nix::unistd::Pid) -> bool {
    if nix::sys::signal::kill(pid, None).is_err() {
        return true;
    }
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(true)
}

#[tokio::test]
async fn a_command_writing_300_kb_to_stderr_and_exiting_0_runs_once_and_is_delivered() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_in(&dir).await;
    let ran = dir.path().join("runs");
    let program = script(
        dir.path(),
        "loud.sh",
        &format!(
            "cat >/dev/null\nhead -c 300000 /dev/zero | tr '\\0' x >&2\necho ran >> '{}'\nexit 0\n",
            ran.display()
        ),
    );
    let alert = record(&store, 1, ChangeKind::Update, &["cmd"]).await;
    let worker = Worker::spawn(
        &store,
        build(&command("cmd", program, Duration::from_secs(3))),
        DeliveryOptions::default(),
    );
    eventually("the command delivered", || async {
        matches!(
            state(&store, &alert.id, "cmd").await,
            Some((DeliveryState::Delivered, _))
        )
    })
    .await;
    worker.stop().await;
    assert_eq!(runs(&ran), 1, "its side effect happened more than once");
}

#[tokio::test]
async fn a_command_leaving_a_background_child_on_stderr_is_delivered_once_promptly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ran = dir.path().join("runs");
    let pid_file = dir.path().join("child.pid");
    let program = script(
        dir.path(),
        "detach.sh",
        &format!(
            "cat >/dev/null\nsleep 30 &\necho $! > '{}'\necho ran >> '{}'\nexit 0\n",
            pid_file.display(),
            ran.display()
        ),
    );
    let sink = build(&command("cmd", program, Duration::from_secs(10)));
    let (_, _, alert) = raised(1, ChangeKind::Update);
    let started = Instant::now();
    let delivered = sink.deliver(&alert).await;
    let took = started.elapsed();
    let child = pid_in(&pid_file).await;
    // Not this test's to leave behind.
    let _ = nix::sys::signal::kill(child, nix::sys::signal::Signal::SIGKILL);
    assert!(delivered.is_ok(), "{delivered:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(runs(&ran), 1);
}

#[tokio::test]
async fn a_command_timing_out_is_killed_with_its_whole_process_group() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pid_file = dir.path().join("child.pid");
    let program = script(
        dir.path(),
        "hang.sh",
        &format!(
            "cat >/dev/null\nsleep 30 &\necho $! > '{}'\nsleep 30\n",
            pid_file.display()
        ),
    );
    let sink = build(&command("cmd", program, Duration::from_secs(1)));
    let (_, _, alert) = raised(1, ChangeKind::Update);
    let delivered = sink.deliver(&alert).await;
    let child = pid_in(&pid_file).await;
    let killed = tokio::time::timeout(Duration::from_secs(5), async {
        while !gone(child) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    if killed.is_err() {
        let _ = nix::sys::signal::kill(child, nix::sys::signal::Signal::SIGKILL);
    }
    assert!(
        matches!(
            delivered,
            Err(drawdown::alert::SinkError::CommandTimeout { .. })
        ),
        "{delivered:?}"
    );
    assert!(
        killed.is_ok(),
        "the background child {child} outlived the timeout"
    );
}
