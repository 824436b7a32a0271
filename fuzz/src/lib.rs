//! One function per fuzz target: an input's bytes through what drawdown does
//! with outside input, panicking when an invariant breaks (no panic inside
//! drawdown, spans inside the text on char boundaries, earliest <= latest).
//! The cargo-fuzz targets call it; so do `tests/fuzz_regressions.rs` (each
//! saved crash input) and `tests/properties.rs`, which include this file.

use std::path::Path;

use chrono::{Days, NaiveDate};
use drawdown::extract::time::{TimeExpr, TimeMatch, find_times};
use drawdown::http::articles::{PostMeta, parse_post};
use drawdown::model::{Article, Claim, TimeValue, Value};
use drawdown::source::article_file::parse_article;
use drawdown::source::feed::items::parse_feed;

/// The file names the readers pick their format by.
pub const ARTICLE_NAMES: [&str; 5] = ["a.txt", "a.md", "a.html", "a.json", "a.htm"];

/// Media types of `POST /api/articles` (the last, unknown, is refused).
pub const CONTENT_TYPES: [&str; 8] = [
    "application/json",
    "text/plain",
    "text/markdown",
    "text/html",
    "application/ld+json",
    "text/plain; charset=windows-1252",
    "application/xhtml+xml",
    "image/png",
];

/// The base URL feed items are resolved against.
pub const FEED_BASE: &str = "https://news.example.org/feeds/world.xml";

/// A day to resolve against, from two bytes: mostly this century, sometimes
/// chrono's first or last days (a hostile `Published: +262142-12-31` reaches the
/// grammar too).
pub fn day_from(mode: u8, a: u8, b: u8) -> NaiveDate {
    let offset = u64::from(u16::from_le_bytes([a, b]));
    let base = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
    match mode {
        0..=247 => base.checked_add_days(Days::new(offset)),
        248..=251 => NaiveDate::MIN.checked_add_days(Days::new(offset)),
        _ => NaiveDate::MAX.checked_sub_days(Days::new(offset)),
    }
    .unwrap_or(base)
}

/// Target `article_readers`: the first byte picks the format (and whether
/// there is a fallback date), the rest is the file.
pub fn article_readers(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = ARTICLE_NAMES[usize::from(pick) % ARTICLE_NAMES.len()];
    let fallback = (pick < 0x80).then(|| day_from(0, pick, 0));
    if let Ok(article) = parse_article(Path::new(name), bytes, fallback) {
        check_article(&article);
    }
}

/// What every article a reader returns holds.
pub fn check_article(article: &Article) {
    assert!(!article.title.trim().is_empty(), "empty title: {article:?}");
    assert!(!article.text.trim().is_empty(), "empty text: {article:?}");
}

/// Target `feed_items`: the bytes as a fetched feed document.
pub fn feed_items(data: &[u8]) {
    let Ok(base) = url::Url::parse(FEED_BASE) else {
        return;
    };
    let Ok(feed) = parse_feed(data, &base, 30) else {
        return;
    };
    for item in &feed.items {
        assert!(!item.id.is_empty(), "an item without id: {item:?}");
        assert!(
            !(item.title.is_empty() && item.text.is_empty()),
            "an empty item: {item:?}"
        );
    }
}

/// Target `time_grammar`: three bytes pick the publication day, the rest is
/// the text (lossy UTF-8, as every reader hands over valid text).
pub fn time_grammar(data: &[u8]) {
    let [mode, a, b, text @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let published = day_from(*mode, *a, *b);
    check_times(&text, &find_times(&text, published));
}

/// Target `extract`: three bytes pick the publication day, the rest is the
/// article (lossy UTF-8): its first line the title, the others the text.
/// Every claim must point into the text (`check_claim`).
pub fn extract(data: &[u8]) {
    let [mode, a, b, bytes @ ..] = data else {
        return;
    };
    let all = String::from_utf8_lossy(bytes);
    let (title, text) = all.split_once('\n').unwrap_or(("", &all));
    let article = Article {
        title: title.to_string(),
        source: None,
        url: None,
        path: None,
        published: day_from(*mode, *a, *b),
        text: text.to_string(),
    };
    for claim in drawdown::extract::extract(&article, lexicon()) {
        check_claim(&article.text, &claim);
    }
}

/// The built-in lexicon, built once.
fn lexicon() -> &'static drawdown::extract::Lexicon {
    static LEXICON: std::sync::OnceLock<drawdown::extract::Lexicon> = std::sync::OnceLock::new();
    LEXICON.get_or_init(|| {
        drawdown::extract::Lexicon::built_in().unwrap_or_else(|e| panic!("lexicon: {e}"))
    })
}

/// Spans in order, without overlaps, inside the text on char boundaries;
/// intervals with `earliest <= latest`.
pub fn check_times(text: &str, found: &[TimeMatch]) {
    let mut previous_end = 0;
    for m in found {
        assert!(previous_end <= m.start, "overlaps the phrase before: {m:?}");
        check_span(text, m.start, m.end, m);
        previous_end = m.end;
        if let TimeExpr::Interval(value) = &m.expr {
            check_interval(value);
        }
    }
}

/// `start..end` is a range inside `text`, on char boundaries.
fn check_span(text: &str, start: usize, end: usize, what: &dyn std::fmt::Debug) {
    assert!(
        start <= end && end <= text.len(),
        "span {start}..{end} outside {} bytes: {what:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "span {start}..{end} not on char boundaries: {what:?}"
    );
}

/// `earliest <= latest` (a floor has no `latest`).
pub fn check_interval(value: &TimeValue) {
    if let Some(latest) = value.latest {
        assert!(value.earliest <= latest, "earliest after latest: {value:?}");
    }
}

/// A claim's sentence span inside the text on char boundaries; its dates
/// ordered; a count's range around it.
pub fn check_claim(text: &str, claim: &Claim) {
    check_span(text, claim.span.start, claim.span.end, claim);
    match &claim.value {
        Value::Date(value) => check_interval(value),
        Value::Count { min, max, .. } => assert!(min <= max, "count range: {claim:?}"),
        _ => {}
    }
}

/// Target `http_article`: `POST /api/articles` as the handler reads it. Byte
/// 0 picks the `Content-Type`, byte 1's low bits which `X-` headers are sent;
/// their values are the next lines, the rest is the body.
pub fn http_article(data: &[u8]) {
    let [pick, present, rest @ ..] = data else {
        return;
    };
    let mut rest = rest;
    let mut header = |bit: u8| -> Option<String> {
        if present & bit == 0 {
            return None;
        }
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let (value, tail) = rest.split_at(end);
        rest = tail.get(1..).unwrap_or_default();
        // A header value never holds CR, LF or NUL; post_meta wants UTF-8.
        String::from_utf8(value.to_vec())
            .ok()
            .filter(|v| !v.contains(['\r', '\0']))
    };
    let meta = PostMeta {
        content_type: Some(CONTENT_TYPES[usize::from(*pick) % CONTENT_TYPES.len()].to_string()),
        title: header(1),
        source: header(2),
        published: header(4),
        url: header(8),
    };
    let today = day_from(0, *pick, *present);
    if let Ok(read) = parse_post(&meta, rest, today) {
        check_article(&read.article);
        assert_eq!(read.article.path, None);
    }
}
