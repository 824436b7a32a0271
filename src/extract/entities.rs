//! Stage 3: typed mentions over a sentence's tokens. FORCE (a nation's troops,
//! a named force or mission, an open-class acronym, a generic "the troops",
//! a pronoun), PLACE (countries, regions, capitals, "the country"), BASE (an
//! open class: "Camp X", "the X air base", "the base at X", the gazetteer),
//! PHASE ("the second phase", "phase two"), COUNT (a number of troops, or a
//! bare number a level may name) and TIME (the grammar of `time/`, with the
//! preposition that introduces it). Takes tokens; gives `Mentions`. Pure.

use chrono::NaiveDate;

use super::dict::Tags;
use super::lexicon::{CueKind, Hit, Lexicon, LocationKind, NameKind};
use super::time::{self, TimeMatch};
use super::tokens::{Kind, Token, token_span};

/// Who a force mention names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A nation's own forces: index into `Lexicon::countries`.
    Nation(usize),
    /// A multinational force or mission of the lexicon: index into `actors`.
    Actor(usize),
    /// A force the lexicon does not list, by its acronym ("SAMIDRC").
    Open(String),
    /// "the troops", "peacekeepers", "the mission": the story's force.
    Generic,
    /// "it", "they", "its": the force of the clause or sentence before.
    Pronoun,
    /// "the national army", "government forces": the host's own side.
    HostSide,
    /// "UN peacekeepers", "SADC troops": a mission of that organisation,
    /// the story's if its force is one.
    Org,
}

/// How much of the force a mention speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quant {
    #[default]
    None,
    /// all, the whole, the entire, every
    All,
    /// the last, the final, the remaining
    Last,
    /// some, part of, a contingent of, 100 of
    Some,
    /// the first (batch of) troops
    First,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Force {
    /// Token range `[start, end)`.
    pub start: usize,
    pub end: usize,
    pub who: Who,
    pub quant: Quant,
    /// A nation named without a force word ("France will withdraw"): a force
    /// only as the subject of a withdrawal.
    pub bare_name: bool,
    /// Written as a possessive ("France's", "its").
    pub possessive: bool,
    /// "the Ugandan contingent of the regional force": the whole it is part of.
    pub part_of: Option<usize>,
    /// A bare name inside a phrase ("drafted by France", "troops in Niger"):
    /// no subject and no antecedent.
    pub in_phrase: bool,
    /// Followed by its verb ("France said", "Paris will"): a subject.
    pub subject: bool,
}

/// What kind of place a mention names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    Country,
    Region,
    City,
    /// "the country", "the islands": the story's host.
    Host,
    /// A capitalised name the lexicon does not know, after "from" or "in".
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub start: usize,
    pub end: usize,
    /// ISO code, when known.
    pub country: Option<String>,
    pub kind: PlaceKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    pub start: usize,
    pub end: usize,
    /// The base's name ("Camp Victory", "Zvartnots"); `None` for "the base".
    pub name: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub start: usize,
    pub end: usize,
    pub number: Option<u32>,
    /// "the final phase", "the last batch", "the second and final phase".
    pub last: bool,
    /// "in two phases", "a three-stage plan".
    pub total: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub start: usize,
    pub end: usize,
    pub value: u32,
    pub min: u32,
    pub max: u32,
    pub approx: bool,
    /// The force word the number counts ("troops"), if any.
    pub force_word: bool,
    /// The force mention it is part of.
    pub force: Option<usize>,
    /// "all 2,000 troops": every one of them, hence the level.
    pub all: bool,
    /// "up to 1,400", "a ceiling of": a maximum, not a level.
    pub ceiling: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Time {
    pub start: usize,
    pub end: usize,
    pub m: TimeMatch,
    /// The lowercase word that introduces it ("by", "until", "in", "on"), if any.
    pub prep: Option<String>,
    /// The time phrase carries its own year ("May 2024", "2026").
    pub has_year: bool,
    /// The phrase names a month or weekday without a year: its year (or
    /// week) is a guess the verb's tense may correct.
    pub relative_guess: bool,
}

/// Every mention of one sentence.
#[derive(Debug, Clone, Default)]
pub struct Mentions {
    pub forces: Vec<Force>,
    pub places: Vec<Place>,
    pub bases: Vec<Base>,
    pub phases: Vec<Phase>,
    pub counts: Vec<Count>,
    pub times: Vec<Time>,
    /// Cue words (speech verbs, titles, agreement words), from the same scan
    /// as the names, for attribution.
    pub cues: Vec<Hit<CueKind>>,
}

impl Mentions {
    /// Is token `i` inside a time phrase?
    pub fn in_time(&self, i: usize) -> bool {
        self.times.iter().any(|t| i >= t.start && i < t.end)
    }

