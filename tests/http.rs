//! The HTTP server for real: the daemon (`service::run_on`) on a temp dir with
//! its server on 127.0.0.1:0, driven with reqwest. Every endpoint: articles in
//! (stored, duplicate, malformed, over the cap), the token, the timeline, alerts
//! and feeds in the CLI's shapes, the live stream resumed with Last-Event-ID,
//! and /readyz while the store file is gone.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::oneshot;

use drawdown::config::Config;

mod common;
use common::{PATIENCE, eventually};

fn story(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/story")
        .join(name)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The daemon in a temp dir, its server on an ephemeral port.
struct Daemon {
    dir: tempfile::TempDir,
    base: String,
    http: reqwest::Client,
    token: Option<String>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), drawdown::service::ServiceError>>>,
}

impl Daemon {
    /// Starts it with `extra` appended to the configuration; waits for /readyz.
    async fn start(extra: &str) -> Daemon {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path();
        let config_file = root.join("drawdown.toml");
        std::fs::write(
            &config_file,
            format!(
                "[store]\npath = \"{}\"\n[inbox]\ndir = \"{}\"\nsettle = \"50ms\"\n[timeline]\nknown = \"\"\n\
                 [[sinks]]\ntype = \"jsonl\"\npath = \"{}\"\n{extra}",
                root.join("data/drawdown.db").display(),
                root.join("inbox").display(),
                root.join("alerts.jsonl").display(),
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let config = Config::load(Some(&config_file)).unwrap_or_else(|e| panic!("{e}"));
        config
            .validate(Some(&config_file))
            .unwrap_or_else(|e| panic!("{e}"));
        let token = config.http.token().map(str::to_string);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(drawdown::service::run_on(config, listener, async {
            let _ignored = stopped.await;
        }));
        let daemon = Daemon {
            dir,
            base: format!("http://{addr}"),
            http: reqwest::Client::builder()
                .timeout(PATIENCE)
                .build()
                .unwrap_or_else(|e| panic!("{e}")),
            token,
            stop: Some(stop),
            task: Some(task),
        };
        eventually("/readyz to answer 200", || async {
            daemon.get("/readyz").await.status() == StatusCode::OK
        })
        .await;
        daemon
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.authorized(self.http.get(self.url(path)))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// POSTs `body` as `content_type` to /api/articles.
    async fn post(&self, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let response = self
            .authorized(self.http.post(self.url("/api/articles")))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST: {e}"));
        let status = response.status();
        let body = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("POST answered {status} without JSON: {e}"));
        (status, body)
    }

    /// POSTs a story file with the content type its extension says.
    async fn post_story(&self, name: &str) -> (StatusCode, Value) {
        let content_type = match name.rsplit('.').next() {
            Some("json") => "application/json",
            Some("html") => "text/html",
            Some("md") => "text/markdown",
            _ => "text/plain",
        };
        self.post(content_type, read(&story(name))).await
    }

    /// SIGTERM's equivalent: stops the daemon and checks it ended well.
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ignored = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let ended = tokio::time::timeout(PATIENCE, task)
                .await
                .unwrap_or_else(|_| panic!("the daemon did not stop"));
            match ended {
                Ok(Ok(())) => {}
                Ok(Err(e)) => panic!("the daemon failed: {e}"),
                Err(e) => panic!("the daemon panicked: {e}"),
            }
        }
    }
}

