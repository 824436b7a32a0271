//! The webhook sink: POSTs the alert JSON to a URL with an `Idempotency-Key`
//! (the alert id) so a receiver can drop a retried duplicate, and, with a
//! `secret`, an HMAC-SHA256 signature a receiver can verify (see
//! [`signature`]). 2xx is done; 429, 5xx, timeouts and network errors are
//! retried by the delivery worker; other answers are not. Header values and
//! the secret are never logged. With `digest = "10m"` one POST per window
//! carries the alerts of the window ([`super::digest_json`]), keyed by
//! [`super::digest_id`].

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use url::Url;

use super::filter::SinkFilter;
use super::http::HttpTarget;
use super::{Sink, SinkError, secret_from};
use crate::model::Alert;
use crate::redact::redact_url;

/// The header carrying the alert id.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// The header carrying the unix time (seconds) the signature was made at.
pub const TIMESTAMP_HEADER: &str = "X-Drawdown-Timestamp";
/// The header carrying `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub const SIGNATURE_HEADER: &str = "X-Drawdown-Signature";

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
    /// Signs each request with HMAC-SHA256 (see [`signature`]).
    #[serde(default)]
    pub secret: Option<String>,
    /// The environment variable holding the secret, instead of `secret`.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Which alerts this sink wants.
    #[serde(default)]
    pub filter: SinkFilter,
    /// One POST per window (`"10m"`) with the alerts of the window (see
    /// [`super::digest_json`]), instead of one per alert.
    #[serde(default, with = "humantime_serde")]
    pub digest: Option<Duration>,
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.keys().map(String::as_str).collect();
        f.debug_struct("WebhookConfig")
            .field("name", &self.name)
            .field("url", &redact_url(&self.url))
            .field("headers", &headers)
            .field("timeout", &self.timeout)
            .field("secret", &self.secret.as_ref().map(|_| "<hidden>"))
            .field("secret_env", &self.secret_env)
            .field("filter", &self.filter)
            .field("digest", &self.digest)
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
        if self.secret.is_some() && self.secret_env.is_some() {
            problems.push(format!(
                "{key}.secret_env: give secret or secret_env, not both"
            ));
        }
        if self.secret.as_deref().is_some_and(str::is_empty) {
            problems.push(format!("{key}.secret: must not be empty"));
        }
        if self.digest.is_some_and(|d| d.is_zero()) {
            problems.push(format!("{key}.digest: must be longer than 0 s"));
        }
        problems.extend(self.filter.validate(key));
        problems
    }

    /// Builds the sink and its HTTP client (once; connections are reused).
    /// Reads `secret_env` here, once.
    pub fn build(&self, name: String) -> Result<WebhookSink, SinkError> {
        let config_err = |key, problem: &str| SinkError::Config {
            sink: name.clone(),
            key,
            problem: problem.to_string(),
        };
        let url = &self.url;
        if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
            return Err(config_err("url", "must be an http or https URL"));
        }
        let mut headers = HeaderMap::new();
        for (key, value) in &self.headers {
            let key = HeaderName::from_bytes(key.as_bytes())
                .map_err(|_| config_err("headers", "has an invalid HTTP header name"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| config_err("headers", "has an invalid HTTP header value"))?;
            headers.insert(key, value);
        }
        let secret = secret_from(&name, "secret", &self.secret, &self.secret_env)?;
        let target = HttpTarget::new(url, self.timeout, headers)?;
        Ok(WebhookSink {
            name,
            target,
            secret,
            filter: self.filter.clone(),
            digest: self.digest,
        })
    }
}

/// POSTs alerts to a URL.
pub struct WebhookSink {
    name: String,
    target: HttpTarget,
    secret: Option<String>,
    filter: SinkFilter,
    digest: Option<Duration>,
}

impl fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSink")
            .field("name", &self.name)
            .field("url", &self.target.shown())
            .field("signed", &self.secret.is_some())
            .finish_non_exhaustive()
    }
}

/// The signature header value for `body` sent at unix second `timestamp`:
/// `sha256=` and the lowercase hex of HMAC-SHA256 keyed with the secret's
/// UTF-8 bytes over `"<timestamp>.<body>"` (the decimal timestamp, a dot, the
/// raw body bytes). A receiver recomputes it from the `X-Drawdown-Timestamp`
/// header and the raw body, compares in constant time, and rejects timestamps
/// more than a few minutes old (replays).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[async_trait::async_trait]
impl Sink for WebhookSink {
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
        let body = serde_json::to_vec(alert).map_err(|source| SinkError::Encode {
            id: alert.id.clone(),
            source,
        })?;
        self.post(body, &alert.id).await
    }

    /// One POST of [`super::digest_json`], keyed by [`super::digest_id`].
    async fn deliver_digest(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        let window = self.digest.unwrap_or_default();
        let id = super::digest_id(alerts);
        let body = serde_json::to_vec(&super::digest_json(alerts, window)).map_err(|source| {
            SinkError::Encode {
                id: id.clone(),
                source,
            }
        })?;
        self.post(body, &id).await
    }
}

impl WebhookSink {
    /// POSTs a JSON `body` with `Idempotency-Key: key` and, with a secret,
    /// the signature headers.
    async fn post(&self, body: Vec<u8>, key: &str) -> Result<(), SinkError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let bad_id = |_| SinkError::Config {
            sink: self.name.clone(),
            key: "id",
            problem: format!("alert id {key:?} is not a valid header value"),
        };
        headers.insert(IDEMPOTENCY_KEY, HeaderValue::from_str(key).map_err(bad_id)?);
        if let Some(secret) = &self.secret {
            let now = chrono::Utc::now().timestamp();
            headers.insert(TIMESTAMP_HEADER, HeaderValue::from(now));
            let signed = signature(secret, now, &body);
            // Hex and "sha256=": always a valid header value.
            if let Ok(value) = HeaderValue::from_str(&signed) {
                headers.insert(SIGNATURE_HEADER, value);
            }
        }
        self.target.post(body, headers).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_vector() {
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"key",b"1700000000.{}",hashlib.sha256).hexdigest())'
        assert_eq!(
            signature("key", 1_700_000_000, b"{}"),
            format!(
                "sha256={}",
                "9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
            )
        );
    }
}