    /// Is token `i` inside a force, a place or a base?
    pub fn in_name(&self, i: usize) -> bool {
        self.forces.iter().any(|f| f.start <= i && i < f.end)
            || self.places.iter().any(|p| p.start <= i && i < p.end)
            || self.bases.iter().any(|b| b.start <= i && i < b.end)
    }
}

/// Does a phrase of this time rule, with no year of its own, take its year
/// from the publication day by a guess that the tense may move ("in June"
/// read in September: this June past, or next June ahead)?
pub fn year_guessed(rule: &str) -> bool {
    matches!(
        rule,
        "month" | "month_day" | "day_month" | "weekday" | "part_of_month" | "month_range" | "floor"
    )
}

/// Words that may stand between a nationality and its force word ("U.S.
/// special forces", "French military personnel").
const FORCE_MODIFIERS: &[&str] = &[
    "special",
    "military",
    "combat",
    "remaining",
    "elite",
    "ground",
    "air",
    "naval",
    "navy",
    "army",
    "defence",
    "defense",
    "peacekeeping",
    "border",
    "troop",
    "armed",
    "regular",
    "security",
    "national",
    "uniformed",
    "foreign",
    "allied",
    "coalition",
    "contingent",
    "service",
    "operations",
    "forces",
    "force",
    "marine",
    "rapid",
    "intervention",
    "expeditionary",
];

const ORDINALS: &[(&str, u32)] = &[
    ("first", 1),
    ("initial", 1),
    ("opening", 1),
    ("1st", 1),
    ("second", 2),
    ("2nd", 2),
    ("third", 3),
    ("3rd", 3),
    ("fourth", 4),
    ("4th", 4),
    ("fifth", 5),
    ("5th", 5),
    ("sixth", 6),
    ("6th", 6),
];

pub(super) const CARDINALS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("1", 1),
    ("2", 2),
    ("3", 3),
    ("4", 4),
    ("5", 5),
    ("6", 6),
    ("i", 1),
    ("ii", 2),
    ("iii", 3),
    ("iv", 4),
];

const APPROX: &[&str] = &[
    "about",
    "approximately",
    "roughly",
    "around",
    "some",
    "nearly",
    "almost",
    "estimated",
    "over",
    "more",
    "fewer",
    "less",
    "least",
    "most",
    "close",
    "just",
    "than",
    "an",
    "under",
    "upwards",
    "plus",
    "to",
];

fn number_word(w: &str) -> Option<(u32, bool)> {
    let n = match w {
        "a" | "one" => 1,
        "few" => return Some((3, true)),
        "several" => return Some((5, true)),
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "fifteen" => 15,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    };
    Some((n, false))
}

/// Finds every mention of a sentence.
pub fn find(sentence: &str, toks: &[Token], lex: &Lexicon, published: NaiveDate) -> Mentions {
    let mut m = Mentions::default();
    find_times(sentence, toks, published, &mut m);
    let (names, cues) = lex.find_names_and_cues(sentence);
    m.cues = cues;
    find_names(names, toks, lex, &mut m);
    find_open_forces(toks, lex, &mut m);
    find_bases(toks, lex, &mut m);
    place_bases(toks, &mut m);
    find_unknown_places(toks, &mut m);
    find_phases(toks, &mut m);
    // Counts point into the forces by index: sort them first.
    m.forces.sort_by_key(|f| f.start);
    find_counts(toks, &mut m);
    for f in m.forces.iter_mut() {
        // "after Paris pulled out": a subordinator, and the name is a subject.
        let mut next = f.end;
        while toks
            .get(next)
            .is_some_and(|t| t.has(Tags::ADV) && !t.has(Tags::PREP))
        {
            next += 1;
        }
        let subject_next = toks.get(next).is_some_and(|t| {
            matches!(
                t.verb_form(),
                super::dict::Form::Past
                    | super::dict::Form::Present3
                    | super::dict::Form::PastOrParticiple
            ) || t.has(Tags::MODAL_PLAN)
                || t.has(Tags::MODAL_POSSIBLE)
                || t.has(Tags::MODAL_EXPECTED)
                || t.has(Tags::HAVE)
                || t.has(Tags::BE)
                || t.has(Tags::NEG)
        });
        // A headline's "Germany to withdraw troops": "to" and a verb stand
        // for "will".
        let headline_future = toks.get(next).is_some_and(|t| t.is("to"))
            && toks
                .get(next + 1)
                .is_some_and(|t| t.verb_form() == super::dict::Form::Base);
        let subject_next = subject_next || headline_future && f.start == 0;
        f.subject = subject_next;
        // "to the Maldives", "in southern Lebanon": past the article and a
        // direction to the preposition.
        let mut k = f.start;
        while k > 0 && (toks[k - 1].is("the") || toks[k - 1].is_direction()) {
            k -= 1;
        }
        // "the governments of Mali, Burkina Faso and Niger": past a list of
        // names to its preposition.
        let mut j = k;
        while j > 0
            && f.start - j < 10
            && (toks[j - 1].is(",") || toks[j - 1].is("and") || toks[j - 1].cap)
        {
            j -= 1;
        }
        if j < k
            && j > 0
            && toks[j - 1].has(Tags::PREP)
            && toks[j..k].iter().any(|t| t.is("and") || t.is(","))
        {
            k = j;
        }
        f.in_phrase = f.bare_name
            && k > 0
            && (toks[k - 1].has(Tags::PREP) || toks[k - 1].is("'s"))
            && !(toks[k - 1].has(Tags::SUB) && subject_next);
    }
    // "the Ugandan contingent of the regional force": a part of the whole.
    for i in 0..m.forces.len() {
        if !matches!(m.forces[i].who, Who::Nation(_)) || m.forces[i].bare_name {
            continue;
        }
        let end = m.forces[i].end;
        let of = toks.get(end).is_some_and(|t| t.is("of"));
        let at = if toks.get(end + 1).is_some_and(|t| t.has(Tags::DET)) {
            end + 2
        } else {
            end + 1
        };
        if of {
            m.forces[i].part_of = m
                .forces
                .iter()
                .position(|g| g.start == at && matches!(g.who, Who::Actor(_) | Who::Open(_)));
        }
    }
    m
}

