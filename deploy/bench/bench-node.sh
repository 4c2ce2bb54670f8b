#!/usr/bin/env bash
# Sourced by the benchmark scripts: builds the test classpath ($CP), starts a node and Cassandra of its own (data
# in a temporary directory, ports 200 above the defaults: API on 127.0.0.1:7826, CQL on 127.0.0.1:9242), waits
# until it is ready, and stops both by the node's pid (and removes the data) when the script exits. Settings for
# the node: NODE_SETTINGS="key=value key=value" (each passed as bin/world --set).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/bench/test-classpath.sh
data="$(mktemp -d)"
settings=()
for s in ${NODE_SETTINGS:-}; do settings+=(--set "$s"); done
bin/world start ${settings[@]+"${settings[@]}"} --data-dir "$data" --port 25720 --http-port 7826 --udp-port 40323 --udp-reply-port 40324 \
  --cassandra-port 9242 --cassandra-storage-port 7200 >"$data/node.log" 2>&1 &
world=$!
trap 'kill -TERM "$world" 2>/dev/null || true; wait "$world" 2>/dev/null || true; rm -rf "$data"' EXIT
trap 'exit 143' INT TERM HUP # an interrupted benchmark still stops its node (through the EXIT trap)
for _ in $(seq 1 180); do
  curl -sf http://127.0.0.1:7826/ready >/dev/null 2>&1 && break
  kill -0 "$world" 2>/dev/null || { cat "$data/node.log"; exit 1; }
  sleep 1
done
curl -sf http://127.0.0.1:7826/ready >/dev/null || { echo "the node was not ready in 180 s" >&2; cat "$data/node.log"; exit 1; }
