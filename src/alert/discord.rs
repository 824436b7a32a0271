//! The discord sink: a Discord webhook message with one embed per alert (title,
//! the message text from the template, "before / now" fields, a link to the
//! article, a colour by kind), or one embed listing a digest window. The
//! webhook URL's path holds its token: errors show only the host.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use url::Url;

use super::filter::SinkFilter;
use super::http::HttpTarget;
use super::slack::{
    build_template, clip, default_timeout, side_line, title, validate_message_sink,
};
use super::template::MessageTemplate;
use super::{Sink, SinkError};
use crate::model::{Alert, ChangeKind};
use crate::redact::redact_url;

/// `type = "discord"`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordConfig {
    /// The sink's name (default: "discord").
    #[serde(default)]
    pub name: Option<String>,
    /// The webhook URL (`https://discord.com/api/webhooks/ID/TOKEN`).
    pub url: Url,
    /// The name the messages are posted under (default: the webhook's own).
    #[serde(default)]
    pub username: Option<String>,
    /// How long one request may take (default 10 s).
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Which alerts this sink wants.
    #[serde(default)]
    pub filter: SinkFilter,
    /// The embed description of one alert (minijinja).
    #[serde(default)]
    pub template: Option<String>,
    /// The embed description of a digest (minijinja).
    #[serde(default)]
    pub digest_template: Option<String>,
    /// One message per window listing its alerts (`"10m"`).
    #[serde(default, with = "humantime_serde")]
    pub digest: Option<Duration>,
}

impl fmt::Debug for DiscordConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordConfig")
            .field("name", &self.name)
            .field("url", &redact_url(&self.url))
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

impl DiscordConfig {
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
    pub fn build(&self, name: String) -> Result<DiscordSink, SinkError> {
        let template = build_template(
            &name,
            self.template.as_deref(),
            self.digest_template.as_deref(),
        )?;
        let target = HttpTarget::new(&self.url, self.timeout, HeaderMap::new())?;
        Ok(DiscordSink {
            name,
            target,
            template,
            username: self.username.clone(),
            filter: self.filter.clone(),
            digest: self.digest,
        })
    }
}

/// Posts alerts to a Discord webhook.
pub struct DiscordSink {
    name: String,
    target: HttpTarget,
    template: MessageTemplate,
    username: Option<String>,
    filter: SinkFilter,
    digest: Option<Duration>,
}

impl fmt::Debug for DiscordSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordSink")
            .field("name", &self.name)
            .field("url", &self.target.shown())
            .finish_non_exhaustive()
    }
}

/// The embed colour of a kind (red for contradictions, amber for updates).
fn colour(kind: ChangeKind) -> u32 {
    match kind {
        ChangeKind::Contradiction => 0xD9_3025,
        ChangeKind::Update => 0xF2_9900,
        ChangeKind::Refinement => 0x2D_7FF9,
        ChangeKind::New | ChangeKind::Confirmation => 0x7A_7A7A,
    }
}

/// The Discord message for one alert.
pub fn alert_payload(alert: &Alert, text: &str, username: Option<&str>) -> Json {
    let mut fields = vec![json!({
        "name": "Now", "value": clip(&side_line(&alert.current), 1024), "inline": true
    })];
    if let Some(previous) = &alert.previous {
        fields.push(json!({
            "name": "Before", "value": clip(&side_line(previous), 1024), "inline": true
        }));
    }
    let mut embed = json!({
        "title": clip(&title(alert), 256),
        "description": clip(text, 4096),
        "color": colour(alert.kind),
        "fields": fields,
        "footer": {"text": format!("drawdown alert {}", alert.id)},
    });
    if let (Some(url), Some(map)) = (&alert.current.article.url, embed.as_object_mut()) {
        map.insert("url".into(), json!(url));
    }
    message(vec![embed], username)
}

/// The Discord message for a digest.
pub fn digest_payload(alerts: &[Alert], text: &str, username: Option<&str>) -> Json {
    let embed = json!({
        "title": format!("{} withdrawal alerts", alerts.len()),
        "description": clip(text, 4096),
        "color": alerts.iter().map(|a| colour(a.kind)).max().unwrap_or(0),
    });
    message(vec![embed], username)
}

fn message(embeds: Vec<Json>, username: Option<&str>) -> Json {
    let mut payload = json!({ "embeds": embeds, "allowed_mentions": {"parse": []} });
    if let (Some(name), Some(map)) = (username, payload.as_object_mut()) {
        map.insert("username".into(), json!(name));
    }
    payload
}

impl DiscordSink {
    fn template_err(&self, source: minijinja::Error) -> SinkError {
        SinkError::Template {
            sink: self.name.clone(),
            source,
        }
    }
}

#[async_trait::async_trait]
impl Sink for DiscordSink {
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
        let payload = alert_payload(alert, &text, self.username.as_deref());
        self.target.post_json(&payload, &alert.id).await
    }

    async fn deliver_digest(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        let text = self
            .template
            .render_digest(alerts)
            .map_err(|e| self.template_err(e))?;
        let payload = digest_payload(alerts, &text, self.username.as_deref());
        let id = alerts.first().map(|a| a.id.as_str()).unwrap_or_default();
        self.target.post_json(&payload, id).await
    }
}
