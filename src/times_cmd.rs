//! `drawdown times`: every time phrase the grammar finds, line by line, with
//! its span, interval, granularity, fuzziness and rule. For debugging an alert's
//! date ("why is this December?") and for testing the grammar from a shell.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use serde_json::json;

use drawdown::extract::time::{TimeExpr, TimeMatch, find_times};
use drawdown::source::article_file::read_article;

/// Largest article file read (the same limit as `extract`).
const MAX_ARTICLE_BYTES: u64 = 10_000_000;

/// Where the lines come from: standard input, or the text of an article file.
enum Input<'a> {
    Stdin,
    File(&'a Path),
}

/// Runs the command over `inputs` (`-` or none means standard input). Lines of
/// standard input resolve against `published` (default: today); an article
/// file resolves against its own date, or `published` when it has none.
pub async fn times(
    inputs: &[PathBuf],
    published: Option<NaiveDate>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let stdin_only = [PathBuf::from("-")];
    let inputs = if inputs.is_empty() {
        &stdin_only[..]
    } else {
        inputs
    };
    let mut out = std::io::stdout().lock();
    let (mut found, mut failed) = (0usize, 0usize);
    for input in inputs {
        let source = if input.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::File(input)
        };
        let (name, date, text) = match source {
            Input::Stdin => {
                let date = published.unwrap_or_else(|| chrono::Utc::now().date_naive());
                let mut text = String::new();
                for line in std::io::stdin().lock().lines() {
                    let line = line.context("cannot read standard input (is it UTF-8 text?)")?;
                    text.push_str(&line);
                    text.push('\n');
                }
                ("-".to_string(), date, text)
            }
            Input::File(path) => match read_article(path, published, MAX_ARTICLE_BYTES).await {
                Ok(article) => (path.display().to_string(), article.published, article.text),
                Err(e) => {
                    eprintln!("error: {e}");
                    failed += 1;
                    continue;
                }
            },
        };
        for (n, line) in text.lines().enumerate() {
            for m in find_times(line, date) {
                found += 1;
                print_match(&mut out, &name, n + 1, line, date, &m, json)?;
            }
        }
    }
    out.flush()?;
    eprintln!(
        "{found} time phrase{} found{}",
        if found == 1 { "" } else { "s" },
        if failed > 0 {
            format!(", {failed} input(s) could not be read")
        } else {
            String::new()
        }
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One match: a JSON object per line, or `NAME:LINE:START-END "text" value rule`.
fn print_match(
    out: &mut impl Write,
    name: &str,
    line_no: usize,
    line: &str,
    published: NaiveDate,
    m: &TimeMatch,
    json: bool,
) -> anyhow::Result<()> {
    let text = line.get(m.start..m.end).unwrap_or_default();
    if json {
        let value = match &m.expr {
            TimeExpr::Interval(v) => json!({
                "type": "date",
                "earliest": v.earliest,
                "latest": v.latest,
                "granularity": v.granularity,
                "fuzzy": v.fuzzy,
            }),
            TimeExpr::Duration { months, approx } => json!({
                "type": "duration",
                "months": months,
                "approx": approx,
            }),
        };
        let obj = json!({
            "input": name,
            "line": line_no,
            "start": m.start,
            "end": m.end,
            "text": text,
            "published": published,
            "value": value,
            "rule": m.rule,
        });
        writeln!(out, "{obj}")?;
        return Ok(());
    }
    let value = match &m.expr {
        TimeExpr::Interval(v) => {
            let latest = v.latest.map_or("open".to_string(), |d| d.to_string());
            let granularity = serde_json::to_value(v.granularity)?;
            format!(
                "{}..{latest} {}{}",
                v.earliest,
                granularity.as_str().unwrap_or("?"),
                if v.fuzzy { " fuzzy" } else { "" }
            )
        }
        TimeExpr::Duration { months, approx } => format!(
            "duration {}{months} months",
            if *approx { "about " } else { "" }
        ),
    };
    writeln!(
        out,
        "{name}:{line_no}:{}-{}  {text:?}  {value}  rule {}",
        m.start, m.end, m.rule
    )?;
    Ok(())
}
