//! The running sources (drop folder, feeds), each in its slot, and their
//! replacement on reload: the new source starts once the old one has handed
//! over the articles in hand and returned, so an item is neither lost nor
//! read twice. Also hears when every first source has started (READY=1).

use std::collections::{HashMap, HashSet};
use std::future::{Future, pending};

use tokio::sync::oneshot;
use tokio::task::{Id, JoinError, JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::info;

use super::ServiceError;
use crate::source::{ArticleSender, Source, SourceError, Started};

/// Which source a slot holds: at most one of each runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Slot {
    Inbox,
    Feeds,
}

/// What ended when a source task returned.
pub(super) enum Ended {
    /// A source replaced or removed by a reload: nothing to do.
    Retired,
    /// A source ended on its own: the service stops (with the error, if any).
    Stopped(Option<ServiceError>),
}

/// The running sources and the sender they share.
pub(super) struct Sources {
    /// Cloned for each source; dropped on stop, so the pipeline drains and ends.
    out: Option<ArticleSender>,
    stop: CancellationToken,
    tasks: JoinSet<Result<(), SourceError>>,
    running: HashMap<Slot, Running>,
    /// Names of the tasks, for errors.
    names: HashMap<Id, String>,
    /// Tasks asked to stop by a reload.
    retired: HashSet<Id>,
    /// The first sources' start signals, until [`Sources::all_started`] takes them.
    starting: Option<Vec<oneshot::Receiver<()>>>,
}

struct Running {
    id: Id,
    stop: CancellationToken,
    /// Resolves once the task has returned.
    ended: oneshot::Receiver<()>,
}

impl Sources {
    pub(super) fn new(out: ArticleSender) -> Sources {
        Sources {
            out: Some(out),
            stop: CancellationToken::new(),
            tasks: JoinSet::new(),
            running: HashMap::new(),
            names: HashMap::new(),
            retired: HashSet::new(),
            starting: Some(Vec::new()),
        }
    }

    /// Starts `source` in `slot`; one already there is stopped first and the
    /// new one waits until it has returned.
    pub(super) fn start(&mut self, slot: Slot, source: Box<dyn Source>) {
        let Some(out) = self.out.clone() else {
            return;
        };
        let previous = self.retire(slot);
        let stop = self.stop.child_token();
        let (started, started_rx) = Started::channel();
        let (ended_tx, ended) = oneshot::channel::<()>();
        let name = source.name();
        let token = stop.clone();
        let handle = self.tasks.spawn(async move {
            let _ended = ended_tx;
            if let Some(previous) = previous {
                let _finished = previous.await;
            }
            source.start(out, token, started).await
        });
        self.names.insert(handle.id(), name);
        self.running.insert(
            slot,
            Running {
                id: handle.id(),
                stop,
                ended,
            },
        );
        if let Some(starting) = &mut self.starting {
            starting.push(started_rx);
        }
    }

    /// Stops the source in `slot`, if any; the receiver resolves once it has returned.
    pub(super) fn retire(&mut self, slot: Slot) -> Option<oneshot::Receiver<()>> {
        let old = self.running.remove(&slot)?;
        old.stop.cancel();
        self.retired.insert(old.id);
        Some(old.ended)
    }

    /// Resolves once every source started so far has signalled it is up; never
    /// if one of them ended before (its failure stops the service instead).
    pub(super) fn all_started(&mut self) -> impl Future<Output = ()> + use<> {
        let starting = self.starting.take().unwrap_or_default();
        async move {
            for started in starting {
                if started.await.is_err() {
                    pending::<()>().await;
                }
            }
        }
    }

    /// The next source task to return.
    pub(super) async fn join_next(
        &mut self,
    ) -> Option<Result<(Id, Result<(), SourceError>), JoinError>> {
        self.tasks.join_next_with_id().await
    }

    /// What a returned source task means for the service.
    pub(super) fn ended(
        &mut self,
        joined: Result<(Id, Result<(), SourceError>), JoinError>,
    ) -> Ended {
        let id = match &joined {
            Ok((id, _)) => *id,
            Err(e) => e.id(),
        };
        let name = self
            .names
            .remove(&id)
            .unwrap_or_else(|| "source".to_string());
        if self.retired.remove(&id) {
            match joined {
                Ok((_, Err(e))) => {
                    info!(source = %name, error = %e, "replaced source ended with an error")
                }
                Err(e) => info!(source = %name, error = %e, "replaced source ended abnormally"),
                Ok((_, Ok(()))) => {
                    info!(source = %name, "source stopped for the new configuration")
                }
            }
            return Ended::Retired;
        }
        self.running.retain(|_, r| r.id != id);
        Ended::Stopped(match joined {
            Ok((_, Ok(()))) => None,
            Ok((_, Err(e))) => Some(ServiceError::Stage {
                stage: name,
                reason: e.to_string(),
            }),
            Err(e) => Some(ServiceError::Stage {
                stage: name,
                reason: e.to_string(),
            }),
        })
    }

    /// Stops every source (each finishes the article in hand) and drops the
    /// shared sender; returns the first failure among them.
    pub(super) async fn stop(&mut self) -> Option<ServiceError> {
        self.stop.cancel();
        self.out = None;
        let mut failure = None;
        while let Some(joined) = self.join_next().await {
            if let Ended::Stopped(Some(e)) = self.ended(joined) {
                failure.get_or_insert(e);
            }
        }
        failure
    }
}
