//! The commands of the public contract, run as a user would: check-config on
//! good and bad files, extract with and without --explain, ingest (twice:
//! the second time raises nothing), timeline and alerts in text and JSON, and
//! help text for every command.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn story(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/story")
        .join(name)
}

fn drawdown(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("drawdown").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.current_dir(dir);
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {name}: {e}"));
    path
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// (config text, words the error must contain)
const BAD_CONFIGS: [(&str, &[&str]); 4] = [
    ("[store]\npth = \"x.db\"\n", &["bad.toml", "pth", "store"]),
    (
        "[inbox]\nsettle = \"soon\"\n",
        &["bad.toml", "inbox.settle", "duration"],
    ),
    (
        "[[sinks]]\ntype = \"webhook\"\nurl = \"not a url\"\n",
        &["bad.toml", "sinks[0]", "URL"],
    ),
    (
        "[[sinks]]\ntype = \"webhook\"\nurl = \"ftp://example.org/hook\"\n",
        &["bad.toml", "sinks[0].url", "http"],
    ),
];

#[test]
fn check_config_names_the_file_the_key_and_the_problem() {
    for (text, words) in BAD_CONFIGS {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        write(dir.path(), "bad.toml", text);
        let out = drawdown(dir.path())
            .args(["--config", "bad.toml", "check-config"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for word in words {
            assert!(stderr.contains(word), "{text}: {word:?} not in {stderr}");
        }
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "empty.toml", "");
    drawdown(dir.path())
        .args(["--config", "empty.toml", "check-config"])
        .assert()
        .success();
    // The shipped example config is valid.
    drawdown(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(["--config", "config/drawdown.toml", "check-config"])
        .assert()
        .success();
}

#[test]
fn extract_prints_claims_with_their_rule_and_offsets() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "c.toml", "");
    let file = story("03-two-phases.json");
    let out = drawdown(dir.path())
        .args(["--config", "c.toml", "extract", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let claims = json_lines(&out.stdout);
    let final_deadline = claims
        .iter()
        .find(|c| c["event"]["key"] == "IQ/us-led-coalition/final" && c["attribute"] == "deadline")
        .unwrap_or_else(|| panic!("no final deadline claim: {claims:#?}"));
    assert_eq!(final_deadline["value"]["earliest"], "2026-09-01");
    assert!(
        final_deadline["rule"]
            .as_str()
            .is_some_and(|r| r.starts_with("deadline/"))
    );
    assert!(
        final_deadline["attributed_to"]
            .as_str()
            .is_some_and(|w| w.contains("Minister"))
    );
    // The span points at the quoted sentence in the article text.
    let start = final_deadline["span"]["start"].as_u64().unwrap_or(0) as usize;
    let end = final_deadline["span"]["end"].as_u64().unwrap_or(0) as usize;
    assert!(end > start);
    // A rejected proposal ("a three-year withdrawal, which Baghdad
    // rejected") is recorded with its modality, never as a plan.
    let three_years: Vec<&Value> = claims
        .iter()
        .filter(|c| c["value"]["months"] == 36)
        .collect();
    assert_eq!(three_years.len(), 1, "{claims:#?}");
    assert_eq!(three_years[0]["attribute"], "duration");
    assert_eq!(
        three_years[0]["modality"], "rejected",
        "{:#}",
        three_years[0]
    );

    let text = drawdown(dir.path())
        .args(["--config", "c.toml", "extract", "--explain"])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("rule deadline/"), "{text}");
    assert!(
        text.contains("IQ/us-led-coalition/final deadline = September 2026"),
        "{text}"
    );
}

/// Many files are read on every core and printed in the order given; a
/// broken one is reported, counted in the exit code, and the rest go on.
#[test]
fn extract_of_many_files_keeps_their_order_and_reports_a_broken_one() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "c.toml", "");
    let mut names = Vec::new();
    for i in 0..300 {
        let name = format!("{i:03}.txt");
        let text = if i == 150 {
            String::new()
        } else {
            format!(
                "Title: Exit number {i}\nPublished: 2024-09-06\n\n\
                 French troops will leave Chad by March {}.\n",
                i % 28 + 1
            )
        };
        write(dir.path(), &name, &text);
        names.push(name);
    }
    let out = drawdown(dir.path())
        .args(["--config", "c.toml", "extract", "--format", "json"])
        .args(&names)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1), "one file is empty");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("150.txt"), "{stderr}");
    let files: Vec<String> = json_lines(&out.stdout)
        .iter()
        .filter(|c| c["attribute"] == "deadline")
        .map(|c| c["file"].as_str().unwrap_or_default().to_string())
        .collect();
    let expected: Vec<&String> = names.iter().filter(|n| *n != "150.txt").collect();
    assert_eq!(files.len(), expected.len());
    for (got, want) in files.iter().zip(expected) {
        assert!(got.ends_with(want.as_str()), "{got} where {want} was due");
    }
}

