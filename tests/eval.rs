//! The labelled corpus (docs/corpus.md) scored by `drawdown eval`: floors
//! that the numbers may only raise. Raise them when the extractor improves;
//! never lower them to make a change pass.

use assert_cmd::Command;
use serde_json::Value;

/// Current floors, equal to what the corpus scores today (measured
/// 2026-12-02: 36 of 37 expected alerts found, no false alert, every date
/// field 11/11/11 of 11 and every other value 24 of 24 right; the four labels
/// added that day are statuses a known withdrawal reached, see docs/design.md). A floor below
/// today's figure would let a regression through, so raise these with the
/// extractor and never lower them.
const MIN_MATCHED: u64 = 36;
const EXPECTED: u64 = 37;
const MIN_PRECISION: f64 = 1.0;
const MIN_DATES: u64 = 11;
const MIN_OTHER_VALUES: u64 = 24;

#[test]
fn the_corpus_scores_at_least_the_floors() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "").unwrap_or_else(|e| panic!("{e}"));
    let out = Command::cargo_bin("drawdown")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(root)
        .arg("--config")
        .arg(&config)
        .args([
            "eval",
            "--format",
            "json",
            "tests/corpus",
            "tests/fixtures/story",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let total = lines
        .iter()
        .find(|l| l["story"] == "TOTAL")
        .unwrap_or_else(|| panic!("no total line"));
    let count = |key: &str| {
        total[key]
            .as_u64()
            .unwrap_or_else(|| panic!("TOTAL has no count {key}: {total:#}"))
    };
    let recall = total["recall"].as_f64().unwrap_or(0.0);
    let precision = total["precision"].as_f64().unwrap_or(0.0);
    eprintln!("corpus: recall {recall:.2}, precision {precision:.2}");
    // The labels are the denominator: a changed count means the corpus
    // changed, and the floors must be measured again.
    assert_eq!(count("expected"), EXPECTED, "{total:#}");
    assert!(
        count("matched") >= MIN_MATCHED,
        "found {} of {EXPECTED} expected alerts, floor {MIN_MATCHED}: {total:#}",
        count("matched")
    );
    assert!(
        precision >= MIN_PRECISION,
        "precision {precision:.2} fell below {MIN_PRECISION}: {total:#}"
    );
    // Value accuracy (docs/corpus.md): every date field and every other
    // value of a matched alert is right, and none of them went unchecked.
    let dates = count("dates");
    assert!(dates >= MIN_DATES, "only {dates} dates checked: {total:#}");
    for field in ["earliest_ok", "latest_ok", "granularity_ok"] {
        assert_eq!(count(field), dates, "{field}: {total:#}");
    }
    let values = count("other_values");
    assert!(
        values >= MIN_OTHER_VALUES,
        "only {values} values checked: {total:#}"
    );
    assert_eq!(count("other_values_ok"), values, "{total:#}");
    // Articles where "withdraw" means something else never raise an alert.
    let negative = lines
        .iter()
        .find(|l| {
            l["story"]
                .as_str()
                .is_some_and(|s| s.starts_with("Negative"))
        })
        .unwrap_or_else(|| panic!("no negative story"));
    assert_eq!(negative["alerts"], 0, "{negative:#}");
    assert_eq!(
        total["quiet_false"], 0,
        "alerts on quiet articles: {total:#}"
    );
    // The seed story retold in our own words is right.
    let story = lines
        .iter()
        .find(|l| l["story"].as_str().is_some_and(|s| s.contains("Iraq")))
        .unwrap_or_else(|| panic!("no Iraq story"));
    assert_eq!(story["recall"], 1.0);
    assert_eq!(story["precision"], 1.0);
}
