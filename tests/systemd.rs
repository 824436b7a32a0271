//! The daemon under a service manager, with the real binary: a unix datagram
//! socket bound by the test stands in for systemd's `NOTIFY_SOCKET`.
//! - READY=1 (with a STATUS= line of counts), then WATCHDOG=1 every half
//!   `WATCHDOG_USEC`, then STOPPING=1 after SIGTERM;
//! - the heartbeat comes from the pipeline loop: while a batch is stuck on a
//!   locked store it stops, and it resumes once the store answers;
//! - SIGHUP reloads the configuration: a new sink starts receiving the alerts
//!   raised from then on; a configuration that fails validation is refused,
//!   the running one stays and keeps delivering.
//!
//! Waits on notifications, files and log lines under a timeout; never sleeps
//! to wait for an outcome.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde_json::Value;
use sqlx::Connection;
use tokio::net::UnixDatagram;
use tokio::sync::mpsc;

#[path = "common/binary.rs"]
mod binary;
use binary::{Daemon, PATIENCE, count_files, drop_article, eventually};

/// systemd's side of the notify protocol: every datagram, in order, with
/// when it came. A task reads the socket at once, as systemd does (a sender
/// blocks once a few datagrams wait unread).
struct Manager {
    path: PathBuf,
    received: mpsc::UnboundedReceiver<(Instant, String)>,
    seen: Vec<(Instant, String)>,
    _reader: tokio::task::JoinHandle<()>,
}

impl Manager {
    fn bind(root: &Path) -> Manager {
        let path = root.join("notify.sock");
        let socket = UnixDatagram::bind(&path).unwrap_or_else(|e| panic!("bind: {e}"));
        let (tx, received) = mpsc::unbounded_channel();
        let reader = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Ok(n) = socket.recv(&mut buf).await {
                let text = String::from_utf8_lossy(&buf[..n]).to_string();
                if tx.send((Instant::now(), text)).is_err() {
                    break;
                }
            }
        });
        Manager {
            path,
            received,
            seen: Vec::new(),
            _reader: reader,
        }
    }

    /// The environment a unit with `Type=notify` (and `WatchdogSec=`) gives.
    fn env(&self, watchdog_usec: Option<u64>) -> Vec<(String, String)> {
        let mut env = vec![("NOTIFY_SOCKET".to_string(), self.path.display().to_string())];
        if let Some(usec) = watchdog_usec {
            env.push(("WATCHDOG_USEC".to_string(), usec.to_string()));
        }
        env
    }

    /// The next datagram, if one comes within `limit`.
    async fn next_within(&mut self, limit: Duration) -> Option<String> {
        let (at, text) = tokio::time::timeout(limit, self.received.recv())
            .await
            .ok()??;
        self.seen.push((at, text.clone()));
        Some(text)
    }

    /// Reads datagrams until one has the line `line`; returns it.
    async fn until(&mut self, line: &str) -> String {
        let start = Instant::now();
        loop {
            let left = PATIENCE.saturating_sub(start.elapsed());
            let Some(message) = self.next_within(left).await else {
                let seen: Vec<&String> = self.seen.iter().map(|(_, m)| m).collect();
                panic!("no {line} within {PATIENCE:?}; got {seen:?}");
            };
            if message.lines().any(|l| l == line) {
                return message;
            }
        }
    }
}

fn start(root: &Path, manager: &Manager, watchdog_usec: Option<u64>) -> Daemon {
    let env = manager.env(watchdog_usec);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Daemon::start_with_env(root, "log", &env)
}

/// A config: every change kind alerted, one jsonl sink per name (`out/NAME.jsonl`), `extra` appended.
fn configure(root: &Path, sinks: &[&str], extra: &str) {
    let mut text =
        "[store]\npath = \"data/drawdown.db\"\n[inbox]\ndir = \"inbox\"\nsettle = \"50ms\"\n\
                    [timeline]\nknown = \"\"\n[alerts]\nkinds = [\"new\", \"confirmation\", \
                    \"update\", \"contradiction\", \"refinement\"]\n"
            .to_string();
    for name in sinks {
        text.push_str(&format!(
            "[[sinks]]\ntype = \"jsonl\"\nname = \"{name}\"\npath = \"out/{name}.jsonl\"\n"
        ));
    }
    text.push_str(extra);
    std::fs::write(root.join("drawdown.toml"), text).unwrap_or_else(|e| panic!("{e}"));
}

/// The alert ids in `out/NAME.jsonl`.
fn ids_in(root: &Path, sink: &str) -> Vec<String> {
    std::fs::read_to_string(root.join("out").join(format!("{sink}.jsonl")))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|a| a["id"].as_str().map(str::to_string))
        .collect()
}

fn log(root: &Path) -> String {
    std::fs::read_to_string(root.join("log")).unwrap_or_default()
}

async fn done(root: &Path, files: usize) {
    let done = root.join("inbox/done");
    eventually(&format!("{files} file(s) in done/"), || {
        count_files(&done) >= files
    })
    .await;
}

