//! The known timeline: per event and attribute, the accepted value, the values
//! that contradict it (open until an update settles them), the sources that
//! confirmed it and the values it replaced. `apply` runs the pure diff of
//! `diff.rs` and updates the state; it does no I/O and reads no clock.

pub mod curated;
pub mod diff;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{
    ArticleRef, Attribute, Change, ChangeKind, Event, Milestone, Observation, Status, Value,
};

/// How many confirming sources an entry lists (older ones are counted only).
pub const MAX_CONFIRMATIONS_KEPT: usize = 20;

/// How many replaced values an entry lists. Older ones are counted only; every
/// value stays in the store's claims with its article and what it changed.
/// An entry is rewritten whenever an article touches it, so it must not grow
/// without bound in a daemon that runs for years.
pub const MAX_HISTORY_KEPT: usize = 50;

/// What is known about one attribute of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub event: Event,
    pub attribute: Attribute,
    /// The accepted value.
    pub current: Observation,
    /// Values that contradict `current`; the contradiction stays open until an update.
    pub contested: Vec<Observation>,
    /// The latest articles that confirmed `current` (or a contested value).
    pub confirmations: Vec<ArticleRef>,
    /// How many articles confirmed it in all.
    #[serde(default)]
    pub confirmation_count: u64,
    /// Values replaced by updates and refinements, oldest first (the latest
    /// `MAX_HISTORY_KEPT`).
    pub history: Vec<Observation>,
    /// Replaced values older than those in `history`.
    #[serde(default)]
    pub history_dropped: u64,
}

fn is_fuzzy(obs: &Observation) -> bool {
    matches!(&obs.claim.value, crate::model::Value::Date(v) if v.fuzzy)
}

impl Entry {
    /// Is a contradiction open on this entry?
    pub fn is_contested(&self) -> bool {
        !self.contested.is_empty()
    }

    /// Makes `new` the accepted value; the old one goes to the history.
    fn replace_current(&mut self, new: Observation) {
        let old = std::mem::replace(&mut self.current, new);
        self.remember(old);
    }

    fn remember(&mut self, old: Observation) {
        self.history.push(old);
        if self.history.len() > MAX_HISTORY_KEPT {
            let excess = self.history.len() - MAX_HISTORY_KEPT;
            self.history.drain(..excess);
            self.history_dropped += excess as u64;
        }
    }
}

/// What one article has done to the timeline so far, while its claims are
/// applied one by one (`Timeline::apply_in`).
#[derive(Debug, Default)]
pub struct ArticleScope {
    /// Entries whose known value the article restated.
    confirmed: Vec<(String, Attribute)>,
}

/// Every entry, keyed by (event key, attribute).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    entries: BTreeMap<(String, Attribute), Entry>,
}

impl Timeline {
    pub fn new() -> Timeline {
        Timeline::default()
    }

    /// A timeline holding these entries (as loaded from the store).
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Timeline {
        Timeline {
            entries: entries
                .into_iter()
                .map(|e| ((e.event.key.clone(), e.attribute), e))
                .collect(),
        }
    }

    /// Entries in key order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// The event this timeline already knows that a claim about `event` is
    /// about, when the claim names the force differently: same country,
    /// milestone, phase and base, and a force that `related` says is the same.
    pub fn known_event(
        &self,
        event: &Event,
        related: impl Fn(&str, &str) -> bool,
    ) -> Option<&Event> {
        if self.entries.keys().any(|(k, _)| *k == event.key) {
            return None;
        }
        self.entries.values().map(|e| &e.event).find(|known| {
            known.country == event.country
                && known.milestone == event.milestone
                && known.phase == event.phase
                && (event.milestone != crate::model::Milestone::Base
                    || known.location == event.location)
                && related(&known.actor, &event.actor)
        })
    }

    /// The name the timeline uses for a force that `related` says is the
    /// event's, leaving the same country, when the event's own name is not
    /// known there ("Russian peacekeepers" after "Russia").
    pub fn known_actor(
        &self,
        event: &Event,
        related: impl Fn(&str, &str) -> bool,
    ) -> Option<String> {
        let same_country = || {
            self.entries
                .values()
                .filter(|e| e.event.country == event.country)
        };
        if same_country().any(|e| e.event.actor == event.actor) {
            return None;
        }
        same_country()
            .find(|e| related(&e.event.actor, &event.actor))
            .map(|e| e.event.actor.clone())
    }

