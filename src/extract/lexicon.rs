//! The extractor's knowledge as data: countries (names, demonyms, capitals),
//! forces (coalitions and missions with aliases, members and theatres), places
//! with their country, and the cue words of each rule. Loaded from the built-in
//! `lexicon.toml`, optionally extended by a user file, and compiled once into
//! phrase matchers that tolerate the glued words of badly copied web text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;

const BUILT_IN: &str = include_str!("lexicon.toml");

/// A country that a force can leave, or that a force comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: String,
    /// The name used in messages ("Iraq", "the United States").
    pub name: String,
    /// The name of its forces as an actor ("US", "France"); defaults to `name`.
    #[serde(default)]
    pub short: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub demonyms: Vec<String>,
    #[serde(default)]
    pub capital: Option<String>,
}

impl Country {
    /// The canonical actor name of this country's own forces.
    pub fn actor_name(&self) -> &str {
        self.short.as_deref().unwrap_or(&self.name)
    }
}

/// A multinational force or mission.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorDef {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Country codes of its members: a member's troops in a theatre are this force's.
    #[serde(default)]
    pub members: Vec<String>,
    /// Countries it operates in: "the coalition" there means this force.
    #[serde(default)]
    pub theatres: Vec<String>,
}

/// What kind of place a location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    Base,
    City,
    Region,
}

/// A base, city or region, with its country.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub country: String,
    pub kind: LocationKind,
}

/// Cue word lists, one per rule. See the comments in `lexicon.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Words {
    pub withdrawal: Vec<String>,
    pub force: Vec<String>,
    pub count_exclusions: Vec<String>,
    #[serde(rename = "final")]
    pub final_: Vec<String>,
    pub partial: Vec<String>,
    pub phase: Vec<String>,
    pub base: Vec<String>,
    pub agreement: Vec<String>,
    pub citation: Vec<String>,
    pub other_events: Vec<String>,
    pub change: Vec<String>,
    pub proposed: Vec<String>,
    pub rejected: Vec<String>,
    pub denied: Vec<String>,
    pub speculative: Vec<String>,
    pub expected: Vec<String>,
    pub status_agreed: Vec<String>,
    pub status_signed: Vec<String>,
    pub status_announced: Vec<String>,
    pub status_in_progress: Vec<String>,
    pub status_completed: Vec<String>,
    pub status_postponed: Vec<String>,
    pub status_cancelled: Vec<String>,
    pub future: Vec<String>,
    pub negation: Vec<String>,
    pub subordinate: Vec<String>,
    pub generic_force: Vec<String>,
    pub speech: Vec<String>,
    pub titles: Vec<String>,
    pub boilerplate: Vec<String>,
}

/// The file shape of a lexicon (built-in or user extension).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LexiconFile {
    countries: Vec<Country>,
    actors: Vec<ActorDef>,
    locations: Vec<Location>,
    words: Words,
}

/// Errors loading a lexicon extension.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("cannot read the lexicon file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the lexicon file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("the lexicon file {path}: {problem}")]
    Invalid { path: PathBuf, problem: String },
    #[error("cannot build the phrase matcher: {0}")]
    Build(#[from] aho_corasick::BuildError),
}

/// Which table a name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// Index into `countries`: the country by name ("Iraq").
    Country(usize),
    /// Index into `countries`: a demonym ("Iraqi", "American").
    Demonym(usize),
    /// Index into `actors`.
    Actor(usize),
    /// Index into `locations`.
    Location(usize),
}

/// Which cue list a cue word belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CueKind {
    Withdrawal,
    Force,
    CountExclusion,
    Final,
    Partial,
    Phase,
    Base,
    Agreement,
    Citation,
    OtherEvent,
    Change,
    Proposed,
    Rejected,
    Denied,
    Speculative,
    Expected,
    StatusAgreed,
    StatusSigned,
    StatusAnnounced,
    StatusInProgress,
    StatusCompleted,
    StatusPostponed,
    StatusCancelled,
    Future,
    Negation,
    Subordinate,
    GenericForce,
    Speech,
    Title,
    Boilerplate,
}

/// A phrase found in a text: byte offsets and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit<K> {
    pub start: usize,
    pub end: usize,
    pub kind: K,
}

/// A compiled set of phrases with a payload each, matched on word boundaries.
#[derive(Debug)]
struct PhraseSet<K> {
    automaton: AhoCorasick,
    payload: Vec<K>,
    case_insensitive: bool,
}

