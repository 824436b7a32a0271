//! Alerts: building an `Alert` from a timeline `Change` (id, message), the
//! `Sink` trait with one file per sink, and the delivery workers that drain the
//! store's outbox into sinks with retries. A sink only formats and sends (and
//! says which alerts it wants and whether it batches them into digests).

#![warn(missing_docs)]

pub mod command;
pub mod delivery;
pub mod discord;
pub mod email;
pub mod filter;
pub(crate) mod http;
pub mod jsonl;
pub mod message;
pub mod ntfy;
pub mod slack;
pub mod stdout;
pub mod template;
pub mod webhook;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::Alert;
use crate::redact::RedactedUrl;

pub use command::{CommandConfig, CommandSink};
pub use discord::{DiscordConfig, DiscordSink};
pub use email::{EmailConfig, EmailSink, EmailTls};
pub use filter::SinkFilter;
pub use jsonl::{JsonlConfig, JsonlSink};
pub use ntfy::{NtfyConfig, NtfySink};
pub use slack::{SlackConfig, SlackSink};
pub use stdout::{StdoutConfig, StdoutFormat, StdoutSink};
pub use webhook::{WebhookConfig, WebhookSink};

/// Somewhere alerts go. A sink formats and sends one alert and says whether a
/// failure is worth retrying; the outbox, retries, backoff and ordering live
/// once in [`delivery`].
#[async_trait::async_trait] // `dyn Sink` needs boxed futures
pub trait Sink: Send + Sync {
    /// The sink's unique name: the key of its deliveries in the outbox.
    fn name(&self) -> &str;
    /// Sends one alert. `Ok` means the receiver has it: it is never sent again.
    async fn deliver(&self, alert: &Alert) -> Result<(), SinkError>;
    /// Does this sink want the alert (its `filter`)? Unwanted deliveries are
    /// marked `skipped`, never sent.
    fn accepts(&self, _alert: &Alert) -> bool {
        true
    }
    /// `Some(window)`: the sink batches alerts into one digest message per
    /// window (`digest = "10m"`), sent with [`Sink::deliver_digest`].
    fn digest(&self) -> Option<Duration> {
        None
    }
    /// Sends several alerts as one message. `Ok`: all of them are delivered.
    /// The default sends them one by one (only for sinks without `digest`).
    async fn deliver_digest(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        for alert in alerts {
            self.deliver(alert).await?;
        }
        Ok(())
    }
}

/// A digest's id: `digest-` and the first 24 hex digits of the SHA-256 of its
/// alert ids, each followed by a newline, in the order sent. The same alerts
/// always give the same id (the webhook's `Idempotency-Key`, the email's
/// `Message-ID`, the command's `DRAWDOWN_ALERT_ID` for a digest).
pub fn digest_id(alerts: &[Alert]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for alert in alerts {
        hasher.update(alert.id.as_bytes());
        hasher.update(b"\n");
    }
    let mut id = hex::encode(hasher.finalize());
    id.truncate(24);
    format!("digest-{id}")
}

/// The JSON of a digest the webhook POSTs and the command reads on stdin:
/// `{"digest": true, "id": digest_id, "window": "10m", "window_seconds": 600,
/// "count": n, "alerts": [alert JSON, ...]}`, alerts oldest first.
pub fn digest_json(alerts: &[Alert], window: Duration) -> serde_json::Value {
    serde_json::json!({
        "digest": true,
        "id": digest_id(alerts),
        "window": humantime::format_duration(window).to_string(),
        "window_seconds": window.as_secs_f64(),
        "count": alerts.len(),
        "alerts": alerts,
    })
}

