//! Stage 2: clauses and verb groups. A sentence's tokens are split into
//! clauses (at `; : —`, brackets, a comma before a conjunction, a relative
//! pronoun or a participle, and at subordinators that open a finite clause);
//! a verb group is read backwards from its head verb through auxiliaries,
//! modals, negation and the verbs that govern it ("has agreed to withdraw",
//! "began pulling out", "is expected to be completed"), giving tense, aspect,
//! modality, negation and voice, scoped to the clause. Pure.

use super::dict::{EntryKind, Form, Tags, VerbClass};
use super::tokens::{Kind, Token};

/// How a clause is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opener {
    /// The first clause, or one after `;` or a dash.
    Main,
    /// after, before, while, when, because, if, ... (the word's token index).
    Subordinate(usize),
    /// which, who, where: describes the noun before it.
    Relative,
    /// ", and ...", "but ...": shares the subject of the clause before.
    Coordinate,
    /// ", marking ...", ", ending ...": a participle clause; same subject.
    Participle,
    /// A bracketed aside.
    Aside,
}

/// A clause: tokens `[start, end)` of the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clause {
    pub start: usize,
    pub end: usize,
    pub opener: Opener,
}

/// When a verb group puts its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tense {
    Past,
    Present,
    Future,
    /// No finite verb: an infinitive or participle standing alone.
    #[default]
    None,
}

/// Modal verbs: what the group says of the event's likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modal {
    /// will, shall, must, is to, has to
    Plan,
    /// should, is expected to
    Expected,
    /// could, may, might
    Possible,
}

/// A verb that governs the head: "began" in "began to withdraw".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    pub class: VerbClass,
    pub tok: usize,
}

/// The verb group of one head verb.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerbGroup {
    /// First token of the group (an auxiliary, modal or governing verb).
    pub start: usize,
    pub head: usize,
    pub tense: Tense,
    /// has left / have been withdrawn
    pub perfect: bool,
    /// had left: before another past event, usually background.
    pub past_perfect: bool,
    /// is leaving / are pulling out
    pub progressive: bool,
    /// was handed over / were withdrawn
    pub passive: bool,
    pub negated: bool,
    pub modal: Option<Modal>,
    /// Governing verbs, innermost first.
    pub controls: Vec<Control>,
    /// No finite verb of its own: tense and modality were taken from the
    /// sentence's main verb ("..., marking the start of", "after leaving").
    pub inherited: bool,
}

impl VerbGroup {
    pub fn has(&self, class: VerbClass) -> bool {
        self.controls.iter().any(|c| c.class == class)
    }

    /// Said as a fact (not a plan, wish, possibility or denial).
    pub fn is_fact(&self) -> bool {
        matches!(self.tense, Tense::Past | Tense::Present)
            && self.modal.is_none()
            && !self.negated
            && self.tense != Tense::Future
            && !self.controls.iter().any(|c| {
                matches!(
                    c.class,
                    VerbClass::Plan
                        | VerbClass::Expect
                        | VerbClass::Demand
                        | VerbClass::Propose
                        | VerbClass::Reject
                        | VerbClass::Deny
                        | VerbClass::Consider
                        | VerbClass::Agree
                        | VerbClass::Announce
                        | VerbClass::Sign
                )
            })
    }

    /// The event lies ahead: a plan, an expectation, a demand, a possibility.
    pub fn is_ahead(&self) -> bool {
        self.tense == Tense::Future || self.modal.is_some() || !self.is_fact() && !self.negated
    }
}

fn is_dash(t: &Token) -> bool {
    matches!(t.kind, Kind::Punct('—' | '–' | '―'))
}

/// Does a finite verb (or auxiliary, modal) come within `limit` tokens of `i`,
/// before any punctuation?
fn finite_ahead(toks: &[Token], i: usize, limit: usize) -> bool {
    for t in toks.iter().skip(i).take(limit) {
        if t.is_punct() {
            return false;
        }
        if finite(t) {
            return true;
        }
    }
    false
}

