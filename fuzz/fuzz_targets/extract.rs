//! cargo-fuzz target `extract`: see `drawdown_fuzz::extract` for what the bytes
//! mean and what must hold (docs/fuzzing.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| drawdown_fuzz::extract(data));
