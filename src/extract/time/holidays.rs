//! The holiday rule: "by Christmas", "before New Year's Day", "until Easter
//! 2026", "after Thanksgiving", "on New Year's Eve". Each holiday is one day;
//! without a year, the next one not yet past (as a season is).

use chrono::{NaiveDate, Weekday};

use super::ctx::Ctx;
use super::tokens::{Holiday, Kw, Lex, Unit};
use super::values::{Atom, Period, Pick, pick};

/// A holiday's day in `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Day {
    Christmas,
    ChristmasEve,
    NewYear,
    NewYearsEve,
    Easter,
    Thanksgiving,
}

impl Day {
    fn on(self, year: i32) -> Option<NaiveDate> {
        match self {
            Day::Christmas => NaiveDate::from_ymd_opt(year, 12, 25),
            Day::ChristmasEve => NaiveDate::from_ymd_opt(year, 12, 24),
            Day::NewYear => NaiveDate::from_ymd_opt(year, 1, 1),
            Day::NewYearsEve => NaiveDate::from_ymd_opt(year, 12, 31),
            Day::Easter => easter(year),
            Day::Thanksgiving => NaiveDate::from_weekday_of_month_opt(year, 11, Weekday::Thu, 4),
        }
    }
}

/// Western Easter Sunday (the anonymous Gregorian algorithm).
fn easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

impl Ctx<'_> {
    /// "Christmas", "Christmas Eve", "New Year", "New Year's Day", "New
    /// Year's Eve", "Easter", "Thanksgiving", after a cue or "this/next/last",
    /// or with a year.
    pub(super) fn holiday(&self, i: usize) -> Option<Atom> {
        let which = match self.lex(i) {
            Lex::Kw(Kw::This) => Some(Pick::Upcoming),
            Lex::Kw(Kw::Next) => Some(Pick::Next),
            Lex::Kw(Kw::Last) => Some(Pick::Last),
            _ => None,
        };
        let j = if which.is_some() { i + 1 } else { i };
        let (next, day) = self.holiday_words(j)?;
        if let Some((after, year)) = self.year_num(next) {
            return Some(Atom::new(
                after,
                Period::day(day.on(year)?),
                "holiday",
                true,
            ));
        }
        let which = match which {
            Some(w) => w,
            None => self.cue_pick(i, &[Kw::On, Kw::At, Kw::For])?,
        };
        let period = pick(self.p, which, |y| day.on(y).map(Period::day))?;
        Some(Atom::new(next, period, "holiday", false))
    }

    /// The words of a holiday at `j` and the token after them.
    fn holiday_words(&self, j: usize) -> Option<(usize, Day)> {
        let eve = |k: usize| self.lex(k) == Lex::Holiday(Holiday::Eve);
        let day_word = |k: usize| {
            matches!(
                self.lex(k),
                Lex::Unit {
                    unit: Unit::Day,
                    plural: false,
                    ..
                }
            )
        };
        match self.lex(j) {
            Lex::Holiday(Holiday::Christmas) if eve(j + 1) => Some((j + 2, Day::ChristmasEve)),
            Lex::Holiday(Holiday::Christmas) if day_word(j + 1) => Some((j + 2, Day::Christmas)),
            Lex::Holiday(Holiday::Christmas) => Some((j + 1, Day::Christmas)),
            Lex::Holiday(Holiday::Easter) => Some((j + 1, Day::Easter)),
            Lex::Holiday(Holiday::Thanksgiving) => Some((j + 1, Day::Thanksgiving)),
            Lex::Holiday(Holiday::New) => {
                let Lex::Unit {
                    unit: Unit::Year,
                    plural: false,
                    ..
                } = self.lex(j + 1)
                else {
                    return None;
                };
                if eve(j + 2) {
                    Some((j + 3, Day::NewYearsEve))
                } else if day_word(j + 2) {
                    Some((j + 3, Day::NewYear))
                } else {
                    Some((j + 2, Day::NewYear))
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_falls_on_its_known_sundays() {
        for (year, month, day) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
        ] {
            assert_eq!(
                easter(year),
                NaiveDate::from_ymd_opt(year, month, day),
                "{year}"
            );
        }
    }

    #[test]
    fn thanksgiving_is_the_fourth_thursday_of_november() {
        assert_eq!(
            Day::Thanksgiving.on(2024),
            NaiveDate::from_ymd_opt(2024, 11, 28)
        );
        assert_eq!(
            Day::Thanksgiving.on(2025),
            NaiveDate::from_ymd_opt(2025, 11, 27)
        );
    }
}
