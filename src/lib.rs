//! drawdown watches the news about foreign troop withdrawals and tells its users
//! when a new article updates or contradicts what was known.
//!
//! ```text
//! sources ──Article──▶ extract ──Claim*──▶ timeline ──Change*──▶ alerts
//!  feeds, drop folder,     rules (pure)      diff against what     outbox, then sinks (stdout,
//!  ingest/replay, HTTP POST                  is known; store it    jsonl, webhook, chat, email, ...)
//! ```
//!
//! - [`model`]: the shared nouns (Article, Claim, Event, Value, Change, Alert).
//! - [`source`]: where articles come from (article files, the drop folder, RSS/Atom/JSON feeds).
//! - [`extract`]: article text to claims; pure, data-driven.
//! - [`timeline`]: the known timeline and the pure diff.
//! - [`store`]: SQLite persistence and the alert outbox.
//! - [`alert`]: alert building, sinks and delivery.
//! - [`metrics`]: Prometheus metrics of work done and input set aside.
//! - [`eval`]: scoring replays against the labelled corpus.
//! - [`config`]: configuration layering and validation.
//! - [`redact`]: URLs as logs, stored errors and `Debug` output may show them.
//! - [`pipeline`]: one article through extract, diff, alert and store.
//! - [`service`]: wires the stages together with channels; reload, systemd notify, graceful shutdown.
//! - [`http`]: the HTTP API, the live alert stream, health and the web page.
//! - [`readiness`]: whether every source has started (`/readyz`).

pub mod alert;
pub mod config;
pub mod eval;
pub mod extract;
pub mod http;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod readiness;
pub mod redact;
pub mod service;
pub mod source;
pub mod store;
pub mod timeline;
