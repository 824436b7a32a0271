//! Which items are the same story: canonical links (tracking parameters,
//! fragments and AMP variants removed), stable ids for items that carry
//! neither GUID nor link, and a fingerprint of an item's text to notice edits.
//! Pure functions; no I/O.

use sha2::{Digest, Sha256};
use url::Url;

/// Query parameters that only say where a click came from.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "yclid",
    "_ga",
    "_gl",
    "ref",
    "ref_src",
    "ref_url",
    "cmpid",
    "ncid",
    "ocid",
    "sr_share",
    "spm",
    "at_medium",
    "at_campaign",
    "smid",
    "outputtype",
    "amp",
];

/// A link in the form two outlets (or two polls) would agree on: scheme and
/// host lower-cased, default port, fragment, `utm_*` and other tracking
/// parameters removed, AMP variants (`/amp/`, `.amp`, `amp.` host) folded
/// into the page, and a trailing slash dropped. `None` for what is not an
/// http(s) URL.
pub fn canonical_link(link: &str) -> Option<String> {
    let mut url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    if let Some(host) = url.host_str().map(str::to_string) {
        if let Some(rest) = host.strip_prefix("amp.") {
            url.set_host(Some(rest)).ok()?;
        }
    }
    let path = url.path().to_string();
    let mut path = path
        .replace("/amp/", "/")
        .trim_end_matches("/amp")
        .trim_end_matches(".amp")
        .to_string();
    if let Some(stem) = path.strip_suffix(".amp.html") {
        path = format!("{stem}.html");
    }
    if path.len() > 1 {
        path = path.trim_end_matches('/').to_string();
    }
    if path.is_empty() {
        path.push('/');
    }
    url.set_path(&path);
    // A canonical http link and its https twin are one page.
    if url.scheme() == "http" {
        url.set_scheme("https").ok()?;
    }
    if url.port() == Some(443) || url.port() == Some(80) {
        url.set_port(None).ok()?;
    }
    Some(url.to_string())
}

/// A stable id for an item without GUID or link: a hash of its title and
/// text, so the same item has the same id in every poll (feed-rs would make
/// up a random one).
pub fn content_id(title: &str, text: &str) -> String {
    format!("sha256:{}", &text_hash(title, text)[..32])
}

/// A fingerprint of what an item says (whitespace folded), to notice edits.
pub fn text_hash(title: &str, text: &str) -> String {
    let mut hasher = Sha256::new();
    for word in title.split_whitespace() {
        hasher.update(word.as_bytes());
        hasher.update(b" ");
    }
    hasher.update(b"\n");
    for word in text.split_whitespace() {
        hasher.update(word.as_bytes());
        hasher.update(b" ");
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        "https://Example.org/a/b?utm_source=x&utm_medium=rss#top",
        "https://example.org/a/b"
    )]
    #[case(
        "https://example.org/a/b/?id=7&fbclid=abc",
        "https://example.org/a/b?id=7"
    )]
    #[case("http://example.org:80/a", "https://example.org/a")]
    #[case("https://example.org/amp/a/b", "https://example.org/a/b")]
    #[case("https://example.org/a/b/amp", "https://example.org/a/b")]
    #[case("https://example.org/a/b.amp.html", "https://example.org/a/b.html")]
    #[case("https://amp.example.org/a", "https://example.org/a")]
    #[case("https://example.org/a?amp=1", "https://example.org/a")]
    #[case("https://example.org", "https://example.org/")]
    fn canonical(#[case] link: &str, #[case] want: &str) {
        assert_eq!(canonical_link(link).as_deref(), Some(want));
    }

    #[rstest]
    #[case("mailto:desk@example.org")]
    #[case("not a url")]
    #[case("/relative/path")]
    fn not_canonical(#[case] link: &str) {
        assert_eq!(canonical_link(link), None);
    }

    #[test]
    fn content_ids_are_stable_and_whitespace_blind() {
        assert_eq!(content_id("T", "a  b\nc"), content_id("T", "a b c"));
        assert_ne!(content_id("T", "a b c"), content_id("T", "a b d"));
    }
}
