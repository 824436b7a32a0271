//! Stage 4: event mentions. Each verb or noun of a predicate class (LEAVE,
//! HAND OVER, RECEIVE, STAY, ARRIVE, LEVEL, FALL) becomes a mention with its
//! verb group (for a noun, the group of the verb that governs it: "began the
//! withdrawal", "the withdrawal will be completed"), its aspect (begun,
//! continuing, completed, halted, ...) and its arguments by role: agent,
//! theme, source, receiver, times, counts, phase, base. Takes the tokens,
//! clauses and mentions of one sentence; gives `Vec<Event>`. Pure.

use super::clauses::{self, Clause, Opener, Tense, VerbGroup};
use super::dict::{EntryKind, Form, PredClass, Tags, VerbClass};
use super::entities::{CARDINALS, Mentions, PlaceKind, Quant, Who};
use super::time::TimeExpr;
use super::tokens::{Kind, Token};

/// Where the event stands, from the verbs that govern it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Aspect {
    #[default]
    Plain,
    /// began, started, the start of
    Inception,
    /// continued, under way
    Progress,
    /// completed, the end of, is over
    Completion,
    /// halted, suspended, froze
    Halt,
    /// cancelled, scrapped, reversed
    Cancel,
    /// postponed, delayed, pushed back, extended
    Postpone,
    /// accelerated, brought forward
    Advance,
    /// resumed
    Resume,
}

/// What plays the source role: a place or a base mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Place(usize),
    Base(usize),
}

/// One event mention with its arguments (indexes into the sentence's `Mentions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub class: PredClass,
    /// Trigger tokens `[start, end)`.
    pub start: usize,
    pub end: usize,
    pub nominal: bool,
    pub clause: usize,
    pub group: VerbGroup,
    pub aspect: Aspect,
    /// The verbs that carry the aspect or attitude, for explanations.
    pub governor: Option<usize>,
    pub agent: Option<usize>,
    /// The force the verb acts on ("withdraw its troops").
    pub theme: Option<usize>,
    pub source: Option<Source>,
    pub receiver: Option<usize>,
    pub times: Vec<usize>,
    pub counts: Vec<usize>,
    pub phase: Option<usize>,
    pub bases: Vec<usize>,
    /// Where a force goes ("will return to South Africa"): a place index.
    /// Going home is leaving; going to the host is arriving.
    pub destination: Option<usize>,
    /// Of the whole force: said ("all", "the last", "fully") or implied by
    /// the country itself as what is left ("withdraw its forces from Chad").
    pub whole: bool,
    /// The whole said in words, not implied.
    pub whole_said: bool,
    /// Said of part of it ("some", "a contingent", "100 soldiers").
    pub partial: bool,
    /// Part of it in words ("some of its troops", "a portion"), not a count.
    pub partial_words: bool,
    /// Leaves a named region of the country ("from South Kivu"): a part,
    /// whose start is the start of the whole withdrawal.
    pub region: bool,
}

impl Event {
    /// A mention with its trigger and verb group, before its arguments are found.
    fn bare(
        class: PredClass,
        (start, end): (usize, usize),
        nominal: bool,
        clause: usize,
        group: VerbGroup,
        aspect: Aspect,
        governor: Option<usize>,
    ) -> Event {
        Event {
            class,
            start,
            end,
            nominal,
            clause,
            group,
            aspect,
            governor,
            agent: None,
            theme: None,
            source: None,
            receiver: None,
            times: Vec::new(),
            counts: Vec::new(),
            phase: None,
            bases: Vec::new(),
            destination: None,
            whole: false,
            whole_said: false,
            partial: false,
            partial_words: false,
            region: false,
        }
    }
}

pub(super) fn aspect_of(class: VerbClass) -> Option<Aspect> {
    Some(match class {
        VerbClass::Begin => Aspect::Inception,
        VerbClass::Continue => Aspect::Progress,
        VerbClass::Complete => Aspect::Completion,
        VerbClass::Halt => Aspect::Halt,
        VerbClass::Cancel => Aspect::Cancel,
        VerbClass::Postpone => Aspect::Postpone,
        VerbClass::Advance => Aspect::Advance,
        VerbClass::Resume => Aspect::Resume,
        _ => return None,
    })
}

/// Nouns that give the aspect of the event noun after "of": "the start of
/// the withdrawal", "the completion of the pullout".
fn aspect_noun(word: &str) -> Option<Aspect> {
    Some(match word {
        "start" | "beginning" | "launch" | "commencement" | "onset" | "kickoff" | "first" => {
            Aspect::Inception
        }
        "completion" | "end" | "conclusion" | "culmination" | "finish" => Aspect::Completion,
        "suspension" | "halt" | "freeze" | "pause" => Aspect::Halt,
        "postponement" | "delay" | "extension" => Aspect::Postpone,
        "cancellation" | "reversal" => Aspect::Cancel,
        "acceleration" | "speeding" => Aspect::Advance,
        "resumption" => Aspect::Resume,
        "continuation" => Aspect::Progress,
        _ => return None,
    })
}

/// The class of the verb at `h`, a phrasal one when its particle follows
/// ("pushed back", "brought forward").
pub(super) fn verb_class_at(toks: &[Token], h: usize) -> Option<VerbClass> {
    toks.get(h)?
        .info?
        .entries
        .iter()
        .filter_map(|e| match e.kind {
            EntryKind::Verb(c) if e.rest.is_empty() || particles(toks, h, &e.rest, 1).is_some() => {
                Some((c, e.rest.len()))
            }
            _ => None,
        })
        .max_by_key(|&(_, n)| n)
        .map(|(c, _)| c)
}

/// "(the withdrawal) is expected to be completed", "is due to end", "was
/// scheduled to finish": past a governing verb (one with no aspect of its
/// own) and its "to", to the noun's own verb, whose group takes the governing
/// verb as a control. The head itself when nothing follows it so.
fn past_governing_verb(toks: &[Token], clause: &Clause, h: usize) -> usize {
    let governs = verb_class_at(toks, h).is_some_and(|c| aspect_of(c).is_none());
    if !governs || !toks.get(h + 1).is_some_and(|t| t.is("to")) {
        return h;
    }
    let mut k = h + 2;
    while k < clause.end && k <= h + 4 {
        let t = &toks[k];
        if t.has(Tags::BE) || t.has(Tags::HAVE) || t.has(Tags::ADV) {
            k += 1;
            continue;
        }
        let verb = t.verb_form().is_verb()
            || matches!(t.lower.as_ref(), "complete" | "over" | "done" | "finished");
        return if verb && !t.cap { k } else { h };
    }
    h
}

/// A phrasal verb split by its object: "bring the withdrawal forward",
/// "push the pullout back": the verb at `v`, its particle at `end` (the first
/// token after the noun).
fn phrasal_around(toks: &[Token], v: usize, end: usize) -> Option<VerbClass> {
    let particle = toks.get(end)?;
    toks.get(v)?
        .info?
        .entries
        .iter()
        .find_map(|e| match (e.kind, e.rest.as_ref()) {
            (EntryKind::Verb(c), [p]) if particle.lower.as_ref() == p.as_ref() => Some(c),
            _ => None,
        })
}

fn verb_entry_class(t: &Token) -> Option<VerbClass> {
    t.info?.entries.iter().find_map(|e| match e.kind {
        EntryKind::Verb(c) if e.rest.is_empty() => Some(c),
        _ => None,
    })
}

/// Do the particles `rest` follow token `head` within a few words, in order,
/// before any punctuation? Returns the token after the last particle.
fn particles(toks: &[Token], head: usize, rest: &[Box<str>], gap: usize) -> Option<usize> {
    let mut k = head + 1;
    for (n, word) in rest.iter().enumerate() {
        let limit = if n == 0 { gap } else { 0 };
        let mut found = None;
        for (j, t) in toks
            .iter()
            .enumerate()
            .take((k + limit + 1).min(toks.len()))
            .skip(k)
        {
            if t.lower.as_ref() == word.as_ref() {
                found = Some(j);
                break;
            }
            if t.is_punct() && !matches!(t.kind, Kind::Punct('\'' | '’'))
                || t.verb_form().is_verb() && j > head + 1
            {
                return None;
            }
        }
        k = found? + 1;
    }
    Some(k)
}

/// Does token `i` read as a noun here (after a determiner or possessive)?
fn noun_position(toks: &[Token], i: usize) -> bool {
    let Some(prev) = i.checked_sub(1).map(|j| &toks[j]) else {
        return true;
    };
    prev.has(Tags::DET)
        || prev.is("'s")
        || prev.cap && prev.kind == Kind::Word && i > 1
        || prev.has(Tags::PREP) && !prev.is("to")
        || prev.is("troop")
        || prev.is("military")
        || prev.is("full")
        || prev.is("partial")
        || prev.is("phased")
        || prev.is("gradual")
        || prev.is("complete")
        || prev.is("planned")
        || prev.is("orderly")
        || prev.is("total")
}

