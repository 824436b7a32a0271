//! The compiled form of `grammar.toml`: one hash lookup per word gives its
//! closed-class tags, its lemma and form (every inflection is generated from
//! the lemma by suffix rules or the irregular table), and the entries it
//! starts (a verb class, a predicate class, a noun class, with particles).
//! Built once with the lexicon; read-only after.

use std::collections::HashMap;

use serde::Deserialize;

/// The sections of `grammar.toml` (and of user extensions).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GrammarFile {
    pub grammar: ClosedClasses,
    pub irregular: HashMap<String, Vec<String>>,
    pub verbs: VerbLists,
    pub predicates: PredicateLists,
}

/// Closed-class word lists.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClosedClasses {
    pub determiners: Vec<String>,
    pub prepositions: Vec<String>,
    pub conjunctions: Vec<String>,
    pub subordinators: Vec<String>,
    pub relatives: Vec<String>,
    pub pronouns: Vec<String>,
    pub adverbs: Vec<String>,
    pub negations: Vec<String>,
    pub modals_plan: Vec<String>,
    pub modals_expected: Vec<String>,
    pub modals_possible: Vec<String>,
    pub old_value: Vec<String>,
    pub reference_nouns: Vec<String>,
    pub whole: Vec<String>,
    pub partial: Vec<String>,
    pub ceiling: Vec<String>,
    pub host_nouns: Vec<String>,
}

/// Verbs that shape a verb group, by what they do to the event.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerbLists {
    pub begin: Vec<String>,
    pub complete: Vec<String>,
    #[serde(rename = "continue")]
    pub continue_: Vec<String>,
    pub halt: Vec<String>,
    pub cancel: Vec<String>,
    pub postpone: Vec<String>,
    pub advance: Vec<String>,
    pub resume: Vec<String>,
    pub agree: Vec<String>,
    pub announce: Vec<String>,
    pub sign: Vec<String>,
    pub plan: Vec<String>,
    pub expect: Vec<String>,
    pub demand: Vec<String>,
    pub propose: Vec<String>,
    pub reject: Vec<String>,
    pub deny: Vec<String>,
    pub consider: Vec<String>,
}

/// Predicate classes and the noun classes the mentions need.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PredicateLists {
    pub leave_verbs: Vec<String>,
    pub leave_nouns: Vec<String>,
    pub handover_verbs: Vec<String>,
    pub handover_nouns: Vec<String>,
    pub receive_verbs: Vec<String>,
    pub stay_verbs: Vec<String>,
    pub arrive_verbs: Vec<String>,
    pub level_verbs: Vec<String>,
    pub level_intransitive: Vec<String>,
    pub level_nouns: Vec<String>,
    pub event_nouns: Vec<String>,
    pub phase_nouns: Vec<String>,
    pub base_nouns: Vec<String>,
    pub base_prefixes: Vec<String>,
    pub force_nouns: Vec<String>,
    pub host_force_nouns: Vec<String>,
    pub generic_forces: Vec<String>,
    pub not_troops: Vec<String>,
    pub other_events: Vec<String>,
    pub marking_verbs: Vec<String>,
}

impl GrammarFile {
    /// Adds another file's entries to this one.
    pub fn extend(&mut self, other: GrammarFile) {
        macro_rules! cat {
            ($($s:ident . $f:ident),* $(,)?) => { $( self.$s.$f.extend(other.$s.$f); )* };
        }
        cat!(
            grammar.determiners,
            grammar.prepositions,
            grammar.conjunctions,
            grammar.subordinators,
            grammar.relatives,
            grammar.pronouns,
            grammar.adverbs,
            grammar.negations,
            grammar.modals_plan,
            grammar.modals_expected,
            grammar.modals_possible,
            grammar.old_value,
            grammar.reference_nouns,
            grammar.whole,
            grammar.partial,
            grammar.ceiling,
            grammar.host_nouns,
            verbs.begin,
            verbs.complete,
            verbs.continue_,
            verbs.halt,
            verbs.cancel,
            verbs.postpone,
            verbs.advance,
            verbs.resume,
            verbs.agree,
            verbs.announce,
            verbs.sign,
            verbs.plan,
            verbs.expect,
            verbs.demand,
            verbs.propose,
            verbs.reject,
            verbs.deny,
            verbs.consider,
            predicates.leave_verbs,
            predicates.leave_nouns,
            predicates.handover_verbs,
            predicates.handover_nouns,
            predicates.receive_verbs,
            predicates.stay_verbs,
            predicates.arrive_verbs,
            predicates.level_verbs,
            predicates.level_intransitive,
            predicates.level_nouns,
            predicates.event_nouns,
            predicates.phase_nouns,
            predicates.base_nouns,
            predicates.base_prefixes,
            predicates.force_nouns,
            predicates.host_force_nouns,
            predicates.generic_forces,
            predicates.not_troops,
            predicates.other_events,
            predicates.marking_verbs,
        );
        self.irregular.extend(other.irregular);
    }
}

