#!/usr/bin/env bash
# Times `drawdown run` on a bulk drop: N article files (the repository's .txt
# articles, each with a counter appended so all are new) present in the inbox
# at start, until all N are in done/. Uses a temporary folder for the inbox,
# store and alerts.
#   tools/bulk-drop.sh [BINARY] [N]     (default: target/release/drawdown 2000)
set -euo pipefail
bin=$(realpath "${1:-target/release/drawdown}")
n=${2:-2000}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/inbox"
mapfile -t files < <(find "$repo/tests/corpus" "$repo/tests/fixtures/story" -name '*.txt' | sort)
for ((i = 0; i < n; i++)); do
  { cat "${files[i % ${#files[@]}]}"; printf '\n\nReference %d.\n' "$i"; } > "$work/inbox/a$i.txt"
done
# Long untouched: every file settles at the first look.
touch -d '1 hour ago' "$work"/inbox/*
: > "$work/empty.toml"
cd "$work"
start=$(date +%s.%N)
DRAWDOWN_STORE__PATH="$work/drawdown.db" DRAWDOWN_INBOX__DIR="$work/inbox" DRAWDOWN_HTTP__LISTEN="" \
  "$bin" --config "$work/empty.toml" run > /dev/null 2> "$work/log" &
pid=$!
until [ "$(find "$work/inbox/done" -type f 2>/dev/null | wc -l)" -ge "$n" ]; do
  if ! kill -0 "$pid" 2> /dev/null; then
    echo "drawdown stopped early:" >&2; tail -5 "$work/log" >&2; exit 1
  fi
  sleep 0.05
done
end=$(date +%s.%N)
kill -TERM "$pid"; wait "$pid"
echo "$n files dropped at once: all in done/ after $(echo "$end - $start" | bc) s"
