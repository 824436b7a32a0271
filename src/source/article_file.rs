//! Reads one article file into an `Article`: the formats of DESIGN.md "Article files"
//! (`.txt`/`.md` with an optional header, a saved `.html` page, `.json`), shared by the
//! drop folder, `ingest` and `replay`. `parse_article` is pure; `read_article` adds the
//! size cap and the file's date. It knows nothing of folders, claims or the pipeline.

#![warn(missing_docs)]

use std::ffi::OsStr;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use dom_smoothie::{Readability, TextMode};
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use crate::model::Article;

/// The extensions of article files (compared case-insensitively).
pub const ARTICLE_EXTENSIONS: &[&str] = &["txt", "md", "html", "htm", "json"];

/// Name endings of files still being written (editors, browsers, downloaders).
const TEMPORARY_EXTENSIONS: &[&str] = &["tmp", "part", "swp", "crdownload"];

/// A file whose characters are more than this share of control characters is binary.
const MAX_CONTROL_SHARE: f64 = 0.25;

/// Why an article file could not be read. Every message names the file and says
/// what to do; the drop folder writes it into `failed/NAME.reason`.
#[derive(Debug, thiserror::Error)]
pub enum ArticleError {
    /// No bytes, or only whitespace.
    #[error("{}: the file is empty; put an article in it (a title line, a blank line, the text)", .path.display())]
    Empty {
        /// The file, as the user knows it.
        path: PathBuf,
    },
    /// NUL bytes, or mostly control characters.
    #[error("{}: binary data (NUL bytes or control characters), not an article; save the article as text (.txt, .md, .html or .json)", .path.display())]
    Binary {
        /// The file, as the user knows it.
        path: PathBuf,
    },
    /// A byte order mark names an encoding (UTF-8, UTF-16) the bytes after it
    /// are not valid in. Text without a BOM is never refused for its encoding:
    /// it is decoded in the encoding it declares or that its bytes suggest.
    #[error("{}: starts with a {encoding} byte order mark but byte {offset} is not valid {encoding}; save the file again as UTF-8", .path.display())]
    BadEncoding {
        /// The file, as the user knows it.
        path: PathBuf,
        /// The encoding the byte order mark names.
        encoding: &'static str,
        /// Where the first invalid byte is, from the start of the file.
        offset: usize,
    },
    /// Not one of [`ARTICLE_EXTENSIONS`].
    #[error("{}: {} is not an article format; accepted: .txt, .md, .html, .htm, .json", .path.display(), ext_label(.ext))]
    UnknownExtension {
        /// The file, as the user knows it.
        path: PathBuf,
        /// The extension found, lower-cased, without the dot ("" for none).
        ext: String,
    },
    /// Over the size limit; refused without being read.
    #[error("{}: {size} bytes is over the limit of {limit} bytes; trim the file or raise [inbox] max_file_size", .path.display())]
    TooLarge {
        /// The file, as the user knows it.
        path: PathBuf,
        /// Its size in bytes (at least this much).
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A `.json` file that does not parse, or whose fields have the wrong types.
    #[error("{}: invalid JSON at line {line}, column {column}; expected an object with \"title\", \"published\" and \"text\"", .path.display())]
    Json {
        /// The file, as the user knows it.
        path: PathBuf,
        /// Line of the error (1-based).
        line: usize,
        /// Column of the error (1-based).
        column: usize,
        /// What serde_json found.
        #[source]
        source: serde_json::Error,
    },
    /// A `.json` file without one of its required fields.
    #[error("{}: the JSON has no \"{field}\"; \"title\", \"published\" and \"text\" are required", .path.display())]
    MissingField {
        /// The file, as the user knows it.
        path: PathBuf,
        /// The missing field.
        field: &'static str,
    },
    /// A publication date that is neither `YYYY-MM-DD` nor RFC 3339.
    #[error("{}: cannot read the date {value:?}; write it as YYYY-MM-DD or RFC 3339 (2025-03-14T09:30:00Z)", .path.display())]
    BadDate {
        /// The file, as the user knows it.
        path: PathBuf,
        /// The date as written.
        value: String,
    },
    /// Nothing to read: an empty body after the header, or a page with no main text.
    #[error("{}: no article text (the body is empty, or the page has no readable main text); check that the file holds the article itself", .path.display())]
    NoText {
        /// The file, as the user knows it.
        path: PathBuf,
    },
    /// The file names no date and there is no fallback.
    #[error("{}: no publication date; add a \"Published: YYYY-MM-DD\" header line (or pass --published)", .path.display())]
    NoDate {
        /// The file, as the user knows it.
        path: PathBuf,
    },
    /// The file could not be read.
    #[error("{}: cannot read the file; check that it exists and is readable", .path.display())]
    Io {
        /// The file, as the user knows it.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A symbolic link where the drop folder expects a file: never followed,
    /// as it could lead anywhere the service can read (its own configuration).
    #[error("{}: a symbolic link, not a file; the drop folder does not follow links (copy the article in instead)", .path.display())]
    Symlink {
        /// The file, as the user knows it.
        path: PathBuf,
    },
    /// A file whose real location (every link on the way resolved) is not in
    /// the drop folder.
    #[error("{}: its real location is outside the drop folder; refused (copy the article in instead)", .path.display())]
    OutsideInbox {
        /// The file, as the user knows it.
        path: PathBuf,
    },
    /// The HTML extractor panicked on this file (a bug, contained to the file).
    #[error("{}: the HTML reader crashed on this file ({detail}); save the article as .txt and report the file", .path.display())]
    ParserPanic {
        /// The file, as the user knows it.
        path: PathBuf,
        /// The panic message.
        detail: String,
    },
}

impl ArticleError {
    /// A snake_case word per reason, for metrics (the `reason` label of
    /// `drawdown_articles_quarantined_total`) and scripts.
    pub fn reason_code(&self) -> &'static str {
        match self {
            ArticleError::Empty { .. } => "empty",
            ArticleError::Binary { .. } => "binary",
            ArticleError::BadEncoding { .. } => "bad_encoding",
            ArticleError::UnknownExtension { .. } => "unknown_extension",
            ArticleError::TooLarge { .. } => "too_large",
            ArticleError::Json { .. } => "json",
            ArticleError::MissingField { .. } => "missing_field",
            ArticleError::BadDate { .. } => "bad_date",
            ArticleError::NoText { .. } => "no_text",
            ArticleError::NoDate { .. } => "no_date",
            ArticleError::Io { .. } => "io",
            ArticleError::Symlink { .. } => "symlink",
            ArticleError::OutsideInbox { .. } => "outside_inbox",
            ArticleError::ParserPanic { .. } => "parser_panic",
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ArticleError::Empty { path }
            | ArticleError::Binary { path }
            | ArticleError::BadEncoding { path, .. }
            | ArticleError::UnknownExtension { path, .. }
            | ArticleError::TooLarge { path, .. }
            | ArticleError::Json { path, .. }
            | ArticleError::MissingField { path, .. }
            | ArticleError::BadDate { path, .. }
            | ArticleError::NoText { path }
            | ArticleError::NoDate { path }
            | ArticleError::Io { path, .. }
            | ArticleError::Symlink { path }
            | ArticleError::OutsideInbox { path }
            | ArticleError::ParserPanic { path, .. } => path,
        }
    }
}

fn ext_label(ext: &str) -> String {
    if ext.is_empty() {
        "a name without extension".to_string()
    } else {
        format!("\".{ext}\"")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Markdown,
    Html,
    Json,
}

fn format_of(path: &Path) -> Result<Format, ArticleError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" => Ok(Format::Text),
        "md" => Ok(Format::Markdown),
        "html" | "htm" => Ok(Format::Html),
        "json" => Ok(Format::Json),
        _ => Err(ArticleError::UnknownExtension {
            path: path.to_path_buf(),
            ext,
        }),
    }
}

