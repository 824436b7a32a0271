//! The articles the benchmarks run on: every article body the repository
//! ships (fixture story, corpus stories, the seeds where present).

use std::path::{Path, PathBuf};

use drawdown::model::Article;
use drawdown::source::article_file::{article_files, parse_article};

fn collect(dir: &Path, out: &mut Vec<Article>) {
    let Ok(files) = article_files(dir) else {
        return;
    };
    for file in files {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        let fallback = chrono::NaiveDate::from_ymd_opt(2024, 9, 6);
        if let Ok(article) = parse_article(&file, &bytes, fallback) {
            out.push(article);
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut subdirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        for sub in subdirs {
            collect(&sub, out);
        }
    }
}

/// The articles of the repository, in a fixed order.
pub fn corpus() -> Vec<Article> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut articles = Vec::new();
    for dir in ["tests/fixtures", "tests/corpus", "../shared/seeds"] {
        collect(&root.join(dir), &mut articles);
    }
    articles
}

/// The `i`-th of a stream of distinct articles cycling through `base`: the
/// template's text with a counter appended, under one page address per
/// template. Each is new content (not a duplicate) and, being the same page
/// edited rather than a reprint elsewhere, goes through extraction and diff
/// (a reprint under another address would be recorded as syndicated and
/// skip both).
// Shared by the pipeline benchmark and example; the extraction ones use only `corpus`.
#[allow(dead_code)]
pub fn nth_article(base: &[Article], i: usize) -> Option<Article> {
    let k = i % base.len().max(1);
    let mut article = base.get(k)?.clone();
    article.text.push_str(&format!("\n\nReference {i}."));
    article.url = Some(format!("https://bench.drawdown.invalid/article/{k}"));
    Some(article)
}
