//! The ntfy sink: a push to an ntfy topic (`url = "https://ntfy.sh/TOPIC"`)
//! using ntfy's JSON publishing (POST to the server root with `topic`,
//! `title`, `message`, `priority` by kind, `tags`, `click` = the article).
//! The tags carry the alert id as `alert-ID`, so that a subscriber can tell
//! a resend of the same alert from a new one.
//! An optional access token (`token` or `token_env`) is sent as a Bearer
//! header and never logged.

use std::fmt;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use url::Url;

use super::filter::SinkFilter;
use super::http::HttpTarget;
use super::slack::{build_template, clip, default_timeout, title, validate_message_sink};
use super::template::MessageTemplate;
use super::{Sink, SinkError, secret_from};
use crate::model::{Alert, ChangeKind};
use crate::redact::redact_url;

/// `type = "ntfy"`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NtfyConfig {
    /// The sink's name (default: "ntfy").
    #[serde(default)]
    pub name: Option<String>,
    /// The topic URL: the server, then the topic as the last path segment.
    pub url: Url,
    /// An access token (sent as `Authorization: Bearer`).
    #[serde(default)]
    pub token: Option<String>,
    /// The environment variable holding the token, instead of `token`.
    #[serde(default)]
    pub token_env: Option<String>,
    /// How long one request may take (default 10 s).
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Which alerts this sink wants.
    #[serde(default)]
    pub filter: SinkFilter,
    /// The message of one alert (minijinja).
    #[serde(default)]
    pub template: Option<String>,
    /// The message of a digest (minijinja).
    #[serde(default)]
    pub digest_template: Option<String>,
    /// One push per window listing its alerts (`"10m"`).
    #[serde(default, with = "humantime_serde")]
    pub digest: Option<Duration>,
}

impl fmt::Debug for NtfyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NtfyConfig")
            .field("name", &self.name)
            .field("url", &redact_url(&self.url))
            .field("token", &self.token.as_ref().map(|_| "<hidden>"))
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

/// The server root and the topic of a topic URL.
fn split_topic(url: &Url) -> Option<(Url, String)> {
    let topic = url.path_segments()?.rfind(|s| !s.is_empty())?.to_string();
    let mut root = url.clone();
    root.path_segments_mut().ok()?.pop_if_empty().pop();
    root.set_query(None);
    Some((root, topic))
}

impl NtfyConfig {
    /// Problems with this entry, keyed under `key`.
    pub fn validate(&self, key: &str) -> Vec<String> {
        let mut problems = validate_message_sink(
            key,
            &self.url,
            self.timeout,
            self.digest,
            &self.filter,
            (self.template.as_deref(), self.digest_template.as_deref()),
        );
        if split_topic(&self.url).is_none() {
            problems.push(format!(
                "{key}.url: must end with the topic (https://ntfy.sh/TOPIC)"
            ));
        }
        if self.token.is_some() && self.token_env.is_some() {
            problems.push(format!(
                "{key}.token_env: give token or token_env, not both"
            ));
        }
        problems
    }

    /// Builds the sink; reads `token_env` once.
    pub fn build(&self, name: String) -> Result<NtfySink, SinkError> {
        let template = build_template(
            &name,
            self.template.as_deref(),
            self.digest_template.as_deref(),
        )?;
        let Some((root, topic)) = split_topic(&self.url) else {
            return Err(SinkError::Config {
                sink: name,
                key: "url",
                problem: "must end with the topic (https://ntfy.sh/TOPIC)".into(),
            });
        };
        let mut headers = HeaderMap::new();
        if let Some(token) = secret_from(&name, "token", &self.token, &self.token_env)? {
            let value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                SinkError::Config {
                    sink: name.clone(),
                    key: "token",
                    problem: "is not a valid header value".into(),
                }
            })?;
            headers.insert(AUTHORIZATION, value);
        }
        let target = HttpTarget::new(&root, self.timeout, headers)?;
        Ok(NtfySink {
            name,
            topic,
            target,
            template,
            filter: self.filter.clone(),
            digest: self.digest,
        })
    }
}

/// Pushes alerts to an ntfy topic.
pub struct NtfySink {
    name: String,
    topic: String,
    target: HttpTarget,
    template: MessageTemplate,
    filter: SinkFilter,
    digest: Option<Duration>,
}

impl fmt::Debug for NtfySink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NtfySink")
            .field("name", &self.name)
            .field("url", &self.target.shown())
            .finish_non_exhaustive()
    }
}

/// ntfy priority (1 min .. 5 max) of a kind: contradictions are urgent.
pub fn priority(kind: ChangeKind) -> u8 {
    match kind {
        ChangeKind::Contradiction => 5,
        ChangeKind::Update => 4,
        ChangeKind::Refinement => 3,
        ChangeKind::New | ChangeKind::Confirmation => 2,
    }
}

/// The tag that carries an alert id (ntfy shows a tag that is no emoji
/// short code as text).
pub fn id_tag(id: &str) -> String {
    format!("alert-{id}")
}

/// The ntfy JSON message for one alert.
pub fn alert_payload(topic: &str, alert: &Alert, text: &str) -> Json {
    let mut payload = json!({
        "topic": topic,
        "title": clip(&title(alert), 250),
        "message": clip(text, 4000),
        "priority": priority(alert.kind),
        "tags": [
            alert.kind.as_str(),
            alert.event.country.to_lowercase(),
            id_tag(&alert.id),
        ],
    });
    if let (Some(url), Some(map)) = (&alert.current.article.url, payload.as_object_mut()) {
        map.insert("click".into(), json!(url));
    }
    payload
}

/// The ntfy JSON message for a digest.
pub fn digest_payload(topic: &str, alerts: &[Alert], text: &str) -> Json {
    json!({
        "topic": topic,
        "title": format!("{} withdrawal alerts", alerts.len()),
        "message": clip(text, 4000),
        "priority": alerts.iter().map(|a| priority(a.kind)).max().unwrap_or(3),
        "tags": ["digest"],
    })
}

impl NtfySink {
    fn template_err(&self, source: minijinja::Error) -> SinkError {
        SinkError::Template {
            sink: self.name.clone(),
            source,
        }
    }
}

#[async_trait::async_trait]
impl Sink for NtfySink {
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
            .map_err(|e| self.template_err(e))?;
        self.target
            .post_json(&alert_payload(&self.topic, alert, &text), &alert.id)
            .await
    }

    async fn deliver_digest(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        let text = self
            .template
            .render_digest(alerts)
            .map_err(|e| self.template_err(e))?;
        let id = alerts.first().map(|a| a.id.as_str()).unwrap_or_default();
        self.target
            .post_json(&digest_payload(&self.topic, alerts, &text), id)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_urls_split_into_root_and_topic() {
        let url = Url::parse("https://ntfy.example.org/base/alerts?x=1").expect("url");
        let (root, topic) = split_topic(&url).expect("split");
        assert_eq!(root.as_str(), "https://ntfy.example.org/base");
        assert_eq!(topic, "alerts");
        assert!(split_topic(&Url::parse("https://ntfy.sh/").expect("url")).is_none());
    }
}
