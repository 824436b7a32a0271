//! Stage 5: story frames. The withdrawals an article reports come from the
//! agent and source arguments of its LEAVE, HAND OVER, RECEIVE, LEVEL and STAY
//! mentions (the headline counts three times, the first two sentences twice),
//! never from how often a name appears. A frame is (force, host); the host's
//! own forces are never the leaving side; several withdrawals in one article
//! are several frames, and each mention joins the frame its arguments name, or
//! none. Takes the event mentions of the whole article; gives `Vec<Frame>`. Pure.

use std::collections::HashMap;

use super::dict::PredClass;
use super::entities::{Force, Mentions, PlaceKind, Who};
use super::lexicon::Lexicon;
use super::predicates::{Event, Source};
use super::tokens::Token;

/// A force that leaves: a nation, a listed mission, or an unlisted acronym.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    Nation(usize),
    Mission(usize),
    Open(String),
}

impl Actor {
    /// The canonical name events are keyed by ("US", "MINUSMA", "SAMIDRC").
    pub fn name<'a>(&'a self, lex: &'a Lexicon) -> &'a str {
        match self {
            Actor::Nation(i) => lex.countries.get(*i).map_or("", |c| c.actor_name()),
            Actor::Mission(i) => lex.actors.get(*i).map_or("", |a| a.name.as_str()),
            Actor::Open(s) => s,
        }
    }

    /// The country code of a nation's forces.
    pub fn nation_code<'a>(&self, lex: &'a Lexicon) -> Option<&'a str> {
        match self {
            Actor::Nation(i) => lex.countries.get(*i).map(|c| c.code.as_str()),
            _ => None,
        }
    }
}

/// One withdrawal an article reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub actor: Actor,
    /// ISO code of the country being left.
    pub host: String,
    pub score: u32,
}

/// The actor a force mention names, if it names one.
pub fn actor_of(f: &Force) -> Option<Actor> {
    match &f.who {
        Who::Nation(i) => Some(Actor::Nation(*i)),
        Who::Actor(i) => Some(Actor::Mission(*i)),
        Who::Open(s) => Some(Actor::Open(s.clone())),
        _ => None,
    }
}

/// The host an event's source names, if any.
pub fn host_of(ev: &Event, m: &Mentions, lex: &Lexicon) -> Option<String> {
    let unplaced_base = matches!(ev.source, Some(Source::Base(b)) if m.bases.get(b).is_some_and(|b| b.country.is_none()));
    if ev.source.is_some() && !unplaced_base {
        return source_host(ev, m);
    }
    // "border guards who have checked passengers at Yerevan's airport will
    // leave their posts": where the sentence's bases are, if all in one country.
    let mut base_countries = ev
        .bases
        .iter()
        .filter_map(|&b| m.bases.get(b))
        .chain(m.bases.iter().filter(|b| b.name.is_some()))
        .filter_map(|b| b.country.as_ref());
    if let Some(first) = base_countries.next() {
        if base_countries.all(|c| c == first) {
            return Some(first.clone());
        }
    }
    // "end their involvement in the UN mission in Mali": a mission left is
    // left where it serves, when that is one country.
    let theme = m.forces.get(ev.theme?)?;
    let Who::Actor(i) = theme.who else {
        return None;
    };
    match lex.actors.get(i)?.theatres.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The country of the place or base the event leaves.
fn source_host(ev: &Event, m: &Mentions) -> Option<String> {
    match ev.source? {
        Source::Place(p) => {
            let place = m.places.get(p)?;
            if place.kind == PlaceKind::Host {
                None
            } else {
                place.country.clone()
            }
        }
        Source::Base(b) => m.bases.get(b)?.country.clone(),
    }
}

/// What one sentence contributes to the frames: its mentions and events.
pub struct SentenceView<'a> {
    pub mentions: &'a Mentions,
    pub events: &'a [Event],
    /// 3 for the headline, 2 for the lede, 1 after.
    pub weight: u32,
    /// The sentence's tokens.
    pub toks: &'a [Token<'a, 'a>],
}

