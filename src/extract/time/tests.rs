//! The tests of time expressions: one case per line of
//! `docs/time-expressions.md`, phrases in context, durations, non-times, whole
//! sentences, and robustness (char boundaries, extreme dates, the lexicon).

use chrono::NaiveDate;
use rstest::rstest;

use super::find_times;
use super::words::{ANCHOR_STEMS, WORDS, word_key};
use crate::extract::time::{TimeExpr, TimeMatch};
use crate::model::{Granularity as G, TimeValue};

/// The publication day of most cases: a Friday.
const P: &str = "2024-09-06";

fn date(s: &str) -> NaiveDate {
    s.parse().expect("a test date")
}

fn interval(earliest: &str, latest: &str, granularity: G, fuzzy: bool) -> TimeExpr {
    TimeExpr::Interval(TimeValue {
        earliest: date(earliest),
        latest: (!latest.is_empty()).then(|| date(latest)),
        granularity,
        fuzzy,
    })
}

/// The phrases found, as (text, rule).
fn phrases<'a>(text: &'a str, published: &str) -> Vec<(&'a str, &'static str)> {
    find_times(text, date(published))
        .iter()
        .map(|m| (&text[m.start..m.end], m.rule))
        .collect()
}

/// The one phrase in `text`, which must read `phrase`.
fn only(text: &str, phrase: &str, published: &str) -> TimeMatch {
    let found = find_times(text, date(published));
    assert_eq!(found.len(), 1, "{text:?} gave {found:?}");
    let m = found[0].clone();
    assert_eq!(&text[m.start..m.end], phrase, "in {text:?}");
    m
}

// One case per line of docs/time-expressions.md (published 2024-09-06).
// Latest "" means an open-ended floor.
#[rstest]
// month and year
#[case(
    "by September 2025",
    "2025-09-01",
    "2025-09-30",
    G::Month,
    false,
    "month_year"
)]
#[case(
    "in September 2025",
    "2025-09-01",
    "2025-09-30",
    G::Month,
    false,
    "month_year"
)]
#[case(
    "September 2025",
    "2025-09-01",
    "2025-09-30",
    G::Month,
    false,
    "month_year"
)]
#[case(
    "Sept. 2025",
    "2025-09-01",
    "2025-09-30",
    G::Month,
    false,
    "month_year"
)]
#[case("Sep 2025", "2025-09-01", "2025-09-30", G::Month, false, "month_year")]
#[case(
    "before September 2025",
    "2025-09-01",
    "2025-09-30",
    G::Month,
    false,
    "month_year"
)]
#[case(
    "until September 2025",
    "2025-09-01",
    "2025-09-30",
    G::Month,
    false,
    "month_year"
)]
#[case(
    "no later than Feb. 2025",
    "2025-02-01",
    "2025-02-28",
    G::Month,
    false,
    "month_year"
)]
#[case("May 2025", "2025-05-01", "2025-05-31", G::Month, false, "month_year")]
// month without a year
#[case("by September", "2024-09-01", "2024-09-30", G::Month, false, "month")]
#[case("to December", "2024-12-01", "2024-12-31", G::Month, false, "month")]
#[case("in August", "2025-08-01", "2025-08-31", G::Month, false, "month")]
#[case("in May", "2025-05-01", "2025-05-31", G::Month, false, "month")]
#[case("next September", "2025-09-01", "2025-09-30", G::Month, false, "month")]
#[case("last September", "2023-09-01", "2023-09-30", G::Month, false, "month")]
#[case("this September", "2024-09-01", "2024-09-30", G::Month, false, "month")]
// days
#[case(
    "September 8, 2025",
    "2025-09-08",
    "2025-09-08",
    G::Day,
    false,
    "month_day_year"
)]
#[case(
    "8 September 2025",
    "2025-09-08",
    "2025-09-08",
    G::Day,
    false,
    "day_month_year"
)]
#[case(
    "Sept. 8, 2025",
    "2025-09-08",
    "2025-09-08",
    G::Day,
    false,
    "month_day_year"
)]
#[case(
    "September 8th, 2025",
    "2025-09-08",
    "2025-09-08",
    G::Day,
    false,
    "month_day_year"
)]
#[case(
    "the 8th of September 2025",
    "2025-09-08",
    "2025-09-08",
    G::Day,
    false,
    "day_month_year"
)]
#[case("2025-09-08", "2025-09-08", "2025-09-08", G::Day, false, "iso_date")]
#[case(
    "on Friday, September 6, 2024",
    "2024-09-06",
    "2024-09-06",
    G::Day,
    false,
    "month_day_year"
)]
#[case(
    "on 8 September",
    "2024-09-08",
    "2024-09-08",
    G::Day,
    false,
    "day_month"
)]
#[case(
    "on September 8",
    "2024-09-08",
    "2024-09-08",
    G::Day,
    false,
    "month_day"
)]
#[case("by May 1", "2024-05-01", "2024-05-01", G::Day, false, "month_day")]
// years
#[case("by 2026", "2026-01-01", "2026-12-31", G::Year, false, "year")]
#[case("in 2026", "2026-01-01", "2026-12-31", G::Year, false, "year")]
#[case("until 2026", "2026-01-01", "2026-12-31", G::Year, false, "year")]
#[case("2026", "2026-01-01", "2026-12-31", G::Year, false, "year")]
#[case("in 2003", "2003-01-01", "2003-12-31", G::Year, false, "year")]
// end of a year
#[case(
    "by the end of 2026",
    "2026-10-01",
    "2026-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "the end of 2026",
    "2026-10-01",
    "2026-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