/// Closed-class and small-class tags of a word, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Tags(pub u32);

impl Tags {
    pub const DET: Tags = Tags(1);
    pub const PREP: Tags = Tags(1 << 1);
    pub const CONJ: Tags = Tags(1 << 2);
    pub const SUB: Tags = Tags(1 << 3);
    pub const REL: Tags = Tags(1 << 4);
    pub const PRON: Tags = Tags(1 << 5);
    pub const ADV: Tags = Tags(1 << 6);
    pub const NEG: Tags = Tags(1 << 7);
    pub const MODAL_PLAN: Tags = Tags(1 << 8);
    pub const MODAL_EXPECTED: Tags = Tags(1 << 9);
    pub const MODAL_POSSIBLE: Tags = Tags(1 << 10);
    pub const OLD: Tags = Tags(1 << 11);
    pub const REFERENCE: Tags = Tags(1 << 12);
    pub const WHOLE: Tags = Tags(1 << 13);
    pub const PARTIAL: Tags = Tags(1 << 14);
    pub const HOST_NOUN: Tags = Tags(1 << 15);
    pub const BE: Tags = Tags(1 << 16);
    pub const HAVE: Tags = Tags(1 << 17);
    pub const DO: Tags = Tags(1 << 18);
    pub const FORCE: Tags = Tags(1 << 19);
    pub const PHASE: Tags = Tags(1 << 20);
    pub const BASE: Tags = Tags(1 << 21);
    pub const NOT_TROOPS: Tags = Tags(1 << 22);
    pub const OTHER_EVENT: Tags = Tags(1 << 23);
    pub const EVENT_NOUN: Tags = Tags(1 << 24);
    pub const HOST_FORCE: Tags = Tags(1 << 25);
    pub const GENERIC_FORCE: Tags = Tags(1 << 26);
    pub const BASE_PREFIX: Tags = Tags(1 << 27);
    pub const CEILING: Tags = Tags(1 << 28);
    pub const MARKING: Tags = Tags(1 << 29);

    pub fn has(self, t: Tags) -> bool {
        self.0 & t.0 != 0
    }

    fn add(&mut self, t: Tags) {
        self.0 |= t.0;
    }
}

/// The grammatical form of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Form {
    /// Not a verb or noun this dictionary knows.
    #[default]
    Other,
    /// withdraw
    Base,
    /// withdraws
    Present3,
    /// withdrew
    Past,
    /// withdrawn
    Participle,
    /// left (past or participle)
    PastOrParticiple,
    /// withdrawing
    Gerund,
    /// withdrawal
    Noun,
    /// withdrawals
    Plural,
}

impl Form {
    pub fn is_verb(self) -> bool {
        matches!(
            self,
            Form::Base
                | Form::Present3
                | Form::Past
                | Form::Participle
                | Form::PastOrParticiple
                | Form::Gerund
        )
    }

    pub fn is_noun(self) -> bool {
        matches!(self, Form::Noun | Form::Plural)
    }

    /// Can stand after "has", "was", "is" as a participle.
    pub fn is_participle(self) -> bool {
        matches!(self, Form::Participle | Form::PastOrParticiple)
    }
}

/// What a verb does to the event it governs (the `[verbs]` lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerbClass {
    Begin,
    Complete,
    Continue,
    Halt,
    Cancel,
    Postpone,
    Advance,
    Resume,
    Agree,
    Announce,
    Sign,
    Plan,
    Expect,
    Demand,
    Propose,
    Reject,
    Deny,
    Consider,
}

/// The predicate classes of the design (`[predicates]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PredClass {
    /// A force leaves a place: withdraw, pull out, depart; withdrawal.
    Leave,
    /// A force hands a place to someone: hand over, transfer; handover.
    HandOver,
    /// The receiving side takes a place over: take over, take control of.
    Receive,
    /// A force stays: remain, stay, keep.
    Stay,
    /// A force arrives: deploy to, send, arrive. Never a withdrawal.
    Arrive,
    /// A force is brought to a level: cut, reduce, bring down.
    Level,
    /// A level falls: fall, drop, shrink (to N).
    Fall,
}