/// Finds the triggers of a sentence: (class, start, end, nominal).
fn triggers(toks: &[Token], m: &Mentions) -> Vec<(PredClass, usize, usize, bool)> {
    let mut out: Vec<(PredClass, usize, usize, bool)> = Vec::new();
    let mut particle_end = 0;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let Some(info) = t.info.filter(|_| t.kind == Kind::Word) else {
            i += 1;
            continue;
        };
        // A particle of the trigger before ("be nobody left") starts nothing.
        let used = out.last().is_some_and(|&(_, s, e, _)| i > s && i < e)
            || i < particle_end && out.last().is_some_and(|&(_, _, e, _)| i + 1 == e);
        // "a three-year withdrawal": the time grammar reads the noun as the
        // duration's unit; it is still the event.
        let duration_head = m.times.iter().any(|t| {
            t.end == i + 1 && t.start < i && matches!(t.m.expr, TimeExpr::Duration { .. })
        });
        if used
            || m.in_time(i) && !duration_head
            || m.forces
                .iter()
                .any(|f| !f.bare_name && i >= f.start && i < f.end && !t.has(Tags::FORCE))
        {
            i += 1;
            continue;
        }
        // "nobody left", "11 bases left", "none left": what remains.
        let remains = i > 0
            && t.verb_form().is_participle()
            && (matches!(
                toks[i - 1].lower.as_ref(),
                "nobody" | "none" | "nothing" | "few" | "one"
            ) || toks[i - 1].kind == Kind::Number
                || toks[i - 1].has(Tags::BASE) && i > 1 && toks[i - 2].kind == Kind::Number);
        if remains {
            i += 1;
            continue;
        }
        let as_noun = noun_position(toks, i);
        let mut best: Option<(PredClass, usize, bool)> = None;
        for e in &info.entries {
            let (class, nominal) = match e.kind {
                EntryKind::Pred(c) if e.form.is_verb() => (c, false),
                EntryKind::PredNoun(c) => (c, true),
                _ => continue,
            };
            // A word that is both ("exit", "cut", "return"): the position decides.
            if nominal != as_noun
                && info.entries.iter().any(|o| match o.kind {
                    EntryKind::Pred(_) => !nominal && o.form.is_verb(),
                    EntryKind::PredNoun(_) => nominal,
                    _ => false,
                })
                && info.entries.iter().any(|o| match o.kind {
                    EntryKind::PredNoun(_) => !nominal,
                    EntryKind::Pred(_) => nominal && o.form.is_verb(),
                    _ => false,
                })
            {
                continue;
            }
            // A gerund after a determiner is a noun ("the withdrawing of").
            let gap = if nominal { 0 } else { 4 };
            let end = if e.rest.is_empty() {
                i + 1
            } else {
                match particles(toks, i, &e.rest, gap) {
                    Some(end) => end,
                    None => continue,
                }
            };
            // The longest entry wins ("pull out" over "pull").
            if best.is_none_or(|(_, b, _)| end > b) {
                best = Some((class, end, nominal));
            }
        }
        if let Some((class, end, nominal)) = best {
            out.push((class, i, end, nominal));
            particle_end = end;
        }
        i += 1;
    }
    out
}

/// The verb group that governs a noun at `n`: the verb before its noun
/// phrase ("began the withdrawal") or after it ("the withdrawal will be
/// completed"), and a copula with its adjective ("is complete", "under way").
fn governing(
    toks: &[Token],
    clause: &Clause,
    m: &Mentions,
    n: usize,
    end: usize,
) -> (VerbGroup, Aspect, Option<usize>) {
    let (g, aspect, gov) = governing_inner(toks, clause, m, n, end);
    // "marked the end of operations" asserts the end; "helping facilitate
    // the end of operations" or "involving the end of all presence" does not.
    if aspect != Aspect::Plain && aspect_noun_before(toks, clause, n) {
        let marks = gov.and_then(|v| toks.get(v)).is_some_and(|v| {
            v.has(Tags::BE)
                || v.info.is_some_and(|i| i.tags.has(Tags::MARKING))
                || verb_entry_class(v).and_then(aspect_of).is_some()
        });
        if !marks {
            return (g, Aspect::Plain, gov);
        }
    }
    (g, aspect, gov)
}

/// Does an aspect noun stand before the noun at `n` ("the end of the ...")?
fn aspect_noun_before(toks: &[Token], clause: &Clause, n: usize) -> bool {
    let mut k = n;
    while k > clause.start
        && (toks[k - 1].has(Tags::DET)
            || toks[k - 1].cap
            || toks[k - 1].is("'s")
            || toks[k - 1].is("troop")
            || toks[k - 1].is("military")
            || toks[k - 1].acronym
            || duration_adjective(toks, k))
    {
        k -= 1;
    }
    k >= clause.start + 2 && toks[k - 1].is("of") && aspect_noun(&toks[k - 2].lower).is_some()
}

fn governing_inner(
    toks: &[Token],
    clause: &Clause,
    m: &Mentions,
    n: usize,
    end: usize,
) -> (VerbGroup, Aspect, Option<usize>) {
    let mut aspect = Aspect::Plain;
    // "the start of the withdrawal", "the first phase of the pullout"
    let mut k = n;
    while k > clause.start {
        let t = &toks[k - 1];
        if t.has(Tags::DET)
            || t.cap
            || t.is("'s")
            || t.is("its")
            || t.is("their")
            || t.is("troop")
            || t.is("military")
            || t.is("full")
            || t.is("phased")
            || t.is("staged")
            || t.is("partial")
            || t.is("gradual")
            || t.is("complete")
            || t.is("planned")
            || t.acronym
            || duration_adjective(toks, k)
        {
            k -= 1;
            continue;
        }
        break;
    }
    let mut np_start = k;
    if k >= clause.start + 2 && toks[k - 1].is("of") {
        if let Some(a) = aspect_noun(&toks[k - 2].lower) {
            aspect = a;
            np_start = k - 2;
            while np_start > clause.start && toks[np_start - 1].has(Tags::DET) {
                np_start -= 1;
            }
        } else if toks[k - 2].has(Tags::PHASE) {
            np_start = k - 2;
            while np_start > clause.start
                && (toks[np_start - 1].has(Tags::DET)
                    || toks[np_start - 1].is("second")
                    || toks[np_start - 1].is("third")
                    || toks[np_start - 1].is("and"))
            {
                np_start -= 1;
            }
        }
    }
    // The object of a change verb right before it ("has moved up the
    // departure of its last soldiers ..., so that they can ...") is no subject.
    let object_of_change = np_start > clause.start && {
        let v = np_start - 1;
        let v = if v > clause.start && matches!(toks[v].lower.as_ref(), "up" | "back" | "forward") {
            v - 1
        } else {
            v
        };
        verb_class_at(toks, v)
            .is_some_and(|c| matches!(c, VerbClass::Postpone | VerbClass::Advance))
            || phrasal_around(toks, v, end).is_some()
    };
    // The noun as subject: skip its complements to the verb group after it
    // (not a participle that describes it: "a withdrawal ordered by the junta").
    if let Some(found) = subject_of(toks, clause, m, end, aspect).filter(|_| !object_of_change) {
        let h = found.2.unwrap_or(end);
        let reduced = toks
            .get(h)
            .is_some_and(|t| t.verb_form() == Form::PastOrParticiple)
            && found.0.start == h
            && toks.get(h + 1).is_some_and(|t| {
                t.is("by") || t.is("in") || t.is("last") || t.is("earlier") || t.is("at")
            });
        // "stopped the planned withdrawal ... that was ordered last year":
        // a relative clause describes the object of the verb before it.
        let relative = np_start > clause.start
            && found.0.start > end
            && toks[found.0.start - 1].is("that") | toks[found.0.start - 1].is("which");
        if !reduced && !relative {
            return found;
        }
    }
    // A verb before the noun phrase: "completed its withdrawal" (not a
    // speech verb: "said the withdrawal would ..." has its verb after).
    if np_start > clause.start {
        let mut v = np_start - 1;
        // "described the move as the start of the withdrawal": the marking
        // verb before its object and "as".
        if toks[v].is("as") {
            if let Some(m) = (clause.start.max(v.saturating_sub(6))..v)
                .rev()
                .find(|&k| toks[k].info.is_some_and(|i| i.tags.has(Tags::MARKING)))
            {
                v = m;
            }
        }
        // "agreed on a plan for the staged departure", "signed a deal on the
        // withdrawal": the verb of the plan is the event's.
        if (toks[v].is("for") || toks[v].is("on")) && v > clause.start + 1 {
            let plan_noun = v - 1;
            let p = &toks[plan_noun];
            if p.has(Tags::REFERENCE)
                || p.has(Tags::OTHER_EVENT)
                || matches!(
                    p.lower.as_ref(),
                    "plan" | "plans" | "roadmap" | "framework" | "arrangement" | "understanding"
                )
            {
                let mut k = plan_noun;
                while k > clause.start
                    && plan_noun - k < 4
                    && (toks[k - 1].has(Tags::DET) || toks[k - 1].is("on") || toks[k - 1].is("to"))
                {
                    k -= 1;
                }
                // "pushing back the date for their withdrawal": past the particle.
                if k > clause.start + 1
                    && matches!(toks[k - 1].lower.as_ref(), "back" | "up" | "forward")
                    && verb_class_at(toks, k - 2).is_some()
                {
                    k -= 1;
                }
                // A decision about the plan is one about the withdrawal; its
                // stage is not ("finalised the plan for the withdrawal"), but
                // moving its date is ("pushed back the date for the withdrawal").
                if k > clause.start
                    && toks[k - 1].verb_form().is_verb()
                    && verb_class_at(toks, k - 1).is_none_or(|c| {
                        aspect_of(c).is_none()
                            || matches!(c, VerbClass::Postpone | VerbClass::Advance)
                    })
                {
                    v = k - 1;
                }
            }
        }
        // "called for a troop reduction", "pushed back the withdrawal": a
        // phrasal verb before its object.
        let particle = toks[v].has(Tags::PREP)
            || matches!(toks[v].lower.as_ref(), "back" | "up" | "down" | "forward");
        if v > clause.start && particle && verb_class_at(toks, v - 1).is_some() {
            v -= 1;
        }
        let vt = &toks[v];
        if vt.verb_form().is_verb() && !vt.has(Tags::BE) && !vt.has(Tags::HAVE) {
            let g = clauses::verb_group(toks, clause, v);
            let mut g = g;
            if let Some(class) = phrasal_around(toks, v, end).or_else(|| verb_class_at(toks, v)) {
                g.controls.insert(0, clauses::Control { class, tok: v });
                if aspect == Aspect::Plain {
                    aspect = aspect_of(class).unwrap_or(Aspect::Plain);
                }
            }
            return (g, aspect, Some(v));
        }
    }
    (VerbGroup::default(), aspect, None)
}

