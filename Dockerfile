# drawdown container image.
#   docker build -t drawdown .
#   docker run -d --name drawdown -v drawdown-data:/data -v /srv/inbox:/inbox drawdown
#   docker run --rm drawdown check-config
#   docker run --rm -v "$PWD/articles:/story:ro" drawdown replay /story --format json
# State (SQLite store, alerts.jsonl) lives in /data, the drop folder is /inbox;
# both must be writable by uid 10001 when bind-mounted.

# ---- build stage ------------------------------------------------------------
FROM rust:1.95-bookworm AS build
WORKDIR /app

# The whole context (see .dockerignore): Cargo.toml, Cargo.lock, build.rs,
# src/ (incl. src/store/migrations/, embedded by sqlx::migrate!), config/,
# and benches/ or tests/ when present: cargo refuses a manifest whose
# declared [[bench]]/[[test]] file is missing, even for `cargo build`.
COPY . .

# Dependency cache: the crates registry and target/ are cache mounts kept
# between builds, so a source edit recompiles only drawdown itself. target/ is
# not part of the layer, hence the binary is copied out of it.
# The shipped config uses paths relative to the working directory; the image
# runs in /data, so "data/..." paths (store, jsonl sink) become "/data/...".
# The grep fails the build if the jsonl sink path ever stops matching.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/app/target \
    cargo build --release --locked --bin drawdown \
    && install -D -m 0755 target/release/drawdown /out/drawdown \
    && sed 's#= "data/#= "/data/#' config/drawdown.toml > /out/drawdown.toml \
    && grep -q '^path = "/data/alerts.jsonl"' /out/drawdown.toml

# ---- runtime stage ----------------------------------------------------------
FROM debian:bookworm-slim

# ca-certificates: webhook sinks post over https. Not version-pinned: bookworm
# only gets security/point updates and the mirror drops superseded versions.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 drawdown \
    && useradd --system --uid 10001 --gid drawdown --home-dir /data \
       --no-create-home --shell /usr/sbin/nologin drawdown \
    && install -d -o drawdown -g drawdown -m 0750 /data /inbox

COPY --from=build /out/drawdown /usr/local/bin/drawdown
COPY --from=build /out/drawdown.toml /etc/drawdown/drawdown.toml
COPY config/timeline.toml /etc/drawdown/timeline.toml

# Env overrides win over the file (DRAWDOWN_SECTION__KEY). NO_COLOR: the
# log lines on stderr carry no ANSI colour codes (docker logs, journald).
ENV DRAWDOWN_STORE__PATH=/data/drawdown.db \
    DRAWDOWN_INBOX__DIR=/inbox \
    DRAWDOWN_TIMELINE__KNOWN=/etc/drawdown/timeline.toml \
    RUST_LOG=info \
    NO_COLOR=1

# uid/gid 10001 = drawdown (numeric, so "runAsNonRoot" checks can verify it).
USER 10001:10001
WORKDIR /data
VOLUME ["/data", "/inbox"]

# SIGTERM: finish the article in hand, flush alerts, exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["drawdown", "--config", "/etc/drawdown/drawdown.toml"]
CMD ["run"]
