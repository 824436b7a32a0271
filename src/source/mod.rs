//! Sources produce `Article`s and know nothing of claims. Each source is one
//! file behind the `Source` trait; `article_file.rs` reads the article file
//! formats (shared by the drop folder, `ingest` and `replay`).

pub mod article_batches;
pub mod article_file;
pub mod drop_folder;
pub mod feed;
pub mod queue;

use async_trait::async_trait;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::model::Article;
pub use queue::{ArticleSender, BudgetPermit, ByteBudget};

/// An article on its way to the pipeline. The pipeline answers on `done` once
/// the article is stored (or rejected), so a source can acknowledge its input
/// (move a file to `done/`) only when nothing can be lost any more.
#[derive(Debug)]
pub struct Incoming {
    pub article: Article,
    /// Where it came from, for logs ("inbox/03.txt", a feed URL).
    pub origin: String,
    pub done: Option<oneshot::Sender<Processed>>,
    /// The article's share of the queue's byte budget, taken by
    /// [`ArticleSender::send`] and given back when the pipeline drops it.
    pub budget: Option<BudgetPermit>,
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
    /// Sends articles to `out` until `shutdown` is cancelled or `out` closes.
    /// Finishes the article in hand before returning.
    async fn run(
        self: Box<Self>,
        out: ArticleSender,
        shutdown: CancellationToken,
    ) -> Result<(), SourceError>;
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