/// The verb group after a noun that is its subject ("the withdrawal will be
/// completed", "the pullout has begun", "the withdrawal is complete").
fn subject_of(
    toks: &[Token],
    clause: &Clause,
    m: &Mentions,
    end: usize,
    mut aspect: Aspect,
) -> Option<(VerbGroup, Aspect, Option<usize>)> {
    let in_force = |k: usize| {
        m.forces
            .iter()
            .any(|f| k >= f.start && k < f.end && !f.bare_name)
    };
    let mut j = end;
    let mut steps = 0;
    while j < clause.end && steps < 14 {
        let t = &toks[j];
        let tags = t.tags();
        if tags.has(Tags::BE)
            || tags.has(Tags::HAVE)
            || tags.has(Tags::MODAL_PLAN)
            || tags.has(Tags::MODAL_EXPECTED)
            || tags.has(Tags::MODAL_POSSIBLE)
            || tags.has(Tags::NEG)
        {
            break;
        }
        // "the sites where troops are based": the verb after a relative word
        // is the relative clause's.
        if tags.has(Tags::REL) || t.is("where") {
            return None;
        }
        if matches!(t.verb_form(), Form::Past | Form::Present3)
            && !t.cap
            && !in_force(j)
            && !m.in_time(j)
        {
            break;
        }
        // "the withdrawal of forces stationed in the north will end": a
        // participle describing the force, not the noun's verb.
        let describes_force = m.forces.iter().any(|f| f.end == j && !f.bare_name)
            && toks.get(j + 1).is_some_and(|x| x.has(Tags::PREP));
        if t.verb_form() == Form::PastOrParticiple
            && !t.cap
            && !toks[j - 1].has(Tags::DET)
            && !describes_force
        {
            break;
        }
        // "The initial phase of the withdrawal, from South Kivu, was completed":
        // a short aside between commas.
        if t.is(",") && toks.get(j + 1).is_some_and(|x| x.has(Tags::PREP)) {
            if let Some(close) = (j + 2..(j + 8).min(clause.end)).find(|&k| toks[k].is(",")) {
                j = close + 1;
                steps += 1;
                continue;
            }
        }
        if t.is_punct() && !matches!(t.kind, Kind::Punct('.' | '\'' | '’' | '-')) {
            return None;
        }
        j += 1;
        steps += 1;
    }
    // Walk the group forward to its head verb.
    let mut h = j;
    while h < clause.end {
        let t = &toks[h];
        let tags = t.tags();
        let aux = tags.has(Tags::BE)
            || tags.has(Tags::HAVE)
            || tags.has(Tags::DO)
            || tags.has(Tags::MODAL_PLAN)
            || tags.has(Tags::MODAL_EXPECTED)
            || tags.has(Tags::MODAL_POSSIBLE)
            || tags.has(Tags::NEG)
            || tags.has(Tags::ADV)
            || t.is("to");
        if !aux {
            break;
        }
        h += 1;
    }
    if h >= clause.end || h > j + 6 || j >= clause.end {
        return None;
    }
    let h = past_governing_verb(toks, clause, h);
    let head = &toks[h];
    // "is complete", "is over", "is under way", "remains on track".
    let adjective = match head.lower.as_ref() {
        "complete" | "over" | "done" | "finished" => Some(Aspect::Completion),
        "under" if toks.get(h + 1).is_some_and(|x| x.is("way")) => Some(Aspect::Progress),
        "underway" | "ongoing" | "proceeding" => Some(Aspect::Progress),
        "in" if toks
            .get(h + 1)
            .is_some_and(|x| x.is("progress") || x.is("full")) =>
        {
            Some(Aspect::Progress)
        }
        _ => None,
    };
    if let Some(a) = adjective {
        if h > j {
            // The group of the copula before the adjective.
            let mut g = clauses::verb_group(toks, clause, h - 1);
            if toks[h - 1].has(Tags::BE) {
                g.tense = match toks[h - 1].lower.as_ref() {
                    "was" | "were" => Tense::Past,
                    "is" | "are" | "'s" => Tense::Present,
                    _ => g.tense,
                };
            }
            g.head = h;
            if aspect == Aspect::Plain {
                aspect = a;
            }
            return Some((g, aspect, Some(h)));
        }
    }
    if !head.verb_form().is_verb() || in_force(h) {
        return None;
    }
    let mut g = clauses::verb_group(toks, clause, h);
    if let Some(class) = verb_class_at(toks, h) {
        g.controls.insert(0, clauses::Control { class, tok: h });
        if aspect == Aspect::Plain {
            aspect = aspect_of(class).unwrap_or(Aspect::Plain);
        }
    } else if matches!(
        head.verb_form(),
        Form::Past | Form::Present3 | Form::PastOrParticiple | Form::Base
    ) && head.info.is_some_and(|i| {
        i.entries
            .iter()
            .any(|e| matches!(e.kind, EntryKind::Pred(PredClass::Leave)))
    }) {
        // "the pullout left ..." is no governor.
        return None;
    }
    Some((g, aspect, Some(h)))
}

