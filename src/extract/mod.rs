//! Extraction: `&Article -> Vec<Claim>`. Pure and deterministic: no I/O, no
//! clock. Everything it knows about countries, forces, places and trigger words
//! comes from the lexicon tables (`lexicon.toml`), never from code about one
//! country. Steps: split sentences, find names/cues/times in each, decide the
//! article's context (who leaves where), then apply the rules of `rules.rs`.

pub mod attribution;
pub mod context;
pub mod counts;
pub mod lexicon;
pub mod rules;
pub mod sentence;
pub mod time;

use std::cell::OnceCell;
use std::collections::HashMap;

use chrono::NaiveDate;

use crate::model::{Article, Attribute, Claim, Value};

pub use context::ArticleContext;
pub use lexicon::Lexicon;

use lexicon::{CueKind, Hit, NameKind};
use time::TimeMatch;

/// What one sentence holds, found once and shared by every rule. Offsets in
/// `names`, `cues` and `times` are relative to the sentence.
#[derive(Debug, Clone)]
pub struct Analysis<'t> {
    /// The sentence itself, `text[start..end]`.
    pub sentence: &'t str,
    pub start: usize,
    pub end: usize,
    pub paragraph: usize,
    pub names: Vec<Hit<NameKind>>,
    pub cues: Vec<Hit<CueKind>>,
    /// Time phrases, read on first use: most sentences never need them.
    times: OnceCell<Vec<TimeMatch>>,
    published: NaiveDate,
    /// Speaks of a force leaving (a withdrawal word, or a milestone word).
    pub is_withdrawal: bool,
    /// "in two phases", "a three-stage plan".
    pub total_phases: Option<u32>,
    /// Cites another outlet's report: its claims are that report's.
    pub is_citation: bool,
}

impl Analysis<'_> {
    pub fn has(&self, kind: CueKind) -> bool {
        self.cues.iter().any(|c| c.kind == kind)
    }

    /// The time phrases of the sentence, in text order.
    pub fn times(&self) -> &[TimeMatch] {
        self.times
            .get_or_init(|| time::find_times(self.sentence, self.published))
    }
}

/// Every claim the article makes about a withdrawal, in text order, each
/// (event, attribute, value) once.
pub fn extract(article: &Article, lex: &Lexicon) -> Vec<Claim> {
    let text = article.text.as_str();
    let analyses: Vec<Analysis> = sentence::split(text, lex)
        .into_iter()
        .map(|s| analyze(text, s, article, lex))
        .collect();
    let Some(ctx) = ArticleContext::decide(text, &analyses, lex) else {
        return Vec::new();
    };
    let mut claims = Vec::new();
    let mut paragraph_speaker: (usize, Option<String>) = (0, None);
    for a in &analyses {
        let sentence = &text[a.start..a.end];
        let speaker = attribution::speaker(sentence, &a.cues, lex);
        if paragraph_speaker.0 != a.paragraph {
            paragraph_speaker = (a.paragraph, None);
        }
        if speaker.is_some() && paragraph_speaker.1.is_none() {
            paragraph_speaker.1 = speaker.clone();
        }
        // A sentence without a speaker inherits its paragraph's.
        let attributed = speaker.or_else(|| paragraph_speaker.1.clone());
        if a.is_citation {
            continue;
        }
        rules::sentence_claims(text, a, &ctx, lex, article, attributed, &mut claims);
    }
    // Each (event, attribute, value) once: the first mention, unless a later
    // one says who said it.
    let mut kept: Vec<Claim> = Vec::with_capacity(claims.len());
    let mut seen: HashMap<(String, Attribute, Value), usize> = HashMap::new();
    for claim in claims {
        let key = (
            claim.event.key.clone(),
            claim.attribute,
            claim.value.clone(),
        );
        match seen.get(&key) {
            Some(&i) => {
                if kept[i].attributed_to.is_none() && claim.attributed_to.is_some() {
                    kept[i] = claim;
                }
            }
            None => {
                seen.insert(key, kept.len());
                kept.push(claim);
            }
        }
    }
    kept
}

fn analyze<'t>(
    text: &'t str,
    s: sentence::Sentence,
    article: &Article,
    lex: &Lexicon,
) -> Analysis<'t> {
    let sentence = &text[s.start..s.end];
    let (names, cues) = lex.find_names_and_cues(sentence);
    // A withdrawal word, a final-departure word, or a numbered phase ("the
    // first phase will conclude ...") puts the sentence in scope.
    let is_withdrawal = cues.iter().any(|c| {
        matches!(
            c.kind,
            CueKind::Withdrawal | CueKind::Final | CueKind::StatusCompleted
        ) || c.kind == CueKind::Phase && rules::phase_ordinal(sentence, c).is_some()
    });
    let total_phases = cues
        .iter()
        .filter(|c| c.kind == CueKind::Phase)
        .find_map(|c| rules::phase_total(sentence, c));
    let is_citation = cues.iter().any(|c| c.kind == CueKind::Citation);
    Analysis {
        sentence,
        start: s.start,
        end: s.end,
        paragraph: s.paragraph,
        names,
        cues,
        times: OnceCell::new(),
        published: article.published,
        is_withdrawal,
        total_phases,
        is_citation,
    }
}

