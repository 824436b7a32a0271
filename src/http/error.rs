//! Every error the HTTP server answers is a JSON body that says what was wrong:
//! `{"status":422,"error":"no_text","message":"..."}` (plus `reasons` for
//! `/readyz`). Handlers return [`ApiError`]; the router's fallbacks (unknown
//! path, wrong method) and axum's extractor rejections are mapped here too.

use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

/// An error answer: its status, a snake_case code for scripts and a message
/// for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Why a readiness check failed, one line per reason.
    pub reasons: Vec<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    status: u16,
    error: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    reasons: &'a [String],
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            reasons: Vec::new(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// The store failed: 503, the daemon cannot serve this now.
    pub fn store(err: &StoreError) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "store", err.to_string())
    }

    /// The daemon is stopping, or its pipeline has.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// The JSON text of the body.
    pub fn body(&self) -> String {
        let body = Body {
            status: self.status.as_u16(),
            error: self.code,
            message: &self.message,
            reasons: &self.reasons,
        };
        serde_json::to_string(&body).unwrap_or_else(|_| {
            format!(
                "{{\"status\":{},\"error\":\"{}\"}}",
                self.status.as_u16(),
                self.code
            )
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let headers = [(
            axum::http::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )];
        (self.status, headers, self.body()).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        ApiError::store(&err)
    }
}

/// A body that could not be read: over the cap (413) or broken off.
impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> ApiError {
        let status = rejection.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "too_large"
        } else {
            "body"
        };
        ApiError::new(status, code, rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::bad_request("query", rejection.body_text())
    }
}

/// The router's fallback: no such path.
pub async fn no_route(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no such endpoint: {}; see docs/contract.md for the API",
        uri.path()
    ))
}

/// The router's fallback for a known path asked with another method.
pub async fn wrong_method(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not answer {method}", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_names_status_code_and_message() {
        let err = ApiError::bad_request("json", "invalid JSON at line 1, column 2");
        let body: serde_json::Value =
            serde_json::from_str(&err.body()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body["status"], 400);
        assert_eq!(body["error"], "json");
        assert_eq!(body["message"], "invalid JSON at line 1, column 2");
        assert!(body.get("reasons").is_none());
    }
}