impl SentenceView<'_> {
    /// The lowercase word before token `i`.
    fn tokens_before(&self, i: usize) -> Option<&str> {
        i.checked_sub(1)
            .and_then(|j| self.toks.get(j))
            .map(|t| t.lower.as_ref())
    }
}

/// Does this class of event say who leaves where?
fn votes(class: PredClass) -> bool {
    matches!(
        class,
        PredClass::Leave
            | PredClass::HandOver
            | PredClass::Receive
            | PredClass::Level
            | PredClass::Stay
    )
}

/// The force an event's agent names: a pronoun stands for the subject
/// before it in the sentence (the first force named there).
pub fn agent_force<'m>(ev: &Event, m: &'m Mentions) -> Option<&'m Force> {
    let f = m.forces.get(ev.agent?)?;
    match f.who {
        // The nearest force before the pronoun that can be its antecedent:
        // not a pronoun, not a name inside a phrase ("drafted by France").
        Who::Pronoun => {
            let (i, nearest) = m
                .forces
                .iter()
                .enumerate()
                .filter(|(_, g)| {
                    g.end <= f.start
                        && g.who != Who::Pronoun
                        && !g.in_phrase
                        && (!g.bare_name || g.subject)
                })
                .max_by_key(|(_, g)| g.end)?;
            // "the Ugandan contingent of the regional force ... its": the head
            // of "X of Y" is X.
            let head = m
                .forces
                .iter()
                .find(|g| g.part_of == Some(i))
                .unwrap_or(nearest);
            Some(head).filter(|g| !matches!(g.who, Who::Generic | Who::HostSide | Who::Org))
        }
        // "the US and Iraq agreed to withdraw American troops from Iraq": the
        // host named as a party does not leave itself; its object does.
        _ if f.bare_name && names_host(ev, m, f) => ev
            .theme
            .and_then(|t| m.forces.get(t))
            .filter(|t| t.start != f.start)
            .or(Some(f)),
        _ => Some(f),
    }
}

/// Is force `f` the name of the country the event leaves?
fn names_host(ev: &Event, m: &Mentions, f: &Force) -> bool {
    let host = source_host(ev, m);
    host.is_some()
        && m.places
            .iter()
            .any(|p| p.start == f.start && p.end == f.end && p.country == host)
}

/// The actor of an event's agent ("the Ugandan contingent of the regional
/// force" is the regional force), or `previous` for a pronoun with no
/// antecedent in its sentence.
pub fn event_actor(ev: &Event, m: &Mentions, previous: Option<&Actor>) -> Option<Actor> {
    let pronoun = ev
        .agent
        .and_then(|a| m.forces.get(a))
        .is_some_and(|f| f.who == Who::Pronoun);
    match agent_force(ev, m) {
        Some(f) => match f.part_of.and_then(|w| m.forces.get(w)) {
            Some(whole) => actor_of(whole),
            None => actor_of(f),
        },
        None if pronoun => previous.cloned(),
        None => None,
    }
}