/// Reads every event mention of a sentence.
pub fn find(toks: &[Token], clauses: &[Clause], m: &Mentions) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    for (class, start, end, nominal) in triggers(toks, m) {
        // "progress made in replacing its personnel", "talks on withdrawing":
        // a gerund after these prepositions names the event as a noun does.
        let nominal = nominal
            || start > 0
                && toks[start].verb_form() == Form::Gerund
                && matches!(
                    toks[start - 1].lower.as_ref(),
                    "in" | "of" | "on" | "about" | "for" | "toward" | "towards"
                );
        let ci = clauses::clause_of(clauses, start);
        let clause = &clauses[ci];
        let (mut group, mut aspect, governor) = if nominal {
            governing(toks, clause, m, start, end)
        } else {
            (
                clauses::verb_group(toks, clause, start),
                Aspect::Plain,
                None,
            )
        };
        // A headline's "Germany to withdraw troops": "to" stands for "will".
        if !nominal
            && group.tense == Tense::None
            && group.modal.is_none()
            && start >= 2
            && toks[start - 1].is("to")
            && m.forces.iter().any(|f| f.start == 0 && f.end == start - 1)
        {
            group.tense = Tense::Future;
            group.modal = Some(clauses::Modal::Plan);
        }
        if !nominal {
            for c in &group.controls {
                if let Some(a) = aspect_of(c.class) {
                    aspect = a;
                    break;
                }
            }
        }
        // "the withdrawal, set to begin in May": a participle clause after the noun.
        if nominal && governor.is_none() && group == VerbGroup::default() {
            group.start = start;
            group.head = start;
        }
        inherit(toks, clauses, ci, nominal, &mut group);
        // "2,000 troops are deployed in X": a state, the force's presence,
        // not its arrival ("are being deployed", "were deployed" arrive).
        let class = if class == PredClass::Arrive
            && !nominal
            && group.passive
            && group.tense == Tense::Present
            && !group.progressive
            && !group.perfect
            && group.modal.is_none()
        {
            PredClass::Stay
        } else {
            class
        };
        let mut ev = Event::bare(class, (start, end), nominal, ci, group, aspect, governor);
        arguments(toks, clauses, m, &mut ev, &out);
        denied_complement(toks, m, &mut ev);
        // Leaving with an object leaves a place or takes troops: "withdrew its
        // ambassador", "quit the G5 Sahel", "left office" are other matters.
        if ev.class == PredClass::Leave && !nominal && !leaves_troops_or_place(toks, m, &ev, start)
        {
            continue;
        }
        // ", leaving the Kossei base as its only remaining site": what is
        // left in place stays.
        if ev.class == PredClass::Leave && !nominal && toks[start].verb_form() == Form::Gerund {
            let hi = toks.len().min(end + 12);
            let stays = (end..hi).any(|k| {
                toks[k].is("as")
                    && toks[k + 1..(k + 5).min(hi)]
                        .iter()
                        .any(|t| matches!(t.lower.as_ref(), "only" | "last" | "sole" | "remaining"))
            });
            if stays {
                ev.class = PredClass::Stay;
            }
        }
        // "the gap left by a bilateral deployment", "the vacuum left by the
        // pullout": a participle describing a noun that is no place, post or force.
        if ev.class == PredClass::Leave && !nominal && describes_other_noun(toks, m, &ev) {
            continue;
        }
        // "left its camp at Ber and handed it over": "it" is the base of
        // the clause before.
        if matches!(ev.class, PredClass::HandOver | PredClass::Receive)
            && ev.source.is_none()
            && ev.bases.is_empty()
            && toks
                .get(start + 1)
                .is_some_and(|t| t.is("it") || t.is("them"))
        {
            if let Some(prev) = out
                .iter()
                .rev()
                .find(|e| e.clause < ev.clause && !e.bases.is_empty())
            {
                ev.bases = prev.bases.clone();
                ev.source = prev.source;
            }
        }
        // "they will return to South Africa": a force going to a country
        // leaves where it was (whether that is home or the host, the frame
        // decides: `frames::assign`).
        if ev.class == PredClass::HandOver
            && !nominal
            && ev.source.is_none()
            && ev.bases.is_empty()
            && ev.agent.is_some()
            && matches!(
                toks[start].lower.as_ref(),
                "return" | "returns" | "returned" | "returning"
            )
            && toks.get(end).is_some_and(|t| t.is("to"))
        {
            let dest = m.places.iter().position(|p| {
                p.kind == PlaceKind::Country
                    && (p.start == end + 1 || p.start == end + 2 && toks[end + 1].has(Tags::DET))
            });
            if dest.is_some() {
                ev.class = PredClass::Leave;
                ev.destination = dest;
                ev.receiver = None;
            }
        }
        // Handing over and taking over need something handed: a base or a
        // place ("returned to the country" is going home, not a handover).
        if matches!(ev.class, PredClass::HandOver | PredClass::Receive)
            && ev.source.is_none()
            && ev.bases.is_empty()
        {
            continue;
        }
        out.push(ev);
    }
    aspect_of_stages(toks, clauses, m, &mut out);
    attach_times(clauses, m, &mut out);
    out
}

/// "denied reports the U.S. will keep 1,000 troops", "denies that its
/// troops have left": a clause that is what was denied.
fn denied_complement(toks: &[Token], m: &Mentions, ev: &mut Event) {
    if ev.nominal {
        return;
    }
    let subject = ev
        .agent
        .and_then(|a| m.forces.get(a))
        .filter(|f| f.end <= ev.group.start)
        .map_or(ev.group.start, |f| f.start);
    let mut k = subject;
    while k > 0 && toks[k - 1].has(Tags::DET) {
        k -= 1;
    }
    if k > 0 && toks[k - 1].is("that") {
        k -= 1;
    }
    if k > 0
        && matches!(
            toks[k - 1].lower.as_ref(),
            "reports"
                | "claims"
                | "suggestions"
                | "speculation"
                | "rumours"
                | "rumors"
                | "allegations"
        )
    {
        k -= 1;
    }
    if k > 0 && verb_class_at(toks, k - 1) == Some(VerbClass::Deny) {
        ev.group.controls.insert(
            0,
            clauses::Control {
                class: VerbClass::Deny,
                tok: k - 1,
            },
        );
    }
}

/// "the first phase ends by May", "ended its military presence", "the
/// mission will conclude in June": an aspect verb whose subject or object is
/// a phase or the deployment itself speaks of the withdrawal; and "... and
/// the second phase by June" repeats the event before it for another phase.
fn aspect_of_stages(toks: &[Token], clauses: &[Clause], m: &Mentions, out: &mut Vec<Event>) {
    let taken = |out: &[Event], i: usize| out.iter().any(|e| i >= e.start && i < e.end);
    for (i, t) in toks.iter().enumerate() {
        let Some(class) = verb_entry_class(t) else {
            continue;
        };
        let Some(aspect) = aspect_of(class) else {
            continue;
        };
        if !t.verb_form().is_verb()
            || noun_position(toks, i) && t.verb_form() != Form::Past
            || m.in_time(i)
        {
            continue;
        }
        let ci = clauses::clause_of(clauses, i);
        let clause = &clauses[ci];
        let group = clauses::verb_group(toks, clause, i);
        // Subject: a phase or event noun ending just before the group.
        let subject = (clause.start..group.start)
            .rev()
            .take(3)
            .find(|&k| toks[k].has(Tags::PHASE) || toks[k].has(Tags::EVENT_NOUN));
        // Object: "ended its presence", "completed the first phase".
        let object = (i + 1..clause.end.min(i + 5)).find(|&k| {
            (toks[k].has(Tags::PHASE) || toks[k].has(Tags::EVENT_NOUN)) && !toks[k].is("presence")
                || toks[k].is("presence")
        });
        // The deployment itself only ends or begins ("ended its presence");
        // "the mission stops its operations" halts nothing of a withdrawal.
        let subject =
            subject.filter(|&k| toks[k].has(Tags::PHASE) || matches!(class, VerbClass::Complete));
        let object =
            object.filter(|&k| toks[k].has(Tags::PHASE) || matches!(class, VerbClass::Complete));
        let Some(noun) = subject.or(object) else {
            // "will start on May 1 and end by September": the same event again.
            let coordinated = i > clause.start && toks[i - 1].is("and")
                || i > clause.start + 1 && toks[i - 1].has(Tags::ADV) && toks[i - 2].is("and");
            if coordinated {
                if let Some(prev) = out
                    .iter()
                    .filter(|e| e.clause == ci && e.start < i && e.governor.is_some_and(|g| g < i))
                    .max_by_key(|e| e.start)
                    .cloned()
                {
                    let mut ev = prev;
                    ev.group.controls.retain(|c| aspect_of(c.class).is_none());
                    ev.group
                        .controls
                        .insert(0, clauses::Control { class, tok: i });
                    ev.aspect = aspect;
                    ev.governor = Some(i);
                    ev.times.clear();
                    ev.start = i;
                    ev.end = i + 1;
                    out.push(ev);
                }
            }
            continue;
        };
        if taken(out, noun) || out.iter().any(|e| e.clause == ci && e.governor == Some(i)) {
            continue;
        }
        // A phase needs its number or "final"; an event noun its force or the story.
        if toks[noun].has(Tags::PHASE) && !m.phases.iter().any(|p| noun >= p.start && noun < p.end)
        {
            continue;
        }
        let mut g = group;
        g.controls.insert(0, clauses::Control { class, tok: i });
        // "withdrew from them, completing the first stage": a participle
        // clause on a phase takes its tense from the clause before.
        if toks[noun].has(Tags::PHASE)
            && t.verb_form() == Form::Gerund
            && clause.opener == clauses::Opener::Participle
        {
            inherit(toks, clauses, ci, true, &mut g);
        }
        let mut ev = Event::bare(
            PredClass::Leave,
            (noun, noun + 1),
            true,
            ci,
            g,
            aspect,
            Some(i),
        );
        arguments(toks, clauses, m, &mut ev, out);
        if toks[noun].has(Tags::PHASE) {
            ev.phase = m
                .phases
                .iter()
                .position(|p| noun >= p.start && noun < p.end);
        }
        out.push(ev);
    }
    // "the official end of French military operations", "the start of the
    // mission's drawdown": an aspect noun before an event noun.
    for (n, t) in toks.iter().enumerate() {
        if !t.has(Tags::EVENT_NOUN) || taken(out, n) {
            continue;
        }
        let mut k = n;
        // "the end of the one-year-long mission": a duration describes it.
        while k > 0
            && (toks[k - 1].has(Tags::DET)
                || toks[k - 1].cap
                || toks[k - 1].is("military")
                || toks[k - 1].is("'s")
                || toks[k - 1].acronym
                || duration_adjective(toks, k))
        {
            k -= 1;
        }
        if k < 2 || !toks[k - 1].is("of") || aspect_noun(&toks[k - 2].lower).is_none() {
            continue;
        }
        let ci = clauses::clause_of(clauses, n);
        let clause = &clauses[ci];
        let (mut group, aspect, governor) = governing(toks, clause, m, n, n + 1);
        if aspect == Aspect::Plain {
            continue;
        }
        inherit(toks, clauses, ci, true, &mut group);
        let mut ev = Event::bare(
            PredClass::Leave,
            (n, n + 1),
            true,
            ci,
            group,
            aspect,
            governor,
        );
        arguments(toks, clauses, m, &mut ev, out);
        out.push(ev);
    }
    // Ellipsis: "the first phase ends by May and the second phase by June".
    for (pi, p) in m.phases.iter().enumerate() {
        if p.total.is_some()
            || out
                .iter()
                .any(|e| e.phase == Some(pi) && e.start >= p.start.saturating_sub(8))
                && out.iter().any(|e| e.start >= p.start && e.start < p.end)
        {
            continue;
        }
        let joined = p.start > 0 && (toks[p.start - 1].is("and") || toks[p.start - 1].is(","))
            || p.start > 1 && toks[p.start - 1].is("the") && toks[p.start - 2].is("and");
        let next_is_time = m
            .times
            .iter()
            .any(|t| t.start == p.end || t.start == p.end + 1);
        if !joined || !next_is_time {
            continue;
        }
        let ci = clauses::clause_of(clauses, p.start);
        let Some(prev) = out
            .iter()
            .filter(|e| e.start < p.start && (e.clause == ci || e.clause + 1 == ci))
            .max_by_key(|e| e.start)
            .cloned()
        else {
            continue;
        };
        let mut ev = prev;
        ev.start = p.start;
        ev.end = p.end;
        ev.clause = ci;
        ev.times.clear();
        ev.phase = Some(pi);
        out.push(ev);
    }
    out.sort_by_key(|e| e.start);
}

