//! Extraction: `&Article -> Vec<Claim>`. Pure and deterministic: no I/O, no
//! clock. Everything it knows about countries, actors and trigger words comes
//! from the lexicon tables.

pub mod time;
