//! Troop counts: "about 2,500 U.S. troops", "a 2,500-strong force", "fewer
//! than 2,000 soldiers", "up to 3,000 personnel", and levels named after the
//! force ("reduce the number of troops in Germany to 25,000"). A number counts
//! only beside a force word, and when nothing marks it as casualties, evacuees,
//! money or a percentage. Pure.

use std::sync::LazyLock;

use regex::Regex;

use super::lexicon::{CueKind, Hit};

/// A troop number found in a sentence (offsets relative to the sentence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountMatch {
    pub start: usize,
    pub end: usize,
    pub value: u32,
    pub min: u32,
    pub max: u32,
    pub approx: bool,
    /// Where the force word ends: the country named after it is where they are.
    pub force_end: usize,
    /// A level the force is brought to ("cut troops in Germany to 25,000"):
    /// the number after the force words, the phrase starting after the verb.
    pub level: bool,
}

/// Words that may follow a level's number within its clause ("to 25,000 by
/// September"); any other word makes it a count of something else ("to 12 bases").
const AFTER_LEVEL: &[&str] = &[
    "by",
    "in",
    "from",
    "after",
    "before",
    "within",
    "over",
    "under",
    "this",
    "next",
    "as",
    "and",
    "or",
    "but",
    "when",
    "while",
    "until",
    "on",
    "at",
    "if",
    "once",
    "since",
    "later",
    "soon",
    "starting",
    "beginning",
];

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(about|approximately|roughly|around|some|nearly|almost|an estimated|more than|over|fewer than|less than|up to|at least|at most)\s+)?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(thousand|hundred))?(-strong)?",
    )
    .unwrap_or_else(|e| panic!("the troop-count pattern does not compile: {e}"))
});

/// Numbers written in words: "two thousand", "a few hundred", "some 1.5 thousand".
static WORD_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(about|approximately|roughly|around|some|nearly|almost)\s+)?(a few|several|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\s+(hundred|thousand)\b",
    )
    .unwrap_or_else(|e| panic!("the number-word pattern does not compile: {e}"))
});

