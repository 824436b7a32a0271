//! Counters of what the service did and what it had to set aside (articles
//! processed, files rejected by reason, deliveries failed, ...). Shared as an
//! `Arc<Metrics>`; logged periodically and at shutdown, printed by tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Named monotonic counters. Names are static snake_case strings such as
/// `inbox_failed_binary`; a counter exists once it has been incremented.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Adds one to `name`.
    pub fn incr(&self, name: &'static str) {
        self.add(name, 1);
    }

    /// Adds `n` to `name`.
    pub fn add(&self, name: &'static str, n: u64) {
        // A poisoned lock only means another thread panicked mid-increment;
        // the counts are still usable.
        let mut counters = self
            .counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *counters.entry(name).or_insert(0) += n;
    }

    /// The current value of `name` (0 if never incremented).
    pub fn get(&self, name: &str) -> u64 {
        let counters = self
            .counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counters.get(name).copied().unwrap_or(0)
    }

    /// Every counter, sorted by name.
    pub fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        self.counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_name() {
        let m = Metrics::new();
        m.incr("a");
        m.add("a", 2);
        m.incr("b");
        assert_eq!(m.get("a"), 3);
        assert_eq!(m.get("b"), 1);
        assert_eq!(m.get("missing"), 0);
        assert_eq!(m.snapshot().len(), 2);
    }
}