/// What an entry that starts at a word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    Verb(VerbClass),
    Pred(PredClass),
    /// A noun of a predicate class ("withdrawal", "handover", "reduction").
    PredNoun(PredClass),
}

/// One dictionary entry starting at a word: its kind and the words that
/// must follow ("out" for "pull out"), with the first word's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub form: Form,
    /// Lowercase words after the first; verbs allow a short gap before them.
    pub rest: Box<[Box<str>]>,
}

/// Everything known about one lowercase word.
#[derive(Debug, Clone, Default)]
pub struct WordInfo {
    pub tags: Tags,
    /// The form as a verb (if the word is one of a known verb's forms).
    pub verb_form: Form,
    /// Interned lemma of the verb or noun, for comparing forms of one word.
    pub lemma: u32,
    pub entries: Vec<Entry>,
    /// Multiword closed-class phrases starting here ("no longer", "up to").
    pub phrases: Vec<(Tags, Box<[Box<str>]>)>,
}

/// The compiled grammar.
#[derive(Debug, Default)]
pub struct Dict {
    /// FxHash: the table is looked up once per token, with trusted keys.
    words: rustc_hash::FxHashMap<Box<str>, WordInfo>,
    lemmas: Vec<String>,
}

impl Dict {
    /// The entry of a lowercase word, if it is in the grammar.
    pub fn get(&self, lower: &str) -> Option<&WordInfo> {
        self.words.get(lower)
    }

    /// The lemma text of an interned lemma id.
    pub fn lemma(&self, id: u32) -> &str {
        self.lemmas.get(id as usize).map_or("", String::as_str)
    }

