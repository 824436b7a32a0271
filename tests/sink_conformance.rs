//! One conformance test every sink passes (STYLE.md §8), against real local
//! receivers: a wiremock server for the HTTP sinks (webhook, slack, discord,
//! ntfy; payloads checked against the documented JSON shapes), a small SMTP
//! server on 127.0.0.1:0 for email (the message parsed back with
//! mail-parser), a shell script for command, a temp file for jsonl. Each sink:
//! (1) carries the alert and its id in the shape its receiver expects;
//! (2) through the outbox, a receiver that fails the first attempt, and a
//! crash of the worker mid-retry, the alert is accepted exactly once.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use serde_json::Value as Json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use url::Url;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use common::{PATIENCE, eventually};
use drawdown::alert::delivery::{DeliveryOptions, run_worker};
use drawdown::alert::message::build_alert;
use drawdown::alert::{
    CommandConfig, DiscordConfig, EmailConfig, EmailTls, JsonlConfig, NtfyConfig, Sink, SinkConfig,
    SinkFilter, SlackConfig, WebhookConfig,
};
use drawdown::metrics::Metrics;
use drawdown::model::{
    Alert, Article, Attribute, Change, ChangeKind, Claim, Event, Granularity, Milestone, Modality,
    Observation, Span, TimeValue, Value,
};
use drawdown::store::{ArticleRecord, DeliveryState, SqliteStore, Store, StoreConfig};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad test date"))
}

fn the_alert() -> (Article, Claim, Alert) {
    let article = |source: &str, published, n: u32| Article {
        title: format!("Coalition withdrawal {n}"),
        source: Some(source.into()),
        url: Some(format!("https://news.example.org/story-{n}")),
        path: None,
        published,
        text: format!("Story {n}."),
    };
    let claim = |first: u32, last: u32, words: &str| Claim {
        event: Event::new("IQ", "US-led coalition", Milestone::Final, None, None),
        attribute: Attribute::Deadline,
        value: Value::Date(TimeValue {
            earliest: day(2026, first, 1),
            latest: Some(day(2026, last, if last == 9 { 30 } else { 31 })),
            granularity: Granularity::Month,
            fuzzy: false,
        }),
        text: words.into(),
        quote: format!("Troops leave {words} <fast> & sure."),
        span: Span { start: 0, end: 1 },
        attributed_to: Some("Iraqi Defence Minister".into()),
        modality: Modality::Planned,
        change_wording: None,
        rule: "test".into(),
        scope_defaulted: false,
    };
    let now = article("Gulf Dispatch", day(2024, 9, 10), 2);
    let before = article("Northwire", day(2024, 9, 6), 1);
    let current = claim(9, 9, "by September 2026");
    let change = Change {
        kind: ChangeKind::Contradiction,
        current: Observation {
            claim: current.clone(),
            article: now.reference(),
            article_hash: now.content_hash(),
        },
        previous: Some(Observation {
            claim: claim(10, 12, "by the end of 2026"),
            article: before.reference(),
            article_hash: before.content_hash(),
        }),
    };
    let alert = build_alert(&change, "Iraq");
    (now, current, alert)
}

/// What a receiver got: (alert id it carried, payload as JSON or text).
type Seen = Arc<Mutex<Vec<(String, Json)>>>;

/// HTTP receiver: the first `fail` requests get 503 (not recorded as
/// accepted); the others 200, recorded with their key and JSON body.
#[derive(Clone)]
struct Http {
    fail: Arc<Mutex<usize>>,
    seen: Seen,
    key: fn(&Request, &Json) -> String,
}

impl Respond for Http {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if let Ok(mut fail) = self.fail.lock() {
            if *fail > 0 {
                *fail -= 1;
                return ResponseTemplate::new(503);
            }
        }
        let body: Json = serde_json::from_slice(&request.body).unwrap_or(Json::Null);
        let key = (self.key)(request, &body);
        if let Ok(mut seen) = self.seen.lock() {
            seen.push((key, body));
        }
        ResponseTemplate::new(200)
    }
}