/// Is token `t` a finite verb, an auxiliary or a modal?
fn finite(t: &Token) -> bool {
    let tags = t.tags();
    tags.has(Tags::MODAL_PLAN)
        || tags.has(Tags::MODAL_EXPECTED)
        || tags.has(Tags::MODAL_POSSIBLE)
        || (tags.has(Tags::BE) || tags.has(Tags::HAVE) || tags.has(Tags::DO))
            && !t.is("being")
            && !t.is("having")
            && !t.is("be")
        || matches!(
            t.verb_form(),
            Form::Past | Form::Present3 | Form::PastOrParticiple
        )
}

/// Splits a sentence into clauses. `protected` tells whether a token lies
/// inside a time phrase ("before the end of the year" opens no clause).
pub fn split(toks: &[Token], protected: impl Fn(usize) -> bool) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut opener = Opener::Main;
    let mut i = 0;
    let mut depth = 0usize;
    while i < toks.len() {
        let t = &toks[i];
        let mut cut: Option<(usize, Opener)> = None;
        match t.kind {
            Kind::Punct(';') | Kind::Punct(':') => cut = Some((i + 1, Opener::Main)),
            Kind::Punct('(') => {
                depth += 1;
                cut = Some((i + 1, Opener::Aside));
            }
            Kind::Punct(')') if depth > 0 => {
                depth -= 1;
                cut = Some((i + 1, Opener::Main));
            }
            Kind::Punct('-') if i > 0 && toks[i - 1].end < t.start => {
                cut = Some((i + 1, Opener::Main));
            }
            _ if is_dash(t) => cut = Some((i + 1, Opener::Main)),
            Kind::Punct(',') => {
                // ", which was built in 2004, was handed over": the relative clause ends.
                if matches!(opener, Opener::Relative | Opener::Aside)
                    && finite_ahead(toks, i + 1, 2)
                {
                    cut = Some((i + 1, Opener::Main));
                } else if let Some(next) = toks.get(i + 1) {
                    let tags = next.tags();
                    if tags.has(Tags::REL) {
                        cut = Some((i + 1, Opener::Relative));
                    } else if tags.has(Tags::CONJ) && !next.is("or") {
                        cut = Some((i + 1, Opener::Coordinate));
                    } else if tags.has(Tags::SUB)
                        && !protected(i + 1)
                        && finite_ahead(toks, i + 2, 6)
                    {
                        cut = Some((i + 1, Opener::Subordinate(i + 1)));
                    } else if next.verb_form() == Form::Gerund && next.is_word() && !next.cap {
                        cut = Some((i + 1, Opener::Participle));
                    } else if next.is("which") || next.is("who") {
                        cut = Some((i + 1, Opener::Relative));
                    }
                }
            }
            Kind::Word => {
                let tags = t.tags();
                // "as" opens a clause only before a subject and its verb
                // ("as Israeli units left"), not in "known as", "as planned".
                let as_clause = t.is("as")
                    && toks.get(i + 1).is_some_and(|n| {
                        n.has(Tags::DET) || n.has(Tags::PRON) || n.cap || n.has(Tags::FORCE)
                    })
                    && finite_ahead(toks, i + 2, 4);
                if i > start
                    && tags.has(Tags::SUB)
                    && !protected(i)
                    && (!t.is("as") || as_clause)
                    && finite_ahead(toks, i + 1, 6)
                {
                    cut = Some((i, Opener::Subordinate(i)));
                } else if i > start && tags.has(Tags::REL) && !t.is("where") {
                    cut = Some((i, Opener::Relative));
                } else if i > start && t.is("but") {
                    cut = Some((i, Opener::Coordinate));
                } else if i > start
                    && t.is("and")
                    && toks[start..i].iter().any(finite)
                    && toks.get(i + 1).is_some_and(|n| {
                        n.tags().has(Tags::DET) && finite_ahead(toks, i + 2, 7)
                            || finite(n) && !n.tags().has(Tags::FORCE)
                    })
                {
                    // "will leave by May and the first phase would end by
                    // March": a new subject with its own verb; "stops its
                    // operations on June 30 and must withdraw by December":
                    // a second verb of the same subject. Both after a clause
                    // that has its verb ("France and the UK will leave" is
                    // one subject).
                    cut = Some((i, Opener::Coordinate));
                }
            }
            _ => {}
        }
        if let Some((at, next_opener)) = cut {
            if at > start {
                out.push(Clause {
                    start,
                    end: at,
                    opener,
                });
            }
            start = at;
            opener = next_opener;
        }
        i += 1;
    }
    if start < toks.len() {
        out.push(Clause {
            start,
            end: toks.len(),
            opener,
        });
    }
    if out.is_empty() {
        out.push(Clause {
            start: 0,
            end: toks.len(),
            opener: Opener::Main,
        });
    }
    out
}

