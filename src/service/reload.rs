//! What a configuration reload (SIGHUP) may change while the daemon runs:
//! `[[sinks]]` (with their filters and templates), `[[feeds]]` and
//! `[feeds_defaults]`, and `[alerts]`. Every other section (store, inbox,
//! pipeline, lexicon, timeline, ...) is read at start only: a change there is
//! logged as needing a restart, and the running value stays.

use crate::config::Config;

/// The configuration to run after a reload to `new`, and the sections that
/// changed but need a restart (their running values are kept).
pub(super) fn effective(current: &Config, new: &Config) -> (Config, Vec<&'static str>) {
    let next = Config {
        sinks: new.sinks.clone(),
        feeds: new.feeds.clone(),
        feeds_defaults: new.feeds_defaults.clone(),
        alerts: new.alerts.clone(),
        ..current.clone()
    };
    let mut restart = Vec::new();
    let sections: [(&'static str, bool); 5] = [
        ("store", new.store != current.store),
        ("inbox", new.inbox != current.inbox),
        ("pipeline", new.pipeline != current.pipeline),
        ("lexicon", new.lexicon != current.lexicon),
        ("timeline", new.timeline != current.timeline),
    ];
    for (section, changed) in sections {
        if changed {
            restart.push(section);
        }
    }
    if restart.is_empty() && next != *new {
        // A section added since this list was written.
        restart.push("other settings");
    }
    (next, restart)
}

/// Whether the feed source must be replaced.
pub(super) fn feeds_changed(current: &Config, next: &Config) -> bool {
    current.feeds != next.feeds || current.feeds_defaults != next.feeds_defaults
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn reloadable_sections_apply_and_the_others_wait_for_a_restart() {
        let current = Config::default();
        let mut new = Config::default();
        new.sinks.truncate(1);
        new.alerts.kinds.clear();
        new.store.path = PathBuf::from("elsewhere.db");
        new.inbox.dir = PathBuf::from("drop");
        let (next, restart) = effective(&current, &new);
        assert_eq!(next.sinks, new.sinks);
        assert_eq!(next.alerts, new.alerts);
        assert_eq!(next.store, current.store, "the running store stays");
        assert_eq!(next.inbox, current.inbox);
        assert_eq!(restart, vec!["store", "inbox"]);
        assert!(!feeds_changed(&current, &next));
    }

    #[test]
    fn the_same_configuration_changes_nothing() {
        let config = Config::default();
        let (next, restart) = effective(&config, &config);
        assert_eq!(next, config);
        assert!(restart.is_empty());
    }
}
