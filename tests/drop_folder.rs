//! The drop folder against a real temporary folder and real notify events: files
//! present at start, copied in, renamed in from temporary names, broken ones, the
//! same name twice, pipeline failures kept for the next start, and shutdown.
//! A task stands in for the pipeline: it records each `Incoming` and answers it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use drawdown::metrics::{INBOX_FILES, Metrics, QUARANTINED, TRANSCODED};
use drawdown::source::drop_folder::{DropFolder, InboxConfig};
use drawdown::source::{Incoming, Processed, Source, SourceError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long any one awaited outcome may take before the test fails.
const WAIT: Duration = Duration::from_secs(10);

fn fixture(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
        .join(name)
}

/// One article the stand-in pipeline received.
#[derive(Debug, Clone)]
struct Handover {
    origin: String,
    title: String,
    text: String,
    path: Option<PathBuf>,
    at: Instant,
}

type Seen = Arc<Mutex<Vec<Handover>>>;

struct Running {
    inbox: PathBuf,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), SourceError>>,
    seen: Seen,
}

impl Running {
    fn seen(&self) -> Vec<Handover> {
        self.seen.lock().unwrap().clone()
    }

    fn origins(&self) -> Vec<String> {
        self.seen().into_iter().map(|h| h.origin).collect()
    }

    async fn stop(self) -> Result<(), SourceError> {
        self.shutdown.cancel();
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("the drop folder did not stop")
            .expect("the drop folder panicked")
    }
}

/// A drop folder started without a stand-in pipeline: the test reads its output.
struct Raw {
    rx: mpsc::Receiver<Incoming>,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), SourceError>>,
}

/// Starts the drop folder on `inbox` and returns the receiving end of its output.
fn start_raw(inbox: &Path) -> Raw {
    let metrics = Arc::new(Metrics::new());
    let config = InboxConfig {
        dir: inbox.to_path_buf(),
        ..InboxConfig::default()
    };
    let source: Box<dyn Source> = Box::new(DropFolder::new(config, metrics.clone()));
    let (tx, rx) = mpsc::channel(8);
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(source.run(tx.into(), shutdown.clone()));
    Raw {
        rx,
        metrics,
        shutdown,
        task,
    }
}

/// Starts the drop folder with a pipeline that records everything and answers `answer`.
fn start(inbox: &Path, answer: Processed) -> Running {
    let Raw {
        mut rx,
        metrics,
        shutdown,
        task,
    } = start_raw(inbox);
    let seen: Seen = Arc::default();
    let record = seen.clone();
    tokio::spawn(async move {
        while let Some(incoming) = rx.recv().await {
            record.lock().unwrap().push(Handover {
                origin: incoming.origin.clone(),
                title: incoming.article.title.clone(),
                text: incoming.article.text.clone(),
                path: incoming.article.path.clone(),
                at: Instant::now(),
            });
            if let Some(done) = incoming.done {
                let _ = done.send(answer.clone());
            }
        }
    });
    Running {
        inbox: inbox.to_path_buf(),
        metrics,
        shutdown,
        task,
        seen,
    }
}

fn stored() -> Processed {
    Processed::Stored {
        claims: 0,
        alerts: 0,
    }
}

/// Polls `cond` every 20 ms until it holds; fails the test after `WAIT`.
async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let polled = tokio::time::timeout(WAIT, async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(polled.is_ok(), "timed out waiting for {what}");
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Drops a file and waits until it is done: proves the watcher is running.
async fn warm_up(run: &Running, name: &str) {
    std::fs::write(run.inbox.join(name), format!("Warm-up {name}\n\nReady.\n")).unwrap();
    let done = run.inbox.join("done").join(name);
    wait_for(name, || done.exists()).await;
}

#[tokio::test]
async fn processes_files_present_at_start_and_claimed_before_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(inbox.join(".processing")).unwrap();
    std::fs::copy(
        fixture("articles", "01-mission-exit-agreed.txt"),
        inbox.join("present.txt"),
    )
    .unwrap();
    std::fs::copy(
        fixture("articles", "04-wire-troops-remaining.json"),
        inbox.join(".processing/claimed.json"),
    )
    .unwrap();

    let run = start(&inbox, stored());
    let done = inbox.join("done");
    // Filing away links into done/ first, then unlinks the claim: wait for both.
    wait_for("both files in done/ and out of .processing", || {
        names_in(&done) == ["claimed.json", "present.txt"]
            && names_in(&inbox.join(".processing")).is_empty()
    })
    .await;

    let seen = run.seen();
    assert_eq!(seen.len(), 2);
    // The claim folder is emptied first, and articles are named after the inbox.
    assert_eq!(
        seen[0].origin,
        inbox.join("claimed.json").display().to_string()
    );
    assert_eq!(
        seen[0].path.as_deref(),
        Some(inbox.join("claimed.json").as_path())
    );
    assert_eq!(
        seen[1].title,
        "Portugal-led training mission to leave Mozambique by the end of 2026"
    );
    assert!(names_in(&inbox.join(".processing")).is_empty());
    assert!(names_in(&inbox).is_empty());
    assert_eq!(run.metrics.get(INBOX_FILES, &[("outcome", "read")]), 2);
    assert_eq!(run.metrics.get(INBOX_FILES, &[("outcome", "done")]), 2);
    run.stop().await.unwrap();
}

