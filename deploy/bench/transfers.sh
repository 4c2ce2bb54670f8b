#!/usr/bin/env bash
# Durable transfers per second through a node's operator API, next to the raw Cassandra write ceiling measured in
# the same run (TransferBenchmark), on a node and Cassandra of its own (bench-node.sh).
#
#   deploy/bench/transfers.sh [transfers=2000] [concurrency=32] [accounts=64]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-node.sh"
java -cp "$CP" org.worldserver.shard.bench.TransferBenchmark http://127.0.0.1:7826 127.0.0.1:9242 \
  "${1:-2000}" "${2:-32}" "${3:-64}"