impl<K: Copy> PhraseSet<K> {
    fn new(phrases: Vec<(String, K)>, case_insensitive: bool) -> Result<Self, LexiconError> {
        let (patterns, payload): (Vec<String>, Vec<K>) = phrases.into_iter().unzip();
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(case_insensitive)
            .match_kind(MatchKind::Standard)
            .build(&patterns)?;
        Ok(PhraseSet {
            automaton,
            payload,
            case_insensitive,
        })
    }

    /// Every phrase on word boundaries, leftmost-longest, without overlaps.
    fn find(&self, text: &str) -> Vec<Hit<K>> {
        let bytes = text.as_bytes();
        let mut hits: Vec<Hit<K>> = Vec::new();
        for m in self.automaton.find_overlapping_iter(text) {
            if !on_boundaries(bytes, m.start(), m.end(), self.case_insensitive) {
                continue;
            }
            let Some(kind) = self.payload.get(m.pattern().as_usize()).copied() else {
                continue;
            };
            hits.push(Hit {
                start: m.start(),
                end: m.end(),
                kind,
            });
        }
        // Leftmost first, longest first at one position; then drop overlaps.
        hits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        // The same span may carry several kinds; it is kept once per kind.
        let mut out: Vec<Hit<K>> = Vec::with_capacity(hits.len());
        let mut kept_end = 0;
        let mut kept_span = (usize::MAX, 0);
        for hit in hits {
            if (hit.start, hit.end) == kept_span {
                out.push(hit);
            } else if out.is_empty() || hit.start >= kept_end {
                kept_span = (hit.start, hit.end);
                kept_end = hit.end;
                out.push(hit);
            }
        }
        out
    }
}

/// Word prefixes that change a word's meaning: "disagreed" is not "agreed".
const MEANINGFUL_PREFIXES: [&str; 10] = [
    "dis", "un", "non", "re", "pre", "mis", "over", "under", "counter", "sub",
];

/// Is `text[start..end]` a whole word (or words)? Badly copied text glues words
/// together ("inSeptember", "MinisterSabit", "initiallyproposed"); a case change
/// from lower to upper counts as a boundary, and a long lowercase cue may be glued
/// after another word unless that word is a prefix that changes its meaning.
fn on_boundaries(bytes: &[u8], start: usize, end: usize, long_cue_glue: bool) -> bool {
    let first = bytes.get(start).copied().unwrap_or(b' ');
    let last = bytes.get(end.wrapping_sub(1)).copied().unwrap_or(b' ');
    let left_ok = match start.checked_sub(1).and_then(|i| bytes.get(i)) {
        None => true,
        Some(&prev) if !prev.is_ascii_alphanumeric() => true,
        Some(&prev) if prev.is_ascii_lowercase() && first.is_ascii_uppercase() => true,
        Some(&prev) if prev.is_ascii_lowercase() && long_cue_glue && end - start >= 6 => {
            // The glued prefix: back to the previous non-letter.
            let mut i = start;
            while i > 0 && bytes.get(i - 1).is_some_and(|b| b.is_ascii_alphabetic()) {
                i -= 1;
            }
            let prefix = &bytes[i..start];
            prefix.len() >= 2
                && !MEANINGFUL_PREFIXES
                    .iter()
                    .any(|p| prefix.eq_ignore_ascii_case(p.as_bytes()))
        }
        Some(_) => false,
    };
    let right_ok = match bytes.get(end) {
        None => true,
        Some(&next) if !next.is_ascii_alphanumeric() => true,
        Some(&next) if next.is_ascii_uppercase() && last.is_ascii_lowercase() => true,
        Some(_) => !last.is_ascii_alphanumeric(),
    };
    left_ok && right_ok
}

/// The loaded and compiled lexicon. Build once; share by reference.
#[derive(Debug)]
pub struct Lexicon {
    pub countries: Vec<Country>,
    pub actors: Vec<ActorDef>,
    pub locations: Vec<Location>,
    country_index: HashMap<String, usize>,
    names: PhraseSet<NameKind>,
    cues: PhraseSet<CueKind>,
}

impl Lexicon {
    /// The built-in lexicon.
    pub fn built_in() -> Result<Lexicon, LexiconError> {
        Lexicon::with_extensions(&[])
    }

    /// The built-in lexicon extended by the given TOML files (same shape as
    /// `lexicon.toml`; entries are added, a country code given again replaces
    /// the built-in entry).
    pub fn with_extensions(paths: &[PathBuf]) -> Result<Lexicon, LexiconError> {
        let mut file: LexiconFile =
            toml::from_str(BUILT_IN).map_err(|source| LexiconError::Parse {
                path: PathBuf::from("<built-in lexicon>"),
                source,
            })?;
        for path in paths {
            let text = std::fs::read_to_string(path).map_err(|source| LexiconError::Read {
                path: path.clone(),
                source,
            })?;
            let extra: LexiconFile =
                toml::from_str(&text).map_err(|source| LexiconError::Parse {
                    path: path.clone(),
                    source,
                })?;
            merge(&mut file, extra, path)?;
        }
        Lexicon::compile(file)
    }