/// A group with no tense of its own takes the sentence's: a participle
/// clause shares its reality (", marking the start of the withdrawal"), an
/// infinitive is a plan as of then ("gave France a month to withdraw"), a
/// bare noun its clause's time ("before departure on Tuesday").
fn inherit(toks: &[Token], clauses: &[Clause], ci: usize, nominal: bool, group: &mut VerbGroup) {
    if group.tense != Tense::None || group.modal.is_some() {
        return;
    }
    // "to come home": "come" is also a participle, so "to" decides too.
    let after_to = group.head > 0 && toks[group.head - 1].is("to");
    let infinitive = !nominal
        && toks
            .get(group.head)
            .is_some_and(|t| t.verb_form() == Form::Base || after_to)
        && group.controls.is_empty();
    // The nearest verb before the event that has a tense, or is an
    // infinitive ("to propose a doctrine involving the end of ..." is a plan).
    let mut from = group.start.min(group.head);
    let mut found: Option<VerbGroup> = None;
    while from > 0 {
        let k = from - 1;
        let t = &toks[k];
        // An unknown word after "to" is an infinitive ("to terminate").
        let infinitive_word = k > 0
            && toks[k - 1].is("to")
            && t.is_word()
            && !t.cap
            && t.info
                .is_none_or(|i| i.tags == Tags::default() && i.entries.is_empty());
        let verbish = t.is_word()
            && !(t.cap && k > 0)
            && (t.verb_form().is_verb()
                || infinitive_word
                || t.has(Tags::MODAL_PLAN)
                || t.has(Tags::MODAL_POSSIBLE)
                || t.has(Tags::MODAL_EXPECTED));
        // A reporting verb lends no tense: "an official said some of the
        // units leaving Germany could be sent ..." says nothing of when.
        if clauses::is_reporting(t) {
            from = k;
            continue;
        }
        if verbish
            && !t.has(Tags::BE)
            && !t.has(Tags::HAVE)
            && !t.has(Tags::DO)
            && !t.has(Tags::FORCE)
        {
            let kc = clauses::clause_of(clauses, k);
            let c = clauses[kc];
            let mut g = clauses::verb_group(toks, &c, k);
            // "withdraw from the positions (which) it has held ..., completing
            // its pullout": a relative clause describes a noun; the participle
            // takes its tense from the clause the noun is in.
            let relative = kc != ci && c.opener == clauses::Opener::Relative
                || contact_relative(toks, g.start.min(k));
            if relative {
                from = g.start.min(k);
                continue;
            }
            // "has decided to terminate ..., withdrawing": the decision governs.
            if let Some(class) = verb_entry_class(t) {
                g.controls.insert(0, clauses::Control { class, tok: k });
            }
            if g.tense != Tense::None || g.modal.is_some() {
                found = Some(g);
                break;
            }
            if k > 0 && toks[k - 1].is("to") {
                let mut plan = g;
                plan.modal = Some(clauses::Modal::Plan);
                plan.tense = Tense::Future;
                found = Some(plan);
                break;
            }
            from = g.start.min(k);
            continue;
        }
        from = k;
    }
    // Nothing before it: the sentence's first finite verb after it.
    let Some(main) = found.or_else(|| clauses::main_group(toks, clauses, usize::MAX)) else {
        let _ = ci;
        return;
    };
    group.tense = main.tense;
    group.perfect = main.perfect;
    group.past_perfect = main.past_perfect;
    group.negated |= main.negated;
    group.modal = main.modal;
    group.inherited = true;
    if infinitive && group.modal.is_none() {
        group.modal = Some(clauses::Modal::Plan);
    }
    for c in main.controls {
        if !group.controls.contains(&c) {
            group.controls.push(c);
        }
    }
}

/// "The Bangladeshi contingent serving with the UN mission ... will leave":
/// a force inside a participle phrase after another force describes that
/// one, which is the subject. Returns the force the phrase hangs on, or `i`.
fn head_before_modifier(toks: &[Token], m: &Mentions, i: usize, lo: usize) -> usize {
    let Some(f) = m.forces.get(i) else { return i };
    let mut k = f.start;
    while k > lo && toks[k - 1].has(Tags::DET) {
        k -= 1;
    }
    let participle_prep = k >= lo + 2
        && toks[k - 1].has(Tags::PREP)
        && matches!(
            toks[k - 2].verb_form(),
            Form::Gerund | Form::PastOrParticiple | Form::Participle
        );
    if !participle_prep {
        return i;
    }
    m.forces
        .iter()
        .position(|g| g.end == k - 2 && g.start >= lo && !g.bare_name && g.who != Who::Pronoun)
        .unwrap_or(i)
}

/// A bare participle right after a common noun that is neither a place, a
/// post nor a force, with "by" after it: "the gap left by the troops".
fn describes_other_noun(toks: &[Token], m: &Mentions, ev: &Event) -> bool {
    let Some(n) = ev.start.checked_sub(1) else {
        return false;
    };
    let noun = &toks[n];
    ev.group.start == ev.start
        && toks[ev.start].verb_form() == Form::PastOrParticiple
        && toks.get(ev.end).is_some_and(|t| t.is("by"))
        && noun.is_word()
        && !noun.cap
        && noun.verb_form() == Form::Other
        && noun.info.is_none_or(|i| i.tags == Tags::default())
        && !m.in_name(n)
}

/// The force after "by" of a passive or a participle ("was vacated by the
/// army", "positions vacated by Israel"), within a few words of the verb.
fn by_agent(toks: &[Token], m: &Mentions, ev: &Event) -> Option<usize> {
    let participle = toks
        .get(ev.start)
        .is_some_and(|t| matches!(t.verb_form(), Form::PastOrParticiple | Form::Past));
    if !(ev.group.passive || participle) {
        return None;
    }
    let by = (ev.end..(ev.end + 3).min(toks.len())).find(|&k| toks[k].is("by"))?;
    m.forces
        .iter()
        .position(|f| f.start == by + 1 || f.start == by + 2 && toks[by + 1].has(Tags::DET))
}

