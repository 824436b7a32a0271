//! The nouns every stage shares: `Article` (what sources produce), `Claim` (what
//! extraction finds), `Change` (what the timeline diff decides) and `Alert` (what
//! sinks deliver). The serde shapes here are the public JSON contract of
//! `docs/contract.md`: rename nothing without bumping the contract.

use std::fmt;
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One news article, as a source read it. The body is plain text (paragraphs
/// separated by blank lines); readers strip markup before building it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub title: String,
    /// The outlet ("Reuters"), when known.
    pub source: Option<String>,
    pub url: Option<String>,
    /// Where the file was read from (drop folder, `ingest`, `replay`).
    pub path: Option<PathBuf>,
    /// Publication day; relative time expressions resolve against it.
    pub published: NaiveDate,
    /// The body text the extractor reads; claim offsets point into it.
    pub text: String,
}

impl Article {
    /// A stable fingerprint of what the article says: the same text dropped
    /// twice (under any name) has the same hash. Whitespace runs are folded so
    /// that re-wrapping a file does not make it new.
    pub fn content_hash(&self) -> String {
        let mut hasher = Sha256::new();
        for word in self.title.split_whitespace() {
            hasher.update(word.as_bytes());
            hasher.update(b" ");
        }
        hasher.update(b"\n");
        for word in self.text.split_whitespace() {
            hasher.update(word.as_bytes());
            hasher.update(b" ");
        }
        hex::encode(hasher.finalize())
    }

    /// The provenance an alert carries about this article.
    pub fn reference(&self) -> ArticleRef {
        ArticleRef {
            title: self.title.clone(),
            source: self.source.clone(),
            url: self.url.clone(),
            path: self.path.as_ref().map(|p| p.display().to_string()),
            published: self.published,
        }
    }
}

/// Where a claim came from, as printed in alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleRef {
    pub title: String,
    pub source: Option<String>,
    pub url: Option<String>,
    pub path: Option<String>,
    pub published: NaiveDate,
}

impl ArticleRef {
    /// The outlet's name for messages: "Reuters", or "unknown outlet".
    pub fn outlet(&self) -> &str {
        self.source.as_deref().unwrap_or("unknown outlet")
    }
}

/// The stage of a withdrawal an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// The complete withdrawal: the last troops leave.
    Final,
    /// A numbered or named stage.
    Phase,
    /// Leaving one base or location.
    Base,
    /// An interim troop level, or the number of troops present.
    Drawdown,
    /// The deal itself (agreed, signed, announced).
    Agreement,
}

impl Milestone {
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Final => "final",
            Milestone::Phase => "phase",
            Milestone::Base => "base",
            Milestone::Drawdown => "drawdown",
            Milestone::Agreement => "agreement",
        }
    }
}

/// What is said about an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    /// When it happens (a time interval).
    Deadline,
    /// How many troops (a count).
    TroopCount,
    /// Where it stands (announced ... completed).
    Status,
    /// How long it takes ("a two-year timeline").
    Duration,
}

impl Attribute {
    pub fn as_str(self) -> &'static str {
        match self {
            Attribute::Deadline => "deadline",
            Attribute::TroopCount => "troop_count",
            Attribute::Status => "status",
            Attribute::Duration => "duration",
        }
    }
}

/// One milestone of one withdrawal: which force leaves which country, and which
/// stage of it. `key` identifies it across articles.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Event {
    /// `COUNTRY/actor-slug/milestone[-phase|-location-slug]`, e.g. `IQ/us-led-coalition/final`.
    pub key: String,
    /// ISO 3166-1 alpha-2 code of the country the force leaves.
    pub country: String,
    /// Canonical name of the force leaving.
    pub actor: String,
    pub milestone: Milestone,
    /// The phase number, for `phase` events.
    pub phase: Option<u32>,
    /// The place left, for `base` events; where the troops are, for others when known.
    pub location: Option<String>,
}

impl Event {
    /// Builds an event and its key. The key leaves out `location` except for
    /// bases, so "final withdrawal (from Erbil)" and "final withdrawal" are one event.
    pub fn new(
        country: &str,
        actor: &str,
        milestone: Milestone,
        phase: Option<u32>,
        location: Option<String>,
    ) -> Event {
        let mut key = format!("{}/{}/{}", country, slug(actor), milestone.as_str());
        match milestone {
            Milestone::Phase => {
                if let Some(n) = phase {
                    key.push_str(&format!("-{n}"));
                }
            }
            Milestone::Base => {
                if let Some(place) = &location {
                    key.push('-');
                    key.push_str(&base_slug(place));
                }
            }
            _ => {}
        }
        Event {
            key,
            country: country.to_string(),
            actor: actor.to_string(),
            milestone,
            phase,
            location,
        }
    }
}

