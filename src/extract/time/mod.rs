//! Time expressions: finds phrases such as "by September 2025", "by the end of
//! 2026" or "within six months" in a clause and resolves them to intervals
//! against the publication date. It owns a small tokenizer and the phrase rules;
//! it does not decide relevance (a historic "in 2003" is returned too). Pure: no
//! I/O, no clock. The conventions are in `docs/time-expressions.md`; every line
//! of that table is a test case in `tests.rs`.
//!
//! Layout: this file is the public API and the scan; `tokens.rs` splits text
//! into tokens and `words.rs` is the word table; `values.rs` holds periods,
//! durations and matches; `ctx.rs` the token helpers of the rules; the rules
//! are `phrases.rs` (cues, ranges, floors, offsets), `durations.rs` (spans and
//! lengths from the publication day), `dates.rs` (named days, months, years)
//! `parts.rs` (parts of a year or month, halves, quarters, seasons) and
//! `holidays.rs` (Christmas, New Year, Easter, Thanksgiving).

mod ctx;
mod dates;
mod durations;
mod holidays;
mod parts;
mod phrases;
mod tokens;
mod values;
mod words;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;

use crate::model::TimeValue;

use ctx::Ctx;
use tokens::tokenize;

/// What a time phrase says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeExpr {
    /// When something happens: a deadline, a window, or a floor (`latest: None`).
    Interval(TimeValue),
    /// How long something takes ("a two-year timeline", "set for two years").
    Duration {
        /// The length in months ("two-year" = 24, "a year and a half" = 18).
        months: u32,
        /// Hedged: "about", "approximately", "roughly", "some", "around".
        approx: bool,
    },
}

/// One time phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeMatch {
    /// Byte offset of the phrase in the searched text (on a char boundary).
    pub start: usize,
    /// Byte offset just past the phrase (exclusive, on a char boundary).
    pub end: usize,
    /// What the phrase says, resolved against the publication date.
    pub expr: TimeExpr,
    /// The name of the rule that matched, for `extract --explain`.
    pub rule: &'static str,
}

/// A rule may start at most this many tokens before its first date-bearing
/// token ("at least until the end of next year"); farther away nothing is tried.
const MAX_LEAD: usize = 10;

/// Finds every time phrase in `text`, left to right, without overlaps (the
/// longest phrase wins at a position), and resolves relative ones against
/// `published`. Spans include a leading cue word ("by", "in", "until"...).
pub fn find_times(text: &str, published: NaiveDate) -> Vec<TimeMatch> {
    // Every phrase holds an anchor token (see the pre-check below): a text
    // that cannot hold one is not even tokenized.
    if !words::may_hold_anchor(text) {
        return Vec::new();
    }
    let toks = tokenize(text);
    let ctx = Ctx {
        toks: &toks,
        p: published,
    };
    let mut out = Vec::new();
    let mut anchor = 0;
    let mut i = 0;
    while i < toks.len() {
        // Pre-check: skip quickly to the next number, month, unit or season word.
        anchor = anchor.max(i);
        while toks.get(anchor).is_some_and(|t| !t.lex.is_anchor()) {
            anchor += 1;
        }
        if anchor >= toks.len() {
            break;
        }
        if anchor - i > MAX_LEAD {
            i = anchor - MAX_LEAD;
            continue;
        }
        let found = toks
            .get(i)
            .filter(|t| t.lex.can_start())
            .and_then(|_| ctx.best_at(i));
        let Some(found) = found else {
            i += 1;
            continue;
        };
        let last = found.next.checked_sub(1).and_then(|j| toks.get(j));
        if let (Some(first), Some(last)) = (toks.get(i), last) {
            out.push(TimeMatch {
                start: first.start,
                end: last.end,
                expr: found.expr,
                rule: found.rule,
            });
        }
        i = found.next.max(i + 1);
    }
    out
}
