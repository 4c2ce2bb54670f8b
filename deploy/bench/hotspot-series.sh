#!/usr/bin/env bash
# Repeats the hotspot comparison: N pairs of runs (deploy/bench/hotspot.sh), the order of the two placements
# alternating from pair to pair so that neither always runs second on a warmer machine, then one table with a row
# per pair and the medians (HotspotReport with every pair's directory).
#
#   deploy/bench/hotspot-series.sh [pairs=6] [avatars=120] [seconds=90] [out=results/hotspot-series]
#
# The environment of hotspot.sh (NODE_CPUS, NODE_SETTINGS, SCENARIO, JOIN_AT, ...) applies to every pair; its
# PLACEMENTS is set here. A pair that fails stops the series. About 6 minutes a pair on a 2-core machine (7.6 with
# seconds=120).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
pairs="${1:-6}" avatars="${2:-120}" seconds="${3:-90}" out="${4:-results/hotspot-series}"
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "hotspot-series: pairs is a whole number from 1, not '$pairs'" >&2; exit 2; }
mkdir -p "$out"
dirs=()
for k in $(seq 1 "$pairs"); do
  if [ $((k % 2)) = 1 ]; then order="least-shard attention"; else order="attention least-shard"; fi
  echo "== pair $k of $pairs ($order)"
  PLACEMENTS="$order" deploy/bench/hotspot.sh "$avatars" "$seconds" "$out/pair$k" >"$out/pair$k.log" 2>&1 \
    || { echo "hotspot-series: pair $k failed, see $out/pair$k.log" >&2; exit 1; }
  dirs+=("$out/pair$k")
done
source deploy/bench/test-classpath.sh
java -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp "$CP" \
  org.worldserver.shard.bench.HotspotReport "${dirs[@]}" | tee "$out/series.md"
