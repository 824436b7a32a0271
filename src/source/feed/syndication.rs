//! Syndication: the same wire story reprinted by several outlets is one
//! source. A MinHash signature (64 minimums) over 3-word shingles of the text
//! estimates the Jaccard similarity of two texts' shingle sets; at or above
//! [`MIN_SIMILARITY`] they are near-identical (a reprint with its own dateline
//! and footer). Pure; the pipeline keeps signatures in the store and decides.

/// Estimated shingle overlap (Jaccard) from which two texts are one story.
pub const MIN_SIMILARITY: f64 = 0.6;
/// Texts shorter than this many words are never called copies: too little to tell.
pub const MIN_WORDS: usize = 40;
/// Words per shingle.
const SHINGLE: usize = 3;
/// Hash functions in a signature (4 bytes each).
const PERMUTATIONS: usize = 64;

/// The MinHash signature of `text` (lower-cased words, punctuation
/// stripped) as bytes for the store, or `None` when the text is too short.
pub fn fingerprint(text: &str) -> Option<Vec<u8>> {
    // Word hashes first (lower-cased, alphanumeric only), with no allocation
    // per word; a shingle's hash combines its words' hashes.
    let mut words: Vec<u64> = Vec::with_capacity(text.len() / 5);
    for w in text.split_whitespace() {
        let mut h = FNV_OFFSET;
        let mut any = false;
        for c in w
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
        {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
            }
            any = true;
        }
        if any {
            words.push(h);
        }
    }
    if words.len() < MIN_WORDS {
        return None;
    }
    let mut mins = [u32::MAX; PERMUTATIONS];
    for shingle in words.windows(SHINGLE) {
        let base = shingle.iter().fold(FNV_OFFSET, |acc, w| splitmix(acc ^ w));
        for (i, min) in mins.iter_mut().enumerate() {
            let h = (splitmix(base ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) >> 32) as u32;
            *min = (*min).min(h);
        }
    }
    Some(mins.iter().flat_map(|m| m.to_le_bytes()).collect())
}

/// FNV-1a: a small, stable hash (signatures are stored, so the hash must not
/// change between builds).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Bands of the locality-sensitive index: 16 bands of 4 minimums. Two texts at
/// the similarity threshold (0.6) share a band with probability ~0.9; texts
/// that share nothing almost never do.
const BANDS: usize = 16;
const ROWS: usize = PERMUTATIONS / BANDS;

/// Finds the signatures that may be near-identical to a new one without
/// comparing it with all of them (MinHash LSH).
#[derive(Debug, Default)]
pub struct SignatureIndex {
    buckets: std::collections::HashMap<(u8, u64), Vec<usize>>,
}

impl SignatureIndex {
    fn band_keys(signature: &[u8]) -> impl Iterator<Item = (u8, u64)> + '_ {
        signature
            .chunks(ROWS * 4)
            .take(BANDS)
            .enumerate()
            .map(|(band, bytes)| {
                let key = bytes.iter().fold(FNV_OFFSET, |h, b| {
                    (h ^ u64::from(*b)).wrapping_mul(FNV_PRIME)
                });
                (band as u8, key)
            })
    }

    /// Remembers `signature` under `id`.
    pub fn insert(&mut self, signature: &[u8], id: usize) {
        for key in Self::band_keys(signature) {
            self.buckets.entry(key).or_default().push(id);
        }
    }

    /// Ids that share a band with `signature`, oldest first, each once.
    pub fn candidates(&self, signature: &[u8]) -> Vec<usize> {
        let mut ids: Vec<usize> = Self::band_keys(signature)
            .filter_map(|key| self.buckets.get(&key))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// The estimated Jaccard similarity of two signatures (0 when they are not
/// signatures of the same shape).
pub fn similarity(a: &[u8], b: &[u8]) -> f64 {
    if a.len() != b.len() || a.is_empty() || a.len() % 4 != 0 {
        return 0.0;
    }
    let same = a
        .chunks_exact(4)
        .zip(b.chunks_exact(4))
        .filter(|(x, y)| x == y)
        .count();
    same as f64 / (a.len() / 4) as f64
}

/// Are two signatures those of near-identical texts?
pub fn near_identical(a: &[u8], b: &[u8]) -> bool {
    similarity(a, b) >= MIN_SIMILARITY
}

fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIRE: &str = "Iraq and the United States have reached an agreement on the departure of the \
        US-led coalition, according to the Iraqi defence minister. The pull-out will happen in two \
        phases: in the first phase, coalition troops leave Baghdad and other central areas by \
        September 2025, and in the second phase the forces based in the Kurdistan region withdraw \
        by September 2026. The accord has not yet been signed.";

    fn sig(text: &str) -> Vec<u8> {
        fingerprint(text).unwrap_or_else(|| panic!("no fingerprint for {text:?}"))
    }

    #[test]
    fn a_reprint_with_a_dateline_and_footer_is_near_identical() {
        let copy = format!("BAGHDAD (Wire) - {WIRE} Share this story. Comments are closed.");
        let s = similarity(&sig(WIRE), &sig(&copy));
        assert!(s >= MIN_SIMILARITY, "similarity {s}");
    }

    #[test]
    fn a_different_story_on_the_same_topic_is_not() {
        let other = "Negotiators for the United States and Iraq have settled the broad terms under \
            which the coalition will wind down its mission, people briefed on the talks said. \
            Several hundred troops would go home by September 2025, while the remaining personnel \
            would be out by the end of 2026. The two governments still have to sign off and pick a \
            date to make it public, one official said on Friday.";
        let s = similarity(&sig(WIRE), &sig(other));
        assert!(s < 0.2, "similarity {s}");
    }

    #[test]
    fn short_texts_are_not_compared() {
        assert_eq!(fingerprint("Troops leave by 2026."), None);
        assert_eq!(similarity(b"abcd", b"abc"), 0.0);
    }
}
