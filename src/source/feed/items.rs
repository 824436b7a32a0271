//! A feed document (RSS, Atom or JSON Feed, parsed by feed-rs from bytes with
//! the feed URL as base) to items drawdown can track: a stable id (GUID, else
//! the canonical link, else a hash of the content; never feed-rs's invented
//! ids), plain text from the HTML, the outlet (RSS `<source>`), and whether it
//! is only a summary. Also the feed's own polling hints (`<ttl>`,
//! `sy:updatePeriod`). Pure: no I/O.

use std::time::Duration;

use chrono::{DateTime, Utc};
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use url::Url;

use super::identity::{canonical_link, content_id, text_hash};
use crate::redact::{RedactedUrl, redact_url};

/// What feed-rs puts where an item has no id; we replace it with our own.
const NO_ID: &str = "";
/// Endings that mark a truncated summary.
const TRUNCATED: &[&str] = &["…", "...", "[…]", "[...]", "read more", "continue reading"];

/// Why a feed document could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot parse the feed {url}: {source}")]
pub struct ParseError {
    /// The feed, redacted (see [`crate::redact`]).
    pub url: RedactedUrl,
    #[source]
    pub source: feed_rs::parser::ParseFeedError,
}

/// One item of a feed, ready to become an article.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// GUID, else canonical link, else `sha256:` of title and text.
    pub id: String,
    /// The link as the feed gives it (resolved against the feed URL).
    pub link: Option<String>,
    /// The link without tracking parameters, fragment or AMP variant.
    pub canonical: Option<String>,
    pub title: String,
    /// Plain text, paragraphs separated by blank lines.
    pub text: String,
    /// Fingerprint of title and text, to notice edits.
    pub text_hash: String,
    pub published: Option<DateTime<Utc>>,
    /// The outlet named by the item (`<source>`), if any.
    pub outlet: Option<String>,
    /// Only a summary: the linked page should be fetched for the full text.
    pub summary_only: bool,
    /// Position in the document.
    pub position: usize,
}

/// A parsed feed.
#[derive(Debug, Clone, Default)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub ttl: Option<Duration>,
    pub update_period: Option<Duration>,
    pub items: Vec<FeedItem>,
}

/// Parses a feed document. `summary_words`: items with no full content and a
/// description shorter than this (or visibly cut) are summary-only.
pub fn parse_feed(
    bytes: &[u8],
    base: &Url,
    summary_words: usize,
) -> Result<ParsedFeed, ParseError> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(base.as_str()))
        .id_generator(|_, _, _| NO_ID.to_string())
        .build();
    let feed = parser.parse(bytes).map_err(|source| ParseError {
        url: redact_url(base),
        source,
    })?;
    let extras = if feed.feed_type == feed_rs::model::FeedType::JSON {
        XmlExtras::default()
    } else {
        xml_extras(bytes)
    };
    let title = feed
        .title
        .as_ref()
        .map(|t| html_to_text(&t.content))
        .filter(|t| !t.is_empty());
    let mut items = Vec::with_capacity(feed.entries.len());
    for (position, entry) in feed.entries.into_iter().enumerate() {
        let title = entry
            .title
            .as_ref()
            .map(|t| html_to_text(&t.content))
            .unwrap_or_default();
        let content = entry.content.as_ref().and_then(|c| c.body.as_deref());
        let summary = entry.summary.as_ref().map(|s| s.content.as_str());
        let full = content.map(html_to_text).filter(|t| !t.is_empty());
        let (text, summary_only) = match full {
            Some(text) => (text, false),
            None => {
                let text = summary.map(html_to_text).unwrap_or_default();
                let cut = is_summary(&text, summary_words);
                (text, cut)
            }
        };
        let title = if title.is_empty() {
            first_words(&text)
        } else {
            title
        };
        if title.is_empty() && text.is_empty() {
            continue;
        }
        let link = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(entry.links.first())
            .and_then(|l| web_link(&l.href));
        let canonical = link.as_deref().and_then(canonical_link);
        let id = match entry.id.trim() {
            NO_ID => canonical
                .clone()
                .unwrap_or_else(|| content_id(&title, &text)),
            id => id.to_string(),
        };
        items.push(FeedItem {
            id,
            link,
            canonical,
            text_hash: text_hash(&title, &text),
            title,
            text,
            published: entry.published.or(entry.updated),
            outlet: extras.outlets.get(position).cloned().flatten(),
            summary_only,
            position,
        });
    }
    Ok(ParsedFeed {
        title,
        ttl: feed.ttl.map(|m| Duration::from_secs(u64::from(m) * 60)),
        update_period: extras.update_period,
        items,
    })
}