/// `drawdown --config drawdown.toml ARGS` on the daemon's store, its JSON lines.
fn cli_lines(daemon: &Daemon, args: &[&str]) -> Vec<Value> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(daemon.dir.path())
        .args(["--config", "drawdown.toml"])
        .args(args)
        .env("DRAWDOWN_HTTP__LISTEN", "")
        .output()
        .unwrap_or_else(|e| panic!("drawdown {args:?}: {e}"));
    assert!(out.status.success(), "drawdown {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn kinds(alerts: &Value) -> Vec<String> {
    alerts
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["kind"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_posted_article_is_answered_once_stored_with_its_claims_and_alerts() {
    let daemon = Daemon::start("").await;
    let (status, first) = daemon.post_story("01-deal-reached.txt").await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["duplicate"], false);
    assert!(
        first["id"].as_str().is_some_and(|id| id.len() == 64),
        "{first}"
    );
    assert!(
        first["claims"].as_array().is_some_and(|c| !c.is_empty()),
        "{first}"
    );
    assert!(first["claims"][0]["event"]["key"].is_string(), "{first}");

    // The minister's September 2026 against the wire's end of 2026.
    let (status, third) = daemon.post_story("03-two-phases.json").await;
    assert_eq!(status, StatusCode::CREATED, "{third}");
    assert_eq!(kinds(&third["alerts"]), vec!["contradiction"], "{third}");
    let alert = &third["alerts"][0];
    assert!(alert["seq"].as_i64().is_some_and(|s| s > 0), "{alert}");
    assert_eq!(alert["current"]["article"]["source"], "Gulf Dispatch");
    assert_eq!(alert["previous"]["article"]["source"], "Northwire");

    // Stored means stored: the timeline has it before the answer came.
    let timeline = daemon.get_json("/api/timeline").await;
    assert!(
        timeline["entries"].as_array().is_some_and(|e| e
            .iter()
            .any(|e| !e["contested"].as_array().is_some_and(Vec::is_empty))),
        "{timeline}"
    );

    // The same content again: 200, a duplicate, the same id.
    let (status, again) = daemon.post_story("03-two-phases.json").await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["id"], third["id"]);
    assert_eq!(again["alerts"], Value::Array(Vec::new()));

    // Raw text with the headers naming title, source, date and link.
    let response = daemon
        .http
        .post(daemon.url("/api/articles"))
        .header("content-type", "text/plain; charset=utf-8")
        .header("x-title", "Coalition exit on track, officials say")
        .header("x-source", "Desk Wire")
        .header("x-published", "2025-06-14")
        .header("x-url", "https://desk.example/exit")
        .body("Officials said the coalition's withdrawal from Iraq remains on schedule.")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body["title"], "Coalition exit on track, officials say");
    assert_eq!(body["published"], "2025-06-14");
    daemon.stop().await;
}

#[tokio::test]
async fn bad_bodies_are_refused_with_the_reason_as_json() {
    let daemon = Daemon::start("[http]\nmax_body_bytes = 4096\n").await;
    let cases: [(&str, &[u8], StatusCode, &str); 5] = [
        (
            "application/json",
            b"{\"title\": \"cut off",
            StatusCode::BAD_REQUEST,
            "json",
        ),
        (
            "application/json",
            br#"{"title":"No text","published":"2024-09-10"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing_field",
        ),
        (
            "text/plain",
            b"Title: Nothing\n\n",
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_text",
        ),
        (
            "text/plain",
            b"\x00\x01\x02\x03",
            StatusCode::BAD_REQUEST,
            "binary",
        ),
        (
            "application/pdf",
            b"%PDF-1.7",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
        ),
    ];
    for (content_type, body, status, code) in cases {
        let (got, answer) = daemon.post(content_type, body.to_vec()).await;
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(code)),
            "{answer}"
        );
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // Over the cap: 413, with a JSON body too.
    let mut big = b"Title: Long\nPublished: 2024-09-10\n\n".to_vec();
    big.resize(10_000, b'a');
    let (status, answer) = daemon.post("text/plain", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"], "too_large");

    // Unknown paths and methods answer JSON as well.
    let missing = daemon.get("/api/nothing-here").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let body: Value = missing.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body["error"], "not_found");
    let wrong = daemon
        .http
        .delete(daemon.url("/api/timeline"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = wrong.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body["error"], "method_not_allowed");
    let bad_query = daemon.get("/api/alerts?limit=0").await;
    assert_eq!(bad_query.status(), StatusCode::BAD_REQUEST);
    let bad_kind = daemon.get("/api/alerts?kind=contradicton").await;
    assert_eq!(bad_kind.status(), StatusCode::BAD_REQUEST);

    // Counted by reason, on /metrics.
    let metrics = daemon
        .get("/metrics")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        metrics
            .lines()
            .any(|l| l.contains("source=\"http\"") && l.contains("missing_field")),
        "{metrics}"
    );

    // Nothing of it was stored.
    let timeline = daemon.get_json("/api/timeline").await;
    assert_eq!(timeline["entries"], Value::Array(Vec::new()));
    daemon.stop().await;
}

