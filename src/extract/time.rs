//! Time expressions: finds phrases such as "by September 2025", "by the end of
//! 2026" or "within six months" in a clause and resolves them to intervals
//! against the publication date. It owns a small tokenizer and the phrase rules;
//! it does not decide relevance (a historic "in 2003" is returned too). Pure: no
//! I/O, no clock. The conventions are in `docs/time-expressions.md`; every line
//! of that table is a test case below.

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use crate::model::{Granularity, TimeValue};

/// What a time phrase says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeExpr {
    /// When something happens: a deadline, a window, or a floor (`latest: None`).
    Interval(TimeValue),
    /// How long something takes ("a two-year timeline", "set for two years").
    Duration {
        /// The length in months ("two-year" = 24, "a year and a half" = 18).
        months: u32,
        /// Hedged: "about", "approximately", "roughly", "some", "around".
        approx: bool,
    },
}

/// One time phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeMatch {
    /// Byte offset of the phrase in the searched text (on a char boundary).
    pub start: usize,
    /// Byte offset just past the phrase (exclusive, on a char boundary).
    pub end: usize,
    /// What the phrase says, resolved against the publication date.
    pub expr: TimeExpr,
    /// The name of the rule that matched, for `extract --explain`.
    pub rule: &'static str,
}

/// A rule may start at most this many tokens before its first date-bearing
/// token ("at least until the end of next year"); farther away nothing is tried.
const MAX_LEAD: usize = 10;

/// Finds every time phrase in `text`, left to right, without overlaps (the
/// longest phrase wins at a position), and resolves relative ones against
/// `published`. Spans include a leading cue word ("by", "in", "until"...).
pub fn find_times(text: &str, published: NaiveDate) -> Vec<TimeMatch> {
    let toks = tokenize(text);
    let ctx = Ctx {
        toks: &toks,
        p: published,
    };
    let mut out = Vec::new();
    let mut anchor = 0;
    let mut i = 0;
    while i < toks.len() {
        // Pre-check: skip quickly to the next number, month, unit or season word.
        anchor = anchor.max(i);
        while toks.get(anchor).is_some_and(|t| !t.lex.is_anchor()) {
            anchor += 1;
        }
        if anchor >= toks.len() {
            break;
        }
        if anchor - i > MAX_LEAD {
            i = anchor - MAX_LEAD;
            continue;
        }
        let found = toks
            .get(i)
            .filter(|t| t.lex.can_start())
            .and_then(|_| ctx.best_at(i));
        let Some(found) = found else {
            i += 1;
            continue;
        };
        let last = found.next.checked_sub(1).and_then(|j| toks.get(j));
        if let (Some(first), Some(last)) = (toks.get(i), last) {
            out.push(TimeMatch {
                start: first.start,
                end: last.end,
                expr: found.expr,
                rule: found.rule,
            });
        }
        i = found.next.max(i + 1);
    }
    out
}

// ---------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
    Decade,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Season {
    Spring,
    Summer,
    Autumn,
    Winter,
}

/// Words the rules look for; several spellings map to one keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    A,
    Additional,
    After,
    Ago,
    Ahead,
    And,
    Another,
    Approx,
    Around,
    At,
    Before,
    Between,
    By,
    Close,
    Coming,
    Couple,
    Current,
    During,
    Early,
    Earlier,
    End,
    Few,
    Final,
    First,
    For,
    Fourth,
    From,
    Half,
    In,
    Last,
    Lasting,
    Late,
    Later,
    Latter,
    Least,
    Long,
    /// A unit that makes a preceding number no year: "percent", "hours", "GMT".
    Measure,
    Mid,
    Middle,
    More,
    Next,
    No,
    Not,
    Now,
    Of,
    Old,
    On,
    Over,
    Period,
    /// A noun a duration adjective may qualify: "timeline", "plan", "withdrawal".
    Plan,
    Prior,
    Quarter,
    Second,
    Set,
    Since,
    Start,
    Than,
    The,
    Third,
    This,
    Through,
    Time,
    To,
    Today,
    Total,
    Until,
    Within,
}

/// What a token is, decided once when the text is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Other,
    Punct(char),
    /// A run of ASCII digits (`value` is meaningless past nine digits).
    Num {
        value: u32,
        digits: u8,
    },
    /// "1st" .. "31st".
    Ordinal(u32),
    /// `verb`: "May", "March", "August", which need a year, a day or a cue.
    Month {
        month: u32,
        abbr: bool,
        verb: bool,
    },
    Weekday(Weekday),
    Season(Season),
    NumWord(u32),
    /// `poss`: "year's".
    Unit {
        unit: Unit,
        plural: bool,
        poss: bool,
    },
    /// "H1", "H2".
    HalfCode(u32),
    /// "Q1" .. "Q4".
    QuarterCode(u32),
    Kw(Kw),
}

impl Lex {
    /// Whether some rule may start at this token.
    fn can_start(self) -> bool {
        match self {
            Lex::Other | Lex::Punct(_) => false,
            Lex::Kw(k) => !matches!(
                k,
                Kw::Additional
                    | Kw::After
                    | Kw::Ago
                    | Kw::Ahead
                    | Kw::And
                    | Kw::Another
                    | Kw::Coming
                    | Kw::Couple
                    | Kw::Current
                    | Kw::Earlier
                    | Kw::Few
                    | Kw::Half
                    | Kw::Least
                    | Kw::Long
                    | Kw::Measure
                    | Kw::More
                    | Kw::Now
                    | Kw::Of
                    | Kw::Old
                    | Kw::Period
                    | Kw::Plan
                    | Kw::Prior
                    | Kw::Quarter
                    | Kw::Since
                    | Kw::Than
                    | Kw::Time
                    | Kw::To
                    | Kw::Today
                    | Kw::Total
            ),
            _ => true,
        }
    }

    /// Whether a date phrase (`Ctx::atom`) may start at this token.
    fn can_start_date(self) -> bool {
        match self {
            Lex::Num { .. }
            | Lex::Ordinal(_)
            | Lex::Month { .. }
            | Lex::Weekday(_)
            | Lex::Season(_)
            | Lex::HalfCode(_)
            | Lex::QuarterCode(_) => true,
            Lex::Unit { unit, .. } => unit == Unit::Year,
            Lex::Kw(k) => matches!(
                k,
                Kw::The
                    | Kw::This
                    | Kw::Next
                    | Kw::Last
                    | Kw::End
                    | Kw::Close
                    | Kw::Start
                    | Kw::Middle
                    | Kw::Late
                    | Kw::Early
                    | Kw::Mid
                    | Kw::Later
                    | Kw::First
                    | Kw::Second
                    | Kw::Third
                    | Kw::Fourth
                    | Kw::Final
                    | Kw::Latter
            ),
            _ => false,
        }
    }

    /// Every time phrase contains at least one such token.
    fn is_anchor(self) -> bool {
        matches!(
            self,
            Lex::Num { .. }
                | Lex::Ordinal(_)
                | Lex::Month { .. }
                | Lex::Weekday(_)
                | Lex::Season(_)
                | Lex::Unit { .. }
                | Lex::HalfCode(_)
                | Lex::QuarterCode(_)
        )
    }
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    /// Whitespace separates it from the previous token.
    spaced: bool,
    lex: Lex,
}

/// Splits `text` into words (letters, digits, inner apostrophes) and single
/// punctuation characters. A lower-case letter followed by an upper-case one
/// starts a new word, so "inSeptember" is "in" + "September".
fn tokenize(text: &str) -> Vec<Tok> {
    let bytes = text.as_bytes();
    let mut toks = Vec::with_capacity(text.len() / 5 + 1);
    let mut spaced = true;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_whitespace() {
            spaced = true;
            i += 1;
            continue;
        }
        let ch = if b.is_ascii() {
            char::from(b)
        } else {
            match text.get(i..).and_then(|s| s.chars().next()) {
                Some(ch) => ch,
                None => break,
            }
        };
        if ch.is_alphanumeric() {
            let (end, key) = scan_word(text, i);
            let lex = if b.is_ascii_digit() {
                bytes.get(i..end).map_or(Lex::Other, classify_number)
            } else {
                key.map_or(Lex::Other, |key| lookup(key, b.is_ascii_uppercase()))
            };
            toks.push(Tok {
                start: i,
                end,
                spaced,
                lex,
            });
            i = end;
        } else if ch.is_whitespace() {
            spaced = true;
            i += ch.len_utf8();
            continue;
        } else {
            let end = i + ch.len_utf8();
            toks.push(Tok {
                start: i,
                end,
                spaced,
                lex: Lex::Punct(ch),
            });
            i = end;
        }
        spaced = false;
    }
    toks
}

/// Scans the word starting at `start`: its end, and its lexicon key when it
/// is short and ASCII (see `word_key`).
fn scan_word(text: &str, start: usize) -> (usize, Option<u128>) {
    let bytes = text.as_bytes();
    let (mut lo, mut hi) = (0u64, 0u64);
    let mut n = 0u32;
    let mut keyable = true;
    let mut j = start;
    let mut prev_lower = false;
    let mut prev_letter = false;
    while let Some(&b) = bytes.get(j) {
        let c = if b.is_ascii_alphanumeric() {
            if b.is_ascii_uppercase() && prev_lower {
                break;
            }
            prev_lower = b.is_ascii_lowercase();
            prev_letter = b.is_ascii_alphabetic();
            j += 1;
            b | 0x20 // lower-cases letters, keeps digits
        } else {
            let Some(ch) = text.get(j..).and_then(|s| s.chars().next()) else {
                break;
            };
            let after = j + ch.len_utf8();
            let letter_follows = bytes.get(after).is_some_and(u8::is_ascii_alphabetic);
            let c = if (ch == '\'' || ch == '\u{2019}') && prev_letter && letter_follows {
                b'\''
            } else if !ch.is_ascii() && ch.is_alphanumeric() {
                keyable = false;
                prev_letter = true;
                0
            } else {
                break;
            };
            prev_lower = false;
            j = after;
            c
        };
        match n {
            0..8 => lo |= u64::from(c) << (8 * n),
            8..16 => hi |= u64::from(c) << (8 * (n - 8)),
            _ => keyable = false,
        }
        n += 1;
    }
    (j, keyable.then(|| (u128::from(hi) << 64) | u128::from(lo)))
}

/// The lexicon key of a word: its lower-cased bytes (’ read as ') packed
/// into an integer, as `scan_word` builds it; `None` past 16 bytes.
fn word_key(word: &str) -> Option<u128> {
    let mut buf = [0u8; 16];
    let word = word.replace('\u{2019}', "'");
    if word.len() > buf.len() || !word.is_ascii() {
        return None;
    }
    for (slot, b) in buf.iter_mut().zip(word.bytes()) {
        *slot = b.to_ascii_lowercase();
    }
    Some(u128::from_le_bytes(buf))
}

fn classify_number(bytes: &[u8]) -> Lex {
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let value = if digits > 9 {
        u32::MAX
    } else {
        bytes
            .iter()
            .take(digits)
            .fold(0u32, |v, b| v * 10 + u32::from(b - b'0'))
    };
    match bytes.get(digits..) {
        Some([]) => Lex::Num {
            value,
            digits: u8::try_from(digits).unwrap_or(u8::MAX),
        },
        Some(b"st" | b"nd" | b"rd" | b"th") if digits <= 2 && (1..=31).contains(&value) => {
            Lex::Ordinal(value)
        }
        _ => Lex::Other,
    }
}

