//! Stage 1: a sentence becomes tokens. Each token keeps its byte span in the
//! sentence, its shape (word, number, punctuation; capitalised, acronym) and
//! what the dictionary knows of its lowercase form (closed-class tags, verb
//! form, the entries it starts). Takes a sentence; gives `Vec<Token>`. Pure.

use std::borrow::Cow;

use super::dict::{Dict, Form, Tags, WordInfo};

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    /// Digits, with thousands separators or a decimal point ("1,000", "2.5").
    Number,
    Punct(char),
}

/// One token of a sentence.
#[derive(Debug, Clone)]
pub struct Token<'s, 'd> {
    /// Byte offsets in the sentence.
    pub start: usize,
    pub end: usize,
    pub text: &'s str,
    /// Lowercase text (borrowed when the text has no capitals).
    pub lower: Cow<'s, str>,
    pub kind: Kind,
    /// Starts with a capital letter.
    pub cap: bool,
    /// Two or more capitals and no lowercase ("MONUSCO", "U.S.").
    pub acronym: bool,
    pub info: Option<&'d WordInfo>,
}

impl Token<'_, '_> {
    /// "northern", "central", "south-eastern": a direction before a place.
    pub fn is_direction(&self) -> bool {
        let w = self.lower.as_ref();
        matches!(w, "central" | "north" | "south" | "east" | "west")
            || ["northern", "southern", "eastern", "western"]
                .iter()
                .any(|d| w.ends_with(d))
    }

    pub fn tags(&self) -> Tags {
        self.info.map(|i| i.tags).unwrap_or_default()
    }

    pub fn has(&self, t: Tags) -> bool {
        self.tags().has(t)
    }

    pub fn is(&self, word: &str) -> bool {
        self.lower == word
    }

    /// The possessive "'s" split off a name ("’s" is folded to it).
    pub fn is_possessive(&self) -> bool {
        self.is("'s")
    }

    pub fn is_punct(&self) -> bool {
        matches!(self.kind, Kind::Punct(_))
    }

    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }

    /// A number or a range of them ("300", "200-400"): after "some", "some"
    /// means "about".
    pub fn starts_with_digit(&self) -> bool {
        self.text.starts_with(|c: char| c.is_ascii_digit())
    }

    /// The token's form as a verb, or a guess from its suffix for verbs the
    /// dictionary does not list ("ordered", "stationed").
    pub fn verb_form(&self) -> Form {
        match self.info.map(|i| i.verb_form) {
            Some(f) if f != Form::Other => f,
            _ if self.kind != Kind::Word || self.cap && self.start > 0 => Form::Other,
            _ if self.lower.len() > 4 && self.lower.ends_with("ed") => Form::PastOrParticiple,
            _ if self.lower.len() > 5 && self.lower.ends_with("ing") => Form::Gerund,
            _ => Form::Other,
        }
    }
}

/// Where a number's hedges begin ("about", "some", "roughly", ... and, when
/// `the`, an article before them), not going below `floor`: the word before
/// the returned index is the one that governs the number.
pub fn before_hedges(toks: &[Token], start: usize, floor: usize, the: bool) -> usize {
    let mut j = start;
    while j > floor
        && (matches!(
            toks[j - 1].lower.as_ref(),
            "about"
                | "some"
                | "roughly"
                | "nearly"
                | "around"
                | "approximately"
                | "almost"
                | "estimated"
        ) || the && toks[j - 1].is("the"))
    {
        j -= 1;
    }
    j
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// A sentence's characters by index. An ASCII sentence (most) is read in
/// place, any other decoded once; `scan` is compiled for each, so the ASCII
/// one pays no decoding on any character.
trait Chars {
    /// The number of characters.
    fn len(&self) -> usize;
    /// The `i`-th character.
    fn at(&self, i: usize) -> Option<char>;
    /// The byte offset of the `i`-th character; the sentence's length past the end.
    fn offset(&self, i: usize) -> usize;
    /// The index of the first character from `i` on that is not alphanumeric
    /// (`len` if none): the run a word is made of.
    fn alnum_end(&self, i: usize) -> usize;
}

struct Ascii<'s>(&'s [u8]);

impl Chars for Ascii<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.0.get(i).map(|&b| char::from(b))
    }

    fn offset(&self, i: usize) -> usize {
        i.min(self.0.len())
    }

    fn alnum_end(&self, i: usize) -> usize {
        let rest = self.0.get(i..).unwrap_or_default();
        i + rest
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(rest.len())
    }
}

struct Decoded {
    chars: Vec<(usize, char)>,
    len: usize,
}

impl Chars for Decoded {
    fn len(&self) -> usize {
        self.chars.len()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).map(|&(_, c)| c)
    }

    fn offset(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.len, |&(o, _)| o)
    }

    fn alnum_end(&self, i: usize) -> usize {
        let mut j = i;
        while self.at(j).is_some_and(char::is_alphanumeric) {
            j += 1;
        }
        j
    }
}