    /// The drawdown a claim about the whole withdrawal is about, when its
    /// words named no scope and the timeline knows this force leaving this
    /// country only as a partial withdrawal (a drawdown with a status or a
    /// date, and nothing of the whole): "the withdrawal was completed" after
    /// "will pull out some of its troops" completes that drawdown.
    pub fn partial_only(&self, event: &Event) -> Option<Event> {
        if event.milestone != Milestone::Final {
            return None;
        }
        let mut same_force = self
            .entries
            .values()
            .filter(|e| e.event.country == event.country && e.event.actor == event.actor);
        let mut drawdown = None;
        for e in same_force.by_ref() {
            match e.event.milestone {
                Milestone::Final => return None,
                Milestone::Drawdown
                    if matches!(e.attribute, Attribute::Status | Attribute::Deadline) =>
                {
                    drawdown = Some(e.event.clone());
                }
                _ => {}
            }
        }
        drawdown
    }

    /// Is `obs` the first status reported for a withdrawal the timeline
    /// already knows, and one that moves it on: under way, completed,
    /// postponed or cancelled? A known withdrawal is implicitly planned, so
    /// reaching such a stage is news even when no report had named a status
    /// before. "Known" is any entry of the same force leaving the same
    /// country for the whole withdrawal or a drawdown; the first phase is
    /// known with it (its first step); a later phase or a base is known only
    /// when an earlier report named that phase or base (a base first named as
    /// handed over is a first report, not news of a plan).
    fn moves_on_from_planned(&self, obs: &Observation) -> bool {
        let claim = &obs.claim;
        let Value::Status { value } = claim.value else {
            return false;
        };
        if !matches!(
            value,
            Status::InProgress | Status::Completed | Status::Postponed | Status::Cancelled
        ) {
            return false;
        }
        let event = &claim.event;
        let known = self.entries.values().any(|e| {
            e.event.country == event.country
                && e.event.actor == event.actor
                && e.current.article_hash != obs.article_hash
                && match event.milestone {
                    // The first phase of a known withdrawal is its first step,
                    // known with it; a later phase or a base only once named.
                    Milestone::Phase if event.phase.is_none_or(|n| n <= 1) => {
                        e.event.key == event.key
                            || matches!(e.event.milestone, Milestone::Final | Milestone::Drawdown)
                    }
                    Milestone::Phase | Milestone::Base => e.event.key == event.key,
                    _ => true,
                }
        });
        known && !self.implied_by_final(event, value)
    }

    /// Does a known status of the whole withdrawal already say this of a part
    /// of it? The withdrawal under way, in whole or in part (a pullout from
    /// some sites), means its first phase is; the withdrawal complete means
    /// every phase and base is.
    fn implied_by_final(&self, event: &Event, status: Status) -> bool {
        if event.milestone == Milestone::Final {
            return false;
        }
        let known_status = |milestone: Milestone| {
            let key = Event::new(&event.country, &event.actor, milestone, None, None).key;
            match self
                .entries
                .get(&(key, Attribute::Status))
                .map(|e| &e.current.claim.value)
            {
                Some(Value::Status { value }) => Some(*value),
                _ => None,
            }
        };
        let whole = known_status(Milestone::Final);
        // A drawdown under way is no news once the whole withdrawal is.
        if event.milestone == Milestone::Drawdown {
            return status == Status::InProgress
                && matches!(whole, Some(Status::InProgress | Status::Completed));
        }
        let first_phase = event.milestone == Milestone::Phase && event.phase.is_none_or(|n| n <= 1);
        match status {
            Status::InProgress => {
                first_phase
                    && [whole, known_status(Milestone::Drawdown)]
                        .iter()
                        .any(|s| matches!(s, Some(Status::InProgress | Status::Completed)))
            }
            Status::Completed => whole == Some(Status::Completed),
            _ => false,
        }
    }

    /// Puts entries back as they were (`None`: the entry did not exist).
    pub fn restore(&mut self, entries: Vec<((String, Attribute), Option<Entry>)>) {
        for (key, old) in entries {
            match old {
                Some(entry) => {
                    self.entries.insert(key, entry);
                }
                None => {
                    self.entries.remove(&key);
                }
            }
        }
    }

