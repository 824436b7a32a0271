//! The command sink: runs a program (no shell) with the alert JSON line on its
//! stdin and `DRAWDOWN_ALERT_ID` / `DRAWDOWN_ALERT_KIND` in its environment.
//! Exit code 0 is delivered; a non-zero exit or a timeout (the program is
//! killed) is a failure that is retried; a program that cannot start is not.
//! With `digest = "10m"` it runs once per window with the digest JSON
//! ([`super::digest_json`]) on stdin.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::filter::SinkFilter;
use super::{Sink, SinkError};
use crate::model::Alert;

/// How much of the program's stderr an error keeps.
const STDERR_KEPT: usize = 500;

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
    async fn run(&self, env: &[(&str, &str)], input: Vec<u8>) -> Result<(), SinkError> {
        let mut child = tokio::process::Command::new(&self.program)
            .args(&self.args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| SinkError::CommandStart {
                program: self.shown(),
                source,
            })?;
        let mut stdin = child.stdin.take();
        let mut stderr = child.stderr.take();
        let work = async {
            if let Some(mut pipe) = stdin.take() {
                // A program that exits without reading its input is not an error
                // in itself: its exit status decides.
                if let Err(err) = pipe.write_all(&input).await {
                    tracing::debug!(sink = %self.name, error = %err, "the command did not read its input");
                }
                drop(pipe);
            }
            let mut errors = Vec::new();
            if let Some(pipe) = stderr.as_mut() {
                let mut limited = pipe.take(64 * 1024);
                if let Err(err) = limited.read_to_end(&mut errors).await {
                    tracing::debug!(sink = %self.name, error = %err, "cannot read the command's stderr");
                }
            }
            let status = child.wait().await;
            (status, errors)
        };
        let (status, errors) = match tokio::time::timeout(self.timeout, work).await {
            Ok(done) => done,
            // `kill_on_drop`: dropping `child` with the future kills it.
            Err(_) => {
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
            return Ok(());
        }
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