// Wire copy drops the "of": "by end 2026", "by end June".
#[case(
    "by end 2026",
    "2026-10-01",
    "2026-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "by end June 2026",
    "2026-06-01",
    "2026-06-30",
    G::Month,
    false,
    "part_of_month"
)]
#[case(
    "end-2026",
    "2026-10-01",
    "2026-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "late 2026",
    "2026-10-01",
    "2026-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "by the close of 2026",
    "2026-10-01",
    "2026-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "at the end of 2026",
    "2026-10-01",
    "2026-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
// end of the publication year
#[case(
    "by year's end",
    "2024-10-01",
    "2024-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "by year’s end",
    "2024-10-01",
    "2024-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "by year-end",
    "2024-10-01",
    "2024-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "by the end of the year",
    "2024-10-01",
    "2024-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "by the end of this year",
    "2024-10-01",
    "2024-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "later this year",
    "2024-10-01",
    "2024-12-31",
    G::Quarter,
    false,
    "later_this_year"
)]
// end of next year
#[case(
    "by the end of next year",
    "2025-10-01",
    "2025-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
#[case(
    "before the end of next year",
    "2025-10-01",
    "2025-12-31",
    G::Quarter,
    false,
    "end_of_year"
)]
// part of a month
#[case(
    "the end of September 2026",
    "2026-09-01",
    "2026-09-30",
    G::Month,
    false,
    "part_of_month"
)]
#[case(
    "late September 2026",
    "2026-09-01",
    "2026-09-30",
    G::Month,
    false,
    "part_of_month"
)]
#[case(
    "by mid-March",
    "2025-03-01",
    "2025-03-31",
    G::Month,
    false,
    "part_of_month"
)]
#[case(
    "by the end of the month",
    "2024-09-01",
    "2024-09-30",
    G::Month,
    false,
    "part_of_month"
)]
// start and middle of a year
#[case(
    "early 2026",
    "2026-01-01",
    "2026-04-30",
    G::Quarter,
    false,
    "start_of_year"
)]
#[case(
    "the beginning of 2026",
    "2026-01-01",
    "2026-04-30",
    G::Quarter,
    false,
    "start_of_year"
)]
#[case(
    "the start of 2026",
    "2026-01-01",
    "2026-04-30",
    G::Quarter,
    false,
    "start_of_year"
)]
#[case(
    "early next year",
    "2025-01-01",
    "2025-04-30",
    G::Quarter,
    false,
    "start_of_year"
)]
#[case("mid-2026", "2026-05-01", "2026-08-31", G::Quarter, false, "mid_year")]
#[case(
    "the middle of 2026",
    "2026-05-01",
    "2026-08-31",
    G::Quarter,
    false,
    "mid_year"
)]
// halves
#[case(
    "the first half of 2026",
    "2026-01-01",
    "2026-06-30",
    G::Half,
    false,
    "half_year"
)]
#[case("H1 2026", "2026-01-01", "2026-06-30", G::Half, false, "half_year")]
#[case(
    "the second half of 2026",
    "2026-07-01",
    "2026-12-31",
    G::Half,
    false,
    "half_year"
)]
#[case("H2 2026", "2026-07-01", "2026-12-31", G::Half, false, "half_year")]
#[case(
    "in the first half of next year",
    "2025-01-01",
    "2025-06-30",
    G::Half,
    false,
    "half_year"
)]
// quarters
#[case(
    "the third quarter of 2026",
    "2026-07-01",
    "2026-09-30",
    G::Quarter,
    false,
    "quarter_year"
)]
#[case(
    "Q3 2026",
    "2026-07-01",
    "2026-09-30",
    G::Quarter,
    false,
    "quarter_year"
)]
#[case(
    "the last quarter of 2025",
    "2025-10-01",
    "2025-12-31",
    G::Quarter,
    false,
    "quarter_year"
)]
// seasons
#[case("summer 2026", "2026-06-01", "2026-08-31", G::Quarter, false, "season")]
#[case(
    "the summer of 2026",
    "2026-06-01",
    "2026-08-31",
    G::Quarter,
    false,
    "season"
)]
#[case("spring 2026", "2026-03-01", "2026-05-31", G::Quarter, false, "season")]
#[case("autumn 2026", "2026-09-01", "2026-11-30", G::Quarter, false, "season")]
#[case("fall 2026", "2026-09-01", "2026-11-30", G::Quarter, false, "season")]
#[case("winter 2026", "2026-12-01", "2027-02-28", G::Quarter, false, "season")]
#[case(
    "by the summer",
    "2025-06-01",
    "2025-08-31",
    G::Quarter,
    false,
    "season"
)]
#[case("this winter", "2024-12-01", "2025-02-28", G::Quarter, false, "season")]
#[case("last winter", "2023-12-01", "2024-02-29", G::Quarter, false, "season")]
// within a duration
#[case(
    "within six months",
    "2024-09-06",
    "2025-03-06",
    G::Day,
    false,
    "within_duration"
)]
// a length a change sets, and an upper bound on a length
#[case(
    "to about four months",
    "2025-01-01",
    "2025-01-31",
    G::Month,
    false,
    "to_duration"
)]
#[case(
    "no more than 30 days",
    "2024-09-06",
    "2024-10-06",
    G::Day,
    false,
    "within_at_most"
)]
#[case(
    "within a year",
    "2024-09-06",
    "2025-09-06",
    G::Day,
    false,
    "within_duration"
)]
#[case(
    "within 18 months",
    "2024-09-06",
    "2026-03-06",
    G::Day,
    false,
    "within_duration"
)]
#[case(
    "within a year and a half",
    "2024-09-06",
    "2026-03-06",
    G::Day,
    false,
    "within_duration"
)]
#[case(
    "in the next two years",
    "2024-09-06",
    "2026-09-06",
    G::Day,
    false,
    "within_duration"
)]
#[case(
    "over the next two years",
    "2024-09-06",
    "2026-09-06",
    G::Day,
    false,
    "within_duration"
)]
#[case(
    "within two weeks",
    "2024-09-06",
    "2024-09-20",
    G::Day,
    false,
    "within_duration"
)]
// around a point
#[case(
    "two years from now",
    "2026-08-06",
    "2026-10-06",
    G::Month,
    true,
    "from_now"
)]
#[case(
    "in two years",
    "2026-08-06",
    "2026-10-06",
    G::Month,
    true,
    "in_duration"
)]
#[case(
    "in a year's time",
    "2025-08-06",
    "2025-10-06",
    G::Month,
    true,
    "in_duration"
)]
#[case(
    "in two weeks",
    "2024-09-13",
    "2024-09-27",
    G::Day,
    true,
    "in_duration"
)]
// for another ...
#[case(
    "for another year",
    "2025-08-06",
    "2025-10-06",
    G::Month,
    true,
    "for_another"
)]
#[case(
    "for approximately another year",
    "2025-08-06",
    "2025-10-06",
    G::Month,
    true,
    "for_another"
)]
#[case(
    "for an additional year",
    "2025-08-06",
    "2025-10-06",
    G::Month,
    true,
    "for_another"
)]
#[case(
    "for two more years",
    "2026-08-06",
    "2026-10-06",
    G::Month,
    true,
    "for_another"
)]
// coming periods
#[case(
    "in the coming days",
    "2024-09-06",
    "2024-09-20",
    G::Day,
    true,
    "coming_period"
)]
#[case(
    "in the coming weeks",
    "2024-09-06",
    "2024-11-06",
    G::Day,
    true,
    "coming_period"
)]
#[case(
    "the next few weeks",
    "2024-09-06",
    "2024-11-06",
    G::Day,
    true,
    "coming_period"
)]
#[case(
    "within weeks",
    "2024-09-06",
    "2024-11-06",
    G::Day,
    true,
    "coming_period"
)]
#[case(
    "in the coming months",
    "2024-09-06",
    "2025-03-06",
    G::Day,
    true,
    "coming_period"
)]
#[case(
    "in the months ahead",
    "2024-09-06",
    "2025-03-06",
    G::Day,
    true,
    "coming_period"
)]
#[case(
    "in the coming year",
    "2025-01-01",
    "2025-12-31",
    G::Year,
    true,
    "coming_period"
)]
// relative years and months
#[case(
    "next year",
    "2025-01-01",
    "2025-12-31",
    G::Year,
    false,
    "relative_year"
)]
#[case(
    "this year",
    "2024-01-01",
    "2024-12-31",
    G::Year,
    false,
    "relative_year"
)]
#[case(
    "last year",
    "2023-01-01",
    "2023-12-31",
    G::Year,
    false,
    "relative_year"
)]
#[case(
    "next month",
    "2024-10-01",
    "2024-10-31",
    G::Month,
    false,
    "relative_month"
)]
// holidays
#[case("by Christmas", "2024-12-25", "2024-12-25", G::Day, false, "holiday")]
#[case(
    "before Christmas Eve",
    "2024-12-24",
    "2024-12-24",
    G::Day,
    false,
    "holiday"
)]
#[case("by New Year", "2025-01-01", "2025-01-01", G::Day, false, "holiday")]
#[case(
    "before New Year's Day",
    "2025-01-01",
    "2025-01-01",
    G::Day,
    false,
    "holiday"
)]
#[case(
    "on New Year's Eve",
    "2024-12-31",
    "2024-12-31",
    G::Day,
    false,
    "holiday"
)]
#[case("by Easter", "2025-04-20", "2025-04-20", G::Day, false, "holiday")]
#[case(
    "until Easter 2026",
    "2026-04-05",
    "2026-04-05",
    G::Day,
    false,
    "holiday"
)]
#[case(
    "until Thanksgiving",
    "2024-11-28",
    "2024-11-28",
    G::Day,
    false,
    "holiday"
)]
// a weekday pins the year of a date written without one
#[case(
    "Monday, September 8",
    "2025-09-08",
    "2025-09-08",
    G::Day,
    false,
    "weekday_date"
)]
// weekdays
#[case("on Friday", "2024-09-06", "2024-09-06", G::Day, false, "weekday")]
#[case("on Sunday", "2024-09-01", "2024-09-01", G::Day, false, "weekday")]
#[case("last Monday", "2024-09-02", "2024-09-02", G::Day, false, "weekday")]
#[case("next Monday", "2024-09-09", "2024-09-09", G::Day, false, "weekday")]
// ranges
#[case(
    "between 2025 and 2026",
    "2025-01-01",
    "2026-12-31",
    G::Year,
    false,
    "range"
)]
#[case(
    "from September 2025 through 2026",
    "2025-09-01",
    "2026-12-31",
    G::Year,
    false,
    "range"
)]
#[case(
    "from 2025 to 2026",
    "2025-01-01",
    "2026-12-31",
    G::Year,
    false,
    "range"
)]
#[case("2025-2026", "2025-01-01", "2026-12-31", G::Year, false, "range")]
#[case("2025–26", "2025-01-01", "2026-12-31", G::Year, false, "range")]
#[case(
    "September 2025 to March 2026",
    "2025-09-01",
    "2026-03-31",
    G::Month,
    false,
    "range"
)]
#[case(
    "between March and May 2026",
    "2026-03-01",
    "2026-05-31",
    G::Month,
    false,
    "range"
)]
#[case(
    "from November to February",
    "2024-11-01",
    "2025-02-28",
    G::Month,
    false,
    "range"
)]
#[case(
    "between the end of 2025 and mid-2026",
    "2025-10-01",
    "2026-08-31",
    G::Quarter,
    false,
    "range"
)]
// floors
#[case(
    "at least until September 2026",
    "2026-09-01",
    "",
    G::Month,
    false,
    "floor"
)]
#[case(
    "until at least September 2026",
    "2026-09-01",
    "",
    G::Month,
    false,
    "floor"
)]
#[case("not before 2026", "2026-01-01", "", G::Year, false, "floor")]
#[case(
    "no earlier than March 2026",
    "2026-03-01",
    "",
    G::Month,
    false,
    "floor"
)]
#[case("not until 2026", "2026-01-01", "", G::Year, false, "floor")]
#[case(
    "not before the end of 2026",
    "2026-10-01",
    "",
    G::Quarter,
    false,
    "floor"
)]
// offsets
#[case(
    "one month before October 2025",
    "2025-09-01",
    "2025-09-30",
    G::Month,
    false,
    "offset"
)]
#[case(
    "two weeks after 8 September 2025",
    "2025-09-22",
    "2025-09-22",
    G::Day,
    false,
    "offset"
)]
#[case(
    "six months after June 2025",
    "2025-12-01",
    "2025-12-31",
    G::Month,
    false,
    "offset"
)]
#[case(
    "a year before the end of 2026",
    "2025-10-01",
    "2025-12-31",
    G::Quarter,
    false,
    "offset"
)]
fn conventions(
    #[case] words: &str,
    #[case] earliest: &str,
    #[case] latest: &str,
    #[case] granularity: G,
    #[case] fuzzy: bool,
    #[case] rule: &str,
) {
    let m = only(words, words, P);
    assert_eq!(
        m.expr,
        interval(earliest, latest, granularity, fuzzy),
        "{words:?}"
    );
    assert_eq!(m.rule, rule, "{words:?}");
}

