//! The drop folder (`[inbox]`): a `Source` that watches one folder for article files
//! dropped by hand or by scripts. Each file, once it stops changing, is claimed by a
//! rename into `.processing/`, parsed by `article_file`, handed to the pipeline (files
//! that settle together go together, so they are stored in one transaction), and
//! moved to `done/` once stored, or to `failed/` with a `.reason` if it cannot be read.
//! Only what was put in the folder is read: links are refused, never followed.
//! No file is handled twice, overwritten or lost: a crash leaves it claimed, and the
//! next start processes the claim folder first. It knows nothing of claims or alerts.
//! `watch.rs` turns notify's events into signals; `files.rs` lists, claims and
//! files away without overwriting.

#![warn(missing_docs)]

mod files;
mod watch;

use std::collections::{HashMap, VecDeque};
use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, debug_span, error, info, warn};

use super::article_file::{ArticleError, is_hidden_or_temporary, read_article_as};
use super::{ArticleSender, Incoming, Processed, Source, SourceError, Started};
use crate::metrics::{InboxFile, Metrics, SourceKind};
use crate::model::Article;
use crate::pipeline::MAX_BATCH;
use files::{claim, file_away, is_candidate, list_files, write_new};
use watch::{Candidate, Signature, WatchSignal, start_watcher};

/// Where claimed files wait while the pipeline handles them (hidden, so that
/// nothing else picks them up).
pub const CLAIM_DIR: &str = ".processing";
/// Where stored (or duplicate) articles end up.
pub const DONE_DIR: &str = "done";
/// Where unreadable files end up, each with a `NAME.reason` (`NAME.reason.1`,
/// ... when a file of that name is already there: a dropped one is never replaced).
pub const FAILED_DIR: &str = "failed";

/// Watcher signals waiting for the source; the notify thread waits when it is full.
const WATCH_QUEUE: usize = 64;

/// The `[inbox]` section: the drop folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InboxConfig {
    /// The folder to watch; `done/`, `failed/` and `.processing/` are made inside it.
    pub dir: PathBuf,
    /// How long a file must stay unchanged (size and modification time) before it is read.
    #[serde(with = "humantime_serde")]
    pub settle: Duration,
    /// Larger files are refused (moved to `failed/`) without being read.
    pub max_file_size: u64,
    /// Whether `drawdown run` watches the folder at all.
    pub enabled: bool,
}

impl Default for InboxConfig {
    fn default() -> InboxConfig {
        InboxConfig {
            dir: PathBuf::from("inbox"),
            settle: Duration::from_millis(250),
            max_file_size: 10_000_000,
            enabled: true,
        }
    }
}

/// The drop folder as a running source.
pub struct DropFolder {
    config: InboxConfig,
    metrics: Arc<Metrics>,
}

impl DropFolder {
    /// A drop folder on `config.dir`, counting what it does in `metrics`.
    pub fn new(config: InboxConfig, metrics: Arc<Metrics>) -> DropFolder {
        DropFolder { config, metrics }
    }
}

#[async_trait]
impl Source for DropFolder {
    fn name(&self) -> String {
        format!("drop folder {}/", self.config.dir.display())
    }

    /// Started once its folders exist and the watcher runs (before the scan
    /// of what was already there).
    async fn start(
        self: Box<Self>,
        out: ArticleSender,
        shutdown: CancellationToken,
        mut started: Started,
    ) -> Result<(), SourceError> {
        let span = tracing::info_span!("drop_folder", dir = %self.config.dir.display());
        let DropFolder { config, metrics } = *self;
        async move {
            let folders = Folders::create(&config.dir).await?;
            // Watch before scanning, so that nothing dropped in between is missed.
            let (signals, mut watch) = mpsc::channel(WATCH_QUEUE);
            let _debouncer = start_watcher(&folders.watched, signals)?;
            info!(dir = %folders.inbox.display(), "watching the drop folder");
            started.signal();
            let mut inbox = Inbox {
                folders,
                config,
                metrics,
                out,
                shutdown,
                pending: HashMap::new(),
                in_flight: VecDeque::new(),
            };
            inbox.run(&mut watch).await
        }
        .instrument(span)
        .await
    }
}

/// The folders of one inbox.
struct Folders {
    /// The inbox as configured: files are named after it in logs and articles.
    inbox: PathBuf,
    /// The inbox as the watcher reports it (canonical).
    watched: PathBuf,
    claim: PathBuf,
    done: PathBuf,
    failed: PathBuf,
}

