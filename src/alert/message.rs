//! Alert ids and messages: turns a timeline `Change` into the `Alert` of the
//! public contract, with a stable id (a hash of what the change is about and
//! which articles said it) and one sentence a person understands without the
//! JSON. Pure: no I/O, no clock.

use chrono::{Datelike, Months, NaiveDate};
use sha2::{Digest, Sha256};

use crate::model::{
    Alert, AlertSide, Change, ChangeKind, Event, Granularity, Milestone, Observation, TimeValue,
    Value,
};

/// How many hex characters of the SHA-256 an alert id keeps (96 bits).
const ID_HEX_LEN: usize = 24;

/// Builds the alert for `change`. `country_name` is the readable name of the
/// event's country ("Iraq" for `IQ`), used in the message.
///
/// The id is the first 24 hex characters of a SHA-256 over the kind, event
/// key, attribute, the current observation's article hash, value and quote,
/// and the previous observation's article hash and value: the same change from
/// the same articles always gets the same id, so sinks and receivers can drop
/// duplicates.
pub fn build_alert(change: &Change, country_name: &str) -> Alert {
    let current = &change.current;
    Alert {
        id: alert_id(change),
        kind: change.kind,
        event: current.claim.event.clone(),
        attribute: current.claim.attribute,
        current: AlertSide::from(current),
        previous: change.previous.as_ref().map(AlertSide::from),
        message: message(change, country_name),
    }
}

/// The stable id of a change (see [`build_alert`]).
fn alert_id(change: &Change) -> String {
    let current = &change.current;
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        // Length-prefixed, so that no two field lists hash the same bytes.
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(change.kind.as_str().as_bytes());
    field(current.claim.event.key.as_bytes());
    field(current.claim.attribute.as_str().as_bytes());
    field(current.article_hash.as_bytes());
    field(value_json(&current.claim.value).as_bytes());
    field(current.claim.quote.as_bytes());
    match &change.previous {
        Some(previous) => {
            field(b"previous");
            field(previous.article_hash.as_bytes());
            field(value_json(&previous.claim.value).as_bytes());
        }
        None => field(b"none"),
    }
    let mut id = hex::encode(hasher.finalize());
    id.truncate(ID_HEX_LEN);
    id
}