    /// The entry for an event key and attribute.
    pub fn entry(&self, key: &str, attribute: Attribute) -> Option<&Entry> {
        self.entries.get(&(key.to_string(), attribute))
    }

    /// `apply` for one claim of an article whose earlier claims went through
    /// `scope`. An article that restated the known value does not also replace
    /// it with a second value of its own unless it says the value changed
    /// ("pushed back"): a page edited again and again that gives two dates
    /// would otherwise flip between them at every edit. Restating a plan
    /// ("will be leaving") does not hold back news that it moved on ("the
    /// withdrawal has begun") from the same article.
    pub fn apply_in(&mut self, scope: &mut ArticleScope, obs: Observation) -> Option<Change> {
        let key = (obs.claim.event.key.clone(), obs.claim.attribute);
        if obs.claim.change_wording.is_none() && scope.confirmed.contains(&key) {
            return None;
        }
        let restates_plan = matches!(
            obs.claim.value,
            Value::Status {
                value: Status::Announced | Status::Agreed | Status::Signed
            }
        );
        let change = self.apply(obs);
        if change.as_ref().map(|c| c.kind) == Some(ChangeKind::Confirmation) && !restates_plan {
            scope.confirmed.push(key);
        }
        change
    }

    /// Diffs `obs` against what is known and records it. Returns the change, or
    /// `None` when the observation does not move the timeline (a proposal, a
    /// rejected or denied plan, speculation, a loose value that does not fit,
    /// or the same article saying something else about the same thing).
    pub fn apply(&mut self, obs: Observation) -> Option<Change> {
        if !obs.claim.modality.is_assertive() {
            return None;
        }
        let key = (obs.claim.event.key.clone(), obs.claim.attribute);
        let moves_on = self.moves_on_from_planned(&obs);
        let Some(entry) = self.entries.get_mut(&key) else {
            let entry = Entry {
                event: obs.claim.event.clone(),
                attribute: obs.claim.attribute,
                current: obs.clone(),
                contested: Vec::new(),
                confirmations: Vec::new(),
                confirmation_count: 0,
                history: Vec::new(),
                history_dropped: 0,
            };
            self.entries.insert(key, entry);
            return Some(Change {
                kind: if moves_on {
                    ChangeKind::Update
                } else {
                    ChangeKind::New
                },
                current: obs,
                previous: None,
            });
        };
        // One article is one source: what it says again is not news, and what it
        // says differently about the same thing is not held against itself.
        let same_article = |o: &Observation| o.article_hash == obs.article_hash;
        if same_article(&entry.current) || entry.contested.iter().any(same_article) {
            return None;
        }
        // A loosely stated value ("in the coming days") only holds the place
        // until a firm one arrives: the firm one is news, not a change.
        if is_fuzzy(&entry.current) && !is_fuzzy(&obs) {
            if let Some(ChangeKind::Confirmation | ChangeKind::Refinement | ChangeKind::Update) =
                diff::compare(&obs, &entry.current)
            {
                entry.replace_current(obs.clone());
                return Some(Change {
                    kind: ChangeKind::New,
                    current: obs,
                    previous: None,
                });
            }
        }
        let verdict = diff::compare(&obs, &entry.current)?;
        let (kind, previous) = match verdict {
            ChangeKind::Contradiction => {
                // Re-stating one side of an open contradiction does not raise it again.
                let agrees_with = entry.contested.iter().position(|c| {
                    matches!(
                        diff::compare(&obs, c),
                        Some(ChangeKind::Confirmation | ChangeKind::Refinement)
                    )
                });
                match agrees_with {
                    Some(i) => (ChangeKind::Confirmation, entry.contested.get(i).cloned()),
                    None => (ChangeKind::Contradiction, Some(entry.current.clone())),
                }
            }
            other => (other, Some(entry.current.clone())),
        };
        match kind {
            ChangeKind::Confirmation => {
                if !entry.confirmations.contains(&obs.article) {
                    entry.confirmation_count += 1;
                    entry.confirmations.push(obs.article.clone());
                    // The latest sources say enough; the count says how many.
                    if entry.confirmations.len() > MAX_CONFIRMATIONS_KEPT {
                        entry.confirmations.remove(0);
                    }
                }
            }
            ChangeKind::Refinement => entry.replace_current(obs.clone()),
            ChangeKind::Update | ChangeKind::New => {
                entry.replace_current(obs.clone());
                // An update settles an open contradiction.
                for settled in std::mem::take(&mut entry.contested) {
                    entry.remember(settled);
                }
            }
            ChangeKind::Contradiction => entry.contested.push(obs.clone()),
        }
        Some(Change {
            kind,
            current: obs,
            previous,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Article, Claim, Event, Granularity, Milestone, Modality, Span, TimeValue, Value,
    };
    use chrono::{Days, NaiveDate};

    /// A deadline as an outlet reports it `day` days into 2024.
    fn report(outlet: &str, day: u64, deadline: NaiveDate) -> Observation {
        let published = NaiveDate::from_ymd_opt(2024, 1, 1)
            .and_then(|d| d.checked_add_days(Days::new(day)))
            .unwrap_or_default();
        let article = Article {
            title: format!("report {day}"),
            source: Some(outlet.into()),
            url: None,
            path: None,
            published,
            text: format!("{outlet} {day}"),
        };
        Observation {
            claim: Claim {
                event: Event::new("XX", "Some force", Milestone::Final, None, None),
                attribute: Attribute::Deadline,
                value: Value::Date(TimeValue {
                    earliest: deadline,
                    latest: Some(deadline),
                    granularity: Granularity::Day,
                    fuzzy: false,
                }),
                text: String::new(),
                quote: String::new(),
                span: Span { start: 0, end: 0 },
                attributed_to: None,
                modality: Modality::Planned,
                change_wording: None,
                rule: "test".into(),
                scope_defaulted: false,
            },
            article_hash: article.content_hash(),
            article: article.reference(),
        }
    }

    fn day(n: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.checked_add_days(Days::new(n)))
            .unwrap_or_default()
    }

    #[test]
    fn history_keeps_the_latest_values_and_counts_the_rest() {
        let mut timeline = Timeline::new();
        // One outlet moving its own deadline 60 times, each time saying so: 59 updates.
        for i in 0..60 {
            let mut moved = report("Wire", i, day(i));
            moved.claim.change_wording = Some("moved".into());
            timeline.apply(moved);
        }
        let entry = timeline
            .entries()
            .next()
            .unwrap_or_else(|| panic!("no entry"));
        assert_eq!(entry.history.len(), MAX_HISTORY_KEPT);
        assert_eq!(entry.history_dropped, 59 - MAX_HISTORY_KEPT as u64);
        // Oldest first: the first listed is the 10th value, the last the 59th.
        let first = &entry.history[0].claim.value;
        let last = &entry.history[MAX_HISTORY_KEPT - 1].claim.value;
        assert!(
            matches!(first, Value::Date(v) if v.earliest == day(9)),
            "{first:?}"
        );
        assert!(
            matches!(last, Value::Date(v) if v.earliest == day(58)),
            "{last:?}"
        );
        assert!(matches!(&entry.current.claim.value, Value::Date(v) if v.earliest == day(59)));
    }

    /// The same observation with another deadline (the same article saying more).
    fn also(obs: &Observation, deadline: NaiveDate) -> Observation {
        let mut other = obs.clone();
        other.claim.value = Value::Date(TimeValue {
            earliest: deadline,
            latest: Some(deadline),
            granularity: Granularity::Day,
            fuzzy: false,
        });
        other
    }

    #[test]
    fn an_article_that_restates_the_known_value_does_not_also_replace_it() {
        // A page gives two dates for one thing; every edit is a new text from
        // the same outlet, a week later.
        let mut timeline = Timeline::new();
        let first = report("Page", 10, day(200));
        let mut scope = ArticleScope::default();
        timeline.apply_in(&mut scope, first.clone());
        assert_eq!(timeline.apply_in(&mut scope, also(&first, day(150))), None);
        for edit in [17, 24, 31] {
            let version = report("Page", edit, day(200));
            let mut scope = ArticleScope::default();
            let kinds = [
                timeline.apply_in(&mut scope, version.clone()),
                timeline.apply_in(&mut scope, also(&version, day(150))),
            ]
            .map(|c| c.map(|c| c.kind));
            assert_eq!(kinds, [Some(ChangeKind::Confirmation), None], "edit {edit}");
        }
        // Said as a change, the second value is one.
        let version = report("Page", 40, day(200));
        let mut changed = also(&version, day(150));
        changed.claim.change_wording = Some("brought forward".into());
        let mut scope = ArticleScope::default();
        timeline.apply_in(&mut scope, version);
        let change = timeline.apply_in(&mut scope, changed);
        assert_eq!(change.map(|c| c.kind), Some(ChangeKind::Update));
        // Without the scope, the second value of the same outlet is not taken
        // as its own change: with nothing saying so, the two are contested.
        let version = report("Page", 50, day(150));
        timeline.apply(version.clone());
        let change = timeline.apply(also(&version, day(200)));
        assert_eq!(change.map(|c| c.kind), Some(ChangeKind::Contradiction));
    }

    #[test]
    fn an_older_report_neither_replaces_nor_contradicts_a_newer_value() {
        let mut timeline = Timeline::new();
        timeline.apply(report("Wire", 10, day(100)));
        // Published earlier, by the same outlet and by another: what was known then.
        assert_eq!(timeline.apply(report("Wire", 5, day(50))), None);
        assert_eq!(timeline.apply(report("Other", 5, day(50))), None);
        let change = timeline.apply(report("Other", 11, day(50)));
        assert_eq!(change.map(|c| c.kind), Some(ChangeKind::Contradiction));
    }

    /// A status report for (country, force, milestone), as `report` makes one.
    fn status_report(
        outlet: &str,
        day: u64,
        country: &str,
        actor: &str,
        status: Status,
    ) -> Observation {
        let mut obs = report(outlet, day, day_zero());
        obs.claim.event = Event::new(country, actor, Milestone::Final, None, None);
        obs.claim.attribute = Attribute::Status;
        obs.claim.value = Value::Status { value: status };
        obs
    }

    fn day_zero() -> NaiveDate {
        day(0)
    }

    #[test]
    fn a_known_withdrawal_reaching_a_stage_is_an_update_even_with_no_status_before() {
        use ChangeKind::{New, Update};
        // (status first reported, kind when the withdrawal is known, kind when not)
        let cases = [
            (Status::InProgress, Update, New),
            (Status::Completed, Update, New),
            (Status::Postponed, Update, New),
            (Status::Cancelled, Update, New),
            // Announcing or agreeing is how a withdrawal becomes known: no stage reached.
            (Status::Announced, New, New),
            (Status::Agreed, New, New),
            (Status::Signed, New, New),
        ];
        for (status, known, unknown) in cases {
            // Known: an earlier article gave the deadline of the same force leaving XX.
            let mut timeline = Timeline::new();
            timeline.apply(report("Wire", 1, day(100)));
            let change = timeline.apply(status_report("Other", 5, "XX", "Some force", status));
            assert_eq!(change.map(|c| c.kind), Some(known), "{status:?} known");

            // Unknown: nothing before, or only another force, or another country.
            for (country, actor) in [("XX", "Another force"), ("YY", "Some force")] {
                let mut timeline = Timeline::new();
                timeline.apply(report("Wire", 1, day(100)));
                let change = timeline.apply(status_report("Other", 5, country, actor, status));
                assert_eq!(
                    change.map(|c| c.kind),
                    Some(unknown),
                    "{status:?} {country} {actor}"
                );
            }
            let change =
                Timeline::new().apply(status_report("Other", 5, "XX", "Some force", status));
            assert_eq!(
                change.map(|c| c.kind),
                Some(unknown),
                "{status:?} first report"
            );
        }
    }

    #[test]
    fn a_base_or_later_phase_is_known_only_once_named() {
        use ChangeKind::{New, Update};
        let part = |outlet: &str,
                    day: u64,
                    milestone: Milestone,
                    phase: Option<u32>,
                    place: Option<&str>| {
            let mut obs = status_report(outlet, day, "XX", "Some force", Status::Completed);
            obs.claim.event = Event::new(
                "XX",
                "Some force",
                milestone,
                phase,
                place.map(str::to_string),
            );
            obs
        };
        // (what the earlier article named, the part reported completed, kind)
        let cases = [
            // The withdrawal alone is known: a base first named as handed over is a first report.
            (
                None,
                part("Other", 5, Milestone::Base, None, Some("Camp A")),
                New,
            ),
            (None, part("Other", 5, Milestone::Phase, Some(2), None), New),
            // The first phase is the first step of the known withdrawal.
            (
                None,
                part("Other", 5, Milestone::Phase, Some(1), None),
                Update,
            ),
            // The base or phase was named before (its deadline): reaching it is news.
            (
                Some(part("Wire", 2, Milestone::Base, None, Some("Camp A"))),
                part("Other", 5, Milestone::Base, None, Some("Camp A")),
                Update,
            ),
            (
                Some(part("Wire", 2, Milestone::Phase, Some(2), None)),
                part("Other", 5, Milestone::Phase, Some(2), None),
                Update,
            ),
            // Another base named before does not make this one known.
            (
                Some(part("Wire", 2, Milestone::Base, None, Some("Camp B"))),
                part("Other", 5, Milestone::Base, None, Some("Camp A")),
                New,
            ),
        ];
        for (earlier, obs, kind) in cases {
            let mut timeline = Timeline::new();
            timeline.apply(report("Wire", 1, day(100)));
            if let Some(mut e) = earlier {
                e.claim.attribute = Attribute::Deadline;
                e.claim.value = report("Wire", 2, day(90)).claim.value;
                timeline.apply(e);
            }
            let what = obs.claim.event.key.clone();
            let change = timeline.apply(obs);
            assert_eq!(change.map(|c| c.kind), Some(kind), "{what}");
        }
    }

    #[test]
    fn a_withdrawal_is_not_known_from_the_same_article() {
        // One article giving the deadline and saying the pullout has begun
        // is the first report of both.
        let mut timeline = Timeline::new();
        let deadline = report("Wire", 1, day(100));
        let mut status = status_report("Wire", 1, "XX", "Some force", Status::InProgress);
        status.article_hash = deadline.article_hash.clone();
        timeline.apply(deadline);
        assert_eq!(
            timeline.apply(status).map(|c| c.kind),
            Some(ChangeKind::New)
        );
    }

    #[test]
    fn a_stage_the_whole_withdrawals_status_implies_is_not_news() {
        use ChangeKind::{New, Update};
        // (final status known, part, its first status, kind)
        let cases = [
            (
                Status::InProgress,
                Milestone::Phase,
                Some(1),
                Status::InProgress,
                New,
            ),
            (
                Status::InProgress,
                Milestone::Phase,
                None,
                Status::InProgress,
                New,
            ),
            // A later phase starting is a stage of its own.
            (
                Status::InProgress,
                Milestone::Phase,
                Some(2),
                Status::InProgress,
                Update,
            ),
            (
                Status::InProgress,
                Milestone::Phase,
                Some(1),
                Status::Completed,
                Update,
            ),
            (
                Status::InProgress,
                Milestone::Base,
                None,
                Status::Completed,
                Update,
            ),
            (
                Status::Completed,
                Milestone::Phase,
                Some(2),
                Status::Completed,
                New,
            ),
            (
                Status::Completed,
                Milestone::Base,
                None,
                Status::Completed,
                New,
            ),
            (
                Status::Agreed,
                Milestone::Phase,
                Some(1),
                Status::InProgress,
                Update,
            ),
            // A drawdown under way: implied by the whole under way or done,
            // news while the whole was only planned.
            (
                Status::InProgress,
                Milestone::Drawdown,
                None,
                Status::InProgress,
                New,
            ),
            (
                Status::Completed,
                Milestone::Drawdown,
                None,
                Status::InProgress,
                New,
            ),
            (
                Status::Agreed,
                Milestone::Drawdown,
                None,
                Status::InProgress,
                Update,
            ),
        ];
        // A pullout from some sites under way: the first phase is too, but
        // nothing is complete.
        // Each part is named by an earlier report (its deadline): a part is
        // known only once named.
        let named = |milestone: Milestone, phase: Option<u32>, location: Option<String>| {
            let mut obs = report("Plan", 0, day(300));
            obs.claim.event = Event::new("XX", "Some force", milestone, phase, location);
            obs
        };
        let mut timeline = Timeline::new();
        for phase in [Some(1), Some(2)] {
            timeline.apply(named(Milestone::Phase, phase, None));
        }
        let mut partial = status_report("Wire", 1, "XX", "Some force", Status::InProgress);
        partial.claim.event = Event::new("XX", "Some force", Milestone::Drawdown, None, None);
        timeline.apply(partial);
        for (phase, status, kind) in [
            (Some(1), Status::InProgress, New),
            (Some(2), Status::InProgress, Update),
            (Some(1), Status::Completed, Update),
        ] {
            let mut part = status_report("Other", 5, "XX", "Some force", status);
            part.claim.event = Event::new("XX", "Some force", Milestone::Phase, phase, None);
            let change = timeline.clone().apply(part);
            assert_eq!(
                change.map(|c| c.kind),
                Some(kind),
                "partial then {phase:?} {status:?}"
            );
        }
        for (whole, milestone, phase, status, kind) in cases {
            let mut timeline = Timeline::new();
            let location = (milestone == Milestone::Base).then(|| "Camp Alder".to_string());
            timeline.apply(named(milestone, phase, location.clone()));
            timeline.apply(status_report("Wire", 1, "XX", "Some force", whole));
            let mut part = status_report("Other", 5, "XX", "Some force", status);
            part.claim.event = Event::new("XX", "Some force", milestone, phase, location);
            let change = timeline.apply(part);
            assert_eq!(
                change.map(|c| c.kind),
                Some(kind),
                "{whole:?} then {milestone:?} {phase:?} {status:?}"
            );
        }
    }

    #[test]
    fn a_whole_withdrawal_said_without_scope_joins_a_drawdown_known_alone() {
        let on = |milestone: Milestone| Event::new("XX", "Some force", milestone, None, None);
        let announced = |milestone: Milestone| {
            let mut obs = status_report("Wire", 1, "XX", "Some force", Status::Announced);
            obs.claim.event = on(milestone);
            obs
        };
        // (what the timeline knows, the milestone an unscoped "withdrawal" joins)
        let cases = [
            (
                vec![announced(Milestone::Drawdown)],
                Some(Milestone::Drawdown),
            ),
            // The whole withdrawal is known too: it stays the whole.
            (
                vec![announced(Milestone::Drawdown), announced(Milestone::Final)],
                None,
            ),
            // Only a level of troops present: no partial withdrawal as such.
            (
                vec![{
                    let mut obs = report("Wire", 1, day(100));
                    obs.claim.event = on(Milestone::Drawdown);
                    obs.claim.attribute = Attribute::TroopCount;
                    obs.claim.value = Value::Count {
                        value: 500,
                        min: 500,
                        max: 500,
                        approx: false,
                    };
                    obs
                }],
                None,
            ),
            (vec![], None),
        ];
        for (known, joins) in cases {
            let mut timeline = Timeline::new();
            let n = known.len();
            for obs in known {
                timeline.apply(obs);
            }
            let got = timeline.partial_only(&on(Milestone::Final));
            assert_eq!(got.map(|e| e.milestone), joins, "{n} known");
        }
        // Another force leaving the same country is not this one.
        let mut timeline = Timeline::new();
        timeline.apply(announced(Milestone::Drawdown));
        let other = Event::new("XX", "Another force", Milestone::Final, None, None);
        assert_eq!(timeline.partial_only(&other), None);
    }

    #[test]
    fn restating_the_plan_does_not_hold_back_news_from_the_same_article() {
        use ChangeKind::{Confirmation, Update};
        // (known, the article's first status, its second, kinds)
        let cases = [
            // "will be leaving ... the withdrawal has begun": the second is news.
            (
                Status::Announced,
                Status::Announced,
                Status::InProgress,
                [Some(Confirmation), Some(Update)],
            ),
            // Under way and also done in one article: the article is not sure.
            (
                Status::InProgress,
                Status::InProgress,
                Status::Completed,
                [Some(Confirmation), None],
            ),
        ];
        for (known, first, second, kinds) in cases {
            let mut timeline = Timeline::new();
            timeline.apply(status_report("Wire", 1, "XX", "Some force", known));
            let mut scope = ArticleScope::default();
            let got = [first, second].map(|status| {
                let obs = status_report("Other", 5, "XX", "Some force", status);
                timeline.apply_in(&mut scope, obs).map(|c| c.kind)
            });
            assert_eq!(got, kinds, "{first:?} then {second:?}");
        }
    }
}