    pub fn compile(file: &GrammarFile) -> Dict {
        let mut d = Dict::default();
        let g = &file.grammar;
        let tagged: [(&[String], Tags); 17] = [
            (&g.determiners, Tags::DET),
            (&g.prepositions, Tags::PREP),
            (&g.conjunctions, Tags::CONJ),
            (&g.subordinators, Tags::SUB),
            (&g.relatives, Tags::REL),
            (&g.pronouns, Tags::PRON),
            (&g.adverbs, Tags::ADV),
            (&g.negations, Tags::NEG),
            (&g.modals_plan, Tags::MODAL_PLAN),
            (&g.modals_expected, Tags::MODAL_EXPECTED),
            (&g.modals_possible, Tags::MODAL_POSSIBLE),
            (&g.old_value, Tags::OLD),
            (&g.reference_nouns, Tags::REFERENCE),
            (&g.whole, Tags::WHOLE),
            (&g.partial, Tags::PARTIAL),
            (&g.host_nouns, Tags::HOST_NOUN),
            (&g.ceiling, Tags::CEILING),
        ];
        for (list, tag) in tagged {
            for phrase in list {
                d.tag_phrase(phrase, tag, true);
            }
        }
        let p = &file.predicates;
        let nouns: [(&[String], Tags); 10] = [
            (&p.force_nouns, Tags::FORCE),
            (&p.phase_nouns, Tags::PHASE),
            (&p.base_nouns, Tags::BASE),
            (&p.not_troops, Tags::NOT_TROOPS),
            (&p.other_events, Tags::OTHER_EVENT),
            (&p.event_nouns, Tags::EVENT_NOUN),
            (&p.host_force_nouns, Tags::HOST_FORCE),
            (&p.generic_forces, Tags::GENERIC_FORCE),
            (&p.base_prefixes, Tags::BASE_PREFIX),
            (&[], Tags::default()),
        ];
        for (list, tag) in nouns {
            for phrase in list {
                // Plurals of single nouns ("phases", "bases") carry the tag too.
                d.tag_phrase(phrase, tag, false);
                if !phrase.contains(' ') {
                    for plural in noun_forms(phrase).into_iter().skip(1) {
                        d.tag_phrase(&plural, tag, false);
                    }
                }
            }
        }
        // Verbs that assert an aspect noun: "marked the end of".
        for lemma in &p.marking_verbs {
            for (form, f) in d.verb_forms(file, lemma) {
                let w = d.words.entry(form.into()).or_default();
                w.tags.add(Tags::MARKING);
                if w.verb_form == Form::Other {
                    w.verb_form = f;
                }
            }
        }
        // Auxiliaries by their forms.
        for (lemma, tag) in [("be", Tags::BE), ("have", Tags::HAVE), ("do", Tags::DO)] {
            for (form, _) in d.verb_forms(file, lemma) {
                d.words.entry(form.into()).or_default().tags.add(tag);
            }
        }
        let v = &file.verbs;
        let verb_lists: [(&[String], VerbClass); 18] = [
            (&v.begin, VerbClass::Begin),
            (&v.complete, VerbClass::Complete),
            (&v.continue_, VerbClass::Continue),
            (&v.halt, VerbClass::Halt),
            (&v.cancel, VerbClass::Cancel),
            (&v.postpone, VerbClass::Postpone),
            (&v.advance, VerbClass::Advance),
            (&v.resume, VerbClass::Resume),
            (&v.agree, VerbClass::Agree),
            (&v.announce, VerbClass::Announce),
            (&v.sign, VerbClass::Sign),
            (&v.plan, VerbClass::Plan),
            (&v.expect, VerbClass::Expect),
            (&v.demand, VerbClass::Demand),
            (&v.propose, VerbClass::Propose),
            (&v.reject, VerbClass::Reject),
            (&v.deny, VerbClass::Deny),
            (&v.consider, VerbClass::Consider),
        ];
        for (list, class) in verb_lists {
            for phrase in list {
                d.add_verb(file, phrase, EntryKind::Verb(class));
            }
        }
        let pred_verbs: [(&[String], PredClass); 7] = [
            (&p.leave_verbs, PredClass::Leave),
            (&p.handover_verbs, PredClass::HandOver),
            (&p.receive_verbs, PredClass::Receive),
            (&p.stay_verbs, PredClass::Stay),
            (&p.arrive_verbs, PredClass::Arrive),
            (&p.level_verbs, PredClass::Level),
            (&p.level_intransitive, PredClass::Fall),
        ];
        for (list, class) in pred_verbs {
            for phrase in list {
                d.add_verb(file, phrase, EntryKind::Pred(class));
            }
        }
        // Every verb of the irregular table is a verb, in a class or not:
        // "France said it would ...", "officials told reporters" have a
        // finite verb after their subject.
        let mut irregular: Vec<&String> = file.irregular.keys().collect();
        irregular.sort();
        for lemma in irregular {
            d.add_forms(file, lemma);
        }
        let pred_nouns: [(&[String], PredClass); 3] = [
            (&p.leave_nouns, PredClass::Leave),
            (&p.handover_nouns, PredClass::HandOver),
            (&p.level_nouns, PredClass::Level),
        ];
        for (list, class) in pred_nouns {
            for phrase in list {
                d.add_noun(phrase, EntryKind::PredNoun(class));
            }
        }
        d
    }

    fn intern(&mut self, lemma: &str) -> u32 {
        if let Some(i) = self.lemmas.iter().position(|l| l == lemma) {
            return i as u32;
        }
        self.lemmas.push(lemma.to_string());
        (self.lemmas.len() - 1) as u32
    }

    /// Tags a word, or a phrase's first word with the rest to match.
    fn tag_phrase(&mut self, phrase: &str, tag: Tags, closed: bool) {
        let lower = phrase.trim().to_lowercase();
        let mut words = lower.split_whitespace();
        let Some(first) = words.next() else { return };
        let rest: Vec<Box<str>> = words.map(Box::from).collect();
        let info = self.words.entry(first.into()).or_default();
        if rest.is_empty() {
            info.tags.add(tag);
        } else {
            let _ = closed;
            info.phrases.push((tag, rest.into_boxed_slice()));
        }
    }

