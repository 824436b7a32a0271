//! cargo-fuzz target `time_grammar`: see `drawdown_fuzz::time_grammar` for what the bytes
//! mean and what must hold (docs/fuzzing.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| drawdown_fuzz::time_grammar(data));
