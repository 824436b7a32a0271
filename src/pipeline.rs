//! The per-article path shared by the daemon, `ingest` and `replay`: skip an
//! article already seen (content hash), extract its claims, diff them against
//! the timeline, build alerts, and store everything in one transaction.
//! Articles that arrive together (a feed poll, a backlog, a replay) share one
//! transaction. The in-memory timeline only moves once the store has them.

use std::sync::Arc;

use crate::alert::message::build_alert;
use crate::extract::UNKNOWN_ACTOR;
use crate::extract::{self, Lexicon};
use crate::metrics::Metrics;
use crate::model::{Alert, Article, Attribute, ChangeKind, Claim, Event, Observation};
use crate::store::{ArticleRecord, Fingerprint, RecordOutcome, Store, StoreError};
use crate::timeline::curated::Curated;
use crate::timeline::{ArticleScope, Entry, Timeline};

/// The most articles worth passing to [`Pipeline::process_batch`] at once.
/// Bigger batches commit less often but hold the store's write lock longer;
/// 64 articles take a few tens of milliseconds.
pub const MAX_BATCH: usize = 64;

/// What processing one article did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The same content was processed before: nothing done.
    pub duplicate: bool,
    /// A reprint of a stored article (then `duplicate` too): recorded, nothing extracted.
    pub syndicated: bool,
    /// Each claim and what the timeline made of it.
    pub claims: Vec<(Claim, Option<ChangeKind>)>,
    /// The alerts raised (kinds chosen by `[alerts] kinds`).
    pub alerts: Vec<Alert>,
}

impl Outcome {
    fn duplicate() -> Outcome {
        Outcome {
            duplicate: true,
            ..Outcome::default()
        }
    }
}

/// Extract, diff, alert, store: articles in the order given.
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

/// One article on its way to the store.
struct Job<'a> {
    article: &'a Article,
    hash: String,
    /// Curated claims, taken as they are and raising nothing; `None`: extract.
    curated: Option<&'a [Claim]>,
}

/// What the timeline made of one job, waiting for the store.
struct Prepared {
    /// The job's place in the batch.
    index: usize,
    claims: Vec<(Claim, Option<ChangeKind>)>,
    alerts: Vec<Alert>,
    fingerprint: Option<Fingerprint>,
    /// A reprint of a stored article: recorded, nothing extracted.
    syndicated: bool,
}

