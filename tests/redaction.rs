//! Secrets in configured URLs never leave the configuration: the real binary,
//! logging everything (`RUST_LOG=trace`), polls feeds whose URLs carry a user,
//! a password, a token in the path and an `api_key` in the query: one moves
//! permanently (logged) and hands an item to the pipeline (logged with where
//! it came from), three fail (nobody listening, HTTP 500, a body that is no
//! feed); it delivers to webhooks whose path and query hold tokens (one
//! answering 500, one unreachable) and to a Slack URL, then reloads the
//! configuration (SIGHUP, the feeds restarted). Neither the log nor the errors
//! the store keeps (`drawdown feeds`, `drawdown alerts`) may contain any of
//! those secrets, while both still say what failed where.

use nix::sys::signal::Signal;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "common/binary.rs"]
mod binary;
use binary::{
    Daemon, count_files, delivery, drop_article, eventually, json_lines, listed_alerts,
    write_config,
};

/// Every secret a URL below carries; none may show anywhere.
const SECRETS: &[&str] = &[
    "feeduser",
    "hunter2",
    "FEEDPATHTOKEN",
    "FEEDQUERYKEY",
    "hookuser",
    "hookpass",
    "HOOKPATHTOKEN",
    "HOOKQUERYTOKEN",
    "SLACKTOKEN",
];

/// A port on 127.0.0.1 where nobody listens.
fn dead_port() -> u16 {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port()
}

