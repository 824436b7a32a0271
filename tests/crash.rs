//! Crash safety of delivery, with the real binary and SIGKILL, at the two
//! moments that matter (docs/contract.md, "Delivery guarantees"):
//!
//! - while the receiver fails: nothing was accepted, so after the restart
//!   every alert reaches it exactly once and the jsonl file holds each once;
//! - while a 2xx is in flight (the receiver has accepted, drawdown has not yet
//!   marked the delivery): that one alert is sent once more after the restart,
//!   and nothing else is. This is the at-least-once window the contract
//!   admits; the test proves it is that narrow.
//!
//! 2xx answers are counted by `Idempotency-Key`. Polls, never sleeps to wait
//! for an outcome.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

#[path = "common/binary.rs"]
mod binary;
use binary::{
    Daemon, count_files, drop_article, eventually, listed_alerts, serve_posts, state_of,
    write_config,
};

/// The receiver: answers 503 while `failing` > 0 (or forever while `down`),
/// holds its next 200 for a minute when `hold_next` is set (the alert it
/// accepted goes to `held`), and records every request's key and the status
/// it got.
#[derive(Clone, Default)]
struct Receiver {
    state: Arc<Mutex<ReceiverState>>,
}

#[derive(Default)]
struct ReceiverState {
    down: bool,
    failing: usize,
    hold_next: bool,
    held: Option<String>,
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
            let mut answer = ResponseTemplate::new(status);
            if status == 200 && s.hold_next {
                // Accepted here; the answer is on its way for a minute.
                s.hold_next = false;
                s.held = Some(key.clone());
                answer = answer.set_delay(Duration::from_secs(60));
            }
            s.log.push((key, status, Instant::now()));
            answer
        })
    }
}

/// A receiver and a folder configured for the daemon: a webhook sink `hook`
/// on the receiver with `timeout`, and a jsonl sink.
struct Setup {
    receiver: Receiver,
    _server: MockServer,
    dir: tempfile::TempDir,
}

impl Setup {
    async fn new(timeout: &str) -> Setup {
        let receiver = Receiver::default();
        let server = serve_posts(receiver.clone()).await;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let setup = Setup {
            receiver,
            _server: server,
            dir,
        };
        std::fs::create_dir_all(setup.inbox()).unwrap_or_else(|e| panic!("{e}"));
        write_config(
            setup.root(),
            &format!(
                "[[sinks]]\ntype = \"webhook\"\nname = \"hook\"\nurl = \"{}/hook\"\ntimeout = \"{timeout}\"\n\
                 [[sinks]]\ntype = \"jsonl\"\npath = \"{}\"\n",
                setup._server.uri(),
                setup.jsonl().display()
            ),
        );
        setup
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn inbox(&self) -> PathBuf {
        self.root().join("inbox")
    }

    fn jsonl(&self) -> PathBuf {
        self.root().join("out/alerts.jsonl")
    }

    /// The alert ids in the jsonl file, one per line.
    fn jsonl_ids(&self) -> Vec<String> {
        std::fs::read_to_string(self.jsonl())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|v| v["id"].as_str().map(str::to_string))
            .collect()
    }

    /// Waits until every listed alert is delivered to both sinks; returns their ids.
    async fn all_delivered(&self) -> BTreeSet<String> {
        let mut listed = Vec::new();
        eventually("every listed alert delivered", || {
            listed = listed_alerts(self.root());
            listed.iter().all(|a| state_of(a, "hook") == "delivered")
                && listed.iter().all(|a| state_of(a, "jsonl") == "delivered")
        })
        .await;
        listed
            .iter()
            .filter_map(|a| a["id"].as_str().map(str::to_string))
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_the_receiver_fails_loses_no_alert_and_repeats_none() {
    let setup = Setup::new("2s").await;
    let receiver = &setup.receiver;
    receiver.with(|s| s.down = true);
    let root = setup.root();
    let inbox = setup.inbox();

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
    let ids = setup.all_delivered().await;
    let accepted = receiver.accepted();
    let duplicates: usize = accepted.values().map(|n| n.saturating_sub(1)).sum();
    let attempts = receiver.with(|s| s.log.len());
    let lines = setup.jsonl_ids();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_a_2xx_is_in_flight_resends_only_that_alert_once() {
    // A timeout far above the receiver's hold: drawdown waits for the answer.
    let setup = Setup::new("30s").await;
    let receiver = &setup.receiver;
    let root = setup.root();
    let inbox = setup.inbox();
    let done = inbox.join("done");

    // 1. Two articles delivered normally.
    let daemon = Daemon::start(root, "run-1.log");
    for name in ["01-deal-reached.txt", "02-minister-two-years.html"] {
        drop_article(&inbox, name);
    }
    eventually("two articles stored", || count_files(&done) == 2).await;
    let before = setup.all_delivered().await;
    assert!(!before.is_empty(), "the first articles raise alerts");

    // 2. The receiver accepts the next alert but holds its 200; SIGKILL then,
    // between the receiver's acceptance and drawdown marking it delivered.
    receiver.with(|s| s.hold_next = true);
    drop_article(&inbox, "03-two-phases.json");
    let mut held = None;
    eventually("an accepted alert whose 200 is in flight", || {
        held = receiver.with(|s| s.held.clone());
        held.is_some()
    })
    .await;
    let held = held.unwrap_or_default();
    let _status = daemon.kill_9().await;
    let listed = listed_alerts(root);
    let in_flight = listed
        .iter()
        .find(|a| a["id"] == held.as_str())
        .unwrap_or_else(|| panic!("the held alert {held} is not listed"));
    assert_eq!(
        state_of(in_flight, "hook"),
        "pending",
        "the kill landed after the receiver accepted and before the mark"
    );

    // 3. Started again: everything delivered, the held alert once more.
    let _daemon = Daemon::start(root, "run-2.log");
    drop_article(&inbox, "04-pentagon-announces.md");
    eventually("four articles stored", || count_files(&done) == 4).await;
    let ids = setup.all_delivered().await;
    let accepted = receiver.accepted();
    let repeated: BTreeMap<&String, &usize> = accepted.iter().filter(|(_, n)| **n > 1).collect();
    let lines = setup.jsonl_ids();
    eprintln!(
        "crash in flight: {} alerts, held {held}, accepted twice: {repeated:?}, {} requests in all",
        ids.len(),
        receiver.with(|s| s.log.len())
    );
    assert_eq!(accepted.keys().cloned().collect::<BTreeSet<_>>(), ids);
    assert_eq!(
        repeated,
        BTreeMap::from([(&held, &2)]),
        "exactly the alert in flight is sent once more, nothing else"
    );
    // The jsonl sink closes the window itself: each id once.
    assert_eq!(lines.len(), ids.len(), "a jsonl line was written twice");
    assert_eq!(lines.into_iter().collect::<BTreeSet<_>>(), ids);
}
