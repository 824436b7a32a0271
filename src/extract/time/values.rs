//! The values the time rules compute: resolved periods (`Period`) and their
//! arithmetic, durations (`Dur`), which occurrence of a yearly period is meant
//! (`pick`), and partial (`Atom`) and whole (`Found`) matches.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::model::{Granularity, TimeValue};

use super::TimeExpr;
use super::tokens::{Season, Unit};

/// A resolved interval before it becomes a `TimeValue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Period {
    pub(super) start: NaiveDate,
    pub(super) end: NaiveDate,
    pub(super) gran: Granularity,
}

impl Period {
    /// `count` whole months from `first_month` of `year`.
    pub(super) fn months(
        year: i32,
        first_month: u32,
        count: u32,
        gran: Granularity,
    ) -> Option<Period> {
        let start = NaiveDate::from_ymd_opt(year, first_month, 1)?;
        let end = start.checked_add_months(Months::new(count))?.pred_opt()?;
        Some(Period { start, end, gran })
    }

    pub(super) fn day(date: NaiveDate) -> Period {
        Period {
            start: date,
            end: date,
            gran: Granularity::Day,
        }
    }

    pub(super) fn month(year: i32, month: u32) -> Option<Period> {
        Period::months(year, month, 1, Granularity::Month)
    }

    pub(super) fn year(year: i32) -> Option<Period> {
        Period::months(year, 1, 12, Granularity::Year)
    }

    pub(super) fn season(season: Season, year: i32) -> Option<Period> {
        let first = match season {
            Season::Spring => 3,
            Season::Summer => 6,
            Season::Autumn => 9,
            Season::Winter => 12,
        };
        Period::months(year, first, 3, Granularity::Quarter)
    }

    pub(super) fn part_of_year(part: Part, year: i32) -> Option<Period> {
        match part {
            Part::Start => Period::months(year, 1, 4, Granularity::Quarter),
            Part::Mid => Period::months(year, 5, 4, Granularity::Quarter),
            Part::End => Period::months(year, 10, 3, Granularity::Quarter),
        }
    }

    /// The month containing `date`, moved by `delta` months.
    pub(super) fn month_of(date: NaiveDate, delta: i32) -> Option<Period> {
        let first = date.with_day(1)?;
        let shift = Months::new(delta.unsigned_abs());
        let first = if delta < 0 {
            first.checked_sub_months(shift)?
        } else {
            first.checked_add_months(shift)?
        };
        Period::month(first.year(), first.month())
    }

    /// Moved by a duration; a month stays a whole month ("one month before
    /// October 2025" is September 2025).
    pub(super) fn shifted(self, d: Dur, back: bool) -> Option<Period> {
        let start = d.apply(self.start, back)?;
        let end = if self.gran == Granularity::Day {
            d.apply(self.end, back)?
        } else {
            d.apply(self.end.succ_opt()?, back)?.pred_opt()?
        };
        Some(Period { start, end, ..self })
    }

    fn value(self, fuzzy: bool) -> TimeValue {
        TimeValue {
            earliest: self.start,
            latest: Some(self.end),
            granularity: self.gran,
            fuzzy,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Start,
    Mid,
    End,
}

/// Which occurrence of a yearly period ("September", "summer") is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pick {
    /// The first that has not ended by the reference day ("in September").
    Upcoming,
    /// The first that starts after it ("next September").
    Next,
    /// The last that started on or before it ("since September").
    Since,
    /// The last that ended before it ("last September").
    Last,
}

pub(super) fn pick(
    reference: NaiveDate,
    which: Pick,
    occurrence: impl Fn(i32) -> Option<Period>,
) -> Option<Period> {
    let year = reference.year();
    let mut years = (year - 2)..=(year + 2);
    match which {
        Pick::Upcoming => years.find_map(|y| occurrence(y).filter(|x| x.end >= reference)),
        Pick::Next => years.find_map(|y| occurrence(y).filter(|x| x.start > reference)),
        Pick::Since => years
            .rev()
            .find_map(|y| occurrence(y).filter(|x| x.start <= reference)),
        Pick::Last => years
            .rev()
            .find_map(|y| occurrence(y).filter(|x| x.end < reference)),
    }
}

/// A length of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Dur {
    pub(super) months: u32,
    pub(super) days: u32,
}

impl Dur {
    /// `n` units, plus half a unit when `half` ("a year and a half").
    pub(super) fn of(unit: Unit, n: u32, half: bool) -> Option<Dur> {
        let (months, days) = match (unit, half) {
            (Unit::Day, false) => (0, n),
            (Unit::Week, false) => (0, n.checked_mul(7)?),
            (Unit::Month, _) => (n, if half { 15 } else { 0 }),
            (Unit::Year, _) => (n.checked_mul(12)?.checked_add(if half { 6 } else { 0 })?, 0),
            (Unit::Decade, _) => (
                n.checked_mul(120)?.checked_add(if half { 60 } else { 0 })?,
                0,
            ),
            (Unit::Day | Unit::Week, true) => return None,
        };
        (months > 0 || days > 0).then_some(Dur { months, days })
    }

    pub(super) fn apply(self, date: NaiveDate, back: bool) -> Option<NaiveDate> {
        let months = Months::new(self.months);
        let days = Days::new(u64::from(self.days));
        if back {
            date.checked_sub_months(months)?.checked_sub_days(days)
        } else {
            date.checked_add_months(months)?.checked_add_days(days)
        }
    }
}

/// What a phrase opens with, where it changes what may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cue {
    /// At the start of the match: no cue word.
    None,
    /// "in": "in September 12 soldiers" is a month, not a day.
    In,
    /// "on": only days.
    On,
    Other,
}

/// A date-like phrase (absolute, or relative to the publication day).
#[derive(Debug, Clone, Copy)]
pub(super) struct Atom {
    pub(super) next: usize,
    pub(super) period: Period,
    pub(super) rule: &'static str,
    /// Carries its own year number, so it may stand in an unframed range.
    pub(super) explicit: bool,
    /// A month name without year: a range may give it the other side's year.
    pub(super) bare_month: Option<u32>,
}

impl Atom {
    pub(super) fn new(next: usize, period: Period, rule: &'static str, explicit: bool) -> Atom {
        Atom {
            next,
            period,
            rule,
            explicit,
            bare_month: None,
        }
    }
}

/// A whole phrase.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) next: usize,
    pub(super) expr: TimeExpr,
    pub(super) rule: &'static str,
}

impl Found {
    pub(super) fn interval(next: usize, period: Period, fuzzy: bool, rule: &'static str) -> Found {
        Found {
            next,
            expr: TimeExpr::Interval(period.value(fuzzy)),
            rule,
        }
    }
}

/// The candidate reaching farthest; the first one on a tie.
pub(super) fn longest<T>(
    candidates: impl IntoIterator<Item = Option<T>>,
    next: impl Fn(&T) -> usize,
) -> Option<T> {
    let mut best: Option<T> = None;
    for c in candidates.into_iter().flatten() {
        if best.as_ref().is_none_or(|b| next(&c) > next(b)) {
            best = Some(c);
        }
    }
    best
}
