//! The words the time tokenizer knows (`WORDS`) and the hashed table it looks
//! them up in (`LEXICON`), keyed by a word's packed lower-case bytes; and the
//! stems by which a text without any anchor word is told before tokenizing.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use chrono::Weekday;

use super::tokens::{Holiday, Kw, Lex, Season, Unit};

/// The lexicon key of a word: its lower-cased bytes (’ read as ') packed
/// into an integer, as `scan_word` builds it; `None` past 16 bytes.
pub(super) fn word_key(word: &str) -> Option<u128> {
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

pub(super) fn lookup(key: u128, capitalised: bool) -> Lex {
    LEXICON
        .get(key)
        .filter(|&(_, needs_capital)| capitalised || !needs_capital)
        .map_or(Lex::Other, |(lex, _)| lex)
}

/// The lexicon as an open-addressing table over packed words: a lookup costs
/// one multiply and usually one comparison.
pub(super) struct Lexicon {
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

    pub(super) fn get(&self, key: u128) -> Option<(Lex, bool)> {
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
pub(super) const WORDS: &[(&str, Lex, bool)] = &[
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
    ("christmas", Lex::Holiday(Holiday::Christmas), true),
    ("new", Lex::Holiday(Holiday::New), true),
    ("easter", Lex::Holiday(Holiday::Easter), true),
    ("thanksgiving", Lex::Holiday(Holiday::Thanksgiving), true),
    ("eve", Lex::Holiday(Holiday::Eve), true),
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
pub(super) static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(WORDS));

/// A part of every anchor token (`Lex::is_anchor`): a digit (numbers,
/// ordinals, "Q1"), or a part of a month, weekday, season or unit word:
/// "dec" for "December" and "decade", "day" for "Monday" and "days".
pub(super) const ANCHOR_STEMS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
    "day",
    "week",
    "month",
    "year",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
    "christmas",
    "easter",
    "thanksgiving",
];

/// `ANCHOR_STEMS`, in any case.
static STEMS: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(ANCHOR_STEMS)
        .ok()
});

/// Could `text` hold an anchor token? Not without an anchor stem, which is
/// much cheaper to tell than tokenizing it.
pub(super) fn may_hold_anchor(text: &str) -> bool {
    STEMS.as_ref().is_none_or(|stems| stems.is_match(text))
}