    fn compile(file: LexiconFile) -> Result<Lexicon, LexiconError> {
        let mut names: Vec<(String, NameKind)> = Vec::new();
        let mut country_index = HashMap::new();
        for (i, c) in file.countries.iter().enumerate() {
            country_index.insert(c.code.clone(), i);
            for alias in c.aliases.iter().chain(std::iter::once(&c.name)) {
                let alias = alias.strip_prefix("the ").unwrap_or(alias);
                names.push((alias.to_string(), NameKind::Country(i)));
            }
            for d in &c.demonyms {
                names.push((d.clone(), NameKind::Demonym(i)));
            }
        }
        for (i, a) in file.actors.iter().enumerate() {
            for alias in a.aliases.iter().chain(std::iter::once(&a.name)) {
                names.push((alias.clone(), NameKind::Actor(i)));
            }
        }
        for (i, l) in file.locations.iter().enumerate() {
            for alias in l.aliases.iter().chain(std::iter::once(&l.name)) {
                names.push((alias.clone(), NameKind::Location(i)));
            }
        }
        // A name listed twice (a country alias that is also a demonym, "US")
        // keeps its first meaning: countries before demonyms before actors.
        let mut seen = std::collections::HashSet::new();
        names.retain(|(n, _)| seen.insert(n.clone()));

        let w = &file.words;
        let lists: [(&Vec<String>, CueKind); 30] = [
            (&w.withdrawal, CueKind::Withdrawal),
            (&w.force, CueKind::Force),
            (&w.count_exclusions, CueKind::CountExclusion),
            (&w.final_, CueKind::Final),
            (&w.partial, CueKind::Partial),
            (&w.phase, CueKind::Phase),
            (&w.base, CueKind::Base),
            (&w.agreement, CueKind::Agreement),
            (&w.citation, CueKind::Citation),
            (&w.other_events, CueKind::OtherEvent),
            (&w.change, CueKind::Change),
            (&w.proposed, CueKind::Proposed),
            (&w.rejected, CueKind::Rejected),
            (&w.denied, CueKind::Denied),
            (&w.speculative, CueKind::Speculative),
            (&w.expected, CueKind::Expected),
            (&w.status_agreed, CueKind::StatusAgreed),
            (&w.status_signed, CueKind::StatusSigned),
            (&w.status_announced, CueKind::StatusAnnounced),
            (&w.status_in_progress, CueKind::StatusInProgress),
            (&w.status_completed, CueKind::StatusCompleted),
            (&w.status_postponed, CueKind::StatusPostponed),
            (&w.status_cancelled, CueKind::StatusCancelled),
            (&w.future, CueKind::Future),
            (&w.negation, CueKind::Negation),
            (&w.subordinate, CueKind::Subordinate),
            (&w.generic_force, CueKind::GenericForce),
            (&w.speech, CueKind::Speech),
            (&w.titles, CueKind::Title),
            (&w.boilerplate, CueKind::Boilerplate),
        ];
        // A word may be in several lists ("postponed" is a status and a change
        // word); each list reports it.
        let mut cues: Vec<(String, CueKind)> = Vec::new();
        let mut seen_cues = std::collections::HashSet::new();
        for (list, kind) in lists {
            for word in list {
                let word = word.trim().to_string();
                if !word.is_empty() && seen_cues.insert((word.to_ascii_lowercase(), kind)) {
                    cues.push((word, kind));
                }
            }
        }
        Ok(Lexicon {
            countries: file.countries,
            actors: file.actors,
            locations: file.locations,
            country_index,
            names: PhraseSet::new(names, false)?,
            cues: PhraseSet::new(cues, true)?,
        })
    }

    /// Countries, demonyms, forces and places named in `text`.
    pub fn find_names(&self, text: &str) -> Vec<Hit<NameKind>> {
        self.names.find(text)
    }

    /// Cue words in `text`.
    pub fn find_cues(&self, text: &str) -> Vec<Hit<CueKind>> {
        self.cues.find(text)
    }

    /// The country with this ISO code.
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.country_index
            .get(code)
            .and_then(|&i| self.countries.get(i))
    }

    /// The display name of a country code ("Iraq"), or the code itself.
    pub fn country_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.country(code).map(|c| c.name.as_str()).unwrap_or(code)
    }
}

