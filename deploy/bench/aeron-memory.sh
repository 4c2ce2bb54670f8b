#!/usr/bin/env bash
# Measures the /dev/shm cost of client sessions in the gateway's Aeron media driver (see AeronSessionMemory).
#
#   deploy/bench/aeron-memory.sh [clients=100] [term-length=65536]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
mvn -B -q -DskipTests install -pl world-shard -am
mvn -B -q test-compile dependency:build-classpath -pl world-shard \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
CP="world-shard/target/test-classes:world-shard/target/classes:$(cat world-shard/target/test-classpath.txt)"
exec java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$CP" \
  org.worldserver.shard.bench.AeronSessionMemory "${1:-100}" "${2:-65536}"