impl Folders {
    async fn create(inbox: &Path) -> Result<Folders, SourceError> {
        let folders = Folders {
            inbox: inbox.to_path_buf(),
            watched: inbox.to_path_buf(),
            claim: inbox.join(CLAIM_DIR),
            done: inbox.join(DONE_DIR),
            failed: inbox.join(FAILED_DIR),
        };
        for dir in [&folders.claim, &folders.done, &folders.failed] {
            let create_error = |source| SourceError::CreateDir {
                path: dir.clone(),
                source,
            };
            tokio::fs::create_dir_all(dir).await.map_err(create_error)?;
            // A link would make files claimed, filed away or listed at start
            // somebody else's: a link to the service's own data would have it
            // moved into failed/.
            let meta = tokio::fs::symlink_metadata(dir)
                .await
                .map_err(create_error)?;
            if meta.file_type().is_symlink() {
                return Err(SourceError::LinkedFolder { path: dir.clone() });
            }
        }
        let watched =
            tokio::fs::canonicalize(inbox)
                .await
                .map_err(|source| SourceError::CreateDir {
                    path: inbox.to_path_buf(),
                    source,
                })?;
        Ok(Folders { watched, ..folders })
    }

    /// The inbox path of a file the watcher reported, if it is directly in the inbox.
    fn inbox_file(&self, reported: &Path) -> Option<PathBuf> {
        let parent = reported.parent()?;
        let name = reported.file_name()?;
        let in_inbox = parent == self.watched || parent == self.inbox;
        (in_inbox && !is_hidden_or_temporary(name)).then(|| self.inbox.join(name))
    }
}

/// Whether to go on after a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// The running drop folder.
struct Inbox {
    folders: Folders,
    config: InboxConfig,
    metrics: Arc<Metrics>,
    out: ArticleSender,
    shutdown: CancellationToken,
    /// Files seen but not claimed yet.
    pending: HashMap<PathBuf, Candidate>,
    /// Files handed to the pipeline, oldest first, waiting for its answer.
    in_flight: VecDeque<InFlight>,
}

/// A claimed file handed to the pipeline: filed away once it answers.
struct InFlight {
    claimed: PathBuf,
    name: OsString,
    shown: PathBuf,
    answer: oneshot::Receiver<Processed>,
}

impl Inbox {
    async fn run(&mut self, watch: &mut mpsc::Receiver<WatchSignal>) -> Result<(), SourceError> {
        let result = self.watch(watch).await;
        // What was handed over is stored even when stopping: wait for it.
        self.settle_all().await;
        result
    }

    async fn watch(&mut self, watch: &mut mpsc::Receiver<WatchSignal>) -> Result<(), SourceError> {
        // Files a previous run claimed but did not finish come first.
        for claimed in self.claimed_files().await? {
            if self.handle(claimed).await == Flow::Stop {
                return Ok(());
            }
        }
        self.settle_all().await;
        self.scan().await?;
        let tick =
            (self.config.settle / 4).clamp(Duration::from_millis(10), Duration::from_millis(250));
        loop {
            if self.handle_settled().await == Flow::Stop || self.shutdown.is_cancelled() {
                return Ok(());
            }
            tokio::select! {
                biased;
                () = self.shutdown.cancelled() => return Ok(()),
                () = self.out.closed() => {
                    info!("the pipeline has closed; the drop folder stops");
                    return Ok(());
                }
                signal = watch.recv() => match signal {
                    Some(WatchSignal::Paths(paths)) => {
                        for path in paths {
                            if let Some(file) = self.folders.inbox_file(&path) {
                                self.notice(file).await;
                            }
                        }
                    }
                    Some(WatchSignal::Rescan) => self.scan().await?,
                    None => {
                        return Err(SourceError::WatcherStopped {
                            path: self.folders.inbox.clone(),
                        });
                    }
                },
                () = tokio::time::sleep(tick), if !self.pending.is_empty() => {}
            }
        }
    }

    /// The files left in the claim folder, oldest first.
    async fn claimed_files(&self) -> Result<Vec<PathBuf>, SourceError> {
        let files =
            list_files(&self.folders.claim)
                .await
                .map_err(|source| SourceError::ScanDir {
                    path: self.folders.claim.clone(),
                    source,
                })?;
        if !files.is_empty() {
            info!(
                count = files.len(),
                "resuming files claimed before the last stop"
            );
        }
        Ok(files.into_iter().map(|(path, _)| path).collect())
    }

    /// Notes every file in the inbox (they are handled oldest first once settled).
    async fn scan(&mut self) -> Result<(), SourceError> {
        let files =
            list_files(&self.folders.inbox)
                .await
                .map_err(|source| SourceError::ScanDir {
                    path: self.folders.inbox.clone(),
                    source,
                })?;
        for (path, meta) in files {
            self.pending.entry(path).or_insert_with(|| Candidate {
                signature: Signature::of(&meta),
                unchanged_since: Instant::now(),
            });
        }
        Ok(())
    }

