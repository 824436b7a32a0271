//! `drawdown times`, run as a user debugging a date would: phrases on standard
//! input resolve against `--published`, an article file against its own date,
//! and an unreadable file is reported without stopping the others.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn drawdown(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("drawdown").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.current_dir(dir);
    cmd
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn phrases_on_stdin_resolve_against_published() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let out = drawdown(dir.path())
        .args(["times", "--published", "2024-09-06", "--format", "json", "-"])
        .write_stdin(
            "Troops will leave by the end of 2026.\nnothing here\nwithin six months, officials said\n",
        )
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2, "{lines:?}");

    let end = &lines[0];
    assert_eq!(end["line"], 1);
    assert_eq!(end["text"], "by the end of 2026");
    assert_eq!(end["start"], 18);
    assert_eq!(end["end"], 36);
    assert_eq!(end["value"]["type"], "date");
    assert_eq!(end["value"]["earliest"], "2026-10-01");
    assert_eq!(end["value"]["latest"], "2026-12-31");
    assert!(end["rule"].as_str().is_some_and(|r| !r.is_empty()));

    let six = &lines[1];
    assert_eq!(six["line"], 3);
    assert_eq!(six["text"], "within six months");
    assert_eq!(six["value"]["latest"], "2025-03-06");
    assert_eq!(six["published"], "2024-09-06");
}

#[test]
fn an_article_file_uses_its_own_date_and_a_bad_file_is_reported() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    std::fs::write(
        dir.path().join("a.txt"),
        "Title: Pullout\nPublished: 2021-04-14\n\nThe last soldiers are to leave in September.\n",
    )
    .unwrap_or_else(|e| panic!("write: {e}"));
    let assert = drawdown(dir.path())
        .args(["times", "a.txt", "missing.txt"])
        .assert()
        .code(1);
    let output = assert.get_output();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // "in September" after an April publication is September of the same year.
    assert!(
        stdout.contains("\"in September\"") && stdout.contains("2021-09-01..2021-09-30 month"),
        "{stdout}"
    );
    assert!(stdout.starts_with("a.txt:"), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing.txt"), "{stderr}");
    assert!(stderr.contains("1 input(s) could not be read"), "{stderr}");
}