/// True if the path has one of the [`ARTICLE_EXTENSIONS`].
pub fn is_article_path(path: &Path) -> bool {
    format_of(path).is_ok()
}

/// True for names that are hidden or still being written: `.*`, `*~`, `*.tmp`,
/// `*.part`, `*.swp`, `*.crdownload`. Such files are never read.
pub fn is_hidden_or_temporary(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    if name.starts_with('.') || name.ends_with('~') {
        return true;
    }
    match name.rsplit_once('.') {
        Some((_, ext)) => TEMPORARY_EXTENSIONS
            .iter()
            .any(|tmp| ext.eq_ignore_ascii_case(tmp)),
        None => false,
    }
}

/// The article files directly in `dir` (no sub-folders), sorted by name, without
/// hidden or temporary names.
pub fn article_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if is_hidden_or_temporary(&entry.file_name()) {
            continue;
        }
        let path = entry.path();
        // `metadata` follows symlinks, so a link to an article counts.
        let is_file = std::fs::metadata(&path)
            .map(|m| m.is_file())
            .unwrap_or(false);
        if is_file && is_article_path(&path) {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Parses an article file's bytes by its extension. `fallback_published` is the
/// date used when the file names none (typically its modification day).
pub fn parse_article(
    path: &Path,
    bytes: &[u8],
    fallback_published: Option<NaiveDate>,
) -> Result<Article, ArticleError> {
    parse_article_decoded(path, bytes, fallback_published).map(|read| read.article)
}

/// [`parse_article`], with the encoding the bytes were read in (for the log
/// line and metric of a text that is not UTF-8).
pub fn parse_article_decoded(
    path: &Path,
    bytes: &[u8],
    fallback_published: Option<NaiveDate>,
) -> Result<Decoded, ArticleError> {
    parse_dated(path, bytes, Dates::fallback(fallback_published))
}

/// Reads and parses an article file of at most `max_bytes` bytes. Its modification
/// day (UTC) is the fallback date; `published_override` replaces the date whatever
/// the file says.
pub async fn read_article(
    path: &Path,
    published_override: Option<NaiveDate>,
    max_bytes: u64,
) -> Result<Article, ArticleError> {
    read_article_as(path, path, None, published_override, max_bytes)
        .await
        .map(|read| read.article)
}

/// [`read_article`] without the runtime: for a command that reads the files a
/// user named one after another (`extract`), where handing every open, stat
/// and read to tokio's blocking pool costs more than the parsing. Never
/// blocks on a FIFO; links are followed, as the user named the file.
pub fn read_named_article(
    path: &Path,
    published_override: Option<NaiveDate>,
    max_bytes: u64,
) -> Result<Article, ArticleError> {
    use std::io::Read;
    format_of(path)?;
    let io_err = |source| ArticleError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits());
    }
    let file = options.open(path).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    regular_within(path, &meta, max_bytes)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    within(
        path,
        u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        max_bytes,
    )?;
    let read = parse_dated(path, &bytes, Dates::of(&meta, published_override))?;
    read.encoding.log(&path.display());
    Ok(read.article)
}

