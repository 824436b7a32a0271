//! The stdout sink: one line per alert on standard output, either the readable
//! message prefixed by the kind or the exact alert JSON line of the contract.
//! Logs go to stderr, so stdout carries nothing else.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{Sink, SinkError, SinkFilter};
use crate::model::Alert;

/// `type = "stdout"`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StdoutConfig {
    /// The sink's name (default: "stdout").
    #[serde(default)]
    pub name: Option<String>,
    /// `text` (default) or `json`.
    #[serde(default)]
    pub format: StdoutFormat,
    /// Which alerts this sink wants.
    #[serde(default)]
    pub filter: SinkFilter,
}

/// How the stdout sink writes an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StdoutFormat {
    /// `contradiction: US-led coalition, final withdrawal from Iraq: ...`
    #[default]
    Text,
    /// The alert JSON, one object per line.
    Json,
}

impl StdoutConfig {
    /// Builds the sink under `name`.
    pub fn build(&self, name: String) -> StdoutSink {
        StdoutSink {
            name,
            format: self.format,
            filter: self.filter.clone(),
        }
    }
}

/// Writes alerts to standard output.
#[derive(Debug)]
pub struct StdoutSink {
    name: String,
    format: StdoutFormat,
    filter: SinkFilter,
}

impl StdoutSink {
    /// The line written for `alert` (without the newline).
    pub fn line(&self, alert: &Alert) -> Result<String, SinkError> {
        match self.format {
            StdoutFormat::Text => Ok(format!("{}: {}", alert.kind, alert.message)),
            StdoutFormat::Json => {
                serde_json::to_string(alert).map_err(|source| SinkError::Encode {
                    id: alert.id.clone(),
                    source,
                })
            }
        }
    }
}

#[async_trait::async_trait]
impl Sink for StdoutSink {
    fn name(&self) -> &str {
        &self.name
    }

    fn accepts(&self, alert: &Alert) -> bool {
        self.filter.accepts(alert)
    }

    async fn deliver(&self, alert: &Alert) -> Result<(), SinkError> {
        let line = self.line(alert)?;
        // One short locked write: lines from several tasks never interleave.
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")
            .and_then(|()| out.flush())
            .map_err(|source| SinkError::Stdout { source })
    }
}
