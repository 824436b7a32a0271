//! Per-sink filters: which alerts a sink wants, by kind, country, milestone
//! and attribute (`filter = { kinds = ["contradiction"], countries = ["IQ"] }`).
//! An empty list accepts everything. Pure: the delivery worker asks it and
//! marks unwanted deliveries `skipped`.

use serde::{Deserialize, Serialize};

use crate::model::{Alert, Attribute, ChangeKind, Milestone};

/// `filter = { ... }` on a `[[sinks]]` entry. Every non-empty list must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SinkFilter {
    /// Alert kinds (`update`, `contradiction`, ...).
    pub kinds: Vec<ChangeKind>,
    /// ISO 3166-1 alpha-2 codes of the countries left (`IQ`), any case.
    pub countries: Vec<String>,
    /// Milestones (`final`, `phase`, `base`, `drawdown`, `agreement`).
    pub milestones: Vec<Milestone>,
    /// Attributes (`deadline`, `troop_count`, `status`, `duration`).
    pub attributes: Vec<Attribute>,
}

impl SinkFilter {
    /// Does the sink want this alert?
    pub fn accepts(&self, alert: &Alert) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&alert.kind))
            && (self.countries.is_empty()
                || self
                    .countries
                    .iter()
                    .any(|c| c.trim().eq_ignore_ascii_case(&alert.event.country)))
            && (self.milestones.is_empty() || self.milestones.contains(&alert.event.milestone))
            && (self.attributes.is_empty() || self.attributes.contains(&alert.attribute))
    }

    /// Problems with the filter, keyed under `key` (`sinks[2]`).
    pub fn validate(&self, key: &str) -> Vec<String> {
        self.countries
            .iter()
            .filter(|c| c.trim().len() != 2 || !c.trim().chars().all(|ch| ch.is_ascii_alphabetic()))
            .map(|c| format!("{key}.filter.countries: {c:?} is not an ISO 3166-1 alpha-2 code"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        let filter: SinkFilter = toml::from_str(
            "kinds = [\"contradiction\"]\ncountries = [\"iq\", \"Iraq\"]\nmilestones = [\"final\"]",
        )
        .expect("filter");
        assert_eq!(filter.kinds, [ChangeKind::Contradiction]);
        assert_eq!(
            filter.validate("sinks[0]"),
            ["sinks[0].filter.countries: \"Iraq\" is not an ISO 3166-1 alpha-2 code"]
        );
        assert!(toml::from_str::<SinkFilter>("kind = [\"update\"]").is_err());
    }
}
