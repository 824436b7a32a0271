//! How a URL appears wherever people or other programs may read it (log lines,
//! error texts kept in the store, `Debug` output): [`redact_url`], the one
//! function feeds and sinks share. It keeps the scheme, the host and a port
//! that is not the scheme's default; everything after them becomes `/…`.
//!
//! Why nothing of the path survives: credentials hide in every part after the
//! host. `user:password@` and `?api_key=` are the obvious ones, but Slack and
//! Discord webhooks, ntfy topics, many home-made webhooks (`/hooks/<token>`)
//! and private feeds (`/feed/<token>.rss`) carry their token in the path, and
//! no rule tells a token from a folder name (`/hook/s3cret` looks like either).
//! Feeds on one host are told apart by `drawdown feeds`, which lists each
//! configured URL with its state and last error.

use std::fmt;

use url::Url;

/// A URL with everything after the host replaced by `/…`: safe to log, to
/// keep in an error message and to store. Built only by [`redact_url`], so an
/// error field of this type can never hold the URL as configured.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedactedUrl(String);

impl RedactedUrl {
    /// The redacted text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// `scheme://host[:port]/…`: no user or password, no path, query or fragment
/// (`/` alone when the URL has none of them). A URL without a host (`mailto:`,
/// `data:`) shows as `scheme:…`.
pub fn redact_url(url: &Url) -> RedactedUrl {
    let Some(host) = url.host_str() else {
        return RedactedUrl(format!("{}:…", url.scheme()));
    };
    // `port()` is `None` for the scheme's default port.
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let rest = url.path() != "/" || url.query().is_some() || url.fragment().is_some();
    let tail = if rest { "/…" } else { "/" };
    RedactedUrl(format!("{}://{host}{port}{tail}", url.scheme()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        "https://user:pw@example.org/hook?token=abc#x",
        "https://example.org/…"
    )]
    #[case("http://127.0.0.1:9000/hooks/s3cret", "http://127.0.0.1:9000/…")]
    #[case(
        "https://hooks.slack.com/services/T0/B0/XXXX",
        "https://hooks.slack.com/…"
    )]
    #[case("https://ntfy.sh/private-topic", "https://ntfy.sh/…")]
    #[case(
        "https://feeds.example.org:443/world.rss",
        "https://feeds.example.org/…"
    )]
    #[case("https://example.org/?api_key=SECRET", "https://example.org/…")]
    #[case("https://u:p@example.org", "https://example.org/")]
    #[case("http://[::1]:8080/feed", "http://[::1]:8080/…")]
    #[case("mailto:someone@example.org", "mailto:…")]
    fn only_scheme_host_and_port_show(#[case] url: &str, #[case] shown: &str) {
        let url = Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(redact_url(&url).to_string(), shown);
        assert_eq!(format!("{:?}", redact_url(&url)), format!("{shown:?}"));
    }
}
