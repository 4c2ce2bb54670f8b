#!/usr/bin/env bash
# Trades per second end to end through a node's operator API, and how long the metadata index takes to show them
# (TradeBenchmark), on a node and Cassandra of its own (bench-node.sh).
#
#   deploy/bench/trades.sh [trades=1000] [concurrency=32] [buyers=16] [fee-bps=0]
set -euo pipefail
NODE_SETTINGS="world.asset.fee-bps=${4:-0}"
source "$(dirname "${BASH_SOURCE[0]}")/bench-node.sh"
java -cp "$CP" org.worldserver.shard.bench.TradeBenchmark http://127.0.0.1:7826 "${1:-1000}" "${2:-32}" "${3:-16}"
