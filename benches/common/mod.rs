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
