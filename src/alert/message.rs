//! Alert ids and messages.
