//! When a feed is polled next: the pure part of the scheduler. `next_poll` is
//! given its clock (`now`) and its jitter seed, so every rule is a table test:
//! the configured interval, capped exponential backoff after failures, the
//! server's hints (`Retry-After`, `Cache-Control: max-age`, `<ttl>`,
//! `sy:updatePeriod`) as lower bounds, and a little jitter. No I/O, no clock.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Backoff after failures never waits longer than this (unless the interval
/// itself is longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 60 * 60);
/// Hints from a server or a feed never push a poll further than this: a
/// broken header must not silence a feed for a month.
pub const MAX_HINT: Duration = Duration::from_secs(24 * 60 * 60);
/// Jitter is at most this share of the wait ...
const JITTER_SHARE: f64 = 0.1;
/// ... and at most this long.
const MAX_JITTER: Duration = Duration::from_secs(5 * 60);

/// What the last response said about polling again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints {
    /// `Retry-After`, as a point in time (a delay was added to the response time).
    pub retry_after: Option<DateTime<Utc>>,
    /// `Cache-Control: max-age`.
    pub max_age: Option<Duration>,
    /// RSS `<ttl>` (minutes in the feed, a duration here).
    pub ttl: Option<Duration>,
    /// `sy:updatePeriod` / `sy:updateFrequency`, as the time between updates.
    pub update_period: Option<Duration>,
}

/// The wait after `failures` consecutive failures: `interval` doubled per
/// failure, capped at [`MAX_BACKOFF`] (or at `interval` if that is longer).
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    let cap = interval.max(MAX_BACKOFF);
    let factor = 2u32.saturating_pow(failures.min(31));
    interval.saturating_mul(factor).min(cap)
}

/// The jitter added to a wait of `wait`: up to 10 % (at most 5 min), chosen
/// by `seed` (a hash of the feed URL and the poll count), so feeds configured
/// together do not fire together.
pub fn jitter(wait: Duration, seed: u64) -> Duration {
    let span = wait.mul_f64(JITTER_SHARE).min(MAX_JITTER);
    let millis = u64::try_from(span.as_millis()).unwrap_or(u64::MAX);
    if millis == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(splitmix(seed) % millis)
}

/// When to poll next.
pub fn next_poll(
    now: DateTime<Utc>,
    interval: Duration,
    failures: u32,
    hints: &Hints,
    seed: u64,
) -> DateTime<Utc> {
    let mut wait = backoff(interval, failures);
    for hint in [hints.max_age, hints.ttl, hints.update_period]
        .into_iter()
        .flatten()
    {
        wait = wait.max(hint.min(MAX_HINT));
    }
    let wait = wait + jitter(wait, seed);
    let at = add(now, wait);
    match hints.retry_after {
        Some(retry) => at.max(retry.min(add(now, MAX_HINT))),
        None => at,
    }
}

fn add(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A fast, well-mixed hash step (splitmix64), enough for jitter.
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seed for [`jitter`] from a feed URL and its poll count.
pub fn seed(url: &str, polls: u64) -> u64 {
    // FNV-1a: stable across runs and platforms (std's hasher is not).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in url.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^ polls
}

#[cfg(test)]
mod tests {
    // rstest's table cases are one argument each.
    #![allow(clippy::too_many_arguments)]

    use super::*;
    use rstest::rstest;

    const MIN: u64 = 60;
    const HOUR: u64 = 3600;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[rstest]
    #[case(15 * MIN, 0, 15 * MIN)]
    #[case(15 * MIN, 1, 30 * MIN)]
    #[case(15 * MIN, 2, 60 * MIN)]
    #[case(15 * MIN, 4, 4 * HOUR)]
    #[case(15 * MIN, 5, 6 * HOUR)]
    #[case(15 * MIN, 50, 6 * HOUR)]
    #[case(2, 3, 16)]
    #[case(12 * HOUR, 3, 12 * HOUR)]
    fn backoff_doubles_and_caps(#[case] interval: u64, #[case] failures: u32, #[case] want: u64) {
        assert_eq!(backoff(secs(interval), failures), secs(want));
    }

    /// (interval, failures, max_age, ttl, update_period, retry_after in s, earliest wait, latest wait)
    #[rstest]
    #[case::plain(15 * MIN, 0, None, None, None, None, 15 * MIN, 15 * MIN + 90)]
    #[case::max_age_is_a_floor(15 * MIN, 0, Some(HOUR), None, None, None, HOUR, HOUR + 300)]
    #[case::short_max_age_ignored(15 * MIN, 0, Some(MIN), None, None, None, 15 * MIN, 15 * MIN + 90)]
    #[case::ttl(15 * MIN, 0, None, Some(30 * MIN), None, None, 30 * MIN, 30 * MIN + 180)]
    #[case::update_period(15 * MIN, 0, None, None, Some(2 * HOUR), None, 2 * HOUR, 2 * HOUR + 300)]
    #[case::hint_capped_at_a_day(15 * MIN, 0, Some(30 * 24 * HOUR), None, None, None, 24 * HOUR, 24 * HOUR + 300)]
    #[case::retry_after(2, 0, None, None, None, Some(120), 120, 120)]
    #[case::retry_after_shorter_than_backoff(15 * MIN, 1, None, None, None, Some(10), 30 * MIN, 30 * MIN + 180)]
    #[case::retry_after_capped(15 * MIN, 0, None, None, None, Some(90 * 24 * HOUR), 24 * HOUR, 24 * HOUR)]
    #[case::backoff_capped(15 * MIN, 9, None, None, None, None, 6 * HOUR, 6 * HOUR + 300)]
    fn next_poll_table(
        #[case] interval: u64,
        #[case] failures: u32,
        #[case] max_age: Option<u64>,
        #[case] ttl: Option<u64>,
        #[case] update_period: Option<u64>,
        #[case] retry_after: Option<u64>,
        #[case] earliest: u64,
        #[case] latest: u64,
    ) {
        let hints = Hints {
            retry_after: retry_after.map(|s| add(now(), secs(s))),
            max_age: max_age.map(secs),
            ttl: ttl.map(secs),
            update_period: update_period.map(secs),
        };
        for poll in 0..50 {
            let at = next_poll(
                now(),
                secs(interval),
                failures,
                &hints,
                seed("https://a.example/f", poll),
            );
            let wait = (at - now()).to_std().unwrap_or_else(|e| panic!("{e}"));
            assert!(wait >= secs(earliest), "{wait:?} < {earliest} s");
            assert!(wait <= secs(latest), "{wait:?} > {latest} s");
        }
    }

    #[test]
    fn jitter_spreads_feeds_configured_together() {
        let waits: std::collections::BTreeSet<Duration> = (0..20)
            .map(|i| jitter(secs(15 * MIN), seed(&format!("https://e.example/{i}"), 0)))
            .collect();
        assert!(waits.len() > 15, "{waits:?}");
        assert!(waits.iter().all(|w| *w < secs(90)));
    }

    #[test]
    fn jitter_is_deterministic() {
        let s = seed("https://a.example/f", 3);
        assert_eq!(jitter(secs(HOUR), s), jitter(secs(HOUR), s));
    }
}
