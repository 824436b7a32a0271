//! `POST /api/articles`: an article as JSON (the `.json` article format) or as
//! raw text, Markdown or HTML (by `Content-Type`), with optional `X-Title`,
//! `X-Source`, `X-Published` and `X-Url` headers that win over the body. It
//! takes the drop folder's path: the same readers ([`parse_post`] is pure, for
//! tests and fuzzing), the same pipeline queue and store transaction; the
//! answer comes once the article is stored.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Serialize;

use super::AppState;
use super::error::ApiError;
use crate::model::{Article, ChangeKind, Claim};
use crate::source::article_file::{ArticleError, Decoded, parse_article_decoded, parse_date};
use crate::source::{Incoming, Processed, SourceKind};
use crate::store::{AlertLine, StoredArticle};

/// The article headers a client may send beside the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostMeta {
    pub content_type: Option<String>,
    pub title: Option<String>,
    pub source: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
}

/// Why a posted body is refused.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error(
        "Content-Type {0:?} is not an article format; send application/json (the .json article format), text/plain, text/markdown or text/html"
    )]
    ContentType(String),
    #[error("the {header} header is not UTF-8 text")]
    HeaderEncoding { header: &'static str },
    #[error(
        "X-Published {0:?} is not a date; write it as YYYY-MM-DD or RFC 3339 (2025-03-14T09:30:00Z)"
    )]
    Published(String),
    #[error("{0}")]
    Article(#[from] ArticleError),
}

impl PostError {
    /// A snake_case word per reason, for the answer and the log.
    pub fn code(&self) -> &'static str {
        match self {
            PostError::ContentType(_) => "content_type",
            PostError::HeaderEncoding { .. } => "header_encoding",
            PostError::Published(_) => "bad_date",
            PostError::Article(err) => err.reason_code(),
        }
    }

    /// 415 for a format we do not read, 413 over a size limit, 400 for a
    /// body that cannot be read at all, 422 for one that reads but holds no
    /// usable article.
    pub fn status(&self) -> StatusCode {
        match self {
            PostError::ContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            PostError::HeaderEncoding { .. } => StatusCode::BAD_REQUEST,
            PostError::Published(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PostError::Article(err) => match err {
                ArticleError::UnknownExtension { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ArticleError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                ArticleError::Empty { .. }
                | ArticleError::Binary { .. }
                | ArticleError::BadEncoding { .. }
                | ArticleError::Json { .. } => StatusCode::BAD_REQUEST,
                ArticleError::Io { .. }
                | ArticleError::Symlink { .. }
                | ArticleError::OutsideInbox { .. } => StatusCode::INTERNAL_SERVER_ERROR,
                ArticleError::MissingField { .. }
                | ArticleError::BadDate { .. }
                | ArticleError::NoText { .. }
                | ArticleError::NoDate { .. }
                | ArticleError::ParserPanic { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            },
        }
    }

    /// The message without the reader's stand-in file name.
    fn message(&self) -> String {
        let text = self.to_string();
        match self {
            PostError::Article(err) => {
                let prefix = format!("{}: ", err.path().display());
                text.strip_prefix(&prefix).unwrap_or(&text).to_string()
            }
            _ => text,
        }
    }
}

impl From<&PostError> for ApiError {
    fn from(err: &PostError) -> ApiError {
        ApiError::new(err.status(), err.code(), err.message())
    }
}

/// The reader a media type goes to, as the file name the readers expect.
fn reader_name(content_type: &str) -> Option<&'static str> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Some("body.json"),
        "text/plain" => Some("body.txt"),
        "text/markdown" | "text/x-markdown" => Some("body.md"),
        "text/html" | "application/xhtml+xml" => Some("body.html"),
        other if other.starts_with("application/") && other.ends_with("+json") => Some("body.json"),
        _ => None,
    }
}