/// The value's contract JSON. Serializing a `Value` cannot fail (no maps, no
/// non-string keys); the empty fallback only keeps this function total.
fn value_json(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// "US-led coalition, final withdrawal from Iraq: September 2026 (unknown
/// outlet, 2024-09-10) contradicts end of 2026 (Reuters, 2024-09-06)".
fn message(change: &Change, country_name: &str) -> String {
    let current = &change.current;
    let event = &current.claim.event;
    let head = format!("{}, {}", event.actor, event_label(event, country_name));
    let now = sourced(current);
    let body = match (change.kind, &change.previous) {
        (ChangeKind::Contradiction, Some(prev)) => {
            format!("{now} contradicts {}", sourced(prev))
        }
        (ChangeKind::Update, Some(prev)) => format!("now {now}, was {}", sourced(prev)),
        // A known withdrawal reaching a stage no report had named yet.
        (ChangeKind::Update, None) => format!("now {now}, was planned"),
        (ChangeKind::Refinement, Some(prev)) => {
            format!("narrowed to {now} from {}", sourced(prev))
        }
        (ChangeKind::Confirmation, _) => format!(
            "{} confirmed by {}, {}",
            format_value(&current.claim.value),
            current.article.outlet(),
            current.article.published
        ),
        // `new`, or a comparison whose known side is missing.
        _ => now,
    };
    format!("{head}: {body}")
}

/// "September 2026 (Reuters, 2024-09-06)".
fn sourced(obs: &Observation) -> String {
    format!(
        "{} ({}, {})",
        format_value(&obs.claim.value),
        obs.article.outlet(),
        obs.article.published
    )
}

/// What the event is, in words: "final withdrawal from Iraq".
pub fn event_label(event: &Event, country: &str) -> String {
    match event.milestone {
        Milestone::Final => format!("final withdrawal from {country}"),
        Milestone::Phase => match event.phase {
            Some(n) => format!("phase {n} of the withdrawal from {country}"),
            None => format!("a phase of the withdrawal from {country}"),
        },
        Milestone::Base => match &event.location {
            Some(place) => format!("leaving {place} ({country})"),
            None => format!("leaving a base ({country})"),
        },
        Milestone::Drawdown => format!("troops in {country}"),
        Milestone::Agreement => format!("withdrawal agreement for {country}"),
    }
}

/// A value in words: "September 2026", "end of 2026", "about 2,500 troops",
/// "in progress", "18 months".
pub fn format_value(value: &Value) -> String {
    match value {
        Value::Date(time) => format_time(time),
        Value::Count {
            value,
            min,
            max,
            approx,
        } => {
            // "about 2,500" says its own range; bounds are shown for the others.
            if *approx {
                format!("about {} troops", thousands(*value))
            } else if *max == u32::MAX {
                format!("more than {} troops", thousands(*min))
            } else if *min == 0 && *max > 0 {
                format!("up to {} troops", thousands(*max))
            } else if min < max {
                format!("{} to {} troops", thousands(*min), thousands(*max))
            } else {
                let noun = if *value == 1 { "troop" } else { "troops" };
                format!("{} {noun}", thousands(*value))
            }
        }
        Value::Status { value } => value.as_str().to_string(),
        Value::Duration { months, approx } => {
            let about = if *approx { "about " } else { "" };
            let (n, unit) = if *months != 0 && months % 12 == 0 {
                (months / 12, "year")
            } else {
                (*months, "month")
            };
            let plural = if n == 1 { "" } else { "s" };
            format!("{about}{n} {unit}{plural}")
        }
    }
}

/// A time interval in words. An interval that is exactly one calendar period
/// is named as that period whatever its granularity ("by the end of 2026" is
/// Oct-Dec 2026, "end of 2026"); wider ones name both ends at their granularity.
fn format_time(time: &TimeValue) -> String {
    let words = match time.latest {
        None => format!(
            "not before {}",
            period_name(time.earliest, time.granularity)
        ),
        Some(latest) => interval_name(time.earliest, latest, time.granularity),
    };
    if time.fuzzy {
        format!("around {words}")
    } else {
        words
    }
}

fn interval_name(earliest: NaiveDate, latest: NaiveDate, granularity: Granularity) -> String {
    if earliest == latest {
        return period_name(earliest, Granularity::Day);
    }
    let year = earliest.year();
    let starts_month = earliest.day() == 1;
    // Is [earliest, latest] exactly `len` whole months starting at earliest?
    let spans_months =
        |len: u32| starts_month && month_end(earliest, len).is_some_and(|end| end == latest);
    if spans_months(1) {
        return period_name(earliest, Granularity::Month);
    }
    if spans_months(3) && earliest.month() % 3 == 1 {
        return if earliest.month() == 10 {
            format!("end of {year}")
        } else {
            period_name(earliest, Granularity::Quarter)
        };
    }
    if spans_months(6) && earliest.month() % 6 == 1 {
        return period_name(earliest, Granularity::Half);
    }
    if spans_months(12) && earliest.month() == 1 {
        return period_name(earliest, Granularity::Year);
    }
    let (from, to) = (
        period_name(earliest, granularity),
        period_name(latest, granularity),
    );
    if from == to {
        // Part of one period: only the days tell the ends apart.
        format!(
            "{} to {}",
            period_name(earliest, Granularity::Day),
            period_name(latest, Granularity::Day)
        )
    } else {
        format!("{from} to {to}")
    }
}

/// The period of `granularity` that contains `date`: "8 September 2026",
/// "September 2026", "Q3 2026", "first half of 2026", "2026".
fn period_name(date: NaiveDate, granularity: Granularity) -> String {
    let year = date.year();
    match granularity {
        Granularity::Day => format!("{} {} {year}", date.day(), month_name(date.month())),
        Granularity::Month => format!("{} {year}", month_name(date.month())),
        Granularity::Quarter => format!("Q{} {year}", (date.month() - 1) / 3 + 1),
        Granularity::Half => {
            let half = if date.month() <= 6 { "first" } else { "second" };
            format!("{half} half of {year}")
        }
        Granularity::Year => year.to_string(),
    }
}

/// The last day of the `len`-th month counted from `first` (itself the 1st).
fn month_end(first: NaiveDate, len: u32) -> Option<NaiveDate> {
    first.checked_add_months(Months::new(len))?.pred_opt()
}

fn month_name(month: u32) -> &'static str {
    match month {
        1 => "January",
        2 => "February",
        3 => "March",
        4 => "April",
        5 => "May",
        6 => "June",
        7 => "July",
        8 => "August",
        9 => "September",
        10 => "October",
        11 => "November",
        _ => "December",
    }
}

