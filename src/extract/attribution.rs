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
    let end = after
        .find([',', '.', ';', ':', '"', '“', '”', '('])
        .unwrap_or(after.len());
    let phrase = after[..end].trim();
    let words = phrase.split_whitespace().count();
    (words > 0 && words <= 10).then(|| phrase.to_string())
}

/// The short noun phrase right before a speech verb, back to a comma, quote or
/// the sentence start: "al-Abassi", "A senior U.S. official".
fn phrase_before(before: &str) -> Option<String> {
    let trimmed = before.trim_end();
    let start = trimmed
        .rfind([',', '"', '“', '”', ';', ':', '(', ')'])
        .map_or(0, |i| {
            i + trimmed[i..].chars().next().map_or(1, char::len_utf8)
        });
    // "KABUL (Reuters) - The Taliban said": the dash after the agency's bracket.
    let mut phrase = strip_dateline(trimmed[start..].trim())
        .trim_start_matches(['-', '–', '—'])
        .trim_start();
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
    let first = phrase.split_whitespace().next().unwrap_or("");
    let letters = first.chars().filter(|c| c.is_alphabetic());
    if letters.clone().count() < 2 || !letters.clone().all(char::is_uppercase) {
        return phrase;
    }
    [" - ", " – ", " — ", " -- "]
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
