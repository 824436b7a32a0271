//! Feeds against real local HTTP servers (wiremock on 127.0.0.1, and a raw
//! TCP server where wiremock cannot misbehave enough): conditional GET,
//! Retry-After, backoff, redirects, 410, limits, parsing, identity, summary
//! pages, syndication, and the seed story served as RSS through the real
//! service. No paused time here: every test talks to a real socket.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use drawdown::config::Config;
use drawdown::metrics::{FEED_EVENTS, FEED_ITEMS, FEED_PAGES, FEED_POLLS, Metrics};
use drawdown::model::Article;
use drawdown::service;
use drawdown::source::article_file::parse_article;
use drawdown::source::feed::{FeedConfig, FeedDefaults, FeedPoller, PollReport};
use drawdown::source::{ArticleSender, Incoming, Processed};
use drawdown::store::{FeedState, SqliteStore, Store, StoreConfig};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LIMIT: Duration = Duration::from_secs(30);

fn fixture(name: &str) -> Vec<u8> {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds")
        .join(name);
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// A poller on a fresh SQLite store, and the articles it hands over.
struct Rig {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    poller: FeedPoller,
    out: ArticleSender,
    articles: Arc<Mutex<Vec<Article>>>,
    metrics: Arc<Metrics>,
}

impl Rig {
    async fn new(defaults: FeedDefaults) -> Rig {
        Rig::with_pipeline(defaults, false).await
    }

    /// With `pipeline`, articles go through the real pipeline (extract, diff,
    /// store); else they are only collected and acknowledged.
    async fn with_pipeline(defaults: FeedDefaults, pipeline: bool) -> Rig {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let sqlite = SqliteStore::open(&StoreConfig {
            path: dir.path().join("drawdown.db"),
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let store: Arc<dyn Store> = Arc::new(sqlite.clone());
        let metrics = Arc::new(Metrics::new());
        let poller = FeedPoller::new(defaults, store.clone(), metrics.clone())
            .unwrap_or_else(|e| panic!("{e}"));
        let (out, mut rx) = mpsc::channel::<Incoming>(4);
        let articles = Arc::new(Mutex::new(Vec::new()));
        let seen = articles.clone();
        let mut parts = if pipeline {
            let config = Config::default();
            Some(
                service::build_parts(&config, sqlite)
                    .await
                    .unwrap_or_else(|e| panic!("{e}")),
            )
        } else {
            None
        };
        tokio::spawn(async move {
            while let Some(incoming) = rx.recv().await {
                let answer = match parts.as_mut() {
                    Some(parts) => match parts.pipeline.process(&incoming.article).await {
                        Ok(o) if o.duplicate => Processed::Duplicate,
                        Ok(o) => Processed::Stored {
                            claims: o.claims.len(),
                            alerts: o.alerts.len(),
                        },
                        Err(e) => Processed::Failed(e.to_string()),
                    },
                    None => Processed::Stored {
                        claims: 0,
                        alerts: 0,
                    },
                };
                seen.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(incoming.article);
                if let Some(done) = incoming.done {
                    let _ignored = done.send(answer);
                }
            }
        });
        Rig {
            _dir: dir,
            store,
            poller,
            out: out.into(),
            articles,
            metrics,
        }
    }

    async fn poll(
        &self,
        feed: &FeedConfig,
        state: &mut FeedState,
        now: DateTime<Utc>,
    ) -> PollReport {
        let token = CancellationToken::new();
        tokio::time::timeout(LIMIT, self.poller.poll(feed, state, now, &self.out, &token))
            .await
            .unwrap_or_else(|_| panic!("poll of {} hung", feed.url))
    }

    fn articles(&self) -> Vec<Article> {
        self.articles
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

fn feed(u: &str, interval: Duration) -> (FeedConfig, FeedState) {
    let mut config = FeedConfig::new(url(u));
    config.interval = interval;
    let state = FeedState {
        url: config.url.to_string(),
        ..FeedState::default()
    };
    (config, state)
}

fn wait_of(state: &FeedState, now: DateTime<Utc>) -> Duration {
    let next = state
        .next_poll_at
        .unwrap_or_else(|| panic!("no next poll in {state:?}"));
    (next - now).to_std().unwrap_or(Duration::ZERO)
}

fn rss(body: &[u8]) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/rss+xml")
}

#[tokio::test]
async fn conditional_get_second_poll_is_304_and_nothing_is_reprocessed_even_after_restart() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/world.rss"))
        .and(header("If-None-Match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/world.rss"))
        .respond_with(
            rss(&fixture("entities-cdata.rss"))
                .insert_header("ETag", "\"v1\"")
                .insert_header("Last-Modified", "Tue, 17 Sep 2024 08:00:00 GMT"),
        )
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let (config, mut state) = feed(
        &format!("{}/world.rss", server.uri()),
        Duration::from_secs(900),
    );
    let now = Utc::now();

    let first = rig.poll(&config, &mut state, now).await;
    assert_eq!(
        (first.status, first.processed, first.error.clone()),
        (Some(200), 1, None)
    );
    assert_eq!(state.etag.as_deref(), Some("\"v1\""));
    let second = rig.poll(&config, &mut state, now).await;
    assert!(second.not_modified, "{second:?}");
    assert_eq!(second.processed, 0);

    // A restart: a new poller that only has the store.
    let restarted = FeedPoller::new(
        FeedDefaults::default(),
        rig.store.clone(),
        rig.metrics.clone(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut stored = rig
        .store
        .feed_states()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(mut state) = stored.pop() else {
        panic!("no stored state")
    };
    let token = CancellationToken::new();
    let third = restarted
        .poll(&config, &mut state, now, &rig.out, &token)
        .await;
    assert!(third.not_modified, "{third:?}");
    assert_eq!(rig.articles().len(), 1);
    assert_eq!(rig.metrics.get(FEED_POLLS, &[("status", "304")]), 2);

    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 3);
    let ua = requests[0]
        .headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        ua.starts_with("drawdown/") && ua.contains("github.com/drawdown/drawdown"),
        "{ua}"
    );
    assert_eq!(
        requests[2]
            .headers
            .get("if-modified-since")
            .and_then(|v| v.to_str().ok()),
        Some("Tue, 17 Sep 2024 08:00:00 GMT")
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "120"))
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let (config, mut state) = feed(&format!("{}/f.rss", server.uri()), Duration::from_secs(2));
    let now = Utc::now();
    let report = rig.poll(&config, &mut state, now).await;
    assert_eq!(report.status, Some(503));
    assert!(
        wait_of(&state, now) >= Duration::from_secs(120),
        "{state:?}"
    );
    assert_eq!(state.consecutive_errors, 1);
    let error = state.last_error.clone().unwrap_or_default();
    assert!(
        // The feed's host and port, never its path (see src/redact.rs).
        error.contains("HTTP 503") && error.contains(&format!("{}/…", server.uri())),
        "{error}"
    );
}

#[tokio::test]
async fn backoff_grows_and_recovers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(rss(&fixture("entities-cdata.rss")))
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let interval = Duration::from_secs(60);
    let (config, mut state) = feed(&format!("{}/f.rss", server.uri()), interval);
    let now = Utc::now();
    let mut waits = Vec::new();
    for _ in 0..3 {
        rig.poll(&config, &mut state, now).await;
        waits.push(wait_of(&state, now));
    }
    assert_eq!(state.consecutive_errors, 3);
    assert!(
        waits[0] >= interval * 2 && waits[1] >= interval * 4 && waits[2] >= interval * 8,
        "{waits:?}"
    );
    assert!(waits.windows(2).all(|w| w[1] > w[0]), "{waits:?}");
    let report = rig.poll(&config, &mut state, now).await;
    assert_eq!(report.error, None);
    assert_eq!(
        (state.consecutive_errors, state.last_error.clone()),
        (0, None)
    );
    let wait = wait_of(&state, now);
    assert!(
        wait >= interval && wait <= interval + interval / 10,
        "{wait:?}"
    );
}

#[tokio::test]
async fn a_permanent_redirect_moves_the_feed_and_a_temporary_one_does_not() {
    let server = MockServer::start().await;
    Mock::given(path("/old.rss"))
        .respond_with(ResponseTemplate::new(301).insert_header("Location", "/new.rss"))
        .mount(&server)
        .await;
    Mock::given(path("/tmp.rss"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/new.rss"))
        .mount(&server)
        .await;
    Mock::given(path("/new.rss"))
        .respond_with(rss(&fixture("entities-cdata.rss")))
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let now = Utc::now();
    let (config, mut state) = feed(
        &format!("{}/old.rss", server.uri()),
        Duration::from_secs(60),
    );
    rig.poll(&config, &mut state, now).await;
    assert_eq!(state.current_url, Some(format!("{}/new.rss", server.uri())));
    assert_eq!(rig.metrics.get(FEED_EVENTS, &[("event", "moved")]), 1);
    rig.poll(&config, &mut state, now).await;
    let old_hits = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/old.rss")
        .count();
    assert_eq!(old_hits, 1, "the old URL was polled again");

    let (config, mut state) = feed(
        &format!("{}/tmp.rss", server.uri()),
        Duration::from_secs(60),
    );
    let report = rig.poll(&config, &mut state, now).await;
    assert_eq!((report.status, report.error), (Some(200), None));
    assert_eq!(state.current_url, None);
}

#[tokio::test]
async fn too_many_redirects_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(path("/loop.rss"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/loop.rss"))
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let (config, mut state) = feed(
        &format!("{}/loop.rss", server.uri()),
        Duration::from_secs(60),
    );
    let report = rig.poll(&config, &mut state, Utc::now()).await;
    assert!(
        report
            .error
            .unwrap_or_default()
            .contains("more than 5 redirects")
    );
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        6
    );
}

#[tokio::test]
async fn gone_disables_the_feed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(410))
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let (config, mut state) = feed(
        &format!("{}/gone.rss", server.uri()),
        Duration::from_secs(60),
    );
    rig.poll(&config, &mut state, Utc::now()).await;
    assert!(
        state
            .disabled
            .as_deref()
            .unwrap_or_default()
            .starts_with("410 Gone"),
        "{state:?}"
    );
    let stored = rig
        .store
        .feed_states()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(stored[0].disabled.is_some());
}

#[tokio::test]
async fn an_oversized_body_is_cut_off_with_or_without_content_length() {
    let defaults = FeedDefaults {
        max_body: 2_000,
        ..FeedDefaults::default()
    };
    let rig = Rig::new(defaults).await;
    let big = vec![b'x'; 50_000];

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rss(&big))
        .mount(&server)
        .await;
    let (config, mut state) = feed(
        &format!("{}/big.rss", server.uri()),
        Duration::from_secs(60),
    );
    let report = rig.poll(&config, &mut state, Utc::now()).await;
    assert!(
        report
            .error
            .unwrap_or_default()
            .contains("larger than the limit of 2000 bytes")
    );

    // Chunked, no Content-Length: the cap must hold while streaming.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ignored = socket.read(&mut buf).await;
            let _ignored = socket
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await;
            let chunk = format!("400\r\n{}\r\n", "y".repeat(0x400));
            // Endless: only the client's cap ends it.
            while socket.write_all(chunk.as_bytes()).await.is_ok() {}
        }
    });
    let (config, mut state) = feed(
        &format!("http://{addr}/endless.rss"),
        Duration::from_secs(60),
    );
    let report = rig.poll(&config, &mut state, Utc::now()).await;
    assert!(
        report
            .error
            .unwrap_or_default()
            .contains("larger than the limit"),
        "{state:?}"
    );
}