/// 2500 -> "2,500".
fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ArticleRef, Attribute, Claim, Granularity, Modality, Span, Status};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn date(earliest: &str, latest: Option<&str>, granularity: Granularity, fuzzy: bool) -> Value {
        Value::Date(TimeValue {
            earliest: day(earliest),
            latest: latest.map(day),
            granularity,
            fuzzy,
        })
    }

    #[test]
    fn values_in_words() {
        use Granularity::*;
        let count = |value, min, max, approx| Value::Count {
            value,
            min,
            max,
            approx,
        };
        let cases = [
            (
                date("2026-09-01", Some("2026-09-30"), Month, false),
                "September 2026",
            ),
            (
                date("2026-09-08", Some("2026-09-08"), Day, false),
                "8 September 2026",
            ),
            (date("2026-01-01", Some("2026-12-31"), Year, false), "2026"),
            (
                date("2026-10-01", Some("2026-12-31"), Quarter, false),
                "end of 2026",
            ),
            // The contract's own example: "by the end of 2026" at month granularity.
            (
                date("2026-10-01", Some("2026-12-31"), Month, false),
                "end of 2026",
            ),
            (
                date("2026-07-01", Some("2026-09-30"), Quarter, false),
                "Q3 2026",
            ),
            (
                date("2026-01-01", Some("2026-06-30"), Half, false),
                "first half of 2026",
            ),
            (
                date("2026-07-01", Some("2026-12-31"), Half, false),
                "second half of 2026",
            ),
            (
                date("2025-09-01", Some("2026-12-31"), Month, false),
                "September 2025 to December 2026",
            ),
            (
                date("2025-01-01", Some("2026-12-31"), Year, false),
                "2025 to 2026",
            ),
            (
                date("2024-09-06", Some("2025-03-06"), Day, false),
                "6 September 2024 to 6 March 2025",
            ),
            (
                date("2026-09-10", Some("2026-09-20"), Month, false),
                "10 September 2026 to 20 September 2026",
            ),
            (
                date("2026-09-01", None, Month, false),
                "not before September 2026",
            ),
            (date("2026-01-01", None, Year, false), "not before 2026"),
            (
                date("2025-09-01", Some("2025-09-30"), Month, true),
                "around September 2025",
            ),
            (count(2500, 2500, 2500, true), "about 2,500 troops"),
            (count(2500, 2500, 2500, false), "2,500 troops"),
            (count(2250, 2000, 2500, false), "2,000 to 2,500 troops"),
            (
                count(1_000_000, 1_000_000, 1_000_000, false),
                "1,000,000 troops",
            ),
            (count(1, 1, 1, false), "1 troop"),
            (count(900, 900, 900, false), "900 troops"),
            (
                Value::Status {
                    value: Status::Signed,
                },
                "signed",
            ),
            (
                Value::Status {
                    value: Status::InProgress,
                },
                "in progress",
            ),
            (
                Value::Duration {
                    months: 24,
                    approx: false,
                },
                "2 years",
            ),
            (
                Value::Duration {
                    months: 12,
                    approx: true,
                },
                "about 1 year",
            ),
            (
                Value::Duration {
                    months: 18,
                    approx: false,
                },
                "18 months",
            ),
            (
                Value::Duration {
                    months: 1,
                    approx: false,
                },
                "1 month",
            ),
        ];
        for (value, words) in cases {
            assert_eq!(format_value(&value), words, "{value:?}");
        }
    }

    fn obs(
        milestone: Milestone,
        phase: Option<u32>,
        location: Option<&str>,
        value: Value,
        source: Option<&str>,
        published: &str,
    ) -> Observation {
        let event = Event::new(
            "IQ",
            "US-led coalition",
            milestone,
            phase,
            location.map(str::to_string),
        );
        Observation {
            claim: Claim {
                event,
                attribute: Attribute::Deadline,
                value,
                text: "by September 2026".into(),
                quote: format!("Troops leave, {published}."),
                span: Span { start: 0, end: 10 },
                attributed_to: None,
                modality: Modality::Planned,
                change_wording: None,
                rule: "test".into(),
                scope_defaulted: false,
            },
            article: ArticleRef {
                title: "Troops leave".into(),
                source: source.map(str::to_string),
                url: None,
                path: None,
                published: day(published),
            },
            article_hash: format!("hash-{published}-{}", source.unwrap_or("none")),
        }
    }

    fn sept_2026() -> Value {
        date("2026-09-01", Some("2026-09-30"), Granularity::Month, false)
    }

    fn end_2026() -> Value {
        date("2026-10-01", Some("2026-12-31"), Granularity::Month, false)
    }

    fn year_2026() -> Value {
        date("2026-01-01", Some("2026-12-31"), Granularity::Year, false)
    }

    #[test]
    fn messages_per_kind_and_milestone() {
        use ChangeKind::*;
        use Milestone::*;
        let cases = [
            (
                Contradiction,
                Final,
                None,
                None,
                sept_2026(),
                Some(end_2026()),
                "US-led coalition, final withdrawal from Iraq: September 2026 (unknown outlet, \
                 2024-09-10) contradicts end of 2026 (Reuters, 2024-09-06)",
            ),
            (
                Update,
                Phase,
                Some(2),
                None,
                sept_2026(),
                Some(end_2026()),
                "US-led coalition, phase 2 of the withdrawal from Iraq: now September 2026 \
                 (unknown outlet, 2024-09-10), was end of 2026 (Reuters, 2024-09-06)",
            ),
            (
                Refinement,
                Base,
                None,
                Some("Ain al-Asad"),
                sept_2026(),
                Some(year_2026()),
                "US-led coalition, leaving Ain al-Asad (Iraq): narrowed to September 2026 \
                 (unknown outlet, 2024-09-10) from 2026 (Reuters, 2024-09-06)",
            ),
            (
                New,
                Drawdown,
                None,
                None,
                Value::Count {
                    value: 2500,
                    min: 2500,
                    max: 2500,
                    approx: true,
                },
                None,
                "US-led coalition, troops in Iraq: about 2,500 troops (unknown outlet, 2024-09-10)",
            ),
            (
                Confirmation,
                Agreement,
                None,
                None,
                Value::Status {
                    value: Status::Signed,
                },
                Some(Value::Status {
                    value: Status::Signed,
                }),
                "US-led coalition, withdrawal agreement for Iraq: signed confirmed by unknown \
                 outlet, 2024-09-10",
            ),
            (
                New,
                Phase,
                None,
                None,
                sept_2026(),
                None,
                "US-led coalition, a phase of the withdrawal from Iraq: September 2026 \
                 (unknown outlet, 2024-09-10)",
            ),
        ];
        for (kind, milestone, phase, location, now, before, expected) in cases {
            let change = Change {
                kind,
                current: obs(milestone, phase, location, now, None, "2024-09-10"),
                previous: before
                    .map(|v| obs(milestone, phase, location, v, Some("Reuters"), "2024-09-06")),
            };
            let alert = build_alert(&change, "Iraq");
            assert_eq!(alert.message, expected);
            assert_eq!(alert.kind, kind);
            assert_eq!(alert.event, change.current.claim.event);
            assert_eq!(alert.current, AlertSide::from(&change.current));
            assert_eq!(
                alert.previous,
                change.previous.as_ref().map(AlertSide::from)
            );
        }
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let change = Change {
            kind: ChangeKind::Contradiction,
            current: obs(
                Milestone::Final,
                None,
                None,
                sept_2026(),
                None,
                "2024-09-10",
            ),
            previous: Some(obs(
                Milestone::Final,
                None,
                None,
                end_2026(),
                Some("Reuters"),
                "2024-09-06",
            )),
        };
        let id = build_alert(&change, "Iraq").id;
        assert_eq!(id.len(), ID_HEX_LEN);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        // Same change, same articles: same id, whatever the country's label.
        assert_eq!(build_alert(&change.clone(), "Irak").id, id);

        let mut variants = Vec::new();
        let mut other = change.clone();
        other.kind = ChangeKind::Update;
        variants.push(other);
        let mut other = change.clone();
        other.current.article_hash = "another article".into();
        variants.push(other);
        let mut other = change.clone();
        other.current.claim.value = year_2026();
        variants.push(other);
        let mut other = change.clone();
        other.current.claim.quote = "Another sentence.".into();
        variants.push(other);
        let mut other = change.clone();
        other.current.claim.attribute = Attribute::Status;
        variants.push(other);
        let mut other = change.clone();
        other.current.claim.event = Event::new("IQ", "US", Milestone::Final, None, None);
        variants.push(other);
        let mut other = change.clone();
        if let Some(prev) = other.previous.as_mut() {
            prev.article_hash = "another previous".into();
        }
        variants.push(other);
        let mut other = change.clone();
        if let Some(prev) = other.previous.as_mut() {
            prev.claim.value = year_2026();
        }
        variants.push(other);
        let mut other = change.clone();
        other.previous = None;
        variants.push(other);

        let mut ids: Vec<String> = variants.iter().map(|c| build_alert(c, "Iraq").id).collect();
        ids.push(id);
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "every variant has its own id");
    }
}