/// A regular file no larger than `max_bytes`, by its metadata.
fn regular_within(
    shown: &Path,
    meta: &std::fs::Metadata,
    max_bytes: u64,
) -> Result<(), ArticleError> {
    if !meta.is_file() {
        return Err(ArticleError::Io {
            path: shown.to_path_buf(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"),
        });
    }
    within(shown, meta.len(), max_bytes)
}

fn within(shown: &Path, size: u64, max_bytes: u64) -> Result<(), ArticleError> {
    if size > max_bytes {
        return Err(ArticleError::TooLarge {
            path: shown.to_path_buf(),
            size,
            limit: max_bytes,
        });
    }
    Ok(())
}

/// [`read_article`] on `file`, naming it `shown` in the article and in errors (the
/// drop folder reads a claimed copy but reports the name the user dropped).
/// With `inside` (a canonical folder), `file` is read only if it is no symbolic
/// link and its canonical path lies in that folder: the drop folder's files are
/// what was put there, never what a link points at. Without it (`ingest`,
/// `replay`: the user named the file), links are followed. A text that is not
/// UTF-8 is logged with the encoding assumed.
pub(crate) async fn read_article_as(
    file: &Path,
    shown: &Path,
    inside: Option<&Path>,
    published_override: Option<NaiveDate>,
    max_bytes: u64,
) -> Result<Decoded, ArticleError> {
    // In a confined folder, what is not in it is refused first (it is not
    // ours: the drop folder leaves it where it is); then unknown formats,
    // before the content is touched.
    let confined = match inside {
        Some(_) => Some(open_regular(file, shown, inside).await?),
        None => None,
    };
    format_of(shown)?;
    let io_err = |source| ArticleError::Io {
        path: shown.to_path_buf(),
        source,
    };
    let (file_handle, meta) = match confined {
        Some(opened) => opened,
        None => open_regular(file, shown, None).await?,
    };
    within(shown, meta.len(), max_bytes)?;
    // The file may grow after the stat: read at most one byte past the limit.
    let capacity = usize::try_from(meta.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file_handle
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .await
        .map_err(io_err)?;
    within(
        shown,
        u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        max_bytes,
    )?;
    let dates = Dates::of(&meta, published_override);
    let shown_owned = shown.to_path_buf();
    // HTML extraction of a large page takes a while: keep it off the runtime.
    let read = tokio::task::spawn_blocking(move || parse_dated(&shown_owned, &bytes, dates))
        .await
        .map_err(|join| ArticleError::ParserPanic {
            path: shown.to_path_buf(),
            detail: join.to_string(),
        })??;
    read.encoding.log(&shown.display());
    Ok(read)
}

/// Opens `file` for reading if it is a regular file, with its metadata (of
/// the file opened, not of the name). Never blocks on a FIFO. With `inside`,
/// see [`read_article_as`]: a link is refused when it is opened (no race
/// between a check and the open), and the file opened must be the one at its
/// canonical path, inside the folder.
async fn open_regular(
    file: &Path,
    shown: &Path,
    inside: Option<&Path>,
) -> Result<(tokio::fs::File, std::fs::Metadata), ArticleError> {
    let io_err = |source| ArticleError::Io {
        path: shown.to_path_buf(),
        source,
    };
    let symlink = || ArticleError::Symlink {
        path: shown.to_path_buf(),
    };
    let mut options = tokio::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use nix::fcntl::OFlag;
        let mut flags = OFlag::O_NONBLOCK;
        if inside.is_some() {
            flags |= OFlag::O_NOFOLLOW;
        }
        options.custom_flags(flags.bits());
    }
    #[cfg(not(unix))]
    if inside.is_some() && is_symlink(file).await {
        return Err(symlink());
    }
    let handle = match options.open(file).await {
        Ok(handle) => handle,
        // O_NOFOLLOW fails on a link (ELOOP on Linux, EMLINK on FreeBSD).
        Err(_) if inside.is_some() && is_symlink(file).await => return Err(symlink()),
        Err(err) => return Err(io_err(err)),
    };
    let meta = handle.metadata().await.map_err(io_err)?;
    if !meta.is_file() {
        regular_within(shown, &meta, u64::MAX)?;
    }
    if let Some(folder) = inside {
        let outside = || ArticleError::OutsideInbox {
            path: shown.to_path_buf(),
        };
        let canonical = tokio::fs::canonicalize(file).await.map_err(io_err)?;
        if !canonical.starts_with(folder) {
            return Err(outside());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // A folder on the way swapped for a link after the open would
            // make the canonical path name another file than the one opened.
            let there = tokio::fs::symlink_metadata(&canonical)
                .await
                .map_err(io_err)?;
            if (there.dev(), there.ino()) != (meta.dev(), meta.ino()) {
                return Err(outside());
            }
        }
    }
    Ok((handle, meta))
}

async fn is_symlink(path: &Path) -> bool {
    tokio::fs::symlink_metadata(path)
        .await
        .is_ok_and(|m| m.file_type().is_symlink())
}

/// The dates a parse may fall back on.
#[derive(Debug, Clone, Copy)]
struct Dates {
    /// Used when the file names no date.
    fallback: Option<NaiveDate>,
    /// Replaces the date whatever the file says (and skips reading it).
    forced: Option<NaiveDate>,
}

impl Dates {
    /// The file's modification day (UTC) as the fallback, unless overridden.
    fn of(meta: &std::fs::Metadata, published_override: Option<NaiveDate>) -> Dates {
        let modified = meta
            .modified()
            .ok()
            .map(|t| DateTime::<Utc>::from(t).date_naive());
        Dates {
            fallback: published_override.or(modified),
            forced: published_override,
        }
    }

    fn fallback(fallback: Option<NaiveDate>) -> Dates {
        Dates {
            fallback,
            forced: None,
        }
    }
}

fn parse_dated(path: &Path, bytes: &[u8], dates: Dates) -> Result<Decoded, ArticleError> {
    let format = format_of(path)?;
    let (text, encoding) = decode(path, bytes, format == Format::Html)?;
    if text.trim().is_empty() {
        return Err(ArticleError::Empty {
            path: path.to_path_buf(),
        });
    }
    let mut article = match format {
        Format::Text => parse_text(path, &text, false, dates)?,
        Format::Markdown => parse_text(path, &text, true, dates)?,
        Format::Html => parse_html(path, &text, dates)?,
        Format::Json => parse_json(path, &text, dates)?,
    };
    if let Some(day) = dates.forced {
        article.published = day;
    }
    Ok(Decoded { article, encoding })
}

/// How the encoding of a text was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    /// Valid UTF-8 without a byte order mark: the fast path.
    Utf8,
    /// A byte order mark (UTF-8, UTF-16LE, UTF-16BE).
    Bom,
    /// The page's `<meta charset>` or `http-equiv="Content-Type"`.
    Declared,
    /// Guessed from the bytes (chardetng): nothing said, or what was said did not fit.
    Detected,
}

impl EncodingSource {
    /// A word for logs: `utf8`, `bom`, `declared`, `detected`.
    pub fn as_str(self) -> &'static str {
        match self {
            EncodingSource::Utf8 => "utf8",
            EncodingSource::Bom => "bom",
            EncodingSource::Declared => "declared",
            EncodingSource::Detected => "detected",
        }
    }
}

/// The encoding an article's bytes were read in, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEncoding {
    /// The WHATWG name (`UTF-8`, `windows-1252`, `UTF-16LE`, `Shift_JIS`, ...).
    pub name: &'static str,
    /// How it was decided.
    pub source: EncodingSource,
}

