//! The known timeline: per event and attribute, the accepted value, the values
//! that contradict it (open until an update settles them), the sources that
//! confirmed it and the values it replaced. `apply` runs the pure diff of
//! `diff.rs` and updates the state; it does no I/O and reads no clock.

pub mod curated;
pub mod diff;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{ArticleRef, Attribute, Change, ChangeKind, Event, Observation};

/// What is known about one attribute of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub event: Event,
    pub attribute: Attribute,
    /// The accepted value.
    pub current: Observation,
    /// Values that contradict `current`; the contradiction stays open until an update.
    pub contested: Vec<Observation>,
    /// Articles that confirmed `current` (or a contested value).
    pub confirmations: Vec<ArticleRef>,
    /// Values replaced by updates and refinements, oldest first.
    pub history: Vec<Observation>,
}
