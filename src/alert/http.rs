//! The HTTP part the webhook, slack, discord and ntfy sinks share: one client
//! per sink (connections reused, no redirects followed), a POST, and the
//! mapping of answers to `SinkError` (2xx done; 429/5xx/network retried, with
//! `Retry-After` honoured; other answers not). URLs show only as
//! [`redact_url`] makes them; headers never show.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};
use url::Url;

use super::SinkError;
use crate::redact::{RedactedUrl, redact_url};

/// An HTTP receiver and the client that talks to it.
#[derive(Debug, Clone)]
pub(crate) struct HttpTarget {
    url: Url,
    /// `url` as errors may show it.
    shown: RedactedUrl,
    timeout: Duration,
    client: reqwest::Client,
}

impl HttpTarget {
    /// A client with `headers` (values marked sensitive) and `timeout`.
    pub(crate) fn new(
        url: &Url,
        timeout: Duration,
        mut headers: HeaderMap,
    ) -> Result<HttpTarget, SinkError> {
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("drawdown/", env!("CARGO_PKG_VERSION"))),
        );
        for value in headers.values_mut() {
            value.set_sensitive(true);
        }
        let shown = redact_url(url);
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(timeout)
            // A redirected POST turns into a GET: treat a redirect as an answer.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|source| SinkError::Client {
                url: shown.clone(),
                source,
            })?;
        Ok(HttpTarget {
            url: url.clone(),
            shown,
            timeout,
            client,
        })
    }

    /// The URL as errors show it.
    pub(crate) fn shown(&self) -> &RedactedUrl {
        &self.shown
    }

    /// POSTs `body` with the given per-request headers; `Ok` on 2xx.
    /// POSTs `payload` as JSON (chat and push services); `id` names the
    /// alert in an encoding error.
    pub(crate) async fn post_json(
        &self,
        payload: &serde_json::Value,
        id: &str,
    ) -> Result<(), SinkError> {
        let body = serde_json::to_vec(payload).map_err(|source| SinkError::Encode {
            id: id.to_string(),
            source,
        })?;
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        self.post(body, headers).await
    }

    pub(crate) async fn post(&self, body: Vec<u8>, headers: HeaderMap) -> Result<(), SinkError> {
        let url = || self.shown.clone();
        let response = self
            .client
            .post(self.url.clone())
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(|err| {
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
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, Utc::now()));
        match retry_after {
            Some(after) if status.as_u16() == 429 || status.is_server_error() => {
                Err(SinkError::Throttled {
                    url: url(),
                    status: status.as_u16(),
                    retry_after: after,
                })
            }
            _ => Err(SinkError::Status {
                url: url(),
                status: status.as_u16(),
            }),
        }
    }
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .map(|d| d.with_timezone(&Utc))
            .expect("date");
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
