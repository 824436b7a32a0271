//! The claim rules applied to one sentence: deadlines and durations (a time
//! phrase placed on a milestone by the cue words before it), troop counts,
//! and statuses (finite verbs only: "will be completed" is a plan, not a
//! status). Each claim names its rule so `extract --explain` can trace it.

use crate::model::{
    Article, Attribute, Claim, Event, Milestone, Modality, Span, Status, TimeValue, Value,
};

use super::Analysis;
use super::context::{ArticleContext, followed_by_force};
use super::counts;
use super::lexicon::{CueKind, Hit, Lexicon, LocationKind, NameKind};
use super::time::TimeExpr;

/// Where a time phrase or status belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    milestone: Milestone,
    phase: Option<u32>,
    location: Option<String>,
    rule: &'static str,
}

/// Appends the claims of one sentence to `out`.
pub fn sentence_claims(
    text: &str,
    a: &Analysis,
    ctx: &ArticleContext,
    lex: &Lexicon,
    article: &Article,
    attributed_to: Option<String>,
    out: &mut Vec<Claim>,
) {
    let sentence = &text[a.start..a.end];
    let quote = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
    let change_wording = a
        .cues
        .iter()
        .find(|c| c.kind == CueKind::Change)
        .map(|c| sentence[c.start..c.end].to_string());
    let sentence_modality = if a.has(CueKind::Rejected) {
        Some(Modality::Rejected)
    } else if a.has(CueKind::Denied) {
        Some(Modality::Denied)
    } else if a.has(CueKind::Proposed) {
        Some(Modality::Proposed)
    } else {
        None
    };
    let make = |event: Event, attribute, value, words: &str, modality, rule: &str| Claim {
        event,
        attribute,
        value,
        text: words.split_whitespace().collect::<Vec<_>>().join(" "),
        quote: quote.clone(),
        span: Span {
            start: a.start,
            end: a.end,
        },
        attributed_to: attributed_to.clone(),
        modality,
        change_wording: change_wording.clone(),
        rule: rule.to_string(),
    };

    // Deadlines and durations: each time phrase takes the milestone named in the
    // words since the previous phrase (or, failing that, the one before).
    if a.is_withdrawal {
        let mut previous: Option<Target> = None;
        let mut segment_start = 0;
        for (i, t) in a.times.iter().enumerate() {
            let segment_end = t.start;
            let next_start = a.times.get(i + 1).map_or(sentence.len(), |n| n.start);
            // Words after the phrase name its milestone only for the last phrase
            // ("by May, when the last troops leave"); otherwise they belong to the next.
            let last = i + 1 == a.times.len();
            let target = target_in(sentence, a, ctx, lex, segment_start, segment_end)
                .or_else(|| {
                    last.then(|| target_in(sentence, a, ctx, lex, t.end, next_start))
                        .flatten()
                })
                .or_else(|| previous.clone());
            segment_start = t.end;
            let Some(target) = target else { continue };
            previous = Some(target.clone());
            if target.rule == "partial" || is_other_event_date(sentence, a, t.start) {
                continue;
            }
            let words = &sentence[t.start..t.end];
            let modality = sentence_modality
                .unwrap_or_else(|| segment_modality(a, segment_end.saturating_sub(80), next_start));
            let event = event_for(ctx, &target);
            match &t.expr {
                TimeExpr::Interval(v) => {
                    if is_past(v, article) {
                        continue; // background history, not this withdrawal's timeline
                    }
                    let rule = format!("deadline/{}/{}", target.rule, t.rule);
                    out.push(make(
                        event,
                        Attribute::Deadline,
                        Value::Date(v.clone()),
                        words,
                        modality,
                        &rule,
                    ));
                }
                TimeExpr::Duration { months, approx } => {
                    let rule = format!("duration/{}/{}", target.rule, t.rule);
                    let value = Value::Duration {
                        months: *months,
                        approx: *approx,
                    };
                    out.push(make(
                        event,
                        Attribute::Duration,
                        value,
                        words,
                        modality,
                        &rule,
                    ));
                }
            }
        }
        drop_fuzzy_beside_firm(out, a.start);
    }

    // Troop counts: the number of the force's troops present in the country.
    for c in counts::find_counts(sentence, &a.cues) {
        if !count_is_about(sentence, a, ctx, lex, &c) {
            continue;
        }
        let event = Event::new(&ctx.country, &ctx.actor, Milestone::Drawdown, None, None);
        let value = Value::Count {
            value: c.value,
            min: c.min,
            max: c.max,
            approx: c.approx,
        };
        let modality = sentence_modality.unwrap_or(Modality::Completed);
        out.push(make(
            event,
            Attribute::TroopCount,
            value,
            &sentence[c.start..c.end],
            modality,
            "count/force-word",
        ));
    }

    // Statuses.
    for (cue, status) in statuses(sentence, a) {
        let target = match status {
            Status::Agreed | Status::Signed | Status::Announced => Target {
                milestone: Milestone::Agreement,
                phase: None,
                location: None,
                rule: "agreement",
            },
            _ => target_in(sentence, a, ctx, lex, 0, cue.start)
                .filter(|t| t.rule != "partial")
                .unwrap_or(Target {
                    milestone: Milestone::Final,
                    phase: None,
                    location: None,
                    rule: "default-final",
                }),
        };
        let modality = sentence_modality.unwrap_or(if status == Status::Completed {
            Modality::Completed
        } else {
            Modality::Planned
        });
        let rule = format!("status/{}/{}", status_rule(status), target.rule);
        out.push(make(
            event_for(ctx, &target),
            Attribute::Status,
            Value::Status { value: status },
            &sentence[cue.start..cue.end],
            modality,
            &rule,
        ));
    }
}

