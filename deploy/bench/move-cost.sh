#!/usr/bin/env bash
# What one shard move costs its players: a crowd stands in one shard of a 3-node local cluster; MOVE_AT seconds
# after the bots start, an operator moves that shard to another node (POST /attention/shards/{shard}/location);
# the table shows, second by second around the move, the bots' input → observed p50/p99/max and the sessions
# handed off to the new node's gateway. The re-balancer itself makes no move (its start spread is out of reach).
#
#   deploy/bench/move-cost.sh [avatars=30] [seconds=100] [out=results/move-cost]
#
# Environment:
#   MOVE_AT=55     seconds after the bots start (at least 20: the crowd must have formed)
#   NODE_CPUS=0.6  cores each node may use (cgroup v1 cpu controller, as deploy/bench/hotspot.sh); 0: no limit
#
# Writes OUT/loadtest (the load test's summary.json and timeline.json), OUT/move.txt, OUT/cluster.log; stops the
# cluster it started, also on Ctrl-C. The move's second is counted from the load test's start, about a second before
# its timeline's zero (the harness's JVM starts in between).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
avatars="${1:-30}" seconds="${2:-100}" out="${3:-results/move-cost}"
move_at="${MOVE_AT:-55}" cpus="${NODE_CPUS:-0.6}"
[[ "$avatars" =~ ^[1-9][0-9]*$ ]] || { echo "move-cost: avatars is a whole number from 1, not '$avatars'" >&2; exit 2; }
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "move-cost: seconds is a whole number from 1, not '$seconds'" >&2; exit 2; }
[[ "$move_at" =~ ^[0-9]+$ ]] && [ "$move_at" -ge 20 ] && [ "$move_at" -lt "$seconds" ] \
  || { echo "move-cost: MOVE_AT takes whole seconds from 20 to below the run's $seconds, not '$move_at'" >&2; exit 2; }
[[ "$cpus" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "move-cost: NODE_CPUS takes cores, not '$cpus'" >&2; exit 2; }
cgroups=/sys/fs/cgroup/cpu
if ! awk -v c="$cpus" 'BEGIN { exit !(c > 0) }'; then
  cpus=0
elif ! [ -w "$cgroups/cpu.cfs_quota_us" ]; then
  echo "move-cost: no writable cgroup v1 cpu controller at $cgroups: the nodes run without a CPU limit" >&2
  cpus=0
fi
mkdir -p "$out"
data="$(mktemp -d)"
scenario="$(mktemp --suffix=.conf)"
bots=""
cleanup() {
  [ -z "$bots" ] || kill "$bots" 2>/dev/null || true
  rm -f "$scenario"
  bin/world cluster stop --data-dir "$data" >>"$out/cluster.log" 2>&1 && rm -rf "$data" \
    || echo "move-cost: could not stop the cluster in $data (bin/world cluster stop --data-dir $data)" >&2
  local group
  for group in "$cgroups"/world-move-$$-node*; do [ -d "$group" ] && rmdir "$group" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP

bin/world cluster start --nodes 3 --data-dir "$data" --set world.rebalancer.strategy=attention \
  --set world.rebalancer.start-spread=100 --set world.rebalancer.stop-spread=50 >"$out/cluster.log" 2>&1
if [ "$cpus" != 0 ]; then
  for k in 1 2 3; do
    group="$cgroups/world-move-$$-node$k"
    mkdir -p "$group"
    echo 100000 >"$group/cpu.cfs_period_us"
    awk -v c="$cpus" 'BEGIN { printf "%d\n", c * 100000 }' >"$group/cpu.cfs_quota_us"
    cat "$data/cluster/node$k/node.pid" >"$group/cgroup.procs"
  done
fi
# The crowd: every bot mills about (384, 384), inside the shard plaza:1:1 (the hotspot scenarios' plaza).
sed -e 's/name = "hotspot-one-shard"/name = "move-cost"/' -e 's/behaviours {[^}]*}/behaviours { hotspot = 1.0 }/' \
  deploy/bench/hotspot-one-shard.conf >"$scenario"
targets=http://127.0.0.1:7631,http://127.0.0.1:7632,http://127.0.0.1:7633
# Checks the scenario, and builds the harness if it must, before the clock starts.
bin/world loadtest --check --scenario "$scenario" --out "$out/loadtest" --target "$targets" >/dev/null
started=$(date +%s%3N)
bin/world loadtest --scenario "$scenario" --avatars "$avatars" --duration "$seconds" \
  --target "$targets" --out "$out/loadtest" \
  >"$out/loadtest.log" 2>&1 &
bots=$!
sleep "$move_at"
shards="$(curl -sSf http://127.0.0.1:7631/attention/shards)" \
  || { echo "move-cost: GET /attention/shards failed" >&2; exit 1; }
# The crowd's shard: the one the scenario's crowd stands in, once it holds at least half the bots.
placement="$(python3 -c '
import json, sys
view, avatars = json.loads(sys.argv[1]), int(sys.argv[2])
crowd = [s for s in view["shards"] if s["shard"] == "plaza:1:1"]
if not crowd or crowd[0]["latest"]["avatars"] < avatars / 2:
    sys.exit("move-cost: the crowd has not formed in plaza:1:1 yet (try a later MOVE_AT)")
others = sorted(n["node"] for n in view["nodes"] if n["node"] != crowd[0]["node"])
if not others:
    sys.exit("move-cost: no other node to move plaza:1:1 to")
print(crowd[0]["shard"], crowd[0]["node"], others[0])' "$shards" "$avatars")" || exit 1
read -r shard from to <<<"$placement"
moved=$(date +%s%3N)
curl -sSf -X POST -H 'Content-Type: application/json' -d "{\"node\": \"$to\"}" \
  "http://127.0.0.1:7631/attention/shards/$shard/location" >/dev/null \
  || { echo "move-cost: the move of $shard to $to was refused" >&2; exit 1; }
echo "moved $shard from $from to $to, $(( (moved - started) / 1000 )) s after the bots started" | tee "$out/move.txt"
wait "$bots" || true
bots=""
python3 - "$out" "$(( (moved - started) / 1000 ))" <<'EOF'
import json, sys
out, moved = sys.argv[1], int(sys.argv[2])
summary = json.load(open(f"{out}/loadtest/summary.json"))
print(f"whole run: p99 {summary['latency_ms']['p99']} ms, handoffs {summary['handoffs']} "
      f"(failed {summary['handoffs_failed']})")
print("second  p50 ms  p99 ms  max ms  handoffs")
for s in json.load(open(f"{out}/loadtest/timeline.json")):
    second = round(s["seconds"])
    if moved - 10 <= second <= moved + 25:
        print(f"{second:6d} {s['latencyP50']:7.0f} {s['latencyP99']:7.0f} {s['latencyMax']:7.0f} {s['handoffs']:9d}")
EOF
