//! Benchmark: 1,000 feeds on a local HTTP server, one full polling round of
//! 304s through the real scheduler (global and per-host limits, SQLite state
//! saved after every poll). Prints the wall time of the round and the peak
//! resident memory of the whole process.
//!
//! `cargo run --release --example feed_bench -- [FEEDS] [PER_HOST]`
//! (defaults: 1000 feeds, 2 per host; every feed is on 127.0.0.1, so the
//! per-host limit is the worst case).

use std::sync::Arc;
use std::time::{Duration, Instant};

use drawdown::metrics::{FEED_EVENTS, FEED_POLLS, Metrics};
use drawdown::source::Source;
use drawdown::source::feed::{FeedConfig, FeedDefaults, FeedSource};
use drawdown::store::{FeedState, SqliteStore, Store, StoreConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const FEED: &str =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title></channel></rss>";

/// A minimal keep-alive HTTP/1.1 server: 304 to conditional requests, else a tiny feed.
async fn serve(listener: TcpListener) {
    while let Ok((mut socket, _)) = listener.accept().await {
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(2048);
            let mut chunk = [0u8; 2048];
            loop {
                let Ok(n) = socket.read(&mut chunk).await else {
                    return;
                };
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    buf.drain(..end + 4);
                    let reply = if head.contains("if-none-match") {
                        "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 0\r\n\r\n"
                            .to_string()
                    } else {
                        format!(
                            "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\n\r\n{FEED}",
                            FEED.len()
                        )
                    };
                    if socket.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let feeds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let per_host: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve(listener));

    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(&StoreConfig {
        path: dir.path().join("bench.db"),
    })
    .await?;
    let store: Arc<dyn Store> = Arc::new(store);
    let mut configs = Vec::with_capacity(feeds);
    for i in 0..feeds {
        let url = url::Url::parse(&format!("http://{addr}/feeds/{i}.rss"))?;
        // A previous round left an ETag: this round is all 304s.
        store
            .save_feed_state(&FeedState {
                url: url.to_string(),
                etag: Some("\"v1\"".into()),
                ..FeedState::default()
            })
            .await?;
        configs.push(FeedConfig::new(url));
    }

    let metrics = Arc::new(Metrics::new());
    let defaults = FeedDefaults {
        per_host,
        ..FeedDefaults::default()
    };
    let source = Box::new(FeedSource::new(
        configs,
        defaults,
        store.clone(),
        metrics.clone(),
    )?);
    let (tx, _rx) = tokio::sync::mpsc::channel(16);
    let stop = CancellationToken::new();
    let started = Instant::now();
    let running = tokio::spawn(source.run(tx.into(), stop.clone()));
    while metrics.sum(FEED_POLLS) < feeds as u64 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let elapsed = started.elapsed();
    stop.cancel();
    running.await??;
    println!(
        "{feeds} feeds, per_host {per_host}: one round in {:.3} s; {} not modified, {} errors; peak RSS {:.1} MB",
        elapsed.as_secs_f64(),
        metrics.get(FEED_POLLS, &[("status", "304")]),
        metrics.get(FEED_EVENTS, &[("event", "failed")]),
        peak_rss_kib() as f64 / 1024.0
    );
    Ok(())
}
