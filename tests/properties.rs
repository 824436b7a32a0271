//! Invariants that must hold on any input (proptest): the article readers and
//! the POST reader never panic and return a titled, non-empty article or a
//! typed error; the time grammar's spans lie inside the text on char
//! boundaries with `earliest <= latest`; so do the extractor's claims. The
//! checks are the fuzz targets' own (`fuzz/src/lib.rs`); the inputs here are
//! random bytes and random sentences of the words the grammar and lexicon know.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)] // each test file uses a part
mod harness;

use std::sync::OnceLock;

use drawdown::extract::{Lexicon, extract, time::find_times};
use drawdown::model::Article;
use proptest::prelude::*;

/// Words that make the grammar and the extractor fire, mixed with noise.
const WORDS: &[&str] = &[
    "by",
    "the",
    "end",
    "of",
    "in",
    "until",
    "at",
    "least",
    "within",
    "before",
    "after",
    "early",
    "mid",
    "late",
    "first",
    "second",
    "half",
    "quarter",
    "Q3",
    "H2",
    "spring",
    "summer",
    "next",
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "two",
    "three",
    "six",
    "a",
    "and",
    "or",
    "to",
    "from",
    "between",
    "January",
    "September",
    "Sept.",
    "December",
    "2024",
    "2025",
    "2026",
    "2027",
    "1999",
    "9999",
    "0",
    "31",
    "29",
    "February",
    "30",
    "2,500",
    "1,200",
    "about",
    "some",
    "more",
    "than",
    "troops",
    "soldiers",
    "withdraw",
    "withdrawal",
    "leave",
    "pull",
    "out",
    "phase",
    "phases",
    "base",
    "bases",
    "final",
    "completed",
    "postponed",
    "pushed",
    "back",
    "Iraq",
    "US-led",
    "coalition",
    "France",
    "Mali",
    "Niger",
    "MINUSMA",
    "Germany",
    "said",
    "according",
    "minister",
    "Defence",
    "“",
    "”",
    "\"",
    ",",
    ".",
    ";",
    ":",
    "-",
    "—",
    "–",
    "(",
    ")",
    "\n",
    "\n\n",
    "é",
    "２０２６",
    "ß",
    "İ",
    "\u{200b}",
    "\u{FFFD}",
    "١٢",
    "timeline",
    "deadline",
    "years-long",
    "two-year",
    "18-month",
    "mid-2026",
    "2026-27",
    "end-of-year",
    "coming",
    "weeks'",
    "time",
];

fn sentence() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        8 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => any::<u16>().prop_map(|n| n.to_string()),
        1 => "\\PC{0,6}",
    ];
    proptest::collection::vec(
        (
            word,
            proptest::sample::select(&[" ", " ", " ", "", "\n"][..]),
        ),
        0..60,
    )
    .prop_map(|parts| parts.into_iter().map(|(w, sep)| w + sep).collect())
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| Lexicon::built_in().unwrap_or_else(|e| panic!("lexicon: {e}")))
}

/// Article-like bytes: random, or a sentence with a header, in some format.
fn article_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        sentence().prop_map(|s| format!("Title: {s}\nPublished: 2025-03-14\n\n{s}").into_bytes()),
        sentence().prop_map(|s| format!("<html><head><meta charset=latin1><title>{s}</title></head><body><article><p>{s}</p><p>{s}</p></article></body></html>").into_bytes()),
        sentence().prop_map(|s| {
            let json = serde_json::json!({"title": s, "published": "2025-01-01", "text": s});
            json.to_string().into_bytes()
        }),
        (sentence(), proptest::collection::vec(128u8.., 1..8)).prop_map(|(s, high)| {
            let mut bytes = s.into_bytes();
            bytes.extend(high);
            bytes
        }),
        sentence().prop_map(|s| {
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
            bytes
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn readers_never_panic(pick in any::<u8>(), bytes in article_bytes()) {
        let mut data = vec![pick];
        data.extend(bytes);
        harness::article_readers(&data);
    }

    #[test]
    fn the_post_reader_never_panics(
        pick in any::<u8>(),
        present in any::<u8>(),
        headers in sentence(),
        bytes in article_bytes(),
    ) {
        let mut data = vec![pick, present];
        data.extend(headers.replace('\n', " ").into_bytes());
        data.push(b'\n');
        data.extend(bytes);
        harness::http_article(&data);
    }

    #[test]
    fn time_spans_lie_on_char_boundaries_and_intervals_are_ordered(
        text in sentence(),
        (mode, a, b) in (any::<u8>(), any::<u8>(), any::<u8>()),
    ) {
        let published = harness::day_from(mode, a, b);
        harness::check_times(&text, &find_times(&text, published));
    }

    #[test]
    fn claims_point_into_the_text(
        title in sentence(),
        text in sentence(),
        (mode, a, b) in (any::<u8>(), any::<u8>(), any::<u8>()),
    ) {
        let article = Article {
            title,
            source: None,
            url: None,
            path: None,
            published: harness::day_from(mode, a, b),
            text,
        };
        for claim in extract(&article, lexicon()) {
            harness::check_claim(&article.text, &claim);
        }
    }

    #[test]
    fn feeds_never_panic(items in proptest::collection::vec((sentence(), sentence()), 0..4)) {
        let items: String = items
            .iter()
            .map(|(t, d)| format!("<item><title>{}</title><description><![CDATA[{d}]]></description></item>", t.replace('<', "&lt;").replace('&', "&amp;")))
            .collect();
        let rss = format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>");
        harness::feed_items(rss.as_bytes());
    }
}