    /// Every form of a verb lemma with its grammatical form.
    fn verb_forms(&self, file: &GrammarFile, lemma: &str) -> Vec<(String, Form)> {
        let mut out = vec![(lemma.to_string(), Form::Base)];
        if let Some(irr) = file.irregular.get(lemma) {
            let past = irr.first().cloned();
            let part = irr.get(1).cloned();
            match (&past, &part) {
                (Some(p), Some(q)) if p == q => out.push((p.clone(), Form::PastOrParticiple)),
                _ => {
                    if let Some(p) = past {
                        out.push((p, Form::Past));
                    }
                    if let Some(q) = part {
                        out.push((q, Form::Participle));
                    }
                }
            }
            for other in irr.iter().skip(2) {
                let form = if other.ends_with("ing") {
                    Form::Gerund
                } else if other.ends_with('s') {
                    Form::Present3
                } else {
                    Form::Base
                };
                out.push((other.clone(), form));
            }
        }
        let has = |out: &[(String, Form)], f: Form| out.iter().any(|(_, x)| *x == f);
        if !has(&out, Form::Present3) {
            out.push((third_person(lemma), Form::Present3));
        }
        if !has(&out, Form::Past) && !has(&out, Form::PastOrParticiple) {
            out.push((past_form(lemma), Form::PastOrParticiple));
        }
        if !has(&out, Form::Gerund) {
            out.push((gerund(lemma), Form::Gerund));
        }
        out
    }

    fn add_verb(&mut self, file: &GrammarFile, phrase: &str, kind: EntryKind) {
        let lower = phrase.trim().to_lowercase();
        let mut words = lower.split_whitespace();
        let Some(head) = words.next() else { return };
        let rest: Box<[Box<str>]> = words.map(Box::from).collect();
        let lemma = self.intern(head);
        for (form, f) in self.verb_forms(file, head) {
            let info = self.words.entry(form.into()).or_default();
            if info.verb_form == Form::Other || info.lemma == lemma {
                info.verb_form = f;
                info.lemma = lemma;
            }
            let entry = Entry {
                kind,
                form: f,
                rest: rest.clone(),
            };
            if !info.entries.contains(&entry) {
                info.entries.push(entry);
            }
        }
    }

    /// The past and participle of a verb in no class: known as a verb, with
    /// no entry. Not its base or "-s" form, which are nouns as often ("a
    /// deal", "the cuts").
    fn add_forms(&mut self, file: &GrammarFile, lemma: &str) {
        let id = self.intern(lemma);
        for (form, f) in self.verb_forms(file, lemma) {
            if !matches!(f, Form::Past | Form::Participle | Form::PastOrParticiple) {
                continue;
            }
            let info = self.words.entry(form.into()).or_default();
            if info.verb_form == Form::Other {
                info.verb_form = f;
                info.lemma = id;
            }
        }
    }

    fn add_noun(&mut self, phrase: &str, kind: EntryKind) {
        let lower = phrase.trim().to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let Some((last, init)) = words.split_last() else {
            return;
        };
        // The head noun is the last word: "troop reduction(s)".
        for (i, form) in noun_forms(last).into_iter().enumerate() {
            let f = if i == 0 { Form::Noun } else { Form::Plural };
            let mut all: Vec<&str> = init.to_vec();
            all.push(&form);
            let first = all[0].to_string();
            let rest: Box<[Box<str>]> = all[1..].iter().map(|w| Box::from(*w)).collect();
            let lemma = self.intern(last);
            let info = self.words.entry(first.into()).or_default();
            if init.is_empty() && !info.verb_form.is_verb() {
                info.lemma = lemma;
            }
            let entry = Entry {
                kind,
                form: f,
                rest,
            };
            if !info.entries.contains(&entry) {
                info.entries.push(entry);
            }
        }
    }
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Does a one-syllable-ish verb double its last consonant ("stop" → "stopped")?
fn doubles(lemma: &str) -> bool {
    let b = lemma.as_bytes();
    let n = b.len();
    if n < 3 {
        return false;
    }
    let (c2, v, c) = (b[n - 3], b[n - 2], b[n - 1]);
    let vowels = b.iter().filter(|&&x| is_vowel(x)).count();
    vowels == 1 && !is_vowel(c2) && is_vowel(v) && !is_vowel(c) && !matches!(c, b'w' | b'x' | b'y')
}

fn third_person(lemma: &str) -> String {
    let b = lemma.as_bytes();
    if lemma.ends_with('y') && b.len() > 1 && !is_vowel(b[b.len() - 2]) {
        format!("{}ies", &lemma[..lemma.len() - 1])
    } else if ["s", "sh", "ch", "x", "z", "o"]
        .iter()
        .any(|s| lemma.ends_with(s))
    {
        format!("{lemma}es")
    } else {
        format!("{lemma}s")
    }
}

fn past_form(lemma: &str) -> String {
    let b = lemma.as_bytes();
    if lemma.ends_with('e') {
        format!("{lemma}d")
    } else if lemma.ends_with('y') && b.len() > 1 && !is_vowel(b[b.len() - 2]) {
        format!("{}ied", &lemma[..lemma.len() - 1])
    } else if doubles(lemma) {
        format!("{lemma}{}ed", &lemma[lemma.len() - 1..])
    } else {
        format!("{lemma}ed")
    }
}

fn gerund(lemma: &str) -> String {
    if let Some(stem) = lemma.strip_suffix("ie") {
        format!("{stem}ying")
    } else if lemma.ends_with('e') && !lemma.ends_with("ee") && lemma.len() > 2 {
        format!("{}ing", &lemma[..lemma.len() - 1])
    } else if doubles(lemma) {
        format!("{lemma}{}ing", &lemma[lemma.len() - 1..])
    } else {
        format!("{lemma}ing")
    }
}

/// Singular and plural of a noun.
fn noun_forms(noun: &str) -> Vec<String> {
    let b = noun.as_bytes();
    let plural = if noun.ends_with('s') && !noun.ends_with("ss") {
        return vec![noun.to_string()];
    } else if noun.ends_with('y') && b.len() > 1 && !is_vowel(b[b.len() - 2]) {
        format!("{}ies", &noun[..noun.len() - 1])
    } else if ["ss", "sh", "ch", "x", "z"]
        .iter()
        .any(|s| noun.ends_with(s))
    {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    };
    vec![noun.to_string(), plural]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("withdraw", "withdraws", "withdrawed", "withdrawing")]
    #[case("leave", "leaves", "leaved", "leaving")]
    #[case("stop", "stops", "stopped", "stopping")]
    #[case("complete", "completes", "completed", "completing")]
    #[case("carry", "carries", "carried", "carrying")]
    #[case("finish", "finishes", "finished", "finishing")]
    #[case("halt", "halts", "halted", "halting")]
    #[case("delay", "delays", "delayed", "delaying")]
    fn regular_forms(
        #[case] lemma: &str,
        #[case] third: &str,
        #[case] past: &str,
        #[case] ing: &str,
    ) {
        assert_eq!(third_person(lemma), third);
        assert_eq!(past_form(lemma), past);
        assert_eq!(gerund(lemma), ing);
    }

