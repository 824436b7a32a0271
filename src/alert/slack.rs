//! The slack sink: a Slack incoming-webhook message per alert (or per digest
//! window): a header with the kind and event, the message text (template),
//! "before / now" fields, and a context line with the source links. The
//! webhook URL's path is its secret: errors show only the host.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use url::Url;

use super::filter::SinkFilter;
use super::http::HttpTarget;
use super::message::format_value;
use super::template::{self, MessageTemplate};
use super::{Sink, SinkError};
use crate::model::{Alert, AlertSide};
use crate::redact::redact_url;

/// `type = "slack"`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// The sink's name (default: "slack").
    #[serde(default)]
    pub name: Option<String>,
    /// The incoming-webhook URL (`https://hooks.slack.com/services/...`).
    pub url: Url,
    /// How long one request may take (default 10 s).
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Which alerts this sink wants.
    #[serde(default)]
    pub filter: SinkFilter,
    /// The message text of one alert (minijinja); see `alert::template`.
    #[serde(default)]
    pub template: Option<String>,
    /// The message text of a digest (minijinja).
    #[serde(default)]
    pub digest_template: Option<String>,
    /// One message per window listing its alerts (`"10m"`), instead of one per alert.
    #[serde(default, with = "humantime_serde")]
    pub digest: Option<Duration>,
}

pub(crate) fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

impl fmt::Debug for SlackConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackConfig")
            .field("name", &self.name)
            .field("url", &redact_url(&self.url))
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

/// What the HTTP message sinks (slack, discord, ntfy) check alike.
pub(crate) fn validate_message_sink(
    key: &str,
    url: &Url,
    timeout: Duration,
    digest: Option<Duration>,
    filter: &SinkFilter,
    templates: (Option<&str>, Option<&str>),
) -> Vec<String> {
    let mut problems = Vec::new();
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        problems.push(format!("{key}.url: must be an http or https URL"));
    }
    if timeout.is_zero() {
        problems.push(format!("{key}.timeout: must be longer than 0 s"));
    }
    if digest.is_some_and(|d| d.is_zero()) {
        problems.push(format!("{key}.digest: must be longer than 0 s"));
    }
    problems.extend(filter.validate(key));
    problems.extend(template::check(key, templates.0, templates.1));
    problems
}

/// The template or a config error naming the broken key.
pub(crate) fn build_template(
    sink: &str,
    alert: Option<&str>,
    digest: Option<&str>,
) -> Result<MessageTemplate, SinkError> {
    MessageTemplate::new(alert, digest).map_err(|(key, err)| SinkError::Config {
        sink: sink.to_string(),
        key,
        problem: err.to_string(),
    })
}

impl SlackConfig {
    /// Problems with this entry, keyed under `key`.
    pub fn validate(&self, key: &str) -> Vec<String> {
        validate_message_sink(
            key,
            &self.url,
            self.timeout,
            self.digest,
            &self.filter,
            (self.template.as_deref(), self.digest_template.as_deref()),
        )
    }

    /// Builds the sink and its HTTP client.
    pub fn build(&self, name: String) -> Result<SlackSink, SinkError> {
        let template = build_template(
            &name,
            self.template.as_deref(),
            self.digest_template.as_deref(),
        )?;
        let target = HttpTarget::new(&self.url, self.timeout, HeaderMap::new())?;
        Ok(SlackSink {
            name,
            target,
            template,
            filter: self.filter.clone(),
            digest: self.digest,
        })
    }
}

/// Posts alerts to a Slack incoming webhook.
pub struct SlackSink {
    name: String,
    target: HttpTarget,
    template: MessageTemplate,
    filter: SinkFilter,
    digest: Option<Duration>,
}

impl fmt::Debug for SlackSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackSink")
            .field("name", &self.name)
            .field("url", &self.target.shown())
            .finish_non_exhaustive()
    }
}

/// Slack's mrkdwn needs `&`, `<`, `>` escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Feed-controlled `text` made safe for any Slack text field Slack parses
/// (mrkdwn or the top-level `text`): escaped, so `<!channel>` or `<@U123>`
/// is shown and never acted on, and clipped to `max` characters.
fn mrkdwn(text: &str, max: usize) -> String {
    clip(&escape(text), max)
}

/// Cuts `text` to at most `max` characters, with an ellipsis.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// "Contradiction: US-led coalition, IQ/us-led-coalition/final".
pub(crate) fn title(alert: &Alert) -> String {
    let kind = alert.kind.as_str();
    let mut chars = kind.chars();
    let kind = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => String::new(),
    };
    format!(
        "{kind}: {} {} ({}, {})",
        alert.event.actor,
        alert.event.milestone.as_str(),
        alert.event.country,
        alert.attribute.as_str()
    )
}

/// "September 2026 — Gulf Dispatch, 2024-09-10".
pub(crate) fn side_line(side: &AlertSide) -> String {
    format!(
        "{} — {}, {}",
        format_value(&side.value),
        side.article.outlet(),
        side.article.published
    )
}

fn link(side: &AlertSide) -> String {
    match &side.article.url {
        Some(url) => format!("<{}|{}>", escape(url), escape(side.article.outlet())),
        None => escape(side.article.outlet()),
    }
}

/// The Slack message for one alert (Block Kit, with `text` as the fallback).
pub fn alert_payload(alert: &Alert, text: &str) -> Json {
    let mut fields = vec![json!({
        "type": "mrkdwn",
        "text": mrkdwn(&format!("*Now*\n{}", side_line(&alert.current)), 2000),
    })];
    if let Some(previous) = &alert.previous {
        fields.push(json!({
            "type": "mrkdwn",
            "text": mrkdwn(&format!("*Before*\n{}", side_line(previous)), 2000),
        }));
    }
    let mut sources = vec![link(&alert.current)];
    if let Some(previous) = &alert.previous {
        sources.push(link(previous));
    }
    json!({
        "text": mrkdwn(&format!("{}: {}", alert.kind.as_str(), alert.message), 3000),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": clip(&title(alert), 150)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn(text, 3000)}},
            {"type": "section", "fields": fields},
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": clip(&format!("Sources: {} · alert `{}`", sources.join(" · "), alert.id), 2000)}
            ]}
        ]
    })
}

/// The Slack message for a digest.
pub fn digest_payload(alerts: &[Alert], text: &str) -> Json {
    json!({
        "text": mrkdwn(text, 3000),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": clip(&format!("{} withdrawal alerts", alerts.len()), 150)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn(text, 3000)}}
        ]
    })
}

#[async_trait::async_trait]
impl Sink for SlackSink {
    fn name(&self) -> &str {
        &self.name
    }

    fn accepts(&self, alert: &Alert) -> bool {
        self.filter.accepts(alert)
    }

    fn digest(&self) -> Option<Duration> {
        self.digest
    }

    async fn deliver(&self, alert: &Alert) -> Result<(), SinkError> {
        let text = self
            .template
            .render(alert)
            .map_err(|source| SinkError::Template {
                sink: self.name.clone(),
                source,
            })?;
        self.target
            .post_json(&alert_payload(alert, &text), &alert.id)
            .await
    }

    async fn deliver_digest(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        let text = self
            .template
            .render_digest(alerts)
            .map_err(|source| SinkError::Template {
                sink: self.name.clone(),
                source,
            })?;
        let id = alerts.first().map(|a| a.id.as_str()).unwrap_or_default();
        self.target
            .post_json(&digest_payload(alerts, &text), id)
            .await
    }
}