/// Timeline entries as they were before a batch touched them, to put back if
/// the store does not take the batch.
type Before = Vec<((String, Attribute), Option<Entry>)>;

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

    /// From the next article on: the change kinds that raise alerts, and the
    /// sinks each alert is queued for (a configuration reload).
    pub fn set_routing(&mut self, alert_kinds: Vec<ChangeKind>, sinks: Vec<String>) {
        self.alert_kinds = alert_kinds;
        self.sinks = sinks;
    }

    /// The timeline as it stands.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Loads a curated timeline into the diff's starting point, once per file
    /// content, in one transaction. Curated values raise no alerts. Returns how
    /// many values it added.
    pub async fn seed(&mut self, curated: &Curated) -> Result<usize, StoreError> {
        if curated.entries.is_empty() || self.store.has_article(&curated.content_hash).await? {
            return Ok(0);
        }
        let jobs: Vec<Job> = curated
            .entries
            .iter()
            .enumerate()
            .map(|(i, (article, claims))| Job {
                article,
                // The first entry carries the file's hash, so the file is seen once.
                hash: if i == 0 {
                    curated.content_hash.clone()
                } else {
                    article.content_hash()
                },
                curated: Some(claims),
            })
            .collect();
        let outcomes = self.run(&jobs).await?;
        Ok(outcomes
            .iter()
            .filter(|o| !o.duplicate)
            .map(|o| o.claims.len())
            .sum())
    }

    /// Processes one article.
    pub async fn process(&mut self, article: &Article) -> Result<Outcome, StoreError> {
        let mut outcomes = self.process_batch(&[article]).await?;
        Ok(outcomes.pop().unwrap_or_else(Outcome::duplicate))
    }

    /// Processes `articles` in order, with the outcomes one `process` each would
    /// give, but stores them in one transaction (up to [`MAX_BATCH`] is best).
    /// On a store error none of them is stored and the timeline is as before.
    pub async fn process_batch(
        &mut self,
        articles: &[&Article],
    ) -> Result<Vec<Outcome>, StoreError> {
        let jobs: Vec<Job> = articles
            .iter()
            .map(|article| Job {
                article,
                hash: article.content_hash(),
                curated: None,
            })
            .collect();
        self.run(&jobs).await
    }

    /// One transaction for all the jobs; if another writer stored one of them
    /// meanwhile, one transaction each, so only that one is skipped.
    async fn run(&mut self, jobs: &[Job<'_>]) -> Result<Vec<Outcome>, StoreError> {
        match self.try_batch(jobs).await? {
            Some(outcomes) => Ok(outcomes),
            None if jobs.len() == 1 => Ok(vec![Outcome::duplicate()]),
            None => {
                let mut outcomes = Vec::with_capacity(jobs.len());
                for job in jobs.chunks(1) {
                    match self.try_batch(job).await? {
                        Some(one) => outcomes.extend(one),
                        None => outcomes.push(Outcome::duplicate()),
                    }
                }
                Ok(outcomes)
            }
        }
    }

    /// Diffs and stores the jobs in one transaction. `None`: the store already
    /// had one of them (nothing stored, the timeline is as before).
    async fn try_batch(&mut self, jobs: &[Job<'_>]) -> Result<Option<Vec<Outcome>>, StoreError> {
        let hashes: Vec<&str> = jobs.iter().map(|j| j.hash.as_str()).collect();
        let mut seen = self.store.stored_articles(&hashes).await?;
        let mut outcomes = Vec::with_capacity(jobs.len());
        let mut prepared = Vec::with_capacity(jobs.len());
        let mut before = Before::new();
        let mut signatures_added = false;
        for (index, job) in jobs.iter().enumerate() {
            outcomes.push(Outcome::default());
            if !seen.insert(job.hash.clone()) {
                outcomes[index].duplicate = true;
                continue;
            }
            let (claims, raise_alerts, fingerprint, syndicated) = match job.curated {
                Some(claims) => (claims.to_vec(), false, None, false),
                None => match self.syndication(job.article, &job.hash).await? {
                    Syndication::CopyOf(original) => {
                        tracing::info!(
                            title = %job.article.title,
                            source = ?job.article.source,
                            original = %original.title,
                            original_source = ?original.source,
                            "syndicated copy of an article already processed; nothing raised"
                        );
                        (Vec::new(), false, None, true)
                    }
                    Syndication::Original(fingerprint) => {
                        let started = std::time::Instant::now();
                        // An extractor bug must cost one article's claims, not the service.
                        let claims = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(
                            || extract::extract(job.article, &self.lexicon),
                        )) {
                            Ok(claims) => claims,
                            Err(panic) => {
                                tracing::error!(
                                    title = %job.article.title,
                                    path = ?job.article.path,
                                    detail = %crate::source::article_file::panic_detail(panic.as_ref()),
                                    "the extractor failed on this article (a bug: please report it with the file); stored without claims"
                                );
                                self.metrics.extract_failure();
                                Vec::new()
                            }
                        };
                        self.metrics.extract_time(started.elapsed());
                        (claims, true, fingerprint, false)
                    }
                },
            };
            // Later articles of the batch may be reprints of this one.
            if let (Some(f), Some(cache)) = (&fingerprint, self.fingerprints.as_mut()) {
                cache.push(f.clone());
                signatures_added = true;
            }
            let (claims, alerts) = self.observe(job, claims, raise_alerts, &mut before);
            prepared.push(Prepared {
                index,
                claims,
                alerts,
                fingerprint,
                syndicated,
            });
        }
        if prepared.is_empty() {
            return Ok(Some(outcomes));
        }

        // Each touched entry is written once, in its state after the batch.
        let entries: Vec<Entry> = before
            .iter()
            .filter_map(|((key, attribute), old)| {
                let now = self.timeline.entry(key, *attribute)?;
                (old.as_ref() != Some(now)).then(|| now.clone())
            })
            .collect();
        let records: Vec<ArticleRecord> = prepared
            .iter()
            .enumerate()
            .map(|(i, p)| ArticleRecord {
                article: jobs[p.index].article,
                content_hash: &jobs[p.index].hash,
                claims: &p.claims,
                entries: if i + 1 == prepared.len() {
                    &entries
                } else {
                    &[]
                },
                alerts: &p.alerts,
                sinks: &self.sinks,
                fingerprint: p.fingerprint.as_ref(),
            })
            .collect();
        let stored = self.store.record_batch(&records).await;
        drop(records);
        if !matches!(stored, Ok(RecordOutcome::Stored)) {
            // Memory never runs ahead of the store.
            self.timeline.restore(before);
            if signatures_added {
                self.fingerprints = None;
            }
        }
        if stored? == RecordOutcome::Duplicate {
            return Ok(None);
        }
        for p in prepared {
            if jobs[p.index].curated.is_none() {
                for (claim, _) in &p.claims {
                    self.metrics.claim(claim.attribute);
                }
                for alert in &p.alerts {
                    self.metrics.alert(alert.kind);
                }
            }
            outcomes[p.index] = Outcome {
                duplicate: p.syndicated,
                syndicated: p.syndicated,
                claims: p.claims,
                alerts: p.alerts,
            };
        }
        Ok(Some(outcomes))
    }

    /// Diffs one article's claims against the timeline, which moves; the state
    /// of each entry before the batch first touched it goes into `before`.
    /// Returns each claim with what the timeline made of it, and the alerts.
    fn observe(
        &mut self,
        job: &Job<'_>,
        claims: Vec<Claim>,
        raise_alerts: bool,
        before: &mut Before,
    ) -> (Vec<(Claim, Option<ChangeKind>)>, Vec<Alert>) {
        let reference = job.article.reference();
        let mut recorded = Vec::with_capacity(claims.len());
        let mut alerts = Vec::new();
        let mut scope = ArticleScope::default();
        for mut claim in claims {
            // "US troops" and "the US-led coalition" leaving Iraq are one withdrawal.
            // An article that names no force speaks of the one already known there.
            let country = claim.event.country.clone();
            let related = |a: &str, b: &str| {
                a == UNKNOWN_ACTOR
                    || b == UNKNOWN_ACTOR
                    || self.lexicon.actors_related_in(a, b, &country)
            };
            if let Some(known) = self.timeline.known_event(&claim.event, related) {
                claim.event = known.clone();
            } else if let Some(actor) = self.timeline.known_actor(&claim.event, related) {
                // A milestone not yet known of a withdrawal that is: keyed by
                // the name the timeline already uses for that force.
                let e = &claim.event;
                claim.event =
                    Event::new(&e.country, &actor, e.milestone, e.phase, e.location.clone());
            }
            if claim.scope_defaulted {
                if let Some(drawdown) = self.timeline.partial_only(&claim.event) {
                    claim.event = drawdown;
                }
            }
            let key = (claim.event.key.clone(), claim.attribute);
            if !before.iter().any(|(k, _)| *k == key) {
                let old = self.timeline.entry(&key.0, key.1).cloned();
                before.push((key, old));
            }
            let observation = Observation {
                claim: claim.clone(),
                article: reference.clone(),
                article_hash: job.hash.clone(),
            };
            let change = self.timeline.apply_in(&mut scope, observation);
            if let Some(change) = &change {
                if raise_alerts && self.alert_kinds.contains(&change.kind) {
                    let country = self.lexicon.country_name(&claim.event.country);
                    alerts.push(build_alert(change, country));
                }
            }
            recorded.push((claim, change.map(|c| c.kind)));
        }
        (recorded, alerts)
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
