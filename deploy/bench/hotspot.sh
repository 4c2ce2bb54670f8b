#!/usr/bin/env bash
# The hotspot comparison: the same crowd on a 3-node local cluster, once with Pekko's default allocation
# (least-shard) and once with the attention re-balancer. For each: the load test's input → observed p99, node loads
# (CPU and importance, max against mean), shard moves, and how long until the nodes are balanced again after the
# crowd forms. Writes everything under OUT and prints a table (HotspotReport).
#
#   deploy/bench/hotspot.sh [avatars=200] [seconds=90] [out=results/hotspot]
#   NODE_SETTINGS="key=value ..." deploy/bench/hotspot.sh ...   (more settings for every node, e.g.
#                                 world.rebalancer.node-capacity=40)
#
# Uses bin/world cluster (data in a temporary directory) and stops it after each run, also on Ctrl-C.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
avatars="${1:-200}" seconds="${2:-90}" out="${3:-results/hotspot}"
source deploy/bench/test-classpath.sh
mkdir -p "$out"
data="$(mktemp -d)"
trap 'bin/world cluster stop --data-dir "$data" >/dev/null 2>&1 || true; rm -rf "$data"' EXIT
trap 'exit 143' INT TERM HUP

for strategy in least-shard attention; do
  echo "== $strategy: 3 nodes, $avatars bots, ${seconds} s"
  settings=(--set "world.rebalancer.strategy=$strategy" --set world.rebalancer.interval=5s)
  for s in ${NODE_SETTINGS:-}; do settings+=(--set "$s"); done
  bin/world cluster start --nodes 3 --data-dir "$data" "${settings[@]}" >"$out/$strategy.cluster.log" 2>&1
  rm -f "$out/$strategy.shards.jsonl" "$out/$strategy.telemetry.jsonl"
  # The re-balancer's view every 2 s (node loads, shard placement) and its telemetry, while the bots run.
  ( end=$((SECONDS + seconds + 20))
    while [ "$SECONDS" -lt "$end" ]; do
      curl -sf http://127.0.0.1:7631/attention/shards | tr -d '\n' >>"$out/$strategy.shards.jsonl" && echo >>"$out/$strategy.shards.jsonl"
      sleep 2
    done ) &
  sampler=$!
  bin/world attention record --target http://127.0.0.1:7631 --out "$out/$strategy.telemetry.jsonl" \
    --duration $((seconds + 20)) --every 5 >"$out/$strategy.record.log" 2>&1 &
  recorder=$!
  bin/world loadtest --scenario hotspot --avatars "$avatars" --duration "$seconds" \
    --target http://127.0.0.1:7631 --out "$out/$strategy" >"$out/$strategy.loadtest.log" 2>&1 || true
  wait "$sampler" "$recorder" || true
  curl -sf http://127.0.0.1:7631/attention/decisions >"$out/$strategy.decisions.json" || true
  bin/world cluster stop --data-dir "$data" >>"$out/$strategy.cluster.log" 2>&1
done
java -cp "$CP" org.worldserver.shard.bench.HotspotReport "$out"