#[cfg(test)]
mod tests {
    //! One short article per case: the claims a rule must (or must not) find.
    use super::*;
    use crate::alert::message::format_value;
    use chrono::NaiveDate;
    use rstest::rstest;

    fn claims(text: &str) -> Vec<String> {
        let lex = Lexicon::built_in().unwrap_or_else(|e| panic!("lexicon: {e}"));
        let article = Article {
            title: "t".into(),
            source: Some("Wire".into()),
            url: None,
            path: None,
            published: NaiveDate::from_ymd_opt(2024, 9, 6).unwrap_or_default(),
            text: text.into(),
        };
        extract(&article, &lex)
            .iter()
            .map(|c| {
                format!(
                    "{} {} = {} ({:?})",
                    c.event.key,
                    c.attribute.as_str(),
                    format_value(&c.value),
                    c.modality
                )
            })
            .collect()
    }

    #[rstest]
    // A deadline on the withdrawal as a whole.
    #[case(
        "French troops will leave Mali by the end of 2025.",
        "ML/france/final deadline = end of 2025 (Planned)"
    )]
    // A numbered phase, and the last of two phases is the final departure.
    #[case(
        "The pull-out of US troops from Iraq happens in two phases: the first phase ends by September 2025 and the second phase by September 2026.",
        "IQ/us/phase-1 deadline = September 2025 (Planned)"
    )]
    #[case(
        "The pull-out of US troops from Iraq happens in two phases: the first phase ends by September 2025 and the second phase by September 2026.",
        "IQ/us/final deadline = September 2026 (Planned)"
    )]
    // A named base.
    #[case(
        "US troops will leave Bagram air base in Afghanistan by July 2025.",
        "AF/us/base-bagram deadline = July 2025 (Planned)"
    )]
    // A rejected proposal is recorded as rejected.
    #[case(
        "Washington proposed that US troops leave Iraq by 2027, but Baghdad rejected it.",
        "IQ/us/final deadline = 2027 (Rejected)"
    )]
    // Troop counts.
    #[case(
        "About 2,500 US troops remain in Iraq, and the withdrawal continues.",
        "IQ/us/drawdown troop_count = about 2,500 troops (Completed)"
    )]
    // A level the force is to be brought to, named after it.
    #[case(
        "The US will withdraw some troops: Washington will reduce the number of American troops in Germany to 25,000.",
        "DE/us/drawdown troop_count = 25,000 troops (Planned)"
    )]
    #[case(
        "The drawdown of US forces in Iraq has been completed, bringing US troops in Iraq down to 2,500.",
        "IQ/us/drawdown troop_count = 2,500 troops (Completed)"
    )]
    // "has agreed to withdraw": the withdrawal's status.
    #[case(
        "The United States has agreed to withdraw its troops from Niger.",
        "NE/us/final status = agreed (Planned)"
    )]
    // A completion with its day.
    #[case(
        "France has completed its withdrawal from Niger. The last French soldiers left Niger on September 2.",
        "NE/france/final status = completed (Completed)"
    )]
    #[case(
        "France has completed its withdrawal from Niger. The last French soldiers left Niger on September 2.",
        "NE/france/final deadline = 2 September 2024 (Completed)"
    )]
    fn finds(#[case] text: &str, #[case] expected: &str) {
        let got = claims(text);
        assert!(
            got.iter().any(|c| c == expected),
            "{expected:?} not in {got:#?}"
        );
    }

    #[rstest]
    // History is not a deadline.
    #[case(
        "US troops first invaded Iraq in 2003 and withdrew in 2011; the new plan is to leave Iraq soon.",
        "2003"
    )]
    #[case(
        "US troops first invaded Iraq in 2003 and withdrew in 2011; the new plan is to leave Iraq soon.",
        "2011"
    )]
    // Another event's date.
    #[case(
        "US troops will leave Iraq before the elections in October 2025.",
        "October 2025"
    )]
    // Casualties are not troop counts.
    #[case(
        "US troops are leaving Iraq after attacks killed 3 soldiers.",
        "troop_count"
    )]
    // A start date is not a deadline.
    #[case(
        "The withdrawal of US troops from Niger will start on May 1.",
        "deadline"
    )]
    // A plan is not a completion.
    #[case(
        "The withdrawal of French troops from Niger will be completed in December.",
        "completed"
    )]
    // Another force's withdrawal in the same article.
    #[case(
        "US troops will leave Afghanistan by May 2025. Germany and Italy brought their last soldiers home at the end of June.",
        "June"
    )]
    // A level in other countries, named before the number.
    #[case(
        "US troops will leave Germany by May 2025. Cuts in Afghanistan and Iraq were ordered too, bringing the number of US troops in each country down to 2,500.",
        "troop_count"
    )]
    // Troops sent somewhere: "to 12 bases" is no level.
    #[case(
        "US troops will leave Iraq by 2026; some troops were moved to 12 bases in Syria.",
        "troop_count"
    )]
    // Withdrawing from a treaty is no troop withdrawal.
    #[case(
        "Russia will withdraw from the arms treaty by the end of 2025.",
        "deadline"
    )]
    fn does_not_find(#[case] text: &str, #[case] absent: &str) {
        let got = claims(text);
        assert!(
            !got.iter().any(|c| c.contains(absent)),
            "{absent:?} found in {got:#?}"
        );
    }
}
