#!/usr/bin/env bash
# Measures the /dev/shm cost of client sessions in the gateway's Aeron media driver (see AeronSessionMemory).
#
#   deploy/bench/aeron-memory.sh [clients=100] [term-length=65536]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/bench/test-classpath.sh
exec java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$CP" \
  org.worldserver.shard.bench.AeronSessionMemory "${1:-100}" "${2:-65536}"