impl TextEncoding {
    /// Counts the article in `drawdown_articles_transcoded_total` when it was
    /// not UTF-8.
    pub fn count(&self, metrics: &crate::metrics::Metrics, source: crate::metrics::SourceKind) {
        if !self.is_utf8() {
            metrics.transcoded(source, self.name, self.source.as_str());
        }
    }

    const UTF8: TextEncoding = TextEncoding {
        name: "UTF-8",
        source: EncodingSource::Utf8,
    };

    /// True when the text was read as UTF-8 (with or without a BOM).
    pub fn is_utf8(&self) -> bool {
        self.name == encoding_rs::UTF_8.name()
    }

    /// Says in the log which encoding was assumed for `origin` (a file, or
    /// `POST /api/articles`), when it is not UTF-8: `warn` for a guess, which
    /// may be wrong, `info` for an encoding the text declared.
    pub fn log(&self, origin: &dyn std::fmt::Display) {
        if self.is_utf8() {
            return;
        }
        let (encoding, how) = (self.name, self.source.as_str());
        if self.source == EncodingSource::Detected {
            tracing::warn!(file = %origin, encoding, how, "article is not UTF-8; decoded as {encoding}, guessed from its bytes");
        } else {
            tracing::info!(file = %origin, encoding, how, "article is not UTF-8; decoded as {encoding}, as it declares");
        }
    }
}

/// An article and the encoding its bytes were read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The article.
    pub article: Article,
    /// The encoding assumed.
    pub encoding: TextEncoding,
}

/// Bytes to text. A byte order mark decides (UTF-8, UTF-16LE, UTF-16BE) and
/// the bytes must then be valid in it; else valid UTF-8 is UTF-8 (the fast
/// path); else an HTML page's `<meta charset>` if the bytes fit it; else the
/// encoding chardetng guesses (Windows-1252 for most Western text). Binary data
/// is an error whatever the encoding. Line ends come out as `\n`.
fn decode(path: &Path, bytes: &[u8], html: bool) -> Result<(String, TextEncoding), ArticleError> {
    if bytes.is_empty() {
        return Err(ArticleError::Empty {
            path: path.to_path_buf(),
        });
    }
    let binary = || ArticleError::Binary {
        path: path.to_path_buf(),
    };
    let (text, encoding) = if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom..).unwrap_or_default();
        // UTF-16 has NUL bytes in every ASCII character: judge it decoded.
        if encoding == encoding_rs::UTF_8 && rest.contains(&0) {
            return Err(binary());
        }
        let text = decode_strict(encoding, rest).map_err(|offset| ArticleError::BadEncoding {
            path: path.to_path_buf(),
            encoding: encoding.name(),
            offset: bom + offset,
        })?;
        let how = TextEncoding {
            name: encoding.name(),
            source: EncodingSource::Bom,
        };
        (text, how)
    } else if bytes.contains(&0) {
        return Err(binary());
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (text.to_string(), TextEncoding::UTF8)
    } else {
        decode_legacy(bytes, html)
    };
    if looks_binary(&text) {
        return Err(binary());
    }
    Ok((text.replace("\r\n", "\n").replace('\r', "\n"), encoding))
}

/// Decodes `bytes` in `encoding`, or says at which byte they stop being valid.
fn decode_strict(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len());
    let mut text = String::with_capacity(capacity);
    let mut read = 0;
    loop {
        let rest = bytes.get(read..).unwrap_or_default();
        let (result, consumed) =
            decoder.decode_to_string_without_replacement(rest, &mut text, true);
        read += consumed;
        match result {
            encoding_rs::DecoderResult::InputEmpty => return Ok(text),
            encoding_rs::DecoderResult::OutputFull => text.reserve(rest.len().max(16)),
            encoding_rs::DecoderResult::Malformed(bad, after) => {
                return Err(read.saturating_sub(usize::from(bad) + usize::from(after)));
            }
        }
    }
}

/// Text that is not UTF-8 and has no byte order mark: the page's declared
/// encoding when the bytes fit it, else chardetng's guess (which always
/// decodes, replacing what does not fit).
fn decode_legacy(bytes: &[u8], html: bool) -> (String, TextEncoding) {
    let declared = if html { meta_charset(bytes) } else { None };
    if let Some(encoding) = declared {
        if let Ok(text) = decode_strict(encoding, bytes) {
            let how = TextEncoding {
                name: encoding.name(),
                source: EncodingSource::Declared,
            };
            return (text, how);
        }
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(None, false);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    let how = TextEncoding {
        name: encoding.name(),
        source: EncodingSource::Detected,
    };
    (text.into_owned(), how)
}

/// The label after `charset=` in a lower-cased `<meta ...` tag, unquoted.
fn charset_label(tag: &[u8]) -> Option<&[u8]> {
    let at = memchr::memmem::find(tag, b"charset")?;
    let value = tag.get(at + b"charset".len()..)?;
    let value = value
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let value = value
        .strip_prefix(b"\"")
        .or_else(|| value.strip_prefix(b"'"))
        .unwrap_or(value);
    let end = value
        .iter()
        .position(|b| matches!(b, b'"' | b'\'' | b';' | b'/') || b.is_ascii_whitespace())
        .unwrap_or(value.len());
    value.get(..end).filter(|label| !label.is_empty())
}

/// How far into a page `<meta charset>` is looked for (the WHATWG prescan's 1024
/// bytes, with room for a long `<head>`).
const META_PRESCAN: usize = 4096;

/// The encoding a page declares in its first bytes: `<meta charset="...">` or
/// `<meta http-equiv="Content-Type" content="text/html; charset=...">`. A
/// declared UTF-16 means UTF-8, as in browsers (the bytes were not UTF-16, or
/// they would have had a BOM); `replacement` is no encoding to read.
fn meta_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = bytes
        .get(..bytes.len().min(META_PRESCAN))
        .unwrap_or_default();
    let head = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(head.get(from..)?, b"<meta") {
        let tag_start = from + at;
        let tag = head.get(tag_start..)?;
        let tag = tag.get(..memchr::memchr(b'>', tag).unwrap_or(tag.len()))?;
        from = tag_start + tag.len().max(1);
        let Some(encoding) = charset_label(tag).and_then(encoding_rs::Encoding::for_label) else {
            continue;
        };
        return if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
            Some(encoding_rs::UTF_8)
        } else if encoding == encoding_rs::REPLACEMENT {
            None
        } else {
            Some(encoding)
        };
    }
    None
}

