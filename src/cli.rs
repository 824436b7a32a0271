//! The commands of the public contract (`docs/contract.md`): run, ingest,
//! replay, extract, timeline, alerts, check-config. Each prints text by default
//! and one JSON object per line with `--format json`, on stdout; logs go to
//! stderr. `anyhow` lives here, at the edge, and nowhere in the library.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use drawdown::alert::message::format_value;
use drawdown::config::{self, Config};
use drawdown::extract::{self, Lexicon};
use drawdown::model::{Alert, Article, Claim};
use drawdown::service;
use drawdown::source::article_batches::{BatchReader, PlannedFile, order_planned, plan_file};
use drawdown::source::article_file::{article_files, is_article_path, read_named_article};
use drawdown::store::{DeliveryState, SqliteStore, Store, StoreConfig};
use drawdown::timeline::Entry;

/// Largest article file the commands read (the drop folder has its own limit).
const MAX_ARTICLE_BYTES: u64 = 10_000_000;

/// Exit code for a configuration that cannot be used.
const EXIT_CONFIG: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "drawdown",
    version,
    about = "Watches the news about foreign troop withdrawals and alerts when a new article updates or contradicts the known timeline.",
    long_about = None
)]
pub struct Args {
    /// Configuration file (TOML). Default: config/drawdown.toml if it exists,
    /// else built-in defaults. DRAWDOWN_SECTION__KEY variables override it.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,