fn status_rule(s: Status) -> &'static str {
    match s {
        Status::Announced => "announced",
        Status::Agreed => "agreed",
        Status::Signed => "signed",
        Status::InProgress => "in_progress",
        Status::Completed => "completed",
        Status::Postponed => "postponed",
        Status::Cancelled => "cancelled",
    }
}

fn event_for(ctx: &ArticleContext, t: &Target) -> Event {
    Event::new(
        &ctx.country,
        &ctx.actor,
        t.milestone,
        t.phase,
        t.location.clone(),
    )
}

/// A deadline wholly before the article's publication is history.
fn is_past(v: &TimeValue, article: &Article) -> bool {
    match v.latest {
        Some(latest) => latest <= article.published,
        None => v.earliest < article.published,
    }
}

/// "elections in October 2025": a date right after another event's noun, with
/// no withdrawal word between, is that event's date.
fn is_other_event_date(sentence: &str, a: &Analysis, time_start: usize) -> bool {
    let window = time_start.saturating_sub(45);
    let Some(other) = a
        .cues
        .iter()
        .rfind(|c| c.kind == CueKind::OtherEvent && c.end <= time_start && c.start >= window)
    else {
        return false;
    };
    let between = sentence.get(other.end..time_start).unwrap_or("");
    !a.cues.iter().any(|c| {
        c.start >= other.end
            && c.end <= time_start
            && matches!(
                c.kind,
                CueKind::Withdrawal | CueKind::Final | CueKind::Phase
            )
    }) && !between.contains([',', ';'])
}

/// Speculation or expectation in the words around a time phrase.
fn segment_modality(a: &Analysis, from: usize, to: usize) -> Modality {
    let within = |c: &&Hit<CueKind>| c.start >= from && c.end <= to;
    if a.cues
        .iter()
        .filter(within)
        .any(|c| c.kind == CueKind::Speculative)
    {
        Modality::Speculative
    } else if a
        .cues
        .iter()
        .filter(within)
        .any(|c| c.kind == CueKind::Expected)
    {
        Modality::Expected
    } else {
        Modality::Planned
    }
}

/// Keeps, for each event of one sentence, firm deadlines over fuzzy ones
/// ("for about another year, until the end of 2026" says the end of 2026).
fn drop_fuzzy_beside_firm(out: &mut Vec<Claim>, sentence_start: usize) {
    let firm: Vec<String> = out
        .iter()
        .filter(|c| c.span.start == sentence_start && c.attribute == Attribute::Deadline)
        .filter(|c| matches!(&c.value, Value::Date(v) if !v.fuzzy))
        .map(|c| c.event.key.clone())
        .collect();
    out.retain(|c| {
        !(c.span.start == sentence_start
            && c.attribute == Attribute::Deadline
            && matches!(&c.value, Value::Date(v) if v.fuzzy)
            && firm.contains(&c.event.key))
    });
}

