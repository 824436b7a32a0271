//! What `drawdown feeds` shows: each configured feed with its stored polling
//! state (URL, last success, last status, next poll, items seen, consecutive
//! errors, last error), as a JSON line or a readable line. Pure.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::FeedConfig;
use crate::store::FeedState;

/// One line of `drawdown feeds --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedRow {
    pub url: String,
    pub name: Option<String>,
    /// Where a permanent redirect moved it, if it did.
    pub current_url: Option<String>,
    /// `polling`, `disabled` (410 Gone: the reason is in `last_error`),
    /// `off` (`enabled = false`), `never polled`.
    pub state: &'static str,
    pub last_success: Option<DateTime<Utc>>,
    pub last_status: Option<u16>,
    pub next_poll: Option<DateTime<Utc>>,
    pub items_seen: u64,
    pub consecutive_errors: u32,
    pub last_error: Option<String>,
}

/// The configured feeds (in config order) with their states; feeds the store
/// knows but the config no longer lists are left out.
pub fn rows(feeds: &[FeedConfig], states: &[FeedState]) -> Vec<FeedRow> {
    feeds
        .iter()
        .map(|feed| {
            let state = states.iter().find(|s| s.url == feed.url.as_str());
            let label = match state {
                _ if !feed.enabled => "off",
                Some(s) if s.disabled.is_some() => "disabled",
                Some(s) if s.polls > 0 => "polling",
                _ => "never polled",
            };
            let state = state.cloned().unwrap_or_default();
            FeedRow {
                url: feed.url.to_string(),
                name: feed.name.clone(),
                current_url: state.current_url,
                state: label,
                last_success: state.last_success_at,
                last_status: state.last_status,
                next_poll: state.next_poll_at.filter(|_| state.disabled.is_none()),
                items_seen: state.items_seen,
                consecutive_errors: state.consecutive_errors,
                last_error: state.disabled.or(state.last_error),
            }
        })
        .collect()
}

impl FeedRow {
    /// One readable line.
    pub fn text(&self) -> String {
        let at = |t: Option<DateTime<Utc>>| {
            t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
                .unwrap_or_else(|| "never".to_string())
        };
        let mut line = format!(
            "{url}  [{state}]  last success {ok}, last status {status}, next poll {next}, {items} items seen, {errors} consecutive errors",
            url = self.url,
            state = self.state,
            ok = at(self.last_success),
            status = self
                .last_status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".to_string()),
            next = if self.state == "disabled" {
                "none".to_string()
            } else {
                at(self.next_poll)
            },
            items = self.items_seen,
            errors = self.consecutive_errors,
        );
        if let Some(moved) = &self.current_url {
            line.push_str(&format!(", moved to {moved}"));
        }
        if let Some(error) = &self.last_error {
            line.push_str(&format!("\n    last error: {error}"));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    #[test]
    fn rows_follow_the_config_and_say_the_state() {
        let url = |u: &str| Url::parse(u).unwrap_or_else(|e| panic!("{e}"));
        let feeds = vec![
            FeedConfig::new(url("https://a.example/rss")),
            FeedConfig::new(url("https://b.example/rss")),
            FeedConfig::new(url("https://c.example/rss")),
        ];
        let states = vec![
            FeedState {
                url: "https://a.example/rss".into(),
                polls: 3,
                items_seen: 7,
                last_status: Some(304),
                ..FeedState::default()
            },
            FeedState {
                url: "https://b.example/rss".into(),
                polls: 1,
                last_status: Some(410),
                disabled: Some("410 Gone at 2026-01-01T00:00:00+00:00".into()),
                ..FeedState::default()
            },
        ];
        let rows = rows(&feeds, &states);
        let labels: Vec<&str> = rows.iter().map(|r| r.state).collect();
        assert_eq!(labels, ["polling", "disabled", "never polled"]);
        assert_eq!(rows[0].items_seen, 7);
        assert!(rows[1].text().contains("410 Gone"), "{}", rows[1].text());
        assert!(rows[2].text().contains("last success never"));
    }
}
