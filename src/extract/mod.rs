//! Extraction: `&Article -> Vec<Claim>`. Pure and deterministic: no I/O, no
//! clock. Everything it knows about the world (countries, forces, places) is
//! in `lexicon.toml` and about English (word classes, verbs, predicate classes)
//! in `grammar.toml`; no code names a country or a story.
//!
//! The stages, in the order text flows through them (one file each):
//! `sentence` (split, drop boilerplate) → `tokens` (words with their dictionary
//! entry, `dict`) → `clauses` (clauses and verb groups: tense, aspect,
//! modality, negation, voice) → `entities` (forces, places, bases, phases,
//! counts, times from `time/`) → `predicates` (event mentions: LEAVE, HAND
//! OVER, STAY, LEVEL, ... with their arguments by role) → `frames` (which
//! withdrawals the article reports) → `claims` (scope, attribute, value, role,
//! modality), with `attribution` (who said it) beside them.

pub mod attribution;
pub mod claims;
pub mod clauses;
pub mod dict;
pub mod entities;
pub mod frames;
pub mod lexicon;
pub mod predicates;
pub mod sentence;
pub mod time;
pub mod tokens;

use std::cell::OnceCell;
use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::model::{Article, Attribute, Claim, Span, Value};

use claims::{Builder, SentenceCtx};
use clauses::Clause;
use entities::Mentions;
use frames::{Actor, SentenceView};
use predicates::Event;
use tokens::Token;

pub use lexicon::Lexicon;

/// The force's name when an article names none ("the troops will leave").
pub const UNKNOWN_ACTOR: &str = "foreign forces";

/// One analysed sentence (or the headline). Its tokens are a slice of the
/// article's token buffer (`'t`).
struct Analysis<'t, 's, 'd> {
    text: &'s str,
    /// Where it is in the article text; the headline has none.
    span: Option<Span>,
    paragraph: usize,
    toks: &'t [Token<'s, 'd>],
    clauses: Vec<Clause>,
    mentions: Mentions,
    events: Vec<Event>,
}

/// Could a sentence hold an event mention? `predicates::find` starts one only
/// at a word of a predicate ("withdraw", "withdrawal") or, through an aspect
/// verb or noun, at a phase or event noun ("completed the first phase"); a
/// sentence without any gives none.
fn may_hold_events(toks: &[Token]) -> bool {
    toks.iter().any(|t| {
        t.info.is_some_and(|i| {
            i.tags.has(dict::Tags::EVENT_NOUN)
                || i.tags.has(dict::Tags::PHASE)
                || i.entries.iter().any(|e| {
                    matches!(
                        e.kind,
                        dict::EntryKind::Pred(_) | dict::EntryKind::PredNoun(_)
                    )
                })
        })
    })
}

/// Is a sentence worth reading past its tokens: may it hold an event, or a
/// number (a count)? Most sentences of an article hold neither.
fn worth_reading(toks: &[Token]) -> bool {
    may_hold_events(toks) || toks.iter().any(|t| t.kind == tokens::Kind::Number)
}

/// A sentence (or the headline) cut into tokens, before it is analysed.
struct Tokenized<'s> {
    text: &'s str,
    span: Option<Span>,
    paragraph: usize,
    /// Its tokens: this range of the article's token buffer.
    toks: Range<usize>,
}

/// Reads a tokenized sentence further when `further`: its mentions, clauses
/// and events.
fn analyse<'t, 's, 'd>(
    t: Tokenized<'s>,
    toks: &'t [Token<'s, 'd>],
    further: bool,
    article: &Article,
    lex: &'d Lexicon,
) -> Analysis<'t, 's, 'd> {
    let Tokenized {
        text,
        span,
        paragraph,
        ..
    } = t;
    if !further || !worth_reading(toks) {
        return Analysis {
            text,
            span,
            paragraph,
            toks,
            clauses: Vec::new(),
            mentions: Mentions::default(),
            events: Vec::new(),
        };
    }
    let mentions = entities::find(text, toks, lex, article.published);
    let clauses = clauses::split(toks, |i| mentions.in_time(i));
    let events = if may_hold_events(toks) {
        predicates::find(toks, &clauses, &mentions)
    } else {
        Vec::new()
    };
    Analysis {
        text,
        span,
        paragraph,
        toks,
        clauses,
        mentions,
        events,
    }
}

