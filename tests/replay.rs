//! `drawdown replay` on the seed articles (skipped where ../shared/seeds is
//! absent) and on the same story retold in our own words under
//! tests/fixtures/story: the final-departure contradiction is raised by the
//! third article, and the last article raises nothing but confirmations.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An empty config in a temp dir, so the run does not depend on the working
/// directory's config/drawdown.toml.
fn empty_config(dir: &Path) -> PathBuf {
    let path = dir.join("drawdown.toml");
    std::fs::write(&path, "").unwrap_or_else(|e| panic!("writing config: {e}"));
    path
}

/// Runs `drawdown replay --format json ARGS` and returns the alert lines.
fn replay(args: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let config = empty_config(dir.path());
    let output = Command::cargo_bin("drawdown")
        .unwrap_or_else(|e| panic!("binary: {e}"))
        .current_dir(dir.path())
        .arg("--config")
        .arg(&config)
        .args(["replay", "--format", "json"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running drawdown: {e}"));
    assert!(
        output.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn path_of(alert: &Value) -> &str {
    alert["current"]["article"]["path"].as_str().unwrap_or("")
}

fn file_name_of(alert: &Value) -> String {
    Path::new(path_of(alert))
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// The story's core assertions, whatever the files are called.
fn assert_story(alerts: &[Value], third: &str, fifth: &str) {
    let contradiction = alerts.iter().find(|a| {
        a["kind"] == "contradiction"
            && a["event"]["milestone"] == "final"
            && a["event"]["country"] == "IQ"
            && a["attribute"] == "deadline"
            && file_name_of(a).starts_with(third)
    });
    let Some(c) = contradiction else {
        panic!("no final-deadline contradiction from {third}: {alerts:#?}");
    };
    let current = &c["current"]["value"];
    assert_eq!(current["type"], "date");
    assert_eq!(current["earliest"], "2026-09-01", "{c:#}");
    assert_eq!(current["latest"], "2026-09-30", "{c:#}");
    assert_eq!(current["granularity"], "month", "{c:#}");
    assert_eq!(c["previous"]["value"]["latest"], "2026-12-31", "{c:#}");
    assert!(
        c["message"]
            .as_str()
            .is_some_and(|m| m.contains("contradicts"))
    );
    assert!(c["id"].as_str().is_some_and(|id| !id.is_empty()));

    let loud_fifth: Vec<&Value> = alerts
        .iter()
        .filter(|a| file_name_of(a).starts_with(fifth))
        .filter(|a| {
            matches!(
                a["kind"].as_str(),
                Some("update" | "contradiction" | "refinement")
            )
        })
        .collect();
    assert!(
        loud_fifth.is_empty(),
        "{fifth} must raise nothing: {loud_fifth:#?}"
    );

    let mut ids: Vec<&str> = alerts.iter().filter_map(|a| a["id"].as_str()).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "alert ids must be unique");
}

#[test]
fn the_story_in_our_own_words_raises_the_final_contradiction() {
    let story = root().join("tests/fixtures/story");
    let story = story.to_string_lossy();
    let alerts = replay(&[&story]);
    assert_story(&alerts, "03-", "05-");
    // Replaying again gives the same alerts with the same ids.
    let again = replay(&[&story]);
    assert_eq!(alerts, again);
}

fn seeds() -> Option<PathBuf> {
    let dir = root().join("../shared/seeds");
    if dir.join("dated").is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/seeds is not here");
        None
    }
}

#[test]
fn dated_seeds_raise_the_final_contradiction_on_03_and_nothing_on_05() {
    let Some(seeds) = seeds() else { return };
    let dated = seeds.join("dated");
    let alerts = replay(&[&dated.to_string_lossy()]);
    assert_story(&alerts, "03-", "05-");
}

/// The raw seed files carry no header: dates come from `--published FILE=DATE`.
const RAW: [(&str, &str); 5] = [
    ("001_979824243083ef0a.txt", "2024-09-06"),
    ("004_e561a9cc0077a91e.txt", "2024-09-09"),
    ("003_1d47ece03ed7ec69.txt", "2024-09-10"),
    ("002_26d1564b29ad9d7f.txt", "2024-09-28"),
    ("000_eb9503dda67f89c9.txt", "2025-06-13"),
];

#[test]
fn raw_seeds_with_published_dates_give_the_same_contradiction() {
    let Some(seeds) = seeds() else { return };
    let mut args: Vec<String> = Vec::new();
    for (file, date) in RAW {
        args.push(seeds.join(file).to_string_lossy().to_string());
        args.push("--published".to_string());
        args.push(format!("{file}={date}"));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let alerts = replay(&refs);
    assert_story(&alerts, "003_", "000_");
}

#[test]
fn raw_seeds_without_dates_do_not_crash() {
    let Some(seeds) = seeds() else { return };
    let files: Vec<String> = RAW
        .iter()
        .map(|(f, _)| seeds.join(f).to_string_lossy().to_string())
        .collect();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    // Modification times stand in for the dates; whatever they are, it must run.
    let _alerts = replay(&refs);
}

/// More files than one batch (the whole corpus, the story, and a renamed copy
/// of the corpus), read batch by batch: the output is exactly what processing
/// every article in date order gives when all are read up front.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_over_many_files_matches_reading_them_all_first() {
    use drawdown::config::Config;
    use drawdown::model::Article;
    use drawdown::source::article_file::{article_files, read_article};
    use drawdown::store::SqliteStore;

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let folder = dir.path().join("articles");
    std::fs::create_dir_all(&folder).unwrap_or_else(|e| panic!("{e}"));
    let mut sources: Vec<PathBuf> = Vec::new();
    let mut folders = vec![
        root().join("tests/fixtures/story"),
        root().join("tests/fixtures/articles"),
    ];
    for entry in std::fs::read_dir(root().join("tests/corpus")).unwrap_or_else(|e| panic!("{e}")) {
        folders.push(entry.unwrap_or_else(|e| panic!("{e}")).path());
    }
    for folder in folders.iter().filter(|f| f.is_dir()) {
        sources.extend(article_files(folder).unwrap_or_else(|e| panic!("{e}")));
    }
    for (i, source) in sources.iter().enumerate() {
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        for copy in ["a", "b"] {
            std::fs::copy(source, folder.join(format!("{copy}{i:03}-{name}")))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let files = article_files(&folder).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        files.len() > 64,
        "{} files: more than one batch",
        files.len()
    );

    // Every file read up front, ordered by date then name, processed in one go.
    let mut articles: Vec<(PathBuf, Article)> = Vec::new();
    for file in &files {
        if let Ok(article) = read_article(file, None, 10_000_000).await {
            articles.push((file.clone(), article));
        }
    }
    articles.sort_by(|a, b| a.1.published.cmp(&b.1.published).then(a.0.cmp(&b.0)));
    let mut config = Config::default();
    config.timeline.known = None;
    let store = SqliteStore::open_in_memory()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut pipeline = drawdown::service::build_parts(&config, store)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .pipeline;
    let all: Vec<&Article> = articles.iter().map(|(_, a)| a).collect();
    let outcomes = pipeline
        .process_batch(&all)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let expected: Vec<Value> = outcomes
        .iter()
        .flat_map(|o| o.alerts.iter())
        .map(|a| serde_json::to_value(a).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert!(!expected.is_empty());

    let folder_arg = folder.to_string_lossy().to_string();
    assert_eq!(replay(&[&folder_arg]), expected);
}
