//! `GET /api/alerts/stream`: Server-Sent Events, one `alert` event per alert
//! as soon as its transaction commits, `id:` its `seq`. The stream reads the
//! outbox itself: from `Last-Event-ID` (or `?since=`) it replays what the store
//! holds, then waits for the pipeline's commit signal and reads again, so a
//! client that reconnects misses nothing and sees nothing twice.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::AppState;
use super::error::ApiError;
use super::query::{AlertParams, alert_query};
use crate::store::{AlertQuery, Store, StoredAlert};

/// Alerts read from the store at a time.
const PAGE: u32 = 100;

/// Without a commit signal (another process writing the same store), the
/// stream looks at the store this often anyway.
const RECHECK: Duration = Duration::from_secs(5);

/// `GET /api/alerts/stream`.
pub async fn alert_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<AlertParams>, QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let Query(mut params) = params?;
    // A reconnecting EventSource says where it was; that wins over `?since=`.
    if let Some(last) = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    {
        params.since = Some(last.to_string());
    }
    // Subscribe before reading, so a commit in between wakes the stream.
    let mut committed = state.alerts_committed.clone();
    committed.borrow_and_update();
    let mut query = alert_query(state.store.as_ref(), &params, PAGE).await?;
    if params.since.is_none() {
        // Only what comes from now on.
        query.after_seq = Some(state.store.last_alert_seq().await?);
    }
    let follow = Follow {
        store: state.store.clone(),
        committed,
        query,
        buffer: VecDeque::new(),
        shutdown: state.shutdown.clone(),
        done: false,
    };
    let stream = futures_util::stream::unfold(follow, |mut follow| async move {
        let event = follow.next().await?;
        Some((Ok(event), follow))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// One client's place in the outbox.
struct Follow {
    store: Arc<dyn Store>,
    committed: watch::Receiver<u64>,
    /// `after_seq` is the last alert sent.
    query: AlertQuery,
    buffer: VecDeque<StoredAlert>,
    shutdown: CancellationToken,
    done: bool,
}

impl Follow {
    /// The next event; `None` ends the stream (shutdown, or after an error event).
    async fn next(&mut self) -> Option<Event> {
        loop {
            if self.done || self.shutdown.is_cancelled() {
                return None;
            }
            if let Some(stored) = self.buffer.pop_front() {
                self.query.after_seq = Some(stored.seq);
                return Some(alert_event(&stored));
            }
            self.committed.borrow_and_update();
            match self.store.alerts_page(&self.query).await {
                Ok(page) if !page.is_empty() => {
                    self.buffer.extend(page);
                    continue;
                }
                Ok(_) => {}
                Err(err) => {
                    // The client reconnects with its Last-Event-ID and resumes.
                    self.done = true;
                    let body = ApiError::store(&err).body();
                    return Some(Event::default().event("error").data(body));
                }
            }
            tokio::select! {
                changed = self.committed.changed() => {
                    if changed.is_err() {
                        // The pipeline has ended: nothing more will come.
                        return None;
                    }
                }
                () = self.shutdown.cancelled() => return None,
                () = tokio::time::sleep(RECHECK) => {}
            }
        }
    }
}

/// `event: alert`, `id: <seq>`, `data:` the alert's JSON line.
fn alert_event(stored: &StoredAlert) -> Event {
    let data = serde_json::to_string(&stored.line()).unwrap_or_else(|e| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "encode",
            e.to_string(),
        )
        .body()
    });
    Event::default()
        .event("alert")
        .id(stored.seq.to_string())
        .data(data)
}
