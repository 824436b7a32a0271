//! OPML, the list format every feed reader imports and exports: the feeds of
//! an OPML file (every `<outline xmlUrl=...>`, nested folders included) and an
//! OPML document for a list of feeds. Pure; `drawdown import-opml` and
//! `export-opml` do the file and config handling.

use quick_xml::XmlVersion;
use quick_xml::escape::escape;
use quick_xml::events::Event;
use url::Url;

use super::FeedConfig;

/// Why an OPML document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("not well-formed OPML at byte {position}: {detail}")]
    Xml { position: u64, detail: String },
}

/// A feed listed in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub url: Url,
    pub title: Option<String>,
}

/// Every outline with an http(s) `xmlUrl`, in document order, without
/// repeats. Outlines with an unusable URL are skipped (they are not feeds).
pub fn parse(text: &str) -> Result<Vec<OpmlFeed>, OpmlError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut feeds: Vec<OpmlFeed> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| OpmlError::Xml {
            position: reader.buffer_position(),
            detail: e.to_string(),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "outline" => {
                let (mut url, mut title, mut text) = (None, None, None);
                for attr in e.attributes().flatten() {
                    let value = attr
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map(|v| v.trim().to_string())
                        .ok()
                        .filter(|v| !v.is_empty());
                    match attr.key.local_name().as_ref() {
                        "xmlUrl" | "xmlurl" => url = value,
                        "title" => title = value,
                        "text" => text = value,
                        _ => {}
                    }
                }
                let Some(url) = url.and_then(|u| Url::parse(&u).ok()) else {
                    continue;
                };
                if !matches!(url.scheme(), "http" | "https") || feeds.iter().any(|f| f.url == url) {
                    continue;
                }
                feeds.push(OpmlFeed {
                    url,
                    title: title.or(text),
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(feeds)
}

/// An OPML 2.0 document listing `feeds`.
pub fn export(feeds: &[FeedConfig]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head><title>drawdown feeds</title></head>\n  <body>\n",
    );
    for feed in feeds {
        let title = feed
            .name
            .clone()
            .unwrap_or_else(|| feed.url.host_str().unwrap_or_default().to_string());
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{u}\"/>\n",
            t = escape(title.as_str()),
            u = escape(feed.url.as_str()),
        ));
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

/// The `[[feeds]]` TOML to append to a config file for `feeds` (skipping URLs
/// in `existing`), and how many it adds.
pub fn toml_entries(feeds: &[OpmlFeed], existing: &[FeedConfig]) -> (String, usize) {
    let mut out = String::new();
    let mut added = 0;
    for feed in feeds {
        if existing.iter().any(|f| f.url == feed.url) {
            continue;
        }
        added += 1;
        out.push_str("\n[[feeds]]\n");
        out.push_str(&format!("url = {}\n", toml_string(feed.url.as_str())));
        if let Some(title) = &feed.title {
            out.push_str(&format!("name = {}\n", toml_string(title)));
        }
    }
    (out, added)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPML: &str = r#"<?xml version="1.0"?>
<opml version="1.0"><head><title>x</title></head><body>
<outline text="World">
  <outline text="Wire &amp; Co" type="rss" xmlUrl="https://wire.example/rss"/>
  <outline text="Dup" xmlUrl="https://wire.example/rss"/>
</outline>
<outline title="Courier" xmlUrl="http://courier.example/atom.xml"></outline>
<outline text="Not a feed" htmlUrl="https://x.example/"/>
<outline text="Bad" xmlUrl="ftp://x.example/f"/>
</body></opml>"#;

    #[test]
    fn reads_nested_outlines_once() {
        let feeds = parse(OPML).unwrap_or_else(|e| panic!("{e}"));
        let urls: Vec<&str> = feeds.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://wire.example/rss",
                "http://courier.example/atom.xml"
            ]
        );
        assert_eq!(feeds[0].title.as_deref(), Some("Wire & Co"));
    }

    #[test]
    fn export_then_import_round_trips() {
        let mut feed = FeedConfig::new(
            Url::parse("https://a.example/f?x=1&y=2").unwrap_or_else(|e| panic!("{e}")),
        );
        feed.name = Some("A & B".into());
        let back = parse(&export(&[feed.clone()])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            back,
            vec![OpmlFeed {
                url: feed.url.clone(),
                title: Some("A & B".into())
            }]
        );
        let (toml, added) = toml_entries(&back, &[]);
        assert_eq!(added, 1);
        assert!(
            toml.contains("url = \"https://a.example/f?x=1&y=2\""),
            "{toml}"
        );
        assert_eq!(toml_entries(&back, &[feed]).1, 0);
    }

    #[test]
    fn broken_xml_is_an_error() {
        // An unterminated tag, and a closing tag that does not match.
        assert!(parse("<opml><body><outline xmlUrl=\"https://a.example\"").is_err());
        assert!(parse("<opml><body></opml>").is_err());
    }
}
