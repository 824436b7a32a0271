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
    // The sentence as quoted in a claim; most sentences make none.
    let quote = std::cell::OnceCell::new();
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
        quote: quote
            .get_or_init(|| sentence.split_whitespace().collect::<Vec<_>>().join(" "))
            .clone(),
        span: Span {
            start: a.start,
            end: a.end,
        },
        attributed_to: attributed_to.clone(),
        modality,
        change_wording: change_wording.clone(),
        rule: rule.to_string(),
    };

    // A sentence about another force ("Germany and Italy brought their last
    // soldiers home in June") says nothing about this withdrawal's dates.
    let about_other_force = is_about_other_force(sentence, a, ctx, lex);

    // Deadlines and durations: each time phrase takes the milestone named in the
    // words since the previous phrase (or, failing that, the one before).
    if a.is_withdrawal {
        let mut previous: Option<Target> = None;
        let mut segment_start = 0;
        for (i, t) in a.times().iter().enumerate() {
            let segment_end = t.start;
            let next_start = a.times().get(i + 1).map_or(sentence.len(), |n| n.start);
            // Words after the phrase name its milestone only for the last phrase
            // ("by May, when the last troops leave"); otherwise they belong to the next.
            let last = i + 1 == a.times().len();
            let target = target_in(sentence, a, ctx, lex, segment_start, segment_end)
                .or_else(|| {
                    last.then(|| target_in(sentence, a, ctx, lex, t.end, next_start))
                        .flatten()
                })
                .or_else(|| previous.clone())
                .or_else(|| sentence_default(sentence, a, ctx, lex));
            segment_start = t.end;
            let Some(mut target) = target else { continue };
            // A bare withdrawal word after a named base or phase is still about
            // it ("left its camp in Kidal ..., after its departure was brought
            // forward from mid-November").
            if matches!(target.rule, "withdrawal-word" | "sentence-withdrawal") {
                if let Some(p) = previous.as_ref().filter(|p| {
                    matches!(p.milestone, Milestone::Base | Milestone::Phase)
                        && !matches!(p.rule, "partial" | "unnamed-base")
                }) {
                    target = p.clone();
                }
            }
            previous = Some(target.clone());
            if matches!(target.rule, "partial" | "unnamed-base")
                || about_other_force
                || is_old_value(sentence, a, t.start)
                || is_other_event_date(sentence, a, t.start)
            {
                continue;
            }
            // The day it actually happened: "the last soldiers left on December 22".
            // A month without a year after a completed action is the last one
            // ("handed its camp ... in August", read in September).
            // "ahead of the September 15 deadline" refers to the deadline.
            let names_deadline = sentence[t.end..]
                .split_whitespace()
                .next()
                .is_some_and(|w| w.to_ascii_lowercase().starts_with("deadline"));
            let done = !names_deadline && happened(sentence, a, 0, segment_end);
            let expr = match &t.expr {
                TimeExpr::Interval(v)
                    if done
                        && !is_past(v, article)
                        && v.granularity <= crate::model::Granularity::Month
                        && !has_year(&sentence[t.start..t.end]) =>
                {
                    TimeExpr::Interval(a_year_earlier(v))
                }
                other => other.clone(),
            };
            // ... reported while it is news: a completion years back is history
            // ("withdrew in 2011").
            let recent = |v: &TimeValue| {
                v.latest
                    .is_some_and(|l| (article.published - l).num_days() <= RECENT_DAYS)
            };
            let actual =
                matches!(&expr, TimeExpr::Interval(v) if is_past(v, article) && recent(v)) && done;
            // Even then, a date another verb owns is that verb's: "the timetable
            // Macron set out in February".
            if (!actual && is_event_date(sentence, a, t.start, t.end))
                || (actual && dated_by_other_verb(sentence, t.start))
            {
                continue;
            }
            let words = &sentence[t.start..t.end];
            let modality = sentence_modality
                .unwrap_or_else(|| segment_modality(a, segment_end.saturating_sub(80), next_start));
            let event = event_for(ctx, &target);
            match &expr {
                TimeExpr::Interval(v) if actual => {
                    let rule = format!("deadline/{}/actual/{}", target.rule, t.rule);
                    let modality = sentence_modality.unwrap_or(Modality::Completed);
                    out.push(make(
                        event,
                        Attribute::Deadline,
                        Value::Date(v.clone()),
                        words,
                        modality,
                        &rule,
                    ));
                }
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
                TimeExpr::Duration { .. } if !near_plan_word(a, t.start, t.end) => continue,
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
        keep_first_deadline(out, a.start);
    }

    // Troop counts: the number of the force's troops present in the country.
    let counts = counts::find_counts(sentence, &a.cues);
    let historic = !counts.is_empty() && is_historic(sentence, a, article);
    for c in counts {
        if historic
            || about_other_force
            || is_amount_moving(sentence, a, &c)
            || !count_is_about(sentence, a, ctx, lex, &c)
        {
            continue;
        }
        let event = Event::new(&ctx.country, &ctx.actor, Milestone::Drawdown, None, None);
        let value = Value::Count {
            value: c.value,
            min: c.min,
            max: c.max,
            approx: c.approx,
        };
        // A count states what is there; a level may be one still to be reached
        // ("would reduce the number of troops to 25,000").
        let level_ahead = c.level
            && a.cues.iter().any(|w| {
                w.kind == CueKind::Future
                    && w.end <= c.start
                    && !sentence[w.start..w.end].eq_ignore_ascii_case("to")
            });
        let modality = sentence_modality.unwrap_or(if level_ahead {
            segment_modality(a, 0, c.end)
        } else {
            Modality::Completed
        });
        out.push(make(
            event,
            Attribute::TroopCount,
            value,
            &sentence[c.start..c.end],
            modality,
            if c.level {
                "count/level"
            } else {
                "count/force-word"
            },
        ));
    }

    // Statuses.
    for (cue, status) in statuses(sentence, a, lex) {
        if about_other_force {
            continue;
        }
        let target = match status {
            // "reached an agreement", "signed a deal": the deal itself.
            Status::Agreed | Status::Signed | Status::Announced
                if !agreed_to_withdraw(sentence, a, cue, lex) =>
            {
                Target {
                    milestone: Milestone::Agreement,
                    phase: None,
                    location: None,
                    rule: "agreement",
                }
            }
            // "has agreed to pull out", "announced it will withdraw": the withdrawal.
            Status::Agreed | Status::Signed | Status::Announced => {
                default_target(ctx, "withdrawal-agreed")
            }
            _ if names_withdrawal(sentence, cue, lex)
                || follows_withdrawal_word(sentence, a, cue) =>
            {
                // "completed its withdrawal", "withdrawal began": the whole of it,
                // or the phase named just before.
                target_in(sentence, a, ctx, lex, 0, cue.start)
                    .filter(|t| t.milestone == Milestone::Phase)
                    .unwrap_or_else(|| default_target(ctx, "status-names-withdrawal"))
            }
            _ => match target_in(
                sentence,
                a,
                ctx,
                lex,
                cue.end,
                clause_end(sentence, cue.end),
            )
            .or_else(|| {
                // The subject in the status word's own clause ("With the first
                // group gone, the withdrawal ... is now under way").
                let from = sentence[..cue.start].rfind([',', ';']).map_or(0, |i| i + 1);
                target_in(sentence, a, ctx, lex, from, cue.start)
                    .or_else(|| target_in(sentence, a, ctx, lex, 0, cue.start))
            }) {
                // "the airfield was handed over": a base this sentence does not name.
                Some(t) if t.rule == "unnamed-base" => continue,
                // "froze the planned reduction": the drawdown's status.
                Some(t) if t.rule == "partial" => Some(Target {
                    milestone: Milestone::Drawdown,
                    rule: "partial-status",
                    ..t
                }),
                other => other,
            }
            .map(|t| {
                if t.milestone == Milestone::Final && t.rule == "withdrawal-word" {
                    default_target(ctx, t.rule)
                } else {
                    t
                }
            })
            .unwrap_or_else(|| default_target(ctx, "default")),
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

/// "the U.S. withdrawal, under way since May": the status word follows the
/// withdrawal it describes.
fn follows_withdrawal_word(sentence: &str, a: &Analysis, cue: &Hit<CueKind>) -> bool {
    a.cues.iter().any(|c| {
        c.kind == CueKind::Withdrawal
            && c.end <= cue.start
            && sentence[c.end..cue.start].split_whitespace().count() <= 2
    })
}

/// Does a status phrase itself name the withdrawal ("completed its withdrawal")?
fn names_withdrawal(sentence: &str, cue: &Hit<CueKind>, lex: &Lexicon) -> bool {
    // The noun ("its withdrawal", "the pullout"), not a verb ("have left
    // Bagram" is about Bagram).
    sentence[cue.start..cue.end].split_whitespace().any(|w| {
        let lower = w.to_ascii_lowercase();
        word_is(lex, w, CueKind::Withdrawal)
            && !lower.ends_with("ed")
            && !DONE_FORMS.contains(&lower.as_str())
    })
}

/// Is this one word (punctuation trimmed) a cue of `kind`?
fn word_is(lex: &Lexicon, word: &str, kind: CueKind) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
    lex.find_cues(word)
        .iter()
        .any(|c| c.kind == kind && c.start == 0 && c.end == word.len())
}

/// Where the clause of a word ends: the next comma, semicolon or the sentence end.
fn clause_end(sentence: &str, from: usize) -> usize {
    sentence[from..]
        .find([',', ';'])
        .map_or(sentence.len(), |i| from + i)
}

/// A duration is the withdrawal's only next to a plan word ("a two-year
/// timeline", "the timetable is set for two years"); "for almost 20 years"
/// alone is how long the troops have been there.
fn near_plan_word(a: &Analysis, start: usize, end: usize) -> bool {
    a.cues
        .iter()
        .any(|c| c.kind == CueKind::Agreement && c.end + 40 >= start && c.start <= end + 40)
}

/// The milestone a withdrawal sentence is about when no words near a time
/// phrase name one: the withdrawal as a whole.
fn sentence_default(
    sentence: &str,
    a: &Analysis,
    ctx: &ArticleContext,
    lex: &Lexicon,
) -> Option<Target> {
    let partial = a.has(CueKind::Partial);
    // A withdrawal word, or a status phrase that names it ("completed its withdrawal").
    let withdrawal = a.has(CueKind::Withdrawal)
        || a.cues
            .iter()
            .any(|c| is_status(c.kind) && names_withdrawal(sentence, c, lex));
    (withdrawal && !partial).then_some(default_target(ctx, "sentence-withdrawal"))
}

fn is_status(kind: CueKind) -> bool {
    matches!(
        kind,
        CueKind::StatusInProgress
            | CueKind::StatusCompleted
            | CueKind::StatusPostponed
            | CueKind::StatusCancelled
    )
}

/// The withdrawal as a whole: the final departure, or for an article that only
/// speaks of cutting troops ("reduce from 34,500 to 24,000"), the drawdown.
fn default_target(ctx: &ArticleContext, rule: &'static str) -> Target {
    Target {
        milestone: if ctx.partial_only {
            Milestone::Drawdown
        } else {
            Milestone::Final
        },
        phase: None,
        location: None,
        rule,
    }
}

/// Does the sentence open with another force or country as its subject
/// ("Germany and Italy ...", "French forces ...", "Iraqi troops ...") before
/// any word about the withdrawal, and never name the article's force?
fn is_about_other_force(sentence: &str, a: &Analysis, ctx: &ArticleContext, lex: &Lexicon) -> bool {
    let first_cue = a
        .cues
        .iter()
        .find(|c| {
            matches!(
                c.kind,
                CueKind::Withdrawal | CueKind::Final | CueKind::Force
            )
        })
        .map_or(usize::MAX, |c| c.start);
    let code_of = |n: &Hit<NameKind>| match n.kind {
        NameKind::Country(i) | NameKind::Demonym(i) => {
            lex.countries.get(i).map(|c| c.code.as_str())
        }
        _ => None,
    };
    let ours = |n: &Hit<NameKind>| match n.kind {
        NameKind::Actor(i) => lex.actors.get(i).is_some_and(|d| d.name == ctx.actor),
        NameKind::Country(_) | NameKind::Demonym(_) => {
            code_of(n).is_some_and(|code| ctx.actor_countries.iter().any(|m| m == code))
        }
        NameKind::Location(_) => false,
    };
    if a.names.iter().any(ours) {
        return false;
    }
    // Another force as the subject: its troops ("French forces ..."), or the
    // country opening the sentence ("Germany and Italy brought ..."); a country
    // named in passing ("drafted by France") is not a force.
    let sentence_text = |n: &Hit<NameKind>| n.start <= 3;
    a.names
        .iter()
        .take_while(|n| n.start < first_cue)
        .any(|n| match n.kind {
            NameKind::Actor(_) => true,
            NameKind::Country(_) | NameKind::Demonym(_) => {
                code_of(n).is_some_and(|code| code != ctx.country)
                    && (sentence_text(n) || followed_by_force(sentence, n, &a.cues))
            }
            NameKind::Location(_) => false,
        })
}

/// Words right before a time phrase that make it the date of something that
/// happened or was said, not a deadline: "began in July", "agreed in May",
/// "said on Friday", "will start on May 1", "entered Kidal in November".
fn is_event_date(sentence: &str, a: &Analysis, start: usize, end: usize) -> bool {
    let lead_from = start.saturating_sub(24);
    let cue_before = a.cues.iter().any(|c| {
        c.end <= start
            && c.end >= lead_from
            && matches!(
                c.kind,
                CueKind::Start
                    | CueKind::Speech
                    | CueKind::StatusAgreed
                    | CueKind::StatusAnnounced
                    | CueKind::StatusSigned
            )
            && sentence[c.end..start].split_whitespace().count() <= 2
    });
    if cue_before {
        return true;
    }
    // A month or day without a year after a past-tense verb is in the past:
    // "the peacekeepers left in November".
    let phrase = &sentence[start..end];
    let has_year = phrase.bytes().filter(u8::is_ascii_digit).count() >= 4;
    if has_year {
        return false;
    }
    // ... unless the sentence speaks of the future ("will be wrapped up before May").
    let future_before = a.cues.iter().any(|c| {
        matches!(c.kind, CueKind::Future | CueKind::Expected) && c.end <= start && !in_time(a, c)
    });
    if future_before {
        return false;
    }
    // Back to the clause start, five words at most: "agreed by the two governments in February".
    let clause = sentence[..start]
        .rsplit([',', ';', '(', ')'])
        .next()
        .unwrap_or("");
    let before: Vec<&str> = clause.split_whitespace().rev().take(5).collect();
    before.iter().any(|w| {
        let w = w
            .trim_matches(|c: char| !c.is_alphabetic())
            .to_ascii_lowercase();
        PAST_VERBS.contains(&w.as_str())
            || (w.len() > 4 && w.ends_with("ed") && !w.ends_with("eed"))
                && !matches!(
                    w.as_str(),
                    "scheduled"
                        | "expected"
                        | "planned"
                        | "projected"
                        | "slated"
                        | "extended"
                        | "needed"
                        | "required"
                )
    })
}

/// Irregular past tenses that date an event ("left in December").
const PAST_VERBS: [&str; 17] = [
    "left", "began", "took", "went", "came", "withdrew", "held", "met", "flew", "made", "won",
    "fell", "agreed", "set", "brought", "sent", "ordered",
];

/// "9,500 troops will leave", "moving 11,900 soldiers": how many go, not how
/// many are there.
fn is_amount_moving(sentence: &str, a: &Analysis, c: &counts::CountMatch) -> bool {
    // "cut troops in Germany to 25,000": the level reached, not the amount moved.
    if c.level {
        return false;
    }
    let after_end = clause_end(sentence, c.end).min(c.end + 40);
    let verb_after = a
        .cues
        .iter()
        .any(|w| w.kind == CueKind::Withdrawal && w.start >= c.end && w.end <= after_end);
    let lead = sentence[..c.start].trim_end().to_ascii_lowercase();
    // "1,000 additional troops", "another 500 soldiers": an increment, not a level.
    let increment = sentence[c.start..c.end].split_whitespace().any(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "additional" | "extra" | "more" | "new"
        )
    });
    let word_before = sentence[..c.start]
        .split_whitespace()
        .next_back()
        .unwrap_or("")
        .to_ascii_lowercase();
    if increment || matches!(word_before.as_str(), "another" | "additional" | "extra") {
        return true;
    }
    // "The cut was to have taken nearly 12,000 troops": a reduction's size.
    let clause_start = sentence[..c.start].rfind([',', ';']).map_or(0, |i| i + 1);
    let cut_before = a
        .cues
        .iter()
        .any(|w| w.kind == CueKind::Partial && w.start >= clause_start && w.end <= c.start);
    let lead_to = sentence[..c.start].trim_end().to_ascii_lowercase();
    if cut_before && !lead_to.ends_with(" to") {
        return true;
    }
    let moved_before = [
        "taken",
        "take",
        "taking",
        "withdraw",
        "withdrawing",
        "move",
        "moving",
        "relocate",
        "relocating",
        "cut",
        "cutting",
        "pull",
        "pulling",
        "bring home",
        "send home",
        "reposition",
        "repositioning",
    ]
    .iter()
    .any(|v| {
        lead.ends_with(v)
            || lead.ends_with(&format!("{v} its"))
            || lead.ends_with(&format!("{v} their"))
            || lead.ends_with(&format!("{v} about"))
            || lead.ends_with(&format!("{v} some"))
            || lead.ends_with(&format!("{v} roughly"))
    });
    verb_after || moved_before
}

/// Is the word right before a past date a verb other than the completion's
/// ("set out in February", "agreed in May")?
fn dated_by_other_verb(sentence: &str, start: usize) -> bool {
    let clause = sentence[..start].rsplit([',', ';']).next().unwrap_or("");
    clause
        .split_whitespace()
        .rev()
        .take(3)
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphabetic())
                .to_ascii_lowercase()
        })
        .any(|w| {
            matches!(
                w.as_str(),
                "set"
                    | "agreed"
                    | "announced"
                    | "said"
                    | "decided"
                    | "signed"
                    | "ordered"
                    | "began"
                    | "started"
            )
        })
}