/// Why a sink could not be built or could not deliver an alert.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The receiver answered with a status other than 2xx.
    #[error("webhook {url}: status {status}")]
    Status {
        /// The receiver, redacted.
        url: RedactedUrl,
        /// The HTTP status it answered with.
        status: u16,
    },
    /// No answer in time.
    #[error("webhook {url}: timed out after {}", seconds(*after))]
    Timeout {
        /// The receiver, redacted.
        url: RedactedUrl,
        /// The configured timeout.
        after: Duration,
    },
    /// Connecting, sending or reading the answer failed.
    #[error("webhook {url}: {}", with_causes(source))]
    Network {
        /// The receiver, redacted.
        url: RedactedUrl,
        /// What reqwest reported.
        #[source]
        source: reqwest::Error,
    },
    /// The request could not even be built (a bad URL or header).
    #[error("webhook {url}: cannot build the request: {}", with_causes(source))]
    Request {
        /// The receiver, redacted.
        url: RedactedUrl,
        /// What reqwest reported.
        #[source]
        source: reqwest::Error,
    },
    /// The HTTP client could not be set up.
    #[error(
        "webhook {url}: cannot set up the HTTP client: {}",
        with_causes(source)
    )]
    Client {
        /// The receiver, redacted.
        url: RedactedUrl,
        /// What reqwest reported.
        #[source]
        source: reqwest::Error,
    },
    /// A configured value the sink cannot use.
    #[error("sink {sink}: {key} {problem}")]
    Config {
        /// The sink's name.
        sink: String,
        /// The config key at fault.
        key: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// Appending to the alerts file failed.
    #[error("cannot append to {}: {source}", path.display())]
    Append {
        /// The file or folder.
        path: PathBuf,
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },
    /// Reading the ids already in the alerts file failed.
    #[error("cannot read the alerts already in {}: {source}", path.display())]
    ReadExisting {
        /// The file or folder.
        path: PathBuf,
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },
    /// Creating the folder of the alerts file failed.
    #[error("cannot create the folder {} for alerts: {source}", path.display())]
    CreateDir {
        /// The file or folder.
        path: PathBuf,
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },
    /// Writing to standard output failed.
    #[error("cannot write to stdout: {source}")]
    Stdout {
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },
    /// The receiver asked us to wait (429 or 5xx with `Retry-After`).
    #[error("{url}: status {status}, retry after {}", seconds(*retry_after))]
    Throttled {
        /// The receiver, redacted.
        url: RedactedUrl,
        /// The HTTP status it answered with.
        status: u16,
        /// What its `Retry-After` asked for.
        retry_after: Duration,
    },
    /// A message template failed to render.
    #[error("sink {sink}: cannot render the message: {source}")]
    Template {
        /// The sink's name.
        sink: String,
        /// What minijinja reported.
        #[source]
        source: minijinja::Error,
    },
    /// The command could not be started (not found, not executable).
    #[error("command {program}: cannot start: {source}")]
    CommandStart {
        /// The program.
        program: String,
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },
    /// The command ran and failed (non-zero exit, killed, broken stdin).
    #[error("command {program}: {problem}")]
    CommandFailed {
        /// The program.
        program: String,
        /// Exit status and the start of its stderr.
        problem: String,
    },
    /// The command did not finish in time (it is killed).
    #[error("command {program}: killed after {}", seconds(*after))]
    CommandTimeout {
        /// The program.
        program: String,
        /// The configured timeout.
        after: Duration,
    },
    /// The email could not be built (a bad address in the configuration).
    #[error("sink {sink}: cannot build the email: {problem}")]
    EmailBuild {
        /// The sink's name.
        sink: String,
        /// What is wrong.
        problem: String,
    },
    /// The SMTP server refused the message or could not be reached.
    #[error("smtp {server}: {}", with_causes(source))]
    Smtp {
        /// `host:port`.
        server: String,
        /// What lettre reported.
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// The alert could not be encoded as JSON.
    #[error("cannot encode alert {id} as JSON: {source}")]
    Encode {
        /// The alert's id.
        id: String,
        /// What serde_json reported.
        #[source]
        source: serde_json::Error,
    },
}

impl SinkError {
    /// Is the failure worth another attempt later? Network errors, timeouts,
    /// 429, 5xx and I/O errors (a full disk, a closed pipe) are; other 4xx,
    /// redirects, bad requests, bad config and unencodable alerts are not.
    pub fn is_retriable(&self) -> bool {
        match self {
            SinkError::Status { status, .. } => *status == 429 || (500..600).contains(status),
            SinkError::Smtp { source, .. } => !source.is_permanent(),
            SinkError::Timeout { .. }
            | SinkError::Throttled { .. }
            | SinkError::CommandFailed { .. }
            | SinkError::CommandTimeout { .. }
            | SinkError::Network { .. }
            | SinkError::Append { .. }
            | SinkError::ReadExisting { .. }
            | SinkError::CreateDir { .. }
            | SinkError::Stdout { .. } => true,
            SinkError::Request { .. }
            | SinkError::Client { .. }
            | SinkError::Config { .. }
            | SinkError::Template { .. }
            | SinkError::CommandStart { .. }
            | SinkError::EmailBuild { .. }
            | SinkError::Encode { .. } => false,
        }
    }

    /// How long the receiver asked us to wait, if it did (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SinkError::Throttled { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// A secret given in the config (`secret`) or named by an environment
/// variable (`secret_env`), read once when the sink is built.
pub(crate) fn secret_from(
    sink: &str,
    key: &'static str,
    value: &Option<String>,
    env: &Option<String>,
) -> Result<Option<String>, SinkError> {
    match (value, env) {
        (Some(value), _) => Ok(Some(value.clone())),
        (None, Some(var)) => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(Some(value)),
            _ => Err(SinkError::Config {
                sink: sink.to_string(),
                key,
                problem: format!("the environment variable {var} is not set"),
            }),
        },
        (None, None) => Ok(None),
    }
}

/// An error and its causes, "error sending request: ...: Connection refused":
/// reqwest's own message rarely says what went wrong.
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(err) = cause {
        let more = err.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = err.source();
    }
    text
}

