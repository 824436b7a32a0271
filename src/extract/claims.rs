//! Stage 6: claims from frames. Each event mention in a frame gives claims:
//! its scope (the whole force = final, a named phase, a named base, part of
//! the force or a level = drawdown), its attribute and value (a deadline from
//! a time argument ahead of the story, a status from the aspect and tense of
//! a fact, a troop level from STAY, LEVEL and FALL), the role of each value
//! in its sentence (new, old, reference: only the new one is claimed), the
//! modality of the verb group, and a rule string that `--explain` prints.
//! Pure.

use std::cell::{LazyCell, OnceCell};

use chrono::{Datelike, Months, NaiveDate};

use crate::model::{
    Article, Attribute, Claim, Event as EventKey, Granularity, Milestone, Modality, Span, Status,
    TimeValue, Value,
};

use super::clauses::{Clause, Modal, Tense, VerbGroup};
use super::dict::{PredClass, Tags, VerbClass};
use super::entities::{Count, Mentions, PlaceKind, Time, Who};
use super::frames::{Actor, Frame};
use super::lexicon::{CueKind, Lexicon};
use super::predicates::{Aspect, Event, Source};
use super::time::TimeExpr;
use super::tokens::Token;

/// A completion dated more than this many days before publication is history.
const RECENT_DAYS: i64 = 120;

/// Everything one sentence's claims are made from.
pub struct SentenceCtx<'a, 's, 'd> {
    pub article: &'a Article,
    pub lex: &'a Lexicon,
    pub sentence: &'s str,
    /// Where the sentence is in the article text.
    pub span: Span,
    pub toks: &'a [Token<'s, 'd>],
    pub clauses: &'a [Clause],
    pub m: &'a Mentions,
    pub attributed_to: Option<String>,
    /// How many phases the article's plan has ("in two phases").
    pub total_phases: Option<u32>,
    /// A change verb in the headline ("Biden pushes back Afghan exit"): the
    /// article's dates are changes.
    pub headline_change: Option<String>,
    /// A decision on the plan the article reports ("adopted the exit plan").
    pub plan_decision: Option<String>,
    /// The sentence with its whitespace folded, as claims quote it; made
    /// once, when the first claim needs it.
    pub quote: OnceCell<String>,
}

/// Where a claim belongs inside its frame.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scope {
    milestone: Milestone,
    phase: Option<u32>,
    location: Option<String>,
    rule: &'static str,
    /// The whole withdrawal inferred, not said: from a bare "withdrawal", or
    /// from a part of it that left ("60 soldiers have left").
    implied: bool,
}

impl Scope {
    fn of(milestone: Milestone, rule: &'static str) -> Scope {
        Scope {
            milestone,
            phase: None,
            location: None,
            rule,
            implied: false,
        }
    }

    /// The whole withdrawal, inferred from words that do not say so.
    fn implied_whole(rule: &'static str) -> Scope {
        Scope {
            implied: true,
            ..Scope::of(Milestone::Final, rule)
        }
    }
}

/// The role a time plays in its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    New,
    /// The value replaced: "originally June 1", "instead of March".
    Old,
    /// Named only to place something else: "ahead of the Nov. 30 deadline".
    Reference,
    /// Another event's date: "the elections in October".
    Other,
}

/// The modality of a verb group.
pub fn modality(g: &VerbGroup) -> Modality {
    if g.has(VerbClass::Reject) {
        return Modality::Rejected;
    }
    if g.has(VerbClass::Deny) || g.negated {
        return Modality::Denied;
    }
    if g.has(VerbClass::Propose) {
        return Modality::Proposed;
    }
    if g.has(VerbClass::Consider) || g.modal == Some(Modal::Possible) {
        return Modality::Speculative;
    }
    if g.has(VerbClass::Expect) || g.modal == Some(Modal::Expected) {
        return Modality::Expected;
    }
    if g.is_fact() {
        return Modality::Completed;
    }
    Modality::Planned
}

/// The words of a status: the verb that carries it and the trigger, when
/// they stand close ("completed its withdrawal"), else the trigger.
fn status_words(toks: &[Token], ev: &Event) -> String {
    let (a, b) = match ev.governor {
        Some(g) if g < ev.start && ev.start - g <= 4 => (g, ev.end),
        Some(g) if g >= ev.end && g - ev.end <= 4 => (ev.start, g + 1),
        _ => (ev.group.start.min(ev.start), ev.end),
    };
    if b - a > 8 {
        return words(toks, ev.start, ev.end);
    }
    words(toks, a, b)
}

fn words(toks: &[Token], a: usize, b: usize) -> String {
    let room = toks.iter().take(b).skip(a).map(|t| t.text.len() + 1).sum();
    let mut out = String::with_capacity(room);
    for (k, t) in toks.iter().enumerate().take(b).skip(a) {
        if k > a && toks[k - 1].end < t.start {
            out.push(' ');
        }
        out.push_str(t.text);
    }
    out
}

