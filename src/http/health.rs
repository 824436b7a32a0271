//! `GET /healthz` (the process answers), `GET /readyz` (the store answers
//! and every source has started; `503` with the reasons otherwise) and
//! `GET /metrics` (Prometheus text), for supervisors and scrapers. None of
//! them needs the token.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;

/// How long `/readyz` waits for the store before calling it unavailable.
const STORE_PATIENCE: Duration = Duration::from_secs(2);

/// `GET /metrics`: the Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// `GET /healthz`.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "alive" }))
}

/// `GET /readyz`.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let mut reasons = Vec::new();
    match tokio::time::timeout(STORE_PATIENCE, state.store.health()).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => reasons.push(format!("store: {err}")),
        Err(_) => reasons.push(format!(
            "store: no answer within {} s",
            STORE_PATIENCE.as_secs()
        )),
    }
    reasons.extend(state.readiness.waiting());
    not_ready(reasons)?;
    Ok(Json(json!({ "status": "ready" })))
}

/// 503 with every reason, or nothing when there is none.
fn not_ready(reasons: Vec<String>) -> Result<(), ApiError> {
    if reasons.is_empty() {
        return Ok(());
    }
    let mut err = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "not_ready",
        reasons.join("; "),
    );
    err.reasons = reasons;
    Err(err)
}