#[tokio::test]
async fn with_a_token_the_api_and_the_page_refuse_requests_without_it() {
    let mut daemon = Daemon::start("[http]\ntoken = \"t0ken-for-tests\"\n").await;
    let token = daemon.token.take();
    for path in [
        "/api/timeline",
        "/api/alerts",
        "/api/feeds",
        "/api/alerts/stream",
    ] {
        let refused = daemon.get(path).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(refused.headers().contains_key("www-authenticate"), "{path}");
        let body: Value = refused.json().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body["error"], "unauthorized", "{path}");
    }
    let wrong = daemon
        .http
        .get(daemon.url("/api/timeline"))
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = daemon.post_story("01-deal-reached.txt").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The page asks for the token; health needs none.
    let page = daemon.get("/").await;
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("needs its token"), "{html}");
    assert_eq!(daemon.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(daemon.get("/readyz").await.status(), StatusCode::OK);

    daemon.token = token;
    assert_eq!(daemon.get("/api/timeline").await.status(), StatusCode::OK);
    let (status, body) = daemon.post_story("01-deal-reached.txt").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(daemon.get("/").await.status(), StatusCode::OK);
    daemon.stop().await;
}

#[tokio::test]
async fn timeline_alerts_and_feeds_have_the_cli_shapes() {
    let daemon = Daemon::start(
        "[[feeds]]\nurl = \"http://127.0.0.1:9/feed.xml\"\nname = \"Off feed\"\nenabled = false\n",
    )
    .await;
    for name in [
        "01-deal-reached.txt",
        "02-minister-two-years.html",
        "03-two-phases.json",
        "04-pentagon-announces.md",
    ] {
        let (status, body) = daemon.post_story(name).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
    }

    let timeline = daemon.get_json("/api/timeline").await;
    let cli_timeline = cli_lines(&daemon, &["timeline", "--format", "json"]);
    assert_eq!(timeline["entries"], Value::Array(cli_timeline));
    let iraq = daemon
        .get_json("/api/timeline?country=iq&actor=us-led%20coalition")
        .await;
    assert_eq!(iraq["entries"], timeline["entries"]);
    let france = daemon.get_json("/api/timeline?country=FR").await;
    assert_eq!(france["entries"], Value::Array(Vec::new()));

    let all = daemon.get_json("/api/alerts").await;
    let cli_alerts = cli_lines(&daemon, &["alerts", "--format", "json"]);
    assert_eq!(all["alerts"], Value::Array(cli_alerts));
    assert_eq!(kinds(&all["alerts"]), vec!["contradiction", "update"]);
    assert_eq!(all["next"], Value::Null);

    // Page by page, following `next`.
    let first = daemon.get_json("/api/alerts?limit=1").await;
    assert_eq!(kinds(&first["alerts"]), vec!["contradiction"]);
    let next = first["next"].as_str().unwrap_or_else(|| panic!("{first}"));
    let second = daemon
        .get_json(&format!("/api/alerts?limit=1&since={next}"))
        .await;
    assert_eq!(kinds(&second["alerts"]), vec!["update"]);
    assert_eq!(second["next"], Value::Null);
    // `since` an alert id, a time; `kind`.
    let id = all["alerts"][0]["id"].as_str().unwrap_or_default();
    let after = daemon.get_json(&format!("/api/alerts?since={id}")).await;
    assert_eq!(kinds(&after["alerts"]), vec!["update"]);
    let later = daemon.get_json("/api/alerts?since=2999-01-01").await;
    assert_eq!(kinds(&later["alerts"]), Vec::<String>::new());
    let earlier = daemon
        .get_json("/api/alerts?since=2000-01-01T00:00:00Z&kind=update,refinement")
        .await;
    assert_eq!(kinds(&earlier["alerts"]), vec!["update"]);
    assert_eq!(
        daemon.get("/api/alerts?since=no-such-alert").await.status(),
        StatusCode::BAD_REQUEST
    );

    let feeds = daemon.get_json("/api/feeds").await;
    let cli_feeds = cli_lines(&daemon, &["feeds", "--format", "json"]);
    assert_eq!(feeds["feeds"], Value::Array(cli_feeds));
    assert_eq!(feeds["feeds"][0]["state"], "off");
    daemon.stop().await;
}