fn shift(v: &TimeValue, forward: bool, by: Shift) -> Option<TimeValue> {
    let move_day = |d: NaiveDate| match (by, forward) {
        (Shift::Year, true) => d.checked_add_months(Months::new(12)),
        (Shift::Year, false) => d.checked_sub_months(Months::new(12)),
        (Shift::Week, true) => d.checked_add_days(chrono::Days::new(7)),
        (Shift::Week, false) => d.checked_sub_days(chrono::Days::new(7)),
    };
    Some(TimeValue {
        earliest: move_day(v.earliest)?,
        latest: match v.latest {
            Some(l) => Some(move_day(l)?),
            None => None,
        },
        granularity: v.granularity,
        fuzzy: v.fuzzy,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shift {
    Year,
    Week,
}

/// A time phrase's value, its year (or week) corrected by the verb's tense:
/// "will leave in March" read in September is next March; "left on
/// Tuesday" is the last Tuesday, "will arrive on Tuesday" the next.
/// A weekday moves to the coming week only for a future said as such
/// (`future`): "on Thursday" in a report is the last Thursday.
fn anchored_as(
    t: &Time,
    ahead: bool,
    future: bool,
    past: bool,
    published: NaiveDate,
) -> Option<TimeValue> {
    let TimeExpr::Interval(v) = &t.m.expr else {
        return None;
    };
    // "from December 8 to January 7": the departure ends on the last day.
    let v = if t.m.rule == "range" {
        let end = v.latest?;
        TimeValue {
            earliest: end,
            latest: Some(end),
            granularity: Granularity::Day,
            fuzzy: v.fuzzy,
        }
    } else {
        v.clone()
    };
    if !t.relative_guess {
        return Some(v);
    }
    let by = if t.m.rule == "weekday" {
        Shift::Week
    } else {
        Shift::Year
    };
    let latest = v.latest.unwrap_or(v.earliest);
    if ahead && latest < published && (by == Shift::Year || future) {
        return shift(&v, true, by).or(Some(v));
    }
    if past && v.earliest > published {
        return shift(&v, false, by).or(Some(v));
    }
    Some(v)
}

/// Decides whether a time is the claim's new value, an old one, a reference
/// or another event's date.
fn role(c: &SentenceCtx, ev: &Event, t: &Time) -> Role {
    let toks = c.toks;
    let clause = c.clauses[ev.clause];
    // Another event's date: "the elections in October", "the December 20 vote".
    let before = |k: usize| t.start.checked_sub(k).and_then(|j| toks.get(j));
    let prep_before = before(1).is_some_and(|x| x.has(Tags::PREP));
    let noun_before = if prep_before { before(2) } else { before(1) };
    if noun_before.is_some_and(|x| x.has(Tags::OTHER_EVENT) && !x.has(Tags::FORCE))
        && !(ev.end <= t.start && ev.end + 2 >= t.start)
    {
        return Role::Other;
    }
    let first_after = toks.get(t.end);
    if first_after.is_some_and(|x| x.has(Tags::OTHER_EVENT) && !x.is("deadline")) {
        return Role::Other;
    }
    if first_after.is_some_and(|x| x.has(Tags::REFERENCE))
        || toks
            .get(t.end + 1)
            .is_some_and(|x| x.has(Tags::REFERENCE) && toks[t.end].is("-"))
    {
        return Role::Reference;
    }
    // "setting December 8 as the deadline": the deadline named, restated.
    let mut k = t.end;
    if toks.get(k).is_some_and(|x| x.is(",")) {
        k += 1;
    }
    if toks.get(k).is_some_and(|x| x.is("as"))
        && toks[k + 1..(k + 4).min(toks.len())]
            .iter()
            .any(|x| x.has(Tags::REFERENCE))
    {
        return Role::Reference;
    }
    // "stated in November that ...", "said on Tuesday that ...": the time of
    // the saying, before its complement.
    if t.end <= ev.start && toks.get(t.end).is_some_and(|x| x.is("that")) {
        return Role::Other;
    }
    // "will end on August 31, Biden said on Thursday": the time of the saying.
    let speech = |v: &Token| {
        c.m.cues
            .iter()
            .any(|h| h.kind == CueKind::Speech && h.start == v.start && h.end == v.end)
    };
    let said_before = before(1).is_some_and(speech) || prep_before && before(2).is_some_and(speech);
    if said_before && t.start > ev.end {
        return Role::Other;
    }
    // "In June, Mali asked the mission to vacate": the time of the asking.
    // Not "By the end of 2023, the soldiers are to end their involvement":
    // a deadline word, and a verb of the event's stage, not of asking.
    let asking = ev
        .group
        .controls
        .iter()
        .any(|k| super::predicates::aspect_of(k.class).is_none());
    let deadline_word = matches!(
        t.prep.as_deref(),
        Some("by" | "before" | "until" | "no" | "not" | "within")
    );
    if t.end <= ev.group.start && asking && !deadline_word && t.end <= ev.start {
        return Role::Other;
    }
    if t.prep.as_deref() == Some("ahead") || before(1).is_some_and(|x| x.is("ahead")) {
        return Role::Reference;
    }
    // A verb of its own between the event and the time owns it: "a pullout
    // agreed last year", "the withdrawal, announced on Monday".
    if ev.end <= t.start {
        // A participle right after a force describes where it is ("forces
        // stationed in the north"); it has no deadline of its own to own.
        let deadline = matches!(
            t.prep.as_deref(),
            Some("by" | "before" | "until" | "till" | "within" | "no" | "not")
        );
        let reduced_relative =
            |k: usize| deadline && c.m.forces.iter().any(|f| f.end == k && f.start >= ev.end);
        let owned = (ev.end..t.start).any(|k| {
            let x = &toks[k];
            k != ev.group.head
                && !reduced_relative(k)
                && !(ev.group.start..=ev.group.head).contains(&k)
                && Some(k) != ev.governor
                && x.is_word()
                && !x.cap
                && matches!(
                    x.verb_form(),
                    super::dict::Form::Past | super::dict::Form::PastOrParticiple
                )
                && !c.m.forces.iter().any(|f| k >= f.start && k < f.end)
                && !c.m.times.iter().any(|tt| k >= tt.start && k < tt.end)
        });
        if owned {
            return Role::Other;
        }
    }
    // A time before the trigger with another finite verb between belongs to
    // that verb: "In mid-June, the government demanded the withdrawal".
    if t.end <= ev.start {
        let owned = (t.end..ev.start).any(|k| {
            let x = &toks[k];
            k != ev.group.head
                && Some(k) != ev.governor
                && !(ev.group.start..=ev.group.head).contains(&k)
                && x.is_word()
                && !(x.cap && k > clause.start)
                && (matches!(
                    x.verb_form(),
                    super::dict::Form::Past
                        | super::dict::Form::Present3
                        | super::dict::Form::PastOrParticiple
                ) || x.has(Tags::MODAL_PLAN)
                    || x.has(Tags::HAVE)
                    || x.has(Tags::BE))
                && !c.m.forces.iter().any(|f| k >= f.start && k < f.end)
        });
        if owned {
            return Role::Other;
        }
    }
    // "originally", "instead of", "was due", "had been set for".
    let lo = clause.start.max(t.start.saturating_sub(6));
    let lead = &toks[lo..t.start];
    let old_word = lead.iter().any(|x| {
        matches!(
            x.lower.as_ref(),
            "originally"
                | "initially"
                | "previously"
                | "formerly"
                | "instead"
                | "rather"
                | "replacing"
                | "original"
                | "initial"
                | "previous"
                | "former"
                | "old"
                | "supposed"
        )
    });
    if old_word {
        return Role::Old;
    }
    let past_plan = lead.windows(2).any(|w| {
        (w[0].is("was") || w[0].is("were") || w[0].is("had"))
            && matches!(
                w[1].lower.as_ref(),
                "due"
                    | "scheduled"
                    | "supposed"
                    | "set"
                    | "slated"
                    | "expected"
                    | "planned"
                    | "meant"
                    | "been"
                    | "to"
            )
    });
    if past_plan && (!ev.group.is_ahead() || ev.start > t.start) {
        return Role::Old;
    }
    // "from March, to May": the first is the old value after a change verb
    // (read as one range, "from March 31 to June 30" holds the new one too).
    if t.prep.as_deref() == Some("from")
        && t.m.rule != "range"
        && matches!(ev.aspect, Aspect::Postpone | Aspect::Advance)
    {
        return Role::Old;
    }
    Role::New
}

/// Builds claims for the events of one sentence.
pub struct Builder<'a, 's, 'd> {
    pub c: &'a SentenceCtx<'a, 's, 'd>,
    pub out: &'a mut Vec<Claim>,
}

/// What a claim says, before its frame and scope place it.
struct Said {
    attribute: Attribute,
    value: Value,
    text: String,
    modality: Modality,
    change_wording: Option<String>,
    rule: String,
}

impl Builder<'_, '_, '_> {
    fn push(&mut self, frame: &Frame, scope: &Scope, said: Said) {
        let c = self.c;
        let actor = frame.actor.name(c.lex);
        let Said {
            attribute,
            value,
            text,
            modality,
            change_wording,
            rule,
        } = said;
        let event = EventKey::new(
            &frame.host,
            actor,
            scope.milestone,
            scope.phase,
            scope.location.clone(),
        );
        self.out.push(Claim {
            event,
            attribute,
            value,
            text,
            quote: c.quote.get_or_init(|| super::one_line(c.sentence)).clone(),
            span: c.span,
            attributed_to: c.attributed_to.clone(),
            modality,
            change_wording,
            rule,
            scope_defaulted: scope.implied,
        });
    }

    /// The claims of one event mention in its frame.
    pub fn event(&mut self, ev: &Event, frame: &Frame, member: bool, frame_partial: bool) {
        let c = self.c;
        // "proposed a three-year timeframe, which Baghdad rejected": the
        // proposal is refused in the clause after it.
        let refused;
        let ev = match self.refused_later(ev) {
            Some(tok) => {
                let mut e = ev.clone();
                e.group.controls.insert(
                    0,
                    super::clauses::Control {
                        class: VerbClass::Reject,
                        tok,
                    },
                );
                refused = e;
                &refused
            }
            None => ev,
        };
        let m = c.m;
        let g = &ev.group;
        let published = c.article.published;
        // Only the claims pushed need the trace line, and most events push none.
        let trace = LazyCell::new(|| trace(c, ev, frame));
        let scope = self.scope(ev, frame_partial);
        // Past perfect and past events with old dates are background.
        let dated_past = ev.times.iter().filter_map(|&t| m.times.get(t)).any(|t| {
            matches!(&t.m.expr, TimeExpr::Interval(v)
                if v.latest.is_some_and(|l| (published - l).num_days() > RECENT_DAYS))
                && !g.is_ahead()
        });
        // A plan recalled: "Last month, Muizzu asked India to withdraw by
        // March 15", "Obama, who promised to bring the troops home before
        // 2012": the asking or promising is past, and so is its plan.
        let control_past = self.control_past(g);
        let past_marker = ev.times.iter().filter_map(|&t| m.times.get(t)).any(|t| {
            matches!(&t.m.expr, TimeExpr::Interval(v) if v.latest.is_some_and(|l| l < published))
                && t.end <= ev.start
        });
        let relative = matches!(
            c.clauses[ev.clause].opener,
            super::clauses::Opener::Relative
        );
        let recalled = control_past && (past_marker || relative) && !g.perfect;
        // A refused proposal is recorded as refused, however long ago it was made.
        let refused = g.has(VerbClass::Reject);
        let history = (g.past_perfect || dated_past || recalled) && !refused;
        // "the first phase ends by May": a present tense with a time ahead is a schedule.
        // So is a participle with no tense of its own and a time ahead ("with
        // the rest departing by the end of next year"), whatever the main verb.
        // Not a noun under a past verb: "called for a troop reduction in
        // June" dates the call.
        let scheduled = (g.tense == Tense::Present || g.inherited && !ev.nominal)
            && !g.perfect
            && g.modal.is_none()
            && self.has_future_time(ev);
        // "after the withdrawal is complete", "once they have left": a present
        // tense after a time or condition word speaks of a moment ahead.
        let conditional = match c.clauses[ev.clause].opener {
            super::clauses::Opener::Subordinate(i) => {
                // "would keep deploying as the last units left": a past
                // tense after a time word under "would" is that moment ahead,
                // told in the past.
                let under_would = g.tense == Tense::Past
                    && c.toks[..i]
                        .iter()
                        .rev()
                        .take(12)
                        .any(|w| w.has(Tags::MODAL_PLAN) || w.has(Tags::MODAL_POSSIBLE));
                (g.tense == Tense::Present || under_would)
                    && c.toks.get(i).is_some_and(|w| {
                        matches!(
                            w.lower.as_ref(),
                            "after"
                                | "once"
                                | "until"
                                | "till"
                                | "when"
                                | "whenever"
                                | "before"
                                | "if"
                                | "unless"
                        ) || under_would && w.is("as")
                    })
            }
            _ => false,
        };
        // "halted the planned drawdown", "cancelled the agreed pullout": the
        // plan words describe what was stopped; the stopping is the fact.
        let stops_a_plan = matches!(ev.aspect, Aspect::Halt | Aspect::Cancel)
            && matches!(g.tense, Tense::Past | Tense::Present)
            && g.modal.is_none()
            && !g.negated
            && g.controls.iter().all(|k| {
                matches!(
                    k.class,
                    VerbClass::Plan
                        | VerbClass::Agree
                        | VerbClass::Announce
                        | VerbClass::Sign
                        | VerbClass::Halt
                        | VerbClass::Cancel
                )
            });
        let fact = (g.is_fact() || stops_a_plan) && !history && !scheduled && !conditional;
        let past_fact = fact && (g.tense == Tense::Past || g.perfect);
        let mut statuses: Vec<(Scope, Status, &'static str)> = Vec::new();

        // Statuses from the aspect and tense of facts.
        if fact {
            match ev.aspect {
                Aspect::Inception | Aspect::Progress | Aspect::Resume
                    if matches!(
                        ev.class,
                        PredClass::Leave
                            | PredClass::HandOver
                            | PredClass::Level
                            | PredClass::Receive
                    ) =>
                {
                    // "the start of the pullout from some of the sites": a
                    // drawdown under way, not yet the whole departure.
                    let sc = if ev.partial && !ev.region && scope.milestone == Milestone::Final {
                        Scope::of(Milestone::Drawdown, "part-begun")
                    } else {
                        scope.clone()
                    };
                    statuses.push((sc, Status::InProgress, "begun"));
                }
                // "is completing its withdrawal": still under way.
                Aspect::Completion
                    if g.progressive
                        && g.tense == Tense::Present
                        && !g.perfect
                        && matches!(ev.class, PredClass::Leave | PredClass::HandOver) =>
                {
                    statuses.push((scope.clone(), Status::InProgress, "completing"));
                }
                Aspect::Completion
                    if matches!(
                        ev.class,
                        PredClass::Leave
                            | PredClass::HandOver
                            | PredClass::Receive
                            | PredClass::Level
                    ) =>
                {
                    statuses.push(done(
                        member || ev.partial && scope.milestone == Milestone::Final,
                        &scope,
                        ("part-done", "part-completed"),
                        "completed",
                    ));
                }
                Aspect::Halt => statuses.push((scope.clone(), Status::Postponed, "halted")),
                Aspect::Cancel => statuses.push((scope.clone(), Status::Cancelled, "cancelled")),
                Aspect::Postpone if !ev.times.iter().any(|&t| self.is_new_time(ev, t)) => {
                    statuses.push((scope.clone(), Status::Postponed, "postponed"));
                }
                // A plain leave verb says who leaves: "we are leaving a country
                // whose rulers..." names no force.
                Aspect::Plain
                    if ev.class == PredClass::Leave && ev.agent.is_none() && ev.theme.is_none() => {
                }
                Aspect::Plain => match ev.class {
                    PredClass::Leave
                        if !ev.nominal
                            && g.progressive
                            && g.tense == Tense::Present
                            && !self.has_future_time(ev) =>
                    {
                        statuses.push((scope.clone(), Status::InProgress, "leaving"));
                    }
                    PredClass::Leave
                        if past_fact
                            && !ev.nominal
                            && !ev.counts.iter().any(|&k| self.level_count(ev, k).is_some()) =>
                    {
                        statuses.push(done(
                            member || ev.partial,
                            &scope,
                            ("part-left", "part-left"),
                            "left",
                        ));
                    }
                    PredClass::HandOver | PredClass::Receive if past_fact && !ev.nominal => {
                        if scope.milestone == Milestone::Base {
                            statuses.push((scope.clone(), Status::Completed, "handed-over"));
                        }
                        let last = self.last_of_bases(ev);
                        if last && !member {
                            statuses.push((
                                Scope::of(Milestone::Final, "last-base"),
                                Status::Completed,
                                "last-handed-over",
                            ));
                        } else {
                            statuses.push((
                                Scope::implied_whole("base-handed"),
                                Status::InProgress,
                                "handed-over",
                            ));
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        // Decisions: "agreed to withdraw", "ordered the withdrawal", "signed".
        if !history && !g.negated && matches!(ev.class, PredClass::Leave | PredClass::Level) {
            let decided = g.controls.iter().find_map(|k| match k.class {
                VerbClass::Agree => Some(Status::Agreed),
                VerbClass::Sign => Some(Status::Signed),
                VerbClass::Announce | VerbClass::Demand => Some(Status::Announced),
                _ => None,
            });
            let decision_is_fact = g.modal.is_none() && g.tense != Tense::Future;
            if let Some(s) = decided.filter(|_| decision_is_fact) {
                statuses.push((scope.clone(), s, "decided"));
            } else if decided.is_none()
                && ev.class == PredClass::Leave
                && !ev.nominal
                && !conditional
                && (ev.agent.is_some() || ev.theme.is_some())
                && matches!(g.modal, None | Some(Modal::Plan))
                && (g.tense == Tense::Future || g.modal.is_some() || g.has(VerbClass::Plan))
            {
                // A plan said as such: "will withdraw some troops", "is
                // planning to pull its forces out".
                statuses.push((scope.clone(), Status::Announced, "plan"));
            }
        }
        for (sc, status, why) in statuses {
            let modality = if matches!(status, Status::Agreed | Status::Announced | Status::Signed)
            {
                Modality::Planned
            } else {
                Modality::Completed
            };
            let text = status_words(c.toks, ev);
            self.push(
                frame,
                &sc,
                Said {
                    attribute: Attribute::Status,
                    value: Value::Status { value: status },
                    text,
                    modality,
                    change_wording: None,
                    rule: format!("status/{}/{why}: {}", sc.rule, *trace),
                },
            );
        }

        // Deadlines and actual dates from the time arguments; not the day a
        // part left ("Last month, South Africa withdrew its troops" of a
        // mission of three nations): that dates no milestone of the frame.
        let part_left = past_fact
            && ev.aspect == Aspect::Plain
            && (member || ev.partial)
            && matches!(scope.milestone, Milestone::Final | Milestone::Drawdown);
        // Nor the day some unnamed posts were handed over ("the army took over
        // two camps on Tuesday"): only a named base or the last one is a milestone.
        let handed_part = past_fact
            && matches!(ev.class, PredClass::HandOver | PredClass::Receive)
            && scope.milestone != Milestone::Base
            && !self.last_of_bases(ev);
        if !history
            && !part_left
            && !handed_part
            && matches!(
                ev.class,
                PredClass::Leave
                    | PredClass::HandOver
                    | PredClass::Receive
                    | PredClass::Level
                    | PredClass::Stay
            )
        {
            self.deadlines(ev, frame, &scope, &trace, fact, scheduled);
        }

        // Troop levels.
        for &k in &ev.counts {
            if let Some((count, why)) = self.level_count(ev, k) {
                // "was going to pull all 2,000 troops out": the size then, of
                // a plan since dropped.
                let past_plan = why == "all-of"
                    && g.tense == Tense::Past
                    && (g.has(VerbClass::Plan) || g.modal == Some(Modal::Plan));
                if !self.count_is_frames(count, frame) || history || past_plan {
                    continue;
                }
                let modality = if why == "all-of" || why == "present" {
                    Modality::Completed
                } else {
                    modality(g)
                };
                let value = count_value(count);
                self.push(
                    frame,
                    &Scope::of(Milestone::Drawdown, "level"),
                    Said {
                        attribute: Attribute::TroopCount,
                        value,
                        text: words(c.toks, count.start, count.end),
                        modality,
                        // "has agreed to leave about 400": a decision changes the level.
                        change_wording: self.change_wording(ev),
                        rule: format!("count/{why}: {}", *trace),
                    },
                );
            }
        }
    }

    /// The refusing verb of a proposal, in a relative or coordinate clause
    /// right after the event's ("..., which Baghdad rejected", "but this was
    /// turned down").
    fn refused_later(&self, ev: &Event) -> Option<usize> {
        let c = self.c;
        if !ev.group.has(VerbClass::Propose) {
            return None;
        }
        let next = c.clauses.get(ev.clause + 1)?;
        if !matches!(
            next.opener,
            super::clauses::Opener::Relative | super::clauses::Opener::Coordinate
        ) {
            return None;
        }
        (next.start..next.end.min(next.start + 6)).find(|&k| {
            super::predicates::verb_class_at(c.toks, k) == Some(VerbClass::Reject)
                && matches!(
                    c.toks[k].verb_form(),
                    super::dict::Form::Past | super::dict::Form::PastOrParticiple
                )
        })
    }

    fn has_future_time(&self, ev: &Event) -> bool {
        let published = self.c.article.published;
        ev.times
            .iter()
            .filter_map(|&t| self.c.m.times.get(t))
            .any(|t| matches!(&t.m.expr, TimeExpr::Interval(v) if v.earliest > published))
    }

    fn is_new_time(&self, ev: &Event, t: usize) -> bool {
        self.c
            .m
            .times
            .get(t)
            .is_some_and(|t| role(self.c, ev, t) == Role::New)
    }

    /// "its last base", "the remaining bases", "all its bases".
    fn last_of_bases(&self, ev: &Event) -> bool {
        let toks = self.c.toks;
        let clause = self.c.clauses[ev.clause];
        ev.bases
            .iter()
            .filter_map(|&b| self.c.m.bases.get(b))
            .any(|b| {
                toks[clause.start.min(b.start)..b.start]
                    .iter()
                    .rev()
                    .take(5)
                    .any(|t| matches!(t.lower.as_ref(), "last" | "final" | "remaining" | "all"))
            })
    }

    /// Is the outermost governing verb in the past ("asked India to
    /// withdraw", "called for a troop reduction")?
    fn control_past(&self, g: &VerbGroup) -> bool {
        g.controls
            .last()
            .and_then(|k| self.c.toks.get(k.tok))
            .is_some_and(|t| {
                matches!(
                    t.verb_form(),
                    super::dict::Form::Past | super::dict::Form::PastOrParticiple
                )
            })
    }

    /// Where in its frame an event belongs.
    fn scope(&self, ev: &Event, frame_partial: bool) -> Scope {
        let m = self.c.m;
        // A named base the event leaves or hands over.
        // "the massive military base known as Camp Victory": the named one.
        let named_in_clause = || {
            ev.bases
                .iter()
                .filter_map(|&b| m.bases.get(b))
                .find(|b| b.name.is_some())
        };
        let base = match ev.source {
            Some(Source::Base(b)) => m
                .bases
                .get(b)
                .filter(|b| b.name.is_some())
                .or_else(named_in_clause),
            _ => None,
        }
        .or_else(|| {
            matches!(ev.class, PredClass::HandOver | PredClass::Receive)
                .then(|| {
                    ev.bases
                        .iter()
                        .filter_map(|&b| m.bases.get(b))
                        .find(|b| b.name.is_some())
                })
                .flatten()
        });
        if let Some(b) = base {
            if let Some(name) = &b.name {
                return Scope {
                    location: Some(name.clone()),
                    ..Scope::of(Milestone::Base, "base")
                };
            }
        }
        if let Some(p) = ev.phase.and_then(|p| m.phases.get(p)) {
            let last = p.last || p.number.is_some() && p.number == self.c.total_phases;
            if last {
                return Scope::of(Milestone::Final, "final-phase");
            }
            if let Some(n) = p.number {
                return Scope {
                    phase: Some(n),
                    ..Scope::of(Milestone::Phase, "phase")
                };
            }
        }
        if ev.class == PredClass::Level
            || frame_partial && !ev.whole
            || ev.partial && ev.group.is_ahead()
        {
            return Scope::of(Milestone::Drawdown, "partial");
        }
        // "completed its withdrawal from Mali": the end of leaving the
        // country is the whole withdrawal, said.
        if ev.whole_said || ev.whole && ev.aspect == Aspect::Completion {
            Scope::of(Milestone::Final, "whole")
        } else {
            Scope::implied_whole("unstated")
        }
    }

    /// The time phrase after a range's "to" ("from March 31 to June 30" →
    /// "June 30"), read on its own.
    fn range_end(&self, t: &Time) -> Option<Time> {
        let c = self.c;
        let to = (t.start..t.end)
            .find(|&k| matches!(c.toks[k].lower.as_ref(), "to" | "until" | "till"))?;
        let (first, last) = (c.toks.get(to + 1)?, c.toks.get(t.end.checked_sub(1)?)?);
        let text = c.sentence.get(first.start..last.end)?;
        let m = super::time::find_times(text, c.article.published)
            .into_iter()
            .next()?;
        // Without a year of its own, the year is a guess the tense may move.
        let relative_guess = super::entities::year_guessed(m.rule);
        Some(Time {
            start: to + 1,
            m,
            prep: Some("to".to_string()),
            relative_guess,
            ..t.clone()
        })
    }

    fn deadlines(
        &mut self,
        ev: &Event,
        frame: &Frame,
        scope: &Scope,
        trace: &LazyCell<String, impl FnOnce() -> String>,
        fact: bool,
        scheduled: bool,
    ) {
        let c = self.c;
        let g = &ev.group;
        let published = c.article.published;
        // A change done ("has been pushed back to March") sets a date ahead.
        let ahead = g.is_ahead()
            || scheduled
            || g.progressive && g.tense == Tense::Present
            || matches!(ev.aspect, Aspect::Postpone | Aspect::Advance);
        let past = (g.tense == Tense::Past || g.perfect) && !ahead;
        let mut found: Vec<(TimeValue, &Time)> = Vec::new();
        // Only a future said as such: "will leave", "is to", "is set to".
        let explicit_future = g.tense == Tense::Future || g.modal.is_some();
        for &ti in &ev.times {
            let Some(t) = c.m.times.get(ti) else { continue };
            // "had initially proposed three years, which Baghdad rejected":
            // the old value is the refused one.
            let refused_span =
                g.has(VerbClass::Reject) && matches!(t.m.expr, TimeExpr::Duration { .. });
            if role(c, ev, t) != Role::New && !refused_span {
                continue;
            }
            let prep = t.prep.as_deref().unwrap_or("");
            // When something starts is no deadline ("will begin on May 1").
            if matches!(
                prep,
                "from" | "since" | "starting" | "beginning" | "after" | "effective" | "as"
            ) && t.m.rule != "range"
                || ev.aspect == Aspect::Inception
            {
                continue;
            }
            // A deadline is introduced as one: "by", "before", "until",
            // "within", "no later than", "in" a month or year; a day ("on
            // Thursday") only for a departure said to lie ahead.
            let day_like = matches!(
                t.m.rule,
                "weekday"
                    | "month_day"
                    | "weekday_date"
                    | "day_month"
                    | "month_day_year"
                    | "day_month_year"
                    | "today"
                    | "tomorrow"
                    | "yesterday"
            );
            // "a three-year withdrawal": a duration said of the noun itself.
            let adjectival = t.start < ev.start
                && t.end >= ev.start
                && ev.nominal
                && matches!(t.m.expr, TimeExpr::Duration { .. });
            // "pushed back to March 2027": the new date of a change; "slowed
            // the timeline to four months": its new length. A length after
            // "to" is nothing else ("cut the tour to four months").
            let changed = matches!(ev.aspect, Aspect::Postpone | Aspect::Advance)
                || g.has(VerbClass::Postpone)
                || g.has(VerbClass::Advance);
            if t.m.rule == "to_duration" && !changed {
                continue;
            }
            let changed_to = (prep == "to" || t.m.rule == "to_duration") && changed;
            let deadline_prep = adjectival
                || changed_to
                || matches!(
                    prep,
                    "by" | "before" | "until" | "till" | "within" | "no" | "not" | "through"
                )
                || t.m.rule.starts_with("end_of")
                || t.m.rule == "range"
                || t.m.rule.contains("within")
                || prep == "in" && !day_like
                || (prep == "on" || prep == "at" || prep.is_empty())
                    && day_like
                    && explicit_future
                    && !past;
            if !(deadline_prep || fact && past) {
                continue;
            }
            // "called for a troop reduction in June" (read in July): a month
            // of this year already gone dates the call, not the departure.
            let dates_the_call = self.control_past(g)
                && t.relative_guess
                && matches!(prep, "in" | "on" | "")
                && anchored_as(t, false, false, true, published).is_some_and(|v| {
                    v.latest.is_some_and(|l| l < published) && v.earliest.year() == published.year()
                });
            if dates_the_call {
                continue;
            }
            if t.m.rule == "weekday" && !explicit_future && !(fact && past) {
                continue;
            }
            match &t.m.expr {
                TimeExpr::Duration { months, approx } => {
                    // "within six months", "over two years"; not "a decade-long deployment".
                    if ahead
                        && ev.class == PredClass::Leave
                        && (adjectival || matches!(prep, "within" | "over" | "in" | "for" | "by"))
                    {
                        self.push(
                            frame,
                            scope,
                            Said {
                                attribute: Attribute::Duration,
                                value: Value::Duration {
                                    months: *months,
                                    approx: *approx,
                                },
                                text: words(c.toks, t.start, t.end),
                                modality: modality(g),
                                change_wording: None,
                                rule: format!("duration/{}: {}", scope.rule, **trace),
                            },
                        );
                    }
                }
                TimeExpr::Interval(_) => {
                    // "pushed back ... from March 31 to June 30": a change's
                    // range goes from the old date to the new one.
                    let new_end = if changed && t.m.rule == "range" && prep == "from" {
                        self.range_end(t)
                    } else {
                        None
                    };
                    let Some(v) = anchored_as(
                        new_end.as_ref().unwrap_or(t),
                        ahead,
                        explicit_future,
                        past,
                        published,
                    ) else {
                        continue;
                    };
                    let wholly_past = v.latest.unwrap_or(NaiveDate::MAX) < published;
                    if ahead && wholly_past {
                        continue;
                    }
                    found.push((v, t));
                }
            }
        }
        // The tightest bound of a sentence wins ("by the end of the year, and
        // no later than December 15").
        found.sort_by_key(|(v, _)| {
            (
                v.fuzzy,
                v.latest.unwrap_or(NaiveDate::MAX),
                std::cmp::Reverse(v.earliest),
            )
        });
        let Some((v, t)) = found.into_iter().next() else {
            return;
        };
        let text = words(c.toks, t.start, t.end);
        let wholly_past = match v.latest {
            Some(l) => l < published,
            None => v.earliest < published,
        };
        let change = self.change_wording(ev);
        // A plan for today or a past day is no deadline ("will leave on Monday"
        // read on Monday is news of the day, not a date ahead).
        // A span of days ("within 30 days") ends ahead.
        let day_ahead =
            v.granularity != Granularity::Day || v.latest.unwrap_or(v.earliest) > published;
        if ahead && !wholly_past && day_ahead {
            if matches!(ev.class, PredClass::Stay)
                && !t
                    .prep
                    .as_deref()
                    .is_some_and(|p| p == "until" || p == "till" || p == "through")
            {
                return;
            }
            // "stay until at least June": the exit is no earlier than that;
            // "stay until June 30" leaves on June 30, as "by June 30" does.
            let at_least = c.toks[t.start.saturating_sub(3)..t.end]
                .iter()
                .any(|w| matches!(w.lower.as_ref(), "least" | "beyond" | "past" | "after"));
            let v = if ev.class == PredClass::Stay && at_least {
                TimeValue { latest: None, ..v }
            } else {
                v
            };
            let md = match modality(g) {
                Modality::Completed => Modality::Planned,
                other => other,
            };
            self.push(
                frame,
                scope,
                Said {
                    attribute: Attribute::Deadline,
                    value: Value::Date(v),
                    text,
                    modality: md,
                    change_wording: change,
                    rule: format!("deadline/{}/{}: {}", scope.rule, t.m.rule, **trace),
                },
            );
        } else if fact
            && past
            && v.latest
                .is_some_and(|l| l <= published && (published - l).num_days() <= RECENT_DAYS)
            && matches!(ev.aspect, Aspect::Completion | Aspect::Plain)
            && !ev.partial
            && matches!(
                ev.class,
                PredClass::Leave | PredClass::HandOver | PredClass::Receive
            )
        {
            self.push(
                frame,
                scope,
                Said {
                    attribute: Attribute::Deadline,
                    value: Value::Date(v),
                    text,
                    modality: Modality::Completed,
                    change_wording: change,
                    rule: format!("deadline/{}/actual/{}: {}", scope.rule, t.m.rule, **trace),
                },
            );
        }
    }

    /// Words that say the value changed on purpose.
    fn change_wording(&self, ev: &Event) -> Option<String> {
        let c = self.c;
        if matches!(ev.aspect, Aspect::Postpone | Aspect::Advance) {
            if let Some(k) = ev
                .group
                .controls
                .iter()
                .find(|k| matches!(k.class, VerbClass::Postpone | VerbClass::Advance))
            {
                return Some(c.toks[k.tok].text.to_string());
            }
            if let Some(gv) = ev.governor {
                return Some(c.toks[gv].text.to_string());
            }
        }
        let clause = c.clauses[ev.clause];
        // A replaced value in the same clause, or "now" in the verb group.
        let old =
            c.m.times.iter().any(|t| {
                t.start >= clause.start && t.end <= clause.end && role(c, ev, t) == Role::Old
            });
        if old {
            return Some("instead of an earlier date".to_string());
        }
        let now = (ev.group.start..ev.start.max(ev.group.start))
            .any(|k| c.toks.get(k).is_some_and(|t| t.is("now")));
        if now {
            return Some("now".to_string());
        }
        // A change or a decision stated in the same sentence: "..., pushing
        // back the May 1 deadline", "the ministers decided that ...".
        let actual = ev.group.is_fact();
        if let Some(w) = change_or_decision(c.toks, !actual) {
            return Some(w);
        }
        c.headline_change
            .clone()
            .or_else(|| c.plan_decision.clone().filter(|_| !actual))
    }

    /// Is a count one this event gives as a troop level? Returns why.
    fn level_count(&self, ev: &Event, k: usize) -> Option<(&Count, &'static str)> {
        let c = self.c;
        let count = c.m.counts.get(k)?;
        if count.ceiling {
            return None;
        }
        let toks = c.toks;
        // "The authorised troop ceiling will be 13,500 ..., reduced to 11,500":
        // a cap on the force, not the troops there.
        let cap_subject = toks[..ev.start.min(toks.len())].iter().any(|t| {
            matches!(
                t.lower.as_ref(),
                "ceiling" | "cap" | "authorized" | "authorised" | "authorization" | "authorisation"
            )
        });
        if cap_subject {
            return None;
        }
        let before = |n: usize| count.start.checked_sub(n).and_then(|j| toks.get(j));
        let after_to = before(1).is_some_and(|t| t.is("to"));
        let after_from = before(1).is_some_and(|t| {
            t.is("from")
                || t.is("of") && before(2).is_some_and(|x| x.is("reduction") || x.is("cut"))
        });
        if after_from {
            return None;
        }
        let lemma_is = |w: &str| {
            toks.get(ev.start)
                .is_some_and(|t| t.info.is_some_and(|i| c.lex.dict().lemma(i.lemma) == w))
        };
        match ev.class {
            PredClass::Stay => {
                // "About 30,000 troops remain", "will keep 400 troops", "13,000 remain".
                let subject = count.end <= ev.group.start.min(ev.start)
                    && count.end + 3 >= ev.group.start.min(ev.start);
                let object = count.start >= ev.end && count.start <= ev.end + 2;
                if subject || object && count.force_word {
                    return Some((count, "remain"));
                }
                None
            }
            PredClass::Level | PredClass::Fall if after_to => Some((count, "level-to")),
            PredClass::Fall if count.start >= ev.end && count.start <= ev.end + 1 => {
                Some((count, "level-to"))
            }
            PredClass::Leave
                if lemma_is("leave")
                    && count.start >= ev.end
                    && count.start <= ev.end + 2
                    && !ev.nominal =>
            {
                // "leaving about 24,000", "leave 400 troops in Syria": what stays.
                Some((count, "leaving"))
            }
            PredClass::Leave if count.all && count.force_word => Some((count, "all-of")),
            // "2,400 troops are deployed in Mali", "has deployed some 1,000
            // troops to Mali": the force there now.
            PredClass::Arrive
                if count.force_word
                    && (ev.group.passive || ev.group.perfect)
                    && ev.group.tense == Tense::Present
                    && (count.start >= ev.end || count.end <= ev.start) =>
            {
                Some((count, "present"))
            }
            _ => None,
        }
    }

    /// Is a count about the frame's force, not the host's or another nation's?
    fn count_is_frames(&self, count: &Count, frame: &Frame) -> bool {
        let Some(f) = count.force.and_then(|i| self.c.m.forces.get(i)) else {
            return true;
        };
        match &f.who {
            Who::HostSide => false,
            Who::Nation(i) => {
                let code = self.c.lex.countries.get(*i).map(|x| x.code.as_str());
                code != Some(frame.host.as_str())
                    && (frame.actor == Actor::Nation(*i)
                        || super::frames::related(&Actor::Nation(*i), &frame.actor, self.c.lex))
            }
            _ => true,
        }
    }
}

/// One line for `--explain`: frame, predicate, arguments, group.
fn trace(c: &SentenceCtx, ev: &Event, frame: &Frame) -> String {
    format!(
        "frame {} leaving {}; {}",
        frame.actor.name(c.lex),
        frame.host,
        describe(ev, c.toks, c.m)
    )
}

/// An event mention in words: predicate, verb group, arguments.
pub fn describe(ev: &Event, toks: &[Token], m: &Mentions) -> String {
    {
        let mut parts = Vec::new();
        parts.push(format!(
            "{:?} '{}'{}",
            ev.class,
            words(toks, ev.start, ev.end),
            if ev.nominal { " (noun)" } else { "" }
        ));
        let g = &ev.group;
        let mut group = format!("{:?}", g.tense);
        if g.perfect {
            group.push_str(" perfect");
        }
        if g.progressive {
            group.push_str(" progressive");
        }
        if g.passive {
            group.push_str(" passive");
        }
        if g.negated {
            group.push_str(" negated");
        }
        if let Some(md) = g.modal {
            group.push_str(&format!(" {md:?}"));
        }
        for k in &g.controls {
            group.push_str(&format!(" {:?}", k.class));
        }
        if ev.aspect != Aspect::Plain {
            group.push_str(&format!(" aspect={:?}", ev.aspect));
        }
        // The words of the group: "is expected to be completed".
        let head = words(toks, g.start.min(g.head), g.head.max(g.start) + 1);
        parts.push(format!("group '{head}' [{group}]"));
        if let Some(f) = ev.agent.and_then(|a| m.forces.get(a)) {
            parts.push(format!("agent '{}'", words(toks, f.start, f.end)));
        }
        if let Some(f) = ev.theme.and_then(|a| m.forces.get(a)) {
            parts.push(format!("theme '{}'", words(toks, f.start, f.end)));
        }
        match ev.source {
            Some(Source::Place(p)) => {
                if let Some(p) = m.places.get(p) {
                    let kind = if p.kind == PlaceKind::Host {
                        " (host)"
                    } else {
                        ""
                    };
                    parts.push(format!("source '{}'{kind}", words(toks, p.start, p.end)));
                }
            }
            Some(Source::Base(b)) => {
                if let Some(b) = m.bases.get(b) {
                    parts.push(format!("base '{}'", words(toks, b.start, b.end)));
                }
            }
            None => {}
        }
        if let Some(r) = ev.receiver.and_then(|a| m.forces.get(a)) {
            parts.push(format!("receiver '{}'", words(toks, r.start, r.end)));
        }
        for &t in &ev.times {
            if let Some(t) = m.times.get(t) {
                parts.push(format!("time '{}'", words(toks, t.start, t.end)));
            }
        }
        if let Some(p) = ev.phase.and_then(|p| m.phases.get(p)) {
            parts.push(format!("phase '{}'", words(toks, p.start, p.end)));
        }
        if ev.whole {
            parts.push("whole".into());
        }
        if ev.partial {
            parts.push("part".into());
        }
        parts.join("; ")
    }
}

/// A verb of change (postpone, bring forward) or of decision (decided,
/// agreed, adopted) said as a fact in these tokens.
pub fn change_verb(toks: &[Token]) -> Option<String> {
    change_or_decision(toks, true)
}

/// `change_verb`, with decisions only when `decisions` ("decided" dates a
/// plan, not the day something happened).
fn change_or_decision(toks: &[Token], decisions: bool) -> Option<String> {
    toks.iter().enumerate().find_map(|(k, t)| {
        // A one-word verb, or a phrasal one whose particles follow ("push back").
        let class = t.info?.entries.iter().find_map(|e| match e.kind {
            super::dict::EntryKind::Verb(c)
                if e.form.is_verb()
                    && e.rest.iter().enumerate().all(|(n, w)| {
                        toks.get(k + 1 + n)
                            .is_some_and(|x| x.lower.as_ref() == w.as_ref())
                    }) =>
            {
                Some(c)
            }
            _ => None,
        })?;
        let decision = decisions
            && matches!(class, VerbClass::Agree)
            && matches!(
                t.lower.as_ref(),
                "decided" | "agreed" | "adopted" | "approved" | "voted" | "endorsed" | "resolved"
            );
        // "the plan agreed in March": a participle describing the plan
        // recalls an old decision; it reports no new one.
        let describes_plan = k > 0
            && matches!(
                toks[k - 1].lower.as_ref(),
                "plan"
                    | "plans"
                    | "timetable"
                    | "roadmap"
                    | "deal"
                    | "agreement"
                    | "schedule"
                    | "accord"
            );
        let decision = decision && !describes_plan;
        let change = matches!(class, VerbClass::Postpone | VerbClass::Advance) && !t.cap;
        let negated = toks[k.saturating_sub(3)..k]
            .iter()
            .any(|x| x.has(Tags::NEG));
        ((decision || change) && !negated).then(|| t.text.to_string())
    })
}

/// Present troop levels that no event governs: "there are about 2,000 U.S.
/// troops in Syria", "the 1,000 German soldiers stationed in Mali".
pub fn presence(c: &SentenceCtx, events: &[Event], frame: &Frame, out: &mut Vec<Claim>) {
    let toks = c.toks;
    let m = c.m;
    for (k, count) in m.counts.iter().enumerate() {
        if count.ceiling {
            continue;
        }
        // "(from) the 34,500 who are now there": the force there now.
        let who_there = toks.get(count.end).is_some_and(|t| t.is("who"))
            && toks.get(count.end + 1).is_some_and(|t| t.is("are"))
            && toks[count.end + 2..(count.end + 5).min(toks.len())]
                .iter()
                .any(|t| t.is("there") || t.is("stationed") || t.is("based") || t.is("deployed"));
        if who_there
            && !events.iter().any(|e| {
                e.counts.contains(&k)
                    && matches!(e.class, PredClass::Level | PredClass::Fall)
                    && c.toks
                        .get(count.start.wrapping_sub(1))
                        .is_some_and(|t| t.is("to"))
            })
        {
            present_count(c, frame, count, count.end + 4, "who are there", out);
            continue;
        }
        // "UNIFIL has about 10,800 peacekeepers": the frame's force, said to
        // have that many (a present "has", its subject right before it).
        let has_them = count.force_word && {
            let j = super::tokens::before_hedges(toks, count.start, 0, false);
            j > 1
                && matches!(
                    toks[j - 1].lower.as_ref(),
                    "has" | "have" | "maintains" | "keeps"
                )
                && m.forces.iter().any(|f| {
                    f.end == j - 1 && super::frames::actor_of(f).is_some_and(|a| a == frame.actor)
                })
        };
        if has_them && !events.iter().any(|e| e.counts.contains(&k)) {
            present_count(c, frame, count, count.end, "has", out);
            continue;
        }
        // "withdraw 9,500 of the roughly 34,500 troops stationed in X": the
        // second number is the whole force there, not the part that leaves.
        let whole_of_part = {
            let j = super::tokens::before_hedges(toks, count.start, 0, true);
            j > 0 && toks[j - 1].is("of") && m.counts.iter().any(|other| other.end + 1 == j)
        };
        if !whole_of_part
            && events.iter().any(|e| {
                e.counts.contains(&k)
                    && e.class != PredClass::Stay
                    && !(e.class == PredClass::Leave && count.all)
            })
        {
            continue;
        }
        // Where: "in X", "stationed in X", "based in X".
        let mut j = count.end;
        while toks.get(j).is_some_and(|t| {
            matches!(
                t.lower.as_ref(),
                "stationed"
                    | "based"
                    | "deployed"
                    | "currently"
                    | "now"
                    | "still"
                    | "remaining"
                    | "present"
                    | "are"
                    | "is"
                    | "remain"
            )
        }) {
            j += 1;
        }
        if !toks.get(j).is_some_and(|t| t.is("in") || t.is("on")) {
            continue;
        }
        if !count.force_word {
            continue;
        }
        let place = m
            .places
            .iter()
            .find(|p| p.start == j + 1 || p.start == j + 2 && toks[j + 1].has(Tags::DET));
        let here = place.is_some_and(|p| {
            p.kind == PlaceKind::Host || p.country.as_deref() == Some(frame.host.as_str())
        });
        if !here {
            continue;
        }
        // Only the present: "there were" and past verbs are history.
        let clause = c.clauses[super::clauses::clause_of(c.clauses, count.start)];
        let past = toks[clause.start..clause.end].iter().any(|t| {
            matches!(
                t.lower.as_ref(),
                "were" | "was" | "had" | "peak" | "height" | "once"
            )
        });
        if past {
            continue;
        }
        present_count(c, frame, count, j + 2, "in the host", out);
    }
}

/// A departure done: completed in its scope, or, when only a part (a member's
/// contingent, some of the troops) left, the whole withdrawal under way.
fn done(
    part: bool,
    scope: &Scope,
    (part_rule, part_why): (&'static str, &'static str),
    why: &'static str,
) -> (Scope, Status, &'static str) {
    // A part that is itself the scope ("the second batch has left") is done.
    if part && matches!(scope.milestone, Milestone::Final | Milestone::Drawdown) {
        (
            Scope::implied_whole(part_rule),
            Status::InProgress,
            part_why,
        )
    } else {
        (scope.clone(), Status::Completed, why)
    }
}

/// A count mention as a claim's value.
fn count_value(count: &Count) -> Value {
    Value::Count {
        value: count.value,
        min: count.min,
        max: count.max,
        approx: count.approx,
    }
}

/// A troop count of the force present in the host ("the 2,500 US troops
/// there"), when the number is the frame's; `upto` ends the quoted words.
fn present_count(
    c: &SentenceCtx,
    frame: &Frame,
    count: &Count,
    upto: usize,
    why: &str,
    out: &mut Vec<Claim>,
) {
    let mut local = Vec::new();
    let mut b = Builder { c, out: &mut local };
    if !b.count_is_frames(count, frame) {
        return;
    }
    b.push(
        frame,
        &Scope::of(Milestone::Drawdown, "level"),
        Said {
            attribute: Attribute::TroopCount,
            value: count_value(count),
            text: words(c.toks, count.start, count.end),
            modality: Modality::Completed,
            change_wording: None,
            rule: format!(
                "count/present: frame {} leaving {}; '{}' {why}",
                frame.actor.name(c.lex),
                frame.host,
                words(c.toks, count.start, upto)
            ),
        },
    );
    out.append(&mut local);
}