#[tokio::test]
async fn hands_over_a_copied_file_within_a_second_and_moves_it_to_done() {
    let tmp = tempfile::tempdir().unwrap();
    let run = start(tmp.path(), stored());
    warm_up(&run, "warm-up.txt").await;

    let target = run.inbox.join("03-coastal-observer.html");
    let copied = Instant::now();
    std::fs::copy(fixture("articles", "03-coastal-observer.html"), &target).unwrap();
    wait_for("the copied file to be handed over", || {
        run.seen().len() == 2
    })
    .await;
    let handover = run.seen()[1].clone();
    let latency = handover.at.duration_since(copied);
    eprintln!("copy to hand-over: {latency:?}");
    assert!(latency < Duration::from_secs(2), "took {latency:?}");
    assert_eq!(
        handover.title,
        "Mozambique training mission now to end in September 2026"
    );
    assert_eq!(handover.origin, target.display().to_string());

    let done = run.inbox.join("done/03-coastal-observer.html");
    wait_for("the file in done/", || done.exists()).await;
    assert!(!target.exists());
    run.stop().await.unwrap();
}

#[tokio::test]
async fn temporary_names_renamed_into_place_are_processed_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let run = start(tmp.path(), stored());
    warm_up(&run, "warm-up.txt").await;

    let body = std::fs::read(fixture("articles", "02-pemba-first-phase.md")).unwrap();
    for (temp, name) in [
        ("pemba.md.tmp", "pemba.md"),
        (".pemba-hidden.md", "pemba-hidden.md"),
        ("pemba-part.md.part", "pemba-part.md"),
    ] {
        std::fs::write(run.inbox.join(temp), &body).unwrap();
        std::fs::rename(run.inbox.join(temp), run.inbox.join(name)).unwrap();
    }
    let done = run.inbox.join("done");
    wait_for("the renamed files in done/", || names_in(&done).len() == 4).await;
    // A later file is handled after any late duplicate would have been.
    warm_up(&run, "barrier.txt").await;

    let mut origins: Vec<String> = run
        .origins()
        .into_iter()
        .map(|o| {
            Path::new(&o)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    origins.sort();
    assert_eq!(
        origins,
        [
            "barrier.txt",
            "pemba-hidden.md",
            "pemba-part.md",
            "pemba.md",
            "warm-up.txt"
        ]
    );
    assert_eq!(
        names_in(&done),
        [
            "barrier.txt",
            "pemba-hidden.md",
            "pemba-part.md",
            "pemba.md",
            "warm-up.txt"
        ]
    );
    assert!(
        run.seen()
            .iter()
            .filter(|h| h.origin.ends_with("pemba.md"))
            .all(|h| h.title == "First foreign instructors leave Pemba camp")
    );
    run.stop().await.unwrap();
}

#[tokio::test]
async fn broken_files_go_to_failed_with_a_reason_and_the_source_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let run = start(tmp.path(), stored());
    let cases = [
        ("binary.txt", "binary data", "binary"),
        ("empty.txt", "the file is empty", "empty"),
        (
            "bom-then-latin1.txt",
            "starts with a UTF-8 byte order mark but byte 51 is not valid UTF-8",
            "bad_encoding",
        ),
        (
            "scan.pdf",
            "\".pdf\" is not an article format; accepted: .txt, .md, .html, .htm, .json",
            "unknown_extension",
        ),
        (
            "missing-text.json",
            "the JSON has no \"text\"",
            "missing_field",
        ),
    ];
    for (name, _, _) in &cases {
        std::fs::copy(fixture("bad", name), run.inbox.join(name)).unwrap();
    }
    let failed = run.inbox.join("failed");
    for (name, why, reason_code) in &cases {
        let reason = failed.join(format!("{name}.reason"));
        wait_for(name, || reason.exists()).await;
        assert!(failed.join(name).exists(), "{name} not kept in failed/");
        let text = std::fs::read_to_string(&reason).unwrap();
        assert!(text.contains(why), "{name}: {text}");
        assert!(
            text.contains(name),
            "{name}: the reason names the file: {text}"
        );
        assert!(text.lines().count() <= 2, "{text}");
        let reason = [("source", "inbox"), ("reason", *reason_code)];
        assert_eq!(run.metrics.get(QUARANTINED, &reason), 1, "{reason_code}");
    }
    assert_eq!(run.metrics.get(INBOX_FILES, &[("outcome", "failed")]), 5);

    std::fs::copy(
        fixture("articles", "01-mission-exit-agreed.txt"),
        run.inbox.join("good.txt"),
    )
    .unwrap();
    let done = run.inbox.join("done/good.txt");
    wait_for("the good file after the broken ones", || done.exists()).await;
    assert_eq!(run.seen().len(), 1);
    assert!(names_in(&run.inbox).is_empty());
    assert!(names_in(&run.inbox.join(".processing")).is_empty());
    run.stop().await.unwrap();
}

