//! The HTTP side of polling: one conditional GET with the limits of
//! `[feeds_defaults]` (total timeout, body cap enforced while reading, at most
//! N redirects followed by hand so that a permanent move is noticed), and what
//! the response says about polling again (`Retry-After`, `Cache-Control`).
//! It knows nothing of feeds' contents or of the store.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, StatusCode};
use url::Url;

use super::FeedDefaults;
use crate::redact::{RedactedUrl, redact_url};

/// The User-Agent every request carries.
pub const USER_AGENT: &str = concat!(
    "drawdown/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/drawdown/drawdown)"
);

const ACCEPT_FEEDS: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
     application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";
const ACCEPT_PAGES: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

/// Why a fetch failed. Every message names the URL (redacted: scheme, host
/// and port only, see [`crate::redact`]) and the reason.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot read {url}: timed out after {} s", .after.as_secs())]
    Timeout { url: RedactedUrl, after: Duration },
    #[error("cannot read {url}: the body is larger than the limit of {limit} bytes")]
    TooLarge { url: RedactedUrl, limit: u64 },
    #[error("cannot read {url}: more than {limit} redirects")]
    TooManyRedirects { url: RedactedUrl, limit: usize },
    #[error("cannot read {url}: redirect without a usable Location header")]
    BadRedirect { url: RedactedUrl },
    #[error(
        "cannot read {url}: it redirects from https to plain http ({to}); refused, as it would send the request unencrypted (configure the http URL yourself if you trust it)"
    )]
    InsecureRedirect { url: RedactedUrl, to: RedactedUrl },
    #[error("cannot read {url}: HTTP {status}")]
    Status {
        url: RedactedUrl,
        status: u16,
        /// `Retry-After`, when the server sent one.
        retry_after: Option<DateTime<Utc>>,
    },
    #[error("cannot read {url}: {detail}")]
    Network {
        url: RedactedUrl,
        detail: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("invalid header {name:?} for {url}")]
    BadHeader { url: RedactedUrl, name: String },
}

impl FetchError {
    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A short reason code for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Timeout { .. } => "timeout",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::TooManyRedirects { .. }
            | FetchError::BadRedirect { .. }
            | FetchError::InsecureRedirect { .. } => "redirect",
            FetchError::Status { .. } => "status",
            FetchError::Network { .. } => "network",
            FetchError::BadHeader { .. } => "config",
        }
    }
}

/// What a conditional GET returned.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// 200 (with `body`) or 304 (`body` empty).
    pub status: u16,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The URL that answered, after redirects.
    pub final_url: Url,
    /// Set when every redirect on the way was permanent (301/308): the new
    /// home. Never set for a move to another origin that cost the request its
    /// configured headers: adopting it would send them there on every poll.
    pub moved_to: Option<Url>,
    pub max_age: Option<Duration>,
    pub retry_after: Option<DateTime<Utc>>,
}

impl Fetched {
    pub fn not_modified(&self) -> bool {
        self.status == StatusCode::NOT_MODIFIED.as_u16()
    }
}

/// Validators from the last successful poll.
#[derive(Debug, Clone, Default)]
pub struct Validators<'a> {
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

/// The HTTP client shared by every feed.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: Client,
    timeout: Duration,
    max_body: u64,
    max_redirects: usize,
}