/// Splits a sentence into tokens and looks each word up.
pub fn tokenize<'s, 'd>(sentence: &'s str, dict: &'d Dict) -> Vec<Token<'s, 'd>> {
    let mut out = Vec::with_capacity(sentence.len() / 5);
    tokenize_into(sentence, dict, &mut out);
    out
}

/// `tokenize`, appending to `out`: an article's sentences share one buffer
/// (one allocation, not one a sentence). Offsets stay the sentence's.
pub fn tokenize_into<'s, 'd>(sentence: &'s str, dict: &'d Dict, out: &mut Vec<Token<'s, 'd>>) {
    let first = out.len();
    if sentence.is_ascii() {
        scan(sentence, &Ascii(sentence.as_bytes()), dict, out);
    } else {
        // At most one character a byte: sized once, not grown.
        let mut chars = Vec::with_capacity(sentence.len());
        chars.extend(sentence.char_indices());
        let decoded = Decoded {
            chars,
            len: sentence.len(),
        };
        scan(sentence, &decoded, dict, out);
    }
    join_spaced_thousands(out, first, sentence);
}

/// Appends the tokens of `sentence` to `out`.
fn scan<'s, 'd>(
    sentence: &'s str,
    chars: &impl Chars,
    dict: &'d Dict,
    out: &mut Vec<Token<'s, 'd>>,
) {
    let first = out.len();
    let n = chars.len();
    let at = |i: usize| chars.at(i);
    let offset = |i: usize| chars.offset(i);
    let mut i = 0;
    while i < n {
        let Some(c) = at(i) else { break };
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_alphanumeric() {
            let start = i;
            let mut j = i + 1;
            let mut has_dot = false;
            loop {
                j = chars.alnum_end(j);
                let Some(d) = at(j) else { break };
                // (Asked only of a joiner: most words end at a space.)
                let next_alnum = || at(j + 1).is_some_and(char::is_alphanumeric);
                // Joiners inside a word: "al-Asad", "U.S", "1,000", "2.5".
                let joins = match d {
                    '-' | '‑' => next_alnum(),
                    '.' => {
                        next_alnum()
                            && !at(j + 1).is_some_and(|x| x.is_lowercase() && j - start > 3)
                    }
                    ',' => {
                        at(j - 1).is_some_and(|x| x.is_ascii_digit())
                            && at(j + 1).is_some_and(|x| x.is_ascii_digit())
                            && at(j + 4).is_none_or(|x| !x.is_ascii_digit())
                    }
                    _ if is_apostrophe(d) => {
                        // "France's", "didn't" split; "N'Djamena", "Côte d'Ivoire" stay.
                        next_alnum() && {
                            let tail: String = (j + 1..)
                                .map_while(at)
                                .take_while(|x| x.is_alphanumeric())
                                .collect();
                            !(tail.eq_ignore_ascii_case("s")
                                || tail.eq_ignore_ascii_case("t")
                                || tail.eq_ignore_ascii_case("ll")
                                || tail.eq_ignore_ascii_case("re")
                                || tail.eq_ignore_ascii_case("ve")
                                || tail.eq_ignore_ascii_case("d"))
                        }
                    }
                    _ => false,
                };
                if !joins {
                    break;
                }
                has_dot |= d == '.';
                j += 1;
            }
            // "U.S." keeps its final period; "n't" splits off "didn't".
            if has_dot && at(j) == Some('.') && j - start <= 6 {
                j += 1;
            }
            let mut end_char = j;
            // (The apostrophe first: most words are followed by none.)
            let word_lower_tail_nt = at(j).is_some_and(is_apostrophe) && {
                let w = &sentence[offset(start)..offset(j)];
                w.len() > 1
                    && (w.ends_with('n') || w.ends_with('N'))
                    && at(j + 1).is_some_and(|x| x == 't' || x == 'T')
                    && at(j + 2).is_none_or(|x| !x.is_alphanumeric())
            };
            if word_lower_tail_nt {
                end_char = j - 1; // "did" + "n't"
            }
            push(out, sentence, offset(start), offset(end_char), dict);
            if word_lower_tail_nt {
                push(out, sentence, offset(j - 1), offset(j + 2), dict);
                i = j + 2;
            } else {
                i = j;
            }
            continue;
        }
        if is_apostrophe(c) && at(i + 1).is_some_and(char::is_alphabetic) {
            // "'s", "'ll", "'re", "'ve", "'d"
            let mut j = i + 1;
            while at(j).is_some_and(char::is_alphabetic) {
                j += 1;
            }
            let glued = out.len() > first && out.last().is_some_and(|t| t.end == offset(i));
            if j - i <= 3 && glued {
                push(out, sentence, offset(i), offset(j), dict);
                i = j;
                continue;
            }
        }
        let end = offset(i + 1);
        out.push(Token {
            start: offset(i),
            end,
            text: &sentence[offset(i)..end],
            lower: Cow::Borrowed(&sentence[offset(i)..end]),
            kind: Kind::Punct(c),
            cap: false,
            acronym: false,
            info: None,
        });
        i += 1;
    }
}