// Lines that depend on the publication day, or whose cue stays outside the span.
#[rstest]
#[case(
    "in September",
    "in September",
    "2024-10-15",
    "2025-09-01",
    "2025-09-30",
    G::Month
)]
#[case(
    "by September",
    "by September",
    "2024-08-31",
    "2024-09-01",
    "2024-09-30",
    G::Month
)]
#[case(
    "since September",
    "September",
    P,
    "2024-09-01",
    "2024-09-30",
    G::Month
)]
#[case("since May", "May", P, "2024-05-01", "2024-05-31", G::Month)]
#[case(
    "on 28 December",
    "on 28 December",
    "2025-01-10",
    "2024-12-28",
    "2024-12-28",
    G::Day
)]
#[case("last Friday", "last Friday", P, "2024-09-06", "2024-09-06", G::Day)]
#[case(
    "by the end of the year",
    "by the end of the year",
    "2025-11-20",
    "2025-10-01",
    "2025-12-31",
    G::Quarter
)]
#[case(
    "completed inSeptember 2026",
    "inSeptember 2026",
    P,
    "2026-09-01",
    "2026-09-30",
    G::Month
)]
#[case(
    "entered Iraqin 2014 with",
    "2014",
    P,
    "2014-01-01",
    "2014-12-31",
    G::Year
)]
#[case(
    "leave in September. Then",
    "in September",
    P,
    "2024-09-01",
    "2024-09-30",
    G::Month
)]
#[case(
    "In September 12 soldiers died",
    "In September",
    P,
    "2024-09-01",
    "2024-09-30",
    G::Month
)]
#[case(
    "in September 8,000 troops",
    "in September",
    P,
    "2024-09-01",
    "2024-09-30",
    G::Month
)]
#[case(
    "Resolution 2254 (2015) says",
    "2015",
    P,
    "2015-01-01",
    "2015-12-31",
    G::Year
)]
fn in_context(
    #[case] text: &str,
    #[case] phrase: &str,
    #[case] published: &str,
    #[case] earliest: &str,
    #[case] latest: &str,
    #[case] granularity: G,
) {
    let m = only(text, phrase, published);
    assert_eq!(
        m.expr,
        interval(earliest, latest, granularity, false),
        "{text:?}"
    );
}

