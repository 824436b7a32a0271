//! The queue between the sources and the pipeline, bounded in bytes as well as
//! in articles. Each article takes permits of a shared [`ByteBudget`] (one per
//! KiB of text) before it is queued; the permit travels with the article in
//! [`Incoming::budget`] and is given back when the pipeline has processed it
//! and drops it. A source over budget waits (backpressure): nothing is
//! dropped. An article larger than the whole budget takes all of it and so
//! passes alone.

use std::sync::Arc;

use tokio::sync::mpsc::error::SendError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use super::Incoming;
use crate::model::Article;

/// The default budget of the queue: 64 MiB of article text.
pub const DEFAULT_QUEUE_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes per permit.
const KIB: u64 = 1024;

/// A budget of bytes shared by every article waiting for the pipeline.
#[derive(Debug, Clone)]
pub struct ByteBudget {
    permits: Arc<Semaphore>,
    total: u32,
}

/// Part of a [`ByteBudget`], held by one queued article; given back on drop.
#[derive(Debug)]
pub struct BudgetPermit {
    _permit: Option<OwnedSemaphorePermit>,
}

impl ByteBudget {
    /// A budget of `bytes` (rounded up to whole KiB; at least 1 KiB).
    pub fn new(bytes: u64) -> ByteBudget {
        let kib = bytes.div_ceil(KIB).clamp(1, Semaphore::MAX_PERMITS as u64);
        let total = u32::try_from(kib).unwrap_or(u32::MAX);
        ByteBudget {
            permits: Arc::new(Semaphore::new(total as usize)),
            total,
        }
    }

    /// The KiB an article of `bytes` takes: at least one, at most the whole budget.
    fn cost(&self, bytes: usize) -> u32 {
        let kib = (bytes as u64).div_ceil(KIB).max(1);
        u32::try_from(kib).unwrap_or(u32::MAX).min(self.total)
    }

    /// Waits until `bytes` fit in what is left of the budget, and takes them.
    pub async fn acquire(&self, bytes: usize) -> BudgetPermit {
        let cost = self.cost(bytes);
        // The semaphore is never closed; should it be, do not block.
        BudgetPermit {
            _permit: self.permits.clone().acquire_many_owned(cost).await.ok(),
        }
    }

    /// The KiB still free, for tests and metrics.
    pub fn available_kib(&self) -> usize {
        self.permits.available_permits()
    }
}

/// The bytes an article holds while it waits.
pub fn article_bytes(article: &Article) -> usize {
    article.text.len()
        + article.title.len()
        + article.source.as_ref().map_or(0, String::len)
        + article.url.as_ref().map_or(0, String::len)
        + article.path.as_ref().map_or(0, |p| p.as_os_str().len())
}

/// The sending end of the queue: an `mpsc` sender, with a byte budget when
/// the daemon runs. A plain sender (`.into()`) has no byte budget.
#[derive(Debug, Clone)]
pub struct ArticleSender {
    tx: mpsc::Sender<Incoming>,
    budget: Option<ByteBudget>,
}

impl From<mpsc::Sender<Incoming>> for ArticleSender {
    fn from(tx: mpsc::Sender<Incoming>) -> ArticleSender {
        ArticleSender { tx, budget: None }
    }
}

impl ArticleSender {
    /// A sender whose articles share `budget`.
    pub fn with_budget(tx: mpsc::Sender<Incoming>, budget: ByteBudget) -> ArticleSender {
        ArticleSender {
            tx,
            budget: Some(budget),
        }
    }

    /// Waits for room in the budget, then in the channel, and queues the
    /// article with its permit. Cancel-safe as `mpsc::Sender::send`: dropped
    /// before it returns, the article is not queued.
    pub async fn send(&self, mut incoming: Incoming) -> Result<(), SendError<Incoming>> {
        if let Some(budget) = &self.budget {
            if incoming.budget.is_none() {
                let bytes = article_bytes(&incoming.article);
                incoming.budget = Some(budget.acquire(bytes).await);
            }
        }
        self.tx.send(incoming).await
    }

    /// Whether the pipeline has closed its end.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Resolves once the pipeline has closed its end.
    pub async fn closed(&self) {
        self.tx.closed().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_sender_over_budget_waits_until_a_permit_drops() {
        let budget = ByteBudget::new(4 * 1024);
        let first = budget.acquire(3 * 1024).await;
        assert_eq!(budget.available_kib(), 1);
        let waiting = budget.acquire(2 * 1024);
        tokio::pin!(waiting);
        // Polled once: not ready while the first permit is held.
        tokio::select! {
            biased;
            _ = &mut waiting => panic!("the second article must wait"),
            () = std::future::ready(()) => {}
        }
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("released once the permit drops");
        assert_eq!(budget.available_kib(), 2);
        drop(second);
        assert_eq!(budget.available_kib(), 4);
    }

    #[tokio::test]
    async fn an_article_larger_than_the_budget_passes_alone() {
        let budget = ByteBudget::new(2 * 1024);
        let huge = budget.acquire(10 * 1024 * 1024).await;
        assert_eq!(budget.available_kib(), 0);
        drop(huge);
        let small = budget.acquire(10).await;
        assert_eq!(budget.available_kib(), 1);
        drop(small);
    }
}