/// Files saved by hand in Windows-1252, UTF-16 (with a BOM) or a page that
/// declares its charset are handed over decoded, not refused, and counted
/// under the encoding assumed.
#[tokio::test]
async fn files_in_other_encodings_are_handed_over_decoded_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let run = start(tmp.path(), stored());
    let cases = [
        (
            "windows-1252.txt",
            "windows-1252",
            "detected",
            "at a café near the ministry; the cost is put at €40 million.",
        ),
        ("utf-16le.txt", "UTF-16LE", "bom", "Naïve estimates"),
        (
            "windows-1252.html",
            "windows-1252",
            "declared",
            "“It is the end of an era,”",
        ),
    ];
    for (name, _, _, _) in &cases {
        std::fs::copy(fixture("encodings", name), run.inbox.join(name)).unwrap();
    }
    for (name, encoding, how, words) in cases {
        let done = run.inbox.join("done").join(name);
        wait_for(name, || done.exists()).await;
        let seen = run.seen();
        let handover = seen
            .iter()
            .find(|h| h.origin.ends_with(name))
            .unwrap_or_else(|| panic!("{name} not handed over"));
        assert!(handover.text.contains(words), "{name}: {}", handover.text);
        let labels = [("source", "inbox"), ("encoding", encoding), ("how", how)];
        assert!(
            run.metrics.get(TRANSCODED, &labels) >= 1,
            "{name}: {labels:?}"
        );
    }
    assert_eq!(run.metrics.sum(TRANSCODED), 3);
    assert!(!run.inbox.join("failed").join("windows-1252.txt").exists());
    run.stop().await.unwrap();
}

#[tokio::test]
async fn the_same_name_dropped_twice_lands_twice_in_done() {
    let tmp = tempfile::tempdir().unwrap();
    let run = start(tmp.path(), stored());
    let done = run.inbox.join("done");

    std::fs::write(run.inbox.join("repeat.txt"), "First take\n\nOne.\n").unwrap();
    wait_for("the first copy", || done.join("repeat.txt").exists()).await;
    std::fs::write(run.inbox.join("repeat.txt"), "Second take\n\nTwo.\n").unwrap();
    wait_for("the second copy", || done.join("repeat-1.txt").exists()).await;

    assert_eq!(
        std::fs::read_to_string(done.join("repeat.txt")).unwrap(),
        "First take\n\nOne.\n"
    );
    assert_eq!(
        std::fs::read_to_string(done.join("repeat-1.txt")).unwrap(),
        "Second take\n\nTwo.\n"
    );
    let titles: Vec<String> = run.seen().into_iter().map(|h| h.title).collect();
    assert_eq!(titles, ["First take", "Second take"]);
    run.stop().await.unwrap();
}

