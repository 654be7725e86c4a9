#!/usr/bin/env bash
# The paths through the shared store, with this process's memory and with Redis, in one run:
# the OAuth proxy's `/token` (redeeming codes that sign-ins through the proxy left in the
# store) and `tools/call` on a 2025 session (found, and with Redis touched, in the store on
# every request). The server is pinned to core 0; wrk and redis-server share core 1. Prints a
# markdown table.
#
#   bench/store.sh                       # 10 s per tools/call measurement, 20 000 codes
#   DURATION=30s CODES=50000 bench/store.sh
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-10s}
CODES=${CODES:-20000}
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
cargo build --release --quiet --bin store_target

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
  until [ "$(wc -l < "$CODES_FILE")" -ge "$CODES" ]; do sleep 0.2; done
  local prepared=$((SECONDS - started))
  local out rps p50 p99 redeemed other
  out=$(CODES_FILE=$CODES_FILE taskset -c 1 wrk -t1 -c16 -d300s --latency -s token.lua "http://127.0.0.1:$PORT")
  rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
  p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  redeemed=$(echo "$out" | awk '/^redeemed:/ { print $2 }')
  other=$(echo "$out" | awk '/^other:/ { print $2 }')
  if [ "$other" != 0 ] || [ "$redeemed" -lt $((CODES * 99 / 100)) ]; then
    echo "$out" >&2; echo "/token with $store: $redeemed of $CODES codes redeemed, $other other answers" >&2; exit 1
  fi
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
echo "$(nproc) cores, $(redis-server --version | awk '{ print $1, $2, $3 }'), wrk -t1 -c16; the server on core 0, wrk and redis-server on core 1."
