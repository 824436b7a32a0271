//! The jsonl sink: appends one alert JSON line (the `--format json` shape) per
//! alert to a file, creating its folder. It remembers the ids of the last
//! [`RECENT_IDS`] alerts in the file, so an alert redelivered after a crash is
//! never written twice.
//!
//! Why a window is enough: the outbox marks a delivery done right after the
//! sink returns, one delivery at a time, so the only alerts a sink can be asked
//! to write again are the few written but not yet marked when the process
//! stopped (or when marking failed): the most recent lines of the file. Older
//! alerts are done in the outbox and are never handed to the sink again.

use std::collections::{HashSet, VecDeque};
use std::io::{BufRead, BufReader, ErrorKind};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use super::{Sink, SinkError, SinkFilter};
use crate::model::Alert;

/// How many of the most recent alert ids the sink remembers (about 1 MB).
/// Far more than the deliveries that can be in flight when a process stops.
pub const RECENT_IDS: usize = 10_000;

/// `type = "jsonl"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonlConfig {
    /// The sink's name (default: "jsonl").
    #[serde(default)]
    pub name: Option<String>,
    /// The file alerts are appended to; created with its folder if missing.
    pub path: PathBuf,
    /// Which alerts this sink wants.
    #[serde(default)]
    pub filter: SinkFilter,
}

impl JsonlConfig {
    /// Problems with this entry, keyed under `key`.
    pub fn validate(&self, key: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if self.path.as_os_str().is_empty() {
            problems.push(format!("{key}.path: must not be empty"));
        } else if self.path.is_dir() {
            problems.push(format!(
                "{key}.path: {} is a folder, not a file",
                self.path.display()
            ));
        }
        problems.extend(self.filter.validate(key));
        problems
    }

    /// Builds the sink: creates the file's folder and reads the ids of the
    /// last [`RECENT_IDS`] alerts already in the file (a blocking read, once,
    /// at start).
    pub fn build(&self, name: String) -> Result<JsonlSink, SinkError> {
        self.build_remembering(name, RECENT_IDS)
    }

    /// [`JsonlConfig::build`], remembering the last `recent` ids (at least one).
    pub fn build_remembering(&self, name: String, recent: usize) -> Result<JsonlSink, SinkError> {
        if self.path.as_os_str().is_empty() {
            return Err(SinkError::Config {
                sink: name,
                key: "path",
                problem: "must not be empty".into(),
            });
        }
        create_parent(&self.path)?;
        let existing = read_existing(&self.path, recent.max(1))?;
        Ok(JsonlSink {
            name,
            path: self.path.clone(),
            filter: self.filter.clone(),
            written: Mutex::new(Written {
                ids: existing.ids,
                needs_newline: existing.needs_newline,
            }),
        })
    }
}

/// What the file already holds.
#[derive(Debug)]
struct Written {
    ids: RecentIds,
    /// The file ends in a partial line (a crash mid-write): start with a newline.
    needs_newline: bool,
}

/// Appends alert JSON lines to a file.
#[derive(Debug)]
pub struct JsonlSink {
    name: String,
    path: PathBuf,
    filter: SinkFilter,
    /// Held across each append, so two deliveries never race on one id.
    written: Mutex<Written>,
}

impl JsonlSink {
    /// The file alerts are appended to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many alert ids the sink remembers right now (bounded by the window).
    pub async fn remembered(&self) -> usize {
        self.written.lock().await.ids.len()
    }

    async fn append(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await?;
        file.write_all(bytes).await?;
        file.flush().await?;
        // The outbox marks the delivery done right after: make the line durable first.
        file.sync_data().await
    }
}

#[async_trait::async_trait]
impl Sink for JsonlSink {
    fn name(&self) -> &str {
        &self.name
    }

    fn accepts(&self, alert: &Alert) -> bool {
        self.filter.accepts(alert)
    }