fn push<'s, 'd>(
    out: &mut Vec<Token<'s, 'd>>,
    sentence: &'s str,
    start: usize,
    end: usize,
    dict: &'d Dict,
) {
    let text = &sentence[start..end];
    let shape = if text.is_ascii() {
        ascii_shape(text)
    } else {
        unicode_shape(text)
    };
    let info = dict.get(&shape.lower);
    out.push(Token {
        start,
        end,
        text,
        lower: shape.lower,
        kind: shape.kind,
        cap: shape.cap,
        acronym: shape.acronym,
        info,
    });
}

/// What `push` needs to know of a word's text.
struct Shape<'s> {
    lower: Cow<'s, str>,
    kind: Kind,
    cap: bool,
    acronym: bool,
}

/// The shape of an ASCII word (most words). Each test stops as soon as it
/// can: most words are lowercase and no number.
fn ascii_shape(text: &str) -> Shape<'_> {
    let bytes = text.as_bytes();
    let first = bytes.first().copied();
    let upper = bytes.iter().any(u8::is_ascii_uppercase);
    let lower = bytes.iter().any(u8::is_ascii_lowercase);
    let number = first.is_some_and(|b| b.is_ascii_digit())
        && bytes
            .iter()
            .all(|&b| b.is_ascii_digit() || b == b',' || b == b'.');
    Shape {
        lower: if upper {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        },
        kind: if number { Kind::Number } else { Kind::Word },
        cap: first.is_some_and(|b| b.is_ascii_uppercase()),
        acronym: !lower && bytes.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 2,
    }
}

/// The shape of a word with non-ASCII letters or a typographic apostrophe.
fn unicode_shape(text: &str) -> Shape<'_> {
    let lower: Cow<str> = if text.chars().any(char::is_uppercase) {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    };
    let lower = match lower {
        Cow::Owned(s) if s.contains('’') => Cow::Owned(s.replace('’', "'")),
        Cow::Borrowed(s) if s.contains('’') => Cow::Owned(s.replace('’', "'")),
        other => other,
    };
    let first = text.chars().next();
    let kind = if first.is_some_and(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        Kind::Number
    } else {
        Kind::Word
    };
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    Shape {
        lower,
        kind,
        cap: first.is_some_and(char::is_uppercase),
        acronym: letters >= 2 && !text.chars().any(char::is_lowercase),
    }
}

/// "2 000 troops", "1 495 personnel": a number written with spaces between
/// its groups of thousands becomes one number token (among `out[first..]`,
/// the tokens of `sentence`).
fn join_spaced_thousands<'s>(out: &mut Vec<Token<'s, '_>>, first: usize, sentence: &'s str) {
    let mut i = first;
    while i + 1 < out.len() {
        let (a, b) = (&out[i], &out[i + 1]);
        let joinable = a.kind == Kind::Number
            && b.kind == Kind::Number
            && a.text.len() <= 3
            && !a.text.contains([',', '.'])
            && b.text.len() == 3
            && b.text.bytes().all(|x| x.is_ascii_digit())
            && sentence[a.end..b.start]
                .chars()
                .all(|c| c == ' ' || c == '\u{a0}')
            && b.start - a.end == sentence[a.end..b.start].len()
            && sentence[a.end..b.start].chars().count() == 1;
        if joinable {
            let (start, end) = (a.start, b.end);
            let joined: String = sentence[start..end]
                .chars()
                .filter(|c| c.is_ascii_digit())
                .collect();
            out[i].end = end;
            out[i].text = &sentence[start..end];
            out[i].lower = Cow::Owned(joined);
            out.remove(i + 1);
        } else {
            i += 1;
        }
    }
}

/// The index of the token that contains byte `offset`, or the first after it.
pub fn token_at(toks: &[Token], offset: usize) -> usize {
    toks.partition_point(|t| t.end <= offset)
}

/// Token indexes `[first, last)` covering bytes `[start, end)`.
pub fn token_span(toks: &[Token], start: usize, end: usize) -> (usize, usize) {
    let first = token_at(toks, start);
    let last = toks.partition_point(|t| t.start < end);
    (first, last.max(first))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::dict::GrammarFile;
    use rstest::rstest;

    fn words(s: &str) -> Vec<String> {
        let file: GrammarFile =
            toml::from_str(include_str!("grammar.toml")).unwrap_or_else(|e| panic!("{e}"));
        let d = Dict::compile(&file);
        tokenize(s, &d)
            .iter()
            .map(|t| t.lower.to_string())
            .collect()
    }

    #[rstest]
    #[case("U.S. troops left.", &["u.s.", "troops", "left", "."])]
    #[case("France's troops didn't leave", &["france", "'s", "troops", "did", "n't", "leave"])]
    #[case("about 2,500 troops", &["about", "2,500", "troops"])]
    #[case("some 2 000 soldiers", &["some", "2000", "soldiers"])]
    #[case("the pull-out from al-Asad", &["the", "pull-out", "from", "al-asad"])]
    #[case("N'Djamena said", &["n'djamena", "said"])]
    #[case("in 2023 100 troops", &["in", "2023", "100", "troops"])]
    #[case("It won't", &["it", "wo", "n't"])]
    fn splits(#[case] text: &str, #[case] expected: &[&str]) {
        assert_eq!(words(text), expected);
    }
}
