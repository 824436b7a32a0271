//! Scoring against the labelled corpus (`docs/corpus.md`): parses a story's
//! `labels.toml` and compares the alerts a replay raised with the expected
//! ones: recall, precision, false alerts on quiet articles, and per-field
//! accuracy of time values. Pure: the replay itself happens in the caller.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Alert, Attribute, ChangeKind, Granularity, Milestone, Status, Value};

/// One story's labels.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub story: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub actor: String,
    /// Files that must raise no update, contradiction or refinement.
    #[serde(default)]
    pub quiet: Vec<String>,
    #[serde(default)]
    pub expect: Vec<Expectation>,
}

/// An alert a correct monitor raises.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub article: String,
    pub kind: ChangeKind,
    pub milestone: Milestone,
    pub attribute: Attribute,
    #[serde(default)]
    pub phase: Option<u32>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub new: Option<String>,
    #[serde(default)]
    pub new_count: Option<u32>,
    #[serde(default)]
    pub new_status: Option<Status>,
    #[serde(default)]
    pub new_months: Option<u32>,
    #[serde(default)]
    pub previous: Option<String>,
    /// Free text for the reader of the labels.
    #[serde(default)]
    pub note: Option<String>,
}

/// Problems reading labels.
#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a valid labels file (see docs/corpus.md): {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("{path}: expect[{index}]: {problem}")]
    Invalid {
        path: PathBuf,
        index: usize,
        problem: String,
    },
}

/// A date label as an interval: (earliest, latest or None for a floor, granularity).
pub type LabelDate = (NaiveDate, Option<NaiveDate>, Granularity);

