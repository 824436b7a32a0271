//! The pure comparison of a new value with a known one: confirmation,
//! refinement, update or contradiction. No I/O, no clock: the articles'
//! publication dates are the only time it knows. The rules are the design's:
//!
//! - confirmation: the same value, or a less precise one that agrees;
//! - refinement: a more precise value inside the known one;
//! - update: change wording ("pushed back", "now", a decision tied to the claim),
//!   a status that moves on, a troop number reported later; the same outlet
//!   saying something else without such wording is a contradiction to look at;
//! - contradiction: values that cannot both hold, from different sources.
//!
//! A fuzzy value ("in the coming months") can confirm but never contradicts.
//! A report published before the one the known value comes from (a backlog,
//! an old clipping dropped in late) can confirm or refine it, never replace
//! or contradict it: it says what was known then.

use chrono::NaiveDate;

use crate::model::{ChangeKind, Observation, Status, TimeValue, Value};

/// How two time intervals relate, seen from the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Same,
    /// Strictly inside the known interval: more precise.
    Inside,
    /// Contains the known interval: less precise.
    Contains,
    /// They share some days.
    Overlaps,
    Disjoint,
}

/// Relates two intervals (`latest: None` is open-ended).
pub fn relate(new: &TimeValue, old: &TimeValue) -> Relation {
    let end = |v: &TimeValue| v.latest.unwrap_or(NaiveDate::MAX);
    let (ns, ne, os, oe) = (new.earliest, end(new), old.earliest, end(old));
    if (ns, ne) == (os, oe) {
        Relation::Same
    } else if ns >= os && ne <= oe {
        Relation::Inside
    } else if ns <= os && ne >= oe {
        Relation::Contains
    } else if ns <= oe && os <= ne {
        Relation::Overlaps
    } else {
        Relation::Disjoint
    }
}

/// Where a status stands on the way from announced to completed; postponed and
/// cancelled are off that road.
fn rank(s: Status) -> Option<u8> {
    match s {
        Status::Announced => Some(0),
        Status::Agreed => Some(1),
        Status::Signed => Some(2),
        Status::InProgress => Some(3),
        Status::Completed => Some(4),
        Status::Postponed | Status::Cancelled => None,
    }
}

/// What a changed value is: an update when the report says it changed
/// ("pushed back", "now", a decision); otherwise two values that cannot both
/// hold, a contradiction, even from the same outlet.
fn changed(new: &Observation, _old: &Observation) -> ChangeKind {
    if new.claim.change_wording.is_some() {
        ChangeKind::Update
    } else {
        ChangeKind::Contradiction
    }
}

/// Compares a new observation with one known value of the same event and
/// attribute. `None`: the new value says nothing about the known one (a fuzzy
/// value that does not fit), so it is kept out of the timeline.
pub fn compare(new: &Observation, old: &Observation) -> Option<ChangeKind> {
    let verdict = compare_values(new, old)?;
    let stale = new.article.published < old.article.published;
    (!(stale && matches!(verdict, ChangeKind::Update | ChangeKind::Contradiction)))
        .then_some(verdict)
}