    /// Log line format on stderr (filter with RUST_LOG, e.g. RUST_LOG=drawdown=debug).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon: drop folder, pipeline and alert delivery, until SIGTERM or Ctrl-C.
    Run,
    /// Process article files into the store, as the drop folder would, and print the alerts they raise.
    Ingest {
        /// Article files (.txt, .md, .html, .json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Publication date for files without one: DATE for all, or FILE=DATE (repeatable).
        #[arg(long, value_name = "[FILE=]YYYY-MM-DD")]
        published: Vec<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Process files (or every article file in a folder) in publication order against an empty timeline and print every alert.
    Replay {
        /// Article files or folders of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Use (and update) this SQLite store instead of an empty in-memory one.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// Publication date for files without one: DATE for all, or FILE=DATE (repeatable).
        #[arg(long, value_name = "[FILE=]YYYY-MM-DD")]
        published: Vec<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Print the claims found in article files, touching nothing.
    Extract {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Publication date for files without one: DATE for all, or FILE=DATE (repeatable).
        #[arg(long, value_name = "[FILE=]YYYY-MM-DD")]
        published: Vec<String>,
        /// Show each claim's rule, byte offsets and sentence.
        #[arg(long)]
        explain: bool,
        /// Show how each article was read: its frames, and every event mention
        /// with its verb group, arguments and frame (also when no claim results).
        #[arg(long)]
        trace: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Print the known timeline: per event, the value, its sources and open contradictions.
    Timeline {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Print the alerts raised so far, with their delivery state per sink.
    Alerts {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Only alerts with a delivery still pending (waiting or retrying).
        #[arg(long, conflicts_with = "failed")]
        pending: bool,
        /// Only alerts with a failed delivery (given up, or dead-lettered).
        #[arg(long)]
        failed: bool,
        #[command(subcommand)]
        action: Option<AlertsAction>,
    },
    /// Validate the configuration and say what is wrong.
    CheckConfig,
    /// Show each feed: URL, last success, last status, next poll, items seen, errors.
    Feeds {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Add the feeds of an OPML file to the configuration file, skipping those already listed.
    ImportOpml {
        /// An OPML export of a feed reader.
        file: PathBuf,
    },
    /// Print the configured feeds as OPML.
    ExportOpml,
    /// Print every time phrase found ("by the end of 2026", "within six months"), line by line: span, interval, granularity, fuzziness and rule.
    Times {
        /// Article files, or `-` (the default) for text on standard input.
        inputs: Vec<PathBuf>,
        /// The day relative phrases resolve against: for standard input (default today), and for files without a date of their own.
        #[arg(long, value_name = "YYYY-MM-DD")]
        published: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Replay labelled stories (docs/corpus.md) and score the alerts: recall, precision, false alerts, value accuracy.
    Eval {
        /// Story folders (with labels.toml), or folders of them.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// List missed, wrong and unexpected alerts.
        #[arg(long, short)]
        verbose: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// Logs to stderr: human lines by default, JSON with `--log-format json`.
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a person at a terminal (not journald, files or pipes).
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Which configuration file to read: the one given, or the default if present.
fn config_path(given: &Option<PathBuf>) -> Option<PathBuf> {
    match given {
        Some(p) => Some(p.clone()),
        None => {
            let default = PathBuf::from(config::DEFAULT_PATH);
            default.exists().then_some(default)
        }
    }
}

fn load_config(given: &Option<PathBuf>) -> anyhow::Result<(Config, Option<PathBuf>)> {
    let path = config_path(given);
    let config = Config::load(path.as_deref())?;
    config.validate(path.as_deref())?;
    Ok((config, path))
}

pub async fn dispatch(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::CheckConfig => check_config(&args.config),
        Command::Feeds { format } => feeds_command(&args.config, format).await,
        Command::ImportOpml { file } => import_opml_command(&args.config, &file),
        Command::ExportOpml => export_opml_command(&args.config),
        Command::Times {
            inputs,
            published,
            format,
        } => crate::times_cmd::times(&inputs, published, format == Format::Json).await,
        Command::Eval {
            dirs,
            verbose,
            format,
        } => {
            let (config, _) = load_config(&args.config)?;
            crate::eval_cmd::eval(&config, &dirs, verbose, format == Format::Json).await
        }
        Command::Run => {
            let (config, path) = match load_config(&args.config) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    return Ok(ExitCode::from(EXIT_CONFIG));
                }
            };
            // Listening before anything starts: SIGHUP's default is to end the process.
            let (reload_tx, reloads) = tokio::sync::mpsc::channel(4);
            let hangups = forward_hangups(path, reload_tx)?;
            let controls = service::Controls {
                reloads: Some(reloads),
                notifier: service::Notifier::from_env(),
                listener: None,
            };
            let result = service::run_with(config, controls, shutdown_signal()).await;
            hangups.abort();
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest {
            files,
            published,
            format,
        } => {
            let (config, _) = load_config(&args.config)?;
            let dates = PublishedDates::parse(&published)?;
            let store = SqliteStore::open(&config.store).await?;
            process_files(&config, store, &files, &dates, format, false).await
        }
        Command::Replay {
            paths,
            db,
            published,
            format,
        } => {
            let (config, _) = load_config(&args.config)?;
            let dates = PublishedDates::parse(&published)?;
            let store = match db {
                Some(path) => SqliteStore::open(&StoreConfig { path }).await?,
                None => SqliteStore::open_in_memory().await?,
            };
            let mut files = Vec::new();
            for path in &paths {
                if path.is_dir() {
                    let found = article_files(path)
                        .with_context(|| format!("cannot list the folder {}", path.display()))?;
                    files.extend(found);
                } else {
                    files.push(path.clone());
                }
            }
            process_files(&config, store, &files, &dates, format, true).await
        }
        Command::Extract {
            files,
            published,
            explain,
            trace,
            format,
        } => {
            let (config, _) = load_config(&args.config)?;
            let dates = PublishedDates::parse(&published)?;
            let lexicon = Lexicon::with_extensions(&config.lexicon.extra)?;
            // One file's output, made on any core; printed in the order given.
            let one = |file: &PathBuf| -> anyhow::Result<Vec<u8>> {
                let article = read_named_article(file, dates.for_file(file), MAX_ARTICLE_BYTES)?;
                let mut buf = Vec::new();
                if trace {
                    writeln!(
                        buf,
                        "== {}\n{}",
                        file.display(),
                        extract::trace(&article, &lexicon)
                    )?;
                }
                for claim in extract::extract(&article, &lexicon) {
                    print_claim(&mut buf, file, &claim, format, explain)?;
                }
                Ok(buf)
            };
            let mut out = std::io::stdout().lock();
            let mut failed = 0;
            for batch in files.chunks(EXTRACT_BATCH) {
                for result in in_parallel(batch, &one) {
                    match result {
                        Ok(buf) => out.write_all(&buf)?,
                        Err(e) => {
                            eprintln!("error: {e}");
                            failed += 1;
                        }
                    }
                }
            }
            Ok(if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Timeline { format } => {
            let (config, _) = load_config(&args.config)?;
            let store = SqliteStore::open(&config.store).await?;
            let entries = store.load_timeline().await?;
            let mut out = std::io::stdout().lock();
            for entry in &entries {
                print_entry(&mut out, entry, format)?;
            }
            if entries.is_empty() && format == Format::Text {
                writeln!(out, "the timeline is empty: no article processed yet")?;
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Alerts {
            format,
            pending,
            failed,
            action,
        } => {
            let (config, _) = load_config(&args.config)?;
            if let Some(action) = action {
                return alerts_action(&config, action).await;
            }
            let store = SqliteStore::open(&config.store).await?;
            let alerts = match (pending, failed) {
                (true, _) => store.alerts_in_state(DeliveryState::Pending).await?,
                (_, true) => store.alerts_in_state(DeliveryState::Failed).await?,
                _ => store.alerts().await?,
            };
            let mut out = std::io::stdout().lock();
            for stored in &alerts {
                match format {
                    Format::Json => writeln!(out, "{}", serde_json::to_string(&stored.line())?)?,
                    Format::Text => {
                        let states: Vec<String> = stored
                            .deliveries
                            .iter()
                            .map(|(sink, state, _)| {
                                format!(
                                    "{sink}: {}",
                                    serde_json::to_string(state)
                                        .unwrap_or_default()
                                        .trim_matches('"')
                                )
                            })
                            .collect();
                        writeln!(
                            out,
                            "{}  {:<13} {}  [{}]",
                            stored.raised_at.format("%Y-%m-%d %H:%M:%S"),
                            stored.alert.kind.as_str(),
                            stored.alert.message,
                            states.join(", ")
                        )?;
                    }
                }
            }
            if alerts.is_empty() && format == Format::Text {
                writeln!(out, "no alerts raised yet")?;
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check_config(given: &Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let path = config_path(given);
    let shown = path
        .as_ref()
        .map_or("built-in defaults".to_string(), |p| p.display().to_string());
    let result =
        Config::load(path.as_deref()).and_then(|c| c.validate(path.as_deref()).map(|()| c));
    match result {
        Ok(config) => {
            println!(
                "{shown}: ok (store {}, inbox {}, {} sink(s): {})",
                config.store.path.display(),
                config.inbox.dir.display(),
                config.sinks.len(),
                config.sink_names().join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(EXIT_CONFIG))
        }
    }
}

/// `--published` values: one date for all files, or per file.
#[derive(Debug, Default)]
struct PublishedDates {
    all: Option<NaiveDate>,
    per_file: Vec<(PathBuf, NaiveDate)>,
}

impl PublishedDates {
    fn parse(values: &[String]) -> anyhow::Result<PublishedDates> {
        let mut dates = PublishedDates::default();
        for value in values {
            let (file, date) = match value.rsplit_once('=') {
                Some((f, d)) => (Some(PathBuf::from(f)), d),
                None => (None, value.as_str()),
            };
            let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").with_context(|| {
                format!("--published {value:?}: the date must be YYYY-MM-DD (e.g. 2024-09-06)")
            })?;
            match file {
                Some(f) => dates.per_file.push((f, date)),
                None => dates.all = Some(date),
            }
        }
        Ok(dates)
    }

    fn for_file(&self, file: &Path) -> Option<NaiveDate> {
        self.per_file
            .iter()
            .find(|(f, _)| {
                f == file || file.file_name() == f.file_name() && f.components().count() == 1
            })
            .map(|(_, d)| *d)
            .or(self.all)
    }
}

/// Orders the files by publication date (then name) from a first pass that
/// keeps no bodies, then reads and runs them through the pipeline a batch at a
/// time, printing the alerts: memory holds one batch, not every file.
async fn process_files(
    config: &Config,
    store: SqliteStore,
    files: &[PathBuf],
    dates: &PublishedDates,
    format: Format,
    replay: bool,
) -> anyhow::Result<ExitCode> {
    let mut failed = 0;
    let mut planned: Vec<PlannedFile> = Vec::new();
    for file in files {
        if !file.is_file() {
            eprintln!("error: {} is not a file", file.display());
            failed += 1;
            continue;
        }
        if !is_article_path(file) {
            eprintln!(
                "error: {} is not an article file (.txt, .md, .html, .htm, .json)",
                file.display()
            );
            failed += 1;
            continue;
        }
        // The date only: the body is dropped at once.
        match plan_file(file.clone(), dates.for_file(file), MAX_ARTICLE_BYTES).await {
            Ok(file) => planned.push(file),
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    order_planned(&mut planned);
    let mut replay_config = config.clone();
    if replay {
        // Replay starts from an empty timeline: the curated file is not loaded.
        replay_config.timeline.known = None;
    }
    let parts = service::build_parts(&replay_config, store).await?;
    let store = parts.store.clone();
    let mut pipeline = parts.pipeline;
    let mut out = std::io::stdout().lock();
    let mut raised = 0;
    let mut processed = 0usize;
    // Up to MAX_BATCH articles (or MAX_BATCH_BYTES) per transaction: a backlog
    // stores fast, and only one batch is in memory.
    let mut reader = BatchReader::new(planned, MAX_ARTICLE_BYTES);
    while let Some(batch) = reader.next_batch().await {
        let mut chunk: Vec<(PathBuf, Article)> = Vec::with_capacity(batch.len());
        for (file, read) in batch {
            match read {
                Ok(article) => chunk.push((file, article)),
                Err(e) => {
                    eprintln!("error: {e}");
                    failed += 1;
                }
            }
        }
        processed += chunk.len();
        let articles: Vec<&Article> = chunk.iter().map(|(_, article)| article).collect();
        let outcomes = pipeline.process_batch(&articles).await?;
        for ((file, _), outcome) in chunk.iter().zip(outcomes) {
            if outcome.duplicate {
                tracing::info!(file = %file.display(), "already processed; nothing raised");
                continue;
            }
            tracing::info!(
                file = %file.display(),
                claims = outcome.claims.len(),
                alerts = outcome.alerts.len(),
                "article processed"
            );
            for alert in &outcome.alerts {
                print_alert(&mut out, alert, format)?;
                raised += 1;
            }
        }
    }
    tracing::info!(articles = processed, alerts = raised, failed, "done");
    // Alerts printed here are delivered by `drawdown run`'s workers from the outbox.
    store.close().await;
    if failed > 0 && processed == 0 {
        bail!("no article could be read");
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_alert(out: &mut impl Write, alert: &Alert, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string(alert)?)?,
        Format::Text => {
            let path = alert
                .current
                .article
                .path
                .as_deref()
                .and_then(|p| Path::new(p).file_name())
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| alert.current.article.title.clone());
            writeln!(
                out,
                "{:<13} {}  [{}]",
                alert.kind.as_str(),
                alert.message,
                path
            )?;
        }
    }
    Ok(())
}

/// Files `extract` reads and extracts at once, on every core, before it
/// prints them in order.
const EXTRACT_BATCH: usize = 256;

/// `f` of every item, on as many threads as there are cores (the items
/// shared out by an atomic counter), the results in the items' order.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: &(impl Fn(&T) -> R + Sync)) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(results) => results,
                // A worker that panicked: its panic goes on in this thread.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

fn print_claim(
    out: &mut impl Write,
    file: &Path,
    claim: &Claim,
    format: Format,
    explain: bool,
) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct Line<'a> {
                file: String,
                #[serde(flatten)]
                claim: &'a Claim,
            }
            let line = Line {
                file: file.display().to_string(),
                claim,
            };
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
        }
        Format::Text => {
            let who = claim
                .attributed_to
                .as_deref()
                .map(|w| format!(", per {w}"))
                .unwrap_or_default();
            writeln!(
                out,
                "{}  {} {} = {}  ({:?}: \"{}\"{})",
                file.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default(),
                claim.event.key,
                claim.attribute.as_str(),
                format_value(&claim.value),
                claim.modality,
                claim.text,
                who
            )?;
            if explain {
                writeln!(
                    out,
                    "    rule {}  bytes {}..{}{}\n    \"{}\"",
                    claim.rule,
                    claim.span.start,
                    claim.span.end,
                    claim
                        .change_wording
                        .as_deref()
                        .map(|w| format!("  change wording {w:?}"))
                        .unwrap_or_default(),
                    claim.quote
                )?;
            }
        }
    }
    Ok(())
}

fn print_entry(out: &mut impl Write, entry: &Entry, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string(entry)?)?,
        Format::Text => {
            let side = |o: &drawdown::model::Observation| {
                format!(
                    "{} ({}, {})",
                    format_value(&o.claim.value),
                    o.article.outlet(),
                    o.article.published
                )
            };
            writeln!(
                out,
                "{} {}: {}{}",
                entry.event.key,
                entry.attribute.as_str(),
                side(&entry.current),
                if entry.confirmations.is_empty() {
                    String::new()
                } else {
                    format!("; confirmed by {}", entry.confirmation_count)
                }
            )?;
            for c in &entry.contested {
                writeln!(out, "    OPEN CONTRADICTION: {}", side(c))?;
            }
            if entry.history_dropped > 0 {
                writeln!(
                    out,
                    "    ({} older values not listed; every value is in the store's claims)",
                    entry.history_dropped
                )?;
            }
            for h in &entry.history {
                writeln!(out, "    was: {}", side(h))?;
            }
        }
    }
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
/// On each SIGHUP, loads and validates the configuration file again (as at
/// start: the same file, then the environment) and hands the result to the
/// running service, which applies it or refuses it.
fn forward_hangups(
    path: Option<PathBuf>,
    reloads: tokio::sync::mpsc::Sender<Result<Config, config::ConfigError>>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = signal(SignalKind::hangup()).context("cannot listen for SIGHUP")?;
        Ok(tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                tracing::info!("SIGHUP: reloading the configuration");
                let path = path.clone();
                let loaded = tokio::task::spawn_blocking(move || {
                    let config = Config::load(path.as_deref())?;
                    config.validate(path.as_deref()).map(|()| config)
                })
                .await;
                let loaded = match loaded {
                    Ok(loaded) => loaded,
                    Err(e) => {
                        tracing::error!(error = %e, "loading the configuration failed");
                        continue;
                    }
                };
                if reloads.send(loaded).await.is_err() {
                    break;
                }
            }
        }))
    }
    #[cfg(not(unix))]
    {
        drop((path, reloads));
        Ok(tokio::spawn(async {}))
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

// Feeds (issue 5): `feeds`, `import-opml`, `export-opml`.

/// `drawdown feeds`: each configured feed and its polling state.
async fn feeds_command(given: &Option<PathBuf>, format: Format) -> anyhow::Result<ExitCode> {
    use drawdown::source::feed::report;
    let (config, _) = load_config(given)?;
    let store = SqliteStore::open(&config.store).await?;
    let states = store.feed_states().await?;
    store.close().await;
    let mut out = std::io::stdout().lock();
    let rows = report::rows(&config.feeds, &states);
    for row in &rows {
        match format {
            Format::Json => writeln!(out, "{}", serde_json::to_string(row)?)?,
            Format::Text => writeln!(out, "{}", row.text())?,
        }
    }
    if rows.is_empty() && format == Format::Text {
        writeln!(out, "no [[feeds]] configured")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `drawdown import-opml FILE`: appends the OPML's feeds that the config does
/// not list yet to the config file (created if missing), then re-validates it.
fn import_opml_command(given: &Option<PathBuf>, file: &Path) -> anyhow::Result<ExitCode> {
    use drawdown::source::feed::opml;
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the OPML file {}", file.display()))?;
    let listed = opml::parse(&text)
        .with_context(|| format!("cannot read the OPML file {}", file.display()))?;
    let path = given
        .clone()
        .unwrap_or_else(|| PathBuf::from(config::DEFAULT_PATH));
    let existing = if path.exists() {
        Config::load(Some(&path))?.feeds
    } else {
        Vec::new()
    };
    let (entries, added) = opml::toml_entries(&listed, &existing);
    if added > 0 {
        let mut config_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {} to add feeds", path.display()))?;
        config_file
            .write_all(entries.as_bytes())
            .with_context(|| format!("cannot add feeds to {}", path.display()))?;
        Config::load(Some(&path))?.validate(Some(&path))?;
    }
    eprintln!(
        "{added} feed(s) added to {}, {} already listed",
        path.display(),
        listed.len() - added
    );
    Ok(ExitCode::SUCCESS)
}

/// `drawdown export-opml`: the configured feeds as OPML on stdout.
fn export_opml_command(given: &Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let (config, _) = load_config(given)?;
    let mut out = std::io::stdout().lock();
    out.write_all(drawdown::source::feed::opml::export(&config.feeds).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `alerts retry` and `alerts resend`: re-queue deliveries in the outbox.
#[derive(Debug, Subcommand)]
enum AlertsAction {
    /// Re-queue failed deliveries: those of one alert, or all with --all-failed.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["id", "all_failed"])))]
    Retry {
        /// The alert id (as `alerts --format json` shows it).
        id: Option<String>,
        /// Every failed delivery of every alert.
        #[arg(long)]
        all_failed: bool,
    },
    /// Queue the alerts raised since a date again for one sink (history for a new sink).
    Resend {
        /// The sink's name, as configured.
        #[arg(long)]
        sink: String,
        /// YYYY-MM-DD (UTC midnight) or RFC 3339.
        #[arg(long, value_name = "DATE")]
        since: String,
        /// Also send again the alerts the sink already received (default:
        /// only those it has not, so nothing reaches it twice).
        #[arg(long)]
        include_delivered: bool,
    },
}

async fn alerts_action(config: &Config, action: AlertsAction) -> anyhow::Result<ExitCode> {
    let store = SqliteStore::open(&config.store).await?;
    let now = chrono::Utc::now();
    let result = match action {
        AlertsAction::Retry { id, .. } => {
            let n = store.retry_failed(id.as_deref(), now).await?;
            match &id {
                Some(id) if n == 0 => {
                    eprintln!("error: alert {id} has no failed delivery");
                    Ok(ExitCode::from(1))
                }
                _ => {
                    println!("{n} delivery(ies) queued again; `drawdown run` sends them");
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        AlertsAction::Resend {
            sink,
            since,
            include_delivered,
        } => {
            let names = config.sink_names();
            if !names.contains(&sink) {
                bail!(
                    "no sink named {sink:?} in the configuration (sinks: {})",
                    names.join(", ")
                );
            }
            let since = parse_since(&since)?;
            let n = store.resend(&sink, since, now, include_delivered).await?;
            println!(
                "{n} alert(s) since {} queued for {sink}",
                since.to_rfc3339()
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    store.close().await;
    result
}

/// `--since`: a day (its UTC midnight) or an RFC 3339 time.
fn parse_since(text: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    drawdown::store::parse_since(text)
        .with_context(|| format!("--since {text:?}: give YYYY-MM-DD or an RFC 3339 time"))
}
