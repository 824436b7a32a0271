//! The read side of the API: `GET /api/timeline` (`?country=`, `?actor=`),
//! `GET /api/alerts` (`?since=`, `?kind=`, `?limit=`, with a cursor for the
//! next page) and `GET /api/feeds`. Each item has the shape of the matching
//! CLI command's `--format json` line. Parsing and filtering are plain
//! functions; the handlers only ask the store.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::AppState;
use super::error::ApiError;
use crate::model::{ChangeKind, slug};
use crate::source::feed::report::{self, FeedRow};
use crate::store::{AlertQuery, Store, parse_since};
use crate::timeline::Entry;

/// Alerts per page unless `?limit=` says otherwise.
pub const DEFAULT_LIMIT: u32 = 100;
/// The most alerts one page holds.
pub const MAX_LIMIT: u32 = 1000;

/// `GET /api/timeline` parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    /// ISO 3166-1 alpha-2 code of the country left (case-insensitive).
    pub country: Option<String>,
    /// The force leaving: its canonical name, any case or spelling of its slug.
    pub actor: Option<String>,
}

/// Does `entry` belong to the withdrawal the parameters name?
pub fn entry_matches(entry: &Entry, params: &TimelineParams) -> bool {
    let country = params
        .country
        .as_deref()
        .is_none_or(|c| entry.event.country.eq_ignore_ascii_case(c.trim()));
    let actor = params
        .actor
        .as_deref()
        .is_none_or(|a| slug(&entry.event.actor) == slug(a));
    country && actor
}

/// The body of `GET /api/timeline`.
#[derive(Serialize)]
pub struct TimelineBody {
    pub entries: Vec<Entry>,
}

/// `GET /api/timeline`.
pub async fn timeline(
    State(state): State<AppState>,
    params: Result<Query<TimelineParams>, QueryRejection>,
) -> Result<Json<TimelineBody>, ApiError> {
    let Query(params) = params?;
    let mut entries = state.store.load_timeline().await?;
    entries.retain(|e| entry_matches(e, &params));
    Ok(Json(TimelineBody { entries }))
}

/// `GET /api/alerts` and `GET /api/alerts/stream` parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertParams {
    /// After this `seq`, or raised at or after this time, or after this alert id.
    pub since: Option<String>,
    /// Comma-separated kinds (`contradiction,update`).
    pub kind: Option<String>,
    pub limit: Option<u32>,
}

/// Where `?since=` starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// After this `seq` (what `next` and the SSE `id:` give).
    Seq(i64),
    /// Raised at or after this time.
    Time(chrono::DateTime<chrono::Utc>),
    /// After the alert with this id.
    Alert(String),
}

/// `?since=`: digits are a `seq`, a date or RFC 3339 time is a time, anything
/// else an alert id.
pub fn parse_since_param(text: &str) -> Since {
    let text = text.trim();
    if let Ok(seq) = text.parse::<i64>() {
        return Since::Seq(seq);
    }
    match parse_since(text) {
        Some(at) => Since::Time(at),
        None => Since::Alert(text.to_string()),
    }
}

/// `?kind=`: comma-separated change kinds.
pub fn parse_kinds(text: &str) -> Result<Vec<ChangeKind>, ApiError> {
    text.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| {
            serde_json::from_value(Value::String(k.to_string())).map_err(|_| {
                ApiError::bad_request(
                    "kind",
                    format!(
                        "kind {k:?} is not a change kind; use update, contradiction, refinement, new or confirmation"
                    ),
                )
            })
        })
        .collect()
}

/// The store query the parameters ask for (`since` an alert id is looked up).
pub async fn alert_query(
    store: &dyn Store,
    params: &AlertParams,
    limit: u32,
) -> Result<AlertQuery, ApiError> {
    let mut query = AlertQuery {
        kinds: params
            .kind
            .as_deref()
            .map(parse_kinds)
            .transpose()?
            .unwrap_or_default(),
        limit,
        ..AlertQuery::default()
    };
    match params.since.as_deref().map(parse_since_param) {
        None => {}
        Some(Since::Seq(seq)) => query.after_seq = Some(seq),
        Some(Since::Time(at)) => query.since = Some(at),
        Some(Since::Alert(id)) => match store.alert(&id).await? {
            Some(alert) => query.after_seq = Some(alert.seq),
            None => {
                return Err(ApiError::bad_request(
                    "since",
                    format!(
                        "since {id:?} is neither a seq, a date, an RFC 3339 time nor the id of an alert"
                    ),
                ));
            }
        },
    }
    Ok(query)
}

/// `?limit=` within 1..=[`MAX_LIMIT`].
pub fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(n),
        n => Err(ApiError::bad_request(
            "limit",
            format!("limit {n} is out of range; give 1 to {MAX_LIMIT}"),
        )),
    }
}

/// `GET /api/alerts`: oldest first; `next` is the `since` of the next page
/// (null on the last one).
pub async fn alerts(
    State(state): State<AppState>,
    params: Result<Query<AlertParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(params) = params?;
    let limit = page_limit(params.limit)?;
    // One more than asked tells whether there is a next page.
    let query = alert_query(state.store.as_ref(), &params, limit + 1).await?;
    let mut page = state.store.alerts_page(&query).await?;
    let more = page.len() > limit as usize;
    page.truncate(limit as usize);
    let next = if more {
        page.last().map(|a| a.seq.to_string())
    } else {
        None
    };
    let lines: Vec<_> = page.iter().map(|a| a.line()).collect();
    Ok(Json(serde_json::json!({ "alerts": lines, "next": next })))
}

/// The body of `GET /api/feeds`.
#[derive(Serialize)]
pub struct FeedsBody {
    pub feeds: Vec<FeedRow>,
}

/// `GET /api/feeds`: each configured feed and its polling state.
pub async fn feeds(State(state): State<AppState>) -> Result<Json<FeedsBody>, ApiError> {
    let states = state.store.feed_states().await?;
    Ok(Json(FeedsBody {
        feeds: report::rows(&state.feeds, &states),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_a_seq_a_time_or_an_alert_id() {
        assert_eq!(parse_since_param("42"), Since::Seq(42));
        assert_eq!(
            parse_since_param("2024-09-10"),
            Since::Time(parse_since("2024-09-10T00:00:00Z").unwrap_or_default())
        );
        assert!(matches!(
            parse_since_param("2024-09-10T08:00:00+02:00"),
            Since::Time(_)
        ));
        assert_eq!(
            parse_since_param("a1b2c3"),
            Since::Alert("a1b2c3".to_string())
        );
    }

    #[test]
    fn kinds_and_limits_are_checked() {
        assert_eq!(
            parse_kinds("contradiction, update").ok(),
            Some(vec![ChangeKind::Contradiction, ChangeKind::Update])
        );
        assert!(parse_kinds("contradicton").is_err());
        assert_eq!(page_limit(None).ok(), Some(DEFAULT_LIMIT));
        assert_eq!(page_limit(Some(5)).ok(), Some(5));
        assert!(page_limit(Some(0)).is_err());
        assert!(page_limit(Some(MAX_LIMIT + 1)).is_err());
    }
}
