#!/usr/bin/env bash
# The hotspot comparison: the same crowd on a 3-node local cluster, once with Pekko's default allocation
# (least-shard) and once with the attention re-balancer. For each: the load test's input → observed p99, node loads
# (CPU and importance, max against mean), shard moves, and how long until the nodes are balanced again after the
# crowd forms. Writes everything under OUT and prints a table (HotspotReport).
#
#   deploy/bench/hotspot.sh [avatars=120] [seconds=90] [out=results/hotspot]
#
# Environment:
#   SCENARIO=FILE|NAME      the crowd (default deploy/bench/hotspot-cluster.conf: 16 shards, the crowd where four meet)
#   NODE_CPUS=0.5           CPU each node may use, in cores, enforced by a cgroup (v1 cpu controller) per node: on
#                           one machine the nodes otherwise share every core, and where a shard runs would matter
#                           less. 0: no limit. Needs a writable /sys/fs/cgroup/cpu (root, cgroup v1); without one
#                           the runs go on unlimited and say so. Nodes of different sizes: one value per node,
#                           e.g. NODE_CPUS="0.75 0.75 0.3" (a joining fourth node takes the last). Each node
#                           measures its limit (world.rebalancer.node-capacity = auto: 100 per core).
#   NODE_SETTINGS="k=v ..." more settings for every node, e.g. world.rebalancer.node-capacity=40
#   JOIN_AT=S               a fourth node joins S seconds after the bots start (scale-out while the crowd forms):
#                           Pekko's default moves shards to it by count, the attention placement by weight. The
#                           bots keep logging in through the first three.
#   PLACEMENTS="a b"        the order of the two runs (default "least-shard attention"); repeated comparisons
#                           should alternate it, so that neither placement always runs on a warmer machine
#   PROFILE_AT=S            S seconds after the bots start, nodes 1-3 record 30 s of CPU samples with JFR
#                           (OUT/PLACEMENT.nodeK.jfr; summarise with HotMethods, docs/benchmarks.md). At most
#                           seconds - 30, so the recording ends before the bots do.
#
# The bots log in through the three nodes in turn, as behind a load balancer. Uses bin/world cluster and stops it
# after each run, also on Ctrl-C. Each run starts from nothing: its own temporary data directory, so a fresh
# Cassandra (the second run of a pair does not find the first one's journal, region record or warm caches).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
avatars="${1:-120}" seconds="${2:-90}" out="${3:-results/hotspot}"
source deploy/bench/test-classpath.sh
mkdir -p "$out"
out_abs="$(cd "$out" && pwd)"
data="" # the run under way's data directory (cluster, Cassandra, CPU counters)
scenario="${SCENARIO:-deploy/bench/hotspot-cluster.conf}"
read -r -a node_cpus <<<"${NODE_CPUS:-0.5}"
((${#node_cpus[@]})) || node_cpus=(0.5)
for c in "${node_cpus[@]}"; do
  [[ "$c" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "hotspot: NODE_CPUS takes cores per node, not '$NODE_CPUS'" >&2; exit 2; }
done
cpus="${node_cpus[*]}" # "0" when no node is limited
[[ "$cpus" =~ ^0+(\.0+)?( 0+(\.0+)?)*$ ]] && cpus=0
cgroups=/sys/fs/cgroup/cpu
targets=http://127.0.0.1:7631,http://127.0.0.1:7632,http://127.0.0.1:7633

tick=$(getconf CLK_TCK)

# A process's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Node k's CPU limit in cores: its own value of NODE_CPUS, else the last one.
node_cores() { local i=$(($1 - 1)); [ "$i" -lt "${#node_cpus[@]}" ] || i=$((${#node_cpus[@]} - 1)); echo "${node_cpus[$i]}"; }

# Puts node k (pid) in a cgroup of its own limited to its cores (every thread it starts later inherits it), and
# notes its CPU time so far: the report counts from here, without the start.
limit_node() {
  local k="$1" pid="$2" group="$cgroups/world-hotspot-$$-node$1" c
  cpu_ticks "$pid" >"$data/node$k.ticks"
  [ "$cpus" = 0 ] && return
  c="$(node_cores "$k")"
  [[ "$c" =~ ^0+(\.0+)?$ ]] && return
  mkdir -p "$group"
  echo 100000 >"$group/cpu.cfs_period_us"
  awk -v c="$c" 'BEGIN { printf "%d\n", c * 100000 }' >"$group/cpu.cfs_quota_us"
  echo "$pid" >"$group/cgroup.procs"
}

# Each node's CPU seconds since the limit, and its cgroup's throttling (periods throttled of all, seconds
# throttled), one line a node; a node that is gone is said so.
cpu_report() {
  local k group pid dir
  for dir in "$data"/cluster/node*; do
    k="${dir##*node}"
    group="$cgroups/world-hotspot-$$-node$k"
    pid=$(cat "$data/cluster/node$k/node.pid" 2>/dev/null) && [ -r "/proc/$pid/stat" ] \
      || { echo "node $k gone"; continue; }
    printf 'node %s cpu_seconds %s' "$k" "$(awk -v t="$tick" -v b="$(cat "$data/node$k.ticks")" \
      '{ printf "%.1f", ($14 + $15 - b) / t }' "/proc/$pid/stat")"
    if [ -f "$group/cpu.stat" ]; then
      awk '{ v[$1] = $2 } END { printf " periods %d throttled %d throttled_seconds %.1f",
        v["nr_periods"], v["nr_throttled"], v["throttled_time"] / 1e9 }' "$group/cpu.stat"
    fi
    echo
  done
}

remove_cgroups() {
  local group
  for group in "$cgroups"/world-hotspot-$$-node*; do [ -d "$group" ] && rmdir "$group" 2>/dev/null || true; done
}

# The cgroup v1 cpu controller, writable (a cgroup v2 machine has no cpu.cfs_quota_us there).
if [ "$cpus" != 0 ] && ! [ -w "$cgroups/cpu.cfs_quota_us" ]; then
  echo "hotspot: no writable cgroup v1 cpu controller at $cgroups: the nodes run without a CPU limit" >&2
  cpus=0
fi
[[ -z "${JOIN_AT:-}" || "${JOIN_AT}" =~ ^[0-9]+$ ]] || { echo "hotspot: JOIN_AT takes whole seconds, not '$JOIN_AT'" >&2; exit 2; }
if [ -n "${PROFILE_AT:-}" ]; then
  [[ "$PROFILE_AT" =~ ^[0-9]+$ ]] && [ "$PROFILE_AT" -le $((seconds - 30)) ] \
    || { echo "hotspot: PROFILE_AT takes whole seconds up to $((seconds - 30)), not '$PROFILE_AT'" >&2; exit 2; }
  command -v jcmd >/dev/null || { echo "hotspot: PROFILE_AT needs jcmd (a JDK) on the PATH" >&2; exit 2; }
fi
# The jobs of the run under way (the bots, the samplers): ended with it, also on Ctrl-C.
jobs_running=""
stop_jobs() { [ -z "$jobs_running" ] || kill $jobs_running 2>/dev/null || true; jobs_running=""; }
# Stops the run under way's cluster and deletes its data; if the stop fails, keeps the data (its pid files name
# what may still run) and returns 1.
end_run() {
  [ -n "$data" ] || return 0
  if ! bin/world cluster stop --data-dir "$data" >>"${1:-/dev/null}" 2>&1; then
    echo "hotspot: could not stop the cluster in $data (kept; bin/world cluster stop --data-dir $data)" >&2
    return 1
  fi
  rm -rf "$data"
  data=""
}
trap 'stop_jobs; end_run || true; remove_cgroups' EXIT
trap 'exit 143' INT TERM HUP

placements="${PLACEMENTS:-least-shard attention}"
[ "$(printf '%s\n' $placements | sort | tr '\n' ' ')" = "attention least-shard " ] \
  || { echo "hotspot: PLACEMENTS orders least-shard and attention, each once, not '$placements'" >&2; exit 2; }
for strategy in $placements; do
  echo "== $strategy: 3 nodes$([ -n "${JOIN_AT:-}" ] && echo " and one joining") ($([ "$cpus" = 0 ] && echo "no CPU limit" || echo "cores per node: $cpus")), $avatars bots, ${seconds} s"
  data="$(mktemp -d)"
  settings=(--set "world.rebalancer.strategy=$strategy" --set world.rebalancer.interval=5s)
  for s in ${NODE_SETTINGS:-}; do settings+=(--set "$s"); done
  bin/world cluster start --nodes 3 --data-dir "$data" "${settings[@]}" >"$out/$strategy.cluster.log" 2>&1
  for k in 1 2 3; do limit_node "$k" "$(cat "$data/cluster/node$k/node.pid")"; done
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
  bin/world loadtest --scenario "$scenario" --avatars "$avatars" --duration "$seconds" \
    --target "$targets" --out "$out/$strategy" >"$out/$strategy.loadtest.log" 2>&1 &
  bots=$!
  jobs_running="$sampler $recorder $bots"
  if [ -n "${PROFILE_AT:-}" ]; then
    # JFR's profile settings sample every thread's stack every 10-20 ms; the recording stops by itself after 30 s,
    # before the bots do (PROFILE_AT is at most seconds - 30), so waiting for the bots covers it.
    ( sleep "$PROFILE_AT"
      for k in 1 2 3; do
        jcmd "$(cat "$data/cluster/node$k/node.pid")" JFR.start name=hotspot settings=profile duration=30s \
          filename="$out_abs/$strategy.node$k.jfr" >>"$out/$strategy.profile.log" 2>&1 \
          || echo "hotspot: no profile of node $k (see $out/$strategy.profile.log)" >&2
      done ) &
    profiler=$!
    jobs_running="$jobs_running $profiler"
  fi
  if [ -n "${JOIN_AT:-}" ]; then
    sleep "$JOIN_AT"
    bin/world cluster add --data-dir "$data" >>"$out/$strategy.cluster.log" 2>&1 &
    joining=$!
    # Limited as soon as its JVM is there, not once it is ready: the others are limited all along.
    for _ in $(seq 1 600); do [ -s "$data/cluster/node4/node.pid" ] && break; sleep 0.1; done
    if [ -s "$data/cluster/node4/node.pid" ]; then
      limit_node 4 "$(cat "$data/cluster/node4/node.pid")"
    fi
    if wait "$joining"; then
      echo "   node 4 joined (asked $JOIN_AT s after the bots started)"
    else
      echo "   node 4 did not join (see $out/$strategy.cluster.log); the run goes on with three"
    fi
  fi
  wait "$bots" || true
  wait "$sampler" "$recorder" ${profiler:-} || true
  profiler=""
  jobs_running=""
  curl -sf http://127.0.0.1:7631/attention/decisions >"$out/$strategy.decisions.json" || true
  # Each node's counters at the end (e.g. world_gateway_relayed_inputs_total against _batches_total).
  for dir in "$data"/cluster/node*; do
    k="${dir##*node}"
    curl -sf "http://127.0.0.1:$((7630 + k))/metrics" >"$out/$strategy.node$k.metrics" || true
  done
  cpu_report >"$out/$strategy.cpu.txt"
  end_run "$out/$strategy.cluster.log" || exit 1
  remove_cgroups
done
java -cp "$CP" org.worldserver.shard.bench.HotspotReport "$out"
