//! The whole-phrase rules anchored on a date: `best_at` tries every rule at a
//! token; cues ("by", "in", "until"), floors ("at least until"), ranges
//! ("between 2025 and 2026", "2025-2026") and offsets ("a month before ...").

use crate::model::{Granularity, TimeValue};

use super::TimeExpr;
use super::ctx::Ctx;
use super::tokens::{Kw, Lex, is_dash};
use super::values::{Cue, Found, Period, Pick, longest, pick};

impl Ctx<'_> {
    pub(super) fn best_at(&self, i: usize) -> Option<Found> {
        longest(
            [
                self.floor(i),
                self.range(i),
                self.offset(i),
                self.cued_atom(i),
                self.within(i),
                self.in_duration(i),
                self.to_duration(i),
                self.for_another(i),
                self.coming(i),
                self.duration_adjective(i),
                self.duration_cued(i),
            ],
            |f| f.next,
        )
    }

    fn cue(&self, i: usize) -> Option<(usize, Cue)> {
        match self.lex(i) {
            Lex::Kw(Kw::In) => Some((i + 1, Cue::In)),
            Lex::Kw(Kw::On) => Some((i + 1, Cue::On)),
            Lex::Kw(Kw::By | Kw::Before | Kw::Until | Kw::Through | Kw::During | Kw::Around) => {
                Some((i + 1, Cue::Other))
            }
            Lex::Kw(Kw::At) if self.lex(i + 1) == Lex::Kw(Kw::The) => Some((i + 1, Cue::Other)),
            // "to": the new date of a change ("postponed to June 30"); only
            // before a month, not "cut to 2000 troops".
            Lex::Kw(Kw::To) if matches!(self.lex(i + 1), Lex::Month { .. }) => {
                Some((i + 1, Cue::Other))
            }
            Lex::Kw(Kw::No | Kw::Not) => self
                .kws(i + 1, &[Kw::Later, Kw::Than])
                .map(|k| (k, Cue::Other)),
            _ => None,
        }
    }

    /// "[by|in|until|...] <date>".
    fn cued_atom(&self, i: usize) -> Option<Found> {
        let atom = match self.cue(i) {
            Some((j, cue)) => self.atom(j, cue),
            None => self.atom(i, Cue::None),
        }?;
        Some(Found::interval(atom.next, atom.period, false, atom.rule))
    }

    /// "at least until September 2026", "not before 2026": open-ended floors.
    fn floor(&self, i: usize) -> Option<Found> {
        let j = match self.lex(i) {
            Lex::Kw(Kw::At) => self
                .kw(i + 1, Kw::Least)
                .and_then(|k| self.kw(k, Kw::Until).or_else(|| self.kw(k, Kw::Through))),
            Lex::Kw(Kw::Until | Kw::Through) => self.kws(i + 1, &[Kw::At, Kw::Least]),
            Lex::Kw(Kw::Not) => self
                .kw(i + 1, Kw::Before)
                .or_else(|| self.kw(i + 1, Kw::Until))
                .or_else(|| self.kws(i + 1, &[Kw::Earlier, Kw::Than])),
            Lex::Kw(Kw::No) => self.kws(i + 1, &[Kw::Earlier, Kw::Than]),
            _ => None,
        }?;
        let atom = self.atom(j, Cue::Other)?;
        Some(Found {
            next: atom.next,
            expr: TimeExpr::Interval(TimeValue {
                earliest: atom.period.start,
                latest: None,
                granularity: atom.period.gran,
                fuzzy: false,
            }),
            rule: "floor",
        })
    }

    /// "between 2025 and 2026", "from September 2025 through 2026",
    /// "September 2025 to March 2026", "2025-2026".
    fn range(&self, i: usize) -> Option<Found> {
        let (j, framed) = match self.lex(i) {
            Lex::Kw(Kw::Between | Kw::From) => (i + 1, true),
            _ => (
                self.cue(i)
                    .filter(|&(_, c)| c != Cue::On)
                    .map_or(i, |(j, _)| j),
                false,
            ),
        };
        if self.lex(i) != Lex::Kw(Kw::Between) {
            if let Some(found) = self.year_span(j, j == i) {
                return Some(found);
            }
        }
        let side = |k: usize, first: bool| {
            let cue = if first && k == i {
                Cue::None
            } else {
                Cue::Other
            };
            if framed {
                longest([self.atom(k, cue), self.bare_month(k, true)], |a| a.next)
            } else {
                self.atom(k, cue).filter(|a| a.explicit)
            }
        };
        let a = side(j, true)?;
        let k = match self.lex(a.next) {
            Lex::Kw(Kw::And) if self.lex(i) == Lex::Kw(Kw::Between) => a.next + 1,
            Lex::Kw(Kw::To | Kw::Through) => a.next + 1,
            Lex::Kw(Kw::Until) if framed => a.next + 1,
            Lex::Punct(c) if is_dash(c) && self.lex(i) != Lex::Kw(Kw::Between) => a.next + 1,
            _ => return None,
        };
        let b = side(k, false)?;
        let first = match (a.bare_month, b.bare_month) {
            (Some(m), None) => pick(b.period.start, Pick::Since, |y| Period::month(y, m))?,
            _ => a.period,
        };
        let second = match b.bare_month {
            Some(m) => pick(first.start, Pick::Upcoming, |y| Period::month(y, m))?,
            None => b.period,
        };
        if second.end < first.start {
            return None;
        }
        let period = Period {
            start: first.start,
            end: second.end,
            gran: first.gran.max(second.gran),
        };
        Some(Found::interval(b.next, period, false, "range"))
    }

    /// "2025-2026", "2025–26".
    fn year_span(&self, i: usize, first: bool) -> Option<Found> {
        let from = self.year_value(i)?;
        if first && !self.left_ok(i) {
            return None;
        }
        let k = self.dash(i + 1)?;
        let (next, to) = match self.lex(k) {
            Lex::Num { digits: 4, .. } => self.year_num(k)?,
            Lex::Num { value, digits: 2 } if !self.spaced(k) && self.glued_right_ok(k) => {
                (k + 1, from / 100 * 100 + i32::try_from(value).ok()?)
            }
            _ => return None,
        };
        if to <= from {
            return None;
        }
        let period = Period {
            start: Period::year(from)?.start,
            end: Period::year(to)?.end,
            gran: Granularity::Year,
        };
        Some(Found::interval(next, period, false, "range"))
    }

    /// "one month before October 2025", "two weeks after 8 September 2025".
    fn offset(&self, i: usize) -> Option<Found> {
        let (j, d) = self.amount(i, false)?;
        let (k, back) = match self.lex(j) {
            Lex::Kw(Kw::After) => (j + 1, false),
            Lex::Kw(Kw::Before) => (j + 1, true),
            Lex::Kw(Kw::Prior) => (self.kw(j + 1, Kw::To)?, true),
            _ => return None,
        };
        let atom = self.atom(k, Cue::Other)?;
        Some(Found::interval(
            atom.next,
            atom.period.shifted(d, back)?,
            false,
            "offset",
        ))
    }
}