async fn http_receiver(fail: usize, key: fn(&Request, &Json) -> String) -> (MockServer, Http) {
    let http = Http {
        fail: Arc::new(Mutex::new(fail)),
        seen: Seen::default(),
        key,
    };
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(http.clone())
        .mount(&server)
        .await;
    (server, http)
}

fn idempotency_key(request: &Request, _: &Json) -> String {
    request
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The alert id in the context line of a Slack message: "... · alert `ID`".
fn slack_id(_: &Request, body: &Json) -> String {
    body["blocks"]
        .as_array()
        .and_then(|blocks| blocks.iter().find(|b| b["type"] == "context"))
        .and_then(|context| context["elements"][0]["text"].as_str())
        .and_then(|text| text.rsplit_once("alert `"))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(id, _)| id.to_string())
        .unwrap_or_default()
}

/// The alert id in the footer of a Discord embed: "drawdown alert ID".
fn discord_id(_: &Request, body: &Json) -> String {
    body["embeds"][0]["footer"]["text"]
        .as_str()
        .and_then(|text| text.strip_prefix("drawdown alert "))
        .unwrap_or_default()
        .to_string()
}

/// The alert id in the tags of an ntfy message: "alert-ID".
fn ntfy_id(_: &Request, body: &Json) -> String {
    body["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .find_map(|tag| tag.strip_prefix("alert-"))
        .unwrap_or_default()
        .to_string()
}

/// A small SMTP server: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT. The first
/// `fail` MAIL commands get `451` (transient). Messages are parsed back.
async fn smtp_server(fail: usize) -> (u16, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let seen = Seen::default();
    let fail = Arc::new(Mutex::new(fail));
    let store = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (seen, fail) = (store.clone(), fail.clone());
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                if write
                    .write_all(b"220 localhost ESMTP test\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-localhost\r\n250 8BITMIME\r\n",
                        "MAIL" => {
                            let mut fail = fail.lock().unwrap_or_else(|p| p.into_inner());
                            if *fail > 0 {
                                *fail -= 1;
                                b"451 4.3.0 try again later\r\n"
                            } else {
                                b"250 OK\r\n"
                            }
                        }
                        "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "DATA" => {
                            if write.write_all(b"354 go on\r\n").await.is_err() {
                                return;
                            }
                            let mut data = String::new();
                            while let Ok(Some(line)) = lines.next_line().await {
                                if line == "." {
                                    break;
                                }
                                let line = line.strip_prefix('.').map_or(line.clone(), |l| {
                                    if line.starts_with("..") {
                                        l.to_string()
                                    } else {
                                        line.clone()
                                    }
                                });
                                data.push_str(&line);
                                data.push_str("\r\n");
                            }
                            let parsed =
                                mail_parser::MessageParser::default().parse(data.as_bytes());
                            if let Some(message) = parsed {
                                let id = message.message_id().unwrap_or_default().to_string();
                                let text = message
                                    .body_text(0)
                                    .map(|t| t.to_string())
                                    .unwrap_or_default();
                                let html = message
                                    .body_html(0)
                                    .map(|t| t.to_string())
                                    .unwrap_or_default();
                                let subject = message.subject().unwrap_or_default().to_string();
                                if let Ok(mut seen) = seen.lock() {
                                    seen.push((
                                        id.trim_end_matches("@drawdown").to_string(),
                                        serde_json::json!({"subject": subject, "text": text, "html": html, "message_id": id}),
                                    ));
                                }
                            }
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ignored = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, seen)
}

/// A script that fails the first `fail` runs, then appends its stdin to `out`.
fn command_script(dir: &Path, fail: usize) -> (PathBuf, PathBuf) {
    let script = dir.join("receive.sh");
    let out = dir.join("received.jsonl");
    let count = dir.join("runs");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nn=$(cat '{count}' 2>/dev/null || echo 0)\necho $((n + 1)) > '{count}'\n\
             if [ \"$n\" -lt {fail} ]; then cat >/dev/null; echo 'not yet' >&2; exit 3; fi\n\
             cat >> '{out}'\n",
            count = count.display(),
            out = out.display()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    (script, out)
}

fn lines_of(path: &Path) -> Vec<(String, Json)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .map(|v| (v["id"].as_str().unwrap_or_default().to_string(), v))
        .collect()
}

/// A sink under test and how to read what its receiver accepted.
struct Case {
    config: SinkConfig,
    accepted: Box<dyn Fn() -> Vec<(String, Json)> + Send + Sync>,
    _keep: Vec<Box<dyn std::any::Any + Send + Sync>>,
}

/// Every sink type, its receiver failing the first `fail` attempts.
async fn cases(dir: &Path, fail: usize) -> Vec<(&'static str, Case)> {
    let timeout = Duration::from_secs(5);
    let url = |server: &MockServer, path: &str| {
        Url::parse(&format!("{}{path}", server.uri())).unwrap_or_else(|e| panic!("{e}"))
    };
    let mut out = Vec::new();
    let http_case = |server: MockServer, http: Http, config: SinkConfig| {
        let seen = http.seen.clone();
        Case {
            config,
            accepted: Box::new(move || seen.lock().map(|s| s.clone()).unwrap_or_default()),
            _keep: vec![Box::new(server)],
        }
    };
    let (server, http) = http_receiver(fail, idempotency_key).await;
    let config = SinkConfig::Webhook(WebhookConfig {
        name: None,
        url: url(&server, "/hook"),
        headers: Default::default(),
        timeout,
        secret: None,
        secret_env: None,
        filter: SinkFilter::default(),
        digest: None,
    });
    out.push(("webhook", http_case(server, http, config)));
    let (server, http) = http_receiver(fail, slack_id).await;
    let config = SinkConfig::Slack(SlackConfig {
        name: None,
        url: url(&server, "/services/T000/B000/XXXX"),
        timeout,
        filter: SinkFilter::default(),
        template: None,
        digest_template: None,
        digest: None,
    });
    out.push(("slack", http_case(server, http, config)));
    let (server, http) = http_receiver(fail, discord_id).await;
    let config = SinkConfig::Discord(DiscordConfig {
        name: None,
        url: url(&server, "/api/webhooks/1/token"),
        username: Some("drawdown".into()),
        timeout,
        filter: SinkFilter::default(),
        template: None,
        digest_template: None,
        digest: None,
    });
    out.push(("discord", http_case(server, http, config)));
    let (server, http) = http_receiver(fail, ntfy_id).await;
    let config = SinkConfig::Ntfy(NtfyConfig {
        name: None,
        url: url(&server, "/drawdown-alerts"),
        token: Some("tk_test".into()),
        token_env: None,
        timeout,
        filter: SinkFilter::default(),
        template: None,
        digest_template: None,
        digest: None,
    });
    out.push(("ntfy", http_case(server, http, config)));
    let (port, seen) = smtp_server(fail).await;
    let config = SinkConfig::Email(EmailConfig {
        name: None,
        server: "127.0.0.1".into(),
        port: Some(port),
        tls: EmailTls::None,
        ca_file: None,
        accept_invalid_certs: false,
        username: None,
        password: None,
        password_env: None,
        from: "drawdown <alerts@example.org>".into(),
        to: vec!["desk@example.org".into()],
        subject_prefix: "[drawdown] ".into(),
        timeout,
        filter: SinkFilter::default(),
        template: None,
        digest_template: None,
        digest: None,
    });
    out.push((
        "email",
        Case {
            config,
            accepted: Box::new(move || seen.lock().map(|s| s.clone()).unwrap_or_default()),
            _keep: Vec::new(),
        },
    ));
    let command_dir = dir.join("command");
    std::fs::create_dir_all(&command_dir).unwrap_or_else(|e| panic!("{e}"));
    let (script, received) = command_script(&command_dir, fail);
    let config = SinkConfig::Command(CommandConfig {
        name: None,
        program: script,
        args: Vec::new(),
        timeout,
        filter: SinkFilter::default(),
        digest: None,
    });
    out.push((
        "command",
        Case {
            config,
            accepted: Box::new(move || lines_of(&received)),
            _keep: Vec::new(),
        },
    ));
    let file = dir.join("alerts.jsonl");
    let config = SinkConfig::Jsonl(JsonlConfig {
        name: None,
        path: file.clone(),
        filter: SinkFilter::default(),
    });
    out.push((
        "jsonl",
        Case {
            config,
            accepted: Box::new(move || lines_of(&file)),
            _keep: Vec::new(),
        },
    ));
    out
}

/// The payload shape each receiver documents.
fn check_shape(kind: &str, alert: &Alert, payload: &Json) {
    let alert_json = serde_json::to_value(alert).unwrap_or(Json::Null);
    match kind {
        "webhook" | "command" | "jsonl" => assert_eq!(payload, &alert_json, "{kind}"),
        "slack" => {
            // Incoming webhooks: `text` (fallback) and Block Kit `blocks`.
            assert!(
                payload["text"]
                    .as_str()
                    .is_some_and(|t| t.contains(&alert.message))
            );
            let blocks = payload["blocks"]
                .as_array()
                .unwrap_or_else(|| panic!("blocks"));
            assert_eq!(blocks[0]["type"], "header");
            assert_eq!(blocks[0]["text"]["type"], "plain_text");
            assert!(
                blocks[0]["text"]["text"]
                    .as_str()
                    .is_some_and(|t| t.chars().count() <= 150)
            );
            assert_eq!(blocks[1]["type"], "section");
            assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
            let section = blocks[1]["text"]["text"].as_str().unwrap_or_default();
            assert!(
                section.contains("&lt;fast&gt; &amp; sure"),
                "mrkdwn escaped: {section}"
            );
            let fields = blocks[2]["fields"]
                .as_array()
                .unwrap_or_else(|| panic!("fields"));
            assert_eq!(fields.len(), 2, "now and before");
            assert_eq!(blocks[3]["type"], "context");
            let context = blocks[3]["elements"][0]["text"]
                .as_str()
                .unwrap_or_default();
            assert!(
                context.contains("<https://news.example.org/story-2|Gulf Dispatch>"),
                "{context}"
            );
            assert!(context.contains(&alert.id));
        }
        "discord" => {
            assert_eq!(payload["username"], "drawdown");
            let embeds = payload["embeds"]
                .as_array()
                .unwrap_or_else(|| panic!("embeds"));
            assert!(!embeds.is_empty() && embeds.len() <= 10);
            let embed = &embeds[0];
            assert!(
                embed["title"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty() && t.chars().count() <= 256)
            );
            assert!(
                embed["description"]
                    .as_str()
                    .is_some_and(|d| d.contains(&alert.message))
            );
            assert_eq!(embed["url"], "https://news.example.org/story-2");
            assert!(embed["color"].as_u64().is_some_and(|c| c <= 0xFF_FFFF));
            for field in embed["fields"]
                .as_array()
                .unwrap_or_else(|| panic!("fields"))
            {
                assert!(field["name"].is_string() && field["value"].is_string());
            }
            assert!(
                embed["footer"]["text"]
                    .as_str()
                    .is_some_and(|t| t.contains(&alert.id))
            );
        }
        "ntfy" => {
            assert_eq!(payload["topic"], "drawdown-alerts");
            assert!(
                payload["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Contradiction"))
            );
            assert!(
                payload["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&alert.message))
            );
            assert_eq!(payload["priority"], 5);
            assert_eq!(payload["click"], "https://news.example.org/story-2");
            assert_eq!(
                payload["tags"],
                serde_json::json!([
                    "contradiction",
                    alert.event.country.to_lowercase(),
                    format!("alert-{}", alert.id)
                ])
            );
        }
        "email" => {
            assert_eq!(payload["message_id"], format!("{}@drawdown", alert.id));
            assert!(
                payload["subject"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("[drawdown] Contradiction"))
            );
            assert!(
                payload["text"]
                    .as_str()
                    .is_some_and(|t| t.contains(&alert.message))
            );
            let html = payload["html"].as_str().unwrap_or_default();
            assert!(html.contains("&lt;fast&gt; &amp; sure"), "{html}");
            assert!(
                html.contains("href=\"https://news.example.org/story-2\""),
                "{html}"
            );
        }
        other => panic!("no shape for {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sink_sends_the_alert_in_its_shape() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (_, _, alert) = the_alert();
    for (kind, case) in cases(dir.path(), 0).await {
        assert!(
            case.config.validate("sinks[0]").is_empty(),
            "{kind}: {:?}",
            case.config.validate("sinks[0]")
        );
        let sink = case
            .config
            .build()
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(sink.name(), kind);
        sink.deliver(&alert)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let accepted = (case.accepted)();
        assert_eq!(accepted.len(), 1, "{kind}: one message");
        assert_eq!(accepted[0].0, alert.id, "{kind}: carries the alert id");
        check_shape(kind, &alert, &accepted[0].1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sink_accepts_each_alert_once_after_a_failure_and_a_crash() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (article, claim, alert) = the_alert();
    for (kind, case) in cases(dir.path(), 1).await {
        let store = Arc::new(
            SqliteStore::open(&StoreConfig {
                path: dir.path().join(format!("{kind}.db")),
            })
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        );
        let sinks = vec![kind.to_string()];
        store
            .record(ArticleRecord {
                article: &article,
                content_hash: &article.content_hash(),
                claims: &[(claim.clone(), Some(ChangeKind::Contradiction))],
                entries: &[],
                alerts: std::slice::from_ref(&alert),
                sinks: &sinks,
                fingerprint: None,
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let spawn = || {
            let dyn_store: Arc<dyn Store> = store.clone();
            let sink: Arc<dyn Sink> = Arc::from(
                case.config
                    .build()
                    .unwrap_or_else(|e| panic!("{kind}: {e}")),
            );
            let shutdown = CancellationToken::new();
            let handle = tokio::spawn(run_worker(
                dyn_store,
                sink,
                DeliveryOptions::default(),
                Arc::new(Notify::new()),
                shutdown.clone(),
                Arc::new(Metrics::new()),
            ));
            (shutdown, handle)
        };
        let delivery_state = || async {
            store.alerts().await.ok().and_then(|a| {
                a.first()
                    .map(|s| (s.deliveries[0].1, s.deliveries[0].2.clone()))
            })
        };
        // First worker: the receiver fails (jsonl cannot: it is delivered).
        let (_, first) = spawn();
        eventually(&format!("{kind}: a first attempt recorded"), || async {
            matches!(
                delivery_state().await,
                Some((DeliveryState::Delivered, _)) | Some((DeliveryState::Pending, Some(_)))
            )
        })
        .await;
        first.abort(); // the crash, mid-backoff
        let _ = first.await;
        let (shutdown, second) = spawn();
        eventually(&format!("{kind}: delivered after the restart"), || async {
            matches!(delivery_state().await, Some((DeliveryState::Delivered, _)))
        })
        .await;
        shutdown.cancel();
        let stopped = tokio::time::timeout(PATIENCE, second).await;
        assert!(matches!(stopped, Ok(Ok(()))), "{kind}: worker stops");
        let accepted = (case.accepted)();
        let ids: Vec<String> = accepted.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(
            ids,
            std::slice::from_ref(&alert.id),
            "{kind}: accepted exactly once"
        );
        check_shape(kind, &alert, &accepted[0].1);
        store.close().await;
    }
}