/// NUL characters, or more than a quarter control characters (other than tab,
/// line breaks and form feed).
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for ch in text.chars() {
        total += 1;
        if ch == '\0' {
            return true;
        }
        if ch.is_control() && !matches!(ch, '\t' | '\n' | '\r' | '\x0c') && (ch as u32) < 0x80 {
            control += 1;
        }
    }
    total > 0 && (control as f64) / (total as f64) > MAX_CONTROL_SHARE
}

/// Paragraphs separated by exactly one blank line; lines right-trimmed; no blank
/// lines at either end. Single line breaks inside a paragraph are kept.
fn normalize_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_pending = false;
    for line in text.split('\n') {
        let line = line.trim_end();
        if line.is_empty() {
            blank_pending = !out.is_empty();
            continue;
        }
        if blank_pending {
            out.push_str("\n\n");
            blank_pending = false;
        } else if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// `YYYY-MM-DD`, RFC 3339 (the day as written, in its own offset), RFC 2822, or
/// an ISO date-time without offset.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Some(day);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.date_naive());
    }
    if let Ok(at) = DateTime::parse_from_rfc2822(value) {
        return Some(at.date_naive());
    }
    for pattern in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(value, pattern) {
            return Some(at.date());
        }
    }
    None
}

fn trimmed(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The date a file names, or the fallback. `forced` skips the file's own date.
fn resolve_date(path: &Path, named: Option<&str>, dates: Dates) -> Result<NaiveDate, ArticleError> {
    if let Some(day) = dates.forced {
        return Ok(day);
    }
    match named {
        Some(value) => parse_date(value).ok_or_else(|| ArticleError::BadDate {
            path: path.to_path_buf(),
            value: value.to_string(),
        }),
        None => dates.fallback.ok_or_else(|| ArticleError::NoDate {
            path: path.to_path_buf(),
        }),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderKey {
    Title,
    Source,
    Published,
    Url,
}

fn header_field(line: &str) -> Option<(HeaderKey, &str)> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim();
    let known = [
        ("title", HeaderKey::Title),
        ("source", HeaderKey::Source),
        ("published", HeaderKey::Published),
        ("url", HeaderKey::Url),
    ];
    known
        .iter()
        .find(|(name, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, k)| (*k, value.trim()))
}

/// The first non-empty line, without a Markdown heading's `#`s.
fn first_line_title(body: &str, markdown: bool) -> Option<String> {
    let line = body.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = if markdown {
        line.trim_start_matches('#').trim_end_matches('#').trim()
    } else {
        line
    };
    Some(line.to_string()).filter(|l| !l.is_empty())
}

fn parse_text(
    path: &Path,
    text: &str,
    markdown: bool,
    dates: Dates,
) -> Result<Article, ArticleError> {
    // Leading blank lines are not part of anything.
    let start = text
        .split_inclusive('\n')
        .take_while(|line| line.trim().is_empty())
        .map(str::len)
        .sum::<usize>();
    let content = text.get(start..).unwrap_or_default();
    let is_header = content.lines().next().and_then(header_field).is_some();

    let (mut title, mut source, mut published, mut url) = (None, None, None, None);
    let body = if is_header {
        let mut body_start = content.len();
        let mut offset = 0;
        for line in content.split_inclusive('\n') {
            offset += line.len();
            if line.trim().is_empty() {
                body_start = offset;
                break;
            }
            // Lines that are not one of the four keys are ignored.
            if let Some((key, value)) = header_field(line) {
                let value = Some(value.to_string()).filter(|v| !v.is_empty());
                match key {
                    HeaderKey::Title => title = value,
                    HeaderKey::Source => source = value,
                    HeaderKey::Published => published = value,
                    HeaderKey::Url => url = value,
                }
            }
        }
        content.get(body_start..).unwrap_or_default()
    } else {
        content
    };

    let text = normalize_body(body);
    if text.is_empty() {
        return Err(ArticleError::NoText {
            path: path.to_path_buf(),
        });
    }
    let title = match title {
        Some(title) => title,
        None => first_line_title(&text, markdown).ok_or_else(|| ArticleError::NoText {
            path: path.to_path_buf(),
        })?,
    };
    let published = resolve_date(path, published.as_deref(), dates)?;
    Ok(Article {
        title,
        source,
        url,
        path: Some(path.to_path_buf()),
        published,
        text,
    })
}

/// The JSON article shape; unknown fields are allowed (other tools add some).
#[derive(Debug, Deserialize)]
struct JsonArticle {
    title: Option<String>,
    source: Option<String>,
    published: Option<String>,
    url: Option<String>,
    text: Option<String>,
}

fn parse_json(path: &Path, text: &str, dates: Dates) -> Result<Article, ArticleError> {
    let doc: JsonArticle = serde_json::from_str(text).map_err(|source| ArticleError::Json {
        path: path.to_path_buf(),
        line: source.line(),
        column: source.column(),
        source,
    })?;
    let missing = |field| ArticleError::MissingField {
        path: path.to_path_buf(),
        field,
    };
    let title = trimmed(doc.title).ok_or_else(|| missing("title"))?;
    let body = doc.text.ok_or_else(|| missing("text"))?;
    let published = trimmed(doc.published);
    if published.is_none() && dates.forced.is_none() {
        return Err(missing("published"));
    }
    let published = resolve_date(path, published.as_deref(), dates)?;
    let text = normalize_body(&body.replace("\r\n", "\n").replace('\r', "\n"));
    if text.is_empty() {
        return Err(ArticleError::NoText {
            path: path.to_path_buf(),
        });
    }
    Ok(Article {
        title,
        source: trimmed(doc.source),
        url: trimmed(doc.url),
        path: Some(path.to_path_buf()),
        published,
        text,
    })
}

/// What a saved page says about itself, read before Readability rewrites the DOM.
struct PageDates {
    meta_date: Option<String>,
    time_datetime: Option<String>,
}

fn page_dates(reader: &Readability) -> PageDates {
    let mut meta_date = None;
    for meta in reader.doc.select("meta[name]").iter() {
        let name = meta.attr("name").map(|n| n.to_ascii_lowercase());
        if matches!(name.as_deref(), Some("date" | "dc.date" | "dc.date.issued")) {
            meta_date = trimmed(meta.attr("content").map(|c| c.to_string()));
            if meta_date.is_some() {
                break;
            }
        }
    }
    let time_datetime = reader
        .doc
        .select("time[datetime]")
        .iter()
        .find_map(|time| trimmed(time.attr("datetime").map(|c| c.to_string())));
    PageDates {
        meta_date,
        time_datetime,
    }
}

fn parse_html(path: &Path, html: &str, dates: Dates) -> Result<Article, ArticleError> {
    let no_text = || ArticleError::NoText {
        path: path.to_path_buf(),
    };
    let config = dom_smoothie::Config {
        text_mode: TextMode::Formatted,
        ..dom_smoothie::Config::default()
    };
    // A parser bug must cost one file, not the daemon.
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        let mut reader = Readability::new(html, None, Some(config))?;
        let page = page_dates(&reader);
        reader.parse().map(|article| (article, page))
    }))
    .map_err(|panic| ArticleError::ParserPanic {
        path: path.to_path_buf(),
        detail: panic_detail(panic.as_ref()),
    })?;
    let (page, extra) = parsed.map_err(|_| no_text())?;

    let text = normalize_body(
        &page
            .text_content
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    if text.is_empty() {
        return Err(no_text());
    }
    let title = match trimmed(Some(page.title)) {
        Some(title) => title,
        None => first_line_title(&text, false).ok_or_else(no_text)?,
    };

    // The first date that parses wins; if none does, the fallback; if there is no
    // fallback either, the first unreadable value is the error.
    let candidates: Vec<String> = [page.published_time, extra.meta_date, extra.time_datetime]
        .into_iter()
        .flatten()
        .collect();
    let published = match (dates.forced, candidates.iter().find_map(|c| parse_date(c))) {
        (Some(day), _) | (None, Some(day)) => day,
        (None, None) => match (dates.fallback, candidates.first()) {
            (Some(day), _) => day,
            (None, Some(value)) => {
                return Err(ArticleError::BadDate {
                    path: path.to_path_buf(),
                    value: value.clone(),
                });
            }
            (None, None) => {
                return Err(ArticleError::NoDate {
                    path: path.to_path_buf(),
                });
            }
        },
    };

    Ok(Article {
        title,
        source: trimmed(page.site_name),
        url: trimmed(page.url),
        path: Some(path.to_path_buf()),
        published,
        text,
    })
}