fn lookup(key: u128, capitalised: bool) -> Lex {
    LEXICON
        .get(key)
        .filter(|&(_, needs_capital)| capitalised || !needs_capital)
        .map_or(Lex::Other, |(lex, _)| lex)
}

/// The lexicon as an open-addressing table over packed words: a lookup costs
/// one multiply and usually one comparison.
struct Lexicon {
    slots: Vec<Option<(u128, Lex, bool)>>,
}

impl Lexicon {
    const BITS: u32 = 10;

    fn new(words: &[(&str, Lex, bool)]) -> Lexicon {
        let mut slots = vec![None; 1 << Self::BITS];
        for &(word, lex, needs_capital) in words {
            let Some(key) = word_key(word) else { continue };
            let mut pos = Self::slot(key);
            while let Some(Some(_)) = slots.get(pos) {
                pos = (pos + 1) % slots.len();
            }
            if let Some(slot) = slots.get_mut(pos) {
                *slot = Some((key, lex, needs_capital));
            }
        }
        Lexicon { slots }
    }

    fn slot(key: u128) -> usize {
        let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
        (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::BITS)) as usize
    }

    fn get(&self, key: u128) -> Option<(Lex, bool)> {
        let mut pos = Self::slot(key);
        loop {
            match self.slots.get(pos)? {
                Some((k, lex, needs_capital)) if *k == key => return Some((*lex, *needs_capital)),
                Some(_) => pos = (pos + 1) % self.slots.len(),
                None => return None,
            }
        }
    }
}

const fn month(month: u32) -> Lex {
    Lex::Month {
        month,
        abbr: false,
        verb: false,
    }
}

const fn abbr(month: u32) -> Lex {
    Lex::Month {
        month,
        abbr: true,
        verb: false,
    }
}

const fn verb_month(month: u32) -> Lex {
    Lex::Month {
        month,
        abbr: false,
        verb: true,
    }
}

const fn unit(unit: Unit, plural: bool) -> Lex {
    Lex::Unit {
        unit,
        plural,
        poss: false,
    }
}

const fn unit_poss(unit: Unit) -> Lex {
    Lex::Unit {
        unit,
        plural: false,
        poss: true,
    }
}

const fn kw(k: Kw) -> Lex {
    Lex::Kw(k)
}

/// The words the tokenizer knows: (lower-case spelling, meaning, needs a
/// capital letter). Abbreviations, weekdays and the verb-like months "May",
/// "March", "August" only count when capitalised.
const WORDS: &[(&str, Lex, bool)] = &[
    ("january", month(1), false),
    ("february", month(2), false),
    ("march", verb_month(3), true),
    ("april", month(4), false),
    ("may", verb_month(5), true),
    ("june", month(6), false),
    ("july", month(7), false),
    ("august", verb_month(8), true),
    ("september", month(9), false),
    ("october", month(10), false),
    ("november", month(11), false),
    ("december", month(12), false),
    ("jan", abbr(1), true),
    ("feb", abbr(2), true),
    ("mar", abbr(3), true),
    ("apr", abbr(4), true),
    ("jun", abbr(6), true),
    ("jul", abbr(7), true),
    ("aug", abbr(8), true),
    ("sep", abbr(9), true),
    ("sept", abbr(9), true),
    ("oct", abbr(10), true),
    ("nov", abbr(11), true),
    ("dec", abbr(12), true),
    ("monday", Lex::Weekday(Weekday::Mon), true),
    ("tuesday", Lex::Weekday(Weekday::Tue), true),
    ("wednesday", Lex::Weekday(Weekday::Wed), true),
    ("thursday", Lex::Weekday(Weekday::Thu), true),
    ("friday", Lex::Weekday(Weekday::Fri), true),
    ("saturday", Lex::Weekday(Weekday::Sat), true),
    ("sunday", Lex::Weekday(Weekday::Sun), true),
    ("spring", Lex::Season(Season::Spring), false),
    ("summer", Lex::Season(Season::Summer), false),
    ("autumn", Lex::Season(Season::Autumn), false),
    ("fall", Lex::Season(Season::Autumn), false),
    ("winter", Lex::Season(Season::Winter), false),
    ("one", Lex::NumWord(1), false),
    ("two", Lex::NumWord(2), false),
    ("three", Lex::NumWord(3), false),
    ("four", Lex::NumWord(4), false),
    ("five", Lex::NumWord(5), false),
    ("six", Lex::NumWord(6), false),
    ("seven", Lex::NumWord(7), false),
    ("eight", Lex::NumWord(8), false),
    ("nine", Lex::NumWord(9), false),
    ("ten", Lex::NumWord(10), false),
    ("eleven", Lex::NumWord(11), false),
    ("twelve", Lex::NumWord(12), false),
    ("eighteen", Lex::NumWord(18), false),
    ("day", unit(Unit::Day, false), false),
    ("days", unit(Unit::Day, true), false),
    ("week", unit(Unit::Week, false), false),
    ("weeks", unit(Unit::Week, true), false),
    ("month", unit(Unit::Month, false), false),
    ("months", unit(Unit::Month, true), false),
    ("year", unit(Unit::Year, false), false),
    ("years", unit(Unit::Year, true), false),
    ("decade", unit(Unit::Decade, false), false),
    ("decades", unit(Unit::Decade, true), false),
    ("year's", unit_poss(Unit::Year), false),
    ("month's", unit_poss(Unit::Month), false),
    ("week's", unit_poss(Unit::Week), false),
    ("day's", unit_poss(Unit::Day), false),
    ("h1", Lex::HalfCode(1), true),
    ("h2", Lex::HalfCode(2), true),
    ("q1", Lex::QuarterCode(1), true),
    ("q2", Lex::QuarterCode(2), true),
    ("q3", Lex::QuarterCode(3), true),
    ("q4", Lex::QuarterCode(4), true),
    ("a", kw(Kw::A), false),
    ("an", kw(Kw::A), false),
    ("about", kw(Kw::Approx), false),
    ("approximately", kw(Kw::Approx), false),
    ("approx", kw(Kw::Approx), false),
    ("roughly", kw(Kw::Approx), false),
    ("some", kw(Kw::Approx), false),
    ("nearly", kw(Kw::Approx), false),
    ("almost", kw(Kw::Approx), false),
    ("around", kw(Kw::Around), false),
    ("additional", kw(Kw::Additional), false),
    ("after", kw(Kw::After), false),
    ("ago", kw(Kw::Ago), false),
    ("ahead", kw(Kw::Ahead), false),
    ("and", kw(Kw::And), false),
    ("another", kw(Kw::Another), false),
    ("at", kw(Kw::At), false),
    ("before", kw(Kw::Before), false),
    ("between", kw(Kw::Between), false),
    ("by", kw(Kw::By), false),
    ("close", kw(Kw::Close), false),
    ("coming", kw(Kw::Coming), false),
    ("couple", kw(Kw::Couple), false),
    ("current", kw(Kw::Current), false),
    ("during", kw(Kw::During), false),
    ("early", kw(Kw::Early), false),
    ("earlier", kw(Kw::Earlier), false),
    ("sooner", kw(Kw::Earlier), false),
    ("end", kw(Kw::End), false),
    ("few", kw(Kw::Few), false),
    ("several", kw(Kw::Few), false),
    ("final", kw(Kw::Final), false),
    ("first", kw(Kw::First), false),
    ("for", kw(Kw::For), false),
    ("fourth", kw(Kw::Fourth), false),
    ("from", kw(Kw::From), false),
    ("half", kw(Kw::Half), false),
    ("in", kw(Kw::In), false),
    ("last", kw(Kw::Last), false),
    ("lasting", kw(Kw::Lasting), false),
    ("late", kw(Kw::Late), false),
    ("later", kw(Kw::Later), false),
    ("latter", kw(Kw::Latter), false),
    ("least", kw(Kw::Least), false),
    ("long", kw(Kw::Long), false),
    ("percent", kw(Kw::Measure), false),
    ("pct", kw(Kw::Measure), false),
    ("per", kw(Kw::Measure), false),
    ("hours", kw(Kw::Measure), false),
    ("hrs", kw(Kw::Measure), false),
    ("gmt", kw(Kw::Measure), false),
    ("utc", kw(Kw::Measure), false),
    ("mid", kw(Kw::Mid), false),
    ("middle", kw(Kw::Middle), false),
    ("more", kw(Kw::More), false),
    ("next", kw(Kw::Next), false),
    ("no", kw(Kw::No), false),
    ("not", kw(Kw::Not), false),
    ("now", kw(Kw::Now), false),
    ("of", kw(Kw::Of), false),
    ("old", kw(Kw::Old), false),
    ("on", kw(Kw::On), false),
    ("over", kw(Kw::Over), false),
    ("period", kw(Kw::Period), false),
    ("timeline", kw(Kw::Plan), false),
    ("timeframe", kw(Kw::Plan), false),
    ("plan", kw(Kw::Plan), false),
    ("schedule", kw(Kw::Plan), false),
    ("process", kw(Kw::Plan), false),
    ("window", kw(Kw::Plan), false),
    ("extension", kw(Kw::Plan), false),
    ("mandate", kw(Kw::Plan), false),
    ("deadline", kw(Kw::Plan), false),
    ("withdrawal", kw(Kw::Plan), false),
    ("drawdown", kw(Kw::Plan), false),
    ("pullout", kw(Kw::Plan), false),
    ("transition", kw(Kw::Plan), false),
    ("mission", kw(Kw::Plan), false),
    ("deployment", kw(Kw::Plan), false),
    ("presence", kw(Kw::Plan), false),
    ("phase", kw(Kw::Plan), false),
    ("prior", kw(Kw::Prior), false),
    ("quarter", kw(Kw::Quarter), false),
    ("second", kw(Kw::Second), false),
    ("set", kw(Kw::Set), false),
    ("since", kw(Kw::Since), false),
    ("start", kw(Kw::Start), false),
    ("beginning", kw(Kw::Start), false),
    ("outset", kw(Kw::Start), false),
    ("than", kw(Kw::Than), false),
    ("the", kw(Kw::The), false),
    ("third", kw(Kw::Third), false),
    ("this", kw(Kw::This), false),
    ("through", kw(Kw::Through), false),
    ("throughout", kw(Kw::Through), false),
    ("time", kw(Kw::Time), false),
    ("to", kw(Kw::To), false),
    ("today", kw(Kw::Today), false),
    ("total", kw(Kw::Total), false),
    ("until", kw(Kw::Until), false),
    ("till", kw(Kw::Until), false),
    ("within", kw(Kw::Within), false),
];

/// `WORDS`, hashed once.
static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(WORDS));

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}')
}

// ---------------------------------------------------------------------------
// Values

/// A resolved interval before it becomes a `TimeValue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Period {
    start: NaiveDate,
    end: NaiveDate,
    gran: Granularity,
}

impl Period {
    /// `count` whole months from `first_month` of `year`.
    fn months(year: i32, first_month: u32, count: u32, gran: Granularity) -> Option<Period> {
        let start = NaiveDate::from_ymd_opt(year, first_month, 1)?;
        let end = start.checked_add_months(Months::new(count))?.pred_opt()?;
        Some(Period { start, end, gran })
    }

