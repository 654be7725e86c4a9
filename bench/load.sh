#!/usr/bin/env bash
# Load test: 30 s (LOAD_DURATION) at 64 connections against a release build with valid tokens,
# half the calls allowed and half denied. Fails unless there are zero transport errors, zero
# 5xx and every answer is right; prints the RSS before and after.
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${LOAD_DURATION:-30s}
PORT=${PORT:-4200}
TOKEN_FILE=$(mktemp)
trap 'rm -f "$TOKEN_FILE"; [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true' EXIT
command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
cargo build --release --quiet --bin load_target
PORT=$PORT TOKEN_FILE=$TOKEN_FILE taskset -c 0 target/release/load_target >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.02; done
sleep 0.2
export TOKEN; TOKEN=$(cat "$TOKEN_FILE")
taskset -c 1 wrk -t1 -c64 -d3s -s load.lua "http://127.0.0.1:$PORT/mcp" >/dev/null   # warm-up
rss() { awk '/VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$SERVER/status"; }
START_RSS=$(rss)
OUT=$(taskset -c 1 wrk -t1 -c64 -d"$DURATION" --latency -s load.lua "http://127.0.0.1:$PORT/mcp")
END_RSS=$(rss)
PEAK=$(awk '/VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/$SERVER/status")
echo "$OUT" | grep -E "requests in|Requests/sec|99%|allowed-ok|denied-forbidden|wrong|5xx|socket-errors"
echo "RSS after warm-up: $START_RSS; after the run: $END_RSS; peak: $PEAK"
TOTAL=$(echo "$OUT" | awk '/requests in/ { print $1 }')
CHECKED=$(echo "$OUT" | awk '/allowed-ok|denied-forbidden/ { n += $2 } END { print n }')
echo "$OUT" | grep -q "^wrong: 0$" && echo "$OUT" | grep -q "^5xx: 0$" \
  && echo "$OUT" | grep -q "socket-errors: connect 0, read 0, write 0, timeout 0" \
  && [ "$CHECKED" -ge $((TOTAL * 99 / 100)) ] \
  || { echo "FAILED: see the counts above ($CHECKED of $TOTAL answers checked right)" >&2; exit 1; }
echo "load test passed"