    /// A watcher event about `file`: start waiting for it to settle.
    async fn notice(&mut self, file: PathBuf) {
        if self.pending.contains_key(&file) {
            return;
        }
        match tokio::fs::symlink_metadata(&file).await {
            Ok(meta) if is_candidate(&meta) => {
                self.pending.insert(
                    file,
                    Candidate {
                        signature: Signature::of(&meta),
                        unchanged_since: Instant::now(),
                    },
                );
            }
            // Gone again (renamed away, claimed) or a folder: nothing to do.
            _ => {}
        }
    }

    /// Looks at every pending file again and handles those that stopped changing,
    /// oldest modification first.
    async fn handle_settled(&mut self) -> Flow {
        let now = Instant::now();
        let mut settled = Vec::new();
        let mut gone = Vec::new();
        for (path, candidate) in &mut self.pending {
            let meta = match tokio::fs::symlink_metadata(path).await {
                Ok(meta) if is_candidate(&meta) => meta,
                _ => {
                    gone.push(path.clone());
                    continue;
                }
            };
            let signature = Signature::of(&meta);
            if signature != candidate.signature {
                *candidate = Candidate {
                    signature,
                    unchanged_since: now,
                };
            }
            // Unchanged while we watched, or not written to for as long (a file
            // renamed or moved in, or there when we started).
            let watched_long = now.duration_since(candidate.unchanged_since) >= self.config.settle;
            let untouched_long = signature
                .modified
                .and_then(|m| SystemTime::now().duration_since(m).ok())
                .is_some_and(|age| age >= self.config.settle);
            if watched_long || untouched_long {
                settled.push((signature.modified, path.clone()));
            }
        }
        for path in gone {
            self.pending.remove(&path);
        }
        settled.sort();
        for (_, path) in settled {
            self.pending.remove(&path);
            if self.shutdown.is_cancelled() {
                return Flow::Stop;
            }
            let Some(name) = path.file_name() else {
                continue;
            };
            let claimed = match claim(&path, &self.folders.claim, name).await {
                Ok(claimed) => claimed,
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    debug!(file = %path.display(), "file went away before it was claimed");
                    continue;
                }
                Err(err) => {
                    warn!(file = %path.display(), error = %err, "cannot claim the file; it is retried when it changes or at the next start");
                    continue;
                }
            };
            if self.handle(claimed).await == Flow::Stop {
                return Flow::Stop;
            }
        }
        // The files of one look are stored together; file them away before
        // the next look.
        self.settle_all().await;
        Flow::Continue
    }

    /// Reads one claimed file and hands it over, or sets it aside.
    async fn handle(&mut self, claimed: PathBuf) -> Flow {
        let Some(name) = claimed.file_name().map(OsStr::to_os_string) else {
            return Flow::Continue;
        };
        let shown = self.folders.inbox.join(&name);
        let span = debug_span!("inbox_file", file = %shown.display());
        async {
            let read = read_article_as(
                &claimed,
                &shown,
                Some(&self.folders.watched),
                None,
                self.config.max_file_size,
            )
            .await;
            match read {
                Ok(read) => {
                    read.encoding.count(&self.metrics, SourceKind::Inbox);
                    self.hand_over(&claimed, &name, &shown, read.article).await
                }
                Err(err) => {
                    self.reject(&claimed, &name, &shown, &err).await;
                    Flow::Continue
                }
            }
        }
        .instrument(span)
        .await
    }

    async fn hand_over(
        &mut self,
        claimed: &Path,
        name: &OsStr,
        shown: &Path,
        mut article: Article,
    ) -> Flow {
        self.metrics.inbox_file(InboxFile::Read);
        article.path = Some(shown.to_path_buf());
        debug!(file = %shown.display(), title = %article.title, "article handed over");
        let (incoming, answer) =
            Incoming::new(SourceKind::Inbox, shown.display().to_string(), article);
        tokio::select! {
            sent = self.out.send(incoming) => {
                if sent.is_err() {
                    info!(file = %shown.display(), "the pipeline has closed; the file stays claimed for the next start");
                    return Flow::Stop;
                }
            }
            () = self.shutdown.cancelled() => {
                // Not handed over: it stays claimed and is read first at the next start.
                return Flow::Stop;
            }
        }
        self.in_flight.push_back(InFlight {
            claimed: claimed.to_path_buf(),
            name: name.to_os_string(),
            shown: shown.to_path_buf(),
            answer,
        });
        // A bounded window: the oldest answer first once a batch is out.
        if self.in_flight.len() >= MAX_BATCH {
            self.settle_oldest().await;
        }
        if self.shutdown.is_cancelled() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    /// Waits for every file in flight, oldest first.
    async fn settle_all(&mut self) {
        while !self.in_flight.is_empty() {
            self.settle_oldest().await;
        }
    }

    /// Waits for the pipeline's answer on the oldest file in flight and files
    /// it away: stored or duplicate to `done/`; otherwise it stays claimed.
    async fn settle_oldest(&mut self) {
        let Some(InFlight {
            claimed,
            name,
            shown,
            mut answer,
        }) = self.in_flight.pop_front()
        else {
            return;
        };
        let answer = tokio::select! {
            answer = &mut answer => answer,
            () = self.shutdown.cancelled() => {
                info!(file = %shown.display(), "stopping after the articles in hand");
                answer.await
            }
        };
        match answer {
            Ok(Processed::Stored { claims, alerts }) => {
                self.finish(&claimed, &name, &shown).await;
                info!(file = %shown.display(), outcome = "stored", claims, alerts, "article processed");
            }
            Ok(Processed::Duplicate) => {
                self.finish(&claimed, &name, &shown).await;
                info!(file = %shown.display(), outcome = "duplicate", "article processed");
            }
            Ok(Processed::Failed(reason)) => {
                error!(
                    file = %shown.display(),
                    reason = %reason,
                    "the pipeline could not store the article; the file stays in .processing and is retried at the next start"
                );
            }
            Err(_) => {
                warn!(file = %shown.display(), "the pipeline dropped the article without an answer; the file stays claimed for the next start");
            }
        }
    }

    /// Moves a stored article's file to `done/`.
    async fn finish(&self, claimed: &Path, name: &OsStr, shown: &Path) {
        match file_away(claimed, &self.folders.done, name).await {
            Ok(dest) => {
                self.metrics.inbox_file(InboxFile::Done);
                debug!(file = %shown.display(), to = %dest.display(), "file moved to done");
            }
            Err(err) => {
                error!(
                    file = %shown.display(),
                    error = %err,
                    "cannot move the file to done/; it stays in .processing and is read again (as a duplicate) at the next start"
                );
            }
        }
    }

    /// Moves an unreadable file to `failed/` with a `.reason` beside it (a link
    /// is moved as the link). A file whose real location is outside the inbox
    /// is not ours to move: it stays where it is, with its reason in `failed/`.
    async fn reject(&self, claimed: &Path, name: &OsStr, shown: &Path, err: &ArticleError) {
        let reason = error_chain(err);
        warn!(file = %shown.display(), reason = %reason, code = err.reason_code(), "article rejected");
        self.metrics.inbox_file(InboxFile::Failed);
        self.metrics
            .quarantined(SourceKind::Inbox, err.reason_code());
        let kept_as = if matches!(err, ArticleError::OutsideInbox { .. }) {
            name.to_os_string()
        } else {
            match file_away(claimed, &self.folders.failed, name).await {
                Ok(dest) => dest
                    .file_name()
                    .map(OsStr::to_os_string)
                    .unwrap_or_default(),
                Err(move_err) => {
                    error!(
                        file = %shown.display(),
                        error = %move_err,
                        "cannot move the rejected file to failed/; it stays in .processing"
                    );
                    return;
                }
            }
        };
        let mut reason_name = kept_as;
        reason_name.push(".reason");
        let body = format!("{reason}\nreason: {}\n", err.reason_code());
        match write_new(&self.folders.failed, &reason_name, body.as_bytes()).await {
            Ok(written) => {
                debug!(file = %shown.display(), reason_file = %written.display(), "reason written")
            }
            Err(write_err) => {
                warn!(file = %shown.display(), error = %write_err, "cannot write the reason file")
            }
        }
    }
}