/// Is this cue part of a time phrase ("May" in "by May 10")?
fn in_time(a: &Analysis, c: &Hit<CueKind>) -> bool {
    a.times()
        .iter()
        .any(|t| c.start >= t.start && c.end <= t.end)
}

/// How long after it happened a completion is still reported as news.
const RECENT_DAYS: i64 = 60;

/// Does a time phrase write its year?
fn has_year(phrase: &str) -> bool {
    phrase.bytes().filter(u8::is_ascii_digit).count() >= 4
}

/// The same interval twelve months earlier.
fn a_year_earlier(v: &TimeValue) -> TimeValue {
    let back = |d: chrono::NaiveDate| d.checked_sub_months(chrono::Months::new(12)).unwrap_or(d);
    TimeValue {
        earliest: back(v.earliest),
        latest: v.latest.map(back),
        ..v.clone()
    }
}

/// "brought forward from mid-November": the value being replaced.
fn is_old_value(sentence: &str, a: &Analysis, start: usize) -> bool {
    let lead = sentence[..start].trim_end();
    if !lead.to_ascii_lowercase().ends_with("from") {
        return false;
    }
    let from_at = lead.len() - 4;
    a.cues.iter().any(|c| {
        c.kind == CueKind::Change
            && c.end <= from_at
            && sentence[c.end..from_at].split_whitespace().count() <= 4
    })
}