fn find_times(sentence: &str, toks: &[Token], published: NaiveDate, m: &mut Mentions) {
    for tm in time::find_times(sentence, published) {
        let (start, end) = token_span(toks, tm.start, tm.end);
        if start >= end {
            continue;
        }
        let words = &toks[start..end];
        let first = words.first().map(|t| t.lower.to_string());
        let prep = match first.as_deref() {
            Some(
                w @ ("by" | "before" | "until" | "till" | "within" | "in" | "on" | "at" | "from"
                | "starting" | "after" | "since" | "during" | "through" | "between" | "ahead"
                | "no" | "not" | "for" | "beginning" | "effective" | "as" | "to"),
            ) => Some(w.to_string()),
            _ => start
                .checked_sub(1)
                .and_then(|j| toks.get(j))
                .filter(|t| t.has(Tags::PREP) || t.is("ahead") || t.is("than"))
                .map(|t| t.lower.to_string()),
        };
        let has_year = words.iter().any(|t| {
            t.kind == Kind::Number && t.text.len() == 4 && t.text.starts_with(['1', '2'])
                || t.is("year")
                || t.is("years")
                || t.is("year-end")
                || t.is("yearend")
        });
        let relative_guess = !has_year
            && !words.iter().any(|t| {
                matches!(
                    t.lower.as_ref(),
                    "this" | "next" | "last" | "coming" | "current" | "past"
                )
            })
            && year_guessed(tm.rule);
        m.times.push(Time {
            start,
            end,
            m: tm,
            prep,
            has_year,
            relative_guess,
        });
    }
}

/// A force word within three tokens after `from` (skipping modifiers).
fn force_word_after(toks: &[Token], from: usize) -> Option<usize> {
    for (k, t) in toks.iter().enumerate().skip(from).take(3) {
        if t.has(Tags::FORCE) && !(t.is("force") && toks.get(k + 1).is_some_and(|n| n.is("of"))) {
            return Some(k);
        }
        let modifier =
            FORCE_MODIFIERS.contains(&t.lower.as_ref()) || t.acronym && t.kind == Kind::Word;
        if !modifier {
            return None;
        }
    }
    None
}

/// Quantity words just before a force mention: "all (of the)", "the last of
/// the roughly 2,000", "some of its", "a first batch of". A number alone says
/// how many, not which part.
/// The end of the force words after a possessive at `from`, past a number
/// and up to two modifiers: "(its) some 200-400 special forces personnel".
fn force_after_possessive(toks: &[Token], from: usize) -> Option<usize> {
    let mut k = from;
    let mut modifiers = 0;
    while k < toks.len() && k < from + 7 {
        let x = &toks[k];
        if x.has(Tags::FORCE) {
            let mut e = k + 1;
            while toks.get(e).is_some_and(|n| n.has(Tags::FORCE)) {
                e += 1;
            }
            return Some(e);
        }
        let number = x.kind == Kind::Number
            || x.text == "-"
            || matches!(
                x.lower.as_ref(),
                "some" | "about" | "roughly" | "around" | "nearly" | "approximately" | "estimated"
            );
        let modifier = x.is_word()
            && !x.cap
            && modifiers < 2
            && x.tags() == Tags::default()
            && x.info
                .is_none_or(|i| i.entries.is_empty() && !i.verb_form.is_verb());
        if number {
            k += 1;
        } else if modifier {
            modifiers += 1;
            k += 1;
        } else {
            return None;
        }
    }
    None
}