/// "10 s", "0.5 s".
fn seconds(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

/// One `[[sinks]]` entry: `type` picks the sink, the rest are its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SinkConfig {
    /// Alerts on standard output.
    Stdout(StdoutConfig),
    /// One alert JSON line each, appended to a file.
    Jsonl(JsonlConfig),
    /// A POST of the alert JSON to a URL.
    Webhook(WebhookConfig),
    /// A Slack incoming-webhook message.
    Slack(SlackConfig),
    /// A Discord webhook message with an embed.
    Discord(DiscordConfig),
    /// A push to an ntfy topic.
    Ntfy(NtfyConfig),
    /// An email through SMTP.
    Email(EmailConfig),
    /// A program run with the alert JSON on stdin.
    Command(CommandConfig),
}

impl SinkConfig {
    /// The sink type, as written in `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            SinkConfig::Stdout(_) => "stdout",
            SinkConfig::Jsonl(_) => "jsonl",
            SinkConfig::Webhook(_) => "webhook",
            SinkConfig::Slack(_) => "slack",
            SinkConfig::Discord(_) => "discord",
            SinkConfig::Ntfy(_) => "ntfy",
            SinkConfig::Email(_) => "email",
            SinkConfig::Command(_) => "command",
        }
    }

    fn configured_name(&self) -> Option<&str> {
        match self {
            SinkConfig::Stdout(c) => c.name.as_deref(),
            SinkConfig::Jsonl(c) => c.name.as_deref(),
            SinkConfig::Webhook(c) => c.name.as_deref(),
            SinkConfig::Slack(c) => c.name.as_deref(),
            SinkConfig::Discord(c) => c.name.as_deref(),
            SinkConfig::Ntfy(c) => c.name.as_deref(),
            SinkConfig::Email(c) => c.name.as_deref(),
            SinkConfig::Command(c) => c.name.as_deref(),
        }
    }

    /// The sink's name: the configured `name`, else its type ("jsonl"). The
    /// name keys the sink's deliveries in the outbox, so it must not depend on
    /// the entry's position: `_index` (its place in `[[sinks]]`) is not used,
    /// and the caller makes duplicates unique.
    pub fn name(&self, _index: usize) -> String {
        match self.configured_name().map(str::trim) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => self.kind().to_string(),
        }
    }

    /// Every problem with this entry, each prefixed by its key path under `key`
    /// (e.g. `sinks[1]`): `sinks[1].url: must be an http or https URL`.
    pub fn validate(&self, key: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if self.configured_name().is_some_and(|n| n.trim().is_empty()) {
            problems.push(format!("{key}.name: must not be empty"));
        }
        match self {
            SinkConfig::Stdout(c) => problems.extend(c.filter.validate(key)),
            SinkConfig::Jsonl(c) => problems.extend(c.validate(key)),
            SinkConfig::Webhook(c) => problems.extend(c.validate(key)),
            SinkConfig::Slack(c) => problems.extend(c.validate(key)),
            SinkConfig::Discord(c) => problems.extend(c.validate(key)),
            SinkConfig::Ntfy(c) => problems.extend(c.validate(key)),
            SinkConfig::Email(c) => problems.extend(c.validate(key)),
            SinkConfig::Command(c) => problems.extend(c.validate(key)),
        }
        problems
    }

    /// Builds the running sink, named by [`SinkConfig::name`].
    pub fn build(&self) -> Result<Box<dyn Sink>, SinkError> {
        let name = self.name(0);
        Ok(match self {
            SinkConfig::Stdout(c) => Box::new(c.build(name)),
            SinkConfig::Jsonl(c) => Box::new(c.build(name)?),
            SinkConfig::Webhook(c) => Box::new(c.build(name)?),
            SinkConfig::Slack(c) => Box::new(c.build(name)?),
            SinkConfig::Discord(c) => Box::new(c.build(name)?),
            SinkConfig::Ntfy(c) => Box::new(c.build(name)?),
            SinkConfig::Email(c) => Box::new(c.build(name)?),
            SinkConfig::Command(c) => Box::new(c.build(name)?),
        })
    }
}

