#!/usr/bin/env bash
# Measures a local node's start-up and memory, as reported in docs/benchmarks.md.
#
#   deploy/bench/startup.sh [ROUNDS]
#
# Each round runs `bin/world start` on a fresh data dir (round 1: empty Cassandra, so the node also creates the
# schema) and then again on the same data dir (existing data and schema), on free loopback ports. It prints the
# time from launch to the first HTTP 200 from /ready, the launcher's own Cassandra start-up time, and the
# resident memory of the node and of Cassandra 5 s after ready; then stops the node with SIGTERM, which also
# stops its Cassandra. Bounded: each start is given 180 s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${1:-3}"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

measure() { # DATA_DIR LABEL
  local dir=$1 label=$2 http cql storage port log pid t0 t1 code
  http=$(free_port); cql=$(free_port); storage=$(free_port); port=$(free_port)
  log="$dir/bench-start.log"
  t0=$(date +%s%N)
  "$ROOT/bin/world" start --data-dir "$dir" --port "$port" --http-port "$http" \
    --cassandra-port "$cql" --cassandra-storage-port "$storage" >"$log" 2>&1 &
  pid=$!
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/ready" || true)
    [ "$code" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || { echo "bin/world exited; see $log" >&2; exit 1; }
    [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt 180 ] || { kill -TERM "$pid"; echo "not ready in 180 s" >&2; exit 1; }
    sleep 0.1
  done
  t1=$(date +%s%N)
  sleep 5
  local node_rss cass_rss cass_ready
  node_rss=$(ps -o rss= -p "$(cat "$dir/node.pid")")
  cass_rss=$(ps -o rss= -p "$(cat "$dir/cassandra/cassandra.pid")")
  cass_ready=$(grep -o 'in [0-9.]* s;' "$log" | tr -d 'in s;' || echo '?')
  printf '%-22s ready %6.1f s   cassandra ready %5s s   node RSS %4d MB   cassandra RSS %4d MB\n' \
    "$label" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" "$cass_ready" $((node_rss / 1024)) $((cass_rss / 1024))
  kill -TERM "$pid"
  wait "$pid" || true
}

for round in $(seq 1 "$ROUNDS"); do
  dir=$(mktemp -d)
  measure "$dir" "round $round, fresh"
  measure "$dir" "round $round, existing"
  rm -rf "$dir"
done