impl Fetcher {
    /// A client with the User-Agent, gzip/brotli, the connect timeout and no
    /// automatic redirects (followed by hand, see [`Fetcher::get`]).
    pub fn new(defaults: &FeedDefaults) -> Result<Fetcher, reqwest::Error> {
        let client = Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(defaults.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(defaults.per_host.max(1))
            .build()?;
        Ok(Fetcher {
            client,
            timeout: defaults.timeout,
            max_body: defaults.max_body,
            max_redirects: defaults.max_redirects,
        })
    }

    /// A conditional GET of a feed, redirects, body and all within the total timeout.
    pub async fn get_feed(
        &self,
        url: &Url,
        validators: &Validators<'_>,
        headers: &BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> Result<Fetched, FetchError> {
        let mut extra = HeaderMap::new();
        extra.insert(header::ACCEPT, HeaderValue::from_static(ACCEPT_FEEDS));
        for (name, value) in headers {
            let bad = || FetchError::BadHeader {
                url: redact_url(url),
                name: name.clone(),
            };
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
            let value = HeaderValue::from_str(value).map_err(|_| bad())?;
            extra.insert(name, value);
        }
        if let Some(etag) = validators.etag.and_then(|v| HeaderValue::from_str(v).ok()) {
            extra.insert(header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = validators
            .last_modified
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            extra.insert(header::IF_MODIFIED_SINCE, lm);
        }
        self.timed(url, self.get(url, extra, now)).await
    }

    /// A plain GET of a web page (a summary-only item's link), same limits.
    pub async fn get_page(&self, url: &Url, now: DateTime<Utc>) -> Result<Fetched, FetchError> {
        let mut extra = HeaderMap::new();
        extra.insert(header::ACCEPT, HeaderValue::from_static(ACCEPT_PAGES));
        self.timed(url, self.get(url, extra, now)).await
    }

    async fn timed(
        &self,
        url: &Url,
        fetch: impl Future<Output = Result<Fetched, FetchError>>,
    ) -> Result<Fetched, FetchError> {
        match tokio::time::timeout(self.timeout, fetch).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                url: redact_url(url),
                after: self.timeout,
            }),
        }
    }

    /// Follows redirects by hand. A hop to another origin (scheme, host or
    /// port) carries only `Accept`: a feed's configured headers (an
    /// `Authorization`, an API key) and the validators are for the server they
    /// were configured for. A hop from https to http is refused.
    async fn get(
        &self,
        start: &Url,
        mut headers: HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<Fetched, FetchError> {
        let mut url = start.clone();
        let mut all_permanent = true;
        let mut dropped_headers = false;
        let mut hops = 0;
        loop {
            let response = self
                .client
                .get(url.clone())
                .headers(headers.clone())
                .send()
                .await
                .map_err(|source| network(&url, source))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                hops += 1;
                if hops > self.max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        url: redact_url(start),
                        limit: self.max_redirects,
                    });
                }
                let next = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|loc| url.join(loc).ok())
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| FetchError::BadRedirect {
                        url: redact_url(&url),
                    })?;
                refuse_downgrade(&url, &next)?;
                if next.origin() != url.origin() {
                    let before = headers.len();
                    headers = only_accept(&headers);
                    if headers.len() < before {
                        dropped_headers = true;
                        tracing::debug!(
                            from = url.host_str().unwrap_or("?"),
                            to = next.host_str().unwrap_or("?"),
                            "redirect to another origin: configured headers not sent there"
                        );
                    }
                }
                all_permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                url = next;
                continue;
            }
            if hops > 0 && all_permanent && dropped_headers {
                tracing::warn!(
                    to = url.host_str().unwrap_or("?"),
                    "the feed moved permanently to another origin; its configured headers are not sent there, and the move is not adopted: update the feed's url and headers in the configuration"
                );
            }
            let moved_to = (hops > 0 && all_permanent && !dropped_headers).then(|| url.clone());
            let headers = response.headers();
            let retry_after = headers
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry_after(v, now));
            let max_age = headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .and_then(max_age);
            let text = |name| {
                headers
                    .get(name)
                    .and_then(|v: &HeaderValue| v.to_str().ok())
                    .map(str::to_string)
            };
            let etag = text(header::ETAG);
            let last_modified = text(header::LAST_MODIFIED);
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched {
                    status: status.as_u16(),
                    body: Vec::new(),
                    etag,
                    last_modified,
                    final_url: url,
                    moved_to,
                    max_age,
                    retry_after,
                });
            }
            if !status.is_success() {
                return Err(FetchError::Status {
                    url: redact_url(&url),
                    status: status.as_u16(),
                    retry_after,
                });
            }
            let body = self.read_body(&url, response).await?;
            return Ok(Fetched {
                status: status.as_u16(),
                body,
                etag,
                last_modified,
                final_url: url,
                moved_to,
                max_age,
                retry_after,
            });
        }
    }

    /// Reads the body chunk by chunk, stopping as soon as it passes the cap
    /// (a lying or missing Content-Length changes nothing).
    async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, FetchError> {
        let too_large = || FetchError::TooLarge {
            url: redact_url(url),
            limit: self.max_body,
        };
        if response.content_length().is_some_and(|n| n > self.max_body) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|source| network(url, source))?
        {
            if (body.len() + chunk.len()) as u64 > self.max_body {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

fn network(url: &Url, source: reqwest::Error) -> FetchError {
    let detail = if source.is_connect() {
        "cannot connect".to_string()
    } else if source.is_timeout() {
        "timed out".to_string()
    } else if source.is_body() || source.is_decode() {
        "the body broke off".to_string()
    } else {
        "request failed".to_string()
    };
    let detail = match std::error::Error::source(&source) {
        Some(cause) => format!("{detail} ({cause})"),
        None => detail,
    };
    FetchError::Network {
        url: redact_url(url),
        detail,
        // reqwest's own message names the whole URL.
        source: source.without_url(),
    }
}

/// `Retry-After`: seconds, or an HTTP date.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return chrono::Duration::from_std(Duration::from_secs(secs))
            .ok()
            .and_then(|d| now.checked_add_signed(d));
    }
    DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// `Cache-Control: max-age=N` (`s-maxage` too); `no-cache`/`no-store` give none.
pub fn max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|directive| {
        let (key, secs) = directive.trim().split_once('=')?;
        if key.eq_ignore_ascii_case("max-age") || key.eq_ignore_ascii_case("s-maxage") {
            secs.trim()
                .trim_matches('"')
                .parse()
                .ok()
                .map(Duration::from_secs)
        } else {
            None
        }
    })
}

