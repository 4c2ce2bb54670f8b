#!/usr/bin/env bash
# Profiles the node and the harness with JFR while a load test runs, and prints where each spends its CPU.
#
#   deploy/bench/profile-loadtest.sh [scenario] [avatars] [duration-s] [out-dir]
#   (defaults: random-walk 200 60 results/profile)
#
# Runs `bin/world loadtest` (its own node and Cassandra), waits until the bots have all arrived (the ramp plus
# 15 s of warm-up), records 20 s of both JVMs with JFR's `profile` settings (jcmd JFR.start), and prints the
# threads, the hottest methods by self time and by total time of each (HotMethods). The recordings stay in the
# out-dir for JDK Mission Control.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario="${1:-random-walk}"
avatars="${2:-200}"
duration="${3:-60}"
out="${4:-results/profile}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

bin/world loadtest --scenario "$scenario" --avatars "$avatars" --duration "$duration" --out "$out" \
  >"$out/loadtest.log" 2>&1 &
loadtest=$!

# The node and the harness, once both run (started by the command above: found by their main class).
node=""
harness=""
for _ in $(seq 1 300); do
  node="$(pgrep -f 'org.worldserver.shard.Main' -n || true)"
  harness="$(pgrep -f 'org.worldserver.loadtest.LoadTestCommand --scenario' -n || true)"
  [ -n "$node" ] && [ -n "$harness" ] && break
  kill -0 "$loadtest" 2>/dev/null || { echo "the load test ended early: $out/loadtest.log" >&2; exit 1; }
  sleep 1
done
[ -n "$node" ] && [ -n "$harness" ] || { echo "node or harness not found" >&2; exit 1; }
ramp=$(( avatars / 50 + 15 ))
echo "node pid $node, harness pid $harness; recording 20 s after ${ramp} s of ramp and warm-up"
sleep "$ramp"
jcmd "$node" JFR.start name=lt settings=profile duration=20s filename="$out/node.jfr" >/dev/null
jcmd "$harness" JFR.start name=lt settings=profile duration=20s filename="$out/harness.jfr" >/dev/null
sleep 23
wait "$loadtest" || true
tail -1 "$out/loadtest.log"

source deploy/bench/test-classpath.sh
for who in node harness; do
  echo "=== $who ==="
  java -cp "$CP" org.worldserver.shard.bench.HotMethods "$out/$who.jfr" 25
done