fn quant_before(toks: &[Token], start: usize) -> Quant {
    for (k, t) in toks[..start].iter().enumerate().rev().take(7) {
        // "51 of these soldiers": a number of them.
        if t.kind == Kind::Number && toks.get(k + 1).is_some_and(|x| x.is("of")) {
            return Quant::Some;
        }
        // "its some 300 soldiers": "some" before a number is "about".
        if t.is("some") && toks.get(k + 1).is_some_and(Token::starts_with_digit) {
            continue;
        }
        match t.lower.as_ref() {
            "all" | "entire" | "whole" | "every" => return Quant::All,
            "last" | "final" | "remaining" | "rest" => return Quant::Last,
            "some" | "part" | "portion" | "most" | "many" | "several" | "few" | "half"
            | "majority" | "bulk" | "contingent" | "batch" | "group" | "elements" | "dozens"
            | "hundreds" | "thousands" | "scores" => return Quant::Some,
            "first" | "initial" => return Quant::First,
            "the" | "of" | "its" | "their" | "a" | "an" | "roughly" | "about" | "around"
            | "approximately" | "nearly" | "almost" | "some-" | "estimated" | "over" | "than"
            | "more" | "just" => {}
            _ if t.kind == Kind::Number => {}
            _ if t.is_punct() && t.text == "," => {}
            _ => return Quant::None,
        }
    }
    Quant::None
}

fn find_names(names: Vec<Hit<NameKind>>, toks: &[Token], lex: &Lexicon, m: &mut Mentions) {
    for hit in names {
        let (start, end) = token_span(toks, hit.start, hit.end);
        if start >= end || m.in_time(start) {
            continue;
        }
        match hit.kind {
            NameKind::Country(i) | NameKind::Demonym(i) => {
                let possessive = toks.get(end).is_some_and(|t| t.is("'s"));
                let after = if possessive { end + 1 } else { end };
                if let Some(k) = force_word_after(toks, after) {
                    m.forces.push(Force {
                        start,
                        end: k + 1,
                        who: Who::Nation(i),
                        quant: quant_before(toks, start),
                        bare_name: false,
                        possessive,
                        part_of: None,
                        in_phrase: false,
                        subject: false,
                    });
                    continue;
                }
                let demonym = matches!(hit.kind, NameKind::Demonym(_));
                // "out of Lebanese territory", "on Syrian soil": the country.
                let land = demonym
                    && toks.get(end).is_some_and(|t| {
                        matches!(
                            t.lower.as_ref(),
                            "territory" | "soil" | "land" | "airspace" | "waters"
                        )
                    });
                if land {
                    m.places.push(Place {
                        start,
                        end: end + 1,
                        country: lex.countries.get(i).map(|c| c.code.clone()),
                        kind: PlaceKind::Country,
                    });
                    continue;
                }
                // A nation named alone: a place, and (as a subject) its government.
                if !demonym || possessive {
                    m.places.push(Place {
                        start,
                        end,
                        country: lex.countries.get(i).map(|c| c.code.clone()),
                        kind: PlaceKind::Country,
                    });
                }
                m.forces.push(Force {
                    start,
                    end: if possessive { end + 1 } else { end },
                    who: Who::Nation(i),
                    quant: Quant::None,
                    bare_name: true,
                    possessive,
                    part_of: None,
                    in_phrase: false,
                    subject: false,
                });
            }
            NameKind::Army(i) | NameKind::Actor(i) => {
                let end = force_word_after(toks, end).map_or(end, |k| k + 1);
                m.forces.push(Force {
                    start,
                    end,
                    // A national army ("the KDF") is its nation's force.
                    who: if matches!(hit.kind, NameKind::Army(_)) {
                        Who::Nation(i)
                    } else {
                        Who::Actor(i)
                    },
                    quant: quant_before(toks, start),
                    bare_name: false,
                    possessive: toks.get(end).is_some_and(|t| t.is("'s")),
                    part_of: None,
                    in_phrase: false,
                    subject: false,
                });
            }
            NameKind::Location(i) => {
                let Some(loc) = lex.locations.get(i) else {
                    continue;
                };
                match loc.kind {
                    LocationKind::Base => m.bases.push(Base {
                        start,
                        end,
                        name: Some(loc.name.clone()),
                        country: Some(loc.country.clone()),
                    }),
                    kind => {
                        // A capital as a subject stands for its government.
                        if kind == LocationKind::City {
                            if let Some(ci) = lex.capital_of(i) {
                                m.forces.push(Force {
                                    start,
                                    end,
                                    who: Who::Nation(ci),
                                    quant: Quant::None,
                                    bare_name: true,
                                    possessive: false,
                                    part_of: None,
                                    in_phrase: false,
                                    subject: false,
                                });
                            }
                        }
                        m.places.push(Place {
                            start,
                            end,
                            country: Some(loc.country.clone()),
                            kind: if kind == LocationKind::Region {
                                PlaceKind::Region
                            } else {
                                PlaceKind::City
                            },
                        })
                    }
                }
            }
        }
    }
    // Names inside a longer force mention are not places of their own.
    let forces = m.forces.clone();
    m.places.retain(|p| {
        !forces
            .iter()
            .any(|f| !f.bare_name && p.start >= f.start && p.end <= f.end)
    });
    // "the country", "the islands", "the West African nation": the host.
    for (i, t) in toks.iter().enumerate() {
        if !t.has(Tags::HOST_NOUN) || i == 0 {
            continue;
        }
        let mut k = i;
        while k > 0
            && i - k < 3
            && !toks[k - 1].is("the")
            && (toks[k - 1].cap
                || toks[k - 1].is("african")
                || toks[k - 1].is("asian")
                || toks[k - 1].is("sahelian")
                || toks[k - 1].is("gulf")
                || toks[k - 1].is("island"))
        {
            k -= 1;
        }
        if k > 0 && toks[k - 1].is("the") && !m.places.iter().any(|p| p.start <= i && i < p.end) {
            m.places.push(Place {
                start: k - 1,
                end: i + 1,
                country: None,
                kind: PlaceKind::Host,
            });
        }
    }
}

