//! The per-article path shared by the daemon, `ingest` and `replay`: skip an
//! article already seen (content hash), extract its claims, diff them against
//! the timeline, build alerts, and store everything in one transaction. The
//! in-memory timeline only moves once the store has the article.

use std::sync::Arc;

use crate::alert::message::build_alert;
use crate::extract::context::UNKNOWN_ACTOR;
use crate::extract::{self, Lexicon};
use crate::metrics::Metrics;
use crate::model::{Alert, Article, Attribute, ChangeKind, Claim, Observation};
use crate::store::{ArticleRecord, Fingerprint, RecordOutcome, Store, StoreError};
use crate::timeline::curated::Curated;
use crate::timeline::{Entry, Timeline};

/// What processing one article did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The same content was processed before: nothing done.
    pub duplicate: bool,
    /// Each claim and what the timeline made of it.
    pub claims: Vec<(Claim, Option<ChangeKind>)>,
    /// The alerts raised (kinds chosen by `[alerts] kinds`).
    pub alerts: Vec<Alert>,
}

/// Extract, diff, alert, store: one article at a time.
pub struct Pipeline {
    store: Arc<dyn Store>,
    lexicon: Arc<Lexicon>,
    timeline: Timeline,
    alert_kinds: Vec<ChangeKind>,
    sinks: Vec<String>,
    metrics: Arc<Metrics>,
    /// Loaded at the first article (see `syndication`).
    fingerprints: Option<FingerprintCache>,
}

impl Pipeline {
    /// A pipeline starting from the timeline in `store`.
    pub async fn new(
        store: Arc<dyn Store>,
        lexicon: Arc<Lexicon>,
        alert_kinds: Vec<ChangeKind>,
        sinks: Vec<String>,
        metrics: Arc<Metrics>,
    ) -> Result<Pipeline, StoreError> {
        let timeline = Timeline::from_entries(store.load_timeline().await?);
        Ok(Pipeline {
            store,
            lexicon,
            timeline,
            alert_kinds,
            sinks,
            metrics,
            fingerprints: None,
        })
    }

    /// The timeline as it stands.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Loads a curated timeline into the diff's starting point, once per file
    /// content. Curated values raise no alerts. Returns how many values it added.
    pub async fn seed(&mut self, curated: &Curated) -> Result<usize, StoreError> {
        if self.store.has_article(&curated.content_hash).await? {
            return Ok(0);
        }
        let mut added = 0;
        for (i, (article, claims)) in curated.entries.iter().enumerate() {
            // The first entry carries the file's hash, so the file is seen once.
            let hash = if i == 0 {
                curated.content_hash.clone()
            } else {
                article.content_hash()
            };
            let outcome = self
                .apply(article, &hash, claims.clone(), false, None)
                .await?;
            added += outcome.claims.len();
        }
        if curated.entries.is_empty() {
            return Ok(0);
        }
        Ok(added)
    }

    /// Processes one article.
    pub async fn process(&mut self, article: &Article) -> Result<Outcome, StoreError> {
        let hash = article.content_hash();
        if self.store.has_article(&hash).await? {
            self.metrics.incr("articles_duplicate");
            return Ok(Outcome {
                duplicate: true,
                ..Outcome::default()
            });
        }
        let fingerprint = match self.syndication(article, &hash).await? {
            Syndication::CopyOf(original) => {
                tracing::info!(
                    title = %article.title,
                    source = ?article.source,
                    original = %original.title,
                    original_source = ?original.source,
                    "syndicated copy of an article already processed; nothing raised"
                );
                self.metrics.incr("articles_syndicated");
                let mut outcome = self.apply(article, &hash, Vec::new(), false, None).await?;
                outcome.duplicate = true;
                return Ok(outcome);
            }
            Syndication::Original(fingerprint) => fingerprint,
        };
        let claims = extract::extract(article, &self.lexicon);
        self.apply(article, &hash, claims, true, fingerprint).await
    }

