package org.worldserver.shard.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording's CPU samples ({@code jdk.ExecutionSample}): the methods most often on top of the
 * stack (self time) and most often anywhere on it (total time), as shares of all samples, and samples per thread.
 * JDK 17's {@code jfr} tool has no such view. Also the share of samples whose stack holds a frame of each of the
 * server's parts ({@link #PARTS}). The parts overlap: a stack can hold several, and decoding a message calls its
 * record's constructor in the package that declares it. Usage: {@code HotMethods FILE.jfr [top]}.
 */
public final class HotMethods {

    /** The parts of a node, by the package prefixes of their frames. */
    private static final Map<String, List<String>> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("Artery remoting", List.of("org.apache.pekko.remote."));
        PARTS.put("Jackson CBOR", List.of("com.fasterxml.jackson.", "org.apache.pekko.serialization.jackson."));
        PARTS.put("tick-message serializer", List.of("org.worldserver.shard.serialization."));
        PARTS.put(
                "Artery remoting or any serializer",
                List.of(
                        "org.apache.pekko.remote.",
                        "com.fasterxml.jackson.",
                        "org.apache.pekko.serialization.",
                        "org.worldserver.shard.serialization."));
        PARTS.put("gateway", List.of("org.worldserver.shard.gateway."));
        PARTS.put(
                "cells and their simulation", List.of("org.worldserver.shard.region.", "org.worldserver.shard.world."));
        PARTS.put("cluster and sharding", List.of("org.apache.pekko.cluster."));
        PARTS.put("Aeron", List.of("io.aeron.", "org.agrona."));
        PARTS.put("Cassandra driver", List.of("com.datastax."));
    }

    private HotMethods() {}

    public static void main(String[] args) throws IOException {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> parts = new LinkedHashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            threads.merge(threadName(event), 1, Integer::sum);
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String n = name(frame);
                if (seen.add(n)) {
                    total.merge(n, 1, Integer::sum);
                }
            }
            PARTS.forEach((part, prefixes) -> {
                if (seen.stream().anyMatch(n -> prefixes.stream().anyMatch(n::startsWith))) {
                    parts.merge(part, 1, Integer::sum);
                }
            });
        }
        System.out.printf("%d CPU samples in %s%n", samples, args[0]);
        int all = samples;
        System.out.printf("%n-- parts (samples whose stack holds a frame of the part; they overlap) --%n");
        PARTS.keySet()
                .forEach(part -> System.out.printf(
                        "%6.1f%%  %s%n", 100.0 * parts.getOrDefault(part, 0) / Math.max(1, all), part));
        print("threads", threads, samples, top);
        print("self (top of stack)", self, samples, top);
        print("total (anywhere on the stack)", total, samples, top);
    }

    private static String threadName(RecordedEvent event) {
        var thread = event.getThread("sampledThread");
        String name = thread == null ? "?" : thread.getJavaName();
        return name == null ? "?" : name.replaceAll("-\\d+$", "-N");
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.printf("%n-- %s --%n", title);
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> System.out.printf("%6.1f%%  %s%n", 100.0 * e.getValue() / samples, e.getKey()));
    }
}