/// The value of a number word, and whether it is a rough one ("a few").
fn word_value(word: &str) -> Option<(u32, bool)> {
    let n = match word.to_ascii_lowercase().as_str() {
        "a few" => return Some((3, true)),
        "several" => return Some((5, true)),
        "one" => 1,
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

/// Troop numbers in `sentence`; `cues` are the sentence's cue hits.
pub fn find_counts(sentence: &str, cues: &[Hit<CueKind>]) -> Vec<CountMatch> {
    let mut out = Vec::new();
    // Every count needs a force word beside it: without one, nothing to read.
    if !cues.iter().any(|c| c.kind == CueKind::Force) {
        return out;
    }
    // "two thousand troops", "a few hundred soldiers" (the regex only runs
    // where a scale word is there at all: most sentences have none).
    let lower_has = |w: &str| {
        sentence
            .as_bytes()
            .windows(w.len())
            .any(|win| win.eq_ignore_ascii_case(w.as_bytes()))
    };
    let words = if lower_has("hundred") || lower_has("thousand") {
        WORD_NUMBER.captures_iter(sentence).collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    for caps in words {
        let (Some(whole), Some(word), Some(scale)) = (caps.get(0), caps.get(2), caps.get(3)) else {
            continue;
        };
        let Some((n, rough)) = word_value(word.as_str()) else {
            continue;
        };
        let scale = if scale.as_str().eq_ignore_ascii_case("thousand") {
            1000
        } else {
            100
        };
        let value = n * scale;
        let approx = rough || caps.get(1).is_some();
        let Some(force) = force_after(sentence, whole.end(), cues) else {
            continue;
        };
        if excluded(sentence, cues, whole.start(), force.end) {
            continue;
        }
        let (min, max) = if approx {
            (value - value / 2, value + value / 2)
        } else {
            (value, value)
        };
        out.push(CountMatch {
            start: whole.start(),
            end: force.end,
            value,
            min,
            max,
            approx,
            force_end: force.end,
            level: false,
        });
    }
    if !sentence.bytes().any(|b| b.is_ascii_digit()) {
        return out;
    }
    for caps in NUMBER.captures_iter(sentence) {
        let (Some(whole), Some(digits)) = (caps.get(0), caps.get(2)) else {
            continue;
        };
        // Not part of a bigger token: "$2,500", "2,500%", "1990s", a year.
        let before = sentence[..whole.start()].chars().next_back();
        let after = sentence[whole.end()..].chars().next();
        if matches!(before, Some('$' | '€' | '£' | '#' | '.' | '-'))
            || matches!(after, Some('%' | '$' | '€'))
            || sentence[whole.end()..].starts_with("s ")
        {
            continue;
        }
        let raw: String = digits.as_str().chars().filter(|c| *c != ',').collect();
        let Ok(number) = raw.parse::<f64>() else {
            continue;
        };
        let scale = match caps.get(3).map(|m| m.as_str().to_ascii_lowercase()) {
            Some(s) if s == "thousand" => 1000.0,
            Some(s) if s == "hundred" => 100.0,
            _ => 1.0,
        };
        let scaled = number * scale;
        if !(1.0..=2_000_000.0).contains(&scaled) || scaled.fract() != 0.0 {
            continue;
        }
        let value = scaled as u32;
        // A bare four-digit number that looks like a year is a year.
        if scale == 1.0 && !digits.as_str().contains(',') && (1900..=2100).contains(&value) {
            continue;
        }
        // "from 3,000 to 2,000 troops", "between 2,000 and 2,500 troops": the
        // first number opens a range; the second carries it.
        let rest = sentence[whole.end()..].trim_start().to_ascii_lowercase();
        if (rest.starts_with("to ") || rest.starts_with("and "))
            && rest
                .split_whitespace()
                .nth(1)
                .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        {
            continue;
        }
        // A force word must follow within three words ("2,500 U.S. troops"),
        // or the number is the level a force named before it is brought to.
        let Some(force) = force_after(sentence, whole.end(), cues) else {
            if let Some((start, force)) = level_of(sentence, whole.start(), whole.end(), cues) {
                if !excluded(sentence, cues, start, whole.end()) {
                    let approx = caps.get(1).is_some();
                    let (min, max) = if approx {
                        (value - value / 10, value + value / 10)
                    } else {
                        (value, value)
                    };
                    out.push(CountMatch {
                        start,
                        end: whole.end(),
                        value,
                        min,
                        max,
                        approx,
                        force_end: force.end,
                        level: true,
                    });
                }
            }
            continue;
        };
        if excluded(sentence, cues, whole.start(), force.end) {
            continue;
        }
        let qualifier = caps.get(1).map(|m| m.as_str().to_ascii_lowercase());
        let lead = sentence[..whole.start()].trim_end().to_ascii_lowercase();
        if let Some(low) = range_start(&lead) {
            // "between 2,000 and 2,500 troops"
            out.push(CountMatch {
                start: whole.start(),
                end: force.end,
                value: (low + value) / 2,
                min: low.min(value),
                max: low.max(value),
                approx: true,
                force_end: force.end,
                level: false,
            });
            continue;
        }
        let (min, max, approx) = match qualifier.as_deref() {
            Some("more than" | "over" | "at least") => (value, u32::MAX, false),
            Some("fewer than" | "less than" | "up to" | "at most") => (0, value, false),
            Some(_) => (value - value / 10, value + value / 10, true),
            None => (value, value, false),
        };
        out.push(CountMatch {
            start: whole.start(),
            end: force.end,
            value,
            min,
            max,
            approx,
            force_end: force.end,
            level: false,
        });
    }
    out
}

/// "reduce the number of American troops in Germany to 25,000", "bring U.S.
/// forces down to 2,500 by January": the number follows "to" and ends its
/// clause, a force word stands a few words before, and a level word ("reduce",
/// "cut") opens the phrase or "down" stands before "to". Returns where the
/// phrase starts (after the level word, or the clause) and the force word.
fn level_of<'c>(
    sentence: &str,
    number_start: usize,
    number_end: usize,
    cues: &'c [Hit<CueKind>],
) -> Option<(usize, &'c Hit<CueKind>)> {
    let lead = sentence[..number_start].trim_end();
    let to_at = lead.len().checked_sub(2)?;
    let to = lead.get(to_at..)?;
    if !to.eq_ignore_ascii_case("to") || !lead[..to_at].ends_with(char::is_whitespace) {
        return None;
    }
    let rest = sentence[number_end..].trim_start();
    let next = rest
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let ends_clause = rest.is_empty()
        || rest.starts_with([',', '.', ';', ':', ')', '!', '?'])
        || AFTER_LEVEL.contains(&next.as_str());
    if !ends_clause {
        return None;
    }
    // The clause starts after the last comma or semicolon that is not inside a
    // number ("from 34,500 to").
    let clause_start = sentence[..to_at]
        .rmatch_indices([',', ';'])
        .find(|(i, _)| !sentence[i + 1..].starts_with(|c: char| c.is_ascii_digit()))
        .map_or(0, |(i, _)| i + 1);
    let words = |from: usize, to: usize| sentence[from..to].split_whitespace().count();
    let force = cues.iter().rev().find(|c| {
        c.kind == CueKind::Force
            && c.start >= clause_start
            && c.end <= to_at
            && words(c.end, to_at) <= 4
    })?;
    // A withdrawal phrase may hold the level word ("reduce the number of").
    let verb = cues.iter().rev().find(|c| {
        matches!(c.kind, CueKind::Level | CueKind::Withdrawal)
            && c.start >= clause_start
            && c.end <= force.start
            && words(c.end, force.start) <= 5
    });
    match verb {
        Some(verb) => Some((verb.end, force)),
        // "bring troop numbers down to 2,500": "down" says it is a cut.
        None if lead[..to_at]
            .trim_end()
            .to_ascii_lowercase()
            .ends_with(" down") =>
        {
            let clause = &sentence[clause_start..force.start];
            Some((
                clause_start + (clause.len() - clause.trim_start().len()),
                force,
            ))
        }
        None => None,
    }
}

/// The force word after a number, within three words and the same clause.
fn force_after<'c>(
    sentence: &str,
    from: usize,
    cues: &'c [Hit<CueKind>],
) -> Option<&'c Hit<CueKind>> {
    cues.iter().find(|c| {
        c.kind == CueKind::Force && c.start >= from && {
            let gap = &sentence[from..c.start];
            gap.split_whitespace().count() <= 3 && !gap.contains([',', ';'])
                || gap.trim().is_empty()
        }
    })
}

