//! The command sink: runs a program (no shell) with the alert JSON line on its
//! stdin and `DRAWDOWN_ALERT_ID` / `DRAWDOWN_ALERT_KIND` in its environment.
//! Exit code 0 is delivered; a non-zero exit or a timeout (the program is
//! killed with its whole process group) is a failure that is retried; a
//! program that cannot start is not. Only the exit status decides: stderr is
//! drained while it runs (its start kept for the error message).
//! With `digest = "10m"` it runs once per window with the digest JSON
//! ([`super::digest_json`]) on stdin.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::filter::SinkFilter;
use super::{Sink, SinkError};
use crate::model::Alert;

/// How much of the program's stderr an error keeps.
const STDERR_KEPT: usize = 500;
/// How much of the program's stderr is read into memory; the rest is drained
/// and discarded.
const STDERR_READ: usize = 64 * 1024;
/// How long a failed program's stderr is still read after it exited (a
/// background child may hold the pipe open).
const STDERR_GRACE: Duration = Duration::from_millis(200);

/// `type = "command"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
    /// The sink's name (default: "command").
    #[serde(default)]
    pub name: Option<String>,
    /// The program (a path, or a name looked up in `PATH`).
    pub program: PathBuf,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// How long it may run (default 30 s); then it is killed.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Which alerts this sink wants.
    #[serde(default)]
    pub filter: SinkFilter,
    /// One run per window (`"10m"`) with the digest JSON on stdin (see
    /// [`super::digest_json`]), instead of one run per alert.
    #[serde(default, with = "humantime_serde")]
    pub digest: Option<Duration>,
}

fn default_timeout() -> Duration {
    Duration::from_secs(30)
}

impl CommandConfig {
    /// Problems with this entry, keyed under `key`.
    pub fn validate(&self, key: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if self.program.as_os_str().is_empty() {
            problems.push(format!("{key}.program: must not be empty"));
        }
        if self.timeout.is_zero() {
            problems.push(format!("{key}.timeout: must be longer than 0 s"));
        }
        if self.digest.is_some_and(|d| d.is_zero()) {
            problems.push(format!("{key}.digest: must be longer than 0 s"));
        }
        problems.extend(self.filter.validate(key));
        problems
    }

    /// Builds the sink (the program is looked up when it runs).
    pub fn build(&self, name: String) -> Result<CommandSink, SinkError> {
        if self.program.as_os_str().is_empty() {
            return Err(SinkError::Config {
                sink: name,
                key: "program",
                problem: "must not be empty".into(),
            });
        }
        Ok(CommandSink {
            name,
            program: self.program.clone(),
            args: self.args.clone(),
            timeout: self.timeout,
            filter: self.filter.clone(),
            digest: self.digest,
        })
    }
}

/// Runs a program per alert.
#[derive(Debug)]
pub struct CommandSink {
    name: String,
    program: PathBuf,
    args: Vec<String>,
    timeout: Duration,
    filter: SinkFilter,
    digest: Option<Duration>,
}

impl CommandSink {
    fn shown(&self) -> String {
        self.program.display().to_string()
    }