/// New items are processed oldest first; undated ones after, in feed order.
pub fn oldest_first(items: &mut [FeedItem]) {
    items.sort_by_key(|i| (i.published.is_none(), i.published, i.position));
}

fn is_summary(text: &str, summary_words: usize) -> bool {
    let words = text.split_whitespace().count();
    if words < summary_words {
        return true;
    }
    let tail = text.trim_end().to_lowercase();
    TRUNCATED.iter().any(|t| tail.ends_with(t))
}

fn first_words(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(12).collect();
    words.join(" ")
}

/// HTML (or plain text) to plain text: entities decoded, block elements
/// separated by blank lines, whitespace folded.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return fold(html);
    }
    let doc = dom_query::Document::fragment(html);
    fold(&doc.formatted_text())
}

/// Lines trimmed, runs of spaces folded, paragraphs separated by one blank line.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for para in text.split("\n\n") {
        let para: Vec<&str> = para.split_whitespace().collect();
        if para.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&para.join(" "));
    }
    out
}

/// What feed-rs does not keep: each RSS item's `<source>` (the outlet), and
/// the syndication module's update period.
#[derive(Debug, Default)]
struct XmlExtras {
    outlets: Vec<Option<String>>,
    update_period: Option<Duration>,
}

fn xml_extras(bytes: &[u8]) -> XmlExtras {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut extras = XmlExtras::default();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let (mut period, mut frequency) = (None::<String>, None::<String>);
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if matches!(name.as_str(), "item" | "entry") {
                    extras.outlets.push(None);
                }
                path.push(name);
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
            Ok(Event::CData(t)) => text.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
            Ok(Event::GeneralRef(r)) => text.push_str(match r.as_ref() {
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                "quot" => "\"",
                "apos" => "'",
                _ => "",
            }),
            Ok(Event::End(_)) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str);
                let value = text.trim().to_string();
                match (name.as_str(), parent) {
                    ("source", Some("item")) if !value.is_empty() => {
                        if let Some(slot) = extras.outlets.last_mut() {
                            *slot = Some(value);
                        }
                    }
                    ("updateperiod", _) => period = Some(value),
                    ("updatefrequency", _) => frequency = Some(value),
                    _ => {}
                }
                text.clear();
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        buf.clear();
    }
    extras.update_period = update_period(period.as_deref(), frequency.as_deref());
    extras
}

/// `sy:updatePeriod` (hourly, daily, ...) divided by `sy:updateFrequency`.
fn update_period(period: Option<&str>, frequency: Option<&str>) -> Option<Duration> {
    let secs: u64 = match period?.trim().to_ascii_lowercase().as_str() {
        "hourly" => 3600,
        "daily" => 86_400,
        "weekly" => 7 * 86_400,
        "monthly" => 30 * 86_400,
        "yearly" => 365 * 86_400,
        _ => return None,
    };
    let times: u64 = frequency
        .and_then(|f| f.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1);
    Some(Duration::from_secs(secs / times))
}