/// The message a caught panic carried.
pub(crate) fn panic_detail(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn parse(name: &str, bytes: &[u8]) -> Result<Article, ArticleError> {
        parse_article(Path::new(name), bytes, Some(day("2025-01-02")))
    }

    #[test]
    fn text_with_header() {
        let file = "Title: Mission to leave by the end of 2026\r\nsource: Tagus Wire\r\nPUBLISHED: 2025-03-14\r\nURL: https://example.org/a\r\n\r\nFirst paragraph\r\nstill first.\r\n\r\n\r\nSecond paragraph.\r\n";
        let article = parse("a.txt", file.as_bytes()).unwrap();
        assert_eq!(article.title, "Mission to leave by the end of 2026");
        assert_eq!(article.source.as_deref(), Some("Tagus Wire"));
        assert_eq!(article.url.as_deref(), Some("https://example.org/a"));
        assert_eq!(article.published, day("2025-03-14"));
        assert_eq!(
            article.text,
            "First paragraph\nstill first.\n\nSecond paragraph."
        );
        assert_eq!(article.path.as_deref(), Some(Path::new("a.txt")));
    }

    #[test]
    fn header_dates() {
        let cases = [
            ("2025-03-14", "2025-03-14"),
            ("2025-03-14T23:30:00-05:00", "2025-03-14"),
            ("2025-03-14T09:30:00Z", "2025-03-14"),
            ("2025-03-14T09:30:00.250+01:00", "2025-03-14"),
            ("Fri, 14 Mar 2025 09:30:00 +0000", "2025-03-14"),
            ("2025-03-14T09:30", "2025-03-14"),
        ];
        for (value, expected) in cases {
            let file = format!("Title: T\nPublished: {value}\n\nBody.");
            let article = parse("a.txt", file.as_bytes()).unwrap();
            assert_eq!(article.published, day(expected), "{value}");
        }
    }

    #[test]
    fn markdown_without_header_uses_first_line_and_fallback() {
        let file = "\n\n# Troops leave the northern base\n\nAbout 400 soldiers left on Monday.\n";
        let article = parse("b.MD", file.as_bytes()).unwrap();
        assert_eq!(article.title, "Troops leave the northern base");
        assert_eq!(article.published, day("2025-01-02"));
        assert_eq!(
            article.text,
            "# Troops leave the northern base\n\nAbout 400 soldiers left on Monday."
        );
        assert_eq!(article.source, None);
    }

    #[test]
    fn a_first_line_that_is_no_key_is_no_header() {
        let file = "Breaking: the mission ends\n\nText.";
        let article = parse("c.txt", file.as_bytes()).unwrap();
        assert_eq!(article.title, "Breaking: the mission ends");
        assert_eq!(article.text, file);
    }

    #[test]
    fn header_without_title_takes_the_first_body_line() {
        let file = "Published: 2025-02-01\n\nThe headline\n\nThe text.";
        let article = parse("c.txt", file.as_bytes()).unwrap();
        assert_eq!(article.title, "The headline");
        assert_eq!(article.published, day("2025-02-01"));
    }

    #[test]
    fn boms_and_utf16() {
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend_from_slice("Title: Ünïcode\n\nBody é.".as_bytes());
        assert_eq!(parse("a.txt", &utf8).unwrap().title, "Ünïcode");

        let text = "Title: Sixteen\r\n\r\nBody é.";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        for bytes in [le, be] {
            let article = parse("a.txt", &bytes).unwrap();
            assert_eq!(article.title, "Sixteen");
            assert_eq!(article.text, "Body é.");
        }
    }

    fn decoded(name: &str, bytes: &[u8]) -> Decoded {
        parse_article_decoded(Path::new(name), bytes, Some(day("2025-01-02")))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn utf8_is_the_fast_path_with_or_without_bom() {
        let read = decoded("a.txt", "Title: Café\n\nBody.".as_bytes());
        assert_eq!(read.encoding, TextEncoding::UTF8);
        let read = decoded("a.txt", b"\xEF\xBB\xBFTitle: Caf\xc3\xa9\n\nBody.");
        assert_eq!(read.article.title, "Café");
        assert_eq!(
            (read.encoding.name, read.encoding.source),
            ("UTF-8", EncodingSource::Bom)
        );
        assert!(read.encoding.is_utf8());
    }

    #[test]
    fn legacy_text_is_decoded_by_its_bytes() {
        // "Le contingent quittera le pays début 2026, selon le ministère." in Latin-1.
        let text = b"Title: Retrait des troupes\nPublished: 2025-04-01\n\nLe contingent quittera le pays d\xe9but 2026, selon le minist\xe8re \x96 co\xfbt 40 M\x80.\n";
        let read = decoded("a.txt", text);
        assert_eq!(
            read.article.text,
            "Le contingent quittera le pays début 2026, selon le ministère – coût 40 M€."
        );
        assert_eq!(
            (read.encoding.name, read.encoding.source),
            ("windows-1252", EncodingSource::Detected)
        );
        assert!(!read.encoding.is_utf8());
    }

    #[test]
    fn utf16_reports_its_bom() {
        let mut le = vec![0xFF, 0xFE];
        for unit in "Title: T\n\nBody “quoted”.".encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
        }
        let read = decoded("a.md", &le);
        assert_eq!(read.article.text, "Body “quoted”.");
        assert_eq!(
            (read.encoding.name, read.encoding.source),
            ("UTF-16LE", EncodingSource::Bom)
        );
    }

    #[test]
    fn html_meta_charset_is_used_when_the_bytes_fit() {
        let body = "<p>Le contingent d\u{2019}environ 1 200 soldats quittera le pays d\u{2019}ici la fin de 2026, ont indiqu\u{e9} mardi les responsables apr\u{e8}s une r\u{e9}union dans la capitale.</p>".repeat(3);
        for head in [
            "<meta charset=\"windows-1252\">",
            "<META CHARSET='ISO-8859-1' />",
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=latin1\">",
        ] {
            let page = format!(
                "<html><head>{head}<title>D\u{e9}part</title><meta name=\"date\" content=\"2025-06-02\"></head><body><article>{body}</article></body></html>"
            );
            let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
            let read = decoded("a.html", &bytes);
            assert_eq!(read.article.title, "Départ", "{head}");
            assert!(read.article.text.contains("d’ici la fin de 2026"), "{head}");
            assert_eq!(
                (read.encoding.name, read.encoding.source),
                ("windows-1252", EncodingSource::Declared),
                "{head}"
            );
        }
        // A page that says UTF-8 and is not: its bytes decide.
        let page = format!(
            "<html><head><meta charset=utf-8><title>D\u{e9}part</title></head><body><article>{body}</article></body></html>"
        );
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
        let read = decoded("a.html", &bytes);
        assert_eq!(read.article.title, "Départ");
        assert_eq!(read.encoding.source, EncodingSource::Detected);
    }

    #[test]
    fn meta_charset_labels() {
        let cases: [(&[u8], Option<&str>); 7] = [
            (b"<meta charset=\"Shift_JIS\">", Some("Shift_JIS")),
            (b"<meta name=x><meta charset=koi8-r>", Some("KOI8-R")),
            (
                b"<meta name=\"charset-note\" content=x><meta charset=utf-16>",
                Some("UTF-8"),
            ),
            (b"<meta charset=\"iso-2022-kr\">", None),
            (b"<meta charset=\"no-such-thing\">", None),
            (b"<meta charset=", None),
            (b"<p>charset=latin1</p>", None),
        ];
        for (head, expected) in cases {
            assert_eq!(
                meta_charset(head).map(encoding_rs::Encoding::name),
                expected,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn json_article() {
        let file = r#"{"title":" Wire: 800 troops remain ","source":"Tagus Wire","published":"2025-07-01T10:00:00Z","url":null,"text":"One.\r\n\r\nTwo.","author":"x"}"#;
        let article = parse("d.json", file.as_bytes()).unwrap();
        assert_eq!(article.title, "Wire: 800 troops remain");
        assert_eq!(article.published, day("2025-07-01"));
        assert_eq!(article.url, None);
        assert_eq!(article.text, "One.\n\nTwo.");
    }

    #[test]
    fn html_article() {
        let paragraph = "The contingent of about 1,200 soldiers will hand over its last base to the national army and leave the country by the end of 2026, officials said on Tuesday after a meeting in the capital. ";
        let html = format!(
            r#"<!doctype html><html><head><title>Mission ends | The Observer</title>
            <meta property="og:site_name" content="The Observer">
            <meta name="date" content="2025-06-02"></head><body>
            <nav><a href="/">Home</a> <a href="/world">World</a></nav>
            <article><h1>Mission ends</h1><p>{p}</p><p>{p}Second.</p><p>{p}Third.</p></article>
            <footer>Copyright The Observer</footer></body></html>"#,
            p = paragraph
        );
        let article = parse("e.html", html.as_bytes()).unwrap();
        assert_eq!(article.source.as_deref(), Some("The Observer"));
        assert_eq!(article.published, day("2025-06-02"));
        assert!(
            article.title.starts_with("Mission ends"),
            "{}",
            article.title
        );
        assert!(article.text.contains("Second.\n\n"), "{:?}", article.text);
        assert!(!article.text.contains("Copyright"), "{:?}", article.text);
    }

    #[test]
    fn html_time_element_then_fallback() {
        let body = "<p>Soldiers boarded the last flight home this morning, closing a mission that lasted nine years and cost the lives of forty of them, the ministry said.</p>".repeat(4);
        let with_time = format!(
            "<html><body><article><time datetime=\"2025-05-05T08:00:00+02:00\">5 May</time>{body}</article></body></html>"
        );
        assert_eq!(
            parse("f.htm", with_time.as_bytes()).unwrap().published,
            day("2025-05-05")
        );
        let without = format!("<html><body><article>{body}</article></body></html>");
        assert_eq!(
            parse("f.htm", without.as_bytes()).unwrap().published,
            day("2025-01-02")
        );
        let err = parse_article(Path::new("f.htm"), without.as_bytes(), None).unwrap_err();
        assert_eq!(err.reason_code(), "no_date");
    }

    #[test]
    fn rejections() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("a.txt", b"", "empty"),
            ("a.txt", b" \n\r\n\t ", "empty"),
            ("a.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary"),
            ("a.txt", b"\x01\x02\x03\x04abc\x05\x06", "binary"),
            (
                "a.txt",
                b"\xEF\xBB\xBFTitle: caf\xe9\n\nBody",
                "bad_encoding",
            ),
            ("a.txt", b"\xFF\xFET\0i\0t", "bad_encoding"),
            ("a.txt", b"caf\xe9\0\0\0", "binary"),
            ("a.pdf", b"%PDF-1.7", "unknown_extension"),
            ("README", b"text", "unknown_extension"),
            ("a.json", b"{\"title\": \"T\",\n \"text\": }", "json"),
            ("a.json", b"[1, 2]", "json"),
            (
                "a.json",
                b"{\"title\": 5, \"published\": \"2025-01-01\", \"text\": \"x\"}",
                "json",
            ),
            (
                "a.json",
                b"{\"title\": \"T\", \"published\": \"2025-01-01\"}",
                "missing_field",
            ),
            (
                "a.json",
                b"{\"title\": \"T\", \"text\": \"x\"}",
                "missing_field",
            ),
            (
                "a.json",
                b"{\"title\": \" \", \"published\": \"2025-01-01\", \"text\": \"x\"}",
                "missing_field",
            ),
            (
                "a.json",
                b"{\"title\": \"T\", \"published\": \"soon\", \"text\": \"x\"}",
                "bad_date",
            ),
            (
                "a.json",
                b"{\"title\": \"T\", \"published\": \"2025-01-01\", \"text\": \" \"}",
                "no_text",
            ),
            (
                "a.txt",
                b"Title: T\nPublished: 14/03/2025\n\nBody",
                "bad_date",
            ),
            ("a.txt", b"Title: T\nPublished: 2025-03-14\n", "no_text"),
            ("a.txt", b"Title: T\n\n   \n", "no_text"),
            (
                "a.html",
                b"<html><body><nav></nav></body></html>",
                "no_text",
            ),
        ];
        for (name, bytes, code) in cases {
            let err = parse(name, bytes).unwrap_err();
            assert_eq!(err.reason_code(), *code, "{name} {bytes:?}: {err}");
            assert!(err.to_string().starts_with(name), "{err}");
            assert_eq!(err.path(), Path::new(name));
        }
    }

    #[test]
    fn error_details() {
        let err = parse("a.txt", b"\xEF\xBB\xBFTitle: ok\n\nna\xc3\xafve caf\xe9").unwrap_err();
        assert!(
            matches!(
                err,
                ArticleError::BadEncoding {
                    offset: 24,
                    encoding: "UTF-8",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .contains("a UTF-8 byte order mark but byte 24 is not valid UTF-8"),
            "{err}"
        );
        // UTF-16 of odd length: the last byte is half a character.
        let err = parse("a.txt", b"\xFE\xFF\0T\0i\0").unwrap_err();
        assert!(
            matches!(
                err,
                ArticleError::BadEncoding {
                    offset: 6,
                    encoding: "UTF-16BE",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = parse("a.json", b"{\n  \"title\": \"T\",\n  \"text\" \"x\"\n}").unwrap_err();
        assert!(matches!(err, ArticleError::Json { line: 3, .. }), "{err:?}");
        let err = parse("x.PDF", b"%PDF").unwrap_err();
        assert!(
            err.to_string()
                .contains("\".pdf\" is not an article format; accepted: .txt"),
            "{err}"
        );
        let err = parse_article(Path::new("a.txt"), b"No header here\n\nBody", None).unwrap_err();
        assert_eq!(err.reason_code(), "no_date");
    }

    #[test]
    fn names() {
        for (name, article, ignored) in [
            ("a.txt", true, false),
            ("A.HTML", true, false),
            ("a.htm", true, false),
            ("a.json", true, false),
            ("a.md", true, false),
            ("a.pdf", false, false),
            (".a.txt", true, true),
            ("a.txt.tmp", false, true),
            ("a.txt.part", false, true),
            ("a.txt.swp", false, true),
            ("a.txt~", false, true),
            ("a.html.crdownload", false, true),
        ] {
            assert_eq!(is_article_path(Path::new(name)), article, "{name}");
            assert_eq!(is_hidden_or_temporary(OsStr::new(name)), ignored, "{name}");
        }
    }

    #[test]
    fn lists_article_files_sorted() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.txt",
            "a.md",
            ".hidden.txt",
            "c.txt.tmp",
            "d.pdf",
            "e.json",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub.txt")).unwrap();
        let names: Vec<_> = article_files(dir.path())
            .unwrap()
            .into_iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.md", "b.txt", "e.json"]);
    }

    #[tokio::test]
    async fn reads_with_cap_override_and_mtime() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "No header\n\nBody text.").unwrap();
        let article = read_article(&path, None, 1_000).await.unwrap();
        assert_eq!(article.published, Utc::now().date_naive());
        let article = read_article(&path, Some(day("2024-09-06")), 1_000)
            .await
            .unwrap();
        assert_eq!(article.published, day("2024-09-06"));

        let err = read_article(&path, None, 5).await.unwrap_err();
        assert!(
            matches!(
                err,
                ArticleError::TooLarge {
                    size: 21,
                    limit: 5,
                    ..
                }
            ),
            "{err:?}"
        );

        let dated = dir.path().join("b.txt");
        std::fs::write(&dated, "Title: T\nPublished: 14/03/2025\n\nBody").unwrap();
        let article = read_article(&dated, Some(day("2024-09-06")), 1_000)
            .await
            .unwrap();
        assert_eq!(article.published, day("2024-09-06"));

        let err = read_article(&dir.path().join("missing.txt"), None, 1_000)
            .await
            .unwrap_err();
        assert_eq!(err.reason_code(), "io");
        let err = read_article(&dir.path().join("missing.pdf"), None, 1_000)
            .await
            .unwrap_err();
        assert_eq!(err.reason_code(), "unknown_extension");
    }
}
