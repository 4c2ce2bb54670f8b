#!/usr/bin/env bash
# What the gateway's Aeron media driver costs per session as sessions grow (AeronDriverScaling): server driver
# CPU and µs per datagram for N clients with a game's traffic on loopback.
#   deploy/bench/aeron-scaling.sh [idle-strategy: backoff|sleeping|yielding] [seconds] [clients...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/bench/test-classpath.sh
exec java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Xmx1g -cp "$CP" \
  org.worldserver.shard.bench.AeronDriverScaling "${1:-backoff}" "${2:-10}" "${@:3}"
