//! Bearer tokens: with `[http] token` set, every `/api/*` request (and the web
//! page) needs `Authorization: Bearer <token>`. The comparison is in constant
//! time over SHA-256 digests, so neither the content nor the length of the
//! configured token leaks through timing. The token is never logged.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AppState;
use super::error::ApiError;

/// The configured secret, kept as its digest. Its `Debug` shows nothing.
#[derive(Clone)]
pub struct TokenDigest([u8; 32]);

impl std::fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenDigest(redacted)")
    }
}

impl TokenDigest {
    pub fn new(token: &str) -> TokenDigest {
        TokenDigest(Sha256::digest(token.as_bytes()).into())
    }

    fn matches(&self, given: &[u8]) -> bool {
        let given: [u8; 32] = Sha256::digest(given).into();
        self.0.ct_eq(&given).into()
    }
}

/// What a request's headers say against the configured token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token is configured: everyone may.
    Open,
    Granted,
    Missing,
    Wrong,
}

/// Checks `Authorization: Bearer <token>` against `token`.
pub fn access(token: Option<&TokenDigest>, headers: &HeaderMap) -> Access {
    let Some(token) = token else {
        return Access::Open;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes)
        .and_then(bearer);
    match given {
        None => Access::Missing,
        Some(given) if token.matches(given) => Access::Granted,
        Some(_) => Access::Wrong,
    }
}

/// The credentials of a `Bearer` authorization value (scheme case-insensitive).
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let scheme = value.get(..7)?;
    if !scheme.eq_ignore_ascii_case(b"bearer ") {
        return None;
    }
    let rest = value.get(7..)?;
    let start = rest.iter().position(|b| *b != b' ')?;
    let end = rest.iter().rposition(|b| *b != b' ')?;
    rest.get(start..=end)
}

/// The API's refusal: 401 with `WWW-Authenticate: Bearer` and a JSON body.
pub fn refusal(access: Access) -> Response {
    let message = match access {
        Access::Wrong => "the bearer token is not the one configured ([http] token)",
        _ => {
            "this drawdown needs a token: send `Authorization: Bearer <token>` ([http] token or DRAWDOWN_HTTP__TOKEN)"
        }
    };
    let mut response =
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"drawdown\""),
    );
    response
}

/// Passes `request` on when its token is right (or none is needed); else
/// answers what `refuse` makes of the refusal.
pub async fn gate(
    state: &AppState,
    request: Request,
    next: Next,
    refuse: impl FnOnce(Access) -> Response,
) -> Response {
    match access(state.token.as_ref(), request.headers()) {
        Access::Open | Access::Granted => next.run(request).await,
        denied => {
            tracing::info!(path = %request.uri().path(), "request refused: no valid token");
            refuse(denied)
        }
    }
}

/// Middleware on `/api/*`: refuses requests without the token.
pub async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    gate(&state, request, next, refusal).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(header::AUTHORIZATION, value);
        }
        headers
    }

    #[test]
    fn bearer_tokens_are_checked() {
        let token = TokenDigest::new("s3cret-token");
        let token = Some(&token);
        assert_eq!(access(None, &HeaderMap::new()), Access::Open);
        assert_eq!(access(token, &HeaderMap::new()), Access::Missing);
        assert_eq!(
            access(token, &headers("Bearer s3cret-token")),
            Access::Granted
        );
        assert_eq!(
            access(token, &headers("bearer  s3cret-token ")),
            Access::Granted
        );
        assert_eq!(access(token, &headers("Bearer s3cret")), Access::Wrong);
        assert_eq!(
            access(token, &headers("Basic s3cret-token")),
            Access::Missing
        );
        assert_eq!(access(token, &headers("Bearer ")), Access::Missing);
    }

    #[test]
    fn the_digest_does_not_show_in_debug() {
        let shown = format!("{:?}", TokenDigest::new("s3cret-token"));
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