#[test]
fn ingest_stores_and_the_same_article_twice_raises_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "c.toml",
        "[store]\npath = \"state/d.db\"\n[timeline]\nknown = \"\"\n[[sinks]]\ntype = \"stdout\"\n",
    );
    let first = drawdown(dir.path())
        .args(["--config", "c.toml", "ingest", "--format", "json"])
        .arg(story("01-deal-reached.txt"))
        .arg(story("03-two-phases.json"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let alerts = json_lines(&first.stdout);
    assert!(
        alerts.iter().any(|a| a["kind"] == "contradiction"),
        "{alerts:#?}"
    );
    let again = drawdown(dir.path())
        .args(["--config", "c.toml", "ingest", "--format", "json"])
        .arg(story("03-two-phases.json"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(again.status.success());
    assert!(
        json_lines(&again.stdout).is_empty(),
        "a duplicate raised alerts"
    );

    // The timeline shows the open contradiction.
    let timeline = drawdown(dir.path())
        .args(["--config", "c.toml", "timeline"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&timeline.stdout);
    assert!(
        text.contains("IQ/us-led-coalition/final deadline: end of 2026"),
        "{text}"
    );
    assert!(
        text.contains("OPEN CONTRADICTION: September 2026"),
        "{text}"
    );
    let entries = drawdown(dir.path())
        .args(["--config", "c.toml", "timeline", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let entries = json_lines(&entries.stdout);
    assert!(
        entries
            .iter()
            .any(|e| e["event"]["key"] == "IQ/us-led-coalition/final"
                && e["contested"].as_array().is_some_and(|c| c.len() == 1))
    );

    // Alerts are stored with a pending delivery to the configured sink.
    let stored = drawdown(dir.path())
        .args(["--config", "c.toml", "alerts", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stored = json_lines(&stored.stdout);
    assert_eq!(stored.len(), alerts.len());
    assert!(stored.iter().all(
        |a| a["deliveries"][0]["sink"] == "stdout" && a["deliveries"][0]["state"] == "pending"
    ));
    let text = drawdown(dir.path())
        .args(["--config", "c.toml", "alerts"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&text.stdout).contains("contradiction"));
}

#[test]
fn ingest_of_a_broken_file_says_why_and_fails() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "c.toml",
        "[store]\npath = \"d.db\"\n[timeline]\nknown = \"\"\n",
    );
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, [0u8, 1, 2, 0, 255]).unwrap_or_else(|e| panic!("{e}"));
    let out = drawdown(dir.path())
        .args(["--config", "c.toml", "ingest"])
        .arg(&junk)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.txt"));
}

/// Articles saved in Windows-1252 and UTF-16 go through `ingest` decoded,
/// and the log says, per file, which encoding was assumed and why.
#[test]
fn ingest_decodes_other_encodings_and_logs_which() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "c.toml", "[store]\npath = \"d.db\"\n");
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encodings");
    let files = ["windows-1252.txt", "utf-16le.txt", "windows-1252.html"];
    let out = drawdown(dir.path())
        .env("RUST_LOG", "drawdown=info")
        .args(["--config", "c.toml", "--log-format", "json", "ingest"])
        .args(files.map(|f| fixtures.join(f)))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let logged = json_lines(&out.stderr);
    for (file, encoding, how, level) in [
        ("windows-1252.txt", "windows-1252", "detected", "WARN"),
        ("utf-16le.txt", "UTF-16LE", "bom", "INFO"),
        ("windows-1252.html", "windows-1252", "declared", "INFO"),
    ] {
        let line = logged
            .iter()
            .find(|l| l["file"].as_str().is_some_and(|f| f.ends_with(file)))
            .unwrap_or_else(|| panic!("no log line names {file}: {stderr}"));
        assert_eq!(line["encoding"], encoding, "{line}");
        assert_eq!(line["how"], how, "{line}");
        assert_eq!(line["level"], level, "{line}");
        let message = line["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("decoded as {encoding}")),
            "{line}"
        );
    }
    // What was stored is the decoded text: `timeline` quotes it.
    let timeline = drawdown(dir.path())
        .args(["--config", "c.toml", "timeline", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let timeline = String::from_utf8_lossy(&timeline.stdout);
    assert!(timeline.contains("Sébastien Lecornu"), "{timeline}");
    assert!(!timeline.contains('\u{FFFD}'), "{timeline}");
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for command in [
        "run",
        "ingest",
        "replay",
        "extract",
        "timeline",
        "alerts",
        "check-config",
    ] {
        let out = drawdown(dir.path())
            .args([command, "--help"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{command} --help");
        assert!(!out.stdout.is_empty(), "{command} --help printed nothing");
    }
}