/// A posted body and its headers to an `Article`, as the drop folder reads a
/// file (in whatever encoding it is: see the readers), with the encoding it
/// was read in; `today` is the date of a text that names none. The headers win
/// over what the body says. Pure: no I/O, no clock.
pub fn parse_post(meta: &PostMeta, body: &[u8], today: NaiveDate) -> Result<Decoded, PostError> {
    let content_type = meta.content_type.as_deref().unwrap_or_default();
    let name = reader_name(content_type)
        .ok_or_else(|| PostError::ContentType(content_type.to_string()))?;
    let published = match meta.published.as_deref().map(str::trim) {
        Some(value) => {
            Some(parse_date(value).ok_or_else(|| PostError::Published(value.to_string()))?)
        }
        None => None,
    };
    let Decoded {
        mut article,
        encoding,
    } = parse_article_decoded(
        std::path::Path::new(name),
        body,
        Some(published.unwrap_or(today)),
    )?;
    article.path = None;
    let given = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    if let Some(title) = given(&meta.title) {
        article.title = title;
    }
    if let Some(source) = given(&meta.source) {
        article.source = Some(source);
    }
    if let Some(url) = given(&meta.url) {
        article.url = Some(url);
    }
    if let Some(day) = published {
        article.published = day;
    }
    Ok(Decoded { article, encoding })
}

/// The headers of a request as [`PostMeta`].
fn post_meta(headers: &HeaderMap) -> Result<PostMeta, PostError> {
    let text = |name: &'static str| -> Result<Option<String>, PostError> {
        headers
            .get(name)
            .map(|value| {
                String::from_utf8(value.as_bytes().to_vec())
                    .map_err(|_| PostError::HeaderEncoding { header: name })
            })
            .transpose()
    };
    Ok(PostMeta {
        content_type: text(header::CONTENT_TYPE.as_str())?,
        title: text("x-title")?,
        source: text("x-source")?,
        published: text("x-published")?,
        url: text("x-url")?,
    })
}

/// The answer to a stored (or duplicate) article.
#[derive(Debug, Serialize)]
struct Posted<'a> {
    /// The article's content hash: the same text posted again has the same id.
    id: &'a str,
    duplicate: bool,
    title: &'a str,
    published: NaiveDate,
    claims: Vec<ClaimLine<'a>>,
    alerts: Vec<AlertLine<'a>>,
}

/// A claim with what the timeline made of it.
#[derive(Debug, Serialize)]
struct ClaimLine<'a> {
    #[serde(flatten)]
    claim: &'a Claim,
    change: Option<ChangeKind>,
}

