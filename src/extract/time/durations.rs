//! The rules for spans and lengths of time: "within six months", "in two
//! years", "for another year", "in the coming weeks" resolve against the
//! publication day; "a two-year timeline", "for two years" are durations.

use chrono::{Datelike, Months};

use crate::model::Granularity;

use super::TimeExpr;
use super::ctx::Ctx;
use super::tokens::{Kw, Lex, Unit};
use super::values::{Dur, Found, Period};

impl Ctx<'_> {
    /// "within six months", "in the next two years", "over the next year".
    pub(super) fn within(&self, i: usize) -> Option<Found> {
        let span = |next: usize, d: Dur| {
            let end = d.apply(self.p, false)?;
            let period = Period {
                start: self.p,
                end,
                gran: Granularity::Day,
            };
            Some(Found::interval(next, period, false, "within_duration"))
        };
        if let Some(j) = self.kw(i, Kw::Within) {
            let j = self.approx(j).unwrap_or(j);
            if let Some((k, d)) = self.amount(j, false) {
                return span(k, d);
            }
        }
        // "(expected to take) no more than 30 days": at most that long.
        if let Some(j) = self.kws(i, &[Kw::No, Kw::More, Kw::Than]) {
            if let Some((k, d)) = self.amount(j, false) {
                if !matches!(
                    self.lex(k),
                    Lex::Kw(Kw::Ago | Kw::Old | Kw::Later | Kw::Earlier)
                ) {
                    let found = span(k, d)?;
                    return Some(Found {
                        rule: "within_at_most",
                        ..found
                    });
                }
            }
        }
        let Lex::Kw(Kw::Within | Kw::In | Kw::Over | Kw::During) = self.lex(i) else {
            return None;
        };
        let j = self.kw(i + 1, Kw::The)?;
        let (j, coming) = match self.lex(j) {
            Lex::Kw(Kw::Next) => (j + 1, false),
            Lex::Kw(Kw::Coming) => (j + 1, true),
            _ => return None,
        };
        if let Some((k, d)) = self.amount(j, false) {
            return span(k, d);
        }
        match self.unit(j, false)? {
            (_, Unit::Year, false) if coming => None, // "the coming year": coming_period
            (k, unit, false) => span(k, Dur::of(unit, 1, false)?),
            _ => None,
        }
    }

    /// Around a point: ±1 month for months and years, ±half the length for days and weeks.
    fn around(&self, next: usize, d: Dur, rule: &'static str) -> Option<Found> {
        let target = d.apply(self.p, false)?;
        let period = if d.months == 0 {
            let w = Dur {
                months: 0,
                days: d.days.div_ceil(2).max(1),
            };
            Period {
                start: w.apply(target, true)?,
                end: w.apply(target, false)?,
                gran: Granularity::Day,
            }
        } else {
            let m = Months::new(1);
            Period {
                start: target.checked_sub_months(m)?,
                end: target.checked_add_months(m)?,
                gran: Granularity::Month,
            }
        };
        Some(Found::interval(next, period, true, rule))
    }

    /// "in two years", "in a year's time", "two years from now".
    pub(super) fn in_duration(&self, i: usize) -> Option<Found> {
        if let Some(j) = self.kw(i, Kw::In) {
            let (mut k, d) = self.amount(j, true)?;
            let apostrophe =
                !self.spaced(k) && matches!(self.lex(k), Lex::Punct('\'' | '\u{2019}'));
            if let Some(t) = self.kw(if apostrophe { k + 1 } else { k }, Kw::Time) {
                k = t;
            }
            return self.around(k, d, "in_duration");
        }
        let (j, d) = self.amount(i, false)?;
        let j = self.kw(j, Kw::From)?;
        let k = self.kw(j, Kw::Now).or_else(|| self.kw(j, Kw::Today))?;
        self.around(k, d, "from_now")
    }

    /// "(slowed the timeline) to about four months", "(extended it) to six
    /// months": a length a change sets, counted from the publication day;
    /// it ends in the month of its last day.
    /// Whether it is a change is the reader's to decide.
    pub(super) fn to_duration(&self, i: usize) -> Option<Found> {
        let j = self.kw(i, Kw::To)?;
        let j = self.approx(j).unwrap_or(j);
        let (k, d) = self.amount(j, false)?;
        if d.months == 0 || matches!(self.lex(k), Lex::Kw(Kw::Ago | Kw::Old | Kw::Later)) {
            return None;
        }
        // It ends about then: the month of its last day.
        let last = d.apply(self.p, false)?.pred_opt()?;
        let period = Period::month(last.year(), last.month())?;
        Some(Found::interval(k, period, false, "to_duration"))
    }

    /// "for another year", "for an additional year", "for two more years".
    pub(super) fn for_another(&self, i: usize) -> Option<Found> {
        let j = self.kw(i, Kw::For)?;
        let j = self.approx(j).unwrap_or(j);
        let more = match self.lex(j) {
            Lex::Kw(Kw::Another | Kw::Additional) => Some(j + 1),
            Lex::Kw(Kw::A) => self.kw(j + 1, Kw::Additional),
            _ => None,
        };
        let (k, d) = match more {
            Some(k) => match self.amount(k, false) {
                Some(found) => found,
                None => match self.unit(k, false)? {
                    (next, unit, false) => (next, Dur::of(unit, 1, false)?),
                    _ => return None,
                },
            },
            None => {
                let (k, n, half) = self.number(j, true)?;
                let k = self.kw(k, Kw::More)?;
                let (k, unit, _) = self.unit(k, false)?;
                (k, Dur::of(unit, n, half)?)
            }
        };
        self.around(k, d, "for_another")
    }

    /// "in the coming days/weeks/months", "the next few weeks", "in the
    /// months ahead", "within weeks", "in the coming year".
    pub(super) fn coming(&self, i: usize) -> Option<Found> {
        let (j, within) = match self.lex(i) {
            Lex::Kw(Kw::In | Kw::Over | Kw::During) => (i + 1, false),
            Lex::Kw(Kw::Within) => (i + 1, true),
            _ => (i, false),
        };
        let vague = |next: usize, unit: Unit| {
            let d = match unit {
                Unit::Day => Dur {
                    months: 0,
                    days: 14,
                },
                Unit::Week => Dur { months: 2, days: 0 },
                Unit::Month => Dur { months: 6, days: 0 },
                Unit::Year | Unit::Decade => return None,
            };
            let period = Period {
                start: self.p,
                end: d.apply(self.p, false)?,
                gran: Granularity::Day,
            };
            Some(Found::interval(next, period, true, "coming_period"))
        };
        if within {
            if let Some((k, unit, true)) = self.unit(j, false) {
                return vague(k, unit);
            }
        }
        let j = self.kw(j, Kw::The)?;
        if let Some(k) = self
            .kw(j, Kw::Coming)
            .or_else(|| self.kws(j, &[Kw::Next, Kw::Few]))
        {
            return match self.unit(k, false)? {
                (next, unit, true) => vague(next, unit),
                (next, Unit::Year, false) if self.lex(j) == Lex::Kw(Kw::Coming) => {
                    let period = Period::year(self.p.year() + 1)?;
                    Some(Found::interval(next, period, true, "coming_period"))
                }
                _ => None,
            };
        }
        let (k, unit, true) = self.unit(j, false)? else {
            return None;
        };
        vague(self.kw(k, Kw::Ahead)?, unit)
    }

    /// "a two-year timeline", "an 18-month plan", "a three-year withdrawal timeframe".
    pub(super) fn duration_adjective(&self, i: usize) -> Option<Found> {
        let mut approx = false;
        let mut j = i;
        if let Some(k) = self.approx(j) {
            approx = true;
            j = k;
        }
        if matches!(self.lex(j), Lex::Kw(Kw::A | Kw::The)) {
            j += 1;
        }
        if let Some(k) = self.approx(j) {
            approx = true;
            j = k;
        }
        let (mut k, months) = match self.number(j, false) {
            Some((k, n, half)) => {
                let k = self.glued_dash(k)?;
                if self.spaced(k) {
                    return None;
                }
                let (k, unit, _) = self.unit(k, false)?;
                let d = Dur::of(unit, n, half)?;
                (k, d.months)
            }
            None => {
                // "a year-long mission"
                let (k, unit, false) = self.unit(j, false)? else {
                    return None;
                };
                let k = self.glued_dash(k).and_then(|k| self.kw(k, Kw::Long))?;
                (k, Dur::of(unit, 1, false)?.months)
            }
        };
        if let Some(long) = self.glued_dash(k).and_then(|d| self.kw(d, Kw::Long)) {
            k = long;
        }
        if months == 0 || self.glued_dash(k).is_some() {
            return None; // weeks, days, or "two-year-old"
        }
        for _ in 0..2 {
            if matches!(self.lex(k), Lex::Kw(Kw::Plan | Kw::Period)) {
                k += 1;
            }
        }
        Some(Found {
            next: k,
            expr: TimeExpr::Duration { months, approx },
            rule: "duration",
        })
    }

    /// "for two years", "over two years", "set for two years", "a total of three years".
    pub(super) fn duration_cued(&self, i: usize) -> Option<Found> {
        let j = match self.lex(i) {
            Lex::Kw(Kw::For | Kw::Over | Kw::Lasting) => i + 1,
            Lex::Kw(Kw::Set) => self.kw(i + 1, Kw::For)?,
            Lex::Kw(Kw::A) => self
                .kw(i + 1, Kw::Total)
                .or_else(|| self.kw(i + 1, Kw::Period))
                .and_then(|k| self.kw(k, Kw::Of))?,
            _ => return None,
        };
        let (j, approx) = match self.approx(j) {
            Some(k) => (k, true),
            None => (j, false),
        };
        let (k, d) = self.amount(j, false)?;
        let past = matches!(
            self.lex(k),
            Lex::Kw(Kw::Ago | Kw::Old | Kw::Later | Kw::Earlier)
        );
        if d.days != 0 || past {
            return None;
        }
        Some(Found {
            next: k,
            expr: TimeExpr::Duration {
                months: d.months,
                approx,
            },
            rule: "duration",
        })
    }
}
