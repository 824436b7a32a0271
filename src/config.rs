//! Configuration: the TOML file, `DRAWDOWN_SECTION__KEY` environment overrides
//! and defaults merged into one `Config`, validated once at start.