    async fn apply(
        &mut self,
        article: &Article,
        hash: &str,
        claims: Vec<Claim>,
        raise_alerts: bool,
        fingerprint: Option<Fingerprint>,
    ) -> Result<Outcome, StoreError> {
        let reference = article.reference();
        let mut recorded = Vec::with_capacity(claims.len());
        let mut alerts = Vec::new();
        // The entries this article touches, as they were: restored if the store
        // does not take the article, so memory never runs ahead of the store.
        let mut before: Vec<((String, Attribute), Option<Entry>)> = Vec::new();
        for mut claim in claims {
            // "US troops" and "the US-led coalition" leaving Iraq are one withdrawal.
            // An article that names no force speaks of the one already known there.
            let related = |a: &str, b: &str| {
                a == UNKNOWN_ACTOR || b == UNKNOWN_ACTOR || self.lexicon.actors_related(a, b)
            };
            if let Some(known) = self.timeline.known_event(&claim.event, related) {
                claim.event = known.clone();
            }
            let key = (claim.event.key.clone(), claim.attribute);
            if !before.iter().any(|(k, _)| *k == key) {
                let old = self.timeline.entry(&key.0, key.1).cloned();
                before.push((key, old));
            }
            let observation = Observation {
                claim: claim.clone(),
                article: reference.clone(),
                article_hash: hash.to_string(),
            };
            let change = self.timeline.apply(observation);
            if let Some(change) = &change {
                if raise_alerts && self.alert_kinds.contains(&change.kind) {
                    let country = self.lexicon.country_name(&claim.event.country);
                    alerts.push(build_alert(change, country));
                }
            }
            recorded.push((claim, change.map(|c| c.kind)));
        }
        let entries: Vec<Entry> = before
            .iter()
            .filter_map(|((key, attribute), old)| {
                let now = self.timeline.entry(key, *attribute)?;
                (old.as_ref() != Some(now)).then(|| now.clone())
            })
            .collect();
        let record = ArticleRecord {
            article,
            content_hash: hash,
            claims: &recorded,
            entries: &entries,
            alerts: &alerts,
            sinks: &self.sinks,
            fingerprint: fingerprint.as_ref(),
        };
        let stored = self.store.record(record).await;
        if !matches!(stored, Ok(RecordOutcome::Stored)) {
            self.timeline.restore(before);
        }
        match stored? {
            RecordOutcome::Stored => {
                if let (Some(f), Some(cache)) = (fingerprint, self.fingerprints.as_mut()) {
                    cache.push(f);
                }
                if raise_alerts {
                    // Articles, not curated entries.
                    self.metrics.incr("articles_processed");
                    self.metrics.add("claims_found", recorded.len() as u64);
                    self.metrics.add("alerts_raised", alerts.len() as u64);
                }
                Ok(Outcome {
                    duplicate: false,
                    claims: recorded,
                    alerts,
                })
            }
            RecordOutcome::Duplicate => Ok(Outcome {
                duplicate: true,
                ..Outcome::default()
            }),
        }
    }
}

// ---------------------------------------------------------------------------
// Syndication (issue 5). A text near-identical to one already stored under
// another URL or outlet is a reprint of the same wire story: it is recorded
// (so it is seen once) without claims, raises nothing and confirms nothing.
// The same page edited (same canonical link) is not a reprint.

/// How many days before an article's publication its original is looked for.
const SYNDICATION_WINDOW_DAYS: u64 = 30;

/// Text signatures of earlier articles, in memory, with their LSH index.
#[derive(Debug, Default)]
struct FingerprintCache {
    entries: Vec<Fingerprint>,
    index: crate::source::feed::syndication::SignatureIndex,
}

/// What `syndication` found.
enum Syndication {
    /// A reprint of this stored article.
    CopyOf(Fingerprint),
    /// An original, with its fingerprint (`None`: too short to have one).
    Original(Option<Fingerprint>),
}

impl FingerprintCache {
    fn push(&mut self, f: Fingerprint) {
        self.index.insert(&f.signature, self.entries.len());
        self.entries.push(f);
    }
}

impl Pipeline {
    /// Is `article` a copy of one already stored? An original comes with its
    /// fingerprint, stored in the article's transaction so later copies find it.
    async fn syndication(
        &mut self,
        article: &Article,
        hash: &str,
    ) -> Result<Syndication, StoreError> {
        use crate::source::feed::identity::canonical_link;
        use crate::source::feed::syndication::{fingerprint, near_identical};

        let Some(signature) = fingerprint(&article.text) else {
            return Ok(Syndication::Original(None));
        };
        let since = article
            .published
            .checked_sub_days(chrono::Days::new(SYNDICATION_WINDOW_DAYS))
            .unwrap_or(article.published);
        let page = article.url.as_deref().and_then(canonical_link);
        // The signatures seen so far, loaded once and indexed, so a new article
        // is compared with the few that share a band, not with all of them.
        if self.fingerprints.is_none() {
            let mut cache = FingerprintCache::default();
            for f in self
                .store
                .fingerprints_since(chrono::NaiveDate::MIN)
                .await?
            {
                cache.push(f);
            }
            self.fingerprints = Some(cache);
        }
        let cache = self
            .fingerprints
            .get_or_insert_with(FingerprintCache::default);
        let original = cache
            .index
            .candidates(&signature)
            .into_iter()
            .filter_map(|i| cache.entries.get(i))
            .find(|f| {
                f.published >= since
                    && f.content_hash != hash
                    && near_identical(&f.signature, &signature)
                    && (page.is_none() || f.url.as_deref().and_then(canonical_link) != page)
            })
            .cloned();
        Ok(match original {
            Some(original) => Syndication::CopyOf(original),
            None => Syndication::Original(Some(Fingerprint {
                content_hash: hash.to_string(),
                signature,
                url: article.url.clone(),
                source: article.source.clone(),
                title: article.title.clone(),
                published: article.published,
            })),
        })
    }
}