impl fmt::Display for SinkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Result<SinkConfig, toml::de::Error> {
        toml::from_str(toml_text)
    }

    #[test]
    fn parses_each_type_with_defaults() {
        let stdout = parse(r#"type = "stdout""#).unwrap();
        assert_eq!(
            stdout,
            SinkConfig::Stdout(StdoutConfig {
                name: None,
                format: StdoutFormat::Text,
                filter: SinkFilter::default(),
            })
        );
        let jsonl =
            parse("type = \"jsonl\"\npath = \"data/alerts.jsonl\"\nname = \"file\"").unwrap();
        assert_eq!(jsonl.name(0), "file");
        let webhook = parse("type = \"webhook\"\nurl = \"http://127.0.0.1:9000/hook\"").unwrap();
        let SinkConfig::Webhook(hook) = &webhook else {
            panic!("not a webhook: {webhook:?}");
        };
        assert_eq!(hook.timeout, Duration::from_secs(10));
        assert!(hook.headers.is_empty());
        assert_eq!(webhook.name(3), "webhook");
        let timed = parse(
            "type = \"webhook\"\nurl = \"https://example.org/h\"\ntimeout = \"2s 500ms\"\n\
             headers = { Authorization = \"Bearer x\" }",
        )
        .unwrap();
        let SinkConfig::Webhook(hook) = &timed else {
            panic!("not a webhook: {timed:?}");
        };
        assert_eq!(hook.timeout, Duration::from_millis(2500));
        assert_eq!(
            hook.headers.get("Authorization").map(String::as_str),
            Some("Bearer x")
        );
    }

    #[test]
    fn unknown_keys_and_types_are_errors() {
        for text in [
            "type = \"stdout\"\nfromat = \"json\"",
            "type = \"jsonl\"\npath = \"a\"\npaht = \"b\"",
            "type = \"webhook\"\nurl = \"http://x/\"\ntimout = \"1s\"",
            "type = \"email\"",
            "type = \"pager\"",
            "path = \"a\"",
        ] {
            assert!(parse(text).is_err(), "accepted: {text}");
        }
        assert!(parse("type = \"jsonl\"").is_err(), "path is required");
    }

    #[test]
    fn validation_names_the_key() {
        let cases = [
            (
                "type = \"jsonl\"\npath = \"\"",
                vec!["sinks[0].path: must not be empty"],
            ),
            (
                "type = \"webhook\"\nurl = \"ftp://example.org/x\"",
                vec!["sinks[0].url: must be an http or https URL"],
            ),
            (
                "type = \"webhook\"\nurl = \"http://x/\"\ntimeout = \"0s\"\nname = \" \"\n\
                 headers = { \"Bad Name\" = \"v\" }",
                vec![
                    "sinks[0].name: must not be empty",
                    "sinks[0].timeout: must be longer than 0 s",
                    "sinks[0].headers.Bad Name: not a valid HTTP header name",
                ],
            ),
            ("type = \"stdout\"\nformat = \"json\"", vec![]),
        ];
        for (text, expected) in cases {
            let config = parse(text).unwrap();
            assert_eq!(config.validate("sinks[0]"), expected, "{text}");
        }
    }

    #[test]
    fn retriable_errors() {
        let url = || crate::redact::redact_url(&url::Url::parse("http://x/hook?token=t").unwrap());
        let status = |status| SinkError::Status { url: url(), status };
        for (code, retriable) in [
            (500, true),
            (503, true),
            (429, true),
            (400, false),
            (404, false),
            (301, false),
        ] {
            assert_eq!(status(code).is_retriable(), retriable, "{code}");
        }
        let timeout = SinkError::Timeout {
            url: url(),
            after: Duration::from_secs(10),
        };
        assert!(timeout.is_retriable());
        assert_eq!(
            timeout.to_string(),
            "webhook http://x/…: timed out after 10 s"
        );
        assert_eq!(status(503).to_string(), "webhook http://x/…: status 503");
    }
}