    fn day(date: NaiveDate) -> Period {
        Period {
            start: date,
            end: date,
            gran: Granularity::Day,
        }
    }

    fn month(year: i32, month: u32) -> Option<Period> {
        Period::months(year, month, 1, Granularity::Month)
    }

    fn year(year: i32) -> Option<Period> {
        Period::months(year, 1, 12, Granularity::Year)
    }

    fn season(season: Season, year: i32) -> Option<Period> {
        let first = match season {
            Season::Spring => 3,
            Season::Summer => 6,
            Season::Autumn => 9,
            Season::Winter => 12,
        };
        Period::months(year, first, 3, Granularity::Quarter)
    }

    fn part_of_year(part: Part, year: i32) -> Option<Period> {
        match part {
            Part::Start => Period::months(year, 1, 4, Granularity::Quarter),
            Part::Mid => Period::months(year, 5, 4, Granularity::Quarter),
            Part::End => Period::months(year, 10, 3, Granularity::Quarter),
        }
    }

    /// The month containing `date`, moved by `delta` months.
    fn month_of(date: NaiveDate, delta: i32) -> Option<Period> {
        let first = date.with_day(1)?;
        let shift = Months::new(delta.unsigned_abs());
        let first = if delta < 0 {
            first.checked_sub_months(shift)?
        } else {
            first.checked_add_months(shift)?
        };
        Period::month(first.year(), first.month())
    }

    /// Moved by a duration; a month stays a whole month ("one month before
    /// October 2025" is September 2025).
    fn shifted(self, d: Dur, back: bool) -> Option<Period> {
        let start = d.apply(self.start, back)?;
        let end = if self.gran == Granularity::Day {
            d.apply(self.end, back)?
        } else {
            d.apply(self.end.succ_opt()?, back)?.pred_opt()?
        };
        Some(Period { start, end, ..self })
    }

    fn value(self, fuzzy: bool) -> TimeValue {
        TimeValue {
            earliest: self.start,
            latest: Some(self.end),
            granularity: self.gran,
            fuzzy,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Start,
    Mid,
    End,
}

/// Which occurrence of a yearly period ("September", "summer") is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    /// The first that has not ended by the reference day ("in September").
    Upcoming,
    /// The first that starts after it ("next September").
    Next,
    /// The last that started on or before it ("since September").
    Since,
    /// The last that ended before it ("last September").
    Last,
}

fn pick(
    reference: NaiveDate,
    which: Pick,
    occurrence: impl Fn(i32) -> Option<Period>,
) -> Option<Period> {
    let year = reference.year();
    let mut years = (year - 2)..=(year + 2);
    match which {
        Pick::Upcoming => years.find_map(|y| occurrence(y).filter(|x| x.end >= reference)),
        Pick::Next => years.find_map(|y| occurrence(y).filter(|x| x.start > reference)),
        Pick::Since => years
            .rev()
            .find_map(|y| occurrence(y).filter(|x| x.start <= reference)),
        Pick::Last => years
            .rev()
            .find_map(|y| occurrence(y).filter(|x| x.end < reference)),
    }
}

/// A length of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Dur {
    months: u32,
    days: u32,
}

impl Dur {
    /// `n` units, plus half a unit when `half` ("a year and a half").
    fn of(unit: Unit, n: u32, half: bool) -> Option<Dur> {
        let (months, days) = match (unit, half) {
            (Unit::Day, false) => (0, n),
            (Unit::Week, false) => (0, n.checked_mul(7)?),
            (Unit::Month, _) => (n, if half { 15 } else { 0 }),
            (Unit::Year, _) => (n.checked_mul(12)?.checked_add(if half { 6 } else { 0 })?, 0),
            (Unit::Decade, _) => (
                n.checked_mul(120)?.checked_add(if half { 60 } else { 0 })?,
                0,
            ),
            (Unit::Day | Unit::Week, true) => return None,
        };
        (months > 0 || days > 0).then_some(Dur { months, days })
    }

    fn apply(self, date: NaiveDate, back: bool) -> Option<NaiveDate> {
        let months = Months::new(self.months);
        let days = Days::new(u64::from(self.days));
        if back {
            date.checked_sub_months(months)?.checked_sub_days(days)
        } else {
            date.checked_add_months(months)?.checked_add_days(days)
        }
    }
}

/// What a phrase opens with, where it changes what may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// At the start of the match: no cue word.
    None,
    /// "in": "in September 12 soldiers" is a month, not a day.
    In,
    /// "on": only days.
    On,
    Other,
}

/// A date-like phrase (absolute, or relative to the publication day).
#[derive(Debug, Clone, Copy)]
struct Atom {
    next: usize,
    period: Period,
    rule: &'static str,
    /// Carries its own year number, so it may stand in an unframed range.
    explicit: bool,
    /// A month name without year: a range may give it the other side's year.
    bare_month: Option<u32>,
}

impl Atom {
    fn new(next: usize, period: Period, rule: &'static str, explicit: bool) -> Atom {
        Atom {
            next,
            period,
            rule,
            explicit,
            bare_month: None,
        }
    }
}

/// A whole phrase.
#[derive(Debug, Clone)]
struct Found {
    next: usize,
    expr: TimeExpr,
    rule: &'static str,
}

impl Found {
    fn interval(next: usize, period: Period, fuzzy: bool, rule: &'static str) -> Found {
        Found {
            next,
            expr: TimeExpr::Interval(period.value(fuzzy)),
            rule,
        }
    }
}

/// The candidate reaching farthest; the first one on a tie.
fn longest<T>(
    candidates: impl IntoIterator<Item = Option<T>>,
    next: impl Fn(&T) -> usize,
) -> Option<T> {
    let mut best: Option<T> = None;
    for c in candidates.into_iter().flatten() {
        if best.as_ref().is_none_or(|b| next(&c) > next(b)) {
            best = Some(c);
        }
    }
    best
}

// ---------------------------------------------------------------------------
// Rules

struct Ctx<'a> {
    toks: &'a [Tok],
    p: NaiveDate,
}

