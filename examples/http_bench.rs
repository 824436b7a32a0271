//! Benchmark: `POST /api/articles` to the alert on `GET /api/alerts/stream`,
//! over loopback, against the real daemon (`service::run_on`, SQLite on disk).
//! Each article moves one withdrawal's deadline ("pushed back to <day>"), so
//! each raises one update; they go one at a time and the time from sending the
//! POST to reading its alert on the stream is recorded. Prints p50, p99 and max.
//! With `--serve` it then keeps serving (the timeline of all those updates) so
//! that `wrk` can measure `GET /api/timeline`, until Ctrl-C.
//!
//! `cargo run --release --example http_bench -- [ARTICLES] [--serve]`
//! (default 1000 articles), then for example
//! `wrk -t2 -c16 -d10s http://ADDR/api/timeline`.

use std::time::{Duration, Instant};

use chrono::Datelike;
use drawdown::config::Config;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Article `i`: the final withdrawal from Iraq moved to a day of its own.
fn article(i: usize) -> String {
    let days = |from: (i32, u32, u32), n: usize| {
        chrono::NaiveDate::from_ymd_opt(from.0, from.1, from.2)
            .and_then(|d| d.checked_add_days(chrono::Days::new(n as u64)))
            .unwrap_or_default()
    };
    let deadline = days((2027, 1, 1), i);
    let month = MONTHS[deadline.month0() as usize];
    let published = days((2025, 1, 1), i);
    format!(
        "Title: Coalition exit moved, report {i}\nSource: Bench Wire\nPublished: {published}\n\n\
         The final withdrawal of the US-led coalition from Iraq has been pushed back to {} {month} {}, officials said.",
        deadline.day(),
        deadline.year(),
    )
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Reads the stream until an `alert` event whose data holds `id`.
async fn wait_for_alert(stream: &mut reqwest::Response, buffer: &mut String, id: &str) -> bool {
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.contains("event: alert") && block.contains(id) {
                return true;
            }
        }
        match stream.chunk().await {
            Ok(Some(chunk)) => buffer.push_str(&String::from_utf8_lossy(&chunk)),
            _ => return false,
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1000);
    let serve = args.iter().any(|a| a == "--serve");

    let dir = tempfile::tempdir()?;
    let config_file = dir.path().join("drawdown.toml");
    std::fs::write(
        &config_file,
        format!(
            "[store]\npath = \"{}\"\n[inbox]\nenabled = false\ndir = \"{}\"\n[timeline]\nknown = \"\"\n\
             [[sinks]]\ntype = \"jsonl\"\npath = \"{}\"\n",
            dir.path().join("drawdown.db").display(),
            dir.path().join("inbox").display(),
            dir.path().join("alerts.jsonl").display(),
        ),
    )?;
    let config = Config::load(Some(&config_file))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let daemon = tokio::spawn(drawdown::service::run_on(config, listener, async {
        let _ignored = stopped.await;
    }));
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    loop {
        let ready = http.get(format!("{base}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The first value, then `count` updates of it.
    http.post(format!("{base}/api/articles"))
        .header("content-type", "text/plain")
        .body(
            "Title: Coalition exit agreed\nSource: Bench Wire\nPublished: 2024-12-01\n\n\
             The US-led coalition will complete its withdrawal from Iraq by the end of 2026, officials said.",
        )
        .send()
        .await?;
    let mut stream = http.get(format!("{base}/api/alerts/stream")).send().await?;
    let mut buffer = String::new();
    let mut latencies = Vec::with_capacity(count);
    let mut missing = 0;
    let started = Instant::now();
    for i in 0..count {
        let sent = Instant::now();
        let answer: serde_json::Value = http
            .post(format!("{base}/api/articles"))
            .header("content-type", "text/plain")
            .body(article(i))
            .send()
            .await?
            .json()
            .await?;
        let Some(id) = answer["alerts"][0]["id"].as_str() else {
            missing += 1;
            continue;
        };
        if wait_for_alert(&mut stream, &mut buffer, id).await {
            latencies.push(sent.elapsed());
        } else {
            missing += 1;
        }
    }
    let total = started.elapsed();
    latencies.sort();
    println!(
        "{} articles in {:.2} s; POST to alert on the stream: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {} raised no alert",
        latencies.len(),
        total.as_secs_f64(),
        percentile(&latencies, 50.0).as_secs_f64() * 1e3,
        percentile(&latencies, 99.0).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        missing,
    );
    drop(stream);

    if serve {
        println!("serving on {base} until Ctrl-C: wrk -t2 -c16 -d10s {base}/api/timeline");
        tokio::signal::ctrl_c().await?;
    }
    let _ignored = stop.send(());
    daemon.await??;
    Ok(())
}