/// An error and its causes, "outer: inner: innermost".
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_and_keys() {
        let empty: InboxConfig = toml::from_str("").unwrap();
        assert_eq!(empty, InboxConfig::default());
        assert_eq!(empty.dir, PathBuf::from("inbox"));
        assert_eq!(empty.settle, Duration::from_millis(250));
        assert_eq!(empty.max_file_size, 10_000_000);
        assert!(empty.enabled);

        let set: InboxConfig =
            toml::from_str("dir = \"drop\"\nsettle = \"1s 500ms\"\nenabled = false").unwrap();
        assert_eq!(set.dir, PathBuf::from("drop"));
        assert_eq!(set.settle, Duration::from_millis(1500));
        assert!(!set.enabled);

        let typo = toml::from_str::<InboxConfig>("setle = \"1s\"").unwrap_err();
        assert!(typo.to_string().contains("unknown field"), "{typo}");
    }

    #[test]
    fn error_chain_includes_causes() {
        let err = ArticleError::Io {
            path: PathBuf::from("inbox/a.txt"),
            source: io::Error::new(io::ErrorKind::PermissionDenied, "permission denied"),
        };
        assert_eq!(
            error_chain(&err),
            "inbox/a.txt: cannot read the file; check that it exists and is readable: permission denied"
        );
    }
}
