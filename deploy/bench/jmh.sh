#!/usr/bin/env bash
# Runs the world-shard JMH benchmarks, as reported in docs/benchmarks.md.
#
#   deploy/bench/jmh.sh [JMH ARGS...]      e.g. deploy/bench/jmh.sh CellTickBenchmark -p avatars=10000
#
# Defaults when no arguments are given: every benchmark, 1 fork, 5 warm-up and 5 measured iterations of 2 s,
# with the GC profiler (allocation per operation). Builds the test classes first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/bench/test-classpath.sh
if [ $# -eq 0 ]; then
  set -- -f 1 -wi 5 -w 2s -i 5 -r 2s -prof gc
fi
exec java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$CP" org.openjdk.jmh.Main "$@"
