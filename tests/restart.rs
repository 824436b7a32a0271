//! Restarts of the real binary (`drawdown run`, its own config in a temp
//! dir, webhook sinks on a local HTTP receiver that counts 2xx answers by
//! `Idempotency-Key` per path):
//! - a sink removed from the config stops receiving (its pending deliveries
//!   become `failed`, "sink no longer configured"), a kept one keeps its
//!   state, a new one receives only alerts raised from then on, and
//!   `drawdown alerts resend --sink NEW --since DATE` brings it the history
//!   exactly once;
//! - a digest window cut by `kill -9` neither loses nor duplicates its alerts.
//!
//! Polls under a timeout; never sleeps to wait for an outcome.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

#[path = "common/binary.rs"]
mod binary;
use binary::{
    Daemon, count_files, delivery, drawdown, drop_article, eventually, listed_alerts, serve_posts,
    state_of, write_config,
};

/// Every request: (path, Idempotency-Key, status answered, JSON body).
type Log = Vec<(String, String, u16, Value)>;

/// Answers 503 on the paths in `down`, 200 elsewhere; logs every request.
#[derive(Clone, Default)]
struct Receiver {
    state: Arc<Mutex<(BTreeSet<String>, Log)>>,
}

impl Receiver {
    fn set_down(&self, path: &str, down: bool) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if down {
            state.0.insert(path.to_string());
        } else {
            state.0.remove(path);
        }
    }

    fn log(&self) -> Log {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    fn requests_to(&self, path: &str) -> usize {
        self.log().iter().filter(|(p, ..)| p == path).count()
    }

    /// Accepted (2xx) requests to `path`, counted by key.
    fn accepted(&self, path: &str) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (p, key, status, _) in self.log() {
            if p == path && status < 300 {
                *counts.entry(key).or_insert(0) += 1;
            }
        }
        counts
    }
}

impl Respond for Receiver {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let key = request
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let path = request.url.path().to_string();
        let body = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let status = if state.0.contains(&path) { 503 } else { 200 };
        state.1.push((path, key, status, body));
        ResponseTemplate::new(status)
    }
}

async fn receiver() -> (MockServer, Receiver) {
    let receiver = Receiver::default();
    (serve_posts(receiver.clone()).await, receiver)
}

/// Writes the config: every change kind alerted, the given webhook sinks
/// (`(name, path, extra keys)`) on `server`.
fn configure(root: &Path, server: &MockServer, sinks: &[(&str, &str, &str)]) {
    let mut text = String::new();
    for (name, path, extra) in sinks {
        text.push_str(&format!(
            "[[sinks]]\ntype = \"webhook\"\nname = \"{name}\"\nurl = \"{}{path}\"\n\
             timeout = \"5s\"\n{extra}\n",
            server.uri()
        ));
    }
    write_config(root, &text);
}

fn id_of(alert: &Value) -> String {
    alert["id"].as_str().unwrap_or_default().to_string()
}