impl Ctx<'_> {
    // --- token helpers

    fn lex(&self, i: usize) -> Lex {
        self.toks.get(i).map_or(Lex::Other, |t| t.lex)
    }

    fn spaced(&self, i: usize) -> bool {
        self.toks.get(i).is_none_or(|t| t.spaced)
    }

    fn prev(&self, i: usize) -> Lex {
        i.checked_sub(1).map_or(Lex::Other, |j| self.lex(j))
    }

    fn kw(&self, i: usize, k: Kw) -> Option<usize> {
        (self.lex(i) == Lex::Kw(k)).then_some(i + 1)
    }

    fn kws(&self, i: usize, ks: &[Kw]) -> Option<usize> {
        ks.iter().try_fold(i, |j, &k| self.kw(j, k))
    }

    fn opt(&self, i: usize, k: Kw) -> usize {
        self.kw(i, k).unwrap_or(i)
    }

    fn punct(&self, i: usize, c: char) -> Option<usize> {
        (self.lex(i) == Lex::Punct(c)).then_some(i + 1)
    }

    fn dash(&self, i: usize) -> Option<usize> {
        matches!(self.lex(i), Lex::Punct(c) if is_dash(c)).then_some(i + 1)
    }

    fn glued_dash(&self, i: usize) -> Option<usize> {
        if self.spaced(i) { None } else { self.dash(i) }
    }

    fn approx(&self, i: usize) -> Option<usize> {
        matches!(self.lex(i), Lex::Kw(Kw::Approx | Kw::Around)).then_some(i + 1)
    }

    fn unit(&self, i: usize, poss_ok: bool) -> Option<(usize, Unit, bool)> {
        match self.lex(i) {
            Lex::Unit { unit, plural, poss } if poss_ok || !poss => Some((i + 1, unit, plural)),
            _ => None,
        }
    }

    /// "year" or "year's".
    fn year_word(&self, i: usize) -> Option<usize> {
        matches!(
            self.lex(i),
            Lex::Unit {
                unit: Unit::Year,
                plural: false,
                ..
            }
        )
        .then_some(i + 1)
    }

    fn month_word(&self, i: usize) -> Option<(usize, u32)> {
        match self.lex(i) {
            Lex::Month { month, abbr, .. } => {
                let glued_dot = !self.spaced(i + 1) && self.lex(i + 1) == Lex::Punct('.');
                Some((if abbr && glued_dot { i + 2 } else { i + 1 }, month))
            }
            _ => None,
        }
    }

    /// A number glued to ",5", ".5", ":30", "/12", "-3" or "%" is part of
    /// something else ("2,500", "20:26", "55%").
    fn glued_right_ok(&self, i: usize) -> bool {
        let n = i + 1;
        if self.spaced(n) {
            return true;
        }
        match self.lex(n) {
            Lex::Punct('%') => false,
            Lex::Punct(c) if matches!(c, ',' | '.' | ':' | '/') || is_dash(c) => {
                self.spaced(n + 1) || !matches!(self.lex(n + 1), Lex::Num { .. })
            }
            _ => true,
        }
    }

    /// A number opening a phrase must not follow "$", "#", "2," or another
    /// number ("555 2026" is a phone number).
    fn left_ok(&self, i: usize) -> bool {
        let Some(p) = i.checked_sub(1) else {
            return true;
        };
        if self.spaced(i) {
            // "No. 2026"
            let numbered = self.lex(p) == Lex::Punct('.') && self.prev(p) == Lex::Kw(Kw::No);
            return !numbered && !matches!(self.lex(p), Lex::Num { .. });
        }
        match self.lex(p) {
            Lex::Punct(c) if "$£€¥#+@/\\:".contains(c) => false,
            Lex::Punct(c) if c == ',' || c == '.' || is_dash(c) => {
                self.spaced(p) || !matches!(self.prev(p), Lex::Num { .. })
            }
            _ => true,
        }
    }

    fn year_value(&self, i: usize) -> Option<i32> {
        match self.lex(i) {
            Lex::Num { value, digits: 4 } if (1900..=2099).contains(&value) => {
                i32::try_from(value).ok()
            }
            _ => None,
        }
    }

    /// A year number 1900..2099 that is not part of a bigger number or a measure.
    fn year_num(&self, i: usize) -> Option<(usize, i32)> {
        let year = self.year_value(i)?;
        let measure = self.spaced(i + 1)
            && matches!(
                self.lex(i + 1),
                Lex::Kw(Kw::Measure) | Lex::Num { digits: 3.., .. }
            );
        (self.glued_right_ok(i) && !measure).then_some((i + 1, year))
    }

    fn day_num(&self, i: usize) -> Option<(usize, u32, bool)> {
        match self.lex(i) {
            Lex::Num {
                value,
                digits: 1..=2,
            } if (1..=31).contains(&value) && self.glued_right_ok(i) => Some((i + 1, value, false)),
            Lex::Ordinal(value) => Some((i + 1, value, true)),
            _ => None,
        }
    }

    /// "two", "18", "1.5", "a", "a couple of"; never "several" or "a few".
    fn number(&self, i: usize, article: bool) -> Option<(usize, u32, bool)> {
        match self.lex(i) {
            Lex::Num {
                value,
                digits: 1..=3,
            } if value > 0 => {
                let decimal = !self.spaced(i + 1)
                    && self.lex(i + 1) == Lex::Punct('.')
                    && !self.spaced(i + 2);
                match (decimal, self.lex(i + 2)) {
                    (
                        true,
                        Lex::Num {
                            value: 5,
                            digits: 1,
                        },
                    ) => Some((i + 3, value, true)),
                    _ => self.glued_right_ok(i).then_some((i + 1, value, false)),
                }
            }
            Lex::NumWord(n) => Some((i + 1, n, false)),
            Lex::Kw(Kw::A) if article => match self.lex(i + 1) {
                Lex::Kw(Kw::Couple) => Some((self.opt(i + 2, Kw::Of), 2, false)),
                Lex::Kw(Kw::Few) => None,
                _ => Some((i + 1, 1, false)),
            },
            _ => None,
        }
    }

    /// "six months", "a year and a half", "two and a half years", "half a year".
    fn amount(&self, i: usize, poss_ok: bool) -> Option<(usize, Dur)> {
        if let Some(k) = self.kws(i, &[Kw::Half, Kw::A]) {
            let (k, unit, _) = self.unit(k, poss_ok)?;
            return Some((k, Dur::of(unit, 0, true)?));
        }
        let (mut k, n, mut half) = self.number(i, true)?;
        if let Some(j) = self.kws(k, &[Kw::And, Kw::A, Kw::Half]).filter(|_| !half) {
            k = j;
            half = true;
        }
        let (mut k, unit, _) = self.unit(k, poss_ok)?;
        if self.glued_dash(k).is_some() {
            return None; // "a year-long", "two-year-old": adjectives
        }
        if let Some(j) = self.kws(k, &[Kw::And, Kw::A, Kw::Half]).filter(|_| !half) {
            k = j;
            half = true;
        }
        Some((k, Dur::of(unit, n, half)?))
    }

    // --- whole phrases

    fn best_at(&self, i: usize) -> Option<Found> {
        longest(
            [
                self.floor(i),
                self.range(i),
                self.offset(i),
                self.cued_atom(i),
                self.within(i),
                self.in_duration(i),
                self.for_another(i),
                self.coming(i),
                self.duration_adjective(i),
                self.duration_cued(i),
            ],
            |f| f.next,
        )
    }

    fn cue(&self, i: usize) -> Option<(usize, Cue)> {
        match self.lex(i) {
            Lex::Kw(Kw::In) => Some((i + 1, Cue::In)),
            Lex::Kw(Kw::On) => Some((i + 1, Cue::On)),
            Lex::Kw(Kw::By | Kw::Before | Kw::Until | Kw::Through | Kw::During | Kw::Around) => {
                Some((i + 1, Cue::Other))
            }
            Lex::Kw(Kw::At) if self.lex(i + 1) == Lex::Kw(Kw::The) => Some((i + 1, Cue::Other)),
            Lex::Kw(Kw::No | Kw::Not) => self
                .kws(i + 1, &[Kw::Later, Kw::Than])
                .map(|k| (k, Cue::Other)),
            _ => None,
        }
    }

    /// "[by|in|until|...] <date>".
    fn cued_atom(&self, i: usize) -> Option<Found> {
        let atom = match self.cue(i) {
            Some((j, cue)) => self.atom(j, cue),
            None => self.atom(i, Cue::None),
        }?;
        Some(Found::interval(atom.next, atom.period, false, atom.rule))
    }

    /// "at least until September 2026", "not before 2026": open-ended floors.
    fn floor(&self, i: usize) -> Option<Found> {
        let j = match self.lex(i) {
            Lex::Kw(Kw::At) => self
                .kw(i + 1, Kw::Least)
                .and_then(|k| self.kw(k, Kw::Until).or_else(|| self.kw(k, Kw::Through))),
            Lex::Kw(Kw::Until | Kw::Through) => self.kws(i + 1, &[Kw::At, Kw::Least]),
            Lex::Kw(Kw::Not) => self
                .kw(i + 1, Kw::Before)
                .or_else(|| self.kw(i + 1, Kw::Until))
                .or_else(|| self.kws(i + 1, &[Kw::Earlier, Kw::Than])),
            Lex::Kw(Kw::No) => self.kws(i + 1, &[Kw::Earlier, Kw::Than]),
            _ => None,
        }?;
        let atom = self.atom(j, Cue::Other)?;
        Some(Found {
            next: atom.next,
            expr: TimeExpr::Interval(TimeValue {
                earliest: atom.period.start,
                latest: None,
                granularity: atom.period.gran,
                fuzzy: false,
            }),
            rule: "floor",
        })
    }

    /// "between 2025 and 2026", "from September 2025 through 2026",
    /// "September 2025 to March 2026", "2025-2026".
    fn range(&self, i: usize) -> Option<Found> {
        let (j, framed) = match self.lex(i) {
            Lex::Kw(Kw::Between | Kw::From) => (i + 1, true),
            _ => (
                self.cue(i)
                    .filter(|&(_, c)| c != Cue::On)
                    .map_or(i, |(j, _)| j),
                false,
            ),
        };
        if self.lex(i) != Lex::Kw(Kw::Between) {
            if let Some(found) = self.year_span(j, j == i) {
                return Some(found);
            }
        }
        let side = |k: usize, first: bool| {
            let cue = if first && k == i {
                Cue::None
            } else {
                Cue::Other
            };
            if framed {
                longest([self.atom(k, cue), self.bare_month(k, true)], |a| a.next)
            } else {
                self.atom(k, cue).filter(|a| a.explicit)
            }
        };
        let a = side(j, true)?;
        let k = match self.lex(a.next) {
            Lex::Kw(Kw::And) if self.lex(i) == Lex::Kw(Kw::Between) => a.next + 1,
            Lex::Kw(Kw::To | Kw::Through) => a.next + 1,
            Lex::Kw(Kw::Until) if framed => a.next + 1,
            Lex::Punct(c) if is_dash(c) && self.lex(i) != Lex::Kw(Kw::Between) => a.next + 1,
            _ => return None,
        };
        let b = side(k, false)?;
        let first = match (a.bare_month, b.bare_month) {
            (Some(m), None) => pick(b.period.start, Pick::Since, |y| Period::month(y, m))?,
            _ => a.period,
        };
        let second = match b.bare_month {
            Some(m) => pick(first.start, Pick::Upcoming, |y| Period::month(y, m))?,
            None => b.period,
        };
        if second.end < first.start {
            return None;
        }
        let period = Period {
            start: first.start,
            end: second.end,
            gran: first.gran.max(second.gran),
        };
        Some(Found::interval(b.next, period, false, "range"))
    }

    /// "2025-2026", "2025–26".
    fn year_span(&self, i: usize, first: bool) -> Option<Found> {
        let from = self.year_value(i)?;
        if first && !self.left_ok(i) {
            return None;
        }
        let k = self.dash(i + 1)?;
        let (next, to) = match self.lex(k) {
            Lex::Num { digits: 4, .. } => self.year_num(k)?,
            Lex::Num { value, digits: 2 } if !self.spaced(k) && self.glued_right_ok(k) => {
                (k + 1, from / 100 * 100 + i32::try_from(value).ok()?)
            }
            _ => return None,
        };
        if to <= from {
            return None;
        }
        let period = Period {
            start: Period::year(from)?.start,
            end: Period::year(to)?.end,
            gran: Granularity::Year,
        };
        Some(Found::interval(next, period, false, "range"))
    }

    /// "one month before October 2025", "two weeks after 8 September 2025".
    fn offset(&self, i: usize) -> Option<Found> {
        let (j, d) = self.amount(i, false)?;
        let (k, back) = match self.lex(j) {
            Lex::Kw(Kw::After) => (j + 1, false),
            Lex::Kw(Kw::Before) => (j + 1, true),
            Lex::Kw(Kw::Prior) => (self.kw(j + 1, Kw::To)?, true),
            _ => return None,
        };
        let atom = self.atom(k, Cue::Other)?;
        Some(Found::interval(
            atom.next,
            atom.period.shifted(d, back)?,
            false,
            "offset",
        ))
    }

    /// "within six months", "in the next two years", "over the next year".
    fn within(&self, i: usize) -> Option<Found> {
        let span = |next: usize, d: Dur| {
            let end = d.apply(self.p, false)?;
            let period = Period {
                start: self.p,
                end,
                gran: Granularity::Day,
            };
            Some(Found::interval(next, period, false, "within_duration"))
        };
        if let Some(j) = self.kw(i, Kw::Within) {
            let j = self.approx(j).unwrap_or(j);
            if let Some((k, d)) = self.amount(j, false) {
                return span(k, d);
            }
        }
        let Lex::Kw(Kw::Within | Kw::In | Kw::Over | Kw::During) = self.lex(i) else {
            return None;
        };
        let j = self.kw(i + 1, Kw::The)?;
        let (j, coming) = match self.lex(j) {
            Lex::Kw(Kw::Next) => (j + 1, false),
            Lex::Kw(Kw::Coming) => (j + 1, true),
            _ => return None,
        };
        if let Some((k, d)) = self.amount(j, false) {
            return span(k, d);
        }
        match self.unit(j, false)? {
            (_, Unit::Year, false) if coming => None, // "the coming year": coming_period
            (k, unit, false) => span(k, Dur::of(unit, 1, false)?),
            _ => None,
        }
    }

    /// Around a point: ±1 month for months and years, ±half the length for days and weeks.
    fn around(&self, next: usize, d: Dur, rule: &'static str) -> Option<Found> {
        let target = d.apply(self.p, false)?;
        let period = if d.months == 0 {
            let w = Dur {
                months: 0,
                days: d.days.div_ceil(2).max(1),
            };
            Period {
                start: w.apply(target, true)?,
                end: w.apply(target, false)?,
                gran: Granularity::Day,
            }
        } else {
            let m = Months::new(1);
            Period {
                start: target.checked_sub_months(m)?,
                end: target.checked_add_months(m)?,
                gran: Granularity::Month,
            }
        };
        Some(Found::interval(next, period, true, rule))
    }

    /// "in two years", "in a year's time", "two years from now".
    fn in_duration(&self, i: usize) -> Option<Found> {
        if let Some(j) = self.kw(i, Kw::In) {
            let (mut k, d) = self.amount(j, true)?;
            let apostrophe =
                !self.spaced(k) && matches!(self.lex(k), Lex::Punct('\'' | '\u{2019}'));
            if let Some(t) = self.kw(if apostrophe { k + 1 } else { k }, Kw::Time) {
                k = t;
            }
            return self.around(k, d, "in_duration");
        }
        let (j, d) = self.amount(i, false)?;
        let j = self.kw(j, Kw::From)?;
        let k = self.kw(j, Kw::Now).or_else(|| self.kw(j, Kw::Today))?;
        self.around(k, d, "from_now")
    }

    /// "for another year", "for an additional year", "for two more years".
    fn for_another(&self, i: usize) -> Option<Found> {
        let j = self.kw(i, Kw::For)?;
        let j = self.approx(j).unwrap_or(j);
        let more = match self.lex(j) {
            Lex::Kw(Kw::Another | Kw::Additional) => Some(j + 1),
            Lex::Kw(Kw::A) => self.kw(j + 1, Kw::Additional),
            _ => None,
        };
        let (k, d) = match more {
            Some(k) => match self.amount(k, false) {
                Some(found) => found,
                None => match self.unit(k, false)? {
                    (next, unit, false) => (next, Dur::of(unit, 1, false)?),
                    _ => return None,
                },
            },
            None => {
                let (k, n, half) = self.number(j, true)?;
                let k = self.kw(k, Kw::More)?;
                let (k, unit, _) = self.unit(k, false)?;
                (k, Dur::of(unit, n, half)?)
            }
        };
        self.around(k, d, "for_another")
    }

    /// "in the coming days/weeks/months", "the next few weeks", "in the
    /// months ahead", "within weeks", "in the coming year".
    fn coming(&self, i: usize) -> Option<Found> {
        let (j, within) = match self.lex(i) {
            Lex::Kw(Kw::In | Kw::Over | Kw::During) => (i + 1, false),
            Lex::Kw(Kw::Within) => (i + 1, true),
            _ => (i, false),
        };
        let vague = |next: usize, unit: Unit| {
            let d = match unit {
                Unit::Day => Dur {
                    months: 0,
                    days: 14,
                },
                Unit::Week => Dur { months: 2, days: 0 },
                Unit::Month => Dur { months: 6, days: 0 },
                Unit::Year | Unit::Decade => return None,
            };
            let period = Period {
                start: self.p,
                end: d.apply(self.p, false)?,
                gran: Granularity::Day,
            };
            Some(Found::interval(next, period, true, "coming_period"))
        };
        if within {
            if let Some((k, unit, true)) = self.unit(j, false) {
                return vague(k, unit);
            }
        }
        let j = self.kw(j, Kw::The)?;
        if let Some(k) = self
            .kw(j, Kw::Coming)
            .or_else(|| self.kws(j, &[Kw::Next, Kw::Few]))
        {
            return match self.unit(k, false)? {
                (next, unit, true) => vague(next, unit),
                (next, Unit::Year, false) if self.lex(j) == Lex::Kw(Kw::Coming) => {
                    let period = Period::year(self.p.year() + 1)?;
                    Some(Found::interval(next, period, true, "coming_period"))
                }
                _ => None,
            };
        }
        let (k, unit, true) = self.unit(j, false)? else {
            return None;
        };
        vague(self.kw(k, Kw::Ahead)?, unit)
    }

    /// "a two-year timeline", "an 18-month plan", "a three-year withdrawal timeframe".
    fn duration_adjective(&self, i: usize) -> Option<Found> {
        let mut approx = false;
        let mut j = i;
        if let Some(k) = self.approx(j) {
            approx = true;
            j = k;
        }
        if matches!(self.lex(j), Lex::Kw(Kw::A | Kw::The)) {
            j += 1;
        }
        if let Some(k) = self.approx(j) {
            approx = true;
            j = k;
        }
        let (mut k, months) = match self.number(j, false) {
            Some((k, n, half)) => {
                let k = self.glued_dash(k)?;
                if self.spaced(k) {
                    return None;
                }
                let (k, unit, _) = self.unit(k, false)?;
                let d = Dur::of(unit, n, half)?;
                (k, d.months)
            }
            None => {
                // "a year-long mission"
                let (k, unit, false) = self.unit(j, false)? else {
                    return None;
                };
                let k = self.glued_dash(k).and_then(|k| self.kw(k, Kw::Long))?;
                (k, Dur::of(unit, 1, false)?.months)
            }
        };
        if let Some(long) = self.glued_dash(k).and_then(|d| self.kw(d, Kw::Long)) {
            k = long;
        }
        if months == 0 || self.glued_dash(k).is_some() {
            return None; // weeks, days, or "two-year-old"
        }
        for _ in 0..2 {
            if matches!(self.lex(k), Lex::Kw(Kw::Plan | Kw::Period)) {
                k += 1;
            }
        }
        Some(Found {
            next: k,
            expr: TimeExpr::Duration { months, approx },
            rule: "duration",
        })
    }

    /// "for two years", "over two years", "set for two years", "a total of three years".
    fn duration_cued(&self, i: usize) -> Option<Found> {
        let j = match self.lex(i) {
            Lex::Kw(Kw::For | Kw::Over | Kw::Lasting) => i + 1,
            Lex::Kw(Kw::Set) => self.kw(i + 1, Kw::For)?,
            Lex::Kw(Kw::A) => self
                .kw(i + 1, Kw::Total)
                .or_else(|| self.kw(i + 1, Kw::Period))
                .and_then(|k| self.kw(k, Kw::Of))?,
            _ => return None,
        };
        let (j, approx) = match self.approx(j) {
            Some(k) => (k, true),
            None => (j, false),
        };
        let (k, d) = self.amount(j, false)?;
        let past = matches!(
            self.lex(k),
            Lex::Kw(Kw::Ago | Kw::Old | Kw::Later | Kw::Earlier)
        );
        if d.days != 0 || past {
            return None;
        }
        Some(Found {
            next: k,
            expr: TimeExpr::Duration {
                months: d.months,
                approx,
            },
            rule: "duration",
        })
    }

    // --- dates

    /// Any absolute or publication-relative date phrase starting at `i`.
    fn atom(&self, i: usize, cue: Cue) -> Option<Atom> {
        if !self.lex(i).can_start_date() {
            return None;
        }
        let found = longest(
            [
                self.day_date(i, cue != Cue::In),
                self.weekday(i),
                self.month_year(i),
                self.qualified(i),
                self.half_or_quarter(i),
                self.season(i),
                self.relative(i),
                self.year_alone(i, cue == Cue::None),
                self.bare_month(i, false),
            ],
            |a| a.next,
        )?;
        (cue != Cue::On || found.period.gran == Granularity::Day).then_some(found)
    }

    /// "September 8, 2025", "8 September 2025", "the 8th of September",
    /// "2025-09-08", "Monday, September 8"; no year: the one nearest to P.
    fn day_date(&self, i: usize, no_year_ok: bool) -> Option<Atom> {
        let j = match self.lex(i) {
            Lex::Weekday(_) => {
                let j = i + 1;
                self.punct(j, ',').unwrap_or(j)
            }
            _ => i,
        };
        longest(
            [
                self.iso_date(j),
                self.month_day(j, no_year_ok),
                self.day_month(j, j == i),
            ],
            |a| a.next,
        )
    }

    fn iso_date(&self, i: usize) -> Option<Atom> {
        let year = self.year_value(i)?;
        let part = |k: usize| match self.lex(k) {
            Lex::Num { value, digits: 2 } if !self.spaced(k) => Some((k + 1, value)),
            _ => None,
        };
        let (k, m) = part(self.glued_dash(i + 1)?)?;
        let (k, d) = part(self.glued_dash(k)?)?;
        if !self.glued_right_ok(k - 1) {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(year, m, d)?;
        Some(Atom::new(k, Period::day(date), "iso_date", true))
    }

    fn with_year(&self, i: usize) -> Option<(usize, i32)> {
        self.year_num(self.punct(i, ',').unwrap_or(i))
    }

    fn month_day(&self, i: usize, no_year_ok: bool) -> Option<Atom> {
        let (k, m) = self.month_word(i)?;
        let (k, d, _) = self.day_num(k)?;
        self.dated(k, m, d, no_year_ok, "month_day_year", "month_day")
    }

    fn day_month(&self, i: usize, first: bool) -> Option<Atom> {
        let the = self.kw(i, Kw::The);
        let j = the.unwrap_or(i);
        let (k, d, ordinal) = self.day_num(j)?;
        if (the.is_some() && !ordinal) || (first && the.is_none() && !self.left_ok(j)) {
            return None;
        }
        let k = if ordinal { self.opt(k, Kw::Of) } else { k };
        let (k, m) = self.month_word(k)?;
        self.dated(k, m, d, true, "day_month_year", "day_month")
    }

    fn dated(
        &self,
        k: usize,
        m: u32,
        d: u32,
        no_year_ok: bool,
        with: &'static str,
        without: &'static str,
    ) -> Option<Atom> {
        if let Some((next, year)) = self.with_year(k) {
            let date = NaiveDate::from_ymd_opt(year, m, d)?;
            return Some(Atom::new(next, Period::day(date), with, true));
        }
        if !no_year_ok {
            return None;
        }
        let y = self.p.year();
        let date = [y - 1, y, y + 1]
            .into_iter()
            .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
            .min_by_key(|date| (*date - self.p).num_days().abs())?;
        Some(Atom::new(k, Period::day(date), without, false))
    }

    /// "on Friday", "last Monday" (the latest on or before P), "next Monday".
    fn weekday(&self, i: usize) -> Option<Atom> {
        let (k, wd, next) = match (self.lex(i), self.lex(i + 1)) {
            (Lex::Kw(Kw::Last), Lex::Weekday(wd)) => (i + 2, wd, false),
            (Lex::Kw(Kw::Next), Lex::Weekday(wd)) => (i + 2, wd, true),
            (Lex::Weekday(wd), _) if matches!(self.prev(i), Lex::Kw(Kw::On | Kw::Since)) => {
                (i + 1, wd, false)
            }
            _ => return None,
        };
        let from = self.p.weekday().num_days_from_monday();
        let to = wd.num_days_from_monday();
        let date = if next {
            let ahead = (to + 7 - from) % 7;
            self.p
                .checked_add_days(Days::new(u64::from(if ahead == 0 { 7 } else { ahead })))?
        } else {
            self.p
                .checked_sub_days(Days::new(u64::from((from + 7 - to) % 7)))?
        };
        Some(Atom::new(k, Period::day(date), "weekday", false))
    }

    /// "September 2025", "Sept. 2025", "September of 2025".
    fn month_year(&self, i: usize) -> Option<Atom> {
        let (k, m) = self.month_word(i)?;
        let k = self
            .punct(k, ',')
            .or_else(|| self.kw(k, Kw::Of))
            .unwrap_or(k);
        let (next, year) = self.year_num(k)?;
        Some(Atom::new(next, Period::month(year, m)?, "month_year", true))
    }

    /// "the end of 2026", "late 2026", "mid-2026", "early next year",
    /// "year's end", "later this year", "late September 2026".
    fn qualified(&self, i: usize) -> Option<Atom> {
        let py = self.p.year();
        let j = self.opt(i, Kw::The);
        let year_end = match self.lex(j) {
            Lex::Unit {
                unit: Unit::Year,
                plural: false,
                poss: true,
            } => self.kw(j + 1, Kw::End),
            Lex::Unit {
                unit: Unit::Year,
                plural: false,
                poss: false,
            } => self.kw(self.glued_dash(j + 1).unwrap_or(j + 1), Kw::End),
            _ => None,
        };
        if let Some(next) = year_end {
            return Some(Atom::new(
                next,
                Period::part_of_year(Part::End, py)?,
                "end_of_year",
                false,
            ));
        }
        if let Some(k) = self.kw(i, Kw::Later) {
            let next = self
                .kw(k, Kw::This)
                .or_else(|| self.kws(k, &[Kw::In, Kw::The]))
                .and_then(|k| self.year_word(k))?;
            return Some(Atom::new(
                next,
                Period::part_of_year(Part::End, py)?,
                "later_this_year",
                false,
            ));
        }
        let (j, part, after_of) = self.part_prefix(i)?;
        if let Some((k, m)) = self.month_word(j) {
            let atom = match self.with_year(self.opt(k, Kw::Of)) {
                Some((next, y)) => Atom::new(next, Period::month(y, m)?, "part_of_month", true),
                None => {
                    let period = pick(self.p, Pick::Upcoming, |y| Period::month(y, m))?;
                    Atom::new(k, period, "part_of_month", false)
                }
            };
            return Some(atom);
        }
        if let Some((k, period)) = self.month_ref(j) {
            return Some(Atom::new(k, period, "part_of_month", false));
        }
        let (k, year, explicit) = self.year_ref(j, after_of)?;
        let rule = match part {
            Part::Start => "start_of_year",
            Part::Mid => "mid_year",
            Part::End => "end_of_year",
        };
        Some(Atom::new(
            k,
            Period::part_of_year(part, year)?,
            rule,
            explicit,
        ))
    }

    /// "the end of", "end-", "late", "the beginning of", "early", "mid-", "the middle of".
    fn part_prefix(&self, i: usize) -> Option<(usize, Part, bool)> {
        let j = self.opt(i, Kw::The);
        let the = j > i;
        let part = match self.lex(j) {
            Lex::Kw(Kw::End | Kw::Close) => Part::End,
            Lex::Kw(Kw::Start) => Part::Start,
            Lex::Kw(Kw::Middle) => Part::Mid,
            Lex::Kw(Kw::Late) if !the => Part::End,
            Lex::Kw(Kw::Early) if !the => Part::Start,
            Lex::Kw(Kw::Mid) if !the => Part::Mid,
            _ => return None,
        };
        if let Some(k) = self.kw(j + 1, Kw::Of) {
            return Some((k, part, true));
        }
        match self.lex(j) {
            Lex::Kw(Kw::End) if !the => Some((self.glued_dash(j + 1)?, part, false)),
            Lex::Kw(Kw::Late | Kw::Early | Kw::Mid) => {
                Some((self.glued_dash(j + 1).unwrap_or(j + 1), part, false))
            }
            _ => None,
        }
    }

    /// "2026", "this year", "next year", "the year", "the current year".
    fn year_ref(&self, i: usize, after_of: bool) -> Option<(usize, i32, bool)> {
        if let Some((k, y)) = self.year_num(i) {
            return Some((k, y, true));
        }
        let py = self.p.year();
        let relative = |delta: i32| self.year_word(i + 1).map(|k| (k, py + delta, false));
        match self.lex(i) {
            Lex::Kw(Kw::This) => relative(0),
            Lex::Kw(Kw::Next) => relative(1),
            Lex::Kw(Kw::Last) => relative(-1),
            Lex::Kw(Kw::The) => {
                if let Some(k) = self.year_word(i + 1) {
                    return Some(match self.year_num(k) {
                        Some((k, y)) => (k, y, true),
                        None => (k, py, false),
                    });
                }
                let k = self.kw(i + 1, Kw::Current).and_then(|k| self.year_word(k));
                k.map(|k| (k, py, false))
            }
            Lex::Unit {
                unit: Unit::Year,
                plural: false,
                poss: false,
            } if after_of => Some((i + 1, py, false)),
            _ => None,
        }
    }

    /// "the month", "this month", "next month", "last month".
    fn month_ref(&self, i: usize) -> Option<(usize, Period)> {
        let delta = match self.lex(i) {
            Lex::Kw(Kw::The | Kw::This) => 0,
            Lex::Kw(Kw::Next) => 1,
            Lex::Kw(Kw::Last) => -1,
            _ => return None,
        };
        match self.unit(i + 1, true)? {
            (k, Unit::Month, false) => Some((k, Period::month_of(self.p, delta)?)),
            _ => None,
        }
    }

    /// "this year", "next year", "last year", "next month" (not after "the").
    fn relative(&self, i: usize) -> Option<Atom> {
        if self.prev(i) == Lex::Kw(Kw::The) {
            return None; // "the next year", "over the last year"
        }
        let delta = match self.lex(i) {
            Lex::Kw(Kw::This) => 0,
            Lex::Kw(Kw::Next) => 1,
            Lex::Kw(Kw::Last) => -1,
            _ => return None,
        };
        if let Some(k) = self.year_word(i + 1) {
            return Some(Atom::new(
                k,
                Period::year(self.p.year() + delta)?,
                "relative_year",
                false,
            ));
        }
        let (k, period) = self.month_ref(i)?;
        Some(Atom::new(k, period, "relative_month", false))
    }

    /// "the first half of 2026", "H1 2026", "the third quarter of 2026", "Q3 2026".
    fn half_or_quarter(&self, i: usize) -> Option<Atom> {
        let (k, half, quarter) = match self.lex(i) {
            Lex::HalfCode(h) => (self.opt(i + 1, Kw::Of), Some(h), None),
            Lex::QuarterCode(q) => (self.opt(i + 1, Kw::Of), None, Some(q)),
            _ => {
                let j = self.opt(i, Kw::The);
                let n = match self.lex(j) {
                    Lex::Kw(Kw::First) => 1,
                    Lex::Kw(Kw::Second | Kw::Latter) => 2,
                    Lex::Kw(Kw::Third) => 3,
                    Lex::Kw(Kw::Fourth | Kw::Last | Kw::Final) => 4,
                    _ => return None,
                };
                match self.lex(j + 1) {
                    Lex::Kw(Kw::Half) if n <= 2 => (self.kw(j + 2, Kw::Of)?, Some(n), None),
                    Lex::Kw(Kw::Half) if self.lex(j) == Lex::Kw(Kw::Last) => {
                        (self.kw(j + 2, Kw::Of)?, Some(2), None)
                    }
                    Lex::Kw(Kw::Quarter) if self.lex(j) != Lex::Kw(Kw::Latter) => {
                        (self.kw(j + 2, Kw::Of)?, None, Some(n))
                    }
                    _ => return None,
                }
            }
        };
        let after_of = k > i + 1 || !matches!(self.lex(i), Lex::HalfCode(_) | Lex::QuarterCode(_));
        let (next, year, explicit) = self.year_ref(k, after_of)?;
        let (period, rule) = match (half, quarter) {
            (Some(h), _) => (
                Period::months(year, 6 * h - 5, 6, Granularity::Half)?,
                "half_year",
            ),
            (_, Some(q)) => (
                Period::months(year, 3 * q - 2, 3, Granularity::Quarter)?,
                "quarter_year",
            ),
            _ => return None,
        };
        Some(Atom::new(next, period, rule, explicit))
    }

    /// "summer 2026", "the summer of 2026", "this summer", "by the summer".
    fn season(&self, i: usize) -> Option<Atom> {
        let occurrence = |s: Season| move |y: i32| Period::season(s, y);
        let which = match self.lex(i) {
            Lex::Kw(Kw::This) => Some(Pick::Upcoming),
            Lex::Kw(Kw::Next) => Some(Pick::Next),
            Lex::Kw(Kw::Last) => Some(Pick::Last),
            _ => None,
        };
        if let Some(which) = which {
            let Lex::Season(s) = self.lex(i + 1) else {
                return None;
            };
            return Some(Atom::new(
                i + 2,
                pick(self.p, which, occurrence(s))?,
                "season",
                false,
            ));
        }
        let j = self.opt(i, Kw::The);
        let Lex::Season(s) = self.lex(j) else {
            return None;
        };
        if let Some((next, y)) = self.year_num(self.opt(j + 1, Kw::Of)) {
            return Some(Atom::new(next, Period::season(s, y)?, "season", true));
        }
        let which = match self.prev(i) {
            Lex::Kw(Kw::Since) => Pick::Since,
            Lex::Kw(
                Kw::In
                | Kw::By
                | Kw::Until
                | Kw::Before
                | Kw::Through
                | Kw::During
                | Kw::Around
                | Kw::After
                | Kw::From,
            ) => Pick::Upcoming,
            _ => return None,
        };
        if self.lex(j + 1) == Lex::Kw(Kw::Of) {
            return None; // "the fall of Kabul"
        }
        Some(Atom::new(
            j + 1,
            pick(self.p, which, occurrence(s))?,
            "season",
            false,
        ))
    }

    /// "2026" on its own.
    fn year_alone(&self, i: usize, first: bool) -> Option<Atom> {
        let (next, year) = self.year_num(i)?;
        if first && !self.left_ok(i) {
            return None;
        }
        Some(Atom::new(next, Period::year(year)?, "year", true))
    }

    /// "in September" (the next one on or after P's month), "since September",
    /// "last September", "next September". `free`: inside a range, no cue needed.
    fn bare_month(&self, i: usize, free: bool) -> Option<Atom> {
        let which = match self.lex(i) {
            Lex::Kw(Kw::This) => Some(Pick::Upcoming),
            Lex::Kw(Kw::Next) => Some(Pick::Next),
            Lex::Kw(Kw::Last) => Some(Pick::Last),
            _ => None,
        };
        if let Some(which) = which {
            let (k, m) = self.month_word(i + 1)?;
            return Some(Atom::new(
                k,
                pick(self.p, which, |y| Period::month(y, m))?,
                "month",
                false,
            ));
        }
        let (k, m) = self.month_word(i)?;
        let which = match self.prev(i) {
            _ if free => Pick::Upcoming,
            Lex::Kw(Kw::Since) => Pick::Since,
            Lex::Kw(
                Kw::In
                | Kw::By
                | Kw::Until
                | Kw::Before
                | Kw::Through
                | Kw::During
                | Kw::Around
                | Kw::After
                | Kw::From
                | Kw::Of,
            ) => Pick::Upcoming,
            _ => return None,
        };
        let period = pick(self.p, which, |y| Period::month(y, m))?;
        Some(Atom {
            bare_month: Some(m),
            ..Atom::new(k, period, "month", false)
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rstest::rstest;

    use super::{WORDS, find_times, word_key};
    use crate::extract::time::{TimeExpr, TimeMatch};
    use crate::model::{Granularity as G, TimeValue};

    /// The publication day of most cases: a Friday.
    const P: &str = "2024-09-06";

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("a test date")
    }

    fn interval(earliest: &str, latest: &str, granularity: G, fuzzy: bool) -> TimeExpr {
        TimeExpr::Interval(TimeValue {
            earliest: date(earliest),
            latest: (!latest.is_empty()).then(|| date(latest)),
            granularity,
            fuzzy,
        })
    }

    /// The phrases found, as (text, rule).
    fn phrases<'a>(text: &'a str, published: &str) -> Vec<(&'a str, &'static str)> {
        find_times(text, date(published))
            .iter()
            .map(|m| (&text[m.start..m.end], m.rule))
            .collect()
    }

    /// The one phrase in `text`, which must read `phrase`.
    fn only(text: &str, phrase: &str, published: &str) -> TimeMatch {
        let found = find_times(text, date(published));
        assert_eq!(found.len(), 1, "{text:?} gave {found:?}");
        let m = found[0].clone();
        assert_eq!(&text[m.start..m.end], phrase, "in {text:?}");
        m
    }

    // One case per line of docs/time-expressions.md (published 2024-09-06).
    // Latest "" means an open-ended floor.
    #[rstest]
    // month and year
    #[case(
        "by September 2025",
        "2025-09-01",
        "2025-09-30",
        G::Month,
        false,
        "month_year"
    )]
    #[case(
        "in September 2025",
        "2025-09-01",
        "2025-09-30",
        G::Month,
        false,
        "month_year"
    )]
    #[case(
        "September 2025",
        "2025-09-01",
        "2025-09-30",
        G::Month,
        false,
        "month_year"
    )]
    #[case(
        "Sept. 2025",
        "2025-09-01",
        "2025-09-30",
        G::Month,
        false,
        "month_year"
    )]
    #[case("Sep 2025", "2025-09-01", "2025-09-30", G::Month, false, "month_year")]
    #[case(
        "before September 2025",
        "2025-09-01",
        "2025-09-30",
        G::Month,
        false,
        "month_year"
    )]
    #[case(
        "until September 2025",
        "2025-09-01",
        "2025-09-30",
        G::Month,
        false,
        "month_year"
    )]
    #[case(
        "no later than Feb. 2025",
        "2025-02-01",
        "2025-02-28",
        G::Month,
        false,
        "month_year"
    )]
    #[case("May 2025", "2025-05-01", "2025-05-31", G::Month, false, "month_year")]
    // month without a year
    #[case("by September", "2024-09-01", "2024-09-30", G::Month, false, "month")]
    #[case("in August", "2025-08-01", "2025-08-31", G::Month, false, "month")]
    #[case("in May", "2025-05-01", "2025-05-31", G::Month, false, "month")]
    #[case("next September", "2025-09-01", "2025-09-30", G::Month, false, "month")]
    #[case("last September", "2023-09-01", "2023-09-30", G::Month, false, "month")]
    #[case("this September", "2024-09-01", "2024-09-30", G::Month, false, "month")]
    // days
    #[case(
        "September 8, 2025",
        "2025-09-08",
        "2025-09-08",
        G::Day,
        false,
        "month_day_year"
    )]
    #[case(
        "8 September 2025",
        "2025-09-08",
        "2025-09-08",
        G::Day,
        false,
        "day_month_year"
    )]
    #[case(
        "Sept. 8, 2025",
        "2025-09-08",
        "2025-09-08",
        G::Day,
        false,
        "month_day_year"
    )]
    #[case(
        "September 8th, 2025",
        "2025-09-08",
        "2025-09-08",
        G::Day,
        false,
        "month_day_year"
    )]
    #[case(
        "the 8th of September 2025",
        "2025-09-08",
        "2025-09-08",
        G::Day,
        false,
        "day_month_year"
    )]
    #[case("2025-09-08", "2025-09-08", "2025-09-08", G::Day, false, "iso_date")]
    #[case(
        "on Friday, September 6, 2024",
        "2024-09-06",
        "2024-09-06",
        G::Day,
        false,
        "month_day_year"
    )]
    #[case(
        "on 8 September",
        "2024-09-08",
        "2024-09-08",
        G::Day,
        false,
        "day_month"
    )]
    #[case(
        "on September 8",
        "2024-09-08",
        "2024-09-08",
        G::Day,
        false,
        "month_day"
    )]
    #[case("by May 1", "2024-05-01", "2024-05-01", G::Day, false, "month_day")]
    // years
    #[case("by 2026", "2026-01-01", "2026-12-31", G::Year, false, "year")]
    #[case("in 2026", "2026-01-01", "2026-12-31", G::Year, false, "year")]
    #[case("until 2026", "2026-01-01", "2026-12-31", G::Year, false, "year")]
    #[case("2026", "2026-01-01", "2026-12-31", G::Year, false, "year")]
    #[case("in 2003", "2003-01-01", "2003-12-31", G::Year, false, "year")]
    // end of a year
    #[case(
        "by the end of 2026",
        "2026-10-01",
        "2026-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "the end of 2026",
        "2026-10-01",
        "2026-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "end-2026",
        "2026-10-01",
        "2026-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "late 2026",
        "2026-10-01",
        "2026-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "by the close of 2026",
        "2026-10-01",
        "2026-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "at the end of 2026",
        "2026-10-01",
        "2026-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    // end of the publication year
    #[case(
        "by year's end",
        "2024-10-01",
        "2024-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "by year’s end",
        "2024-10-01",
        "2024-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "by year-end",
        "2024-10-01",
        "2024-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "by the end of the year",
        "2024-10-01",
        "2024-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "by the end of this year",
        "2024-10-01",
        "2024-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "later this year",
        "2024-10-01",
        "2024-12-31",
        G::Quarter,
        false,
        "later_this_year"
    )]
    // end of next year
    #[case(
        "by the end of next year",
        "2025-10-01",
        "2025-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    #[case(
        "before the end of next year",
        "2025-10-01",
        "2025-12-31",
        G::Quarter,
        false,
        "end_of_year"
    )]
    // part of a month
    #[case(
        "the end of September 2026",
        "2026-09-01",
        "2026-09-30",
        G::Month,
        false,
        "part_of_month"
    )]
    #[case(
        "late September 2026",
        "2026-09-01",
        "2026-09-30",
        G::Month,
        false,
        "part_of_month"
    )]
    #[case(
        "by mid-March",
        "2025-03-01",
        "2025-03-31",
        G::Month,
        false,
        "part_of_month"
    )]
    #[case(
        "by the end of the month",
        "2024-09-01",
        "2024-09-30",
        G::Month,
        false,
        "part_of_month"
    )]
    // start and middle of a year
    #[case(
        "early 2026",
        "2026-01-01",
        "2026-04-30",
        G::Quarter,
        false,
        "start_of_year"
    )]
    #[case(
        "the beginning of 2026",
        "2026-01-01",
        "2026-04-30",
        G::Quarter,
        false,
        "start_of_year"
    )]
    #[case(
        "the start of 2026",
        "2026-01-01",
        "2026-04-30",
        G::Quarter,
        false,
        "start_of_year"
    )]
    #[case(
        "early next year",
        "2025-01-01",
        "2025-04-30",
        G::Quarter,
        false,
        "start_of_year"
    )]
    #[case("mid-2026", "2026-05-01", "2026-08-31", G::Quarter, false, "mid_year")]
    #[case(
        "the middle of 2026",
        "2026-05-01",
        "2026-08-31",
        G::Quarter,
        false,
        "mid_year"
    )]
    // halves
    #[case(
        "the first half of 2026",
        "2026-01-01",
        "2026-06-30",
        G::Half,
        false,
        "half_year"
    )]
    #[case("H1 2026", "2026-01-01", "2026-06-30", G::Half, false, "half_year")]
    #[case(
        "the second half of 2026",
        "2026-07-01",
        "2026-12-31",
        G::Half,
        false,
        "half_year"
    )]
    #[case("H2 2026", "2026-07-01", "2026-12-31", G::Half, false, "half_year")]
    #[case(
        "in the first half of next year",
        "2025-01-01",
        "2025-06-30",
        G::Half,
        false,
        "half_year"
    )]
    // quarters
    #[case(
        "the third quarter of 2026",
        "2026-07-01",
        "2026-09-30",
        G::Quarter,
        false,
        "quarter_year"
    )]
    #[case(
        "Q3 2026",
        "2026-07-01",
        "2026-09-30",
        G::Quarter,
        false,
        "quarter_year"
    )]
    #[case(
        "the last quarter of 2025",
        "2025-10-01",
        "2025-12-31",
        G::Quarter,
        false,
        "quarter_year"
    )]
    // seasons
    #[case("summer 2026", "2026-06-01", "2026-08-31", G::Quarter, false, "season")]
    #[case(
        "the summer of 2026",
        "2026-06-01",
        "2026-08-31",
        G::Quarter,
        false,
        "season"
    )]
    #[case("spring 2026", "2026-03-01", "2026-05-31", G::Quarter, false, "season")]
    #[case("autumn 2026", "2026-09-01", "2026-11-30", G::Quarter, false, "season")]
    #[case("fall 2026", "2026-09-01", "2026-11-30", G::Quarter, false, "season")]
    #[case("winter 2026", "2026-12-01", "2027-02-28", G::Quarter, false, "season")]
    #[case(
        "by the summer",
        "2025-06-01",
        "2025-08-31",
        G::Quarter,
        false,
        "season"
    )]
    #[case("this winter", "2024-12-01", "2025-02-28", G::Quarter, false, "season")]
    #[case("last winter", "2023-12-01", "2024-02-29", G::Quarter, false, "season")]
    // within a duration
    #[case(
        "within six months",
        "2024-09-06",
        "2025-03-06",
        G::Day,
        false,
        "within_duration"
    )]
    #[case(
        "within a year",
        "2024-09-06",
        "2025-09-06",
        G::Day,
        false,
        "within_duration"
    )]
    #[case(
        "within 18 months",
        "2024-09-06",
        "2026-03-06",
        G::Day,
        false,
        "within_duration"
    )]
    #[case(
        "within a year and a half",
        "2024-09-06",
        "2026-03-06",
        G::Day,
        false,
        "within_duration"
    )]
    #[case(
        "in the next two years",
        "2024-09-06",
        "2026-09-06",
        G::Day,
        false,
        "within_duration"
    )]
    #[case(
        "over the next two years",
        "2024-09-06",
        "2026-09-06",
        G::Day,
        false,
        "within_duration"
    )]
    #[case(
        "within two weeks",
        "2024-09-06",
        "2024-09-20",
        G::Day,
        false,
        "within_duration"
    )]
    // around a point
    #[case(
        "two years from now",
        "2026-08-06",
        "2026-10-06",
        G::Month,
        true,
        "from_now"
    )]
    #[case(
        "in two years",
        "2026-08-06",
        "2026-10-06",
        G::Month,
        true,
        "in_duration"
    )]
    #[case(
        "in a year's time",
        "2025-08-06",
        "2025-10-06",
        G::Month,
        true,
        "in_duration"
    )]
    #[case(
        "in two weeks",
        "2024-09-13",
        "2024-09-27",
        G::Day,
        true,
        "in_duration"
    )]
    // for another ...
    #[case(
        "for another year",
        "2025-08-06",
        "2025-10-06",
        G::Month,
        true,
        "for_another"
    )]
    #[case(
        "for approximately another year",
        "2025-08-06",
        "2025-10-06",
        G::Month,
        true,
        "for_another"
    )]
    #[case(
        "for an additional year",
        "2025-08-06",
        "2025-10-06",
        G::Month,
        true,
        "for_another"
    )]
    #[case(
        "for two more years",
        "2026-08-06",
        "2026-10-06",
        G::Month,
        true,
        "for_another"
    )]
    // coming periods
    #[case(
        "in the coming days",
        "2024-09-06",
        "2024-09-20",
        G::Day,
        true,
        "coming_period"
    )]
    #[case(
        "in the coming weeks",
        "2024-09-06",
        "2024-11-06",
        G::Day,
        true,
        "coming_period"
    )]
    #[case(
        "the next few weeks",
        "2024-09-06",
        "2024-11-06",
        G::Day,
        true,
        "coming_period"
    )]
    #[case(
        "within weeks",
        "2024-09-06",
        "2024-11-06",
        G::Day,
        true,
        "coming_period"
    )]
    #[case(
        "in the coming months",
        "2024-09-06",
        "2025-03-06",
        G::Day,
        true,
        "coming_period"
    )]
    #[case(
        "in the months ahead",
        "2024-09-06",
        "2025-03-06",
        G::Day,
        true,
        "coming_period"
    )]
    #[case(
        "in the coming year",
        "2025-01-01",
        "2025-12-31",
        G::Year,
        true,
        "coming_period"
    )]
    // relative years and months
    #[case(
        "next year",
        "2025-01-01",
        "2025-12-31",
        G::Year,
        false,
        "relative_year"
    )]
    #[case(
        "this year",
        "2024-01-01",
        "2024-12-31",
        G::Year,
        false,
        "relative_year"
    )]
    #[case(
        "last year",
        "2023-01-01",
        "2023-12-31",
        G::Year,
        false,
        "relative_year"
    )]
    #[case(
        "next month",
        "2024-10-01",
        "2024-10-31",
        G::Month,
        false,
        "relative_month"
    )]
    // weekdays
    #[case("on Friday", "2024-09-06", "2024-09-06", G::Day, false, "weekday")]
    #[case("on Sunday", "2024-09-01", "2024-09-01", G::Day, false, "weekday")]
    #[case("last Monday", "2024-09-02", "2024-09-02", G::Day, false, "weekday")]
    #[case("next Monday", "2024-09-09", "2024-09-09", G::Day, false, "weekday")]
    // ranges
    #[case(
        "between 2025 and 2026",
        "2025-01-01",
        "2026-12-31",
        G::Year,
        false,
        "range"
    )]
    #[case(
        "from September 2025 through 2026",
        "2025-09-01",
        "2026-12-31",
        G::Year,
        false,
        "range"
    )]
    #[case(
        "from 2025 to 2026",
        "2025-01-01",
        "2026-12-31",
        G::Year,
        false,
        "range"
    )]
    #[case("2025-2026", "2025-01-01", "2026-12-31", G::Year, false, "range")]
    #[case("2025–26", "2025-01-01", "2026-12-31", G::Year, false, "range")]
    #[case(
        "September 2025 to March 2026",
        "2025-09-01",
        "2026-03-31",
        G::Month,
        false,
        "range"
    )]
    #[case(
        "between March and May 2026",
        "2026-03-01",
        "2026-05-31",
        G::Month,
        false,
        "range"
    )]
    #[case(
        "from November to February",
        "2024-11-01",
        "2025-02-28",
        G::Month,
        false,
        "range"
    )]
    #[case(
        "between the end of 2025 and mid-2026",
        "2025-10-01",
        "2026-08-31",
        G::Quarter,
        false,
        "range"
    )]
    // floors
    #[case(
        "at least until September 2026",
        "2026-09-01",
        "",
        G::Month,
        false,
        "floor"
    )]
    #[case(
        "until at least September 2026",
        "2026-09-01",
        "",
        G::Month,
        false,
        "floor"
    )]
    #[case("not before 2026", "2026-01-01", "", G::Year, false, "floor")]
    #[case(
        "no earlier than March 2026",
        "2026-03-01",
        "",
        G::Month,
        false,
        "floor"
    )]
    #[case("not until 2026", "2026-01-01", "", G::Year, false, "floor")]
    #[case(
        "not before the end of 2026",
        "2026-10-01",
        "",
        G::Quarter,
        false,
        "floor"
    )]
    // offsets
    #[case(
        "one month before October 2025",
        "2025-09-01",
        "2025-09-30",
        G::Month,
        false,
        "offset"
    )]
    #[case(
        "two weeks after 8 September 2025",
        "2025-09-22",
        "2025-09-22",
        G::Day,
        false,
        "offset"
    )]
    #[case(
        "six months after June 2025",
        "2025-12-01",
        "2025-12-31",
        G::Month,
        false,
        "offset"
    )]
    #[case(
        "a year before the end of 2026",
        "2025-10-01",
        "2025-12-31",
        G::Quarter,
        false,
        "offset"
    )]
    fn conventions(
        #[case] words: &str,
        #[case] earliest: &str,
        #[case] latest: &str,
        #[case] granularity: G,
        #[case] fuzzy: bool,
        #[case] rule: &str,
    ) {
        let m = only(words, words, P);
        assert_eq!(
            m.expr,
            interval(earliest, latest, granularity, fuzzy),
            "{words:?}"
        );
        assert_eq!(m.rule, rule, "{words:?}");
    }

    // Lines that depend on the publication day, or whose cue stays outside the span.
    #[rstest]
    #[case(
        "in September",
        "in September",
        "2024-10-15",
        "2025-09-01",
        "2025-09-30",
        G::Month
    )]
    #[case(
        "by September",
        "by September",
        "2024-08-31",
        "2024-09-01",
        "2024-09-30",
        G::Month
    )]
    #[case(
        "since September",
        "September",
        P,
        "2024-09-01",
        "2024-09-30",
        G::Month
    )]
    #[case("since May", "May", P, "2024-05-01", "2024-05-31", G::Month)]
    #[case(
        "on 28 December",
        "on 28 December",
        "2025-01-10",
        "2024-12-28",
        "2024-12-28",
        G::Day
    )]
    #[case("last Friday", "last Friday", P, "2024-09-06", "2024-09-06", G::Day)]
    #[case(
        "by the end of the year",
        "by the end of the year",
        "2025-11-20",
        "2025-10-01",
        "2025-12-31",
        G::Quarter
    )]
    #[case(
        "completed inSeptember 2026",
        "inSeptember 2026",
        P,
        "2026-09-01",
        "2026-09-30",
        G::Month
    )]
    #[case(
        "entered Iraqin 2014 with",
        "2014",
        P,
        "2014-01-01",
        "2014-12-31",
        G::Year
    )]
    #[case(
        "leave in September. Then",
        "in September",
        P,
        "2024-09-01",
        "2024-09-30",
        G::Month
    )]
    #[case(
        "In September 12 soldiers died",
        "In September",
        P,
        "2024-09-01",
        "2024-09-30",
        G::Month
    )]
    #[case(
        "in September 8,000 troops",
        "in September",
        P,
        "2024-09-01",
        "2024-09-30",
        G::Month
    )]
    #[case(
        "Resolution 2254 (2015) says",
        "2015",
        P,
        "2015-01-01",
        "2015-12-31",
        G::Year
    )]
    fn in_context(
        #[case] text: &str,
        #[case] phrase: &str,
        #[case] published: &str,
        #[case] earliest: &str,
        #[case] latest: &str,
        #[case] granularity: G,
    ) {
        let m = only(text, phrase, published);
        assert_eq!(
            m.expr,
            interval(earliest, latest, granularity, false),
            "{text:?}"
        );
    }

    #[rstest]
    #[case("a two-year timeline", "a two-year timeline", 24, false)]
    #[case(
        "a three-year withdrawal timeframe",
        "a three-year withdrawal timeframe",
        36,
        false
    )]
    #[case("an 18-month plan", "an 18-month plan", 18, false)]
    #[case("a year-long mission", "a year-long mission", 12, false)]
    #[case("set for two years", "set for two years", 24, false)]
    #[case("over two years", "over two years", 24, false)]
    #[case("for two years", "for two years", 24, false)]
    #[case("(a total of three years)", "a total of three years", 36, false)]
    #[case("for a year and a half", "for a year and a half", 18, false)]
    #[case("for a couple of years", "for a couple of years", 24, false)]
    #[case("for about two years", "for about two years", 24, true)]
    #[case("for some 18 months", "for some 18 months", 18, true)]
    #[case("roughly a two-year process", "roughly a two-year process", 24, true)]
    fn durations(
        #[case] text: &str,
        #[case] phrase: &str,
        #[case] months: u32,
        #[case] approx: bool,
    ) {
        let m = only(text, phrase, P);
        assert_eq!(m.expr, TimeExpr::Duration { months, approx }, "{text:?}");
        assert_eq!(m.rule, "duration");
    }

    #[rstest]
    #[case("the mayor marched to augment a decent deal")]
    #[case("May we leave? The August assembly met.")]
    #[case("they march 8 miles; a sept 9 memo; jan 5")]
    #[case("2,026 soldiers, 20260 rounds, $2026, 2026%, 2026 percent")]
    #[case("the 2026th day, call 555 2026 or 555-2026, file No. 2026")]
    #[case("at 1930 GMT, 1930 hours, at 20:26, 2026.5, the 2020s")]
    #[case("for several months, in a few years, within several weeks")]
    #[case("a 30-year-old soldier, two years ago, for two years ago")]
    #[case("over the last year, the fall of the city")]
    #[case("she said the deal was done")]
    fn not_time(#[case] text: &str) {
        assert_eq!(phrases(text, P), Vec::new(), "{text:?}");
    }

    #[rstest]
    #[case(
        "the first group leaves by September 2025 and the rest by the end of 2026",
        &[("by September 2025", "month_year"), ("by the end of 2026", "end_of_year")]
    )]
    #[case(
        "Officials said on Friday that troops would stay at least until September 2026 \u{2013} not \u{201c}within six months\u{201d}, as first reported in 2023.",
        &[("on Friday", "weekday"), ("at least until September 2026", "floor"), ("within six months", "within_duration"), ("in 2023", "year")]
    )]
    #[case(
        "In September 12 soldiers were hurt; a two-year timeline ending in mid-2026 was agreed.",
        &[("In September", "month"), ("a two-year timeline", "duration"), ("in mid-2026", "mid_year")]
    )]
    #[case(
        "The coalition\u{2019}s mission, which began in 2014, ends between 2025 and 2026, though some units stay for another year.",
        &[("in 2014", "year"), ("between 2025 and 2026", "range"), ("for another year", "for_another")]
    )]
    #[case(
        "The May 8 talks set a deadline of Sept. 30, 2025 for the first phase and early 2026 for the second.",
        &[("May 8", "month_day"), ("Sept. 30, 2025", "month_day_year"), ("early 2026", "start_of_year")]
    )]
    fn sentences(#[case] text: &str, #[case] expected: &[(&str, &str)]) {
        assert_eq!(phrases(text, P), expected.to_vec());
    }

    #[test]
    fn spans_are_ordered_char_boundaries_on_any_cut() {
        let text = "Les troupes partiront d\u{2019}ici d\u{e9}cembre 2025 \u{2013} by the end of 2026\u{2026} \u{201c}within six months\u{201d}, \u{a0}in 2025\u{2011}2026, 8\u{a0}September 2025; \u{1f1fa}\u{1f1f8} mid\u{2010}2027";
        let published = date(P);
        for (cut, _) in text.char_indices() {
            for part in [&text[..cut], &text[cut..]] {
                let mut last_end = 0;
                for m in find_times(part, published) {
                    assert!(m.start < m.end && m.start >= last_end, "{part:?}: {m:?}");
                    assert!(part.is_char_boundary(m.start) && part.is_char_boundary(m.end));
                    last_end = m.end;
                }
            }
        }
        assert_eq!(
            phrases(text, P),
            vec![
                ("2025", "year"),
                ("by the end of 2026", "end_of_year"),
                ("within six months", "within_duration"),
                ("in 2025\u{2011}2026", "range"),
                ("8\u{a0}September 2025", "day_month_year"),
                ("mid\u{2010}2027", "mid_year"),
            ]
        );
    }

    #[test]
    fn dates_near_the_end_of_time_do_not_panic() {
        for published in [NaiveDate::MIN, NaiveDate::MAX] {
            let text = "within six months, in two years, for another decade, next year, the end of the year, on Friday, by September, the coming weeks, 99 decades from now";
            let _ = find_times(text, published);
        }
    }

    #[test]
    fn every_lexicon_word_is_found() {
        let mut keys = std::collections::HashSet::new();
        for (word, lex, _) in WORDS {
            let key = word_key(word).expect("short ASCII words");
            assert!(keys.insert(key), "{word} twice");
            assert_eq!(
                super::LEXICON.get(key).map(|(l, _)| l),
                Some(*lex),
                "{word}"
            );
        }
    }
}
