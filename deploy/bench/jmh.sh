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
mvn -B -q -DskipTests install -pl world-shard -am
mvn -B -q test-compile dependency:build-classpath -pl world-shard \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
CP="world-shard/target/test-classes:world-shard/target/classes:$(cat world-shard/target/test-classpath.txt)"
if [ $# -eq 0 ]; then
  set -- -f 1 -wi 5 -w 2s -i 5 -r 2s -prof gc
fi
exec java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$CP" org.openjdk.jmh.Main "$@"