/// Did the withdrawal (or the milestone) happen in the words before a past
/// date: a completed status, or a withdrawal word in the past tense?
fn happened(sentence: &str, a: &Analysis, from: usize, before: usize) -> bool {
    // "expects them to have left by June" is a plan, not a fact.
    let planned = a.cues.iter().any(|c| {
        c.start >= from
            && c.end <= before
            && matches!(
                c.kind,
                CueKind::Future | CueKind::Expected | CueKind::Speculative
            )
            // "handed its camp to the authorities": "to" alone is no plan.
            && !sentence[c.start..c.end].eq_ignore_ascii_case("to")
            && !in_time(a, c)
    });
    !planned
        && a.cues.iter().any(|c| {
            c.start >= from
                && c.end <= before
                && (matches!(c.kind, CueKind::StatusCompleted | CueKind::Done)
                    || (c.kind == CueKind::Withdrawal
                        && DONE_FORMS
                            .contains(&sentence[c.start..c.end].to_ascii_lowercase().as_str())))
        })
}

/// Past forms of the withdrawal words: what they date has happened.
const DONE_FORMS: [&str; 8] = [
    "left",
    "withdrew",
    "departed",
    "pulled out",
    "handed over",
    "exited",
    "pulled back",
    "brought home",
];

/// Troop numbers in a sentence about the past ("at its peak in 2011, about
/// 100,000 troops") are history, not the number present now.
fn is_historic(sentence: &str, a: &Analysis, article: &Article) -> bool {
    if a.has(CueKind::Historic) {
        return true;
    }
    a.times().iter().any(|t| {
        let written_year = sentence[t.start..t.end].bytes().filter(u8::is_ascii_digit).count() >= 4;
        written_year
            && matches!(&t.expr, TimeExpr::Interval(v) if v.latest.is_some_and(|l| l < article.published))
    })
}

