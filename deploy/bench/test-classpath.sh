#!/usr/bin/env bash
# Sourced by the benchmark scripts: builds world-shard and its test classes, then sets CP to the test classpath
# (world-shard's test and main classes and every dependency). Run from the repository root.
mvn -B -q -DskipTests install -pl world-shard -am
mvn -B -q test-compile dependency:build-classpath -pl world-shard \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
CP="world-shard/target/test-classes:world-shard/target/classes:$(cat world-shard/target/test-classpath.txt)"
export CP