/// Decides the frames of an article. The first is the main one.
pub fn decide(sentences: &[SentenceView], lex: &Lexicon) -> Vec<Frame> {
    let mut pairs: HashMap<(Actor, String), u32> = HashMap::new();
    let mut actors: HashMap<Actor, u32> = HashMap::new();
    let mut hosts: HashMap<String, u32> = HashMap::new();
    let mut first_seen: HashMap<Actor, usize> = HashMap::new();
    let mut order = 0usize;
    let mut previous: Option<Actor> = None;
    let mut unnamed_mission: HashMap<Option<String>, u32> = HashMap::new();
    for s in sentences {
        for ev in s.events.iter().filter(|e| votes(e.class)) {
            if ev.class == PredClass::Stay && ev.counts.is_empty() && !ev.group.negated {
                continue;
            }
            let actor = if ev.class == PredClass::Receive {
                None
            } else {
                event_actor(ev, s.mentions, previous.as_ref())
            };
            let mut host = host_of(ev, s.mentions, lex);
            if matches!(ev.class, PredClass::Receive | PredClass::HandOver) {
                // The receiving side is the host: "Somali forces took over the base".
                host = host.or_else(|| {
                    let r = s.mentions.forces.get(ev.receiver?)?;
                    match r.who {
                        Who::Nation(i) => lex.countries.get(i).map(|c| c.code.clone()),
                        _ => None,
                    }
                });
            }
            // "the peacekeepers", "the UN force", "the mission": a mission's
            // people, counted for the mission the article names (below).
            let mission_words = actor.is_none()
                && ev.class != PredClass::Receive
                && ev
                    .agent
                    .or(ev.theme)
                    .and_then(|a| s.mentions.forces.get(a))
                    .is_some_and(|f| {
                        f.who == Who::Org
                            || f.who == Who::Generic
                                && s.toks[f.start..f.end]
                                    .iter()
                                    .any(|t| t.lower.starts_with("peacekeep") || t.is("mission"))
                    });
            if mission_words {
                *unnamed_mission.entry(host.clone()).or_default() += s.weight;
            }
            if let Some(a) = &actor {
                previous = Some(a.clone());
                *actors.entry(a.clone()).or_default() += s.weight;
                first_seen.entry(a.clone()).or_insert_with(|| {
                    order += 1;
                    order
                });
            }
            if let Some(h) = &host {
                *hosts.entry(h.clone()).or_default() += s.weight;
            }
            if let (Some(a), Some(h)) = (actor, host) {
                *pairs.entry((a, h)).or_default() += s.weight;
            }
        }
    }
    // A nation's contingent of a mission the article names is the mission's:
    // "the Burundian contingent began its withdrawal" in a story of the EACRF.
    let named_missions: Vec<usize> = sentences
        .iter()
        .flat_map(|s| s.mentions.forces.iter())
        .filter_map(|f| match f.who {
            Who::Actor(i) => Some(i),
            _ => None,
        })
        .collect();
    // The one mission the article names is the one its peacekeepers are.
    let mut missions = named_missions.clone();
    missions.sort_unstable();
    missions.dedup();
    if let [only] = missions.as_slice() {
        let mission = Actor::Mission(*only);
        for (host, n) in unnamed_mission {
            *actors.entry(mission.clone()).or_default() += n;
            first_seen.entry(mission.clone()).or_insert_with(|| {
                order += 1;
                order
            });
            if let Some(h) = host {
                *pairs.entry((mission.clone(), h)).or_default() += n;
            }
        }
    }
    let nations: Vec<Actor> = actors
        .keys()
        .filter(|a| matches!(a, Actor::Nation(_)))
        .cloned()
        .collect();
    for nation in nations {
        // Only a multinational one: a nation's own operation ("Sabre",
        // "Barkhane") is that nation's force.
        // ... and one that operates where this nation's forces leave (NATO
        // named in a story of US troops leaving Germany is not the mission).
        let nation_hosts: Vec<&String> = pairs
            .keys()
            .filter(|(a, _)| *a == nation)
            .map(|(_, h)| h)
            .collect();
        let operates_there = |t: &String| {
            if nation_hosts.is_empty() {
                hosts.contains_key(t)
            } else {
                nation_hosts.contains(&t)
            }
        };
        let multinational = |i: usize| {
            lex.actors.get(i).is_some_and(|d| {
                d.members.len() > 1
                    && (d.theatres.is_empty()
                        || hosts.is_empty()
                        || d.theatres.iter().any(operates_there))
            })
        };
        let Some(&mission) = named_missions
            .iter()
            .find(|&&i| multinational(i) && member_of(&nation, &Actor::Mission(i), lex))
        else {
            continue;
        };
        let whole = Actor::Mission(mission);
        if let Some(n) = actors.remove(&nation) {
            *actors.entry(whole.clone()).or_default() += n;
            first_seen.entry(whole.clone()).or_insert(usize::MAX - 1);
        }
        let moved: Vec<((Actor, String), u32)> = pairs
            .iter()
            .filter(|((a, _), _)| *a == nation)
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        for ((_, h), n) in moved {
            pairs.remove(&(nation.clone(), h.clone()));
            *pairs.entry((whole.clone(), h)).or_default() += n;
        }
    }
    // No event names the host: a mission's one theatre.
    if hosts.is_empty() {
        let best = actors
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(a, _)| a.clone());
        if let Some(code) = best.and_then(|a| lex.only_theatre(a.name(lex)).map(str::to_string)) {
            hosts.insert(code, 1);
        }
    }
    if hosts.is_empty() && !actors.is_empty() {
        // No event names the country left ("from Cabo Delgado province", "the
        // Middle East country"): fall back on the countries the article names
        // as places, not as destinations, headline and lede first.
        for s in sentences {
            for p in &s.mentions.places {
                let Some(code) = &p.country else { continue };
                let destination = s
                    .tokens_before(p.start)
                    .is_some_and(|w| matches!(w, "to" | "into" | "toward" | "towards" | "for"));
                // Nor the leaving side's own countries, a mission's members too.
                let own_side = actors.keys().any(|a| {
                    a.nation_code(lex) == Some(code.as_str())
                        || matches!(a, Actor::Mission(i) if lex
                            .actors
                            .get(*i)
                            .is_some_and(|d| d.members.iter().any(|m| m == code)))
                });
                if !destination && !own_side {
                    *hosts.entry(code.clone()).or_default() += s.weight;
                }
            }
        }
    }
    // A nation never leaves itself: its forces there are the receiving side.
    let own = |a: &Actor, h: &str| a.nation_code(lex) == Some(h);
    let mut candidates: Vec<Frame> = Vec::new();
    let score = |a: &Actor, h: &str| {
        2 * pairs.get(&(a.clone(), h.to_string())).copied().unwrap_or(0)
            + actors.get(a).copied().unwrap_or(0)
            + hosts.get(h).copied().unwrap_or(0)
    };
    for (a, h) in pairs.keys() {
        if !own(a, h) {
            candidates.push(Frame {
                actor: a.clone(),
                host: h.clone(),
                score: score(a, h),
            });
        }
    }
    // Forces and hosts named apart: the best of each, or a mission's theatre.
    let best_host = hosts
        .iter()
        .filter(|(h, _)| !actors.keys().any(|a| own(a, h) && actors[a] > hosts[*h]))
        .max_by(|x, y| x.1.cmp(y.1).then_with(|| y.0.cmp(x.0)))
        .map(|(h, _)| h.clone());
    for a in actors.keys() {
        let host = best_host
            .clone()
            .or_else(|| lex.only_theatre(a.name(lex)).map(str::to_string));
        if let Some(h) = host {
            if !own(a, &h) && !candidates.iter().any(|c| c.actor == *a && c.host == h) {
                candidates.push(Frame {
                    actor: a.clone(),
                    host: h.clone(),
                    score: score(a, &h),
                });
            }
        }
    }
    // A host whose leaving force is named only beside the events: the named
    // force the article speaks of most ("the regional force began flying home
    // ..., the East African regional force said").
    if candidates.is_empty() {
        if let Some(h) = best_host.clone() {
            let mut named: HashMap<Actor, u32> = HashMap::new();
            for s in sentences {
                for f in &s.mentions.forces {
                    if f.bare_name {
                        continue;
                    }
                    if let Some(a) = actor_of(f) {
                        if !own(&a, &h) {
                            *named.entry(a).or_default() += s.weight;
                        }
                    }
                }
            }
            if let Some((a, n)) = named
                .into_iter()
                .max_by(|x, y| x.1.cmp(&y.1).then_with(|| y.0.name(lex).cmp(x.0.name(lex))))
            {
                candidates.push(Frame {
                    actor: a,
                    host: h.clone(),
                    score: n + hosts.get(&h).copied().unwrap_or(0),
                });
            }
        }
    }
    // A host whose leaving force is never named: the force stays unknown.
    if candidates.is_empty() {
        if let Some(h) = best_host {
            candidates.push(Frame {
                actor: Actor::Open(super::UNKNOWN_ACTOR.to_string()),
                host: h.clone(),
                score: hosts.get(&h).copied().unwrap_or(0),
            });
        }
    }
    // A multinational force leaves only where it operates: NATO is no frame
    // in Germany, whatever the article says of it.
    let operates = |f: &Frame| match &f.actor {
        Actor::Mission(i) => lex
            .actors
            .get(*i)
            .is_none_or(|d| d.theatres.is_empty() || d.theatres.contains(&f.host)),
        _ => true,
    };
    if candidates.iter().any(operates) {
        candidates.retain(operates);
    }
    candidates.sort_by(|x, y| {
        y.score
            .cmp(&x.score)
            .then_with(|| {
                let fx = first_seen.get(&x.actor).copied().unwrap_or(usize::MAX);
                let fy = first_seen.get(&y.actor).copied().unwrap_or(usize::MAX);
                fx.cmp(&fy)
            })
            .then_with(|| x.host.cmp(&y.host))
    });
    // Keep the main frame and the others that stand on their own: a named
    // pair, not a main actor's second host or a host's second actor.
    let mut frames: Vec<Frame> = Vec::new();
    for c in candidates {
        let Some(main) = frames.first() else {
            frames.push(c);
            continue;
        };
        let pair_votes = pairs
            .get(&(c.actor.clone(), c.host.clone()))
            .copied()
            .unwrap_or(0);
        let related = related(&c.actor, &main.actor, lex);
        if pair_votes > 0
            && !(related && c.host == main.host)
            && !frames
                .iter()
                .any(|f| f.actor == c.actor && f.host == c.host)
        {
            frames.push(c);
        }
    }
    frames
}