/// Generic forces ("the troops"), the host's side ("the national army"),
/// pronouns, and open-class acronyms standing for a force.
fn find_open_forces(toks: &[Token], lex: &Lexicon, m: &mut Mentions) {
    let covered = |m: &Mentions, i: usize| m.forces.iter().any(|f| i >= f.start && i < f.end);
    for i in 0..toks.len() {
        if covered(m, i) || m.in_time(i) {
            continue;
        }
        let t = &toks[i];
        if t.kind != Kind::Word {
            continue;
        }
        // An acronym the lexicon does not know, beside a force word or a
        // mission's name: "SAMIDRC", "EACRF troops".
        if t.acronym && (t.text.len() >= 3 || lex.is_parent_org(&t.lower)) && !lex.is_name(&t.lower)
        {
            let force_after = force_word_after(toks, i + 1);
            let in_brackets_after_mission = i >= 2
                && toks[i - 1].is_punct()
                && toks[i - 1].text == "("
                && toks[..i - 1]
                    .iter()
                    .rev()
                    .take(8)
                    .any(|x| x.cap && (x.is("mission") || x.is("force") || x.is("operation")));
            if force_after.is_some() || in_brackets_after_mission {
                let end = force_after.map_or(i + 1, |k| k + 1);
                let who = if lex.is_parent_org(&t.lower) {
                    // "SADC troops ... from DR Congo": the one mission the
                    // organisation fields there, when the sentence says where.
                    let countries: Vec<&str> = m
                        .places
                        .iter()
                        .filter_map(|p| p.country.as_deref())
                        .collect();
                    let places: Vec<&str> = m
                        .places
                        .iter()
                        .filter_map(|p| toks.get(p.start).map(|t| t.text))
                        .collect();
                    lex.org_mission(t.text, &countries, &places)
                        .map_or(Who::Org, Who::Actor)
                } else {
                    Who::Open(t.text.trim_end_matches('.').to_string())
                };
                m.forces.push(Force {
                    start: i,
                    end,
                    who,
                    quant: quant_before(toks, i),
                    bare_name: false,
                    possessive: toks.get(end).is_some_and(|x| x.is("'s")),
                    part_of: None,
                    in_phrase: false,
                    subject: false,
                });
                continue;
            }
        }
        if t.has(Tags::PRON) && matches!(t.lower.as_ref(), "it" | "they")
            || t.is("its")
            || t.is("their")
        {
            // "its troops", "its border guards", "its some 200-400 special
            // forces personnel" are one force mention; "its withdrawal" a possessive.
            let end = if t.is("its") || t.is("their") {
                force_after_possessive(toks, i + 1).unwrap_or(i + 1)
            } else {
                i + 1
            };
            m.forces.push(Force {
                start: i,
                end,
                who: Who::Pronoun,
                quant: quant_before(toks, i),
                bare_name: false,
                possessive: t.is("its") || t.is("their"),
                part_of: None,
                in_phrase: false,
                subject: false,
            });
            continue;
        }
        if t.has(Tags::FORCE) {
            // "the national army", "government forces", "local forces".
            let prev = i.checked_sub(1).map(|j| toks[j].lower.as_ref());
            let host_side = matches!(
                prev,
                Some(
                    "national"
                        | "government"
                        | "local"
                        | "host"
                        | "state"
                        | "federal"
                        | "domestic"
                        | "regime"
                )
            );
            let start = if host_side { i - 1 } else { i };
            if covered(m, start) {
                continue;
            }
            // A force word after another force word is part of it ("troops
            // contingent"); a force noun used as a modifier ("troop levels") is no mention.
            if t.is("troop")
                && toks
                    .get(i + 1)
                    .is_some_and(|n| n.is_word() && !n.has(Tags::FORCE))
            {
                continue;
            }
            m.forces.push(Force {
                start,
                end: i + 1,
                who: if host_side {
                    Who::HostSide
                } else {
                    Who::Generic
                },
                quant: quant_before(toks, start),
                bare_name: false,
                possessive: toks.get(i + 1).is_some_and(|x| x.is("'s")),
                part_of: None,
                in_phrase: false,
                subject: false,
            });
        }
    }
}