#[rstest]
#[case("a two-year timeline", "a two-year timeline", 24, false)]
#[case(
    "a three-year withdrawal timeframe",
    "a three-year withdrawal timeframe",
    36,
    false
)]
#[case("an 18-month plan", "an 18-month plan", 18, false)]
#[case("a year-long mission", "a year-long mission", 12, false)]
#[case("set for two years", "set for two years", 24, false)]
#[case("over two years", "over two years", 24, false)]
#[case("for two years", "for two years", 24, false)]
#[case("(a total of three years)", "a total of three years", 36, false)]
#[case("for a year and a half", "for a year and a half", 18, false)]
#[case("for a couple of years", "for a couple of years", 24, false)]
#[case("for about two years", "for about two years", 24, true)]
#[case("for some 18 months", "for some 18 months", 18, true)]
#[case("roughly a two-year process", "roughly a two-year process", 24, true)]
fn durations(#[case] text: &str, #[case] phrase: &str, #[case] months: u32, #[case] approx: bool) {
    let m = only(text, phrase, P);
    assert_eq!(m.expr, TimeExpr::Duration { months, approx }, "{text:?}");
    assert_eq!(m.rule, "duration");
}

#[rstest]
#[case("the mayor marched to augment a decent deal")]
#[case("May we leave? The August assembly met.")]
#[case("they march 8 miles; a sept 9 memo; jan 5")]
#[case("2,026 soldiers, 20260 rounds, $2026, 2026%, 2026 percent")]
#[case("the 2026th day, call 555 2026 or 555-2026, file No. 2026")]
#[case("at 1930 GMT, 1930 hours, at 20:26, 2026.5, the 2020s")]
#[case("for several months, in a few years, within several weeks")]
#[case("a 30-year-old soldier, two years ago, for two years ago")]
#[case("over the last year, the fall of the city")]
#[case("she said the deal was done")]
#[case("New York troops, a new year, the Easter Rising, Christmas Island")]
fn not_time(#[case] text: &str) {
    assert_eq!(phrases(text, P), Vec::new(), "{text:?}");
}