/// Does the verb group starting at `g` open a relative clause without a
/// relative word: a noun, then a pronoun subject ("the positions it has
/// held", "the bases they still use")? Not after a verb ("said it had").
fn contact_relative(toks: &[Token], g: usize) -> bool {
    let Some(p) = g.checked_sub(1) else {
        return false;
    };
    let pronoun = matches!(toks[p].lower.as_ref(), "it" | "they" | "we" | "he" | "she");
    let closed = |t: &Token| {
        [
            Tags::PREP,
            Tags::DET,
            Tags::CONJ,
            Tags::SUB,
            Tags::REL,
            Tags::ADV,
            Tags::PRON,
        ]
        .into_iter()
        .any(|c| t.has(c))
    };
    pronoun
        && p > 0
        && toks[p - 1].is_word()
        && !toks[p - 1].cap
        && !closed(&toks[p - 1])
        && toks[p - 1].verb_form() == Form::Other
}

/// Is the object of a leave verb (if it has one) troops, a place or a base?
fn leaves_troops_or_place(toks: &[Token], m: &Mentions, ev: &Event, head: usize) -> bool {
    let mut k = head + 1;
    // Past articles, adverbs and a direction ("leave central Iraq").
    while k < toks.len()
        && (toks[k].has(Tags::DET)
            || toks[k].has(Tags::ADV) && !toks[k].has(Tags::PREP)
            || toks[k].is_direction())
        && !m.in_time(k)
    {
        k += 1;
    }
    let Some(t) = toks.get(k) else { return true };
    let starts = |k: usize| {
        m.in_name(k)
            || m.counts.iter().any(|c| c.start <= k && k < c.end)
            || m.phases.iter().any(|p| p.start <= k && k < p.end)
            || m.in_time(k)
    };
    // "withdrew from peace talks", "pulled out of the deal": leaving an
    // event or an agreement, not a place.
    if t.is("from") || t.is("of") && k > head + 1 && toks[k - 1].is("out") || t.is("out") {
        let from = if t.is("out") { k + 2 } else { k + 1 };
        let noun = (from..(from + 3).min(toks.len()))
            .take_while(|&j| !starts(j) && toks[j].is_word())
            .find(|&j| toks[j].has(Tags::OTHER_EVENT));
        if noun.is_some() && (t.is("from") || toks.get(k + 1).is_some_and(|x| x.is("of"))) {
            return false;
        }
    }
    if t.is_punct()
        || t.has(Tags::PREP)
        || t.has(Tags::CONJ)
        || t.has(Tags::SUB)
        || t.has(Tags::REL)
        || starts(k)
    {
        return true;
    }
    if t.has(Tags::FORCE)
        || t.has(Tags::BASE)
        || t.has(Tags::HOST_NOUN)
        || t.has(Tags::PHASE)
        || t.is("them")
        || t.kind == Kind::Number
    {
        return true;
    }
    // Particles and verbs: "pull out", "be back home", "leave behind", "left and ...".
    let particle = ev.end == k + 1
        || k < ev.end
            && toks[k..ev.end].iter().all(|t| {
                matches!(
                    t.lower.as_ref(),
                    "back" | "home" | "out" | "down" | "off" | "away" | "up" | "over"
                )
            });
    if particle || t.verb_form().is_verb() || t.has(Tags::NEG) || t.is("home") || t.is("behind") {
        return true;
    }
    // An unknown capitalised place ("left Goma") only for troops leaving it.
    if t.cap {
        let agent_is_troops = ev
            .agent
            .and_then(|a| m.forces.get(a))
            .is_some_and(|f| !f.bare_name && !matches!(f.who, Who::Pronoun));
        return agent_is_troops;
    }
    false
}

/// Is the token before `k` part of a duration said of a noun: "one year
/// long", "two-year", "decade-long"?
fn duration_adjective(toks: &[Token], k: usize) -> bool {
    let word = |i: usize| toks.get(i).map_or("", |t| t.lower.as_ref());
    let unit = |w: &str| {
        matches!(
            w.trim_end_matches('s'),
            "year" | "month" | "week" | "decade" | "day"
        )
    };
    let w = word(k - 1);
    w == "long" && k >= 2 && (unit(word(k - 2)) || word(k - 2) == "-")
        || w == "-"
        || unit(w) && toks.get(k).is_some_and(|t| t.is("long") || t.is("-"))
        || (toks[k - 1].kind == Kind::Number || CARDINALS.iter().any(|(c, _)| *c == w))
            && k < toks.len()
            && (unit(word(k)) || word(k) == "-")
}

