//! Article-level context: which country the article is about a withdrawal
//! from, which force is leaving, and how many phases the plan has. Decided
//! once per article from all its sentences, so that a sentence that says only
//! "the coalition" or "the second phase" can be placed. Pure.

use super::Analysis;
use super::lexicon::{CueKind, Hit, Lexicon, NameKind};

/// The force's name when an article names none ("the troops will leave").
pub const UNKNOWN_ACTOR: &str = "foreign forces";

/// What the whole article is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleContext {
    /// ISO code of the country being left.
    pub country: String,
    /// Canonical name of the force leaving.
    pub actor: String,
    /// Country codes whose troops count as the actor's (the actor's own, or a coalition's members).
    pub actor_countries: Vec<String>,
    /// "in two phases": the last phase is the final withdrawal.
    pub total_phases: Option<u32>,
    /// The article speaks only of cutting troops, never of all of them leaving.
    pub partial_only: bool,
}

/// Words that put a country in the "being left" position.
const HOST_PREPOSITIONS: [&str; 9] = [
    "from", "in", "leave", "leaving", "left", "out of", "exit", "withdraw", "of",
];

impl ArticleContext {
    /// Decides the context, or `None` when no sentence speaks of a force
    /// leaving a country the lexicon knows.
    pub fn decide(text: &str, analyses: &[Analysis], lex: &Lexicon) -> Option<ArticleContext> {
        // 0. A troop withdrawal speaks of troops: a force word or a named force
        //    in some withdrawal sentence ("withdraw from the treaty" has none).
        let speaks_of_troops = analyses.iter().filter(|a| a.is_withdrawal).any(|a| {
            a.cues
                .iter()
                .any(|c| matches!(c.kind, CueKind::Force | CueKind::GenericForce))
                || a.names.iter().any(|n| matches!(n.kind, NameKind::Actor(_)))
        });
        if !speaks_of_troops {
            return None;
        }
        // 1. The country being left: named in withdrawal sentences, best after "from"/"in".
        let mut host_scores: Vec<(usize, u32)> = Vec::new();
        for a in analyses.iter().filter(|a| a.is_withdrawal) {
            let sentence = &text[a.start..a.end];
            for hit in &a.names {
                let country = match hit.kind {
                    NameKind::Country(i) => i,
                    NameKind::Location(i) => match lex
                        .locations
                        .get(i)
                        .and_then(|l| lex.countries.iter().position(|c| c.code == l.country))
                    {
                        Some(c) => c,
                        None => continue,
                    },
                    _ => continue,
                };
                if followed_by_force(sentence, hit, &a.cues) {
                    continue; // "US troops": the force, not the place
                }
                let before = sentence[..hit.start].trim_end().to_ascii_lowercase();
                let before = before.strip_suffix(" the").unwrap_or(&before);
                let weight = if HOST_PREPOSITIONS.iter().any(|p| before.ends_with(p)) {
                    3
                } else {
                    1
                };
                match host_scores.iter_mut().find(|(c, _)| *c == country) {
                    Some((_, s)) => *s += weight,
                    None => host_scores.push((country, weight)),
                }
            }
        }

        // 2. National forces named anywhere ("American troops", "French soldiers").
        let mut national: Vec<(usize, u32)> = Vec::new();
        let mut named_forces: Vec<(usize, u32)> = Vec::new();
        let mut generic = false;
        for a in analyses {
            let sentence = &text[a.start..a.end];
            generic |= a.cues.iter().any(|c| c.kind == CueKind::GenericForce);
            for hit in &a.names {
                match hit.kind {
                    NameKind::Country(i) | NameKind::Demonym(i)
                        if followed_by_force(sentence, hit, &a.cues) =>
                    {
                        bump(&mut national, i);
                    }
                    NameKind::Actor(i) => bump(&mut named_forces, i),
                    _ => {}
                }
            }
        }

        // A country whose troops are said to leave is not the country being
        // left: "French troops", "France's withdrawal" count against France.
        let mut withdrawing: Vec<(usize, u32)> = Vec::new();
        for a in analyses.iter().filter(|a| a.is_withdrawal) {
            let sentence = &text[a.start..a.end];
            for hit in &a.names {
                if let NameKind::Country(i) | NameKind::Demonym(i) = hit.kind {
                    if followed_by_force(sentence, hit, &a.cues) {
                        bump(&mut withdrawing, i);
                    }
                }
            }
        }
        for (country, score) in host_scores.iter_mut() {
            let penalty = withdrawing
                .iter()
                .find(|(c, _)| c == country)
                .map_or(0, |(_, n)| 2 * n);
            *score = score.saturating_sub(penalty);
        }
        host_scores.retain(|(_, score)| *score > 0);
        // The host is the best-scored country that is not the leaving force's own.
        host_scores.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let top_national = |exclude: usize| {
            let mut n: Vec<&(usize, u32)> =
                national.iter().filter(|(c, _)| *c != exclude).collect();
            n.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            n.first().map(|(c, _)| *c)
        };
        let (host, force_country) = host_scores.iter().find_map(|&(host, _)| {
            let force = top_national(host);
            let host_is_only_force = force.is_none()
                && !named_forces.is_empty()
                && national.iter().any(|(c, _)| *c == host);
            (!host_is_only_force).then_some((host, force))
        })?;
        let host_code = lex.countries.get(host)?.code.clone();

        // 3. The force: the one the withdrawal sentences speak of most. A named
        //    coalition or mission operating in the host country, or "the
        //    coalition" resolved through a member's troops, wins a tie with the
        //    nation; a mission named in passing does not beat the nation whose
        //    troops the article follows.
        let force_code = force_country
            .and_then(|c| lex.countries.get(c))
            .map(|c| c.code.clone());
        let mut named_in_withdrawal: Vec<(usize, u32)> = Vec::new();
        let mut generic_in_withdrawal = 0u32;
        let mut nation_in_withdrawal = 0u32;
        for (k, a) in analyses.iter().filter(|a| a.is_withdrawal).enumerate() {
            let sentence = &text[a.start..a.end];
            // The lede names the force the story follows: its first force
            // counts three times.
            if k == 0 {
                let first = a.names.iter().find(|hit| match hit.kind {
                    NameKind::Actor(_) => true,
                    NameKind::Country(i) | NameKind::Demonym(i) => {
                        Some(i) == force_country && followed_by_force(sentence, hit, &a.cues)
                    }
                    NameKind::Location(_) => false,
                });
                match first.map(|h| h.kind) {
                    Some(NameKind::Actor(i)) => {
                        bump(&mut named_in_withdrawal, i);
                        bump(&mut named_in_withdrawal, i);
                    }
                    Some(NameKind::Country(_) | NameKind::Demonym(_)) => nation_in_withdrawal += 2,
                    _ => {}
                }
            }
            generic_in_withdrawal += a
                .cues
                .iter()
                .filter(|c| c.kind == CueKind::GenericForce)
                .count() as u32;
            for hit in &a.names {
                match hit.kind {
                    NameKind::Actor(i) => bump(&mut named_in_withdrawal, i),
                    NameKind::Country(i) | NameKind::Demonym(i)
                        if Some(i) == force_country
                            && followed_by_force(sentence, hit, &a.cues) =>
                    {
                        nation_in_withdrawal += 1;
                    }
                    _ => {}
                }
            }
        }
        let in_theatre = |def: &&crate::extract::lexicon::ActorDef| {
            def.theatres.is_empty() || def.theatres.contains(&host_code)
        };
        named_in_withdrawal.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let named = named_in_withdrawal
            .iter()
            .find_map(|&(i, n)| lex.actors.get(i).filter(in_theatre).map(|d| (d, n)))
            .or_else(|| {
                // Named only outside withdrawal sentences: a weak signal.
                named_forces
                    .iter()
                    .find_map(|&(i, _)| lex.actors.get(i).filter(in_theatre).map(|d| (d, 0)))
            });
        let via_generic = || {
            let code = force_code.as_ref()?;
            lex.actors
                .iter()
                .find(|d| generic && d.theatres.contains(&host_code) && d.members.contains(code))
                .map(|d| (d, generic_in_withdrawal))
        };
        // The coalition must be spoken of at least as often as the nation; a
        // member nation's claims still join the coalition's known events (see
        // `Lexicon::actors_related`).
        let coalition = [named, via_generic()]
            .into_iter()
            .flatten()
            .max_by_key(|(_, n)| *n)
            .filter(|(_, n)| force_country.is_none() || *n >= nation_in_withdrawal.max(1));
        let (actor, actor_countries) = if let Some((def, _)) = coalition {
            (def.name.clone(), def.members.clone())
        } else if let Some(c) = force_country.and_then(|c| lex.countries.get(c)) {
            (c.actor_name().to_string(), vec![c.code.clone()])
        } else {
            (UNKNOWN_ACTOR.to_string(), Vec::new())
        };

        let total_phases = analyses.iter().find_map(|a| a.total_phases);
        let withdrawal_sentences = analyses.iter().filter(|a| a.is_withdrawal);
        let partial = withdrawal_sentences
            .clone()
            .filter(|a| a.has(CueKind::Partial))
            .count();
        let whole = withdrawal_sentences
            .filter(|a| a.has(CueKind::Final) || a.has(CueKind::StatusCompleted))
            .count();
        // Mostly about cutting troops, never about all of them leaving.
        let total = analyses.iter().filter(|a| a.is_withdrawal).count();
        let partial_only = whole == 0 && partial * 2 > total;
        Some(ArticleContext {
            partial_only,
            country: host_code,
            actor,
            actor_countries,
            total_phases,
        })
    }
}

fn bump(scores: &mut Vec<(usize, u32)>, i: usize) {
    match scores.iter_mut().find(|(c, _)| *c == i) {
        Some((_, s)) => *s += 1,
        None => scores.push((i, 1)),
    }
}

/// Is this name followed, within two words, by a force word ("U.S. troops",
/// "American military personnel")?
pub fn followed_by_force(sentence: &str, hit: &Hit<NameKind>, cues: &[Hit<CueKind>]) -> bool {
    cues.iter()
        .filter(|c| c.kind == CueKind::Force && c.start >= hit.end)
        .any(|c| {
            let gap = sentence.get(hit.end..c.start).unwrap_or("");
            let words = gap.split_whitespace().count();
            // "US troops", "French military personnel", or "India ... all of its troops".
            let possessive = gap
                .split_whitespace()
                .any(|w| w.eq_ignore_ascii_case("its") || w.eq_ignore_ascii_case("their"));
            (words <= 2 || (possessive && words <= 6))
                && !gap.contains([',', ';'])
                && !gap.contains(". ")
        })
}