#[rstest]
#[case(
    "the first group leaves by September 2025 and the rest by the end of 2026",
    &[("by September 2025", "month_year"), ("by the end of 2026", "end_of_year")]
)]
#[case(
    "Officials said on Friday that troops would stay at least until September 2026 \u{2013} not \u{201c}within six months\u{201d}, as first reported in 2023.",
    &[("on Friday", "weekday"), ("at least until September 2026", "floor"), ("within six months", "within_duration"), ("in 2023", "year")]
)]
#[case(
    "In September 12 soldiers were hurt; a two-year timeline ending in mid-2026 was agreed.",
    &[("In September", "month"), ("a two-year timeline", "duration"), ("in mid-2026", "mid_year")]
)]
#[case(
    "The coalition\u{2019}s mission, which began in 2014, ends between 2025 and 2026, though some units stay for another year.",
    &[("in 2014", "year"), ("between 2025 and 2026", "range"), ("for another year", "for_another")]
)]
#[case(
    "The May 8 talks set a deadline of Sept. 30, 2025 for the first phase and early 2026 for the second.",
    &[("May 8", "month_day"), ("Sept. 30, 2025", "month_day_year"), ("early 2026", "start_of_year")]
)]
fn sentences(#[case] text: &str, #[case] expected: &[(&str, &str)]) {
    assert_eq!(phrases(text, P), expected.to_vec());
}