/// `compare`, whatever the order in which the two reports were published.
fn compare_values(new: &Observation, old: &Observation) -> Option<ChangeKind> {
    use ChangeKind::*;
    match (&new.claim.value, &old.claim.value) {
        (Value::Date(n), Value::Date(o)) => {
            let relation = relate(n, o);
            if n.fuzzy {
                return (relation != Relation::Disjoint).then_some(Confirmation);
            }
            if o.fuzzy {
                // A firm value replaces a loose one.
                return Some(match relation {
                    Relation::Same | Relation::Contains => Confirmation,
                    Relation::Inside | Relation::Overlaps => Refinement,
                    Relation::Disjoint => Update,
                });
            }
            if new.claim.change_wording.is_some() && relation != Relation::Same {
                return Some(Update);
            }
            // The day it happened, inside or before the planned window: the
            // deadline was met, which confirms it ("completed ahead of the
            // Dec. 31 deadline"); after it, the plan slipped.
            let actual = new.claim.modality == crate::model::Modality::Completed
                && old.claim.modality != crate::model::Modality::Completed;
            if actual {
                // Met or late, the day itself is no change of plan: the
                // completion is news as a status, not as a deadline.
                return Some(Confirmation);
            }
            // "Dec. 31, 2011" and "the end of 2011" are one deadline: the
            // same last day, told with more or less precision.
            if n.latest.is_some() && n.latest == o.latest {
                return Some(Confirmation);
            }
            // A planned deadline already gone when this report appeared, and
            // a later one now: the plan slipped, and the later date is its
            // update, not a second outlet disputing the first.
            let lapsed = old.claim.modality != crate::model::Modality::Completed
                && o.latest
                    .is_some_and(|l| l < new.article.published && n.earliest > l);
            if lapsed {
                return Some(Update);
            }
            Some(match relation {
                Relation::Same | Relation::Contains | Relation::Overlaps => Confirmation,
                Relation::Inside => Refinement,
                Relation::Disjoint => changed(new, old),
            })
        }
        (Value::Status { value: n }, Value::Status { value: o }) => Some(if n == o {
            Confirmation
        } else {
            match (rank(*n), rank(*o)) {
                (Some(a), Some(b)) if a <= b => Confirmation,
                // Announced, agreed, signed: all the plan before anything
                // moves; going from one to another is not news of its own.
                (Some(a), Some(_)) if a < 3 => Confirmation,
                // The plan restated while it is on hold is no news; resuming
                // it is said as such ("resumed", "under way again").
                (Some(a), None) if a < 3 && *o == Status::Postponed => Confirmation,
                _ => Update,
            }
        }),
        (
            Value::Count {
                value: n,
                approx: na,
                ..
            },
            Value::Count {
                value: o,
                approx: oa,
                ..
            },
        ) => {
            // Troops present are counted loosely ("some 1,000", "about 1,100");
            // a level set by a decision is a number of its own (25,000, then
            // "about 24,000" instead).
            let planned = |obs: &Observation| {
                matches!(
                    obs.claim.modality,
                    crate::model::Modality::Planned | crate::model::Modality::Expected
                )
            };
            // Troops there now, after a level decided for later ("2,000 in
            // Syria" after "about 200 will remain"): two different numbers.
            if !planned(new) && planned(old) {
                return Some(Confirmation);
            }
            let tolerance = if planned(new) && planned(old) {
                o / 50
            } else if *na || *oa {
                o / 10
            } else {
                o / 50
            };
            if n.abs_diff(*o) <= tolerance {
                return Some(Confirmation);
            }
            // Troop numbers move: a count reported a week or more later is the new number.
            let later = (new.article.published - old.article.published).num_days() >= 7;
            Some(if later { Update } else { changed(new, old) })
        }
        (Value::Duration { months: n, .. }, Value::Duration { months: o, .. }) => {
            Some(if n.abs_diff(*o) <= 1 {
                Confirmation
            } else {
                changed(new, old)
            })
        }
        // Values of different types for one attribute: nothing to compare.
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Article, Attribute, Claim, Event, Granularity, Milestone, Modality, Span};
    use rstest::rstest;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn date(earliest: &str, latest: Option<&str>, fuzzy: bool) -> Value {
        Value::Date(TimeValue {
            earliest: day(earliest),
            latest: latest.map(day),
            granularity: Granularity::Month,
            fuzzy,
        })
    }

    fn obs(value: Value, outlet: &str, published: &str, change: Option<&str>) -> Observation {
        let article = Article {
            title: "t".into(),
            source: Some(outlet.into()),
            url: None,
            path: None,
            published: day(published),
            text: outlet.into(),
        };
        Observation {
            claim: Claim {
                event: Event::new("XX", "Some force", Milestone::Final, None, None),
                attribute: Attribute::Deadline,
                value,
                text: String::new(),
                quote: String::new(),
                span: Span { start: 0, end: 0 },
                attributed_to: None,
                modality: Modality::Planned,
                change_wording: change.map(str::to_string),
                rule: "test".into(),
                scope_defaulted: false,
            },
            article_hash: article.content_hash(),
            article: article.reference(),
        }
    }

    fn status(s: Status) -> Value {
        Value::Status { value: s }
    }

    fn count(n: u32, approx: bool) -> Value {
        Value::Count {
            value: n,
            min: n,
            max: n,
            approx,
        }
    }

    // (known, new, new's outlet, new's date, change wording, expected)
    #[rstest]
    // end of 2026 (Oct-Dec), then September 2026 from another outlet: contradiction
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2026-09-01", Some("2026-09-30"), false),
        "B",
        "2024-09-10",
        None,
        Some(ChangeKind::Contradiction)
    )]
    // ... the same from the same outlet, with nothing saying it changed:
    // still a contradiction to look at, not a silent replacement
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2026-09-01", Some("2026-09-30"), false),
        "A",
        "2024-09-10",
        None,
        Some(ChangeKind::Contradiction)
    )]
    // "Dec. 31, 2026" after "the end of 2026": the same last day, one deadline
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2026-12-31", Some("2026-12-31"), false),
        "B",
        "2024-09-10",
        None,
        Some(ChangeKind::Confirmation)
    )]
    // ... with change wording: update
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2026-09-01", Some("2026-09-30"), false),
        "B",
        "2024-09-10",
        Some("brought forward"),
        Some(ChangeKind::Update)
    )]
    // by 2026 after end of 2026: less precise and consistent
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2026-01-01", Some("2026-12-31"), false),
        "B",
        "2025-06-13",
        None,
        Some(ChangeKind::Confirmation)
    )]
    // September 2026 after by 2026: more precise, inside
    #[case(
        date("2026-01-01", Some("2026-12-31"), false),
        date("2026-09-01", Some("2026-09-30"), false),
        "B",
        "2024-09-10",
        None,
        Some(ChangeKind::Refinement)
    )]
    // a deadline already past when the new report appeared, and a later
    // one: the plan slipped, an update without change wording
    #[case(
        date("2025-05-01", Some("2025-05-31"), false),
        date("2025-06-01", Some("2025-06-30"), false),
        "B",
        "2025-06-14",
        None,
        Some(ChangeKind::Update)
    )]
    // ... but a later date while the known one still lies ahead is a dispute
    #[case(
        date("2025-05-01", Some("2025-05-31"), false),
        date("2025-06-01", Some("2025-06-30"), false),
        "B",
        "2025-05-14",
        None,
        Some(ChangeKind::Contradiction)
    )]
    // the same value again
    #[case(
        date("2025-09-01", Some("2025-09-30"), false),
        date("2025-09-01", Some("2025-09-30"), false),
        "B",
        "2024-09-10",
        None,
        Some(ChangeKind::Confirmation)
    )]
    // a floor that the known deadline respects
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2026-09-01", None, false),
        "B",
        "2024-09-28",
        None,
        Some(ChangeKind::Confirmation)
    )]
    // a floor after the known deadline: cannot both hold
    #[case(
        date("2025-01-01", Some("2025-03-31"), false),
        date("2026-09-01", None, false),
        "B",
        "2024-09-28",
        None,
        Some(ChangeKind::Contradiction)
    )]
    // a fuzzy value that fits confirms; one that does not is ignored
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2026-05-13", Some("2027-01-13"), true),
        "B",
        "2025-06-13",
        None,
        Some(ChangeKind::Confirmation)
    )]
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2025-08-06", Some("2025-10-06"), true),
        "B",
        "2024-09-06",
        None,
        None
    )]
    // a firm value replaces a fuzzy one
    #[case(
        date("2025-08-06", Some("2025-10-06"), true),
        date("2026-10-01", Some("2026-12-31"), false),
        "B",
        "2024-09-10",
        None,
        Some(ChangeKind::Update)
    )]
    // statuses move on, never back; announced, agreed and signed are all the
    // plan before anything moves
    #[case(
        status(Status::Agreed),
        status(Status::Signed),
        "B",
        "2024-10-01",
        None,
        Some(ChangeKind::Confirmation)
    )]
    #[case(
        status(Status::Signed),
        status(Status::InProgress),
        "B",
        "2024-10-01",
        None,
        Some(ChangeKind::Update)
    )]
    #[case(
        status(Status::Agreed),
        status(Status::Announced),
        "B",
        "2024-10-01",
        None,
        Some(ChangeKind::Confirmation)
    )]
    #[case(
        status(Status::InProgress),
        status(Status::InProgress),
        "B",
        "2025-06-13",
        None,
        Some(ChangeKind::Confirmation)
    )]
    // The plan restated while on hold; a cancelled plan announced again.
    #[case(
        status(Status::Postponed),
        status(Status::Announced),
        "B",
        "2025-06-13",
        None,
        Some(ChangeKind::Confirmation)
    )]
    #[case(
        status(Status::Cancelled),
        status(Status::Announced),
        "B",
        "2025-06-13",
        None,
        Some(ChangeKind::Update)
    )]
    #[case(
        status(Status::InProgress),
        status(Status::Postponed),
        "B",
        "2025-06-13",
        None,
        Some(ChangeKind::Update)
    )]
    #[case(
        status(Status::Completed),
        status(Status::InProgress),
        "B",
        "2025-06-13",
        None,
        Some(ChangeKind::Confirmation)
    )]
    // troop numbers: about the same confirms; a later different number updates;
    // a different number the same week from another outlet contradicts
    #[case(
        count(2500, true),
        count(2450, true),
        "B",
        "2024-09-10",
        None,
        Some(ChangeKind::Confirmation)
    )]
    #[case(
        count(2500, true),
        count(2000, false),
        "B",
        "2024-12-01",
        None,
        Some(ChangeKind::Update)
    )]
    #[case(
        count(2500, true),
        count(4000, false),
        "B",
        "2024-09-08",
        None,
        Some(ChangeKind::Contradiction)
    )]
    // an older report than the known value's: it may confirm or refine it, but
    // what differs is what was known then, not news
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2026-09-01", Some("2026-09-30"), false),
        "B",
        "2024-09-01",
        None,
        None
    )]
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2027-03-01", Some("2027-03-31"), false),
        "A",
        "2024-08-01",
        Some("pushed back"),
        None
    )]
    #[case(
        status(Status::Completed),
        status(Status::Postponed),
        "B",
        "2024-09-05",
        None,
        None
    )]
    #[case(
        date("2026-10-01", Some("2026-12-31"), false),
        date("2026-10-01", Some("2026-12-31"), false),
        "B",
        "2024-09-01",
        None,
        Some(ChangeKind::Confirmation)
    )]
    #[case(
        date("2026-01-01", Some("2026-12-31"), false),
        date("2026-09-01", Some("2026-09-30"), false),
        "B",
        "2024-09-01",
        None,
        Some(ChangeKind::Refinement)
    )]
    // durations
    #[case(Value::Duration { months: 24, approx: false }, Value::Duration { months: 24, approx: false }, "B", "2024-09-09", None, Some(ChangeKind::Confirmation))]
    #[case(Value::Duration { months: 24, approx: false }, Value::Duration { months: 36, approx: false }, "B", "2024-09-09", None, Some(ChangeKind::Contradiction))]
    fn compares(
        #[case] known: Value,
        #[case] new: Value,
        #[case] outlet: &str,
        #[case] published: &str,
        #[case] change: Option<&str>,
        #[case] expected: Option<ChangeKind>,
    ) {
        let old = obs(known, "A", "2024-09-06", None);
        let new = obs(new, outlet, published, change);
        assert_eq!(compare(&new, &old), expected);
    }

    #[rstest]
    #[case(("2026-09-01", "2026-09-30"), ("2026-10-01", "2026-12-31"), Relation::Disjoint)]
    #[case(("2026-09-01", "2026-09-30"), ("2026-01-01", "2026-12-31"), Relation::Inside)]
    #[case(("2026-01-01", "2026-12-31"), ("2026-10-01", "2026-12-31"), Relation::Contains)]
    #[case(("2026-08-01", "2026-10-31"), ("2026-10-01", "2026-12-31"), Relation::Overlaps)]
    #[case(("2026-10-01", "2026-12-31"), ("2026-10-01", "2026-12-31"), Relation::Same)]
    fn relates_intervals(
        #[case] new: (&str, &str),
        #[case] old: (&str, &str),
        #[case] expected: Relation,
    ) {
        let v = |(a, b): (&str, &str)| TimeValue {
            earliest: day(a),
            latest: Some(day(b)),
            granularity: Granularity::Month,
            fuzzy: false,
        };
        assert_eq!(relate(&v(new), &v(old)), expected);
    }
}
