//! The tokenizer of time expressions: splits a text into words and punctuation
//! and classifies each token once (number, month, unit, keyword...), so the
//! rules compare small values instead of strings. The word table is `words.rs`.

use chrono::Weekday;

use super::words::lookup;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Day,
    Week,
    Month,
    Year,
    Decade,
}

/// Holidays with a date a reader knows: "by Christmas", "before New Year".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holiday {
    Christmas,
    /// "New" (of "New Year"; the rule wants "Year" after it).
    New,
    Easter,
    /// US Thanksgiving, the fourth Thursday of November.
    Thanksgiving,
    /// "Eve" after a holiday: the day before.
    Eve,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Season {
    Spring,
    Summer,
    Autumn,
    Winter,
}

/// Words the rules look for; several spellings map to one keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kw {
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
pub(super) enum Lex {
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
    Holiday(Holiday),
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
    pub(super) fn can_start(self) -> bool {
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
                    | Kw::Today
                    | Kw::Total
            ),
            _ => true,
        }
    }

    /// Whether a date phrase (`Ctx::atom`) may start at this token.
    pub(super) fn can_start_date(self) -> bool {
        match self {
            Lex::Num { .. }
            | Lex::Ordinal(_)
            | Lex::Month { .. }
            | Lex::Weekday(_)
            | Lex::Season(_)
            | Lex::Holiday(_)
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
    pub(super) fn is_anchor(self) -> bool {
        matches!(
            self,
            Lex::Num { .. }
                | Lex::Ordinal(_)
                | Lex::Month { .. }
                | Lex::Weekday(_)
                | Lex::Season(_)
                | Lex::Holiday(Holiday::Christmas | Holiday::Easter | Holiday::Thanksgiving)
                | Lex::Unit { .. }
                | Lex::HalfCode(_)
                | Lex::QuarterCode(_)
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Whitespace separates it from the previous token.
    pub(super) spaced: bool,
    pub(super) lex: Lex,
}

/// Splits `text` into words (letters, digits, inner apostrophes) and single
/// punctuation characters. A lower-case letter followed by an upper-case one
/// starts a new word, so "inSeptember" is "in" + "September".
pub(super) fn tokenize(text: &str) -> Vec<Tok> {
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
    // Most words are a run of ASCII letters and digits ended by a space or a
    // punctuation mark: read them byte by byte. A word that goes on with an
    // apostrophe or a non-ASCII character is read by `scan_any_word`.
    let bytes = text.as_bytes();
    let mut j = start;
    let mut prev_lower = false;
    while let Some(&b) = bytes.get(j) {
        if !b.is_ascii_alphanumeric() || b.is_ascii_uppercase() && prev_lower {
            break;
        }
        prev_lower = b.is_ascii_lowercase();
        j += 1;
    }
    if bytes.get(j).is_some_and(|&b| b == b'\'' || !b.is_ascii()) {
        return scan_any_word(text, start);
    }
    let word = bytes.get(start..j).unwrap_or_default();
    let key = (word.len() <= 16).then(|| {
        let mut buf = [0u8; 16];
        for (slot, b) in buf.iter_mut().zip(word) {
            *slot = b | 0x20; // lower-cases letters, keeps digits
        }
        u128::from_le_bytes(buf)
    });
    (j, key)
}

/// `scan_word` for any word: with inner apostrophes ("year's") and non-ASCII
/// letters.
fn scan_any_word(text: &str, start: usize) -> (usize, Option<u128>) {
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

pub(super) fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}')
}
