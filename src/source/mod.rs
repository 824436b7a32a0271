//! Sources produce `Article`s and know nothing of claims. Each source is one
//! file behind the `Source` trait; `article_file.rs` reads the article file
//! formats (shared by the drop folder, `ingest` and `replay`).

pub mod article_batches;
pub mod article_file;
pub mod drop_folder;
pub mod feed;
pub mod queue;

use std::time::Instant;

use async_trait::async_trait;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

pub use crate::metrics::SourceKind;
use crate::model::Article;
pub use queue::{ArticleSender, BudgetPermit, ByteBudget};

/// An article on its way to the pipeline. The pipeline answers on `done` once
/// the article is stored (or rejected), so a source can acknowledge its input
/// (move a file to `done/`) only when nothing can be lost any more.
#[derive(Debug)]
pub struct Incoming {
    pub article: Article,
    /// Which kind of source sent it (the metrics' `source` label).
    pub source: SourceKind,
    /// Where it came from, for logs ("inbox/03.txt", a feed URL).
    pub origin: String,
    /// When the source had it (file read, POST received, feed item fetched):
    /// the start of the arrival-to-alert latency.
    pub received: Instant,
    pub done: Option<oneshot::Sender<Processed>>,
    /// The article's share of the queue's byte budget, taken by
    /// [`ArticleSender::send`] and given back when the pipeline drops it.
    pub budget: Option<BudgetPermit>,
}

impl Incoming {
    /// An article received now from `source`, and where the pipeline's
    /// answer will come.
    pub fn new(
        source: SourceKind,
        origin: String,
        article: Article,
    ) -> (Incoming, oneshot::Receiver<Processed>) {
        let (done, answer) = oneshot::channel();
        let incoming = Incoming {
            article,
            source,
            origin,
            received: Instant::now(),
            done: Some(done),
            budget: None,
        };
        (incoming, answer)
    }
}

/// Given to [`Source::start`]: the source signals it once it is up (its
/// folder watched, its feeds scheduled), which is when the service may call
/// itself ready. Dropped unsignalled, the source never started.
#[derive(Debug, Default)]
pub struct Started(Option<oneshot::Sender<()>>);

impl Started {
    /// A signal and the receiver that hears it.
    pub fn channel() -> (Started, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        (Started(Some(tx)), rx)
    }

    /// Says the source is up (once; later calls do nothing).
    pub fn signal(&mut self) {
        if let Some(tx) = self.0.take() {
            // Nobody listening is fine: readiness is only reported once.
            let _ignored = tx.send(());
        }
    }
}

/// What the pipeline did with an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    /// Claims extracted, timeline updated, alerts stored.
    Stored { claims: usize, alerts: usize },
    /// The same content was processed before; nothing raised.
    Duplicate,
    /// The pipeline could not store it (the reason); the source should keep the input.
    Failed(String),
}

/// A running source of articles.
#[async_trait]
pub trait Source: Send {
    /// A short name for logs ("drop folder inbox/").
    fn name(&self) -> String;
    /// Sends articles to `out` until `shutdown` is cancelled or `out` closes,
    /// and signals `started` once it is up. Finishes the article in hand
    /// before returning.
    async fn start(
        self: Box<Self>,
        out: ArticleSender,
        shutdown: CancellationToken,
        started: Started,
    ) -> Result<(), SourceError>;

    /// [`Source::start`] when nobody waits for it to be up.
    async fn run(
        self: Box<Self>,
        out: ArticleSender,
        shutdown: CancellationToken,
    ) -> Result<(), SourceError> {
        self.start(out, shutdown, Started::default()).await
    }
}

/// A source that cannot go on (problems with one article are not errors: the
/// source sets the article aside and continues).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot create the folder {path}: {source}")]
    CreateDir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot watch the folder {path}: {source}")]
    Watch {
        path: std::path::PathBuf,
        #[source]
        source: notify::Error,
    },
    #[error("cannot list the folder {path}: {source}")]
    ScanDir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} is a symbolic link; the drop folder's own folders (.processing, done, failed) must be real folders inside it"
    )]
    LinkedFolder { path: std::path::PathBuf },
    #[error("the watcher of the folder {path} stopped; restart the source")]
    WatcherStopped { path: std::path::PathBuf },
    #[error(transparent)]
    Feed(#[from] feed::FeedError),
}