fn posted<'a>(
    id: &'a str,
    article: &'a Article,
    stored: Option<&'a StoredArticle>,
    duplicate: bool,
) -> Posted<'a> {
    Posted {
        id,
        duplicate,
        title: &article.title,
        published: article.published,
        claims: stored
            .map(|s| {
                s.claims
                    .iter()
                    .map(|(claim, change)| ClaimLine {
                        claim,
                        change: *change,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        alerts: stored
            .map(|s| s.alerts.iter().map(|a| a.line()).collect())
            .unwrap_or_default(),
    }
}

/// `POST /api/articles`.
pub async fn post_article(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body?;
    let today = chrono::Utc::now().date_naive();
    // HTML extraction of a large page takes a while: off the runtime, as files are.
    let parsed = match post_meta(&headers) {
        Ok(meta) => tokio::task::spawn_blocking(move || parse_post(&meta, &body, today))
            .await
            .map_err(|e| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "panic", e.to_string())
            })?,
        Err(e) => Err(e),
    };
    let article = match parsed {
        Ok(read) => {
            read.encoding.log(&"POST /api/articles");
            read.encoding.count(&state.metrics, SourceKind::Http);
            read.article
        }
        Err(err) => {
            state.metrics.quarantined(SourceKind::Http, err.code());
            tracing::warn!(code = err.code(), reason = %err.message(), "posted article rejected");
            return Err(ApiError::from(&err));
        }
    };
    let id = article.content_hash();
    let (incoming, answer) = Incoming::new(
        SourceKind::Http,
        "POST /api/articles".to_string(),
        article.clone(),
    );
    if state.articles.send(incoming).await.is_err() {
        return Err(ApiError::unavailable(
            "the pipeline has stopped (drawdown is shutting down); post the article again later",
        ));
    }
    match answer.await {
        Ok(Processed::Stored { .. }) => {
            let stored = state.store.article(&id).await?;
            let body = posted(&id, &article, stored.as_ref(), false);
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        Ok(Processed::Duplicate) => {
            Ok((StatusCode::OK, Json(posted(&id, &article, None, true))).into_response())
        }
        Ok(Processed::Failed(reason)) => Err(ApiError::unavailable(format!(
            "the article could not be stored: {reason}"
        ))),
        Err(_) => Err(ApiError::unavailable(
            "the pipeline stopped before storing the article; post it again later",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{e}"))
    }

    fn meta(content_type: &str) -> PostMeta {
        PostMeta {
            content_type: Some(content_type.to_string()),
            ..PostMeta::default()
        }
    }

    #[test]
    fn json_bodies_are_the_json_article_format() {
        let body = br#"{"title":"Troops to leave","source":"Gulf Dispatch","published":"2024-09-10","text":"The coalition will leave by September 2026."}"#;
        let article = parse_post(
            &meta("application/json; charset=utf-8"),
            body,
            day("2025-01-01"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .article;
        assert_eq!(article.title, "Troops to leave");
        assert_eq!(article.source.as_deref(), Some("Gulf Dispatch"));
        assert_eq!(article.published, day("2024-09-10"));
        assert_eq!(article.path, None);
    }

    #[test]
    fn headers_win_over_the_body_and_today_is_the_fallback() {
        let body = b"Troops to leave\n\nThe coalition will leave by September 2026.";
        let plain = parse_post(&meta("text/plain"), body, day("2025-01-01"))
            .unwrap_or_else(|e| panic!("{e}"))
            .article;
        assert_eq!(plain.title, "Troops to leave");
        assert_eq!(plain.published, day("2025-01-01"));
        let given = PostMeta {
            title: Some("Given title".into()),
            source: Some("Northwire".into()),
            published: Some("2024-09-06T08:00:00Z".into()),
            url: Some("https://news.example.org/a".into()),
            ..meta("text/plain")
        };
        let article = parse_post(&given, body, day("2025-01-01"))
            .unwrap_or_else(|e| panic!("{e}"))
            .article;
        assert_eq!(article.title, "Given title");
        assert_eq!(article.source.as_deref(), Some("Northwire"));
        assert_eq!(article.published, day("2024-09-06"));
        assert_eq!(article.url.as_deref(), Some("https://news.example.org/a"));
    }

    #[test]
    fn bad_bodies_say_why_with_their_status() {
        let cases: [(&str, &[u8], StatusCode, &str); 6] = [
            (
                "application/json",
                b"{\"title\":",
                StatusCode::BAD_REQUEST,
                "json",
            ),
            (
                "application/json",
                br#"{"title":"t","published":"2024-09-10"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "missing_field",
            ),
            ("text/plain", b"", StatusCode::BAD_REQUEST, "empty"),
            (
                "text/plain",
                b"Title: t\n\n",
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_text",
            ),
            (
                "text/plain",
                b"\x00\x01\x02binary",
                StatusCode::BAD_REQUEST,
                "binary",
            ),
            (
                "application/pdf",
                b"%PDF",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content_type",
            ),
        ];
        for (content_type, body, status, code) in cases {
            let err = match parse_post(&meta(content_type), body, day("2025-01-01")) {
                Err(e) => e,
                Ok(read) => panic!("{content_type} {body:?} was accepted: {:?}", read.article),
            };
            assert_eq!((err.status(), err.code()), (status, code), "{err}");
            assert!(!err.message().starts_with("body."), "{}", err.message());
        }
        let bad_date = PostMeta {
            published: Some("next week".into()),
            ..meta("text/plain")
        };
        let err = parse_post(&bad_date, b"t\n\ntext", day("2025-01-01"));
        assert!(matches!(err, Err(PostError::Published(_))), "{err:?}");
    }
}
