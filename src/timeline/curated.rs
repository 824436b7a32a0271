//! The curated timeline file (`[timeline] known`): the events and values an
//! analyst starts from, written by hand in TOML. Each entry becomes claims
//! from a pseudo-article named after the file, so the diff treats them like any
//! other source, and a file already loaded (same content) is not loaded twice.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::extract::Lexicon;
use crate::extract::time::{TimeExpr, find_times};
use crate::model::{Article, Attribute, Claim, Event, Milestone, Modality, Span, Status, Value};

/// One curated event with the values known about it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CuratedEvent {
    country: String,
    actor: String,
    milestone: Milestone,
    #[serde(default)]
    phase: Option<u32>,
    #[serde(default)]
    location: Option<String>,
    /// When these values were known; relative words in `deadline` resolve against it.
    as_of: NaiveDate,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    url: Option<String>,
    /// Time words as an article would say them: "by the end of 2026".
    #[serde(default)]
    deadline: Option<String>,
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    troop_count: Option<u32>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CuratedFile {
    #[serde(default)]
    events: Vec<CuratedEvent>,
}

/// What is wrong with a curated timeline file.
#[derive(Debug, thiserror::Error)]
pub enum CuratedError {
    #[error("cannot read the curated timeline {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the curated timeline {path} is not valid TOML for drawdown: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("the curated timeline {path}, events[{index}]: {problem}")]
    Invalid {
        path: PathBuf,
        index: usize,
        problem: String,
    },
}

/// A curated source: one pseudo-article per entry (so each keeps its outlet and
/// date) and its claims.
#[derive(Debug, Clone)]
pub struct Curated {
    pub entries: Vec<(Article, Vec<Claim>)>,
    /// Hash of the file's content: loaded once per content.
    pub content_hash: String,
}

/// Reads and checks a curated timeline file.
pub fn load(path: &Path, lex: &Lexicon) -> Result<Curated, CuratedError> {
    let text = std::fs::read_to_string(path).map_err(|source| CuratedError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text, lex)
}

/// Parses the text of a curated timeline file (`path` names it in errors).
pub fn parse(path: &Path, text: &str, lex: &Lexicon) -> Result<Curated, CuratedError> {
    let file: CuratedFile = toml::from_str(text).map_err(|source| CuratedError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |index: usize, problem: String| CuratedError::Invalid {
        path: path.to_path_buf(),
        index,
        problem,
    };
    let mut entries = Vec::new();
    for (index, e) in file.events.iter().enumerate() {
        if lex.country(&e.country).is_none() {
            return Err(invalid(
                index,
                format!(
                    "country {:?} is not an ISO 3166-1 alpha-2 code the lexicon knows",
                    e.country
                ),
            ));
        }
        let event = Event::new(
            &e.country,
            &e.actor,
            e.milestone,
            e.phase,
            e.location.clone(),
        );
        let body = format!(
            "{} {} {}: {}",
            e.actor,
            e.milestone.as_str(),
            e.country,
            e.note.as_deref().unwrap_or("curated entry")
        );
        let article = Article {
            title: format!("curated timeline {}", path.display()),
            source: Some(
                e.source
                    .clone()
                    .unwrap_or_else(|| "curated timeline".to_string()),
            ),
            url: e.url.clone(),
            path: Some(path.to_path_buf()),
            published: e.as_of,
            text: format!("{body}\n{index}\n{text}"),
        };
        let claim = |attribute, value, words: String| Claim {
            event: event.clone(),
            attribute,
            value,
            text: words,
            quote: body.clone(),
            span: Span {
                start: 0,
                end: body.len(),
            },
            attributed_to: e.source.clone(),
            modality: Modality::Planned,
            change_wording: None,
            rule: "curated".to_string(),
            scope_defaulted: false,
        };
        let mut claims = Vec::new();
        if let Some(words) = &e.deadline {
            let value = find_times(words, e.as_of)
                .into_iter()
                .find_map(|m| match m.expr {
                    TimeExpr::Interval(v) => Some(v),
                    TimeExpr::Duration { .. } => None,
                })
                .ok_or_else(|| {
                    invalid(index, format!("deadline {words:?} is not a time expression drawdown understands (e.g. \"by the end of 2026\", \"September 2026\")"))
                })?;
            claims.push(claim(
                Attribute::Deadline,
                Value::Date(value),
                words.clone(),
            ));
        }
        if let Some(status) = e.status {
            claims.push(claim(
                Attribute::Status,
                Value::Status { value: status },
                status.as_str().to_string(),
            ));
        }
        if let Some(n) = e.troop_count {
            let count_event = Event::new(&e.country, &e.actor, Milestone::Drawdown, None, None);
            let mut c = claim(
                Attribute::TroopCount,
                Value::Count {
                    value: n,
                    min: n,
                    max: n,
                    approx: true,
                },
                format!("about {n} troops"),
            );
            c.event = count_event;
            claims.push(c);
        }
        if claims.is_empty() {
            return Err(invalid(
                index,
                "gives no value: set deadline, status or troop_count".to_string(),
            ));
        }
        entries.push((article, claims));
    }
    let content_hash = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(text.as_bytes()))
    };
    Ok(Curated {
        entries,
        content_hash,
    })
}