/// Keeps an item link only when it is an absolute http(s) URL: the link goes
/// into email `href`s, ntfy clicks and chat embeds, where a `javascript:` or
/// `data:` link would run in the reader's client. The item itself is kept.
fn web_link(href: &str) -> Option<String> {
    let href = href.trim();
    match Url::parse(href) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Some(href.to_string()),
        Ok(url) => {
            tracing::warn!(
                scheme = url.scheme(),
                "dropping feed item link that is not http(s)"
            );
            None
        }
        Err(error) => {
            tracing::warn!(%error, "dropping feed item link that is not an absolute URL");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://news.example/feeds/world.rss").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn links_that_are_not_http_are_dropped_but_the_item_is_kept() {
        let xml = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title>
<item><title>Bad link</title><link>javascript:alert(1)</link><guid>j-1</guid>
<description>Troops leave.</description></item>
<item><title>Good link</title><link>https://news.example/ok</link><guid>h-1</guid>
<description>Troops stay.</description></item>
</channel></rss>"#;
        let feed = parse_feed(xml.as_bytes(), &base(), 5).unwrap_or_else(|e| panic!("{e}"));
        let [bad, good] = feed.items.as_slice() else {
            panic!("{:?}", feed.items)
        };
        assert_eq!(bad.title, "Bad link");
        assert_eq!(bad.link, None);
        assert_eq!(bad.canonical, None);
        assert_eq!(good.link.as_deref(), Some("https://news.example/ok"));
    }

    #[test]
    fn rss_items_with_entities_cdata_source_and_relative_links() {
        let xml = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel><title>World &amp; more</title><ttl>30</ttl>
<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>
<item><title>Troops &amp; bases</title><link>/a?utm_source=rss</link>
<guid isPermaLink="false">g-1</guid><source url="https://wire.example/">Wire &amp; Co</source>
<description><![CDATA[<p>First &eacute;t&eacute; paragraph.</p><p>Second one.</p>]]></description></item>
<item><title>No guid</title><description>Short text.</description></item>
</channel></rss>"#;
        let feed = parse_feed(xml.as_bytes(), &base(), 5).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(feed.title.as_deref(), Some("World & more"));
        assert_eq!(feed.ttl, Some(Duration::from_secs(1800)));
        assert_eq!(feed.update_period, Some(Duration::from_secs(1800)));
        let [a, b] = feed.items.as_slice() else {
            panic!("{:?}", feed.items)
        };
        assert_eq!(a.id, "g-1");
        assert_eq!(a.title, "Troops & bases");
        assert_eq!(a.text, "First été paragraph.\n\nSecond one.");
        assert_eq!(a.outlet.as_deref(), Some("Wire & Co"));
        assert_eq!(
            a.link.as_deref(),
            Some("https://news.example/a?utm_source=rss")
        );
        assert_eq!(a.canonical.as_deref(), Some("https://news.example/a"));
        assert!(b.id.starts_with("sha256:"), "{}", b.id);
        assert!(b.summary_only);
        assert_eq!(b.outlet, None);
    }

    #[test]
    fn ids_without_guid_are_stable_across_parses() {
        let xml = "<rss version=\"2.0\"><channel><item><title>T</title><description>Body words here.</description></item></channel></rss>";
        let one = parse_feed(xml.as_bytes(), &base(), 1).unwrap_or_else(|e| panic!("{e}"));
        let two = parse_feed(xml.as_bytes(), &base(), 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(one.items[0].id, two.items[0].id);
    }

    #[test]
    fn truncated_descriptions_are_summaries() {
        assert!(is_summary("A long enough text that ends with Read more", 3));
        assert!(is_summary("Cut off mid…", 1));
        assert!(!is_summary("A complete text.", 3));
    }

    #[test]
    fn malformed_xml_is_an_error_naming_the_feed_host() {
        let err = parse_feed(b"<rss><channel><item><title>x</ite", &base(), 1);
        let err = err.map(|_| ()).unwrap_err().to_string();
        // The host only: the path may hold a token (see `crate::redact`).
        assert!(
            err.starts_with("cannot parse the feed https://news.example/…: "),
            "{err}"
        );
    }
}