#[tokio::test]
async fn a_pipeline_failure_keeps_the_file_for_the_next_start() {
    let tmp = tempfile::tempdir().unwrap();
    let run = start(tmp.path(), Processed::Failed("database is locked".into()));
    std::fs::write(run.inbox.join("kept.txt"), "Kept\n\nText.\n").unwrap();
    wait_for("the hand-over", || run.seen().len() == 1).await;
    // The files of one look are answered before the next look: once the next
    // file is handed over, the answer about the first has been acted on.
    std::fs::write(run.inbox.join("next.txt"), "Next\n\nText.\n").unwrap();
    wait_for("the second hand-over", || run.seen().len() == 2).await;
    let inbox = run.inbox.clone();
    assert_eq!(run.metrics.get(INBOX_FILES, &[("outcome", "done")]), 0);
    run.stop().await.unwrap();
    assert!(names_in(&inbox.join("done")).is_empty());
    assert_eq!(
        names_in(&inbox.join(".processing")),
        ["kept.txt", "next.txt"]
    );

    // The next start reads them again, before anything else.
    let again = start(&inbox, stored());
    wait_for("the retried files in done/", || {
        names_in(&inbox.join("done")) == ["kept.txt", "next.txt"]
    })
    .await;
    assert!(names_in(&inbox.join(".processing")).is_empty());
    again.stop().await.unwrap();
}

/// Files that settle together are handed over without waiting for each answer,
/// so the pipeline can store them in one transaction; each goes to `done/`
/// once its answer comes.
#[tokio::test]
async fn files_that_settle_together_are_handed_over_together() {
    let tmp = tempfile::tempdir().unwrap();
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for n in 1..=5 {
        let path = tmp.path().join(format!("a{n}.txt"));
        std::fs::write(&path, format!("Article {n}\n\nText {n}.\n")).unwrap();
        // Long untouched: all five settle at the first look.
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(an_hour_ago))
            .unwrap();
    }
    let Raw {
        mut rx,
        metrics,
        shutdown,
        task,
    } = start_raw(tmp.path());
    let mut held = Vec::new();
    for n in 1..=5 {
        let incoming = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("file {n} was not handed over before the first answer"))
            .expect("the source closed its output");
        held.push(incoming);
    }
    let titles: Vec<&str> = held.iter().map(|i| i.article.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Article 1",
            "Article 2",
            "Article 3",
            "Article 4",
            "Article 5"
        ]
    );
    assert!(names_in(&tmp.path().join("done")).is_empty());
    for incoming in held {
        incoming
            .done
            .expect("an answer channel")
            .send(stored())
            .unwrap();
    }
    wait_for("all five in done/", || {
        names_in(&tmp.path().join("done")).len() == 5
    })
    .await;
    assert_eq!(metrics.get(INBOX_FILES, &[("outcome", "done")]), 5);
    shutdown.cancel();
    let result = tokio::time::timeout(WAIT, task)
        .await
        .expect("the drop folder did not stop")
        .expect("the drop folder panicked");
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn shutdown_finishes_the_file_in_hand_and_returns_ok() {
    let tmp = tempfile::tempdir().unwrap();
    let Raw {
        mut rx,
        metrics,
        shutdown,
        task,
    } = start_raw(tmp.path());
    std::fs::write(tmp.path().join("in-hand.txt"), "In hand\n\nText.\n").unwrap();
    let incoming = tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("no hand-over")
        .expect("the source closed its output");
    assert_eq!(incoming.article.title, "In hand");

    // Stop while the pipeline still holds the article; answer afterwards.
    shutdown.cancel();
    tokio::task::yield_now().await;
    assert!(!task.is_finished());
    incoming
        .done
        .expect("an answer channel")
        .send(stored())
        .unwrap();
    let result = tokio::time::timeout(WAIT, task)
        .await
        .expect("the drop folder did not stop")
        .expect("the drop folder panicked");
    assert!(result.is_ok(), "{result:?}");
    assert!(tmp.path().join("done/in-hand.txt").exists());
    assert_eq!(metrics.get(INBOX_FILES, &[("outcome", "done")]), 1);
}

#[tokio::test]
async fn shutdown_while_idle_returns_ok() {
    let tmp = tempfile::tempdir().unwrap();
    let run = start(tmp.path(), stored());
    warm_up(&run, "warm-up.txt").await;
    assert!(run.stop().await.is_ok());
}

#[tokio::test]
async fn returns_when_the_pipeline_closes() {
    let tmp = tempfile::tempdir().unwrap();
    let Raw { rx, task, .. } = start_raw(tmp.path());
    drop(rx);
    let result = tokio::time::timeout(WAIT, task)
        .await
        .expect("the drop folder did not notice")
        .expect("the drop folder panicked");
    assert!(result.is_ok(), "{result:?}");
}