#[test]
fn spans_are_ordered_char_boundaries_on_any_cut() {
    let text = "Les troupes partiront d\u{2019}ici d\u{e9}cembre 2025 \u{2013} by the end of 2026\u{2026} \u{201c}within six months\u{201d}, \u{a0}in 2025\u{2011}2026, 8\u{a0}September 2025; \u{1f1fa}\u{1f1f8} mid\u{2010}2027";
    let published = date(P);
    for (cut, _) in text.char_indices() {
        for part in [&text[..cut], &text[cut..]] {
            let mut last_end = 0;
            for m in find_times(part, published) {
                assert!(m.start < m.end && m.start >= last_end, "{part:?}: {m:?}");
                assert!(part.is_char_boundary(m.start) && part.is_char_boundary(m.end));
                last_end = m.end;
            }
        }
    }
    assert_eq!(
        phrases(text, P),
        vec![
            ("2025", "year"),
            ("by the end of 2026", "end_of_year"),
            ("within six months", "within_duration"),
            ("in 2025\u{2011}2026", "range"),
            ("8\u{a0}September 2025", "day_month_year"),
            ("mid\u{2010}2027", "mid_year"),
        ]
    );
}

#[test]
fn dates_near_the_end_of_time_do_not_panic() {
    for published in [NaiveDate::MIN, NaiveDate::MAX] {
        let text = "within six months, in two years, for another decade, next year, the end of the year, on Friday, by September, the coming weeks, 99 decades from now";
        let _ = find_times(text, published);
    }
}

#[test]
fn every_lexicon_word_is_found() {
    let mut keys = std::collections::HashSet::new();
    for (word, lex, _) in WORDS {
        let key = word_key(word).expect("short ASCII words");
        assert!(keys.insert(key), "{word} twice");
        assert_eq!(
            super::words::LEXICON.get(key).map(|(l, _)| l),
            Some(*lex),
            "{word}"
        );
    }
}

/// `find_times` skips a text with no anchor stem: every anchor word must
/// hold one (numbers and ordinals start with a digit).
#[test]
fn every_anchor_word_holds_a_digit_or_a_stem() {
    for (word, lex, _) in WORDS {
        if lex.is_anchor() {
            assert!(
                ANCHOR_STEMS.iter().any(|stem| word.contains(stem)),
                "{word}"
            );
        }
    }
}