const ORDINALS: [(&str, u32); 12] = [
    ("first", 1),
    ("initial", 1),
    ("1st", 1),
    ("second", 2),
    ("2nd", 2),
    ("third", 3),
    ("3rd", 3),
    ("fourth", 4),
    ("4th", 4),
    ("fifth", 5),
    ("5th", 5),
    ("opening", 1),
];

const CARDINALS: [(&str, u32); 10] = [
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("1", 1),
    ("2", 2),
    ("3", 3),
    ("4", 4),
    ("5", 5),
];

fn word_before(sentence: &str, at: usize) -> String {
    sentence[..at]
        .trim_end_matches(|c: char| c == '-' || c.is_whitespace())
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn word_after(sentence: &str, at: usize) -> String {
    sentence[at..]
        .trim_start()
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// "two phases", "a three-stage plan": the number of phases a plan has.
pub fn phase_total(sentence: &str, cue: &Hit<CueKind>) -> Option<u32> {
    let word = &sentence[cue.start..cue.end];
    let before = word_before(sentence, cue.start);
    let hyphenated = sentence[..cue.start].ends_with('-');
    let plural = word.ends_with('s');
    if !(plural || hyphenated) {
        return None;
    }
    CARDINALS
        .iter()
        .find(|(w, _)| *w == before)
        .map(|(_, n)| *n)
        .filter(|n| *n >= 2)
}

/// "the first phase", "phase two", "the final stage" → (ordinal, is_final).
pub fn phase_ordinal(sentence: &str, cue: &Hit<CueKind>) -> Option<(u32, bool)> {
    if sentence[..cue.start].ends_with('-') || sentence[cue.start..cue.end].ends_with('s') {
        return None; // "two-phase plan", "two phases": a total
    }
    let before = word_before(sentence, cue.start);
    if before == "final" || before == "last" {
        return Some((0, true));
    }
    if let Some((_, n)) = ORDINALS.iter().find(|(w, _)| *w == before) {
        return Some((*n, false));
    }
    let after = word_after(sentence, cue.end);
    CARDINALS
        .iter()
        .find(|(w, _)| *w == after)
        .map(|(_, n)| (*n, false))
}

/// The milestone named between `from` and `to` in the sentence: a base, a
/// phase, the final withdrawal, a partial reduction, or a bare withdrawal word
/// (the withdrawal as a whole).
fn target_in(
    sentence: &str,
    a: &Analysis,
    ctx: &ArticleContext,
    lex: &Lexicon,
    from: usize,
    to: usize,
) -> Option<Target> {
    if from >= to {
        return None;
    }
    let cues: Vec<&Hit<CueKind>> = a
        .cues
        .iter()
        .filter(|c| c.start >= from && c.end <= to)
        .collect();
    let places: Vec<(&str, LocationKind)> = a
        .names
        .iter()
        .filter(|n| n.start >= from && n.end <= to)
        .filter_map(|n| match n.kind {
            NameKind::Location(i) => lex
                .locations
                .get(i)
                .filter(|l| l.country == ctx.country)
                .map(|l| (l.name.as_str(), l.kind)),
            _ => None,
        })
        .collect();
    let place = places
        .iter()
        .find(|(_, k)| *k != LocationKind::Base)
        .map(|(n, _)| n.to_string());
    if let Some((base, _)) = places.iter().find(|(_, k)| *k == LocationKind::Base) {
        return Some(Target {
            milestone: Milestone::Base,
            phase: None,
            location: Some(base.to_string()),
            rule: "base",
        });
    }
    for cue in cues.iter().filter(|c| c.kind == CueKind::Phase) {
        if let Some((n, is_final)) = phase_ordinal(sentence, cue) {
            let last = is_final || ctx.total_phases == Some(n);
            return Some(Target {
                milestone: if last {
                    Milestone::Final
                } else {
                    Milestone::Phase
                },
                phase: (!last).then_some(n),
                location: place,
                rule: if is_final {
                    "final-phase"
                } else if last {
                    "last-of-n-phases"
                } else {
                    "phase-ordinal"
                },
            });
        }
    }
    if cues.iter().any(|c| c.kind == CueKind::Final) {
        return Some(Target {
            milestone: Milestone::Final,
            phase: None,
            location: place,
            rule: "final-cue",
        });
    }
    if cues.iter().any(|c| c.kind == CueKind::Partial) {
        return Some(Target {
            milestone: Milestone::Drawdown,
            phase: None,
            location: place,
            rule: "partial",
        });
    }
    if cues.iter().any(|c| c.kind == CueKind::Withdrawal) {
        return Some(Target {
            milestone: Milestone::Final,
            phase: None,
            location: place,
            rule: "withdrawal-word",
        });
    }
    None
}

/// Is this number the leaving force's troops in the article's country? Not the
/// host's own forces, not troops in another country ("900 in Syria").
fn count_is_about(
    sentence: &str,
    a: &Analysis,
    ctx: &ArticleContext,
    lex: &Lexicon,
    c: &counts::CountMatch,
) -> bool {
    // Whose troops: a nationality just before the force word.
    for n in a
        .names
        .iter()
        .filter(|n| n.start >= c.start && n.end <= c.force_end)
    {
        if let NameKind::Country(i) | NameKind::Demonym(i) = n.kind {
            if followed_by_force(sentence, n, &a.cues) {
                let code = lex.countries.get(i).map(|x| x.code.as_str()).unwrap_or("");
                if code == ctx.country
                    || (!ctx.actor_countries.is_empty()
                        && !ctx.actor_countries.iter().any(|m| m == code))
                {
                    return false;
                }
            }
        }
    }
    // Where: the first country or place named after the number, up to the next number.
    let next_number = sentence[c.force_end..]
        .find(|ch: char| ch.is_ascii_digit())
        .map_or(sentence.len(), |i| c.force_end + i);
    let place_after = a
        .names
        .iter()
        .filter(|n| n.start >= c.end && n.end <= next_number)
        .find_map(|n| match n.kind {
            NameKind::Country(i) => lex.countries.get(i).map(|x| x.code.as_str()),
            NameKind::Location(i) => lex.locations.get(i).map(|l| l.country.as_str()),
            _ => None,
        });
    match place_after {
        Some(code) => code == ctx.country,
        None => true,
    }
}

/// Status words that state a fact: not negated, not a plan ("will be
/// completed"), not a condition ("after the withdrawal is complete"), and near a
/// withdrawal or agreement word.
fn statuses<'a>(sentence: &str, a: &'a Analysis) -> Vec<(&'a Hit<CueKind>, Status)> {
    let mut out: Vec<(&Hit<CueKind>, Status)> = Vec::new();
    for cue in &a.cues {
        let status = match cue.kind {
            CueKind::StatusAgreed => Status::Agreed,
            CueKind::StatusSigned => Status::Signed,
            CueKind::StatusAnnounced => Status::Announced,
            CueKind::StatusInProgress => Status::InProgress,
            CueKind::StatusCompleted => Status::Completed,
            CueKind::StatusPostponed => Status::Postponed,
            CueKind::StatusCancelled => Status::Cancelled,
            _ => continue,
        };
        let agreement_status =
            matches!(status, Status::Agreed | Status::Signed | Status::Announced);
        // The thing whose status it is must be near.
        let subject = a.cues.iter().any(|c| {
            let near = c.end + 60 >= cue.start && c.start <= cue.end + 60;
            near && if agreement_status {
                c.kind == CueKind::Agreement
                    || (status != Status::Announced && c.kind == CueKind::Withdrawal)
            } else {
                matches!(
                    c.kind,
                    CueKind::Withdrawal | CueKind::Phase | CueKind::Final
                )
            }
        });
        if !subject {
            continue;
        }
        // A negation, plan or condition in the few words before the status word.
        let lead_from = cue.start.saturating_sub(40);
        let blocked = a.cues.iter().any(|c| {
            c.start >= lead_from
                && c.end <= cue.start
                && matches!(
                    c.kind,
                    CueKind::Negation | CueKind::Future | CueKind::Subordinate
                )
                && sentence[c.end..cue.start].split_whitespace().count() <= 4
        }) || a
            .cues
            .iter()
            .any(|c| c.kind == CueKind::Negation && c.start >= cue.start && c.end <= cue.end);
        if blocked {
            continue;
        }
        if !out.iter().any(|(_, s)| *s == status) {
            out.push((cue, status));
        }
    }
    out
}