/// Casualties, evacuees, money: a marker within a few words either side.
fn excluded(sentence: &str, cues: &[Hit<CueKind>], start: usize, end: usize) -> bool {
    let window_start = floor_boundary(sentence, start.saturating_sub(30));
    let window_end = ceil_boundary(sentence, (end + 25).min(sentence.len()));
    cues.iter().any(|c| {
        c.kind == CueKind::CountExclusion && c.start >= window_start && c.end <= window_end
    })
}

/// "between 2,000 and": the lower end of a range before a number.
fn range_start(lead: &str) -> Option<u32> {
    let lead = lead.strip_suffix("and")?.trim_end();
    let (before, low) = lead.rsplit_once(' ')?;
    if !before.trim_end().ends_with("between") {
        return None;
    }
    low.replace(',', "").parse().ok()
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::lexicon::Lexicon;
    use rstest::rstest;

    #[rstest]
    #[case("About 2,500 U.S. troops are stationed there.", Some((2500, true)))]
    #[case("a 2,500-strong force of soldiers", Some((2500, false)))]
    #[case("roughly 2.5 thousand troops remain", Some((2500, true)))]
    #[case("fewer than 2,000 soldiers", Some((2000, false)))]
    #[case("The attacks killed 3 soldiers.", None)]
    #[case("2,000 troops were wounded", None)]
    #[case("it cost $2,500 per troop", None)]
    #[case("in 2014 troops arrived", None)]
    #[case("1,200 civilians were evacuated", None)]
    #[case("the 2,500 figure", None)]
    #[case("some two thousand soldiers", Some((2000, true)))]
    #[case("a few hundred troops stay", Some((300, true)))]
    #[case("cut from 3,000 to 2,000 troops", Some((2000, false)))]
    #[case("between 2,000 and 2,500 troops", Some((2250, true)))]
    #[case("twelve thousand refugees", None)]
    // Levels: the number after the force, brought "to" it.
    #[case("he would reduce the number of American troops in Germany to 25,000, officials said", Some((25000, false)))]
    #[case("a plan to bring U.S. forces down to about 2,500 by January", Some((2500, true)))]
    #[case("cut the troops from 34,500 to 25,000.", Some((25000, false)))]
    #[case("troops were sent to 12 bases", None)]
    #[case("soldiers returned to 2,000 homes", None)]
    #[case("the troops moved to 3 districts", None)]
    #[case("reduce the troops' casualties to 20 a year", None)]
    #[case("expanded the mission to 2026", None)]
    #[case("troops will travel to Kabul", None)]
    #[case("Trump said he would reduce the number of American troops in Germany to 25,000.", Some((25000, false)))]
    fn reads_troop_numbers(#[case] sentence: &str, #[case] expected: Option<(u32, bool)>) {
        let lex = Lexicon::built_in().unwrap_or_else(|e| panic!("{e}"));
        let cues = lex.find_cues(sentence);
        let got = find_counts(sentence, &cues)
            .first()
            .map(|c| (c.value, c.approx));
        assert_eq!(got, expected, "{sentence}");
    }
}