/// Reads and checks `labels.toml`.
pub fn load_labels(path: &Path) -> Result<Labels, LabelError> {
    let text = std::fs::read_to_string(path).map_err(|source| LabelError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let labels: Labels = toml::from_str(&text).map_err(|source| LabelError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    for (index, e) in labels.expect.iter().enumerate() {
        for value in [&e.new, &e.previous].into_iter().flatten() {
            if parse_label_date(value).is_none() {
                return Err(LabelError::Invalid {
                    path: path.to_path_buf(),
                    index,
                    problem: format!(
                        "{value:?} is not a date label (YYYY, YYYY-MM, YYYY-MM-DD, end-YYYY, H1-YYYY, Q3-YYYY, >=YYYY-MM)"
                    ),
                });
            }
        }
    }
    Ok(labels)
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// Parses a date label ("2021-09", "end-2026", ">=2026-09", ...).
pub fn parse_label_date(label: &str) -> Option<LabelDate> {
    let label = label.trim();
    if let Some(rest) = label.strip_prefix(">=") {
        let (earliest, _, granularity) = parse_label_date(rest)?;
        return Some((earliest, None, granularity));
    }
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    if let Some(year) = label.strip_prefix("end-") {
        let y: i32 = year.parse().ok()?;
        return Some((ymd(y, 10, 1)?, Some(ymd(y, 12, 31)?), Granularity::Quarter));
    }
    if let Some((half, year)) = label.split_once('-').filter(|(h, _)| h.starts_with('H')) {
        let y: i32 = year.parse().ok()?;
        return match half {
            "H1" => Some((ymd(y, 1, 1)?, Some(ymd(y, 6, 30)?), Granularity::Half)),
            "H2" => Some((ymd(y, 7, 1)?, Some(ymd(y, 12, 31)?), Granularity::Half)),
            _ => None,
        };
    }
    if let Some((q, year)) = label.split_once('-').filter(|(q, _)| q.starts_with('Q')) {
        let y: i32 = year.parse().ok()?;
        let n: u32 = q.trim_start_matches('Q').parse().ok()?;
        if !(1..=4).contains(&n) {
            return None;
        }
        let first = n * 3 - 2;
        return Some((
            ymd(y, first, 1)?,
            Some(month_end(y, first + 2)?),
            Granularity::Quarter,
        ));
    }
    let parts: Vec<&str> = label.split('-').collect();
    match parts.as_slice() {
        [y] => {
            let y: i32 = y.parse().ok()?;
            Some((ymd(y, 1, 1)?, Some(ymd(y, 12, 31)?), Granularity::Year))
        }
        [y, m] => {
            let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
            Some((ymd(y, m, 1)?, Some(month_end(y, m)?), Granularity::Month))
        }
        [y, m, d] => {
            let day = ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
            Some((day, Some(day), Granularity::Day))
        }
        _ => None,
    }
}

/// How one story scored.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StoryScore {
    pub story: String,
    pub expected: usize,
    pub matched: usize,
    /// Alerts of kind update, contradiction or refinement.
    pub alerts: usize,
    /// Alerts on files listed as quiet.
    pub quiet_false: usize,
    /// Matched date expectations, and how many had each field right.
    pub dates: usize,
    pub earliest_ok: usize,
    pub latest_ok: usize,
    pub granularity_ok: usize,
    /// Matched count/status/duration expectations, and how many had the value right.
    pub other_values: usize,
    pub other_values_ok: usize,
    /// Human-readable lines for the misses, wrong values and unlabelled alerts.
    pub missed: Vec<String>,
    pub wrong_values: Vec<String>,
    pub unexpected: Vec<String>,
}

impl StoryScore {
    pub fn recall(&self) -> f64 {
        ratio(self.matched, self.expected)
    }

    pub fn precision(&self) -> f64 {
        ratio(self.matched, self.alerts)
    }

    /// Adds another story's figures (for the total).
    pub fn add(&mut self, other: &StoryScore) {
        self.expected += other.expected;
        self.matched += other.matched;
        self.alerts += other.alerts;
        self.quiet_false += other.quiet_false;
        self.dates += other.dates;
        self.earliest_ok += other.earliest_ok;
        self.latest_ok += other.latest_ok;
        self.granularity_ok += other.granularity_ok;
        self.other_values += other.other_values;
        self.other_values_ok += other.other_values_ok;
    }
}

/// `a / b`, with 1.0 for nothing out of nothing.
pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn describe(file: &str, kind: ChangeKind, milestone: Milestone, attribute: Attribute) -> String {
    format!(
        "{file}: {} {} {}",
        kind.as_str(),
        milestone.as_str(),
        attribute.as_str()
    )
}

/// Scores the alerts a replay raised (each with the file name that raised it).
pub fn score(labels: &Labels, alerts: &[(String, Alert)]) -> StoryScore {
    let loud: Vec<&(String, Alert)> = alerts
        .iter()
        .filter(|(_, a)| {
            matches!(
                a.kind,
                ChangeKind::Update | ChangeKind::Contradiction | ChangeKind::Refinement
            )
        })
        .collect();
    let mut s = StoryScore {
        story: labels.story.clone(),
        expected: labels.expect.len(),
        alerts: loud.len(),
        quiet_false: loud
            .iter()
            .filter(|(f, _)| labels.quiet.contains(f))
            .count(),
        ..StoryScore::default()
    };
    let mut used = vec![false; loud.len()];
    for e in &labels.expect {
        let found = loud.iter().enumerate().position(|(i, (file, a))| {
            !used[i]
                && *file == e.article
                && a.kind == e.kind
                && a.event.milestone == e.milestone
                && a.attribute == e.attribute
                && (e.phase.is_none() || a.event.phase == e.phase)
                && e.location.as_ref().is_none_or(|l| {
                    a.event
                        .location
                        .as_ref()
                        .is_some_and(|x| x.eq_ignore_ascii_case(l))
                })
        });
        let Some(i) = found else {
            s.missed
                .push(describe(&e.article, e.kind, e.milestone, e.attribute));
            continue;
        };
        used[i] = true;
        s.matched += 1;
        let alert = &loud[i].1;
        check_value(e, &alert.current.value, &mut s);
    }
    for (i, (file, a)) in loud.iter().enumerate() {
        if !used[i] {
            s.unexpected.push(format!(
                "{}  ({})",
                describe(file, a.kind, a.event.milestone, a.attribute),
                a.message
            ));
        }
    }
    s
}

fn check_value(e: &Expectation, got: &Value, s: &mut StoryScore) {
    let what = describe(&e.article, e.kind, e.milestone, e.attribute);
    if let Some((earliest, latest, granularity)) = e.new.as_deref().and_then(parse_label_date) {
        s.dates += 1;
        match got {
            Value::Date(v) => {
                s.earliest_ok += usize::from(v.earliest == earliest);
                s.latest_ok += usize::from(v.latest == latest);
                s.granularity_ok += usize::from(v.granularity == granularity);
                if v.earliest != earliest || v.latest != latest || v.granularity != granularity {
                    let shown =
                        |d: Option<NaiveDate>| d.map_or("open".to_string(), |d| d.to_string());
                    s.wrong_values.push(format!(
                        "{what}: got {}..{} {:?}, labelled {}..{} {:?}",
                        v.earliest,
                        shown(v.latest),
                        v.granularity,
                        earliest,
                        shown(latest),
                        granularity
                    ));
                }
            }
            other => s
                .wrong_values
                .push(format!("{what}: got {other:?}, labelled a date")),
        }
        return;
    }
    let ok = match (got, e.new_count, e.new_status, e.new_months) {
        (
            Value::Count {
                value, min, max, ..
            },
            Some(n),
            _,
            _,
        ) => *value == n || (*min <= n && n <= *max && *max != u32::MAX),
        (Value::Status { value }, _, Some(st), _) => *value == st,
        (Value::Duration { months, .. }, _, _, Some(m)) => *months == m,
        (_, None, None, None) => return,
        _ => false,
    };
    s.other_values += 1;
    if ok {
        s.other_values_ok += 1;
    } else {
        s.wrong_values.push(format!("{what}: got {got:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[rstest]
    #[case("2021-09", "2021-09-01", Some("2021-09-30"), Granularity::Month)]
    #[case("2024-02", "2024-02-01", Some("2024-02-29"), Granularity::Month)]
    #[case("2021-08-31", "2021-08-31", Some("2021-08-31"), Granularity::Day)]
    #[case("2026", "2026-01-01", Some("2026-12-31"), Granularity::Year)]
    #[case("end-2026", "2026-10-01", Some("2026-12-31"), Granularity::Quarter)]
    #[case("H2-2024", "2024-07-01", Some("2024-12-31"), Granularity::Half)]
    #[case("Q3-2026", "2026-07-01", Some("2026-09-30"), Granularity::Quarter)]
    #[case(">=2026-09", "2026-09-01", None, Granularity::Month)]
    fn date_labels(
        #[case] label: &str,
        #[case] earliest: &str,
        #[case] latest: Option<&str>,
        #[case] granularity: Granularity,
    ) {
        assert_eq!(
            parse_label_date(label),
            Some((day(earliest), latest.map(day), granularity))
        );
    }

    #[rstest]
    #[case("September 2026")]
    #[case("2026-13")]
    #[case("Q5-2026")]
    #[case("")]
    fn bad_date_labels(#[case] label: &str) {
        assert_eq!(parse_label_date(label), None);
    }
}
