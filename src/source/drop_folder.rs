//! The drop folder.
