//! Splits article text into sentences with byte offsets, grouped by paragraph,
//! and drops what is not the story: web boilerplate ("Leave a Reply"), bylines
//! and short headings without a verb. Pure; survives badly copied text.

use super::lexicon::{CueKind, Lexicon};

/// A sentence: byte offsets into the article text and the paragraph it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub paragraph: usize,
}

/// Abbreviations after which a period does not end a sentence.
const ABBREVIATIONS: [&str; 30] = [
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "maj", "capt", "st", "no", "vs", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "adm", "brig",
    "sen", "rep", "gov",
];

/// The sentences of `text`, in order. Lines are paragraphs; a line that is web
/// boilerplate or a byline is skipped whole.
pub fn split(text: &str, lexicon: &Lexicon) -> Vec<Sentence> {
    // A news sentence runs some 130 bytes: room for most without growing.
    let mut out = Vec::with_capacity(text.len() / 100);
    let mut offset = 0;
    let mut paragraph = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        paragraph += 1;
        if is_noise_line(trimmed, lexicon) {
            continue;
        }
        split_line(
            text,
            line_start,
            line_start + line.len(),
            paragraph,
            &mut out,
        );
    }
    out
}

/// Boilerplate, bylines and datelines carry no claims.
fn is_noise_line(line: &str, lexicon: &Lexicon) -> bool {
    // Only short lines can be noise: stop counting past 16 words.
    let words = count_words(line, 17);
    if words <= 16
        && lexicon
            .find_cues(line)
            .iter()
            .any(|h| h.kind == CueKind::Boilerplate)
    {
        return true;
    }
    // "By Jane Doe and John Roe", "Jane Doe – Some Daily News"
    if words <= 10 && (line.starts_with("By ") || line.contains(" – ") || line.contains(" - ")) {
        let capitalised = line
            .split_whitespace()
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
            .count();
        if capitalised * 2 >= words && !line.ends_with('.') {
            return true;
        }
    }
    false
}

/// The words of `line` (as `split_whitespace` cuts them), counted up to
/// `limit`. An ASCII line (most) is read as bytes, without decoding.
fn count_words(line: &str, limit: usize) -> usize {
    if line.is_ascii() {
        // The ASCII characters `char::is_whitespace` knows: tab to carriage
        // return, and space.
        line.as_bytes()
            .split(|b| matches!(b, b'\t'..=b'\r' | b' '))
            .filter(|word| !word.is_empty())
            .take(limit)
            .count()
    } else {
        line.split_whitespace().take(limit).count()
    }
}

/// Splits one line into sentences at `.`, `!` or `?` followed by space and a
/// capital, a digit or a quote, unless the word before is an abbreviation or an
/// initial ("U.S.").
fn split_line(text: &str, start: usize, end: usize, paragraph: usize, out: &mut Vec<Sentence>) {
    let bytes = text.as_bytes();
    let mut sentence_start = start;
    let mut i = start;
    while let Some(found) = bytes
        .get(i..end)
        .and_then(|b| memchr::memchr3(b'.', b'!', b'?', b))
    {
        i += found;
        if ends_sentence(text, sentence_start, i, end) {
            // Keep closing quotes and brackets with the sentence.
            let mut j = i + 1;
            while j < end && is_closing(text, j) {
                j += char_len(text, j);
            }
            push(text, sentence_start, j, paragraph, out);
            sentence_start = j;
            i = j;
            continue;
        }
        i += 1;
    }
    push(text, sentence_start, end, paragraph, out);
}

fn char_len(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|s| s.chars().next())
        .map_or(1, char::len_utf8)
}

fn is_closing(text: &str, at: usize) -> bool {
    matches!(
        text.get(at..).and_then(|s| s.chars().next()),
        Some('"' | '\'' | '”' | '’' | ')' | ']')
    )
}

fn ends_sentence(text: &str, sentence_start: usize, at: usize, end: usize) -> bool {
    // What follows: closing quotes, then whitespace, then a sentence opener.
    let mut j = at + 1;
    while j < end && is_closing(text, j) {
        j += char_len(text, j);
    }
    let rest = text.get(j..end).unwrap_or("");
    let after_space = rest.trim_start();
    if after_space.len() == rest.len() && !rest.is_empty() {
        return false; // "U.S.-led", "2.5"
    }
    let opener = after_space.chars().next();
    let opens = match opener {
        None => true,
        Some(c) => c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '‘' | '\''),
    };
    if !opens || text.as_bytes().get(at) != Some(&b'.') {
        return opens;
    }
    // The word before the period.
    let before = text.get(sentence_start..at).unwrap_or("");
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    if word.len() == 1 && word.chars().all(|c| c.is_uppercase()) {
        return false; // an initial: "John F. Kennedy"
    }
    if word.contains('.') {
        return false; // "U.S." "e.g."
    }
    let lower = word.to_ascii_lowercase();
    !ABBREVIATIONS.contains(&lower.as_str())
}

fn push(text: &str, start: usize, end: usize, paragraph: usize, out: &mut Vec<Sentence>) {
    let Some(slice) = text.get(start..end) else {
        return;
    };
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    let (s, e) = (start + lead, end - trail);
    if e > s {
        out.push(Sentence {
            start: s,
            end: e,
            paragraph,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn sentences(text: &str) -> Vec<String> {
        split(text, Lexicon::shared())
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[rstest]
    #[case("One sentence here. Another one.", &["One sentence here.", "Another one."])]
    #[case("U.S. troops left. They said so.", &["U.S. troops left.", "They said so."])]
    #[case("The U.S.-led force stays. Gen. Smith agreed.", &["The U.S.-led force stays.", "Gen. Smith agreed."])]
    #[case("He said \"we leave.\" Then he left.", &["He said \"we leave.\"", "Then he left."])]
    #[case("About 2.5 thousand remain. Yes.", &["About 2.5 thousand remain.", "Yes."])]
    #[case("First line\nSecond line.", &["First line", "Second line."])]
    #[case("Body text here.\n\nLeave a Reply\n\nBack to top button", &["Body text here."])]
    #[case("By Jane Doe and John Roe\n\nTroops left.", &["Troops left."])]
    #[case("Sam Poe – The Daily Ledger\nTroops left.", &["Troops left."])]
    fn splits(#[case] text: &str, #[case] expected: &[&str]) {
        assert_eq!(sentences(text), expected);
    }

    #[rstest]
    #[case("")]
    #[case("  Troops  left\tthe\x0bbase\r\n")]
    #[case("one two three four five six seven eight nine ten")]
    #[case("non\u{a0}ASCII\u{2003}spaces, Côte d'Ivoire")]
    fn counts_words_as_split_whitespace_does(#[case] line: &str) {
        for limit in [0, 3, 17] {
            assert_eq!(
                count_words(line, limit),
                line.split_whitespace().take(limit).count()
            );
        }
    }

    #[test]
    fn offsets_point_into_the_text_with_paragraphs() {
        let text = "Alpha one. Alpha two.\n\nBeta.";
        let got = split(text, Lexicon::shared());
        let paragraphs: Vec<usize> = got.iter().map(|s| s.paragraph).collect();
        assert_eq!(paragraphs, vec![1, 1, 2]);
        assert_eq!(&text[got[2].start..got[2].end], "Beta.");
    }
}
