//! The article file formats on the fixture articles of `tests/fixtures/articles/`
//! (one per format) and the broken files of `tests/fixtures/bad/`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use drawdown::source::article_file::{
    EncodingSource, article_files, parse_article_decoded, read_article,
};

const MAX: u64 = 10_000_000;

fn fixtures(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn paragraphs(text: &str) -> usize {
    text.split("\n\n").count()
}

#[test]
fn the_fixture_folder_lists_one_article_per_format() {
    let names: Vec<String> = article_files(&fixtures("articles"))
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "01-mission-exit-agreed.txt",
            "02-pemba-first-phase.md",
            "03-coastal-observer.html",
            "04-wire-troops-remaining.json",
        ]
    );
}

#[tokio::test]
async fn text_with_header() {
    let path = fixtures("articles").join("01-mission-exit-agreed.txt");
    let article = read_article(&path, None, MAX).await.unwrap();
    assert_eq!(
        article.title,
        "Portugal-led training mission to leave Mozambique by the end of 2026"
    );
    assert_eq!(article.source.as_deref(), Some("Tagus Wire"));
    assert_eq!(
        article.url.as_deref(),
        Some("https://news.example.org/tagus/2025/03/14/mission-exit")
    );
    assert_eq!(article.published, day("2025-03-14"));
    assert_eq!(article.path.as_deref(), Some(path.as_path()));
    assert_eq!(paragraphs(&article.text), 4);
    assert!(article.text.starts_with("LISBON, March 14"));
    assert!(article.text.contains("about\n1,200 troops"));
}

#[tokio::test]
async fn markdown_without_header_takes_the_file_date_unless_overridden() {
    let path = fixtures("articles").join("02-pemba-first-phase.md");
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let article = read_article(&path, None, MAX).await.unwrap();
    assert_eq!(article.title, "First foreign instructors leave Pemba camp");
    assert_eq!(
        article.published,
        DateTime::<Utc>::from(modified).date_naive()
    );
    assert_eq!(article.source, None);
    assert_eq!(paragraphs(&article.text), 6);

    let article = read_article(&path, Some(day("2025-07-08")), MAX)
        .await
        .unwrap();
    assert_eq!(article.published, day("2025-07-08"));
}

#[tokio::test]
async fn saved_page_keeps_the_story_and_drops_the_boilerplate() {
    let path = fixtures("articles").join("03-coastal-observer.html");
    let article = read_article(&path, None, MAX).await.unwrap();
    assert_eq!(
        article.title,
        "Mozambique training mission now to end in September 2026"
    );
    assert_eq!(article.source.as_deref(), Some("The Coastal Observer"));
    assert_eq!(article.published, day("2025-06-02"));
    let story: Vec<&str> = article
        .text
        .split("\n\n")
        .filter(|p| p.len() > 120)
        .collect();
    assert_eq!(story.len(), 4, "{:?}", article.text);
    assert!(story[0].starts_with("The foreign training mission"));
    assert!(story[3].ends_with("to close by September of this year."));
    for boilerplate in [
        "cookies",
        "Related stories",
        "All rights reserved",
        "Subscribe",
    ] {
        assert!(
            !article.text.contains(boilerplate),
            "{boilerplate} in {:?}",
            article.text
        );
    }
}

#[tokio::test]
async fn json_article() {
    let path = fixtures("articles").join("04-wire-troops-remaining.json");
    let article = read_article(&path, None, MAX).await.unwrap();
    assert_eq!(
        article.title,
        "Training mission in Mozambique down to 800 troops after first phase"
    );
    assert_eq!(article.published, day("2025-10-03"));
    assert_eq!(paragraphs(&article.text), 3);
}

#[tokio::test]
async fn broken_files_say_why() {
    let cases = [
        ("binary.txt", "binary"),
        ("empty.txt", "empty"),
        ("bom-then-latin1.txt", "bad_encoding"),
        ("scan.pdf", "unknown_extension"),
        ("missing-text.json", "missing_field"),
    ];
    for (name, code) in cases {
        let path = fixtures("bad").join(name);
        let err = read_article(&path, None, MAX).await.unwrap_err();
        assert_eq!(err.reason_code(), code, "{name}: {err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    let path = fixtures("articles").join("03-coastal-observer.html");
    let err = read_article(&path, None, 1_000).await.unwrap_err();
    assert_eq!(err.reason_code(), "too_large");
}

/// Articles saved by hand in another encoding (the files of
/// `tests/fixtures/encodings/`, written with iconv) read as the same text
/// their UTF-8 originals hold, and say which encoding was assumed and why.
#[tokio::test]
async fn files_in_other_encodings_are_decoded() {
    let cases = [
        (
            "windows-1252.txt",
            "windows-1252",
            EncodingSource::Detected,
            "French troops to leave Niger by the end of 2026",
            "“We will complete the drawdown in two phases,” he told reporters at a café near the ministry; the cost is put at €40 million.",
        ),
        (
            "latin1.md",
            "windows-1252",
            EncodingSource::Detected,
            "German soldiers to leave Mali by May 2024",
            "read by Général Müller, « a firm date ».",
        ),
        (
            "utf-16le.txt",
            "UTF-16LE",
            EncodingSource::Bom,
            "Coalition withdrawal — “phase two” begins",
            "Naïve estimates put the remaining troops at 2,500.",
        ),
        (
            "utf-16be.json",
            "UTF-16BE",
            EncodingSource::Bom,
            "Last French unit leaves Chad",
            "officials in N’Djamena said — “a page is turned”.",
        ),
        (
            "windows-1252.html",
            "windows-1252",
            EncodingSource::Declared,
            "France to leave Niger by the end of 2026",
            "“It is the end of an era,” said the minister, Sébastien Lecornu, in the ministry’s café.",
        ),
        (
            "windows-1251.txt",
            "windows-1251",
            EncodingSource::Detected,
            "Вывод войск завершится к концу 2026 года",
            "Последние военнослужащие покинут базу до конца 2026 года",
        ),
    ];
    for (name, encoding, how, title, sentence) in cases {
        let path = fixtures("encodings").join(name);
        let bytes = std::fs::read(&path).unwrap();
        let read = parse_article_decoded(&path, &bytes, Some(day("2025-01-01")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            (read.encoding.name, read.encoding.source),
            (encoding, how),
            "{name}"
        );
        assert!(
            read.article.title.starts_with(title),
            "{name}: {}",
            read.article.title
        );
        assert!(
            read.article.text.contains(sentence),
            "{name}: {}",
            read.article.text
        );
        assert!(!read.article.text.contains('\u{FFFD}'), "{name}");
        // read_article takes the same path.
        let article = read_article(&path, None, MAX).await.unwrap();
        assert_eq!(article.text, read.article.text, "{name}");
    }
}
