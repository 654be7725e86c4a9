#!/usr/bin/env bash
# The paths through the shared store, with this process's memory and with Redis, in one run:
# the OAuth proxy's `/token` (redeeming codes that sign-ins through the proxy left in the
# store; redeemed once each by `token_load`, then a hundred replayed) and `tools/call` on a
# 2025 session (found, and with Redis touched, in the store on every request; wrk). The server
# is pinned to core 0; the load generator and redis-server share core 1. Prints a markdown
# table.
#
#   bench/store.sh                       # 10 s per tools/call measurement, 9 000 codes
#   DURATION=30s bench/store.sh
#
# CODES stays under 10 000: the memory store holds at most 10 000 pending codes.
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-10s}
CODES=${CODES:-9000}
PORT=${PORT:-4300}
REDIS_PORT=${REDIS_PORT:-6479}
CODES_FILE=$(mktemp)
trap 'rm -f "$CODES_FILE"; [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; [ -n "${REDIS:-}" ] && kill "$REDIS" 2>/dev/null; true' EXIT

for tool in wrk redis-server curl; do
  if ! command -v $tool >/dev/null; then
    package=$tool; [ $tool = redis-server ] && package=redis-server
    echo "installing $package (Debian package)" >&2
    (apt-get update -qq && apt-get install -y -qq "$package") >/dev/null
  fi
done
cargo build --release --quiet --bin store_target --bin token_load

taskset -c 1 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
REDIS=$!
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
until (exec 3<>/dev/tcp/127.0.0.1/"$REDIS_PORT") 2>/dev/null; do sleep 0.05; done

wait_port() {
  for _ in $(seq 1 400); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then return 0; fi
    sleep 0.02
  done
  echo "server did not start" >&2; exit 1
}
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

ROWS=()
token_path() { # store
  local store=$1
  : > "$CODES_FILE"
  local started=$SECONDS
  STORE=$store KIND=token CODES=$CODES CODES_FILE=$CODES_FILE PORT=$PORT \
    taskset -c 0 target/release/store_target >/dev/null 2>&1 &
  SERVER=$!
  wait_port
  until [ "$(wc -l < "$CODES_FILE")" -ge "$CODES" ]; do
    kill -0 "$SERVER" 2>/dev/null || { echo "store_target ($store) stopped while signing in" >&2; exit 1; }
    sleep 0.2
  done
  local prepared=$((SECONDS - started))
  local out rps p50 p99
  out=$(CODES_FILE=$CODES_FILE PORT=$PORT taskset -c 1 target/release/token_load) \
    || { echo "$out" >&2; echo "/token with $store: not every code was redeemed" >&2; exit 1; }
  rps=$(echo "$out" | awk '/^requests\/s:/ { print $2 }')
  p50=$(echo "$out" | awk '/^p50 ms:/ { print $3 }')
  p99=$(echo "$out" | awk '/^p99 ms:/ { print $3 }')
  echo "$out" | grep -q "^replays refused: \([0-9]*\) of \1$" \
    || { echo "$out" >&2; echo "/token with $store: a replayed code was not refused" >&2; exit 1; }
  local rss
  rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER/status")
  stop_server
  ROWS+=("| \`/token\` (authorization code) | $store | $rps | $p50 / $p99 | $rss | $CODES sign-ins prepared in ${prepared} s |")
}

session_call() { # store
  local store=$1
  STORE=$store KIND=session PORT=$PORT taskset -c 0 target/release/store_target >/dev/null 2>&1 &
  SERVER=$!
  wait_port
  local session
  session=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$PORT/mcp" \
    -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wrk","version":"1"}}}' \
    | awk 'tolower($1) == "mcp-session-id:" { print $2 }' | tr -d '\r')
  [ -n "$session" ] || { echo "no session id from initialize" >&2; exit 1; }
  SESSION=$session taskset -c 1 wrk -t1 -c16 -d2s -s post.lua "http://127.0.0.1:$PORT/mcp" >/dev/null
  local out rps p50 p99 errors
  out=$(SESSION=$session taskset -c 1 wrk -t1 -c16 -d"$DURATION" --latency -s post.lua "http://127.0.0.1:$PORT/mcp")
  rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
  p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  errors=$(echo "$out" | awk '/non-200:/ { print $2 }')
  [ "${errors:-0}" = 0 ] || { echo "tools/call with $store: $errors answers were not 200" >&2; exit 1; }
  local rss
  rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER/status")
  stop_server
  ROWS+=("| \`tools/call\` on a 2025 session | $store | $rps | $p50 / $p99 | $rss | |")
}

token_path memory
token_path redis
session_call memory
session_call redis

echo "| path | store | requests/s (16 connections) | p50 / p99 ms | peak RSS MB | |"
echo "|---|---|---:|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "$(nproc) cores, $(redis-server --version | awk '{ print $1, $2, $3 }'); 16 connections (token_load for /token, wrk -t1 for tools/call); the server on core 0, the load generator and redis-server on core 1."