    async fn deliver(&self, alert: &Alert) -> Result<(), SinkError> {
        let mut written = self.written.lock().await;
        if written.ids.contains(&alert.id) {
            tracing::debug!(sink = %self.name, alert = %alert.id, "alert already in the file");
            return Ok(());
        }
        let json = serde_json::to_string(alert).map_err(|source| SinkError::Encode {
            id: alert.id.clone(),
            source,
        })?;
        let mut line = String::with_capacity(json.len() + 2);
        if written.needs_newline {
            line.push('\n');
        }
        line.push_str(&json);
        line.push('\n');
        let appended = match self.append(line.as_bytes()).await {
            Err(err) if err.kind() == ErrorKind::NotFound => {
                // The folder went away since start: make it again, once.
                create_parent(&self.path)?;
                self.append(line.as_bytes()).await
            }
            other => other,
        };
        appended.map_err(|source| SinkError::Append {
            path: self.path.clone(),
            source,
        })?;
        written.needs_newline = false;
        written.ids.insert(alert.id.clone());
        Ok(())
    }
}

fn create_parent(path: &Path) -> Result<(), SinkError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| SinkError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// The last `capacity` ids written, oldest first: a set for lookups and a
/// queue for the order in which they leave.
#[derive(Debug)]
struct RecentIds {
    capacity: usize,
    set: HashSet<String>,
    order: VecDeque<String>,
}

impl RecentIds {
    fn new(capacity: usize) -> RecentIds {
        RecentIds {
            capacity,
            set: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }

    fn len(&self) -> usize {
        self.set.len()
    }

    /// Remembers `id` as the newest, forgetting the oldest beyond capacity.
    fn insert(&mut self, id: String) {
        if self.set.contains(&id) {
            return;
        }
        self.set.insert(id.clone());
        self.order.push_back(id);
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
    }
}

struct Existing {
    ids: RecentIds,
    needs_newline: bool,
}

/// The `id` of the last `capacity` alert lines in `path` (none if the file
/// does not exist), read as a stream. Lines that are not alert JSON are
/// skipped with a warning.
fn read_existing(path: &Path, capacity: usize) -> Result<Existing, SinkError> {
    let read_err = |source| SinkError::ReadExisting {
        path: path.to_path_buf(),
        source,
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == ErrorKind::NotFound => {
            return Ok(Existing {
                ids: RecentIds::new(capacity),
                needs_newline: false,
            });
        }
        Err(err) => return Err(read_err(err)),
    };
    let mut reader = BufReader::new(file);
    let mut ids = RecentIds::new(capacity);
    let mut buf = Vec::new();
    let mut needs_newline = false;
    let mut number = 0usize;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        number += 1;
        needs_newline = buf.last() != Some(&b'\n');
        let text = String::from_utf8_lossy(&buf);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        #[derive(Deserialize)]
        struct Line {
            id: String,
        }
        match serde_json::from_str::<Line>(text) {
            Ok(line) => {
                ids.insert(line.id);
            }
            Err(err) => tracing::warn!(
                path = %path.display(),
                line = number,
                error = %err,
                "skipping a line that is not an alert"
            ),
        }
    }
    Ok(Existing { ids, needs_newline })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_and_notices_a_partial_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        std::fs::write(
            &path,
            "{\"id\":\"a\",\"x\":1}\n\nnot json\n{\"id\":\"b\"}\n{\"id\":\"c",
        )
        .unwrap();
        let existing = read_existing(&path, RECENT_IDS).unwrap();
        let ids: Vec<_> = existing.ids.order.iter().cloned().collect();
        assert_eq!(ids, ["a", "b"]);
        assert!(existing.needs_newline);

        let missing = read_existing(&dir.path().join("none.jsonl"), RECENT_IDS).unwrap();
        assert!(missing.ids.len() == 0 && !missing.needs_newline);
    }

    #[test]
    fn keeps_only_the_last_ids_of_a_long_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        let text: String = (0..50).map(|i| format!("{{\"id\":\"a{i}\"}}\n")).collect();
        std::fs::write(&path, text).unwrap();
        let existing = read_existing(&path, 5).unwrap();
        let ids: Vec<_> = existing.ids.order.iter().cloned().collect();
        assert_eq!(ids, ["a45", "a46", "a47", "a48", "a49"]);
        assert_eq!(existing.ids.len(), 5);
        assert!(existing.ids.contains("a49") && !existing.ids.contains("a44"));
    }
}