/// Fills the agent, theme, source, receiver, counts, phase and bases of one event.
fn arguments(toks: &[Token], clauses: &[Clause], m: &Mentions, ev: &mut Event, before: &[Event]) {
    let clause = clauses[ev.clause];
    let lo = clause.start;
    let hi = clause.end;
    let left_edge = ev.group.start.min(ev.start);
    // Forces in the clause before the group (the subject), nearest first.
    let subject = m
        .forces
        .iter()
        .enumerate()
        .filter(|(_, f)| f.end <= left_edge && f.start >= lo)
        .filter(|(_, f)| {
            !f.possessive
                || matches!(f.who, Who::Pronoun)
                    && !toks.get(f.end).is_some_and(|n| n.has(Tags::FORCE))
        })
        // "the last soldiers in Niger will leave": a name in a phrase is no
        // subject; a bare name is one only right before its verb.
        .filter(|(_, f)| !(f.bare_name && (f.in_phrase || !f.subject)))
        .max_by_key(|(_, f)| f.end)
        .map(|(i, _)| i)
        .map(|i| head_before_modifier(toks, m, i, lo));
    // "ordered U.S. troops to leave", "gave France one month to withdraw",
    // "for French troops to leave": the noun phrase before the infinitive is
    // its subject.
    let demanded = (!ev.nominal)
        .then(|| {
            let mut k = ev.start;
            while k > lo && toks[k - 1].has(Tags::ADV) {
                k -= 1;
            }
            // Not `then_some(k - 1)`: that computes `k - 1` even when k is 0.
            if k > lo && toks[k - 1].is("to") {
                Some(k - 1)
            } else {
                None
            }
        })
        .flatten()
        .and_then(|to| {
            m.forces
                .iter()
                .enumerate()
                .filter(|(_, f)| f.end <= to && to - f.end <= 4 && f.start > lo)
                .filter(|(_, f)| {
                    let before = &toks[f.start - 1];
                    before.verb_form().is_verb()
                        || before.is("for")
                        || before.has(Tags::DET)
                            && f.start >= 2
                            && toks[f.start - 2].verb_form().is_verb()
                })
                .max_by_key(|(_, f)| f.end)
                .map(|(i, _)| i)
        });
    // A clause that continues the one before shares its subject.
    let inherited = || -> Option<usize> {
        match clause.opener {
            Opener::Relative | Opener::Coordinate | Opener::Participle => {
                // The last event of the sentence before this clause, or the last force.
                before
                    .iter()
                    .rev()
                    .find(|e| e.clause < ev.clause && e.agent.is_some())
                    .and_then(|e| e.agent)
                    .or_else(|| {
                        m.forces
                            .iter()
                            .enumerate()
                            // Not a country named as a place ("the force
                            // in southern Lebanon"); a demonym is a force.
                            .filter(|(_, f)| {
                                f.end <= lo
                                    && !(f.bare_name
                                        && f.in_phrase
                                        && m.places.iter().any(|p| p.start == f.start))
                            })
                            .max_by_key(|(_, f)| f.end)
                            .map(|(i, _)| i)
                    })
            }
            _ => None,
        }
    };
    if ev.nominal {
        // "the withdrawal of U.S. troops", "France's withdrawal", "the French
        // withdrawal", "the U.S. troop withdrawal".
        let of = (ev.end < hi && toks[ev.end].is("of"))
            .then(|| {
                m.forces.iter().position(|f| {
                    f.start == ev.end + 1
                        || f.start == ev.end + 2 && toks[ev.end + 1].has(Tags::DET)
                        || f.start > ev.end
                            && f.start <= ev.end + 4
                            && toks[ev.end + 1..f.start].iter().all(|t| {
                                t.has(Tags::DET)
                                    || t.kind == Kind::Number
                                    || t.is("the")
                                    || t.is("of")
                            })
                })
            })
            .flatten();
        let pre = m
            .forces
            .iter()
            .enumerate()
            .filter(|(_, f)| f.end <= ev.start && f.end + 3 >= ev.start && f.start >= lo)
            .filter(|(_, f)| {
                toks[f.end..ev.start].iter().all(|t| {
                    t.is("'s")
                        || t.is("troop")
                        || t.is("military")
                        || t.has(Tags::DET)
                        || t.is("full")
                        || t.is("complete")
                        || t.is("total")
                        || t.is("final")
                        || t.is("gradual")
                        || t.is("planned")
                        || t.is("phased")
                })
            })
            .max_by_key(|(_, f)| f.end)
            .map(|(i, _)| i);
        // "end the UN peacekeeping mission in Mali": the noun names the force.
        let itself = m.forces.iter().position(|f| {
            !f.bare_name && f.start <= ev.start && ev.start < f.end && f.end - f.start > 1
        });
        ev.agent = itself.or(of).or(pre);
        // "The U.S. has begun its withdrawal": the governing verb's subject;
        // also over bare "troops" ("the contingent completed the withdrawal
        // of troops").
        // "German soldiers are to end their involvement": "their" is the subject's.
        let generic = ev
            .agent
            .and_then(|a| m.forces.get(a))
            .is_some_and(|f| matches!(f.who, Who::Generic | Who::Pronoun));
        if (ev.agent.is_none() || generic) && ev.governor.is_some() {
            let g = ev.group.start;
            let subject = m
                .forces
                .iter()
                .enumerate()
                .filter(|(_, f)| f.end <= g && f.start >= lo && !f.possessive)
                .filter(|(_, f)| {
                    !generic
                        || !matches!(f.who, Who::Generic | Who::Pronoun)
                            && !f.in_phrase
                            && (!f.bare_name || f.subject)
                })
                .max_by_key(|(_, f)| f.end)
                .map(|(i, _)| i);
            ev.agent = if generic {
                subject.or(ev.agent)
            } else {
                subject.or_else(inherited)
            };
        }
    } else if ev.class == PredClass::Receive {
        // The subject receives; the leaving force is not named here.
        ev.receiver = subject;
    } else if let Some(by) = by_agent(toks, m, ev) {
        // "the base was handed over by French troops", "hilltops vacated by
        // Israel": a passive's agent is the one after "by".
        ev.agent = Some(by);
    } else if ev.group.passive {
        // "troops were withdrawn", "the base was handed over".
        ev.agent = subject.or(demanded).or_else(inherited);
    } else {
        ev.agent = demanded.or(subject).or_else(inherited);
    }
    // "no troops would leave", "none of the soldiers has left": denied.
    let none_of = |f: &super::entities::Force| {
        f.start >= 1 && toks[f.start - 1].is("no")
            || f.start >= 2 && toks[f.start - 2].is("none") && toks[f.start - 1].is("of")
            || f.start >= 3 && toks[f.start - 3].is("none") && toks[f.start - 2].is("of")
    };
    if ev.agent.and_then(|a| m.forces.get(a)).is_some_and(none_of) {
        ev.group.negated = true;
    }
    // The theme: the first force after the trigger ("withdraw its troops").
    let after_from = ev.end;
    ev.theme = m.forces.iter().position(|f| {
        f.start >= after_from && f.start < hi && f.start <= after_from + 3 && !f.bare_name
    });
    if ev.agent.is_none()
        && ev.theme.is_some()
        && (ev.group.passive || ev.class == PredClass::Level)
    {
        ev.agent = ev.theme;
    }
    // The source: "from X", "out of X", the object of leave/exit/quit, "in X".
    let mut source = None;
    let mut posts_named_before = false;
    let scan_from = ev.end;
    let mut j = scan_from;
    let mut steps = 0;
    while j < hi && steps < 12 {
        let t = &toks[j];
        let direct = {
            let mut k = scan_from;
            while k < j && toks[k].has(Tags::DET) {
                k += 1;
            }
            k == j
        };
        let before = prep_before(toks, j, scan_from);
        let after_prep = matches!(
            before,
            Some("from" | "of" | "in" | "on" | "at" | "across" | "out")
        );
        if let Some(bi) = m.bases.iter().position(|b| b.start == j) {
            source = Some(Source::Base(bi));
            break;
        }
        // "took the positions after Israeli forces withdrew from them": the
        // bases named before.
        if (t.is("them") || t.is("it")) && matches!(before, Some("from" | "of")) {
            if let Some(bi) = m.bases.iter().rposition(|b| b.end <= ev.start) {
                source = Some(Source::Base(bi));
                // ... posts, not the country, unless named as the last.
                posts_named_before = m.bases[bi].name.is_none();
            }
            break;
        }
        if let Some(pi) = m.places.iter().position(|p| p.start == j) {
            // "left Yerevan's Zvartnots airport": the base the place owns.
            let owned_base = toks
                .get(m.places[pi].end)
                .is_some_and(|t| t.is_possessive());
            if owned_base {
                if let Some(bi) = m.bases.iter().position(|b| b.start == m.places[pi].end + 1) {
                    source = Some(Source::Base(bi));
                    break;
                }
            }
            if after_prep || direct {
                source = Some(Source::Place(pi));
                break;
            }
        }
        if t.is_punct() && !matches!(t.kind, Kind::Punct('.' | '\'' | '’' | '-')) {
            break;
        }
        // "ended the mission after months of pressure from the United
        // States": an adjunct of time or cause opens a phrase of its own.
        if t.has(Tags::SUB) && !t.is("as")
            || matches!(t.lower.as_ref(), "amid" | "despite" | "following")
        {
            break;
        }
        if t.verb_form().is_verb()
            && j > scan_from + 1
            && !t.cap
            && t.info.is_some_and(|i| !i.tags.has(Tags::FORCE))
            && !m.in_time(j)
        {
            break;
        }
        j += 1;
        steps += 1;
    }
    // "U.S. troops in Iraq will leave": the place of the agent's noun phrase.
    if source.is_none() {
        if let Some(a) = ev.agent.and_then(|a| m.forces.get(a)) {
            let k = a.end;
            if toks
                .get(k)
                .is_some_and(|t| t.is("in") || t.is("from") || t.is("stationed") || t.is("based"))
            {
                let k2 = if toks[k].is("in") || toks[k].is("from") {
                    k + 1
                } else {
                    k + 2
                };
                source = m
                    .places
                    .iter()
                    .position(|p| p.start == k2 || p.start == k2 + 1 && toks[k2].has(Tags::DET))
                    .map(Source::Place);
            }
        }
    }
    // A fronted place: "In Iraq, the US cut its troops to 2,500" (not the
    // place of another event: "talks in Geneva on the pullout").
    if source.is_none() {
        source = m
            .places
            .iter()
            .enumerate()
            .filter(|(_, p)| p.start > lo && p.end <= ev.start && toks[p.start - 1].is("in"))
            .filter(|(_, p)| !(p.start >= 2 && toks[p.start - 2].has(Tags::OTHER_EVENT)))
            .filter(|(_, p)| {
                !m.forces
                    .iter()
                    .any(|f| !f.bare_name && p.start >= f.start && p.start <= f.end + 1)
            })
            .map(|(i, _)| Source::Place(i))
            .next();
    }
    // "..., the capital of Chad, where France keeps 1,000 soldiers".
    if source.is_none() && toks.get(lo).is_some_and(|t| t.is("where")) {
        source = m
            .places
            .iter()
            .enumerate()
            .filter(|(_, p)| p.end <= lo)
            .max_by_key(|(_, p)| p.end)
            .map(|(i, _)| Source::Place(i));
    }
    // A base or place before a passive or nominal trigger: "the base was handed over".
    if source.is_none() && (ev.group.passive || ev.nominal || ev.class == PredClass::Receive) {
        source = m
            .bases
            .iter()
            .enumerate()
            .filter(|(_, b)| b.end <= ev.start && b.start >= lo)
            .max_by_key(|(_, b)| b.end)
            .map(|(i, _)| Source::Base(i));
    }
    ev.source = source;
    ev.bases = m
        .bases
        .iter()
        .enumerate()
        .filter(|(_, b)| b.start >= lo && b.end <= hi)
        .map(|(i, _)| i)
        .collect();
    // The receiver: "to the national army", "to Iraqi control".
    if ev.class == PredClass::HandOver {
        if let Some(k) = (ev.end..hi).find(|&k| toks[k].is("to")) {
            ev.receiver = m
                .forces
                .iter()
                .position(|f| f.start > k && f.start <= k + 3);
        }
    }
    ev.counts = m
        .counts
        .iter()
        .enumerate()
        .filter(|(_, c)| c.start >= lo && c.end <= hi)
        .map(|(i, _)| i)
        .collect();
    // The phase: the nearest phase mention in the clause.
    ev.phase = m
        .phases
        .iter()
        .enumerate()
        .filter(|(_, p)| p.start >= lo && p.end <= hi && p.total.is_none())
        .min_by_key(|(_, p)| p.start.abs_diff(ev.start))
        .map(|(i, _)| i)
        // "the second group of soldiers, who left on April 9": the phase the
        // agent is part of, wherever the agent stands.
        .or_else(|| {
            let agent = ev.agent.and_then(|a| m.forces.get(a))?;
            let mut k = agent.start;
            while k > 0
                && (toks[k - 1].has(Tags::DET) || toks[k - 1].cap || toks[k - 1].is("military"))
            {
                k -= 1;
            }
            (k > 0 && toks[k - 1].is("of"))
                .then(|| {
                    m.phases
                        .iter()
                        .position(|p| p.end + 1 == k && p.total.is_none())
                })
                .flatten()
        })
        // "In the first phase, units deployed in the north are to return home
        // by November": a fronted phase frames the sentence's events.
        .or_else(|| {
            let fronted = toks
                .first()
                .is_some_and(|t| matches!(t.lower.as_ref(), "in" | "during" | "under" | "for"));
            let pi = m
                .phases
                .iter()
                .position(|p| fronted && p.start <= 2 && p.total.is_none())?;
            let comma = toks.get(m.phases[pi].end).is_some_and(|t| t.is(","));
            (comma && clause.opener != Opener::Relative && ev.start > m.phases[pi].end)
                .then_some(pi)
        });
    // Whole or part.
    let quant = ev
        .agent
        .or(ev.theme)
        .and_then(|a| m.forces.get(a))
        .map_or(Quant::None, |f| f.quant);
    // Whole-force words where the event is said: its verb group, or just after
    // it ("withdraw completely", "withdraw all of its forces").
    let near_from = ev.group.start.min(ev.start).max(lo);
    let near_to = (ev.end + 4).min(hi);
    // ... and the two words before the trigger ("a partial withdrawal").
    let said = || {
        toks[near_from..near_to]
            .iter()
            .chain(&toks[ev.start.saturating_sub(2)..ev.start])
    };
    // Not "some 300 troops": that "some" is "about".
    let share_said = (near_from..near_to)
        .chain(ev.start.saturating_sub(2)..ev.start)
        .any(|k| {
            matches!(
                toks[k].lower.as_ref(),
                "some"
                    | "portion"
                    | "part"
                    | "parts"
                    | "partial"
                    | "bulk"
                    | "several"
                    | "areas"
                    | "villages"
                    | "towns"
            ) && !(toks[k].is("some")
                && toks
                    .get(k + 1)
                    .is_some_and(|n| n.text.starts_with(|c: char| c.is_ascii_digit())))
        });
    let adverb_whole = said().any(|t| {
        matches!(
            t.lower.as_ref(),
            "fully" | "completely" | "entirely" | "totally" | "full" | "complete" | "total" | "all"
        )
    });
    // "withdraw 9,500 troops", "100 soldiers departed": a number of them, not
    // all ("the last of the 2,000", "all 2,000" are the whole).
    // "withdraw its 2,500 troops", "its some 200-400 personnel": a number
    // after a possessive is the whole of that force.
    let possessed = |c: &super::entities::Count| {
        let j = super::tokens::before_hedges(toks, c.start, lo, false);
        j > lo && matches!(toks[j - 1].lower.as_ref(), "its" | "their" | "'s")
    };
    let count_theme = !matches!(quant, Quant::All | Quant::Last)
        && ev
            .counts
            .iter()
            .filter_map(|&c| m.counts.get(c))
            .filter(|c| !c.all && !possessed(c))
            .any(|c| {
                // After the verb, or inside a split one ("pulling 600 soldiers out").
                let inside = c.start > ev.start
                    && c.end < ev.end
                    && !matches!(
                        toks[c.start - 1].lower.as_ref(),
                        "last" | "remaining" | "final" | "all"
                    );
                let after = c.start >= ev.end && c.start <= ev.end + 3 || inside;
                let subject = c.end <= ev.group.start
                    && c.end + 2 >= ev.group.start
                    && (c.force_word || c.ceiling);
                after || subject
            });
    // "withdrawing American troops from Iraq": a force leaving a whole country,
    // with no number or share said, is the whole withdrawal.
    // "the second group of soldiers": a part, as a batch is.
    let ordinal_group = ev
        .agent
        .or(ev.theme)
        .and_then(|a| m.forces.get(a))
        .is_some_and(|f| {
            toks[f.start.saturating_sub(4).max(lo).min(f.start)..f.start]
                .iter()
                .any(|t| {
                    matches!(
                        t.lower.as_ref(),
                        "first"
                            | "second"
                            | "third"
                            | "fourth"
                            | "fifth"
                            | "next"
                            | "another"
                            | "group"
                    )
                })
        });
    // Not "from certain areas in Iraq": the country itself is what is left.
    let from_country = matches!(ev.source, Some(Source::Place(p))
    if m.places.get(p).is_some_and(|p| {
        let mut k = p.start;
        while k > 0 && toks[k - 1].has(Tags::DET) {
            k -= 1;
        }
        p.kind == PlaceKind::Country
            && (k == ev.end || k > 0 && (toks[k - 1].is("from") || toks[k - 1].is("of")))
    }));
    // Some of the places, not all.
    let number =
        |t: &Token| t.kind == Kind::Number || CARDINALS.iter().any(|(c, _)| *c == t.lower.as_ref());
    let some_of_bases = posts_named_before
        || ev.bases.iter().filter_map(|&b| m.bases.get(b)).any(|b| {
            let mut k = b.start;
            while k > lo && (toks[k - 1].has(Tags::DET) || number(&toks[k - 1])) {
                k -= 1;
            }
            // "one of the three platforms", "in one such platform", "the second
            // platform" (but "the last base" is the end).
            k >= lo + 2 && toks[k - 1].is("of") && number(&toks[k - 2])
                || b.start >= lo + 2 && toks[b.start - 1].is("such") && number(&toks[b.start - 2])
                || b.start > lo
                    && matches!(
                        toks[b.start - 1].lower.as_ref(),
                        "first" | "second" | "third" | "fourth" | "fifth" | "sixth"
                    )
        });
    // "withdrew completely from South Kivu": all of one province or town is
    // a part of the country.
    let from_part_of_country = matches!(ev.source, Some(Source::Place(p))
        if m.places.get(p).is_some_and(|p| matches!(p.kind, PlaceKind::Region | PlaceKind::City | PlaceKind::Unknown)));
    ev.whole_said =
        (matches!(quant, Quant::All | Quant::Last) || adverb_whole) && !from_part_of_country;
    ev.whole = ev.whole_said
        || from_country
            && quant == Quant::None
            && !count_theme
            && ev.class == PredClass::Leave
            && ev.phase.is_none()
            && !ordinal_group
            && !share_said
            && !some_of_bases;
    // "from South Kivu", "out of Upper Nile state": a place the lexicon does
    // not know, named as a region (a compass word or a region noun), is part
    // of a country (every country is in the lexicon).
    let from_named_region = matches!(ev.source, Some(Source::Place(p))
    if m.places.get(p).is_some_and(|p| {
        p.kind == PlaceKind::Unknown
            && (matches!(toks[p.start].lower.as_ref(), "north" | "south" | "east" | "west" | "upper" | "lower" | "central")
                || toks.get(p.end).is_some_and(|t| {
                    matches!(t.lower.as_ref(), "province" | "state" | "region" | "district" | "county")
                }))
    }));
    ev.region = from_named_region;
    ev.partial_words = !ev.whole
        && (matches!(quant, Quant::Some | Quant::First)
            || share_said
            || some_of_bases
            || from_named_region
            || from_part_of_country && adverb_whole);
    ev.partial =
        ev.partial_words || !ev.whole && count_theme && matches!(ev.class, PredClass::Leave);
}

