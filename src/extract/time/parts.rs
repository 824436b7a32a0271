//! The date rules for parts of a year or month and relative references: "the
//! end of 2026", "mid-2026", "later this year", "next month", "the first half
//! of 2026", "Q3 2026", "summer 2026".

use chrono::Datelike;

use crate::model::Granularity;

use super::ctx::Ctx;
use super::tokens::{Kw, Lex, Season, Unit};
use super::values::{Atom, Part, Period, Pick, pick};

impl Ctx<'_> {
    /// "the end of 2026", "late 2026", "mid-2026", "early next year",
    /// "year's end", "later this year", "late September 2026".
    pub(super) fn qualified(&self, i: usize) -> Option<Atom> {
        let py = self.p.year();
        let j = self.opt(i, Kw::The);
        let year_end = match self.lex(j) {
            Lex::Unit {
                unit: Unit::Year,
                plural: false,
                poss: true,
            } => self.kw(j + 1, Kw::End),
            Lex::Unit {
                unit: Unit::Year,
                plural: false,
                poss: false,
            } => self.kw(self.glued_dash(j + 1).unwrap_or(j + 1), Kw::End),
            _ => None,
        };
        if let Some(next) = year_end {
            return Some(Atom::new(
                next,
                Period::part_of_year(Part::End, py)?,
                "end_of_year",
                false,
            ));
        }
        if let Some(k) = self.kw(i, Kw::Later) {
            let next = self
                .kw(k, Kw::This)
                .or_else(|| self.kws(k, &[Kw::In, Kw::The]))
                .and_then(|k| self.year_word(k))?;
            return Some(Atom::new(
                next,
                Period::part_of_year(Part::End, py)?,
                "later_this_year",
                false,
            ));
        }
        let (j, part, after_of) = self.part_prefix(i)?;
        if let Some((k, m)) = self.month_word(j) {
            let atom = match self.with_year(self.opt(k, Kw::Of)) {
                Some((next, y)) => Atom::new(next, Period::month(y, m)?, "part_of_month", true),
                None => {
                    let period = pick(self.p, Pick::Upcoming, |y| Period::month(y, m))?;
                    Atom::new(k, period, "part_of_month", false)
                }
            };
            return Some(atom);
        }
        if let Some((k, period)) = self.month_ref(j) {
            return Some(Atom::new(k, period, "part_of_month", false));
        }
        let (k, year, explicit) = self.year_ref(j, after_of)?;
        let rule = match part {
            Part::Start => "start_of_year",
            Part::Mid => "mid_year",
            Part::End => "end_of_year",
        };
        Some(Atom::new(
            k,
            Period::part_of_year(part, year)?,
            rule,
            explicit,
        ))
    }

    /// "the end of", "end-", "late", "the beginning of", "early", "mid-", "the middle of".
    fn part_prefix(&self, i: usize) -> Option<(usize, Part, bool)> {
        let j = self.opt(i, Kw::The);
        let the = j > i;
        let part = match self.lex(j) {
            Lex::Kw(Kw::End | Kw::Close) => Part::End,
            Lex::Kw(Kw::Start) => Part::Start,
            Lex::Kw(Kw::Middle) => Part::Mid,
            Lex::Kw(Kw::Late) if !the => Part::End,
            Lex::Kw(Kw::Early) if !the => Part::Start,
            Lex::Kw(Kw::Mid) if !the => Part::Mid,
            _ => return None,
        };
        if let Some(k) = self.kw(j + 1, Kw::Of) {
            return Some((k, part, true));
        }
        match self.lex(j) {
            // "end-2023", and in wire copy "by end 2023", "by end June".
            Lex::Kw(Kw::End) if !the => {
                let k = self.glued_dash(j + 1).or_else(|| {
                    (self.year_num(j + 1).is_some() || self.month_word(j + 1).is_some())
                        .then_some(j + 1)
                })?;
                Some((k, part, false))
            }
            Lex::Kw(Kw::Late | Kw::Early | Kw::Mid) => {
                Some((self.glued_dash(j + 1).unwrap_or(j + 1), part, false))
            }
            _ => None,
        }
    }

    /// "2026", "this year", "next year", "the year", "the current year".
    fn year_ref(&self, i: usize, after_of: bool) -> Option<(usize, i32, bool)> {
        if let Some((k, y)) = self.year_num(i) {
            return Some((k, y, true));
        }
        let py = self.p.year();
        let relative = |delta: i32| self.year_word(i + 1).map(|k| (k, py + delta, false));
        match self.lex(i) {
            Lex::Kw(Kw::This) => relative(0),
            Lex::Kw(Kw::Next) => relative(1),
            Lex::Kw(Kw::Last) => relative(-1),
            Lex::Kw(Kw::The) => {
                if let Some(k) = self.year_word(i + 1) {
                    return Some(match self.year_num(k) {
                        Some((k, y)) => (k, y, true),
                        None => (k, py, false),
                    });
                }
                let k = self.kw(i + 1, Kw::Current).and_then(|k| self.year_word(k));
                k.map(|k| (k, py, false))
            }
            Lex::Unit {
                unit: Unit::Year,
                plural: false,
                poss: false,
            } if after_of => Some((i + 1, py, false)),
            _ => None,
        }
    }

    /// "the month", "this month", "next month", "last month".
    fn month_ref(&self, i: usize) -> Option<(usize, Period)> {
        let delta = match self.lex(i) {
            Lex::Kw(Kw::The | Kw::This) => 0,
            Lex::Kw(Kw::Next) => 1,
            Lex::Kw(Kw::Last) => -1,
            _ => return None,
        };
        match self.unit(i + 1, true)? {
            (k, Unit::Month, false) => Some((k, Period::month_of(self.p, delta)?)),
            _ => None,
        }
    }

    /// "this year", "next year", "last year", "next month" (not after "the").
    pub(super) fn relative(&self, i: usize) -> Option<Atom> {
        if self.prev(i) == Lex::Kw(Kw::The) {
            return None; // "the next year", "over the last year"
        }
        let delta = match self.lex(i) {
            Lex::Kw(Kw::This) => 0,
            Lex::Kw(Kw::Next) => 1,
            Lex::Kw(Kw::Last) => -1,
            _ => return None,
        };
        if let Some(k) = self.year_word(i + 1) {
            return Some(Atom::new(
                k,
                Period::year(self.p.year() + delta)?,
                "relative_year",
                false,
            ));
        }
        let (k, period) = self.month_ref(i)?;
        Some(Atom::new(k, period, "relative_month", false))
    }

    /// "the first half of 2026", "H1 2026", "the third quarter of 2026", "Q3 2026".
    pub(super) fn half_or_quarter(&self, i: usize) -> Option<Atom> {
        let (k, half, quarter) = match self.lex(i) {
            Lex::HalfCode(h) => (self.opt(i + 1, Kw::Of), Some(h), None),
            Lex::QuarterCode(q) => (self.opt(i + 1, Kw::Of), None, Some(q)),
            _ => {
                let j = self.opt(i, Kw::The);
                let n = match self.lex(j) {
                    Lex::Kw(Kw::First) => 1,
                    Lex::Kw(Kw::Second | Kw::Latter) => 2,
                    Lex::Kw(Kw::Third) => 3,
                    Lex::Kw(Kw::Fourth | Kw::Last | Kw::Final) => 4,
                    _ => return None,
                };
                match self.lex(j + 1) {
                    Lex::Kw(Kw::Half) if n <= 2 => (self.kw(j + 2, Kw::Of)?, Some(n), None),
                    Lex::Kw(Kw::Half) if self.lex(j) == Lex::Kw(Kw::Last) => {
                        (self.kw(j + 2, Kw::Of)?, Some(2), None)
                    }
                    Lex::Kw(Kw::Quarter) if self.lex(j) != Lex::Kw(Kw::Latter) => {
                        (self.kw(j + 2, Kw::Of)?, None, Some(n))
                    }
                    _ => return None,
                }
            }
        };
        let after_of = k > i + 1 || !matches!(self.lex(i), Lex::HalfCode(_) | Lex::QuarterCode(_));
        let (next, year, explicit) = self.year_ref(k, after_of)?;
        let (period, rule) = match (half, quarter) {
            (Some(h), _) => (
                Period::months(year, 6 * h - 5, 6, Granularity::Half)?,
                "half_year",
            ),
            (_, Some(q)) => (
                Period::months(year, 3 * q - 2, 3, Granularity::Quarter)?,
                "quarter_year",
            ),
            _ => return None,
        };
        Some(Atom::new(next, period, rule, explicit))
    }

    /// "summer 2026", "the summer of 2026", "this summer", "by the summer".
    pub(super) fn season(&self, i: usize) -> Option<Atom> {
        let occurrence = |s: Season| move |y: i32| Period::season(s, y);
        let which = match self.lex(i) {
            Lex::Kw(Kw::This) => Some(Pick::Upcoming),
            Lex::Kw(Kw::Next) => Some(Pick::Next),
            Lex::Kw(Kw::Last) => Some(Pick::Last),
            _ => None,
        };
        if let Some(which) = which {
            let Lex::Season(s) = self.lex(i + 1) else {
                return None;
            };
            return Some(Atom::new(
                i + 2,
                pick(self.p, which, occurrence(s))?,
                "season",
                false,
            ));
        }
        let j = self.opt(i, Kw::The);
        let Lex::Season(s) = self.lex(j) else {
            return None;
        };
        if let Some((next, y)) = self.year_num(self.opt(j + 1, Kw::Of)) {
            return Some(Atom::new(next, Period::season(s, y)?, "season", true));
        }
        let which = self.cue_pick(i, &[])?;
        if self.lex(j + 1) == Lex::Kw(Kw::Of) {
            return None; // "the fall of Kabul"
        }
        Some(Atom::new(
            j + 1,
            pick(self.p, which, occurrence(s))?,
            "season",
            false,
        ))
    }
}
