//! cargo-fuzz target `article_readers`: see `drawdown_fuzz::article_readers` for what the bytes
//! mean and what must hold (docs/fuzzing.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| drawdown_fuzz::article_readers(data));