#[tokio::test]
async fn a_slow_server_is_timed_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rss(&fixture("entities-cdata.rss")).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let defaults = FeedDefaults {
        timeout: Duration::from_secs(1),
        ..FeedDefaults::default()
    };
    let rig = Rig::new(defaults).await;
    let (config, mut state) = feed(
        &format!("{}/slow.rss", server.uri()),
        Duration::from_secs(60),
    );
    let started = std::time::Instant::now();
    let report = rig.poll(&config, &mut state, Utc::now()).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    let error = report.error.unwrap_or_default();
    assert!(
        error.contains("timed out after 1 s") && error.contains(&format!("{}/…", server.uri())),
        "{error}"
    );
    assert_eq!(rig.metrics.get(FEED_POLLS, &[("status", "timeout")]), 1);
}

#[tokio::test]
async fn malformed_xml_is_a_feed_error_not_a_crash() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rss(&fixture("malformed.rss")))
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let (config, mut state) = feed(
        &format!("{}/bad.rss", server.uri()),
        Duration::from_secs(60),
    );
    let report = rig.poll(&config, &mut state, Utc::now()).await;
    assert!(
        report
            .error
            .unwrap_or_default()
            .contains("cannot parse the feed"),
        "{state:?}"
    );
    assert_eq!(state.consecutive_errors, 1);
    assert!(rig.articles().is_empty());
}

