//! `ingest` and `replay` over many files without holding them all: a first
//! pass reads each file for its publication date only (the body is dropped at
//! once) to put the files in order, then [`BatchReader`] reads the bodies a
//! batch at a time, each batch processed before the next is read.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::article_file::{ArticleError, read_article};
use crate::model::Article;
use crate::pipeline::MAX_BATCH;

/// About the most article text one batch holds: a batch ends once it has this
/// much (a single larger article is a batch of its own).
pub const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;

/// A file to read, with its `--published` override, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub path: PathBuf,
    pub published_override: Option<NaiveDate>,
    /// The publication date found in the first pass.
    pub published: NaiveDate,
}

/// Reads `path` for its publication date only; the body is dropped at once.
pub async fn plan_file(
    path: PathBuf,
    published_override: Option<NaiveDate>,
    max_file_bytes: u64,
) -> Result<PlannedFile, ArticleError> {
    let article = read_article(&path, published_override, max_file_bytes).await?;
    Ok(PlannedFile {
        path,
        published_override,
        published: article.published,
    })
}

/// Orders planned files by publication date, then path (a stable sort).
pub fn order_planned(files: &mut [PlannedFile]) {
    files.sort_by(|a, b| a.published.cmp(&b.published).then(a.path.cmp(&b.path)));
}

/// Reads each file once for its date and returns them ordered by publication
/// date, then path, with the files that could not be read (in the order
/// given). Keeps no article body.
pub async fn plan_in_order(
    files: impl IntoIterator<Item = (PathBuf, Option<NaiveDate>)>,
    max_file_bytes: u64,
) -> (Vec<PlannedFile>, Vec<(PathBuf, ArticleError)>) {
    let mut planned = Vec::new();
    let mut failed = Vec::new();
    for (path, published_override) in files {
        match plan_file(path.clone(), published_override, max_file_bytes).await {
            Ok(file) => planned.push(file),
            Err(e) => failed.push((path, e)),
        }
    }
    order_planned(&mut planned);
    (planned, failed)
}

/// Reads planned files in order, at most `max_batch` articles or about
/// `max_bytes` of text per batch. It reads only when asked for the next batch.
#[derive(Debug)]
pub struct BatchReader {
    files: std::vec::IntoIter<PlannedFile>,
    max_batch: usize,
    max_bytes: usize,
    max_file_bytes: u64,
}

/// One file of a batch: its article, or why it could not be read this time.
pub type BatchItem = (PathBuf, Result<Article, ArticleError>);

impl BatchReader {
    /// Batches of up to [`MAX_BATCH`] articles and [`MAX_BATCH_BYTES`] of text.
    pub fn new(files: Vec<PlannedFile>, max_file_bytes: u64) -> BatchReader {
        BatchReader::with_limits(files, max_file_bytes, MAX_BATCH, MAX_BATCH_BYTES)
    }

    /// Batches of up to `max_batch` articles (at least one) and `max_bytes` of text.
    pub fn with_limits(
        files: Vec<PlannedFile>,
        max_file_bytes: u64,
        max_batch: usize,
        max_bytes: usize,
    ) -> BatchReader {
        BatchReader {
            files: files.into_iter(),
            max_batch: max_batch.max(1),
            max_bytes,
            max_file_bytes,
        }
    }

    /// Reads the next batch; `None` when every file has been read.
    pub async fn next_batch(&mut self) -> Option<Vec<BatchItem>> {
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        while batch.len() < self.max_batch && bytes < self.max_bytes {
            let Some(file) = self.files.next() else {
                break;
            };
            let read = read_article(&file.path, file.published_override, self.max_file_bytes).await;
            if let Ok(article) = &read {
                bytes = bytes.saturating_add(article.text.len());
            }
            batch.push((file.path, read));
        }
        if batch.is_empty() { None } else { Some(batch) }
    }
}

/// The planned paths, for logs and tests.
pub fn paths(files: &[PlannedFile]) -> Vec<&Path> {
    files.iter().map(|f| f.path.as_path()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[tokio::test]
    async fn orders_by_date_then_name_and_reads_batch_by_batch() {
        let dir = tempfile::tempdir().unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2024, 9, d).unwrap();
        let mut files = Vec::new();
        for n in 0..10u32 {
            let path = write(
                dir.path(),
                &format!("{n:02}.txt"),
                &format!("Title {n}\n\nBody {n}.\n"),
            );
            // Later names get earlier dates, two files per day.
            files.push((path, Some(day(20 - n / 2))));
        }
        files.push((dir.path().join("missing.txt"), None));
        let (planned, failed) = plan_in_order(files, 1_000_000).await;
        assert_eq!(failed.len(), 1);
        let names: Vec<String> = planned
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "08.txt", "09.txt", "06.txt", "07.txt", "04.txt", "05.txt", "02.txt", "03.txt",
                "00.txt", "01.txt"
            ]
        );

        // Bounded reading: never more than three articles held, in order.
        let mut reader = BatchReader::with_limits(planned.clone(), 1_000_000, 3, usize::MAX);
        let mut sizes = Vec::new();
        let mut read = Vec::new();
        while let Some(batch) = reader.next_batch().await {
            sizes.push(batch.len());
            for (path, article) in batch {
                assert!(article.is_ok());
                read.push(path);
            }
        }
        assert_eq!(sizes, [3, 3, 3, 1]);
        assert_eq!(
            read.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
            paths(&planned)
        );

        // A byte limit ends a batch early; a single article larger stays alone.
        let mut reader = BatchReader::with_limits(planned, 1_000_000, 64, 1);
        let mut sizes = Vec::new();
        while let Some(batch) = reader.next_batch().await {
            sizes.push(batch.len());
        }
        assert_eq!(sizes, vec![1; 10]);
    }
}