/// The clause that holds token `i`.
pub fn clause_of(clauses: &[Clause], i: usize) -> usize {
    clauses
        .iter()
        .position(|c| i >= c.start && i < c.end)
        .unwrap_or(clauses.len().saturating_sub(1))
}

fn verb_class(t: &Token) -> Option<VerbClass> {
    t.info?.entries.iter().find_map(|e| match e.kind {
        EntryKind::Verb(c) if e.rest.is_empty() => Some(c),
        _ => None,
    })
}

fn be_tense(t: &Token) -> Tense {
    match t.lower.as_ref() {
        "was" | "were" => Tense::Past,
        "is" | "are" | "am" | "'s" | "'re" => Tense::Present,
        _ => Tense::None,
    }
}

fn have_tense(t: &Token) -> Tense {
    match t.lower.as_ref() {
        "had" => Tense::Past,
        "has" | "have" | "'ve" => Tense::Present,
        _ => Tense::None,
    }
}

fn form_tense(f: Form) -> Tense {
    match f {
        Form::Past | Form::PastOrParticiple => Tense::Past,
        Form::Present3 | Form::Base => Tense::Present,
        _ => Tense::None,
    }
}

/// Is this token part of a noun phrase that may stand between a governing verb
/// and "to" ("ordered all U.S. troops to leave")?
fn np_word(t: &Token) -> bool {
    match t.kind {
        Kind::Number => true,
        Kind::Word => {
            let tags = t.tags();
            !(tags.has(Tags::MODAL_PLAN)
                || tags.has(Tags::MODAL_POSSIBLE)
                || tags.has(Tags::MODAL_EXPECTED)
                || tags.has(Tags::SUB)
                || tags.has(Tags::REL)
                || tags.has(Tags::BE) && !t.is("being"))
                && (t.verb_form() == Form::Other
                    || t.cap
                    || t.info.is_some_and(|i| i.tags.has(Tags::FORCE)))
        }
        Kind::Punct(c) => matches!(c, '\'' | '’' | '-' | '.'),
    }
}

/// A verb that reports speech ("said", "told"): it lends no tense to the
/// events of what was said.
pub fn is_reporting(t: &Token) -> bool {
    matches!(
        t.lower.as_ref(),
        "said" | "says" | "say" | "told" | "tells" | "tell" | "added" | "adds"
    )
}

/// The first finite verb group of a sentence outside `skip` (a clause), for
/// groups with no tense of their own to take theirs from (not a reporting verb's).
pub fn main_group(toks: &[Token], clauses: &[Clause], skip: usize) -> Option<VerbGroup> {
    for (ci, c) in clauses.iter().enumerate() {
        if ci == skip {
            continue;
        }
        for i in c.start..c.end {
            let t = &toks[i];
            if !t.is_word() || t.cap && i > c.start || is_reporting(t) {
                continue;
            }
            let finite = matches!(t.verb_form(), Form::Past | Form::Present3)
                || t.verb_form() == Form::PastOrParticiple
                    && i > c.start
                    && !toks[i - 1].has(Tags::DET)
                || t.has(Tags::MODAL_PLAN)
                || t.has(Tags::MODAL_POSSIBLE)
                || t.has(Tags::MODAL_EXPECTED);
            if !finite {
                continue;
            }
            // The head of the group that starts here: the next non-auxiliary verb.
            let mut h = i;
            while h + 1 < c.end && {
                let x = &toks[h];
                x.has(Tags::BE)
                    || x.has(Tags::HAVE)
                    || x.has(Tags::DO)
                    || x.has(Tags::MODAL_PLAN)
                    || x.has(Tags::MODAL_POSSIBLE)
                    || x.has(Tags::MODAL_EXPECTED)
                    || x.has(Tags::NEG)
                    || x.has(Tags::ADV)
            } {
                h += 1;
            }
            let g = verb_group(toks, c, h);
            if g.tense != Tense::None {
                return Some(g);
            }
        }
    }
    None
}

