//! cargo-fuzz target `http_article`: see `drawdown_fuzz::http_article` for what the bytes
//! mean and what must hold (docs/fuzzing.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| drawdown_fuzz::http_article(data));
