//! The HTTP server (axum), started by `drawdown run` on `[http] listen`: the
//! JSON API under `/api` (articles in, timeline, alerts and feeds out, the live
//! alert stream), `/healthz`, `/readyz` and the web page (`/`, `/alerts/{id}`).
//! It is a source like the drop folder: posted articles take the pipeline
//! queue, and it stops with the sources. One file per group of endpoints;
//! handlers stay thin.

pub mod articles;
pub mod auth;
pub mod error;
pub mod health;
pub mod page;
pub mod query;
pub mod stream;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::extract::Lexicon;
use crate::metrics::Metrics;
use crate::readiness::Readiness;
use crate::source::ArticleSender;
use crate::source::feed::FeedConfig;
use crate::store::Store;
use auth::TokenDigest;

/// The default address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8790";

/// The default cap on a request body: 5 MB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 5_000_000;

/// `[http]`: the server's address, token and body cap.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// `IP:PORT` to listen on; `""` turns the server off.
    #[serde(
        serialize_with = "serialize_listen",
        deserialize_with = "deserialize_listen"
    )]
    pub listen: Option<SocketAddr>,
    /// With a token, `/api/*` and the page need `Authorization: Bearer <token>`.
    /// `""` is no token. Also `DRAWDOWN_HTTP__TOKEN`.
    pub token: Option<String>,
    /// Larger request bodies are refused with 413.
    pub max_body_bytes: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: DEFAULT_LISTEN.parse().ok(),
            token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// The token never shows in logs or `{:?}`.
impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("listen", &self.listen)
            .field("token", &self.token().map(|_| "<redacted>"))
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

fn serialize_listen<S: Serializer>(
    listen: &Option<SocketAddr>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match listen {
        Some(addr) => serializer.collect_str(addr),
        None => serializer.serialize_str(""),
    }
}

fn deserialize_listen<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SocketAddr>, D::Error> {
    let text = String::deserialize(deserializer)?;
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| {
        serde::de::Error::custom(format!(
            "listen {text:?} is not IP:PORT (such as 127.0.0.1:8790 or [::1]:8790); \"\" turns the server off"
        ))
    })
}

impl HttpConfig {
    /// The token, if one is set and not empty.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref().filter(|t| !t.is_empty())
    }

    /// Every problem, each with its key path.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(addr) = self.listen {
            if !addr.ip().is_loopback() && self.token().is_none() {
                problems.push(format!(
                    "http.listen: {addr} is reachable from other machines, so set http.token (or DRAWDOWN_HTTP__TOKEN); or listen on 127.0.0.1"
                ));
            }
        }
        if let Some(token) = self.token() {
            if !token.bytes().all(|b| b.is_ascii_graphic()) {
                problems.push(
                    "http.token: use printable ASCII without spaces (it travels in an HTTP header)"
                        .to_string(),
                );
            }
        }
        if self.max_body_bytes == 0 {
            problems.push(format!(
                "http.max_body_bytes: must be above 0 bytes (default {DEFAULT_MAX_BODY_BYTES})"
            ));
        }
        problems
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(
        "cannot listen on {addr} ([http] listen): {source}; choose another address, or listen = \"\" to turn the server off"
    )]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the HTTP server stopped: {0}")]
    Serve(#[source] std::io::Error),
}

/// What the handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The pipeline queue, as the drop folder has it.
    pub articles: ArticleSender,
    /// Bumped by the pipeline each time a transaction with alerts commits.
    pub alerts_committed: watch::Receiver<u64>,
    pub readiness: Readiness,
    pub feeds: Arc<Vec<FeedConfig>>,
    /// Country names for the page.
    pub lexicon: Arc<Lexicon>,
    pub metrics: Arc<Metrics>,
    pub token: Option<TokenDigest>,
    pub max_body_bytes: usize,
    /// Ends the live streams when the server stops.
    pub shutdown: CancellationToken,
}

/// The routes. `/api/*` needs the token when one is set.
pub fn router(state: AppState) -> Router {
    let body_limit = DefaultBodyLimit::max(state.max_body_bytes);
    let api = Router::new()
        .route("/articles", post(articles::post_article))
        .route("/timeline", get(query::timeline))
        .route("/alerts", get(query::alerts))
        .route("/alerts/stream", get(stream::alert_stream))
        .route("/feeds", get(query::feeds))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    let pages = Router::new()
        .route("/", get(page::timeline_page))
        .route("/alerts/{id}", get(page::alert_page))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page::require_token,
        ));
    Router::new()
        .nest("/api", api)
        .merge(pages)
        .route("/assets/style.css", get(page::style))
        .route("/assets/live.js", get(page::live_js))
        .route("/metrics", get(health::metrics))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(error::no_route)
        .method_not_allowed_fallback(error::wrong_method)
        .layer(body_limit)
        .with_state(state)
}

/// Binds `[http] listen`; `None` when the server is off.
pub async fn bind(config: &HttpConfig) -> Result<Option<TcpListener>, HttpError> {
    let Some(addr) = config.listen else {
        return Ok(None);
    };
    TcpListener::bind(addr)
        .await
        .map(Some)
        .map_err(|source| HttpError::Bind { addr, source })
}

/// Serves on `listener` until `shutdown`; then stops accepting, ends the live
/// streams and waits for the requests in hand (a posted article is answered).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: CancellationToken,
) -> Result<(), HttpError> {
    let app = router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .map_err(HttpError::Serve)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml: &str) -> Result<HttpConfig, toml::de::Error> {
        toml::from_str(toml)
    }

    #[test]
    fn defaults_listen_on_loopback_without_a_token() {
        let config = parse("").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config, HttpConfig::default());
        assert_eq!(
            config.listen.map(|a| a.to_string()).as_deref(),
            Some(DEFAULT_LISTEN)
        );
        assert_eq!(config.token(), None);
        assert_eq!(config.max_body_bytes, 5_000_000);
        assert!(config.problems().is_empty());
    }

    #[test]
    fn an_empty_listen_turns_the_server_off() {
        let config = parse("listen = \"\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.listen, None);
    }

    #[test]
    fn a_bad_listen_says_what_to_write() {
        let err = parse("listen = \"localhost\"").err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains("IP:PORT")),
            "{err:?}"
        );
    }

    #[test]
    fn other_machines_need_a_token() {
        let open = parse("listen = \"0.0.0.0:8790\"").unwrap_or_else(|e| panic!("{e}"));
        let problems = open.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("http.listen: 0.0.0.0:8790"),
            "{problems:?}"
        );
        let empty_token =
            parse("listen = \"0.0.0.0:8790\"\ntoken = \"\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(empty_token.problems().len(), 1);
        let guarded = parse("listen = \"0.0.0.0:8790\"\ntoken = \"a-long-secret\"")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(guarded.problems().is_empty());
        let spaced = parse("token = \"two words\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spaced.problems().len(), 1);
    }

    #[test]
    fn debug_hides_the_token() {
        let config = parse("token = \"s3cret-token\"").unwrap_or_else(|e| panic!("{e}"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