/// The verb group whose head verb is token `head`, read back to the clause start.
pub fn verb_group(toks: &[Token], clause: &Clause, head: usize) -> VerbGroup {
    let mut g = VerbGroup {
        start: head,
        head,
        ..VerbGroup::default()
    };
    let Some(h) = toks.get(head) else { return g };
    let head_form = h.verb_form();
    g.tense = form_tense(head_form);
    // "to withdraw": an infinitive has no tense of its own.
    let mut k = head;
    while k > clause.start && (toks[k - 1].has(Tags::ADV) || toks[k - 1].has(Tags::NEG)) {
        k -= 1;
    }
    if head_form == Form::Base && k > clause.start && toks[k - 1].is("to") {
        g.tense = Tense::None;
    }
    // What the word after the current position is: the head's form at first.
    let mut after = head_form;
    let mut i = head;
    let mut finite_seen = matches!(head_form, Form::Past | Form::Present3);
    while i > clause.start {
        let j = i - 1;
        let t = &toks[j];
        let tags = t.tags();
        if t.kind != Kind::Word {
            break;
        }
        if tags.has(Tags::NEG) {
            g.negated = true;
            i = j;
            continue;
        }
        // "no longer" is two words.
        if t.is("longer") && j > clause.start && toks[j - 1].is("no") {
            g.negated = true;
            i = j - 1;
            continue;
        }
        // Adverbs, listed or by their "-ly": "are currently deployed".
        let ly = t.lower.len() > 4
            && t.lower.ends_with("ly")
            && t.info.is_none_or(|x| x.verb_form == Form::Other)
            && !t.cap;
        if (tags.has(Tags::ADV) || ly) && !tags.has(Tags::BE) && !t.is("to") {
            i = j;
            continue;
        }
        if tags.has(Tags::MODAL_PLAN)
            || tags.has(Tags::MODAL_EXPECTED)
            || tags.has(Tags::MODAL_POSSIBLE)
        {
            g.modal = Some(if tags.has(Tags::MODAL_POSSIBLE) {
                Modal::Possible
            } else if tags.has(Tags::MODAL_EXPECTED) {
                Modal::Expected
            } else {
                Modal::Plan
            });
            // "would" reports a plan; it is still ahead of the story.
            g.tense = Tense::Future;
            g.start = j;
            break;
        }
        if t.is("to") {
            // "a process to be completed": an infinitive has no tense of its
            // own, whatever the participle's form says.
            if !finite_seen {
                g.tense = Tense::None;
            }
            // An infinitive: what governs it?
            let Some(k) = j.checked_sub(1).filter(|&k| k >= clause.start) else {
                break;
            };
            let gov = &toks[k];
            let gtags = gov.tags();
            if gtags.has(Tags::BE) {
                // "is to leave": a plan.
                g.modal = g.modal.or(Some(Modal::Plan));
                g.tense = match be_tense(gov) {
                    Tense::Past => Tense::Past,
                    _ => Tense::Future,
                };
                g.start = k;
                i = k;
                after = Form::Other;
                finite_seen = true;
                continue;
            }
            if gtags.has(Tags::HAVE) {
                // "has to leave", "will have to leave"
                g.modal = g.modal.or(Some(Modal::Plan));
                g.tense = Tense::Future;
                g.start = k;
                i = k;
                after = Form::Other;
                finite_seen = true;
                continue;
            }
            if gov.is("going") {
                g.modal = g.modal.or(Some(Modal::Plan));
                g.tense = Tense::Future;
                g.start = k;
                i = k;
                after = Form::Gerund;
                continue;
            }
            // "were said to have departed", "is reported to be leaving": hearsay.
            if matches!(
                gov.lower.as_ref(),
                "said"
                    | "reported"
                    | "believed"
                    | "thought"
                    | "understood"
                    | "rumoured"
                    | "rumored"
                    | "alleged"
            ) && k > clause.start
                && toks[k - 1].has(Tags::BE)
            {
                g.modal = Some(Modal::Possible);
                g.tense = match be_tense(&toks[k - 1]) {
                    Tense::None => g.tense,
                    t => t,
                };
                g.start = k - 1;
                break;
            }
            // "was able to take over" did; "was ready to" has not yet (a plan).
            if gov.is("able") {
                g.start = k;
                i = k;
                after = Form::Other;
                continue;
            }
            if let Some(class) = verb_class(gov) {
                g.controls.push(Control { class, tok: k });
                g.start = k;
                g.tense = form_tense(gov.verb_form());
                after = gov.verb_form();
                finite_seen = matches!(after, Form::Past | Form::Present3);
                i = k;
                continue;
            }
            // "ordered all troops to leave": a governing verb before a short NP.
            let mut m = k;
            let mut steps = 0;
            while m > clause.start
                && steps < 7
                && np_word(&toks[m])
                && verb_class(&toks[m]).is_none()
            {
                m -= 1;
                steps += 1;
            }
            if steps > 0 {
                if let Some(class) = verb_class(&toks[m]) {
                    let class = match class {
                        VerbClass::Announce | VerbClass::Plan => VerbClass::Demand,
                        other => other,
                    };
                    g.controls.push(Control { class, tok: m });
                    g.start = m;
                    g.tense = form_tense(toks[m].verb_form());
                    after = toks[m].verb_form();
                    i = m;
                    continue;
                }
            }
            break;
        }
        if tags.has(Tags::HAVE) && (after.is_participle() || after == Form::Past && t.is("had")) {
            let tense = have_tense(t);
            if tense == Tense::Past {
                g.past_perfect = true;
            } else {
                g.perfect = true;
            }
            if !finite_seen {
                g.tense = if tense == Tense::None { g.tense } else { tense };
            }
            finite_seen |= tense != Tense::None;
            g.start = j;
            after = Form::Other;
            i = j;
            continue;
        }
        if tags.has(Tags::BE) {
            let tense = be_tense(t);
            if after == Form::Gerund {
                g.progressive = true;
            } else if after.is_participle() || after == Form::Past {
                g.passive = true;
            } else if after != Form::Other {
                break;
            }
            if t.is("been") {
                after = Form::Participle;
            } else {
                after = Form::Other;
                if !finite_seen {
                    if tense != Tense::None {
                        g.tense = tense;
                    }
                    finite_seen = tense != Tense::None;
                }
            }
            g.start = j;
            i = j;
            continue;
        }
        if tags.has(Tags::DO) && matches!(after, Form::Base) {
            g.tense = if t.is("did") {
                Tense::Past
            } else {
                Tense::Present
            };
            finite_seen = true;
            g.start = j;
            i = j;
            after = Form::Other;
            continue;
        }
        // "began withdrawing", "stopped pulling out", "finished withdrawing".
        if after == Form::Gerund {
            if let Some(class) = verb_class(t) {
                g.controls.push(Control { class, tok: j });
                g.start = j;
                g.tense = form_tense(t.verb_form());
                after = t.verb_form();
                finite_seen = matches!(after, Form::Past | Form::Present3);
                i = j;
                continue;
            }
        }
        break;
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::dict::{Dict, GrammarFile};
    use crate::extract::tokens::tokenize;
    use rstest::rstest;

    fn dict() -> Dict {
        let file: GrammarFile =
            toml::from_str(include_str!("grammar.toml")).unwrap_or_else(|e| panic!("{e}"));
        Dict::compile(&file)
    }

    /// The verb group of the word `head` in `sentence`, as a short string.
    fn group(sentence: &str, head: &str) -> String {
        let d = dict();
        let toks = tokenize(sentence, &d);
        let clauses = split(&toks, |_| false);
        let Some(h) = toks.iter().position(|t| t.lower == head) else {
            panic!("{head} not in {sentence}");
        };
        let c = clauses[clause_of(&clauses, h)];
        let g = verb_group(&toks, &c, h);
        let mut parts = vec![format!("{:?}", g.tense)];
        if g.perfect {
            parts.push("perfect".into());
        }
        if g.past_perfect {
            parts.push("past-perfect".into());
        }
        if g.progressive {
            parts.push("progressive".into());
        }
        if g.passive {
            parts.push("passive".into());
        }
        if g.negated {
            parts.push("negated".into());
        }
        if let Some(m) = g.modal {
            parts.push(format!("{m:?}"));
        }
        for c in &g.controls {
            parts.push(format!("{:?}", c.class));
        }
        parts.join(" ")
    }

    #[rstest]
    #[case("French troops left Mali.", "left", "Past")]
    #[case("French troops have left Mali.", "left", "Present perfect")]
    #[case("French troops had left Mali by then.", "left", "Past past-perfect")]
    #[case(
        "The troops are leaving the country.",
        "leaving",
        "Present progressive"
    )]
    #[case("The troops will leave by May.", "leave", "Future Plan")]
    #[case("The troops could leave by May.", "leave", "Future Possible")]
    #[case("The troops should leave by May.", "leave", "Future Expected")]
    #[case("The troops are to leave by May.", "leave", "Future Plan")]
    #[case(
        "The troops are expected to leave by May.",
        "leave",
        "Present passive Expect"
    )]
    #[case("The troops began to withdraw on Sunday.", "withdraw", "Past Begin")]
    #[case("The troops began withdrawing on Sunday.", "withdrawing", "Past Begin")]
    #[case(
        "Kenya has agreed to withdraw its troops.",
        "withdraw",
        "Present perfect Agree"
    )]
    #[case("The US plans to withdraw its troops.", "withdraw", "Present Plan")]
    #[case("Biden did not withdraw the troops.", "withdraw", "Past negated")]
    #[case(
        "The troops will not leave before May.",
        "leave",
        "Future negated Plan"
    )]
    #[case(
        "The withdrawal will be completed by May.",
        "completed",
        "Future passive Plan"
    )]
    #[case("The base was handed over on Monday.", "handed", "Past passive")]
    #[case(
        "Trump ordered all U.S. troops to leave Syria.",
        "leave",
        "Past Demand"
    )]
    #[case(
        "The force will have to leave the country by Dec. 8.",
        "leave",
        "Future Plan"
    )]
    #[case("The troops no longer plan to leave.", "leave", "Present negated Plan")]
    #[case(
        "The mission is set to withdraw next week.",
        "withdraw",
        "Present passive Plan"
    )]
    fn verb_groups(#[case] sentence: &str, #[case] head: &str, #[case] expected: &str) {
        assert_eq!(group(sentence, head), expected, "{sentence}");
    }

    fn clauses(sentence: &str) -> Vec<String> {
        let d = dict();
        let toks = tokenize(sentence, &d);
        split(&toks, |_| false)
            .iter()
            .map(|c| {
                let s = toks[c.start].start;
                let e = toks[c.end - 1].end;
                sentence[s..e].to_string()
            })
            .collect()
    }

    #[rstest]
    #[case(
        "The troops will leave by May, officials said, although talks could delay it.",
        &["The troops will leave by May, officials said,", "although talks could delay it."]
    )]
    #[case(
        "The last soldiers left on Tuesday, ending a decade-long presence.",
        &["The last soldiers left on Tuesday,", "ending a decade-long presence."]
    )]
    #[case(
        "The base, which was built in 2004, was handed over; the army took control.",
        &["The base,", "which was built in 2004,", "was handed over;", "the army took control."]
    )]
    fn splits_into_clauses(#[case] sentence: &str, #[case] expected: &[&str]) {
        assert_eq!(clauses(sentence), expected);
    }
}