/// Adds `extra` to `base`; a country code given again replaces the entry.
fn merge(base: &mut LexiconFile, extra: LexiconFile, path: &Path) -> Result<(), LexiconError> {
    for c in extra.countries {
        if c.code.len() != 2 || !c.code.chars().all(|ch| ch.is_ascii_uppercase()) {
            return Err(LexiconError::Invalid {
                path: path.to_path_buf(),
                problem: format!(
                    "country code {:?} is not an ISO 3166-1 alpha-2 code (two capital letters)",
                    c.code
                ),
            });
        }
        if let Some(existing) = base.countries.iter_mut().find(|e| e.code == c.code) {
            *existing = c;
        } else {
            base.countries.push(c);
        }
    }
    base.actors.extend(extra.actors);
    base.locations.extend(extra.locations);
    let w = &mut base.words;
    let e = extra.words;
    w.withdrawal.extend(e.withdrawal);
    w.force.extend(e.force);
    w.count_exclusions.extend(e.count_exclusions);
    w.final_.extend(e.final_);
    w.partial.extend(e.partial);
    w.phase.extend(e.phase);
    w.base.extend(e.base);
    w.agreement.extend(e.agreement);
    w.citation.extend(e.citation);
    w.other_events.extend(e.other_events);
    w.change.extend(e.change);
    w.proposed.extend(e.proposed);
    w.rejected.extend(e.rejected);
    w.denied.extend(e.denied);
    w.speculative.extend(e.speculative);
    w.expected.extend(e.expected);
    w.status_agreed.extend(e.status_agreed);
    w.status_signed.extend(e.status_signed);
    w.status_announced.extend(e.status_announced);
    w.status_in_progress.extend(e.status_in_progress);
    w.status_completed.extend(e.status_completed);
    w.status_postponed.extend(e.status_postponed);
    w.status_cancelled.extend(e.status_cancelled);
    w.future.extend(e.future);
    w.negation.extend(e.negation);
    w.subordinate.extend(e.subordinate);
    w.generic_force.extend(e.generic_force);
    w.speech.extend(e.speech);
    w.titles.extend(e.titles);
    w.boilerplate.extend(e.boilerplate);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        match Lexicon::built_in() {
            Ok(l) => l,
            Err(e) => panic!("built-in lexicon does not load: {e}"),
        }
    }

    fn cue_words(text: &str) -> Vec<(&str, CueKind)> {
        lex()
            .find_cues(text)
            .into_iter()
            .map(|h| (&text[h.start..h.end], h.kind))
            .collect()
    }

    #[test]
    fn built_in_lexicon_loads_with_unique_codes() {
        let l = lex();
        let mut codes: Vec<&str> = l.countries.iter().map(|c| c.code.as_str()).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n, "a country code is listed twice");
        for loc in &l.locations {
            assert!(
                l.country(&loc.country).is_some(),
                "{} has no country",
                loc.name
            );
        }
    }

    #[test]
    fn glued_words_still_match() {
        let l = lex();
        let text = "according to Defense MinisterSabit and SaudiArabia";
        let names: Vec<&str> = l
            .find_names(text)
            .iter()
            .map(|h| &text[h.start..h.end])
            .collect();
        assert!(names.contains(&"Saudi"), "{names:?}");
        assert!(
            cue_words("Austin had initiallyproposed a plan")
                .contains(&("proposed", CueKind::Proposed))
        );
        assert!(
            cue_words("Thewithdrawal of the force").contains(&("withdrawal", CueKind::Withdrawal))
        );
    }

    #[test]
    fn word_boundaries_are_respected() {
        assert!(
            !cue_words("the department said")
                .iter()
                .any(|(_, k)| *k == CueKind::Withdrawal)
        );
        assert!(
            !cue_words("they disagreed on the plan")
                .iter()
                .any(|(_, k)| *k == CueKind::StatusAgreed)
        );
        assert_eq!(
            cue_words("troops will leave"),
            vec![
                ("troops", CueKind::Force),
                ("will", CueKind::Future),
                ("leave", CueKind::Withdrawal)
            ]
        );
    }

    #[test]
    fn longest_name_wins() {
        let l = lex();
        let text = "the U.S.-led coalition and U.S. troops";
        let hits = l.find_names(text);
        let first = hits.first().map(|h| (&text[h.start..h.end], h.kind));
        assert!(
            matches!(first, Some(("U.S.-led coalition", NameKind::Actor(_)))),
            "{first:?}"
        );
    }
}
