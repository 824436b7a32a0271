//! The inputs of `tests/fixtures/fuzz/<target>/`, run again through that
//! target's harness (`fuzz/src/lib.rs`, the code the fuzzer runs): every
//! input a fuzz target crashed on (none so far), and hand-made edge inputs
//! (chrono's first and last days, a lying BOM, a `replacement` charset, a
//! legacy-encoded feed). Each must pass its invariants without a panic. See
//! docs/fuzzing.md for the runs and what they found.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)] // each test file uses a part
mod harness;

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn replay(target: &str, run: fn(&[u8])) {
    let files = inputs(target);
    for file in &files {
        let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        eprintln!("{}", file.display());
        run(&data);
    }
    assert!(!files.is_empty(), "no inputs for {target}");
}

#[test]
fn article_readers() {
    replay("article_readers", harness::article_readers);
}

#[test]
fn feed_items() {
    replay("feed_items", harness::feed_items);
}

#[test]
fn time_grammar() {
    replay("time_grammar", harness::time_grammar);
}

#[test]
fn http_article() {
    replay("http_article", harness::http_article);
}

#[test]
fn extract() {
    replay("extract", harness::extract);
}
