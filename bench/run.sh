#!/usr/bin/env bash
# Load benchmark of `tools/call` (the `echo` tool, stateless, JSON answers) over HTTP on
# loopback: a raw axum JSON-RPC handler (the limit), this framework (2025-11-25 without a
# session, and 2026-07-28) and rmcp 3.x, each without and with a bearer JWT, at 16 and 64
# connections. The server is pinned to core 0 and wrk to
# core 1. Prints a markdown table with ratios to raw axum without auth.
#
#   bench/run.sh                  # 10 s per measurement
#   DURATION=30s bench/run.sh
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-10s}
PORT=${PORT:-4100}
TOKEN_FILE=$(mktemp)
trap 'rm -f "$TOKEN_FILE"; [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true' EXIT

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
cargo build --release --quiet --bins

wait_port() {
  for _ in $(seq 1 200); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then return 0; fi
    sleep 0.02
  done
  echo "server did not start" >&2; exit 1
}

# wrk's latency figure ("1.23ms", "850.00us", "1.02s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

measure() { # name binary auth [MCP revision of the request] [METRICS]
  local name=$1 binary=$2 auth=$3 revision=${4:-2025-11-25} metrics=${5:-}
  METRICS=$metrics PORT=$PORT AUTH=$auth TOKEN_FILE=$TOKEN_FILE taskset -c 0 "target/release/$binary" >/dev/null 2>&1 &
  SERVER=$!
  wait_port
  sleep 0.2
  local token=""
  [ "$auth" = jwt ] && token=$(cat "$TOKEN_FILE")
  # Warm up (and, with auth, verify the token once).
  MCP=$revision TOKEN=$token taskset -c 1 wrk -t1 -c16 -d2s -s post.lua "http://127.0.0.1:$PORT/mcp" >/dev/null
  local row="| $name |"
  for c in 16 64; do
    local out
    out=$(MCP=$revision TOKEN=$token taskset -c 1 wrk -t1 -c"$c" -d"$DURATION" --latency -s post.lua "http://127.0.0.1:$PORT/mcp")
    local rps p50 p99 errors
    rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
    p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
    p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
    errors=$(echo "$out" | awk '/non-200:/ { print $2 }')
    if [ "${errors:-0}" != 0 ]; then echo "$name c$c: $errors answers were not 200" >&2; exit 1; fi
    RESULTS["$name,$c"]=$rps
    row="$row $rps | $p50 / $p99 |"
  done
  local rss
  rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER/status")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  ROWS+=("$row $rss |")
}

declare -A RESULTS
ROWS=()
measure "raw axum" raw_axum none
measure "raw axum + JWT per request" raw_axum jwt
measure "raw axum, 2026-07-28 request" raw_axum none 2026-07-28
measure "mcp-runtime" framework none
measure "mcp-runtime + JWT + guard" framework jwt
measure "mcp-runtime + JWT + guard + Prometheus metrics" framework jwt 2025-11-25 prometheus
measure "mcp-runtime 2026-07-28" framework none 2026-07-28
measure "mcp-runtime 2026-07-28 + JWT + guard" framework jwt 2026-07-28
measure "rmcp 3.11" rmcp_server none
measure "rmcp 3.11 + JWT per request" rmcp_server jwt

# Start-up: from spawn to the first answered tools/list (median of 5).
startup=()
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  PORT=$PORT taskset -c 0 target/release/framework >/dev/null 2>&1 &
  SERVER=$!
  until curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT/mcp" -H 'content-type: application/json' \
      -H 'accept: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'; do :; done
  end=$(date +%s%N)
  startup+=($(( (end - start) / 1000000 )))
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
done
STARTUP=$(printf '%s\n' "${startup[@]}" | sort -n | sed -n 3p)

echo
echo "tools/call of \`echo\` over HTTP, $DURATION per cell, server on core 0, wrk on core 1 ($(nproc) cores, $(uname -m))"
echo
echo "| server | c16 req/s | c16 p50 / p99 ms | c64 req/s | c64 p50 / p99 ms | peak RSS MB |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
base16=${RESULTS["raw axum,16"]}; base64=${RESULTS["raw axum,64"]}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "Ratios at c64 to raw axum without auth (c16 in brackets):"
for name in "raw axum + JWT per request" "raw axum, 2026-07-28 request" "mcp-runtime" "mcp-runtime + JWT + guard" "mcp-runtime + JWT + guard + Prometheus metrics" "mcp-runtime 2026-07-28" "mcp-runtime 2026-07-28 + JWT + guard" "rmcp 3.11" "rmcp 3.11 + JWT per request"; do
  echo "- $name: $(ratio "${RESULTS["$name,64"]}" "$base64")x ($(ratio "${RESULTS["$name,16"]}" "$base16")x)"
done
base26=${RESULTS["raw axum, 2026-07-28 request,64"]}
echo "- mcp-runtime 2026-07-28 + JWT + guard vs raw axum given the same 2026-07-28 request: $(ratio "${RESULTS["mcp-runtime 2026-07-28 + JWT + guard,64"]}" "$base26")x"
echo "- Prometheus metrics on vs off (mcp-runtime + JWT + guard) at c64: $(ratio "${RESULTS["mcp-runtime + JWT + guard + Prometheus metrics,64"]}" "${RESULTS["mcp-runtime + JWT + guard,64"]}")x (c16 $(ratio "${RESULTS["mcp-runtime + JWT + guard + Prometheus metrics,16"]}" "${RESULTS["mcp-runtime + JWT + guard,16"]}")x)"
echo "- mcp-runtime + JWT + guard vs rmcp + JWT at c64: $(ratio "${RESULTS["mcp-runtime + JWT + guard,64"]}" "${RESULTS["rmcp 3.11 + JWT per request,64"]}")x"
echo
echo "Start-up to the first answered tools/list (median of 5): ${STARTUP} ms"
