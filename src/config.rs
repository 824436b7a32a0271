//! Configuration: defaults, the TOML file, then `DRAWDOWN_SECTION__KEY`
//! environment overrides, merged by the `config` crate into one `Config`.
//! Every key has a default (an empty file runs); unknown keys are errors.
//! `validate` reports every problem at once with its key path; `run` and
//! `check-config` call it before anything starts.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::alert::SinkConfig;
use crate::alert::jsonl::JsonlConfig;
use crate::alert::stdout::{StdoutConfig, StdoutFormat};
use crate::extract::Lexicon;
use crate::model::ChangeKind;
use crate::source::drop_folder::InboxConfig;
use crate::store::StoreConfig;

/// The default configuration file, relative to the working directory.
pub const DEFAULT_PATH: &str = "config/drawdown.toml";

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub store: StoreConfig,
    pub inbox: InboxConfig,
    pub timeline: TimelineConfig,
    pub alerts: AlertsConfig,
    pub pipeline: PipelineConfig,
    pub lexicon: LexiconConfig,
    pub sinks: Vec<SinkConfig>,
    /// `[[feeds]]`: RSS, Atom and JSON Feed URLs to poll.
    pub feeds: Vec<crate::source::feed::FeedConfig>,
    /// `[feeds_defaults]`: limits shared by every feed.
    pub feeds_defaults: crate::source::feed::FeedDefaults,
    /// `[http]`: the HTTP API, live alerts, health and the web page.
    pub http: crate::http::HttpConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            store: StoreConfig::default(),
            inbox: InboxConfig::default(),
            timeline: TimelineConfig::default(),
            alerts: AlertsConfig::default(),
            pipeline: PipelineConfig::default(),
            lexicon: LexiconConfig::default(),
            sinks: default_sinks(),
            feeds: Vec::new(),
            feeds_defaults: crate::source::feed::FeedDefaults::default(),
            http: crate::http::HttpConfig::default(),
        }
    }
}

/// Alerts go to stdout and `data/alerts.jsonl` unless `[[sinks]]` says otherwise.
fn default_sinks() -> Vec<SinkConfig> {
    vec![
        SinkConfig::Stdout(StdoutConfig {
            name: None,
            format: StdoutFormat::Text,
            filter: Default::default(),
        }),
        SinkConfig::Jsonl(JsonlConfig {
            name: None,
            path: PathBuf::from("data/alerts.jsonl"),
            filter: Default::default(),
        }),
    ]
}

/// `[timeline]`: where the diff starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimelineConfig {
    /// Curated timeline file; loaded once per content. A missing file at the
    /// default path is skipped with a log line.
    pub known: Option<PathBuf>,
}

impl Default for TimelineConfig {
    fn default() -> Self {
        TimelineConfig {
            known: Some(PathBuf::from("config/timeline.toml")),
        }
    }
}

impl TimelineConfig {
    /// The curated file to load, if any (`known = ""` turns it off).
    pub fn known_path(&self) -> Option<&Path> {
        self.known.as_deref().filter(|p| !p.as_os_str().is_empty())
    }
}

/// `[alerts]`: which changes are alerted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    /// Change kinds that raise alerts; `new` and `confirmation` are recorded in
    /// the timeline either way.
    pub kinds: Vec<ChangeKind>,
    /// Deliveries still pending this long after they were queued are given up
    /// (`failed`, with their last error); `alerts retry` re-queues them.
    #[serde(with = "humantime_serde")]
    pub max_delivery_age: Option<std::time::Duration>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            kinds: vec![
                ChangeKind::Update,
                ChangeKind::Contradiction,
                ChangeKind::Refinement,
            ],
            max_delivery_age: Some(std::time::Duration::from_secs(7 * 24 * 3600)),
        }
    }
}

/// `[pipeline]`: the queue between the sources and the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    /// Bytes of article text that may wait for the pipeline, all sources
    /// together. A source over it waits; an article larger than all of it
    /// passes alone.
    pub queue_bytes: u64,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            queue_bytes: crate::source::queue::DEFAULT_QUEUE_BYTES,
        }
    }
}

/// `[lexicon]`: files that extend the built-in tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LexiconConfig {
    pub extra: Vec<PathBuf>,
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "configuration file {path} does not exist (create it, or point --config at one; an empty file runs on defaults)"
    )]
    Missing { path: PathBuf },
    #[error("configuration {origin}: {source}")]
    Load {
        origin: String,
        #[source]
        source: Box<config::ConfigError>,
    },
    #[error("configuration {origin} has {} problem(s):\n  {}", problems.len(), problems.join("\n  "))]
    Invalid {
        origin: String,
        problems: Vec<String>,
    },
}

/// Where the configuration came from, for messages.
fn origin(path: Option<&Path>) -> String {
    match path {
        Some(p) => format!("{} (+ DRAWDOWN_* environment)", p.display()),
        None => "defaults (+ DRAWDOWN_* environment)".to_string(),
    }
}

