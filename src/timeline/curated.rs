//! The curated timeline file (`[timeline] known`).
