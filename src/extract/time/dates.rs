//! The date rules: `atom` tries them all; days ("September 8, 2025",
//! "2025-09-08", "on Friday"), months ("September 2025", "in September") and
//! years ("2026") named outright. Parts of years are in `parts.rs`.

use chrono::{Datelike, Days, NaiveDate};

use crate::model::Granularity;

use super::ctx::Ctx;
use super::tokens::{Kw, Lex};
use super::values::{Atom, Cue, Period, Pick, longest, pick};

impl Ctx<'_> {
    /// Any absolute or publication-relative date phrase starting at `i`.
    pub(super) fn atom(&self, i: usize, cue: Cue) -> Option<Atom> {
        if !self.lex(i).can_start_date() {
            return None;
        }
        let found = longest(
            [
                self.day_date(i, cue != Cue::In),
                self.weekday(i),
                self.month_year(i),
                self.qualified(i),
                self.half_or_quarter(i),
                self.season(i),
                self.holiday(i),
                self.relative(i),
                self.year_alone(i, cue == Cue::None),
                self.bare_month(i, false),
            ],
            |a| a.next,
        )?;
        (cue != Cue::On || found.period.gran == Granularity::Day).then_some(found)
    }

    /// "September 8, 2025", "8 September 2025", "the 8th of September",
    /// "2025-09-08", "Monday, September 8"; no year: the one nearest to P.
    fn day_date(&self, i: usize, no_year_ok: bool) -> Option<Atom> {
        let (j, weekday) = match self.lex(i) {
            Lex::Weekday(wd) => {
                let j = i + 1;
                (self.punct(j, ',').unwrap_or(j), Some(wd))
            }
            _ => (i, None),
        };
        let found = longest(
            [
                self.iso_date(j),
                self.month_day(j, no_year_ok),
                self.day_month(j, j == i),
            ],
            |a| a.next,
        )?;
        match weekday {
            Some(wd) if matches!(found.rule, "month_day" | "day_month") => {
                Some(self.year_of_weekday(found, wd))
            }
            _ => Some(found),
        }
    }

    /// "Sunday, January 26" with no year: the year near P in which that day
    /// is a Sunday, if one is (a weekday pins the year, as a year would).
    fn year_of_weekday(&self, found: Atom, wd: chrono::Weekday) -> Atom {
        let d = found.period.start;
        let y = self.p.year();
        let pinned = [y - 1, y, y + 1]
            .into_iter()
            .filter_map(|y| NaiveDate::from_ymd_opt(y, d.month(), d.day()))
            .filter(|date| date.weekday() == wd)
            .min_by_key(|date| (*date - self.p).num_days().abs());
        match pinned {
            Some(date) => Atom::new(found.next, Period::day(date), "weekday_date", true),
            None => found,
        }
    }

    fn iso_date(&self, i: usize) -> Option<Atom> {
        let year = self.year_value(i)?;
        let part = |k: usize| match self.lex(k) {
            Lex::Num { value, digits: 2 } if !self.spaced(k) => Some((k + 1, value)),
            _ => None,
        };
        let (k, m) = part(self.glued_dash(i + 1)?)?;
        let (k, d) = part(self.glued_dash(k)?)?;
        if !self.glued_right_ok(k - 1) {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(year, m, d)?;
        Some(Atom::new(k, Period::day(date), "iso_date", true))
    }

    pub(super) fn with_year(&self, i: usize) -> Option<(usize, i32)> {
        self.year_num(self.punct(i, ',').unwrap_or(i))
    }

    fn month_day(&self, i: usize, no_year_ok: bool) -> Option<Atom> {
        let (k, m) = self.month_word(i)?;
        let (k, d, _) = self.day_num(k)?;
        self.dated(k, m, d, no_year_ok, "month_day_year", "month_day")
    }

    fn day_month(&self, i: usize, first: bool) -> Option<Atom> {
        let the = self.kw(i, Kw::The);
        let j = the.unwrap_or(i);
        let (k, d, ordinal) = self.day_num(j)?;
        if (the.is_some() && !ordinal) || (first && the.is_none() && !self.left_ok(j)) {
            return None;
        }
        let k = if ordinal { self.opt(k, Kw::Of) } else { k };
        let (k, m) = self.month_word(k)?;
        self.dated(k, m, d, true, "day_month_year", "day_month")
    }

    fn dated(
        &self,
        k: usize,
        m: u32,
        d: u32,
        no_year_ok: bool,
        with: &'static str,
        without: &'static str,
    ) -> Option<Atom> {
        if let Some((next, year)) = self.with_year(k) {
            let date = NaiveDate::from_ymd_opt(year, m, d)?;
            return Some(Atom::new(next, Period::day(date), with, true));
        }
        if !no_year_ok {
            return None;
        }
        let y = self.p.year();
        let date = [y - 1, y, y + 1]
            .into_iter()
            .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
            .min_by_key(|date| (*date - self.p).num_days().abs())?;
        Some(Atom::new(k, Period::day(date), without, false))
    }

    /// "on Friday", "last Monday" (the latest on or before P), "next Monday".
    fn weekday(&self, i: usize) -> Option<Atom> {
        let (k, wd, next) = match (self.lex(i), self.lex(i + 1)) {
            (Lex::Kw(Kw::Last), Lex::Weekday(wd)) => (i + 2, wd, false),
            (Lex::Kw(Kw::Next), Lex::Weekday(wd)) => (i + 2, wd, true),
            (Lex::Weekday(wd), _) if matches!(self.prev(i), Lex::Kw(Kw::On | Kw::Since)) => {
                (i + 1, wd, false)
            }
            _ => return None,
        };
        let from = self.p.weekday().num_days_from_monday();
        let to = wd.num_days_from_monday();
        let date = if next {
            let ahead = (to + 7 - from) % 7;
            self.p
                .checked_add_days(Days::new(u64::from(if ahead == 0 { 7 } else { ahead })))?
        } else {
            self.p
                .checked_sub_days(Days::new(u64::from((from + 7 - to) % 7)))?
        };
        Some(Atom::new(k, Period::day(date), "weekday", false))
    }

    /// "September 2025", "Sept. 2025", "September of 2025".
    fn month_year(&self, i: usize) -> Option<Atom> {
        let (k, m) = self.month_word(i)?;
        let k = self
            .punct(k, ',')
            .or_else(|| self.kw(k, Kw::Of))
            .unwrap_or(k);
        let (next, year) = self.year_num(k)?;
        Some(Atom::new(next, Period::month(year, m)?, "month_year", true))
    }

    /// "2026" on its own.
    fn year_alone(&self, i: usize, first: bool) -> Option<Atom> {
        let (next, year) = self.year_num(i)?;
        if first && !self.left_ok(i) {
            return None;
        }
        Some(Atom::new(next, Period::year(year)?, "year", true))
    }

    /// "in September" (the next one on or after P's month), "since September",
    /// "last September", "next September". `free`: inside a range, no cue needed.
    pub(super) fn bare_month(&self, i: usize, free: bool) -> Option<Atom> {
        let which = match self.lex(i) {
            Lex::Kw(Kw::This) => Some(Pick::Upcoming),
            Lex::Kw(Kw::Next) => Some(Pick::Next),
            Lex::Kw(Kw::Last) => Some(Pick::Last),
            _ => None,
        };
        if let Some(which) = which {
            let (k, m) = self.month_word(i + 1)?;
            return Some(Atom::new(
                k,
                pick(self.p, which, |y| Period::month(y, m))?,
                "month",
                false,
            ));
        }
        let (k, m) = self.month_word(i)?;
        let which = if free {
            Pick::Upcoming
        } else {
            self.cue_pick(i, &[Kw::To, Kw::Of])?
        };
        let period = pick(self.p, which, |y| Period::month(y, m))?;
        Some(Atom {
            bare_month: Some(m),
            ..Atom::new(k, period, "month", false)
        })
    }
}
