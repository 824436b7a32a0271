//! Article files.