/// A run of capitalised words ending just before `end` (at most three):
/// the name in "the Ndala air base". Returns its first token.
fn capitalised_before(toks: &[Token], end: usize) -> Option<usize> {
    let mut s = end;
    while s > 0 && end - s < 3 {
        let t = &toks[s - 1];
        let namey = t.kind == Kind::Word
            && (t.cap || t.lower.starts_with("al-") || t.lower.starts_with("el-"))
            || t.kind == Kind::Number && s < end;
        if !namey || t.has(Tags::DET) && t.cap && s - 1 == 0 {
            break;
        }
        s -= 1;
    }
    (s < end && toks[s].kind == Kind::Word && toks[s].cap && !toks[s].has(Tags::DET)).then_some(s)
}

/// "withdrawn from South Kivu", "pulled out of Upper Nile": a capitalised
/// name the lexicon does not know, right after "from" or "out of", is a place
/// (every country is in the lexicon, so it lies inside one).
fn find_unknown_places(toks: &[Token], m: &mut Mentions) {
    let taken = |m: &Mentions, k: usize| m.in_name(k) || m.in_time(k);
    for i in 1..toks.len() {
        let from =
            toks[i - 1].is("from") || toks[i - 1].is("of") && i >= 2 && toks[i - 2].is("out");
        if !from || !toks[i].cap || !toks[i].is_word() || toks[i].acronym || taken(m, i) {
            continue;
        }
        let mut end = i;
        while end < toks.len()
            && end - i < 3
            && toks[end].is_word()
            && toks[end].cap
            && !toks[end].has(Tags::DET)
            && !taken(m, end)
        {
            end += 1;
        }
        m.places.push(Place {
            start: i,
            end,
            country: None,
            kind: PlaceKind::Unknown,
        });
    }
}

fn find_bases(toks: &[Token], lex: &Lexicon, m: &mut Mentions) {
    let name_of = |a: usize, b: usize| joined(toks, a, b);
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if m.bases.iter().any(|b| i >= b.start && i < b.end) {
            i += 1;
            continue;
        }
        // "Camp Victory", "Forward Operating Base Bravo", "FOB X", "Joint Base Balad".
        if t.has(Tags::BASE_PREFIX) && t.cap {
            let mut k = i + 1;
            // Multiword prefixes: "Forward Operating Base", "Joint Base".
            while toks.get(k).is_some_and(|x| x.cap && x.has(Tags::BASE)) {
                k += 1;
            }
            let mut e = k;
            while e < toks.len()
                && e - k < 3
                && toks[e].kind != Kind::Punct('(')
                && (toks[e].cap || toks[e].kind == Kind::Number && e > k)
                && !toks[e].has(Tags::DET)
            {
                e += 1;
            }
            if e > k && !lex.is_country_word(&toks[k].lower) {
                m.bases.push(Base {
                    start: i,
                    end: e,
                    name: Some(name_of(i, e)),
                    country: None,
                });
                i = e;
                continue;
            }
        }
        if t.has(Tags::BASE) && !t.cap || t.has(Tags::BASE) && t.cap && i > 0 {
            // "the Ndala air base", "Zvartnots international airport": the
            // capitalised words before the base word and its kind.
            let mut head_start = i;
            if i > 0
                && matches!(
                    toks[i - 1].lower.as_ref(),
                    "air" | "international" | "military" | "naval"
                )
            {
                head_start = i - 1;
            }
            if let Some(s) = capitalised_before(toks, head_start) {
                let covered_force = m
                    .forces
                    .iter()
                    .any(|f| s >= f.start && s < f.end && !f.bare_name);
                let country_word = (s..head_start).any(|k| lex.is_country_word(&toks[k].lower));
                if !covered_force && !country_word {
                    m.bases.push(Base {
                        start: s,
                        end: i + 1,
                        name: Some(name_of(s, head_start)),
                        country: None,
                    });
                    i += 1;
                    continue;
                }
            }
            // "the base at Gao", "its camp in Kidal".
            if toks
                .get(i + 1)
                .is_some_and(|p| p.is("at") || p.is("in") || p.is("of"))
            {
                let s = i + 2;
                let mut e = s;
                while e < toks.len() && e - s < 3 && toks[e].cap && toks[e].kind == Kind::Word {
                    e += 1;
                }
                if e > s && !(s..e).any(|k| lex.is_country_word(&toks[k].lower)) && !m.in_time(s) {
                    m.bases.push(Base {
                        start: i,
                        end: e,
                        name: Some(name_of(s, e)),
                        country: None,
                    });
                    i = e;
                    continue;
                }
            }
            // "the base", "its last base in the north", "the camps", "the
            // headquarters": a base mention without a name.
            m.bases.push(Base {
                start: i,
                end: i + 1,
                name: None,
                country: None,
            });
        }
        i += 1;
    }
}

