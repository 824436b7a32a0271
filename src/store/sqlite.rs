//! SQLite store.

/// The SQLite store.
pub struct SqliteStore;