/// An SSE connection read event by event.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(daemon: &Daemon, last_event_id: Option<&str>) -> Events {
        let mut request = daemon.http.get(daemon.url("/api/alerts/stream"));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        // The stream outlives the client's request timeout.
        let response = request
            .timeout(Duration::from_secs(3600))
            .send()
            .await
            .unwrap_or_else(|e| panic!("stream: {e}"));
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Events {
            response,
            buffer: String::new(),
        }
    }

    /// The next `alert` event: (id, alert).
    async fn next(&mut self) -> (String, Value) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (None, None, String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if event.as_deref() == Some("alert") {
                    let alert =
                        serde_json::from_str(&data).unwrap_or_else(|e| panic!("{data}: {e}"));
                    return (id.unwrap_or_default(), alert);
                }
                continue;
            }
            let chunk = tokio::time::timeout(PATIENCE, self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no event within {PATIENCE:?}"))
                .unwrap_or_else(|e| panic!("stream: {e}"))
                .unwrap_or_else(|| panic!("the stream ended"));
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Nothing more within `wait` (a short look: the stream is live).
    async fn quiet_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.next()).await.is_err()
    }
}

#[tokio::test]
async fn the_stream_sends_each_alert_once_and_resumes_from_last_event_id() {
    let daemon = Daemon::start("").await;
    let mut live = Events::open(&daemon, None).await;
    daemon.post_story("01-deal-reached.txt").await;
    daemon.post_story("03-two-phases.json").await;
    let (first_id, first) = live.next().await;
    assert_eq!(first["kind"], "contradiction");
    assert_eq!(
        first["seq"].as_i64().map(|s| s.to_string()),
        Some(first_id.clone())
    );
    drop(live);

    // While nobody listens, 04 raises its update.
    let (_, fourth) = daemon.post_story("04-pentagon-announces.md").await;
    assert_eq!(kinds(&fourth["alerts"]), vec!["update"]);

    // Back with the last id seen: exactly what was missed, then live.
    let mut resumed = Events::open(&daemon, Some(&first_id)).await;
    let (missed_id, missed) = resumed.next().await;
    assert_eq!(missed["kind"], "update");
    assert_eq!(missed["id"], fourth["alerts"][0]["id"]);
    assert!(
        resumed.quiet_for(Duration::from_millis(300)).await,
        "a duplicate was sent"
    );
    let (status, late) = daemon
        .post(
            "text/plain",
            b"Title: Troops out by March 2027\nSource: Late Wire\nPublished: 2025-01-10\n\n\
              The US-led coalition's final withdrawal from Iraq has been pushed back to March 2027, officials said."
                .to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{late}");
    let raised = &late["alerts"][0];
    assert_eq!(raised["kind"], "update", "{late}");
    let (live_id, live_alert) = resumed.next().await;
    assert_eq!(live_alert["id"], raised["id"]);
    assert!(live_id.parse::<i64>().unwrap_or(0) > missed_id.parse::<i64>().unwrap_or(0));

    // From the start: every alert in order, each once.
    let mut replay = Events::open(&daemon, Some("0")).await;
    let all = daemon.get_json("/api/alerts").await;
    for expected in all["alerts"].as_array().into_iter().flatten() {
        let (id, alert) = replay.next().await;
        assert_eq!(alert["id"], expected["id"]);
        assert_eq!(Some(id), expected["seq"].as_i64().map(|s| s.to_string()));
    }
    assert!(replay.quiet_for(Duration::from_millis(300)).await);
    daemon.stop().await;
}

#[tokio::test]
async fn readyz_says_why_when_the_store_file_is_gone_and_healthz_stays_up() {
    let daemon = Daemon::start("").await;
    let body = daemon.get_json("/readyz").await;
    assert_eq!(body["status"], "ready");
    let db = daemon.dir.path().join("data/drawdown.db");
    let aside = daemon.dir.path().join("data/drawdown.db.moved");
    std::fs::rename(&db, &aside).unwrap_or_else(|e| panic!("{e}"));

    let response = daemon.get("/readyz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body["error"], "not_ready");
    let reason = body["reasons"][0].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("store: ") && reason.contains("removed or replaced"),
        "{body}"
    );
    assert_eq!(daemon.get("/healthz").await.status(), StatusCode::OK);

    // Another file in its place is not the store either.
    std::fs::write(&db, b"").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        daemon.get("/readyz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    std::fs::rename(&aside, &db).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(daemon.get("/readyz").await.status(), StatusCode::OK);
    daemon.stop().await;
}

#[tokio::test]
async fn the_page_shows_the_timeline_and_explains_an_alert() {
    let daemon = Daemon::start("").await;
    daemon.post_story("01-deal-reached.txt").await;
    let (_, third) = daemon.post_story("03-two-phases.json").await;
    let page = daemon.get("/").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("class=\"row contested\""), "{html}");
    assert!(
        html.contains("Gulf Dispatch") && html.contains("Northwire"),
        "{html}"
    );

    let id = third["alerts"][0]["id"].as_str().unwrap_or_default();
    let explained = daemon.get(&format!("/alerts/{id}")).await;
    assert_eq!(explained.status(), StatusCode::OK);
    let html = explained.text().await.unwrap_or_default();
    assert!(
        html.contains("Known before") && html.contains("Reported now"),
        "{html}"
    );
    assert!(html.contains("cannot both hold"), "{html}");
    assert_eq!(
        daemon.get("/alerts/no-such-alert").await.status(),
        StatusCode::NOT_FOUND
    );
    let css = daemon.get("/assets/style.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    daemon.stop().await;
}

#[test]
fn check_config_refuses_listening_beyond_loopback_without_a_token() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let check = |toml: &str, env: &[(&str, &str)]| {
        std::fs::write(dir.path().join("drawdown.toml"), toml).unwrap_or_else(|e| panic!("{e}"));
        std::process::Command::new(env!("CARGO_BIN_EXE_drawdown"))
            .current_dir(dir.path())
            .args(["--config", "drawdown.toml", "check-config"])
            .envs(env.iter().copied())
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let open = check("[http]\nlisten = \"0.0.0.0:8790\"\n", &[]);
    assert_eq!(open.status.code(), Some(2), "{open:?}");
    let said = String::from_utf8_lossy(&open.stderr);
    assert!(said.contains("http.listen: 0.0.0.0:8790"), "{said}");
    let guarded = check(
        "[http]\nlisten = \"0.0.0.0:8790\"\n",
        &[("DRAWDOWN_HTTP__TOKEN", "a-long-secret")],
    );
    assert_eq!(guarded.status.code(), Some(0), "{guarded:?}");
    assert!(!String::from_utf8_lossy(&guarded.stdout).contains("a-long-secret"));
}