/// "has agreed to withdraw", "announced it would pull out": the status is the
/// withdrawal's; "reached an agreement", "signed a deal": the deal's.
fn agreed_to_withdraw(sentence: &str, a: &Analysis, cue: &Hit<CueKind>, lex: &Lexicon) -> bool {
    // The deal named right after the verb: "agreed to a plan", "announced that
    // an agreement ...".
    let deal_after = sentence[cue.end..]
        .split_whitespace()
        .take(3)
        .any(|w| word_is(lex, w, CueKind::Agreement));
    let withdrawal_after = !deal_after && a.cues.iter().any(|c| c.kind == CueKind::Withdrawal);
    // "come to an understanding", "agreement has been reached": the cue names the deal.
    let inside_cue = sentence[cue.start..cue.end]
        .split_whitespace()
        .any(|w| word_is(lex, w, CueKind::Agreement));
    withdrawal_after && !inside_cue
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
        .rfind(|c| c.kind == CueKind::OtherEvent && c.end <= time_start && c.end >= window)
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
    // "May" in "by May 2026" is a month, not the modal verb.
    let in_time = |c: &Hit<CueKind>| {
        a.times()
            .iter()
            .any(|t| c.start >= t.start && c.end <= t.end)
    };
    let within = |c: &&Hit<CueKind>| c.start >= from && c.end <= to && !in_time(c);
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

/// One sentence gives one deadline per event: the first it states. Later
/// dates for the same event look back ("the date set in April", "the May 1
/// deadline it replaces").
fn keep_first_deadline(out: &mut Vec<Claim>, sentence_start: usize) {
    // The first deadline whose own words name the milestone wins over one
    // placed only because the sentence speaks of a withdrawal ("stops its
    // operations on June 30 and must withdraw ... by December 31").
    let here = |c: &Claim| c.span.start == sentence_start && c.attribute == Attribute::Deadline;
    let weak = |c: &Claim| c.rule.contains("/sentence-withdrawal/");
    let mut keep: Vec<(String, usize)> = Vec::new();
    for (i, c) in out.iter().enumerate().filter(|(_, c)| here(c)) {
        match keep.iter_mut().find(|(k, _)| *k == c.event.key) {
            None => keep.push((c.event.key.clone(), i)),
            Some((_, kept)) => {
                if out.get(*kept).is_some_and(weak) && !weak(c) {
                    *kept = i;
                }
            }
        }
    }
    let mut i = 0;
    out.retain(|c| {
        let index = i;
        i += 1;
        !here(c) || keep.iter().any(|(_, k)| *k == index)
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
    let base_word = cues.iter().any(|c| c.kind == CueKind::Base);
    if base_word && !places.iter().any(|(_, k)| *k == LocationKind::Base) {
        // "the airfield was handed over": some base, not named here.
        return Some(Target {
            milestone: Milestone::Base,
            phase: None,
            location: None,
            rule: "unnamed-base",
        });
    }
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
    // "the last French troops", "the remaining American soldiers"
    let last_force = cues.iter().any(|c| {
        c.kind == CueKind::Force
            && sentence[..c.start]
                .split_whitespace()
                .rev()
                .take(3)
                .any(|w| {
                    matches!(
                        w.to_ascii_lowercase().as_str(),
                        "last" | "final" | "remaining"
                    )
                })
    });
    if last_force || cues.iter().any(|c| c.kind == CueKind::Final) {
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
            location: place,
            ..default_target(ctx, "withdrawal-word")
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
    // Where: the first country or place named after the force word, up to the
    // next number.
    let next_number = sentence[c.force_end..]
        .find(|ch: char| ch.is_ascii_digit())
        .map_or(sentence.len(), |i| c.force_end + i);
    let place_after = a
        .names
        .iter()
        .filter(|n| n.start >= c.force_end && n.end <= next_number)
        .find_map(|n| match n.kind {
            NameKind::Country(i) => lex.countries.get(i).map(|x| x.code.as_str()),
            NameKind::Location(i) => lex.locations.get(i).map(|l| l.country.as_str()),
            _ => None,
        });
    match place_after {
        Some(code) => code == ctx.country,
        // A level with no place of its own ("cuts in Afghanistan and Iraq,
        // bringing the number of troops in each country down to 2,500") is
        // about the countries the sentence names before it, if any.
        None if c.level => !a.names.iter().any(|n| match n.kind {
            NameKind::Country(i) => lex.countries.get(i).is_some_and(|x| {
                x.code != ctx.country
                    && !ctx.actor_countries.contains(&x.code)
                    && !followed_by_force(sentence, n, &a.cues)
            }),
            _ => false,
        }),
        None => true,
    }
}

/// Status words that state a fact: not negated, not a plan ("will be
/// completed"), not a condition ("after the withdrawal is complete"), and near a
/// withdrawal or agreement word.
fn statuses<'a>(sentence: &str, a: &'a Analysis, lex: &Lexicon) -> Vec<(&'a Hit<CueKind>, Status)> {
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
        // The thing whose status it is must be near (a decision anywhere in
        // the sentence: "France will withdraw ..., Macron announced").
        let reach = if agreement_status {
            sentence.len()
        } else {
            120
        };
        let subject = a.cues.iter().any(|c| {
            let near = c.end + reach >= cue.start && c.start <= cue.end + reach;
            near && if agreement_status {
                matches!(c.kind, CueKind::Agreement | CueKind::Withdrawal)
            } else {
                matches!(
                    c.kind,
                    CueKind::Withdrawal | CueKind::Phase | CueKind::Final
                )
            }
        });
        // "completed its withdrawal" is its own subject.
        let subject = subject || names_withdrawal(sentence, cue, lex);
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
                    CueKind::Negation | CueKind::Future | CueKind::Expected | CueKind::Subordinate
                )
                && !in_time(a, c)
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
