//! The pure comparison of a new observation with what is known.