/// A redirect from https to plain http would send the request (and what the
/// server answers) unencrypted: refused.
fn refuse_downgrade(from: &Url, to: &Url) -> Result<(), FetchError> {
    if from.scheme() == "https" && to.scheme() == "http" {
        return Err(FetchError::InsecureRedirect {
            url: redact_url(from),
            to: redact_url(to),
        });
    }
    Ok(())
}

/// The headers a request may carry to an origin it was not configured for.
fn only_accept(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    if let Some(accept) = headers.get(header::ACCEPT) {
        kept.insert(header::ACCEPT, accept.clone());
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("max-age=3600", Some(3600))]
    #[case("public, max-age=600, must-revalidate", Some(600))]
    #[case("no-cache", None)]
    #[case("max-age=soon", None)]
    fn cache_control(#[case] value: &str, #[case] want: Option<u64>) {
        assert_eq!(max_age(value), want.map(Duration::from_secs));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        assert_eq!(
            retry_after("120", now),
            DateTime::from_timestamp(1_700_000_120, 0)
        );
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            DateTime::from_timestamp(1_445_412_480, 0)
        );
        assert_eq!(retry_after("later", now), None);
    }

    #[test]
    fn user_agent_names_version_and_project() {
        assert!(USER_AGENT.starts_with("drawdown/"));
        assert!(USER_AGENT.contains("(+https://github.com/drawdown/drawdown)"));
    }

    mod redirects {
        use super::super::*;
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        const RSS: &str =
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>"#;

        fn configured() -> BTreeMap<String, String> {
            BTreeMap::from([
                ("Authorization".to_string(), "Bearer s3cret".to_string()),
                ("X-Api-Key".to_string(), "k3y".to_string()),
            ])
        }

        fn fetcher() -> Fetcher {
            Fetcher::new(&FeedDefaults::default()).unwrap_or_else(|e| panic!("client: {e}"))
        }

        async fn redirecting(to: &str, status: u16) -> MockServer {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path("/feed.rss"))
                .respond_with(ResponseTemplate::new(status).insert_header("Location", to))
                .mount(&server)
                .await;
            server
        }

        async fn serving() -> MockServer {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path("/new.rss"))
                .respond_with(ResponseTemplate::new(200).set_body_string(RSS))
                .mount(&server)
                .await;
            server
        }

        async fn received_header(server: &MockServer, name: &str) -> Vec<Option<String>> {
            server
                .received_requests()
                .await
                .unwrap_or_default()
                .iter()
                .map(|r| {
                    r.headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                })
                .collect()
        }

        fn url(s: &str) -> Url {
            Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
        }

        #[tokio::test]
        async fn configured_headers_never_follow_a_redirect_to_another_origin() {
            let other = serving().await;
            // 127.0.0.1 on another port is another origin.
            let first = redirecting(&format!("{}/new.rss", other.uri()), 301).await;
            let fetched = fetcher()
                .get_feed(
                    &url(&format!("{}/feed.rss", first.uri())),
                    &Validators {
                        etag: Some("\"v1\""),
                        last_modified: None,
                    },
                    &configured(),
                    Utc::now(),
                )
                .await
                .unwrap_or_else(|e| panic!("fetch: {e}"));
            assert_eq!(fetched.status, 200);
            // The first server got the credentials it was configured with...
            assert_eq!(
                received_header(&first, "authorization").await,
                vec![Some("Bearer s3cret".to_string())]
            );
            // ...the other origin none of them, nor the validators.
            for name in ["authorization", "x-api-key", "if-none-match"] {
                assert_eq!(received_header(&other, name).await, vec![None], "{name}");
            }
            assert!(received_header(&other, "accept").await[0].is_some());
            // And the move is not adopted, or every later poll would start there
            // with the credentials.
            assert_eq!(fetched.moved_to, None);
        }

        #[tokio::test]
        async fn a_redirect_on_the_same_origin_keeps_the_headers_and_the_move() {
            let server = serving().await;
            Mock::given(method("GET"))
                .and(path("/feed.rss"))
                .respond_with(
                    ResponseTemplate::new(301)
                        .insert_header("Location", format!("{}/new.rss", server.uri()).as_str()),
                )
                .mount(&server)
                .await;
            let fetched = fetcher()
                .get_feed(
                    &url(&format!("{}/feed.rss", server.uri())),
                    &Validators::default(),
                    &configured(),
                    Utc::now(),
                )
                .await
                .unwrap_or_else(|e| panic!("fetch: {e}"));
            assert_eq!(
                received_header(&server, "x-api-key").await,
                vec![Some("k3y".to_string()), Some("k3y".to_string())]
            );
            assert_eq!(
                fetched.moved_to.map(|u| u.path().to_string()),
                Some("/new.rss".to_string())
            );
        }

        #[tokio::test]
        async fn a_move_without_configured_headers_is_still_adopted_across_origins() {
            let other = serving().await;
            let first = redirecting(&format!("{}/new.rss", other.uri()), 308).await;
            let fetched = fetcher()
                .get_feed(
                    &url(&format!("{}/feed.rss", first.uri())),
                    &Validators::default(),
                    &BTreeMap::new(),
                    Utc::now(),
                )
                .await
                .unwrap_or_else(|e| panic!("fetch: {e}"));
            assert_eq!(
                fetched.moved_to.map(|u| u.port()),
                Some(url(&other.uri()).port())
            );
        }

        #[rstest::rstest]
        #[case("https://a.example/f", "http://a.example/f", true)]
        #[case("https://a.example/f", "http://b.example/f", true)]
        #[case("https://a.example/f", "https://b.example/f", false)]
        #[case("http://a.example/f", "https://a.example/f", false)]
        #[case("http://a.example/f", "http://b.example/f", false)]
        fn https_to_http_is_refused(#[case] from: &str, #[case] to: &str, #[case] refused: bool) {
            let result = refuse_downgrade(&url(from), &url(to));
            assert_eq!(result.is_err(), refused, "{from} -> {to}: {result:?}");
            if let Err(e) = result {
                assert_eq!(e.kind(), "redirect");
                assert!(e.to_string().contains("from https to plain http"), "{e}");
            }
        }
    }
}
