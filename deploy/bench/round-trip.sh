#!/usr/bin/env bash
# Client → server → client round trips on loopback: a raw Aeron echo next to a Heartbeat through the real
# gateway agent, in one run (see GatewayRoundTrip).
#
#   deploy/bench/round-trip.sh [count=20000] [idle-strategy=backoff]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/bench/test-classpath.sh
exec java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$CP" \
  org.worldserver.shard.bench.GatewayRoundTrip "${1:-20000}" "${2:-backoff}"