fn once_each(ids: &BTreeSet<String>) -> BTreeMap<String, usize> {
    ids.iter().map(|id| (id.clone(), 1)).collect()
}

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path().to_path_buf();
    let inbox = root.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap_or_else(|e| panic!("{e}"));
    (dir, root, inbox)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_sink_stops_new_sink_starts_now_and_resend_brings_history_once() {
    let (server, receiver) = receiver().await;
    let (_dir, root, inbox) = setup();
    let done = inbox.join("done");

    // 1. Sinks A and B; B's receiver is down, so its deliveries stay pending.
    receiver.set_down("/b", true);
    configure(&root, &server, &[("A", "/a", ""), ("B", "/b", "")]);
    let daemon = Daemon::start(&root, "run-1.log");
    drop_article(&inbox, "01-deal-reached.txt");
    eventually("01 stored", || count_files(&done) == 1).await;
    drop_article(&inbox, "03-two-phases.json");
    eventually("03 stored", || count_files(&done) == 2).await;
    let mut first = Vec::new();
    eventually("the first alerts at A, B tried", || {
        first = listed_alerts(&root);
        !first.is_empty()
            && first.iter().all(|a| state_of(a, "A") == "delivered")
            && receiver.requests_to("/b") > 0
    })
    .await;
    assert!(
        first.iter().any(|a| a["kind"] == "contradiction"),
        "01 then 03 raises a contradiction"
    );
    let status = daemon.terminate().await;
    assert!(status.success(), "SIGTERM is a requested stop: {status}");
    let first = listed_alerts(&root);
    let history: BTreeSet<String> = first.iter().map(id_of).collect();
    assert!(first.iter().all(|a| state_of(a, "B") == "pending"));
    assert_eq!(receiver.accepted("/a"), once_each(&history));

    // 2. Sinks A and C. B's receiver is back up: it must get nothing anyway.
    receiver.set_down("/b", false);
    let b_requests = receiver.requests_to("/b");
    configure(&root, &server, &[("A", "/a", ""), ("C", "/c", "")]);
    let daemon = Daemon::start(&root, "run-2.log");
    eventually("B's pending deliveries given up", || {
        listed_alerts(&root).iter().all(|a| {
            state_of(a, "B") == "failed"
                && delivery(a, "B")
                    .and_then(|d| d["last_error"].as_str())
                    .is_some_and(|e| e.contains("sink no longer configured"))
        })
    })
    .await;
    drop_article(&inbox, "04-pentagon-announces.md");
    eventually("04 stored", || count_files(&done) == 3).await;
    let mut now = Vec::new();
    eventually("the new alerts at A and C", || {
        now = listed_alerts(&root);
        now.len() > first.len()
            && now.iter().all(|a| state_of(a, "A") == "delivered")
            && now
                .iter()
                .filter(|a| !history.contains(&id_of(a)))
                .all(|a| state_of(a, "C") == "delivered")
    })
    .await;
    let all: BTreeSet<String> = now.iter().map(id_of).collect();
    let fresh: BTreeSet<String> = all.difference(&history).cloned().collect();
    assert!(!fresh.is_empty(), "04 raises alerts");
    for alert in now.iter().filter(|a| history.contains(&id_of(a))) {
        assert_eq!(state_of(alert, "C"), "none", "no history for a new sink");
        assert_eq!(state_of(alert, "B"), "failed");
    }
    assert_eq!(receiver.accepted("/a"), once_each(&all), "A kept its state");
    assert_eq!(receiver.accepted("/c"), once_each(&fresh));
    assert_eq!(receiver.requests_to("/b"), b_requests, "B receives nothing");

    // 3. `alerts resend --sink C --since yesterday`: the history, once.
    let since = (chrono::Utc::now() - chrono::TimeDelta::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let out = drawdown(
        &root,
        &["alerts", "resend", "--sink", "C", "--since", &since],
    );
    assert!(out.status.success(), "resend: {out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with(&format!("{} alert(s) since", history.len())),
        "{said}"
    );
    eventually("the history at C", || {
        receiver.accepted("/c").len() == all.len()
            && listed_alerts(&root)
                .iter()
                .all(|a| state_of(a, "C") == "delivered")
    })
    .await;
    let status = daemon.terminate().await;
    assert!(status.success(), "{status}");
    assert_eq!(
        receiver.accepted("/c"),
        once_each(&all),
        "each alert once at C"
    );
    assert_eq!(receiver.accepted("/a"), once_each(&all));
    assert_eq!(receiver.requests_to("/b"), b_requests);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_digest_window_neither_loses_nor_duplicates() {
    let (server, receiver) = receiver().await;
    let (_dir, root, inbox) = setup();
    let done = inbox.join("done");
    configure(&root, &server, &[("hook", "/digest", "digest = \"6s\"")]);

    // 1. Two articles' alerts wait in the digest window; SIGKILL inside it.
    let daemon = Daemon::start(&root, "run-1.log");
    drop_article(&inbox, "01-deal-reached.txt");
    eventually("01 stored", || count_files(&done) == 1).await;
    drop_article(&inbox, "03-two-phases.json");
    eventually("03 stored", || count_files(&done) == 2).await;
    let mut before = Vec::new();
    eventually("the alerts of both articles listed", || {
        before = listed_alerts(&root);
        before.len() >= 2
    })
    .await;
    let status = daemon.kill_9().await;
    assert!(!status.success());
    assert_eq!(
        receiver.requests_to("/digest"),
        0,
        "killed inside the window: nothing sent yet"
    );
    assert!(before.iter().all(|a| state_of(a, "hook") == "pending"));

    // 2. Restart, one more article in the same window; the digest goes out.
    let daemon = Daemon::start(&root, "run-2.log");
    drop_article(&inbox, "04-pentagon-announces.md");
    eventually("04 stored", || count_files(&done) == 3).await;
    let mut after = Vec::new();
    eventually("every alert delivered", || {
        after = listed_alerts(&root);
        after.len() > before.len() && after.iter().all(|a| state_of(a, "hook") == "delivered")
    })
    .await;
    let status = daemon.terminate().await;
    assert!(status.success(), "{status}");

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut digests = 0;
    for (path, _key, status, body) in receiver.log() {
        if path != "/digest" || status >= 300 {
            continue;
        }
        digests += 1;
        assert_eq!(body["digest"], Value::Bool(true), "{body}");
        for alert in body["alerts"].as_array().into_iter().flatten() {
            *counts.entry(id_of(alert)).or_insert(0) += 1;
        }
    }
    let ids: BTreeSet<String> = after.iter().map(id_of).collect();
    eprintln!(
        "digest crash: {} alerts before the kill, {} in all, {digests} digest(s)",
        before.len(),
        ids.len()
    );
    assert_eq!(counts, once_each(&ids), "each alert in exactly one digest");
}
