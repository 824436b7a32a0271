//! For the tests that drive the real `drawdown` binary in a temporary folder
//! (crash.rs, restart.rs, redaction.rs, systemd.rs): the daemon as a child process
//! killed on drop and signalled, articles dropped the safe way, and
//! `drawdown alerts --format json` read back. Included with `#[path = "common/binary.rs"] mod binary;`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;

/// How long any one awaited outcome may take.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// `drawdown --config drawdown.toml run` in `root`; killed if the test fails
/// before it stops.
pub struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ignored = self.0.kill();
        let _ignored = self.0.wait();
    }
}

impl Daemon {
    /// Starts the daemon, its log (RUST_LOG=drawdown=info) in `root/log`.
    pub fn start(root: &Path, log: &str) -> Daemon {
        Daemon::start_with(root, log, "drawdown=info", &[])
    }

    /// Starts the daemon with `RUST_LOG=filter`, its log in `root/log`.
    pub fn start_logging(root: &Path, log: &str, filter: &str) -> Daemon {
        Daemon::start_with(root, log, filter, &[])
    }

    /// As `start`, with these environment variables set too.
    pub fn start_with_env(root: &Path, log: &str, env: &[(&str, &str)]) -> Daemon {
        Daemon::start_with(root, log, "drawdown=info", env)
    }

    /// Starts the daemon with `RUST_LOG=filter` and `env` set, its log in `root/log`.
    fn start_with(root: &Path, log: &str, filter: &str, env: &[(&str, &str)]) -> Daemon {
        let stderr = std::fs::File::create(root.join(log)).unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(env!("CARGO_BIN_EXE_drawdown"))
            .current_dir(root)
            .args(["--config", "drawdown.toml", "run"])
            .env("RUST_LOG", filter)
            // Many daemons run at once: each on a port of its own (a config
            // or `env` may say otherwise).
            .env("DRAWDOWN_HTTP__LISTEN", "127.0.0.1:0")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("starting drawdown run: {e}"));
        Daemon(child)
    }

    /// SIGTERM, then waits for the exit.
    pub async fn terminate(mut self) -> ExitStatus {
        self.signal(Signal::SIGTERM);
        self.wait().await
    }

    /// Sends `signal` (SIGHUP: reload the configuration).
    pub fn signal(&self, signal: Signal) {
        let pid = Pid::from_raw(i32::try_from(self.0.id()).unwrap_or_else(|e| panic!("{e}")));
        kill(pid, signal).unwrap_or_else(|e| panic!("{signal}: {e}"));
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.0.try_wait(), Ok(None))
    }

    /// SIGKILL, then waits for the exit.
    pub async fn kill_9(mut self) -> ExitStatus {
        self.0.kill().unwrap_or_else(|e| panic!("SIGKILL: {e}"));
        self.wait().await
    }

    async fn wait(&mut self) -> ExitStatus {
        let mut status = None;
        eventually("the daemon to exit", || {
            status = self.0.try_wait().ok().flatten();
            status.is_some()
        })
        .await;
        status.unwrap_or_else(|| panic!("no exit status"))
    }
}

/// Polls `condition` until it holds; fails the test after `PATIENCE`.
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(PATIENCE, async {
        while !condition() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "timed out waiting for {what}");
}

/// A file of the fixture story.
pub fn story(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/story")
        .join(name)
}

/// Copies a story file into `inbox` under a hidden name, then renames it into
/// place: the drop folder's safe way.
pub fn drop_article(inbox: &Path, name: &str) {
    let temp = inbox.join(format!(".{name}.part"));
    std::fs::copy(story(name), &temp).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(&temp, inbox.join(name)).unwrap_or_else(|e| panic!("{e}"));
}

/// Regular files in `dir` (0 if it does not exist yet).
pub fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .count()
        })
        .unwrap_or(0)
}

/// A local HTTP server answering every POST with `responder`.
pub async fn serve_posts(responder: impl wiremock::Respond + 'static) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

/// `drawdown --config drawdown.toml ARGS` in `root`.
pub fn drawdown(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(root)
        .args(["--config", "drawdown.toml"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("drawdown {args:?}: {e}"))
}

/// `drawdown ARGS` (a `--format json` command), each line parsed.
pub fn json_lines(root: &Path, args: &[&str]) -> Vec<Value> {
    let out = drawdown(root, args);
    assert!(out.status.success(), "drawdown {args:?} failed: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{args:?} line {l}: {e}")))
        .collect()
}

/// `drawdown alerts --format json`, parsed.
pub fn listed_alerts(root: &Path) -> Vec<Value> {
    json_lines(root, &["alerts", "--format", "json"])
}

/// The start of every test configuration: the store in `data/`, the drop
/// folder `inbox/`, no curated timeline, every change kind alerted.
pub const BASE_CONFIG: &str = "[store]\npath = \"data/drawdown.db\"\n[inbox]\ndir = \"inbox\"\n\
     [timeline]\nknown = \"\"\n[alerts]\nkinds = [\"new\", \"confirmation\", \"update\", \
     \"contradiction\", \"refinement\"]\n";

/// Writes `root/drawdown.toml`: [`BASE_CONFIG`], then `rest` (feeds, sinks).
pub fn write_config(root: &Path, rest: &str) {
    std::fs::write(root.join("drawdown.toml"), format!("{BASE_CONFIG}{rest}"))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A listed alert's delivery to `sink`.
pub fn delivery<'a>(alert: &'a Value, sink: &str) -> Option<&'a Value> {
    alert["deliveries"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["sink"] == sink))
}

/// A listed alert's delivery state for `sink` ("none" if it has none).
pub fn state_of(alert: &Value, sink: &str) -> String {
    delivery(alert, sink)
        .and_then(|d| d["state"].as_str())
        .unwrap_or("none")
        .to_string()
}
