//! Extraction throughput on a mixed corpus: every article body the project
//! ships (fixture story, corpus stories, seeds where present), repeated.
//! `cargo bench --bench extract`; the figure to read is the throughput in MB/s.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drawdown::extract::{Lexicon, extract};

fn bench_extract(c: &mut Criterion) {
    let lexicon = match Lexicon::built_in() {
        Ok(l) => l,
        Err(e) => panic!("lexicon: {e}"),
    };
    let articles = common::corpus();
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("{} articles", articles.len()), |b| {
        b.iter(|| {
            let mut claims = 0;
            for article in &articles {
                claims += extract(article, &lexicon).len();
            }
            claims
        })
    });
    group.finish();
}

criterion_group!(benches, bench_extract);
criterion_main!(benches);
