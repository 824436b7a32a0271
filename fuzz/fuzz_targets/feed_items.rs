//! cargo-fuzz target `feed_items`: see `drawdown_fuzz::feed_items` for what the bytes
//! mean and what must hold (docs/fuzzing.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| drawdown_fuzz::feed_items(data));