/// A base followed by "in X" or ", X" is in X's country: "Camp Meridian in
/// Congo", "the Faya base in northern Chad".
fn place_bases(toks: &[Token], m: &mut Mentions) {
    for b in m.bases.iter_mut().filter(|b| b.country.is_none()) {
        // "Yerevan's Zvartnots airport", "Kabul's airport".
        if b.start >= 2 && toks[b.start - 1].is_possessive() {
            if let Some(p) = m.places.iter().find(|p| p.end == b.start - 1) {
                b.country = p.country.clone();
                continue;
            }
        }
        let mut k = b.end;
        if toks
            .get(k)
            .is_some_and(|t| t.is("in") || t.is(",") || t.is("near"))
        {
            k += 1;
        } else {
            continue;
        }
        // "in northern Chad", "in the north of Mali"
        while toks
            .get(k)
            .is_some_and(|t| t.has(Tags::DET) || t.is_direction() || t.is("of"))
            && k < b.end + 6
        {
            k += 1;
        }
        if let Some(p) = m
            .places
            .iter()
            .find(|p| p.start == k && p.country.is_some())
        {
            b.country = p.country.clone();
        }
    }
}

/// The text of tokens `[a, b)` with their original spacing folded to one space.
fn joined(toks: &[Token], a: usize, b: usize) -> String {
    let mut out = String::new();
    for (k, t) in toks[a..b].iter().enumerate() {
        if k > 0 && toks[a + k - 1].end < t.start {
            out.push(' ');
        }
        out.push_str(t.text);
    }
    out
}

fn find_phases(toks: &[Token], m: &mut Mentions) {
    for (i, t) in toks.iter().enumerate() {
        if !t.has(Tags::PHASE) {
            continue;
        }
        let plural = t.lower.ends_with('s') && !t.is("process");
        let prev = |k: usize| i.checked_sub(k).map(|j| toks[j].lower.as_ref());
        let hyphen_total = prev(1) == Some("-");
        if plural || hyphen_total {
            let word = if hyphen_total { prev(2) } else { prev(1) };
            let total = CARDINALS
                .iter()
                .find(|(w, _)| Some(*w) == word)
                .map(|(_, n)| *n)
                .filter(|n| *n >= 2);
            if total.is_some() {
                m.phases.push(Phase {
                    start: i - if hyphen_total { 2 } else { 1 },
                    end: i + 1,
                    number: None,
                    last: false,
                    total,
                });
            }
            continue;
        }
        // "the second and final phase"
        let mut number = None;
        let mut last = false;
        let mut start = i;
        for k in 1..=4 {
            match prev(k) {
                Some("final" | "last") => {
                    last = true;
                    start = i - k;
                }
                Some("and" | "-") => {}
                Some(w) => {
                    if let Some((_, n)) = ORDINALS.iter().find(|(o, _)| *o == w) {
                        number = Some(*n);
                        start = i - k;
                    }
                    break;
                }
                None => break,
            }
        }
        let mut end = i + 1;
        if number.is_none() {
            if let Some(next) = toks.get(i + 1) {
                if let Some((_, n)) = CARDINALS.iter().find(|(c, _)| *c == next.lower) {
                    number = Some(*n);
                    end = i + 2;
                }
            }
        }
        if number.is_some() || last {
            m.phases.push(Phase {
                start,
                end,
                number,
                last,
                total: None,
            });
        }
    }
}

fn parse_number(text: &str) -> Option<f64> {
    let digits: String = text.chars().filter(|c| *c != ',').collect();
    digits.parse::<f64>().ok()
}

