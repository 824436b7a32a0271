//! Who said it: "according to Iraqi Defence Minister Jane Doe", "..., Doe
//! said", "a senior official stated". Finds the speaker of a sentence from the
//! speech cues of the lexicon; pure.

use super::lexicon::{CueKind, Hit, Lexicon};

/// The speaker named in a sentence, with glued words split ("MinisterSabit").
pub fn speaker(sentence: &str, cues: &[Hit<CueKind>], lex: &Lexicon) -> Option<String> {
    // Speech verbs are lowercase mid-sentence: "United States" is not "states".
    let verbs = cues.iter().filter(|c| {
        c.kind == CueKind::Speech
            && (c.start == 0 || sentence[c.start..].starts_with(|ch: char| ch.is_lowercase()))
    });
    // "according to X" names the source most directly; try it first.
    let (according, others): (Vec<&Hit<CueKind>>, Vec<&Hit<CueKind>>) =
        verbs.partition(|c| sentence[c.start..c.end].eq_ignore_ascii_case("according to"));
    for cue in according.into_iter().chain(others) {
        let word = &sentence[cue.start..cue.end];
        let after = sentence.get(cue.end..).unwrap_or("");
        let before = sentence.get(..cue.start).unwrap_or("");
        let found = if word.eq_ignore_ascii_case("according to") {
            // "according to the agreement" names a document, not a speaker.
            phrase_after(after).filter(|p| {
                !lex.find_cues(p)
                    .iter()
                    .any(|c| c.kind == CueKind::Agreement)
            })
        } else {
            // "..., al-Abassi said." / "A senior official stated," / "said Minister X"
            phrase_before(before).or_else(|| capitalised_after(after))
        };
        if let Some(name) = found {
            return Some(unglue(&name, lex));
        }
    }
    None
}

/// "according to Iraq's Defence Minister Jane Doe, the ..." → up to the first comma.
fn phrase_after(after: &str) -> Option<String> {
    let bytes = after.as_bytes();
    // Not the dots of "U.S." or "Gen.": a dot ends the phrase before a space
    // and after a word of two letters or more.
    let abbreviation_dot = |i: usize| {
        bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
            || i >= 1
                && bytes[i - 1].is_ascii_uppercase()
                && (i == 1 || matches!(bytes[i - 2], b'.' | b' '))
    };
    let end = after
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, ',' | ';' | ':' | '"' | '“' | '”' | '(') || c == '.' && !abbreviation_dot(i)
        })
        .map_or(after.len(), |(i, _)| i);
    let phrase = after[..end].trim();
    let words = phrase.split_whitespace().count();
    // "according to the mandate", "according to recent estimates": a
    // document or a figure, not a speaker.
    let document = phrase.split_whitespace().any(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "mandate"
                | "arrangement"
                | "arrangements"
                | "plan"
                | "schedule"
                | "timetable"
                | "estimates"
                | "figures"
                | "data"
                | "terms"
                | "resolution"
                | "communiqué"
                | "communique"
                | "document"
                | "documents"
        )
    });
    (words > 0 && words <= 10 && !document).then(|| phrase.to_string())
}

/// The short noun phrase right before a speech verb, back to a comma, quote or
/// the sentence start: "al-Abassi", "A senior U.S. official".
fn phrase_before(before: &str) -> Option<String> {
    let trimmed = before.trim_end();
    // "... denied reports ... and said": the verb's subject is not next to it.
    if trimmed.ends_with(" and") || trimmed.ends_with(" but") {
        return None;
    }
    // Back to a comma, quote or bracket; not the comma inside "1,000".
    let bytes = trimmed.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let start = trimmed
        .char_indices()
        .rev()
        .find(|&(i, c)| {
            matches!(c, ',' | '"' | '“' | '”' | ';' | ':' | '(' | ')')
                && !(c == ',' && i > 0 && digit(i - 1) && digit(i + 1))
        })
        .map_or(0, |(i, c)| i + c.len_utf8());
    // Right after an opening quote: words of the quotation, not a speaker.
    let opening = trimmed[..start].ends_with('“')
        || trimmed[..start].ends_with('"')
            && trimmed[..start - 1]
                .chars()
                .next_back()
                .is_none_or(char::is_whitespace);
    if start > 0 && opening {
        return None;
    }
    // "KABUL (Reuters) - The Taliban said": the dash after the agency's bracket.
    let mut phrase = strip_dateline(trimmed[start..].trim())
        .trim_start_matches(['-', '–', '—'])
        .trim_start();
    // "which the Kremlin said", "as Paris said", "two months after Macron
    // said": the speaker follows the word that opens the clause.
    let opener = phrase
        .match_indices(' ')
        .map(|(i, _)| i + 1)
        .chain(std::iter::once(0))
        .filter(|&i| {
            let w = phrase[i..].split_whitespace().next().unwrap_or("");
            matches!(
                w,
                "which"
                    | "that"
                    | "as"
                    | "after"
                    | "before"
                    | "when"
                    | "while"
                    | "since"
                    | "because"
                    | "where"
                    | "who"
                    | "whom"
            )
        })
        .max();
    if let Some(i) = opener {
        let w = phrase[i..].split_whitespace().next().unwrap_or("");
        phrase = phrase[i + w.len()..].trim_start();
    }
    // "Paris and Washington said": the last of the pair is not the speaker alone.
    if phrase.starts_with("and ") || phrase.starts_with("or ") {
        return None;
    }
    for neg in [" not", " never"] {
        phrase = phrase.strip_suffix(neg).unwrap_or(phrase).trim_end();
    }
    // "The government has announced": the auxiliary is not part of the name.
    for aux in [
        " has",
        " have",
        " had",
        " was",
        " were",
        " is",
        " also",
        " has also",
    ] {
        phrase = phrase.strip_suffix(aux).unwrap_or(phrase).trim_end();
    }
    let words: Vec<&str> = phrase.split_whitespace().collect();
    if words.is_empty() || words.len() > 8 {
        return None;
    }
    // A speaker starts with a capital ("Officials", "al-Abassi" is lowercase-led: allow "al-").
    let first = words[0];
    let speaker_like = words.iter().any(|w| {
        w.chars().next().is_some_and(char::is_uppercase)
            || w.starts_with("al-")
            || w.starts_with("el-")
    });
    // Pronouns are not names.
    let pronoun = matches!(
        first.to_ascii_lowercase().as_str(),
        "he" | "she" | "they" | "it" | "we" | "i" | "this" | "that"
    );
    (speaker_like && !pronoun).then(|| phrase.to_string())
}