/// An article read up to its frames: every sentence analysed, the frames
/// decided, each event given its frame.
struct Reading<'t, 's, 'd> {
    analyses: Vec<Analysis<'t, 's, 'd>>,
    frames: Vec<frames::Frame>,
    /// Per sentence, per event: its frame and whether its agent is a member.
    assigned: Vec<Vec<Option<(usize, bool)>>>,
    /// Per frame: spoken of only in part (a drawdown, not a departure).
    partial: Vec<bool>,
    total_phases: Option<u32>,
}

/// Reads an article; `buf` (empty) receives the tokens of all its sentences.
fn read<'t, 's, 'd>(
    article: &'s Article,
    lex: &'d Lexicon,
    buf: &'t mut Vec<Token<'s, 'd>>,
) -> Reading<'t, 's, 'd> {
    let text = article.text.as_str();
    let sentences = sentence::split(text, lex);
    // Some five bytes a token: room for most articles without growing.
    buf.reserve((article.title.len() + text.len()) / 5);
    let mut tokenized: Vec<Tokenized> = Vec::with_capacity(sentences.len() + 1);
    if !article.title.trim().is_empty() {
        let first = buf.len();
        tokens::tokenize_into(&article.title, lex.dict(), buf);
        tokenized.push(Tokenized {
            text: &article.title,
            span: None,
            paragraph: 0,
            toks: first..buf.len(),
        });
    }
    for s in &sentences {
        let sentence = &text[s.start..s.end];
        let first = buf.len();
        tokens::tokenize_into(sentence, lex.dict(), buf);
        tokenized.push(Tokenized {
            text: sentence,
            span: Some(Span {
                start: s.start,
                end: s.end,
            }),
            paragraph: s.paragraph,
            toks: first..buf.len(),
        });
    }
    let all: &'t [Token<'s, 'd>] = buf;
    let toks_of = |t: &Tokenized| all.get(t.toks.clone()).unwrap_or_default();
    // An article no sentence of which may hold an event yields no frame and
    // no claim whatever its mentions: it is read no further than its tokens.
    let further = tokenized.iter().any(|t| may_hold_events(toks_of(t)));
    let analyses: Vec<Analysis> = tokenized
        .into_iter()
        .map(|t| {
            let toks = toks_of(&t);
            analyse(t, toks, further, article, lex)
        })
        .collect();
    let mut reading = Reading {
        analyses,
        frames: Vec::new(),
        assigned: Vec::new(),
        partial: Vec::new(),
        total_phases: None,
    };
    if reading.analyses.iter().all(|a| a.events.is_empty()) {
        return reading;
    }
    // The frames: the headline weighs three, the lede two.
    let mut body_seen = 0;
    let views: Vec<SentenceView> = reading
        .analyses
        .iter()
        .map(|a| {
            let weight = if a.span.is_none() {
                3
            } else {
                body_seen += 1;
                if body_seen <= 2 { 2 } else { 1 }
            };
            SentenceView {
                mentions: &a.mentions,
                events: &a.events,
                weight,
                toks: a.toks,
            }
        })
        .collect();
    let frames = frames::decide(&views, lex);
    reading.total_phases = reading
        .analyses
        .iter()
        .flat_map(|a| a.mentions.phases.iter())
        .find_map(|p| p.total);
    // Which frame each event joins; a frame spoken of only in part ("some of
    // its troops", a reduction to a level) is a drawdown, not a departure.
    let mut previous: Option<Actor> = None;
    let mut whole = vec![false; frames.len()];
    let mut part = vec![false; frames.len()];
    // An article led by one member's contingent ("UPDF completes its
    // withdrawal"): "the troops", "the last force" after it are that
    // contingent, not the whole mission.
    let mut lead_member: Option<usize> = None;
    for (n, a) in reading.analyses.iter().enumerate() {
        let mut here = Vec::with_capacity(a.events.len());
        for ev in &a.events {
            let mut f = frames::assign(ev, &a.mentions, &frames, previous.as_ref(), lex);
            let actor = frames::event_actor(ev, &a.mentions, previous.as_ref());
            match f {
                Some((fi, true)) if n < 2 && ev.class == dict::PredClass::Leave => {
                    lead_member = lead_member.or(Some(fi));
                }
                // ... but "marking the end of the mission" is the whole mission's.
                Some((fi, false))
                    if actor.is_none()
                        && lead_member == Some(fi)
                        && !(ev.nominal
                            && a.toks
                                .get(ev.start)
                                .is_some_and(|t| t.has(dict::Tags::EVENT_NOUN))) =>
                {
                    f = Some((fi, true));
                }
                _ => {}
            }
            if let Some(actor) = actor {
                previous = Some(actor);
            }
            if let Some((fi, member)) = f {
                if ev.class == dict::PredClass::Leave && !member {
                    if ev.whole {
                        whole[fi] = true;
                    } else if ev.partial_words && ev.group.is_ahead()
                        || ev.class == dict::PredClass::Level
                    {
                        part[fi] = true;
                    }
                }
            }
            here.push(f);
        }
        reading.assigned.push(here);
    }
    reading.partial = part.iter().zip(&whole).map(|(p, w)| *p && !*w).collect();
    reading.frames = frames;
    reading
}