/// A file outside the inbox, readable by the service, that must never be read
/// through the drop folder: an article-shaped file, so that reading it would
/// hand it over.
#[cfg(unix)]
fn private_file(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let secret = dir.join("private.txt");
    std::fs::write(
        &secret,
        "Title: Private notes\n\nCONFIDENTIAL: troops leave by September 2026.\n",
    )
    .unwrap();
    secret
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlink_in_the_inbox_is_refused_unread_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = private_file(&tmp.path().join("outside"));
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let run = start(&inbox, stored());
    warm_up(&run, "warm-up.txt").await;

    std::os::unix::fs::symlink(&secret, inbox.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("nowhere.txt"), inbox.join("dangling.txt")).unwrap();
    let failed = inbox.join("failed");
    for name in ["leak.txt", "dangling.txt"] {
        let reason = failed.join(format!("{name}.reason"));
        wait_for(name, || reason.exists()).await;
        let text = std::fs::read_to_string(&reason).unwrap();
        assert!(text.contains("a symbolic link, not a file"), "{text}");
        assert!(text.contains("reason: symlink"), "{text}");
        // Kept as the link it was, never lost.
        let kept = std::fs::symlink_metadata(failed.join(name)).unwrap();
        assert!(kept.file_type().is_symlink(), "{name}");
    }
    // A file dropped after the links is handed over; the linked one never was.
    std::fs::write(inbox.join("after.txt"), "After\n\nText.\n").unwrap();
    wait_for("the file after the links", || {
        inbox.join("done/after.txt").exists()
    })
    .await;
    let titles: Vec<String> = run.seen().into_iter().map(|h| h.title).collect();
    assert_eq!(titles, ["Warm-up warm-up.txt", "After"]);
    assert_eq!(
        run.metrics
            .get(QUARANTINED, &[("source", "inbox"), ("reason", "symlink")]),
        2
    );
    assert_eq!(run.metrics.get(INBOX_FILES, &[("outcome", "failed")]), 2);
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        "Title: Private notes\n\nCONFIDENTIAL: troops leave by September 2026.\n",
        "the linked file is left as it was"
    );
    run.stop().await.unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn a_claim_folder_linked_out_of_the_inbox_stops_the_source_and_moves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("service-data");
    let secret = private_file(&outside);
    std::fs::write(outside.join("drawdown.db"), "the service's own data").unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::os::unix::fs::symlink(&outside, inbox.join(".processing")).unwrap();

    let run = start(&inbox, stored());
    let result = tokio::time::timeout(WAIT, run.task)
        .await
        .expect("the drop folder did not stop")
        .expect("the drop folder panicked");
    let err = result.expect_err("a linked .processing is refused");
    assert!(err.to_string().contains("is a symbolic link"), "{err}");
    assert!(run.seen.lock().unwrap().is_empty());
    assert!(secret.exists() && outside.join("drawdown.db").exists());
    assert!(names_in(&inbox.join("failed")).is_empty());
    assert!(names_in(&inbox.join("done")).is_empty());
}

#[tokio::test]
async fn a_dropped_file_named_like_a_reason_is_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let run = start(tmp.path(), stored());
    let failed = run.inbox.join("failed");

    // Refused for its extension: kept in failed/ as x.txt.reason.
    std::fs::write(run.inbox.join("x.txt.reason"), "precious notes").unwrap();
    wait_for("x.txt.reason in failed/", || {
        failed.join("x.txt.reason.reason").exists()
    })
    .await;
    // Then x.txt, refused too: its reason must go elsewhere.
    std::fs::write(run.inbox.join("x.txt"), "").unwrap();
    let numbered = failed.join("x.txt.reason.1");
    let dropped = || std::fs::read_to_string(failed.join("x.txt.reason")).unwrap();
    // Written whole: the file exists from its creation, its last line
    // ("reason: ...") comes with the body.
    let numbered_whole =
        || std::fs::read_to_string(&numbered).is_ok_and(|r| r.contains("\nreason: "));
    wait_for("x.txt's reason written", || {
        numbered_whole() || dropped() != "precious notes"
    })
    .await;
    assert_eq!(
        dropped(),
        "precious notes",
        "the dropped file was overwritten"
    );
    let reason = std::fs::read_to_string(&numbered).unwrap();
    assert!(reason.contains("the file is empty"), "{reason}");
    assert_eq!(std::fs::read(failed.join("x.txt")).unwrap(), b"");
    assert_eq!(run.metrics.get(INBOX_FILES, &[("outcome", "failed")]), 2);
    run.stop().await.unwrap();
}