impl Config {
    /// Loads defaults, then `path` (if given; it must exist), then the
    /// `DRAWDOWN_SECTION__KEY` environment variables.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_with_env(path, None)
    }

    /// As `load`, with the environment given as pairs instead of read from the
    /// process (for tests).
    pub fn load_with_env(
        path: Option<&Path>,
        env: Option<Vec<(String, String)>>,
    ) -> Result<Config, ConfigError> {
        let mut builder = config::Config::builder();
        if let Some(path) = path {
            if !path.exists() {
                return Err(ConfigError::Missing {
                    path: path.to_path_buf(),
                });
            }
            builder = builder.add_source(
                config::File::from(path)
                    .format(config::FileFormat::Toml)
                    .required(true),
            );
        }
        let mut environment = config::Environment::with_prefix("DRAWDOWN")
            .prefix_separator("_")
            .separator("__")
            .try_parsing(true);
        if let Some(pairs) = env {
            environment = environment.source(Some(pairs.into_iter().collect()));
        }
        builder = builder.add_source(environment);
        let load_error = |source| ConfigError::Load {
            origin: origin(path),
            source: Box::new(source),
        };
        let merged = builder.build().map_err(load_error)?;
        merged.try_deserialize::<Config>().map_err(load_error)
    }

    /// Every problem, each with its key path; empty when the config can run.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.store.path.as_os_str().is_empty() {
            problems.push("store.path: must not be empty".to_string());
        }
        if self.inbox.dir.as_os_str().is_empty() {
            problems.push("inbox.dir: must not be empty".to_string());
        }
        if self.inbox.max_file_size == 0 {
            problems.push("inbox.max_file_size: must be above 0 bytes".to_string());
        }
        if self.pipeline.queue_bytes == 0 {
            problems.push(
                "pipeline.queue_bytes: must be above 0 bytes (default 67108864, 64 MiB)"
                    .to_string(),
            );
        }
        problems.extend(crate::source::feed::feed_problems(&self.feeds));
        problems.extend(self.feeds_defaults.problems());
        problems.extend(self.http.problems());
        let mut names: Vec<String> = Vec::new();
        for (i, sink) in self.sinks.iter().enumerate() {
            let key = format!("sinks[{i}]");
            problems.extend(sink.validate(&key));
            let name = sink.name(i);
            if names.contains(&name) {
                problems.push(format!(
                    "{key}.name: {name:?} is already used by another sink; give each sink its own name"
                ));
            }
            names.push(name);
        }
        match Lexicon::with_extensions(&self.lexicon.extra) {
            Ok(lex) => {
                if let Some(known) = self.timeline.known_path() {
                    if known.exists() {
                        if let Err(e) = crate::timeline::curated::load(known, &lex) {
                            problems.push(format!("timeline.known: {e}"));
                        }
                    } else if *known != TimelineConfig::default().known.unwrap_or_default() {
                        problems.push(format!(
                            "timeline.known: {} does not exist",
                            known.display()
                        ));
                    }
                }
            }
            Err(e) => problems.push(format!("lexicon.extra: {e}")),
        }
        problems
    }

    /// Checks the configuration, or says everything that is wrong.
    pub fn validate(&self, path: Option<&Path>) -> Result<(), ConfigError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid {
                origin: origin(path),
                problems,
            })
        }
    }

    /// The names of the configured sinks, in order, made unique.
    pub fn sink_names(&self) -> Vec<String> {
        self.sinks
            .iter()
            .enumerate()
            .map(|(i, s)| s.name(i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn load_text(toml: &str, env: Vec<(&str, &str)>) -> Result<Config, ConfigError> {
        let mut file = tempfile::Builder::new()
            .suffix(".toml")
            .tempfile()
            .unwrap_or_else(|e| panic!("{e}"));
        file.write_all(toml.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let env = env
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load_with_env(Some(file.path()), Some(env))
    }

    #[test]
    fn an_empty_file_runs_on_defaults() {
        let config = load_text("", vec![]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config, Config::default());
        assert_eq!(config.store.path, PathBuf::from("data/drawdown.db"));
        assert_eq!(config.sink_names(), vec!["stdout", "jsonl"]);
    }

    #[test]
    fn environment_overrides_the_file() {
        let config = load_text(
            "[store]\npath = \"from-file.db\"\n",
            vec![("DRAWDOWN_STORE__PATH", "from-env.db")],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.store.path, PathBuf::from("from-env.db"));
    }

    #[test]
    fn unknown_keys_are_errors_that_name_the_key() {
        let err = match load_text("[store]\npth = \"x.db\"\n", vec![]) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("an unknown key was accepted"),
        };
        assert!(err.contains("pth"), "{err}");
    }

    #[test]
    fn a_bad_duration_names_its_key() {
        let err = match load_text("[inbox]\nsettle = \"soon\"\n", vec![]) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a bad duration was accepted"),
        };
        assert!(err.contains("settle"), "{err}");
    }

    #[test]
    fn the_http_token_comes_from_the_environment_too() {
        let config = load_text(
            "[http]\nlisten = \"0.0.0.0:8790\"\n",
            vec![("DRAWDOWN_HTTP__TOKEN", "12345678")],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.http.token(), Some("12345678"));
        assert!(config.problems().is_empty(), "{:?}", config.problems());
        let open = load_text("[http]\nlisten = \"0.0.0.0:8790\"\n", vec![])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            open.problems().iter().any(|p| p.starts_with("http.listen")),
            "{:?}",
            open.problems()
        );
    }

    #[test]
    fn a_missing_file_says_so() {
        let err = Config::load(Some(Path::new("/nonexistent/drawdown.toml")));
        assert!(matches!(err, Err(ConfigError::Missing { .. })));
    }
}