/// Every claim the article makes about a withdrawal, in text order, each
/// (event, attribute, value) once.
pub fn extract(article: &Article, lex: &Lexicon) -> Vec<Claim> {
    let mut buf = Vec::new();
    let r = read(article, lex, &mut buf);
    let Some(main) = r.frames.first() else {
        return Vec::new();
    };
    let headline_change = r
        .analyses
        .first()
        .filter(|a| a.span.is_none())
        .and_then(|a| claims::change_verb(a.toks));
    // A decision on the plan reported in the body ("the army chiefs adopted
    // the exit plan"): a planned date that differs from the known one is the
    // decided one, not two outlets disagreeing.
    let plan_decision = r
        .analyses
        .iter()
        .filter(|a| a.span.is_some())
        .filter(|a| {
            a.toks
                .iter()
                .any(|t| matches!(t.lower.as_ref(), "plan" | "timetable" | "roadmap"))
        })
        .find_map(|a| claims::change_verb(a.toks));
    let mut claims = Vec::new();
    let mut paragraph_speaker: (usize, Option<String>) = (0, None);
    for (a, here) in r.analyses.iter().zip(&r.assigned) {
        let Some(span) = a.span else { continue };
        if paragraph_speaker.0 != a.paragraph {
            paragraph_speaker = (a.paragraph, None);
        }
        // A question asserts nothing ("How many soldiers are leaving?").
        let question = a.text.trim_end().ends_with('?');
        let reads_claims = !question && (!a.events.is_empty() || !a.mentions.counts.is_empty());
        let speaker = if reads_claims || paragraph_speaker.1.is_none() {
            attribution::speaker(a.text, &a.mentions.cues, lex)
        } else {
            None
        };
        if speaker.is_some() && paragraph_speaker.1.is_none() {
            paragraph_speaker.1 = speaker.clone();
        }
        if !reads_claims {
            continue;
        }
        // A sentence without a speaker inherits its paragraph's.
        let ctx = SentenceCtx {
            article,
            lex,
            sentence: a.text,
            span,
            toks: a.toks,
            clauses: &a.clauses,
            m: &a.mentions,
            attributed_to: speaker.or_else(|| paragraph_speaker.1.clone()),
            total_phases: r.total_phases,
            headline_change: headline_change.clone(),
            plan_decision: plan_decision.clone(),
            quote: OnceCell::new(),
        };
        let mut b = Builder {
            c: &ctx,
            out: &mut claims,
        };
        for (ev, f) in a.events.iter().zip(here) {
            let Some((fi, member)) = *f else { continue };
            b.event(ev, &r.frames[fi], member, r.partial[fi]);
        }
        claims::presence(&ctx, &a.events, main, &mut claims);
    }
    dedupe(settled(claims))
}

