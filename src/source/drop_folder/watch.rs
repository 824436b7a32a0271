//! The drop folder's eyes: notify's debounced watcher on the inbox, turned into
//! signals for the source (paths that changed, or "look again at everything"),
//! and what a file looked like when last seen, to tell when it stops changing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use tokio::sync::mpsc;
use tracing::warn;

use crate::source::SourceError;

/// How long notify's debouncer gathers events for a path before reporting it.
const DEBOUNCE: Duration = Duration::from_millis(100);

/// What the notify thread tells the source.
#[derive(Debug)]
pub(super) enum WatchSignal {
    /// Something happened to these paths (created, written, renamed, removed).
    Paths(Vec<PathBuf>),
    /// Events were lost: look at the whole folder again.
    Rescan,
}

pub(super) type InboxWatcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Starts notify on `dir` (not its sub-folders). The callback runs on notify's own
/// thread, so waiting there for room in the channel never blocks the runtime.
pub(super) fn start_watcher(
    dir: &Path,
    signals: mpsc::Sender<WatchSignal>,
) -> Result<InboxWatcher, SourceError> {
    let watch_error = |source| SourceError::Watch {
        path: dir.to_path_buf(),
        source,
    };
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let signal = match result {
            Ok(events) if events.iter().any(|e| e.need_rescan()) => WatchSignal::Rescan,
            Ok(events) => {
                WatchSignal::Paths(events.into_iter().flat_map(|e| e.event.paths).collect())
            }
            Err(errors) => {
                for err in &errors {
                    warn!(error = %err, "drop folder watcher error; rescanning");
                }
                WatchSignal::Rescan
            }
        };
        if signals.blocking_send(signal).is_err() {
            // The source has stopped; its debouncer is being dropped.
        }
    })
    .map_err(watch_error)?;
    debouncer
        .watch(dir, RecursiveMode::NonRecursive)
        .map_err(watch_error)?;
    Ok(debouncer)
}

/// What a file looked like when last seen, to tell when it stops changing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Signature {
    size: u64,
    pub(super) modified: Option<SystemTime>,
}

impl Signature {
    pub(super) fn of(meta: &std::fs::Metadata) -> Signature {
        Signature {
            size: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// A file seen in the inbox, waiting to settle.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    pub(super) signature: Signature,
    pub(super) unchanged_since: Instant,
}
