//! The reading context of the time rules (`Ctx`: the tokens and the
//! publication day) and its token helpers: keywords, punctuation, numbers,
//! year and day numbers, amounts of time. The rules themselves are elsewhere.

use chrono::NaiveDate;

use super::tokens::{Kw, Lex, Tok, Unit, is_dash};
use super::values::{Dur, Pick};

pub(super) struct Ctx<'a> {
    pub(super) toks: &'a [Tok],
    pub(super) p: NaiveDate,
}

impl Ctx<'_> {
    pub(super) fn lex(&self, i: usize) -> Lex {
        self.toks.get(i).map_or(Lex::Other, |t| t.lex)
    }

    pub(super) fn spaced(&self, i: usize) -> bool {
        self.toks.get(i).is_none_or(|t| t.spaced)
    }

    pub(super) fn prev(&self, i: usize) -> Lex {
        i.checked_sub(1).map_or(Lex::Other, |j| self.lex(j))
    }

    pub(super) fn kw(&self, i: usize, k: Kw) -> Option<usize> {
        (self.lex(i) == Lex::Kw(k)).then_some(i + 1)
    }

    pub(super) fn kws(&self, i: usize, ks: &[Kw]) -> Option<usize> {
        ks.iter().try_fold(i, |j, &k| self.kw(j, k))
    }

    pub(super) fn opt(&self, i: usize, k: Kw) -> usize {
        self.kw(i, k).unwrap_or(i)
    }

    /// Which occurrence a bare month, season or holiday at `i` means from
    /// the cue before it: "since" the last begun, "in/by/until/before/..."
    /// (and the `extra` cues of that rule) the first not yet over.
    pub(super) fn cue_pick(&self, i: usize, extra: &[Kw]) -> Option<Pick> {
        match self.prev(i) {
            Lex::Kw(Kw::Since) => Some(Pick::Since),
            Lex::Kw(
                Kw::In
                | Kw::By
                | Kw::Until
                | Kw::Before
                | Kw::Through
                | Kw::During
                | Kw::Around
                | Kw::After
                | Kw::From,
            ) => Some(Pick::Upcoming),
            Lex::Kw(k) if extra.contains(&k) => Some(Pick::Upcoming),
            _ => None,
        }
    }

    pub(super) fn punct(&self, i: usize, c: char) -> Option<usize> {
        (self.lex(i) == Lex::Punct(c)).then_some(i + 1)
    }

    pub(super) fn dash(&self, i: usize) -> Option<usize> {
        matches!(self.lex(i), Lex::Punct(c) if is_dash(c)).then_some(i + 1)
    }

    pub(super) fn glued_dash(&self, i: usize) -> Option<usize> {
        if self.spaced(i) { None } else { self.dash(i) }
    }

    pub(super) fn approx(&self, i: usize) -> Option<usize> {
        matches!(self.lex(i), Lex::Kw(Kw::Approx | Kw::Around)).then_some(i + 1)
    }

    pub(super) fn unit(&self, i: usize, poss_ok: bool) -> Option<(usize, Unit, bool)> {
        match self.lex(i) {
            Lex::Unit { unit, plural, poss } if poss_ok || !poss => Some((i + 1, unit, plural)),
            _ => None,
        }
    }

    /// "year" or "year's".
    pub(super) fn year_word(&self, i: usize) -> Option<usize> {
        matches!(
            self.lex(i),
            Lex::Unit {
                unit: Unit::Year,
                plural: false,
                ..
            }
        )
        .then_some(i + 1)
    }

    pub(super) fn month_word(&self, i: usize) -> Option<(usize, u32)> {
        match self.lex(i) {
            Lex::Month { month, abbr, .. } => {
                let glued_dot = !self.spaced(i + 1) && self.lex(i + 1) == Lex::Punct('.');
                Some((if abbr && glued_dot { i + 2 } else { i + 1 }, month))
            }
            _ => None,
        }
    }

    /// A number glued to ",5", ".5", ":30", "/12", "-3" or "%" is part of
    /// something else ("2,500", "20:26", "55%").
    pub(super) fn glued_right_ok(&self, i: usize) -> bool {
        let n = i + 1;
        if self.spaced(n) {
            return true;
        }
        match self.lex(n) {
            Lex::Punct('%') => false,
            Lex::Punct(c) if matches!(c, ',' | '.' | ':' | '/') || is_dash(c) => {
                self.spaced(n + 1) || !matches!(self.lex(n + 1), Lex::Num { .. })
            }
            _ => true,
        }
    }

    /// A number opening a phrase must not follow "$", "#", "2," or another
    /// number ("555 2026" is a phone number).
    pub(super) fn left_ok(&self, i: usize) -> bool {
        let Some(p) = i.checked_sub(1) else {
            return true;
        };
        if self.spaced(i) {
            // "No. 2026"
            let numbered = self.lex(p) == Lex::Punct('.') && self.prev(p) == Lex::Kw(Kw::No);
            return !numbered && !matches!(self.lex(p), Lex::Num { .. });
        }
        match self.lex(p) {
            Lex::Punct(c) if "$£€¥#+@/\\:".contains(c) => false,
            Lex::Punct(c) if c == ',' || c == '.' || is_dash(c) => {
                self.spaced(p) || !matches!(self.prev(p), Lex::Num { .. })
            }
            _ => true,
        }
    }

    pub(super) fn year_value(&self, i: usize) -> Option<i32> {
        match self.lex(i) {
            Lex::Num { value, digits: 4 } if (1900..=2099).contains(&value) => {
                i32::try_from(value).ok()
            }
            _ => None,
        }
    }

    /// A year number 1900..2099 that is not part of a bigger number or a measure.
    pub(super) fn year_num(&self, i: usize) -> Option<(usize, i32)> {
        let year = self.year_value(i)?;
        let measure = self.spaced(i + 1)
            && matches!(
                self.lex(i + 1),
                Lex::Kw(Kw::Measure) | Lex::Num { digits: 3.., .. }
            );
        (self.glued_right_ok(i) && !measure).then_some((i + 1, year))
    }

    pub(super) fn day_num(&self, i: usize) -> Option<(usize, u32, bool)> {
        match self.lex(i) {
            Lex::Num {
                value,
                digits: 1..=2,
            } if (1..=31).contains(&value) && self.glued_right_ok(i) => Some((i + 1, value, false)),
            Lex::Ordinal(value) => Some((i + 1, value, true)),
            _ => None,
        }
    }

    /// "two", "18", "1.5", "a", "a couple of"; never "several" or "a few".
    pub(super) fn number(&self, i: usize, article: bool) -> Option<(usize, u32, bool)> {
        match self.lex(i) {
            Lex::Num {
                value,
                digits: 1..=3,
            } if value > 0 => {
                let decimal = !self.spaced(i + 1)
                    && self.lex(i + 1) == Lex::Punct('.')
                    && !self.spaced(i + 2);
                match (decimal, self.lex(i + 2)) {
                    (
                        true,
                        Lex::Num {
                            value: 5,
                            digits: 1,
                        },
                    ) => Some((i + 3, value, true)),
                    _ => self.glued_right_ok(i).then_some((i + 1, value, false)),
                }
            }
            Lex::NumWord(n) => Some((i + 1, n, false)),
            Lex::Kw(Kw::A) if article => match self.lex(i + 1) {
                Lex::Kw(Kw::Couple) => Some((self.opt(i + 2, Kw::Of), 2, false)),
                Lex::Kw(Kw::Few) => None,
                _ => Some((i + 1, 1, false)),
            },
            _ => None,
        }
    }

    /// "six months", "a year and a half", "two and a half years", "half a year".
    pub(super) fn amount(&self, i: usize, poss_ok: bool) -> Option<(usize, Dur)> {
        if let Some(k) = self.kws(i, &[Kw::Half, Kw::A]) {
            let (k, unit, _) = self.unit(k, poss_ok)?;
            return Some((k, Dur::of(unit, 0, true)?));
        }
        let (mut k, n, mut half) = self.number(i, true)?;
        if let Some(j) = self.kws(k, &[Kw::And, Kw::A, Kw::Half]).filter(|_| !half) {
            k = j;
            half = true;
        }
        let (mut k, unit, _) = self.unit(k, poss_ok)?;
        if self.glued_dash(k).is_some() {
            return None; // "a year-long", "two-year-old": adjectives
        }
        if let Some(j) = self.kws(k, &[Kw::And, Kw::A, Kw::Half]).filter(|_| !half) {
            k = j;
            half = true;
        }
        Some((k, Dur::of(unit, n, half)?))
    }
}
