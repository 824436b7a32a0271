//! Alerts: building an `Alert` from a timeline `Change` (id, message), the
//! `Sink` trait with one file per sink, and the delivery workers that drain the
//! store's outbox into sinks with retries. A sink only formats and sends.

pub mod message;
