#!/usr/bin/env bash
# The gateway's sender in a crowd: datagram sizes, bytes per update and per client, and the encoding time per
# frame (see SessionStreamLoad).
#
#   deploy/bench/snapshot-load.sh [avatars=1000] [ticks=400] [ack-delay=2] [update-bytes=14] [budget=9728]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/bench/test-classpath.sh
exec java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$CP" \
  org.worldserver.shard.gateway.SessionStreamLoad "$@"