/// An article that says a withdrawal is complete, in so many words ("France
/// has completed its withdrawal from Mali"), does not also say it is under
/// way because a base was handed over or some troops left on the way.
fn settled(mut claims: Vec<Claim>) -> Vec<Claim> {
    let status = |c: &Claim, s: crate::model::Status| {
        c.attribute == Attribute::Status && c.value == (Value::Status { value: s })
    };
    let done: Vec<String> = claims
        .iter()
        .filter(|c| status(c, crate::model::Status::Completed) && !c.scope_defaulted)
        .map(|c| c.event.key.clone())
        .collect();
    claims.retain(|c| {
        !(status(c, crate::model::Status::InProgress)
            && c.scope_defaulted
            && done.contains(&c.event.key))
    });
    claims
}

/// How the extractor read an article, for `drawdown extract --trace`: the
/// frames, then per sentence each event mention with its group, arguments
/// and frame. One screen answers "why this claim" or "why none".
pub fn trace(article: &Article, lex: &Lexicon) -> String {
    use std::fmt::Write as _;
    let mut buf = Vec::new();
    let r = read(article, lex, &mut buf);
    let mut out = String::new();
    if r.frames.is_empty() {
        out.push_str("frames: none (no force leaving a known place)\n");
    }
    for (i, f) in r.frames.iter().enumerate() {
        let _ = writeln!(
            out,
            "frame {i}: {} leaving {} (score {}{})",
            f.actor.name(lex),
            f.host,
            f.score,
            if r.partial.get(i).copied().unwrap_or(false) {
                ", in part only"
            } else {
                ""
            }
        );
    }
    for (a, here) in r
        .analyses
        .iter()
        .zip(r.assigned.iter().chain(std::iter::repeat(&Vec::new())))
    {
        if a.events.is_empty() {
            continue;
        }
        let where_ = a.span.map_or("headline".to_string(), |s| {
            format!("{}..{}", s.start, s.end)
        });
        let _ = writeln!(out, "\n[{where_}] {}", one_line(a.text));
        for (k, ev) in a.events.iter().enumerate() {
            let frame = match here.get(k).copied().flatten() {
                Some((fi, member)) => {
                    format!("frame {fi}{}", if member { " (member)" } else { "" })
                }
                None => "no frame".to_string(),
            };
            let _ = writeln!(
                out,
                "  {}  -> {frame}",
                claims::describe(ev, a.toks, &a.mentions)
            );
        }
    }
    out
}

/// `text` on one line: its words with single spaces between them.
fn one_line(text: &str) -> String {
    // Most sentences are already so: ASCII, words one space apart, no space
    // at either end (a sentence is trimmed), no tab or line break (the
    // ASCII whitespace besides the space: tab to carriage return). Checking
    // that is cheaper than splitting.
    let bytes = text.as_bytes();
    if text.is_ascii()
        && !bytes.iter().any(|b| matches!(b, b'\t'..=b'\r'))
        && !text.contains("  ")
        && !text.starts_with(' ')
        && !text.ends_with(' ')
    {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Each (event, attribute, value) once: the first mention, unless a later
/// one says who said it, or that the value was changed ("both sides agreed
/// that ... by May 10" after a plain "by May 10"); a change keeps its speaker.
fn dedupe(claims: Vec<Claim>) -> Vec<Claim> {
    let mut kept: Vec<Claim> = Vec::with_capacity(claims.len());
    // FxHash: only looked up, never iterated, so the order cannot leak out.
    let mut seen: FxHashMap<(String, Attribute, Value), usize> = FxHashMap::default();
    for claim in claims {
        let key = (
            claim.event.key.clone(),
            claim.attribute,
            claim.value.clone(),
        );
        match seen.get(&key) {
            Some(&i) => {
                let k = &mut kept[i];
                if k.change_wording.is_none() && claim.change_wording.is_some() {
                    let speaker = k.attributed_to.take();
                    *k = claim;
                    if k.attributed_to.is_none() {
                        k.attributed_to = speaker;
                    }
                } else if k.attributed_to.is_none() && claim.attributed_to.is_some() {
                    *k = claim;
                }
            }
            None => {
                seen.insert(key, kept.len());
                kept.push(claim);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests;
