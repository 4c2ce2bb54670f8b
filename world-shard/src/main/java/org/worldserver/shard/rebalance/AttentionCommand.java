package org.worldserver.shard.rebalance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.worldserver.attention.AttentionNetwork;
import org.worldserver.attention.Evaluation;
import org.worldserver.attention.ImportanceFeatures;
import org.worldserver.attention.ShardSample;

/**
 * {@code bin/world attention record|train}: records the shards' telemetry of a running cluster while a load test
 * runs, and trains the importance network on recordings.
 *
 * <pre>
 * record --target URL --out FILE [--duration SECONDS=600] [--every SECONDS=5]
 *     polls URL/attention/telemetry and appends each interval not seen yet to FILE, one JSON ShardSample a line
 * train --data FILE[,FILE...] --held-out FILE[,FILE...] --out MODEL [--epochs 25] [--seed 1] [--interval 10]
 *     trains on the data recordings, reports the mean squared error on the held-out ones against the last value and
 *     the trend heuristic, and saves the network (world.rebalancer.model names it); --interval: the seconds between
 *     reports when it was recorded (world.rebalancer.interval)
 * </pre>
 */
public final class AttentionCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AttentionCommand() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = flags(args);
        switch (args.length == 0 ? "" : args[0]) {
            case "record" ->
                record(
                        required(flags, "target"),
                        Path.of(required(flags, "out")),
                        Duration.ofSeconds(Long.parseLong(flags.getOrDefault("duration", "600"))),
                        Duration.ofSeconds(Long.parseLong(flags.getOrDefault("every", "5"))));
            case "train" ->
                train(
                        paths(required(flags, "data")),
                        paths(required(flags, "held-out")),
                        new File(required(flags, "out")),
                        Integer.parseInt(flags.getOrDefault("epochs", "25")),
                        Long.parseLong(flags.getOrDefault("seed", "1")),
                        1000 * Long.parseLong(flags.getOrDefault("interval", "10")));
            default -> {
                System.err.println("usage: attention record --target URL --out FILE [--duration S] [--every S]\n"
                        + "       attention train --data FILES --held-out FILES --out MODEL [--epochs N] [--seed N]"
                        + " [--interval S]");
                System.exit(2);
            }
        }
    }

    /** Appends every new interval of every shard to {@code out} until {@code duration} has passed. */
    public static int record(String target, Path out, Duration duration, Duration every) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Set<String> seen = new HashSet<>();
        long until = System.nanoTime() + duration.toNanos();
        int written = 0;
        try (BufferedWriter w = Files.newBufferedWriter(
                out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (System.nanoTime() < until) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(target + "/attention/telemetry"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    for (JsonNode sample : JSON.readTree(r.body()).get("shards")) {
                        ShardSample s = JSON.treeToValue(sample, ShardSample.class);
                        if (seen.add(s.shard() + "@" + s.endMillis())) {
                            w.write(JSON.writeValueAsString(s));
                            w.newLine();
                            written++;
                        }
                    }
                    w.flush();
                } else {
                    System.err.println("attention record: " + r.statusCode() + " " + r.body());
                }
                Thread.sleep(every.toMillis());
            }
        }
        System.out.println("attention record: " + written + " intervals in " + out);
        return written;
    }

    /** A recording read back: its samples put in rounds of {@code intervalMillis}, oldest first. */
    static List<ImportanceFeatures.Interval> read(Path recording, long intervalMillis) throws IOException {
        List<ShardSample> samples = new ArrayList<>();
        for (String line : Files.readAllLines(recording, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                samples.add(JSON.readValue(line, ShardSample.class));
            }
        }
        return ImportanceFeatures.intervals(samples, intervalMillis);
    }

    /** Trains, reports the held-out error against the last value and the trend, saves; that report. */
    public static Evaluation train(
            List<Path> data, List<Path> heldOut, File out, int epochs, long seed, long intervalMillis)
            throws IOException {
        List<AttentionNetwork.Example> training = new ArrayList<>();
        for (Path p : data) {
            training.addAll(AttentionNetwork.examples(read(p, intervalMillis)));
        }
        List<AttentionNetwork.Example> test = new ArrayList<>();
        for (Path p : heldOut) {
            test.addAll(AttentionNetwork.examples(read(p, intervalMillis)));
        }
        if (training.isEmpty() || test.isEmpty()) {
            throw new IllegalArgumentException("no examples: each recording needs at least two intervals (training "
                    + training.size() + ", held out " + test.size() + ")");
        }
        AttentionNetwork network = AttentionNetwork.untrained(seed);
        Random random = new Random(seed);
        for (int epoch = 0; epoch < epochs; epoch++) {
            Collections.shuffle(training, random);
            double loss = network.fit(training, 64);
            System.out.printf("epoch %d: training loss %.4f%n", epoch + 1, loss);
        }
        Evaluation held = Evaluation.of(network, test);
        System.out.println(held);
        network.save(out);
        System.out.println("saved " + out + " (world.rebalancer.model)");
        return held;
    }

    private static List<Path> paths(String list) {
        List<Path> paths = new ArrayList<>();
        for (String p : list.split(",")) {
            paths.add(Path.of(p.strip()));
        }
        return paths;
    }

    private static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new TreeMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected a --flag, not " + args[i]);
            }
            flags.put(args[i].substring(2), args[i + 1]);
        }
        return flags;
    }

    private static String required(Map<String, String> flags, String name) {
        String v = flags.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}
