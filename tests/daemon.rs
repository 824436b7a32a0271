//! The daemon end to end, as a user runs it: `drawdown run` on a temp dir,
//! articles dropped into the inbox (copied, and written then renamed), junk
//! set aside with a reason, the same article twice raising nothing, alerts in
//! the JSONL sink, and SIGTERM ending it with exit code 0 within 5 seconds.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;

#[path = "common/binary.rs"]
mod binary;

fn story(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/story")
        .join(name)
}

/// Polls `cond` every 20 ms until it holds or `limit` passes.
fn wait_for(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn jsonl_alerts(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The alerts that 01, 02, 03 and 04 of the story raise together with this
/// config: the contradiction of 03 and the pullout begun in 04 (the story's
/// labels.toml; measured 2026-12-02).
const EXPECTED_ALERTS: usize = 2;

/// Kills the daemon if the test fails before it stops it.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ignored = self.0.kill();
        let _ignored = self.0.wait();
    }
}

#[test]
fn the_daemon_processes_the_inbox_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let root = dir.path();
    let inbox = root.join("inbox");
    let alerts_file = root.join("out/alerts.jsonl");
    std::fs::create_dir_all(&inbox).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        root.join("drawdown.toml"),
        format!(
            "[http]\nlisten = \"127.0.0.1:0\"\n[store]\npath = \"{}\"\n[inbox]\ndir = \"{}\"\n[timeline]\nknown = \"\"\n\
             [[sinks]]\ntype = \"jsonl\"\npath = \"{}\"\n[[sinks]]\ntype = \"stdout\"\nformat = \"json\"\n",
            root.join("data/drawdown.db").display(),
            inbox.display(),
            alerts_file.display()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    // Already waiting when the service starts.
    std::fs::copy(
        story("01-deal-reached.txt"),
        inbox.join("01-deal-reached.txt"),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let child = Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(root)
        .args(["--config", "drawdown.toml", "run"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting drawdown run: {e}"));
    let mut daemon = Daemon(child);
    let limit = Duration::from_secs(20);
    let done = inbox.join("done");
    let failed = inbox.join("failed");

    wait_for(limit, "the pre-existing article in done/", || {
        names_in(&done).contains(&"01-deal-reached.txt".to_string())
    });

    // A copy, then the usual write-to-temp-then-rename.
    std::fs::copy(story("02-minister-two-years.html"), inbox.join("02.html"))
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for(limit, "02 in done/", || {
        names_in(&done).contains(&"02.html".to_string())
    });
    let temp = inbox.join(".03.json.part");
    std::fs::copy(story("03-two-phases.json"), &temp).unwrap_or_else(|e| panic!("{e}"));
    let dropped = Instant::now();
    std::fs::rename(&temp, inbox.join("03-two-phases.json")).unwrap_or_else(|e| panic!("{e}"));
    wait_for(limit, "the contradiction in the JSONL sink", || {
        jsonl_alerts(&alerts_file)
            .iter()
            .any(|a| a["kind"] == "contradiction" && a["event"]["milestone"] == "final")
    });
    eprintln!("drop to alert in the jsonl sink: {:?}", dropped.elapsed());
    wait_for(limit, "03 in done/", || {
        names_in(&done).contains(&"03-two-phases.json".to_string())
    });

    // Junk: each lands in failed/ with a reason, and the service keeps going.
    std::fs::write(inbox.join("junk.txt"), [0u8, 159, 146, 150, 0, 1, 2, 3])
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inbox.join("empty.txt"), "").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        inbox.join("lying-bom.txt"),
        b"\xef\xbb\xbfTitle: Caf\xe9\n\nTroops left.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inbox.join("report.pdf"), "%PDF-1.4").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        inbox.join("missing.json"),
        r#"{"title":"No body","published":"2024-09-10"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for bad in [
        "junk.txt",
        "empty.txt",
        "lying-bom.txt",
        "report.pdf",
        "missing.json",
    ] {
        wait_for(limit, bad, || {
            let names = names_in(&failed);
            names.contains(&bad.to_string()) && names.contains(&format!("{bad}.reason"))
        });
        let reason = std::fs::read_to_string(failed.join(format!("{bad}.reason")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!reason.trim().is_empty(), "{bad}: empty reason");
    }

    // The same article again, under another name: processed, but nothing raised.
    std::fs::copy(story("03-two-phases.json"), inbox.join("03-again.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for(limit, "the duplicate in done/", || {
        names_in(&done).contains(&"03-again.json".to_string())
    });
    // And a good article after all that still works.
    std::fs::copy(story("04-pentagon-announces.md"), inbox.join("04.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for(limit, "04 in done/", || {
        names_in(&done).contains(&"04.md".to_string())
    });

    // SIGTERM: exit 0 within 5 seconds.
    let pid = Pid::from_raw(daemon.0.id() as i32);
    kill(pid, Signal::SIGTERM).unwrap_or_else(|e| panic!("sending SIGTERM: {e}"));
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = daemon.0.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(5),
            "still running 5 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");
    eprintln!("stopped {:?} after SIGTERM", stopping.elapsed());

    // Now that nothing runs: the store holds each alert once, the duplicate
    // article raised none, and the JSONL sink got each of them exactly once.
    let listed = binary::listed_alerts(root);
    let mut ids: Vec<&str> = listed.iter().filter_map(|a| a["id"].as_str()).collect();
    assert_eq!(ids.len(), listed.len(), "alerts without an id: {listed:#?}");
    ids.sort_unstable();
    let before_dedup = ids.len();
    ids.dedup();
    assert_eq!(
        ids.len(),
        before_dedup,
        "an alert listed twice: {listed:#?}"
    );
    assert_eq!(
        listed.len(),
        EXPECTED_ALERTS,
        "alerts raised by 01, 02, 03 and 04 (03-again raises none): {listed:#?}"
    );
    let mut sent: Vec<String> = jsonl_alerts(&alerts_file)
        .iter()
        .filter_map(|a| a["id"].as_str().map(str::to_string))
        .collect();
    sent.sort_unstable();
    assert_eq!(sent, ids, "the JSONL sink got each alert once");

    // The stdout sink printed the same alerts as JSON lines.
    let mut stdout = String::new();
    if let Some(mut out) = daemon.0.stdout.take() {
        out.read_to_string(&mut stdout)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let printed: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(
        printed,
        jsonl_alerts(&alerts_file),
        "stdout and jsonl sinks differ"
    );
    let mut stderr = String::new();
    if let Some(mut err) = daemon.0.stderr.take() {
        err.read_to_string(&mut stderr)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(
        stderr.contains("article processed"),
        "no per-article log line: {stderr}"
    );
}

/// With a queue budget of 4 KiB, at most a couple of articles wait for the
/// pipeline at once and one larger than the whole budget passes alone: the
/// drop folder is held back, and still every article is processed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_queue_budget_holds_the_source_back_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let root = dir.path();
    let inbox = root.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap_or_else(|e| panic!("{e}"));
    let config_file = root.join("drawdown.toml");
    std::fs::write(
        &config_file,
        format!(
            "[http]\nlisten = \"127.0.0.1:0\"\n[store]\npath = \"{}\"\n[inbox]\ndir = \"{}\"\nsettle = \"50ms\"\n[timeline]\nknown = \"\"\n\
             [pipeline]\nqueue_bytes = 4096\n\
             [[sinks]]\ntype = \"jsonl\"\npath = \"{}\"\n",
            root.join("data/drawdown.db").display(),
            inbox.display(),
            root.join("out/alerts.jsonl").display()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut expected = Vec::new();
    for n in 0..60 {
        let name = format!("{n:02}-report.txt");
        let filler = format!("Report {n} notes that the convoy moved at dawn. ").repeat(30);
        std::fs::write(
            inbox.join(&name),
            format!("Coalition report {n}\n\nTroops leave by September 2026. {filler}\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        expected.push(name);
    }
    let big = "The convoy moved at dawn and nobody said where it went. ".repeat(400);
    std::fs::write(
        inbox.join("99-long-read.txt"),
        format!("A long read\n\n{big}\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    expected.push("99-long-read.txt".to_string());

    let config =
        drawdown::config::Config::load(Some(&config_file)).unwrap_or_else(|e| panic!("{e}"));
    config
        .validate(Some(&config_file))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.pipeline.queue_bytes, 4096);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let daemon = tokio::spawn(drawdown::service::run(config, async {
        let _ignored = stopped.await;
    }));
    let done = inbox.join("done");
    let waited = tokio::time::timeout(Duration::from_secs(60), async {
        while names_in(&done) != expected {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let _ignored = stop.send(());
    assert!(
        waited.is_ok(),
        "not every article reached done/: {:?}, failed/: {:?}",
        names_in(&done),
        names_in(&inbox.join("failed"))
    );
    match tokio::time::timeout(Duration::from_secs(20), daemon).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => panic!("the service failed: {e}"),
        Ok(Err(e)) => panic!("the service panicked: {e}"),
        Err(_) => panic!("the service did not stop"),
    }
}
