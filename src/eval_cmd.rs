//! `drawdown eval`: replays each labelled story against an empty timeline and
//! prints its score (see `drawdown::eval` and docs/corpus.md).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use drawdown::config::Config;
use drawdown::eval::{StoryScore, load_labels, ratio, score};
use drawdown::model::ChangeKind;
use drawdown::service;
use drawdown::source::article_file::{article_files, read_article};
use drawdown::store::SqliteStore;

/// Story folders: each dir with a labels.toml, or each such child of a dir.
fn story_dirs(dirs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for dir in dirs {
        if dir.join("labels.toml").is_file() {
            out.push(dir.clone());
            continue;
        }
        let mut children: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("labels.toml").is_file())
            .collect();
        children.sort();
        if children.is_empty() {
            anyhow::bail!(
                "{} holds no labels.toml (see docs/corpus.md)",
                dir.display()
            );
        }
        out.extend(children);
    }
    Ok(out)
}

async fn replay_story(config: &Config, dir: &Path) -> anyhow::Result<StoryScore> {
    let labels = load_labels(&dir.join("labels.toml"))?;
    let mut articles = Vec::new();
    for file in article_files(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let article = read_article(&file, None, 10_000_000).await?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        articles.push((name, article));
    }
    articles.sort_by(|a, b| a.1.published.cmp(&b.1.published).then(a.0.cmp(&b.0)));
    let mut story_config = config.clone();
    story_config.timeline.known = None;
    story_config.alerts.kinds = vec![
        ChangeKind::Update,
        ChangeKind::Contradiction,
        ChangeKind::Refinement,
    ];
    let parts = service::build_parts(&story_config, SqliteStore::open_in_memory().await?).await?;
    let mut pipeline = parts.pipeline;
    let mut alerts = Vec::new();
    for (name, article) in &articles {
        for alert in pipeline.process(article).await?.alerts {
            alerts.push((name.clone(), alert));
        }
    }
    parts.store.close().await;
    Ok(score(&labels, &alerts))
}

fn line(s: &StoryScore) -> String {
    format!(
        "{:<44} expected {:>3}  found {:>3}  alerts {:>3}  recall {:.2}  precision {:.2}  quiet-false {:>2}  dates e/l/g {}/{}/{} of {}  values {}/{}",
        s.story,
        s.expected,
        s.matched,
        s.alerts,
        s.recall(),
        s.precision(),
        s.quiet_false,
        s.earliest_ok,
        s.latest_ok,
        s.granularity_ok,
        s.dates,
        s.other_values_ok,
        s.other_values
    )
}

pub async fn eval(
    config: &Config,
    dirs: &[PathBuf],
    verbose: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let mut total = StoryScore {
        story: "TOTAL".to_string(),
        ..StoryScore::default()
    };
    let mut out = std::io::stdout().lock();
    for dir in story_dirs(dirs)? {
        let s = replay_story(config, &dir)
            .await
            .with_context(|| format!("story {}", dir.display()))?;
        total.add(&s);
        if json {
            let mut v = serde_json::to_value(&s)?;
            v["recall"] = s.recall().into();
            v["precision"] = s.precision().into();
            writeln!(out, "{v}")?;
        } else {
            writeln!(out, "{}", line(&s))?;
            if verbose {
                for m in &s.missed {
                    writeln!(out, "    missed      {m}")?;
                }
                for w in &s.wrong_values {
                    writeln!(out, "    wrong value {w}")?;
                }
                for u in &s.unexpected {
                    writeln!(out, "    unexpected  {u}")?;
                }
            }
        }
    }
    if json {
        let mut v = serde_json::to_value(&total)?;
        v["recall"] = total.recall().into();
        v["precision"] = total.precision().into();
        v["date_field_accuracy"] = ratio(
            total.earliest_ok + total.latest_ok + total.granularity_ok,
            total.dates * 3,
        )
        .into();
        writeln!(out, "{v}")?;
    } else {
        writeln!(out, "{}", line(&total))?;
    }
    Ok(ExitCode::SUCCESS)
}