#[tokio::test]
async fn html_entities_and_cdata_become_plain_text() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rss(&fixture("entities-cdata.rss")))
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let (config, mut state) = feed(&format!("{}/f.rss", server.uri()), Duration::from_secs(60));
    rig.poll(&config, &mut state, Utc::now()).await;
    let [article] = rig
        .articles()
        .try_into()
        .unwrap_or_else(|a: Vec<Article>| panic!("{a:?}"));
    assert_eq!(
        article.title,
        "Coalition & Iraq agree on the \u{201c}final\u{201d} exit"
    );
    assert!(
        article.text.contains("leave én masse by the end of 2026"),
        "{}",
        article.text
    );
    assert!(
        article.text.contains("on Tuesday – the first time"),
        "{}",
        article.text
    );
    assert!(
        article.text.contains("\n\nThe statement said"),
        "{}",
        article.text
    );
    assert_eq!(article.source.as_deref(), Some("Tagus Wire & Partners"));
    assert_eq!(article.published.to_string(), "2024-09-17");
    assert_eq!(
        article.url.as_deref(),
        Some("https://tagus.example/world/exit?utm_source=rss&utm_medium=feed")
    );
}

#[tokio::test]
async fn an_atom_feed_and_a_json_feed_oldest_first() {
    let server = MockServer::start().await;
    Mock::given(path("/world.atom"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("coalition.atom"), "application/atom+xml"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/feed.json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("coalition.json"), "application/feed+json"),
        )
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let now = Utc::now();
    let (config, mut state) = feed(
        &format!("{}/world.atom", server.uri()),
        Duration::from_secs(60),
    );
    let report = rig.poll(&config, &mut state, now).await;
    assert_eq!(report.processed, 2, "{report:?}");
    let (config, mut state) = feed(
        &format!("{}/feed.json", server.uri()),
        Duration::from_secs(60),
    );
    let report = rig.poll(&config, &mut state, now).await;
    assert_eq!(report.processed, 1, "{report:?}");

    let articles = rig.articles();
    let titles: Vec<&str> = articles.iter().map(|a| a.title.as_str()).collect();
    // The Atom feed lists the newest first; the older one is processed first.
    assert_eq!(
        titles,
        [
            "Earlier: talks resume",
            "Second phase of the pull-out set for 2026",
            "Coalition timetable: what we know"
        ]
    );
    // Relative links resolve against the feed URL.
    assert_eq!(
        articles[1].url,
        Some(format!("{}/world/4411", server.uri()))
    );
    assert_eq!(articles[2].source.as_deref(), Some("Gulf Dispatch"));
    assert_eq!(articles[2].published.to_string(), "2024-09-11");
    assert!(articles[2].text.contains("September 2026"));
}