    fn dict() -> Dict {
        let file: GrammarFile = toml::from_str(include_str!("grammar.toml"))
            .unwrap_or_else(|e| panic!("grammar.toml: {e}"));
        Dict::compile(&file)
    }

    #[rstest]
    // One entry covers every form: irregular past and participle, gerund.
    #[case("withdrew", Form::Past, EntryKind::Pred(PredClass::Leave))]
    #[case("withdrawn", Form::Participle, EntryKind::Pred(PredClass::Leave))]
    #[case("withdrawing", Form::Gerund, EntryKind::Pred(PredClass::Leave))]
    #[case("withdrawal", Form::Noun, EntryKind::PredNoun(PredClass::Leave))]
    #[case("withdrawals", Form::Plural, EntryKind::PredNoun(PredClass::Leave))]
    #[case("left", Form::PastOrParticiple, EntryKind::Pred(PredClass::Leave))]
    #[case("began", Form::Past, EntryKind::Verb(VerbClass::Begin))]
    #[case("halted", Form::PastOrParticiple, EntryKind::Verb(VerbClass::Halt))]
    #[case("handed", Form::PastOrParticiple, EntryKind::Pred(PredClass::HandOver))]
    #[case("took", Form::Past, EntryKind::Pred(PredClass::Receive))]
    fn every_form_finds_its_entry(#[case] word: &str, #[case] form: Form, #[case] kind: EntryKind) {
        let d = dict();
        let info = d
            .get(word)
            .unwrap_or_else(|| panic!("{word} not in the dictionary"));
        assert!(
            info.entries
                .iter()
                .any(|e| e.kind == kind && e.form == form),
            "{word}: {:?}",
            info.entries
        );
    }

    #[test]
    fn closed_classes_are_tagged() {
        let d = dict();
        let tags = |w: &str| d.get(w).map(|i| i.tags).unwrap_or_default();
        assert!(tags("the").has(Tags::DET));
        assert!(tags("will").has(Tags::MODAL_PLAN));
        assert!(tags("could").has(Tags::MODAL_POSSIBLE));
        assert!(tags("was").has(Tags::BE));
        assert!(tags("has").has(Tags::HAVE));
        assert!(tags("troops").has(Tags::FORCE));
        assert!(tags("bases").has(Tags::BASE));
        assert!(tags("not").has(Tags::NEG));
    }
}