#[tokio::test]
async fn ready_then_watchdog_then_stopping() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    configure(root, &["a"], "");
    let mut manager = Manager::bind(root);
    let daemon = start(root, &manager, Some(200_000));

    let ready = manager.until("READY=1").await;
    assert!(
        ready
            .lines()
            .any(|l| l.starts_with("STATUS=articles 0 stored")),
        "READY=1 comes with a status line: {ready:?}"
    );
    // Heartbeats every 100 ms from the pipeline, after READY=1.
    manager.until("WATCHDOG=1").await;
    manager.until("WATCHDOG=1").await;

    let status = daemon.terminate().await;
    manager.until("STOPPING=1").await;
    assert!(
        status.success(),
        "exit status {status:?}; log:\n{}",
        log(root)
    );
}

#[tokio::test]
async fn a_stuck_pipeline_stops_its_heartbeat() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    configure(root, &["a"], "");
    let mut manager = Manager::bind(root);
    let daemon = start(root, &manager, Some(100_000));
    manager.until("READY=1").await;
    manager.until("WATCHDOG=1").await;

    // Another writer holds the store's write lock: the pipeline's next
    // transaction waits for it (up to the store's 5 s busy timeout).
    let db = root.join("data/drawdown.db");
    let mut lock = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap_or_else(|e| panic!("open {}: {e}", db.display()));
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut lock)
        .await
        .unwrap_or_else(|e| panic!("lock: {e}"));
    drop_article(&root.join("inbox"), "01-deal-reached.txt");
    let claimed = root.join("inbox/.processing");
    eventually("the article claimed", || count_files(&claimed) == 1).await;

    // Held for 2.5 s: the heartbeat pauses for most of it.
    let held = Instant::now();
    let from = manager.seen.len();
    while held.elapsed() < Duration::from_millis(2500) {
        let left = Duration::from_millis(2500).saturating_sub(held.elapsed());
        let _timed_out = manager.next_within(left).await;
    }
    sqlx::query("ROLLBACK")
        .execute(&mut lock)
        .await
        .unwrap_or_else(|e| panic!("unlock: {e}"));
    let beats: Vec<Instant> = manager.seen[from..]
        .iter()
        .filter(|(_, m)| m == "WATCHDOG=1\n")
        .map(|(at, _)| *at)
        .collect();
    let ended = Instant::now();
    // From the lock to the first beat, between beats, and from the last to the unlock.
    let mut edges = vec![held];
    edges.extend(&beats);
    edges.push(ended);
    let gaps: Vec<Duration> = edges.windows(2).map(|w| w[1] - w[0]).collect();
    let longest = gaps.iter().max().copied().unwrap_or_default();
    assert!(
        longest >= Duration::from_millis(1500),
        "the heartbeat went on while the pipeline was stuck: longest gap {longest:?}, beats {}",
        beats.len()
    );

    // Unlocked: the article is stored and the heartbeat is back.
    done(root, 1).await;
    manager.until("WATCHDOG=1").await;
    let status = daemon.terminate().await;
    assert!(status.success(), "exit status {status:?}");
}

#[tokio::test]
async fn sighup_adds_a_sink_and_refuses_a_broken_configuration() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let inbox = root.join("inbox");
    configure(root, &["a"], "");
    let mut manager = Manager::bind(root);
    let mut daemon = start(root, &manager, None);
    manager.until("READY=1").await;

    drop_article(&inbox, "01-deal-reached.txt");
    done(root, 1).await;
    eventually("01's alerts in a", || !ids_in(root, "a").is_empty()).await;
    let before = ids_in(root, "a");

    // A second sink, while an article is on its way: the article is stored
    // and delivered, and b receives what is raised from now on.
    configure(root, &["a", "b"], "");
    drop_article(&inbox, "02-minister-two-years.html");
    daemon.signal(Signal::SIGHUP);
    manager.until("RELOADING=1").await;
    manager.until("READY=1").await;
    assert!(
        log(root).contains("configuration reloaded"),
        "{}",
        log(root)
    );
    done(root, 2).await;
    eventually("02's alerts in a", || {
        ids_in(root, "a").len() > before.len()
    })
    .await;
    drop_article(&inbox, "03-two-phases.json");
    done(root, 3).await;
    eventually("03's alerts in b", || !ids_in(root, "b").is_empty()).await;
    eventually("b's alerts in a too", || {
        let a = ids_in(root, "a");
        ids_in(root, "b").iter().all(|id| a.contains(id))
    })
    .await;
    let b = ids_in(root, "b");
    assert!(
        b.iter().all(|id| !before.contains(id)),
        "b got alerts raised before it was added: {b:?}"
    );
    let a = ids_in(root, "a");

    // Broken: refused with its problem in the log; b (which it drops) stays.
    configure(root, &["a"], "[pipeline]\nqueue_bytes = 0\n");
    daemon.signal(Signal::SIGHUP);
    manager.until("RELOADING=1").await;
    manager.until("READY=1").await;
    let text = log(root);
    assert!(
        text.contains("configuration reload refused") && text.contains("pipeline.queue_bytes"),
        "{text}"
    );
    assert!(daemon.is_running());
    drop_article(&inbox, "04-pentagon-announces.md");
    done(root, 4).await;
    eventually("04's alerts in both sinks", || {
        ids_in(root, "b").len() > b.len() && ids_in(root, "a").len() > a.len()
    })
    .await;

    let status = daemon.terminate().await;
    assert!(status.success(), "exit status {status:?}");
}