fn leaked<'a>(text: &str) -> Vec<&'a str> {
    SECRETS
        .iter()
        .copied()
        .filter(|s| text.contains(s))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_in_feed_and_webhook_urls_reach_no_log_and_no_stored_error() {
    let server = MockServer::start().await;
    // A permanent move on the same origin: adopted and logged.
    Mock::given(method("GET"))
        .and(path("/moved/FEEDPATHTOKEN-0.rss"))
        .respond_with(ResponseTemplate::new(301).insert_header(
            "Location",
            "/new/FEEDPATHTOKEN-0.rss?api_key=FEEDQUERYKEY-0",
        ))
        .mount(&server)
        .await;
    // One item with its whole text (no page to fetch) and no claim in it.
    let calm = "The market square was quiet on Tuesday morning. ".repeat(12);
    Mock::given(method("GET"))
        .and(path("/new/FEEDPATHTOKEN-0.rss"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(
                r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>A calm day</title><link>https://news.example/calm-day</link>
<guid>calm-day</guid><pubDate>Tue, 03 Mar 2026 08:00:00 GMT</pubDate>
<description>{calm}</description></item></channel></rss>"#
            ),
            "application/rss+xml",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/failing/FEEDPATHTOKEN-2.rss"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/broken/FEEDPATHTOKEN-3.rss"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("this is not a feed <rss", "application/rss+xml"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let live = server.address().port();
    let dead = dead_port();

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let inbox = root.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap_or_else(|e| panic!("{e}"));
    let creds = "feeduser:hunter2@127.0.0.1";
    let feeds_and_sinks = format!(
        "[[feeds]]\nurl = \"http://{creds}:{live}/moved/FEEDPATHTOKEN-0.rss?api_key=FEEDQUERYKEY-0\"\n\
             [[feeds]]\nurl = \"http://{creds}:{dead}/private/FEEDPATHTOKEN-1.rss?api_key=FEEDQUERYKEY-1\"\n\
             [[feeds]]\nurl = \"http://{creds}:{live}/failing/FEEDPATHTOKEN-2.rss?api_key=FEEDQUERYKEY-2\"\n\
             [[feeds]]\nurl = \"http://{creds}:{live}/broken/FEEDPATHTOKEN-3.rss?api_key=FEEDQUERYKEY-3\"\n\
             [[sinks]]\ntype = \"webhook\"\nname = \"hook-500\"\n\
             url = \"http://hookuser:hookpass@127.0.0.1:{live}/hooks/HOOKPATHTOKEN?token=HOOKQUERYTOKEN\"\n\
             [[sinks]]\ntype = \"webhook\"\nname = \"hook-down\"\n\
             url = \"http://hookuser:hookpass@127.0.0.1:{dead}/hooks/HOOKPATHTOKEN-2?token=HOOKQUERYTOKEN\"\n\
             [[sinks]]\ntype = \"slack\"\nname = \"slack\"\n\
             url = \"http://127.0.0.1:{live}/services/T0/B0/SLACKTOKEN\"\n"
    );
    write_config(root, &feeds_and_sinks);

    let daemon = Daemon::start_logging(root, "run.log", "trace");
    drop_article(&inbox, "01-deal-reached.txt");
    // The store exists once the article is in: only then may a command open it.
    let done = inbox.join("done");
    eventually("the article stored", || count_files(&done) == 1).await;

    // The moved feed has moved and handed its item over; every other feed has
    // failed and kept its error.
    let mut rows = Vec::new();
    eventually("a move, its item and three feed errors stored", || {
        rows = json_lines(root, &["feeds", "--format", "json"]);
        rows.len() == 4
            && rows[0]["current_url"].is_string()
            && rows[0]["items_seen"] == 1
            && rows[1..].iter().all(|r| r["last_error"].is_string())
    })
    .await;
    // Every sink has failed at least once and kept its error.
    let sinks = ["hook-500", "hook-down", "slack"];
    let mut alerts = Vec::new();
    eventually("a failed delivery per sink", || {
        alerts = listed_alerts(root);
        alerts.first().is_some_and(|a| {
            sinks
                .iter()
                .all(|s| delivery(a, s).is_some_and(|d| d["last_error"].is_string()))
        })
    })
    .await;
    // A reload that restarts the feed source.
    write_config(
        root,
        &format!("{feeds_and_sinks}[feeds_defaults]\nsummary_words = 50\n"),
    );
    daemon.signal(Signal::SIGHUP);
    let log_text = || std::fs::read_to_string(root.join("run.log")).unwrap_or_default();
    eventually("the configuration reloaded", || {
        log_text().contains("configuration reloaded")
    })
    .await;
    let status = daemon.terminate().await;
    assert!(status.success(), "drawdown run: {status:?}");

    let errors: Vec<String> = rows[1..]
        .iter()
        .map(|r| r["last_error"].as_str().unwrap_or_default().to_string())
        .chain(alerts.iter().flat_map(|a| {
            sinks.iter().filter_map(|s| {
                delivery(a, s).and_then(|d| d["last_error"].as_str().map(str::to_string))
            })
        }))
        .collect();
    let log = std::fs::read_to_string(root.join("run.log")).unwrap_or_else(|e| panic!("{e}"));
    eprintln!("stored errors:\n  {}", errors.join("\n  "));

    // Nothing leaked...
    for error in &errors {
        assert!(leaked(error).is_empty(), "a stored error leaks: {error}");
    }
    let leaking: Vec<&str> = log.lines().filter(|l| !leaked(l).is_empty()).collect();
    assert!(
        leaking.is_empty(),
        "{} log lines leak a secret, e.g.:\n{}",
        leaking.len(),
        leaking
            .iter()
            .take(5)
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // ...and what failed where is still said: the host and port of each.
    let feed_errors = &errors[..3];
    assert!(
        feed_errors[0].contains(&format!("http://127.0.0.1:{dead}/…")),
        "{feed_errors:?}"
    );
    assert!(
        feed_errors[1].contains(&format!("http://127.0.0.1:{live}/…"))
            && feed_errors[1].contains("HTTP 500"),
        "{feed_errors:?}"
    );
    assert!(
        feed_errors[2].contains("cannot parse the feed"),
        "{feed_errors:?}"
    );
    assert!(
        errors[3..]
            .iter()
            .all(|e| e.contains(&format!("http://127.0.0.1:{live}/…"))
                || e.contains(&format!("http://127.0.0.1:{dead}/…"))),
        "{errors:?}"
    );
    assert!(log.contains("feed moved permanently"), "the move is logged");
    assert!(
        log.lines().any(|l| l.contains("article processed")
            && l.contains(&format!("origin=http://127.0.0.1:{live}/…"))),
        "the feed's article is logged with its feed, redacted"
    );
    assert_eq!(
        log.matches("feed poll failed; backing off").count(),
        3,
        "one failure per feed logged"
    );
    assert!(log.contains("delivery failed, will retry"));
}
