//! Crash safety of delivery, with the real binary: `drawdown run` with a
//! webhook sink whose receiver is down, articles dropped, the process killed
//! with SIGKILL, started again against a receiver that fails twice more and
//! then accepts. Every alert `drawdown alerts --format json` lists must reach
//! the receiver exactly once (2xx answers counted by `Idempotency-Key`), and
//! the jsonl sink must hold each alert id exactly once. Polls, never sleeps
//! to wait for an outcome.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::Value;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[path = "common/binary.rs"]
mod binary;
use binary::{
    Daemon, count_files, drop_article, eventually, listed_alerts, state_of, write_config,
};

/// The receiver: answers 503 while `failing` > 0 (or forever while `down`),
/// and records every request's key and the status it got.
#[derive(Clone, Default)]
struct Receiver {
    state: Arc<Mutex<ReceiverState>>,
}

#[derive(Default)]
struct ReceiverState {
    down: bool,
    failing: usize,
    log: Vec<(String, u16, Instant)>,
}

impl Receiver {
    fn with<T>(&self, f: impl FnOnce(&mut ReceiverState) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state)
    }

    fn accepted(&self) -> BTreeMap<String, usize> {
        self.with(|s| {
            let mut counts = BTreeMap::new();
            for (key, status, _) in &s.log {
                if *status < 300 {
                    *counts.entry(key.clone()).or_insert(0) += 1;
                }
            }
            counts
        })
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
        self.with(|s| {
            let status = if s.down {
                503
            } else if s.failing > 0 {
                s.failing -= 1;
                503
            } else {
                200
            };
            s.log.push((key, status, Instant::now()));
            ResponseTemplate::new(status)
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_alert_and_sends_none_twice() {
    let receiver = Receiver::default();
    receiver.with(|s| s.down = true);
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(receiver.clone())
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let inbox = root.join("inbox");
    let jsonl = root.join("out/alerts.jsonl");
    std::fs::create_dir_all(&inbox).unwrap_or_else(|e| panic!("{e}"));
    write_config(
        root,
        &format!(
            "[[sinks]]\ntype = \"webhook\"\nname = \"hook\"\nurl = \"{}/hook\"\ntimeout = \"2s\"\n\
             [[sinks]]\ntype = \"jsonl\"\npath = \"{}\"\n",
            server.uri(),
            jsonl.display()
        ),
    );

    // 1. Receiver down; three articles in; SIGKILL while deliveries wait.
    let daemon = Daemon::start(root, "run-1.log");
    for name in [
        "01-deal-reached.txt",
        "02-minister-two-years.html",
        "03-two-phases.json",
    ] {
        drop_article(&inbox, name);
    }
    let done = inbox.join("done");
    eventually("three articles stored", || count_files(&done) == 3).await;
    eventually("a failed attempt at the receiver", || {
        receiver.with(|s| !s.log.is_empty())
    })
    .await;
    let _status = daemon.kill_9().await;
    let before = listed_alerts(root);
    assert!(!before.is_empty(), "the first articles raise alerts");
    assert!(
        before.iter().all(|a| state_of(a, "hook") == "pending"),
        "nothing reached the receiver while it was down"
    );

    // 2. Receiver back, failing twice more; start again; two more articles.
    receiver.with(|s| {
        s.down = false;
        s.failing = 2;
    });
    let _daemon = Daemon::start(root, "run-2.log");
    eventually("the backlog delivered after the restart", || {
        let accepted = receiver.accepted();
        before
            .iter()
            .all(|a| a["id"].as_str().is_some_and(|id| accepted.contains_key(id)))
    })
    .await;
    let mut drop_to_webhook = Vec::new();
    for name in ["04-pentagon-announces.md", "05-on-track.txt"] {
        // Everything raised so far has arrived: the next new key is this article's.
        eventually("every alert so far at the receiver", || {
            let accepted = receiver.accepted();
            listed_alerts(root)
                .iter()
                .all(|a| a["id"].as_str().is_some_and(|id| accepted.contains_key(id)))
        })
        .await;
        let known: BTreeSet<String> = receiver.accepted().into_keys().collect();
        let dropped = Instant::now();
        drop_article(&inbox, name);
        eventually("the new article's first alert at the receiver", || {
            receiver.accepted().keys().any(|k| !known.contains(k))
        })
        .await;
        drop_to_webhook.push(dropped.elapsed());
    }
    eventually("five articles stored", || count_files(&done) == 5).await;

    // 3. Every listed alert delivered to the hook, exactly once.
    let mut listed = Vec::new();
    eventually("every listed alert delivered", || {
        listed = listed_alerts(root);
        listed.iter().all(|a| state_of(a, "hook") == "delivered")
            && listed.iter().all(|a| state_of(a, "jsonl") == "delivered")
    })
    .await;
    let accepted = receiver.accepted();
    let ids: BTreeSet<String> = listed
        .iter()
        .filter_map(|a| a["id"].as_str().map(str::to_string))
        .collect();
    let duplicates: usize = accepted.values().map(|n| n.saturating_sub(1)).sum();
    let attempts = receiver.with(|s| s.log.len());
    let lines: Vec<String> = std::fs::read_to_string(&jsonl)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect();
    let line_ids: BTreeSet<String> = lines.iter().cloned().collect();
    eprintln!(
        "crash test: {} alerts stored, {} delivered to the webhook ({} requests in all, {} duplicates), \
         {} jsonl lines ({} distinct); drop to webhook with the receiver up: {:?}",
        ids.len(),
        accepted.len(),
        attempts,
        duplicates,
        lines.len(),
        line_ids.len(),
        drop_to_webhook
    );
    assert_eq!(accepted.keys().cloned().collect::<BTreeSet<_>>(), ids);
    assert_eq!(
        duplicates, 0,
        "an alert reached the receiver twice: {accepted:?}"
    );
    assert_eq!(
        lines.len(),
        line_ids.len(),
        "a jsonl line was written twice"
    );
    assert_eq!(line_ids, ids);
}
