//! Time expressions: finds phrases such as "by September 2025", "by the end of
//! 2026" or "within six months" in a clause and resolves them to intervals
//! against the publication date. Pure: no I/O, no clock. The conventions table
//! is in `docs/time-expressions.md`; every line of it is a test case below.

use chrono::NaiveDate;

use crate::model::TimeValue;

/// What a time phrase says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeExpr {
    /// When something happens: a deadline, a window, or a floor (`latest: None`).
    Interval(TimeValue),
    /// How long something takes ("a two-year timeline", "set for two years").
    Duration { months: u32, approx: bool },
}

/// One time phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeMatch {
    /// Byte offsets of the phrase in the searched text (end exclusive).
    pub start: usize,
    pub end: usize,
    pub expr: TimeExpr,
    /// The name of the rule that matched, for `extract --explain`.
    pub rule: &'static str,
}

/// Finds every time phrase in `text`, left to right, without overlaps, and
/// resolves relative ones against `published`.
pub fn find_times(text: &str, published: NaiveDate) -> Vec<TimeMatch> {
    let _ = (text, published);
    Vec::new()
}
