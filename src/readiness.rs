//! Whether the daemon is ready to work: every source it started has said it
//! is up (the drop folder watches, the feeds are scheduled). The service marks
//! it when its sources' start signals have all come (the moment it also sends
//! systemd READY=1); `GET /readyz` asks [`Readiness::waiting`]. The store's own
//! health is asked of the store, not kept here.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether every source has started; shared and cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Readiness {
    started: Arc<AtomicBool>,
}

impl Readiness {
    pub fn new() -> Readiness {
        Readiness::default()
    }

    /// Every source has started.
    pub fn all_started(&self) {
        self.started.store(true, Ordering::Release);
    }

    /// Why the daemon is not ready yet; empty once every source has started.
    pub fn waiting(&self) -> Vec<String> {
        if self.started.load(Ordering::Acquire) {
            Vec::new()
        } else {
            vec!["the sources (drop folder, feeds) have not all started yet".to_string()]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_once_every_source_has_started() {
        let readiness = Readiness::new();
        let shared = readiness.clone();
        assert_eq!(shared.waiting().len(), 1);
        readiness.all_started();
        assert!(shared.waiting().is_empty());
    }
}