fn find_counts(toks: &[Token], m: &mut Mentions) {
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let (mut value, mut approx, mut next) = match t.kind {
            Kind::Number if !m.in_time(i) => match parse_number(&t.lower) {
                Some(v) => (v, false, i + 1),
                None => {
                    i += 1;
                    continue;
                }
            },
            Kind::Word => match number_word(&t.lower) {
                // "two thousand", "a few hundred"; "a" or "one" alone is no count.
                Some((n, rough))
                    if toks
                        .get(i + 1)
                        .is_some_and(|x| x.is("hundred") || x.is("thousand"))
                        || !matches!(t.lower.as_ref(), "a" | "one" | "few" | "several")
                            && toks.get(i + 1).is_some_and(|x| x.has(Tags::FORCE)) =>
                {
                    (f64::from(n), rough, i + 1)
                }
                _ if t.is("a") && toks.get(i + 1).is_some_and(|x| x.is("few")) => {
                    (3.0, true, i + 2)
                }
                _ => {
                    i += 1;
                    continue;
                }
            },
            _ => {
                i += 1;
                continue;
            }
        };
        // Scale words: "2.5 thousand", "a few hundred".
        if let Some(scale) = toks.get(next) {
            let factor = match scale.lower.as_ref() {
                "thousand" => Some(1000.0),
                "hundred" => Some(100.0),
                _ => None,
            };
            if let Some(f) = factor {
                value *= f;
                next += 1;
            }
        }
        if !(1.0..=5_000_000.0).contains(&value) || value.fract() != 0.0 {
            i = next;
            continue;
        }
        let is_year = t.kind == Kind::Number
            && t.text.len() == 4
            && !t.text.contains(',')
            && (1900.0..=2100.0).contains(&value);
        // Qualifiers before: "about", "some", "more than", "up to", "all".
        let mut start = i;
        let mut all = false;
        let mut ceiling = false;
        let mut k = i;
        while k > 0 && i - k < 4 {
            let w = &toks[k - 1];
            let lw = w.lower.as_ref();
            if lw == "up" && toks.get(k).is_some_and(|x| x.is("to")) {
                ceiling = true;
                start = k - 1;
            } else if APPROX.contains(&lw)
                && (lw != "to"
                    || toks
                        .get(k.wrapping_sub(2))
                        .is_some_and(|x| x.is("up") || x.is("close")))
            {
                if !matches!(lw, "to" | "than" | "an") {
                    approx = true;
                }
                if !matches!(lw, "to") {
                    start = k - 1;
                }
            } else if lw == "all" || lw == "entire" {
                all = true;
                start = k - 1;
            } else if matches!(lw, "the" | "its" | "their")
                && toks.get(k.wrapping_sub(2)).is_none_or(|x| !x.is("of"))
            {
                // "the roughly 1,500 troops", "its 12,000 peacekeepers": the
                // whole of them, as "all" (not "some of its 1,000").
                all = true;
            } else if lw == "the"
                || lw == "of" && toks.get(k.wrapping_sub(2)).is_some_and(|x| x.is("all"))
            {
                // "all of the 2,000"
            } else {
                break;
            }
            k -= 1;
        }
        if start > 0 && toks[start - 1].has(Tags::CEILING)
            || toks
                .get(i.wrapping_sub(1))
                .is_some_and(|x| x.has(Tags::CEILING))
        {
            ceiling = true;
        }
        // What follows: "-strong", modifiers, then a force word.
        let mut e = next;
        if toks.get(e).is_some_and(|x| x.text == "-")
            && toks.get(e + 1).is_some_and(|x| x.is("strong"))
        {
            e += 2;
        } else if toks.get(e).is_some_and(|x| x.is("-strong")) {
            e += 1;
        }
        let mut force_at = None;
        let mut excluded = false;
        for (k, w) in toks.iter().enumerate().skip(e).take(4) {
            if w.has(Tags::FORCE) {
                force_at = Some(k);
                break;
            }
            if w.has(Tags::NOT_TROOPS) || w.is_punct() && w.text != "-" && w.text != "." {
                excluded = w.has(Tags::NOT_TROOPS);
                break;
            }
            let modifier = w.cap
                || w.acronym
                || FORCE_MODIFIERS.contains(&w.lower.as_ref())
                || w.is("more")
                || w.is("additional")
                || w.is("of")
                || w.is("the")
                || w.is("its")
                || w.is("their");
            if !modifier {
                break;
            }
        }
        let preceded_by_money = start > 0 && matches!(toks[start - 1].text, "$" | "€" | "£");
        let name_number = i > 0
            && toks[i - 1].cap
            && toks[i - 1].kind == Kind::Word
            && !APPROX.contains(&toks[i - 1].lower.as_ref())
            && i - 1 > 0;
        if excluded
            || preceded_by_money
            || is_year && force_at.is_none()
            || name_number && force_at.is_none()
        {
            i = next;
            continue;
        }
        let end = force_at.map_or(next, |k| k + 1);
        let force = force_at.and_then(|k| m.forces.iter().position(|f| k >= f.start && k < f.end));
        let v = value as u32;
        let (min, max) = if approx {
            (v - v / 10, v + v / 10)
        } else {
            (v, v)
        };
        m.counts.push(Count {
            start,
            end,
            value: v,
            min,
            max,
            approx,
            force_word: force_at.is_some(),
            force,
            all,
            ceiling,
        });
        i = end.max(i + 1);
    }
}