/// Are two actors one force for the timeline: the same, or a nation and a
/// mission it belongs to.
pub fn related(a: &Actor, b: &Actor, lex: &Lexicon) -> bool {
    a == b || lex.actors_related(a.name(lex), b.name(lex))
}

/// Which frame an event belongs to, and whether its agent is a member of the
/// frame's force rather than the whole of it (one contingent of a mission).
pub fn assign(
    ev: &Event,
    m: &Mentions,
    frames: &[Frame],
    previous: Option<&Actor>,
    lex: &Lexicon,
) -> Option<(usize, bool)> {
    let main = frames.first()?;
    let actor = if ev.class == PredClass::Receive {
        None
    } else {
        event_actor(ev, m, previous)
    };
    let host = host_of(ev, m, lex);
    let part = agent_force(ev, m).is_some_and(|f| f.part_of.is_some());
    // "will return to Mali" in a story of troops leaving Mali is arriving.
    let destination = ev
        .destination
        .and_then(|p| m.places.get(p))
        .and_then(|p| p.country.as_deref());

    // The host's own forces leaving somewhere are another story.
    if let Some(a) = &actor {
        if frames
            .iter()
            .any(|f| a.nation_code(lex) == Some(f.host.as_str()))
            && !frames.iter().any(|f| f.actor == *a)
        {
            return None;
        }
    }
    let host_ok = |f: &Frame| {
        host.as_ref().is_none_or(|h| *h == f.host) && destination != Some(f.host.as_str())
    };
    // "UN peacekeepers" belong to a mission's frame, not to a nation's.
    let org = agent_force(ev, m).is_some_and(|f| f.who == Who::Org);
    let takes_org = |f: &Frame| !matches!(f.actor, Actor::Nation(_));
    if org {
        return frames
            .iter()
            .position(|f| host_ok(f) && takes_org(f))
            .map(|i| (i, false));
    }
    match &actor {
        None => {
            if host_ok(main) {
                return Some((0, false));
            }
            frames.iter().position(host_ok).map(|i| (i, false))
        }
        Some(a) => {
            if let Some(i) = frames.iter().position(|f| f.actor == *a && host_ok(f)) {
                return Some((i, part));
            }
            // A member's contingent of a multinational frame.
            if let Some(i) = frames
                .iter()
                .position(|f| host_ok(f) && member_of(a, &f.actor, lex))
            {
                return Some((i, true));
            }
            if let Some(i) = frames
                .iter()
                .position(|f| host_ok(f) && related(a, &f.actor, lex))
            {
                return Some((i, false));
            }
            None
        }
    }
}

/// Is `a` a nation taking part in the multinational force `whole`?
fn member_of(a: &Actor, whole: &Actor, lex: &Lexicon) -> bool {
    let Some(code) = a.nation_code(lex) else {
        return false;
    };
    match whole {
        Actor::Mission(i) => lex
            .actors
            .get(*i)
            .is_some_and(|d| d.members.iter().any(|m| m == code)),
        _ => false,
    }
}