/// The preposition before a place, past direction words and articles:
/// "from eastern Congo", "in the north of Mali", "out of southern Somalia".
fn prep_before<'t>(toks: &'t [Token], at: usize, floor: usize) -> Option<&'t str> {
    let mut k = at;
    while k > floor {
        let t = &toks[k - 1];
        let skip = t.has(Tags::DET)
            || t.is_direction()
            || matches!(
                t.lower.as_ref(),
                "restive"
                    | "volatile"
                    | "conflict-hit"
                    | "neighbouring"
                    | "neighboring"
                    | "parts"
                    | "part"
                    | "areas"
                    | "region"
                    | "regions"
            )
            || t.is("of")
                && k >= 2
                && matches!(
                    toks[k - 2].lower.as_ref(),
                    "north" | "south" | "east" | "west" | "parts" | "part" | "areas" | "rest"
                );
        if !skip {
            return Some(t.lower.as_ref());
        }
        k -= 1;
    }
    None
}

/// Gives each time phrase to the event mention it belongs to: the nearest
/// trigger before it in its clause, else the first after it.
fn attach_times(clauses: &[Clause], m: &Mentions, events: &mut [Event]) {
    for (ti, t) in m.times.iter().enumerate() {
        let ci = clauses::clause_of(clauses, t.start);
        let before = events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.clause == ci && e.start < t.start)
            .max_by_key(|(_, e)| e.start)
            .map(|(i, _)| i);
        let after = || {
            events
                .iter()
                .enumerate()
                .filter(|(_, e)| e.clause == ci && e.start > t.start)
                .min_by_key(|(_, e)| e.start)
                .map(|(i, _)| i)
        };
        if let Some(i) = before.or_else(after) {
            events[i].times.push(ti);
        }
    }
}