/// "BERLIN - U.S. President Donald Trump" → "U.S. President Donald Trump": a
/// news dateline (a capitalised place, maybe an agency, then a dash) is where
/// the story was filed, not who spoke.
fn strip_dateline(phrase: &str) -> &str {
    let first = phrase
        .split(|c: char| c.is_whitespace() || c == '—' || c == '–')
        .next()
        .unwrap_or("");
    let letters = first.chars().filter(|c| c.is_alphabetic());
    if letters.clone().count() < 2 || !letters.clone().all(char::is_uppercase) {
        return phrase;
    }
    // "WASHINGTON - ...", also with an unspaced long dash ("WASHINGTON—...").
    [" - ", " – ", " — ", " -- ", "—", "–"]
        .iter()
        .filter_map(|dash| phrase.find(dash).map(|i| i + dash.len()))
        .min()
        .map_or(phrase, |after| phrase[after..].trim_start())
}

/// "said Defence Minister Jane Doe" → the run of capitalised words.
fn capitalised_after(after: &str) -> Option<String> {
    let mut words = Vec::new();
    for w in after.split_whitespace() {
        let clean = w.trim_end_matches([',', '.', ';', ':', '"', '”']);
        let cap = clean.chars().next().is_some_and(char::is_uppercase) || clean.starts_with("al-");
        if !cap {
            break;
        }
        // "said President Trump's plan will proceed": a possessive starts
        // what was said, not who said it.
        if clean.ends_with("'s") || clean.ends_with("’s") {
            return None;
        }
        words.push(clean);
        if clean.len() != w.len() {
            break;
        }
    }
    (!words.is_empty()).then(|| words.join(" "))
}

/// Splits words glued after a title ("MinisterSabit" → "Minister Sabit").
fn unglue(name: &str, lex: &Lexicon) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, word) in name.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let split = lex.find_cues(word).into_iter().find(|h| {
            h.kind == CueKind::Title
                && h.start == 0
                && h.end < word.len()
                && word
                    .as_bytes()
                    .get(h.end)
                    .is_some_and(u8::is_ascii_uppercase)
        });
        match split {
            Some(h) => {
                out.push_str(&word[..h.end]);
                out.push(' ');
                out.push_str(&word[h.end..]);
            }
            None => out.push_str(word),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        "The plan is agreed, according to Defence MinisterJane Doe.",
        Some("Defence Minister Jane Doe")
    )]
    #[case(
        "\"We are leaving,\" the Foreign Minister said.",
        Some("the Foreign Minister")
    )]
    #[case("We are leaving, Doe said.", Some("Doe"))]
    #[case("A senior official stated, \"It is done.\"", Some("A senior official"))]
    #[case("The force will leave, said General Ann Roe.", Some("General Ann Roe"))]
    #[case("He said the force will leave.", None)]
    #[case("It is going according to the agreement signed in Paris.", None)]
    #[case(
        "The United States and Iraq agreed, according to Jane Doe.",
        Some("Jane Doe")
    )]
    #[case("The government has announced the plan.", Some("The government"))]
    #[case("The force will leave by May.", None)]
    // Not a number's comma, not a verb coordinated with an earlier one, not
    // a possessive after the verb, not the words of a quotation.
    #[case(
        "The ministry denied that it would keep about 1,000 troops in Chad and said the exit would proceed.",
        None
    )]
    #[case(
        "Officials said President Ruto's plan will proceed.",
        Some("Officials")
    )]
    #[case(
        "\u{201c}There is no change to the plan announced in May,\u{201d} he said.",
        None
    )]
    #[case(
        "The force will stay, according to the U.S. ambassador.",
        Some("the U.S. ambassador")
    )]
    #[case("The force will stay, according to the mandate agreed in May.", None)]
    #[case(
        "The Pentagon has not said when the troops will leave.",
        Some("The Pentagon")
    )]
    #[case(
        "The force left in May, which the Foreign Ministry said was early.",
        Some("the Foreign Ministry")
    )]
    #[case(
        "NAIROBI—President Jane Doe said the troops would leave.",
        Some("President Jane Doe")
    )]
    #[case(
        "BERLIN - U.S. President Donald Trump said on Monday that troops would leave.",
        Some("U.S. President Donald Trump")
    )]
    #[case(
        "KABUL (Reuters) — The Taliban said the talks were over.",
        Some("The Taliban")
    )]
    #[case("NATO said the mission would end.", Some("NATO"))]
    fn finds_the_speaker(#[case] sentence: &str, #[case] expected: Option<&str>) {
        let lex = Lexicon::shared();
        let cues = lex.find_cues(sentence);
        assert_eq!(speaker(sentence, &cues, lex).as_deref(), expected);
    }
}