/// The key of a base: its name without the words every base has, so "Camp
/// Victory" and "Victory Base", "Bagram Airfield" and "Bagram air base" are
/// one base ("camp-victory" stays whole when nothing else would remain).
pub fn base_slug(name: &str) -> String {
    const GENERIC: [&str; 16] = [
        "camp",
        "base",
        "air",
        "airbase",
        "airfield",
        "fob",
        "forward",
        "operating",
        "joint",
        "military",
        "barracks",
        "garrison",
        "international",
        "airport",
        "the",
        "station",
    ];
    let full = slug(name);
    let core: Vec<&str> = full.split('-').filter(|w| !GENERIC.contains(w)).collect();
    if core.is_empty() {
        full
    } else {
        core.join("-")
    }
}

/// Lower-case ASCII words joined by '-': "US-led coalition" -> "us-led-coalition".
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars().map(fold_accent) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The unaccented letter for the accented Latin letters of place names
/// ("Ménaka" → "menaka" in keys).
fn fold_accent(ch: char) -> char {
    match ch {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        'ş' | 'Ş' => 's',
        'ğ' => 'g',
        'ı' | 'İ' => 'i',
        other => other,
    }
}

/// How precise a time value is, from finest to coarsest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Day,
    Month,
    Quarter,
    Half,
    Year,
}

/// A time value: the interval the event falls in. `latest: None` is an
/// open-ended floor ("at least until September 2026").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeValue {
    pub earliest: NaiveDate,
    pub latest: Option<NaiveDate>,
    pub granularity: Granularity,
    /// Loosely stated ("in the coming months", "for another year"): such a value
    /// can confirm but never contradicts or updates a firm one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fuzzy: bool,
}

/// The stages a withdrawal or agreement moves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Announced,
    Agreed,
    Signed,
    InProgress,
    Completed,
    Postponed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Announced => "announced",
            Status::Agreed => "agreed",
            Status::Signed => "signed",
            Status::InProgress => "in progress",
            Status::Completed => "completed",
            Status::Postponed => "postponed",
            Status::Cancelled => "cancelled",
        }
    }
}

/// The value of one attribute, tagged by `type` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Value {
    Date(TimeValue),
    Count {
        value: u32,
        min: u32,
        max: u32,
        approx: bool,
    },
    Status {
        value: Status,
    },
    /// A span of time in months ("a two-year timeline" = 24).
    Duration {
        months: u32,
        approx: bool,
    },
}

/// How firmly an article states a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    Planned,
    Expected,
    Completed,
    Proposed,
    Rejected,
    Denied,
    Speculative,
}

impl Modality {
    /// Proposals, rejections, denials and speculation are recorded but never
    /// move the timeline.
    pub fn is_assertive(self) -> bool {
        matches!(
            self,
            Modality::Planned | Modality::Expected | Modality::Completed
        )
    }
}

/// Byte offsets into `Article::text` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// One thing an article says about one attribute of one event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Claim {
    pub event: Event,
    pub attribute: Attribute,
    pub value: Value,
    /// The words that carried the value ("by September 2026").
    pub text: String,
    /// The sentence the claim came from, whitespace folded.
    pub quote: String,
    /// Where the sentence is in the article text.
    pub span: Span,
    pub attributed_to: Option<String>,
    pub modality: Modality,
    /// Words that mark a deliberate change ("pushed back", "brought forward").
    pub change_wording: Option<String>,
    /// The extraction rule that produced the claim, for `extract --explain`.
    pub rule: String,
    /// A `final` claim whose words named no scope: "the troops have left"
    /// rather than "all troops" or "the last base". The timeline may place it
    /// on a withdrawal it knows only as partial.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scope_defaulted: bool,
}

/// A claim together with the article it came from, as the timeline keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub claim: Claim,
    pub article: ArticleRef,
    /// Content hash of the article: one source however many claims it makes.
    pub article_hash: String,
}

/// What the timeline decided about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Nothing was known about this event and attribute.
    New,
    /// The same value, or a less precise one that agrees.
    Confirmation,
    /// A more precise value inside the known one.
    Refinement,
    /// A later report replaces the known value.
    Update,
    /// Both cannot hold, and nothing says the plan changed.
    Contradiction,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Confirmation => "confirmation",
            ChangeKind::Refinement => "refinement",
            ChangeKind::Update => "update",
            ChangeKind::Contradiction => "contradiction",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The diff's verdict on one observation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub current: Observation,
    /// The known value it was compared with (none for `new`).
    pub previous: Option<Observation>,
}

/// One side of an alert: a value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSide {
    pub value: Value,
    pub text: String,
    pub quote: String,
    pub attributed_to: Option<String>,
    pub modality: Modality,
    pub article: ArticleRef,
}

impl From<&Observation> for AlertSide {
    fn from(obs: &Observation) -> AlertSide {
        AlertSide {
            value: obs.claim.value.clone(),
            text: obs.claim.text.clone(),
            quote: obs.claim.quote.clone(),
            attributed_to: obs.claim.attributed_to.clone(),
            modality: obs.claim.modality,
            article: obs.article.clone(),
        }
    }
}

/// What sinks deliver: the `--format json` alert line of the public contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable: the same change from the same articles always has the same id.
    pub id: String,
    pub kind: ChangeKind,
    pub event: Event,
    pub attribute: Attribute,
    pub current: AlertSide,
    pub previous: Option<AlertSide>,
    /// One sentence a person understands without the JSON.
    pub message: String,
}