    /// Runs the program with `input` on stdin and `env` set.
    ///
    /// Its exit status decides, and nothing else: stdin is written and stderr
    /// drained alongside the wait, so a program that writes more than a pipe
    /// holds, or that leaves a background child holding stderr, is not
    /// mistaken for one that hangs. It runs in its own process group, killed
    /// as a whole on timeout (or when the delivery is cancelled).
    async fn run(&self, env: &[(&str, &str)], input: Vec<u8>) -> Result<(), SinkError> {
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(&self.args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        #[cfg(unix)]
        command.process_group(0);
        let mut child = command.spawn().map_err(|source| SinkError::CommandStart {
            program: self.shown(),
            source,
        })?;
        let mut group = Group::of(&child);
        let name = self.name.clone();
        let writer = child.stdin.take().map(|mut pipe| {
            tokio::spawn(async move {
                // A program that exits without reading its input is not an
                // error in itself: its exit status decides.
                if let Err(err) = pipe.write_all(&input).await {
                    tracing::debug!(sink = %name, error = %err, "the command did not read its input");
                }
            })
        });
        let kept = Arc::new(Mutex::new(Vec::new()));
        let drainer = child.stderr.take().map(|pipe| {
            let kept = kept.clone();
            let name = self.name.clone();
            tokio::spawn(drain(pipe, kept, name))
        });
        let waited = tokio::time::timeout(self.timeout, child.wait()).await;
        if let Some(writer) = writer {
            writer.abort();
        }
        let status = match waited {
            Ok(status) => {
                // Reaped: its pid (and group id) may now be reused.
                group.disarm();
                status
            }
            Err(_) => {
                group.kill();
                if let Err(err) = child.start_kill() {
                    tracing::debug!(sink = %self.name, error = %err, "cannot kill the command");
                }
                if let Err(err) = child.wait().await {
                    tracing::debug!(sink = %self.name, error = %err, "cannot reap the command");
                }
                group.disarm();
                if let Some(drainer) = drainer {
                    drainer.abort();
                }
                return Err(SinkError::CommandTimeout {
                    program: self.shown(),
                    after: self.timeout,
                });
            }
        };
        let status = status.map_err(|err| SinkError::CommandFailed {
            program: self.shown(),
            problem: format!("cannot wait for it: {err}"),
        })?;
        if status.success() {
            if let Some(drainer) = drainer {
                drainer.abort();
            }
            return Ok(());
        }
        if let Some(mut drainer) = drainer {
            // What it wrote just before exiting may still be in the pipe; a
            // background child holding the pipe must not hold the error.
            if tokio::time::timeout(STDERR_GRACE, &mut drainer)
                .await
                .is_err()
            {
                drainer.abort();
            }
        }
        let errors = match kept.lock() {
            Ok(kept) => kept.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let text = String::from_utf8_lossy(&errors);
        let text: String = text.trim().chars().take(STDERR_KEPT).collect();
        Err(SinkError::CommandFailed {
            program: self.shown(),
            problem: if text.is_empty() {
                format!("{status}")
            } else {
                format!("{status}: {text}")
            },
        })
    }
}

/// Reads `pipe` to its end, keeping its first [`STDERR_READ`] bytes in `kept`
/// and discarding the rest, so the program never blocks on a full pipe.
async fn drain(mut pipe: tokio::process::ChildStderr, kept: Arc<Mutex<Vec<u8>>>, sink: String) {
    let mut chunk = vec![0u8; 8192];
    loop {
        match pipe.read(&mut chunk).await {
            Ok(0) => return,
            Ok(n) => {
                let mut kept = match kept.lock() {
                    Ok(kept) => kept,
                    Err(poisoned) => poisoned.into_inner(),
                };
                let room = STDERR_READ.saturating_sub(kept.len()).min(n);
                kept.extend_from_slice(&chunk[..room]);
            }
            Err(err) => {
                tracing::debug!(sink = %sink, error = %err, "cannot read the command's stderr");
                return;
            }
        }
    }
}

/// The command's process group, killed as a whole when dropped armed (a
/// timeout, or the delivery future cancelled). Disarmed once the leader is
/// reaped, since its id may then be reused.
struct Group {
    #[cfg(unix)]
    id: Option<nix::unistd::Pid>,
}

impl Group {
    fn of(child: &tokio::process::Child) -> Group {
        #[cfg(unix)]
        {
            Group {
                id: child
                    .id()
                    .and_then(|pid| i32::try_from(pid).ok())
                    .map(nix::unistd::Pid::from_raw),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = child;
            Group {}
        }
    }

    /// SIGKILL to every process of the group (the leader is not yet reaped).
    fn kill(&mut self) {
        #[cfg(unix)]
        if let Some(id) = self.id {
            if let Err(err) = nix::sys::signal::killpg(id, nix::sys::signal::Signal::SIGKILL) {
                tracing::debug!(group = %id, error = %err, "cannot kill the command's process group");
            }
        }
    }

    fn disarm(&mut self) {
        #[cfg(unix)]
        {
            self.id = None;
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

#[async_trait::async_trait]
impl Sink for CommandSink {
    fn name(&self) -> &str {
        &self.name
    }

    fn accepts(&self, alert: &Alert) -> bool {
        self.filter.accepts(alert)
    }

    async fn deliver(&self, alert: &Alert) -> Result<(), SinkError> {
        let mut input = serde_json::to_vec(alert).map_err(|source| SinkError::Encode {
            id: alert.id.clone(),
            source,
        })?;
        input.push(b'\n');
        let env = [
            ("DRAWDOWN_ALERT_ID", alert.id.as_str()),
            ("DRAWDOWN_ALERT_KIND", alert.kind.as_str()),
        ];
        self.run(&env, input).await
    }

    fn digest(&self) -> Option<Duration> {
        self.digest
    }

    /// One run with the digest JSON line on stdin, `DRAWDOWN_ALERT_ID` the
    /// digest id, `DRAWDOWN_ALERT_KIND=digest`, `DRAWDOWN_ALERT_COUNT` set.
    async fn deliver_digest(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        let id = super::digest_id(alerts);
        let window = self.digest.unwrap_or_default();
        let mut input =
            serde_json::to_vec(&super::digest_json(alerts, window)).map_err(|source| {
                SinkError::Encode {
                    id: id.clone(),
                    source,
                }
            })?;
        input.push(b'\n');
        let count = alerts.len().to_string();
        let env = [
            ("DRAWDOWN_ALERT_ID", id.as_str()),
            ("DRAWDOWN_ALERT_KIND", "digest"),
            ("DRAWDOWN_ALERT_COUNT", count.as_str()),
        ];
        self.run(&env, input).await
    }
}
