//! The webhook sink: POSTs the alert JSON to a URL with an `Idempotency-Key`
//! (the alert id) so a receiver can drop a retried duplicate. 2xx is done; 429,
//! 5xx, timeouts and network errors are retried by the delivery worker; other
//! answers are not. Header values are secrets: never logged.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{Sink, SinkError, display_url};
use crate::model::Alert;

/// The header carrying the alert id.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// `type = "webhook"`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The sink's name (default: "webhook").
    #[serde(default)]
    pub name: Option<String>,
    /// Where alerts are POSTed (http or https).
    pub url: Url,
    /// Extra request headers, e.g. `Authorization`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// How long one request may take (default 10 s).
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.keys().map(String::as_str).collect();
        f.debug_struct("WebhookConfig")
            .field("name", &self.name)
            .field("url", &display_url(&self.url))
            .field("headers", &headers)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl WebhookConfig {
    /// Problems with this entry, keyed under `key`.
    pub fn validate(&self, key: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if !matches!(self.url.scheme(), "http" | "https") || !self.url.has_host() {
            problems.push(format!("{key}.url: must be an http or https URL"));
        }
        if self.timeout.is_zero() {
            problems.push(format!("{key}.timeout: must be longer than 0 s"));
        }
        for (name, value) in &self.headers {
            if HeaderName::from_bytes(name.as_bytes()).is_err() {
                problems.push(format!(
                    "{key}.headers.{name}: not a valid HTTP header name"
                ));
            } else if HeaderValue::from_str(value).is_err() {
                problems.push(format!(
                    "{key}.headers.{name}: not a valid HTTP header value"
                ));
            }
        }
        problems
    }

    /// Builds the sink and its HTTP client (once; connections are reused).
    pub fn build(&self, name: String) -> Result<WebhookSink, SinkError> {
        let shown = display_url(&self.url);
        let config_err = |key, problem: &str| SinkError::Config {
            sink: name.clone(),
            key,
            problem: problem.to_string(),
        };
        if !matches!(self.url.scheme(), "http" | "https") || !self.url.has_host() {
            return Err(config_err("url", "must be an http or https URL"));
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("drawdown/", env!("CARGO_PKG_VERSION"))),
        );
        for (key, value) in &self.headers {
            let key = HeaderName::from_bytes(key.as_bytes())
                .map_err(|_| config_err("headers", "has an invalid HTTP header name"))?;
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| config_err("headers", "has an invalid HTTP header value"))?;
            value.set_sensitive(true);
            headers.insert(key, value);
        }
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(self.timeout)
            // A redirected POST turns into a GET: treat a redirect as an answer.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|source| SinkError::Client {
                url: shown.clone(),
                source,
            })?;
        Ok(WebhookSink {
            name,
            url: self.url.clone(),
            shown,
            timeout: self.timeout,
            client,
        })
    }
}

/// POSTs alerts to a URL.
pub struct WebhookSink {
    name: String,
    url: Url,
    /// `url` without credentials or query, for errors and logs.
    shown: String,
    timeout: Duration,
    client: reqwest::Client,
}

impl fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSink")
            .field("name", &self.name)
            .field("url", &self.shown)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Sink for WebhookSink {
    fn name(&self) -> &str {
        &self.name
    }

    async fn deliver(&self, alert: &Alert) -> Result<(), SinkError> {
        let body = serde_json::to_vec(alert).map_err(|source| SinkError::Encode {
            id: alert.id.clone(),
            source,
        })?;
        let sent = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_KEY, alert.id.as_str())
            .body(body)
            .send()
            .await;
        let url = || self.shown.clone();
        let response = sent.map_err(|err| {
            // Keep the full URL (with a possible token) out of the message.
            let source = err.without_url();
            if source.is_timeout() {
                SinkError::Timeout {
                    url: url(),
                    after: self.timeout,
                }
            } else if source.is_builder() {
                SinkError::Request { url: url(), source }
            } else {
                SinkError::Network { url: url(), source }
            }
        })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SinkError::Status {
                url: url(),
                status: status.as_u16(),
            })
        }
    }
}
