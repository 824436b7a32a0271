//! Extraction in a plain loop, for profilers (`perf record`, `valgrind
//! --tool=callgrind`) and quick before/after checks; criterion's
//! `cargo bench --bench extract` is the figure to report.
//! `cargo run --release --example extract_profile -- [rounds]`

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::Instant;

use drawdown::extract::{Lexicon, extract};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let lexicon = match Lexicon::built_in() {
        Ok(l) => l,
        Err(e) => panic!("lexicon: {e}"),
    };
    let articles = common::corpus();
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    let mut best = f64::MAX;
    let mut claims = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        for article in &articles {
            claims += extract(article, &lexicon).len();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{} articles, {} bytes, {rounds} rounds: best {:.3} ms, {:.1} MB/s ({claims} claims)",
        articles.len(),
        bytes,
        best * 1e3,
        bytes as f64 / best / 1e6
    );
}