#[tokio::test]
async fn items_without_guid_or_link_get_stable_ids() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rss(&fixture("no-guids.rss")))
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let (config, mut state) = feed(
        &format!("{}/ministry.rss", server.uri()),
        Duration::from_secs(60),
    );
    let now = Utc::now();
    let first = rig.poll(&config, &mut state, now).await;
    assert_eq!(first.processed, 2, "{first:?}");
    // No validators: the server sends everything again; nothing is new.
    let second = rig.poll(&config, &mut state, now).await;
    assert_eq!((second.processed, second.known), (0, 2), "{second:?}");
    let titles: Vec<String> = rig.articles().into_iter().map(|a| a.title).collect();
    assert!(
        titles[1].starts_with("Untitled notice: the ministry's press office"),
        "{titles:?}"
    );
}

#[tokio::test]
async fn an_edited_item_is_processed_again_and_the_same_link_elsewhere_is_not() {
    let edited = String::from_utf8(fixture("entities-cdata.rss"))
        .unwrap_or_default()
        .replace("by the end of 2026", "by September 2026");
    let server = MockServer::start().await;
    Mock::given(path("/a.rss"))
        .respond_with(rss(&fixture("entities-cdata.rss")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/a.rss"))
        .respond_with(rss(edited.as_bytes()))
        .mount(&server)
        .await;
    // Another feed carrying the same story under a tracking-decorated link and another GUID.
    let elsewhere = String::from_utf8(fixture("entities-cdata.rss"))
        .unwrap_or_default()
        .replace("tagus-2024-0917", "aggregator-99")
        .replace(
            "utm_source=rss&amp;utm_medium=feed",
            "utm_campaign=x#comments",
        );
    Mock::given(path("/b.rss"))
        .respond_with(rss(elsewhere.as_bytes()))
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let now = Utc::now();
    let (a, mut a_state) = feed(&format!("{}/a.rss", server.uri()), Duration::from_secs(60));
    let (b, mut b_state) = feed(&format!("{}/b.rss", server.uri()), Duration::from_secs(60));
    assert_eq!(rig.poll(&a, &mut a_state, now).await.processed, 1);
    assert_eq!(rig.poll(&b, &mut b_state, now).await.known, 1);
    assert_eq!(rig.poll(&a, &mut a_state, now).await.processed, 1);
    assert_eq!(rig.metrics.get(FEED_ITEMS, &[("outcome", "edited")]), 1);
    let articles = rig.articles();
    assert_eq!(articles.len(), 2);
    assert!(articles[1].text.contains("by September 2026"));

    // One poll carrying the story twice (another GUID, the decorated link):
    // handed over once; items go out together, so the repeat is caught in the poll.
    let twice = String::from_utf8(fixture("entities-cdata.rss"))
        .unwrap_or_default()
        .replace("by the end of 2026", "within the year");
    let item_start = twice.find("<item>").unwrap_or(0);
    let item_end = twice
        .find("</item>")
        .map_or(twice.len(), |i| i + "</item>".len());
    let copy = twice[item_start..item_end]
        .replace("tagus-2024-0917", "aggregator-100")
        .replace("utm_source=rss&amp;utm_medium=feed", "ref=home");
    let doubled = format!("{}{copy}{}", &twice[..item_end], &twice[item_end..]);
    Mock::given(path("/c.rss"))
        .respond_with(rss(doubled.as_bytes()))
        .mount(&server)
        .await;
    let fresh = Rig::new(FeedDefaults::default()).await;
    let (c, mut c_state) = feed(&format!("{}/c.rss", server.uri()), Duration::from_secs(60));
    let report = fresh.poll(&c, &mut c_state, now).await;
    assert_eq!((report.processed, report.known), (1, 1), "{report:?}");
    assert_eq!(fresh.articles().len(), 1);
}

/// A saved article page of the seed story, as a summary's link serves it.
fn story_page() -> Vec<u8> {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/story/02-minister-two-years.html");
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[tokio::test]
async fn summary_only_items_get_their_page_or_fall_back_to_the_summary() {
    let server = MockServer::start().await;
    let page = story_page();
    Mock::given(path("/story/two-years"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html"))
        .mount(&server)
        .await;
    Mock::given(path("/story/missing"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let feed_xml = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Tigris Courier</title>
<item><title>Plan nearly final</title><link>{0}/story/two-years</link><guid>tc-1</guid>
<pubDate>Mon, 09 Sep 2024 05:30:00 GMT</pubDate><description>Iraq's defence minister said the plan is nearly final…</description></item>
<item><title>Gone page</title><link>{0}/story/missing</link><guid>tc-2</guid>
<pubDate>Tue, 10 Sep 2024 05:30:00 GMT</pubDate><description>A short teaser. Read more</description></item>
</channel></rss>"#,
        server.uri()
    );
    Mock::given(path("/tc.rss"))
        .respond_with(rss(feed_xml.as_bytes()))
        .mount(&server)
        .await;
    let rig = Rig::new(FeedDefaults::default()).await;
    let (config, mut state) = feed(&format!("{}/tc.rss", server.uri()), Duration::from_secs(60));
    let report = rig.poll(&config, &mut state, Utc::now()).await;
    assert_eq!(report.processed, 2, "{report:?}");
    let articles = rig.articles();
    assert!(
        articles[0]
            .text
            .contains("the whole process is meant to take two years"),
        "{}",
        articles[0].text
    );
    assert!(
        !articles[0].text.contains("Subscribe"),
        "boilerplate kept: {}",
        articles[0].text
    );
    assert_eq!(articles[0].title, "Plan nearly final");
    assert_eq!(articles[1].text, "A short teaser. Read more");
    assert_eq!(
        (
            rig.metrics.get(FEED_PAGES, &[("outcome", "fetched")]),
            rig.metrics.get(FEED_PAGES, &[("outcome", "fallback")])
        ),
        (1, 1)
    );
}

/// An RSS document of `n` items, item `i` published on day `i` of September
/// 2024 and linking to `{base}/story/{i}`, each with a one-line teaser.
fn rss_of_many(base: &str, n: usize) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Flood Wire</title>"#,
    );
    for i in 1..=n {
        xml.push_str(&format!(
            "<item><title>Story {i}</title><link>{base}/story/{i}</link><guid>fw-{i}</guid>\
             <pubDate>{day:02} Sep 2024 05:30:00 GMT</pubDate>\
             <description>Teaser {i}. Read more</description></item>",
            day = i
        ));
    }
    xml.push_str("</channel></rss>");
    xml
}

/// A rig with `defaults` and its first poll of the feed at `url`.
async fn first_poll(defaults: FeedDefaults, url: &str) -> (Rig, PollReport) {
    let rig = Rig::new(defaults).await;
    let (config, mut state) = feed(url, Duration::from_secs(60));
    let report = rig.poll(&config, &mut state, Utc::now()).await;
    (rig, report)
}

#[tokio::test]
async fn a_feed_with_more_items_than_the_cap_hands_over_only_the_newest() {
    let server = MockServer::start().await;
    Mock::given(path("/flood.rss"))
        .respond_with(rss(rss_of_many(&server.uri(), 30).as_bytes()))
        .mount(&server)
        .await;
    let defaults = FeedDefaults {
        max_items_per_poll: 10,
        fetch_pages: false,
        ..FeedDefaults::default()
    };
    let (rig, report) = first_poll(defaults, &format!("{}/flood.rss", server.uri())).await;
    assert_eq!((report.processed, report.error), (10, None));
    let titles: Vec<String> = rig.articles().into_iter().map(|a| a.title).collect();
    let newest: Vec<String> = (21..=30).map(|i| format!("Story {i}")).collect();
    assert_eq!(titles, newest, "the newest ten, oldest first");
    assert_eq!(rig.metrics.get(FEED_ITEMS, &[("outcome", "capped")]), 20);
}

#[tokio::test]
async fn summary_only_items_beyond_the_page_cap_keep_their_summary() {
    let server = MockServer::start().await;
    let page = story_page();
    Mock::given(wiremock::matchers::path_regex("^/story/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html"))
        .mount(&server)
        .await;
    Mock::given(path("/teasers.rss"))
        .respond_with(rss(rss_of_many(&server.uri(), 8).as_bytes()))
        .mount(&server)
        .await;
    let defaults = FeedDefaults {
        max_page_fetches_per_poll: 3,
        ..FeedDefaults::default()
    };
    let (rig, report) = first_poll(defaults, &format!("{}/teasers.rss", server.uri())).await;
    assert_eq!((report.processed, report.error), (8, None));
    let page_requests = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().starts_with("/story/"))
        .count();
    assert_eq!(page_requests, 3, "three pages fetched, no more");
    let articles = rig.articles();
    let with_page = articles
        .iter()
        .filter(|a| {
            a.text
                .contains("the whole process is meant to take two years")
        })
        .count();
    assert_eq!(with_page, 3);
    assert!(
        articles[3..].iter().all(|a| a.text.starts_with("Teaser ")),
        "the later items keep their summary"
    );
    assert_eq!(
        (
            rig.metrics.get(FEED_PAGES, &[("outcome", "fetched")]),
            rig.metrics.get(FEED_PAGES, &[("outcome", "capped")])
        ),
        (3, 5)
    );
}

/// The article files of the seed story, read by the drop folder's reader.
fn story_article(name: &str) -> Article {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/story")
        .join(name);
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
    parse_article(Path::new(name), &bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An RSS document with one item per article: full text in `description`
/// (paragraphs as `<p>`), outlet in `<source>`, `pubDate`.
fn rss_of(title: &str, articles: &[Article]) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{}</title>\n",
        escape(title)
    );
    for article in articles {
        let paragraphs: String = article
            .text
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", escape(p)))
            .collect();
        let date = article
            .published
            .and_hms_opt(6, 0, 0)
            .map(|d| d.and_utc().to_rfc2822())
            .unwrap_or_default();
        xml.push_str(&format!(
            "<item><title>{}</title>{}<source url=\"https://outlet.example/\">{}</source><pubDate>{date}</pubDate><description><![CDATA[{paragraphs}]]></description></item>\n",
            escape(&article.title),
            article.url.as_deref().map(|u| format!("<link>{}</link>", escape(u))).unwrap_or_default(),
            escape(article.source.as_deref().unwrap_or("Wire")),
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml
}

#[tokio::test]
async fn a_syndicated_copy_under_another_outlets_url_raises_nothing() {
    let original = story_article("03-two-phases.json");
    let mut copy = original.clone();
    copy.source = Some("Desert Herald".into());
    copy.url = Some("https://desert-herald.example/2024/09/10/coalition-phases".into());
    copy.text = format!(
        "BAGHDAD (Desert Herald) -\n\n{}\n\nShare this article.",
        original.text
    );

    let server = MockServer::start().await;
    let a = rss_of(
        "Wire",
        &[story_article("01-deal-reached.txt"), original.clone()],
    );
    Mock::given(path("/wire.rss"))
        .respond_with(rss(a.as_bytes()))
        .mount(&server)
        .await;
    let b = rss_of("Desert Herald", std::slice::from_ref(&copy));
    Mock::given(path("/herald.rss"))
        .respond_with(rss(b.as_bytes()))
        .mount(&server)
        .await;

    let rig = Rig::with_pipeline(FeedDefaults::default(), true).await;
    let now = Utc::now();
    let (wire, mut wire_state) = feed(
        &format!("{}/wire.rss", server.uri()),
        Duration::from_secs(60),
    );
    let (herald, mut herald_state) = feed(
        &format!("{}/herald.rss", server.uri()),
        Duration::from_secs(60),
    );
    assert_eq!(rig.poll(&wire, &mut wire_state, now).await.processed, 2);
    let alerts_before = rig
        .store
        .alerts()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .len();
    assert!(
        alerts_before >= 1,
        "the original should contradict the first report"
    );
    let report = rig.poll(&herald, &mut herald_state, now).await;
    assert_eq!((report.processed, report.error), (1, None));
    let alerts_after = rig
        .store
        .alerts()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .len();
    assert_eq!(alerts_after, alerts_before, "the copy raised alerts");
    let timeline = rig
        .store
        .load_timeline()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let json = serde_json::to_string(&timeline).unwrap_or_default();
    assert!(
        !json.contains("Desert Herald"),
        "the copy counts as a source: {json}"
    );
}

/// A poll hands its new items over without waiting for each to be stored (the
/// pipeline stores what is queued in one transaction), and marks each seen only
/// once the pipeline says it is stored, in order: an item the pipeline could
/// not store is handed over again at the next poll, with those after it.
#[tokio::test]
async fn a_poll_hands_items_over_together_and_marks_only_what_was_stored() {
    let names = [
        "01-deal-reached.txt",
        "02-minister-two-years.html",
        "03-two-phases.json",
        "04-pentagon-announces.md",
        "05-on-track.txt",
    ];
    let articles: Vec<Article> = names.iter().map(|n| story_article(n)).collect();
    let server = MockServer::start().await;
    Mock::given(path("/wire.rss"))
        .respond_with(rss(rss_of("Wire", &articles).as_bytes()))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&StoreConfig {
            path: dir.path().join("drawdown.db"),
        })
        .await
        .unwrap_or_else(|e| panic!("{e}")),
    );
    let poller = Arc::new(
        FeedPoller::new(FeedDefaults::default(), store, Arc::new(Metrics::new()))
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let (config, state) = feed(
        &format!("{}/wire.rss", server.uri()),
        Duration::from_secs(60),
    );
    let (out, mut rx) = mpsc::channel::<Incoming>(16);
    let out = ArticleSender::from(out);

    // Polls in the background; the test plays the pipeline, answering `answers`
    // only after every expected item has arrived.
    async fn round(
        poller: &Arc<FeedPoller>,
        config: &FeedConfig,
        state: FeedState,
        out: &ArticleSender,
        rx: &mut mpsc::Receiver<Incoming>,
        answers: &[Processed],
    ) -> (PollReport, FeedState, Vec<String>) {
        let (poller, config, out) = (poller.clone(), config.clone(), out.clone());
        let polling = tokio::spawn(async move {
            let mut state = state;
            let token = CancellationToken::new();
            let report = poller
                .poll(&config, &mut state, Utc::now(), &out, &token)
                .await;
            (report, state)
        });
        let mut held = Vec::new();
        for i in 0..answers.len() {
            let incoming = tokio::time::timeout(LIMIT, rx.recv())
                .await
                .unwrap_or_else(|_| panic!("item {i} was not handed over before the first answer"))
                .unwrap_or_else(|| panic!("the poller closed its channel"));
            held.push(incoming);
        }
        let titles = held.iter().map(|i| i.article.title.clone()).collect();
        for (incoming, answer) in held.into_iter().zip(answers) {
            if let Some(done) = incoming.done {
                let _ignored = done.send(answer.clone());
            }
        }
        let (report, state) = tokio::time::timeout(LIMIT, polling)
            .await
            .unwrap_or_else(|_| panic!("the poll hung"))
            .unwrap_or_else(|e| panic!("{e}"));
        (report, state, titles)
    }

    let stored = Processed::Stored {
        claims: 1,
        alerts: 0,
    };
    let failed = Processed::Failed("disk full".into());
    let answers = [
        stored.clone(),
        stored.clone(),
        failed,
        stored.clone(),
        stored.clone(),
    ];
    let (report, state, titles) = round(&poller, &config, state, &out, &mut rx, &answers).await;
    let all: Vec<String> = articles.iter().map(|a| a.title.clone()).collect();
    assert_eq!(titles, all, "all five handed over, oldest first");
    assert_eq!(report.processed, 2, "{report:?}");
    assert!(
        report
            .error
            .as_deref()
            .is_some_and(|e| e.contains("disk full")),
        "{report:?}"
    );

    // The failed item and those after it come again; the first two are known.
    let (report, _, titles) = round(
        &poller,
        &config,
        state,
        &out,
        &mut rx,
        &[stored.clone(), stored.clone(), stored],
    )
    .await;
    assert_eq!(titles, all[2..].to_vec());
    assert_eq!((report.processed, report.known, report.error), (3, 2, None));
}

/// The seed story as an RSS feed through the real service: the final-departure
/// contradiction appears, then polling every 2 s gets only 304s and raises nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_story_as_a_feed_contradicts_then_only_304s() {
    let articles = [
        story_article("01-deal-reached.txt"),
        story_article("02-minister-two-years.html"),
        story_article("03-two-phases.json"),
    ];
    let xml = rss_of("Seed story", &articles);
    let server = MockServer::start().await;
    Mock::given(path("/seed.rss"))
        .and(header("If-None-Match", "\"seed-1\""))
        .respond_with(ResponseTemplate::new(304).insert_header("ETag", "\"seed-1\""))
        .mount(&server)
        .await;
    Mock::given(path("/seed.rss"))
        .respond_with(rss(xml.as_bytes()).insert_header("ETag", "\"seed-1\""))
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let alerts_file = root.join("alerts.jsonl");
    let config_file = root.join("drawdown.toml");
    std::fs::write(
        &config_file,
        format!(
            "[http]\nlisten = \"127.0.0.1:0\"\n[store]\npath = \"{}\"\n[inbox]\nenabled = false\ndir = \"{}\"\n[timeline]\nknown = \"\"\n\
             [[sinks]]\ntype = \"jsonl\"\npath = \"{}\"\n\
             [[feeds]]\nurl = \"{}/seed.rss\"\ninterval = \"2s\"\nname = \"Seed wire\"\n",
            root.join("drawdown.db").display(),
            root.join("inbox").display(),
            alerts_file.display(),
            server.uri()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = Config::load(Some(&config_file)).unwrap_or_else(|e| panic!("{e}"));
    config
        .validate(Some(&config_file))
        .unwrap_or_else(|e| panic!("{e}"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let daemon = tokio::spawn(service::run(config, async {
        let _ignored = stopped.await;
    }));

    let read_alerts = || -> Vec<serde_json::Value> {
        std::fs::read_to_string(&alerts_file)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    };
    let contradiction = tokio::time::timeout(LIMIT, async {
        loop {
            if let Some(a) = read_alerts().into_iter().find(|a| {
                a["kind"] == "contradiction"
                    && a["event"]["milestone"] == "final"
                    && a["event"]["country"] == "IQ"
                    && a["attribute"] == "deadline"
            }) {
                return a;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "no final-departure contradiction; alerts: {:?}",
            read_alerts()
        )
    });
    let current = contradiction["current"]["value"]["earliest"]
        .as_str()
        .unwrap_or_default();
    assert!(current.starts_with("2026-09"), "{contradiction}");
    let raised = read_alerts().len();

    // Three more polls, all 304, nothing more raised.
    tokio::time::timeout(LIMIT, async {
        loop {
            let n = server.received_requests().await.unwrap_or_default().len();
            if n >= 4 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("fewer than 4 polls in {LIMIT:?}"));
    let _ignored = stop.send(());
    match tokio::time::timeout(LIMIT, daemon).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => panic!("the service failed: {e}"),
        Ok(Err(e)) => panic!("the service panicked: {e}"),
        Err(_) => panic!("the service did not stop"),
    }
    assert_eq!(
        read_alerts().len(),
        raised,
        "alerts after the 304s: {:?}",
        read_alerts()
    );
    let requests = server.received_requests().await.unwrap_or_default();
    for later in requests.iter().skip(1) {
        assert_eq!(
            later
                .headers
                .get("if-none-match")
                .and_then(|v| v.to_str().ok()),
            Some("\"seed-1\"")
        );
    }

    // What `drawdown feeds` says afterwards.
    let output = assert_cmd::Command::cargo_bin("drawdown")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["--config", &config_file.display().to_string(), "feeds"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&output.stdout);
    eprintln!("drawdown feeds after the seed feed:\n{text}");
    assert!(
        text.contains("last status 304")
            && text.contains("3 items seen")
            && text.contains("0 consecutive errors"),
        "{text}"
    );
    let output = assert_cmd::Command::cargo_bin("drawdown")
        .unwrap_or_else(|e| panic!("{e}"))
        .args([
            "--config",
            &config_file.display().to_string(),
            "feeds",
            "--format",
            "json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let row: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (row["last_status"].as_u64(), row["items_seen"].as_u64()),
        (Some(304), Some(3))
    );
}

#[test]
fn opml_import_then_export_through_the_binary() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("drawdown.toml");
    std::fs::write(&config, "[[feeds]]\nurl = \"https://wire.example/rss\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let opml = dir.path().join("reader.opml");
    std::fs::write(
        &opml,
        r#"<opml version="2.0"><body><outline text="News">
<outline text="Wire" xmlUrl="https://wire.example/rss"/>
<outline text="Courier &amp; Co" xmlUrl="https://courier.example/atom"/></outline></body></opml>"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("drawdown")
            .unwrap_or_else(|e| panic!("{e}"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let import = run(&["import-opml", &opml.display().to_string()]);
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert!(String::from_utf8_lossy(&import.stderr).contains("1 feed(s) added"));
    let again = run(&["import-opml", &opml.display().to_string()]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 feed(s) added"));
    let export = run(&["export-opml"]);
    let text = String::from_utf8_lossy(&export.stdout);
    assert!(
        text.contains("xmlUrl=\"https://wire.example/rss\"") && text.contains("Courier &amp; Co"),
        "{text}"
    );
}
